"""Exact conditional randomisation tails for window sums (the limit of infinite permutations).

Conditional randomisation (Anselin 1995; esda's ``crand``) keeps unit ``i``'s own value
and puts ``k_i`` values drawn **without replacement** from the other ``n - 1`` units in
its ``k_i`` neighbour slots. With weights that are equal within a row (binary or
row-standardised, the library's built-in rules), Gi* and local Moran's I are monotone in
the plain sum ``S_i`` of those draws, so the permutation p-value is a tail probability
of ``S_i`` -- which can be computed exactly instead of being estimated from ``R``
random permutations:

1. The values are put on an integer lattice ``u = (y - min y) / step`` (``step = 1`` for
   integer counts, so nothing is rounded, while sums of ``k_max`` values fit in
   ``MAX_LATTICE`` points; other values are rounded to ``ROUNDING_STEPS`` equal steps
   over their range, and the test is then exact for the rounded values).
2. The distribution of the sum of ``m`` draws without replacement from all ``n``
   values is the coefficient of ``t^m`` in ``prod_j (1 + t x^{u_j})`` divided by
   ``C(n, m)``: in the Fourier domain (``x = exp(-2 pi i f / L)``) these are elementary
   symmetric polynomials, found from the power sums ``sum_j x^{a u_j}`` (a gather of one
   FFT) by Newton's identities, normalised so every term stays bounded.
3. Removing unit ``i`` divides by ``(1 + t x^{u_i})``, so the tail of ``S_i`` is a short
   alternating sum of shifted full-population tails:
   ``P(S_i >= s) = sum_j (-1)^j C(n, k-j) / C(n-1, k) * G_{k-j}(s - j u_i)``,
   whose terms fall like ``(k / n)^j``.

The p-values are deterministic (no seed, no Monte Carlo floor), exact up to
floating-point error of about 1e-12, and cost ``O(L log L * k_max + n k_max)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import fft
from scipy.special import gammaln

MAX_LATTICE = 2**18
ROUNDING_STEPS = 4096
_NEGLIGIBLE = 1e-17


@dataclass(frozen=True)
class Lattice:
    """Values on an integer lattice: ``y ≈ origin + step * u``."""

    u: np.ndarray
    step: float
    exact: bool


def to_lattice(y: np.ndarray, k_max: int, max_lattice: int = MAX_LATTICE) -> Lattice:
    """Integer lattice for ``y`` such that sums of ``k_max`` values fit in ``max_lattice``.

    Integer values spanning at most ``(max_lattice - 1) // k_max`` are used as they
    are (``exact=True``); otherwise ``y`` is rounded to ``ROUNDING_STEPS`` (or, for
    large ``k_max``, ``(max_lattice - 1) // k_max``) equal steps over its range.
    """
    y = np.asarray(y, dtype=float)
    lo = float(y.min())
    span = float(y.max()) - lo
    max_u = max(1, (max_lattice - 1) // max(k_max, 1))
    shifted = y - lo
    if np.array_equal(shifted, np.rint(shifted)) and span <= max_u:
        return Lattice(shifted.astype(np.int64), 1.0, True)
    steps = min(max_u, ROUNDING_STEPS)
    step = span / steps if span > 0 else 1.0
    return Lattice(np.rint(shifted / step).astype(np.int64), step, False)


def _log_comb(n: float, k: np.ndarray | float) -> np.ndarray:
    k = np.asarray(k, dtype=float)
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def _sum_pmfs(u: np.ndarray, needed: set[int], size: int) -> dict[int, np.ndarray]:
    """Return the pmfs of sums of ``m`` draws without replacement from ``u`` (m in needed)."""
    n = len(u)
    spectrum = fft.rfft(np.bincount(u, minlength=size).astype(float), size)
    half = np.arange(len(spectrum))
    m_max = max(needed)

    def power_sum(a: int) -> np.ndarray:
        idx = (a * half) % size
        upper = idx > size // 2
        out = spectrum[np.where(upper, size - idx, idx)]
        return np.where(upper, np.conj(out), out)

    power_sums: dict[int, np.ndarray] = {}
    h: list[np.ndarray] = [np.ones(len(spectrum), dtype=complex)]
    pmfs: dict[int, np.ndarray] = {}
    if 0 in needed:
        pmfs[0] = fft.irfft(h[0], size)
    for m in range(1, m_max + 1):
        acc = np.zeros(len(spectrum), dtype=complex)
        for a in range(1, m + 1):
            # h_m = (1/m) sum_a (-1)^(a-1) C(n, m-a)/C(n, m) p_a h_{m-a};  |p_a| <= n
            log_r = _log_comb(n, m - a) - _log_comb(n, m)
            if np.log(n / m) + log_r < np.log(_NEGLIGIBLE):
                break
            if a not in power_sums:
                power_sums[a] = power_sum(a)
            acc += (-1) ** (a - 1) * np.exp(log_r) * power_sums[a] * h[m - a]
        h.append(acc / m)
        if m in needed:
            pmfs[m] = fft.irfft(h[m], size)
    return pmfs


def window_sum_tails(
    u: np.ndarray, k: np.ndarray, s: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``P(S_i >= s_i)`` and ``P(S_i <= s_i)`` under conditional randomisation.

    Parameters
    ----------
    u
        Non-negative integer (lattice) values per unit, length ``n``.
    k
        Number of neighbours of each unit (``k_i < n``).
    s
        Observed sum of the neighbours' lattice values of each unit.

    Returns
    -------
    tuple of numpy.ndarray
        ``(p_ge, p_le)``, each of length ``n`` and clipped to [0, 1]. ``S_i`` is the
        sum of ``k_i`` values drawn without replacement from ``u`` with unit ``i``
        removed. Units without neighbours get ``(1, 1)``.

    Examples
    --------
    >>> u = np.array([0, 0, 1, 3]); k = np.array([2, 2, 2, 2]); s = np.array([4, 1, 3, 0])
    >>> ge, le = window_sum_tails(u, k, s)
    >>> ge.round(4).tolist()  # unit 0: of the pairs from {0, 1, 3} only 1 + 3 reaches 4
    [0.3333, 1.0, 0.6667, 1.0]
    """
    u = np.asarray(u, dtype=np.int64)
    k = np.asarray(k, dtype=np.int64)
    s = np.asarray(s, dtype=np.int64)
    n = len(u)
    p_ge = np.ones(n)
    p_le = np.ones(n)
    ks = [int(kk) for kk in np.unique(k) if kk > 0]
    if not ks:
        return p_ge, p_le
    terms = {kk: _exclusion_terms(n, kk) for kk in ks}
    needed = {kk - j for kk in ks for j in range(len(terms[kk]))}
    size = fft.next_fast_len(int(max(ks)) * int(u.max()) + 2, real=True)
    pmfs = _sum_pmfs(u, needed, size)
    upper = {m: np.cumsum(p[::-1])[::-1] for m, p in pmfs.items()}  # P(S >= x)
    lower = {m: np.cumsum(p) for m, p in pmfs.items()}  # P(S <= x)
    for kk in ks:
        units = np.flatnonzero(k == kk)
        ge = np.zeros(len(units))
        le = np.zeros(len(units))
        for j, coef in enumerate(terms[kk]):
            t = s[units] - j * u[units]
            ge += coef * _gather(upper[kk - j], t, below=1.0, above=0.0)
            le += coef * _gather(lower[kk - j], t, below=0.0, above=1.0)
        p_ge[units] = ge
        p_le[units] = le
    return np.clip(p_ge, 0.0, 1.0), np.clip(p_le, 0.0, 1.0)


def _exclusion_terms(n: int, k: int) -> list[float]:
    """``(-1)^j C(n, k-j) / C(n-1, k)`` for ``j = 0, 1, ...`` until negligible."""
    out = []
    for j in range(k + 1):
        coef = np.exp(_log_comb(n, k - j) - _log_comb(n - 1, k))
        if j and coef < _NEGLIGIBLE:
            break
        out.append(float((-1) ** j * coef))
    return out


def _gather(table: np.ndarray, t: np.ndarray, *, below: float, above: float) -> np.ndarray:
    inside = (t >= 0) & (t < len(table))
    out = np.where(t < 0, below, above).astype(float)
    out[inside] = table[t[inside]]
    return out
