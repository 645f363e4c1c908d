"""Post-show: the audience leaves, then fewer units until the hall is back in its band.

The strategy: "audience leaving → hall back to normal: cut the number of running units or
relax the setpoints; when the hall is back inside its idle band, go to idle".

- It ends at the season's `max_minutes`, or earlier at the first measurement back inside the
  idle band (temperature and RH) with the audience's CO2 flushed out — never before the
  audience has had `egress_min` to leave.
- While people are still leaving, the show's units ventilate for them (`egress`).
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
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.inputs import ZoneMeasurement
from hvac_ctl.planner.phase import PhaseDecision


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


def purge(decision: PhaseDecision, m: ZoneMeasurement, supply_lps: float) -> PhaseDecision:
    """All outdoor air the running units take, while the CO2 an audience left is replaced."""
    return replace(decision, oa_lps=supply_lps,
                   reason=decision.reason + f"; purging CO2 ({m.co2_ppm:.0f} ppm)")
