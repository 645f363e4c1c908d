"""public: a group's units run in one mode and one setpoint, staged by phase and load."""

from __future__ import annotations

from datetime import timedelta

from hvac_ctl.planner import PlanInputs, ZoneMeasurement, plan_at
from hvac_ctl.planner.inputs import HeldGroup
from tests.harness import local
from tests.site_venue import PUBLIC_UNITS, site_config

SITE = site_config()
OPEN = local("2027-04-13 11:00")  # opening hours: two units
CROWD = local("2027-04-13 18:30")  # an audience gathers: three


def running(state: object) -> list[str]:
    units = state.units  # type: ignore[attr-defined]
    return [u for u in PUBLIC_UNITS if units[u]["enable"]]


def test_every_running_unit_of_the_group_takes_one_mode_and_one_setpoint() -> None:
    for outdoor, rh, mode in ((30.0, 40.0, "cool"), (8.0, 50.0, "heat"),
                              (19.0, 50.0, "vent"), (27.0, 80.0, "dehumidify")):
        state = plan_at(SITE, CROWD, PlanInputs(outdoor_air_c=outdoor, outdoor_rh_pct=rh))
        on = running(state)
        assert len(on) == 3
        assert {state.units[u]["mode"] for u in on} == {mode}
        assert len({state.units[u]["setpoint"] for u in on}) == 1
        assert state.groups["foyer"].mode == mode


def test_the_setpoint_is_the_bands_edge_of_the_mode() -> None:
    cool = plan_at(SITE, OPEN, PlanInputs(outdoor_air_c=30.0))
    heat = plan_at(SITE, OPEN, PlanInputs(outdoor_air_c=5.0))
    assert cool.groups["foyer"].setpoint_c == 26.0  # the season's band 20–26 °C
    assert heat.groups["foyer"].setpoint_c == 20.0


def test_vent_opens_the_dampers_and_a_crowd_needs_its_outdoor_air() -> None:
    vent = plan_at(SITE, OPEN, PlanInputs(outdoor_air_c=19.0))
    assert all(vent.units[u]["oa_damper_min"] == 100.0 for u in running(vent))
    cool = plan_at(SITE, CROWD, PlanInputs(outdoor_air_c=30.0))
    assert all(0 < cool.units[u]["oa_damper_min"] < 100 for u in running(cool))


def test_closed_runs_nothing_unless_the_band_is_lost() -> None:
    night = local("2027-04-13 03:00")
    state = plan_at(SITE, night, PlanInputs(outdoor_air_c=30.0))
    assert running(state) == [] and state.groups["foyer"].mode == "off"
    assert state.groups["foyer"].weather_mode == "cool"  # held while nothing runs
    hot = {"lobby": ZoneMeasurement(night, 31.0, 50.0, 600)}  # above the idle band 16–30
    state = plan_at(SITE, night, PlanInputs(outdoor_air_c=30.0, measurements=hot))
    assert len(running(state)) == 1 and state.groups["foyer"].mode == "cool"
    assert "lobby at 31.0 °C is outside 16–30 °C" in state.groups["foyer"].why


def test_a_lost_band_stages_one_more_unit() -> None:
    warm = {"winter-garden": ZoneMeasurement(OPEN, 27.0, 50.0, 700)}
    state = plan_at(SITE, OPEN, PlanInputs(outdoor_air_c=30.0, measurements=warm))
    assert len(running(state)) == 3


def test_the_units_that_ran_keep_running_and_the_dwell_holds_the_mode() -> None:
    held = HeldGroup("vent", OPEN - timedelta(minutes=20), ("ahu-foyer-2", "ahu-foyer-4"))
    state = plan_at(SITE, OPEN, PlanInputs(outdoor_air_c=30.0, groups={"foyer": held},
                                           run_hours={"ahu-foyer-1": 0.0}))
    assert running(state) == ["ahu-foyer-2", "ahu-foyer-4"]
    assert state.groups["foyer"].mode == "vent"  # 30 °C asks for cool, but the dwell holds
