"""Operators' overrides: one point of one unit held at a value until it expires.

Checked against the venue (the unit has that command point; the value is inside the safety
gate's bounds for it) and bounded in time (`max_override`), then stored with its audit row in
one transaction, and the units told at once. Releasing ends an override once: a second release
of the same override records nothing, and one that had already run out says that it expired.

One override per point: a second one on a point that already has one in force is refused
(`Conflict`, naming the one in force: id, who, value, until) unless it says `replace`, and
then the old one is ended (audited as replaced) and the new one stored in one transaction.
Two overrides stacked on a point would leave the operator guessing which one the unit obeys
and what happens when one ends.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import timedelta, tzinfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hvac_ctl.application.errors import Conflict, Invalid, NotFound
from hvac_ctl.control import SafetyGate
from hvac_ctl.model.venue import COMMAND_POINTS
from hvac_ctl.service.bounds import Instant
from hvac_ctl.service.runtime import Runtime
from hvac_ctl.store.models import OverrideRow
from hvac_ctl.store.store import Ended


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit: str
    point: str
    value: bool | float | str
    minutes: float | None = Field(default=None, gt=0, le=1_000_000)  # past it: an overflow
    until: Instant | None = None
    reason: str = Field(min_length=1, max_length=500)
    # end the override in force on this point (if any) and set this one, in one go
    replace: bool = False

    @model_validator(mode="after")
    def _one_duration(self) -> OverrideIn:
        if (self.minutes is None) == (self.until is None):
            raise ValueError("give exactly one of minutes or until")
        if not self.reason.strip():
            raise ValueError("a reason is required")
        return self


@dataclass(frozen=True)
class Release:
    row: OverrideRow
    outcome: Ended  # released | expired | already

    @property
    def message(self) -> str:
        o = self.row
        if self.outcome == "released":
            return f"override {o.id} released"
        if self.outcome == "expired":
            return f"override {o.id} had already expired; nothing to release"
        return f"override {o.id} was already ended by {o.ended_by}"


class InForce(Conflict):
    """The point already has an override in force (409); `row` is the one that holds it."""

    def __init__(self, row: OverrideRow, tz: tzinfo) -> None:
        until = row.until.astimezone(tz)
        self.summary = (f"{row.unit}.{row.point} already has override {row.id} in force: "
                        f"{row.value} by {row.created_by} until {until:%H:%M} "
                        f"({until.isoformat()}), \"{row.reason}\"; nothing was set")
        super().__init__(f"{self.summary} (send replace: true to end it and set this one)")
        self.row = row


class Overrides:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        # one check-and-store at a time: two requests for one point must not both find it free
        self._setting = asyncio.Lock()

    async def create(self, body: OverrideIn, actor: str) -> OverrideRow:
        """Check, store (audited) and apply at once; Invalid naming the field if it cannot."""
        rt = self.rt
        unit = rt.config.venue.units.get(body.unit)
        if unit is None:
            raise Invalid("unit", f"unknown unit '{body.unit}'")
        if body.point not in COMMAND_POINTS or body.point not in unit.points.names():
            have = [p for p in COMMAND_POINTS if p in unit.points.names()]
            raise Invalid("point", f"'{body.point}' is not a command of {body.unit} "
                                   f"({', '.join(have)})")
        value = self._value(body)
        now = rt.clock.now()
        until = body.until or now + timedelta(minutes=body.minutes or 0)
        if until <= now:
            raise Invalid("until", "the override would already have ended")
        if until - now > rt.settings.max_override:
            raise Invalid("minutes" if body.minutes else "until",
                          f"longer than the maximum {rt.settings.max_override}")
        async with self._setting:
            row, replaced = await rt.write(rt.store.set_override, body.unit, body.point, value,
                                           now, until, body.reason, actor, body.replace)
            if row is None:
                raise InForce(replaced[0], rt.config.venue.venue.tz)
            for old in replaced:
                rt.override_changed(old)
            rt.override_changed(row)
        await rt.tick()
        return row

    def _value(self, body: OverrideIn) -> bool | float | str:
        rt = self.rt
        if body.point == "enable":
            if not isinstance(body.value, bool):
                raise Invalid("value", "enable takes true or false")
            return body.value
        if body.point == "mode":
            spec = rt.config.venue.units[body.unit].points.mode
            states = (spec.states if spec is not None else None) or {}
            if body.value not in states:
                raise Invalid("value", f"mode must be one of {', '.join(states)}")
            return str(body.value)
        if isinstance(body.value, bool | str):
            raise Invalid("value", f"{body.point} takes a number")
        lo, hi = SafetyGate(rt.config.venue).bounds(body.unit, body.point)
        v = float(body.value)
        if math.isnan(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
            raise Invalid("value", f"{v:g} is outside {lo}–{hi} for {body.unit}.{body.point}")
        return v

    async def release(self, override_id: str, actor: str) -> Release:
        """End it now, once (audited once); the units are told only if this ended it."""
        rt = self.rt
        row, outcome = await rt.write(rt.store.end_override, override_id, rt.clock.now(), actor)
        if row is None or outcome == "unknown":
            raise NotFound(f"unknown override '{override_id}'")
        rt.override_changed(row)
        if outcome != "already":
            await rt.tick()
        return Release(row, outcome)

    async def listed(self, active: bool) -> list[OverrideRow]:
        """Active now (from memory), or every one the store holds."""
        rt = self.rt
        if active:
            now = rt.clock.now()
            return sorted((o for o in rt.open_overrides if o.start <= now < o.until),
                          key=lambda o: o.start)
        return await rt.db(rt.store.overrides)
