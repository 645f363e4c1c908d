"""Three ways to run the hall, each a planner with the service's signature.

`ours` is the service's planner unchanged. The two baselines are what a theatre without
zoned, time-phased control does; both run every air-handling unit of a zone at the season's
show setpoint with the outdoor-air damper at its fixed design position (62.1 for a full
house), and differ only in when:

- always-on: 08:00–23:00 local, every day;
- fixed schedule: from 2 h before each event starts (doors open for a show) until 1 h after
  it ends — shows in every zone (the pit for every show, live orchestra or not), tours on
  their route, get-ins on the stage.

In all three the stage exhaust runs only during get-ins, when the loading door is open: it is
a hygiene duty, not a comfort choice, and running it all day would only flatter our savings.

On a site (`halls:` in zones.yaml) the baselines stay what a site without zoned control
does: a show keeps its own hall's zones on and the public zones of the groups serving that
hall (its audience gathers there), a get-in its hall's stage, a tour its route; the public
areas run besides through their opening hours (the fixed schedule: 2 h before opening to
1 h after closing), each public unit in the season's mode at its group's band's edge (cool
holds the top, heat the bottom, as the public units' own thermostats would) with the design
outdoor air. A one-hall venue's baselines are exactly what they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from hvac_ctl.control.loop import Planner
from hvac_ctl.model import Config
from hvac_ctl.model.calendar import Event, GetInEvent, ShowEvent, TourEvent, local_instant
from hvac_ctl.model.venue import UnitKind, ZoneKind
from hvac_ctl.planner import PlanCache, PlanInputs, PlanState, ZoneState, plan_day
from hvac_ctl.planner.inputs import PointValue
from hvac_ctl.planner.ventilation import voz_lps

ALWAYS_ON_HOURS = (time(8, 0), time(23, 0))
FIXED_BEFORE = timedelta(hours=2)
FIXED_AFTER = timedelta(hours=1)


def _design_oa_pct(config: Config, zone: str, fan_cap_pct: float) -> float:
    """The fixed design damper position: 62.1's Voz for a full zone over the supply."""
    z = config.venue.zones[zone]
    supply = sum(u.airflow_m3_per_s * 1000 * fan_cap_pct / 100
                 for u in config.venue.units.values()
                 if u.zone == zone and u.kind == UnitKind.ahu)
    return min(100.0, 100.0 * voz_lps(z, z.occupants_max) / supply) if supply else 0.0


_STATES: dict[tuple[object, ...], tuple[Config, PlanState]] = {}
_NEVER = datetime.min.replace(tzinfo=UTC)
_US = timedelta(microseconds=1)


def _fixed_state(config: Config, at: datetime, on_zones: dict[str, str],
                 exhaust: frozenset[str], label: str) -> PlanState:
    """Every AHU of each zone in `on_zones` on at the show setpoint with design air; the rest
    off. `on_zones` maps a zone to the event that keeps it on; the exhausts of the zones in
    `exhaust` run (a get-in's stage).

    The state is a function of the season, `on_zones`, `exhaust` and `label` alone: the
    baselines ask it at every tick and get one of a handful, so each is kept (like
    `_events_on`, the entry holds its configuration) and given the instant."""
    season_name = _season_of(config, at)
    key = (id(config), season_name, frozenset(on_zones.items()), exhaust, label)
    hit = _STATES.get(key)
    if hit is None:
        if len(_STATES) > 4096:
            _STATES.clear()
        hit = _STATES[key] = (config, _state_of(config, at, season_name, on_zones, exhaust,
                                                label))
    kept = hit[1]  # `replace(kept, at=at)`, without its generic field-by-field copy
    return PlanState(at, kept.zones, kept.units, kept.overridden, kept.planned)


_LAST_SEASON: list[tuple[int, datetime, datetime, str]] = [(0, _NEVER, _NEVER, "")]


