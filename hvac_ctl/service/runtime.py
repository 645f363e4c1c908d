"""The running service: configuration, drivers, poller, control loop, alarms, store and jobs.

One event loop runs control: the tick (plan → safety gate → writes), the poller, and the
requests. Nothing on it waits for the store. What the service records goes to the
write-behind queue (`store.writer`); what it must read — the open overrides, new occupancy
pushes — is read by a store thread before a tick and kept in memory, so a locked store leaves
the tick planning on what it last knew; a request's own store call runs in a store thread and
answers 503 with Retry-After when the store does not take it in time.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, TypeVar

from drivers.base import Driver, State
from hvac_ctl.application.errors import StoreBusy
from hvac_ctl.application.tokens import TokenCache
from hvac_ctl.clock import Clock
from hvac_ctl.control import ControlLoop, Poller, Sample, TickReport, WriteRecord
from hvac_ctl.control.alarms import Alarm
from hvac_ctl.control.learning import RecoveryLearner
from hvac_ctl.control.load_learning import LoadLearner
from hvac_ctl.control.run_tracking import RunTracker
from hvac_ctl.control.tracking import ZoneTracker
from hvac_ctl.devices import wire_drivers
from hvac_ctl.model import Config
from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.model.venue import SENSOR_POINTS
from hvac_ctl.planner import Override, PlanInputs, plan_day
from hvac_ctl.planner.occupancy import PUSH_HORIZON
from hvac_ctl.service.alarm_keeping import AlarmKeeper
from hvac_ctl.service.config_watch import ConfigWatch, Removal
from hvac_ctl.service.jobs import Jobs
from hvac_ctl.service.leadership import Leadership
from hvac_ctl.service.plan_trends import commanded_modes
from hvac_ctl.service.push_ticks import PushTicks
from hvac_ctl.service.pushes import PushIndex
from hvac_ctl.service.settings import ServiceSettings
from hvac_ctl.store import Store
from hvac_ctl.store.models import OverrideRow
from hvac_ctl.store.store import AuditEntry
from hvac_ctl.store.writer import WriteBehind

log = logging.getLogger(__name__)


T = TypeVar("T")


class QueuedAudit:
    """The control loop's write records, to the write-behind queue as they happen."""

    def __init__(self, writer: WriteBehind) -> None:
        self.writer = writer

    def record(self, e: WriteRecord) -> None:
        self.writer.writes([e])


