"""How long an occupancy push takes to reach the units, through the running service.

    python3 bench/push_latency.py              # the table, about 10 s
    python3 bench/push_latency.py --profile    # then a profile of pushes (also when p50 > 100 ms):
                                               # self time by part and the top functions

One asyncio loop holds everything, as tests/test_service.py does: the simulator serving the
single hall over real loopback sockets (a copy of examples/single-hall on free ports, see
bench/_venues.py), the service (`Runtime` with a `ManualClock` at 2026-12-05 19:45, Tosca on,
expected 2100; the FastAPI app on uvicorn) and an httpx client. A boxoffice token POSTs
/api/v1/occupancy with counts alternating 1200 / 2000 (each a re-adjustment, > 15 % off the
count acted on), each with its own `at` (the clock is moved on a few seconds first). The
endpoint stores the push and schedules a control tick at once; measured:

- push → device: from just before the POST until the simulator's in-process state shows, on
  all three auditorium units (BACnet), the `oa_damper_min` the response's
  `targets.units[unit]` names (±0.1). The state is polled every ~0.5 ms (asyncio's timer
  granularity is about 1 ms, and a busy loop polls less often: the interval achieved is
  printed) and every change is kept with its time, so a write that lands before the response
  arrives is timed as well.
- POST round trip: the same POSTs, until the response is read.
- push → tick done: until the tick's lock is free again (writes, read-back, audit).
- raw write: bacpypes3 `write_property` of `analog-value,2` (oa_damper_min) at priority 12 on
  ahu-aud-1, from a separate client on its own free UDP port, same loop, same machine, with
  the service still running; after the pushes, since it writes the loop's own slot.
- the floor's other parts, after the raw writes: GET /healthz through the same client and
  server (an HTTP round trip doing nothing), and a commit of one row to a SQLite file beside
  the service's store with the store's own engine and pragmas (WAL, synchronous=FULL). A push
  must at least answer over HTTP, commit once and write to a device: healthz + commit + raw
  write is its floor, healthz + commit the POST's.

Prints a markdown table; nothing is asserted. Every socket is on 127.0.0.1 and closed at the
end; the whole run is bounded by a timeout.
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import math
import shlex
import socket
import sys
import tempfile
import time
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# this file's own folder holds bench/drivers.py, which would shadow the `drivers` package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from bacpypes3.apdu import ErrorRejectAbortNack  # noqa: E402
from bacpypes3.app import Application  # noqa: E402
from bacpypes3.local.device import DeviceObject  # noqa: E402
from bacpypes3.local.networkport import NetworkPortObject  # noqa: E402

from bench._venues import free_ports, replicated_venue  # noqa: E402
from bench.perf.floors import commits, healthz_gets  # noqa: E402
from bench.perf.profiling import profile_text  # noqa: E402
from hvac_ctl.clock import ManualClock  # noqa: E402
from hvac_ctl.config import load_config  # noqa: E402
from hvac_ctl.devices import DriverSettings, device_specs  # noqa: E402
from hvac_ctl.model.venue import ZoneKind  # noqa: E402
from hvac_ctl.service.build import build_service  # noqa: E402
from hvac_ctl.service.runtime import Runtime  # noqa: E402
from hvac_ctl.service.settings import ServiceSettings  # noqa: E402
from hvac_ctl.simulation import building_spec, calendar_scenario  # noqa: E402
from hvac_ctl.store import Store  # noqa: E402
from simulator.runner import SimulatedBuilding  # noqa: E402
from simulator.weather import DesignDay  # noqa: E402

SHOW = "tosca-2026-12-05"  # doors 19:00, curtain 19:30, end 22:30, expected 2100
START = "2026-12-05T19:43"  # two stepped minutes of polls and ticks, then pushes at 19:45
COUNTS = (1200, 2000)  # alternating: each differs by > 15 % from the one before
WARMUP_PUSHES = 4
PUSHES = 60
PROFILE_PUSHES = 20
# the service's clock moves this much before each push: all the pushes fit inside the loop's
# 10 min re-assert period, so no full re-assert falls inside the measurement
STEP = timedelta(seconds=3)
POLL_S = 0.0005
TOLERANCE = 0.1
DEVICE_TIMEOUT_S = 5.0  # a push not seen on every unit by then is counted as a failure
RAW_WARMUP = 20
RAW_WRITES = 200
FLOOR_WARMUP = 20
FLOOR_SAMPLES = 200  # GET /healthz and SQLite commits, each
RAW_POINT = "analog-value,2"  # oa_damper_min on the auditorium units
RAW_VALUES = [10.0 + 5.0 * i for i in range(8)]  # 10–45 %, inside 0–100
PRIORITY = 12
TIMEOUT_S = 110.0  # the whole run


@dataclass
class Results:
    device: list[float] = field(default_factory=list)
    http: list[float] = field(default_factory=list)
    tick: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    healthz: list[float] = field(default_factory=list)
    commit: list[float] = field(default_factory=list)
    polls: int = 0
    poll_wall: float = 0.0
    failures: list[str] = field(default_factory=list)
    targets: dict[int, dict[str, float]] = field(default_factory=dict)  # count → unit → value
    not_readjusted: int = 0
    raw_failures: int = 0
    before_response: int = 0  # pushes whose units all showed the value before the response
    notes: list[str] = field(default_factory=list)


@dataclass
class Service:
    http: httpx.AsyncClient
    runtime: Runtime
    sim: SimulatedBuilding
    clock: ManualClock
    token: str
    units: tuple[str, ...]  # the auditorium's units
    aud1_address: str
    raw_port: int


@asynccontextmanager
async def service(tmp: Path) -> AsyncIterator[Service]:
    venue = replicated_venue(tmp / "config", 1, clients=2)  # the single hall, free ports
    config = load_config(venue.folder)
    tz = config.venue.venue.tz
    start = datetime.fromisoformat(START).replace(tzinfo=tz)
    day = start.date()
    sim = SimulatedBuilding(building_spec(config), calendar_scenario(
        config, day - timedelta(days=1), day + timedelta(days=1)), DesignDay.winter(tz), start)
    await sim.start()
    try:
        store = Store(f"sqlite:///{tmp / 'store.db'}")
        try:
            store.migrate()
            token = store.create_token("boxoffice-bench", "boxoffice")
            clock = ManualClock(start)
            settings = ServiceSettings(
                config_dir=venue.folder, watch_every_s=0.2, drivers=DriverSettings(
                    bacnet_local=f"127.0.0.1/24:{venue.client_ports[0]}", timeout_s=1.0))
            built = build_service(settings, clock, store)
            runtime = built.runtime
            port = free_ports(socket.SOCK_STREAM, 1)[0]
            server = built.server("127.0.0.1", port, log_level="warning")
            task = asyncio.create_task(server.serve())
            try:
                while not server.started:
                    await asyncio.sleep(0.02)
                    if task.done():
                        raise RuntimeError("uvicorn did not start")
                zone = next(z for z, spec in config.venue.zones.items()
                            if spec.kind == ZoneKind.auditorium)
                units = tuple(config.venue.units_of(zone))
                d = device_specs(config)["ahu-aud-1"]
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}",
                                             timeout=10) as http:
                    yield Service(http, runtime, sim, clock, token, units,
                                  f"{d.host}:{d.port}", venue.client_ports[1])
            finally:
                server.should_exit = True
                await task
        finally:
            store.close()
    finally:
        await sim.close()


async def step(s: Service, minutes: int) -> None:
    """As the tests do: simulated minutes with a poll and a tick each."""
    for _ in range(minutes):
        await s.sim.advance(timedelta(minutes=1))
        s.clock.advance(timedelta(minutes=1))
        await s.runtime.poller.poll_all()
        await s.runtime.tick()


async def tick_idle(s: Service, limit_s: float = 5.0) -> None:
    await s.runtime.idle(limit_s)


# ---- one push ----------------------------------------------------------------------------------


@dataclass
class Watch:
    """What one push looked like from outside: the response, and the units' state over time."""

    t0: float
    last: tuple[float, ...]  # the units' oa_damper_min, as last polled
    trace: list[tuple[float, tuple[float, ...]]] = field(default_factory=list)  # every change
    response: dict[str, Any] | None = None
    t_http: float | None = None
    target: tuple[float, ...] | None = None
    seen: float | None = None  # when every unit first showed the target
    polls: int = 0


