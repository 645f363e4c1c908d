"""The site's central chilled-water plant: chillers, cooling towers, free cooling, and the
AHUs' cooling coils it feeds.

Each step the plant is asked for the base load it serves besides the units (by local hour)
plus what every cooling coil drew over the previous step (a minute's lag, as a plant sees its
return water). What it can deliver: free cooling through the towers and the plate exchanger
while the outdoor wet-bulb is at or below the towers' limit, then the running chillers'
capacity at the chilled-water setpoint and the towers' condenser water (wet-bulb plus
approach, not below `cw_min_c`), from the EnergyPlus `Chiller:Electric:EIR` curves. Running
chillers share the load by capacity (equal part-load ratio), as a plant manager's load sharing
does; their electric power follows the EIR curves. A `demand_limit_kw` holds them under it
by lowering the part-load ratio, as a chiller's demand (current) limit does.

When the plant delivers less than asked, the coils starve: every cooling coil's capacity is
scaled by delivered / demanded for the step (`Plant.fraction`), so supply air warms and
zones with it. A starved coil meters only what it got; its demand is estimated as what it
drew divided by the fraction it was allowed, so the plant keeps seeing the load it cannot
meet instead of hunting between full and starved.

Which chillers run: what the service commands through their `enable` points; until any
enable is ever written, the plant's own local sequence (a plant manager's default): free
cooling if it covers the load, else the screw alone at small loads, else enough centrifugals
(fewest run-hours first) to cover the load with 10 % margin, the screw topping them up; a
started chiller runs at least 30 min.

The arithmetic of the curves is the planner's (`hvac_ctl.planner.chiller_curves`), written
again here because the simulator imports nothing of the service; a test holds them equal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import Literal

from simulator.ahu import AhuState
from simulator.building import PointSpec
from simulator.psychro import relative_humidity
from simulator.weather import Weather

LOCAL_MARGIN = 0.1  # the local sequence's capacity margin over the load
LOCAL_MIN_RUN_S = 30 * 60.0
ESTIMATE_FLOOR = 0.05  # a fraction under this says nothing of a coil's demand
CHILLER_POINTS = ("enable", "chw_setpoint", "status", "electric_kw", "starts")


@dataclass(frozen=True)
class Curves:
    """DOE-2 / EnergyPlus coefficients: CapFT and EIRFT biquadratic in (t_chw, t_cw), EIRFPLR
    quadratic in the part-load ratio; temperatures held inside the ranges they were fitted
    over, as EnergyPlus holds them."""

    cap_ft: tuple[float, ...]
    eir_ft: tuple[float, ...]
    eir_fplr: tuple[float, ...]
    t_chw_c: tuple[float, float]
    t_cw_c: tuple[float, float]


@dataclass(frozen=True)
class ChillerSpec:
    """A chiller and, if it is served, where its controller answers (as a `UnitSpec`)."""

    name: str
    kind: str  # centrifugal | screw
    capacity_kw: float
    cop: float
    plr_min: float
    curves: Curves
    protocol: str | None = None  # None: not served over any protocol
    host: str = "127.0.0.1"
    port: int = 0
    device_id: int = 0
    word_order: Literal["big", "little"] = "big"
    points: dict[str, PointSpec] = field(default_factory=dict)


@dataclass(frozen=True)
class TowerSpec:
    approach_k: float = 4.0
    cw_min_c: float = 15.0
    free_cooling_below_wb_c: float = 5.0
    free_cooling_kw: float = 3000.0


@dataclass(frozen=True)
class PlantSpec:
    chillers: dict[str, ChillerSpec]
    towers: TowerSpec = TowerSpec()
    chw_supply_c: float = 7.0
    heat_exchanger_kw: float = 0.0
    base_load_kw: tuple[float, ...] = (0.0,) * 24  # by local hour
    demand_limit_kw: float | None = None  # the chillers' electric demand, at most


def biquadratic(c: tuple[float, ...], x: float, y: float) -> float:
    return c[0] + c[1] * x + c[2] * x * x + c[3] * y + c[4] * y * y + c[5] * x * y


def _within(v: float, lo_hi: tuple[float, float]) -> float:
    return min(max(v, lo_hi[0]), lo_hi[1])


def condenser_c(towers: TowerSpec, wet_bulb_c: float) -> float:
    return max(wet_bulb_c + towers.approach_k, towers.cw_min_c)


def available_kw(ch: ChillerSpec, t_chw: float, t_cw: float) -> float:
    cv = ch.curves
    return ch.capacity_kw * biquadratic(cv.cap_ft, _within(t_chw, cv.t_chw_c),
                                        _within(t_cw, cv.t_cw_c))


def power_kw(ch: ChillerSpec, load_kw: float, t_chw: float, t_cw: float) -> float:
    """Electric power to deliver `load_kw` (at most the available capacity); under
    `plr_min` the machine cycles and draws what it draws there."""
    if load_kw <= 0:
        return 0.0
    cv = ch.curves
    x, y = _within(t_chw, cv.t_chw_c), _within(t_cw, cv.t_cw_c)
    avail = available_kw(ch, t_chw, t_cw)
    plr = max(min(load_kw / avail, 1.0), ch.plr_min)
    a, b, c = cv.eir_fplr
    return avail / ch.cop * biquadratic(cv.eir_ft, x, y) * (a + b * plr + c * plr * plr)


def wet_bulb_c(temp_c: float, rh_pct: float) -> float:
    """Stull (2011), as the planner's `psychro.wet_bulb_c`: within 0.3 K at 5–99 % RH."""
    rh = min(max(rh_pct, 5.0), 99.0)
    return (temp_c * math.atan(0.151977 * math.sqrt(rh + 8.313659))
            + math.atan(temp_c + rh) - math.atan(rh - 1.676331)
            + 0.00391838 * math.pow(rh, 1.5) * math.atan(0.023101 * rh) - 4.686035)


