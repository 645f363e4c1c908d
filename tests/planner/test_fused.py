"""fused: a fused hall's stage and audience run in one mode, within the stage offset."""

from __future__ import annotations

from hvac_ctl.planner import PlanInputs, ZoneMeasurement, plan_at
from tests.harness import local
from tests.site_venue import site_config

SITE = site_config()


def test_stage_follows_the_audience_within_the_offset() -> None:
    at = local("2027-04-13 20:00")  # the concert: the stage's own show setpoint is 1.5 K lower
    state = plan_at(SITE, at, PlanInputs(outdoor_air_c=20.0))
    aud, stage = state.zones["concert-auditorium"], state.zones["concert-stage"]
    assert aud.mode == stage.mode
    assert abs(aud.setpoint_c - stage.setpoint_c) <= 1.0 + 1e-9
    assert stage.setpoint_c == round(aud.setpoint_c - 1.0, 1)  # clamped to the offset
    assert "fused with concert-auditorium" in stage.reason
    units = state.units
    assert units["ahu-concert-aud"]["mode"] == units["ahu-concert-stage"]["mode"]


def test_a_separated_hall_runs_its_zones_apart() -> None:
    at = local("2027-04-13 20:00")
    state = plan_at(SITE, at, PlanInputs(outdoor_air_c=20.0))
    assert "fused" not in state.zones["stage"].reason


def test_the_busier_zone_leads_and_modes_never_differ() -> None:
    at = local("2027-04-13 20:00")
    cold = {"concert-stage": ZoneMeasurement(at, 16.0, 40.0, 500),
            "concert-auditorium": ZoneMeasurement(at, 26.0, 40.0, 900)}
    state = plan_at(SITE, at, PlanInputs(outdoor_air_c=20.0, measurements=cold))
    # the cold stage alone would heat; one air volume cools for the warm audience
    assert state.zones["concert-stage"].mode == state.zones["concert-auditorium"].mode
