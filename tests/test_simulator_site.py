"""The simulator runs a site: public zones under the glass and the lake, units that read
their own corner of a big space, and, left to their own thermostats, fight.

Real physics on the test site of bench/_site.py (the root's venue plus a public hall, the
Olive Hall and a lake corridor); the protocol servers on loopback sockets.
"""

from __future__ import annotations

import asyncio
import socket
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pymodbus.client import AsyncModbusTcpClient

from bench._site import Site, site_venue
from bench._venues import free_ports
from hvac_ctl.config import load_config
from hvac_ctl.simulation import building_spec, calendar_scenario
from simulator.building import BuildingSpec
from simulator.engine import Building, PointRefused
from simulator.exposure import glass_irradiance, lake_c, sun_altitude_deg
from simulator.loads import zone_loads
from simulator.psychro import humidity_ratio
from simulator.public import MODE_NAMES, opposition
from simulator.runner import SimulatedBuilding
from simulator.scenario import Scenario
from simulator.weather import DesignDay, Ripple
from tests.harness import bacnet_client

TZ = ZoneInfo("Asia/Shanghai")
SPRING = Ripple(DesignDay(26.0, 10.0, humidity_ratio(8.0, 100.0), TZ), 2.5, timedelta(hours=2))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, BuildingSpec]:
    s = site_venue(tmp_path_factory.mktemp("site") / "venue")
    return s, building_spec(load_config(s.folder))


def _sun_w(spec: BuildingSpec, at: datetime) -> float:
    """The public hall's solar gain over one minute's step from `at`."""
    b = Building(spec, Scenario(), DesignDay.winter(TZ), at)
    b.advance(timedelta(minutes=1))
    assert b.site is not None
    pz = b.site.zones["public-hall-1"]
    return pz.solar_fast_w + pz.solar_mass_w


def test_the_sun_is_zero_at_night_and_stronger_at_summer_noon_than_winter_noon(
        site: tuple[Site, BuildingSpec]) -> None:
    _, spec = site
    night = _sun_w(spec, datetime(2027, 6, 21, 0, 30, tzinfo=TZ))
    summer = _sun_w(spec, datetime(2027, 6, 21, 12, 0, tzinfo=TZ))
    winter = _sun_w(spec, datetime(2027, 12, 21, 12, 0, tzinfo=TZ))
    assert night == 0.0
    assert summer > winter > 0
    # 3,000 m² × ~600 W/m² × 0.3 at a summer noon
    assert 300e3 < summer < 700e3
    # solar noon at the solstice: 90 − 39.9 + 23.45 (Beijing's solar noon is ~12:14 local)
    noon = datetime(2027, 6, 21, 12, 14, tzinfo=TZ)
    assert sun_altitude_deg(noon, 39.9, 116.4) == pytest.approx(73.55, abs=0.5)
    assert glass_irradiance(datetime(2027, 6, 21, 22, tzinfo=TZ), 39.9, 116.4) == 0.0


def test_the_lake_corridor_follows_the_lake_more_than_the_air(
        site: tuple[Site, BuildingSpec]) -> None:
    _, spec = site
    weather = DesignDay.winter(TZ)  # −9.9 … −2.9 °C
    b = Building(spec, Scenario(), weather, datetime(2027, 2, 4, tzinfo=TZ), initial_c=20.0)
    b.advance(timedelta(days=4))
    air_mean = weather.peak_c - weather.swing_k / 2
    lake = lake_c(b.now)
    corridor = b.hall.temp("corridor-1")
    assert lake - air_mean > 8
    assert abs(corridor - lake) < 1.5, (corridor, lake)
    assert abs(corridor - lake) < abs(corridor - air_mean) / 5


def _run(spec: BuildingSpec, s: Site, independent: bool, mode: str = "cool",
         hours: int = 8) -> Building:
    """The public units on from 06:00 on a spring day, setpoint 23 °C, 20 % outdoor air."""
    b = Building(spec, Scenario(), SPRING, datetime(2027, 4, 14, 6, tzinfo=TZ),
                 independent_thermostats=independent)
    for u in s.public_units:
        b.write(u, "enable", True)
        b.write(u, "setpoint", 23.0)
        b.write(u, "oa_damper_min", 20.0)
        b.write(u, "mode", mode)
    b.advance(timedelta(hours=hours))
    return b


