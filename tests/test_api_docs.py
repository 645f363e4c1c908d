"""The API documents itself, offline (issue 15, item 9).

/docs and /redoc must open on a site network without internet: their pages may load nothing
from another host, and every asset they name must come from the app itself. /openapi.json must
say, for every API v1 operation, which refusals it can answer and with what body, and show a
box office's push and an override as examples.

The app is the one `hvac-ctl serve` builds, on a real SQLite store, over httpx's ASGI transport
with the in-memory drivers (nothing here needs the units or the scheduler).
"""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from hvac_ctl.clock import ManualClock
from hvac_ctl.config import load_config
from hvac_ctl.devices import memory_drivers
from hvac_ctl.service.build import build_service
from hvac_ctl.service.settings import ServiceSettings
from hvac_ctl.store import Store
from tests.harness import SINGLE_HALL, local

# what each operation may answer beyond 401, 403, 422 and 503 (which every one documents)
EXTRA: dict[tuple[str, str], set[int]] = {
    ("post", "/api/v1/occupancy"): {404, 409, 413},
    ("get", "/api/v1/occupancy"): {404},
    ("post", "/api/v1/overrides"): {409, 413},
    ("delete", "/api/v1/overrides/{override_id}"): {404},
    ("post", "/api/v1/alarms/{alarm_id}/ack"): {404},
    ("get", "/api/v1/zones/{zone}"): {404},
    ("get", "/api/v1/trends"): {404},
    ("get", "/api/v1/schedules/calendar/{name}"): {404},
    ("put", "/api/v1/schedules/seasons"): {413},
    ("put", "/api/v1/schedules/calendar/{name}"): {413},
}


def _app(tmp: Path) -> Any:
    folder = tmp / "config"
    folder.mkdir(parents=True)
    shutil.copy(SINGLE_HALL / "zones.yaml", folder / "zones.yaml")
    shutil.copytree(SINGLE_HALL / "schedules", folder / "schedules")
    store = Store(f"sqlite:///{tmp / 'store.db'}")
    store.migrate()
    built = build_service(ServiceSettings(config_dir=folder), ManualClock(
        local("2026-12-05 19:40")), store, memory_drivers(load_config(folder)))
    return built.app


async def _get(app: Any, *paths: str) -> list[httpx.Response]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app),
                                 base_url="http://hvac.test") as http:
        return [await http.get(p) for p in paths]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_doc_pages_load_nothing_from_another_host(tmp_path: Path, page: str) -> None:
    app = _app(tmp_path)
    [html] = asyncio.run(_get(app, page))
    assert html.status_code == 200
    text = html.text
    external = re.findall(r"""(?:src|href)\s*=\s*["'](?:https?:)?//[^"']+""", text)
    assert external == [], f"{page} loads from another host: {external}"
    assert not re.search(r"https?://(?!hvac\.test)", text.replace("http://www.w3.org", "")), \
        f"{page} names another host"
    assets = re.findall(r"""(?:src|href)\s*=\s*["'](/[^"']+)""", text)
    assert any(a.endswith(".js") for a in assets), assets
    assert any("favicon" in a for a in assets), "a favicon of our own, not the CDN's"
    answers = asyncio.run(_get(app, *assets))
    for url, r in zip(assets, answers, strict=True):
        assert r.status_code == 200, url
        least = 100_000 if url.endswith((".js", ".css")) else 500  # a real bundle, not a stub
        assert len(r.content) > least, (url, len(r.content))


def test_every_api_operation_documents_its_refusals(tmp_path: Path) -> None:
    [r] = asyncio.run(_get(_app(tmp_path), "/openapi.json"))
    spec = r.json()
    schemas = spec["components"]["schemas"]
    seen = set()
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/v1"):
            continue
        for method, op in ops.items():
            seen.add((method, path))
            want = {401, 403, 422, 503} | EXTRA.get((method, path), set())
            got = {int(c) for c in op["responses"] if c.isdigit() and int(c) >= 400}
            assert want <= got, f"{method.upper()} {path} lacks {sorted(want - got)}"
            for code in want:
                body = op["responses"][str(code)]["content"]["application/json"]
                ref = body["schema"]["$ref"].rsplit("/", 1)[1]
                assert "detail" in schemas[ref]["properties"], (method, path, code)
                assert "example" in body, (method, path, code)
            ok = next(c for c in op["responses"] if c.startswith("2"))
            content = op["responses"][ok].get("content", {})
            assert content, f"{method.upper()} {path}: its answer is undocumented"
    assert set(EXTRA) <= seen, sorted(set(EXTRA) - seen)
    assert "Retry-After" in spec["paths"]["/api/v1/zones"]["get"]["responses"]["503"]["headers"]


def test_push_and_override_show_examples(tmp_path: Path) -> None:
    [r] = asyncio.run(_get(_app(tmp_path), "/openapi.json"))
    paths = r.json()["paths"]
    for path, field in (("/api/v1/occupancy", "count"), ("/api/v1/overrides", "reason")):
        body = paths[path]["post"]["requestBody"]["content"]["application/json"]
        examples = body["examples"]
        assert examples and all(field in e["value"] for e in examples.values()), path
    push = paths["/api/v1/occupancy"]["post"]["responses"]["200"]["content"]
    assert push["application/json"]["schema"]["$ref"].endswith("/PushOut")
    created = paths["/api/v1/overrides"]["post"]["responses"]["201"]["content"]
    assert created["application/json"]["schema"]["$ref"].endswith("/OverrideOut")
