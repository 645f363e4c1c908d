"""One router per resource of API v1, and the health endpoints."""

from hvac_ctl.service.routers import (
    alarms,
    events,
    health,
    history,
    occupancy,
    overrides,
    plant,
    schedules,
    site,
    zones,
)

ROUTERS = [health.router, occupancy.router, zones.router, overrides.router, schedules.router,
           alarms.router, history.router, events.router, site.router, plant.router]
