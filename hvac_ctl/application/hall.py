"""The hall now and the day ahead: each zone as it is, and the plan of a day as engineers
preview it — the same planner the control loop runs, on what is known now."""

from __future__ import annotations

from datetime import date
from typing import Any

from hvac_ctl.application.errors import NotFound
from hvac_ctl.application.views import zone_view
from hvac_ctl.planner import DayPlan, plan_day
from hvac_ctl.service.runtime import Runtime


class Hall:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def zones(self) -> list[dict[str, Any]]:
        return [zone_view(self.rt, z) for z in self.rt.config.venue.zones]

    def zone(self, zone: str) -> dict[str, Any]:
        if zone not in self.rt.config.venue.zones:
            raise NotFound(f"unknown zone '{zone}'")
        return zone_view(self.rt, zone)

    def today(self) -> date:
        return self.rt.clock.now().astimezone(self.rt.config.venue.venue.tz).date()

    def plan(self, day: date | None = None) -> DayPlan:
        """The plan of a local day (today by default)."""
        rt = self.rt
        now = rt.clock.now()
        return plan_day(rt.config, day or self.today(), rt.inputs(now), rt.loop.plans)
