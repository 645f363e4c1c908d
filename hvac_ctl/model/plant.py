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

A chiller may be served, as the units are: `protocol`, `address` and `points` in the units'
shape (`model.points`: the same addresses and the same checks of where a point lives), its
points named `enable` and `chw_setpoint` (commands) and `status`, `electric_kw` and `starts`
(sensors). The service then writes the plan's staging and setpoint to it and polls it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from hvac_ctl.model.base import Name, Strict
from hvac_ctl.model.points import (
    CHILLER_COMMAND_POINTS,
    BacnetAddress,
    ChillerPoints,
    ModbusAddress,
    wire_problem,
)

ADDRESSES: dict[str, type[BacnetAddress | ModbusAddress]] = {
    "bacnet": BacnetAddress, "modbus": ModbusAddress}
CHILLER_REQUIRED_POINTS = frozenset({"enable", "status"})
CHW_RANGE_C = (4.0, 12.0)  # the chilled-water supply a plant may be set to


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
    # served over a protocol, as a unit is (all three, or none)
    protocol: Literal["bacnet", "modbus"] | None = None
    address: BacnetAddress | ModbusAddress | None = None
    points: ChillerPoints | None = None

    @model_validator(mode="before")
    @classmethod
    def _address_of_protocol(cls, data: Any) -> Any:
        """The address's shape is the protocol's (a unit's is chosen by its union's tag):
        validated here by the units' own address models, the first problem placed on its
        key's line (config.errors reads the key in front)."""
        if not isinstance(data, dict) or not isinstance(data.get("address"), dict):
            return data
        kind = ADDRESSES.get(str(data.get("protocol")))
        if kind is None:
            return data  # no protocol, or a wrong one: said by the field's own check
        try:
            address = kind.model_validate(data["address"])
        except ValidationError as e:
            first = e.errors(include_url=False)[0]
            key = ".".join(str(p) for p in ("address", *first["loc"]))
            words = str(first["msg"]).removeprefix("Value error, ")
            if first["type"] == "extra_forbidden":
                words = (f"unknown key for a {data['protocol']} address (allowed: "
                         f"{', '.join(kind.model_fields)})")
            raise ValueError(f"{key}: {words}") from None
        return {**data, "address": address}

    @model_validator(mode="after")
    def _served(self) -> Chiller:
        given = [k for k in ("protocol", "address", "points") if getattr(self, k) is not None]
        if given and len(given) < 3:
            lacking = [k for k in ("protocol", "address", "points") if k not in given]
            raise ValueError(f"a served chiller needs protocol, address and points; this one "
                             f"lacks {' and '.join(lacking)}")
        if self.protocol is None or self.points is None:
            return self
        missing = CHILLER_REQUIRED_POINTS - self.points.names()
        if missing:
            raise ValueError(f"points: a served chiller must have the points "
                             f"{' and '.join(sorted(missing))} (its on/off command and its "
                             "run status); this one lacks them")
        for name, p in self.points.items():
            problem = wire_problem(self.protocol, p, name in CHILLER_COMMAND_POINTS)
            if problem is not None:
                raise ValueError(f"points.{name}: {problem}")
        return self


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
    chw_supply_c: float = Field(default=7.0, ge=CHW_RANGE_C[0], le=CHW_RANGE_C[1])
    # how fast the service may move a served chiller's `chw_setpoint` (the safety gate)
    chw_setpoint_change_k_per_min: float = Field(default=0.5, gt=0, le=5)
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

    @property
    def served(self) -> dict[str, Chiller]:
        """The chillers the service drives and polls (those with a protocol)."""
        return {n: c for n, c in self.chillers.items() if c.protocol is not None}

    @model_validator(mode="after")
    def _one_small(self) -> Plant:
        if sum(1 for c in self.chillers.values() if c.kind == ChillerKind.screw) > 1:
            raise ValueError("the plant has one screw chiller for small loads, or none")
        return self
