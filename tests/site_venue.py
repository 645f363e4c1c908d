"""A small site for the planner's tests, built from the one-hall files: the opera house
(separated) as it is, a fused hall (`concert`: a stage and an audience), and one public group
(`foyer`: a lobby and a hall beside it, four AHUs between them), open 09:00–17:30.

Built as data (the one-hall YAML loaded, extended, dumped) so that it follows the one-hall
files as they change, and small, so that a property test can plan many instants of it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from hvac_ctl.config import parse_config
from hvac_ctl.config.loader import SEASONS, ZONES
from hvac_ctl.model import Config

HERE = Path(__file__).resolve().parent.parent
ONE_HALL = next(p for p in (HERE / "examples" / "single-hall", HERE) if (p / ZONES).is_file())
PUBLIC_UNITS = {"ahu-foyer-1": "lobby", "ahu-foyer-2": "lobby", "ahu-foyer-3": "lobby",
                "ahu-foyer-4": "winter-garden"}


def _unit(template: dict[str, Any], zone: str, device_id: int, port: int) -> dict[str, Any]:
    u = copy.deepcopy(template)
    u["zone"] = zone
    u["address"] = {"host": "127.0.0.1", "port": port, "device_id": device_id,
                    "word_order": "big"}
    return u


def site_texts(calendar: str = "") -> dict[str, str]:
    zones = yaml.safe_load((ONE_HALL / ZONES).read_text(encoding="utf-8"))
    seasons = yaml.safe_load((ONE_HALL / SEASONS).read_text(encoding="utf-8"))
    zones["halls"] = {"opera-house": {"name": "Opera house", "type": "separated"},
                      "concert": {"name": "Concert hall", "type": "fused",
                                  "stage_offset_k": 1.0}}
    zones["groups"] = {"foyer": {"name": "Foyer and winter garden", "halls": ["opera-house",
                                                                           "concert"],
                                 "staging": {"idle": 0, "open": 2, "crowd": 3}}}
    for z in zones["zones"].values():
        z["hall"] = "opera-house"
    aud, stage = zones["zones"]["auditorium"], zones["zones"]["stage"]
    zones["zones"]["concert-auditorium"] = {**copy.deepcopy(aud), "hall": "concert",
                                            "seats": 2019, "supply": "displacement"}
    zones["zones"]["concert-stage"] = {**copy.deepcopy(stage), "hall": "concert"}
    for name in ("lobby", "winter-garden"):
        zones["zones"][name] = {**{k: copy.deepcopy(v) for k, v in aud.items()
                                   if k not in ("seats", "hall", "description")},
                                "kind": "public", "group": "foyer", "capacity": 800}
    modbus = zones["units"]["ahu-stage-main"]
    zones["units"]["ahu-concert-aud"] = _unit(modbus, "concert-auditorium", 1, 5030)
    zones["units"]["ahu-concert-aud"]["supply_limits_c"] = [18, 30]
    zones["units"]["ahu-concert-stage"] = _unit(modbus, "concert-stage", 2, 5030)
    public = copy.deepcopy(modbus)
    public["points"]["mode"]["states"] = {"cool": 1, "heat": 2, "vent": 3, "dehumidify": 4}
    public["points"]["oa_rh"] = {"table": "input", "register": 20, "type": "float32",
                                 "units": "percent"}
    for n, (name, zone) in enumerate(PUBLIC_UNITS.items(), start=1):
        zones["units"][name] = _unit(public, zone, n, 5031)
    for season in seasons["seasons"].values():
        zs = season["zones"]
        zs["concert-auditorium"] = copy.deepcopy(zs["auditorium"])
        zs["concert-stage"] = copy.deepcopy(zs["stage"])
        for phase in zs["concert-auditorium"].values():
            if isinstance(phase, dict) and "units" in phase:
                phase["units"] = ["ahu-concert-aud"]
        for key, phase in zs["concert-stage"].items():
            if isinstance(phase, dict) and "units" in phase:
                phase["units"] = ["ahu-concert-stage"]
            if key == "show":
                phase["setpoint_c"] = phase["setpoint_c"] - 1.5  # the stage wants it cooler
    texts = {ZONES: yaml.safe_dump(zones, sort_keys=False),
             SEASONS: yaml.safe_dump(seasons, sort_keys=False),
             "schedules/calendar/site.yaml": calendar or SITE_CALENDAR}
    return texts


SITE_CALENDAR = """
public_hours:
  weekly:
    - {days: [mon, tue, wed, thu, fri, sat, sun], open: "09:00", close: "17:30"}
  except:
    - {date: 2027-04-14, closed: true}
performances:
  - {id: tosca-2027-04-13, title: Tosca, date: 2027-04-13, hall: opera-house,
     doors_open: "18:45", curtain: "19:30", end: "22:30", expected_attendance: 2000,
     live_orchestra: true}
  - {id: concert-2027-04-13, title: Brahms, date: 2027-04-13, hall: concert,
     doors_open: "18:45", curtain: "19:30", end: "21:30", expected_attendance: 1800}
tours:
  - {id: tour-2027-04-14, date: 2027-04-14, start: "10:00", end: "11:00",
     route: [lobby, auditorium, concert-auditorium]}
"""


def site_config(calendar: str = "") -> Config:
    return parse_config(site_texts(calendar))
