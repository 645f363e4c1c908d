"""Which phase a public area is in: closed, open to the public, or crowded by an audience.

- `crowd`: an audience of an adjacent hall (the group's `halls`) gathers from
  `crowd_before_doors_min` before doors until curtain-up, takes its interval in the middle of
  the performance (`interval_min`, for a performance of 100 minutes or more: the calendar
  gives no interval time, and a long show has one), and leaves from the end for
  `crowd_after_end_min`;
- `open`: the public opening hours (`public_hours` in the calendar), and any tour whose route
  passes through one of the group's zones;
- `idle`: closed.
The busiest of these wins (crowd > open > idle). A group runs as one (one mode, one
setpoint), so each of its zones reports the group's phase.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hvac_ctl.model.calendar import Event, ShowEvent, TourEvent
from hvac_ctl.model.site import PublicGroup
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.outputs import Phase

LONG_SHOW = timedelta(minutes=100)  # a performance this long has an interval
RANK = {"crowd": 2, "open": 1, "idle": 0}


@dataclass(frozen=True)
class Window:
    phase: Phase
    start: datetime
    end: datetime
    event_id: str | None
    why: str


def opening_hours(ctx: Context, day: date) -> list[tuple[datetime, datetime]]:
    """The day's public opening hours (kept: every group asks, on every plan)."""
    found: list[tuple[datetime, datetime]] = ctx.cache.remember(
        ("public open", day), lambda: ctx.config.calendar.public_open(day, ctx.tz))
    return found


def windows(ctx: Context, gid: str, g: PublicGroup, events: Iterable[Event],
            days: Iterable[date]) -> list[Window]:
    """Every stretch in which the group is open or crowded, from the events in reach and the
    opening hours of `days`."""
    zones = set(ctx.venue.zones_of_group(gid))
    halls = set(g.halls)
    out: list[Window] = []
    for day in days:
        for a, b in opening_hours(ctx, day):
            out.append(Window("open", a, b, None, "public opening hours"))
    before = timedelta(minutes=g.crowd_before_doors_min)
    after = timedelta(minutes=g.crowd_after_end_min)
    half = timedelta(minutes=g.interval_min) / 2
    for e in events:
        if isinstance(e, TourEvent) and zones.intersection(e.route):
            out.append(Window("open", e.start, e.end, e.id, f"tour {e.id} passes through"))
        elif isinstance(e, ShowEvent) and e.hall in halls:
            out.append(Window("crowd", e.doors_open - before, e.curtain, e.id,
                              f"the audience of {e.id} gathers"))
            if e.end - e.curtain >= LONG_SHOW and half:
                mid = e.curtain + (e.end - e.curtain) / 2
                out.append(Window("crowd", mid - half, mid + half, e.id,
                                  f"the interval of {e.id}"))
            out.append(Window("crowd", e.end, e.end + after, e.id,
                              f"the audience of {e.id} leaves"))
    return out


def phase_at(found: Iterable[Window], at: datetime) -> Window | None:
    """The busiest window at `at` (between equals the later-starting one); None: idle."""
    best: Window | None = None
    for w in found:
        if w.start <= at < w.end and (best is None or (RANK[w.phase], w.start) > (
                RANK[best.phase], best.start)):
            best = w
    return best
