"""What a use case answers when it cannot do what was asked — in the caller's terms, not HTTP's.

The API turns these into status codes (`service.app`), the panel into a message on the page;
each names what was wrong so that the person or system that asked can fix it.
"""

from __future__ import annotations


class Problem(Exception):
    """Base: `message` is for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(Problem):
    """No such event, zone, unit, override, alarm or file (404)."""


class Invalid(Problem):
    """A field's value cannot be taken (422); `field` names it, `where` is body/query/path."""

    def __init__(self, field: str, message: str, where: str = "body") -> None:
        super().__init__(message)
        self.field, self.where = field, where


class ConfigRejected(Problem):
    """A schedule that does not validate (422): every issue, with file, line and key."""

    def __init__(self, issues: list[str]) -> None:
        super().__init__("; ".join(issues))
        self.issues = issues


class Conflict(Problem):
    """It contradicts what is stored (409)."""


class Forbidden(Problem):
    """The role may not do this (403)."""


class StoreBusy(Problem):
    """The store cannot take this now (503, retry after `retry_after_s`): nothing was stored."""

    def __init__(self, reason: str, retry_after_s: int = 5) -> None:
        super().__init__(f"the store cannot take this now ({reason}); nothing was stored — "
                         "retry shortly")
        self.retry_after_s = retry_after_s
