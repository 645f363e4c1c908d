"""The stage exhaust in a get-in: on, to clear odour and dust, as fast as the weather allows.

Every m³/s it draws out comes back in through the open loading door as outdoor air, which
the stage's units then have to heat or cool. Outdoor air colder than the stage's heating
setpoint is heat lost: the exhaust then runs at its own minimum speed, which still clears the
dust; otherwise at the phase's fan cap. (The closed loop slows it too, for a stage that has
gone cold: see `recovery`.)
"""

from __future__ import annotations


def exhaust_slowed(outdoor_c: float | None, heating_c: float) -> str:
    """Why a running exhaust runs at its minimum now ("" : it need not)."""
    if outdoor_c is None or outdoor_c >= heating_c:
        return ""
    return (f"exhaust at its minimum: outdoor air at {outdoor_c:.0f} °C comes in through the "
            "loading door for every m³/s it draws")
