"""One strategy over one period: the service's control loop driving the simulator in process.

Above the driver everything is the service's own code: `ControlLoop` with its safety gate,
the `Poller` feeding zone measurements, the `RecoveryLearner` feeding optimal start, and the
box office's counts as `OccupancyPush`es. Below it, `MemoryDriver` fronts `simulator.engine.
Building`, so nothing crosses a socket and a season runs in seconds. The loop polls and plans
at the instants the service would act on (see TICK below) and ticks with that plan unless the
units already hold it (such a tick writes nothing, so `Result.ticks` counts the ticks that
could), the building steps 60 s, and the trace keeps a row a minute while anyone may be in
the building, one a tick otherwise.

On a site (`halls:` in zones.yaml) the same loop runs every hall and the public areas: each
show fills its own hall, and the service's `RunTracker` hands the planner back, tick to
tick, what ran (the public groups' modes and units, the chillers, their run hours), as its
runtime wires it. With a plant in zones.yaml the plant is metered each minute
(`plant_meter.PlantMeter`: `Result.meter`).

A warm-up (two days by default, as BOPTEST initialises a test case) runs the same strategy
before the scored period, so the result does not depend on the starting temperatures.
"""

from __future__ import annotations

import asyncio
import heapq
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bench.evaluate.plant_meter import PlantMeter
from bench.evaluate.strategies import Strategy
from bench.evaluate.trace import ZONE_SERIES, Rows, Spans, Trace
from hvac_ctl.clock import ManualClock
from hvac_ctl.control import ControlLoop, LoopSettings, MemoryAudit, Poller
from hvac_ctl.control.learning import RecoveryLearner
from hvac_ctl.control.load_learning import LoadLearner
from hvac_ctl.control.loop import same
from hvac_ctl.control.run_tracking import RunTracker
from hvac_ctl.control.tracking import ZoneTracker
from hvac_ctl.devices import memory_drivers
from hvac_ctl.model import Config
from hvac_ctl.model.venue import SENSOR_POINTS
from hvac_ctl.planner import OccupancyPush, PlanInputs, PlanState, local_midnight
from hvac_ctl.planner.occupancy import PUSH_HORIZON
from hvac_ctl.planner.plan import NOTHING_KNOWN
from hvac_ctl.simulation import building_spec, calendar_scenario
from simulator.ahu import Energy
from simulator.engine import Building
from simulator.loads import EGRESS, INTERVAL, arrived
from simulator.scenario import Scenario, Show
from simulator.weather import Weather

STEP = timedelta(minutes=1)
PUSH_EVERY = timedelta(minutes=5)  # the box office's turnstile counts while doors are open
# The service ticks every 60 s and at every phase boundary; here the loop ticks at every
# boundary, every push, every 10 min while anything is on or due, and every hour in a calm,
# empty, idle hall with every unit off — where only the idle band's slow drift is watched.
# `--tick 60 --quiet-tick 60` runs the service's cadence (the README compares the two).
TICK = timedelta(minutes=10)
QUIET_TICK = timedelta(hours=1)
# Re-asserting heals writes lost on a network; in process none is lost, so once a day is
# enough to keep the path exercised (the service's 10 min, or the hourly this had, give the
# same KPIs here; hourly wrote ~840 unchanged values a day: 9 % of the run's calls).
REASSERT = timedelta(days=1)
ENERGY = ("cooling_kwh", "heating_kwh", "reheat_kwh", "fan_kwh")


@dataclass(frozen=True)
class Audience:
    """Who really comes: each show's turnout as a share of its expected attendance, drawn
    once per calendar (seeded), the same for every strategy; never more than its hall
    seats, and in its hall (a site's audience fills its own hall and crowds its foyers)."""

    seed: int = 7
    low: float = 0.85
    high: float = 1.05

    def scenario(self, config: Config, first: date, last: date) -> Scenario:
        plan = calendar_scenario(config, first, last)
        v = config.venue
        seats = {h: sum(v.zones[z].seats or 0 for z in v.zones_of_hall(h)) for h in v.hall_ids}
        shows = []
        for s in plan.shows:
            share = random.Random(f"{self.seed}:{s.id}").uniform(self.low, self.high)
            hall = v.event_hall(s.hall)
            shows.append(Show(s.id, s.doors_open, s.curtain, s.end,
                              min(seats[hall], round(s.attendance * share)), s.live_orchestra,
                              s.house_lights, late_fraction=0.05, late_minutes=15, hall=hall))
        return Scenario(tuple(shows), plan.tours, plan.get_ins, plan.doors_open)


