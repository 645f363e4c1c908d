"""psychro: the dew point the public groups' dehumidify threshold is judged by."""

from __future__ import annotations

import pytest

from hvac_ctl.planner.psychro import dew_point_c


def test_dew_point_matches_the_tables() -> None:
    # 30 °C at 50 % → 18.4 °C; 20 °C at 100 % → 20 °C; 0 °C at 50 % → −9.2 °C (WMO tables)
    assert dew_point_c(30, 50) == pytest.approx(18.4, abs=0.1)
    assert dew_point_c(20, 100) == pytest.approx(20.0, abs=0.05)
    assert dew_point_c(0, 50) == pytest.approx(-9.2, abs=0.15)


def test_out_of_range_humidity_is_clamped() -> None:
    assert dew_point_c(20, 130) == pytest.approx(20.0, abs=0.05)  # saturated
    assert dew_point_c(20, 0) < -40  # a 0 % sensor: very dry, not a crash


def test_the_wet_bulb_matches_the_psychrometric_chart() -> None:
    from hvac_ctl.planner.psychro import wet_bulb_c

    # Stull's own check: 20 °C at 50 % → 13.7 °C; Beijing's summer design 33.5 °C with a
    # 26.4 °C wet-bulb is about 58 % RH
    assert wet_bulb_c(20, 50) == pytest.approx(13.7, abs=0.1)
    assert wet_bulb_c(33.5, 58) == pytest.approx(26.4, abs=0.5)
    assert wet_bulb_c(-5, 60) < -5 + 0.1
