"""The pure phase planner: no I/O, no clock reads, no globals, no writes to its configuration.

`plan_at(config, at, inputs)` gives the desired state of every zone and unit at one instant;
`plan_day(config, day, inputs)` gives the whole day as segments per zone. A `PlanCache`
passed to either keeps what is worth keeping between calls. Each rule is a module of its
own — `claims`, `precool`, `show`, `relaxed`, `post_show`, `egress`, `idle`, `modes`,
`recovery`, `exhaust`, `economiser`, `tempering`, `unit_points` — composed by `zone` and
`plan`, and laid over a day by `timeline`.
"""

from hvac_ctl.planner.context import PlanCache
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
from hvac_ctl.planner.plan import plan_at
from hvac_ctl.planner.timeline import local_midnight, plan_day

__all__ = [
    "DayPlan",
    "Deviation",
    "HeldMode",
    "OccupancyPush",
    "Override",
    "PlanCache",
    "PlanInputs",
    "PlanState",
    "RecoverySample",
    "Segment",
    "ShowTimes",
    "ZoneMeasurement",
    "ZoneState",
    "acted_count",
    "local_midnight",
    "measure_rate",
    "plan_at",
    "plan_day",
    "should_readjust",
]
