"""`hvac-ctl demo`: a show day, accelerated, end to end on one machine.

The simulator serves the hall over BACnet/IP and Modbus TCP on loopback; the service drives it
over those sockets, on the simulator's own accelerated clock; a simulated box office pushes
ticket scans over HTTP while doors are open. Progress is printed as it happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import secrets
import shutil
import signal
import sys
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import IO

import httpx
from ruamel.yaml import YAML

from hvac_ctl import in_use
from hvac_ctl.config import load_config
from hvac_ctl.devices import DriverSettings
from hvac_ctl.in_use import Need
from hvac_ctl.model import Config
from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.model.venue import BacnetUnit
from hvac_ctl.planner import PlanInputs, plan_day
from hvac_ctl.report import day_table
from hvac_ctl.service.build import build_service
from hvac_ctl.service.runtime import Runtime
from hvac_ctl.service.settings import ServiceSettings
from hvac_ctl.show_report import show_reports
from hvac_ctl.simulation import building_spec, calendar_scenario, simulator_ports, weather_for
from hvac_ctl.store import Store
from simulator.clock import SimClock
from simulator.loads import arrived
from simulator.runner import SimulatedBuilding
from simulator.scenario import ScenarioFile, Show

SOLD = 0.85  # the demo's audience: 85 % of what the calendar expects
ROLES = ("admin", "operator", "engineer", "boxoffice", "viewer")


def demo_day(config: Config, today: date) -> date:
    """The first day from `today` with a performance."""
    tz = config.venue.venue.tz
    for offset in range(120):
        day = today + timedelta(days=offset)
        if any(isinstance(e, ShowEvent) for e in config.calendar.events_on(day, tz)):
            return day
    return today


def demo_ports(config: Config, port: int, bacnet_local: str, offset: int) -> list[Need]:
    """Every port the demo listens on, `offset` added to each (`--port-offset`)."""
    needs = [Need(port + offset, "tcp", "HTTP, --port")]
    if any(isinstance(u, BacnetUnit) for u in config.venue.units.values()):
        needs.append(in_use.bacnet_local(bacnet_local, "the service's BACnet/IP, --bacnet-local",
                                         offset))
    return needs + simulator_ports(building_spec(config), offset)


def moved_config(config_dir: Path, offset: int) -> Path:
    """The folder a demo with `--port-offset` runs in: a copy of the configuration whose units
    (and served chillers) listen `offset` ports up, with its own data/ (so its own store).
    Rewritten at each start."""
    folder = config_dir / "data" / f"demo+{offset}"
    yaml = YAML()  # round trip: the copy keeps the original's comments
    zones = yaml.load((config_dir / "zones.yaml").read_text(encoding="utf-8"))
    chillers = (zones.get("plant") or {}).get("chillers") or {}
    served = [c for c in chillers.values() if "address" in c]  # chillers served as units are
    for unit in [*zones["units"].values(), *served]:
        address = unit["address"]
        if "ip" in address:
            ip, port = str(address["ip"]).rsplit(":", 1)
            address["ip"] = f"{ip}:{int(port) + offset}"
        else:
            address["port"] = int(address["port"]) + offset
    (folder / "data").mkdir(parents=True, exist_ok=True)
    with (folder / "zones.yaml").open("w", encoding="utf-8") as out:
        yaml.dump(zones, out)
    shutil.rmtree(folder / "schedules", ignore_errors=True)
    shutil.copytree(config_dir / "schedules", folder / "schedules")
    return folder


def claim_store(data: Path) -> IO[str] | str:
    """The lock that makes data/demo.db this demo's to delete and re-create, held open for the
    demo's life; or why it is not: another demo holds it, or a process has the file open."""
    data.mkdir(parents=True, exist_ok=True)
    db = data / "demo.db"
    lock = (data / "demo.db.lock").open("a+", encoding="utf-8")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        pid = lock.read().strip()
        lock.close()
        return f"{db} belongs to a running demo{f' (pid {pid})' if pid else ''}"
    users = in_use.file_users(db)
    if users:
        lock.close()
        return f"{db} is open in {', '.join(users)}"
    lock.truncate(0)
    lock.write(str(os.getpid()))
    lock.flush()
    return lock


