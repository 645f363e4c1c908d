"""kill -9 mid-show: every accepted push and override is there afterwards, the units hold."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.harness import config_on_free_ports, free_port
from tests.processes import device_values, hvac, wait_ready

pytestmark = pytest.mark.e2e

START = datetime.fromisoformat("2026-12-05T19:40:00")
SHOW = "tosca-2026-12-05"


def test_kill_9_mid_show_loses_nothing(tmp_path: Path, store_url: str) -> None:
    """The service as `hvac-ctl serve` runs it, on a SQLite file and on PostgreSQL."""
    ports = config_on_free_ports(tmp_path / "config")
    cfg = str(ports.folder)
    db = store_url
    port = free_port(socket.SOCK_STREAM)
    url = f"http://127.0.0.1:{port}"
    tokens = {role: subprocess.run(hvac("token", "create", "--config", cfg, "--db", db,
                                        "--role", role, "--name", role),
                                   capture_output=True, text=True, check=True).stdout.strip()
              for role in ("boxoffice", "operator")}
    sim = subprocess.Popen(hvac("sim", "--config", cfg, "--start", START.isoformat(),
                                "--status-every", "60"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    service_port = free_port(socket.SOCK_DGRAM)
    began = time.monotonic()

    def serve() -> subprocess.Popen[bytes]:
        at = START + timedelta(seconds=time.monotonic() - began)
        return subprocess.Popen(hvac("serve", "--config", cfg, "--db", db, "--port", str(port),
                                     "--start", at.isoformat(timespec="seconds"),
                                     "--bacnet-local", f"127.0.0.1/24:{service_port}"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    service = serve()
    try:
        wait_ready(url, service)
        box = {"Authorization": f"Bearer {tokens['boxoffice']}"}
        op = {"Authorization": f"Bearer {tokens['operator']}"}
        r = httpx.post(f"{url}/api/v1/occupancy", headers=box,
                       json={"event": SHOW, "count": 1600})
        assert r.status_code == 200 and r.json()["stored"]
        r = httpx.post(f"{url}/api/v1/overrides", headers=op, json={
            "unit": "ahu-aud-2", "point": "fan_speed_max", "value": 65, "minutes": 60,
            "reason": "a quiet aria"})
        assert r.status_code == 201
        time.sleep(1.0)
        overrides = httpx.get(f"{url}/api/v1/overrides", headers=op).json()
        occupancy = httpx.get(f"{url}/api/v1/occupancy", headers=op,
                              params={"event": SHOW}).json()
        before = device_values(ports.client, ports.bacnet["ahu-aud-2"])
        read_at = time.monotonic()
        assert before["fan_speed_max"] == 65.0 and before["slots"] == [8, 12]

        service.send_signal(signal.SIGKILL)
        service.wait(timeout=10)
        held = device_values(ports.client, ports.bacnet["ahu-aud-2"])
        assert held == before  # the units hold their values while the service is down

        service = serve()
        wait_ready(url, service)
        time.sleep(1.0)
        again = httpx.get(f"{url}/api/v1/overrides", headers=op).json()
        assert [(o["id"], o["unit"], o["point"], o["value"], o["until"]) for o in again] == [
            (o["id"], o["unit"], o["point"], o["value"], o["until"]) for o in overrides]
        assert 0 < again[0]["remaining_s"] <= overrides[0]["remaining_s"]
        after_occ = httpx.get(f"{url}/api/v1/occupancy", headers=op,
                              params={"event": SHOW}).json()
        assert after_occ["latest"] == occupancy["latest"]
        assert after_occ["acted_on"] == occupancy["acted_on"] == 1600
        after = device_values(ports.client, ports.bacnet["ahu-aud-2"])
        assert after["fan_speed_max"] == 65.0 and after["slots"] == [8, 12]
        # the plan's setpoint may still be ramping at 0.2 K/min: no jump across the restart
        minutes = (time.monotonic() - read_at) / 60
        assert abs(after["setpoint"] - before["setpoint"]) <= 0.2 * minutes + 0.05
    finally:
        for proc in (service, sim):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
