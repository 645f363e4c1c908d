"""Cross-checks no single model can make: references, unique addresses, limits, overlaps."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta, tzinfo

from hvac_ctl.config.errors import ConfigIssue, issue_at
from hvac_ctl.config.site_checks import check_event_halls
from hvac_ctl.config.source import Path_, Source
from hvac_ctl.model import Calendar, Seasons, Venue
from hvac_ctl.model.calendar import (
    Event,
    GetInEvent,
    ShowEvent,
    TourEvent,
    exists_locally,
)
from hvac_ctl.model.plant import Chiller
from hvac_ctl.model.points import BacnetAddress, ChillerPoints, Points
from hvac_ctl.model.seasons import ZoneSeason
from hvac_ctl.model.venue import Limits, PointType, Unit, UnitKind, ZoneKind

PHASES = ("idle", "tour", "get_in", "precool", "show", "post_show")


def check_venue(venue: Venue, src: Source) -> list[ConfigIssue]:
    out: list[ConfigIssue] = []
    for name, zone in venue.zones.items():
        other = zone.thermal.exchange_with
        if other is not None and other not in venue.zones:
            out.append(issue_at(src, ("zones", name, "thermal", "exchange_with"),
                                f"unknown zone '{other}' (zones: {', '.join(venue.zones)})"))
        if not venue.units_of(name):
            out.append(issue_at(src, ("zones", name), "no unit serves this zone"))
    kinds = [z.kind for z in venue.zones.values()]
    if ZoneKind.auditorium not in kinds and not venue.halls:  # a site's: per hall (site_checks)
        out.append(issue_at(src, ("zones",), "the venue needs an auditorium zone (the audience)"))

    bacnet_ip: dict[str | int, str] = {}
    bacnet_id: dict[str | int, str] = {}
    modbus: dict[tuple[str, int, int], str] = {}
    # the units, then the served chillers: addresses and points checked alike
    served = venue.plant.served if venue.plant is not None else {}
    devices: list[tuple[Path_, str, Unit | Chiller]] = [
        *((("units", n), n, u) for n, u in venue.units.items()),
        *((("plant", "chillers", n), n, c) for n, c in served.items())]
    for base, name, unit in devices:
        if name in venue.units and base[0] == "plant":
            out.append(issue_at(src, base, f"a unit is named {name} too: the drivers address "
                                           "units and chillers by name"))
        if isinstance(unit, Chiller):
            out += _check_wire(unit.protocol, unit.points, base, src)
        elif unit.zone not in venue.zones:
            out.append(issue_at(src, (*base, "zone"),
                                f"unknown zone '{unit.zone}' (zones: {', '.join(venue.zones)})"))
        addr = unit.address
        assert addr is not None
        if isinstance(addr, BacnetAddress):
            for what, key, table in (("ip", addr.ip, bacnet_ip),
                                     ("device_id", addr.device_id, bacnet_id)):
                if key in table:
                    out.append(issue_at(src, (*base, "address", what),
                                        f"BACnet {what} {key} is already used by {table[key]}"))
                table.setdefault(key, name)
        else:
            key3 = (addr.host, addr.port, addr.device_id)
            if key3 in modbus:
                out.append(issue_at(src, (*base, "address"),
                                    f"Modbus {addr.host}:{addr.port} device {addr.device_id} is "
                                    f"already used by {modbus[key3]}"))
            modbus.setdefault(key3, name)
        if not isinstance(unit, Chiller):
            out += _check_points(venue, name, src)
    return out


def _check_wire(protocol: str | None, points: Points | ChillerPoints | None, base: Path_,
                src: Source) -> list[ConfigIssue]:
    """A device's points each in a place of their own, in types its protocol holds."""
    out: list[ConfigIssue] = []
    taken: dict[tuple[str, int], str] = {}
    for pname, p in points.items() if points is not None else ():
        path = (*base, "points", pname)
        if protocol == "bacnet":
            slots = [(p.object_type, p.object_instance)]
        else:
            slots = [(p.table or "", (p.register_ or 0) + i) for i in range(p.register_count)]
        for slot in slots:
            if slot in taken:
                where = "object" if protocol == "bacnet" else "register"
                out.append(issue_at(src, (*path, where),
                                    f"{where} {slot[0]}:{slot[1]} is also used by {taken[slot]}"))
                break
            taken[slot] = pname
        if protocol == "modbus" and p.type in (PointType.real, PointType.bool):
            out.append(issue_at(src, (*path, "type"),
                                "Modbus registers hold uint16, int16 or float32, not "
                                f"'{p.type}'"))
    return out


