"""BACnet/IP: each BACnet unit as its own device, exactly as zones.yaml addresses it.

Commands are commandable objects with a priority array and a relinquish default; sensors are
input objects the simulation updates. A client write outside the point's range is refused with
an Error PDU (property, value-out-of-range) and nothing is stored. After any accepted write or
relinquish, the object's effective present value — the highest non-null priority, else the
relinquish default — is what drives the model, as in a real controller.

Built on raw bacpypes3 (0.0.110): its local `BinaryValueObjectCmd` lacks the local object
mixin and there is no commandable multi-state value, so both are assembled here; bacpypes3
does not enforce min/maxPresValue, so the range check is ours.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from bacpypes3.app import Application
from bacpypes3.errors import PropertyError
from bacpypes3.local.analog import AnalogInputObject, AnalogValueObjectCmd
from bacpypes3.local.binary import BinaryInputObject, BinaryValueObject
from bacpypes3.local.cmd import Commandable
from bacpypes3.local.device import DeviceObject
from bacpypes3.local.multistate import MultiStateInputObject, MultiStateValueObject
from bacpypes3.local.networkport import NetworkPortObject
from bacpypes3.primitivedata import Null

from simulator.building import PointSpec, Served
from simulator.engine import WRITER, Building, PointRefused

log = logging.getLogger(__name__)
UNITS = {"degC": "degreesCelsius", "percent": "percent", "ppm": "partsPerMillion",
         "kWh": "kilowattHours"}


class _Guarded:
    """Placed before the bacpypes3 class: every network write passes the building's check,
    and every request meets the unit's injected fault, if any."""

    async def read_property(self, attr: Any, index: Any = None) -> Any:
        hook = self.__dict__.get("_hook")
        if hook is not None:
            await hook.fault()
        return await super().read_property(attr, index)  # type: ignore[misc]  # bacpypes3 is untyped

    async def write_property(self, attr: Any, value: Any, index: Any = None,
                             priority: Any = None) -> None:
        if isinstance(attr, int):
            attr = self._property_identifier_class(attr).attr  # type: ignore[attr-defined]  # set by bacpypes3's object class
        hook = self.__dict__.get("_hook")
        if hook is not None:
            await hook.fault()
        if attr == "presentValue" and hook is not None and not isinstance(value, Null):
            hook.check(value)
        await super().write_property(attr, value, index, priority)  # type: ignore[misc]  # bacpypes3 is untyped
        if attr == "presentValue" and hook is not None:
            hook.changed(self.presentValue)  # type: ignore[attr-defined]  # a bacpypes3 property


class AnalogValueCmd(_Guarded, AnalogValueObjectCmd):
    pass


class BinaryValueCmd(_Guarded, Commandable, BinaryValueObject):
    _required = ("priorityArray", "relinquishDefault")


class MultiStateValueCmd(_Guarded, Commandable, MultiStateValueObject):
    _required = ("priorityArray", "relinquishDefault")


class _ReadOnly(_Guarded):
    pass


class AnalogInput(_ReadOnly, AnalogInputObject):
    pass


class BinaryInput(_ReadOnly, BinaryInputObject):
    pass


class MultiStateInput(_ReadOnly, MultiStateInputObject):
    pass


COMMAND_CLASSES = {"analogValue": AnalogValueCmd, "binaryValue": BinaryValueCmd,
                   "multiStateValue": MultiStateValueCmd}
SENSOR_CLASSES = {"analogInput": AnalogInput, "binaryInput": BinaryInput,
                  "multiStateInput": MultiStateInput}
OBJECT_TYPE = {"analogValue": "analog-value", "binaryValue": "binary-value",
               "multiStateValue": "multi-state-value", "analogInput": "analog-input",
               "binaryInput": "binary-input", "multiStateInput": "multi-state-input"}


def to_bacnet(point: PointSpec, value: float | bool | str) -> Any:
    if point.object_type and point.object_type.startswith("binary"):
        return "active" if value else "inactive"
    if point.object_type and point.object_type.startswith("multiState"):
        return (point.states or {}).get(str(value), 1)
    return float(value)


def from_bacnet(point: PointSpec, value: Any) -> float | bool | str:
    if point.object_type and point.object_type.startswith("binary"):
        return str(value) in ("active", "1", "BinaryPV.active") or value == 1
    if point.object_type and point.object_type.startswith("multiState"):
        number = int(value)
        for name, n in (point.states or {}).items():
            if n == number:
                return name
        raise PointRefused(f"{point.name}: state {number} is not one of {point.states}")
    return float(value)


