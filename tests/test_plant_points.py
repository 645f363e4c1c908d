"""The plant's points over real sockets: the simulator serves each chiller as it serves a unit
(one on BACnet/IP, one on Modbus TCP here), the service's poller reads `status`,
`electric_kw` and `starts` through its drivers, and its control loop writes the plan's
staging to `enable` through the safety gate, with audit; the simulated plant responds. And
the chillers' points are validated as the units' are."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from hvac_ctl.clock import ManualClock
from hvac_ctl.config import ConfigError, load_config
from hvac_ctl.control import ControlLoop, MemoryAudit, Poller
from hvac_ctl.control.gate import SafetyGate
from hvac_ctl.devices import DriverSettings, device_specs, wire_drivers
from hvac_ctl.model import Config
from hvac_ctl.planner import PlanInputs, PlanState, plan_at
from hvac_ctl.simulation import building_spec, simulator_ports
from simulator.runner import SimulatedBuilding
from simulator.scenario import Scenario
from simulator.weather import DesignDay
from tests.harness import ROOT, SHANGHAI, config_on_free_ports, free_port, run

START = datetime(2027, 7, 14, 14, 0, tzinfo=SHANGHAI)
CURVES = ROOT / "zones.yaml"


def _plant_yaml(bacnet_port: int, modbus_port: int, command_object: str = "binaryValue:1",
                setpoint_table: str = "holding") -> str:
    """Two chillers of the shipped site's kinds, one served on each protocol."""
    text = CURVES.read_text()
    york = text[text.index("      curves: &york"):text.index("      # served as the units")]
    trane = text[text.index("      curves:\n", text.index("    ch-5:")):
                 text.index("      protocol: modbus", text.index("    ch-5:"))]
    return f"""
plant:
  chw_supply_c: 7.0
  chillers:
    ch-big:
      kind: centrifugal
      capacity_kw: 3868
      cop: 6.32
      plr_min: 0.13
{york}      protocol: bacnet
      address: {{ip: "127.0.0.1:{bacnet_port}", device_id: 1301}}
      points:
        enable:       {{object: "{command_object}", type: bool}}
        chw_setpoint: {{object: "analogValue:1", type: real, units: degC, min: 5, max: 10}}
        status:       {{object: "binaryInput:1", type: bool}}
        electric_kw:  {{object: "analogInput:1", type: real, units: kW}}
        starts:       {{object: "analogInput:2", type: real}}
    ch-small:
      kind: screw
      capacity_kw: 1055
      cop: 5.05
      plr_min: 0.20
{trane}      protocol: modbus
      address: {{host: 127.0.0.1, port: {modbus_port}, device_id: 1, word_order: big}}
      points:
        enable:       {{table: holding, register: 0, type: uint16}}
        chw_setpoint: {{table: {setpoint_table}, register: 1, type: float32, min: 5, max: 10}}
        status:       {{table: input, register: 0, type: uint16}}
        electric_kw:  {{table: input, register: 1, type: float32, units: kW}}
        starts:       {{table: input, register: 3, type: uint16}}
  towers: {{approach_k: 4.0, cw_min_c: 15.0, free_cooling_below_wb_c: 5.0, free_cooling_kw: 3000}}
  heat_exchanger_kw: 8000
  peak_cap_kw: 1800
  base_load_kw: [500, 500, 500, 500, 500, 550, 650, 800, 1000, 1100, 1150, 1200,
                 1200, 1200, 1200, 1200, 1150, 1100, 1000, 900, 800, 700, 600, 550]
"""


def _hall_with_plant(tmp: Path, **plant: str) -> tuple[Path, int]:
    """The one-hall venue on free ports, with a served plant; (its folder, its client port)."""
    ports = config_on_free_ports(tmp / "config")
    taken = {*ports.bacnet.values(), *ports.modbus.values(), ports.client}
    bacnet = free_port(socket.SOCK_DGRAM, taken)
    modbus = free_port(socket.SOCK_STREAM, taken)
    zones = ports.folder / "zones.yaml"
    zones.write_text(zones.read_text() + _plant_yaml(bacnet, modbus, **plant))
    return ports.folder, ports.client


def test_the_shipped_chillers_are_devices_on_one_modbus_port() -> None:
    config = load_config(ROOT)
    specs = device_specs(config)
    chillers = [specs[n] for n in ("ch-1", "ch-2", "ch-3", "ch-4", "ch-5")]
    assert {(d.protocol, d.port) for d in chillers} == {("modbus", 5024)}
    assert sorted(d.device_id for d in chillers) == [1, 2, 3, 4, 5]
    assert {n for n, p in chillers[0].points.items() if p.command} == {"enable", "chw_setpoint"}
    needs = simulator_ports(building_spec(config))
    assert any(n.port == 5024 and "ch-1" in n.what for n in needs)


def test_the_gate_rate_limits_the_chilled_water_setpoint(tmp_path: Path) -> None:
    folder, _ = _hall_with_plant(tmp_path)
    gate = SafetyGate(load_config(folder).venue)
    now = START
    admitted = gate.admit("ch-big", "chw_setpoint", 10.0, now, 7.0, now - timedelta(minutes=2))
    assert admitted.value == pytest.approx(8.0)  # 0.5 K/min by default
    assert gate.admit("ch-big", "chw_setpoint", 2.0, now, None, None).value == 5.0  # its min
    held = gate.admit("ch-small", "enable", False, now, True, now - timedelta(minutes=3))
    assert held.value is True and "minimum on" in held.notes[0]


def _config_error(folder: Path) -> str:
    with pytest.raises(ConfigError) as e:
        load_config(folder)
    return str(e.value)


