"""Poll throughput: points read per second through our drivers against the raw libraries.

Reuses bench/drivers.py's rig (the simulator serving a replicated venue on free loopback
ports in this event loop, both drivers, a raw bacpypes3 application and raw pymodbus clients
with the driver's coalesced ranges) and its interleaved sweeps. Two ways of reading every
unit's 9 sensor and energy points:

- one unit at a time: bench/drivers.py's sweeps (latency-bound; what a single task sees);
- all units at once: one `asyncio.gather` over every unit per sweep, as the service's
  `Poller.poll_all` does, on both sides.

The ratio is driver points/s over raw points/s (1.00: the driver costs nothing; below 1: it
costs that fraction). Client and server share one process and one core, so the figures are
an in-process bound, not a network's.
"""

from __future__ import annotations

import asyncio
import gc
import math
import tempfile
import time
import traceback
from pathlib import Path

from bacpypes3.apdu import ErrorRejectAbortNack

from bench._venues import replicated_venue
from bench.drivers import POINTS, Read, Row, rig, time_reads, timed
from bench.perf.common import Figure, Output, Source, ms, pct, ratio, table
from bench.perf.compare import Compare

SIZES, QUICK_SIZES = (10, 100), (10,)
READS, QUICK_READS = 200, 40  # per side and venue; sweeps = max(MIN_SWEEPS, READS / units)
MIN_SWEEPS = 2  # 100 units: 2 sweeps per side and mode, 200 device reads
TIMEOUT_S = 240.0
COMPARE = {"protocol": Compare(3, {"driver points/s": False, "raw points/s": False,
                                   "driver read p50 ms": True})}
GATHER = "all units at once"


async def gather_reads(n: int, units: list[str], sides: dict[str, Read], sweeps: int,
                       op: str = GATHER, points: int = len(POINTS)) -> Row:
    """Sweeps reading every unit at once; driver and raw alternate which goes first."""
    row = Row(n, op, points)
    for fn in sides.values():
        await asyncio.gather(*(fn(u) for u in units))
    gc.collect()
    sweeps += sweeps % 2
    for s in range(sweeps):
        for side in (("driver", "raw") if s % 2 == 0 else ("raw", "driver")):
            fn = sides[side]
            t = time.perf_counter()
            await asyncio.gather(*(timed(row, side, lambda fn=fn, u=u: fn(u))  # type: ignore[misc]
                                   for u in units))
            row.total[side] += time.perf_counter() - t
    return row


def points_per_s(row: Row, side: str) -> float:
    """Points of the successful reads only: a read that fails fast must not add throughput."""
    xs = row.driver if side == "driver" else row.raw
    ok = len(xs) - row.failures[side]
    return row.points * ok / row.total[side] if row.total[side] else math.nan


async def measure(sizes: tuple[int, ...], reads: int, folder: Path,
                  rows: list[tuple[str, Row]], notes: list[str]) -> None:
    for n in sizes:
        venue = replicated_venue(folder / f"venue-{n}", n)
        try:
            async with rig(venue) as r:
                notes.append(f"{n} units per protocol: {r.units_served} units served, "
                             f"load_config {r.t_load:.2f} s, simulator start {r.t_sim:.2f} s")
                for c in r.cases:
                    sides = {"driver": c.read, "raw": c.raw_read}
                    rows.append((c.proto, await time_reads(n, c.units, sides, reads, MIN_SWEEPS)))
                    rows[-1][1].op = "one unit at a time"
                    sweeps = max(MIN_SWEEPS, math.ceil(reads / n))
                    rows.append((c.proto, await gather_reads(n, c.units, sides, sweeps)))
                    if c.raw_read_all is not None:  # BACnet: every point, commands included
                        every = len(c.driver.devices[c.units[0]].points)
                        rows.append((c.proto, await gather_reads(
                            n, c.units, {"driver": c.read_all, "raw": c.raw_read_all}, sweeps,
                            f"{GATHER}, all {every} points", every)))
        except (Exception, ErrorRejectAbortNack):  # bacpypes3's error is a BaseException
            notes.append(f"venue {n} FAILED:\n```\n{traceback.format_exc()}```")


def run(quick: bool) -> Output:
    sizes, reads = (QUICK_SIZES, QUICK_READS) if quick else (SIZES, READS)
    rows: list[tuple[str, Row]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hvac-bench-perf-poll-") as tmp:
        try:
            asyncio.run(asyncio.wait_for(measure(sizes, reads, Path(tmp), rows, notes),
                                         TIMEOUT_S))
        except TimeoutError:
            notes.append(f"TIMED OUT after {TIMEOUT_S:.0f} s: the table holds what finished.")
    out = []
    figures = []
    for proto, r in sorted(rows, key=lambda pr: (pr[0] != "modbus", pr[1].units)):
        d, w = points_per_s(r, "driver"), points_per_s(r, "raw")
        out.append((proto, r.units, r.op, len(r.driver), f"{d:,.0f}", f"{w:,.0f}", ratio(d, w),
                    ms(pct(r.driver, 50), 3), ms(pct(r.raw, 50), 3),
                    f"{r.failures['driver']}/{r.failures['raw']}"))
        if proto == "bacnet" and r.op.startswith(f"{GATHER}, all") and r.units == max(sizes):
            figures.append(Figure(
                f"BACnet poll, {r.units} devices × {r.points} points at once: driver", d,
                "points/s", Source("protocol", (proto, str(r.units), r.op), "driver points/s"),
                w, "raw bacpypes3, same reads, same run", lower_is_better=False))
    header = ("protocol", "units", "reads", "device reads/side", "driver points/s",
              "raw points/s", "ratio driver/raw", "driver read p50 ms", "raw read p50 ms",
              "failures driver/raw")
    notes.insert(0, f"a device read = the {len(POINTS)} sensor and energy points of a unit "
                    "(the service's poll), or with 'all N points' every point the unit has, "
                    "its commands too (one ReadPropertyMultiple); "
                    "points/s over whole sweeps; read p50 is per device read (under gather it "
                    "includes the wait behind the other units); a failed read (a timeout, "
                    "or the driver failing fast on a unit it holds offline) adds no points.")
    return Output("## Poll throughput: drivers vs raw libraries, simulator in the same loop "
                  "(loopback)\n\n" + table(header, out) + "\n\n" + "\n".join(notes), figures)
