"""Read a configuration folder (`zones.yaml` + `schedules/`) into a validated `Config`.

Parsing and checking work on texts, so that the API can validate a new version of a file
before it replaces the running one; only `load_config` touches the disk. A valid configuration
comes with its warnings (`*_with_warnings`): what is valid but may not run what was meant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from hvac_ctl.config.causes import group_zone_typos
from hvac_ctl.config.checks import check_calendar, check_seasons, check_venue
from hvac_ctl.config.errors import ConfigError, ConfigIssue, ConfigWarning, from_validation
from hvac_ctl.config.site_checks import check_site
from hvac_ctl.config.source import Source, YamlSyntaxError, parse_yaml
from hvac_ctl.config.warn import config_warnings
from hvac_ctl.model import Calendar, Config, Seasons, Venue
from hvac_ctl.model.calendar import CalendarFile
from hvac_ctl.model.site import MAIN_HALL

ZONES = "zones.yaml"
SEASONS = "schedules/seasons.yaml"
CALENDAR_DIR = "schedules/calendar"

M = TypeVar("M", bound=BaseModel)


def config_files(root: Path) -> dict[str, str]:
    """The texts of every configuration file under `root`, keyed by their relative name."""
    texts: dict[str, str] = {}
    for rel in (ZONES, SEASONS):
        path = root / rel
        if path.is_file():
            texts[rel] = path.read_text(encoding="utf-8")
    cal = root / CALENDAR_DIR
    if cal.is_dir():
        for path in sorted([*cal.glob("*.yaml"), *cal.glob("*.yml")]):
            texts[f"{CALENDAR_DIR}/{path.name}"] = path.read_text(encoding="utf-8")
    return texts


def load_config(root: Path | str = ".") -> Config:
    return load_config_with_warnings(root)[0]


def load_config_with_warnings(root: Path | str = ".") -> tuple[Config, list[ConfigWarning]]:
    root = Path(root)
    return parse_config_with_warnings(config_files(root), display_root=root)


def parse_config(texts: dict[str, str], display_root: Path | str = ".") -> Config:
    """Validate every file and every cross-reference; raise one `ConfigError` with all issues."""
    return parse_config_with_warnings(texts, display_root)[0]


def parse_config_with_warnings(texts: dict[str, str], display_root: Path | str = "."
                               ) -> tuple[Config, list[ConfigWarning]]:
    """`parse_config`, and the valid configuration's warnings."""

    def shown(rel: str) -> str:
        return str(Path(display_root) / rel) if str(display_root) not in ("", ".") else rel

    issues: list[ConfigIssue] = []
    for required in (ZONES, SEASONS):
        if required not in texts:
            issues.append(ConfigIssue(shown(required), 1, "(file)", "file not found"))
    if not any(k.startswith(CALENDAR_DIR + "/") for k in texts):
        issues.append(ConfigIssue(shown(CALENDAR_DIR), 1, "(folder)", "no calendar files (*.yaml)"))

    sources: dict[str, Source] = {}
    for rel, text in texts.items():
        try:
            sources[rel] = parse_yaml(shown(rel), text)
        except YamlSyntaxError as e:
            issues.append(ConfigIssue(shown(rel), e.line, "(syntax)", e.message))

    venue = _model(sources.get(ZONES), Venue, issues)
    seasons = _model(sources.get(SEASONS), Seasons, issues)
    cal_files: list[tuple[str, CalendarFile]] = []
    cal_sources: dict[str, Source] = {}
    cal_ok = True
    for rel, src in sources.items():
        if rel.startswith(CALENDAR_DIR + "/"):
            f = _model(src, CalendarFile, issues, empty_ok=True)
            if f is None:
                cal_ok = False
            else:
                cal_files.append((src.name, f))
                cal_sources[src.name] = src
    calendar = Calendar(tuple(cal_files),
                        venue.hall_ids[0] if venue is not None else MAIN_HALL)

    if venue is not None:
        issues += check_venue(venue, sources[ZONES]) + check_site(venue, sources[ZONES])
        if seasons is not None:
            issues += check_seasons(seasons, venue, sources[SEASONS])
        if cal_ok and seasons is not None:
            issues += check_calendar(calendar, venue, seasons, cal_sources)
    if issues or venue is None or seasons is None:
        raise ConfigError(group_zone_typos(issues, venue, sources.get(ZONES)))
    config = Config(venue=venue, seasons=seasons.with_zone_units(venue), calendar=calendar)
    return config, config_warnings(config, sources[SEASONS], sources[ZONES], cal_sources)


def _model(
    src: Source | None, model: type[M], issues: list[ConfigIssue], empty_ok: bool = False
) -> M | None:
    if src is None:
        return None
    data: Any = src.data
    if data is None and empty_ok:
        data = {}
    if not isinstance(data, dict):
        issues.append(ConfigIssue(src.name, 1, "(top)", "the file must hold a mapping of keys"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        issues.extend(from_validation(src, model, e))
        return None
