"""Every rule of the strategy document, against the pure planner."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from hvac_ctl.model import Config
from hvac_ctl.planner import (
    OccupancyPush,
    Override,
    PlanInputs,
    RecoverySample,
    ZoneMeasurement,
    plan_at,
    plan_day,
)
from tests.conftest import MakeConfig, local

AUD = ("ahu-aud-1", "ahu-aud-2", "ahu-aud-3")

SUMMER_SHOW = """
performances:
  - {id: aida, title: Aida, date: 2027-07-10, doors_open: "19:00", curtain: "19:30",
     end: "22:30", expected_attendance: %(n)d, live_orchestra: %(live)s,
     house_lights: %(lights)s}
"""


def summer(make: MakeConfig, n: int = 2000, live: bool = True, lights: bool = False) -> Config:
    return make(SUMMER_SHOW % {"n": n, "live": str(live).lower(), "lights": str(lights).lower()})


def phases(plan, zone: str) -> list[str]:
    out: list[str] = []
    for seg in plan.for_zone(zone):
        if not out or out[-1] != seg.phase:
            out.append(seg.phase)
    return out


def segment_at(plan, zone: str, at):
    return next(s for s in plan.for_zone(zone) if s.start <= at < s.end)


# --- the day's shape -----------------------------------------------------------------------


def test_default_show_day_runs_idle_precool_show_post_show_idle(config: Config) -> None:
    plan = plan_day(config, date(2026, 11, 29))  # a Sunday: Tosca matinee, no tour
    assert phases(plan, "auditorium") == ["idle", "precool", "show", "post_show", "idle"]
    show = plan.shows[0]
    assert show.event_id == "tosca-2026-11-29"
    pre = next(s for s in plan.for_zone("auditorium") if s.phase == "precool")
    assert pre.start == show.precool_start["auditorium"] < show.doors_open == pre.end


def test_precool_target_is_half_to_one_kelvin_below_the_show_setpoint(config: Config) -> None:
    day = date(2026, 11, 3)
    while day < date(2027, 3, 1):
        plan = plan_day(config, day)
        for s in plan.shows:
            for zone, target in s.precool_target_c.items():
                after_curtain = segment_at(plan, zone, s.curtain + timedelta(minutes=30)) \
                    if s.curtain.date() == day else None  # settled (20 min)
                if after_curtain is None:
                    continue
                gap = after_curtain.setpoint_c - target
                assert 0.45 <= gap <= 1.05, (day, zone, gap)
        day += timedelta(days=7)


def test_precool_start_and_oa_opening_move_with_expected_attendance(make_config) -> None:
    full = plan_day(summer(make_config, 2300), date(2027, 7, 10)).shows[0]
    half = plan_day(summer(make_config, 1100), date(2027, 7, 10)).shows[0]
    assert full.precool_start["auditorium"] < half.precool_start["auditorium"]
    assert full.oa_open["auditorium"] < half.oa_open["auditorium"]
    assert full.precool_target_c["auditorium"] < half.precool_target_c["auditorium"]


def test_precool_start_learns_from_history(make_config) -> None:
    cfg = summer(make_config)
    default = plan_day(cfg, date(2027, 7, 10)).shows[0].precool_start["auditorium"]
    fast = [RecoverySample(date(2027, 7, d), "cool", 4.0) for d in (7, 8, 9)]
    slow = [RecoverySample(date(2027, 7, d), "cool", 1.0) for d in (7, 8, 9)]
    heat_only = [RecoverySample(date(2027, 7, d), "heat", 9.0) for d in (7, 8, 9)]
    learned = {
        name: plan_day(cfg, date(2027, 7, 10), PlanInputs(history={"auditorium": h}))
        .shows[0].precool_start["auditorium"]
        for name, h in (("fast", fast), ("slow", slow), ("heat", heat_only))
    }
    assert learned["slow"] < default < learned["fast"]
    assert learned["heat"] == default  # cooling and heating are learned separately


def test_precool_start_follows_the_measured_temperature(make_config) -> None:
    cfg = summer(make_config)
    at = local("2027-07-10 15:00")
    warm = plan_day(cfg, date(2027, 7, 10), PlanInputs(
        measurements={"auditorium": ZoneMeasurement(at, temp_c=27.0)})).shows[0]
    cool = plan_day(cfg, date(2027, 7, 10), PlanInputs(
        measurements={"auditorium": ZoneMeasurement(at, temp_c=24.0)})).shows[0]
    assert warm.precool_start["auditorium"] < cool.precool_start["auditorium"]


def test_precool_runs_on_full_recirculation_until_the_computed_opening(make_config) -> None:
    cfg = summer(make_config)
    show = plan_day(cfg, date(2027, 7, 10)).shows[0]
    opening = show.oa_open["auditorium"]
    assert show.doors_open <= opening <= show.curtain
    before = plan_at(cfg, show.precool_start["auditorium"] + timedelta(minutes=1))
    assert before.zones["auditorium"].phase == "precool"
    assert all(before.units[u]["enable"] is True for u in AUD)
    assert all(before.units[u]["oa_damper_min"] == 0 for u in AUD)
    just_before = plan_at(cfg, opening - timedelta(seconds=1))
    assert all(just_before.units[u]["oa_damper_min"] == 0 for u in AUD)
    after = plan_at(cfg, opening)
    assert all(after.units[u]["oa_damper_min"] > 0 for u in AUD)


def test_the_opening_starts_from_the_co2_measured_before_doors(make_config) -> None:
    """After doors the latest reading includes the arrivals; the hall's starting CO2 is the
    one kept from before doors. A hall that starts high opens earlier."""
    cfg = summer(make_config, n=1200)
    clean = plan_day(cfg, date(2027, 7, 10)).shows[0]
    assert clean.oa_open["auditorium"] == clean.curtain  # from 420 ppm: at curtain
    at = clean.doors_open + timedelta(minutes=10)
    after_doors = {"auditorium": ZoneMeasurement(at, 23.0, 55.0, 940.0, True)}
    stale = plan_at(cfg, at, PlanInputs(measurements=after_doors))
    assert all(stale.units[u]["oa_damper_min"] == 0 for u in AUD)
    kept = plan_at(cfg, at, PlanInputs(measurements=after_doors,
                                       co2_at_doors={("aida", "auditorium"): 910.0}))
    assert all(kept.units[u]["oa_damper_min"] > 0 for u in AUD)


def test_a_count_at_doors_open_does_not_change_the_precool_target(make_config) -> None:
    """Counts from doors open on are people through the doors so far, not the audience."""
    cfg = summer(make_config, n=2000)
    doors = local("2027-07-10 19:00")
    plain = plan_at(cfg, doors + timedelta(minutes=5)).zones["auditorium"].setpoint_c
    pushed = plan_at(cfg, doors + timedelta(minutes=5), PlanInputs(occupancy=[
        OccupancyPush("aida", 0, doors), OccupancyPush("aida", 310, doors + timedelta(
            minutes=5))])).zones["auditorium"].setpoint_c
    assert pushed == plain
    # a count before doors (tickets sold) does
    sold = plan_at(cfg, doors + timedelta(minutes=5), PlanInputs(occupancy=[
        OccupancyPush("aida", 900, doors - timedelta(hours=2))])).zones["auditorium"]
    assert sold.setpoint_c > plain


def test_a_warm_hall_is_cooled_by_outdoor_air_when_it_is_colder(make_config) -> None:
    """An economiser, supervised: beyond the ventilation need, the share of outdoor air that
    brings the mix down to the units' coldest supply (18 °C under the seats)."""
    cfg = make_config(SUMMER_SHOW.replace("2027-07-10", "2027-01-10") % {
        "n": 2000, "live": "true", "lights": "false"})
    show = plan_day(cfg, date(2027, 1, 10)).shows[0]
    at = show.precool_start["auditorium"] + timedelta(minutes=5)
    warm = {"auditorium": ZoneMeasurement(at - timedelta(minutes=1), 22.6, 30.0, 450.0, True)}
    shut = plan_at(cfg, at, PlanInputs(measurements=warm))  # outdoor air unknown
    assert shut.zones["auditorium"].phase == "precool"
    assert all(shut.units[u]["oa_damper_min"] == 0 for u in AUD)
    cold = plan_at(cfg, at, PlanInputs(measurements=warm, outdoor_air_c=-5.0))
    share = (22.6 - 18.0) / (22.6 + 5.0)
    assert all(cold.units[u]["oa_damper_min"] == pytest.approx(100 * share, abs=0.1)
               for u in AUD)
    assert "free cooling" in cold.zones["auditorium"].reason
    mild = plan_at(cfg, at, PlanInputs(measurements=warm, outdoor_air_c=21.0))  # not colder
    assert all(mild.units[u]["oa_damper_min"] == 0 for u in AUD)
    # outdoor air that mixes down to the supply low limit by itself is the cooling: the coils
    # stay off (vent), or the units' loops would heat the mix back up near the target
    assert all(cold.units[u]["mode"] == "vent" for u in AUD)
    assert "coils off" in cold.zones["auditorium"].reason
    # not cold enough outside: 1.1 K above its precool target, the hall is pulled down by its
    # coils, a January day or not
    assert all(mild.units[u]["mode"] == "cool" for u in AUD)
    assert "pulled down: cool" in mild.zones["auditorium"].reason


