"""/api/v1/overrides: operators hold a unit's point for a while; anyone may list them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from hvac_ctl.application.overrides import OverrideIn
from hvac_ctl.application.views import override_view
from hvac_ctl.service.auth import App, Operator, Reader
from hvac_ctl.service.responses import (
    OVERRIDE_EXAMPLES,
    OverrideOut,
    ReleasedOut,
    errors,
)

router = APIRouter(prefix="/api/v1/overrides", tags=["overrides"])


@router.post("", status_code=201, response_model=OverrideOut,
             responses=errors(409, 413))
async def create_override(body: Annotated[OverrideIn, Body(openapi_examples=OVERRIDE_EXAMPLES)],
                          app: App, who: Operator) -> dict[str, Any]:
    row = await app.overrides.create(body, who.name)
    return override_view(app.runtime, row)


@router.get("", response_model=list[OverrideOut], responses=errors())
async def list_overrides(app: App, _: Reader, active: bool = True) -> list[dict[str, Any]]:
    return [override_view(app.runtime, o) for o in await app.overrides.listed(active)]


@router.delete("/{override_id}", response_model=ReleasedOut, responses=errors(404))
async def release_override(override_id: str, app: App, who: Operator) -> dict[str, Any]:
    """Ends it now. Repeated: nothing is recorded again. Already run out: says it expired."""
    done = await app.overrides.release(override_id, who.name)
    return {**override_view(app.runtime, done.row), "released": done.outcome == "released",
            "outcome": done.outcome, "message": done.message}
