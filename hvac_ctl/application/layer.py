"""The application layer in one object: each use case written once, for the API's routers
and the panel's pages alike."""

from __future__ import annotations

from hvac_ctl.application.alarms import Alarms
from hvac_ctl.application.hall import Hall
from hvac_ctl.application.history import History
from hvac_ctl.application.occupancy import Occupancy
from hvac_ctl.application.overrides import Overrides
from hvac_ctl.application.plant import PlantView
from hvac_ctl.application.schedules import Schedules
from hvac_ctl.application.site import Site
from hvac_ctl.service.runtime import Runtime


class Application:
    def __init__(self, rt: Runtime) -> None:
        self.runtime = rt
        self.occupancy = Occupancy(rt)
        self.overrides = Overrides(rt)
        self.alarms = Alarms(rt)
        self.schedules = Schedules(rt)
        self.hall = Hall(rt)
        self.site = Site(rt)
        self.plant = PlantView(rt)
        self.history = History(rt)
        self.tokens = rt.tokens
