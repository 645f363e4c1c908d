"""Logging for the long-running commands (`serve`, `demo`, `sim`): the one place that configures it.

Only the command line calls `configure`; library modules just `getLogger(__name__)` and never
set levels or handlers, least of all on someone else's logger at import time (importing a module
for a test or a script must not change what gets logged). So third-party levels live here too.

One handler, on stderr (stdout stays for what the commands print on purpose). Every line
carries an ISO-8601 timestamp in UTC with its offset, so lines from the service, the simulator
and a box office's own logs line up whatever the host's timezone; `json` is one object per line
for log shippers. uvicorn is started with `log_config=None`, so its loggers, the access log
among them, propagate here and come out in the same format.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMATS = ("text", "json")

# Third-party loggers held above the chosen level: the service counts late scheduler runs
# itself, so APScheduler's own line for each would only be noise; Alembic names each of its
# plugins at every start (its migrations' "Running upgrade" lines still show); httpx logs every
# request the demo's box office makes, which the demo already prints in its own words.
THIRD_PARTY = {"apscheduler": logging.ERROR, "alembic.runtime.plugins": logging.WARNING,
               "httpx": logging.WARNING}


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """`2026-12-01T05:30:00.123+00:00 INFO hvac_ctl.service.runtime: message`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _time(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and exc_info when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": _time(record), "level": record.levelname, "logger": record.name,
                "message": record.getMessage()}
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(level: str = "INFO", fmt: str = "text") -> None:
    """The root logger at `level` with one stderr handler in `fmt`; replaces any earlier one."""
    if level not in LEVELS:
        raise ValueError(f"log level {level!r} is not one of {', '.join(LEVELS)}")
    if fmt not in FORMATS:
        raise ValueError(f"log format {fmt!r} is not one of {', '.join(FORMATS)}")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name, floor in THIRD_PARTY.items():
        logging.getLogger(name).setLevel(floor)
