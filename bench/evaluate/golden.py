"""The golden KPI table: every strategy over summer and winter, as the evaluation scores them,
and the check that a change to the simulator or the loop's driving of it keeps them.

    python3 bench/evaluate --write-golden     # writes golden_kpis.json (only on purpose)
    python3 bench/evaluate --check-golden     # exit 1, naming every KPI out of tolerance

Tolerances (the JSON's header repeats them): each energy figure and the total within 0.5 %
(relative; 0.05 kWh absolute for a meter at 0), and kWh/m² with them; discomfort within
0.01 K·h, per zone and the zones' mean; CO2 above the limit within 0.5 % or 0.1 ppm·h, per
zone; every count equal — the longest CO2 stretch in minutes, the shows, the curtain-ready
shows, the setpoint changes, the unit starts.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from bench.evaluate.kpis import Kpis
from bench.evaluate.strategies import STRATEGIES

GOLDEN = Path(__file__).resolve().parent / "golden_kpis.json"
SEASONS = ("summer", "winter")
ENERGY_REL, ENERGY_ABS_KWH = 0.005, 0.05  # the floor: a meter at 0 (no heating in summer)
DISCOMFORT_KH = 0.01
CO2_REL, CO2_ABS_PPMH = 0.005, 0.1
COUNTS = ("co2_longest_min", "shows", "curtain_ready", "setpoint_changes", "unit_starts")
TOLERANCE = (f"energy_kwh.* and kwh_per_m2: relative {ENERGY_REL} (or {ENERGY_ABS_KWH} kWh "
             f"absolute, for a meter at 0); discomfort_kh.*: absolute "
             f"{DISCOMFORT_KH} K·h; co2_ppmh.*: relative {CO2_REL} or absolute {CO2_ABS_PPMH} "
             f"ppm·h; {', '.join(COUNTS)}: equal")


def flat(k: Kpis) -> dict[str, float]:
    """A run's KPIs as name → number, the names the golden file uses."""
    out: dict[str, float] = {f"energy_kwh.{m}": v for m, v in k.energy_kwh.items()}
    out["kwh_per_m2"] = k.kwh_per_m2
    out |= {f"discomfort_kh.{z}": v for z, v in sorted(k.discomfort_kh.items())}
    out["discomfort_kh.per_zone"] = k.discomfort_kh_per_zone
    out |= {f"co2_ppmh.{z}": v for z, v in sorted(k.co2_ppmh.items())}
    out["co2_longest_min"] = k.co2_longest_min
    out |= {"shows": k.shows, "curtain_ready": k.curtain_ready,
            "setpoint_changes": k.setpoint_changes, "unit_starts": k.unit_starts}
    return out


def within(name: str, golden: float, got: float) -> bool:
    """`got` is `golden` as far as the KPI `name`'s tolerance goes."""
    if name.startswith("energy_kwh.") or name == "kwh_per_m2":
        return abs(got - golden) <= max(ENERGY_REL * abs(golden), ENERGY_ABS_KWH)
    if name.startswith("discomfort_kh."):
        return abs(got - golden) <= DISCOMFORT_KH
    if name.startswith("co2_ppmh."):
        return abs(got - golden) <= max(CO2_REL * abs(golden), CO2_ABS_PPMH)
    if name in COUNTS:
        return round(got, 6) == round(golden, 6)
    raise KeyError(f"no tolerance for the KPI {name}")


def compare(golden: dict[str, dict[str, float]], got: dict[str, dict[str, float]]
            ) -> list[str]:
    """Every KPI out of tolerance (or missing), as 'season/strategy kpi: golden → got'."""
    bad = []
    for run, want in golden.items():
        have = got.get(run)
        if have is None:
            bad.append(f"{run}: not run")
            continue
        for name, g in want.items():
            v = have.get(name)
            if v is None:
                bad.append(f"{run} {name}: missing")
            elif not within(name, g, v):
                bad.append(f"{run} {name}: golden {g:.6g}, now {v:.6g} ({_delta(name, g, v)})")
    return bad


def _delta(name: str, g: float, v: float) -> str:
    if name.startswith(("energy_kwh.", "co2_ppmh.")) or name == "kwh_per_m2":
        return f"{100 * (v / g - 1):+.3f} %" if g else f"{v - g:+.4g}"
    return f"{v - g:+.4g}"


def _one(job: tuple[str, str]) -> tuple[str, dict[str, float], float]:
    from bench.evaluate.timing import season_seconds

    season, strategy = job
    seconds, kpis = season_seconds(season, strategy)
    return f"{season}/{strategy}", flat(kpis), seconds


def measure(jobs: int | None = None) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Every strategy over each golden season: (KPIs, wall seconds) by 'season/strategy'."""
    work = [(s, n) for s in SEASONS for n in STRATEGIES]
    workers = jobs or min(len(work), os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            done = list(pool.map(_one, work))
    else:
        done = [_one(w) for w in work]
    return {r: k for r, k, _ in done}, {r: s for r, _, s in done}


def load(path: Path = GOLDEN) -> dict[str, dict[str, float]]:
    runs: dict[str, dict[str, float]] = json.loads(path.read_text(encoding="utf-8"))["runs"]
    return runs


def write(runs: dict[str, dict[str, float]], path: Path = GOLDEN, source: str = "") -> None:
    doc: dict[str, Any] = {
        "what": ("The evaluation's KPIs (bench/evaluate/kpis.py) of every strategy over the "
                 "summer and winter seasons, normals weather, default ticks, two-day warm-up; "
                 "what `python3 bench/evaluate --check-golden` and tests/test_golden_kpis.py "
                 "compare a run against."),
        "made_by": "python3 bench/evaluate --write-golden",
        "source": source,
        "tolerance": TOLERANCE,
        "runs": runs,
    }
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
