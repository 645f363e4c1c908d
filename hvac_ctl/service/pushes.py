"""The occupancy pushes the planner is given: read from the store once, then only the new rows,
and each show's folded down to the pushes that moved its count.

Why: reading every push of the last two days back from the store as ORM rows for every tick
and every push's answer, folding all of them several times per plan and taking each as a
breakpoint of the day's timeline, costs about 0.3 s a request at 12,000 rows — what a box
office pushing 200 a second for a minute (bench/load) makes — so the service would fall
further behind with every push: its requests, its ticks and its device reads all wait on one
event loop.

What the planner computes does not change. A count is acted on by the 15 % rule folded over a
show's pushes in the order of their own time (`acted_count`). A push that did not move the
count in the fold over all of them does not move it in the fold over any prefix either (the
fold before it is the same), so `acted_count` over only the pushes that moved it gives the same
count, acted on at the same time, at every instant. The day's timeline just loses breakpoints
at pushes that changed nothing.

The store stays the truth: each call reads the rows added since the last (by id). When the
number of rows up to the last id read has changed, a row was committed out of id order —
which concurrent transactions on PostgreSQL do all the time (ids are drawn at insert, commits
land in any order), and another instance too — or rows went: if the difference lies within
the last `LOOKBACK` ids, that window is read again and the rows not yet taken in are added;
otherwise everything is read again. A push that arrives in order extends
its show's fold; one out of order (an older reading, late) folds again from where it sorts.
"""

from __future__ import annotations

import bisect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hvac_ctl.planner import OccupancyPush, should_readjust
from hvac_ctl.store import Store
from hvac_ctl.store.models import PushRow

Rule = tuple[int, float]  # a show's expected attendance and the re-adjustment threshold
# rows committed out of id order by requests in flight together lie this close to the last
# id read (32 in flight: a few dozen); past it, everything is read again. Small: a window is
# read as rows at every push that finds one late
LOOKBACK = 128


@dataclass
class _Show:
    """One show's pushes in acted_count's order, with the count acted on after each.

    A push that arrives in order extends the fold; one that arrives a little out of order
    (requests in flight together finish in any order) folds again from where it sorts, not
    from the start.
    """

    event: str
    rows: list[tuple[datetime, int]] = field(default_factory=list)  # (at, count), sorted
    acted: list[int] = field(default_factory=list)  # the count acted on after rows[i]
    folded: int = 0  # rows[:folded] are folded with `rule`
    rule: Rule | None = None
    moved: list[OccupancyPush] = field(default_factory=list)  # the rows that moved the count
    moved_keys: list[tuple[datetime, int]] = field(default_factory=list)

    def add(self, at: datetime, count: int) -> None:
        k = bisect.bisect_right(self.rows, (at, count))
        self.rows.insert(k, (at, count))
        self.acted.insert(k, 0)
        self.folded = min(self.folded, k)

    def drop_before(self, since: datetime) -> None:
        cut = bisect.bisect_left(self.rows, (since,))
        if cut:  # the fold starts again from the expected attendance
            del self.rows[:cut], self.acted[:cut]
            self.folded = 0

    def fold(self, rule: Rule) -> list[OccupancyPush]:
        """The pushes that move the count acted on, as acted_count folds them with `rule`."""
        if rule != self.rule:
            self.rule, self.folded = rule, 0
        if self.folded < len(self.rows):
            k = bisect.bisect_left(self.moved_keys, self.rows[self.folded]) if self.folded else 0
            del self.moved[k:], self.moved_keys[k:]
            expected, threshold = rule
            acted = self.acted[self.folded - 1] if self.folded else expected
            for i in range(self.folded, len(self.rows)):
                at, count = self.rows[i]
                if should_readjust(acted, count, threshold):
                    acted = count
                    self.moved.append(OccupancyPush(self.event, count, at))
                    self.moved_keys.append((at, count))
                self.acted[i] = acted
            self.folded = len(self.rows)
        return self.moved


