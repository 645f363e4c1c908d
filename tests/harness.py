"""What tests share: the repository's root, the single-hall example venue the tests run on
(`SINGLE_HALL`), the venue's timezone, instants at the venue, the planner tests' show days, the
single-hall configuration on free loopback ports, and the running service (built by
`build_service`, served by uvicorn, the simulator over real sockets). Tests import from here
(or use fixtures), never from each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from bacpypes3.app import Application
from bacpypes3.local.device import DeviceObject
from bacpypes3.local.networkport import NetworkPortObject

from drivers.base import State
from hvac_ctl.clock import ManualClock
from hvac_ctl.config import load_config
from hvac_ctl.devices import DriverSettings, memory_drivers
from hvac_ctl.model import Config
from hvac_ctl.service.build import Service, build_service
from hvac_ctl.service.runtime import Runtime
from hvac_ctl.service.settings import ServiceSettings
from hvac_ctl.simulation import building_spec, calendar_scenario
from hvac_ctl.store import Store
from simulator.clock import SimClock
from simulator.runner import SimulatedBuilding
from simulator.weather import DesignDay, Weather

ROOT = Path(__file__).resolve().parent.parent
# the one-hall opera house (zones.yaml + schedules/) the tests run on; the root's configuration
# is the default venue, which need not be a single hall
SINGLE_HALL = ROOT / "examples" / "single-hall"
SHANGHAI = ZoneInfo("Asia/Shanghai")

MakeConfig = Callable[..., Config]


def local(text: str, tz: tzinfo = SHANGHAI) -> datetime:
    """'2026-12-05 19:30' at the venue."""
    return datetime.fromisoformat(text).replace(tzinfo=tz)


# --- planner days ----------------------------------------------------------------------------

AUD = ("ahu-aud-1", "ahu-aud-2", "ahu-aud-3")

SUMMER_SHOW = """
performances:
  - {id: aida, title: Aida, date: 2027-07-10, doors_open: "19:00", curtain: "19:30",
     end: "22:30", expected_attendance: %(n)d, live_orchestra: %(live)s,
     house_lights: %(lights)s}
"""


def summer(make: MakeConfig, n: int = 2000, live: bool = True, lights: bool = False) -> Config:
    return make(SUMMER_SHOW % {"n": n, "live": str(live).lower(), "lights": str(lights).lower()})


def phases(plan: Any, zone: str) -> list[str]:
    out: list[str] = []
    for seg in plan.for_zone(zone):
        if not out or out[-1] != seg.phase:
            out.append(seg.phase)
    return out


def segment_at(plan: Any, zone: str, at: datetime) -> Any:
    return next(s for s in plan.for_zone(zone) if s.start <= at < s.end)


BERLIN = ZoneInfo("Europe/Berlin")
DST_CALENDAR = """
performances:
  - {id: late-2026-10-24, title: Late, date: 2026-10-24, doors_open: "22:00",
     curtain: "22:30", end: "02:30", expected_attendance: 1500}
  - {id: spring-2027-03-28, title: Spring, date: 2027-03-28, doors_open: "19:00",
     curtain: "19:30", end: "22:30", expected_attendance: 2000}
  - {id: early-2027-03-28, title: Early, date: 2027-03-28, doors_open: "00:30",
     curtain: "01:00", end: "04:00", expected_attendance: 300}
