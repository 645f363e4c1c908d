"""The plant as the service shows it, on the default site over real sockets: the API's
chillers, demand, cap, band and the day's expected peak; the panel's Plant page; a venue
without a plant is a 404 naming why."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.psychro import humidity_ratio
from simulator.weather import DesignDay
from tests.harness import run, service
from tests.site import default_site

pytestmark = pytest.mark.e2e


def test_the_plant_now_and_today_against_the_cap(tmp_path: Path) -> None:
    async def go() -> None:
        async with service(tmp_path, at="2026-12-12 18:30", configure=default_site) as s:
            await s.step(2)
            r = await s.http.get("/api/v1/plant", headers=s.auth("viewer"))
            assert r.status_code == 200, r.text
            plant = r.json()
            assert plant["cap_kw"] == 1800
            assert {c["id"] for c in plant["chillers"]} == {f"ch-{n}" for n in range(1, 6)}
            now = plant["now"]
            assert now["band"] == "critical"  # December's evening critical peak, 18–21
            assert now["price_cny_per_kwh"] == pytest.approx(0.75 * 2.16)
            assert now["load_kw"] == pytest.approx(now["coils_kw"] + now["base_kw"], abs=0.2)
            assert now["district_heat_kw"] > 0  # a December evening's heating
            assert len(plant["today"]) == 96
            assert plant["peak"]["electric_kw"] >= plant["evening_peak"]["electric_kw"]
            running = [c for c in plant["chillers"] if c["running"]]
            assert (not running) == now["free_cooling"] or now["load_kw"] == 0
            s.runtime.store.create_user("eng", "engineer", "curtain-up-2026")
            login = await s.http.post("/panel/login", data={"name": "eng",
                                                            "password": "curtain-up-2026"})
            assert login.status_code == 303
            page = await s.http.get("/panel/plant")
            assert page.status_code == 200
            assert "of a 1800 kW cap" in page.text and 'data-chiller="ch-5"' in page.text
            assert 'data-f="district-heat"' in page.text
            assert 'href="/panel/plant"' in page.text  # in the nav of a venue with a plant

    run(go(), timeout_s=300)


def test_a_venue_without_a_plant_has_none_to_show(tmp_path: Path) -> None:
    async def go() -> None:
        async with service(tmp_path) as s:
            r = await s.http.get("/api/v1/plant", headers=s.auth("viewer"))
            assert r.status_code == 404 and "has no plant" in r.text

    run(go())


def test_a_summer_evenings_preparations_with_their_starts_and_loads(tmp_path: Path) -> None:
    async def go() -> None:
        async with service(tmp_path, at="2027-07-03 16:30", configure=default_site,
                           weather=DesignDay.summer) as s:
            b = s.sim.building  # an afternoon floating in its summer idle band, not at 22 °C
            for zone in b.spec.zones:
                b.hall.set_state(zone, 26.0, humidity_ratio(26.0, 50.0), 450.0)
            await s.step(2)
            r = await s.http.get("/api/v1/plant", headers=s.auth("viewer"))
            o = r.json()["preparations"]
            assert o is not None and o["coordinated"] and o["cap_kw"] == 1800
            assert o["start"][11:16] == "16:00" and o["end"][11:16] == "19:00"
            zones = {p["zone"] for p in o["precools"]}
            assert {"auditorium", "concert-auditorium", "drama-stage", "mft-stage"} <= zones
            assert all(p["start"] <= p["own_start"] and p["plant_load_kw"] > 0
                       for p in o["precools"])
            s.runtime.store.create_user("eng", "engineer", "curtain-up-2026")
            await s.http.post("/panel/login", data={"name": "eng",
                                                    "password": "curtain-up-2026"})
            page = await s.http.get("/panel/plant")
            assert 'data-f="preparations"' in page.text and 'data-prep="stage"' in page.text
            tonight = await s.http.get("/panel/tonight")
            assert "plant load then" in tonight.text and 'data-f="plant-kw"' in tonight.text

    run(go(), timeout_s=300)
