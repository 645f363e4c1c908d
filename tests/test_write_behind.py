"""The write-behind queue: bounded, trends dropped first, records kept, stored exactly once.

On a real SQLite store; the lock that refuses its writes is another connection's
`BEGIN EXCLUSIVE`, as another process would hold it.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hvac_ctl.control.audit import WriteRecord
from hvac_ctl.store import Store
from hvac_ctl.store.store import AuditEntry
from hvac_ctl.store.writer import WriteBehind

T0 = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)


def trend(i: int) -> tuple[str, str, datetime, float | None, bool]:
    return ("ahu-aud-1", "zone_temp", T0 + timedelta(seconds=i), 20.0 + i / 1000, True)


def audit(i: int) -> AuditEntry:
    return AuditEntry(T0 + timedelta(seconds=i), "test", "note", f"row {i}")


def store(tmp: Path) -> Store:
    s = Store(f"sqlite:///{tmp / 'store.db'}", busy_timeout_s=0.1)
    s.migrate()
    return s


def count(tmp: Path, table: str, where: str = "1") -> int:
    with sqlite3.connect(tmp / "store.db") as c:
        return int(c.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}").fetchone()[0])


def test_past_its_capacity_the_oldest_trends_go_first_and_records_stay(tmp_path: Path) -> None:
    w = WriteBehind(store(tmp_path), capacity=10, hard_limit=15)  # no worker: nothing leaves
    w.trends(trend(i) for i in range(8))
    for i in range(4):
        w.audit(audit(i))
    assert w.depth == 10 and w.dropped["trend"] == 2  # two oldest samples made room
    assert w.depths() == {"trend": 6, "write": 0, "audit": 4, "alarm": 0}
    for i in range(4, 10):
        w.audit(audit(i))  # every trend gives way before any record
    assert w.depths()["trend"] == 0 and w.depths()["audit"] == 10 and w.dropped["trend"] == 8
    w.trends([trend(100)])  # only records left: a new sample is what gives way
    assert w.depth == 10 and w.dropped["trend"] == 9
    for i in range(10, 20):
        w.audit(audit(i))  # records past the capacity, kept while memory allows
    assert w.depths()["audit"] == 15 and w.dropped["audit"] == 5  # the hard limit
    w.flush()
    with sqlite3.connect(tmp_path / "store.db") as c:
        kept = [r[0] for r in c.execute("SELECT why FROM audit ORDER BY id")]
    assert kept == [f"row {i}" for i in range(5, 20)]  # the oldest past the hard limit went


def test_a_refused_batch_is_kept_and_stored_once_when_the_store_takes_it(
        tmp_path: Path) -> None:
    s = store(tmp_path)
    errors: list[BaseException] = []
    stored: list[int] = []
    w = WriteBehind(s, batch_rows=50, retry_s=(0.05, 0.2), on_error=errors.append,
                    on_stored=stored.append)
    w.start()
    lock = sqlite3.connect(tmp_path / "store.db", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        w.trends(trend(i) for i in range(120))
        w.writes([WriteRecord(T0, "ahu-aud-1", "setpoint", 22.0, 21.5, 12, "plan", True)])
        w.audit(audit(0))
        deadline = time.monotonic() + 5
        while w.failures < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert w.failures >= 3 and errors and "locked" in w.last_error  # type: ignore[operator]
        assert w.depth == 122 and count(tmp_path, "trends") == 0
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert w.stop(timeout_s=10) == 0
    assert sum(stored) == 122 and w.stored == 122 and w.last_error is None
    assert count(tmp_path, "trends") == 120
    assert count(tmp_path, "audit", "action = 'write'") == 1
    assert count(tmp_path, "audit", "action = 'note'") == 1
    assert count(tmp_path, "commands") == 1  # the write's command, held
    with sqlite3.connect(tmp_path / "store.db") as c:
        twice = c.execute("SELECT COUNT(*) FROM (SELECT at FROM trends GROUP BY at "
                          "HAVING COUNT(*) > 1)").fetchone()[0]
    assert twice == 0
