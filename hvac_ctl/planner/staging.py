"""How many of a public group's AHUs run, and which: staged by load, rotated by run hours.

Inputs: the group's AHUs (in `zones.yaml` order), how many the phase and load ask for, the
units that ran at the last plan, and each unit's run hours. Output: the running units.

- The count: the phase's (`staging.idle | open | crowd`: more when the audiences gather),
  one more while a zone of the group is outside its band (the load is more than the staged
  units carry), never more than the group has. A closed area runs none unless its band is
  lost (then at least one).
- Lead/lag by run hours, as a plant rotates its chillers: the units that ran keep running
  while the count holds (a unit is not swapped for another mid-afternoon because their hours
  crossed); a stage up starts the stopped unit with the fewest hours, a stage down stops the
  running unit with the most. Over weeks the hours even out. Ties go by `zones.yaml` order,
  so a preview, which knows no hours, always leads with the first units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def count(phase_count: int, band_lost: bool, available: int) -> int:
    wanted = phase_count + (1 if band_lost else 0)
    if band_lost:
        wanted = max(wanted, 1)
    return min(wanted, available)


def stage(ahus: Sequence[str], n: int, running: Sequence[str],
          run_hours: Mapping[str, float]) -> tuple[str, ...]:
    """`n` of `ahus`: the running ones kept while they may be, then by fewest run hours."""
    order = {u: i for i, u in enumerate(ahus)}

    def hours(u: str) -> tuple[float, int]:
        return run_hours.get(u, 0.0), order[u]

    kept = sorted((u for u in dict.fromkeys(running) if u in order), key=hours)[:n]
    rest = sorted((u for u in ahus if u not in kept), key=hours)
    chosen = set(kept) | set(rest[:n - len(kept)])
    return tuple(u for u in ahus if u in chosen)


def spread(by_zone: Mapping[str, Sequence[str]], n: int, running: Sequence[str],
           run_hours: Mapping[str, float]) -> tuple[str, ...]:
    """`n` units over a group's zones, one to each zone before a second to any (a lobby and
    the hall beside it both need air), then lead/lag within each zone."""
    quota = dict.fromkeys(by_zone, 0)
    left = n
    while left > 0:
        grew = False
        for zone, ahus in by_zone.items():
            if left > 0 and quota[zone] < len(ahus):
                quota[zone] += 1
                left -= 1
                grew = True
        if not grew:
            break
    return tuple(u for zone, ahus in by_zone.items()
                 for u in stage(ahus, quota[zone], running, run_hours))
