"""The service's RunTracker over planned instants of the site: chillers' running since when
and their run hours, fed back so minimum run holds; and the plant_short alarm when the
running chillers cannot cover the planned load."""

from __future__ import annotations

from datetime import timedelta

from hvac_ctl.config import load_config
from hvac_ctl.control.alarms import AlarmSettings, Watch, conditions
from hvac_ctl.control.run_tracking import RunTracker
from hvac_ctl.planner import PlanInputs, plan_at
from hvac_ctl.planner.inputs import ChillerState
from tests.harness import ROOT, local

SITE = load_config(ROOT)


def test_chillers_started_are_kept_for_their_minimum_run() -> None:
    tracker = RunTracker()
    before = local("2027-07-03 18:25")  # the screw alone: the service has seen the plant
    tracker.observe(plan_at(SITE, before, PlanInputs(outdoor_air_c=20.0)), before)
    at = local("2027-07-03 18:30")
    hot = PlanInputs(outdoor_air_c=33.0, outdoor_rh_pct=55.0, chillers=tracker.chillers())
    state = plan_at(SITE, at, hot)
    tracker.observe(state, at)
    assert state.plant is not None
    started = {n for n, st in tracker.chillers().items() if st.running and st.since == at}
    assert started  # the evening staged a chiller more
    # ten minutes later the evening is over for the plant (no units, a cool night): the
    # chillers that started stay, for their minimum run
    at += timedelta(minutes=10)
    tracker.observe(state, at)  # still running at 18:40
    late = local("2027-07-03 18:45")
    cool = PlanInputs(outdoor_air_c=20.0, outdoor_rh_pct=50.0, chillers=tracker.chillers(),
                      run_hours=tracker.run_hours())
    kept = plan_at(SITE, late, cool).plant
    assert kept is not None and started <= set(kept.running)
    assert all(h > 0 for n, h in tracker.run_hours().items() if n in started)


def test_the_plant_short_of_the_load_alarms_after_the_delay() -> None:
    at = local("2027-07-03 19:00")
    off = {n: ChillerState(False, at - timedelta(minutes=1)) for n in SITE.venue.plant.chillers}
    inputs = PlanInputs(outdoor_air_c=33.0, outdoor_rh_pct=55.0, chillers=off)
    watch = Watch()
    settings = AlarmSettings()

    def kinds(t):  # type: ignore[no-untyped-def]
        state = plan_at(SITE, t, inputs)
        return [c for c in conditions(SITE, t, state, {}, {}, {}, [], watch, settings)
                if c.kind == "plant_short"]

    assert kinds(at) == []  # not at once: a stage may be starting
    (c,) = kinds(at + timedelta(minutes=5))
    assert "short of the planned load" in c.message and c.source == "plant"
