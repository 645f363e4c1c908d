"""A test site for the simulator's public zones: today's root zones.yaml plus public areas.

`site_venue(dest)` writes a configuration folder (zones.yaml + a copy of schedules/): the
root's venue, its units moved to free loopback ports (`_venues.replicated_venue`), and
appended `copies` times (groups `opera-public-k`, `corridors-k`):

- `public-hall-k` [E]: the opera house's share of the public hall under the shell, 6,000 m²,
  72,000 m³ (12 m under the shell); 3,000 m² of glass (the shell's 1,226 glass panels over
  the public hall, a share of it); an entrance's 1 m³/s; six AHUs of 10 m³/s;
- `olive-hall-k`: the entrance hall, 1,500 m², 15,000 m³, 600 m² of glass, the main
  entrance's 3 m³/s of outdoor air; three AHUs of 5 m³/s — the same group as the public
  hall (the study tunes them together);
- `corridor-k`: an underwater corridor (~80 m × 20 m), 8,000 m³, no glass, its walls and
  floor coupled to the lake at 8 kW/K (~4,000 m² of wall and floor at ~2 W/m²K), 0.5 m³/s
  at its ends; three AHUs of 3.3 m³/s, a group of their own.

The capacitances follow reference-data.md's rule (fast node ~5 × the air, mass 9.1 W/m²K ×
the surfaces). Two public-hall AHUs of each copy are BACnet devices, every other public AHU a
device id on one Modbus TCP server (many ids on one port). The mode points have the public
units' four states. The root's zones become the hall `main` (`halls:`), whose shows' audiences
crowd the opera's public areas (not the corridors). Nothing here depends on the real site's
zones.yaml (written elsewhere).
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from pathlib import Path

from bench._venues import free_ports, replicated_venue

MODES = "{cool: 1, heat: 2, vent: 3, dehumidify: 4}"
LIMITS = """    limits:
      setpoint_min_c: 16
      setpoint_max_c: 30
      max_setpoint_change_k_per_min: 0.3
      idle_band_c: [16, 30]
      idle_hysteresis_k: 1.0
      idle_rh_pct: [30, 65]
"""
# name, group kind, area, volume, exposure, thermal, [(airflow m³/h, cool kW, heat kW, fan kW)]
ZONES = (
    ("public-hall", "opera-public", 6000, 72000, 3000,
     "{glass_m2: 3000, solar_gain_factor: 0.3, glass_u_w_per_m2k: 1.8, "
     "infiltration_m3_per_s: 1.0}",
     "{fast_capacitance_mj_per_k: 430, mass_capacitance_mj_per_k: 2400, "
     "fast_mass_kw_per_k: 110, mass_surroundings_kw_per_k: 10}",
     [(36000, 250, 180, 18)] * 6),
    ("olive-hall", "opera-public", 1500, 15000, 800,
     "{glass_m2: 600, solar_gain_factor: 0.3, glass_u_w_per_m2k: 1.8, "
     "infiltration_m3_per_s: 3.0}",
     "{fast_capacitance_mj_per_k: 90, mass_capacitance_mj_per_k: 600, "
     "fast_mass_kw_per_k: 27, mass_surroundings_kw_per_k: 3}",
     [(18000, 120, 90, 9)] * 3),
    ("corridor", "corridors", 1600, 8000, 500,
     "{ground_w_per_k: 8000, ground: lake, infiltration_m3_per_s: 0.5}",
     "{fast_capacitance_mj_per_k: 48, mass_capacitance_mj_per_k: 800, "
     "fast_mass_kw_per_k: 30}",
     [(12000, 60, 45, 6)] * 3),
)
BACNET_PER_COPY = 2  # the public hall's first two AHUs


@dataclass(frozen=True)
class Site:
    folder: Path
    public_units: list[str]
    groups: list[str]
    public_zones: list[str]
    modbus_port: int


def _modbus_points() -> str:
    return f"""    points:
      enable:        {{table: holding, register: 0, type: uint16}}
      setpoint:      {{table: holding, register: 1, type: float32, units: degC, min: 15, max: 30}}
      oa_damper_min: {{table: holding, register: 3, type: float32, units: percent,
                      min: 0, max: 100}}
      fan_speed_max: {{table: holding, register: 5, type: float32, units: percent,
                      min: 20, max: 100}}
      mode:          {{table: holding, register: 7, type: uint16, states: {MODES}}}
      zone_temp:     {{table: input, register: 0, type: float32, units: degC}}
      zone_rh:       {{table: input, register: 2, type: float32, units: percent}}
      co2:           {{table: input, register: 4, type: float32, units: ppm}}
      supply_temp:   {{table: input, register: 6, type: float32, units: degC}}
      fan_status:    {{table: input, register: 8, type: uint16}}
      oa_temp:       {{table: input, register: 18, type: float32, units: degC}}
