"""/api/v1/events: a day's effective events — what will run once the dated entries' exceptions
are applied — with where each is written and the pattern occurrences it replaced."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hvac_ctl.service.auth import App, Reader
from hvac_ctl.service.bounds import Day
from hvac_ctl.service.responses import errors
from hvac_ctl.service.routers.zones import HallQuery

router = APIRouter(prefix="/api/v1/events", tags=["events"])


@router.get("", responses=errors())
async def events(app: App, _: Reader, day: Annotated[Day, Query(
        alias="date", description="the venue's local day, YYYY-MM-DD")],
                 hall: HallQuery = None) -> dict[str, Any]:
    return app.schedules.events(day, hall)
