"""What the API and the panel both show: a zone, an override, an alarm — built once.

Read from memory only (the last plan, the poller's latest samples, the open overrides, the
active alarms), so a page or an answer never waits on the store.

A zone carries the band its temperature is judged by and whether what is measured is outside
it (`out`), by the out-of-band and CO2 alarms' own limits, so the hall colours a value as soon
as it is out, before the alarm's delay has run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hvac_ctl.control import quality
from hvac_ctl.control.alarms import Alarm
from hvac_ctl.control.alarms import zone_band as alarm_band
from hvac_ctl.model.venue import COMMAND_POINTS
from hvac_ctl.planner import plan_at
from hvac_ctl.planner.outputs import OCCUPIED_PHASES, ZoneState
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
            top = min(ps.slots) if ps.slots else None  # our highest slot
            commanding = ps.foreign if ps.foreign is not None else top
            # what this service commands now: its highest slot (the plan's as the gate
            # admitted it, ramped; or an override's); None when another writer commands
            ours = None if ps.foreign is not None or top is None else ps.slots[top].value
            points[point] = {"value": ps.confirmed, "desired": state.units[unit].get(point),
                             "commanded": ours, "commanding_priority": commanding}
        units[unit] = {"health": h.state.value, "last_error": h.last_error,
                       "latency_ms": h.latency_ms, "points": points}
    overrides = [override_view(rt, o) for o in rt.open_overrides
                 if o.start <= now < o.until and o.unit in rt.config.venue.units
                 and rt.config.venue.units[o.unit].zone == zone]
    m = rt.poller.zone_measurements(now, rt.settings.poll_every * 6).get(zone)
    band = zone_band(rt, zone, zs)
    co2_max = rt.config.venue.venue.occupancy.co2_limit_ppm if (
        zs.phase in OCCUPIED_PHASES or zs.people > 0) else None
    out = {"temp": m is not None and m.temp_c is not None and band is not None
           and not band[0] <= m.temp_c <= band[1],
           "co2": m is not None and m.co2_ppm is not None and co2_max is not None
           and m.co2_ppm > co2_max}
    return {
        "zone": zone, "phase": zs.phase, "event": zs.event_id, "season": zs.season,
        "mode": zs.mode, "target_c": zs.setpoint_c, "reason": zs.reason,
        "measured": None if m is None else {"temp_c": m.temp_c, "rh_pct": m.rh_pct,
                                            "co2_ppm": m.co2_ppm, "at": iso(m.at, rt)},
        "occupancy": {"people": zs.people,
                      "seats": rt.config.venue.zones[zone].occupants_max},
        "units": units, "overrides": overrides,
        "band_c": band, "co2_max_ppm": co2_max, "out": out,
    }


def zone_band(rt: Runtime, zone: str, zs: ZoneState) -> tuple[float, float] | None:
    """The band the out-of-band alarm judges a zone's temperature by (`control.alarms`)."""
    band = alarm_band(rt.config, rt.settings.alarms, zone, zs)
    return None if band is None else (round(band[0], 2), round(band[1], 2))


def alarm_summary(rt: Runtime) -> dict[str, Any]:
    """The active alarms as every panel page shows them: counts by severity, how many are not
    acknowledged and the newest of those (a browser announces one newer than it has), and the
    critical and major ones for the hall's banner. From memory: no store call."""
    active = sorted(rt.keeper.active.values(), key=lambda a: (a.raised_at, a.id), reverse=True)
    counts = {"critical": 0, "major": 0, "minor": 0}
    for a in active:
        counts[a.severity] = counts.get(a.severity, 0) + 1
    unacked = [a for a in active if a.acked_at is None]
    return {"counts": counts, "total": len(active), "unacked": len(unacked),
            "newest_unacked": max((a.id for a in unacked), default=0),
            "banner": [{"id": a.id, "severity": a.severity, "source": a.source,
                        "message": a.message, "acked": a.acked_at is not None}
                       for a in sorted(active, key=lambda a: a.severity != "critical")
                       if a.severity in ("critical", "major")][:5]}


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
