"""The `tempering` sequence: outdoor air the units can temper, and ventilation never cut."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hvac_ctl.control.alarms import AlarmSettings, Watch, conditions
from hvac_ctl.model import Config
from hvac_ctl.planner import PlanInputs, ZoneMeasurement, plan_at
from hvac_ctl.planner.tempering import RHO_CP_KJ, temper
from tests.harness import local

AUD = ("ahu-aud-1", "ahu-aud-2", "ahu-aud-3")
SHOW = local("2026-11-03 20:30")  # Tosca, 2,100 expected, the shoulder season: mode cool


def show_state(config: Config, outdoor_c: float, zone_c: float = 23.2, co2: float = 900.0):
    m = {z: ZoneMeasurement(SHOW - timedelta(minutes=1), zone_c, 40.0, co2, True)
         for z in config.venue.zones}
    return plan_at(config, SHOW, PlanInputs(measurements=m, outdoor_air_c=outdoor_c))


def test_air_that_mixes_below_the_supply_low_limit_switches_a_cooling_zone_to_heat(
        config: Config) -> None:
    mild = show_state(config, 18.0)
    assert mild.zones["auditorium"].mode == "cool"
    cold = show_state(config, -5.0)
    aud = cold.zones["auditorium"]
    assert aud.mode == "heat"
    assert {cold.units[u]["mode"] for u in AUD} == {"heat"}
    assert "below the 18 °C supply low limit: heat, to temper it" in aud.reason


def test_ventilation_is_never_cut_for_comfort(config: Config) -> None:
    """The audience's outdoor air is the same at −5 °C as at 18 °C: the coils temper it."""
    mild, cold = show_state(config, 18.0), show_state(config, -5.0)
    for u in AUD:
        assert cold.units[u]["oa_damper_min"] == mild.units[u]["oa_damper_min"] > 50
    assert cold.zones["auditorium"].oa_lps == mild.zones["auditorium"].oa_lps


def test_the_heat_the_coils_lack_is_reported_in_kw_and_alarmed(config: Config) -> None:
    units = [config.venue.units[u] for u in AUD]
    supply = sum(u.airflow_m3_per_s * 1000 * 0.8 for u in units)  # L/s at 80 % fan
    oa = 0.95 * supply
    out = temper("cool", oa, -10.0, 23.0, True, (23.0, 23.0), units, 80.0)
    mixed = 0.95 * -10.0 + 0.05 * 23.0
    needed = sum(RHO_CP_KJ * u.airflow_m3_per_s * 0.8 * (18.0 - mixed) - u.fan_kw * 0.8 ** 3
                 for u in units)
    assert out.mode == "heat" and out.mixed_c == pytest.approx(mixed)
    assert out.shortfall_kw == pytest.approx(needed - 450.0, abs=0.1)
    assert f"heating short by {needed - 450:.0f} kW" in out.why
    # in the plan and as an alarm an operator sees
    state = show_state(config, -12.0)
    aud = state.zones["auditorium"]
    assert aud.shortfall_kw > 0 and "ventilation kept, heating short by" in aud.reason
    watch = Watch()  # short for the five minutes the alarm waits
    conditions(config, SHOW - timedelta(minutes=5), state, {}, {}, {}, [], watch,
               AlarmSettings())
    found = conditions(config, SHOW, state, {}, {}, {}, [], watch, AlarmSettings())
    short = [c for c in found if c.kind == "heating_shortfall"]
    assert [c.source for c in short] == ["auditorium"]
    assert short[0].severity == "major" and "kW" in short[0].message


def test_a_zone_below_its_target_is_not_cooled_further_by_its_air(config: Config) -> None:
    """A small pit fell 3 K in ten minutes on its ventilation air with its coil in cool (a
    show: its heating setpoint is its target)."""
    unit = config.venue.units["ahu-pit"]
    oa = 0.55 * unit.airflow_m3_per_s * 1000 * 0.8
    below = temper("cool", oa, 8.0, 22.6, True, (23.0, 23.0), [unit], 80.0)
    assert below.mode == "heat" and "cools a zone already below its heating setpoint" in below.why
    at_target = temper("cool", oa, 8.0, 23.0, True, (23.0, 23.0), [unit], 80.0)
    assert at_target.mode == "cool"  # mixes to 13.9 °C, over the pit unit's 13 °C limit
    unknown = temper("cool", oa, 8.0, 22.6, False, (23.0, 23.0), [unit], 80.0)
    assert unknown.mode == "cool"  # only a measured zone is known to be below its target


def test_nothing_to_temper_without_outdoor_air(config: Config) -> None:
    units = [config.venue.units[u] for u in AUD]
    assert temper("cool", 0.0, -10.0, 23.0, True, (23.0, 23.0), units, 80.0).mode == "cool"
    assert temper("vent", 5000.0, None, 23.0, True, (23.0, 23.0), units, 80.0).mode == "vent"


def test_warm_air_on_a_zone_above_its_cooling_setpoint_switches_a_heating_zone_to_cool(
        config: Config) -> None:
    """A hot spring afternoon in the heating season: the pit's 55 % outdoor air at 33 °C in
    `heat` took it from 22 °C to 28 °C in ten minutes."""
    unit = config.venue.units["ahu-pit"]
    oa = 0.55 * unit.airflow_m3_per_s * 1000 * 0.8
    warm = temper("heat", oa, 33.0, 22.4, True, (22.0, 22.0), [unit], 80.0)
    assert warm.mode == "cool" and "warms a zone already above its cooling setpoint" in warm.why
    assert temper("heat", oa, 33.0, 22.1, True, (22.0, 22.0), [unit], 80.0).mode == "heat"
    assert temper("heat", oa, 15.0, 22.4, True, (22.0, 22.0), [unit], 80.0).mode == "heat"
