"""An air-handling unit with its own local loop, as a DDC controller runs it.

It tracks its `setpoint` by modulating the supply temperature (PI on the zone temperature),
within its coil capacity and the supply limits; `mode` allows cooling or heating only (so
neighbours never fight); `oa_damper_min` mixes outdoor air in; `fan_speed_max` sets the fan
(power ∝ speed³; the fan's heat warms the supply). Above 60 % RH in cooling it dehumidifies:
the coil goes down to 12 °C and the air is reheated — the study's summer reheat. A public
unit's `dehumidify` mode does that whatever the humidity (while the coil can dry the air).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import exp
from typing import Any, ClassVar

from simulator.building import RHO_AIR, RHO_CP, UnitSpec
from simulator.hall import Stream
from simulator.psychro import H_FG, P_ATM, relative_humidity, saturation_ratio

KP = 2.0  # K of supply per K of zone error
TI_S = 900.0
MIN_SPEED = 0.2
DEHUMIDIFY_ABOVE_RH = 60.0
DEHUMIDIFY_COIL_C = 12.0
_DEHUMIDIFY_COIL_W = saturation_ratio(DEHUMIDIFY_COIL_C)

Air = tuple[float, float, float, float]  # a `Stream`'s fields, in its order


@dataclass
class Commands:
    """What the unit's controller was told. `written` counts the writes to any unit's
    commands (construction included): what is worked out of them once, for every step until
    the next write (`AhuState.run`'s constants, the building's plan of its units), is kept
    with the count it was worked out at and worked out again when that moved on."""

    enable: bool = False
    setpoint: float = 22.0
    oa_damper_min: float = 0.0
    fan_speed_max: float = 100.0
    mode: str = "cool"  # cool | heat | vent | dehumidify (a public unit's)
    written: ClassVar[int] = 0

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        Commands.written += 1


@dataclass
class Energy:
    """Thermal and electric energy, kWh, since the start."""

    cooling_kwh: float = 0.0  # sensible and latent, at the coil
    heating_kwh: float = 0.0
    reheat_kwh: float = 0.0
    fan_kwh: float = 0.0


@dataclass
class AhuState:
    spec: UnitSpec
    commands: Commands = field(default_factory=Commands)
    energy: Energy = field(default_factory=Energy)
    integral: float = 0.0
    supply_temp: float = 20.0
    running: bool = False
    # the share of its cooling capacity the chilled-water plant lets the coil have this step
    # (`simulator.plant`: delivered / demanded); 1.0 without a plant, and exactly as before
    chw: float = 1.0
    # the last step of a running unit: its air and meter increments (cooling or heating)
    _took: tuple[Air, float | None, float | None, float, float] | None = field(
        default=None, repr=False, compare=False)
    # `_work_out`'s answer (-1: none yet)
    _constants: tuple[Any, ...] = field(default=(-1,), repr=False, compare=False)

    def speed(self) -> float:
        return max(MIN_SPEED, min(1.0, self.commands.fan_speed_max / 100.0))

    def flow(self) -> float:
        return self.spec.airflow_m3_per_s * self.speed() if self.running else 0.0

    def step(self, h: float, zone_c: float, zone_w: float, out_c: float, out_w: float,
             zone_rh: float | None = None) -> Stream | None:
        """Run the local loop for one step; the air it supplies, held over the step (None
        if it is off: no air)."""
        air = self.run(h, zone_c, zone_w, out_c, out_w, zone_rh)
        return None if air is None else Stream(*air)

    def run(self, h: float, zone_c: float, zone_w: float, out_c: float, out_w: float,
            zone_rh: float | None = None, sensed_c: float | None = None,
            own_mode: str | None = None) -> Air | None:
        """`step`, the air as a plain tuple (flow, temperature, moisture, outdoor fraction):
        the building adds it into the zone's sums (`hall.ZoneSums`) without a `Stream`.

        `zone_rh` is the zone's relative humidity if the caller has it (the building computes
        it once per zone for all its units); else it is computed here when needed. The body
        is written with conditional expressions rather than `min`/`max` calls and psychro's
        helpers inlined: it runs for every unit at every minute of a season, and each is the
        same arithmetic, in the same order, as the named functions.

        A public unit's loop reads its own sensor, `sensed_c` (the zone's temperature plus
        where the unit sits: `simulator.public`), and a unit left to its own thermostat runs
        in `own_mode`, not its commanded mode; the air it mixes is the zone's either way."""
        if self._constants[0] != Commands.written:
            self._constants = self._work_out()
        (_, enable, setpoint, mode, flow, capacity, f, stay, fan_rise, supply_min_c,
         supply_max_c, cool_drop, heat_rise, rho_flow, fan_kw) = self._constants
        if own_mode is not None:
            mode = own_mode
        self.running = enable
        if not enable:
            self.supply_temp = zone_c
            self.integral = 0.0
            return None
        mix_c = f * out_c + stay * zone_c
        mix_w = f * out_w + stay * zone_w

        error = (zone_c if sensed_c is None else sensed_c) - setpoint
        wanted = setpoint - KP * error - self.integral
        wanted = wanted if wanted > supply_min_c else supply_min_c
        wanted = wanted if wanted < supply_max_c else supply_max_c
        coil_target = wanted - fan_rise
        cool_floor = mix_c - cool_drop * self.chw  # a starved plant: a smaller coil
        if mode == "cool" or mode == "dehumidify":
            coil_c = coil_target if coil_target > cool_floor else cool_floor
            coil_c = coil_c if coil_c < mix_c else mix_c
        elif mode == "heat":
            heat_ceiling = mix_c + heat_rise
            coil_c = coil_target if coil_target < heat_ceiling else heat_ceiling
            coil_c = coil_c if coil_c > mix_c else mix_c
        else:
            coil_c = mix_c
        # conditional integration: no wind-up while the coil cannot follow
        saturated = abs(coil_c - coil_target) > 1e-9
        if not saturated or (coil_c > coil_target) == (error < 0):
            integral = self.integral + KP * error * h / TI_S
            integral = integral if integral < 20.0 else 20.0
            self.integral = integral if integral > -20.0 else -20.0

        reheat_c = coil_c
        if (mode == "cool" and mix_w > _DEHUMIDIFY_COIL_W and (
                zone_rh if zone_rh is not None else relative_humidity(zone_c, zone_w)
        ) > DEHUMIDIFY_ABOVE_RH) or (mode == "dehumidify" and mix_w > _DEHUMIDIFY_COIL_W):
            coil_c = DEHUMIDIFY_COIL_C if cool_floor < DEHUMIDIFY_COIL_C else cool_floor
            ceiling = coil_c + heat_rise
            reheat_c = coil_target if coil_target > coil_c else coil_c
            reheat_c = reheat_c if reheat_c < ceiling else ceiling
        ps = 610.94 * exp(17.625 * coil_c / (coil_c + 243.04))  # saturation_ratio(coil_c)
        saturated_w = 0.62198 * ps / (P_ATM - ps)
        supply_w = saturated_w if saturated_w < mix_w else mix_w
        self.supply_temp = reheat_c + fan_rise

        hours = h / 3600.0
        sensible = capacity * (mix_c - coil_c)
        latent = rho_flow * (mix_w - supply_w) * H_FG
        energy = self.energy
        if sensible > 0:
            cooled, heated = (sensible + latent) / 1000 * hours, None
            energy.cooling_kwh += cooled
        else:
            cooled, heated = None, -sensible / 1000 * hours
            energy.heating_kwh += heated
        reheated = capacity * (reheat_c - coil_c) / 1000 * hours
        fanned = fan_kw * hours
        energy.reheat_kwh += reheated
        energy.fan_kwh += fanned
        air = (flow, self.supply_temp, supply_w, f)
        self._took = (air, cooled, heated, reheated, fanned)
        return air

    def _work_out(self) -> tuple[Any, ...]:
        """What `run` reads of the commands and the spec, worked out of them as it was at
        every step: the count of writes it is of (see `Commands`), the enable, setpoint and
        mode, the airflow (`flow()` running) and its ρ·cp, the outdoor fraction and the rest,
        the fan's heat as a rise of the supply, the supply limits, the coils' full-capacity
        drop and rise, ρ·flow and the fan's kW."""
        cmd, spec = self.commands, self.spec
        speed = cmd.fan_speed_max / 100.0  # self.speed()
        speed = speed if speed < 1.0 else 1.0
        speed = speed if speed > MIN_SPEED else MIN_SPEED
        flow = spec.airflow_m3_per_s * speed
        capacity = RHO_CP * flow
        f = cmd.oa_damper_min
        f = (f if f < 100.0 else 100.0) if f > 0.0 else 0.0
        f = f / 100.0
        fan_w = spec.fan_w * speed ** 3
        return (Commands.written, cmd.enable, cmd.setpoint, cmd.mode, flow, capacity, f, 1 - f,
                fan_w / capacity, spec.supply_min_c, spec.supply_max_c,
                spec.cooling_w / capacity, spec.heating_w / capacity, RHO_AIR * flow,
                fan_w / 1000)

    def follow(self, twin: AhuState) -> Air:
        """Take the step `twin` (a unit of the same size, running) has just taken, from the
        state this unit is in and under the commands it has, the same as `twin`'s before
        that step: the same results, each meter moved by the same amounts, without working
        the loop out again. A zone's identical units (the stalls' three) run alike."""
        air, cooled, heated, reheated, fanned = twin._took
        self.running = twin.running
        self.supply_temp = twin.supply_temp
        self.integral = twin.integral
        energy = self.energy
        if cooled is not None:
            energy.cooling_kwh += cooled
        if heated is not None:
            energy.heating_kwh += heated
        energy.reheat_kwh += reheated
        energy.fan_kwh += fanned
        return air
