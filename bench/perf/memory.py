"""The service's memory: the default venue against a generated 500-unit one.

Each venue is a configuration folder on free loopback ports (bench/_venues.py). For each, the
simulator serves it in its own process (`python3 -m hvac_ctl sim`) and the service runs as
its own process (`python3 -m hvac_ctl serve`, a temporary SQLite store, 127.0.0.1 on a free
port), both on one simulated clock running at real speed. Once /readyz answers 200, a few more
control ticks have run and the units answer, the service's VmRSS (resident now) and VmHWM
(the peak, which includes loading the configuration) are read from /proc/<pid>/status. The
ratio is the resident memory each unit beyond the default venue adds.

Why processes and not one event loop: the service's memory must not include the simulator's
or this script's. Every child is stopped by SIGINT, then SIGTERM, then SIGKILL, each bounded
by a timeout, whatever happened before; everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import ctypes
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TypeVar

import httpx

from bench._venues import Venue, free_ports, replicated_venue
from bench.perf.common import ROOT, Figure, Output, Source, table
from bench.perf.compare import Compare

T = TypeVar("T")

# venue time, as the CLI reads it: Tosca's evening, doors at 19:00, so the units run
START = datetime.fromisoformat("2026-12-05T18:00")
# Real time, not accelerated: at ×30 a 500-unit venue's reads and writes arrive in bursts the
# one simulator process cannot answer within the drivers' 2 s timeout on a loaded 2-core
# machine, and most units show offline. A short tick instead gives the few ticks quickly.
TICK_S, QUICK_TICK_S = 5.0, 2.0  # wall seconds (--tick); the default is 60
POLL_S = 10.0  # wall seconds (--poll), the default
TICKS = 3  # control ticks to wait for after /readyz, beyond the one run at start
# (BACnet, Modbus) units of the templates' layout; the default venue's other 5 units stay.
# 100 BACnet rather than 250: 250 BACnet devices take the simulator ~50 s to bring up (100:
# ~25 s), and with them the service's polls and writes keep timing out on this machine (at
# times half to nearly all of the units offline); Modbus units are far cheaper to serve.
BIG, QUICK_BIG = (100, 400), (10, 10)
# Modbus device ids per simulated TCP server, a gateway for every 5 units: the driver
# serialises requests on its one connection per server, and with 50 ids per server whole
# servers' units time out at once (our reading: a tick's writes queue past the 2 s timeout).
PER_SERVER = 5
SIM_READY_S = 240.0  # a 500-unit config takes ~20 s to parse and ~5–30 s to bind its servers
SERVICE_READY_S = 240.0
TICKS_WAIT_S = 90.0
ONLINE_WAIT_S = 30.0  # after the ticks, for every unit to answer (measured either way)
STOP_WAIT_S = ((signal.SIGINT, 20.0), (signal.SIGTERM, 10.0))
KILL_WAIT_S = 10.0
GOAL_BIG_RSS_MIB = 150.0  # issue 16: the service's RSS on the generated venue
COMPARE = {"venue": Compare(1, {"service ready s": True, "service VmRSS MiB": True,
                                "service VmHWM MiB": True, "MiB per extra unit": True})}


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when this script dies, even by SIGKILL (Linux).

    The children run in a session of their own, so that a Ctrl-C reaches only this script,
    which then stops them in order (the service before the simulator it talks to).
    """
    with suppress(OSError, AttributeError):  # not Linux: the stop() below still holds
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Child:
    """A subprocess with its output in a file, stopped by SIGINT, then SIGTERM, then SIGKILL."""

    def __init__(self, name: str, args: list[str], log: Path) -> None:
        self.name = name
        self.log = log
        self._out: IO[bytes] = log.open("wb")
        env = dict(os.environ)
        # the repository first: `-m hvac_ctl` must find this tree's packages
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        self.started = time.monotonic()
        self.started_wall = time.time()  # to compare with the log file's mtime
        try:
            self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                         stdout=self._out, stderr=subprocess.STDOUT,
                                         start_new_session=True, preexec_fn=_die_with_parent)
        except BaseException:
            self._out.close()
            raise

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 12) -> str:
        return "\n".join(self.text().splitlines()[-lines:])

    def stop(self) -> str:
        """How it ended; never raises an Exception, never waits longer than the bounds above."""
        try:
            if not self.alive():
                return f"{self.name} had exited ({self.proc.returncode})"
            for sig, wait in STOP_WAIT_S:
                t = time.monotonic()
                self.proc.send_signal(sig)
                try:
                    self.proc.wait(wait)
                    rc = self.proc.returncode
                    # uvicorn re-raises the signal once shut down: -2 is a clean SIGINT exit
                    end = f"exit {rc}" if rc >= 0 else f"ended by {signal.Signals(-rc).name}"
                    return f"{self.name}: {sig.name} → {end} in {time.monotonic() - t:.1f} s"
                except subprocess.TimeoutExpired:
                    continue
            self.proc.kill()
            self.proc.wait(KILL_WAIT_S)
            return f"{self.name}: did not stop on SIGINT nor SIGTERM; killed"
        except Exception as e:  # a stop must not hide the measurement
            return f"{self.name}: stopping failed: {e!r}"
        finally:
            self._out.close()


