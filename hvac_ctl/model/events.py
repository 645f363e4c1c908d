"""Concrete events: a calendar's entries on their days, with timezone-aware instants.

`hall` is the hall an event was written for; an entry that names none belongs to the venue's
first hall (a one-hall calendar names none, and its one hall is `MAIN_HALL`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hvac_ctl.model.site import MAIN_HALL

Origin = tuple[str, tuple[str | int, ...]]


@dataclass(frozen=True)
class ShowEvent:
    id: str
    title: str
    date: date
    doors_open: datetime
    curtain: datetime
    end: datetime
    expected_attendance: int
    live_orchestra: bool
    house_lights: bool
    source: Origin  # where it was written, for messages: (file, ("performances", 3))
    hall: str = MAIN_HALL


@dataclass(frozen=True)
class TourEvent:
    id: str
    date: date
    start: datetime
    end: datetime
    route: tuple[str, ...]
    group_size: int | None
    source: Origin
    hall: str = MAIN_HALL


@dataclass(frozen=True)
class GetInEvent:
    id: str
    date: date
    start: datetime
    end: datetime
    kind: str
    source: Origin
    hall: str = MAIN_HALL


Event = ShowEvent | TourEvent | GetInEvent
KINDS = ("performances", "tours", "get_ins")


