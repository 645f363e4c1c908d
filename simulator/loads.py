"""Internal loads of each zone at an instant: people by activity, lights, orchestra, machinery.

Numbers from ../shared/docs/reference-data.md (ASHRAE Fundamentals 2021 ch. 18): seated
audience 70 W sensible / 35 W latent, entering or leaving 75 / 60 W, musicians 75 / 55 W,
performers and crew 90 / 160 W. About 60 % of people's sensible heat is radiant.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from simulator.building import BuildingSpec, ZoneSpec
from simulator.crowds import foyer_people
from simulator.crowds import fraction as _fraction
from simulator.scenario import Period, Scenario, Show, Tour

SEATED = (70.0, 35.0)
WALKING = (75.0, 60.0)
MUSICIAN = (75.0, 55.0)
STAGE_CREW = (90.0, 160.0)
PEOPLE_RADIANT = 0.6
ENTERING = timedelta(minutes=10)  # someone who just came in is still walking, not seated
EGRESS = timedelta(minutes=20)
STAGE_LIGHTING_W = 250_000.0  # connected; LED-heavy rig with some tungsten
LIGHT_TO_ZONE = 0.5  # the rest is taken at the fixtures
LIGHT_RADIANT = 0.5
HOUSE_LIGHTS_W = 20_000.0
DARK_HOUSE_W = 2_000.0
MACHINERY_W = 30_000.0
STAND_LIGHTS_W = 3_000.0
GET_IN_CREW = 40
WORK_LIGHT = 0.1
INTERVAL = timedelta(minutes=20)
SHOW_LEAD = timedelta(hours=1)  # a show's loads begin no earlier than this before its doors
SHOW_TAIL = EGRESS + INTERVAL  # and are over this long after its end


@dataclass
class ZoneLoads:
    convective_w: float = 0.0
    radiant_w: float = 0.0
    latent_w: float = 0.0
    people: float = 0.0

    def add_people(self, n: float, per_person: tuple[float, float]) -> None:
        if n <= 0:
            return
        sensible, latent = per_person
        self.convective_w += n * sensible * (1 - PEOPLE_RADIANT)
        self.radiant_w += n * sensible * PEOPLE_RADIANT
        self.latent_w += n * latent
        self.people += n

    def add_heat(self, watts: float, radiant_fraction: float = 0.0) -> None:
        self.convective_w += watts * (1 - radiant_fraction)
        self.radiant_w += watts * radiant_fraction


@dataclass(frozen=True)
class _ShowTimes:
    """A show's instants and head counts that its loads are cut at, each computed once (the
    simulator asks every minute of a show for every zone) by the very expressions the load
    functions used to compute at every call."""

    lead: datetime  # its loads begin: doors - SHOW_LEAD
    tail: datetime  # and are over: end + SHOW_TAIL
    egress: datetime  # the last one out: end + EGRESS
    crew_from: datetime  # stage crew and machinery: doors - 30 min …
    crew_to: datetime  # … to end + 15 min
    pit_from: datetime  # musicians: curtain - 15 min
    middle: datetime  # the interval: from the middle of the show …
    middle_end: datetime  # … for INTERVAL
    work_end: datetime  # work light until end + 30 min
    late_end: datetime  # late comers until curtain + late_minutes
    on_time: float  # people who come on time
    late: float  # and late


_TIMES: dict[int, tuple[Show, _ShowTimes]] = {}


def _times(show: Show) -> _ShowTimes:
    """`show`'s `_ShowTimes`, kept by identity (the entry holds the show, so its id stays its
    own); bounded."""
    hit = _TIMES.get(id(show))
    if hit is not None and hit[0] is show:
        return hit[1]
    if len(_TIMES) > 65_536:
        _TIMES.clear()
    middle = show.curtain + (show.end - show.curtain) / 2
    times = _ShowTimes(
        show.doors_open - SHOW_LEAD, show.end + SHOW_TAIL, show.end + EGRESS,
        show.doors_open - timedelta(minutes=30), show.end + timedelta(minutes=15),
        show.curtain - timedelta(minutes=15), middle, middle + INTERVAL,
        show.end + timedelta(minutes=30), show.curtain + timedelta(minutes=show.late_minutes),
        show.attendance * (1 - show.late_fraction), show.attendance * show.late_fraction)
    _TIMES[id(show)] = (show, times)
    return times


def arrived(show: Show, t: datetime) -> float:
    """People through the doors by `t`: on time between doors and curtain, late after it."""
    return _arrived(show, _times(show), t)


def _arrived(show: Show, st: _ShowTimes, t: datetime) -> float:
    n = st.on_time * _fraction(t, show.doors_open, show.curtain)
    if st.late > 0:
        n += st.late * _fraction(t, show.curtain, st.late_end)
    return n


def audience(show: Show, t: datetime) -> tuple[float, float]:
    """(seated, walking) people in the hall at `t`."""
    return _audience(show, _times(show), t)


def _audience(show: Show, st: _ShowTimes, t: datetime) -> tuple[float, float]:
    if t < show.doors_open or t >= st.egress:
        return 0.0, 0.0
    if t >= show.end:
        return 0.0, show.attendance * (1 - _fraction(t, show.end, st.egress))
    inside = _arrived(show, st, t)
    walking = inside - _arrived(show, st, t - ENTERING)
    return inside - walking, walking


def _stage_light_share(show: Show, st: _ShowTimes, t: datetime) -> float:
    """A cue profile: preset while doors are open, full acts, dim interval, work light after."""
    if show.doors_open <= t < show.curtain:
        return 0.2
    if show.curtain <= t < show.end:
        return 0.15 if st.middle <= t < st.middle_end else 0.75
    if show.end <= t < st.work_end:
        return WORK_LIGHT
    return 0.0


def zone_loads(spec: BuildingSpec, scenario: Scenario, t: datetime) -> dict[str, ZoneLoads]:
    out = {name: ZoneLoads() for name in spec.zones}
    for name, zone in spec.zones.items():
        _zone(out[name], zone, scenario, t)
    return out


def _zone(loads: ZoneLoads, zone: ZoneSpec, scenario: Scenario, t: datetime) -> None:
    for show in scenario.shows:
        st = _times(show)
        if not (st.lead <= t < st.tail):
            continue
        if zone.hall is not None and show.hall is not None and zone.kind != "public" and (
                zone.hall != show.hall):
            continue  # a site's show fills its own hall (its audience crowds the foyers)
        if zone.kind == "auditorium":
            seated, walking = _audience(show, st, t)
            loads.add_people(seated, SEATED)
            loads.add_people(walking, WALKING)
            lit = show.house_lights or not (show.curtain <= t < show.end)
            if show.doors_open <= t < st.egress:
                loads.add_heat(HOUSE_LIGHTS_W if lit else DARK_HOUSE_W, 0.5)
        elif zone.kind == "stage":
            if st.crew_from <= t < st.crew_to:
                loads.add_people(zone.occupants_max, STAGE_CREW)
                loads.add_heat(MACHINERY_W * 0.3)
            share = _stage_light_share(show, st, t)
            loads.add_heat(STAGE_LIGHTING_W * LIGHT_TO_ZONE * share, LIGHT_RADIANT)
        elif zone.kind == "pit" and show.live_orchestra and (
                st.pit_from <= t < show.end):
            loads.add_people(zone.occupants_max, MUSICIAN)
            loads.add_heat(STAND_LIGHTS_W)
        elif zone.kind == "public" and show.hall in zone.crowd_halls:
            loads.add_people(zone.crowd_share(show.hall) * foyer_people(
                show.attendance, show.doors_open, show.curtain, st.middle, st.middle_end,
                show.end, st.egress, _arrived(show, st, t), t), WALKING)
    if zone.kind == "stage":
        for period in scenario.get_ins:
            if period.holds(t) and (None in (period.hall, zone.hall) or period.hall == zone.hall):
                loads.add_people(GET_IN_CREW, STAGE_CREW)
                loads.add_heat(MACHINERY_W)
                loads.add_heat(STAGE_LIGHTING_W * LIGHT_TO_ZONE * WORK_LIGHT, LIGHT_RADIANT)
    for tour in scenario.tours:
        if zone.name in tour.route and tour.start <= t < tour.end:
            leg = (tour.end - tour.start) / len(tour.route)
            k = tour.route.index(zone.name)
            if tour.start + k * leg <= t < tour.start + (k + 1) * leg:
                loads.add_people(tour.group, WALKING)


def loading_door_open(scenario: Scenario, t: datetime) -> bool:
    return any(p.holds(t) for p in (*scenario.get_ins, *scenario.doors_open))


# --- the scenario indexed by time -----------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
NEVER = 1 << 62


def utc_us(t: datetime) -> int:
    """An aware instant as whole microseconds since the epoch: exact, and ordered as UTC."""
    return (t - _EPOCH) // _US

class Activity:
    """The scenario indexed by time: the shows, get-ins, tours and doors that can act at an
    instant, and how long the hall stays without any.

    Each entry's window (a show's from an hour before its doors to its egress and interval
    after its end; a get-in's, a tour's or a door's own) is placed on the UTC time line, and
    the line cut at every window's ends; each piece keeps the entries whose window covers it,
    as a `Scenario` of its own, in the scenario's order. `zone_loads` and `loading_door_open`
    on that piece then give exactly what they give on the whole scenario: the entries left out
    cannot act at the instant.

    Python compares two datetimes of the same `tzinfo` object by their wall clocks, and others
    in UTC; the two orders differ only by the instants' UTC offsets. So an instant also takes
    the pieces within the spread of the offsets of its own and of the window ends that share
    its `tzinfo` (none in a zone without daylight saving, or if none shares it).
    """

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        windows: list[tuple[datetime, datetime, int, int]] = []  # start, end, kind, index
        for i, s in enumerate(scenario.shows):
            windows.append((s.doors_open - SHOW_LEAD, s.end + SHOW_TAIL, 0, i))
        for i, p in enumerate(scenario.get_ins):
            windows.append((p.start, p.end, 1, i))
        for i, tour in enumerate(scenario.tours):
            windows.append((tour.start, tour.end, 2, i))
        for i, p in enumerate(scenario.doors_open):
            windows.append((p.start, p.end, 3, i))
        # per tzinfo object of the window ends: it, and the least and greatest UTC offset
        self._offsets: dict[int, tuple[tzinfo | None, int, int]] = {}
        for w in windows:
            for d in w[:2]:
                off = d.utcoffset() // _US  # type: ignore[operator]
                _, low, high = self._offsets.get(id(d.tzinfo), (d.tzinfo, off, off))
                self._offsets[id(d.tzinfo)] = (d.tzinfo, min(low, off), max(high, off))
        # a window as [lo, hi) in UTC, at least 1 µs long; a reversed one as the span between
        # its ends (it acts nowhere, or by wall clock around a daylight-saving change only,
        # within the offsets' spread of its ends)
        spans = []
        for start, end, kind, i in windows:
            a, b = utc_us(start), utc_us(end)
            lo, hi = min(a, b), max(a, b)
            spans.append((lo, max(hi, lo + 1), kind, i))
        self._points = sorted({x for lo, hi, _, _ in spans for x in (lo, hi)})
        opening: dict[int, list[tuple[int, int]]] = {}
        closing: dict[int, list[tuple[int, int]]] = {}
        for lo, hi, kind, i in spans:
            opening.setdefault(lo, []).append((kind, i))
            closing.setdefault(hi, []).append((kind, i))
        active: set[tuple[int, int]] = set()
        keys: list[tuple[tuple[int, int], ...]] = [()]  # piece k: [points[k-1], points[k])
        for x in self._points:
            active.difference_update(closing.get(x, ()))
            active.update(opening.get(x, ()))
            keys.append(tuple(sorted(active)))
        self._pieces = [self._sub(key) for key in keys]
        self._memo: dict[tuple[tuple[int, int], ...], Scenario] = {}
        # see `at`: a time zone and UTC offset, a piece's ends as wall clocks, and the piece
        self._last: tuple[object, timedelta, datetime, datetime, Scenario] = (
            _NO_ZONE, timedelta(0), _EPOCH, _EPOCH, _NOTHING)
        # the time zones of every instant of the scenario (see `comparable`), by id: the
        # scenario holds them, so no other live object has one of these ids
        self._zones = {id(d.tzinfo) for d in _instants(scenario)}
        # the first busy piece at or after each piece (len(keys) if none)
        self._next_busy = [len(keys)] * (len(keys) + 1)
        for k in range(len(keys) - 1, -1, -1):
            self._next_busy[k] = k if keys[k] else self._next_busy[k + 1]
        self._keys = keys

    def _sub(self, key: tuple[tuple[int, int], ...]) -> Scenario:
        if not key:
            return _NOTHING
        sc = self.scenario
        shows: list[Show] = []
        get_ins: list[Period] = []
        tours: list[Tour] = []
        doors: list[Period] = []
        for kind, i in key:
            if kind == 0:
                shows.append(sc.shows[i])
            elif kind == 1:
                get_ins.append(sc.get_ins[i])
            elif kind == 2:
                tours.append(sc.tours[i])
            else:
                doors.append(sc.doors_open[i])
        return Scenario(tuple(shows), tuple(tours), tuple(get_ins), tuple(doors))

    def _slack(self, t: datetime) -> int:
        same = self._offsets.get(id(t.tzinfo))
        if same is None or same[0] is not t.tzinfo:
            return 0  # every comparison with `t` is in UTC
        own = t.utcoffset() // _US  # type: ignore[operator]
        return max(same[2], own) - min(same[1], own)

    def at(self, t: datetime) -> Scenario:
        """The part of the scenario that can act at `t` (in the scenario's order).

        The last piece found for an instant of a time zone no window end has (no slack) is
        kept with its ends: the next instant of that zone within them takes it without a
        search, the simulator asking once a minute. The ends are kept as wall clocks at the
        UTC offset of the instant that found it: an instant at that offset is inside them
        by UTC exactly when its wall clock is (Python compares instants of one tzinfo by
        wall clock), which needs no conversion to UTC (`utc_us` was most of a minute's
        call)."""
        zone, offset, since, until, piece = self._last
        if t.tzinfo is zone and since <= t < until and t.utcoffset() == offset:
            return piece
        u = utc_us(t)
        slack = self._slack(t)
        first = bisect_right(self._points, u - slack)
        last = bisect_right(self._points, u + slack) if slack else first
        if first == last:
            piece = self._pieces[first]
            same = self._offsets.get(id(t.tzinfo))
            if same is None or same[0] is not t.tzinfo:
                points = self._points
                offset = t.utcoffset()
                assert offset is not None  # aware
                self._last = (t.tzinfo, offset,
                              _wall(points[first - 1] if first else -NEVER, offset, t.tzinfo),
                              _wall(points[first] if first < len(points) else NEVER, offset,
                                    t.tzinfo), piece)
            return piece
        key = tuple(sorted({e for k in range(first, last + 1) for e in self._keys[k]}))
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = self._sub(key)
        return hit

    def comparable(self, t: datetime) -> datetime:
        """`t`, or `t` in UTC if no instant of the scenario has its `tzinfo`: every comparison
        and difference with `t` is then in UTC, as it is with `t` in UTC, with no UTC offset
        to look up for each (the calendar's instants are in UTC, the simulation's clock in
        local time: `zone_loads` is some five times faster so). The answer is the same."""
        return t if id(t.tzinfo) in self._zones else t.astimezone(UTC)

    def idle_until(self, t: datetime) -> int | None:
        """None if anything can act at `t`; else the instant, in UTC microseconds (see
        `utc_us`), before which nothing can act at any instant of `t`'s UTC offset (`NEVER`:
        nothing ever will)."""
        u, slack = utc_us(t), self._slack(t)
        busy = self._next_busy[bisect_right(self._points, u - slack)]
        if busy == len(self._keys):
            return NEVER
        limit = self._points[busy - 1] - slack
        return limit if limit > u else None


def _wall(u: int, offset: timedelta, tz: tzinfo | None) -> datetime:
    """The instant `u` (UTC microseconds) as a wall clock at `offset`, with `tz`; beyond
    datetime's range (as ±`NEVER`), its first or last instant."""
    try:
        return (_EPOCH + (u * _US + offset)).replace(tzinfo=tz)
    except OverflowError:
        if u > 0:
            return datetime.max.replace(tzinfo=tz)
        return datetime.min.replace(tzinfo=tz)


def _instants(scenario: Scenario) -> list[datetime]:
    """Every instant the scenario gives, from which the load functions take theirs."""
    out = [d for s in scenario.shows for d in (s.doors_open, s.curtain, s.end)]
    out += [d for t in scenario.tours for d in (t.start, t.end)]
    out += [d for p in (*scenario.get_ins, *scenario.doors_open) for d in (p.start, p.end)]
    return out


_NOTHING = Scenario()
_NO_ZONE = object()  # no instant's time zone
