"""Engineers' schedules: the seasons file and the calendar files, read and replaced.

A new file is validated with every other file of the configuration, exactly as on start-up;
one that does not validate is refused with every issue (file, line, key) and nothing is
written: the running configuration stays in force. One that does is written atomically
(a temporary file renamed over it) and adopted at once, audited with who sent it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hvac_ctl.application.errors import ConfigRejected, Invalid, NotFound
from hvac_ctl.config import ConfigError, config_files, parse_config
from hvac_ctl.config.loader import CALENDAR_DIR, SEASONS
from hvac_ctl.service.runtime import Runtime


def calendar_file(name: str) -> str:
    """A calendar file's path under the configuration folder; Invalid unless it is a plain,
    printable name like season.yaml, at most 60 characters."""
    if "/" in name or name.startswith(".") or not name.endswith((".yaml", ".yml")) \
            or not name.isprintable() or len(name) > 60:
        raise Invalid("name", "a calendar file name like season.yaml (printable, at most 60 "
                              "characters)", where="path")
    return f"{CALENDAR_DIR}/{name}"


class Schedules:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    @property
    def folder(self) -> Path:
        return self.rt.settings.config_dir

    def seasons(self) -> str:
        return (self.folder / SEASONS).read_text(encoding="utf-8")

    def calendar_names(self) -> list[str]:
        return sorted(k.split("/")[-1] for k in config_files(self.folder)
                      if k.startswith(CALENDAR_DIR + "/"))

    def calendar(self, name: str) -> str:
        path = self.folder / calendar_file(name)
        if not path.is_file():
            raise NotFound(f"no calendar file '{name}'")
        return path.read_text(encoding="utf-8")

    def replace(self, rel: str, text: str, actor: str) -> None:
        """Validate `text` as the file `rel` with all the others; write and adopt it."""
        texts = config_files(self.folder)
        texts[rel] = text
        try:
            config = parse_config(texts)
        except ConfigError as e:
            raise ConfigRejected([str(i) for i in e.issues]) from None
        path = self.folder / rel
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False,
                                         encoding="utf-8", suffix=".tmp") as f:
            f.write(text)
        Path(f.name).replace(path)
        self.rt.disk.written()  # our own write: no need to read it back
        self.rt.adopt(config, actor, f"{rel} replaced through the API")

    def replace_seasons(self, text: str, actor: str) -> None:
        self.replace(SEASONS, text, actor)

    def replace_calendar(self, name: str, text: str, actor: str) -> None:
        self.replace(calendar_file(name), text, actor)
