"""district_heat: heating and summer reheat are district hot water, capped by each coil's
rating, never electric demand; the exchangers' shortfall said."""

from __future__ import annotations

import pytest

from hvac_ctl.config import load_config
from hvac_ctl.planner import PlanInputs, plan_at
from hvac_ctl.planner.district_heat import heat_kw, unit_heat_kw
from hvac_ctl.planner.plant_load import DEHUMIDIFY_COIL_C
from hvac_ctl.planner.tempering import RHO_CP_KJ
from tests.harness import ROOT, local
from tests.site import with_plant

SITE = load_config(ROOT)
PLANT = SITE.venue.plant
assert PLANT is not None
ON = {"enable": True, "setpoint": 21.0, "oa_damper_min": 0.0, "fan_speed_max": 50.0}


def test_a_dehumidifying_unit_reheats_from_its_coil_to_its_coldest_supply() -> None:
    u = SITE.venue.units["ahu-lobby-opera-1"]
    expected = min(RHO_CP_KJ * u.airflow_m3_per_s * 0.5 * (u.supply_limits_c[0]
                                                          - DEHUMIDIFY_COIL_C), u.heating_kw)
    got = unit_heat_kw(SITE.venue, "ahu-lobby-opera-1", {**ON, "mode": "dehumidify"}, 30.0)
    assert got == pytest.approx(expected) and got > 0


def test_heating_is_capped_by_the_coil_and_cooling_or_off_asks_none() -> None:
    u = SITE.venue.units["ahu-lobby-opera-1"]
    assert unit_heat_kw(SITE.venue, "ahu-lobby-opera-1", {**ON, "mode": "heat",
                                                          "fan_speed_max": 100.0,
                                                          "oa_damper_min": 100.0},
                        -20.0) == u.heating_kw
    for points in ({**ON, "mode": "cool"}, {**ON, "mode": "heat", "enable": False}):
        assert unit_heat_kw(SITE.venue, "ahu-lobby-opera-1", points, -5.0) == 0.0


def test_the_exchangers_shortfall_is_said_and_reheat_adds_no_electric_demand() -> None:
    units = {n: {**ON, "mode": "heat", "fan_speed_max": 100.0, "oa_damper_min": 100.0}
             for n, u in SITE.venue.units.items() if u.kind.value == "ahu"}
    total, short = heat_kw(SITE.venue, PLANT, units, -20.0)
    assert total > 0 and short == pytest.approx(max(0.0, total - PLANT.heat_exchanger_kw))
    small = PLANT.model_copy(update={"heat_exchanger_kw": total / 2})
    assert heat_kw(SITE.venue, small, units, -20.0)[1] == pytest.approx(total / 2)
    # a winter evening: the plan's heat is district heat, and free cooling leaves no chiller
    at = local("2027-01-15 19:00")
    plant = plan_at(with_plant(SITE), at, PlanInputs(outdoor_air_c=-8.0,
                                                     outdoor_rh_pct=40.0)).plant
    assert plant is not None and plant.heat_kw > 0 and plant.electric_kw == 0
