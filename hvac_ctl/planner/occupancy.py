"""The 15 % rule and the audience over time.

A show is re-adjusted only when the seat count moves more than the threshold from the count
last acted on: counts arrive in bursts while doors are open, and every re-adjustment is a
setpoint step the audience can feel. The expected attendance is the first count acted on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.model.venue import Zone, ZoneKind
from hvac_ctl.planner.inputs import OccupancyPush

# A show's counts come within hours of it: the pushes of the last two days cover any plan of
# today (a show past midnight, a precool the day before), so older ones need not be read.
PUSH_HORIZON = timedelta(days=2)


def should_readjust(last_acted: int, count: int, threshold: float = 0.15) -> bool:
    """True when `count` differs from `last_acted` by more than `threshold` of it."""
    if last_acted <= 0:
        return count > 0
    return abs(count - last_acted) > threshold * last_acted


def acted_count(
    pushes: Iterable[OccupancyPush],
    expected: int,
    threshold: float,
    at: datetime,
) -> tuple[int, datetime | None]:
    """The count in force at `at`, and when it was acted on (None: still the expected one).

    Pushes are folded in the order of their own `at` (the newest reading wins, whatever order
    they reached us in); one arriving at the same instant as another keeps the larger count.
    """
    acted, when = expected, None
    for p in sorted(pushes, key=lambda p: (p.at, p.count)):
        if p.at > at:
            break
        if should_readjust(acted, p.count, threshold):
            acted, when = p.count, p.at
    return acted, when


def arrivals(expected: int, doors: datetime, curtain: datetime, at: datetime) -> float:
    """People in the hall at `at` if they arrive evenly between doors open and curtain."""
    if at <= doors:
        return 0.0
    if at >= curtain:
        return float(expected)
    return expected * (at - doors) / (curtain - doors)


def departures(count: int, end: datetime, egress: timedelta, at: datetime) -> float:
    """People still in the hall after the end, leaving evenly over the egress time."""
    if at <= end:
        return float(count)
    if egress <= timedelta(0) or at >= end + egress:
        return 0.0
    return count * (1 - (at - end) / egress)


def plays(zone: Zone, e: ShowEvent) -> bool:
    """Whether a zone is in use in a show: the pit only with a live orchestra (the strategy:
    "start and stop the pit AHU accordingly")."""
    return zone.kind != ZoneKind.pit or e.live_orchestra
