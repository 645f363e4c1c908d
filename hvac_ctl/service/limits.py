"""Request bodies the service will not read: too big, or JSON nested too deep.

Every body here is small — an override, a seat count, a schedule file of a few kB — so a body
of megabytes is a mistake or an attack, and reading it whole first (as FastAPI and Starlette
do) would let anyone fill the memory of the process that also drives the air handlers. This
middleware answers 413 as soon as a body is known to be too big: from its Content-Length
before a byte is read, or, for a body streamed without one, at the first chunk past the
limit. JSON nested deeper than any of our models is refused with a 422 naming the body
before a parser recurses into it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from itertools import accumulate
from typing import Any

from fastapi import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 1_000_000  # the schedule files' own cap (yaml_text in app.py), for all bodies
MAX_JSON_DEPTH = 32  # our deepest model is 3 levels; 32 leaves room and stops a parser bomb

# A string, or an unterminated one up to the end: possessive and always matching, so the scan
# stays linear even on `"\"\"\"…` (a plain `"(…)*"` retries from every quote: quadratic).
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


class BodyLimits:
    """ASGI middleware: 413 for bodies over `max_bytes`, 422 for JSON deeper than `max_depth`."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES,
                 max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        declared = headers.get(b"content-length", b"").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            await _answer(send, 413, self._too_big(int(declared)))
            return
        kind = headers.get(b"content-type")
        if scope.get("method") not in ("POST", "PUT", "PATCH") or not _maybe_json(kind):
            await self.app(scope, self._counting(receive), send)
            return
        body = await self._read(receive)
        if body is None:
            await _answer(send, 413, self._too_big())
            return
        if kind is not None or body.lstrip()[:1] in (b"[", b"{"):
            depth = json_depth(body)
            if depth > self.max_depth:
                await _answer(send, 422, [{
                    "loc": ["body"], "type": "value_error",
                    "msg": f"the body nests {depth} levels deep; at most {self.max_depth}"}])
                return
        await self.app(scope, _replay(body, receive), send)

    def _too_big(self, size: int | None = None) -> str:
        if size is None:
            return f"the request body is over the {self.max_bytes} bytes allowed"
        return f"the request body is {size} bytes; at most {self.max_bytes} are allowed"

    async def _read(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit (the rest is never read)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away: the app sees an empty body, as it would anyway
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    def _counting(self, receive: Receive) -> Receive:
        """`receive` that raises a 413 the moment the bytes streamed pass the limit.

        Raised inside the app's own read, it becomes the app's 413 answer like any other
        HTTPException (FastAPI lets those through its body parsing untouched).
        """
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, self._too_big())
            return message

        return counted


def json_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in a JSON text, brackets inside strings not counted.

    Linear and without recursion, so it is safe on exactly the input it guards against; it
    need not validate — the parser after it does that.
    """
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS).translate(_STEP)
    return max(accumulate(b if b < 128 else b - 256 for b in brackets), default=0)


def _maybe_json(content_type: bytes | None) -> bool:
    """FastAPI parses a body as JSON when it says so, or says nothing at all."""
    if content_type is None:
        return True
    media = content_type.split(b";")[0].strip().lower()
    return media == b"application/json" or media.endswith(b"+json")


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, once, then the client's own messages (a disconnect)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


async def _answer(send: Send, status: int, detail: Any) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
