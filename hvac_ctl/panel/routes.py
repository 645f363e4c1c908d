"""The panel's pages: the site, the hall, tonight's timeline, trends, overrides, alarms and the
audit.

Server-rendered, a little JavaScript, no build step. Every rule is the application layer's, as
for the API: a page only reads forms and shows what the use case answered.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates

from hvac_ctl.application.errors import NotFound, Problem, StoreBusy
from hvac_ctl.application.history import rounded
from hvac_ctl.application.layer import Application
from hvac_ctl.application.overrides import InForce, OverrideIn
from hvac_ctl.application.tokens import may
from hvac_ctl.application.views import alarm_summary, override_view
from hvac_ctl.control import SafetyGate
from hvac_ctl.model.venue import COMMAND_POINTS
from hvac_ctl.panel.charts import chart, timeline
from hvac_ctl.panel.forms import duration, first_error, form_value
from hvac_ctl.panel.session import (
    COOKIE,
    SESSION_HOURS,
    Who,
    application,
    check_csrf,
    sign_in,
    sign_out,
)
from hvac_ctl.panel.throttle import SignInThrottle
from hvac_ctl.store.models import SessionRow

HERE = Path(__file__).parent
# how far back a page looks: a year at most (further overflows the date arithmetic)
PanelHours = Annotated[int, Query(ge=1, le=24 * 366)]
templates = Jinja2Templates(directory=str(HERE / "templates"))
DONE = {"released": "Override {id} released.",
        "expired": "Override {id} had already expired: nothing to release.",
        "already": "Override {id} was already ended."}
router = APIRouter(prefix="/panel", include_in_schema=False)
AUDIT_PAGE = 50
templates.env.filters["rounded"] = rounded  # a value as its point means it: 31.4, not 31.3999…


def page(request: Request, name: str, who: SessionRow | None, status: int = 200,
         **ctx: Any) -> HTMLResponse:
    rt = application(request).runtime
    now = rt.clock.now().astimezone(rt.config.venue.venue.tz)
    out = templates.TemplateResponse(request, name, {
        "who": who, "now": now, "venue": rt.config.venue.venue.name,
        "is_site": rt.config.venue.is_site, "has_plant": rt.config.venue.plant is not None,
        "alarm_summary": alarm_summary(rt) if who is not None else None,
        "can_override": who is not None and may(who.role, "override units"), **ctx})
    out.status_code = status
    return out


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, error: str | None = None) -> HTMLResponse:
    return page(request, "login.html", None, error=error)


@router.post("/login")
async def login(request: Request, name: Annotated[str, Form()],
                password: Annotated[str, Form()]) -> Response:
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    address = request.client.host if request.client else None
    got = await sign_in(application(request), throttle, name, password, address)
    if got.token is None:
        out = page(request, "login.html", None, status=got.status, error=got.error)
        if got.retry_after is not None:
            out.headers["Retry-After"] = got.retry_after
        return out
    out = RedirectResponse(landing(application(request)), status_code=303)
    out.set_cookie(COOKIE, got.token, httponly=True, samesite="strict", path="/panel",
                   max_age=SESSION_HOURS * 3600, secure=request.url.scheme == "https")
    return out


@router.post("/logout")
async def logout(request: Request, who: Who, csrf: Annotated[str, Form()]) -> Response:
    check_csrf(who, csrf)
    await sign_out(application(request), request.cookies.get(COOKIE, ""))
    out = RedirectResponse("/panel/login", status_code=303)
    out.delete_cookie(COOKIE, path="/panel")
    return out


def landing(app: Application) -> str:
    """Where the panel opens: a site's overview; a one-hall venue's hall, as it always did
    (its site page, one hall, is at /panel/site all the same)."""
    return "/panel/site" if app.runtime.config.venue.is_site else "/panel"


@router.get("", response_class=HTMLResponse)
async def hall(request: Request, who: Who, hall: str | None = None) -> HTMLResponse:
    """Every zone, or one hall's (`?hall=`, as the site page links it)."""
    app = application(request)
    try:
        zones = app.hall.zones(hall)
    except Problem as e:
        raise HTTPException(_status(e), e.message) from None
    return page(request, "hall.html", who, zones=zones, hall=hall,
                hall_name=None if hall is None else app.site.hall_name(hall))


@router.get("/site", response_class=HTMLResponse)
async def site(request: Request, who: Who) -> HTMLResponse:
    """Every hall and every public group on one screen, each hall linked to its hall page."""
    app = application(request)
    return page(request, "site.html", who, site=app.site.view(),
                tz=app.runtime.config.venue.venue.tz)