def test_precool_free_cools_down_to_its_target_and_other_phases_keep_a_margin(
        make_config) -> None:
    """Stopping 0.5 K above the precool target left a winter hall on the edge of
    curtain-ready: the dampers shut and it drifted back up."""
    cfg = make_config(SUMMER_SHOW.replace("2027-07-10", "2027-01-10") % {
        "n": 2000, "live": "true", "lights": "false"})
    show = plan_day(cfg, date(2027, 1, 10)).shows[0]
    target = show.precool_target_c["auditorium"]
    at = show.precool_start["auditorium"] + timedelta(minutes=5)

    def oa(at, temp_c: float) -> float:
        m = {"auditorium": ZoneMeasurement(at - timedelta(minutes=1), temp_c, 30.0, 450.0,
                                           True)}
        return plan_at(cfg, at, PlanInputs(measurements=m, outdoor_air_c=-5.0)
                       ).units["ahu-aud-1"]["oa_damper_min"]

    assert oa(at, target + 0.1) > 0  # precool: still pulling
    assert oa(at, target) == 0  # there: dampers shut
    curtain = local("2027-01-10 19:45")
    show_setpoint = plan_at(cfg, curtain).zones["auditorium"].setpoint_c
    idle_oa = plan_at(cfg, local("2027-01-10 03:00")).units["ahu-aud-1"]["oa_damper_min"]
    # in the show the economiser waits for 0.5 K: the audience's air is ventilated anyway
    assert oa(curtain, show_setpoint + 0.3) == oa(curtain, show_setpoint)
    assert idle_oa == 0


