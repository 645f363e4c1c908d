"""/api/v1/plant: the plant now and the day's expected demand against its cap."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hvac_ctl.service.auth import App, Reader
from hvac_ctl.service.responses import errors

router = APIRouter(prefix="/api/v1/plant", tags=["plant"])


@router.get("", responses=errors(404))
async def plant(app: App, _: Reader) -> dict[str, Any]:
    """The chillers running, their load and COP now; the demand now against `cap_kw` and the
    tariff's band and price; the day's expected demand every 15 min, its peak and the
    evening's (17:00–23:00). 404 for a venue without a plant."""
    return app.plant.view()
