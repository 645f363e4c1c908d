"""The service over HTTP: a running uvicorn, the simulator over real sockets, a real store."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hvac_ctl.store import Store
from tests.harness import SHOW, run, service

pytestmark = pytest.mark.e2e

AUD = ("ahu-aud-1", "ahu-aud-2", "ahu-aud-3")


def test_auth_says_why(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path) as s:
            r = await s.http.get("/api/v1/zones")
            assert r.status_code == 401 and "bearer token is required" in r.json()["detail"]
            r = await s.http.get("/api/v1/zones", headers={"Authorization": "Bearer nope"})
            assert r.status_code == 401 and "unknown or revoked" in r.json()["detail"]
            for role in ("viewer", "boxoffice", "operator"):
                assert (await s.http.get("/api/v1/zones", headers=s.auth(role))).status_code == 200
            r = await s.http.post("/api/v1/overrides", headers=s.auth("boxoffice"), json={
                "unit": "ahu-aud-1", "point": "setpoint", "value": 21, "minutes": 10,
                "reason": "x"})
            assert r.status_code == 403 and "boxoffice" in r.json()["detail"]
            r = await s.http.post("/api/v1/occupancy", headers=s.auth("viewer"),
                                  json={"event": SHOW, "count": 100})
            assert r.status_code == 403
            r = await s.http.put("/api/v1/schedules/seasons", headers=s.auth("operator"),
                                 content="seasons: {}")
            assert r.status_code == 403

    run(body())


def test_occupancy_push_rules(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path) as s:
            h = s.auth("boxoffice")
            r = await s.http.post("/api/v1/occupancy", headers=h, json={"event": "nope",
                                                                        "count": 10})
            assert r.status_code == 404 and "unknown event" in r.json()["detail"]
            r = await s.http.post("/api/v1/occupancy", headers=h, json={"event": SHOW,
                                                                        "count": 2400})
            assert r.status_code == 422
            assert r.json()["detail"][0]["loc"][-1] == "count"
            assert "2398 seats" in r.json()["detail"][0]["msg"]
            for bad in ({"event": SHOW, "count": -1}, {"event": SHOW, "count": "many"},
                        {"event": SHOW}, {"event": SHOW, "count": 5, "extra": 1},
                        {"event": SHOW, "count": 5, "at": "yesterday"}):
                r = await s.http.post("/api/v1/occupancy", headers=h, json=bad)
                assert r.status_code == 422, bad
            at = s.clock.now().isoformat()
            first = await s.http.post("/api/v1/occupancy", headers=h,
                                      json={"event": SHOW, "count": 1700, "at": at})
            second = await s.http.post("/api/v1/occupancy", headers=h,
                                       json={"event": SHOW, "count": 1700, "at": at})
            assert first.status_code == second.status_code == 200
            assert first.json()["stored"] and not second.json()["stored"]
            # another count for the same instant is a conflict, not a duplicate to drop
            clash = await s.http.post("/api/v1/occupancy", headers=h,
                                      json={"event": SHOW, "count": 1650, "at": at})
            assert clash.status_code == 409 and clash.json()["detail"].startswith("at: ")
            assert "1650 was not stored" in clash.json()["detail"]
            assert first.json()["readjusted"] and first.json()["acted_on"] == 1700
            keyed = {"Idempotency-Key": "box-42", **h}
            s.clock.advance(timedelta(seconds=5))
            a = await s.http.post("/api/v1/occupancy", headers=keyed, json={"event": SHOW,
                                                                            "count": 1720})
            s.clock.advance(timedelta(seconds=5))
            b = await s.http.post("/api/v1/occupancy", headers=keyed, json={"event": SHOW,
                                                                            "count": 1720})
            assert a.json()["stored"] and not b.json()["stored"]
            assert not a.json()["readjusted"]  # +1 % of the count acted on
            assert len(s.runtime.store.pushes([SHOW])) == 2
            # out of order: an older reading arriving late does not undo a newer one
            s.clock.advance(timedelta(minutes=1))
            newer = await s.http.post("/api/v1/occupancy", headers=h,
                                      json={"event": SHOW, "count": 2100})
            older = await s.http.post("/api/v1/occupancy", headers=h, json={
                "event": SHOW, "count": 1500,
                "at": (s.clock.now() - timedelta(minutes=30)).isoformat()})
            assert newer.json()["acted_on"] == 2100
            assert older.json()["acted_on"] == 2100 and not older.json()["readjusted"]
            audit = (await s.http.get("/api/v1/audit", headers=s.auth("viewer"),
                                      params={"action": "occupancy"})).json()
            assert {e["actor"] for e in audit} == {"boxoffice-test"}
            assert len(audit) == 4

    run(body())


def test_a_push_reaches_the_units(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path) as s:
            await s.step(3)
            before = {u: s.sim.building.commands(u).oa_damper_min for u in AUD}
            r = await s.http.post("/api/v1/occupancy", headers=s.auth("boxoffice"),
                                  json={"event": SHOW, "count": 1500})
            assert r.json()["readjusted"]
            await s.settle()
            after = {u: s.sim.building.commands(u).oa_damper_min for u in AUD}
            assert all(after[u] < before[u] for u in AUD), (before, after)
            targets = r.json()["targets"]["units"]
            assert all(after[u] == pytest.approx(targets[u]["oa_damper_min"], abs=0.1)
                       for u in AUD)

    run(body())


def test_overrides_over_http(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path) as s:
            await s.step(2)
            op = s.auth("operator")
            bad = [({"unit": "ahu-aud-9", "point": "setpoint", "value": 21, "minutes": 5,
                     "reason": "x"}, "unit"),
                   ({"unit": "ahu-aud-1", "point": "zone_temp", "value": 21, "minutes": 5,
                     "reason": "x"}, "point"),
                   ({"unit": "ahu-aud-1", "point": "setpoint", "value": 35, "minutes": 5,
                     "reason": "x"}, "value"),
                   ({"unit": "ahu-aud-1", "point": "setpoint", "value": 21, "minutes": 600,
                     "reason": "x"}, "minutes")]
            for body_, field in bad:
                r = await s.http.post("/api/v1/overrides", headers=op, json=body_)
                assert r.status_code == 422, body_
                assert field in str(r.json()["detail"]), r.json()
            r = await s.http.post("/api/v1/overrides", headers=op, json={
                "unit": "ahu-aud-1", "point": "fan_speed_max", "value": 60, "minutes": 15})
            assert r.status_code == 422 and "reason" in str(r.json())
            r = await s.http.post("/api/v1/overrides", headers=op, json={
                "unit": "ahu-aud-1", "point": "fan_speed_max", "value": 60, "minutes": 15,
                "reason": "noise in the stalls"})
            assert r.status_code == 201
            ov = r.json()
            assert ov["active"] and ov["remaining_s"] == 900
            assert s.sim.building.commands("ahu-aud-1").fan_speed_max == 60.0
            bacnet = s.runtime.drivers["bacnet"]
            assert (await bacnet.priority_array("ahu-aud-1", "fan_speed_max"))[8] == 60.0
            listed = (await s.http.get("/api/v1/overrides", headers=s.auth("viewer"))).json()
            assert [o["id"] for o in listed] == [ov["id"]]
            r = await s.http.delete(f"/api/v1/overrides/{ov['id']}", headers=op)
            assert r.status_code == 200 and not r.json()["active"]
            assert 8 not in await bacnet.priority_array("ahu-aud-1", "fan_speed_max")
            assert s.sim.building.commands("ahu-aud-1").fan_speed_max == 80.0
            assert (await s.http.get("/api/v1/overrides", headers=op)).json() == []
            r = await s.http.delete("/api/v1/overrides/ov-nope", headers=op)
            assert r.status_code == 404

    run(body())


def test_reading_endpoints(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path) as s:
            await s.step(12)
            v = s.auth("viewer")
            zones = (await s.http.get("/api/v1/zones", headers=v)).json()
            aud = next(z for z in zones if z["zone"] == "auditorium")
            assert aud["phase"] == "show" and aud["event"] == SHOW
            assert aud["units"]["ahu-aud-1"]["health"] == "online"
            points = aud["units"]["ahu-aud-1"]["points"]
            assert points["zone_temp"]["quality"] == "ok"
            assert points["setpoint"]["commanding_priority"] == 12
            held = s.sim.building.commands("ahu-aud-1")
            assert points["setpoint"]["commanded"] == held.setpoint  # what it wrote, it holds
            assert points["fan_speed_max"]["commanded"] == held.fan_speed_max
            assert (await s.http.get("/api/v1/zones/nope", headers=v)).status_code == 404
            plan = (await s.http.get("/api/v1/plan", headers=v,
                                     params={"date": "2026-12-05"})).json()
            assert {seg["phase"] for seg in plan} >= {"idle", "precool", "show", "post_show"}
            assert plan[0]["start"].endswith("+08:00")
            await s.settle()
            t = await s.http.get("/api/v1/trends", headers=v, params={
                "unit": "ahu-aud-1", "point": "zone_temp", "every": "5min",
                "start": (s.clock.now() - timedelta(hours=1)).isoformat()})
            assert t.status_code == 200 and len(t.json()["samples"]) >= 2
            csv = await s.http.get("/api/v1/trends", headers=v, params={
                "unit": "ahu-aud-1", "point": "co2", "format": "csv",
                "start": (s.clock.now() - timedelta(hours=1)).isoformat()})
            assert csv.text.startswith("at,value")
            bad = await s.http.get("/api/v1/trends", headers=v, params={
                "unit": "ahu-aud-1", "point": "co2", "every": "often"})
            assert bad.status_code == 422
            writes = (await s.http.get("/api/v1/audit", headers=v,
                                       params={"action": "write", "unit": "ahu-pit"})).json()
            assert writes and all(w["unit"] == "ahu-pit" for w in writes)
            assert (await s.http.get("/healthz")).json() == {"ok": True}
            ready = await s.http.get("/readyz")
            assert ready.status_code == 200 and ready.json()["online"] == 7
            metrics = (await s.http.get("/metrics")).text
            assert "hvac_ticks_total" in metrics and "hvac_devices_online 7" in metrics

    run(body())


def test_schedule_changes_are_validated_first(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path) as s:
            await s.step(5)
            eng = {**s.auth("engineer"), "content-type": "application/yaml"}
            seasons = (await s.http.get("/api/v1/schedules/seasons", headers=eng)).text
            broken = seasons.replace("setpoint_c: 22.0, units: [ahu-aud-1, ahu-aud-2",
                                     "setpoint_c: 35.5, units: [ahu-aud-1, ahu-aud-2")
            assert broken != seasons
            r = await s.http.put("/api/v1/schedules/seasons", headers=eng, content=broken)
            assert r.status_code == 422
            assert "schedules/seasons.yaml:" in r.json()["detail"][0]["msg"]
            assert "outside" in r.json()["detail"][0]["msg"]
            assert (s.ports.folder / "schedules/seasons.yaml").read_text() == seasons
            warmer = seasons.replace("setpoint_c: 22.0, units: [ahu-aud-1, ahu-aud-2",
                                     "setpoint_c: 23.0, units: [ahu-aud-1, ahu-aud-2")
            target_before = s.runtime.loop.last_state.zones["auditorium"].setpoint_c
            r = await s.http.put("/api/v1/schedules/seasons", headers=eng, content=warmer)
            assert r.status_code == 200
            await s.step(8)
            target_after = s.runtime.loop.last_state.zones["auditorium"].setpoint_c
            assert target_after == pytest.approx(target_before + 1.0)
            assert s.sim.building.commands("ahu-aud-1").setpoint == pytest.approx(target_after)
            changes = (await s.http.get("/api/v1/audit", headers=eng,
                                        params={"action": "schedule.change"})).json()
            assert changes[0]["actor"] == "engineer-test"

    run(body())


def test_schedule_edits_on_disk(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path) as s:
            await s.step(5)
            path = s.ports.folder / "schedules/seasons.yaml"
            seasons = path.read_text()
            target = s.runtime.loop.last_state.zones["auditorium"].setpoint_c
            path.write_text(seasons.replace("setpoint_c: 22.0, units: [ahu-aud-1, ahu-aud-2",
                                            "setpoint_cc: 22.5, units: [ahu-aud-1, ahu-aud-2"))
            await asyncio.sleep(0.6)  # the watcher looks every 0.2 s
            await s.step(5)
            assert s.runtime.config_errors and "setpoint_cc" in s.runtime.config_errors[0]
            assert s.runtime.loop.last_state.zones["auditorium"].setpoint_c == target
            assert s.sim.building.commands("ahu-aud-1").setpoint == pytest.approx(target)
            path.write_text(seasons.replace("setpoint_c: 22.0, units: [ahu-aud-1, ahu-aud-2",
                                            "setpoint_c: 23.0, units: [ahu-aud-1, ahu-aud-2"))
            await asyncio.sleep(0.6)
            await s.step(8)
            assert not s.runtime.config_errors
            new_target = s.runtime.loop.last_state.zones["auditorium"].setpoint_c
            assert new_target == pytest.approx(target + 1.0)
            assert s.sim.building.commands("ahu-aud-1").setpoint == pytest.approx(new_target)
            await s.settle()  # the audit rows go through the write-behind queue
            rejected = s.runtime.store.audit_entries(action="schedule.rejected")
            # (a watcher that looks while the second write is half done rejects that too)
            assert any("setpoint_cc" in r.why for r in rejected), [r.why for r in rejected]

    run(body())


def test_overrides_and_pushes_survive_a_new_runtime(tmp_path: Path) -> None:
    """The in-process half of restart safety; the kill -9 test runs real processes."""
    async def body() -> tuple[list[Any], list[Any]]:
        async with service(tmp_path) as s:
            await s.step(2)
            await s.http.post("/api/v1/occupancy", headers=s.auth("boxoffice"),
                              json={"event": SHOW, "count": 1800})
            await s.http.post("/api/v1/overrides", headers=s.auth("operator"), json={
                "unit": "ahu-pit", "point": "fan_speed_max", "value": 50, "minutes": 60,
                "reason": "quiet passage"})
            await s.settle()
            held = sorted((c.unit, c.point, c.priority) for c in s.runtime.store.commands())
        store = Store(f"sqlite:///{tmp_path / 'store.db'}")
        try:
            again = sorted((c.unit, c.point, c.priority) for c in store.commands())
            assert again == held and ("ahu-pit", "fan_speed_max", 12) in again
            return store.overrides(), store.pushes([SHOW])
        finally:
            store.close()

    overrides, pushes = run(body())
    assert [(o.unit, o.point, o.value) for o in overrides] == [("ahu-pit", "fan_speed_max", 50)]
    assert [p.count for p in pushes] == [1800]


def test_the_store_is_only_loopback_by_default(tmp_path: Path) -> None:
    from hvac_ctl.cli import parser

    args = parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"
    assert datetime.fromisoformat("2026-12-05T19:40").tzinfo is None
