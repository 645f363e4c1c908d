"""The service's timetable: APScheduler (AsyncIOScheduler) runs the control tick, the poll,
override expiry, the watch on `schedules/`, the hourly re-plan, and a job at each phase boundary
of today's and tomorrow's plan (so a phase begins on its minute, not at the next tick).

The clock is injected: real time, or the simulator's accelerated clock in the demo — periods
shrink with its speed (never below what the wire allows), and a phase boundary is placed at the
wall time at which the service's clock will read it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from hvac_ctl.clock import Clock
from hvac_ctl.service.settings import ServiceSettings

log = logging.getLogger(__name__)
MIN_TICK_WALL_S = 0.5
MIN_POLL_WALL_S = 0.5


class Jobs:
    def __init__(self, settings: ServiceSettings, clock: Clock) -> None:
        self.settings, self.clock = settings, clock
        self.scheduler: AsyncIOScheduler | None = None
        self.ticks_late = 0
        self.tick_starts: deque[float] = deque(maxlen=10_000)  # monotonic, of timed ticks
        self._tick: Callable[[], Awaitable[Any]] | None = None

    @property
    def running(self) -> bool:
        return self.scheduler is not None and self.scheduler.running

    def start(self, tick: Callable[[], Awaitable[Any]], poll: Callable[[], Awaitable[Any]],
              expire: Callable[[], Awaitable[Any]], watch: Callable[[], Any],
              replan: Callable[[], Any]) -> None:
        speed = self.settings.speed
        self._tick = tick
        s = AsyncIOScheduler(timezone=UTC)
        tick_wall = max(MIN_TICK_WALL_S, self.settings.tick_every.total_seconds() / speed)
        poll_wall = max(MIN_POLL_WALL_S, self.settings.poll_every.total_seconds() / speed)
        s.add_job(self._timed_tick, IntervalTrigger(seconds=tick_wall), id="tick",
                  max_instances=1, coalesce=True)
        s.add_job(_quietly(poll), IntervalTrigger(seconds=poll_wall), id="poll",
                  max_instances=1, coalesce=True)
        s.add_job(_quietly(expire), IntervalTrigger(seconds=max(0.5, 10 / speed)),
                  id="expiry", max_instances=1, coalesce=True)
        s.add_job(watch, IntervalTrigger(seconds=self.settings.watch_every_s), id="watch",
                  max_instances=1)
        s.add_job(replan, IntervalTrigger(seconds=3600 / speed), id="replan", max_instances=1)
        s.start()
        self.scheduler = s

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None

    async def _timed_tick(self) -> None:
        """A tick that took longer than its period is late: counted (and in /metrics)."""
        assert self._tick is not None
        wall = time.monotonic()
        self.tick_starts.append(wall)
        try:
            await self._tick()
        except asyncio.CancelledError:  # shutting down
            return
        except Exception:  # never let a job die
            log.exception("tick failed")
        period = self.settings.tick_every.total_seconds() / self.settings.speed
        if time.monotonic() - wall > period:
            self.ticks_late += 1

    def wall_time(self, at: datetime) -> datetime:
        """When, on the wall clock, the service's clock reads `at`."""
        ahead = (at - self.clock.now()).total_seconds() / self.settings.speed
        return datetime.now(UTC) + timedelta(seconds=ahead)

    def at_boundaries(self, boundaries: Iterable[datetime],
                      tick: Callable[[], Awaitable[Any]]) -> None:
        """A tick at each instant of `boundaries` still to come (replacing the last set)."""
        if self.scheduler is None:
            return
        for job in self.scheduler.get_jobs():
            if job.id.startswith("phase:"):
                job.remove()
        now = self.clock.now()
        for at in sorted(b for b in set(boundaries) if b > now):
            self.scheduler.add_job(tick, DateTrigger(self.wall_time(at)),
                                   id=f"phase:{at.isoformat()}", misfire_grace_time=30)


def _quietly(job: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await job()
    return run
