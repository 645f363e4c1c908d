"""Leadership on a real PostgreSQL: one leader, a fencing epoch bumped at each takeover, a
dead leader's lock freed at once, a frozen one's lease broken by its successor, and a stale
leader that can no longer write — whether it froze or its database session was ended."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from hvac_ctl.service.leadership import Leadership
from hvac_ctl.store import Store
from tests import pg

LEASE = timedelta(seconds=1.5)
WRITE_WITHIN = timedelta(seconds=0.8)


@pytest.fixture
def url(postgres: pg.Cluster) -> Iterator[str]:
    u = postgres.new_database()
    store = Store(u)
    store.migrate()
    store.close()
    yield u


class Settled(Leadership):
    """A candidate whose takeover is done at once (the service's restores the units first)."""

    def step(self) -> None:
        super().step()
        self.settled = True


def candidate(url: str, name: str) -> Leadership:
    return Settled(url, name, lease=LEASE, write_within=WRITE_WITHIN)


def settle(c: Leadership, within_s: float = 3.0) -> None:
    """Rounds a second's fraction apart (the service's are a second) until `c` leads: a
    terminated session's lock is released a moment after `pg_terminate_backend` returns."""
    deadline = time.monotonic() + within_s
    while c.role != "leader" and time.monotonic() < deadline:
        time.sleep(0.1)
        c.step()


def test_one_leader_and_a_standby_that_waits_while_the_lease_is_renewed(url: str) -> None:
    a, b = candidate(url, "a"), candidate(url, "b")
    a.step()
    b.step()
    assert (a.role, a.epoch, a.may_write()) == ("leader", 1, True)
    assert (b.role, b.epoch, b.may_write()) == ("standby", None, False)
    for _ in range(3):  # renewed, the lease never runs out: b never takes over
        time.sleep(0.6)
        a.step()
        b.step()
    assert a.role == "leader" and b.role == "standby" and a.confirm()
    assert a.takeovers == 1 and b.takeovers == 0


def test_a_dead_leader_s_lock_comes_free_and_the_epoch_fences_it(url: str) -> None:
    a, b = candidate(url, "a"), candidate(url, "b")
    a.step()
    a._release()  # what a SIGKILL does to its connection: closed, the lock released
    settle(b)
    assert (b.role, b.epoch) == ("leader", 2)
    assert not a.confirm() and a.role == "standby"  # its epoch is stale: it steps down


def test_a_frozen_leader_loses_its_lease_and_writes_nothing_when_it_wakes(url: str) -> None:
    a, b = candidate(url, "a"), candidate(url, "b")
    a.step()
    b.step()
    assert a.may_write() and b.role == "standby"
    time.sleep(LEASE.total_seconds() + 0.3)  # a is frozen: no renewal
    assert not a.may_write()  # its own clock says stop before anyone could take over
    b.step()  # the lease ran out: b ends a's database session …
    settle(b)  # … and takes the lock once that session is gone
    assert (b.role, b.epoch) == ("leader", 2)
    assert not a.confirm()  # a wakes: its session is gone, its epoch stale
    a.step()
    assert a.role == "standby" and not a.may_write()


def test_a_leader_whose_session_is_ended_stops_writing(url: str, postgres: pg.Cluster) -> None:
    a, b = candidate(url, "a"), candidate(url, "b")
    a.step()
    pid = a._connection().execute(text("SELECT pg_backend_pid()")).scalar()
    postgres.sql(f"SELECT pg_terminate_backend({pid})")  # its process runs on
    settle(b)
    assert b.role == "leader" and b.epoch == 2
    assert not a.confirm() and a.role == "standby"
    b._release()  # b goes too: a, which just lost its place, stands back for a lease …
    a.step()
    assert a.role == "standby"
    time.sleep(LEASE.total_seconds())
    settle(a)  # … then contends again
    assert a.role == "leader" and a.epoch == 3


def test_a_new_leader_writes_nothing_before_its_takeover_settles(url: str) -> None:
    a = Leadership(url, "a", lease=LEASE, write_within=WRITE_WITHIN)
    a.step()
    assert a.role == "leader" and not a.may_write() and not a.confirm()
    a.settled = True  # what the service's take_over sets once the units are restored
    assert a.may_write() and a.confirm()


def test_the_lease_is_longer_than_the_writing_window() -> None:
    with pytest.raises(ValueError, match="stop writing before"):
        Leadership("postgresql+psycopg://x@127.0.0.1/x", "a", lease=timedelta(seconds=1),
                   write_within=timedelta(seconds=1))


def test_serve_with_an_instance_name_on_sqlite_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from tests.harness import ROOT, SINGLE_HALL

    done = subprocess.run([sys.executable, "-m", "hvac_ctl", "serve", "--config",
                           str(SINGLE_HALL), "--db", f"sqlite:///{tmp_path / 's.db'}",
                           "--instance", "a"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "--instance needs a shared PostgreSQL --db" in done.stderr
