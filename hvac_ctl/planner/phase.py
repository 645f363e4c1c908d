"""What a phase's own sequence decides for a zone, before the zone-wide sequences act on it.

Each phase sequence (`precool`, `show`, `relaxed` for tours, get-ins and post-shows) turns a
claim into a `PhaseDecision`; `zone` then runs the sequences every phase shares on it —
egress, the CO2 trim and purge, the mode, the closed loop, the economiser, tempering — and
`unit_points` turns the result into values for the units.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PhaseDecision:
    setpoint_c: float  # the setpoint of the season's preferred mode (clamped later)
    running: tuple[str, ...]  # the units the phase runs
    fan_cap_pct: float
    people: float
    oa_lps: float  # outdoor air the people in the zone need, L/s
    reason: str  # why, in words
