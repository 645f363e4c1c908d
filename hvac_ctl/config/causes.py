"""Root causes first: one misspelt zone name is one error, not nineteen.

A zone is named once in `zones.yaml` and referred to everywhere else: by its units, by each
season, by tours' routes. When its own name is misspelt, every reference is "unknown", the zone
itself has no unit and no settings, and the cause — the one key to fix — is lost among them.
Here the errors that name a zone which does not exist are gathered: when several call it the
same name and one defined zone is spelt almost so, that zone's own key is the error, and the
others are listed under it.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict

from hvac_ctl.config.errors import ConfigIssue, issue_at
from hvac_ctl.config.source import Source
from hvac_ctl.model import Venue

UNKNOWN_ZONE = re.compile(r"^unknown zone '([^']+)'")
NO_SETTINGS = re.compile(r"^zone '([^']+)' has no settings in season")


def _orphan(i: ConfigIssue, zone: str) -> bool:
    """An error about `zone` that only says nothing refers to it by its (misspelt) name."""
    m = NO_SETTINGS.match(i.message)
    return (m is not None and m.group(1) == zone) or (
        i.key == f"zones.{zone}" and i.message == "no unit serves this zone")


def _unit_zone_typos(issues: list[ConfigIssue], venue: Venue) -> list[ConfigIssue]:
    """A unit's misspelt zone: every season's list of it is 'not its zone', the zone it meant
    has no unit; all of it follows from the one key."""
    out = list(issues)
    for i in issues:
        m = UNKNOWN_ZONE.match(i.message)
        if m is None or not (i.key.startswith("units.") and i.key.endswith(".zone")):
            continue
        unit, name = i.key[len("units."):-len(".zone")], m.group(1)
        close = difflib.get_close_matches(name, list(venue.zones), n=1, cutoff=0.6)
        follow = [d for d in out if d.message.startswith(f"unit '{unit}' serves zone '{name}',")
                  or (close and d.key == f"zones.{close[0]}"
                      and d.message == "no unit serves this zone")]
        if not follow:
            continue
        hint = f" — did you mean '{close[0]}'?" if close else ""
        root = ConfigIssue(i.file, i.line, i.key,
                           f"{i.message}{hint} (the {len(follow)} errors below follow from it)",
                           tuple(follow))
        out = [d for d in out if d is not i and d not in follow] + [root]
    return out


def group_zone_typos(issues: list[ConfigIssue], venue: Venue | None,
                     zones: Source | None) -> list[ConfigIssue]:
    """`issues` with each misspelt zone name made one error, its consequences under it."""
    if venue is None or zones is None:
        return issues
    refs: dict[str, list[ConfigIssue]] = defaultdict(list)
    for i in issues:
        m = UNKNOWN_ZONE.match(i.message)
        if m:
            refs[m.group(1)].append(i)
    out = list(issues)
    for name, named in refs.items():
        close = difflib.get_close_matches(name, list(venue.zones), n=2, cutoff=0.75)
        if len(named) < 2 or len(close) != 1:
            continue  # one reference misspelt, or no one zone it could be: each says so itself
        zone = close[0]
        orphans = [i for i in out if _orphan(i, zone)]
        follow = [*named, *orphans]
        where = sorted({i.file.rsplit("/", 1)[-1] for i in named})
        root = issue_at(zones, ("zones", zone),
                        f"zone '{zone}' is called '{name}' in {len(named)} other places "
                        f"({', '.join(where)}): is its name here misspelt? Rename it "
                        f"'{name}', or correct those; the {len(follow)} errors below follow "
                        "from it")
        out = [i for i in out if i not in follow]
        out.append(ConfigIssue(root.file, root.line, root.key, root.message, tuple(follow)))
    return _unit_zone_typos(out, venue)
