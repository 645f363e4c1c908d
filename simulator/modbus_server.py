"""Modbus TCP: each Modbus unit as a device id on a server, exactly as zones.yaml addresses it.

Commands live in holding registers and sensors in input registers; float32 in the unit's word
order, enable/status as 0/1, the mode as its state number. A client write goes through the
building's own check: outside the point's range it is refused with exception 3 (illegal data
value) and nothing is stored, as a controller does.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from drivers.base import DriverError, PointAddress
from drivers.modbus import decode as wire_decode
from drivers.modbus import encode as wire_encode
from simulator.building import PointSpec, Served
from simulator.engine import Building, PointRefused

WRITE_CODES = {6, 16, 23}
log = logging.getLogger(__name__)


def _codec(point: PointSpec) -> PointAddress:
    """The wire encoding is the protocol's, not the driver's: one codec serves both ends."""
    return PointAddress(point.name, point.type, register=point.register, table=point.table,
                        states=point.states, command=point.command)


def encode(point: PointSpec, value: float | bool | str, word_order: str) -> list[int]:
    return wire_encode(_codec(point), value, word_order)


def decode(point: PointSpec, regs: Sequence[int], word_order: str) -> float | bool | str:
    try:
        return wire_decode(_codec(point), regs, word_order)
    except DriverError as e:
        raise PointRefused(str(e)) from None


def _span(point: PointSpec) -> range:
    size = 2 if point.type == "float32" else 1
    return range(point.register or 0, (point.register or 0) + size)


class ModbusUnits:
    """One ModbusTcpServer per host:port, one device id per unit."""

    def __init__(self, building: Building, units: Sequence[Served]) -> None:
        self.building = building
        self.units = list(units)
        self.servers: list[ModbusTcpServer] = []
        self._by_device: dict[tuple[str, int, int], Served] = {}
        self._server_of: dict[str, ModbusTcpServer] = {}

    async def start(self) -> None:
        logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
        groups: dict[tuple[str, int], list[Served]] = defaultdict(list)
        for u in self.units:
            groups[(u.host, u.port)].append(u)
        for (host, port), units in groups.items():
            devices = [self._device(u) for u in units]
            server = ModbusTcpServer(devices, address=(host, port))
            await server.serve_forever(background=True)
            self.servers.append(server)
            for u in units:
                self._server_of[u.name] = server
        await self.publish()

    def _device(self, unit: Served) -> SimDevice:
        def size(table: str) -> int:
            spans = [_span(p) for p in unit.points.values() if p.table == table]
            return max((s.stop for s in spans), default=1) + 1

        holding = [0] * size("holding")
        for p in unit.points.values():
            if p.table == "holding":
                value = self.building.read(unit.name, p.name)
                for i, reg in zip(_span(p), encode(p, value, unit.word_order), strict=True):
                    holding[i] = reg

        async def action(func_code: int, start_address: int, address: int, count: int,
                         current: list[int], set_values: list[int] | None) -> ExcCodes | None:
            if set_values is None:  # a client's read
                return await self._fault(unit)
            if func_code not in WRITE_CODES:
                return None  # our own sensor update (function code 4)
            refused = await self._fault(unit)
            if refused is not None:
                return refused
            return self._client_write(unit, start_address, address, current, set_values)

        return SimDevice(
            id=unit.device_id,
            simdata=(
                [SimData(0, values=[False] * 16, datatype=DataType.BITS)],
                [SimData(0, values=[False] * 16, datatype=DataType.BITS)],
                [SimData(0, values=holding, datatype=DataType.REGISTERS)],
                [SimData(0, values=[0] * size("input"), datatype=DataType.REGISTERS)],
            ),
            action=action,
        )

    async def _fault(self, unit: Served) -> ExcCodes | None:
        """An injected fault: answer late, or with exception 4 (server device failure)."""
        fault = self.building.faults.of(unit.name)
        if fault is None:
            return None
        if fault.slow_s > 0:
            await asyncio.sleep(fault.slow_s)
        return ExcCodes.DEVICE_FAILURE if fault.error else None

    def _client_write(self, unit: Served, start: int, address: int, current: list[int],
                      values: list[int]) -> ExcCodes | None:
        """Apply a write to the points it covers; refuse it whole if any value is refused."""
        after = list(current)
        for i, v in enumerate(values):
            after[address - start + i] = v
        touched = range(address, address + len(values))
        changes = []
        for p in unit.points.values():
            span = _span(p)
            if p.table != "holding" or not (set(span) & set(touched)):
                continue
            if not p.command:
                return ExcCodes.ILLEGAL_ADDRESS
            try:
                value = decode(p, [after[r - start] for r in span], unit.word_order)
                self.building.check(unit.name, p.name, value)
            except (PointRefused, ValueError) as e:
                log.info("refused Modbus write to %s: %s", unit.name, e)
                return ExcCodes.ILLEGAL_VALUE
            changes.append((p.name, value))
        for name, value in changes:
            self.building.write(unit.name, name, value)
        return None

    async def publish(self) -> None:
        """Copy the building's sensors into the input registers."""
        for u in self.units:
            server = self._server_of[u.name]
            for p in u.points.values():
                if p.table != "input":
                    continue
                regs = encode(p, self.building.read(u.name, p.name), u.word_order)
                await server.async_setValues(u.device_id, 4, p.register or 0, regs)

    def bound_port(self, unit: Served) -> int:
        return int(self._server_of[unit.name].transport.sockets[0].getsockname()[1])

    async def close(self) -> None:
        for server in self.servers:
            await server.shutdown()
        self.servers.clear()
