"""The simulator's shortcuts give the answers of the long way round (nothing here is timed).

`Activity` indexes the scenario by time, so a step looks only at what can act at its instant;
it is checked against the plain computation over the whole scenario.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from hvac_ctl.model import Config
from hvac_ctl.simulation import building_spec
from simulator.building import BuildingSpec
from simulator.loads import EGRESS, INTERVAL, NEVER, Activity, loading_door_open, utc_us, zone_loads
from simulator.scenario import Period, Scenario, Show, Tour

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")  # summer time from 01:00 UTC on 28 March 2027
ROUTE = ("auditorium", "stage", "pit")


@pytest.fixture(scope="module")
def spec(config: Config) -> BuildingSpec:
    return building_spec(config)


def busy_days(tz: ZoneInfo, first: datetime, days: int) -> Scenario:
    """A show every evening, matinees, a tour most mornings, get-ins and a door left open
    (given with a fixed offset, as a scenario file gives it). Times are wall-clock times."""
    shows, tours, get_ins = [], [], []
    for d in range(days):
        day = first + timedelta(days=d)

        def at(hour: float, day: datetime = day) -> datetime:
            return day.replace(tzinfo=tz) + timedelta(hours=hour)

        shows.append(Show(f"eve-{d}", at(18.75), at(19.5), at(22.25), 1900 + 50 * d,
                          live_orchestra=d % 2 == 0, late_fraction=0.1, late_minutes=10))
        if d % 2:
            shows.append(Show(f"mat-{d}", at(13.25), at(14), at(16.75), 1500, house_lights=True))
        tours.append(Tour(at(10.5), at(11.5), ROUTE))
        if d % 3 == 0:
            get_ins.append(Period(at(7), at(9.5)))
        if d == 2:  # from 01:30 at night: in London, an hour skipped or repeated on 28 March
            get_ins += [Period(at(1.5), at(3)),  # and 31 October
                        Period(at(1.5).replace(fold=1), at(3))]
    door_tz = timezone(first.replace(tzinfo=tz).utcoffset() or timedelta())
    door = Period(first.replace(tzinfo=door_tz) + timedelta(hours=15),
                  first.replace(tzinfo=door_tz) + timedelta(hours=16, minutes=7))
    return Scenario(tuple(shows), tuple(tours), tuple(get_ins), (door,))


def instants(scenario: Scenario, tz: ZoneInfo, first: datetime, days: int) -> list[datetime]:
    """Every 7 minutes, and every edge of every window with a microsecond either side."""
    start = first.replace(tzinfo=tz)
    out = [start + timedelta(minutes=7 * k) for k in range(days * 24 * 60 // 7)]
    edges = [e for s in scenario.shows for e in (
        s.doors_open - timedelta(hours=1), s.doors_open, s.curtain, s.end,
        s.end + EGRESS, s.end + EGRESS + INTERVAL)]
    edges += [e for p in (*scenario.get_ins, *scenario.doors_open) for e in (p.start, p.end)]
    edges += [e for tour in scenario.tours for e in (tour.start, tour.end)]
    us = timedelta(microseconds=1)
    return out + [e + d for e in edges for d in (-us, 0 * us, us)]


@pytest.mark.parametrize(("tz", "first"), [(SHANGHAI, datetime(2027, 7, 1)),
                                           (LONDON, datetime(2027, 3, 26)),
                                           (LONDON, datetime(2027, 10, 29))])
def test_the_index_gives_the_loads_of_the_whole_scenario(spec: BuildingSpec, tz: ZoneInfo,
                                                         first: datetime) -> None:
    scenario = busy_days(tz, first, 4)
    activity = Activity(scenario)
    idle = 0
    for t in instants(scenario, tz, first, 4):
        for when in (t, t.astimezone(UTC)):  # wall-clock and UTC comparisons alike
            acting = activity.at(when)
            assert zone_loads(spec, acting, when) == zone_loads(spec, scenario, when), when
            assert loading_door_open(acting, when) == loading_door_open(scenario, when), when
            until = activity.idle_until(when)
            if until is None:
                continue
            idle += 1
            assert not (acting.shows or acting.tours or acting.get_ins or acting.doors_open)
            if until != NEVER:  # still nothing a microsecond before the limit
                last = when + timedelta(microseconds=until - 1 - utc_us(when))
                if last.utcoffset() == when.utcoffset():
                    assert zone_loads(spec, scenario, last) == zone_loads(spec, Scenario(), last)
                    assert not loading_door_open(scenario, last)
    assert idle > 100  # the hall is quiet at night
