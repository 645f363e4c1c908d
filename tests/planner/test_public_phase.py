"""public_phase: a public area is closed, open (hours, tours) or crowded (audiences)."""

from __future__ import annotations

import pytest

from hvac_ctl.planner import PlanInputs, plan_at
from tests.harness import local
from tests.site_venue import site_config

SITE = site_config()


@pytest.mark.parametrize(("at", "phase", "event"), [
    ("2027-04-13 08:59", "idle", None),
    ("2027-04-13 09:00", "open", None),  # opening hours
    ("2027-04-13 17:29", "open", None),
    ("2027-04-13 17:30", "idle", None),
    ("2027-04-13 18:14", "idle", None),
    ("2027-04-13 18:15", "crowd", "concert-2027-04-13"),  # 30 min before both halls' doors
    ("2027-04-13 19:29", "crowd", "concert-2027-04-13"),  # equals: the first in the day
    ("2027-04-13 19:31", "idle", None),  # curtain-up: the foyer empties
    ("2027-04-13 20:30", "crowd", "concert-2027-04-13"),  # the concert's interval, mid-show
    ("2027-04-13 21:00", "crowd", "tosca-2027-04-13"),  # Tosca's interval (19:30–22:30)
    ("2027-04-13 21:35", "crowd", "concert-2027-04-13"),  # the concert audience leaves
    ("2027-04-13 22:45", "crowd", "tosca-2027-04-13"),  # Tosca's leaves
    ("2027-04-13 22:50", "idle", None),
    ("2027-04-14 09:30", "idle", None),  # closed for the day (an exception)
    ("2027-04-14 10:30", "open", "tour-2027-04-14"),  # but a tour passes through
])
def test_the_group_phase_over_a_day(at: str, phase: str, event: str | None) -> None:
    state = plan_at(SITE, local(at), PlanInputs(outdoor_air_c=20.0))
    for zone in ("lobby", "winter-garden"):  # the group's zones report its one phase
        assert (state.zones[zone].phase, state.zones[zone].event_id) == (phase, event), zone
    assert state.groups["foyer"].phase == phase
