"""The site: halls of two kinds, public-area groups, and how each zone's air is supplied.

A `zones.yaml` without `halls:` is one hall, exactly as before the site existed: its zones
belong to that hall (`Venue.hall_ids` names it `MAIN_HALL`) and so do its events. With
`halls:`, every zone names its `hall`, except public-area zones, which name a `group` (one of
`groups:`): the study's "many units of an area switched together, by the weather".
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from hvac_ctl.model.base import Name, Strict

MAIN_HALL = "main"  # the id of the one hall of a file without `halls:`
PUBLIC = "public"  # what a public zone reports as its hall (plan output, the site view)


class HallType(StrEnum):
    """The study's section 2.1: how stage and audience share (or do not share) their air."""

    separated = "separated"  # a pit or a safety distance between: each runs on its own
    fused = "fused"  # the audience wraps the stage: one air volume, one mode, one setpoint


class Hall(Strict):
    name: str
    type: HallType = HallType.separated
    # A fused hall's stage follows its audience's setpoint, differing by at most this much
    # (its own wish, clamped): one air volume cannot hold two temperatures further apart.
    stage_offset_k: float = Field(default=1.0, ge=0, le=3)


class Supply(StrEnum):
    """The study's section 2.2: where the supply air meets the people."""

    displacement = "displacement"  # under the seats, high return: cool at the legs
    mixing = "mixing"  # overhead supply, high return: warm at the head in summer, cold in winter


# The study's qualitative guidance as numbers (ours, not the study's): people in under-seat
# supply feel about half a kelvin cooler than the air temperature says, in either season;
# overhead supply blows on heads, warmer in summer (so hold the air cooler) and colder in
# winter (so hold it warmer). Keys are a season's name or a mode (`cool`/`heat`, every season
# of that mode); a season's own name wins.
DEFAULT_SUPPLY_OFFSETS: dict[Supply, dict[str, float]] = {
    Supply.displacement: {"cool": 0.5, "heat": 0.5},
    Supply.mixing: {"cool": -0.5, "heat": 0.5},
}
# Under-seat air colder than this at the feet is a draught (the opera house's units never
# supply under 18 °C): the floor of a displacement zone unless it gives its own.
DISPLACEMENT_FLOOR_C = 18.0


class Exposure(Strict):
    """What a zone under the shell's glass, or under the lake, exchanges with the weather
    (the halls sit inside heavy concrete and need none): for the simulator."""

    glass_m2: float = Field(default=0, ge=0)
    solar_gain_factor: float = Field(default=0.3, ge=0, le=1)  # g-value × shading
    glass_u_w_per_m2k: float = Field(default=1.8, gt=0, le=6)
    infiltration_m3_per_s: float = Field(default=0, ge=0)  # entrances: doors opening
    ground_w_per_k: float = Field(default=0, ge=0)  # walls and floor under the lake
    ground: str = "lake"  # what the ground coupling sees (the lake water's season)


class Staging(Strict):
    """How many of a group's AHUs run in each phase; the load adds one more (see
    `planner.public`), and never more than the group has."""

    idle: int = Field(default=0, ge=0)  # closed: none, unless a zone leaves its idle band
    open: int = Field(default=2, ge=1)
    crowd: int = Field(default=4, ge=1)


class PublicGroup(Strict):
    """A public area's units, switched together into one mode chosen by the weather."""

    name: str
    # the halls whose audiences gather, take their interval and leave through the area
    halls: list[Name] = []
    # a mode is held at least this long (a spring day crossing a threshold does not flip
    # the area hourly): the study's "do not let the spaces swing"
    min_dwell_min: int = Field(default=120, ge=0, le=24 * 60)
    staging: Staging = Staging()
    # the crowd gathers this long before doors and leaves this long after the end
    crowd_before_doors_min: int = Field(default=30, ge=0, le=180)
    crowd_after_end_min: int = Field(default=20, ge=0, le=120)
    interval_min: int = Field(default=20, ge=0, le=60)  # a show's interval at its middle

    @model_validator(mode="after")
    def _staged_up(self) -> PublicGroup:
        if self.staging.crowd < self.staging.open:
            raise ValueError("staging.crowd must not be below staging.open")
        return self
