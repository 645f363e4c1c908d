"""/api/v1/overrides: operators hold a unit's point for a while; anyone may list them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from hvac_ctl.application.overrides import OverrideIn
from hvac_ctl.application.views import override_view
from hvac_ctl.service.auth import App, Operator, Reader

router = APIRouter(prefix="/api/v1/overrides", tags=["overrides"])


@router.post("", status_code=201)
async def create_override(body: OverrideIn, app: App, who: Operator) -> dict[str, Any]:
    row = await app.overrides.create(body, who.name)
    return override_view(app.runtime, row)


@router.get("")
async def list_overrides(app: App, _: Reader, active: bool = True) -> list[dict[str, Any]]:
    return [override_view(app.runtime, o) for o in await app.overrides.listed(active)]


@router.delete("/{override_id}")
async def release_override(override_id: str, app: App, who: Operator) -> dict[str, Any]:
    """Ends it now. Repeated: nothing is recorded again. Already run out: says it expired."""
    done = await app.overrides.release(override_id, who.name)
    return {**override_view(app.runtime, done.row), "released": done.outcome == "released",
            "outcome": done.outcome, "message": done.message}
