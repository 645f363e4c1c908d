"""Runs the chosen sections one after the other and prints each one's tables as it finishes.

A section that fails prints its traceback in place of its table and the run goes on: one
broken measurement should not hide the others. Nothing is asserted; the numbers are noisy on
a shared machine and are meant to be read next to the ratio beside them. At the end, issue
16's figures in one table: each against its floor measured in this run and its goal.

With a baseline (`--baseline REF`, by default the newest tag reachable from HEAD) each section
is also run by REF's own bench/perf from a temporary worktree, right after this tree's (the
two take turns, never at once: the machine has two cores), and every compared figure gets
the ratio to its value there beside it.
"""

from __future__ import annotations

import argparse
import importlib
import shlex
import signal
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack

from bench.perf.baseline import Baseline, newest_tag
from bench.perf.common import Figure, Output
from bench.perf.compare import COST_NOTE, Compare, Table, annotate, summary, tables

# name → (module under bench.perf, what it measures); imported only when it runs, so that
# `--only plan` does not pay for bacpypes3, uvicorn and pandas
SECTIONS: dict[str, tuple[str, str]] = {
    "push": ("push", "occupancy push → device through the service, vs a raw BACnet write"),
    "poll": ("poll", "points/s through the drivers vs raw bacpypes3 / pymodbus"),
    "plan": ("plan", "a year of planning; plan_at against the 60 s tick"),
    "sim": ("sim", "simulated days per second in process; speed-up over real time"),
    "season": ("season", "one season per strategy in process, vs the simulator alone"),
    "memory": ("memory", "the service's RSS: default venue vs a generated 500-unit one"),
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python3 bench/perf",
        description="How fast the software itself is: markdown tables of times and ratios.",
        epilog="sections: " + "; ".join(f"{k}: {v[1]}" for k, v in SECTIONS.items()))
    p.add_argument("--quick", action="store_true",
                   help="smaller counts and venues: a smoke run of a minute or so")
    p.add_argument("--only", action="append", choices=list(SECTIONS), metavar="NAME",
                   help=f"run only this section (repeatable): {', '.join(SECTIONS)}")
    p.add_argument("--db", metavar="URL", help="the push section's store: an empty database "
                   "(postgresql+psycopg://…); default a SQLite file of its own")
    b = p.add_mutually_exclusive_group()
    b.add_argument("--baseline", metavar="REF",
                   help="compare with this commit's own bench/perf (default: the newest tag "
                        "reachable from HEAD, `git describe --tags --abbrev=0`)")
    b.add_argument("--no-baseline", action="store_true", help="no comparison with a release")
    return p


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM (`timeout`, a CI runner) unwinds like Ctrl-C: every child and socket closed."""
    signal.raise_signal(signal.SIGINT)


def interruptibly(body: Callable[[], int]) -> int:
    """`body()`, stopped cleanly by Ctrl-C or SIGTERM (130), as bench/perf and bench/load run.

    Interruptible even when started in the background (a shell then ignores SIGINT for it);
    asyncio.run turns a SIGINT into cancelling its task, so async sections unwind too.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return body()
    except KeyboardInterrupt:
        print("\ninterrupted", flush=True)
        return 130


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return interruptibly(lambda: run(args, sys.argv[1:] if argv is None else argv))


def run(args: argparse.Namespace, argv: list[str]) -> int:
    names = args.only or list(SECTIONS)
    if args.db:
        import bench.push_process

        bench.push_process.STORE_URL = args.db
    started = time.perf_counter()
    failed = []
    figures: list[tuple[str, Figure]] = []
    base_tables: dict[str, dict[str, Table]] = {}
    print(f"# hvac-ctl performance{' (--quick)' if args.quick else ''}\n", flush=True)
    with ExitStack() as stack:
        baseline = open_baseline(args, stack)
        for name in names:
            module, _ = SECTIONS[name]
            t0 = time.perf_counter()
            compare: dict[str, Compare] = {}
            try:
                mod = importlib.import_module(f"bench.perf.{module}")
                compare = getattr(mod, "COMPARE", {})
                out = mod.run(args.quick)
                text, found = (out.text, out.figures) if isinstance(out, Output) else (out, [])
                figures += [(name, f) for f in found]
            except Exception:
                failed.append(name)
                text = f"## {name}\n\nFAILED:\n```\n{traceback.format_exc()}```"
            took = f"_{name}: {time.perf_counter() - t0:.1f} s_"
            if baseline is not None:
                ran = baseline.run(name)
                base_tables[name] = tables(ran.text)
                text = annotate(text, base_tables[name], compare)
                took += (f"; _baseline {baseline.ref}: "
                         f"{ran.note or f'{ran.seconds:.1f} s (its own process)'}_")
            print(f"{text}\n\n{took}\n", flush=True)
        if figures:
            print("## Issue 16's figures: each against its floor (measured in this run) and "
                  "its goal\n")
            print(summary(figures, base_tables if baseline is not None else None,
                          baseline.ref if baseline is not None else ""))
            print("\nratio to floor: value / floor for a time or a size, floor / value for a "
                  "rate (above 1: costlier than the floor); met is computed from the numbers "
                  "above." + (f" {COST_NOTE}" if baseline is not None else "") + "\n")
    print(f"command: python3 {shlex.join(['bench/perf', *argv])}")
    print(f"total run time {time.perf_counter() - started:.1f} s")
    return 1 if failed else 0


def open_baseline(args: argparse.Namespace, stack: ExitStack) -> Baseline | None:
    """The worktree of the baseline, removed when `stack` closes; None (said in one line)
    when there is none to compare with."""
    if args.no_baseline:
        print("baseline: none (--no-baseline)\n", flush=True)
        return None
    ref = args.baseline or newest_tag()
    if ref is None:
        print("baseline: no tag reachable from HEAD and no --baseline REF: no comparison with "
              "an earlier release\n", flush=True)
        return None
    try:
        baseline = stack.enter_context(Baseline(ref, args.quick))
    except (ValueError, RuntimeError) as e:
        print(f"baseline: {e}: no comparison\n", flush=True)
        return None
    if not (baseline.tree / "bench" / "perf").is_dir():
        print(f"baseline {ref} ({baseline.described}): it has no bench/perf: no comparison\n",
              flush=True)
        return None
    why = baseline.imports_its_own()
    if why is not None:
        print(f"baseline {ref}: {why}: no comparison\n", flush=True)
        return None
    print(f"baseline: {ref} ({baseline.described}): its own bench/perf in a temporary "
          f"worktree ({baseline.tree}, removed at the end), each section right after this "
          "tree's\n", flush=True)
    return baseline
