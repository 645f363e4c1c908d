"""Outdoor air: ASHRAE 62.1 rates, the CO2 it takes to hold the limit, and when to open.

Precool runs on full recirculation (dampers shut) to save energy, but the outdoor air must be
open early enough that CO2 stays under the limit as the audience pours in. The hall's volume is
a buffer: the opening time is the latest minute at which a well-mixed CO2 balance of the
expected arrival ramp never crosses the planning ceiling (limit − margin).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from hvac_ctl.model.seasons import OaMode
from hvac_ctl.model.venue import Occupancy, Zone


def voz_lps(zone: Zone, people: float) -> float:
    """Zone outdoor airflow, Voz = (Rp·P + Ra·A) / Ez, in L/s (ASHRAE 62.1 §6.2)."""
    v = zone.ventilation
    return (v.rp_lps_per_person * people + v.ra_lps_per_m2 * zone.area_m2) / v.ez


def area_only_lps(zone: Zone) -> float:
    """The area part alone: building-generated contaminants in an empty space."""
    return voz_lps(zone, 0)


def co2_hold_lps(people: float, occ: Occupancy) -> float:
    """Outdoor air that holds steady-state CO2 at limit − margin for `people`, in L/s."""
    rise_ppm = occ.co2_limit_ppm - occ.co2_margin_ppm - occ.outdoor_co2_ppm
    return people * occ.co2_per_person_lps / (rise_ppm * 1e-6) if people > 0 else 0.0


def occupied_lps(zone: Zone, people: float, occ: Occupancy) -> float:
    """62.1 is the floor; a crowded hall needs more than 62.1 to stay under the CO2 limit."""
    return max(voz_lps(zone, people), co2_hold_lps(people, occ))


def phase_lps(zone: Zone, mode: OaMode, people: float, occ: Occupancy) -> float:
    """Outdoor air for a phase's `oa` setting with `people` in the zone."""
    if mode == OaMode.closed:
        return 0.0
    if mode == OaMode.minimum:
        return area_only_lps(zone)
    if mode == OaMode.design:
        return max(voz_lps(zone, zone.occupants_max), occupied_lps(zone, people, occ))
    return occupied_lps(zone, people, occ)


def co2_trim(lps: float, measured_ppm: float | None, occ: Occupancy) -> float:
    """Demand-controlled ventilation on what is measured, on top of the count's feed-forward.

    As G36's zone ventilation (`VentilationZones/ASHRAE62_1`) runs a proportional loop on
    CO2, the outdoor air planned from the seat count grows once the measured CO2 is above
    the planning ceiling (limit − margin), in proportion, to twice as much at the limit: a
    crowd larger or stuffier than counted is caught before the limit, so the plan can aim
    close to it without crossing it."""
    ceiling = occ.co2_limit_ppm - occ.co2_margin_ppm
    if measured_ppm is None or measured_ppm <= ceiling or lps <= 0:
        return lps
    return lps * (1 + (measured_ppm - ceiling) / max(occ.co2_margin_ppm, 1.0))


def short_term_period(zone: Zone, people: float) -> timedelta:
    """62.1 §6.2.6.2: ventilation may be averaged over T = 3·V / Vbz."""
    vbz_m3s = voz_lps(zone, people) * zone.ventilation.ez / 1000.0
    return timedelta(seconds=3 * zone.volume_m3 / vbz_m3s) if vbz_m3s > 0 else timedelta.max


def co2_peak(
    zone: Zone,
    occ: Occupancy,
    people_at: Callable[[datetime], float],
    oa_lps: float,
    open_at: datetime,
    start: datetime,
    end: datetime,
    c0_ppm: float | None = None,
    step: timedelta = timedelta(minutes=1),
    settled: datetime | None = None,
) -> float:
    """Highest CO2 over [start, end] with dampers shut until `open_at`, then at `oa_lps`.

    Each step is integrated exactly (people at the step's midpoint), so the answer does not
    depend on the step size for a constant crowd. From `settled` on the crowd is constant:
    once the dampers are open too, CO2 moves monotonically toward its steady state, so the
    rest of the show is solved in closed form instead of stepped.
    """
    c = occ.outdoor_co2_ppm if c0_ppm is None else c0_ppm
    peak = c
    volume = zone.volume_m3
    gen_m3s = occ.co2_per_person_lps / 1000.0
    t = start
    dt = step.total_seconds()
    while t < end:
        if settled is not None and t >= settled and t >= open_at and oa_lps > 0:
            a = (oa_lps / 1000.0) / volume
            steady = occ.outdoor_co2_ppm + people_at(t) * gen_m3s / volume * 1e6 / a
            c_end = steady + (c - steady) * math.exp(-a * (end - t).total_seconds())
            return max(peak, c_end)
        people = people_at(t + step / 2)
        source = people * gen_m3s / volume * 1e6  # ppm/s
        a = (oa_lps / 1000.0) / volume if t >= open_at else 0.0
        if a > 0:
            steady = occ.outdoor_co2_ppm + source / a
            c = steady + (c - steady) * math.exp(-a * dt)
        else:
            c += source * dt
        peak = max(peak, c)
        t += step
    return peak


def opening_time(
    zone: Zone,
    occ: Occupancy,
    people_at: Callable[[datetime], float],
    oa_lps: float,
    doors: datetime,
    curtain: datetime,
    end: datetime,
    c0_ppm: float | None = None,
) -> datetime:
    """The latest whole minute in [doors, curtain] at which opening keeps CO2 under the ceiling.

    Never later than the curtain (people seated for the show get outdoor air) nor than
    62.1's short-term averaging period allows. When even opening at doors is not enough
    (a crowd the units cannot ventilate), open at doors: the earliest that helps.
    """
    ceiling = occ.co2_limit_ppm - occ.co2_margin_ppm
    latest = min(curtain, doors + short_term_period(zone, people_at(curtain)))

    def ok(open_at: datetime) -> bool:
        peak = co2_peak(zone, occ, people_at, oa_lps, open_at, doors, end, c0_ppm,
                        settled=curtain)
        return peak <= ceiling

    lo, hi = 0, int((latest - doors).total_seconds() // 60)
    if ok(doors + timedelta(minutes=hi)):
        return doors + timedelta(minutes=hi)
    if not ok(doors):
        return doors
    while hi - lo > 1:  # invariant: ok(lo), not ok(hi)
        mid = (lo + hi) // 2
        if ok(doors + timedelta(minutes=mid)):
            lo = mid
        else:
            hi = mid
    return doors + timedelta(minutes=lo)
