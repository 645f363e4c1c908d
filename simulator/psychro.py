"""Just enough psychrometrics: humidity ratio ↔ relative humidity at sea-level pressure."""

from __future__ import annotations

import math

P_ATM = 101_325.0  # Pa
H_FG = 2.45e6  # J/kg, latent heat of vaporisation near room temperature


def p_sat(temp_c: float) -> float:
    """Saturation vapour pressure over water, Pa (Magnus–Tetens, within 0.1 % for 0–50 °C)."""
    return 610.94 * math.exp(17.625 * temp_c / (temp_c + 243.04))


def humidity_ratio(temp_c: float, rh_pct: float) -> float:
    pv = max(0.0, min(rh_pct, 100.0)) / 100.0 * p_sat(temp_c)
    return 0.62198 * pv / (P_ATM - pv)


def relative_humidity(temp_c: float, w: float) -> float:
    pv = w * P_ATM / (0.62198 + w)
    return 100.0 * pv / p_sat(temp_c)


def saturation_ratio(temp_c: float) -> float:
    return humidity_ratio(temp_c, 100.0)


def from_wet_bulb(dry_c: float, wet_c: float) -> float:
    """Humidity ratio from dry and wet bulb (ASHRAE Fundamentals ch. 1, eq. 33)."""
    ws = saturation_ratio(wet_c)
    return ((2501 - 2.326 * wet_c) * ws - 1.006 * (dry_c - wet_c)) / (
        2501 + 1.86 * dry_c - 4.186 * wet_c)
