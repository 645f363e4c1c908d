"""The service and the simulator as real processes, for the tests that kill, freeze and
restart them: the command line, readiness, and what a unit holds, read over BACnet."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Any

import httpx

from tests.harness import bacnet_client


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
