"""What the drivers cost over the raw libraries: reads and writes against the simulator.

    python3 bench/drivers.py              # the tables, about one minute
    python3 bench/drivers.py --profile    # then, on 1 unit, where the driver's time goes

For venues of 1, 10 and 100 units per protocol (the single hall on free loopback ports, plus
replicas of ahu-aud-1 and ahu-stage-main: see bench/_venues.py), the simulator serves every
unit over real loopback sockets in this process and event loop. The same work is done through
the driver and through the raw library, interleaved so that both see the same machine:

- read: every sensor point of a unit (zone_temp, zone_rh, co2, supply_temp, fan_status and the
  four energy meters) — `ModbusDriver.read` vs pymodbus `read_input_registers` of the same
  coalesced range + float32 decoding; `BacnetDriver.read` vs bacpypes3
  `read_property_multiple` of the same objects. Latency per device read, and points/s for
  sweeps over all units one after the other.
- write: `setpoint` (19–22.5 °C) — `driver.write` vs pymodbus `write_registers` of the float32,
  bacpypes3 `write_property` at priority 12. Latency per write, and writes/s.

`--profile` adds, for 1 unit of each protocol, the read latency with the driver's layers added
one by one around the raw read (asyncio.wait_for, Link.call, the driver), and cProfile listings
of driver and raw reads. Prints markdown tables; nothing is asserted. Every socket is on
127.0.0.1 and closed at the end; the whole run is bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import io
import math
import pstats
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# this file's own folder would shadow the `drivers` package with this very script
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bacpypes3.apdu import ErrorRejectAbortNack  # noqa: E402
from bacpypes3.app import Application  # noqa: E402
from bacpypes3.local.device import DeviceObject  # noqa: E402
from bacpypes3.local.networkport import NetworkPortObject  # noqa: E402
from pymodbus.client import AsyncModbusTcpClient  # noqa: E402

from bench._venues import Venue, replicated_venue  # noqa: E402
from drivers.bacnet import BacnetDriver, object_id  # noqa: E402
from drivers.base import DeviceSpec, Link  # noqa: E402
from drivers.modbus import ModbusDriver, coalesce  # noqa: E402
from hvac_ctl.config import load_config  # noqa: E402
from hvac_ctl.devices import device_specs  # noqa: E402
from hvac_ctl.simulation import building_spec  # noqa: E402
from simulator.runner import SimulatedBuilding  # noqa: E402
from simulator.scenario import Scenario  # noqa: E402
from simulator.weather import DesignDay  # noqa: E402

SIZES = (1, 10, 100)
POINTS = ("zone_temp", "zone_rh", "co2", "supply_temp", "fan_status",
          "cooling_kwh", "heating_kwh", "reheat_kwh", "fan_kwh")
READS = 200  # per side and venue: 200 sweeps of 1 unit, 20 of 10, MIN_SWEEPS of 100
MIN_SWEEPS = 4
WRITES = 200  # per side and venue, cycling over the units
WARMUP = 20  # per side, before anything is timed (after one read of every unit)
SETPOINTS = [19.0 + 0.5 * i for i in range(8)]
PRIORITY = 12
PROFILE_READS = 300
TIMEOUT_S = 300.0  # the whole run, venues included
FLOAT32 = AsyncModbusTcpClient.DATATYPE.FLOAT32

Read = Callable[[str], Awaitable[dict[str, Any]]]
Write = Callable[[str, float], Awaitable[None]]


@dataclass
class Row:
    units: int
    op: str
    points: int  # points per operation
    driver: list[float] = field(default_factory=list)  # seconds per operation
    raw: list[float] = field(default_factory=list)
    total: dict[str, float] = field(default_factory=lambda: {"driver": 0.0, "raw": 0.0})
    failures: dict[str, int] = field(default_factory=lambda: {"driver": 0, "raw": 0})


@dataclass
class Report:
    rows: dict[str, list[Row]] = field(default_factory=lambda: {"modbus": [], "bacnet": []})
    setup: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(xs)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


# ---- the raw side ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModbusPlan:
    """One Modbus unit for the raw client: the driver's coalesced ranges, computed once."""

    client: AsyncModbusTcpClient
    device_id: int
    blocks: list[tuple[str, int, int, list[tuple[str, int, bool]]]]  # table, start, count, fields
    setpoint_register: int


