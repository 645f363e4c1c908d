"""The house rules of the layout, checked: small modules, one router per resource, the service
built one way, tests that share a harness instead of importing each other, and the dead code
found in review kept dead."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from hvac_ctl.control.alarms import AlarmBook
from hvac_ctl.model import venue
from hvac_ctl.service.routers import ROUTERS
from hvac_ctl.service.runtime import Runtime
from hvac_ctl.service.settings import ServiceSettings
from tests.harness import ROOT

MAX_LINES = 400


def test_no_module_of_the_service_is_over_400_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "hvac_ctl").rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_each_api_route_lives_in_the_router_of_its_resource() -> None:
    """/api/v1/<resource>… in routers/<module> whose prefix names it; nothing defined in the
    app factory itself."""
    for router in ROUTERS:
        for route in router.routes:
            path = getattr(route, "path", "")
            assert path.startswith(router.prefix), (router.prefix, path)
    app = (ROOT / "hvac_ctl/service/app.py").read_text()
    assert not re.search(r"@app\.(get|post|put|delete|patch)\(", app)


def test_callers_build_the_service_one_way() -> None:
    """The CLI, the demo, the tests and the benches call build_service(), never Runtime() or
    create_app() themselves."""
    allowed = {"hvac_ctl/service/build.py"}
    found = []
    for folder in ("hvac_ctl", "tests", "bench"):
        for p in (ROOT / folder).rglob("*.py"):
            rel = str(p.relative_to(ROOT))
            if rel in allowed or rel == "tests/test_layout.py":
                continue
            for node in ast.walk(ast.parse(p.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                        "Runtime", "create_app"):
                    found.append(f"{rel}:{node.lineno}")
    assert found == []


def test_tests_share_a_harness_instead_of_importing_each_other() -> None:
    found = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "tests").rglob("*.py")
             for n, line in enumerate(p.read_text().splitlines(), 1)
             if re.match(r"\s*(from|import) tests\.(planner\.)?test_", line)]
    assert found == []


def test_the_dead_code_found_in_review_stays_dead() -> None:
    assert "db_url" not in ServiceSettings.__dataclass_fields__
    assert not hasattr(Runtime, "status") and not hasattr(Runtime, "last_tick")
    assert not hasattr(AlarmBook, "clear")
    assert not hasattr(venue, "MODES")


def test_the_planner_modules_each_have_a_test_file() -> None:
    """A sequence is a module with its rule in its docstring and tests of its own."""
    shared = {"__init__", "inputs", "outputs", "phase", "plan"}  # types and the composition
    modules = {p.stem for p in (ROOT / "hvac_ctl/planner").glob("*.py")} - shared
    tested = {p.stem.removeprefix("test_") for p in (ROOT / "tests/planner").glob("test_*.py")}
    assert modules - tested == set()
    for name in modules:
        doc = ast.get_docstring(ast.parse((ROOT / "hvac_ctl/planner" / f"{name}.py").read_text()))
        assert doc and len(doc) > 80, name


def test_layers_point_one_way() -> None:
    """The planner and the model know nothing of the service; the application layer nothing of
    HTTP."""
    def imports(folder: str) -> set[str]:
        out = set()
        for p in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(p.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module:
                    out.add(node.module)
                elif isinstance(node, ast.Import):
                    out.update(a.name for a in node.names)
        return out

    for folder in ("hvac_ctl/planner", "hvac_ctl/model"):
        assert not {m for m in imports(folder) if m.startswith(
            ("hvac_ctl.service", "hvac_ctl.application", "hvac_ctl.store", "fastapi"))}
    assert not {m for m in imports("hvac_ctl/application") if m.startswith(
        ("fastapi", "starlette", "hvac_ctl.panel", "hvac_ctl.service.routers"))}


def test_layout_is_as_the_readme_says() -> None:
    readme = (ROOT / "README.md").read_text()
    for folder in ("hvac_ctl/application/", "hvac_ctl/service/routers/", "hvac_ctl/store/"):
        assert f"`{folder}`" in readme, folder
    assert Path(ROOT / "LICENSE").read_text().lstrip().startswith("Apache License")
