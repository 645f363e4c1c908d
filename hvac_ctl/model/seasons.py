"""Seasons: per-zone, per-phase settings, chosen by date and optionally by outdoor temperature.

`schedules/seasons.yaml` is the theatre's version of the study's "typical show-day timetable":
for each season, each zone and each phase, the setpoint, which units run, the outdoor-air mode
and the fan cap. A phase that lists no `units` runs all of its zone's units (exhausts only in a
get-in), so a unit added to `zones.yaml` runs without a second edit here; a list restricts.
The precool target is not written here: it is derived from the show setpoint minus the
season's offset, so the two can never disagree.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from hvac_ctl.model.venue import Name, Strict, UnitKind, Venue

Mode = Literal["cool", "heat"]
PHASES = ("idle", "tour", "get_in", "precool", "show", "post_show")


class OaMode(StrEnum):
    """How much outdoor air a phase asks for (turned into `oa_damper_min` by the planner)."""

    closed = "closed"  # full recirculation: the empty hall needs no outdoor air
    minimum = "minimum"  # the area part only, Ra·A / Ez (building-generated contaminants)
    occupancy = "occupancy"  # Rp·P + Ra·A from the people present, and enough to hold CO2
    design = "design"  # as if the zone were full


class PhaseSettings(Strict):
    setpoint_c: float
    units: list[Name] = []
    oa: OaMode = OaMode.closed
    fan_cap_pct: float = Field(default=100, ge=0, le=100)


class RelaxedSettings(PhaseSettings):
    """A tour, get-in or post-show: `setpoint_c` is the setpoint of the season's `mode` (what
    a summer tour's units cool to); the other mode's lies the venue's `modes.deadband_k`
    away unless given. (A show holds one target in either mode; idle protects its band.)"""

    heating_setpoint_c: float | None = None
    cooling_setpoint_c: float | None = None

    @model_validator(mode="after")
    def _heating_below_cooling(self) -> RelaxedSettings:
        h, c = self.heating_setpoint_c, self.cooling_setpoint_c
        if h is not None and c is not None and h > c:
            raise ValueError(f"heating_setpoint_c {h:g} must not be above "
                             f"cooling_setpoint_c {c:g}")
        return self


class PrecoolSettings(Strict):
    """Pre-show conditioning. Its start and its outdoor-air opening time are computed."""

    precool_offset_k: float = Field(ge=0.5, le=1.0)
    units: list[Name] = []
    fan_cap_pct: float = Field(default=100, ge=0, le=100)


class ShowSettings(PhaseSettings):
    oa: OaMode = OaMode.occupancy
    occupancy_gain_k: float = Field(default=0.0, ge=-3, le=3)
    house_lights_offset_k: float = Field(default=0.5, ge=0, le=3)
    # After curtain-up the setpoint moves from the precool target back to the show setpoint in
    # 5-minute steps over this long, not in one step the audience would feel (0: one step).
    settle_min: int = Field(default=20, ge=0, le=60)


class PostShowSettings(RelaxedSettings):
    max_minutes: int = Field(default=90, ge=5, le=360)


class ZoneSeason(Strict):
    idle: PhaseSettings
    tour: RelaxedSettings | None = None
    get_in: RelaxedSettings | None = None
    precool: PrecoolSettings | None = None
    show: ShowSettings | None = None
    post_show: PostShowSettings | None = None

    @model_validator(mode="after")
    def _precool_needs_show(self) -> ZoneSeason:
        if self.precool is not None and self.show is None:
            raise ValueError("precool needs a show phase: its target is the show setpoint")
        return self


_MMDD = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def _month_day(v: str) -> tuple[int, int]:
    m, d = (int(x) for x in v.split("-"))
    date(2024, m, d)  # leap year: accepts 02-29, refuses 04-31
    return m, d


class DateRange(Strict):
    """A yearly range of month-days; may wrap the new year (11-15 → 03-15)."""

    model_config = Strict.model_config | {"populate_by_name": True}

    start: str = Field(alias="from")
    to: str

    @field_validator("start", "to")
    @classmethod
    def _mmdd(cls, v: str) -> str:
        if not _MMDD.match(str(v)):
            raise ValueError(f"'{v}' is not a month-day like '06-01'")
        try:
            _month_day(v)
        except ValueError:
            raise ValueError(f"'{v}' is not a day of the year") from None
        return v

    def contains(self, day: date) -> bool:
        md = (day.month, day.day)
        a, b = _month_day(self.start), _month_day(self.to)
        return a <= md <= b if a <= b else (md >= a or md <= b)


class Switch(Strict):
    """Use another season's settings when the outdoor temperature says so."""

    above_c: float | None = None
    below_c: float | None = None
    to: Name

    @model_validator(mode="after")
    def _one_bound(self) -> Switch:
        if (self.above_c is None) == (self.below_c is None):
            raise ValueError("a switch needs exactly one of above_c or below_c")
        return self

    def applies(self, outdoor_c: float) -> bool:
        if self.above_c is not None:
            return outdoor_c > self.above_c
        return self.below_c is not None and outdoor_c < self.below_c


