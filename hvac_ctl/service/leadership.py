"""One leader among instances sharing a PostgreSQL store, and never two writers.

`hvac-ctl serve --instance NAME` on a PostgreSQL URL runs as a candidate. The leader holds a
session advisory lock on a connection of its own and a lease in the `leadership` row, which
it renews every `RENEW`; each takeover bumps the row's `epoch` (the fencing token), with the
new leader's name and database backend. A standby tries for the lock at every renewal:

- the leader's process dies (SIGKILL, a crash): its connection closes, PostgreSQL releases the
  lock, and the standby takes it within a renewal;
- the leader is frozen (SIGSTOP) or cut off: its connection stays open and the lock held, but
  the lease runs out; after `LEASE` without a renewal (by the database's clock) the standby
  terminates the old leader's backend (`pg_terminate_backend`), which releases the lock.

Writing is fenced twice. Before each write cycle the leader confirms in the database that the
epoch is still its own (`confirm`); and before each single write it checks, on its own
monotonic clock, that its last renewal is younger than `WRITE_WITHIN` — shorter than the
lease a standby waits out, so a process that wakes from a freeze stops writing before it
could learn anything, and then finds its epoch gone. A stale leader steps down to standby.

Blocking database calls run in a thread; the connection has TCP keepalives and a connect
timeout, so a dead database is noticed in seconds, not minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

LOCK_KEY = 0x6876_6163  # "hvac": the advisory lock every instance of a store contends for
RENEW = timedelta(seconds=1)
LEASE = timedelta(seconds=5)  # a standby waits this long past the last renewal
WRITE_WITHIN = timedelta(seconds=3)  # a leader writes only this soon after a renewal
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 2, "keepalives_interval": 1,
             "keepalives_count": 2, "connect_timeout": 3}
Role = Literal["leader", "standby"]


def shared(url: str) -> bool:
    """Whether the store can be shared by instances (PostgreSQL), not one process's file."""
    return url.startswith("postgresql")


@dataclass
class Status:
    role: Role
    instance: str | None
    epoch: int | None


