"""supply: a zone's setpoint allows for its supply type; a one-hall file gets no offset."""

from __future__ import annotations

import pytest

from hvac_ctl.config import ConfigError, parse_config
from hvac_ctl.config.loader import ZONES
from hvac_ctl.planner import PlanInputs, plan_at
from tests.harness import local
from tests.site_venue import site_config, site_texts


def test_displacement_raises_the_setpoint_by_its_offset() -> None:
    at = local("2027-04-13 20:00")
    site = site_config()
    state = plan_at(site, at, PlanInputs(outdoor_air_c=20.0))
    # the same season settings: the concert hall's audience (displacement) is 0.5 K warmer
    # than the opera's, which names no supply
    aud, opera = state.zones["concert-auditorium"], state.zones["auditorium"]
    assert "+0.5 K for its displacement supply" in aud.reason
    assert "supply" not in opera.reason


def test_mixing_supply_is_held_cooler_in_summer_and_warmer_in_winter() -> None:
    texts = site_texts()
    texts[ZONES] = texts[ZONES].replace("supply: displacement", "supply: mixing")
    site = parse_config(texts)
    assert site.venue.supply_offset_k("concert-auditorium", "summer", "cool") == -0.5
    assert site.venue.supply_offset_k("concert-auditorium", "winter", "heat") == 0.5
    assert site.venue.supply_offset_k("auditorium", "summer", "cool") == 0.0


def test_displacement_units_may_not_supply_below_the_floor() -> None:
    texts = site_texts()
    tail = "\n  ahu-concert-stage:"
    texts[ZONES] = texts[ZONES].replace("- 18\n    - 30" + tail, "- 16\n    - 30" + tail)
    with pytest.raises(ConfigError, match="16 °C is colder than zone 'concert-auditorium'"):
        parse_config(texts)
