"""What the planner remembers between ticks: each zone's mode and its time out of band.

The planner is pure; the minimum dwell of a mode and the closed loop of occupied phases
both need to know since when something has been so. The tracker watches each tick's plan
and measurements and hands that back as `PlanInputs.modes` and `PlanInputs.deviations`:

- a zone's mode, since when the plan has had it (the first one seen is taken as held since
  before anyone remembers: a restart does not hold back the first change), and in which
  phase;
- a zone in a tour, get-in or show measured further than `recovery.outside_band_k` outside
  its heating–cooling band, and since when. Once the planner has acted on it (it lasted
  `recovery.after_min`), it ends only when the zone is back inside the band itself, so the
  action is not dropped at the edge of the tolerance and taken again a few minutes later.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from hvac_ctl.model import Config
from hvac_ctl.planner import PlanState, ZoneMeasurement
from hvac_ctl.planner.inputs import Deviation, HeldMode, Side
from hvac_ctl.planner.outputs import OCCUPIED_PHASES


class ZoneTracker:
    def __init__(self, config: Config) -> None:
        self.config = config
        self._modes: dict[str, HeldMode] = {}
        self._out: dict[str, Deviation] = {}

    def observe(self, state: PlanState, measurements: Mapping[str, ZoneMeasurement],
                now: datetime) -> None:
        rec = self.config.venue.venue.recovery
        acting_after = timedelta(minutes=rec.after_min)
        for zone, zs in state.zones.items():
            held = self._modes.get(zone)
            if held is None:
                self._modes[zone] = HeldMode(zs.mode, None, zs.phase)
            elif held.mode != zs.mode:
                self._modes[zone] = HeldMode(zs.mode, now, zs.phase)
            elif held.phase != zs.phase:
                self._modes[zone] = HeldMode(zs.mode, held.since, zs.phase)
            m = measurements.get(zone)
            if zs.phase not in OCCUPIED_PHASES or zs.band_c is None or m is None or (
                    m.temp_c is None):
                self._out.pop(zone, None)
                continue
            lo, hi = zs.band_c
            k = rec.outside_band_k
            side: Side | None = ("cold" if m.temp_c < lo - k else
                                 "warm" if m.temp_c > hi + k else None)
            dev = self._out.get(zone)
            if side is not None:
                if dev is None or dev.side != side:
                    self._out[zone] = Deviation(side, now)
            elif dev is not None:
                acted = now - dev.since >= acting_after
                back = m.temp_c >= lo if dev.side == "cold" else m.temp_c <= hi
                if not acted or back:
                    del self._out[zone]

    def held_modes(self) -> dict[str, HeldMode]:
        return dict(self._modes)

    def deviations(self) -> dict[str, Deviation]:
        return dict(self._out)
