"""Releasing an override, through the API and through the panel: once, and saying what it did.

A release is recorded once and ticks the units once; a repeated release records nothing and
says the override was already ended; releasing one that had already run out says that it
expired (audited as expired by `expiry`, never as released). The real app on a real SQLite
store over httpx's ASGI transport, the in-memory driver for the units, a manual clock.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx

from hvac_ctl.panel.session import COOKIE
from tests.harness import OPERATOR_PASSWORD, InProcess, in_process, run

PASSWORD = OPERATOR_PASSWORD


async def override(h: InProcess, http: httpx.AsyncClient, minutes: int = 30) -> str:
    r = await http.post("/api/v1/overrides", json={
        "unit": "ahu-aud-1", "point": "fan_speed_max", "value": 70, "minutes": minutes,
        "reason": "a test"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_a_repeated_release_is_audited_and_ticked_once(tmp_path: Path) -> None:
    async def body() -> None:
        h = await in_process(tmp_path)
        async with h.client() as http:
            oid = await override(h, http)
            ticks = h.service.runtime.loop.ticks
            first = await http.delete(f"/api/v1/overrides/{oid}")
            after_first = h.service.runtime.loop.ticks
            again = await http.delete(f"/api/v1/overrides/{oid}")
            assert first.status_code == again.status_code == 200
            assert (first.json()["outcome"], first.json()["released"]) == ("released", True)
            assert (again.json()["outcome"], again.json()["released"]) == ("already", False)
            assert "already ended by operator-api" in again.json()["message"]
            assert again.json()["ended_at"] == first.json()["ended_at"]
            assert after_first == ticks + 1 and h.service.runtime.loop.ticks == after_first
            assert len(await h.audit("override.release")) == 1
            assert (await http.delete("/api/v1/overrides/ov-nope")).status_code == 404

    run(body())


def test_releasing_an_expired_override_says_it_expired(tmp_path: Path) -> None:
    async def body() -> None:
        h = await in_process(tmp_path)
        async with h.client() as http:
            oid = await override(h, http, minutes=10)
            h.clock.advance(timedelta(minutes=15))  # before the expiry job came round
            r = await http.delete(f"/api/v1/overrides/{oid}")
            assert r.status_code == 200, r.text
            body = r.json()
            assert (body["outcome"], body["released"]) == ("expired", False)
            assert "had already expired" in body["message"]
            assert body["ended_by"] == "expiry" and body["ended_at"] == body["until"]
            assert await h.audit("override.release") == []
            expired = await h.audit("override.expired")
            assert [(e.actor, e.unit) for e in expired] == [("expiry", "ahu-aud-1")]
            await h.service.runtime.expire_overrides()  # the job, late: nothing more to do
            assert len(await h.audit("override.expired")) == 1

    run(body())


def test_the_panels_release_says_what_it_did_and_records_it_once(tmp_path: Path) -> None:
    async def body() -> None:
        h = await in_process(tmp_path)
        async with h.client() as http:
            r = await http.post("/panel/login", data={"name": "operator-person",
                                                      "password": PASSWORD})
            assert r.status_code == 303, r.text
            jar = {"Cookie": f"{COOKIE}={r.cookies[COOKIE]}"}
            http.cookies.clear()
            page = await http.get("/panel/overrides", headers=jar)
            found = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert found is not None
            csrf = found.group(1)

            async def release(oid: str) -> str:
                r = await http.post(f"/panel/overrides/{oid}/release", headers=jar,
                                    data={"csrf": csrf})
                assert r.status_code == 303, r.text
                shown = await http.get(r.headers["location"], headers=jar)
                notice = re.search(r'id="notice">([^<]+)<', shown.text)
                assert notice is not None, shown.text
                return notice.group(1)

            oid = await override(h, http)
            assert await release(oid) == f"Override {oid} released."
            assert await release(oid) == f"Override {oid} was already ended."
            assert len(await h.audit("override.release")) == 1
            late = await override(h, http, minutes=5)
            h.clock.advance(timedelta(minutes=6))
            assert "had already expired" in await release(late)
            assert len(await h.audit("override.release")) == 1

    run(body())
