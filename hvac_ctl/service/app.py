"""API v1: what box-office systems, operators and engineers talk to.

JSON, documented at /docs (OpenAPI); times ISO-8601 with offsets. Bearer tokens carry a role:
viewer, operator, engineer, boxoffice, admin. Everyone authenticated may read; `boxoffice` may
push occupancy; operators, engineers and admins may override; engineers and admins may change
schedules. Every change is audited with the token's name.
"""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import OperationalError

from drivers.base import State
from hvac_ctl.config import ConfigError, config_files, parse_config
from hvac_ctl.config.loader import CALENDAR_DIR, SEASONS
from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.model.venue import ZoneKind
from hvac_ctl.planner import OccupancyPush, acted_count, plan_day
from hvac_ctl.planner.occupancy import PUSH_HORIZON
from hvac_ctl.service.bounds import Day, Instant, check_period
from hvac_ctl.service.limits import BodyLimits
from hvac_ctl.service.runtime import Runtime
from hvac_ctl.service.views import (
    OverrideIn,
    add_override,
    iso,
    override_view,
    unprocessable,
    zone_view,
)
from hvac_ctl.store import TokenInfo

READERS = ("viewer", "operator", "engineer", "boxoffice", "admin")
bearer = HTTPBearer(auto_error=False)


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


RuntimeDep = Annotated[Runtime, Depends(_runtime)]


