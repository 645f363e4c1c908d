"""Engineers' schedules: the seasons file and the calendar files, read and replaced.

A new file is validated with every other file of the configuration, exactly as on start-up;
one that does not validate is refused with every issue (file, line, key) and nothing is
written: the running configuration stays in force. One that does is written atomically
(a temporary file renamed over it) and adopted at once, audited with who sent it, and its
warnings (valid, but perhaps not what was meant) are given back.

A day's effective events — what will run, after the dated entries' exceptions — are read here
too, each with where it is written and what it replaced, for the API and the panel alike.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from hvac_ctl.application.errors import ConfigRejected, Invalid, NotFound
from hvac_ctl.application.site import zones_of
from hvac_ctl.application.views import iso
from hvac_ctl.config import ConfigError, config_files, parse_config_with_warnings
from hvac_ctl.config.loader import CALENDAR_DIR, SEASONS
from hvac_ctl.config.source import dotted, parse_yaml
from hvac_ctl.model.calendar import Event, ShowEvent, TourEvent
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

    def replace(self, rel: str, text: str, actor: str) -> list[str]:
        """Validate `text` as the file `rel` with all the others; write and adopt it. Gives
        back the warnings (`file:line: key: warning: …`) in that file or new with it."""
        texts = config_files(self.folder)
        try:
            had = {str(w) for w in parse_config_with_warnings(texts)[1]}
        except ConfigError:
            had = set()
        texts[rel] = text
        try:
            config, warnings = parse_config_with_warnings(texts)
        except ConfigError as e:
            raise ConfigRejected(e.lines()) from None
        path = self.folder / rel
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False,
                                         encoding="utf-8", suffix=".tmp") as f:
            f.write(text)
        Path(f.name).replace(path)
        # our own write: no need to read it back; the shows it removes are remembered
        self.rt.disk.written(config, rel, actor, self.rt.clock.now())
        self.rt.adopt(config, actor, f"{rel} replaced through the API")
        return [str(w) for w in warnings if w.file == rel or str(w) not in had]

    def replace_seasons(self, text: str, actor: str) -> list[str]:
        return self.replace(SEASONS, text, actor)

    def replace_calendar(self, name: str, text: str, actor: str) -> list[str]:
        return self.replace(calendar_file(name), text, actor)

    def events(self, day: date, hall: str | None = None) -> dict[str, Any]:
        """The day's effective events as they will run, each with the file:line it is written
        at, and for a dated entry the pattern occurrences it replaced; a site's name their
        hall, and `hall` keeps one hall's (with the tours through its zones)."""
        rt = self.rt
        venue = rt.config.venue
        zones = None if hall is None else set(zones_of(venue, hall))
        cd = rt.config.calendar.day(day, venue.venue.tz)
        texts = config_files(self.folder)
        lines: dict[str, Any] = {}

        def where(e: Event) -> str:
            fname, path = e.source
            if fname not in lines:
                lines[fname] = parse_yaml(fname, texts[fname]) if fname in texts else None
            src = lines[fname]
            return f"{fname}:{src.line_of(path) if src is not None else 1}: {dotted(path)}"

        replaced = {r.dated.id: r for r in cd.replacements}
        out = []
        for e in cd.events:
            if hall is not None and e.hall != hall and not (
                    isinstance(e, TourEvent) and zones is not None and zones & set(e.route)):
                continue
            item: dict[str, Any] = {"id": e.id, "kind": _kind(e), "source": where(e),
                                    "start": iso(_start(e), rt), "end": iso(e.end, rt)}
            if venue.is_site:
                item["hall"] = e.hall
            if isinstance(e, ShowEvent):
                item |= {"title": e.title, "doors": iso(e.doors_open, rt),
                         "curtain": iso(e.curtain, rt),
                         "expected_attendance": e.expected_attendance}
            else:
                item["title"] = (f"tour ({', '.join(e.route)})" if isinstance(e, TourEvent)
                                 else f"get-in ({e.kind.replace('_', '-')})")
            r = replaced.get(e.id)
            item["replaces"] = [] if r is None else [
                {"id": g.id, "source": where(g), "start": iso(_start(g), rt)}
                for g in r.replaced]
            item["replaced_pattern"] = r is not None
            out.append(item)
        return {"date": day.isoformat(), "closed": day in rt.config.calendar.closed,
                "events": out}


def _kind(e: Event) -> str:
    return "show" if isinstance(e, ShowEvent) else ("tour" if isinstance(e, TourEvent)
                                                    else "get_in")


def _start(e: Event) -> Any:
    return e.doors_open if isinstance(e, ShowEvent) else e.start
