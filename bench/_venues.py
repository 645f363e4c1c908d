"""Bigger venues for the benchmarks: the single hall on free loopback ports, plus replicas.

`SINGLE_HALL` is the venue the benchmarks run on: the one-hall opera house of
`examples/single-hall` (zones.yaml + schedules/), not the repository root's configuration.

`replicated_venue(dest, n)` writes a configuration folder (the single hall's zones.yaml + a
copy of its schedules/) in which `ahu-aud-1` (BACnet) and `ahu-stage-main` (Modbus) each have
n − 1 copies (with `modbus_n`, the Modbus template has modbus_n − 1 instead: one simulator
process serves a few hundred Modbus units far more cheaply than as many BACnet devices): the
BACnet copies in zone auditorium, each its own device on its own free UDP port with its own
device id; the Modbus copies in zone stage, up to `per_server` device ids (1…) per Modbus TCP
server, each server on a free TCP port. The single hall's other units stay (the seasons name
them), moved to free ports too, so nothing here ever collides with a running simulator or
another test.
"""

from __future__ import annotations

import re
import shutil
import socket
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SINGLE_HALL = ROOT / "examples" / "single-hall"
BACNET_TEMPLATE = "ahu-aud-1"
MODBUS_TEMPLATE = "ahu-stage-main"
FIRST_COPY_DEVICE_ID = 20_001


@dataclass(frozen=True)
class Venue:
    folder: Path
    bacnet: list[str]  # the n BACnet units of identical layout (the template and its copies)
    modbus: list[str]  # the n (or modbus_n) Modbus units of identical layout
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


def _unit_blocks(text: str) -> tuple[str, dict[str, str]]:
    """zones.yaml split into everything up to `units:` and the text block of every unit."""
    head, _, body = text.partition("\nunits:\n")
    blocks: dict[str, str] = {}
    name = None
    for line in body.splitlines(keepends=True):
        m = re.match(r"^  ([A-Za-z0-9_.-]+):\s*$", line)
        if m:
            name = m.group(1)
            blocks[name] = line
        elif name is not None:
            blocks[name] += line
    return head + "\nunits:\n", blocks


def _with(block: str, key: str, value: str) -> str:
    """The unit block with its top-level `key:` line replaced."""
    out, n = re.subn(rf"^    {key}: .*$", f"    {key}: {value}", block, count=1, flags=re.M)
    assert n == 1, f"no '{key}:' line in the unit block"
    return out


def replicated_venue(dest: Path, n: int, per_server: int = 50, clients: int = 2,
                     modbus_n: int | None = None) -> Venue:
    """A config folder with n BACnet and n (or modbus_n) Modbus units of the templates' layout."""
    m = n if modbus_n is None else modbus_n
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SINGLE_HALL / "schedules", dest / "schedules", dirs_exist_ok=True)
    head, blocks = _unit_blocks((SINGLE_HALL / "zones.yaml").read_text(encoding="utf-8"))
    address = {u: re.search(r"^    address: \{(.*)\}", b, re.M) for u, b in blocks.items()}
    bacnet_units = [u for u, b in blocks.items() if "protocol: bacnet" in b]
    modbus_units = [u for u, b in blocks.items() if "protocol: modbus" in b]
    ports = {u: int(re.search(r"port: (\d+)", address[u].group(1)).group(1))  # type: ignore
             for u in modbus_units}
    modbus_keys = sorted(set(ports.values()))
    copy_servers = -(-(m - 1) // per_server)
    udp = free_ports(socket.SOCK_DGRAM, len(bacnet_units) + (n - 1) + clients)
    tcp = free_ports(socket.SOCK_STREAM, len(modbus_keys) + copy_servers)

    for u, port in zip(bacnet_units, udp, strict=False):
        old = address[u].group(1)  # type: ignore[union-attr]
        blocks[u] = _with(blocks[u], "address",
                          "{" + re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{port}", old) + "}")
    remap = dict(zip(modbus_keys, tcp, strict=False))
    for u in modbus_units:
        old = address[u].group(1)  # type: ignore[union-attr]
        blocks[u] = _with(blocks[u], "address",
                          "{" + re.sub(r"port: \d+", f"port: {remap[ports[u]]}", old) + "}")

    bacnet_names, modbus_names = [BACNET_TEMPLATE], [MODBUS_TEMPLATE]
    copies: list[str] = []
    copy_udp = udp[len(bacnet_units):len(bacnet_units) + n - 1]
    for i, port in enumerate(copy_udp):
        name = f"{BACNET_TEMPLATE}-r{i + 2:03d}"
        block = blocks[BACNET_TEMPLATE].replace(f"  {BACNET_TEMPLATE}:", f"  {name}:", 1)
        block = _with(block, "zone", "auditorium")
        block = _with(block, "serves", f"[replica {i + 2}]")
        block = _with(block, "address", f'{{ip: "127.0.0.1:{port}", '
                                        f"device_id: {FIRST_COPY_DEVICE_ID + i}}}")
        copies.append(block)
        bacnet_names.append(name)
    copy_tcp = tcp[len(modbus_keys):]
    for i in range(m - 1):
        name = f"{MODBUS_TEMPLATE}-r{i + 2:03d}"
        block = blocks[MODBUS_TEMPLATE].replace(f"  {MODBUS_TEMPLATE}:", f"  {name}:", 1)
        block = _with(block, "zone", "stage")
        block = _with(block, "serves", f"[replica {i + 2}]")
        block = _with(block, "address", f"{{host: 127.0.0.1, port: {copy_tcp[i // per_server]}, "
                                        f"device_id: {i % per_server + 1}, word_order: big}}")
        copies.append(block)
        modbus_names.append(name)

    body = "".join(b if b.endswith("\n") else b + "\n" for b in [*blocks.values(), *copies])
    (dest / "zones.yaml").write_text(head + body, encoding="utf-8")
    return Venue(dest, bacnet_names, modbus_names, udp[len(bacnet_units) + n - 1:],
                 1 + copy_servers)
