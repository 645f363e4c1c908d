"""/api/v1/zones and /api/v1/plan: the hall now, and a day's plan."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hvac_ctl.service.auth import App, Reader
from hvac_ctl.service.bounds import Day
from hvac_ctl.service.responses import errors

router = APIRouter(prefix="/api/v1", tags=["zones"])


@router.get("/zones", responses=errors())
async def zones(app: App, _: Reader) -> list[dict[str, Any]]:
    return app.hall.zones()


@router.get("/zones/{zone}", responses=errors(404))
async def zone(zone: str, app: App, _: Reader) -> dict[str, Any]:
    return app.hall.zone(zone)


@router.get("/plan", responses=errors())
async def plan(app: App, _: Reader, day: Annotated[Day | None, Query(alias="date")] = None
               ) -> list[dict[str, Any]]:
    return app.hall.plan(day).to_json()