MOVE = ("--port-offset N runs a second demo on other ports: HTTP, BACnet and Modbus all move "
        "up by N, with its own store")


def run_demo(config_dir: Path, day: date | None, speed: float, port: int,
             today: date, bacnet_local: str = "127.0.0.1/24:47809", port_offset: int = 0) -> int:
    config = load_config(config_dir)
    taken = in_use.problem(demo_ports(config, port, bacnet_local, port_offset))
    if taken is not None:  # before anything starts or is deleted
        print(f"hvac-ctl demo: {taken}; {MOVE}", file=sys.stderr, flush=True)
        return 1
    if port_offset:
        port += port_offset
        ip, local = bacnet_local.rsplit(":", 1)
        bacnet_local = f"{ip}:{int(local) + port_offset}"
        claimed = claim_store(config_dir / "data" / f"demo+{port_offset}" / "data")
        if not isinstance(claimed, str):
            config_dir = moved_config(config_dir, port_offset)
            config = load_config(config_dir)
    else:
        claimed = claim_store(config_dir / "data")
    if isinstance(claimed, str):
        print(f"hvac-ctl demo: {claimed}; it is left as it is. {MOVE}", file=sys.stderr,
              flush=True)
        return 1
    with claimed:
        return _run(config_dir, config, day, speed, port, today, bacnet_local)


def _run(config_dir: Path, config: Config, day: date | None, speed: float, port: int,
         today: date, bacnet_local: str) -> int:
    tz = config.venue.venue.tz
    day = day or demo_day(config, today)
    plan = plan_day(config, day, PlanInputs())
    print(day_table(plan, config), flush=True)
    if not plan.shows:
        print(f"\n{day} has no performance: nothing to demonstrate", flush=True)
        return 1
    first = min(min(s.precool_start.values(), default=s.doors_open) for s in plan.shows)
    start = (first - timedelta(minutes=20)).astimezone(tz).replace(second=0, microsecond=0)
    until = max(s.end for s in plan.shows) + timedelta(minutes=100)
    return asyncio.run(_demo(config_dir, config, day, start, until, speed, port, bacnet_local))


async def _demo(config_dir: Path, config: Config, day: date, start: datetime, until: datetime,
                speed: float, port: int, bacnet_local: str) -> int:
    tz = config.venue.venue.tz
    plot = calendar_scenario(config, day - timedelta(days=1), day + timedelta(days=1))
    plot = plot.edited(ScenarioFile(sold=SOLD))
    clock = SimClock(start, speed)
    sim = SimulatedBuilding(building_spec(config), plot, weather_for("auto", start), start,
                            step=timedelta(seconds=min(60.0, max(1.0, speed))))
    data = config_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    db = data / "demo.db"
    for old in (db, data / "demo.db-wal", data / "demo.db-shm"):
        old.unlink(missing_ok=True)
    store = Store(f"sqlite:///{db}")
    store.migrate()
    tokens = {role: store.create_token(f"demo-{role}", role) for role in ROLES}
    people = {role: secrets.token_urlsafe(9) for role in ("operator", "viewer")}
    for role, password in people.items():
        store.create_user(role, role, password)
    service = build_service(ServiceSettings(config_dir=config_dir, speed=speed,
                                            tick_every=timedelta(seconds=60),
                                            drivers=DriverSettings(bacnet_local=bacnet_local)),
                            clock, store)
    runtime = service.runtime
    # the access log stays off (the demo prints each box office push itself)
    server = service.server("127.0.0.1", port, log_level="warning")
    await sim.start()
    serving = asyncio.create_task(server.serve())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        while not server.started:
            if serving.done():
                await serving
                return 1
            await asyncio.sleep(0.05)
        url = f"http://127.0.0.1:{port}"
        print(f"\npanel: {url}/panel   (sign in as operator / {people['operator']}, "
              f"or viewer / {people['viewer']})", flush=True)
        print(f"service: {url}   API docs: {url}/docs   metrics: {url}/metrics", flush=True)
        print("demo tokens (Authorization: Bearer …):", flush=True)
        for role, token in tokens.items():
            print(f"  {role:<10} {token}", flush=True)
        print(f"\nsimulated {start:%Y-%m-%d %H:%M} → {until.astimezone(tz):%H:%M}, ×{speed:g}"
              " (Ctrl-C stops)\n", flush=True)
        tasks = [asyncio.create_task(sim.run(clock, until)),
                 asyncio.create_task(_box_office(url, tokens["boxoffice"], plot.shows, clock,
                                                 tz)),
                 asyncio.create_task(_progress(runtime, clock, tz)),
                 asyncio.create_task(_milestones(plot.shows, clock, tz))]
        done = asyncio.create_task(stop.wait())
        await asyncio.wait([tasks[0], done], return_when=asyncio.FIRST_COMPLETED)
        for t in (*tasks, done):
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        await runtime.idle()  # every sample queued so far, stored
        print("\nhow the show went (from the store):", flush=True)
        for report in show_reports(store, config, day):
            print(report.text(), flush=True)
        print("\ndemo over: closing every socket", flush=True)
        return 0
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        await sim.close()
        store.close()


