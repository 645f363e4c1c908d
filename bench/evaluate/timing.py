"""One strategy over one full season in this process, timed: the entry point `bench/perf`
calls to watch the evaluation's speed.

    from bench.evaluate.timing import season_seconds
    seconds, kpis = season_seconds("summer", "ours")

The run is `python3 bench/evaluate --season <name> --strategy <strategy>`'s: the normals
weather, the default ticks, the two-day warm-up; the seconds are wall clock for the whole
run, warm-up and scoring included, as `time.perf_counter` measures it.
"""

from __future__ import annotations

import time

from bench.evaluate.closed_loop import run
from bench.evaluate.kpis import Kpis, score
from bench.evaluate.seasons import SEASONS, evaluation_config, weather_of
from bench.evaluate.strategies import STRATEGIES


def season_seconds(season_name: str, strategy: str) -> tuple[float, Kpis]:
    """Run `strategy` ("always-on", "fixed schedule" or "ours") over the season
    `season_name` ("winter", "spring", "summer" or "autumn"); (wall seconds, its KPIs).
    The configuration is read before the clock starts."""
    config = evaluation_config()
    season = SEASONS[season_name]
    plan = STRATEGIES[strategy]
    started = time.perf_counter()
    result = run(config, plan, season.first, season.last, weather_of("normals", config, season))
    kpis = score(config, result)
    return time.perf_counter() - started, kpis
