"""The configuration on disk: read, validated, and watched for edits.

An edit takes effect only if the whole configuration validates, under the same rule as the
API: a file with an error is reported (once per distinct set of errors, audited and logged)
and the running configuration stays in force.
"""

from __future__ import annotations

import logging
from pathlib import Path

from hvac_ctl.config import ConfigError, config_files, parse_config
from hvac_ctl.model import Config

log = logging.getLogger(__name__)
Fingerprint = tuple[tuple[str, int, int], ...]


class ConfigWatch:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.errors: list[str] = []  # what the files on disk say now, if they do not validate
        self._fingerprint = self._look()

    def load(self) -> Config:
        return parse_config(config_files(self.folder))

    def _look(self) -> Fingerprint:
        files = [self.folder / "zones.yaml", *sorted((self.folder / "schedules").rglob("*.y*ml"))]
        return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files
                     if f.is_file())

    def written(self) -> None:
        """The service wrote the files itself (and adopted them): nothing new to read."""
        self._fingerprint = self._look()
        self.errors = []

    def changed(self) -> tuple[Config | None, list[str] | None]:
        """A new valid configuration if the files changed and validate; the new errors if they
        changed and do not (None when they are the errors already reported)."""
        fingerprint = self._look()
        if fingerprint == self._fingerprint:
            return None, None
        self._fingerprint = fingerprint
        try:
            config = self.load()
        except ConfigError as e:
            errors = [str(i) for i in e.issues]
            if errors == self.errors:
                return None, None
            self.errors = errors
            log.error("schedules on disk rejected, the running ones stay:\n%s", "\n".join(errors))
            return None, errors
        self.errors = []
        return config, None
