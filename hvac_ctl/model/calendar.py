"""The show calendar: performances, tours, get-ins, closed days and weekly patterns.

Engineers write local wall-clock times, as on a show sheet; this module turns a date range of
the calendar into concrete events with timezone-aware instants. Like a BACnet Schedule, a
weekly pattern supplies the routine and dated entries are exceptions that take precedence: on a
date with dated performances, the pattern's performances are dropped (likewise tours and
get-ins), and a closed date has no events at all. A dated entry may say `mode: add` to join
the pattern's day instead; one that says nothing replaces, as BACnet does, and the checks warn
about every pattern occurrence it replaces (an evening show that vanished because a matinee
was added is found in `validate`, not at the box office).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from hvac_ctl.model.events import KINDS as KINDS
from hvac_ctl.model.events import Event as Event
from hvac_ctl.model.events import GetInEvent as GetInEvent
from hvac_ctl.model.events import Origin as Origin
from hvac_ctl.model.events import ShowEvent as ShowEvent
from hvac_ctl.model.events import TourEvent as TourEvent
from hvac_ctl.model.public_hours import PublicHours, merged
from hvac_ctl.model.site import MAIN_HALL
from hvac_ctl.model.times import FIRST_DAY as FIRST_DAY
from hvac_ctl.model.times import LAST_DAY as LAST_DAY
from hvac_ctl.model.times import Clock, Day, local_instant
from hvac_ctl.model.times import _clock as _clock
from hvac_ctl.model.times import _in_range as _in_range
from hvac_ctl.model.times import exists_locally as exists_locally
from hvac_ctl.model.venue import Name, Strict

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ID = r"^[a-z0-9][a-z0-9_.-]*$"




class _Timed(Strict):
    start: Clock
    end: Clock

    @model_validator(mode="after")
    def _not_empty(self) -> _Timed:
        if self.start == self.end:
            raise ValueError("start and end are the same time")
        return self


class _ShowTimes(Strict):
    doors_open: Clock
    curtain: Clock
    end: Clock  # may pass midnight: an end before the curtain is the next day
    expected_attendance: int = Field(ge=0)
    live_orchestra: bool = False
    house_lights: bool = False  # true = interactive show, house lights up

    @model_validator(mode="after")
    def _order(self) -> _ShowTimes:
        if self.doors_open >= self.curtain:
            raise ValueError(
                f"doors_open {self.doors_open:%H:%M} must be before curtain {self.curtain:%H:%M}"
            )
        if _span(self.curtain, self.end) > timedelta(hours=8):
            raise ValueError(
                f"end {self.end:%H:%M} makes the show last more than 8 h after the curtain "
                f"{self.curtain:%H:%M} (an end before the curtain is read as the next day)"
            )
        return self


# `replace`: the pattern's entries of this kind on this date give way (BACnet's exception
# schedule); `add`: this entry joins them. Not given (None): replace, and a warning says so.
DatedMode = Literal["add", "replace"]


def _span(a: time, b: time) -> timedelta:
    """Wall-clock duration from a to b, where b earlier than a means the next day."""
    d = datetime.combine(date(2000, 1, 1), b) - datetime.combine(date(2000, 1, 1), a)
    return d if d > timedelta(0) else d + timedelta(days=1)


class Performance(_ShowTimes):
    id: str = Field(pattern=ID)
    title: str
    date: Day
    hall: Name | None = None  # none: the first hall (a one-hall calendar names none)
    mode: DatedMode | None = None


class Tour(_Timed):
    id: str | None = Field(default=None, pattern=ID)
    date: Day
    route: list[Name] = Field(min_length=1)  # zones: may cross halls and public areas
    group_size: int | None = Field(default=None, ge=1)
    hall: Name | None = None
    mode: DatedMode | None = None


class GetIn(_Timed):
    id: str | None = Field(default=None, pattern=ID)
    date: Day
    kind: Literal["set_up", "strike"] = "set_up"
    hall: Name | None = None
    mode: DatedMode | None = None


class WeeklyPerformance(_ShowTimes):
    days: list[Weekday] = Field(min_length=1)
    title: str
    hall: Name | None = None


class WeeklyTour(_Timed):
    days: list[Weekday] = Field(min_length=1)
    route: list[Name] = Field(min_length=1)
    group_size: int | None = Field(default=None, ge=1)
    hall: Name | None = None


class WeeklyGetIn(_Timed):
    days: list[Weekday] = Field(min_length=1)
    kind: Literal["set_up", "strike"] = "set_up"
    hall: Name | None = None


class WeeklyPattern(Strict):
    model_config = Strict.model_config | {"populate_by_name": True}

    name: str
    start: Day = Field(alias="from")
    to: Day
    skip: list[Day] = Field(default=[], alias="except")
    performances: list[WeeklyPerformance] = []
    tours: list[WeeklyTour] = []
    get_ins: list[WeeklyGetIn] = []

    @model_validator(mode="after")
    def _range(self) -> WeeklyPattern:
        if self.start > self.to:
            raise ValueError(f"from {self.start} is after to {self.to}")
        return self

    def active_on(self, day: date) -> bool:
        return self.start <= day <= self.to and day not in self.skip


def _one_or_many(v: object) -> object:
    return [v] if isinstance(v, dict) else v


class CalendarFile(Strict):
    """One file under `schedules/calendar/`."""

    performances: list[Performance] = []
    tours: list[Tour] = []
    get_ins: list[GetIn] = []
    closed: list[Day] = []
    weekly: Annotated[list[WeeklyPattern], BeforeValidator(_one_or_many)] = []
    public_hours: PublicHours | None = None  # when the public areas are open


# --- concrete events (`events`), and each day's ----------------------------------------

@dataclass(frozen=True)
class Replacement:
    """A dated entry that replaces the pattern's occurrences of its kind on its day."""

    dated: Event
    explicit: bool  # the entry says `mode: replace` (else it was left to the default)
    replaced: tuple[Event, ...]


