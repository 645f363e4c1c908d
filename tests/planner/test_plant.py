"""plant: the plan's load staged on the chillers, their power by the curves, the tariff's
band — on the shipped site."""

from __future__ import annotations

from datetime import timedelta

from hvac_ctl.config import load_config
from hvac_ctl.planner import PlanInputs, plan_at
from hvac_ctl.planner.inputs import ChillerState
from tests.harness import ROOT, SINGLE_HALL, local

SITE = load_config(ROOT)
EVENING = local("2027-07-03 19:00")  # shows in four halls at 19:30


def test_a_summer_evening_stages_centrifugals_for_the_halls() -> None:
    plant = plan_at(SITE, EVENING, PlanInputs(outdoor_air_c=33.0, outdoor_rh_pct=55.0)).plant
    assert plant is not None
    assert plant.coils_kw > 1000 and plant.load_kw == plant.coils_kw + plant.base_kw
    assert any(n != "ch-5" for n in plant.running) and plant.short_kw == 0
    assert 0 < plant.electric_kw < plant.load_kw / 3  # a COP well above 3
    assert plant.band == "peak"


def test_a_summer_night_runs_the_screw_alone_and_winter_free_cools() -> None:
    night = plan_at(SITE, local("2027-07-03 04:00"), PlanInputs(outdoor_air_c=24.0,
                                                                outdoor_rh_pct=70.0)).plant
    assert night is not None and night.running == ("ch-5",) and night.band == "valley"
    winter = plan_at(SITE, local("2027-01-15 19:00"), PlanInputs(outdoor_air_c=-3.0,
                                                                 outdoor_rh_pct=40.0)).plant
    assert winter is not None and winter.free_cooling and winter.electric_kw == 0
    assert winter.band == "critical"  # January's evening critical peak


def test_minimum_run_is_kept_from_what_the_plant_had() -> None:
    started = {"ch-3": ChillerState(True, EVENING - timedelta(days=1))}
    plant = plan_at(SITE, local("2027-07-03 04:00"), PlanInputs(
        outdoor_air_c=24.0, outdoor_rh_pct=70.0, chillers=started)).plant
    assert plant is not None  # started the evening before: it may stop
    assert "ch-3" not in plant.running
    held = {"ch-3": ChillerState(True, local("2027-07-03 03:50"))}
    plant = plan_at(SITE, local("2027-07-03 04:00"), PlanInputs(
        outdoor_air_c=24.0, outdoor_rh_pct=70.0, chillers=held)).plant
    assert plant is not None and "ch-3" in plant.running


def test_a_venue_without_a_plant_plans_none() -> None:
    assert plan_at(load_config(SINGLE_HALL), EVENING).plant is None
