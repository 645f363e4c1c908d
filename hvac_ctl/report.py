"""Human views of configuration and plans: the validate summary, the day table, the day plot."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from hvac_ctl.model import Config, Venue
from hvac_ctl.model.calendar import GetInEvent, ShowEvent, TourEvent
from hvac_ctl.model.site import PUBLIC
from hvac_ctl.planner import DayPlan, Segment
from hvac_ctl.planner.outputs import ShowTimes

PHASE_COLOURS = {
    "idle": "#d9d9d9",
    "tour": "#9ecae1",
    "get_in": "#fdae6b",
    "precool": "#74c476",
    "show": "#de2d26",
    "post_show": "#bcbddc",
    "open": "#c7e9c0",
    "crowd": "#fd8d3c",
}


def sections(venue: Venue, hall: str | None = None) -> list[tuple[str, list[str]]]:
    """The zones to show, each under its hall's or public group's title, in `zones.yaml`
    order: one untitled section for a one-hall venue; `hall` keeps one hall's, or `public`
    the public groups'."""
    if not venue.is_site:
        return [("", list(venue.zones))]
    out: list[tuple[str, list[str]]] = []
    if hall in (None, *venue.hall_ids):
        out += [(f"{venue.hall(h).name} [{h}, {venue.hall(h).type}]",
                 list(venue.zones_of_hall(h))) for h in venue.hall_ids if hall in (None, h)]
    if hall in (None, PUBLIC):
        out += [(f"Public: {g.name} [{gid}]", list(venue.zones_of_group(gid)))
                for gid, g in venue.groups.items()]
    return out


def summary(config: Config, today: date) -> str:
    """One screen: what the configuration describes, so an engineer sees it was read right."""
    v = config.venue
    lines = [f"{v.venue.name} ({v.venue.timezone}): configuration is valid", "", "zones:"]
    width = max(11, *(len(n) for n in v.zones))  # a site's ids (concert-auditorium) are longer
    for name, z in v.zones.items():
        who = f"{z.seats} seats" if z.seats else f"capacity {z.capacity}"
        units = ", ".join(v.units_of(name))
        lines.append(f"  {name:<{width}} {z.kind:<10} {who:<14} {z.area_m2:>6.0f} m² "
                     f"{z.volume_m3:>7.0f} m³  setpoints {z.limits.setpoint_min_c:g}–"
                     f"{z.limits.setpoint_max_c:g} °C  units: {units}")
    if v.is_site:  # which zones make each hall and group, and how each runs
        lines.append("halls:")
        lines += [f"  {h:<{width}} {v.hall(h).type:<10} {v.hall(h).name}: "
                  f"{', '.join(v.zones_of_hall(h))}" for h in v.hall_ids]
    if v.groups:
        lines.append("public groups (one mode by the weather):")
        lines += [f"  {g:<{width}} {len([u for z in v.zones_of_group(g) for u in v.units_of(z)])}"
                  f" AHUs, dwell {pg.min_dwell_min} min, {pg.name}: "
                  f"{', '.join(v.zones_of_group(g))}" for g, pg in v.groups.items()]
    by_protocol = Counter(u.protocol for u in v.units.values())
    lines.append(f"units: {len(v.units)} ({', '.join(f'{n} {p}' for p, n in by_protocol.items())})")
    lines.append("seasons: " + "; ".join(
        f"{n} ({s.mode}: {', '.join(f'{r.start}→{r.to}' for r in s.dates)})"
        for n, s in config.seasons.seasons.items()))
    span = config.calendar.date_range()
    if span is None:
        lines.append("calendar: empty")
    else:
        events = config.calendar.events_between(span[0], span[1], v.venue.tz)
        kinds = Counter(type(e) for e in events)
        lines.append(
            f"calendar: {len(config.calendar.files)} file(s), {span[0]} → {span[1]}: "
            f"{kinds[ShowEvent]} performances, {kinds[TourEvent]} tours, "
            f"{kinds[GetInEvent]} get-ins, {len(config.calendar.closed)} closed days")
    lines.append(f"today ({today}): season {config.seasons.name_for(today)}, "
                 f"{len(config.calendar.events_on(today, v.venue.tz))} event(s)")
    return "\n".join(lines)


def _hm(t: datetime, plan: DayPlan) -> str:
    local = t.astimezone(plan.tz)
    return "24:00" if local.date() > plan.day else f"{local:%H:%M}"


def _units_text(seg: Segment) -> str:
    on = [u for u, p in seg.units.items() if p.get("enable")]
    if not on:
        return "units off"
    parts = []
    for u in on:
        p = seg.units[u]
        extra = []
        if "oa_damper_min" in p:
            extra.append(f"OA {p['oa_damper_min']:g} %")
        if "fan_speed_max" in p:
            extra.append(f"fan ≤{p['fan_speed_max']:g} %")
        parts.append(f"{u} ({', '.join(extra)})" if extra else u)
    return ", ".join(parts)


def day_table(plan: DayPlan, config: Config) -> str:
    lines = [f"Plan for {plan.day:%A %Y-%m-%d} ({config.venue.venue.name}, "
             f"{config.venue.venue.timezone})"]
    for s in plan.shows:
        lines.append(f"\n{s.title} [{s.event_id}]: doors {_hm(s.doors_open, plan)}, curtain "
                     f"{_hm(s.curtain, plan)}, end {s.end.astimezone(plan.tz):%H:%M}, "
                     f"expected {s.expected_attendance}")
        for zone, start in s.precool_start.items():
            oa = s.oa_open.get(zone)
            oa_text = f"; outdoor air opens {oa.astimezone(plan.tz):%H:%M}" if oa else ""
            lines.append(f"  {zone}: precool from {start.astimezone(plan.tz):%H:%M}"
                         f"{_prepared_text(s, zone, plan)} to "
                         f"{s.precool_target_c[zone]:.1f} °C{oa_text}")
    for o in plan.preparations:
        lines.append(f"\nPlant, {o.start.astimezone(plan.tz):%H:%M}–"
                     f"{o.end.astimezone(plan.tz):%H:%M}: {o.why}")
    shown = {z for s in plan.segments for z in (s.zone,)}
    for title, zones in sections(config.venue):
        zones = [z for z in zones if z in shown]
        if title and zones:
            lines.append(f"\n== {title}")
        lines += _zone_lines(plan, config, zones)
    return "\n".join(lines)


