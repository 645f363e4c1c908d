"""The running service: configuration, store, drivers, poller, control loop and scheduler.

APScheduler (AsyncIOScheduler) runs the control tick, a job at each phase boundary of today's
plan (so a phase begins on its minute, not at the next tick), override expiry, trend flushing
and the watch on `schedules/`. The clock is injected: real time, or the simulator's
accelerated clock in the demo — jobs are then placed at the wall time that corresponds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from drivers.base import Driver, State
from hvac_ctl.clock import Clock
from hvac_ctl.config import ConfigError, config_files, parse_config
from hvac_ctl.control import ControlLoop, LoopSettings, Poller, Sample, TickReport, WriteRecord
from hvac_ctl.control.alarms import (
    Alarm,
    AlarmBook,
    AlarmSettings,
    Condition,
    Watch,
    conditions,
    precool_missed,
)
from hvac_ctl.control.learning import RecoveryLearner
from hvac_ctl.control.tracking import ZoneTracker
from hvac_ctl.devices import DriverSettings, wire_drivers
from hvac_ctl.model import Config
from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.model.venue import SENSOR_POINTS, ZoneKind
from hvac_ctl.planner import Override, PlanInputs, plan_at, plan_day
from hvac_ctl.planner.occupancy import PUSH_HORIZON
from hvac_ctl.planner.outputs import ZoneState
from hvac_ctl.service.pushes import PushIndex
from hvac_ctl.store import Store, TokenInfo

log = logging.getLogger(__name__)
logging.getLogger("apscheduler").setLevel(logging.ERROR)  # late runs are counted, not logged
MIN_TICK_WALL_S = 0.5
MIN_POLL_WALL_S = 0.5
MAX_UNSAVED_SAMPLES = 200_000  # trends kept in memory while the store refuses them


@dataclass
class ServiceSettings:
    config_dir: Path = Path(".")
    db_url: str | None = None
    tick_every: timedelta = timedelta(seconds=60)  # on the service's clock
    poll_every: timedelta = timedelta(seconds=10)
    speed: float = 1.0  # clock seconds per wall second (the demo's accelerated clock)
    max_override: timedelta = timedelta(hours=4)
    watch_every_s: float = 5.0  # wall seconds between looks at schedules/ on disk
    loop: LoopSettings = field(default_factory=LoopSettings)
    drivers: DriverSettings = field(default_factory=DriverSettings)
    alarms: AlarmSettings = field(default_factory=AlarmSettings)
    # the last good reading stands in for a bad one this long, then the zone is planned
    # without it (the planner's defaults for a zone it cannot measure)
    measurement_max_age: timedelta = timedelta(minutes=2)


class StoreAudit:
    """The control loop's write records, kept in the store with the last held commands.

    Collected during a tick and committed once at its end: one transaction per tick instead
    of two per write, so the event loop is not held by a commit between two device writes.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.pending: list[WriteRecord] = []

    def record(self, e: WriteRecord) -> None:
        self.pending.append(e)

    def flush(self) -> BaseException | None:
        """None when stored; else the store's error (the records wait for the next tick)."""
        batch, self.pending = self.pending, []
        try:
            self.store.record_writes(batch)
        except Exception as e:
            log.warning("could not store %d write records; retrying next tick", len(batch))
            self.pending[:0] = batch
            return e
        return None


class TokenCache:
    """Bearer tokens recently found valid, for a few seconds.

    A token is looked up in the store on every request; at a box office's hundreds of pushes a
    second that query was a tenth of each. Only valid tokens are kept (an unknown one is asked
    again every time), and only for `ttl` seconds of monotonic time: a token revoked with
    `hvac-ctl token revoke` (another process) is refused at the latest that long after.
    """

    def __init__(self, store: Store, ttl_s: float = 5.0) -> None:
        self.store, self.ttl_s = store, ttl_s
        self._valid: dict[str, tuple[TokenInfo, float]] = {}

    def get(self, token: str) -> TokenInfo | None:
        now = time.monotonic()
        found = self._valid.get(token)
        if found is not None and found[1] > now:
            return found[0]
        who = self.store.token(token)
        if who is None:
            self._valid.pop(token, None)
            return None
        if len(self._valid) > 1000:
            self._valid.clear()
        self._valid[token] = (who, now + self.ttl_s)
        return who


