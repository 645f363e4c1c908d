"""The venue as data: zones, units and their points, as `zones.yaml` describes them.

These models are the single source of truth for addressing (used only by `drivers/`), for
limits (used by the planner and the safety gate) and for the physics the simulator needs.
They are pure types: loading files and turning errors into `file:line` lives in `hvac_ctl.config`.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from hvac_ctl.model.base import NAME as NAME
from hvac_ctl.model.base import Name as Name
from hvac_ctl.model.base import Strict as Strict
from hvac_ctl.model.plant import Plant
from hvac_ctl.model.points import BACNET_OBJECT_TYPES as BACNET_OBJECT_TYPES
from hvac_ctl.model.points import COMMAND_POINTS as COMMAND_POINTS
from hvac_ctl.model.points import COMMANDABLE_OBJECT_TYPES as COMMANDABLE_OBJECT_TYPES
from hvac_ctl.model.points import ENERGY_POINTS as ENERGY_POINTS
from hvac_ctl.model.points import PLAUSIBLE as PLAUSIBLE
from hvac_ctl.model.points import SENSOR_POINTS as SENSOR_POINTS
from hvac_ctl.model.points import BacnetAddress as BacnetAddress
from hvac_ctl.model.points import ModbusAddress as ModbusAddress
from hvac_ctl.model.points import Point as Point
from hvac_ctl.model.points import Points as Points
from hvac_ctl.model.points import PointType as PointType
from hvac_ctl.model.points import wire_problem
from hvac_ctl.model.site import (
    DEFAULT_SUPPLY_OFFSETS,
    DISPLACEMENT_FLOOR_C,
    MAIN_HALL,
    PUBLIC,
)
from hvac_ctl.model.site import Exposure as Exposure
from hvac_ctl.model.site import Hall as Hall
from hvac_ctl.model.site import HallType as HallType
from hvac_ctl.model.site import PublicGroup as PublicGroup
from hvac_ctl.model.site import Supply as Supply
from hvac_ctl.model.tariff import Tariff


class ZoneKind(StrEnum):
    """What a zone is decides which events touch it and who its occupants are."""

    auditorium = "auditorium"  # the audience: seat counts from the box office
    stage = "stage"  # performers and crew; get-ins and the stage exhaust
    pit = "pit"  # the orchestra: runs only for shows with a live orchestra
    public = "public"  # a public area (lobby, hall, corridor): switched with its group


class Ventilation(Strict):
    """ASHRAE 62.1 breathing-zone rates: Vbz = Rp·P + Ra·A, Voz = Vbz / Ez."""

    rp_lps_per_person: float = Field(gt=0, le=20)
    ra_lps_per_m2: float = Field(ge=0, le=5)
    ez: float = Field(default=1.0, gt=0, le=1.5)


class Limits(Strict):
    """Hard limits of a zone: nothing outside them may ever be commanded to one of its units."""

    setpoint_min_c: float = Field(ge=5, le=35)
    setpoint_max_c: float = Field(ge=5, le=35)
    max_setpoint_change_k_per_min: float = Field(gt=0, le=5)
    idle_band_c: tuple[float, float]
    idle_hysteresis_k: float = Field(default=1.0, gt=0, le=5)
    idle_rh_pct: tuple[float, float] = (35.0, 60.0)
    # An idle unit starts dehumidifying this far above the band's top and stops back at it: a
    # unit's own dehumidification holds the band's edge, so a deadband below it never ends.
    idle_rh_deadband_pct: float = Field(default=1.0, ge=0, le=10)

    @model_validator(mode="after")
    def _ordered(self) -> Limits:
        if self.setpoint_min_c >= self.setpoint_max_c:
            raise ValueError("setpoint_min_c must be below setpoint_max_c")
        lo, hi = self.idle_band_c
        if lo >= hi:
            raise ValueError("idle_band_c must be [low, high] with low < high")
        if hi - lo <= 2 * self.idle_hysteresis_k:
            raise ValueError("idle_band_c is too narrow for twice the idle_hysteresis_k")
        if self.idle_rh_pct[0] >= self.idle_rh_pct[1]:
            raise ValueError("idle_rh_pct must be [low, high] with low < high")
        return self


class Thermal(Strict):
    """Two-node thermal model parameters for the simulator (reference-data.md)."""

    fast_capacitance_mj_per_k: float = Field(gt=0)
    mass_capacitance_mj_per_k: float = Field(default=0, ge=0)
    fast_mass_kw_per_k: float = Field(default=0, ge=0)
    mass_surroundings_kw_per_k: float = Field(default=0, ge=0)
    exchange_with: Name | None = None  # another zone sharing air (the pit with the auditorium)
    exchange_m3_per_s: float = Field(default=0, ge=0)


class Zone(Strict):
    kind: ZoneKind
    description: str = ""
    hall: Name | None = None  # with `halls:` every zone but a public one names its hall
    group: Name | None = None  # a public zone's group (`groups:`)
    supply: Supply | None = None  # how its air is supplied: sets a comfort offset
    supply_floor_c: float | None = Field(default=None, ge=10, le=25)
    exposure: Exposure = Exposure()
    seats: int | None = Field(default=None, gt=0)
    capacity: int | None = Field(default=None, gt=0)
    area_m2: float = Field(gt=0)
    volume_m3: float = Field(gt=0)
    ventilation: Ventilation
    limits: Limits
    thermal: Thermal

    @model_validator(mode="after")
    def _has_occupants(self) -> Zone:
        if self.seats is None and self.capacity is None:
            raise ValueError("a zone needs seats (audience) or capacity (performers, musicians)")
        return self

    @property
    def occupants_max(self) -> int:
        return self.seats if self.seats is not None else (self.capacity or 0)

    @property
    def floor_c(self) -> float | None:
        """The coldest supply this zone's people may get (displacement: at their feet)."""
        if self.supply_floor_c is not None or self.supply != Supply.displacement:
            return self.supply_floor_c
        return DISPLACEMENT_FLOOR_C


