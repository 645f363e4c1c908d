"""Liveness, readiness and Prometheus metrics (no token: what a supervisor or scraper polls)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from drivers.base import State
from hvac_ctl.service.auth import App

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, bool]:
    return {"ok": True}


@router.get("/readyz")
async def readyz(app: App) -> Response:
    """Ready: the scheduler runs and the store answers (read in a store thread); a standby is
    ready too (it serves reads and takes pushes), and says it stands by."""
    rt = app.runtime
    try:
        store_ok = await rt.db(rt.store.ping)
    except Exception as e:
        store_ok, error = False, str(e)
    else:
        error = rt.store_error
    devices = {u: rt.loop.driver_of(u).health(u).state.value for u in rt.config.venue.units}
    lead = rt.leadership
    role = lead.status() if lead is not None else None
    body = {"store": store_ok, "store_error": error, "scheduler": rt.jobs.running,
            "devices": devices,
            "online": sum(1 for s in devices.values() if s == State.online),
            # one of several instances: which leads (writes); the only one always does
            "role": role.role if role is not None else "leader",
            "instance": role.instance if role is not None else None,
            "epoch": role.epoch if role is not None else None}
    return JSONResponse(body, status_code=200 if store_ok and rt.jobs.running else 503)


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(app: App) -> str:
    rt = app.runtime
    w = rt.writer
    lines = [
        "# TYPE hvac_ticks_total counter", f"hvac_ticks_total {rt.loop.ticks}",
        "# TYPE hvac_ticks_late_total counter", f"hvac_ticks_late_total {rt.jobs.ticks_late}",
        "# TYPE hvac_writes_total counter", f"hvac_writes_total {rt.loop.writes}",
        "# TYPE hvac_failed_writes_total counter",
        f"hvac_failed_writes_total {rt.loop.failed_writes}",
        "# HELP hvac_store_queue_depth rows waiting for the store, by kind",
        "# TYPE hvac_store_queue_depth gauge",
        *(f'hvac_store_queue_depth{{kind="{k}"}} {n}' for k, n in w.depths().items()),
        "# HELP hvac_store_queue_dropped_total rows the full queue dropped, by kind",
        "# TYPE hvac_store_queue_dropped_total counter",
        *(f'hvac_store_queue_dropped_total{{kind="{k}"}} {n}' for k, n in w.dropped.items()),
        "# TYPE hvac_store_rows_stored_total counter", f"hvac_store_rows_stored_total {w.stored}",
        "# TYPE hvac_store_failed_batches_total counter",
        f"hvac_store_failed_batches_total {w.failures}",
        "# TYPE hvac_store_refusing gauge",
        f"hvac_store_refusing {int(rt.store_error is not None)}",
        "# TYPE hvac_poll_latency_ms gauge",
    ]
    online = 0
    for unit in rt.config.venue.units:
        h = rt.loop.driver_of(unit).health(unit)
        online += h.state == State.online
        if h.latency_ms is not None:
            lines.append(f'hvac_poll_latency_ms{{unit="{unit}"}} {h.latency_ms:.3f}')
    lines += ["# TYPE hvac_devices_online gauge", f"hvac_devices_online {online}"]
    lead = rt.leadership
    name = lead.instance if lead is not None else ""
    lines += ["# HELP hvac_leader 1 while this instance leads (writes to the devices)",
              "# TYPE hvac_leader gauge",
              f'hvac_leader{{instance="{name}"}} {int(rt.may_write())}',
              "# HELP hvac_takeovers_total times this instance became the leader",
              "# TYPE hvac_takeovers_total counter",
              f"hvac_takeovers_total {lead.takeovers if lead is not None else 0}"]
    return "\n".join(lines) + "\n"