def modbus_plan(d: DeviceSpec, client: AsyncModbusTcpClient) -> ModbusPlan:
    blocks = []
    for b in coalesce([d.points[p] for p in POINTS if p in d.points]):
        fields = [(p.name, (p.register or 0) - b.start, p.register_count == 2) for p in b.points]
        blocks.append((b.table, b.start, b.count, fields))
    return ModbusPlan(client, d.device_id, blocks, d.points["setpoint"].register or 0)


async def raw_modbus_read(plan: ModbusPlan) -> dict[str, Any]:
    out: dict[str, Any] = {}
    client = plan.client
    for table, start, count, fields in plan.blocks:
        fn = client.read_input_registers if table == "input" else client.read_holding_registers
        rr = await fn(start, count=count, device_id=plan.device_id)
        if rr.isError():
            raise RuntimeError(f"raw Modbus read: {rr}")
        regs = rr.registers
        for name, off, is_float in fields:
            out[name] = (client.convert_from_registers(regs[off:off + 2], FLOAT32)
                         if is_float else regs[off])
    return out


async def raw_modbus_write(plan: ModbusPlan, value: float) -> None:
    regs = plan.client.convert_to_registers(value, FLOAT32)
    rr = await plan.client.write_registers(plan.setpoint_register, regs,
                                           device_id=plan.device_id)
    if rr.isError():
        raise RuntimeError(f"raw Modbus write: {rr}")


@dataclass(frozen=True)
class BacnetPlan:
    address: str
    request: list[Any]  # [object id, ["present-value"], …], the driver's request
    names: dict[str, str]  # object id → point name
    setpoint: str


def bacnet_plan(d: DeviceSpec, points: tuple[str, ...] = POINTS) -> BacnetPlan:
    request: list[Any] = []
    names = {}
    for p in points:
        if p in d.points:
            request += [object_id(d.points[p]), ["present-value"]]
            names[object_id(d.points[p])] = p
    return BacnetPlan(f"{d.host}:{d.port}", request, names, object_id(d.points["setpoint"]))


def bacnet_client(port: int, device_id: int) -> Application:
    """A raw bacpypes3 client, with the driver's APDU timeout and retries."""
    return Application.from_object_list([
        DeviceObject(objectIdentifier=("device", device_id), objectName="bench-raw-client",
                     vendorIdentifier=999, apduTimeout=1000, numberOfApduRetries=0),
        NetworkPortObject(f"127.0.0.1/24:{port}", objectIdentifier=("network-port", 1),
                          objectName="NetworkPort-1"),
    ])


async def raw_bacnet_read(app: Application, plan: BacnetPlan) -> dict[str, Any]:
    result = await app.read_property_multiple(plan.address, plan.request)
    return {plan.names[str(oid)]: value for oid, _prop, _index, value in result}


async def raw_bacnet_write(app: Application, plan: BacnetPlan, value: float) -> None:
    await app.write_property(plan.address, plan.setpoint, "present-value", value, None, PRIORITY)


# ---- timing ------------------------------------------------------------------------------------


async def timed(row: Row, side: str, op: Callable[[], Awaitable[Any]]) -> float:
    """One operation; a failure (a raw error, a driver reading not ok) is counted, not raised."""
    t = time.perf_counter()
    try:
        result = await op()
    except (Exception, ErrorRejectAbortNack):  # bacpypes3's error is a BaseException
        result = None
        row.failures[side] += 1
    dt = time.perf_counter() - t
    (row.driver if side == "driver" else row.raw).append(dt)
    if isinstance(result, dict) and (len(result) != row.points or any(
            getattr(r, "ok", True) is False for r in result.values())):
        row.failures[side] += 1
    return dt


