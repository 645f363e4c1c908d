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

