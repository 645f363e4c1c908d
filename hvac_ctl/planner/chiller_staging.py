"""Which chillers run for a load: the study's "the small chiller alone when the load is
small; stage the large ones in by load", with the minimum run and off times plants keep.

Inputs: the plant's cooling load (kW), the outdoor wet-bulb, what ran and since when
(`ChillerState`), each chiller's run hours, the instant. Output (`Staged`): the chillers to
run, whether the towers free-cool, whether the running capacity falls short, and why.

- **Free cooling** through the towers and the plate exchanger while the wet-bulb is at or
  below `towers.free_cooling_below_wb_c` and the load within its capacity: no chiller runs
  for it (those still inside their minimum run keep running).
- **The screw chiller alone** while the load is within `up_at_plr` of its capacity.
- **Centrifugals by load**: one more comes in when the running ones would be loaded past
  `up_at_plr`, or their capacity less the margin no longer covers the load; one goes out
  when the rest would be loaded under `down_at_plr` (the band between keeps stages from
  flapping). The screw runs beside them only while it is needed to cover the load.
- **Minimum run and off**: a chiller that started less than `min_run_min` ago keeps running,
  one stopped less than `min_off_min` ago stays off, whatever the load says; when that leaves
  the load uncovered, `short_kw` says by how much (the alarm's words).
- **Lead/lag by run hours**: a stage up starts the available centrifugal with the fewest
  hours, a stage down stops the running one with the most.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from hvac_ctl.model.plant import ChillerKind, Plant
from hvac_ctl.planner.chiller_curves import available_kw, condenser_c
from hvac_ctl.planner.inputs import ChillerState


@dataclass(frozen=True)
class Staged:
    running: tuple[str, ...]
    free_cooling: bool
    capacity_kw: float  # what the running chillers (and free cooling) can deliver now
    short_kw: float  # the load the running capacity, with its margin, leaves uncovered
    why: str


def _may(state: ChillerState | None, at: datetime, wait: timedelta) -> bool:
    return state is None or state.since is None or at - state.since >= wait


def stage(plant: Plant, load_kw: float, wet_bulb_c: float,
          held: Mapping[str, ChillerState], run_hours: Mapping[str, float], at: datetime
          ) -> Staged:
    s = plant.staging
    t_cw = condenser_c(plant.towers, wet_bulb_c)
    cap = {n: available_kw(c, plant.chw_supply_c, t_cw) for n, c in plant.chillers.items()}
    run_min, off_min = timedelta(minutes=s.min_run_min), timedelta(minutes=s.min_off_min)
    on = {n for n, st in held.items() if st.running and n in plant.chillers}
    locked_on = {n for n in on if not _may(held.get(n), at, run_min)}
    locked_off = {n for n in plant.chillers if n not in on
                  and not _may(held.get(n), at, off_min)}
    order = {n: i for i, n in enumerate(plant.chillers)}

    def hours(n: str) -> tuple[float, int]:
        return run_hours.get(n, 0.0), order[n]

    screw = next((n for n, c in plant.chillers.items() if c.kind == ChillerKind.screw), None)
    big = sorted((n for n, c in plant.chillers.items() if c.kind == ChillerKind.centrifugal),
                 key=hours)
    free = (wet_bulb_c <= plant.towers.free_cooling_below_wb_c
            and load_kw <= plant.towers.free_cooling_kw)
    # the screw alone up to the band's top; back to it from the centrifugals only under the
    # band's bottom
    alone = (s.down_at_plr if on & set(big) else s.up_at_plr) * cap[screw] if screw else 0.0
    wanted: set[str] = set()
    if free or load_kw <= 0:
        why = f"free cooling: wet-bulb {wet_bulb_c:.1f} °C" if free else "no cooling load"
    elif screw is not None and load_kw <= alone and screw not in locked_off:
        wanted, why = {screw}, f"{load_kw:.0f} kW: the screw chiller alone"
    else:
        wanted = {n for n in big if n in on}
        need = load_kw * (1 + s.margin)
        # in: while the running centrifugals would be past the band's top
        while sum(cap[n] for n in wanted) * s.up_at_plr < need:
            nxt = next((n for n in big if n not in wanted and n not in locked_off), None)
            if nxt is None:
                break
            wanted.add(nxt)
        # out: while the rest would still sit under the band's bottom, and cover the load
        while len(wanted) > 1:
            last = max(wanted, key=hours)
            rest = sum(cap[n] for n in wanted if n != last)
            if load_kw >= s.down_at_plr * rest or rest < need:
                break
            wanted.discard(last)
        if screw is not None and sum(cap[n] for n in wanted) < need and (
                screw not in locked_off):
            wanted.add(screw)  # the small one tops the big ones up
        why = f"{load_kw:.0f} kW: {len(wanted - {screw})} centrifugal"
    kept = locked_on - wanted
    if kept:
        why += "; minimum run keeps " + ", ".join(sorted(kept))
    wanted = (wanted | locked_on) - locked_off
    capacity = sum(cap[n] for n in wanted) + (plant.towers.free_cooling_kw if free else 0.0)
    short = max(0.0, load_kw * (1 + s.margin) - capacity) if load_kw > 0 else 0.0
    if short:
        why += f"; {short:.0f} kW short of the load and its margin"
    return Staged(tuple(n for n in plant.chillers if n in wanted), free, capacity, short, why)
