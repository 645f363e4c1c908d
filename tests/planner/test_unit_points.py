"""Unit points: one mode and setpoint per zone, overrides inside the limits."""

from __future__ import annotations

from datetime import date, timedelta

from hvac_ctl.model import Config
from hvac_ctl.planner import Override, PlanInputs, plan_at, plan_day
from tests.harness import local, summer


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

