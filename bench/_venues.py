"""Bigger venues for the benchmarks: the default venue on free loopback ports, plus replicas.

`replicated_venue(dest, n)` writes a configuration folder (zones.yaml + a copy of schedules/)
in which `ahu-aud-1` (BACnet) and `ahu-stage-main` (Modbus) each have n − 1 copies: the BACnet
copies in zone auditorium, each its own device on its own free UDP port with its own device
id; the Modbus copies in zone stage, up to `per_server` device ids (1…) per Modbus TCP server,
each server on a free TCP port. The other default units stay (the seasons name them), moved to
free ports too, so nothing here ever collides with a running simulator or another test.
"""

from __future__ import annotations

import copy
import shutil
import socket
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
BACNET_TEMPLATE = "ahu-aud-1"
MODBUS_TEMPLATE = "ahu-stage-main"
FIRST_COPY_DEVICE_ID = 20_001


@dataclass(frozen=True)
class Venue:
    folder: Path
    bacnet: list[str]  # the n BACnet units of identical layout (the template and its copies)
    modbus: list[str]  # the n Modbus units of identical layout
    client_ports: list[int]  # free UDP ports for BACnet clients, distinct from every device
    modbus_servers: int  # how many Modbus TCP servers serve the n Modbus units


def free_ports(kind: int, n: int) -> list[int]:
    """n distinct free loopback ports: every socket stays bound until all are chosen."""
    with ExitStack() as stack:
        ports = []
        for _ in range(n):
            s = stack.enter_context(socket.socket(socket.AF_INET, kind))
            s.bind(("127.0.0.1", 0))
            ports.append(int(s.getsockname()[1]))
        return ports


def replicated_venue(dest: Path, n: int, per_server: int = 50, clients: int = 2) -> Venue:
    """A config folder with n units of each protocol's template layout; see the module doc."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "schedules", dest / "schedules", dirs_exist_ok=True)
    yaml = YAML()
    yaml.width = 4096
    data = yaml.load((ROOT / "zones.yaml").read_text(encoding="utf-8"))
    units = data["units"]
    originals = list(units)

    bacnet_units = [u for u in originals if units[u]["protocol"] == "bacnet"]
    modbus_keys = sorted({units[u]["address"]["port"] for u in originals
                          if units[u]["protocol"] == "modbus"})
    copy_servers = -(-(n - 1) // per_server)
    udp = free_ports(socket.SOCK_DGRAM, len(bacnet_units) + (n - 1) + clients)
    tcp = free_ports(socket.SOCK_STREAM, len(modbus_keys) + copy_servers)

    for u, port in zip(bacnet_units, udp, strict=False):
        units[u]["address"]["ip"] = f"127.0.0.1:{port}"
    remap = dict(zip(modbus_keys, tcp, strict=False))
    for u in originals:
        if units[u]["protocol"] == "modbus":
            units[u]["address"]["port"] = remap[units[u]["address"]["port"]]

    bacnet_names, modbus_names = [BACNET_TEMPLATE], [MODBUS_TEMPLATE]
    copy_udp = udp[len(bacnet_units):len(bacnet_units) + n - 1]
    for i, port in enumerate(copy_udp):
        name = f"{BACNET_TEMPLATE}-r{i + 2:03d}"
        unit = copy.deepcopy(units[BACNET_TEMPLATE])
        unit["zone"] = "auditorium"
        unit["serves"] = [f"replica {i + 2}"]
        unit["address"] = {"ip": f"127.0.0.1:{port}", "device_id": FIRST_COPY_DEVICE_ID + i}
        units[name] = unit
        bacnet_names.append(name)
    copy_tcp = tcp[len(modbus_keys):]
    for i in range(n - 1):
        name = f"{MODBUS_TEMPLATE}-r{i + 2:03d}"
        unit = copy.deepcopy(units[MODBUS_TEMPLATE])
        unit["zone"] = "stage"
        unit["serves"] = [f"replica {i + 2}"]
        unit["address"] = {"host": "127.0.0.1", "port": copy_tcp[i // per_server],
                           "device_id": i % per_server + 1, "word_order": "big"}
        units[name] = unit
        modbus_names.append(name)

    with (dest / "zones.yaml").open("w", encoding="utf-8") as f:
        yaml.dump(data, f)
    return Venue(dest, bacnet_names, modbus_names, udp[len(bacnet_units) + n - 1:],
                 1 + copy_servers)
