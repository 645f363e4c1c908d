"""How long planning takes: a whole year of days, and single instants.

    python3 bench/plan_year.py

Plans every day of a year with `plan_day` for two calendars — the single hall's
(examples/single-hall: a winter season, idle the rest of the year) and a generated busy year
(evening shows six days a week, weekend matinees, weekday tours, monthly get-ins), on the
single hall's zones and seasons — and times `plan_at` at random instants.
Prints a table; nothing is asserted.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._venues import SINGLE_HALL  # noqa: E402
from hvac_ctl.config import config_files, load_config, parse_config  # noqa: E402
from hvac_ctl.model import Config  # noqa: E402
from hvac_ctl.planner import (  # noqa: E402
    PlanCache,
    PlanInputs,
    local_midnight,
    plan_at,
    plan_day,
)

BUSY_YEAR = """
weekly:
  - name: Repertory
    from: 2027-01-01
    to: 2027-12-31
    performances:
      - {days: [tue, wed, thu, fri, sat, sun], title: Evening, doors_open: "19:00",
         curtain: "19:30", end: "22:30", expected_attendance: 2000, live_orchestra: true}
      - {days: [sat, sun], title: Matinee, doors_open: "13:30", curtain: "14:00",
         end: "16:45", expected_attendance: 1600, live_orchestra: true}
    tours:
      - {days: [tue, wed, thu, fri], start: "10:00", end: "11:30", route: [auditorium, stage]}
get_ins:
"""


def busy_config() -> Config:
    texts = {k: v for k, v in config_files(SINGLE_HALL).items()
             if not k.startswith("schedules/cal")}
    first_mondays = [next(date(2027, m, d) for d in range(1, 8) if date(2027, m, d).weekday() == 0)
                     for m in range(1, 13)]
    get_ins = "".join(
        f'  - {{date: {d.isoformat()}, start: "08:00", end: "13:00", kind: set_up}}\n'
        for d in first_mondays
    )
    texts["schedules/calendar/busy.yaml"] = BUSY_YEAR + get_ins
    return parse_config(texts)


def year(config: Config, first: date, days: int = 365, cached: bool = True
         ) -> tuple[int, float, int]:
    """Days planned, seconds taken, segments; fewer days than a year for a quick smoke run.

    Planned as the service and the evaluation plan: with one `PlanCache` for the
    configuration, made here so the time includes filling it (`cached=False`: a fresh cache
    for every day, as a preview without one)."""
    t0 = time.perf_counter()
    cache = PlanCache(config) if cached else None
    segments = 0
    for i in range(days):
        segments += len(plan_day(config, first + timedelta(days=i), cache=cache).segments)
    return days, time.perf_counter() - t0, segments


def instants(config: Config, first: date, n: int = 2000) -> list[float]:
    rng = random.Random(7)
    tz = config.venue.venue.tz
    start = local_midnight(first, tz)
    times = []
    for _ in range(n):
        at = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
        t0 = time.perf_counter()
        plan_at(config, at, PlanInputs())
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    rows = []
    for name, config, first in (
        ("shipped calendar", load_config(SINGLE_HALL), date(2026, 11, 1)),
        ("busy year (generated)", busy_config(), date(2027, 1, 1)),
    ):
        days, secs, segs = year(config, first)
        at = instants(config, first)
        rows.append((name, days, secs, secs / days * 1000, segs,
                     statistics.median(at) * 1000, statistics.quantiles(at, n=100)[98] * 1000))
    header = ("calendar", "days", "year s", "ms/day", "segments", "plan_at p50 ms",
              "plan_at p99 ms")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for r in rows:
        print(f"{r[0]} | {r[1]} | {r[2]:.2f} | {r[3]:.1f} | {r[4]} | {r[5]:.2f} | {r[6]:.2f}")


if __name__ == "__main__":
    main()
