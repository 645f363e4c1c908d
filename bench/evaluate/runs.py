"""The runs of an evaluation: one strategy over one season each (`Job`), run on worker
processes, and the lines that say how long they took — the one-hall evaluation's and the
site's alike."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from bench.evaluate.seasons import Season


@dataclass(frozen=True)
class Job:
    """One strategy over one season: what a worker process runs."""

    season: Season
    strategy: str
    weather: str
    tick_s: float
    quiet_tick_s: float


class Ran(Protocol):
    job: Job
    seconds: float
    ticks: int


T = TypeVar("T", bound=Ran)


def run_all(work: Callable[[Job], T], jobs: Sequence[Job], workers: int) -> tuple[list[T], float]:
    """Every job, on `workers` processes (in this one if 1), and the wall clock they took."""
    started = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = list(pool.map(work, jobs))
    else:
        done = [work(j) for j in jobs]
    return done, time.perf_counter() - started


def timing_lines(done: Sequence[Any], seasons: Sequence[Season], workers: int, wall: float
                 ) -> list[str]:
    """Per season its runs, their seconds and ticks; then the wall clock of them all."""
    lines = []
    for s in seasons:
        runs = [d for d in done if d.job.season == s]
        lines.append(f"{s.name} {s.first}…{s.last}: {len(runs)} runs, "
                     f"{sum(d.seconds for d in runs):.1f} s of runs, "
                     f"{sum(d.ticks for d in runs):,} ticks")
    lines.append(f"wall clock, all runs on {workers} processes: {wall:.1f} s")
    return lines
