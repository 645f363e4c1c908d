"""The pure phase planner: no I/O, no clock reads, no globals.

`plan_at(config, at, inputs)` gives the desired state of every zone and unit at one instant;
`plan_day(config, day, inputs)` gives the whole day as segments per zone.
"""

from hvac_ctl.planner.core import plan_at, plan_day
from hvac_ctl.planner.inputs import (
    Deviation,
    HeldMode,
    OccupancyPush,
    Override,
    PlanInputs,
    RecoverySample,
    ZoneMeasurement,
)
from hvac_ctl.planner.occupancy import acted_count, should_readjust
from hvac_ctl.planner.optimal_start import measure_rate
from hvac_ctl.planner.outputs import DayPlan, PlanState, Segment, ShowTimes, ZoneState

__all__ = [
    "DayPlan",
    "Deviation",
    "HeldMode",
    "OccupancyPush",
    "Override",
    "PlanInputs",
    "PlanState",
    "RecoverySample",
    "Segment",
    "ShowTimes",
    "ZoneMeasurement",
    "ZoneState",
    "acted_count",
    "measure_rate",
    "plan_at",
    "plan_day",
    "should_readjust",
]
