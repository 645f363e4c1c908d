"""Configuration errors in an engineer's words: `file:line: key: message`, all at once."""

from __future__ import annotations

import calendar
import difflib
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from hvac_ctl.config.source import Path_, Source, dotted


@dataclass(frozen=True, order=True)
class ConfigIssue:
    file: str
    line: int
    key: str
    message: str
    # errors that only follow from this one (fix it and they go): shown under it, not before
    dependents: tuple[ConfigIssue, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key}: {self.message}"


@dataclass(frozen=True, order=True)
class ConfigWarning:
    """Something valid that may not be what the engineer meant: shown, never refused."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.key}: warning: {self.message}"


class ConfigError(Exception):
    """Raised with every problem found, so an engineer fixes them in one pass: root causes
    first, each once, with the errors that follow from it grouped under it."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = sorted(set(issues), key=lambda i: (not i.dependents, i))
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """Each issue on a line; those that follow from one indented under it."""
        return [text for i in self.issues
                for text in (str(i), *(f"  {d}" for d in sorted(i.dependents)))]


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
        words = _words(e, model, tuple(e["loc"]))
        path, words = _deeper(src, path, words)
        out.append(issue_at(src, path, words))
    return out


def _deeper(src: Source, path: Path_, words: str) -> tuple[Path_, str]:
    """A check on a whole mapping may begin its message with the key it is about
    ("zones.stage.tour: …"): the issue is then placed on that key's own line."""
    m = re.match(r"^([A-Za-z_][\w-]*(?:\.[\w-]+)*): (.+)$", words, re.S)
    if m is None:
        return path, words
    deeper = (*path, *m.group(1).split("."))
    if deeper not in src.lines:
        return path, words
    return deeper, m.group(2)


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
    if kind.startswith(("date_from_datetime", "date_parsing", "date_type")) and "input" in e:
        msg = _not_a_day(e["input"]) or msg
    return msg


def _not_a_day(text: object) -> str | None:
    """'2027-02-30' → why it is no day, in the words of a calendar."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", str(text).strip())
    if m is None:
        return f"'{text}' is not a date like 2027-02-14" if isinstance(text, str) else None
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        return f"'{text}' is not a date: there is no month {month}"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return (f"'{text}' is not a date: {calendar.month_name[month]} {year} has {days} "
                "days")
    return None


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
