"""Modbus TCP on pymodbus 3.16.

Reads are coalesced into contiguous ranges of at most 125 registers (a small gap is read
through rather than paying a round trip); float32 uses the unit's word order; several
connections per server are allowed, since pymodbus serialises requests on one connection.
Modbus has no priority array: `priority` is accepted and ignored, and the control loop is the
only writer. A lost connection is closed and reopened on the next call after the backoff;
pymodbus' own reconnect loop is not used.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException
from pymodbus.pdu import ModbusPDU

from drivers.base import (
    Backoff,
    DeviceSpec,
    DriverError,
    Health,
    Link,
    PointAddress,
    Reading,
    Value,
    WordOrder,
)

FLOAT32 = AsyncModbusTcpClient.DATATYPE.FLOAT32
MAX_REGISTERS = 125
MAX_GAP = 8


@dataclass(frozen=True)
class Block:
    table: str
    start: int
    count: int
    points: tuple[PointAddress, ...]


def coalesce(points: Sequence[PointAddress], max_registers: int = MAX_REGISTERS,
             max_gap: int = MAX_GAP) -> list[Block]:
    """Group points into as few reads as possible, none longer than `max_registers`."""
    blocks: list[Block] = []
    for table in ("holding", "input"):
        ordered = sorted((p for p in points if p.table == table), key=lambda p: p.register or 0)
        current: list[PointAddress] = []
        start = end = 0
        for p in ordered:
            reg, n = p.register or 0, p.register_count
            if current and reg - end <= max_gap and reg + n - start <= max_registers:
                current.append(p)
                end = max(end, reg + n)
                continue
            if current:
                blocks.append(Block(table, start, end - start, tuple(current)))
            current, start, end = [p], reg, reg + n
        if current:
            blocks.append(Block(table, start, end - start, tuple(current)))
    return blocks


def decode(p: PointAddress, regs: Sequence[int], word_order: WordOrder) -> Value:
    if p.type in ("float32", "real"):
        return float(cast(float, AsyncModbusTcpClient.convert_from_registers(  # FLOAT32: a float
            list(regs), FLOAT32, word_order=word_order)))
    raw = regs[0] - 0x10000 if p.type == "int16" and regs[0] >= 0x8000 else regs[0]
    if p.boolean:
        return bool(raw)
    if p.states:
        for name, number in p.states.items():
            if number == raw:
                return name
        raise DriverError(f"{p.name}: {raw} is not one of the states {p.states}")
    return float(raw)


def encode(p: PointAddress, value: Value, word_order: WordOrder) -> list[int]:
    if p.type in ("float32", "real"):
        return AsyncModbusTcpClient.convert_to_registers(
            float(value), FLOAT32, word_order=word_order)
    if isinstance(value, str):
        if not p.states or value not in p.states:
            raise DriverError(f"{p.name}: '{value}' is not one of {p.states}", refused=True)
        return [p.states[value]]
    return [round(float(value)) & 0xFFFF]


class _Connection:
    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.client: AsyncModbusTcpClient | None = None
        self.lock = asyncio.Lock()

    async def ensure(self) -> AsyncModbusTcpClient:
        if self.client is None or not self.client.connected:
            if self.client is not None:
                self.client.close()
            client = AsyncModbusTcpClient(self.host, port=self.port, timeout=self.timeout,
                                          retries=0, reconnect_delay=0)
            if not await client.connect():
                client.close()
                raise ConnectionError(f"cannot connect to {self.host}:{self.port}")
            self.client = client
        return self.client

    def drop(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None


class ModbusDriver:
    has_priorities = False  # the control loop is the only writer

    def __init__(self, devices: Sequence[DeviceSpec], timeout: float = 2.0,
                 connections: int = 1, backoff: Backoff | None = None,
                 max_registers: int = MAX_REGISTERS) -> None:
        self.devices = {d.name: d for d in devices}
        self.max_registers = max_registers
        self.links = {d.name: Link(d.name, timeout, backoff or Backoff()) for d in devices}
        self._pools: dict[tuple[str, int], list[_Connection]] = defaultdict(list)
        for d in devices:
            pool = self._pools[(d.host, d.port)]
            if not pool:
                pool.extend(_Connection(d.host, d.port, timeout) for _ in range(connections))
        self._turn = {key: itertools.cycle(range(len(pool))) for key, pool in self._pools.items()}
        self._plans: dict[tuple[str, tuple[str, ...]], list[Block]] = {}  # reads, coalesced once

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        for pool in self._pools.values():
            for conn in pool:
                conn.drop()

    def _pick(self, d: DeviceSpec) -> _Connection:
        pool = self._pools[(d.host, d.port)]
        idle = [c for c in pool if not c.lock.locked()]
        return idle[0] if idle else pool[next(self._turn[(d.host, d.port)])]

    async def _request(self, d: DeviceSpec, what: str, op: str, *args: object,
                       **kwargs: object) -> ModbusPDU:
        conn = self._pick(d)

        async def go() -> ModbusPDU:
            async with conn.lock:
                try:
                    client = await conn.ensure()
                    response: ModbusPDU = await getattr(client, op)(
                        *args, device_id=d.device_id, **kwargs)
                except (ModbusException, ConnectionError, OSError) as e:
                    conn.drop()
                    raise ConnectionError(str(e) or type(e).__name__) from None
                except asyncio.CancelledError:
                    conn.drop()  # a timed-out request leaves the connection in an unknown state
                    raise
            if response.isError():
                code = getattr(response, "exception_code", None)
                raise DriverError(f"{d.name}: {what}: Modbus exception {code}", refused=True)
            return response

        return await self.links[d.name].call(what, go)

    async def read(self, device: str, points: Sequence[str]) -> dict[str, Reading]:
        d = self.devices[device]
        key = (device, tuple(points))
        blocks = self._plans.get(key)
        if blocks is None:
            wanted = [d.points[p] for p in points if p in d.points]
            blocks = self._plans[key] = coalesce(wanted, self.max_registers)
        out = {p: Reading(None, False, f"{device} has no point {p}")
               for p in points if p not in d.points}
        for block in blocks:
            op = "read_holding_registers" if block.table == "holding" else "read_input_registers"
            try:
                rr = await self._request(d, f"read {block.table} {block.start}+{block.count}",
                                         op, block.start, count=block.count)
            except DriverError as e:
                out.update({p.name: Reading(None, False, str(e)) for p in block.points})
                continue
            regs = rr.registers
            for p in block.points:
                offset = (p.register or 0) - block.start
                try:
                    out[p.name] = Reading(
                        decode(p, regs[offset:offset + p.register_count], d.word_order), True)
                except DriverError as e:
                    out[p.name] = Reading(None, False, str(e))
        return out

    async def write(self, device: str, point: str, value: Value, priority: int) -> None:
        d = self.devices[device]
        p = d.points[point]
        if p.table != "holding":
            raise DriverError(f"{device}.{point} is not writable", refused=True)
        regs = encode(p, value, d.word_order)
        if len(regs) == 1:
            await self._request(d, f"write {point}", "write_register", p.register, regs[0])
        else:
            await self._request(d, f"write {point}", "write_registers", p.register, regs)

    async def release(self, device: str, point: str, priority: int) -> None:
        """Modbus has no priorities: nothing to release; the loop writes the plan's value."""
        return None

    async def commanding_priority(self, device: str, point: str) -> int | None:
        return None

    def health(self, device: str) -> Health:
        return self.links[device].health()
