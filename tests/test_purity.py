"""The planner and the model are pure: no clock, no disk, no network, no writes to the config.

`scan` reads a module's source and lists what a pure module may not do: import anything but
data types and arithmetic, call a clock or an I/O function, or write into the configuration
it is given (assign to, or call a mutating method on, anything reached from `config`,
`venue`, `seasons`, `calendar` or a `ctx`'s configuration). The self-test runs the same scan
on planted violations, so the check itself can fail; and a year planned from one
configuration must leave it equal to a fresh copy of itself.
"""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest

from hvac_ctl.config import load_config
from hvac_ctl.planner import PlanCache, PlanInputs, plan_day
from tests.harness import ROOT, SINGLE_HALL

PURE_PACKAGES = ("hvac_ctl/planner", "hvac_ctl/model")
# What pure code may import: data types and arithmetic. zoneinfo is allowed in the model only,
# to check a timezone name while validating; the planner receives tz objects ready-made.
ALLOWED = {
    "__future__", "collections", "collections.abc", "dataclasses", "datetime", "enum",
    "itertools", "math", "re", "typing", "bisect", "functools", "pydantic", "types",
}
MODEL_ONLY = {"zoneinfo"}
# Method names that read a clock (`datetime.now()`, `date.today()`); the `time` module itself
# is not importable from pure code at all.
CLOCK_CALLS = {"now", "today", "utcnow", "monotonic", "perf_counter", "sleep", "time_ns"}
IO_CALLS = {"open", "read_text", "read_bytes", "write_text", "urlopen", "connect", "socket"}
# What holds the configuration in pure code, and what would change it in place.
CONFIG_ROOTS = {"config", "venue", "seasons", "calendar"}
MUTATORS = {"append", "extend", "insert", "update", "setdefault", "pop", "popitem", "clear",
            "remove", "add", "discard", "sort", "reverse", "__setattr__", "__setitem__"}


def _reaches_config(node: ast.AST) -> bool:
    """An expression that reads from the configuration: `config…`, `ctx.config…`,
    `self.venue…`, `z.limits` is not (a zone is read from it, never written)."""
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        if isinstance(node, ast.Attribute) and node.attr in CONFIG_ROOTS:
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return isinstance(node, ast.Name) and node.id in CONFIG_ROOTS


def scan(source: str, name: str, model: bool = False) -> list[str]:
    """What a pure module does that it may not, as `name:line: what`."""
    tree = ast.parse(source, name)
    allowed = ALLOWED | (MODEL_ONLY if model else set())
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        for imported in names:
            if not imported.startswith(("hvac_ctl.planner", "hvac_ctl.model")) and (
                    imported not in allowed):
                found.append(f"{name}:{node.lineno}: imports {imported}")
        if isinstance(node, ast.Call):
            func = node.func
            method = func.attr if isinstance(func, ast.Attribute) else ""
            called = method or getattr(func, "id", "")
            if method in CLOCK_CALLS:
                found.append(f"{name}:{node.lineno}: calls {method}()")
            if called in IO_CALLS:
                found.append(f"{name}:{node.lineno}: calls {called}()")
            if method in MUTATORS and _reaches_config(func.value):  # type: ignore[union-attr]
                found.append(f"{name}:{node.lineno}: changes the configuration ({method})")
            if called == "setattr" and node.args and _reaches_config(node.args[0]):
                found.append(f"{name}:{node.lineno}: changes the configuration (setattr)")
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            # `x.a = …` and `x[k] = …` write into x: the configuration if x is reached from it
            # (`self.config = config` only names it).
            if isinstance(target, ast.Attribute | ast.Subscript) and _reaches_config(
                    target.value):
                found.append(f"{name}:{node.lineno}: writes into the configuration")
    return sorted(found, key=lambda f: int(f.split(":")[1]))


def _files() -> list[Path]:
    return sorted(p for pkg in PURE_PACKAGES for p in (ROOT / pkg).glob("*.py"))


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_modules_are_pure(path: Path) -> None:
    assert scan(path.read_text(), path.name, model="model" in path.parts) == []


def test_the_scan_finds_what_it_looks_for() -> None:
    """The real scan, on planted violations: each must be caught."""
    planted = """
from datetime import datetime
import os
x = datetime.now()
open("f")
config.memo[key] = value
ctx.config.venue.units["a"] = None
self.venue.zones.update({})
setattr(config, "memo", {})
seasons.seasons["summer"].zones += []
ok = config.venue.units["a"]            # reading is fine
z.limits = None                         # not reached from the configuration by name
"""
    found = scan(planted, "planted.py")
    assert found == [
        "planted.py:3: imports os",
        "planted.py:4: calls now()",
        "planted.py:5: calls open()",
        "planted.py:6: writes into the configuration",
        "planted.py:7: writes into the configuration",
        "planted.py:8: changes the configuration (update)",
        "planted.py:9: changes the configuration (setattr)",
        "planted.py:10: writes into the configuration",
    ], found


def test_a_year_of_planning_leaves_the_configuration_as_it_was() -> None:
    """Nothing the planner does writes into its configuration: a year planned from it, with
    and without a cache, leaves it equal to a fresh load, and it has no place for a memo."""
    config = load_config(SINGLE_HALL)
    fresh = load_config(SINGLE_HALL)
    cache = PlanCache(config)
    day = date(2026, 9, 1)
    while day < date(2027, 9, 1):
        plan_day(config, day, PlanInputs(outdoor_temp_c=12.0), cache)
        plan_day(config, day)
        day += timedelta(days=9)
    assert config.venue.model_dump() == fresh.venue.model_dump()
    assert config.seasons.model_dump() == fresh.seasons.model_dump()
    assert config.calendar == fresh.calendar
    assert set(vars(config)) == {"venue", "seasons", "calendar"}
    assert set(vars(config.calendar)) == {"files", "first_hall"}
    with pytest.raises(ValueError, match="serves the configuration it was made for"):
        plan_day(fresh, date(2026, 12, 5), cache=cache)