def test_summer_free_cooling_keeps_the_coils_in_cooling(make_config) -> None:
    cfg = summer(make_config)
    show = plan_day(cfg, date(2027, 7, 10)).shows[0]
    at = show.precool_start["auditorium"] + timedelta(minutes=5)
    warm = {"auditorium": ZoneMeasurement(at - timedelta(minutes=1), 26.0, 50.0, 450.0, True)}
    night = plan_at(cfg, at, PlanInputs(measurements=warm, outdoor_air_c=19.0))
    assert "free cooling" in night.zones["auditorium"].reason
    assert all(night.units[u]["mode"] == "cool" for u in AUD)


def test_after_curtain_the_setpoint_returns_to_the_show_setpoint(make_config) -> None:
    cfg = summer(make_config, n=2000)
    doors = plan_at(cfg, local("2027-07-10 19:10")).zones["auditorium"]
    show = plan_at(cfg, local("2027-07-10 19:50")).zones["auditorium"]
    # summer show 24.0 °C, occupancy gain −0.5 K at a full house (2000 of 2398 seats)
    assert show.setpoint_c == pytest.approx(round(24.0 - 0.5 * 2000 / 2398, 1))
    assert doors.setpoint_c < show.setpoint_c
    assert doors.phase == show.phase == "show"
    # in four 5-minute steps after curtain-up, not one step the audience would feel
    steps = [plan_at(cfg, local(f"2027-07-10 19:{m}")).zones["auditorium"].setpoint_c
             for m in (30, 34, 35, 40, 45, 50)]
    assert steps[0] == steps[1] == doors.setpoint_c
    assert steps[1] < steps[2] < steps[3] < steps[4] < steps[5] == show.setpoint_c
    plan = plan_day(cfg, date(2027, 7, 10))
    assert {s.start for s in plan.for_zone("auditorium")} >= {
        local(f"2027-07-10 19:{m}") for m in (35, 40, 45, 50)}


# --- occupancy -----------------------------------------------------------------------------


