"""A box office's burst against the running service: is every accepted push stored once?

    python3 bench/load                                  # 200 pushes/s for 60 s, 100 units
    python3 bench/load --rate 50 --seconds 3 --units 10 # a smoke run, ~20 s

The simulator serves a generated venue of `--units` units (bench/_venues.py: ahu-aud-1 three
times, so five BACnet devices with the other two auditorium units, and the rest Modbus, which
one simulator process serves far more cheaply) and the service (`hvac-ctl serve`) drives it,
each in its own process on 127.0.0.1, on one simulated clock at real speed from 5 minutes
after doors open of the show of bench/perf/memory.py's evening: the counts arrive while
people come in, as ticket scans would. Both are started as bench/perf/memory.py starts them;
a boxoffice token comes from `hvac-ctl token create`.

The pushes (bench/load/pushes.py) go to POST /api/v1/occupancy on an open schedule; then the
service's own store (hvac_ctl.store.Store on its SQLite file) is read back and every push is
looked up by its Idempotency-Key and by its `at`: lost = answered 2xx and not stored, doubled =
stored more than once. The control tick is watched through /metrics: hvac_ticks_late_total
counts ticks that took longer than their period (hvac_ctl/service/jobs.py `_timed_tick`).

Prints a markdown table and a verdict; exits 1 when a push was lost or doubled, any push sent
was not answered 2xx, or a tick was late. The rate is not a criterion, but the verdict says
whether it was met: a service slower than asked answers later and later, and what it has not
been sent within send_bound() is counted as not sent. Everything listens on 127.0.0.1 only,
every child is stopped whatever happens, and every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter, defaultdict
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import httpx

from bench._venues import SINGLE_HALL, replicated_venue
from bench.load.pushes import TIMEOUT_S, Load, Push, headers, push_load, read_clock
from bench.perf.common import ROOT, pct, table
from bench.perf.main import interruptibly
from bench.perf.memory import PER_SERVER, START, Child, hvac, start_service, start_sim, units_in
from hvac_ctl.config import load_config
from hvac_ctl.model.calendar import ShowEvent
from hvac_ctl.store import Store

BACNET = 3  # ahu-aud-1 and two copies: with ahu-aud-2 and -3, five BACnet devices
OTHERS = 5  # the default venue's units besides the two templates (2 BACnet, 3 Modbus)
MIN_UNITS = BACNET + OTHERS + 1  # at least the Modbus template itself
AFTER_DOORS = timedelta(minutes=5)
TICK_S = 5.0  # wall seconds, as bench/perf/memory.py: a dozen scheduled ticks in a minute
CONCURRENCY = 32  # requests in flight: enough that the service, not the client, sets the pace
METRICS_EVERY_S = 0.25
TIMEOUT_GRACE_S = 60.0  # beyond the last request's own timeout, before the phase fails
TOKEN_S = 60.0


def send_bound(seconds: float) -> float:
    """How long pushes are sent at the most: twice the run asked for, and 30 s more. A service
    that cannot keep up leaves the rest not sent (counted), so the run stays bounded."""
    return 2 * seconds + 30.0


@dataclass
class Ticks:
    """hvac_ticks_total seen over the run: when it moved, and the late count either side."""

    ticks0: int = 0
    late0: int = 0
    ticks1: int = 0
    late1: int = 0
    moved: list[float] = field(default_factory=list)  # monotonic times it was seen to rise
    start: float = math.nan
    end: float = math.nan

    def longest_gap(self) -> float:
        """The longest stretch without a new tick, window edges included (± one look)."""
        edges = [self.start, *self.moved, self.end]
        return max(b - a for a, b in pairwise(edges))


@dataclass
class Check:
    """The pushes against the store's rows."""

    rows: int = 0
    api_pushes: int | None = None
    lost: list[Push] = field(default_factory=list)
    doubled: list[Push] = field(default_factory=list)
    wrong_count: list[Push] = field(default_factory=list)
    stored_unanswered: int = 0  # stored although not answered 2xx (a timeout, say)
    foreign: int = 0  # rows no push of this run made


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python3 bench/load", description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, default=200.0, help="pushes per second (default 200)")
    p.add_argument("--seconds", type=float, default=60.0, help="how long (default 60)")
    p.add_argument("--units", type=int, default=100,
                   help=f"simulated units in the venue, at least {MIN_UNITS} (default 100)")
    p.add_argument("--tick", type=float, default=TICK_S, metavar="SECONDS",
                   help=f"the service's control tick period (default {TICK_S:g})")
    p.add_argument("--concurrency", type=int, default=CONCURRENCY,
                   help=f"requests in flight at most (default {CONCURRENCY})")
    p.add_argument("--db", metavar="URL", help="the service's store: an empty database "
                   "(postgresql+psycopg://…); default a SQLite file of the run's own")
    return p


