"""The cooling the plan asks of the plant, estimated before it happens.

Each running AHU the plan puts in `cool` or `dehumidify` draws on the chilled water: its air,
mixed from the outdoor air its damper admits and the zone's air (at the setpoint), is cooled
to the coldest supply its local loop may give (`supply_limits_c`, dehumidify: 12 °C, the coil
temperature that wrings the water out), at the planned fan speed, and never more than its
coil's rating (`cooling_kw`). Sensible heat only, from the same air properties as the
economiser and tempering (`tempering.RHO_CP_KJ`); a measured coil load, once the units run
and meter it, is the better number (not read here yet). To it the plant adds the base load it
serves besides the units (`plant.base_load_kw`, by local hour).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo

from hvac_ctl.model.plant import Plant
from hvac_ctl.model.venue import UnitKind, Venue
from hvac_ctl.planner.inputs import PointValue
from hvac_ctl.planner.tempering import RHO_CP_KJ

DEHUMIDIFY_COIL_C = 12.0  # a dehumidifying coil's leaving air: below the dew point wanted


def unit_kw(venue: Venue, unit: str, points: Mapping[str, PointValue],
            outdoor_c: float | None) -> float:
    """One AHU's coil load as planned (0 when it does not run in a cooling mode)."""
    u = venue.units[unit]
    mode = points.get("mode")
    if u.kind != UnitKind.ahu or not points.get("enable") or mode not in ("cool", "dehumidify"):
        return 0.0
    setpoint = float(points.get("setpoint", 24.0))
    oa = float(points.get("oa_damper_min", 0.0)) / 100
    speed = float(points.get("fan_speed_max", 100.0)) / 100
    mixed = oa * (outdoor_c if outdoor_c is not None else setpoint) + (1 - oa) * setpoint
    leaving = DEHUMIDIFY_COIL_C if mode == "dehumidify" else u.supply_limits_c[0]
    kw = RHO_CP_KJ * u.airflow_m3_per_s * speed * max(0.0, mixed - leaving)
    return min(kw, u.cooling_kw)


def load_kw(venue: Venue, plant: Plant, units: Mapping[str, Mapping[str, PointValue]],
            outdoor_c: float | None, at: datetime, tz: tzinfo,
            pulls: Mapping[str, float] | None = None) -> tuple[float, float]:
    """The units' planned coil loads and the base load at `at`, kW. `pulls`: zones whose
    coils are planned as a whole (a precool's pull, then its hold: `preparations`) — their
    units' own estimate is left out for it."""
    pulls = pulls or {}
    coils = sum(unit_kw(venue, u, p, outdoor_c) for u, p in units.items()
                if venue.units[u].zone not in pulls)
    return coils + sum(pulls.values()), plant.base_load_kw[at.astimezone(tz).hour]
