"""The hall's physics: per zone a two-node thermal model, a moisture and a CO2 balance.

Within a step every input (gains, airflows, supply conditions, weather) is held constant, and
the system is linear in its state, x' = A·x + b. It is integrated exactly with the matrix
exponential, so any step is stable and a constant-input step is exact. Van Loan's block
exponential also gives the exact integral of the state over the step, from which every heat
flow is accounted: the energy balance closes to rounding, whatever the step. (`propagators`
computes those blocks.)

State per zone: air node temperature (air, seats, finishes), mass node temperature
(structure; absent in a one-node zone), humidity ratio, CO2 in ppm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.building import RHO_AIR, RHO_CP, ZoneSpec
from simulator.propagators import propagators
from simulator.psychro import H_FG

CACHED_PROPAGATORS = 256
LATENT_TO_WATER = 1.0 / (H_FG * RHO_AIR)  # W of latent heat → m³/s·(kg/kg) of moisture

# What a zone takes in over a step, as `Hall.step_sums` reads it: fast_w, mass_w, latent_w,
# co2_m3_per_s (as `ZoneInputs`), then its streams summed: Σ flow (m³/s), Σ flow·temp_c,
# Σ flow·w and Σ flow·outdoor_fraction, then its outdoor exchange (m³/s). The hall is linear
# in the streams: these sums are all it needs of them.
ZoneSums = tuple[float, float, float, float, float, float, float, float, float]


@dataclass
class Stream:
    """Air entering a zone at a fixed temperature and moisture, and leaving at the zone's.

    `outdoor_fraction` of it is outdoor air, as far as CO2 goes; the rest is the zone's own.
    """

    flow_m3_per_s: float
    temp_c: float
    w: float
    outdoor_fraction: float


@dataclass
class ZoneInputs:
    """A zone's inputs over a step, each stream on its own (`Hall.sums` adds them up)."""

    fast_w: float = 0.0  # heat to the air node
    mass_w: float = 0.0  # heat to the mass node (to the air node in a one-node zone)
    latent_w: float = 0.0
    co2_m3_per_s: float = 0.0
    streams: list[Stream] = field(default_factory=list)
    outdoor_exchange_m3_per_s: float = 0.0  # door, exhaust make-up: outdoor air in, zone air out


@dataclass
class Ledger:
    """Heat into a zone over time, J, by path; `stored` is the change of its sensible heat."""

    gains: float = 0.0
    supply: float = 0.0
    outdoor: float = 0.0
    neighbours: float = 0.0
    surroundings: float = 0.0
    stored: float = 0.0
    envelope: float = 0.0  # an exposed zone's glass and ground (`simulator.exposure`)

    @property
    def imbalance(self) -> float:
        return self.stored - (self.gains + self.supply + self.outdoor + self.neighbours
                              + self.surroundings + self.envelope)


