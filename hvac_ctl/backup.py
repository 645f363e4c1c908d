"""`hvac-ctl backup`: a consistent copy of a SQLite store while the service runs.

SQLite's online backup API copies the database page by page under its own locks, so the
service keeps writing while it runs and the copy is one consistent instant (a plain file
copy of a WAL database is not). A PostgreSQL store is backed up with PostgreSQL's own tools
(`pg_dump`, `deploy/README.md`), which this refuses to stand in for.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from sqlalchemy.engine import make_url


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None: not SQLite, or in memory)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def backup(url: str, to: Path) -> int:
    """Copy the store at `url` into `to` (which must not exist); the pages copied."""
    source = sqlite_path(url)
    if source is None:
        raise ValueError("hvac-ctl backup copies a SQLite store; back up PostgreSQL with "
                         "pg_dump (deploy/README.md)")
    if not source.exists():
        raise ValueError(f"{source}: no store there")
    if to.exists():
        raise ValueError(f"{to} exists: give a new file")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(to)
    try:
        with dst:
            src.backup(dst)
        return int(dst.execute("PRAGMA page_count").fetchone()[0])
    finally:
        dst.close()
        src.close()


def cmd_backup(args: argparse.Namespace) -> int:
    """`hvac-ctl backup --to FILE [--db URL] [--config DIR]`."""
    from hvac_ctl.access_commands import store_url

    try:
        pages = backup(store_url(args), Path(args.to))
    except (ValueError, sqlite3.Error) as e:
        print(f"hvac-ctl backup: {e}", file=sys.stderr)
        return 1
    print(f"backed up {pages} pages to {args.to}", file=sys.stderr)
    return 0
