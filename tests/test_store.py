"""The store on each engine — a real SQLite file and a real PostgreSQL database: migrations,
hashes, idempotency, UTC."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from hvac_ctl.store import Store, hash_token
from tests.harness import local


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store(store_url)
    s.migrate()
    s.migrate()  # idempotent
    yield s
    s.close()


def test_tokens_and_passwords_are_stored_only_as_hashes(store: Store, tmp_path: Path) -> None:
    token = store.create_token("box", "boxoffice")
    store.create_user("opera", "operator", "curtain-up-2026")
    with store.engine.connect() as db:
        rows = [tuple(r) for table in ("tokens", "users")
                for r in db.execute(text(f"select * from {table}"))]
        assert db.execute(text("select token_hash from tokens")).scalar() == hash_token(token)
        assert db.execute(text("select password_hash from users")).scalar().startswith("scrypt$")
    assert not any(token in str(v) or "curtain-up-2026" in str(v) for r in rows for v in r)
    if store.url.startswith("sqlite"):  # and not in the file's bytes either, WAL included
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("store.db*"))
        assert token.encode() not in raw and b"curtain-up-2026" not in raw
    assert store.token(token).role == "boxoffice"  # type: ignore[union-attr]
    assert store.token(token + "x") is None
    assert store.check_password("opera", "curtain-up-2026") == "operator"
    assert store.check_password("opera", "curtain-down") is None
    assert store.revoke_token("box") and store.token(token) is None


def test_names_are_unique_and_roles_known(store: Store) -> None:
    store.create_token("a", "viewer")
    with pytest.raises(ValueError, match="exists already"):
        store.create_token("a", "admin")
    with pytest.raises(ValueError, match="role"):
        store.create_token("b", "superuser")
    with pytest.raises(ValueError, match="10 characters"):
        store.create_user("u", "viewer", "short")


def test_pushes_are_idempotent_and_times_come_back_in_utc(store: Store) -> None:
    at = local("2026-12-05 19:40")
    now = datetime.now(UTC)
    first, created = store.add_push("e", 100, at, "box", None, now)
    again, created_again = store.add_push("e", 100, at, "box", None, now)
    assert created and not created_again and again.id == first.id
    keyed, _ = store.add_push("e", 120, at + timedelta(minutes=1), "box", "k-1", now)
    twin, fresh = store.add_push("e", 999, at + timedelta(minutes=2), "box", "k-1", now)
    assert not fresh and twin.count == 120 == keyed.count
    rows = store.pushes(["e"])
    assert [r.count for r in rows] == [100, 120]
    assert rows[0].at == at and rows[0].at.tzinfo == UTC
    assert [r.id for r in store.pushes(since=at + timedelta(seconds=30))] == [rows[1].id]
    with pytest.raises(Exception, match="naive"):
        store.add_push("e", 1, datetime(2026, 12, 5, 19, 0), "box", None, now)