async def time_reads(n: int, units: list[str], sides: dict[str, Read], reads: int = READS,
                     min_sweeps: int = MIN_SWEEPS) -> Row:
    sweeps = max(min_sweeps, math.ceil(reads / n))
    sweeps += sweeps % 2  # as many sweeps with the driver first as with raw first
    row = Row(n, "read", len(POINTS))
    for fn in sides.values():  # warm up: every unit once, then the first unit WARMUP times
        for u in units:
            await fn(u)
        for _ in range(WARMUP):
            await fn(units[0])
    gc.collect()
    for s in range(sweeps):
        for side in (("driver", "raw") if s % 2 == 0 else ("raw", "driver")):
            fn = sides[side]
            t_sweep = time.perf_counter()
            for u in units:
                await timed(row, side, lambda fn=fn, u=u: fn(u))  # type: ignore[misc]
            row.total[side] += time.perf_counter() - t_sweep
    return row


async def time_writes(n: int, units: list[str], sides: dict[str, Write]) -> Row:
    row = Row(n, "write setpoint", 1)
    for i in range(WARMUP):
        for fn in sides.values():
            await fn(units[i % n], SETPOINTS[i % len(SETPOINTS)])
    gc.collect()
    for i in range(WRITES):
        u, value = units[i % n], SETPOINTS[i % len(SETPOINTS)]
        for side in (("driver", "raw") if i % 2 == 0 else ("raw", "driver")):
            fn = sides[side]
            op = lambda fn=fn, u=u, v=value: fn(u, v)  # noqa: E731
            row.total[side] += await timed(row, side, op)  # type: ignore[arg-type]
    return row


# ---- one venue ---------------------------------------------------------------------------------


@dataclass
class Case:
    """One protocol of a rig: its units, our driver, and the raw library doing the same work."""

    proto: str
    units: list[str]
    driver: Any  # BacnetDriver | ModbusDriver
    raw_read: Read
    raw_write: Write
    raw_read_all: Read | None = None  # every point of the unit, commands included (BACnet)

    async def read(self, u: str) -> dict[str, Any]:
        """Every sensor and energy point of a unit, through the driver."""
        return await self.driver.read(u, POINTS)  # type: ignore[no-any-return]

    async def read_all(self, u: str) -> dict[str, Any]:
        """Every point the unit has, through the driver (as raw_read_all reads them)."""
        points = tuple(self.driver.devices[u].points)
        return await self.driver.read(u, points)  # type: ignore[no-any-return]

    async def write(self, u: str, v: float) -> None:
        await self.driver.write(u, "setpoint", v, PRIORITY)


@dataclass
class Rig:
    """A venue served and connected: what bench/perf reuses to time the same reads."""

    sim: SimulatedBuilding
    units_served: int
    t_load: float  # load_config, s
    t_sim: float  # the simulator's start (every server bound), s
    cases: list[Case]  # modbus, then bacnet


@asynccontextmanager
async def rig(venue: Venue) -> AsyncIterator[Rig]:
    """The simulator serving `venue` on loopback in this loop, both drivers and the raw clients.

    Everything is closed on the way out, whatever happened inside.
    """
    t0 = time.perf_counter()
    config = load_config(venue.folder)
    t_load = time.perf_counter() - t0
    tz = config.venue.venue.tz
    spec = building_spec(config)
    sim = SimulatedBuilding(spec, Scenario(), DesignDay.winter(tz),
                            datetime(2026, 12, 5, 12, 0, tzinfo=tz))
    specs = device_specs(config)
    bacnet_specs = [specs[u] for u in venue.bacnet]
    modbus_specs = [specs[u] for u in venue.modbus]
    bdriver = BacnetDriver(bacnet_specs, local=f"127.0.0.1/24:{venue.client_ports[0]}",
                           device_id=3_999_001, timeout=2.0)
    mdriver = ModbusDriver(modbus_specs, timeout=2.0)
    raw_app: Application | None = None
    raw_modbus: dict[tuple[str, int], AsyncModbusTcpClient] = {}
    t0 = time.perf_counter()
    await sim.start()
    try:
        t_sim = time.perf_counter() - t0
        await bdriver.start()
        raw_app = app = bacnet_client(venue.client_ports[1], 3_999_002)
        for d in modbus_specs:  # one connection per server, as the driver's pool
            if (d.host, d.port) not in raw_modbus:
                client = AsyncModbusTcpClient(d.host, port=d.port, timeout=2.0, retries=0,
                                              reconnect_delay=0)
                raw_modbus[(d.host, d.port)] = client
                if not await client.connect():
                    raise ConnectionError(f"raw Modbus client: cannot connect to {d.port}")
        mplans = {d.name: modbus_plan(d, raw_modbus[(d.host, d.port)]) for d in modbus_specs}
        bplans = {d.name: bacnet_plan(d) for d in bacnet_specs}
        bplans_all = {d.name: bacnet_plan(d, tuple(d.points)) for d in bacnet_specs}

        async def m_raw_write(u: str, v: float) -> None:
            await raw_modbus_write(mplans[u], v)

        async def b_raw_write(u: str, v: float) -> None:
            await raw_bacnet_write(app, bplans[u], v)

        yield Rig(sim, len(spec.units), t_load, t_sim, [
            Case("modbus", venue.modbus, mdriver, lambda u: raw_modbus_read(mplans[u]),
                 m_raw_write),
            Case("bacnet", venue.bacnet, bdriver, lambda u: raw_bacnet_read(app, bplans[u]),
                 b_raw_write, lambda u: raw_bacnet_read(app, bplans_all[u]))])
    finally:
        await bdriver.close()
        await mdriver.close()
        if raw_app is not None:
            raw_app.close()
        for client in raw_modbus.values():
            client.close()
        await sim.close()


