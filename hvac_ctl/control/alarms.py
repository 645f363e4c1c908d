"""Alarms: what an operator must see and acknowledge, raised and cleared by what is measured.

Each tick the runtime asks `conditions()` what is wrong now; `AlarmBook.update()` compares
that with the active alarms and says what was raised and what cleared, so every alarm has
one raise and one clear (both audited), however many ticks the condition lasts. An alarm
is keyed by what it is about (`device_offline:ahu-aud-1`), so the same fault never raises
twice while it lasts. Acknowledging is an operator's act; it does not clear an alarm whose
cause remains, as in every BMS.

A measured value alarms only once it has stayed past its limit for the venue's delay (CO2 2
min, a heating shortfall 5 min, a zone's band 15 min), and clears only once it is back inside
by a deadband (CO2 50 ppm under the limit, 0.5 K inside the band): `Watch` keeps, per alarm
key, since when the value is past its limit and whether it has alarmed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from drivers.base import State
from hvac_ctl.model import Config
from hvac_ctl.model.site import HallType
from hvac_ctl.model.venue import ZoneKind
from hvac_ctl.planner import Override, PlanState, ZoneMeasurement
from hvac_ctl.planner.outputs import OCCUPIED_PHASES, ZoneState

Severity = Literal["critical", "major", "minor"]
PRECOOL_READY_K = 0.5  # the curtain-ready rule: within 0.5 K of the target at doors open


@dataclass(frozen=True)
class AlarmSettings:
    out_of_band_after: timedelta = timedelta(minutes=15)  # N minutes out of band
    band_k: float = 1.5  # occupied: this far from the commanded setpoint is out of band
    override_warning: timedelta = timedelta(minutes=15)  # before an override ends in a show


@dataclass(frozen=True)
class Condition:
    key: str  # what the alarm is about: one alarm per key while it lasts
    kind: str
    severity: Severity
    source: str  # the unit, zone or override
    message: str


@dataclass
class Alarm:
    id: int
    key: str
    kind: str
    severity: Severity
    source: str
    message: str
    raised_at: datetime
    acked_at: datetime | None = None
    acked_by: str | None = None
    cleared_at: datetime | None = None


@dataclass
class Watch:
    """What the conditions remember between ticks, per alarm key: since when its value is
    past the limit, and which have alarmed (they hold until back inside the deadband)."""

    since: dict[str, datetime] = field(default_factory=dict)
    on: set[str] = field(default_factory=set)

    def held(self, key: str, now: datetime, past: bool, cleared: bool, after: timedelta
             ) -> datetime | None:
        """Since when the condition `key` holds, once it has; None while it does not.

        `past`: the value is beyond its limit now; `cleared`: it is back inside the
        deadband. It holds once `past` for `after` without a break, and then until `cleared`.
        """
        if key in self.on and not cleared:
            return self.since.setdefault(key, now)
        if key in self.on or not past:
            self.forget(key)
            return None
        since = self.since.setdefault(key, now)
        if now - since < after:
            return None
        self.on.add(key)
        return since

    def forget(self, key: str) -> None:
        self.since.pop(key, None)
        self.on.discard(key)


def conditions(
    config: Config, now: datetime, state: PlanState | None,
    measurements: Mapping[str, ZoneMeasurement], health: Mapping[str, State],
    bad: Mapping[tuple[str, str], str], overrides: Sequence[Override], watch: Watch,
    settings: AlarmSettings, store_error: str | None = None,
) -> list[Condition]:
    """Everything wrong at `now`, each with the severity an operator would give it."""
    out: list[Condition] = []
    for unit, st in health.items():
        if st == State.offline:
            out.append(Condition(f"device_offline:{unit}", "device_offline", "major", unit,
                                 f"{unit} does not answer; its zone is controlled without it"))
    by_unit: dict[str, list[tuple[str, str]]] = {}
    for (unit, point), why in sorted(bad.items()):
        by_unit.setdefault(unit, []).append((point, why))
    for unit, points in by_unit.items():  # one alarm per unit, however many points
        names = ", ".join(p for p, _ in points)
        out.append(Condition(f"bad_value:{unit}", "bad_value", "minor", unit,
                             f"{unit}: bad {names} ({points[0][1]}); the last good values "
                             "stand in until they are too old"))
    if store_error is not None:
        out.append(Condition("store_unavailable", "store_unavailable", "critical", "store",
                             f"the store refuses writes ({store_error}); new pushes and "
                             "overrides are refused, writes are retried"))
    if state is None:
        return out
    occ = config.venue.venue.occupancy
    timing = config.venue.venue.alarms
    tz = config.venue.venue.tz  # operators read the venue's clock
    for zone, zs in state.zones.items():
        key = f"heating_shortfall:{zone}"
        if watch.held(key, now, zs.shortfall_kw > 0, zs.shortfall_kw <= 0,
                      timedelta(minutes=timing.heating_shortfall_after_min)):
            out.append(Condition(key, "heating_shortfall", "major", zone,
                                 f"{zone}: heating short by {_kw(zs.shortfall_kw)} to temper "
                                 "the outdoor air its people need; ventilation is kept"))
        m = measurements.get(zone)
        key, band_key = f"co2_high:{zone}", f"out_of_band:{zone}"
        if m is None:
            watch.forget(key)
            watch.forget(band_key)
            continue
        if m.co2_ppm is None or not (zs.phase in OCCUPIED_PHASES or zs.people > 0):
            watch.forget(key)  # nobody in to breathe it
        elif watch.held(key, now, m.co2_ppm > occ.co2_limit_ppm,
                        m.co2_ppm < occ.co2_limit_ppm - timing.co2_clear_ppm,
                        timedelta(minutes=timing.co2_after_min)):
            out.append(Condition(key, "co2_high", "major", zone,
                                 f"{zone}: CO2 {m.co2_ppm:.0f} ppm, above the "
                                 f"{occ.co2_limit_ppm:.0f} ppm limit"))
        if m.temp_c is None:
            continue
        band = zone_band(config, settings, zone, zs)
        if band is None:
            watch.forget(band_key)
            continue
        lo, hi = band
        inside = min(timing.band_clear_k, (hi - lo) / 2)  # a narrow band clears mid-way
        since = watch.held(band_key, now, not lo <= m.temp_c <= hi,
                           lo + inside <= m.temp_c <= hi - inside, settings.out_of_band_after)
        if since is not None:
            out.append(Condition(band_key, "zone_out_of_band", "major", zone,
                                 f"{zone}: {m.temp_c:.1f} °C, outside {lo:.1f} … {hi:.1f} °C "
                                 f"since {since.astimezone(tz):%H:%M} ({zs.phase})"))
    out += fused_conflicts(config, now, state, measurements, watch, settings)
    plant = state.plant  # the running chillers short of the planned load: said, after a delay
    if watch.held("plant_short", now, plant is not None and plant.short_kw > 0,
                  plant is None or plant.short_kw <= 0,
                  timedelta(minutes=timing.heating_shortfall_after_min)) and plant is not None:
        out.append(Condition("plant_short", "plant_short", "major", "plant",
                             f"the plant's running capacity {plant.capacity_kw:.0f} kW is "
                             f"{plant.short_kw:.0f} kW short of the planned load "
                             f"{plant.load_kw:.0f} kW and its margin ({plant.why})"))
    out += plant_cap(now, state, watch)
    in_show = any(zs.phase == "show" for zs in state.zones.values())
    for o in overrides:
        # one set for no longer than the warning would be announced the minute it is set:
        # whoever set it chose its end; one set for longer is announced once, on entering it
        if in_show and o.until - o.start > settings.override_warning and (
                o.start <= now < o.until <= now + settings.override_warning):
            left = int((o.until - now).total_seconds() // 60)
            out.append(Condition(f"override_expiring:{o.id}", "override_expiring", "minor",
                                 o.unit, f"override {o.id} on {o.unit}.{o.point} ends in "
                                 f"{left} min, during a show; extend it or let it go"))
    return out


# an evening's cap is told this long before its first precool may start (what the instant's
# plan reaches: `planner.plan.in_reach`)
CAP_AHEAD = timedelta(hours=1)


def plant_cap(now: datetime, state: PlanState, watch: Watch) -> list[Condition]:
    """The evening's preparations that cannot keep the plant under its cap without missing a
    curtain: told from `CAP_AHEAD` before their window until it ends — the curtains win, and
    whoever answers for the demand learns which cap, by how much, when and why."""
    plant = state.plant
    o = plant.outlook if plant is not None else None
    over = o is not None and o.over_kw > 0 and o.start - CAP_AHEAD <= now < o.end
    if o is None or watch.held("plant_cap", now, over, not over, timedelta(0)) is None:
        return []
    return [Condition("plant_cap", "plant_cap", "major", "plant", o.why)]


def fused_conflicts(config: Config, now: datetime, state: PlanState,
                    measurements: Mapping[str, ZoneMeasurement], watch: Watch,
                    settings: AlarmSettings) -> list[Condition]:
    """A fused hall whose stage is out of its band while its audience is in its own: one air
    volume cannot hold both (`planner.fused`), and the operator is told so, by name, rather
    than left to find units fighting. It alarms after the out-of-band delay, as a zone does."""
    venue = config.venue
    out: list[Condition] = []
    for hall in venue.halls:
        if venue.hall(hall).type != HallType.fused:
            continue
        zones = [z for z in venue.zones_of_hall(hall) if z in state.zones]
        audience = [z for z in zones if venue.zones[z].kind == ZoneKind.auditorium]
        for stage in (z for z in zones if venue.zones[z].kind == ZoneKind.stage):
            key = f"fused_conflict:{hall}:{stage}"
            judged = [(z, b, m.temp_c) for z in (stage, *audience)
                      if (b := zone_band(config, settings, z, state.zones[z])) is not None
                      and (m := measurements.get(z)) is not None and m.temp_c is not None]
            if len(judged) < 2 or judged[0][0] != stage:
                watch.forget(key)
                continue
            (_, (lo, hi), t), rest = judged[0], judged[1:]
            inside = [(z, v) for z, (a, b), v in rest if a <= v <= b]
            since = watch.held(key, now=now, past=not lo <= t <= hi and bool(inside),
                               cleared=lo <= t <= hi or not inside,
                               after=settings.out_of_band_after)
            if since is not None:
                z, v = inside[0]
                out.append(Condition(
                    key, "fused_conflict", "major", stage,
                    f"{venue.hall(hall).name}: {stage} at {t:.1f} °C is outside its band "
                    f"{lo:.1f} … {hi:.1f} °C while {z} at {v:.1f} °C is inside its own; stage "
                    f"and audience share one air volume, and the audience's setpoint leads "
                    f"(the stage within {venue.hall(hall).stage_offset_k:g} K of it)"))
    return out


def precool_missed(zone: str, event_id: str, measured_c: float, target_c: float
                   ) -> Condition | None:
    """At doors open: the zone further from its precool target than curtain-ready allows."""
    if abs(measured_c - target_c) <= PRECOOL_READY_K:
        return None
    return Condition(f"precool_missed:{event_id}:{zone}", "precool_missed", "minor", zone,
                     f"{zone}: {measured_c:.1f} °C at doors open for {event_id}, target "
                     f"{target_c:.1f} °C")


class AlarmBook:
    """The active alarms, in memory; the runtime keeps them in the store as well."""

    def __init__(self, active: Iterable[Alarm] = (), last_id: int = 0) -> None:
        """`last_id`: the highest id ever given (cleared alarms included), so that a new
        alarm never takes the id, and the row, of one in the history."""
        self.active: dict[str, Alarm] = {a.key: a for a in active}
        self._next_id = max([last_id, *(a.id for a in self.active.values())]) + 1

    def update(self, now: datetime, current: Iterable[Condition], keep: Iterable[str] = ()
               ) -> tuple[list[Alarm], list[Alarm]]:
        """Raise what is new, clear what is gone (except the keys in `keep`, whose
        conditions are decided elsewhere); returns (raised, cleared)."""
        by_key = {c.key: c for c in current}
        kept = set(keep)
        raised = []
        for key, c in by_key.items():
            if key not in self.active:
                a = Alarm(self._next_id, key, c.kind, c.severity, c.source, c.message, now)
                self._next_id += 1
                self.active[key] = a
                raised.append(a)
            else:
                self.active[key].message = c.message
        cleared = []
        for key in [k for k in self.active if k not in by_key and k not in kept]:
            a = self.active.pop(key)
            a.cleared_at = now
            cleared.append(a)
        return raised, cleared

    def ack(self, alarm_id: int, now: datetime, actor: str) -> tuple[Alarm | None, bool]:
        """The active alarm, and whether this acknowledged it (False: it already was)."""
        for a in self.active.values():
            if a.id == alarm_id:
                if a.acked_at is not None:
                    return a, False
                a.acked_at, a.acked_by = now, actor
                return a, True
        return None, False


def zone_band(config: Config, settings: AlarmSettings, zone: str, zs: ZoneState
              ) -> tuple[float, float] | None:
    """The band a zone's temperature is judged by — by the out-of-band alarm and by the panel's
    colouring alike. Occupied: around its heating–cooling band (a show's is its one target),
    widened by `band_k`, so a summer tour at 23 °C under its 25 °C cooling setpoint is where
    it should be; a public area: its group's band (open, crowded or closed: the band the group
    holds, not the zone's own `idle_band_c`); idle: the zone's idle band; precool and
    post-show: none, they are on their way somewhere."""
    if zs.phase in OCCUPIED_PHASES:
        heating, cooling = zs.band_c or (zs.setpoint_c, zs.setpoint_c)
        return (heating - settings.band_k, cooling + settings.band_k)
    if zs.phase in ("idle", "open", "crowd") and zs.band_c is not None:
        return zs.band_c  # a public area's: its group's band, the wide one it holds
    if zs.phase == "idle":
        lo, hi = config.venue.zones[zone].limits.idle_band_c
        return (lo, hi)
    return None


def _kw(kw: float) -> str:
    """A power as operators read it: whole kW, but never "0 kW" for a shortfall that exists."""
    return f"{kw:.0f} kW" if kw >= 10 else f"{kw:.1f} kW"
