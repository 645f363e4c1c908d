"""People and their keys: API tokens, panel users and their sessions.

Tokens are 256-bit random and kept only as a SHA-256, so one can be looked up but not read
back; passwords as salted scrypt. A mixin of `Store`, kept apart because none of it is on the
control path: it is read by requests (in the request's own thread) and written by the CLI.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hvac_ctl.store.models import AuditRow, SessionRow, TokenRow, UserRow

ROLES = ("viewer", "operator", "engineer", "boxoffice", "admin")


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


@dataclass(frozen=True)
class TokenInfo:
    name: str
    role: str


class PeopleStore:
    sessions: sessionmaker[Session]

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
            return bool(result.rowcount)  # type: ignore[attr-defined]  # an UPDATE's CursorResult

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

    def open_session(self, user: str, role: str, expires_at: datetime,
                     signed_in_at: datetime | None = None) -> tuple[str, str]:
        """A new session and its CSRF token; with `signed_in_at`, the sign-in audited in the
        same transaction."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        with self.sessions() as s:
            s.add(SessionRow(token_hash=hash_token(token), user=user, role=role, csrf=csrf,
                             expires_at=expires_at))
            if signed_in_at is not None:
                s.add(AuditRow(at=signed_in_at, actor=user, action="panel.login",
                               why="signed in", ok=True))
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
