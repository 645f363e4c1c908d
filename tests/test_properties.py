"""Properties of the planner over random days, counts, overrides and measurements."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvac_ctl.model import Config
from hvac_ctl.planner import OccupancyPush, Override, PlanInputs, ZoneMeasurement, plan_at, plan_day
from hvac_ctl.planner.core import local_midnight
from tests.conftest import ROOT

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
    outdoor = draw(st.one_of(st.none(), st.floats(min_value=-20, max_value=42)))
    return PlanInputs(pushes, overrides, outdoor, measurements)


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

    zones = (ROOT / ZONES).read_text().replace("timezone: Asia/Shanghai",
                                                "timezone: America/New_York")
    cal = "\n".join((ROOT / "schedules/calendar" / f).read_text()
                    for f in ("2026-27-season.yaml",))
    return parse_config({ZONES: zones, SEASONS: (ROOT / SEASONS).read_text(),
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
