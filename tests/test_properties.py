"""Properties of the planner over random days, counts, overrides and measurements."""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from drivers.memory import MemoryDriver
from hvac_ctl.clock import ManualClock
from hvac_ctl.config.checks import check_seasons, check_venue
from hvac_ctl.config.loader import SEASONS, ZONES
from hvac_ctl.config.source import Source, parse_yaml
from hvac_ctl.control import ControlLoop, MemoryAudit
from hvac_ctl.devices import device_specs, memory_drivers
from hvac_ctl.model import Config, Seasons, Venue
from hvac_ctl.model.venue import COMMAND_POINTS
from hvac_ctl.planner import (
    OccupancyPush,
    Override,
    PlanInputs,
    ZoneMeasurement,
    local_midnight,
    plan_at,
    plan_day,
)
from hvac_ctl.planner.inputs import Deviation, HeldMode
from hvac_ctl.service.build import build_service
from hvac_ctl.service.settings import ServiceSettings
from hvac_ctl.store import Store
from tests.harness import SINGLE_HALL, local

FIRST, LAST = date(2026, 11, 1), date(2027, 3, 1)
SLOW = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

days = st.dates(min_value=FIRST, max_value=LAST)
temps = st.one_of(st.none(), st.floats(min_value=5, max_value=40))
rhs = st.one_of(st.none(), st.floats(min_value=10, max_value=95))


@st.composite
def knowledge(draw: st.DrawFn, config: Config, day: date) -> PlanInputs:
    """Random but plausible inputs around one day: counts, overrides, measurements."""
    tz = config.venue.venue.tz
    start = local_midnight(day, tz)
    minutes = st.integers(min_value=0, max_value=24 * 60 - 1)
    shows = [e for e in config.calendar.events_on(day, tz) if hasattr(e, "curtain")]
    pushes = []
    for e in shows:
        for _ in range(draw(st.integers(min_value=0, max_value=4))):
            pushes.append(OccupancyPush(e.id, draw(st.integers(0, 2398)),
                                        start + timedelta(minutes=draw(minutes))))
    overrides = []
    commands = ["setpoint", "oa_damper_min", "fan_speed_max"]
    for i in range(draw(st.integers(min_value=0, max_value=3))):
        unit = draw(st.sampled_from(["ahu-aud-1", "ahu-aud-2", "ahu-stage-main", "ahu-pit"]))
        a = start + timedelta(minutes=draw(minutes))
        overrides.append(Override(f"ov{i}", unit, draw(st.sampled_from(commands)),
                                  draw(st.floats(min_value=-50, max_value=150)), a,
                                  a + timedelta(minutes=draw(st.integers(1, 600)))))
    measurements = {}
    for zone in config.venue.zones:
        if draw(st.booleans()):
            measurements[zone] = ZoneMeasurement(
                start + timedelta(minutes=draw(minutes)), draw(temps), draw(rhs),
                draw(st.one_of(st.none(), st.floats(300, 3000))), draw(st.booleans()))
    outdoor = st.one_of(st.none(), st.floats(min_value=-20, max_value=42))
    modes = {zone: HeldMode(draw(st.sampled_from(["cool", "heat"])),
                            start + timedelta(minutes=draw(minutes)))
             for zone in config.venue.zones if draw(st.booleans())}
    deviations = {zone: Deviation(draw(st.sampled_from(["cold", "warm"])),
                                  start + timedelta(minutes=draw(minutes)))
                  for zone in config.venue.zones if draw(st.booleans())}
    return PlanInputs(occupancy=pushes, overrides=overrides, outdoor_temp_c=draw(outdoor),
                      outdoor_air_c=draw(outdoor), measurements=measurements, modes=modes,
                      deviations=deviations)


def _within_limits(config: Config, units: dict) -> None:
    for name, points in units.items():
        unit = config.venue.units[name]
        lim = config.venue.zones[unit.zone].limits
        for point, value in points.items():
            if isinstance(value, bool | str):
                continue
            spec = getattr(unit.points, point)
            assert spec.allows(value), (name, point, value)
            if point == "setpoint":
                assert lim.setpoint_min_c <= value <= lim.setpoint_max_c, (name, value)


@SLOW
@given(data=st.data(), day=days, minute=st.integers(min_value=0, max_value=24 * 60 - 1))
def test_setpoints_are_always_inside_limits(config: Config, data, day: date, minute: int) -> None:
    inputs = data.draw(knowledge(config, day))
    at = local_midnight(day, config.venue.venue.tz) + timedelta(minutes=minute)
    state = plan_at(config, at, inputs)
    _within_limits(config, state.units)
    for zs in state.zones.values():
        lim = config.venue.zones[zs.zone].limits
        assert lim.setpoint_min_c <= zs.setpoint_c <= lim.setpoint_max_c