def test_a_chillers_command_on_a_sensor_object_is_refused_with_its_line(tmp_path: Path) -> None:
    folder, _ = _hall_with_plant(tmp_path, command_object="binaryInput:7")
    text = _config_error(folder)
    line = next(i for i, t in enumerate((folder / "zones.yaml").read_text().splitlines(), 1)
                if "binaryInput:7" in t)
    assert f"zones.yaml:{line}: plant.chillers.ch-big.points.enable" in text
    assert "'binaryInput' is not commandable" in text


def test_a_chillers_modbus_command_in_the_input_table_is_refused(tmp_path: Path) -> None:
    folder, _ = _hall_with_plant(tmp_path, setpoint_table="input")
    text = _config_error(folder)
    assert "plant.chillers.ch-small.points.chw_setpoint" in text
    assert "commands live in holding registers" in text


def test_a_chiller_served_half_way_is_refused(tmp_path: Path) -> None:
    folder, _ = _hall_with_plant(tmp_path)
    zones = folder / "zones.yaml"
    text = zones.read_text()
    at = text.index("      protocol: bacnet\n")
    zones.write_text(text[:at] + text[text.index("      points:", at):])  # no protocol/address
    assert "a served chiller needs protocol, address and points" in _config_error(folder)


async def _drive(folder: Path, client: int) -> None:
    config = load_config(folder)
    sim = SimulatedBuilding(building_spec(config), Scenario(), DesignDay.summer(SHANGHAI), START)
    await sim.start()
    drivers = wire_drivers(config, DriverSettings(
        timeout_s=1.0, bacnet_local=f"127.0.0.1/24:{client}", backoff_first_s=0.1,
        backoff_cap_s=0.3))
    for d in drivers.values():
        await d.start()
    clock = ManualClock(START)
    audit = MemoryAudit()
    poller = Poller(config, drivers, clock)
    plant = sim.building.plant
    assert plant is not None
    staged: list[tuple[str, ...]] = [("ch-big",)]

    def planner(c: Config, at: datetime, inputs: PlanInputs) -> PlanState:
        state = plan_at(c, at, inputs)
        assert state.plant is not None
        return replace(state, plant=replace(state.plant, running=staged[-1]))

    loop = ControlLoop(config, drivers, clock, lambda now: PlanInputs(outdoor_air_c=33.0),
                       audit, planner=planner)
    try:
        await sim.advance(timedelta(minutes=1))  # the plant's own sequence, before any command
        await poller.poll_all()
        local = {n for n, r in plant.running.items() if r}
        assert local and not plant.remote
        await loop.start()
        report = await loop.tick()
        assert not report.offline, report
        assert plant.remote and plant.enabled == {"ch-big": True, "ch-small": False}
        writes = [(r.unit, r.point, r.new, r.priority) for r in audit.entries if r.ok]
        assert ("ch-big", "enable", True, 12) in writes
        assert ("ch-small", "enable", False, 12) in writes or "ch-small" not in local
        assert any(r.unit == "ch-big" and r.why.startswith("plant: ") for r in audit.entries)
        for _ in range(3):
            await sim.advance(timedelta(minutes=1))
            clock.advance(timedelta(minutes=1))
        await poller.poll_all()
        big = {p: poller.latest[("ch-big", p)] for p in ("status", "electric_kw", "starts")}
        assert all(s.ok for s in big.values()), big
        assert big["status"].value is True
        assert big["electric_kw"].value == pytest.approx(plant.chiller_kw["ch-big"], rel=1e-4)
        assert big["electric_kw"].value > 100  # the afternoon's load on one machine
        assert big["starts"].value == plant.meters.starts["ch-big"] >= 1
        small = poller.latest[("ch-small", "status")]
        assert small.ok and small.value is False

        # the plan moves the load to the screw: the gate holds the big one its minimum on
        # (10 min) and the small one, stopped at the first tick, its minimum off (5 min)
        staged.append(("ch-small",))
        await loop.tick()
        assert plant.enabled == {"ch-big": True, "ch-small": False}
        clock.advance(timedelta(minutes=10))
        await sim.advance(timedelta(minutes=10))
        await loop.tick()
        await sim.advance(timedelta(minutes=1))
        await poller.poll_all()
        assert plant.enabled == {"ch-big": False, "ch-small": True}
        assert poller.latest[("ch-big", "status")].value is False
        assert poller.latest[("ch-small", "status")].value is True
        assert poller.latest[("ch-small", "starts")].value == plant.meters.starts["ch-small"]
    finally:
        for d in drivers.values():
            await d.close()
        await sim.close()


@pytest.mark.e2e
def test_the_service_drives_and_polls_the_simulated_plant_over_sockets(tmp_path: Path) -> None:
    folder, client = _hall_with_plant(tmp_path)
    run(asyncio.wait_for(_drive(folder, client), 60))


def test_a_chiller_on_a_units_modbus_address_is_refused(tmp_path: Path) -> None:
    folder, _ = _hall_with_plant(tmp_path)
    zones = folder / "zones.yaml"
    text = zones.read_text()
    unit = text[text.index("host: 127.0.0.1, port: ", text.index("ahu-stage-main")):]
    port = unit.split("port: ", 1)[1].split(",", 1)[0]  # the stage unit's (device 1)
    at = text.index("    ch-small:")
    head, tail = text[:at], text[at:]
    mine = tail.split("port: ", 1)[1].split(",", 1)[0]
    zones.write_text(head + tail.replace(f"port: {mine},", f"port: {port},", 1))
    assert "is already used by ahu-stage-main" in _config_error(folder)
