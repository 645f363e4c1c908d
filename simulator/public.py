"""The public zones' units: where each sits in its zone, what its own sensor reads, and, left
to its own thermostat, which mode it picks; a record of what every one of them did.

A public area is one big space served by many units (the study: "many units, hard to
coordinate, strongly affected by the weather"). Its air is not one temperature: a unit by the
glass reads warmer in the sun, one by an entrance reads the outdoor air coming in. The zone
stays one node in the hall's physics; each unit's sensor reads the zone plus a bias:

- **where a unit sits**: a zone's n AHUs (in zones.yaml's order) are spread from the entrances
  to the glass, at positions p = −1 … +1 (p = −1 + 2i/(n−1); a lone unit at 0, the middle);
- **sun**: a unit toward the glass (p > 0) reads p × `SUN_BIAS_K` per 1,000 W/m² on the glass
  warmer (3 K in full sun at the glass: radiant heat on the sensor and a warm layer under the
  shell) — only in a zone with glass;
- **entrances**: a unit toward the entrances (p < 0) reads |p| × `ENTRANCE_SHARE` (15 %) of the
  way from the zone to the outdoor air (colder in winter, warmer on a hot day) — only in a zone
  with infiltration;
- the bias is bounded to ±`BIAS_LIMIT_K`. It is deterministic: the same weather gives the same
  readings.

**Independent thermostats** (the baseline: units that fight). Each public unit ignores its
commanded `mode` and switches on its own sensor against its own setpoint: cooling above
setpoint + `THERMOSTAT_DEADBAND_K` (0.5 K), heating below setpoint − 0.5 K, and in between keeps
what it did (a unit starts in `vent`). A unit by the glass that cools the zone until *it* reads
its setpoint leaves its neighbours reading below theirs: they heat.

**The record**: per step (its start and length) the effective mode of every public AHU as a
code (`MODE_CODES`: off 0, cool 1, heat 2, vent 3, dehumidify 4): the mode it ran in (its
thermostat's or its command's), off if it was not running. `opposing_unit_hours` reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from simulator.ahu import AhuState
from simulator.building import BuildingSpec, ZoneSpec
from simulator.exposure import glass_irradiance
from simulator.psychro import relative_humidity

SUN_BIAS_K = 3.0  # at the glass (p = 1), per 1,000 W/m² on the glass
ENTRANCE_SHARE = 0.15  # at the entrances (p = −1), of (outdoor − zone)
BIAS_LIMIT_K = 4.0
THERMOSTAT_DEADBAND_K = 0.5
MODE_CODES = {"off": 0, "cool": 1, "heat": 2, "vent": 3, "dehumidify": 4}
MODE_NAMES = {v: k for k, v in MODE_CODES.items()}
COOLING_SIDE = frozenset({MODE_CODES["cool"], MODE_CODES["dehumidify"]})
HEAT = MODE_CODES["heat"]


def positions(n: int) -> list[float]:
    """Where n units sit, from the entrances (−1) to the glass (+1)."""
    if n == 1:
        return [0.0]
    return [-1.0 + 2.0 * i / (n - 1) for i in range(n)]


@dataclass
class PublicZone:
    """A public (or exposed) zone for one step: its weather inputs and its units' run."""

    site: PublicSite
    spec: ZoneSpec
    units: list[tuple[int, float]]  # per AHU name's slot in the record: (slot, position)
    slots: dict[str, tuple[int, float]] = field(default_factory=dict)
    solar_fast_w: float = 0.0
    solar_mass_w: float = 0.0
    infiltration_m3_per_s: float = 0.0

    def prepare(self, irradiance: float) -> None:
        e = self.spec.exposure
        if e is None:
            return
        solar = e.glass_m2 * irradiance * e.solar_gain_factor
        # radiant: split as the zone splits radiant heat (a one-node zone: all to the air)
        to_mass = solar * self.spec.radiant_to_mass if self.spec.has_mass else 0.0
        self.solar_fast_w, self.solar_mass_w = solar - to_mass, to_mass
        self.infiltration_m3_per_s = e.infiltration_m3_per_s

    def infiltration(self, people: float) -> float:
        """Outdoor air through the entrances, m³/s: up to twice as much with the zone full
        (doors opening all the time) [E]."""
        full = people / self.spec.occupants_max if self.spec.occupants_max else 0.0
        return self.infiltration_m3_per_s * (1.0 + min(1.0, full))

    def bias(self, p: float, zone_c: float, out_c: float) -> float:
        """What a unit at `p` reads above the zone's air (see the module)."""
        e = self.spec.exposure
        if e is None or p == 0.0:
            return 0.0
        if p > 0:
            b = p * SUN_BIAS_K * self.site.irradiance / 1000.0 if e.glass_m2 > 0 else 0.0
        else:
            b = -p * ENTRANCE_SHARE * (out_c - zone_c) if e.infiltration_m3_per_s > 0 else 0.0
        return max(-BIAS_LIMIT_K, min(BIAS_LIMIT_K, b))

    def run(self, h: float, on: list[tuple[AhuState, Any]], zone_c: float, zone_w: float,
            out_c: float, out_w: float) -> tuple[float, float, float, float]:
        """Step the zone's running AHUs, each on its own sensor (and, with independent
        thermostats, in its own mode); their air summed: Σ flow, Σ flow·temp, Σ flow·w and
        Σ flow·outdoor fraction. Their modes go to the site's record."""
        site = self.site
        flow = flow_temp = flow_w = outdoor = 0.0
        zone_rh: float | None = None
        for ahu, _ in on:
            name = ahu.spec.name
            slot, p = self.slots[name]
            b = self.bias(p, zone_c, out_c)
            site.bias[name] = b
            sensed = zone_c + b
            own: str | None = None
            if site.independent:
                sp = ahu.commands.setpoint
                own = site.own_mode.get(name, "vent")
                if sensed > sp + THERMOSTAT_DEADBAND_K:
                    own = "cool"
                elif sensed < sp - THERMOSTAT_DEADBAND_K:
                    own = "heat"
                site.own_mode[name] = own
            mode = own if own is not None else ahu.commands.mode
            if mode == "cool" and zone_rh is None:
                zone_rh = relative_humidity(zone_c, zone_w)
            air = ahu.run(h, zone_c, zone_w, out_c, out_w, zone_rh, sensed, own)
            assert air is not None  # enabled
            site.codes[slot] = MODE_CODES.get(mode, MODE_CODES["vent"])
            f, supply_c, supply_w, share = air
            flow += f
            flow_temp += f * supply_c
            flow_w += f * supply_w
            outdoor += f * share
        return flow, flow_temp, flow_w, outdoor


