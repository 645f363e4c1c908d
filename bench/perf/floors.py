"""The parts of a push's floor besides the raw BACnet write (bench/push_latency.py times it).

A push must at least answer over HTTP, commit once and write to a device; these time the first
two alone, against the same service and disk as the pushes they are a floor for.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from sqlalchemy import text

from hvac_ctl.store import Store


async def healthz_gets(http: httpx.AsyncClient, n: int, warmup: int) -> list[float]:
    """Seconds of GET /healthz round trips (an HTTP answer doing nothing) through `http`."""
    out = []
    for i in range(warmup + n):
        t = time.perf_counter()
        r = await http.get("/healthz")
        dt = time.perf_counter() - t
        if r.status_code != 200:
            raise RuntimeError(f"GET /healthz: {r.status_code} {r.text}")
        if i >= warmup:
            out.append(dt)
    return out


def commits(folder: Path, n: int, warmup: int) -> list[float]:
    """Seconds of one-row transactions on a SQLite file of their own in `folder` (the same
    disk as the service's store), through a `Store`'s engine: its pragmas, WAL and
    synchronous=FULL, so each commit is as durable as a push's."""
    store = Store(f"sqlite:///{folder / 'floor.db'}")
    out = []
    try:
        with store.engine.begin() as c:
            c.execute(text("CREATE TABLE floor (id INTEGER PRIMARY KEY, v INTEGER)"))
        insert = text("INSERT INTO floor (v) VALUES (:v)")
        for i in range(warmup + n):
            t = time.perf_counter()
            with store.engine.begin() as c:
                c.execute(insert, {"v": i})
            dt = time.perf_counter() - t
            if i >= warmup:
                out.append(dt)
    finally:
        store.close()
    return out
