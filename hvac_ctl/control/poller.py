"""Sensor polling: each device on its own task, each value with its quality and age.

The latest samples feed the planner (zone temperatures for post-show recovery and optimal
start) and every sample goes to the trend recorder; a served chiller's `status`,
`electric_kw` and `starts` are polled as a unit's sensors are. A dead or slow device only
delays its own task; the driver's timeout bounds every read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import fmean

from drivers.base import Driver, Value
from hvac_ctl.clock import Clock
from hvac_ctl.model import Config
from hvac_ctl.model.plant import Chiller
from hvac_ctl.model.points import CHILLER_SENSOR_POINTS
from hvac_ctl.model.venue import ENERGY_POINTS, PLAUSIBLE, SENSOR_POINTS, UnitBase
from hvac_ctl.planner import ZoneMeasurement

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sample:
    unit: str
    point: str
    value: Value | None
    ok: bool
    at: datetime
    error: str | None = None


def implausible(unit: UnitBase | Chiller, point: str, value: Value | None,
                bounds: tuple[float, float] | None = None) -> str | None:
    """Why a reading is garbage (NaN, a 1,000 °C supply, −50 °C in the hall), or None.
    `bounds`: `plausible(unit, point)` if the caller keeps it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None  # states and flags are checked by the driver's decoding
    if not math.isfinite(value):
        return f"implausible reading {value}"
    lo, hi = bounds if bounds is not None else plausible(unit, point)
    if not lo <= value <= hi:
        return f"implausible reading {value:g} (outside {lo:g} … {hi:g})"
    return None


def plausible(unit: UnitBase | Chiller, point: str) -> tuple[float, float]:
    """The range a reading of `point` must lie in: the point's own limits where it has
    them, else the physical ones of PLAUSIBLE."""
    spec = getattr(unit.points, point, None)
    lo, hi = PLAUSIBLE.get(point, (-math.inf, math.inf))
    if spec is not None:
        lo = spec.min if spec.min is not None else lo
        hi = spec.max if spec.max is not None else hi
    return lo, hi


def quality(sample: Sample, now: datetime, stale_after: timedelta) -> str:
    """ok, stale (older than `stale_after`) or error."""
    if not sample.ok:
        return "error"
    return "stale" if now - sample.at > stale_after else "ok"


METER_SPAN = timedelta(seconds=30)  # a meter's kWh over less than this is mostly rounding