def _prepared_text(s: ShowTimes, zone: str, plan: DayPlan) -> str:
    """' (its own start 17:45, moved for the plant; plant load 2410 kW)', or nothing."""
    parts = []
    own = s.own_start.get(zone)
    if own is not None:
        parts.append(f"its own start {own.astimezone(plan.tz):%H:%M}, moved for the plant")
    kw = s.plant_load_kw.get(zone)
    if kw is not None:
        parts.append(f"plant load {kw:.0f} kW")
    return f" ({'; '.join(parts)})" if parts else ""


def _zone_lines(plan: DayPlan, config: Config, zones: list[str]) -> list[str]:
    lines: list[str] = []
    for zone in zones:
        lines.append(f"\n{zone}")
        lo, hi = config.venue.zones[zone].limits.idle_band_c
        for seg in plan.for_zone(zone):
            # idle with its units off holds a band: its setpoint drives nothing
            idle = seg.phase == "idle" and not any(p.get("enable") for p in seg.units.values())
            target = f"{lo:g}–{hi:g} °C" if idle else f"{seg.setpoint_c:>5.1f} °C"
            lines.append(f"  {_hm(seg.start, plan)}–{_hm(seg.end, plan)}  {seg.phase:<9} "
                         f"{target:>8}  {seg.mode:<4}  {_units_text(seg)}")
    return lines


def _pyplot() -> Any:
    """matplotlib is the `plot` extra: the service itself draws nothing."""
    try:
        import matplotlib
    except ImportError:
        raise SystemExit("--plot needs matplotlib: pip install 'hvac-ctl[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_formats() -> list[str]:
    """The file types --plot can write (by suffix), the common ones first."""
    plt = _pyplot()
    fig = plt.figure()
    known = set(fig.canvas.get_supported_filetypes())
    plt.close(fig)
    first = [f for f in ("png", "svg", "pdf") if f in known]
    return first + sorted(known - set(first))


def plot_path_problem(path: Path) -> str | None:
    """Why --plot cannot write `path`, naming the formats it can; None if it can."""
    suffix = path.suffix.lower().lstrip(".")
    formats = plot_formats()
    if suffix in formats:
        return None
    what = f"'.{suffix}' is not a format it draws" if suffix else "the name has no suffix"
    return f"--plot {path}: {what}; give a file ending in one of {', '.join(formats)}"


def plot_refused(plot: str | None, command: str) -> bool:
    """Whether a command's `--plot` names a file it cannot draw (said on stderr, before any
    work is done), as every command that plots checks it."""
    problem = plot_path_problem(Path(plot)) if plot else None
    if problem is not None:
        print(f"{command}: {problem}", file=sys.stderr)
    return problem is not None


def day_plot(plan: DayPlan, config: Config, path: Path) -> None:
    """The day's figure, written to `path` (its suffix picks the format)."""
    plt = _pyplot()
    fig = day_figure(plan, config)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def day_figure(plan: DayPlan, config: Config) -> Any:
    """Phases as bands, setpoints as lines; one panel per zone, from local midnight to the
    next (the planned day, nothing of the days around it)."""
    plt = _pyplot()
    import matplotlib.dates as mdates
    from matplotlib.patches import Patch

    shown = {s.zone for s in plan.segments}
    rows = [(title, z) for title, zs in sections(config.venue) for z in zs if z in shown]
    zones = [z for _, z in rows]
    fig, axes = plt.subplots(len(zones), 1, figsize=(12, 2.4 * len(zones)), sharex=True)
    axes = [axes] if len(zones) == 1 else list(axes)
    for ax, (title, zone) in zip(axes, rows, strict=True):
        segs = plan.for_zone(zone)
        for seg in segs:
            ax.axvspan(seg.start, seg.end, color=PHASE_COLOURS[seg.phase], alpha=0.6, lw=0)
        xs, ys = [], []
        for seg in segs:
            xs += [seg.start, seg.end]
            ys += [seg.setpoint_c, seg.setpoint_c]
        ax.plot(xs, ys, color="black", lw=1.6, label="setpoint")
        lim = config.venue.zones[zone].limits
        ax.set_ylim(lim.setpoint_min_c - 0.5, lim.setpoint_max_c + 0.5)
        group = title.split(" [")[0]  # one band row per zone, grouped by hall
        if group:
            ax.set_ylabel(f"{group}\n{zone}\n°C", fontsize=8)
        else:
            ax.set_ylabel(f"{zone}\n°C")
        ax.grid(alpha=0.3)
    midnight = datetime.combine(plan.day, time(0), plan.tz)
    axes[-1].set_xlim(midnight, datetime.combine(plan.day + timedelta(days=1), time(0), plan.tz))
    axes[-1].xaxis.set_major_locator(mdates.HourLocator(byhour=range(0, 24, 3), tz=plan.tz))
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=plan.tz))
    handles = [Patch(color=c, label=p) for p, c in PHASE_COLOURS.items()]
    axes[0].legend(handles=handles, ncol=6, loc="upper left", fontsize=8)
    axes[0].set_title(f"{config.venue.venue.name} — {plan.day.isoformat()}")
    fig.tight_layout()
    return fig
