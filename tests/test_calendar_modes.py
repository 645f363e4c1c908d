"""A dated entry on a weekly pattern's day: replace (said, or warned about) or add (issue 15,
item 1), a day's effective events over the API, a push for a show an edit removed (409
naming the edit), and a push dated too far ahead (422 naming `at`, item 9)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest

from hvac_ctl.config import parse_config_with_warnings
from tests.harness import SINGLE_HALL, run, service

ZONES, SEASONS, CAL = "zones.yaml", "schedules/seasons.yaml", "schedules/calendar/test.yaml"
WEEKLY = """\
weekly:
  - name: Aida
    from: 2027-07-01
    to: 2027-07-31
    performances:
      - {days: [fri, sat], title: Aida, doors_open: "19:00", curtain: "19:30", end: "22:30",
         expected_attendance: 2000, live_orchestra: true}
performances:
  - {id: aida-matinee-2027-07-10, title: Aida, date: 2027-07-10, doors_open: "13:30",
     curtain: "14:00", end: "17:00", expected_attendance: 1500%s}
"""
SATURDAY = date(2027, 7, 10)


def load(mode: str) -> tuple[list[str], list[str]]:
    text = WEEKLY % mode
    config, warnings = parse_config_with_warnings({
        ZONES: (SINGLE_HALL / ZONES).read_text(), SEASONS: (SINGLE_HALL / SEASONS).read_text(),
        CAL: text})
    ids = [e.id for e in config.calendar.events_on(SATURDAY, config.venue.venue.tz)]
    return ids, [str(w) for w in warnings]


def test_a_dated_entry_that_says_nothing_replaces_and_is_warned_about() -> None:
    ids, warnings = load("")
    assert ids == ["aida-matinee-2027-07-10"]  # BACnet's exception schedule, as before
    line = (WEEKLY % "").splitlines().index("performances:") + 2
    [w] = warnings
    assert w.startswith(f"{CAL}:{line}: performances[0]: warning: on 2027-07-10 this replaces "
                        "the weekly pattern's show 'Aida' (curtain 19:30) (aida-2027-07-10, "
                        f"{CAL}:6)")
    assert "mode: add" in w


def test_mode_add_keeps_the_patterns_show() -> None:
    ids, warnings = load(", mode: add")
    assert ids == ["aida-matinee-2027-07-10", "aida-2027-07-10"]
    assert warnings == []


def test_mode_replace_said_is_deliberate() -> None:
    ids, warnings = load(", mode: replace")
    assert ids == ["aida-matinee-2027-07-10"]
    assert warnings == []


def test_an_unknown_mode_is_refused_at_its_key() -> None:
    from hvac_ctl.config import ConfigError

    with pytest.raises(ConfigError) as info:
        load(", mode: append")
    [issue] = info.value.issues
    assert (issue.file, issue.key) == (CAL, "performances[0].mode")


MATINEE = """
performances:
  - {id: tosca-matinee-2026-12-04, title: Tosca matinee, date: 2026-12-04, doors_open: "13:30",
     curtain: "14:00", end: "17:00", expected_attendance: 1200, live_orchestra: true}
"""


@pytest.mark.e2e
def test_an_edit_that_removes_a_show_is_named_to_the_box_office(tmp_path: Path) -> None:
    """The matinee added on a Friday of Tosca's run took the evening show with it: the PUT
    says so, the day's events show it, and a push for the evening names the edit."""
    async def body() -> None:
        async with service(tmp_path, at="2026-12-04 12:00") as s:
            eng = {**s.auth("engineer"), "content-type": "application/yaml"}
            box = s.auth("boxoffice")
            before = (await s.http.get("/api/v1/events", headers=eng,
                                       params={"date": "2026-12-04"})).json()
            assert [e["id"] for e in before["events"] if e["kind"] == "show"] == [
                "tosca-2026-12-04"]
            evening = next(e for e in before["events"] if e["id"] == "tosca-2026-12-04")
            assert evening["source"].startswith("schedules/calendar/2026-27-season.yaml:11: "
                                                "weekly[0].performances[0]")
            assert evening["doors"] == "2026-12-04T19:00:00+08:00"
            assert evening["curtain"] == "2026-12-04T19:30:00+08:00"
            r = await s.http.put("/api/v1/schedules/calendar/matinee.yaml", headers=eng,
                                 content=MATINEE)
            assert r.status_code == 200, r.text
            [w] = r.json()["warnings"]
            assert w.startswith("schedules/calendar/matinee.yaml:3: performances[0]: warning: "
                                "on 2026-12-04 this replaces the weekly pattern's show 'Tosca'")
            after = (await s.http.get("/api/v1/events", headers=eng,
                                      params={"date": "2026-12-04"})).json()
            shows = [e for e in after["events"] if e["kind"] == "show"]
            assert [e["id"] for e in shows] == ["tosca-matinee-2026-12-04"]
            assert shows[0]["replaced_pattern"] is True
            assert [g["id"] for g in shows[0]["replaces"]] == ["tosca-2026-12-04"]
            assert shows[0]["source"].startswith("schedules/calendar/matinee.yaml:3: ")
            r = await s.http.post("/api/v1/occupancy", headers=box,
                                  json={"event": "tosca-2026-12-04", "count": 100})
            assert r.status_code == 409, r.text
            detail = r.json()["detail"]
            assert "tosca-2026-12-04" in detail and "schedules/calendar/matinee.yaml" in detail
            assert "engineer-test" in detail and "2026-12-04T12:00:00+08:00" in detail
            r = await s.http.post("/api/v1/occupancy", headers=box,
                                  json={"event": "tosca-2099-01-01", "count": 100})
            assert r.status_code == 404, r.text
            # the same edit undone on disk: the show is back and may be pushed for again
            (s.ports.folder / "schedules/calendar/matinee.yaml").write_text(
                MATINEE.replace("live_orchestra: true}", "live_orchestra: true, mode: add}"))
            for _ in range(50):  # the watcher looks every 0.2 s
                if s.runtime.show("tosca-2026-12-04") is not None:
                    break
                await asyncio.sleep(0.1)
            assert s.runtime.disk.removal("tosca-2026-12-04") is None
            r = await s.http.post("/api/v1/occupancy", headers=box,
                                  json={"event": "tosca-2026-12-04", "count": 100})
            assert r.status_code == 200, r.text

    run(body())


