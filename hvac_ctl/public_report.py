"""`hvac-ctl report public`: what the public groups did, read back from the stored trends, so
that each group's automatic programme (thresholds, staging) is refined from statistics rather
than guessed (the study's "use the recorded operating data").

Over the group's minutes (`public_timeline`: a one-minute grid of held readings):
- hours in each mode (cool, heat, vent, dehumidify, off, mixed);
- a switch is a change between two running modes (cool, heat, vent, dehumidify), across an
  off spell too; `mixed` minutes are neither side of one. Each is shown with the outdoor
  dry-bulb, RH and dew point at its minute;
- zone temperature and RH percentiles (p5, p50, p95) over the occupied minutes, when the
  group's band (`Season.public_for(group).band_c` of the season in force that day) applies,
  and the share of them outside it;
- suggested thresholds (`_stump`): among the occupied minutes in vent (for dehumidify: vent
  or cool), a minute "lost the band" when a zone was above the band (vent→cool), below it
  (heat↔vent), or above its RH limit (`limits.idle_rh_pct`'s top: dehumidify). The
  suggestion is the outdoor value — dry-bulb, or dew point — that best separates the lost
  minutes from the held ones (lost above it; below it for heat), with the fewest minutes on
  the wrong side ("misfit"). A decision stump rather than a percentile of the lost minutes:
  it uses the held minutes too, so a few noisy minutes move it little. It is where the band
  was lost in practice, not where hysteresis and dwell would have switched: set the
  threshold a little before it. Minutes in cool that undershot the band (cooling too early)
  are not read: the evidence is where the cheaper mode failed.
"""

from __future__ import annotations

import statistics
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from hvac_ctl.model import Config
from hvac_ctl.model.venue import ZoneKind
from hvac_ctl.planner.psychro import dew_point_c
from hvac_ctl.public_timeline import STEP, UNKNOWN, ReportError, Timeline, has_data, timeline
from hvac_ctl.store import Store

__all__ = ["MODES", "GroupReport", "PublicReport", "ReportError", "public_report"]

RUNNING_MODES = ("cool", "heat", "vent", "dehumidify")
MODES = (*RUNNING_MODES, "off", "mixed")
SWITCHES_SHOWN = 30  # the text lists the last ones; --json has them all
METHOD = (
    "Suggested thresholds: among the occupied minutes in vent (dehumidify: vent or cool), a "
    "minute lost the band when a zone was above it (vent→cool), below it (heat↔vent) or above "
    "its RH limit (dehumidify). The suggestion is the outdoor value (dry-bulb; dew point for "
    "dehumidify) that best separates lost minutes from held ones, lost above it (below it for "
    "heat); 'misfit' counts the minutes on the wrong side. It is where the band was lost, not "
    "where hysteresis and dwell would switch: set the threshold a little before it.")


@dataclass(frozen=True)
class Switch:
    at: datetime
    before: str
    after: str
    oa_c: float | None
    oa_rh_pct: float | None
    dew_point_c: float | None


@dataclass(frozen=True)
class ZoneStats:
    zone: str
    occupied_h: float
    temp_c: tuple[float, float, float] | None  # p5, p50, p95 over occupied minutes
    rh_pct: tuple[float, float, float] | None
    bands_c: list[tuple[float, float]]  # the bands in force over the range
    outside_share: float | None  # of the occupied minutes with a reading


@dataclass(frozen=True)
class Suggestion:
    season: str
    kind: str  # vent→cool, heat↔vent, dehumidify
    key: str  # the season's `public` key it refines
    measure: str  # outdoor dry-bulb | outdoor dew point
    current: float
    suggested: float | None
    minutes: int  # the evidence: occupied minutes in the mode(s) it reads
    lost: int
    misfit: int
    note: str


