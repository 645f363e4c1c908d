"""Formatting shared by the sections: percentiles, ratios and markdown tables."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
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
