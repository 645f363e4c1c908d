"""What the weather does to a public zone: sun on the shell's glass, conduction through it,
outdoor air at the entrances, and the lake around the underwater corridors.

The halls sit inside 0.7–1.2 m of concrete and get none of this (reference-data.md, "The
site"); the public hall and the corridors sit right under the shell or the lake.

**Sun.** A clear sky, every day (the simulator's weather has no clouds: a public zone's sun is
its worst case, which is what a cooling decision has to cope with):
- the sun's altitude from the day of the year and the solar time: Cooper's declination,
  the equation of time (Spencer's short form), the hour angle at the site's longitude;
- the ASHRAE clear-sky model (Handbook of Fundamentals 1985, ch. 27; Threlkeld): direct
  normal irradiance DNI = A·exp(−B / sin α), diffuse on the horizontal C·DNI, with A, B, C
  following the year as sinusoids fitted to ASHRAE's monthly table (A 1,085–1,235 W/m²,
  B 0.14–0.21, C 0.055–0.135);
- the shell is an ellipsoid of glass strips between titanium panels: its glass faces every
  direction and every tilt. We count `HORIZONTAL_SHARE` (half) of the glass as horizontal
  and the rest as vertical glass spread evenly over all azimuths: the direct beam on a
  vertical pane averaged over azimuths is DNI·cos α / π, it sees half the sky's diffuse
  light and half the ground's reflection (albedo 0.2). Gain = glass_m2 × that irradiance ×
  solar_gain_factor (g-value × shading), as radiant heat (it lands on the floor).

**Glass conduction**: glass_u × glass_m2 × (outdoor − zone air), in the hall's linear system
(`Hall`), exact over any step. **Infiltration**: outdoor air through the entrances, in and out
at the zone's own (the hall's outdoor exchange: heat, moisture and CO2). **Ground**: the
corridors' walls and floor to the lake water, `ground_w_per_k` × (lake − zone mass node).

**Lake water** [E]: a shallow ornamental lake (about 0.4 m deep at the NCPA) follows the air's
monthly mean with a lag, held above freezing in winter: a sinusoid from `LAKE_MIN_C` (4 °C) in
early February to `LAKE_MAX_C` (26 °C) in early August.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

HORIZONTAL_SHARE = 0.5  # of the shell's glass counted as horizontal; the rest vertical
GROUND_ALBEDO = 0.2
LAKE_MIN_C = 4.0
LAKE_MAX_C = 26.0
LAKE_COLDEST_DAY = 35  # 4 February; the warmest is half a year later (5 August)
_YEAR = 365.25
_DEG = math.pi / 180


def day_of_year(t: datetime) -> float:
    """Days since 1 January 00:00 UTC, fractional (1.0 = 2 January 00:00 UTC)."""
    u = t.astimezone(UTC)
    start = datetime(u.year, 1, 1, tzinfo=UTC)
    return (u - start).total_seconds() / 86400.0


def sun_altitude_deg(t: datetime, latitude_deg: float, longitude_deg: float) -> float:
    """The sun's altitude above the horizon at `t` (negative at night), degrees."""
    n = day_of_year(t) + 1.0  # 1 on 1 January
    declination = 23.45 * math.sin(2 * math.pi * (284 + n) / 365)
    b = 2 * math.pi * (n - 81) / 364
    equation_min = 9.87 * math.sin(2 * b) - 7.53 * math.cos(b) - 1.5 * math.sin(b)
    u = t.astimezone(UTC)
    utc_h = u.hour + u.minute / 60 + u.second / 3600 + u.microsecond / 3.6e9
    solar_h = utc_h + longitude_deg / 15 + equation_min / 60
    hour_angle = 15.0 * (solar_h - 12.0)
    phi, delta = latitude_deg * _DEG, declination * _DEG
    s = (math.sin(phi) * math.sin(delta)
         + math.cos(phi) * math.cos(delta) * math.cos(hour_angle * _DEG))
    return math.asin(max(-1.0, min(1.0, s))) / _DEG


def clear_sky(t: datetime, latitude_deg: float, longitude_deg: float
              ) -> tuple[float, float, float]:
    """(sin α, direct normal W/m², diffuse horizontal W/m²) of a clear sky at `t`; zeros
    with the sun below the horizon."""
    alt = sun_altitude_deg(t, latitude_deg, longitude_deg)
    if alt <= 0.0:
        return 0.0, 0.0, 0.0
    n = day_of_year(t) + 1.0
    a = 1160.0 + 75.0 * math.sin(2 * math.pi * (n - 275) / 365)
    b = 0.174 + 0.035 * math.sin(2 * math.pi * (n - 100) / 365)
    c = 0.095 + 0.04 * math.sin(2 * math.pi * (n - 100) / 365)
    sin_alt = math.sin(alt * _DEG)
    dni = a * math.exp(-b / max(sin_alt, 0.05))  # the formula's grazing sun, bounded
    return sin_alt, dni, c * dni


def glass_irradiance(t: datetime, latitude_deg: float, longitude_deg: float) -> float:
    """W/m² on the shell's glass at `t` (see the module: half horizontal, half vertical)."""
    sin_alt, dni, diffuse = clear_sky(t, latitude_deg, longitude_deg)
    if dni == 0.0:
        return 0.0
    cos_alt = math.sqrt(max(0.0, 1.0 - sin_alt * sin_alt))
    horizontal = dni * sin_alt + diffuse
    vertical = dni * cos_alt / math.pi + diffuse / 2 + GROUND_ALBEDO * horizontal / 2
    return HORIZONTAL_SHARE * horizontal + (1 - HORIZONTAL_SHARE) * vertical


def lake_c(t: datetime) -> float:
    """The lake water's temperature at `t`, °C [E] (see the module)."""
    phase = 2 * math.pi * (day_of_year(t) - LAKE_COLDEST_DAY) / _YEAR
    mean, half = (LAKE_MIN_C + LAKE_MAX_C) / 2, (LAKE_MAX_C - LAKE_MIN_C) / 2
    return mean - half * math.cos(phase)

