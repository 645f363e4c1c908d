"""API v1: what box-office systems, operators and engineers talk to.

JSON, documented at /docs (OpenAPI); times ISO-8601 with offsets. Bearer tokens carry a role:
viewer, operator, engineer, boxoffice, admin. Everyone authenticated may read; `boxoffice` may
push occupancy; operators, engineers and admins may override; engineers and admins may change
schedules. Every change is audited with the token's name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from hvac_ctl.application.errors import (
    ConfigRejected,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Problem,
    StoreBusy,
)
from hvac_ctl.application.layer import Application
from hvac_ctl.service.docs import mount_docs
from hvac_ctl.service.limits import BodyLimits
from hvac_ctl.service.routers import ROUTERS
from hvac_ctl.service.runtime import Runtime
from hvac_ctl.service.trim import release_free_memory

STATUS = {NotFound: 404, Conflict: 409, Forbidden: 403}


def problem_response(exc: Problem) -> JSONResponse:
    """A use case's refusal as HTTP: 422s in FastAPI's own shape (a list naming the field)."""
    if isinstance(exc, Invalid):
        return JSONResponse({"detail": [{"loc": [exc.where, exc.field], "msg": exc.message,
                                         "type": "value_error"}]}, status_code=422)
    if isinstance(exc, ConfigRejected):
        return JSONResponse({"detail": [{"loc": ["body"], "msg": i, "type": "config_error"}
                                        for i in exc.issues]}, status_code=422)
    if isinstance(exc, StoreBusy):
        return JSONResponse({"detail": exc.message}, status_code=503,
                            headers={"Retry-After": str(exc.retry_after_s)})
    return JSONResponse({"detail": exc.message}, status_code=next(  # a subclass: its base's
        (code for kind, code in STATUS.items() if isinstance(exc, kind)), 400))


def create_app(runtime: Runtime) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        release_free_memory()  # what starting freed, back to the system (service/trim.py)
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title="hvac-ctl", version="1", lifespan=lifespan, description=__doc__,
                  docs_url=None, redoc_url=None)  # served offline by mount_docs
    mount_docs(app)
    app.add_middleware(BodyLimits)  # 413 past 1 MB, 422 past 32 levels of JSON
    app.state.runtime = runtime
    app.state.application = Application(runtime)

    @app.exception_handler(Problem)
    async def refused(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(DBAPIError)
    async def store_refused(request: Request, exc: DBAPIError) -> JSONResponse:
        # a store call outside `Runtime.db` (a token or session lookup in a request thread)
        runtime.keeper.store_refused(exc)
        return problem_response(StoreBusy(runtime.store_error or "refused"))

    for router in ROUTERS:
        app.include_router(router)
    from hvac_ctl.panel import mount_panel

    mount_panel(app)
    return app
