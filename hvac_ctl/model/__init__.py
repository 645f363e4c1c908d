"""The venue, its seasons and its calendar as validated, immutable data.

Pure types and pure functions of them; no file is read here (see `hvac_ctl.config`), and
nothing writes to them once made: a planner's cache is its caller's (`planner.PlanCache`).
"""

from __future__ import annotations

from dataclasses import dataclass

from hvac_ctl.model.calendar import Calendar
from hvac_ctl.model.seasons import Seasons
from hvac_ctl.model.venue import Venue


@dataclass(frozen=True)
class Config:
    """Everything engineers describe: the building and its schedules."""

    venue: Venue
    seasons: Seasons
    calendar: Calendar


__all__ = ["Calendar", "Config", "Seasons", "Venue"]