def the_show() -> tuple[ShowEvent, datetime]:
    """The show of bench/perf/memory.py's evening, and when the run starts (venue time, naive
    as the CLI reads it). From the single hall's calendar, which every generated venue copies."""
    config = load_config(SINGLE_HALL)
    tz = config.venue.venue.tz
    shows = [e for e in config.calendar.events_between(START.date(), START.date(), tz)
             if isinstance(e, ShowEvent)]
    if not shows:
        raise RuntimeError(f"no show on {START:%Y-%m-%d} in the single hall's calendar")
    show = shows[0]
    return show, (show.doors_open + AFTER_DOORS).astimezone(tz).replace(tzinfo=None)


def create_token(db: str) -> str:
    """A boxoffice token, as an operator would create one: `hvac-ctl token create`."""
    r = subprocess.run(hvac("token", "create", "--role", "boxoffice", "--name",
                            f"bench-load-{uuid.uuid4().hex[:6]}", "--db", db), cwd=ROOT,
                       capture_output=True, text=True, timeout=TOKEN_S, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"hvac-ctl token create failed:\n{r.stdout}{r.stderr}")
    return r.stdout.split()[0]


async def counters(http: httpx.AsyncClient) -> dict[str, int]:
    r = await http.get("/metrics")
    r.raise_for_status()
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+) (\d+)$", r.text, re.M)}


async def watch(http: httpx.AsyncClient, ticks: Ticks, stop: asyncio.Event) -> None:
    """/metrics every METRICS_EVERY_S: when the tick count rises (a missed look is retried)."""
    last = ticks.ticks0
    while not stop.is_set():
        with suppress(httpx.HTTPError):
            now = (await counters(http))["hvac_ticks_total"]
            if now > last:
                ticks.moved.append(time.monotonic())
                last = now
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), METRICS_EVERY_S)


async def load_phase(url: str, token: str, show: ShowEvent, args: argparse.Namespace,
                     run: str) -> tuple[Load, Push, Ticks]:
    """The clock read, the pushes, then one more tick period for the ticks they caused."""
    async with httpx.AsyncClient(base_url=url, timeout=30.0) as http:
        clock, clock_push = await read_clock(http, token, show.id, f"{run}-clock")
        before = await counters(http)
        ticks = Ticks(before["hvac_ticks_total"], before["hvac_ticks_late_total"],
                      start=time.monotonic())
        stop = asyncio.Event()
        watcher = asyncio.create_task(watch(http, ticks, stop))
        try:
            load = await push_load(url, token, show.id, show.expected_attendance, clock,
                                   args.rate, args.seconds, args.concurrency, run,
                                   send_by=time.monotonic() + send_bound(args.seconds))
            # a scheduled tick that began during the pushes is counted once it has ended
            await asyncio.sleep(args.tick + 1.0)
        finally:
            stop.set()
            await watcher
        ticks.end = time.monotonic()
        after = await counters(http)
        ticks.ticks1, ticks.late1 = after["hvac_ticks_total"], after["hvac_ticks_late_total"]
        return load, clock_push, ticks


def check(pushes: list[Push], db: str, event: str, api_pushes: int | None) -> Check:
    """Every push looked up in the store by its key and by its `at` (either identifies it)."""
    store = Store(db)
    try:
        rows = store.pushes([event])
    finally:
        store.close()
    by_key: dict[str | None, set[int]] = defaultdict(set)
    by_at: dict[datetime, set[int]] = defaultdict(set)
    count = {}
    for r in rows:
        by_key[r.idempotency_key].add(r.id)
        by_at[r.at].add(r.id)
        count[r.id] = r.count
    c = Check(rows=len(rows), api_pushes=api_pushes)
    ours = {p.key for p in pushes}
    for p in pushes:
        found = by_key.get(p.key, set()) | by_at.get(p.at, set())
        if not p.ok:
            c.stored_unanswered += bool(found)
        elif not found or p.stored is False:  # a distinct push taken for a duplicate is lost
            c.lost.append(p)
        elif len(found) > 1:
            c.doubled.append(p)
        elif count[next(iter(found))] != p.count:
            c.wrong_count.append(p)
    c.foreign = sum(len(ids) for key, ids in by_key.items() if key not in ours)
    return c


