"""One zone at one instant: the phase's sequence, then the sequences every phase shares.

    claim → phase (precool | show | relaxed)   what the phase asks for
          → egress, CO2 trim, purge             the air the people need, or the air they left
          → modes                               heat or cool, by the measured need
          → recovery                            the closed loop of occupied phases
          → exhaust                             a get-in's exhaust, by the weather
          → economiser                          outdoor air before coils
          → tempering                           air the coils can temper; the heat they lack
          → state and drive                     for `unit_points`

Each step is a module of its own, with its rule in its docstring; this one only composes
them, in the order the architecture gives (claims → phase → economiser → … → unit points).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.model.seasons import RelaxedSettings
from hvac_ctl.model.venue import UnitKind
from hvac_ctl.planner import precool, relaxed, show, supply
from hvac_ctl.planner.claims import Claim, ShowPlan
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.economiser import ABOVE_K, PRECOOL_ABOVE_K, free_cooling
from hvac_ctl.planner.egress import egress_air
from hvac_ctl.planner.exhaust import exhaust_slowed
from hvac_ctl.planner.inputs import Mode, ZoneMeasurement
from hvac_ctl.planner.modes import choose_mode, pull_mode, relaxed_band, setpoint_of
from hvac_ctl.planner.occupancy import departures
from hvac_ctl.planner.outputs import OCCUPIED_PHASES, ZoneState
from hvac_ctl.planner.phase import PhaseDecision
from hvac_ctl.planner.post_show import egress, flush, leaving, leaving_show, needs_purge, purge
from hvac_ctl.planner.recovery import recovery
from hvac_ctl.planner.tempering import UnitMode, temper
from hvac_ctl.planner.unit_points import VENT, Decision, Drive, capped_lps, clamp, supply_lps
from hvac_ctl.planner.ventilation import co2_trim

Opening = Callable[[str, str], "datetime | None"]  # (event id, zone) → outdoor air opens


@dataclass(frozen=True)
class FreeAir:
    """Outdoor air as the cooling: L/s of the running units, and whether it cools alone."""

    lps: float
    alone: bool


def phase_decision(ctx: Context, claim: Claim, shows: dict[str, ShowPlan] | None,
                   opening: Opening, at: datetime) -> PhaseDecision:
    zone, e = claim.zone, claim.event
    z = ctx.venue.zones[zone]
    zs = ctx.season(claim.season).zones[zone]
    if claim.phase == "precool":
        assert isinstance(e, ShowEvent) and shows is not None
        p = shows[e.id].precooled[zone]
        return precool.decide(ctx, zone, z, zs, e, at, p.start, p.target_c,
                              opening(e.id, zone), ctx.season(claim.season).mode)
    if claim.phase == "show":
        assert isinstance(e, ShowEvent) and shows is not None
        p_ = shows[e.id].precooled.get(zone)
        return show.decide(ctx, zone, z, zs, e, at, p_.target_c if p_ else None,
                           opening(e.id, zone))
    settings: RelaxedSettings = getattr(zs, claim.phase)
    return relaxed.decide(ctx, claim, z, settings, at)


def zone_at(ctx: Context, claim: Claim, shows: dict[str, ShowPlan], opening: Opening,
            at: datetime) -> Decision:
    zone, e = claim.zone, claim.event
    z = ctx.venue.zones[zone]
    season = ctx.season(claim.season)
    zs = season.zones[zone]
    d = phase_decision(ctx, claim, shows, opening, at)
    # the air people need, or the air they left
    leaving_air = None
    gone = leaving_show(ctx, claim, z, at)
    if gone is not None and zs.show is not None and zs.post_show is not None:
        count = leaving(ctx, z, gone, at)
        leaving_air = egress_air(z, count, gone.end, egress(ctx), at, zs.show, zs.post_show,
                                 ctx.occ)
        if leaving_air is not None:
            d = replace(d, running=tuple(dict.fromkeys([*leaving_air.units, *d.running])),
                        fan_cap_pct=max(d.fan_cap_pct, leaving_air.fan_cap_pct),
                        oa_lps=max(d.oa_lps, leaving_air.oa_lps),
                        people=max(d.people, departures(count, gone.end, egress(ctx), at)),
                        reason=d.reason + f"; {leaving_air.why}")
    m = ctx.measured(zone, at)
    if m is not None and leaving_air is not None and gone is not None:
        # the air sized from the measured CO2 and who is left (`purge`), for the trim's guess
        d = flush(d, z, m, d.people, gone.end + egress(ctx) - at, ctx.occ,
                  supply_lps(ctx.venue, d.running, d.fan_cap_pct))
    elif m is not None and d.people > 0:
        d = replace(d, oa_lps=co2_trim(d.oa_lps, m.co2_ppm, ctx.occ))
    if claim.phase in ("precool", "post_show") and leaving_air is None and d.running and (
            m is not None and needs_purge(ctx.occ, m)):
        d = purge(d, m, supply_lps(ctx.venue, d.running, d.fan_cap_pct))
    # heat or cool, by the measured need
    preferred: Mode = season.mode
    setpoint = clamp(z, d.setpoint_c)
    comfort_k = supply.offset_k(ctx, zone, claim.season)
    if comfort_k:
        setpoint = clamp(z, d.setpoint_c + comfort_k)
        d = replace(d, reason=d.reason + supply.why(ctx, zone, comfort_k))
    measured = m.temp_c if m is not None else None
    held = ctx.held(zone, claim.phase)
    modes = ctx.venue.venue.modes
    if claim.phase == "precool":
        choice = pull_mode(setpoint, measured, held, preferred)
    elif claim.phase == "show":
        choice = choose_mode((setpoint, setpoint), measured, held, preferred, at, modes, ctx.tz)
    else:
        low, high = relaxed_band(getattr(zs, claim.phase), setpoint, preferred, modes)
        choice = choose_mode((clamp(z, low), clamp(z, high)), measured, held, preferred, at,
                             modes, ctx.tz)
    mode, band, reason = choice.mode, choice.band, d.reason
    if choice.why:
        reason += f"; {choice.why}"
    running = d.running
    economiser, exhaust_fan = True, None
    if claim.phase in OCCUPIED_PHASES:
        rec = recovery(ctx.inputs.deviations.get(zone), band, measured, at,
                       ctx.venue.venue.recovery, ctx.tz)
        if rec is not None:
            mode, economiser = rec.mode, rec.economiser
            if rec.stage_all:
                running = tuple(dict.fromkeys([*running, *ctx.ahus_of(zone)]))
            if rec.exhaust_min:
                exhaust_fan = 0.0  # clamped to the exhaust fan's own minimum
            reason += f"; {rec.why}"
    if claim.phase == "get_in" and exhaust_fan is None and (
            slowed := exhaust_slowed(ctx.outdoor_c(), band[0])):
        exhaust_fan = 0.0
        reason += f"; {slowed}"
    # outdoor air before the coils: a zone that needs cooling takes it from outdoor air that
    # can give it (G36's integrated economiser), at the precool margin, not the show's
    above = PRECOOL_ABOVE_K if claim.phase == "precool" or mode == "cool" else ABOVE_K
    # until curtain-up the hall is being readied for its audience and pulled hard; from then
    # on the air is metered to how warm the zone is and the units' loops temper it
    readying = claim.phase == "precool" or (
        claim.phase == "show" and isinstance(e, ShowEvent) and at < e.curtain)
    lps = d.oa_lps
    unit_mode: UnitMode = mode
    free = free_cooling_lps(ctx, running, d.fan_cap_pct, setpoint_of(mode, band), band[0], m,
                            above, not readying) if economiser else FreeAir(0.0, False)
    if free.lps > lps:
        lps = free.lps
        reason += f"; free cooling with outdoor air at {ctx.outdoor_c():.0f} °C"
        if free.alone and readying:  # the outdoor air pulls: a coil would only work against it
            unit_mode = VENT
            reason += ", coils off"
        elif free.alone:
            unit_mode = "heat"
            reason += ", tempered by the units' loops"
    lps = capped_lps(ctx.venue, running, lps, d.fan_cap_pct)
    # air the coils can temper, and the heat they lack
    ahus = [ctx.venue.units[u] for u in running if ctx.venue.units[u].kind == UnitKind.ahu]
    tempered = temper(unit_mode, lps, ctx.outdoor_c(),
                      measured if measured is not None else setpoint_of(mode, band),
                      measured is not None, band, ahus, d.fan_cap_pct)
    if tempered.mode != unit_mode:
        unit_mode = mode = "cool" if tempered.mode == "cool" else "heat"
    if tempered.why:
        reason += f"; {tempered.why}"
    state = ZoneState(zone, claim.phase, e.id, claim.season, mode, setpoint_of(mode, band),
                      d.people, lps, reason, band if claim.phase in OCCUPIED_PHASES else None,
                      tempered.shortfall_kw)
    return Decision(state, Drive(running, d.fan_cap_pct, claim.phase == "get_in", unit_mode,
                                 exhaust_fan))


def free_cooling_lps(ctx: Context, running: tuple[str, ...], fan_cap_pct: float,
                     target: float, heating_c: float, m: ZoneMeasurement | None,
                     above_k: float, metered: bool) -> FreeAir:
    """Outdoor air as the cooling (see `economiser`), in L/s of the running AHUs, and
    whether it cools alone (no coil needed)."""
    out = ctx.inputs.outdoor_air_c
    ahus = [u for u in running if ctx.venue.units[u].kind == UnitKind.ahu]
    if out is None or m is None or m.temp_c is None or not ahus:
        return FreeAir(0.0, False)
    supply_lo = max(ctx.venue.units[u].supply_limits_c[0] for u in ahus)
    thermal = ctx.venue.zones[ctx.venue.units[ahus[0]].zone].thermal
    supply = supply_lps(ctx.venue, ahus, fan_cap_pct)
    free = free_cooling(m.temp_c, out, target, heating_c, supply_lo, above_k, metered,
                        (thermal.fast_capacitance_mj_per_k
                         + thermal.mass_capacitance_mj_per_k) * 1e6, supply / 1000)
    return FreeAir(free.share * supply, free.alone)
