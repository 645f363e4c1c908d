"""A chiller's capacity and electric power from its curves (`model.plant`: the EnergyPlus
`Chiller:Electric:EIR` model), at the chilled- and condenser-water temperatures of the hour.

Temperatures outside the range the curves were fitted over are held at its edges, as
EnergyPlus does: a curve extrapolated past its data bends anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from hvac_ctl.model.plant import Chiller, Towers


def biquadratic(c: Sequence[float], x: float, y: float) -> float:
    return c[0] + c[1] * x + c[2] * x * x + c[3] * y + c[4] * y * y + c[5] * x * y


def _within(v: float, lo_hi: tuple[float, float]) -> float:
    return min(max(v, lo_hi[0]), lo_hi[1])


def condenser_c(towers: Towers, wet_bulb_c: float) -> float:
    """The condenser water the towers give: the wet-bulb plus their approach, not below the
    chillers' lowest."""
    return max(wet_bulb_c + towers.approach_k, towers.cw_min_c)


def available_kw(ch: Chiller, t_chw: float, t_cw: float) -> float:
    """What the chiller can deliver at these temperatures."""
    cv = ch.curves
    return ch.capacity_kw * biquadratic(cv.cap_ft, _within(t_chw, cv.t_chw_c),
                                        _within(t_cw, cv.t_cw_c))


def power_kw(ch: Chiller, load_kw: float, t_chw: float, t_cw: float) -> float:
    """Electric power to deliver `load_kw` (at most its available capacity)."""
    if load_kw <= 0:
        return 0.0
    cv = ch.curves
    x, y = _within(t_chw, cv.t_chw_c), _within(t_cw, cv.t_cw_c)
    avail = available_kw(ch, t_chw, t_cw)
    plr = max(min(load_kw / avail, 1.0), ch.plr_min)
    a, b, c = cv.eir_fplr
    return avail / ch.cop * biquadratic(cv.eir_ft, x, y) * (a + b * plr + c * plr * plr)
