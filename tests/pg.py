"""A throwaway PostgreSQL for the tests: installed with apt when the machine has none, a
cluster of its own in a temporary folder on a free loopback port, started as the `postgres`
user (`pg_ctl` refuses to run as root), a database per test, and torn down at the end.

The test command's promise: a test that needs PostgreSQL and cannot get it fails — it does
not skip. Fast (`fsync=off`, trust on loopback only): the data is thrown away, and no test
crashes the machine. A commit still waits for its WAL to be written (`synchronous_commit` on),
so a server crash (`restart`, `-m immediate`) loses no commit the service acknowledged.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.harness import free_port

USER = "postgres"


def _bin() -> Path | None:
    """The newest installed server's binaries (Debian keeps them per major version)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


def installed() -> Path:
    """The server's binaries; Debian's `postgresql` installed with apt when missing."""
    found = _bin()
    if found is None:
        subprocess.run(["apt-get", "update", "-q"], check=False, capture_output=True)
        done = subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"],
                              capture_output=True, text=True)
        found = _bin()
        assert found is not None, f"PostgreSQL could not be installed: {done.stderr[-2000:]}"
    return found


def _as_postgres(args: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    """Run a server command as the `postgres` user when we are root; as ourselves if not."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", USER, "--", *args]
    return subprocess.run(args, capture_output=True, text=True, **kw)  # type: ignore[call-overload, no-any-return]


@dataclass
class Cluster:
    folder: Path
    port: int
    bin: Path
    options: str

    @property
    def admin_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres"

    def url(self, db: str) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{db}"

    def sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[arg-type]

    def new_database(self) -> str:
        """A fresh, empty database's URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.sql(f"CREATE DATABASE {name}")
        return self.url(name)

    def restart(self, down_s: float = 0.0) -> None:
        """Stop the server as a crash would (`-m immediate`: every session cut), stay down for
        `down_s`, and start it again on the same port with the same data."""
        self._halt()
        time.sleep(down_s)
        _run_server(self.bin, self.folder, self.options)

    def stop(self) -> None:
        self._halt()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _halt(self) -> None:
        _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
                      "immediate", "-w", "stop"], timeout=60)


def _run_server(bin_dir: Path, folder: Path, options: str) -> None:
    done = _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-o", options,
                         "-l", str(folder / "log"), "-w", "-t", "60", "start"], timeout=90)
    log = (folder / "log").read_text() if (folder / "log").exists() else ""
    assert done.returncode == 0, f"PostgreSQL did not start: {done.stderr}{log[-2000:]}"


def start() -> Cluster:
    """A new cluster, running; `stop()` it."""
    bin_dir = installed()
    folder = Path(tempfile.mkdtemp(prefix="hvac-pg-"))
    folder.chmod(0o755)
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, USER, USER)
    done = _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "-A", "trust",
                         "--no-sync", "-E", "UTF8"], timeout=120)
    assert done.returncode == 0, f"initdb failed: {done.stderr}"
    port = free_port(socket.SOCK_STREAM)
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c full_page_writes=off -c max_connections=200")
    _run_server(bin_dir, folder, options)
    return Cluster(folder, port, bin_dir, options)