def test_independent_thermostats_fight_in_the_sun_and_one_commanded_mode_does_not(
        site: tuple[Site, BuildingSpec]) -> None:
    s, spec = site
    noon = datetime(2027, 4, 14, 12, tzinfo=TZ)
    own = _run(spec, s, independent=True)
    assert own.site is not None
    readings = [float(own.read(u, "zone_temp")) for u in s.public_units
                if own.spec.units[u].zone == "public-hall-1"]
    assert max(readings) - min(readings) > 1.0  # the glass's units read warmer
    fight = opposition(own.site, noon, noon + timedelta(hours=1))["opera-public-1"]
    assert fight.minority_unit_hours > 0.5
    assert fight.both_unit_hours > fight.minority_unit_hours
    # they ignore the commanded mode: some heat although every one was told to cool
    assert any(MODE_NAMES[c] == "heat" for _, _, codes in own.site.history for c in codes)

    told = _run(spec, s, independent=False)
    assert told.site is not None
    calm = opposition(told.site, noon, noon + timedelta(hours=1))
    assert all(o.minority_unit_hours == 0 and o.hours == 0 for o in calm.values())
    assert {MODE_NAMES[c] for _, _, codes in told.site.history for c in codes} == {"cool"}


def test_the_energy_balance_of_an_exposed_zone_closes(site: tuple[Site, BuildingSpec]) -> None:
    s, spec = site
    b = _run(spec, s, independent=True, hours=24)
    for zone in s.public_zones:
        led = b.hall.ledger[zone]
        flows = sum(abs(v) for v in (led.gains, led.supply, led.outdoor, led.surroundings,
                                     led.envelope, led.neighbours))
        assert led.envelope != 0.0
        assert abs(led.imbalance) < 1e-6 * flows, (zone, led)


def test_dehumidify_cools_the_coil_and_reheats_whatever_the_humidity(
        site: tuple[Site, BuildingSpec]) -> None:
    _, spec = site
    runs = {}
    for mode in ("cool", "dehumidify"):
        b = Building(spec, Scenario(), SPRING, datetime(2027, 4, 14, 6, tzinfo=TZ),
                     initial_rh=58.0)
        unit = "ahu-corridor-1-1"
        for k, v in (("enable", True), ("setpoint", 22.0), ("mode", mode)):
            b.write(unit, k, v)
        b.advance(timedelta(minutes=30))
        runs[mode] = (b.energy(unit).reheat_kwh, b.hall.w("corridor-1"))
    assert runs["cool"][0] == 0.0  # 58 % RH: cooling does not dehumidify
    assert runs["dehumidify"][0] > 0.0
    assert runs["dehumidify"][1] < runs["cool"][1]
    hall = Building(spec, Scenario(), SPRING, datetime(2027, 4, 14, tzinfo=TZ))
    with pytest.raises(PointRefused, match="not cool, heat or vent"):
        hall.write("ahu-pit", "mode", "dehumidify")  # a hall unit has three modes


def test_the_site_is_served_many_modbus_ids_on_one_port_and_bacnet_devices(
        site: tuple[Site, BuildingSpec]) -> None:
    s, spec = site
    modbus = [u for u in s.public_units if spec.units[u].protocol == "modbus"]
    bacnet = [u for u in s.public_units if spec.units[u].protocol == "bacnet"]
    assert len(modbus) >= 10 and len(bacnet) == 2
    assert {spec.units[u].port for u in modbus} == {s.modbus_port}

    async def body() -> tuple[list[float], list[str], str]:
        sim = SimulatedBuilding(spec, Scenario(), SPRING, datetime(2027, 4, 14, 11, tzinfo=TZ))
        await sim.start()
        try:
            for u in s.public_units:
                sim.building.write(u, "enable", True)
            await sim.advance(timedelta(minutes=5))
            c = AsyncModbusTcpClient("127.0.0.1", port=s.modbus_port, timeout=2, retries=0)
            assert await c.connect()
            temps = []
            try:
                for u in modbus:
                    rr = await c.read_input_registers(0, count=2, device_id=spec.units[u].device_id)
                    assert not rr.isError(), (u, rr)
                    temps.append(float(c.convert_from_registers(
                        rr.registers, AsyncModbusTcpClient.DATATYPE.FLOAT32)))
                last = spec.units[modbus[-1]].device_id
                assert not (await c.write_register(7, 4, device_id=last)).isError()
            finally:
                c.close()
            app = bacnet_client(_free_udp())
            try:
                for u in bacnet:
                    dev = f"127.0.0.1:{spec.units[u].port}"
                    await app.write_property(dev, "multi-state-value,1", "present-value", 2,
                                             None, 12)
            finally:
                app.close()
            modes = [str(sim.building.commands(u).mode) for u in bacnet]
            return temps, modes, str(sim.building.commands(modbus[-1]).mode)
        finally:
            await sim.close()

    temps, modes, last_mode = asyncio.run(asyncio.wait_for(body(), timeout=60))
    assert all(10 < t < 35 for t in temps)
    assert len(set(round(t, 3) for t in temps)) > 1  # the units read their own corners
    assert modes == ["heat", "heat"]
    assert last_mode == "dehumidify"



