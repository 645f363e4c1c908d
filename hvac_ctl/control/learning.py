"""Optimal-start learning: measure each zone's pre-show pull-down, day by day.

While a zone is in precool the learner keeps its measured temperatures; when precool ends
(doors open) it turns them into a rate with the planner's `measure_rate` and keeps one sample
per zone and day — the history the planner averages for the next precool start. It also keeps
the last CO2 measured before doors, which the planner's outdoor-air opening time starts from
once the latest measurement is from after doors. And it keeps when each zone's precool for a
show actually began (the first tick planned in precool): what the panel shows as the start
once it has happened, whatever the plan computes now.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from hvac_ctl.planner import PlanState, RecoverySample, ZoneMeasurement, measure_rate
from hvac_ctl.planner.inputs import Mode


@dataclass
class _Run:
    event_id: str | None
    start: datetime
    target_c: float
    mode: Mode
    trend: list[tuple[datetime, float]] = field(default_factory=list)
    co2_ppm: float | None = None


class RecoveryLearner:
    def __init__(self, tz: tzinfo, keep_days: int = 30) -> None:
        self.tz = tz
        self.keep_days = keep_days
        self.samples: dict[str, list[RecoverySample]] = {}
        self._runs: dict[str, _Run] = {}
        self._co2: dict[tuple[str, str], float] = {}  # (event, zone) → ppm before doors
        self.began: dict[tuple[str, str], datetime] = {}  # (event, zone) → precool began

    def observe(self, state: PlanState, measurements: Mapping[str, ZoneMeasurement],
                now: datetime) -> None:
        for zone, zs in state.zones.items():
            run = self._runs.get(zone)
            if zs.phase == "precool":
                m = measurements.get(zone)
                if run is None or run.event_id != zs.event_id:
                    # the pull's direction: down from a zone warmer than its target, whatever
                    # the season (the planner's optimal start asks by direction too)
                    warmer = m is not None and m.temp_c is not None and m.temp_c > zs.setpoint_c
                    direction: Mode = "cool" if warmer or (m is None and zs.mode == "cool") \
                        else "heat"
                    run = self._runs[zone] = _Run(zs.event_id, now, zs.setpoint_c, direction)
                    if zs.event_id is not None:
                        if len(self.began) > 100:  # only tonight's shows matter
                            self.began.pop(next(iter(self.began)))
                        self.began.setdefault((zs.event_id, zone), now)
                if m is not None and m.temp_c is not None and (
                        not run.trend or m.at > run.trend[-1][0]):
                    run.trend.append((m.at, m.temp_c))
                if m is not None and m.co2_ppm is not None:
                    run.co2_ppm = m.co2_ppm
            elif run is not None:
                del self._runs[zone]
                if run.event_id is not None and run.co2_ppm is not None:
                    if len(self._co2) > 100:  # only tonight's shows matter
                        self._co2.pop(next(iter(self._co2)))
                    self._co2[(run.event_id, zone)] = run.co2_ppm
                rate = measure_rate(run.trend, run.start, run.target_c, run.mode)
                if rate is not None:
                    day = run.start.astimezone(self.tz).date()
                    kept = [s for s in self.samples.get(zone, []) if s.day != day]
                    pull = abs(run.trend[0][1] - run.target_c)
                    kept.append(RecoverySample(day, run.mode, rate, round(pull, 2)))
                    self.samples[zone] = kept[-self.keep_days:]

    def history(self) -> dict[str, list[RecoverySample]]:
        return {zone: list(s) for zone, s in self.samples.items()}

    def co2_at_doors(self) -> dict[tuple[str, str], float]:
        return dict(self._co2)
