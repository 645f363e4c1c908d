"""Migrations: a store at the head is seen without Alembic, and the service's upgrade runs in a
child interpreter, so that Alembic (~11 MiB resident with Mako and Pygments) never stays in
the service's process. Each case runs in a fresh interpreter: this one may have Alembic loaded
by another test already."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from hvac_ctl.store import Store
from hvac_ctl.store.migrating import MIGRATIONS, at_head, heads, in_memory
from tests.harness import ROOT

# in the child: migrate the store at argv[1] (apart if argv[2] == "apart"), then report
CHILD = """
import json, sys
from hvac_ctl.store import Store
Store(sys.argv[1]).migrate(apart=sys.argv[2] == "apart")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "alembic")))
"""


def migrate(url: str, how: str) -> list[str]:
    """The Alembic modules the process that migrated `url` holds afterwards."""
    done = subprocess.run([sys.executable, "-c", CHILD, url, how], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_the_head_is_read_from_the_migration_files() -> None:
    files = sorted(p.name for p in (MIGRATIONS / "versions").glob("0*.py"))
    assert heads() == {files[-1].split("_")[0]}


def test_the_service_upgrades_a_new_store_apart_and_a_store_at_head_needs_no_alembic(
        tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    url = f"sqlite:///{db}"
    assert migrate(url, "apart") == []
    assert {"alembic_version", "occupancy_pushes", "alarms"} <= tables(db)
    with sqlite3.connect(db) as conn:
        assert {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")} == heads()
    assert migrate(url, "here") == []  # at head: nothing to load


def test_the_cli_upgrades_in_its_own_process_and_an_in_memory_store_always_does(
        tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    assert "alembic" in migrate(f"sqlite:///{db}", "here")
    assert {"alembic_version", "occupancy_pushes", "alarms"} <= tables(db)
    assert "alembic" in migrate("sqlite://", "apart")
    assert in_memory("sqlite://") and in_memory("sqlite:///:memory:")
    assert not in_memory(f"sqlite:///{db}")


# every revision the files hold: a new migration is tested from its predecessors at once
REVISIONS = tuple(sorted(p.name.split("_")[0] for p in (MIGRATIONS / "versions").glob("0*.py")))


@pytest.mark.parametrize("start", REVISIONS)
def test_each_earlier_revision_upgrades_to_head_keeping_its_rows(store_url: str,
                                                                  start: str) -> None:
    """On SQLite and on PostgreSQL: a store left at an earlier revision, holding a push and its
    audit row (tables every revision has), upgrades to the head; the rows stay, and the store
    then works at the head (a user, an alarm: the later revisions' tables)."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    assert REVISIONS[-1] in (heads() or ())
    engine = create_engine(store_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, start)
    at = datetime(2026, 12, 5, 11, 40, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO occupancy_pushes (event_id, count, at, received_at, "
                          "actor) VALUES ('tosca', 1800, :at, :at, 'box')"), {"at": at})
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == start
    engine.dispose()
    store = Store(store_url)
    store.migrate()
    assert at_head(store.engine)
    (row,) = store.pushes(["tosca"])
    assert (row.count, row.at) == (1800, at)
    store.create_user("opera", "operator", "curtain-up-2026")
    assert store.check_password("opera", "curtain-up-2026") == "operator"
    store.close()
