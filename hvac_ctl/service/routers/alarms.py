"""/api/v1/alarms: what operators must see, and their acknowledgement."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from hvac_ctl.application.views import alarm_view
from hvac_ctl.service.auth import Acknowledger, App, Reader
from hvac_ctl.service.responses import AlarmOut, errors

router = APIRouter(prefix="/api/v1/alarms", tags=["alarms"])


@router.get("", response_model=list[AlarmOut], responses=errors())
async def alarms(app: App, _: Reader, active: bool = True,
                 limit: Annotated[int, Query(ge=1, le=5000)] = 200) -> list[dict[str, Any]]:
    """Active alarms, newest first; `active=false` adds the cleared ones from the store."""
    rows = app.alarms.active(limit) if active else await app.alarms.history(limit)
    return [alarm_view(app.runtime, a) for a in rows]


@router.post("/{alarm_id}/ack", response_model=AlarmOut, responses=errors(404))
async def ack_alarm(alarm_id: int, app: App, who: Acknowledger) -> dict[str, Any]:
    return alarm_view(app.runtime, app.alarms.ack(alarm_id, who.name))
