"""Internal loads of each zone at an instant: people by activity, lights, orchestra, machinery.

Numbers from ../shared/docs/reference-data.md (ASHRAE Fundamentals 2021 ch. 18): seated
audience 70 W sensible / 35 W latent, entering or leaving 75 / 60 W, musicians 75 / 55 W,
performers and crew 90 / 160 W. About 60 % of people's sensible heat is radiant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from simulator.building import BuildingSpec, ZoneSpec
from simulator.scenario import Scenario, Show

SEATED = (70.0, 35.0)
WALKING = (75.0, 60.0)
MUSICIAN = (75.0, 55.0)
STAGE_CREW = (90.0, 160.0)
PEOPLE_RADIANT = 0.6
ENTERING = timedelta(minutes=10)  # someone who just came in is still walking, not seated
EGRESS = timedelta(minutes=20)
STAGE_LIGHTING_W = 250_000.0  # connected; LED-heavy rig with some tungsten
LIGHT_TO_ZONE = 0.5  # the rest is taken at the fixtures
LIGHT_RADIANT = 0.5
HOUSE_LIGHTS_W = 20_000.0
DARK_HOUSE_W = 2_000.0
MACHINERY_W = 30_000.0
STAND_LIGHTS_W = 3_000.0
GET_IN_CREW = 40
WORK_LIGHT = 0.1
INTERVAL = timedelta(minutes=20)


@dataclass
class ZoneLoads:
    convective_w: float = 0.0
    radiant_w: float = 0.0
    latent_w: float = 0.0
    people: float = 0.0

    def add_people(self, n: float, per_person: tuple[float, float]) -> None:
        if n <= 0:
            return
        sensible, latent = per_person
        self.convective_w += n * sensible * (1 - PEOPLE_RADIANT)
        self.radiant_w += n * sensible * PEOPLE_RADIANT
        self.latent_w += n * latent
        self.people += n

    def add_heat(self, watts: float, radiant_fraction: float = 0.0) -> None:
        self.convective_w += watts * (1 - radiant_fraction)
        self.radiant_w += watts * radiant_fraction


def _fraction(t: datetime, a: datetime, b: datetime) -> float:
    if t <= a:
        return 0.0
    if t >= b:
        return 1.0
    return (t - a) / (b - a)


def arrived(show: Show, t: datetime) -> float:
    """People through the doors by `t`: on time between doors and curtain, late after it."""
    on_time = show.attendance * (1 - show.late_fraction)
    late = show.attendance * show.late_fraction
    n = on_time * _fraction(t, show.doors_open, show.curtain)
    if late > 0:
        n += late * _fraction(t, show.curtain,
                              show.curtain + timedelta(minutes=show.late_minutes))
    return n


def audience(show: Show, t: datetime) -> tuple[float, float]:
    """(seated, walking) people in the hall at `t`."""
    if t < show.doors_open or t >= show.end + EGRESS:
        return 0.0, 0.0
    if t >= show.end:
        return 0.0, show.attendance * (1 - _fraction(t, show.end, show.end + EGRESS))
    inside = arrived(show, t)
    walking = inside - arrived(show, t - ENTERING)
    return inside - walking, walking


def _stage_light_share(show: Show, t: datetime) -> float:
    """A cue profile: preset while doors are open, full acts, dim interval, work light after."""
    if show.doors_open <= t < show.curtain:
        return 0.2
    if show.curtain <= t < show.end:
        middle = show.curtain + (show.end - show.curtain) / 2
        return 0.15 if middle <= t < middle + INTERVAL else 0.75
    if show.end <= t < show.end + timedelta(minutes=30):
        return WORK_LIGHT
    return 0.0


def zone_loads(spec: BuildingSpec, scenario: Scenario, t: datetime) -> dict[str, ZoneLoads]:
    out = {name: ZoneLoads() for name in spec.zones}
    for name, zone in spec.zones.items():
        _zone(out[name], zone, scenario, t)
    return out


def _zone(loads: ZoneLoads, zone: ZoneSpec, scenario: Scenario, t: datetime) -> None:
    for show in scenario.shows:
        if not (show.doors_open - timedelta(hours=1) <= t < show.end + EGRESS + INTERVAL):
            continue
        if zone.kind == "auditorium":
            seated, walking = audience(show, t)
            loads.add_people(seated, SEATED)
            loads.add_people(walking, WALKING)
            lit = show.house_lights or not (show.curtain <= t < show.end)
            if show.doors_open <= t < show.end + EGRESS:
                loads.add_heat(HOUSE_LIGHTS_W if lit else DARK_HOUSE_W, 0.5)
        elif zone.kind == "stage":
            if show.doors_open - timedelta(minutes=30) <= t < show.end + timedelta(minutes=15):
                loads.add_people(zone.occupants_max, STAGE_CREW)
                loads.add_heat(MACHINERY_W * 0.3)
            share = _stage_light_share(show, t)
            loads.add_heat(STAGE_LIGHTING_W * LIGHT_TO_ZONE * share, LIGHT_RADIANT)
        elif zone.kind == "pit" and show.live_orchestra and (
                show.curtain - timedelta(minutes=15) <= t < show.end):
            loads.add_people(zone.occupants_max, MUSICIAN)
            loads.add_heat(STAND_LIGHTS_W)
    if zone.kind == "stage":
        for period in scenario.get_ins:
            if period.holds(t):
                loads.add_people(GET_IN_CREW, STAGE_CREW)
                loads.add_heat(MACHINERY_W)
                loads.add_heat(STAGE_LIGHTING_W * LIGHT_TO_ZONE * WORK_LIGHT, LIGHT_RADIANT)
    for tour in scenario.tours:
        if zone.name in tour.route and tour.start <= t < tour.end:
            leg = (tour.end - tour.start) / len(tour.route)
            k = tour.route.index(zone.name)
            if tour.start + k * leg <= t < tour.start + (k + 1) * leg:
                loads.add_people(tour.group, WALKING)


def loading_door_open(scenario: Scenario, t: datetime) -> bool:
    return any(p.holds(t) for p in (*scenario.get_ins, *scenario.doors_open))
