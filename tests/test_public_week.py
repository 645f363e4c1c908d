"""bench/public_week.py on one spring day: the baseline's units fight, one mode per group
does not, and the harness hands every group to the `decide` it is given."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bench import public_week
from bench._site import site_venue
from hvac_ctl.config import load_config
from hvac_ctl.planner.inputs import HeldGroup
from hvac_ctl.simulation import building_spec
from simulator.building import BuildingSpec

DAY = date(2027, 4, 14)


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> BuildingSpec:
    s = site_venue(tmp_path_factory.mktemp("week") / "venue")
    return building_spec(load_config(s.folder))


def test_the_baseline_fights_and_one_mode_per_group_does_not(spec: BuildingSpec) -> None:
    baseline = {r.group: r for r in public_week.run(spec, 1, None, DAY)}
    ours = {r.group: r for r in public_week.run(spec, 1, public_week.ours_decision, DAY)}
    assert baseline["opera-public-1"].minority_unit_h > 1.0
    assert baseline["opera-public-1"].both_unit_h > baseline["opera-public-1"].minority_unit_h
    assert all(r.minority_unit_h == 0 and r.both_unit_h == 0 for r in ours.values())
    for r in (*baseline.values(), *ours.values()):
        low, mid, high = r.temp
        assert 5 < low <= mid <= high < 40
    text = public_week.table({"baseline": list(baseline.values()), "ours": list(ours.values())})
    assert "opera-public-1" in text and "corridors-1" in text


def test_the_harness_commands_what_decide_returns(spec: BuildingSpec) -> None:
    asked: list[tuple[str, datetime, HeldGroup | None]] = []

    def heat_half(group: str, at: datetime, outdoor_c: float, outdoor_rh: float,
                  held: HeldGroup | None) -> tuple[str, float, tuple[str, ...]]:
        asked.append((group, at, held))
        units = public_week.GROUP_UNITS[group]
        return "heat", 25.0, units[: len(units) // 2] if public_week.is_open(at) else ()

    rows = {r.group: r for r in public_week.run(spec, 1, heat_half, DAY)}
    assert {g for g, _, _ in asked} == set(rows)
    assert all(r.minority_unit_h == 0 for r in rows.values())
    assert rows["opera-public-1"].coil_kwh > 0  # heating to 25 °C in the morning
    held = [h for g, _, h in asked if g == "opera-public-1" and h is not None]
    assert held and all(h.mode == "heat" for h in held)
    assert held[0].since == datetime.combine(DAY, datetime.min.time(), public_week.TZ)
