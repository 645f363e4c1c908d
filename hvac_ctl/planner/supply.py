"""A zone's setpoint allows for how its air is supplied (the study's section 2.2).

- Under-seat displacement supply (opera, drama, concert hall) treats the audience's load
  where it arises but blows on legs: people feel cooler than the air temperature says, so
  the setpoint is raised by the season's displacement offset.
- Overhead mixing supply (the multi-functional theatre's "top supply, top return") blows on
  heads: warm in summer, cold in winter; its offsets lower the setpoint in cooling seasons and
  raise it in heating ones.
The offsets are the venue's `supply_offsets` (by season name, or by the season's mode), with
defaults drawn from the study's qualitative guidance (`model.site.DEFAULT_SUPPLY_OFFSETS`). A
zone that names no `supply` gets none: a one-hall file plans as it always did. The other half
of the rule — displacement air never colder than the zone's floor at the feet — is the
units' own supply limit, checked against the zone's `supply_floor_c` when the file loads.
"""

from __future__ import annotations

from hvac_ctl.planner.context import Context


def offset_k(ctx: Context, zone: str, season: str) -> float:
    return ctx.venue.supply_offset_k(zone, season, ctx.season(season).mode)


def why(ctx: Context, zone: str, k: float) -> str:
    supply = ctx.venue.zones[zone].supply
    return f"; {k:+g} K for its {supply} supply"
