"""What every configuration model shares: strict keys, frozen values, and the shape of a name."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

NAME = r"^[a-z][a-z0-9_-]*$"
Name = Annotated[str, Field(pattern=NAME)]


class Strict(BaseModel):
    """Base for every config model: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)
