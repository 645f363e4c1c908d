"""The golden plans: `hvac-ctl plan --json` for varied days, frozen before a refactor.

A refactor must leave these files byte-identical (`tests/test_golden.py`). A change that is
meant to alter a plan regenerates them in a commit of its own, saying which rule changed
which plans and why:

    python3 -m tests.golden.plans          # rewrite tests/golden/*.json

Each day is planned with a pinned outdoor temperature (the `--outdoor-temp` of the preview:
it picks the shoulder's season by weather and is the air the units temper), from the shipped
calendar (the single-hall example's, `examples/single-hall`: the "shipped" days were frozen
when it was the repository root's) or the evaluation's (`bench/evaluate/calendar.yaml`, with
the single hall's zones and seasons). A preview knows no measurement, so a few days are also
planned instant by instant with deterministic measurements, counts, held modes and deviations
(`states-*.json`), on the single hall too: the sequences that act on what is measured are
frozen as well.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hvac_ctl.cli import main as hvac_ctl
from hvac_ctl.config import load_config
from hvac_ctl.model import Config
from hvac_ctl.planner import (
    Deviation,
    HeldMode,
    OccupancyPush,
    PlanInputs,
    RecoverySample,
    ZoneMeasurement,
    local_midnight,
    plan_at,
)
from tests.harness import ROOT, SINGLE_HALL

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Day:
    calendar: str  # "shipped" or "evaluation"
    date: str
    outdoor_c: float
    what: str

    @property
    def file(self) -> Path:
        return HERE / f"{self.calendar}-{self.date}.json"


DAYS = (
    Day("shipped", "2026-09-15", 26, "Aida on the last day of summer"),
    Day("shipped", "2026-10-06", 16, "a get-in between productions, tours suspended"),
    Day("shipped", "2026-11-03", 12, "Tosca and a tour in the shoulder: the frozen-hall day"),
    Day("shipped", "2026-11-09", 8, "a dark Monday"),
    Day("shipped", "2026-11-29", 2, "a Sunday matinee, winter"),
    Day("shipped", "2026-12-05", 0, "a tour, a get-in and the evening's dated show"),
    Day("shipped", "2026-12-12", -2, "a matinee and an evening"),
    Day("shipped", "2026-12-24", -4, "a closed day"),
    Day("shipped", "2026-12-31", -5, "a gala past midnight, house lights up"),
    Day("shipped", "2027-01-01", -6, "the gala's end and post-show after midnight"),
    Day("shipped", "2027-01-18", -3, "a family morning: house lights up, no orchestra"),
    Day("shipped", "2027-02-22", 3, "a recorded score: no orchestra"),
    Day("shipped", "2027-04-17", 18, "Giselle, matinee and evening, spring"),
    Day("shipped", "2027-05-01", 24, "the Labour Day gala, house lights up"),
    Day("shipped", "2027-07-03", 31, "Swan Lake, matinee and evening, summer"),
    Day("shipped", "2027-07-24", 33, "the summer festival: a family afternoon and a film night"),
    Day("evaluation", "2027-04-08", 14, "a schools concert in the morning, Giselle at night"),
    Day("evaluation", "2027-06-24", 30, "a sold-out Carmen"),
    Day("evaluation", "2027-10-03", 17, "National Day week: a family morning, a film night"),
)


@dataclass(frozen=True)
class Measured:
    """A day planned instant by instant (every 10 min) with what the service would know:
    measurements that wander around the zones' targets, counts pushed, learned pulls, held
    modes and deviations — so the sequences that act on measurements are frozen too."""

    date: str
    outdoor_c: float
    what: str

    @property
    def file(self) -> Path:
        return HERE / f"states-{self.date}-{self.outdoor_c:g}.json"


MEASURED = (
    Measured("2026-11-03", -5, "Tosca on the winter design evening: tempering, shortfall"),
    Measured("2026-11-03", 14, "Tosca on a mild evening: free cooling, the closed loop"),
    Measured("2026-12-05", -2, "a tour, a get-in and a show in winter"),
    Measured("2027-07-03", 31, "Swan Lake, matinee and evening, summer"),
    Measured("2027-04-17", 9, "Giselle in spring: cool preferred, cold air"),
)


def _inputs(config: Config, day: date, k: int, outdoor: float) -> PlanInputs:
    """Deterministic knowledge at step k of the day (no randomness: byte-stable)."""
    tz = config.venue.venue.tz
    start = local_midnight(day, tz)
    at = start + timedelta(minutes=10 * k)
    measurements = {}
    for i, zone in enumerate(config.venue.zones):
        temp = 22.5 + 2.2 * math.sin(k / 7 + i) + 0.8 * math.sin(k / 2.3)
        co2 = 650 + 380 * math.sin(k / 9 + i)
        rh = 48 + 14 * math.sin(k / 11 + i)
        measurements[zone] = ZoneMeasurement(at - timedelta(minutes=1), round(temp, 2),
                                             round(rh, 1), round(co2), k % 3 != 0)
    shows = [e for e in config.calendar.events_on(day, tz) if hasattr(e, "curtain")]
    pushes = [OccupancyPush(e.id, int(e.expected_attendance * (0.7 + 0.05 * (j % 7))),
                            e.doors_open + timedelta(minutes=5 * j))
              for e in shows for j in range(0, 8)]
    zones = list(config.venue.zones)
    modes = {z: HeldMode("heat" if (k + i) % 4 == 0 else "cool",
                         at - timedelta(minutes=5 * ((k + i) % 6)),
                         ("show", "precool", None, "idle")[(k + i) % 4])
             for i, z in enumerate(zones)}
    deviations = {z: Deviation("cold" if (k + i) % 2 else "warm",
                               at - timedelta(minutes=(k + 3 * i) % 9))
                  for i, z in enumerate(zones) if (k + i) % 5 == 0}
    history = {z: [RecoverySample(day - timedelta(days=d), "cool", 1.2 + 0.3 * d,
                                  0.4 + 0.2 * d) for d in (1, 2, 3)] for z in zones}
    return PlanInputs(occupancy=[p for p in pushes if p.at <= at], outdoor_air_c=outdoor,
                      measurements=measurements, history=history, modes=modes,
                      deviations=deviations,
                      co2_at_doors={(e.id, z): 610.0 for e in shows for z in zones})


def _state(state: Any, tz: Any) -> dict[str, Any]:
    return {
        "at": state.at.astimezone(tz).isoformat(),
        "zones": {z: {"phase": s.phase, "event": s.event_id, "season": s.season,
                      "mode": s.mode, "setpoint_c": s.setpoint_c, "people": round(s.people, 2),
                      "oa_lps": round(s.oa_lps, 2), "band_c": s.band_c,
                      "shortfall_kw": s.shortfall_kw, "reason": s.reason}
                  for z, s in state.zones.items()},
        "units": {u: dict(points) for u, points in state.units.items()},
    }


def render_states(m: Measured) -> str:
    config = load_config(SINGLE_HALL)
    day = date.fromisoformat(m.date)
    states = [_state(plan_at(config, local_midnight(day, config.venue.venue.tz)
                             + timedelta(minutes=10 * k), _inputs(config, day, k, m.outdoor_c)),
                     config.venue.venue.tz) for k in range(144)]
    return json.dumps(states, indent=1, ensure_ascii=False) + "\n"


def config_dir(calendar: str, into: Path) -> Path:
    """The folder `hvac-ctl plan --config` reads for a calendar."""
    if calendar == "shipped":
        return SINGLE_HALL
    into.mkdir(parents=True, exist_ok=True)
    shutil.copy(SINGLE_HALL / "zones.yaml", into / "zones.yaml")
    (into / "schedules" / "calendar").mkdir(parents=True, exist_ok=True)
    shutil.copy(SINGLE_HALL / "schedules" / "seasons.yaml", into / "schedules" / "seasons.yaml")
    shutil.copy(ROOT / "bench" / "evaluate" / "calendar.yaml",
                into / "schedules" / "calendar" / "evaluation.yaml")
    return into


def render(day: Day, work: Path) -> str:
    """What `hvac-ctl plan --json` prints for the day, exactly."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = hvac_ctl(["plan", "--date", day.date, "--json", "--outdoor-temp",
                         str(day.outdoor_c), "--config",
                         str(config_dir(day.calendar, work / day.calendar))])
    assert code == 0, day
    return out.getvalue()


def main() -> int:
    with tempfile.TemporaryDirectory() as work:
        for day in DAYS:
            day.file.write_text(render(day, Path(work)), encoding="utf-8")
            print(f"wrote {day.file.relative_to(ROOT)}: {day.what}")
    for m in MEASURED:
        m.file.write_text(render_states(m), encoding="utf-8")
        print(f"wrote {m.file.relative_to(ROOT)}: {m.what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
