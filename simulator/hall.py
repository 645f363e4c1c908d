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

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.building import RHO_AIR, RHO_CP, ZoneSpec
from simulator.psychro import H_FG

CACHED_PROPAGATORS = 256
TAYLOR_TERMS = 12  # of Σ X^k/(k+2)! with ‖X‖₁ ≤ 1/2: the rest is below 1e-16 of it
_INV_FACTORIAL = tuple(1.0 / math.factorial(k) for k in range(TAYLOR_TERMS + 3))


def propagators(a: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Φ = e^(A·h), G₁ = ∫₀ʰ e^(A·s) ds and G₂ = ∫₀ʰ∫₀ˢ e^(A·r) dr ds: the blocks of Van
    Loan's exponential of [[A, I, 0], [0, 0, I], [0, 0, 0]]·h, so that over a step with
    constant b, x(h) = Φ·x(0) + G₁·b and ∫₀ʰ x = G₁·x(0) + G₂·b.

    Scaling and squaring on A alone: with τ = h/2^s and ‖A·τ‖₁ ≤ 1/2, a Taylor series gives
    the three over τ, and s doublings take them to h: Φ(2τ) = Φ², G₁(2τ) = G₁ + Φ·G₁,
    G₂(2τ) = G₂ + Φ·G₂ + τ·G₁. Only small matrix products: scipy's `expm` of the block matrix
    scales by its identity blocks (by h, not by the dynamics), which costs it accuracy on a
    long step (1e-8 relative over a day, against 1e-14 here, both checked at 50 digits), and
    its LAPACK calls stall for milliseconds while other processes keep the cores busy.
    """
    n = a.shape[0]
    norm = float(np.abs(a).sum(axis=0).max()) * h
    s = math.ceil(math.log2(norm / 0.5)) if norm > 0.5 else 0
    tau = h / 2.0 ** s
    x = a * tau
    # S₂ = Σ X^k/(k+2)! by Horner; then S₁ = I + X·S₂ and Φ = I + X·S₁. Each "+ I/k!" adds
    # a kept diagonal matrix (its zeros change no entry): one numpy call where adding to the
    # diagonal in place took three, the same sums
    eye = _scaled_identities(n)
    s2 = eye[TAYLOR_TERMS + 2]
    for k in range(TAYLOR_TERMS - 1, -1, -1):
        s2 = x @ s2 + eye[k + 2]
    s1 = x @ s2 + eye[1]
    phi = x @ s1 + eye[0]
    g1, g2 = s1 * tau, s2 * (tau * tau)
    for _ in range(s):
        g2 = g2 + phi @ g2 + tau * g1
        g1 = g1 + phi @ g1
        phi = phi @ phi
        tau *= 2.0
    return phi, g1, g2


_IDENTITIES: dict[int, tuple[np.ndarray, ...]] = {}


def _scaled_identities(n: int) -> tuple[np.ndarray, ...]:
    """I/k! of size n for k = 0 … TAYLOR_TERMS + 2, made once per size (read only)."""
    hit = _IDENTITIES.get(n)
    if hit is None:
        hit = _IDENTITIES[n] = tuple(np.eye(n) * f for f in _INV_FACTORIAL)
        for m in hit:
            m.flags.writeable = False
    return hit


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

    @property
    def imbalance(self) -> float:
        return self.stored - (self.gains + self.supply + self.outdoor + self.neighbours
                              + self.surroundings)


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
        for name, z in zones.items():
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
        self._cache: dict[tuple[float, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._coupling_matrix = self._coupling()
        self._rows = self._zone_rows()
        self._diagonal_of: tuple[tuple[float, ...], list[float]] = ((), [])  # see `_system`
        # the last diagonal list `_propagators` was given, its step and its answer
        self._last_propagators: tuple[list[float] | None, float, Any] = (None, 0.0, None)
        self._keeps_ledger = ledger
        self._ledger_rows = self._account_rows() if ledger else []
        self._capacity = np.ones(n)
        for name, z in zones.items():
            i = self.index[name]
            self._capacity[i["t"]] = z.fast_capacitance_j_per_k
            if "m" in i:
                self._capacity[i["m"]] = z.mass_capacitance_j_per_k

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
        diagonal, b_list = self._system(inputs, outdoor_c, outdoor_w, outdoor_co2)
        phi, g1, g2 = self._propagators(diagonal, h)
        b = np.array(b_list)
        x0 = self.x
        x1 = phi @ x0 + g1 @ b
        x1_list = x1.tolist()
        if self._keeps_ledger:
            integral = g1 @ x0 + g2 @ b
            self._account(h, inputs, outdoor_c, self._x, x1_list, integral.tolist())
        self.x, self._x = x1, x1_list

    def _system(self, inputs: dict[str, ZoneInputs], out_c: float, out_w: float,
                out_co2: float) -> tuple[list[float], list[float]]:
        """x' = A·x + b, rows in units of state per second: temperatures K/s, moisture 1/s,
        CO2 ppm/s. A's off-diagonal (node and zone couplings) never changes: `_coupling` holds
        it, and this gives A's diagonal and b, each entry summed in a fixed order. The zones'
        constants come from `_rows`, worked out once; each term is the same expression as
        ever, so every step's sums are the same to the last bit.

        The diagonal depends on the inputs only through the airflows (each stream's flow and
        outdoor share, each zone's outdoor exchange), which change when a command does, not
        from one minute to the next: it is worked out again only when they differ from the
        last step's (the list is shared: not to be changed)."""
        b = [0.0] * self.n
        flows: list[float] = []  # per zone: its number of streams, its exchange, their flows
        for name, t, m, w, c, cf, vol, cm, _fm, _ms, ms_sc, _exchange in self._rows:
            u = inputs.get(name) or _NO_INPUTS
            # air node
            b[t] += u.fast_w / cf
            if m >= 0:
                b[m] += (u.mass_w + ms_sc) / cm
            else:
                b[t] += (u.mass_w + ms_sc) / cf
            q = u.outdoor_exchange_m3_per_s
            flows += (len(u.streams), q)
            for st in u.streams:
                flow, share = st.flow_m3_per_s, st.outdoor_fraction
                flows += (flow, share)
                b[t] += RHO_CP * flow * st.temp_c / cf
                b[w] += flow * st.w / vol
                b[c] += share * flow * out_co2 / vol
            b[t] += RHO_CP * q * out_c / cf
            b[w] += q * out_w / vol
            b[c] += q * out_co2 / vol
            b[w] += u.latent_w / H_FG / (RHO_AIR * vol)
            b[c] += u.co2_m3_per_s * 1e6 / vol
        key = tuple(flows)
        if key != self._diagonal_of[0]:
            self._diagonal_of = (key, self._diagonal(inputs))
        return self._diagonal_of[1], b

    def _diagonal(self, inputs: dict[str, ZoneInputs]) -> list[float]:
        """A's diagonal for these inputs' airflows (see `_system`)."""
        a = [0.0] * self.n
        for name, t, m, w, c, cf, vol, cm, fm, ms, _ms_sc, exchange in self._rows:
            u = inputs.get(name) or _NO_INPUTS
            if m >= 0:
                a[t] -= fm / cf
                a[m] -= (fm + ms) / cm
            else:
                a[t] -= ms / cf
            for st in u.streams:
                flow = st.flow_m3_per_s
                a[t] -= RHO_CP * flow / cf
                a[w] -= flow / vol
                a[c] -= st.outdoor_fraction * flow / vol
            q = u.outdoor_exchange_m3_per_s
            a[t] -= RHO_CP * q / cf
            a[w] -= q / vol
            a[c] -= q / vol
            # air exchanged with a neighbouring zone (the pit and the stalls)
            for rt, rw, rc, itself, heat, air in exchange:
                a[rt] -= heat
                if itself:  # a zone that names itself: off the diagonal, but on it
                    a[rt] += heat
                a[rw] -= air
                if itself:
                    a[rw] += air
                a[rc] -= air
                if itself:
                    a[rc] += air
        return a

    def _zone_rows(self) -> list[tuple[Any, ...]]:
        """Per zone, what `_system` needs of it, in the zones' order: its name, the indices of
        its nodes (-1: no mass node), its capacitances, volume and couplings, and the terms of
        the air it exchanges with a neighbour (for the rows of both), as `_system` has always
        computed them."""
        rows = []
        for name, z in self.zones.items():
            i = self.index[name]
            exchange = []
            if z.exchange_with is not None and z.exchange_m3_per_s > 0:
                j = self.index[z.exchange_with]
                other = self.zones[z.exchange_with]
                qx = z.exchange_m3_per_s
                for row_zone, row, col, cap in ((z, i, j, z.fast_capacitance_j_per_k),
                                                (other, j, i, other.fast_capacitance_j_per_k)):
                    exchange.append((row["t"], row["w"], row["c"], col is row,
                                     RHO_CP * qx / cap, qx / row_zone.volume_m3))
            ms = z.mass_surroundings_w_per_k
            rows.append((name, i["t"], i.get("m", -1), i["w"], i["c"],
                         z.fast_capacitance_j_per_k, z.volume_m3, z.mass_capacitance_j_per_k,
                         z.fast_mass_w_per_k, ms, ms * self.surroundings_c, tuple(exchange)))
        return rows

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
                        continue  # on the diagonal: `_system`'s
                    a[row["t"], col["t"]] += RHO_CP * qx / row_zone.fast_capacitance_j_per_k
                    for k in ("w", "c"):
                        a[row[k], col[k]] += qx / row_zone.volume_m3
        return a

    def _propagators(self, diagonal: list[float], h: float
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`propagators` of A with this diagonal; the last 256 are kept (the least recently
        used go first). `_system` hands out the same list while the airflows stay the same:
        that list again, at the same step, is the last answer (without hashing the key)."""
        last = self._last_propagators
        if diagonal is last[0] and h == last[1]:  # the very diagonal of the last step
            return last[2]
        key = (*diagonal, h)
        cache = self._cache
        hit = cache.pop(key, None)
        if hit is not None:
            cache[key] = hit
            self._last_propagators = (diagonal, h, hit)
            return hit
        a = self._coupling_matrix.copy()
        np.fill_diagonal(a, diagonal)
        out = propagators(a, h)
        if len(cache) >= CACHED_PROPAGATORS:
            del cache[next(iter(cache))]
        cache[key] = out
        self._last_propagators = (diagonal, h, out)
        return out

    def _account(self, h: float, inputs: dict[str, ZoneInputs], out_c: float,
                 x0: list[float], x1: list[float], integral: list[float]) -> None:
        surroundings_h = self.surroundings_c * h
        for name, led, t, m, cf, cm, ms, neighbour in self._ledger_rows:
            u = inputs.get(name) or _NO_INPUTS
            t_int = integral[t]
            led.gains += (u.fast_w + u.mass_w) * h
            led.supply += sum(RHO_CP * s.flow_m3_per_s * (s.temp_c * h - t_int)
                              for s in u.streams)
            led.outdoor += RHO_CP * u.outdoor_exchange_m3_per_s * (out_c * h - t_int)
            coupled = integral[m] if m >= 0 else t_int
            led.surroundings += ms * (surroundings_h - coupled)
            if neighbour is not None:
                j, other, heat = neighbour
                flow = heat * (integral[j] - t_int)
                led.neighbours += flow
                other.neighbours -= flow
            stored = cf * (x1[t] - x0[t])
            if m >= 0:
                stored += cm * (x1[m] - x0[m])
            led.stored += stored

    def _account_rows(self) -> list[tuple[Any, ...]]:
        """Per zone, what `_account` needs of it, in the zones' order: its name and ledger,
        its nodes (-1: no mass node), capacitances and coupling to the surroundings, and the
        neighbour it exchanges air with (its air node, its ledger, ρ·cp·flow) or None."""
        rows = []
        for name, z in self.zones.items():
            i = self.index[name]
            neighbour = None
            if z.exchange_with is not None and z.exchange_m3_per_s > 0:
                neighbour = (self.index[z.exchange_with]["t"], self.ledger[z.exchange_with],
                             RHO_CP * z.exchange_m3_per_s)
            rows.append((name, self.ledger[name], i["t"], i.get("m", -1),
                         z.fast_capacitance_j_per_k, z.mass_capacitance_j_per_k,
                         z.mass_surroundings_w_per_k, neighbour))
        return rows


_NO_INPUTS = ZoneInputs()
