"""/api/v1/occupancy: the box office pushes seat counts; anyone may read what is acted on."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, ConfigDict, Field

from hvac_ctl.application.occupancy import Push
from hvac_ctl.service.auth import App, BoxOffice, Reader
from hvac_ctl.service.bounds import Instant

router = APIRouter(prefix="/api/v1/occupancy", tags=["occupancy"])


class OccupancyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: str = Field(min_length=1, max_length=120, description="performance id")
    count: int = Field(ge=0, le=100_000, description="people in the hall or holding tickets")
    at: Instant | None = Field(default=None, description="when counted (default: now)")


@router.post("")
async def push_occupancy(body: OccupancyIn, app: App, who: BoxOffice,
                         idempotency_key: Annotated[str | None, Header()] = None
                         ) -> dict[str, Any]:
    return await app.occupancy.push(Push(body.event, body.count, body.at, who.name,
                                         idempotency_key))


@router.get("")
async def occupancy(app: App, _: Reader, event: str) -> dict[str, Any]:
    return await app.occupancy.status(event)
