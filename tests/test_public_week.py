"""bench/public_week.py on one spring day: the baseline's units fight; the planner's groups
run one mode each, changed no more often than the dwell allows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bench import public_week
from bench._site import site_venue
from hvac_ctl.config import load_config
from hvac_ctl.model import Config
from hvac_ctl.simulation import building_spec

DAY = date(2027, 4, 14)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return load_config(site_venue(tmp_path_factory.mktemp("week") / "venue").folder)


def test_the_baseline_fights_and_the_planners_groups_do_not(config: Config) -> None:
    spec = building_spec(config)
    baseline = {r.group: r for r in public_week.run(spec, 1, None, DAY)}
    ours = {r.group: r for r in public_week.run(spec, 1, config, DAY)}
    assert baseline["opera-public-1"].minority_unit_h > 1.0
    assert baseline["opera-public-1"].both_unit_h > baseline["opera-public-1"].minority_unit_h
    assert all(r.minority_unit_h == 0 and r.both_unit_h == 0 for r in ours.values())
    for gid, r in ours.items():
        dwell = timedelta(minutes=config.venue.groups[gid].min_dwell_min)
        assert r.most_group_changes is not None
        assert r.most_group_changes <= timedelta(days=1) // dwell + 1
        assert r.coil_kwh > 0 or gid.startswith("corridors")  # the hall is conditioned
    for r in (*baseline.values(), *ours.values()):
        low, mid, high = r.temp
        assert 5 < low <= mid <= high < 40
    text = public_week.table({"baseline": list(baseline.values()),
                              "ours": list(ours.values())})
    assert "opera-public-1" in text and "corridors-1" in text
