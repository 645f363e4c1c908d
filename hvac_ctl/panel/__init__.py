"""The operator's web panel at /panel: server-rendered pages, a little JavaScript, no build step.

People sign in with a name and a password (stored as a scrypt hash); the session cookie is
HttpOnly and SameSite=Strict, every form carries a CSRF token, and roles are the API's: viewers
see everything, operators, engineers and admins may also override.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from hvac_ctl.control import SafetyGate
from hvac_ctl.model.venue import COMMAND_POINTS
from hvac_ctl.panel.throttle import SignInThrottle, retry_after
from hvac_ctl.planner import plan_day
from hvac_ctl.service.runtime import Runtime
from hvac_ctl.service.views import OverrideIn, add_override, override_view, zone_view
from hvac_ctl.store.models import SessionRow

HERE = Path(__file__).parent
COOKIE = "hvac_session"
SESSION_HOURS = 12
OVERRIDERS = ("operator", "engineer", "admin")
# how far back a page looks: a year at most (a huge number overflowed the date arithmetic)
PanelHours = Annotated[int, Query(ge=1, le=24 * 366)]
log = logging.getLogger(__name__)
templates = Jinja2Templates(directory=str(HERE / "templates"))
PHASE_COLOURS = {"idle": "#3a3f47", "tour": "#2b6cb0", "get_in": "#b7791f",
                 "precool": "#2f855a", "show": "#c53030", "post_show": "#6b46c1"}


class SignIn(Exception):
    """Not signed in: go to the sign-in page."""


def _runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def current(request: Request) -> SessionRow:
    rt = _runtime(request)
    token = request.cookies.get(COOKIE)
    row = rt.store.session(token, rt.clock.now()) if token else None
    if row is None:
        raise SignIn
    return row


Who = Annotated[SessionRow, Depends(current)]


def _csrf(who: SessionRow, token: str) -> None:
    if token != who.csrf:
        raise HTTPException(403, "the form is stale or forged (CSRF token mismatch): reload")


def _page(request: Request, name: str, who: SessionRow | None, **ctx: Any) -> HTMLResponse:
    rt = _runtime(request)
    now = rt.clock.now().astimezone(rt.config.venue.venue.tz)
    return templates.TemplateResponse(request, name, {
        "who": who, "now": now, "venue": rt.config.venue.venue.name,
        "can_override": who is not None and who.role in OVERRIDERS, **ctx})


def panel_router() -> APIRouter:
    r = APIRouter(prefix="/panel", include_in_schema=False)

    @r.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request, error: str | None = None) -> HTMLResponse:
        return _page(request, "login.html", None, error=error)

    @r.post("/login")
    async def login(request: Request, name: Annotated[str, Form()],
                    password: Annotated[str, Form()]) -> Response:
        rt = _runtime(request)
        now = rt.clock.now()
        throttle: SignInThrottle = request.app.state.sign_in_throttle
        address = request.client.host if request.client else None
        keys = throttle.keys(name, address)
        wait = throttle.wait(keys, now)
        if wait is not None:  # refused before the password is looked at
            log.info("sign-in as %r from %s refused: throttled", name[:120], address)
            page = _page(request, "login.html", None, error="Too many failed sign-ins: try "
                         f"again in {retry_after(wait)} s.")
            page.status_code = 429
            page.headers["Retry-After"] = retry_after(wait)
            return page
        role = rt.store.check_password(name, password)
        if role is None:
            delay = throttle.failed(keys, now)
            why = f"wrong name or password from {address}" + (
                f"; next attempt in {retry_after(delay)} s" if delay else "")
            rt.store.audit(now, name[:120], "panel.login", why, ok=False)
            log.warning("sign-in as %r failed: %s", name[:120], why)
            page = _page(request, "login.html", None, error="Wrong name or password.")
            page.status_code = 401
            return page
        throttle.succeeded(keys)
        token, _ = rt.store.open_session(name, role,
                                         rt.clock.now() + timedelta(hours=SESSION_HOURS))
        rt.store.audit(rt.clock.now(), name, "panel.login", "signed in")
        out = RedirectResponse("/panel", status_code=303)
        out.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/panel",
                       max_age=SESSION_HOURS * 3600, secure=request.url.scheme == "https")
        return out

    @r.post("/logout")
    async def logout(request: Request, who: Who, csrf: Annotated[str, Form()]) -> Response:
        _csrf(who, csrf)
        token = request.cookies.get(COOKIE, "")
        _runtime(request).store.close_session(token)
        out = RedirectResponse("/panel/login", status_code=303)
        out.delete_cookie(COOKIE, path="/panel")
        return out

    @r.get("", response_class=HTMLResponse)
    async def hall(request: Request, who: Who) -> HTMLResponse:
        rt = _runtime(request)
        return _page(request, "hall.html", who,
                     zones=[zone_view(rt, z) for z in rt.config.venue.zones])

    @r.get("/events")
    async def events(request: Request, who: Who) -> StreamingResponse:
        """Server-sent events: the hall, once a second."""
        rt = _runtime(request)

        async def stream() -> AsyncIterator[str]:
            while not await request.is_disconnected():
                payload = {"at": rt.clock.now().astimezone(rt.config.venue.venue.tz)
                           .strftime("%H:%M:%S"),
                           "zones": [zone_view(rt, z) for z in rt.config.venue.zones]}
                yield f"data: {json.dumps(payload, default=str)}\n\n"
                await asyncio.sleep(1.0)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    @r.get("/tonight", response_class=HTMLResponse)
    async def tonight(request: Request, who: Who) -> HTMLResponse:
        rt = _runtime(request)
        now = rt.clock.now()
        day = now.astimezone(rt.config.venue.venue.tz).date()
        plan = plan_day(rt.config, day, rt.inputs(now), rt.loop.plans)
        return _page(request, "tonight.html", who, **timeline(rt, plan, now))

    @r.get("/trends", response_class=HTMLResponse)
    async def trends(request: Request, who: Who, hours: PanelHours = 6) -> HTMLResponse:
        rt = _runtime(request)
        rt.flush_trends()
        now = rt.clock.now()
        charts = []
        since = now - timedelta(hours=hours)
        for zone in rt.config.venue.zones:
            unit = rt.config.venue.units_of(zone)[0]
            temp = rt.store.trends(unit, "zone_temp", since, now)
            target = rt.store.trends(f"zone:{zone}", "target_c", since, now)
            charts.append(chart(f"{zone}: temperature and target", "°C", temp, now, hours,
                                target))
            charts.append(chart(f"{zone}: CO2", "ppm",
                                rt.store.trends(unit, "co2", since, now), now, hours))
            charts.append(chart(f"{zone}: people", "",
                                rt.store.trends(f"zone:{zone}", "people", since, now), now,
                                hours))
        return _page(request, "trends.html", who, charts=charts, hours=hours)

    @r.get("/overrides", response_class=HTMLResponse)
    async def overrides(request: Request, who: Who, error: str | None = None
                        ) -> HTMLResponse:
        return _overrides_page(request, who, error)

    @r.post("/overrides")
    async def create(request: Request, who: Who, csrf: Annotated[str, Form()],
                     unit: Annotated[str, Form()], point: Annotated[str, Form()],
                     value: Annotated[str, Form()], duration: Annotated[str, Form()],
                     reason: Annotated[str, Form()] = "") -> Response:
        _csrf(who, csrf)
        if who.role not in OVERRIDERS:
            return _overrides_page(request, who, f"A {who.role} may look but not override.",
                                   status=403)
        rt = _runtime(request)
        try:
            body = OverrideIn(unit=unit, point=point, value=_form_value(point, value),
                              reason=reason.strip() or " ", **_duration(rt, unit, duration))
            add_override(rt, body, who.user)
        except HTTPException as e:
            detail = e.detail[0]["msg"] if isinstance(e.detail, list) else str(e.detail)
            return _overrides_page(request, who, detail, status=422)
        except ValueError as e:
            return _overrides_page(request, who, _first_error(e), status=422)
        await rt.tick()
        return RedirectResponse("/panel/overrides", status_code=303)

    @r.post("/overrides/{override_id}/release")
    async def release(request: Request, override_id: str, who: Who,
                      csrf: Annotated[str, Form()]) -> Response:
        _csrf(who, csrf)
        if who.role not in OVERRIDERS:
            return _overrides_page(request, who, f"A {who.role} may not release overrides.",
                                   status=403)
        rt = _runtime(request)
        row = rt.store.end_override(override_id, rt.clock.now(), who.user)
        if row is not None:
            rt.store.audit(rt.clock.now(), who.user, "override.release",
                           f"override {override_id} released", unit=row.unit, point=row.point)
            await rt.tick()
        return RedirectResponse("/panel/overrides", status_code=303)

    @r.get("/alarms", response_class=HTMLResponse)
    async def alarms(request: Request, who: Who) -> HTMLResponse:
        rt = _runtime(request)
        tz = rt.config.venue.venue.tz
        active = sorted(rt.alarms.active.values(), key=lambda a: (a.raised_at, a.id),
                        reverse=True)
        return _page(request, "alarms.html", who, alarms=active, tz=tz,
                     may_ack=who.role in OVERRIDERS)

    @r.post("/alarms/{alarm_id}/ack")
    async def ack(request: Request, alarm_id: int, who: Who,
                  csrf: Annotated[str, Form()]) -> Response:
        _csrf(who, csrf)
        if who.role not in OVERRIDERS:
            raise HTTPException(403, f"a {who.role} may not acknowledge alarms")
        _runtime(request).ack_alarm(alarm_id, who.user)
        return RedirectResponse("/panel/alarms", status_code=303)

    @r.get("/audit", response_class=HTMLResponse)
    async def audit(request: Request, who: Who, actor: str = "", unit: str = "",
                    hours: PanelHours = 24) -> HTMLResponse:
        rt = _runtime(request)
        now = rt.clock.now()
        rows = rt.store.audit_entries(actor or None, unit or None, None,
                                      now - timedelta(hours=hours), None, 300)
        tz = rt.config.venue.venue.tz
        return _page(request, "audit.html", who, rows=rows, tz=tz, actor=actor, unit=unit,
                     hours=hours, units=list(rt.config.venue.units))

    return r


def _overrides_page(request: Request, who: SessionRow, error: str | None,
                    status: int = 200) -> HTMLResponse:
    rt = _runtime(request)
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
    active = [override_view(rt, o) for o in rt.store.overrides(active_at=rt.clock.now())]
    response = _page(request, "overrides.html", who, choices=choices, active=active,
                     error=error)
    response.status_code = status
    return response


def _form_value(point: str, text: str) -> bool | float | str:
    text = text.strip()
    if point == "enable":
        if text.lower() not in ("on", "off", "true", "false", "1", "0"):
            raise ValueError("enable takes on or off")
        return text.lower() in ("on", "true", "1")
    if point == "mode":
        return text
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a number") from None


def _duration(rt: Runtime, unit: str, choice: str) -> dict[str, Any]:
    """15 min, 1 h, until the end of the show, or a clock time today."""
    if choice in ("15", "60"):
        return {"minutes": float(choice)}
    now = rt.clock.now()
    tz = rt.config.venue.venue.tz
    if choice == "show":
        state = rt.loop.last_state
        zone = rt.config.venue.units[unit].zone if unit in rt.config.venue.units else None
        event = state.zones[zone].event_id if state is not None and zone else None
        show = rt.show(event) if event else None
        if show is None or show.end <= now:
            raise ValueError("no show is on in that zone: choose a duration")
        return {"until": show.end}
    try:
        hh, mm = (int(x) for x in choice.split(":"))
        local = now.astimezone(tz).replace(hour=hh, minute=mm, second=0, microsecond=0)
    except ValueError:
        raise ValueError("choose a duration, or a time like 21:30") from None
    if local <= now:
        local += timedelta(days=1)
    return {"until": local}


def _first_error(e: ValueError) -> str:
    errors = getattr(e, "errors", None)
    if callable(errors):
        first = errors()[0]
        field = ".".join(str(x) for x in first.get("loc", ())) or "input"
        return f"{field}: {first['msg'].removeprefix('Value error, ')}"
    return str(e)


# --- pictures ------------------------------------------------------------------------------


def timeline(rt: Runtime, plan: Any, now: datetime) -> dict[str, Any]:
    tz = rt.config.venue.venue.tz
    start = min(s.start for s in plan.segments)
    end = max(s.end for s in plan.segments)
    span = (end - start).total_seconds()
    width = 1000

    def x(t: datetime) -> float:
        return round((t - start).total_seconds() / span * width, 1)

    rows = []
    upcoming = [s for s in plan.segments if s.start > now]
    next_change = min(upcoming, key=lambda s: s.start) if upcoming else None
    for zone in rt.config.venue.zones:
        bands = [{"x": x(s.start), "w": max(1.0, x(s.end) - x(s.start)),
                  "colour": PHASE_COLOURS[s.phase], "phase": s.phase,
                  "label": f"{s.start.astimezone(tz):%H:%M}–{s.end.astimezone(tz):%H:%M} "
                           f"{s.phase} {s.setpoint_c:.1f} °C",
                  "next": next_change is not None and s is next_change}
                 for s in plan.for_zone(zone)]
        rows.append({"zone": zone, "bands": bands})
    shows = [{"title": s.title, "id": s.event_id,
              "doors": s.doors_open.astimezone(tz), "curtain": s.curtain.astimezone(tz),
              "end": s.end.astimezone(tz),
              "precool": {z: t.astimezone(tz) for z, t in s.precool_start.items()},
              "oa": {z: t.astimezone(tz) for z, t in s.oa_open.items()}} for s in plan.shows]
    hours = [{"x": x(start + timedelta(hours=h)), "label": f"{h:02d}"} for h in range(0, 25, 3)
             if start + timedelta(hours=h) <= end]
    return {"rows": rows, "shows": shows, "now_x": x(now) if start <= now <= end else None,
            "hours": hours, "width": width, "day": plan.day,
            "next": None if next_change is None else
            f"{next_change.start.astimezone(tz):%H:%M} {next_change.zone} → {next_change.phase}"}


def chart(title: str, unit: str, rows: list[tuple[datetime, float | None, bool]],
          now: datetime, hours: int,
          reference: list[tuple[datetime, float | None, bool]] | None = None) -> dict[str, Any]:
    """An SVG polyline (and a dashed reference line, the target) over the last hours."""

    def clean(rs: list[tuple[datetime, float | None, bool]]) -> list[tuple[datetime, float]]:
        return [(t, v) for t, v, ok in rs if ok and v is not None and not math.isnan(v)]

    values, ref = clean(rows), clean(reference or [])
    width, height = 600, 140
    if not values:
        return {"title": title, "points": "", "ref": "", "width": width, "height": height,
                "lo": None, "hi": None, "unit": unit, "last": None}
    lo = min(v for _, v in values + ref)
    hi = max(v for _, v in values + ref)
    pad = max((hi - lo) * 0.1, 0.5)
    lo, hi = lo - pad, hi + pad
    start = now - timedelta(hours=hours)

    def xy(t: datetime, v: float) -> str:
        x = (t - start).total_seconds() / (hours * 3600) * width
        y = height - (v - lo) / (hi - lo) * height
        return f"{x:.1f},{y:.1f}"

    return {"title": title, "points": " ".join(xy(t, v) for t, v in values),
            "ref": " ".join(xy(t, v) for t, v in ref), "width": width, "height": height,
            "lo": round(lo, 1), "hi": round(hi, 1), "unit": unit,
            "last": round(values[-1][1], 1)}


def mount_panel(app: Any) -> None:
    app.include_router(panel_router())
    app.state.sign_in_throttle = SignInThrottle()  # one per app: its counts are its own
    app.mount("/panel/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(SignIn)
    async def to_sign_in(request: Request, exc: SignIn) -> Response:
        return RedirectResponse("/panel/login", status_code=303)
