"""The halls' preparations against the plant: which precools pull on it together, what else
it carries meanwhile, and the starts `coordination` chooses for them.

- **A precool's pull** (`Job`): its own optimal start (`precool.start`: the learned rate,
  never later), at the earliest `max_lead_min` before doors. While it pulls, its precool
  units' coils run at their full power — what optimal start assumes, and what the learned
  rate was measured at: each AHU's rated `cooling_kw`, or less where its air at the fan cap
  cannot carry that much from the zone's temperature down to its coldest supply. Pulled to
  target, the units hold it at `plant.precool_hold_share` of that [E]. A pull toward a warmer
  target (a heating season) asks nothing of the chillers and is left out.
- **An evening**: the precools whose windows (earliest start → doors) overlap, across halls.
- **The rest of the load** over the window: the base load and every other zone's and public
  area's units as the plan has them, on a grid `coordination_step_min` apart.

With `plant.coordinate_precool` false each precool keeps its own start (commercial optimal
start, each zone alone), and the outlook still says what the evening will ask of the plant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from hvac_ctl.model.plant import Plant
from hvac_ctl.model.venue import UnitKind
from hvac_ctl.planner import plant as plant_seq
from hvac_ctl.planner.claims import ShowPlan
from hvac_ctl.planner.context import Context
from hvac_ctl.planner.coordination import Job, Outcome, choose
from hvac_ctl.planner.outputs import Outlook, Prepared
from hvac_ctl.planner.precool import pulled_to, start_temp
from hvac_ctl.planner.tempering import RHO_CP_KJ

OthersKw = Callable[[datetime, frozenset[str]], float]  # at, zones left out → load kW


@dataclass(frozen=True)
class Evening:
    jobs: tuple[Job, ...]
    outcome: Outcome
    outlook: Outlook

    def pulls_at(self, at: datetime, active: Callable[[str], str | None]) -> dict[str, float]:
        """The precooling zones' planned coil loads at `at` (`active`: the event whose
        precool a zone is in then, if any)."""
        return {j.key[1]: j.kw_at(self.outcome.starts[j.key], at) for j in self.jobs
                if active(j.key[1]) == j.key[0]}


def pull_kw(ctx: Context, zone: str, units: Iterable[str], fan_cap_pct: float,
            from_c: float) -> float:
    """The coils' cooling while the zone is pulled down from `from_c` (see the module)."""
    total = 0.0
    for name in units:
        u = ctx.venue.units[name]
        if u.kind != UnitKind.ahu:
            continue
        air = RHO_CP_KJ * u.airflow_m3_per_s * fan_cap_pct / 100
        total += min(u.cooling_kw, air * max(0.0, from_c - u.supply_limits_c[0]))
    return total


def jobs(ctx: Context, plant: Plant, shows: Iterable[ShowPlan]) -> list[Job]:
    lead = timedelta(minutes=ctx.venue.venue.precool.max_lead_min)
    out = []
    for show in shows:
        e = show.event
        season = ctx.season(ctx.season_name(e.date))
        for zone, p in show.precooled.items():
            pre = season.zones[zone].precool
            from_c = start_temp(ctx, zone, e)
            to_c = pulled_to(ctx, zone, ctx.venue.zones[zone], p.target_c, e)
            if pre is None or from_c <= to_c:
                continue  # a pull toward a warmer target: the chillers take no part
            kw = round(pull_kw(ctx, zone, pre.units, pre.fan_cap_pct, from_c), -1)
            if kw <= 0:
                continue
            earliest = min(p.start, e.doors_open - lead)
            out.append(Job((e.id, zone), p.start, earliest, e.doors_open - p.start,
                           e.doors_open, kw, round(kw * plant.precool_hold_share, -1)))
    return sorted(out, key=lambda j: (j.earliest, j.key))


def evenings_of(found: list[Job]) -> list[list[Job]]:
    """The precools whose windows overlap, together."""
    groups: list[list[Job]] = []
    end = None
    for j in found:
        if end is None or j.earliest >= end:
            groups.append([])
        groups[-1].append(j)
        end = j.doors if end is None or j.earliest >= end else max(end, j.doors)
    return groups


def _why(o: Outcome, cap: float, names: list[str], coordinated: bool, tz: object) -> str:
    at = f"{o.peak_at.astimezone(tz):%H:%M}"  # type: ignore[arg-type]
    if o.over_kw > 0:
        how = ("even with every precool started as early as its longest lead allows"
               if coordinated else "with each precool at its own optimal start "
               "(coordinate_precool is off)")
        return (f"peak_cap_kw {cap:.0f} kW: the precools of {', '.join(names)} with the rest "
                f"of the plant's load ask {o.peak_kw:.0f} kW at {at}, {o.over_kw:.0f} kW over, "
                f"{how}; the curtains win")
    return (f"{len(names)} precools under peak_cap_kw {cap:.0f} kW: peak {o.peak_kw:.0f} kW "
            f"at {at}, {o.centrifugals} centrifugal(s) at the busiest instant")


def prepare(ctx: Context, plant: Plant, shows: Iterable[ShowPlan], others_kw: OthersKw
            ) -> list[Evening]:
    step = timedelta(minutes=plant.coordination_step_min)
    wb = plant_seq.wet_bulb(ctx)
    hours = ctx.inputs.run_hours
    known: dict[float, tuple[float, int]] = {}

    def electric(load: float, at: datetime) -> tuple[float, int]:
        """Staged afresh, the instant plays no part (nothing held): kept by the load, to the
        kilowatt."""
        kw = round(load)
        if kw not in known:
            known[kw] = plant_seq.electric(plant, kw, wb, hours, at)
        return known[kw]

    out = []
    for group in evenings_of(jobs(ctx, plant, shows)):
        first = min(j.earliest for j in group)
        grid = [first + n * step for n in range(int((max(j.doors for j in group) - first)
                                                    / step) + 1)]
        zones = frozenset(j.key[1] for j in group)
        outdoor = ctx.outdoor_c()

        def solve(group: list[Job] = group, grid: list[datetime] = grid,
                  zones: frozenset[str] = zones) -> Outcome:
            background = [others_kw(t, zones) for t in grid]
            return choose(group, grid, background, electric,
                          lambda t: plant_seq.price(ctx, t), plant.peak_cap_kw, step,
                          plant.coordinate_precool)

        key = ("preparations", tuple(group), None if outdoor is None else round(outdoor),
               round(wb), plant.coordinate_precool, round(ctx.inputs.plant_load_ratio, 2))
        o = ctx.cache.remember(key, solve)
        names = sorted({j.key[1] for j in group})
        prepared = tuple(Prepared(j.key[0], j.key[1], j.latest, o.starts[j.key], j.pull_kw,
                                  o.load_at_start[j.key]) for j in group)
        out.append(Evening(tuple(group), o, Outlook(
            first, max(j.doors for j in group), prepared, o.peak_kw, o.peak_at,
            plant.peak_cap_kw, o.over_kw, o.centrifugals, o.cost, plant.coordinate_precool,
            _why(o, plant.peak_cap_kw, names, plant.coordinate_precool, ctx.tz))))
    return out


def moved(evenings: Iterable[Evening]) -> Mapping[tuple[str, str], datetime]:
    """The starts chosen earlier than the precools' own."""
    return {j.key: e.outcome.starts[j.key] for e in evenings for j in e.jobs
            if e.outcome.starts[j.key] != j.latest}
