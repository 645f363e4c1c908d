"""Times as engineers write them in the schedules: "19:30" on a day, in the venue's zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator


def _clock(v: object) -> object:
    """Accept "19:30" (and YAML's own time types); refuse anything else with a plain message."""
    if isinstance(v, time):
        return v
    if isinstance(v, str) and re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", v.strip()):
        h, m = v.strip().split(":")
        return time(int(h), int(m))
    raise ValueError(f"'{v}' is not a time of day like \"19:30\"")


Clock = Annotated[time, BeforeValidator(_clock)]

# The calendar's years. Outside any such bound a day's neighbours or its UTC instants overflow
# (0001-01-01 at +08:00 is in year 0), and the checks and the service expand every day between
# the first and the last event: a typo of 9026 for 2026 would make that seven millennia of
# days, minutes of work. A century keeps it to about a second.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def _in_range(v: date) -> date:
    if not FIRST_DAY <= v <= LAST_DAY:
        raise ValueError(f"{v.isoformat()} is outside the years {FIRST_DAY.year}–{LAST_DAY.year}")
    return v


Day = Annotated[date, AfterValidator(_in_range)]


def local_instant(day: date, at: time, tz: tzinfo) -> datetime:
    """A wall-clock time on a day, as an instant in UTC (fold=0: the first of a repeated hour).

    UTC, because Python compares and subtracts datetimes sharing one tzinfo by wall clock:
    across a daylight-saving change that is an hour wrong.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def exists_locally(day: date, at: time, tz: tzinfo) -> bool:
    """False for a time skipped by a daylight-saving change (02:30 on a spring-forward day)."""
    back = local_instant(day, at, tz).astimezone(tz)
    return (back.date(), back.time().replace(tzinfo=None)) == (day, at)
