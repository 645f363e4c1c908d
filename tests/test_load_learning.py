"""The LoadLearner: the coils' metered loads against the plan's estimate of the same units,
followed over hours, each sample bounded; nothing learned from too little cooling, or from
readings gone stale; the plan's plant load then carries the ratio."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hvac_ctl.config import load_config
from hvac_ctl.control.load_learning import BOUNDS, TAU, LoadLearner
from hvac_ctl.planner import PlanInputs, plan_at
from hvac_ctl.planner.plant_load import unit_kw
from tests.harness import ROOT, local

SITE = load_config(ROOT)
AT = local("2027-07-03 19:30")
SUMMER = PlanInputs(outdoor_air_c=31.0, outdoor_rh_pct=55.0)


def cooling(state):  # type: ignore[no-untyped-def]
    return {u: unit_kw(SITE.venue, u, p, 31.0) for u, p in state.units.items()
            if u in SITE.venue.units and unit_kw(SITE.venue, u, p, 31.0) > 0}


def test_the_ratio_follows_what_the_coils_meter_over_hours() -> None:
    state = plan_at(SITE, AT, SUMMER)
    planned = cooling(state)
    assert sum(planned.values()) > 100
    learner = LoadLearner()
    metered = {u: (AT, kw * 1.4) for u, kw in planned.items()}  # the coils draw 40 % more
    learner.observe(SITE, state, metered, 31.0, AT)
    assert learner.ratio == pytest.approx(1.4)  # the first sample is taken whole
    t = AT
    for _ in range(6):  # an hour of ticks metering 1.0, each 10 min of a 6 h time constant
        t += timedelta(minutes=10)
        learner.observe(SITE, state, {u: (t, kw) for u, kw in planned.items()}, 31.0, t)
    assert 1.0 < learner.ratio < 1.4 and learner.ratio == pytest.approx(
        1 + 0.4 * (1 - 1 / 36) ** 6, rel=1e-6)
    assert timedelta(hours=6) == TAU  # the arithmetic above assumes it


def test_stale_readings_too_little_cooling_and_wild_samples_teach_little() -> None:
    state = plan_at(SITE, AT, SUMMER)
    planned = cooling(state)
    learner = LoadLearner()
    learner.observe(SITE, state, {u: (AT - timedelta(hours=1), 5 * kw)
                                  for u, kw in planned.items()}, 31.0, AT)
    assert learner.ratio == 1.0  # an hour old: not a reading of now
    small = min(planned, key=lambda u: planned[u])
    assert planned[small] < 100
    t = AT + timedelta(minutes=1)
    learner.observe(SITE, state, {small: (t, 5 * planned[small])}, 31.0, t)
    assert learner.ratio == 1.0  # one small unit: too little cooling to learn from
    t += TAU  # a whole time constant since the last tick: the sample taken whole
    learner.observe(SITE, state, {u: (t, 50 * kw) for u, kw in planned.items()}, 31.0, t)
    assert learner.ratio == pytest.approx(BOUNDS[1])  # a wild sample is held to its bound


def test_the_plan_carries_the_ratio_into_the_plant_s_load() -> None:
    plain = plan_at(SITE, AT, SUMMER).plant
    scaled = plan_at(SITE, AT, PlanInputs(outdoor_air_c=31.0, outdoor_rh_pct=55.0,
                                          plant_load_ratio=1.5)).plant
    assert plain is not None and scaled is not None
    assert scaled.coils_kw > plain.coils_kw * 1.2 and scaled.base_kw == plain.base_kw
