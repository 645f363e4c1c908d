"""The simulator's speed in process, against real time (bench/sim_day.py's cases).

The speed-up is what bounds an accelerated run (`hvac-ctl sim --speed`, the demo, the
season evaluation): simulated seconds per wall second with the simulator alone on a core.
"""

from __future__ import annotations

import statistics

from bench._venues import SINGLE_HALL
from bench.perf.common import table
from bench.perf.compare import Compare
from bench.sim_day import run as run_day
from hvac_ctl.config import load_config

CASES = ("units off", "units on", "units on, setpoint each hour")
REPEATS, QUICK_REPEATS = 5, 1
STEPS = 1440  # bench/sim_day.py advances a day at the simulator's 60 s step
COMPARE = {"case": Compare(1, {"steps/s": False, "simulated days/s": False})}


def run(quick: bool) -> str:
    repeats = QUICK_REPEATS if quick else REPEATS
    units = len(load_config(SINGLE_HALL).venue.units)
    rows = []
    for case in CASES:
        secs = statistics.median(run_day(case) for _ in range(repeats))
        rows.append((case, units, STEPS, f"{secs:.3f}", f"{STEPS / secs:,.0f}",
                     f"{1 / secs:.2f}", f"{86400 / secs:,.0f}"))
    header = ("case", "units", "steps", f"day s (median of {repeats})", "steps/s",
              "simulated days/s", "speed-up (simulated s / wall s)")
    return ("## Simulator: one show day in process at 60 s steps (Tosca day, default venue)\n\n"
            + table(header, rows))