def test_seat_count_20_percent_above_readjusts_10_percent_does_not(make_config) -> None:
    cfg = summer(make_config, n=1500)
    at = local("2027-07-10 20:00")
    base = plan_at(cfg, at)
    small = plan_at(cfg, at, PlanInputs(
        occupancy=[OccupancyPush("aida", 1650, local("2027-07-10 19:40"))]))
    large = plan_at(cfg, at, PlanInputs(
        occupancy=[OccupancyPush("aida", 1800, local("2027-07-10 19:40"))]))
    for u in AUD:
        assert small.units[u] == base.units[u]
        assert large.units[u]["setpoint"] < base.units[u]["setpoint"]
        assert large.units[u]["oa_damper_min"] > base.units[u]["oa_damper_min"]
    assert large.zones["auditorium"].people == 1800


def test_counts_are_compared_with_the_count_last_acted_on(make_config) -> None:
    cfg = summer(make_config, n=1000)
    pushes = [
        OccupancyPush("aida", 1200, local("2027-07-10 19:35")),  # +20 %: acted on
        OccupancyPush("aida", 1300, local("2027-07-10 19:40")),  # +8 % of 1200: ignored
        OccupancyPush("aida", 1400, local("2027-07-10 19:45")),  # +16.7 % of 1200: acted on
    ]
    people = [
        plan_at(cfg, local(t), PlanInputs(occupancy=pushes)).zones["auditorium"].people
        for t in ("2027-07-10 19:36", "2027-07-10 19:41", "2027-07-10 19:46")
    ]
    assert people == [1200, 1200, 1400]


def test_before_any_count_the_expected_attendance_is_used(make_config) -> None:
    cfg = summer(make_config, n=900)
    assert plan_at(cfg, local("2027-07-10 20:00")).zones["auditorium"].people == 900


# --- special shows -------------------------------------------------------------------------


def test_house_lights_up_lowers_the_auditorium_setpoint(make_config) -> None:
    at = local("2027-07-10 20:00")
    dark = plan_at(summer(make_config, lights=False), at).zones
    lit = plan_at(summer(make_config, lights=True), at).zones
    assert lit["auditorium"].setpoint_c == pytest.approx(dark["auditorium"].setpoint_c - 0.5)
    assert lit["stage"].setpoint_c == dark["stage"].setpoint_c


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


def test_get_in_runs_stage_exhaust_and_the_exhaust_never_runs_in_a_show(config: Config) -> None:
    plan = plan_day(config, date(2026, 12, 5))
    get_in = segment_at(plan, "stage", local("2026-12-05 09:00"))
    assert get_in.phase == "get_in"
    assert get_in.units["exh-stage"]["enable"] is True
    assert get_in.units["ahu-stage-main"]["enable"] is True
    day = date(2026, 11, 1)
    while day < date(2027, 3, 1):
        for seg in plan_day(config, day).for_zone("stage"):
            if seg.units["exh-stage"]["enable"]:
                assert seg.phase == "get_in", (day, seg)
        day += timedelta(days=1)


def test_tour_and_get_in_on_the_same_day(config: Config) -> None:
    state = plan_at(config, local("2026-12-05 10:30"))
    assert state.zones["auditorium"].phase == "tour"
    assert state.zones["stage"].phase == "get_in"
    assert state.zones["pit"].phase == "idle"
    assert [u for u in AUD if state.units[u]["enable"]] == ["ahu-aud-1"]


def test_a_tour_runs_only_the_units_on_its_route(config: Config) -> None:
    state = plan_at(config, local("2026-12-02 10:30"))  # Wednesday tour: auditorium + stage
    assert state.zones["auditorium"].phase == "tour"
    assert state.zones["stage"].phase == "tour"
    assert state.zones["pit"].phase == "idle"
    on = sorted(u for u, p in state.units.items() if p.get("enable"))
    assert on == ["ahu-aud-1", "ahu-stage-main"]
    saturday = plan_at(config, local("2026-11-28 10:30"))  # Saturday tour: auditorium only
    assert saturday.zones["auditorium"].phase == "tour"
    assert saturday.zones["stage"].phase == "idle"


# --- post-show -----------------------------------------------------------------------------


