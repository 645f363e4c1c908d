"""/api/v1/site: every hall, every public-area group and the units' health, on one answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hvac_ctl.service.auth import App, Reader
from hvac_ctl.service.responses import SiteOut, errors

router = APIRouter(prefix="/api/v1/site", tags=["site"])


@router.get("", response_model=SiteOut, responses=errors())
async def site(app: App, _: Reader) -> dict[str, Any]:
    """Each hall's phase now (per zone, and the most advanced of them: show > precool >
    get_in > tour > post_show > idle), its next change of phase in the next 24 h and its
    active alarms; each public group's mode, since when and why; the units' health. A venue
    without halls is one hall, `main`."""
    return app.site.view()
