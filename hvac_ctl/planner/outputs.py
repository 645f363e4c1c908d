"""What the planner decides: each zone's phase and each unit's desired point values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, Literal

from hvac_ctl.planner.inputs import PointValue

Phase = Literal["idle", "tour", "get_in", "precool", "show", "post_show"]
OCCUPIED_PHASES: tuple[Phase, ...] = ("tour", "get_in", "show")  # people there, the band judged
UnitPoints = dict[str, dict[str, PointValue]]


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
class PlanState:
    """The desired state at one instant."""

    at: datetime
    zones: dict[str, ZoneState]
    units: UnitPoints
    overridden: dict[tuple[str, str], str] = field(default_factory=dict)  # (unit, point) → id
    planned: dict[tuple[str, str], PointValue] = field(default_factory=dict)  # under overrides


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

    def to_json(self, tz: tzinfo) -> dict[str, Any]:
        return {
            "zone": self.zone,
            "phase": self.phase,
            "start": self.start.astimezone(tz).isoformat(),
            "end": self.end.astimezone(tz).isoformat(),
            "setpoint_c": round(self.setpoint_c, 2),
            "units": self.units,
            "mode": self.mode,
            "event": self.event_id,
            "reason": self.reason,
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
    precool_start: dict[str, datetime]
    precool_target_c: dict[str, float]
    oa_open: dict[str, datetime]


@dataclass(frozen=True)
class DayPlan:
    day: date
    tz: tzinfo
    segments: list[Segment]
    shows: list[ShowTimes]

    def for_zone(self, zone: str) -> list[Segment]:
        return [s for s in self.segments if s.zone == zone]

    def to_json(self) -> list[dict[str, Any]]:
        return [s.to_json(self.tz) for s in self.segments]
