"""The control loop driving the simulated building over real BACnet/IP and Modbus TCP sockets.

The simulator runs in the same event loop, stepped minute by minute with the loop's clock, so a
whole show day passes in seconds; every command crosses a real loopback socket.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from drivers.bacnet import BacnetDriver
from drivers.base import State
from hvac_ctl.clock import ManualClock
from hvac_ctl.config import load_config
from hvac_ctl.control import ControlLoop, MemoryAudit, Poller, TickReport
from hvac_ctl.control.tracking import ZoneTracker
from hvac_ctl.devices import DriverSettings, wire_drivers
from hvac_ctl.model import Config
from hvac_ctl.planner import OccupancyPush, Override, PlanInputs, PlanState, plan_at
from hvac_ctl.simulation import building_spec, calendar_scenario
from simulator.ahu import Commands
from simulator.modbus_server import ModbusUnits
from simulator.runner import SimulatedBuilding
from simulator.weather import DesignDay
from tests.harness import config_on_free_ports

pytestmark = pytest.mark.e2e

TIMEOUT = 1.0
SETTINGS = dict(timeout_s=TIMEOUT, backoff_first_s=0.1, backoff_cap_s=0.3)
SUMMER_SHOW = """
performances:
  - {id: aida-2027-07-10, title: Aida, date: 2027-07-10, doors_open: "19:00",
     curtain: "19:30", end: "22:30", expected_attendance: 1500, live_orchestra: true}
