"""The building as a whole: hall physics, AHUs, loads, weather and time.

`Building.advance(dt)` moves it forward in steps of at most `max_step` (60 s by default); the
protocol servers read its sensors and write its commands. Nothing here sleeps or reads the
wall clock: pacing is the runner's job, so tests and benchmarks step as fast as they like.

A quiet stretch — every unit off and nothing of the scenario acting — is taken in one step:
the hall is then a linear system with constant inputs (weather reaches it only through the
units' outdoor air and the loading door), which the exact integrator steps as well in one go
as in many. Only its last `max_step` is stepped on its own, so that what a stopped unit
reports (its supply temperature: the zone's at the start of a step) is what it would be.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from simulator.ahu import AhuState, Commands, Energy
from simulator.building import BuildingSpec, PointSpec, UnitSpec
from simulator.exposure import lake_c
from simulator.faults import Faults
from simulator.hall import Hall, ZoneSums
from simulator.loads import Activity, ZoneLoads, loading_door_open, utc_us, zone_loads
from simulator.plant import ChillerSpec, Feed, Plant
from simulator.psychro import humidity_ratio, relative_humidity
from simulator.public import PublicSite
from simulator.scenario import Scenario
from simulator.weather import Weather

DOOR_W, DOOR_H = 4.0, 6.0  # the west loading door of the stage
G = 9.81
# who sends the write being served: a protocol server sets it (the client's address) for the
# call that reaches `Building.write`; None in process
WRITER: ContextVar[str | None] = ContextVar("simulator_writer", default=None)
QUIET_STEP_MAX = timedelta(days=1)  # so that no daylight-saving change goes and comes back in one
_US = timedelta(microseconds=1)


def door_exchange_m3_per_s(inside_c: float, outside_c: float) -> float:
    """Two-way exchange through an open door (Modelica Buildings `DoorOpen`):
    Q = Cd·W·H/3·√(g·H·ΔT/T̄), Cd = 0.40 + 0.0045·ΔT."""
    dt = abs(inside_c - outside_c)
    mean_k = (inside_c + outside_c) / 2 + 273.15
    cd = 0.40 + 0.0045 * dt
    return cd * DOOR_W * DOOR_H / 3 * math.sqrt(G * DOOR_H * dt / mean_k)


def _units_alike(units: list[UnitSpec], ahus: dict[str, AhuState]
                 ) -> list[tuple[UnitSpec, AhuState, bool, tuple[float, ...] | None]]:
    """A zone's units for `Building._step`: each with its state, whether it is an exhaust,
    and what of its spec its local loop reads if another unit of the zone is the same in
    it (None if none is: it has no twin to follow or lead)."""
    def size(u: UnitSpec) -> tuple[float, ...]:
        return (u.airflow_m3_per_s, u.cooling_w, u.heating_w, u.fan_w, u.supply_min_c,
                u.supply_max_c)

    sizes = [size(u) for u in units if u.kind != "exhaust"]
    return [(u, ahus[u.name], u.kind == "exhaust",
             size(u) if u.kind != "exhaust" and sizes.count(size(u)) > 1 else None)
            for u in units]


class PointRefused(ValueError):
    """A write a real controller would refuse: outside the point's range, or not a command."""


@dataclass(frozen=True)
class ZoneReading:
    temp_c: float
    rh_pct: float
    co2_ppm: float
    people: float
    units_running: list[str]


