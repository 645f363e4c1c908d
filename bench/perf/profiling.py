"""Where a profiled run of pushes spends its time: cProfile's numbers, grouped and ranked.

bench/push_latency.py profiles pushes with cProfile (the standard library's: no sampling
profiler is installed here). Everything it profiles runs in one thread — the service (HTTP,
store, planner, control tick, drivers), the simulated devices and the client — so each
function is put in the part of the process it belongs to by its file, and the standard
library's time (sockets, inspect, builtins) is charged to whoever called it. Each line gives
its share of the profiled wall time, so that it can be quoted as it stands.
"""

from __future__ import annotations

import cProfile
import io
import pstats

Key = tuple[str, int, str]  # file, line, function: pstats' key
Raw = dict[Key, tuple[int, int, float, float, object]]  # calls, calls, self, cumulative, callers

# where a profiled function's file lies → what it is part of; first match wins. bacpypes3 is
# both the service's driver and the simulated devices' server: it is its own group.
PARTS = (
    ("/hvac_ctl/", "service: hvac_ctl"),
    ("/drivers/", "service: drivers"),
    ("/simulator/", "simulator"),
    ("bacpypes3", "bacpypes3 (driver and simulated devices)"),
    ("sqlalchemy", "service: store (SQLAlchemy, sqlite3)"),
    ("sqlite3", "service: store (SQLAlchemy, sqlite3)"),
    ("/httpx/", "client: httpx"),
    ("/httpcore/", "client: httpx"),
    ("uvicorn", "service: HTTP (uvicorn, Starlette, FastAPI, pydantic)"),
    ("starlette", "service: HTTP (uvicorn, Starlette, FastAPI, pydantic)"),
    ("fastapi", "service: HTTP (uvicorn, Starlette, FastAPI, pydantic)"),
    ("pydantic", "service: HTTP (uvicorn, Starlette, FastAPI, pydantic)"),
    ("asyncio", "asyncio (the loop, its transports and their socket calls)"),
)
IDLE = "idle: waiting in epoll"
OURS = r"hvac_ctl/|/drivers/|simulator/|sqlalchemy/orm/session"


def part_of(key: Key) -> str:
    path, _, name = key
    if "select.epoll" in name:
        return IDLE
    return next((part for frag, part in PARTS if frag in path), "other")


def where(key: Key) -> str:
    """A function as pstats names it: file:line(name), or {name} for a builtin."""
    path, line, name = key
    return name if path == "~" else f"{path}:{line}({name})"


def charged(raw: Raw, key: Key, seconds: float, depth: int = 6) -> dict[str, float]:
    """`seconds` of `key`'s self time by part: a function of no known part (the standard
    library, builtins, sockets) passes its time to its callers, in proportion to the time
    each call from them took, up to `depth` callers up; what is left is "other"."""
    part = part_of(key)
    callers = raw[key][4] if key in raw else {}
    if part != "other" or depth == 0 or not isinstance(callers, dict) or not callers:
        return {part: seconds}
    weights = {c: float(v[3]) if isinstance(v, tuple) else 0.0 for c, v in callers.items()}
    total = sum(weights.values())
    if total <= 0:
        return {part: seconds}
    out: dict[str, float] = {}
    for c, w in weights.items():
        for p, x in charged(raw, c, seconds * w / total, depth - 1).items():
            out[p] = out.get(p, 0.0) + x
    return out


def profile_text(prof: cProfile.Profile, wall: float, top: int = 15) -> str:
    """Self time by part of the process, the functions with the most self time (the wait in
    epoll apart), and our code by cumulative time, as markdown."""
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    raw: Raw = stats.stats  # type: ignore[attr-defined]
    parts: dict[str, float] = {}
    for key, (_, _, tt, _, _) in raw.items():
        for part, share in charged(raw, key, tt).items():
            parts[part] = parts.get(part, 0.0) + share
    lines = ["self time by part (the standard library's charged to its callers) | s | % of wall",
             "--- | --- | ---"]
    lines += [f"{p} | {t:.3f} | {100 * t / wall:.1f}"
              for p, t in sorted(parts.items(), key=lambda kv: -kv[1])]
    lines += ["", f"top {top} functions by self time | calls | self s | % of wall | cumulative s",
              "--- | --- | --- | --- | ---"]
    busy = sorted((kv for kv in raw.items() if part_of(kv[0]) != IDLE),
                  key=lambda kv: -kv[1][2])[:top]
    lines += [f"`{where(k)}` | {v[1]} | {v[2]:.3f} | {100 * v[2] / wall:.1f} | {v[3]:.3f}"
              for k, v in busy]
    stats.sort_stats("cumulative").print_stats(OURS, 25)
    listing = "\n".join(line for line in buf.getvalue().splitlines()
                        if line.strip() and "function calls" not in line)
    return "\n".join(lines) + f"\n\nour code by cumulative time:\n```\n{listing}\n```"
