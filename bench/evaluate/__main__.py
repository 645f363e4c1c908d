"""`python3 bench/evaluate`: every strategy over each season, scored, tabled, plotted.

    python3 bench/evaluate                      # January, spring, summer and autumn 2027
    python3 bench/evaluate --season summer      # one season
    python3 bench/evaluate --days 7             # the first week of each season only
    python3 bench/evaluate --weather design     # each season's hard day, every day (a stress
                                                # test: summer's and winter's design days, a
                                                # warm spring afternoon, a cold autumn evening)
    python3 bench/evaluate --site               # the whole site, summer and winter, four
                                                # strategies, the plant (bench/evaluate/site.py)
    python3 bench/evaluate --site --season summer --from 2027-07-02 --days 2

Prints the KPI table (markdown) and the acceptance criteria, writes
`artifacts/evaluate/kpis.csv`, `daily_energy.csv` and the figures, and exits 1 when a
criterion is not met. Runs the strategies in parallel processes (`--jobs`).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.evaluate.closed_loop import QUIET_TICK, TICK, Result, run  # noqa: E402
from bench.evaluate.kpis import Kpis, ShowRow, score, show_rows  # noqa: E402
from bench.evaluate.runs import Job, run_all, timing_lines  # noqa: E402
from bench.evaluate.seasons import SEASONS, evaluation_config, weather_of  # noqa: E402
from bench.evaluate.strategies import STRATEGIES  # noqa: E402


@dataclass
class Done:
    job: Job
    kpis: Kpis
    shows: list[ShowRow]
    plot: Result  # the show day only
    daily: list[tuple[date, float]]
    seconds: float
    ticks: int


def work(job: Job) -> Done:
    config = evaluation_config()
    s = job.season
    result = run(config, STRATEGIES[job.strategy], s.first, s.last,
                 weather_of(job.weather, config, s), tick=timedelta(seconds=job.tick_s),
                 quiet_tick=timedelta(seconds=job.quiet_tick_s))
    kpis = score(config, result)
    tz = config.venue.venue.tz
    day = min(max(s.show_day, s.first), s.last)
    a = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    small = replace(result, trace=result.trace.window(a, a + timedelta(days=1)), writes=[])
    return Done(job, kpis, show_rows(config, result), small, result.daily_energy,
                result.seconds, result.ticks)


def table(rows: list[Done]) -> str:
    head = ("season | strategy | cooling MWh | heating MWh | reheat MWh | fan MWh | total MWh | "
            "kWh/m² | vs always-on | vs fixed | discomfort K·h/zone | CO2 ppm·h/zone | "
            "CO2 longest min | curtain-ready | setpoint changes/show | unit starts/day | "
            "run s")
    lines = [head, " | ".join("---" for _ in head.split(" | "))]
    for d in rows:
        k = d.kpis
        base = {r.job.strategy: r.kpis.energy_kwh["total"] for r in rows
                if r.job.season == d.job.season}
        e = k.energy_kwh

        def vs(name: str, e: dict[str, float] = e, base: dict[str, float] = base) -> str:
            return f"{100 * (e['total'] / base[name] - 1):+.0f} %" if name in base else "–"

        lines.append(" | ".join([
            d.job.season.name, k.strategy, *(f"{e[m] / 1000:,.1f}" for m in
                                             ("cooling", "heating", "reheat", "fan", "total")),
            f"{k.kwh_per_m2:.1f}", vs("always-on"), vs("fixed schedule"),
            f"{k.discomfort_kh_per_zone:.2f}", f"{k.co2_ppmh_per_zone:.0f}",
            f"{k.co2_longest_min:.0f}",
            f"{k.curtain_ready}/{k.shows} ({100 * k.curtain_ready_rate:.0f} %)",
            f"{k.setpoint_changes_per_show:.1f}", f"{k.unit_starts_per_day:.1f}",
            f"{d.seconds:.1f}"]))
    return "\n".join(lines)


READY_AT_LEAST = 0.98
DISCOMFORT_AT_MOST_KH = 0.5


def verdicts(rows: list[Done]) -> list[tuple[str, bool, str]]:
    """The acceptance criteria, in every season: issue 7's, made stricter by issue 13 (the
    whole year: ready ≥ 98 %, discomfort ≤ 0.5 K·h/zone)."""
    out = []
    for season in dict.fromkeys(d.job.season.name for d in rows):
        by = {d.job.strategy: d.kpis for d in rows if d.job.season.name == season}
        if not {"ours", "always-on", "fixed schedule"} <= by.keys():
            continue
        ours, always, fixed = by["ours"], by["always-on"], by["fixed schedule"]
        e = ours.energy_kwh["total"]
        save_a = 1 - e / always.energy_kwh["total"]
        save_f = 1 - e / fixed.energy_kwh["total"]
        out += [
            (f"{season}: ≥ 30 % less energy than always-on", save_a >= 0.30,
             f"{100 * save_a:.1f} %"),
            (f"{season}: ≥ 15 % less energy than fixed schedule", save_f >= 0.15,
             f"{100 * save_f:.1f} %"),
            (f"{season}: discomfort no worse than fixed schedule",
             ours.discomfort_kh_per_zone <= fixed.discomfort_kh_per_zone + 1e-9,
             f"{ours.discomfort_kh_per_zone:.2f} vs {fixed.discomfort_kh_per_zone:.2f} K·h/zone"),
            (f"{season}: discomfort ≤ {DISCOMFORT_AT_MOST_KH} K·h/zone",
             ours.discomfort_kh_per_zone <= DISCOMFORT_AT_MOST_KH,
             f"{ours.discomfort_kh_per_zone:.2f} K·h/zone"),
            (f"{season}: CO2 never above the limit > 5 min in a show",
             ours.co2_longest_min <= 5, f"longest {ours.co2_longest_min:.0f} min"),
            (f"{season}: curtain-ready ≥ {100 * READY_AT_LEAST:.0f} %",
             ours.curtain_ready_rate >= READY_AT_LEAST,
             f"{100 * ours.curtain_ready_rate:.1f} % ({ours.curtain_ready}/{ours.shows})"),
        ]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 bench/evaluate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--season", choices=[*SEASONS, "all"], default="all")
    ap.add_argument("--strategy", action="append",
                    choices=[*STRATEGIES, "ours without coordination"],
                    help="only these (repeatable; default: all three, with --site all four)")
    ap.add_argument("--site", action="store_true",
                    help="the whole default site (the root's zones.yaml and schedules/) with "
                         "its plant, summer and winter, four strategies: site_kpis.csv, "
                         "site_shows.csv, site_busiest_evening.png")
    ap.add_argument("--from", dest="first", type=date.fromisoformat, default=None,
                    metavar="DATE", help="start each season at DATE (seasons without it "
                                         "are left out)")
    ap.add_argument("--no-check", action="store_true",
                    help="print the checks but exit 0 whatever they say")
    ap.add_argument("--days", type=int, default=None, help="only the first N days of a season")
    ap.add_argument("--weather", default="normals",
                    help="normals (default), design, or a CSV file (time,temp_c,rh_pct)")
    ap.add_argument("--tick", type=float, default=TICK.total_seconds(), metavar="SECONDS",
                    help="the loop's regular tick while anything is on or due (default 600; "
                         "phase boundaries and pushes tick as well, as in the service)")
    ap.add_argument("--quiet-tick", type=float, default=QUIET_TICK.total_seconds(),
                    metavar="SECONDS",
                    help="the tick in a calm, empty, idle hall, every unit off (default 3600)")
    ap.add_argument("--jobs", type=int, default=None,
                    help="processes (default: one per run, at most twice the cores)")
    ap.add_argument("--out", type=Path, default=ROOT / "artifacts" / "evaluate")
    ap.add_argument("--check-golden", action="store_true",
                    help="run every strategy over summer and winter and compare the KPIs with "
                         "golden_kpis.json; exit 1 naming each one out of tolerance")
    ap.add_argument("--write-golden", action="store_true",
                    help="(re)write golden_kpis.json from this code: only on purpose")
    args = ap.parse_args(argv)
    if args.check_golden or args.write_golden:
        return _golden(args.write_golden, args.jobs)
    from bench.evaluate import site

    if args.site:
        names = args.strategy or list(site.SITE_STRATEGIES)
        chosen = list(site.SITE_SEASONS) if args.season == "all" else [args.season]
        return site.run_site(site.seasons_of(chosen, args.first, args.days, SEASONS), names,
                             args.weather, args.tick, args.quiet_tick, args.jobs, args.out,
                             check=not args.no_check)
    if args.strategy and site.UNCOORDINATED in args.strategy:
        ap.error(f"--strategy '{site.UNCOORDINATED}' needs --site (a plant to coordinate)")
    seasons = site.seasons_of(list(SEASONS) if args.season == "all" else [args.season],
                              args.first, args.days, SEASONS)
    names = args.strategy or list(STRATEGIES)
    jobs = [Job(s, n, args.weather, args.tick, args.quiet_tick) for s in seasons for n in names]
    workers = args.jobs or min(len(jobs), 2 * (os.cpu_count() or 1))
    done, wall = run_all(work, jobs, workers)
    config = evaluation_config()

    print(table(done))
    print()
    print("\n".join(timing_lines(done, seasons, workers, wall)))
    print()
    failed = 0
    for what, ok, figure in verdicts(done):
        failed += not ok
        print(f"{'met    ' if ok else 'NOT MET'}  {what}: {figure}")

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    _write_csv(done, out)
    from bench.evaluate import plots

    for s in seasons:
        runs = [d.plot for d in done if d.job.season == s]
        plots.show_day(config, runs, min(max(s.show_day, s.first), s.last),
                       out / f"show-day-{s.name}.png")
    plots.season_energy({s.name: [d.kpis for d in done if d.job.season == s] for s in seasons},
                        out / "season-energy.png")
    print(f"\nwritten: {out}/kpis.csv, shows.csv, daily_energy.csv, show-day-*.png, "
          "season-energy.png")
    return 1 if failed and not args.no_check else 0


def _golden(write: bool, jobs: int | None) -> int:
    from bench.evaluate import golden

    runs, seconds = golden.measure(jobs)
    for name, secs in seconds.items():
        print(f"{name}: {secs:.1f} s")
    if write:
        golden.write(runs)
        print(f"written: {golden.GOLDEN}")
        return 0
    bad = golden.compare(golden.load(), runs)
    for line in bad:
        print(f"OUT OF TOLERANCE  {line}")
    print(f"{len(bad)} KPI(s) out of tolerance ({golden.TOLERANCE})" if bad
          else f"every KPI within tolerance of {golden.GOLDEN.name}")
    return 1 if bad else 0


def _write_csv(done: list[Done], out: Path) -> None:
    with (out / "kpis.csv").open("w", newline="") as f:
        w = csv.writer(f)
        zones = sorted(done[0].kpis.discomfort_kh)
        w.writerow(["season", "strategy", "days", "cooling_kwh", "heating_kwh", "reheat_kwh",
                    "fan_kwh", "total_kwh", "kwh_per_m2", "discomfort_kh_per_zone",
                    *(f"discomfort_kh_{z}" for z in zones), "co2_ppmh_per_zone",
                    *(f"co2_ppmh_{z}" for z in zones), "co2_longest_min", "shows",
                    "curtain_ready", "curtain_ready_rate", "setpoint_changes_per_show",
                    "unit_starts_per_day", "run_s", "ticks"])
        for d in done:
            k = d.kpis
            e = k.energy_kwh
            w.writerow([d.job.season.name, k.strategy, k.days,
                        *(round(e[m], 1) for m in ("cooling", "heating", "reheat", "fan",
                                                   "total")),
                        round(k.kwh_per_m2, 2), round(k.discomfort_kh_per_zone, 3),
                        *(round(k.discomfort_kh[z], 3) for z in zones),
                        round(k.co2_ppmh_per_zone, 1), *(round(k.co2_ppmh[z], 1) for z in zones),
                        round(k.co2_longest_min, 1), k.shows, k.curtain_ready,
                        round(k.curtain_ready_rate, 4), round(k.setpoint_changes_per_show, 2),
                        round(k.unit_starts_per_day, 2), round(d.seconds, 2), d.ticks])
    with (out / "shows.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["season", "strategy", "show", "attendance", "doors_c", "doors_target_c",
                    "curtain_c", "curtain_target_c", "ready", "co2_max_ppm",
                    "co2_longest_above_min", "co2_zone"])
        for d in done:
            for r in d.shows:
                w.writerow([d.job.season.name, d.job.strategy, r.id, r.attendance,
                            round(r.doors_c, 2), r.doors_target_c, round(r.curtain_c, 2),
                            r.curtain_target_c, r.ready, round(r.co2_max_ppm),
                            round(r.co2_longest_min, 1), r.co2_zone])
    with (out / "daily_energy.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["season", "strategy", "day", "total_kwh"])
        for d in done:
            for day, kwh in d.daily:
                w.writerow([d.job.season.name, d.job.strategy, day.isoformat(), round(kwh, 1)])


if __name__ == "__main__":
    sys.exit(main())
