"""`hvac-ctl report public` on a real SQLite store filled the way the service fills it
(`Store.write_batch` of trend rows), over the root's one hall plus a public foyer of four
units on loopback addresses; a constructed history whose answers are known."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from hvac_ctl.cli import main
from hvac_ctl.config import load_config
from hvac_ctl.model import Config
from hvac_ctl.planner.psychro import dew_point_c
from hvac_ctl.public_plot import public_plot
from hvac_ctl.public_report import ReportError, _stump, public_report
from hvac_ctl.store import Store
from tests.harness import SINGLE_HALL, local

FOYER_UNITS = [f"ahu-foyer-{i}" for i in range(1, 5)]
DAY1, DAY2 = date(2026, 7, 6), date(2026, 7, 7)  # summer: band 20–26 °C by default


def _foyer_unit(i: int) -> dict[str, Any]:
    def ai(n: int, units: str) -> dict[str, Any]:
        return {"object": f"analogInput:{n}", "type": "real", "units": units}

    return {
        "zone": "foyer", "protocol": "bacnet",
        "address": {"ip": f"127.0.0.1:{47830 + i}", "device_id": 1300 + i},
        "airflow_m3_per_h": 20000, "cooling_kw": 120, "heating_kw": 90, "fan_kw": 11,
        "points": {
            "enable": {"object": "binaryValue:1", "type": "bool"},
            "setpoint": {"object": "analogValue:1", "type": "real", "min": 15, "max": 30},
            "oa_damper_min": {"object": "analogValue:2", "type": "real", "min": 0, "max": 100},
            "fan_speed_max": {"object": "analogValue:3", "type": "real", "min": 20, "max": 100},
            "mode": {"object": "multiStateValue:1", "type": "enum",
                     "states": {"cool": 1, "heat": 2, "vent": 3, "dehumidify": 4}},
            "zone_temp": ai(1, "degC"), "zone_rh": ai(2, "percent"), "co2": ai(3, "ppm"),
            "supply_temp": ai(4, "degC"), "oa_temp": ai(9, "degC"), "oa_rh": ai(10, "percent"),
            "fan_status": {"object": "binaryInput:1", "type": "bool"},
        },
    }


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The root's zones.yaml and schedules, with a foyer group open 09:00–21:00 daily."""
    folder = tmp_path / "config"
    folder.mkdir()
    shutil.copytree(SINGLE_HALL / "schedules", folder / "schedules")
    yaml = YAML()
    doc = yaml.load((SINGLE_HALL / "zones.yaml").read_text())
    doc["groups"] = {"foyer": {"name": "Main foyer"}}
    doc["zones"]["foyer"] = {
        "kind": "public", "group": "foyer", "capacity": 800, "area_m2": 2000,
        "volume_m3": 12000, "ventilation": {"rp_lps_per_person": 3.8, "ra_lps_per_m2": 0.3},
        "limits": {"setpoint_min_c": 16, "setpoint_max_c": 30,
                   "max_setpoint_change_k_per_min": 0.3, "idle_band_c": [16, 30]},
        "thermal": {"fast_capacitance_mj_per_k": 60}}
    for i, u in enumerate(FOYER_UNITS, 1):
        doc["units"][u] = _foyer_unit(i)
    with (folder / "zones.yaml").open("w") as f:
        yaml.dump(doc, f)
    (folder / "schedules/calendar/public.yaml").write_text(
        "public_hours:\n  weekly:\n    - {days: [mon, tue, wed, thu, fri, sat, sun], "
        "open: \"09:00\", close: \"21:00\"}\n")
    return folder


# A constructed history, every 5 minutes (the poller's samples, thinned): per local hour of
# each day, the foyer's units 1 and 2 run in these modes (None: off), the others stay off.
Plan = Callable[[datetime], tuple[str | None, str | None, float, float]]


def _day1(t: datetime) -> tuple[str | None, str | None, float, float]:
    """(mode of unit 1, of unit 2, outdoor °C, foyer °C): vent from 09:00 with the outdoor
    air rising 20 → 30 °C by 15:00, the band (≤ 26 °C) lost once it passes 25 °C; cool
    15:00–18:00; the units disagreeing 18:00–19:00; vent again 19:00–21:00; off otherwise."""
    h = t.hour + t.minute / 60
    if 9 <= h < 15:
        oa = 20 + (h - 9) * 10 / 6
        return "vent", "vent", oa, 24.0 if oa <= 25 else 26 + (oa - 25) * 0.4
    if 15 <= h < 18:
        return "cool", "cool", 30.0, 24.0
    if 18 <= h < 19:
        return "cool", "vent", 28.0, 24.0
    if 19 <= h < 21:
        return "vent", "vent", 22.0, 24.0
    return None, None, 18.0, 24.0