@dataclass
class Logs:
    """What the service's output says went wrong (it is gone with the run's folder)."""

    tracebacks: int
    locked: int
    timeouts: int  # device requests not answered in time (units then marked offline)
    first: str  # the first traceback's last lines: what failed, without the whole stack

    @classmethod
    def read(cls, log: Path) -> Logs:
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        marker = "Traceback (most recent call last)"
        first = ""
        if marker in text:
            stack = []
            for line in text.partition(marker)[2].splitlines()[1:]:
                stack.append(line)
                if line and not line.startswith(" "):  # the exception itself ends it
                    break
            first = "\n".join([marker + ":", *stack[-7:]])
        return cls(text.count(marker), text.count("database is locked"),
                   text.count("no answer within"), first)


def report(args: argparse.Namespace, bacnet: int, modbus: int, load: Load, c: Check,
           ticks: Ticks, logs: Logs) -> tuple[str, list[str]]:
    """The table, and what failed (empty: the run passed)."""
    pushes = load.sent()
    not_sent = len(load.pushes) - len(pushes)
    ok = [p for p in pushes if p.ok]
    statuses = Counter(p.status for p in pushes if p.status is not None and not p.ok)
    unanswered = [p for p in pushes if p.status is None]
    took = [p.done - p.sent for p in ok]
    lag = [p.sent - p.due for p in pushes]
    late = ticks.late1 - ticks.late0
    gap = ticks.longest_gap()
    non2xx = ", ".join(f"{n} × {s}" for s, n in sorted(statuses.items())) or "0"

    def ms(xs: list[float], q: float) -> str:
        return f"{pct(xs, q) * 1000:.1f}" if xs else "–"

    rows = [
        ("venue", f"{bacnet + modbus} units ({bacnet} BACnet + {modbus} Modbus)"),
        ("pushes asked for", f"{len(load.pushes):,} ({args.rate:g}/s for {args.seconds:g} s, "
                             f"≤ {args.concurrency} in flight) + 1 clock read"),
        (f"not sent within {send_bound(args.seconds):g} s (the service behind)", f"{not_sent:,}"),
        ("achieved rate, pushes/s", f"{load.achieved():.1f}"),
        ("answered 2xx", f"{len(ok):,}"),
        ("answered non-2xx", non2xx),
        ("not answered (timeout, connection)", f"{len(unanswered)}"),
        ("stored: store rows / GET /api/v1/occupancy", f"{c.rows:,} / "
         + ("–" if c.api_pushes is None else f"{c.api_pushes:,}")),
        ("**lost** (2xx, not stored)", f"{len(c.lost)}"),
        ("**doubled** (stored more than once)", f"{len(c.doubled)}"),
        ("latency p50 / p99 / max, ms", f"{ms(took, 50)} / {ms(took, 99)} / "
                                        f"{ms(took, 100)}"),
        ("behind schedule p99 / max, ms", f"{ms(lag, 99)} / {ms(lag, 100)}"),
        ("control ticks (scheduled and pushed)", f"{ticks.ticks1 - ticks.ticks0}"),
        (f"**late ticks** (longer than the {args.tick:g} s period)", f"{late}"),
        ("longest gap between ticks, s", f"{gap:.1f}"),
        ("service log: tracebacks / 'database is locked'", f"{logs.tracebacks} / {logs.locked}"),
        ("service log: device requests timed out", f"{logs.timeouts}"),
    ]
    failed = []
    if c.lost:
        failed.append(f"{len(c.lost)} lost (first: {c.lost[0].key})")
    if c.doubled:
        failed.append(f"{len(c.doubled)} doubled (first: {c.doubled[0].key})")
    if c.wrong_count:
        failed.append(f"{len(c.wrong_count)} stored with another count")
    if statuses or unanswered:
        first = next(p for p in pushes if not p.ok)
        failed.append(f"{len(pushes) - len(ok)} not answered 2xx (first: {first.status} "
                      f"{first.error})")
    if late:
        failed.append(f"{late} late ticks")
    if gap > 2 * args.tick:
        failed.append(f"no tick for {gap:.1f} s, more than two periods")
    if c.foreign:
        failed.append(f"{c.foreign} stored pushes this run did not send")
    return table(("figure", "value"), rows), failed


def rate_note(args: argparse.Namespace, load: Load) -> str:
    """Whether the rate asked for was met: not an acceptance criterion, but a run at a lower
    rate than asked must say so next to its verdict."""
    achieved, behind = load.achieved(), len(load.pushes) - len(load.sent())
    if behind == 0 and achieved >= 0.95 * args.rate:
        return f"rate met: {achieved:.1f}/s of {args.rate:g}/s asked"
    return (f"rate NOT met: {achieved:.1f}/s of {args.rate:g}/s asked, the rest queued on at "
            f"most {args.concurrency} connections" + (
                f"; {behind:,} pushes not sent within {send_bound(args.seconds):g} s"
                if behind else ""))


