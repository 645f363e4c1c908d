"""Which phase each zone is in: every event lays claims on the zones it touches.

A show claims precool, show (doors → end) and post-show of its hall's zones; a tour the zones
on its route (which may cross halls and public areas); a get-in its hall's stage. Where claims
overlap, the higher rank wins — show > get-in > precool > tour > post-show — and between
equals the later event, so the evening's preparation beats the matinee's post-show. No
claim: idle. The strategy's phases in time, per zone (where G36 moves a whole zone group
together, a theatre's stage may be in a get-in while its auditorium idles).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hvac_ctl.model.calendar import Event, GetInEvent, ShowEvent, TourEvent
from hvac_ctl.model.seasons import OaMode, ZoneSeason
from hvac_ctl.model.venue import Zone, ZoneKind
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.occupancy import plays
from hvac_ctl.planner.outputs import Phase

RANK: dict[Phase, int] = {"show": 5, "get_in": 4, "precool": 3, "tour": 2, "post_show": 1}
CLAIMS_AFTER_END = timedelta(hours=7)  # the longest post-show (360 min) and then some


@dataclass(frozen=True)
class Claim:
    zone: str
    phase: Phase
    start: datetime
    end: datetime
    event: Event
    season: str

    @property
    def order(self) -> tuple[int, datetime]:
        return RANK[self.phase], event_start(self.event)


@dataclass(frozen=True)
class Precooled:
    """A zone's precool for a show: when it starts, and its target."""

    start: datetime
    target_c: float


@dataclass(frozen=True)
class ShowPlan:
    event: ShowEvent
    precooled: Mapping[str, Precooled]  # zone → its precool
    opens: frozenset[str]  # the zones whose outdoor air opens by the CO2 search


@dataclass(frozen=True)
class Claims:
    by_zone: Mapping[str, tuple[Claim, ...]]
    shows: Mapping[str, ShowPlan]
    # each zone's claims, the winner first (between equals, the first laid): asked at every
    # instant of a day, ranked once
    ranked: Mapping[str, tuple[Claim, ...]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ranked", {
            z: tuple(sorted(cs, key=lambda c: c.order, reverse=True))  # stable: first laid
            for z, cs in self.by_zone.items()})

    def active(self, zone: str, at: datetime) -> Claim | None:
        """The claim that wins at `at`, if any."""
        return next((c for c in self.ranked[zone] if c.start <= at < c.end), None)


def event_start(e: Event) -> datetime:
    return e.doors_open if isinstance(e, ShowEvent) else e.start


PrecoolRule = Callable[[Context, str, Zone, ZoneSeason, ShowEvent], Precooled]
EndRule = Callable[[Context, str, Zone, ZoneSeason, ShowEvent], datetime]


def lay(ctx: Context, events: Iterable[Event], precool: PrecoolRule, post_show_end: EndRule
        ) -> Claims:
    """Every event's claims; `precool` and `post_show_end` are the sequences that time a
    show's precool and post-show."""
    by_zone: dict[str, list[Claim]] = {z: [] for z in ctx.venue.zones}
    shows: dict[str, ShowPlan] = {}
    for e in events:
        sname, season = ctx.season_on(e.date)
        if isinstance(e, TourEvent):
            for zone in e.route:
                zs = season.zones.get(zone)
                if zs is not None and zs.tour is not None:
                    by_zone[zone].append(Claim(zone, "tour", e.start, e.end, e, sname))
            continue
        hall = ctx.venue.zones_of_hall(e.hall)  # an event touches its own hall's zones
        if isinstance(e, GetInEvent):
            for zone in hall:
                z = ctx.venue.zones[zone]
                zs = season.zones.get(zone)
                if z.kind == ZoneKind.stage and zs is not None and zs.get_in is not None:
                    by_zone[zone].append(Claim(zone, "get_in", e.start, e.end, e, sname))
            continue
        assert isinstance(e, ShowEvent)
        precooled: dict[str, Precooled] = {}
        opens: set[str] = set()
        for zone in hall:
            z = ctx.venue.zones[zone]
            zs = season.zones.get(zone)
            if zs is None or zs.show is None:
                continue
            if zs.precool is not None and plays(z, e):
                p = precooled[zone] = precool(ctx, zone, z, zs, e)
                by_zone[zone].append(Claim(zone, "precool", p.start, e.doors_open, e, sname))
                if zs.show.oa == OaMode.occupancy:
                    opens.add(zone)
            by_zone[zone].append(Claim(zone, "show", e.doors_open, e.end, e, sname))
            if zs.post_show is not None:
                by_zone[zone].append(Claim(zone, "post_show", e.end,
                                           post_show_end(ctx, zone, z, zs, e), e, sname))
        shows[e.id] = ShowPlan(e, precooled, frozenset(opens))
    return Claims({z: tuple(cs) for z, cs in by_zone.items()}, shows)
