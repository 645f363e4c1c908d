"""`hvac-ctl plan` on a site: every hall and group, `--hall`, `hall`/`group` in the JSON."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from hvac_ctl.cli import main
from tests.site_venue import site_texts


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    for rel, text in site_texts().items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["plan", *args])
    return code, out.getvalue(), err.getvalue()


def test_every_segment_names_its_hall_and_public_ones_their_group(site: Path) -> None:
    code, out, _ = run("--config", str(site), "--date", "2027-04-13", "--json",
                       "--outdoor-temp", "22")
    assert code == 0
    segs = json.loads(out)
    halls = {s["zone"]: s["hall"] for s in segs}
    assert halls["stage"] == "opera-house" and halls["concert-stage"] == "concert"
    assert halls["lobby"] == "public"
    assert {s["group"] for s in segs if s["hall"] == "public"} == {"foyer"}
    assert all("group" not in s for s in segs if s["hall"] != "public")
    assert {s["phase"] for s in segs if s["hall"] == "public"} >= {"idle", "open", "crowd"}


def test_hall_keeps_one_halls_zones_and_shows(site: Path) -> None:
    code, out, _ = run("--config", str(site), "--date", "2027-04-13", "--json", "--hall",
                       "concert")
    assert code == 0
    assert {s["zone"] for s in json.loads(out)} == {"concert-auditorium", "concert-stage"}
    code, table, _ = run("--config", str(site), "--date", "2027-04-13", "--hall", "concert")
    assert "Brahms [concert-2027-04-13]" in table and "Tosca" not in table
    assert "== Concert hall [concert, fused]" in table and "\nstage\n" not in table
    code, table, _ = run("--config", str(site), "--date", "2027-04-13", "--hall", "public")
    assert "== Public: Foyer and winter garden [foyer]" in table and "crowd" in table


def test_an_unknown_hall_is_refused_with_the_halls_named(site: Path) -> None:
    code, _, err = run("--config", str(site), "--date", "2027-04-13", "--hall", "opera")
    assert code == 2
    assert "--hall: unknown hall 'opera' (halls: opera-house, concert; or public" in err


def test_the_plot_draws_a_row_per_zone(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "site.png"
    code, _, _ = run("--config", str(site), "--date", "2027-04-13", "--plot", str(out))
    assert code == 0 and out.stat().st_size > 10_000
