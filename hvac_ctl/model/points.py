"""A unit's points: the names that are a contract with drivers and users, where each lives on
the device (a BACnet object, a Modbus register), its type and its physical range; and a
device's address. A chiller's points (`ChillerPoints`) are served and checked the same way."""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cached_property
from typing import ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from hvac_ctl.model.base import Strict

COMMAND_POINTS = ("enable", "setpoint", "oa_damper_min", "fan_speed_max", "mode")
SENSOR_POINTS = ("zone_temp", "zone_rh", "co2", "supply_temp", "fan_status", "oa_temp",
                 "oa_rh")
ENERGY_POINTS = ("cooling_kwh", "heating_kwh", "reheat_kwh", "fan_kwh")  # meters, optional
# What a sensor can physically read in a hall: outside it the reading is garbage (a broken
# probe, a wrong register), never a temperature to act on. A point's own min/max, when the
# engineer gives them in zones.yaml, take the place of these.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "zone_temp": (-10.0, 50.0),
    "zone_rh": (0.0, 100.0),
    "co2": (250.0, 10_000.0),
    "supply_temp": (-40.0, 80.0),
    "oa_temp": (-60.0, 60.0),
    "oa_rh": (0.0, 100.0),
    "cooling_kwh": (0.0, 1e12), "heating_kwh": (0.0, 1e12),
    "reheat_kwh": (0.0, 1e12), "fan_kwh": (0.0, 1e12),
    "electric_kw": (0.0, 1e5), "starts": (0.0, 1e9),  # a chiller's
}
CHILLER_COMMAND_POINTS = ("enable", "chw_setpoint")
CHILLER_SENSOR_POINTS = ("status", "electric_kw", "starts")


class PointType(StrEnum):
    bool = "bool"
    real = "real"
    enum = "enum"
    uint16 = "uint16"
    int16 = "int16"
    float32 = "float32"


BACNET_OBJECT_TYPES = (
    "analogInput",
    "analogOutput",
    "analogValue",
    "binaryInput",
    "binaryOutput",
    "binaryValue",
    "multiStateInput",
    "multiStateOutput",
    "multiStateValue",
)
COMMANDABLE_OBJECT_TYPES = (
    "analogOutput",
    "analogValue",
    "binaryOutput",
    "binaryValue",
    "multiStateOutput",
    "multiStateValue",
)


class Point(Strict):
    """One named point of a unit and where it lives on the device.

    BACnet points give `object` ("analogValue:1"); Modbus points give `register` and `table`.
    `min`/`max` are the unit's physical range: the simulator refuses writes outside it and the
    safety gate never sends one.
    """

    model_config = Strict.model_config | {"populate_by_name": True}

    object: str | None = None
    register_: int | None = Field(default=None, ge=0, le=65535, alias="register")
    table: Literal["holding", "input"] | None = None
    type: PointType
    units: str | None = None
    min: float | None = None
    max: float | None = None
    states: dict[str, int] | None = None

    @field_validator("object")
    @classmethod
    def _object_id(cls, v: str | None) -> str | None:
        if v is None:
            return v
        m = re.fullmatch(r"([A-Za-z]+):(\d+)", v)
        if not m or m.group(1) not in BACNET_OBJECT_TYPES:
            raise ValueError(
                f"'{v}' is not a BACnet object id like 'analogValue:1' "
                f"(types: {', '.join(BACNET_OBJECT_TYPES)})"
            )
        return v

    @model_validator(mode="after")
    def _range(self) -> Point:
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError("min must be below max")
        if self.type == PointType.enum and not self.states:
            raise ValueError("an enum point needs states, e.g. {cool: 1, heat: 2}")
        return self

    @property
    def object_type(self) -> str:
        return (self.object or ":").split(":")[0]

    @property
    def object_instance(self) -> int:
        return int((self.object or ":0").split(":")[1])

    @property
    def register_count(self) -> int:
        return 2 if self.type in (PointType.float32, PointType.real) else 1

    def allows(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


class NamedPoints(Strict):
    """A device's points by name, in `ORDER`: the ones it has, and their names."""

    ORDER: ClassVar[tuple[str, ...]] = ()

    def items(self) -> list[tuple[str, Point]]:
        return [(n, p) for n in self.ORDER if (p := getattr(self, n))]

    @cached_property
    def _names(self) -> frozenset[str]:
        return frozenset(n for n, _ in self.items())

    def names(self) -> frozenset[str]:
        """Asked at every tick for every device: computed once (the model is frozen)."""
        return self._names


class Points(NamedPoints):
    """The named points every unit may have; the names are a contract with drivers and users."""

    enable: Point | None = None
    setpoint: Point | None = None
    oa_damper_min: Point | None = None
    fan_speed_max: Point | None = None
    mode: Point | None = None
    zone_temp: Point | None = None
    zone_rh: Point | None = None
    co2: Point | None = None
    supply_temp: Point | None = None
    fan_status: Point | None = None
    oa_temp: Point | None = None  # outdoor air at the unit's intake: free cooling
    oa_rh: Point | None = None  # and its humidity: a public group's dew point
    cooling_kwh: Point | None = None
    heating_kwh: Point | None = None
    reheat_kwh: Point | None = None
    fan_kwh: Point | None = None

    ORDER: ClassVar[tuple[str, ...]] = (*COMMAND_POINTS, *SENSOR_POINTS, *ENERGY_POINTS)


class BacnetAddress(Strict):
    ip: str = Field(pattern=r"^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$")
    device_id: int = Field(ge=0, le=4194302)


class ModbusAddress(Strict):
    host: str
    port: int = Field(ge=1, le=65535)
    device_id: int = Field(ge=0, le=247)
    word_order: Literal["big", "little"] = "big"


def wire_problem(protocol: str, p: Point, command: bool) -> str | None:
    """What is wrong with where a point lives for its device's protocol (None: nothing): a
    BACnet point needs an object, commandable if it is a command; a Modbus point a register
    and a table, the holding registers for a command. Units and chillers alike."""
    if protocol == "bacnet":
        if p.object is None:
            return "a BACnet point needs an object id"
        if command and p.object_type not in COMMANDABLE_OBJECT_TYPES:
            return f"'{p.object_type}' is not commandable"
    else:
        if p.register_ is None or p.table is None:
            return "a Modbus point needs a register and a table"
        if command and p.table != "holding":
            return "commands live in holding registers"
    return None


class ChillerPoints(NamedPoints):
    """A served chiller's points (a contract, like the units'): `enable` and `chw_setpoint`
    the service writes, `status`, `electric_kw` and `starts` it polls."""

    enable: Point | None = None
    chw_setpoint: Point | None = None
    status: Point | None = None
    electric_kw: Point | None = None
    starts: Point | None = None

    ORDER: ClassVar[tuple[str, ...]] = (*CHILLER_COMMAND_POINTS, *CHILLER_SENSOR_POINTS)
