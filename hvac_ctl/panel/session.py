"""Signing in and staying signed in: a session cookie, and a CSRF token in every form.

People sign in with a name and a password (a scrypt hash in the store, checked in a store
thread); failures are throttled per name and per address (`throttle`). The session cookie is
HttpOnly and SameSite=Strict; every form posts the session's CSRF token back, and a form
without it is refused as stale or forged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from hvac_ctl.application.layer import Application
from hvac_ctl.panel.throttle import SignInThrottle, retry_after
from hvac_ctl.store.models import SessionRow
from hvac_ctl.store.store import AuditEntry

COOKIE = "hvac_session"
SESSION_HOURS = 12
log = logging.getLogger(__name__)


class SignIn(Exception):
    """Not signed in: go to the sign-in page."""


def application(request: Request) -> Application:
    return request.app.state.application  # type: ignore[no-any-return]  # set by create_app


def current(request: Request) -> SessionRow:
    """The signed-in session (a plain function: FastAPI looks it up in a request thread)."""
    rt = application(request).runtime
    token = request.cookies.get(COOKIE)
    row = rt.store.session(token, rt.clock.now()) if token else None
    if row is None:
        raise SignIn
    return row


Who = Annotated[SessionRow, Depends(current)]


def check_csrf(who: SessionRow, token: str) -> None:
    if token != who.csrf:
        raise HTTPException(403, "the form is stale or forged (CSRF token mismatch): reload")


@dataclass(frozen=True)
class Attempt:
    """How a sign-in went: a session token, or why not and the status to answer with."""

    token: str | None
    error: str | None = None
    status: int = 200
    retry_after: str | None = None


async def sign_in(app: Application, throttle: SignInThrottle, name: str, password: str,
                  address: str | None) -> Attempt:
    rt = app.runtime
    now = rt.clock.now()
    keys = throttle.keys(name, address)
    wait = throttle.wait(keys, now)
    if wait is not None:  # refused before the password is looked at
        log.info("sign-in as %r from %s refused: throttled", name[:120], address)
        return Attempt(None, f"Too many failed sign-ins: try again in {retry_after(wait)} s.",
                       429, retry_after(wait))
    role = await rt.db(rt.store.check_password, name, password)
    if role is None:
        delay = throttle.failed(keys, now)
        why = f"wrong name or password from {address}" + (
            f"; next attempt in {retry_after(delay)} s" if delay else "")
        rt.writer.audit(AuditEntry(now, name[:120], "panel.login", why, ok=False))
        log.warning("sign-in as %r failed: %s", name[:120], why)
        return Attempt(None, "Wrong name or password.", 401)
    throttle.succeeded(keys)
    token, _ = await rt.write(rt.store.open_session, name, role,
                              now + timedelta(hours=SESSION_HOURS), now)
    return Attempt(token)


async def sign_out(app: Application, token: str) -> None:
    await app.runtime.db(app.runtime.store.close_session, token)
