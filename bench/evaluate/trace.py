"""A closed-loop run's trace (bench/evaluate/closed_loop.py): its rows, and what the run's
loop asks each minute to make them, bound once for the whole run."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from hvac_ctl.planner import PlanState
from simulator.engine import Building

ZONE_SERIES = ("temp", "target", "co2", "people", "running", "phase")


@dataclass
class Trace:
    """Rows at irregular instants: each minute while anyone may be in the building, each
    tick otherwise; `dt_h[i]` is how long row i holds."""

    times: list[datetime] = field(default_factory=list)
    dt_h: list[float] = field(default_factory=list)
    temp: dict[str, list[float]] = field(default_factory=dict)
    target: dict[str, list[float]] = field(default_factory=dict)
    co2: dict[str, list[float]] = field(default_factory=dict)
    people: dict[str, list[float]] = field(default_factory=dict)
    running: dict[str, list[int]] = field(default_factory=dict)
    phase: dict[str, list[str]] = field(default_factory=dict)

    def array(self, what: str, zone: str) -> np.ndarray:
        return np.asarray(getattr(self, what)[zone])

    def index_at(self, t: datetime) -> int:
        """The row in force at `t`."""
        return max(0, bisect_right(self.times, t) - 1)

    def window(self, a: datetime, b: datetime) -> Trace:
        """The rows in force from `a` to `b`: a small trace to ship to a plot."""
        i, j = self.index_at(a), self.index_at(b) + 1
        out = Trace(self.times[i:j], self.dt_h[i:j])
        for what in ZONE_SERIES:
            getattr(out, what).update({z: v[i:j] for z, v in getattr(self, what).items()})
        return out



class Spans:
    """Whether an instant lies inside one of sorted disjoint spans, the instants asked in
    increasing order (the run's minutes): the spans already over are passed once and for
    all, where a bisection per minute cost a search and a tuple."""

    def __init__(self, spans: list[tuple[datetime, datetime]]) -> None:
        self._ends = [b for _, b in spans]
        self._starts = [a for a, _ in spans]
        self._i = 0

    def holds(self, t: datetime) -> bool:
        """`t` inside a span, `t` never earlier than the last one asked."""
        i, ends = self._i, self._ends
        while i < len(ends) and ends[i] <= t:
            i += 1
        self._i = i
        return i < len(ends) and self._starts[i] <= t


class Rows:
    """The trace's rows, each zone's series appended from lists bound once: a row a minute
    through every show is 18 appends, and the lookups by name around each were as much
    again. A zone's target and phase are read from the plan in force (the same object from
    one tick to the next), the units running counted as `AhuState.running` has them."""

    def __init__(self, trace: Trace, zones: list[str], units_of: dict[str, list[str]],
                 building: Building) -> None:
        self._trace = trace
        self._building = building
        index = building.hall.index
        self._zones = zones
        self._cols = [(index[z]["t"], index[z]["c"], z, trace.temp[z], trace.co2[z],
                       trace.people[z], trace.running[z], trace.target[z], trace.phase[z],
                       [building.ahus[u] for u in units_of[z]]) for z in zones]

    def add(self, now: datetime, step: timedelta, state: PlanState) -> None:
        """The row at `now`, held for `step`, under the plan `state`."""
        trace, building = self._trace, self._building
        trace.times.append(now)
        trace.dt_h.append(step.total_seconds() / 3600)
        x = building.hall._x
        loads = building.loads
        zones = state.zones
        for t, c, z, temp, co2, people, running, target, phase, ahus in self._cols:
            zs = zones[z]
            temp.append(x[t])
            co2.append(x[c])
            people.append(loads[z].people)
            n = 0
            for a in ahus:
                n += a.running
            running.append(n)
            target.append(zs.setpoint_c)
            phase.append(zs.phase)
