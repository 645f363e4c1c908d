"""The Plant page in a real headless chromium, on the default site (every unit served by the
simulator over real sockets): the nav leads there, it shows every chiller, the demand against
the cap and the tariff's band, and fits a phone. A screenshot goes to
artifacts/panel-plant.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.harness import ROOT
from tests.live_service import Live, signed_in
from tests.live_service import live as started
from tests.site import default_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with started(tmp_path_factory.mktemp("plant"), configure=default_site) as service_:
        yield service_


def test_the_plant_page_shows_chillers_demand_cap_and_band(browser: Any, live: Live) -> None:
    page = signed_in(browser, live, 1366, 900, lands="/panel/site")
    page.click("nav a[href='/panel/plant']")
    page.wait_for_url(f"{live.url}/panel/plant")
    assert page.locator("tr[data-chiller]").count() == 5
    assert "of a 1800 kW cap" in page.locator("[data-f=demand]").inner_text()
    assert page.locator("[data-f=band]").inner_text() in ("critical", "peak", "flat", "valley")
    assert page.locator("nav a.here").inner_text() == "Plant"
    # the site's header, with Site and Plant besides, keeps one line at 1366 px
    nav = page.locator("header nav").bounding_box()
    out = page.locator("header button", has_text="Sign out").first.bounding_box()
    assert nav is not None and out is not None
    assert abs(out["y"] + out["height"] / 2 - (nav["y"] + nav["height"] / 2)) < 10, (nav, out)
    (ROOT / "artifacts").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "artifacts" / "panel-plant.png"), full_page=True)
    page.context.close()


def test_the_plant_page_fits_a_phone(browser: Any, live: Live) -> None:
    page = signed_in(browser, live, 390, 844, lands="/panel/site")
    page.goto(f"{live.url}/panel/plant")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the plant page is {width} px wide on a 390 px phone"
    page.context.close()
