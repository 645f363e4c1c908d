"""The composition of one zone's sequences: the phase's own, then the shared ones, in order."""

from __future__ import annotations

from datetime import datetime

from hvac_ctl.model import Config
from hvac_ctl.planner import PlanInputs, ZoneMeasurement, plan_at
from hvac_ctl.planner.plan import Planner
from hvac_ctl.planner.unit_points import Decision
from hvac_ctl.planner.zone import FreeAir, free_cooling_lps, zone_at
from tests.harness import AUD, MakeConfig, local, summer


def decide(config: Config, at: datetime, inputs: PlanInputs, zone: str) -> Decision:
    day = at.astimezone(config.venue.venue.tz).date()
    planner = Planner(config, inputs, day, day)
    claim = planner.claims.active(zone, at)
    assert claim is not None
    return zone_at(planner.ctx, claim, dict(planner.claims.shows), planner.opening, at)


def test_the_zone_decision_is_what_the_plan_reports_and_drives(make_config: MakeConfig) -> None:
    cfg = summer(make_config)
    at = local("2027-07-10 20:15")
    inputs = PlanInputs(measurements={"auditorium": ZoneMeasurement(at, 24.6, 55.0, 800.0, True)},
                        outdoor_air_c=30.0)
    d = decide(cfg, at, inputs, "auditorium")
    state = plan_at(cfg, at, inputs)
    assert d.state == state.zones["auditorium"]
    assert d.drive.running == AUD and all(state.units[u]["enable"] for u in AUD)
    assert d.state.phase == "show" and d.state.mode == "cool"


def test_the_shared_sequences_add_to_the_phases_reason_in_their_order(config: Config) -> None:
    """A warm auditorium in a winter show on cold outdoor air: the show's own reason first,
    then the mode it needs, then tempering's word on the mixed air."""
    at = local("2026-12-05 20:15")
    inputs = PlanInputs(measurements={"auditorium": ZoneMeasurement(at, 24.5, 40.0, 700.0,
                                                                    True)},
                        outdoor_air_c=-5.0)
    reason = decide(config, at, inputs, "auditorium").state.reason
    assert reason.startswith("show tosca-2026-12-05")
    steps = [reason.find("above the cooling setpoint"), reason.find("mixes to")]
    assert -1 not in steps and steps == sorted(steps), reason


def test_free_cooling_needs_a_measurement_outdoor_air_and_a_running_unit(
        config: Config) -> None:
    at = local("2026-12-05 20:15")
    warm = ZoneMeasurement(at, 25.0, 40.0, 700.0, True)
    planner = Planner(config, PlanInputs(outdoor_air_c=5.0), at.date(), at.date())
    ctx = planner.ctx
    assert free_cooling_lps(ctx, AUD, 80.0, 22.5, 21.0, warm, 0.5, True).lps > 0
    assert free_cooling_lps(ctx, AUD, 80.0, 22.5, 21.0, None, 0.5, True) == FreeAir(0.0, False)
    assert free_cooling_lps(ctx, (), 80.0, 22.5, 21.0, warm, 0.5, True) == FreeAir(0.0, False)
    none = Planner(config, PlanInputs(), at.date(), at.date()).ctx
    assert free_cooling_lps(none, AUD, 80.0, 22.5, 21.0, warm, 0.5, True) == FreeAir(0.0, False)
