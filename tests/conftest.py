"""Shared fixtures: the single-hall venue (examples/single-hall), and venues built from it with
another calendar."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hvac_ctl.config import load_config, parse_config
from hvac_ctl.config.loader import SEASONS, ZONES
from hvac_ctl.model import Config
from tests import pg
from tests.harness import SINGLE_HALL, MakeConfig


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg.Cluster]:
    """One throwaway PostgreSQL for the run (`tests/pg.py`): started when a test first asks,
    stopped and removed at the end."""
    cluster = pg.start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store's URL on each engine: a SQLite file, and a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    cluster: pg.Cluster = request.getfixturevalue("postgres")
    return cluster.new_database()


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(SINGLE_HALL)


@pytest.fixture(scope="session")
def make_config() -> MakeConfig:
    """The single-hall zones and seasons with a calendar of your own (and optionally a timezone)."""

    zones = (SINGLE_HALL / ZONES).read_text()
    seasons = (SINGLE_HALL / SEASONS).read_text()

    def make(calendar: str, timezone: str | None = None, seasons_text: str | None = None) -> Config:
        z = zones if timezone is None else zones.replace(
            "timezone: Asia/Shanghai", f"timezone: {timezone}")
        return parse_config({ZONES: z, SEASONS: seasons_text or seasons,
                             "schedules/calendar/test.yaml": calendar})

    return make


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the single-hall configuration folder, free to edit."""
    cfg = tmp_path / "config"
    cfg.mkdir()
    shutil.copy2(SINGLE_HALL / ZONES, cfg / ZONES)
    shutil.copytree(SINGLE_HALL / "schedules", cfg / "schedules")
    return cfg


def chromium() -> str:
    """Debian's chromium; installed when missing (the test command's promise: a browser test
    that cannot get its browser fails, it does not skip)."""
    path = shutil.which("chromium")
    if path is None:
        subprocess.run(["apt-get", "update", "-q"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=True,
                       capture_output=True)
        path = shutil.which("chromium")
    assert path is not None, "chromium could not be installed"
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless chromium driven by Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    path = chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()