def test_post_show_runs_fewer_units_once_the_audience_is_out_and_ends_at_its_maximum(
        make_config) -> None:
    cfg = summer(make_config)
    plan = plan_day(cfg, date(2027, 7, 10))
    post = [s for s in plan.for_zone("auditorium") if s.phase == "post_show"]
    assert post[0].start == local("2027-07-10 22:30")
    assert post[-1].end == local("2027-07-10 22:30") + timedelta(minutes=90)
    after_egress = segment_at(plan, "auditorium", local("2027-07-10 22:50"))
    assert [u for u in AUD if after_egress.units[u]["enable"]] == ["ahu-aud-1"]


def test_the_audience_leaving_is_ventilated_by_the_shows_units(make_config) -> None:
    """Cutting to one unit at minimum outdoor air at the last bow let CO2 climb over the
    limit as 2,000 people left; the air now follows them out in 5-minute steps."""
    cfg = summer(make_config)
    plan = plan_day(cfg, date(2027, 7, 10))
    show = segment_at(plan, "auditorium", local("2027-07-10 22:00"))
    leaving = [segment_at(plan, "auditorium", local(f"2027-07-10 22:{m}")) for m in
               (30, 35, 40, 45)]
    for seg in leaving:
        assert seg.phase == "post_show"
        assert [u for u in AUD if seg.units[u]["enable"]] == list(AUD)
        assert "still leaving" in seg.reason
    oa = [seg.units["ahu-aud-1"]["oa_damper_min"] for seg in leaving]
    assert oa[0] > oa[1] > oa[2] > oa[3] > 0  # fewer people, less air
    assert oa[0] <= show.units["ahu-aud-1"]["oa_damper_min"] * 1.2
    # the pit without a live orchestra has nobody leaving it
    quiet = summer(make_config, live=False)
    pit = segment_at(plan_day(quiet, date(2027, 7, 10)), "pit", local("2027-07-10 22:35"))
    assert not pit.units["ahu-pit"]["enable"]


def test_post_show_ends_when_the_zone_is_back_in_its_idle_band(make_config) -> None:
    cfg = summer(make_config)
    back = local("2027-07-10 23:05")
    inside = PlanInputs(measurements={"auditorium": ZoneMeasurement(back, 25.0, 50.0)})
    outside = PlanInputs(measurements={"auditorium": ZoneMeasurement(back, 27.6, 50.0)})
    assert plan_at(cfg, back, inside).zones["auditorium"].phase == "idle"
    assert plan_at(cfg, back, outside).zones["auditorium"].phase == "post_show"
    # never before the audience has had time to leave
    early = local("2027-07-10 22:35")
    assert plan_at(cfg, early, PlanInputs(
        measurements={"auditorium": ZoneMeasurement(early, 25.0)})).zones[
        "auditorium"].phase == "post_show"


def test_post_show_purges_the_audiences_co2_before_going_idle(make_config) -> None:
    cfg = summer(make_config)
    at = local("2027-07-10 23:05")
    stuffy = PlanInputs(measurements={"auditorium": ZoneMeasurement(at, 25.0, 50.0, 1050.0)})
    state = plan_at(cfg, at, stuffy)
    assert state.zones["auditorium"].phase == "post_show"  # in band, but not flushed yet
    assert state.units["ahu-aud-1"]["oa_damper_min"] == 100.0
    assert "purging CO2" in state.zones["auditorium"].reason
    fresh = PlanInputs(measurements={"auditorium": ZoneMeasurement(at, 25.0, 50.0, 850.0)})
    assert plan_at(cfg, at, fresh).zones["auditorium"].phase == "idle"


def test_precool_purges_an_earlier_shows_co2_first(make_config) -> None:
    cfg = summer(make_config)
    show = plan_day(cfg, date(2027, 7, 10)).shows[0]
    at = show.precool_start["auditorium"] + timedelta(minutes=5)
    stale = {"auditorium": ZoneMeasurement(at, 24.0, 50.0, 1150.0, True)}
    state = plan_at(cfg, at, PlanInputs(measurements=stale))
    assert state.zones["auditorium"].phase == "precool"
    assert all(state.units[u]["oa_damper_min"] == 100.0 for u in AUD)
    fresh = {"auditorium": ZoneMeasurement(at, 24.0, 50.0, 600.0, True)}
    assert all(plan_at(cfg, at, PlanInputs(measurements=fresh)).units[u]["oa_damper_min"] == 0
               for u in AUD)


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