class _Hook:
    """Ties one served object to one point of the building."""

    def __init__(self, building: Building, unit: Served, point: PointSpec) -> None:
        self.building, self.unit, self.point = building, unit, point

    async def fault(self) -> None:
        """An injected fault: answer late, or refuse with an error (device, operational
        problem) as a controller in trouble does."""
        fault = self.building.faults.of(self.unit.name)
        if fault is None:
            return
        if fault.slow_s > 0:
            await asyncio.sleep(fault.slow_s)
        if fault.error:
            raise PropertyError("operationalProblem")

    def check(self, value: Any) -> None:
        if not self.point.command:
            raise PropertyError("writeAccessDenied")
        try:
            self.building.check(self.unit.name, self.point.name, from_bacnet(self.point, value))
        except (PointRefused, ValueError) as e:
            log.info("refused BACnet write to %s: %s", self.unit.name, e)
            raise PropertyError("valueOutOfRange") from None

    def changed(self, effective: Any) -> None:
        if self.point.command:
            self.building.write(self.unit.name, self.point.name, from_bacnet(self.point, effective))


class _App(Application):  # type: ignore[misc]  # bacpypes3 is untyped
    """A unit's device, noting who sends each write (`engine.WRITER`)."""

    async def do_WritePropertyRequest(self, apdu: Any) -> None:
        token = WRITER.set(str(apdu.pduSource))
        try:
            await super().do_WritePropertyRequest(apdu)
        finally:
            WRITER.reset(token)


class BacnetUnits:
    """One bacpypes3 Application (a BACnet/IP device) per BACnet unit."""

    def __init__(self, building: Building, units: Sequence[Served]) -> None:
        self.building = building
        self.units = list(units)
        self.apps: list[Application] = []
        self._sensors: list[tuple[Served, PointSpec, Any]] = []

    async def start(self) -> None:
        for u in self.units:
            objects: list[Any] = [
                DeviceObject(objectIdentifier=("device", u.device_id), objectName=u.name,
                             vendorIdentifier=999, modelName="hvac-ctl simulator"),
                NetworkPortObject(f"{u.host}/24:{u.port}", objectIdentifier=("network-port", 1),
                                  objectName="NetworkPort-1"),
            ]
            for p in u.points.values():
                obj = self._object(u, p)
                obj._hook = _Hook(self.building, u, p)  # "_" attributes skip bacpypes3's props
                objects.append(obj)
                if not p.command:
                    self._sensors.append((u, p, obj))
            self.apps.append(_App.from_object_list(objects))
        self.publish()

    def _object(self, u: Served, p: PointSpec) -> Any:
        kind = p.object_type or ""
        classes = COMMAND_CLASSES if p.command else SENSOR_CLASSES
        if kind not in classes:
            raise ValueError(f"{u.name}.{p.name}: the simulator does not serve {kind} objects "
                             f"for {'commands' if p.command else 'sensors'}")
        value = to_bacnet(p, self.building.read(u.name, p.name))
        props: dict[str, Any] = {
            "objectIdentifier": (OBJECT_TYPE[kind], p.instance),
            "objectName": f"{u.name}.{p.name}",
            "presentValue": value,
        }
        if p.command:
            props["relinquishDefault"] = value
        if kind.startswith("analog"):
            props["units"] = UNITS.get(p.units or "", "noUnits")
            if p.min is not None:
                props["minPresValue"] = p.min
            if p.max is not None:
                props["maxPresValue"] = p.max
        if kind.startswith("multiState"):
            props["numberOfStates"] = max((p.states or {"x": 1}).values())
            names = {n: s for s, n in (p.states or {}).items()}
            props["stateText"] = [names.get(i, f"state {i}")
                                  for i in range(1, props["numberOfStates"] + 1)]
        if not p.command:
            props["outOfService"] = False
        return classes[kind](**props)

    def publish(self) -> None:
        """Copy the building's sensors into the input objects."""
        for u, p, obj in self._sensors:
            obj.presentValue = to_bacnet(p, self.building.read(u.name, p.name))

    async def close(self) -> None:
        for app in self.apps:
            app.close()
        self.apps.clear()
