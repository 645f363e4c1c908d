"""The venue, its seasons and its calendar as validated, immutable data.

Pure types and pure functions of them; no file is read here (see `hvac_ctl.config`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hvac_ctl.model.calendar import Calendar
from hvac_ctl.model.seasons import Seasons
from hvac_ctl.model.venue import Venue


@dataclass(frozen=True)
class Config:
    """Everything engineers describe: the building and its schedules."""

    venue: Venue
    seasons: Seasons
    calendar: Calendar
    # Results of pure functions of this configuration and plain values (the planner's CO2
    # search, the season of a day), kept because a tick asks the same questions each minute.
    memo: dict[tuple[Any, ...], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def remember(self, key: tuple[Any, ...], compute: Any) -> Any:
        """`compute()` once per key; bounded, since keys carry instants."""
        if key not in self.memo:
            if len(self.memo) >= 20_000:
                self.memo.clear()
            self.memo[key] = compute()
        return self.memo[key]


__all__ = ["Calendar", "Config", "Seasons", "Venue"]
