"""Days of one shape plan alike: each shape is planned once, and moved to its other days.

A day planned with nothing measured, pushed, overridden or learned — a preview, the
evaluation's year, a show's report — depends on its date only through its *shape*: the
length of the day, the UTC offsets of the midnights around it, the season of each day in
reach, the outdoor temperatures it is told, and the events in reach, each as its kind, its
day relative to this one, its times from this day's midnight and every other field but its
id, date, title and source (the plan never reads those but to name the event). A
production's run repeats its shape night after night: the shipped calendar's year is some
fifty shapes, not 253 days with events.

A day of a known shape is the kept plan moved by the time between the two midnights, with
each event's id swapped for its counterpart's in the event ids and the reasons, and its
title in the show times. An id is swapped only where it stands as a whole word, and a day
is given a shape only if every event's id holds the event's date (as generated ids do):
such an id cannot be part of the planner's own words, which name no dates. A day whose ids
do not is planned afresh. `tests/test_day_shapes.py` plans years of two calendars both ways
and compares every segment and show time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any

from hvac_ctl.model.calendar import Event, ShowEvent
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.egress import steps as egress_steps
from hvac_ctl.planner.inputs import PlanInputs
from hvac_ctl.planner.outputs import DayPlan, Segment, ShowTimes
from hvac_ctl.planner.post_show import egress
from hvac_ctl.planner.show import settle_instants

_NAMING = frozenset({"id", "date", "title", "source"})  # what names an event, not its plan
_FIELDS: dict[type, tuple[str, ...]] = {}


def applies(inputs: PlanInputs) -> bool:
    """Nothing known that belongs to one date: only the outdoor temperatures, which are in
    the shape."""
    return not (inputs.occupancy or inputs.overrides or inputs.measurements or inputs.history
                or inputs.co2_at_doors or inputs.modes or inputs.deviations)


def _timed(e: Event) -> tuple[str, ...]:
    names = _FIELDS.get(type(e))
    if names is None:
        names = _FIELDS[type(e)] = tuple(f.name for f in fields(e) if f.name not in _NAMING)
    return names


def _last(ctx: Context, e: Event) -> datetime:
    """The end of the last claim or instant an event lays, with nothing measured: a
    post-show at its season's longest, the egress steps, the settle after curtain."""
    if not isinstance(e, ShowEvent):
        return e.end
    season = ctx.season(ctx.season_name(e.date))
    post = max((zs.post_show.max_minutes for zs in season.zones.values()
                if zs.post_show is not None), default=0)
    return max(e.end + timedelta(minutes=post), *egress_steps(e.end, egress(ctx)),
               *settle_instants(season, e))


def shape(ctx: Context, day: date, start: datetime, end: datetime,
          events: Sequence[Event]) -> tuple[Any, ...] | None:
    """Everything the plan of `day` reads from the calendar and the clock, free of its date;
    None if an event's id does not hold its date (see the module's docstring)."""
    tz = ctx.tz
    days = [day + timedelta(days=n) for n in (-1, 0, 1)]
    parts: list[Any] = [
        end - start, ctx.inputs.outdoor_temp_c, ctx.inputs.outdoor_air_c,
        tuple(datetime.combine(d, time(0), tzinfo=tz).utcoffset() for d in (*days, days[-1]
                                                                               + timedelta(1))),
        tuple(ctx.season_name(d) for d in days),
    ]
    for e in events:
        if e.date.isoformat() not in e.id:
            return None
        values = [getattr(e, name) for name in _timed(e)]
        parts.append((type(e).__name__, (e.date - day).days,
                      *(v - start if isinstance(v, datetime) else v for v in values)))
    return tuple(parts)


@dataclass(frozen=True)
class Kept:
    """A planned day of some shape, ready to move: its midnight, and each segment's reason
    and event id with the events named by their place in the shape (a format string, and
    an index), so that a move fills in the new ids without searching the text again."""

    plan: DayPlan
    start: datetime
    ids: tuple[str, ...]  # its events', in the shape's order
    reasons: tuple[str | None, ...]  # None: the reason names no event
    event_ids: tuple[int | None, ...]

    @classmethod
    def of(cls, plan: DayPlan, start: datetime, events: Sequence[Event]) -> Kept:
        place = {e.id: n for n, e in reversed(list(enumerate(events)))}
        words = sorted(place, key=len, reverse=True)  # the longest first, where one is
        pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])"
                             ) if words else None
        reasons: dict[str, str | None] = {}
        for s in plan.segments:
            if s.reason not in reasons:
                fmt = None if pattern is None else pattern.sub(
                    lambda m: f"{{{place[m[1]]}}}",
                    s.reason.replace("{", "{{").replace("}", "}}"))
                reasons[s.reason] = None if pattern is None or fmt == s.reason.replace(
                    "{", "{{").replace("}", "}}") else fmt
        return cls(plan, start, tuple(e.id for e in events),
                   tuple(reasons[s.reason] for s in plan.segments),
                   tuple(None if s.event_id is None else place[s.event_id]
                         for s in plan.segments))

    def moved(self, day: date, start: datetime, events: Sequence[Event]) -> DayPlan:
        """This plan on `day`, whose midnight is `start` and whose events (in the shape's
        order) stand where this plan's did."""
        by = start - self.start
        ids = [e.id for e in events]
        made: dict[str, str] = {}
        segments = []
        for s, fmt, n in zip(self.plan.segments, self.reasons, self.event_ids, strict=True):
            reason = s.reason
            if fmt is not None:
                reason = made.get(fmt) or made.setdefault(fmt, fmt.format(*ids))
            segments.append(Segment(s.zone, s.phase, s.start + by, s.end + by, s.setpoint_c,
                                    s.mode, None if n is None else ids[n], s.units, reason))
        shows = []
        for t in self.plan.shows:
            e = events[self.ids.index(t.event_id)]
            assert isinstance(e, ShowEvent)
            shows.append(ShowTimes.of(
                e.id, e.title, t.doors_open + by, t.curtain + by, t.end + by,
                t.expected_attendance, {z: at + by for z, at in t.precool_start.items()},
                t.precool_target_c, {z: at + by for z, at in t.oa_open.items()}))
        return DayPlan(day, self.plan.tz, tuple(segments), tuple(shows))


def plan_by_shape(ctx: Context, day: date, start: datetime, end: datetime,
                  events: Sequence[Event], plan: Callable[[], DayPlan]) -> DayPlan:
    """The day's plan: moved from a kept day of its shape, or planned by `plan` and kept."""
    # yesterday's events over before midnight: the day reads nothing of them (their claims
    # are never active in it, their instants are not in it), and the shape need not either
    events = [e for e in events if _last(ctx, e) > start]
    key = shape(ctx, day, start, end, events)
    if key is None:
        return plan()
    kept = ctx.cache.remember(("day shape", key), lambda: Kept.of(plan(), start, events))
    return kept.plan if kept.start == start else kept.moved(day, start, events)
