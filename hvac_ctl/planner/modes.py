"""Each zone's mode by its measured need: heating, cooling, or the deadband between them.

After ASHRAE Guideline 36's zone states (Modelica Buildings `G36.ThermalZones.ZoneStates`:
heating, deadband, cooling): a zone has a heating and a cooling setpoint; it needs heat below
the one and cooling above the other, and between them keeps the mode it has. Its units hold
the setpoint of their mode. The season's `mode` is a preference, not a rule: the mode before
anything is measured, and the one whose setpoint a phase's `setpoint_c` is (a summer phase's
`setpoint_c` is what its units cool to). A zone that needs heat on a "summer" day gets heat.

- Setpoints: a show holds one target (the strategy: "hold steady"), so both setpoints are it.
  Tours, get-ins and post-shows are relaxed: the other setpoint lies `deadband_k` (2.5 K) away
  from `setpoint_c`, unless the phase gives `heating_setpoint_c` / `cooling_setpoint_c`.
  (Idle protects its band instead: see the idle sequence.)
- Hysteresis: a zone changes mode once it is past the other setpoint and `hysteresis_k`
  from its own (a show's single target: 1 K either way), so a summer hall a little under its
  target after precool, a unit wavering around a show's target, or a sensor's noise, does
  not flip it.
- A new phase starts from its own need (as G36's mode changes do): a mode held from another
  phase — a summer precool that heated a cold hall — is not carried into the show.
- Minimum dwell: a mode is kept `min_dwell_min` after it was taken; units that swap coils
  every few minutes wear, and swing the air the audience sits in. Tempering cold outdoor air
  and the closed loop (`tempering`, `recovery`) are not held back by it.
- Precool is a pull to its target, as G36's cool-down and warm-up are: it cools a zone above
  the target and heats one more than the curtain-ready margin below it, without dwell.
- One mode per zone: every unit of a zone gets it, so neighbours never fight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from hvac_ctl.model.seasons import RelaxedSettings
from hvac_ctl.model.venue import ModeSelection
from hvac_ctl.planner.inputs import HeldMode, Mode

READY_K = 0.5  # precool heats a zone only this far below its target: curtain-ready's margin


@dataclass(frozen=True)
class ModeChoice:
    mode: Mode
    band: tuple[float, float]  # the heating and cooling setpoints
    why: str  # "" when the zone simply keeps the mode it holds (or prefers)

    @property
    def setpoint_c(self) -> float:
        """The setpoint of the mode: what the units hold."""
        return setpoint_of(self.mode, self.band)


def relaxed_band(settings: RelaxedSettings, setpoint_c: float, preferred: Mode,
                 modes: ModeSelection) -> tuple[float, float]:
    """The heating and cooling setpoints of a tour, get-in or post-show."""
    heating, cooling = settings.heating_setpoint_c, settings.cooling_setpoint_c
    if preferred == "cool":
        cooling = setpoint_c if cooling is None else cooling
        heating = cooling - modes.deadband_k if heating is None else heating
    else:
        heating = setpoint_c if heating is None else heating
        cooling = heating + modes.deadband_k if cooling is None else cooling
    return heating, cooling


def choose_mode(band: tuple[float, float], measured_c: float | None, held: HeldMode | None,
                preferred: Mode, at: datetime, settings: ModeSelection, tz: tzinfo
                ) -> ModeChoice:
    """The mode a zone needs at `at`, from its measured temperature against its setpoints."""
    heating, cooling = band
    current: Mode = held.mode if held is not None else preferred
    # a change takes the hysteresis, the deadband counting toward it: a unit holding a
    # show's one target wavers around it, and must not be flipped at every waver
    h = settings.hysteresis_k
    to_heat, to_cool = min(heating, cooling - h), max(cooling, heating + h)
    need: Mode | None = None
    what = ""
    if measured_c is not None and measured_c < to_heat:
        need = "heat"
        what = f"{measured_c:.1f} °C is below the heating setpoint {heating:.1f} °C"
    elif measured_c is not None and measured_c > to_cool:
        need = "cool"
        what = f"{measured_c:.1f} °C is above the cooling setpoint {cooling:.1f} °C"
    if need is None or need == current:
        return _choice(current, band, "")
    dwell = timedelta(minutes=settings.min_dwell_min)
    if held is not None and held.since is not None and at - held.since < dwell:
        until = (held.since + dwell).astimezone(tz)
        return _choice(current, band, f"{what}: {need} from {until:%H:%M} (a mode is kept "
                                      f"{settings.min_dwell_min} min)")
    return _choice(need, band, f"{what}: {need}")


def pull_mode(target_c: float, measured_c: float | None, held: HeldMode | None,
              preferred: Mode) -> ModeChoice:
    """Precool's mode: the direction of its pull to the target."""
    current: Mode = held.mode if held is not None else preferred
    band = (target_c, target_c)
    if measured_c is None:
        return _choice(current, band, "")
    if measured_c > target_c and current != "cool":
        return _choice("cool", band, f"{measured_c:.1f} °C, pulled down: cool")
    if measured_c < target_c - READY_K and current != "heat":
        return _choice("heat", band, f"{measured_c:.1f} °C, pulled up: heat")
    return _choice(current, band, "")


def setpoint_of(mode: Mode, band: tuple[float, float]) -> float:
    return band[0] if mode == "heat" else band[1]


def _choice(mode: Mode, band: tuple[float, float], why: str) -> ModeChoice:
    return ModeChoice(mode, band, why)
