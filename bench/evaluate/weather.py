"""A reference season's weather: Beijing's monthly normals with day-to-day weather on top.

A design day repeated for three months is a stress test, not a season: every day would be
the hottest of the year. This generator keeps the normals' monthly means and adds the spells
a real summer has — an AR(1) anomaly per day (a hot or a cool spell lasts a few days) —
seeded, so every strategy sees the same weather. The shape within a day is the design day's
(minimum near 03:00, maximum at 15:00); daily parameters are interpolated between noons, so
midnight has no jump. Moisture: the month's mean dew point, moved with the same anomaly,
never above the day's minimum temperature.

Normals: Beijing (Nanjiao), China Meteorological Administration 1981–2010, as tabulated in
the usual climate tables [M: quoted from memory — replace with a TMY file for a real study;
`--weather file.csv` takes one]. Mean daily max / min °C, mean dew point °C.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from simulator.psychro import humidity_ratio
from simulator.weather import Outdoor

NORMALS: dict[int, tuple[float, float, float]] = {
    1: (1.8, -8.4, -17.0),
    2: (5.0, -5.6, -14.5),
    3: (11.6, 0.4, -9.0),
    4: (20.3, 7.9, -2.5),
    5: (26.0, 13.6, 5.5),
    6: (30.2, 18.9, 14.5),
    7: (30.9, 22.0, 20.5),
    8: (29.7, 20.8, 19.5),
    9: (25.8, 14.8, 12.5),
    10: (19.1, 7.9, 3.0),
    11: (10.1, 0.0, -6.0),
    12: (3.3, -5.8, -14.0),
}


@dataclass(frozen=True)
class _Day:
    peak_c: float
    swing_k: float
    w: float


class NormalsWeather:
    """Seeded daily weather around the monthly normals, for `first`…`last` (local days)."""

    def __init__(self, tz: tzinfo, first: date, last: date, seed: int = 2027,
                 persistence: float = 0.7, sigma_k: float = 1.8) -> None:
        self.tz = tz
        self._last: tuple[datetime | None, Outdoor] = (None, Outdoor(0.0, 0.0))
        self._pairs: dict[tuple[date, bool], tuple[_Day, _Day]] = {}
        rng = random.Random(seed)
        anomaly = 0.0
        self._days: dict[date, _Day] = {}
        day = first - timedelta(days=1)
        while day <= last + timedelta(days=1):
            anomaly = persistence * anomaly + rng.gauss(0.0, sigma_k)
            hi, lo, dew = NORMALS[day.month]
            hi, lo = hi + anomaly, lo + anomaly
            dew = min(dew + 0.5 * anomaly, lo)
            self._days[day] = _Day(hi, hi - lo, humidity_ratio(dew, 100.0))
            day += timedelta(days=1)

    def _day(self, d: date) -> _Day:
        return self._days.get(d) or self._days[min(self._days, key=lambda k: abs(k - d))]

    def at(self, t: datetime) -> Outdoor:
        if t == self._last[0]:  # every unit's intake sensor asks at the same instant
            return self._last[1]
        out = self._at(t)
        self._last = (t, out)
        return out

    def _at(self, t: datetime) -> Outdoor:
        local = t.astimezone(self.tz)
        hour = local.hour + local.minute / 60 + local.second / 3600
        # interpolate the day's parameters between this noon and the neighbouring one (the
        # pair kept per half day: the simulator asks every minute)
        key = (local.date(), hour >= 12)
        pair = self._pairs.get(key)
        if pair is None:
            other = key[0] + timedelta(days=1 if key[1] else -1)
            pair = self._pairs[key] = (self._day(key[0]), self._day(other))
        f = abs(hour - 12) / 24
        a, b = pair
        peak = a.peak_c + f * (b.peak_c - a.peak_c)
        swing = a.swing_k + f * (b.swing_k - a.swing_k)
        w = a.w + f * (b.w - a.w)
        temp = peak - swing * (1 - math.cos(2 * math.pi * (hour - 15) / 24)) / 2
        return Outdoor(temp, w)

    def daily(self) -> list[tuple[date, float, float]]:
        """(day, max °C, min °C): for the report."""
        return [(d, x.peak_c, x.peak_c - x.swing_k) for d, x in sorted(self._days.items())]

