"""One override per point: a second one is refused naming the one in force, or replaces it
explicitly — never stacked silently; and the panel's form keeps what the operator typed.

The real app on a real SQLite store over httpx's ASGI transport, the in-memory driver for the
units, a manual clock.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from hvac_ctl.panel.session import COOKIE
from tests.harness import OPERATOR_PASSWORD, in_process, run

PASSWORD = OPERATOR_PASSWORD
FAN = {"unit": "ahu-aud-1", "point": "fan_speed_max"}


async def post(http: httpx.AsyncClient, value: float, **extra: Any) -> httpx.Response:
    return await http.post("/api/v1/overrides", json={
        **FAN, "value": value, "minutes": 30, "reason": f"to {value}", **extra})


def test_a_second_override_on_a_point_is_refused_naming_the_one_in_force(
        tmp_path: Path) -> None:
    async def body() -> None:
        h = await in_process(tmp_path)
        rt = h.service.runtime
        async with h.client() as http:
            first = await post(http, 70)
            assert first.status_code == 201, first.text
            held = first.json()
            second = await post(http, 40)
            assert second.status_code == 409, second.text
            detail = second.json()["detail"]
            assert held["id"] in detail and "by operator-api" in detail
            assert "70" in detail and "until 20:10" in detail and "replace" in detail
            assert [o.id for o in rt.store.overrides(open_only=True)] == [held["id"]]
            assert rt.loop.last_state is not None
            assert rt.loop.last_state.overridden[("ahu-aud-1", "fan_speed_max")] == held["id"]
            # another point of the same unit is no conflict
            other = await http.post("/api/v1/overrides", json={
                "unit": "ahu-aud-1", "point": "oa_damper_min", "value": 30, "minutes": 30,
                "reason": "other point"})
            assert other.status_code == 201, other.text

    run(body())


def test_replace_ends_the_one_in_force_and_sets_the_new_one_in_one_go(tmp_path: Path) -> None:
    async def body() -> None:
        h = await in_process(tmp_path)
        rt = h.service.runtime
        async with h.client() as http:
            old = (await post(http, 70)).json()
            new = await post(http, 40, replace=True)
            assert new.status_code == 201, new.text
            new_id = new.json()["id"]
            ended = rt.store.override(old["id"])
            assert ended is not None and ended.ended_by == "operator-api"
            assert [o.id for o in rt.store.overrides(open_only=True)] == [new_id]
            assert [o.id for o in await h.service.application.overrides.listed(True)] == [
                new_id]
            assert await rt.idle()
            replaced = rt.store.audit_entries(action="override.replace")
            assert len(replaced) == 1 and old["id"] in replaced[0].why and new_id in (
                replaced[0].why)
            assert rt.store.audit_entries(action="override.release") == []
            state = rt.loop.last_state
            assert state is not None
            assert state.overridden[("ahu-aud-1", "fan_speed_max")] == new_id
            assert state.units["ahu-aud-1"]["fan_speed_max"] == 40
            # replace with nothing in force is an ordinary override
            r = await http.post("/api/v1/overrides", json={
                "unit": "ahu-pit", "point": "fan_speed_max", "value": 50, "minutes": 10,
                "reason": "nothing to replace", "replace": True})
            assert r.status_code == 201, r.text

    run(body())


def test_the_panel_keeps_what_was_typed_and_offers_to_replace(tmp_path: Path) -> None:
    async def body() -> None:
        h = await in_process(tmp_path)
        rt = h.service.runtime
        async with h.client() as http:
            r = await http.post("/panel/login", data={"name": "operator-person",
                                                      "password": PASSWORD})
            jar = {"Cookie": f"{COOKIE}={r.cookies[COOKIE]}"}
            http.cookies.clear()
            page = await http.get("/panel/overrides", headers=jar)
            found = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert found is not None
            form = {"csrf": found.group(1), **FAN, "value": "45", "duration": "21:30",
                    "reason": "the strings hear the fan"}
            held = (await post(http, 70)).json()
            refused = await http.post("/panel/overrides", headers=jar, data=form)
            assert refused.status_code == 409, refused.text
            text = refused.text
            assert held["id"] in text and "operator-api" in text
            assert 'value="ahu-aud-1|fan_speed_max" selected' in text
            assert 'id="value" name="value" required value="45"' in text
            assert 'value="the strings hear the fan"' in text
            assert '<option value="time" selected>' in text and 'value="21:30"' in text
            assert f'id="replace">Replace {held["id"]}</button>' in text
            # a bad value: refused with what was typed still there
            bad = await http.post("/panel/overrides", headers=jar,
                                  data={**form, "value": "500", "replace": "1"})
            assert bad.status_code == 422 and 'required value="500"' in bad.text
            assert [o.id for o in rt.store.overrides(open_only=True)] == [held["id"]]
            done = await http.post("/panel/overrides", headers=jar,
                                   data={**form, "replace": "1"})
            assert done.status_code == 303, done.text
            (now_held,) = rt.store.overrides(open_only=True)
            assert now_held.id != held["id"] and now_held.value == 45.0
            assert now_held.reason == "the strings hear the fan"

    run(body())
