"""`python3 bench/perf`: how fast the software itself is, every figure next to a reference.

Five sections, each a markdown table of times and ratios: push (occupancy push → device
through the running service, against a raw BACnet write), poll (points/s through our drivers
against the raw libraries), plan (a year of planning, against the 60 s control tick), sim
(simulated days per second, against real time) and memory (the service's RSS for the default
venue and for a generated 500-unit one). The sections reuse the single-purpose benchmarks
next to this folder rather than copying them, so both report the same measurement.
"""
