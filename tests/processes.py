"""The service and the simulator as real processes, for the tests that kill, freeze and
restart them: the command line, readiness, and what a unit holds, read over BACnet."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.harness import Ports, bacnet_client, config_on_free_ports, free_port


def hvac(*args: str) -> list[str]:
    return [sys.executable, "-m", "hvac_ctl", *args]


def wait_ready(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the service exited"
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the service did not become ready")


def device_values(client_port: int, device_port: int) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        app = bacnet_client(client_port, 3998)
        try:
            dev = f"127.0.0.1:{device_port}"
            array = await app.read_property(dev, "analog-value,3", "priority-array")
            return {
                "fan_speed_max": float(await app.read_property(dev, "analog-value,3",
                                                               "present-value")),
                "setpoint": float(await app.read_property(dev, "analog-value,1",
                                                          "present-value")),
                "slots": sorted(i + 1 for i, p in enumerate(array) if p._choice != "null"),
            }
        finally:
            app.close()

    return asyncio.run(asyncio.wait_for(read(), 20))


@dataclass
class Pair:
    """Two instances of the service on one PostgreSQL store, with the simulator (which logs
    every network write with its sender: `write_log`)."""

    urls: dict[str, str]
    procs: dict[str, subprocess.Popen[bytes]]
    bacnet_local: dict[str, int]  # instance → its BACnet client port: its writes' sender
    ports: Ports
    box: dict[str, str]
    operator: dict[str, str]
    write_log: Path

    def role(self, name: str) -> str | None:
        try:
            r = httpx.get(f"{self.urls[name]}/readyz", timeout=3)
            return r.json()["role"]  # type: ignore[no-any-return]
        except (httpx.HTTPError, ValueError, KeyError):
            return None

    def leader(self, within_s: float = 15.0) -> tuple[str, str]:
        """(leader, standby) once exactly one leads."""
        deadline = time.monotonic() + within_s
        while True:
            roles = {n: self.role(n) for n in self.urls}
            if sorted(roles.values(), key=str) == ["leader", "standby"]:
                lead = next(n for n, r in roles.items() if r == "leader")
                return lead, next(n for n in roles if n != lead)
            assert time.monotonic() < deadline, f"no single leader: {roles}"
            time.sleep(0.2)

    def writes(self) -> list[tuple[str, str, str, str]]:
        """The simulator's network writes so far: (unit, point, value, sender instance)."""
        return [(unit, point, value, who) for unit, point, value, who, _ in self.timed_writes()]

    def timed_writes(self) -> list[tuple[str, str, str, str, float]]:
        """… and each write's wall-clock Unix time."""
        by_port = {str(p): n for n, p in self.bacnet_local.items()}
        out = []
        for line in self.write_log.read_text().splitlines():
            _, unit, point, value, who, at = line.split("\t")
            out.append((unit, point, value, by_port.get(who.rsplit(":", 1)[-1], who),
                        float(at)))
        return out


@contextmanager
def two_instances(tmp_path: Path, db: str, start: datetime) -> Iterator[Pair]:
    """The simulator and instances `a` and `b` (ticking every 2 s, polling every 2 s) from
    `start` on the simulator's clock, ready; every process stopped at the end."""
    ports = config_on_free_ports(tmp_path / "config")
    cfg = str(ports.folder)
    tokens = {role: subprocess.run(hvac("token", "create", "--config", cfg, "--db", db,
                                        "--role", role, "--name", role),
                                   capture_output=True, text=True, check=True).stdout.strip()
              for role in ("boxoffice", "operator")}
    log = tmp_path / "writes.tsv"
    sim = subprocess.Popen(hvac("sim", "--config", cfg, "--start", start.isoformat(),
                                "--status-every", "60", "--write-log", str(log)),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    began = time.monotonic()
    procs: dict[str, subprocess.Popen[bytes]] = {}
    urls: dict[str, str] = {}
    local: dict[str, int] = {}
    try:
        for name in ("a", "b"):
            port = free_port(socket.SOCK_STREAM)
            urls[name] = f"http://127.0.0.1:{port}"
            local[name] = free_port(socket.SOCK_DGRAM)
            at = start + timedelta(seconds=time.monotonic() - began)
            out = (tmp_path / f"serve-{name}.log").open("w")  # read when a test fails
            procs[name] = subprocess.Popen(
                hvac("serve", "--config", cfg, "--db", db, "--instance", name, "--port",
                     str(port), "--start", at.isoformat(timespec="seconds"), "--tick", "2",
                     "--poll", "2", "--bacnet-local", f"127.0.0.1/24:{local[name]}"),
                stdout=out, stderr=subprocess.STDOUT)
        for name in procs:
            wait_ready(urls[name], procs[name])
        yield Pair(urls, procs, local, ports,
                   {"Authorization": f"Bearer {tokens['boxoffice']}"},
                   {"Authorization": f"Bearer {tokens['operator']}"}, log)
    finally:
        for proc in (*procs.values(), sim):
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)  # a frozen one must hear the SIGINT
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
