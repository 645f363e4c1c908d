"""The phase planner: configuration + what is known → the desired state of every unit.

Pure: no I/O, no clock, no globals. `plan_at` answers for one instant; `plan_day` evaluates
the same function at every instant where anything can change, so the day's timeline and the
live control loop can never disagree.

How a zone's phase is chosen: every event lays *claims* on the zones it touches (a show claims
precool, show and post-show; a tour its route; a get-in the stage). Where claims overlap, the
higher rank wins — show > get_in > precool > tour > post_show — and between equals the later
event, so the evening's preparation beats the matinee's post-show. No claim: idle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise

from hvac_ctl.model import Config
from hvac_ctl.model.calendar import Event, GetInEvent, ShowEvent, TourEvent
from hvac_ctl.model.seasons import (
    OaMode,
    PhaseSettings,
    RelaxedSettings,
    Season,
    ShowSettings,
    ZoneSeason,
)
from hvac_ctl.model.venue import UnitKind, Zone, ZoneKind
from hvac_ctl.planner.economiser import ABOVE_K, PRECOOL_ABOVE_K, free_cooling
from hvac_ctl.planner.egress import egress_air
from hvac_ctl.planner.egress import steps as egress_steps
from hvac_ctl.planner.exhaust import exhaust_slowed
from hvac_ctl.planner.inputs import (
    HeldMode,
    Mode,
    OccupancyPush,
    PlanInputs,
    PointValue,
    ZoneMeasurement,
)
from hvac_ctl.planner.modes import (
    choose_mode,
    pull_mode,
    relaxed_band,
    setpoint_of,
)
from hvac_ctl.planner.occupancy import acted_count, arrivals, departures
from hvac_ctl.planner.optimal_start import Learned, lead_time, learned
from hvac_ctl.planner.outputs import (
    OCCUPIED_PHASES,
    DayPlan,
    Phase,
    PlanState,
    Segment,
    ShowTimes,
    ZoneState,
)
from hvac_ctl.planner.recovery import recovery
from hvac_ctl.planner.tempering import Tempered, UnitMode, temper
from hvac_ctl.planner.ventilation import (
    area_only_lps,
    co2_trim,
    occupied_lps,
    opening_time,
    voz_lps,
)

NOTHING_KNOWN = PlanInputs()  # immutable: a safe shared default
SETTLE_STEP = timedelta(minutes=5)  # after curtain, back to the show setpoint in such steps
SETTLE_STEPS_MAX = 12  # ShowSettings.settle_min ≤ 60
CLAIMS_AFTER_END = timedelta(hours=7)  # the longest post-show (360 min) and then some
VENT: UnitMode = "vent"  # a unit's mode with the coil off: fans and dampers only
UnitValues = dict[str, dict[str, PointValue]]
RANK: dict[Phase, int] = {"show": 5, "get_in": 4, "precool": 3, "tour": 2, "post_show": 1}


@dataclass(frozen=True)
class _Claim:
    zone: str
    phase: Phase
    start: datetime
    end: datetime
    event: Event
    season: str

    @property
    def order(self) -> tuple[int, datetime]:
        start = self.event.doors_open if isinstance(self.event, ShowEvent) else self.event.start
        return RANK[self.phase], start


def plan_at(config: Config, at: datetime, inputs: PlanInputs = NOTHING_KNOWN) -> PlanState:
    """The desired state of every zone and unit at the instant `at` (timezone-aware)."""
    _require_aware(at)
    at = at.astimezone(UTC)
    local_day = at.astimezone(config.venue.venue.tz).date()
    return _Planner(config, inputs, local_day, local_day, around=at).state_at(at)


def plan_day(config: Config, day: date, inputs: PlanInputs = NOTHING_KNOWN) -> DayPlan:
    """The whole local day `day` as segments per zone, with each show's computed times."""
    tz = config.venue.venue.tz
    planner = _Planner(config, inputs, day, day)
    start = local_midnight(day, tz)
    end = local_midnight(day + timedelta(days=1), tz)
    cuts = sorted({t for t in planner.breakpoints(start, end) if start < t < end} | {start, end})
    segments: list[Segment] = []
    open_segment: dict[str, Segment] = {}
    for a, b in pairwise(cuts):
        state = planner.state_at(a)
        for zone, zs in state.zones.items():
            units = {u: state.units[u] for u in config.venue.units_of(zone)}
            seg = Segment(zone, zs.phase, a, b, zs.setpoint_c, zs.mode, zs.event_id, units,
                          zs.reason)
            prev = open_segment.get(zone)
            if prev is not None and _same(prev, seg):
                open_segment[zone] = Segment(prev.zone, prev.phase, prev.start, b,
                                             prev.setpoint_c, prev.mode, prev.event_id,
                                             prev.units, prev.reason)
            else:
                if prev is not None:
                    segments.append(prev)
                open_segment[zone] = seg
    segments.extend(open_segment.values())
    order = {z: i for i, z in enumerate(config.venue.zones)}
    segments.sort(key=lambda s: (order[s.zone], s.start))
    shows = [s for s in planner.shows.values() if _touches(s, start, end)]
    return DayPlan(day, tz, segments, sorted(shows, key=lambda s: s.doors_open))


