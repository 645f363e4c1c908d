"""The harness's service on the simulator's clock at ×10, in a thread of its own: the browser
tests' sync Playwright API owns the test's thread, so the service cannot share it.

`live(tmp, configure, prepare)` starts it (an operator `opera` with `PASSWORD`), and yields it
once it serves; `configure` edits the configuration folder (another venue: `tests/site.py`),
`prepare` acts on the running service before the browser comes (a fault to show)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.harness import Running, service

PASSWORD = "curtain-up-2026"


class Live:
    def __init__(self, tmp: Path, configure: Callable[[Path], None] | None = None,
                 prepare: Callable[[Running], Awaitable[None]] | None = None) -> None:
        self.tmp = tmp
        self.configure, self.prepare = configure, prepare
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.url = ""
        self.running: Running | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as e:  # shown by `live`
            self.error = e
            self.ready.set()

    async def _main(self) -> None:
        async with service(self.tmp, at="2026-12-05 19:35", speed=10,
                           configure=self.configure) as s:
            self.running = s
            s.runtime.store.create_user("opera", "operator", PASSWORD)
            self.url = str(s.http.base_url).rstrip("/")
            if self.prepare is not None:
                await self.prepare(s)
            self.ready.set()
            while not self.stop.is_set():
                await asyncio.sleep(0.1)


@contextmanager
def live(tmp: Path, configure: Callable[[Path], None] | None = None,
         prepare: Callable[[Running], Awaitable[None]] | None = None) -> Iterator[Live]:
    service_ = Live(tmp, configure, prepare)
    service_.thread.start()
    assert service_.ready.wait(90), "the service did not start"
    if service_.error is not None:
        raise service_.error
    try:
        yield service_
    finally:
        service_.stop.set()
        service_.thread.join(30)


def signed_in(browser: Any, live: Live, width: int, height: int, start: str = "/panel/login",
              lands: str = "/panel") -> Any:
    """A page at `width`×`height`, the operator signed in from `start` (the bare address
    goes to the sign-in first), landed on `lands`."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live.url}{start}")
    page.wait_for_url(f"{live.url}/panel/login")
    page.fill("#name", "opera")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}{lands}")
    return page