def principal(runtime: RuntimeDep,
              creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
              ) -> TokenInfo:
    if creds is None or creds.scheme.lower() != "bearer":
        raise HTTPException(401, "a bearer token is required (Authorization: Bearer …)",
                            headers={"WWW-Authenticate": "Bearer"})
    who = runtime.tokens.get(creds.credentials)
    if who is None:
        raise HTTPException(401, "unknown or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return who


def allow(*roles: str, doing: str) -> Callable[..., TokenInfo]:
    def check(who: Annotated[TokenInfo, Depends(principal)]) -> TokenInfo:
        if who.role not in roles:
            raise HTTPException(403, f"role '{who.role}' may not {doing}; "
                                     f"needs one of: {', '.join(roles)}")
        return who
    return check


Reader = Annotated[TokenInfo, Depends(allow(*READERS, doing="read"))]
BoxOffice = Annotated[TokenInfo, Depends(allow("boxoffice", "admin", doing="push occupancy"))]
Operator = Annotated[TokenInfo, Depends(allow("operator", "engineer", "admin",
                                              doing="override units"))]
Engineer = Annotated[TokenInfo, Depends(allow("engineer", "admin", doing="change schedules"))]




# --- models ------------------------------------------------------------------------------


class OccupancyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    event: str = Field(min_length=1, max_length=120, description="performance id")
    count: int = Field(ge=0, le=100_000, description="people in the hall or holding tickets")
    at: Instant | None = Field(default=None, description="when counted (default: now)")


# --- the app -----------------------------------------------------------------------------


def create_app(runtime: Runtime) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title="hvac-ctl", version="1", lifespan=lifespan,
                  description=__doc__)
    app.add_middleware(BodyLimits)  # 413 past 1 MB, 422 past 32 levels of JSON
    app.state.runtime = runtime

    @app.exception_handler(OperationalError)
    async def store_refused(request: Request, exc: OperationalError) -> JSONResponse:
        # locked by another process or disk full: nothing was stored, so say so and let
        # the client retry; the alarm stays up until a write succeeds
        runtime.note_store_error(exc)
        return JSONResponse({"detail": f"the store cannot take this now ({runtime.store_error}); "
                                       "nothing was stored — retry shortly"},
                            status_code=503, headers={"Retry-After": "5"})
    from hvac_ctl.panel import mount_panel

    mount_panel(app)

    @app.get("/healthz")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/readyz")
    async def readyz(rt: RuntimeDep) -> Response:
        try:
            store_ok = rt.store.ping()
        except Exception as e:
            store_ok, error = False, str(e)
        else:
            error = None
        devices = {u: rt.loop.driver_of(u).health(u).state.value for u in rt.config.venue.units}
        running = rt.scheduler is not None and rt.scheduler.running
        body = {"store": store_ok, "store_error": error, "scheduler": running,
                "devices": devices,
                "online": sum(1 for s in devices.values() if s == State.online)}
        return JSONResponse(body, status_code=200 if store_ok and running else 503)

    @app.get("/metrics", response_class=PlainTextResponse)
    async def metrics(rt: RuntimeDep) -> str:
        lines = [
            "# TYPE hvac_ticks_total counter", f"hvac_ticks_total {rt.loop.ticks}",
            "# TYPE hvac_ticks_late_total counter", f"hvac_ticks_late_total {rt.ticks_late}",
            "# TYPE hvac_writes_total counter", f"hvac_writes_total {rt.loop.writes}",
            "# TYPE hvac_failed_writes_total counter",
            f"hvac_failed_writes_total {rt.loop.failed_writes}",
            "# TYPE hvac_poll_latency_ms gauge",
        ]
        online = 0
        for unit in rt.config.venue.units:
            h = rt.loop.driver_of(unit).health(unit)
            online += h.state == State.online
            if h.latency_ms is not None:
                lines.append(f'hvac_poll_latency_ms{{unit="{unit}"}} {h.latency_ms:.3f}')
        lines += ["# TYPE hvac_devices_online gauge", f"hvac_devices_online {online}"]
        return "\n".join(lines) + "\n"

    # --- occupancy -------------------------------------------------------------------------

    @app.post("/api/v1/occupancy")
    async def push_occupancy(body: OccupancyIn, rt: RuntimeDep, who: BoxOffice,
                             idempotency_key: Annotated[str | None, Header()] = None
                             ) -> dict[str, Any]:
        await rt.push_turn()  # under a burst, the control tick still gets its turns
        show = rt.show(body.event)
        if show is None:
            raise HTTPException(404, f"unknown event '{body.event}'")
        seats = sum(z.seats or 0 for z in rt.config.venue.zones.values()
                    if z.kind == ZoneKind.auditorium)
        if body.count > seats:
            raise unprocessable("count", f"{body.count} is more than the {seats} seats")
        now = rt.clock.now()
        at = body.at or now
        row, created = rt.store.add_push(body.event, body.count, at, who.name, idempotency_key,
                                         now)
        if not created and row.count != body.count:
            # a retry must repeat the push; another count for the same instant (or key) is
            # a conflict the box office must see, not a duplicate to drop quietly
            field = "Idempotency-Key" if idempotency_key is not None and (
                row.idempotency_key == idempotency_key) else "at"
            raise HTTPException(409, f"{field}: a count of {row.count} was already pushed for "
                                     f"{row.event_id} at {iso(row.at, rt)}; {body.count} was "
                                     "not stored (send it with its own time)")
        # the push (audited in the same commit) is taken into the index as it is, without
        # reading the store back: a box office may push hundreds a second
        held = created and rt.pushes.stored(row.id, row.event_id, row.at, row.count)
        pushes = [p for p in rt.pushes.pushes(now - PUSH_HORIZON, sync=not held)
                  if p.event_id == body.event]
        after, _ = acted_for(rt, show, pushes, max(now, at))
        # `pushes` holds only those that moved the count: the index says what it was without
        without = rt.pushes.acted_without(body.event, row.at, row.count, max(now, at))
        before = after if not created or without is None else without
        if after != before:
            # to the units at once; a count that moves nothing changes no unit (the next
            # tick has it), and a burst of pushes shares one tick (Runtime.tick_soon)
            rt.tick_soon()
        zone, zs, units = rt.targets_after_push(show, after, max(now, show.doors_open))
        return {
            "stored": created, "duplicate": not created, "event": row.event_id,
            "count": row.count, "at": iso(row.at, rt), "acted_on": after,
            "readjusted": created and after != before, "zone": zone,
            "targets": {"phase": zs.phase, "setpoint_c": zs.setpoint_c,
                        "outdoor_air_lps": round(zs.oa_lps, 1), "units": units},
        }

    @app.get("/api/v1/occupancy")
    async def occupancy(rt: RuntimeDep, _: Reader, event: str) -> dict[str, Any]:
        show = rt.show(event)
        if show is None:
            raise HTTPException(404, f"unknown event '{event}'")
        now = rt.clock.now()
        rows = rt.store.pushes([event])
        acted, acted_at = acted_for(rt, show, [OccupancyPush(r.event_id, r.count, r.at)
                                               for r in rows], now)
        latest = max(rows, key=lambda r: (r.at, r.id)) if rows else None
        return {"event": event, "expected": show.expected_attendance, "acted_on": acted,
                "acted_at": iso(acted_at, rt), "pushes": len(rows),
                "latest": None if latest is None else {"count": latest.count,
                                                       "at": iso(latest.at, rt),
                                                       "by": latest.actor}}

    # --- zones and plan -------------------------------------------------------------------

    @app.get("/api/v1/zones")
    async def zones(rt: RuntimeDep, _: Reader) -> list[dict[str, Any]]:
        return [zone_view(rt, z) for z in rt.config.venue.zones]

    @app.get("/api/v1/zones/{zone}")
    async def zone(zone: str, rt: RuntimeDep, _: Reader) -> dict[str, Any]:
        if zone not in rt.config.venue.zones:
            raise HTTPException(404, f"unknown zone '{zone}'")
        return zone_view(rt, zone)

    @app.get("/api/v1/plan")
    async def plan(rt: RuntimeDep, _: Reader,
                   day: Annotated[Day | None, Query(alias="date")] = None
                   ) -> list[dict[str, Any]]:
        now = rt.clock.now()
        d = day or now.astimezone(rt.config.venue.venue.tz).date()
        return plan_day(rt.config, d, rt.inputs(now), rt.loop.plans).to_json()

    # --- overrides ------------------------------------------------------------------------

    @app.post("/api/v1/overrides", status_code=201)
    async def create_override(body: OverrideIn, rt: RuntimeDep, who: Operator
                              ) -> dict[str, Any]:
        row = add_override(rt, body, who.name)
        await rt.tick()
        return override_view(rt, row)

    @app.get("/api/v1/overrides")
    async def list_overrides(rt: RuntimeDep, _: Reader,
                             active: bool = True) -> list[dict[str, Any]]:
        now = rt.clock.now()
        rows = rt.store.overrides(active_at=now if active else None)
        return [override_view(rt, o) for o in rows]

    @app.delete("/api/v1/overrides/{override_id}")
    async def release_override(override_id: str, rt: RuntimeDep, who: Operator
                               ) -> dict[str, Any]:
        now = rt.clock.now()
        row = rt.store.override(override_id)
        if row is None:
            raise HTTPException(404, f"unknown override '{override_id}'")
        row = rt.store.end_override(override_id, now, who.name)
        rt.store.audit(now, who.name, "override.release", f"override {override_id} released",
                       unit=row.unit if row else None, point=row.point if row else None)
        await rt.tick()
        return override_view(rt, row)

    # --- schedules ------------------------------------------------------------------------

    def schedule_path(rt: Runtime, rel: str) -> Path:
        return rt.settings.config_dir / rel

    @app.get("/api/v1/schedules/seasons", response_class=PlainTextResponse)
    async def get_seasons(rt: RuntimeDep, _: Reader) -> str:
        return schedule_path(rt, SEASONS).read_text(encoding="utf-8")

    @app.get("/api/v1/schedules/calendar")
    async def list_calendar(rt: RuntimeDep, _: Reader) -> list[str]:
        return sorted(k.split("/")[-1] for k in config_files(rt.settings.config_dir)
                      if k.startswith(CALENDAR_DIR + "/"))

    @app.get("/api/v1/schedules/calendar/{name}", response_class=PlainTextResponse)
    async def get_calendar(name: str, rt: RuntimeDep, _: Reader) -> str:
        path = schedule_path(rt, f"{CALENDAR_DIR}/{_file_name(name)}")
        if not path.is_file():
            raise HTTPException(404, f"no calendar file '{name}'")
        return path.read_text(encoding="utf-8")

    async def put_schedule(rt: Runtime, rel: str, text: str, who: TokenInfo) -> dict[str, Any]:
        texts = config_files(rt.settings.config_dir)
        texts[rel] = text
        try:
            config = parse_config(texts)
        except ConfigError as e:
            raise HTTPException(422, [{"loc": ["body"], "msg": str(i), "type": "config_error"}
                                      for i in e.issues]) from None
        path = schedule_path(rt, rel)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False,
                                         encoding="utf-8", suffix=".tmp") as f:
            f.write(text)
        Path(f.name).replace(path)
        rt._fingerprint = rt._disk_fingerprint()  # our own write: no need to re-read it
        rt.adopt(config, who.name, f"{rel} replaced through the API")
        return {"file": rel, "ok": True}

    yaml_body = {"requestBody": {"required": True, "content": {
        "application/yaml": {"schema": {"type": "string"}}}}}

    async def yaml_text(request: Request) -> str:
        raw = await request.body()
        if len(raw) > 1_000_000:
            raise HTTPException(413, "a schedule file is at most 1 MB")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPException(422, [{"loc": ["body"], "type": "value_error",
                                       "msg": "the body must be UTF-8 YAML text"}]) from None

    @app.put("/api/v1/schedules/seasons", openapi_extra=yaml_body)
    async def put_seasons(request: Request, rt: RuntimeDep, who: Engineer) -> dict[str, Any]:
        return await put_schedule(rt, SEASONS, await yaml_text(request), who)

    @app.put("/api/v1/schedules/calendar/{name}", openapi_extra=yaml_body)
    async def put_calendar(name: str, request: Request, rt: RuntimeDep, who: Engineer
                           ) -> dict[str, Any]:
        return await put_schedule(rt, f"{CALENDAR_DIR}/{_file_name(name)}",
                                  await yaml_text(request), who)

    # --- alarms ---------------------------------------------------------------------------

    @app.get("/api/v1/alarms")
    async def alarms(rt: RuntimeDep, _: Reader, active: bool = True,
                     limit: Annotated[int, Query(ge=1, le=5000)] = 200
                     ) -> list[dict[str, Any]]:
        """Active alarms, newest first; `active=false` adds the cleared ones from the store."""
        if active:
            rows: list[Any] = sorted(rt.alarms.active.values(),
                                     key=lambda a: (a.raised_at, a.id), reverse=True)[:limit]
        else:
            rows = rt.store.alarms(open_only=False, limit=limit)
        return [alarm_view(rt, a) for a in rows]

    @app.post("/api/v1/alarms/{alarm_id}/ack")
    async def ack_alarm(alarm_id: int, rt: RuntimeDep, who: Operator) -> dict[str, Any]:
        a = rt.ack_alarm(alarm_id, who.name)
        if a is None:
            raise HTTPException(404, f"no active alarm {alarm_id}")
        return alarm_view(rt, a)

    # --- trends and audit -----------------------------------------------------------------

    @app.get("/api/v1/trends", response_model=None)
    async def trends(rt: RuntimeDep, _: Reader, unit: str, point: str,
                     start: Instant | None = None, end: Instant | None = None,
                     every: str = "1min", format: str = "json") -> Any:
        now = rt.clock.now()
        end_ = end or now
        start_ = start or end_ - timedelta(hours=6)
        if unit not in rt.config.venue.units:
            raise HTTPException(404, f"unknown unit '{unit}'")
        check_period(every, start_, end_)
        rows = rt.store.trends(unit, point, start_, end_)
        frame = pd.DataFrame([(t, v) for t, v, ok in rows if ok and v is not None],
                             columns=["at", "value"]).set_index("at")
        if not frame.empty:
            frame = frame.resample(every).mean().dropna()
        frame.index = frame.index.tz_convert(rt.config.venue.venue.tz) if not frame.empty \
            else frame.index
        if format == "csv":
            out = io.StringIO()
            frame.to_csv(out, index_label="at")
            return PlainTextResponse(out.getvalue(), media_type="text/csv")
        if format != "json":
            raise HTTPException(422, [{"loc": ["query", "format"], "type": "value_error",
                                       "msg": "format must be csv or json"}])
        return {"unit": unit, "point": point, "every": every,
                "samples": [{"at": t.isoformat(), "value": None if math.isnan(v) else v}
                            for t, v in frame["value"].items()] if not frame.empty else []}

    @app.get("/api/v1/audit")
    async def audit(rt: RuntimeDep, _: Reader, actor: str | None = None,
                    unit: str | None = None, action: str | None = None,
                    start: Instant | None = None, end: Instant | None = None,
                    limit: Annotated[int, Query(ge=1, le=5000)] = 200) -> list[dict[str, Any]]:
        rows = rt.store.audit_entries(actor, unit, action, start, end, limit)
        return [{"at": iso(r.at, rt), "actor": r.actor, "action": r.action, "unit": r.unit,
                 "point": r.point, "old": r.old, "new": r.new, "priority": r.priority,
                 "why": r.why, "ok": r.ok, "error": r.error} for r in rows]

    return app


def alarm_view(rt: Runtime, a: Any) -> dict[str, Any]:
    return {"id": a.id, "kind": a.kind, "severity": a.severity, "source": a.source,
            "message": a.message, "raised_at": iso(a.raised_at, rt),
            "acked": a.acked_at is not None, "acked_at": iso(a.acked_at, rt),
            "acked_by": a.acked_by, "active": a.cleared_at is None,
            "cleared_at": iso(a.cleared_at, rt)}


def acted_for(rt: Runtime, show: ShowEvent, pushes: list[OccupancyPush], at: datetime
              ) -> tuple[int, datetime | None]:
    """The count acted on for a show at `at`, under the venue's re-adjustment threshold."""
    return acted_count(pushes, show.expected_attendance,
                       rt.config.venue.venue.occupancy.readjust_threshold, at)


def _file_name(name: str) -> str:
    # printable and short: a NUL or a 300-byte name used to reach open() and come back a 500
    if "/" in name or name.startswith(".") or not name.endswith((".yaml", ".yml")) \
            or not name.isprintable() or len(name) > 60:
        raise HTTPException(422, [{"loc": ["path", "name"], "type": "value_error",
                                   "msg": "a calendar file name like season.yaml "
                                          "(printable, at most 60 characters)"}])
    return name
