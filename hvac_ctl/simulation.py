"""The bridge from the configuration to the simulator: zones.yaml → `simulator` specs.

The simulator imports nothing of `hvac_ctl` (it is a building, not a client); this module is
the one place that translates the venue and the calendar into its terms.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from hvac_ctl.in_use import Need, Proto
from hvac_ctl.model import Config
from hvac_ctl.model.calendar import GetInEvent, ShowEvent, TourEvent
from hvac_ctl.model.plant import Plant
from hvac_ctl.model.points import CHILLER_COMMAND_POINTS, ChillerPoints
from hvac_ctl.model.venue import COMMAND_POINTS, BacnetAddress, Exposure, ModbusAddress, Points
from simulator.building import BuildingSpec, ExposureSpec, PointSpec, UnitSpec, ZoneSpec
from simulator.plant import ChillerSpec, PlantSpec, TowerSpec
from simulator.plant import Curves as SimCurves
from simulator.scenario import Period, Scenario, ScenarioFile, Show, Tour
from simulator.weather import CsvWeather, DesignDay, Weather


def building_spec(config: Config, demand_limit: bool = True) -> BuildingSpec:
    """The venue as the simulator's building; a site's plant with it (`plant_spec`)."""
    v = config.venue
    zones = {
        name: ZoneSpec(
            name=name, kind=z.kind.value, area_m2=z.area_m2, volume_m3=z.volume_m3,
            occupants_max=z.occupants_max,
            fast_capacitance_j_per_k=z.thermal.fast_capacitance_mj_per_k * 1e6,
            mass_capacitance_j_per_k=z.thermal.mass_capacitance_mj_per_k * 1e6,
            fast_mass_w_per_k=z.thermal.fast_mass_kw_per_k * 1e3,
            mass_surroundings_w_per_k=z.thermal.mass_surroundings_kw_per_k * 1e3,
            exchange_with=z.thermal.exchange_with,
            exchange_m3_per_s=z.thermal.exchange_m3_per_s,
            group=z.group,
            hall=v.hall_of(name) if v.is_site else None,
            exposure=ExposureSpec(**z.exposure.model_dump()) if z.exposure != Exposure() else None,
            crowds=_crowds(config, name),
        )
        for name, z in v.zones.items()
    }
    units = {}
    for name, u in v.units.items():
        points = _points(u.points, COMMAND_POINTS)
        addr = _address(u.address)
        units[name] = UnitSpec(
            name=name, zone=u.zone, kind=u.kind.value, protocol=u.protocol,
            host=addr[0], port=addr[1], device_id=addr[2], word_order=addr[3],
            airflow_m3_per_s=u.airflow_m3_per_s, cooling_w=u.cooling_kw * 1e3,
            heating_w=u.heating_kw * 1e3, fan_w=u.fan_kw * 1e3,
            supply_min_c=u.supply_limits_c[0], supply_max_c=u.supply_limits_c[1],
            points=points,
        )
    occ = v.venue.occupancy
    return BuildingSpec(zones=zones, units=units, timezone=v.venue.timezone,
                        co2_per_person_lps=occ.co2_per_person_lps,
                        outdoor_co2_ppm=occ.outdoor_co2_ppm,
                        plant=None if v.plant is None else plant_spec(v.plant, demand_limit))


def plant_spec(plant: Plant, demand_limit: bool = True) -> PlantSpec:
    """`plant:` in the simulator's terms. `demand_limit`: the chillers are held to the
    plant's `peak_cap_kw` (its demand limiter set there), else they run to their capacity."""
    chillers = {}
    for name, c in plant.chillers.items():
        cv = c.curves
        served: dict[str, Any] = {}
        if c.protocol is not None and c.address is not None and c.points is not None:
            host, port, device_id, word_order = _address(c.address)
            served = dict(protocol=c.protocol, host=host, port=port, device_id=device_id,
                          word_order=word_order,
                          points=_points(c.points, CHILLER_COMMAND_POINTS))
        chillers[name] = ChillerSpec(
            name=name, kind=c.kind.value, capacity_kw=c.capacity_kw, cop=c.cop,
            plr_min=c.plr_min,
            curves=SimCurves(cv.cap_ft, cv.eir_ft, cv.eir_fplr, cv.t_chw_c, cv.t_cw_c),
            **served)
    t = plant.towers
    return PlantSpec(
        chillers=chillers,
        towers=TowerSpec(t.approach_k, t.cw_min_c, t.free_cooling_below_wb_c, t.free_cooling_kw),
        chw_supply_c=plant.chw_supply_c, heat_exchanger_kw=plant.heat_exchanger_kw,
        base_load_kw=tuple(plant.base_load_kw),
        demand_limit_kw=plant.peak_cap_kw if demand_limit else None)


def _points(points: Points | ChillerPoints, commands: tuple[str, ...]) -> dict[str, PointSpec]:
    return {
        pname: PointSpec(
            name=pname, command=pname in commands, type=p.type.value,
            object_type=p.object_type if p.object else None,
            instance=p.object_instance if p.object else None,
            register=p.register_, table=p.table, min=p.min, max=p.max,
            states=dict(p.states) if p.states else None, units=p.units,
        )
        for pname, p in points.items()
    }


def _address(a: BacnetAddress | ModbusAddress) -> tuple[str, int, int, Literal["big", "little"]]:
    """(host, port, device id, word order) of a unit's or a chiller's address."""
    if isinstance(a, BacnetAddress):
        host, port = a.ip.rsplit(":", 1)
        return host, int(port), a.device_id, "big"
    return a.host, a.port, a.device_id, a.word_order


