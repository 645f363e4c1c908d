"""A fused hall's zones as one coordination group: one mode, one setpoint, a bounded offset.

In a fused hall (the concert hall, the multi-functional theatre) the audience wraps the stage:
one air volume. Stage and audience units that each chase their own setpoint would fight
across it, the study says, and often neither is satisfied. So the zones of a fused hall run as
one group, as ASHRAE Guideline 36 runs a zone group:

- the leader is the zone whose phase asks the most (show > get-in > precool > tour >
  post-show > idle), the audience between equals: the people who paid are the reason the hall
  is conditioned;
- every other zone takes the leader's mode, and its own setpoint clamped to within the hall's
  `stage_offset_k` of the leader's;
- it keeps its own heating–cooling band (`ZoneState.band_c`) so that the alarms can say when
  its wish and the hall's one volume part: the stage out of its band while the audience is in
  its own is a conflict named as such (`control.alarms`), not a fight between units.

Inputs: the hall's zones' decisions, each made on its own. Output: the same, coordinated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from hvac_ctl.model.venue import Venue, ZoneKind
from hvac_ctl.planner.claims import RANK
from hvac_ctl.planner.unit_points import Decision, clamp


def leader(venue: Venue, decisions: Mapping[str, Decision]) -> str:
    def rank(zone: str) -> tuple[int, bool]:
        return (RANK.get(decisions[zone].state.phase, 0),
                venue.zones[zone].kind == ZoneKind.auditorium)

    return max(decisions, key=rank)


def coordinate(venue: Venue, hall: str, decisions: Mapping[str, Decision]
               ) -> dict[str, Decision]:
    """The hall's zones' decisions with one mode and setpoints within the offset."""
    offset = venue.hall(hall).stage_offset_k
    lead = leader(venue, decisions)
    head = decisions[lead]
    sp, mode = head.state.setpoint_c, head.state.mode
    out = dict(decisions)
    for zone, d in decisions.items():
        if zone == lead:
            continue
        own = d.state.setpoint_c
        coordinated = clamp(venue.zones[zone], min(max(own, sp - offset), sp + offset))
        why = (f"; fused with {lead} in one air volume: {mode} at {coordinated:g} °C "
               f"(within {offset:g} K of its {sp:g} °C)")
        out[zone] = Decision(
            replace(d.state, mode=mode, setpoint_c=coordinated, reason=d.state.reason + why),
            replace(d.drive, unit_mode=head.drive.unit_mode))
    return out