@dataclass(frozen=True)
class GroupReport:
    group: str
    name: str
    zones: tuple[str, ...]
    units: list[str]
    hours: dict[str, float]
    data_h: float
    switches: list[Switch]
    per_day: dict[date, int]
    zone_stats: list[ZoneStats]
    suggestions: list[Suggestion]
    timeline: Timeline = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        n = len(self.per_day)
        return {
            "group": self.group, "name": self.name, "zones": list(self.zones),
            "units": self.units, "hours": self.hours, "data_h": self.data_h,
            "switches_per_day": round(len(self.switches) / n, 2) if n else 0.0,
            "switches_by_day": {d.isoformat(): k for d, k in self.per_day.items()},
            "switches": [{"at": s.at.isoformat(), "from": s.before, "to": s.after,
                          "oa_c": s.oa_c, "oa_rh_pct": s.oa_rh_pct,
                          "dew_point_c": s.dew_point_c} for s in self.switches],
            "zones_stats": [{"zone": z.zone, "occupied_h": z.occupied_h,
                             "temp_c_p5_p50_p95": z.temp_c, "rh_pct_p5_p50_p95": z.rh_pct,
                             "bands_c": z.bands_c, "outside_band_share": z.outside_share}
                            for z in self.zone_stats],
            "suggestions": [vars(s) for s in self.suggestions],
        }


@dataclass(frozen=True)
class PublicReport:
    venue: str
    tz: tzinfo
    first: date
    last: date
    groups: list[GroupReport]

    def to_json(self) -> dict[str, Any]:
        return {"venue": self.venue, "from": self.first.isoformat(),
                "to": self.last.isoformat(), "step_min": STEP.total_seconds() / 60,
                "method": METHOD, "groups": [g.to_json() for g in self.groups]}

    def text(self) -> str:
        lines = [f"Public groups of {self.venue}, {self.first} → {self.last} (one-minute grid; "
                 "occupied = the calendar's public hours)"]
        for g in self.groups:
            lines += ["", *_group_text(g, self.tz)]
        return "\n".join([*lines, "", *textwrap.wrap(METHOD, 100)])


def _group_text(g: GroupReport, tz: tzinfo) -> list[str]:
    days = len(g.per_day)
    busiest = max(g.per_day.items(), key=lambda kv: kv[1]) if g.per_day else None
    lines = [f"{g.group} ({g.name}): zones {', '.join(g.zones)}; units {', '.join(g.units)}; "
             f"{g.data_h:.1f} h with data",
             "  hours: " + ", ".join(f"{m} {g.hours[m]:.1f}" for m in MODES)
             + (f"; running in an unknown mode {g.hours[UNKNOWN]:.1f} (no `mode` trend)"
                if g.hours[UNKNOWN] else ""),
             f"  switches: {len(g.switches)} ({len(g.switches) / max(days, 1):.2f} a day"
             + (f"; most {busiest[1]} on {busiest[0]})" if busiest else ")")
             + (f"; the last {SWITCHES_SHOWN}:" if len(g.switches) > SWITCHES_SHOWN else "")]
    for s in g.switches[-SWITCHES_SHOWN:]:
        oa = f"{s.oa_c:.1f} °C" if s.oa_c is not None else "? °C"
        rh = f", {s.oa_rh_pct:.0f} % RH" if s.oa_rh_pct is not None else ""
        dp = f", dew point {s.dew_point_c:.1f} °C" if s.dew_point_c is not None else ""
        lines.append(f"    {s.at.astimezone(tz):%Y-%m-%d %H:%M}  {s.before}→{s.after:<11}"
                     f" outdoor {oa}{rh}{dp}")
    for z in g.zone_stats:
        bands = ", ".join(f"{lo:g}–{hi:g}" for lo, hi in z.bands_c)
        t = "/".join(f"{v:.1f}" for v in z.temp_c) if z.temp_c else "no readings"
        rh = "/".join(f"{v:.0f}" for v in z.rh_pct) if z.rh_pct else "no readings"
        out = f"{100 * z.outside_share:.1f} %" if z.outside_share is not None else "?"
        lines.append(f"  {z.zone}: over {z.occupied_h:.1f} occupied h, temperature p5/p50/p95 "
                     f"{t} °C, band {bands} °C, {out} outside; RH p5/p50/p95 {rh} %")
    for x in g.suggestions:
        new = f"{x.suggested:.1f}" if x.suggested is not None else "—"
        lines.append(f"  {x.season} {x.kind:<10} {x.key} now {x.current:g}, suggested {new} "
                     f"({x.measure}; {x.minutes} min, {x.lost} lost, {x.misfit} misfit): "
                     f"{x.note}")
    return lines


