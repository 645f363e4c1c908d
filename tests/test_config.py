"""Configuration loading: the defaults pass, and every broken case names file:line: key.

Each test copies the single-hall example's `zones.yaml` and `schedules/` (`examples/single-hall`)
into a temporary folder, edits one file by exact text replacement (failing loudly if the default
text has changed), and looks for the error at the line where the edited text now stands. No
mocks: real files, the real CLI.
"""

from __future__ import annotations

import copy
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hvac_ctl.config import ConfigError, ConfigIssue, config_files, load_config, parse_config
from hvac_ctl.model.calendar import ShowEvent
from tests.harness import ROOT, SINGLE_HALL, run_validate

ZONES = "zones.yaml"
SEASONS = "schedules/seasons.yaml"
SEASON_CAL = "schedules/calendar/2026-27-season.yaml"
SPECIALS = "schedules/calendar/specials.yaml"


# --- helpers ------------------------------------------------------------------------------


def _find(text: str, needle: str, after: str | None, what: str) -> int:
    """Offset of `needle` in `text`: unique in the file, or the first after a unique anchor."""
    start = 0
    if after is not None:
        assert text.count(after) == 1, f"anchor {after!r} is not unique in {what}"
        start = text.index(after) + len(after)
    else:
        assert text.count(needle) == 1, f"{needle!r} is not exactly once in {what}"
    at = text.find(needle, start)
    assert at >= 0, f"{needle!r} not found in {what}"
    return at


