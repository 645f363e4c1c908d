"""The audience leaving: the show's units ventilate for them."""

from __future__ import annotations

from datetime import date

from hvac_ctl.planner import plan_day
from tests.harness import AUD, local, segment_at, summer


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



def test_the_co2_the_audience_leaves_is_purged_from_its_measured_value(make_config) -> None:
    """A hall that ended above its ceiling (925 ppm) got air for the people still in only,
    which holds CO2 where it is: it crossed the limit as they left. From the measured CO2
    and the count acted on, it now gets the air that brings it back under the ceiling."""
    from hvac_ctl.planner import PlanInputs, ZoneMeasurement, plan_at

    cfg = summer(make_config)
    at = local("2027-07-10 22:31")

    def aud(co2: float):
        m = ZoneMeasurement(at, 25.0, 50.0, co2)
        return plan_at(cfg, at, PlanInputs(measurements={"auditorium": m}))

    calm, stuffy = aud(700.0), aud(990.0)
    assert calm.zones["auditorium"].phase == stuffy.zones["auditorium"].phase == "post_show"
    assert "purging" not in calm.zones["auditorium"].reason
    assert "purging: CO2 990 ppm with" in stuffy.zones["auditorium"].reason
    assert stuffy.zones["auditorium"].oa_lps > 1.15 * calm.zones["auditorium"].oa_lps
    assert stuffy.units["ahu-aud-1"]["oa_damper_min"] > calm.units["ahu-aud-1"]["oa_damper_min"]
    # once they are out, the post-show purge of all the running units' air takes over
    out = local("2027-07-10 22:55")
    late = plan_at(cfg, out, PlanInputs(measurements={
        "auditorium": ZoneMeasurement(out, 25.0, 50.0, 990.0)}))
    assert "purging CO2 (990 ppm)" in late.zones["auditorium"].reason



MATINEE_AND_EVENING = """
performances:
  - {id: matinee, title: Swan Lake, date: 2027-07-03, doors_open: "13:30", curtain: "14:00",
     end: "16:20", expected_attendance: 1700, live_orchestra: true}
  - {id: evening, title: Swan Lake, date: 2027-07-03, doors_open: "17:30", curtain: "18:00",
     end: "20:20", expected_attendance: 2150, live_orchestra: true}
"""


def test_a_matinee_audience_leaving_under_the_evenings_precool_is_ventilated(
        make_config) -> None:
    """The evening's precool can have the hall from the matinee's end, on full recirculation:
    the audience leaving was sealed in, and its CO2 purged only once past the ceiling, in
    bursts (889 → 939 ppm in the summer demo). Whoever has the zone now gives them air."""
    from hvac_ctl.planner import PlanInputs, ZoneMeasurement, plan_at

    cfg = make_config(MATINEE_AND_EVENING)

    def aud(hm: str, co2: float):
        at = local(f"2027-07-03 {hm}")
        return plan_at(cfg, at, PlanInputs(measurements={  # warm: a long precool
            "auditorium": ZoneMeasurement(at, 25.0, 50.0, co2)}))

    leaving = aud("16:22", 900.0)
    zs = leaving.zones["auditorium"]
    assert zs.phase == "precool" and zs.people > 1000  # people still in: CO2 alarms hold
    assert "1700 people still leaving" in zs.reason
    assert all(leaving.units[u]["enable"] for u in AUD)
    assert leaving.units["ahu-aud-1"]["oa_damper_min"] > 40  # not the precool's shut dampers
    stuffy = aud("16:30", 940.0).zones["auditorium"]
    assert "purging: CO2 940 ppm with 850 leaving" in stuffy.reason
    gone = aud("16:45", 900.0)  # out: the precool as it was, dampers shut until doors
    assert "leaving" not in gone.zones["auditorium"].reason
    assert gone.units["ahu-aud-1"]["oa_damper_min"] == 0
