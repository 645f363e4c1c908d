"""The `modes` sequence: each zone heats or cools by its measured need (G36 zone states)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from hvac_ctl.model import Config
from hvac_ctl.model.seasons import RelaxedSettings, Seasons
from hvac_ctl.model.venue import ModeSelection
from hvac_ctl.planner import HeldMode, PlanInputs, ZoneMeasurement, plan_at, plan_day
from hvac_ctl.planner.modes import choose_mode, pull_mode, relaxed_band
from tests.harness import SHANGHAI, MakeConfig, local

AT = local("2027-07-10 20:00")
MODES = ModeSelection()  # deadband 2.5 K, hysteresis 1 K, dwell 20 min
SHOW = (24.0, 24.0)  # a show: one target, both setpoints


def choose(measured: float | None, held: HeldMode | None = None, band=SHOW,
           preferred="cool"):
    return choose_mode(band, measured, held, preferred, AT, MODES, SHANGHAI)


def test_inside_the_deadband_a_zone_keeps_the_mode_it_holds_or_prefers() -> None:
    assert choose(23.5).mode == "cool"  # preferred, nothing held
    assert choose(23.5, HeldMode("heat")).mode == "heat"  # held beats preferred
    assert choose(None, HeldMode("heat")).mode == "heat"  # nothing measured
    assert choose(23.5).why == ""


def test_a_change_of_mode_takes_the_hysteresis() -> None:
    """A summer hall 0.8 K under its target after precool is not heated; 1.1 K under, it
    is, and the reason says why; a unit holding the target wavers around it without being
    flipped back, until the hall is 1 K over it."""
    assert choose(23.2).mode == "cool"
    cold = choose(22.9)
    assert cold.mode == "heat" and cold.setpoint_c == 24.0
    assert cold.why == "22.9 °C is below the heating setpoint 24.0 °C: heat"
    assert choose(24.4, HeldMode("heat")).mode == "heat"
    assert choose(25.1, HeldMode("heat")).mode == "cool"
    # a winter zone (heat preferred) likewise
    assert choose(24.8, preferred="heat").mode == "heat"
    assert choose(25.1, preferred="heat").mode == "cool"
    assert choose(23.1, HeldMode("cool"), preferred="heat").mode == "cool"
    assert choose(22.9, HeldMode("cool"), preferred="heat").mode == "heat"


def test_a_new_phase_starts_from_its_own_need(config: Config) -> None:
    """A summer precool that heated a cold hall does not carry heat into the show."""
    at = local("2026-11-03 20:30")  # Tosca, shoulder: cool preferred
    m = {"auditorium": ZoneMeasurement(at - timedelta(minutes=1), 23.3, 40.0, 800.0, True)}
    held = {"auditorium": HeldMode("heat", at - timedelta(minutes=5), "precool")}
    state = plan_at(config, at, PlanInputs(measurements=m, modes=held, outdoor_air_c=18.0))
    assert state.zones["auditorium"].mode == "cool"
    same = {"auditorium": HeldMode("heat", at - timedelta(minutes=5), "show")}
    kept = plan_at(config, at, PlanInputs(measurements=m, modes=same, outdoor_air_c=18.0))
    assert kept.zones["auditorium"].mode == "heat"


def test_a_mode_is_kept_for_its_minimum_dwell() -> None:
    recent = HeldMode("cool", AT - timedelta(minutes=5))
    kept = choose(22.0, recent)
    assert kept.mode == "cool"
    assert "heat from 20:15 (a mode is kept 20 min)" in kept.why
    assert choose(22.0, HeldMode("cool", AT - timedelta(minutes=20))).mode == "heat"
    assert choose(22.0, HeldMode("cool", None)).mode == "heat"  # since before a restart


def test_relaxed_phases_float_between_their_two_setpoints() -> None:
    tour = RelaxedSettings(setpoint_c=25.0)
    assert relaxed_band(tour, 25.0, "cool", MODES) == (22.5, 25.0)
    assert relaxed_band(tour, 20.0, "heat", MODES) == (20.0, 22.5)
    given = RelaxedSettings(setpoint_c=24.0, heating_setpoint_c=22.0)
    assert relaxed_band(given, 24.0, "cool", MODES) == (22.0, 24.0)
    band = (22.5, 25.0)
    assert choose(23.0, band=band).mode == "cool"  # a summer tour at 23 °C is not heated
    heat = choose(21.4, band=band)
    assert heat.mode == "heat" and heat.setpoint_c == 22.5  # the units hold its setpoint


def test_precool_pulls_in_its_direction_without_dwell() -> None:
    assert pull_mode(22.5, 23.4, HeldMode("heat", AT), "heat").mode == "cool"
    assert pull_mode(22.5, 22.3, HeldMode("heat"), "cool").mode == "heat"  # held
    assert pull_mode(22.5, 22.3, None, "cool").mode == "cool"  # within curtain-ready's 0.5
    assert pull_mode(22.5, 21.9, None, "cool").mode == "heat"


def test_a_cold_zone_on_a_summer_day_gets_heat_and_every_unit_of_it_the_same_mode(
        config: Config) -> None:
    at = local("2026-11-03 20:30")  # Tosca in the shoulder season: its mode is cool
    assert config.seasons.name_for(at.date()) == "shoulder"
    m = {"auditorium": ZoneMeasurement(at - timedelta(minutes=1), 21.6, 40.0, 800.0, True)}
    state = plan_at(config, at, PlanInputs(measurements=m, outdoor_air_c=18.0))
    aud = state.zones["auditorium"]
    assert aud.mode == "heat" and "below the heating setpoint" in aud.reason
    modes = {state.units[u]["mode"] for u in config.venue.units_of("auditorium")}
    assert modes == {"heat"}


def test_the_preview_without_measurements_follows_the_preferred_mode(config: Config) -> None:
    plan = plan_day(config, date(2026, 11, 3))
    assert {s.mode for s in plan.segments if s.phase != "idle"} == {"cool"}


def test_an_explicit_other_setpoint_on_the_wrong_side_names_zone_and_phase(
        config: Config) -> None:
    seasons = config.seasons.model_dump(by_alias=True, exclude_unset=True)
    seasons["seasons"]["summer"]["zones"]["auditorium"]["tour"]["heating_setpoint_c"] = 26.0
    with pytest.raises(ValidationError, match=r"zones\.auditorium\.tour: heating_setpoint_c 26 "
                                              r"is above setpoint_c 25"):
        Seasons.model_validate(seasons)


def test_a_phase_may_give_its_other_setpoint(make_config: MakeConfig) -> None:
    """The shoulder's tours are heated from 22 °C, not from 24 − 2.5 (a tour's comfort)."""
    cfg = make_config("""
tours:
  - {date: 2027-04-14, start: "10:00", end: "11:30", route: [auditorium]}
""")
    at = local("2027-04-14 10:30")
    m = {"auditorium": ZoneMeasurement(at - timedelta(minutes=1), 20.5, 40.0, 500.0, True)}
    aud = plan_at(cfg, at, PlanInputs(measurements=m)).zones["auditorium"]
    assert aud.band_c == (22.0, 24.0)
    assert aud.mode == "heat" and aud.setpoint_c == 22.0
