"""The audience's CO2 flushed as it leaves: outdoor air sized from what is measured.

At the last bow the hall holds its CO2 (near the plan's ceiling, limit − margin, after three
hours) and its audience, who keep breathing on the way out. Ventilating only for the people
still in (`egress`) holds that CO2 but does not lower it, and a hall that ended a little
above the ceiling, or whose crowd was larger than counted, crosses the limit as it empties.
So from the end, while people leave, each zone takes the least outdoor air with which its
measured CO2, the people counted leaving evenly over the rest of the egress time, stays under
the ceiling, or, measured above it, falls back to it within `BACK` (one egress step) and
stays under it. Sized again at every step from the newest measurement, it is a
receding-horizon controller: a CO2 that falls faster than planned asks for less air. The
running units' supply caps it; a hall that needs more is given all they take, and says so.

Well-mixed balance, V·dC/dt = N(t)·g − Q·(C − C_out), with N falling linearly to 0 over the
remaining egress time T: solved in closed form for a constant Q and searched by bisection.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from hvac_ctl.model.venue import Occupancy

SAMPLES = 60  # instants over the egress at which the course is checked (exact at each)
TOLERANCE_LPS = 10.0
BACK = timedelta(minutes=5)  # a CO2 above the ceiling is back at it within this


@dataclass(frozen=True)
class PurgeAir:
    oa_lps: float  # the outdoor air, L/s
    peak_ppm: float  # the highest CO2 it gives while people leave (after now)
    end_ppm: float  # the CO2 once they are out
    capped: bool  # the units' supply is not enough to reach the ceiling in time
    why: str


def co2_course(c0_ppm: float, people: float, remaining: timedelta, oa_lps: float,
               volume_m3: float, occ: Occupancy) -> Callable[[float], float]:
    """CO2 as a function of the seconds from now, with `people` leaving evenly over
    `remaining` at `oa_lps` of outdoor air (closed form of the mixed balance with a linear
    source). Its constants are worked out once: a course is read at every sample of the
    egress, for every air flow the search tries (`_course`)."""
    span = remaining.total_seconds()
    gen = people * occ.co2_per_person_lps / 1000.0 / volume_m3 * 1e6  # ppm/s at `now`
    a = oa_lps / 1000.0 / volume_m3  # air changes per second
    out = occ.outdoor_co2_ppm
    if span <= 0:
        gen = 0.0
        span = 1.0
    if a <= 0:  # no air: the people's CO2 accumulates
        def sealed(seconds: float) -> float:
            s = min(seconds, span)
            return c0_ppm + gen * (s - s * s / (2 * span))
        return sealed
    # the source gen·(1 − x/span) solved exactly: steady state, less the start's offset
    per_air = gen / a
    lag = gen / (a * a * span)
    offset = c0_ppm - (out + per_air + lag)

    def leaving(x: float) -> float:
        return out + per_air * (1 - x / span) + lag + offset * math.exp(-a * x)

    out_at = leaving(span)

    def co2(s: float) -> float:
        if s <= span:
            return leaving(s)
        return out + (out_at - out) * math.exp(-a * (s - span))  # out: a plain decay
    return co2


def co2_at(c0_ppm: float, people: float, remaining: timedelta, oa_lps: float,
           volume_m3: float, occ: Occupancy, t: timedelta) -> float:
    """CO2 `t` from now with `people` leaving evenly over `remaining` at `oa_lps` of outdoor
    air (`co2_course`, read once)."""
    return co2_course(c0_ppm, people, remaining, oa_lps, volume_m3, occ)(t.total_seconds())


def bound(measured_ppm: float, ceiling_ppm: float, t: timedelta) -> float:
    """The most CO2 allowed `t` from now: the ceiling, or from above it straight back to it
    within `BACK`."""
    if measured_ppm <= ceiling_ppm:
        return ceiling_ppm
    return max(ceiling_ppm, measured_ppm - (measured_ppm - ceiling_ppm) * (t / BACK))


@dataclass(frozen=True)
class _Samples:
    """The instants over the egress a course is checked at, in seconds from now, and the
    most CO2 allowed at each (`bound`): the same for every air flow the search tries."""

    seconds: list[float]
    limits: list[float]

    @classmethod
    def of(cls, c0: float, remaining: timedelta, occ: Occupancy) -> _Samples:
        ceiling = occ.co2_limit_ppm - occ.co2_margin_ppm
        times = [remaining * k / SAMPLES for k in range(1, SAMPLES + 1)]
        return cls([t.total_seconds() for t in times], [bound(c0, ceiling, t) for t in times])


def _course(c0: float, people: float, remaining: timedelta, oa_lps: float, volume_m3: float,
            occ: Occupancy, samples: _Samples) -> tuple[float, float, float]:
    """(peak after now, value when they are out, worst excess over the bound)."""
    course = co2_course(c0, people, remaining, oa_lps, volume_m3, occ)
    values = [course(s) for s in samples.seconds]
    excess = max(v - limit for v, limit in zip(values, samples.limits, strict=True))
    return max(values), values[-1], excess


def purge_air(measured_ppm: float | None, people: float, remaining: timedelta,
              volume_m3: float, occ: Occupancy, supply_lps: float) -> PurgeAir | None:
    """The least outdoor air, up to `supply_lps`, with which the measured CO2 stays within
    `bound` while `people` leave over `remaining`. None without a measurement or a crowd."""
    if measured_ppm is None or people <= 0 or remaining <= timedelta(0) or volume_m3 <= 0:
        return None

    samples = _Samples.of(measured_ppm, remaining, occ)
    checks = list(zip(samples.seconds, samples.limits, strict=True))

    def enough(lps: float) -> bool:
        # the worst excess over the bound at most 0.5 ppm (`_course`'s), asked of each
        # sample in turn: the bisection's too-little flows fail at an early one
        course = co2_course(measured_ppm, people, remaining, lps, volume_m3, occ)
        return all(course(at) - limit <= 0.5 for at, limit in checks)

    if enough(0.0):
        lo = hi = 0.0
    elif not enough(supply_lps):
        lo = hi = supply_lps
    else:
        lo, hi = 0.0, supply_lps  # invariant: not enough(lo), enough(hi)
        while hi - lo > TOLERANCE_LPS:
            mid = (lo + hi) / 2
            if enough(mid):
                hi = mid
            else:
                lo = mid
    peak, end, _ = _course(measured_ppm, people, remaining, hi, volume_m3, occ, samples)
    capped = not enough(hi)
    why = (f"CO2 {measured_ppm:.0f} ppm with {people:.0f} leaving: {hi:.0f} L/s of outdoor "
           f"air brings it to {end:.0f} ppm as they go")
    if capped:
        why += " (all the running units take; the ceiling is not reached in time)"
    return PurgeAir(hi, peak, end, capped, why)
