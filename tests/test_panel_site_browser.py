"""The site page in a real headless chromium: a two-hall site with a public lobby
(tests/site.py) served by the harness's service on the simulator's clock at ×10, the
simulator over real sockets. Signing in (and the bare address) lands on the site; it shows
every hall and the lobby's group, and each hall's link opens the hall page with that hall's
zones only. A screenshot goes to artifacts/panel-site.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.harness import ROOT
from tests.live_service import Live
from tests.live_service import live as started
from tests.live_service import signed_in as signed_in_at
from tests.site import CONCERT_ZONE, make_site

pytestmark = pytest.mark.browser

HALLS = {"opera": ("Opera House", ["auditorium", "stage", "pit"]),
         "concert": ("Concert Hall", [CONCERT_ZONE])}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with started(tmp_path_factory.mktemp("site"), configure=make_site) as service_:
        yield service_


def signed_in(browser: Any, live: Live, width: int = 1366, height: int = 900) -> Any:
    """From the bare address: the sign-in, then the site."""
    return signed_in_at(browser, live, width, height, start="/", lands="/panel/site")


def test_the_site_shows_every_hall_and_group_and_links_to_each_hall(browser: Any,
                                                                     live: Live) -> None:
    page = signed_in(browser, live)
    assert page.locator("nav a.here").inner_text() == "Site"
    cards = page.locator("section[data-hall]")
    assert [c.get_attribute("data-hall") for c in cards.all()] == list(HALLS)
    for hid, (name, zones) in HALLS.items():
        card = page.locator(f"section[data-hall={hid}]")
        assert card.locator("h2 a").inner_text() == name
        phase = card.locator("[data-f=phase]").inner_text()
        assert phase in ("idle", "tour", "get_in", "precool", "show", "post_show")
        assert card.locator("[data-f=alarms]").inner_text().endswith(("alarm", "alarms"))
        assert card.locator("[data-f=next]").inner_text().startswith("Next: ")
        shown = [r.get_attribute("data-zone-phase")
                 for r in card.locator("tr[data-zone-phase]").all()]
        assert shown == zones
    assert page.locator("section[data-hall=opera] [data-f=phase]").inner_text() == "show"
    group = page.locator("section[data-group=lobby]")
    assert group.locator("h2").inner_text().startswith("North lobby")
    assert group.locator("[data-f=mode]").count() == 1
    assert "Outdoor" in group.locator("[data-f=outdoor]").inner_text()
    (ROOT / "artifacts").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "artifacts" / "panel-site.png"), full_page=True)

    for hid, (name, zones) in HALLS.items():
        page.goto(f"{live.url}/panel/site")
        page.locator(f"section[data-hall={hid}] h2 a").click()
        page.wait_for_url(f"{live.url}/panel?hall={hid}")
        assert page.locator("h1").inner_text().startswith(name)
        assert [c.get_attribute("data-zone") for c in page.locator(
            "section.card[data-zone]").all()] == zones
        # the hall's live updates still reach its cards
        page.wait_for_function("document.getElementById('live').textContent.includes(':')")
    assert page.request.get(f"{live.url}/panel?hall=ballroom").status == 422
    page.context.close()


def test_the_site_fits_a_phone(browser: Any, live: Live) -> None:
    page = signed_in(browser, live, 390, 844)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the site page is {width} px wide on a 390 px phone"
    assert page.locator("section[data-hall]").count() == 2
    page.context.close()


def test_a_sites_header_keeps_one_line_on_a_laptop(browser: Any, live: Live) -> None:
    """The Site link is one more in the header: at 1366 px, Sign out stays on the nav's line."""
    page = signed_in(browser, live, 1366, 900)
    nav = page.locator("header nav").bounding_box()
    out = page.locator("header button, header a", has_text="Sign out").first.bounding_box()
    assert nav is not None and out is not None
    assert abs(out["y"] + out["height"] / 2 - (nav["y"] + nav["height"] / 2)) < 10, (nav, out)
    page.context.close()
