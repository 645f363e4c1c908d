"""The gate, the loop and the drivers' shared parts, on the in-memory driver."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from drivers.base import Backoff, DriverError, Link, PointAddress, State
from drivers.memory import MemoryDriver
from drivers.modbus import coalesce, decode, encode
from hvac_ctl.clock import ManualClock
from hvac_ctl.control import ControlLoop, MemoryAudit, Poller, SafetyGate
from hvac_ctl.devices import device_specs
from hvac_ctl.model import Config
from hvac_ctl.planner import Override, PlanInputs
from tests.harness import local

T = local("2026-12-05 20:00")


# --- the gate ------------------------------------------------------------------------------


def test_the_gate_clamps_to_zone_limits_and_unit_ranges(config: Config) -> None:
    gate = SafetyGate(config.venue)
    assert gate.admit("ahu-aud-1", "setpoint", 29.5, T, None, None).value == 28.0
    assert gate.admit("ahu-aud-1", "setpoint", 12.0, T, None, None).value == 18.0
    assert gate.admit("ahu-pit", "oa_damper_min", 150.0, T, None, None).value == 100.0
    assert gate.admit("ahu-pit", "fan_speed_max", 5.0, T, None, None).value == 20.0
    for bad in (float("nan"), float("inf"), "hot", True):
        assert gate.admit("ahu-aud-1", "setpoint", bad, T, 22.0, None).value is None
    assert gate.admit("ahu-aud-1", "mode", "auto", T, "cool", None).value is None
    assert gate.admit("ahu-aud-1", "nonsense", 1.0, T, None, None).value is None


def test_the_gate_limits_the_setpoint_change_per_minute(config: Config) -> None:
    gate = SafetyGate(config.venue)  # auditorium: 0.2 K/min
    one_min_ago, five_min_ago = T - timedelta(minutes=1), T - timedelta(minutes=5)
    assert gate.admit("ahu-aud-1", "setpoint", 20.0, T, 24.0, one_min_ago).value == 23.8
    assert gate.admit("ahu-aud-1", "setpoint", 20.0, T, 24.0, five_min_ago).value == 23.0
    assert gate.admit("ahu-aud-1", "setpoint", 23.9, T, 24.0, one_min_ago).value == 23.9
    assert gate.admit("ahu-aud-1", "setpoint", 26.0, T, 24.0, None).value == 24.2


def test_the_gate_brings_a_unit_outside_its_limits_straight_back_inside(config: Config) -> None:
    """A unit found outside its limits (set by hand, or held under older limits) is not walked
    back at the rate limit from there: the limits win over the rate."""
    gate = SafetyGate(config.venue)  # auditorium: 18–28 °C, 0.2 K/min; the unit takes 15–30
    assert gate.admit("ahu-aud-1", "setpoint", 24.0, T, 35.0, None).value == 28.0
    assert gate.admit("ahu-aud-1", "setpoint", 24.0, T, 0.0, None).value == 18.0
    assert gate.admit("ahu-aud-1", "setpoint", 24.0, T, 28.1, T).value == 28.0
    assert gate.admit("ahu-aud-1", "setpoint", 24.0, T, 27.0, None).value == 26.8  # inside


def test_the_gate_holds_minimum_on_and_off_times(config: Config) -> None:
    gate = SafetyGate(config.venue)  # 10 min on, 5 min off
    assert gate.admit("ahu-pit", "enable", False, T, True, T - timedelta(minutes=4)).value
    assert not gate.admit("ahu-pit", "enable", False, T, True, T - timedelta(minutes=11)).value
    assert not gate.admit("ahu-pit", "enable", True, T, False, T - timedelta(minutes=2)).value
    assert gate.admit("ahu-pit", "enable", True, T, False, T - timedelta(minutes=6)).value


# --- the drivers' shared parts -------------------------------------------------------------


def _p(name: str, reg: int, table: str = "input", kind: str = "float32") -> PointAddress:
    return PointAddress(name, kind, register=reg, table=table)


def test_reads_are_coalesced_into_ranges_of_at_most_125_registers() -> None:
    points = [_p("a", 0), _p("b", 2), _p("c", 6), _p("d", 100), _p("e", 0, "holding", "uint16"),
              _p("f", 200), _p("g", 300)]
    blocks = coalesce(points)
    assert [(b.table, b.start, b.count) for b in blocks] == [
        ("holding", 0, 1), ("input", 0, 8), ("input", 100, 2), ("input", 200, 2),
        ("input", 300, 2)]
    many = [_p(f"p{i}", 2 * i) for i in range(100)]  # 200 registers, no gaps
    blocks = coalesce(many)
    assert all(b.count <= 125 for b in blocks) and sum(len(b.points) for b in blocks) == 100
    assert len(blocks) == 2


@pytest.mark.parametrize("order", ["big", "little"])
def test_float32_round_trips_in_either_word_order(order: str) -> None:
    p = _p("setpoint", 1, "holding")
    regs = encode(p, 23.5, order)
    assert decode(p, regs, order) == 23.5
    assert decode(p, regs, "little" if order == "big" else "big") != 23.5


def test_a_link_backs_off_and_fails_fast_while_offline() -> None:
    now = [0.0]
    link = Link("dev", timeout=0.05, backoff=Backoff(1.0, 4.0), clock=lambda: now[0])

    async def never() -> None:
        await asyncio.sleep(1)

    async def fine() -> int:
        return 7

    async def scenario() -> None:
        with pytest.raises(DriverError, match="no answer"):
            await link.call("read", never)
        assert link.health().state == State.offline
        with pytest.raises(DriverError, match="offline"):
            await link.call("read", fine)  # inside the backoff: fails at once
        now[0] += 1.1
        assert await link.call("read", fine) == 7
        assert link.health().state == State.online and link.failures == 0

    asyncio.run(scenario())
    assert [Backoff(0.5, 30).delay(n) for n in (1, 2, 3, 10)] == [0.5, 1.0, 2.0, 30.0]
    # a device lost for days: thousands of failures, still the cap (2.0 ** 1024 overflows)
    assert [Backoff(0.5, 30).delay(n) for n in (1025, 10**6)] == [30.0, 30.0]


def test_a_refusal_does_not_make_a_device_offline() -> None:
    link = Link("dev", timeout=1.0)

    async def no() -> None:
        raise DriverError("value out of range", refused=True)

    with pytest.raises(DriverError):
        asyncio.run(link.call("write", no))
    assert link.failures == 0


# --- the loop on the in-memory driver ------------------------------------------------------


def memory_loop(config: Config, at: datetime, overrides: list[Override] | None = None
                ) -> tuple[ControlLoop, MemoryDriver, ManualClock, MemoryAudit]:
    driver = MemoryDriver(list(device_specs(config).values()))
    drivers: dict[str, Any] = {"bacnet": driver, "modbus": driver}
    clock = ManualClock(at)
    audit = MemoryAudit()
    ov = overrides if overrides is not None else []
    loop = ControlLoop(config, drivers, clock, lambda now: PlanInputs(overrides=list(ov)), audit)
    return loop, driver, clock, audit


def test_the_loop_writes_only_what_differs_and_reasserts_on_its_period(config: Config) -> None:
    loop, _driver, clock, audit = memory_loop(config, T)

    async def scenario() -> list[int]:
        counts = []
        for _ in range(12):
            counts.append((await loop.tick()).writes)
            clock.advance(timedelta(minutes=1))
        return counts

    counts = asyncio.run(scenario())
    assert counts[0] > 20  # first tick: everything
    assert counts[5] == 0  # nothing changed, nothing written
    assert counts[10] >= 25  # ten minutes on: everything re-asserted
    assert all(e.ok for e in audit.entries)
    assert any("re-assert" in e.why for e in audit.entries)


def test_an_override_holds_priority_8_and_the_plan_stays_current_underneath(
    config: Config,
) -> None:
    overrides: list[Override] = []
    loop, driver, clock, audit = memory_loop(config, T, overrides)

    async def scenario() -> tuple[Any, ...]:
        await loop.tick()
        overrides.append(Override("ov", "ahu-pit", "fan_speed_max", 50.0, T,
                                  T + timedelta(minutes=5)))
        clock.advance(timedelta(minutes=1))
        await loop.tick()
        slots = list(driver.slots[("ahu-pit", "fan_speed_max")])
        commanding = await driver.commanding_priority("ahu-pit", "fan_speed_max")
        clock.advance(timedelta(minutes=5))
        await loop.tick()
        after = await driver.commanding_priority("ahu-pit", "fan_speed_max")
        return slots, commanding, after, driver.values[("ahu-pit", "fan_speed_max")]

    slots, commanding, after, value = asyncio.run(scenario())
    assert slots[7] == 50.0 and slots[11] == 80.0
    assert commanding == 8 and after == 12 and value == 80.0
    released = [e for e in audit.entries if e.new is None]
    assert len(released) == 1 and released[0].priority == 8


def test_the_loop_does_not_fight_a_higher_priority_someone_else_holds(config: Config) -> None:
    loop, driver, clock, audit = memory_loop(config, T)

    async def scenario() -> int:
        await loop.tick()
        await driver.write("ahu-pit", "fan_speed_max", 33.0, 5)  # a technician, priority 5
        clock.advance(timedelta(minutes=10))  # a re-assert: writes slot 12, sees priority 5
        await loop.tick()
        before = len(audit.entries)
        for _ in range(3):
            clock.advance(timedelta(minutes=1))
            await loop.tick()
        return len([e for e in audit.entries[before:] if e.point == "fan_speed_max"
                    and e.unit == "ahu-pit"])

    assert asyncio.run(scenario()) == 0
    assert driver.values[("ahu-pit", "fan_speed_max")] == 33.0


def test_an_offline_unit_is_skipped_and_reasserted_when_it_returns(config: Config) -> None:
    loop, driver, clock, _audit = memory_loop(config, T)

    async def scenario() -> tuple[list[str], int]:
        await loop.tick()
        driver.offline.add("ahu-pit")
        clock.advance(timedelta(minutes=1))
        report = await loop.tick()
        driver.offline.clear()
        clock.advance(timedelta(minutes=1))
        back = await loop.tick()
        return report.offline, back.writes

    offline, writes = asyncio.run(scenario())
    assert offline == ["ahu-pit"]
    assert writes >= 5  # every command point of the returning unit, written again


def test_a_planning_failure_keeps_the_units_as_they_are(config: Config) -> None:
    def broken(now: datetime) -> PlanInputs:
        raise RuntimeError("the store is locked")

    driver = MemoryDriver(list(device_specs(config).values()))
    loop = ControlLoop(config, {"bacnet": driver, "modbus": driver}, ManualClock(T), broken,
                       MemoryAudit())
    report = asyncio.run(loop.tick())
    assert report.error is not None and "planning failed" in report.error
    assert driver.writes == []


def test_the_poller_marks_quality_and_feeds_zone_measurements(config: Config) -> None:
    driver = MemoryDriver(list(device_specs(config).values()), relinquish_defaults={
        (u, p): v for u in config.venue.units for p, v in (
            ("zone_temp", 23.0), ("zone_rh", 50.0), ("co2", 600.0), ("supply_temp", 18.0),
            ("fan_status", True), ("cooling_kwh", 1.0), ("heating_kwh", 0.0),
            ("reheat_kwh", 0.0), ("fan_kwh", 2.0), ("oa_temp", -4.0))
    })
    clock = ManualClock(T)
    samples: list[Any] = []
    poller = Poller(config, {"bacnet": driver, "modbus": driver}, clock,
                    on_sample=samples.append)
    driver.offline.add("ahu-aud-3")
    asyncio.run(poller.poll_all())
    m = poller.zone_measurements(T, timedelta(minutes=5))
    assert m["auditorium"].temp_c == 23.0 and m["auditorium"].units_running
    assert poller.outdoor_air(T, timedelta(minutes=5)) == -4.0
    assert poller.outdoor_air(T + timedelta(minutes=6), timedelta(minutes=5)) is None
    assert any(not s.ok and s.unit == "ahu-aud-3" for s in samples)
    assert poller.zone_measurements(T + timedelta(minutes=6), timedelta(minutes=5)) == {}
    from hvac_ctl.control import quality

    good = poller.latest[("ahu-aud-1", "zone_temp")]
    assert quality(good, T, timedelta(minutes=1)) == "ok"
    assert quality(good, T + timedelta(minutes=2), timedelta(minutes=1)) == "stale"
    assert quality(poller.latest[("ahu-aud-3", "zone_temp")], T, timedelta(minutes=1)) == "error"


def test_the_learner_measures_the_pull_down_and_the_planner_uses_it(config: Config) -> None:
    """A show day in process: the loop drives the simulated hall through the memory driver."""
    from datetime import date

    from hvac_ctl.control.learning import RecoveryLearner
    from hvac_ctl.devices import memory_drivers
    from hvac_ctl.planner import plan_day
    from hvac_ctl.simulation import building_spec, calendar_scenario
    from simulator.engine import Building
    from simulator.weather import DesignDay

    tz = config.venue.venue.tz
    start = local("2026-11-29 09:00")
    building = Building(building_spec(config), calendar_scenario(
        config, date(2026, 11, 28), date(2026, 11, 30)), DesignDay.winter(tz), start,
        initial_c=18.0)
    drivers = memory_drivers(config, building)
    clock = ManualClock(start)
    poller = Poller(config, drivers, clock)
    learner = RecoveryLearner(tz)

    def inputs(now: datetime) -> PlanInputs:
        return PlanInputs(measurements=poller.zone_measurements(now, timedelta(minutes=5)),
                          history=learner.history())

    loop = ControlLoop(config, drivers, clock, inputs, MemoryAudit())

    async def day() -> None:
        await loop.start()
        for _ in range(8 * 60):  # 09:00 → 17:00: the matinee's precool and doors
            await poller.poll_all()
            await loop.tick()
            assert loop.last_state is not None
            learner.observe(loop.last_state, poller.zone_measurements(
                clock.now(), timedelta(minutes=5)), clock.now())
            building.advance(timedelta(minutes=1))
            clock.advance(timedelta(minutes=1))

    asyncio.run(day())
    # the CO2 the hall had when doors opened, for the outdoor-air opening after doors
    co2 = learner.co2_at_doors()[("tosca-2026-11-29", "auditorium")]
    assert co2 == pytest.approx(building.spec.outdoor_co2_ppm, abs=60)
    learned = learner.history()
    assert "auditorium" in learned
    sample = learned["auditorium"][-1]
    assert sample.mode == "heat" and sample.day == date(2026, 11, 29)
    assert 0.3 < sample.rate_k_per_h < 20
    tuned = plan_day(config, date(2026, 12, 2), PlanInputs(history=learned)).shows
    plain = plan_day(config, date(2026, 12, 2)).shows
    # a measured rate other than the 1.5 K/h default moves the next precool start: later when
    # the hall warms faster, earlier when slower
    assert abs(sample.rate_k_per_h - 1.5) > 0.05
    t, p = tuned[0].precool_start["auditorium"], plain[0].precool_start["auditorium"]
    assert t != p and (t > p) == (sample.rate_k_per_h > 1.5)


def test_the_poller_measures_a_coil_s_load_from_its_cooling_meter(config: Config) -> None:
    """The simulated unit cools a warm hall; its coil's kW, from two meter readings a minute
    apart, is the meter's own increase over that minute (the plant's measured load)."""
    from hvac_ctl.devices import memory_drivers
    from hvac_ctl.simulation import building_spec
    from simulator.engine import Building
    from simulator.scenario import Scenario
    from simulator.weather import DesignDay

    start = local("2027-07-03 15:00")
    building = Building(building_spec(config), Scenario(), DesignDay.summer(
        config.venue.venue.tz), start, initial_c=28.0)
    drivers = memory_drivers(config, building)
    clock = ManualClock(start)
    poller = Poller(config, drivers, clock, points=("cooling_kwh",))

    async def run() -> list[tuple[float, float]]:
        d = drivers["bacnet"]
        for point, value in (("enable", True), ("mode", "cool"), ("setpoint", 20.0),
                             ("fan_speed_max", 100.0), ("oa_damper_min", 0.0)):
            await d.write("ahu-aud-1", point, value, 8)
        seen = []
        for _ in range(5):
            before = building.ahus["ahu-aud-1"].energy.cooling_kwh
            await poller.poll_all()
            building.advance(timedelta(minutes=1))
            clock.advance(timedelta(minutes=1))
            seen.append((building.ahus["ahu-aud-1"].energy.cooling_kwh - before) * 60)
        await poller.poll_all()
        return seen

    per_minute = asyncio.run(run())
    at, kw = poller.coil_kw["ahu-aud-1"]
    assert at == clock.now() and kw == pytest.approx(per_minute[-1], rel=0.02) and kw > 10
    assert "ahu-aud-2" not in poller.coil_kw or poller.coil_kw["ahu-aud-2"][1] == 0.0