async def push(s: Service, count: int, res: Results | None) -> None:
    """POST one count; time it to the response, to all units showing it, to the tick's end."""
    await tick_idle(s)
    s.clock.advance(STEP)
    body = {"event": SHOW, "count": count, "at": s.clock.now().isoformat()}
    headers = {"Authorization": f"Bearer {s.token}"}
    building = s.sim.building

    def state() -> tuple[float, ...]:
        return tuple(float(building.commands(u).oa_damper_min) for u in s.units)

    async def post() -> tuple[httpx.Response, float]:
        r = await s.http.post("/api/v1/occupancy", headers=headers, json=body)
        return r, time.perf_counter()

    w = Watch(0.0, state())
    w.t0 = time.perf_counter()
    w.trace.append((w.t0, w.last))
    task = asyncio.create_task(post())
    try:
        await watch(s, w, task, count)
    finally:
        task.cancel()  # done by now, unless the run itself is being cancelled
    t_seen = time.perf_counter()
    await tick_idle(s)
    t_tick = time.perf_counter()
    if res is None:
        return
    res.polls += w.polls
    res.poll_wall += t_seen - w.t0
    if w.t_http is not None and w.response is not None and w.target is not None:
        res.http.append(w.t_http - w.t0)
        res.targets[count] = dict(zip(s.units, w.target, strict=True))
        res.not_readjusted += not w.response["readjusted"]
    if w.seen is None:
        res.failures.append(f"push {count}: after {DEVICE_TIMEOUT_S:g} s the units show "
                            f"{w.last}, the response named {w.target}")
        return
    res.device.append(w.seen - w.t0)
    res.tick.append(t_tick - w.t0)
    if w.t_http is not None and w.seen <= w.t_http:
        res.before_response += 1


