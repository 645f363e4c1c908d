"""One season per strategy, in this process, timed against the simulator alone over its days.

Each run is `python3 bench/evaluate --season S --strategy X`'s (bench/evaluate/closed_loop.py:
the service's control loop driving the simulated building in process, the normals weather,
the default ticks, the two-day warm-up, then the KPIs scored), one after the other in this
process. Its floor is the simulator alone over the same span of days (warm-up included), the
same building, audience and weather, every unit on (enabled, cooling in summer and heating
otherwise): what the run costs beyond stepping the building. A stretch with every unit off
is one exact step in the simulator, so a run that keeps units off for long can take less
than this floor. Goal (issue 16): at most 3 s a run of a whole season (none for --quick's
week).
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

from bench.evaluate import closed_loop
from bench.evaluate.kpis import score
from bench.evaluate.seasons import SEASONS, Season, evaluation_config, weather_of
from bench.evaluate.strategies import STRATEGIES
from bench.perf.common import Figure, Output, Source, ratio, table
from bench.perf.compare import Compare
from hvac_ctl.model import Config
from hvac_ctl.planner import local_midnight
from hvac_ctl.simulation import building_spec
from simulator.engine import Building

SEASON_NAMES = ("summer", "winter")
STRATEGY_NAMES = ("always-on", "fixed schedule", "ours")
QUICK_DAYS = 7
WARMUP_DAYS = 2  # closed_loop.run's default, passed explicitly so the floor spans the same
GOAL_S = 3.0
COMPARE = {"season": Compare(2, {"run s": True, "simulator alone s": True})}


def initial_c(config: Config, season: Season) -> float:
    """The starting temperature closed_loop.run takes: the season's idle setpoint."""
    s = config.seasons.seasons[config.seasons.name_for(season.first)]
    return s.zones[next(iter(config.venue.zones))].idle.setpoint_c


def simulator_alone(config: Config, season: Season) -> float:
    """Seconds to step the building alone over the run's days, every unit on."""
    tz = config.venue.venue.tz
    start = local_midnight(season.first - timedelta(days=WARMUP_DAYS), tz)
    end = local_midnight(season.last + timedelta(days=1), tz)
    scenario = closed_loop.Audience().scenario(
        config, season.first - timedelta(days=WARMUP_DAYS + 1), season.last + timedelta(days=1))
    t = time.perf_counter()
    building = Building(building_spec(config), scenario, weather_of("normals", config, season),
                        start.astimezone(tz), initial_c=initial_c(config, season),
                        ledger=False)  # as closed_loop.run builds it: no heat ledger
    mode = "cool" if season.name == "summer" else "heat"
    for unit, spec in building.spec.units.items():
        building.write(unit, "enable", True)
        if "mode" in spec.points:
            building.write(unit, "mode", mode)
            building.write(unit, "oa_damper_min", 20.0)
    now = start
    while now < end:
        step = min(timedelta(days=1), end - now)
        building.advance(step)
        now += step
    return time.perf_counter() - t


def one_run(config: Config, season: Season, strategy: str) -> tuple[float, int]:
    """Wall seconds of one closed-loop run, scoring included, and its control ticks."""
    t = time.perf_counter()
    result = closed_loop.run(config, STRATEGIES[strategy], season.first, season.last,
                 weather_of("normals", config, season), warmup_days=WARMUP_DAYS)
    score(config, result)
    return time.perf_counter() - t, result.ticks


def run(quick: bool) -> Output:
    config = evaluation_config()
    rows = []
    figures = []
    for name in SEASON_NAMES:
        season = SEASONS[name]
        if quick:
            season = replace(season, last=min(season.last,
                                              season.first + timedelta(days=QUICK_DAYS - 1)))
        days = (season.last - season.first).days + 1
        floor = simulator_alone(config, season)
        for strategy in STRATEGY_NAMES:
            secs, ticks = one_run(config, season, strategy)
            rows.append((name, strategy, f"{days} + {WARMUP_DAYS}", f"{ticks:,}", f"{secs:.2f}",
                         f"{floor:.2f}", ratio(secs, floor)))
            figures.append(Figure(f"{name} ({days} days), {strategy}: one run", secs, "s",
                                  Source("season", (name, strategy), "run s"), floor,
                                  "the simulator alone, units on, same days",
                                  None if quick else GOAL_S))
    header = ("season", "strategy", "days (+ warm-up)", "ticks", "run s", "simulator alone s",
              "run / simulator alone")
    notes = [f"{season_span(quick)}; runs one after the other in this process; 'run s' is "
             "wall clock for the whole run (configuration read before), warm-up and scoring "
             "included; the simulator alone is timed once per season, before its runs."]
    return Output("## Season: one strategy over one season in process, vs the simulator "
                  "alone\n\n" + table(header, rows) + "\n\n" + "\n".join(notes), figures)


def season_span(quick: bool) -> str:
    spans = ", ".join(f"{n} {SEASONS[n].first}…{SEASONS[n].last}" for n in SEASON_NAMES)
    return (f"--quick: the first {QUICK_DAYS} days of each season ({spans})" if quick
            else f"whole seasons: {spans}")

