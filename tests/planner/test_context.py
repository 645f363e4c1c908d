"""What every sequence reads: the season of a day."""

from __future__ import annotations

from hvac_ctl.model import Config
from hvac_ctl.planner import PlanInputs, plan_at
from tests.harness import local, summer


def test_winter_heats_and_summer_cools(config: Config, make_config) -> None:
    winter = plan_at(config, local("2026-12-05 20:00")).zones["auditorium"]
    hot = plan_at(summer(make_config), local("2027-07-10 20:00")).zones["auditorium"]
    assert (winter.mode, winter.season) == ("heat", "winter")
    assert (hot.mode, hot.season) == ("cool", "summer")
    assert winter.setpoint_c < hot.setpoint_c


def test_shoulder_season_switches_by_outdoor_temperature(config: Config) -> None:
    at = local("2026-10-10 12:00")
    assert plan_at(config, at).zones["auditorium"].season == "shoulder"
    hot = plan_at(config, at, PlanInputs(outdoor_temp_c=33)).zones["auditorium"]
    cold = plan_at(config, at, PlanInputs(outdoor_temp_c=2)).zones["auditorium"]
    assert (hot.season, hot.mode) == ("summer", "cool")
    assert (cold.season, cold.mode) == ("winter", "heat")

