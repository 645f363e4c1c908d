"""Pre-show precool: pull the zone to its target before doors open, then open the air in time.

The strategy: "pull the hall 0.5–1 °C below the show setpoint, so it lands on target once
people pour in; precool on full return air (outdoor-air dampers shut) to save energy, but
open the outdoor air early enough to meet ventilation and hygiene once people arrive — that
opening time must be computed, not guessed".

- Target: the show setpoint to be held after curtain minus the season's offset; the offset
  shrinks toward 0.5 K for a smaller audience, whose heat will lift the hall less.
- Start: optimal start (ASHRAE G36 `OptimalStart`, see `optimal_start`), in the pull's own
  direction — a hall under its shell can be too warm in a heating season. A full house is
  first pulled `full_house_past_k` past the target, until `past_until_min` before doors, so
  the structure takes up the heat of people coming in (without it a full house warms the
  hall about 0.6 K by curtain-up). Latched as G36 latches it: once units run inside the
  window, precool has begun.
- Outdoor air opens at the latest minute at which a well-mixed CO2 balance of the expected
  arrivals, from the CO2 measured before doors, stays under the ceiling (`ventilation`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.model.seasons import ZoneSeason
from hvac_ctl.model.venue import Zone, ZoneKind
from hvac_ctl.planner import supply
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.inputs import Mode, ZoneMeasurement
from hvac_ctl.planner.occupancy import arrivals
from hvac_ctl.planner.optimal_start import Learned, lead_time, learned
from hvac_ctl.planner.phase import PhaseDecision
from hvac_ctl.planner.show import show_setpoint
from hvac_ctl.planner.unit_points import capped_lps, clamp
from hvac_ctl.planner.ventilation import occupied_lps, opening_time


def minute(t: datetime) -> datetime:
    """Down to the whole minute: phases begin on their minute."""
    return t - timedelta(seconds=t.second, microseconds=t.microsecond)


def target(ctx: Context, zone: Zone, zs: ZoneSeason, e: ShowEvent) -> float:
    """The show setpoint to be held after curtain − the offset; the offset shrinks toward
    0.5 K for a smaller audience, whose heat will lift the hall less."""
    assert zs.show is not None and zs.precool is not None
    expected = ctx.expected(e)
    offset = zs.precool.precool_offset_k
    if zone.kind == ZoneKind.auditorium and zone.seats:
        fill = min(1.0, expected / zone.seats)
        offset = 0.5 + (offset - 0.5) * fill if offset > 0.5 else offset
    return clamp(zone, show_setpoint(zone, zs.show, e, expected) - offset)


def pulled_to(ctx: Context, zone: str, z: Zone, target_c: float, e: ShowEvent) -> float:
    """Where the zone is actually pulled: its target with its supply's comfort offset (`zone`
    applies it to every phase's setpoint), so the lead is timed for the pull that happens."""
    return clamp(z, target_c + supply.offset_k(ctx, zone, ctx.season_name(e.date)))


def past_k(ctx: Context, zone: str, e: ShowEvent) -> float:
    """How far past its target a zone's precool pulls first (see `PrecoolConfig`)."""
    z = ctx.venue.zones[zone]
    if z.kind != ZoneKind.auditorium or not z.seats:
        return 0.0
    return ctx.venue.venue.precool.full_house_past_k * min(1.0, ctx.expected(e) / z.seats)


def past_until(ctx: Context, e: ShowEvent) -> datetime:
    """Until when a full house's precool pulls past its target."""
    return e.doors_open - timedelta(minutes=ctx.venue.venue.precool.past_until_min)


def past_ends(ctx: Context, zones: Iterable[str], e: ShowEvent, preferred: Mode
              ) -> list[datetime]:
    """The instant the pull past the target ends, if one of the precooled `zones` pulls past
    it at all (`decide`: in a season that prefers cooling, an auditorium expecting people):
    a day's plan changes there, and in a heating season, or without an audience, not."""
    pulls = preferred == "cool" and any(past_k(ctx, zone, e) > 0 for zone in zones)
    return [past_until(ctx, e)] if pulls else []


def rate(ctx: Context, zone: str, temp_c: float, target_c: float, e: ShowEvent) -> Learned:
    """What was learned of pulls in this one's direction."""
    direction: Mode = "cool" if temp_c > target_c else "heat"
    return learned(ctx.inputs.history.get(zone, ()), direction, e.date,
                   ctx.venue.venue.precool)


def assumed_temp(ctx: Context, zone: str, day: date) -> float:
    """Before any measurement, assume the zone floats at its idle setpoint."""
    return ctx.season(ctx.season_name(day)).zones[zone].idle.setpoint_c


