"""The command line as engineers use it: real processes, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.harness import ROOT, SINGLE_HALL

pytestmark = pytest.mark.e2e


def hvac(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hvac_ctl", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_plan_json_on_a_show_day() -> None:
    r = hvac("plan", "--config", str(SINGLE_HALL), "--date", "2026-11-29", "--json")
    assert r.returncode == 0, r.stderr
    segments = json.loads(r.stdout)
    assert isinstance(segments, list)
    keys = {"zone", "phase", "start", "end", "setpoint_c", "units"}
    assert all(keys <= set(s) for s in segments)
    aud = [s for s in segments if s["zone"] == "auditorium"]
    seq = [p for i, p in enumerate(s["phase"] for s in aud) if i == 0 or aud[i - 1]["phase"] != p]
    assert seq == ["idle", "precool", "show", "post_show", "idle"]
    for s in segments:
        start = datetime.fromisoformat(s["start"])
        assert start.utcoffset() is not None and s["start"].endswith("+08:00")
    precool = next(s for s in aud if s["phase"] == "precool")
    show = [s for s in aud if s["phase"] == "show"]
    assert precool["units"]["ahu-aud-1"]["oa_damper_min"] == 0
    assert show[-1]["units"]["ahu-aud-1"]["oa_damper_min"] > 0
    assert 0.45 <= show[-1]["setpoint_c"] - precool["setpoint_c"] <= 1.05


def test_plan_table_and_plot(tmp_path: Path) -> None:
    png = tmp_path / "day.png"
    r = hvac("plan", "--config", str(SINGLE_HALL), "--date", "2026-12-05", "--plot", str(png))
    assert r.returncode == 0, r.stderr
    assert "Tosca [tosca-2026-12-05]" in r.stdout
    assert "precool from" in r.stdout and "outdoor air opens" in r.stdout
    for zone in ("auditorium", "stage", "pit"):
        assert f"\n{zone}\n" in r.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_config_dir_flag_and_bad_date(tmp_path: Path) -> None:
    r = hvac("validate", "--config", str(SINGLE_HALL), cwd=tmp_path)
    assert r.returncode == 0 and "configuration is valid" in r.stdout
    r = hvac("plan", "--config", str(SINGLE_HALL), "--date", "05/12/2026")
    assert r.returncode == 2 and "is not a date like" in r.stderr


def test_plan_refuses_a_broken_configuration(tmp_path: Path) -> None:
    r = hvac("plan", "--date", "2026-12-05", cwd=tmp_path)  # nothing here
    assert r.returncode == 1
    assert "zones.yaml:1: (file): file not found" in r.stderr


def test_the_demo_runs_a_show_day_end_to_end(tmp_path: Path) -> None:
    """The README's main job: simulator, service and box office on one accelerated clock."""
    import signal
    import socket
    import time

    from tests.harness import config_on_free_ports, free_port

    ports = config_on_free_ports(tmp_path / "config")
    proc = subprocess.Popen(
        [sys.executable, "-m", "hvac_ctl", "demo", "--config", str(ports.folder), "--speed",
         "300", "--date", "2026-11-29", "--port", str(free_port(socket.SOCK_STREAM)),
         "--bacnet-local", f"127.0.0.1/24:{ports.client}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + 120
    assert proc.stdout is not None
    try:
        wanted = ["auditorium  → precool", "auditorium  → show", "re-adjusted"]
        for line in proc.stdout:  # read until everything asserted below has been printed
            lines.append(line)
            wanted = [w for w in wanted if w not in line]
            if not wanted or time.monotonic() > deadline:
                break
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    out = "".join(lines) + rest
    assert proc.returncode == 0, out
    assert "Tosca [tosca-2026-11-29]" in out
    assert "boxoffice  hvac_" in out
    assert "auditorium  → precool" in out and "auditorium  → show" in out
    assert "doors open for tosca-2026-11-29" in out
    assert "closing every socket" in out


def test_tokens_are_created_once_and_revoked(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    made = hvac("token", "create", "--role", "boxoffice", "--name", "till-1", "--db", db)
    assert made.returncode == 0 and made.stdout.startswith("hvac_")
    again = hvac("token", "create", "--role", "boxoffice", "--name", "till-1", "--db", db)
    assert again.returncode == 1 and "exists already" in again.stderr
    assert hvac("token", "revoke", "--name", "till-1", "--db", db).returncode == 0
    gone = hvac("token", "revoke", "--name", "till-1", "--db", db)
    assert gone.returncode == 1 and "no active token" in gone.stderr