def hvac(*args: str) -> list[str]:
    return [sys.executable, "-m", "hvac_ctl", *args]


def status_mib(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, MiB (Linux /proc)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024  # kB
    return out


def wait_until(what: str, check: Callable[[], T | None], seconds: float,
               children: list[Child]) -> T:
    """Poll `check` until it returns a value; fail early if a child has exited."""
    deadline = time.monotonic() + seconds
    while True:
        for c in children:
            if not c.alive():
                raise RuntimeError(f"{c.name} exited ({c.proc.returncode}) while waiting for "
                                   f"{what}:\n```\n{c.tail()}\n```")
        value = check()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} after {seconds:.0f} s")
        time.sleep(0.25)


@dataclass
class Measured:
    label: str
    bacnet: int = 0
    modbus: int = 0
    sim_ready_s: float = math.nan
    ready_s: float = math.nan
    ticks: int | None = None
    online: int | None = None
    rss: float = math.nan
    hwm: float = math.nan
    sim_rss: float = math.nan
    stops: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def units(self) -> int:
        return self.bacnet + self.modbus


def units_in(zones_yaml: Path) -> tuple[int, int]:
    """BACnet and Modbus units of a zones.yaml, counted without parsing it (a 500-unit file
    takes ~20 s through the validating loader, once in each child already)."""
    text = zones_yaml.read_text(encoding="utf-8")
    return (len(re.findall(r"^    protocol: bacnet\b", text, re.M)),
            len(re.findall(r"^    protocol: modbus\b", text, re.M)))


def metric(http: httpx.Client, name: str) -> int | None:
    try:
        r = http.get("/metrics")
    except httpx.HTTPError:
        return None
    m = re.search(rf"^{name} (\d+)", r.text, re.M) if r.status_code == 200 else None
    return int(m.group(1)) if m else None


def ready(http: httpx.Client) -> dict[str, object] | None:
    try:
        r = http.get("/readyz")
    except httpx.HTTPError:
        return None
    return r.json() if r.status_code == 200 else None  # type: ignore[no-any-return]


def start_sim(venue: Venue, folder: Path, stack: ExitStack, stops: list[str],
              start: datetime = START) -> Child:
    """The simulator serving `venue` from `start`, registered on `stack` to be stopped (how it
    ended goes to `stops`). Shared with bench/load, which runs its venue at doors open."""
    sim = Child("simulator", hvac(
        "sim", "--config", str(venue.folder), "--start", start.isoformat(),
        "--status-every", "3600"), folder / "sim.log")
    stack.callback(lambda: stops.append(sim.stop()))
    return sim


def wait_sim(sim: Child) -> None:
    """Until the simulator says 'ready:' (its servers bound, its clock at its start)."""
    wait_until("'ready:' from the simulator", lambda: True if re.search(
        r"^ready: ", sim.text(), re.M) else None, SIM_READY_S, [sim])


