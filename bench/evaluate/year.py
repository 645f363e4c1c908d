"""A year of shows: every show day of the single hall's calendar, on the normals weather.

    python3 bench/evaluate/year.py        # the single hall's calendar's whole span, ~1.5 min

The service's own loop drives the simulated hall in process through the whole span of
`examples/single-hall/schedules/` (September to August), as `bench/evaluate` does a season,
and every show is judged by what its audience, performers and musicians sat in: the longest
stretch any occupied zone spent below 20 °C or above 27 °C (the acceptance: never more than
10 min), and its coldest and warmest minute. Prints the worst shows and writes
`artifacts/evaluate/year.csv`; exits 1 if any show failed.
"""

from __future__ import annotations

import csv
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._venues import SINGLE_HALL  # noqa: E402
from bench.evaluate.closed_loop import Result, Trace, run  # noqa: E402
from bench.evaluate.strategies import STRATEGIES  # noqa: E402
from bench.evaluate.weather import NormalsWeather  # noqa: E402
from hvac_ctl.config import load_config  # noqa: E402
from hvac_ctl.model import Config  # noqa: E402
from hvac_ctl.model.venue import ZoneKind  # noqa: E402

COMFORT_C = (20.0, 27.0)
LONGEST_ALLOWED_MIN = 10.0


@dataclass(frozen=True)
class ZoneInShow:
    show: str
    zone: str
    min_c: float
    max_c: float
    longest_out_min: float  # the longest stretch outside COMFORT_C

    @property
    def ok(self) -> bool:
        return self.longest_out_min <= LONGEST_ALLOWED_MIN


def occupied_windows(config: Config, result: Result) -> list[tuple[str, str, datetime,
                                                                     datetime]]:
    """(show, zone, from, to): who is in which zone in each show (the KPIs' own spans)."""
    out = []
    for s in result.scenario.shows:
        if s.doors_open < result.scored_from:
            continue
        for zone, z in config.venue.zones.items():
            if z.kind == ZoneKind.auditorium:
                out.append((s.id, zone, s.doors_open, s.end))
            elif z.kind == ZoneKind.stage:
                out.append((s.id, zone, s.doors_open - timedelta(minutes=30),
                            s.end + timedelta(minutes=15)))
            elif s.live_orchestra:
                out.append((s.id, zone, s.curtain - timedelta(minutes=15), s.end))
    return out


def judge(trace: Trace, show: str, zone: str, a: datetime, b: datetime) -> ZoneInShow:
    i, j = trace.index_at(a), trace.index_at(b)
    temps = trace.temp[zone][i:j + 1]
    longest = run_min = 0.0
    for k in range(i, j + 1):
        outside = not COMFORT_C[0] <= trace.temp[zone][k] <= COMFORT_C[1]
        run_min = run_min + trace.dt_h[k] * 60 if outside else 0.0
        longest = max(longest, run_min)
    return ZoneInShow(show, zone, min(temps), max(temps), round(longest, 1))


def year_of_shows(config: Config, first: date, last: date) -> list[ZoneInShow]:
    weather = NormalsWeather(config.venue.venue.tz, first - timedelta(days=7), last)
    result = run(config, STRATEGIES["ours"], first, last, weather)
    return [judge(result.trace, *w) for w in occupied_windows(config, result)]


def main() -> int:
    config = load_config(SINGLE_HALL)
    span = config.calendar.date_range()
    assert span is not None
    started = time.perf_counter()
    judged = year_of_shows(config, *span)
    shows = {j.show for j in judged}
    bad = [j for j in judged if not j.ok]
    print(f"{len(shows)} shows, {span[0]} … {span[1]}, simulated in "
          f"{time.perf_counter() - started:.0f} s")
    print(f"occupied zones outside {COMFORT_C[0]:g}–{COMFORT_C[1]:g} °C for more than "
          f"{LONGEST_ALLOWED_MIN:g} min: {len(bad)}")
    print("\nthe worst shows (coldest and warmest occupied minute, longest stretch outside):")
    worst = sorted(judged, key=lambda j: (-j.longest_out_min, min(j.min_c - COMFORT_C[0],
                                                                  COMFORT_C[1] - j.max_c)))
    for j in worst[:8]:
        print(f"  {j.show:<40} {j.zone:<11} {j.min_c:5.1f} … {j.max_c:5.1f} °C, "
              f"{j.longest_out_min:.0f} min outside")
    out = ROOT / "artifacts" / "evaluate"
    out.mkdir(parents=True, exist_ok=True)
    with (out / "year.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["show", "zone", "min_c", "max_c", "longest_out_min"])
        for j in judged:
            w.writerow([j.show, j.zone, round(j.min_c, 2), round(j.max_c, 2), j.longest_out_min])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
