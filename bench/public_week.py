"""A spring week of the public areas: units that fight (the baseline) against one mode per
group (ours), on the simulated test site (bench/_site.py).

    python3 bench/public_week.py [--days 7] [--copies 1]

**The week**: 2027-04-12 → 04-19, Beijing. **The weather** (constructed, not measured): a
design-day sinusoid from 17 °C (03:00) to 27 °C (15:00) with a dew point of 9 °C, plus a
±2.5 K swing of period 2 h (`weather.Ripple`: clouds and breezes): the outdoor air crosses
24 °C — a public area's cooling threshold — several times each afternoon. The sun is the
clear-sky model's (`simulator.exposure`).

**Both runs**: the public units run from 08:30 to 18:00 (the public opens 09:00–17:30) with
20 % outdoor air; the halls' units stay off (the halls do not feel the weather).
- (a) **baseline**: independent thermostats (`Building(independent_thermostats=True)`): every
  unit of a group runs at 23 °C and picks heat or cool from its own sensor (±0.5 K);
- (b) **ours**: every `DECIDE_EVERY` (5 min) each group is decided by
  `decide(group, at, outdoor_c, outdoor_rh, held) -> (mode, setpoint_c, running_units)`
  and every running unit of the group is commanded that one mode and setpoint; the others
  are switched off. `held` is the planner's `HeldGroup` (the weather mode, since when, the
  units running). The decision used here is `ours_decision`, **a placeholder to be replaced
  by the planner's group sequence** (`hvac_ctl.planner`): pass another `decide` to `run`.

**Reported per group**: opposing-mode unit-hours (`simulator.public.Opposition`: per step,
min(units heating, units cooling) × the step — the fewest units that would have to change to
end the fight; "both" counts every unit taking part), unit mode changes per day, the zones'
temperature and RH percentiles (5/50/95, sampled every 5 min while open) and the group's
coil energy (cooling + heating + reheat, kWh).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._site import site_venue  # noqa: E402
from hvac_ctl.config import load_config  # noqa: E402
from hvac_ctl.planner.inputs import HeldGroup  # noqa: E402
from hvac_ctl.simulation import building_spec  # noqa: E402
from simulator.building import BuildingSpec  # noqa: E402
from simulator.engine import Building  # noqa: E402
from simulator.psychro import humidity_ratio, relative_humidity  # noqa: E402
from simulator.public import mode_changes, opposition  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402
from simulator.weather import DesignDay, Ripple, Weather  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2027, 4, 12)
RUN_FROM, RUN_TO = time(8, 30), time(18, 0)
DECIDE_EVERY = timedelta(minutes=5)
BASELINE_SETPOINT_C = 23.0
OA_DAMPER_PCT = 20.0
COOL_ABOVE_C = 24.0  # the placeholder's thresholds, hysteresis and dwell
HEAT_BELOW_C = 16.0
HYSTERESIS_K = 1.0
DWELL = timedelta(hours=2)
SETPOINTS = {"cool": 24.0, "heat": 21.0, "vent": 23.0, "dehumidify": 23.0}

Decision = Callable[[str, datetime, float, float, HeldGroup | None],
                    tuple[str, float, tuple[str, ...]]]

# the groups' AHUs, filled by `run` from the venue before it decides (the placeholder needs
# them; the planner's sequence knows them from its own configuration)
GROUP_UNITS: dict[str, tuple[str, ...]] = {}


def spring_weather() -> Weather:
    return Ripple(DesignDay(27.0, 10.0, humidity_ratio(9.0, 100.0), TZ), 2.5,
                  timedelta(hours=2))


def is_open(at: datetime) -> bool:
    return RUN_FROM <= at.astimezone(TZ).time() < RUN_TO


def ours_decision(group: str, at: datetime, outdoor_c: float, outdoor_rh: float,
                  held: HeldGroup | None) -> tuple[str, float, tuple[str, ...]]:
    """PLACEHOLDER, to be replaced by the planner's group sequence: one weather mode per
    group (cool above 24 °C, heat below 16 °C, else vent; leaving a mode takes 1 K past its
    threshold and at least 2 h in it), every unit of the group running while open."""
    mode = held.mode if held is not None else "vent"
    dwelt = held is None or held.since is None or at - held.since >= DWELL
    if dwelt:
        if mode != "cool" and outdoor_c > COOL_ABOVE_C + HYSTERESIS_K:
            mode = "cool"
        elif mode != "heat" and outdoor_c < HEAT_BELOW_C - HYSTERESIS_K:
            mode = "heat"
        elif (mode == "cool" and outdoor_c < COOL_ABOVE_C - HYSTERESIS_K) or (
                mode == "heat" and outdoor_c > HEAT_BELOW_C + HYSTERESIS_K):
            mode = "vent"
    running = GROUP_UNITS.get(group, ()) if is_open(at) else ()
    return mode, SETPOINTS[mode], running


@dataclass
class GroupResult:
    group: str
    units: int
    minority_unit_h: float
    both_unit_h: float
    changes_per_day: float
    temp: tuple[float, float, float]
    rh: tuple[float, float, float]
    coil_kwh: float


def _pcts(xs: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(xs, n=20, method="inclusive")
    return q[0], statistics.median(xs), q[-1]


def run(spec: BuildingSpec, days: int, decide: Decision | None,
        first: date = FIRST_DAY) -> list[GroupResult]:
    """The span from `first` for `days`: the baseline (decide None: independent thermostats)
    or `decide`'s groups."""
    weather = spring_weather()
    start = datetime.combine(first, time(0), tzinfo=TZ)
    b = Building(spec, Scenario(), weather, start, independent_thermostats=decide is None)
    assert b.site is not None, "the venue has no public zones"
    site = b.site
    groups = sorted(set(site.group_of.values()))
    GROUP_UNITS.clear()
    GROUP_UNITS.update({g: tuple(u for u in site.unit_names if site.group_of[u] == g)
                        for g in groups})
    zones_of = {g: sorted({spec.units[u].zone for u in GROUP_UNITS[g]}) for g in groups}
    held: dict[str, HeldGroup | None] = dict.fromkeys(groups)
    temps: dict[str, list[float]] = {g: [] for g in groups}
    rhs: dict[str, list[float]] = {g: [] for g in groups}
    for u in site.unit_names:
        b.write(u, "oa_damper_min", OA_DAMPER_PCT)
        b.write(u, "setpoint", BASELINE_SETPOINT_C)
    end = start + timedelta(days=days)
    while b.now < end:
        at, open_now = b.now, is_open(b.now)
        out = weather.at(at)
        if decide is None:
            for u in site.unit_names:
                if b.commands(u).enable != open_now:
                    b.write(u, "enable", open_now)
        else:
            rh_out = relative_humidity(out.temp_c, out.w)
            for g in groups:
                mode, setpoint, running = decide(g, at, out.temp_c, rh_out, held[g])
                before = held[g]
                since = at if before is None or before.mode != mode else before.since
                held[g] = HeldGroup(mode, since, tuple(running))
                for u in GROUP_UNITS[g]:
                    on = u in running
                    cmd = b.commands(u)
                    if on and (cmd.mode != mode or cmd.setpoint != setpoint):
                        b.write(u, "mode", mode)
                        b.write(u, "setpoint", setpoint)
                    if cmd.enable != on:
                        b.write(u, "enable", on)
        if open_now:
            for g in groups:
                for z in zones_of[g]:
                    temps[g].append(b.hall.temp(z))
                    rhs[g].append(relative_humidity(b.hall.temp(z), b.hall.w(z)))
        b.advance(DECIDE_EVERY)
    fights, changes = opposition(site), mode_changes(site)
    out_rows = []
    for g in groups:
        coil = sum(e.cooling_kwh + e.heating_kwh + e.reheat_kwh
                   for e in (b.energy(u) for u in GROUP_UNITS[g]))
        out_rows.append(GroupResult(g, len(GROUP_UNITS[g]), fights[g].minority_unit_hours,
                                    fights[g].both_unit_hours, changes[g] / days,
                                    _pcts(temps[g]), _pcts(rhs[g]), coil))
    return out_rows


