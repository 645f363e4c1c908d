"""The control loop: planner → desired state → safety gate → write what differs → read back.

Idempotent: every tick computes the desired state from scratch and writes only what differs
from what the unit last confirmed, so a restart or a lost write heals by itself. Everything is
re-asserted on a slow period and whenever a device comes back. The plan writes at one BACnet
priority (12), operator overrides at another (8); when an override ends its slot is
relinquished and the unit falls back to the plan's value, which was kept current underneath.
Units are driven concurrently, and a unit that fails is dropped for the rest of the tick, so a
dead device costs a tick one driver timeout at most. No exception escapes a tick. The plant's
served chillers are driven as units are (same drivers, gate, priorities and audit): `enable`
from the plan's staging (`PlanState.plant.running`), `chw_setpoint` the plant's supply.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from drivers.base import Driver, DriverError, State, Value
from hvac_ctl.clock import Clock
from hvac_ctl.control.audit import AuditLog, WriteRecord
from hvac_ctl.control.gate import GateSettings, SafetyGate
from hvac_ctl.model import Config
from hvac_ctl.model.points import CHILLER_COMMAND_POINTS
from hvac_ctl.model.venue import COMMAND_POINTS
from hvac_ctl.planner import PlanCache, PlanInputs, PlanState, plan_at

log = logging.getLogger(__name__)
InputsProvider = Callable[[datetime], PlanInputs]
Planner = Callable[[Config, datetime, PlanInputs], PlanState]


@dataclass(frozen=True)
class LoopSettings:
    plan_priority: int = 12
    override_priority: int = 8
    reassert_every: timedelta = timedelta(minutes=10)
    gate: GateSettings = field(default_factory=GateSettings)


@dataclass
class _Slot:
    value: Value
    changed_at: datetime


@dataclass
class _Point:
    confirmed: Value | None = None  # the effective value the unit last reported
    slots: dict[int, _Slot] = field(default_factory=dict)  # what we hold, by priority
    foreign: int | None = None  # a higher priority held by someone else: do not fight it


@dataclass
class TickReport:
    at: datetime
    writes: int = 0
    failed: int = 0
    offline: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def same(a: Value | None, b: Value | None) -> bool:
    """Equal as the unit would hold them: flags and states exactly, numbers within 0.01.
    Two floats (the common case: every point of every unit at every tick) are compared
    first, without the type checks the other cases need."""
    if a.__class__ is float and b.__class__ is float:
        return abs(a - b) < 0.01  # type: ignore[operator]  # both floats, checked just above
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return a == b
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) < 0.01  # float32 on the wire


class ControlLoop:
    def __init__(self, config: Config, drivers: Mapping[str, Driver], clock: Clock,
                 inputs: InputsProvider, audit: AuditLog,
                 settings: LoopSettings | None = None, planner: Planner | None = None,
                 fence: Callable[[], bool] | None = None) -> None:
        self.config = config
        self.fence = fence  # None: always ours to write; else asked before every write
        self.planner = planner or self.plan
        self._plans = PlanCache(config)
        self.drivers = drivers
        self.clock = clock
        self.inputs = inputs
        self.audit = audit
        self.settings = settings or LoopSettings()
        self.gate = SafetyGate(config.venue, self.settings.gate)
        self.points: dict[tuple[str, str], _Point] = {}
        self.unit_failed: dict[str, bool] = {}
        self.last_reassert: datetime | None = None
        self.last_state: PlanState | None = None
        self.ticks = 0
        self.writes = 0
        self.failed_writes = 0

    @property
    def plans(self) -> PlanCache:
        """The planner's cache for the running configuration (a new configuration, a new one)."""
        if self._plans.config is not self.config:
            self._plans = PlanCache(self.config)
        return self._plans

    def plan(self, config: Config, at: datetime, inputs: PlanInputs) -> PlanState:
        """The service's planner, with this loop's cache when it plans the running config."""
        return plan_at(config, at, inputs, self.plans if config is self.config else None)

    def driver_of(self, unit: str) -> Driver:
        """A unit's driver, or a served chiller's (`Venue.devices`)."""
        return self.drivers[self.config.venue.devices[unit]]

    def restore(self, held: list[tuple[str, str, int, Value, datetime]]) -> None:
        """What the store says we held at each priority before a restart."""
        for unit, point, priority, value, changed_at in held:
            if unit in self.config.venue.devices:
                ps = self.points.setdefault((unit, point), _Point())
                ps.slots[priority] = _Slot(value, changed_at)

    async def start(self) -> None:
        """Learn what the units are commanded now, so the first changes are rate-limited."""
        async def learn(unit: str) -> None:
            names = self._commands(unit)
            try:
                readings = await self.driver_of(unit).read(unit, names)
            except Exception:
                log.exception("initial read of %s failed", unit)
                return
            for name, r in readings.items():
                if r.ok:
                    self.points.setdefault((unit, name), _Point()).confirmed = r.value

        await asyncio.gather(*(learn(u) for u in self.config.venue.devices))

    def _commands(self, device: str) -> list[str]:
        """The command points a unit or a served chiller has."""
        v = self.config.venue
        if device in v.units:
            return [p for p in COMMAND_POINTS if p in v.units[device].points.names()]
        points = v.plant.served[device].points if v.plant is not None else None
        return [p for p in CHILLER_COMMAND_POINTS if points is not None and p in points.names()]

    def _chillers(self, state: PlanState) -> list[str]:
        """The served chillers this plan drives (none without a plan of the plant)."""
        plant = self.config.venue.plant
        if plant is None or state.plant is None:
            return []
        return [n for n in plant.served if n not in self.config.venue.units]

    def _desired(self, device: str, state: PlanState) -> tuple[Mapping[str, Value], str]:
        """What the plan wants of a device, and why: a unit's points and its zone's reason;
        a chiller's `enable` (whether the plan's staging runs it) and the plant's chilled-water
        setpoint, with the staging's reason."""
        v = self.config.venue
        if device in v.units:
            return state.units.get(device, {}), state.zones[v.units[device].zone].reason
        assert v.plant is not None and state.plant is not None
        names = self._commands(device)
        wanted: dict[str, Value] = {"enable": device in state.plant.running,
                                    "chw_setpoint": v.plant.chw_supply_c}
        return {p: x for p, x in wanted.items() if p in names}, f"plant: {state.plant.why}"

    async def tick(self, planned: PlanState | None = None, write: bool = True) -> TickReport:
        """Plan (or take `planned`: a plan its caller has just made for now, on the inputs
        this loop would read), write what differs to every unit, then read back what was
        written. Every unit's writes go out before any read-back, so the last unit's write
        does not wait behind the first unit's read. `write=False`: plan only (a standby's
        warm view)."""
        started = time.perf_counter()
        now = self.clock.now()
        report = TickReport(now)
        self.ticks += 1
        if self.gate.venue is not self.config.venue:  # a new configuration: its limits now
            self.gate = SafetyGate(self.config.venue, self.settings.gate)
        try:
            state = planned or self.planner(self.config, now, self.inputs(now))
        except Exception as e:  # the running plan stays in force on the units
            log.exception("planning failed at %s", now)
            report.error = f"planning failed: {e}"
            report.seconds = time.perf_counter() - started
            return report
        self.last_state = state
        if not write:
            report.seconds = time.perf_counter() - started
            return report
        due = self.last_reassert is None or now - self.last_reassert >= self.settings.reassert_every
        full = due
        if full:
            self.last_reassert = now
        units = [*self.config.venue.units, *self._chillers(state)]
        results = await asyncio.gather(*(self._drive(unit, state, now, full) for unit in units),
                                       return_exceptions=True)
        confirmed = await asyncio.gather(
            *(self._confirm(self.driver_of(unit), unit, r[3])
              for unit, r in zip(units, results, strict=True)
              if not isinstance(r, BaseException) and r[3]), return_exceptions=True)
        for failure in confirmed:
            if isinstance(failure, BaseException):
                log.error("read-back failed: %r", failure)
        for unit, result in zip(units, results, strict=True):
            if isinstance(result, BaseException):
                log.error("driving %s failed: %r", unit, result)
                report.offline.append(unit)
                continue
            reached, writes, failed, _ = result
            report.writes += writes
            report.failed += failed
            ok = reached and self.driver_of(unit).health(unit).state != State.offline
            self.unit_failed[unit] = not ok
            if not ok:
                report.offline.append(unit)
        report.seconds = time.perf_counter() - started
        return report

    # --- one unit -----------------------------------------------------------------------

    async def _drive(self, unit: str, state: PlanState, now: datetime, full: bool
                     ) -> tuple[bool, int, int, list[str]]:
        """Write what differs on one unit: (reached, writes, refusals, the points written).
        A unit that does not answer is left for the rest of the tick."""
        desired, why_zone = self._desired(unit, state)
        driver = self.driver_of(unit)
        if driver.health(unit).state == State.offline:
            self.unit_failed[unit] = True  # whatever it holds when it answers again is unknown
        reassert = full or self.unit_failed.get(unit, False)
        order = [p for p in ("mode", "setpoint", "oa_damper_min", "fan_speed_max",
                             "chw_setpoint", "enable") if p in desired]
        if desired.get("enable") is False:
            order = ["enable"] + [p for p in order if p != "enable"]
        writes = failed = 0
        written: list[str] = []
        for point in order:
            try:
                n, refused = await self._drive_point(driver, unit, point, state, desired[point],
                                                     now, reassert, why_zone)
            except DriverError as e:
                failed += 1
                self.failed_writes += 1
                self.unit_failed[unit] = True
                log.warning("%s unreachable: %s", unit, e)
                return False, writes, failed, []
            writes += n
            failed += refused
            if n:
                written.append(point)
        return True, writes, failed, written

    async def _drive_point(self, driver: Driver, unit: str, point: str, state: PlanState,
                           value: Value, now: datetime, reassert: bool, why_zone: str
                           ) -> tuple[int, int]:
        """Bring one point to its desired value; (writes, refusals). Raises if unreachable."""
        s = self.settings
        ps = self.points.get((unit, point))
        if ps is None:  # not `setdefault`: that would make a _Point at every call
            ps = self.points[(unit, point)] = _Point()
        override = state.overridden.get((unit, point))
        held = ps.slots.get(s.plan_priority)
        if (override is None and not reassert and held is not None and same(held.value, value)
                and s.override_priority not in ps.slots
                and (ps.foreign is not None or same(ps.confirmed, value))):
            return 0, 0  # the common case: held, confirmed, unchanged
        priorities = self.driver_of(unit).has_priorities
        targets: dict[int, tuple[Value, str]] = {}
        if priorities and override is not None:
            targets[s.plan_priority] = (state.planned.get((unit, point), value), why_zone)
            targets[s.override_priority] = (value, f"override {override}")
        else:
            why = f"override {override}" if override is not None else why_zone
            targets[s.plan_priority] = (value, why)
        writes = refusals = 0
        if priorities and override is None and s.override_priority in ps.slots:
            old = ps.slots.pop(s.override_priority).value
            await self._send(driver, unit, point, old, None, s.override_priority, now,
                             "override ended: slot relinquished")
            writes += 1
        effective = min(targets)
        for priority in sorted(targets, reverse=True):
            wanted, why = targets[priority]
            slot = ps.slots.get(priority)
            if (slot is not None and not reassert and same(slot.value, wanted) and (
                    priority != effective or ps.foreign is not None
                    or same(ps.confirmed, wanted))):
                continue  # held and confirmed; the gate admitted this very value before
            current = slot.value if slot is not None else ps.confirmed
            admitted = self.gate.admit(unit, point, wanted, now, current,
                                       slot.changed_at if slot is not None else None)
            if admitted.value is None:
                refusals += 1
                self._record(now, unit, point, current, None, priority,
                             f"{why}; gate refused: {'; '.join(admitted.notes)}", ok=False)
                continue
            drifted = (priority == effective and ps.foreign is None
                       and not same(ps.confirmed, admitted.value))
            changed = slot is None or not same(slot.value, admitted.value)
            if not (changed or drifted or reassert):
                continue
            note = "; ".join(admitted.notes)
            reason = why + (f"; gate: {note}" if note else "")
            if not changed and not drifted:
                reason += "; re-assert"
            try:
                await self._send(driver, unit, point, ps.confirmed, admitted.value, priority,
                                 now, reason)
            except DriverError as e:
                if not e.refused:
                    raise
                refusals += 1
                continue
            ps.slots[priority] = _Slot(admitted.value,
                                       now if changed or slot is None else slot.changed_at)
            writes += 1
        return writes, refusals

    async def _send(self, driver: Driver, unit: str, point: str, old: Value | None,
                    new: Value | None, priority: int, now: datetime, why: str) -> None:
        if self.fence is not None and not self.fence():
            self._record(now, unit, point, old, new, priority, why, ok=False,
                         error="fenced: this instance no longer leads")
            raise DriverError("fenced: this instance no longer leads", refused=True)
        try:
            if new is None:
                await driver.release(unit, point, priority)
            else:
                await driver.write(unit, point, new, priority)
        except DriverError as e:
            self.failed_writes += 1
            self._record(now, unit, point, old, new, priority, why, ok=False, error=str(e))
            raise
        self.writes += 1
        self._record(now, unit, point, old, new, priority, why, ok=True)

    async def _confirm(self, driver: Driver, unit: str, points: list[str]) -> None:
        """Read back what was written; note a higher priority someone else holds."""
        try:
            readings = await driver.read(unit, points)
        except Exception:
            log.exception("read-back of %s failed", unit)
            return
        for point, r in readings.items():
            ps = self.points[(unit, point)]
            if not r.ok:
                continue
            ps.confirmed = r.value
            ours = min(ps.slots) if ps.slots else None
            if ours is None or same(r.value, ps.slots[ours].value):
                ps.foreign = None
                continue
            if self.driver_of(unit).has_priorities:
                try:
                    commanding = await driver.commanding_priority(unit, point)
                except DriverError:
                    continue
                ps.foreign = commanding if commanding is not None and commanding < ours else None

    def _record(self, at: datetime, unit: str, point: str, old: Value | None,
                new: Value | None, priority: int, why: str, ok: bool,
                error: str | None = None) -> None:
        try:
            self.audit.record(WriteRecord(at, unit, point, old, new, priority, why, ok, error))
        except Exception:  # the audit must never stop control; keeping it is the store's job
            log.exception("audit record failed")
