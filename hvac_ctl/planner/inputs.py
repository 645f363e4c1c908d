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
Side = Literal["cold", "warm"]


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
    pull_k: float | None = None  # how far that pull was (None: not recorded)


@dataclass(frozen=True)
class HeldMode:
    """A zone's mode as the plan last had it, and since when (None: longer than anyone
    remembers, e.g. since before a restart) — for the minimum dwell of mode changes — and in
    which phase (a new phase starts from its own need)."""

    mode: Mode
    since: datetime | None = None
    phase: str | None = None  # the phase it is held in (None: any)


@dataclass(frozen=True)
class HeldGroup:
    """A public-area group as the plan last had it: its weather mode since when (None:
    longer than anyone remembers), and which of its units ran (staging keeps them: a unit
    starts or stops only when the count changes)."""

    mode: str
    since: datetime | None = None
    running: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChillerState:
    """A chiller as the plant last had it: running or not, since when (None: longer than
    anyone remembers), for its minimum run and off times."""

    running: bool
    since: datetime | None = None


@dataclass(frozen=True)
class Deviation:
    """A zone further outside its heating–cooling band than the closed loop tolerates, on
    `side`, continuously since `since` (kept by the caller from tick to tick)."""

    side: Side
    since: datetime


@dataclass(frozen=True, kw_only=True)
class PlanInputs:
    """Everything the planner is told; by keyword only: a field added among the others
    would shift a positional call, which then hands one field's value to another."""

    occupancy: Sequence[OccupancyPush] = ()
    overrides: Sequence[Override] = ()
    outdoor_temp_c: float | None = None  # the day's, for a season's switch by weather
    outdoor_air_c: float | None = None  # measured now at the units' intakes: free cooling
    measurements: Mapping[str, ZoneMeasurement] = field(default_factory=dict)
    history: Mapping[str, Sequence[RecoverySample]] = field(default_factory=dict)
    # (event id, zone) → CO2 measured in the zone just before doors opened: once doors are
    # open the latest measurement no longer tells where the hall started from
    co2_at_doors: Mapping[tuple[str, str], float] = field(default_factory=dict)
    # zone → the mode its units were last planned in: changes respect a minimum dwell
    modes: Mapping[str, HeldMode] = field(default_factory=dict)
    # zone → how long it has been out of its band in a tour, get-in or show: the closed loop
    deviations: Mapping[str, Deviation] = field(default_factory=dict)
    outdoor_rh_pct: float | None = None  # measured now (the units' `oa_rh`): the dew point
    # public-area group → its mode and running units as last planned: dwell and staging
    groups: Mapping[str, HeldGroup] = field(default_factory=dict)
    run_hours: Mapping[str, float] = field(default_factory=dict)  # unit → hours run: lead/lag
    # chiller → running since when, as the plant last had it (its run hours: `run_hours`)
    chillers: Mapping[str, ChillerState] = field(default_factory=dict)
    # unit → (when, kW): its cooling coil's load as its meter measured it (`cooling_kwh`)
    coil_kw: Mapping[str, tuple[datetime, float]] = field(default_factory=dict)
    # the coils' metered loads over the plan's estimate, as learned (`control.load_learning`)
    plant_load_ratio: float = 1.0