# --- idle ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("temp", "running", "expect_on", "mode"),
    [
        (27.5, False, True, "cool"),  # above the band: start
        (26.5, True, True, "cool"),  # back inside but not past the hysteresis: keep going
        (25.9, True, False, None),  # past the hysteresis: stop
        (26.5, False, False, None),  # inside the band and off: stay off
        (17.5, False, True, "heat"),  # below the band: heat, whatever the season
        (18.5, True, True, "heat"),
        (19.1, True, False, None),
    ],
)
def test_idle_band_protection_with_hysteresis(
    make_config, temp: float, running: bool, expect_on: bool, mode: str | None
) -> None:
    cfg = summer(make_config)
    at = local("2027-07-10 03:00")
    state = plan_at(cfg, at, PlanInputs(
        measurements={"auditorium": ZoneMeasurement(at, temp, 45.0, units_running=running)}))
    assert state.zones["auditorium"].phase == "idle"
    assert state.units["ahu-aud-1"]["enable"] is expect_on
    assert state.units["ahu-aud-2"]["enable"] is False
    if mode is not None:
        assert state.units["ahu-aud-1"]["mode"] == mode


def test_idle_dehumidifies_above_the_rh_band(make_config) -> None:
    cfg = summer(make_config)
    at = local("2027-07-10 03:00")
    state = plan_at(cfg, at, PlanInputs(
        measurements={"pit": ZoneMeasurement(at, 24.0, 68.0)}))
    assert state.units["ahu-pit"]["enable"] is True
    assert state.units["ahu-pit"]["mode"] == "cool"
    # back at the band's edge the unit stops, even though it was running: its own
    # dehumidification holds the edge and would never take the hall below it
    back = plan_at(cfg, at, PlanInputs(
        measurements={"pit": ZoneMeasurement(at, 24.0, 59.9, units_running=True)}))
    assert back.units["ahu-pit"]["enable"] is False
    # the deadband is above the edge: a stopped unit starts again only past 61 %, a running
    # one keeps going down to 60 %
    for rh, was_on, on in ((60.5, False, False), (61.5, False, True), (60.5, True, True)):
        s = plan_at(cfg, at, PlanInputs(
            measurements={"pit": ZoneMeasurement(at, 24.0, rh, units_running=was_on)}))
        assert s.units["ahu-pit"]["enable"] is on, (rh, was_on)


# --- coordination and overrides ------------------------------------------------------------


def test_all_units_of_a_zone_share_one_mode_and_setpoint(config: Config) -> None:
    for day in (date(2026, 12, 5), date(2026, 12, 31), date(2027, 1, 18)):
        for seg in plan_day(config, day).segments:
            modes = {p["mode"] for p in seg.units.values() if "mode" in p}
            setpoints = {p["setpoint"] for p in seg.units.values() if "setpoint" in p}
            assert len(modes) == 1 and len(setpoints) == 1, seg


def test_an_override_replaces_one_point_until_it_expires(make_config) -> None:
    cfg = summer(make_config)
    start, until = local("2027-07-10 20:00"), local("2027-07-10 20:30")
    ov = Override("ov-1", "ahu-aud-2", "setpoint", 22.5, start, until, "hot in the VIP tier")
    inputs = PlanInputs(overrides=[ov])
    during = plan_at(cfg, local("2027-07-10 20:10"), inputs)
    plain = plan_at(cfg, local("2027-07-10 20:10"))
    assert during.units["ahu-aud-2"]["setpoint"] == 22.5
    assert during.overridden == {("ahu-aud-2", "setpoint"): "ov-1"}
    assert during.units["ahu-aud-1"] == plain.units["ahu-aud-1"]
    assert {k: v for k, v in during.units["ahu-aud-2"].items() if k != "setpoint"} == {
        k: v for k, v in plain.units["ahu-aud-2"].items() if k != "setpoint"}
    after = plan_at(cfg, until, inputs)
    assert after.units["ahu-aud-2"] == plan_at(cfg, until).units["ahu-aud-2"]
    assert after.overridden == {}
    segs = plan_day(cfg, date(2027, 7, 10), inputs).for_zone("auditorium")
    assert any(s.start == start for s in segs) and any(s.start == until for s in segs)


def test_an_override_never_leaves_the_zone_limits(make_config) -> None:
    cfg = summer(make_config)
    at = local("2027-07-10 20:10")
    ov = Override("ov-2", "ahu-aud-1", "setpoint", 35.0, at - timedelta(minutes=5),
                  at + timedelta(minutes=5))
    assert plan_at(cfg, at, PlanInputs(overrides=[ov])).units["ahu-aud-1"]["setpoint"] == 28.0


