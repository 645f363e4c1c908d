"""When the public areas are open: weekly opening hours, with dated exceptions.

Written in a calendar file as `public_hours:`; like the shows' weekly patterns, a dated
exception replaces the week's hours on its day (other hours, or `closed: true`), and a day
the calendar closes (`closed:`) keeps the public areas closed too. Tours through a public
zone and the audiences of the adjacent halls open or crowd it besides (`planner.public`).
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Literal

from pydantic import Field, model_validator

from hvac_ctl.model.base import Strict
from hvac_ctl.model.times import Clock, Day, local_instant

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Hours(Strict):
    open: Clock
    close: Clock

    @model_validator(mode="after")
    def _ordered(self) -> _Hours:
        if self.open >= self.close:
            raise ValueError(f"open {self.open:%H:%M} must be before close {self.close:%H:%M}")
        return self


class WeeklyHours(_Hours):
    days: list[Weekday] = Field(min_length=1)


class DatedHours(Strict):
    date: Day
    open: Clock | None = None
    close: Clock | None = None
    closed: bool = False

    @model_validator(mode="after")
    def _hours_or_closed(self) -> DatedHours:
        if self.closed == (self.open is not None or self.close is not None):
            if self.closed:
                raise ValueError("a closed day gives no open or close")
            raise ValueError("give open and close, or closed: true")
        if not self.closed and (self.open is None or self.close is None):
            raise ValueError("give both open and close")
        if self.open is not None and self.close is not None and self.open >= self.close:
            raise ValueError(f"open {self.open:%H:%M} must be before close {self.close:%H:%M}")
        return self


class PublicHours(Strict):
    model_config = Strict.model_config | {"populate_by_name": True}

    weekly: list[WeeklyHours] = []
    exceptions: list[DatedHours] = Field(default=[], alias="except")

    def on(self, day: date, tz: tzinfo) -> list[tuple[datetime, datetime]]:
        """The day's opening hours as instants (UTC)."""
        dated = [x for x in self.exceptions if x.date == day]
        if dated:
            hours = [(x.open, x.close) for x in dated if not x.closed]
        else:
            wd = WEEKDAYS[day.weekday()]
            hours = [(w.open, w.close) for w in self.weekly if wd in w.days]
        return sorted((local_instant(day, a, tz), local_instant(day, b, tz))
                      for a, b in hours if a is not None and b is not None)


def merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Overlapping or touching spans as one."""
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
