"""The `economiser` sequence: outdoor air before the coils, metered while people are in."""

from __future__ import annotations

import pytest

from hvac_ctl.planner.economiser import FULL_AT_K, READYING_FULL_AT_K, free_cooling


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
