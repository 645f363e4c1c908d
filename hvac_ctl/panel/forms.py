"""The panel's form fields, read as the API's typed values: a point's value, a duration."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hvac_ctl.service.runtime import Runtime


def form_value(point: str, text: str) -> bool | float | str:
    """`on`/`off` for enable, a state name for mode, a number for the rest."""
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


def duration(rt: Runtime, unit: str, choice: str) -> dict[str, Any]:
    """15 min, 1 h, until the end of the show on in the unit's zone, or a clock time (the
    next time the venue's clock shows it)."""
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
        local: datetime = now.astimezone(tz).replace(hour=hh, minute=mm, second=0,
                                                     microsecond=0)
    except ValueError:
        raise ValueError("choose a duration, or a time like 21:30") from None
    if local <= now:
        local += timedelta(days=1)
    return {"until": local}


def first_error(e: ValueError) -> str:
    """A validation error as one line naming its field."""
    errors = getattr(e, "errors", None)
    if callable(errors):
        first = errors()[0]
        field = ".".join(str(x) for x in first.get("loc", ())) or "input"
        return f"{field}: {first['msg'].removeprefix('Value error, ')}"
    return str(e)
