"""Planning speed, against the control tick that must fit it (bench/plan_year.py's functions).

The control loop runs `plan_at` once per tick (60 s by default) and `plan_day` for today and
tomorrow every hour of the service's clock; the ratios say how much of a tick that takes.
"""

from __future__ import annotations

import statistics
from datetime import date

from bench.perf.common import ROOT, TICK_S, ms, percent, table
from bench.plan_year import busy_config, instants, year
from hvac_ctl.config import load_config

DAYS, QUICK_DAYS = 365, 30
INSTANTS, QUICK_INSTANTS = 2000, 200


def run(quick: bool) -> str:
    days = QUICK_DAYS if quick else DAYS
    n = QUICK_INSTANTS if quick else INSTANTS
    rows = []
    for name, config, first in (
        ("shipped calendar", load_config(ROOT), date(2026, 11, 1)),
        ("busy year (generated)", busy_config(), date(2027, 1, 1)),
    ):
        planned, secs, segments = year(config, first, days)
        at = instants(config, first, n)
        p50, p99 = statistics.median(at), statistics.quantiles(at, n=100)[98]
        per_day = secs / planned
        rows.append((name, planned, f"{secs * 365 / planned:.2f}", ms(per_day, 1), segments,
                     ms(p50), ms(p99), percent(p50 / TICK_S), percent(p99 / TICK_S),
                     percent(2 * per_day / TICK_S)))
    header = ("calendar", "days planned", "s per year", "ms per day", "segments",
              "plan_at p50 ms", "plan_at p99 ms", "plan_at p50 / 60 s tick",
              "plan_at p99 / tick", "hourly replan (2 days) / tick")
    notes = [f"plan_at timed at {n} random instants of the year."]
    if days != 365:
        notes.append(f"--quick: {days} days planned; 's per year' is scaled by 365/{days}.")
    return ("## Planning: a year of days, and one instant against the 60 s control tick\n\n"
            + table(header, rows) + "\n\n" + "\n".join(notes))
