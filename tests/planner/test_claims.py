"""Which zone is in which phase: a show's claims, tours, get-ins, and what wins when they meet."""

from __future__ import annotations

from datetime import date, timedelta

from hvac_ctl.model import Config
from hvac_ctl.planner import plan_at, plan_day
from tests.harness import AUD, local, phases, segment_at, summer


def test_default_show_day_runs_idle_precool_show_post_show_idle(config: Config) -> None:
    plan = plan_day(config, date(2026, 11, 29))  # a Sunday: Tosca matinee, no tour
    assert phases(plan, "auditorium") == ["idle", "precool", "show", "post_show", "idle"]
    show = plan.shows[0]
    assert show.event_id == "tosca-2026-11-29"
    pre = next(s for s in plan.for_zone("auditorium") if s.phase == "precool")
    assert pre.start == show.precool_start["auditorium"] < show.doors_open == pre.end


def test_tour_and_get_in_on_the_same_day(config: Config) -> None:
    state = plan_at(config, local("2026-12-05 10:30"))
    assert state.zones["auditorium"].phase == "tour"
    assert state.zones["stage"].phase == "get_in"
    assert state.zones["pit"].phase == "idle"
    assert [u for u in AUD if state.units[u]["enable"]] == ["ahu-aud-1"]


def test_later_events_preparation_beats_earlier_post_show(make_config) -> None:
    cfg = make_config("""
performances:
  - {id: matinee, title: M, date: 2027-07-10, doors_open: "13:30", curtain: "14:00",
     end: "17:00", expected_attendance: 2000}
  - {id: evening, title: E, date: 2027-07-10, doors_open: "19:30", curtain: "20:00",
     end: "23:00", expected_attendance: 2000}
""")
    plan = plan_day(cfg, date(2027, 7, 10))
    evening = next(s for s in plan.shows if s.event_id == "evening")
    start = evening.precool_start["auditorium"]
    assert local("2027-07-10 17:00") < start < local("2027-07-10 18:30")  # in the matinee's
    # 90-minute post-show
    seq = [(s.phase, s.event_id) for s in plan.for_zone("auditorium")]
    assert ("post_show", "matinee") in seq and ("precool", "evening") in seq
    assert segment_at(plan, "auditorium", start).phase == "precool"
    assert segment_at(plan, "auditorium", start - timedelta(minutes=1)).phase == "post_show"


def test_matinee_and_evening_on_one_day(make_config) -> None:
    cfg = make_config("""
weekly:
  - name: Carmen
    from: 2027-07-01
    to: 2027-07-31
    performances:
      - {days: [sat], title: Carmen, doors_open: "13:30", curtain: "14:00", end: "16:45",
         expected_attendance: 1800, live_orchestra: true}
      - {days: [sat], title: Carmen, doors_open: "19:00", curtain: "19:30", end: "22:15",
         expected_attendance: 2100, live_orchestra: true}
""")
    plan = plan_day(cfg, date(2027, 7, 10))
    assert [s.event_id for s in plan.shows] == ["carmen-2027-07-10-1330", "carmen-2027-07-10-1900"]
    # the matinee's post-show runs straight into the evening's precool
    assert phases(plan, "auditorium") == [
        "idle", "precool", "show", "post_show", "precool", "show", "post_show", "idle"]


def test_pit_unit_runs_only_for_a_live_orchestra(make_config) -> None:
    at = local("2027-07-10 20:00")
    live = summer(make_config, live=True)
    recorded = summer(make_config, live=False)
    assert plan_at(live, at).units["ahu-pit"]["enable"] is True
    assert plan_at(recorded, at).units["ahu-pit"]["enable"] is False
    assert "pit" in plan_day(live, date(2027, 7, 10)).shows[0].precool_start
    assert "pit" not in plan_day(recorded, date(2027, 7, 10)).shows[0].precool_start
    assert all(not s.units["ahu-pit"]["enable"]
               for s in plan_day(recorded, date(2027, 7, 10)).for_zone("pit"))

