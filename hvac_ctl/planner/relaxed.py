"""Tours, get-ins and post-shows: the relaxed phases, with the season's settings as written.

- Tour: the units serving the tour route, only those (the strategy), ventilated for its
  group (`group_size`, or the venue's `tour_group_size`).
- Get-in: the stage with its loading door open and its exhaust on, ventilated by them (the
  season's get-in has its dampers shut); its crew is the stage's capacity.
- Post-show: the season's fewer units and relaxed setpoint; the people still leaving counted
  (see `post_show`, `egress`).

Their setpoints are the season's preferred mode's; the zone floats between its heating and
cooling setpoints (`modes.relaxed_band`).
"""

from __future__ import annotations

from datetime import datetime

from hvac_ctl.model.calendar import GetInEvent, ShowEvent, TourEvent
from hvac_ctl.model.seasons import RelaxedSettings
from hvac_ctl.model.venue import Zone, ZoneKind
from hvac_ctl.planner.claims import Claim
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.occupancy import departures
from hvac_ctl.planner.phase import PhaseDecision
from hvac_ctl.planner.post_show import egress, leaving
from hvac_ctl.planner.ventilation import phase_lps


def people(ctx: Context, z: Zone, claim: Claim, at: datetime) -> float:
    e = claim.event
    if claim.phase == "tour" and isinstance(e, TourEvent):
        return float(e.group_size or ctx.occ.tour_group_size)
    if claim.phase == "get_in":
        return float(z.occupants_max) if z.kind == ZoneKind.stage else 0.0
    if claim.phase == "post_show" and isinstance(e, ShowEvent):
        return departures(leaving(ctx, z, e, at), e.end, egress(ctx), at)
    return 0.0


def reason(ctx: Context, claim: Claim) -> str:
    e = claim.event
    if claim.phase == "post_show":
        until = claim.end.astimezone(ctx.tz)
        return f"post-show after {e.id}: until back in the idle band or {until:%H:%M}"
    if claim.phase == "get_in" and isinstance(e, GetInEvent):
        return f"get-in ({e.kind}) {e.id}: loading door open, stage exhaust on"
    return f"tour {e.id}"


def decide(ctx: Context, claim: Claim, z: Zone, settings: RelaxedSettings, at: datetime
           ) -> PhaseDecision:
    n = people(ctx, z, claim, at)
    return PhaseDecision(settings.setpoint_c, tuple(settings.units), settings.fan_cap_pct, n,
                         phase_lps(z, settings.oa, n, ctx.occ), reason(ctx, claim))
