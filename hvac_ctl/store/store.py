"""The store: SQLAlchemy 2 over SQLite by default, any URL (PostgreSQL for several instances).

Everything that matters after a restart lives here — occupancy pushes, overrides, the audit
trail, the last commands held, tokens and trends. Trends are rows in the same database rather
than a columnar file: one transactional store to back up, and at a venue's size (a few
thousand samples an hour) SQLite and pandas' `read_sql` are ample.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import bindparam, create_engine, event, func, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from hvac_ctl.store.models import (
    AlarmRow,
    AuditRow,
    CommandRow,
    OverrideRow,
    PushRow,
    SessionRow,
    TokenRow,
    TrendRow,
    UserRow,
)

ROLES = ("viewer", "operator", "engineer", "boxoffice", "admin")
_PUSHES, _AUDIT = PushRow.__table__, AuditRow.__table__
# built once: the push path runs hundreds of times a second (SQLAlchemy caches the compiled
# form by the statement's structure, but building the expression each time cost more)
_INSERT_PUSH = _PUSHES.insert()
_INSERT_AUDIT = _AUDIT.insert()
_PUSH_BY_KEY = select(_PUSHES).where(_PUSHES.c.idempotency_key == bindparam("key"))
_PUSH_BY_TIME = select(_PUSHES).where(_PUSHES.c.event_id == bindparam("event_id"),
                                      _PUSHES.c.at == bindparam("at"))
MIGRATIONS = Path(__file__).parent / "migrations"


def hash_token(token: str) -> str:
    """Tokens are 256-bit random: a plain SHA-256 is enough and lets us look them up."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """scrypt (memory-hard), salted; the parameters travel with the hash."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                             p=int(p), dklen=32)
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


DUMMY_HASH = hash_password("a password nobody has")


def default_url(data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'hvac-ctl.db'}"


