"""The plant_cap alarm: an evening whose precools cannot keep the plant under its cap
without missing a curtain is told ahead, with the cap, the excess and the zones, and only
then; within the cap, nothing."""

from __future__ import annotations

from hvac_ctl.config import load_config
from hvac_ctl.control.alarms import AlarmSettings, Watch, conditions
from hvac_ctl.model import Config
from hvac_ctl.planner import PlanInputs, plan_at
from tests.harness import ROOT, local
from tests.site import with_plant as plant_changed

SITE = load_config(ROOT)


def with_plant(**update: object) -> Config:
    return plant_changed(SITE, **update)

SUMMER = PlanInputs(outdoor_temp_c=32.0, outdoor_air_c=32.0, outdoor_rh_pct=50.0)


def caps(config: Config, at: str) -> list[str]:
    t = local(at)
    state = plan_at(config, t, SUMMER)
    return [c.message for c in conditions(config, t, state, {}, {}, {}, [], Watch(),
                                          AlarmSettings()) if c.kind == "plant_cap"]


def test_a_cap_the_evening_cannot_hold_is_told_ahead_with_its_numbers() -> None:
    tight = with_plant(peak_cap_kw=300)
    assert caps(tight, "2027-07-03 14:30") == []  # the matinée is over, the evening not yet near
    (message,) = caps(tight, "2027-07-03 15:30")  # an hour before its window
    assert "peak_cap_kw 300 kW" in message and "kW over" in message
    assert "stage" in message and "concert-auditorium" in message and "curtains win" in message
    assert caps(tight, "2027-07-03 20:00") == []  # the evening is over


def test_within_the_cap_nothing_is_said() -> None:
    assert caps(SITE, "2027-07-03 14:00") == []
    assert caps(with_plant(peak_cap_kw=650), "2027-07-03 17:00") == []  # held by coordination
    assert caps(with_plant(peak_cap_kw=650, coordinate_precool=False), "2027-07-03 17:00")