def _crowds(config: Config, zone: str) -> tuple[tuple[str, float], ...]:
    """A public zone's share of each hall's audience in the public areas: by floor area among
    the public zones whose groups serve that hall (the group's `halls`)."""
    v = config.venue
    group = v.zones[zone].group
    if group is None or group not in v.groups:
        return ()
    out = []
    for hall in v.groups[group].halls:
        serving = [n for g, pg in v.groups.items() if hall in pg.halls
                   for n in v.zones_of_group(g)]
        total = sum(v.zones[n].area_m2 for n in serving)
        out.append((hall, v.zones[zone].area_m2 / total))
    return tuple(out)


def simulator_ports(spec: BuildingSpec, offset: int = 0) -> list[Need]:
    """The ports the simulator listens on (moved by `offset`): one per BACnet unit (UDP), one
    per Modbus server (TCP), named by the units they serve."""
    served: dict[tuple[str, int, Proto], list[str]] = {}
    for u in spec.served():
        proto: Proto = "udp" if u.protocol == "bacnet" else "tcp"
        served.setdefault((u.host, u.port + offset, proto), []).append(u.name)
    return [Need(port, proto, f"{'BACnet/IP' if proto == 'udp' else 'Modbus TCP'} of "
                 f"{', '.join(names)}", host) for (host, port, proto), names in served.items()]


def calendar_scenario(config: Config, first: date, last: date) -> Scenario:
    """What the calendar expects between two days, as the simulator's scenario."""
    tz = config.venue.venue.tz
    shows, tours, get_ins = [], [], []
    group = config.venue.venue.occupancy.tour_group_size
    for e in config.calendar.events_between(first, last, tz):
        if isinstance(e, ShowEvent):
            shows.append(Show(e.id, e.doors_open, e.curtain, e.end, e.expected_attendance,
                              e.live_orchestra, e.house_lights, hall=e.hall))
        elif isinstance(e, TourEvent):
            tours.append(Tour(e.start, e.end, e.route, e.group_size or group))
        elif isinstance(e, GetInEvent):
            get_ins.append(Period(e.start, e.end, e.hall))
    return Scenario(tuple(shows), tuple(tours), tuple(get_ins))


def weather_for(choice: str, start: datetime) -> Weather:
    """A design day by name or by season (May–September: summer), or a CSV file."""
    tz = start.tzinfo
    assert tz is not None
    if choice == "auto":
        choice = "summer" if 5 <= start.month <= 9 else "winter"
    if choice == "summer":
        return DesignDay.summer(tz)
    if choice == "winter":
        return DesignDay.winter(tz)
    return CsvWeather(Path(choice))


def run_simulator(config: Config, start: datetime, until: datetime | None, speed: float,
                  weather: str = "auto", scenario: Path | None = None,
                  status_every: float = 5.0, independent_thermostats: bool = False,
                  write_log: Path | None = None) -> int:
    """`hvac-ctl sim`: serve the building until `until` or a signal, then close every socket.
    `write_log`: every accepted network write appended as it is served (simulated time, unit,
    point, value, the client's address, the wall-clock Unix time: to set writes beside what
    happened to the processes writing them), one tab-separated line each."""
    # the protocol servers load here, not on import: the in-process evaluation needs none
    from hvac_ctl.in_use import problem
    from simulator.clock import SimClock
    from simulator.runner import SimulatedBuilding

    last = (until or start + timedelta(days=31)).date() + timedelta(days=1)
    plot = calendar_scenario(config, start.date() - timedelta(days=1), last)
    if scenario is not None:
        plot = plot.edited(ScenarioFile.load(scenario))
    spec = building_spec(config)
    sim = SimulatedBuilding(spec, plot, weather_for(weather, start), start,
                            step=timedelta(seconds=min(60.0, max(1.0, speed))),
                            independent_thermostats=independent_thermostats)
    log_file = None if write_log is None else write_log.open("a", buffering=1, encoding="utf-8")
    if log_file is not None:
        out = log_file

        def logged(at: datetime, unit: str, point: str, value: object, who: str) -> None:
            out.write(f"{at.isoformat()}\t{unit}\t{point}\t{value}\t{who}\t{time.time():.3f}\n")

        sim.building.on_write = logged
    taken = problem(simulator_ports(spec))  # before any server starts: one line, no traceback
    if taken is not None:
        print(f"hvac-ctl sim: {taken}; the simulator serves the units' addresses in zones.yaml "
              "(another simulator or demo running?)", file=sys.stderr)
        return 1
    clock = SimClock(start, speed)

    def say(line: str) -> None:
        print(line, flush=True)

    async def main() -> None:
        await sim.start()
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        try:
            for u in spec.served():
                say(f"serving {u.name}: {u.protocol} {u.host}:{u.port} device {u.device_id}")
            chillers = len(spec.served()) - len(spec.units)
            say(f"ready: {len(spec.units)} units"
                + (f" and {chillers} chillers" if chillers else "")
                + f", simulated time {start.isoformat()}, speed ×{speed:g}")
            await sim.run(clock, until, say, status_every)
        except asyncio.CancelledError:
            say("stopping: closing every socket")
        finally:
            await sim.close()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        print("interrupted", file=sys.stderr)
        return 130
    return 0
