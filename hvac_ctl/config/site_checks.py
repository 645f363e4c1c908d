"""Cross-checks of the site: halls, public-area groups, supply floors, events' halls.

A file without `halls:` is one hall and passes these as it always did: its zones name no
hall, and its events belong to the one hall.
"""

from __future__ import annotations

from hvac_ctl.config.errors import ConfigIssue, issue_at
from hvac_ctl.config.source import Source
from hvac_ctl.model import Calendar, Venue
from hvac_ctl.model.venue import ZoneKind


def _listing(names: object) -> str:
    return ", ".join(names) if names else "none"  # type: ignore[arg-type]


def check_site(venue: Venue, src: Source) -> list[ConfigIssue]:
    out: list[ConfigIssue] = []
    for name, z in venue.zones.items():
        path = ("zones", name)
        if z.kind == ZoneKind.public:
            if z.group is None:
                out.append(issue_at(src, path, "a public zone names its group (groups: "
                                               f"{_listing(venue.groups)})"))
            elif z.group not in venue.groups:
                out.append(issue_at(src, (*path, "group"), f"unknown group '{z.group}' "
                                                           f"(groups: {_listing(venue.groups)})"))
            if z.hall is not None:
                out.append(issue_at(src, (*path, "hall"),
                                    "a public zone belongs to a group, not to a hall"))
            continue
        if z.group is not None:
            out.append(issue_at(src, (*path, "group"),
                                "only a public zone (kind: public) belongs to a group"))
        if venue.halls and z.hall is None:
            out.append(issue_at(src, path, f"zone '{name}' names no hall (halls: "
                                           f"{_listing(venue.halls)})"))
        elif z.hall is not None and z.hall not in venue.halls:
            out.append(issue_at(src, (*path, "hall"), f"unknown hall '{z.hall}' (halls: "
                                                      f"{_listing(venue.halls)})"))
    for hall in venue.halls:
        kinds = {venue.zones[z].kind for z in venue.zones_of_hall(hall)}
        if ZoneKind.auditorium not in kinds:
            out.append(issue_at(src, ("halls", hall),
                                f"hall '{hall}' needs an auditorium zone (its audience)"))
    for gid, g in venue.groups.items():
        for i, hall in enumerate(g.halls):
            if hall not in venue.hall_ids or not venue.halls:
                out.append(issue_at(src, ("groups", gid, "halls", i),
                                    f"unknown hall '{hall}' (halls: {_listing(venue.halls)})"))
        if not venue.zones_of_group(gid):
            out.append(issue_at(src, ("groups", gid), f"no zone belongs to group '{gid}'"))
    for uname, unit in venue.units.items():
        zone = venue.zones.get(unit.zone)
        floor = zone.floor_c if zone is not None else None
        if floor is not None and unit.supply_limits_c[0] < floor:
            out.append(issue_at(src, ("units", uname, "supply_limits_c"),
                                f"{unit.supply_limits_c[0]:g} °C is colder than zone "
                                f"'{unit.zone}' allows at its people's feet "
                                f"({floor:g} °C: {zone.supply} supply)"))
    return out


def check_event_halls(calendar: Calendar, venue: Venue, sources: dict[str, Source]
                      ) -> list[ConfigIssue]:
    """Every hall an entry names exists; a get-in's hall has a stage."""
    out: list[ConfigIssue] = []
    for fname, f in calendar.files:
        src = sources[fname]
        entries: list[tuple[tuple[str | int, ...], str | None, bool]] = []
        entries += [(("performances", i), p.hall, False) for i, p in enumerate(f.performances)]
        entries += [(("tours", i), t.hall, False) for i, t in enumerate(f.tours)]
        entries += [(("get_ins", i), g.hall, True) for i, g in enumerate(f.get_ins)]
        for w_i, w in enumerate(f.weekly):
            for kind, items in (("performances", w.performances), ("tours", w.tours),
                                ("get_ins", w.get_ins)):
                entries += [(("weekly", w_i, kind, j), e.hall, kind == "get_ins")
                            for j, e in enumerate(items)]
        for path, hall, stage in entries:
            if hall is not None and hall not in venue.hall_ids:
                out.append(issue_at(src, (*path, "hall"), f"unknown hall '{hall}' (halls: "
                                                          f"{_listing(venue.hall_ids)})"))
            elif stage and not any(venue.zones[z].kind == ZoneKind.stage
                                   for z in venue.zones_of_hall(venue.event_hall(hall))):
                out.append(issue_at(src, path, "a get-in needs a stage zone in its hall"))
    return out
