"""How fast the simulated site runs in process: one site-day at 60 s steps.

    python3 bench/sim_site.py

The shipped site (the root's zones.yaml: four halls, six public zones, 42 units) on its
show day 2026-12-12 — four evening shows, matinees, tours — from its calendar; then the test
site of bench/_site.py (the one-hall venue plus `copies` public areas: a public hall with
glass, the Olive Hall, a lake corridor; 12 public AHUs each) on a spring day. Every unit on
(the halls' heating, the public units at 23 °C), under independent thermostats or one
commanded mode. The goal: a site-day in under 5 s. Prints a table; nothing is asserted.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._site import site_venue  # noqa: E402
from bench.public_week import TZ, spring_weather  # noqa: E402
from hvac_ctl.config import load_config  # noqa: E402
from hvac_ctl.simulation import building_spec, calendar_scenario  # noqa: E402
from simulator.building import BuildingSpec  # noqa: E402
from simulator.engine import Building  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402

DAY = datetime(2027, 4, 14, tzinfo=TZ)
SHOW_DAY = datetime(2026, 12, 12, tzinfo=TZ)  # the shipped site: four halls at 19:30
REPEATS = 5
NOTHING = Scenario()  # no show, no tour: the weather alone


def site_day(spec: BuildingSpec, independent: bool, scenario: Scenario = NOTHING,
             day: datetime = DAY) -> float:
    b = Building(spec, scenario, spring_weather(), day, independent_thermostats=independent)
    for unit, u in spec.units.items():
        b.write(unit, "enable", True)
        if "mode" in u.points:
            b.write(unit, "mode", "cool" if spec.zones[u.zone].kind == "public" else "heat")
            b.write(unit, "setpoint", 23.0)
            b.write(unit, "oa_damper_min", 20.0)
    t0 = time.perf_counter()
    for _ in range(24):
        b.advance(timedelta(hours=1))
    return time.perf_counter() - t0


def main() -> None:
    print("public areas | units | public units | zones | case | site-day s "
          f"(median of {REPEATS}) | steps/s")
    print("--- | --- | --- | --- | --- | --- | ---")
    shipped = load_config(ROOT)
    spec = building_spec(shipped)
    plot = calendar_scenario(shipped, SHOW_DAY.date(), SHOW_DAY.date())
    public = sum(1 for u in spec.units.values() if spec.zones[u.zone].kind == "public")
    for independent in (True, False):
        secs = statistics.median(site_day(spec, independent, plot, SHOW_DAY)
                                 for _ in range(REPEATS))
        case = "independent thermostats" if independent else "one commanded mode"
        print(f"the shipped site, {SHOW_DAY:%Y-%m-%d} | {len(spec.units)} | {public} | "
              f"{len(spec.zones)} | {case} | {secs:.3f} | {1440 / secs:,.0f}")
    for copies in (1, 4, 8):
        with tempfile.TemporaryDirectory() as tmp:
            site = site_venue(Path(tmp) / "venue", copies)
            spec = building_spec(load_config(site.folder))
        for independent in (True, False):
            secs = statistics.median(site_day(spec, independent) for _ in range(REPEATS))
            case = "independent thermostats" if independent else "one commanded mode"
            print(f"{copies} | {len(spec.units)} | {len(site.public_units)} | "
                  f"{len(spec.zones)} | {case} | {secs:.3f} | {1440 / secs:,.0f}")


if __name__ == "__main__":
    main()
