"""What the service records of its own plan as trends, beside the sensors the poller reads."""

from __future__ import annotations

from datetime import datetime

from hvac_ctl.model import Config
from hvac_ctl.planner import PlanState


def commanded_modes(config: Config, state: PlanState, now: datetime
                    ) -> list[tuple[str, str, datetime, float | None, bool]]:
    """The public units' commanded mode (its state number) and enable, as trends: the
    poller reads sensors, not commands, and `report public` judges each group's modes from
    its units' (the mode the plan ran them in, which under our control is the group's)."""
    venue = config.venue
    rows: list[tuple[str, str, datetime, float | None, bool]] = []
    for gid in venue.groups:
        for zone in venue.zones_of_group(gid):
            for unit in venue.units_of(zone):
                points = state.units.get(unit, {})
                mode_point = venue.units[unit].points.mode
                states = mode_point.states if mode_point is not None else None
                if "enable" in points:
                    rows.append((unit, "enable", now, float(bool(points["enable"])), True))
                if states and points.get("mode") in states:
                    rows.append((unit, "mode", now, float(states[str(points["mode"])]), True))
    return rows