"""


# --- the single-hall configuration on free loopback ports -------------------------------------

BACNET_UNITS = {"ahu-aud-1": 47811, "ahu-aud-2": 47812, "ahu-aud-3": 47813}
MODBUS_PORTS = (5020, 5021)


# Listening ports are taken below the kernel's ephemeral range (Linux: 32768–60999). A port
# the kernel hands out for `bind(0)` is one it may also give an outgoing connection as its
# source port before the test's server binds it: with a site's 42 units polled, that happened
# (uvicorn: "address already in use").
LISTEN_PORTS = range(20_000, 32_768)


def free_port(kind: int, avoid: set[int] | None = None) -> int:
    """A port free now on 127.0.0.1, outside the ephemeral range, none of `avoid` (which it
    joins)."""
    pick = random.Random()
    while True:
        port = pick.choice(LISTEN_PORTS)
        if avoid is not None and port in avoid:
            continue
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use
        if avoid is not None:
            avoid.add(port)
        return port


@dataclass(frozen=True)
class Ports:
    folder: Path
    bacnet: dict[str, int]  # unit → UDP port
    modbus: dict[int, int]  # port in zones.yaml → free TCP port
    client: int  # a free UDP port for a BACnet client


def config_on_free_ports(folder: Path) -> Ports:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SINGLE_HALL / "zones.yaml", folder / "zones.yaml")
    shutil.copytree(SINGLE_HALL / "schedules", folder / "schedules", dirs_exist_ok=True)
    text = (folder / "zones.yaml").read_text()
    bacnet = {}
    # distinct, and none of the shipped ports (47811… lies in the ephemeral range: a unit
    # given another's shipped port would be rewritten again by the next replace)
    taken = {*BACNET_UNITS.values(), *MODBUS_PORTS}
    for unit, port in BACNET_UNITS.items():
        bacnet[unit] = free_port(socket.SOCK_DGRAM, taken)
        text = text.replace(f"127.0.0.1:{port}", f"127.0.0.1:{bacnet[unit]}")
    modbus = {}
    for port in MODBUS_PORTS:
        modbus[port] = free_port(socket.SOCK_STREAM, taken)
        text = text.replace(f"port: {port},", f"port: {modbus[port]},")
    (folder / "zones.yaml").write_text(text)
    return Ports(folder, bacnet, modbus, free_port(socket.SOCK_DGRAM, taken))


def bacnet_client(local_port: int, device_id: int = 3999) -> Application:
    """An independent BACnet/IP client (raw bacpypes3, none of our code) on a port of its own."""
    return Application.from_object_list([
        DeviceObject(objectIdentifier=("device", device_id), objectName=f"test-{device_id}",
                     vendorIdentifier=999, apduTimeout=2000, numberOfApduRetries=1),
        NetworkPortObject(f"127.0.0.1/24:{local_port}", objectIdentifier=("network-port", 1),
                          objectName="NetworkPort-1"),
    ])


# --- the running service -----------------------------------------------------------------------

SHOW = "tosca-2026-12-05"  # doors 19:00, curtain 19:30, end 22:30, expected 2100
ROLES = ("viewer", "operator", "engineer", "boxoffice", "admin")


@dataclass
class Running:
    """The service on uvicorn with the simulated building, on a manual clock."""

    http: httpx.AsyncClient
    runtime: Runtime
    sim: SimulatedBuilding
    clock: Any  # ManualClock, or the simulator's SimClock
    tokens: dict[str, str]
    ports: Ports

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    async def step(self, minutes: int) -> None:
        """One simulated minute at a time: the building, the clock, a poll, a tick.

        A real minute holds a poll every few seconds, so a unit that misses one read (a
        stall of this loaded machine outlasting the driver's timeout) is read again inside
        it. Here a minute holds one poll, and the driver's back-off runs on the wall clock:
        a unit that was answering and is lost in this poll is polled once more after its
        first back-off, so a stall does not cost the test five simulated minutes of
        readings. A unit that stays lost (a closed server) costs that wait once."""
        loop = self.runtime.loop
        units = list(self.runtime.config.venue.units)
        for _ in range(minutes):
            await self.sim.advance(timedelta(minutes=1))
            self.clock.advance(timedelta(minutes=1))
            online = {u for u in units if loop.driver_of(u).health(u).state != State.offline}
            await self.runtime.poller.poll_all()
            if any(loop.driver_of(u).health(u).state == State.offline for u in online):
                await asyncio.sleep(DriverSettings().backoff_first_s + 0.05)
                await self.runtime.poller.poll_all()
            await self.runtime.tick()

    async def settle(self) -> None:
        """Let what a request started finish: its tick, and the rows it queued."""
        assert await self.runtime.idle(), "the service did not settle"


def _token(store: Store, role: str) -> str:
    """`<role>-test`; on a store kept from an earlier run (a restart), `<role>-test-2`, …"""
    for n in range(1, 100):
        try:
            return store.create_token(f"{role}-test" + (f"-{n}" if n > 1 else ""), role)
        except ValueError:
            continue
    raise AssertionError(f"no free token name for {role}")


@asynccontextmanager
async def service(tmp_path: Path, at: str = "2026-12-05 19:40", db: Path | None = None,
                  speed: float | None = None,
                  configure: Callable[[Path], None] | None = None,
                  weather: Callable[[tzinfo], Weather] = DesignDay.winter
                  ) -> AsyncIterator[Running]:
    """On a manual clock stepped by `Running.step`; with `speed`, on the simulator's clock
    running that many times faster than the wall, the building following it and the service's
    own jobs (tick, poll, expiry) on their schedule. `configure` edits the configuration
    folder (its ports already free) before anything reads it: another venue (tests/site.py);
    `weather`: the simulator's (a winter design day unless said)."""
    ports = config_on_free_ports(tmp_path / "config")
    if configure is not None:
        configure(ports.folder)
    config = load_config(ports.folder)
    tz = config.venue.venue.tz
    start = local(at, tz)
    day = start.date()
    sim = SimulatedBuilding(building_spec(config), calendar_scenario(
        config, day - timedelta(days=1), day + timedelta(days=1)), weather(tz), start,
        step=timedelta(seconds=60 if speed is None else 10))
    await sim.start()
    store = Store(f"sqlite:///{db or tmp_path / 'store.db'}")
    store.migrate()
    tokens = {role: _token(store, role) for role in ROLES}
    clock: Any = ManualClock(start) if speed is None else SimClock(start, speed)
    settings = ServiceSettings(config_dir=ports.folder, watch_every_s=0.2, speed=speed or 1.0,
                               drivers=DriverSettings(
                                   bacnet_local=f"127.0.0.1/24:{ports.client}", timeout_s=1.0))
    built = build_service(settings, clock, store)
    server = built.server("127.0.0.1", free_port(socket.SOCK_STREAM), log_level="warning")
    following = None if speed is None else asyncio.create_task(sim.run(clock))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
        assert not task.done(), "uvicorn did not start"
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.config.port}",
                                     timeout=10) as http:
            yield Running(http, built.runtime, sim, clock, tokens, ports)
    finally:
        server.should_exit = True
        await task
        if following is not None:
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await following
        await sim.close()
        store.close()


