"""The trend charts' maths: a time axis on whole local hours whose labels never overlap, a
round value axis at the point's resolution, people in whole numbers from 0."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from hvac_ctl.panel.charts import CHAR, LEFT, RIGHT, WIDTH, chart, time_ticks, value_ticks
from tests.harness import SHANGHAI, local

NOW = local("2026-12-05 19:47")


def test_six_hours_tick_each_local_hour_as_hh_mm() -> None:
    ticks = time_ticks(NOW - timedelta(hours=6), NOW, SHANGHAI)
    assert [t["label"] for t in ticks] == [f"{h}:00" for h in range(14, 20)]  # not UTC's 06:00
    assert all(LEFT <= t["x"] <= WIDTH - RIGHT for t in ticks)
    start = NOW - timedelta(hours=6)
    fifteen_hundred = (local("2026-12-05 15:00") - start) / timedelta(hours=6)
    assert ticks[1]["x"] == round(LEFT + fifteen_hundred * (WIDTH - RIGHT - LEFT), 1)


def test_labels_never_overlap_over_any_span() -> None:
    for hours in (1, 2, 6, 12, 24, 48, 168, 24 * 30, 24 * 366):
        ticks = time_ticks(NOW - timedelta(hours=hours), NOW, SHANGHAI)
        assert 2 <= len(ticks) <= 7, (hours, ticks)
        widest = max(len(t["label"]) for t in ticks) * CHAR
        assert all(b["x"] - a["x"] >= widest for a, b in pairwise(ticks)), (hours, ticks)
        dates = [t["label"] for t in ticks if ":" not in t["label"]]
        assert len(set(dates)) == len(dates), (hours, ticks)  # a day named once
    two = [t["label"] for t in time_ticks(NOW - timedelta(hours=48), NOW, SHANGHAI)]
    assert two == ["04 Dec", "12:00", "05 Dec", "12:00"]
    week = [t["label"] for t in time_ticks(NOW - timedelta(days=7), NOW, SHANGHAI)]
    assert week == ["30 Nov", "02 Dec", "04 Dec"]


def test_people_are_whole_and_never_negative() -> None:
    lo, hi, ticks = value_ticks(3.0, 2100.0, count=True)
    assert (lo, hi) == (0, 2500) and ticks == [0, 500, 1000, 1500, 2000, 2500]
    assert value_ticks(0.0, 0.0, count=True)[2] == [0, 1, 2, 3, 4, 5]
    assert all(t == int(t) for t in value_ticks(0.0, 7.0, count=True)[2])
    rows = [(NOW - timedelta(minutes=m), 2099.6 - m, True) for m in range(30, -1, -1)]
    c = chart("people", "people", rows, NOW, 1, tz=SHANGHAI, count=True)
    assert c["last"] == 2100 and isinstance(c["last"], int)
    assert [t["label"] for t in c["yticks"]] == ["0", "500", "1000", "1500", "2000", "2500"]
    assert c["yticks"][0]["y"] == c["box"]["y1"]  # 0 on the axis' foot


def test_a_steady_temperature_is_not_magnified_into_noise() -> None:
    assert value_ticks(22.0, 22.02, digits=1)[2] == [21.4, 21.6, 21.8, 22.0, 22.2, 22.4, 22.6]
    assert value_ticks(420.0, 421.5, digits=0)[2] == [414, 416, 418, 420, 422, 424, 426]
    rows = [(NOW - timedelta(minutes=m), 21.399999618530273, True) for m in range(10)]
    c = chart("t", "°C", rows, NOW, 1, tz=SHANGHAI)
    assert c["last"] == 21.4
    assert all(len(t["label"].split(".")[1]) == 1 for t in c["yticks"])


def test_no_samples_no_line() -> None:
    c = chart("t", "°C", [(NOW, None, False)], NOW, 6, tz=SHANGHAI)
    assert c["points"] == "" and c["last"] is None and c["xticks"] == []
