"""The site over HTTP: GET /api/v1/site and `?hall=` on the zone listings, on a running
uvicorn with the simulator over real sockets — a two-hall site with a public lobby
(tests/site.py), and the shipped one-hall venue as it always was."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hvac_ctl.application.site import group_view, hall_phase, next_change
from hvac_ctl.planner.outputs import GroupState, Segment
from tests.harness import run, service
from tests.site import CONCERT_UNIT, CONCERT_ZONE, LOBBY_UNITS, LOBBY_ZONE, make_site

pytestmark = pytest.mark.e2e

OPERA = ["auditorium", "stage", "pit"]


def _hall(site: dict[str, Any], hid: str) -> dict[str, Any]:
    return next(h for h in site["halls"] if h["id"] == hid)


def test_the_site_shows_each_hall_its_next_change_and_the_lobby(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path, configure=make_site) as s:
            assert (await s.http.get("/api/v1/site")).status_code == 401
            r = await s.http.get("/api/v1/site", headers=s.auth("viewer"))
            assert r.status_code == 200, r.text
            site = r.json()
            assert [h["id"] for h in site["halls"]] == ["opera", "concert"]
            opera, concert = _hall(site, "opera"), _hall(site, "concert")
            assert (opera["name"], opera["type"]) == ("Opera House", "separated")
            assert (concert["name"], concert["type"]) == ("Concert Hall", "fused")
            assert opera["zones"] == OPERA and concert["zones"] == [CONCERT_ZONE]
            # 19:40: Tosca is on (curtain 19:30); the quartet's hall waits for doors at 20:30,
            # its precool starting when the measured hall needs it (optimal start)
            assert opera["phase_now"] == {"phase": "show",
                                          "zones": dict.fromkeys(OPERA, "show")}
            now_phase = concert["phase_now"]["phase"]
            assert now_phase in ("idle", "precool")
            assert concert["phase_now"]["zones"] == {CONCERT_ZONE: now_phase}
            plan = (await s.http.get("/api/v1/plan", headers=s.auth("viewer"),
                                     params={"hall": "concert"})).json()
            first = next(seg for seg in plan if seg["start"] > "2026-12-05T19:40:00+08:00"
                         and seg["phase"] != now_phase)
            assert concert["next"] == {"at": first["start"], "phase": first["phase"],
                                       "zone": CONCERT_ZONE, "event": "quartet-2026-12-05"}
            assert concert["next"]["at"] <= "2026-12-05T20:30:00+08:00"
            assert opera["next"]["at"] == "2026-12-05T22:30:00+08:00"
            assert opera["next"]["phase"] == "post_show"
            assert opera["next"]["event"] == "tosca-2026-12-05"
            assert opera["alarms"] == concert["alarms"] == 0
            [lobby] = site["groups"]
            assert (lobby["id"], lobby["name"], lobby["zones"]) == ("lobby", "North lobby",
                                                                    [LOBBY_ZONE])
            assert set(lobby["outdoor"]) == {"temp_c", "rh_pct", "dew_point_c"}
            assert lobby["outdoor"]["temp_c"] is not None  # the units' oa_temp, read
            assert site["units"] == {"total": 10, "healthy": 10, "stale": 0, "offline": 0}

            # a unit of the concert hall reads nonsense: the concert hall's alarm, not the opera's
            s.sim.building.faults.set(CONCERT_UNIT, values={"supply_temp": 1000.0})
            await s.step(1)
            site = (await s.http.get("/api/v1/site", headers=s.auth("viewer"))).json()
            assert _hall(site, "concert")["alarms"] == 1
            assert _hall(site, "opera")["alarms"] == 0
            # past doors: the quartet's show, and its next change its end
            s.clock.advance(datetime.fromisoformat("2026-12-05T20:31:00+08:00") - s.clock.now())
            await s.step(1)
            concert = _hall((await s.http.get("/api/v1/site", headers=s.auth("viewer"))
                             ).json(), "concert")
            assert concert["phase_now"]["phase"] == "show"
            assert concert["next"]["at"] == "2026-12-05T22:30:00+08:00"

    run(body())


def test_zones_and_plan_take_a_hall(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path, configure=make_site) as s:
            h = s.auth("viewer")

            async def zones(**params: str) -> list[str]:
                r = await s.http.get("/api/v1/zones", headers=h, params=params)
                assert r.status_code == 200, r.text
                return [z["zone"] for z in r.json()]

            assert await zones() == [*OPERA, CONCERT_ZONE, LOBBY_ZONE]  # as before: all
            assert await zones(hall="opera") == OPERA
            assert await zones(hall="concert") == [CONCERT_ZONE]
            plan = (await s.http.get("/api/v1/plan", headers=h, params={"hall": "concert"}))
            assert plan.status_code == 200
            assert {seg["zone"] for seg in plan.json()} == {CONCERT_ZONE}
            assert {seg["hall"] for seg in plan.json()} == {"concert"}
            whole = (await s.http.get("/api/v1/plan", headers=h)).json()
            assert {seg["zone"] for seg in whole} == {*OPERA, CONCERT_ZONE, LOBBY_ZONE}
            assert await zones(hall="public") == [LOBBY_ZONE]
            public = (await s.http.get("/api/v1/plan", headers=h,
                                       params={"hall": "public"})).json()
            assert {seg["hall"] for seg in public} == {"public"}
            assert {seg["group"] for seg in public} == {"lobby"}

            async def events(**params: str) -> list[tuple[str, str]]:
                r = await s.http.get("/api/v1/events", headers=h,
                                     params={"date": "2026-12-05", **params})
                assert r.status_code == 200, r.text
                return [(e["id"], e["hall"]) for e in r.json()["events"]]

            every = await events()
            assert ("quartet-2026-12-05", "concert") in every
            assert ("tosca-2026-12-05", "opera") in every
            assert await events(hall="concert") == [("quartet-2026-12-05", "concert")]
            assert ("quartet-2026-12-05", "concert") not in await events(hall="opera")
            for path in ("/api/v1/zones", "/api/v1/plan", "/api/v1/events"):
                r = await s.http.get(path, headers=h, params={"hall": "ballroom",
                                                              "date": "2026-12-05"})
                assert r.status_code == 422, path
                [problem] = r.json()["detail"]
                assert problem["loc"] == ["query", "hall"]
                assert "unknown hall 'ballroom'" in problem["msg"]
                assert "opera, concert" in problem["msg"]
            r = await s.http.get("/", follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == "/panel/site"

    run(body())


def test_a_one_hall_venue_is_one_hall_named_as_the_venue(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path) as s:
            h = s.auth("viewer")
            site = (await s.http.get("/api/v1/site", headers=h)).json()
            [main] = site["halls"]
            assert (main["id"], main["name"], main["type"]) == ("main", "NCPA Opera House",
                                                                "separated")
            assert main["zones"] == OPERA and main["phase_now"]["phase"] == "show"
            assert site["groups"] == []
            assert site["units"]["total"] == 7
            all_zones = (await s.http.get("/api/v1/zones", headers=h)).json()
            hall = (await s.http.get("/api/v1/zones", headers=h, params={"hall": "main"})).json()
            assert [z["zone"] for z in hall] == [z["zone"] for z in all_zones] == OPERA
            r = await s.http.get("/api/v1/zones", headers=h, params={"hall": "opera"})
            assert r.status_code == 422 and "(halls: main)" in r.json()["detail"][0]["msg"]
            r = await s.http.get("/", follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == "/panel"  # as it was
            spec = (await s.http.get("/openapi.json")).json()
            ok = spec["paths"]["/api/v1/site"]["get"]["responses"]["200"]
            assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/SiteOut")
            for path in ("/api/v1/zones", "/api/v1/plan"):
                params = spec["paths"][path]["get"]["parameters"]
                assert any(p["name"] == "hall" and not p["required"] for p in params), path

    run(body())


def test_a_planned_group_shows_its_mode_since_and_why(tmp_path: Path) -> None:
    """The plan's state of a group, as the site tells it (the planner's public sequence fills
    `PlanState.groups`; here a state as it would give one)."""
    async def body() -> None:
        async with service(tmp_path, configure=make_site) as s:
            since = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
            gs = GroupState("lobby", "open", "heat", "heat", since, 20.0, LOBBY_UNITS[:1],
                            "heat: outdoor 2.0 °C under 12 °C", outdoor_c=2.0,
                            dew_point_c=-4.5)
            g = group_view(s.runtime.config.venue, "lobby", gs, 3.0, 55.0, s.runtime)
            assert g["phase"] == "open" and g["mode"] == g["weather_mode"] == "heat"
            assert g["since"] == "2026-12-05T17:00:00+08:00"
            assert g["running"] == [LOBBY_UNITS[0]] and g["setpoint_c"] == 20.0
            assert g["outdoor"] == {"temp_c": 2.0, "rh_pct": 55.0, "dew_point_c": -4.5}
            assert g["why"].startswith("heat:")

    run(body())


def test_a_halls_phase_is_its_most_advanced_zones_and_its_next_change_a_new_phase() -> None:
    assert hall_phase(["idle", "get_in", "precool"]) == "precool"
    assert hall_phase(["post_show", "tour"]) == "tour"
    assert hall_phase([]) == "idle"
    t = [datetime(2026, 12, 5, h, tzinfo=UTC) for h in range(6)]

    def seg(zone: str, phase: Any, a: int, b: int) -> Segment:
        return Segment.of(zone, phase, t[a], t[b], 22.0, "heat", None, {}, "")

    plan = [seg("a", "show", 0, 2), seg("a", "show", 2, 3),  # a setpoint step: no change
            seg("a", "post_show", 3, 5), seg("b", "idle", 0, 4), seg("b", "tour", 4, 5)]
    assert next_change(plan, ["a", "b"], t[1], {"a": "show", "b": "idle"}) == plan[2]
    assert next_change(plan, ["b"], t[1], {"b": "idle"}) == plan[4]
    assert next_change(plan, ["b"], t[4], {"b": "tour"}) is None
