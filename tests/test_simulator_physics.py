"""The sanity checks of reference-data.md, against the in-process simulator."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hvac_ctl.model import Config
from hvac_ctl.simulation import building_spec, calendar_scenario
from simulator.building import RHO_CP, BuildingSpec, ZoneSpec
from simulator.engine import Building, PointRefused, door_exchange_m3_per_s
from simulator.hall import Hall, Stream, ZoneInputs
from simulator.loads import SEATED, ZoneLoads
from simulator.psychro import humidity_ratio
from simulator.scenario import Scenario, Show
from simulator.weather import DesignDay, Outdoor

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2027, 7, 1, 12, tzinfo=SHANGHAI)
AUD = ("ahu-aud-1", "ahu-aud-2", "ahu-aud-3")


class Constant:
    def __init__(self, temp_c: float = 24.0, rh: float = 50.0) -> None:
        self.out = Outdoor(temp_c, humidity_ratio(temp_c, rh))

    def at(self, t: datetime) -> Outdoor:
        return self.out


@pytest.fixture(scope="module")
def spec(config: Config) -> BuildingSpec:
    return building_spec(config)


def test_step_response_follows_the_analytic_exponential() -> None:
    """Sanity check 1: a one-node zone, gains and AHUs off: T∞ + (T0 − T∞)·e^(−t/RC)."""
    c, ua, t_inf, t_start = 96e6, 5.2e3, 18.0, 26.0
    zone = ZoneSpec("z", "auditorium", 1600, 16000, 2000, fast_capacitance_j_per_k=c,
                    mass_surroundings_w_per_k=ua)
    b = Building(BuildingSpec({"z": zone}, {}, surroundings_c=t_inf), Scenario(), Constant(),
                 T0, initial_c=t_start)
    worst = 0.0
    for k in range(1, 24 * 60 + 1):
        b.advance(timedelta(minutes=1))
        exact = t_inf + (t_start - t_inf) * math.exp(-60 * k / (c / ua))
        worst = max(worst, abs(b.hall.temp("z") - exact))
    assert worst < 0.01
    assert b.hall.temp("z") < t_start - 1  # it did move: RC is 5.1 h


def test_any_step_up_to_60_s_gives_the_same_answer(spec: BuildingSpec) -> None:
    runs = []
    for step in (5, 20, 60):
        b = Building(spec, Scenario(), Constant(30.0), T0, max_step=timedelta(seconds=step))
        for u in AUD:
            b.write(u, "enable", True)
            b.write(u, "setpoint", 20.0)
        b.advance(timedelta(hours=2))
        runs.append(b.hall.temp("auditorium"))
    assert max(runs) - min(runs) < 0.05


def test_energy_balance_closes_over_a_show_day(config: Config, spec: BuildingSpec) -> None:
    """Sanity check 2: stored = gains + AHU supply + outdoor + neighbours + surroundings."""
    tz = config.venue.venue.tz
    start = datetime(2026, 12, 5, tzinfo=tz)
    b = Building(spec, calendar_scenario(config, date(2026, 12, 4), date(2026, 12, 6)),
                 DesignDay.winter(tz), start)
    for unit in spec.units:
        b.write(unit, "enable", True)
        if "setpoint" in spec.units[unit].points:
            b.write(unit, "setpoint", 21.0)
            b.write(unit, "mode", "heat")
            b.write(unit, "oa_damper_min", 30.0)
    b.advance(timedelta(days=1))
    for zone, led in b.hall.ledger.items():
        flows = (abs(led.gains) + abs(led.supply) + abs(led.outdoor) + abs(led.neighbours)
                 + abs(led.surroundings))
        assert flows > 1e8, zone  # a day of real heat flows, not an idle model
        assert abs(led.imbalance) <= 1e-3 * flows, (zone, led)


def test_co2_steady_state(spec: BuildingSpec) -> None:
    """Sanity check 3: constant N and outdoor air Q: C∞ = C_out + N·G/Q within 1 %."""
    hall = Hall({"auditorium": spec.zones["auditorium"]}, 22.0)
    hall.set_state("auditorium", 22.0, 0.008, 420.0)
    n, g, q = 1500, 0.00414e-3, 6.0
    inputs = {"auditorium": ZoneInputs(co2_m3_per_s=n * g,
                                       streams=[Stream(q, 22.0, 0.008, 1.0)])}
    for _ in range(24 * 60):
        hall.step(60, inputs, 22.0, 0.008, 420.0)
    expected = 420 + n * g / q * 1e6
    assert hall.co2("auditorium") == pytest.approx(expected, rel=0.01)


def _sit_down(spec: BuildingSpec, minutes: int) -> Building:
    show = Show("s", T0 - timedelta(hours=1), T0 - timedelta(minutes=30), T0 + timedelta(hours=3),
                2000, live_orchestra=False)
    b = Building(spec, Scenario((show,)), Constant(), T0, initial_c=24.0)
    b.advance(timedelta(minutes=minutes))
    return b


def test_two_thousand_people_sit_down_with_the_ahus_off(spec: BuildingSpec) -> None:
    """Sanity check 4: +0.4 … 1.5 K in 10 min; CO2 ~250–300 ppm in 10 min."""
    b = _sit_down(spec, 10)
    assert b.loads["auditorium"].people == pytest.approx(2000)
    assert 0.4 <= b.hall.temp("auditorium") - 24.0 <= 1.5
    # 2000 × 0.0038 L/s × 1.09 at room temperature: 310 ppm in 10 min (~300 in the reference)
    assert 250 <= b.hall.co2("auditorium") - 420 <= 320


def test_minimum_outdoor_air_gives_about_1400_ppm_with_a_50_minute_constant(
    spec: BuildingSpec,
) -> None:
    """Sanity check 5: 2.7 L/s·person: steady ΔCO2 ≈ 1,400 ppm, τ ≈ 50 min."""
    hall = Hall({"auditorium": spec.zones["auditorium"]}, 22.0)
    hall.set_state("auditorium", 22.0, 0.008, 420.0)
    q = 2.7e-3 * 2000
    inputs = {"auditorium": ZoneInputs(co2_m3_per_s=2000 * 0.00414e-3,
                                       streams=[Stream(q, 22.0, 0.008, 1.0)])}
    history = []
    for _ in range(8 * 60):
        hall.step(60, inputs, 22.0, 0.008, 420.0)
        history.append(hall.co2("auditorium") - 420)
    steady = history[-1]
    assert 1350 <= steady <= 1600  # 1,533 with the room-temperature factor, 1,407 without
    tau = next(i + 1 for i, d in enumerate(history) if d >= steady * (1 - math.exp(-1)))
    assert 45 <= tau <= 55


def test_precool_on_full_recirculation(spec: BuildingSpec) -> None:
    """Sanity check 6: one AHU ~49 kW at 24 → 19 °C supply; 1 K: ~11 min on the air node,
    20–40 min counting the mass."""
    one = spec.units["ahu-aud-1"]
    assert RHO_CP * one.airflow_m3_per_s * (24 - 19) == pytest.approx(49e3, rel=0.03)
    fast_only = spec.zones["auditorium"].fast_capacitance_j_per_k / (
        3 * RHO_CP * one.airflow_m3_per_s * 5)
    assert 9 * 60 <= fast_only <= 13 * 60

    supply_19 = {n: replace(u, supply_min_c=19.0) for n, u in spec.units.items()}
    b = Building(replace(spec, units=supply_19), Scenario(), Constant(24.0), T0,
                 initial_c=24.0)
    for u in AUD:
        b.write(u, "enable", True)
        b.write(u, "setpoint", 15.0)
        b.write(u, "oa_damper_min", 0.0)
    minutes = 0
    while b.hall.temp("auditorium") > 23.0:
        b.advance(timedelta(minutes=1))
        minutes += 1
        assert minutes < 120
    assert 20 <= minutes <= 40
    assert 18.9 <= b.ahus["ahu-aud-1"].supply_temp <= 19.5 + 0.1  # plus the fan's heat


def test_three_hundred_people_are_a_change_the_model_shows(spec: BuildingSpec) -> None:
    """Sanity check 7: 300 people ≈ ±21 kW sensible and ±1.1 L/s CO2, and the zone shows it."""
    loads = ZoneLoads()
    loads.add_people(300, SEATED)
    assert loads.convective_w + loads.radiant_w == pytest.approx(21e3)
    co2_lps = loads.people * spec.co2_per_person_lps
    assert co2_lps == pytest.approx(1.1, rel=0.15)  # 1.24: ×1.09 at room temperature
    warm = {}
    for n in (1700, 2000):
        show = Show("s", T0 - timedelta(hours=1), T0 - timedelta(minutes=30),
                    T0 + timedelta(hours=3), n, live_orchestra=False)
        b = Building(spec, Scenario((show,)), Constant(), T0, initial_c=24.0)
        b.advance(timedelta(minutes=30))
        warm[n] = (b.hall.temp("auditorium"), b.hall.co2("auditorium"))
    assert warm[2000][0] - warm[1700][0] > 0.05
    assert warm[2000][1] - warm[1700][1] > 50


def test_the_loading_door_exchange_matches_the_reference() -> None:
    assert door_exchange_m3_per_s(24.0, 34.0) == pytest.approx(5.0, rel=0.1)
    assert door_exchange_m3_per_s(20.0, -10.0) == pytest.approx(11.0, rel=0.1)


def test_a_lower_setpoint_cools_and_a_higher_one_warms(spec: BuildingSpec) -> None:
    temps = {}
    for setpoint in (20.0, 26.0):
        b = Building(spec, Scenario(), Constant(30.0), T0, initial_c=23.0)
        for u in AUD:
            b.write(u, "enable", True)
            b.write(u, "setpoint", setpoint)
            b.write(u, "mode", "cool" if setpoint < 23 else "heat")
        b.advance(timedelta(hours=3))
        temps[setpoint] = b.hall.temp("auditorium")
    assert temps[20.0] < 21.0 and temps[26.0] > 25.0


def test_units_in_cool_mode_never_heat(spec: BuildingSpec) -> None:
    b = Building(spec, Scenario(), Constant(10.0), T0, initial_c=18.0)
    b.write("ahu-aud-1", "enable", True)
    b.write("ahu-aud-1", "setpoint", 24.0)
    b.write("ahu-aud-1", "mode", "cool")
    b.advance(timedelta(hours=1))
    assert b.energy("ahu-aud-1").heating_kwh == 0.0
    assert b.energy("ahu-aud-1").fan_kwh == pytest.approx(15.0, rel=1e-6)  # 1 h at full speed


def test_fan_power_follows_the_cube_of_speed(spec: BuildingSpec) -> None:
    b = Building(spec, Scenario(), Constant(), T0)
    b.write("ahu-aud-2", "enable", True)
    b.write("ahu-aud-2", "fan_speed_max", 50.0)
    b.advance(timedelta(hours=1))
    assert b.energy("ahu-aud-2").fan_kwh == pytest.approx(15.0 * 0.5 ** 3, rel=1e-6)


@pytest.mark.parametrize(("point", "value"), [("setpoint", 35.0), ("setpoint", 10.0),
                                              ("oa_damper_min", 101.0), ("fan_speed_max", 5.0),
                                              ("setpoint", float("nan")), ("mode", "auto"),
                                              ("zone_temp", 20.0)])
def test_out_of_range_writes_are_refused(spec: BuildingSpec, point: str, value: object) -> None:
    b = Building(spec, Scenario(), Constant(), T0)
    before = b.read("ahu-aud-1", point)
    with pytest.raises(PointRefused):
        b.write("ahu-aud-1", point, value)  # type: ignore[arg-type]
    assert b.read("ahu-aud-1", point) == before or point == "zone_temp"


def test_a_day_in_process_is_deterministic(config: Config, spec: BuildingSpec) -> None:
    start = datetime(2026, 12, 5, tzinfo=config.venue.venue.tz)
    plot = calendar_scenario(config, date(2026, 12, 4), date(2026, 12, 6))
    finals = []
    for _ in range(2):
        b = Building(spec, plot, DesignDay.winter(config.venue.venue.tz), start)
        b.advance(timedelta(days=1))
        finals.append((b.hall.temp("stage"), b.hall.co2("auditorium")))
    assert finals[0] == finals[1]
    assert start.astimezone(UTC).tzinfo is UTC
