"""How long the shipped site takes to plan: one site-day, and a year of them.

    python3 bench/plan_site.py

The site (the root's zones.yaml: four halls, four public groups, 42 units) on its busiest
day, 2026-12-12 (shows in four halls at 19:30, matinees, tours, the public hours), planned as
`hvac-ctl plan --date 2026-12-12` plans it (no cache: a preview), and as the service and the
evaluation plan days (one `PlanCache` for the run, days of one shape moved rather than
planned again). Prints a table; nothing is asserted (speed is measured here, not in tests).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hvac_ctl.config import load_config  # noqa: E402
from hvac_ctl.planner import PlanCache, PlanInputs, plan_day  # noqa: E402

DAY = date(2026, 12, 12)
REPEATS = 7


def main() -> None:
    config = load_config(ROOT)
    inputs = PlanInputs(outdoor_temp_c=-2.0)
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        plan = plan_day(config, DAY, inputs)
        times.append(time.perf_counter() - t0)
    cache = PlanCache(config)
    t0 = time.perf_counter()
    day, n = date(2026, 9, 7), 0
    while day <= date(2027, 8, 31):
        plan_day(config, day, inputs, cache)
        day += timedelta(days=1)
        n += 1
    year_s = time.perf_counter() - t0
    print("what | segments | zones | units | s")
    print("--- | --- | --- | --- | ---")
    print(f"one site-day ({DAY}), no cache: median of {REPEATS} | {len(plan.segments)} | "
          f"{len(config.venue.zones)} | {len(config.venue.units)} | "
          f"{statistics.median(times):.3f}")
    print(f"the site's season ({n} days), one cache | — | {len(config.venue.zones)} | "
          f"{len(config.venue.units)} | {year_s:.2f}")


if __name__ == "__main__":
    main()
