"""What the API and the panel both show: a zone, an override, an alarm — built once.

Read from memory only (the last plan, the poller's latest samples, the open overrides), so a
page or an answer never waits on the store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hvac_ctl.control import quality
from hvac_ctl.control.alarms import Alarm
from hvac_ctl.model.venue import COMMAND_POINTS
from hvac_ctl.planner import plan_at
from hvac_ctl.service.runtime import Runtime
from hvac_ctl.store.models import AlarmRow, OverrideRow


def iso(t: datetime | None, rt: Runtime) -> str | None:
    """An instant as operators read it: ISO-8601 in the venue's local time, with its offset."""
    return None if t is None else t.astimezone(rt.config.venue.venue.tz).isoformat()


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
    overrides = [override_view(rt, o) for o in rt.open_overrides
                 if o.start <= now < o.until and o.unit in rt.config.venue.units
                 and rt.config.venue.units[o.unit].zone == zone]
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


def override_view(rt: Runtime, o: OverrideRow) -> dict[str, Any]:
    now = rt.clock.now()
    remaining = max(0.0, (o.until - now).total_seconds()) if o.ended_at is None else 0.0
    return {"id": o.id, "unit": o.unit, "point": o.point, "value": o.value,
            "start": iso(o.start, rt), "until": iso(o.until, rt), "reason": o.reason,
            "created_by": o.created_by, "ended_at": iso(o.ended_at, rt),
            "ended_by": o.ended_by, "active": o.ended_at is None and o.until > now,
            "remaining_s": round(remaining)}


def alarm_view(rt: Runtime, a: Alarm | AlarmRow) -> dict[str, Any]:
    return {"id": a.id, "kind": a.kind, "severity": a.severity, "source": a.source,
            "message": a.message, "raised_at": iso(a.raised_at, rt),
            "acked": a.acked_at is not None, "acked_at": iso(a.acked_at, rt),
            "acked_by": a.acked_by, "active": a.cleared_at is None,
            "cleared_at": iso(a.cleared_at, rt)}
