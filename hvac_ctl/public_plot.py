"""`hvac-ctl report public --plot`: one row per public group — its mode over time as coloured
bands, its zones' temperatures against the band, and the outdoor dry-bulb — drawn the way
`hvac-ctl plan --plot` draws a day (`report._pyplot`: matplotlib is the `plot` extra)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from hvac_ctl.public_report import PublicReport
from hvac_ctl.public_timeline import STEP, Timeline
from hvac_ctl.report import _pyplot

MODE_COLOURS = {
    "cool": "#9ecae1",
    "heat": "#fdae6b",
    "vent": "#a1d99b",
    "dehumidify": "#bcbddc",
    "off": "#f0f0f0",
    "mixed": "#de2d26",
    "unknown": "#969696",  # running, no `mode` reading
}


def _runs(tl: Timeline) -> list[tuple[datetime, datetime, str]]:
    """The mode's spans: one band per run of equal minutes (no data: no band)."""
    out: list[tuple[datetime, datetime, str]] = []
    for t, m in zip(tl.grid, tl.mode, strict=True):
        if m is None:
            continue
        if out and out[-1][2] == m and out[-1][1] == t:
            out[-1] = (out[-1][0], t + STEP, m)
        else:
            out.append((t, t + STEP, m))
    return out


def _line(ax: Any, tl: Timeline, values: list[float | None], **style: Any) -> None:
    """Gaps where there was no reading, rather than a straight line across them."""
    ax.plot(tl.grid, [float("nan") if v is None else v for v in values], **style)


def public_figure(report: PublicReport) -> Any:
    plt = _pyplot()
    import matplotlib.dates as mdates
    from matplotlib.patches import Patch

    n = len(report.groups)
    fig, axes = plt.subplots(n, 1, figsize=(13, 3.0 * n), sharex=True, squeeze=False)
    for ax, g in zip(axes[:, 0], report.groups, strict=True):
        tl = g.timeline
        for a, b, m in _runs(tl):
            ax.axvspan(a, b, color=MODE_COLOURS[m], alpha=0.7, lw=0)
        # the band where it applies: the occupied minutes
        lows = [lo if o else None for (lo, _), o in zip(tl.band, tl.occupied, strict=True)]
        highs = [hi if o else None for (_, hi), o in zip(tl.band, tl.occupied, strict=True)]
        _line(ax, tl, lows, color="black", lw=0.8, ls="--")
        _line(ax, tl, highs, color="black", lw=0.8, ls="--", label="band (open)")
        for zone, temps in tl.temp.items():
            _line(ax, tl, temps, lw=1.4, label=zone)
        _line(ax, tl, tl.oa_c, color="#636363", lw=1.0, label="outdoor")
        ax.set_ylabel(f"{g.group}\n°C")
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right", fontsize=7, ncol=4)
    handles = [Patch(color=c, label=m) for m, c in MODE_COLOURS.items()]
    fig.legend(handles=handles, ncol=len(handles), loc="lower center", fontsize=8)
    last = axes[-1, 0]
    last.xaxis.set_major_formatter(
        mdates.DateFormatter("%m-%d %H:%M", tz=report.tz))  # type: ignore[no-untyped-call]
    fig.suptitle(f"{report.venue} — public groups, {report.first} → {report.last}")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def public_plot(report: PublicReport, path: Path) -> None:
    """The figure, written to `path` (its suffix picks the format)."""
    plt = _pyplot()
    fig = public_figure(report)
    fig.savefig(path, dpi=110)
    plt.close(fig)