@dataclass(frozen=True)
class TokenInfo:
    name: str
    role: str


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 5}
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            @event.listens_for(self.engine, "connect")
            def _pragmas(conn: Any, _record: Any) -> None:
                cur = conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")  # a kill -9 loses nothing committed
                cur.execute("PRAGMA synchronous=FULL")
                cur.close()
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True

    def close(self) -> None:
        self.engine.dispose()

    # --- occupancy ----------------------------------------------------------------------

    def add_push(self, event_id: str, count: int, at: datetime, actor: str,
                 key: str | None, received_at: datetime) -> tuple[PushRow, bool]:
        """Store a push; an identical `(event, at)` or `Idempotency-Key` returns the first.

        A stored push is audited in the same transaction: one commit, one sync to disk, and
        the push and its audit row stand or fall together. Compiled statements on one
        connection rather than the ORM: a box office may push hundreds a second, and the
        ORM's unit of work cost more than the commit."""
        try:
            with self.engine.begin() as c:
                existing = self._same_push(c, event_id, at, key)
                if existing is not None:
                    return existing, False
                done = c.execute(_INSERT_PUSH, {
                    "event_id": event_id, "count": count, "at": at,
                    "received_at": received_at, "actor": actor, "idempotency_key": key})
                c.execute(_INSERT_AUDIT, {"at": received_at, "actor": actor,
                                          "action": "occupancy", "new": count, "ok": True,
                                          "why": f"{count} for {event_id}"})
                row_id = done.inserted_primary_key[0]
        except IntegrityError:  # a twin from another instance won the race: rolled back
            with self.engine.connect() as c:
                twin = self._same_push(c, event_id, at, key)
            assert twin is not None
            return twin, False
        return PushRow(id=row_id, event_id=event_id, count=count, at=at,
                       received_at=received_at, actor=actor, idempotency_key=key), True

    @staticmethod
    def _same_push(c: Connection, event_id: str, at: datetime, key: str | None
                   ) -> PushRow | None:
        """The push this one repeats: the same key first, else the same (event, at)."""
        found = None
        if key is not None:
            found = c.execute(_PUSH_BY_KEY, {"key": key}).first()
        if found is None:
            found = c.execute(_PUSH_BY_TIME, {"event_id": event_id, "at": at}).first()
        return None if found is None else PushRow(**found._mapping)

    def pushes(self, event_ids: Iterable[str] | None = None,
               since: datetime | None = None) -> list[PushRow]:
        with self.sessions() as s:
            q = select(PushRow).order_by(PushRow.at, PushRow.id)
            if event_ids is not None:
                q = q.where(PushRow.event_id.in_(list(event_ids)))
            if since is not None:
                q = q.where(PushRow.at >= since)
            return list(s.scalars(q))

    def pushes_after(self, after_id: int, since: datetime | None = None) -> list[PushRow]:
        """Rows with an id above `after_id` (and `at` from `since`), by id: a reader that keeps
        the pushes (the service's PushIndex) reads only what is new."""
        with self.sessions() as s:
            q = select(PushRow).where(PushRow.id > after_id).order_by(PushRow.id)
            if since is not None:
                q = q.where(PushRow.at >= since)
            return list(s.scalars(q))

    def pushes_up_to(self, last_id: int | None = None) -> tuple[int, int]:
        """How many pushes have an id up to `last_id` (default: all), and the highest id. A
        reader that has read up to an id sees from the count when a row appeared below it
        (committed out of id order by another instance) or went."""
        with self.sessions() as s:
            q = select(func.count(), func.max(PushRow.id)).select_from(PushRow)
            if last_id is not None:
                q = q.where(PushRow.id <= last_id)
            count, top = s.execute(q).one()
            return int(count or 0), int(top or 0)

    # --- overrides ----------------------------------------------------------------------

    def add_override(self, unit: str, point: str, value: Any, start: datetime, until: datetime,
                     reason: str, actor: str) -> OverrideRow:
        row = OverrideRow(id=f"ov-{uuid.uuid4().hex[:10]}", unit=unit, point=point, value=value,
                          start=start, until=until, reason=reason, created_by=actor)
        with self.sessions() as s:
            s.add(row)
            s.commit()
        return row

    def overrides(self, active_at: datetime | None = None, open_only: bool = False
                  ) -> list[OverrideRow]:
        with self.sessions() as s:
            q = select(OverrideRow).order_by(OverrideRow.start)
            if open_only:
                q = q.where(OverrideRow.ended_at.is_(None))
            if active_at is not None:
                q = q.where(OverrideRow.ended_at.is_(None), OverrideRow.start <= active_at,
                            OverrideRow.until > active_at)
            return list(s.scalars(q))

    def override(self, override_id: str) -> OverrideRow | None:
        with self.sessions() as s:
            return s.get(OverrideRow, override_id)

    def end_override(self, override_id: str, at: datetime, actor: str) -> OverrideRow | None:
        with self.sessions() as s:
            row = s.get(OverrideRow, override_id)
            if row is None or row.ended_at is not None:
                return row
            row.ended_at, row.ended_by = at, actor
            s.commit()
            return row

    # --- audit --------------------------------------------------------------------------

    def audit(self, at: datetime, actor: str, action: str, why: str = "", *,
              unit: str | None = None, point: str | None = None, old: Any = None,
              new: Any = None, priority: int | None = None, ok: bool = True,
              error: str | None = None) -> None:
        with self.sessions() as s:
            s.add(AuditRow(at=at, actor=actor, action=action, unit=unit, point=point, old=old,
                           new=new, priority=priority, why=why, ok=ok, error=error))
            s.commit()

    def record_writes(self, entries: Sequence[Any]) -> None:
        """A tick's write records and the commands now held, in one transaction."""
        if not entries:
            return
        with self.sessions() as s:
            for e in entries:
                s.add(AuditRow(at=e.at, actor="control-loop", action="write", unit=e.unit,
                               point=e.point, old=e.old, new=e.new, priority=e.priority,
                               why=e.why, ok=e.ok, error=e.error))
                if not e.ok:
                    continue
                row = s.get(CommandRow, (e.unit, e.point, e.priority))
                if e.new is None:
                    if row is not None:
                        s.delete(row)
                elif row is None:
                    s.add(CommandRow(unit=e.unit, point=e.point, priority=e.priority,
                                     value=e.new, changed_at=e.at))
                else:
                    row.value, row.changed_at = e.new, e.at
                s.flush()
            s.commit()

    def audit_entries(self, actor: str | None = None, unit: str | None = None,
                      action: str | None = None, start: datetime | None = None,
                      end: datetime | None = None, limit: int = 500) -> list[AuditRow]:
        with self.sessions() as s:
            q = select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
            for column, value in ((AuditRow.actor, actor), (AuditRow.unit, unit),
                                  (AuditRow.action, action)):
                if value is not None:
                    q = q.where(column == value)
            if start is not None:
                q = q.where(AuditRow.at >= start)
            if end is not None:
                q = q.where(AuditRow.at < end)
            return list(s.scalars(q))

    # --- alarms -------------------------------------------------------------------------

    def save_alarms(self, alarms: Iterable[Any]) -> None:
        """Insert or update alarms (raised, acknowledged, cleared) in one transaction."""
        with self.sessions() as s:
            for a in alarms:
                row = s.get(AlarmRow, a.id)
                if row is None:
                    row = AlarmRow(id=a.id)
                    s.add(row)
                for f in ("key", "kind", "severity", "source", "message", "raised_at",
                          "acked_at", "acked_by", "cleared_at"):
                    setattr(row, f, getattr(a, f))
            s.commit()

    def last_alarm_id(self) -> int:
        with self.sessions() as s:
            return int(s.scalar(select(func.max(AlarmRow.id))) or 0)

    def alarms(self, open_only: bool = True, limit: int = 500) -> list[AlarmRow]:
        with self.sessions() as s:
            q = select(AlarmRow).order_by(AlarmRow.raised_at.desc(), AlarmRow.id.desc())
            if open_only:
                q = q.where(AlarmRow.cleared_at.is_(None))
            return list(s.scalars(q.limit(limit)))

    # --- commands -----------------------------------------------------------------------

    def commands(self) -> list[CommandRow]:
        with self.sessions() as s:
            return list(s.scalars(select(CommandRow)))

    # --- tokens -------------------------------------------------------------------------

    def create_token(self, name: str, role: str) -> str:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        token = "hvac_" + secrets.token_urlsafe(32)
        self._add_unique(TokenRow(name=name, role=role, token_hash=hash_token(token),
                                  created_at=datetime.now(UTC)),
                         f"a token named '{name}' exists already")
        return token

    def _add_unique(self, row: Any, taken: str) -> None:
        """Insert a row whose name must be new; `taken` is the message when it is not."""
        with self.sessions() as s:
            s.add(row)
            try:
                s.commit()
            except IntegrityError:
                raise ValueError(taken) from None

    def token(self, token: str) -> TokenInfo | None:
        with self.sessions() as s:
            row = s.scalar(select(TokenRow).where(TokenRow.token_hash == hash_token(token),
                                                  TokenRow.revoked_at.is_(None)))
            return TokenInfo(row.name, row.role) if row is not None else None

    def revoke_token(self, name: str) -> bool:
        with self.sessions() as s:
            result = s.execute(update(TokenRow).where(TokenRow.name == name,
                                                      TokenRow.revoked_at.is_(None))
                               .values(revoked_at=datetime.now(UTC)))
            s.commit()
            return bool(result.rowcount)  # type: ignore[attr-defined]

    # --- people and sessions (the panel) ------------------------------------------------

    def create_user(self, name: str, role: str, password: str) -> None:
        if role not in ROLES or role == "boxoffice":
            raise ValueError("role must be one of viewer, operator, engineer, admin")
        if len(password) < 10:
            raise ValueError("a password needs at least 10 characters")
        self._add_unique(UserRow(name=name, role=role, password_hash=hash_password(password),
                                 created_at=datetime.now(UTC)),
                         f"a user named '{name}' exists already")

    def check_password(self, name: str, password: str) -> str | None:
        """The user's role when the password is right; None otherwise (same work either way)."""
        with self.sessions() as s:
            row = s.scalar(select(UserRow).where(UserRow.name == name))
        stored = row.password_hash if row is not None else DUMMY_HASH
        ok = verify_password(password, stored)
        return row.role if ok and row is not None else None

    def open_session(self, user: str, role: str, expires_at: datetime) -> tuple[str, str]:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        with self.sessions() as s:
            s.add(SessionRow(token_hash=hash_token(token), user=user, role=role, csrf=csrf,
                             expires_at=expires_at))
            s.commit()
        return token, csrf

    def session(self, token: str, now: datetime) -> SessionRow | None:
        with self.sessions() as s:
            row = s.get(SessionRow, hash_token(token))
            return row if row is not None and row.expires_at > now else None

    def close_session(self, token: str) -> None:
        with self.sessions() as s:
            row = s.get(SessionRow, hash_token(token))
            if row is not None:
                s.delete(row)
                s.commit()

    # --- trends -------------------------------------------------------------------------

    def add_samples(self, samples: Sequence[tuple[str, str, datetime, float | None, bool]]
                    ) -> None:
        if not samples:
            return
        with self.sessions() as s:
            s.add_all(TrendRow(unit=u, point=p, at=t, value=v, ok=ok)
                      for u, p, t, v, ok in samples)
            s.commit()

    def trends(self, unit: str, point: str, start: datetime, end: datetime
               ) -> list[tuple[datetime, float | None, bool]]:
        with self.sessions() as s:
            rows = s.execute(select(TrendRow.at, TrendRow.value, TrendRow.ok).where(
                TrendRow.unit == unit, TrendRow.point == point, TrendRow.at >= start,
                TrendRow.at < end).order_by(TrendRow.at))
            return [(r.at, r.value, r.ok) for r in rows]
