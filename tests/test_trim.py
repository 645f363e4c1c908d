"""The service gives glibc's free heap pages back once started (hvac_ctl/service/trim.py)."""

from __future__ import annotations

import platform

from hvac_ctl.service.trim import release_free_memory


def test_free_heap_pages_are_released_where_glibc_runs() -> None:
    chunks = [bytes(4096) for _ in range(20_000)]  # ~80 MiB from malloc, not Python's arenas
    del chunks[::2]  # every other one: free pages the heap's top cannot give back
    released = release_free_memory()
    del chunks
    assert released is (platform.libc_ver()[0] == "glibc")
