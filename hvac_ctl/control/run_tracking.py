"""What the planner remembers between ticks of what ran: the public groups and the chillers.

A group's weather mode keeps its minimum dwell only if the planner is told since when it has
had it; its staging keeps the units that ran only if it is told which did; a chiller keeps
its minimum run and off times only if the planner is told since when it runs or is off; lead
and lag need run hours. The tracker watches each tick's plan and hands that back as
`PlanInputs.groups`, `PlanInputs.chillers` and `PlanInputs.run_hours`:

- a group's weather mode, and a chiller's running or not, since when the plan has had it
  (the first one seen is taken as held since before anyone remembers: a restart does not
  hold back the first change);
- the units and chillers the plan ran, and each one's hours of running as planned, counted
  from tick to tick (a gap longer than `MAX_STEP` counts as that: a paused service is not a
  running unit).
Run hours live in memory: after a restart the rotation starts even again, which costs at
most one uneven day of wear.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from hvac_ctl.planner import PlanState
from hvac_ctl.planner.inputs import ChillerState, HeldGroup

MAX_STEP = timedelta(minutes=5)


class RunTracker:
    def __init__(self) -> None:
        self._groups: dict[str, HeldGroup] = {}
        self._chillers: dict[str, ChillerState] = {}
        self._hours: dict[str, float] = {}
        self._last: datetime | None = None
        self._plant_seen = False

    def _count(self, running: Iterable[str], step: timedelta) -> None:
        for name in running:
            self._hours[name] = self._hours.get(name, 0.0) + step.total_seconds() / 3600

    def observe(self, state: PlanState, now: datetime) -> None:
        step = min(now - self._last, MAX_STEP) if self._last is not None else timedelta(0)
        self._last = now
        for gid, gs in state.groups.items():
            held = self._groups.get(gid)
            if held is not None:
                self._count(held.running, step)
            since = None if held is None else now if held.mode != gs.weather_mode else held.since
            self._groups[gid] = HeldGroup(gs.weather_mode, since, gs.running)
        if state.plant is None:
            return
        for name, was in list(self._chillers.items()):
            if was.running:
                self._count((name,), step)
        first = not self._plant_seen  # what runs at the first sight ran before it
        self._plant_seen = True
        for name in {*self._chillers, *state.plant.running}:
            on = name in state.plant.running
            was = self._chillers.get(name, ChillerState(False, None))  # unseen: was off
            if first:
                self._chillers[name] = ChillerState(on, None)
            elif was.running != on:
                self._chillers[name] = ChillerState(on, now)

    def held(self) -> dict[str, HeldGroup]:
        return dict(self._groups)

    def chillers(self) -> dict[str, ChillerState]:
        return dict(self._chillers)

    def run_hours(self) -> dict[str, float]:
        return dict(self._hours)
