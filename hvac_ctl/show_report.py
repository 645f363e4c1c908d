"""How each show went, read back from the store: what the audience sat in, and the alarms.

For every show of a day and every zone people were in (the pit only with a live orchestra),
from doors open to the end: the zone's measured temperature (the mean of its units'
readings) against the target the plan commanded at that instant, the longest stretch it was
further from it than the band (±1.5 K, the out-of-band alarm's), and the CO2 peak; and the
alarms raised meanwhile. The demo prints it when it ends; tests and the closing notes read it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hvac_ctl.model import Config
from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.model.venue import ZoneKind
from hvac_ctl.store import Store

BAND_K = 1.5


@dataclass(frozen=True)
class ZoneShow:
    zone: str
    samples: int
    min_c: float
    max_c: float
    worst_k: float  # the furthest from the commanded target, either way
    longest_out_min: float  # the longest stretch further than the band from it
    co2_peak_ppm: float | None


@dataclass(frozen=True)
class ShowReport:
    event_id: str
    title: str
    doors_open: datetime
    end: datetime
    zones: list[ZoneShow]
    alarms: list[tuple[str, str, str]]  # (kind, source, message) raised doors → end + 1 h

    def text(self) -> str:
        lines = [f"{self.title} [{self.event_id}]:"]
        for z in self.zones:
            co2 = f", CO2 peak {z.co2_peak_ppm:.0f} ppm" if z.co2_peak_ppm is not None else ""
            lines.append(f"  {z.zone:<11} {z.min_c:.1f}–{z.max_c:.1f} °C, at most "
                         f"{z.worst_k:.1f} K from its target, {z.longest_out_min:.0f} min "
                         f"beyond ±{BAND_K:g} K{co2}")
        lines.append("  alarms: " + ("; ".join(f"{k} {s}" for k, s, _ in self.alarms)
                                     if self.alarms else "none"))
        return "\n".join(lines)


def _mean_series(store: Store, units: list[str], point: str, a: datetime, b: datetime
                 ) -> list[tuple[datetime, float]]:
    """The zone's readings of `point`: at each instant a unit reported, the mean of the
    latest good reading of each of its units."""
    series = {u: [(t, v) for t, v, ok in store.trends(u, point, a, b) if ok and v is not None]
              for u in units}
    instants = sorted({t for s in series.values() for t, _ in s})
    times = {u: [t for t, _ in s] for u, s in series.items()}
    out = []
    for t in instants:
        vals = []
        for u, s in series.items():
            i = bisect_right(times[u], t) - 1
            if i >= 0:
                vals.append(s[i][1])
        if vals:
            out.append((t, sum(vals) / len(vals)))
    return out


def zone_show(store: Store, config: Config, zone: str, a: datetime, b: datetime
              ) -> ZoneShow | None:
    units = config.venue.units_of(zone)
    temps = _mean_series(store, units, "zone_temp", a, b)
    if not temps:
        return None
    targets = [(t, v) for t, v, ok in store.trends(f"zone:{zone}", "target_c",
                                                    a - timedelta(hours=1), b)
               if v is not None]
    at = [t for t, _ in targets]
    worst = longest = 0.0
    out_since: datetime | None = None
    for t, temp in temps:
        i = bisect_right(at, t) - 1
        if i < 0:
            continue
        off = abs(temp - targets[i][1])
        worst = max(worst, off)
        if off > BAND_K:
            out_since = out_since or t
            longest = max(longest, (t - out_since).total_seconds() / 60)
        else:
            out_since = None
    co2 = [v for _, v in _mean_series(store, units, "co2", a, b)]
    return ZoneShow(zone, len(temps), min(v for _, v in temps), max(v for _, v in temps),
                    round(worst, 2), round(longest, 1), max(co2) if co2 else None)


def show_reports(store: Store, config: Config, day: date) -> list[ShowReport]:
    tz = config.venue.venue.tz
    reports = []
    alarms = store.alarms(open_only=False, limit=10_000)
    for e in config.calendar.events_on(day, tz):
        if not isinstance(e, ShowEvent):
            continue
        zones = []
        venue = config.venue
        hall = venue.zones_of_hall(e.hall)  # a site's show is its hall's (one hall: every zone)
        for zone in hall:
            if venue.zones[zone].kind == ZoneKind.pit and not e.live_orchestra:
                continue
            report = zone_show(store, config, zone, e.doors_open, e.end)
            if report is not None:
                zones.append(report)
        sources = {*hall, *(u for z in hall for u in venue.units_of(z))}
        raised = [(r.kind, r.source, r.message) for r in sorted(alarms, key=lambda r: r.id)
                  if e.doors_open <= r.raised_at < e.end + timedelta(hours=1)
                  and (not venue.is_site or r.source in sources)]
        reports.append(ShowReport(e.id, e.title, e.doors_open, e.end, zones, raised))
    return reports
