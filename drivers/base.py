"""One small interface for every device family, and what all drivers share.

Above this package a unit has named points (`setpoint`, `zone_temp`, …); below it, object ids
and registers. Every call carries the driver's own timeout; a device that stops answering is
marked offline and retried with backoff, failing fast in between, so one dead device never
stalls a control tick for longer than one timeout.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol, TypeVar

Value = bool | float | str
WordOrder = Literal["big", "little"]  # of a float32's two registers
T = TypeVar("T")


@dataclass(frozen=True)
class PointAddress:
    """Where a named point lives on its device, and how its value is encoded."""

    name: str
    type: str  # bool | real | enum | uint16 | int16 | float32
    object_type: str | None = None  # BACnet, e.g. "analogValue"
    instance: int | None = None
    register: int | None = None  # Modbus
    table: Literal["holding", "input"] | None = None
    states: dict[str, int] | None = None
    command: bool = False

    @property
    def boolean(self) -> bool:
        """An on/off point, whatever register holds it (a chiller's run `status` too)."""
        return self.type == "bool" or self.name in ("enable", "fan_status", "status")

    @property
    def register_count(self) -> int:
        return 2 if self.type in ("float32", "real") else 1


@dataclass(frozen=True)
class DeviceSpec:
    name: str
    protocol: Literal["bacnet", "modbus", "memory"]
    host: str
    port: int
    device_id: int
    points: dict[str, PointAddress]
    word_order: WordOrder = "big"


class DriverError(Exception):
    """A call that did not do what was asked: offline, timed out, or refused by the device."""

    def __init__(self, message: str, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused  # the device answered "no" (out of range…): it is online


@dataclass(frozen=True)
class Reading:
    value: Value | None
    ok: bool
    error: str | None = None


class State(StrEnum):
    online = "online"
    stale = "stale"  # answered once, but not for a while
    offline = "offline"


@dataclass(frozen=True)
class Health:
    state: State
    last_error: str | None
    latency_ms: float | None
    consecutive_failures: int


class Driver(Protocol):
    """What the control loop and the poller need of any protocol."""

    has_priorities: bool  # a BACnet-style priority array; if not, the loop is the only writer

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def read(self, device: str, points: Sequence[str]) -> dict[str, Reading]: ...

    async def write(self, device: str, point: str, value: Value, priority: int) -> None: ...

    async def release(self, device: str, point: str, priority: int) -> None: ...

    async def commanding_priority(self, device: str, point: str) -> int | None: ...

    def health(self, device: str) -> Health: ...


@dataclass
class Backoff:
    """Exponential retry delays for a lost device: 0.5 s, 1 s, 2 s … up to `cap`."""

    first: float = 0.5
    cap: float = 30.0

    def delay(self, failures: int) -> float:
        # The exponent stops growing well past any cap: a device lost for a day has failed
        # thousands of times, and 2.0 ** 1024 overflows a float.
        return min(self.cap, self.first * 2.0 ** min(max(0, failures - 1), 64))


@dataclass
class Link:
    """The health of one device and the guard around every call to it."""

    name: str
    timeout: float
    backoff: Backoff = field(default_factory=Backoff)
    stale_after: float = 60.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    last_error: str | None = None
    latency_ms: float | None = None
    last_ok: float | None = None
    retry_at: float = 0.0

    async def call(self, what: str, fn: Callable[[], Awaitable[T]]) -> T:
        now = self.clock()
        if self.failures and now < self.retry_at:
            raise DriverError(f"{self.name} is offline ({self.last_error}); next try in "
                              f"{self.retry_at - now:.1f} s")
        start = self.clock()
        try:
            async with asyncio.timeout(self.timeout):  # no extra task, unlike wait_for
                result = await fn()
        except DriverError as e:
            if e.refused:
                self._ok(start)
            else:
                self._failed(f"{what}: {e}")
            raise
        except TimeoutError:
            self._failed(f"{what}: no answer within {self.timeout:g} s")
            raise DriverError(f"{self.name}: {what}: no answer within {self.timeout:g} s") from None
        except (OSError, ConnectionError) as e:
            self._failed(f"{what}: {e}")
            raise DriverError(f"{self.name}: {what}: {e}") from None
        self._ok(start)
        return result

    def _ok(self, start: float) -> None:
        self.latency_ms = (self.clock() - start) * 1000
        self.last_ok = self.clock()
        self.failures = 0
        self.retry_at = 0.0

    def _failed(self, error: str) -> None:
        self.failures += 1
        self.last_error = error
        self.retry_at = self.clock() + self.backoff.delay(self.failures)

    def health(self) -> Health:
        if self.failures:
            state = State.offline
        elif self.last_ok is None or self.clock() - self.last_ok > self.stale_after:
            state = State.stale if self.last_ok is not None else State.offline
        else:
            state = State.online
        return Health(state, self.last_error, self.latency_ms, self.failures)
