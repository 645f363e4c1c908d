"""A burst of pushes through the running service: each stored once, the units ticked a few
times rather than once a push, and the count acted on the same as over every push stored.

The service of tests/harness.py (uvicorn, the simulator over loopback sockets, SQLite).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from hvac_ctl.planner import OccupancyPush, acted_count
from tests.harness import SHOW, run, service

pytestmark = pytest.mark.e2e

PUSHES = 40


def test_a_burst_of_pushes_shares_its_ticks(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path, at="2026-12-05 19:10") as s:
            await s.step(1)
            h = s.auth("boxoffice")
            t0 = s.clock.now()
            ticks = s.runtime.loop.ticks

            async def push(i: int) -> dict[str, object]:
                r = await s.http.post("/api/v1/occupancy", headers={
                    **h, "Idempotency-Key": f"burst-{i}"}, json={
                    "event": SHOW, "count": 30 * (i + 1),
                    "at": (t0 - timedelta(seconds=PUSHES - i)).isoformat()})
                assert r.status_code == 200, r.text
                return r.json()  # type: ignore[no-any-return]

            most = 0  # tick_soon() ticks at once: the one running and one waiting, at most

            async def watch() -> None:
                nonlocal most
                while True:
                    most = max(most, s.runtime.ticks_pending)
                    await asyncio.sleep(0)

            watcher = asyncio.create_task(watch())
            answers = await asyncio.gather(*(push(i) for i in range(PUSHES)))
            await s.settle()
            watcher.cancel()
            assert all(a["stored"] for a in answers)
            rows = s.runtime.store.pushes([SHOW])
            assert sorted(r.idempotency_key or "" for r in rows) == sorted(
                f"burst-{i}" for i in range(PUSHES))
            # one tick waiting at a time serves every push that came before it began
            assert 1 <= most <= 2
            assert s.runtime.loop.ticks - ticks < PUSHES
            assert s.runtime.ticks_pending == 0
            # what the planner is given (the service's PushIndex) acts on the same count as
            # every push stored, and so does the answer to the last push
            now = s.clock.now()
            expected = s.runtime.show(SHOW).expected_attendance  # type: ignore[union-attr]
            threshold = s.runtime.config.venue.venue.occupancy.readjust_threshold
            every = [OccupancyPush(r.event_id, r.count, r.at) for r in rows]
            acted, _ = acted_count(every, expected, threshold, now)
            given = s.runtime.inputs(now).occupancy
            assert len(given) < len(every)
            assert acted_count(given, expected, threshold, now)[0] == acted
            r = await s.http.get("/api/v1/occupancy", headers=h, params={"event": SHOW})
            assert r.json()["acted_on"] == acted and r.json()["pushes"] == PUSHES

    run(body())
