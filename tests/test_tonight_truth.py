"""Tonight tells the truth: a show's precool start is the plan's time before it, the time it
happened once it has (the learner's record, or after a restart the control log's), and never a
start that did not happen.

The real app on a real SQLite store over httpx's ASGI transport, the in-memory driver for the
units, a manual clock stepped past the planned start with and without ticks.
"""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import httpx

from hvac_ctl.clock import ManualClock
from hvac_ctl.config import load_config
from hvac_ctl.devices import memory_drivers
from hvac_ctl.panel.session import COOKIE
from hvac_ctl.service.build import Service, build_service
from hvac_ctl.service.settings import ServiceSettings
from hvac_ctl.store import Store
from tests.harness import SINGLE_HALL, local, run

PASSWORD = "pw-viewer-Hq2mX9rL"


def build(tmp: Path, clock: ManualClock) -> Service:
    folder = tmp / "config"
    if not folder.exists():
        folder.mkdir()
        shutil.copy(SINGLE_HALL / "zones.yaml", folder / "zones.yaml")
        shutil.copytree(SINGLE_HALL / "schedules", folder / "schedules")
    store = Store(f"sqlite:///{tmp / 'store.db'}")
    store.migrate()
    return build_service(ServiceSettings(config_dir=folder), clock, store,
                         memory_drivers(load_config(folder)))


async def precool(service: Service) -> dict[str, str]:
    """The tonight page's precool cell per zone, as a viewer reads it."""
    assert await service.runtime.idle()  # the tick's rows stored: the sign-in's write waits not
    async with httpx.AsyncClient(transport=httpx.ASGITransport(service.app),
                                 base_url="http://hvac.test") as http:
        r = await http.post("/panel/login", data={"name": "vera", "password": PASSWORD})
        assert r.status_code == 303, r.text
        page = await http.get("/panel/tonight",
                              headers={"Cookie": f"{COOKIE}={r.cookies[COOKIE]}"})
        assert page.status_code == 200, page.text
    cells = re.findall(r'<tr data-zone="(\w+)"><td>\w+</td>\s*<td class="precool-(\w+)" '
                       r'data-f="precool">([^<]+)</td>', page.text)
    return {zone: f"{told}: {text.strip()}" for zone, told, text in cells}


def test_tonight_shows_the_planned_start_then_the_one_that_happened(tmp_path: Path) -> None:
    async def body() -> None:
        clock = ManualClock(local("2026-12-05 16:50"))
        s = build(tmp_path, clock)
        s.store.create_user("vera", "viewer", PASSWORD)
        rt = s.runtime
        await rt.tick()
        before = await precool(s)
        assert before["auditorium"] == "planned: planned 17:20", before
        assert before["stage"] == "planned: planned 18:00"
        # the planned time passes and no tick has run: nothing began, and nothing says so
        clock.set(local("2026-12-05 17:25"))
        late = await precool(s)
        assert late["auditorium"] == "missing: no start recorded (planned 17:20)", late
        assert "started" not in " ".join(late.values())
        # the first tick in precool: it began now, late, and the page says when it did
        await rt.tick()
        assert rt.loop.last_state is not None
        assert rt.loop.last_state.zones["auditorium"].phase == "precool"
        began = await precool(s)
        assert began["auditorium"] == "started: started 17:25", began
        assert began["stage"] == "planned: planned 18:00"
        while clock.now() < local("2026-12-05 19:10"):  # through doors open
            clock.advance(timedelta(minutes=5))
            await rt.tick()
        after = await precool(s)
        assert after["auditorium"] == "started: started 17:25", after
        assert after["stage"].startswith("started: started 18:0"), after
        assert await rt.idle()
        await rt.stop()
        s.store.close()
        # a restart: the learner remembers nothing; the control log still says when
        again = build(tmp_path, clock)
        await again.runtime.tick()
        assert again.runtime.learner.began == {}
        restarted = await precool(again)
        assert restarted["auditorium"] == "started: started 17:25", restarted
        assert restarted["stage"] == after["stage"]
        await again.runtime.stop()

    run(body())