def _season_of(config: Config, at: datetime) -> str:
    """The season in force on `at`'s local day (by the calendar alone). The baselines ask
    at every tick, where the time zone's lookup and the seasons' search took two thirds of
    a baseline's plan: the last answer is kept with its local day's span in UTC (unless a
    daylight-saving change at midnight blurs the span's ends; then it is not kept)."""
    key_id, since, until, name = _LAST_SEASON[0]
    if key_id == id(config) and since <= at < until:
        return name
    tz = config.venue.venue.tz
    day = at.astimezone(tz).date()
    name = config.seasons.name_for(day, None)
    since = local_instant(day, time(0), tz)
    until = local_instant(day + timedelta(days=1), time(0), tz)
    if since.astimezone(tz).date() == day == (until - _US).astimezone(tz).date():
        _LAST_SEASON[0] = (id(config), since, until, name)
    return name


def _state_of(config: Config, at: datetime, season_name: str, on_zones: dict[str, str],
              exhaust: frozenset[str], label: str) -> PlanState:
    """`_fixed_state` worked out."""
    season = config.seasons.seasons[season_name]
    zones: dict[str, ZoneState] = {}
    units: dict[str, dict[str, PointValue]] = {}
    for zone, z in config.venue.zones.items():
        on = zone in on_zones
        if z.kind == ZoneKind.public:
            setpoint, fan = _public_setpoint(config, season_name, zone), 100.0
        else:
            show = season.zones[zone].show
            assert show is not None
            setpoint, fan = show.setpoint_c, show.fan_cap_pct
        oa_pct = _design_oa_pct(config, zone, fan)
        phase = "show" if on else "idle"
        zones[zone] = ZoneState(
            zone, phase, on_zones.get(zone), season_name, season.mode, setpoint,
            float(z.occupants_max) if on else 0.0, 0.0,
            f"{label}: {'on for ' + on_zones[zone] if on else 'off'}")
        for name in config.venue.units_of(zone):
            unit = config.venue.units[name]
            running = zone in exhaust if unit.kind == UnitKind.exhaust else on
            values: dict[str, PointValue] = {
                "enable": running, "setpoint": setpoint,
                "oa_damper_min": round(oa_pct if running else 0.0, 1),
                "fan_speed_max": float(fan), "mode": season.mode,
            }
            units[name] = {p: v for p, v in values.items() if p in unit.points.names()}
    return PlanState(at, zones, units)


def _public_setpoint(config: Config, season_name: str, zone: str) -> float:
    """A public zone's fixed setpoint: its group's band's top in a cooling season, its
    bottom in a heating one."""
    season = config.seasons.seasons[season_name]
    group = config.venue.zones[zone].group
    band = season.public_for(group).band_c if group is not None else season.public.band_c
    return band[1] if season.mode == "cool" else band[0]


_EVENTS: dict[tuple[int, date], tuple[Config, list[Event]]] = {}


def _events_on(config: Config, day: date) -> list[Event]:
    """`config.calendar.events_on(day)`, kept: the baselines ask it at every tick, and a
    configuration is not changed once parsed (the entry holds it, so its id stays its own)."""
    key = (id(config), day)
    hit = _EVENTS.get(key)
    if hit is None:
        if len(_EVENTS) > 4096:
            _EVENTS.clear()
        hit = _EVENTS[key] = (config, config.calendar.events_on(day, config.venue.venue.tz))
    return hit[1]


def _stages_of(config: Config, hall: str) -> list[str]:
    """A hall's stage zones (a one-hall venue's: every stage)."""
    v = config.venue
    return [z for z in v.zones_of_hall(hall) if v.zones[z].kind == ZoneKind.stage]


def _get_in_now(config: Config, at: datetime) -> frozenset[str]:
    """The stages whose get-in is on: their exhausts run."""
    tz = config.venue.venue.tz
    return frozenset(z for e in _events_on(config, at.astimezone(tz).date())
                     if isinstance(e, GetInEvent) and e.start <= at < e.end
                     for z in _stages_of(config, e.hall))


def always_on(config: Config, at: datetime, inputs: PlanInputs) -> PlanState:
    tz = config.venue.venue.tz
    local = at.astimezone(tz).time()
    on = ALWAYS_ON_HOURS[0] <= local < ALWAYS_ON_HOURS[1]
    zones = {zone: "the 08:00–23:00 program" for zone in config.venue.zones} if on else {}
    return _fixed_state(config, at, zones, _get_in_now(config, at), "always-on")


