"""Optimal start for precool, after ASHRAE Guideline 36 (Modelica `OptimalStart`).

Each day the service measures how fast a zone was pulled to its precool target
(`measure_rate`); the planner averages the last n days per zone and mode and starts precool
`|T − target| / rate` before doors open, within a minimum and maximum lead. Unlike G36 the
target already allows for the audience: it sits 0.5–1 K below the show setpoint; and a
pull further than the learned ones gets more time per kelvin (`Learned.hours`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hvac_ctl.model.venue import PrecoolConfig
from hvac_ctl.planner.inputs import Mode, RecoverySample

MAX_RECOVERY = timedelta(hours=3)


@dataclass(frozen=True)
class Learned:
    """What the last days' pulls say: their mean rate, and how far they pulled on average
    (None: before any history, or not recorded)."""

    rate_k_per_h: float
    pull_k: float | None = None

    def hours(self, delta_k: float) -> float:
        """Hours to pull `delta_k`. A pull further than the learned ones takes longer per
        kelvin: beyond what the air alone gives, the structure has to follow (in the two-node
        hall a 1.4 K morning pull takes about twice what evenings' 0.5 K pulls predict)."""
        if self.rate_k_per_h <= 0:
            return math.inf
        hours = max(delta_k, 0.0) / self.rate_k_per_h
        if self.pull_k and delta_k > self.pull_k:
            hours *= delta_k / self.pull_k
        return hours


def learned(samples: Sequence[RecoverySample], mode: Mode, before: date, cfg: PrecoolConfig
            ) -> Learned:
    """Moving average of the last `history_days` pulls before `before`, or the default."""
    usable = sorted(
        (s for s in samples if s.mode == mode and s.day < before and s.rate_k_per_h > 0),
        key=lambda s: s.day,
    )[-cfg.history_days:]
    if not usable:
        return Learned(cfg.default_rate_k_per_h.get(mode, 2.0))
    pulls = [s.pull_k for s in usable if s.pull_k]
    return Learned(sum(s.rate_k_per_h for s in usable) / len(usable),
                   sum(pulls) / len(pulls) if pulls else None)


def average_rate(
    samples: Sequence[RecoverySample], mode: Mode, before: date, cfg: PrecoolConfig
) -> float:
    """Moving average of the last `history_days` rates before `before`, or the default."""
    return learned(samples, mode, before, cfg).rate_k_per_h


def lead_time(delta_k: float, rate: float | Learned, cfg: PrecoolConfig) -> timedelta:
    """How long before doors open precool must start to cover `delta_k` at `rate`."""
    what = rate if isinstance(rate, Learned) else Learned(rate)
    hours = what.hours(delta_k)
    lead = timedelta(hours=hours) if math.isfinite(hours) else timedelta(
        minutes=cfg.max_lead_min)
    return min(max(lead, timedelta(minutes=cfg.min_lead_min)), timedelta(minutes=cfg.max_lead_min))


def measure_rate(
    trend: Sequence[tuple[datetime, float]], start: datetime, target_c: float, mode: Mode
) -> float | None:
    """The rate (K/h) at which a zone went from its temperature at `start` to `target_c`.

    Like G36, the time taken is capped (3 h): a zone that never got there yields the rate it
    achieved over the cap. None when there is nothing to learn (already at target, no data).
    """
    points = sorted(p for p in trend if p[0] >= start)
    if not points:
        return None
    t0, temp0 = points[0]
    sign = 1.0 if mode == "cool" else -1.0
    delta = sign * (temp0 - target_c)
    if delta <= 0.05:
        return None
    for t, temp in points[1:]:
        if t - t0 > MAX_RECOVERY:
            break
        if sign * (temp - target_c) <= 0:
            hours = (t - t0).total_seconds() / 3600
            return delta / hours if hours > 0 else None
    last_t, last_temp = max((p for p in points if p[0] - t0 <= MAX_RECOVERY), key=lambda p: p[0])
    achieved = sign * (temp0 - last_temp)
    hours = (last_t - t0).total_seconds() / 3600
    return achieved / hours if hours > 0 and achieved > 0 else None

