"""`python3 bench/perf` runs: its cheapest real sections, as a subprocess, print their tables.

The memory section starts the simulator and the service as processes against the default
venue and a small generated one (--quick), so it exercises the CLI, the venue generator and
the process handling end to end. The plan section is run against a baseline (the committed
HEAD's own bench/perf in a temporary worktree), which must be removed afterwards, also when
the run is interrupted. How tables are read back and set beside a baseline, floors and goals
is tested on text. Only the shape of the output and the arithmetic on given numbers are
checked, never a timing.
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.perf.common import Figure, Source
from bench.perf.compare import Compare, annotate, summary, tables
from bench.perf.profiling import IDLE, charged, part_of
from tests.harness import ROOT

HEADER = ("venue | units (BACnet + Modbus) | simulator ready s | service ready s | ticks | "
          "devices online | service VmRSS MiB | service VmHWM MiB | simulator VmRSS MiB | "
          "RSS over default MiB | MiB per extra unit")


@pytest.mark.e2e
def test_perf_memory_quick_prints_a_table_of_positive_numbers() -> None:
    r = subprocess.run([sys.executable, "bench/perf", "--quick", "--only", "memory",
                        "--no-baseline"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert HEADER in r.stdout.splitlines(), r.stdout
    rows = tables(r.stdout)["venue"].rows
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


CURRENT = """## A section

measure | n | p50 ms | p99 ms | note
--- | --- | --- | --- | ---
push | 10 | 30.00 | 60.00 | x
post | 10 | 20.00 | 40.00 | y
new row | 5 | 1,000.5 | 2.00 | z

a note | with a pipe
"""
BASE = """## The same section, an older release

