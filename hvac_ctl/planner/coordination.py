"""The halls' precools chosen together against the plant: the search, pure.

Inputs: the precools that prepare for one evening (`Job`: a zone's own optimal start, the
earliest it may start, how long its pull takes at the learned rate, the coil power it pulls
with and the power that holds it at target afterwards), the rest of the plant's load over the
window (`background_kw`, on `grid`), the plant's electric power and centrifugals for a load at
an instant (`electric`), the tariff's price (`price`) and the cap. Output (`Outcome`): each
precool's start, the expected peak and by how much it stays over the cap.

A precool never starts later than its own optimal start: that is what keeps every curtain
(the pull lands on target by doors at the learned rate); it may start earlier, down to the
earliest, and then holds its target until doors. Among the starts, in this order:

1. the cap: the least excess of the electric demand over `cap_kw` (none, if any schedule
   keeps under it: the curtain wins only when none does);
2. the centrifugals: the fewest running at the window's busiest instant, so that none is
   started just for a precool the running ones could serve by starting earlier;
3. the tariff: the least cost of the window's electricity (a pull may move out of a peak band
   when the learned rate still lands it on target);
4. the latest starts: the least time held at a precool target.

The search is exhaustive while the candidates' combinations are few (`EXHAUSTIVE`: every
small case, and so what the brute-force property test checks); past that it improves one
precool at a time from every start at its latest until no move helps, which is where the
site's ten evening precools are (see the README's "The plant" for what that leaves).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

Key = tuple[str, str]  # (event id, zone)
EXHAUSTIVE = 4096  # combinations searched one by one; more: one precool at a time
PASSES = 8


@dataclass(frozen=True)
class Job:
    key: Key
    latest: datetime  # its own optimal start: never later
    earliest: datetime  # the longest lead allows no earlier
    pull: timedelta  # from start to target at the learned rate
    doors: datetime  # the precool ends: the show takes over
    pull_kw: float  # the coils' cooling while pulling
    hold_kw: float  # the coils' cooling holding the target, after the pull

    def kw_at(self, start: datetime, t: datetime) -> float:
        if t < start or t >= self.doors:
            return 0.0
        return self.pull_kw if t < start + self.pull else self.hold_kw

    def candidates(self, step: timedelta) -> list[datetime]:
        """Its latest start, then a step earlier each, down to the earliest."""
        out: list[datetime] = []
        s = self.latest
        while s >= self.earliest or not out:
            out.append(s)
            s -= step
        return out


@dataclass(frozen=True)
class Outcome:
    starts: Mapping[Key, datetime]
    peak_kw: float  # the expected electric demand at its highest
    peak_at: datetime
    over_kw: float  # past the cap at the peak (0: held)
    centrifugals: int  # running at the busiest instant
    cost: float  # the window's electricity, in the tariff's currency (0: no tariff)
    load_at_start: Mapping[Key, float]  # the plant's expected cooling load as each starts, kW


# load kW, at → (kW, centrifugals); asked many times over: a caller keeps its answers
Electric = Callable[[float, datetime], tuple[float, int]]


@dataclass(frozen=True)
class _Score:
    over: float
    centrifugals: int
    cost: float
    lateness: float

    def key(self) -> tuple[float, int, float, float]:
        return (round(self.over, 1), self.centrifugals, round(self.cost, 2), self.lateness)


def _profiles(job: Job, grid: Sequence[datetime], step: timedelta
              ) -> list[tuple[datetime, list[float]]]:
    return [(s, [job.kw_at(s, t) for t in grid]) for s in job.candidates(step)]


def _score(loads: Sequence[float], grid: Sequence[datetime], electric: Electric,
           prices: Sequence[float], cap_kw: float, hours: float,
           starts: Sequence[datetime]) -> _Score:
    over, most, cost = 0.0, 0, 0.0
    for load, t, p in zip(loads, grid, prices, strict=True):
        kw, big = electric(load, t)
        over = max(over, kw - cap_kw)
        most = max(most, big)
        cost += kw * hours * p
    return _Score(over, most, cost, -sum(s.timestamp() for s in starts))


def choose(jobs: Sequence[Job], grid: Sequence[datetime], background_kw: Sequence[float],
           electric: Electric, price: Callable[[datetime], float], cap_kw: float,
           step: timedelta, coordinate: bool = True) -> Outcome:
    """The starts (each job's latest when not `coordinate`), and what they lead to; `grid`
    (at least one instant, evenly spaced) covers every job's earliest start to its doors."""
    hours = (grid[1] - grid[0]).total_seconds() / 3600 if len(grid) > 1 else 0.0
    prices = [price(t) for t in grid]
    options = [_profiles(j, grid, step) if coordinate else _profiles(j, grid, step)[:1]
               for j in jobs]

    def loads_of(pick: Sequence[int]) -> list[float]:
        total = list(background_kw)
        for opts, i in zip(options, pick, strict=True):
            for n, kw in enumerate(opts[i][1]):
                total[n] += kw
        return total

    def score(pick: Iterable[int]) -> _Score:
        pick = list(pick)
        return _score(loads_of(pick), grid, electric, prices, cap_kw, hours,
                      [opts[i][0] for opts, i in zip(options, pick, strict=True)])

    best = [0] * len(jobs)
    if math.prod(len(o) for o in options) <= EXHAUSTIVE:
        best = list(min(itertools.product(*(range(len(o)) for o in options)),
                        key=lambda p: score(p).key()))
    else:
        current = score(best).key()
        for _ in range(PASSES):
            moved = False
            for j in sorted(range(len(jobs)), key=lambda j: -jobs[j].pull_kw):
                for i in range(len(options[j])):
                    trial = [*best[:j], i, *best[j + 1:]]
                    k = score(trial).key()
                    if k < current:
                        best, current, moved = trial, k, True
            if not moved:
                break
    loads = loads_of(best)
    kws = [electric(load, t) for load, t in zip(loads, grid, strict=True)]
    peak = max(range(len(grid)), key=lambda n: kws[n][0])
    s = score(best)
    starts = {j.key: options[n][best[n]][0] for n, j in enumerate(jobs)}
    at_start = {k: round(loads[min(range(len(grid)), key=lambda n: abs(grid[n] - t))], 1)
                for k, t in starts.items()}
    return Outcome(starts, round(kws[peak][0], 1), grid[peak], round(s.over, 1),
                   s.centrifugals, round(s.cost, 2), at_start)
