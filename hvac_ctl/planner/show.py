"""The show: doors open to the end, held steady on the live seat count.

The strategy: "hold steady, avoid swings the audience would notice; watch the live seat
occupancy, and re-adjust only when the count moves more than 15 % from the count that was
last acted on; after curtain-up, move back from the precool setpoint to the show setpoint".

- Setpoint: the season's show setpoint, moved by the audience (`occupancy_gain_k` at a full
  house) and lowered when the house lights are up. Until curtain-up the precool target is
  held; after it the setpoint moves back in 5-minute steps over `settle_min`.
- People: the count acted on (`occupancy`); while doors are open at least the arrival ramp,
  since counts are partial. The pit runs only with a live orchestra.
- Outdoor air: shut until the opening time (`precool.opening`), then the phase's `oa`
  setting for the people in (62.1 and what holds CO2 under the limit).
- Fans: while doors are open an auditorium runs at precool's speed if it is faster —
  nothing is performed yet that a fan could disturb.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.model.seasons import Season, ShowSettings, ZoneSeason
from hvac_ctl.model.venue import Zone, ZoneKind
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.occupancy import arrivals, plays
from hvac_ctl.planner.phase import PhaseDecision
from hvac_ctl.planner.ventilation import phase_lps

SETTLE_STEP = timedelta(minutes=5)  # after curtain, back to the show setpoint in such steps


def show_setpoint(zone: Zone, show: ShowSettings, e: ShowEvent, count: float) -> float:
    """The season's show setpoint, moved by the audience and by house lights."""
    setpoint = show.setpoint_c
    if zone.kind == ZoneKind.auditorium and zone.seats:
        setpoint += show.occupancy_gain_k * min(1.0, count / zone.seats)
        if e.house_lights:
            setpoint -= show.house_lights_offset_k
    return setpoint


def settle_steps(show: ShowSettings) -> int:
    return -(-show.settle_min // int(SETTLE_STEP.total_seconds() // 60))


def settle_instants(season: Season, e: ShowEvent) -> list[datetime]:
    """Curtain-up and the instants the setpoint steps at after it, as long as the slowest of
    the season's zones settles: a show's state changes at these and at no other instant of
    the settle (a season that settles at once steps only at curtain)."""
    steps = max((settle_steps(zs.show) for zs in season.zones.values() if zs.show is not None),
                default=0)
    return [e.curtain + k * SETTLE_STEP for k in range(steps + 1)]


def decide(ctx: Context, zone: str, z: Zone, zs: ZoneSeason, e: ShowEvent, at: datetime,
           precool_target: float | None, opens: datetime | None) -> PhaseDecision:
    """The show at `at`: setpoint, units, fan, people and outdoor air, and why."""
    assert zs.show is not None
    show = zs.show
    acted, acted_at = ctx.acted(e, at)
    count_note = (f"count {acted} acted on at {acted_at.astimezone(ctx.tz):%H:%M}"
                  if acted_at is not None else f"expected {acted}")
    if z.kind == ZoneKind.auditorium:
        # While doors are open counts are partial: ventilate for at least the arrival ramp.
        people = float(acted) if at >= e.curtain else max(
            float(acted), arrivals(e.expected_attendance, e.doors_open, e.curtain, at))
    else:
        people = float(z.occupants_max) if plays(z, e) else 0.0
    if at < e.curtain and precool_target is not None:
        setpoint = precool_target
        why = f"doors open for {e.id}: holding the precool target until curtain ({count_note})"
    else:
        setpoint = show_setpoint(z, show, e, acted)
        why = f"show {e.id} ({count_note}" + (", house lights up" if e.house_lights and
                                              z.kind == ZoneKind.auditorium else "") + ")"
        steps = settle_steps(show)
        done = int((at - e.curtain) / SETTLE_STEP) if steps else 0
        if precool_target is not None and done < steps:
            setpoint = precool_target + (setpoint - precool_target) * done / steps
            why += f"; moving back from the precool target, step {done} of {steps}"
        if not plays(z, e):
            why = f"show {e.id} without a live orchestra: pit unit off"
    if opens is not None and at < opens:
        lps = 0.0
        why += f"; outdoor air opens {opens.astimezone(ctx.tz):%H:%M}"
    else:
        lps = phase_lps(z, show.oa, people, ctx.occ)
    fan = show.fan_cap_pct
    if at < e.curtain and zs.precool is not None and z.kind == ZoneKind.auditorium:
        fan = max(fan, zs.precool.fan_cap_pct)
    return PhaseDecision(setpoint, tuple(show.units) if plays(z, e) else (), fan, people, lps,
                         why)
