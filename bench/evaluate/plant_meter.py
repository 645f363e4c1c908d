"""The site's chiller plant in a closed-loop run, metered minute by minute: electric kW, the
chillers' starts, and the cost of the electricity at the tariff's price of each minute.

The simulator has no chiller plant yet (one is being added: `Building.plant`, with its
electric kW, its chillers' starts and the coils it starves). Until it lands the plant is
*estimated* here, in one function, `electric_kw`: the simulated coils' cooling of the minute
plus the plant's base load (`plant.base_load_kw` by local hour) staged by the planner's own
rule (`chiller_staging.stage`, minimum run and off times and lead/lag kept from minute to
minute) and powered by the chillers' curves (`chiller_curves.power_kw`) at the condenser
water the towers give from the minute's outdoor wet-bulb. It is the planner's model of the
plant, not a second one: the estimate and the plan can only disagree through the load (the
coils' measured cooling against the plan's estimate). Nothing is fed back: a coil the plant
could not serve still cooled (starvation is the simulator's plant's to model). Swapping in
the simulator's plant is `PlantMeter.minute` reading `building.plant` instead of
`electric_kw`: nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hvac_ctl.model import Config
from hvac_ctl.model.plant import Plant
from hvac_ctl.planner.chiller_curves import available_kw, condenser_c, power_kw
from hvac_ctl.planner.chiller_staging import Staged, stage
from hvac_ctl.planner.inputs import ChillerState
from hvac_ctl.planner.psychro import wet_bulb_c
from simulator.engine import Building
from simulator.psychro import relative_humidity

MINUTE = timedelta(minutes=1)
SOURCE = "estimated: chiller_staging.stage + chiller_curves.power_kw on the simulated coils"


def electric_kw(plant: Plant, coil_kw: float, base_kw: float, wet_bulb: float,
                held: Mapping[str, ChillerState], run_hours: Mapping[str, float],
                at: datetime) -> tuple[float, Staged]:
    """The plant's electric kW serving `coil_kw + base_kw` of cooling at `wet_bulb` (°C),
    the chillers staged from what `held` says ran: the load shared by capacity among the
    running chillers after free cooling, as `planner.plant.decide` shares it."""
    load = coil_kw + base_kw
    staged = stage(plant, load, wet_bulb, held, run_hours, at)
    if not staged.running:
        return 0.0, staged
    t_cw = condenser_c(plant.towers, wet_bulb)
    left = max(0.0, load - (plant.towers.free_cooling_kw if staged.free_cooling else 0.0))
    on = [plant.chillers[n] for n in staged.running]
    caps = [available_kw(c, plant.chw_supply_c, t_cw) for c in on]
    total = sum(caps)
    kw = sum(power_kw(c, left * cap / total, plant.chw_supply_c, t_cw)
             for c, cap in zip(on, caps, strict=True)) if total else 0.0
    return kw, staged


@dataclass
class PlantMeter:
    """The plant over a run: per scored minute its electric kW and the fans' (the units' own
    meters), the chillers' starts, and what the electricity cost. `advance` steps the
    building for the loop: minute by minute while any unit runs (a minute's coil load is
    the difference of the units' meters), in one call otherwise (no coil cools then: the
    base load alone, and the exhausts' constant fans, spread over the minutes)."""

    config: Config
    scored_from: datetime
    kw: list[float] = field(default_factory=list)  # plant electric, each scored minute
    fan_kw: list[float] = field(default_factory=list)  # the units' fans, each scored minute
    coil_kw: list[float] = field(default_factory=list)  # the coils' cooling, each minute
    starts: int = 0  # chillers started in the scored period
    cost_cny: float = 0.0  # plant and fans, each minute at its price
    plant_cost_cny: float = 0.0
    _held: dict[str, ChillerState] = field(default_factory=dict)
    _hours: dict[str, float] = field(default_factory=dict)
    _last: tuple[float, float] | None = None

    @property
    def plant(self) -> Plant:
        assert self.config.venue.plant is not None
        return self.config.venue.plant

    def _meters(self, building: Building) -> tuple[float, float]:
        cool = fan = 0.0
        for a in building.ahus.values():
            e = a.energy
            cool += e.cooling_kwh
            fan += e.fan_kwh
        return cool, fan

    def advance(self, building: Building, now: datetime, step: timedelta) -> None:
        """Step `building` from `now` by `step`, metering each minute."""
        if self._last is None:
            self._last = self._meters(building)
        if any(a.commands.enable for a in building.ahus.values()):
            t = now
            while t < now + step:
                building.advance(MINUTE)
                self._read(building, t, 1)
                t += MINUTE
        else:
            building.advance(step)
            self._read(building, now, step // MINUTE)

    def _read(self, building: Building, at: datetime, minutes: int) -> None:
        """The minutes from `at` just stepped: the meters' differences, spread evenly."""
        cool, fan = self._meters(building)
        assert self._last is not None
        last_cool, last_fan = self._last
        self._last = cool, fan
        coil = (cool - last_cool) * 60 / minutes
        fans = (fan - last_fan) * 60 / minutes
        for k in range(minutes):
            self.minute(building, at + k * MINUTE, coil, fans)

    def minute(self, building: Building, at: datetime, coil_kw: float, fan_kw: float) -> None:
        """One minute from `at`: the plant staged and powered for it (the one place that
        reads the plant: `building.plant` once the simulator has one)."""
        plant = self.plant
        local = at.astimezone(self.config.venue.venue.tz)
        out = building.weather.at(at + MINUTE / 2)
        wb = wet_bulb_c(out.temp_c, relative_humidity(out.temp_c, out.w))
        if not self._held:  # what ran before anyone remembers: nothing
            self._held = {n: ChillerState(False, None) for n in plant.chillers}
        kw, staged = electric_kw(plant, coil_kw, plant.base_load_kw[local.hour], wb,
                                 self._held, self._hours, at)
        scored = at >= self.scored_from
        for name in staged.running:
            self._hours[name] = self._hours.get(name, 0.0) + 1 / 60
        for name, was in self._held.items():
            on = name in staged.running
            if was.running != on:
                self._held[name] = ChillerState(on, at)
                self.starts += on and scored
        if not scored:
            return
        self.kw.append(kw)
        self.fan_kw.append(fan_kw)
        self.coil_kw.append(coil_kw)
        tariff = self.config.venue.tariff
        if tariff is not None:
            price = tariff.price_at(local)
            self.plant_cost_cny += kw / 60 * price
            self.cost_cny += (kw + fan_kw) / 60 * price