def _same(a: Segment, b: Segment) -> bool:
    return (a.phase, a.event_id, round(a.setpoint_c, 3), a.mode, a.units) == (
        b.phase, b.event_id, round(b.setpoint_c, 3), b.mode, b.units)


def _touches(s: ShowTimes, start: datetime, end: datetime) -> bool:
    first = min([s.doors_open, *s.precool_start.values()])
    return first < end and s.end > start


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The start of a local day, in UTC: all instants inside the planner are UTC."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _event_start(e: Event) -> datetime:
    return e.doors_open if isinstance(e, ShowEvent) else e.start


def _minute(t: datetime) -> datetime:
    """Down to the whole minute: phases begin on their minute."""
    return t - timedelta(seconds=t.second, microseconds=t.microsecond)


def _require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the planner needs a timezone-aware instant")


class _Planner:
    """Claims and computed show times around some local days, queried at many instants."""

    def __init__(self, config: Config, inputs: PlanInputs, first: date, last: date,
                 around: datetime | None = None) -> None:
        self.config = config
        self.inputs = inputs
        self.venue = config.venue
        self.tz = config.venue.venue.tz
        self.occ = config.venue.venue.occupancy
        # A show the evening before may run past midnight; a precool may start the day before.
        self.events = config.calendar.events_between(
            first - timedelta(days=1), last + timedelta(days=1), self.tz
        )
        if around is not None:  # one instant: only events whose claims can reach it
            before = timedelta(minutes=self.venue.venue.precool.max_lead_min) + timedelta(hours=1)
            self.events = [e for e in self.events
                           if _event_start(e) - before <= around < e.end + CLAIMS_AFTER_END]
        self.pushes: dict[str, list[OccupancyPush]] = {}
        for p in inputs.occupancy:
            self.pushes.setdefault(p.event_id, []).append(p)
        self.shows: dict[str, ShowTimes] = {}
        self._oa_todo: dict[tuple[str, str], tuple[Zone, ZoneSeason, ShowEvent]] = {}
        self.claims: dict[str, list[_Claim]] = {z: [] for z in self.venue.zones}
        for e in self.events:
            self._lay_claims(e)

    # --- seasons ------------------------------------------------------------------------

    def season_name(self, day: date) -> str:
        outdoor = self.inputs.outdoor_temp_c
        return self.config.remember(("season", day, outdoor),
                                    lambda: self.config.seasons.name_for(day, outdoor))

    def season(self, name: str) -> Season:
        return self.config.seasons.seasons[name]

    # --- claims -------------------------------------------------------------------------

    def _lay_claims(self, e: Event) -> None:
        sname = self.season_name(e.date)
        season = self.season(sname)
        if isinstance(e, TourEvent):
            for zone in e.route:
                zs = season.zones.get(zone)
                if zs is not None and zs.tour is not None:
                    self.claims[zone].append(_Claim(zone, "tour", e.start, e.end, e, sname))
            return
        if isinstance(e, GetInEvent):
            for zone, z in self.venue.zones.items():
                zs = season.zones.get(zone)
                if z.kind == ZoneKind.stage and zs is not None and zs.get_in is not None:
                    self.claims[zone].append(_Claim(zone, "get_in", e.start, e.end, e, sname))
            return
        times = ShowTimes(e.id, e.title, e.doors_open, e.curtain, e.end, e.expected_attendance,
                          {}, {}, {})
        for zone, z in self.venue.zones.items():
            zs = season.zones.get(zone)
            if zs is None or zs.show is None:
                continue
            if zs.precool is not None and self._zone_runs_for(z, e):
                target = self.precool_target(z, zs, e)
                start = self._precool_start(zone, target, e)
                times.precool_start[zone] = start
                times.precool_target_c[zone] = target
                self.claims[zone].append(_Claim(zone, "precool", start, e.doors_open, e, sname))
                if zs.show.oa == OaMode.occupancy:
                    self._oa_todo[(e.id, zone)] = (z, zs, e)  # computed when needed
            self.claims[zone].append(_Claim(zone, "show", e.doors_open, e.end, e, sname))
            if zs.post_show is not None:
                self.claims[zone].append(
                    _Claim(zone, "post_show", e.end, self._post_show_end(zone, z, zs, e), e, sname)
                )
        self.shows[e.id] = times

    @staticmethod
    def _zone_runs_for(zone: Zone, e: ShowEvent) -> bool:
        """The pit runs only for a live orchestra."""
        return zone.kind != ZoneKind.pit or e.live_orchestra

    def precool_target(self, zone: Zone, zs: ZoneSeason, e: ShowEvent) -> float:
        """The show setpoint to be held after curtain − the offset; the offset shrinks toward
        0.5 K for a smaller audience, whose heat will lift the hall less."""
        assert zs.show is not None and zs.precool is not None
        expected = self._expected(e)
        offset = zs.precool.precool_offset_k
        if zone.kind == ZoneKind.auditorium and zone.seats:
            fill = min(1.0, expected / zone.seats)
            offset = 0.5 + (offset - 0.5) * fill if offset > 0.5 else offset
        return self._clamp(zone, self._show_setpoint(zone, zs.show, e, expected) - offset)

    @staticmethod
    def _show_setpoint(zone: Zone, show: ShowSettings, e: ShowEvent, count: float) -> float:
        """The season's show setpoint, moved by the audience and by house lights."""
        setpoint = show.setpoint_c
        if zone.kind == ZoneKind.auditorium and zone.seats:
            setpoint += show.occupancy_gain_k * min(1.0, count / zone.seats)
            if e.house_lights:
                setpoint -= show.house_lights_offset_k
        return setpoint

    def _expected(self, e: ShowEvent) -> int:
        """Expected attendance, or the count already acted on before doors open.

        Only counts from before doors open: from then on a count is of people through the
        doors so far, not of the audience to come (a push of 0 at doors open is not a
        cancelled show)."""
        before = [p for p in self.pushes.get(e.id, ()) if p.at < e.doors_open]
        count, _ = acted_count(before, e.expected_attendance, self.occ.readjust_threshold,
                               e.doors_open)
        return count

    def _precool_start(self, zone: str, target: float, e: ShowEvent) -> datetime:
        cfg = self.venue.venue.precool
        m = self.inputs.measurements.get(zone)
        window = e.doors_open - timedelta(minutes=cfg.max_lead_min)
        known = m is not None and m.temp_c is not None and m.at < e.doors_open
        start_temp = m.temp_c if known and m is not None else self._assumed_temp(zone, e.date)
        assert start_temp is not None
        # The pull's direction is the zone's, not the season's: a hall under its shell can be
        # too warm in a heating season, and is then pulled down (by outdoor air, see
        # `_free_cooling_lps`) at the rate learned for pulling down.
        rate = self._rate(zone, start_temp, target, e)
        past = self._past_k(zone, e) if start_temp > target else 0.0
        start = _minute(e.doors_open - lead_time(abs(start_temp - target) + past, rate, cfg))
        # Latch, as G36 does: once units run inside the window, precool has begun.
        if known and m is not None and m.units_running and window <= m.at < start:
            start = m.at
        return start

    def _past_k(self, zone: str, e: ShowEvent) -> float:
        """How far past its target a zone's precool pulls first (see `PrecoolConfig`)."""
        z = self.venue.zones[zone]
        if z.kind != ZoneKind.auditorium or not z.seats:
            return 0.0
        return self.venue.venue.precool.full_house_past_k * min(1.0, self._expected(e) / z.seats)

    def _rate(self, zone: str, temp_c: float, target: float, e: ShowEvent) -> Learned:
        """What was learned of pulls in this one's direction (see `_precool_start`)."""
        direction: Mode = "cool" if temp_c > target else "heat"
        return learned(self.inputs.history.get(zone, ()), direction, e.date,
                       self.venue.venue.precool)

    def _assumed_temp(self, zone: str, day: date) -> float:
        """Before any measurement, assume the zone floats at its idle setpoint."""
        return self.season(self.season_name(day)).zones[zone].idle.setpoint_c

    def oa_open(self, event_id: str, zone: str) -> datetime | None:
        """When outdoor air opens for a show in a zone; the CO2 search runs only if asked."""
        times = self.shows[event_id]
        todo = self._oa_todo.pop((event_id, zone), None)
        if todo is not None:
            times.oa_open[zone] = self._oa_open(zone, *todo)
        return times.oa_open.get(zone)

    def _oa_open(self, zone: str, z: Zone, zs: ZoneSeason, e: ShowEvent) -> datetime:
        expected = self._expected(e)
        assert zs.show is not None
        lps = self._capped_lps(zs.show.units, occupied_lps(z, expected, self.occ),
                               zs.show.fan_cap_pct)
        m = self.inputs.measurements.get(zone)
        c0 = m.co2_ppm if m is not None and m.co2_ppm is not None and m.at < e.doors_open else None
        if c0 is None:
            c0 = self.inputs.co2_at_doors.get((e.id, zone))
        c0 = round(c0) if c0 is not None else None  # whole ppm: a sensor's resolution

        def people(t: datetime) -> float:
            return self._audience(z, e, expected, t)

        return self.config.remember(
            ("oa_open", zone, e.doors_open, e.curtain, e.end, expected, lps, c0),
            lambda: opening_time(z, self.occ, people, lps, e.doors_open, e.curtain, e.end, c0))

    def _post_show_end(self, zone: str, z: Zone, zs: ZoneSeason, e: ShowEvent) -> datetime:
        """The max time, or earlier: the first measurement back inside the idle band with the
        audience's CO2 flushed out."""
        assert zs.post_show is not None
        latest = e.end + timedelta(minutes=zs.post_show.max_minutes)
        earliest = e.end + timedelta(minutes=self.venue.venue.egress_min)
        m = self.inputs.measurements.get(zone)
        if (m is not None and earliest <= m.at < latest and self._in_band(z, m)
                and not self._needs_purge(m)):
            return m.at
        return latest

    def _needs_purge(self, m: ZoneMeasurement) -> bool:
        """CO2 measured above what the plan aims for: the people who left it are gone, so
        flush it with outdoor air before the hall goes idle (and stays sealed)."""
        return (m.co2_ppm is not None
                and m.co2_ppm > self.occ.co2_limit_ppm - self.occ.co2_margin_ppm)

    @staticmethod
    def _in_band(z: Zone, m: ZoneMeasurement) -> bool:
        lo, hi = z.limits.idle_band_c
        rh_lo, rh_hi = z.limits.idle_rh_pct
        temp_ok = m.temp_c is not None and lo <= m.temp_c <= hi
        rh_ok = m.rh_pct is None or rh_lo <= m.rh_pct <= rh_hi + z.limits.idle_rh_deadband_pct
        return temp_ok and rh_ok

    # --- evaluation ---------------------------------------------------------------------

    def breakpoints(self, start: datetime, end: datetime) -> set[datetime]:
        """Every instant in [start, end) at which some zone's desired state may change."""
        ts: set[datetime] = set()
        for claims in self.claims.values():
            for c in claims:
                ts.update((c.start, c.end))
        for s in self.shows.values():
            ts.update(s.curtain + k * SETTLE_STEP for k in range(SETTLE_STEPS_MAX + 1))
            ts.update(egress_steps(s.end, self._egress))
            ts.add(s.doors_open - timedelta(minutes=self.venue.venue.precool.past_until_min))
            if _touches(s, start, end):
                ts.update(t for zone in s.precool_start if (t := self.oa_open(s.event_id, zone)))
        ts.update(p.at for p in self.inputs.occupancy)
        for o in self.inputs.overrides:
            ts.update((o.start, o.until))
        ts.update(m.at for m in self.inputs.measurements.values())
        dwell = timedelta(minutes=self.venue.venue.modes.min_dwell_min)
        ts.update(h.since + dwell for h in self.inputs.modes.values() if h.since is not None)
        after = timedelta(minutes=self.venue.venue.recovery.after_min)
        ts.update(d.since + after for d in self.inputs.deviations.values())
        return ts

    def state_at(self, at: datetime) -> PlanState:
        zones: dict[str, ZoneState] = {}
        units: dict[str, dict[str, PointValue]] = {}
        for zone in self.venue.zones:
            state, zone_units = self._zone_at(zone, at)
            zones[zone] = state
            units.update(zone_units)
        overridden: dict[tuple[str, str], str] = {}
        planned: dict[tuple[str, str], PointValue] = {}
        for o in sorted(self.inputs.overrides, key=lambda o: o.start):
            unit = self.venue.units.get(o.unit)
            if unit is None or not o.active(at) or o.point not in units.get(o.unit, {}):
                continue
            planned.setdefault((o.unit, o.point), units[o.unit][o.point])
            units[o.unit][o.point] = self._safe(o.unit, o.point, o.value)
            overridden[(o.unit, o.point)] = o.id
        return PlanState(at, zones, units, overridden, planned)

    def _zone_at(self, zone: str, at: datetime) -> tuple[ZoneState, UnitValues]:
        z = self.venue.zones[zone]
        active = [c for c in self.claims[zone] if c.start <= at < c.end]
        if not active:
            return self._idle(zone, z, at)
        claim = max(active, key=lambda c: c.order)
        season = self.season(claim.season)
        zs = season.zones[zone]
        e = claim.event
        mode: Mode = season.mode  # preferred: its setpoint is the phase's `setpoint_c`
        settings: PhaseSettings
        relaxed: RelaxedSettings | None = None
        if claim.phase == "precool":
            assert isinstance(e, ShowEvent) and zs.precool is not None and zs.show is not None
            setpoint = self.shows[e.id].precool_target_c[zone]
            past = self._past_k(zone, e)
            until = e.doors_open - timedelta(minutes=self.venue.venue.precool.past_until_min)
            pulled_down = (m0 := self._measured(zone, at)) is None or m0.temp_c is None or (
                m0.temp_c > setpoint - past)
            oa_open = self.oa_open(e.id, zone)
            lps = 0.0
            if oa_open is not None and at >= oa_open:
                lps = occupied_lps(z, self._expected(e), self.occ)
            running = list(zs.precool.units)
            fan = zs.precool.fan_cap_pct
            reason = self._precool_reason(zone, e)
            people = 0.0
            if past > 0 and at < until and pulled_down and season.mode == "cool":
                setpoint -= past
                reason += (f"; {past:.1f} K past it until {until.astimezone(self.tz):%H:%M}, "
                           "so the structure takes up the audience's heat too")
        elif claim.phase == "show":
            assert isinstance(e, ShowEvent) and zs.show is not None
            settings = zs.show
            running = list(settings.units) if self._zone_runs_for(z, e) else []
            fan = settings.fan_cap_pct
            if at < e.curtain and zs.precool is not None and z.kind == ZoneKind.auditorium:
                # doors open, the precool target held as the audience pours in: at precool's
                # fan speed, if faster (nothing is performed yet that a fan could disturb)
                fan = max(fan, zs.precool.fan_cap_pct)
            setpoint, people, lps, reason = self._show(zone, z, zs, e, at)
        else:
            settings = relaxed = getattr(zs, claim.phase)
            running = list(settings.units)
            fan = settings.fan_cap_pct
            setpoint = settings.setpoint_c
            people = self._people(z, claim, at)
            lps = self._oa_lps(z, settings.oa, people)
            reason = self._other_reason(claim)
        egress = None
        if claim.phase == "post_show" and isinstance(e, ShowEvent) and zs.show is not None \
                and zs.post_show is not None and self._zone_runs_for(z, e):
            egress = egress_air(z, self._leaving(z, e, at), e.end, self._egress, at, zs.show,
                                zs.post_show, self.occ)
            if egress is not None:
                running, fan = egress.units, egress.fan_cap_pct
                lps = max(lps, egress.oa_lps)
                reason += f"; {egress.why}"
        m = self._measured(zone, at)
        if m is not None and (people > 0 or egress is not None):
            lps = co2_trim(lps, m.co2_ppm, self.occ)
        if claim.phase in ("precool", "post_show") and egress is None and running and (
                m is not None and self._needs_purge(m)):
            # the air an audience left (tonight's, or a matinee's before the evening) is
            # replaced, not conditioned: all outdoor air until it is under the limit − margin
            lps = self._supply_lps(running, fan)
            reason += f"; purging CO2 ({m.co2_ppm:.0f} ppm)"
        setpoint = self._clamp(z, setpoint)
        measured = m.temp_c if m is not None else None
        held = self._held(zone, claim.phase)
        modes = self.venue.venue.modes
        if claim.phase == "precool":
            choice = pull_mode(setpoint, measured, held, mode)
        elif claim.phase == "show":
            choice = choose_mode((setpoint, setpoint), measured, held, mode, at, modes, self.tz)
        else:
            assert relaxed is not None
            band = relaxed_band(relaxed, setpoint, mode, modes)
            choice = choose_mode((self._clamp(z, band[0]), self._clamp(z, band[1])), measured,
                                 held, mode, at, modes, self.tz)
        mode, band = choice.mode, choice.band
        if choice.why:
            reason += f"; {choice.why}"
        economiser = True
        exhaust_fan: float | None = None
        if claim.phase in OCCUPIED_PHASES:
            rec = recovery(self.inputs.deviations.get(zone), band, measured, at,
                           self.venue.venue.recovery, self.tz)
            if rec is not None:
                mode, economiser = rec.mode, rec.economiser
                if rec.stage_all:
                    running = list(dict.fromkeys([*running, *self._ahus_of(zone)]))
                if rec.exhaust_min:
                    exhaust_fan = 0.0  # clamped to the exhaust fan's own minimum
                reason += f"; {rec.why}"
        if claim.phase == "get_in" and exhaust_fan is None and (
                slowed := exhaust_slowed(self._outdoor_c(), band[0])):
            exhaust_fan = 0.0
            reason += f"; {slowed}"
        # a zone that needs cooling takes it from outdoor air that can give it, before its
        # coils (G36's integrated economiser): at the precool margin, not the show's
        above = PRECOOL_ABOVE_K if claim.phase == "precool" or mode == "cool" else ABOVE_K
        # Until curtain-up the hall is being readied for its audience, pulled to its target by
        # all the outdoor air that can (coils off); from then on the air is metered to how warm
        # the zone is and the units' loops temper it, so nobody feels a swing.
        readying = claim.phase == "precool" or (
            claim.phase == "show" and isinstance(e, ShowEvent) and at < e.curtain)
        free, alone = self._free_cooling_lps(running, fan, setpoint_of(mode, band), band[0], m,
                                             above, metered=not readying
                                             ) if economiser else (0.0, False)
        unit_mode: UnitMode = mode
        if free > lps:
            lps = free
            reason += f"; free cooling with outdoor air at {self._outdoor_c():.0f} °C"
            if alone and readying:  # the outdoor air pulls: a coil would only work against it
                unit_mode = VENT
                reason += ", coils off"
            elif alone:
                unit_mode = "heat"
                reason += ", tempered by the units' loops"
        lps = self._capped_lps(running, lps, fan)
        tempered = self._temper(unit_mode, running, lps, fan, measured,
                                setpoint_of(mode, band), band)
        if tempered.mode != unit_mode:
            unit_mode = mode = "cool" if tempered.mode == "cool" else "heat"
        if tempered.why:
            reason += f"; {tempered.why}"
        setpoint = setpoint_of(mode, band)
        state = ZoneState(zone, claim.phase, e.id, claim.season, mode, setpoint, people, lps,
                          reason, band if claim.phase in OCCUPIED_PHASES else None,
                          tempered.shortfall_kw)
        return state, self._unit_points(zone, running, state, fan, allow_exhaust=claim.phase ==
                                        "get_in", unit_mode=unit_mode, exhaust_fan=exhaust_fan)

    def _held(self, zone: str, phase: Phase) -> HeldMode | None:
        """The mode a zone holds in this phase (see `modes`: a new phase starts afresh)."""
        held = self.inputs.modes.get(zone)
        return held if held is not None and held.phase in (None, phase) else None

    def _measured(self, zone: str, at: datetime) -> ZoneMeasurement | None:
        """The zone's measurement if it is from `at` or before (a preview of later instants
        uses the latest one; one from the future is not known yet)."""
        m = self.inputs.measurements.get(zone)
        return m if m is not None and m.at <= at and m.temp_c is not None else None

    def _outdoor_c(self) -> float | None:
        """The outdoor air at the intakes; in a preview, the day's temperature if given."""
        if self.inputs.outdoor_air_c is not None:
            return self.inputs.outdoor_air_c
        return self.inputs.outdoor_temp_c

    def _ahus_of(self, zone: str) -> list[str]:
        return [u for u in self.venue.units_of(zone) if self.venue.units[u].kind == UnitKind.ahu]

    def _temper(self, mode: UnitMode, running: Sequence[str], lps: float, fan_cap_pct: float,
                measured: float | None, setpoint: float, band: tuple[float, float]
                ) -> Tempered:
        ahus = [self.venue.units[u] for u in running if self.venue.units[u].kind == UnitKind.ahu]
        zone_c = measured if measured is not None else setpoint
        return temper(mode, lps, self._outdoor_c(), zone_c, measured is not None, band, ahus,
                      fan_cap_pct)

    def _free_cooling_lps(self, running: Sequence[str], fan_cap_pct: float, target: float,
                          heating_c: float, m: ZoneMeasurement | None, above_k: float,
                          metered: bool) -> tuple[float, bool]:
        """Outdoor air as the cooling (see `economiser`), in L/s of the running AHUs, and
        whether it cools alone (no coil needed)."""
        out = self.inputs.outdoor_air_c
        ahus = [u for u in running if self.venue.units[u].kind == UnitKind.ahu]
        if out is None or m is None or m.temp_c is None or not ahus:
            return 0.0, False
        supply_lo = max(self.venue.units[u].supply_limits_c[0] for u in ahus)
        thermal = self.venue.zones[self.venue.units[ahus[0]].zone].thermal
        supply = self._supply_lps(ahus, fan_cap_pct)
        free = free_cooling(m.temp_c, out, target, heating_c, supply_lo, above_k, metered,
                            (thermal.fast_capacitance_mj_per_k
                             + thermal.mass_capacitance_mj_per_k) * 1e6, supply / 1000)
        return free.share * supply, free.alone

    def _show(
        self, zone: str, z: Zone, zs: ZoneSeason, e: ShowEvent, at: datetime
    ) -> tuple[float, float, float, str]:
        """Setpoint, people, outdoor air and reason for a zone during a show."""
        assert zs.show is not None
        show = zs.show
        acted, acted_at = acted_count(self.pushes.get(e.id, ()), e.expected_attendance,
                                      self.occ.readjust_threshold, at)
        count_note = (f"count {acted} acted on at {acted_at.astimezone(self.tz):%H:%M}"
                      if acted_at is not None else f"expected {acted}")
        if z.kind == ZoneKind.auditorium:
            # While doors are open counts are partial: ventilate for at least the arrival ramp.
            people = float(acted) if at >= e.curtain else max(
                float(acted), arrivals(e.expected_attendance, e.doors_open, e.curtain, at))
        else:
            people = float(z.occupants_max) if self._zone_runs_for(z, e) else 0.0
        precool = self.shows[e.id].precool_target_c.get(zone)
        if at < e.curtain and precool is not None:
            setpoint = precool
            why = f"doors open for {e.id}: holding the precool target until curtain ({count_note})"
        else:
            setpoint = self._show_setpoint(z, show, e, acted)
            why = f"show {e.id} ({count_note}" + (", house lights up" if e.house_lights and
                                                  z.kind == ZoneKind.auditorium else "") + ")"
            steps = self._settle_steps(show)
            done = int((at - e.curtain) / SETTLE_STEP) if steps else 0
            if precool is not None and done < steps:
                setpoint = precool + (setpoint - precool) * done / steps
                why += f"; moving back from the precool target, step {done} of {steps}"
            if not self._zone_runs_for(z, e):
                why = f"show {e.id} without a live orchestra: pit unit off"
        oa_open = self.oa_open(e.id, zone)
        if oa_open is not None and at < oa_open:
            lps = 0.0
            why += f"; outdoor air opens {oa_open.astimezone(self.tz):%H:%M}"
        else:
            lps = self._oa_lps(z, show.oa, people)
        return setpoint, people, lps, why

    @staticmethod
    def _settle_steps(show: ShowSettings) -> int:
        return -(-show.settle_min // int(SETTLE_STEP.total_seconds() // 60))

    def _people(self, z: Zone, claim: _Claim, at: datetime) -> float:
        e = claim.event
        if claim.phase == "tour" and isinstance(e, TourEvent):
            return float(e.group_size or self.occ.tour_group_size)
        if claim.phase == "get_in":
            return float(z.occupants_max) if z.kind == ZoneKind.stage else 0.0
        if claim.phase == "post_show" and isinstance(e, ShowEvent):
            return departures(self._leaving(z, e, at), e.end, self._egress, at)
        return 0.0

    @property
    def _egress(self) -> timedelta:
        return timedelta(minutes=self.venue.venue.egress_min)

    def _leaving(self, z: Zone, e: ShowEvent, at: datetime) -> int:
        """Who leaves a zone after a show: the audience acted on, or the performers."""
        if z.kind == ZoneKind.auditorium:
            return acted_count(self.pushes.get(e.id, ()), e.expected_attendance,
                               self.occ.readjust_threshold, at)[0]
        return z.occupants_max

    def _oa_lps(self, z: Zone, mode: OaMode, people: float) -> float:
        if mode == OaMode.closed:
            return 0.0
        if mode == OaMode.minimum:
            return area_only_lps(z)
        if mode == OaMode.design:
            return max(voz_lps(z, z.occupants_max), occupied_lps(z, people, self.occ))
        return occupied_lps(z, people, self.occ)

    def _audience(self, z: Zone, e: ShowEvent, expected: int, at: datetime) -> float:
        if z.kind == ZoneKind.auditorium:
            return arrivals(expected, e.doors_open, e.curtain, at)
        return float(z.occupants_max) if at >= e.doors_open else 0.0

    def _idle(self, zone: str, z: Zone, at: datetime) -> tuple[ZoneState, UnitValues]:
        """Band protection with hysteresis: units run only when the zone leaves its band."""
        sname = self.season_name(at.astimezone(self.tz).date())
        season = self.season(sname)
        idle = season.zones[zone].idle
        lo, hi = z.limits.idle_band_c
        h = z.limits.idle_hysteresis_k
        m = self.inputs.measurements.get(zone)
        held = self._held(zone, "idle")
        mode: Mode = held.mode if held is not None else season.mode  # units off: keep it
        setpoint = idle.setpoint_c
        running: list[str] = []
        reason = "idle: inside the idle band"
        if m is not None and m.at <= at and m.temp_c is not None:
            t, was_on = m.temp_c, m.units_running
            rh_hi = z.limits.idle_rh_pct[1]
            if t > hi or (was_on and t > hi - h):
                mode, setpoint, running = "cool", hi - h, list(idle.units)
                reason = f"idle: {t:.1f} °C above the band {lo:g}–{hi:g} °C, cooling to {hi - h:g}"
            elif t < lo or (was_on and t < lo + h):
                mode, setpoint, running = "heat", lo + h, list(idle.units)
                reason = f"idle: {t:.1f} °C below the band {lo:g}–{hi:g} °C, heating to {lo + h:g}"
            elif m.rh_pct is not None and (m.rh_pct > rh_hi + z.limits.idle_rh_deadband_pct
                                           or (was_on and m.rh_pct > rh_hi)):
                # The deadband sits above the band's edge, not below: a unit dehumidifies by
                # its own loop only above its RH setpoint (the edge), so it holds the hall
                # there, and "run until 5 % lower" kept idle fans on all night in the season
                # evaluation.
                mode, setpoint, running = "cool", hi - h, list(idle.units)
                reason = f"idle: RH {m.rh_pct:.0f} % above {rh_hi:g} %, dehumidifying"
        elif m is None or m.temp_c is None:
            reason = "idle: no measurement yet, units off"
        setpoint = self._clamp(z, setpoint)
        lps = self._oa_lps(z, idle.oa, 0) if running else 0.0
        state = ZoneState(zone, "idle", None, sname, mode, setpoint, 0.0,
                          self._capped_lps(running, lps, idle.fan_cap_pct), reason)
        return state, self._unit_points(zone, running, state, idle.fan_cap_pct)

    # --- units --------------------------------------------------------------------------

    def _supply_lps(self, running: Sequence[str], fan_cap_pct: float) -> float:
        return sum(
            self.venue.units[u].airflow_m3_per_s * 1000 * fan_cap_pct / 100
            for u in running
            if self.venue.units[u].kind == UnitKind.ahu
        )

    def _capped_lps(self, running: Sequence[str], lps: float, fan_cap_pct: float) -> float:
        """Outdoor air cannot exceed what the running units supply."""
        return min(lps, self._supply_lps(running, fan_cap_pct))

    def _unit_points(
        self, zone: str, running: list[str], state: ZoneState, fan_cap_pct: float,
        allow_exhaust: bool = False, unit_mode: UnitMode | None = None,
        exhaust_fan: float | None = None,
    ) -> dict[str, dict[str, PointValue]]:
        """Every unit of the zone gets the zone's one mode and setpoint: no unit fights another.

        `unit_mode` "vent" runs the units that can with the coil off (fan and dampers); the
        others keep the zone's mode."""
        wanted = unit_mode or state.mode
        supply = self._supply_lps(running, fan_cap_pct)
        oa_pct = 100.0 * state.oa_lps / supply if supply > 0 else 0.0
        out: dict[str, dict[str, PointValue]] = {}
        for name in self.venue.units_of(zone):
            unit = self.venue.units[name]
            on = name in running and (unit.kind != UnitKind.exhaust or allow_exhaust)
            values: dict[str, PointValue] = {
                "enable": on,
                "setpoint": round(state.setpoint_c, 2),
                "oa_damper_min": round(oa_pct if on else 0.0, 1),
                "fan_speed_max": float(fan_cap_pct if exhaust_fan is None or unit.kind !=
                                       UnitKind.exhaust else exhaust_fan),
                "mode": wanted if wanted != VENT or (unit.points.mode is not None and VENT in (
                    unit.points.mode.states or {})) else state.mode,
            }
            out[name] = {
                p: self._safe(name, p, v) for p, v in values.items() if p in unit.points.names()
            }
        return out

    def _safe(self, unit_name: str, point: str, value: PointValue) -> PointValue:
        """Clamp into the zone's limits and the unit's range: the planner never asks for more."""
        unit = self.venue.units[unit_name]
        p = getattr(unit.points, point, None)
        if p is None or isinstance(value, bool | str):
            return value
        v = float(value)
        if point == "setpoint":
            v = self._clamp(self.venue.zones[unit.zone], v)
        if p.min is not None:
            v = max(v, p.min)
        if p.max is not None:
            v = min(v, p.max)
        return round(v, 2)

    @staticmethod
    def _clamp(z: Zone, setpoint: float) -> float:
        """Inside the zone's limits, at the 0.1 K resolution of a room controller."""
        return round(min(max(setpoint, z.limits.setpoint_min_c), z.limits.setpoint_max_c), 1)

    # --- reasons ------------------------------------------------------------------------

    def _precool_reason(self, zone: str, e: ShowEvent) -> str:
        s = self.shows[e.id]
        start = s.precool_start[zone].astimezone(self.tz)
        lead = int((e.doors_open - s.precool_start[zone]).total_seconds() // 60)
        doors = e.doors_open.astimezone(self.tz)
        text = (f"precool for {e.id}: to {s.precool_target_c[zone]:.1f} °C by doors "
                f"{doors:%H:%M} (started {start:%H:%M}, lead {lead} min)")
        oa = self.oa_open(e.id, zone)
        if oa is not None:
            text += f"; outdoor air opens {oa.astimezone(self.tz):%H:%M}"
        return text

    def _other_reason(self, claim: _Claim) -> str:
        e = claim.event
        if claim.phase == "post_show":
            until = claim.end.astimezone(self.tz)
            return f"post-show after {e.id}: until back in the idle band or {until:%H:%M}"
        if claim.phase == "get_in" and isinstance(e, GetInEvent):
            return f"get-in ({e.kind}) {e.id}: loading door open, stage exhaust on"
        return f"tour {e.id}"