@router.get("/plant", response_class=HTMLResponse)
async def plant(request: Request, who: Who) -> HTMLResponse:
    """The chillers, the demand now and today's against the cap, the tariff's band; a
    venue without a plant says so (its nav has no link here)."""
    app = application(request)
    try:
        view: dict[str, Any] | None = app.plant.view()
    except NotFound:
        view = None
    return page(request, "plant.html", who, plant=view)


@router.get("/units/{unit}/why")
async def why(request: Request, unit: str, who: Who) -> dict[str, Any]:
    """A hall row opened: the plan's reason for the unit's values and its last write."""
    try:
        return await application(request).hall.why(unit)
    except Problem as e:
        raise HTTPException(_status(e), e.message) from None


@router.get("/alarms/summary")
async def alarm_counts(request: Request, who: Who) -> dict[str, Any]:
    """The navigation's alarm counts, polled by pages without the hall's event stream."""
    return alarm_summary(application(request).runtime)


@router.get("/events")
async def events(request: Request, who: Who) -> StreamingResponse:
    """Server-sent events: the hall and the alarm summary, once a second."""
    app = application(request)
    rt = app.runtime

    async def stream() -> AsyncIterator[str]:
        while not await request.is_disconnected():
            payload = {"at": rt.clock.now().astimezone(rt.config.venue.venue.tz)
                       .strftime("%H:%M:%S"), "zones": app.hall.zones(),
                       "alarms": alarm_summary(rt)}
            yield f"data: {json.dumps(payload, default=str)}\n\n"
            await asyncio.sleep(1.0)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store"})


@router.get("/tonight", response_class=HTMLResponse)
async def tonight(request: Request, who: Who) -> HTMLResponse:
    """The day's phases; a show's precool start as planned before it, as it happened after."""
    app = application(request)
    plan = app.hall.plan()
    return page(request, "tonight.html", who, starts=await app.hall.precool_starts(plan),
                tz=app.runtime.config.venue.venue.tz,
                **timeline(app.runtime, plan, app.runtime.clock.now()))


@router.get("/trends", response_class=HTMLResponse)
async def trends(request: Request, who: Who, hours: PanelHours = 6) -> HTMLResponse:
    app = application(request)
    rt = app.runtime
    await rt.idle(timeout_s=1.0)  # the samples queued so far, stored
    now = rt.clock.now()
    since = now - timedelta(hours=hours)
    tz = rt.config.venue.venue.tz
    charts = []
    for zone in rt.config.venue.zones:
        unit = rt.config.venue.units_of(zone)[0]
        temp = await app.history.samples(unit, "zone_temp", since, now)
        target = await app.history.samples(f"zone:{zone}", "target_c", since, now)
        charts.append(chart(f"{zone}: temperature and target", "°C", temp, now, hours, target,
                            tz=tz))
        charts.append(chart(f"{zone}: CO2", "ppm",
                            await app.history.samples(unit, "co2", since, now), now, hours,
                            tz=tz, digits=0))
        charts.append(chart(f"{zone}: people", "people",
                            await app.history.samples(f"zone:{zone}", "people", since, now),
                            now, hours, tz=tz, count=True))
    return page(request, "trends.html", who, charts=charts, hours=hours)


@router.get("/overrides", response_class=HTMLResponse)
async def overrides(request: Request, who: Who, error: str | None = None,
                    done: str | None = None, override: str | None = None) -> HTMLResponse:
    notice = DONE[done].format(id=override) if done in DONE and override else None
    return _overrides_page(request, who, error, notice=notice)


@router.post("/overrides")
async def create(request: Request, who: Who, csrf: Annotated[str, Form()],
                 unit: Annotated[str, Form()], point: Annotated[str, Form()],
                 value: Annotated[str, Form()], duration_: Annotated[str, Form(alias="duration")],
                 reason: Annotated[str, Form()] = "",
                 replace: Annotated[str, Form()] = "") -> Response:
    """An error shows the form again as the operator filled it; a point that already has an
    override answers 409 naming it, and the form then offers to replace it."""
    check_csrf(who, csrf)
    typed = {"unit": unit, "point": point, "value": value, "duration": duration_,
             "reason": reason}
    if not may(who.role, "override units"):
        return _overrides_page(request, who, f"A {who.role} may look but not override.", 403)
    app = application(request)
    try:
        body = OverrideIn(unit=unit, point=point, value=form_value(point, value),
                          reason=reason.strip() or " ", replace=bool(replace),
                          **duration(app.runtime, unit, duration_))
        await app.overrides.create(body, who.user)
    except InForce as e:
        return _overrides_page(request, who, e.summary, 409, typed=typed,
                               in_force=override_view(app.runtime, e.row))
    except Problem as e:
        return _overrides_page(request, who, e.message, _status(e), typed=typed)
    except ValueError as e:
        return _overrides_page(request, who, first_error(e), 422, typed=typed)
    return RedirectResponse("/panel/overrides", status_code=303)