"""


def _bacnet_points() -> str:
    return f"""    points:
      enable:        {{object: "binaryValue:1", type: bool}}
      setpoint:      {{object: "analogValue:1", type: real, units: degC, min: 15, max: 30}}
      oa_damper_min: {{object: "analogValue:2", type: real, units: percent, min: 0, max: 100}}
      fan_speed_max: {{object: "analogValue:3", type: real, units: percent, min: 20, max: 100}}
      mode:          {{object: "multiStateValue:1", type: enum, states: {MODES}}}
      zone_temp:     {{object: "analogInput:1", type: real, units: degC}}
      zone_rh:       {{object: "analogInput:2", type: real, units: percent}}
      co2:           {{object: "analogInput:3", type: real, units: ppm}}
      supply_temp:   {{object: "analogInput:4", type: real, units: degC}}
      fan_status:    {{object: "binaryInput:1", type: bool}}
      oa_temp:       {{object: "analogInput:9", type: real, units: degC}}
"""


# the public areas open every day, as the spring week's units run (bench/public_week.py)
PUBLIC_HOURS = """public_hours:
  weekly:
    - {days: [mon, tue, wed, thu, fri, sat, sun], open: "09:00", close: "17:30"}
"""


# The lake keeps the corridors cool: in spring they need heat whenever the air outdoors is
# under 25 °C, and cooling only above 29 °C (what `hvac-ctl report public` suggests from a
# week run on the defaults, where vent let them fall to 18 °C)
CORRIDORS_SPRING = "{heat_below_c: 25, cool_above_c: 29}"


def site_venue(dest: Path, copies: int = 1) -> Site:
    """The root venue plus `copies` public areas (see the module), on free loopback ports."""
    replicated_venue(dest, 1)  # the root's venue, its units on free ports
    text = (dest / "zones.yaml").read_text(encoding="utf-8")
    head, _, units = text.partition("\nunits:\n")
    before, _, zones = head.partition("\nzones:\n")
    udp = free_ports(socket.SOCK_DGRAM, BACNET_PER_COPY * copies)
    (modbus_port,) = free_ports(socket.SOCK_STREAM, 1)
    groups, zone_text, unit_text = "", "", ""
    public_units: list[str] = []
    group_names: list[str] = []
    zone_names: list[str] = []
    device = 0
    for k in range(1, copies + 1):
        groups += (f"  opera-public-{k}:\n    name: Opera public hall and Olive Hall {k}\n"
                   "    halls: [main]\n    staging: {open: 6, crowd: 9}\n"
                   f"  corridors-{k}:\n    name: Underwater corridors {k}\n"
                   "    staging: {open: 2, crowd: 3}\n")
        group_names += [f"opera-public-{k}", f"corridors-{k}"]
        for name, group, area, volume, capacity, exposure, thermal, ahus in ZONES:
            zone = f"{name}-{k}"
            zone_names.append(zone)
            zone_text += (f"  {zone}:\n    kind: public\n    group: {group}-{k}\n"
                          f"    capacity: {capacity}\n    area_m2: {area}\n"
                          f"    volume_m3: {volume}\n"
                          "    ventilation: {rp_lps_per_person: 2.5, ra_lps_per_m2: 0.3}\n"
                          f"{LIMITS}    exposure: {exposure}\n    thermal: {thermal}\n")
            for j, (flow, cool, heat, fan) in enumerate(ahus, start=1):
                unit = f"ahu-{zone}-{j}"
                public_units.append(unit)
                unit_text += (f"  {unit}:\n    zone: {zone}\n    airflow_m3_per_h: {flow}\n"
                              f"    cooling_kw: {cool}\n    heating_kw: {heat}\n"
                              f"    fan_kw: {fan}\n")
                if name == "public-hall" and j <= BACNET_PER_COPY:
                    port = udp[(k - 1) * BACNET_PER_COPY + j - 1]
                    unit_text += ("    protocol: bacnet\n    address: {ip: "
                                  f'"127.0.0.1:{port}", device_id: {30000 + len(public_units)}}}\n'
                                  + _bacnet_points())
                else:
                    device += 1
                    unit_text += ("    protocol: modbus\n    address: {host: 127.0.0.1, "
                                  f"port: {modbus_port}, device_id: {device}, word_order: big}}\n"
                                  + _modbus_points())
    assert device <= 247, "one Modbus server holds at most 247 device ids"
    # the root's zones are the hall `main` (its shows crowd the opera's public areas)
    zones = re.sub(r"^(    kind: (?:auditorium|stage|pit))$", r"\1\n    hall: main", zones,
                   flags=re.M)
    out = (f"{before}\nhalls:\n  main:\n    name: Opera House\n"
           f"\ngroups:\n{groups}\nzones:\n{zones}\n{zone_text}\nunits:\n"
           f"{units.rstrip()}\n{unit_text}")
    (dest / "zones.yaml").write_text(out, encoding="utf-8")
    (dest / "schedules" / "calendar" / "public.yaml").write_text(PUBLIC_HOURS, encoding="utf-8")
    seasons = dest / "schedules" / "seasons.yaml"
    tuned = "".join(f"      corridors-{k}: {CORRIDORS_SPRING}\n" for k in range(1, copies + 1))
    seasons.write_text(seasons.read_text(encoding="utf-8").replace(
        "\n  shoulder:\n", f"\n  shoulder:\n    public_groups:\n{tuned}", 1), encoding="utf-8")
    return Site(dest, public_units, group_names, zone_names, modbus_port)
