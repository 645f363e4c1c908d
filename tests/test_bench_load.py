"""`python3 bench/load` runs end to end, short: a simulator and the service as processes on
loopback, a boxoffice token from the CLI, pushes at a rate, then the store checked push by push.

Only what must hold whatever the machine's load is checked: every push answered 2xx, none lost
or doubled, the table and the verdict printed; never a latency or the rate achieved.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.harness import ROOT

pytestmark = pytest.mark.e2e

ARGS = ["--rate", "50", "--seconds", "3", "--units", "10"]
PUSHES = 150


def test_bench_load_short_run_loses_and_doubles_nothing() -> None:
    r = subprocess.run([sys.executable, "bench/load", *ARGS], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    out = r.stdout
    assert r.returncode == 0, out + r.stderr
    lines = out.splitlines()
    assert "figure | value" in lines and "--- | ---" in lines, out
    figures = dict(line.split(" | ", 1) for line in lines[lines.index("--- | ---") + 1:]
                   if " | " in line)
    assert figures["venue"] == "10 units (5 BACnet + 5 Modbus)", out
    assert figures["answered 2xx"] == f"{PUSHES}", out
    assert figures["answered non-2xx"] == "0", out
    assert figures["not answered (timeout, connection)"] == "0", out
    assert figures["**lost** (2xx, not stored)"] == "0", out
    assert figures["**doubled** (stored more than once)"] == "0", out
    # every push and the clock read are in the store, and the API counts as many
    assert figures["stored: store rows / GET /api/v1/occupancy"] == (
        f"{PUSHES + 1} / {PUSHES + 1}"), out
    assert any(line.startswith("verdict: PASS") for line in lines), out
    assert f"command: python3 bench/load {' '.join(ARGS)}" in lines, out
