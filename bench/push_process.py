"""Occupancy push → device, with the service as its own process, as it is deployed.

    python3 bench/push_process.py                # the table, about 30 s
    python3 bench/push_process.py --pushes 200

Three processes on loopback, each with its own event loop, as in a building: the building
(the simulator serving the single hall's venue, on a clock at show time), the service (`hvac-ctl
serve`, the same clock), and this one — the box office's HTTP client, and the floors. The
building's process prints a line for every command a unit takes, stamped with the system's
monotonic clock (`time.monotonic_ns`, CLOCK_MONOTONIC, the same in every process), so that
the time a value reaches a unit is read where the unit is, without polling it.

Measured, each push a count moving the count acted on (1200 / 2000 alternating):
- push → device: from just before the POST is sent until the last of the three auditorium
  units has taken the `oa_damper_min` the answer names;
- POST round trip: until the answer is read (keep-alive connection, as a box office keeps);
and in the same run, the floors they are judged against:
- healthz GET round trip (the HTTP stack with nothing behind it),
- one SQLite WAL commit with the store's own settings (journal WAL, synchronous FULL), in a
  file in the same folder as the service's store,
- one raw bacpypes3 write of that point on one unit, from this process, until its ack.
Push floor = GET + commit + raw write; POST floor = GET + commit. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# this file's own folder holds bench/drivers.py, which would shadow the `drivers` package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

SHOW = "tosca-2026-12-05"  # doors 19:00, curtain 19:30: the show is on at START
START = "2026-12-05T19:43"
AUD = ("ahu-aud-1", "ahu-aud-2", "ahu-aud-3")
POINT = "oa_damper_min"
RAW_OBJECT = "analog-value,2"  # oa_damper_min on the BACnet template unit
COUNTS = (1200, 2000)
PUSHES, WARMUP = 60, 5
FLOOR_N = 200
TOLERANCE = 0.1


@dataclass
class Results:
    device: list[float] = field(default_factory=list)  # seconds
    http: list[float] = field(default_factory=list)
    healthz: list[float] = field(default_factory=list)
    commit: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    raw3: list[float] = field(default_factory=list)  # the three units written at once
    missed: int = 0  # pushes whose value never reached all three units within 2 s
    notes: list[str] = field(default_factory=list)


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return math.nan
    s = sorted(xs)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


# --- the building's process ---------------------------------------------------------------


def building(folder: str) -> None:
    """The simulator at show time, printing `<monotonic_ns> <unit> <point> <value>` for every
    command a unit takes."""
    import asyncio
    from datetime import datetime, timedelta

    from hvac_ctl.config import load_config
    from hvac_ctl.simulation import building_spec, calendar_scenario
    from simulator.clock import SimClock
    from simulator.runner import SimulatedBuilding
    from simulator.weather import DesignDay

    async def main() -> None:
        config = load_config(Path(folder))
        tz = config.venue.venue.tz
        start = datetime.fromisoformat(START).replace(tzinfo=tz)
        day = start.date()
        sim = SimulatedBuilding(building_spec(config), calendar_scenario(
            config, day - timedelta(days=1), day + timedelta(days=1)), DesignDay.winter(tz), start)
        write = sim.building.write
        out = sys.stdout

        def journal(unit: str, point: str, value: float | bool | str) -> None:
            write(unit, point, value)
            out.write(f"{time.monotonic_ns()} {unit} {point} {value}\n")
            out.flush()

        sim.building.write = journal  # type: ignore[method-assign]
        await sim.start()
        print("ready", flush=True)
        try:
            await sim.run(SimClock(start, 1.0))
        finally:
            await sim.close()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    asyncio.run(main())


class Journal:
    """The building's lines, read by a thread as they come."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[tuple[int, str, str, str]] = []
        self._cond = threading.Condition()
        self._proc = proc
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            parts = line.split()
            with self._cond:
                if len(parts) == 4:
                    self.lines.append((int(parts[0]), parts[1], parts[2], parts[3]))
                elif parts == ["ready"]:
                    self.lines.append((0, "ready", "", ""))
                self._cond.notify_all()

    def wait_for(self, found: callable, timeout_s: float) -> object:  # type: ignore[valid-type]
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                hit = found(self.lines)
                if hit is not None or time.monotonic() > deadline:
                    return hit
                self._cond.wait(max(0.0, deadline - time.monotonic()))


def reached(t0: int, target: dict[str, float]) -> callable:  # type: ignore[valid-type]
    """When every unit of `target` first took its value after t0 (ns), or None."""
    def found(lines: list[tuple[int, str, str, str]]) -> int | None:
        first: dict[str, int] = {}
        for ns, unit, point, value in reversed(lines):
            if ns < t0:
                break
            if point == POINT and unit in target and abs(float(value) - target[unit]) <= (
                    TOLERANCE):
                first[unit] = ns  # reversed: the earliest one wins
        return max(first.values()) if len(first) == len(target) else None
    return found


