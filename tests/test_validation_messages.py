"""Validation messages that lead to the fix (issue 15, item 3): the root cause first and once,
what follows from it grouped under it, every error at its real line and key, in sentences.

Each case edits a copy of the single-hall example's folder (`examples/single-hall`) by exact
text and runs the real loader and CLI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hvac_ctl.config import ConfigError, ConfigIssue, load_config
from tests.harness import run_validate

ZONES, SEASONS = "zones.yaml", "schedules/seasons.yaml"
SPECIALS = "schedules/calendar/specials.yaml"


def edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    text = (root / rel).read_text()
    assert text.count(old) >= count, old
    (root / rel).write_text(text.replace(old, new, count))


def line_of(root: Path, rel: str, needle: str) -> int:
    text = (root / rel).read_text()
    assert text.count(needle) == 1, needle
    return text[:text.index(needle)].count("\n") + 1


def issues(root: Path) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as info:
        load_config(root)
    return info.value.issues


def validate(root: Path) -> list[str]:
    proc = run_validate(".", root)
    assert proc.returncode == 1, proc.stdout
    return proc.stderr.splitlines()


def test_a_show_setpoint_outside_the_limits_is_one_error_not_four(root: Path) -> None:
    """Before: four errors, three of them blaming precool_offset_k, occupancy_gain_k and
    house_lights_offset_k for a setpoint that was simply too warm."""
    new = "show:      {setpoint_c: 30.0, units: [ahu-aud-1, ahu-aud-2, ahu-aud-3]"
    edit(root, SEASONS, "show:      {setpoint_c: 24.0, units: [ahu-aud-1, ahu-aud-2, ahu-aud-3]",
         new)
    [issue] = issues(root)
    assert (issue.file, issue.line, issue.key) == (
        str(root / SEASONS), line_of(root, SEASONS, new),
        "seasons.summer.zones.auditorium.show.setpoint_c")
    assert issue.message.startswith("30.00 °C is outside zone 'auditorium' limits 18.0–28.0 °C")
    assert sorted(d.key.rsplit(".", 1)[1] for d in issue.dependents) == [
        "house_lights_offset_k", "occupancy_gain_k", "precool_offset_k"]
    precool = next(d for d in issue.dependents if d.key.endswith("precool_offset_k"))
    assert "the precool target 29.20 °C (setpoint_c 30 − precool_offset_k 0.8)" in \
        precool.message
    lines = validate(root)
    assert lines[0] == f"{SEASONS}:{issue.line}: seasons.summer.zones.auditorium.show." \
        "setpoint_c: " + issue.message
    assert all(ln.startswith("  ") for ln in lines[1:4]) and len(lines) == 5
    assert lines[-1] == "4 errors in the configuration under ."


def test_an_offset_that_alone_leaves_the_limits_is_blamed_in_words(root: Path) -> None:
    edit(root, SEASONS, "show:      {setpoint_c: 24.0, units: [ahu-aud-1, ahu-aud-2, ahu-aud-3]",
         "show:      {setpoint_c: 27.0, units: [ahu-aud-1, ahu-aud-2, ahu-aud-3]")
    edit(root, SEASONS, "fan_cap_pct: 90, occupancy_gain_k: -0.5,",
         "fan_cap_pct: 90, occupancy_gain_k: 2.0,")
    [issue] = issues(root)
    assert issue.key == "seasons.summer.zones.auditorium.show.occupancy_gain_k"
    assert issue.line == line_of(root, SEASONS, "occupancy_gain_k: 2.0")
    assert issue.message == ("a full house's setpoint 29.00 °C (setpoint_c 27 + occupancy_gain_k "
                             "2) is outside zone 'auditorium' limits 18.0–28.0 °C")
    assert not issue.dependents


def test_a_day_that_does_not_exist_is_reported_at_its_line_and_key(root: Path) -> None:
    """Before: `specials.yaml:1: (syntax): day is out of range for month`."""
    edit(root, SPECIALS, "date: 2027-02-15,", "date: 2027-02-30,")
    [issue] = issues(root)
    assert (issue.file, issue.line, issue.key) == (
        str(root / SPECIALS), line_of(root, SPECIALS, "date: 2027-02-30"), "performances[2].date")
    assert issue.message == "'2027-02-30' is not a date: February 2027 has 28 days"


def test_a_misspelt_zone_name_is_one_error_first_with_the_rest_under_it(root: Path) -> None:
    """Before: 18 errors, the zone's own key among them, none saying it was the cause."""
    edit(root, ZONES, "  auditorium:\n", "  auditorum:\n")
    [issue] = issues(root)
    line = line_of(root, ZONES, "  auditorum:\n")
    assert (issue.file, issue.line, issue.key) == (str(root / ZONES), line, "zones.auditorum")
    assert issue.message.startswith("zone 'auditorum' is called 'auditorium' in 14 other "
                                    "places")
    assert "Rename it 'auditorium'" in issue.message
    assert len(issue.dependents) == 18
    assert {d.key for d in issue.dependents} >= {"units.ahu-aud-1.zone", "zones.auditorum",
                                                 "seasons.summer.zones.auditorium"}
    lines = validate(root)
    assert lines[0].startswith(f"zones.yaml:{line}: zones.auditorum: zone 'auditorum' is called")
    assert len(lines) == 1 + 18 + 1 and all(ln.startswith("  ") for ln in lines[1:-1])


