"""`hvac-ctl sim` started as its own process, commanded by independent clients over sockets.

A pymodbus client and a raw bacpypes3 client (no code of ours on the wire side) read sensors
and write commands, as a BMS would. Ports are chosen free for this run and written into a copy
of the configuration, so nothing collides with another test or a running demo.
"""

from __future__ import annotations

import asyncio
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from bacpypes3.apdu import ErrorRejectAbortNack
from bacpypes3.app import Application
from bacpypes3.primitivedata import Null
from pymodbus.client import AsyncModbusTcpClient

from tests.harness import bacnet_client as raw_bacnet_client
from tests.harness import config_on_free_ports

pytestmark = pytest.mark.e2e

FLOAT32 = AsyncModbusTcpClient.DATATYPE.FLOAT32
SPEED = 600  # ten simulated minutes per second


@dataclass
class Sim:
    proc: subprocess.Popen[str]
    lines: queue.Queue[str]
    bacnet: dict[str, int]  # unit → UDP port
    modbus: dict[int, int]  # port in zones.yaml → TCP port
    client_port: int
    output: list[str]


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    ports = config_on_free_ports(tmp_path_factory.mktemp("sim-config"))
    cfg = ports.folder
    proc = subprocess.Popen(
        [sys.executable, "-m", "hvac_ctl", "sim", "--config", str(cfg), "--speed", str(SPEED),
         "--start", "2027-07-10T03:00", "--status-every", "0.5"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=cfg,
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 60
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            proc.kill()
            pytest.fail("the simulator did not become ready:\n" + "".join(output))
        if line.startswith("ready:"):
            break
    handle = Sim(proc, lines, ports.bacnet, ports.modbus, ports.client, output)
    yield handle
    if proc.poll() is None:
        proc.kill()


T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


async def modbus_client(sim: Sim, port_key: int) -> AsyncModbusTcpClient:
    client = AsyncModbusTcpClient("127.0.0.1", port=sim.modbus[port_key], timeout=2, retries=0)
    assert await client.connect()
    return client


def bacnet_client(sim: Sim) -> Application:
    return raw_bacnet_client(sim.client_port)


async def read_float(client: AsyncModbusTcpClient, address: int, device: int,
                     table: str = "input") -> float:
    reader = client.read_input_registers if table == "input" else client.read_holding_registers
    rr = await reader(address, count=2, device_id=device)
    assert not rr.isError(), rr
    return float(client.convert_from_registers(rr.registers, FLOAT32))


async def sim_minutes(minutes: float) -> None:
    await asyncio.sleep(minutes * 60 / SPEED + 0.3)


def test_modbus_client_reads_sensors_and_a_lower_setpoint_cools_the_pit(sim: Sim) -> None:
    async def body() -> tuple[float, float, float, float]:
        c = await modbus_client(sim, 5021)  # ahu-pit, device 1
        try:
            before = await read_float(c, 0, 1)  # zone_temp
            co2 = await read_float(c, 4, 1)
            assert not (await c.write_register(7, 1, device_id=1)).isError()  # mode = cool
            sp = c.convert_to_registers(round(before - 2, 1), FLOAT32)
            assert not (await c.write_registers(1, sp, device_id=1)).isError()  # setpoint
            assert not (await c.write_register(0, 1, device_id=1)).isError()  # enable
            echoed = await read_float(c, 1, 1, table="holding")
            await sim_minutes(30)
            after = await read_float(c, 0, 1)
            meters = [await read_float(c, r, 1) for r in (10, 16)]  # cooling_kwh, fan_kwh
            return before, co2, echoed, after, meters
        finally:
            c.close()

    before, co2, echoed, after, (cooling_kwh, fan_kwh) = run(body())
    assert 15 < before < 40 and 400 <= co2 < 1000
    assert echoed == pytest.approx(round(before - 2, 1), abs=1e-4)
    assert after < before - 0.5
    assert cooling_kwh > 0 and fan_kwh > 0  # energy meters are points too


def test_modbus_write_outside_the_range_is_refused_with_exception_3(sim: Sim) -> None:
    async def body() -> tuple[int, float, float]:
        c = await modbus_client(sim, 5020)  # ahu-stage-main, device 1
        try:
            before = await read_float(c, 1, 1, table="holding")
            rr = await c.write_registers(1, c.convert_to_registers(45.0, FLOAT32), device_id=1)
            assert rr.isError()
            after = await read_float(c, 1, 1, table="holding")
            return rr.exception_code, before, after
        finally:
            c.close()

    code, before, after = run(body())
    assert code == 3
    assert after == before


def test_bacnet_client_reads_sensors_and_a_lower_setpoint_cools_the_auditorium(sim: Sim) -> None:
    dev = f"127.0.0.1:{sim.bacnet['ahu-aud-1']}"
    others = [f"127.0.0.1:{sim.bacnet[u]}" for u in ("ahu-aud-2", "ahu-aud-3")]

    async def body() -> tuple[float, float, float]:
        app = bacnet_client(sim)
        try:
            before = float(await app.read_property(dev, "analog-input,1", "present-value"))
            values = await app.read_property_multiple(dev, [
                "analog-input,2", ["present-value"], "analog-input,3", ["present-value"]])
            rh, co2 = (float(v[3]) for v in values)
            assert 10 < rh < 95 and 400 <= co2 < 1000
            for d in (dev, *others):
                await app.write_property(d, "multi-state-value,1", "present-value", 1, None, 12)
                await app.write_property(d, "analog-value,1", "present-value",
                                         round(before - 2, 1), None, 12)
                await app.write_property(d, "binary-value,1", "present-value", "active", None, 12)
            await sim_minutes(40)
            after = float(await app.read_property(dev, "analog-input,1", "present-value"))
            fan = await app.read_property(dev, "binary-input,1", "present-value")
            fan_kwh = float(await app.read_property(dev, "analog-input,8", "present-value"))
            return before, after, float(fan == 1 or str(fan) == "active"), fan_kwh
        finally:
            app.close()

    before, after, fan_on, fan_kwh = run(body())
    assert 15 < before < 40
    assert fan_on == 1.0
    assert fan_kwh > 0
    assert after < before - 0.5


def test_bacnet_priority_8_shows_in_the_array_and_falls_back_when_relinquished(sim: Sim) -> None:
    dev = f"127.0.0.1:{sim.bacnet['ahu-aud-2']}"

    def slots(array: list[Any]) -> dict[int, float]:
        return {i + 1: float(getattr(p, p._choice)) for i, p in enumerate(array)
                if p._choice != "null"}

    async def body() -> tuple[dict[int, float], float, dict[int, float], float]:
        app = bacnet_client(sim)
        try:
            await app.write_property(dev, "analog-value,1", "present-value", 23.0, None, 12)
            await app.write_property(dev, "analog-value,1", "present-value", 20.5, None, 8)
            with_override = slots(await app.read_property(dev, "analog-value,1", "priority-array"))
            effective = float(await app.read_property(dev, "analog-value,1", "present-value"))
            await app.write_property(dev, "analog-value,1", "present-value", Null(()), None, 8)
            released = slots(await app.read_property(dev, "analog-value,1", "priority-array"))
            back = float(await app.read_property(dev, "analog-value,1", "present-value"))
            return with_override, effective, released, back
        finally:
            app.close()

    with_override, effective, released, back = run(body())
    assert with_override == {8: 20.5, 12: 23.0}
    assert effective == 20.5
    assert released == {12: 23.0}
    assert back == 23.0


def test_bacnet_write_outside_the_range_is_refused(sim: Sim) -> None:
    dev = f"127.0.0.1:{sim.bacnet['ahu-aud-3']}"

    async def body() -> tuple[str, float, float]:
        app = bacnet_client(sim)
        try:
            before = float(await app.read_property(dev, "analog-value,1", "present-value"))
            try:
                await app.write_property(dev, "analog-value,1", "present-value", 45.0, None, 8)
            except ErrorRejectAbortNack as e:
                code = str(getattr(e, "errorCode", e))
            else:
                code = "accepted"
            after = float(await app.read_property(dev, "analog-value,1", "present-value"))
            return code, before, after
        finally:
            app.close()

    code, before, after = run(body())
    assert code == "value-out-of-range"
    assert after == before


def test_status_lines_and_a_clean_stop_on_ctrl_c(sim: Sim) -> None:
    time.sleep(1.2)
    status = [ln for ln in sim.output if " °C " in ln and "ppm" in ln]
    assert any(" auditorium " in ln for ln in status)
    assert any(" pit " in ln and "ahu-pit" in ln for ln in status)  # enabled by the test above
    sim.proc.send_signal(signal.SIGINT)
    assert sim.proc.wait(timeout=20) == 0
    assert any("stopping: closing every socket" in ln for ln in sim.output)
    for port in sim.modbus.values():  # the sockets are really closed
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", port))
