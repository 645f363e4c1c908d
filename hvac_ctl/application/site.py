"""The site at a glance: every hall (its phase now, its next change, its alarms), every
public-area group (its one mode, since when and why, the weather it answers) and the units'
health — what an operator of several halls reads first, before opening one hall.

Read from memory like the hall's views (the last plan, the drivers' health, the active alarms,
the poller's outdoor readings), so the page never waits on the store. A venue without `halls:`
is one hall, `main`, named as the venue is.

A hall's summary phase is the most advanced of its zones' (`HALL_PHASE_ORDER`): a hall whose
stage is in a get-in while its audience precools reads "precool". The groups are the venue's
own `groups:`, each with the plan's state of it when the plan has one; until then the state's
fields are null, so a group the configuration has is always listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from drivers.base import State
from hvac_ctl.application.errors import Invalid
from hvac_ctl.application.views import iso
from hvac_ctl.control.alarms import Alarm
from hvac_ctl.model.venue import Venue
from hvac_ctl.planner import plan_at, plan_day
from hvac_ctl.planner.outputs import GroupState, PlanState, Segment
from hvac_ctl.service.runtime import Runtime

# most advanced first: the phase a hall is summed up by
HALL_PHASE_ORDER = ("show", "precool", "get_in", "tour", "post_show", "idle")
LOOK_AHEAD = timedelta(hours=24)


def hall_phase(phases: Iterable[str]) -> str:
    """The most advanced of a hall's zones' phases (idle for a hall without zones; a phase
    outside the order — a public one — counts as idle)."""
    seen = set(phases)
    return next((p for p in HALL_PHASE_ORDER if p in seen), "idle")


def next_change(segments: Iterable[Segment], zones: Iterable[str], now: datetime,
                current: Mapping[str, str]) -> Segment | None:
    """The first segment after `now` (within `LOOK_AHEAD`) in which one of `zones` enters a
    phase other than the one it is in before it: a setpoint step inside a show is no change."""
    wanted = set(zones)
    last = {z: current.get(z) for z in wanted}
    for seg in sorted((s for s in segments if s.zone in wanted), key=lambda s: s.start):
        if seg.start <= now:
            continue
        if seg.start > now + LOOK_AHEAD:
            break
        if seg.phase != last[seg.zone]:
            return seg
        last[seg.zone] = seg.phase
    return None


def alarm_zone(venue: Venue, a: Alarm) -> str | None:
    """The zone an alarm is about: its source is a zone or a unit (None: the store, or a unit
    no longer configured)."""
    if a.source in venue.zones:
        return a.source
    unit = venue.units.get(a.source)
    return None if unit is None else unit.zone


def group_view(venue: Venue, gid: str, gs: GroupState | None, outdoor_c: float | None,
               outdoor_rh_pct: float | None, rt: Runtime) -> dict[str, Any]:
    """A public group: the plan's state of it (null fields when the plan has none), and the
    outdoor air it is switched by: the plan's reading where it has one, else the units'."""
    g = venue.groups[gid]
    return {
        "id": gid, "name": g.name, "zones": list(venue.zones_of_group(gid)),
        "phase": None if gs is None else gs.phase,
        "mode": None if gs is None else gs.mode,
        "weather_mode": None if gs is None else gs.weather_mode,
        "since": None if gs is None else iso(gs.since, rt),
        "why": None if gs is None else gs.why,
        "setpoint_c": None if gs is None else round(gs.setpoint_c, 2),
        "running": [] if gs is None else list(gs.running),
        "outdoor": {
            "temp_c": gs.outdoor_c if gs is not None and gs.outdoor_c is not None
            else outdoor_c,
            "rh_pct": outdoor_rh_pct,
            "dew_point_c": None if gs is None else gs.dew_point_c},
    }


def zones_of(venue: Venue, hall: str | None) -> list[str]:
    """The zones of a hall (`?hall=`; `public`: the public areas'), or every zone of the venue
    (no hall given, as before halls existed): an unknown hall is the query's error, naming the
    halls there are."""
    if hall is None:
        return list(venue.zones)
    try:
        return list(venue.zones_for(hall))
    except ValueError as e:
        raise Invalid("hall", str(e), where="query") from None


class Site:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def hall_name(self, hall: str) -> str:
        return self.rt.config.venue.hall(hall).name

    def _state(self, now: datetime) -> PlanState:
        rt = self.rt
        return rt.loop.last_state or plan_at(rt.config, now, rt.inputs(now), rt.loop.plans)

    def _segments(self, now: datetime) -> list[Segment]:
        """Today's and tomorrow's plan: the next 24 h from any hour of today."""
        rt = self.rt
        today = now.astimezone(rt.config.venue.venue.tz).date()
        inputs = rt.inputs(now)
        return [s for day in (today, today + timedelta(days=1))
                for s in plan_day(rt.config, day, inputs, rt.loop.plans).segments]

    def view(self) -> dict[str, Any]:
        rt = self.rt
        venue = rt.config.venue
        now = rt.clock.now()
        state = self._state(now)
        segments = self._segments(now)
        phases = {z: zs.phase for z, zs in state.zones.items()}
        alarms: dict[str, int] = {}
        for a in rt.keeper.active.values():
            zone = alarm_zone(venue, a)
            hall = None if zone is None else venue.hall_of(zone)
            if hall is not None:
                alarms[hall] = alarms.get(hall, 0) + 1
        halls = []
        for hid in venue.hall_ids:
            h = venue.hall(hid)
            zones = venue.zones_of_hall(hid)
            seg = next_change(segments, zones, now, phases)
            halls.append({
                "id": hid, "name": h.name, "type": h.type.value,
                "phase_now": {"phase": hall_phase(phases.get(z, "idle") for z in zones),
                              "zones": {z: phases.get(z) for z in zones}},
                "next": None if seg is None else {
                    "at": iso(seg.start, rt), "phase": seg.phase, "zone": seg.zone,
                    "event": seg.event_id},
                "alarms": alarms.get(hid, 0), "zones": list(zones)})
        max_age = rt.settings.measurement_max_age
        outdoor_c = rt.poller.outdoor_air(now, max_age)
        outdoor_rh = rt.poller.outdoor_air(now, max_age, "oa_rh")
        groups = [group_view(venue, gid, state.groups.get(gid), outdoor_c, outdoor_rh, rt)
                  for gid in venue.groups]
        health = [rt.loop.driver_of(u).health(u).state for u in venue.units]
        return {"halls": halls, "groups": groups, "units": {
            "total": len(health), "healthy": health.count(State.online),
            "stale": health.count(State.stale), "offline": health.count(State.offline)}}