async def bench_venue(n: int, venue: Venue, report: Report, profile: bool) -> None:
    async with rig(venue) as r:
        report.setup.append(f"{n} | {r.units_served} | {venue.modbus_servers} | "
                            f"{r.t_load:.2f} | {r.t_sim:.2f}")
        for c in r.cases:
            report.rows[c.proto].append(
                await time_reads(n, c.units, {"driver": c.read, "raw": c.raw_read}))
            report.rows[c.proto].append(
                await time_writes(n, c.units, {"driver": c.write, "raw": c.raw_write}))
            report.checks.append(await check_agreement(c.proto, n, c.units, c.driver,
                                                       c.raw_read))
            if profile and n == SIZES[0]:
                report.notes.append(await layers(c.proto, c.units[0], c.driver, c.raw_read))
                report.notes.append(await profile_reads(c.proto, c.units[0], c.read,
                                                        c.raw_read))


async def check_agreement(proto: str, n: int, units: list[str],
                          drv: BacnetDriver | ModbusDriver, raw: Read) -> str:
    """Untimed: both sides read the same values, and a driver write is read back."""
    u = units[-1]
    d, r = await drv.read(u, POINTS), await raw(u)
    same = all(d[p].ok and math.isclose(float(d[p].value), float(r[p]), rel_tol=1e-6)
               for p in POINTS)
    await drv.write(u, "setpoint", 21.25, PRIORITY)
    back = (await drv.read(u, ["setpoint"]))["setpoint"].value
    if same and back == 21.25:
        return f"{proto} {n}: ok"
    return (f"{proto} {n}: MISMATCH on {u}: driver {[d[p].value for p in POINTS]}, raw "
            f"{[r[p] for p in POINTS]}; setpoint written 21.25, read back {back}")


async def layers(proto: str, unit: str, drv: Any, raw: Read) -> str:
    """The raw read with the driver's layers added one by one: where the difference is."""
    link = Link("bench", 2.0)
    variants: dict[str, Read] = {
        "raw": raw,
        "raw in asyncio.wait_for(…, 2 s)": lambda u: asyncio.wait_for(raw(u), 2.0),
        "raw in Link.call (wait_for + health)": lambda u: link.call("read", lambda: raw(u)),
        "driver.read": lambda u: drv.read(u, POINTS),
    }
    lat: dict[str, list[float]] = {k: [] for k in variants}
    for fn in variants.values():
        for _ in range(WARMUP):
            await fn(unit)
    gc.collect()
    rounds = PROFILE_READS if proto == "modbus" else PROFILE_READS // 3
    for _ in range(rounds):
        for name, fn in variants.items():
            t = time.perf_counter()
            await fn(unit)
            lat[name].append(time.perf_counter() - t)
    base = statistics.median(lat["raw"])
    lines = [f"### {proto}: layers of one read of {unit} ({rounds} rounds, interleaved)", "",
             "variant | p50 ms | over raw µs", "--- | --- | ---"]
    for name, xs in lat.items():
        m = statistics.median(xs)
        lines.append(f"{name} | {m * 1000:.3f} | {(m - base) * 1e6:+.0f}")
    return "\n".join(lines)