def run(args: argparse.Namespace, argv: list[str]) -> int:
    started = time.perf_counter()
    load_before = os.getloadavg()[0]  # the machine is shared: say how busy it was
    show, start = the_show()
    run_id = f"load-{uuid.uuid4().hex[:8]}"
    stops: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hvac-bench-load-") as tmp_name:
        tmp = Path(tmp_name)
        venue = replicated_venue(tmp / "venue", BACNET, PER_SERVER, clients=1,
                                 modbus_n=args.units - BACNET - OTHERS)
        bacnet, modbus = units_in(venue.folder / "zones.yaml")
        db = args.db or f"sqlite:///{tmp / 'store.db'}"
        svc: Child | None = None
        try:
            with ExitStack() as stack:
                sim = start_sim(venue, tmp, stack, stops, start)
                token = create_token(db)  # while the simulator binds its servers
                served = start_service(venue, tmp, sim, stack, stops, args.tick, start, db)
                svc = served.child
                r = served.http.get("/api/v1/occupancy", params={"event": show.id},
                                    headers=headers(token))
                if r.status_code != 200 or r.json()["pushes"] != 0:
                    raise RuntimeError(f"GET /api/v1/occupancy?event={show.id}: "
                                       f"{r.status_code} {r.text[:300]}")
                load, clock_push, ticks = asyncio.run(asyncio.wait_for(
                    load_phase(served.url, token, show, args, run_id),
                    send_bound(args.seconds) + TIMEOUT_S + args.tick + TIMEOUT_GRACE_S))
                r = served.http.get("/api/v1/occupancy", params={"event": show.id},
                                    headers=headers(token))
                api = r.json()["pushes"] if r.status_code == 200 else None
                c = check([clock_push, *load.pushes], db, show.id, api)
                logs = Logs.read(tmp / "serve.log")  # before the stop, which logs its own
                if not svc.alive():
                    raise RuntimeError(f"the service exited ({svc.proc.returncode}):\n"
                                       f"```\n{svc.tail()}\n```")
        except Exception:
            print(f"FAILED:\n```\n{traceback.format_exc()}```")
            if svc is not None:
                print(f"service log (last lines):\n```\n{svc.tail(30)}\n```")
            print("stopped: " + "; ".join(stops))
            return 1
    text, failed = report(args, bacnet, modbus, load, c, ticks, logs)
    print(f"## Occupancy pushes under load: {args.rate:g}/s for {args.seconds:g} s, "
          f"{bacnet + modbus} units\n")
    print(text)
    print()
    print(f"Event {show.id} (expected {show.expected_attendance}), service clock from "
          f"{start:%Y-%m-%d %H:%M} venue time (doors + {AFTER_DOORS.seconds // 60} min) at "
          f"real speed, --tick {args.tick:g}; counts rising 1 → {show.expected_attendance}, "
          f"each push its own Idempotency-Key and `at`; latency from send to answer. Lost "
          f"and doubled are looked up in the service's SQLite store by key and by `at`; "
          f"stored although not answered 2xx: {c.stored_unanswered}. Ticks from /metrics "
          f"(hvac_ticks_total, hvac_ticks_late_total) from the first push until one tick "
          f"period after the last answer; the longest gap is seen every "
          f"{METRICS_EVERY_S:g} s. Stopped: " + "; ".join(stops) + ". Load average (1 min) "
          f"before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores, shared by the simulator, the service and this client.")
    if logs.first:
        print(f"\nThe service's first traceback (of {logs.tracebacks}):\n```\n{logs.first}\n```")
    print()
    print(f"verdict: {'FAIL — ' + '; '.join(failed) if failed else 'PASS'} "
          f"(lost {len(c.lost)}, doubled {len(c.doubled)}, non-2xx or unanswered "
          f"{sum(p.was_sent and not p.ok for p in load.pushes)}, late ticks "
          f"{ticks.late1 - ticks.late0}); {rate_note(args, load)}")
    print(f"\ncommand: python3 {shlex.join(['bench/load', *argv])}")
    print(f"total run time {time.perf_counter() - started:.1f} s")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.units < MIN_UNITS:
        parser().error(f"--units must be at least {MIN_UNITS} (the default venue's 7 and "
                       f"{BACNET - 1} BACnet copies)")
    if args.rate <= 0 or args.seconds <= 0 or args.concurrency < 1 or args.tick <= 0:
        parser().error("--rate, --seconds, --tick and --concurrency must be positive")
    return interruptibly(lambda: run(args, sys.argv[1:] if argv is None else argv))
