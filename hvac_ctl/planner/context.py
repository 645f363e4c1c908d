"""What every sequence reads: the configuration, what is known, and the caller's cache.

A `Context` is built once per plan (`plan_at`, `plan_day`) and only read. The configuration
is never written to: answers worth keeping from one call to the next (the CO2 search of an
outdoor-air opening, the season and the events of a day) go into a `PlanCache` that the
caller owns and passes in — the service and the evaluation keep one per configuration, a
preview none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, TypeVar

from hvac_ctl.model import Config
from hvac_ctl.model.calendar import Event, ShowEvent
from hvac_ctl.model.seasons import Season
from hvac_ctl.model.venue import Occupancy, UnitKind, Venue
from hvac_ctl.planner.inputs import HeldMode, OccupancyPush, PlanInputs, ZoneMeasurement
from hvac_ctl.planner.occupancy import acted_count
from hvac_ctl.planner.outputs import UnitPoints, ZoneState, frozen_units
from hvac_ctl.planner.unit_points import Drive, points_of

T = TypeVar("T")
_MISSING = object()  # not None: None is an answer worth keeping (no opening, no show)


class PlanCache:
    """Answers of pure functions of one configuration and plain values, kept between plans
    (a tick asks the same questions every minute). Bounded, since the keys carry instants;
    bound to its configuration, so a new one starts empty."""

    MAX_ENTRIES = 20_000

    def __init__(self, config: Config) -> None:
        self.config = config
        self._memo: dict[tuple[Any, ...], Any] = {}

    def remember(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        # one lookup on a hit (a key holding dataclasses hashes in Python each time): the
        # plan of a day asks tens of thousands of times
        found = self._memo.get(key, _MISSING)
        if found is _MISSING:
            found = compute()
            self.keep(key, found)
        return found  # type: ignore[no-any-return]  # stored by this key's compute

    def recall(self, key: tuple[Any, ...]) -> Any:
        """What is kept under `key`, or None: for answers kept in parts (`day_shapes`), where
        one computation yields several."""
        return self._memo.get(key)

    def keep(self, key: tuple[Any, ...], value: Any) -> None:
        """Keep `value` under `key`; a full cache starts again empty."""
        if len(self._memo) >= self.MAX_ENTRIES:
            self._memo.clear()
        self._memo[key] = value


@dataclass(frozen=True)
class Context:
    config: Config
    inputs: PlanInputs
    cache: PlanCache
    pushes: Mapping[str, tuple[OccupancyPush, ...]] = field(init=False)
    # read by every sequence at every instant: looked up once per plan (`tz` would otherwise
    # be a new zone lookup each time)
    venue: Venue = field(init=False)
    tz: tzinfo = field(init=False)
    occ: Occupancy = field(init=False)

    def __post_init__(self) -> None:
        if self.cache.config is not self.config:
            raise ValueError("a PlanCache serves the configuration it was made for")
        by_event: dict[str, list[OccupancyPush]] = {}
        for p in self.inputs.occupancy:
            by_event.setdefault(p.event_id, []).append(p)
        object.__setattr__(self, "pushes", {e: tuple(ps) for e, ps in by_event.items()})
        object.__setattr__(self, "venue", self.config.venue)
        object.__setattr__(self, "tz", self.config.venue.venue.tz)
        object.__setattr__(self, "occ", self.config.venue.venue.occupancy)

    def events_on(self, day: date) -> tuple[Event, ...]:
        """The calendar's events of a local day; a tick asks for the same few days each time."""
        return self.cache.remember(("events", day),
                                   lambda: tuple(self.config.calendar.events_on(day, self.tz)))

    def events_between(self, first: date, last: date) -> list[Event]:
        out: list[Event] = []
        while first <= last:
            out.extend(self.events_on(first))
            first += timedelta(days=1)
        return out

    def season_name(self, day: date) -> str:
        outdoor = self.inputs.outdoor_temp_c
        return self.cache.remember(("season", day, outdoor),
                                   lambda: self.config.seasons.name_for(day, outdoor))

    def season(self, name: str) -> Season:
        return self.config.seasons.seasons[name]

    def season_on(self, day: date) -> tuple[str, Season]:
        name = self.season_name(day)
        return name, self.season(name)

    def expected(self, e: ShowEvent) -> int:
        """Expected attendance, or the count already acted on before doors open.

        Only counts from before doors open: from then on a count is of people through the
        doors so far, not of the audience to come (a push of 0 at doors open is not a
        cancelled show)."""
        before = [p for p in self.pushes.get(e.id, ()) if p.at < e.doors_open]
        count, _ = acted_count(before, e.expected_attendance, self.occ.readjust_threshold,
                               e.doors_open)
        return count

    def acted(self, e: ShowEvent, at: datetime) -> tuple[int, datetime | None]:
        """The count acted on at `at` under the 15 % rule, and when."""
        return acted_count(self.pushes.get(e.id, ()), e.expected_attendance,
                           self.occ.readjust_threshold, at)

    def measured(self, zone: str, at: datetime) -> ZoneMeasurement | None:
        """The zone's measurement if it is from `at` or before (a preview of later instants
        uses the latest one; one from the future is not known yet)."""
        m = self.inputs.measurements.get(zone)
        return m if m is not None and m.at <= at and m.temp_c is not None else None

    def held(self, zone: str, phase: str) -> HeldMode | None:
        """The mode a zone holds in this phase (see `modes`: a new phase starts afresh)."""
        held = self.inputs.modes.get(zone)
        return held if held is not None and held.phase in (None, phase) else None

    def outdoor_c(self) -> float | None:
        """The outdoor air at the intakes; in a preview, the day's temperature if given."""
        if self.inputs.outdoor_air_c is not None:
            return self.inputs.outdoor_air_c
        return self.inputs.outdoor_temp_c

    def unit_points(self, zone: str, state: ZoneState, drive: Drive) -> UnitPoints:
        """The zone's units' points for its decision, read-only. Kept: they depend on the
        zone's mode, setpoint and outdoor air and its drive alone, and the instants of a day
        (and the ticks of a season) ask for the same few hundred answers tens of thousands
        of times."""
        key = ("units", zone, state.mode, state.setpoint_c, state.oa_lps, drive)
        return self.cache.remember(key, lambda: frozen_units(points_of(
            self.venue, zone, state.mode, state.setpoint_c, state.oa_lps, drive)))

    def ahus_of(self, zone: str) -> list[str]:
        return [u for u in self.venue.units_of(zone) if self.venue.units[u].kind == UnitKind.ahu]
