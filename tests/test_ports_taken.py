"""A second demo must not destroy the first (issue 15, item 10).

Real processes on free loopback ports: a first demo runs; a second one on the same ports exits
at once with one line naming the port and the first demo's pid, and leaves the first one's
store and sockets alone; `--port-offset` runs a second one beside it. `serve` and `sim` say in
one line which port is taken, without a traceback. A database another process has open is
never deleted.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.harness import ROOT, Ports, config_on_free_ports, free_port, hvac_process

pytestmark = pytest.mark.e2e


def hvac(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hvac_ctl", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=timeout)


@contextmanager
def demo(ports: Ports, port: int, out: Path, *extra: str) -> Iterator[subprocess.Popen[str]]:
    """A demo in the background (its output to a file: a full pipe would stall it)."""
    with out.open("w") as sink, hvac_process(
            "demo", "--config", str(ports.folder), "--speed", "60", "--date", "2026-11-29",
            "--port", str(port), "--bacnet-local", f"127.0.0.1/24:{ports.client}", *extra,
            stdout=sink, stderr=subprocess.STDOUT, stop_s=30) as proc:
        yield proc


def wait_serving(proc: subprocess.Popen[str], port: int, out: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, out.read_text()[-3000:]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the demo does not answer on {port}: {out.read_text()[-3000:]}")


def one_line(r: subprocess.CompletedProcess[str]) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]


def test_a_second_demo_leaves_the_first_alone(tmp_path: Path) -> None:
    ports = config_on_free_ports(tmp_path / "config")
    port = free_port(socket.SOCK_STREAM)
    db = ports.folder / "data" / "demo.db"
    with demo(ports, port, tmp_path / "first.log") as first:
        wait_serving(first, port, tmp_path / "first.log")
        inode, size = db.stat().st_ino, db.stat().st_size

        # the same command again: the HTTP port is named, with who holds it
        started = time.monotonic()
        again = hvac("demo", "--config", str(ports.folder), "--speed", "60", "--date",
                     "2026-11-29", "--port", str(port), "--bacnet-local",
                     f"127.0.0.1/24:{ports.client}")
        assert again.returncode == 1
        assert time.monotonic() - started < 30  # at once, not after a start-up
        line = one_line(again)
        assert line.startswith(f"hvac-ctl demo: port {port} (HTTP, --port) is already in use "
                               f"by pid {first.pid} ("), line
        assert "--port-offset" in line
        assert again.stdout == ""  # nothing started, not even the plan printed

        # another HTTP and BACnet client port: the simulator's own ports are taken
        other = hvac("demo", "--config", str(ports.folder), "--date", "2026-11-29", "--port",
                     str(free_port(socket.SOCK_STREAM)), "--bacnet-local",
                     f"127.0.0.1/24:{free_port(socket.SOCK_DGRAM)}")
        assert other.returncode == 1
        line = one_line(other)
        first_unit = "ahu-aud-1"  # the first unit of zones.yaml, the first port checked
        assert (f"port {ports.bacnet[first_unit]} (BACnet/IP of {first_unit}) is already in "
                f"use by pid {first.pid}") in line, line

        # the first demo's store and service are as they were
        assert db.stat().st_ino == inode and db.stat().st_size >= size
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        assert first.poll() is None


def _free(port: int, kind: socket.SocketKind) -> bool:
    with socket.socket(socket.AF_INET, kind) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_offset(ports: Ports, http: int) -> int:
    """An offset that moves every port the demo needs onto a free one (the ports are random:
    +7 may land on one another process holds)."""
    for offset in range(7, 500):
        if (_free(http + offset, socket.SOCK_STREAM)
                and _free(ports.client + offset, socket.SOCK_DGRAM)
                and all(_free(p + offset, socket.SOCK_DGRAM) for p in ports.bacnet.values())
                and all(_free(p + offset, socket.SOCK_STREAM) for p in ports.modbus.values())):
            return offset
    raise AssertionError("no offset puts every port on a free one")


def test_port_offset_runs_a_second_demo_beside_the_first(tmp_path: Path) -> None:
    ports = config_on_free_ports(tmp_path / "config")
    port = free_port(socket.SOCK_STREAM)
    offset = free_offset(ports, port)
    with demo(ports, port, tmp_path / "first.log") as first:
        wait_serving(first, port, tmp_path / "first.log")
        with demo(ports, port, tmp_path / "second.log", "--port-offset", str(offset)) as second:
            wait_serving(second, port + offset, tmp_path / "second.log")
            text = (ports.folder / "data" / f"demo+{offset}" / "zones.yaml").read_text()
            for unit_port in ports.bacnet.values():
                assert f"127.0.0.1:{unit_port + offset}" in text
            for modbus_port in ports.modbus.values():
                assert f"port: {modbus_port + offset}," in text
            # the second one drives its own simulator: its units come online
            deadline = time.monotonic() + 60
            while True:
                ready = httpx.get(f"http://127.0.0.1:{port + offset}/readyz", timeout=5).json()
                if ready["online"] == len(ready["devices"]):
                    break
                assert time.monotonic() < deadline, ready
                time.sleep(0.5)
        assert second.returncode == 0, (tmp_path / "second.log").read_text()[-3000:]
        assert (ports.folder / "data" / f"demo+{offset}" / "data" / "demo.db").exists()
        assert first.poll() is None
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200


def test_the_demo_never_deletes_a_store_another_process_has_open(tmp_path: Path) -> None:
    ports = config_on_free_ports(tmp_path / "config")
    db = ports.folder / "data" / "demo.db"
    db.parent.mkdir(parents=True)
    with closing(sqlite3.connect(db)) as held:
        held.execute("CREATE TABLE kept (x)")
        held.execute("INSERT INTO kept VALUES (1)")
        held.commit()
        r = hvac("demo", "--config", str(ports.folder), "--date", "2026-11-29", "--port",
                 str(free_port(socket.SOCK_STREAM)), "--bacnet-local",
                 f"127.0.0.1/24:{ports.client}")
        assert r.returncode == 1
        line = one_line(r)
        assert f"{db} is open in pid " in line and "it is left as it is" in line, line
        assert held.execute("SELECT x FROM kept").fetchall() == [(1,)]


def test_serve_names_a_taken_port_in_one_line(tmp_path: Path) -> None:
    ports = config_on_free_ports(tmp_path / "config")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = hvac("serve", "--config", str(ports.folder), "--port", str(port), "--db",
                 f"sqlite:///{tmp_path / 'store.db'}", "--bacnet-local",
                 f"127.0.0.1/24:{ports.client}")
    assert r.returncode == 1
    line = one_line(r)
    assert line.startswith(f"hvac-ctl serve: port {port} (HTTP, --port) is already in use by "
                           "pid "), line


@pytest.mark.parametrize("protocol", ["modbus", "bacnet"])
def test_sim_names_a_taken_port_in_one_line(tmp_path: Path, protocol: str) -> None:
    """A BACnet port held as bacpypes3 holds it (SO_REUSEPORT) is taken too: a second
    simulator would otherwise share it silently."""
    ports = config_on_free_ports(tmp_path / "config")
    if protocol == "modbus":
        port = next(iter(ports.modbus.values()))
        holder = socket.socket()
        holder.bind(("127.0.0.1", port))
        holder.listen()
        what = "Modbus TCP of "
    else:
        unit, port = next(iter(ports.bacnet.items()))
        holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind(("127.0.0.1", port))
        what = f"BACnet/IP of {unit}"
    with holder:
        r = hvac("sim", "--config", str(ports.folder), "--start", "2026-11-29T18:00",
                 "--until", "2026-11-29T18:05", "--speed", "60")
    assert r.returncode == 1
    line = one_line(r)
    assert line.startswith(f"hvac-ctl sim: port {port} ({what}"), line
    assert "already in use by pid " in line, line
