"""What the API and the panel both show and do: one implementation of each."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field, model_validator

from hvac_ctl.control import SafetyGate, quality
from hvac_ctl.model.venue import COMMAND_POINTS
from hvac_ctl.planner import plan_at
from hvac_ctl.service.bounds import Instant
from hvac_ctl.service.runtime import Runtime
from hvac_ctl.store.models import OverrideRow


def unprocessable(field: str, message: str) -> HTTPException:
    return HTTPException(422, [{"loc": ["body", field], "msg": message, "type": "value_error"}])


def iso(t: datetime | None, rt: Runtime) -> str | None:
    return None if t is None else t.astimezone(rt.config.venue.venue.tz).isoformat()


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit: str
    point: str
    value: bool | float | str
    minutes: float | None = Field(default=None, gt=0, le=1_000_000)  # 10³⁰⁰ overflowed: a 500
    until: Instant | None = None
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_duration(self) -> OverrideIn:
        if (self.minutes is None) == (self.until is None):
            raise ValueError("give exactly one of minutes or until")
        if not self.reason.strip():
            raise ValueError("a reason is required")
        return self


def zone_view(rt: Runtime, zone: str) -> dict[str, Any]:
    now = rt.clock.now()
    state = rt.loop.last_state or plan_at(rt.config, now, rt.inputs(now), rt.loop.plans)
    zs = state.zones[zone]
    stale = rt.settings.poll_every * 3
    units = {}
    for unit in rt.config.venue.units_of(zone):
        h = rt.loop.driver_of(unit).health(unit)
        points: dict[str, Any] = {}
        for (u, point), sample in rt.poller.latest.items():
            if u == unit:
                points[point] = {"value": sample.value,
                                 "quality": quality(sample, now, stale),
                                 "age_s": round((now - sample.at).total_seconds(), 1)}
        for point in COMMAND_POINTS:
            ps = rt.loop.points.get((unit, point))
            if ps is None:
                continue
            commanding = ps.foreign if ps.foreign is not None else (
                min(ps.slots) if ps.slots else None)
            points[point] = {"value": ps.confirmed, "desired": state.units[unit].get(point),
                             "commanding_priority": commanding}
        units[unit] = {"health": h.state.value, "last_error": h.last_error,
                       "latency_ms": h.latency_ms, "points": points}
    overrides = [override_view(rt, o) for o in rt.store.overrides(active_at=now)
                 if rt.config.venue.units[o.unit].zone == zone]
    m = rt.poller.zone_measurements(now, rt.settings.poll_every * 6).get(zone)
    return {
        "zone": zone, "phase": zs.phase, "event": zs.event_id, "season": zs.season,
        "mode": zs.mode, "target_c": zs.setpoint_c, "reason": zs.reason,
        "measured": None if m is None else {"temp_c": m.temp_c, "rh_pct": m.rh_pct,
                                            "co2_ppm": m.co2_ppm, "at": iso(m.at, rt)},
        "occupancy": {"people": zs.people,
                      "seats": rt.config.venue.zones[zone].occupants_max},
        "units": units, "overrides": overrides,
    }

def override_view(rt: Runtime, o: Any) -> dict[str, Any]:
    now = rt.clock.now()
    remaining = max(0.0, (o.until - now).total_seconds()) if o.ended_at is None else 0.0
    return {"id": o.id, "unit": o.unit, "point": o.point, "value": o.value,
            "start": iso(o.start, rt), "until": iso(o.until, rt), "reason": o.reason,
            "created_by": o.created_by, "ended_at": iso(o.ended_at, rt),
            "ended_by": o.ended_by, "active": o.ended_at is None and o.until > now,
            "remaining_s": round(remaining)}


def add_override(rt: Runtime, body: OverrideIn, actor: str) -> OverrideRow:
    """Validate an override against the venue and store it; 422 naming the field if not."""
    unit = rt.config.venue.units.get(body.unit)
    if unit is None:
        raise unprocessable("unit", f"unknown unit '{body.unit}'")
    if body.point not in COMMAND_POINTS or body.point not in unit.points.names():
        have = [p for p in COMMAND_POINTS if p in unit.points.names()]
        raise unprocessable("point", f"'{body.point}' is not a command of {body.unit} "
                                     f"({', '.join(have)})")
    value = override_value(rt, body)
    now = rt.clock.now()
    until = body.until or now + timedelta(minutes=body.minutes or 0)
    if until <= now:
        raise unprocessable("until", "the override would already have ended")
    if until - now > rt.settings.max_override:
        raise unprocessable("minutes" if body.minutes else "until",
                            f"longer than the maximum {rt.settings.max_override}")
    row = rt.store.add_override(body.unit, body.point, value, now, until, body.reason, actor)
    rt.store.audit(now, actor, "override.create", body.reason, unit=body.unit,
                   point=body.point, new=value)
    return row


def override_value(rt: Runtime, body: OverrideIn) -> bool | float | str:
    gate = SafetyGate(rt.config.venue)
    if body.point == "enable":
        if not isinstance(body.value, bool):
            raise unprocessable("value", "enable takes true or false")
        return body.value
    if body.point == "mode":
        states = rt.config.venue.units[body.unit].points.mode.states or {}
        if body.value not in states:
            raise unprocessable("value", f"mode must be one of {', '.join(states)}")
        return str(body.value)
    if isinstance(body.value, bool | str):
        raise unprocessable("value", f"{body.point} takes a number")
    lo, hi = gate.bounds(body.unit, body.point)
    v = float(body.value)
    if math.isnan(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
        raise unprocessable("value", f"{v:g} is outside {lo}–{hi} for {body.unit}.{body.point}")
    return v
