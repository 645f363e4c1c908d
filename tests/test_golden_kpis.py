"""The evaluation's KPIs against the golden table (bench/evaluate/golden_kpis.json): every
strategy over summer and winter, in parallel processes, within the tolerances the table's
header states (energy 0.5 %, discomfort 0.01 K·h, CO2 ppm·h 0.5 %, every count equal)."""

from __future__ import annotations

import pytest

from bench.evaluate import golden


@pytest.mark.e2e
def test_every_strategy_and_season_keeps_its_golden_kpis() -> None:
    want = golden.load()
    assert set(want) == {f"{s}/{n}" for s in golden.SEASONS for n in golden.STRATEGIES}
    got, _ = golden.measure()
    bad = golden.compare(want, got)
    assert not bad, "out of tolerance:\n" + "\n".join(bad)


def test_the_comparison_names_each_kpi_out_of_tolerance() -> None:
    """The check can fail: a table moved past each tolerance is caught, KPI by KPI, and one
    moved within them is not."""
    want = golden.load()
    run = "summer/ours"
    g = want[run]
    inside = dict(g)
    inside["energy_kwh.total"] *= 1.004
    inside["discomfort_kh.auditorium"] += 0.009
    assert golden.compare({run: g}, {run: inside}) == []
    outside = dict(g)
    outside["energy_kwh.total"] *= 1.006
    outside["discomfort_kh.auditorium"] += 0.011
    outside["curtain_ready"] -= 1
    outside["co2_longest_min"] += 1
    del outside["unit_starts"]
    bad = golden.compare({run: g}, {run: outside})
    named = {line.split(" ")[1].rstrip(":") for line in bad}
    assert named == {"energy_kwh.total", "discomfort_kh.auditorium", "curtain_ready",
                     "co2_longest_min", "unit_starts"}
    assert golden.compare(want, {}) == [f"{r}: not run" for r in want]
