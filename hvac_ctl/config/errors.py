"""Configuration errors in an engineer's words: `file:line: key: message`, all at once."""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from hvac_ctl.config.source import Path_, Source, dotted


@dataclass(frozen=True, order=True)
class ConfigIssue:
    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key}: {self.message}"


class ConfigError(Exception):
    """Raised with every problem found, so an engineer fixes them in one pass."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = sorted(set(issues))
        super().__init__("\n".join(str(i) for i in self.issues))


def issue_at(src: Source, path: Path_, message: str) -> ConfigIssue:
    return ConfigIssue(src.name, src.line_of(path), dotted(path), message)


def from_validation(src: Source, model: type[BaseModel], err: ValidationError) -> list[ConfigIssue]:
    errors = err.errors(include_url=False)
    # A misspelt key shows up twice: as unknown and, its right name, as missing. Say it once.
    suggested = set()
    for e in errors:
        if e["type"] == "extra_forbidden":
            loc = tuple(e["loc"])
            close = difflib.get_close_matches(str(loc[-1]), _allowed_keys(model, loc[:-1]),
                                              n=1, cutoff=0.6)
            suggested.update((*loc[:-1], c) for c in close)
    out = []
    for e in errors:
        if e["type"] == "missing" and tuple(e["loc"]) in suggested:
            continue
        path = src.resolve(tuple(e["loc"]))
        out.append(issue_at(src, path, _words(e, model, tuple(e["loc"]))))
    return out


def _words(e: Any, model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind = e["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        hint = f" — did you mean '{close[0]}'?" if close else ""
        listing = f" (allowed: {', '.join(sorted(allowed))})" if allowed and not close else ""
        return f"unknown key '{loc[-1]}'{hint}{listing}"
    if kind == "missing":
        return f"required key '{loc[-1]}' is missing"
    if kind == "union_tag_not_found":
        return "'protocol' is required: bacnet or modbus"
    if kind == "union_tag_invalid":
        return f"protocol must be bacnet or modbus, not '{e['ctx'].get('tag')}'"
    msg = str(e["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    if kind.startswith(("string_pattern", "string_type")) and "input" in e:
        msg = f"'{e['input']}' is not allowed here: {msg}"
    return msg


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at `loc` may hold, found by walking the model's annotations."""
    candidates: list[Any] = [model]
    for part in loc:
        nxt: list[Any] = []
        for tp in candidates:
            for t in _members(tp):
                if isinstance(t, type) and issubclass(t, BaseModel):
                    f = _field(t, part)
                    if f is not None:
                        nxt.append(f)
                    elif isinstance(part, str):
                        nxt.append(t)  # a union tag in the location: stay on this model
                elif typing.get_origin(t) is dict:
                    nxt.append(typing.get_args(t)[1])
                elif typing.get_origin(t) in (list, tuple):
                    nxt.append(typing.get_args(t)[0])
        candidates = nxt
    keys: set[str] = set()
    for tp in candidates:
        for t in _members(tp):
            if isinstance(t, type) and issubclass(t, BaseModel):
                keys.update(f.alias or n for n, f in t.model_fields.items())
    return sorted(keys)


def _field(model: type[BaseModel], part: Any) -> Any:
    for name, f in model.model_fields.items():
        if part in (name, f.alias):
            return f.annotation
    return None


def _members(tp: Any) -> list[Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _members(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(tp) for m in _members(a)]
    return [tp]
