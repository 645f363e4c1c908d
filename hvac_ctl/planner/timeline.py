"""A whole local day: the instant plan evaluated wherever anything can change.

`plan_day` cuts the day at every breakpoint — claims' starts and ends, the settle steps after
curtain, the egress steps, outdoor-air openings, counts, overrides, measurements, the end of
a mode's dwell and of the closed loop's wait — plans each stretch once, and merges the
stretches of a zone that plan the same. The preview and the live control are the same
function, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType

from hvac_ctl.model import Config
from hvac_ctl.model.site import PUBLIC
from hvac_ctl.model.venue import Venue
from hvac_ctl.planner import day_shapes
from hvac_ctl.planner.claims import ShowPlan
from hvac_ctl.planner.context import Context, PlanCache
from hvac_ctl.planner.egress import steps as egress_steps
from hvac_ctl.planner.inputs import PlanInputs, PointValue
from hvac_ctl.planner.outputs import DayPlan, Segment, ShowTimes, ZoneState
from hvac_ctl.planner.plan import NOTHING_KNOWN, Planner, in_reach
from hvac_ctl.planner.post_show import egress
from hvac_ctl.planner.precool import past_ends
from hvac_ctl.planner.show import settle_instants


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
    prepared = {(p.event_id, p.zone): p for ev in planner.evenings for p in ev.outlook.prepared}
    for show in planner.claims.shows.values():
        if not _touches(show, start, end):
            continue
        e = show.event
        opens = {z: t for z in show.precooled if (t := planner.opening(e.id, z)) is not None}
        mine = {z: p for (i, z), p in prepared.items() if i == e.id}
        out.append(ShowTimes.of(e.id, e.title, e.doors_open, e.curtain, e.end,
                                e.expected_attendance,
                                {z: p.start for z, p in show.precooled.items()},
                                {z: p.target_c for z, p in show.precooled.items()}, opens,
                                e.hall, {z: p.own_start for z, p in mine.items()
                                         if p.start != p.own_start},
                                {z: p.load_at_start_kw for z, p in mine.items()}))
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
        ts.update(settle_instants(ctx.season(ctx.season_name(e.date)), e))
        ts.update(egress_steps(e.end, egress(ctx)))
        ts.update(past_ends(ctx, show.precooled, e, ctx.season(ctx.season_name(e.date)).mode))
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
    for gid, group in ctx.venue.groups.items():  # public areas open, crowd and close
        ts.update(t for w in planner.windows(gid) for t in (w.start, w.end))
        held = inputs.groups.get(gid)
        if held is not None and held.since is not None:
            ts.add(held.since + timedelta(minutes=group.min_dwell_min))
    return ts


Stretch = tuple[datetime, ZoneState, dict[str, Mapping[str, PointValue]]]  # start, state, units


def _same(a: Stretch, state: ZoneState, units: dict[str, Mapping[str, PointValue]]) -> bool:
    """A zone plans the same while its phase, event, setpoint, mode and units do."""
    s = a[1]
    return (s.phase, s.event_id, round(s.setpoint_c, 3), s.mode, a[2]) == (
        state.phase, state.event_id, round(state.setpoint_c, 3), state.mode, units)


def _segment(venue: Venue, zone: str, stretch: Stretch, end: datetime) -> Segment:
    start, s, units = stretch
    hall = group = None
    if venue.is_site:
        hall, group = venue.hall_of(zone) or PUBLIC, venue.zones[zone].group
    return Segment(zone, s.phase, start, end, s.setpoint_c, s.mode, s.event_id,
                   MappingProxyType(units), s.reason, hall, group)


def plan_day(config: Config, day: date, inputs: PlanInputs = NOTHING_KNOWN,
             cache: PlanCache | None = None) -> DayPlan:
    """The whole local day `day` as segments per zone, with each show's computed times.

    With a cache and nothing known of the day itself, a day of a shape already planned is
    that plan moved to its date (`day_shapes`) — but not a site's with a plant: there one
    hall's precool, and what the plant expects of it, depend on the others' evening."""
    tz = config.venue.venue.tz
    start = local_midnight(day, tz)
    end = local_midnight(day + timedelta(days=1), tz)
    if cache is None or not day_shapes.applies(inputs) or config.venue.plant is not None:
        return _planned(config, day, inputs, cache, start, end)
    ctx = Context(config, inputs, cache)
    events = in_reach(config, ctx.events_between(day - timedelta(days=1),
                                                 day + timedelta(days=1)), start, end)
    return day_shapes.plan_by_shape(
        ctx, day, start, end, events,
        lambda only: _planned(config, day, inputs, cache, start, end, only))


def _planned(config: Config, day: date, inputs: PlanInputs, cache: PlanCache | None,
             start: datetime, end: datetime, only: Sequence[str] | None = None) -> DayPlan:
    """The day planned instant by instant (`only`: the segments of just those zones). A
    zone's stretch is made a `Segment` once, when it ends: most instants of a day change
    one zone and leave the others planning as they were."""
    tz = config.venue.venue.tz
    planner = Planner(config, inputs, day, day, cache, within=(start, end))
    cuts = sorted({t for t in breakpoints(planner, start, end) if start < t < end}
                  | {start, end})
    units_of = {zone: config.venue.units_of(zone) for zone in config.venue.zones}
    segments: list[Segment] = []
    stretches: dict[str, Stretch] = {}
    for at in cuts[:-1]:
        state = planner.state_at(at, only)
        for zone, zs in state.zones.items():
            units = {u: state.units[u] for u in units_of[zone]}
            stretch = stretches.get(zone)
            if stretch is not None and _same(stretch, zs, units):
                continue
            if stretch is not None:
                segments.append(_segment(config.venue, zone, stretch, at))
            stretches[zone] = (at, zs, units)
    segments.extend(_segment(config.venue, zone, s, end) for zone, s in stretches.items())
    order = {z: i for i, z in enumerate(config.venue.zones)}
    segments.sort(key=lambda s: (order[s.zone], s.start))
    preparations = tuple(ev.outlook for ev in planner.evenings
                         if start <= ev.outlook.end and ev.outlook.start < end)
    return DayPlan(day, tz, tuple(segments), tuple(show_times(planner, start, end)),
                   preparations)
