"""The caller's PlanCache: what it keeps between plans is what a fresh plan would compute."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hvac_ctl.model import Config
from hvac_ctl.planner import (
    HeldMode,
    Override,
    PlanCache,
    PlanInputs,
    ZoneMeasurement,
    plan_at,
    plan_day,
)
from tests.harness import local, summer


def _segments(config: Config, day: date, inputs: PlanInputs, cache: PlanCache | None
              ) -> list[tuple[object, ...]]:
    plan = plan_day(config, day, inputs, cache)
    return [(s.zone, s.phase, s.start, s.end, s.setpoint_c, s.mode, s.event_id,
             {u: dict(p) for u, p in s.units.items()}, s.reason) for s in plan.segments]


def test_days_planned_with_one_cache_equal_days_planned_fresh(config: Config) -> None:
    """A week of shows and tours, twice through one cache (the second time from it), each
    day equal to the same day planned with no cache at all."""
    cache = PlanCache(config)
    days = [date(2026, 11, 29) + timedelta(days=i) for i in range(8)]
    inputs = PlanInputs(outdoor_temp_c=4.0)
    for _ in range(2):
        for day in days:
            assert _segments(config, day, inputs, cache) == _segments(config, day, inputs, None)


def test_an_override_does_not_change_the_points_kept_for_other_instants(config: Config) -> None:
    """The units' points are shared between instants through the cache: an override changes
    its own plan's copy, never what the next plan reads."""
    cache = PlanCache(config)
    at = local("2026-12-05 20:10")
    before = plan_at(config, at, cache=cache)
    ov = Override("ov-1", "ahu-aud-2", "setpoint", 25.0, at - timedelta(minutes=5),
                  at + timedelta(minutes=5))
    during = plan_at(config, at, PlanInputs(overrides=[ov]), cache)
    assert during.units["ahu-aud-2"]["setpoint"] == 25.0
    assert during.planned[("ahu-aud-2", "setpoint")] == before.units["ahu-aud-2"]["setpoint"]
    after = plan_at(config, at, cache=cache)
    assert after.units["ahu-aud-2"]["setpoint"] == before.units["ahu-aud-2"]["setpoint"] != 25.0
    assert after.units == plan_at(config, at).units


def test_a_changed_configuration_plans_anew(config: Config, make_config) -> None:
    """A cache is its configuration's: another configuration's plan of the same day, with
    its own cache, is its own (a summer show where the shipped calendar has none)."""
    hot = summer(make_config)
    day = date(2027, 7, 10)
    shipped = plan_day(config, day, cache=PlanCache(config))
    other = plan_day(hot, day, cache=PlanCache(hot))
    assert other.to_json() == plan_day(hot, day).to_json()
    assert other.to_json() != shipped.to_json()


def test_units_of_equal_decisions_are_one_answer(config: Config) -> None:
    """Instants whose zones plan alike get the very same points (kept, not recomputed), and
    they are read-only."""
    cache = PlanCache(config)
    a = plan_at(config, local("2026-12-09 03:00"), cache=cache)
    b = plan_at(config, local("2026-12-09 04:00"), cache=cache)
    assert a.units["ahu-aud-1"] is b.units["ahu-aud-1"]
    with pytest.raises(TypeError):
        a.units["ahu-aud-1"]["enable"] = True  # type: ignore[index]


SHAPES = """
performances:
  - {id: a, title: A, date: 2027-07-10, doors_open: "19:00", curtain: "19:30",
     end: "22:30", expected_attendance: 2300, live_orchestra: true}
  - {id: b, title: B, date: 2027-07-11, doors_open: "18:00", curtain: "18:30",
     end: "21:30", expected_attendance: 2300, live_orchestra: true}
  - {id: c, title: C, date: 2027-07-12, doors_open: "19:00", curtain: "19:55",
     end: "22:30", expected_attendance: 2300, live_orchestra: true}
  - {id: d, title: D, date: 2027-07-13, doors_open: "19:00", curtain: "19:30",
     end: "22:30", expected_attendance: 1200, live_orchestra: true}
"""


def test_the_outdoor_air_opening_is_kept_by_the_show_shape_not_its_date(make_config) -> None:
    """The CO2 search is kept relative to doors: a show of the same shape on another day,
    or at another hour, opens as long after its own doors; a later curtain or a smaller
    audience is a search of its own. Each equal to a fresh plan's."""
    cfg = make_config(SHAPES)
    cache = PlanCache(cfg)
    days = [date(2027, 7, 10) + timedelta(days=i) for i in range(4)]
    opens = {}
    for day in days:
        show = plan_day(cfg, day, cache=cache).shows[0]
        assert show == plan_day(cfg, day).shows[0]
        opens[show.event_id] = show.oa_open["auditorium"] - show.doors_open
    assert opens["a"] == opens["b"]
    assert opens["c"] != opens["a"] and opens["d"] != opens["a"]


def test_idle_through_one_cache_equals_idle_planned_fresh(config: Config) -> None:
    """An idle zone's decision is kept by its season, measurement and held mode (one that
    reads the measurement is not kept): a night planned through one cache with a reading
    too warm, one inside the band, one from after the instant, none, either mode held, and
    a hot spell that makes the shoulder night summer, each as a fresh plan has it."""
    cache = PlanCache(config)
    night = local("2026-11-10 03:00")  # the shoulder season: a hot spell makes it summer
    warm = ZoneMeasurement(night - timedelta(minutes=5), 27.5, 50.0, 500.0, False)
    inside = ZoneMeasurement(night - timedelta(minutes=5), 21.0, 50.0, 500.0, True)
    later = ZoneMeasurement(night + timedelta(minutes=5), 27.5, 50.0, 500.0, False)
    variants = [
        PlanInputs(),
        PlanInputs(measurements={"auditorium": warm}),
        PlanInputs(measurements={"auditorium": inside}),
        PlanInputs(measurements={"auditorium": later}),
        *(PlanInputs(modes={"auditorium": HeldMode(mode, night - timedelta(hours=1), "idle")})
          for mode in ("cool", "heat")),
        PlanInputs(outdoor_temp_c=35.0),
    ]
    for _ in range(2):
        for inputs in variants:
            for at in (night, night + timedelta(minutes=10)):
                kept = plan_at(config, at, inputs, cache)
                fresh = plan_at(config, at, inputs)
                assert kept.zones == fresh.zones and kept.units == fresh.units
