"""The plant at a glance (`GET /api/v1/plant`, the panel's Plant page): the chillers running
and their load, their COP now, the demand now against the cap and the tariff's band, and the
day's expected demand with its peak and the evening's, and the evening's preparations: each
precool's start as chosen against the cap, and the load it expects.

The day's demand is the plan's: `plan_at` every `STEP` of the local day with what is known
now (the plan's own estimate, as `hvac-ctl plan` previews a day), kept for the minute it was
asked in — a page that reloads does not plan the day again.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from hvac_ctl.application.errors import NotFound
from hvac_ctl.application.views import iso
from hvac_ctl.model.plant import Plant
from hvac_ctl.model.tariff import Band
from hvac_ctl.planner import local_midnight, plan_at
from hvac_ctl.planner.outputs import PlantState
from hvac_ctl.service.runtime import Runtime

STEP = timedelta(minutes=15)
EVENING = (time(17, 0), time(23, 0))  # when the halls' audiences are in


class PlantView:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._day: tuple[datetime, list[dict[str, Any]]] | None = None

    def _plant(self) -> Plant:
        plant = self.rt.config.venue.plant
        if plant is None:
            raise NotFound("this venue has no plant (zones.yaml has no plant:)")
        return plant

    @staticmethod
    def _chillers(plant: Plant, st: PlantState) -> list[dict[str, Any]]:
        """Each chiller: running, its share of the load and its COP at it, as planned."""
        shares = {n: (load, kw) for n, load, kw in st.shares}
        out = []
        for name, ch in plant.chillers.items():
            load, kw = shares.get(name, (0.0, 0.0))
            out.append({"id": name, "kind": ch.kind.value, "rated_kw": ch.capacity_kw,
                        "running": name in st.running, "load_kw": load,
                        "cop": round(load / kw, 2) if kw else None})
        return out

    def _today(self, now: datetime) -> list[dict[str, Any]]:
        minute = now.replace(second=0, microsecond=0)
        if self._day is not None and self._day[0] == minute:
            return self._day[1]
        rt = self.rt
        tz = rt.config.venue.venue.tz
        start = local_midnight(now.astimezone(tz).date(), tz)
        inputs = rt.inputs(now)
        day = []
        for k in range(int(timedelta(days=1) / STEP)):
            at = start + k * STEP
            st = plan_at(rt.config, at, inputs, rt.loop.plans).plant
            if st is not None:
                day.append({"at": iso(at, rt), "load_kw": round(st.load_kw, 1),
                            "electric_kw": st.electric_kw, "band": st.band})
        self._day = (minute, day)
        return day

    def view(self) -> dict[str, Any]:
        plant = self._plant()
        rt = self.rt
        now = rt.clock.now()
        st = rt.loop.last_state.plant if rt.loop.last_state is not None else None
        if st is None:
            st = plan_at(rt.config, now, rt.inputs(now), rt.loop.plans).plant
        assert st is not None  # a venue with a plant plans it
        tariff = rt.config.venue.tariff
        day = self._today(now)
        evening = [d for d in day if EVENING[0] <= time.fromisoformat(d["at"][11:19]) < EVENING[1]]
        peak = max(day, key=lambda d: d["electric_kw"], default=None)
        late = max(evening, key=lambda d: d["electric_kw"], default=None)
        return {
            "now": {"load_kw": round(st.load_kw, 1), "coils_kw": st.coils_kw,
                    "base_kw": st.base_kw, "electric_kw": st.electric_kw,
                    "capacity_kw": st.capacity_kw, "short_kw": st.short_kw,
                    "free_cooling": st.free_cooling, "why": st.why, "band": st.band,
                    "district_heat_kw": st.heat_kw, "district_heat_short_kw": st.heat_short_kw,
                    "price_cny_per_kwh": None if tariff is None or st.band is None
                    else round(tariff.price(Band(st.band)), 4)},
            "cap_kw": plant.peak_cap_kw,
            "chillers": self._chillers(plant, st),
            "today": day,
            "peak": peak, "evening_peak": late,
            "preparations": self._outlook(st),
        }

    def _outlook(self, st: PlantState) -> dict[str, Any] | None:
        """The evening's preparations under way or next: each precool's start, chosen
        against the cap, beside its own, and the plant's load expected as it starts."""
        o = st.outlook
        if o is None:
            return None
        rt = self.rt
        return {"start": iso(o.start, rt), "end": iso(o.end, rt), "peak_kw": o.peak_kw,
                "peak_at": iso(o.peak_at, rt), "cap_kw": o.cap_kw, "over_kw": o.over_kw,
                "centrifugals": o.centrifugals, "cost": o.cost, "coordinated": o.coordinated,
                "why": o.why,
                "precools": [{"event": p.event_id, "zone": p.zone, "start": iso(p.start, rt),
                              "own_start": iso(p.own_start, rt), "pull_kw": p.pull_kw,
                              "plant_load_kw": p.load_at_start_kw} for p in o.prepared]}