async def _box_office(url: str, token: str, shows: tuple[Show, ...], clock: SimClock,
                      tz: tzinfo) -> None:
    """Ticket scans pushed every five simulated minutes while doors are open."""
    pushed: set[tuple[str, int]] = set()
    async with httpx.AsyncClient(base_url=url, timeout=5,
                                 headers={"Authorization": f"Bearer {token}"}) as http:
        while True:
            now = clock.now()
            for show in shows:
                if show.doors_open <= now <= show.curtain + timedelta(minutes=15):
                    slot = int((now - show.doors_open).total_seconds() // 300)
                    if (show.id, slot) in pushed:
                        continue
                    pushed.add((show.id, slot))
                    count = round(arrived(show, now))
                    r = await http.post("/api/v1/occupancy",
                                        json={"event": show.id, "count": count,
                                              "at": now.isoformat()})
                    body = r.json()
                    note = ("re-adjusted" if body.get("readjusted") else "within 15 %: held")
                    print(f"{now.astimezone(tz):%H:%M}  box office: "
                          f"{count} scanned for {show.id} → {note} (acting on "
                          f"{body.get('acted_on')})", flush=True)
            await asyncio.sleep(0.2)


async def _milestones(shows: tuple[Show, ...], clock: SimClock, tz: tzinfo) -> None:
    """Doors, curtain and end of each show, when the clock reaches them."""
    marks = sorted((t, f"{what} for {s.id} ({s.attendance} coming)")
                   for s in shows for t, what in ((s.doors_open, "doors open"),
                                                  (s.curtain, "curtain up"), (s.end, "end")))
    for at, text in marks:
        while clock.now() < at:
            await asyncio.sleep(0.1)
        print(f"{at.astimezone(tz):%H:%M}  ── {text}", flush=True)


async def _progress(runtime: Runtime, clock: SimClock, tz: tzinfo) -> None:
    """Phase changes per zone, as they happen."""
    seen: dict[str, tuple[str, str | None]] = {}
    while True:
        state = runtime.loop.last_state
        if state is not None:
            for zone, zs in state.zones.items():
                key = (zs.phase, zs.event_id)
                if seen.get(zone) != key:
                    seen[zone] = key
                    m = runtime.poller.zone_measurements(clock.now(), timedelta(minutes=30))
                    temp = f"{m[zone].temp_c:.1f} °C" if zone in m else "–"
                    local = state.at.astimezone(tz)
                    # idle holds a band (its reason names it), it drives to no target
                    target = "" if zs.phase == "idle" else f"target {zs.setpoint_c:.1f} °C, "
                    print(f"{local:%H:%M}  {zone:<11} → {zs.phase:<9} {target}now {temp}: "
                          f"{zs.reason}", flush=True)
        await asyncio.sleep(0.2)
