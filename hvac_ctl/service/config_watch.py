"""The configuration on disk: read, validated, and watched for edits.

An edit takes effect only if the whole configuration validates, under the same rule as the
API: a file with an error is reported (once per distinct set of errors, audited and logged)
and the running configuration stays in force.

Each adopted edit is compared with the configuration it replaces: the shows it took out of the
calendar are remembered with the edit that did it (files, who, when), so that a box office
still pushing for one hears which edit removed it (409), not that it never existed (404).
Each removal is audited (`schedule.removed`) and read back from the audit at start, so a
restart does not turn a 409 back into a 404.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hvac_ctl.config import ConfigError, config_files, parse_config
from hvac_ctl.model import Config
from hvac_ctl.model.calendar import ShowEvent

log = logging.getLogger(__name__)
Fingerprint = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class Removal:
    """A show that an adopted edit took out of the calendar."""

    event: str
    files: tuple[str, ...]  # the files the edit changed, relative to the folder
    who: str  # the API's actor, or "file edit" for files changed on disk
    at: datetime


def show_ids(config: Config) -> frozenset[str]:
    span = config.calendar.date_range()
    if span is None:
        return frozenset()
    events = config.calendar.events_between(span[0], span[1], config.venue.venue.tz)
    return frozenset(e.id for e in events if isinstance(e, ShowEvent))


class ConfigWatch:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.errors: list[str] = []  # what the files on disk say now, if they do not validate
        self._fingerprint = self._look()
        self._shows: frozenset[str] = frozenset()  # of the configuration in force
        self.removed: dict[str, Removal] = {}
        self._fresh: list[Removal] = []  # not yet audited

    def load(self) -> Config:
        config = parse_config(config_files(self.folder))
        self._shows = show_ids(config)
        return config

    def adopted(self, config: Config, files: list[str], who: str, at: datetime) -> None:
        """`config` is now in force, by this edit: remember the shows it took out."""
        shows = show_ids(config)
        for event in sorted(self._shows - shows):
            self.removed[event] = Removal(event, tuple(files), who, at)
            self._fresh.append(self.removed[event])
        for event in shows:
            self.removed.pop(event, None)  # back in the calendar
        self._shows = shows

    def removal(self, event: str) -> Removal | None:
        return self.removed.get(event)

    def take_fresh(self) -> list[Removal]:
        """The removals since the last call, for the audit."""
        fresh, self._fresh = self._fresh, []
        return fresh

    def restore(self, removals: Iterable[Removal]) -> None:
        """Removals the audit kept, oldest first: those still out of the calendar count."""
        for r in removals:
            if r.event not in self._shows:
                self.removed[r.event] = r

    def _look(self) -> Fingerprint:
        files = [self.folder / "zones.yaml", *sorted((self.folder / "schedules").rglob("*.y*ml"))]
        return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files
                     if f.is_file())

    def written(self, config: Config | None = None, rel: str = "", who: str = "",
                at: datetime | None = None) -> None:
        """The service wrote the files itself (and adopts `config`): nothing new to read."""
        self._fingerprint = self._look()
        self.errors = []
        if config is not None and at is not None:
            self.adopted(config, [rel], who, at)

    def changed(self) -> tuple[Config | None, list[str] | None]:
        """A new valid configuration if the files changed and validate; the new errors if they
        changed and do not (None when they are the errors already reported)."""
        fingerprint = self._look()
        if fingerprint == self._fingerprint:
            return None, None
        edited = sorted(set(fingerprint) ^ set(self._fingerprint))
        self._fingerprint = fingerprint
        try:
            config = self.load()
        except ConfigError as e:
            errors = e.lines()
            if errors == self.errors:
                return None, None
            self.errors = errors
            log.error("schedules on disk rejected, the running ones stay:\n%s", "\n".join(errors))
            return None, errors
        self.errors = []
        # a file edit's time is its own (the files' modification time), not the service's
        files = sorted({str(Path(f).relative_to(self.folder)) for f, _, _ in edited})
        when = max((ns for _, ns, _ in edited), default=0)
        self.adopted(config, files, "file edit", datetime.fromtimestamp(when / 1e9, UTC))
        return config, None
