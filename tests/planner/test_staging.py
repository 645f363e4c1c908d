"""staging: how many public units run, and which (lead/lag by run hours)."""

from __future__ import annotations

from hvac_ctl.planner.staging import count, spread, stage

UNITS = ["a", "b", "c", "d"]


def test_the_count_follows_phase_and_load_within_what_there_is() -> None:
    assert count(2, False, 4) == 2
    assert count(2, True, 4) == 3  # the band is lost: one more
    assert count(0, True, 4) == 1  # closed, band lost: at least one
    assert count(4, True, 4) == 4  # never more than the group has


def test_running_units_keep_running_while_the_count_holds() -> None:
    hours = {"a": 100.0, "b": 90.0, "c": 1.0, "d": 0.0}
    assert stage(UNITS, 2, ["a", "b"], hours) == ("a", "b")  # not swapped for fresher ones


def test_a_stage_up_starts_the_fewest_hours_and_a_stage_down_stops_the_most() -> None:
    hours = {"a": 100.0, "b": 90.0, "c": 1.0, "d": 0.0}
    assert stage(UNITS, 3, ["a", "b"], hours) == ("a", "b", "d")
    assert stage(UNITS, 1, ["a", "b"], hours) == ("b",)
    assert stage(UNITS, 2, [], {}) == ("a", "b")  # no hours known: zones.yaml order


def test_hours_even_out_over_a_rotation() -> None:
    hours = dict.fromkeys(UNITS, 0.0)
    for _ in range(40):  # each day: 2 units for 8 h, then all stop overnight
        for u in stage(UNITS, 2, (), hours):
            hours[u] += 8
    assert max(hours.values()) - min(hours.values()) <= 8


def test_spread_gives_every_zone_a_unit_before_any_a_second() -> None:
    by_zone = {"lobby": ["a", "b", "c"], "hall": ["d"]}
    assert spread(by_zone, 2, (), {}) == ("a", "d")
    assert spread(by_zone, 3, (), {}) == ("a", "b", "d")
    assert spread(by_zone, 9, (), {}) == ("a", "b", "c", "d")
    assert spread(by_zone, 0, ("a",), {}) == ()
