"""Broken configuration files get a ConfigError naming file:line, never another traceback.

The single-hall example's zones.yaml and schedules (`examples/single-hall`) are mutated — keys
deleted, values of other types and ranges, garbage text, broken YAML syntax, truncation,
unicode — and fed to `parse_config`, the parser the service runs on every file it reads and
every schedule PUT. An engineer editing these files by hand makes exactly such mistakes; the
answer must always be the list of `file:line: key: message` issues the README promises, or a
configuration that validates.

Each example parses the whole configuration (about 0.3 s of ruamel on this machine), so the
budgets are small and derandomized, a net for regressions more than a search; the search is
`HVAC_FUZZ_EXAMPLES=400 python3 -m pytest tests/test_config_fuzz.py` (random, minutes).
"""

from __future__ import annotations

import io
import os
import re
from datetime import date, time
from time import perf_counter
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from hvac_ctl.config import ConfigError, config_files, parse_config
from hvac_ctl.config.loader import CALENDAR_DIR, ZONES
from hvac_ctl.config.source import parse_yaml
from tests.harness import SINGLE_HALL

SHIPPED = config_files(SINGLE_HALL)
FILES = sorted(SHIPPED)
# CI runs the same few examples every time; HVAC_FUZZ_EXAMPLES=400 explores afresh (the
# bugs pinned at the end of this file were found that way). No shrinking: at 0.3 s an example
# it takes minutes, and a mutation is small to read anyway.
EXPLORE = os.environ.get("HVAC_FUZZ_EXAMPLES")
FUZZ = settings(max_examples=int(EXPLORE or 20), deadline=None, derandomize=not EXPLORE,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def assert_only_config_errors(texts: dict[str, str]) -> None:
    """parse_config accepts the files or raises ConfigError whose issues each name file:line."""
    try:
        parse_config(texts)
    except ConfigError as e:
        assert e.issues, "a ConfigError without issues"
        for issue in e.issues:
            assert issue.file in texts or issue.file == CALENDAR_DIR, issue
            lines = texts.get(issue.file, "").count("\n") + 1
            assert isinstance(issue.line, int) and 1 <= issue.line <= lines, (issue, lines)
            assert str(issue).startswith(f"{issue.file}:{issue.line}: "), issue
            assert issue.key and issue.message, issue


# --- values of every type and range an engineer (or a bad merge) can write ------------------

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(), st.sampled_from([0, -1, 2**31, 2**63, 10**30, -(10**30)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20), st.sampled_from(["", " ", "~", "null", "yes", "24:00", "25:61",
                                           "19:30", "-01:00", "02-30", "13-01", "00-00",
                                           "ahu-aud-1", "auditorium", "bacnet", "modbus",
                                           "Asia/Shanghai", "Mars/Olympus", "é ✓ 中文 \u200b"]),
    st.dates(), st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(1970, 1, 1)]),
    st.times().map(lambda t: t.strftime("%H:%M")), st.just(time(0, 0).isoformat()),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=6)


def edge_of(value: Any) -> st.SearchStrategy[Any]:
    """A value of the same type as `value`, at the edges of its range: the file stays well
    formed and the mistake reaches the checks behind the schema (an overflow, an overlap)."""
    if isinstance(value, bool):
        return st.sampled_from([not value, None, 0, "yes"])
    if isinstance(value, date):
        return st.one_of(st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(1999, 12, 31),
                                          date(2100, 1, 1), date(2026, 3, 29)]), st.dates())
    if isinstance(value, int):
        return st.sampled_from([0, -1, 1, 2**31, 2**63, 10**30, value * 1000])
    if isinstance(value, float):
        return st.sampled_from([0.0, -0.0, -1.0, 1e308, -1e308, float("nan"), float("inf"),
                                value * 1000])
    if isinstance(value, str) and re.fullmatch(r"\d\d:\d\d", value):
        return st.sampled_from(["00:00", "23:59", "24:00", "12:00", "00:30"])
    if isinstance(value, list):
        return st.sampled_from([[], value * 3, value[:1], [*value, *value[:1]]])
    if isinstance(value, dict):
        return st.just({})
    return st.text(max_size=20)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


def _dump(data: Any) -> str:
    out = io.StringIO()
    YAML().dump(data, out)
    return out.getvalue()


@st.composite
def data_mutation(draw: st.DrawFn, text: str) -> str:
    """The file as data, one to three keys deleted, retyped, pushed to an edge, renamed or
    added."""
    data = parse_yaml("x", text).data
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        how = draw(st.sampled_from(["delete", "replace", "edge", "edge", "edge", "rename", "add",
                                    "wrap"]))
        if how == "delete":
            del parent[last]
        elif how == "edge":
            parent[last] = draw(edge_of(parent[last]))
        elif how == "replace":
            parent[last] = draw(values)
        elif how == "rename" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = parent.pop(last)
        elif how == "add" and isinstance(parent[last], dict):
            parent[last][draw(st.text(min_size=1, max_size=12))] = draw(values)
        else:
            parent[last] = [parent[last]]
    return _dump(data)


