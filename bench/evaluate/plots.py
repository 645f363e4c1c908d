"""Figures of an evaluation: one show day per strategy, and the season's energy."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt

from bench.evaluate.closed_loop import Result
from bench.evaluate.kpis import Kpis
from hvac_ctl.model import Config

METERS = (("cooling", "#4a90d9"), ("heating", "#d9534f"), ("reheat", "#f0ad4e"),
          ("fan", "#7a7a7a"))


def show_day(config: Config, results: list[Result], day: date, path: Path) -> None:
    """Temperature and target, CO2, people and units running, 06:00–24:00, per strategy."""
    tz = config.venue.venue.tz
    a = datetime.combine(day, time(6), tzinfo=tz)
    b = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    limit = config.venue.venue.occupancy.co2_limit_ppm
    fig, axes = plt.subplots(4, len(results), figsize=(5 * len(results), 10), sharex="col",
                             sharey="row", squeeze=False)
    for col, r in enumerate(results):
        tr = r.trace
        i, j = tr.index_at(a), tr.index_at(b)
        ts = [t.astimezone(tz) for t in tr.times[i:j + 1]]
        ax = axes[0][col]
        for zone, colour in zip(config.venue.zones, ("C0", "C1", "C2"), strict=False):
            ax.plot(ts, tr.temp[zone][i:j + 1], colour, lw=1.2, label=f"{zone}")
            ax.step(ts, tr.target[zone][i:j + 1], colour, where="post", lw=0.8, ls="--",
                    label=f"{zone} target")
        ax.set_title(r.strategy)
        ax.set_ylabel("°C")
        for zone, colour in zip(config.venue.zones, ("C0", "C1", "C2"), strict=False):
            axes[1][col].plot(ts, tr.co2[zone][i:j + 1], colour, lw=1.2, label=zone)
        axes[1][col].axhline(limit, color="k", lw=0.8, ls=":", label="limit")
        axes[1][col].set_ylabel("CO2 ppm")
        for zone, colour in zip(config.venue.zones, ("C0", "C1", "C2"), strict=False):
            axes[2][col].plot(ts, tr.people[zone][i:j + 1], colour, lw=1.2, label=zone)
        axes[2][col].set_ylabel("people")
        running = [sum(tr.running[z][k] for z in config.venue.zones) for k in range(i, j + 1)]
        axes[3][col].step(ts, running, "k", where="post", lw=1.2)
        axes[3][col].set_ylabel("units running")
        axes[3][col].xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=tz))
    axes[0][0].legend(fontsize=7, ncol=2)
    axes[1][0].legend(fontsize=7)
    fig.suptitle(f"{day:%A %d %B %Y}: the same show day under each strategy")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def season_energy(table: dict[str, list[Kpis]], path: Path) -> None:
    """Stacked energy per strategy, one group per season."""
    seasons = list(table)
    fig, axes = plt.subplots(1, len(seasons), figsize=(5 * len(seasons), 4), squeeze=False)
    for ax, season in zip(axes[0], seasons, strict=True):
        rows = table[season]
        names = [k.strategy for k in rows]
        bottom = [0.0] * len(rows)
        for meter, colour in METERS:
            mwh = [k.energy_kwh[meter] / 1000 for k in rows]
            ax.bar(names, mwh, bottom=bottom, color=colour, label=meter)
            bottom = [x + y for x, y in zip(bottom, mwh, strict=True)]
        for x, total in enumerate(bottom):
            ax.text(x, total, f"{total:,.0f}", ha="center", va="bottom", fontsize=8)
        ax.set_title(season)
        ax.set_ylabel("MWh")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def busiest_evening(series: dict[str, list[tuple[datetime, float]]], cap_kw: float, day: date,
                    path: Path) -> None:
    """The plant's electric demand through one evening, a line per strategy, the cap as a
    line: where four precools for one curtain meet (or, coordinated, do not)."""
    fig, ax = plt.subplots(figsize=(10, 5))
    tz = None
    for name, points in series.items():
        ts = [t for t, _ in points]
        tz = ts[0].tzinfo if ts else tz
        ax.plot(ts, [kw for _, kw in points], lw=1.3, label=name)
    ax.axhline(cap_kw, color="k", lw=1.0, ls="--", label=f"cap {cap_kw:,.0f} kW")
    ax.set_ylabel("plant electric kW")
    ax.set_ylim(bottom=0)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=tz))
    ax.set_title(f"{day:%A %d %B %Y}: the chiller plant's demand, every strategy")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