class Runtime:
    def __init__(self, settings: ServiceSettings, clock: Clock, store: Store,
                 drivers: Mapping[str, Driver] | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.store = store
        self.config = self._load_disk()
        self._fingerprint = self._disk_fingerprint()
        self.drivers = dict(drivers) if drivers is not None else wire_drivers(
            self.config, settings.drivers)
        self.learner = RecoveryLearner(self.config.venue.venue.tz)
        self.tracker = ZoneTracker(self.config)
        self.poller = Poller(self.config, self.drivers, clock, on_sample=self._sample)
        self.audit = StoreAudit(store)
        self.loop = ControlLoop(self.config, self.drivers, clock, self.inputs, self.audit,
                                settings.loop)
        self.scheduler: AsyncIOScheduler | None = None
        self.ticks_late = 0
        self.last_tick: TickReport | None = None
        self.config_errors: list[str] = []
        self._trend_buffer: list[tuple[str, str, datetime, float | None, bool]] = []
        self._tick_lock = asyncio.Lock()
        self._tick_wanted: asyncio.Task[Any] | None = None  # tick_soon()'s, not yet begun
        self._background: set[asyncio.Task[Any]] = set()
        self._push_turn = asyncio.Lock()
        self._events = self._index_events()
        self.pushes = PushIndex(store, self._push_rule)  # new rows only; see its docstring
        self.alarms = AlarmBook()
        self._watch = Watch()
        self._alarms_unsaved: dict[int, Alarm] = {}  # raised/acked/cleared, not yet stored
        self._audit_unsaved: list[tuple[datetime, str, str, str, str | None]] = []
        self._precool: dict[str, Condition | None] = {}  # (event:zone) → checked at doors
        self.store_error: str | None = None
        self.tokens = TokenCache(store)
        self._answers: dict[tuple[Any, ...], tuple[str, ZoneState, dict[str, dict[str, Any]]]] = {}

    # --- configuration ------------------------------------------------------------------

    def _load_disk(self) -> Config:
        return parse_config(config_files(self.settings.config_dir))

    def _disk_fingerprint(self) -> tuple[tuple[str, int, int], ...]:
        root = self.settings.config_dir
        files = [root / "zones.yaml", *sorted((root / "schedules").rglob("*.y*ml"))]
        return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files
                     if f.is_file())

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
        self.config_errors = []
        self.store.audit(self.clock.now(), actor, "schedule.change", what)
        self.reschedule_phase_jobs()

    def watch_disk(self) -> None:
        """Files edited on disk are picked up under the same rule as the API: valid or not."""
        fingerprint = self._disk_fingerprint()
        if fingerprint == self._fingerprint:
            return
        self._fingerprint = fingerprint
        try:
            config = self._load_disk()
        except ConfigError as e:
            errors = [str(i) for i in e.issues]
            if errors != self.config_errors:
                self.config_errors = errors
                self.store.audit(self.clock.now(), "disk", "schedule.rejected",
                                 "; ".join(errors[:20]), ok=False)
                log.error("schedules on disk rejected, the running ones stay:\n%s",
                          "\n".join(errors))
            return
        self.adopt(config, "disk", "files under the configuration folder changed")

    # --- what the planner knows ---------------------------------------------------------

    def inputs(self, now: datetime) -> PlanInputs:
        # A show's counts come within hours of it: two days back covers any plan of today.
        pushes = self.pushes.pushes(since=now - PUSH_HORIZON)
        overrides = [Override(o.id, o.unit, o.point, o.value, o.start, o.until, o.reason)
                     for o in self.store.overrides(open_only=True)]
        return PlanInputs(occupancy=pushes, overrides=overrides,
                          measurements=self.poller.zone_measurements(
                              now, self.settings.measurement_max_age),
                          outdoor_air_c=self.poller.outdoor_air(
                              now, self.settings.measurement_max_age),
                          history=self.learner.history(),
                          co2_at_doors=self.learner.co2_at_doors(),
                          modes=self.tracker.held_modes(), deviations=self.tracker.deviations())

    def targets_after_push(self, show: ShowEvent, acted: int, at: datetime
                           ) -> tuple[str, ZoneState, dict[str, dict[str, Any]]]:
        """The auditorium's targets at `at` with `acted` people acted on: a push's answer.

        Planned once per show, count acted on, minute and tick, not once per push: under a
        box office's burst almost every push leaves the count acted on where it was, and a
        plan of every unit per push held the event loop longer than the push itself. A tick
        (new measurements, overrides, schedules) plans anew."""
        key = (show.id, acted, at.replace(second=0, microsecond=0), self.loop.ticks,
               id(self.config))
        found = self._answers.get(key)
        if found is None:
            state = plan_at(self.config, at, self.inputs(self.clock.now()), self.loop.plans)
            zone = next(z for z, spec in self.config.venue.zones.items()
                        if spec.kind == ZoneKind.auditorium)
            found = (zone, state.zones[zone],
                     {u: dict(state.units[u]) for u in self.config.venue.units_of(zone)})
            if len(self._answers) > 64:
                self._answers.clear()
            self._answers[key] = found
        return found

    # --- jobs ---------------------------------------------------------------------------

    async def tick(self) -> TickReport:
        async with self._tick_lock:
            if asyncio.current_task() is self._tick_wanted:  # it reads all pushed so far
                self._tick_wanted = None
            try:
                report = await self.loop.tick()
            finally:
                if (error := self.audit.flush()) is not None:
                    self.note_store_error(error)
            if self.loop.last_state is not None:
                now = self.clock.now()
                for zone, zs in self.loop.last_state.zones.items():  # trends of the plan too
                    self._trend_buffer.append((f"zone:{zone}", "target_c", now, zs.setpoint_c,
                                               True))
                    self._trend_buffer.append((f"zone:{zone}", "people", now, zs.people, True))
                measured = self.poller.zone_measurements(now, self.settings.measurement_max_age)
                self.learner.observe(self.loop.last_state, measured, now)
                self.tracker.observe(self.loop.last_state, measured, now)
            try:
                self.check_alarms(self.clock.now())
            except Exception:  # alarms must never stop control
                log.exception("alarm check failed")
            self.last_tick = report
            return report

    def tick_soon(self) -> None:
        """A tick for news that must reach the units now (an occupancy push), not awaited.

        A tick reads the store when it begins, so one tick still waiting for the lock serves
        every push that arrives before it starts: a burst of pushes costs one tick after the
        running one. A tick per push queued on the lock without bound instead (200 pushes a
        second, each tick planning and driving every unit), and the scheduled tick and the
        shutdown waited behind all of them.
        """
        if self._tick_wanted is not None:
            return
        task = asyncio.get_running_loop().create_task(self.tick())
        self._tick_wanted = task
        self._background.add(task)  # the event loop keeps only a weak reference to a task
        task.add_done_callback(self._tick_soon_done)

    def _tick_soon_done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if task is self._tick_wanted:  # cancelled before it began: the next push asks again
            self._tick_wanted = None

    async def push_turn(self) -> None:
        """Wait for this push's turn: one push's work per pass of the event loop.

        A push's work (store, planner) runs without a pause for some milliseconds. Pushes in
        flight together all ran in the same pass, and everything else on the loop waited for
        all of them: the control tick between two device writes, the poller between two
        reads. With dozens in flight a pass took most of a second, and under bench/load a
        tick's few awaits outlasted its period. Taking turns, a push waits for the others
        instead, and the tick for one push at most.
        """
        await self._push_turn.acquire()
        asyncio.get_running_loop().call_soon(self._push_turn.release)  # at the next pass

    # --- alarms -------------------------------------------------------------------------

    def check_alarms(self, now: datetime) -> None:
        """Raise and clear from what is measured now; keep them in the store (retried)."""
        if self.store_error is not None:  # is it back? one audit row says so if it is
            try:
                self.store.audit(now, "service", "store.recovered",
                                 f"the store takes writes again (it refused: {self.store_error})")
            except Exception as e:
                self.note_store_error(e)
            else:
                self.store_error = None
        state = self.loop.last_state
        units = self.config.venue.units
        health = {u: self.loop.driver_of(u).health(u).state for u in units}
        offline = {u for u, st in health.items() if st == State.offline}
        bad = {(u, p): s.error or "bad reading" for (u, p), s in self.poller.latest.items()
               if not s.ok and p in SENSOR_POINTS and u not in offline and u in units}
        measurements = self.poller.zone_measurements(now, self.settings.measurement_max_age)
        try:
            overrides = [Override(o.id, o.unit, o.point, o.value, o.start, o.until, o.reason)
                         for o in self.store.overrides(open_only=True)]
        except Exception as e:
            self.note_store_error(e)
            overrides = []
        current = conditions(self.config, now, state, measurements, health, bad, overrides,
                             self._watch, self.settings.alarms, self.store_error)
        keep = []
        if state is not None:
            for zone, zs in state.zones.items():
                show = self.show(zs.event_id) if zs.event_id else None
                key = f"{zs.event_id}:{zone}"
                if show is None or zs.phase != "show" or now < show.doors_open:
                    continue
                m = measurements.get(zone)
                if key not in self._precool and now < show.curtain and m is not None and (
                        m.temp_c is not None and m.at >= show.doors_open - timedelta(minutes=2)):
                    # until curtain the show holds the precool target: that is what doors
                    # open is judged against (zones without a precool have none to miss)
                    day = plan_day(self.config, show.date, cache=self.loop.plans)
                    times = next((t for t in day.shows if t.event_id == show.id), None)
                    self._precool[key] = precool_missed(
                        zone, show.id, m.temp_c, zs.setpoint_c) if times is not None and (
                        zone in times.precool_target_c) else None
                c = self._precool.get(key)
                if c is not None:  # stands until the show ends
                    current.append(c)
                    keep.append(c.key)
        raised, cleared = self.alarms.update(now, current, keep)
        for a in raised:
            self._alarm_event(a, now, "alarm.raise", f"{a.severity}: {a.message}")
        for a in cleared:
            self._alarm_event(a, now, "alarm.clear", f"cleared: {a.message}")
        self.save_alarms()

    def ack_alarm(self, alarm_id: int, actor: str) -> Alarm | None:
        now = self.clock.now()
        a, acked = self.alarms.ack(alarm_id, now, actor)
        if a is not None and acked:
            self._alarm_event(a, now, "alarm.ack", f"acknowledged: {a.message}", actor)
            self.save_alarms()
        return a

    def _alarm_event(self, a: Alarm, now: datetime, action: str, why: str,
                     actor: str = "alarms") -> None:
        self._alarms_unsaved[a.id] = a
        self._audit_unsaved.append((now, actor, action, why, a.source))
        log.log(logging.WARNING if action == "alarm.raise" else logging.INFO, "%s %s",
                action, why)

    def save_alarms(self) -> None:
        """Alarm rows and their audit entries; kept in memory and retried on failure."""
        if not self._alarms_unsaved and not self._audit_unsaved:
            return
        try:
            self.store.save_alarms(list(self._alarms_unsaved.values()))
            self._alarms_unsaved.clear()
            while self._audit_unsaved:
                at, actor, action, why, source = self._audit_unsaved[0]
                self.store.audit(at, actor, action, why, unit=source if source in
                                 self.config.venue.units else None)
                self._audit_unsaved.pop(0)
        except Exception as e:
            self.note_store_error(e)
        else:
            self.store_error = None

    def note_store_error(self, e: BaseException) -> None:
        """The store refused a write: remembered, so an alarm says so until one succeeds."""
        text = str(getattr(e, "orig", None) or e).splitlines()[0][:200]
        if self.store_error != text:
            log.error("the store refuses writes: %s", text)
        self.store_error = text

    async def _tick_job(self) -> None:
        wall = time.monotonic()
        try:
            await self.tick()
        except asyncio.CancelledError:  # shutting down
            return
        except Exception:  # never let a job die
            log.exception("tick failed")
        period = self.settings.tick_every.total_seconds() / self.settings.speed
        if time.monotonic() - wall > period:
            self.ticks_late += 1

    async def _poll_job(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await self.poller.poll_all()

    async def expire_overrides(self) -> None:
        now = self.clock.now()
        expired = [o for o in self.store.overrides(open_only=True) if o.until <= now]
        for o in expired:
            self.store.end_override(o.id, o.until, "expiry")
            self.store.audit(now, "expiry", "override.expired", f"override {o.id} ended",
                             unit=o.unit, point=o.point, old=o.value)
        if expired:
            await self.tick()

    def _sample(self, s: Sample) -> None:
        value = float(s.value) if isinstance(s.value, int | float) else None
        self._trend_buffer.append((s.unit, s.point, s.at, value, s.ok))

    def flush_trends(self) -> None:
        batch, self._trend_buffer = self._trend_buffer, []
        try:
            self.store.add_samples(batch)
        except Exception as e:
            log.warning("trend flush failed; keeping %d samples for the next try", len(batch))
            self.note_store_error(e)
            self._trend_buffer[:0] = batch[-MAX_UNSAVED_SAMPLES:]
        else:
            if batch:
                self.store_error = None

    def wall_time(self, at: datetime) -> datetime:
        """When, on the wall clock, the service's clock reads `at`."""
        ahead = (at - self.clock.now()).total_seconds() / self.settings.speed
        return datetime.now(UTC) + timedelta(seconds=ahead)

    def reschedule_phase_jobs(self) -> None:
        """A job at every boundary of today's and tomorrow's plan."""
        if self.scheduler is None:
            return
        for job in self.scheduler.get_jobs():
            if job.id.startswith("phase:"):
                job.remove()
        now = self.clock.now()
        tz = self.config.venue.venue.tz
        today = now.astimezone(tz).date()
        inputs = self.inputs(now)
        boundaries = {seg.start for day in (today, today + timedelta(days=1))
                      for seg in plan_day(self.config, day, inputs, self.loop.plans).segments}
        for at in sorted(b for b in boundaries if b > now):
            self.scheduler.add_job(self.tick, DateTrigger(self.wall_time(at)),
                                   id=f"phase:{at.isoformat()}", misfire_grace_time=30)

    async def start(self) -> None:
        self.store.migrate()
        self.alarms = AlarmBook((Alarm(r.id, r.key, r.kind, r.severity,  # type: ignore[arg-type]
                                       r.source, r.message, r.raised_at, r.acked_at, r.acked_by)
                                 for r in self.store.alarms(open_only=True)),
                                self.store.last_alarm_id())
        self.loop.restore([(c.unit, c.point, c.priority, c.value, c.changed_at)
                           for c in self.store.commands()])
        for driver in {id(d): d for d in self.drivers.values()}.values():
            await driver.start()
        await self.poller.poll_all()
        await self.loop.start()
        await self.tick()  # re-plan from the store and re-assert at once
        speed = self.settings.speed
        s = AsyncIOScheduler(timezone=UTC)
        # On an accelerated clock a period shrinks, but never below what the wire allows.
        tick_wall = max(MIN_TICK_WALL_S, self.settings.tick_every.total_seconds() / speed)
        poll_wall = max(MIN_POLL_WALL_S, self.settings.poll_every.total_seconds() / speed)
        s.add_job(self._tick_job, IntervalTrigger(seconds=tick_wall), id="tick",
                  max_instances=1, coalesce=True)
        s.add_job(self._poll_job, IntervalTrigger(seconds=poll_wall), id="poll",
                  max_instances=1, coalesce=True)
        s.add_job(self.expire_overrides, IntervalTrigger(seconds=max(0.5, 10 / speed)),
                  id="expiry", max_instances=1, coalesce=True)
        s.add_job(self.flush_trends, IntervalTrigger(seconds=5), id="trends", max_instances=1)
        s.add_job(self.watch_disk, IntervalTrigger(seconds=self.settings.watch_every_s),
                  id="watch", max_instances=1)
        s.add_job(self.reschedule_phase_jobs, IntervalTrigger(seconds=3600 / speed),
                  id="replan", max_instances=1)
        s.start()
        self.scheduler = s
        self.reschedule_phase_jobs()

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        async with self._tick_lock:  # let a tick in flight finish its writes
            pass
        self.flush_trends()
        for driver in {id(d): d for d in self.drivers.values()}.values():
            await driver.close()

    def status(self) -> dict[str, Any]:
        return {"scheduler": self.scheduler is not None and self.scheduler.running,
                "ticks": self.loop.ticks, "late": self.ticks_late}
