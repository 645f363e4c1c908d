"""The panel's audit as engineers read it: 50 rows a page, newest first, filtered by action, the
control loop's re-assertions that changed nothing folded out unless asked for, and values as
their point means them (31.4, not the float32 register's 31.399999618530273)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from hvac_ctl.application.history import rounded
from tests.harness import Running, run, service

pytestmark = pytest.mark.e2e


async def signed_in(s: Running) -> None:
    s.runtime.store.create_user("eng", "engineer", "engineer-pass-1")
    r = await s.http.post("/panel/login", data={"name": "eng", "password": "engineer-pass-1"})
    assert r.status_code == 303, r.text


def rows(html: str) -> list[str]:
    return re.findall(r'<tbody class="entry[^"]*" data-action="[^"]*">(.*?)</tbody>', html, re.S)


def test_the_audit_pages_newest_first_and_filters_by_action(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path) as s:
            await signed_in(s)
            now = s.clock.now()
            for i in range(120):  # note 119 is the newest
                s.runtime.store.audit(now - timedelta(minutes=120 - i), "eng", "test.note",
                                      f"note {i:03d}")
            first = (await s.http.get("/panel/audit", params={"action": "test.note"})).text
            notes = re.findall(r"note (\d{3})", first)
            assert notes == [f"{i:03d}" for i in range(119, 69, -1)]  # 50, newest first
            assert 'id="next"' in first and 'id="prev"' not in first
            assert '<option selected>test.note</option>' in first  # the filter shows itself
            third = (await s.http.get("/panel/audit",
                                      params={"action": "test.note", "page": 3})).text
            assert re.findall(r"note (\d{3})", third) == [f"{i:03d}" for i in range(19, -1, -1)]
            assert 'id="next"' not in third and 'id="prev"' in third
            everything = (await s.http.get("/panel/audit")).text
            assert "panel.login" in everything  # not filtered: other actions too
            api = await s.http.get("/api/v1/audit", headers=s.auth("viewer"), params={
                "action": "test.note", "limit": 10, "offset": 110})
            assert [r["why"] for r in api.json()] == [f"note {i:03d}" for i in range(9, -1, -1)]

    run(body())


def test_reasserts_are_folded_out_and_values_rounded(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path) as s:
            await signed_in(s)
            await s.step(25)  # the loop re-asserts every 10 min
            await s.settle()
            stored = s.runtime.store.audit_entries(action="write", limit=10_000)
            assert any(r.why.endswith("; re-assert") for r in stored)
            s.runtime.store.audit(s.clock.now(), "control-loop", "write", "plan; re-assert",
                                  unit="ahu-pit", point="setpoint", old=21.0, new=21.0,
                                  priority=12, ok=False, error="refused by the device")
            s.runtime.store.audit(s.clock.now(), "eng", "test.value", "a float32 reading",
                                  unit="ahu-aud-1", point="setpoint", old=21.0,
                                  new=31.399999618530273)
            shown = (await s.http.get("/panel/audit", params={"action": "write"})).text
            kept = [r for r in rows(shown) if "re-assert" in r]
            assert len(kept) == 1 and "refused by the device" in kept[0]
            assert "show re-asserts" in shown
            unfolded = (await s.http.get("/panel/audit", params={
                "action": "write", "reasserts": 1})).text
            assert "; re-assert" in "".join(rows(unfolded))
            assert "hide re-asserts" in unfolded
            value = (await s.http.get("/panel/audit", params={"action": "test.value"})).text
            assert "21.0 → 31.4" in value and "31.39999" not in value

    run(body())


def test_a_value_is_rounded_to_its_points_resolution() -> None:
    assert rounded(31.399999618530273, "setpoint") == 31.4
    assert rounded(612.4999, "co2") == 612
    assert rounded(55.55000001, "fan_speed_max") == 55.6
    assert rounded(True, "enable") is True and rounded("cool", "mode") == "cool"
    assert rounded(2.345, None) == 2.3
