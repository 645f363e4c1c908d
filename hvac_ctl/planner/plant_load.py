"""The cooling the plan asks of the plant, estimated before it happens.

Each running AHU the plan puts in `cool` or `dehumidify` draws on the chilled water: its air,
mixed from the outdoor air its damper admits and the zone's air (at the setpoint), is cooled
to the coldest supply its local loop may give (`supply_limits_c`, dehumidify: 12 °C, the coil
temperature that wrings the water out), at the planned fan speed, and never more than its
coil's rating (`cooling_kw`). Sensible heat only, from the same air properties as the
economiser and tempering (`tempering.RHO_CP_KJ`). Once a unit runs and meters its coil
(`cooling_kwh`), its measured load, within `MEASURED_FOR` of the instant, is the better number
and takes the estimate's place; ahead of that, the estimate is scaled by the ratio of metered
to estimated loads learned so far (`control.load_learning`). To it the plant adds the base
load it serves besides the units (`plant.base_load_kw`, by local hour).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo

from hvac_ctl.model.plant import Plant
from hvac_ctl.model.venue import UnitKind, Venue
from hvac_ctl.planner.inputs import PointValue
from hvac_ctl.planner.tempering import RHO_CP_KJ

DEHUMIDIFY_COIL_C = 12.0  # a dehumidifying coil's leaving air: below the dew point wanted
MEASURED_FOR = timedelta(minutes=10)  # a coil's metered load stands for it this long


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
            pulls: Mapping[str, float] | None = None,
            measured: Mapping[str, tuple[datetime, float]] | None = None,
            ratio: float = 1.0) -> tuple[float, float]:
    """The units' planned coil loads and the base load at `at`, kW. `pulls`: zones whose
    coils are planned as a whole (a precool's pull, then its hold: `preparations`) — their
    units' own estimate is left out for it; `measured`: the coils' metered loads, each
    standing for a unit planned to cool within `MEASURED_FOR` of its reading; `ratio`: what
    the coils have metered against these estimates, learned, applied to the estimates."""
    fresh = {u: kw for u, (when, kw) in (measured or {}).items()
             if abs(at - when) <= MEASURED_FOR}
    planned = {u: unit_kw(venue, u, p, outdoor_c) for u, p in units.items()}
    # a zone whose coils meter as they cool: measured, not guessed, its pull estimate too
    metered = {venue.units[u].zone for u, kw in planned.items() if kw > 0 and u in fresh}
    pulls = {z: kw for z, kw in (pulls or {}).items() if z not in metered}
    coils = sum(fresh[u] if kw > 0 and u in fresh else kw * ratio
                for u, kw in planned.items() if venue.units[u].zone not in pulls)
    return coils + sum(pulls.values()), plant.base_load_kw[at.astimezone(tz).hour]