@dataclass
class Served:
    """The service as start_service left it: answering /readyz, on the simulator's clock."""

    child: Child
    http: httpx.Client  # base URL http://127.0.0.1:<port>, closed with the stack
    url: str
    sim_ready: float  # time.monotonic() when the simulator was seen ready (its clock: start)


def start_service(venue: Venue, folder: Path, sim: Child, stack: ExitStack, stops: list[str],
                  tick_s: float, start: datetime = START, db: str | None = None) -> Served:
    """Once the simulator is ready: the service against it on the same clock, until /readyz
    answers 200. Registered on `stack` after the simulator, so it is stopped first.

    The store is folder/store.db, or the URL `db` (a caller that needs a token in it creates
    it first). Shared with bench/load, so that both benches run the service alike.
    """
    wait_sim(sim)
    sim_ready = time.monotonic()
    port = free_ports(socket.SOCK_STREAM, 1)[0]
    # the simulator's clock read `start` when it said ready; the service joins it there
    at = start + timedelta(seconds=time.monotonic() - sim_ready)
    svc = Child("service", hvac(
        "serve", "--config", str(venue.folder), "--db", db or f"sqlite:///{folder / 'store.db'}",
        "--host", "127.0.0.1", "--port", str(port), "--start", at.isoformat(timespec="seconds"),
        "--tick", f"{tick_s:g}", "--poll", f"{POLL_S:g}",
        "--bacnet-local", f"127.0.0.1/24:{venue.client_ports[0]}"), folder / "serve.log")
    stack.callback(lambda: stops.append(svc.stop()))
    url = f"http://127.0.0.1:{port}"
    http = stack.enter_context(httpx.Client(base_url=url, timeout=10.0))
    wait_until("200 from /readyz", lambda: ready(http), SERVICE_READY_S, [sim, svc])
    return Served(svc, http, url, sim_ready)


def measure_service(m: Measured, venue: Venue, folder: Path, sim: Child, stack: ExitStack,
                    ticks: int, tick_s: float) -> None:
    """Once the simulator is ready: the service against it, measured into `m`."""
    wait_sim(sim)
    # When it said so, not when we looked (the big venue's is looked at after the default
    # venue's run): nothing is written after 'ready:' until the first status line, an hour on.
    m.sim_ready_s = sim.log.stat().st_mtime - sim.started_wall
    served = start_service(venue, folder, sim, stack, m.stops, tick_s)
    svc, http = served.child, served.http
    m.ready_s = time.monotonic() - svc.started
    first = wait_until("hvac_ticks_total", lambda: metric(http, "hvac_ticks_total"), 30.0,
                       [sim, svc])
    wait_until(f"{ticks} more ticks", lambda: (
        t if (t := metric(http, "hvac_ticks_total")) is not None and t >= first + ticks
        else None), TICKS_WAIT_S, [sim, svc])
    deadline = time.monotonic() + ONLINE_WAIT_S
    while True:
        body = wait_until("200 from /readyz", lambda: ready(http), 30.0, [sim, svc])
        online = body.get("online")
        m.online = online if isinstance(online, int) else None
        if m.online == m.units or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    mem, sim_mem = status_mib(svc.pid), status_mib(sim.pid)
    m.ticks = metric(http, "hvac_ticks_total")
    m.rss, m.hwm, m.sim_rss = mem["VmRSS"], mem["VmHWM"], sim_mem["VmRSS"]


def failure(e: BaseException) -> str:
    return f"{e}" if isinstance(e, RuntimeError | TimeoutError) else traceback.format_exc()


