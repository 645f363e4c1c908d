"""The heat the plan asks of the district hot water: heating, and summer reheat.

The study's plant heats through plate heat exchangers on the district's hot water, and the
summer's dehumidification reheats the same way: never with electric heat, so a reheat is
heat bought from the district, not electric demand the cap must carry. A running AHU in
`heat` warms its mixed air up to its warmest supply (`supply_limits_c`), one in `dehumidify`
reheats its air from the dehumidifying coil (`plant_load.DEHUMIDIFY_COIL_C`) up to its
coldest supply — the air is never supplied colder than that — each at the planned fan speed
and never more than the coil's rating (`heating_kw`): as `plant_load` estimates the chilled
water, an upper estimate of what the exchangers must carry. Against their capacity
(`plant.heat_exchanger_kw`), what is missing is said.
"""

from __future__ import annotations

from collections.abc import Mapping

from hvac_ctl.model.plant import Plant
from hvac_ctl.model.venue import UnitKind, Venue
from hvac_ctl.planner.inputs import PointValue
from hvac_ctl.planner.plant_load import DEHUMIDIFY_COIL_C
from hvac_ctl.planner.tempering import RHO_CP_KJ


def unit_heat_kw(venue: Venue, unit: str, points: Mapping[str, PointValue],
                 outdoor_c: float | None) -> float:
    """One AHU's heating or reheat as planned, kW (0 when it neither heats nor reheats)."""
    u = venue.units[unit]
    mode = points.get("mode")
    if u.kind != UnitKind.ahu or not points.get("enable") or mode not in ("heat", "dehumidify"):
        return 0.0
    air = RHO_CP_KJ * u.airflow_m3_per_s * float(points.get("fan_speed_max", 100.0)) / 100
    if mode == "dehumidify":
        rise = u.supply_limits_c[0] - DEHUMIDIFY_COIL_C
    else:
        setpoint = float(points.get("setpoint", 20.0))
        oa = float(points.get("oa_damper_min", 0.0)) / 100
        mixed = oa * (outdoor_c if outdoor_c is not None else setpoint) + (1 - oa) * setpoint
        rise = u.supply_limits_c[1] - mixed
    return min(air * max(0.0, rise), u.heating_kw)


def heat_kw(venue: Venue, plant: Plant, units: Mapping[str, Mapping[str, PointValue]],
            outdoor_c: float | None) -> tuple[float, float]:
    """The district heat the plan asks for, and what the exchangers cannot give of it, kW."""
    total = sum(unit_heat_kw(venue, u, p, outdoor_c) for u, p in units.items())
    return total, max(0.0, total - plant.heat_exchanger_kw)
