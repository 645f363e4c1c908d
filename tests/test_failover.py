"""Two instances on one PostgreSQL store, mid-show (real processes, real sockets).

- The leader killed: the standby takes over within 10 s and re-asserts the plan; a box
  office pushing every 2 s to either instance, retrying on 503 and connection errors as a
  real integration does, loses nothing; an override set on the standby before the kill
  reaches the unit.
- Split brain: the leader frozen (SIGSTOP) past the lease, the standby takes over, the old
  leader resumes (SIGCONT) and writes nothing to any device; then the new leader's database
  session is ended while its process runs on, and it too writes nothing after its successor's
  first write. The simulator's per-device write log, each write with its sender, is the proof.
"""

from __future__ import annotations

import signal
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from hvac_ctl.store import Store
from tests import pg
from tests.processes import Pair, device_values, two_instances

pytestmark = pytest.mark.e2e

START = datetime.fromisoformat("2026-12-05T19:40:00")
SHOW = "tosca-2026-12-05"
TAKEOVER_S = 10.0


def push(p: Pair, n: int, acked: list[int]) -> None:
    """One count, to instance a or b by turn, then the other, until one takes it (a box
    office retries a 503 or a refused connection)."""
    count = 1000 + n
    at = (START + timedelta(seconds=n)).isoformat() + "+08:00"
    urls = [p.urls["a"], p.urls["b"]]
    for attempt in range(20):
        try:
            r = httpx.post(f"{urls[(n + attempt) % 2]}/api/v1/occupancy", headers=p.box,
                           timeout=5, json={"event": SHOW, "count": count, "at": at})
        except httpx.HTTPError:
            time.sleep(0.5)
            continue
        if r.status_code == 503:
            time.sleep(0.5)
            continue
        assert r.status_code == 200, r.text
        acked.append(count)
        return
    raise AssertionError(f"push {n} was never taken")


def takes_over(p: Pair, name: str, since: float) -> float:
    while p.role(name) != "leader":
        if time.monotonic() - since >= TAKEOVER_S:
            logs = {n: [line for line in (p.write_log.parent / f"serve-{n}.log").read_text(
                ).splitlines() if "uvicorn.access" not in line][-25:] for n in p.urls}
            raise AssertionError(f"{name} did not take over in time; logs: {logs}")
        time.sleep(0.2)
    return time.monotonic() - since


def test_the_leader_killed_mid_show_the_standby_takes_over_and_nothing_is_lost(
        tmp_path: Path, postgres: pg.Cluster) -> None:
    db = postgres.new_database()
    with two_instances(tmp_path, db, START) as p:
        leader, standby = p.leader()
        acked: list[int] = []
        for n in range(3):
            push(p, n, acked)
            time.sleep(2)
        r = httpx.post(f"{p.urls[standby]}/api/v1/overrides", headers=p.operator, json={
            "unit": "ahu-aud-2", "point": "fan_speed_max", "value": 65, "minutes": 60,
            "reason": "set on the standby"})
        assert r.status_code == 201, r.text

        p.procs[leader].send_signal(signal.SIGKILL)
        p.procs[leader].wait(timeout=10)
        killed = time.monotonic()
        took = None
        n = 3
        while time.monotonic() - killed < TAKEOVER_S + 8:
            push(p, n, acked)
            n += 1
            if took is None and p.role(standby) == "leader":
                took = time.monotonic() - killed
            time.sleep(2)
        assert took is not None and took <= TAKEOVER_S, f"takeover took {took} s"
        print(f"takeover seen within {took:.1f} s (checked every 2 s)")
        metrics = httpx.get(f"{p.urls[standby]}/metrics", timeout=5).text
        assert f'hvac_leader{{instance="{standby}"}} 1' in metrics
        assert "hvac_takeovers_total 1" in metrics
        held = device_values(p.ports.client, p.ports.bacnet["ahu-aud-2"])
        assert held["fan_speed_max"] == 65.0 and 8 in held["slots"]
        store = Store(db)
        stored = {r.count for r in store.pushes([SHOW])}  # each push its own count
        store.close()
        assert len(acked) >= 8 and set(acked) <= stored, (acked, stored)


