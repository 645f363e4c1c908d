"""What the planner remembers of the public groups between ticks: mode, staging, run hours.

A group's weather mode keeps its minimum dwell only if the planner is told since when it has
had it; its staging keeps the units that ran only if it is told which did; its lead/lag
rotation needs each unit's run hours. The tracker watches each tick's plan and hands that
back as `PlanInputs.groups` and `PlanInputs.run_hours`:

- a group's weather mode, since when the plan has had it (the first one seen is taken as held
  since before anyone remembers: a restart does not hold back the first change);
- the units the plan ran, and each unit's hours of running as planned, counted from tick to
  tick (a gap longer than `MAX_STEP` counts as that: a paused service is not a running unit).
Run hours live in memory: after a restart the rotation starts even again, which costs at
most one uneven day of wear.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hvac_ctl.planner import PlanState
from hvac_ctl.planner.inputs import HeldGroup

MAX_STEP = timedelta(minutes=5)


class GroupTracker:
    def __init__(self) -> None:
        self._groups: dict[str, HeldGroup] = {}
        self._hours: dict[str, float] = {}
        self._last: datetime | None = None

    def observe(self, state: PlanState, now: datetime) -> None:
        step = min(now - self._last, MAX_STEP) if self._last is not None else timedelta(0)
        self._last = now
        for gid, gs in state.groups.items():
            held = self._groups.get(gid)
            if step > timedelta(0) and held is not None:
                for u in held.running:
                    self._hours[u] = self._hours.get(u, 0.0) + step.total_seconds() / 3600
            if held is None:
                since = None
            elif held.mode != gs.weather_mode:
                since = now
            else:
                since = held.since
            self._groups[gid] = HeldGroup(gs.weather_mode, since, gs.running)

    def held(self) -> dict[str, HeldGroup]:
        return dict(self._groups)

    def run_hours(self) -> dict[str, float]:
        return dict(self._hours)
