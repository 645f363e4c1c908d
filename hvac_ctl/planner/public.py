"""A public-area group at an instant: phase → weather mode → staging → one setpoint → units.

    public_phase   closed, open or crowded (the busiest of the group's zones)
    group_mode     one mode from the outdoor dry-bulb and dew point, hysteresis, dwell
    staging        how many AHUs run, and which (lead/lag by run hours)
    here           one setpoint from the mode and the season's band; the outdoor air the
                   people need (or all of it, in `vent`); the decisions of the group's zones

Every running unit of the group gets the group's one mode and setpoint: the rule of the
study's public areas ("switch every unit of the group into one mode together"). The units
that do not run are off. The group is one: each of its zones reports its phase and mode.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from hvac_ctl.model.seasons import PublicSettings
from hvac_ctl.model.site import PublicGroup
from hvac_ctl.model.venue import UnitKind
from hvac_ctl.planner import group_mode, staging
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.inputs import Mode
from hvac_ctl.planner.outputs import GroupMode, GroupState, Phase, ZoneState
from hvac_ctl.planner.psychro import dew_point_c
from hvac_ctl.planner.public_phase import Window, phase_at
from hvac_ctl.planner.unit_points import Decision, Drive, capped_lps, clamp
from hvac_ctl.planner.ventilation import voz_lps

# How full a zone is, as a share of its capacity: a crowd fills it, opening hours bring
# visitors (an estimate: the box office counts audiences, not visitors)
PEOPLE_SHARE = {"crowd": 1.0, "open": 0.2, "idle": 0.0}
FAN_CAP_PCT = {"crowd": 100.0, "open": 80.0, "idle": 60.0}


def setpoint(mode: GroupMode, band: tuple[float, float]) -> float:
    """Cooling holds the band's top, heating its bottom; outdoor air floats in between."""
    lo, hi = band
    if mode in ("cool", "dehumidify"):
        return hi
    if mode == "heat":
        return lo
    return round((lo + hi) / 2, 1)


def band_lost(ctx: Context, zones: Iterable[str], band: tuple[float, float], at: datetime
              ) -> str | None:
    """The first zone measured outside the band, in words; None if none is."""
    for zone in zones:
        m = ctx.measured(zone, at)
        if m is not None and m.temp_c is not None and not band[0] <= m.temp_c <= band[1]:
            return f"{zone} at {m.temp_c:.1f} °C is outside {band[0]:g}–{band[1]:g} °C"
    return None


def decide(ctx: Context, gid: str, g: PublicGroup, found: Iterable[Window], at: datetime
           ) -> tuple[GroupState, dict[str, Decision]]:
    """The group's state and each of its zones' decisions at `at`."""
    venue = ctx.venue
    zones = venue.zones_of_group(gid)
    sname, season = ctx.season_on(at.astimezone(ctx.tz).date())
    s: PublicSettings = season.public_for(gid)
    w = phase_at(found, at)
    phase: Phase = w.phase if w is not None else "idle"
    band = s.band_c if phase != "idle" else s.idle_band_c
    outdoor = ctx.outdoor_c()
    rh = ctx.inputs.outdoor_rh_pct
    dew = dew_point_c(outdoor, rh) if outdoor is not None and rh is not None else None
    held = ctx.inputs.groups.get(gid)
    choice = group_mode.choose(held, outdoor, dew, s, timedelta(minutes=g.min_dwell_min),
                               season.mode, at, ctx.tz)
    lost = band_lost(ctx, zones, band, at)
    by_zone = {z: [u for u in venue.units_of(z) if venue.units[u].kind == UnitKind.ahu]
               for z in zones}
    ahus = [u for us in by_zone.values() for u in us]
    n = staging.count(getattr(g.staging, phase), lost is not None, len(ahus))
    running = staging.spread(by_zone, n, held.running if held is not None else (),
                             ctx.inputs.run_hours)
    mode: GroupMode = choice.mode if running else "off"
    sp = setpoint(choice.mode, band)
    what = w.why if w is not None else "closed"
    why = f"{phase} ({what}): {choice.why}; {len(running)} of {len(ahus)} units"
    if lost is not None:
        why += f", one more as {lost}"
    state = GroupState(gid, phase, mode, choice.mode, choice.since, sp, running, why,
                       outdoor, None if dew is None else round(dew, 1))
    zone_mode: Mode = "heat" if choice.mode == "heat" else (
        "cool" if choice.mode in ("cool", "dehumidify") else season.mode)
    unit_mode = choice.mode if choice.mode in ("vent", "dehumidify") else None
    cap = FAN_CAP_PCT[phase]
    decisions: dict[str, Decision] = {}
    for zone in zones:
        z = venue.zones[zone]
        own = tuple(u for u in running if venue.units[u].zone == zone)
        people = z.occupants_max * PEOPLE_SHARE[phase]
        if choice.mode == "vent" and own:
            lps = float("inf")  # the outdoor air is the conditioning: all of it
        else:
            lps = voz_lps(z, people) if own and phase != "idle" else 0.0
        zs = ZoneState(zone, phase, w.event_id if w is not None else None, sname, zone_mode,
                       clamp(z, sp), people, capped_lps(venue, own, lps, cap), why,
                       band)  # closed too: the group's idle band, the one it protects
        decisions[zone] = Decision(zs, Drive(own, cap, unit_mode=unit_mode))
    return state, decisions
