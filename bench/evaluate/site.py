"""`python3 bench/evaluate --site`: the whole default site (the repo root's zones.yaml and
schedules/: four halls, the public areas, the chiller plant) over the seasons, four ways.

    python3 bench/evaluate --site                                  # summer and winter
    python3 bench/evaluate --site --season summer --from 2027-07-02 --days 2

The question is the plant's: four halls precooling for the same 19:30 curtain ask the
chillers for their peak at once. The strategies are the two baselines (`strategies.py`, on a
site each show keeping its own hall on), `ours without coordination` — the service's planner
with `plant.coordinate_precool` off, each zone's optimal start alone — and `ours`, the
planner unchanged. The loop is `closed_loop.py`'s (the service's own), the simulated plant
metered each minute by `plant_meter.py`: what it drew (held at the cap by its demand limit)
and what each strategy asked of it (`plant_peak_kw`: above the cap, the coils starved).

Writes `site_kpis.csv` (a row per season and strategy), `site_shows.csv` (every show in every
hall with its ready margin) and `site_busiest_evening.png` (the plant's demand on 2027-07-03,
15:00–22:00, every curtain at 19:30, against the cap); prints the table and the acceptance
checks, and exits 1 when one fails (not with `--no-check`).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from bench.evaluate.closed_loop import run
from bench.evaluate.kpis import Kpis, ShowRow, score, show_rows
from bench.evaluate.plant_meter import MINUTE, SOURCE
from bench.evaluate.runs import Job, run_all, timing_lines
from bench.evaluate.seasons import Season, weather_of
from bench.evaluate.strategies import STRATEGIES, Strategy
from hvac_ctl.config import load_config
from hvac_ctl.model import Config

ROOT = Path(__file__).resolve().parent.parent.parent
UNCOORDINATED = "ours without coordination"
SITE_STRATEGIES = ("always-on", "fixed schedule", UNCOORDINATED, "ours")
SITE_SEASONS = ("summer", "winter")
BUSIEST = date(2027, 7, 3)  # curtains at 19:30 in all four halls (schedules/calendar)
EVENING = (clock(15), clock(22))
PLANT_SOURCE = SOURCE  # what the plant's figures are: swap with the simulator's plant


def site_config(coordinate: bool = True) -> Config:
    """The default site as shipped; `coordinate=False`: its plant's `coordinate_precool`
    off, every other key as it is (the one difference between the two `ours`)."""
    config = load_config(ROOT)
    if coordinate:
        return config
    plant = config.venue.plant
    assert plant is not None, "the site's zones.yaml has a plant"
    venue = config.venue.model_copy(
        update={"plant": plant.model_copy(update={"coordinate_precool": False})})
    return replace(config, venue=venue)


def strategy(name: str) -> Strategy:
    """The strategy `name` runs: `ours without coordination` is `ours` (its configuration
    differs, not its planner)."""
    return replace(STRATEGIES["ours"], name=name) if name == UNCOORDINATED else STRATEGIES[name]


@dataclass
class SiteDone:
    job: Job
    kpis: Kpis
    shows: list[ShowRow]
    doors: dict[str, datetime]  # show id → doors open, local time
    curtain: dict[str, datetime]  # show id → curtain-up, local time
    plant_mwh: float
    fan_mwh: float
    plant_peak_kw: float  # what the strategy asked of the plant at its highest
    metered_peak_kw: float  # what the plant drew (held at the cap by its demand limit)
    starved_mwh: float  # cooling the coils asked for and did not get
    limited_min: float  # minutes the demand limit held the chillers back
    cost_cny: float  # the plant's and the fans' electricity at each minute's price
    plant_cost_cny: float
    chiller_starts: int
    evening: list[tuple[datetime, float]]  # the busiest evening's plant kW, if in the period
    peak_cap_kw: float
    seconds: float
    ticks: int

    @property
    def curtain_ready_pct(self) -> float:
        k = self.kpis
        return 100.0 * k.curtain_ready / k.shows if k.shows else 100.0


def work(job: Job) -> SiteDone:
    """One strategy over one season of the site: run, scored, the plant summed (in a worker
    process: only the sums and the busiest evening travel back)."""
    config = site_config(coordinate=job.strategy != UNCOORDINATED)
    s = job.season
    result = run(config, strategy(job.strategy), s.first, s.last,
                 weather_of(job.weather, config, s), tick=timedelta(seconds=job.tick_s),
                 quiet_tick=timedelta(seconds=job.quiet_tick_s))
    meter = result.meter
    plant = config.venue.plant
    assert meter is not None and plant is not None
    kpis = score(config, result)
    evening: list[tuple[datetime, float]] = []
    if s.first <= BUSIEST <= s.last:
        tz = config.venue.venue.tz
        a = datetime.combine(BUSIEST, EVENING[0], tzinfo=tz)
        b = datetime.combine(BUSIEST, EVENING[1], tzinfo=tz)
        i = int((a - result.scored_from) / MINUTE)
        j = int((b - result.scored_from) / MINUTE)
        evening = [((result.scored_from + k * MINUTE).astimezone(tz), meter.asked_kw[k])
                   for k in range(i, j + 1)]
    return SiteDone(
        job, kpis, show_rows(config, result),
        {sh.id: sh.doors_open.astimezone(config.venue.venue.tz)
         for sh in result.scenario.shows},
        {sh.id: sh.curtain.astimezone(config.venue.venue.tz) for sh in result.scenario.shows},
        sum(meter.kw) / 60_000, sum(meter.fan_kw) / 60_000, max(meter.asked_kw, default=0.0),
        max(meter.kw, default=0.0), meter.starved_kwh / 1000, meter.limited_min,
        meter.cost_cny, meter.plant_cost_cny, meter.starts, evening, plant.peak_cap_kw,
        result.seconds, result.ticks)


def seasons_of(names: list[str], first: date | None, days: int | None,
               known: dict[str, Season]) -> list[Season]:
    """The seasons to run: each from `first` (left out if it does not hold it), at most
    `days` days."""
    out = []
    for n in names:
        s = known[n]
        if first is not None:
            if not s.first <= first <= s.last:
                continue
            s = replace(s, first=first)
        if days:
            s = replace(s, last=min(s.last, s.first + timedelta(days=days - 1)))
        out.append(s)
    return out


def run_site(seasons: list[Season], names: list[str], weather: str, tick_s: float,
             quiet_tick_s: float, jobs: int | None, out: Path, check: bool) -> int:
    """Every strategy over every season, in parallel processes; the table, the files, the
    checks. 1 if a check fails (and `check`), else 0."""
    todo = [Job(s, n, weather, tick_s, quiet_tick_s) for s in seasons for n in names]
    workers = jobs or min(len(todo), 2 * (os.cpu_count() or 1))
    done, wall = run_all(work, todo, workers)
    print(table(done))
    print()
    print(f"plant: {PLANT_SOURCE}")
    print("\n".join(timing_lines(done, seasons, workers, wall)))
    print()
    failed = 0
    config = load_config(ROOT)
    for what, ok, figure in verdicts(done, config.venue.hall_ids):
        mark = "skipped" if ok is None else "met    " if ok else "NOT MET"
        failed += ok is False
        print(f"{mark}  {what}: {figure}")
    out.mkdir(parents=True, exist_ok=True)
    write_csv(done, out, public_zones(config))
    written = [out / "site_kpis.csv", out / "site_shows.csv"]
    evenings = {d.job.strategy: d.evening for d in done if d.evening}
    if evenings:
        from bench.evaluate import plots

        cap = done[0].peak_cap_kw
        plots.busiest_evening(evenings, cap, BUSIEST, out / "site_busiest_evening.png")
        written.append(out / "site_busiest_evening.png")
    print("\nwritten: " + ", ".join(str(p) for p in written))
    return 1 if failed and check else 0


def public_zones(config: Config) -> frozenset[str]:
    v = config.venue
    return frozenset(z for g in v.groups for z in v.zones_of_group(g))


def table(rows: list[SiteDone]) -> str:
    head = ("season | strategy | total MWh | plant MWh | fan MWh | plant peak asked kW | "
            "starved MWh (min held at the cap) | cost CNY | chiller starts | curtain-ready | "
            "discomfort K·h/zone | run s")
    lines = [head, " | ".join("---" for _ in head.split(" | "))]
    for d in rows:
        k = d.kpis
        lines.append(" | ".join([
            d.job.season.name, d.job.strategy, f"{k.energy_kwh['total'] / 1000:,.1f}",
            f"{d.plant_mwh:,.1f}", f"{d.fan_mwh:,.1f}", f"{d.plant_peak_kw:,.0f}",
            f"{d.starved_mwh:,.2f} ({d.limited_min:,.0f})", f"{d.cost_cny:,.0f}",
            str(d.chiller_starts),
            f"{k.curtain_ready}/{k.shows} ({d.curtain_ready_pct:.0f} %)",
            f"{k.discomfort_kh_per_zone:.2f}", f"{d.seconds:.1f}"]))
    return "\n".join(lines)


Verdict = tuple[str, bool | None, str]  # what, met (None: not evaluated here), the figure


def verdicts(rows: list[SiteDone], halls: tuple[str, ...]) -> list[Verdict]:
    """Issue 18's acceptance: on the busiest evening `ours` keeps the plant under its cap
    and every hall curtain-ready while `ours without coordination` goes over it; over summer
    `ours` costs less than `ours without coordination` for no more energy; every hall
    curtain-ready in every show under `ours`. A check whose runs are not in this evaluation
    (another period, a strategy left out) is reported skipped, not met."""
    out: list[Verdict] = []
    by = {(d.job.season.name, d.job.strategy): d for d in rows}
    evening = {d.job.strategy: d for d in rows if d.evening}
    ours, alone = evening.get("ours"), evening.get(UNCOORDINATED)
    where = f"busiest evening {BUSIEST} {EVENING[0]:%H:%M}–{EVENING[1]:%H:%M}"
    if ours is None or alone is None:
        out += [(f"{where}: the checks", None, "not in the period run (or a strategy left "
                 f"out): run --season summer with --from {BUSIEST} or the whole season")]
    else:
        cap = ours.peak_cap_kw
        top = max(kw for _, kw in ours.evening)
        top_alone = max(kw for _, kw in alone.evening)
        shows = [r for r in ours.shows if ours.doors[r.id].date() == BUSIEST
                 and EVENING[0] <= ours.curtain[r.id].time() <= EVENING[1]]
        late = [f"{r.hall} {r.id} {r.margin_k:+.2f} K" for r in shows if not r.ready]
        missing = sorted(set(halls) - {r.hall for r in shows})
        out += [
            (f"{where}: ours keeps the plant ≤ cap", top <= cap,
             f"peak {top:,.0f} kW, cap {cap:,.0f} kW"),
            (f"{where}: ours curtain-ready in every hall", not late and not missing,
             f"{len(shows) - len(late)}/{len(shows)} shows ready"
             + ("; not ready: " + ", ".join(late) if late else "")
             + ("; no show in: " + ", ".join(missing) if missing else "")),
            (f"{where}: ours without coordination exceeds the cap", top_alone > cap,
             f"peak {top_alone:,.0f} kW, cap {cap:,.0f} kW"),
        ]
    summer = by.get(("summer", "ours")), by.get(("summer", UNCOORDINATED))
    if summer[0] is None or summer[1] is None:
        out.append(("summer: ours against ours without coordination", None,
                    "summer not run, or a strategy left out"))
    else:
        o, a = summer
        span = f"summer {o.job.season.first}…{o.job.season.last}"
        # the site's electricity: what the cost and the cap are of (the coils' thermal energy
        # and the fans, the evaluation's `total`, is printed beside it)
        e_o, e_a = o.plant_mwh + o.fan_mwh, a.plant_mwh + a.fan_mwh
        t_o, t_a = o.kpis.energy_kwh["total"] / 1000, a.kpis.energy_kwh["total"] / 1000
        out += [
            (f"{span}: ours costs less than ours without coordination",
             o.cost_cny < a.cost_cny, f"{o.cost_cny:,.0f} vs {a.cost_cny:,.0f} CNY"),
            (f"{span}: ours uses no more energy than ours without coordination",
             e_o <= e_a, f"electricity (plant + fans) {e_o:,.2f} vs {e_a:,.2f} MWh; coils' "
             f"thermal + fans (total) {t_o:,.2f} vs {t_a:,.2f} MWh"),
        ]
    for d in rows:
        if d.job.strategy != "ours":
            continue
        halls: dict[str, list[ShowRow]] = {}
        for r in d.shows:
            halls.setdefault(r.hall, []).append(r)
        figure = "; ".join(f"{h} {sum(r.ready for r in rs)}/{len(rs)}"
                           for h, rs in sorted(halls.items())) or "no shows"
        out.append((f"{d.job.season.name}: ours curtain-ready 100 % in every hall",
                    all(r.ready for r in d.shows), figure))
    return out


KPI_COLUMNS = ("season", "strategy", "first", "last", "days", "total_mwh", "cooling_mwh",
               "heating_mwh", "reheat_mwh", "fan_mwh", "plant_mwh", "plant_peak_kw",
               "metered_peak_kw", "starved_mwh", "limited_min", "peak_cap_kw", "cost_cny",
               "plant_cost_cny", "chiller_starts", "shows",
               "curtain_ready", "curtain_ready_pct", "discomfort_kh_per_zone",
               "discomfort_kh_per_hall_zone", "discomfort_kh_per_public_zone",
               "co2_ppmh_per_zone", "plant_source", "run_s", "ticks")
SHOW_COLUMNS = ("season", "strategy", "hall", "show", "doors_open", "attendance", "doors_c",
                "doors_target_c", "curtain_c", "curtain_target_c", "ready_margin_k", "ready",
                "co2_max_ppm")


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def write_csv(done: list[SiteDone], out: Path, public: frozenset[str]) -> None:
    """The two CSVs; `public`: the public zones (their discomfort apart from the halls')."""
    with (out / "site_kpis.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(KPI_COLUMNS)
        for d in done:
            k, s = d.kpis, d.job.season
            e = k.energy_kwh
            w.writerow([s.name, d.job.strategy, s.first, s.last, k.days,
                        *(round(e[m] / 1000, 3) for m in ("total", "cooling", "heating",
                                                         "reheat", "fan")),
                        round(d.plant_mwh, 3), round(d.plant_peak_kw, 1),
                        round(d.metered_peak_kw, 1), round(d.starved_mwh, 3),
                        round(d.limited_min, 1), d.peak_cap_kw,
                        round(d.cost_cny, 0), round(d.plant_cost_cny, 0), d.chiller_starts,
                        k.shows, k.curtain_ready, round(d.curtain_ready_pct, 2),
                        round(k.discomfort_kh_per_zone, 3),
                        *(round(_mean([v for z, v in k.discomfort_kh.items()
                                       if (z in public) == side]), 3)
                          for side in (False, True)),
                        round(k.co2_ppmh_per_zone, 1),
                        PLANT_SOURCE, round(d.seconds, 1), d.ticks])
    with (out / "site_shows.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(SHOW_COLUMNS)
        for d in done:
            for r in d.shows:
                w.writerow([d.job.season.name, d.job.strategy, r.hall, r.id,
                            d.doors[r.id].isoformat(), r.attendance, round(r.doors_c, 2),
                            r.doors_target_c, round(r.curtain_c, 2), r.curtain_target_c,
                            round(r.margin_k, 3), r.ready, round(r.co2_max_ppm)])