class Hall:
    """The zones' state and its exact steps.

    `ledger=False` keeps no heat ledger: a step then neither integrates the state over the
    step nor books the heat flows, which costs a season's evaluation a tenth of its stepping
    and which nothing there reads; the state moves by the same arithmetic either way (the
    energy-balance tests keep the ledger)."""

    def __init__(self, zones: dict[str, ZoneSpec], surroundings_c: float,
                 ledger: bool = True) -> None:
        self.zones = zones
        self.surroundings_c = surroundings_c
        self.index: dict[str, dict[str, int]] = {}
        n = 0
        for name, z in zones.items():  # each zone's nodes together, in this order
            idx = {"t": n}
            n += 1
            if z.has_mass:
                idx["m"] = n
                n += 1
            idx["w"], idx["c"] = n, n + 1
            n += 2
            self.index[name] = idx
        self.n = n
        self.x = np.zeros(n)
        self._x = [0.0] * n  # x as Python floats, read by every sensor and every step
        self.ledger = {name: Ledger() for name in zones} if ledger else {}  # {}: none kept
        self._cache: dict[tuple[float, ...], tuple[np.ndarray, np.ndarray | None]] = {}
        self._coupling_matrix = self._coupling()
        self._rows = self._zone_rows()
        self._keeps_ledger = ledger
        # the airflows and step of the last step, and its `_propagators`
        self._last: tuple[list[float], float, tuple[np.ndarray, np.ndarray | None]] | None = None
        self._ledger_rows = self._account_rows() if ledger else []
        # per exposed zone: its air node, the node its ground couples to (the mass node, else
        # the air node), the glass's and the ground's W/K, and those nodes' capacitances
        self._envelope: list[tuple[int, int, float, float, float, float]] = []
        for name, z in zones.items():
            if z.exposure is not None and z.exposed:
                i = self.index[name]
                g = i.get("m", i["t"])
                cg = z.mass_capacitance_j_per_k if "m" in i else z.fast_capacitance_j_per_k
                self._envelope.append((i["t"], g, z.exposure.glass_w_per_k,
                                       z.exposure.ground_w_per_k, z.fast_capacitance_j_per_k,
                                       cg))
        self._envelope_ledgers = [self.ledger[name] for name, z in zones.items()
                                  if z.exposure is not None and z.exposed] if ledger else []
        self._capacity = np.ones(n)  # J/K of each temperature node, m³ of each other node
        for name, z in zones.items():
            i = self.index[name]
            self._capacity[i["t"]] = z.fast_capacitance_j_per_k
            if "m" in i:
                self._capacity[i["m"]] = z.mass_capacitance_j_per_k
            self._capacity[i["w"]] = self._capacity[i["c"]] = z.volume_m3

    def set_state(self, zone: str, temp_c: float, w: float, co2_ppm: float,
                  mass_c: float | None = None) -> None:
        i = self.index[zone]
        self.x[i["t"]] = temp_c
        if "m" in i:
            self.x[i["m"]] = temp_c if mass_c is None else mass_c
        self.x[i["w"]] = w
        self.x[i["c"]] = co2_ppm
        self._x = self.x.tolist()

    def temp(self, zone: str) -> float:
        return self._x[self.index[zone]["t"]]

    def mass_temp(self, zone: str) -> float:
        i = self.index[zone]
        return float(self.x[i.get("m", i["t"])])

    def w(self, zone: str) -> float:
        return self._x[self.index[zone]["w"]]

    def co2(self, zone: str) -> float:
        return self._x[self.index[zone]["c"]]

    def sensible_heat(self, zone: str) -> float:
        i = self.index[zone]
        heat = self.zones[zone].fast_capacitance_j_per_k * self.x[i["t"]]
        if "m" in i:
            heat += self.zones[zone].mass_capacitance_j_per_k * self.x[i["m"]]
        return float(heat)

    # --- one step ---------------------------------------------------------------------------

    def step(self, h: float, inputs: dict[str, ZoneInputs], outdoor_c: float, outdoor_w: float,
             outdoor_co2: float) -> None:
        self.step_sums(h, self.sums(inputs), outdoor_c, outdoor_w, outdoor_co2)

    def sums(self, inputs: dict[str, ZoneInputs]) -> list[ZoneSums]:
        """The zones' `ZoneSums`, in the zones' order (a zone not in `inputs` takes none)."""
        out = []
        for name in self.zones:
            u = inputs.get(name) or _NO_INPUTS
            flow = flow_temp = flow_w = outdoor = 0.0
            for st in u.streams:
                f = st.flow_m3_per_s
                flow += f
                flow_temp += f * st.temp_c
                flow_w += f * st.w
                outdoor += f * st.outdoor_fraction
            out.append((u.fast_w, u.mass_w, u.latent_w, u.co2_m3_per_s, flow, flow_temp,
                        flow_w, outdoor, u.outdoor_exchange_m3_per_s))
        return out

    def step_sums(self, h: float, sums: list[ZoneSums], out_c: float, out_w: float,
                  out_co2: float, ground_c: float = 0.0) -> None:
        """One exact step of `h` seconds with these inputs (`ZoneSums`, in the zones' order).

        x' = A·x + b with b = r/capacity, r in W for the temperature nodes and in m³/s times
        the moisture or the CO2 for the others. So x(h) = Φ·x(0) + G₁·b = [Φ | G₁/capacity]·
        [x(0); r]: one product with a matrix kept with the propagators. A's off-diagonal
        (node and zone couplings) never changes; its diagonal depends on the inputs only
        through the airflows (Σ flow, Σ outdoor flow, the exchange per zone), which change
        when a command does, not from one minute to the next: the matrices are looked up
        again only when they differ from the last step's. An exposed zone's glass couples its
        air node to `out_c`, its ground its mass node to `ground_c` (the lake's water)."""
        v = self._x.copy()  # [x(0); r]
        flows: list[float] = []
        for (fast, mass, latent, co2, flow, flow_temp, flow_w, outdoor, q), (has_mass, ms_sc) \
                in zip(sums, self._rows, strict=True):
            heat = fast + RHO_CP * (flow_temp + q * out_c)
            water = flow_w + q * out_w + latent * LATENT_TO_WATER
            air = (outdoor + q) * out_co2 + co2 * 1e6
            if has_mass:
                v += (heat, mass + ms_sc, water, air)
            else:
                v += (heat + mass + ms_sc, water, air)
            flows += (flow, outdoor, q)
        if self._envelope:
            n = self.n
            for t, g, glass, ground, _, _ in self._envelope:
                v[n + t] += glass * out_c
                v[n + g] += ground * ground_c
        last = self._last
        if last is not None and h == last[1] and flows == last[0]:
            step, integrate = last[2]
        else:
            step, integrate = self._propagators(flows, h)
            self._last = (flows, h, (step, integrate))
        # `fromiter` and `dot`: for these sizes a third of the time of `array` and `@`
        at = np.fromiter(v, float, len(v))
        x1 = step.dot(at)
        x1_list = x1.tolist()
        if integrate is not None:
            self._account(h, sums, out_c, self._x, x1_list, integrate.dot(at).tolist(),
                          ground_c)
        self.x, self._x = x1, x1_list

    def matrix(self, inputs: dict[str, ZoneInputs]) -> np.ndarray:
        """A for these inputs."""
        flows = [f for s in self.sums(inputs) for f in (s[4], s[7], s[8])]
        a = self._coupling_matrix.copy()
        np.fill_diagonal(a, self._diagonal(flows))
        return a

    def _diagonal(self, flows: list[float]) -> list[float]:
        """A's diagonal for these airflows (Σ flow, Σ outdoor flow, exchange per zone)."""
        a = [0.0] * self.n
        for k, z in enumerate(self.zones.values()):
            flow, outdoor, q = flows[3 * k:3 * k + 3]
            i = self.index[z.name]
            t, w, c = i["t"], i["w"], i["c"]
            cf, vol = z.fast_capacitance_j_per_k, z.volume_m3
            if "m" in i:
                a[t] -= z.fast_mass_w_per_k / cf
                a[i["m"]] -= (z.fast_mass_w_per_k + z.mass_surroundings_w_per_k) \
                    / z.mass_capacitance_j_per_k
            else:
                a[t] -= z.mass_surroundings_w_per_k / cf
            a[t] -= RHO_CP * (flow + q) / cf
            a[w] -= (flow + q) / vol
            a[c] -= (outdoor + q) / vol
            # air exchanged with a neighbouring zone (the pit and the stalls)
            if z.exchange_with is not None and z.exchange_m3_per_s > 0:
                j = self.index[z.exchange_with]
                other = self.zones[z.exchange_with]
                qx = z.exchange_m3_per_s
                for row_zone, row, col in ((z, i, j), (other, j, i)):
                    if col is row:
                        continue  # a zone that names itself: off the diagonal, but on it
                    a[row["t"]] -= RHO_CP * qx / row_zone.fast_capacitance_j_per_k
                    a[row["w"]] -= qx / row_zone.volume_m3
                    a[row["c"]] -= qx / row_zone.volume_m3
        for t, g, glass, ground, cf, cg in self._envelope:
            a[t] -= glass / cf
            a[g] -= ground / cg
        return a

    def _zone_rows(self) -> list[tuple[bool, float]]:
        """Per zone, in the zones' order, what `step_sums` needs of it: whether it has a mass
        node, and the heat its coupling to the surroundings would bring at 0 °C, W."""
        return [(z.has_mass, z.mass_surroundings_w_per_k * self.surroundings_c)
                for z in self.zones.values()]

    def _coupling(self) -> np.ndarray:
        """A's off-diagonal: air ↔ mass, and the air exchanged between neighbouring zones."""
        a = np.zeros((self.n, self.n))
        for name, z in self.zones.items():
            i = self.index[name]
            if "m" in i:
                t, m = i["t"], i["m"]
                a[t, m] += z.fast_mass_w_per_k / z.fast_capacitance_j_per_k
                a[m, t] += z.fast_mass_w_per_k / z.mass_capacitance_j_per_k
            if z.exchange_with is not None and z.exchange_m3_per_s > 0:
                j = self.index[z.exchange_with]
                other = self.zones[z.exchange_with]
                qx = z.exchange_m3_per_s
                for row_zone, row, col in ((z, i, j), (other, j, i)):
                    if col is row:
                        continue  # on the diagonal: `_diagonal`'s
                    a[row["t"], col["t"]] += RHO_CP * qx / row_zone.fast_capacitance_j_per_k
                    for k in ("w", "c"):
                        a[row[k], col[k]] += qx / row_zone.volume_m3
        return a

    def _propagators(self, flows: list[float], h: float
                     ) -> tuple[np.ndarray, np.ndarray | None]:
        """[Φ | G₁/capacity] and, with a ledger, [G₁ | G₂/capacity] (see `step_sums`) of A
        for these airflows over `h`; the last 256 are kept (the least recently used go
        first)."""
        key = (*flows, h)
        cache = self._cache
        hit = cache.pop(key, None)
        if hit is None:
            a = self._coupling_matrix.copy()
            np.fill_diagonal(a, self._diagonal(flows))
            phi, g1, g2 = propagators(a, h)
            hit = (np.hstack((phi, g1 / self._capacity)),
                   np.hstack((g1, g2 / self._capacity)) if self._keeps_ledger else None)
            if len(cache) >= CACHED_PROPAGATORS:
                del cache[next(iter(cache))]
        cache[key] = hit
        return hit

    def _account(self, h: float, sums: list[ZoneSums], out_c: float,
                 x0: list[float], x1: list[float], integral: list[float],
                 ground_c: float = 0.0) -> None:
        surroundings_h = self.surroundings_c * h
        for (fast, mass, _, _, flow, flow_temp, _, _, q), (led, t, m, cf, cm, ms, neighbour) \
                in zip(sums, self._ledger_rows, strict=True):
            t_int = integral[t]
            led.gains += (fast + mass) * h
            led.supply += RHO_CP * (flow_temp * h - flow * t_int)
            led.outdoor += RHO_CP * q * (out_c * h - t_int)
            coupled = integral[m] if m >= 0 else t_int
            led.surroundings += ms * (surroundings_h - coupled)
            if neighbour is not None:
                j, other, heat = neighbour
                flow_in = heat * (integral[j] - t_int)
                led.neighbours += flow_in
                other.neighbours -= flow_in
            stored = cf * (x1[t] - x0[t])
            if m >= 0:
                stored += cm * (x1[m] - x0[m])
            led.stored += stored
        for (t, g, glass, ground, _, _), led in zip(self._envelope, self._envelope_ledgers,
                                                     strict=True):
            led.envelope += glass * (out_c * h - integral[t]) + ground * (
                ground_c * h - integral[g])

    def _account_rows(self) -> list[tuple[Any, ...]]:
        """Per zone, what `_account` needs of it, in the zones' order: its ledger, its nodes
        (-1: no mass node), capacitances and coupling to the surroundings, and the neighbour
        it exchanges air with (its air node, its ledger, ρ·cp·flow) or None."""
        rows = []
        for name, z in self.zones.items():
            i = self.index[name]
            neighbour = None
            if z.exchange_with is not None and z.exchange_m3_per_s > 0:
                neighbour = (self.index[z.exchange_with]["t"], self.ledger[z.exchange_with],
                             RHO_CP * z.exchange_m3_per_s)
            rows.append((self.ledger[name], i["t"], i.get("m", -1),
                         z.fast_capacitance_j_per_k, z.mass_capacitance_j_per_k,
                         z.mass_surroundings_w_per_k, neighbour))
        return rows


_NO_INPUTS = ZoneInputs()
