"""Occupancy push → value on the device, through the running service (bench/push_latency.py).

The reference is the raw protocol write measured in the same run against the same simulator:
push p50 / raw write p50 says how many bare BACnet writes a push costs end to end (HTTP,
store, planner twice, the control tick and six BACnet writes to the three auditorium AHUs).
"""

from __future__ import annotations

from bench.perf.common import ms, pct, ratio, table
from bench.push_latency import COUNTS, PUSHES, RAW_POINT, RAW_WRITES, WARMUP_PUSHES, measure

QUICK_PUSHES, QUICK_RAW = 10, 40


def run(quick: bool) -> str:
    pushes, raw = (QUICK_PUSHES, QUICK_RAW) if quick else (PUSHES, RAW_WRITES)
    res, error = measure(profile=False, pushes=pushes, raw=raw)
    raw50 = pct(res.raw, 50)
    rows = []
    for name, xs in (
        ("push → oa_damper_min on all 3 auditorium units", res.device),
        ("POST /api/v1/occupancy round trip", res.http),
        ("push → control tick finished (writes, read-back, audit)", res.tick),
        (f"raw bacpypes3 write_property {RAW_POINT} (ahu-aud-1), same run", res.raw),
    ):
        rows.append((name, len(xs), ms(pct(xs, 50)), ms(pct(xs, 99)),
                     ratio(pct(xs, 50), raw50, 1)))
    header = ("measure", "n", "p50 ms", "p99 ms", "p50 / raw write p50")
    notes = [f"{WARMUP_PUSHES} warm-up + {pushes} timed pushes ({COUNTS[0]}/{COUNTS[1]} "
             f"alternating, each a re-adjustment); not re-adjusted: {res.not_readjusted}; "
             f"units set before the response: {res.before_response}; failures: "
             f"{len(res.failures)}; raw write failures: {res.raw_failures}."]
    notes += [f"failure: {f}" for f in res.failures[:3]]
    notes += res.notes
    if error:
        notes.append(error)
    return ("## Occupancy push → device, through the running service (one loop, loopback)\n\n"
            + table(header, rows) + "\n\n" + "\n".join(notes))
