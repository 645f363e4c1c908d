"""The clock during a show: it jumps (NTP, a restored VM) and it changes for daylight saving.

The control loop, its safety gate and the simulated building run in process (the in-memory
driver): what is under test is how time is handled above the driver, not the wire.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hvac_ctl.clock import ManualClock
from hvac_ctl.control import ControlLoop, MemoryAudit
from hvac_ctl.devices import memory_drivers
from hvac_ctl.model import Config
from hvac_ctl.planner import PlanInputs
from hvac_ctl.simulation import building_spec, calendar_scenario
from simulator.engine import Building
from simulator.weather import DesignDay
from tests.harness import DST_CALENDAR, SUMMER_SHOW

AUD = ("ahu-aud-1", "ahu-aud-2", "ahu-aud-3")


async def _rig(config: Config, start: datetime) -> tuple[ControlLoop, Building, ManualClock]:
    tz = config.venue.venue.tz
    day = start.astimezone(tz).date()
    building = Building(building_spec(config), calendar_scenario(
        config, day - timedelta(days=1), day + timedelta(days=1)), DesignDay.summer(tz),
        start.astimezone(UTC))
    clock = ManualClock(start)
    loop = ControlLoop(config, memory_drivers(config, building), clock,
                       lambda now: PlanInputs(), MemoryAudit())
    await loop.start()
    return loop, building, clock


def test_a_clock_jump_back_and_forth_in_a_show_keeps_control_going(make_config) -> None:
    config = make_config(SUMMER_SHOW % {"n": 2000, "live": "true", "lights": "false"})
    tz = config.venue.venue.tz

    async def body() -> list[tuple[str, float, bool]]:
        loop, building, clock = await _rig(config, datetime(2027, 7, 10, 18, 0, tzinfo=tz))
        seen = []
        for minutes in (0, 60, 90):  # precool, doors, in the show: setpoints settle
            clock.set(datetime(2027, 7, 10, 18, 0, tzinfo=tz) + timedelta(minutes=minutes))
            for _ in range(20):
                await loop.tick()
                building.advance(timedelta(minutes=1))
                clock.advance(timedelta(minutes=1))
        show_setpoint = building.commands("ahu-aud-1").setpoint
        clock.advance(timedelta(hours=-2))  # back into precool (NTP correction)
        for _ in range(15):
            await loop.tick()
            building.advance(timedelta(minutes=1))
            clock.advance(timedelta(minutes=1))
        state = loop.last_state
        assert state is not None
        seen.append((state.zones["auditorium"].phase, building.commands("ahu-aud-1").setpoint,
                     building.commands("ahu-aud-1").enable))
        seen.append(("planned", float(state.units["ahu-aud-1"]["setpoint"]), show_setpoint))
        clock.advance(timedelta(hours=6))  # forward past the end of the show
        for _ in range(5):
            await loop.tick()
            clock.advance(timedelta(minutes=1))
        state = loop.last_state
        assert state is not None
        seen.append((state.zones["auditorium"].phase, show_setpoint,
                     building.commands("ahu-aud-1").enable))
        return seen

    back, planned, forward = asyncio.run(body())
    # after the jump back the units follow the plan of the earlier hour within minutes —
    # the gate does not read its stamps "from the future" as a change a moment ago
    assert back[0] == "precool" and back[2] is True
    assert planned[1] != planned[2]  # the precool target is not the show setpoint
    assert back[1] == planned[1]
    assert forward[0] in ("post_show", "idle")


def test_a_show_across_the_autumn_change_is_controlled_minute_by_minute(make_config) -> None:
    """22:00 doors to 02:30 end, the night the clocks go back: no gap, no double hour."""
    config = make_config(DST_CALENDAR, timezone="Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 10, 24, 21, 0, tzinfo=berlin)

    async def body() -> tuple[list[datetime], int]:
        loop, building, clock = await _rig(config, start)
        phases: list[tuple[datetime, str]] = []
        end = datetime(2026, 10, 25, 4, 0, tzinfo=berlin).astimezone(UTC)
        while clock.now() < end:
            report = await loop.tick()
            assert report.failed == 0
            state = loop.last_state
            assert state is not None
            phases.append((clock.now(), state.zones["auditorium"].phase))
            building.advance(timedelta(minutes=1))
            clock.advance(timedelta(minutes=1))
        show = [t for t, p in phases if p == "show"]
        return show, len(phases)

    show, ticks = asyncio.run(body())
    # 21:00 → 04:00 local is 8 hours of real time that night (the 02:00–03:00 hour twice)
    assert ticks == 8 * 60
    # doors 22:00 CEST (20:00 UTC) to 02:30 CEST (00:30 UTC): 4 h 30 min of show, unbroken
    assert show[0] == datetime(2026, 10, 24, 20, 0, tzinfo=UTC)
    assert len(show) == 270 and show[-1] - show[0] == timedelta(minutes=269)
