"""Bad input never makes the API fail: schemathesis against the service's own OpenAPI.

Every operation the running service documents at /openapi.json is fuzzed — valid and invalid
bodies, query strings, path parameters and headers — once with a valid bearer token of each
role, and no answer may be a 5xx: bad input gets a 4xx naming the field (the project's rule),
anything else is a bug. Endpoints added later are picked up from the OpenAPI by themselves.

The service is built as tests/test_service.py builds it — a real store, the simulator over
BACnet/IP and Modbus TCP on loopback, uvicorn on a free port — and runs in a thread of its own,
because schemathesis calls it synchronously over a real socket.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import select
import socket
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error

from hvac_ctl.config import load_config
from hvac_ctl.model.venue import COMMAND_POINTS
from hvac_ctl.service.limits import MAX_BODY_BYTES, json_depth
from tests.harness import SHOW, SINGLE_HALL, service

pytestmark = pytest.mark.e2e

ROLES = ("viewer", "operator", "engineer", "boxoffice", "admin")
# Per operation: the file runs in about a minute on 2 cores, the same examples every time.
# HVAC_FUZZ_EXAMPLES=150 explores afresh with a random seed (minutes).
EXPLORE = os.environ.get("HVAC_FUZZ_EXAMPLES")
EXAMPLES = int(EXPLORE or 10)
SEED = None if EXPLORE else 20261205


@dataclass(frozen=True)
class Served:
    base_url: str
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The service of tests/test_service.py, on an event loop in a thread of its own."""
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    ready = threading.Event()
    box: dict[str, object] = {}

    async def run() -> None:
        async with service(tmp) as s:
            await s.step(5)  # trends to bin, whatever the wall clock did
            await s.settle()
            stop = asyncio.Event()
            box.update(served=Served(str(s.http.base_url).rstrip("/"), dict(s.tokens)),
                       stop=stop, loop=asyncio.get_running_loop())
            ready.set()
            await stop.wait()

    def main() -> None:
        try:
            asyncio.run(run())
        except BaseException as e:  # handed to the test thread, which re-raises it
            box["error"] = e
        finally:
            ready.set()

    thread = threading.Thread(target=main, name="service", daemon=True)
    thread.start()
    assert ready.wait(60), "the service did not start within 60 s"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    try:
        yield box["served"]  # type: ignore[misc]
    finally:
        loop: asyncio.AbstractEventLoop = box["loop"]  # type: ignore[assignment]
        loop.call_soon_threadsafe(box["stop"].set)  # type: ignore[attr-defined]
        thread.join(60)
        if "error" in box:
            raise box["error"]  # type: ignore[misc]


def dictionaries() -> dict[str, list[str | int | float]]:
    """Values a random string seldom hits: the venue's real names, and the edges of each type.

    The names get the fuzzing past "unknown unit" to the code behind it; the edges are what
    broke that code before (year 1 and 9999 with far offsets, periods pandas cannot bin by,
    durations no timedelta holds, file names no file system takes).
    """
    config = load_config(SINGLE_HALL)
    span = config.calendar.date_range()
    assert span is not None
    events = config.calendar.events_between(span[0], span[1], config.venue.venue.tz)
    return {
        "units": list(config.venue.units),
        "points": [*COMMAND_POINTS, "zone_temp", "co2"],
        "zones": list(config.venue.zones),
        "events": [SHOW, *sorted({e.id for e in events} - {SHOW})[:3]],
        "files": ["specials.yaml", "fuzz.yaml", "nul\x00.yaml", "x" * 300 + ".yaml"],
        "periods": ["1min", "15s", "0min", "-5min", "1D", "1ns", "1000000D", "P1D", "NaT",
                    "1 days 2 hours", "W", "1ME"],
        "formats": ["json", "csv"],
        "instants": ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                     "2026-12-05T19:40:00+08:00", "2026-12-05T12:00:00Z"],
        "days": ["0001-01-01", "9999-12-31", "2026-12-05"],
        "minutes": [1e300, 15, 1e-300, 239.99],
    }


BINDINGS = {"query.unit": "units", "body.unit": "units", "query.point": "points",
            "body.point": "points", "path.zone": "zones", "query.event": "events",
            "body.event": "events", "path.name": "files", "query.every": "periods",
            "query.format": "formats", "query.start": "instants", "query.end": "instants",
            "body.at": "instants", "body.until": "instants", "query.date": "days",
            "body.minutes": "minutes"}


@pytest.fixture(scope="module")
def api(served: Served) -> schemathesis.BaseSchema:
    """The running service's own OpenAPI, with a fixed seed and a bounded number of examples.

    Half the time a value from `dictionaries()` stands in for a generated one.
    """
    config = schemathesis.Config.from_dict({
        **({} if SEED is None else {"seed": SEED}),
        "generation": {"max-examples": EXAMPLES, "deterministic": SEED is not None,
                       "database": "none"},
        "dictionaries": {name: {"values": values} for name, values in dictionaries().items()},
        "parameters": {key: {"dictionary": name, "probability": 0.5}
                       for key, name in BINDINGS.items()},
    })
    return schemathesis.openapi.from_url(f"{served.base_url}/openapi.json", config=config)


