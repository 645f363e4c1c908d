"""The box office: occupancy pushes at a fixed rate, each answer kept for the check.

Push i is due at t0 + i / rate (an open schedule, not "next when the last answered"): a slow
service does not slow the arrivals down, so the latency is that of the rate asked for. At most
`concurrency` requests are in flight (httpx's pool holds as many connections); when all are
busy the schedule waits for one and the delay shows as lag and as a lower achieved rate,
never as an unbounded heap of tasks. Nothing is sent after `send_by`: a service that cannot
keep up leaves pushes not sent, counted as such, and the run stays bounded in time.

Every push is distinct: its own Idempotency-Key and its own `at` on the service's clock (the
pushes are 1 / rate apart, and the store takes `(event, at)` as a push's identity too).
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

TIMEOUT_S = 30.0  # one request; the whole push phase is bounded by the caller


@dataclass
class Push:
    """One request as the box office saw it."""

    i: int
    key: str
    count: int
    at: datetime
    due: float  # time.monotonic() it was scheduled for
    sent: float = float("nan")
    done: float = float("nan")
    status: int | None = None  # None: no answer (not sent, a transport error or timeout)
    stored: bool | None = None  # the answer's "stored" (False: taken for a duplicate)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def was_sent(self) -> bool:
        return not math.isnan(self.sent)


@dataclass
class Clock:
    """The service's clock as seen from here: venue time `at` read at monotonic `mono`."""

    at: datetime
    mono: float

    def venue_time(self, mono: float) -> datetime:
        return self.at + timedelta(seconds=mono - self.mono)


@dataclass
class Load:
    pushes: list[Push] = field(default_factory=list)
    t0: float = float("nan")
    last_sent: float = float("nan")
    last_done: float = float("nan")

    def sent(self) -> list[Push]:
        return [p for p in self.pushes if p.was_sent]

    def achieved(self) -> float:
        """Pushes sent per second: the rate asked for when every one went out on time."""
        n, span = len(self.sent()), self.last_sent - self.t0
        return (n - 1) / span if n > 1 and span > 0 else math.nan


def headers(token: str, key: str | None = None) -> dict[str, str]:
    h = {"Authorization": f"Bearer {token}"}
    if key is not None:
        h["Idempotency-Key"] = key
    return h


async def read_clock(http: httpx.AsyncClient, token: str, event: str, key: str
                     ) -> tuple[Clock, Push]:
    """The service's own time, from one push without `at` (the service stamps it with its
    clock): its SimClock starts when the process has loaded, seconds after it was launched,
    so the launch time would put every `at` that far ahead of the service. A count of 0 at
    doors open, stored like any other push and checked with them."""
    t = time.monotonic()
    r = await http.post("/api/v1/occupancy", headers=headers(token, key),
                        json={"event": event, "count": 0})
    done = time.monotonic()
    r.raise_for_status()
    body = r.json()
    at = datetime.fromisoformat(body["at"])
    return Clock(at, (t + done) / 2), Push(-1, key, 0, at, due=t, sent=t, done=done,
                                          status=r.status_code, stored=body.get("stored"))


async def push_load(url: str, token: str, event: str, expected: int, clock: Clock, rate: float,
                    seconds: float, concurrency: int, run: str, send_by: float) -> Load:
    """rate × seconds pushes, counts rising from 1 to `expected` as people come through the
    doors (so the service re-adjusts a few times, by its 15 % rule, as in a real evening)."""
    n = max(1, round(rate * seconds))
    load = Load()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    free = asyncio.Semaphore(concurrency)

    async def one(http: httpx.AsyncClient, p: Push) -> None:
        try:
            p.sent = time.monotonic()
            r = await http.post("/api/v1/occupancy", headers=headers(token, p.key),
                                json={"event": event, "count": p.count,
                                      "at": p.at.isoformat()})
            p.done = time.monotonic()
            p.status = r.status_code
            if p.ok:
                p.stored = bool(r.json().get("stored"))
            else:
                p.error = r.text[:200]
        except httpx.HTTPError as e:
            p.done = time.monotonic()
            p.error = f"{type(e).__name__}: {e}"
        finally:
            free.release()

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=TIMEOUT_S) as http:
        tasks = []
        load.t0 = time.monotonic() + 0.05
        for i in range(n):
            due = load.t0 + i / rate
            load.pushes.append(Push(i, f"{run}-{i:06d}", max(1, round(expected * (i + 1) / n)),
                                    clock.venue_time(due), due))
        for p in load.pushes:
            delay = p.due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                await asyncio.wait_for(free.acquire(), send_by - time.monotonic())
            except TimeoutError:
                break  # the rest stay not sent
            tasks.append(asyncio.create_task(one(http, p)))
        await asyncio.gather(*tasks)
    sent = [p for p in load.pushes if p.was_sent]
    load.last_sent = max((p.sent for p in sent), default=math.nan)
    load.last_done = max((p.done for p in sent), default=math.nan)
    return load
