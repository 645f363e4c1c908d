"""The audience's CO2 flushed as it leaves, sized from the measured CO2 and who is in."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hvac_ctl.model.venue import Occupancy
from hvac_ctl.planner.purge import BACK, SAMPLES, TOLERANCE_LPS, bound, co2_at, purge_air

OCC = Occupancy(co2_margin_ppm=75)  # the shipped venue's: the ceiling is 925 ppm
CEILING = OCC.co2_limit_ppm - OCC.co2_margin_ppm
HALL_M3 = 16000.0
EGRESS = timedelta(minutes=20)


def stepped(c0: float, people: float, lps: float, t: timedelta) -> float:
    """The same balance, integrated in half-second steps."""
    c, dt = c0, 0.5
    gen = OCC.co2_per_person_lps / 1000 / HALL_M3 * 1e6
    span = EGRESS.total_seconds()
    for k in range(int(t.total_seconds() / dt)):
        n = people * max(0.0, 1 - (k + 0.5) * dt / span)
        c += (n * gen - lps / 1000 / HALL_M3 * (c - OCC.outdoor_co2_ppm)) * dt
    return c


@pytest.mark.parametrize("lps", [0.0, 4000.0, 12000.0])
def test_the_closed_form_is_the_balance_of_a_crowd_leaving(lps: float) -> None:
    for minutes in (5, 20, 35):
        t = timedelta(minutes=minutes)
        assert co2_at(960, 1785, EGRESS, lps, HALL_M3, OCC, t) == pytest.approx(
            stepped(960, 1785, lps, t), abs=0.5)


def test_a_hall_at_its_ceiling_is_held_there_as_they_leave_and_falls() -> None:
    """1,785 people in 16,000 m³ at 925 ppm: ventilating only for who is left no longer
    holds it; the purge is the air that keeps it from rising, and it falls as they go."""
    air = purge_air(925, 1785, EGRESS, HALL_M3, OCC, 40_000)
    assert air is not None and not air.capped
    assert air.peak_ppm <= CEILING + 1 and air.end_ppm < CEILING - 100
    less = co2_at(925, 1785, EGRESS, air.oa_lps - 500, HALL_M3, OCC, timedelta(minutes=1))
    assert less > CEILING  # the least that does it
    assert "CO2 925 ppm with 1785 leaving" in air.why


def test_a_hall_above_its_ceiling_is_brought_back_under_it_within_five_minutes() -> None:
    air = purge_air(990, 1785, EGRESS, HALL_M3, OCC, 40_000)
    assert air is not None and not air.capped
    assert co2_at(990, 1785, EGRESS, air.oa_lps, HALL_M3, OCC, BACK) <= CEILING + 1
    for minutes in range(1, 21):  # and never rises on the way
        t = timedelta(minutes=minutes)
        assert co2_at(990, 1785, EGRESS, air.oa_lps, HALL_M3, OCC, t) < 990
    held = purge_air(925, 1785, EGRESS, HALL_M3, OCC, 40_000)
    assert held is not None and air.oa_lps > held.oa_lps  # the higher, the more air


def test_more_people_or_a_stuffier_hall_take_more_air_and_a_fresh_one_little() -> None:
    def lps(ppm: float, people: float) -> float:
        air = purge_air(ppm, people, EGRESS, HALL_M3, OCC, 40_000)
        assert air is not None
        return air.oa_lps

    assert lps(900, 2000) > lps(900, 1000) > lps(700, 1000)
    assert lps(600, 300) == 0.0  # the hall's volume takes what 300 people leave behind


def test_the_units_supply_caps_it_and_it_says_so() -> None:
    air = purge_air(1000, 1785, EGRESS, HALL_M3, OCC, 5000)
    assert air is not None and air.capped and air.oa_lps == 5000
    assert "all the running units take" in air.why


def test_no_purge_without_a_measurement_a_crowd_or_time_left() -> None:
    assert purge_air(None, 1785, EGRESS, HALL_M3, OCC, 40_000) is None
    assert purge_air(950, 0, EGRESS, HALL_M3, OCC, 40_000) is None
    assert purge_air(950, 1785, timedelta(0), HALL_M3, OCC, 40_000) is None


@pytest.mark.parametrize("ppm", [925.0, 960.0, 990.0])
def test_the_air_found_is_the_least_that_keeps_every_sample_within_the_bound(ppm: float) -> None:
    """Read against `co2_at` and `bound` at the search's own instants: the air found keeps
    the course within the bound at each of them, and one step of the search less does
    not (the samples and their limits are worked out once per search, not per try)."""
    air = purge_air(ppm, 1785, EGRESS, HALL_M3, OCC, 40_000)
    assert air is not None and not air.capped and air.oa_lps > TOLERANCE_LPS
    times = [EGRESS * k / SAMPLES for k in range(1, SAMPLES + 1)]

    def worst(lps: float) -> float:
        return max(co2_at(ppm, 1785, EGRESS, lps, HALL_M3, OCC, t) - bound(ppm, CEILING, t)
                   for t in times)

    assert worst(air.oa_lps) <= 0.5 < worst(air.oa_lps - TOLERANCE_LPS)
    assert air.end_ppm == co2_at(ppm, 1785, EGRESS, air.oa_lps, HALL_M3, OCC, EGRESS)
    assert air.peak_ppm == max(co2_at(ppm, 1785, EGRESS, air.oa_lps, HALL_M3, OCC, t)
                               for t in times)