@pytest.mark.e2e
def test_a_push_dated_far_ahead_is_refused_naming_at(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path) as s:
            box = s.auth("boxoffice")
            now = s.clock.now()
            r = await s.http.post("/api/v1/occupancy", headers=box, json={
                "event": "tosca-2026-12-05", "count": 1500,
                "at": (now + timedelta(minutes=11)).isoformat()})
            assert r.status_code == 422, r.text
            assert r.json()["detail"][0]["loc"] == ["body", "at"]
            assert "more than 10 min after" in r.json()["detail"][0]["msg"]
            r = await s.http.post("/api/v1/occupancy", headers=box, json={
                "event": "tosca-2026-12-05", "count": 1500,
                "at": (now + timedelta(minutes=5)).isoformat()})
            assert r.status_code == 200, r.text

    run(body())


@pytest.mark.e2e
def test_a_restart_still_names_the_edit_that_removed_a_show(tmp_path: Path) -> None:
    """The removal is audited and read back at start: after a restart the box office still
    hears 409 naming the edit, not 404."""
    async def edit() -> None:
        async with service(tmp_path, at="2026-12-04 12:00") as s:
            eng = {**s.auth("engineer"), "content-type": "application/yaml"}
            r = await s.http.put("/api/v1/schedules/calendar/matinee.yaml", headers=eng,
                                 content=MATINEE)
            assert r.status_code == 200, r.text
            await s.settle()
            [row] = s.runtime.store.audit_entries(action="schedule.removed")
            assert (row.old, row.new, row.actor) == (
                "tosca-2026-12-04", ["schedules/calendar/matinee.yaml"], "engineer-test")

    async def restarted() -> None:  # the same folder (the matinee is still there), same store
        async with service(tmp_path, at="2026-12-04 12:30") as s:
            r = await s.http.post("/api/v1/occupancy", headers=s.auth("boxoffice"),
                                  json={"event": "tosca-2026-12-04", "count": 100})
            assert r.status_code == 409, r.text
            assert "schedules/calendar/matinee.yaml" in r.json()["detail"]
            assert "engineer-test" in r.json()["detail"]

    run(edit())
    run(restarted())


def test_weekly_shows_of_one_title_in_two_halls_get_their_hall_in_the_id() -> None:
    """Event ids are unique across a site: the box office pushes counts by id."""
    from hvac_ctl.config import parse_config
    from tests.site_venue import site_texts

    texts = site_texts("""
weekly:
  - name: chamber music
    from: 2027-04-01
    to: 2027-04-30
    performances:
      - {days: [sun], title: Chamber concert, hall: opera-house, doors_open: "14:30",
         curtain: "15:00", end: "16:30", expected_attendance: 500}
      - {days: [sun], title: Chamber concert, hall: concert, doors_open: "19:00",
         curtain: "19:30", end: "21:00", expected_attendance: 500}
""")
    site = parse_config(texts)
    day = date(2027, 4, 11)
    ids = sorted(e.id for e in site.calendar.events_on(day, site.venue.venue.tz))
    assert ids == ["chamber-concert-2027-04-11-concert", "chamber-concert-2027-04-11-opera-house"]
