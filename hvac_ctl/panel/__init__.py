"""The operator's web panel at /panel: `routes` (the pages), `session` (sign-in, cookie and
CSRF), `forms` (form fields as typed values), `charts` (the SVG pictures), `throttle` (failed
sign-ins slowed down). Roles are the API's: viewers see everything; operators, engineers and
admins may also override and acknowledge."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from hvac_ctl.panel.routes import landing, router
from hvac_ctl.panel.session import SignIn
from hvac_ctl.panel.throttle import SignInThrottle


def mount_panel(app: FastAPI) -> None:
    app.include_router(router)
    app.state.sign_in_throttle = SignInThrottle()  # one per app: its counts are its own
    app.mount("/panel/static", StaticFiles(directory=str(Path(__file__).parent / "static")),
              name="static")

    @app.get("/", include_in_schema=False)
    async def root(request: Request) -> RedirectResponse:
        """The address alone opens the panel where it lands (`routes.landing`)."""
        return RedirectResponse(landing(request.app.state.application), status_code=303)

    @app.exception_handler(SignIn)
    async def to_sign_in(request: Request, exc: SignIn) -> Response:
        return RedirectResponse("/panel/login", status_code=303)
