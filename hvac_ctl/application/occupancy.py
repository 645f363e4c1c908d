"""Seat counts from the box office: stored once, folded by the 15 % rule, to the units at once.

A push names a performance of the calendar and a count no larger than the auditorium's seats.
It is stored (with its audit row) exactly once per `(event, at)` or `Idempotency-Key`: a retry
gets the first answer back, and another count for the same instant or key is a conflict the
box office must see. A count that moves the count acted on (more than the venue's threshold
from it) reaches the units at once; a burst of pushes shares one tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hvac_ctl.application.errors import Conflict, Invalid, NotFound
from hvac_ctl.application.views import iso
from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.model.venue import ZoneKind
from hvac_ctl.planner import OccupancyPush, acted_count
from hvac_ctl.planner.occupancy import PUSH_HORIZON
from hvac_ctl.service.runtime import Runtime


@dataclass(frozen=True)
class Push:
    event: str
    count: int
    at: datetime | None  # when counted; None: now
    actor: str
    key: str | None = None  # the Idempotency-Key header


class Occupancy:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def _show(self, event: str) -> ShowEvent:
        """The show pushed for; one an edit took out of the calendar is a conflict naming
        that edit (the box office's list is older than the calendar), not an unknown id."""
        show = self.rt.show(event)
        if show is None:
            gone = self.rt.disk.removal(event)
            if gone is not None:
                raise Conflict(f"event '{event}' is no longer in the calendar: the edit of "
                               f"{', '.join(gone.files)} by {gone.who} at {iso(gone.at, self.rt)} "
                               "removed it")
            raise NotFound(f"unknown event '{event}'")
        return show

    def _acted(self, show: ShowEvent, pushes: list[OccupancyPush], at: datetime
               ) -> tuple[int, datetime | None]:
        return acted_count(pushes, show.expected_attendance,
                           self.rt.config.venue.venue.occupancy.readjust_threshold, at)

    async def push(self, p: Push) -> dict[str, Any]:
        rt = self.rt
        await rt.push_ticks.turn()  # under a burst, the control tick still gets its turns
        show = self._show(p.event)
        seats = sum(z.seats or 0 for z in rt.config.venue.zones.values()
                    if z.kind == ZoneKind.auditorium)
        if p.count > seats:
            raise Invalid("count", f"{p.count} is more than the {seats} seats")
        now = rt.clock.now()
        at = p.at or now
        skew = timedelta(seconds=rt.settings.push_future_skew_s)
        if at > now + skew:
            raise Invalid("at", f"{iso(at, rt)} is more than {skew.total_seconds() / 60:g} min "
                                f"after the service's time {iso(now, rt)}: a count is pushed "
                                "when it is made, not ahead")
        row, created = await rt.write(rt.store.add_push, p.event, p.count, at, p.actor, p.key,
                                      now)
        if not created and row.count != p.count:
            field = "Idempotency-Key" if p.key is not None and (
                row.idempotency_key == p.key) else "at"
            raise Conflict(f"{field}: a count of {row.count} was already pushed for "
                           f"{row.event_id} at {iso(row.at, rt)}; {p.count} was not stored "
                           "(send it with its own time)")
        # taken into the index as stored, without reading the store back (a box office may
        # push hundreds a second); else read what is new, off the event loop
        if not (created and rt.pushes.stored(row.id, row.event_id, row.at, row.count)):
            await rt.pushes.refresh(now - PUSH_HORIZON, rt.db)
        pushes = [q for q in rt.pushes.pushes(now - PUSH_HORIZON, sync=False)
                  if q.event_id == p.event]
        after, _ = self._acted(show, pushes, max(now, at))
        # `pushes` holds only those that moved the count: the index says what it was without
        without = rt.pushes.acted_without(p.event, row.at, row.count, max(now, at))
        before = after if not created or without is None else without
        # a count that moves nothing changes no unit (the next tick has it); one that moves
        # the count is planned once, and that plan answers and goes to the units at once
        zone, zs, units = rt.push_ticks.act(show, after, max(now, show.doors_open),
                                            readjusted=after != before)
        return {
            "stored": created, "duplicate": not created, "event": row.event_id,
            "count": row.count, "at": iso(row.at, rt), "acted_on": after,
            "readjusted": created and after != before, "zone": zone,
            "targets": {"phase": zs.phase, "setpoint_c": zs.setpoint_c,
                        "outdoor_air_lps": round(zs.oa_lps, 1), "units": units},
        }

    async def status(self, event: str) -> dict[str, Any]:
        rt = self.rt
        show = self._show(event)
        now = rt.clock.now()
        rows = await rt.db(rt.store.pushes, [event])
        acted, acted_at = self._acted(show, [OccupancyPush(r.event_id, r.count, r.at)
                                             for r in rows], now)
        latest = max(rows, key=lambda r: (r.at, r.id)) if rows else None
        return {"event": event, "expected": show.expected_attendance, "acted_on": acted,
                "acted_at": iso(acted_at, rt), "pushes": len(rows),
                "latest": None if latest is None else {"count": latest.count,
                                                       "at": iso(latest.at, rt),
                                                       "by": latest.actor}}
