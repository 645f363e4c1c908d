"""/api/v1/occupancy: the box office pushes seat counts; anyone may read what is acted on.

A push's answer is handed back as a JSONResponse of the use case's dict, which holds only
JSON's own types (str, int, float, bool, dicts of them): FastAPI would first copy a returned
dict through `jsonable_encoder`, a recursive walk that cost a quarter of the framework's time
per push (about 70 µs of 260, measured on the app in process), on the box office's way.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from hvac_ctl.application.occupancy import Push
from hvac_ctl.service.auth import App, BoxOffice, Reader
from hvac_ctl.service.bounds import Instant
from hvac_ctl.service.responses import PUSH_EXAMPLES, PushOut, errors

router = APIRouter(prefix="/api/v1/occupancy", tags=["occupancy"])


class OccupancyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: str = Field(min_length=1, max_length=120, description="performance id")
    count: int = Field(ge=0, le=100_000, description="people in the hall or holding tickets")
    at: Instant | None = Field(default=None, description="when counted (default: now)")


@router.post("", response_model=None,
             responses={200: {"model": PushOut}, **errors(404, 409, 413)})
async def push_occupancy(body: Annotated[OccupancyIn, Body(openapi_examples=PUSH_EXAMPLES)],
                         app: App, who: BoxOffice,
                         idempotency_key: Annotated[str | None, Header()] = None
                         ) -> JSONResponse:
    return JSONResponse(await app.occupancy.push(Push(body.event, body.count, body.at,
                                                      who.name, idempotency_key)))


@router.get("", responses=errors(404))
async def occupancy(app: App, _: Reader, event: str) -> dict[str, Any]:
    return await app.occupancy.status(event)
