"""An air-handling unit with its own local loop, as a DDC controller runs it.

It tracks its `setpoint` by modulating the supply temperature (PI on the zone temperature),
within its coil capacity and the supply limits; `mode` allows cooling or heating only (so
neighbours never fight); `oa_damper_min` mixes outdoor air in; `fan_speed_max` sets the fan
(power ∝ speed³; the fan's heat warms the supply). Above 60 % RH in cooling it dehumidifies:
the coil goes down to 12 °C and the air is reheated — the study's summer reheat.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.building import RHO_AIR, RHO_CP, UnitSpec
from simulator.hall import Stream
from simulator.psychro import H_FG, relative_humidity, saturation_ratio

KP = 2.0  # K of supply per K of zone error
TI_S = 900.0
MIN_SPEED = 0.2
DEHUMIDIFY_ABOVE_RH = 60.0
DEHUMIDIFY_COIL_C = 12.0
_DEHUMIDIFY_COIL_W = saturation_ratio(DEHUMIDIFY_COIL_C)


@dataclass
class Commands:
    enable: bool = False
    setpoint: float = 22.0
    oa_damper_min: float = 0.0
    fan_speed_max: float = 100.0
    mode: str = "cool"  # cool | heat | vent


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

    def speed(self) -> float:
        return max(MIN_SPEED, min(1.0, self.commands.fan_speed_max / 100.0))

    def flow(self) -> float:
        return self.spec.airflow_m3_per_s * self.speed() if self.running else 0.0

    def step(self, h: float, zone_c: float, zone_w: float, out_c: float, out_w: float
             ) -> Stream | None:
        """Run the local loop for one step; the air it supplies, held over the step."""
        cmd = self.commands
        self.running = cmd.enable
        if not cmd.enable:
            self.supply_temp = zone_c
            self.integral = 0.0
            return None
        spec, speed = self.spec, self.speed()
        flow = spec.airflow_m3_per_s * speed  # self.flow(), running
        capacity = RHO_CP * flow
        f = max(0.0, min(cmd.oa_damper_min, 100.0)) / 100.0
        mix_c = f * out_c + (1 - f) * zone_c
        mix_w = f * out_w + (1 - f) * zone_w
        fan_w = spec.fan_w * speed ** 3
        fan_rise = fan_w / capacity

        error = zone_c - cmd.setpoint
        wanted = cmd.setpoint - KP * error - self.integral
        wanted = min(max(wanted, spec.supply_min_c), spec.supply_max_c)
        coil_target = wanted - fan_rise
        cool_floor = mix_c - spec.cooling_w / capacity
        heat_ceiling = mix_c + spec.heating_w / capacity
        if cmd.mode == "cool":
            coil_c = min(max(coil_target, cool_floor), mix_c)
        elif cmd.mode == "heat":
            coil_c = max(min(coil_target, heat_ceiling), mix_c)
        else:
            coil_c = mix_c
        # conditional integration: no wind-up while the coil cannot follow
        saturated = abs(coil_c - coil_target) > 1e-9
        if not saturated or (coil_c > coil_target) == (error < 0):
            self.integral = min(max(self.integral + KP * error * h / TI_S, -20.0), 20.0)

        reheat_c = coil_c
        if cmd.mode == "cool" and relative_humidity(zone_c, zone_w) > DEHUMIDIFY_ABOVE_RH and (
                mix_w > _DEHUMIDIFY_COIL_W):
            coil_c = max(DEHUMIDIFY_COIL_C, cool_floor)
            reheat_c = min(max(coil_target, coil_c), coil_c + spec.heating_w / capacity)
        supply_w = min(mix_w, saturation_ratio(coil_c))
        self.supply_temp = reheat_c + fan_rise

        hours = h / 3600.0
        sensible = capacity * (mix_c - coil_c)
        latent = RHO_AIR * flow * (mix_w - supply_w) * H_FG
        if sensible > 0:
            self.energy.cooling_kwh += (sensible + latent) / 1000 * hours
        else:
            self.energy.heating_kwh += -sensible / 1000 * hours
        self.energy.reheat_kwh += capacity * (reheat_c - coil_c) / 1000 * hours
        self.energy.fan_kwh += fan_w / 1000 * hours
        return Stream(flow, self.supply_temp, supply_w, f)
