"""The planner: configuration + what is known → the desired state of every unit, at an instant.

Pure: no I/O, no clock, no globals, and the configuration is never written (a `PlanCache`
the caller passes in keeps what is worth keeping between calls). `plan_at` answers for one
instant; `timeline.plan_day` evaluates the same function at every instant where anything can
change, so the day's timeline and the live control loop can never disagree. The sequences
themselves are modules of their own: `claims` decides each zone's phase, `zone` composes the
rest, `idle` holds an unclaimed zone's band, `fused` makes a fused hall's zones one group,
`public` runs a public area's group by the weather, `unit_points` drives the units.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

from hvac_ctl.model import Config
from hvac_ctl.model.calendar import Event, ShowEvent
from hvac_ctl.model.seasons import ZoneSeason
from hvac_ctl.model.site import HallType
from hvac_ctl.model.venue import Zone
from hvac_ctl.planner import (
    fused,
    idle,
    plant,
    post_show,
    precool,
    preparations,
    public,
    public_phase,
)
from hvac_ctl.planner.claims import (
    CLAIMS_AFTER_END,
    Claims,
    Precooled,
    PrecoolRule,
    event_start,
    lay,
)
from hvac_ctl.planner.context import Context, PlanCache
from hvac_ctl.planner.inputs import PlanInputs, PointValue
from hvac_ctl.planner.outputs import GroupState, PlanState, PlantState, ZoneState
from hvac_ctl.planner.plant_load import load_kw
from hvac_ctl.planner.preparations import Evening
from hvac_ctl.planner.public_phase import Window
from hvac_ctl.planner.unit_points import Decision, safe
from hvac_ctl.planner.zone import zone_at

NOTHING_KNOWN = PlanInputs()  # immutable: a safe shared default


def _precooled(ctx: Context, zone: str, z: Zone, zs: ZoneSeason, e: ShowEvent) -> Precooled:
    target = precool.target(ctx, z, zs, e)
    return Precooled(precool.start(ctx, zone, precool.pulled_to(ctx, zone, z, target, e), e),
                     target)


def _starting(chosen: Mapping[tuple[str, str], datetime]) -> PrecoolRule:
    """`_precooled`, with the starts the preparations moved earlier."""
    def rule(ctx: Context, zone: str, z: Zone, zs: ZoneSeason, e: ShowEvent) -> Precooled:
        own = _precooled(ctx, zone, z, zs, e)
        start = chosen.get((e.id, zone))
        return own if start is None else Precooled(start, own.target_c)
    return rule


def in_reach(config: Config, events: Iterable[Event], since: datetime, until: datetime
             ) -> list[Event]:
    """The events whose claims, or the instants they cut a day at, can reach [since, until].

    An instant's plan, or a day's: of the three days' events a day plans, tomorrow
    evening's show and yesterday's matinee would be laid for nothing. A precool starts at
    most `max_lead_min` before doors (and a full house's pull past its target ends at most
    `past_until_min` before them); a post-show, egress and settle end within
    `CLAIMS_AFTER_END` of the end."""
    cfg = config.venue.venue.precool
    before = timedelta(minutes=max(cfg.max_lead_min, cfg.past_until_min)) + timedelta(hours=1)
    return [e for e in events
            if event_start(e) - before <= until and since < e.end + CLAIMS_AFTER_END]


class Planner:
    """Claims and computed show times around some local days, queried at many instants."""

    def __init__(self, config: Config, inputs: PlanInputs, first: date, last: date,
                 cache: PlanCache | None = None,
                 within: tuple[datetime, datetime] | None = None) -> None:
        self.ctx = Context(config, inputs, cache or PlanCache(config))
        # A show the evening before may run past midnight; a precool may start the day before.
        events = self.ctx.events_between(first - timedelta(days=1), last + timedelta(days=1))
        if within is not None:
            events = in_reach(config, events, *within)
        self.events = events
        self.days = [first + timedelta(days=n) for n in range(-1, (last - first).days + 2)]
        self.claims: Claims = lay(self.ctx, events, _precooled, post_show.end)
        self.shows = dict(self.claims.shows)
        self._opening: dict[tuple[str, str], datetime | None] = {}
        venue = config.venue
        # a fused hall's zones are decided together, and a public group's
        self._together = {z: venue.zones_of_hall(h) for h in venue.halls
                          if venue.hall(h).type == HallType.fused for z in venue.zones_of_hall(h)}
        self._fused = [h for h in venue.halls if venue.hall(h).type == HallType.fused]
        self._windows: dict[str, list[Window]] = {}
        self.evenings: list[Evening] = []
        if venue.plant is not None:  # the precools that pull on the plant together
            self.evenings = preparations.prepare(self.ctx, venue.plant,
                                                 self.claims.shows.values(), self._others_kw)
            chosen = preparations.moved(self.evenings)
            if chosen:
                self.claims = lay(self.ctx, events, _starting(chosen), post_show.end)
                self.shows = dict(self.claims.shows)

    def _others_kw(self, at: datetime, left_out: frozenset[str]) -> float:
        """The plant's planned load at `at` without the zones `left_out`: theirs is the
        preparations' to plan."""
        venue = self.ctx.venue
        assert venue.plant is not None
        state = self.state_at(at, [z for z in venue.zones if z not in left_out])
        coils, base = load_kw(venue, venue.plant, state.units, self.ctx.outdoor_c(), at,
                              self.ctx.tz, ratio=self.ctx.inputs.plant_load_ratio)
        return coils + base

    def _plant(self, at: datetime, units: Mapping[str, Mapping[str, PointValue]]
               ) -> PlantState | None:
        venue = self.ctx.venue
        if venue.plant is None:
            return None

        def precooling(zone: str) -> str | None:
            claim = self.claims.active(zone, at)
            return claim.event.id if claim is not None and claim.phase == "precool" else None

        pulls: dict[str, float] = {}
        outlook = None
        for evening in self.evenings:
            if evening.outlook.start <= at < evening.outlook.end:
                pulls.update(evening.pulls_at(at, precooling))
            if outlook is None and at < evening.outlook.end:
                outlook = evening.outlook
        return plant.decide(self.ctx, venue.plant, units, at, pulls, outlook)

    def windows(self, group: str) -> list[Window]:
        """When the group is open or crowded, over the planner's days."""
        if group not in self._windows:
            self._windows[group] = public_phase.windows(
                self.ctx, group, self.ctx.venue.groups[group], self.events, self.days)
        return self._windows[group]

    def opening(self, event_id: str, zone: str) -> datetime | None:
        """When outdoor air opens for a show in a zone; the CO2 search runs only if asked."""
        key = (event_id, zone)
        if key not in self._opening:
            show = self.claims.shows[event_id]
            found = None
            if zone in show.opens:
                z = self.ctx.venue.zones[zone]
                zs = self.ctx.season(self.ctx.season_name(show.event.date)).zones[zone]
                found = precool.opening(self.ctx, z, zone, zs, show.event)
            self._opening[key] = found
        return self._opening[key]

    def idle(self, zone: str, at: datetime) -> Decision:
        """An unclaimed zone's decision, kept: it depends on the instant only through the
        season of its local day and whether the zone's measurement is from before it, so
        the nights and empty days of a year are a handful of answers per zone. One that
        reads a measurement is as new as the measurement (a live tick's, every minute):
        not kept, where it would only crowd out answers asked again."""
        ctx = self.ctx
        z = ctx.venue.zones[zone]
        m = ctx.inputs.measurements.get(zone)
        if m is not None and m.at <= at:
            return idle.decide(ctx, zone, z, at)
        key = ("idle", zone, ctx.season_name(at.astimezone(ctx.tz).date()), m,
               ctx.held(zone, "idle"))
        return ctx.cache.remember(key, lambda: idle.decide(ctx, zone, z, at))

    def decide(self, zone: str, at: datetime) -> Decision:
        """A hall zone's own decision: its winning claim's sequences, or idle."""
        claim = self.claims.active(zone, at)
        if claim is None:
            return self.idle(zone, at)
        return zone_at(self.ctx, claim, self.shows, self.opening, at)

    def state_at(self, at: datetime, only: Iterable[str] | None = None) -> PlanState:
        """Every zone's state and its units' points at `at`; `only`: just those zones (the
        others' units are then absent, and so are overrides of them)."""
        venue = self.ctx.venue
        wanted = list(venue.zones) if only is None else list(only)
        decisions: dict[str, Decision] = {}
        for zone in dict.fromkeys(z for w in wanted for z in self._together.get(w, (w,))):
            if venue.zones[zone].group is None:
                decisions[zone] = self.decide(zone, at)
        for hall in self._fused:
            together = {z: decisions[z] for z in venue.zones_of_hall(hall) if z in decisions}
            if len(together) > 1:
                decisions.update(fused.coordinate(venue, hall, together))
        groups: dict[str, GroupState] = {}
        for gid in dict.fromkeys(g for w in wanted if (g := venue.zones[w].group) is not None):
            groups[gid], decided = public.decide(self.ctx, gid, venue.groups[gid],
                                                 self.windows(gid), at)
            decisions.update(decided)
        zones: dict[str, ZoneState] = {}
        units: dict[str, Mapping[str, PointValue]] = {}
        for zone in wanted:
            d = decisions[zone]
            zones[zone] = d.state
            units.update(self.ctx.unit_points(zone, d.state, d.drive))
        overridden: dict[tuple[str, str], str] = {}
        planned: dict[tuple[str, str], PointValue] = {}
        for o in sorted(self.ctx.inputs.overrides, key=lambda o: o.start):
            if o.unit not in venue.units or not o.active(at) or (
                    o.point not in units.get(o.unit, {})):
                continue
            planned.setdefault((o.unit, o.point), units[o.unit][o.point])
            # the planned points are shared between instants (see `Context.unit_points`)
            units[o.unit] = MappingProxyType(
                {**units[o.unit], o.point: safe(venue, o.unit, o.point, o.value)})
            overridden[(o.unit, o.point)] = o.id
        # the whole site's load, or none
        plant_state = self._plant(at, units) if only is None else None
        return PlanState(at, MappingProxyType(zones), MappingProxyType(units),
                         MappingProxyType(overridden), MappingProxyType(planned),
                         MappingProxyType(groups), plant_state)


def require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the planner needs a timezone-aware instant")


def plan_at(config: Config, at: datetime, inputs: PlanInputs = NOTHING_KNOWN,
            cache: PlanCache | None = None) -> PlanState:
    """The desired state of every zone and unit at the instant `at` (timezone-aware)."""
    require_aware(at)
    at = at.astimezone(UTC)
    local_day = at.astimezone(config.venue.venue.tz).date()
    return Planner(config, inputs, local_day, local_day, cache, within=(at, at)).state_at(at)
