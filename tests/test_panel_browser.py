"""The panel in a real headless browser (Playwright driving Debian's chromium).

The service, the simulator and a store run in a background thread on free loopback ports, on
an accelerated clock; the browser signs in, watches the hall update itself, sets and releases
an override that is read back from the simulated unit over BACnet, and is refused where it
should be. Screenshots of each page are saved under artifacts/ and docs/.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hvac_ctl.config import load_config
from hvac_ctl.devices import DriverSettings
from hvac_ctl.service.build import build_service
from hvac_ctl.service.settings import ServiceSettings
from hvac_ctl.simulation import building_spec, calendar_scenario
from hvac_ctl.store import Store
from simulator.clock import SimClock
from simulator.runner import SimulatedBuilding
from simulator.weather import DesignDay
from tests.harness import ROOT, Ports, bacnet_client, config_on_free_ports, free_port, local

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts"
DOCS = ROOT / "docs"
PASSWORDS = {"opera": ("operator", "curtain-up-2026"), "vera": ("viewer", "just-looking-2026")}


class Live:
    """Service + simulator + store in a thread of their own, on an accelerated clock."""

    def __init__(self, tmp: Path) -> None:
        self.ports: Ports = config_on_free_ports(tmp / "config")
        self.port = free_port(socket.SOCK_STREAM)
        self.url = f"http://127.0.0.1:{self.port}"
        self.store = Store(f"sqlite:///{tmp / 'store.db'}")
        self.store.migrate()
        for name, (role, password) in PASSWORDS.items():
            self.store.create_user(name, role, password)
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.sim: SimulatedBuilding | None = None
        self.error: BaseException | None = None

    def _run(self) -> None:
        try:
            self.loop.run_until_complete(self._main())
        except BaseException as e:  # shown by the fixture
            self.error = e
            self.ready.set()

    async def _main(self) -> None:
        config = load_config(self.ports.folder)
        tz = config.venue.venue.tz
        start = local("2026-12-05 19:35")
        clock = SimClock(start, speed=10)
        self.sim = sim = SimulatedBuilding(building_spec(config), calendar_scenario(
            config, start.date() - timedelta(days=1), start.date() + timedelta(days=1)),
            DesignDay.winter(tz), start, step=timedelta(seconds=10))
        await sim.start()
        built = build_service(ServiceSettings(
            config_dir=self.ports.folder, speed=10,
            drivers=DriverSettings(bacnet_local=f"127.0.0.1/24:{self.ports.client}")),
            clock, self.store)
        server = built.server("127.0.0.1", self.port, log_level="warning")
        serving = asyncio.create_task(server.serve())
        running = asyncio.create_task(sim.run(clock))
        while not server.started:
            await asyncio.sleep(0.05)
        self.ready.set()
        while not self.stop.is_set():
            await asyncio.sleep(0.1)
        server.should_exit = True
        running.cancel()
        await serving
        await sim.close()

    def device(self, unit: str, point: str) -> dict[str, Any]:
        """Read a BACnet unit's point as an independent client would."""
        objects = {"fan_speed_max": "analog-value,3", "setpoint": "analog-value,1"}

        async def read() -> dict[str, Any]:
            app = bacnet_client(self.reader_port, 3997)
            try:
                dev = f"127.0.0.1:{self.ports.bacnet[unit]}"
                pv = await app.read_property(dev, objects[point], "present-value")
                array = await app.read_property(dev, objects[point], "priority-array")
                return {"value": float(pv),
                        "slots": {i + 1: float(getattr(p, p._choice))
                                  for i, p in enumerate(array) if p._choice != "null"}}
            finally:
                app.close()

        # Playwright's sync API owns this thread's event loop: read from a thread of our own.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, asyncio.wait_for(read(), 20)).result()

    reader_port = free_port(socket.SOCK_DGRAM)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    service = Live(tmp_path_factory.mktemp("panel"))
    service.thread.start()
    assert service.ready.wait(60), "the service did not start"
    if service.error is not None:
        raise service.error
    yield service
    service.stop.set()
    service.thread.join(30)
    service.store.close()