@SLOW
@given(data=st.data(), day=days)
def test_each_zone_is_covered_by_segments_without_gap_or_overlap(
    config: Config, data, day: date
) -> None:
    inputs = data.draw(knowledge(config, day))
    plan = plan_day(config, day, inputs)
    tz = config.venue.venue.tz
    start, end = local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)
    for zone in config.venue.zones:
        segs = plan.for_zone(zone)
        assert segs[0].start == start and segs[-1].end == end
        for a, b in itertools.pairwise(segs):
            assert a.end == b.start and a.start < a.end
        for seg in segs:
            _within_limits(config, seg.units)


def _dst_config() -> Config:
    from hvac_ctl.config import parse_config
    from hvac_ctl.config.loader import SEASONS, ZONES

    zones = (SINGLE_HALL / ZONES).read_text().replace("timezone: Asia/Shanghai",
                                                       "timezone: America/New_York")
    cal = "\n".join((SINGLE_HALL / "schedules/calendar" / f).read_text()
                    for f in ("2026-27-season.yaml",))
    return parse_config({ZONES: zones, SEASONS: (SINGLE_HALL / SEASONS).read_text(),
                         "schedules/calendar/season.yaml": cal})


DST = _dst_config()


@settings(max_examples=40, deadline=None)
@given(day=st.dates(min_value=date(2026, 10, 25), max_value=date(2026, 11, 10)))
def test_segments_cover_days_in_a_daylight_saving_timezone(day: date) -> None:
    plan = plan_day(DST, day)
    tz = DST.venue.venue.tz
    length = local_midnight(day + timedelta(days=1), tz) - local_midnight(day, tz)
    assert length in (timedelta(hours=23), timedelta(hours=24), timedelta(hours=25))
    for zone in DST.venue.zones:
        segs = plan.for_zone(zone)
        assert sum((s.end - s.start for s in segs), timedelta()) == length


def test_new_york_falls_back_on_the_first_of_november() -> None:
    plan = plan_day(DST, date(2026, 11, 1))
    total = sum((s.end - s.start for s in plan.for_zone("auditorium")), timedelta())
    assert total == timedelta(hours=25)
    assert datetime(2026, 11, 1, tzinfo=UTC) < plan.segments[-1].end


# --- what reaches a unit: nothing outside its zone's limits and its own range -------------
#
# The planner's output is checked above; these follow values all the way to the device, through
# the control loop and its safety gate, with the things the planner does not see: what a unit
# holds when the service starts (set by hand, or under older limits), commands restored from
# the store, and a configuration replaced while the loop runs (as the runtime adopts one).


@functools.cache
def _sources() -> tuple[Source, Source]:
    """The single hall's files' sources, for the checks' line numbers (parsed once)."""
    return (parse_yaml(ZONES, (SINGLE_HALL / ZONES).read_text()),
            parse_yaml(SEASONS, (SINGLE_HALL / SEASONS).read_text()))


PER_MILLE = st.integers(0, 1000)  # one strategy drawn many times: building one per draw is slow


def _tenth(draw: st.DrawFn, lo: float, hi: float) -> float:
    """A value in [lo, hi] to a tenth, the ends included (shrinks towards lo)."""
    return min(hi, max(lo, round(lo + (hi - lo) * draw(PER_MILLE) / 1000, 1)))