def run(coro: Any, timeout_s: float = 120) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout=timeout_s))


# --- processes ---------------------------------------------------------------------------


@contextmanager
def hvac_process(*args: str, stdout: Any = subprocess.PIPE, stderr: Any = subprocess.PIPE,
                 stop_s: float = 20) -> Iterator[subprocess.Popen[str]]:
    """`python3 -m hvac_ctl ARGS` in the background, stopped with Ctrl-C (then killed) at the
    end. A long-running one writes to a file (`stdout=`): a full pipe would stall it."""
    proc = subprocess.Popen([sys.executable, "-m", "hvac_ctl", *args], cwd=ROOT, text=True,
                            stdout=stdout, stderr=stderr)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(stop_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


# --- the app in process ------------------------------------------------------------------

OPERATOR_PASSWORD = "pw-operator-Kq7vX2mZ"


@dataclass
class InProcess:
    """The real app on a real SQLite store, over httpx's ASGI transport (no socket), the
    in-memory driver for the units and a manual clock: an operator's API token `token`, and
    a panel user `operator-person` with `OPERATOR_PASSWORD`."""

    service: Service
    clock: ManualClock
    token: str

    @property
    def store(self) -> Store:
        return self.service.store

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(self.service.app),
                                 base_url="http://hvac.test",
                                 headers={"Authorization": f"Bearer {self.token}"})

    async def audit(self, action: str) -> list[Any]:
        assert await self.service.runtime.idle()
        return self.store.audit_entries(action=action)


async def in_process(tmp: Path, at: str = "2026-12-05 19:40") -> InProcess:
    folder = tmp / "config"
    folder.mkdir()
    shutil.copy(SINGLE_HALL / "zones.yaml", folder / "zones.yaml")
    shutil.copytree(SINGLE_HALL / "schedules", folder / "schedules")
    store = Store(f"sqlite:///{tmp / 'store.db'}")
    store.migrate()
    token = store.create_token("operator-api", "operator")
    store.create_user("operator-person", "operator", OPERATOR_PASSWORD)
    clock = ManualClock(local(at))
    built = build_service(ServiceSettings(config_dir=folder), clock, store,
                          memory_drivers(load_config(folder)))
    await built.runtime.tick()
    return InProcess(built, clock, token)


def run_validate(config: Path | str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`hvac-ctl validate --config CONFIG` from `cwd`, run in this process: the command's own
    argument parsing, printing and exit code, without an interpreter's start-up per case
    (tests/test_cli.py runs the real process)."""
    import io
    from contextlib import chdir, redirect_stderr, redirect_stdout

    from hvac_ctl.cli import main

    argv = ["validate", "--config", str(config)]
    out, err = io.StringIO(), io.StringIO()
    with chdir(cwd), redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as e:
            code = int(e.code or 0)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())
