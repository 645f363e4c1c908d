"""Pre-show precool: its target, its optimal start, and when the outdoor air opens."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hvac_ctl.model import Config
from hvac_ctl.planner import (
    OccupancyPush,
    PlanInputs,
    RecoverySample,
    ZoneMeasurement,
    plan_at,
    plan_day,
)
from tests.harness import AUD, local, segment_at, summer


def test_precool_target_is_half_to_one_kelvin_below_the_show_setpoint(config: Config) -> None:
    day = date(2026, 11, 3)
    while day < date(2027, 3, 1):
        plan = plan_day(config, day)
        for s in plan.shows:
            for zone, target in s.precool_target_c.items():
                after_curtain = segment_at(plan, zone, s.curtain + timedelta(minutes=30)) \
                    if s.curtain.date() == day else None  # settled (20 min)
                if after_curtain is None:
                    continue
                gap = after_curtain.setpoint_c - target
                assert 0.45 <= gap <= 1.05, (day, zone, gap)
        day += timedelta(days=7)


def test_precool_start_and_oa_opening_move_with_expected_attendance(make_config) -> None:
    full = plan_day(summer(make_config, 2300), date(2027, 7, 10)).shows[0]
    half = plan_day(summer(make_config, 1100), date(2027, 7, 10)).shows[0]
    assert full.precool_start["auditorium"] < half.precool_start["auditorium"]
    assert full.oa_open["auditorium"] < half.oa_open["auditorium"]
    assert full.precool_target_c["auditorium"] < half.precool_target_c["auditorium"]


def test_precool_start_learns_from_history(make_config) -> None:
    cfg = summer(make_config)
    default = plan_day(cfg, date(2027, 7, 10)).shows[0].precool_start["auditorium"]
    fast = [RecoverySample(date(2027, 7, d), "cool", 4.0) for d in (7, 8, 9)]
    slow = [RecoverySample(date(2027, 7, d), "cool", 1.0) for d in (7, 8, 9)]
    heat_only = [RecoverySample(date(2027, 7, d), "heat", 9.0) for d in (7, 8, 9)]
    learned = {
        name: plan_day(cfg, date(2027, 7, 10), PlanInputs(history={"auditorium": h}))
        .shows[0].precool_start["auditorium"]
        for name, h in (("fast", fast), ("slow", slow), ("heat", heat_only))
    }
    assert learned["slow"] < default < learned["fast"]
    assert learned["heat"] == default  # cooling and heating are learned separately


def test_precool_start_follows_the_measured_temperature(make_config) -> None:
    cfg = summer(make_config)
    at = local("2027-07-10 15:00")
    warm = plan_day(cfg, date(2027, 7, 10), PlanInputs(
        measurements={"auditorium": ZoneMeasurement(at, temp_c=27.0)})).shows[0]
    cool = plan_day(cfg, date(2027, 7, 10), PlanInputs(
        measurements={"auditorium": ZoneMeasurement(at, temp_c=24.0)})).shows[0]
    assert warm.precool_start["auditorium"] < cool.precool_start["auditorium"]


def test_precool_runs_on_full_recirculation_until_the_computed_opening(make_config) -> None:
    cfg = summer(make_config)
    show = plan_day(cfg, date(2027, 7, 10)).shows[0]
    opening = show.oa_open["auditorium"]
    assert show.doors_open <= opening <= show.curtain
    before = plan_at(cfg, show.precool_start["auditorium"] + timedelta(minutes=1))
    assert before.zones["auditorium"].phase == "precool"
    assert all(before.units[u]["enable"] is True for u in AUD)
    assert all(before.units[u]["oa_damper_min"] == 0 for u in AUD)
    just_before = plan_at(cfg, opening - timedelta(seconds=1))
    assert all(just_before.units[u]["oa_damper_min"] == 0 for u in AUD)
    after = plan_at(cfg, opening)
    assert all(after.units[u]["oa_damper_min"] > 0 for u in AUD)


def test_the_opening_starts_from_the_co2_measured_before_doors(make_config) -> None:
    """After doors the latest reading includes the arrivals; the hall's starting CO2 is the
    one kept from before doors. A hall that starts high opens earlier."""
    cfg = summer(make_config, n=1200)
    clean = plan_day(cfg, date(2027, 7, 10)).shows[0]
    assert clean.oa_open["auditorium"] == clean.curtain  # from 420 ppm: at curtain
    at = clean.doors_open + timedelta(minutes=10)
    after_doors = {"auditorium": ZoneMeasurement(at, 23.0, 55.0, 940.0, True)}
    stale = plan_at(cfg, at, PlanInputs(measurements=after_doors))
    assert all(stale.units[u]["oa_damper_min"] == 0 for u in AUD)
    kept = plan_at(cfg, at, PlanInputs(measurements=after_doors,
                                       co2_at_doors={("aida", "auditorium"): 910.0}))
    assert all(kept.units[u]["oa_damper_min"] > 0 for u in AUD)


def test_a_count_at_doors_open_does_not_change_the_precool_target(make_config) -> None:
    """Counts from doors open on are people through the doors so far, not the audience."""
    cfg = summer(make_config, n=2000)
    doors = local("2027-07-10 19:00")
    plain = plan_at(cfg, doors + timedelta(minutes=5)).zones["auditorium"].setpoint_c
    pushed = plan_at(cfg, doors + timedelta(minutes=5), PlanInputs(occupancy=[
        OccupancyPush("aida", 0, doors), OccupancyPush("aida", 310, doors + timedelta(
            minutes=5))])).zones["auditorium"].setpoint_c
    assert pushed == plain
    # a count before doors (tickets sold) does
    sold = plan_at(cfg, doors + timedelta(minutes=5), PlanInputs(occupancy=[
        OccupancyPush("aida", 900, doors - timedelta(hours=2))])).zones["auditorium"]
    assert sold.setpoint_c > plain


def test_precool_purges_an_earlier_shows_co2_first(make_config) -> None:
    cfg = summer(make_config)
    show = plan_day(cfg, date(2027, 7, 10)).shows[0]
    at = show.precool_start["auditorium"] + timedelta(minutes=5)
    stale = {"auditorium": ZoneMeasurement(at, 24.0, 50.0, 1150.0, True)}
    state = plan_at(cfg, at, PlanInputs(measurements=stale))
    assert state.zones["auditorium"].phase == "precool"
    assert all(state.units[u]["oa_damper_min"] == 100.0 for u in AUD)
    fresh = {"auditorium": ZoneMeasurement(at, 24.0, 50.0, 600.0, True)}
    assert all(plan_at(cfg, at, PlanInputs(measurements=fresh)).units[u]["oa_damper_min"] == 0
               for u in AUD)



def test_the_lead_is_timed_for_the_pull_its_supply_offset_makes() -> None:
    """The multi-functional theatre's overhead mixing supply lowers its summer setpoints by
    0.5 K (`supply`): its precool pulls 0.5 K further than its target, and starts for that;
    an under-seat hall's is raised, and starts later."""
    from hvac_ctl.config import load_config
    from hvac_ctl.planner import precool
    from hvac_ctl.planner.plan import Planner
    from tests.harness import ROOT

    site = load_config(ROOT)
    day = date(2027, 7, 3)
    planner = Planner(site, PlanInputs(outdoor_air_c=30.0), day, day)
    ctx = planner.ctx
    for show_id, zone, sign in (("new-writing-festival-2027-07-03", "mft-auditorium", -1),
                                ("summer-proms-2027-07-03", "concert-auditorium", +1)):
        show = planner.claims.shows[show_id]
        p, z = show.precooled[zone], site.venue.zones[zone]
        to = precool.pulled_to(ctx, zone, z, p.target_c, show.event)
        assert to == pytest.approx(p.target_c + sign * 0.5)
        assert p.start == precool.start(ctx, zone, to, show.event)
        alone = precool.start(ctx, zone, p.target_c, show.event)
        assert (p.start < alone) if sign < 0 else (p.start > alone)
