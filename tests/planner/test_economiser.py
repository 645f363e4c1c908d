"""The `economiser` sequence: outdoor air before the coils, metered while people are in."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hvac_ctl.planner import PlanInputs, ZoneMeasurement, plan_at, plan_day
from hvac_ctl.planner.economiser import FULL_AT_K, READYING_FULL_AT_K, free_cooling
from tests.harness import AUD, SUMMER_SHOW, local, summer


def test_air_warmer_than_the_low_limit_is_taken_whole_with_the_coils_cooling_it_further(
        ) -> None:
    free = free_cooling(26.0, 19.0, 24.0, 24.0, 18.0)
    assert free.share == 1.0 and not free.alone


def test_colder_air_mixes_down_to_the_low_limit_and_is_metered_while_people_are_in() -> None:
    readying = free_cooling(22.6, -5.0, 21.5, 21.5, 18.0, above_k=0.05)
    full = (22.6 - 18.0) / (22.6 + 5.0)
    assert readying.alone and readying.share == pytest.approx(full)  # 1.1 K above: whole
    near = free_cooling(21.6, -5.0, 21.5, 21.5, 18.0, above_k=0.05)
    assert near.share == pytest.approx((21.6 - 18) / 26.6 * 0.1 / READYING_FULL_AT_K)
    metered = free_cooling(22.0, -5.0, 21.5, 21.5, 18.0, above_k=0.05, metered=True)
    assert metered.share == pytest.approx((22.0 - 18) / 27.0 * 0.5 / FULL_AT_K)


def test_no_free_cooling_at_the_target_at_the_heating_setpoint_or_from_warm_air() -> None:
    assert free_cooling(24.4, 10.0, 24.0, 24.0, 18.0).share == 0  # within 0.5 K of the show's
    assert free_cooling(24.0, 10.0, 22.0, 24.0, 18.0).share == 0  # at its heating setpoint
    assert free_cooling(24.0, 22.5, 22.0, 20.0, 18.0).share == 0  # not 2 K colder


def test_a_small_zone_is_not_pulled_to_its_target_faster_than_the_horizon() -> None:
    """The pit (2.5 MJ/K of air) and its 1.6 m³/s unit: at −1 °C outside, the whole share
    would take 20 kW out of it — 2 K in five minutes; capped, it reaches its target in ten."""
    from hvac_ctl.planner.economiser import HORIZON_S, RHO_CP

    free = free_cooling(23.4, -1.0, 23.0, 23.0, 13.0, above_k=0.05)
    capped = free_cooling(23.4, -1.0, 23.0, 23.0, 13.0, above_k=0.05,
                          capacity_j_per_k=2.5e6, flow_m3_per_s=1.56)
    pulled_w = RHO_CP * 1.56 * capped.share * (23.4 + 1.0)
    assert pulled_w == pytest.approx(2.5e6 * 0.4 / HORIZON_S)
    assert capped.share < free.share / 5
    hall = free_cooling(23.4, -1.0, 23.0, 23.0, 18.0, above_k=0.05,
                        capacity_j_per_k=646e6, flow_m3_per_s=24.0)
    assert hall.share == free_cooling(23.4, -1.0, 23.0, 23.0, 18.0, above_k=0.05).share


def test_a_warm_hall_is_cooled_by_outdoor_air_when_it_is_colder(make_config) -> None:
    """An economiser, supervised: beyond the ventilation need, the share of outdoor air that
    brings the mix down to the units' coldest supply (18 °C under the seats)."""
    cfg = make_config(SUMMER_SHOW.replace("2027-07-10", "2027-01-10") % {
        "n": 2000, "live": "true", "lights": "false"})
    show = plan_day(cfg, date(2027, 1, 10)).shows[0]
    at = show.precool_start["auditorium"] + timedelta(minutes=5)
    warm = {"auditorium": ZoneMeasurement(at - timedelta(minutes=1), 22.6, 30.0, 450.0, True)}
    shut = plan_at(cfg, at, PlanInputs(measurements=warm))  # outdoor air unknown
    assert shut.zones["auditorium"].phase == "precool"
    assert all(shut.units[u]["oa_damper_min"] == 0 for u in AUD)
    cold = plan_at(cfg, at, PlanInputs(measurements=warm, outdoor_air_c=-5.0))
    share = (22.6 - 18.0) / (22.6 + 5.0)
    assert all(cold.units[u]["oa_damper_min"] == pytest.approx(100 * share, abs=0.1)
               for u in AUD)
    assert "free cooling" in cold.zones["auditorium"].reason
    mild = plan_at(cfg, at, PlanInputs(measurements=warm, outdoor_air_c=21.0))  # not colder
    assert all(mild.units[u]["oa_damper_min"] == 0 for u in AUD)
    # outdoor air that mixes down to the supply low limit by itself is the cooling: the coils
    # stay off (vent), or the units' loops would heat the mix back up near the target
    assert all(cold.units[u]["mode"] == "vent" for u in AUD)
    assert "coils off" in cold.zones["auditorium"].reason
    # not cold enough outside: 1.1 K above its precool target, the hall is pulled down by its
    # coils, a January day or not
    assert all(mild.units[u]["mode"] == "cool" for u in AUD)
    assert "pulled down: cool" in mild.zones["auditorium"].reason


def test_precool_free_cools_down_to_its_target_and_other_phases_keep_a_margin(
        make_config) -> None:
    """Stopping 0.5 K above the precool target left a winter hall on the edge of
    curtain-ready: the dampers shut and it drifted back up."""
    cfg = make_config(SUMMER_SHOW.replace("2027-07-10", "2027-01-10") % {
        "n": 2000, "live": "true", "lights": "false"})
    show = plan_day(cfg, date(2027, 1, 10)).shows[0]
    target = show.precool_target_c["auditorium"]
    at = show.precool_start["auditorium"] + timedelta(minutes=5)

    def oa(at, temp_c: float) -> float:
        m = {"auditorium": ZoneMeasurement(at - timedelta(minutes=1), temp_c, 30.0, 450.0,
                                           True)}
        return plan_at(cfg, at, PlanInputs(measurements=m, outdoor_air_c=-5.0)
                       ).units["ahu-aud-1"]["oa_damper_min"]

    assert oa(at, target + 0.1) > 0  # precool: still pulling
    assert oa(at, target) == 0  # there: dampers shut
    curtain = local("2027-01-10 19:45")
    show_setpoint = plan_at(cfg, curtain).zones["auditorium"].setpoint_c
    idle_oa = plan_at(cfg, local("2027-01-10 03:00")).units["ahu-aud-1"]["oa_damper_min"]
    # in the show the economiser waits for 0.5 K: the audience's air is ventilated anyway
    assert oa(curtain, show_setpoint + 0.3) == oa(curtain, show_setpoint)
    assert idle_oa == 0


def test_summer_free_cooling_keeps_the_coils_in_cooling(make_config) -> None:
    cfg = summer(make_config)
    show = plan_day(cfg, date(2027, 7, 10)).shows[0]
    at = show.precool_start["auditorium"] + timedelta(minutes=5)
    warm = {"auditorium": ZoneMeasurement(at - timedelta(minutes=1), 26.0, 50.0, 450.0, True)}
    night = plan_at(cfg, at, PlanInputs(measurements=warm, outdoor_air_c=19.0))
    assert "free cooling" in night.zones["auditorium"].reason
    assert all(night.units[u]["mode"] == "cool" for u in AUD)