@dataclass
class Meters:
    """Since the start: electric kWh (the plant's and each chiller's), starts per chiller,
    cooling demanded and delivered, kWh, and what was asked but not delivered."""

    electric_kwh: float = 0.0
    chiller_kwh: dict[str, float] = field(default_factory=dict)
    starts: dict[str, int] = field(default_factory=dict)
    demanded_kwh: float = 0.0
    delivered_kwh: float = 0.0
    starved_kwh: float = 0.0
    free_cooling_kwh: float = 0.0
    limited_s: float = 0.0  # time the demand limit held the chillers back


class Plant:
    """The plant's state: which chillers run (and since when), its setpoint, its meters, and
    the fraction of their demand the coils got in the last step."""

    def __init__(self, spec: PlantSpec) -> None:
        self.spec = spec
        self.chw_setpoint = spec.chw_supply_c
        self.enabled = {n: False for n in spec.chillers}  # commanded (remote mode)
        self.running = {n: False for n in spec.chillers}
        self.since = {n: -math.inf for n in spec.chillers}  # when it last started, s
        self.run_s = {n: 0.0 for n in spec.chillers}
        self.remote = False  # an enable was written: the service runs the plant now
        self.meters = Meters(chiller_kwh={n: 0.0 for n in spec.chillers},
                             starts={n: 0 for n in spec.chillers})
        self.fraction = 1.0  # delivered / demanded in the last step
        self.electric_kw = 0.0
        self.asked_kw = 0.0  # what the running chillers would have drawn without the limit
        self.chiller_kw = {n: 0.0 for n in spec.chillers}
        self.demand_kw = 0.0  # the last step's, base load included
        self.delivered_kw = 0.0
        self.free_cooling = False
        self.clock_s = 0.0
        self._key: tuple[float, float] | None = None  # the temperatures `_at` was worked at
        self._caps: dict[str, float] = {}
        self._rated: dict[str, tuple[float, float, tuple[float, ...]]] = {}

    # --- the step -----------------------------------------------------------------------

    def step(self, h: float, hour: int, out_c: float, out_rh: float, coil_kw: float) -> float:
        """One step of `h` s at local `hour` with the coils' draw of the last step, kW:
        the fraction of demand the coils get in this step."""
        spec = self.spec
        coils = coil_kw / max(self.fraction, ESTIMATE_FLOOR) if coil_kw > 0 else 0.0
        demand = spec.base_load_kw[hour] + coils
        wb = wet_bulb_c(out_c, out_rh)
        towers = spec.towers
        t_cw = condenser_c(towers, wb)
        t_chw = self.chw_setpoint
        self.free_cooling = wb <= towers.free_cooling_below_wb_c
        free = min(demand, towers.free_cooling_kw) if self.free_cooling else 0.0
        left = demand - free
        caps, rated = self._at(t_chw, t_cw)
        self._stage(left, caps)
        on = [n for n, r in self.running.items() if r]
        total = sum(caps[n] for n in on)
        plr = min(left / total, 1.0) if total > 0 and left > 0 else 0.0
        powers = self._powers(on, rated, plr)
        asked = sum(powers.values())
        limit = spec.demand_limit_kw
        if limit is not None and asked > limit and plr > 0:
            plr = self._limited(on, rated, plr, limit)
            powers = self._powers(on, rated, plr)
            self.meters.limited_s += h
        delivered = free + plr * total
        self.fraction = 1.0 if demand <= 0 else min(1.0, delivered / demand)
        hours = h / 3600.0
        m = self.meters
        electric = 0.0
        for n, kw in powers.items():
            m.chiller_kwh[n] += kw * hours
            electric += kw
        for n in on:
            self.run_s[n] += h
        m.electric_kwh += electric * hours
        m.demanded_kwh += demand * hours
        m.delivered_kwh += delivered * hours
        m.starved_kwh += (demand - delivered) * hours
        m.free_cooling_kwh += free * hours
        self.electric_kw, self.chiller_kw, self.asked_kw = electric, powers, asked
        self.demand_kw, self.delivered_kw = demand, delivered
        self.clock_s += h
        return self.fraction

    def _at(self, t_chw: float, t_cw: float
            ) -> tuple[dict[str, float], dict[str, tuple[float, float, tuple[float, ...]]]]:
        """Each chiller's available capacity at these temperatures, and what its power at a
        part-load ratio is made of (`power_kw`'s arithmetic: avail / COP · EIRFT, plr_min,
        EIRFPLR); kept while the temperatures stay (a cold day's condenser sits at cw_min)."""
        if self._key != (t_chw, t_cw):
            caps, rated = {}, {}
            for n, c in self.spec.chillers.items():
                cv = c.curves
                x, y = _within(t_chw, cv.t_chw_c), _within(t_cw, cv.t_cw_c)
                avail = available_kw(c, t_chw, t_cw)
                caps[n] = avail
                rated[n] = (avail / c.cop * biquadratic(cv.eir_ft, x, y), c.plr_min, cv.eir_fplr)
            self._key, self._caps, self._rated = (t_chw, t_cw), caps, rated
        return self._caps, self._rated

    def _powers(self, on: list[str], rated: dict[str, tuple[float, float, tuple[float, ...]]],
                plr: float) -> dict[str, float]:
        """Each chiller's electric kW, all running at `plr` (none when it is 0)."""
        powers = dict.fromkeys(self.spec.chillers, 0.0)
        if plr <= 0:
            return powers
        for n in on:
            k, plr_min, (a, b, c) = rated[n]
            x = plr if plr > plr_min else plr_min
            powers[n] = k * (a + b * x + c * x * x)
        return powers

    def _limited(self, on: list[str], rated: dict[str, tuple[float, float, tuple[float, ...]]],
                 plr: float, limit: float) -> float:
        """The highest part-load ratio whose power is within `limit` (bisection: power
        rises with load); a plant whose machines draw more than that cycling at their
        minimum runs there."""
        lo, hi = 0.0, plr
        for _ in range(30):
            mid = (lo + hi) / 2
            within = sum(self._powers(on, rated, mid).values()) <= limit
            lo, hi = (mid, hi) if within else (lo, mid)
        return lo

    def _stage(self, load: float, caps: dict[str, float]) -> None:
        """Remote: what the enables say. Local: the plant manager's own sequence."""
        want = dict(self.enabled) if self.remote else self._local(load, caps)
        for n, w in want.items():
            if w and not self.running[n]:
                self.since[n] = self.clock_s
                self.meters.starts[n] += 1
            self.running[n] = w

    def _local(self, load: float, caps: dict[str, float]) -> dict[str, bool]:
        """Free cooling or nothing: none; the screw alone while it covers the load and its
        margin; else the running centrifugals, one more (fewest run-hours) while they fall
        short, one fewer (most run-hours) while the rest would cover a quarter more than
        asked (a band, or stages flap), the screw topping them up; the minimum run kept."""
        spec = self.spec.chillers
        need = load * (1 + LOCAL_MARGIN)
        running = self.running
        wanted: set[str] = set()
        screw = next((n for n, c in spec.items() if c.kind == "screw"), None)
        if load <= 0:
            pass
        elif screw is not None and need <= caps[screw]:
            wanted.add(screw)
        else:
            big = sorted((n for n, c in spec.items() if c.kind != "screw"),
                         key=lambda n: self.run_s[n])
            wanted = {n for n in big if running[n]}
            for n in big:
                if sum(caps[m] for m in wanted) >= need:
                    break
                wanted.add(n)
            for n in reversed(big):
                rest = sum(caps[m] for m in wanted if m != n)
                if n in wanted and len(wanted) > 1 and rest >= need * 1.25:
                    wanted.discard(n)
            if screw is not None and sum(caps[m] for m in wanted) < need:
                wanted.add(screw)
        for n, r in running.items():  # the minimum run
            if r and self.clock_s - self.since[n] < LOCAL_MIN_RUN_S:
                wanted.add(n)
        return {n: n in wanted for n in spec}

    # --- points -------------------------------------------------------------------------

    def read(self, chiller: str, point: str) -> float | bool:
        if point == "enable":
            return self.enabled[chiller] if self.remote else self.running[chiller]
        if point == "chw_setpoint":
            return self.chw_setpoint
        if point == "status":
            return self.running[chiller]
        if point == "electric_kw":
            return self.chiller_kw[chiller]
        if point == "starts":
            return float(self.meters.starts[chiller])
        raise KeyError(f"{chiller} has no point {point}")

    def write(self, chiller: str, point: str, value: float | bool | str) -> None:
        """A command: `enable` hands the plant to the service (remote mode) for good; the
        chilled-water setpoint is the plant's, whichever chiller it is written to."""
        if point == "enable":
            if not self.remote:
                self.remote = True
                self.enabled = dict(self.running)  # what ran keeps running until told
            self.enabled[chiller] = bool(value)
        elif point == "chw_setpoint":
            self.chw_setpoint = float(value)
        else:
            raise KeyError(f"{chiller}.{point} is not a command")


