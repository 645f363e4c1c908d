"""Alarms as operators see them: the active ones from memory, the history from the store, and
acknowledgement — an operator's act that does not clear an alarm whose cause remains."""

from __future__ import annotations

from hvac_ctl.application.errors import NotFound
from hvac_ctl.control.alarms import Alarm
from hvac_ctl.service.runtime import Runtime
from hvac_ctl.store.models import AlarmRow


class Alarms:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def active(self, limit: int = 200) -> list[Alarm]:
        """Newest first."""
        return sorted(self.rt.keeper.active.values(), key=lambda a: (a.raised_at, a.id),
                      reverse=True)[:limit]

    async def history(self, limit: int = 200) -> list[Alarm | AlarmRow]:
        """Active and cleared, newest first: the stored rows, each replaced by what memory
        knows of it — a clear or an acknowledgement still in the write-behind queue — and the
        alarms raised since the last batch was written."""
        rows = await self.rt.db(self.rt.store.alarms, open_only=False, limit=limit)
        known = self.rt.keeper.known()
        merged: dict[int, Alarm | AlarmRow] = {r.id: known.get(r.id, r) for r in rows}
        oldest = min((r.id for r in rows), default=0)
        merged.update({i: a for i, a in known.items()
                       if i not in merged and (i > oldest or len(rows) < limit)})
        return sorted(merged.values(), key=lambda a: (a.raised_at, a.id), reverse=True)[:limit]

    def ack(self, alarm_id: int, actor: str) -> Alarm:
        a = self.rt.ack_alarm(alarm_id, actor)
        if a is None:
            raise NotFound(f"no active alarm {alarm_id}")
        return a
