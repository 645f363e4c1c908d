"""Days of one shape: a day moved from another of its shape equals the day planned afresh."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, timedelta

from hvac_ctl.model import Config
from hvac_ctl.planner import PlanCache, PlanInputs, local_midnight, plan_day
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.day_shapes import plan_by_shape
from hvac_ctl.planner.outputs import DayPlan
from hvac_ctl.planner.plan import NOTHING_KNOWN, in_reach

# A run across both clock changes of a zone with daylight saving: matinees and evenings,
# tours, a get-in, and an evening show that ends late enough for its post-show to pass
# midnight.
RUN = """
weekly:
  - name: Repertory
    from: 2027-03-20
    to: 2027-04-10
    performances:
      - {days: [thu, fri, sun], title: Evening, doors_open: "19:00", curtain: "19:30",
         end: "22:30", expected_attendance: 2000, live_orchestra: true}
      - {days: [sat], title: Late, doors_open: "21:30", curtain: "22:00", end: "23:50",
         expected_attendance: 900}
      - {days: [sun], title: Matinee, doors_open: "13:30", curtain: "14:00", end: "16:45",
         expected_attendance: 1600, live_orchestra: true}
    tours:
      - {days: [tue, wed], start: "10:00", end: "11:30", route: [auditorium, stage]}
  - name: Autumn
    from: 2027-10-21
    to: 2027-11-07
    performances:
      - {days: [fri, sat, sun], title: Evening, doors_open: "19:00", curtain: "19:30",
         end: "22:30", expected_attendance: 1800}
get_ins:
  - {date: 2027-03-22, start: "08:00", end: "13:00", kind: set_up}
  - {date: 2027-10-25, start: "08:00", end: "13:00", kind: set_up}
"""


def _days(first: date, n: int) -> Iterator[date]:
    return (first + timedelta(days=i) for i in range(n))


def _same(a: DayPlan, b: DayPlan) -> None:
    assert a.day == b.day
    assert len(a.segments) == len(b.segments)
    for x, y in zip(a.segments, b.segments, strict=True):
        assert x == y, (a.day, x, y)
        assert x.start.utcoffset() == y.start.utcoffset()
    assert a.shows == b.shows, a.day


def _planned_zones(config: Config, days: list[date], cache: PlanCache) -> list[str]:
    """Plan `days` through `cache` by shape, each equal to the day planned afresh; the
    zones that had to be planned (all of them: a day with no shapes)."""
    ctx = Context(config, NOTHING_KNOWN, cache)
    planned: list[str] = []
    for day in days:
        start = local_midnight(day, ctx.tz)
        end = local_midnight(day + timedelta(days=1), ctx.tz)
        events = in_reach(config, ctx.events_between(day - timedelta(days=1),
                                                     day + timedelta(days=1)), start, end)

        def plan(only: Sequence[str] | None, day: date = day) -> DayPlan:
            planned.extend(config.venue.zones if only is None else only)
            fresh = plan_day(config, day)
            return replace(fresh, segments=tuple(
                s for s in fresh.segments if only is None or s.zone in only))

        _same(plan_by_shape(ctx, day, start, end, events, plan), plan_day(config, day))
    return planned


def test_a_year_of_the_shipped_calendar_moved_by_shape_equals_it_planned_afresh(
        config: Config) -> None:
    days = list(_days(date(2026, 11, 1), 365))
    cache = PlanCache(config)
    for day in days:
        _same(plan_day(config, day, cache=cache), plan_day(config, day))
    # most zone-days were moved, not planned
    assert len(_planned_zones(config, days, PlanCache(config))) < len(days) * 3 / 4


def test_the_sites_days_moved_by_shape_equal_them_planned_afresh() -> None:
    """The shipped site: fused halls plan their zones together, public groups by their
    opening hours and the adjacent halls' shows; moved days must still be the same days."""
    from hvac_ctl.config import load_config
    from tests.harness import ROOT

    site = load_config(ROOT)
    for outdoor in (None, 26.0):
        inputs = PlanInputs(outdoor_temp_c=outdoor)
        cache = PlanCache(site)
        for day in [*_days(date(2026, 12, 1), 21), *_days(date(2027, 3, 10), 14)]:
            _same(plan_day(site, day, inputs, cache), plan_day(site, day, inputs))


def test_days_across_the_clock_changes_move_only_onto_days_of_the_same_offsets(
        make_config) -> None:
    config = make_config(RUN, timezone="Europe/Berlin")
    cache = PlanCache(config)
    for first in (date(2027, 3, 15), date(2027, 10, 18)):
        for day in _days(first, 30):
            _same(plan_day(config, day, cache=cache), plan_day(config, day))
    # the Saturday before the change and the Saturday after are alike but for the offsets
    # around them: the second is planned, not moved
    twice = _planned_zones(config, [date(2027, 3, 27), date(2027, 4, 3)], PlanCache(config))
    assert twice == [*config.venue.zones] * 2
    # a week later, the same Saturday again
    once = _planned_zones(config, [date(2027, 4, 3), date(2027, 4, 10)], PlanCache(config))
    assert once == [*config.venue.zones]


def test_a_told_outdoor_temperature_is_part_of_the_shape(config: Config) -> None:
    cache = PlanCache(config)
    for outdoor in (None, -5.0, 30.0):
        inputs = PlanInputs(outdoor_temp_c=outdoor)
        for day in _days(date(2026, 12, 1), 14):
            _same(plan_day(config, day, inputs, cache), plan_day(config, day, inputs))


def test_a_day_whose_event_id_lacks_its_date_is_planned_afresh(make_config) -> None:
    """An engineer's own id may be any word, even one the planner's reasons use; such a
    day has no shape, and is not searched for its ids."""
    config = make_config("""
performances:
  - {id: show, date: 2026-12-10, title: Gala, doors_open: "19:00", curtain: "19:30",
     end: "22:30", expected_attendance: 1500}
  - {id: precool, date: 2026-12-11, title: Gala, doors_open: "19:00", curtain: "19:30",
     end: "22:30", expected_attendance: 1500}
""")
    days = [date(2026, 12, 10), date(2026, 12, 11), date(2026, 12, 10)]
    assert _planned_zones(config, days, PlanCache(config)) == [*config.venue.zones] * 3
    cache = PlanCache(config)
    for d in days:
        _same(plan_day(config, d, cache=cache), plan_day(config, d))