class UnitKind(StrEnum):
    ahu = "ahu"
    exhaust = "exhaust"


REQUIRED_POINTS = {
    UnitKind.ahu: {"enable", "setpoint", "oa_damper_min", "fan_speed_max", "zone_temp", "zone_rh",
                   "co2", "supply_temp", "fan_status"},
    UnitKind.exhaust: {"enable", "fan_status"},
}
POINT_ROLES = {"enable": "its on/off command", "setpoint": "its setpoint",
               "oa_damper_min": "its outdoor-air damper minimum",
               "fan_speed_max": "its fan speed cap", "zone_temp": "the zone's temperature sensor",
               "zone_rh": "the zone's humidity sensor", "co2": "the zone's CO2 sensor",
               "supply_temp": "its supply air sensor", "fan_status": "its fan's run status"}


def missing_points(kind: UnitKind, missing: set[str]) -> str:
    """'an AHU must have a co2 point (the zone's CO2 sensor); this one has none'."""
    what = "an AHU" if kind == UnitKind.ahu else "an exhaust fan"
    named = [f"{p} ({POINT_ROLES.get(p, p)})" for p in sorted(missing)]
    if len(missing) == 1:
        (p,) = missing
        return f"{what} must have a {p} point, {POINT_ROLES.get(p, p)}; this one has none"
    listing = ", ".join(named[:-1]) + f" and {named[-1]}"
    return f"{what} must have the points {listing}; this one lacks them"


class UnitBase(Strict):
    protocol: str  # each protocol's unit narrows it to its name (the union's tag)
    zone: Name
    kind: UnitKind = UnitKind.ahu
    serves: list[str] = []
    airflow_m3_per_h: float = Field(gt=0)
    cooling_kw: float = Field(default=0, ge=0)
    heating_kw: float = Field(default=0, ge=0)
    fan_kw: float = Field(default=0, ge=0)
    supply_limits_c: tuple[float, float] = (13.0, 35.0)  # what the local loop may supply
    points: Points

    @model_validator(mode="after")
    def _points_fit_protocol(self) -> UnitBase:
        if self.supply_limits_c[0] >= self.supply_limits_c[1]:
            raise ValueError("supply_limits_c must be [low, high] with low < high")
        missing = REQUIRED_POINTS[self.kind] - self.points.names()
        if missing:  # the key in front places the error on `points` (config.errors)
            raise ValueError(f"points: {missing_points(self.kind, missing)}")
        for name, p in self.points.items():
            self._check_point(name, p)
        return self

    def _check_point(self, name: str, p: Point) -> None:
        problem = wire_problem(self.protocol, p, name in COMMAND_POINTS)
        if problem is not None:
            raise ValueError(f"point {name}: {problem}")

    @property
    def airflow_m3_per_s(self) -> float:
        return self.airflow_m3_per_h / 3600.0