"""
AUD = ("ahu-aud-1", "ahu-aud-2", "ahu-aud-3")
MODBUS = ("ahu-stage-main", "ahu-stage-side", "exh-stage", "ahu-pit")


@dataclass
class Hall:
    config: Config
    sim: SimulatedBuilding
    drivers: dict[str, Any]
    clock: ManualClock
    loop: ControlLoop
    poller: Poller
    audit: MemoryAudit
    tracker: ZoneTracker
    pushes: list[OccupancyPush] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    reports: list[TickReport] = field(default_factory=list)

    async def run(self, minutes: int, each: Callable[[Hall], None] | None = None) -> None:
        """Tick once a minute, the building one minute on, polling every five."""
        for m in range(minutes):
            if m % 5 == 0:
                await self.poller.poll_all()
            self.reports.append(await self.loop.tick())
            assert self.loop.last_state is not None
            self.tracker.observe(self.loop.last_state, self.poller.zone_measurements(
                self.clock.now(), timedelta(minutes=15)), self.clock.now())
            if each is not None:
                each(self)
            await self.sim.advance(timedelta(minutes=1))
            self.clock.advance(timedelta(minutes=1))

    def device(self, unit: str) -> Commands:
        return self.sim.building.commands(unit)


@asynccontextmanager
async def hall(tmp_path: Path, start: datetime, calendar: str | None = None,
               planner: Callable[[Config, datetime, PlanInputs], PlanState] = plan_at
               ) -> AsyncIterator[Hall]:
    ports = config_on_free_ports(tmp_path / "config")
    if calendar is not None:
        (ports.folder / "schedules/calendar/test.yaml").write_text(calendar)
    config = load_config(ports.folder)
    tz = config.venue.venue.tz
    day = start.astimezone(tz).date()
    weather = DesignDay.summer(tz) if 5 <= day.month <= 9 else DesignDay.winter(tz)
    sim = SimulatedBuilding(building_spec(config), calendar_scenario(
        config, day - timedelta(days=1), day + timedelta(days=1)), weather, start)
    await sim.start()
    drivers = wire_drivers(config, DriverSettings(
        bacnet_local=f"127.0.0.1/24:{ports.client}", **SETTINGS))  # type: ignore[arg-type]
    for d in drivers.values():
        await d.start()
    clock = ManualClock(start)
    audit = MemoryAudit()
    poller = Poller(config, drivers, clock)
    box: dict[str, Hall] = {}

    tracker = ZoneTracker(config)

    def inputs(now: datetime) -> PlanInputs:
        h = box["hall"]
        fresh = timedelta(minutes=15)
        return PlanInputs(occupancy=list(h.pushes), overrides=list(h.overrides),
                          measurements=poller.zone_measurements(now, fresh),
                          outdoor_air_c=poller.outdoor_air(now, fresh),
                          modes=tracker.held_modes(), deviations=tracker.deviations())

    loop = ControlLoop(config, drivers, clock, inputs, audit, planner=planner)
    h = Hall(config, sim, drivers, clock, loop, poller, audit, tracker)
    box["hall"] = h
    try:
        await loop.start()
        yield h
    finally:
        for d in drivers.values():
            await d.close()
        await sim.close()


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout=300))


def local(text: str, config_tz: str = "Asia/Shanghai") -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(config_tz))


def test_the_days_plan_reaches_every_unit_phase_by_phase(tmp_path: Path) -> None:
    """A Sunday matinee, 11:30–18:30, over the wire; every settled desired value is on the unit."""
    seen_phases: list[str] = []
    desired_since: dict[tuple[str, str], tuple[Any, datetime]] = {}
    checked: list[tuple[str, str]] = []

    def watch(h: Hall) -> None:
        state = h.loop.last_state
        assert state is not None
        phase = state.zones["auditorium"].phase
        if not seen_phases or seen_phases[-1] != phase:
            seen_phases.append(phase)
        now = h.clock.now()
        for unit, points in state.units.items():
            for point, value in points.items():
                prev = desired_since.get((unit, point))
                if prev is None or prev[0] != value:
                    desired_since[(unit, point)] = (value, now)

    def settled_matches(h: Hall) -> None:
        now = h.clock.now()
        for (unit, point), (value, since) in desired_since.items():
            if now - since < timedelta(minutes=20):
                continue  # the gate may still be ramping the setpoint
            on_device = getattr(h.device(unit), point)
            if isinstance(value, float):
                assert on_device == pytest.approx(value, abs=0.01), (now, unit, point)
            else:
                assert on_device == value, (now, unit, point)
            checked.append((unit, point))

    async def body() -> None:
        async with hall(tmp_path, local("2026-11-29 11:30")) as h:
            for _ in range(14):  # 7 hours, checked every 30 minutes
                await h.run(30, watch)
                settled_matches(h)
            assert all(r.failed == 0 and not r.offline for r in h.reports)

    run(body())
    assert seen_phases == ["idle", "precool", "show", "post_show", "idle"]
    units = {u for u, _ in checked}
    assert units == {*AUD, *MODBUS}
    assert len(checked) > 300  # values settled for 20 min, checked every 30


def test_a_20_percent_count_readjusts_the_hall_and_10_percent_does_not(tmp_path: Path) -> None:
    async def body() -> dict[str, tuple[float, float]]:
        async with hall(tmp_path, local("2027-07-10 19:45"), SUMMER_SHOW) as h:
            await h.run(15)
            base = {u: (h.device(u).setpoint, h.device(u).oa_damper_min) for u in AUD}
            h.pushes.append(OccupancyPush("aida-2027-07-10", 1650, h.clock.now()))  # +10 %
            await h.run(10)
            small = {u: (h.device(u).setpoint, h.device(u).oa_damper_min) for u in AUD}
            h.pushes.append(OccupancyPush("aida-2027-07-10", 1800, h.clock.now()))  # +20 %
            await h.run(10)
            large = {u: (h.device(u).setpoint, h.device(u).oa_damper_min) for u in AUD}
            why = [e.why for e in h.audit.entries if e.at >= h.pushes[1].at]
            assert any("count 1800 acted on" in w for w in why)
            return {"base": base, "small": small, "large": large}  # type: ignore[return-value]

    r = run(body())
    for u in AUD:
        assert r["small"][u] == r["base"][u]
        assert r["large"][u][0] < r["base"][u][0]  # setpoint
        assert r["large"][u][1] > r["base"][u][1]  # outdoor-air minimum


def test_an_override_at_priority_8_is_relinquished_when_it_expires(tmp_path: Path) -> None:
    async def body() -> dict[str, Any]:
        async with hall(tmp_path, local("2027-07-10 19:45"), SUMMER_SHOW) as h:
            await h.run(15)
            bacnet: BacnetDriver = h.drivers["bacnet"]
            plan_value = h.device("ahu-aud-1").setpoint
            now = h.clock.now()
            h.overrides.append(Override("ov-1", "ahu-aud-1", "setpoint", 22.0, now,
                                        now + timedelta(minutes=10), "VIP tier too warm"))
            await h.run(8)  # the gate ramps 0.2 K/min toward 22.0
            during = await bacnet.priority_array("ahu-aud-1", "setpoint")
            commanding = await bacnet.commanding_priority("ahu-aud-1", "setpoint")
            on_device_during = h.device("ahu-aud-1").setpoint
            h.overrides.clear()  # …or let it expire: both leave the plan in charge
            await h.run(2)
            after = await bacnet.priority_array("ahu-aud-1", "setpoint")
            return {"plan": plan_value, "during": during, "commanding": commanding,
                    "device_during": on_device_during, "after": after,
                    "device_after": h.device("ahu-aud-1").setpoint,
                    "commanding_after": await bacnet.commanding_priority("ahu-aud-1",
                                                                         "setpoint"),
                    "audit": [e for e in h.audit.entries if e.unit == "ahu-aud-1"
                              and e.point == "setpoint" and e.priority == 8]}

    r = run(body())
    assert r["commanding"] == 8
    assert set(r["during"]) == {8, 12}
    assert r["during"][12] == pytest.approx(r["plan"], abs=0.01)
    assert r["device_during"] == pytest.approx(r["during"][8], abs=0.01)
    assert r["device_during"] < r["plan"]
    assert set(r["after"]) == {12}
    assert r["commanding_after"] == 12
    assert r["device_after"] == pytest.approx(r["plan"], abs=0.01)
    assert any("override ov-1" in e.why for e in r["audit"])
    assert r["audit"][-1].new is None and "relinquished" in r["audit"][-1].why


def test_the_override_expires_by_itself(tmp_path: Path) -> None:
    async def body() -> tuple[dict[int, Any], float, float]:
        async with hall(tmp_path, local("2027-07-10 20:00"), SUMMER_SHOW) as h:
            await h.run(5)
            plan_value = h.device("ahu-aud-2").fan_speed_max
            now = h.clock.now()
            h.overrides.append(Override("ov-2", "ahu-aud-2", "fan_speed_max", 60.0, now,
                                        now + timedelta(minutes=5)))
            await h.run(3)
            during = h.device("ahu-aud-2").fan_speed_max
            await h.run(4)  # expired after 5 minutes
            after = await h.drivers["bacnet"].priority_array("ahu-aud-2", "fan_speed_max")
            assert h.device("ahu-aud-2").fan_speed_max == plan_value
            return after, during, plan_value

    after, during, plan_value = run(body())
    assert during == 60.0 != plan_value
    assert set(after) == {12}


def test_a_desired_value_outside_the_limits_never_leaves_the_gate(tmp_path: Path) -> None:
    def rogue(config: Config, at: datetime, inputs: PlanInputs) -> PlanState:
        state = plan_at(config, at, inputs)
        units = {u: dict(points) for u, points in state.units.items()}  # plans are frozen
        units["ahu-aud-1"]["setpoint"] = 29.5  # above the zone's 28 °C, inside 15–30
        units["ahu-aud-2"]["setpoint"] = math.nan
        units["ahu-pit"]["oa_damper_min"] = 150.0
        units["ahu-stage-main"]["setpoint"] = 5.0
        return replace(state, units=units)

    async def body() -> list[tuple[datetime, str, str, Any]]:
        async with hall(tmp_path, local("2027-07-10 19:45"), SUMMER_SHOW, planner=rogue) as h:
            await h.run(60)
            refused = [e for e in h.audit.entries if not e.ok and "gate refused" in e.why]
            assert refused and all(e.unit == "ahu-aud-2" for e in refused)
            return list(h.sim.building.write_log)

    log = run(body())
    setpoints = {u: [v for _, unit, p, v in log if unit == u and p == "setpoint"]
                 for u in ("ahu-aud-1", "ahu-aud-2", "ahu-stage-main")}
    assert setpoints["ahu-aud-1"] and max(setpoints["ahu-aud-1"]) <= 28.0
    assert setpoints["ahu-aud-1"][-1] == pytest.approx(28.0)  # ramped up to the limit, no further
    assert all(not math.isnan(v) for v in setpoints["ahu-aud-2"])
    assert min(setpoints["ahu-stage-main"]) >= 18.0
    oa = [v for _, unit, p, v in log if unit == "ahu-pit" and p == "oa_damper_min"]
    assert oa and max(oa) <= 100.0


def test_modbus_server_down_bacnet_goes_on_and_recovery_within_one_tick(tmp_path: Path) -> None:
    async def body() -> dict[str, Any]:
        async with hall(tmp_path, local("2027-07-10 19:45"), SUMMER_SHOW) as h:
            await h.run(10)
            await h.sim.modbus.close()
            now = h.clock.now()
            h.overrides.append(Override("ov-3", "ahu-aud-3", "fan_speed_max", 70.0, now,
                                        now + timedelta(hours=2)))
            t0 = time.perf_counter()
            await h.run(3)
            outage_seconds = time.perf_counter() - t0
            offline = set(h.reports[-1].offline)
            health = {u: h.drivers["modbus"].health(u).state for u in MODBUS}
            bacnet_followed = h.device("ahu-aud-3").fan_speed_max
            # the Modbus controllers reboot: they come back with factory defaults
            for u in MODBUS:
                h.sim.building.ahus[u].commands = Commands()
            units = [u for u in h.sim.building.spec.units.values() if u.protocol == "modbus"]
            h.sim.modbus = ModbusUnits(h.sim.building, units)
            await h.sim.modbus.start()
            await asyncio.sleep(SETTINGS["backoff_cap_s"] + 0.1)  # under the tick period
            await h.run(1)
            state = h.loop.last_state
            assert state is not None
            restored = {u: all(getattr(h.device(u), p) == pytest.approx(v, abs=0.01)
                               if isinstance(v, float) else getattr(h.device(u), p) == v
                               for p, v in state.units[u].items()) for u in MODBUS}
            return {"offline": offline, "health": health, "bacnet": bacnet_followed,
                    "seconds": outage_seconds, "restored": restored,
                    "health_after": {u: h.drivers["modbus"].health(u).state for u in MODBUS}}

    r = run(body())
    assert r["offline"] == set(MODBUS)
    assert all(s == State.offline for s in r["health"].values())
    assert r["bacnet"] == 70.0
    assert r["seconds"] < 3 * (TIMEOUT + 0.5)  # three ticks, none held by the dead server
    assert all(r["restored"].values()), r["restored"]
    assert all(s == State.online for s in r["health_after"].values())


def test_a_killed_device_never_blocks_a_tick_longer_than_the_timeout(tmp_path: Path) -> None:
    async def body() -> tuple[float, float]:
        async with hall(tmp_path, local("2027-07-10 19:45"), SUMMER_SHOW) as h:
            await h.run(5)
            h.sim.bacnet.apps[0].close()  # ahu-aud-1 stops answering: UDP into the void
            now = h.clock.now()
            h.overrides.append(Override("ov-4", "ahu-aud-2", "fan_speed_max", 65.0, now,
                                        now + timedelta(hours=1)))
            h.overrides.append(Override("ov-5", "ahu-pit", "fan_speed_max", 55.0, now,
                                        now + timedelta(hours=1)))
            t0 = time.perf_counter()
            await h.loop.tick()
            tick_seconds = time.perf_counter() - t0
            assert h.device("ahu-aud-2").fan_speed_max == 65.0
            assert h.device("ahu-pit").fan_speed_max == 55.0
            assert h.drivers["bacnet"].health("ahu-aud-1").state == State.offline
            return tick_seconds, TIMEOUT

    seconds, timeout = run(body())
    assert seconds < timeout + 0.5


def test_the_autumn_show_that_froze_the_hall_holds_its_band_over_the_wire(
        tmp_path: Path) -> None:
    """Tosca, 2026-11-03, on the winter design day (about −5 °C at curtain-up) that the demo
    runs November on: 94 % outdoor air for 2,100 people, which the shoulder season's cool
    mode once blew straight onto the audience (15 °C by the end)."""
    worst: dict[str, float] = {}
    co2: list[float] = []
    short: list[float] = []

    def watch(h: Hall) -> None:
        state = h.loop.last_state
        assert state is not None
        now = h.clock.now()
        building = h.sim.building
        if local("2026-11-03 19:00") <= now < local("2026-11-03 22:30"):
            for zone in ("auditorium", "stage", "pit"):
                off = abs(building.hall.temp(zone) - state.zones[zone].setpoint_c)
                worst[zone] = max(worst.get(zone, 0.0), off)
                co2.append(building.hall.co2(zone))
            cold = [building.ahus[u].supply_temp for u in AUD if building.ahus[u].running
                    and building.ahus[u].supply_temp < 17.5]
            # colder only where the coils are short of heat, and then the plan says so
            if cold:
                short.append(state.zones["auditorium"].shortfall_kw)

    async def body() -> None:
        async with hall(tmp_path, local("2026-11-03 18:00")) as h:
            await h.run(5 * 60, watch)
            assert all(r.failed == 0 and not r.offline for r in h.reports)
            assert any("the coils temper it" in e.why or "heat, to temper it" in e.why
                       for e in h.audit.entries if e.unit == "ahu-aud-1")

    run(body())
    # the audience's air was tempered, never blown as it came in (the floor is 18 °C under
    # the seats), but at its coldest, past 22:00 at −7 °C, 2,100 people's air is more than
    # the coils can lift: ventilation is kept and the shortfall reported (and alarmed)
    assert all(kw > 0 for kw in short)
    assert worst["auditorium"] < 1.0 and worst["pit"] < 1.5 and worst["stage"] < 1.5, worst
    assert max(co2) < 1000


def test_a_tour_that_stays_cold_gets_every_unit_of_its_zone_over_the_wire(
        tmp_path: Path) -> None:
    """The closed loop: a November tour in a hall left at 19 °C, its one unit not enough;
    after five minutes more than 1 K under its heating setpoint, every auditorium unit
    heats — nobody's override needed."""
    from simulator.psychro import humidity_ratio

    async def body() -> dict[str, Any]:
        async with hall(tmp_path, local("2026-11-04 09:50")) as h:
            building = h.sim.building
            building.hall.set_state("auditorium", 19.0, humidity_ratio(19.0, 40.0), 450.0,
                                    mass_c=19.0)
            await h.sim.publish()
            await h.run(12)  # through 10:01: the tour's one unit, heating
            first = {u: (h.device(u).enable, h.device(u).mode) for u in AUD}
            await h.run(6)  # through 10:07: out for more than 5 min
            later = {u: (h.device(u).enable, h.device(u).mode) for u in AUD}
            why = [e.why for e in h.audit.entries if e.unit == "ahu-aud-3" and e.new is True]
            return {"first": first, "later": later, "why": why}

    r = run(body())
    assert r["first"]["ahu-aud-1"] == (True, "heat")
    assert not r["first"]["ahu-aud-2"][0] and not r["first"]["ahu-aud-3"][0]
    assert all(r["later"][u] == (True, "heat") for u in AUD)
    assert r["why"] and "closed loop" in r["why"][0]
