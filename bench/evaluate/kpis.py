"""Scores of one run, defined as BOPTEST defines them, plus the theatre's own.

- Energy: each unit's meters over the scored period — cooling (sensible and latent at the
  coil), heating and reheat as thermal kWh, fans as electric kWh; total is their sum; and the
  total per m² of conditioned floor.
- Thermal discomfort (BOPTEST `tdis_tot`): the time integral of how far each zone's air is
  outside its comfort band while the zone is occupied, in K·h; reported per zone and as the
  mean over zones (K·h/zone).
- IAQ discomfort (BOPTEST `idis_tot`): the time integral of CO2 above the limit, ppm·h, per
  zone and as the mean over zones, all the time; and the longest stretch above the limit in
  any show, in the zones people are in (an empty pit in a show without orchestra is not).
- Curtain-ready rate: the share of shows with the auditorium within 0.5 K of the strategy's
  own target at doors open and at curtain-up.
- Setpoint changes per show: changes of a zone's commanded setpoint (its units change
  together), doors open → end, all zones.
- Unit starts per day: writes that turned a unit on, per scored day.

Occupied, and the comfort band, come from what happens in the hall (the scenario), the same
for every strategy, around the season's show setpoint; active people are comfortable cooler
(ISO 7730: the optimum falls as metabolic rate rises), so the band follows the activity:

| who, where, when | band around the show setpoint |
| --- | --- |
| the audience seated, auditorium, curtain → end | −1 K … +1 K |
| the musicians, pit, 15 min before curtain → end, live orchestra only | −1 K … +1 K |
| the audience coming in, auditorium, doors open → curtain | −2 K … +1 K |
| performers and crew, stage, 30 min before doors → 15 min after the end | −2 K … +1 K |
| tours on their route, get-in crews on the stage | −2 K … +2 K |

On a site each show is its own hall's (its zones, its auditorium's readiness), a get-in its
hall's stage; a public zone is occupied while the public areas are open, while a tour
crosses it and while an adjacent hall's audience gathers and leaves (its group's
`crowd_before_doors_min` before doors to `crowd_after_end_min` after the end), in its
group's band (`public.band_c`: the public units' own comfort, not a seated audience's).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from bench.evaluate.closed_loop import ENERGY, Result, Trace
from hvac_ctl.model import Config
from hvac_ctl.model.venue import ZoneKind
from simulator.scenario import Show

READY_WITHIN_K = 0.5
SEATED_BAND_K = (1.0, 1.0)  # below, above the show setpoint
ACTIVE_BAND_K = (2.0, 1.0)
WALKING_BAND_K = (2.0, 2.0)


@dataclass(frozen=True)
class Kpis:
    strategy: str
    days: int
    energy_kwh: dict[str, float]  # cooling, heating, reheat, fan, total
    kwh_per_m2: float
    discomfort_kh: dict[str, float]  # per zone
    co2_ppmh: dict[str, float]  # per zone
    co2_longest_min: float  # the longest stretch above the limit in any show, any zone
    shows: int
    curtain_ready: int
    setpoint_changes: int
    unit_starts: int

    @property
    def discomfort_kh_per_zone(self) -> float:
        return float(np.mean(list(self.discomfort_kh.values())))

    @property
    def co2_ppmh_per_zone(self) -> float:
        return float(np.mean(list(self.co2_ppmh.values())))

    @property
    def curtain_ready_rate(self) -> float:
        return self.curtain_ready / self.shows if self.shows else 1.0

    @property
    def setpoint_changes_per_show(self) -> float:
        return self.setpoint_changes / self.shows if self.shows else 0.0

    @property
    def unit_starts_per_day(self) -> float:
        return self.unit_starts / self.days


Span = tuple[datetime, datetime, float, float]  # start, end, band low, band high


def occupied(config: Config, result: Result) -> dict[str, list[Span]]:
    """Per zone, when it is occupied and the comfort band then."""
    tz = config.venue.venue.tz
    seasons = config.seasons
    v = config.venue
    out: dict[str, list[Span]] = {z: [] for z in v.zones}

    def band(zone: str, t: datetime, k: tuple[float, float]) -> tuple[float, float]:
        season = seasons.seasons[seasons.name_for(t.astimezone(tz).date())]
        group = v.zones[zone].group
        if v.zones[zone].kind == ZoneKind.public:
            return season.public_for(group).band_c if group else season.public.band_c
        show = season.zones[zone].show
        assert show is not None
        return show.setpoint_c - k[0], show.setpoint_c + k[1]

    for s in result.scenario.shows:
        for zone in v.zones_of_hall(v.event_hall(s.hall)):
            z = v.zones[zone]
            if z.kind == ZoneKind.auditorium:
                out[zone].append((s.doors_open, s.curtain,
                                  *band(zone, s.doors_open, ACTIVE_BAND_K)))
                out[zone].append((s.curtain, s.end, *band(zone, s.curtain, SEATED_BAND_K)))
            elif z.kind == ZoneKind.stage:
                a, b = s.doors_open - timedelta(minutes=30), s.end + timedelta(minutes=15)
                out[zone].append((a, b, *band(zone, a, ACTIVE_BAND_K)))
            elif s.live_orchestra:
                a, b = s.curtain - timedelta(minutes=15), s.end
                out[zone].append((a, b, *band(zone, a, SEATED_BAND_K)))
    for tour in result.scenario.tours:
        for zone in tour.route:
            out[zone].append((tour.start, tour.end, *band(zone, tour.start, WALKING_BAND_K)))
    for g in result.scenario.get_ins:
        for zone in v.zones_of_hall(v.event_hall(g.hall)):
            if v.zones[zone].kind == ZoneKind.stage:
                out[zone].append((g.start, g.end, *band(zone, g.start, WALKING_BAND_K)))
    if v.groups:
        _public(config, result, out, band)
    return out


def _public(config: Config, result: Result, out: dict[str, list[Span]],
            band: Callable[[str, datetime, tuple[float, float]], tuple[float, float]]) -> None:
    """A site's public zones: occupied in the public hours and while an adjacent hall's
    audience gathers and leaves (tours are added with every route)."""
    v = config.venue
    tz = v.venue.tz
    day, last = result.first, result.last
    while day <= last:
        for a, b in config.calendar.public_open(day, tz):
            for zone in (z for g in v.groups for z in v.zones_of_group(g)):
                out[zone].append((a, b, *band(zone, a, WALKING_BAND_K)))
        day += timedelta(days=1)
    for s in result.scenario.shows:
        for g, pg in v.groups.items():
            if s.hall not in pg.halls:
                continue
            a = s.doors_open - timedelta(minutes=pg.crowd_before_doors_min)
            b = s.end + timedelta(minutes=pg.crowd_after_end_min)
            for zone in v.zones_of_group(g):
                out[zone].append((a, b, *band(zone, a, WALKING_BAND_K)))


def score(config: Config, result: Result) -> Kpis:
    tr = result.trace
    times = np.array([t.timestamp() for t in tr.times])
    dt_h = np.asarray(tr.dt_h)
    limit = config.venue.venue.occupancy.co2_limit_ppm
    scored = (result.scored_from, tr.times[-1] + timedelta(hours=tr.dt_h[-1]))

    energy = {m.removesuffix("_kwh"): sum(e[m] for e in result.energy.values()) for m in ENERGY}
    energy["total"] = sum(energy.values())
    area = sum(z.area_m2 for z in config.venue.zones.values())

    discomfort: dict[str, float] = {}
    co2: dict[str, float] = {}
    for zone, spans in occupied(config, result).items():
        temp = tr.array("temp", zone)
        lo = np.full(len(times), -np.inf)
        hi = np.full(len(times), np.inf)
        for a, b, band_lo, band_hi in spans:
            if b <= scored[0] or a >= scored[1]:
                continue
            inside = (times >= a.timestamp()) & (times < b.timestamp())
            lo[inside] = np.maximum(lo[inside], band_lo)
            hi[inside] = np.minimum(hi[inside], band_hi)
        off = np.maximum(0.0, lo - temp) + np.maximum(0.0, temp - hi)
        discomfort[zone] = float(np.sum(off * dt_h))
        co2[zone] = float(np.sum(np.maximum(0.0, tr.array("co2", zone) - limit) * dt_h))

    shows = [s for s in result.scenario.shows if scored[0] <= s.doors_open < scored[1]]
    rows = show_rows(config, result)
    return Kpis(
        strategy=result.strategy,
        days=(result.last - result.first).days + 1,
        energy_kwh=energy, kwh_per_m2=energy["total"] / area,
        discomfort_kh=discomfort, co2_ppmh=co2,
        co2_longest_min=max((r.co2_longest_min for r in rows), default=0.0),
        shows=len(shows), curtain_ready=sum(r.ready for r in rows),
        setpoint_changes=_changes(config, result, "setpoint", shows),
        unit_starts=_starts(result),
    )


@dataclass(frozen=True)
class ShowRow:
    """One show as the auditorium saw it: for the per-show CSV and the ready rate."""

    id: str
    attendance: int
    doors_c: float
    doors_target_c: float
    curtain_c: float
    curtain_target_c: float
    co2_max_ppm: float
    co2_longest_min: float  # above the limit, any zone
    co2_zone: str  # where the longest stretch was
    hall: str = ""  # its hall (a one-hall venue's: the first)

    @property
    def margin_k(self) -> float:
        """How far inside the ready band the worse of doors open and curtain-up was, K
        (negative: outside it, not ready)."""
        return READY_WITHIN_K - max(abs(self.doors_c - self.doors_target_c),
                                    abs(self.curtain_c - self.curtain_target_c))

    @property
    def ready(self) -> bool:
        return (abs(self.doors_c - self.doors_target_c) <= READY_WITHIN_K
                and abs(self.curtain_c - self.curtain_target_c) <= READY_WITHIN_K)


def show_rows(config: Config, result: Result) -> list[ShowRow]:
    tr = result.trace
    limit = config.venue.venue.occupancy.co2_limit_ppm
    end = tr.times[-1] + timedelta(hours=tr.dt_h[-1])
    v = config.venue
    rows = []
    for s in result.scenario.shows:
        if not result.scored_from <= s.doors_open < end:
            continue
        hall = v.event_hall(s.hall)
        zones = v.zones_of_hall(hall)
        auditorium = next(n for n in zones if v.zones[n].kind == ZoneKind.auditorium)
        d, c = tr.index_at(s.doors_open), tr.index_at(s.curtain)
        i, j = d, tr.index_at(s.end)
        # where people are in this show: not a pit without its orchestra (its air is the
        # stalls' through the opening, but nobody breathes it)
        present = [z for z in zones if v.zones[z].kind != ZoneKind.pit or s.live_orchestra]
        longest = {z: _longest_above(tr, z, limit, s.doors_open, s.end) for z in present}
        worst = max(longest, key=lambda z: longest[z])
        rows.append(ShowRow(
            s.id, s.attendance, tr.temp[auditorium][d], tr.target[auditorium][d],
            tr.temp[auditorium][c], tr.target[auditorium][c],
            max(max(tr.co2[z][i:j + 1]) for z in zones), longest[worst], worst, hall))
    return rows


def _longest_above(tr: Trace, zone: str, limit: float, a: datetime, b: datetime) -> float:
    """Minutes, the longest run of rows above `limit` in [a, b)."""
    longest = run = 0.0
    for i in range(tr.index_at(a), tr.index_at(b) + 1):
        if tr.times[i] >= b:
            break
        run = run + tr.dt_h[i] * 60 if tr.co2[zone][i] > limit else 0.0
        longest = max(longest, run)
    return longest


def _changed_writes(result: Result, point: str) -> list[tuple[datetime, str, object]]:
    """Writes of `point` that changed the unit's value, in the scored period."""
    last: dict[str, object] = {}  # a unit starts switched off (the simulator's default)
    if point == "enable":
        last = {unit: False for _, unit, _, _ in result.writes}
    out = []
    for at, unit, p, value in result.writes:
        if p != point:
            continue
        if unit in last and last[unit] != value and at >= result.scored_from:
            out.append((at, unit, value))
        last[unit] = value
    return out


def _changes(config: Config, result: Result, point: str, shows: list[Show]) -> int:
    """Changes of a zone's commanded value (its units move together: one change, not one per
    unit) while a show is on."""
    zone_of = {u: spec.zone for u, spec in config.venue.units.items()}
    spans = _merged([(s.doors_open, s.end) for s in shows])
    starts = [a for a, _ in spans]

    def on(at: datetime) -> bool:
        i = bisect_right(starts, at) - 1
        return i >= 0 and at < spans[i][1]

    return len({(zone_of[unit], at) for at, unit, _ in _changed_writes(result, point)
                if on(at)})


def _merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The union of half-open spans, as sorted disjoint ones (empty spans dropped)."""
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(s for s in spans if s[0] < s[1]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _starts(result: Result) -> int:
    return sum(1 for _, _, v in _changed_writes(result, "enable") if v is True)
