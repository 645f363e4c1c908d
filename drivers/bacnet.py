"""BACnet/IP on bacpypes3 (the stack under BAC0).

Raw bacpypes3 rather than BAC0's wrapper: BAC0 2026.7's `write()` sends nothing, its
`async with` sleeps a second, it writes `~/.BAC0` and cancels background tasks process-wide on
close; bacpypes3 does reads, writes with a priority, relinquish (`Null`) and priority arrays
with one API. Reads are ReadPropertyMultiple, batched per device up to `max_per_request`
properties. Every call is bounded by the driver's timeout, and the stack's own APDU timeout is
set below it so that a dead device does not hold a request for 12 s.

Addresses, object identifiers and property identifiers are handed to bacpypes3 parsed, each
made once per device and point: given strings, bacpypes3 parses all three again on every call
(an `Address` alone is a regular expression and an `ipaddress` parse), and a push's writes to
the auditorium's units are on the way from the box office to the units.

Note: bacpypes3 raises `ErrorRejectAbortNack`, which derives from BaseException, not
Exception; it is caught by name here so that it never escapes a control cycle.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bacpypes3.apdu import AbortPDU, ErrorRejectAbortNack
from bacpypes3.app import Application
from bacpypes3.basetypes import ErrorType, PropertyIdentifier
from bacpypes3.local.device import DeviceObject
from bacpypes3.local.networkport import NetworkPortObject
from bacpypes3.pdu import Address
from bacpypes3.primitivedata import Null, ObjectIdentifier

from drivers.base import (
    Backoff,
    DeviceSpec,
    DriverError,
    Health,
    Link,
    PointAddress,
    Reading,
    Value,
)

OBJECT_TYPE = {
    "analogInput": "analog-input", "analogOutput": "analog-output", "analogValue": "analog-value",
    "binaryInput": "binary-input", "binaryOutput": "binary-output", "binaryValue": "binary-value",
    "multiStateInput": "multi-state-input", "multiStateOutput": "multi-state-output",
    "multiStateValue": "multi-state-value",
}
PRESENT_VALUE = PropertyIdentifier("present-value")
PRIORITY_ARRAY = PropertyIdentifier("priority-array")


def object_id(p: PointAddress) -> str:
    return f"{OBJECT_TYPE[p.object_type or '']},{p.instance}"


def to_wire(p: PointAddress, value: Value) -> Any:
    kind = p.object_type or ""
    if kind.startswith("binary"):
        return "active" if value else "inactive"
    if kind.startswith("multiState"):
        if isinstance(value, str):
            if not p.states or value not in p.states:
                raise DriverError(f"{p.name}: '{value}' is not one of {p.states}", refused=True)
            return p.states[value]
        return int(value)
    return float(value)


def from_wire(p: PointAddress, value: Any) -> Value:
    kind = p.object_type or ""
    if kind.startswith("binary"):
        return int(value) == 1  # BinaryPV: inactive 0, active 1
    if kind.startswith("multiState"):
        number = int(value)
        for name, n in (p.states or {}).items():
            if n == number:
                return name
        return float(number)
    return float(value)


class BacnetDriver:
    has_priorities = True

    def __init__(self, devices: Sequence[DeviceSpec], local: str = "127.0.0.1/24:47809",
                 device_id: int = 3_999_001, timeout: float = 2.0,
                 max_per_request: int = 16, backoff: Backoff | None = None) -> None:
        self.devices = {d.name: d for d in devices}
        self.local = local
        self.device_id = device_id
        self.timeout = timeout
        self.max_per_request = max_per_request
        self.links = {d.name: Link(d.name, timeout, backoff or Backoff()) for d in devices}
        self.app: Application | None = None
        self._addresses: dict[str, Address] = {}
        self._objects: dict[tuple[str, str], ObjectIdentifier] = {}

    async def start(self) -> None:
        apdu_ms = max(100, int(self.timeout * 1000 / 2))  # the stack gives up before we do
        self.app = Application.from_object_list([
            DeviceObject(objectIdentifier=("device", self.device_id), objectName="hvac-ctl",
                         vendorIdentifier=999, apduTimeout=apdu_ms, numberOfApduRetries=0),
            NetworkPortObject(self.local, objectIdentifier=("network-port", 1),
                              objectName="NetworkPort-1"),
        ])

    async def close(self) -> None:
        if self.app is not None:
            self.app.close()
            self.app = None

    def _address(self, d: DeviceSpec) -> Address:
        """The device's address, parsed once (a spec's host and port do not change)."""
        address = self._addresses.get(d.name)
        if address is None:
            address = self._addresses[d.name] = Address(f"{d.host}:{d.port}")
        return address

    def _object(self, d: DeviceSpec, p: PointAddress) -> ObjectIdentifier:
        """The point's object identifier, parsed once."""
        key = (d.name, p.name)
        oid = self._objects.get(key)
        if oid is None:
            oid = self._objects[key] = ObjectIdentifier(object_id(p))
        return oid

    async def _call(self, d: DeviceSpec, what: str,
                    request: Callable[[Application], Awaitable[Any]]) -> Any:
        """`request` made of the started application; its answer is bacpypes3's, untyped."""
        app = self.app
        if app is None:
            raise DriverError("the BACnet driver is not started")

        async def go() -> Any:
            try:
                return await request(app)
            except AbortPDU as e:  # no-response and friends: the device is not there
                raise ConnectionError(f"abort: {getattr(e, 'apduAbortRejectReason', e)}") from None
            except ErrorRejectAbortNack as e:  # the device answered with an error: it is online
                code = getattr(e, "errorCode", None) or getattr(e, "apduAbortRejectReason", e)
                raise DriverError(f"{d.name}: {what}: {code}", refused=True) from None

        return await self.links[d.name].call(what, go)

    async def read(self, device: str, points: Sequence[str]) -> dict[str, Reading]:
        d = self.devices[device]
        wanted = [d.points[p] for p in points if p in d.points]
        out = {p: Reading(None, False, f"{device} has no point {p}")
               for p in points if p not in d.points}
        for i in range(0, len(wanted), self.max_per_request):
            batch = wanted[i:i + self.max_per_request]
            request: list[Any] = []
            for p in batch:
                request += [self._object(d, p), [PRESENT_VALUE]]

            def ask(app: Application, r: list[Any] = request) -> Any:  # bacpypes3's coroutine
                return app.read_property_multiple(self._address(d), r)

            try:
                result = await self._call(d, "read", ask)
            except DriverError as e:
                out.update({p.name: Reading(None, False, str(e)) for p in batch})
                continue
            by_object = {str(oid): value for oid, _prop, _index, value in result}
            for p in batch:
                value = by_object.get(object_id(p))
                if value is None or isinstance(value, ErrorType):
                    out[p.name] = Reading(None, False, f"{device}.{p.name}: no value")
                else:
                    out[p.name] = Reading(from_wire(p, value), True)
        return out

    async def write(self, device: str, point: str, value: Value, priority: int) -> None:
        d = self.devices[device]
        p = d.points[point]
        wire = to_wire(p, value)
        address, oid = self._address(d), self._object(d, p)
        await self._call(d, f"write {point}@{priority}", lambda app: app.write_property(
            address, oid, PRESENT_VALUE, wire, None, priority))

    async def release(self, device: str, point: str, priority: int) -> None:
        d = self.devices[device]
        p = d.points[point]
        address, oid = self._address(d), self._object(d, p)
        await self._call(d, f"release {point}@{priority}", lambda app: app.write_property(
            address, oid, PRESENT_VALUE, Null(()), None, priority))

    async def commanding_priority(self, device: str, point: str) -> int | None:
        """The highest non-null slot of the priority array; None: the relinquish default."""
        d = self.devices[device]
        p = d.points[point]
        array = await self._call(d, f"priority-array {point}", lambda app: app.read_property(
            self._address(d), self._object(d, p), PRIORITY_ARRAY))
        return next((i + 1 for i, slot in enumerate(array) if slot._choice != "null"), None)

    async def priority_array(self, device: str, point: str) -> dict[int, Value]:
        d = self.devices[device]
        p = d.points[point]
        array = await self._call(d, f"priority-array {point}", lambda app: app.read_property(
            self._address(d), self._object(d, p), PRIORITY_ARRAY))
        return {i + 1: from_wire(p, getattr(slot, slot._choice))
                for i, slot in enumerate(array) if slot._choice != "null"}

    def health(self, device: str) -> Health:
        return self.links[device].health()