# --- calendar edge cases -------------------------------------------------------------------


def test_a_show_ending_after_midnight_continues_into_the_next_day(config: Config) -> None:
    plan = plan_day(config, date(2027, 1, 1))  # a closed day, after the New Year's Eve gala
    aud = plan.for_zone("auditorium")
    assert aud[0].phase == "show" and aud[0].event_id == "new-year-gala-2026"
    assert aud[0].end == local("2027-01-01 00:45")
    assert phases(plan, "auditorium") == ["show", "post_show", "idle"]


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


def test_winter_heats_and_summer_cools(config: Config, make_config) -> None:
    winter = plan_at(config, local("2026-12-05 20:00")).zones["auditorium"]
    hot = plan_at(summer(make_config), local("2027-07-10 20:00")).zones["auditorium"]
    assert (winter.mode, winter.season) == ("heat", "winter")
    assert (hot.mode, hot.season) == ("cool", "summer")
    assert winter.setpoint_c < hot.setpoint_c


def test_shoulder_season_switches_by_outdoor_temperature(config: Config) -> None:
    at = local("2026-10-10 12:00")
    assert plan_at(config, at).zones["auditorium"].season == "shoulder"
    hot = plan_at(config, at, PlanInputs(outdoor_temp_c=33)).zones["auditorium"]
    cold = plan_at(config, at, PlanInputs(outdoor_temp_c=2)).zones["auditorium"]
    assert (hot.season, hot.mode) == ("summer", "cool")
    assert (cold.season, cold.mode) == ("winter", "heat")


BERLIN = ZoneInfo("Europe/Berlin")
DST_CALENDAR = """
performances:
  - {id: late-2026-10-24, title: Late, date: 2026-10-24, doors_open: "22:00",
     curtain: "22:30", end: "02:30", expected_attendance: 1500}
  - {id: spring-2027-03-28, title: Spring, date: 2027-03-28, doors_open: "19:00",
     curtain: "19:30", end: "22:30", expected_attendance: 2000}
  - {id: early-2027-03-28, title: Early, date: 2027-03-28, doors_open: "00:30",
     curtain: "01:00", end: "04:00", expected_attendance: 300}
"""


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 10, 25), 25), (date(2027, 3, 28), 23)])
def test_daylight_saving_days_are_covered_without_gap(make_config, day: date, hours: int) -> None:
    cfg = make_config(DST_CALENDAR, timezone="Europe/Berlin")
    plan = plan_day(cfg, day)
    for zone in cfg.venue.zones:
        segs = plan.for_zone(zone)
        assert sum((s.end - s.start for s in segs), timedelta()) == timedelta(hours=hours)
        for a, b in itertools.pairwise(segs):
            assert a.end == b.start
    offsets = {s["start"][-6:] for s in plan.to_json()}
    assert offsets == {"+01:00", "+02:00"}


def test_a_show_across_the_autumn_change_ends_after_the_repeated_hour(make_config) -> None:
    cfg = make_config(DST_CALENDAR, timezone="Europe/Berlin")
    plan = plan_day(cfg, date(2026, 10, 25))
    show = plan.for_zone("auditorium")[0]
    assert show.phase == "show"
    # 02:30 is read as its first occurrence (summer time, fold 0): 00:30 UTC
    assert show.end.astimezone(ZoneInfo("UTC")).hour == 0


def test_plan_at_and_plan_day_agree(config: Config) -> None:
    inputs = PlanInputs(
        occupancy=[OccupancyPush("tosca-2026-12-05", 1700, local("2026-12-05 19:45"))],
        measurements={"auditorium": ZoneMeasurement(local("2026-12-05 16:00"), 18.2)},
    )
    plan = plan_day(config, date(2026, 12, 5), inputs)
    for seg in plan.segments:
        mid = seg.start + (seg.end - seg.start) / 2
        state = plan_at(config, mid, inputs)
        assert state.zones[seg.zone].phase == seg.phase
        assert state.zones[seg.zone].setpoint_c == seg.setpoint_c
        for unit, points in seg.units.items():
            assert state.units[unit] == points


def test_the_planner_refuses_a_naive_instant(config: Config) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_at(config, local("2026-12-05 10:00").replace(tzinfo=None))
