"""Migrations, with Alembic loaded only while one runs, and for the service not in its process.

Alembic with what it imports (Mako, Pygments: some 145 modules) is about 11 MiB of resident
memory that a running service never uses again once its store is at the head revision. So a
store already at the head is seen with one query, without Alembic (the head read from the
migration files' `revision` / `down_revision` lines); the service upgrades any other in a
child interpreter (`python3 -m hvac_ctl.store.migrating`, the URL on stdin); the CLI and the
tests still upgrade in their own process. An in-memory SQLite database exists only in its
process: always there.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

MIGRATIONS = Path(__file__).parent / "migrations"
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # holds hvac_ctl/: the child imports this


def heads(versions: Path = MIGRATIONS / "versions") -> frozenset[str] | None:
    """The head revisions the migration files name, or None when they cannot be read plainly
    (then Alembic decides)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in versions.glob("*.py"):
        values: dict[str, object] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id in ("revision", "down_revision")):
                try:
                    values[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    return None
        revision, down = values.get("revision"), values.get("down_revision")
        if revision is None:
            continue  # not a migration (__init__.py)
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        for d in down if isinstance(down, tuple | list) else (down,):
            if d is not None:
                downs.add(str(d))
    return frozenset(revisions - downs) or None


def at_head(engine: Engine) -> bool:
    """Whether the database's recorded revisions are the files' heads (no table: no)."""
    want = heads()
    if want is None:
        return False
    try:
        with engine.connect() as conn:
            have = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            return frozenset(have) == want
    except SQLAlchemyError:
        return False


def upgrade(conn: Connection) -> None:
    """Alembic's upgrade to head, in this process, on the store's own connection."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


def in_memory(url: str) -> bool:
    return url.startswith("sqlite") and (url.rstrip("/") in ("sqlite:", "sqlite+pysqlite:")
                                         or ":memory:" in url or "mode=memory" in url)


def upgrade_apart(url: str) -> None:
    """The upgrade in a child interpreter of this tree's packages; raises with its output if it
    fails."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
    # the URL on stdin, not argv: a PostgreSQL URL's password would show in every `ps`
    done = subprocess.run([sys.executable, "-m", "hvac_ctl.store.migrating"], env=env,
                          input=url, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"migrating the store failed ({done.returncode}):\n"
                           f"{done.stderr or done.stdout}")


if __name__ == "__main__":
    from hvac_ctl.store.store import Store

    Store(sys.stdin.read()).migrate()
