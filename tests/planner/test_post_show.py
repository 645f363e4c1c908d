"""Post-show: fewer units, back to the idle band, the audience's CO2 purged."""

from __future__ import annotations

from datetime import date, timedelta

from hvac_ctl.planner import PlanInputs, ZoneMeasurement, plan_at, plan_day
from tests.harness import AUD, local, segment_at, summer


def test_post_show_runs_fewer_units_once_the_audience_is_out_and_ends_at_its_maximum(
        make_config) -> None:
    cfg = summer(make_config)
    plan = plan_day(cfg, date(2027, 7, 10))
    post = [s for s in plan.for_zone("auditorium") if s.phase == "post_show"]
    assert post[0].start == local("2027-07-10 22:30")
    assert post[-1].end == local("2027-07-10 22:30") + timedelta(minutes=90)
    after_egress = segment_at(plan, "auditorium", local("2027-07-10 22:50"))
    assert [u for u in AUD if after_egress.units[u]["enable"]] == ["ahu-aud-1"]


def test_post_show_ends_when_the_zone_is_back_in_its_idle_band(make_config) -> None:
    cfg = summer(make_config)
    back = local("2027-07-10 23:05")
    inside = PlanInputs(measurements={"auditorium": ZoneMeasurement(back, 25.0, 50.0)})
    outside = PlanInputs(measurements={"auditorium": ZoneMeasurement(back, 27.6, 50.0)})
    assert plan_at(cfg, back, inside).zones["auditorium"].phase == "idle"
    assert plan_at(cfg, back, outside).zones["auditorium"].phase == "post_show"
    # never before the audience has had time to leave
    early = local("2027-07-10 22:35")
    assert plan_at(cfg, early, PlanInputs(
        measurements={"auditorium": ZoneMeasurement(early, 25.0)})).zones[
        "auditorium"].phase == "post_show"


def test_post_show_purges_the_audiences_co2_before_going_idle(make_config) -> None:
    cfg = summer(make_config)
    at = local("2027-07-10 23:05")
    stuffy = PlanInputs(measurements={"auditorium": ZoneMeasurement(at, 25.0, 50.0, 1050.0)})
    state = plan_at(cfg, at, stuffy)
    assert state.zones["auditorium"].phase == "post_show"  # in band, but not flushed yet
    assert state.units["ahu-aud-1"]["oa_damper_min"] == 100.0
    assert "purging CO2" in state.zones["auditorium"].reason
    fresh = PlanInputs(measurements={"auditorium": ZoneMeasurement(at, 25.0, 50.0, 850.0)})
    assert plan_at(cfg, at, fresh).zones["auditorium"].phase == "idle"

