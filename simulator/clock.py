"""The simulator's clock: real time, or accelerated ×1 … ×3600.

The wall clock is read only through the injected `monotonic` function, so a test can drive it;
stepped runs do not use a clock at all (`Building.advance`). In the demo the service reads the
same clock, so plan and building agree on what time it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

MAX_SPEED = 3600.0


class SimClock:
    def __init__(self, start: datetime, speed: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware start")
        if not 1.0 <= speed <= MAX_SPEED:
            raise ValueError(f"speed must be between 1 and {MAX_SPEED:g}")
        self.start = start
        self.speed = speed
        self._monotonic = monotonic
        self._t0 = monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(self._monotonic() - self._t0) * self.speed)
