"""The plant at an instant: the plan's cooling load → chillers staged → their power → the
tariff's band; beside it, the district heat for heating and reheat. Composes `plant_load`,
`chiller_staging`, `chiller_curves` and `district_heat`.

The load is shared among the running chillers in proportion to their capacity (equal
loading, as a plant manager's load sharing does); free cooling carries what it can first.
The wet-bulb that sets the towers' condenser water comes from the outdoor air and its
humidity (the units' `oa_temp` and `oa_rh`); without a humidity reading, the dry-bulb stands
in (a cautious, warmer condenser). Without an outdoor reading nothing is staged from the
weather: the towers are taken at their design condition (the chillers' reference).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from hvac_ctl.model.plant import ChillerKind, Plant
from hvac_ctl.planner.chiller_curves import available_kw, condenser_c, power_kw
from hvac_ctl.planner.chiller_staging import Staged, stage
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.district_heat import heat_kw
from hvac_ctl.planner.inputs import PointValue
from hvac_ctl.planner.outputs import Outlook, PlantState
from hvac_ctl.planner.plant_load import load_kw
from hvac_ctl.planner.psychro import wet_bulb_c

DESIGN_WET_BULB_C = 26.4  # Beijing's summer design wet-bulb: when nothing is measured


def wet_bulb(ctx: Context) -> float:
    """The outdoor wet-bulb the towers work from (see the module's docstring)."""
    outdoor = ctx.outdoor_c()
    rh = ctx.inputs.outdoor_rh_pct
    return (DESIGN_WET_BULB_C if outdoor is None
            else outdoor if rh is None else wet_bulb_c(outdoor, rh))


def shared(plant: Plant, staged: Staged, load: float, wb: float
           ) -> tuple[tuple[str, float, float], ...]:
    """Each running chiller's share of the load (what free cooling leaves) and its power."""
    t_cw = condenser_c(plant.towers, wb)
    on = [plant.chillers[n] for n in staged.running]
    left = max(0.0, load - (plant.towers.free_cooling_kw if staged.free_cooling else 0.0))
    caps = [available_kw(c, plant.chw_supply_c, t_cw) for c in on]
    total = sum(caps)
    return tuple((n, round(left * cap / total, 1),
                  round(power_kw(c, left * cap / total, plant.chw_supply_c, t_cw), 1))
                 for n, c, cap in zip(staged.running, on, caps, strict=True)) if total else ()


def electric(plant: Plant, load: float, wb: float, run_hours: Mapping[str, float],
             at: datetime) -> tuple[float, int]:
    """The plant's electric power for a load, staged afresh (no chiller held by its minimum
    run or off), and the centrifugals it runs: what a plan ahead of time expects."""
    staged = stage(plant, load, wb, {}, run_hours, at)
    big = sum(1 for n in staged.running if plant.chillers[n].kind == ChillerKind.centrifugal)
    return sum(kw for _, _, kw in shared(plant, staged, load, wb)), big


def price(ctx: Context, at: datetime) -> float:
    """The tariff's price at an instant (0 without a tariff)."""
    tariff = ctx.venue.tariff
    return 0.0 if tariff is None else tariff.price_at(at.astimezone(ctx.tz))


def decide(ctx: Context, plant: Plant, units: Mapping[str, Mapping[str, PointValue]],
           at: datetime, pulls: Mapping[str, float] | None = None,
           outlook: Outlook | None = None) -> PlantState:
    """The plant at `at`; `pulls`: the precooling zones' coil loads as the preparations
    planned them (their units' own estimate is left out), `outlook`: the evening's."""
    wb = wet_bulb(ctx)
    coils, base = load_kw(ctx.venue, plant, units, ctx.outdoor_c(), at, ctx.tz, pulls or {},
                          ctx.inputs.coil_kw, ctx.inputs.plant_load_ratio)
    load = coils + base
    staged = stage(plant, load, wb, ctx.inputs.chillers, ctx.inputs.run_hours, at)
    shares = shared(plant, staged, load, wb)
    tariff = ctx.venue.tariff
    local = at.astimezone(ctx.tz)
    band = None if tariff is None else str(tariff.band_at(local.month, local.time()))
    heat, heat_short = heat_kw(ctx.venue, plant, units, ctx.outdoor_c())
    return PlantState(round(coils, 1), base, staged.running, staged.free_cooling,
                      round(staged.capacity_kw, 1), round(staged.short_kw, 1),
                      round(sum(kw for _, _, kw in shares), 1), band, staged.why, shares,
                      outlook, round(heat, 1), round(heat_short, 1))
