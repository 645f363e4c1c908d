"""A spring week of the public areas: units that fight (the baseline) against one mode per
group (ours), on the simulated test site (bench/_site.py).

    python3 bench/public_week.py [--days 7] [--copies 1]

**The week**: 2027-04-12 → 04-19, Beijing. **The weather** (constructed, not measured): a
design-day sinusoid from 17 °C (03:00) to 27 °C (15:00) with a dew point of 9 °C, plus a
±2.5 K swing of period 2 h (`weather.Ripple`: clouds and breezes): the outdoor air crosses
24 °C — a public area's cooling threshold — several times each afternoon. The sun is the
clear-sky model's (`simulator.exposure`).

**Both runs** share the venue: the public areas open 09:00–17:30 (`public_hours`), with
the halls' units off (the halls do not feel the weather).
- (a) **baseline**: independent thermostats (`Building(independent_thermostats=True)`): every
  unit of a group runs 08:30–18:00 at 23 °C with 20 % outdoor air and picks heat or cool
  from its own sensor (±0.5 K);
- (b) **ours**: the planner itself. Every `DECIDE_EVERY` (5 min) `plan_at` is asked, as the
  service asks it, with the outdoor air, the zones' measurements and the groups' held modes,
  staging and run hours (the service's own `RunTracker`); every public unit is commanded
  what the plan says (enable, mode, setpoint, outdoor-air damper, fan cap).

**Reported per group**: opposing-mode unit-hours (`simulator.public.Opposition`: per step,
min(units heating, units cooling) × the step — the fewest units that would have to change to
end the fight; "both" counts every unit taking part), unit mode changes per day, the group's
weather-mode changes per day (ours; at most one per `min_dwell_min` after the first), the zones'
temperature and RH percentiles (5/50/95, sampled every 5 min while open) and the group's
coil energy (cooling + heating + reheat, kWh).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._site import site_venue  # noqa: E402
from hvac_ctl.config import load_config  # noqa: E402
from hvac_ctl.control.run_tracking import RunTracker  # noqa: E402
from hvac_ctl.model import Config  # noqa: E402
from hvac_ctl.planner import PlanInputs, ZoneMeasurement, plan_at  # noqa: E402
from hvac_ctl.planner.inputs import PointValue  # noqa: E402
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
def spring_weather() -> Weather:
    return Ripple(DesignDay(27.0, 10.0, humidity_ratio(9.0, 100.0), TZ), 2.5,
                  timedelta(hours=2))


def is_open(at: datetime) -> bool:
    return RUN_FROM <= at.astimezone(TZ).time() < RUN_TO


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
    group_changes_per_day: float | None = None  # ours: the weather mode's changes
    most_group_changes: int | None = None  # on the busiest day


def _pcts(xs: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(xs, n=20, method="inclusive")
    return q[0], statistics.median(xs), q[-1]


def run(spec: BuildingSpec, days: int, config: Config | None,
        first: date = FIRST_DAY) -> list[GroupResult]:
    """The span from `first` for `days`: the baseline (`config` None: independent
    thermostats) or the planner of `config` deciding every public unit."""
    weather = spring_weather()
    start = datetime.combine(first, time(0), tzinfo=TZ)
    b = Building(spec, Scenario(), weather, start, independent_thermostats=config is None)
    assert b.site is not None, "the venue has no public zones"
    site = b.site
    groups = sorted(set(site.group_of.values()))
    units = {g: tuple(u for u in site.unit_names if site.group_of[u] == g) for g in groups}
    zones_of = {g: sorted({spec.units[u].zone for u in units[g]}) for g in groups}
    temps: dict[str, list[float]] = {g: [] for g in groups}
    rhs: dict[str, list[float]] = {g: [] for g in groups}
    tracker = RunTracker()
    changes: dict[str, dict[date, int]] = {g: {} for g in groups}
    last_mode: dict[str, str] = {}
    for u in site.unit_names:
        b.write(u, "oa_damper_min", OA_DAMPER_PCT)
        b.write(u, "setpoint", BASELINE_SETPOINT_C)
    end = start + timedelta(days=days)
    while b.now < end:
        at, open_now = b.now, is_open(b.now)
        if config is None:
            for u in site.unit_names:
                if b.commands(u).enable != open_now:
                    b.write(u, "enable", open_now)
        else:
            state = plan_at(config, at, _inputs(b, weather, at, zones_of, tracker))
            tracker.observe(state, at)
            for g in groups:
                mode = state.groups[g].weather_mode
                if g in last_mode and last_mode[g] != mode:
                    day = at.astimezone(TZ).date()
                    changes[g][day] = changes[g].get(day, 0) + 1
                last_mode[g] = mode
                for u in units[g]:
                    _command(b, u, state.units[u])
        if open_now:
            for g in groups:
                for z in zones_of[g]:
                    temps[g].append(b.hall.temp(z))
                    rhs[g].append(relative_humidity(b.hall.temp(z), b.hall.w(z)))
        b.advance(DECIDE_EVERY)
    fights, unit_changes = opposition(site), mode_changes(site)
    out_rows = []
    for g in groups:
        coil = sum(e.cooling_kwh + e.heating_kwh + e.reheat_kwh
                   for e in (b.energy(u) for u in units[g]))
        per_day = changes[g]
        out_rows.append(GroupResult(
            g, len(units[g]), fights[g].minority_unit_hours, fights[g].both_unit_hours,
            unit_changes[g] / days, _pcts(temps[g]), _pcts(rhs[g]), coil,
            None if config is None else sum(per_day.values()) / days,
            None if config is None else max(per_day.values(), default=0)))
    return out_rows


def _inputs(b: Building, weather: Weather, at: datetime, zones_of: dict[str, list[str]],
            tracker: RunTracker) -> PlanInputs:
    """What the service would know: the outdoor air at the intakes, each public zone's
    readings (running: a unit of it runs), the groups' held modes and run hours."""
    out = weather.at(at)
    measured = {}
    for zones in zones_of.values():
        for z in zones:
            temp = b.hall.temp(z)
            running = any(b.commands(u).enable for u, spec in b.spec.units.items()
                          if spec.zone == z)
            measured[z] = ZoneMeasurement(at, temp, relative_humidity(temp, b.hall.w(z)),
                                          b.hall.co2(z), running)
    return PlanInputs(outdoor_air_c=out.temp_c,
                      outdoor_rh_pct=relative_humidity(out.temp_c, out.w),
                      measurements=measured, groups=tracker.held(),
                      run_hours=tracker.run_hours())


