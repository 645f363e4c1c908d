"""The electricity tariff, as `zones.yaml`'s `tariff:` describes it: time-of-use bands by
hour of the day, a critical peak in some months, and the prices as ratios to the flat one.

The bands are written as local wall-clock spans that together cover the day once; a
`critical` span (in its months) takes the place of whatever band it falls in. The flat price
is the user's (their contract's); the ratios and the spans are the utility's published ones,
and `source` says where and of when they are.
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

from pydantic import Field, model_validator

from hvac_ctl.model.base import Strict
from hvac_ctl.model.times import Clock


class Band(StrEnum):
    critical = "critical"
    peak = "peak"
    flat = "flat"
    valley = "valley"


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


class Span(Strict):
    band: Band
    start: Clock
    end: Clock  # "00:00" as an end is midnight at the day's end

    def minutes(self) -> range:
        end = _minutes(self.end) or 24 * 60
        return range(_minutes(self.start), end)


class CriticalPeak(Strict):
    months: list[int] = Field(min_length=1)
    spans: list[Span] = Field(min_length=1)

    @model_validator(mode="after")
    def _critical(self) -> CriticalPeak:
        if any(not 1 <= m <= 12 for m in self.months):
            raise ValueError("months are 1–12")
        if any(s.band != Band.critical for s in self.spans):
            raise ValueError("a critical peak's spans have band: critical")
        return self


class Tariff(Strict):
    source: str = Field(min_length=10)  # the utility's notice, its number and date
    flat_cny_per_kwh: float = Field(gt=0, le=10)
    ratios: dict[Band, float]  # each band's price as a multiple of the flat one
    day: list[Span] = Field(min_length=1)
    critical: list[CriticalPeak] = []

    @model_validator(mode="after")
    def _covers_the_day_once(self) -> Tariff:
        covered = [0] * (24 * 60)
        for s in self.day:
            if s.band == Band.critical:
                raise ValueError("the critical peak is written under critical:, by month")
            if s.band not in self.ratios:
                raise ValueError(f"ratios gives no price for the band {s.band}")
            if _minutes(s.end) and _minutes(s.end) <= _minutes(s.start):
                raise ValueError(f"{s.start:%H:%M}–{s.end:%H:%M}: a span ends after it starts")
            for m in s.minutes():
                covered[m] += 1
        if any(c != 1 for c in covered):
            gap = next(m for m, c in enumerate(covered) if c != 1)
            what = "is in no span" if covered[gap] == 0 else "is in two spans"
            raise ValueError(f"day: {gap // 60:02d}:{gap % 60:02d} {what}; the spans must "
                             "cover the day once")
        if self.critical and Band.critical not in self.ratios:
            raise ValueError("ratios gives no price for the critical peak")
        return self

    def band_at(self, month: int, at: time) -> Band:
        """The band of a local wall-clock time in a month."""
        m = _minutes(at)
        for c in self.critical:
            if month in c.months and any(m in s.minutes() for s in c.spans):
                return Band.critical
        return next(s.band for s in self.day if m in s.minutes())

    def price(self, band: Band) -> float:
        """CNY per kWh in a band."""
        return self.flat_cny_per_kwh * self.ratios[band]

    def price_at(self, local: datetime) -> float:
        """CNY per kWh at a local wall-clock instant: what a metered minute costs (the
        evaluation prices each minute of the plant's and the fans' electricity by it)."""
        return self.price(self.band_at(local.month, local.time()))
