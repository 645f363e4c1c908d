"""What `hvac-ctl serve` has imported once it is built and about to serve: none of the heavy
libraries only a report, a plot, trends or the simulator use. Each would be tens of MiB of the
service's resident memory for its whole run (pandas alone some 50 MiB).

The real command runs in a subprocess (a fresh interpreter: this one has imported everything),
up to the point where uvicorn would start serving; uvicorn's `Server.run` is replaced by one
that prints the modules loaded and returns.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from tests.harness import ROOT, SINGLE_HALL, free_port

# run in the child: `hvac-ctl serve ARGS…`, stopped where uvicorn would start serving
CHILD = """
import json, sys
import uvicorn

def report(self, *args, **kwargs):
    print(json.dumps(sorted(sys.modules)))

uvicorn.Server.run = report
from hvac_ctl.cli import main
raise SystemExit(main(sys.argv[1:]))
"""

# alembic (with mako and pygments): the service migrates in a child (hvac_ctl.store.migrating)
NEVER = ("pandas", "numpy", "matplotlib", "scipy", "BAC0", "alembic", "mako", "pygments",
         "simulator")


def serve_modules(tmp: Path, *extra: str) -> set[str]:
    args = ["serve", "--config", str(SINGLE_HALL), "--db", f"sqlite:///{tmp / 'store.db'}",
            "--host", "127.0.0.1", "--port", str(free_port(socket.SOCK_STREAM)),
            "--bacnet-local", f"127.0.0.1/24:{free_port(socket.SOCK_DGRAM)}", *extra]
    done = subprocess.run([sys.executable, "-c", CHILD, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    modules = json.loads(done.stdout.splitlines()[-1])  # after "serving on …"
    assert "hvac_ctl.service.build" in modules  # it did get as far as building the service
    return set(modules)


def loaded(modules: set[str], package: str) -> list[str]:
    return sorted(m for m in modules if m == package or m.startswith(package + "."))


def heavy(modules: set[str], packages: tuple[str, ...] = NEVER) -> list[str]:
    """Which of `packages` are loaded, each by its first module."""
    return [loaded(modules, p)[0] for p in packages if loaded(modules, p)]


def test_serve_on_the_system_clock_imports_no_report_plot_trends_or_simulator_library(
        tmp_path: Path) -> None:
    assert heavy(serve_modules(tmp_path)) == []


def test_serve_on_a_simulated_clock_imports_only_the_simulators_clock(tmp_path: Path) -> None:
    modules = serve_modules(tmp_path, "--start", "2026-12-05T18:00")
    assert loaded(modules, "simulator") == ["simulator", "simulator.clock"]
    assert heavy(modules, tuple(p for p in NEVER if p != "simulator")) == []
