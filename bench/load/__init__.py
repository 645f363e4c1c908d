"""`python3 bench/load`: the service under a box office's burst of occupancy pushes.

The simulator serves a generated venue and the real service (`hvac-ctl serve`) drives it, each
in its own process on loopback; pushes arrive at a fixed rate, and afterwards the store is
checked push by push: nothing answered 2xx may be missing or stored twice, and the control
tick must keep its period while it happens.
"""