def _event_window(config: Config, e: Event) -> tuple[datetime, datetime, list[str] | None]:
    """(on from, on until, zones or None for every zone)."""
    v = config.venue
    if isinstance(e, ShowEvent):
        if not v.is_site:
            return e.doors_open - FIXED_BEFORE, e.end + FIXED_AFTER, None
        public = [z for g, pg in v.groups.items() if e.hall in pg.halls
                  for z in v.zones_of_group(g)]
        return (e.doors_open - FIXED_BEFORE, e.end + FIXED_AFTER,
                [*v.zones_of_hall(e.hall), *public])
    if isinstance(e, TourEvent):
        return e.start - FIXED_BEFORE, e.end + FIXED_AFTER, list(e.route)
    assert isinstance(e, GetInEvent)
    return e.start - FIXED_BEFORE, e.end + FIXED_AFTER, _stages_of(config, e.hall)


_PUBLIC_ZONES: dict[int, tuple[Config, list[str]]] = {}


def _public_zones(config: Config) -> list[str]:
    hit = _PUBLIC_ZONES.get(id(config))
    if hit is None:
        hit = _PUBLIC_ZONES[id(config)] = (config, [
            z for z, spec in config.venue.zones.items() if spec.kind == ZoneKind.public])
    return hit[1]


def _public_windows(config: Config, day: date) -> list[tuple[datetime, datetime]]:
    """The fixed schedule's public areas: 2 h before each opening to 1 h after closing."""
    if not _public_zones(config):
        return []
    return [(a - FIXED_BEFORE, b + FIXED_AFTER)
            for a, b in config.calendar.public_open(day, config.venue.venue.tz)]


def fixed_schedule(config: Config, at: datetime, inputs: PlanInputs) -> PlanState:
    tz = config.venue.venue.tz
    day = at.astimezone(tz).date()
    zones: dict[str, str] = {}
    for e in (e for d in (-1, 0, 1) for e in _events_on(config, day + timedelta(days=d))):
        start, end, only = _event_window(config, e)
        if start <= at < end:
            for zone in only if only is not None else config.venue.zones:
                zones.setdefault(zone, e.id)
    if any(a <= at < b for a, b in _public_windows(config, day)):
        for zone in _public_zones(config):
            zones.setdefault(zone, "the public hours")
    return _fixed_state(config, at, zones, _get_in_now(config, at), "fixed schedule")


def _get_in_edges(config: Config, day: date) -> list[datetime]:
    tz = config.venue.venue.tz
    return [t for e in config.calendar.events_on(day, tz) if isinstance(e, GetInEvent)
            for t in (e.start, e.end)]


def _always_on_edges(config: Config, day: date, inputs: PlanInputs, cache: PlanCache
                     ) -> list[datetime]:
    tz = config.venue.venue.tz
    return [local_instant(day, t, tz) for t in ALWAYS_ON_HOURS] + _get_in_edges(config, day)


def _fixed_edges(config: Config, day: date, inputs: PlanInputs, cache: PlanCache
                 ) -> list[datetime]:
    tz = config.venue.venue.tz
    return [t for e in config.calendar.events_on(day, tz)
            for t in _event_window(config, e)[:2]] + _get_in_edges(config, day) + [
        t for span in _public_windows(config, day) for t in span]


def _our_edges(config: Config, day: date, inputs: PlanInputs, cache: PlanCache
               ) -> list[datetime]:
    """As the service places its jobs: the day planned through the control loop's cache."""
    return [s.start for s in plan_day(config, day, inputs, cache).segments]


@dataclass(frozen=True)
class Strategy:
    """A planner, and the instants its plan changes on a day — where the service places its
    phase-boundary jobs, so a phase begins on its minute rather than at the next tick."""

    name: str
    plan: Planner | None  # None: the service's own, as its control loop runs it (cached)
    boundaries: Callable[[Config, date, PlanInputs, PlanCache], list[datetime]]
    listens_to_box_office: bool = False
    # the plan reads what is measured; False: a function of the instant alone, so the
    # closed loop drives the units only when it changes or a unit does not hold it yet
    measured: bool = True


STRATEGIES: dict[str, Strategy] = {
    s.name: s for s in (
        Strategy("always-on", always_on, _always_on_edges, measured=False),
        Strategy("fixed schedule", fixed_schedule, _fixed_edges, measured=False),
        Strategy("ours", None, _our_edges, listens_to_box_office=True),
    )
}