@dataclass
class Result:
    strategy: str
    first: date
    last: date
    scenario: Scenario
    trace: Trace
    energy: dict[str, dict[str, float]]  # unit → meter → kWh over the scored period
    daily_energy: list[tuple[date, float]]  # total kWh per scored day
    writes: list[tuple[datetime, str, str, float | bool | str]]  # accepted, warm-up included
    scored_from: datetime
    ticks: int
    seconds: float  # wall clock for the whole run, warm-up included
    meter: PlantMeter | None = None  # the plant, minute by minute (a venue with a plant)


def _meters(building: Building) -> dict[str, Energy]:
    return {u: Energy(**{m: getattr(building.energy(u), m) for m in ENERGY})
            for u in building.spec.units}


def _total(meters: dict[str, Energy]) -> float:
    return sum(getattr(e, m) for e in meters.values() for m in ENERGY)


def activity_windows(scenario: Scenario, before_show: timedelta = timedelta(hours=1),
                     after_show: timedelta = EGRESS + INTERVAL,
                     margin: timedelta = timedelta(0)) -> list[tuple[datetime, datetime]]:
    """When anyone may be in the building (by default the simulator's own margins around
    shows), as sorted disjoint spans."""
    spans = sorted([(s.doors_open - before_show, s.end + after_show) for s in scenario.shows]
                   + [(t.start - margin, t.end + margin) for t in scenario.tours]
                   + [(p.start - margin, p.end + margin)
                      for p in (*scenario.get_ins, *scenario.doors_open)])
    merged: list[tuple[datetime, datetime]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def run(config: Config, strategy: Strategy, first: date, last: date, weather: Weather,
        audience: Audience | None = None, tick: timedelta = TICK,
        quiet_tick: timedelta = QUIET_TICK, reassert: timedelta = REASSERT,
        warmup_days: int = 2, initial_c: float | None = None) -> Result:
    """Run `strategy` from `first` to `last` (local days, inclusive) and keep the trace.

    The result comes out through a list, not as the main task's result: on leaving,
    `asyncio.run` (3.11) asks `signal.getsignal` for its SIGINT handler, a partial holding the
    main task, and the failed enum lookup formats its repr — the task's result included, a
    season's trace printed in full and thrown away (0.4 s a summer run, twice)."""
    out: list[Result] = []

    async def main() -> None:
        out.append(await _run(config, strategy, first, last, weather, audience or Audience(),
                              tick, max(tick, quiet_tick), reassert, warmup_days, initial_c))

    asyncio.run(main())
    return out[0]


async def _run(config: Config, strategy: Strategy, first: date, last: date, weather: Weather,
               audience: Audience, tick: timedelta, quiet_tick: timedelta,
               reassert: timedelta, warmup_days: int, initial_c: float | None) -> Result:
    wall = time.perf_counter()
    tz = config.venue.venue.tz
    start = local_midnight(first - timedelta(days=warmup_days), tz)
    scored_from = local_midnight(first, tz)
    end = local_midnight(last + timedelta(days=1), tz)
    scenario = audience.scenario(config, first - timedelta(days=warmup_days + 1),
                                 last + timedelta(days=1))
    season = config.seasons.seasons[config.seasons.name_for(first)]
    if initial_c is None:
        initial_c = season.zones[next(iter(config.venue.zones))].idle.setpoint_c
    building = Building(building_spec(config), scenario, weather, start.astimezone(tz),
                        initial_c=initial_c, ledger=False)  # no heat ledger: nothing reads it
    drivers = memory_drivers(config, building)
    clock = ManualClock(start)
    # the sensors the planner, the learner and the tracker read (no meters: those are read at
    # the end; no supply temperature: nothing here reads it, and it was a sixth of the reads)
    # a site's coils' cooling meters too: the plan stages the chillers on what they measure,
    # as the service's poller feeds it (`Poller.coil_kw`)
    metered = ["cooling_kwh"] if config.venue.plant is not None else []
    poller = Poller(config, drivers, clock,
                    points=[p for p in SENSOR_POINTS if p != "supply_temp"] + metered)
    learner = RecoveryLearner(tz)
    tracker = ZoneTracker(config)
    runs = RunTracker()  # the public groups' and the chillers' memory, as the runtime's
    loads = LoadLearner()  # the coils' metered loads against the plan's, as the runtime's
    meter = PlantMeter(config, scored_from) if config.venue.plant is not None else None
    pushes: list[OccupancyPush] = []
    max_age = quiet_tick + timedelta(minutes=1)  # polled at every tick, so always fresher

    measured: dict[datetime, PlanInputs] = {}  # one reading of the poller per tick

    def inputs(now: datetime) -> PlanInputs:
        if now not in measured:
            measured.clear()
            measured[now] = PlanInputs(
                occupancy=tuple(pushes), measurements=poller.zone_measurements(now, max_age),
                outdoor_air_c=poller.outdoor_air(now, max_age),
                outdoor_rh_pct=poller.outdoor_air(now, max_age, "oa_rh"),
                groups=runs.held(), run_hours=runs.run_hours(), chillers=runs.chillers(),
                coil_kw=dict(poller.coil_kw), plant_load_ratio=loads.ratio,
                history=learner.history(),
                co2_at_doors=learner.co2_at_doors(), modes=tracker.held_modes(),
                deviations=tracker.deviations())
        return measured[now]

    loop = ControlLoop(config, drivers, clock, inputs, MemoryAudit(),
                       LoopSettings(reassert_every=reassert), planner=strategy.plan)
    await loop.start()
    trace = Trace()
    zones = list(config.venue.zones)
    for z in zones:
        for what in ZONE_SERIES:
            getattr(trace, what)[z] = []
    units_of = {z: config.venue.units_of(z) for z in zones}
    units = list(config.venue.units)
    counts = _push_times(sorted(scenario.shows, key=lambda s: s.doors_open))
    busy = activity_windows(scenario)
    # where the plan may change at a minute the day's boundaries did not foresee: a precool
    # start moved by the measured temperature, a post-show ending early, and all around
    lead = timedelta(minutes=config.venue.venue.precool.max_lead_min)
    post = max((zs.post_show.max_minutes for s in config.seasons.seasons.values()
                for zs in s.zones.values() if zs.post_show is not None), default=0)
    watch = activity_windows(scenario, lead + timedelta(minutes=30),
                             timedelta(minutes=post + 30), timedelta(minutes=30))
    ticks: list[datetime] = []  # a heap of instants the loop ticks at
    planned_days: set[date] = set()
    meters_at_start: dict[str, Energy] | None = None
    daily: list[tuple[date, float]] = []
    day_start_total = 0.0
    next_regular = start
    now = start
    state: PlanState | None = None  # the plan in force: the last tick's, or the same since
    held: tuple[int, object] = (-1, None)  # (loop.ticks, plan.units) when last found held
    in_busy, in_watch = Spans(busy), Spans(watch)
    rows = Rows(trace, zones, units_of, building)
    # the next local midnight (UTC, as `now`), `start` if it is one: no step goes over one,
    # so `now` meets each, found without asking the local time of every minute
    midnight = local_midnight(start.astimezone(tz).date(), tz)
    if midnight != start:
        midnight = local_midnight(start.astimezone(tz).date() + timedelta(days=1), tz)
    while now < end:
        at_midnight = now == midnight
        if at_midnight:
            midnight = local_midnight(now.astimezone(tz).date() + timedelta(days=1), tz)
        if now == scored_from:
            meters_at_start = _meters(building)
            day_start_total = _total(meters_at_start)
        elif now > scored_from and at_midnight:
            total = _total(_meters(building))
            daily.append(((now - STEP).astimezone(tz).date(), total - day_start_total))
            day_start_total = total
        if at_midnight or not planned_days:
            local = now.astimezone(tz)
            # the service's phase-boundary jobs, for today and tomorrow
            for day in (local.date(), local.date() + timedelta(days=1)):
                if day not in planned_days:
                    planned_days.add(day)
                    for b in strategy.boundaries(config, day, inputs(now), loop.plans):
                        if b >= now:
                            heapq.heappush(ticks, b)
            pushes[:] = [p for p in pushes if p.at >= now - PUSH_HORIZON]
        pushed = _box_office(counts, now, pushes) if strategy.listens_to_box_office else False
        due = now >= next_regular or pushed or (ticks and ticks[0] <= now)
        while ticks and ticks[0] <= now:
            heapq.heappop(ticks)
        if due:
            # a plan of time alone that the units already hold: the tick would write nothing
            # (but the daily re-assertion of the same values) and nothing reads the poll; a
            # plan of time alone reads no inputs, so none are gathered for it
            planned = None if strategy.measured or strategy.plan is None else strategy.plan(
                config, now, NOTHING_KNOWN)
            if planned is not None and state is not None and (
                    (planned.units is held[1] and loop.ticks == held[0])
                    or _holds(loop, planned, state)):
                # the same units' values as at the last hold, no tick since: still held
                held = (loop.ticks, planned.units)
                state = planned
            else:
                for unit in units:  # `poll_all` without its tasks: in memory none would wait
                    await poller.poll_unit(unit)
                measured.clear()  # a new reading
                # a plan that reads it is made here, once, and handed to the tick; if the
                # units already hold it, the tick would write nothing (but the daily
                # re-assertion) and is not run
                planned = _plan(loop, now) if strategy.measured else None
                if planned is not None and state is not None and _holds(loop, planned, state):
                    state = planned
                else:
                    await loop.tick(planned)
                    state = loop.last_state
                    assert state is not None
                learner.observe(state, inputs(now).measurements, now)
                tracker.observe(state, inputs(now).measurements, now)
                runs.observe(state, now)
                if metered:
                    loads.observe(config, state, poller.coil_kw,
                                  poller.outdoor_air(now, max_age), now)
            calm = not in_watch.holds(now) and all(
                z.phase == "idle" for z in state.zones.values()) and not any(
                points.get("enable") for points in state.units.values())
            next_regular = now + (quiet_tick if calm else tick)
        assert state is not None
        # one-minute rows while anyone may be in the building (the comfort and CO2 scores);
        # otherwise on to the next tick in one call (the building still steps 60 s inside,
        # or one exact step over a stretch with everything off)
        step = STEP if in_busy.holds(now) else next_regular - now
        if ticks:
            step = min(step, ticks[0] - now)
        step = max(STEP, min(step, end - now))
        # never step over a midnight: days are accounted for at 00:00
        step = min(step, midnight - now)
        if now >= scored_from:
            rows.add(now, step, state)
        if meter is None:
            building.advance(step)
        else:
            meter.advance(building, now, step)
        now += step
        clock.set(now)
    total = _total(_meters(building))
    daily.append((last, total - day_start_total))
    assert meters_at_start is not None
    final = _meters(building)
    energy = {u: {m: getattr(final[u], m) - getattr(meters_at_start[u], m) for m in ENERGY}
              for u in final}
    return Result(strategy.name, first, last, scenario, trace, energy, daily,
                  list(building.write_log), scored_from, loop.ticks,
                  time.perf_counter() - wall, meter)


def _plan(loop: ControlLoop, now: datetime) -> PlanState | None:
    """What the loop's tick would plan now, on the inputs it would read; None if planning
    fails (the tick then plans again, fails the same way and keeps the plan in force)."""
    try:
        return loop.planner(loop.config, now, loop.inputs(now))
    except Exception:
        return None


def _holds(loop: ControlLoop, planned: PlanState, last: PlanState) -> bool:
    """`planned` is the plan in force (`last`), and every unit holds it: the plan's slot
    written and confirmed, no override — where the loop's tick writes nothing but its
    periodic re-assertion of the same values."""
    if planned.overridden or last.overridden or planned.units.keys() != last.units.keys():
        return False
    plan_priority = loop.settings.plan_priority
    override_priority = loop.settings.override_priority
    for unit, values in planned.units.items():
        if dict(values) != dict(last.units[unit]):
            return False
        for point, value in values.items():
            ps = loop.points.get((unit, point))
            if ps is None or override_priority in ps.slots:
                return False
            held = ps.slots.get(plan_priority)
            if held is None or not same(held.value, value) or not same(ps.confirmed, value):
                return False
    return True


def _push_times(shows: list[Show]) -> dict[datetime, list[Show]]:
    """The box office's counts: every 5 min from doors open to 15 min after curtain, by the
    instant they are sent at (the shows in doors-open order)."""
    out: dict[datetime, list[Show]] = {}
    for s in shows:
        t = s.doors_open
        while t <= s.curtain + timedelta(minutes=15):
            out.setdefault(t, []).append(s)
            t += PUSH_EVERY
    return out


def _box_office(due: dict[datetime, list[Show]], now: datetime,
                pushes: list[OccupancyPush]) -> bool:
    """The counts through the doors sent at `now`, if any."""
    shows = due.get(now)
    if not shows:
        return False
    for s in shows:
        pushes.append(OccupancyPush(s.id, round(arrived(s, now)), now.astimezone(UTC)))
    return True
