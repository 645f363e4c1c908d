"""YAML text → plain data plus a map from every key path to its line, for `file:line` errors."""

from __future__ import annotations

import copy
import functools
import pickle
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

Path_ = tuple[str | int, ...]


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Source:
    """One parsed file: its data as plain dicts and lists, and where each key stands."""

    name: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int:
        """The line of the deepest part of `path` that exists (a missing key: its parent)."""
        for n in range(len(path), -1, -1):
            if path[:n] in self.lines:
                return self.lines[path[:n]]
        return 1

    def resolve(self, loc: tuple[Any, ...]) -> Path_:
        """A pydantic error location → a path in this file's data.

        Locations carry things that are not in the file (a union's tag, a validator's name):
        those are skipped, so the path names only what the engineer wrote.
        """
        out: list[str | int] = []
        node = self.data
        for part in loc:
            in_map = isinstance(node, dict) and part in node
            in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            if in_map or in_list:
                node = node[part]
                out.append(part)
            elif isinstance(part, str) and not isinstance(node, dict | list):
                continue
            elif isinstance(node, dict) and isinstance(part, str) and not _is_tag(node, part):
                out.append(part)  # a missing key: name it, the line will be its parent's
                node = None
        return tuple(out)


def _is_tag(node: dict[str, Any], part: str) -> bool:
    """A discriminated union puts the tag's value in the location (…, 'bacnet', 'address')."""
    return part in node.values()


def dotted(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top)"


def parse_yaml(name: str, text: str) -> Source:
    """Parse one file. The round-trip parser (kept for its line numbers) is slow — about 0.2 s
    for the shipped folder — so a text parsed before is not parsed again: a hot reload after
    one file's edit parses that file only. The caller gets its own copy of the data."""
    kept = _parsed(text)
    if isinstance(kept, bytes):
        data, lines = pickle.loads(kept)  # a fresh copy, made now
        return Source(name, data, lines)
    data, lines = kept
    return Source(name, copy.deepcopy(data), dict(lines))


class _Constructor(RoundTripConstructor):
    """A date that is no day (2027-02-30) stays the text it was: the models then refuse it
    at its own key and line, instead of the whole file failing to load at line 1."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:
            return str(node.value)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> bytes | tuple[Any, dict[Path_, int]]:
    """The file's plain data and lines, kept pickled: one bytes object, not the tens of
    thousands of dicts, strings and key tuples of a big zones.yaml (a 505-unit venue's ~50,000
    lines). Those were made while ruamel's own tree (~80 MB at its peak for that file) was
    alive, and held for the process's life they pinned the memory it freed, part used: the
    service's resident set stayed near that peak. Each caller unpickles its own copy (which a
    deep copy made before). Data that does not pickle (a tag ruamel keeps as its own object)
    is kept as it is and deep-copied."""
    data, lines = _parse(text)
    try:
        return pickle.dumps((data, lines), pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return data, lines


def _parse(text: str) -> tuple[Any, dict[Path_, int]]:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        root = yaml.load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlSyntaxError(line, _first_line(e.problem or str(e))) from None
    except Exception as e:  # ruamel raises a few unmarked errors (duplicate keys among them)
        raise YamlSyntaxError(getattr(getattr(e, "problem_mark", None), "line", 0) + 1,
                              _first_line(str(e))) from None
    lines: dict[Path_, int] = {}
    data = _plain(root, (), lines, _Walk())
    return data, lines


def _first_line(text: str) -> str:
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), "invalid YAML")


MAX_VALUES = 100_000  # the shipped files hold about 2 000; a billion laughs would hold 10⁹


@dataclass
class _Walk:
    """Where `_plain` stands: the mappings and sequences it is inside, and how many it made.

    Anchors and aliases make the loaded YAML a graph, not a tree: an alias inside its own
    anchor (`&a [*a]`) loops forever, and aliases of aliases (`&b [*a, *a, …]`) copy out
    exponentially. Both become a syntax issue on the line where they stand.
    """

    inside: set[int] = field(default_factory=set)
    values: int = 0


def _plain(node: Any, path: Path_, lines: dict[Path_, int], walk: _Walk) -> Any:
    walk.values += 1
    if isinstance(node, CommentedMap | CommentedSeq):
        line = lines.get(path, 1) if node.lc.line is None else node.lc.line + 1
        if id(node) in walk.inside:
            raise YamlSyntaxError(line, "an alias refers to the anchor it stands in: "
                                        "the data would never end")
        if walk.values > MAX_VALUES:
            raise YamlSyntaxError(line, f"the file expands to more than {MAX_VALUES} values "
                                        "(aliases of aliases?)")
        walk.inside.add(id(node))
        try:
            return _container(node, path, lines, walk)
        finally:
            walk.inside.discard(id(node))
    if isinstance(node, bool):  # ruamel's ScalarBoolean is an int subclass: test it first
        return bool(node)
    for plain in (int, float, str):
        if isinstance(node, plain):
            return plain(node)  # drop ruamel's formatting-preserving subclasses
    return node


def _container(node: CommentedMap | CommentedSeq, path: Path_, lines: dict[Path_, int],
               walk: _Walk) -> Any:
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            k = str(key) if not isinstance(key, str) else key
            lines[(*path, k)] = _line(node.lc.key(key), lines.get(path, 1))
            out[k] = _plain(value, (*path, k), lines, walk)
        return out
    items = []
    for i, value in enumerate(node):
        lines[(*path, i)] = _line(node.lc.item(i), lines.get(path, 1))
        items.append(_plain(value, (*path, i), lines, walk))
    return items


def _line(position: Any, parent: int) -> int:
    """ruamel's (line, column) of a key or an item, 0-based; a tagged node (`!!python/tuple`)
    has none, and then the line of its parent is the best there is."""
    return int(position[0]) + 1 if position else parent
