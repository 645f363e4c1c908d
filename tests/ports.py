"""A copy of the default configuration on free loopback ports, so socket tests never collide."""

from __future__ import annotations

import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

from bacpypes3.app import Application
from bacpypes3.local.device import DeviceObject
from bacpypes3.local.networkport import NetworkPortObject

from tests.harness import ROOT

BACNET_UNITS = {"ahu-aud-1": 47811, "ahu-aud-2": 47812, "ahu-aud-3": 47813}
MODBUS_PORTS = (5020, 5021)


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Ports:
    folder: Path
    bacnet: dict[str, int]  # unit → UDP port
    modbus: dict[int, int]  # port in zones.yaml → free TCP port
    client: int  # a free UDP port for a BACnet client


def config_on_free_ports(folder: Path) -> Ports:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "zones.yaml", folder / "zones.yaml")
    shutil.copytree(ROOT / "schedules", folder / "schedules", dirs_exist_ok=True)
    text = (folder / "zones.yaml").read_text()
    bacnet = {}
    for unit, port in BACNET_UNITS.items():
        bacnet[unit] = free_port(socket.SOCK_DGRAM)
        text = text.replace(f"127.0.0.1:{port}", f"127.0.0.1:{bacnet[unit]}")
    modbus = {}
    for port in MODBUS_PORTS:
        modbus[port] = free_port(socket.SOCK_STREAM)
        text = text.replace(f"port: {port},", f"port: {modbus[port]},")
    (folder / "zones.yaml").write_text(text)
    return Ports(folder, bacnet, modbus, free_port(socket.SOCK_DGRAM))


def bacnet_client(local_port: int, device_id: int = 3999) -> Application:
    """An independent BACnet/IP client (raw bacpypes3, none of our code) on a port of its own."""
    return Application.from_object_list([
        DeviceObject(objectIdentifier=("device", device_id), objectName=f"test-{device_id}",
                     vendorIdentifier=999, apduTimeout=2000, numberOfApduRetries=1),
        NetworkPortObject(f"127.0.0.1/24:{local_port}", objectIdentifier=("network-port", 1),
                          objectName="NetworkPort-1"),
    ])