# --- what the fuzzing and the probing around it found: each a 500 before its fix ---------

YEAR_1 = "0001-01-01T00:00:00+14:00"  # valid ISO 8601; in UTC it is year 0
YEAR_9999 = "9999-12-31T23:59:59-14:00"  # in UTC it is year 10000


def _call(served: Served, role: str, method: str, url: str, **kw: object) -> httpx.Response:
    with httpx.Client(base_url=served.base_url, timeout=10) as http:
        return http.request(method, url, headers={
            "Authorization": f"Bearer {served.tokens[role]}",
            **kw.pop("headers", {})}, **kw)  # type: ignore[arg-type]


def _locs(r: httpx.Response) -> list[list[object]]:
    return [d["loc"] for d in r.json()["detail"]]


OVERRIDE = {"unit": "ahu-aud-1", "point": "setpoint", "value": 21, "reason": "fuzz"}


@pytest.mark.parametrize(("method", "url", "kw", "loc"), [
    ("GET", "/api/v1/trends", {"params": {"unit": "ahu-aud-1", "point": "zone_temp",
                                          "start": YEAR_1}}, ["query", "start"]),
    ("GET", "/api/v1/trends", {"params": {"unit": "ahu-aud-1", "point": "zone_temp",
                                          "end": YEAR_9999}}, ["query", "end"]),
    ("GET", "/api/v1/audit", {"params": {"start": YEAR_1}}, ["query", "start"]),
    ("GET", "/api/v1/audit", {"params": {"end": YEAR_9999}}, ["query", "end"]),
    ("GET", "/api/v1/plan", {"params": {"date": "0001-01-01"}}, ["query", "date"]),
    ("GET", "/api/v1/plan", {"params": {"date": "9999-12-31"}}, ["query", "date"]),
    ("POST", "/api/v1/occupancy", {"json": {"event": SHOW, "count": 5, "at": YEAR_1}},
     ["body", "at"]),
    ("POST", "/api/v1/occupancy", {"json": {"event": SHOW, "count": 5, "at": YEAR_9999}},
     ["body", "at"]),
    ("POST", "/api/v1/overrides", {"json": {**OVERRIDE, "until": YEAR_9999}}, ["body", "until"]),
    ("POST", "/api/v1/overrides", {"json": {**OVERRIDE, "minutes": 1e300}},
     ["body", "minutes"]),
])
def test_instants_and_durations_past_any_calendar_get_422(
        served: Served, method: str, url: str, kw: dict[str, object], loc: list[str]) -> None:
    """Year 1 at +14:00 and year 9999 at -14:00 are valid ISO 8601 but overflow in UTC (the
    store, the planner); 10³⁰⁰ minutes overflow a timedelta. All came back as 500s."""
    r = _call(served, "admin", method, url, **kw)
    assert r.status_code == 422, r.text
    assert loc in _locs(r), r.text


@pytest.mark.parametrize("every", ["0min", "-5min", "1ns", "P1D", "1 days 2 hours", "NaT", "W",
                                   "1000000000000000000000min"])
def test_trend_periods_pandas_cannot_bin_by_get_422(served: Served, every: str) -> None:
    """pd.Timedelta accepted these, then resample() divided by zero or could not parse them
    (or, for 1ns over six hours, would have made 2·10¹³ bins)."""
    params = {"unit": "ahu-aud-1", "point": "zone_temp"}
    ok = _call(served, "viewer", "GET", "/api/v1/trends", params={**params, "every": "1min"})
    assert ok.status_code == 200 and ok.json()["samples"], "no samples: the bins are never made"
    r = _call(served, "viewer", "GET", "/api/v1/trends", params={**params, "every": every})
    assert r.status_code == 422, r.text
    assert _locs(r) == [["query", "every"]] and every in r.json()["detail"][0]["msg"]


@pytest.mark.parametrize("name", ["nul%00.yaml", "x" * 300 + ".yaml", "tab%09.yaml"])
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_calendar_names_no_file_system_takes_get_422(served: Served, name: str,
                                                      method: str) -> None:
    """A NUL byte (ValueError) or a 300-byte name (ENAMETOOLONG) reached open() as a 500."""
    r = _call(served, "engineer", method, f"/api/v1/schedules/calendar/{name}",
              content=b"", headers={"content-type": "application/yaml"})
    assert r.status_code == 422, r.text
    assert _locs(r) == [["path", "name"]]


def test_a_yaml_alias_inside_its_own_anchor_gets_422(served: Served) -> None:
    """`&a [*a]` is a list that contains itself: the parser recursed until RecursionError."""
    r = _call(served, "engineer", "PUT", "/api/v1/schedules/calendar/loop.yaml",
              content=b"&a [*a]\n", headers={"content-type": "application/yaml"})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["msg"].startswith("schedules/calendar/loop.yaml:1: (syntax)")


