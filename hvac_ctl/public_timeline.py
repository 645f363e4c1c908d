"""A public group's minutes, read back from the stored trends: its mode, its zones' temperature
and RH, the outdoor air, whether it was occupied and the band in force — what
`hvac-ctl report public` counts and plots.

The trends are resampled on a one-minute grid, each point holding its latest good reading for
at most 15 minutes (the poller records every few seconds: an older reading means the service
or the unit was away, and that minute counts as no data rather than as the last value). A
group's mode at a minute is the `mode` point of its running units (running: `fan_status`,
else `enable`, true; the mode's number read through the unit's `states`); `off` when none
runs; `mixed` when running units disagree (our planner gives a group one mode, a baseline may
not); `unknown` when units ran but no `mode` reading says how; None (no data) when nothing is
known. Zone readings are the mean of the zone's units'
(`show_report`'s rule); occupied means the calendar's public hours.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from hvac_ctl.model import Config
from hvac_ctl.show_report import _mean_series
from hvac_ctl.store import Store

STEP = timedelta(minutes=1)
MAX_AGE = timedelta(minutes=15)
UNKNOWN = "unknown"  # units ran, but no `mode` reading says in what
PUBLIC_STATES = {1: "cool", 2: "heat", 3: "vent", 4: "dehumidify"}  # a public unit's `mode`


class ReportError(Exception):
    """Nothing to report, said in a sentence the command prints (exit 1)."""


@dataclass
class Timeline:
    """The group's minutes: what the plot draws and the statistics count."""

    grid: list[datetime]
    mode: list[str | None]
    temp: dict[str, list[float | None]]
    rh: dict[str, list[float | None]]
    oa_c: list[float | None]
    oa_rh: list[float | None]
    occupied: list[bool]
    season: list[str]
    band: list[tuple[float, float]]


def held(series: list[tuple[datetime, float]], grid: list[datetime]) -> list[float | None]:
    """At each grid instant the latest reading at or before it, if not older than MAX_AGE."""
    times = [t for t, _ in series]
    out: list[float | None] = []
    for g in grid:
        i = bisect_right(times, g) - 1
        out.append(series[i][1] if i >= 0 and g - times[i] <= MAX_AGE else None)
    return out


def good(store: Store, unit: str, point: str, a: datetime, b: datetime
          ) -> list[tuple[datetime, float]]:
    return [(t, v) for t, v, ok in store.trends(unit, point, a, b) if ok and v is not None]


def group_mode(units: list[tuple[float | None, str | None]]) -> str | None:
    """(running, mode) of each unit at one minute → the group's mode, None for no data."""
    if all(r is None for r, _ in units):
        return None
    modes = {m for r, m in units if r is not None and r > 0.5}
    if not modes:
        return "off"
    known = modes - {None}
    if not known:
        return UNKNOWN
    return known.pop() if len(known) == 1 else "mixed"


def timeline(store: Store, config: Config, group: str, grid: list[datetime],
              a: datetime, b: datetime) -> Timeline:
    venue, tz = config.venue, config.venue.venue.tz
    zones = venue.zones_of_group(group)
    units = [u for z in zones for u in venue.units_of(z)]
    since = a - MAX_AGE
    per_unit = []
    for u in units:
        spec = venue.units[u].points.mode
        if spec is None:
            continue  # an exhaust: no mode to count
        names = {n: s for s, n in spec.states.items()} if spec.states else PUBLIC_STATES
        run = held(good(store, u, "fan_status", since, b), grid)
        enable = held(good(store, u, "enable", since, b), grid)
        mode = held(good(store, u, "mode", since, b), grid)
        per_unit.append([(r if r is not None else e,
                          names.get(round(m)) if m is not None else None)
                         for r, e, m in zip(run, enable, mode, strict=True)])
    modes: list[str | None] = [None] * len(grid)
    if per_unit:
        modes = [group_mode(list(at)) for at in zip(*per_unit, strict=True)]
    temp = {z: held(_mean_series(store, venue.units_of(z), "zone_temp", since, b), grid)
            for z in zones}
    rh = {z: held(_mean_series(store, venue.units_of(z), "zone_rh", since, b), grid)
          for z in zones}
    days: dict[date, tuple[list[tuple[datetime, datetime]], str]] = {}
    occupied, season, band = [], [], []
    for g in grid:
        day = g.astimezone(tz).date()
        if day not in days:
            try:
                name = config.seasons.name_for(day)
            except LookupError as e:
                raise ReportError(f"schedules/seasons.yaml: {e}") from None
            days[day] = (config.calendar.public_open(day, tz), name)
        spans, name = days[day]
        occupied.append(any(s <= g < e for s, e in spans))
        season.append(name)
        band.append(config.seasons.seasons[name].public_for(group).band_c)
    return Timeline(grid, modes, temp, rh,
                    held(_mean_series(store, units, "oa_temp", since, b), grid),
                    held(_mean_series(store, units, "oa_rh", since, b), grid),
                    occupied, season, band)


def has_data(tl: Timeline) -> bool:
    series: list[list[Any]] = [tl.mode, tl.oa_c, tl.oa_rh, *tl.temp.values(),
                               *tl.rh.values()]
    return any(v is not None for s in series for v in s)
