"""What another process holds already: a port the demo, `serve` or `sim` would listen on, or a
database file the demo would delete. Checked before anything starts, so a second demo says in
one line what is taken and by whom instead of a bind traceback, half-started servers, or the
first demo's store deleted under it.

A port is taken if binding it fails. UDP is probed without SO_REUSEPORT on purpose: bacpypes3
binds its BACnet sockets with it, so a second demo's BACnet would otherwise share the first's
port without an error and each would get half of the other's answers. The owner is looked up
on Linux in /proc (the socket's inode in /proc/net, then the process holding it); where that
cannot be read the message just leaves the owner out.
"""

from __future__ import annotations

import errno
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Proto = Literal["tcp", "udp"]


@dataclass(frozen=True)
class Need:
    """A port to listen on, and what it is for (as the message names it)."""

    port: int
    proto: Proto
    what: str
    host: str = "127.0.0.1"


def bacnet_local(text: str, what: str, offset: int = 0) -> Need:
    """The UDP port of a BACnet/IP address written IP/MASK:PORT (as --bacnet-local takes it)."""
    address, _, port = text.rpartition(":")
    return Need(int(port) + offset if port.isdigit() else 0, "udp", what,
                address.split("/", 1)[0] or "127.0.0.1")


def problem(needs: list[Need]) -> str | None:
    """The first port of `needs` that cannot be bound, as 'port N (what) is …'; None if all can."""
    for n in needs:
        if not 0 < n.port < 65536:
            return f"port {n.port} ({n.what}) is not a port number (1–65535)"
        kind = socket.SOCK_STREAM if n.proto == "tcp" else socket.SOCK_DGRAM
        with socket.socket(socket.AF_INET, kind) as s:
            if n.proto == "tcp":  # as uvicorn and asyncio do: a closed one in TIME_WAIT is free
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((n.host, n.port))
            except OSError as e:
                if e.errno != errno.EADDRINUSE:
                    return f"port {n.port} ({n.what}) cannot be bound on {n.host}: {e.strerror}"
                who = owner(n.port, n.proto)
                by = f" by {who}" if who else ""
                return f"port {n.port} ({n.what}) is already in use{by}"
    return None


def owner(port: int, proto: Proto) -> str | None:
    """'pid 1234 (python3 -m hvac_ctl demo)' of the process bound to `port`, if /proc says."""
    inodes = set()
    for table in (f"/proc/net/{proto}", f"/proc/net/{proto}6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if len(f) > 9 and int(f[1].rsplit(":", 1)[1], 16) == port and (
                    proto == "udp" or f[3] == "0A"):  # 0A: LISTEN
                inodes.add(f"socket:[{f[9]}]")
    pids = holders(inodes) if inodes else []
    return _described(pids[0]) if pids else None


def holders(targets: set[str]) -> list[int]:
    """Other processes with an open file descriptor whose link is one of `targets`."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            fds = list((proc / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(fd)
            except OSError:
                continue
            if link in targets:
                found.append(int(proc.name))
                break
    return sorted(found)


def file_users(path: Path) -> list[str]:
    """Who else has `path` (or its -wal or -shm) open, described."""
    base = str(path.resolve())
    return [_described(pid) for pid in holders({base, f"{base}-wal", f"{base}-shm"})]


def _described(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"pid {pid}"
    cmd = " ".join(Path(a).name if i == 0 else a
                   for i, a in enumerate(raw.decode(errors="replace").split("\0")) if a)
    return f"pid {pid} ({cmd[:80]})" if cmd else f"pid {pid}"
