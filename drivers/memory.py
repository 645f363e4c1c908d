"""An in-memory driver: BACnet-like priority arrays without a network.

For pure tests and for the season-long evaluation, where the same control code drives a
simulated building in process. It can stand alone (values kept here) or front any `target`
with `read(unit, point)` and `write(unit, point, value)` — the simulator's `Building` has
both — so the code above the driver is the same as on the wire.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from drivers.base import DeviceSpec, DriverError, Health, Reading, State, Value

PRIORITIES = 16


class Target(Protocol):
    def read(self, unit: str, point: str) -> Value: ...

    def write(self, unit: str, point: str, value: Value) -> None: ...


class MemoryDriver:
    has_priorities = True

    def __init__(self, devices: Sequence[DeviceSpec], target: Target | None = None,
                 relinquish_defaults: dict[tuple[str, str], Value] | None = None) -> None:
        self.devices = {d.name: d for d in devices}
        self.target = target
        self.values: dict[tuple[str, str], Value] = dict(relinquish_defaults or {})
        self.slots: dict[tuple[str, str], list[Value | None]] = {}
        self.defaults: dict[tuple[str, str], Value] = dict(relinquish_defaults or {})
        self.offline: set[str] = set()  # tests switch devices off here
        self.writes: list[tuple[str, str, Value, int]] = []  # every write that reached a device

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def _check(self, device: str, point: str) -> None:
        if device in self.offline:
            raise DriverError(f"{device} is offline")
        spec = self.devices.get(device)
        if spec is None or point not in spec.points:
            raise DriverError(f"{device} has no point {point}", refused=True)

    async def read(self, device: str, points: Sequence[str]) -> dict[str, Reading]:
        """Each point's value, or why not. A device that is online and known has `_check`
        looked up once for the call, not once per point (a season's evaluation reads every
        unit's sensors at every tick); any other goes through `_check`, which says why."""
        out = {}
        spec = self.devices.get(device)
        known = spec.points if spec is not None and device not in self.offline else None
        target = self.target
        for p in points:
            try:
                if known is None or p not in known:
                    self._check(device, p)  # raises: offline, or no such point
                value = target.read(device, p) if target is not None else self.values[(device, p)]
                out[p] = Reading(value, True)
            except (DriverError, KeyError, ValueError) as e:
                out[p] = Reading(None, False, str(e))
        return out

    async def write(self, device: str, point: str, value: Value, priority: int) -> None:
        self._check(device, point)
        slots = self.slots.setdefault((device, point), [None] * PRIORITIES)
        previous = slots[priority - 1]
        slots[priority - 1] = value
        try:
            self._apply(device, point)
        except ValueError as e:
            slots[priority - 1] = previous
            raise DriverError(f"{device}.{point}: {e}", refused=True) from None
        self.writes.append((device, point, value, priority))

    async def release(self, device: str, point: str, priority: int) -> None:
        self._check(device, point)
        slots = self.slots.setdefault((device, point), [None] * PRIORITIES)
        slots[priority - 1] = None
        self._apply(device, point)

    async def commanding_priority(self, device: str, point: str) -> int | None:
        self._check(device, point)
        slots = self.slots.get((device, point), [None] * PRIORITIES)
        return next((i + 1 for i, v in enumerate(slots) if v is not None), None)

    def _apply(self, device: str, point: str) -> None:
        slots = self.slots.get((device, point), [None] * PRIORITIES)
        effective = next((v for v in slots if v is not None), self.defaults.get((device, point)))
        if effective is None:
            return
        if self.target is not None:
            self.target.write(device, point, effective)
        self.values[(device, point)] = effective

    def health(self, device: str) -> Health:
        if device in self.offline:
            return Health(State.offline, f"{device} is offline", None, 1)
        return _ONLINE  # asked for every unit at every tick; Health is frozen


_ONLINE = Health(State.online, None, 0.0, 0)
