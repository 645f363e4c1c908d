"""A two-hall site for the tests of the site's views: the shipped opera house (`zones.yaml`
and its schedules) made the hall `opera`, a small concert hall `concert` beside it with one
auditorium and one unit, and a public lobby (group `lobby`, two AHUs) the audiences of both
cross. The new units are ordinary Modbus AHUs on the shipped Modbus servers' ports (more device
ids on the same server), so the simulator serves them as it serves the others."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import yaml

from hvac_ctl.model import Config

HALLS = {"opera": {"name": "Opera House", "type": "separated"},
         "concert": {"name": "Concert Hall", "type": "fused"}}
GROUPS = {"lobby": {"name": "North lobby", "halls": ["opera", "concert"],
                    "staging": {"idle": 0, "open": 1, "crowd": 2}}}
CONCERT_ZONE = "concert-aud"
LOBBY_ZONE = "lobby"
CONCERT_UNIT = "ahu-concert-1"
LOBBY_UNITS = ("ahu-lobby-1", "ahu-lobby-2")
# a concert the same evening as Tosca, later: the concert hall's next change tonight
CONCERT = """performances:
  - {id: quartet-2026-12-05, title: String Quartet, date: 2026-12-05, hall: concert,
     doors_open: "20:30", curtain: "21:00", end: "22:30", expected_attendance: 300}
"""


def make_site(folder: Path) -> None:
    """Turn a copy of the shipped configuration in `folder` (ports already its own) into the
    site: halls, the concert hall's zone and unit, the lobby's zone, group and units."""
    path = folder / "zones.yaml"
    venue: dict[str, Any] = yaml.safe_load(path.read_text())
    venue["halls"] = HALLS
    venue["groups"] = GROUPS
    zones = venue["zones"]
    for z in zones.values():
        z["hall"] = "opera"
    concert = copy.deepcopy(zones["auditorium"])
    concert.update(hall="concert", seats=600, area_m2=500, volume_m3=5000,
                   description="the concert hall")
    zones[CONCERT_ZONE] = concert
    lobby = copy.deepcopy(zones["stage"])
    lobby.pop("hall")
    lobby.pop("capacity")
    lobby.update(kind="public", group="lobby", seats=None, capacity=800, area_m2=900,
                 volume_m3=9000, description="the north lobby")
    lobby.pop("seats")
    zones[LOBBY_ZONE] = lobby
    units = venue["units"]
    pit = units["ahu-pit"]
    for n, (name, zone) in enumerate(((CONCERT_UNIT, CONCERT_ZONE),
                                      *((u, LOBBY_ZONE) for u in LOBBY_UNITS)), start=2):
        unit = copy.deepcopy(pit)
        unit.update(zone=zone, serves=[zone])
        unit["address"] = {**pit["address"], "device_id": n}
        unit["points"]["mode"] = {**pit["points"]["mode"],
                                  "states": {"cool": 1, "heat": 2, "vent": 3, "dehumidify": 4}}
        units[name] = unit
    path.write_text(yaml.safe_dump(venue, sort_keys=False))
    seasons_path = folder / "schedules" / "seasons.yaml"
    seasons: dict[str, Any] = yaml.safe_load(seasons_path.read_text())
    for season in seasons["seasons"].values():
        zs = copy.deepcopy(season["zones"]["auditorium"])
        for phase in zs.values():
            if isinstance(phase, dict) and "units" in phase:
                phase["units"] = [CONCERT_UNIT] if phase["units"] else []
        season["zones"][CONCERT_ZONE] = zs
    seasons_path.write_text(yaml.safe_dump(seasons, sort_keys=False))
    (folder / "schedules" / "calendar" / "concert.yaml").write_text(CONCERT)


def default_site(folder: Path) -> None:
    """The shipped site (the repository's `zones.yaml` and `schedules/`) in `folder`, every
    unit moved to a free loopback port (each BACnet device its own UDP port, each Modbus
    server its own TCP port): what the `configure` hook of `tests.harness.service` takes."""
    import re
    import shutil
    import socket

    from tests.harness import ROOT, free_port

    shutil.copy(ROOT / "zones.yaml", folder / "zones.yaml")
    shutil.rmtree(folder / "schedules")
    shutil.copytree(ROOT / "schedules", folder / "schedules")
    text = (folder / "zones.yaml").read_text()
    udp = sorted(set(re.findall(r'ip: "127\.0\.0\.1:(\d+)"', text)))
    tcp = sorted(set(re.findall(r"port: (\d+),", text)))
    taken = {int(p) for p in (*udp, *tcp)}
    moved = {p: free_port(socket.SOCK_DGRAM, taken) for p in udp}
    text = re.sub(r'ip: "127\.0\.0\.1:(\d+)"',
                  lambda m: f'ip: "127.0.0.1:{moved[m.group(1)]}"', text)
    moved_tcp = {p: free_port(socket.SOCK_STREAM, taken) for p in tcp}
    text = re.sub(r"port: (\d+),", lambda m: f"port: {moved_tcp[m.group(1)]},", text)
    (folder / "zones.yaml").write_text(text)


def with_plant(config: Config, **update: object) -> Config:
    """A site's configuration with its plant changed (`peak_cap_kw`, `coordinate_precool`,
    …), as an engineer's edit of `plant:` would change it."""
    assert config.venue.plant is not None
    plant = config.venue.plant.model_copy(update=update)
    return dataclasses.replace(config, venue=config.venue.model_copy(update={"plant": plant}))
