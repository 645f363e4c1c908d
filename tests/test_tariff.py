"""The tariff: bands by hour and month, prices by ratio; a day covered twice or not at all is
refused with the hour named."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from hvac_ctl.config import ConfigError, load_config, parse_config
from hvac_ctl.config.loader import ZONES, config_files
from hvac_ctl.model.tariff import Band
from tests.harness import ROOT

TARIFF = load_config(ROOT).venue.tariff
assert TARIFF is not None


@pytest.mark.parametrize(("month", "at", "band"), [
    (4, time(3, 0), Band.valley), (4, time(8, 30), Band.flat), (4, time(11, 0), Band.peak),
    (4, time(19, 30), Band.peak), (4, time(22, 30), Band.flat), (4, time(23, 30), Band.valley),
    (7, time(11, 30), Band.critical), (7, time(16, 30), Band.critical),
    (7, time(19, 30), Band.peak), (12, time(19, 30), Band.critical),
    (12, time(11, 30), Band.peak),
])
def test_the_band_of_an_hour_in_a_month(month: int, at: time, band: Band) -> None:
    assert TARIFF.band_at(month, at) == band


def test_prices_are_the_flat_price_times_the_bands_ratio() -> None:
    assert TARIFF.price(Band.peak) == pytest.approx(1.8 * TARIFF.flat_cny_per_kwh)
    assert TARIFF.price(Band.valley) < TARIFF.price(Band.flat) < TARIFF.price(Band.critical)


def test_the_price_of_an_instant_is_its_bands_price_in_its_month() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    assert TARIFF.price_at(datetime(2027, 7, 3, 11, 30, tzinfo=tz)) == pytest.approx(
        2.16 * TARIFF.flat_cny_per_kwh)  # July's critical peak
    assert TARIFF.price_at(datetime(2027, 4, 3, 11, 30, tzinfo=tz)) == pytest.approx(
        1.8 * TARIFF.flat_cny_per_kwh)  # April: the same hour is a peak
    assert TARIFF.price_at(datetime(2027, 7, 3, 23, 59, tzinfo=tz)) == pytest.approx(
        0.3 * TARIFF.flat_cny_per_kwh)


def test_a_day_covered_twice_is_refused_naming_the_time() -> None:
    texts = config_files(ROOT)
    texts[ZONES] = texts[ZONES].replace('{band: flat,   start: "22:00", end: "23:00"}',
                                        '{band: flat,   start: "21:00", end: "23:00"}')
    with pytest.raises(ConfigError, match="21:00 is in two spans"):
        parse_config(texts)
