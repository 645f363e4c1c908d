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
