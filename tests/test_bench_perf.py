"""`python3 bench/perf` runs: its cheapest real section, as a subprocess, prints its table.

The memory section starts the simulator and the service as processes against the default
venue and a small generated one (--quick), so it exercises the CLI, the venue generator and
the process handling end to end. Only the shape of the output is checked, never a timing.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.harness import ROOT

pytestmark = pytest.mark.e2e

HEADER = ("venue | units (BACnet + Modbus) | simulator ready s | service ready s | ticks | "
          "devices online | service VmRSS MiB | service VmHWM MiB | simulator VmRSS MiB | "
          "RSS over default MiB | MiB per extra unit")


def test_perf_memory_quick_prints_a_table_of_positive_numbers() -> None:
    r = subprocess.run([sys.executable, "bench/perf", "--quick", "--only", "memory"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert HEADER in lines, r.stdout
    rows = [line.split(" | ") for line in lines[lines.index(HEADER) + 2:] if " | " in line]
    assert [row[0] for row in rows] == ["default venue", "generated venue"], r.stdout
    for row in rows:
        units = int(row[1].split()[0])
        assert units >= 7
        online, of = (int(x) for x in row[5].split(" / "))
        assert of == units and online > 0, r.stdout  # not all: a loaded machine times out
        for cell in row[2:5] + row[6:9]:  # ready times, ticks, VmRSS, VmHWM, simulator VmRSS
            assert float(cell) > 0, (cell, r.stdout)
    extra, per_unit = float(rows[1][9]), float(rows[1][10])  # numbers, of either sign
    assert abs(extra - per_unit * (int(rows[1][1].split()[0]) - 7)) < 0.1, r.stdout
    assert "FAILED" not in r.stdout, r.stdout
    assert re.search(r"generated venue stopped: service: SIGINT", r.stdout), r.stdout
