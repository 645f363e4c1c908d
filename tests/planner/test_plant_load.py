"""plant_load: a running AHU's planned coil load, and the plant's base load by hour."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hvac_ctl.config import load_config
from hvac_ctl.planner.plant_load import load_kw, unit_kw
from hvac_ctl.planner.tempering import RHO_CP_KJ
from tests.harness import ROOT, SHANGHAI, local

SITE = load_config(ROOT)
PLANT = SITE.venue.plant
assert PLANT is not None
ON = {"enable": True, "mode": "cool", "setpoint": 24.0, "oa_damper_min": 20.0,
      "fan_speed_max": 100.0}


def test_a_cooling_unit_cools_its_mixed_air_to_its_coldest_supply() -> None:
    u = SITE.venue.units["ahu-aud-1"]  # under-seat: never under 18 °C
    mixed = 0.2 * 34.0 + 0.8 * 24.0
    expected = min(RHO_CP_KJ * u.airflow_m3_per_s * (mixed - 18.0), u.cooling_kw)
    assert unit_kw(SITE.venue, "ahu-aud-1", ON, 34.0) == pytest.approx(expected)


def test_units_off_heating_or_venting_draw_no_chilled_water() -> None:
    for points in ({**ON, "enable": False}, {**ON, "mode": "heat"}, {**ON, "mode": "vent"}):
        assert unit_kw(SITE.venue, "ahu-aud-1", points, 34.0) == 0.0


def test_dehumidify_cools_deeper_and_the_coil_caps_it() -> None:
    cool = unit_kw(SITE.venue, "ahu-lobby-opera-1", ON, 30.0)
    dehum = unit_kw(SITE.venue, "ahu-lobby-opera-1", {**ON, "mode": "dehumidify"}, 30.0)
    assert dehum >= cool
    assert dehum <= SITE.venue.units["ahu-lobby-opera-1"].cooling_kw


def test_the_base_load_follows_the_local_hour() -> None:
    _, night = load_kw(SITE.venue, PLANT, {}, 20.0, local("2027-07-03 03:30"), SHANGHAI)
    _, noon = load_kw(SITE.venue, PLANT, {}, 20.0, local("2027-07-03 12:30"), SHANGHAI)
    assert (night, noon) == (PLANT.base_load_kw[3], PLANT.base_load_kw[12])


def test_a_metered_coil_stands_for_its_estimate_while_fresh_and_its_zone_s_pull() -> None:
    at = local("2027-07-03 18:00")
    units = {"ahu-aud-1": ON, "ahu-aud-2": ON}
    guessed, _ = load_kw(SITE.venue, PLANT, units, 34.0, at, SHANGHAI)
    metered = {"ahu-aud-1": (at - timedelta(minutes=2), 7.5)}
    one, _ = load_kw(SITE.venue, PLANT, units, 34.0, at, SHANGHAI, measured=metered)
    assert one == pytest.approx(guessed / 2 + 7.5)  # the two are alike: half the guess each
    stale = {"ahu-aud-1": (at - timedelta(minutes=30), 7.5)}
    assert load_kw(SITE.venue, PLANT, units, 34.0, at, SHANGHAI, measured=stale)[0] == guessed
    # a precooling zone's pull estimate gives way to its metered coils
    pulled, _ = load_kw(SITE.venue, PLANT, units, 34.0, at, SHANGHAI, {"auditorium": 500.0})
    assert pulled == 500.0
    both = {u: (at, 40.0) for u in units}
    assert load_kw(SITE.venue, PLANT, units, 34.0, at, SHANGHAI, {"auditorium": 500.0},
                   both)[0] == 80.0
    # a unit the plan has off or heating draws nothing, whatever its meter last said
    off = {"ahu-aud-1": {**ON, "enable": False}}
    assert load_kw(SITE.venue, PLANT, off, 34.0, at, SHANGHAI, measured=both)[0] == 0.0


def test_a_precooling_zone_metered_in_part_counts_its_other_coils_by_their_estimate() -> None:
    at = local("2027-07-03 18:00")
    units = {"ahu-aud-1": ON, "ahu-aud-2": ON}
    one = unit_kw(SITE.venue, "ahu-aud-1", ON, 34.0)
    for order in (units, dict(reversed(units.items()))):  # whichever comes first
        got, _ = load_kw(SITE.venue, PLANT, order, 34.0, at, SHANGHAI, {"auditorium": 500.0},
                         {"ahu-aud-2": (at, 40.0)})
        assert got == pytest.approx(one + 40.0)
