"""Hand the C heap's free pages back to the system once the service has started.

Starting leaves free memory behind in glibc's heap (the configuration's parse, the first
plans, the drivers coming up) that glibc keeps mapped: it returns only the top of its heap by
itself. `malloc_trim(0)`, glibc's documented call, releases every whole free page; on a libc
without it (musl, macOS) there is nothing to do. It moves nothing and frees nothing in use.
"""

from __future__ import annotations

import ctypes


def release_free_memory() -> bool:
    """True when glibc released something (its malloc_trim's answer)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the process's own symbols: libc's among them
    except (OSError, AttributeError):
        return False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return bool(trim(0))