@st.composite
def text_mutation(draw: st.DrawFn, text: str) -> str:
    """The file as text, with lines cut, doubled, swapped or re-indented, garbage let in."""
    for _ in range(draw(st.integers(1, 3))):
        lines = text.split("\n")
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "dedent",
                                    "garbage", "truncate", "char", "value", "syntax"]))
        if how == "delete":
            del lines[i]
        elif how == "duplicate":
            lines.insert(i, lines[i])
        elif how == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif how == "indent":
            lines[i] = " " * draw(st.integers(1, 5)) + lines[i]
        elif how == "dedent":
            lines[i] = lines[i].lstrip()
        elif how == "garbage":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.text(min_size=1, max_size=30)) + text[at:]
            continue
        elif how == "truncate":
            text = text[:draw(st.integers(0, len(text)))]
            continue
        elif how == "char" and lines[i]:
            k = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:k] + draw(st.characters()) + lines[i][k + 1:]
        elif how == "value":
            lines[i] = re.sub(r"(:\s+)([^\s{\[#][^,}\]#]*)", lambda m: m.group(1) + draw(
                st.sampled_from(["", "~", "[]", "{}", "-1", "1e400", ".nan", "x: y", "&a [*a]",
                                 "!!binary aGk=", "!!python/tuple [1]", "2026-02-30",
                                 "99:99", "'unterminated", '"\\uDC00"', "*nope", "|"])),
                              lines[i], count=1)
        elif how == "syntax":
            lines.insert(i, draw(st.sampled_from(["{", "]", "- - -", ": :", "\t- x", "%YAML 9",
                                                  "---", "...", "? [a]", "key: [1, 2",
                                                  "&anchor", "!!map x"])))
        text = "\n".join(lines)
    return text


@FUZZ
@given(data=st.data(), name=st.sampled_from(FILES))
def test_retyped_keys_get_config_errors(data: st.DataObject, name: str) -> None:
    texts = {**SHIPPED, name: data.draw(data_mutation(SHIPPED[name]))}
    assert_only_config_errors(texts)


@FUZZ
@given(data=st.data(), name=st.sampled_from(FILES))
def test_broken_text_gets_config_errors(data: st.DataObject, name: str) -> None:
    texts = {**SHIPPED, name: data.draw(text_mutation(SHIPPED[name]))}
    assert_only_config_errors(texts)


def test_the_shipped_files_parse() -> None:
    """The baseline the mutations start from: if this fails, the fuzzing proves nothing."""
    parse_config(SHIPPED)
    assert ZONES in SHIPPED and len(FILES) >= 3


# --- what the fuzzing found: each a traceback of another type before its fix ---------------

CAL = f"{CALENDAR_DIR}/x.yaml"


def _issues(calendar: str) -> list[str]:
    try:
        parse_config({**SHIPPED, CAL: calendar})
    except ConfigError as e:
        assert_only_config_errors({**SHIPPED, CAL: calendar})
        return [str(i) for i in e.issues]
    return []


def test_an_alias_inside_its_own_anchor() -> None:
    """`&a [2, *a]` is a list holding itself: RecursionError, and a 500 from a schedule PUT.

    (Under a mapping ruamel breaks the loop itself, with a null; in a sequence it does not.)"""
    assert _issues("- 1\n- &a [2, *a]\n") == [
        f"{CAL}:2: (syntax): an alias refers to the anchor it stands in: the data would "
        "never end"]


def test_aliases_of_aliases_stop_at_a_bound() -> None:
    """Nine levels of ten aliases each are 10⁹ values: it ran out of memory, slowly."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    issues = _issues("\n".join(lines))
    assert len(issues) == 1 and "expands to more than 100000 values" in issues[0], issues


def test_a_python_tag_on_a_sequence() -> None:
    """ruamel keeps no line for a `!!python/tuple` item: TypeError where a line was read."""
    issues = _issues("performances:\n  - !!python/tuple [1]\n")
    assert issues and all(i.startswith(f"{CAL}:2: performances[0]") for i in issues), issues


def test_dates_past_any_calendar() -> None:
    """Year 1 at +08:00 is year 0 in UTC, and 9999-12-31 has no next day: OverflowError."""
    show = ('{id: x, title: X, date: %s, doors_open: "%s", curtain: "%s", end: "01:30",'
             ' expected_attendance: 10}')
    for day, doors, curtain in (("0001-01-01", "00:10", "00:30"),  # doors in UTC year 0
                                ("9999-12-31", "19:00", "19:30")):  # ends in year 10000
        assert _issues(f"performances:\n  - {show % (day, doors, curtain)}\n") == [
            f"{CAL}:2: performances[0].date: {day} is outside the years 2000–2099"]
    assert _issues("closed: [2026-12-24, 9999-12-31]\n") == [
        f"{CAL}:1: closed[1]: 9999-12-31 is outside the years 2000–2099"]


def test_decades_of_weekly_events_validate_in_seconds() -> None:
    """The overlap check compared every pair of shows: 40 years of nightly shows and daily
    tours (a `to:` typed 2066 for 2026) took about a minute; swept in order, about a second."""
    every = "[mon, tue, wed, thu, fri, sat, sun]"
    pattern = ("weekly:\n  - {name: x, from: 2027-09-01, to: 2066-12-31,\n"
               f"     performances: [{{days: {every}, title: X, doors_open: '19:00',\n"
               "                      curtain: '19:30', end: '22:30', expected_attendance: 10}],\n"
               f"     tours: [{{days: {every}, start: '10:00', end: '11:00', route: [stage]}}]}}\n")
    began = perf_counter()
    assert _issues(pattern) == []
    assert perf_counter() - began < 10
