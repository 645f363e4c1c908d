"""The service's PushIndex gives the planner the same counts as every push read back would.

Against a real store on each engine (SQLite and PostgreSQL): pushes arrive in order, out of
order, for several shows, across the two-day horizon, and behind the index's back (a row
below the last id read); at every
instant `acted_count` over what the index gives equals `acted_count` over all the store's
pushes from the horizon on, as `Runtime.inputs` computed it before the index.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hvac_ctl.planner import OccupancyPush, acted_count
from hvac_ctl.service.pushes import PushIndex
from hvac_ctl.store import Store
from hvac_ctl.store.models import PushRow

T0 = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)
RULES = {"a": (2100, 0.15), "b": (900, 0.15)}  # "c" is no show of the calendar
HORIZON = timedelta(days=2)


def store(url: str) -> Store:
    s = Store(url)
    s.migrate()
    return s


def same_counts(s: Store, index: PushIndex, now: datetime) -> None:
    """acted_count agrees at every push's instant and between them, for every show."""
    since = now - HORIZON
    given = index.pushes(since)
    every = [OccupancyPush(r.event_id, r.count, r.at) for r in s.pushes(since=since)]
    instants = sorted({p.at for p in every} | {since, now})
    for event, (expected, threshold) in RULES.items():
        mine = [p for p in given if p.event_id == event]
        theirs = [p for p in every if p.event_id == event]
        assert len(mine) <= len(theirs)
        for t in [*instants, *(a + (b - a) / 2 for a, b in pairwise(instants))]:
            assert acted_count(mine, expected, threshold, t) == acted_count(
                theirs, expected, threshold, t), (event, t)
    # a push for an event the calendar does not know is given as it is
    assert sorted((p.at, p.count) for p in given if p.event_id == "c") == sorted(
        (p.at, p.count) for p in every if p.event_id == "c")


def test_in_order_out_of_order_and_several_shows(store_url: str) -> None:
    s = store(store_url)
    index = PushIndex(s, RULES.get)
    rng = random.Random(7)
    now = T0
    counts = {"a": 0, "b": 0, "c": 0}
    for i in range(400):
        now += timedelta(seconds=rng.uniform(0.5, 20))
        event = rng.choice("aabc")
        late = rng.random() < 0.1  # an older reading arriving late
        at = now - timedelta(minutes=rng.uniform(1, 60)) if late else now
        # people coming in, now and then a recount far off
        jump = rng.random() < 0.05
        counts[event] = rng.randint(0, 2400) if jump else min(
            2400, max(0, counts[event] + rng.randint(-5, 30)))
        s.add_push(event, counts[event], at, "box", None, now)
        index.pushes(now - HORIZON)
        # what a push's answer compares with: the count without it, exactly
        if event in RULES:
            others = [OccupancyPush(r.event_id, r.count, r.at) for r in s.pushes([event])
                      if r.at != at]
            expected, threshold = RULES[event]
            assert index.acted_without(event, at, counts[event], now) == acted_count(
                others, expected, threshold, now)[0], i
        if i % 7 == 0:
            same_counts(s, index, now)
    same_counts(s, index, now)
    # the fold was cut down: far fewer pushes than stored for the shows
    given = index.pushes(now - HORIZON)
    assert len([p for p in given if p.event_id != "c"]) < len(
        [r for r in s.pushes() if r.event_id != "c"]) / 2


def test_the_horizon_and_a_row_written_behind_its_back(store_url: str) -> None:
    s = store(store_url)
    index = PushIndex(s, RULES.get)
    for k in range(50):  # a show's evening, then two days and a half later another
        s.add_push("a", 100 + 40 * k, T0 + timedelta(minutes=k), "box", None, T0)
    same_counts(s, index, T0 + timedelta(hours=1))
    later = T0 + timedelta(days=2, minutes=25)  # the horizon cuts through the evening
    same_counts(s, index, later)
    same_counts(s, index, T0 + timedelta(days=3))  # all of it past the horizon
    # another instance commits a row below the last id read: the index reads all again
    with s.sessions() as session:
        top = max(r.id for r in s.pushes())
        session.add(PushRow(id=top + 5, event_id="b", count=10, at=T0 + timedelta(days=3),
                            received_at=T0, actor="box"))
        session.commit()
    now = T0 + timedelta(days=3, minutes=5)
    same_counts(s, index, now)
    with s.sessions() as session:
        session.add(PushRow(id=top + 2, event_id="b", count=800, at=now, received_at=now,
                            actor="other instance"))
        session.commit()
    assert [p.count for p in index.pushes(now - HORIZON) if p.event_id == "b"] == [10, 800]
    same_counts(s, index, now)


def test_requests_finishing_in_any_order_and_a_new_expected_attendance(store_url: str) -> None:
    """Pushes in flight together are stored a little out of order; the calendar changes."""
    s = store(store_url)
    rules = dict(RULES)
    index = PushIndex(s, rules.get)
    rng = random.Random(11)
    stored: set[datetime] = set()
    now = T0
    for i in range(150):
        now += timedelta(milliseconds=5)
        at = now - timedelta(milliseconds=rng.choice([0, 0, 5, 10, 15]))
        if at not in stored:
            stored.add(at)
            s.add_push("a", min(2400, 10 + 15 * i + rng.randint(-40, 40)), at, "box", None,
                       now)
        if i == 100:  # the show's expected attendance edited: every count folded again
            rules["a"] = (1200, 0.15)
        given = index.pushes(now - HORIZON)
        every = [OccupancyPush(r.event_id, r.count, r.at) for r in s.pushes()]
        expected, threshold = rules["a"]
        for p in every:
            assert acted_count(given, expected, threshold, p.at) == acted_count(
                every, expected, threshold, p.at), (i, p)


class Counting(Store):
    """A store that counts the index's reads of every push (`pushes_after(0, since)`; a
    window's read gives no `since`)."""

    full_reads = 0

    def pushes_after(self, after_id: int, since: datetime | None = None) -> list[PushRow]:
        if after_id == 0 and since is not None:
            self.full_reads += 1
        return super().pushes_after(after_id, since)


def test_rows_committed_out_of_id_order_are_read_from_a_window_not_all_again(
        store_url: str) -> None:
    """Concurrent transactions commit out of id order (PostgreSQL's every burst): a row that
    lands below the last id read is taken in from the recent window; everything is read
    again only once, at the start."""
    s = Counting(store_url)
    s.migrate()
    index = PushIndex(s, RULES.get)
    now = T0 + timedelta(hours=1)
    ids = iter(range(1, 1000))
    held: list[tuple[int, int]] = []
    for k in range(60):
        i = next(ids)
        if k % 3 == 1:  # one in three commits late: after the next ones were read
            held.append((i, k))
            continue
        with s.sessions() as session:
            session.add(PushRow(id=i, event_id="a", count=100 + 30 * k,
                                at=T0 + timedelta(minutes=k), received_at=T0, actor="box"))
            session.commit()
        if held and k % 3 == 2:
            j, kk = held.pop()
            same_counts(s, index, now)
            with s.sessions() as session:
                session.add(PushRow(id=j, event_id="a", count=100 + 30 * kk,
                                    at=T0 + timedelta(minutes=kk), received_at=T0,
                                    actor="box"))
                session.commit()
        same_counts(s, index, now)
    assert s.full_reads == 1  # the first read; every late row came from the window
