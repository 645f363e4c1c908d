"""The panel's pictures, drawn on the server as SVG coordinates: the day's phases per zone as
bands on a timeline, and a trend as a polyline with its target dashed beside it."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from hvac_ctl.planner import DayPlan
from hvac_ctl.service.runtime import Runtime

PHASE_COLOURS = {"idle": "#3a3f47", "tour": "#2b6cb0", "get_in": "#b7791f",
                 "precool": "#2f855a", "show": "#c53030", "post_show": "#6b46c1"}


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