def measure_all(base: Measured, big: Measured, sizes: tuple[int, int], tmp: Path,
                ticks: int, tick_s: float) -> None:
    """The big venue's simulator starts first: it parses its configuration (~20 s for 500
    units) while the default venue is measured start to finish."""
    folders = {m.label: tmp / m.label.replace(" ", "-") for m in (base, big)}
    venues = {base.label: replicated_venue(folders[base.label], 1, clients=1),
              big.label: replicated_venue(folders[big.label], sizes[0], PER_SERVER,
                                          clients=1, modbus_n=sizes[1])}
    with ExitStack() as big_stack:
        big_sim = None
        try:
            big.bacnet, big.modbus = units_in(venues[big.label].folder / "zones.yaml")
            big_sim = start_sim(venues[big.label], folders[big.label], big_stack, big.stops)
        except Exception as e:
            big.error = failure(e)
        try:
            with ExitStack() as stack:
                base.bacnet, base.modbus = units_in(venues[base.label].folder / "zones.yaml")
                sim = start_sim(venues[base.label], folders[base.label], stack, base.stops)
                measure_service(base, venues[base.label], folders[base.label], sim, stack,
                                ticks, tick_s)
        except Exception as e:
            base.error = failure(e)
        try:
            if big_sim is not None:
                measure_service(big, venues[big.label], folders[big.label], big_sim, big_stack,
                                ticks, tick_s)
        except Exception as e:
            big.error = failure(e)


def run(quick: bool) -> Output:
    sizes = QUICK_BIG if quick else BIG
    ticks, tick_s = (2, QUICK_TICK_S) if quick else (TICKS, TICK_S)
    base, big = Measured("default venue"), Measured("generated venue")
    with tempfile.TemporaryDirectory(prefix="hvac-bench-perf-memory-") as tmp:
        measure_all(base, big, sizes, Path(tmp), ticks, tick_s)
    rows = []
    for m in (base, big):
        extra = m.rss - base.rss
        per_unit = extra / (m.units - base.units) if m.units != base.units else math.nan
        rows.append((m.label, f"{m.units} ({m.bacnet} + {m.modbus})", f"{m.sim_ready_s:.1f}",
                     f"{m.ready_s:.1f}", "–" if m.ticks is None else m.ticks,
                     "–" if m.online is None else f"{m.online} / {m.units}", f"{m.rss:.1f}",
                     f"{m.hwm:.1f}", f"{m.sim_rss:.1f}",
                     "–" if m is base else f"{extra:+.1f}",
                     "–" if m is base or not math.isfinite(per_unit) else f"{per_unit:.3f}"))
    header = ("venue", "units (BACnet + Modbus)", "simulator ready s", "service ready s",
              "ticks", "devices online", "service VmRSS MiB", "service VmHWM MiB",
              "simulator VmRSS MiB", "RSS over default MiB", "MiB per extra unit")
    notes = [
        f"Generated venue: ahu-aud-1 (BACnet) ×{sizes[0]} and ahu-stage-main (Modbus) "
        f"×{sizes[1]} ({PER_SERVER} device ids per Modbus TCP server), plus the default "
        "venue's other units, all on free loopback ports (bench/_venues.py). Fewer BACnet "
        "than Modbus units on purpose: see BIG in bench/perf/memory.py.",
        f"Simulator and service in their own processes, real time from "
        f"{START:%Y-%m-%d %H:%M} (venue time); service --tick {tick_s:g} --poll {POLL_S:g}. "
        f"Measured once /readyz answered 200, {ticks} more ticks had run and every unit was "
        f"online (or {ONLINE_WAIT_S:g} s more had passed). 'ready s' counts from the "
        "process's start (imports and parsing the configuration included); the default "
        "venue runs while the generated venue's simulator starts, so its times are slower "
        "than alone. ticks: hvac_ticks_total when measured.",
    ]
    for m in (base, big):
        if m.error:
            notes.append(f"{m.label} FAILED: {m.error}")
        notes.append(f"{m.label} stopped: " + "; ".join(m.stops))
    figure = Figure(f"service VmRSS, generated {big.units or '?'}-unit venue", big.rss, "MiB",
                    Source("venue", ("generated venue",), "service VmRSS MiB"), base.rss,
                    f"the {base.units or '?'}-unit default venue's",
                    None if quick else GOAL_BIG_RSS_MIB)  # the goal is the 505-unit venue's
    return Output(f"## Memory: the service's resident set, default venue vs a generated "
                  f"{big.units or '?'}-unit venue\n\n" + table(header, rows) + "\n\n"
                  + "\n".join(notes), [figure])
