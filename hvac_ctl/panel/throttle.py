"""Sign-in throttling for the panel: repeated failures slow password guessing down.

A panel password is all that stands between someone on the network and the units, so each
user name and each client address may fail a few times (`free`), and after that every further
attempt waits a delay that doubles with each failure, up to `max_delay`. Attempts inside the
wait are refused (429 with Retry-After) before the password is checked: a right password is
refused too, so the answer says nothing about it, and a refused attempt costs the service no
scrypt. Names the store does not know are counted exactly like real ones — the throttle is
keyed by what was typed, never by a lookup — so it cannot be used to find out which names
exist. A successful sign-in forgets both counts; a count nobody has added to for
`forget_after` is forgotten, so a week of typos at one console does not add up.

Why per name and per address: per name alone lets one address try one password against every
name; per address alone lets many addresses take turns at one name. Behind a reverse proxy
every client has the proxy's address (the service binds to loopback), so the per-address count
is then shared — a deliberate trade: X-Forwarded-For is whatever the client says it is.

Time is whatever the caller says it is (the runtime's injected clock), so tests step it; the
counts live in memory, so a restart forgets them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

Key = tuple[str, str]


@dataclass
class _Count:
    failures: int
    last: datetime  # the latest failure
    until: datetime | None = None  # attempts before this are refused unchecked


@dataclass
class SignInThrottle:
    free: int = 5  # failures allowed before any waiting
    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(minutes=5)
    forget_after: timedelta = timedelta(hours=1)
    max_keys: int = 10_000  # names are whatever is typed: bound the memory they take
    _counts: dict[Key, _Count] = field(default_factory=dict)

    @staticmethod
    def keys(name: str, address: str | None) -> tuple[Key, Key]:
        """What one attempt is counted against: the name as typed, and the client's address."""
        return ("name", name.strip().casefold()[:120]), ("address", address or "unknown")

    def wait(self, keys: Sequence[Key], now: datetime) -> timedelta | None:
        """How much longer these keys must wait; None when an attempt may be checked now."""
        waits = [c.until - now for k in keys
                 if (c := self._counts.get(k)) is not None and c.until is not None
                 and c.until > now]
        return max(waits, default=None)

    def failed(self, keys: Sequence[Key], now: datetime) -> timedelta | None:
        """Count a failed attempt against every key; the wait it starts, if any."""
        self._prune(now)
        longest: timedelta | None = None
        for k in keys:
            c = self._counts.get(k)
            if c is None or now - c.last > self.forget_after:
                c = self._counts[k] = _Count(0, now)
            c.failures += 1
            c.last = now
            if c.failures >= self.free:
                doublings = min(c.failures - self.free, 40)  # 2**40 s is far past any cap
                delay = min(self.first_delay * 2 ** doublings, self.max_delay)
                c.until = now + delay
                longest = delay if longest is None else max(longest, delay)
        return longest

    def succeeded(self, keys: Sequence[Key]) -> None:
        for k in keys:
            self._counts.pop(k, None)

    def _prune(self, now: datetime) -> None:
        if len(self._counts) < self.max_keys:
            return
        for k in [k for k, c in self._counts.items() if now - c.last > self.forget_after]:
            del self._counts[k]
        excess = len(self._counts) - self.max_keys + 1
        if excess > 0:  # still full: the least recently failed go first
            for k in sorted(self._counts, key=lambda k: self._counts[k].last)[:excess]:
                del self._counts[k]


def retry_after(wait: timedelta) -> str:
    """Whole seconds for the Retry-After header, rounded up so a client never comes early."""
    return str(max(1, math.ceil(wait.total_seconds())))