class BacnetUnit(UnitBase):
    protocol: Literal["bacnet"]
    address: BacnetAddress


class ModbusUnit(UnitBase):
    protocol: Literal["modbus"]
    address: ModbusAddress


Unit = Annotated[BacnetUnit | ModbusUnit, Field(discriminator="protocol")]


class Occupancy(Strict):
    """Constants for people, used for ventilation and the CO2 plan."""

    co2_per_person_lps: float = Field(default=0.00414, gt=0, le=0.05)
    outdoor_co2_ppm: float = Field(default=420, ge=300, le=800)
    co2_limit_ppm: float = Field(default=1000, ge=600, le=5000)
    co2_margin_ppm: float = Field(default=100, ge=0, le=500)
    readjust_threshold: float = Field(default=0.15, gt=0, lt=1)
    tour_group_size: int = Field(default=40, ge=1)


class PrecoolConfig(Strict):
    """Optimal start (ASHRAE Guideline 36 style), with a default before any history."""

    default_rate_k_per_h: dict[Literal["cool", "heat"], float] = {"cool": 2.0, "heat": 1.5}
    history_days: int = Field(default=3, ge=1, le=30)
    max_lead_min: int = Field(default=180, ge=15, le=720)
    min_lead_min: int = Field(default=15, ge=0, le=120)
    # For a full house (in proportion for a smaller one) an audience's zone is pulled this
    # far past its target until `past_until_min` before doors, then lets the air come back
    # to it: the structure is pulled too, and takes up the heat of the people coming in
    # (without it a full house warms the hall about 0.6 K by curtain-up).
    full_house_past_k: float = Field(default=0.3, ge=0, le=1)
    past_until_min: int = Field(default=20, ge=0, le=120)


class ModeSelection(Strict):
    """Each zone's heating or cooling by its measured need (the planner's `modes` sequence).

    A tour, get-in or post-show floats between its heating and cooling setpoints, which lie
    `deadband_k` apart unless the season gives both (G36's occupied deadband is about 3 K);
    a show holds one target. A zone leaves the season's mode once it is `hysteresis_k` past
    the other setpoint (it returns once past its own), and keeps a mode at least
    `min_dwell_min` (unless its outdoor air must be tempered, or the closed loop acts)."""

    deadband_k: float = Field(default=2.5, ge=0, le=10)

    hysteresis_k: float = Field(default=1.0, ge=0, le=3)
    min_dwell_min: int = Field(default=20, ge=0, le=240)


class RecoveryConfig(Strict):
    """The closed loop of tours, get-ins and shows (the planner's `recovery` sequence): a zone
    further than `outside_band_k` outside its heating–cooling band for `after_min` makes the
    planner act by itself."""

    outside_band_k: float = Field(default=1.0, gt=0, le=5)
    after_min: int = Field(default=5, ge=1, le=120)


class AlarmTiming(Strict):
    """How long a value must stay past its limit before it alarms, and how far back inside
    it must come to clear: a CO2 reading that touches the limit for a minute as the doors
    close, or a temperature that hovers at the band's edge, is no fault to wake anyone for,
    and an alarm that flickers on and off at the limit is one operators learn to ignore."""

    co2_after_min: float = Field(default=2, ge=0, le=60)
    co2_clear_ppm: float = Field(default=50, ge=0, le=500)  # clears this far under the limit
    band_clear_k: float = Field(default=0.5, ge=0, le=3)  # clears this far inside the band
    heating_shortfall_after_min: float = Field(default=5, ge=0, le=120)


