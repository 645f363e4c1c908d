"""The audience leaving: the show's units keep ventilating for who is still in the hall.

Post-show runs fewer units with relaxed setpoints, but for its first `egress_min` the hall is
still full of people on their way out, breathing. Cutting to one unit at minimum outdoor air
at the last bow lets CO2 climb over the limit as they leave (to about 1,060 ppm in the
simulated autumn show). So while people remain, a zone that ran for the show keeps the show's
units and fan speed, with outdoor air for the people still in (ASHRAE 62.1, and what holds
CO2 under the limit); the post-show's setpoint applies from the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hvac_ctl.model.seasons import PostShowSettings, ShowSettings
from hvac_ctl.model.venue import Occupancy, Zone
from hvac_ctl.planner.occupancy import departures
from hvac_ctl.planner.ventilation import occupied_lps

STEP = timedelta(minutes=5)  # the air follows the people out in such steps


@dataclass(frozen=True)
class EgressAir:
    units: list[str]
    fan_cap_pct: float
    oa_lps: float
    why: str


def steps(end: datetime, egress: timedelta) -> list[datetime]:
    """The instants the egress air changes at."""
    n = -(-egress // STEP) if egress > timedelta(0) else 0
    return [end + k * STEP for k in range(n + 1)]


def egress_air(zone: Zone, count: int, end: datetime, egress: timedelta, at: datetime,
               show: ShowSettings, post: PostShowSettings, occ: Occupancy) -> EgressAir | None:
    """The units and air at `at` while the `count` who saw the show leave evenly over
    `egress` from `end`; None once they are gone. Each step ventilates for the people
    still in at its start, so the air never falls short of who is there."""
    if at < end:
        return None
    start = end + (at - end) // STEP * STEP
    people = departures(count, end, egress, start)
    if people <= 0:
        return None
    units = list(dict.fromkeys([*show.units, *post.units]))
    return EgressAir(units, max(show.fan_cap_pct, post.fan_cap_pct),
                     occupied_lps(zone, people, occ),
                     f"{people:.0f} people still leaving: the show's units ventilate for them")
