"""The venue's units and served chillers as devices for the drivers: zones.yaml → `drivers`
specs, and drivers."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.base import Backoff, DeviceSpec, Driver, PointAddress
from drivers.memory import MemoryDriver, Target
from hvac_ctl.model import Config
from hvac_ctl.model.points import (
    CHILLER_COMMAND_POINTS,
    COMMAND_POINTS,
    BacnetAddress,
    ChillerPoints,
    ModbusAddress,
    Points,
)


def device_specs(config: Config) -> dict[str, DeviceSpec]:
    """Every device the drivers talk to: the units, then the plant's served chillers, which
    look to the drivers like units (named points at an address)."""
    out = {name: _device(name, u.protocol, u.address, u.points, COMMAND_POINTS)
           for name, u in config.venue.units.items()}
    plant = config.venue.plant
    for name, c in (plant.served if plant is not None else {}).items():
        assert c.protocol is not None and c.address is not None and c.points is not None
        out[name] = _device(name, c.protocol, c.address, c.points, CHILLER_COMMAND_POINTS)
    return out


def _device(name: str, protocol: str, address: BacnetAddress | ModbusAddress,
            points: Points | ChillerPoints, commands: tuple[str, ...]) -> DeviceSpec:
    addressed = {
        pname: PointAddress(
            name=pname, type=p.type.value,
            object_type=p.object_type if p.object else None,
            instance=p.object_instance if p.object else None,
            register=p.register_, table=p.table,
            states=dict(p.states) if p.states else None,
            command=pname in commands,
        )
        for pname, p in points.items()
    }
    if isinstance(address, BacnetAddress):
        host, port = address.ip.rsplit(":", 1)
        return DeviceSpec(name, "bacnet", host, int(port), address.device_id, addressed)
    a = address
    return DeviceSpec(name, "modbus", a.host, a.port, a.device_id, addressed, a.word_order)


@dataclass
class DriverSettings:
    timeout_s: float = 2.0
    bacnet_local: str = "127.0.0.1/24:47809"
    bacnet_max_per_request: int = 16
    modbus_connections: int = 1
    backoff_first_s: float = 0.5
    backoff_cap_s: float = 30.0  # under the tick period: a unit back online is retried next tick


def wire_drivers(config: Config, settings: DriverSettings | None = None) -> dict[str, Driver]:
    """One driver per protocol, for the units that use it."""
    # the protocol stacks load here, not on import: the evaluation's memory drivers need none
    from drivers.bacnet import BacnetDriver
    from drivers.modbus import ModbusDriver

    s = settings or DriverSettings()
    specs = device_specs(config)
    bacnet = [d for d in specs.values() if d.protocol == "bacnet"]
    modbus = [d for d in specs.values() if d.protocol == "modbus"]
    backoff = Backoff(s.backoff_first_s, s.backoff_cap_s)
    return {
        "bacnet": BacnetDriver(bacnet, local=s.bacnet_local, timeout=s.timeout_s,
                               max_per_request=s.bacnet_max_per_request, backoff=backoff),
        "modbus": ModbusDriver(modbus, timeout=s.timeout_s, connections=s.modbus_connections,
                               backoff=backoff),
    }


def memory_drivers(config: Config, target: Target | None = None) -> dict[str, Driver]:
    """Every unit behind one in-memory driver (optionally fronting an in-process building)."""
    specs = device_specs(config)
    driver = MemoryDriver(list(specs.values()), target)
    return {"bacnet": driver, "modbus": driver}