def _free_udp() -> int:
    return free_ports(socket.SOCK_DGRAM, 1)[0]


def test_an_audience_crowds_its_halls_public_areas_before_doors_at_the_interval_and_after(
        site: tuple[Site, BuildingSpec]) -> None:
    s, spec = site
    config = load_config(s.folder)
    day = date(2026, 12, 5)  # Tosca: doors 19:00, curtain 19:30, end 22:30
    plot = calendar_scenario(config, day, day + timedelta(days=1))
    (show,) = [x for x in plot.shows if x.id == "tosca-2026-12-05"]
    assert show.hall == "main"

    def foyers(t: datetime) -> dict[str, float]:
        loads = zone_loads(spec, plot, t)
        return {z: loads[z].people for z in s.public_zones}

    middle = show.curtain + (show.end - show.curtain) / 2
    before = foyers(show.doors_open - timedelta(minutes=5))
    during = foyers(show.curtain + timedelta(minutes=30))
    interval = foyers(middle + timedelta(minutes=10))
    leaving = foyers(show.end + timedelta(minutes=10))
    afternoon = foyers(show.doors_open - timedelta(hours=3))
    assert before["public-hall-1"] > 100 and leaving["public-hall-1"] > 100
    assert sum(interval.values()) == pytest.approx(show.attendance * 0.5)
    assert interval["public-hall-1"] == pytest.approx(4 * interval["olive-hall-1"])  # by area
    assert sum(during.values()) == 0 and sum(afternoon.values()) == 0
    assert before["corridor-1"] == 0  # its group serves no hall
    b = Building(spec, plot, DesignDay.winter(TZ), middle)
    b.advance(timedelta(minutes=10))
    assert b.site is not None
    pz = b.site.zones["olive-hall-1"]
    crowded = pz.infiltration(b.reading("olive-hall-1").people)
    assert pz.infiltration_m3_per_s < crowded <= 2 * pz.infiltration_m3_per_s


def test_a_sites_show_fills_its_own_hall_and_crowds_its_foyers_only() -> None:
    """The default site on an evening: the opera's audience sits in the opera house, not in
    the concert hall; its get-in's crew works on its own stage; its foyers fill."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from hvac_ctl.config import load_config
    from hvac_ctl.simulation import building_spec
    from simulator.loads import zone_loads
    from simulator.scenario import Period, Scenario, Show
    from tests.harness import ROOT

    spec = building_spec(load_config(ROOT))
    tz = ZoneInfo("Asia/Shanghai")
    doors = datetime(2026, 12, 12, 18, 45, tzinfo=tz)
    show = Show("tosca", doors, doors + timedelta(minutes=45), doors + timedelta(hours=4), 2000,
                hall="opera-house")
    get_in = Period(doors - timedelta(hours=8), doors - timedelta(hours=4), "drama-theatre")
    seated = zone_loads(spec, Scenario((show,), (), (get_in,)), doors + timedelta(hours=1))
    assert seated["auditorium"].people > 1500
    assert seated["concert-auditorium"].people == 0 and seated["mft-auditorium"].people == 0
    gathering = zone_loads(spec, Scenario((show,)), doors - timedelta(minutes=10))
    assert gathering["lobby-opera"].people > 100 and gathering["lobby-concert"].people == 0
    crew = zone_loads(spec, Scenario((), (), (get_in,)), doors - timedelta(hours=6))
    assert crew["drama-stage"].people > 0 and crew["stage"].people == 0