@router.post("/overrides/{override_id}/release")
async def release(request: Request, override_id: str, who: Who,
                  csrf: Annotated[str, Form()]) -> Response:
    check_csrf(who, csrf)
    if not may(who.role, "override units"):
        return _overrides_page(request, who, f"A {who.role} may not release overrides.", 403)
    try:
        done = await application(request).overrides.release(override_id, who.user)
    except Problem as e:
        return _overrides_page(request, who, e.message, _status(e))
    return RedirectResponse(f"/panel/overrides?done={done.outcome}&override={override_id}",
                            status_code=303)


@router.get("/alarms", response_class=HTMLResponse)
async def alarms(request: Request, who: Who) -> HTMLResponse:
    app = application(request)
    return page(request, "alarms.html", who, alarms=app.alarms.active(limit=1000),
                tz=app.runtime.config.venue.venue.tz,
                may_ack=may(who.role, "acknowledge alarms"))


@router.post("/alarms/{alarm_id}/ack")
async def ack(request: Request, alarm_id: int, who: Who,
              csrf: Annotated[str, Form()]) -> Response:
    check_csrf(who, csrf)
    if not may(who.role, "acknowledge alarms"):
        raise HTTPException(403, f"a {who.role} may not acknowledge alarms")
    application(request).runtime.ack_alarm(alarm_id, who.user)
    return RedirectResponse("/panel/alarms", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
async def audit(request: Request, who: Who, actor: str = "", unit: str = "", action: str = "",
                reasserts: bool = False, hours: PanelHours = 24,
                page_: Annotated[int, Query(alias="page", ge=1, le=10**6)] = 1) -> HTMLResponse:
    """AUDIT_PAGE rows a page, newest first; re-assertions that changed nothing folded out
    unless asked for (`reasserts=1`); values rounded to their point's resolution."""
    app = application(request)
    rt = app.runtime
    rows = await app.history.audit(actor or None, unit or None, action or None,
                                   rt.clock.now() - timedelta(hours=hours), None,
                                   AUDIT_PAGE + 1, (page_ - 1) * AUDIT_PAGE, reasserts)
    query = {"actor": actor, "unit": unit, "action": action, "hours": hours,
             "reasserts": int(reasserts)}
    return page(request, "audit.html", who, rows=rows[:AUDIT_PAGE],
                tz=rt.config.venue.venue.tz, actor=actor, unit=unit, hours=hours,
                units=list(rt.config.venue.units), action=action, reasserts=reasserts,
                actions=await app.history.audit_actions(), page_no=page_,
                prev=urlencode(query | {"page": page_ - 1}) if page_ > 1 else None,
                next=urlencode(query | {"page": page_ + 1}) if len(rows) > AUDIT_PAGE else None,
                toggle=urlencode(query | {"reasserts": int(not reasserts)}))


def _status(e: Problem) -> int:
    return 503 if isinstance(e, StoreBusy) else 404 if isinstance(e, NotFound) else 422


def _overrides_page(request: Request, who: SessionRow, error: str | None, status: int = 200,
                    notice: str | None = None, typed: dict[str, str] | None = None,
                    in_force: dict[str, Any] | None = None) -> HTMLResponse:
    """`typed`: what the operator sent, shown again in the form; `in_force`: the override
    that refused it, which the form offers to replace."""
    app: Application = application(request)
    rt = app.runtime
    gate = SafetyGate(rt.config.venue)
    choices = []
    for name, u in rt.config.venue.units.items():
        for p in COMMAND_POINTS:
            spec = getattr(u.points, p)
            if spec is None:
                continue
            lo, hi = gate.bounds(name, p) if p not in ("enable", "mode") else (None, None)
            choices.append({"unit": name, "point": p, "min": lo, "max": hi,
                            "states": list(spec.states or {}) if p == "mode" else None})
    now = rt.clock.now()
    active = [override_view(rt, o) for o in rt.open_overrides if o.start <= now < o.until]
    return page(request, "overrides.html", who, status, choices=choices, active=active,
                error=error, notice=notice, typed=typed or {}, in_force=in_force)
