"""Who is asking, for the API's routers: a bearer token, looked up (with a few seconds'
memory) and checked against what its role may do (`application.tokens`).

These dependencies are plain functions: FastAPI runs them in its thread pool, so a token's
store lookup never runs on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hvac_ctl.application.layer import Application
from hvac_ctl.application.tokens import Action, require
from hvac_ctl.store import TokenInfo

bearer = HTTPBearer(auto_error=False)


def application(request: Request) -> Application:
    return request.app.state.application  # type: ignore[no-any-return]  # set by create_app


App = Annotated[Application, Depends(application)]


def principal(app: App,
              creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
              ) -> TokenInfo:
    if creds is None or creds.scheme.lower() != "bearer":
        raise HTTPException(401, "a bearer token is required (Authorization: Bearer …)",
                            headers={"WWW-Authenticate": "Bearer"})
    who = app.tokens.get(creds.credentials)
    if who is None:
        raise HTTPException(401, "unknown or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return who


def allowed(action: Action) -> Callable[..., TokenInfo]:
    def check(who: Annotated[TokenInfo, Depends(principal)]) -> TokenInfo:
        require(who.role, action)  # Forbidden → 403 naming the role and who may
        return who
    return check


Reader = Annotated[TokenInfo, Depends(allowed("read"))]
BoxOffice = Annotated[TokenInfo, Depends(allowed("push occupancy"))]
Operator = Annotated[TokenInfo, Depends(allowed("override units"))]
Acknowledger = Annotated[TokenInfo, Depends(allowed("acknowledge alarms"))]
Engineer = Annotated[TokenInfo, Depends(allowed("change schedules"))]
