"""From a zone's decision to every unit's points: one mode and one setpoint per zone.

Every unit of a zone gets the zone's one mode and setpoint (the strategy: "all units must be
coordinated so that they never fight each other"), its share of the outdoor air as the same
damper position, and the phase's fan cap; units the phase does not run are off. Everything is
clamped into the zone's limits and the unit's range, at a room controller's resolution: the
planner never asks for more than the safety gate would let through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from hvac_ctl.model.venue import UnitKind, Venue, Zone
from hvac_ctl.planner.inputs import Mode, PointValue
from hvac_ctl.planner.outputs import ZoneState
from hvac_ctl.planner.tempering import UnitMode

VENT: UnitMode = "vent"  # a unit's mode with the coil off: fans and dampers only
# what a unit may be driven in: a public group's `dehumidify` is cooling, then reheat
DriveMode = UnitMode | Literal["dehumidify"]
UnitValues = dict[str, dict[str, PointValue]]


@dataclass(frozen=True)
class Drive:
    """How a zone's units are driven, besides its state's mode and setpoint."""

    running: tuple[str, ...]
    fan_cap_pct: float
    allow_exhaust: bool = False  # an exhaust runs only in a get-in
    # "vent": the units that can run with the coil off; "dehumidify": those that can reheat
    unit_mode: DriveMode | None = None
    exhaust_fan_pct: float | None = None  # an exhaust's own speed (None: the fan cap)


@dataclass(frozen=True)
class Decision:
    """A zone's decision at an instant: its state (what is reported) and how its units run."""

    state: ZoneState
    drive: Drive


def supply_lps(venue: Venue, running: Sequence[str], fan_cap_pct: float) -> float:
    """What the running air-handling units supply, in L/s, at the fan cap."""
    return sum(
        venue.units[u].airflow_m3_per_s * 1000 * fan_cap_pct / 100
        for u in running
        if venue.units[u].kind == UnitKind.ahu
    )


def capped_lps(venue: Venue, running: Sequence[str], lps: float, fan_cap_pct: float) -> float:
    """Outdoor air cannot exceed what the running units supply."""
    return min(lps, supply_lps(venue, running, fan_cap_pct))


def clamp(z: Zone, setpoint: float) -> float:
    """Inside the zone's limits, at the 0.1 K resolution of a room controller."""
    return round(min(max(setpoint, z.limits.setpoint_min_c), z.limits.setpoint_max_c), 1)


def safe(venue: Venue, unit_name: str, point: str, value: PointValue) -> PointValue:
    """Clamp into the zone's limits and the unit's range: the planner never asks for more."""
    unit = venue.units[unit_name]
    p = getattr(unit.points, point, None)
    if p is None or isinstance(value, bool | str):
        return value
    v = float(value)
    if point == "setpoint":
        v = clamp(venue.zones[unit.zone], v)
    if p.min is not None:
        v = max(v, p.min)
    if p.max is not None:
        v = min(v, p.max)
    return round(v, 2)


def unit_points(venue: Venue, zone: str, state: ZoneState, drive: Drive) -> UnitValues:
    """Every unit of the zone gets the zone's one mode and setpoint: no unit fights another."""
    return points_of(venue, zone, state.mode, state.setpoint_c, state.oa_lps, drive)


def points_of(venue: Venue, zone: str, mode: Mode, setpoint_c: float, oa_lps: float,
              drive: Drive) -> UnitValues:
    """The units' points from the only parts of a zone's state they depend on: its mode,
    setpoint and outdoor air (a year of instants asks for a few hundred distinct answers, so
    the planner keeps them: `Context.unit_points`).

    `drive.unit_mode` "vent" runs the units that can with the coil off (fan and dampers),
    "dehumidify" those that have the state with cooling and reheat; the others keep the
    zone's mode."""
    wanted = drive.unit_mode or mode
    supply = supply_lps(venue, drive.running, drive.fan_cap_pct)
    oa_pct = 100.0 * oa_lps / supply if supply > 0 else 0.0
    out: UnitValues = {}
    for name in venue.units_of(zone):
        unit = venue.units[name]
        on = name in drive.running and (unit.kind != UnitKind.exhaust or drive.allow_exhaust)
        exhaust = unit.kind == UnitKind.exhaust and drive.exhaust_fan_pct is not None
        values: dict[str, PointValue] = {
            "enable": on,
            "setpoint": round(setpoint_c, 2),
            "oa_damper_min": round(oa_pct if on else 0.0, 1),
            "fan_speed_max": float(drive.exhaust_fan_pct if exhaust and (
                drive.exhaust_fan_pct is not None) else drive.fan_cap_pct),
            "mode": wanted if wanted in ("cool", "heat") or (
                unit.points.mode is not None and wanted in (unit.points.mode.states or {}))
            else mode,
        }
        out[name] = {
            p: safe(venue, name, p, v) for p, v in values.items() if p in unit.points.names()
        }
    return out
