"""Faults a real controller shows, injected per unit, so the service's guarantees can be
tested over the real protocols: a unit that answers late, one that answers every request
with a protocol error, and one whose sensors report garbage.

The servers consult `Faults` on every client request; the building consults it on every
sensor read. A unit that does not answer at all needs no fault: close its server.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Fault:
    slow_s: float = 0.0  # every reply this many seconds late
    error: bool = False  # every request refused with a protocol error
    values: dict[str, float] = field(default_factory=dict)  # sensors reporting garbage


class Faults:
    def __init__(self) -> None:
        self._by_unit: dict[str, Fault] = {}

    def set(self, unit: str, *, slow_s: float = 0.0, error: bool = False,
            values: dict[str, float] | None = None) -> None:
        self._by_unit[unit] = Fault(slow_s, error, dict(values or {}))

    def clear(self, unit: str | None = None) -> None:
        if unit is None:
            self._by_unit.clear()
        else:
            self._by_unit.pop(unit, None)

    def of(self, unit: str) -> Fault | None:
        return self._by_unit.get(unit)
