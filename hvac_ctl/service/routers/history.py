"""/api/v1/trends and /api/v1/audit: what was measured and who did what."""

from __future__ import annotations

import io
import math
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from hvac_ctl.application.errors import Invalid
from hvac_ctl.application.views import iso
from hvac_ctl.service.auth import App, Reader
from hvac_ctl.service.bounds import Instant
from hvac_ctl.service.responses import errors

router = APIRouter(prefix="/api/v1", tags=["history"])


@router.get("/trends", response_model=None, responses=errors(404))
async def trends(app: App, _: Reader, unit: str, point: str, start: Instant | None = None,
                 end: Instant | None = None, every: str = "1min", format: str = "json") -> Any:
    series = await app.history.trend(unit, point, start, end, every)
    if format not in ("csv", "json"):
        raise Invalid("format", "format must be csv or json", where="query")
    if format == "csv":
        out = io.StringIO()
        series.to_frame("value").to_csv(out, index_label="at")
        return PlainTextResponse(out.getvalue(), media_type="text/csv")
    return {"unit": unit, "point": point, "every": every,
            "samples": [{"at": t.isoformat(), "value": None if math.isnan(v) else v}
                        for t, v in series.items()]}


@router.get("/audit", responses=errors())
async def audit(app: App, _: Reader, actor: str | None = None, unit: str | None = None,
                action: str | None = None, start: Instant | None = None,
                end: Instant | None = None,
                limit: Annotated[int, Query(ge=1, le=5000)] = 200,
                offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
                reasserts: bool = True) -> list[dict[str, Any]]:
    """Newest first; `offset` pages on; `reasserts=false` leaves out the control loop's
    re-assertions that changed nothing."""
    rows = await app.history.audit(actor, unit, action, start, end, limit, offset, reasserts)
    rt = app.runtime
    return [{"at": iso(r.at, rt), "actor": r.actor, "action": r.action, "unit": r.unit,
             "point": r.point, "old": r.old, "new": r.new, "priority": r.priority,
             "why": r.why, "ok": r.ok, "error": r.error} for r in rows]
