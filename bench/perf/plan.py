"""Planning speed, against the control tick that must fit it (bench/plan_year.py's functions).

The control loop runs `plan_at` once per tick (60 s by default) and `plan_day` for today and
tomorrow every hour of the service's clock; the ratios say how much of a tick that takes.
"""

from __future__ import annotations

import statistics
from datetime import date

from bench._venues import SINGLE_HALL
from bench.perf.common import TICK_S, Figure, Output, Source, ms, percent, table
from bench.perf.compare import Compare
from bench.plan_year import busy_config, instants, year
from hvac_ctl.config import load_config

DAYS, QUICK_DAYS = 365, 30
INSTANTS, QUICK_INSTANTS = 2000, 200
GOAL_YEAR_S = 0.1  # issue 16: a year of the shipped calendar planned in at most 0.1 s
COMPARE = {"calendar": Compare(1, {"s per year": True, "ms per day": True,
                                   "plan_at p50 ms": True, "plan_at p99 ms": True})}


def run(quick: bool) -> Output:
    days = QUICK_DAYS if quick else DAYS
    n = QUICK_INSTANTS if quick else INSTANTS
    rows = []
    year_s: dict[str, float] = {}
    for name, config, first in (
        ("shipped calendar", load_config(SINGLE_HALL), date(2026, 11, 1)),
        ("busy year (generated)", busy_config(), date(2027, 1, 1)),
    ):
        planned, secs, segments = year(config, first, days)
        at = instants(config, first, n)
        p50, p99 = statistics.median(at), statistics.quantiles(at, n=100)[98]
        per_day = secs / planned
        year_s[name] = secs * 365 / planned
        rows.append((name, planned, f"{secs * 365 / planned:.2f}", ms(per_day, 1), segments,
                     ms(p50), ms(p99), percent(p50 / TICK_S), percent(p99 / TICK_S),
                     percent(2 * per_day / TICK_S)))
    header = ("calendar", "days planned", "s per year", "ms per day", "segments",
              "plan_at p50 ms", "plan_at p99 ms", "plan_at p50 / 60 s tick",
              "plan_at p99 / tick", "hourly replan (2 days) / tick")
    notes = [f"plan_at timed at {n} random instants of the year."]
    if days != 365:
        notes.append(f"--quick: {days} days planned; 's per year' is scaled by 365/{days}.")
    figure = Figure("planning a year of the shipped calendar"
                    + (f" ({days} days × 365/{days})" if days != 365 else ""),
                    year_s["shipped calendar"], "s",
                    Source("calendar", ("shipped calendar",), "s per year"), goal=GOAL_YEAR_S)
    return Output("## Planning: a year of days, and one instant against the 60 s control tick"
                  "\n\n" + table(header, rows) + "\n\n" + "\n".join(notes), [figure])
