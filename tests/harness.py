"""What tests share: the repository's root, the venue's timezone, instants at the venue, and
the planner tests' show days. Tests import from here (or use fixtures), never from each other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hvac_ctl.model import Config

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")

MakeConfig = Callable[..., Config]


def local(text: str, tz: ZoneInfo = SHANGHAI) -> datetime:
    """'2026-12-05 19:30' at the venue."""
    return datetime.fromisoformat(text).replace(tzinfo=tz)


# --- planner days ----------------------------------------------------------------------------

AUD = ("ahu-aud-1", "ahu-aud-2", "ahu-aud-3")

SUMMER_SHOW = """
performances:
  - {id: aida, title: Aida, date: 2027-07-10, doors_open: "19:00", curtain: "19:30",
     end: "22:30", expected_attendance: %(n)d, live_orchestra: %(live)s,
     house_lights: %(lights)s}
"""


def summer(make: MakeConfig, n: int = 2000, live: bool = True, lights: bool = False) -> Config:
    return make(SUMMER_SHOW % {"n": n, "live": str(live).lower(), "lights": str(lights).lower()})


def phases(plan: Any, zone: str) -> list[str]:
    out: list[str] = []
    for seg in plan.for_zone(zone):
        if not out or out[-1] != seg.phase:
            out.append(seg.phase)
    return out


def segment_at(plan: Any, zone: str, at: datetime) -> Any:
    return next(s for s in plan.for_zone(zone) if s.start <= at < s.end)


BERLIN = ZoneInfo("Europe/Berlin")
DST_CALENDAR = """
performances:
  - {id: late-2026-10-24, title: Late, date: 2026-10-24, doors_open: "22:00",
     curtain: "22:30", end: "02:30", expected_attendance: 1500}
  - {id: spring-2027-03-28, title: Spring, date: 2027-03-28, doors_open: "19:00",
     curtain: "19:30", end: "22:30", expected_attendance: 2000}
  - {id: early-2027-03-28, title: Early, date: 2027-03-28, doors_open: "00:30",
     curtain: "01:00", end: "04:00", expected_attendance: 300}
"""
