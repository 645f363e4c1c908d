"""The site's chiller plant in a closed-loop run, metered minute by minute from the simulated
plant (`simulator.plant`, `Building.plant`): electric kW, what its chillers would have drawn
without the demand limit, their starts, the cooling the coils were starved of, and the cost
of the electricity at the tariff's price of each minute.

The simulated plant holds its chillers to `peak_cap_kw` (the demand limit `building_spec`
gives it, as a chiller's current limit does): its metered power never passes the cap, and a
strategy that asks for more than the cap is held there and starves the coils, whose supply
warms. So the metered peak is what the utility would bill, and `asked_kw` is what each
strategy put on the plant: the run "exceeds the cap" when that passes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hvac_ctl.model import Config
from simulator.engine import Building

MINUTE = timedelta(minutes=1)
SOURCE = ("simulated: simulator.plant (EIR curves, towers, free cooling, demand limit at the "
          "cap, starved coils)")


@dataclass
class PlantMeter:
    """The plant over a run: per scored minute its electric kW (metered), what it asked, the
    fans' kW (the units' own meters) and the coils' cooling; the chillers' starts, the cooling
    starved, the minutes held at the limit, and what the electricity cost. `advance` steps the
    building for the loop: minute by minute while any unit runs, in one call otherwise (no
    coil cools then: the plant's base load alone, spread over the minutes)."""

    config: Config
    scored_from: datetime
    kw: list[float] = field(default_factory=list)  # plant electric, each scored minute
    asked_kw: list[float] = field(default_factory=list)  # without the demand limit
    fan_kw: list[float] = field(default_factory=list)  # the units' fans, each scored minute
    coil_kw: list[float] = field(default_factory=list)  # the coils' cooling, each minute
    starts: int = 0  # chillers started in the scored period
    starved_kwh: float = 0.0  # cooling asked of the plant and not delivered
    limited_min: float = 0.0  # held back by the demand limit
    cost_cny: float = 0.0  # plant and fans, each minute at its price
    plant_cost_cny: float = 0.0
    _last: tuple[float, ...] | None = None

    def _meters(self, building: Building) -> tuple[float, ...]:
        cool = fan = 0.0
        for a in building.ahus.values():
            e = a.energy
            cool += e.cooling_kwh
            fan += e.fan_kwh
        plant = building.plant
        assert plant is not None, "a venue with a plant: the simulator's building has it"
        m = plant.meters
        return (cool, fan, m.electric_kwh, float(sum(m.starts.values())), m.starved_kwh,
                m.limited_s)

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
        now = self._meters(building)
        assert self._last is not None and building.plant is not None
        cool, fan, electric, starts, starved, limited = (
            b - a for a, b in zip(self._last, now, strict=True))
        self._last = now
        per = 60 / minutes
        kw = electric * per
        asked = max(kw, building.plant.asked_kw) if minutes == 1 else kw
        for k in range(minutes):
            t = at + k * MINUTE
            if t < self.scored_from:
                continue
            self.minute(t, kw, asked, cool * per, fan * per)
        if at >= self.scored_from:
            self.starts += round(starts)
            self.starved_kwh += starved
            self.limited_min += limited / 60

    def minute(self, at: datetime, kw: float, asked: float, coil_kw: float, fan_kw: float
               ) -> None:
        """One scored minute from `at`, priced at its band."""
        self.kw.append(kw)
        self.asked_kw.append(asked)
        self.fan_kw.append(fan_kw)
        self.coil_kw.append(coil_kw)
        tariff = self.config.venue.tariff
        if tariff is not None:
            price = tariff.price_at(at.astimezone(self.config.venue.venue.tz))
            self.plant_cost_cny += kw / 60 * price
            self.cost_cny += (kw + fan_kw) / 60 * price
