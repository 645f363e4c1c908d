"""The golden plans stay byte-identical: a refactor must not change what the planner plans.

See `tests/golden/plans.py` for the days, and for regenerating them when a change means to.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden.plans import DAYS, MEASURED, Day, Measured, render, render_states


@pytest.mark.parametrize("day", DAYS, ids=lambda d: f"{d.calendar}-{d.date}")
def test_the_plan_is_the_golden_one(day: Day, tmp_path: Path) -> None:
    golden = day.file.read_text(encoding="utf-8")
    assert render(day, tmp_path) == golden, (
        f"{day.file.name} ({day.what}) changed; if a change means to alter plans, regenerate "
        "them in a commit of their own: python3 -m tests.golden.plans")


@pytest.mark.parametrize("m", MEASURED, ids=lambda m: f"{m.date}-{m.outdoor_c:g}")
def test_the_plan_on_measurements_is_the_golden_one(m: Measured) -> None:
    assert render_states(m) == m.file.read_text(encoding="utf-8"), (
        f"{m.file.name} ({m.what}) changed; if a change means to alter plans, regenerate "
        "them in a commit of their own: python3 -m tests.golden.plans")


def test_the_golden_days_are_varied() -> None:
    """At least 12 days, both calendars, every phase, a show past midnight."""
    import json

    assert len(DAYS) >= 12
    assert {d.calendar for d in DAYS} == {"shipped", "evaluation"}
    phases: set[str] = set()
    for d in DAYS:
        phases |= {s["phase"] for s in json.loads(d.file.read_text(encoding="utf-8"))}
    assert phases == {"idle", "tour", "get_in", "precool", "show", "post_show"}
