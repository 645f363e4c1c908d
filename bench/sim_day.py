"""How fast the simulated building runs in process: one show day at 60 s steps.

    python3 bench/sim_day.py

Three cases on the single hall (examples/single-hall, 7 units): every unit off (free float),
every unit on with its local loop, and every unit on with the setpoint changed each hour (so
the exact integrator's cached propagators are rebuilt). Prints a table; nothing is asserted.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._venues import SINGLE_HALL  # noqa: E402
from hvac_ctl.config import load_config  # noqa: E402
from hvac_ctl.simulation import building_spec, calendar_scenario  # noqa: E402
from simulator.engine import Building  # noqa: E402
from simulator.weather import DesignDay  # noqa: E402

DAY = date(2026, 12, 5)  # Tosca, a tour and a morning get-in


def run(case: str) -> float:
    config = load_config(SINGLE_HALL)
    tz = config.venue.venue.tz
    spec = building_spec(config)
    b = Building(spec, calendar_scenario(config, DAY - timedelta(days=1), DAY + timedelta(days=1)),
                 DesignDay.winter(tz), datetime.combine(DAY, datetime.min.time(), tzinfo=tz))
    if case != "units off":
        for unit in spec.units:
            b.write(unit, "enable", True)
            if "mode" in spec.units[unit].points:
                b.write(unit, "mode", "heat")
                b.write(unit, "oa_damper_min", 20.0)
    t0 = time.perf_counter()
    for hour in range(24):
        if case == "units on, setpoint each hour":
            for unit in spec.units:
                if "setpoint" in spec.units[unit].points:
                    b.write(unit, "setpoint", 19.0 + hour % 4)
                    b.write(unit, "oa_damper_min", float(10 + hour % 3 * 10))
        b.advance(timedelta(hours=1))
    return time.perf_counter() - t0


def main() -> None:
    print("case | steps | day s (median of 5) | steps/s | simulated days/s")
    print("--- | --- | --- | --- | ---")
    for case in ("units off", "units on", "units on, setpoint each hour"):
        secs = statistics.median(run(case) for _ in range(5))
        print(f"{case} | 1440 | {secs:.3f} | {1440 / secs:,.0f} | {1 / secs:.1f}")


if __name__ == "__main__":
    main()
