"""Every write recorded: when, which unit and point, old and new value, priority, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from drivers.base import Value


@dataclass(frozen=True)
class WriteRecord:
    at: datetime
    unit: str
    point: str
    old: Value | None
    new: Value | None  # None: the priority slot was relinquished
    priority: int
    why: str
    ok: bool
    error: str | None = None


class AuditLog(Protocol):
    def record(self, entry: WriteRecord) -> None: ...


class MemoryAudit:
    """Kept in memory (tests, the evaluation); the service keeps them in its store for good."""

    def __init__(self) -> None:
        self.entries: list[WriteRecord] = []

    def record(self, entry: WriteRecord) -> None:
        self.entries.append(entry)
