"""What the planner knows besides the configuration: counts, overrides, weather, measurements.

All of it is plain immutable data handed in by the caller, so a plan is a pure function of its
arguments and a whole season can be replayed from stored inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

PointValue = bool | float | str
Mode = Literal["cool", "heat"]


@dataclass(frozen=True)
class OccupancyPush:
    """A seat count from the box office for one performance, as of `at`."""

    event_id: str
    count: int
    at: datetime


@dataclass(frozen=True)
class Override:
    """An operator's value for one unit point, in force from `start` until `until`."""

    id: str
    unit: str
    point: str
    value: PointValue
    start: datetime
    until: datetime
    reason: str = ""

    def active(self, at: datetime) -> bool:
        return self.start <= at < self.until


@dataclass(frozen=True)
class ZoneMeasurement:
    """The latest readings of a zone (averaged over its units by the caller)."""

    at: datetime
    temp_c: float | None = None
    rh_pct: float | None = None
    co2_ppm: float | None = None
    units_running: bool = False  # any unit of the zone reports its fan running


@dataclass(frozen=True)
class RecoverySample:
    """One day's measured pre-show cool-down (or warm-up) rate of a zone."""

    day: date
    mode: Mode
    rate_k_per_h: float


@dataclass(frozen=True)
class PlanInputs:
    occupancy: Sequence[OccupancyPush] = ()
    overrides: Sequence[Override] = ()
    outdoor_temp_c: float | None = None  # the day's, for a season's switch by weather
    outdoor_air_c: float | None = None  # measured now at the units' intakes: free cooling
    measurements: Mapping[str, ZoneMeasurement] = field(default_factory=dict)
    history: Mapping[str, Sequence[RecoverySample]] = field(default_factory=dict)
    # (event id, zone) → CO2 measured in the zone just before doors opened: once doors are
    # open the latest measurement no longer tells where the hall started from
    co2_at_doors: Mapping[tuple[str, str], float] = field(default_factory=dict)