async def profile_reads(proto: str, unit: str, driver: Read, raw: Read) -> str:
    out = [f"### cProfile: {proto}, {PROFILE_READS} reads of {unit} per side "
           "(the simulator's server side is in both)"]
    for side, fn in (("driver", driver), ("raw", raw)):
        prof = cProfile.Profile()
        t = time.perf_counter()
        prof.enable()
        for _ in range(PROFILE_READS):
            await fn(unit)
        prof.disable()
        wall = time.perf_counter() - t
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.sort_stats("tottime").print_stats(12)
        if side == "driver":  # the driver's own functions and what they call, cumulative
            stats.sort_stats("cumulative").print_stats(
                r"drivers/|\(wait_for\)|\(create_task\)|locks\.py|bench/drivers", 14)
        text = "\n".join(line for line in buf.getvalue().splitlines()
                         if line.strip() and "function calls" not in line)
        out.append(f"#### {side}: {wall / PROFILE_READS * 1000:.2f} ms per read under the "
                   f"profiler\n```\n{text}\n```")
    return "\n".join(out)


# ---- output ------------------------------------------------------------------------------------


def table(proto: str, rows: list[Row]) -> str:
    lines = [f"### {proto}", "",
             "units | op | n/side | driver p50 ms | driver p99 ms | raw p50 ms | raw p99 ms | "
             "ratio p50 driver/raw | driver points/s | raw points/s | failures driver/raw",
             "--- | --- | --- | --- | --- | --- | --- | --- | --- | --- | ---"]
    for r in rows:
        d50, r50 = pct(r.driver, 50) * 1000, pct(r.raw, 50) * 1000
        dp = r.points * len(r.driver) / r.total["driver"]
        rp = r.points * len(r.raw) / r.total["raw"]
        lines.append(f"{r.units} | {r.op} | {len(r.driver)} | {d50:.3f} | "
                     f"{pct(r.driver, 99) * 1000:.3f} | {r50:.3f} | {pct(r.raw, 99) * 1000:.3f} | "
                     f"{d50 / r50:.2f} | {dp:,.0f} | {rp:,.0f} | "
                     f"{r.failures['driver']}/{r.failures['raw']}")
    return "\n".join(lines)


async def run_all(report: Report, profile: bool, folder: Path) -> None:
    for n in SIZES:
        venue = replicated_venue(folder / f"venue-{n}", n)
        try:
            await bench_venue(n, venue, report, profile)
        except (Exception, ErrorRejectAbortNack):
            report.notes.append(f"venue {n} FAILED:\n```\n{traceback.format_exc()}```")


def main() -> None:
    profile = "--profile" in sys.argv[1:]
    started = time.perf_counter()
    report = Report()
    timed_out = False
    with tempfile.TemporaryDirectory(prefix="hvac-bench-drivers-") as tmp:
        try:
            asyncio.run(asyncio.wait_for(run_all(report, profile, Path(tmp)), TIMEOUT_S))
        except TimeoutError:
            timed_out = True
    print("## Drivers vs raw libraries, simulator in the same event loop (loopback)\n")
    print("units per protocol | units served | Modbus servers for them | load_config s | "
          "simulator start s")
    print("--- | --- | --- | --- | ---")
    print("\n".join(report.setup))
    for proto in ("modbus", "bacnet"):
        print()
        print(table(proto, report.rows[proto]))
    print()
    print(f"read: one device read = the {len(POINTS)} sensor and energy points of a unit; "
          "points/s over sweeps of every unit in turn.\nwrite: one setpoint write; the points/s "
          "columns are writes/s. Units served: the measured units + the 5 other default units.")
    print(f"agreement (same values both ways, driver write read back): "
          f"{'; '.join(report.checks)}")
    for note in report.notes:
        print()
        print(note)
    if timed_out:
        print(f"\nTIMED OUT after {TIMEOUT_S:.0f} s: the tables hold what finished.")
    print(f"\ntotal run time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
