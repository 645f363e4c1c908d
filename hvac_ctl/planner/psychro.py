"""Dew point from dry-bulb and relative humidity, for the public groups' dehumidify threshold.

The simulator has its own psychrometrics (`simulator/psychro.py`), but the controller must not
import the simulator, and it needs only this one inverse. The same Magnus–Tetens constants as
the simulator's saturation pressure, so the two agree: within 0.1 % of the saturation pressure
for 0–50 °C, a few hundredths of a kelvin in the dew point.
"""

from __future__ import annotations

import math

_A, _B = 17.625, 243.04  # Magnus–Tetens over water (Alduchov & Eskridge 1996)


def dew_point_c(temp_c: float, rh_pct: float) -> float:
    """The dew point of air at `temp_c` and `rh_pct` (clamped to 0.1–100 %: a sensor reading
    0 % has no dew point, and one over 100 % is saturated air)."""
    rh = min(max(rh_pct, 0.1), 100.0) / 100.0
    gamma = math.log(rh) + _A * temp_c / (_B + temp_c)
    return _B * gamma / (_A - gamma)


def wet_bulb_c(temp_c: float, rh_pct: float) -> float:
    """The wet-bulb temperature at sea level (Stull 2011: within 0.3 K for 5–99 % RH and
    −20…50 °C), for the cooling towers' condenser water and their free cooling."""
    rh = min(max(rh_pct, 5.0), 99.0)
    return (temp_c * math.atan(0.151977 * math.sqrt(rh + 8.313659))
            + math.atan(temp_c + rh) - math.atan(rh - 1.676331)
            + 0.00391838 * math.pow(rh, 1.5) * math.atan(0.023101 * rh) - 4.686035)
