"""What the planner decides: each zone's phase and each unit's desired point values.

Everything here is immutable, down to the mappings (read-only views) and sequences (tuples):
a plan handed to the control loop, the panel and the audit cannot be edited on the way.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from types import MappingProxyType
from typing import Any, Literal

from hvac_ctl.planner.inputs import PointValue

Phase = Literal["idle", "tour", "get_in", "precool", "show", "post_show", "open", "crowd"]
# A public-area group's one mode: `vent` is outdoor air with the coils off, `dehumidify`
# cooling with reheat, `off` no unit running (closed, and the band holds)
GroupMode = Literal["cool", "heat", "vent", "dehumidify", "off"]
OCCUPIED_PHASES: tuple[Phase, ...] = ("tour", "get_in", "show")  # people there, the band judged
UnitPoints = Mapping[str, Mapping[str, PointValue]]
EMPTY: Mapping[Any, Any] = MappingProxyType({})


def frozen_units(units: Mapping[str, Mapping[str, PointValue]]) -> UnitPoints:
    return MappingProxyType({u: MappingProxyType(dict(v)) for u, v in units.items()})


@dataclass(frozen=True)
class ZoneState:
    zone: str
    phase: Phase
    event_id: str | None
    season: str
    mode: Literal["cool", "heat"]
    setpoint_c: float
    people: float
    oa_lps: float
    reason: str  # why, in words: goes to the audit trail and the panel
    # the heating and cooling setpoints the mode is chosen against (None: the phase has none,
    # e.g. idle, which protects its band instead)
    band_c: tuple[float, float] | None = None
    # heat the units lack to temper the outdoor air their people need (ventilation wins)
    shortfall_kw: float = 0.0


@dataclass(frozen=True)
class GroupState:
    """A public-area group at an instant: every running unit takes its one mode and
    setpoint. `mode` is what the units do; `weather_mode` the mode the weather chose and
    the dwell holds (it stays while no unit runs), since `since`."""

    group: str
    phase: Phase  # idle | open | crowd: the busiest of its zones
    mode: GroupMode
    weather_mode: GroupMode
    since: datetime | None
    setpoint_c: float
    running: tuple[str, ...]
    why: str
    outdoor_c: float | None = None
    dew_point_c: float | None = None


@dataclass(frozen=True)
class Prepared:
    """One zone's precool as the preparations chose it: its own optimal start, the start
    chosen, the coil power it pulls with, and the plant's cooling load expected then."""

    event_id: str
    zone: str
    own_start: datetime
    start: datetime
    pull_kw: float
    load_at_start_kw: float


@dataclass(frozen=True)
class Outlook:
    """An evening's (or a matinée's) preparations against the plant (`preparations`):
    each precool's start, the electric demand expected at its peak against the cap, and why."""

    start: datetime  # the window: the earliest precool may start …
    end: datetime  # … to the last doors
    prepared: tuple[Prepared, ...]
    peak_kw: float
    peak_at: datetime
    cap_kw: float
    over_kw: float  # > 0: the cap cannot be held without missing a curtain; the curtain wins
    centrifugals: int  # running at the busiest instant
    cost: float  # the window's electricity at the tariff's prices
    coordinated: bool  # false: each precool at its own optimal start (`coordinate_precool`)
    why: str


@dataclass(frozen=True)
class PlantState:
    """The plant at an instant: the cooling the plan asks of it, the chillers staged for it,
    their electric power, and the tariff's band (`planner.plant`)."""

    coils_kw: float  # the running units' planned coil loads
    base_kw: float  # what it serves besides the units
    running: tuple[str, ...]
    free_cooling: bool
    capacity_kw: float
    short_kw: float  # uncovered: load and margin past the running capacity
    electric_kw: float
    band: str | None  # the tariff's band now (None: no tariff)
    why: str
    # each running chiller's share of the load and its electric power, kW
    shares: tuple[tuple[str, float, float], ...] = ()
    outlook: Outlook | None = None  # the preparations under way or next, over the planned days
    heat_kw: float = 0.0  # district hot water: the units' heating and summer reheat
    heat_short_kw: float = 0.0  # past the heat exchangers' capacity

    @property
    def load_kw(self) -> float:
        return self.coils_kw + self.base_kw


