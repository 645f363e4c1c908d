"""Who may do what: roles, and bearer tokens looked up with a short memory.

One table of permissions for the API and the panel alike. Everyone signed in may read;
`boxoffice` pushes occupancy; operators, engineers and admins override units and acknowledge
alarms; engineers and admins change schedules.
"""

from __future__ import annotations

import time
from typing import Literal

from hvac_ctl.application.errors import Forbidden
from hvac_ctl.store import Store, TokenInfo

Action = Literal["read", "push occupancy", "override units", "acknowledge alarms",
                 "change schedules"]
MAY: dict[Action, tuple[str, ...]] = {
    "read": ("viewer", "operator", "engineer", "boxoffice", "admin"),
    "push occupancy": ("boxoffice", "admin"),
    "override units": ("operator", "engineer", "admin"),
    "acknowledge alarms": ("operator", "engineer", "admin"),
    "change schedules": ("engineer", "admin"),
}


def may(role: str, action: Action) -> bool:
    return role in MAY[action]


def require(role: str, action: Action) -> None:
    """Forbidden, naming the role and who may, unless `role` may do `action`."""
    if not may(role, action):
        raise Forbidden(f"role '{role}' may not {action}; needs one of: "
                        f"{', '.join(MAY[action])}")


class TokenCache:
    """Bearer tokens recently found valid, for a few seconds.

    Looking a token up in the store on every request would be a tenth of each push at a box
    office's hundreds of pushes a second. Only valid tokens are kept (an unknown one is asked
    again every time), and only for `ttl` seconds of monotonic time: a token revoked with
    `hvac-ctl token revoke` (another process) is refused at the latest that long after.
    `cached` answers from memory (cheap enough for the event loop: the API's dependency asks it
    first); `get` may read the store, so it is called from a request thread.
    """

    def __init__(self, store: Store, ttl_s: float = 5.0) -> None:
        self.store, self.ttl_s = store, ttl_s
        self._valid: dict[str, tuple[TokenInfo, float]] = {}

    def cached(self, token: str) -> TokenInfo | None:
        """The token's holder if it was found valid less than `ttl` ago; None: ask `get`."""
        found = self._valid.get(token)
        return found[0] if found is not None and found[1] > time.monotonic() else None

    def get(self, token: str) -> TokenInfo | None:
        now = time.monotonic()
        found = self._valid.get(token)
        if found is not None and found[1] > now:
            return found[0]
        who = self.store.token(token)
        if who is None:
            self._valid.pop(token, None)
            return None
        if len(self._valid) > 1000:
            self._valid.clear()
        self._valid[token] = (who, now + self.ttl_s)
        return who