async def watch(s: Service, w: Watch, task: asyncio.Task[tuple[httpx.Response, float]],
                count: int) -> None:
    """Poll the units until they show what the response names, keeping every change."""
    while True:
        await asyncio.sleep(POLL_S)
        w.polls += 1
        now_state = tuple(float(s.sim.building.commands(u).oa_damper_min) for u in s.units)
        t = time.perf_counter()
        if now_state != w.last:
            w.trace.append((t, now_state))
            w.last = now_state
        if w.target is None and task.done():
            r, w.t_http = task.result()
            if r.status_code != 200:
                raise RuntimeError(f"POST /api/v1/occupancy {count}: {r.status_code} {r.text}")
            w.response = r.json()
            units = w.response["targets"]["units"]
            w.target = tuple(float(units[u]["oa_damper_min"]) for u in s.units)
        if w.target is not None:
            target = w.target
            w.seen = next((tt for tt, v in w.trace if all(
                abs(a - b) <= TOLERANCE for a, b in zip(v, target, strict=True))), None)
            if w.seen is not None:
                return
        if t - w.t0 > DEVICE_TIMEOUT_S:
            return


async def pushes(s: Service, res: Results, n: int = PUSHES) -> None:
    for i in range(WARMUP_PUSHES):
        await push(s, COUNTS[i % 2], None)
    gc.collect()
    for i in range(n):
        await push(s, COUNTS[i % 2], res)


async def profile_pushes(s: Service, res: Results) -> None:
    """cProfile (the standard library's; the machine has no sampling profiler installed)
    over a run of pushes. Everything in the loop runs in this thread — the service (HTTP,
    store, planner, control tick, drivers), the simulated devices and the client — so the
    breakdown says which part each function belongs to."""
    prof = cProfile.Profile()
    sink = Results()
    t = time.perf_counter()
    prof.enable()
    for i in range(PROFILE_PUSHES):
        await push(s, COUNTS[i % 2], sink)
    prof.disable()
    wall = time.perf_counter() - t
    p50 = pct(sink.device, 50) * 1000 if sink.device else math.nan
    res.notes.append(f"### cProfile: {PROFILE_PUSHES} pushes ({wall / PROFILE_PUSHES * 1000:.1f} "
                     f"ms wall each, {wall:.2f} s in all; push → device p50 {p50:.1f} ms under "
                     f"the profiler)\n\n{profile_text(prof, wall)}")


# ---- raw writes --------------------------------------------------------------------------------


def bacnet_client(port: int) -> Application:
    """A raw bacpypes3 client, as tests/test_simulator_sockets.py has it."""
    return Application.from_object_list([
        DeviceObject(objectIdentifier=("device", 3_999_301), objectName="bench-push-raw",
                     vendorIdentifier=999, apduTimeout=1000, numberOfApduRetries=0),
        NetworkPortObject(f"127.0.0.1/24:{port}", objectIdentifier=("network-port", 1),
                          objectName="NetworkPort-1"),
    ])


async def raw_writes(s: Service, res: Results, n: int = RAW_WRITES) -> None:
    app = bacnet_client(s.raw_port)
    try:
        for i in range(RAW_WARMUP + n):
            value = RAW_VALUES[i % len(RAW_VALUES)]
            t = time.perf_counter()
            try:
                await app.write_property(s.aud1_address, RAW_POINT, "present-value", value,
                                         None, PRIORITY)
            except (Exception, ErrorRejectAbortNack):  # bacpypes3's error is a BaseException
                res.raw_failures += 1
                continue
            dt = time.perf_counter() - t
            if i >= RAW_WARMUP:
                res.raw.append(dt)
            if i == RAW_WARMUP - 1:
                gc.collect()
        seen = s.sim.building.commands("ahu-aud-1").oa_damper_min
        last = RAW_VALUES[(RAW_WARMUP + n - 1) % len(RAW_VALUES)]
        if abs(seen - last) > TOLERANCE:
            res.notes.append(f"raw writes: the simulator shows {seen}, last written {last}")
    finally:
        app.close()


