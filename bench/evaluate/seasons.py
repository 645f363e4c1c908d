"""What is evaluated: the seasons, their calendar, their weather."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bench._venues import SINGLE_HALL
from bench.evaluate.weather import NormalsWeather
from hvac_ctl.config.loader import CALENDAR_DIR, config_files, parse_config
from hvac_ctl.model import Config
from simulator.weather import CsvWeather, DesignDay, Weather

CALENDAR = Path(__file__).resolve().parent / "calendar.yaml"


@dataclass(frozen=True)
class Season:
    name: str
    first: date
    last: date
    show_day: date  # the day plotted


SEASONS = {  # in the order of the year
    "winter": Season("winter", date(2027, 1, 1), date(2027, 1, 31), date(2027, 1, 16)),
    "spring": Season("spring", date(2027, 3, 1), date(2027, 5, 31), date(2027, 4, 17)),
    "summer": Season("summer", date(2027, 6, 1), date(2027, 8, 31), date(2027, 7, 17)),
    "autumn": Season("autumn", date(2027, 9, 1), date(2027, 11, 30), date(2027, 11, 3)),
}
# `--weather design`: each season's hard day, repeated (the shoulders' own: a warm spring
# afternoon, a cold autumn evening)
DESIGN = {"summer": DesignDay.summer, "winter": DesignDay.winter,
          "spring": DesignDay.spring_warm, "autumn": DesignDay.autumn_cold}


def evaluation_config(root: Path = SINGLE_HALL) -> Config:
    """The single hall's venue and seasons (examples/single-hall) with the evaluation's
    calendar, validated as usual."""
    texts = {k: v for k, v in config_files(root).items() if not k.startswith(CALENDAR_DIR)}
    texts[f"{CALENDAR_DIR}/evaluation.yaml"] = CALENDAR.read_text(encoding="utf-8")
    return parse_config(texts, display_root=root)


def weather_of(choice: str, config: Config, season: Season) -> Weather:
    tz = config.venue.venue.tz
    if choice == "normals":
        return NormalsWeather(tz, season.first - timedelta(days=7), season.last)
    if choice == "design":
        return DESIGN[season.name](tz)
    return CsvWeather(Path(choice))
