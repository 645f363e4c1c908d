"""Logging of the long-running commands: real processes, real stderr, no capture fixtures.

Each test runs in a fresh interpreter, since logging is process-wide state that pytest itself
configures: what is asserted is what an operator's terminal or log shipper would receive.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.harness import ROOT

pytestmark = pytest.mark.e2e

TEXT_LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(?:[+-]\d\d:\d\d|Z)) "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) (?P<logger>[\w.]+): (?P<message>.*)$")


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def hvac(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hvac_ctl", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


EMIT = """
import logging
from hvac_ctl.logs import configure
configure({level!r}, {fmt!r})
logging.getLogger("hvac_ctl.x").debug("quiet")
logging.getLogger("hvac_ctl.x").info("hello from the service")
logging.getLogger("apscheduler.scheduler").info("apscheduler chatter")
logging.getLogger("apscheduler.executors").warning("apscheduler late run")
logging.getLogger("apscheduler.executors").error("apscheduler job failed")
logging.getLogger("alembic.runtime.plugins").info("setup plugin alembic.x")
logging.getLogger("alembic.runtime.migration").info("Running upgrade a -> b")
logging.getLogger("httpx").info("HTTP Request: POST http://x")
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("hvac_ctl.y").exception("it broke")
print("stdout stays clean")
"""


def _offset_aware(stamp: str) -> datetime:
    t = datetime.fromisoformat(stamp)
    assert t.utcoffset() is not None, stamp
    assert abs((datetime.now(t.tzinfo) - t).total_seconds()) < 120, stamp
    return t


def test_text_lines_carry_time_level_logger_and_message() -> None:
    r = python(EMIT.format(level="INFO", fmt="text"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "stdout stays clean\n"
    lines = r.stderr.splitlines()
    records = [m for m in map(TEXT_LINE.match, lines) if m]
    by_message = {m["message"]: m for m in records}
    hello = by_message["hello from the service"]
    assert (hello["level"], hello["logger"]) == ("INFO", "hvac_ctl.x")
    _offset_aware(hello["time"])
    assert "quiet" not in r.stderr  # DEBUG, below INFO
    # apscheduler is held at ERROR whatever the level asked for
    assert "apscheduler chatter" not in r.stderr and "apscheduler late run" not in r.stderr
    assert by_message["apscheduler job failed"]["logger"] == "apscheduler.executors"
    # Alembic's plugin roll-call is held back; its migrations still show
    assert "setup plugin" not in r.stderr and "Running upgrade a -> b" in r.stderr
    assert "HTTP Request" not in r.stderr  # the demo's box office prints its own lines
    broke = by_message["it broke"]
    assert broke["level"] == "ERROR"
    assert "ZeroDivisionError" in lines[-1]  # the traceback follows its record
    # nothing printed bare: every line is a record or part of the traceback after "it broke"
    assert all(TEXT_LINE.match(line) for line in lines[:lines.index(broke.string) + 1])


def test_json_is_one_object_per_line() -> None:
    r = python(EMIT.format(level="DEBUG", fmt="json"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "stdout stays clean\n"
    records = [json.loads(line) for line in r.stderr.splitlines()]  # each line parses alone
    assert all({"time", "level", "logger", "message"} <= set(rec) for rec in records)
    by_message = {rec["message"]: rec for rec in records}
    assert set(by_message) == {"quiet", "hello from the service", "apscheduler job failed",
                               "Running upgrade a -> b", "it broke"}
    assert by_message["quiet"]["level"] == "DEBUG"  # DEBUG asked for, DEBUG logged
    hello = by_message["hello from the service"]
    assert (hello["level"], hello["logger"]) == ("INFO", "hvac_ctl.x")
    _offset_aware(hello["time"])
    assert "exc_info" not in hello
    broke = by_message["it broke"]
    assert "ZeroDivisionError: division by zero" in broke["exc_info"]
    assert broke["exc_info"].startswith("Traceback")


def test_the_level_filters() -> None:
    r = python(EMIT.format(level="WARNING", fmt="text"))
    assert r.returncode == 0, r.stderr
    assert "hello from the service" not in r.stderr
    assert "it broke" in r.stderr and "apscheduler job failed" in r.stderr


@pytest.mark.parametrize("command", ["serve", "demo", "sim"])
def test_the_long_running_commands_take_the_options(command: str) -> None:
    r = hvac(command, "--help")
    assert r.returncode == 0, r.stderr
    assert "--log-level {DEBUG,INFO,WARNING,ERROR}" in r.stdout
    assert "--log-format {text,json}" in r.stdout
    bad = hvac(command, "--log-format", "xml")
    assert bad.returncode == 2
    assert "--log-format: invalid choice: 'xml'" in bad.stderr
    assert "'text'" in bad.stderr and "'json'" in bad.stderr
    bad = hvac(command, "--log-level", "CHATTY")
    assert bad.returncode == 2
    assert "--log-level: invalid choice: 'CHATTY'" in bad.stderr and "'WARNING'" in bad.stderr


def _lines(stream: IO[str]) -> queue.Queue[str | None]:
    """Lines of a pipe, read in a thread so that waiting for one can time out."""
    q: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in stream:
            q.put(line)
        q.put(None)

    threading.Thread(target=read, daemon=True).start()
    return q


def test_serve_logs_every_line_as_json_uvicorn_included(tmp_path: Path) -> None:
    """The review's defect end to end: `serve` with no devices answering (the simulator is not
    running), so the drivers' own third-party WARNINGs come too; uvicorn's startup and access
    lines arrive through the same handler; not one line on stderr is anything but JSON."""
    from tests.harness import config_on_free_ports, free_port

    ports = config_on_free_ports(tmp_path / "config")
    port = free_port(socket.SOCK_STREAM)
    proc = subprocess.Popen(
        [sys.executable, "-m", "hvac_ctl", "serve", "--config", str(ports.folder),
         "--port", str(port), "--bacnet-local", f"127.0.0.1/24:{ports.client}",
         "--log-format", "json"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    lines = _lines(proc.stderr)
    seen: list[str] = []

    def until(pred: str, deadline: float) -> None:
        while not any(pred in line for line in seen):
            left = deadline - time.monotonic()
            assert left > 0, f"no {pred!r} on stderr:\n{''.join(seen)}"
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                continue
            assert line is not None, f"serve ended:\n{''.join(seen)}"
            seen.append(line)

    try:
        until("Uvicorn running on", time.monotonic() + 60)
        assert httpx.get(f"http://127.0.0.1:{port}/docs", timeout=10).status_code == 200
        until('GET /docs HTTP/1.1', time.monotonic() + 10)
        # SIGTERM, not SIGINT: uvicorn re-raises the signal it shut down on, and a re-raised
        # SIGINT ends in a KeyboardInterrupt traceback that no logging configuration formats
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        while (line := lines.get(timeout=10)) is not None:
            seen.append(line)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode in (0, -signal.SIGTERM), "".join(seen)
    assert "Finished server process" in seen[-1]  # shut down cleanly, logged to the end
    records = [json.loads(line) for line in seen]
    assert all({"time", "level", "logger", "message"} <= set(rec) for rec in records)
    loggers = {rec["logger"] for rec in records}
    assert {"uvicorn.error", "uvicorn.access"} <= loggers
    access = next(rec for rec in records if rec["logger"] == "uvicorn.access")
    assert access["level"] == "INFO" and '"GET /docs HTTP/1.1" 200' in access["message"]
    assert any(rec["level"] == "WARNING" for rec in records)  # units offline, said in JSON
    assert not any(rec["logger"].startswith("apscheduler") and rec["level"] != "ERROR"
                   for rec in records)
    for rec in records:
        _offset_aware(rec["time"])


# Each group imported in a fresh interpreter; what our code imports of other people's is then
# imported alone in another, and every third-party logger's level must come out the same.
IMPORTS = {
    "cli": "import hvac_ctl.cli",
    "drivers": "import drivers; walk(drivers)",
    "simulator": "import simulator; walk(simulator)",
    # fails while runtime.py sets apscheduler's level on import (to be removed there)
    "service.runtime": "import hvac_ctl.service.runtime",
}

LEVELS_AFTER = """
import importlib, json, logging, pkgutil, sys
OURS = ("hvac_ctl", "drivers", "simulator", "tests")
def walk(package):
    for m in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(m.name)
{body}
print(json.dumps({{
    "modules": [n for n in list(sys.modules) if n.split(".")[0] not in OURS],
    "levels": {{n: lg.level for n, lg in logging.root.manager.loggerDict.items()
               if isinstance(lg, logging.Logger) and n.split(".")[0] not in OURS}},
}}))
"""

ALONE = """
import importlib, json, logging, sys
for name in json.loads(sys.stdin.read()):
    try:
        importlib.import_module(name)
    except Exception:
        pass
print(json.dumps({n: lg.level for n, lg in logging.root.manager.loggerDict.items()
                  if isinstance(lg, logging.Logger)}))
"""


@pytest.mark.parametrize("group", list(IMPORTS))
def test_importing_our_code_changes_no_third_party_log_level(group: str) -> None:
    r = python(LEVELS_AFTER.format(body=IMPORTS[group]))
    assert r.returncode == 0, r.stderr
    ours = json.loads(r.stdout)
    assert ours["levels"].get("apscheduler", logging.NOTSET) == logging.NOTSET, (
        "apscheduler's level set on import")
    alone = subprocess.run([sys.executable, "-c", ALONE], cwd=ROOT, input=json.dumps(
        ours["modules"]), capture_output=True, text=True, timeout=120)
    assert alone.returncode == 0, alone.stderr
    theirs = json.loads(alone.stdout)
    changed = {name: (theirs.get(name, logging.NOTSET), level)
               for name, level in ours["levels"].items()
               if level != theirs.get(name, logging.NOTSET)}
    assert not changed, f"third-party logger levels (alone, after ours) changed: {changed}"