def _command(b: Building, unit: str, points: Mapping[str, PointValue]) -> None:
    """The plan's points, written where the unit holds another value."""
    cmd = b.commands(unit)
    for point in ("mode", "setpoint", "oa_damper_min", "fan_speed_max", "enable"):
        value = points.get(point)
        if value is not None and getattr(cmd, point) != value:
            b.write(unit, point, value)


def table(results: dict[str, list[GroupResult]]) -> str:
    lines = ["run | group | units | opposing unit-h (minority) | (both) | unit mode changes/day"
             " | group mode changes/day (most) | T p5/p50/p95 °C | RH p5/p50/p95 % | coil kWh",
             "--- | --- | --- | --- | --- | --- | --- | --- | --- | ---"]
    for name, rows in results.items():
        for r in rows:
            group = ("—" if r.group_changes_per_day is None
                     else f"{r.group_changes_per_day:.1f} ({r.most_group_changes})")
            lines.append(
                f"{name} | {r.group} | {r.units} | {r.minority_unit_h:.1f} | {r.both_unit_h:.1f}"
                f" | {r.changes_per_day:.1f} | {group}"
                f" | {r.temp[0]:.1f}/{r.temp[1]:.1f}/{r.temp[2]:.1f}"
                f" | {r.rh[0]:.0f}/{r.rh[1]:.0f}/{r.rh[2]:.0f} | {r.coil_kwh:,.0f}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--copies", type=int, default=1, help="public areas on the test site")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = site_venue(Path(tmp) / "venue", args.copies)
        config = load_config(site.folder)
        spec = building_spec(config)
    results = {"baseline (independent thermostats)": run(spec, args.days, None),
               "ours (the planner: one mode per group)": run(spec, args.days, config)}
    print(f"{FIRST_DAY} + {args.days} days, {len(site.public_units)} public units")
    print(table(results))


if __name__ == "__main__":
    main()
