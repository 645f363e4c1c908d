"""The stage exhaust: get-ins only, at minimum when it is cold outside."""

from __future__ import annotations

from datetime import date, timedelta

from hvac_ctl.model import Config
from hvac_ctl.planner import plan_day
from tests.harness import local, segment_at


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

