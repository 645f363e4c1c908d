"""Idle: nights, closed days, an empty hall — hold the space within its band, no more.

The strategy: "few or no units; only hold the space within its idle band". Band protection
with hysteresis: the idle units run only once the zone leaves its temperature band, and stop
once back inside by the hysteresis (G36 calls these setback and setup). For RH the deadband
sits above the band's edge (start past 61 %, stop at 60 %): a unit dehumidifies by its own
loop only above its RH setpoint, so it holds the hall at the edge, and a deadband below it
("run until 5 % lower") would never end: idle fans on all night. With its units off a zone
keeps the mode it holds.
"""

from __future__ import annotations

from datetime import datetime

from hvac_ctl.model.venue import Zone
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.inputs import Mode
from hvac_ctl.planner.outputs import ZoneState
from hvac_ctl.planner.unit_points import Decision, Drive, capped_lps, clamp
from hvac_ctl.planner.ventilation import phase_lps


def decide(ctx: Context, zone: str, z: Zone, at: datetime) -> Decision:
    sname, season = ctx.season_on(at.astimezone(ctx.tz).date())
    idle = season.zones[zone].idle
    lo, hi = z.limits.idle_band_c
    h = z.limits.idle_hysteresis_k
    m = ctx.inputs.measurements.get(zone)
    held = ctx.held(zone, "idle")
    mode: Mode = held.mode if held is not None else season.mode  # units off: keep it
    setpoint = idle.setpoint_c
    running: tuple[str, ...] = ()
    band = f"{lo:g}–{hi:g} °C"
    reason = f"idle: holding the band {band}, units off"  # no reading to compare yet
    if m is not None and m.at <= at and m.temp_c is not None:
        t, was_on = m.temp_c, m.units_running
        reason = f"idle: {t:.1f} °C is inside {band}, units off"
        rh_hi = z.limits.idle_rh_pct[1]
        if t > hi or (was_on and t > hi - h):
            mode, setpoint, running = "cool", hi - h, tuple(idle.units)
            reason = f"idle: {t:.1f} °C above the band {lo:g}–{hi:g} °C, cooling to {hi - h:g}"
        elif t < lo or (was_on and t < lo + h):
            mode, setpoint, running = "heat", lo + h, tuple(idle.units)
            reason = f"idle: {t:.1f} °C below the band {lo:g}–{hi:g} °C, heating to {lo + h:g}"
        elif m.rh_pct is not None and (m.rh_pct > rh_hi + z.limits.idle_rh_deadband_pct
                                       or (was_on and m.rh_pct > rh_hi)):
            mode, setpoint, running = "cool", hi - h, tuple(idle.units)
            reason = f"idle: RH {m.rh_pct:.0f} % above {rh_hi:g} %, dehumidifying"
    elif m is None or m.temp_c is None:
        reason = f"idle: no measurement yet, units off (band {band})"
    lps = phase_lps(z, idle.oa, 0, ctx.occ) if running else 0.0
    state = ZoneState(zone, "idle", None, sname, mode, clamp(z, setpoint), 0.0,
                      capped_lps(ctx.venue, running, lps, idle.fan_cap_pct), reason)
    return Decision(state, Drive(running, idle.fan_cap_pct))
