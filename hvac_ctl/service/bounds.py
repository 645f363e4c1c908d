"""The edges of what the API accepts: instants, days and periods the service can compute with.

A type's own range is wider than the service's arithmetic: `0001-01-01T00:00+14:00` is a valid
aware datetime that no UTC conversion survives, `9999-12-31` is a date whose next day does not
exist, and pandas parses periods ("1 days 2 hours", "1ns") it then cannot or should not bin
by. Unchecked, each of these would reach the store, the planner or pandas and come back as a
500; here they become 422s naming the field, before any work is done.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, AwareDatetime

from hvac_ctl.application.errors import Invalid

if TYPE_CHECKING:
    import pandas as pd

# Nothing this service plans, stores or looks up lies outside these: room for old audit
# queries and far-off calendars, and far from the ends of datetime and pandas' nanoseconds.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
SHORTEST_PERIOD = timedelta(seconds=1)  # points are polled every few seconds at most
MOST_SAMPLES = 100_000  # one answer's worth of bins: a year at 5 min, a day at 1 s


def _instant(v: datetime) -> datetime:
    # compared, not converted: astimezone() is what overflows at the ends of the range
    if not EARLIEST <= v < LATEST:
        raise ValueError(f"{v.isoformat()} is outside the years {EARLIEST:%Y}–{LATEST.year - 1}")
    return v


def _day(v: date) -> date:
    if not EARLIEST.date() <= v < LATEST.date():
        raise ValueError(f"{v.isoformat()} is outside the years {EARLIEST:%Y}–{LATEST.year - 1}")
    return v


Instant = Annotated[AwareDatetime, AfterValidator(_instant)]
"""An aware datetime the service can convert, store and plan around."""

Day = Annotated[date, AfterValidator(_day)]
"""A calendar day the planner can plan, its neighbours included."""


def check_period(every: str, start: datetime, end: datetime) -> pd.Timedelta:
    """`every` as a fixed period of at least a second, binning start–end in few enough bins.

    pandas' own parser decides (it is what `resample` uses): weeks and months have no fixed
    length, zero and negative periods cannot bin, and a nanosecond over six hours would ask
    for 2·10¹³ bins. 422 naming `every` for each.
    pandas is imported here, by the first trends request, not when the service starts: it is
    some 50 MiB of the service's resident memory that only trends use.
    """
    import pandas as pd
    from pandas.tseries.frequencies import to_offset

    try:
        step = pd.Timedelta(to_offset(every))
    except (ValueError, TypeError, OverflowError):
        raise _bad_period(f"'{every}' is not a period like 1min or 15s") from None
    if step < SHORTEST_PERIOD:
        raise _bad_period(f"'{every}' is shorter than {SHORTEST_PERIOD.total_seconds():g} s")
    if (end - start) / step > MOST_SAMPLES:
        raise _bad_period(f"'{every}' from {start.isoformat()} to {end.isoformat()} is more "
                          f"than {MOST_SAMPLES} samples: choose a longer period")
    return step


def _bad_period(message: str) -> Invalid:
    return Invalid("every", message, where="query")