def test_a_units_misspelt_zone_is_the_one_error_its_lists_follow_from(root: Path) -> None:
    """Before: 11 errors, the cause (`units.ahu-pit.zone`) printed last."""
    edit(root, ZONES, "  ahu-pit:\n    zone: pit\n", "  ahu-pit:\n    zone: pitt\n")
    [issue] = issues(root)
    assert (issue.key, issue.line) == ("units.ahu-pit.zone", line_of(root, ZONES, "zone: pitt"))
    assert issue.message.startswith("unknown zone 'pitt' (zones: auditorium, stage, pit) — did "
                                    "you mean 'pit'?")
    assert len(issue.dependents) == 10
    assert {d.key for d in issue.dependents} >= {"zones.pit",
                                                 "seasons.summer.zones.pit.show.units[0]"}
    lines = validate(root)
    assert lines[0].startswith(f"zones.yaml:{issue.line}: units.ahu-pit.zone: unknown zone")


def test_a_missing_point_is_a_sentence_at_the_points_key(root: Path) -> None:
    """Before: `units.ahu-aud-1: a ahu unit needs the points co2` at the unit's line."""
    text = (root / ZONES).read_text()
    at = text.index("      co2:")
    (root / ZONES).write_text(text[:at] + text[text.index("\n", at) + 1:])
    [issue] = issues(root)
    assert issue.key == "units.ahu-aud-1.points"
    first_points = (root / ZONES).read_text().split("  ahu-aud-1:\n", 1)
    assert issue.line == first_points[0].count("\n") + 1 + first_points[1][
        :first_points[1].index("    points:")].count("\n") + 1
    assert issue.message == "an AHU must have a co2 point, the zone's CO2 sensor; this one has none"


def test_a_check_on_a_season_points_at_the_phase(root: Path) -> None:
    edit(root, SEASONS, "tour:      {setpoint_c: 25.0, units: [ahu-aud-1], oa: occupancy,",
         "tour:      {setpoint_c: 25.0, heating_setpoint_c: 26.0, units: [ahu-aud-1], "
         "oa: occupancy,")
    [issue] = issues(root)
    assert issue.key == "seasons.summer.zones.auditorium.tour"
    assert issue.line == line_of(root, SEASONS, "heating_setpoint_c: 26.0")
    assert issue.message.startswith("heating_setpoint_c 26 is above setpoint_c 25")
