"""Seat counts: the 15 % rule, out-of-order pushes, arrival and departure ramps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hvac_ctl.planner import OccupancyPush, acted_count, should_readjust
from hvac_ctl.planner.occupancy import arrivals, departures

T0 = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last", "count", "expected"),
    [(1000, 1150, False), (1000, 1151, True), (1000, 850, False), (1000, 849, True),
     (1000, 1000, False), (0, 0, False), (0, 1, True)],
)
def test_should_readjust_at_the_threshold(last: int, count: int, expected: bool) -> None:
    assert should_readjust(last, count, 0.15) is expected


@given(
    last=st.integers(min_value=1, max_value=5000),
    count=st.integers(min_value=0, max_value=5000),
    threshold=st.floats(min_value=0.01, max_value=0.9),
)
def test_the_rule_never_readjusts_on_a_smaller_change(
    last: int, count: int, threshold: float
) -> None:
    if abs(count - last) <= threshold * last:
        assert not should_readjust(last, count, threshold)
    else:
        assert should_readjust(last, count, threshold)


@given(
    expected=st.integers(min_value=1, max_value=2398),
    counts=st.lists(st.integers(min_value=0, max_value=2398), min_size=1, max_size=30),
)
def test_the_acted_on_count_moves_only_on_large_changes(expected: int, counts: list[int]) -> None:
    pushes = [OccupancyPush("e", c, T0 + timedelta(minutes=i)) for i, c in enumerate(counts)]
    acted = expected
    for i, c in enumerate(counts):
        now, _ = acted_count(pushes, expected, 0.15, T0 + timedelta(minutes=i))
        if should_readjust(acted, c, 0.15):
            assert now == c
            acted = c
        else:
            assert now == acted


def test_out_of_order_pushes_the_newest_reading_wins() -> None:
    late = OccupancyPush("e", 1800, T0 + timedelta(minutes=10))
    early = OccupancyPush("e", 1200, T0 + timedelta(minutes=5))
    for order in ([late, early], [early, late]):
        count, when = acted_count(order, 1000, 0.15, T0 + timedelta(minutes=20))
        assert (count, when) == (1800, late.at)


def test_pushes_after_the_instant_are_not_yet_known() -> None:
    push = OccupancyPush("e", 1800, T0 + timedelta(minutes=10))
    assert acted_count([push], 1000, 0.15, T0) == (1000, None)


def test_arrival_and_departure_ramps() -> None:
    doors, curtain = T0, T0 + timedelta(minutes=30)
    assert arrivals(2000, doors, curtain, doors) == 0
    assert arrivals(2000, doors, curtain, doors + timedelta(minutes=15)) == pytest.approx(1000)
    assert arrivals(2000, doors, curtain, curtain + timedelta(hours=1)) == 2000
    assert departures(2000, T0, timedelta(minutes=20), T0 + timedelta(minutes=10)) == 1000
    assert departures(2000, T0, timedelta(minutes=20), T0 + timedelta(minutes=25)) == 0