@dataclass(frozen=True)
class CalendarDay:
    """One day as it will run: its events, and what its dated entries replaced."""

    day: date
    events: list[Event]
    replacements: list[Replacement]

    def replaced_ids(self) -> set[str]:
        return {e.id for r in self.replacements for e in r.replaced}


def _after(day: date, start: time, end: time, tz: tzinfo) -> tuple[datetime, datetime]:
    a = local_instant(day, start, tz)
    b = local_instant(day if end > start else day + timedelta(days=1), end, tz)
    return a, b


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "show"


@dataclass(frozen=True)
class Calendar:
    """All calendar files of a venue, merged; `files` keeps each file's name for messages.
    An entry that names no hall belongs to `first_hall` (the venue's first)."""

    files: tuple[tuple[str, CalendarFile], ...]
    first_hall: str = MAIN_HALL

    @property
    def closed(self) -> frozenset[date]:
        return frozenset(d for _, f in self.files for d in f.closed)

    def date_range(self) -> tuple[date, date] | None:
        days = [
            d
            for _, f in self.files
            for d in (
                *(p.date for p in f.performances),
                *(t.date for t in f.tours),
                *(g.date for g in f.get_ins),
                *(w.start for w in f.weekly),
                *(w.to for w in f.weekly),
            )
        ]
        return (min(days), max(days)) if days else None

    def events_on(self, day: date, tz: tzinfo) -> list[Event]:
        """Every event whose date is `day` (an event may run past midnight into the next)."""
        return self.day(day, tz).events

    def day(self, day: date, tz: tzinfo) -> CalendarDay:
        """The day's effective events, and the pattern occurrences its dated entries replace."""
        if day in self.closed:
            return CalendarDay(day, [], [])
        dated = self._dated(day, tz)
        routine = self._routine(day, tz)
        events: list[Event] = []
        replaced: list[Replacement] = []
        for kind in KINDS:
            # each hall's dated entries give way to (or join) that hall's routine only
            for hall in dict.fromkeys([*(e.hall for e in routine[kind]),
                                       *(e.hall for e, _ in dated[kind])]):
                pattern = _unique_ids([e for e in routine[kind] if e.hall == hall], tz)
                own = [(e, m) for e, m in dated[kind] if e.hall == hall]
                replacing = [(e, m) for e, m in own if m != "add"]
                events.extend(e for e, _ in own)
                if replacing and pattern:
                    replaced.extend(Replacement(e, m is not None, tuple(pattern))
                                    for e, m in replacing)
                else:
                    events.extend(pattern)
        events = _unique_across_halls(events)
        events.sort(key=lambda e: (_start(e), e.id))
        return CalendarDay(day, events, replaced)

    def _dated(self, day: date, tz: tzinfo) -> dict[str, list[tuple[Event, str | None]]]:
        """The day's dated entries by kind, each with the mode it was written with."""
        dated: dict[str, list[tuple[Event, str | None]]] = {k: [] for k in KINDS}
        first = self.first_hall
        for fname, f in self.files:
            for i, p in enumerate(f.performances):
                if p.date == day:
                    src = (fname, ("performances", i))
                    dated["performances"].append(
                        (_show(p.id, p.title, day, p, tz, src, p.hall or first), p.mode))
            for i, t in enumerate(f.tours):
                if t.date == day:
                    a, b = _after(day, t.start, t.end, tz)
                    tid = t.id or f"tour-{day.isoformat()}-{t.start:%H%M}"
                    src = (fname, ("tours", i))
                    dated["tours"].append((TourEvent(tid, day, a, b, tuple(t.route),
                                                     t.group_size, src, t.hall or first), t.mode))
            for i, g in enumerate(f.get_ins):
                if g.date == day:
                    a, b = _after(day, g.start, g.end, tz)
                    gid = g.id or f"{g.kind.replace('_', '-')}-{day.isoformat()}-{g.start:%H%M}"
                    src = (fname, ("get_ins", i))
                    dated["get_ins"].append(
                        (GetInEvent(gid, day, a, b, g.kind, src, g.hall or first), g.mode))
        return dated

    def _routine(self, day: date, tz: tzinfo) -> dict[str, list[Event]]:
        """The weekly patterns' occurrences on the day, by kind, before any exception."""
        weekday = WEEKDAYS[day.weekday()]
        routine: dict[str, list[Event]] = {k: [] for k in KINDS}
        first = self.first_hall
        src: Origin
        for fname, f in self.files:
            for wi, w in enumerate(f.weekly):
                if not w.active_on(day):
                    continue
                for j, wp in enumerate(w.performances):
                    if weekday in wp.days:
                        pid = f"{_slug(wp.title)}-{day.isoformat()}"
                        src = (fname, ("weekly", wi, "performances", j))
                        routine["performances"].append(
                            _show(pid, wp.title, day, wp, tz, src, wp.hall or first))
                for j, wt in enumerate(w.tours):
                    if weekday in wt.days:
                        a, b = _after(day, wt.start, wt.end, tz)
                        tid = f"tour-{day.isoformat()}-{wt.start:%H%M}"
                        src = (fname, ("weekly", wi, "tours", j))
                        routine["tours"].append(TourEvent(
                            tid, day, a, b, tuple(wt.route), wt.group_size, src, wt.hall or first))
                for j, wg in enumerate(w.get_ins):
                    if weekday in wg.days:
                        a, b = _after(day, wg.start, wg.end, tz)
                        gid = f"{wg.kind.replace('_', '-')}-{day.isoformat()}-{wg.start:%H%M}"
                        src = (fname, ("weekly", wi, "get_ins", j))
                        routine["get_ins"].append(
                            GetInEvent(gid, day, a, b, wg.kind, src, wg.hall or first))
        return routine

    def public_open(self, day: date, tz: tzinfo) -> list[tuple[datetime, datetime]]:
        """The public areas' opening hours on `day` (none on a closed day)."""
        if day in self.closed:
            return []
        return merged([span for _, f in self.files if f.public_hours is not None
                       for span in f.public_hours.on(day, tz)])

    def events_between(self, first: date, last: date, tz: tzinfo) -> list[Event]:
        out: list[Event] = []
        day = first
        while day <= last:
            out.extend(self.events_on(day, tz))
            day += timedelta(days=1)
        return out