class Feed:
    """The plant wired to the building's cooling coils, stepped by `Building._step` before
    the units: the coils' draw over the last step (their meters' increase) is the plant's
    demand, and the fraction it delivers is each coil's share of its capacity this step."""

    def __init__(self, plant: Plant, coils: Sequence[AhuState], tz: tzinfo, weather: Weather,
                 max_step_s: float) -> None:
        self.plant, self.coils, self.tz, self.weather = plant, list(coils), tz, weather
        self.max_step_s = max_step_s
        self._kwh = 0.0  # the coils' cooling meters, summed, at the last step
        self._h = 0.0  # that step's length, s

    def step(self, h: float, now: datetime, mid: datetime, out_c: float, out_w: float) -> None:
        """A long quiet step (every unit off) is the plant's `max_step`s one after the
        other, each at its own hour and weather."""
        plant = self.plant
        total = 0.0
        for a in self.coils:
            total += a.energy.cooling_kwh
        coil_kw = (total - self._kwh) * 3600.0 / self._h if self._h else 0.0
        self._kwh, self._h = total, h
        n = max(1, math.ceil(h / self.max_step_s - 1e-9))
        if n == 1:
            fraction = plant.step(h, mid.astimezone(self.tz).hour, out_c,
                                  relative_humidity(out_c, out_w), coil_kw)
        else:
            sub = h / n
            for i in range(n):
                at = now + timedelta(seconds=(i + 0.5) * sub)
                out = self.weather.at(at)
                fraction = plant.step(sub, at.astimezone(self.tz).hour, out.temp_c,
                                      relative_humidity(out.temp_c, out.w), coil_kw)
        coils = self.coils
        if coils and coils[0].chw != fraction:
            for a in coils:
                a.chw = fraction
