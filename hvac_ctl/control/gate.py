"""The one safety gate every command passes before it may reach a unit.

Zone limits and the unit's physical range, the maximum setpoint change per minute, and the
minimum on and off times of `enable`; a served chiller's `enable` and `chw_setpoint` the same
way (its point's range within the plant's 4–12 °C, at most
`plant.chw_setpoint_change_k_per_min`). It is a pure function of the desired value, what the
unit is commanded now and when that last changed: no code path writes around it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from drivers.base import Value
from hvac_ctl.model.plant import CHW_RANGE_C, Chiller
from hvac_ctl.model.venue import UnitBase, Venue


@dataclass(frozen=True)
class Admitted:
    value: Value | None  # None: nothing may be written (no safe value)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class GateSettings:
    min_on: timedelta = timedelta(minutes=10)
    min_off: timedelta = timedelta(minutes=5)
    first_step_minutes: float = 1.0  # with no history, allow one minute's worth of change


@dataclass
class SafetyGate:
    venue: Venue
    settings: GateSettings = field(default_factory=GateSettings)

    def bounds(self, unit: str, point: str) -> tuple[float | None, float | None]:
        """A point's range: its own, narrowed by the zone's setpoint limits (a unit's
        setpoint) or by what the plant model allows (a chiller's chilled-water setpoint)."""
        chiller = self._chiller(unit)
        if chiller is not None:
            spec = getattr(chiller.points, point)
            lo, hi = spec.min, spec.max
            if point == "chw_setpoint":
                lo = CHW_RANGE_C[0] if lo is None else max(lo, CHW_RANGE_C[0])
                hi = CHW_RANGE_C[1] if hi is None else min(hi, CHW_RANGE_C[1])
            return lo, hi
        u = self.venue.units[unit]
        spec = getattr(u.points, point)
        lo, hi = spec.min, spec.max
        if point == "setpoint":
            lim = self.venue.zones[u.zone].limits
            lo = lim.setpoint_min_c if lo is None else max(lo, lim.setpoint_min_c)
            hi = lim.setpoint_max_c if hi is None else min(hi, lim.setpoint_max_c)
        return lo, hi

    def _chiller(self, name: str) -> Chiller | None:
        """A served chiller (the plan drives it as it drives a unit), or None."""
        plant = self.venue.plant
        if plant is None or name in self.venue.units:
            return None
        return plant.served.get(name)

    def _rate(self, unit: str, point: str) -> float | None:
        """How fast the point may move, K/min (None: at once)."""
        if point == "setpoint" and unit in self.venue.units:
            zone = self.venue.zones[self.venue.units[unit].zone]
            return zone.limits.max_setpoint_change_k_per_min
        if point == "chw_setpoint" and self.venue.plant is not None:
            return self.venue.plant.chw_setpoint_change_k_per_min
        return None

    def admit(self, unit: str, point: str, desired: Value, now: datetime,
              current: Value | None, changed_at: datetime | None) -> Admitted:
        u: UnitBase | Chiller | None = self.venue.units.get(unit) or self._chiller(unit)
        spec = getattr(u.points, point, None) if u is not None else None
        if u is None or spec is None:
            return Admitted(None, (f"{unit}.{point} is not a point of the venue",))
        if point == "enable":
            return self._enable(bool(desired), now, current, changed_at)
        if point == "mode":
            allowed = set(spec.states or {"cool", "heat", "vent"})
            if desired not in allowed:
                return Admitted(None, (f"mode '{desired}' is not one of {sorted(allowed)}",))
            return Admitted(desired)
        if isinstance(desired, bool | str):
            return Admitted(None, (f"{point} needs a number, not {desired!r}",))
        value = float(desired)
        if math.isnan(value) or math.isinf(value):
            return Admitted(None, (f"{point}: {value} is not a number",))
        notes: list[str] = []
        lo, hi = self.bounds(unit, point)
        if lo is not None and value < lo:
            notes.append(f"raised to the limit {lo:g}")
            value = lo
        if hi is not None and value > hi:
            notes.append(f"lowered to the limit {hi:g}")
            value = hi
        rate = self._rate(unit, point)
        if rate is not None and isinstance(current, int | float) and not isinstance(
                current, bool):
            # a change stamped in the future means the clock went back (NTP, a restored
            # VM): its history says nothing, so allow what a unit with no history gets
            minutes = ((now - changed_at).total_seconds() / 60
                       if changed_at is not None and changed_at <= now
                       else self.settings.first_step_minutes)
            step = rate * max(minutes, 0.0)
            if abs(value - current) > step + 1e-9:
                target = value
                value = current + math.copysign(step, value - current)
                notes.append(f"rate-limited toward {target:g} ({rate:g} K/min)")
        # The rate counts from what the unit holds, which can itself be outside the bounds
        # (set by hand, or held under older limits): the hard limits win over the rate.
        value = round(value, 3)
        if lo is not None and value < lo:
            notes.append(f"brought inside the limit {lo:g} at once")
            value = lo
        if hi is not None and value > hi:
            notes.append(f"brought inside the limit {hi:g} at once")
            value = hi
        return Admitted(value, tuple(notes))

    def _enable(self, desired: bool, now: datetime, current: Value | None,
                changed_at: datetime | None) -> Admitted:
        if current is None or bool(current) == desired or changed_at is None or (
                changed_at > now):  # the clock went back: no minimum time to hold to
            return Admitted(desired)
        held = now - changed_at
        need = self.settings.min_on if current else self.settings.min_off
        if held < need:
            state = "on" if current else "off"
            return Admitted(bool(current),
                            (f"held {state}: minimum {state} time {need} not reached",))
        return Admitted(desired)