class Poller:
    def __init__(self, config: Config, drivers: Mapping[str, Driver], clock: Clock,
                 interval: timedelta = timedelta(seconds=10),
                 intervals: Mapping[str, timedelta] | None = None,
                 on_sample: Callable[[Sample], None] | None = None,
                 points: Sequence[str] = (*SENSOR_POINTS, *ENERGY_POINTS)) -> None:
        self.config = config
        self.drivers = drivers
        self.clock = clock
        self.interval = interval
        self.intervals = dict(intervals or {})  # per unit
        self.on_sample = on_sample
        self.latest: dict[tuple[str, str], Sample] = {}   # last reading, good or bad
        self.last_good: dict[tuple[str, str], Sample] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.coil_kw: dict[str, tuple[datetime, float]] = {}  # unit → (when, its coil's kW)
        # per unit, its spec and each polled point's `plausible` range: asked at every poll,
        # worked out again only for a new configuration (the spec is then another object)
        self._bounds: dict[str, tuple[UnitBase | Chiller, dict[str, tuple[float, float]]]] = {}
        self.points = {  # the sensors the planner reads, and the meters for the trends
            name: [p for p in points if p in u.points.names()]
            for name, u in config.venue.units.items()
        }
        plant = config.venue.plant
        for name, c in (plant.served if plant is not None else {}).items():
            if name not in self.points and c.points is not None:  # a chiller's status, kW, starts
                self.points[name] = [p for p in CHILLER_SENSOR_POINTS if p in c.points.names()]

    def driver_of(self, unit: str) -> Driver:
        return self.drivers[self.config.venue.devices[unit]]

    def _spec(self, device: str) -> UnitBase | Chiller:
        v = self.config.venue
        unit = v.units.get(device)
        if unit is not None or v.plant is None:
            assert unit is not None
            return unit
        return v.plant.served[device]

    async def poll_unit(self, unit: str) -> None:
        """One read of every sensor of a unit; never raises."""
        try:
            readings = await self.driver_of(unit).read(unit, self.points[unit])
        except Exception as e:  # a driver bug must not kill the poll loop
            log.exception("poll of %s failed", unit)
            readings = {}
            error = f"{type(e).__name__}: {e}"
        else:
            error = None
        now = self.clock.now()
        spec = self._spec(unit)
        bounds = self._bounds.get(unit)
        if bounds is None or bounds[0] is not spec:  # first poll, or a new configuration
            bounds = self._bounds[unit] = (spec, {p: plausible(spec, p)
                                                  for p in self.points[unit]})
        latest, last_good, ranges = self.latest, self.last_good, bounds[1]
        for point in self.points[unit]:
            r = readings.get(point)
            v = r.value if r is not None else None
            if r is None:
                sample = Sample(unit, point, None, False, now, error or "no reading")
            elif r.ok and (why := implausible(spec, point, v, ranges[point])) is not None:
                sample = Sample(unit, point, v, False, now, why)  # kept, marked bad
            else:
                sample = Sample(unit, point, v, r.ok, now, r.error)
            latest[(unit, point)] = sample
            if sample.ok:
                if point == "cooling_kwh":
                    self._metered(unit, last_good.get((unit, point)), sample)
                last_good[(unit, point)] = sample
            if self.on_sample is not None:
                try:
                    self.on_sample(sample)
                except Exception:
                    log.exception("the trend recorder failed on %s.%s", unit, point)

    def _metered(self, unit: str, before: Sample | None, now: Sample) -> None:
        """A unit's coil load as its cooling meter measured it since its last reading: the
        plant's load once the unit runs (`planner.plant_load`). A meter that went back (a
        reset) or readings closer than `METER_SPAN` measure nothing."""
        if before is None or not isinstance(before.value, int | float) or not isinstance(
                now.value, int | float):
            return
        hours = (now.at - before.at).total_seconds() / 3600
        if hours * 3600 >= METER_SPAN.total_seconds() and now.value >= before.value:
            self.coil_kw[unit] = (now.at, round((now.value - before.value) / hours, 1))

    async def poll_all(self) -> None:
        await asyncio.gather(*(self.poll_unit(u) for u in self.points))

    def start(self) -> None:
        """One task per device, each on its own interval (real seconds)."""
        for unit in self.points:  # the units, and the plant's served chillers
            self._tasks.append(asyncio.create_task(self._run(unit), name=f"poll {unit}"))

    async def _run(self, unit: str) -> None:
        every = self.intervals.get(unit, self.interval).total_seconds()
        while True:
            await self.poll_unit(unit)
            await asyncio.sleep(every)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    def _fresh(self, units: Iterable[str], point: str, now: datetime, max_age: timedelta
               ) -> list[float]:
        """The units' last good numeric readings of `point` no older than `max_age`."""
        vals = []
        last_good = self.last_good
        for u in units:
            s = last_good.get((u, point))
            if s is None or now - s.at > max_age:
                continue
            v = s.value
            if v.__class__ is float or (isinstance(v, int | float) and not isinstance(v, bool)):
                vals.append(float(v))  # a float first: what every zone sensor reads
        return vals

    def outdoor_air(self, now: datetime, max_age: timedelta, point: str = "oa_temp"
                    ) -> float | None:
        """The mean of the units' fresh outdoor-air readings (None: no unit has one);
        `point="oa_rh"`: its relative humidity."""
        vals = self._fresh(self.config.venue.units, point, now, max_age)
        return fmean(vals) if vals else None

    def zone_measurements(self, now: datetime, max_age: timedelta) -> dict[str, ZoneMeasurement]:
        """Each zone's mean of its units' good, fresh readings (none: the zone is left out)."""
        out = {}
        for zone in self.config.venue.zones:
            units = self.config.venue.units_of(zone)
            temps, rhs, co2s = (self._fresh(units, p, now, max_age)
                                for p in ("zone_temp", "zone_rh", "co2"))
            running = any(
                (s := self.last_good.get((u, "fan_status"))) is not None and s.value is True
                and now - s.at <= max_age for u in units)
            if not temps:
                continue
            at = max(self.last_good[(u, "zone_temp")].at for u in units
                     if (u, "zone_temp") in self.last_good)
            out[zone] = ZoneMeasurement(at, fmean(temps), fmean(rhs) if rhs else None,
                                        fmean(co2s) if co2s else None, running)
        return out
