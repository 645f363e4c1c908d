"""chiller_staging: the screw alone at small loads, centrifugals staged by load with a band,
minimum run and off times, lead/lag by run hours, free cooling, and a shortfall said."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hvac_ctl.config import load_config
from hvac_ctl.planner.chiller_staging import stage
from hvac_ctl.planner.inputs import ChillerState
from tests.harness import ROOT, local

PLANT = load_config(ROOT).venue.plant
assert PLANT is not None
AT = local("2027-07-03 15:00")
WB = 26.0  # a summer afternoon's wet-bulb


def test_the_screw_alone_at_small_loads_and_centrifugals_past_it() -> None:
    assert stage(PLANT, 600, WB, {}, {}, AT).running == ("ch-5",)
    two = stage(PLANT, 4500, WB, {}, {}, AT)
    assert [n for n in two.running if n != "ch-5"] == ["ch-1", "ch-2"]
    assert two.short_kw == 0 and two.capacity_kw >= 4500 * 1.1


def test_the_band_keeps_stages_from_flapping() -> None:
    held = {"ch-1": ChillerState(True, AT - timedelta(hours=2)),
            "ch-2": ChillerState(True, AT - timedelta(hours=2))}
    # two running at 3,000 kW: one alone would be loaded 85 %, over the band's bottom
    # (0.6): both stay, though one could carry it (a stage is not dropped at the first dip)
    assert set(stage(PLANT, 3000, WB, held, {}, AT).running) >= {"ch-1", "ch-2"}
    # at 1,500 kW one alone would be loaded 42 %: the other stops
    one = stage(PLANT, 1500, WB, held, {}, AT)
    assert len([n for n in one.running if n != "ch-5"]) == 1


def test_lead_lag_by_run_hours() -> None:
    hours = {"ch-1": 900.0, "ch-2": 100.0, "ch-3": 50.0, "ch-4": 400.0}
    up = stage(PLANT, 3000, WB, {}, hours, AT)
    assert "ch-3" in up.running and "ch-1" not in up.running


def test_minimum_run_and_off_hold_whatever_the_load() -> None:
    started = {"ch-1": ChillerState(True, AT - timedelta(minutes=10))}
    kept = stage(PLANT, 300, WB, started, {}, AT)
    assert "ch-1" in kept.running and "minimum run keeps ch-1" in kept.why
    stopped = {n: ChillerState(False, AT - timedelta(minutes=5)) for n in PLANT.chillers}
    short = stage(PLANT, 4000, WB, stopped, {}, AT)
    assert short.running == () and short.short_kw > 4000
    assert "kW short of the load" in short.why


def test_free_cooling_in_winter_runs_no_chiller() -> None:
    winter = local("2027-01-15 15:00")
    free = stage(PLANT, 1500, -3.0, {}, {}, winter)
    assert free.free_cooling and free.running == () and free.short_kw == 0


steps = st.lists(st.tuples(st.floats(min_value=0, max_value=16000), st.integers(1, 20)),
                 min_size=5, max_size=60)


@settings(max_examples=150, deadline=None)
@given(steps, st.floats(min_value=-10, max_value=28))
def test_staging_never_breaks_minimum_run_or_off_and_says_when_it_falls_short(
        sequence: list[tuple[float, int]], wet_bulb: float) -> None:
    """Loads over time, each decision fed back as the plant's state: no chiller stops inside
    its minimum run or starts inside its minimum off; the running capacity covers the load
    and its margin, or the shortfall is said."""
    s = PLANT.staging
    held: dict[str, ChillerState] = {}
    hours: dict[str, float] = {}
    at = AT
    for load, minutes in sequence:
        staged = stage(PLANT, load, wet_bulb, held, hours, at)
        for n in PLANT.chillers:
            before = held.get(n)
            running = n in staged.running
            if before is not None and before.since is not None and before.running != running:
                wait = s.min_run_min if before.running else s.min_off_min
                assert at - before.since >= timedelta(minutes=wait), (n, at, before)
            if before is None or before.running != running:
                held[n] = ChillerState(running, at)
        assert staged.capacity_kw + staged.short_kw >= load * (1 + s.margin) - 1e-6
        for n in staged.running:
            hours[n] = hours.get(n, 0.0) + minutes / 60
        at += timedelta(minutes=minutes)
