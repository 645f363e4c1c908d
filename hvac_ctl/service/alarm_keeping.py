"""The running service's alarms: raised and cleared from each tick's conditions, acknowledged by
operators, kept in the store behind the control loop's back.

`control.alarms` says what is wrong at an instant; this keeps the book between ticks: one raise
and one clear per alarm, each audited, and the precool verdict taken once at doors open and
standing until the show ends. Rows go to the store through the write-behind queue, so a locked
store delays them and never the tick. Whether the store takes writes is kept here too: it is an
alarm of its own (`store_unavailable`) until a write succeeds again.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from drivers.base import State
from hvac_ctl.control.alarms import (
    Alarm,
    AlarmBook,
    AlarmSettings,
    Condition,
    Watch,
    conditions,
    precool_missed,
)
from hvac_ctl.model import Config
from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.planner import Override, PlanState, ZoneMeasurement
from hvac_ctl.store.store import AuditEntry
from hvac_ctl.store.writer import WriteBehind

log = logging.getLogger(__name__)
# the precool target a zone was to reach for a show, if it had a precool
PrecoolTarget = Callable[[ShowEvent, str], float | None]


RECENT = 1000  # cleared alarms remembered for the history's overlay


class AlarmKeeper:
    def __init__(self, writer: WriteBehind, settings: AlarmSettings) -> None:
        self.writer = writer
        self.settings = settings
        self.book = AlarmBook()
        self.watch = Watch()
        self.store_error: str | None = None
        self._precool: dict[str, Condition | None] = {}  # event:zone → judged at doors open
        # the latest cleared, as the store will have them once the write-behind has written
        self.recent: OrderedDict[int, Alarm] = OrderedDict()

    def restore(self, alarms: Sequence[Alarm], last_id: int) -> None:
        """The alarms still open in the store, after a restart: each holds until its value is
        back inside its deadband, as it would have without the restart."""
        self.book = AlarmBook(alarms, last_id)
        self.watch.on.update(a.key for a in alarms)

    @property
    def active(self) -> dict[str, Alarm]:
        return self.book.active

    def check(self, now: datetime, config: Config, state: PlanState | None,
              measurements: Mapping[str, ZoneMeasurement], health: Mapping[str, State],
              bad: Mapping[tuple[str, str], str], overrides: Sequence[Override],
              show: Callable[[str], ShowEvent | None], precool_target: PrecoolTarget) -> None:
        """Raise and clear from what is measured now."""
        current = conditions(config, now, state, measurements, health, bad, overrides,
                             self.watch, self.settings, self.store_error)
        keep = []
        for c in self._precool_verdicts(now, state, measurements, show, precool_target):
            current.append(c)
            keep.append(c.key)
        raised, cleared = self.book.update(now, current, keep)
        for a in raised:
            self._event(config, a, now, "alarm.raise", f"{a.severity}: {a.message}")
        for a in cleared:
            self._event(config, a, now, "alarm.clear", f"cleared: {a.message}")
            self.recent[a.id] = a
            while len(self.recent) > RECENT:
                self.recent.popitem(last=False)

    def known(self) -> dict[int, Alarm]:
        """Every alarm memory knows by id, active and recently cleared: fresher than the
        store, whose rows of them may still be in the write-behind queue."""
        return {**self.recent, **{a.id: a for a in self.book.active.values()}}

    def _precool_verdicts(self, now: datetime, state: PlanState | None,
                          measurements: Mapping[str, ZoneMeasurement],
                          show: Callable[[str], ShowEvent | None],
                          precool_target: PrecoolTarget) -> list[Condition]:
        """Curtain-ready, judged once at doors open from the first measurement after it; a
        miss stands until the show ends."""
        out = []
        for zone, zs in (state.zones.items() if state is not None else ()):
            e = show(zs.event_id) if zs.event_id else None
            if e is None or zs.phase != "show" or now < e.doors_open:
                continue
            key = f"{e.id}:{zone}"
            m = measurements.get(zone)
            if key not in self._precool and now < e.curtain and m is not None and (
                    m.temp_c is not None and m.at >= e.doors_open - timedelta(minutes=2)):
                # until curtain the show holds the precool target: that is what doors open
                # is judged against (zones without a precool have none to miss)
                target = precool_target(e, zone)
                self._precool[key] = None if target is None else precool_missed(
                    zone, e.id, m.temp_c, zs.setpoint_c)
            c = self._precool.get(key)
            if c is not None:
                out.append(c)
        return out

    def ack(self, config: Config, alarm_id: int, now: datetime, actor: str) -> Alarm | None:
        a, acked = self.book.ack(alarm_id, now, actor)
        if a is not None and acked:
            self._event(config, a, now, "alarm.ack", f"acknowledged: {a.message}", actor)
        return a

    def _event(self, config: Config, a: Alarm, now: datetime, action: str, why: str,
               actor: str = "alarms") -> None:
        self.writer.alarms([a])
        self.writer.audit(AuditEntry(now, actor, action, why, unit=a.source if a.source in
                                     config.venue.units else None))
        log.log(logging.WARNING if action == "alarm.raise" else logging.INFO, "%s %s",
                action, why)

    # --- the store's own health ------------------------------------------------------------

    def store_refused(self, e: BaseException) -> None:
        """The store refused a write: an alarm says so until one succeeds."""
        text = str(getattr(e, "orig", None) or e).splitlines()[0][:200]
        if self.store_error != text:
            log.error("the store refuses writes: %s", text)
        self.store_error = text

    def store_took(self, now: datetime) -> None:
        """A write succeeded: if the store had refused, say that it is back."""
        if self.store_error is not None:
            self.writer.audit(AuditEntry(now, "service", "store.recovered",
                                         "the store takes writes again "
                                         f"(it refused: {self.store_error})"))
            log.warning("the store takes writes again")
            self.store_error = None
