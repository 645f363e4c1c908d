"""Time is injected: the planner never reads a clock; the service asks one of these.

`SystemClock` is the only place the wall clock is read; `ManualClock` is stepped by tests and
benchmarks; the simulator's accelerated `SimClock` fits the same protocol for the demo.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """Kept in UTC: stepping an aware local time adds wall-clock time, and across a
    daylight-saving change that is an hour off."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, dt: timedelta) -> datetime:
        self._now += dt
        return self._now

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware time")
        self._now = at.astimezone(UTC)
