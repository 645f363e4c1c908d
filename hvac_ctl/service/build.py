"""The service, built one way for every caller: `hvac-ctl serve`, the demo, the tests and the
benches all call `build_service()` and get the same runtime, application layer and app."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from drivers.base import Driver
from hvac_ctl.application.layer import Application
from hvac_ctl.clock import Clock
from hvac_ctl.service.app import create_app
from hvac_ctl.service.runtime import Runtime
from hvac_ctl.service.settings import ServiceSettings
from hvac_ctl.store import Store


@dataclass(frozen=True)
class Service:
    runtime: Runtime
    application: Application
    app: FastAPI

    @property
    def store(self) -> Store:
        return self.runtime.store

    def server(self, host: str = "127.0.0.1", port: int = 8000, **options: object
               ) -> uvicorn.Server:
        """A uvicorn server for the app, logging through the root logger (`hvac_ctl.logs`);
        starting it starts the runtime (the app's lifespan)."""
        options.setdefault("log_config", None)
        return uvicorn.Server(uvicorn.Config(self.app, host=host, port=port,
                                             lifespan="on", **options))  # type: ignore[arg-type]  # uvicorn's keyword options, passed through


def build_service(settings: ServiceSettings, clock: Clock, store: Store | str,
                  drivers: Mapping[str, Driver] | None = None) -> Service:
    """`store`: a Store, or its URL. `drivers`: by protocol; by default wired to the units'
    addresses from `settings.drivers`."""
    store = Store(store) if isinstance(store, str) else store
    runtime = Runtime(settings, clock, store, drivers)
    app = create_app(runtime)
    return Service(runtime, app.state.application, app)
