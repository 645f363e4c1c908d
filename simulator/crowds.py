"""The audience in the public areas: gathering before a show, out at its interval, leaving.

The study: public areas are "crowded when audiences gather before doors, at intervals and as
they leave". Per show, the people of its audience outside its hall but inside the building
[E]:
- they arrive from `GATHER` (30 min) before the doors until curtain-up, evenly, and wait in
  the foyers until they go in (the hall's loads count them from then: `loads.arrived`);
- at the interval `INTERVAL_OUT` (half) of the audience is out in the foyers;
- after the end they leave the hall over its egress, and take `LEAVE` (10 min) to cross the
  foyers and go out.
A show's crowd is shared among the public zones whose group serves its hall, by floor area
(`ZoneSpec.crowds`, made by whoever describes the building).
"""

from __future__ import annotations

from datetime import datetime, timedelta

GATHER = timedelta(minutes=30)
LEAVE = timedelta(minutes=10)
INTERVAL_OUT = 0.5


def fraction(t: datetime, a: datetime, b: datetime) -> float:
    """How far `t` is from `a` to `b`: 0 before, 1 after (the loads' ramps, and these)."""
    if t <= a:
        return 0.0
    if t >= b:
        return 1.0
    return (t - a) / (b - a)


def foyer_people(attendance: float, doors: datetime, curtain: datetime, interval: datetime,
                 interval_end: datetime, end: datetime, egress: datetime, inside: float,
                 t: datetime) -> float:
    """How many of a show's audience are in the public areas at `t`; `inside` is how many
    of them are in the hall then (before the curtain: come in through the doors)."""
    if doors - GATHER <= t < curtain:
        return max(0.0, attendance * fraction(t, doors - GATHER, curtain) - inside)
    if interval <= t < interval_end:
        return attendance * INTERVAL_OUT
    if end <= t < egress + LEAVE:
        return attendance * (fraction(t, end, egress) - fraction(t, end + LEAVE, egress + LEAVE))
    return 0.0
