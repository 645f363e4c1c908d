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
