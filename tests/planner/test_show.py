"""The show: its setpoint after curtain, the seat count's 15 % rule, special shows."""

from __future__ import annotations

from datetime import date

import pytest

from hvac_ctl.planner import OccupancyPush, PlanInputs, plan_at, plan_day
from tests.harness import AUD, local, summer


def test_after_curtain_the_setpoint_returns_to_the_show_setpoint(make_config) -> None:
    cfg = summer(make_config, n=2000)
    doors = plan_at(cfg, local("2027-07-10 19:10")).zones["auditorium"]
    show = plan_at(cfg, local("2027-07-10 19:50")).zones["auditorium"]
    # summer show 24.0 °C, occupancy gain −0.5 K at a full house (2000 of 2398 seats)
    assert show.setpoint_c == pytest.approx(round(24.0 - 0.5 * 2000 / 2398, 1))
    assert doors.setpoint_c < show.setpoint_c
    assert doors.phase == show.phase == "show"
    # in four 5-minute steps after curtain-up, not one step the audience would feel
    steps = [plan_at(cfg, local(f"2027-07-10 19:{m}")).zones["auditorium"].setpoint_c
             for m in (30, 34, 35, 40, 45, 50)]
    assert steps[0] == steps[1] == doors.setpoint_c
    assert steps[1] < steps[2] < steps[3] < steps[4] < steps[5] == show.setpoint_c
    plan = plan_day(cfg, date(2027, 7, 10))
    assert {s.start for s in plan.for_zone("auditorium")} >= {
        local(f"2027-07-10 19:{m}") for m in (35, 40, 45, 50)}


def test_seat_count_20_percent_above_readjusts_10_percent_does_not(make_config) -> None:
    cfg = summer(make_config, n=1500)
    at = local("2027-07-10 20:00")
    base = plan_at(cfg, at)
    small = plan_at(cfg, at, PlanInputs(
        occupancy=[OccupancyPush("aida", 1650, local("2027-07-10 19:40"))]))
    large = plan_at(cfg, at, PlanInputs(
        occupancy=[OccupancyPush("aida", 1800, local("2027-07-10 19:40"))]))
    for u in AUD:
        assert small.units[u] == base.units[u]
        assert large.units[u]["setpoint"] < base.units[u]["setpoint"]
        assert large.units[u]["oa_damper_min"] > base.units[u]["oa_damper_min"]
    assert large.zones["auditorium"].people == 1800


def test_counts_are_compared_with_the_count_last_acted_on(make_config) -> None:
    cfg = summer(make_config, n=1000)
    pushes = [
        OccupancyPush("aida", 1200, local("2027-07-10 19:35")),  # +20 %: acted on
        OccupancyPush("aida", 1300, local("2027-07-10 19:40")),  # +8 % of 1200: ignored
        OccupancyPush("aida", 1400, local("2027-07-10 19:45")),  # +16.7 % of 1200: acted on
    ]
    people = [
        plan_at(cfg, local(t), PlanInputs(occupancy=pushes)).zones["auditorium"].people
        for t in ("2027-07-10 19:36", "2027-07-10 19:41", "2027-07-10 19:46")
    ]
    assert people == [1200, 1200, 1400]


def test_before_any_count_the_expected_attendance_is_used(make_config) -> None:
    cfg = summer(make_config, n=900)
    assert plan_at(cfg, local("2027-07-10 20:00")).zones["auditorium"].people == 900


def test_house_lights_up_lowers_the_auditorium_setpoint(make_config) -> None:
    at = local("2027-07-10 20:00")
    dark = plan_at(summer(make_config, lights=False), at).zones
    lit = plan_at(summer(make_config, lights=True), at).zones
    assert lit["auditorium"].setpoint_c == pytest.approx(dark["auditorium"].setpoint_c - 0.5)
    assert lit["stage"].setpoint_c == dark["stage"].setpoint_c

