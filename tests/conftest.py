"""Shared fixtures: the default venue, and venues built from the defaults with another calendar."""

from __future__ import annotations

import pytest

from hvac_ctl.config import load_config, parse_config
from hvac_ctl.config.loader import SEASONS, ZONES
from hvac_ctl.model import Config
from tests.harness import ROOT, MakeConfig


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(ROOT)


@pytest.fixture(scope="session")
def make_config() -> MakeConfig:
    """The default zones and seasons with a calendar of your own (and optionally a timezone)."""

    zones = (ROOT / ZONES).read_text()
    seasons = (ROOT / SEASONS).read_text()

    def make(calendar: str, timezone: str | None = None, seasons_text: str | None = None) -> Config:
        z = zones if timezone is None else zones.replace(
            "timezone: Asia/Shanghai", f"timezone: {timezone}")
        return parse_config({ZONES: z, SEASONS: seasons_text or seasons,
                             "schedules/calendar/test.yaml": calendar})

    return make
