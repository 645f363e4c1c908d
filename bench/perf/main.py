"""Runs the chosen sections one after the other and prints each one's tables as it finishes.

A section that fails prints its traceback in place of its table and the run goes on: one
broken measurement should not hide the others. Nothing is asserted; the numbers are noisy on
a shared machine and are meant to be read next to the ratio beside them.
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

# name → (module under bench.perf, what it measures); imported only when it runs, so that
# `--only plan` does not pay for bacpypes3, uvicorn and pandas
SECTIONS: dict[str, tuple[str, str]] = {
    "push": ("push", "occupancy push → device through the service, vs a raw BACnet write"),
    "poll": ("poll", "points/s through the drivers vs raw bacpypes3 / pymodbus"),
    "plan": ("plan", "a year of planning; plan_at against the 60 s tick"),
    "sim": ("sim", "simulated days per second in process; speed-up over real time"),
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
    started = time.perf_counter()
    failed = []
    print(f"# hvac-ctl performance{' (--quick)' if args.quick else ''}\n", flush=True)
    for name in names:
        module, _ = SECTIONS[name]
        t0 = time.perf_counter()
        try:
            text = importlib.import_module(f"bench.perf.{module}").run(args.quick)
        except Exception:
            failed.append(name)
            text = f"## {name}\n\nFAILED:\n```\n{traceback.format_exc()}```"
        print(f"{text}\n\n_{name}: {time.perf_counter() - t0:.1f} s_\n", flush=True)
    print(f"command: python3 {shlex.join(['bench/perf', *argv])}")
    print(f"total run time {time.perf_counter() - started:.1f} s")
    return 1 if failed else 0
