"""The simulator's shortcuts give the answers of the long way round (nothing here is timed).

`Activity` indexes the scenario by time, so a step looks only at what can act at its instant;
with every unit off and nothing acting, `Building.advance` takes the quiet stretch in one step;
`propagators` scales and squares the n×n blocks rather than exponentiating the 3n×3n matrix.
Each is checked against the plain computation: the whole scenario, every step 60 s, scipy's
`expm` of Van Loan's block matrix and closed forms.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from scipy.linalg import expm

from hvac_ctl.model import Config
from hvac_ctl.simulation import building_spec
from simulator import engine
from simulator.building import BuildingSpec
from simulator.engine import Building
from simulator.hall import Stream, ZoneInputs, propagators
from simulator.loads import EGRESS, INTERVAL, NEVER, Activity, loading_door_open, utc_us, zone_loads
from simulator.scenario import Period, Scenario, Show, Tour
from simulator.weather import DesignDay

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


@pytest.mark.parametrize(("tz", "first", "calendar_in_utc"), [
    (SHANGHAI, datetime(2027, 7, 1), False),
    (SHANGHAI, datetime(2027, 7, 1), True),  # as hvac_ctl gives it
    (LONDON, datetime(2027, 3, 26), False),
    (LONDON, datetime(2027, 3, 26), True),
    (LONDON, datetime(2027, 10, 29), False),
    (LONDON, datetime(2027, 10, 29), True)])
def test_the_index_gives_the_loads_of_the_whole_scenario(spec: BuildingSpec, tz: ZoneInfo,
                                                         first: datetime,
                                                         calendar_in_utc: bool) -> None:
    """... and so does the instant as `Activity.comparable` gives it."""
    scenario = busy_days(tz, first, 4)
    if calendar_in_utc:
        scenario = in_utc(scenario)
    activity = Activity(scenario)
    idle = 0
    for t in instants(scenario, tz, first, 4):
        for when in (t, t.astimezone(UTC)):  # wall-clock and UTC comparisons alike
            acting = activity.at(when)
            loads = zone_loads(spec, scenario, when)
            door = loading_door_open(scenario, when)
            assert zone_loads(spec, acting, when) == loads, when
            assert loading_door_open(acting, when) == door, when
            same = activity.comparable(when)  # in UTC if the calendar is
            assert utc_us(same) == utc_us(when)  # (`==` is False in a gap or a fold)
            assert same.tzinfo is (UTC if calendar_in_utc else when.tzinfo)
            assert zone_loads(spec, acting, same) == loads, when
            assert loading_door_open(acting, same) == door, when
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


def _run(spec: BuildingSpec, scenario: Scenario, start: datetime, quiet: bool,
         on: list[tuple[datetime, datetime]], chunks: list[timedelta], ledger: bool = True,
         ) -> tuple[Building, list]:
    b = Building(spec, scenario, DesignDay.summer(SHANGHAI), start, initial_c=26.0,
                 quiet_steps=quiet, ledger=ledger)
    seen = []
    for dt in chunks:
        running = any(a <= b.now < z for a, z in on)
        for unit, u in spec.units.items():
            b.write(unit, "enable", running)
            if running and "mode" in u.points:
                b.write(unit, "mode", "cool")
                b.write(unit, "setpoint", 23.0)
                b.write(unit, "oa_damper_min", 20.0)
        b.advance(dt)
        seen.append(_reading(b))
    return b, seen


def _reading(b: Building) -> dict[str, float]:
    out: dict[str, float] = {}
    for zone in b.spec.zones:
        r = b.reading(zone)
        out |= {f"{zone}.temp": r.temp_c, f"{zone}.mass": b.hall.mass_temp(zone),
                f"{zone}.w": b.hall.w(zone), f"{zone}.co2": r.co2_ppm, f"{zone}.people": r.people,
                f"{zone}.running": len(r.units_running)}
    for unit in b.spec.units:
        for point in ("supply_temp", "fan_status", "cooling_kwh", "heating_kwh", "reheat_kwh",
                      "fan_kwh"):
            if point in b.spec.units[unit].points:
                out[f"{unit}.{point}"] = float(b.read(unit, point))
    return out


def in_utc(scenario: Scenario) -> Scenario:
    """As `hvac_ctl.simulation.calendar_scenario` gives it: every instant in UTC."""
    def utc(t: datetime) -> datetime:
        return t.astimezone(UTC)

    return Scenario(
        tuple(replace(s, doors_open=utc(s.doors_open), curtain=utc(s.curtain), end=utc(s.end))
              for s in scenario.shows),
        tuple(replace(t, start=utc(t.start), end=utc(t.end)) for t in scenario.tours),
        tuple(Period(utc(p.start), utc(p.end)) for p in scenario.get_ins),
        tuple(Period(utc(p.start), utc(p.end)) for p in scenario.doors_open))


@pytest.mark.parametrize(("tz", "first", "clock", "calendar_in_utc"), [
    (SHANGHAI, datetime(2027, 7, 1), SHANGHAI, False),
    (SHANGHAI, datetime(2027, 7, 1), SHANGHAI, True),  # as hvac_ctl gives it
    (LONDON, datetime(2027, 3, 27), LONDON, False),  # over the night summer time begins
    (LONDON, datetime(2027, 3, 27), UTC, False),  # a clock in UTC against a London calendar
])
def test_a_quiet_stretch_in_one_step_is_what_60_s_steps_give(
    spec: BuildingSpec, tz: ZoneInfo, first: datetime, clock: ZoneInfo, calendar_in_utc: bool,
) -> None:
    """Two show days, the units on around each show only, read every hour or so: the quiet
    stretches in one step give the states, the stopped units' supply temperatures, the meters
    and the energy balance of 60 s steps."""
    scenario = busy_days(tz, first, 2)
    if calendar_in_utc:
        scenario = in_utc(scenario)
    start = first.replace(tzinfo=tz).astimezone(clock)
    on = [(s.doors_open - timedelta(hours=2), s.end + timedelta(minutes=15))
          for s in scenario.shows]
    # hours, a 7-hour night, and odd lengths that end between two 60 s steps
    chunks = [timedelta(hours=7)] + [timedelta(minutes=67)] * 20 + [timedelta(hours=1)] * 18
    quick, fast = _run(spec, scenario, start, True, on, chunks)
    slow, plain = _run(spec, scenario, start, False, on, chunks)
    assert quick.now == slow.now
    assert quick.steps < slow.steps * 0.7  # the shortcut was taken
    for k, (a, b) in enumerate(zip(fast, plain, strict=True)):
        for key, value in b.items():
            tol = 1e-3 if key.endswith(".co2") else 1e-9 if key.endswith(".w") else 1e-6
            assert a[key] == pytest.approx(value, abs=tol), (k, key)
    for zone, led in quick.hall.ledger.items():
        other = slow.hall.ledger[zone]
        flows = (abs(led.gains) + abs(led.supply) + abs(led.outdoor) + abs(led.neighbours)
                 + abs(led.surroundings))
        assert abs(led.imbalance) <= 1e-6 * flows, (zone, led)
        for path in ("gains", "supply", "outdoor", "neighbours", "surroundings", "stored"):
            assert getattr(led, path) == pytest.approx(getattr(other, path), rel=1e-9, abs=1.0)


def _two_show_days() -> tuple[Scenario, datetime, list[tuple[datetime, datetime]],
                            list[timedelta]]:
    """Two summer show days, units on from two hours before doors to a quarter after the
    end, advanced in uneven 67-minute calls."""
    scenario = busy_days(SHANGHAI, datetime(2027, 7, 1), 2)
    on = [(s.doors_open - timedelta(hours=2), s.end + timedelta(minutes=15))
          for s in scenario.shows]
    return scenario, datetime(2027, 7, 1, tzinfo=SHANGHAI), on, [timedelta(minutes=67)] * 43


def test_without_a_ledger_the_building_moves_the_same(spec: BuildingSpec) -> None:
    """`ledger=False` (the season's evaluation) skips only the books: two show days, units on
    around the shows, give the very same states, supply temperatures and meters."""
    scenario, start, on, chunks = _two_show_days()
    kept, with_books = _run(spec, scenario, start, True, on, chunks)
    none, without = _run(spec, scenario, start, True, on, chunks, ledger=False)
    assert with_books == without
    assert kept.steps == none.steps > 400
    assert none.hall.ledger == {} and all(led.gains for led in kept.hall.ledger.values())


def test_units_alike_take_each_others_step_as_their_own(
        spec: BuildingSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stalls' three units, alike, follow the first one's step: the states, supply
    temperatures and meters are those of each unit working its own loop out."""
    scenario, start, on, chunks = _two_show_days()
    followed, seen = _run(spec, scenario, start, True, on, chunks)
    alike = engine._units_alike
    monkeypatch.setattr(engine, "_units_alike", lambda units, ahus: [
        (u, a, exhaust, None) for u, a, exhaust, _ in alike(units, ahus)])
    own, worked = _run(spec, scenario, start, True, on, chunks)
    assert [r[3] for r in followed._zone_rows[0][3]].count(None) == 0  # three alike
    assert [r[3] for r in own._zone_rows[0][3]].count(None) == 3
    assert seen == worked
    assert followed.energy("ahu-aud-3").cooling_kwh > 0


def test_a_running_unit_keeps_the_60_s_steps(spec: BuildingSpec) -> None:
    b = Building(spec, Scenario(), DesignDay.summer(SHANGHAI),
                 datetime(2027, 7, 1, tzinfo=SHANGHAI))
    b.write("exh-stage", "enable", True)  # the exhaust brings outdoor air in
    b.advance(timedelta(hours=2))
    assert b.steps == 120
    b.write("exh-stage", "enable", False)
    b.advance(timedelta(hours=2))
    assert b.steps == 122  # all of it but the last minute, then the last minute


def test_a_quiet_stretch_stops_where_a_show_begins(spec: BuildingSpec) -> None:
    """Loads start an hour before the doors: from there on, 60 s steps."""
    start = datetime(2027, 7, 1, 12, tzinfo=SHANGHAI)
    doors = start + timedelta(hours=3, seconds=20)  # not on a step's boundary
    show = Show("s", doors, doors + timedelta(minutes=45), doors + timedelta(hours=3), 2000)
    b = Building(spec, Scenario((show,)), DesignDay.summer(SHANGHAI), start)
    b.advance(timedelta(hours=3))
    # the step over 13:59:00 reads its loads at 13:59:30, quiet; the next at 14:00:30 does not
    assert b.steps == 2 + 60


def test_a_quiet_stretch_over_the_night_summer_time_ends(spec: BuildingSpec) -> None:
    """A clock in London time steps by its wall clock (fold 0), so the UTC hour from 01:00
    is skipped; a door given at +01:00 opens after it: no quiet step may run into it."""
    plus_one = timezone(timedelta(hours=1))
    door = Period(datetime(2027, 10, 31, 3, 30, tzinfo=plus_one),
                  datetime(2027, 10, 31, 5, tzinfo=plus_one))
    start = datetime(2027, 10, 30, 22, tzinfo=LONDON)
    temps = []
    for quiet in (True, False):
        b = Building(spec, Scenario(doors_open=(door,)), DesignDay.winter(LONDON), start,
                     quiet_steps=quiet)
        b.advance(timedelta(hours=8))
        temps.append((b.hall.temp("stage"), b.hall.co2("stage"), b.hall.w("stage")))
    assert temps[0] == pytest.approx(temps[1], abs=1e-6)
    assert temps[1][0] < 21.0  # the door was open: −5 °C outside


def _van_loan(a: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = a.shape[0]
    big = np.zeros((3 * n, 3 * n))
    big[:n, :n], big[:n, n:2 * n], big[n:2 * n, 2 * n:] = a, np.eye(n), np.eye(n)
    e = expm(big * h)
    return e[:n, :n], e[:n, n:2 * n], e[:n, 2 * n:]


@pytest.mark.parametrize("h", [0.5, 20.0, 60.0, 61.7, 900.0, 3540.0])
@pytest.mark.parametrize("running", [False, True])
def test_the_propagators_are_van_loans_blocks(spec: BuildingSpec, h: float,
                                              running: bool) -> None:
    b = Building(spec, Scenario(), DesignDay.summer(SHANGHAI),
                 datetime(2027, 7, 1, tzinfo=SHANGHAI))
    air = [Stream(8.0, 18.0, 0.008, 0.2)] if running else []
    inputs = {"auditorium": ZoneInputs(streams=air * 3),
              "stage": ZoneInputs(streams=air, outdoor_exchange_m3_per_s=9.0),
              "pit": ZoneInputs(streams=[Stream(1.9, 18.0, 0.008, 0.2)] if running else [])}
    a = b.hall.matrix(inputs)
    for ours, theirs in zip(propagators(a, h), _van_loan(a, h), strict=True):
        assert np.abs(ours - theirs).max() <= 1e-12 * np.abs(theirs).max()


@pytest.mark.parametrize("h", [1.0, 60.0, 3600.0, 86400.0, 40 * 86400.0])
def test_the_propagators_of_uncoupled_nodes_are_the_closed_forms(h: float) -> None:
    """x' = λx + b: e^(λh), (e^(λh) − 1)/λ and (e^(λh) − 1 − λh)/λ² (h and h²/2 at λ = 0).
    The fastest node sets the squarings (19 for 40 days), each doubling the slow nodes'
    relative rounding error: 1e-10."""
    rates = np.array([0.0, -1e-7, -3e-5, -2e-3, -0.05, 1e-6])
    phi, g1, g2 = propagators(np.diag(rates), h)
    for k, lam in enumerate(rates):
        z = lam * h
        if lam == 0:
            want = (1.0, h, h * h / 2)
        else:
            want = (math.exp(z), math.expm1(z) / lam,
                    # the series where e^z − 1 − z cancels
                    h * h * sum(z ** j / math.factorial(j + 2) for j in range(30))
                    if abs(z) < 0.1 else (math.expm1(z) - z) / (lam * lam))
        assert phi[k, k] == pytest.approx(want[0], rel=1e-10, abs=1e-300)
        assert g1[k, k] == pytest.approx(want[1], rel=1e-10)
        assert g2[k, k] == pytest.approx(want[2], rel=1e-10)
    assert np.count_nonzero(phi - np.diag(np.diagonal(phi))) == 0