measure | n | p50 ms | points/s
--- | --- | --- | ---
post | 12 | 10.00 | 400
push | 12 | 40.00 | 300
"""


def test_tables_are_read_back_by_first_header_cell_and_rows_by_leading_cells() -> None:
    t = tables(CURRENT)["measure"]
    assert t.header == ["measure", "n", "p50 ms", "p99 ms", "note"]
    assert [r[0] for r in t.rows] == ["push", "post", "new row"]
    assert t.cell(("post",), "p99 ms") == "40.00"
    assert t.cell(("gone",), "p99 ms") is None and t.cell(("post",), "nope") is None


def test_annotate_puts_the_ratio_to_the_baseline_beside_each_compared_figure() -> None:
    out = annotate(CURRENT, tables(BASE), {"measure": Compare(1, {"p50 ms": True,
                                                                  "p99 ms": True})})
    t = tables(out)["measure"]
    assert t.header == ["measure", "n", "p50 ms", "p50 ms vs baseline", "p99 ms",
                        "p99 ms vs baseline", "note"]
    rows = {r[0]: r for r in t.rows}
    assert rows["push"][3] == "0.75"  # 30 / 40: faster than the baseline
    assert rows["post"][3] == "2.00"  # 20 / 10: a regression is above 1
    assert rows["new row"][3] == "–"  # no such row at the baseline
    assert rows["push"][5] == "–"  # no such column at the baseline
    assert out.startswith("## A section") and out.rstrip().endswith("a note | with a pipe")
    # a table nobody asked to compare stays as it was
    assert annotate(CURRENT, tables(BASE), {}) == CURRENT.rstrip("\n")


def figure(value: float, floor: float | None, goal: float | None, on_ratio: bool = False,
           lower: bool = True) -> Figure:
    return Figure("f", value, "ms" if lower else "points/s",
                  Source("measure", ("push",), "p50 ms" if lower else "points/s"), floor,
                  "floor", goal, on_ratio, lower)


def test_goals_are_met_or_not_from_the_numbers() -> None:
    assert figure(6.0, 3.0, 2.0, on_ratio=True).met() is True  # 6 / 3 = 2 ≤ 2
    assert figure(6.1, 3.0, 2.0, on_ratio=True).met() is False
    assert figure(2.9, 1.0, 3.0).met() is True  # the value itself ≤ 3 ms
    assert figure(3.1, 1.0, 3.0).met() is False
    assert figure(math.nan, 1.0, 3.0).met() is None and figure(1.0, 1.0, None).met() is None
    rate = figure(800.0, 1000.0, None, lower=False)
    assert math.isclose(rate.cost(rate.floor), 1.25)  # a rate's cost: floor / value


def test_the_summary_has_floor_goal_and_baseline_columns() -> None:
    figs = [("push", figure(45.0, 15.0, 2.0, on_ratio=True)), ("push", figure(2.5, None, 3.0)),
            ("push", figure(900.0, 1000.0, None, lower=False))]
    t = tables(summary(figs, {"push": tables(BASE)}, "v1"))["figure"]
    assert t.header == ["figure", "value", "unit", "floor", "floor is", "ratio to floor",
                        "goal", "met", "baseline v1", "vs baseline"]
    (a, b, c) = t.rows
    assert a[3:8] == ["15.00", "floor", "3.00", "≤ 2 × floor", "NOT MET"]
    assert a[8:] == ["40.00", "1.12"]  # 45 / 40
    assert b[3] == "—" and b[5] == "—" and b[6:8] == ["≤ 3 ms", "met"]
    assert c[5] == "1.11" and c[6:8] == ["—", "—"]  # 1000 / 900, no goal
    assert c[8:] == ["300.0", "0.33"]  # a rate: baseline / current
    assert "baseline" not in summary(figs, None)


def worktrees() -> str:
    return subprocess.run(["git", "worktree", "list"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.e2e
def test_perf_plan_quick_against_a_baseline_has_ratio_columns_and_leaves_no_worktree() -> None:
    r = subprocess.run([sys.executable, "bench/perf", "--quick", "--only", "plan",
                        "--baseline", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    m = re.search(r"^baseline: HEAD \(.*\): its own bench/perf in a temporary worktree "
                  r"\((\S+), removed at the end\)", r.stdout, re.M)
    assert m, r.stdout
    assert not Path(m.group(1)).exists() and m.group(1) not in worktrees()
    plan = tables(r.stdout)["calendar"]
    assert "s per year vs baseline" in plan.header, r.stdout
    col = plan.header.index("s per year vs baseline")
    for row in plan.rows:  # both calendars are at the baseline: a positive ratio each
        assert float(row[col]) > 0, r.stdout
    fig = tables(r.stdout)["figure"]
    (row,) = fig.rows
    assert row[0].startswith("planning a year of the shipped calendar"), r.stdout
    assert row[6] == "≤ 0.1 s" and row[7] == ("met" if float(row[1]) <= 0.1 else "NOT MET")
    assert fig.header[-2:] == ["baseline HEAD", "vs baseline"] and float(row[-1]) > 0


@pytest.mark.e2e
def test_perf_interrupted_during_the_baseline_removes_its_worktree_and_process() -> None:
    proc = subprocess.Popen([sys.executable, "bench/perf", "--quick", "--only", "plan",
                             "--baseline", "HEAD"], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        assert proc.stdout is not None
        tree = None
        for line in proc.stdout:
            if m := re.search(r"temporary worktree \((\S+), removed", line):
                tree = Path(m.group(1))
                break
        assert tree is not None and tree.exists()
        deadline = time.monotonic() + 60
        while not inside(tree, "bench/perf"):  # this tree's plan section, then the baseline's
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and "interrupted" in rest, rest
    assert not tree.exists() and str(tree) not in worktrees()
    assert not inside(tree)


def inside(tree: Path, running: str = "") -> list[str]:
    """Processes working in `tree` (or naming it), whose command line has `running`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if (cwd.startswith(str(tree)) or str(tree) in cmd) and running in cmd:
            found.append(pid)
    return found


def test_a_profile_charges_the_standard_library_to_its_callers_parts() -> None:
    bac = ("/site-packages/bacpypes3/pdu.py", 1, "encode")
    ours = ("/work/main/hvac_ctl/control/loop.py", 2, "tick")
    loop = ("/lib/python3.11/asyncio/selector_events.py", 3, "sendto")
    inspect_ = ("/lib/python3.11/inspect.py", 4, "_shadowed_dict")
    sock = ("~", 0, "<method 'sendto' of '_socket.socket' objects>")
    raw = {  # key: (calls, calls, self s, cumulative s, {caller: (.., .., .., cumulative s)})
        bac: (1, 1, 0.5, 2.0, {}), ours: (1, 1, 0.25, 1.0, {}), loop: (1, 1, 0.1, 0.2, {}),
        inspect_: (4, 4, 0.8, 0.8, {bac: (3, 3, 0.6, 0.6), ours: (1, 1, 0.2, 0.2)}),
        sock: (2, 2, 0.2, 0.2, {loop: (2, 2, 0.2, 0.2)}),
    }
    assert charged(raw, inspect_, 0.8) == pytest.approx({
        "bacpypes3 (driver and simulated devices)": 0.6, "service: hvac_ctl": 0.2})
    assert charged(raw, sock, 0.2) == pytest.approx({
        "asyncio (the loop, its transports and their socket calls)": 0.2})
    assert part_of(("~", 0, "<method 'poll' of 'select.epoll' objects>")) == IDLE
    assert charged(raw, ("/lib/json.py", 9, "dumps"), 0.1) == {"other": 0.1}  # no callers
