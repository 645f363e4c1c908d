"""Tours and get-ins: the units they run."""

from __future__ import annotations

from hvac_ctl.model import Config
from hvac_ctl.planner import plan_at
from tests.harness import local


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