def _day2(t: datetime) -> tuple[str | None, str | None, float, float]:
    """Vent through the open hours at 22 °C outdoor: the band held, no switch."""
    h = t.hour + t.minute / 60
    return ("vent", "vent", 22.0, 24.0) if 9 <= h < 21 else (None, None, 18.0, 24.0)


STATES = {"cool": 1.0, "heat": 2.0, "vent": 3.0, "dehumidify": 4.0}


def _day3(t: datetime) -> tuple[str | None, str | None, float, float]:
    """Vent through the open hours, the outdoor air rising 20 → 32 °C at 60 % RH."""
    h = t.hour + t.minute / 60
    return ("vent", "vent", 20 + (h - 9), 24.0) if 9 <= h < 21 else (None, None, 18.0, 24.0)


def fill(store: Store, day: date, plan: Plan, humid_above_dp: float = 99.0) -> None:
    """`humid_above_dp`: the foyer reads 65 % RH (over its 60 % limit) when the outdoor dew
    point is above this, else 50 %."""
    rows: list[tuple[str, str, datetime, float | None, bool]] = []
    start = local(f"{day} 00:00")
    for k in range(24 * 12):
        t = start + timedelta(minutes=5 * k)
        m1, m2, oa, temp = plan(t)
        for u, mode in zip(FOYER_UNITS, (m1, m2, None, None), strict=True):
            on = mode is not None
            rows += [(u, "fan_status", t, float(on), True),
                     (u, "mode", t, STATES[mode or "vent"], True),
                     (u, "zone_temp", t, temp, True),
                     (u, "zone_rh", t, 65.0 if dew_point_c(oa, 60) > humid_above_dp else 50.0,
                      True),
                     (u, "oa_temp", t, oa, True), (u, "oa_rh", t, 60.0, True)]
    store.write_batch(trends=rows)


@pytest.fixture
def filled(site: Path, tmp_path: Path) -> tuple[Config, Store, Path]:
    db = tmp_path / "store.db"
    store = Store(f"sqlite:///{db}")
    store.migrate()
    fill(store, DAY1, _day1)
    fill(store, DAY2, _day2)
    return load_config(site), store, db


def test_hours_in_each_mode_and_the_mixed_hour(filled: tuple[Config, Store, Path]) -> None:
    config, store, _ = filled
    (g,) = public_report(store, config, DAY1, DAY2).groups
    assert g.group == "foyer" and g.units == FOYER_UNITS
    # vent 6 + 2 h, then 12 h; cool 3 h; the disagreeing hour; off 12 h a day
    assert g.hours == {"cool": 3.0, "heat": 0.0, "vent": 20.0, "dehumidify": 0.0,
                       "off": 24.0, "mixed": 1.0, "unknown": 0.0}
    assert g.data_h == 48.0


def test_switches_per_day_with_the_outdoor_air_at_each(
        filled: tuple[Config, Store, Path]) -> None:
    config, store, _ = filled
    (g,) = public_report(store, config, DAY1, DAY2).groups
    assert [(s.before, s.after, s.at) for s in g.switches] == [
        ("vent", "cool", local(f"{DAY1} 15:00")), ("cool", "vent", local(f"{DAY1} 19:00"))]
    assert g.per_day == {DAY1: 2, DAY2: 0}
    first = g.switches[0]
    assert (first.oa_c, first.oa_rh_pct) == (30.0, 60.0)
    assert first.dew_point_c == pytest.approx(21.4, abs=0.1)  # 30 °C at 60 %: psychro charts
    assert g.to_json()["switches_per_day"] == 1.0


def test_percentiles_against_the_band(filled: tuple[Config, Store, Path]) -> None:
    config, store, _ = filled
    (g,) = public_report(store, config, DAY1, DAY2).groups
    (z,) = g.zone_stats
    assert z.occupied_h == 24.0 and z.bands_c == [(20.0, 26.0)]
    p5, p50, p95 = z.temp_c or (0, 0, 0)
    assert p5 == p50 == 24.0 and 26.0 < p95 < 28.0
    assert z.rh_pct == (50.0, 50.0, 50.0)
    # above 26 °C from 12:05 (the first sample past 25 °C outdoor) to 15:00 of 24 open hours
    assert z.outside_share == pytest.approx(175 / 1440, abs=1e-4)


def test_the_vent_to_cool_suggestion_is_where_vent_lost_the_band(
        filled: tuple[Config, Store, Path]) -> None:
    config, store, _ = filled
    (g,) = public_report(store, config, DAY1, DAY2).groups
    by_kind = {s.kind: s for s in g.suggestions}
    cool = by_kind["vent→cool"]
    assert cool.season == "summer" and cool.key == "cool_above_c" and cool.current == 24.0
    assert cool.suggested is not None and abs(cool.suggested - 25.0) <= 0.2
    assert cool.misfit == 0 and cool.lost == 175
    assert by_kind["heat↔vent"].suggested is None  # never too cold in vent
    assert by_kind["dehumidify"].suggested is None  # RH 50 %: never above the zone's 60 %
    text = public_report(store, config, DAY1, DAY2).text()
    assert "cool_above_c now 24, suggested 25.1" in text and "separates lost minutes" in text