# --- bodies too big, or nested too deep ----------------------------------------------------


def _raw(served: Served, request: bytes, then: Iterable[bytes] = ()) -> tuple[int, bytes]:
    """Send a request byte for byte, keep streaming `then` until the server answers."""
    host, port = served.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(request)
        for chunk in then:
            if select.select([s], [], [], 0)[0]:
                break  # it answered before the body was through
            try:
                s.sendall(chunk)
            except (ConnectionResetError, BrokenPipeError):
                # it answered and closed with our chunks unread, which resets the connection
                # (TCP's rule for a close with unread data); its answer is in our buffer
                break
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += s.recv(65536)
        head, _, body = answer.partition(b"\r\n\r\n")
        length = re.search(rb"content-length: *(\d+)", head, re.IGNORECASE)
        assert length is not None, head
        while len(body) < int(length.group(1)):
            body += s.recv(65536)
    return int(head.split()[1]), body


def _head(served: Served, method: str, url: str, role: str, **headers: str) -> bytes:
    lines = [f"{method} {url} HTTP/1.1", "Host: 127.0.0.1",
             f"Authorization: Bearer {served.tokens[role]}",
             *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_declared_oversize_body_gets_413_before_it_is_sent(served: Served) -> None:
    """Content-Length says 50 MB and no byte of it follows: the answer comes anyway."""
    status, body = _raw(served, _head(served, "POST", "/api/v1/overrides", "operator",
                                      content_type="application/json",
                                      content_length=str(50_000_000)))
    assert status == 413
    assert json.loads(body) == {"detail": f"the request body is 50000000 bytes; at most "
                                          f"{MAX_BODY_BYTES} are allowed"}


@pytest.mark.parametrize(("url", "kind"), [("/api/v1/schedules/seasons", "application/yaml"),
                                           ("/api/v1/overrides", "application/json")])
def test_a_streamed_oversize_body_gets_413_at_the_limit(served: Served, url: str,
                                                        kind: str) -> None:
    """Chunked, without a length: counted as it arrives, refused once past the limit."""
    chunk = b"#" * 65536
    chunks = (b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(200))  # 13 MB at most
    method = "PUT" if "schedules" in url else "POST"
    status, body = _raw(served, _head(served, method, url, "engineer", content_type=kind,
                                      transfer_encoding="chunked"), chunks)
    assert status == 413
    assert json.loads(body) == {"detail": f"the request body is over the {MAX_BODY_BYTES} "
                                          "bytes allowed"}


def test_json_nested_deeper_than_32_gets_422_naming_the_body(served: Served) -> None:
    deep = {**OVERRIDE, "minutes": 5, "value": json.loads("[" * 40 + "]" * 40)}
    r = _call(served, "operator", "POST", "/api/v1/overrides", json=deep)
    assert r.status_code == 422
    assert r.json()["detail"] == [{"loc": ["body"], "type": "value_error",
                                   "msg": "the body nests 41 levels deep; at most 32"}]
    bomb = b"[" * 900_000 + b"]" * 90_000  # what would make a recursive parser overflow
    r = _call(served, "operator", "POST", "/api/v1/overrides", content=bomb,
              headers={"content-type": "application/json"})
    assert r.status_code == 422 and _locs(r) == [["body"]]


def test_brackets_inside_strings_are_not_nesting(served: Served) -> None:
    """Depth is counted outside strings: a reason full of brackets is an ordinary body."""
    body = {**OVERRIDE, "unit": "nope", "minutes": 5, "reason": "[{" * 100 + '\\"' * 3}
    r = _call(served, "operator", "POST", "/api/v1/overrides", json=body)
    assert r.status_code == 422 and _locs(r) == [["body", "unit"]], r.text


def test_json_depth_counts_only_structure() -> None:
    assert [json_depth(b) for b in (b"", b"1", b"{}", b'{"a": [1, {"b": []}]}',
                                    b'["[[[", "\\"]]]"]', b'"unterminated [[[')] == [
        0, 0, 1, 4, 1, 0]


schema = schemathesis.pytest.from_fixture("api")


@schema.parametrize()
def test_no_input_makes_a_server_error(case: schemathesis.Case, served: Served) -> None:
    """Each generated request is sent once with a token of each role: none may get a 5xx.

    The same inputs under every role, because a role changes which code runs (a viewer stops
    at 403, an engineer's schedule reaches the parser) but not what input is interesting.
    """
    for role in ROLES:
        try:
            case.call_and_validate(base_url=served.base_url, checks=[not_a_server_error],
                                   headers={"Authorization": f"Bearer {served.tokens[role]}"},
                                   timeout=10)
        except Exception as e:
            e.add_note(f"with the {role}'s token")
            raise