def _show(pid: str, title: str, day: date, t: _ShowTimes, tz: tzinfo, source: Origin,
          hall: str) -> ShowEvent:
    doors = local_instant(day, t.doors_open, tz)
    curtain = local_instant(day, t.curtain, tz)
    _, end = _after(day, t.curtain, t.end, tz)
    return ShowEvent(
        pid, title, day, doors, curtain, end, t.expected_attendance, t.live_orchestra,
        t.house_lights, source, hall,
    )


def _unique_ids(events: list[Event], tz: tzinfo) -> list[Event]:
    """Two pattern shows of one title on one day (matinee and evening) get the time appended."""
    seen: dict[str, int] = {}
    for e in events:
        seen[e.id] = seen.get(e.id, 0) + 1
    return [
        replace(e, id=f"{e.id}-{_start(e).astimezone(tz):%H%M}") if seen[e.id] > 1 else e
        for e in events
    ]


def _unique_across_halls(events: list[Event]) -> list[Event]:
    """Two halls' weekly shows of one title on one day (a chamber concert in the concert hall
    and in the drama theatre) get their hall appended: event ids are unique across the site,
    as the occupancy push finds its show by id. A one-hall day never has such a pair."""
    seen: dict[str, set[str]] = {}
    for e in events:
        seen.setdefault(e.id, set()).add(e.hall)
    if all(len(halls) == 1 for halls in seen.values()):
        return events
    return [replace(e, id=f"{e.id}-{e.hall}") if len(seen[e.id]) > 1 and e.source[1][:1] == (
        "weekly",) else e for e in events]


def _start(e: Event) -> datetime:
    return e.doors_open if isinstance(e, ShowEvent) else e.start
