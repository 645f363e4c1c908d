"""Warnings: a configuration that is valid but may not run what the engineer meant.

Each one is something an edit can change silently and no error catches: a dated entry that
replaces a weekly pattern's show on its day (BACnet's exception-schedule rule, kept, but said),
a unit that no phase of any season runs, a zone the planner cannot measure. They are computed
once the configuration is valid, shown by `validate` and the schedule API, and never refused.
"""

from __future__ import annotations

from datetime import tzinfo

from hvac_ctl.config.errors import ConfigWarning
from hvac_ctl.config.source import Path_, Source, dotted
from hvac_ctl.model import Config
from hvac_ctl.model.calendar import Event, ShowEvent, TourEvent
from hvac_ctl.model.seasons import PHASES
from hvac_ctl.model.venue import UnitKind, ZoneKind

# what the planner reads of a zone (through its units' sensors), and what it lacks without it
ZONE_SENSORS = {
    "zone_temp": "its temperature: the idle band, heating or cooling by need and the closed "
                 "loop run blind",
    "zone_rh": "its humidity: the idle dehumidification never starts",
    "co2": "its CO2: outdoor air follows the seat count alone, with no CO2 trim or purge",
}


def warn_at(src: Source, path: Path_, message: str) -> ConfigWarning:
    return ConfigWarning(src.name, src.line_of(path), dotted(path), message)


def config_warnings(config: Config, seasons_src: Source, zones_src: Source,
                    calendar_srcs: dict[str, Source]) -> list[ConfigWarning]:
    """Every warning of a valid configuration, in file and line order."""
    out = [*replaced_occurrences(config, calendar_srcs),
           *units_never_run(config, seasons_src, zones_src),
           *zones_unmeasured(config, zones_src)]
    return sorted(out)


def describe(e: Event, tz: tzinfo) -> str:
    if isinstance(e, ShowEvent):
        return f"show '{e.title}' (curtain {e.curtain.astimezone(tz):%H:%M})"
    if isinstance(e, TourEvent):
        return f"tour at {e.start.astimezone(tz):%H:%M}"
    return f"{e.kind.replace('_', '-')} get-in at {e.start.astimezone(tz):%H:%M}"


def replaced_occurrences(config: Config, srcs: dict[str, Source]) -> list[ConfigWarning]:
    """Each pattern occurrence a dated entry replaces without saying `mode: replace`."""
    cal, tz = config.calendar, config.venue.venue.tz
    days = sorted({d for _, f in cal.files for d in (*(x.date for x in f.performances),
                                                     *(x.date for x in f.tours),
                                                     *(x.date for x in f.get_ins))})
    out: list[ConfigWarning] = []
    for day in days:
        for r in cal.day(day, tz).replacements:
            if r.explicit:
                continue
            fname, path = r.dated.source
            for gone in r.replaced:
                gfile, gpath = gone.source
                out.append(warn_at(srcs[fname], path,
                    f"on {day} this replaces the weekly pattern's {describe(gone, tz)} "
                    f"({gone.id}, {gfile}:{srcs[gfile].line_of(gpath)}), which will not run; "
                    "write 'mode: add' to keep it too, or 'mode: replace' if it is meant to go"))
    return out


def units_never_run(config: Config, seasons_src: Source, zones_src: Source
                    ) -> list[ConfigWarning]:
    """Each unit that no phase of any season runs, with the lists that would include it.
    A public zone's units are none of these: its group stages them (`groups:` staging), and
    seasons.yaml has no phases for it."""
    venue, seasons = config.venue, config.seasons.seasons
    out: list[ConfigWarning] = []
    for uname, unit in venue.units.items():
        if venue.zones[unit.zone].kind == ZoneKind.public:
            continue
        runs = any(uname in getattr(zs, phase).units
                   for s in seasons.values() if (zs := s.zones.get(unit.zone)) is not None
                   for phase in PHASES if getattr(zs, phase) is not None)
        if runs:
            continue
        where = []
        for sname, s in seasons.items():
            zs = s.zones.get(unit.zone)
            options = ("get_in",) if unit.kind == UnitKind.exhaust else ("show", "idle")
            phase = next((p for p in options if zs is not None and getattr(zs, p) is not None),
                         None)
            if phase is not None:
                path = ("seasons", sname, "zones", unit.zone, phase, "units")
                where.append(f"{seasons_src.name}:{seasons_src.line_of(path)} ({dotted(path)})")
        fix = (f"add it to {', '.join(where)}, or leave out a phase's units to run all of the "
               "zone's" if where else f"no season has a get_in phase for zone '{unit.zone}'")
        out.append(warn_at(zones_src, ("units", uname),
                           f"unit '{uname}' runs in no phase of any season: every phase of "
                           f"zone '{unit.zone}' lists its units without it; {fix}"))
    return out


def zones_unmeasured(config: Config, zones_src: Source) -> list[ConfigWarning]:
    """Each zone without a sensor the planner reads, and a venue without an outdoor one."""
    venue = config.venue
    out: list[ConfigWarning] = []
    for zname in venue.zones:
        points = set().union(*(venue.units[u].points.names() for u in venue.units_of(zname)))
        for point, lacking in ZONE_SENSORS.items():
            if point not in points:
                out.append(warn_at(zones_src, ("zones", zname),
                                   f"no unit of zone '{zname}' has a {point} point, so the "
                                   f"planner cannot measure {lacking}"))
    if not any("oa_temp" in u.points.names() for u in venue.units.values()):
        out.append(warn_at(zones_src, ("units",),
                           "no unit has an oa_temp point, so the planner cannot measure the "
                           "outdoor temperature: no free cooling, and outdoor air is not "
                           "checked against what the coils can temper"))
    return out
