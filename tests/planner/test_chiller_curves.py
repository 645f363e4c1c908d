"""chiller_curves: the EnergyPlus EIR model on the shipped plant's published curves."""

from __future__ import annotations

import pytest

from hvac_ctl.config import load_config
from hvac_ctl.planner.chiller_curves import available_kw, condenser_c, power_kw
from tests.harness import ROOT

PLANT = load_config(ROOT).venue.plant
assert PLANT is not None
BIG, SMALL = PLANT.chillers["ch-1"], PLANT.chillers["ch-5"]


def test_at_the_curves_reference_conditions_the_chiller_is_its_rating() -> None:
    # York YK 2275 kW's reference: 6.67 °C leaving chilled water, 26.11 °C entering condenser
    assert available_kw(BIG, 6.67, 26.11) == pytest.approx(BIG.capacity_kw, rel=0.02)
    full = available_kw(BIG, 6.67, 26.11)
    assert full / power_kw(BIG, full, 6.67, 26.11) == pytest.approx(BIG.cop, rel=0.03)
    # Trane RTHB 1051 kW's: 6.67 / 29.44 °C
    assert available_kw(SMALL, 6.67, 29.44) == pytest.approx(SMALL.capacity_kw, rel=0.02)


def test_part_load_and_warm_condenser_water() -> None:
    full = available_kw(BIG, 7.0, 26.0)
    assert power_kw(BIG, full / 2, 7.0, 26.0) < power_kw(BIG, full, 7.0, 26.0)
    # below the minimum part load the machine cycles: no less power than at plr_min
    low = BIG.plr_min * full
    assert power_kw(BIG, low / 4, 7.0, 26.0) == pytest.approx(power_kw(BIG, low, 7.0, 26.0))
    # warmer condenser water: more power per kW of cooling
    assert power_kw(BIG, 2000, 7.0, 29.0) / 2000 > power_kw(BIG, 2000, 7.0, 18.0) / 2000
    assert power_kw(BIG, 0, 7.0, 26.0) == 0.0


def test_temperatures_past_the_fitted_range_are_held_at_its_edge() -> None:
    edge = available_kw(BIG, 7.0, BIG.curves.t_cw_c[1])
    assert available_kw(BIG, 7.0, 40.0) == edge
    assert condenser_c(PLANT.towers, 26.4) == pytest.approx(30.4)  # Beijing's design wet-bulb
    assert condenser_c(PLANT.towers, -10.0) == PLANT.towers.cw_min_c
