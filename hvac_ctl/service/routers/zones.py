"""/api/v1/zones and /api/v1/plan: the hall now, and a day's plan; `?hall=` narrows either to
one hall of a site (without it: every zone, as before halls existed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hvac_ctl.service.auth import App, Reader
from hvac_ctl.service.bounds import Day
from hvac_ctl.service.responses import errors

router = APIRouter(prefix="/api/v1", tags=["zones"])


HallQuery = Annotated[str | None, Query(
    max_length=64, description="a hall's id (GET /api/v1/site lists them), or `public` for "
    "the public areas; none: every zone")]


@router.get("/zones", responses=errors())
async def zones(app: App, _: Reader, hall: HallQuery = None) -> list[dict[str, Any]]:
    return app.hall.zones(hall)


@router.get("/zones/{zone}", responses=errors(404))
async def zone(zone: str, app: App, _: Reader) -> dict[str, Any]:
    return app.hall.zone(zone)


@router.get("/plan", responses=errors())
async def plan(app: App, _: Reader, day: Annotated[Day | None, Query(alias="date")] = None,
               hall: HallQuery = None) -> list[dict[str, Any]]:
    return app.hall.plan(day, hall).to_json()
