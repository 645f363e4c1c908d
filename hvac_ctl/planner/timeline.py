"""A whole local day: the instant plan evaluated wherever anything can change.

`plan_day` cuts the day at every breakpoint — claims' starts and ends, the settle steps after
curtain, the egress steps, outdoor-air openings, counts, overrides, measurements, the end of
a mode's dwell and of the closed loop's wait — plans each stretch once, and merges the
stretches of a zone that plan the same. The preview and the live control are the same
function, so they never disagree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise

from hvac_ctl.model import Config
from hvac_ctl.planner.claims import ShowPlan
from hvac_ctl.planner.context import PlanCache
from hvac_ctl.planner.egress import steps as egress_steps
from hvac_ctl.planner.inputs import PlanInputs
from hvac_ctl.planner.outputs import DayPlan, Segment, ShowTimes
from hvac_ctl.planner.plan import NOTHING_KNOWN, Planner
from hvac_ctl.planner.post_show import egress
from hvac_ctl.planner.show import SETTLE_STEP, SETTLE_STEPS_MAX


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The start of a local day, in UTC: all instants inside the planner are UTC."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _touches(show: ShowPlan, start: datetime, end: datetime) -> bool:
    """A show whose precool, doors or performance fall in [start, end)."""
    e = show.event
    first = min([e.doors_open, *(p.start for p in show.precooled.values())])
    return first < end and e.end > start


def show_times(planner: Planner, start: datetime, end: datetime) -> list[ShowTimes]:
    """The computed times of each show that touches [start, end), as engineers check them."""
    out = []
    for show in planner.claims.shows.values():
        if not _touches(show, start, end):
            continue
        e = show.event
        opens = {z: t for z in show.precooled if (t := planner.opening(e.id, z)) is not None}
        out.append(ShowTimes.of(e.id, e.title, e.doors_open, e.curtain, e.end,
                                e.expected_attendance,
                                {z: p.start for z, p in show.precooled.items()},
                                {z: p.target_c for z, p in show.precooled.items()}, opens))
    return sorted(out, key=lambda s: s.doors_open)


def breakpoints(planner: Planner, start: datetime, end: datetime) -> set[datetime]:
    """Every instant in [start, end) at which some zone's desired state may change."""
    ctx = planner.ctx
    venue = ctx.venue.venue
    ts: set[datetime] = set()
    for claims in planner.claims.by_zone.values():
        for c in claims:
            ts.update((c.start, c.end))
    for show in planner.claims.shows.values():
        e = show.event
        ts.update(e.curtain + k * SETTLE_STEP for k in range(SETTLE_STEPS_MAX + 1))
        ts.update(egress_steps(e.end, egress(ctx)))
        ts.add(e.doors_open - timedelta(minutes=venue.precool.past_until_min))
        if _touches(show, start, end):
            ts.update(t for zone in show.precooled if (t := planner.opening(e.id, zone)))
    inputs = ctx.inputs
    ts.update(p.at for p in inputs.occupancy)
    for o in inputs.overrides:
        ts.update((o.start, o.until))
    ts.update(m.at for m in inputs.measurements.values())
    dwell = timedelta(minutes=venue.modes.min_dwell_min)
    ts.update(h.since + dwell for h in inputs.modes.values() if h.since is not None)
    after = timedelta(minutes=venue.recovery.after_min)
    ts.update(d.since + after for d in inputs.deviations.values())
    return ts


def _same(a: Segment, b: Segment) -> bool:
    return (a.phase, a.event_id, round(a.setpoint_c, 3), a.mode, a.units) == (
        b.phase, b.event_id, round(b.setpoint_c, 3), b.mode, b.units)


def plan_day(config: Config, day: date, inputs: PlanInputs = NOTHING_KNOWN,
             cache: PlanCache | None = None) -> DayPlan:
    """The whole local day `day` as segments per zone, with each show's computed times."""
    tz = config.venue.venue.tz
    planner = Planner(config, inputs, day, day, cache)
    start = local_midnight(day, tz)
    end = local_midnight(day + timedelta(days=1), tz)
    cuts = sorted({t for t in breakpoints(planner, start, end) if start < t < end}
                  | {start, end})
    segments: list[Segment] = []
    open_segment: dict[str, Segment] = {}
    for a, b in pairwise(cuts):
        state = planner.state_at(a)
        for zone, zs in state.zones.items():
            units = {u: state.units[u] for u in config.venue.units_of(zone)}
            seg = Segment.of(zone, zs.phase, a, b, zs.setpoint_c, zs.mode, zs.event_id, units,
                             zs.reason)
            prev = open_segment.get(zone)
            if prev is not None and _same(prev, seg):
                open_segment[zone] = prev.until(b)
            else:
                if prev is not None:
                    segments.append(prev)
                open_segment[zone] = seg
    segments.extend(open_segment.values())
    order = {z: i for i, z in enumerate(config.venue.zones)}
    segments.sort(key=lambda s: (order[s.zone], s.start))
    return DayPlan(day, tz, tuple(segments), tuple(show_times(planner, start, end)))