class Leadership:
    """A candidate for leadership of the store at `url`. `on_lead` runs each time this
    instance becomes leader, beside the renewals: it restores what the last leader held and
    sets `settled`, before which nothing is written."""

    def __init__(self, url: str, instance: str, clock: Callable[[], float] = time.monotonic,
                 lease: timedelta = LEASE, write_within: timedelta = WRITE_WITHIN) -> None:
        if write_within >= lease:
            raise ValueError("a leader must stop writing before its lease can run out")
        self.url, self.instance, self.clock = url, instance, clock
        self.lease, self.write_within = lease, write_within
        self.role: Role = "standby"
        self.epoch: int | None = None
        self.takeovers = 0  # times this instance became leader
        # set by the takeover once it has restored what the last leader held: a leader
        # writes nothing before (`on_lead` must set it)
        self.settled = False
        self.renewed = -float("inf")  # monotonic seconds of the last renewal that held
        # a leader that lost its place stands back for a lease before it contends again:
        # the instance that lost its session or froze is the likelier one to be unwell
        self.back_off_until = -float("inf")
        # no pool: closing the connection must end the session, and the lock with it
        self._engine: Engine = create_engine(url, connect_args=KEEPALIVE, poolclass=NullPool)
        self._conn: Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._taking: asyncio.Task[None] | None = None
        self._lock = threading.Lock()  # one thread at a time on the connection

    def status(self) -> Status:
        return Status(self.role, self.instance, self.epoch)

    def may_write(self) -> bool:
        """Leader, with a renewal young enough that no standby can have taken over."""
        return (self.role == "leader" and self.settled
                and self.clock() - self.renewed < self.write_within.total_seconds())

    # --- the loop --------------------------------------------------------------------------

    def start(self, on_lead: Callable[[], object]) -> None:
        self._task = asyncio.create_task(self._run(on_lead), name="leadership")

    async def stop(self) -> None:
        for task in (self._task, self._taking):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        def release() -> None:
            with self._lock:
                self._release()

        await asyncio.to_thread(release)
        self._engine.dispose()

    async def _run(self, on_lead: Callable[[], object]) -> None:
        while True:
            was = self.role
            try:
                await asyncio.to_thread(self.step)
            except Exception:  # never let the loop die: the next round tries again
                log.exception("leadership round failed")
                await asyncio.to_thread(self._locked_step_down, "the round failed")
            if was == "standby" and self.role == "leader":
                # beside the renewals, not in their way: a takeover that reads every unit
                # may take longer than the lease
                self._taking = asyncio.create_task(self._take_over(on_lead), name="take over")
            await asyncio.sleep(RENEW.total_seconds())

    async def _take_over(self, on_lead: Callable[[], object]) -> None:
        try:
            result = on_lead()
            if asyncio.iscoroutine(result):
                await result
        except Exception:  # not taken over properly: not leading either
            log.exception("taking over failed; standing by to try again")
            await asyncio.to_thread(self._locked_step_down, "taking over failed")

    # --- one round (blocking: in a thread) -------------------------------------------------

    def step(self) -> None:
        """Renew as leader, or try to become it."""
        with self._lock:
            if self.role == "leader":
                self._renew()
            else:
                self._try_lead()

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed:
            self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._conn

    def _renew(self) -> None:
        try:
            held = self._connection().execute(text(
                "UPDATE leadership SET renewed_at = now() WHERE id = 1 AND epoch = :e "
                "AND backend_pid = pg_backend_pid() RETURNING epoch"), {"e": self.epoch}
            ).scalar()
        except SQLAlchemyError as e:
            self._step_down(f"renewal failed: {e.__class__.__name__}")
            return
        if held is None:
            self._step_down("the epoch is no longer ours")
            return
        self.renewed = self.clock()

    def _try_lead(self) -> None:
        if self.clock() < self.back_off_until:
            return
        conn = self._connection()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar()
        if not got:
            self._break_stale_lease(conn)
            return
        epoch = conn.execute(text(
            "INSERT INTO leadership (id, epoch, instance, backend_pid, renewed_at) "
            "VALUES (1, 1, :me, pg_backend_pid(), now()) "
            "ON CONFLICT (id) DO UPDATE SET epoch = leadership.epoch + 1, instance = :me, "
            "backend_pid = pg_backend_pid(), renewed_at = now() RETURNING epoch"),
            {"me": self.instance}).scalar()
        self.epoch, self.role, self.renewed = int(epoch), "leader", self.clock()
        self.settled = False
        self.takeovers += 1
        log.warning("instance %s leads the store, epoch %s", self.instance, self.epoch)

    def _break_stale_lease(self, conn: Connection) -> None:
        """The lock is held; if its holder has not renewed for the lease (by the database's
        clock) it is frozen or cut off: end its backend, so the lock comes free."""
        row = conn.execute(text(
            "SELECT backend_pid, instance, now() - renewed_at > make_interval(secs => :lease) "
            "FROM leadership WHERE id = 1"), {"lease": self.lease.total_seconds()}).first()
        if row is not None and row[2] and row[0] is not None:
            log.warning("instance %s's lease ran out: ending its database session", row[1])
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": row[0]})

    def confirm(self) -> bool:
        """Before a write cycle: the epoch in the store is still ours (blocking)."""
        if not self.may_write():
            return False
        with self._lock:
            try:
                epoch = self._connection().execute(text(
                    "SELECT epoch FROM leadership WHERE id = 1")).scalar()
            except SQLAlchemyError as e:
                self._step_down(f"confirming failed: {e.__class__.__name__}")
                return False
            if epoch != self.epoch:
                self._step_down(f"epoch {self.epoch} is stale (the store's is {epoch})")
                return False
        return self.may_write()

    def _locked_step_down(self, why: str) -> None:
        with self._lock:
            self._step_down(why)

    def _step_down(self, why: str) -> None:
        if self.role == "leader":
            log.warning("instance %s steps down: %s", self.instance, why)
            self.back_off_until = self.clock() + self.lease.total_seconds()
        self.role, self.epoch = "standby", None
        self._release()

    def _release(self) -> None:
        """Close our connection: a held advisory lock goes with it."""
        if self._conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._conn.close()
            self._conn = None