class PublicSite:
    """Every public or exposed zone of a building, their units' sensors and their record."""

    def __init__(self, spec: BuildingSpec, ahus: Mapping[str, AhuState],
                 independent: bool = False) -> None:
        self.spec = spec
        self.independent = independent
        self.irradiance = 0.0  # W/m² on the glass, this step
        self.bias: dict[str, float] = {}  # per public AHU: its sensor's reading − the zone's
        self.own_mode: dict[str, str] = {}  # per public AHU, its thermostat's mode
        self.unit_names: list[str] = []  # the record's slots
        self.group_of: dict[str, str] = {}  # per public AHU, its zone's group (or its zone)
        self.zones: dict[str, PublicZone] = {}
        for name, z in spec.zones.items():
            if z.kind != "public" and not z.exposed:
                continue
            if z.exposure is not None and z.exposure.ground_w_per_k and \
                    z.exposure.ground != "lake":
                raise ValueError(f"zone {name}: exposure.ground '{z.exposure.ground}' is not "
                                 "known to the simulator (it knows 'lake')")
            pz = PublicZone(self, z, [])
            ahu_names = [u.name for u in spec.units_of(name) if u.kind != "exhaust"]
            for unit, p in zip(ahu_names, positions(len(ahu_names)), strict=True):
                pz.slots[unit] = (len(self.unit_names), p)
                self.unit_names.append(unit)
                self.group_of[unit] = z.group or name
                self.bias[unit] = 0.0
            pz.units = list(pz.slots.values())
            self.zones[name] = pz
        self.weathered = any(z.spec.exposed for z in self.zones.values())
        self.codes = [0] * len(self.unit_names)
        self.history: list[tuple[datetime, float, bytes]] = []
        self._lat, self._lon = spec.latitude_deg, spec.longitude_deg

    def prepare(self, mid: datetime) -> None:
        """The step's sun (at its middle) into every zone's inputs; the record's codes reset
        (a unit not running this step is off)."""
        if self.weathered:
            self.irradiance = glass_irradiance(mid, self._lat, self._lon)
        for pz in self.zones.values():
            pz.prepare(self.irradiance)
        self.codes = [0] * len(self.unit_names)

    def record(self, start: datetime, h: float) -> None:
        if self.unit_names:
            self.history.append((start, h, bytes(self.codes)))

    def modes_at(self, i: int) -> dict[str, str]:
        """The record's step `i`, by unit."""
        codes = self.history[i][2]
        return {u: MODE_NAMES[c] for u, c in zip(self.unit_names, codes, strict=True)}


@dataclass(frozen=True)
class Opposition:
    """A group's fight over a span, from the record.

    `minority_unit_hours`: per step, with n_heat of its running units heating and n_cool
    cooling (dehumidifying counts as cooling), min(n_heat, n_cool) units × the step: the
    fewest units that would have to change mode to end the fight (the measure we report).
    `both_unit_hours`: n_heat + n_cool in those steps (every unit taking part);
    `hours`: the time with any fight at all."""

    minority_unit_hours: float = 0.0
    both_unit_hours: float = 0.0
    hours: float = 0.0


def opposition(site: PublicSite, since: datetime | None = None,
               until: datetime | None = None) -> dict[str, Opposition]:
    """Per group, the opposing-mode unit-hours of the record's steps starting in
    [since, until) (every step if None)."""
    groups = sorted(set(site.group_of.values()))
    slots = {g: [i for i, u in enumerate(site.unit_names) if site.group_of[u] == g]
             for g in groups}
    acc = {g: [0.0, 0.0, 0.0] for g in groups}
    for start, h, codes in site.history:
        if (since is not None and start < since) or (until is not None and start >= until):
            continue
        for g in groups:
            heat = cool = 0
            for i in slots[g]:
                c = codes[i]
                if c == HEAT:
                    heat += 1
                elif c in COOLING_SIDE:
                    cool += 1
            if heat and cool:
                a = acc[g]
                a[0] += min(heat, cool) * h / 3600
                a[1] += (heat + cool) * h / 3600
                a[2] += h / 3600
    return {g: Opposition(*acc[g]) for g in groups}


def mode_changes(site: PublicSite, since: datetime | None = None,
                 until: datetime | None = None) -> dict[str, int]:
    """Per group, how many times a running unit's mode changed from one step to the next
    (a unit starting or stopping is no change of mode)."""
    last: dict[int, int] = {}
    out = {g: 0 for g in set(site.group_of.values())}
    for start, _, codes in site.history:
        if (since is not None and start < since) or (until is not None and start >= until):
            continue
        for i, c in enumerate(codes):
            if c == 0:
                continue
            before = last.get(i)
            if before is not None and before != c:
                out[site.group_of[site.unit_names[i]]] += 1
            last[i] = c
    return out
