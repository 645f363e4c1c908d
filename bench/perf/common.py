"""Shared by the sections: percentiles, ratios, markdown tables, and the figures of issue 16."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
TICK_S = 60.0  # the control tick's default period (hvac-ctl serve --tick)


def pct(xs: Sequence[float], q: float) -> float:
    """Nearest-rank percentile, as bench/push_latency.py and bench/drivers.py compute it."""
    if not xs:
        return math.nan
    s = sorted(xs)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


def ratio(a: float, b: float, digits: int = 2) -> str:
    """a / b, or a dash when either side is missing: a table never shows a made-up number."""
    if not (math.isfinite(a) and math.isfinite(b)) or b == 0:
        return "–"
    return f"{a / b:.{digits}f}"


def percent(x: float) -> str:
    """A small fraction as a percentage with two significant digits (0.0028 %)."""
    return "–" if not math.isfinite(x) else f"{100 * x:.2g} %"


def ms(seconds: float, digits: int = 2) -> str:
    return "–" if not math.isfinite(seconds) else f"{seconds * 1000:.{digits}f}"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A markdown table in the README's style (no outer pipes)."""
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    lines += [" | ".join(str(c) for c in r) for r in rows]
    return "\n".join(lines)


@dataclass(frozen=True)
class Source:
    """Where a figure stands in its section's table: the table (its first header cell), the
    row (its leading cells) and the column. An older release's table is searched the same way,
    so that a figure is compared with the baseline wherever both print that cell."""

    table: str
    row: tuple[str, ...]
    column: str


@dataclass(frozen=True)
class Figure:
    """One figure of issue 16's list: measured, beside its floor and its goal.

    The floor is measured in the same run (None: the figure has none); the goal bounds either
    the value itself or its ratio to the floor. Both ratios are costs — value / floor for a
    time, floor / value for a rate — so that above 1 is always worse.
    """

    name: str
    value: float
    unit: str
    source: Source
    floor: float | None = None
    floor_is: str = "—"
    goal: float | None = None
    goal_on_ratio: bool = False
    lower_is_better: bool = True

    def cost(self, reference: float | None) -> float:
        """value over `reference` as a cost (above 1: worse than the reference)."""
        if reference is None or not (math.isfinite(self.value) and math.isfinite(reference)):
            return math.nan
        a, b = (self.value, reference) if self.lower_is_better else (reference, self.value)
        return a / b if b else math.nan

    def goal_text(self) -> str:
        if self.goal is None:
            return "—"
        return f"≤ {self.goal:g} × floor" if self.goal_on_ratio else f"≤ {self.goal:g} {self.unit}"

    def met(self) -> bool | None:
        """Whether the goal is met, from the measured numbers; None: no goal or no number."""
        if self.goal is None:
            return None
        x = self.cost(self.floor) if self.goal_on_ratio else self.value
        if not math.isfinite(x):
            return None
        return x <= self.goal if (self.goal_on_ratio or self.lower_is_better) else x >= self.goal


@dataclass
class Output:
    """What a section returns when it has figures for the summary table."""

    text: str
    figures: list[Figure] = field(default_factory=list)


def number(cell: str) -> float:
    """The leading number of a table cell ('1,234', '0.25', '19.3 (×1.02)'), or NaN."""
    m = re.match(r"\s*([+-]?[\d,]*\.?\d+(?:[eE][+-]?\d+)?)", cell)
    if not m:
        return math.nan
    try:
        return float(m.group(1).replace(",", ""))
    except ValueError:
        return math.nan
