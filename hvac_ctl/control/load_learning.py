"""How far the plan's coil loads are from what the coils meter: learned, so that a plan made
ahead (the evening's preparations against the cap, the Plant page's expected peak) carries
the building's own correction.

`plant_load` estimates each cooling unit's coil from its air alone (sensible heat, mixed air
down to its coldest supply, at most its rating). The coils meter more or less than that —
latent heat, a crowd, a unit throttled by its own loop — and while a unit runs its metered
load stands for it (`PlanInputs.coil_kw`); ahead of time only a ratio can. At each tick the
learner compares the metered coils of the units the plan has cooling with the plan's
estimate of the same units, and follows their ratio with a time constant of `TAU` (a day's
shows and weather weigh in, one noisy reading does not), each sample held within `BOUNDS`.
Below `MIN_PLANNED_KW` of planned cooling there is too little to learn from. In memory: after
a restart the ratio starts at 1 again, the plan's own estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from hvac_ctl.model import Config
from hvac_ctl.planner import PlanState
from hvac_ctl.planner.plant_load import MEASURED_FOR, unit_kw

TAU = timedelta(hours=6)
BOUNDS = (0.5, 3.0)
MIN_PLANNED_KW = 100.0


class LoadLearner:
    def __init__(self) -> None:
        self.ratio = 1.0
        self._last: datetime | None = None

    def observe(self, config: Config, state: PlanState,
                coil_kw: Mapping[str, tuple[datetime, float]], outdoor_c: float | None,
                now: datetime) -> None:
        venue = config.venue
        planned = measured = 0.0
        for unit, points in state.units.items():
            m = coil_kw.get(unit)
            if m is None or now - m[0] > MEASURED_FOR or unit not in venue.units:
                continue
            kw = unit_kw(venue, unit, points, outdoor_c)
            if kw > 0:
                planned += kw
                measured += m[1]
        step = TAU if self._last is None else min(now - self._last, TAU)
        self._last = now
        if planned < MIN_PLANNED_KW:
            return
        sample = min(max(measured / planned, BOUNDS[0]), BOUNDS[1])
        self.ratio += (sample - self.ratio) * (step / TAU)
