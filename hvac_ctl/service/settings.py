"""What an operator of the service chooses: periods, the clock's speed, limits, drivers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from hvac_ctl.control import LoopSettings
from hvac_ctl.control.alarms import AlarmSettings
from hvac_ctl.devices import DriverSettings


@dataclass
class ServiceSettings:
    config_dir: Path = Path(".")
    tick_every: timedelta = timedelta(seconds=60)  # on the service's clock
    poll_every: timedelta = timedelta(seconds=10)
    speed: float = 1.0  # clock seconds per wall second (the demo's accelerated clock)
    max_override: timedelta = timedelta(hours=4)
    watch_every_s: float = 5.0  # wall seconds between looks at schedules/ on disk
    loop: LoopSettings = field(default_factory=LoopSettings)
    drivers: DriverSettings = field(default_factory=DriverSettings)
    alarms: AlarmSettings = field(default_factory=AlarmSettings)
    # the last good reading stands in for a bad one this long, then the zone is planned
    # without it (the planner's defaults for a zone it cannot measure)
    measurement_max_age: timedelta = timedelta(minutes=2)
    # rows the write-behind queue holds before it drops trend samples (see store.writer)
    write_queue_rows: int = 200_000
    # how long a request waits for the store before it answers 503 with Retry-After
    store_wait_s: float = 1.5
    # a push whose `at` lies further ahead of the service's clock is refused (422 naming `at`)
    push_future_skew_s: float = 600
    # one of several instances on a shared PostgreSQL store (`service.leadership`); None:
    # the only one, always writing
    instance: str | None = None
