"""/api/v1/schedules: the seasons and calendar files as YAML text; engineers replace them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response

from hvac_ctl.application.errors import Invalid
from hvac_ctl.service.auth import App, Engineer, Reader
from hvac_ctl.service.responses import SavedFile, errors

router = APIRouter(prefix="/api/v1/schedules", tags=["schedules"])
YAML_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/yaml": {"schema": {"type": "string"}}}}}
# the file as text; its refusals are JSON like everywhere (response_class=Response: the
# error bodies documented as application/json, the file as text/plain, nothing else)
TEXT: dict[int | str, dict[str, Any]] = {200: {"description": "the YAML file", "content": {
    "text/plain": {"schema": {"type": "string"}}}}}


async def yaml_text(request: Request) -> str:
    raw = await request.body()
    if len(raw) > 1_000_000:
        raise HTTPException(413, "a schedule file is at most 1 MB")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("body", "the body must be UTF-8 YAML text") from None


@router.get("/seasons", response_class=Response, responses={**TEXT, **errors()})
async def get_seasons(app: App, _: Reader) -> PlainTextResponse:
    return PlainTextResponse(app.schedules.seasons())


@router.get("/calendar", responses=errors())
async def list_calendar(app: App, _: Reader) -> list[str]:
    return app.schedules.calendar_names()


@router.get("/calendar/{name}", response_class=Response,
            responses={**TEXT, **errors(404)})
async def get_calendar(name: str, app: App, _: Reader) -> PlainTextResponse:
    return PlainTextResponse(app.schedules.calendar(name))


@router.put("/seasons", openapi_extra=YAML_BODY, response_model=SavedFile,
            responses=errors(413))
async def put_seasons(request: Request, app: App, who: Engineer) -> dict[str, Any]:
    warnings = app.schedules.replace_seasons(await yaml_text(request), who.name)
    return {"file": "schedules/seasons.yaml", "ok": True, "warnings": warnings}


@router.put("/calendar/{name}", openapi_extra=YAML_BODY, response_model=SavedFile,
            responses=errors(413))
async def put_calendar(name: str, request: Request, app: App, who: Engineer) -> dict[str, Any]:
    warnings = app.schedules.replace_calendar(name, await yaml_text(request), who.name)
    return {"file": f"schedules/calendar/{name}", "ok": True, "warnings": warnings}
