"""Who is asking, for the API's routers: a bearer token, looked up (with a few seconds'
memory) and checked against what its role may do (`application.tokens`).

The dependencies are coroutines: FastAPI runs a plain function dependency in its thread
pool, and three thread hops cost a box office's push more than all the rest of its checks. A
token found valid in the last few seconds is answered from memory on the event loop; only
its store lookup runs in a thread, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from hvac_ctl.application.layer import Application
from hvac_ctl.application.tokens import Action, require
from hvac_ctl.store import TokenInfo

bearer = HTTPBearer(auto_error=False)


async def application(request: Request) -> Application:
    return request.app.state.application  # type: ignore[no-any-return]  # set by create_app


App = Annotated[Application, Depends(application)]


async def principal(app: App,
                    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
                    ) -> TokenInfo:
    if creds is None or creds.scheme.lower() != "bearer":
        raise HTTPException(401, "a bearer token is required (Authorization: Bearer …)",
                            headers={"WWW-Authenticate": "Bearer"})
    who = app.tokens.cached(creds.credentials) or await run_in_threadpool(
        app.tokens.get, creds.credentials)
    if who is None:
        raise HTTPException(401, "unknown or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return who


def allowed(action: Action) -> Callable[..., TokenInfo]:
    async def check(who: Annotated[TokenInfo, Depends(principal)]) -> TokenInfo:
        require(who.role, action)  # Forbidden → 403 naming the role and who may
        return who
    return check


Reader = Annotated[TokenInfo, Depends(allowed("read"))]
BoxOffice = Annotated[TokenInfo, Depends(allowed("push occupancy"))]
Operator = Annotated[TokenInfo, Depends(allowed("override units"))]
Acknowledger = Annotated[TokenInfo, Depends(allowed("acknowledge alarms"))]
Engineer = Annotated[TokenInfo, Depends(allowed("change schedules"))]
