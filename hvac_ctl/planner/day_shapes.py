"""Days of one shape plan alike: each zone's day, and each show's times, are planned once per
shape and moved to the other days of that shape.

A day planned with nothing measured, pushed, overridden or learned — a preview, the
evaluation's year, a show's report — depends on its date only through its *shape*. For a
zone: the length of the day, the UTC offsets of the midnights around it, the day's season,
the outdoor temperatures it is told, and the events in reach that can claim the zone (every
show; a tour on its route; a get-in on a stage), each as its kind, its season, its day
relative to this one, its times from this day's midnight and every other field but its id,
date, title and source (which the plan reads only to name the event). The zones plan apart
(`Planner.state_at` decides each on its own; another zone's instants only cut a stretch that
then merges back), so a day whose tour is new to the stage but whose show the pit has seen
plans the stage alone (a site with a plant is the exception: one hall's precool start, and
the plant's load it expects, depend on the others', and `timeline` plans it afresh). A
show's computed times depend on the show alone. A production's run
repeats its shapes night after night.

A kept zone-day moves by the time between the two midnights, with each event's id swapped
for its counterpart's in the event ids and the reasons. An id is swapped only where it
stands as a whole word, and a day is given shapes only if every event's id holds the event's
date (as generated ids do): such an id cannot be part of the planner's own words, which name
no dates. A day whose ids do not is planned afresh. `tests/planner/test_day_shapes.py` plans
years both ways and compares every segment and show time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from hvac_ctl.model.calendar import Event, GetInEvent, ShowEvent, TourEvent
from hvac_ctl.model.site import HallType
from hvac_ctl.model.venue import ZoneKind
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.egress import steps as egress_steps
from hvac_ctl.planner.inputs import PlanInputs
from hvac_ctl.planner.outputs import DayPlan, Segment, ShowTimes
from hvac_ctl.planner.post_show import egress
from hvac_ctl.planner.public_phase import opening_hours
from hvac_ctl.planner.show import settle_instants

_NAMING = frozenset({"id", "date", "title", "source"})  # what names an event, not its plan
_FIELDS: dict[type, tuple[str, ...]] = {}

T = TypeVar("T")
Plan = Callable[[Sequence[str] | None], DayPlan]  # the day planned afresh, for some zones


def applies(inputs: PlanInputs) -> bool:
    """Nothing known that belongs to one date: only the outdoor temperatures, which are in
    the shape."""
    return not (inputs.occupancy or inputs.overrides or inputs.measurements or inputs.history
                or inputs.co2_at_doors or inputs.modes or inputs.deviations or inputs.groups
                or inputs.run_hours)


def _last(ctx: Context, e: Event) -> datetime:
    """The end of the last claim or instant an event lays, with nothing measured: a
    post-show at its season's longest, the egress steps, the settle after curtain."""
    if not isinstance(e, ShowEvent):
        return e.end
    season = ctx.season(ctx.season_name(e.date))
    post = max((zs.post_show.max_minutes for zs in season.zones.values()
                if zs.post_show is not None), default=0)
    return max(e.end + timedelta(minutes=post), *egress_steps(e.end, egress(ctx)),
               *settle_instants(season, e))


def _claims(ctx: Context, zone: str, e: Event) -> bool:
    """Whether `e` can claim `zone` (`claims.lay`, less its season's say: more is safe),
    or a zone planned together with it: a fused hall's zones, a public group's."""
    venue = ctx.venue
    together = _together(ctx, zone)
    if isinstance(e, TourEvent):
        return bool(together.intersection(e.route))
    if isinstance(e, GetInEvent):
        return any(venue.zones[z].kind == ZoneKind.stage for z in together)
    return True


def _together(ctx: Context, zone: str) -> set[str]:
    venue = ctx.venue
    z = venue.zones[zone]
    if z.group is not None:
        return set(venue.zones_of_group(z.group))
    hall = venue.hall_of(zone)
    if hall is not None and venue.is_site and venue.hall(hall).type == HallType.fused:
        return set(venue.zones_of_hall(hall))
    return {zone}


def _event_shape(ctx: Context, e: Event, day: date, start: datetime) -> tuple[Any, ...]:
    names = _FIELDS.get(type(e))
    if names is None:
        names = _FIELDS[type(e)] = tuple(f.name for f in fields(e) if f.name not in _NAMING)
    values = (getattr(e, name) for name in names)
    return (type(e).__name__, ctx.season_name(e.date), (e.date - day).days,
            *(v - start if isinstance(v, datetime) else v for v in values))


def _day_shape(ctx: Context, day: date, start: datetime, end: datetime) -> tuple[Any, ...]:
    offsets = tuple(datetime.combine(day + timedelta(days=n), time(0), tzinfo=ctx.tz
                                     ).utcoffset() for n in (-1, 0, 1, 2))
    # the public areas' opening hours are the day's own (a site's, from its calendar)
    public = tuple((a - start, b - start) for d in (day - timedelta(days=1), day)
                   for a, b in opening_hours(ctx, d)) if ctx.venue.groups else ()
    return (end - start, offsets, ctx.season_name(day), ctx.inputs.outdoor_temp_c,
            ctx.inputs.outdoor_air_c, ctx.inputs.outdoor_rh_pct, public)


def _in_word(c: str) -> bool:
    return c.isalnum() or c in "_-"