@st.composite
def configurations(draw: st.DrawFn, base: Config) -> Config:
    """Zone limits, units' ranges and season settings drawn anywhere validation accepts them.

    The real models and the real cross-file checks decide what is valid (as `parse_config`
    runs them); the default units, addresses and calendar stay.
    """
    venue = base.venue.model_dump(by_alias=True, exclude_unset=True)
    bounds = {}
    for name, zone in venue["zones"].items():
        lo = _tenth(draw, 15, 24)
        hi = _tenth(draw, lo + 3, 30)  # every unit's setpoint range is 15–30
        band_lo = _tenth(draw, lo - 2, lo + 1)
        band_hi = _tenth(draw, max(hi - 1, band_lo + 2.1), hi + 2)
        zone["limits"].update(
            setpoint_min_c=lo, setpoint_max_c=hi, idle_band_c=(band_lo, band_hi),
            max_setpoint_change_k_per_min=draw(st.sampled_from([0.05, 0.2, 0.5, 2.0, 5.0])))
        bounds[name] = (lo, hi)
    for unit in venue["units"].values():
        for point, (low, high) in (("oa_damper_min", ((0, 30), (60, 100))),
                                   ("fan_speed_max", ((10, 40), (70, 100)))):
            if point in unit["points"]:
                unit["points"][point].update(min=_tenth(draw, *low), max=_tenth(draw, *high))
    seasons = base.seasons.model_dump(by_alias=True, exclude_unset=True)
    oa = st.sampled_from(["closed", "minimum", "occupancy", "design"])
    for season in seasons["seasons"].values():
        for name, zs in season["zones"].items():
            lo, hi = bounds[name]
            for phase in ("idle", "tour", "get_in", "post_show"):
                if phase in zs:
                    setpoint = _tenth(draw, lo, hi)
                    zs[phase].update(setpoint_c=setpoint, fan_cap_pct=_tenth(draw, 0, 100),
                                     oa=draw(oa))
                    if phase != "idle":  # the other mode's setpoint, on its side, or none
                        other = draw(st.one_of(st.none(), st.floats(0, 6)))
                        zs[phase].pop("heating_setpoint_c", None)
                        zs[phase].pop("cooling_setpoint_c", None)
                        if other is not None and season["mode"] == "cool":
                            zs[phase]["heating_setpoint_c"] = round(setpoint - other, 1)
                        elif other is not None:
                            zs[phase]["cooling_setpoint_c"] = round(setpoint + other, 1)
            if "show" in zs:  # the extremes of the show's adjustments stay inside the limits
                zs["show"].update(setpoint_c=_tenth(draw, lo + 2, hi - 1),
                                  occupancy_gain_k=_tenth(draw, -1, 1),
                                  house_lights_offset_k=_tenth(draw, 0, 1),
                                  fan_cap_pct=_tenth(draw, 0, 100), oa=draw(oa),
                                  settle_min=draw(st.sampled_from([0, 5, 20, 60])))
            if "precool" in zs:
                zs["precool"].update(precool_offset_k=_tenth(draw, 0.5, 1),
                                     fan_cap_pct=_tenth(draw, 0, 100))
    v, s = Venue.model_validate(venue), Seasons.model_validate(seasons)
    zsrc, ssrc = _sources()
    issues = check_venue(v, zsrc) + check_seasons(s, v, ssrc)
    assert not issues, issues  # drawn inside what validation accepts, by construction
    return Config(venue=v, seasons=s, calendar=base.calendar)


@st.composite
def held_values(draw: st.DrawFn, config: Config) -> dict[tuple[str, str], Any]:
    """What each unit holds when the service starts: anything at all, set by hand."""
    out: dict[tuple[str, str], Any] = {}
    for name, unit in config.venue.units.items():
        for point in COMMAND_POINTS:
            spec = getattr(unit.points, point)
            if spec is None or not draw(st.booleans()):
                continue
            if point == "enable":
                out[(name, point)] = draw(st.booleans())
            elif point == "mode":
                out[(name, point)] = draw(st.sampled_from(sorted(spec.states or {"cool"})))
            else:
                out[(name, point)] = draw(st.floats(-50, 150))
    return out


def assert_inside(config: Config, writes: list[tuple[str, str, Any, int]]) -> None:
    """Every value written is one the unit and its zone allow — computed here, not by the gate."""
    for unit_name, point, value, priority in writes:
        unit = config.venue.units[unit_name]
        spec = getattr(unit.points, point)
        if point == "enable":
            assert isinstance(value, bool), (unit_name, value)
            continue
        if point == "mode":
            assert value in (spec.states or {}), (unit_name, value)
            continue
        lo = -math.inf if spec.min is None else spec.min
        hi = math.inf if spec.max is None else spec.max
        if point == "setpoint":
            lim = config.venue.zones[unit.zone].limits
            lo, hi = max(lo, lim.setpoint_min_c), min(hi, lim.setpoint_max_c)
        assert isinstance(value, float | int) and lo <= value <= hi, (
            f"{unit_name}.{point} = {value} at priority {priority}, allowed {lo}–{hi}")


# the shipped calendar's show days (DST reads the same calendar files)
SHOW_DAYS = sorted({e.date for e in DST.calendar.events_between(FIRST, LAST, DST.venue.venue.tz)
                    if hasattr(e, "curtain")})