def table(results: dict[str, list[GroupResult]]) -> str:
    lines = ["run | group | units | opposing unit-h (minority) | (both) | mode changes/day | "
             "T p5/p50/p95 °C | RH p5/p50/p95 % | coil kWh",
             "--- | --- | --- | --- | --- | --- | --- | --- | ---"]
    for name, rows in results.items():
        for r in rows:
            lines.append(
                f"{name} | {r.group} | {r.units} | {r.minority_unit_h:.1f} | {r.both_unit_h:.1f}"
                f" | {r.changes_per_day:.1f} | {r.temp[0]:.1f}/{r.temp[1]:.1f}/{r.temp[2]:.1f}"
                f" | {r.rh[0]:.0f}/{r.rh[1]:.0f}/{r.rh[2]:.0f} | {r.coil_kwh:,.0f}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--copies", type=int, default=1, help="public areas on the test site")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = site_venue(Path(tmp) / "venue", args.copies)
        spec = building_spec(load_config(site.folder))
    results = {"baseline (independent thermostats)": run(spec, args.days, None),
               "ours (PLACEHOLDER decision)": run(spec, args.days, ours_decision)}
    print(f"{FIRST_DAY} + {args.days} days, {len(site.public_units)} public units")
    print(table(results))


if __name__ == "__main__":
    main()
