"""The panel fits the screen it is on: every page at 1366×900, 1024×768 and 390×844 in a real
chromium, with no horizontal overflow, no clipped button or key column (the hall's priority),
readable links on the dark theme, trends on a local-time axis with whole people from 0, and
the hall's values in the first HTML, before any live event. Full-page screenshots of each page
at each size go to artifacts/panel/<page>-<width>x<height>.png; the README's, at 1366×900, to
artifacts/panel-<page>.png (and to docs/ with HVAC_UPDATE_DOCS=1)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest

from tests.harness import ROOT, Running
from tests.live_service import Live, signed_in
from tests.live_service import live as started

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts"
SIZES = ((1366, 900), (1024, 768), (390, 844))
PAGES = ("hall", "tonight", "trends", "overrides", "alarms", "audit")

# Every visible element whose right edge passes the viewport, and every button, link, form
# field, header cell and hall value cut by a box that clips it (a card, a scroll container)
# — named by a selector, so a failure says which.
OVERFLOW = """() => {
  const w = window.innerWidth, out = [];
  const name = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      let s = e.tagName.toLowerCase();
      if (e.id) s += "#" + e.id;
      else if (e.dataset.zone) s += `[data-zone=${e.dataset.zone}]`;
      else if (e.dataset.p) s += `[data-p=${e.dataset.p}]`;
      else if (e.classList.length) s += "." + [...e.classList].join(".");
      parts.unshift(s);
    }
    return parts.join(" > ");
  };
  const visible = (el) => {
    const st = getComputedStyle(el), r = el.getBoundingClientRect();
    return st.display !== "none" && st.visibility !== "hidden" && r.width > 0 && r.height > 0
      && !el.closest("[hidden]");
  };
  const scrolls = (el) => el.closest(".scroll");
  if (document.documentElement.scrollWidth > w)
    out.push(`the page is ${document.documentElement.scrollWidth} px wide in ${w}`);
  for (const el of document.querySelectorAll("body *")) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && !scrolls(el)) out.push(`${name(el)} ends at ${Math.round(r.right)}`);
    if (!el.matches("button, a, input, select, th, [data-p], svg") || scrolls(el)) continue;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX === "visible") continue;
      const box = a.getBoundingClientRect();
      if (r.right > box.right + 1 || r.left < box.left - 1)
        out.push(`${name(el)} clipped by ${name(a)} at ${Math.round(box.right)}`);
    }
  }
  return out;
}"""

# Contrast (WCAG 2) of each visible link's colour on what is behind it.
CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const behind = (el) => { for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3); }
    return [255, 255, 255]; };
  return [...document.querySelectorAll("a")].filter((a) => a.getClientRects().length)
    .map((a) => { const l1 = lum(rgb(getComputedStyle(a).color)), l2 = lum(behind(a));
      return [a.textContent.trim(), (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05)]; });
}"""


async def _an_alarm(s: Running) -> None:
    """An alarm to show with its Acknowledge button."""
    s.sim.building.faults.set("ahu-aud-2", values={"supply_temp": 1000.0})


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with started(tmp_path_factory.mktemp("layout"), prepare=_an_alarm) as service_:
        yield service_


def shoot(page: Any, name: str, width: int, height: int) -> None:
    (ARTIFACTS / "panel").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "panel" / f"{name}-{width}x{height}.png"),
                    full_page=True)
    if (width, height) == SIZES[0]:
        page.screenshot(path=str(ARTIFACTS / f"panel-{name}.png"), full_page=True)
        if os.environ.get("HVAC_UPDATE_DOCS") == "1" and (ROOT / "docs" / f"panel-{name}.png"
                                                          ).exists():
            page.screenshot(path=str(ROOT / "docs" / f"panel-{name}.png"))


def wait_for_the_alarm(page: Any, live: Live) -> None:
    for _ in range(60):
        page.goto(f"{live.url}/panel/alarms")
        if page.locator("#alarms tr[data-kind=bad_value]").count():
            return
        page.wait_for_timeout(500)
    raise AssertionError("the bad-value alarm never showed")


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_no_page_overflows_or_clips_at_this_size(browser: Any, live: Live, width: int,
                                                  height: int) -> None:
    login = browser.new_context(viewport={"width": width, "height": height}).new_page()
    login.goto(f"{live.url}/panel/login")
    offenders = {"login": login.evaluate(OVERFLOW)}
    shoot(login, "login", width, height)
    login.context.close()
    page = signed_in(browser, live, width, height)
    for name in PAGES:
        if name == "alarms":
            wait_for_the_alarm(page, live)
        else:
            page.goto(f"{live.url}/panel" + ("" if name == "hall" else f"/{name}"))
        if name == "hall":
            page.wait_for_function("document.getElementById('live').textContent"
                                   ".includes(':')")
        offenders[name] = page.evaluate(OVERFLOW)
        shoot(page, name, width, height)
    page.context.close()
    bad = {k: v for k, v in offenders.items() if v}
    assert not bad, "\n".join(f"{k}: {line}" for k, v in bad.items() for line in v)


def test_links_are_readable_on_the_dark_theme(browser: Any, live: Live) -> None:
    page = signed_in(browser, live, *SIZES[0])
    poor = {}
    for name in PAGES:
        page.goto(f"{live.url}/panel" + ("" if name == "hall" else f"/{name}"))
        poor.update({f"{name}: {text}": round(ratio, 2)
                     for text, ratio in page.evaluate(CONTRAST) if ratio < 4.5})
    page.context.close()
    assert poor == {}


def test_trends_read_in_local_time_with_whole_people_from_zero(browser: Any,
                                                                 live: Live) -> None:
    page = signed_in(browser, live, *SIZES[0])
    page.wait_for_timeout(3000)  # a few samples at ×10
    page.goto(f"{live.url}/panel/trends?hours=1")
    people = page.locator("section.card", has_text="auditorium: people")
    assert people.locator("svg").count() == 1
    ys = people.locator("text.y").all_text_contents()
    assert ys[0] == "0" and all(re.fullmatch(r"\d+", y) for y in ys), ys
    assert re.fullmatch(r"\d+ people", people.locator("[data-f=last]").inner_text())
    for chart in page.locator("svg.trend").all():
        xs = chart.locator("text.x").all_text_contents()
        assert xs and all(re.fullmatch(r"\d\d:\d\d", x) for x in xs), xs
        assert "19:" in " ".join(xs) or "20:" in " ".join(xs)  # Shanghai's evening, not UTC
        boxes = [t.bounding_box() for t in chart.locator("text.x").all()]
        assert all(a["x"] + a["width"] <= b["x"] for a, b in pairwise(boxes)), boxes
        assert not any(y.startswith("-") for y in chart.locator("text.y").all_text_contents())
    page.context.close()


def test_the_hall_has_its_values_before_the_first_event(browser: Any, live: Live) -> None:
    page = signed_in(browser, live, *SIZES[0])
    html = page.request.get(f"{live.url}/panel").text()  # the first HTML, no script run
    page.context.close()
    card = html[html.index('data-zone="auditorium"'):]
    temp = re.search(r'data-f="temp"[^>]*>([^<]*)<', card)
    assert temp and re.fullmatch(r"\d+\.\d", temp.group(1)), temp
    for point in ("setpoint", "fan_speed_max", "oa_damper_min"):
        cell = re.search(rf'data-p="{point}"[^>]*>([^<]*)<', card)
        assert cell and re.fullmatch(r"\d+\.\d", cell.group(1)), (point, cell)
