"""Run the building: physics paced by a clock, served over BACnet/IP and Modbus TCP."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from simulator.bacnet_server import BacnetUnits
from simulator.building import BuildingSpec
from simulator.clock import SimClock
from simulator.engine import Building
from simulator.modbus_server import ModbusUnits
from simulator.scenario import Scenario
from simulator.weather import Weather


def require_loopback(spec: BuildingSpec) -> None:
    """The simulator serves on loopback only: it must never answer on a real network."""
    for u in spec.served():
        if not ipaddress.ip_address(u.host).is_loopback:
            raise ValueError(f"{u.name}: {u.host} is not a loopback address; the simulator "
                             "serves on 127.0.0.0/8 only")


class SimulatedBuilding:
    """The building and its protocol servers, started and closed together."""

    def __init__(self, spec: BuildingSpec, scenario: Scenario, weather: Weather,
                 start: datetime, step: timedelta = timedelta(seconds=60),
                 independent_thermostats: bool = False) -> None:
        require_loopback(spec)
        self.building = Building(spec, scenario, weather, start, max_step=step,
                                 independent_thermostats=independent_thermostats)
        units = spec.served()  # the units, and the chillers that have a protocol
        self.modbus = ModbusUnits(self.building, [u for u in units if u.protocol == "modbus"])
        self.bacnet = BacnetUnits(self.building, [u for u in units if u.protocol == "bacnet"])

    async def start(self) -> None:
        await self.modbus.start()
        try:
            await self.bacnet.start()
        except BaseException:
            await self.modbus.close()
            raise

    async def advance(self, dt: timedelta) -> None:
        """Stepped time, for tests: move the building on and publish its sensors."""
        self.building.advance(dt)
        await self.publish()

    async def publish(self) -> None:
        await self.modbus.publish()
        self.bacnet.publish()

    async def run(self, clock: SimClock, until: datetime | None = None,
                  status: Callable[[str], None] | None = None,
                  status_every: float = 1.0) -> None:
        """Follow the clock until `until` (or for ever), printing status lines."""
        tick = timedelta(seconds=min(60.0, max(1.0, clock.speed)))
        loop = asyncio.get_running_loop()
        next_status = loop.time()
        while until is None or self.building.now < until:
            target = clock.now() if until is None else min(clock.now(), until)
            n = int((target - self.building.now) / tick)
            if n > 0:
                self.building.advance(tick * n)
                await self.publish()
            if status is not None and loop.time() >= next_status:
                for line in self.status_lines():
                    status(line)
                next_status += status_every
            await asyncio.sleep(min(0.2, tick.total_seconds() / clock.speed))

    def status_lines(self) -> list[str]:
        b = self.building
        now = b.now.astimezone(ZoneInfo(b.spec.timezone))
        lines = []
        for zone in b.spec.zones:
            r = b.reading(zone)
            running = ", ".join(r.units_running) or "none"
            lines.append(f"{now:%Y-%m-%d %H:%M:%S} {zone:<11} {r.temp_c:5.1f} °C "
                         f"{r.rh_pct:4.0f} % RH {r.co2_ppm:5.0f} ppm {r.people:5.0f} people  "
                         f"running: {running}")
        p = b.plant
        if p is not None:
            running = ", ".join(n for n, r in p.running.items() if r) or "none"
            lines.append(f"{now:%Y-%m-%d %H:%M:%S} plant       {p.demand_kw:6.0f} kW asked "
                         f"{p.delivered_kw:6.0f} kW delivered {p.electric_kw:5.0f} kW electric"
                         f"{'  free cooling' if p.free_cooling else ''}  running: {running}")
        return lines

    async def close(self) -> None:
        await self.bacnet.close()
        await self.modbus.close()