def _check_points(venue: Venue, name: str, src: Source) -> list[ConfigIssue]:
    unit = venue.units[name]
    out = _check_wire(unit.protocol, unit.points, ("units", name), src)
    for pname, p in unit.points.items():
        path = ("units", name, "points", pname)
        if pname == "mode" and p.states is not None:
            lacking = {"cool", "heat"} - set(p.states)
            if lacking:
                need = ", ".join(sorted(lacking))
                msg = f"the mode point needs the states {need}"
                out.append(issue_at(src, (*path, "states"), msg))
    zone = venue.zones.get(unit.zone)
    sp = unit.points.setpoint
    if zone is not None and sp is not None:
        lim = zone.limits
        if not (sp.allows(lim.setpoint_min_c) and sp.allows(lim.setpoint_max_c)):
            out.append(issue_at(src, ("units", name, "points", "setpoint"),
                                f"the unit accepts {sp.min}–{sp.max} °C but zone '{unit.zone}' "
                                f"allows {lim.setpoint_min_c}–{lim.setpoint_max_c} °C: the zone's "
                                "limits must fit inside the unit's range"))
    return out


def check_seasons(seasons: Seasons, venue: Venue, src: Source) -> list[ConfigIssue]:
    out: list[ConfigIssue] = []
    for sname, season in seasons.seasons.items():
        base = ("seasons", sname)
        for i, sw in enumerate(season.switch):
            if sw.to not in seasons.seasons or sw.to == sname:
                out.append(issue_at(src, (*base, "switch", i, "to"),
                                    f"'{sw.to}' is not another season "
                                    f"(seasons: {', '.join(seasons.seasons)})"))
        for zname, zone_ in venue.zones.items():
            # a public zone's settings are its group's (the season's `public`)
            if zname not in season.zones and zone_.kind != ZoneKind.public:
                out.append(issue_at(src, (*base, "zones"),
                                    f"zone '{zname}' has no settings in season '{sname}'"))
        for zname, zs in season.zones.items():
            zpath = (*base, "zones", zname)
            zone = venue.zones.get(zname)
            if zone is None:
                out.append(issue_at(src, zpath,
                                    f"unknown zone '{zname}' (zones: {', '.join(venue.zones)})"))
                continue
            lim = zone.limits
            for phase in PHASES:
                settings = getattr(zs, phase)
                if settings is None:
                    continue
                for i, uname in enumerate(settings.units):
                    unit = venue.units.get(uname)
                    upath = (*zpath, phase, "units", i)
                    if unit is None:
                        out.append(issue_at(src, upath, f"unknown unit '{uname}'"))
                    elif unit.zone != zname:
                        out.append(issue_at(src, upath,
                                            f"unit '{uname}' serves zone '{unit.zone}', not "
                                            f"'{zname}'"))
                    elif unit.kind == UnitKind.exhaust and phase != "get_in":
                        out.append(issue_at(src, upath,
                                            f"the exhaust '{uname}' runs only in get_in (never "
                                            "during a show)"))
            out += _setpoint_limits(zs, zname, lim, src, zpath)
    out += _check_coverage(seasons, src)
    return out


