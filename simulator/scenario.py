"""What happens in the hall: shows, tours, get-ins and doors — from the calendar, then edited.

The calendar says what is expected; a scenario file says what really happens, so a test or a
demo can play "a show that sells 60 %", "late arrivals" or "a door left open":

    sold: 0.9                       # every show fills 90 % of its expected attendance
    late_arrivals: {fraction: 0.2, minutes: 15}   # 20 % arrive in the 15 min after curtain
    shows:
      tosca-2026-12-05: {sold: 0.6}                # this one sells 60 %
    doors:                                         # the west loading door left open
      - {open: "2026-12-05T14:00:00+08:00", close: "2026-12-05T16:30:00+08:00"}
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from ruamel.yaml import YAML


@dataclass(frozen=True)
class Show:
    id: str
    doors_open: datetime
    curtain: datetime
    end: datetime
    attendance: int  # who actually comes
    live_orchestra: bool = True
    house_lights: bool = False
    late_fraction: float = 0.0
    late_minutes: float = 0.0
    hall: str | None = None  # its hall, whose public areas its audience crowds (None: none)


@dataclass(frozen=True)
class Tour:
    start: datetime
    end: datetime
    route: tuple[str, ...]
    group: int = 40


@dataclass(frozen=True)
class Period:
    """A get-in (stage crew, loading door open) or a door left open."""

    start: datetime
    end: datetime
    hall: str | None = None  # a site's get-in: its hall's stage (None: every stage)

    def holds(self, t: datetime) -> bool:
        return self.start <= t < self.end


@dataclass(frozen=True)
class Scenario:
    shows: tuple[Show, ...] = ()
    tours: tuple[Tour, ...] = ()
    get_ins: tuple[Period, ...] = ()
    doors_open: tuple[Period, ...] = ()

    @property
    def quiet(self) -> bool:
        """Nothing in it acts: no show, tour, get-in or open door (every kind it holds)."""
        return not (self.shows or self.tours or self.get_ins or self.doors_open)

    def edited(self, edits: ScenarioFile) -> Scenario:
        shows = []
        for s in self.shows:
            own = edits.shows.get(s.id)
            sold = own.sold if own is not None and own.sold is not None else edits.sold
            late = (own.late_arrivals if own is not None and own.late_arrivals is not None
                    else edits.late_arrivals)
            shows.append(replace(
                s, attendance=round(s.attendance * sold),
                late_fraction=late.fraction if late else s.late_fraction,
                late_minutes=late.minutes if late else s.late_minutes))
        doors = tuple(Period(d.open, d.close) for d in edits.doors)
        return replace(self, shows=tuple(shows), doors_open=self.doors_open + doors)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LateArrivals(_Strict):
    fraction: float = Field(ge=0, le=1)
    minutes: float = Field(gt=0, le=120)


class ShowEdit(_Strict):
    sold: float | None = Field(default=None, ge=0, le=1.5)
    late_arrivals: LateArrivals | None = None


class DoorEdit(_Strict):
    open: AwareDatetime
    close: AwareDatetime


class ScenarioFile(_Strict):
    sold: float = Field(default=1.0, ge=0, le=1.5)
    late_arrivals: LateArrivals | None = None
    shows: dict[str, ShowEdit] = {}
    doors: list[DoorEdit] = []

    @classmethod
    def load(cls, path: Path) -> ScenarioFile:
        return cls.model_validate(YAML(typ="safe").load(path.read_text()) or {})