class VenueInfo(Strict):
    name: str
    timezone: str
    occupancy: Occupancy = Occupancy()
    precool: PrecoolConfig = PrecoolConfig()
    modes: ModeSelection = ModeSelection()
    recovery: RecoveryConfig = RecoveryConfig()
    egress_min: int = Field(default=20, ge=0, le=120)
    alarms: AlarmTiming = AlarmTiming()
    # the comfort offset (K, added to a setpoint) per supply type, by season name or mode
    supply_offsets: dict[Supply, dict[str, float]] = DEFAULT_SUPPLY_OFFSETS

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone '{v}' (use an IANA name like Asia/Shanghai)"
            ) from None
        return v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Venue(Strict):
    """`zones.yaml` as a whole."""

    venue: VenueInfo
    halls: dict[Name, Hall] = {}  # none: one hall (`MAIN_HALL`), as a one-hall theatre is
    groups: dict[Name, PublicGroup] = {}
    zones: dict[Name, Zone]
    units: dict[Name, Unit]
    plant: Plant | None = None  # the site's chillers, towers and cap (`model.plant`)
    tariff: Tariff | None = None  # time-of-use prices (`model.tariff`)

    @property
    def is_site(self) -> bool:
        return bool(self.halls)

    @cached_property
    def hall_ids(self) -> tuple[str, ...]:
        return tuple(self.halls) if self.halls else (MAIN_HALL,)

    def hall(self, hall_id: str) -> Hall:
        if self.halls:
            return self.halls[hall_id]
        return Hall(name=self.venue.name)

    def hall_of(self, zone: str) -> str | None:
        """The zone's hall; None for a public zone."""
        z = self.zones[zone]
        if z.kind == ZoneKind.public:
            return None
        return z.hall if z.hall is not None else self.hall_ids[0]

    def event_hall(self, hall: str | None) -> str:
        """An event's hall: the one it names, else the first (one-hall calendars name none)."""
        return hall if hall is not None else self.hall_ids[0]

    @cached_property
    def _zones_by_hall(self) -> dict[str, tuple[str, ...]]:
        return {h: tuple(z for z in self.zones if self.hall_of(z) == h) for h in self.hall_ids}

    def zones_of_hall(self, hall: str) -> tuple[str, ...]:
        return self._zones_by_hall.get(hall, ())

    def zones_for(self, hall: str) -> tuple[str, ...]:
        """A hall's zones, or (`public`) the public areas'; an unknown hall is a ValueError
        naming the halls there are (`plan --hall`, `?hall=`)."""
        if hall == PUBLIC:
            return tuple(z for g in self.groups for z in self.zones_of_group(g))
        if hall not in self.hall_ids:
            public = f"; or {PUBLIC} for the public areas" if self.groups else ""
            raise ValueError(f"unknown hall '{hall}' (halls: {', '.join(self.hall_ids)}{public})")
        return self.zones_of_hall(hall)

    @cached_property
    def _zones_by_group(self) -> dict[str, tuple[str, ...]]:
        return {g: tuple(n for n, z in self.zones.items() if z.group == g) for g in self.groups}

    def zones_of_group(self, group: str) -> tuple[str, ...]:
        return self._zones_by_group.get(group, ())

    def supply_offset_k(self, zone: str, season: str, mode: str) -> float:
        """The comfort offset of the zone's supply type in a season (0: none given)."""
        supply = self.zones[zone].supply
        if supply is None:
            return 0.0
        offsets = self.venue.supply_offsets.get(supply, {})
        return offsets.get(season, offsets.get(mode, 0.0))

    @cached_property
    def devices(self) -> dict[str, str]:
        """Every device the service drives and polls, by name, with its protocol: the units,
        then the plant's served chillers (which have no zone)."""
        out: dict[str, str] = {n: u.protocol for n, u in self.units.items()}
        if self.plant is not None:
            out.update((n, str(c.protocol)) for n, c in self.plant.served.items()
                       if n not in out)
        return out

    @cached_property
    def _units_by_zone(self) -> dict[str, tuple[str, ...]]:
        return {z: tuple(n for n, u in self.units.items() if u.zone == z) for z in self.zones}

    def units_of(self, zone: str) -> list[str]:
        """Asked for every zone at every tick: kept (the model is frozen)."""
        return list(self._units_by_zone.get(zone, ()))
