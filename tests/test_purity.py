"""The planner module imports nothing that reads the clock, the disk or the network."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PURE_PACKAGES = ("hvac_ctl/planner", "hvac_ctl/model")
# What pure code may import: data types and arithmetic. zoneinfo is allowed in the model only,
# to check a timezone name while validating; the planner receives tz objects ready-made.
ALLOWED = {
    "__future__", "collections", "collections.abc", "dataclasses", "datetime", "enum",
    "itertools", "math", "re", "typing", "bisect", "functools", "pydantic",
}
MODEL_ONLY = {"zoneinfo"}
# Method names that read a clock (`datetime.now()`, `date.today()`); the `time` module itself
# is not importable from pure code at all.
CLOCK_CALLS = {"now", "today", "utcnow", "monotonic", "perf_counter", "sleep", "time_ns"}
IO_CALLS = {"open", "read_text", "read_bytes", "write_text", "urlopen", "connect", "socket"}


def _files() -> list[Path]:
    return sorted(p for pkg in PURE_PACKAGES for p in (ROOT / pkg).glob("*.py"))


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_modules_import_only_pure_things(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    allowed = ALLOWED | (MODEL_ONLY if "model" in path.parts else set())
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        for name in names:
            ours = name.startswith(("hvac_ctl.planner", "hvac_ctl.model"))
            assert ours or name in allowed, f"{path.name} imports {name}"
        if isinstance(node, ast.Call):
            func = node.func
            method = func.attr if isinstance(func, ast.Attribute) else ""
            called = method or getattr(func, "id", "")
            assert method not in CLOCK_CALLS, f"{path.name}:{node.lineno} calls {method}()"
            assert called not in IO_CALLS, f"{path.name}:{node.lineno} calls {called}()"


def test_the_scan_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The check above must be able to fail: a module reading the clock is caught."""
    bad = "from datetime import datetime\nimport os\nx = datetime.now()\n"
    tree = ast.parse(bad)
    calls = [n.func.attr for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
    imports = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert "now" in calls and CLOCK_CALLS & set(calls)
    assert "os" in imports and "os" not in ALLOWED
