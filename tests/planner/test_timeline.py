"""A whole day: past midnight, daylight-saving days, and the same answer as plan_at."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from hvac_ctl.config import parse_config
from hvac_ctl.config.loader import SEASONS, ZONES
from hvac_ctl.model import Config
from hvac_ctl.planner import (
    OccupancyPush,
    PlanInputs,
    ZoneMeasurement,
    local_midnight,
    plan_at,
    plan_day,
)
from hvac_ctl.planner.plan import Planner
from hvac_ctl.planner.timeline import breakpoints
from tests.harness import DST_CALENDAR, SINGLE_HALL, local, phases


def test_a_show_ending_after_midnight_continues_into_the_next_day(config: Config) -> None:
    plan = plan_day(config, date(2027, 1, 1))  # a closed day, after the New Year's Eve gala
    aud = plan.for_zone("auditorium")
    assert aud[0].phase == "show" and aud[0].event_id == "new-year-gala-2026"
    assert aud[0].end == local("2027-01-01 00:45")
    assert phases(plan, "auditorium") == ["show", "post_show", "idle"]


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 10, 25), 25), (date(2027, 3, 28), 23)])
def test_daylight_saving_days_are_covered_without_gap(make_config, day: date, hours: int) -> None:
    cfg = make_config(DST_CALENDAR, timezone="Europe/Berlin")
    plan = plan_day(cfg, day)
    for zone in cfg.venue.zones:
        segs = plan.for_zone(zone)
        assert sum((s.end - s.start for s in segs), timedelta()) == timedelta(hours=hours)
        for a, b in itertools.pairwise(segs):
            assert a.end == b.start
    offsets = {s["start"][-6:] for s in plan.to_json()}
    assert offsets == {"+01:00", "+02:00"}


def test_a_show_across_the_autumn_change_ends_after_the_repeated_hour(make_config) -> None:
    cfg = make_config(DST_CALENDAR, timezone="Europe/Berlin")
    plan = plan_day(cfg, date(2026, 10, 25))
    show = plan.for_zone("auditorium")[0]
    assert show.phase == "show"
    # 02:30 is read as its first occurrence (summer time, fold 0): 00:30 UTC
    assert show.end.astimezone(ZoneInfo("UTC")).hour == 0


def test_plan_at_and_plan_day_agree(config: Config) -> None:
    inputs = PlanInputs(
        occupancy=[OccupancyPush("tosca-2026-12-05", 1700, local("2026-12-05 19:45"))],
        measurements={"auditorium": ZoneMeasurement(local("2026-12-05 16:00"), 18.2)},
    )
    plan = plan_day(config, date(2026, 12, 5), inputs)
    for seg in plan.segments:
        mid = seg.start + (seg.end - seg.start) / 2
        state = plan_at(config, mid, inputs)
        assert state.zones[seg.zone].phase == seg.phase
        assert state.zones[seg.zone].setpoint_c == seg.setpoint_c
        for unit, points in seg.units.items():
            assert state.units[unit] == points


def test_the_planner_refuses_a_naive_instant(config: Config) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_at(config, local("2026-12-05 10:00").replace(tzinfo=None))



def test_the_day_steps_with_the_slowest_zone_to_settle_after_curtain(config: Config) -> None:
    """The day is cut after curtain-up for as long as the season's slowest zone settles (a
    winter stage steps back over 20 min while the auditorium settles at once), and no
    longer: every minute of the hour after curtain plans as plan_at does."""
    plan = plan_day(config, date(2026, 12, 5))
    curtain = local("2026-12-05 19:30")
    stage = [s.setpoint_c for s in plan.for_zone("stage") if curtain <= s.start]
    assert len(set(stage[:5])) == 5  # four steps after the precool target
    for minute in range(66):
        at = curtain + timedelta(minutes=minute)
        state = plan_at(config, at)
        for zone in config.venue.zones:
            seg = next(s for s in plan.for_zone(zone) if s.start <= at < s.end)
            assert (seg.setpoint_c, seg.phase) == (
                state.zones[zone].setpoint_c, state.zones[zone].phase), (zone, minute)


LATE_SHOWS = """
performances:
  - {id: late, title: Late, date: 2027-07-11, doors_open: "01:40", curtain: "02:10",
     end: "04:30", expected_attendance: 2300, live_orchestra: true}
  - {id: early, title: Early, date: 2027-07-10, doors_open: "09:00", curtain: "09:30",
     end: "11:00", expected_attendance: 2300, live_orchestra: true}
  - {id: evening, title: Evening, date: 2027-07-10, doors_open: "19:00", curtain: "19:30",
     end: "23:00", expected_attendance: 2300, live_orchestra: true}
"""


@pytest.mark.parametrize("short_lead", [False, True])
def test_a_day_lays_only_the_events_that_reach_it(make_config, short_lead: bool) -> None:
    """A day's plan lays only the events whose claims or cuts can reach it, of the three
    days' events it reads: the day is cut at the very instants, and claimed by the very
    claims, as when every event is laid — with a short lead and a full house's pull past
    its target ending long before it, too."""
    cfg = make_config(LATE_SHOWS)
    if short_lead:
        zones = (SINGLE_HALL / ZONES).read_text().replace(
            "max_lead_min: 180", "max_lead_min: 15\n    past_until_min: 120")
        cfg = parse_config({ZONES: zones, SEASONS: (SINGLE_HALL / SEASONS).read_text(),
                            "schedules/calendar/test.yaml": LATE_SHOWS})
    left_out = 0
    for day in (date(2027, 7, 9) + timedelta(days=i) for i in range(4)):
        start = local_midnight(day, cfg.venue.venue.tz)
        end = local_midnight(day + timedelta(days=1), cfg.venue.venue.tz)
        every = Planner(cfg, PlanInputs(), day, day)
        laid = Planner(cfg, PlanInputs(), day, day, within=(start, end))
        left_out += len(every.claims.shows) - len(laid.claims.shows)
        cuts = [{t for t in breakpoints(p, start, end) if start < t < end}
                for p in (every, laid)]
        assert cuts[0] == cuts[1]
        for zone in cfg.venue.zones:
            claims = [[c for c in p.claims.by_zone[zone] if c.start < end and start < c.end]
                      for p in (every, laid)]
            assert claims[0] == claims[1]
    assert left_out > 0
