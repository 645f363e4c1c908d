"""The store locked by another process for 30 s in the middle of a show: control goes on.

The service runs as `hvac-ctl serve` does — uvicorn, its own scheduler, the simulated building
over loopback sockets on the simulator's clock (×20: a tick every 3 s of wall time) — on a
SQLite file. Another process takes the file's write lock (`BEGIN EXCLUSIVE`) and holds it for
30 s. Meanwhile: every control tick starts on time (none later than one period), a push and an
override each answer 503 with Retry-After within 2 s, and what the service records waits in
its write-behind queue. Once the lock is gone every queued row is stored, and stored once.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.harness import SHOW, run, service

SPEED = 20.0
LOCK_S = 30.0
HOLD = """
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")
"""

pytestmark = pytest.mark.e2e


def test_a_store_locked_for_30_s_in_a_show_stalls_no_tick_and_loses_no_row(
        tmp_path: Path) -> None:
    db = tmp_path / "store.db"

    async def body() -> dict[str, Any]:
        async with service(tmp_path, at="2026-12-05 19:35", db=db, speed=SPEED) as s:
            rt = s.runtime
            period = rt.settings.tick_every.total_seconds() / SPEED
            await asyncio.sleep(4 * period)  # the show under way, ticking on its own
            holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(LOCK_S)],
                                      stdout=subprocess.PIPE, text=True)
            assert holder.stdout is not None
            assert await asyncio.to_thread(holder.stdout.readline) == "locked\n"
            locked_at = time.monotonic()
            answers = []
            for request in (
                    lambda: s.http.post("/api/v1/occupancy", headers=s.auth("boxoffice"),
                                        json={"event": SHOW, "count": 1700}),
                    lambda: s.http.post("/api/v1/overrides", headers=s.auth("operator"), json={
                        "unit": "ahu-aud-2", "point": "fan_speed_max", "value": 70,
                        "minutes": 30, "reason": "store locked"})):
                t0 = time.monotonic()
                r = await request()
                answers.append((r.status_code, r.headers.get("retry-after"),
                                time.monotonic() - t0, r.json()["detail"]))
            deepest = 0
            while holder.poll() is None:
                deepest = max(deepest, rt.writer.depth)
                await asyncio.sleep(0.2)
            unlocked_at = time.monotonic()
            alarms_during = [a for a in rt.keeper.book.active.values()]
            assert await rt.idle(timeout_s=20), "the queue was not stored after the lock"
            ticks = [t for t in rt.jobs.tick_starts if locked_at - period <= t <= unlocked_at]
            await asyncio.sleep(2 * period)  # one more tick: the store_unavailable alarm clears
            assert await rt.idle(timeout_s=20)
            return {"period": period, "ticks": ticks, "answers": answers, "deepest": deepest,
                    "runtime": rt, "alarms_during": {a.kind for a in alarms_during},
                    "alarms_after": {a.kind for a in rt.keeper.book.active.values()},
                    "late": rt.jobs.ticks_late, "locked_s": unlocked_at - locked_at}

    r = run(body(), timeout_s=180)
    # what was queued, read once the service has stopped: it polls and ticks on its own until
    # then, and every row it queued on the way out must be stored too
    rt = r.pop("runtime")
    w = rt.writer
    r.update(queued=dict(w.queued), dropped=dict(w.dropped), left=w.depth, failures=w.failures,
             loop_writes=rt.loop.writes + rt.loop.failed_writes)
    with sqlite3.connect(db) as c:
        trends = c.execute("SELECT COUNT(*) FROM trends").fetchone()[0]
        twice = c.execute("SELECT COUNT(*) FROM (SELECT unit, point, at FROM trends "
                          "GROUP BY unit, point, at HAVING COUNT(*) > 1)").fetchone()[0]
        writes = c.execute("SELECT COUNT(*) FROM audit WHERE action = 'write'").fetchone()[0]
        raised = c.execute("SELECT COUNT(*) FROM audit WHERE action = 'alarm.raise' AND "
                           "why LIKE '%store refuses%'").fetchone()[0]
        pushes = [row[0] for row in c.execute("SELECT count FROM occupancy_pushes")]
        overrides = c.execute("SELECT COUNT(*) FROM overrides").fetchone()[0]
    period = r["period"]
    print(f"\nlocked {r['locked_s']:.1f} s; ticks during it: {len(r['ticks'])}, longest gap "
          f"{max(b - a for a, b in pairwise(r['ticks'])):.2f} s (period {period:.1f} s), "
          f"late {r['late']}; answers {[(a[0], a[1], round(a[2], 2)) for a in r['answers']]}; "
          f"deepest queue {r['deepest']} rows; failed batches {r['failures']}; "
          f"stored: {trends} trend rows, {writes} write records; dropped {r['dropped']}")
    # control went on: every tick on time, none later than one period after the one before it
    assert r["locked_s"] >= LOCK_S - 1
    assert len(r["ticks"]) >= LOCK_S / period - 1
    assert all(b - a <= 2 * period for a, b in pairwise(r["ticks"])), r["ticks"]
    assert r["late"] == 0
    # the push and the override were refused at once, saying so, and neither was stored
    for status, retry_after, seconds, detail in r["answers"]:
        assert status == 503 and retry_after is not None and int(retry_after) > 0
        assert seconds < 2.0 and "nothing was stored" in detail
    assert pushes == [] and overrides == 0
    assert "store_unavailable" in r["alarms_during"]
    assert "store_unavailable" not in r["alarms_after"]
    # every queued row stored, once: the queue held them through the lock and dropped none
    assert r["deepest"] > 0 and r["failures"] > 0 and r["left"] == 0
    assert r["dropped"] == {"trend": 0, "write": 0, "audit": 0, "alarm": 0}
    assert trends == r["queued"]["trend"] and twice == 0
    assert writes == r["queued"]["write"] == r["loop_writes"]
    assert raised == 1
