"""The panel's pictures, drawn on the server as SVG coordinates: the day's phases per zone as
bands on a timeline, and a trend as a polyline with its target dashed beside it."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from hvac_ctl.planner import DayPlan
from hvac_ctl.service.runtime import Runtime

PHASE_COLOURS = {"idle": "#3a3f47", "tour": "#2b6cb0", "get_in": "#b7791f",
                 "precool": "#2f855a", "show": "#c53030", "post_show": "#6b46c1",
                 "open": "#2c7a7b", "crowd": "#c05621"}  # a public area's, open or crowded


def timeline(rt: Runtime, plan: DayPlan, now: datetime) -> dict[str, Any]:
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
              "oa": {z: t.astimezone(tz) for z, t in s.oa_open.items()},
              "own": {z: t.astimezone(tz) for z, t in s.own_start.items()},
              "plant_kw": dict(s.plant_load_kw)} for s in plan.shows]
    hours = [{"x": x(start + timedelta(hours=h)), "label": f"{h:02d}"} for h in range(0, 25, 3)
             if start + timedelta(hours=h) <= end]
    return {"rows": rows, "shows": shows, "now_x": x(now) if start <= now <= end else None,
            "hours": hours, "width": width, "day": plan.day,
            "next": None if next_change is None else
            f"{next_change.start.astimezone(tz):%H:%M} {next_change.zone} → {next_change.phase}"}


# The trend's SVG in its own units (the page scales it): the plot box inside the margins
# that hold the axes' labels.
WIDTH, HEIGHT = 600, 210
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 32
# A label is at most this many SVG units a character (the largest font the stylesheet gives
# an axis label, 22, times a digit's width, 0.62 em), so ticks this far apart never overlap.
CHAR = 22 * 0.62
TIME_STEPS = tuple(timedelta(minutes=m) for m in (
    15, 30, 60, 120, 180, 360, 720, 1440, 2 * 1440, 7 * 1440, 14 * 1440, 28 * 1440))
Rows = list[tuple[datetime, float | None, bool]]


def time_ticks(start: datetime, end: datetime, tz: tzinfo) -> list[dict[str, Any]]:
    """Ticks on whole local hours (or days) between start and end, at most as many as their
    labels fit side by side: 'HH:MM', and 'DD Mon' at midnight when the span is over a day."""
    span = end - start
    x0, x1 = LEFT, WIDTH - RIGHT
    fits = int((x1 - x0) // (CHAR * 6))  # a label and a character's gap
    step = next((s for s in TIME_STEPS if span / s <= fits), None) or timedelta(
        days=math.ceil(span / timedelta(days=fits)))
    local = start.astimezone(tz)
    t = datetime.combine(local.date(), time(0), tzinfo=tz)
    while t < start:
        t += step
    days = span > timedelta(days=1)  # then midnight says which day ('06 Dec'), not 00:00
    out = []
    while t <= end:
        x = x0 + (t - start) / span * (x1 - x0)
        at = t.astimezone(tz)
        fmt = "%d %b" if days and (at.hour, at.minute) == (0, 0) else "%H:%M"
        out.append({"x": round(x, 1), "label": at.strftime(fmt)})
        t += step
    return out


def value_ticks(lo: float, hi: float, count: bool = False,
                digits: int = 1) -> tuple[float, float, list[float]]:
    """A round range holding lo..hi and its ticks (2 to 7, a step of 1, 2 or 5 times a power of
    ten, never finer than the point's resolution, `digits`). A steady value gets ten steps of
    resolution around it, not a magnified noise; a count starts at 0 and ticks whole numbers:
    no negative people."""
    if count:
        lo, hi, digits = 0.0, max(hi, 5.0), 0
    least = 10.0 ** -digits
    if hi - lo < 10 * least and not count:
        mid = (hi + lo) / 2
        lo, hi = mid - 5 * least, mid + 5 * least
    raw = (hi - lo) / 5
    power = 10 ** math.floor(math.log10(raw))
    step = max(least, next(m * power for m in (1, 2, 5, 10) if m * power >= raw))
    first = math.floor(lo / step + 1e-9) * step
    last = math.ceil(hi / step - 1e-9) * step
    n = round((last - first) / step)
    return round(first, 6), round(last, 6), [round(first + i * step, 6) for i in range(n + 1)]


def _decimals(ticks: list[float]) -> int:
    """As few decimals as tell the ticks apart (a step of 0.25 needs two)."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return next(d for d in (0, 1, 2, 3) if abs(step * 10**d - round(step * 10**d)) < 1e-6)


def chart(title: str, unit: str, rows: Rows, now: datetime, hours: int,
          reference: Rows | None = None, *, tz: tzinfo, digits: int = 1,
          count: bool = False) -> dict[str, Any]:
    """A trend over the last hours as an SVG polyline (and the target as a dashed reference
    line), on a local-time axis and a round value axis; `count`: whole numbers from 0 (people),
    `digits`: the last value's decimals (the point's resolution)."""

    def clean(rs: Rows) -> list[tuple[datetime, float]]:
        return [(t, v) for t, v, ok in rs if ok and v is not None and not math.isnan(v)]

    values, ref = clean(rows), clean(reference or [])
    out: dict[str, Any] = {"title": title, "unit": unit, "width": WIDTH, "height": HEIGHT,
                           "points": "", "ref": "", "last": None, "xticks": [], "yticks": [],
                           "box": {"x0": LEFT, "x1": WIDTH - RIGHT, "y0": TOP,
                                   "y1": HEIGHT - BOTTOM}}
    if not values:
        return out
    lo, hi, ticks = value_ticks(min(v for _, v in values + ref),
                                max(v for _, v in values + ref), count, digits)
    start = now - timedelta(hours=hours)
    x0, x1, y0, y1 = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM

    def y(v: float) -> float:
        return y1 - (v - lo) / (hi - lo) * (y1 - y0)

    def xy(t: datetime, v: float) -> str:
        return f"{x0 + (t - start) / (now - start) * (x1 - x0):.1f},{y(v):.1f}"

    d = 0 if count else _decimals(ticks)
    last = values[-1][1]
    out.update(points=" ".join(xy(t, v) for t, v in values),
               ref=" ".join(xy(t, v) for t, v in ref),
               last=round(last) if count or digits == 0 else round(last, digits),
               xticks=time_ticks(start, now, tz),
               yticks=[{"y": round(y(v), 1), "label": f"{v:.{d}f}"} for v in ticks])
    return out