def shot(page: Any, name: str, docs: bool = False) -> None:
    """Every page to artifacts/; the README's pictures in docs/ only when asked
    (HVAC_UPDATE_DOCS=1), so a test run does not dirty the checkout."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if docs and os.environ.get("HVAC_UPDATE_DOCS") == "1":
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / f"{name}.png"), full_page=False)


def sign_in(browser: Any, live: Live, name: str) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{live.url}/panel")
    assert page.url.endswith("/panel/login")  # not signed in: sent to sign in
    page.fill("#name", name)
    page.fill("#password", PASSWORDS[name][1])
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}/panel")
    return page


def test_sign_in_rejects_a_wrong_password(browser: Any, live: Live) -> None:
    page = browser.new_page()
    page.goto(f"{live.url}/panel/login")
    page.fill("#name", "opera")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert "Wrong name or password" in page.locator("[role=alert]").inner_text()
    shot(page, "panel-login-refused")
    page.close()


def test_the_hall_shows_live_values_from_the_simulator(browser: Any, live: Live) -> None:
    page = sign_in(browser, live, "opera")
    cookie = next(c for c in page.context.cookies() if c["name"] == "hvac_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    first = page.locator("#live").inner_text()
    started = time.perf_counter()
    page.wait_for_function(f"document.getElementById('live').textContent !== {first!r}",
                           timeout=10_000)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "panel-live-update.txt").write_text(
        f"first live update {time.perf_counter() - started:.3f} s after the page loaded\n")
    aud = page.locator("[data-zone=auditorium]")
    assert aud.locator("[data-f=phase]").inner_text() == "show"
    temp = aud.locator("[data-f=temp]").inner_text()
    assert re.fullmatch(r"\d+\.\d", temp), temp
    assert aud.locator("[data-unit=ahu-aud-1] [data-p=health]").inner_text() == "online"
    assert aud.locator("[data-unit=ahu-aud-1] [data-p=prio]").inner_text() == "12"
    shot(page, "panel-hall", docs=True)
    page.goto(f"{live.url}/panel/tonight")
    assert page.locator("svg rect").count() > 6
    assert page.locator("svg line").count() == 1  # the now-line
    assert "Tosca" in page.content()
    shot(page, "panel-tonight", docs=True)
    page.goto(f"{live.url}/panel/trends")
    assert page.locator("svg polyline").count() >= 6  # measured and target lines
    shot(page, "panel-trends")
    page.goto(f"{live.url}/panel/audit")
    assert page.locator("table tr").count() > 5
    shot(page, "panel-audit")
    page.context.close()


def test_an_override_reaches_the_unit_and_is_released(browser: Any, live: Live) -> None:
    page = sign_in(browser, live, "opera")
    page.goto(f"{live.url}/panel/overrides")
    page.select_option("#target", "ahu-aud-1|fan_speed_max")
    assert "allowed 20.0 – 100.0" in page.locator("#range").inner_text()
    page.fill("#value", "55")
    page.select_option("#duration", "15")
    page.fill("#reason", "the strings hear the fan")
    page.click("#override-form button[type=submit]")
    page.wait_for_url(f"{live.url}/panel/overrides")
    row = page.locator("#active tr[data-override]")
    assert row.count() == 1 and "the strings hear the fan" in row.inner_text()
    shot(page, "panel-override", docs=True)
    on_device = live.device("ahu-aud-1", "fan_speed_max")
    assert on_device["value"] == 55.0 and on_device["slots"][8] == 55.0
    row.locator("button").click()
    page.wait_for_url(f"{live.url}/panel/overrides?done=released*")
    assert "released" in page.locator("#notice").inner_text()
    assert page.locator("#active tr[data-override]").count() == 0
    after = live.device("ahu-aud-1", "fan_speed_max")
    assert 8 not in after["slots"] and after["value"] == after["slots"][12]
    page.context.close()


def test_bad_input_shows_a_clear_message(browser: Any, live: Live) -> None:
    page = sign_in(browser, live, "opera")
    page.goto(f"{live.url}/panel/overrides")
    page.select_option("#target", "ahu-aud-2|setpoint")
    # the form itself refuses 45 °C; a browser without JavaScript limits would send it
    page.evaluate("document.getElementById('value').removeAttribute('max')")
    page.fill("#value", "45")
    page.fill("#reason", "testing the limits")
    page.click("#override-form button[type=submit]")
    error = page.locator("#error").inner_text()
    assert "45 is outside" in error and "ahu-aud-2.setpoint" in error
    shot(page, "panel-bad-input")
    assert live.device("ahu-aud-2", "setpoint")["value"] < 30
    page.context.close()


def test_a_viewer_sees_but_cannot_override(browser: Any, live: Live) -> None:
    page = sign_in(browser, live, "vera")
    page.goto(f"{live.url}/panel/overrides")
    assert page.locator("#override-form").count() == 0
    assert "cannot set them" in page.content()
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    response = page.request.post(f"{live.url}/panel/overrides", form={
        "csrf": csrf or "", "unit": "ahu-aud-1", "point": "setpoint", "value": "20",
        "duration": "15", "reason": "sneaky"})
    assert response.status == 403
    forged = page.request.post(f"{live.url}/panel/overrides", form={
        "csrf": "forged", "unit": "ahu-aud-1", "point": "setpoint", "value": "20",
        "duration": "15", "reason": "sneaky"})
    assert forged.status == 403
    page.context.close()


def test_an_alarm_shows_is_acknowledged_and_clears_by_itself(browser: Any, live: Live) -> None:
    assert live.sim is not None
    page = sign_in(browser, live, "opera")
    live.sim.building.faults.set("ahu-aud-2", values={"supply_temp": 1000.0})
    row = page.locator("#alarms tr[data-kind=bad_value]")
    for _ in range(60):  # the service runs at ×10: a poll and a tick within seconds
        page.goto(f"{live.url}/panel/alarms")
        if row.count():
            break
        page.wait_for_timeout(500)
    assert row.count() == 1 and "ahu-aud-2" in row.inner_text()
    assert "implausible reading 1000" in row.inner_text()
    row.locator("button").click()
    page.wait_for_url(f"{live.url}/panel/alarms")
    assert "opera at" in row.inner_text()
    shot(page, "panel-alarms")
    live.sim.building.faults.clear()
    for _ in range(60):
        page.goto(f"{live.url}/panel/alarms")
        if row.count() == 0:
            break
        page.wait_for_timeout(500)
    assert row.count() == 0
    page.context.close()