def _setpoint_limits(zs: ZoneSeason, zname: str, lim: Limits, src: Source,
                     zpath: Path_) -> list[ConfigIssue]:
    """Every setpoint a season can produce inside the zone's limits. A show setpoint outside
    them is the one error: what is derived from it (a full house, house lights, precool's
    target) is listed under it, not blamed on the offsets."""
    out: list[ConfigIssue] = []
    span = f"zone '{zname}' limits {lim.setpoint_min_c}–{lim.setpoint_max_c} °C"

    def outside(value: float) -> bool:
        return not lim.setpoint_min_c <= value <= lim.setpoint_max_c

    for phase in ("idle", "tour", "get_in", "post_show"):
        s = getattr(zs, phase)
        if s is not None and outside(s.setpoint_c):
            out.append(issue_at(src, (*zpath, phase, "setpoint_c"),
                                f"{s.setpoint_c:.2f} °C is outside {span}"))
    show = zs.show
    if show is None:
        return out
    sp = show.setpoint_c
    full = sp + show.occupancy_gain_k
    derived = [(("show", "occupancy_gain_k"), full,
                f"a full house's setpoint {full:.2f} °C (setpoint_c {sp:g} + occupancy_gain_k "
                f"{show.occupancy_gain_k:g})"),
               (("show", "house_lights_offset_k"), min(sp, full) - show.house_lights_offset_k,
                f"the house-lights setpoint {min(sp, full) - show.house_lights_offset_k:.2f} °C "
                f"(house_lights_offset_k {show.house_lights_offset_k:g} below "
                f"{min(sp, full):g})")]
    if zs.precool is not None:
        off = zs.precool.precool_offset_k
        derived.append((("precool", "precool_offset_k"), sp - off,
                        f"the precool target {sp - off:.2f} °C (setpoint_c {sp:g} − "
                        f"precool_offset_k {off:g})"))
    after = [issue_at(src, (*zpath, *key), f"{what} is outside {span}")
             for key, value, what in derived if outside(value)]
    if outside(sp):
        note = f" ({len(after)} setpoints derived from it are too: below)" if after else ""
        out.append(replace(issue_at(src, (*zpath, "show", "setpoint_c"),
                                    f"{sp:.2f} °C is outside {span}{note}"),
                           dependents=tuple(after)))
    else:
        out += after
    return out


def _check_coverage(seasons: Seasons, src: Source) -> list[ConfigIssue]:
    """Every day of the year (a leap year, so 02-29 too) belongs to exactly one season."""
    gaps: list[date] = []
    clashes: dict[tuple[str, ...], list[date]] = defaultdict(list)
    day = date(2024, 1, 1)
    while day.year == 2024:
        owners = tuple(n for n, s in seasons.seasons.items() if s.covers(day))
        if not owners:
            gaps.append(day)
        elif len(owners) > 1:
            clashes[owners].append(day)
        day += timedelta(days=1)
    out = []
    if gaps:
        out.append(issue_at(src, ("seasons",), f"no season covers {_days(gaps)}"))
    for owners, days in clashes.items():
        out.append(issue_at(src, ("seasons", owners[1], "dates"),
                            f"seasons {' and '.join(owners)} both cover {_days(days)}"))
    return out


def _days(days: list[date]) -> str:
    """Runs of month-days, 'MM-DD–MM-DD', for a readable message."""
    runs: list[list[date]] = []
    for d in days:
        if runs and d - runs[-1][-1] == timedelta(days=1):
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = [f"{r[0]:%m-%d}" + (f"–{r[-1]:%m-%d}" if len(r) > 1 else "") for r in runs]
    return ", ".join(parts[:6]) + (" …" if len(parts) > 6 else "")


