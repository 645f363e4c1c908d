"""The simulator's chilled-water plant (`simulator/plant.py`): its curves agree with the
planner's, its local sequence cools a building nobody drives, its demand limit holds, and a
starved plant warms the supply air and the zones, as a real one does."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from hvac_ctl.config import load_config
from hvac_ctl.model import Config
from hvac_ctl.planner import chiller_curves as planner
from hvac_ctl.planner.psychro import wet_bulb_c as planner_wet_bulb
from hvac_ctl.simulation import building_spec, calendar_scenario, plant_spec
from simulator import plant as sim
from simulator.building import BuildingSpec
from simulator.engine import Building
from simulator.weather import DesignDay
from tests.harness import ROOT, SHANGHAI

DAY = datetime(2027, 7, 14, 12, 0, tzinfo=SHANGHAI)  # a summer weekday


@pytest.fixture(scope="module")
def site() -> Config:
    return load_config(ROOT)


@pytest.mark.parametrize("t_chw, t_cw, load", [
    (7.0, 30.0, 2000.0), (5.0, 20.0, 300.0), (8.5, 12.0, 3500.0),  # 12: under the fit's range
    (3.0, 36.0, 900.0), (7.0, 26.0, 50.0), (7.0, 26.0, 9000.0)])  # past the range; past plr
def test_the_simulators_curves_are_the_planners(site: Config, t_chw: float, t_cw: float,
                                                load: float) -> None:
    plant = site.venue.plant
    assert plant is not None
    spec = plant_spec(plant)
    for name, chiller in plant.chillers.items():
        ours = spec.chillers[name]
        assert sim.available_kw(ours, t_chw, t_cw) == planner.available_kw(chiller, t_chw, t_cw)
        assert sim.power_kw(ours, load, t_chw, t_cw) == planner.power_kw(chiller, load, t_chw,
                                                                          t_cw)
    assert sim.condenser_c(spec.towers, 10.0) == planner.condenser_c(plant.towers, 10.0)
    for temp, rh in ((30.0, 60.0), (-5.0, 40.0), (20.0, 2.0)):
        assert sim.wet_bulb_c(temp, rh) == planner_wet_bulb(temp, rh)


def _cooling_site(spec: BuildingSpec, config: Config) -> Building:
    """The shipped site on a summer design day, every unit cooling to 22 °C."""
    plot = calendar_scenario(config, DAY.date(), DAY.date())
    b = Building(spec, plot, DesignDay.summer(SHANGHAI), DAY)
    for unit, u in spec.units.items():
        b.write(unit, "enable", True)
        if "mode" in u.points:
            b.write(unit, "mode", "cool")
            b.write(unit, "setpoint", 22.0)
            b.write(unit, "oa_damper_min", 30.0)
    return b


def test_with_no_command_the_plants_own_sequence_cools_and_meters(site: Config) -> None:
    b = _cooling_site(building_spec(site, demand_limit=False), site)
    b.advance(timedelta(hours=2))
    p = b.plant
    assert p is not None and not p.remote
    running = [n for n, r in p.running.items() if r]
    assert running, "nothing started for a summer afternoon's load"
    assert p.fraction == 1.0 and p.meters.starved_kwh == pytest.approx(0.0, abs=1e-6)
    m = p.meters
    assert m.electric_kwh == pytest.approx(sum(m.chiller_kwh.values()))
    assert m.delivered_kwh == pytest.approx(m.demanded_kwh)
    assert 2.5 < m.delivered_kwh / m.electric_kwh < 8  # a plant's COP, not a typo's
    assert all(m.starts[n] >= 1 for n in running)
    assert b.read(running[0], "status") is True
    assert b.read(running[0], "electric_kw") > 0


def test_the_demand_limit_holds_the_chillers_under_it(site: Config) -> None:
    spec = building_spec(site, demand_limit=False)
    assert spec.plant is not None
    capped = replace(spec, plant=replace(spec.plant, demand_limit_kw=300.0))
    b = _cooling_site(capped, site)
    for _ in range(60):
        b.advance(timedelta(minutes=1))
        assert b.plant is not None and b.plant.electric_kw <= 300.0 + 1e-6
        assert b.plant.asked_kw >= b.plant.electric_kw  # what it would have drawn: said
    assert b.plant.meters.starved_kwh > 0  # 300 kW of electric cannot carry the afternoon
    assert b.plant.meters.limited_s > 0 and b.plant.asked_kw > 300.0


def test_a_starved_plant_warms_the_supply_air_and_the_zones(site: Config) -> None:
    """The same site and afternoon twice: with the plant, and with every chiller commanded
    off in the hottest hour (the towers cannot free-cool at a 26 °C wet-bulb)."""
    fed = _cooling_site(building_spec(site, demand_limit=False), site)
    starved = _cooling_site(building_spec(site, demand_limit=False), site)
    for name in site.venue.plant.chillers:  # type: ignore[union-attr]
        starved.write(name, "enable", False)
    for b in (fed, starved):
        b.advance(timedelta(hours=1))
    assert starved.plant is not None and fed.plant is not None
    assert starved.plant.fraction < 0.05 and fed.plant.fraction == 1.0
    assert starved.plant.meters.starved_kwh > 1000
    assert starved.plant.meters.electric_kwh == 0.0
    for zone in ("auditorium", "concert-auditorium", "lobby-opera"):
        unit = next(u.name for u in fed.spec.units_of(zone) if u.kind == "ahu")
        assert starved.read(unit, "supply_temp") > fed.read(unit, "supply_temp") + 3.0, zone
        assert starved.hall.temp(zone) > fed.hall.temp(zone) + 0.5, zone


def test_without_a_plant_nothing_changes() -> None:
    """A venue without `plant:` builds none, and its coils are never scaled."""
    config = load_config(ROOT / "examples" / "single-hall")
    spec = building_spec(config)
    assert spec.plant is None
    b = Building(spec, calendar_scenario(config, DAY.date(), DAY.date()),
                 DesignDay.summer(SHANGHAI), DAY)
    b.advance(timedelta(hours=1))
    assert b.plant is None and all(a.chw == 1.0 for a in b.ahus.values())
