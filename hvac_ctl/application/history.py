"""What happened: trends resampled to a period, and the audit trail — read from the store in a
store thread, for the API and the panel alike."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from hvac_ctl.application.errors import NotFound
from hvac_ctl.service.bounds import check_period
from hvac_ctl.service.runtime import Runtime
from hvac_ctl.store.models import AuditRow

Rows = list[tuple[datetime, float | None, bool]]


class History:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    async def samples(self, unit: str, point: str, start: datetime, end: datetime) -> Rows:
        """Raw samples of a unit's point, or of a zone's plan (`zone:<name>`)."""
        return await self.rt.db(self.rt.store.trends, unit, point, start, end)

    async def trend(self, unit: str, point: str, start: datetime | None,
                    end: datetime | None, every: str) -> pd.Series:
        """Good samples averaged per `every`, indexed in the venue's local time; the last six
        hours by default."""
        rt = self.rt
        end_ = end or rt.clock.now()
        start_ = start or end_ - timedelta(hours=6)
        if unit not in rt.config.venue.units:
            raise NotFound(f"unknown unit '{unit}'")
        check_period(every, start_, end_)
        rows = await self.samples(unit, point, start_, end_)
        frame = pd.DataFrame([(t, v) for t, v, ok in rows if ok and v is not None],
                             columns=["at", "value"]).set_index("at")
        if frame.empty:
            return frame["value"]
        frame = frame.resample(every).mean().dropna()
        frame.index = frame.index.tz_convert(rt.config.venue.venue.tz)
        return frame["value"]

    async def audit(self, actor: str | None = None, unit: str | None = None,
                    action: str | None = None, start: datetime | None = None,
                    end: datetime | None = None, limit: int = 200) -> list[AuditRow]:
        return await self.rt.db(self.rt.store.audit_entries, actor, unit, action, start, end,
                                limit)
