"""Backing up and restoring the store: SQLite's online backup while the service writes, and
PostgreSQL's pg_dump → pg_restore → the service started on the restored database serving
the override and the pushes as they were (deploy/README.md's procedure, run as written)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from hvac_ctl.store import Store
from tests import pg
from tests.harness import ROOT, config_on_free_ports, free_port
from tests.processes import hvac, wait_ready

# now: the service restored below runs on the wall clock, and lists the overrides in force
AT = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
SHOW = "tosca-2026-12-05"


def stocked(url: str) -> tuple[Store, str]:
    """A store with a token, an override, pushes and their audit rows."""
    store = Store(url)
    store.migrate()
    token = store.create_token("ops", "operator")
    store.add_override("ahu-aud-2", "fan_speed_max", 65.0, AT, AT + timedelta(hours=3),
                       "ops", "a quiet aria")
    for n in range(5):
        store.add_push(SHOW, 1000 + n, AT + timedelta(minutes=n), "box", None, AT)
    return store, token


def test_sqlite_is_copied_consistently_while_it_is_written(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store, _ = stocked(url)
    stop = threading.Event()

    def writing() -> None:  # the service, pushing on meanwhile
        n = 100
        while not stop.is_set():
            store.add_push(SHOW, n, AT + timedelta(minutes=n), "box", None, AT)
            n += 1

    writer = threading.Thread(target=writing)
    writer.start()
    try:
        done = subprocess.run([sys.executable, "-m", "hvac_ctl", "backup", "--db", url,
                               "--to", str(tmp_path / "copy.db")], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
    finally:
        stop.set()
        writer.join()
    assert done.returncode == 0, done.stderr
    copy = Store(f"sqlite:///{tmp_path / 'copy.db'}")
    assert [o.value for o in copy.overrides()] == [65.0]
    counts = [r.count for r in copy.pushes([SHOW])]
    assert counts[:5] == [1000, 1001, 1002, 1003, 1004]
    copy.close()
    again = subprocess.run([sys.executable, "-m", "hvac_ctl", "backup", "--db", url, "--to",
                            str(tmp_path / "copy.db")], cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
    assert again.returncode == 1 and "exists" in again.stderr
    store.close()


def test_backup_refuses_postgresql_and_points_at_pg_dump(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "hvac_ctl", "backup", "--db",
                           "postgresql+psycopg://x@127.0.0.1/x", "--to", str(tmp_path / "c")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "pg_dump" in done.stderr


@pytest.mark.e2e
def test_pg_dump_and_restore_bring_the_service_back_with_overrides_and_history(
        tmp_path: Path, postgres: pg.Cluster) -> None:
    url = postgres.new_database()
    store, token = stocked(url)
    store.close()
    name = url.rsplit("/", 1)[-1]
    dump = tmp_path / "hvac.dump"
    where = ["-h", "127.0.0.1", "-p", str(postgres.port), "-U", pg.USER]
    done = subprocess.run([str(postgres.bin / "pg_dump"), *where, "--format=custom",
                           f"--file={dump}", name], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    restored = postgres.new_database()
    done = subprocess.run([str(postgres.bin / "pg_restore"), *where, "--no-owner",
                           f"--dbname={restored.rsplit('/', 1)[-1]}", str(dump)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    ports = config_on_free_ports(tmp_path / "config")
    port = free_port(socket.SOCK_STREAM)
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(hvac("serve", "--config", str(ports.folder), "--db", restored,
                                 "--port", str(port), "--bacnet-local",
                                 f"127.0.0.1/24:{free_port(socket.SOCK_DGRAM)}"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(base, proc)
        auth = {"Authorization": f"Bearer {token}"}  # the token, restored too
        overrides = httpx.get(f"{base}/api/v1/overrides", headers=auth, timeout=5).json()
        assert [(o["unit"], o["point"], o["value"]) for o in overrides] == [
            ("ahu-aud-2", "fan_speed_max", 65.0)]
        occupancy = httpx.get(f"{base}/api/v1/occupancy", headers=auth, timeout=5,
                              params={"event": SHOW}).json()
        assert occupancy["latest"]["count"] == 1004
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
