"""A push that moves the count: planned once, answered without waiting for the units, and the
same plan on the units at once (`hvac_ctl.service.push_ticks`).

The service of tests/harness.py (uvicorn, the simulator over loopback sockets, SQLite). The
speed itself is measured in bench/perf; these pin the shape that makes it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import hvac_ctl.service.push_ticks as push_ticks
from tests.harness import AUD, SHOW, run, service

pytestmark = pytest.mark.e2e


def test_a_push_is_planned_once_answered_before_the_units_and_the_plan_reaches_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plans: list[Any] = []
    real = push_ticks.plan_at

    def counted(*args: Any, **kwargs: Any) -> Any:
        plans.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(push_ticks, "plan_at", counted)

    async def body() -> dict[str, Any]:
        async with service(tmp_path, at="2026-12-05 19:40") as s:
            await s.step(2)
            rt = s.runtime
            ticks_planned: list[Any] = []
            refreshes: list[Any] = []
            loop_planner = rt.loop.planner

            def planner(*args: Any) -> Any:
                ticks_planned.append(args[1])
                return loop_planner(*args)

            async def refresh() -> None:
                refreshes.append(s.clock.now())

            rt.loop.planner = planner
            monkeypatch.setattr(rt, "refresh", refresh)
            slow = AUD[2]
            s.sim.building.faults.set(slow, slow_s=0.3)  # late, within the client's APDU timeout
            before = s.sim.building.commands(slow).oa_damper_min
            r = await s.http.post("/api/v1/occupancy", headers=s.auth("boxoffice"),
                                  json={"event": SHOW, "count": 900})
            assert r.status_code == 200, r.text
            # the answer is back while the tick it started still waits for the slow unit
            pending_at_answer = rt.ticks_pending
            on_slow_at_answer = s.sim.building.commands(slow).oa_damper_min
            await s.settle()
            s.sim.building.faults.clear()
            return {"answer": r.json(), "pending": pending_at_answer,
                    "slow_then": on_slow_at_answer, "before": before,
                    "after": {u: s.sim.building.commands(u).oa_damper_min for u in AUD},
                    "ticks_planned": ticks_planned, "refreshes": refreshes,
                    "state": rt.loop.last_state}

    r = run(body())
    a = r["answer"]
    assert a["readjusted"] and a["acted_on"] == 900
    assert r["pending"] == 1, "the answer waited for the tick it started"
    assert r["slow_then"] == r["before"]
    # planned once, in the push; its tick planned nothing and read nothing from the store
    assert len(plans) == 1
    assert r["ticks_planned"] == [] and r["refreshes"] == []
    # and what the answer names is what every unit was sent
    targets = a["targets"]["units"]
    assert targets[AUD[2]]["oa_damper_min"] != pytest.approx(r["before"], abs=0.1)
    for unit in AUD:
        assert r["after"][unit] == pytest.approx(targets[unit]["oa_damper_min"], abs=0.1), (
            unit, r["after"], targets)
        assert r["state"].units[unit]["oa_damper_min"] == targets[unit]["oa_damper_min"]


def test_a_push_that_moves_nothing_starts_no_tick_and_a_periodic_tick_reads_the_store(
        tmp_path: Path) -> None:
    async def body() -> tuple[int, int, int, list[int]]:
        async with service(tmp_path, at="2026-12-05 19:40") as s:
            await s.step(2)
            rt = s.runtime
            h = s.auth("boxoffice")
            assert (await s.http.post("/api/v1/occupancy", headers=h,
                                      json={"event": SHOW, "count": 1500})).json()["readjusted"]
            await s.settle()
            ticks = rt.loop.ticks
            s.clock.advance(timedelta(seconds=5))  # a count of its own time
            r = await s.http.post("/api/v1/occupancy", headers=h,
                                  json={"event": SHOW, "count": 1510})  # within 15 %
            assert r.status_code == 200 and not r.json()["readjusted"]
            await s.settle()
            quiet = rt.loop.ticks - ticks
            # a push stored by someone else (another process) is read by the next tick
            s.clock.advance(timedelta(seconds=5))
            rt.store.add_push(SHOW, 600, s.clock.now(), "elsewhere", None, s.clock.now())
            await s.step(1)
            seen = [p.count for p in rt.inputs(s.clock.now()).occupancy
                    if p.event_id == SHOW]
            return quiet, rt.ticks_pending, rt.loop.ticks - ticks, seen

    quiet, pending, ticks, seen = run(body())
    assert quiet == 0 and pending == 0
    assert ticks == 1
    assert seen[-1] == 600
