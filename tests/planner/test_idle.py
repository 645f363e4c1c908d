"""Idle: band protection with hysteresis, dehumidification."""

from __future__ import annotations

import pytest

from hvac_ctl.planner import PlanInputs, ZoneMeasurement, plan_at
from tests.harness import local, summer


@pytest.mark.parametrize(
    ("temp", "running", "expect_on", "mode"),
    [
        (27.5, False, True, "cool"),  # above the band: start
        (26.5, True, True, "cool"),  # back inside but not past the hysteresis: keep going
        (25.9, True, False, None),  # past the hysteresis: stop
        (26.5, False, False, None),  # inside the band and off: stay off
        (17.5, False, True, "heat"),  # below the band: heat, whatever the season
        (18.5, True, True, "heat"),
        (19.1, True, False, None),
    ],
)
def test_idle_band_protection_with_hysteresis(
    make_config, temp: float, running: bool, expect_on: bool, mode: str | None
) -> None:
    cfg = summer(make_config)
    at = local("2027-07-10 03:00")
    state = plan_at(cfg, at, PlanInputs(
        measurements={"auditorium": ZoneMeasurement(at, temp, 45.0, units_running=running)}))
    assert state.zones["auditorium"].phase == "idle"
    assert state.units["ahu-aud-1"]["enable"] is expect_on
    assert state.units["ahu-aud-2"]["enable"] is False
    if mode is not None:
        assert state.units["ahu-aud-1"]["mode"] == mode


def test_idle_dehumidifies_above_the_rh_band(make_config) -> None:
    cfg = summer(make_config)
    at = local("2027-07-10 03:00")
    state = plan_at(cfg, at, PlanInputs(
        measurements={"pit": ZoneMeasurement(at, 24.0, 68.0)}))
    assert state.units["ahu-pit"]["enable"] is True
    assert state.units["ahu-pit"]["mode"] == "cool"
    # back at the band's edge the unit stops, even though it was running: its own
    # dehumidification holds the edge and would never take the hall below it
    back = plan_at(cfg, at, PlanInputs(
        measurements={"pit": ZoneMeasurement(at, 24.0, 59.9, units_running=True)}))
    assert back.units["ahu-pit"]["enable"] is False
    # the deadband is above the edge: a stopped unit starts again only past 61 %, a running
    # one keeps going down to 60 %
    for rh, was_on, on in ((60.5, False, False), (61.5, False, True), (60.5, True, True)):
        s = plan_at(cfg, at, PlanInputs(
            measurements={"pit": ZoneMeasurement(at, 24.0, rh, units_running=was_on)}))
        assert s.units["ahu-pit"]["enable"] is on, (rh, was_on)



def test_idle_reason_names_the_band_not_the_setpoint(make_config) -> None:
    """An operator reading "target 19.0" at night thinks the hall is driven to 19 °C; idle
    holds a band, so the reason says where the hall is against it."""
    cfg = summer(make_config)
    at = local("2027-07-10 03:00")
    lo, hi = cfg.venue.zones["auditorium"].limits.idle_band_c
    inside = plan_at(cfg, at, PlanInputs(
        measurements={"auditorium": ZoneMeasurement(at, 22.6, 45.0)}))
    assert inside.zones["auditorium"].reason == (
        f"idle: 22.6 °C is inside {lo:g}–{hi:g} °C, units off")
    blind = plan_at(cfg, at, PlanInputs()).zones["auditorium"].reason
    assert f"{lo:g}–{hi:g} °C" in blind and "no measurement" in blind