# ---- the run -----------------------------------------------------------------------------------


async def run(res: Results, profile: bool | None, tmp: Path, n_pushes: int = PUSHES,
              n_raw: int = RAW_WRITES) -> None:
    """profile: True always, None (the script's default) when push → device p50 > 100 ms."""
    async with service(tmp) as s:
        await step(s, 2)
        await pushes(s, res, n_pushes)
        await raw_writes(s, res, n_raw)  # after the pushes: they write the loop's priority-12 slot
        res.healthz += await healthz_gets(s.http, FLOOR_SAMPLES, FLOOR_WARMUP)
        res.commit += commits(tmp, FLOOR_SAMPLES, FLOOR_WARMUP)
        if profile or (profile is None and res.device and pct(res.device, 50) > 0.1):
            await profile_pushes(s, res)


def measure(profile: bool | None = None, pushes: int = PUSHES,
            raw: int = RAW_WRITES) -> tuple[Results, str | None]:
    """The whole measurement in a fresh event loop: the results, and what went wrong if any.

    Callable so that bench/perf reports the same numbers as this script (with profile=False it
    never adds the profiled pushes, and fewer pushes for its quick run).
    """
    res = Results()
    error = None
    with tempfile.TemporaryDirectory(prefix="hvac-bench-push-") as tmp:
        try:
            asyncio.run(asyncio.wait_for(run(res, profile, Path(tmp), pushes, raw), TIMEOUT_S))
        except TimeoutError:
            error = f"TIMED OUT after {TIMEOUT_S:.0f} s: the table holds what finished."
        except (Exception, ErrorRejectAbortNack):
            error = f"FAILED:\n```\n{traceback.format_exc()}```"
    return res, error


def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(xs)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


def row(name: str, xs: list[float]) -> str:
    if not xs:
        return f"{name} | 0 | – | – | –"
    return (f"{name} | {len(xs)} | {pct(xs, 50) * 1000:.2f} | {pct(xs, 99) * 1000:.2f} | "
            f"{max(xs) * 1000:.2f}")


def main() -> None:
    started = time.perf_counter()
    res, error = measure(True if "--profile" in sys.argv[1:] else None)
    print("## Occupancy push → units, through the running service (one loop, loopback)\n")
    print("measure | n | p50 ms | p99 ms | max ms")
    print("--- | --- | --- | --- | ---")
    print(row("push → oa_damper_min on all 3 auditorium units", res.device))
    print(row("POST /api/v1/occupancy round trip", res.http))
    print(row("push → control tick finished (writes, read-back, audit)", res.tick))
    print(row(f"raw bacpypes3 write_property {RAW_POINT} @{PRIORITY} (ahu-aud-1)", res.raw))
    print(row("GET /healthz round trip", res.healthz))
    print(row("SQLite WAL commit of one row (the store's engine)", res.commit))
    print()
    if res.device and res.raw:
        print(f"ratio push → device p50 / raw write p50: "
              f"{pct(res.device, 50) / pct(res.raw, 50):.1f}")
    if res.device and res.raw and res.healthz and res.commit:
        floor = pct(res.healthz, 50) + pct(res.commit, 50) + pct(res.raw, 50)
        print(f"floor (healthz + commit + raw write p50s) {floor * 1000:.2f} ms; push → device "
              f"p50 / floor: {pct(res.device, 50) / floor:.2f}")
    if res.polls:
        print(f"during a push the state was polled every {res.poll_wall / res.polls * 1000:.2f} "
              f"ms on average (asked: {POLL_S * 1000:g} ms; longer means the loop was busy)")
    print(f"pushes: {WARMUP_PUSHES} warm-up + {PUSHES} timed, counts {COUNTS[0]}/{COUNTS[1]} "
          f"alternating, clock +{STEP.total_seconds():g} s each; not re-adjusted: "
          f"{res.not_readjusted}; all units set before the response arrived: "
          f"{res.before_response}; failures: {len(res.failures)}; raw write failures: "
          f"{res.raw_failures}")
    for count, targets in res.targets.items():
        print(f"targets for {count}: " + ", ".join(f"{u} {v:g} %" for u, v in targets.items()))
    for f in res.failures[:5]:
        print(f"failure: {f}")
    for note in res.notes:
        print()
        print(note)
    if error:
        print(f"\n{error}")
    print(f"\ncommand: python3 {shlex.join(['bench/push_latency.py', *sys.argv[1:]])}")
    print(f"total run time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