class Building:
    def __init__(self, spec: BuildingSpec, scenario: Scenario, weather: Weather,
                 start: datetime, max_step: timedelta = timedelta(seconds=60),
                 initial_c: float = 22.0, initial_rh: float = 45.0,
                 quiet_steps: bool = True, ledger: bool = True,
                 independent_thermostats: bool = False) -> None:
        if start.tzinfo is None:
            raise ValueError("the simulation needs a timezone-aware start")
        self.spec = spec
        self.scenario = scenario
        self.weather = weather
        self.now = start
        self.max_step = max_step
        self.quiet_steps = quiet_steps  # False: every step at most max_step, quiet or not
        self._activity = Activity(scenario)
        self.hall = Hall(spec.zones, spec.surroundings_c, ledger)  # see `Hall` for ledger
        for zone in spec.zones:
            self.hall.set_state(zone, initial_c, humidity_ratio(initial_c, initial_rh),
                                spec.outdoor_co2_ppm)
        self.ahus = {n: AhuState(u, supply_temp=initial_c) for n, u in spec.units.items()}
        # the public zones' units (their own sensors, thermostats and record) and the exposed
        # zones' weather; None for a building of halls only, which steps exactly as before
        site = PublicSite(spec, self.ahus, independent_thermostats)
        self.site: PublicSite | None = site if site.zones else None
        self.loads: dict[str, ZoneLoads] = {z: ZoneLoads() for z in spec.zones}
        self._no_loads = zone_loads(spec, Scenario(), start)  # nothing acting: all zero
        self._co2_per_person = spec.co2_per_person_lps / 1000.0  # m³/s
        self._outdoor_co2 = spec.outdoor_co2_ppm
        # per zone, in order: whether it is the stage (the loading door), the share of radiant
        # heat that lands on its mass, its units with their states, exhausts marked, and
        # what of a unit's spec its local loop reads (units alike in it step alike), and the
        # hall's nodes of its air temperature and moisture
        self._zone_rows = [(name, z.kind == "stage", z.radiant_to_mass,
                            _units_alike(spec.units_of(name), self.ahus),
                            self.hall.index[name]["t"], self.hall.index[name]["w"],
                            site.zones.get(name))
                           for name, z in spec.zones.items()]
        self._no_gains = self._gains(self._no_loads)
        self._half = (0.0, timedelta(0))  # the last step's length, s, and half of it
        self._all_off = (-1, False)  # `Commands.written` then, and whether every unit was off
        self._planned = -1  # `Commands.written` when `_units_plan` was made (-1: not yet)
        self._units_plan: list[tuple[Any, ...]] = []
        # the central plant feeding the coils (`simulator.plant`); None: coils never starve
        self.plant = Plant(spec.plant) if spec.plant is not None else None
        self._feed = None if self.plant is None else Feed(
            self.plant, [a for a in self.ahus.values() if a.spec.kind != "exhaust"],
            ZoneInfo(spec.timezone), weather, max_step.total_seconds())
        self.faults = Faults()  # injected by tests: late, refusing or garbage-reporting units
        self.steps = 0
        self.write_log: list[tuple[datetime, str, str, float | bool | str]] = []  # accepted
        # each accepted network write with who sent it (`WRITER`), to a listener if any:
        # the per-device record that proves which client wrote what, and when
        self.on_write: Callable[[datetime, str, str, float | bool | str, str], None] | None = None

    # --- time ---------------------------------------------------------------------------

    def advance(self, dt: timedelta) -> None:
        end = self.now + dt
        # commands change only between calls: a unit off now stays off until `end`
        if self._all_off[0] != Commands.written:  # (asked again after a write only)
            self._all_off = (Commands.written,
                             not any(a.commands.enable for a in self.ahus.values()))
        # the weather reaches an exposed zone directly: no quiet stretch is constant then
        quiet = self.quiet_steps and self._all_off[1] and not (
            self.site is not None and self.site.weathered)
        if dt == self.max_step and not quiet:  # one whole step: a closed loop's minute
            self._step(dt.total_seconds())
            self.now = end
            return
        while self.now < end:
            h = min(self.max_step, end - self.now)
            if quiet:
                span = self._quiet_span(end)
                if span is not None:
                    h = span
            elif h == self.max_step:  # the whole steps up to `end` one after the other
                secs = h.total_seconds()
                for _ in range((end - self.now) // h):
                    self._step(secs)
                    self.now += h
                continue
            self._step(h.total_seconds())
            self.now += h

    @property
    def activity(self) -> Activity:
        """The scenario indexed by time (rebuilt if `scenario` was replaced)."""
        if self._activity.scenario is not self.scenario:
            self._activity = Activity(self.scenario)
        return self._activity

    def _quiet_span(self, end: datetime) -> timedelta | None:
        """With every unit off, one step over the whole `max_step`s ahead whose middles (where
        `_step` reads the loads) nothing of the scenario acts at, all but the last of them;
        None if that is fewer than two."""
        step = self.max_step
        whole = (end - self.now) // step
        if whole < 3:
            return None
        first = self.now + timedelta(seconds=step.total_seconds() / 2)  # as `_step` has it
        until = self.activity.idle_until(first)
        if until is None:
            return None
        step_us = step // _US
        n = min(whole, QUIET_STEP_MAX // step, -(-(until - utc_us(first)) // step_us))
        # the middles are `step` apart in UTC too if no daylight-saving change lies between
        if n < 3 or (first + (n - 1) * step).utcoffset() != first.utcoffset():
            return None
        return step * (n - 1)

    def _plan(self) -> list[tuple[Any, ...]]:
        """What of the zones' units a step reads, worked out of their commands once for
        every step until the next write (see `Commands`): per zone, in order, whether it is
        the stage and its nodes (as in `_zone_rows`); its exhausts' outdoor air, summed in
        order as `flow()` gives it, and those running with their fan's kW at full speed as
        the step meters it; its units off (a step resets their loop); and its units on, each
        with what it must share with the unit before it to take that unit's step (None:
        none), and whether any of those cools (the only mode that reads the humidity)."""
        plan = []
        for _, stage, _, units, t, w, public in self._zone_rows:
            exchange = 0.0
            fans: list[tuple[AhuState, float]] = []
            off: list[AhuState] = []
            on: list[tuple[AhuState, tuple[Any, ...] | None]] = []
            for unit, ahu, exhaust, size in units:
                cmd = ahu.commands
                if exhaust:
                    ahu.running = cmd.enable
                    exchange += ahu.flow()
                    if ahu.running:
                        fans.append((ahu, unit.fan_w * ahu.speed() ** 3 / 1000))
                elif not cmd.enable:
                    off.append(ahu)
                else:
                    on.append((ahu, None if size is None else (
                        size, cmd.setpoint, cmd.oa_damper_min, cmd.fan_speed_max, cmd.mode)))
            cooling = any(ahu.commands.mode == "cool" for ahu, _ in on)
            plan.append((stage, t, w, exchange, fans, off, on, cooling, public))
        self._planned = Commands.written
        return plan

    def _gains(self, loads: dict[str, ZoneLoads]) -> list[tuple[float, float, float, float]]:
        """Per zone, in order, what its loads put in `hall.ZoneSums`: heat to the air node and
        to the mass, W (the radiant heat split), latent heat, W, and CO2, m³/s."""
        gains = []
        for zone, _, radiant_to_mass, *_ in self._zone_rows:
            ld = loads[zone]
            to_mass = ld.radiant_w * radiant_to_mass
            gains.append((ld.convective_w + ld.radiant_w - to_mass, to_mass, ld.latent_w,
                          ld.people * self._co2_per_person))
        return gains

    def _step(self, h: float) -> None:
        """One step of `h` seconds, every input held at its value at the step's middle.

        With nothing of the scenario acting the loads are all zero: those steps (most of a
        season) reuse one set of zero loads and `_gains` instead of asking `zone_loads` again.
        Each zone's relative humidity is worked out once for all its units, and a unit alike
        in size, commands and loop state to one just stepped takes that step (`follow`).
        The units' air goes into the zone's sums (`hall.ZoneSums`) as it comes: no `Stream`
        or `ZoneInputs` is made, a step being a few dozen microseconds; what the commands
        decide is read from `_plan`, made again only after a write."""
        if h != self._half[0]:
            self._half = (h, timedelta(seconds=h / 2))
        mid = self.now + self._half[1]
        out = self.weather.at(mid)
        out_c, out_w = out.temp_c, out.w
        activity = self.activity
        acting = activity.at(mid)
        if not acting.quiet:
            when = activity.comparable(mid)  # as the scenario's instants compare with it
            self.loads = zone_loads(self.spec, acting, when)
            gains = self._gains(self.loads)
            door = loading_door_open(acting, when)
        else:
            self.loads = self._no_loads
            gains = self._no_gains
            door = False
        if self._planned != Commands.written:
            self._units_plan = self._plan()
        if self._feed is not None:
            self._feed.step(h, self.now, mid, out_c, out_w)
        x = self.hall._x  # the state moves only in `step_sums`, below
        site = self.site
        if site is not None:
            site.prepare(mid)
        sums: list[ZoneSums] = []
        for (stage, t, w, exchange, fans, off, on, cooling, public), (
                fast, mass, latent, co2) in zip(self._units_plan, gains, strict=True):
            zone_c, zone_w = x[t], x[w]
            for ahu, fan_kw in fans:
                ahu.energy.fan_kwh += fan_kw * h / 3600
            for ahu in off:
                ahu.run(h, zone_c, zone_w, out_c, out_w)  # off: no air
            flow = flow_temp = flow_w = outdoor = 0.0
            if public is not None:  # its units on their own sensors; the weather's inputs
                if on:
                    flow, flow_temp, flow_w, outdoor = public.run(h, on, zone_c, zone_w,
                                                                  out_c, out_w)
                fast += public.solar_fast_w
                mass += public.solar_mass_w
                exchange += public.infiltration(self.loads[public.spec.name].people)
            elif on:
                # (only a unit cooling reads it)
                zone_rh = relative_humidity(zone_c, zone_w) if cooling else None
                lead: tuple[tuple[Any, ...], AhuState] | None = None  # last unit stepped
                for ahu, size in on:
                    if size is None:
                        air = ahu.run(h, zone_c, zone_w, out_c, out_w, zone_rh)
                    else:
                        # a unit the same as the last one stepped, in the same state under
                        # the same commands, takes the same step
                        alike = (size, ahu.integral)
                        if lead is not None and lead[0] == alike:
                            air = ahu.follow(lead[1])
                        else:
                            lead = (alike, ahu)
                            air = ahu.run(h, zone_c, zone_w, out_c, out_w, zone_rh)
                    assert air is not None  # enabled
                    f, supply_c, supply_w, share = air
                    flow += f
                    flow_temp += f * supply_c
                    flow_w += f * supply_w
                    outdoor += f * share
            if door and stage:
                exchange += door_exchange_m3_per_s(zone_c, out_c)
            sums.append((fast, mass, latent, co2, flow, flow_temp, flow_w, outdoor, exchange))
        if site is None:
            self.hall.step_sums(h, sums, out_c, out_w, self._outdoor_co2)
        else:
            self.hall.step_sums(h, sums, out_c, out_w, self._outdoor_co2, lake_c(mid))
            site.record(self.now, h)
        self.steps += 1

    # --- points -------------------------------------------------------------------------

    def reading(self, zone: str) -> ZoneReading:
        temp = self.hall.temp(zone)
        return ZoneReading(
            temp, relative_humidity(temp, self.hall.w(zone)), self.hall.co2(zone),
            self.loads[zone].people,
            [u.name for u in self.spec.units_of(zone) if self.ahus[u.name].running],
        )

    def read(self, unit: str, point: str) -> float | bool | str:
        """A point's present value, as the unit's controller would report it."""
        fault = self.faults.of(unit)
        if fault is not None and point in fault.values:
            return fault.values[point]
        ahu = self.ahus.get(unit)
        if ahu is None:  # a chiller (or nothing: KeyError)
            if self.plant is None:
                raise KeyError(f"{unit} has no point {point}")
            return self.plant.read(unit, point)
        zone = ahu.spec.zone
        if point == "zone_temp":  # a public unit's own sensor: where it sits (`public`)
            if self.site is not None and unit in self.site.bias:
                return self.hall.temp(zone) + self.site.bias[unit]
            return self.hall.temp(zone)
        if point == "zone_rh":
            return relative_humidity(self.hall.temp(zone), self.hall.w(zone))
        if point == "co2":
            return self.hall.co2(zone)
        if point == "supply_temp":
            return ahu.supply_temp
        if point == "oa_temp":
            return self.weather.at(self.now).temp_c
        if point == "oa_rh":
            out = self.weather.at(self.now)
            return relative_humidity(out.temp_c, out.w)
        if point == "fan_status":
            return ahu.running
        if point in ("enable", "setpoint", "oa_damper_min", "fan_speed_max", "mode"):
            return getattr(ahu.commands, point)
        if point in ("cooling_kwh", "heating_kwh", "reheat_kwh", "fan_kwh"):
            return getattr(ahu.energy, point)
        raise KeyError(f"{unit} has no point {point}")

    def check(self, unit: str, point: str, value: float | bool | str) -> None:
        """Refuse, as a controller would, a value this point does not accept."""
        spec = self._point(unit, point)
        if not spec.command:
            raise PointRefused(f"{unit}.{point} is a sensor")
        if point == "enable":
            return
        if point == "mode":
            if spec.states and "dehumidify" in spec.states:  # a public unit's four modes
                if value not in spec.states:
                    raise PointRefused(f"{unit}.mode: '{value}' is not one of "
                                       f"{', '.join(spec.states)}")
                return
            if value not in ("cool", "heat", "vent"):
                raise PointRefused(f"{unit}.mode: '{value}' is not cool, heat or vent")
            return
        v = float(value)
        if math.isnan(v) or (spec.min is not None and v < spec.min) or (
                spec.max is not None and v > spec.max):
            raise PointRefused(f"{unit}.{point}: {v:g} is outside {spec.min}–{spec.max}")

    def write(self, unit: str, point: str, value: float | bool | str) -> None:
        """A command from a client; refused like a controller would, outside the range."""
        self.check(unit, point, value)
        self.write_log.append((self.now, unit, point, value))
        writer = WRITER.get()
        if writer is not None and self.on_write is not None:
            self.on_write(self.now, unit, point, value, writer)
        if unit not in self.ahus:  # `check` found it a chiller's
            assert self.plant is not None
            self.plant.write(unit, point, value)
            return
        cmd = self.ahus[unit].commands
        if point == "enable":
            cmd.enable = bool(value)
        elif point == "mode":
            cmd.mode = str(value)
        else:
            setattr(cmd, point, float(value))

    def _point(self, unit: str, point: str) -> PointSpec:
        u: UnitSpec | ChillerSpec | None = self.spec.units.get(unit)
        if u is None and self.spec.plant is not None:
            u = self.spec.plant.chillers.get(unit)
        if u is None or point not in u.points:
            raise PointRefused(f"{unit} has no point {point}")
        return u.points[point]

    def commands(self, unit: str) -> Commands:
        return self.ahus[unit].commands

    def energy(self, unit: str) -> Energy:
        return self.ahus[unit].energy
