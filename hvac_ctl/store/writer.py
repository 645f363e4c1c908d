"""Write-behind: what the service records without waiting for it — trends, the control loop's
write records, audit rows and alarms — in one bounded queue, stored by one worker thread.

Control must never wait on the store. A locked SQLite file (a backup, another process) or a
slow disk holds a writer for its busy timeout; on the event loop that wait would hold ticks,
pushes and the poller alike. So the event loop only appends to a queue; a thread takes the
oldest rows in batches and stores each batch in one transaction (`Store.write_batch`), so a row
is stored exactly once: a batch that fails is rolled back whole and kept, at the head, for the
next try.

Bounded, and dropping in order of worth: past `capacity` rows the oldest trend samples go first
(a gap in a chart), and a new sample is refused when only records remain. Audit rows, write
records and alarms are never dropped while memory allows; only past `hard_limit` — an outage of
days — are the oldest of them dropped, and each drop is counted and logged. `depth` and
`dropped` are the service's metrics.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from hvac_ctl.store.store import AuditEntry, Store, Trend

log = logging.getLogger(__name__)


@dataclass
class Batch:
    """One transaction's worth, taken from the head of the queue."""

    trends: list[Trend] = field(default_factory=list)
    records: list[tuple[str, Any]] = field(default_factory=list)  # ("write"|"audit"|"alarm", row)

    def __len__(self) -> int:
        return len(self.trends) + len(self.records)


class WriteBehind:
    def __init__(self, store: Store, capacity: int = 200_000, hard_limit: int = 2_000_000,
                 batch_rows: int = 5_000, retry_s: tuple[float, float] = (0.2, 5.0),
                 on_error: Callable[[BaseException], None] | None = None,
                 on_stored: Callable[[int], None] | None = None) -> None:
        """`on_error(e)` after a failed batch, `on_stored(n)` after a stored one — called in
        the worker thread: hand them to the event loop with `call_soon_threadsafe`."""
        self.store = store
        self.capacity, self.hard_limit, self.batch_rows = capacity, hard_limit, batch_rows
        self.retry_s = retry_s
        self.on_error, self.on_stored = on_error, on_stored
        self._trends: deque[Trend] = deque()
        self._records: deque[tuple[str, Any]] = deque()
        self._taken: Batch | None = None  # in the worker's hands: counted in the depth
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.queued: dict[str, int] = {"trend": 0, "write": 0, "audit": 0, "alarm": 0}
        self.dropped: dict[str, int] = {"trend": 0, "write": 0, "audit": 0, "alarm": 0}
        self.stored = 0
        self.failures = 0
        self.last_error: str | None = None

    # --- the event loop's side: append and go ---------------------------------------------

    def trends(self, rows: Iterable[Trend]) -> None:
        with self._lock:
            for row in rows:
                self.queued["trend"] += 1
                if self._depth() >= self.capacity:
                    if self._trends:
                        self._trends.popleft()
                    else:  # only records left: this sample is what gives way
                        self.dropped["trend"] += 1
                        continue
                    self.dropped["trend"] += 1
                self._trends.append(row)
            self._wake.notify()

    def writes(self, records: Sequence[Any]) -> None:
        self._records_in(("write", r) for r in records)

    def audit(self, entry: AuditEntry) -> None:
        self._records_in([("audit", entry)])

    def alarms(self, alarms: Iterable[Any]) -> None:
        # a snapshot: the book goes on changing its alarms (acked, cleared) after this
        self._records_in(("alarm", replace(a)) for a in alarms)

    def _records_in(self, rows: Iterable[tuple[str, Any]]) -> None:
        with self._lock:
            for row in rows:
                self.queued[row[0]] += 1
                while self._depth() >= self.capacity and self._trends:
                    self._trends.popleft()
                    self.dropped["trend"] += 1
                if self._depth() >= self.hard_limit and self._records:
                    kind, _ = self._records.popleft()
                    self.dropped[kind] += 1
                    log.error("write-behind past %d rows: an old %s row dropped",
                              self.hard_limit, kind)
                self._records.append(row)
            self._wake.notify()

    def _depth(self) -> int:
        return len(self._trends) + len(self._records) + (len(self._taken or ()))

    @property
    def depth(self) -> int:
        with self._lock:
            return self._depth()

    def depths(self) -> dict[str, int]:
        with self._lock:
            out = {"trend": len(self._trends), "write": 0, "audit": 0, "alarm": 0}
            for kind, _ in self._records:
                out[kind] += 1
            if self._taken is not None:
                out["trend"] += len(self._taken.trends)
                for kind, _ in self._taken.records:
                    out[kind] += 1
            return out

    # --- the worker ------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> int:
        """Store what is queued, within `timeout_s`; returns how many rows are left unstored."""
        deadline = time.monotonic() + timeout_s
        while self.depth and time.monotonic() < deadline and self._thread is not None:
            with self._lock:
                self._wake.notify()
            time.sleep(0.02)
        with self._lock:
            self._stopping = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(max(0.1, deadline - time.monotonic()))
            self._thread = None
        return self.depth

    def flush(self) -> None:
        """Store everything queued now, in this thread (for a process without a worker)."""
        while self._take() is not None:
            if not self._store():
                raise RuntimeError(f"the store refuses writes: {self.last_error}")

    def _run(self) -> None:
        delay = self.retry_s[0]
        while True:
            with self._lock:
                while not self._stopping and not self._trends and not self._records and (
                        self._taken is None):
                    self._wake.wait()
                if self._stopping:
                    return
            if self._taken is None:
                self._take()
            if self._store():
                delay = self.retry_s[0]
                continue
            with self._lock:  # wait before the retry, unless stopping
                self._wake.wait(delay)
            delay = min(delay * 2, self.retry_s[1])

    def _take(self) -> Batch | None:
        with self._lock:
            if self._taken is None and (self._trends or self._records):
                b = Batch()
                while self._records and len(b.records) < self.batch_rows:
                    b.records.append(self._records.popleft())
                while self._trends and len(b) < self.batch_rows:
                    b.trends.append(self._trends.popleft())
                self._taken = b
            return self._taken

    def _store(self) -> bool:
        b = self._taken
        if b is None:
            return True
        try:
            self.store.write_batch(
                b.trends, [r for k, r in b.records if k == "write"],
                [r for k, r in b.records if k == "audit"], _latest_alarms(b.records))
        except Exception as e:
            self.failures += 1
            self.last_error = str(getattr(e, "orig", None) or e).splitlines()[0][:200]
            if self.on_error is not None:
                self.on_error(e)
            return False
        with self._lock:
            self._taken = None
            self.stored += len(b)
        self.last_error = None
        if self.on_stored is not None:
            self.on_stored(len(b))
        return True


def _latest_alarms(records: Sequence[tuple[str, Any]]) -> list[Any]:
    """Each alarm's last state in the batch (a raise and its ack: one row, acked)."""
    latest: dict[int, Any] = {}
    for kind, a in records:
        if kind == "alarm":
            latest[a.id] = a
    return list(latest.values())
