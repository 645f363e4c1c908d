"""The imperative shell around the planner: gate, control loop, polling, audit."""

from hvac_ctl.control.audit import AuditLog, MemoryAudit, WriteRecord
from hvac_ctl.control.gate import Admitted, GateSettings, SafetyGate
from hvac_ctl.control.loop import ControlLoop, LoopSettings, TickReport
from hvac_ctl.control.poller import Poller, Sample, quality

__all__ = [
    "Admitted",
    "AuditLog",
    "ControlLoop",
    "GateSettings",
    "LoopSettings",
    "MemoryAudit",
    "Poller",
    "SafetyGate",
    "Sample",
    "TickReport",
    "WriteRecord",
    "quality",
]