# --- the run --------------------------------------------------------------------------------


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def process(args: list[str], **kw: object) -> Iterator[subprocess.Popen[str]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(args, env=env, text=True, **kw)  # type: ignore[call-overload]
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def post(conn: http.client.HTTPConnection, path: str, body: dict[str, object] | None,
         token: str) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": f"Bearer {token}"}
    if body is None:
        conn.request("GET", path, headers=headers)
    else:
        headers["Content-Type"] = "application/json"
        conn.request("POST", path, body=json.dumps(body), headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r.status, json.loads(data) if data else {}


STORE_URL: str | None = None  # the service's store (bench/perf --db); None: a SQLite file


def measure(pushes: int = PUSHES, floor_n: int = FLOOR_N, profile: Path | None = None
            ) -> Results:
    from bench._venues import replicated_venue

    res = Results()
    with tempfile.TemporaryDirectory(prefix="hvac-bench-push-proc-") as tmp:
        venue = replicated_venue(Path(tmp) / "config", 1, clients=2)
        db = STORE_URL or f"sqlite:///{tmp}/store.db"
        token = subprocess.run(
            [sys.executable, "-m", "hvac_ctl", "token", "create", "--role", "boxoffice",
             "--name", f"bench-{os.getpid()}-{time.monotonic_ns()}", "--db", db,
             "--config", str(venue.folder)],
            capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()
        port = free_port(socket.SOCK_STREAM)
        with process([sys.executable, str(Path(__file__)), "--building", str(venue.folder)],
                     stdout=subprocess.PIPE) as dev:
            journal = Journal(dev)
            if journal.wait_for(lambda ls: True if ls else None, 30) is None:
                raise RuntimeError("the building did not start")
            with process([sys.executable, "-m", "hvac_ctl", "serve", "--config",
                          str(venue.folder), "--db", db, "--port", str(port), "--start",
                          START, "--bacnet-local", f"127.0.0.1/24:{venue.client_ports[0]}",
                          "--log-level", "WARNING"], stderr=subprocess.DEVNULL) as service:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                wait_healthy(conn)
                time.sleep(2.0)  # its first poll and tick
                if profile is None:
                    run_pushes(conn, token, journal, res, pushes)
                else:  # py-spy samples the service while it takes the pushes
                    with process(["py-spy", "record", "--pid", str(service.pid), "--rate",
                                  "2000", "--format", "raw", "--output", str(profile)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as spy:
                        time.sleep(1.0)
                        run_pushes(conn, token, journal, res, pushes)
                        spy.send_signal(signal.SIGINT)
                        spy.wait(30)
                for _ in range(floor_n):
                    t = time.perf_counter()
                    post(conn, "/healthz", None, token)
                    res.healthz.append(time.perf_counter() - t)
                conn.close()
                res.raw, res.raw3 = raw_writes(venue, floor_n)
        res.commit = commits(Path(tmp), floor_n)
    return res


def wait_healthy(conn: http.client.HTTPConnection, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if post(conn, "/healthz", None, "")[0] == 200:
                return
        except OSError:
            conn.close()
        time.sleep(0.1)
    raise RuntimeError("the service did not answer /healthz")


def run_pushes(conn: http.client.HTTPConnection, token: str, journal: Journal, res: Results,
               n: int) -> None:
    for i in range(WARMUP + n):
        count = COUNTS[i % 2]
        t0 = time.monotonic_ns()
        status, answer = post(conn, "/api/v1/occupancy", {"event": SHOW, "count": count}, token)
        t_http = time.monotonic_ns()
        if status != 200:
            raise RuntimeError(f"push {count}: {status} {answer}")
        units = answer["targets"]["units"]  # type: ignore[index]
        target = {u: float(units[u][POINT]) for u in AUD}  # type: ignore[index]
        ns = journal.wait_for(reached(t0, target), 2.0)
        if i >= WARMUP:
            res.http.append((t_http - t0) / 1e9)
            if ns is None:
                res.missed += 1
            else:
                res.device.append((int(ns) - t0) / 1e9)  # type: ignore[call-overload]
        time.sleep(0.05)  # the tick's read-back and audit


def commits(folder: Path, n: int) -> list[float]:
    """One row per transaction, committed, as the store's engine sets SQLite up."""
    c = sqlite3.connect(folder / "floor.db", isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=FULL")
    c.execute("CREATE TABLE t (a INTEGER, b TEXT)")
    out = []
    for i in range(n + 10):
        t = time.perf_counter()
        c.execute("BEGIN")
        c.execute("INSERT INTO t VALUES (?, ?)", (i, "x" * 40))
        c.execute("COMMIT")
        if i >= 10:
            out.append(time.perf_counter() - t)
    c.close()
    return out


def raw_writes(venue: object, n: int) -> tuple[list[float], list[float]]:
    """bacpypes3's own write_property, to ahu-aud-1 in the building's process, until acked;
    and, alternating with it, one to each of the three auditorium units at once (gathered),
    until all three are acked: what the push's own last step costs with nothing of ours on
    either side. At priority 16: the service's priority-12 value stays in force, the cost is
    the same."""
    import asyncio

    from bacpypes3.app import Application
    from bacpypes3.local.device import DeviceObject
    from bacpypes3.local.networkport import NetworkPortObject

    from hvac_ctl.config import load_config
    from hvac_ctl.devices import device_specs

    folder = venue.folder  # type: ignore[attr-defined]
    specs = device_specs(load_config(folder))
    d = specs["ahu-aud-1"]
    all3 = [f"{specs[u].host}:{specs[u].port}" for u in ("ahu-aud-1", "ahu-aud-2", "ahu-aud-3")]

    async def main() -> tuple[list[float], list[float]]:
        app = Application.from_object_list([
            DeviceObject(objectIdentifier=("device", 3_999_302), objectName="bench-raw",
                         vendorIdentifier=999, apduTimeout=1000, numberOfApduRetries=0),
            NetworkPortObject(f"127.0.0.1/24:{venue.client_ports[1]}",  # type: ignore[attr-defined]
                              objectIdentifier=("network-port", 1), objectName="NetworkPort-1"),
        ])
        one: list[float] = []
        three: list[float] = []
        try:
            for i in range(n + 20):
                t = time.perf_counter()
                await app.write_property(f"{d.host}:{d.port}", RAW_OBJECT, "present-value",
                                         30.0 + i % 2, None, 16)
                if i >= 20:
                    one.append(time.perf_counter() - t)
                t = time.perf_counter()
                await asyncio.gather(*(app.write_property(a, RAW_OBJECT, "present-value",
                                                          30.0 + i % 2, None, 16)
                                       for a in all3))
                if i >= 20:
                    three.append(time.perf_counter() - t)
        finally:
            app.close()
        return one, three

    return asyncio.run(main())


def table(res: Results) -> str:
    ms = 1000
    g, c, w = pct(res.healthz, 50), pct(res.commit, 50), pct(res.raw, 50)
    push_floor, post_floor = g + c + w, g + c
    rows = [
        ("push → oa_damper_min on all 3 auditorium units", res.device, push_floor,
         f"≤ 2 × floor ({2 * push_floor * ms:.2f} ms)", pct(res.device, 50) <= 2 * push_floor),
        ("POST /api/v1/occupancy round trip", res.http, post_floor, "≤ 3 ms",
         pct(res.http, 50) <= 0.003),
    ]
    lines = ["measure | n | p50 ms | p99 ms | floor ms | p50 / floor | goal | met",
             "--- | --- | --- | --- | --- | --- | --- | ---"]
    for name, xs, floor, goal, met in rows:
        lines.append(f"{name} | {len(xs)} | {pct(xs, 50) * ms:.2f} | {pct(xs, 99) * ms:.2f} | "
                     f"{floor * ms:.2f} | {pct(xs, 50) / floor:.2f} | {goal} | "
                     f"{'yes' if met else 'NO'}")
    for name, xs in (("floor: GET /healthz round trip", res.healthz),
                     ("floor: SQLite WAL commit (synchronous FULL)", res.commit),
                     (f"floor: raw bacpypes3 write_property {RAW_OBJECT} (ahu-aud-1)", res.raw),
                     (f"raw bacpypes3 write_property {RAW_OBJECT} to the 3 auditorium units at "
                      "once", res.raw3)):
        lines.append(f"{name} | {len(xs)} | {pct(xs, 50) * ms:.2f} | {pct(xs, 99) * ms:.2f} | "
                     "– | – | – | –")
    if res.missed:
        lines.append(f"\n{res.missed} pushes never reached all three units within 2 s.")
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["--building"]:
        building(sys.argv[2])
        return
    ap = argparse.ArgumentParser(prog="python3 bench/push_process.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pushes", type=int, default=PUSHES)
    args = ap.parse_args()
    t = time.perf_counter()
    res = measure(args.pushes)
    print("## Occupancy push → device, the service as its own process (three processes, "
          "loopback)\n")
    print(table(res))
    extra = f" --pushes {args.pushes}" if args.pushes != PUSHES else ""
    print(f"\ncommand: python3 bench/push_process.py{extra}")
    print(f"total run time {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
