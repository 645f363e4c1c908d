"""A unit that nothing runs, and a zone the planner cannot measure (issue 15, item 2).

A phase that lists no `units` runs all of its zone's units, so a new AHU needs no second edit;
a list restricts, and a unit no phase of any season runs is a warning naming the lists that
would include it. Real files, the real loader and the real CLI.
"""

from __future__ import annotations

import re
from pathlib import Path

from hvac_ctl.config import ConfigWarning, parse_config_with_warnings
from hvac_ctl.planner import PlanInputs, plan_at
from tests.harness import SINGLE_HALL, SUMMER_SHOW, local, run_validate

ZONES, SEASONS, CAL = "zones.yaml", "schedules/seasons.yaml", "schedules/calendar/test.yaml"
AUD4 = (SINGLE_HALL / ZONES).read_text().split("  ahu-aud-3:\n", 1)[1].split("  ahu-stage-main:")[0]
NEW_UNIT = "  ahu-aud-4:\n" + AUD4.replace('"127.0.0.1:47813", device_id: 1103',
                                          '"127.0.0.1:47814", device_id: 1104')


def texts(zones: str | None = None, seasons: str | None = None) -> dict[str, str]:
    return {ZONES: zones or (SINGLE_HALL / ZONES).read_text(),
            SEASONS: seasons or (SINGLE_HALL / SEASONS).read_text(),
            CAL: SUMMER_SHOW % {"n": 2000, "live": "true", "lights": "false"}}


def with_fourth_ahu() -> str:
    zones = (SINGLE_HALL / ZONES).read_text()
    assert "  ahu-stage-main:\n" in zones and "device_id: 1104" not in zones
    return zones.replace("  ahu-stage-main:\n", NEW_UNIT + "  ahu-stage-main:\n", 1)


def line_of(text: str, needle: str, nth: int = 0) -> int:
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return text[:at].count("\n") + 1


def test_a_new_ahu_that_no_phase_lists_is_a_warning_naming_where_to_add_it() -> None:
    zones = with_fourth_ahu()
    config, warnings = parse_config_with_warnings(texts(zones))
    assert "ahu-aud-4" in config.venue.units
    [w] = [w for w in warnings if "ahu-aud-4" in w.message]
    assert (w.file, w.line, w.key) == (ZONES, line_of(zones, "  ahu-aud-4:"), "units.ahu-aud-4")
    assert w.message.startswith("unit 'ahu-aud-4' runs in no phase of any season")
    seasons = (SINGLE_HALL / SEASONS).read_text()
    # the show's list of each season, by file:line and key
    for n, season in enumerate(("summer", "winter", "shoulder")):
        line = line_of(seasons, "show:      {setpoint_c:", nth=3 * n)
        assert f"{SEASONS}:{line} (seasons.{season}.zones.auditorium.show.units)" in w.message
    assert str(w).startswith(f"{ZONES}:{w.line}: units.ahu-aud-4: warning: unit 'ahu-aud-4'")


def test_a_phase_without_a_units_list_runs_all_of_its_zones_units() -> None:
    """The common case needs no second edit: the summer show lists no units, so the new
    ahu-aud-4 runs in it, with the other three; a list still restricts (idle: one unit)."""
    seasons = (SINGLE_HALL / SEASONS).read_text()
    old = ("show:      {setpoint_c: 24.0, units: [ahu-aud-1, ahu-aud-2, ahu-aud-3], "
           "oa: occupancy,")
    assert seasons.count(old) == 1
    seasons = seasons.replace(old, "show:      {setpoint_c: 24.0, oa: occupancy,")
    config, warnings = parse_config_with_warnings(texts(with_fourth_ahu(), seasons))
    aud = config.seasons.seasons["summer"].zones["auditorium"]
    assert aud.show is not None and aud.show.units == [
        "ahu-aud-1", "ahu-aud-2", "ahu-aud-3", "ahu-aud-4"]
    assert aud.idle.units == ["ahu-aud-1"]
    assert not [w for w in warnings if "ahu-aud-4" in w.message]
    state = plan_at(config, local("2027-07-10 20:00"), PlanInputs())
    assert state.zones["auditorium"].phase == "show"
    assert state.units["ahu-aud-4"]["enable"] is True


def test_a_get_in_without_a_units_list_runs_the_exhaust_and_a_show_never_does() -> None:
    seasons = (SINGLE_HALL / SEASONS).read_text()
    for old, new in (("units: [ahu-stage-main, ahu-stage-side, exh-stage], oa: closed,",
                      "oa: closed,"),
                     ("show:      {setpoint_c: 24.0, units: [ahu-stage-main, ahu-stage-side], ",
                      "show:      {setpoint_c: 24.0, ")):
        assert old in seasons
        seasons = seasons.replace(old, new, 1)
    config, _ = parse_config_with_warnings(texts(seasons=seasons))
    stage = config.seasons.seasons["summer"].zones["stage"]
    assert stage.get_in is not None and "exh-stage" in stage.get_in.units
    assert stage.show is not None and stage.show.units == ["ahu-stage-main", "ahu-stage-side"]


def test_a_zone_without_a_sensor_the_planner_reads_is_a_warning() -> None:
    """The pit served only by an exhaust: nothing measures its temperature, humidity or CO2."""
    zones = (SINGLE_HALL / ZONES).read_text()
    zones = zones.replace("  exh-stage:\n    zone: stage\n", "  exh-stage:\n    zone: pit\n")
    zones = zones.replace("  ahu-pit:\n    zone: pit\n", "  ahu-pit:\n    zone: stage\n")
    seasons = (SINGLE_HALL / SEASONS).read_text().replace("units: [ahu-pit]", "units: []")
    seasons = seasons.replace("ahu-stage-side, exh-stage]", "ahu-stage-side]")
    _, warnings = parse_config_with_warnings(texts(zones, seasons))
    pit = [w for w in warnings if w.key == "zones.pit"]
    lacking = {m.group(1) for w in pit if (m := re.search(r"has a (\w+) point", w.message))}
    assert lacking == {"zone_temp", "zone_rh", "co2"} and len(pit) == 3
    assert all(w.line == line_of(zones, "  pit:\n") for w in pit)
    assert any("cannot measure its CO2" in w.message for w in pit)


def test_the_shipped_configuration_has_no_unit_or_sensor_warning() -> None:
    _, warnings = parse_config_with_warnings(texts())
    assert [w for w in warnings if w.file == ZONES] == []


def test_validate_prints_warnings_and_exits_0(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    (folder / "schedules/calendar").mkdir(parents=True)
    for rel, text in texts(with_fourth_ahu()).items():
        (folder / rel).write_text(text)
    proc = run_validate(".", folder)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    line = line_of((folder / ZONES).read_text(), "  ahu-aud-4:")
    assert f"zones.yaml:{line}: units.ahu-aud-4: warning: unit 'ahu-aud-4' runs in no phase" \
        in proc.stdout
    assert re.search(r"^\d+ warnings? in the configuration under \.$", proc.stdout, re.M)


def test_a_warning_reads_file_line_key() -> None:
    assert str(ConfigWarning("zones.yaml", 3, "units.x", "why")) == \
        "zones.yaml:3: units.x: warning: why"
