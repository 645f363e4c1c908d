"""Every show day of a year, in process: nobody sits in a hall below 20 °C or above 27 °C.

The single-hall example's calendar (September 2026 to August 2027, 279 shows) on the normals
weather, the service's loop driving the simulated hall as `bench/evaluate` does
(`bench/evaluate/year.py` prints the same run's worst shows). About a minute and a half.
"""

from __future__ import annotations

import pytest

from bench.evaluate.year import COMFORT_C, LONGEST_ALLOWED_MIN, year_of_shows
from hvac_ctl.model import Config

pytestmark = pytest.mark.e2e


def test_in_every_show_of_the_year_every_occupied_zone_stays_between_20_and_27_c(
        config: Config) -> None:
    span = config.calendar.date_range()
    assert span is not None and (span[1] - span[0]).days >= 355
    judged = year_of_shows(config, *span)
    shows = {j.show for j in judged}
    assert len(shows) >= 270
    assert {j.zone for j in judged} == {"auditorium", "stage", "pit"}
    bad = [j for j in judged if j.longest_out_min > LONGEST_ALLOWED_MIN]
    assert not bad, bad
    coldest = min(judged, key=lambda j: j.min_c)
    warmest = max(judged, key=lambda j: j.max_c)
    print(f"\ncoldest: {coldest}\nwarmest: {warmest}")
    assert COMFORT_C[0] - 1 < coldest.min_c and warmest.max_c < COMFORT_C[1] + 1
