"""Two instances on one PostgreSQL store, mid-show, and the leader killed: the standby takes
over within 10 s and re-asserts the plan; a box office pushing every 2 s to either instance,
retrying on 503 and connection errors as a real integration does, loses nothing; an override
set on the standby before the kill reaches the unit. Real processes, real sockets."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from hvac_ctl.store import Store
from tests import pg
from tests.harness import config_on_free_ports, free_port
from tests.processes import device_values, hvac, wait_ready

pytestmark = pytest.mark.e2e

START = datetime.fromisoformat("2026-12-05T19:40:00")
SHOW = "tosca-2026-12-05"
TAKEOVER_S = 10.0


def role(url: str) -> str | None:
    try:
        return httpx.get(f"{url}/readyz", timeout=1).json()["role"]  # type: ignore[no-any-return]
    except (httpx.HTTPError, ValueError, KeyError):
        return None


def push(urls: list[str], n: int, headers: dict[str, str], acked: list[tuple[int, str]]) -> None:
    """One count, to instance n % 2 first, then the other, until one takes it (a box office
    retries a 503 or a refused connection)."""
    count = 1000 + n
    at = (START + timedelta(seconds=n)).isoformat()
    for attempt in range(20):
        url = urls[(n + attempt) % 2]
        try:
            r = httpx.post(f"{url}/api/v1/occupancy", headers=headers, timeout=5,
                           json={"event": SHOW, "count": count, "at": at + "+08:00"})
        except httpx.HTTPError:
            time.sleep(0.5)
            continue
        if r.status_code == 503:
            time.sleep(0.5)
            continue
        assert r.status_code == 200, r.text
        acked.append((count, at))
        return
    raise AssertionError(f"push {n} was never taken")


def test_the_leader_killed_mid_show_the_standby_takes_over_and_nothing_is_lost(
        tmp_path: Path, postgres: pg.Cluster) -> None:
    db = postgres.new_database()
    ports = config_on_free_ports(tmp_path / "config")
    cfg = str(ports.folder)
    tokens = {role_: subprocess.run(hvac("token", "create", "--config", cfg, "--db", db,
                                         "--role", role_, "--name", role_),
                                    capture_output=True, text=True, check=True).stdout.strip()
              for role_ in ("boxoffice", "operator")}
    box = {"Authorization": f"Bearer {tokens['boxoffice']}"}
    op = {"Authorization": f"Bearer {tokens['operator']}"}
    sim = subprocess.Popen(hvac("sim", "--config", cfg, "--start", START.isoformat(),
                                "--status-every", "60"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    began = time.monotonic()
    procs: dict[str, subprocess.Popen[bytes]] = {}
    urls: dict[str, str] = {}
    for name in ("a", "b"):
        port = free_port(socket.SOCK_STREAM)
        urls[name] = f"http://127.0.0.1:{port}"
        at = START + timedelta(seconds=time.monotonic() - began)
        procs[name] = subprocess.Popen(
            hvac("serve", "--config", cfg, "--db", db, "--instance", name, "--port", str(port),
                 "--start", at.isoformat(timespec="seconds"), "--tick", "2", "--poll", "2",
                 "--bacnet-local", f"127.0.0.1/24:{free_port(socket.SOCK_DGRAM)}"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for name in procs:
            wait_ready(urls[name], procs[name])
        deadline = time.monotonic() + 15
        while {role(urls["a"]), role(urls["b"])} != {"leader", "standby"}:
            assert time.monotonic() < deadline, "no single leader"
            time.sleep(0.2)
        leader = "a" if role(urls["a"]) == "leader" else "b"
        standby = "b" if leader == "a" else "a"
        order = [urls["a"], urls["b"]]
        acked: list[tuple[int, str]] = []
        for n in range(3):
            push(order, n, box, acked)
            time.sleep(2)
        r = httpx.post(f"{urls[standby]}/api/v1/overrides", headers=op, json={
            "unit": "ahu-aud-2", "point": "fan_speed_max", "value": 65, "minutes": 60,
            "reason": "set on the standby"})
        assert r.status_code == 201, r.text

        procs[leader].send_signal(signal.SIGKILL)
        procs[leader].wait(timeout=10)
        killed = time.monotonic()
        took = None
        n = 3
        while time.monotonic() - killed < TAKEOVER_S + 8:
            push(order, n, box, acked)
            n += 1
            if took is None and role(urls[standby]) == "leader":
                took = time.monotonic() - killed
            time.sleep(2)
        assert took is not None and took <= TAKEOVER_S, f"takeover took {took} s"
        print(f"takeover seen within {took:.1f} s (checked every 2 s)")
        metrics = httpx.get(f"{urls[standby]}/metrics", timeout=5).text
        assert f'hvac_leader{{instance="{standby}"}} 1' in metrics
        assert "hvac_takeovers_total 1" in metrics
        held = device_values(ports.client, ports.bacnet["ahu-aud-2"])
        assert held["fan_speed_max"] == 65.0 and 8 in held["slots"]
        store = Store(db)
        stored = {r.count for r in store.pushes([SHOW])}  # each push its own count
        store.close()
        assert len(acked) >= 8 and {c for c, _ in acked} <= stored, (acked, stored)
    finally:
        for proc in (*procs.values(), sim):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
