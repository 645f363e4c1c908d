"""Free cooling: outdoor air as the cooling when it is cold enough (a supervised economiser).

A zone warmer than its target by more than `above_k` (0.5 K; in precool 0.05 K, since precool
is there to land on its target: stopping 0.5 K above it leaves a winter hall stalled on the
edge of curtain-ready) whose units run may take outdoor air at least 2 K colder than itself,
beyond its ventilation need, up to the share that mixes down to the units' coldest allowed
supply — more would only have to be heated back up. (Aiming higher, where a unit's loop would
put its supply near the target, does not get the hall there: its mass, warmer than the air,
feeds back as much heat as the gentler air takes.) Precool "on full return air" is there to
save energy; when the air outside is colder than the hall, opening saves more.

It stops before it would push the zone below its heating setpoint: a zone at or under it
takes no free cooling, whatever its target. In precool the outdoor air pulls alone (coils
off) until the target; otherwise it is metered in proportion to how warm the zone is, and the
units' loops temper it (see `tempering`): they hold the zone, the outdoor air saves the coil.
"""

from __future__ import annotations

from dataclasses import dataclass

COLDER_K = 2.0  # outdoor air at least this much colder than the zone
ABOVE_K = 0.5  # a zone this far above its target may take outdoor air to cool
PRECOOL_ABOVE_K = 0.05
FULL_AT_K = 1.0  # metered: all the share only this far above the target
READYING_FULL_AT_K = 0.3  # readying the hall: a steep ramp, but no damper chattering at it
HORIZON_S = 600.0  # outdoor air never pulls a zone to its target faster than this
RHO_CP = 1.2 * 1005.0  # J per m³·K of air


@dataclass(frozen=True)
class FreeCooling:
    share: float  # of the running units' supply (0…1) that may be outdoor air to cool
    alone: bool  # cold enough to mix down to the supply low limit by itself (no coil needed)


def free_cooling(zone_c: float, outdoor_c: float, target_c: float, heating_c: float,
                 supply_low_c: float, above_k: float = ABOVE_K, metered: bool = False,
                 capacity_j_per_k: float | None = None, flow_m3_per_s: float | None = None
                 ) -> FreeCooling:
    """How much outdoor air may cool a zone now.

    Outdoor air warmer than the supply low limit is taken whole (the coils cool it further:
    G36's integrated economiser, outdoor air before mechanical cooling). Colder air could
    overcool the zone by itself, so its share grows with the zone's distance above its
    target: whole `READYING_FULL_AT_K` above it while the hall is readied (a steep pull, but
    not dampers opening and shutting at every tick around the target), `FULL_AT_K` when
    `metered` — while people are in, the units' own loops hold the zone and the outdoor air
    is given as they need it. And never more than brings the zone to its target within
    `HORIZON_S` by its whole heat capacity (air and structure), when the caller gives it:
    a small zone given all of a big unit's outdoor air can fall 3 K between two ticks."""
    alone = outdoor_c <= supply_low_c
    if zone_c <= target_c + above_k or zone_c <= heating_c:
        return FreeCooling(0.0, alone)
    if outdoor_c >= zone_c - COLDER_K:
        return FreeCooling(0.0, alone)
    share = min(1.0, max(0.0, (zone_c - supply_low_c) / (zone_c - outdoor_c)))
    if alone:
        share *= min(1.0, (zone_c - target_c) / (FULL_AT_K if metered else READYING_FULL_AT_K))
    if capacity_j_per_k and flow_m3_per_s:
        # no faster than to the target within the horizon, by the zone's heat capacity: all of
        # a big unit's free cooling takes a 420 m³ pit 2 K under its target in five minutes
        most_w = capacity_j_per_k * (zone_c - target_c) / HORIZON_S
        full_w = RHO_CP * flow_m3_per_s * share * (zone_c - outdoor_c)
        if full_w > most_w:
            share *= most_w / full_w
    return FreeCooling(share, alone)
