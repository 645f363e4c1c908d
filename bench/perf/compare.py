"""Reading bench/perf's markdown back, and setting a run beside its floors, goals and baseline.

The baseline is another release's own bench/perf, run as a subprocess: all that is shared with
it is the printed markdown. So tables are parsed from text, found by their first header cell,
rows by their leading cells and figures by their column's header; whatever an older release
does not print (a section, a row, a column) shows as "–", never as a guess.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench.perf.common import Figure, Source, number, table

# ratios beside the baseline: above 1 is a regression (current / baseline for a time,
# baseline / current for a rate)
COST_NOTE = ("vs baseline: current / baseline for a time or a size, baseline / current for a "
             "rate, so above 1 is worse than the baseline.")


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    start: int  # line index of the header in the text it was parsed from
    end: int  # line index after its last row

    def column(self, name: str) -> int | None:
        return self.header.index(name) if name in self.header else None

    def cell(self, row: Sequence[str], column: str) -> str | None:
        """`column` of the row whose leading cells are `row`, or None."""
        c = self.column(column)
        if c is None:
            return None
        for r in self.rows:
            if tuple(x.strip() for x in r[:len(row)]) == tuple(row) and c < len(r):
                return r[c]
        return None


@dataclass(frozen=True)
class Compare:
    """How a section's table is set beside the baseline's: its key columns (the leading cells
    naming a row) and the figures compared, each True when lower is better."""

    keys: int
    columns: Mapping[str, bool]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split(" | ")]


def tables(text: str) -> dict[str, Table]:
    """The markdown tables of `text` (no outer pipes, as common.table writes them), by their
    first header cell; the first of a kind wins."""
    lines = text.splitlines()
    out: dict[str, Table] = {}
    i = 0
    while i + 1 < len(lines):
        sep = _cells(lines[i + 1])
        if " | " in lines[i] and sep and all(c and set(c) <= {"-", ":"} for c in sep):
            header = _cells(lines[i])
            j = i + 2
            rows = []
            while j < len(lines) and " | " in lines[j]:
                rows.append(_cells(lines[j]))
                j += 1
            out.setdefault(header[0], Table(header, rows, i, j))
            i = j
        else:
            i += 1
    return out


def cost(current: float, base: float, lower_is_better: bool) -> float:
    if not (math.isfinite(current) and math.isfinite(base)) or current == 0 or base == 0:
        return math.nan
    return current / base if lower_is_better else base / current


def fmt(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{x:.2f}"


def annotate(text: str, base: Mapping[str, Table], compare: Mapping[str, Compare]) -> str:
    """`text` with a "vs baseline" column after each compared column of each compared table
    (rows and columns found in the baseline by name; missing ones show "–")."""
    lines = text.splitlines()
    for first, t in sorted(tables(text).items(), key=lambda kv: -kv[1].start):
        how = compare.get(first)
        if how is None:
            continue
        b = base.get(first)
        wanted = [c for c in t.header if c in how.columns]
        header = [h for c in t.header for h in
                  ((c, f"{c} vs baseline") if c in wanted else (c,))]
        rows = []
        for r in t.rows:
            key = tuple(r[:how.keys])
            out: list[str] = []
            for name, cell in zip(t.header, r, strict=False):
                out.append(cell)
                if name in wanted:
                    old = b.cell(key, name) if b is not None else None
                    out.append(fmt(cost(number(cell), number(old), how.columns[name]))
                               if old is not None else "–")
            rows.append(out)
        lines[t.start:t.end] = table(header, rows).splitlines()
    return "\n".join(lines)


def baseline_value(source: Source, base: Mapping[str, Table]) -> float:
    t = base.get(source.table)
    cell = t.cell(source.row, source.column) if t is not None else None
    return math.nan if cell is None else number(cell)


def _num(x: float, unit: str) -> str:
    if not math.isfinite(x):
        return "–"
    if unit in ("ms", "s"):
        return f"{x:.2f}"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.1f}"


def summary(figures: Sequence[tuple[str, Figure]],
            base: Mapping[str, Mapping[str, Table]] | None, base_name: str = "") -> str:
    """Issue 16's table: each figure, its floor and the ratio to it, the goal and whether it is
    met (computed here from the numbers), and with a baseline its value there and the ratio.
    `figures` are (section, figure); `base` maps a section to the baseline's tables of it."""
    header = ["figure", "value", "unit", "floor", "floor is", "ratio to floor", "goal", "met"]
    if base is not None:
        header += [f"baseline {base_name}".strip(), "vs baseline"]
    rows = []
    for section, f in figures:
        met = f.met()
        row = [f.name, _num(f.value, f.unit), f.unit,
               "—" if f.floor is None else _num(f.floor, f.unit), f.floor_is,
               "—" if f.floor is None else fmt(f.cost(f.floor)), f.goal_text(),
               "—" if f.goal is None else "?" if met is None else "met" if met else "NOT MET"]
        if base is not None:
            old = baseline_value(f.source, base.get(section, {}))
            row += [_num(old, f.unit), fmt(cost(f.value, old, f.lower_is_better))]
        rows.append(row)
    return table(header, rows)

