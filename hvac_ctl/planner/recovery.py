"""The closed loop: a zone that stays out of its band while people are in it is acted on.

Planned setpoints are not enough when the hall does not follow them: a coil short of
capacity, outdoor air colder than expected, a crowd warmer than planned. In a tour, a get-in
or a show, a zone more than `outside_band_k` outside its heating–cooling band for
`after_min` (kept by the caller as a `Deviation`) makes the planner act without anyone's
override:

- too cold: the zone's units heat, every unit of the zone runs (more coil, more air to
  spread the outdoor air over), no outdoor air beyond ventilation is taken to cool, and a
  running exhaust slows to its minimum (in a get-in its make-up air is the winter drawn in
  through the loading door; at its minimum it still clears the dust);
- too warm: the zone's units cool (unless its outdoor air must be tempered, which then cools
  it as far as the low limit allows) and every unit of the zone runs.

Ventilation itself is never cut (see `tempering`). The action lasts until the caller ends the
deviation: once the zone is back inside its band itself, not merely within the tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from hvac_ctl.model.venue import RecoveryConfig
from hvac_ctl.planner.inputs import Deviation, Mode


@dataclass(frozen=True)
class Recovery:
    mode: Mode
    stage_all: bool  # run every unit of the zone, not only the phase's
    economiser: bool  # may outdoor air beyond ventilation still cool the zone?
    exhaust_min: bool  # running exhausts at their minimum speed
    why: str


def recovery(deviation: Deviation | None, band_c: tuple[float, float], measured_c: float | None,
             at: datetime, settings: RecoveryConfig, tz: tzinfo) -> Recovery | None:
    """What the zone's units do to bring it back, or None while nothing is due."""
    if deviation is None or at - deviation.since < timedelta(minutes=settings.after_min):
        return None
    since = deviation.since.astimezone(tz)
    now = f"{measured_c:.1f} °C, " if measured_c is not None else ""
    if deviation.side == "cold":
        return Recovery("heat", True, False, True,
                        f"closed loop: {now}below the heating setpoint {band_c[0]:.1f} °C "
                        f"since {since:%H:%M}: heat with every unit, no free cooling, "
                        "exhausts at their minimum")
    return Recovery("cool", True, True, False,
                    f"closed loop: {now}above the cooling setpoint {band_c[1]:.1f} °C "
                    f"since {since:%H:%M}: cool with every unit")
