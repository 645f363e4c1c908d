"""The season-long evaluation: our planner against two baselines, scored as BOPTEST scores.

    python3 bench/evaluate                 # summer (June–August) and a winter month
    python3 bench/evaluate --season summer --days 14

The same control loop as the service (`hvac_ctl.control.ControlLoop`, safety gate included)
drives the simulator's `Building` in process through the in-memory driver; only the planner
differs between strategies (`strategies.py`). `closed_loop.py` runs one strategy over a period
and keeps its trace; `kpis.py` turns traces into the KPI table; `plots.py` draws them;
`seasons.py` names the periods, `calendar.yaml` their shows, `weather.py` their weather.
`site.py` runs the whole default site (`--site`: four halls, the public areas, the plant
metered by `plant_meter.py`) under four strategies.
"""
