"""What the simulator needs to know about a building, in its own terms.

The simulator is a building, not a client of the service: it imports nothing of `hvac_ctl`.
Whoever starts it (the `hvac-ctl sim` command, a test, a benchmark) describes the building
with these types; `hvac_ctl.simulation` builds them from `zones.yaml`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:  # the plant's spec names `PointSpec`, from here
    from simulator.plant import PlantSpec

RHO_AIR = 1.2  # kg/m³
CP_AIR = 1005.0  # J/(kg·K)
RHO_CP = RHO_AIR * CP_AIR  # J/(m³·K)


@dataclass(frozen=True)
class ExposureSpec:
    """What a public zone under the shell's glass, or under the lake, exchanges with the
    weather (`simulator.exposure` has the physics; the halls, in heavy concrete, have none).

    `ground` names what `ground_w_per_k` couples the zone to: "lake" is the lake water, whose
    temperature follows the season (`exposure.lake_c`)."""

    glass_m2: float = 0.0
    solar_gain_factor: float = 0.3  # g-value × shading
    glass_u_w_per_m2k: float = 1.8
    infiltration_m3_per_s: float = 0.0  # outdoor air through the entrances
    ground_w_per_k: float = 0.0  # walls and floor under the lake
    ground: str = "lake"

    @property
    def glass_w_per_k(self) -> float:
        return self.glass_m2 * self.glass_u_w_per_m2k

    @property
    def any(self) -> bool:
        return bool(self.glass_m2 or self.infiltration_m3_per_s or self.ground_w_per_k)


@dataclass(frozen=True)
class ZoneSpec:
    name: str
    kind: Literal["auditorium", "stage", "pit", "public"]
    area_m2: float
    volume_m3: float
    occupants_max: int
    fast_capacitance_j_per_k: float
    mass_capacitance_j_per_k: float = 0.0  # 0: a one-node zone
    fast_mass_w_per_k: float = 0.0
    mass_surroundings_w_per_k: float = 0.0  # a one-node zone couples its air node instead
    exchange_with: str | None = None
    exchange_m3_per_s: float = 0.0
    # Radiant heat lands on surfaces: the seats and finishes belong to the air node, the
    # structure to the mass node. Half to each (reference-data.md sends all of it to the mass;
    # then 2,000 people sitting down warm the hall 0.37 K in 10 min, under the 0.4–1.5 K band).
    radiant_to_mass: float = 0.5
    group: str | None = None  # a public zone's group: the units switched together
    hall: str | None = None  # a site's hall zone: only its hall's shows and get-ins fill it
    exposure: ExposureSpec | None = None  # None: no weather reaches it but by its units
    # a public zone's share of the crowd of each hall its group serves (`simulator.crowds`)
    crowds: tuple[tuple[str, float], ...] = ()

    @property
    def crowd_halls(self) -> tuple[str, ...]:
        return tuple(h for h, _ in self.crowds)

    def crowd_share(self, hall: str | None) -> float:
        return next((share for h, share in self.crowds if h == hall), 0.0)

    @property
    def exposed(self) -> bool:
        return self.exposure is not None and self.exposure.any

    @property
    def has_mass(self) -> bool:
        return self.mass_capacitance_j_per_k > 0


@dataclass(frozen=True)
class PointSpec:
    """One served point: where it lives on the wire and what the controller accepts."""

    name: str
    command: bool
    type: str  # bool | real | enum | uint16 | int16 | float32
    object_type: str | None = None  # BACnet, e.g. "analogValue"
    instance: int | None = None
    register: int | None = None  # Modbus
    table: Literal["holding", "input"] | None = None
    min: float | None = None
    max: float | None = None
    states: dict[str, int] | None = None
    units: str | None = None


@dataclass(frozen=True)
class UnitSpec:
    name: str
    zone: str
    kind: Literal["ahu", "exhaust"]
    protocol: Literal["bacnet", "modbus"]
    host: str  # BACnet: the device's IP; Modbus: the server's host
    port: int
    device_id: int
    airflow_m3_per_s: float
    cooling_w: float = 0.0
    heating_w: float = 0.0
    fan_w: float = 0.0
    word_order: Literal["big", "little"] = "big"
    supply_min_c: float = 13.0
    supply_max_c: float = 35.0
    points: dict[str, PointSpec] = field(default_factory=dict)


class Served(Protocol):
    """What the protocol servers read of a device: a unit (`UnitSpec`) or a chiller
    (`simulator.plant.ChillerSpec`) is served by the same machinery."""

    @property
    def name(self) -> str: ...
    @property
    def protocol(self) -> str | None: ...
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def device_id(self) -> int: ...
    @property
    def word_order(self) -> Literal["big", "little"]: ...
    @property
    def points(self) -> dict[str, PointSpec]: ...


@dataclass(frozen=True)
class BuildingSpec:
    zones: dict[str, ZoneSpec]
    units: dict[str, UnitSpec]
    timezone: str = "UTC"
    co2_per_person_lps: float = 0.00414
    outdoor_co2_ppm: float = 420.0
    surroundings_c: float = 22.0  # the space under the shell, not the outdoors
    # where the sun is, for the exposed zones' glass (Beijing: the NCPA, 39.9° N 116.4° E)
    latitude_deg: float = 39.9
    longitude_deg: float = 116.4
    plant: PlantSpec | None = None  # the central chilled-water plant; None: none simulated

    def served(self) -> list[Served]:
        """Every device the protocol servers answer for: the units, then the chillers that
        have a protocol."""
        chillers = [] if self.plant is None else [
            c for c in self.plant.chillers.values() if c.protocol is not None]
        return [*self.units.values(), *chillers]

    def units_of(self, zone: str) -> list[UnitSpec]:
        return [u for u in self.units.values() if u.zone == zone]