class PublicSettings(Strict):
    """A public-area group's season: the outdoor conditions that choose its one mode, and
    the band its spaces are held in. Defaults: a lobby is comfortable at 20–26 °C, and
    outdoor air between 14 and 24 °C (dew point under 17 °C) tempers it without coils."""

    cool_above_c: float = Field(default=24.0, ge=10, le=40)  # outdoor dry-bulb
    heat_below_c: float = Field(default=14.0, ge=-20, le=25)
    dehumidify_dew_point_c: float = Field(default=17.0, ge=5, le=30)  # cool + reheat above
    hysteresis_k: float = Field(default=1.0, ge=0, le=5)  # back past a threshold by this
    band_c: tuple[float, float] = (20.0, 26.0)  # open and crowd: heating, cooling setpoints
    idle_band_c: tuple[float, float] = (16.0, 30.0)  # closed: only protected

    @model_validator(mode="after")
    def _ordered(self) -> PublicSettings:
        if self.heat_below_c >= self.cool_above_c:
            raise ValueError("heat_below_c must be below cool_above_c")
        for key in ("band_c", "idle_band_c"):
            lo, hi = getattr(self, key)
            if lo >= hi:
                raise ValueError(f"{key} must be [low, high] with low < high")
        return self


class Season(Strict):
    mode: Mode
    dates: list[DateRange] = Field(min_length=1)
    switch: list[Switch] = []
    zones: dict[Name, ZoneSeason]
    public: PublicSettings = PublicSettings()  # every public group's, unless it has its own
    public_groups: dict[Name, PublicSettings] = {}  # a group's keys replace `public`'s

    def public_for(self, group: str) -> PublicSettings:
        own = self.public_groups.get(group)
        if own is None:
            return self.public
        return self.public.model_copy(update={k: getattr(own, k) for k in own.model_fields_set})

    @model_validator(mode="after")
    def _setpoints_ordered(self) -> Season:
        """The preferred mode's setpoint is `setpoint_c`: the other one given explicitly
        must lie on its side of it."""
        for zone, zs in self.zones.items():
            for phase in ("tour", "get_in", "post_show"):
                settings = getattr(zs, phase)
                if settings is None:
                    continue
                other = (settings.heating_setpoint_c if self.mode == "cool"
                         else settings.cooling_setpoint_c)
                if other is None:
                    continue
                if (other > settings.setpoint_c) if self.mode == "cool" else (
                        other < settings.setpoint_c):
                    key = "heating" if self.mode == "cool" else "cooling"
                    side = "above" if self.mode == "cool" else "below"
                    raise ValueError(
                        f"zones.{zone}.{phase}: {key}_setpoint_c {other:g} is {side} "
                        f"setpoint_c {settings.setpoint_c:g}, the {self.mode}ing setpoint "
                        f"of a season whose mode is {self.mode}")
        return self

    def covers(self, day: date) -> bool:
        return any(r.contains(day) for r in self.dates)


class Seasons(Strict):
    """`schedules/seasons.yaml` as a whole."""

    seasons: dict[Name, Season]

    def with_zone_units(self, venue: Venue) -> Seasons:
        """Every phase that lists no `units` given all of its zone's units: the AHUs, and in a
        get-in the exhausts too (an exhaust never runs during a show)."""
        filled = {}
        for sname, season in self.seasons.items():
            zones = {}
            for zname, zs in season.zones.items():
                given = {}
                for phase in PHASES:
                    settings = getattr(zs, phase)
                    if settings is not None and "units" not in settings.model_fields_set:
                        units = [u for u in venue.units_of(zname)
                                 if phase == "get_in" or venue.units[u].kind == UnitKind.ahu]
                        given[phase] = settings.model_copy(update={"units": units})
                zones[zname] = zs.model_copy(update=given) if given else zs
            filled[sname] = season.model_copy(update={"zones": zones})
        return self.model_copy(update={"seasons": filled})

    def name_for(self, day: date, outdoor_c: float | None = None) -> str:
        """The season in force on `day`; a switch may hand over to another one by weather."""
        name = next((n for n, s in self.seasons.items() if s.covers(day)), None)
        if name is None:
            raise LookupError(f"no season covers {day.isoformat()}")
        if outdoor_c is not None:
            for sw in self.seasons[name].switch:
                if sw.applies(outdoor_c):
                    return sw.to
        return name
