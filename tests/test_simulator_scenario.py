"""The scenario: the calendar's expectations, edited by a small file."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from hvac_ctl.model import Config
from hvac_ctl.simulation import building_spec, calendar_scenario
from simulator.engine import Building
from simulator.loads import arrived, audience
from simulator.scenario import ScenarioFile
from simulator.weather import DesignDay

DAY = date(2026, 12, 5)
EDITS = """
sold: 0.9
late_arrivals: {fraction: 0.2, minutes: 15}
shows:
  tosca-2026-12-05: {sold: 0.6}
doors:
  - {open: "2026-12-05T14:00:00+08:00", close: "2026-12-05T16:30:00+08:00"}
"""


def scenario(config: Config, tmp_path: Path, text: str = EDITS):
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    base = calendar_scenario(config, DAY - timedelta(days=1), DAY + timedelta(days=1))
    return base, base.edited(ScenarioFile.load(path))


def test_the_calendar_becomes_the_scenario(config: Config) -> None:
    base = calendar_scenario(config, DAY, DAY)
    assert [s.id for s in base.shows] == ["tosca-2026-12-05"]
    assert base.shows[0].attendance == 2100
    assert len(base.tours) == 1 and len(base.get_ins) == 1


def test_a_show_that_sells_60_percent_with_late_arrivals(config: Config, tmp_path: Path) -> None:
    base, edited = scenario(config, tmp_path)
    show = next(s for s in edited.shows if s.id == "tosca-2026-12-05")
    assert show.attendance == 1260
    assert arrived(show, show.curtain) == pytest.approx(0.8 * 1260)
    assert arrived(show, show.curtain + timedelta(minutes=15)) == pytest.approx(1260)
    seated, walking = audience(show, show.curtain + timedelta(minutes=60))
    assert (seated, walking) == (pytest.approx(1260), 0)
    other = next(s for s in edited.shows if s.id != "tosca-2026-12-05")
    original = next(s for s in base.shows if s.id == other.id)
    assert other.attendance == round(original.attendance * 0.9)


def test_a_door_left_open_lets_the_outdoors_into_the_stage(config: Config, tmp_path: Path) -> None:
    base, edited = scenario(config, tmp_path)
    tz = config.venue.venue.tz
    start = datetime(2026, 12, 5, 13, 30, tzinfo=tz)
    temps = {}
    for name, plot in (("shut", base), ("open", edited)):
        b = Building(building_spec(config), plot, DesignDay.winter(tz), start)
        b.advance(timedelta(hours=2))
        temps[name] = b.hall.temp("stage")
    assert temps["open"] < temps["shut"] - 2  # −5 °C outside, ~11 m³/s through 4 × 6 m


def test_a_bad_scenario_file_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("sold: 3\nshows: {x: {sold: 0.5, colour: red}}\n")
    with pytest.raises(ValidationError) as e:
        ScenarioFile.load(path)
    text = str(e.value)
    assert "sold" in text and "colour" in text