@dataclass(frozen=True)
class PlanState:
    """The desired state at one instant; `overridden` maps (unit, point) to the override in
    force, `planned` to the plan's value under it."""

    at: datetime
    zones: Mapping[str, ZoneState]
    units: UnitPoints
    overridden: Mapping[tuple[str, str], str] = field(default_factory=lambda: EMPTY)
    planned: Mapping[tuple[str, str], PointValue] = field(default_factory=lambda: EMPTY)
    groups: Mapping[str, GroupState] = field(default_factory=lambda: EMPTY)
    plant: PlantState | None = None  # a site with a plant, planned whole (not `only` zones)


@dataclass(frozen=True)
class Segment:
    """A stretch of time over which a zone's desired state does not change."""

    zone: str
    phase: Phase
    start: datetime
    end: datetime
    setpoint_c: float
    mode: str
    event_id: str | None
    units: UnitPoints
    reason: str
    # a site's: the zone's hall (`public` for a public zone) and a public zone's group; a
    # one-hall venue's segments carry neither, and print as they always did
    hall: str | None = None
    group: str | None = None

    @classmethod
    def of(cls, zone: str, phase: Phase, start: datetime, end: datetime, setpoint_c: float,
           mode: str, event_id: str | None, units: Mapping[str, Mapping[str, PointValue]],
           reason: str) -> Segment:
        return cls(zone, phase, start, end, setpoint_c, mode, event_id, frozen_units(units),
                   reason)

    def until(self, end: datetime) -> Segment:
        """The same stretch, longer."""
        return replace(self, end=end)

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "zone": self.zone,
            "phase": self.phase,
            "start": self.start.astimezone(tz).isoformat(),
            "end": self.end.astimezone(tz).isoformat(),
            "setpoint_c": round(self.setpoint_c, 2),
            "units": {u: dict(points) for u, points in self.units.items()},
            "mode": self.mode,
            "event": self.event_id,
            "reason": self.reason,
            **({"hall": self.hall} if self.hall is not None else {}),
            **({"group": self.group} if self.group is not None else {}),
        }


@dataclass(frozen=True)
class ShowTimes:
    """The computed times of one show, per zone: what engineers check in a preview."""

    event_id: str
    title: str
    doors_open: datetime
    curtain: datetime
    end: datetime
    expected_attendance: int
    precool_start: Mapping[str, datetime]
    precool_target_c: Mapping[str, float]
    oa_open: Mapping[str, datetime]
    hall: str | None = None  # the show's hall (None: not said)
    # a site with a plant: each precool's own optimal start where the plant's preparations
    # moved it earlier, and the plant's cooling load expected as it starts, kW
    own_start: Mapping[str, datetime] = field(default_factory=lambda: EMPTY)
    plant_load_kw: Mapping[str, float] = field(default_factory=lambda: EMPTY)

    @classmethod
    def of(cls, event_id: str, title: str, doors_open: datetime, curtain: datetime,
           end: datetime, expected_attendance: int, precool_start: Mapping[str, datetime],
           precool_target_c: Mapping[str, float], oa_open: Mapping[str, datetime],
           hall: str | None = None, own_start: Mapping[str, datetime] | None = None,
           plant_load_kw: Mapping[str, float] | None = None) -> ShowTimes:
        return cls(event_id, title, doors_open, curtain, end, expected_attendance,
                   MappingProxyType(dict(precool_start)),
                   MappingProxyType(dict(precool_target_c)), MappingProxyType(dict(oa_open)),
                   hall, MappingProxyType(dict(own_start or {})),
                   MappingProxyType(dict(plant_load_kw or {})))


@dataclass(frozen=True)
class DayPlan:
    day: date
    tz: tzinfo
    segments: tuple[Segment, ...]
    shows: tuple[ShowTimes, ...]
    preparations: tuple[Outlook, ...] = ()  # the plant's outlook for each evening of the day

    def for_zone(self, zone: str) -> list[Segment]:
        return [s for s in self.segments if s.zone == zone]

    def only(self, zones: Collection[str], hall: str | None) -> DayPlan:
        """The plan of some zones (a hall's), with the shows of `hall`."""
        return replace(self, segments=tuple(s for s in self.segments if s.zone in zones),
                       shows=tuple(s for s in self.shows if s.hall == hall))

    def to_json(self) -> list[dict[str, Any]]:
        return [s.to_json(self.tz) for s in self.segments]
