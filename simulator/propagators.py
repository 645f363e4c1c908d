"""The exact propagators of a linear system over a step with constant inputs.

`propagators` gives Van Loan's blocks for `Hall` (simulator/hall.py): Φ, G₁ and G₂ of A over
a step, from which the state at the step's end and its integral over the step follow exactly.
"""

from __future__ import annotations

import math

import numpy as np

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