def _pct(values: list[float]) -> tuple[float, float, float] | None:
    if len(values) < 2:
        return (values[0],) * 3 if values else None
    q = statistics.quantiles(values, n=20, method="inclusive")
    return round(q[0], 2), round(q[9], 2), round(q[18], 2)


def _zone_stats(tl: Timeline, zone: str) -> ZoneStats:
    on = [i for i, o in enumerate(tl.occupied) if o]
    temps = [(t, tl.band[i]) for i in on if (t := tl.temp[zone][i]) is not None]
    rhs = [v for i in on if (v := tl.rh[zone][i]) is not None]
    outside = sum(1 for t, (lo, hi) in temps if not lo <= t <= hi)
    return ZoneStats(zone, round(len(on) * STEP / timedelta(hours=1), 2),
                     _pct([t for t, _ in temps]), _pct(rhs),
                     sorted({tl.band[i] for i in on}),
                     round(outside / len(temps), 4) if temps else None)


def _stump(pairs: list[tuple[float, bool]], above: bool) -> tuple[float, int]:
    """The threshold that best separates lost (True) from held minutes: lost above it (or
    below it, `above=False`), the fewest on the wrong side; (threshold, misfit). Ties: the
    split nearest the middle of the tied ones. Both kinds must be present."""
    if not above:
        t, wrong = _stump([(-x, lost) for x, lost in pairs], True)
        return -t, wrong
    xs = sorted(pairs)
    lost_total = sum(lost for _, lost in xs)
    best: list[tuple[int, float]] = []
    held_below = lost_below = 0
    for i, (x, lost) in enumerate(xs):
        held_below += not lost
        lost_below += lost
        if i + 1 < len(xs) and xs[i + 1][0] == x:
            continue
        nxt = xs[i + 1][0] if i + 1 < len(xs) else x
        wrong = lost_below + (len(xs) - i - 1 - (lost_total - lost_below))
        best.append((wrong, (x + nxt) / 2))
    best.insert(0, (len(xs) - lost_total, xs[0][0]))  # lost everywhere
    least = min(w for w, _ in best)
    ties = [t for w, t in best if w == least]
    return ties[len(ties) // 2], least


KINDS = (  # kind, key, measure, the modes read, above?, lost at a minute
    ("vent→cool", "cool_above_c", "outdoor dry-bulb", ("vent",), True, "warm"),
    ("heat↔vent", "heat_below_c", "outdoor dry-bulb", ("vent",), False, "cold"),
    ("dehumidify", "dehumidify_dew_point_c", "outdoor dew point", ("vent", "cool"), True,
     "humid"),
)


def _suggestions(tl: Timeline, config: Config, group: str) -> list[Suggestion]:
    zones = list(tl.temp)
    rh_top = {z: config.venue.zones[z].limits.idle_rh_pct[1] for z in zones}
    out = []
    for season in sorted(set(tl.season), key=tl.season.index):
        settings = config.seasons.seasons[season].public_for(group)
        for kind, key, measure, modes, above, loss in KINDS:
            pairs = []
            for i, m in enumerate(tl.mode):
                if tl.season[i] != season or not tl.occupied[i] or m not in modes:
                    continue
                oa, rh = tl.oa_c[i], tl.oa_rh[i]
                x = oa if loss != "humid" else (
                    dew_point_c(oa, rh) if oa is not None and rh is not None else None)
                lo, hi = tl.band[i]
                if loss == "humid":
                    vals = [(v, rh_top[z]) for z in zones if (v := tl.rh[z][i]) is not None]
                    lost = any(v > top for v, top in vals)
                else:
                    vals = [(v, 0.0) for z in zones if (v := tl.temp[z][i]) is not None]
                    lost = any(v > hi if loss == "warm" else v < lo for v, _ in vals)
                if x is not None and vals:
                    pairs.append((x, lost))
            out.append(_suggest(season, kind, key, measure, getattr(settings, key), pairs,
                                above, "/".join(modes)))
    return out


def _suggest(season: str, kind: str, key: str, measure: str, current: float,
             pairs: list[tuple[float, bool]], above: bool, modes: str) -> Suggestion:
    lost = sum(lost for _, lost in pairs)
    side = "above" if above else "below"
    if not pairs:
        return Suggestion(season, kind, key, measure, current, None, 0, 0, 0,
                          f"no occupied minutes in {modes} with outdoor readings")
    xs = [x for x, _ in pairs]
    if lost == 0:
        edge = max(xs) if above else min(xs)
        return Suggestion(season, kind, key, measure, current, None, len(pairs), 0, 0,
                          f"never lost in {modes}, out to {edge:.1f}: "
                          "nothing says move it (beyond that it is untested)")
    if lost == len(pairs):
        edge = min(xs) if above else max(xs)
        return Suggestion(season, kind, key, measure, current, round(edge, 1), len(pairs),
                          lost, 0, f"lost at every minute in {modes}, down to {edge:.1f}: "
                          f"the threshold lies {'below' if above else 'above'} that")
    t, misfit = _stump(pairs, above)
    return Suggestion(season, kind, key, measure, current, round(t, 1), len(pairs), lost,
                      misfit, f"the band was lost {side} {t:.1f} in {modes}")


def group_report(store: Store, config: Config, group: str, first: date, last: date
                 ) -> GroupReport:
    tz = config.venue.venue.tz
    a = datetime.combine(first, time(0), tz).astimezone(UTC)  # UTC: a day of 23 or 25 h
    b = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC)
    n = int((b - a) / STEP)
    tl = timeline(store, config, group, [a + i * STEP for i in range(n)], a, b)
    counts = Counter(m for m in tl.mode if m is not None)
    hours = {m: round(counts[m] * STEP / timedelta(hours=1), 2) for m in (*MODES, UNKNOWN)}
    switches, last_mode = [], None
    for i, m in enumerate(tl.mode):
        if m not in RUNNING_MODES:
            continue
        if last_mode is not None and m != last_mode:
            oa, rh = tl.oa_c[i], tl.oa_rh[i]
            dp = round(dew_point_c(oa, rh), 1) if oa is not None and rh is not None else None
            switches.append(Switch(tl.grid[i], last_mode, m, oa, rh, dp))
        last_mode = m
    per_day = {first + timedelta(days=d): 0 for d in range((last - first).days + 1)}
    for s in switches:
        per_day[s.at.astimezone(tz).date()] += 1
    zones = config.venue.zones_of_group(group)
    return GroupReport(group, config.venue.groups[group].name, zones,
                       [u for z in zones for u in config.venue.units_of(z)],
                       hours, round(sum(hours.values()), 2), switches, per_day,
                       [_zone_stats(tl, z) for z in zones], _suggestions(tl, config, group), tl)


def public_report(store: Store, config: Config, first: date, last: date) -> PublicReport:
    """Every public group's report; ReportError when there is nothing to report."""
    if last < first:
        raise ReportError(f"--to {last} is before --from {first}")
    venue = config.venue
    groups = [g for g in venue.groups if any(venue.zones[z].kind == ZoneKind.public
                                             for z in venue.zones_of_group(g))]
    if not groups:
        raise ReportError("this venue has no public groups (zones.yaml: no zone of "
                          "kind: public with a group:)")
    reports = [group_report(store, config, g, first, last) for g in groups]
    if not any(has_data(r.timeline) for r in reports):
        raise ReportError(f"no trends of the public groups' units between {first} and {last} "
                          f"(00:00–24:00 {venue.venue.timezone}) in the store")
    return PublicReport(venue.venue.name, venue.venue.tz, first, last, reports)
