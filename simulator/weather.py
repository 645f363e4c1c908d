"""Outdoor weather: a design-day generator (Beijing defaults) or a CSV file."""

from __future__ import annotations

import csv
import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Protocol

from simulator.psychro import from_wet_bulb, humidity_ratio


@dataclass(frozen=True)
class Outdoor:
    temp_c: float
    w: float  # humidity ratio, kg/kg


class Weather(Protocol):
    def at(self, t: datetime) -> Outdoor: ...


@dataclass(frozen=True)
class DesignDay:
    """A sinusoidal day: maximum at 15:00 local, minimum at 03:00, constant moisture.

    Summer default: Beijing 33.5 °C dry bulb / 26.4 °C wet bulb peak, 9 K diurnal swing.
    Winter default: −9.9 °C minimum, 7 K swing, 45 % RH at the minimum. The shoulders: a warm
    spring afternoon and a cold autumn evening (below).
    """

    peak_c: float
    swing_k: float
    w: float
    tz: tzinfo

    @classmethod
    def summer(cls, tz: tzinfo) -> DesignDay:
        return cls(33.5, 9.0, from_wet_bulb(33.5, 26.4), tz)

    @classmethod
    def winter(cls, tz: tzinfo) -> DesignDay:
        return cls(-9.9 + 7.0, 7.0, humidity_ratio(-9.9, 45.0), tz)

    @classmethod
    def spring_warm(cls, tz: tzinfo) -> DesignDay:
        """A warm, dry spring afternoon: May's hot spells reach 33 °C with a wide swing and
        a low dew point (8 °C) [E: from the May normals, 26 °C / 13.6 °C, plus a spell]."""
        return cls(33.0, 13.0, humidity_ratio(8.0, 100.0), tz)

    @classmethod
    def autumn_cold(cls, tz: tzinfo) -> DesignDay:
        """A cold autumn evening: a November cold wave, 4 °C at 15:00 falling to −5 °C, about
        −1 °C at curtain-up [E: November normals 10.1 °C / 0.0 °C, minus a cold wave]."""
        return cls(4.0, 9.0, humidity_ratio(-5.0, 60.0), tz)

    def at(self, t: datetime) -> Outdoor:
        local = t.astimezone(self.tz)
        hour = local.hour + local.minute / 60 + local.second / 3600
        # cosine with its maximum at 15:00; 05:00 is then 10 h away: near the minimum
        temp = self.peak_c - self.swing_k * (1 - math.cos(2 * math.pi * (hour - 15) / 24)) / 2
        return Outdoor(temp, self.w)


class CsvWeather:
    """Columns `time` (ISO-8601 with offset), `temp_c`, `rh_pct`; linear in between."""

    def __init__(self, path: Path) -> None:
        rows = []
        with path.open(newline="") as f:
            for row in csv.DictReader(f):
                t = datetime.fromisoformat(row["time"])
                if t.tzinfo is None:
                    raise ValueError(f"{path}: time {row['time']} has no UTC offset")
                temp = float(row["temp_c"])
                rows.append((t.timestamp(), temp, humidity_ratio(temp, float(row["rh_pct"]))))
        if not rows:
            raise ValueError(f"{path}: no weather rows")
        rows.sort()
        self._t = [r[0] for r in rows]
        self._rows = rows

    def at(self, t: datetime) -> Outdoor:
        x = t.timestamp()
        i = bisect_right(self._t, x)
        if i == 0:
            return Outdoor(self._rows[0][1], self._rows[0][2])
        if i == len(self._rows):
            return Outdoor(self._rows[-1][1], self._rows[-1][2])
        (t0, a0, w0), (t1, a1, w1) = self._rows[i - 1], self._rows[i]
        f = (x - t0) / (t1 - t0)
        return Outdoor(a0 + f * (a1 - a0), w0 + f * (w1 - w0))


@dataclass(frozen=True)
class Ripple:
    """Another weather plus a fast swing: `amplitude_k` × sin(2π·t / `period`), t from the
    epoch. A spring day's passing clouds and breezes move the air a few kelvin within an hour
    or two; on a day whose afternoon sits near a threshold (24 °C, a public area's cooling)
    the air crosses it several times a day: what a group's mode must not follow."""

    base: Weather
    amplitude_k: float
    period: timedelta

    def at(self, t: datetime) -> Outdoor:
        out = self.base.at(t)
        phase = 2 * math.pi * t.timestamp() / self.period.total_seconds()
        return Outdoor(out.temp_c + self.amplitude_k * math.sin(phase), out.w)
