"""group_mode: one mode per public group from the outdoor air, with hysteresis and dwell."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hvac_ctl.model.seasons import PublicSettings
from hvac_ctl.planner.group_mode import by_weather, choose
from hvac_ctl.planner.inputs import HeldGroup
from tests.harness import SHANGHAI, local

S = PublicSettings()  # cool ≥ 24, heat ≤ 14, dehumidify at a dew point ≥ 17, hysteresis 1 K
DWELL = timedelta(hours=2)
AT = local("2027-04-13 12:00")


@pytest.mark.parametrize(("outdoor", "dew", "current", "mode"), [
    (28, 12, None, "cool"), (24, 12, None, "cool"), (23.9, 12, None, "vent"),
    (23.5, 12, "cool", "cool"),  # hysteresis: cooling holds until 23 °C
    (22.9, 12, "cool", "vent"),
    (14, 5, None, "heat"), (14.5, 5, "heat", "heat"), (15.1, 5, "heat", "vent"),
    (26, 18, None, "dehumidify"), (26, 16.5, "dehumidify", "dehumidify"),
    (26, 15.9, "dehumidify", "cool"), (20, None, None, "vent"),
])
def test_the_weather_chooses_with_hysteresis(outdoor: float, dew: float | None,
                                             current: str | None, mode: str) -> None:
    assert by_weather(outdoor, dew, S, current)[0] == mode  # type: ignore[arg-type]


def test_a_mode_is_held_for_its_dwell_whatever_the_weather() -> None:
    held = HeldGroup("vent", AT - timedelta(minutes=30))
    kept = choose(held, 30.0, 10.0, S, DWELL, "cool", AT, SHANGHAI)
    assert kept.mode == "vent" and kept.since == held.since
    assert "minimum dwell" in kept.why and "13:30" in kept.why  # local time of the dwell's end
    after = choose(held, 30.0, 10.0, S, DWELL, "cool", AT + timedelta(minutes=90), SHANGHAI)
    assert after.mode == "cool" and after.since == AT + timedelta(minutes=90)


def test_a_mode_held_since_before_anyone_remembers_changes_at_once() -> None:
    assert choose(HeldGroup("heat", None), 30.0, 10.0, S, DWELL, "cool", AT, SHANGHAI
                  ).mode == "cool"


def test_no_outdoor_reading_keeps_the_mode_or_takes_the_seasons() -> None:
    held = HeldGroup("heat", AT - timedelta(hours=5))
    assert choose(held, None, None, S, DWELL, "cool", AT, SHANGHAI).mode == "heat"
    fresh = choose(None, None, None, S, DWELL, "cool", AT, SHANGHAI)
    assert fresh.mode == "cool" and "no outdoor reading" in fresh.why
