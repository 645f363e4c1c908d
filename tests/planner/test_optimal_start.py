"""Optimal start for precool: what the last days taught, and pulls beyond what they taught."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hvac_ctl.model import Config
from hvac_ctl.model.venue import PrecoolConfig
from hvac_ctl.planner import PlanInputs, RecoverySample, ZoneMeasurement, plan_at, plan_day
from hvac_ctl.planner.optimal_start import Learned, average_rate, lead_time, learned, measure_rate
from tests.harness import MakeConfig, local

T0 = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)

CFG = PrecoolConfig()


def test_a_pull_further_than_the_learned_ones_gets_more_time_per_kelvin() -> None:
    """A 1.4 K morning pull after evenings' 0.5 K ones: the structure has to follow."""
    taught = Learned(2.0, 0.5)
    assert taught.hours(0.4) == pytest.approx(0.2)
    assert taught.hours(1.4) == pytest.approx(1.4 / 2.0 * 1.4 / 0.5)
    assert Learned(2.0).hours(1.4) == pytest.approx(0.7)  # nothing recorded: linear
    assert lead_time(1.4, taught, CFG) == timedelta(hours=1.96)
    assert lead_time(10.0, taught, CFG) == timedelta(minutes=CFG.max_lead_min)


def test_what_was_learned_averages_rates_and_pulls() -> None:
    samples = [RecoverySample(date(2027, 1, d), "cool", r, p)
               for d, r, p in ((5, 1.0, 0.5), (6, 2.0, 0.7), (7, 3.0, None), (8, 9.0, 2.0))]
    got = learned(samples, "cool", date(2027, 1, 8), CFG)  # the last 3 before the 8th
    assert got == Learned(2.0, 0.6)
    assert learned(samples, "heat", date(2027, 1, 8), CFG) == Learned(1.5)


def test_a_full_house_is_pulled_past_its_target_first(config: Config) -> None:
    day = date(2026, 11, 7)  # Saturday Tosca in the shoulder season, 2,100 expected
    show = plan_day(config, day).shows[0]
    target = show.precool_target_c["auditorium"]
    start = show.precool_start["auditorium"]
    until = show.doors_open - timedelta(minutes=CFG.past_until_min)
    m = {"auditorium": ZoneMeasurement(start, 23.6, 40.0, 500.0, True)}
    early = plan_at(config, start + timedelta(minutes=5), PlanInputs(measurements=m))
    late = plan_at(config, until + timedelta(minutes=1), PlanInputs(measurements=m))
    past = round(CFG.full_house_past_k * 2100 / 2398, 2)
    assert early.zones["auditorium"].setpoint_c == pytest.approx(target - past, abs=0.051)
    assert "past it until" in early.zones["auditorium"].reason
    assert late.zones["auditorium"].setpoint_c == target  # the air comes back before doors


def test_the_day_plan_steps_back_to_the_target_where_the_pull_past_it_ends(
        config: Config) -> None:
    """The day is cut where a full house's pull past the target ends (a cooling season's
    auditorium), and its plan there is plan_at's."""
    day = date(2026, 11, 7)
    plan = plan_day(config, day)
    show = plan.shows[0]
    until = show.doors_open - timedelta(minutes=CFG.past_until_min)
    aud = {s.start: s for s in plan.for_zone("auditorium")}
    assert until in aud and aud[until].setpoint_c == show.precool_target_c["auditorium"]
    before = next(s for s in plan.for_zone("auditorium") if s.end == until)
    assert before.phase == "precool" and before.setpoint_c < aud[until].setpoint_c
    assert before.setpoint_c == plan_at(config, until - timedelta(minutes=1)).zones[
        "auditorium"].setpoint_c


def test_a_heating_season_and_the_stage_are_not_pulled_past(make_config: MakeConfig) -> None:
    cfg = make_config("""
performances:
  - {id: gala, title: Gala, date: 2027-01-10, doors_open: "19:00", curtain: "19:30",
     end: "22:00", expected_attendance: 2398, live_orchestra: true}
""")
    show = plan_day(cfg, date(2027, 1, 10)).shows[0]
    at = show.precool_start["auditorium"] + timedelta(minutes=1)
    state = plan_at(cfg, at)
    assert state.zones["auditorium"].setpoint_c == show.precool_target_c["auditorium"]
    stage_at = local("2027-01-10 18:50")
    assert plan_at(cfg, stage_at).zones["stage"].setpoint_c == show.precool_target_c["stage"]


def test_average_rate_is_a_moving_average_of_the_last_days() -> None:
    cfg = PrecoolConfig(history_days=3)
    samples = [RecoverySample(date(2027, 7, d), "cool", r)
               for d, r in ((1, 9.0), (2, 1.0), (3, 2.0), (4, 3.0), (12, 50.0))]
    assert average_rate(samples, "cool", date(2027, 7, 10), cfg) == pytest.approx(2.0)
    assert average_rate(samples, "heat", date(2027, 7, 10), cfg) == cfg.default_rate_k_per_h[
        "heat"]
    assert average_rate([], "cool", date(2027, 7, 10), cfg) == cfg.default_rate_k_per_h["cool"]


def test_lead_time_is_bounded() -> None:
    cfg = PrecoolConfig(min_lead_min=15, max_lead_min=180)
    assert lead_time(2.0, 2.0, cfg) == timedelta(hours=1)
    assert lead_time(0.0, 2.0, cfg) == timedelta(minutes=15)
    assert lead_time(20.0, 2.0, cfg) == timedelta(hours=3)


def test_measure_rate_from_a_trend() -> None:
    trend = [(T0 + timedelta(minutes=m), 26.0 - 0.05 * m) for m in range(0, 120, 5)]
    # 26 → 23 °C at 3 K/h: reached after 60 min
    assert measure_rate(trend, T0, 23.0, "cool") == pytest.approx(3.0)
    # never reached within the trend: the rate achieved
    assert measure_rate(trend[:7], T0, 20.0, "cool") == pytest.approx(3.0)
    assert measure_rate(trend, T0, 27.0, "cool") is None  # already below target
    warm = [(T0 + timedelta(minutes=m), 17.0 + 0.025 * m) for m in range(0, 200, 10)]
    assert measure_rate(warm, T0, 19.0, "heat") == pytest.approx(1.5)

