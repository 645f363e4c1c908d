"""Outdoor air the units can temper: no air colder than a unit's supply low limit on people.

A unit mixes outdoor air (its `oa_damper_min` share) with the zone's air before its coil. In
`cool` or `vent` the coil can only cool or stay off, so outdoor air that mixes below the
unit's lowest allowed supply (`supply_limits_c[0]`: 18 °C under the seats, 13 °C unless a
unit says otherwise) would be blown as it is (94 % outdoor air at November temperatures
takes the hall down to 15 °C). Then the zone's units run in `heat`: the coil tempers the
mix to the low limit at least, and the unit's own loop heats further as the zone asks. So
they do, too, when the mix is colder than a zone already below its heating setpoint (a small
pit can fall 3 K in ten minutes on its ventilation air): a coil in `cool` could only make
that worse; and, the other way round, a zone in `heat` that warm outdoor air pushes above
its cooling setpoint (on a hot spring day a pit in a heating season can rise 6 K in ten
minutes) runs in `cool`. The mode changes at once, whatever the minimum dwell: air the coils
cannot temper is not a matter of comfort tuning.

The outdoor air itself is never cut for comfort. When the coils cannot temper all of it —
their heating capacity is less than what lifts the mix to the low limit, net of the fans'
heat — ventilation wins, and the shortfall in kW is part of the zone's state (the runtime
raises an alarm on it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from hvac_ctl.model.venue import UnitBase

UnitMode = Literal["cool", "heat", "vent"]
RHO_CP_KJ = 1.2 * 1.005  # kJ per m³·K of air
MIN_FAN_SPEED = 0.2  # a unit's fan never turns slower (its `fan_speed_max` floor)
COOLED_BELOW_K = 0.2  # a zone this far under its heating setpoint is not to be cooled further


@dataclass(frozen=True)
class Tempered:
    mode: UnitMode  # what the zone's units must run in
    mixed_c: float | None  # the mixed air before the coils (None: not known)
    shortfall_kw: float  # heat missing to lift the mix to the low limits
    why: str  # "" when nothing had to change


def fan_speed(fan_cap_pct: float) -> float:
    return max(MIN_FAN_SPEED, min(1.0, fan_cap_pct / 100))


def temper(mode: UnitMode, oa_lps: float, outdoor_c: float | None, zone_c: float,
           measured: bool, band_c: tuple[float, float], units: Sequence[UnitBase],
           fan_cap_pct: float) -> Tempered:
    """The mode the running `units` need so that their mixed air is tempered, and the heat
    they lack for it. `oa_lps` is the outdoor air they take; `zone_c` the zone's
    temperature, `measured` or assumed (its setpoint); `band_c` its heating and cooling
    setpoints."""
    speed = fan_speed(fan_cap_pct)
    supply_lps = sum(u.airflow_m3_per_s * 1000 * fan_cap_pct / 100 for u in units)
    if outdoor_c is None or not units or oa_lps <= 0 or supply_lps <= 0:
        return Tempered(mode, None, 0.0, "")
    f = min(1.0, oa_lps / supply_lps)
    mixed = f * outdoor_c + (1 - f) * zone_c
    heating_c, cooling_c = band_c
    if mode != "heat" and measured and zone_c < heating_c - COOLED_BELOW_K and mixed < zone_c:
        return Tempered("heat", mixed, 0.0,
                        f"outdoor air at {outdoor_c:.1f} °C ({100 * f:.0f} % of the supply) "
                        f"mixes to {mixed:.1f} °C and cools a zone already below its heating "
                        f"setpoint {heating_c:.1f} °C: heat, to temper it")
    if mode != "cool" and measured and zone_c > cooling_c + COOLED_BELOW_K and mixed > zone_c:
        return Tempered("cool", mixed, 0.0,
                        f"outdoor air at {outdoor_c:.1f} °C ({100 * f:.0f} % of the supply) "
                        f"mixes to {mixed:.1f} °C and warms a zone already above its cooling "
                        f"setpoint {cooling_c:.1f} °C: cool, to temper it")
    needed = capacity = 0.0
    lowest = max(u.supply_limits_c[0] for u in units)
    for u in units:
        lift = u.supply_limits_c[0] - mixed
        if lift > 0:
            needed += max(0.0, RHO_CP_KJ * u.airflow_m3_per_s * speed * lift
                          - u.fan_kw * speed ** 3)
        capacity += u.heating_kw
    if needed <= 0:
        return Tempered(mode, mixed, 0.0, "")
    why = (f"outdoor air at {outdoor_c:.1f} °C ({100 * f:.0f} % of the supply) mixes to "
           f"{mixed:.1f} °C, below the {lowest:g} °C supply low limit")
    why += ": the coils temper it" if mode == "heat" else ": heat, to temper it"
    shortfall = max(0.0, needed - capacity)
    if shortfall > 0:
        why += (f"; ventilation kept, heating short by {shortfall:.0f} kW "
                f"({needed:.0f} kW needed, {capacity:.0f} kW installed)")
    return Tempered("heat", mixed, round(shortfall, 1), why)
