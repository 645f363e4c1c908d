"""The site's central plant, as `zones.yaml`'s `plant:` describes it: chillers with their
performance curves, the cooling towers, the district-heat exchanger, the demand cap.

A chiller's performance is the EnergyPlus `Chiller:Electric:EIR` model (DOE-2's): at a leaving
chilled-water temperature `t_chw` and an entering condenser-water temperature `t_cw` (°C),

    available capacity  Q_avail = Q_ref · CapFT(t_chw, t_cw)
    electric power      P = Q_avail / COP_ref · EIRFT(t_chw, t_cw) · EIRFPLR(PLR),
                        PLR = Q / Q_avail (not below `plr_min`: the machine cycles there)

with CapFT and EIRFT biquadratic, a + b·t_chw + c·t_chw² + d·t_cw + e·t_cw² + f·t_chw·t_cw, and
EIRFPLR quadratic, a + b·PLR + c·PLR². The coefficients are never ours: each chiller names the
published curve set it takes them from (`curves.source`). The curves are normalised, so a
set measured on one machine describes another of its kind at another reference capacity,
as EnergyPlus and Modelica Buildings use them. A file without `plant:` has none.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from hvac_ctl.model.base import Name, Strict


class ChillerKind(StrEnum):
    centrifugal = "centrifugal"  # the big machines: staged in and out by load
    screw = "screw"  # the small one: alone at small loads


class Curves(Strict):
    """DOE-2 / EnergyPlus curve coefficients, with where they were published."""

    source: str = Field(min_length=10)  # the dataset and the curve set's name in it
    cap_ft: tuple[float, float, float, float, float, float]
    eir_ft: tuple[float, float, float, float, float, float]
    eir_fplr: tuple[float, float, float]
    t_chw_c: tuple[float, float]  # the range the temperature curves were fitted over
    t_cw_c: tuple[float, float]


class Chiller(Strict):
    kind: ChillerKind
    capacity_kw: float = Field(gt=0)  # reference cooling capacity
    cop: float = Field(gt=1, le=12)  # reference COP at the curves' reference conditions
    plr_min: float = Field(default=0.1, ge=0, lt=1)  # below it the machine cycles
    curves: Curves


class Towers(Strict):
    """Cooling towers: condenser water this far above the outdoor wet-bulb, and free cooling
    (a waterside economiser through the plate exchanger) while the wet-bulb is low enough."""

    approach_k: float = Field(default=4.0, gt=0, le=10)
    cw_min_c: float = Field(default=15.0, ge=5, le=30)  # the chillers' lowest condenser water
    free_cooling_below_wb_c: float = Field(default=5.0, ge=-20, le=15)
    free_cooling_kw: float = Field(default=3000.0, ge=0)


class Staging(Strict):
    """When a centrifugal comes in and goes out, and how long it must stay."""

    up_at_plr: float = Field(default=0.9, gt=0.3, le=1.0)  # running ones this loaded: one more
    down_at_plr: float = Field(default=0.6, gt=0.1, lt=1.0)  # the rest would be this loaded
    min_run_min: int = Field(default=30, ge=0, le=240)
    min_off_min: int = Field(default=15, ge=0, le=240)
    margin: float = Field(default=0.1, ge=0, le=0.5)  # capacity kept above the planned load

    @model_validator(mode="after")
    def _band(self) -> Staging:
        if self.down_at_plr >= self.up_at_plr:
            raise ValueError("down_at_plr must be below up_at_plr (a band, or stages flap)")
        return self


class Plant(Strict):
    chw_supply_c: float = Field(default=7.0, ge=4, le=12)
    chillers: dict[Name, Chiller] = Field(min_length=1)
    towers: Towers = Towers()
    heat_exchanger_kw: float = Field(ge=0)  # district hot water: heating and summer reheat
    peak_cap_kw: float = Field(gt=0)  # the plant's electric demand, at most
    base_load_kw: list[float] = Field(min_length=24, max_length=24)  # by local hour
    staging: Staging = Staging()
    # the halls' precools planned together against the cap and the tariff (`planner.
    # coordination`); false: each zone's optimal start alone, as commercial tools do
    coordinate_precool: bool = True
    # once at its target, a precooled zone's coils hold it at about this share of the power
    # they pulled it down with (the structure still taking up heat) [E]
    precool_hold_share: float = Field(default=0.35, ge=0, le=1)
    coordination_step_min: int = Field(default=5, ge=1, le=30)  # starts are chosen this fine

    @model_validator(mode="after")
    def _one_small(self) -> Plant:
        if sum(1 for c in self.chillers.values() if c.kind == ChillerKind.screw) > 1:
            raise ValueError("the plant has one screw chiller for small loads, or none")
        return self
