"""Post-show: the audience leaves, then fewer units until the hall is back in its band.

The strategy: "audience leaving → hall back to normal: cut the number of running units or
relax the setpoints; when the hall is back inside its idle band, go to idle".

- It ends at the season's `max_minutes`, or earlier at the first measurement back inside the
  idle band (temperature and RH) with the audience's CO2 flushed out — never before the
  audience has had `egress_min` to leave.
- While people are still leaving, the show's units ventilate for them (`egress`), and flush
  the CO2 they leave behind with outdoor air sized from the measured CO2 and who is still
  in (`purge.purge_air`), so that it falls back under the ceiling as they go instead of
  crossing the limit. So too when the next show's precool has the zone from the end (a
  matinee before an evening): a precool on full recirculation sealed a leaving matinee
  audience's CO2 in.
- Purge: CO2 measured above the plan's ceiling once they are gone (tonight's audience, or a
  matinee's before the evening's precool) is replaced with all the outdoor air the running
  units can take, not conditioned and sealed in for the night.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.model.seasons import ZoneSeason
from hvac_ctl.model.venue import Occupancy, Zone, ZoneKind
from hvac_ctl.planner.claims import Claim
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.inputs import ZoneMeasurement
from hvac_ctl.planner.occupancy import plays
from hvac_ctl.planner.phase import PhaseDecision
from hvac_ctl.planner.purge import purge_air


def egress(ctx: Context) -> timedelta:
    return timedelta(minutes=ctx.venue.venue.egress_min)


def needs_purge(occ: Occupancy, m: ZoneMeasurement) -> bool:
    """CO2 measured above what the plan aims for: the people who left it are gone, so
    flush it with outdoor air before the hall goes idle (and stays sealed)."""
    return m.co2_ppm is not None and m.co2_ppm > occ.co2_limit_ppm - occ.co2_margin_ppm


def in_band(z: Zone, m: ZoneMeasurement) -> bool:
    lo, hi = z.limits.idle_band_c
    rh_lo, rh_hi = z.limits.idle_rh_pct
    temp_ok = m.temp_c is not None and lo <= m.temp_c <= hi
    rh_ok = m.rh_pct is None or rh_lo <= m.rh_pct <= rh_hi + z.limits.idle_rh_deadband_pct
    return temp_ok and rh_ok


def end(ctx: Context, zone: str, z: Zone, zs: ZoneSeason, e: ShowEvent) -> datetime:
    """The max time, or earlier: the first measurement back inside the idle band with the
    audience's CO2 flushed out."""
    assert zs.post_show is not None
    latest = e.end + timedelta(minutes=zs.post_show.max_minutes)
    earliest = e.end + egress(ctx)
    m = ctx.inputs.measurements.get(zone)
    if (m is not None and earliest <= m.at < latest and in_band(z, m)
            and not needs_purge(ctx.occ, m)):
        return m.at
    return latest


def leaving(ctx: Context, z: Zone, e: ShowEvent, at: datetime) -> int:
    """Who leaves a zone after a show: the audience acted on, or the performers."""
    if z.kind == ZoneKind.auditorium:
        return ctx.acted(e, at)[0]
    return z.occupants_max


def leaving_show(ctx: Context, claim: Claim, z: Zone, at: datetime) -> ShowEvent | None:
    """The show whose audience is on its way out of the zone at `at`: the post-show's own,
    or, under the next show's precool, one that ended less than the egress time ago."""
    e = claim.event
    if claim.phase == "post_show":
        return e if isinstance(e, ShowEvent) and plays(z, e) else None
    if claim.phase != "precool":
        return None
    day = at.astimezone(ctx.tz).date()
    for prev in ctx.events_between(day - timedelta(days=1), day):
        if isinstance(prev, ShowEvent) and prev.id != e.id and plays(z, prev) and (
                prev.end <= at < prev.end + egress(ctx)):
            return prev
    return None


def purge(decision: PhaseDecision, m: ZoneMeasurement, supply_lps: float) -> PhaseDecision:
    """All outdoor air the running units take, while the CO2 an audience left is replaced."""
    return replace(decision, oa_lps=supply_lps,
                   reason=decision.reason + f"; purging CO2 ({m.co2_ppm:.0f} ppm)")


def flush(decision: PhaseDecision, z: Zone, m: ZoneMeasurement, people: float,
          remaining: timedelta, occ: Occupancy, supply_lps: float) -> PhaseDecision:
    """While `people` leave: more outdoor air, if what is measured needs more than the
    people still in do (see `purge`)."""
    air = purge_air(m.co2_ppm, people, remaining, z.volume_m3, occ, supply_lps)
    if air is None or air.oa_lps <= decision.oa_lps:
        return decision
    return replace(decision, oa_lps=air.oa_lps, reason=decision.reason + f"; purging: {air.why}")