class Runtime:
    def __init__(self, settings: ServiceSettings, clock: Clock, store: Store,
                 drivers: Mapping[str, Driver] | None = None) -> None:
        self.settings, self.clock, self.store = settings, clock, store
        self.disk = ConfigWatch(settings.config_dir)
        self.config = self.disk.load()
        self.drivers = dict(drivers) if drivers is not None else wire_drivers(
            self.config, settings.drivers)
        self.writer = WriteBehind(store, capacity=settings.write_queue_rows,
                                  on_error=self._threadsafe(self._store_refused),
                                  on_stored=self._threadsafe(self._store_took))
        self.learner = RecoveryLearner(self.config.venue.venue.tz)
        self.tracker = ZoneTracker(self.config)
        self.groups = RunTracker()
        self.loads = LoadLearner()  # the coils' metered loads against the plan's estimate
        self.poller = Poller(self.config, self.drivers, clock, on_sample=self._sample)
        # one of several instances: only the leader writes (`service.leadership`)
        self.leadership = None if settings.instance is None else Leadership(
            store.url, settings.instance)
        self.loop = ControlLoop(self.config, self.drivers, clock, self.inputs,
                                QueuedAudit(self.writer), settings.loop, fence=self.may_write)
        self.keeper = AlarmKeeper(self.writer, settings.alarms)
        self.jobs = Jobs(settings, clock)
        self.tokens = TokenCache(store)
        self._events = self._index_events()
        self.pushes = PushIndex(store, self._push_rule)  # new rows only; see its docstring
        self.open_overrides: list[OverrideRow] = []  # as last read, and as changed here
        self._db = ThreadPoolExecutor(max_workers=4, thread_name_prefix="store")
        self._event_loop: asyncio.AbstractEventLoop | None = None
        self._tick_lock = asyncio.Lock()
        self.push_ticks = PushTicks(self, self.tick)  # a push's plan, answer and tick
        self.writer.start()  # before start(): a runtime driven by hand (tests) writes too

    # --- the store, off the event loop -------------------------------------------------------

    async def db(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A store call in a store thread. StoreBusy if the store refuses it or does not answer
        within `store_wait_s` (nothing was stored: the call is one transaction)."""
        self._event_loop = asyncio.get_running_loop()
        future = self._event_loop.run_in_executor(
            self._db, functools.partial(call, *args, **kwargs))
        try:
            return await asyncio.wait_for(future, self.settings.store_wait_s)
        except TimeoutError:
            self._store_refused(TimeoutError("no answer in time"))
            raise StoreBusy("no answer in time") from None
        except Exception as e:
            if not _store_error(e):
                raise
            self._store_refused(e)
            raise StoreBusy(self.keeper.store_error or "refused") from None

    async def write(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A request's write: as `db`, and a success says the store takes writes again."""
        done = await self.db(call, *args, **kwargs)
        self._store_took(1)
        return done

    def _store_refused(self, e: BaseException) -> None:
        self.keeper.store_refused(e)

    def _store_took(self, _: int) -> None:
        self.keeper.store_took(self.clock.now())

    def _threadsafe(self, f: Callable[..., None]) -> Callable[..., None]:
        """For the writer thread's callbacks: run `f` on the event loop, in order."""
        def call(*args: Any) -> None:
            loop = self._event_loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(f, *args)
        return call

    @property
    def store_error(self) -> str | None:
        return self.keeper.store_error

    # --- configuration -----------------------------------------------------------------------

    def _index_events(self) -> dict[str, ShowEvent]:
        span = self.config.calendar.date_range()
        if span is None:
            return {}
        events = self.config.calendar.events_between(span[0], span[1], self.config.venue.venue.tz)
        return {e.id: e for e in events if isinstance(e, ShowEvent)}

    def show(self, event_id: str) -> ShowEvent | None:
        return self._events.get(event_id)

    def _push_rule(self, event_id: str) -> tuple[int, float] | None:
        """What a show's counts are folded with (read at every call: a calendar can change)."""
        show = self._events.get(event_id)
        return None if show is None else (
            show.expected_attendance, self.config.venue.venue.occupancy.readjust_threshold)

    def adopt(self, config: Config, actor: str, what: str) -> None:
        """A validated configuration replaces the running one, everywhere at once."""
        self.config = config
        self.loop.config = config
        self.poller.config = config
        self.tracker.config = config
        self._events = self._index_events()
        self.writer.audit(AuditEntry(self.clock.now(), actor, "schedule.change", what))
        for r in self.disk.take_fresh():
            self.writer.audit(AuditEntry(r.at, r.who, "schedule.removed", f"show {r.event} "
                                         f"removed by the edit of {', '.join(r.files)}",
                                         old=r.event, new=list(r.files)))
        self.replan()

    @property
    def config_errors(self) -> list[str]:
        return self.disk.errors

    def watch_disk(self) -> None:
        """Files edited on disk are picked up under the same rule as the API: valid or not."""
        config, errors = self.disk.changed()
        if config is not None:
            self.adopt(config, "disk", "files under the configuration folder changed")
        elif errors is not None:
            self.writer.audit(AuditEntry(self.clock.now(), "disk", "schedule.rejected",
                                         "; ".join(errors[:20]), ok=False))

    # --- what the planner knows --------------------------------------------------------------

    def inputs(self, now: datetime) -> PlanInputs:
        """Everything known now, from memory: no store call (see `refresh`)."""
        max_age = self.settings.measurement_max_age
        return PlanInputs(occupancy=self.pushes.pushes(now - PUSH_HORIZON, sync=False),
                          overrides=list(self.overrides),
                          measurements=self.poller.zone_measurements(now, max_age),
                          outdoor_air_c=self.poller.outdoor_air(now, max_age),
                          outdoor_rh_pct=self.poller.outdoor_air(now, max_age, "oa_rh"),
                          groups=self.groups.held(), run_hours=self.groups.run_hours(),
                          chillers=self.groups.chillers(), coil_kw=dict(self.poller.coil_kw),
                          plant_load_ratio=self.loads.ratio,
                          history=self.learner.history(),
                          co2_at_doors=self.learner.co2_at_doors(),
                          modes=self.tracker.held_modes(), deviations=self.tracker.deviations())

    async def refresh(self) -> None:
        """Read the open overrides and the new pushes (in a store thread); on failure the
        last known stand, and the next tick tries again."""
        try:
            self.open_overrides = await self.db(self.store.overrides, open_only=True)
            await self.pushes.refresh(self.clock.now() - PUSH_HORIZON, self.db)
        except StoreBusy:
            return

    @property
    def overrides(self) -> list[Override]:
        return [Override(o.id, o.unit, o.point, o.value, o.start, o.until, o.reason)
                for o in self.open_overrides]

    def override_changed(self, row: OverrideRow) -> None:
        """An override this process created or ended: known at once, before the next read."""
        self.open_overrides = [o for o in self.open_overrides if o.id != row.id] + (
            [row] if row.ended_at is None else [])

    # --- the tick ----------------------------------------------------------------------------

    def may_write(self) -> bool:
        """Ours to write to the devices: the only instance, or the leader within its lease."""
        return self.leadership is None or self.leadership.may_write()

    async def tick(self) -> TickReport:
        self._event_loop = asyncio.get_running_loop()
        async with self._tick_lock:
            planned = self.push_ticks.begin()  # a push's tick: its plan, the pushes in memory
            if planned is None:
                await self.refresh()
            # a leader confirms its epoch in the store before each write cycle; a standby
            # plans only, its view warm for a takeover
            leads = self.leadership is None or await asyncio.to_thread(self.leadership.confirm)
            report = await self.loop.tick(planned, write=leads)
            state = self.loop.last_state
            if state is not None:
                now = self.clock.now()
                self.writer.trends(  # trends of the plan too
                    row for zone, zs in state.zones.items()
                    for row in ((f"zone:{zone}", "target_c", now, zs.setpoint_c, True),
                                (f"zone:{zone}", "people", now, float(zs.people), True)))
                self.writer.trends(commanded_modes(self.config, state, now))
                measured = self.poller.zone_measurements(now, self.settings.measurement_max_age)
                self.learner.observe(state, measured, now)
                self.tracker.observe(state, measured, now)
                self.groups.observe(state, now)
                self.loads.observe(self.config, state, self.poller.coil_kw,
                                   self.poller.outdoor_air(now, self.settings.measurement_max_age),
                                   now)
            try:
                if leads:  # the leader's alarms: a standby would raise each a second time
                    self.check_alarms(self.clock.now())
            except Exception:  # alarms must never stop control
                log.exception("alarm check failed")
            return report

    async def take_over(self) -> None:
        """Leader now: what the last leader held, from the store; what the units hold, from
        them; then a tick that re-asserts every unit at once, through the gate's limits."""
        async with self._tick_lock:  # no tick writes on a half-restored memory
            # what the store holds, however long it takes: nothing is written before it
            commands = await asyncio.get_running_loop().run_in_executor(self._db,
                                                                        self.store.commands)
            self.loop.points.clear()
            self.loop.restore([(c.unit, c.point, c.priority, c.value, c.changed_at)
                               for c in commands])
            await self.loop.start()
            self.loop.last_reassert = None
            if self.leadership is not None:
                self.leadership.settled = True  # now ours to write
        await self.tick()

    @property
    def ticks_pending(self) -> int:
        """Ticks a push started and not finished: one running and one waiting at most."""
        return self.push_ticks.pending

    async def idle(self, timeout_s: float = 10.0) -> bool:
        """Wait until no tick runs or is wanted and the write-behind queue is stored (or the
        timeout passes; False then). For tests and shutdown: nothing private to reach into."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            if not self._tick_lock.locked() and not self.push_ticks.busy and (
                    self.writer.depth == 0):
                return True
            await asyncio.sleep(0.01)
        return False

    # --- alarms ------------------------------------------------------------------------------

    def check_alarms(self, now: datetime) -> None:
        units = self.config.venue.units
        health = {u: self.loop.driver_of(u).health(u).state for u in units}
        offline = {u for u, st in health.items() if st == State.offline}
        bad = {(u, p): s.error or "bad reading" for (u, p), s in self.poller.latest.items()
               if not s.ok and p in SENSOR_POINTS and u not in offline and u in units}
        self.keeper.check(now, self.config, self.loop.last_state,
                          self.poller.zone_measurements(now, self.settings.measurement_max_age),
                          health, bad, self.overrides, self.show, self._precool_target)

    def _precool_target(self, show: ShowEvent, zone: str) -> float | None:
        day = plan_day(self.config, show.date, cache=self.loop.plans)
        times = next((t for t in day.shows if t.event_id == show.id), None)
        return None if times is None else times.precool_target_c.get(zone)

    def ack_alarm(self, alarm_id: int, actor: str) -> Alarm | None:
        return self.keeper.ack(self.config, alarm_id, self.clock.now(), actor)

    # --- jobs --------------------------------------------------------------------------------

    async def expire_overrides(self) -> None:
        if not self.may_write():
            return  # the leader's to end (and to audit), once
        now = self.clock.now()
        ended = 0
        for o in [o for o in self.open_overrides if o.until <= now]:
            try:
                row, outcome = await self.write(self.store.end_override, o.id, now, "expiry")
            except StoreBusy:
                return  # the next run tries again; the planner already ignores it
            if row is not None:
                self.override_changed(row)
            ended += outcome == "expired"
        if ended:
            await self.tick()

    def _sample(self, s: Sample) -> None:
        value = float(s.value) if isinstance(s.value, int | float) else None
        self.writer.trends([(s.unit, s.point, s.at, value, s.ok)])

    def replan(self) -> None:
        """A tick at every boundary of today's and tomorrow's plan."""
        now = self.clock.now()
        today = now.astimezone(self.config.venue.venue.tz).date()
        inputs = self.inputs(now)
        self.jobs.at_boundaries(
            (seg.start for day in (today, today + timedelta(days=1))
             for seg in plan_day(self.config, day, inputs, self.loop.plans).segments),
            self.tick)

    async def start(self) -> None:
        """Migrate, restore what the store kept (open alarms, commands held), start the drivers,
        poll, tick at once, then hand over to the jobs. The store calls here wait as long as
        they take: nothing runs yet that they could hold up."""
        loop = self._event_loop = asyncio.get_running_loop()

        def kept() -> tuple[list[Any], int, list[Any], list[Any]]:
            self.store.migrate(apart=True)  # Alembic in a child: never resident here
            return (self.store.alarms(open_only=True), self.store.last_alarm_id(),
                    self.store.commands(),
                    self.store.audit_entries(action="schedule.removed", limit=100_000))

        open_alarms, last_id, commands, removed = await loop.run_in_executor(self._db, kept)
        self.disk.restore(Removal(r.old, tuple(r.new or ()), r.actor, r.at)
                          for r in reversed(removed))
        self.keeper.restore([Alarm(r.id, r.key, r.kind, r.severity,  # type: ignore[arg-type]  # severity: a str column holding a Severity
                                   r.source, r.message, r.raised_at, r.acked_at, r.acked_by)
                             for r in open_alarms], last_id)
        self.loop.restore([(c.unit, c.point, c.priority, c.value, c.changed_at)
                           for c in commands])
        for driver in {id(d): d for d in self.drivers.values()}.values():
            await driver.start()
        await self.poller.poll_all()
        await self.loop.start()
        await self.tick()  # re-plan from the store and re-assert at once
        self.jobs.start(self.tick, self.poller.poll_all, self.expire_overrides,
                        self.watch_disk, self.replan)
        self.replan()
        if self.leadership is not None:
            self.leadership.start(on_lead=self.take_over)

    async def stop(self) -> None:
        if self.leadership is not None:
            await self.leadership.stop()
        self.jobs.stop()
        async with self._tick_lock:  # let a tick in flight finish its writes
            pass
        left = await asyncio.get_running_loop().run_in_executor(None, self.writer.stop)
        if left:
            log.error("stopping with %d rows the store did not take", left)
        for driver in {id(d): d for d in self.drivers.values()}.values():
            await driver.close()
        self._db.shutdown(wait=False)


def _store_error(e: BaseException) -> bool:
    """A refusal by the database (locked, disk full, gone), not a bug of ours."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    return isinstance(e, OperationalError | DBAPIError)
