"""The hall now and the day ahead: each zone as it is, and the plan of a day as engineers
preview it — the same planner the control loop runs, on what is known now.

A show's precool start is told as it is: the plan's time before it happened, the time it
happened once it has (the learner's record, or the control log's first write for it) — the
plan recomputes its start from what is measured now, and after doors that is no longer the
start that was."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal

from hvac_ctl.application.errors import NotFound, StoreBusy
from hvac_ctl.application.site import zones_of
from hvac_ctl.application.views import iso, zone_view
from hvac_ctl.planner import DayPlan, plan_day
from hvac_ctl.service.runtime import Runtime

Told = Literal["planned", "started", "missing"]


class Hall:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def zones(self, hall: str | None = None) -> list[dict[str, Any]]:
        """Every zone, or a hall's (`site.zones_of`: an unknown hall is refused)."""
        return [zone_view(self.rt, z) for z in zones_of(self.rt.config.venue, hall)]

    def zone(self, zone: str) -> dict[str, Any]:
        if zone not in self.rt.config.venue.zones:
            raise NotFound(f"unknown zone '{zone}'")
        return zone_view(self.rt, zone)

    async def why(self, unit: str) -> dict[str, Any]:
        """Why a unit holds what it holds: its zone's phase and the plan's reason, the values
        the plan wants of it, the overrides on it, and its last write with its why (the
        control log, read when an operator asks)."""
        rt = self.rt
        if unit not in rt.config.venue.units:
            raise NotFound(f"unknown unit '{unit}'")
        z = zone_view(rt, rt.config.venue.units[unit].zone)
        rows = await rt.db(rt.store.audit_entries, None, unit, "write", None, None, 1)
        last = None if not rows else {
            "at": iso(rows[0].at, rt), "point": rows[0].point, "old": rows[0].old,
            "new": rows[0].new, "priority": rows[0].priority, "why": rows[0].why,
            "ok": rows[0].ok, "error": rows[0].error}
        return {"unit": unit, "zone": z["zone"], "phase": z["phase"], "reason": z["reason"],
                "desired": {p: v.get("desired") for p, v in z["units"][unit]["points"].items()
                            if "desired" in v},
                "overrides": [o for o in z["overrides"] if o["unit"] == unit],
                "last_write": last}

    def today(self) -> date:
        return self.rt.clock.now().astimezone(self.rt.config.venue.venue.tz).date()

    def plan(self, day: date | None = None, hall: str | None = None) -> DayPlan:
        """The plan of a local day (today by default); with `hall`, its zones' segments and
        its shows only."""
        rt = self.rt
        now = rt.clock.now()
        whole = plan_day(rt.config, day or self.today(), rt.inputs(now), rt.loop.plans)
        if hall is None:
            return whole
        return whole.only(set(zones_of(rt.config.venue, hall)), hall)

    async def precool_starts(self, plan: DayPlan) -> dict[str, dict[str, tuple[Told, datetime]]]:
        """Per show and zone: ("started", when) once a start is on record; ("planned", when)
        while the plan's start is still to come; ("missing", the plan's time) when that time
        has passed and no start is on record — never a start that did not happen."""
        rt = self.rt
        now = rt.clock.now()
        began = dict(rt.learner.began)
        due = [s.precool_start[z] for s in plan.shows for z in s.precool_start]
        if due and min(due) <= now:  # after a restart only the control log remembers
            for (event, zone), at in (await self._logged(plan, now)).items():
                began[(event, zone)] = min(at, began.get((event, zone), at))
        out: dict[str, dict[str, tuple[Told, datetime]]] = {}
        for s in plan.shows:
            for zone, planned in s.precool_start.items():
                at = began.get((s.event_id, zone))
                told: tuple[Told, datetime] = ("started", at) if at is not None and at <= now \
                    else ("planned", planned) if now < planned else ("missing", planned)
                out.setdefault(s.event_id, {})[zone] = told
        return out

    async def _logged(self, plan: DayPlan, now: datetime) -> dict[tuple[str, str], datetime]:
        """The first write the control loop made for each show's precool, per zone (its why
        is the precool's reason, `precool for <event>: …`)."""
        rt = self.rt
        venue = rt.config.venue
        lead = timedelta(minutes=venue.venue.precool.max_lead_min + 60)
        start = min(s.doors_open for s in plan.shows) - lead
        end = min(now, max(s.doors_open for s in plan.shows)) + timedelta(seconds=1)
        try:
            rows = await rt.db(rt.store.audit_entries, None, None, "write", start, end, 20_000)
        except StoreBusy:  # the page still tells what this process saw, and claims no more
            return {}
        first: dict[tuple[str, str], datetime] = {}
        for s in plan.shows:
            mark = f"precool for {s.event_id}:"
            for r in rows:
                if r.ok and r.unit in venue.units and (r.why or "").startswith(mark):
                    key = (s.event_id, venue.units[r.unit].zone)
                    first[key] = min(r.at, first.get(key, r.at))
        return first