# No shrinking: an example is two whole configurations, and shrinking one took over five
# minutes; the failure message names the unit, the value and what was allowed, and the
# example database replays it.
@settings(max_examples=40, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), day=st.one_of(st.sampled_from(SHOW_DAYS), days))
def test_no_configuration_makes_a_unit_leave_its_limits(config: Config, data: st.DataObject,
                                                        day: date) -> None:
    """Random valid limits and seasons, counts, stored overrides of any value, units holding
    anything when the service starts, commands restored from the store, and the configuration
    replaced mid-run: every value the loop writes to a device stays inside the limits then in
    force."""
    first = data.draw(configurations(config), label="configuration")
    second = data.draw(configurations(config), label="replaced by")
    inputs = data.draw(knowledge(first, day))
    held = data.draw(held_values(first), label="held by the units")
    restored = [(u, p, 12, v, local_midnight(day, UTC) - timedelta(minutes=1))
                for (u, p), v in data.draw(held_values(first), label="restored").items()]
    start = local_midnight(day, first.venue.venue.tz) + timedelta(
        minutes=data.draw(st.integers(0, 20 * 60)))
    gaps = data.draw(st.lists(st.integers(1, 120), min_size=1, max_size=8), label="ticks")
    switch = data.draw(st.integers(0, len(gaps)), label="replaced before tick")
    driver = MemoryDriver(list(device_specs(first).values()), relinquish_defaults=held)
    clock = ManualClock(start)
    loop = ControlLoop(first, {"bacnet": driver, "modbus": driver}, clock, lambda now: inputs,
                       MemoryAudit())
    loop.restore(restored)

    async def run() -> None:
        await loop.start()
        for i, gap in enumerate(gaps):
            if i == switch:
                loop.config = second  # what Runtime.adopt does with a new configuration
            clock.advance(timedelta(minutes=gap))
            seen = len(driver.writes)
            await loop.tick()
            assert_inside(loop.config, driver.writes[seen:])

    asyncio.run(run())


def test_override_values_are_refused_outside_the_limits_and_never_reach_a_unit(
        tmp_path: Path, config: Config) -> None:
    """Through the API, any number (NaN and infinities too) for any command: outside the
    zone's limits ∩ the unit's range → 422, inside → 201; and whatever was accepted, the
    values the loop then writes stay inside."""
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    store.migrate()
    token = store.create_token("prop", "operator")
    clock = ManualClock(local("2026-12-05 19:40"))
    drivers = memory_drivers(config)
    driver = drivers["bacnet"]
    assert isinstance(driver, MemoryDriver)
    built = build_service(ServiceSettings(config_dir=SINGLE_HALL), clock, store, drivers)
    rt = built.runtime
    http = httpx.AsyncClient(transport=httpx.ASGITransport(built.app),
                             base_url="http://hvac.test",
                             headers={"Authorization": f"Bearer {token}",
                                      "Content-Type": "application/json"})
    numeric = [(u, p) for u, unit in config.venue.units.items()
               for p in ("setpoint", "oa_damper_min", "fan_speed_max")
               if getattr(unit.points, p) is not None]
    values = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-60, 160),
                       st.integers(-100, 200))
    loop = asyncio.new_event_loop()
    loop.run_until_complete(rt.tick())
    accepted = []

    @settings(max_examples=60, deadline=None, database=None)
    @given(target=st.sampled_from(numeric), value=values, minutes=st.integers(1, 300),
           later=st.integers(0, 30))
    def push(target: tuple[str, str], value: float, minutes: int, later: int) -> None:
        unit, point = target
        spec = getattr(config.venue.units[unit].points, point)
        lo, hi = spec.min, spec.max
        if point == "setpoint":
            lim = config.venue.zones[config.venue.units[unit].zone].limits
            lo, hi = max(lo, lim.setpoint_min_c), min(hi, lim.setpoint_max_c)
        inside = math.isfinite(value) and lo <= value <= hi and minutes <= 240

        async def one() -> None:
            body = json.dumps({"unit": unit, "point": point, "value": value,
                               "minutes": minutes, "reason": "property",
                               "replace": True})  # one per point: the last one holds it
            r = await http.post("/api/v1/overrides", content=body)
            assert r.status_code == (201 if inside else 422), (value, minutes, r.text)
            if inside:
                accepted.append(value)
            seen = len(driver.writes)
            clock.advance(timedelta(minutes=later))
            await rt.expire_overrides()
            await rt.tick()
            assert_inside(config, driver.writes[seen:])

        loop.run_until_complete(one())

    try:
        push()
        assert_inside(config, driver.writes)
        assert accepted and len(driver.writes) > 20  # the check had something to look at
    finally:
        loop.run_until_complete(http.aclose())
        loop.run_until_complete(rt.stop())
        loop.close()
        store.close()