def edit(root: Path, rel: str, old: str, new: str, *, after: str | None = None) -> None:
    """Replace `old` (unique, or the first one after the unique anchor `after`) in root/rel."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    at = _find(text, old, after, rel)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")


def line_of(root: Path, rel: str, needle: str, *, after: str | None = None) -> int:
    """The 1-based line of `needle` in the (edited) file root/rel."""
    text = (root / rel).read_text(encoding="utf-8")
    return text[:_find(text, needle, after, rel)].count("\n") + 1


def issues_of(root: Path) -> list[ConfigIssue]:
    with pytest.raises(ConfigError) as info:
        load_config(root)
    assert info.value.issues, "a ConfigError must carry its issues"
    return info.value.issues


def find_issue(
    issues: list[ConfigIssue], root: Path | None, rel: str, line: int, key: str, *fragments: str
) -> ConfigIssue:
    """The one issue at file:line: key whose message holds every fragment."""
    shown = str(root / rel) if root is not None else rel
    hits = [
        i for i in issues
        if (i.file, i.line, i.key) == (shown, line, key) and all(f in i.message for f in fragments)
    ]
    listing = "\n".join(str(i) for i in issues)
    assert hits, f"no issue {shown}:{line}: {key}: …{fragments}… among:\n{listing}"
    return hits[0]


def run_cli(config: Path | str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return run_validate(config, cwd)


def cli_errors(config: Path | str, cwd: Path = ROOT) -> list[str]:
    """Run `validate` on a broken folder: exit 1, one error per line, then the count."""
    proc = run_cli(config, cwd)
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.splitlines()
    assert lines, "errors must be printed to stderr"
    n = len(lines) - 1
    assert lines[-1] == f"{n} error{'s' if n != 1 else ''} in the configuration under {config}"
    assert "configuration is valid" not in proc.stdout
    return lines[:-1]


def find_line(lines: list[str], prefix: str, *fragments: str) -> str:
    hits = [ln for ln in lines if ln.startswith(prefix) and all(f in ln for f in fragments)]
    listing = "\n".join(lines)
    assert hits, f"no line starting {prefix!r} with {fragments} among:\n{listing}"
    return hits[0]


def assert_cli_error(root: Path, rel: str, line: int, key: str, *fragments: str) -> list[str]:
    """`validate --config root` exits 1 and prints `root/rel:line: key: …fragments…`."""
    lines = cli_errors(root)
    find_line(lines, f"{root / rel}:{line}: {key}: ", *fragments)
    return lines


# --- 1. the defaults ----------------------------------------------------------------------


def test_defaults_load() -> None:
    config = load_config(SINGLE_HALL)
    assert set(config.venue.zones) == {"auditorium", "stage", "pit"}
    assert len(config.venue.units) == 7
    assert set(config.seasons.seasons) == {"summer", "winter", "shoulder"}
    assert len(config.calendar.files) == 4  # the 2026/27 season, September to August


def test_defaults_copy_loads(root: Path) -> None:
    assert config_files(root) == config_files(SINGLE_HALL)
    load_config(root)


@pytest.mark.parametrize("folder", [ROOT, SINGLE_HALL], ids=["root", "single-hall"])
def test_defaults_validate_cli(folder: Path) -> None:
    """The shipped configuration (the repository root's, the default `--config .` of a
    checkout) and the single-hall example both validate."""
    proc = run_cli(folder)
    assert proc.returncode == 0, proc.stderr
    assert "configuration is valid" in proc.stdout
    assert proc.stderr == ""


# --- 2. a mistyped key --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "old", "new", "after", "typo", "key", "right"),
    [
        (SEASONS, "get_in:    {setpoint_c: 20.0", "get_in:    {setpoint_cc: 20.0", None,
         "setpoint_cc", "seasons.winter.zones.stage.get_in.setpoint_cc", "setpoint_c"),
        (SEASON_CAL, '    doors_open: "19:00"', '    doors_opn: "19:00"',
         "  - id: tosca-2026-12-05\n", "doors_opn", "performances[1].doors_opn", "doors_open"),
        (ZONES, "    airflow_m3_per_h: 7000", "    airflow_m3_per_hr: 7000", None,
         "airflow_m3_per_hr", "units.ahu-pit.airflow_m3_per_hr", "airflow_m3_per_h"),
    ],
    ids=["seasons-setpoint_cc", "calendar-doors_opn", "zones-unit-airflow"],
)
def test_mistyped_key(
    root: Path, rel: str, old: str, new: str, after: str | None, typo: str, key: str, right: str
) -> None:
    edit(root, rel, old, new, after=after)
    line = line_of(root, rel, typo + ":")
    assert_cli_error(root, rel, line, key, f"unknown key '{typo}'", f"did you mean '{right}'?")


# --- 3. an unknown unit in a phase --------------------------------------------------------


def test_unknown_unit_in_phase(root: Path) -> None:
    edit(root, SEASONS,
         "show:      {setpoint_c: 24.0, units: [ahu-aud-1, ahu-aud-2, ahu-aud-3]",
         "show:      {setpoint_c: 24.0, units: [ahu-aud-1, ahu-aud-9, ahu-aud-3]")
    line = line_of(root, SEASONS, "ahu-aud-9")
    assert_cli_error(root, SEASONS, line, "seasons.summer.zones.auditorium.show.units[1]",
                     "unknown unit 'ahu-aud-9'")


# --- 4. a unit in an unknown zone ---------------------------------------------------------


def test_unit_in_unknown_zone(root: Path) -> None:
    edit(root, ZONES, "  ahu-pit:\n    zone: pit\n", "  ahu-pit:\n    zone: pitt\n")
    line = line_of(root, ZONES, "zone: pitt")
    assert_cli_error(root, ZONES, line, "units.ahu-pit.zone", "unknown zone 'pitt'")
    # with --config . the file is shown relative, as the engineer typed it
    lines = cli_errors(".", cwd=root)
    find_line(lines, f"zones.yaml:{line}: units.ahu-pit.zone: ", "unknown zone 'pitt'")


# --- 5. a setpoint outside the zone's limits ----------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key", "value"),
    [
        ("idle:      {setpoint_c: 19.0, units: [ahu-aud-1]",
         "idle:      {setpoint_c: 12.0, units: [ahu-aud-1]",
         "seasons.winter.zones.auditorium.idle.setpoint_c", "12.00"),
        ("idle:      {setpoint_c: 26.0, units: [ahu-aud-1]",
         "idle:      {setpoint_c: 35.0, units: [ahu-aud-1]",
         "seasons.summer.zones.auditorium.idle.setpoint_c", "35.00"),
    ],
    ids=["too-low", "too-high"],
)
def test_setpoint_outside_limits(root: Path, old: str, new: str, key: str, value: str) -> None:
    edit(root, SEASONS, old, new)
    line = line_of(root, SEASONS, new)
    assert_cli_error(root, SEASONS, line, key, f"{value} °C is outside", "'auditorium'",
                     "18.0–28.0")


# --- 6. several errors at once ------------------------------------------------------------


def test_several_errors_in_one_run(root: Path) -> None:
    edit(root, ZONES, '"127.0.0.1:47812"', '"127.0.0.1:47811"')
    edit(root, SEASONS, "idle:      {setpoint_c: 19.0, units: [ahu-aud-1]",
         "idle:      {setpoint_c: 12.0, units: [ahu-aud-1]")
    edit(root, SPECIALS, "route: [auditorium], mode", "route: [auditorium, lobby], mode")
    edit(root, SEASON_CAL, "    expected_attendance: 2100\n", "    expected_attendance: 3000\n")
    expected = [
        (ZONES, line_of(root, ZONES, '"127.0.0.1:47811", device_id: 1102'),
         "units.ahu-aud-2.address.ip", "already used by ahu-aud-1"),
        (SEASONS, line_of(root, SEASONS, "{setpoint_c: 12.0"),
         "seasons.winter.zones.auditorium.idle.setpoint_c", "outside"),
        (SPECIALS, line_of(root, SPECIALS, "lobby"), "tours[0].route[1]", "unknown zone 'lobby'"),
        (SEASON_CAL, line_of(root, SEASON_CAL, "expected_attendance: 3000"),
         "performances[1].expected_attendance", "3000 is more than the 2398 seats"),
    ]
    lines = cli_errors(root)
    assert len(lines) >= 4
    for rel, line, key, fragment in expected:
        find_line(lines, f"{root / rel}:{line}: {key}: ", fragment)
    files = {ln.split(":", 1)[0] for ln in lines}
    assert {str(root / rel) for rel, *_ in expected} <= files
    issues = issues_of(root)
    assert len(issues) == len(lines)
    for rel, line, key, fragment in expected:
        find_issue(issues, root, rel, line, key, fragment)


# --- 7. YAML syntax errors ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        (SEASONS, 'dates: [{from: "06-01", to: "09-15"}]', 'dates: [{from: "06-01", to: "09-15"}'),
        (ZONES, "serves: [stalls]", "serves: [stalls"),
        (SPECIALS, "2027-02-06, 2027-02-07]", "2027-02-06, 2027-02-07"),
    ],
    ids=["seasons", "zones", "calendar-at-end"],
)
def test_yaml_syntax_error(root: Path, rel: str, old: str, new: str) -> None:
    edit(root, rel, old, new)
    edited = line_of(root, rel, new)
    lines = cli_errors(root)
    syntax = [ln for ln in lines if ": (syntax): " in ln]
    assert len(syntax) == 1, lines
    prefix = f"{root / rel}:"
    assert syntax[0].startswith(prefix), syntax[0]
    line = int(syntax[0][len(prefix):].split(":", 1)[0])
    # the parser notices an unclosed bracket on that line or at the next token after it
    assert edited <= line <= edited + 2, (edited, syntax[0])
    issues = issues_of(root)
    find_issue(issues, root, rel, line, "(syntax)")


# --- 8. duplicate addresses ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle", "key", "message"),
    [
        ('"127.0.0.1:47812"', '"127.0.0.1:47811"', '"127.0.0.1:47811", device_id: 1102',
         "units.ahu-aud-2.address.ip", "BACnet ip 127.0.0.1:47811 is already used by ahu-aud-1"),
        ("device_id: 1103}", "device_id: 1101}", '"127.0.0.1:47813", device_id: 1101',
         "units.ahu-aud-3.address.device_id",
         "BACnet device_id 1101 is already used by ahu-aud-1"),
        ("port: 5021, device_id: 1", "port: 5020, device_id: 1", "{host: 127.0.0.1, port: 5020",
         "units.ahu-pit.address",
         "Modbus 127.0.0.1:5020 device 1 is already used by ahu-stage-main"),
    ],
    ids=["bacnet-ip", "bacnet-device-id", "modbus-host-port-device"],
)
def test_duplicate_address(
    root: Path, old: str, new: str, needle: str, key: str, message: str
) -> None:
    edit(root, ZONES, old, new)
    after = "  ahu-pit:\n" if key.startswith("units.ahu-pit") else None
    line = line_of(root, ZONES, needle, after=after)
    assert_cli_error(root, ZONES, line, key, message)


# --- 9. doors must open before the curtain ------------------------------------------------


@pytest.mark.parametrize("doors", ["19:45", "19:30"])
def test_doors_open_not_before_curtain(root: Path, doors: str) -> None:
    edit(root, SEASON_CAL, '    doors_open: "19:00"', f'    doors_open: "{doors}"',
         after="  - id: tosca-2026-12-05\n")
    line = line_of(root, SEASON_CAL, "  - id: tosca-2026-12-05")
    find_issue(issues_of(root), root, SEASON_CAL, line, "performances[1]",
               f"doors_open {doors} must be before curtain 19:30")


def test_doors_open_not_before_curtain_in_weekly_pattern(root: Path) -> None:
    old = 'title: Tosca, doors_open: "19:00", curtain: "19:30",'
    new = 'title: Tosca, doors_open: "20:00", curtain: "19:30",'
    edit(root, SEASON_CAL, old, new)
    line = line_of(root, SEASON_CAL, new)
    assert_cli_error(root, SEASON_CAL, line, "weekly[0].performances[0]",
                     "doors_open 20:00 must be before curtain 19:30")


# --- 10. events that cannot share the hall ------------------------------------------------


@pytest.mark.parametrize(
    ("anchor", "entry", "needle", "key", "message"),
    [
        ("expected_attendance: 1300}\n",
         '  - {id: late-show-2026-12-05, title: Late show, date: 2026-12-05,\n'
         '     doors_open: "21:00", curtain: "21:30", end: "23:00", expected_attendance: 500}\n',
         "id: late-show-2026-12-05", "performances[4]",
         "late-show-2026-12-05 on 2026-12-05 overlaps the show tosca-2026-12-05"),
        ('  - {date: 2027-01-07, start: "08:00", end: "18:00", kind: set_up}\n',
         '  - {date: 2027-01-18, start: "09:00", end: "12:00", kind: set_up}\n',
         "date: 2027-01-18, start", "get_ins[9]",
         "puts the stage in a get-in during peter-and-the-wolf-2027-01-18"),
        ('  - {date: 2026-12-05, start: "10:00", end: "11:30", route: [auditorium], '
         'mode: replace}\n',
         '  - {date: 2027-02-22, start: "20:00", end: "21:00", route: [auditorium, stage]}\n',
         "date: 2027-02-22, start", "tours[1]",
         "takes a tour through the hall during film-concert-2027-02-22 "
         "(doors 19:00 – end 21:30)"),  # local times, as the file has them
    ],
    ids=["two-shows", "get-in-during-show", "tour-during-show"],
)
def test_events_overlapping_a_show(
    root: Path, anchor: str, entry: str, needle: str, key: str, message: str
) -> None:
    edit(root, SPECIALS, anchor, anchor + entry)
    line = line_of(root, SPECIALS, needle)
    assert_cli_error(root, SPECIALS, line, key, message)


# --- 11. seasons must cover the year ------------------------------------------------------


def test_season_gap(root: Path) -> None:
    edit(root, SEASONS, 'dates: [{from: "06-01", to: "09-15"}]',
         'dates: [{from: "06-01", to: "09-14"}]')
    line = line_of(root, SEASONS, "\nseasons:\n") + 1
    assert_cli_error(root, SEASONS, line, "seasons", "no season covers 09-15")


def test_seasons_overlap(root: Path) -> None:
    edit(root, SEASONS, 'dates: [{from: "11-15", to: "03-15"}]',
         'dates: [{from: "11-15", to: "03-16"}]')
    line = line_of(root, SEASONS, '[{from: "03-16", to: "05-31"}')
    find_issue(issues_of(root), root, SEASONS, line, "seasons.shoulder.dates",
               "seasons winter and shoulder both cover 03-16")


# --- 12. a wall-clock time skipped by daylight saving -------------------------------------

SPRING_GALA = (
    "  - id: spring-gala-2027-03-28\n"
    "    title: Spring gala\n"
    "    date: 2027-03-28\n"
    '    doors_open: "02:30"\n'
    '    curtain: "03:00"\n'
    '    end: "04:00"\n'
    "    expected_attendance: 300\n"
)


def test_time_skipped_by_daylight_saving(root: Path) -> None:
    edit(root, ZONES, "timezone: Asia/Shanghai", "timezone: Europe/Berlin")
    anchor = "expected_attendance: 1300}\n"
    edit(root, SPECIALS, anchor, anchor + SPRING_GALA)
    line = line_of(root, SPECIALS, 'doors_open: "02:30"')
    issues = issues_of(root)
    find_issue(issues, root, SPECIALS, line, "performances[4].doors_open",
               "02:30 does not exist on 2027-03-28 in Europe/Berlin")
    assert not [i for i in issues if i.key == "performances[4].curtain"], issues
    assert_cli_error(root, SPECIALS, line, "performances[4].doors_open", "does not exist")


def test_same_time_without_daylight_saving_is_fine(root: Path) -> None:
    anchor = "expected_attendance: 1300}\n"
    edit(root, SPECIALS, anchor, anchor + SPRING_GALA)
    load_config(root)


# --- 13. a closed day with events ---------------------------------------------------------


def test_closed_day_with_a_dated_performance(root: Path) -> None:
    edit(root, SPECIALS, "closed: [2026-12-24, 2027-01-01, 2027-02-06, 2027-02-07]",
         "closed:\n  - 2026-12-24\n  - 2027-01-01\n  - 2027-01-18\n  - 2027-02-06\n")
    line = line_of(root, SPECIALS, "  - 2027-01-18")
    assert_cli_error(root, SPECIALS, line, "closed[2]",
                     "2027-01-18 is closed but this file has events on that day")


# --- 14. overlapping Modbus registers -----------------------------------------------------


def test_modbus_registers_overlap(root: Path) -> None:
    unit = "  ahu-stage-main:\n"
    edit(root, ZONES, "oa_damper_min: {table: holding, register: 3,",
         "oa_damper_min: {table: holding, register: 2,", after=unit)
    line = line_of(root, ZONES, "oa_damper_min: {table: holding, register: 2,")
    assert_cli_error(root, ZONES, line, "units.ahu-stage-main.points.oa_damper_min.register",
                     "register holding:2 is also used by setpoint")


# --- 15. a unit narrower than its zone ----------------------------------------------------


@pytest.mark.parametrize(
    ("new_range", "shown"),
    [("min: 20, max: 30", "20.0–30.0"), ("min: 15, max: 27", "15.0–27.0")],
    ids=["min-above-zone-min", "max-below-zone-max"],
)
def test_unit_setpoint_range_narrower_than_zone(root: Path, new_range: str, shown: str) -> None:
    old = "{table: holding, register: 1, type: float32, units: degC, min: 15, max: 30}"
    edit(root, ZONES, old, old.replace("min: 15, max: 30", new_range), after="  ahu-pit:\n")
    line = line_of(root, ZONES, "setpoint:", after="  ahu-pit:\n")
    assert_cli_error(root, ZONES, line, "units.ahu-pit.points.setpoint",
                     f"the unit accepts {shown} °C", "zone 'pit' allows 18.0–28.0 °C",
                     "must fit inside")


# --- 16. an end past midnight -------------------------------------------------------------


@pytest.mark.parametrize("end", ["00:30", "06:00"])
def test_end_past_midnight_accepted(root: Path, end: str) -> None:
    edit(root, SPECIALS, '    end: "00:45"', f'    end: "{end}"')
    config = load_config(root)
    tz = ZoneInfo("Asia/Shanghai")
    gala = [e for e in config.calendar.events_on(date(2026, 12, 31), tz)
            if isinstance(e, ShowEvent) and e.id == "new-year-gala-2026"]
    assert len(gala) == 1
    hour, minute = (int(x) for x in end.split(":"))
    assert gala[0].curtain == datetime(2026, 12, 31, 22, 0, tzinfo=tz)
    assert gala[0].end == datetime(2027, 1, 1, hour, minute, tzinfo=tz)


@pytest.mark.parametrize("end", ["06:01", "06:30", "21:00"])
def test_show_longer_than_8_hours_refused(root: Path, end: str) -> None:
    edit(root, SPECIALS, '    end: "00:45"', f'    end: "{end}"')
    line = line_of(root, SPECIALS, "  - id: new-year-gala-2026")
    find_issue(issues_of(root), root, SPECIALS, line, "performances[0]",
               f"end {end} makes the show last more than 8 h after the curtain 22:00")


# --- 17. validating a new text leaves the running config alone ----------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("idle:      {setpoint_c: 19.0, units: [ahu-aud-1]",
         "idle:      {setpoint_c: 35.0, units: [ahu-aud-1]"),
        ('dates: [{from: "06-01", to: "09-15"}]', 'dates: [{from: "06-01", to: "09-15"}'),
    ],
    ids=["out-of-limits", "syntax"],
)
def test_parse_broken_seasons_leaves_config_intact(root: Path, old: str, new: str) -> None:
    running = load_config(root)
    texts = config_files(root)
    before = copy.deepcopy(texts)
    on_disk = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert texts[SEASONS].count(old) == 1
    broken = {**texts, SEASONS: texts[SEASONS].replace(old, new)}
    with pytest.raises(ConfigError) as info:
        parse_config(broken)
    assert info.value.issues
    assert {i.file for i in info.value.issues} == {SEASONS}
    assert texts == before
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == on_disk
    assert load_config(root) == running
    assert parse_config(texts, display_root=root) == running


def test_a_text_parsed_before_is_not_parsed_again_and_each_caller_owns_its_copy() -> None:
    """The parse cache: the same text gives equal data (not the same object), and editing
    what one caller got cannot change what the next one gets."""
    from hvac_ctl.config.source import _parsed, parse_yaml

    text = (SINGLE_HALL / ZONES).read_text(encoding="utf-8")
    first = parse_yaml("a.yaml", text)
    hits = _parsed.cache_info().hits
    second = parse_yaml("b.yaml", text)
    assert _parsed.cache_info().hits == hits + 1
    assert second.data == first.data and second.data is not first.data
    first.data["zones"].clear()
    first.lines.clear()
    third = parse_yaml("c.yaml", text)
    assert third.data["zones"] and third.lines == second.lines
    assert third.name == "c.yaml"
    edited = parse_yaml("d.yaml", text.replace("name: ", "name:  ", 1))
    assert edited.data == second.data and _parsed.cache_info().hits == hits + 2


def test_the_parse_cache_keeps_a_text_as_one_bytes_object() -> None:
    """Not as the parsed dicts, strings and key tuples: those, made while ruamel's much
    larger tree was alive and held for the process's life, kept the memory it freed resident
    (a 505-unit venue's service ~13 MiB more; bench/perf --only memory)."""
    from hvac_ctl.config.source import _parsed

    for name in (ZONES, "schedules/seasons.yaml"):
        assert isinstance(_parsed((SINGLE_HALL / name).read_text(encoding="utf-8")), bytes)
