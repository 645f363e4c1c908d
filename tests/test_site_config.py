"""The default venue is the whole NCPA site: its ids are a contract (other parts of the service,
the panel and the simulator name them), the opera house inside it is the study's hall exactly,
and its calendar has the evenings the site is hard on (three halls' curtains at once).

Real files and the real loader; fast and without sockets.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from datetime import date, time
from pathlib import Path

import pytest

from hvac_ctl.config import ConfigError, load_config_with_warnings, parse_config
from hvac_ctl.config.source import parse_yaml
from hvac_ctl.model import Config, Seasons, Venue
from hvac_ctl.model.calendar import ShowEvent, TourEvent
from hvac_ctl.model.site import HallType, Supply
from hvac_ctl.model.venue import BacnetUnit, ModbusUnit, UnitKind, ZoneKind
from tests.harness import ROOT

HALLS = {"opera-house": HallType.separated, "concert-hall": HallType.fused,
         "drama-theatre": HallType.separated, "multi-functional-theatre": HallType.fused}
HALL_ZONES = {"opera-house": {"stage", "pit", "auditorium"},
              "concert-hall": {"concert-stage", "concert-auditorium"},
              "drama-theatre": {"drama-stage", "drama-pit", "drama-auditorium"},
              "multi-functional-theatre": {"mft-stage", "mft-auditorium"}}
GROUPS = {"opera-olive": ({"lobby-opera", "olive-hall"}, ["opera-house"]),
          "concert-lobby": ({"lobby-concert"}, ["concert-hall"]),
          "drama-lobby": ({"lobby-drama"}, ["drama-theatre"]),
          "corridors": ({"corridor-north", "corridor-south"},
                        ["opera-house", "concert-hall", "drama-theatre"])}
SUPPLY = {"auditorium": Supply.displacement, "concert-auditorium": Supply.displacement,
          "drama-auditorium": Supply.displacement, "mft-auditorium": Supply.mixing}
OPERA_CALENDAR = {"2026-27-season.yaml", "2026-autumn.yaml", "2027-spring-summer.yaml",
                  "specials.yaml"}  # today's files: their entries name no hall (the first)
BUSY_EVENINGS = (date(2026, 12, 12), date(2027, 7, 3))
ONE_HALL_COMMIT = "34a5944"  # the last commit whose root zones.yaml was the opera house alone


@pytest.fixture(scope="module")
def site() -> Config:
    config, warnings = load_config_with_warnings(ROOT)
    assert warnings == [], "\n".join(str(w) for w in warnings)
    return config


def one_hall_venue() -> Venue:
    """The one-hall file: examples/single-hall/ once it is there, else the file as it was."""
    path = ROOT / "examples/single-hall/zones.yaml"
    if path.is_file():
        text = path.read_text(encoding="utf-8")
    else:
        text = subprocess.run(["git", "show", f"{ONE_HALL_COMMIT}:zones.yaml"], cwd=ROOT,
                              check=True, capture_output=True, text=True).stdout
    return Venue.model_validate(parse_yaml("zones.yaml", text).data)


def test_the_default_venue_is_the_site_and_validates_without_warnings(site: Config) -> None:
    v = site.venue
    assert v.is_site
    assert v.hall_ids == tuple(HALLS)  # the opera house first: undated entries are its
    assert {h: v.hall(h).type for h in v.hall_ids} == HALLS
    assert {h: set(v.zones_of_hall(h)) for h in v.hall_ids} == HALL_ZONES


def test_its_zone_ids_kinds_and_supply_are_the_contract(site: Config) -> None:
    v = site.venue
    public = {z for zs, _ in GROUPS.values() for z in zs}
    assert set(v.zones) == set().union(*HALL_ZONES.values()) | public
    for name, z in v.zones.items():
        want = (ZoneKind.public if name in public else ZoneKind.auditorium
                if name.endswith("auditorium") else ZoneKind(name.rsplit("-", 1)[-1]))
        assert z.kind == want, name
        assert z.supply == SUPPLY.get(name), name
        if z.kind == ZoneKind.public:
            assert z.capacity and z.exposure != type(z.exposure)(), name  # a crowd, the weather
    for name in ("corridor-north", "corridor-south"):
        e = v.zones[name].exposure
        assert e.ground == "lake" and e.ground_w_per_k > 0 and e.glass_m2 == 0
    for name in ("lobby-opera", "olive-hall", "lobby-concert", "lobby-drama"):
        assert v.zones[name].exposure.glass_m2 > 0


def test_each_group_has_its_zones_halls_and_four_to_eight_ahus(site: Config) -> None:
    v = site.venue
    assert set(v.groups) == set(GROUPS)
    for gid, (zones, halls) in GROUPS.items():
        assert set(v.zones_of_group(gid)) == zones, gid
        assert v.groups[gid].halls == halls, gid
        ahus = [u for z in zones for u in v.units_of(z) if v.units[u].kind == UnitKind.ahu]
        assert 4 <= len(ahus) <= 8, (gid, ahus)
        for u in ahus:
            mode = v.units[u].points.mode
            assert mode is not None and mode.states == {"cool": 1, "heat": 2, "vent": 3,
                                                        "dehumidify": 4}, u


def test_the_opera_house_is_the_one_hall_files_zones_and_units_exactly(site: Config) -> None:
    before, now = one_hall_venue(), site.venue
    assert set(HALL_ZONES["opera-house"]) == set(before.zones)
    for name, z in before.zones.items():
        # the site adds what a hall's zone now says of itself: its hall, its supply
        assert now.zones[name].model_dump(exclude={"hall", "supply"}) == \
            z.model_dump(exclude={"hall", "supply"}), name
    for name, u in before.units.items():
        assert now.units[name] == u, name


def one_hall_seasons() -> Seasons:
    path = ROOT / "examples/single-hall/schedules/seasons.yaml"
    if path.is_file():
        text = path.read_text(encoding="utf-8")
    else:
        text = subprocess.run(["git", "show", f"{ONE_HALL_COMMIT}:schedules/seasons.yaml"],
                              cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return Seasons.model_validate(parse_yaml("seasons.yaml", text).data)


def test_the_opera_houses_seasons_are_the_one_hall_files(site: Config) -> None:
    before = one_hall_seasons().with_zone_units(one_hall_venue())
    assert list(site.seasons.seasons) == list(before.seasons)
    for name, s in before.seasons.items():
        now = site.seasons.seasons[name]
        assert (now.mode, now.dates, now.switch) == (s.mode, s.dates, s.switch), name
        for zone, zs in s.zones.items():
            assert now.zones[zone] == zs, (name, zone)


def test_new_units_are_addressed_on_loopback_by_protocol_with_outdoor_humidity(
        site: Config) -> None:
    v = site.venue
    opera = set(one_hall_venue().units)
    new = {n: u for n, u in v.units.items() if n not in opera}
    for name, u in new.items():
        zone = v.zones[u.zone]
        hall = v.hall_of(u.zone)
        if hall == "concert-hall":
            assert isinstance(u, BacnetUnit), name
            assert u.address.ip.startswith("127.0.0.1:")
            assert int(u.address.ip.split(":")[1]) >= 47814 and u.address.device_id >= 1201
        else:
            assert isinstance(u, ModbusUnit) and u.address.host == "127.0.0.1", name
            port = 5023 if zone.kind == ZoneKind.public else 5022
            assert u.address.port == port, name
        if u.kind == UnitKind.ahu:
            assert {"oa_temp", "oa_rh"} <= u.points.names(), name
    addresses = Counter(str(u.address) for u in v.units.values())
    assert max(addresses.values()) == 1
    assert Counter(u.protocol for u in new.values()) == {"bacnet": 5, "modbus": 30}


def test_busy_evenings_have_curtains_in_three_halls_at_once(site: Config) -> None:
    tz = site.venue.venue.tz
    for day in BUSY_EVENINGS:
        halls = {e.hall for e in site.calendar.events_on(day, tz) if isinstance(e, ShowEvent)
                 and e.curtain.astimezone(tz).time() == time(19, 30)}
        assert len(halls) >= 3, (day, halls)


def test_every_event_id_is_unique_across_the_site(site: Config) -> None:
    tz = site.venue.venue.tz
    span = site.calendar.date_range()
    assert span is not None
    events = site.calendar.events_between(span[0], span[1], tz)
    twice = [i for i, n in Counter(e.id for e in events).items() if n > 1]
    assert twice == []
    assert {e.hall for e in events} == set(HALLS)


def test_new_calendar_entries_name_their_hall_and_tours_cross_the_site(site: Config) -> None:
    v = site.venue
    crossing = 0
    for fname, f in site.calendar.files:
        if Path(fname).name in OPERA_CALENDAR:
            continue
        entries = [*f.performances, *f.tours, *f.get_ins,
                   *(e for w in f.weekly for e in (*w.performances, *w.tours, *w.get_ins))]
        assert all(e.hall is not None for e in entries), fname
        for t in [*f.tours, *(t for w in f.weekly for t in w.tours)]:
            halls = {v.hall_of(z) for z in t.route}
            crossing += None in halls and len(halls) >= 2  # a public zone and a hall
    assert crossing >= 2
    tz = v.venue.tz
    drama = [e for e in site.calendar.events_between(date(2026, 9, 1), date(2027, 8, 31), tz)
             if isinstance(e, ShowEvent | TourEvent) and e.hall != "opera-house"]
    assert any(isinstance(e, ShowEvent) and e.live_orchestra and e.hall == "drama-theatre"
               for e in drama)
    assert not any(isinstance(e, ShowEvent) and e.live_orchestra for e in drama
                   if e.hall in ("concert-hall", "multi-functional-theatre"))


def test_public_hours_close_mondays_and_shorten_new_years_eve(site: Config) -> None:
    cal, tz = site.calendar, site.venue.venue.tz
    assert cal.public_open(date(2026, 12, 14), tz) == []  # a Monday
    assert cal.public_open(date(2027, 3, 16), tz) == []  # a Tuesday closed by exception
    (opens, closes), = cal.public_open(date(2026, 12, 31), tz)
    assert (opens.astimezone(tz).time(), closes.astimezone(tz).time()) == (time(9), time(15))
    (_, closes), = cal.public_open(date(2026, 12, 15), tz)
    assert closes.astimezone(tz).time() == time(17, 30)


def test_a_show_clashing_in_a_new_hall_is_refused() -> None:
    """The site's calendar is checked hall by hall: a second 19:30 show in the drama theatre
    on a busy evening is an error, while three other halls' curtains at 19:30 are not."""
    texts = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8")
             for p in [ROOT / "zones.yaml", ROOT / "schedules/seasons.yaml",
                       *sorted((ROOT / "schedules/calendar").glob("*.yaml"))]}
    texts["schedules/calendar/clash.yaml"] = (
        "performances:\n"
        "  - {id: drama-clash-2026-12-12, title: Clash, hall: drama-theatre, date: 2026-12-12,\n"
        "     doors_open: '19:00', curtain: '19:30', end: '21:00', expected_attendance: 500,\n"
        "     mode: add}\n")
    with pytest.raises(ConfigError, match="drama-clash-2026-12-12 on 2026-12-12 overlaps"):
        parse_config(texts)