def measured_before_doors(ctx: Context, zone: str, e: ShowEvent) -> ZoneMeasurement | None:
    """The zone's measurement, if it has a temperature taken before doors."""
    m = ctx.inputs.measurements.get(zone)
    return m if m is not None and m.temp_c is not None and m.at < e.doors_open else None


def start_temp(ctx: Context, zone: str, e: ShowEvent) -> float:
    """Where a precool pulls from: the zone as measured before doors, else as assumed."""
    m = measured_before_doors(ctx, zone, e)
    if m is not None and m.temp_c is not None:
        return m.temp_c
    return assumed_temp(ctx, zone, e.date)


def start(ctx: Context, zone: str, target_c: float, e: ShowEvent) -> datetime:
    cfg = ctx.venue.venue.precool
    m = measured_before_doors(ctx, zone, e)
    window = e.doors_open - timedelta(minutes=cfg.max_lead_min)
    from_c = start_temp(ctx, zone, e)
    learned_rate = rate(ctx, zone, from_c, target_c, e)
    past = past_k(ctx, zone, e) if from_c > target_c else 0.0
    begin = minute(e.doors_open - lead_time(abs(from_c - target_c) + past, learned_rate,
                                            cfg))
    # Latch, as G36 does: once units run inside the window, precool has begun.
    if m is not None and m.units_running and window <= m.at < begin:
        begin = m.at
    return begin


def opening(ctx: Context, z: Zone, zone: str, zs: ZoneSeason, e: ShowEvent) -> datetime:
    """When outdoor air opens for a show in a zone (the CO2 search, kept in the cache by the
    show's times relative to its doors)."""
    expected = ctx.expected(e)
    assert zs.show is not None
    lps = capped_lps(ctx.venue, zs.show.units, occupied_lps(z, expected, ctx.occ),
                     zs.show.fan_cap_pct)
    m = ctx.inputs.measurements.get(zone)
    c0 = m.co2_ppm if m is not None and m.co2_ppm is not None and m.at < e.doors_open else None
    if c0 is None:
        c0 = ctx.inputs.co2_at_doors.get((e.id, zone))
    c0 = round(c0) if c0 is not None else None  # whole ppm: a sensor's resolution

    def people(t: datetime) -> float:
        if z.kind == ZoneKind.auditorium:
            return arrivals(expected, e.doors_open, e.curtain, t)
        return float(z.occupants_max) if t >= e.doors_open else 0.0

    # Kept by the show's shape, not its date: the search only ever sees instants relative to
    # doors (the arrival ramp, the minute steps, the closed form to the end), so a season's
    # shows of one production ask it once, and each gets the answer as its own doors + lead.
    after_doors = ctx.cache.remember(
        ("oa_open", zone, e.curtain - e.doors_open, e.end - e.doors_open, expected, lps, c0),
        lambda: opening_time(z, ctx.occ, people, lps, e.doors_open, e.curtain, e.end, c0)
        - e.doors_open)
    return e.doors_open + after_doors


def reason(ctx: Context, e: ShowEvent, begin: datetime, target_c: float,
           opens: datetime | None) -> str:
    tz = ctx.tz
    lead = int((e.doors_open - begin).total_seconds() // 60)
    text = (f"precool for {e.id}: to {target_c:.1f} °C by doors "
            f"{e.doors_open.astimezone(tz):%H:%M} (started {begin.astimezone(tz):%H:%M}, "
            f"lead {lead} min)")
    if opens is not None:
        text += f"; outdoor air opens {opens.astimezone(tz):%H:%M}"
    return text


def decide(ctx: Context, zone: str, z: Zone, zs: ZoneSeason, e: ShowEvent, at: datetime,
           begin: datetime, target_c: float, opens: datetime | None, preferred: Mode
           ) -> PhaseDecision:
    """Precool at `at`: the target (or past it, first), its units, the air once it opens."""
    assert zs.precool is not None
    setpoint = target_c
    text = reason(ctx, e, begin, target_c, opens)
    past = past_k(ctx, zone, e)
    until = past_until(ctx, e)
    m = ctx.measured(zone, at)
    pulled_down = m is None or m.temp_c is None or m.temp_c > setpoint - past
    if past > 0 and at < until and pulled_down and preferred == "cool":
        setpoint -= past
        text += (f"; {past:.1f} K past it until {until.astimezone(ctx.tz):%H:%M}, "
                 "so the structure takes up the audience's heat too")
    lps = 0.0
    if opens is not None and at >= opens:
        lps = occupied_lps(z, ctx.expected(e), ctx.occ)
    return PhaseDecision(setpoint, tuple(zs.precool.units), zs.precool.fan_cap_pct, 0.0, lps,
                         text)