def _format(text: str, place: dict[str, int]) -> str | None:
    """`text` as a format string with each event id standing as a whole word (not inside a
    longer run of letters, digits, `_` and `-`) replaced by `{its place}`; None if it names
    none. The longest id first, where one holds another."""
    spans: list[tuple[int, int, int]] = []
    for word in sorted(place, key=len, reverse=True):
        at = text.find(word)
        while at >= 0:
            end = at + len(word)
            if ((at == 0 or not _in_word(text[at - 1]))
                    and (end == len(text) or not _in_word(text[end]))
                    and not any(a < end and at < b for a, b, _ in spans)):
                spans.append((at, end, place[word]))
            at = text.find(word, at + 1)
    if not spans:
        return None
    out, done = [], 0
    for a, b, n in sorted(spans):
        out += [_escaped(text[done:a]), f"{{{n}}}"]
        done = b
    out.append(_escaped(text[done:]))
    return "".join(out)


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


@dataclass(frozen=True)
class ZoneDay:
    """A zone's planned day, ready to move: its midnight, and each segment's reason and
    event id with the events named by their place in the shape (a format string, and an
    index), so that a move fills in the new ids without searching the text again."""

    start: datetime
    segments: tuple[Segment, ...]
    reasons: tuple[str | None, ...]  # None: the reason names no event
    event_ids: tuple[int | None, ...]

    @classmethod
    def of(cls, start: datetime, segments: Sequence[Segment], events: Sequence[Event]
           ) -> ZoneDay:
        place = {e.id: n for n, e in reversed(list(enumerate(events)))}
        reasons: dict[str, str | None] = {}
        for s in segments:
            if s.reason not in reasons:
                reasons[s.reason] = _format(s.reason, place)
        return cls(start, tuple(segments), tuple(reasons[s.reason] for s in segments),
                   tuple(None if s.event_id is None else place[s.event_id] for s in segments))

    def moved(self, start: datetime, events: Sequence[Event]) -> Sequence[Segment]:
        """These segments on the day whose midnight is `start` and whose events (in the
        shape's order) stand where this day's did."""
        if start == self.start:
            return self.segments
        by = start - self.start
        ids = [e.id for e in events]
        made: dict[str, str] = {}
        out = []
        for s, fmt, n in zip(self.segments, self.reasons, self.event_ids, strict=True):
            reason = s.reason
            if fmt is not None:
                reason = made.get(fmt) or made.setdefault(fmt, fmt.format(*ids))
            out.append(replace(s, start=s.start + by, end=s.end + by, reason=reason,
                               event_id=None if n is None else ids[n]))
        return out


def _moved_times(t: ShowTimes, by: timedelta, e: ShowEvent) -> ShowTimes:
    if not by:
        return t
    return ShowTimes.of(e.id, e.title, t.doors_open + by, t.curtain + by, t.end + by,
                        t.expected_attendance, {z: at + by for z, at in t.precool_start.items()},
                        t.precool_target_c, {z: at + by for z, at in t.oa_open.items()},
                        t.hall)


def plan_by_shape(ctx: Context, day: date, start: datetime, end: datetime,
                  events: Sequence[Event], plan: Plan) -> DayPlan:
    """The day's plan: each zone moved from a kept day of its shape, the zones of a new
    shape planned by `plan` and kept; so the shows' times."""
    # yesterday's events over before midnight: the day reads nothing of them (their claims
    # are never active in it, their instants are not in it), and the shape need not either
    events = [e for e in events if _last(ctx, e) > start]
    if any(e.date.isoformat() not in e.id for e in events):
        return plan(None)
    cache, zones = ctx.cache, list(ctx.venue.zones)
    common = _day_shape(ctx, day, start, end)
    shapes = {e.id: _event_shape(ctx, e, day, start) for e in events}
    claiming = {z: [e for e in events if _claims(ctx, z, e)] for z in zones}
    keys = {z: ("zone day", common, z, tuple(shapes[e.id] for e in claiming[z]))
            for z in zones}
    kept: dict[str, ZoneDay | None] = {z: cache.recall(keys[z]) for z in zones}
    shows = [e for e in events if isinstance(e, ShowEvent)]
    show_keys = {e.id: ("show times", common, shapes[e.id]) for e in shows}
    times: dict[str, tuple[datetime, ShowTimes | None] | None] = {
        i: cache.recall(k) for i, k in show_keys.items()}
    missing = [z for z in zones if kept[z] is None]
    if missing or any(t is None for t in times.values()):
        fresh = plan(missing)
        for z in missing:
            kept[z] = ZoneDay.of(start, [s for s in fresh.segments if s.zone == z], claiming[z])
            cache.keep(keys[z], kept[z])
        planned = {t.event_id: t for t in fresh.shows}
        for e in shows:
            times[e.id] = (start, planned.get(e.id))  # None: the show does not touch the day
            cache.keep(show_keys[e.id], times[e.id])
    segments = [s for z in zones for s in _kept(kept[z]).moved(start, claiming[z])]
    show_times = []
    for e in shows:
        at, t = _kept(times[e.id])
        if t is not None:
            show_times.append(_moved_times(t, start - at, e))
    return DayPlan(day, ctx.tz, tuple(segments),
                   tuple(sorted(show_times, key=lambda s: s.doors_open)))


def _kept(found: T | None) -> T:
    assert found is not None  # kept above, or planned and kept
    return found
