"""The store: SQLAlchemy 2 over SQLite by default, any URL (PostgreSQL for several instances).

Everything that matters after a restart lives here — occupancy pushes, overrides, the audit
trail, the last commands held, tokens and trends. Trends are rows in the same database rather
than a columnar file: one transactional store to back up, and at a venue's size (a few
thousand samples an hour) SQLite and pandas' `read_sql` are ample.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import bindparam, create_engine, event, func, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hvac_ctl.store.migrating import at_head, in_memory, upgrade, upgrade_apart
from hvac_ctl.store.models import (
    AlarmRow,
    AuditRow,
    CommandRow,
    OverrideRow,
    PushRow,
    TrendRow,
)
from hvac_ctl.store.people import PeopleStore

_PUSHES, _AUDIT = PushRow.__table__, AuditRow.__table__
# built once: the push path runs hundreds of times a second (SQLAlchemy caches the compiled
# form by the statement's structure, but building the expression each time costs more)
_INSERT_PUSH = _PUSHES.insert()
_INSERT_AUDIT = _AUDIT.insert()
_INSERT_TREND = TrendRow.__table__.insert()
# how the control loop ends the reason of a write that re-asserts an unchanged value
REASSERT = "; re-assert"
_PUSH_BY_KEY = select(_PUSHES).where(_PUSHES.c.idempotency_key == bindparam("key"))
_PUSH_BY_TIME = select(_PUSHES).where(_PUSHES.c.event_id == bindparam("event_id"),
                                      _PUSHES.c.at == bindparam("at"))
Trend = tuple[str, str, datetime, float | None, bool]  # unit, point, at, value, good
Ended = Literal["released", "expired", "already", "unknown"]


@dataclass(frozen=True)
class AuditEntry:
    """An audit row the service writes behind (alarm raised, override expired, …)."""

    at: datetime
    actor: str
    action: str
    why: str = ""
    unit: str | None = None
    point: str | None = None
    old: Any = None
    new: Any = None
    ok: bool = True


def default_url(data_dir: Path) -> str:
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data_dir / 'hvac-ctl.db'}"


class Store(PeopleStore):
    """Synchronous, thread-safe calls: the service makes them off its event loop (a request's
    own in a worker thread, the rest through `WriteBehind`), the CLI directly.

    `busy_timeout_s` is how long a write waits for a lock another process holds. Short, so
    that a request answers "retry" within a second or two instead of hanging, and the
    write-behind worker retries on its own schedule."""

    def __init__(self, url: str, busy_timeout_s: float = 0.5) -> None:
        self.url = url
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout_s}
        elif url.startswith("postgresql"):
            # a server that restarted leaves every pooled connection dead: test each before
            # use, so a request after the restart is served instead of failing once per
            # connection; keepalives and a connect timeout notice a dead server in seconds
            kwargs["pool_pre_ping"] = True
            kwargs["connect_args"] = {"keepalives": 1, "keepalives_idle": 5,
                                      "keepalives_interval": 2, "keepalives_count": 3,
                                      "connect_timeout": 5}
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            @event.listens_for(self.engine, "connect")
            def _pragmas(conn: Any, _record: Any) -> None:
                cur = conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")  # a kill -9 loses nothing committed
                cur.execute("PRAGMA synchronous=FULL")
                cur.close()
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self, apart: bool = False) -> None:
        """To the head revision; nothing to do, no Alembic loaded (hvac_ctl.store.migrating).
        `apart`: upgrade in a child interpreter, as the service does, so that Alembic never
        stays resident in it (an in-memory database is upgraded here all the same)."""
        if at_head(self.engine):
            return
        if apart and not in_memory(self.url):
            upgrade_apart(self.url)
            return
        with self.engine.begin() as conn:
            upgrade(conn)

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
        ORM's unit of work costs more than the commit."""
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
        """Store an override and its audit row, in one transaction."""
        row = OverrideRow(id=f"ov-{uuid.uuid4().hex[:10]}", unit=unit, point=point, value=value,
                          start=start, until=until, reason=reason, created_by=actor)
        with self.sessions() as s:
            s.add(row)
            s.add(AuditRow(at=start, actor=actor, action="override.create", unit=unit,
                           point=point, new=value, why=reason, ok=True))
            s.commit()
        return row

    def set_override(self, unit: str, point: str, value: Any, start: datetime, until: datetime,
                     reason: str, actor: str, replace: bool
                     ) -> tuple[OverrideRow | None, list[OverrideRow]]:
        """One override per point: (the new one, those it replaced), or (None, those in force)
        when one is in force on the point at `start` and `replace` is false — nothing stored.

        Replacing ends each one in force at `start` (audited as replaced, naming the new one)
        and stores the new one with its audit row, in one transaction: the point is never left
        without its override, nor held by two."""
        with self.sessions() as s:
            in_force = list(s.scalars(select(OverrideRow).where(
                OverrideRow.unit == unit, OverrideRow.point == point,
                OverrideRow.ended_at.is_(None), OverrideRow.start <= start,
                OverrideRow.until > start).order_by(OverrideRow.start.desc())))
            if in_force and not replace:
                return None, in_force
            row = OverrideRow(id=f"ov-{uuid.uuid4().hex[:10]}", unit=unit, point=point,
                              value=value, start=start, until=until, reason=reason,
                              created_by=actor)
            for old in in_force:
                old.ended_at, old.ended_by = start, actor
                s.add(AuditRow(at=start, actor=actor, action="override.replace", unit=unit,
                               point=point, old=old.value, new=value, ok=True,
                               why=f"override {old.id} replaced by {row.id}: {reason}"))
            s.add(row)
            s.add(AuditRow(at=start, actor=actor, action="override.create", unit=unit,
                           point=point, new=value, why=reason, ok=True))
            s.commit()
        return row, in_force

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

    def end_override(self, override_id: str, at: datetime, actor: str
                     ) -> tuple[OverrideRow | None, Ended]:
        """End an override at `at`, once, and audit that in the same transaction.

        `released`: `actor` ended it now. `expired`: it had run out already (ended at its own
        `until`, by `expiry`, and audited as expired — not as released). `already`: it had
        been ended before; nothing is recorded again. A conditional UPDATE, so two releases
        at once end it once."""
        with self.sessions() as s:
            row = s.get(OverrideRow, override_id)
            if row is None:
                return None, "unknown"
            if row.ended_at is not None:
                return row, "already"
            expired = row.until <= at
            ended_at, by = (row.until, "expiry") if expired else (at, actor)
            done = s.execute(update(OverrideRow).where(
                OverrideRow.id == override_id, OverrideRow.ended_at.is_(None)).values(
                ended_at=ended_at, ended_by=by))
            if not done.rowcount:  # type: ignore[attr-defined]  # a CursorResult's
                s.rollback()
                return s.get(OverrideRow, override_id, populate_existing=True), "already"
            s.add(AuditRow(
                at=at, actor=by, action="override.expired" if expired else "override.release",
                unit=row.unit, point=row.point, old=row.value, ok=True,
                why=f"override {override_id} " + ("ended" if expired else "released")))
            s.commit()
            row.ended_at, row.ended_by = ended_at, by
            return row, "expired" if expired else "released"

    # --- audit --------------------------------------------------------------------------

    def audit(self, at: datetime, actor: str, action: str, why: str = "", *,
              unit: str | None = None, point: str | None = None, old: Any = None,
              new: Any = None, priority: int | None = None, ok: bool = True,
              error: str | None = None) -> None:
        with self.sessions() as s:
            s.add(AuditRow(at=at, actor=actor, action=action, unit=unit, point=point, old=old,
                           new=new, priority=priority, why=why, ok=ok, error=error))
            s.commit()

    def write_batch(self, trends: Sequence[Trend] = (), writes: Sequence[Any] = (),
                    audits: Sequence[AuditEntry] = (), alarms: Iterable[Any] = ()) -> None:
        """What the service writes behind: trends, a tick's write records with the commands
        now held, audit rows and alarms (inserted or updated), in one transaction — all of
        it stored, or none of it and the caller keeps it to retry."""
        with self.sessions() as s:
            if trends:
                s.execute(_INSERT_TREND, [{"unit": u, "point": p, "at": t, "value": v, "ok": ok}
                                          for u, p, t, v, ok in trends])
            for e in writes:
                s.add(AuditRow(at=e.at, actor="control-loop", action="write", unit=e.unit,
                               point=e.point, old=e.old, new=e.new, priority=e.priority,
                               why=e.why, ok=e.ok, error=e.error))
                if e.ok:
                    self._hold(s, e)
            for a in audits:
                s.add(AuditRow(at=a.at, actor=a.actor, action=a.action, unit=a.unit,
                               point=a.point, old=a.old, new=a.new, why=a.why, ok=a.ok))
            for a in alarms:
                row = s.get(AlarmRow, a.id)
                if row is None:
                    row = AlarmRow(id=a.id)
                    s.add(row)
                for f in ("key", "kind", "severity", "source", "message", "raised_at",
                          "acked_at", "acked_by", "cleared_at"):
                    setattr(row, f, getattr(a, f))
            s.commit()

    @staticmethod
    def _hold(s: Session, e: Any) -> None:
        """The command now held at a write's priority (None: relinquished)."""
        row = s.get(CommandRow, (e.unit, e.point, e.priority))
        if e.new is None:
            if row is not None:
                s.delete(row)
        elif row is None:
            s.add(CommandRow(unit=e.unit, point=e.point, priority=e.priority, value=e.new,
                             changed_at=e.at))
        else:
            row.value, row.changed_at = e.new, e.at
        s.flush()

    def audit_entries(self, actor: str | None = None, unit: str | None = None,
                      action: str | None = None, start: datetime | None = None,
                      end: datetime | None = None, limit: int = 500, offset: int = 0,
                      reasserts: bool = True) -> list[AuditRow]:
        """Newest first. `reasserts=False` leaves out the control loop's re-assertions that
        changed nothing (a write whose reason the loop ends with '; re-assert'); one that
        failed stays: a unit that refuses is news."""
        with self.sessions() as s:
            q = select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc())
            q = q.limit(limit).offset(offset)
            if not reasserts:
                q = q.where(~((AuditRow.action == "write") & AuditRow.ok.is_(True)
                              & AuditRow.why.like(f"%{REASSERT}")))
            for column, value in ((AuditRow.actor, actor), (AuditRow.unit, unit),
                                  (AuditRow.action, action)):
                if value is not None:
                    q = q.where(column == value)
            if start is not None:
                q = q.where(AuditRow.at >= start)
            if end is not None:
                q = q.where(AuditRow.at < end)
            return list(s.scalars(q))

    def audit_actions(self) -> list[str]:
        """The actions the audit holds, for the panel's filter."""
        with self.sessions() as s:
            return sorted(s.scalars(select(AuditRow.action).distinct()))

    # --- alarms -------------------------------------------------------------------------

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

    # --- trends -------------------------------------------------------------------------

    def trends(self, unit: str, point: str, start: datetime, end: datetime
               ) -> list[tuple[datetime, float | None, bool]]:
        with self.sessions() as s:
            rows = s.execute(select(TrendRow.at, TrendRow.value, TrendRow.ok).where(
                TrendRow.unit == unit, TrendRow.point == point, TrendRow.at >= start,
                TrendRow.at < end).order_by(TrendRow.at))
            return [(r.at, r.value, r.ok) for r in rows]
