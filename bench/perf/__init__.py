"""`python3 bench/perf`: how fast the software itself is, every figure next to a reference.

Six sections, each a markdown table of times and ratios: push (occupancy push → device
through the running service, against its floor: a GET /healthz, a SQLite commit and a raw
BACnet write measured in the same run), poll (points/s through our drivers against the raw
libraries), plan (a year of planning, against the 60 s control tick), sim (simulated days per
second, against real time), season (one season per strategy in process, against the
simulator alone) and memory (the service's RSS for the default venue and for a generated
500-unit one). The sections reuse the single-purpose benchmarks next to this folder rather
than copying them, so both report the same measurement.

At the end, issue 16's figures in one table, each with its ratio to its floor and its goal,
met or not; and with a baseline (by default the newest tag), every compared figure beside the
same benchmark's at that release (baseline.py, compare.py).
"""