def test_the_dehumidify_suggestion_reads_the_dew_point(site: Path, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'humid.db'}")
    store.migrate()
    day = date(2026, 7, 8)
    fill(store, day, _day3, humid_above_dp=18.0)
    (g,) = public_report(store, load_config(site), day, day).groups
    dehum = next(s for s in g.suggestions if s.kind == "dehumidify")
    assert dehum.key == "dehumidify_dew_point_c" and dehum.current == 17.0
    assert dehum.suggested is not None and abs(dehum.suggested - 18.0) <= 0.3
    assert dehum.misfit == 0 and dehum.lost > 0


def test_running_units_without_a_mode_trend_are_counted_as_unknown(
        site: Path, tmp_path: Path) -> None:
    """What today's service records: `fan_status` is polled, `mode` is not."""
    store = Store(f"sqlite:///{tmp_path / 'no-mode.db'}")
    store.migrate()
    day = date(2026, 7, 8)
    fill(store, day, _day3)
    store.engine.dispose()
    with store.engine.begin() as c:
        c.exec_driver_sql("DELETE FROM trends WHERE point = 'mode'")
    report = public_report(store, load_config(site), day, day)
    assert report.groups[0].hours["unknown"] == 12.0 and report.groups[0].hours["vent"] == 0
    assert "running in an unknown mode 12.0 (no `mode` trend)" in report.text()
    public_plot(report, tmp_path / "unknown.png")  # a colour for it too
    assert (tmp_path / "unknown.png").stat().st_size > 10_000


def test_the_stump_takes_the_split_with_fewest_on_the_wrong_side() -> None:
    pairs = [(x / 10, x > 250) for x in range(200, 300)] + [(21.0, True)]  # one noisy minute
    t, misfit = _stump(pairs, above=True)
    assert 25.0 <= t <= 25.1 and misfit == 1
    t, misfit = _stump([(x, x < 10) for x in range(0, 20)], above=False)
    assert 9 <= t <= 10 and misfit == 0
    # lost at the two coolest minutes, held at the warmest: "lost everywhere" fits best
    assert _stump([(1.0, True), (2.0, True), (3.0, False)], above=True) == (1.0, 1)


def test_dew_point_matches_the_tables() -> None:
    assert dew_point_c(20.0, 50.0) == pytest.approx(9.3, abs=0.1)
    assert dew_point_c(25.0, 100.0) == pytest.approx(25.0, abs=0.01)


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(["report", "public", *args])
        except SystemExit as e:  # argparse
            code = int(e.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_the_command_prints_text_json_and_a_plot(
        filled: tuple[Config, Store, Path], site: Path, tmp_path: Path) -> None:
    _, _, db = filled
    base = ("--config", str(site), "--db", f"sqlite:///{db}", "--from", str(DAY1),
            "--to", str(DAY2))
    code, out, err = cli(*base)
    assert code == 0, err
    assert "foyer (Main foyer)" in out and "mixed 1.0" in out and "vent→cool" in out
    code, out, _ = cli(*base, "--json")
    assert code == 0 and json.loads(out)["groups"][0]["hours"]["vent"] == 20.0
    png = tmp_path / "public.png"
    code, _, err = cli(*base, "--plot", str(png))
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_clear_errors(filled: tuple[Config, Store, Path], site: Path, tmp_path: Path) -> None:
    _, _, db = filled
    url = f"sqlite:///{db}"
    code, _, err = cli("--config", str(site), "--db", url, "--from", "2026-07-32",
                       "--to", "2026-08-01")
    assert code == 2 and "'2026-07-32' is not a date like" in err
    code, _, err = cli("--config", str(site), "--db", url, "--from", "2026-07-07",
                       "--to", "2026-07-06")
    assert code == 2 and "--to 2026-07-06 is before --from 2026-07-07" in err
    code, _, err = cli("--config", str(SINGLE_HALL), "--db", url, "--from", "2026-07-06",
                       "--to", "2026-07-07")
    assert code == 1 and "this venue has no public groups" in err
    code, _, err = cli("--config", str(site), "--db", url, "--from", "2026-08-01",
                       "--to", "2026-08-02")
    assert code == 1 and "no trends of the public groups' units between 2026-08-01" in err
    missing = tmp_path / "nowhere.db"
    code, _, err = cli("--config", str(site), "--db", f"sqlite:///{missing}", "--from",
                       "2026-07-06", "--to", "2026-07-07")
    assert code == 1 and f"no store at {missing}" in err and not missing.exists()


def test_the_library_refuses_a_reversed_range(filled: tuple[Config, Store, Path]) -> None:
    config, store, _ = filled
    with pytest.raises(ReportError, match="before"):
        public_report(store, config, DAY2, DAY1)
