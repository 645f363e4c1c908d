"""Properties of the site's planner over random calendars, weather and measurements.

A day is planned every 10 minutes as the service plans it: each instant's plan is observed
by the service's own `RunTracker`, which hands the groups' held modes, running units and run
hours to the next instant's plan. At every instant:
- all running units of a public group share one mode and one setpoint;
- all running units of a fused hall share one mode, and their setpoints lie within the hall's
  stage offset (the issue's "one setpoint, the stage differing by at most the offset");
and over the day no group changes its mode twice within its minimum dwell.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvac_ctl.control.run_tracking import RunTracker
from hvac_ctl.model import Config
from hvac_ctl.model.site import HallType
from hvac_ctl.model.venue import UnitKind
from hvac_ctl.planner import PlanInputs, ZoneMeasurement, local_midnight, plan_at
from tests.site_venue import site_config

DAY = date(2027, 4, 13)
STEP = timedelta(minutes=10)


@st.composite
def calendars(draw: st.DrawFn) -> str:
    lines = ["public_hours:", "  weekly:"]
    open_h = draw(st.integers(min_value=7, max_value=11))
    close_h = draw(st.integers(min_value=open_h + 2, max_value=20))
    lines.append(f"    - {{days: [mon, tue, wed, thu, fri, sat, sun], open: \"{open_h:02d}:00\","
                 f" close: \"{close_h:02d}:30\"}}")
    lines.append("performances:")
    n = 0
    for hall in ("opera-house", "concert"):
        for curtain in draw(st.lists(st.sampled_from([14, 19]), unique=True, max_size=2)):
            n += 1
            length = draw(st.integers(min_value=60, max_value=200))
            end = f"{curtain + (30 + length) // 60:02d}:{(30 + length) % 60:02d}"
            lines.append(f"  - {{id: show-{n}-{DAY}, title: Show, date: {DAY}, hall: {hall}, "
                         f"doors_open: \"{curtain - 1}:45\", curtain: \"{curtain}:30\", "
                         f"end: \"{end}\", expected_attendance: "
                         f"{draw(st.integers(min_value=0, max_value=2000))}}}")
    if n == 0:
        lines.pop()
    if draw(st.booleans()):
        lines += ["tours:", f"  - {{date: {DAY}, start: \"10:00\", end: \"11:00\", "
                            "route: [lobby, concert-auditorium, auditorium]}"]
    return "\n".join(lines) + "\n"


weather = st.lists(st.tuples(st.floats(min_value=-1.5, max_value=1.5),
                             st.floats(min_value=20, max_value=95)), min_size=144, max_size=144)
temps = st.lists(st.floats(min_value=14, max_value=32), min_size=144, max_size=144)


def ahus_running(config: Config, state: object, zones: tuple[str, ...]) -> list[str]:
    venue = config.venue
    units = state.units  # type: ignore[attr-defined]
    return [u for z in zones for u in venue.units_of(z)
            if venue.units[u].kind == UnitKind.ahu and units[u]["enable"]]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars(), st.floats(min_value=8, max_value=30), weather, temps)
def test_one_mode_per_group_and_fused_hall_and_the_dwell_holds(
        calendar: str, start_c: float, steps: list[tuple[float, float]],
        measured: list[float]) -> None:
    config = site_config(calendar)
    venue = config.venue
    tracker = RunTracker()
    outdoor = start_c
    changes: dict[str, list[datetime]] = {g: [] for g in venue.groups}
    last: dict[str, str] = {}
    at = local_midnight(DAY, venue.venue.tz)
    for k, ((dt, rh), temp) in enumerate(zip(steps, measured, strict=True)):
        outdoor = min(max(outdoor + dt, -5.0), 38.0)  # a random walk across the thresholds
        m = {z: ZoneMeasurement(at - timedelta(minutes=1), temp, 50.0, 700.0, k % 2 == 0)
             for z in venue.zones}
        state = plan_at(config, at, PlanInputs(outdoor_air_c=outdoor, outdoor_rh_pct=rh,
                                               measurements=m, groups=tracker.held(),
                                               run_hours=tracker.run_hours()))
        tracker.observe(state, at)
        for gid in venue.groups:
            on = ahus_running(config, state, venue.zones_of_group(gid))
            assert len({state.units[u]["mode"] for u in on}) <= 1, (gid, at)
            assert len({state.units[u]["setpoint"] for u in on}) <= 1, (gid, at)
            mode = state.groups[gid].weather_mode
            if gid in last and last[gid] != mode:
                changes[gid].append(at)
            last[gid] = mode
        for hall in venue.halls:
            if venue.hall(hall).type != HallType.fused:
                continue
            on = ahus_running(config, state, venue.zones_of_hall(hall))
            assert len({state.units[u]["mode"] for u in on}) <= 1, (hall, at)
            sps = [float(state.units[u]["setpoint"]) for u in on]
            assert not sps or max(sps) - min(sps) <= venue.hall(hall).stage_offset_k + 1e-6
        at += STEP
    for gid, times in changes.items():
        dwell = timedelta(minutes=venue.groups[gid].min_dwell_min)
        for a, b in itertools.pairwise(times):
            assert b - a >= dwell, (gid, a, b)
