"""A push that moves the count acted on: planned once, answered, and on the units at once.

A box office expects its count acted on at once, and its answer should not wait for the
units. So a push that re-adjusts is planned once, at the instant it is acted on, and that one
plan both answers the box office and is what the tick it starts writes: the planner is pure,
and planning the same instant again on the same inputs in the tick would only repeat it. The
tick it starts reads nothing from the store first: the push handler has just brought the
pushes in memory up to date (taking its own push in as stored, or reading what is new), and
this process's overrides are known as they are made; the periodic ticks read the store as
before, which brings in what another process wrote.

A burst: one tick waiting for its turn serves every push that arrives before it begins, with
the newest plan (each push replaces the one before), so a burst costs one tick after the
running one, not a tick each. A push that moves nothing starts no tick, and its answer is
planned once per show, count acted on, minute and tick.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from hvac_ctl.model import Config
from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.model.venue import ZoneKind
from hvac_ctl.planner import PlanState, plan_at
from hvac_ctl.planner.outputs import ZoneState

if TYPE_CHECKING:
    from hvac_ctl.service.runtime import Runtime

Answer = tuple[str, ZoneState, dict[str, dict[str, Any]]]
# a plan handed to the push's tick is used if that tick begins within this much of the
# service's time after it was made; a tick kept waiting longer (behind a slow one) plans anew
PLANNED_FOR = timedelta(seconds=5)


@dataclass(frozen=True)
class Planned:
    config: Config
    at: datetime
    state: PlanState


class PushTicks:
    def __init__(self, rt: Runtime, tick: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        self.rt = rt
        self._tick = tick  # the runtime's tick, run as the push's tick
        self._wanted: asyncio.Task[Any] | None = None  # the push's tick, not yet begun
        self._background: set[asyncio.Task[Any]] = set()
        self._turn = asyncio.Lock()
        self._planned: Planned | None = None
        self._answers: dict[tuple[Any, ...], Answer] = {}

    async def turn(self) -> None:
        """Wait for this push's turn: one push's work per pass of the event loop, so that a
        burst of pushes in flight together does not hold the tick and the poller for all of
        them at once; the tick waits for one push at most."""
        await self._turn.acquire()
        asyncio.get_running_loop().call_soon(self._turn.release)  # at the next pass

    def act(self, show: ShowEvent, acted: int, at: datetime, readjusted: bool) -> Answer:
        """The auditorium's targets at `at` with `acted` people acted on; when the push
        re-adjusted, the units are sent the same plan at once (not awaited)."""
        rt = self.rt
        now = rt.clock.now()
        if readjusted:
            state = plan_at(rt.config, now, rt.inputs(now), rt.loop.plans)
            self._planned = Planned(rt.config, now, state)
            self._soon()
            if at <= now:
                return self._answer(state)
        key = (show.id, acted, at.replace(second=0, microsecond=0), rt.loop.ticks,
               id(rt.config))
        found = self._answers.get(key)
        if found is None:
            found = self._answer(plan_at(rt.config, at, rt.inputs(now), rt.loop.plans))
            if len(self._answers) > 64:
                self._answers.clear()
            self._answers[key] = found
        return found

    def _answer(self, state: PlanState) -> Answer:
        config = self.rt.config
        zone = next(z for z, spec in config.venue.zones.items()
                    if spec.kind == ZoneKind.auditorium)
        return (zone, state.zones[zone],
                {u: dict(state.units[u]) for u in config.venue.units_of(zone)})

    def begin(self) -> PlanState | None:
        """Called by a tick as it begins, holding the tick lock: the push's plan when this is
        the push's tick and the plan is still for the running configuration and recent; else
        None (the tick reads the store and plans as every tick does)."""
        if asyncio.current_task() is not self._wanted or self._wanted is None:
            return None
        self._wanted = None
        planned, self._planned = self._planned, None
        if planned is None or planned.config is not self.rt.config or (
                self.rt.clock.now() - planned.at > PLANNED_FOR):
            return None
        return planned.state

    def _soon(self) -> None:
        if self._wanted is not None:  # waiting: it will take the newest plan when it begins
            return
        task = asyncio.get_running_loop().create_task(self._tick())
        self._wanted = task
        self._background.add(task)  # the event loop keeps only a weak reference to a task
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if task is self._wanted:  # cancelled before it began: the next push asks again
            self._wanted = None

    @property
    def pending(self) -> int:
        """The push's ticks not finished: one running and one waiting, at most. Counted by
        `done()`, not by membership: a task leaves `_background` in its done callback, one
        pass of the event loop after it finished, and in that pass the next tick may already
        have begun and a push asked for another (CI once saw 3 for that instant)."""
        return sum(not t.done() for t in self._background)

    @property
    def busy(self) -> bool:
        return self._wanted is not None or bool(self._background)
