"""Shared fixtures: the default venue, and venues built from the defaults with another calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hvac_ctl.config import load_config, parse_config
from hvac_ctl.config.loader import SEASONS, ZONES
from hvac_ctl.model import Config

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")

MakeConfig = Callable[..., Config]


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


def local(text: str, tz: ZoneInfo = SHANGHAI) -> datetime:
    """'2026-12-05 19:30' at the venue."""
    return datetime.fromisoformat(text).replace(tzinfo=tz)
