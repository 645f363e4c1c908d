"""A public-area group's one mode, chosen by the weather: the study's rule for public areas.

Large public spaces are served by many units that sit side by side. Left to their own
thermostats, one heats while its neighbour cools and both waste; the spaces swing. The study
switches every unit of an area's group into one mode together, chosen by the outdoor air:

- `dehumidify` (cool, then reheat) when the outdoor dew point is at or above the season's
  `dehumidify_dew_point_c` — humid summer air brought in would fog the glass and feel close;
- `cool` when the outdoor dry-bulb is at or above `cool_above_c`;
- `heat` when it is at or below `heat_below_c`;
- `vent` in between: outdoor air tempers the space, the coils stay off.

Inputs: the outdoor dry-bulb and dew point (the units' `oa_temp` and `oa_rh`), the group's
held mode and since when, the season's `PublicSettings` and the group's minimum dwell.
Output: the mode, since when, and why, in words.

- Hysteresis: a mode is left only once the outdoor air is `hysteresis_k` back past the
  threshold that brought it (a dry-bulb of 23.8 °C after cooling from 24 °C keeps cooling).
- Minimum dwell: a mode is kept at least `min_dwell_min` (2 h by default) after it was taken,
  whatever the weather says; a spring day that crosses a threshold every hour then changes
  the mode a few times a day, not twelve. There is no exception: the spaces are large and
  slow, and the band's protection is the staging's (more units), not a flipped mode.
- Nothing known of the outdoor air: the held mode stays; with none held, the season's mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from hvac_ctl.model.seasons import PublicSettings
from hvac_ctl.planner.inputs import HeldGroup
from hvac_ctl.planner.outputs import GroupMode

WEATHER_MODES: tuple[GroupMode, ...] = ("cool", "heat", "vent", "dehumidify")


@dataclass(frozen=True)
class ModeChoice:
    mode: GroupMode
    since: datetime | None
    why: str


def by_weather(outdoor_c: float, dew_c: float | None, s: PublicSettings,
               current: GroupMode | None) -> tuple[GroupMode, str]:
    """The mode the outdoor air asks for, with hysteresis around the current one."""
    h = s.hysteresis_k
    dehum = s.dehumidify_dew_point_c - (h if current == "dehumidify" else 0.0)
    if dew_c is not None and dew_c >= dehum:
        return "dehumidify", (f"outdoor dew point {dew_c:.1f} °C at or above "
                              f"{dehum:g} °C")
    cool = s.cool_above_c - (h if current in ("cool", "dehumidify") else 0.0)
    if outdoor_c >= cool:
        return "cool", f"outdoor {outdoor_c:.1f} °C at or above {cool:g} °C"
    heat = s.heat_below_c + (h if current == "heat" else 0.0)
    if outdoor_c <= heat:
        return "heat", f"outdoor {outdoor_c:.1f} °C at or below {heat:g} °C"
    return "vent", f"outdoor {outdoor_c:.1f} °C between {heat:g} and {cool:g} °C: outdoor air"


def choose(held: HeldGroup | None, outdoor_c: float | None, dew_c: float | None,
           s: PublicSettings, dwell: timedelta, preferred: GroupMode, at: datetime,
           tz: tzinfo) -> ModeChoice:
    """The group's mode at `at` (see the module's rule)."""
    current: GroupMode | None = None
    if held is not None and held.mode in WEATHER_MODES:
        current = held.mode  # one of WEATHER_MODES
    if outdoor_c is None:
        if current is not None:
            return ModeChoice(current, held.since if held else None,
                              f"no outdoor reading: keeps {current}")
        return ModeChoice(preferred, None, f"no outdoor reading: the season's {preferred}")
    wanted, why = by_weather(outdoor_c, dew_c, s, current)
    if current is None or wanted == current:
        return ModeChoice(wanted, held.since if held and current == wanted else at, why)
    assert held is not None
    if held.since is not None and at - held.since < dwell:
        until = (held.since + dwell).astimezone(tz)
        return ModeChoice(current, held.since,
                          f"keeps {current} until {until:%H:%M} (minimum dwell "
                          f"{dwell.total_seconds() / 3600:g} h); the weather asks for "
                          f"{wanted}: {why}")
    return ModeChoice(wanted, at, why)
