"""An evening with shows in three halls (four: the site's 2026-12-12) at 19:30, planned and
controlled over real sockets: the service on uvicorn, every unit of the default site served
by the simulator over BACnet/IP and Modbus TCP."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from hvac_ctl.cli import main
from hvac_ctl.model.venue import UnitKind
from tests.harness import run, service
from tests.site import default_site

pytestmark = pytest.mark.e2e
HALLS = ("opera-house", "concert-hall", "drama-theatre", "multi-functional-theatre")


def test_three_halls_at_1930_each_through_its_phases_over_sockets(tmp_path: Path) -> None:
    async def go() -> Path:
        async with service(tmp_path, at="2026-12-12 17:30", configure=default_site) as s:
            venue = s.runtime.config.venue
            seen: dict[str, list[str]] = {h: [] for h in HALLS}
            crowded: set[str] = set()
            for _ in range(9):  # 17:30 → 20:00, every 15 min
                await s.step(15)
                r = await s.http.get("/api/v1/site", headers=s.auth("viewer"))
                assert r.status_code == 200
                for hall in r.json()["halls"]:
                    phases = seen[hall["id"]]
                    if not phases or phases[-1] != hall["phase_now"]["phase"]:
                        phases.append(hall["phase_now"]["phase"])
                for g in r.json()["groups"]:  # the foyers: each group's units in one mode
                    modes = {s.sim.building.commands(u).mode for u in g["running"]}
                    assert len(modes) <= 1, g
                    assert g["phase"] in ("idle", "open", "crowd") and g["why"], g
                    crowded |= {g["id"]} if g["phase"] == "crowd" and g["running"] else set()
            for hall in HALLS:  # each hall prepared, opened its doors and raised its curtain
                assert seen[hall][-1] == "show", (hall, seen[hall])
                assert "precool" in seen[hall] or hall == "multi-functional-theatre", seen
            state = s.runtime.loop.last_state
            assert state is not None
            for hall in HALLS:
                for zone in venue.zones_of_hall(hall):
                    assert state.zones[zone].phase == "show", zone
                    for unit in venue.units_of(zone):
                        if venue.units[unit].kind != UnitKind.ahu:
                            continue
                        planned = state.units[unit]
                        held = s.sim.building.commands(unit)  # what reached the device
                        assert held.enable is planned["enable"], unit
                        if planned["enable"]:
                            assert held.setpoint == pytest.approx(planned["setpoint"],
                                                                  abs=0.05), unit
            # every group's audiences gathered before doors, and its units ran for them
            assert crowded == set(venue.groups), crowded
            await s.settle()
            return s.ports.folder

    folder = run(go(), timeout_s=600)
    # what the service recorded: `report public` reads each group's modes from it
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["report", "public", "--config", str(folder), "--db",
                     f"sqlite:///{tmp_path / 'store.db'}", "--from", "2026-12-12", "--to",
                     "2026-12-12", "--json"])
    assert code == 0
    hours = {g["group"]: g["hours"] for g in json.loads(out.getvalue())["groups"]}
    assert set(hours) == {"opera-olive", "concert-lobby", "drama-lobby", "corridors"}
    ran = {g: {m: h for m, h in hs.items() if h > 0 and m not in ("off", "unknown")}
           for g, hs in hours.items()}
    assert any(ran.values()), hours  # a mode known, not 'unknown', while units ran
