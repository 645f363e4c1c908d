"""What happened: trends resampled to a period, and the audit trail — read from the store in a
store thread, for the API and the panel alike."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from hvac_ctl.application.errors import NotFound
from hvac_ctl.service.bounds import check_period
from hvac_ctl.service.runtime import Runtime
from hvac_ctl.store.models import AuditRow

if TYPE_CHECKING:  # imported where trends are resampled: the service starts without pandas
    import pandas as pd

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
        if point not in rt.config.venue.units[unit].points.names():
            raise NotFound(f"unknown point '{point}' of unit '{unit}' (it has: "
                           f"{', '.join(sorted(rt.config.venue.units[unit].points.names()))})")
        check_period(every, start_, end_)
        rows = await self.samples(unit, point, start_, end_)
        import pandas as pd  # loaded by check_period already; some 50 MiB, for trends only

        frame = pd.DataFrame([(t, v) for t, v, ok in rows if ok and v is not None],
                             columns=["at", "value"]).set_index("at")
        if frame.empty:
            return frame["value"]
        frame = frame.resample(every).mean().dropna()
        frame.index = frame.index.tz_convert(rt.config.venue.venue.tz)
        return frame["value"]

    async def audit(self, actor: str | None = None, unit: str | None = None,
                    action: str | None = None, start: datetime | None = None,
                    end: datetime | None = None, limit: int = 200, offset: int = 0,
                    reasserts: bool = True) -> list[AuditRow]:
        """Newest first; `reasserts=False` folds out re-assertions that changed nothing."""
        return await self.rt.db(self.rt.store.audit_entries, actor, unit, action, start, end,
                                limit, offset, reasserts)

    async def audit_actions(self) -> list[str]:
        return await self.rt.db(self.rt.store.audit_actions)


# A value as the point can mean it: a float32 register's 31.399999618530273 is 31.4. By what
# the point measures, as zones.yaml gives no resolution: tenths of a degree, of a per cent, of a
# kWh; whole ppm.
RESOLUTION = {"setpoint": 1, "zone_temp": 1, "supply_temp": 1, "oa_temp": 1, "zone_rh": 1,
              "oa_rh": 1,
              "oa_damper_min": 1, "fan_speed_max": 1, "co2": 0, "cooling_kwh": 1,
              "heating_kwh": 1, "reheat_kwh": 1, "fan_kwh": 1}


def rounded(value: Any, point: str | None) -> Any:
    """`value` rounded to its point's resolution (decimals; 0.1 for a number of an unknown
    point); booleans, states and text as they are."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return value
    digits = RESOLUTION.get(point or "", 1)
    return round(value) if digits == 0 else round(float(value), digits)
