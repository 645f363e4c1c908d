"""Alarms in sight and why a unit does what it does, in a real headless chromium.

The service on a real socket (uvicorn) and a real SQLite store, its units behind the in-memory
driver whose sensor values the test sets, on a manual clock the test steps — all in a thread of
their own. The browser watches the hall colour a zone that leaves its band, the banner, the
navigation's counts and the title badge follow the alarms on every page without a reload, a
new alarm beep (sound on, remembered across pages) or not (muted), an override marked on its
unit with who, value, reason and time left, and a unit's row open on the plan's reason and the
last write with its why.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from hvac_ctl.clock import ManualClock
from hvac_ctl.config import load_config
from hvac_ctl.devices import memory_drivers
from hvac_ctl.model.points import COMMAND_POINTS
from hvac_ctl.service.build import Service, build_service
from hvac_ctl.service.settings import ServiceSettings
from hvac_ctl.store import Store
from tests.harness import SINGLE_HALL, free_port, local

pytestmark = pytest.mark.browser
T = TypeVar("T")
OPERATOR = ("opal", "pw-operator-Tm4qZ8xK")
NORMAL = {"zone_rh": 45.0, "co2": 600.0, "supply_temp": 16.0, "fan_status": True,
          "oa_temp": -2.0}


class Hall:
    """The service in a thread with its own event loop; `call` runs a coroutine there."""

    def __init__(self, tmp: Path) -> None:
        folder = tmp / "config"
        folder.mkdir()
        shutil.copy(SINGLE_HALL / "zones.yaml", folder / "zones.yaml")
        shutil.copytree(SINGLE_HALL / "schedules", folder / "schedules")
        config = load_config(folder)
        self.store = Store(f"sqlite:///{tmp / 'store.db'}")
        self.store.migrate()
        self.store.create_user(OPERATOR[0], "operator", OPERATOR[1])
        self.clock = ManualClock(local("2026-12-05 19:40"))  # Tosca is on
        self.drivers = memory_drivers(config)
        self.driver: Any = self.drivers["bacnet"]
        for unit, u in config.venue.units.items():
            for point in u.points.names():
                if point not in COMMAND_POINTS:
                    self.driver.values[(unit, point)] = NORMAL.get(point, 0.0)
        self.service: Service = build_service(ServiceSettings(config_dir=folder), self.clock,
                                              self.store, self.drivers)
        self.port = free_port(socket.SOCK_STREAM)
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),),
                                       daemon=True)

    async def _main(self) -> None:
        server = self.service.server("127.0.0.1", self.port, log_level="warning")
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.05)
        self.ready.set()
        while not self.stop.is_set():
            await asyncio.sleep(0.05)
        server.should_exit = True
        await serving

    def call(self, make: Callable[[], Awaitable[T]]) -> T:
        return asyncio.run_coroutine_threadsafe(_run(make), self.loop).result(30)

    def measure(self, zone: str, **values: float) -> None:
        """Every unit of `zone` reads these from now on."""
        for unit in self.service.runtime.config.venue.units_of(zone):
            for point, v in values.items():
                self.driver.values[(unit, point)] = v

    def step(self, minutes: int = 1) -> None:
        rt = self.service.runtime

        async def go() -> None:
            for _ in range(minutes):
                self.clock.advance(timedelta(minutes=1))
                await rt.poller.poll_all()
                await rt.tick()
            await rt.idle()

        self.call(go)


async def _run(make: Callable[[], Awaitable[T]]) -> T:
    return await make()


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    h = Hall(tmp_path_factory.mktemp("alarms"))
    h.thread.start()
    assert h.ready.wait(60), "the service did not start"
    target = h.service.runtime.loop.last_state
    assert target is not None
    for zone, zs in target.zones.items():
        h.measure(zone, zone_temp=zs.setpoint_c)
    h.step(1)
    yield h
    h.stop.set()
    h.thread.join(30)
    h.store.close()


def signed_in(browser: Any, hall: Hall) -> Any:
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.goto(f"{hall.url}/panel/login")
    page.fill("#name", OPERATOR[0])
    page.fill("#password", OPERATOR[1])
    page.click("button[type=submit]")
    page.wait_for_url(f"{hall.url}/panel")
    return page


def count(page: Any, severity: str) -> int:
    el = page.locator(f"[data-alarm-count={severity}]")
    return 0 if el.is_hidden() else int(el.inner_text())


def test_alarms_are_in_sight_on_every_page_and_announced(browser: Any, hall: Hall) -> None:
    page = signed_in(browser, hall)
    temp = page.locator("[data-zone=auditorium] [data-f=temp]")
    assert "out" not in (temp.get_attribute("class") or "").split()
    assert not page.title().startswith("(") and count(page, "major") == 0
    assert page.locator("#alarm-banner").is_hidden()
    page.click("#sound")  # sound on: remembered in this browser
    assert page.locator("#sound").get_attribute("aria-pressed") == "true"

    hall.measure("auditorium", zone_temp=29.0)  # far above the show's band
    hall.step(1)
    page.wait_for_function("document.querySelector('[data-zone=auditorium] [data-f=temp]')"
                           ".classList.contains('out')", timeout=10_000)
    stage = page.locator("[data-zone=stage] [data-f=temp]")
    assert "out" not in (stage.get_attribute("class") or "").split()

    hall.step(16)  # past the out-of-band alarm's delay: a major alarm
    page.wait_for_selector("#alarm-banner .banner-alarm.major", timeout=10_000)
    assert "auditorium" in page.locator("#alarm-banner").inner_text()
    page.wait_for_function("document.title.startsWith('(1) ')", timeout=10_000)
    assert count(page, "major") == 1
    assert page.evaluate("window.hvacPanel.beeps") == 1

    # another page: the counts come with it and follow without a reload
    page.goto(f"{hall.url}/panel/tonight")
    assert page.title().startswith("(1) ") and count(page, "major") == 1
    assert page.evaluate("window.hvacPanel.beeps") == 0  # announced already, on the hall
    assert page.locator("#sound").get_attribute("aria-pressed") == "true"
    hall.measure("auditorium", co2=1600.0)
    hall.step(3)
    page.wait_for_function("document.title.startsWith('(2) ')", timeout=12_000)
    assert count(page, "major") == 2
    assert page.evaluate("window.hvacPanel.beeps") == 1  # the new one, sound on

    page.click("#sound")  # muted: a new alarm shows, and is silent
    hall.driver.values[("ahu-pit", "supply_temp")] = 1000.0  # implausible: a minor alarm
    hall.step(1)
    page.wait_for_function("document.title.startsWith('(3) ')", timeout=12_000)
    assert count(page, "minor") == 1
    assert page.evaluate("window.hvacPanel.beeps") == 1

    page.goto(f"{hall.url}/panel/alarms")  # acknowledged: no badge, the counts stay
    while page.locator("#alarms button").count():
        page.locator("#alarms button").first.click()
        page.wait_for_url(f"{hall.url}/panel/alarms")
    assert not page.title().startswith("(")
    assert (count(page, "major"), count(page, "minor")) == (2, 1)
    page.goto(f"{hall.url}/panel")
    page.wait_for_selector("#alarm-banner .banner-alarm.acked", timeout=10_000)

    hall.measure("auditorium", zone_temp=hall.service.runtime.loop.last_state.zones[
        "auditorium"].setpoint_c, co2=600.0)
    hall.driver.values[("ahu-pit", "supply_temp")] = 16.0
    hall.step(2)
    page.wait_for_function("!document.querySelector('[data-zone=auditorium] [data-f=temp]')"
                           ".classList.contains('out')", timeout=10_000)
    page.wait_for_function("document.getElementById('alarm-banner').hidden", timeout=10_000)
    assert (count(page, "major"), count(page, "minor")) == (0, 0)
    page.context.close()


def test_an_overridden_point_is_marked_and_a_row_says_why(browser: Any, hall: Hall) -> None:
    from hvac_ctl.application.overrides import OverrideIn

    app = hall.service.application
    row = hall.call(lambda: app.overrides.create(OverrideIn(
        unit="ahu-aud-1", point="fan_speed_max", value=55, minutes=30,
        reason="the strings hear the fan"), OPERATOR[0]))
    page = signed_in(browser, hall)
    unit = page.locator("[data-zone=auditorium] [data-unit=ahu-aud-1]")
    assert "overridden" in (unit.locator("[data-p=fan_speed_max]").get_attribute("class") or "")
    assert "overridden" not in (unit.locator("[data-p=setpoint]").get_attribute("class") or "")
    mark = page.locator(f"[data-more=ahu-aud-1] [data-override={row.id}]")
    text = mark.inner_text()
    for part in ("fan_speed_max", "55", OPERATOR[0], "the strings hear the fan", "30 min left"):
        assert part in text, text
    hall.step(5)  # the time left follows live
    page.wait_for_function(
        f"document.querySelector('[data-override={row.id}]').textContent"
        ".includes('25 min left')", timeout=10_000)

    page.click("[data-why=ahu-aud-1]")
    why = page.locator("[data-more=ahu-aud-1] [data-f=why]")
    page.wait_for_selector("[data-more=ahu-aud-1] [data-f=why][data-loaded]", timeout=10_000)
    text = why.inner_text()
    reason = hall.service.runtime.loop.last_state.zones["auditorium"].reason
    assert f"Plan: show — {reason}" in text, text
    assert "Last write:" in text and "at priority" in text
    last = hall.store.audit_entries(unit="ahu-aud-1", action="write", limit=1)[0]
    assert last.why in text, (last.why, text)
    page.click("[data-why=ahu-aud-1]")
    assert why.is_hidden()
    page.context.close()