def test_a_frozen_or_cut_off_leader_writes_nothing_after_its_successor_begins(
        tmp_path: Path, postgres: pg.Cluster) -> None:
    db = postgres.new_database()
    with two_instances(tmp_path, db, START) as p:
        old, new = p.leader()
        time.sleep(4)  # the leader writes its plan
        assert any(w[3] == old for w in p.writes()), "the leader wrote nothing to prove with"
        p.procs[old].send_signal(signal.SIGSTOP)
        frozen = time.monotonic()
        took = takes_over(p, new, frozen)
        time.sleep(3)  # the new leader re-asserts every unit
        p.procs[old].send_signal(signal.SIGCONT)
        time.sleep(6)  # the old leader wakes, finds its lease and epoch gone
        assert p.role(old) == "standby"
        writes = p.writes()
        first = next(i for i, w in enumerate(writes) if w[3] == new)
        stale = [w for w in writes[first:] if w[3] == old]
        assert not stale, stale
        print(f"frozen leader replaced within {took:.1f} s; {len(writes) - first} writes since, "
              "none from it")

        # the leader's database session ended while its process runs on
        with Store(db).engine.connect() as conn:
            pid = conn.execute(text("SELECT backend_pid FROM leadership WHERE id = 1")).scalar()
        before = len(p.writes())
        postgres.sql(f"SELECT pg_terminate_backend({pid})")
        took = takes_over(p, old, time.monotonic())
        time.sleep(4)  # the successor re-asserts; the cut-off one, still running, must not
        assert p.role(new) == "standby"
        writes = p.writes()
        first = next(i for i in range(before, len(writes)) if writes[i][3] == old)
        stale = [w for w in writes[first:] if w[3] == new]
        assert not stale, stale
        print(f"cut-off leader replaced within {took:.1f} s; {len(writes) - first} writes "
              "since, none from it")


def test_a_database_restart_mid_show_leaves_one_leader_and_loses_no_acknowledged_push(
        tmp_path: Path) -> None:
    """PostgreSQL itself restarted (every session cut, down for 3 s): both instances lose the
    store; pushes are refused with 503 meanwhile, and the box office's retries land once it is
    back; one instance leads again, alone, and an override set afterwards reaches the unit."""
    cluster = pg.start()  # its own: restarting the session's would cut other tests' stores
    try:
        db = cluster.new_database()
        with two_instances(tmp_path, db, START) as p:
            p.leader()
            acked: list[int] = []
            for n in range(2):
                push(p, n, acked)
            restarted = time.time()  # the write log's clock (Unix time), not monotonic
            cluster.restart(down_s=3)
            back = time.monotonic()
            for n in range(2, 6):
                push(p, n, acked)  # retried through the refusals
            lead, _ = p.leader(within_s=TAKEOVER_S)
            took = time.monotonic() - back
            r = httpx.post(f"{p.urls[lead]}/api/v1/overrides", headers=p.operator, json={
                "unit": "ahu-aud-2", "point": "fan_speed_max", "value": 66, "minutes": 60,
                "reason": "after the restart"})
            assert r.status_code == 201, r.text
            time.sleep(4)
            held = device_values(p.ports.client, p.ports.bacnet["ahu-aud-2"])
            assert held["fan_speed_max"] == 66.0, held
            writes = p.timed_writes()
            after = [w for w in writes if w[4] > restarted]
            assert len(after) < len(writes), "the leader wrote nothing before the restart"
            first = next(i for i, w in enumerate(after) if w[3] == lead)
            assert not [w for w in after[first:] if w[3] != lead], "two writers after restart"
            store = Store(db)
            stored = {r.count for r in store.pushes([SHOW])}
            store.close()
            assert set(acked) <= stored and len(acked) == 6, (acked, stored)
            print(f"one leader {took:.1f} s after the database was back")
    finally:
        cluster.stop()