def check_calendar(
    calendar: Calendar, venue: Venue, seasons: Seasons, sources: dict[str, Source]
) -> list[ConfigIssue]:
    out: list[ConfigIssue] = []
    tz = venue.venue.tz
    seats_of = {h: sum(venue.zones[z].seats or 0 for z in venue.zones_of_hall(h)
                       if venue.zones[z].kind == ZoneKind.auditorium) for h in venue.hall_ids}

    def seats(hall: str | None) -> int:
        return seats_of.get(venue.event_hall(hall), 0)

    out += check_event_halls(calendar, venue, sources)
    ids: dict[str, str] = {}
    for fname, f in calendar.files:
        src = sources[fname]
        dated_days = set()
        for i, p in enumerate(f.performances):
            path = ("performances", i)
            dated_days.add(p.date)
            if p.id in ids:
                out.append(issue_at(src, (*path, "id"),
                                    f"id '{p.id}' is used twice (also in {ids[p.id]})"))
            ids.setdefault(p.id, fname)
            if p.expected_attendance > seats(p.hall):
                out.append(issue_at(src, (*path, "expected_attendance"),
                                    f"{p.expected_attendance} is more than the "
                                    f"{seats(p.hall)} seats"))
            for key in ("doors_open", "curtain"):
                if not exists_locally(p.date, getattr(p, key), tz):
                    out.append(issue_at(src, (*path, key),
                                        f"{getattr(p, key):%H:%M} does not exist on {p.date} in "
                                        f"{venue.venue.timezone} (clocks go forward)"))
        for i, t in enumerate(f.tours):
            dated_days.add(t.date)
            out += _route(t.route, venue, src, ("tours", i, "route"))
        for w_i, w in enumerate(f.weekly):
            for j, wt in enumerate(w.tours):
                out += _route(wt.route, venue, src, ("weekly", w_i, "tours", j, "route"))
            for j, wp in enumerate(w.performances):
                if wp.expected_attendance > seats(wp.hall):
                    out.append(issue_at(src,
                                        ("weekly", w_i, "performances", j, "expected_attendance"),
                                        f"{wp.expected_attendance} is more than the "
                                        f"{seats(wp.hall)} seats"))
        for g in f.get_ins:
            dated_days.add(g.date)
        for i, d in enumerate(f.closed):
            if d in dated_days:
                out.append(issue_at(src, ("closed", i),
                                    f"{d} is closed but this file has events on that day"))
    if out:
        return out  # overlaps are only meaningful once every event is well-formed
    span = calendar.date_range()
    if span is None:
        return out
    events = calendar.events_between(span[0], span[1], tz)
    for hall in venue.hall_ids:  # events in different halls share nothing
        zones = set(venue.zones_of_hall(hall))
        out += _check_overlaps([e for e in events if e.hall == hall if not isinstance(
            e, TourEvent)] + [e for e in events if isinstance(e, TourEvent)
                              and zones.intersection(e.route)], sources, tz)
    return out


def _route(route: list[str], venue: Venue, src: Source, path: tuple) -> list[ConfigIssue]:
    return [
        issue_at(src, (*path, i), f"unknown zone '{z}' (zones: {', '.join(venue.zones)})")
        for i, z in enumerate(route)
        if z not in venue.zones
    ]


def _check_overlaps(events: list[Event], sources: dict[str, Source],
                    tz: tzinfo) -> list[ConfigIssue]:
    """Events that cannot share the hall: two shows, a get-in or a tour during a show."""
    out: list[ConfigIssue] = []
    shows = [e for e in events if isinstance(e, ShowEvent)]
    others = [e for e in events if isinstance(e, GetInEvent | TourEvent)]
    reported: set[tuple[str, str]] = set()

    def clash(e: Event, other: ShowEvent, why: str) -> None:
        key = (e.id, other.id)
        if key in reported:
            return
        reported.add(key)
        fname, path = e.source
        out.append(issue_at(sources[fname], path,
                            f"{e.id} on {e.date} {why} {other.id} "
                            f"(doors {other.doors_open.astimezone(tz):%H:%M} – "
                            f"end {other.end.astimezone(tz):%H:%M})"))

    # Swept in order of doors, not pair by pair: a weekly show over decades is thousands of
    # shows, and comparing every pair of them takes minutes.
    order = sorted(range(len(shows)), key=lambda k: shows[k].doors_open)
    doors = [shows[k].doors_open for k in order]
    for n, i in enumerate(order):
        a = shows[i]
        for j in order[n + 1:bisect_left(doors, a.end)]:  # doors before a's end
            first, second = sorted((i, j))  # the later in the file is the one reported
            clash(shows[second], shows[first], "overlaps the show")
    longest = max((s.end - s.doors_open for s in shows), default=timedelta(0))
    for e in others:
        start, end = (e.start, e.end)
        for k in order[bisect_left(doors, start - longest):bisect_left(doors, end)]:
            s = shows[k]
            if start < s.end:
                why = ("puts the stage in a get-in during" if isinstance(e, GetInEvent)
                       else "takes a tour through the hall during")
                clash(e, s, why)
    return out