class PushIndex:
    def __init__(self, store: Store, rule: Callable[[str], Rule | None]) -> None:
        self.store = store
        self.rule = rule  # None: not a show of the calendar (then all its pushes are given)
        self._shows: dict[str, _Show] = {}
        self._loaded = False
        self._last_id = 0  # read up to this id
        self._known = 0  # rows with an id up to _last_id when they were read
        self._ids: set[int] = set()  # the ids taken in, within LOOKBACK of the last id

    def pushes(self, since: datetime, sync: bool = True) -> list[OccupancyPush]:
        """What the planner needs of the pushes counted from `since` on. `sync=False`: as
        held, without a store call (the service's tick calls `refresh` first, off the event
        loop); `sync=True` reads what is new first, in this thread."""
        if sync or not self._loaded:
            self._apply(self._read(since, self._loaded, self._last_id, self._known,
                                   frozenset(self._ids)))
        out: list[OccupancyPush] = []
        for event in list(self._shows):
            show = self._shows[event]
            show.drop_before(since)  # older than the horizon: never asked for again
            if not show.rows:
                del self._shows[event]
                continue
            rule = self.rule(event)
            if rule is None:
                out += (OccupancyPush(event, count, at) for at, count in show.rows)
            else:
                out += show.fold(rule)
        return out

    async def refresh(self, since: datetime, db: Callable[..., Awaitable[Any]]) -> None:
        """Read what is new through `db` (a store thread), then take it in here: the event
        loop only ever holds the index, never a store call."""
        last_id = self._last_id
        read = await db(self._read, since, self._loaded, last_id, self._known,
                        frozenset(self._ids))
        if self._last_id != last_id:  # `stored` took a push in meanwhile: read all next time
            self._loaded = False
            return
        self._apply(read)

    def acted_without(self, event: str, at: datetime, count: int, until: datetime
                      ) -> int | None:
        """The count acted on at `until` had the push (at, count) not been made, as acted_count
        over all the show's other pushes: a push's answer says whether it re-adjusted, which
        the folded-down pushes cannot tell when it arrived out of order. None when the push is
        not held (not a show of the calendar, or older than the horizon of the last call)."""
        show, rule = self._shows.get(event), self.rule(event)
        if show is None or rule is None:
            return None
        show.fold(rule)
        k = bisect.bisect_left(show.rows, (at, count))
        if k == len(show.rows) or show.rows[k] != (at, count):
            return None
        expected, threshold = rule
        acted = show.acted[k - 1] if k else expected
        if until < at:  # not counted yet at `until`: the fold up to it, with or without
            j = bisect.bisect_right(show.rows, (until, float("inf")))
            return show.acted[j - 1] if j else expected
        for a, c in show.rows[k + 1:]:  # from the pushes after it, most often none
            if a > until:
                break
            if should_readjust(acted, c, threshold):
                acted = c
        return acted

    def stored(self, row_id: int, event: str, at: datetime, count: int) -> bool:
        """A push this process just stored: taken in without reading the store back when it
        is the next row by id (nothing stored in between by anyone else). False: not taken,
        the next call with `sync` reads what is new as usual."""
        if self._loaded and row_id == self._last_id + 1:
            self._shows.setdefault(event, _Show(event)).add(at, count)
            self._last_id, self._known = row_id, self._known + 1
            self._ids.add(row_id)
            return True
        return False

    def _read(self, since: datetime, loaded: bool, last_id: int, known: int,
              seen: frozenset[int]) -> _Read:
        """The store's new rows after `last_id`; when rows appeared below it, those of the
        last `LOOKBACK` ids not `seen` yet, if that accounts for them; else all of them
        (from `since`). Only reads: runs in any thread."""
        if loaded:
            up_to = self.store.pushes_up_to(last_id)[0]
            if up_to == known:
                return _Read(False, self.store.pushes_after(last_id), known, last_id)
            floor = max(0, last_id - LOOKBACK)
            known_below = known - sum(1 for i in seen if floor < i <= last_id)
            if up_to > known and self.store.pushes_up_to(floor)[0] == known_below:
                fresh = [r for r in self.store.pushes_after(floor) if r.id not in seen]
                return _Read(False, fresh, known, last_id)
        count, top = self.store.pushes_up_to()
        return _Read(True, self.store.pushes_after(0, since), count, top)

    def _apply(self, read: _Read) -> None:
        if read.full:
            self._loaded = True
            self._shows.clear()
            self._ids.clear()
            self._known, self._last_id = read.known, read.last_id
        else:
            self._known += len(read.rows)
        self._ids.update(r.id for r in read.rows)
        for r in read.rows:
            self._shows.setdefault(r.event_id, _Show(r.event_id)).add(r.at, r.count)
        if read.rows:
            # on a full read, a row stored between the count and the read is read but not
            # counted: the next call sees the difference and reads again
            self._last_id = max(self._last_id, max(r.id for r in read.rows))
        if len(self._ids) > 2 * LOOKBACK:  # what lies below the window is never asked again
            floor = self._last_id - LOOKBACK
            self._ids = {i for i in self._ids if i > floor}


@dataclass(frozen=True)
class _Read:
    full: bool  # everything from `since` (else: the rows after the last id read)
    rows: list[PushRow]
    known: int
    last_id: int
