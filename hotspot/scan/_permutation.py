"""Conditional permutation engine of :mod:`hotspot.scan.stats` (Gi* and local Moran's I).

Monte Carlo conditional permutations (esda's ``crand``, vectorized: one matrix of
random draws shared by all units), the exact conditional-randomisation tails that are
their limit (:mod:`hotspot.scan._exact`), the untying of units tied by construction
and the pseudo p-values. The method and its p-value definitions are described in the
notes of :mod:`hotspot.scan.stats`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from hotspot.scan._exact import to_lattice, window_sum_tails


def _sample_ids(rng: np.random.Generator, n: int, m: int, permutations: int) -> np.ndarray:
    """``(permutations, m)`` ordered samples without replacement from ``range(n)``."""
    m = min(m, n)
    if n <= 4 * m or n * permutations <= 2_000_000:
        base = np.broadcast_to(np.arange(n), (permutations, n))
        return rng.permuted(base, axis=1)[:, :m].copy()
    # Floyd's algorithm, vectorized over permutations, then a random order per row
    out = np.empty((permutations, m), dtype=np.int64)
    for c, j in enumerate(range(n - m, n)):
        t = rng.integers(0, j + 1, size=permutations)
        dup = (out[:, :c] == t[:, None]).any(axis=1) if c else np.zeros(permutations, bool)
        out[:, c] = np.where(dup, j, t)
    return rng.permuted(out, axis=1)


@dataclass(frozen=True)
class _PermCounts:
    n_ge: np.ndarray  # #{T_i >= obs_i}
    n_le: np.ndarray  # #{T_i <= obs_i}
    mean: np.ndarray  # mean of T_i over permutations
    std: np.ndarray  # std of T_i over permutations


def _row_constant(w: sparse.csr_array) -> bool:
    """Return True when every row's non-zero weights are equal (binary, row-standardized...)."""
    if w.nnz == 0:
        return True
    k = np.diff(w.indptr)
    nonempty = k > 0
    first = np.repeat(w.data[w.indptr[:-1][nonempty]], k[nonempty])
    return bool(np.allclose(w.data, first, rtol=1e-12, atol=0))


def _conditional_permutations(
    v: np.ndarray,
    w: sparse.csr_array,
    obs: np.ndarray,
    permutations: int,
    rng: np.random.Generator,
    ids: np.ndarray | None = None,
) -> _PermCounts:
    """Rank the observed lags ``obs = w @ v`` among conditional random lags.

    The random lag of unit ``i`` in permutation ``r`` is ``sum_c w_i[c] * v[s_c]``
    where ``s`` is the sequence ``ids[r]`` with ``i`` removed (the first ``k_i``
    entries are used; ``k_i`` is the number of neighbours of ``i``).
    """
    n = len(v)
    k = np.diff(w.indptr)
    max_k = int(k.max()) if n else 0
    if ids is None:
        ids = _sample_ids(rng, n, max_k + 1, permutations)
    if max_k == 0:
        zeros = np.zeros(n)
        full = np.full(n, permutations)
        return _PermCounts(full, full.copy(), zeros, zeros.copy())
    scale = np.abs(v).max() * np.maximum(k, 1) * (np.abs(w.data).max() if w.nnz else 1.0)
    tol = 1e-9 * np.maximum(scale, np.abs(obs)) + 1e-300
    vals = v[ids]  # (R, m)
    # correction entries: unit j drawn at position c < k_j of permutation r
    r_e, c_e = np.nonzero(np.arange(ids.shape[1])[None, :] < k[ids])
    j_e = ids[r_e, c_e]
    if _row_constant(w):
        return _counts_row_constant(v, w, obs, tol, k, ids, vals, r_e, c_e, j_e)
    return _counts_general(v, w, obs, tol, k, ids, vals, r_e, c_e, j_e)


def _counts_row_constant(v, w, obs, tol, k, ids, vals, r_e, c_e, j_e) -> _PermCounts:
    n, (n_perm, m) = len(v), ids.shape
    # row weight (0 for islands); T_i = c_i * U_i with U_i a sum of k_i draws
    has = k > 0
    c = np.zeros(n)
    c[has] = w.data[w.indptr[:-1][has]]
    cum = np.zeros((n_perm, m + 1))
    np.cumsum(vals, axis=1, out=cum[:, 1:])
    n_ge = np.zeros(n, dtype=np.int64)
    n_le = np.zeros(n, dtype=np.int64)
    s1 = np.zeros(n)
    s2 = np.zeros(n)
    for kk in np.unique(k):
        units = np.flatnonzero(k == kk)
        col = cum[:, kk]
        sim_sorted = np.sort(col)
        scaled_obs = obs[units]
        ci = c[units]
        if kk == 0:
            n_ge[units] = n_perm
            n_le[units] = n_perm
            continue
        u_obs = scaled_obs / ci
        u_tol = tol[units] / ci
        n_ge[units] = n_perm - np.searchsorted(sim_sorted, u_obs - u_tol, side="left")
        n_le[units] = np.searchsorted(sim_sorted, u_obs + u_tol, side="right")
        s1[units] = col.sum()
        s2[units] = (col * col).sum()
    # exact corrections where a unit was drawn among its own first k draws
    kj = k[j_e]
    old = cum[r_e, kj]
    new = old - v[j_e] + vals[r_e, kj]
    cj = c[j_e]
    u_obs = obs[j_e] / cj
    u_tol = tol[j_e] / cj
    d_ge = (new >= u_obs - u_tol).astype(np.int64) - (old >= u_obs - u_tol)
    d_le = (new <= u_obs + u_tol).astype(np.int64) - (old <= u_obs + u_tol)
    n_ge += np.bincount(j_e, weights=d_ge, minlength=n).astype(np.int64)
    n_le += np.bincount(j_e, weights=d_le, minlength=n).astype(np.int64)
    s1 += np.bincount(j_e, weights=new - old, minlength=n)
    s2 += np.bincount(j_e, weights=new * new - old * old, minlength=n)
    mean_u = s1 / n_perm
    var_u = np.maximum(s2 / n_perm - mean_u**2, 0.0)
    return _PermCounts(n_ge, n_le, c * mean_u, c * np.sqrt(var_u))


def _counts_general(v, w, obs, tol, k, ids, vals, r_e, c_e, j_e) -> _PermCounts:
    n, n_perm = len(v), ids.shape[0]
    max_k = int(k.max())
    # padded weights: wpad[i, c] is the c-th neighbour weight of unit i (CSR order)
    pos_in_row = np.arange(w.nnz) - np.repeat(w.indptr[:-1], k)
    wpad = np.zeros((n, max_k))
    wpad[np.repeat(np.arange(n), k), pos_in_row] = w.data
    # delta of the random lag for correction entries: skip position c_e
    kj = k[j_e]
    delta = np.zeros(len(j_e))
    for t in range(max_k):
        act = (t >= c_e) & (t < kj)
        if act.any():
            ra = r_e[act]
            delta[act] += wpad[j_e[act], t] * (vals[ra, t + 1] - vals[ra, t])
    n_ge = np.zeros(n, dtype=np.int64)
    n_le = np.zeros(n, dtype=np.int64)
    s1 = np.zeros(n)
    s2 = np.zeros(n)
    chunk = max(1, 4_000_000 // max(n_perm, 1))
    for kk in np.unique(k):
        units_k = np.flatnonzero(k == kk)
        if kk == 0:
            n_ge[units_k] = n_perm
            n_le[units_k] = n_perm
            continue
        for start in range(0, len(units_k), chunk):
            units = units_k[start : start + chunk]
            sims = vals[:, :kk] @ wpad[units, :kk].T  # (R, n_chunk)
            sel = np.flatnonzero(np.isin(j_e, units))
            if len(sel):
                local = np.searchsorted(units, j_e[sel])
                np.add.at(sims, (r_e[sel], local), delta[sel])
            o, t_ = obs[units], tol[units]
            n_ge[units] = (sims >= o - t_).sum(axis=0)
            n_le[units] = (sims <= o + t_).sum(axis=0)
            s1[units] = sims.sum(axis=0)
            s2[units] = (sims * sims).sum(axis=0)
    mean = s1 / n_perm
    return _PermCounts(n_ge, n_le, mean, np.sqrt(np.maximum(s2 / n_perm - mean**2, 0.0)))


def _tail_p(greater: np.ndarray, less: np.ndarray, alternative: str) -> np.ndarray:
    """p-value for ``alternative`` from the upper and lower tail probabilities."""
    if alternative == "greater":
        return greater
    if alternative == "less":
        return less
    return np.minimum(1.0, 2.0 * np.minimum(greater, less))


def _pseudo_p(n_ge: np.ndarray, n_le: np.ndarray, permutations: int, alternative: str):
    greater = (n_ge + 1.0) / (permutations + 1.0)
    less = (n_le + 1.0) / (permutations + 1.0)
    return _tail_p(greater, less, alternative)


@dataclass(frozen=True)
class _ExactTails:
    p_ge: np.ndarray  # P(random lag >= observed lag), exact
    p_le: np.ndarray  # P(random lag <= observed lag), exact
    mean: np.ndarray  # exact mean of the random lag
    std: np.ndarray  # exact standard deviation of the random lag
    lattice_step: float
    rounded: bool


def _exact_possible(w: sparse.csr_array) -> bool:
    """Return True when exact tails apply: positive weights, equal within each row.

    Neighbour counts above 64 must also be at most ``n / 2``, where the
    generating-function recurrence would lose precision.
    """
    k_max = int(np.diff(w.indptr).max(initial=0))
    n = w.shape[0]
    small = k_max < n and (k_max <= 64 or 2 * k_max <= n)
    return bool((w.data > 0).all() and _row_constant(w) and small)


def _untie(
    v: np.ndarray,
    w: sparse.csr_array,
    counts: _PermCounts,
    permutations: int,
    rng: np.random.Generator,
) -> _PermCounts:
    """Give units tied by construction independent Monte Carlo counts.

    All units share one matrix of random draws (as in esda), so units with the same
    number of neighbours, the same value and the same neighbour sum (e.g. the many
    all-zero windows of a sparse grid) get the same pseudo p-value, and the whole block
    passes or fails the correction together, depending on the seed. Their counts are
    redrawn independently: ``(#greater, #equal, #less)`` of ``permutations`` draws is
    multinomial with the exact conditional probabilities, which is what independent
    permutations per unit would give. Needs weights equal within rows.
    """
    if not _exact_possible(w):
        return counts
    k = np.diff(w.indptr)
    lattice = to_lattice(v, int(k.max(initial=0)))
    pattern = sparse.csr_array((np.ones(w.nnz, dtype=np.int64), w.indices, w.indptr), w.shape)
    sums = pattern @ lattice.u
    _, inverse, size = np.unique(
        np.column_stack([k, lattice.u, sums]), axis=0, return_inverse=True, return_counts=True
    )
    tied = np.flatnonzero((size[inverse.ravel()] > 1) & (k > 0))
    if not len(tied):
        return counts
    p_ge, p_le = window_sum_tails(lattice.u, k, sums)
    probs = np.column_stack(
        [1.0 - p_le[tied], np.maximum(p_ge[tied] + p_le[tied] - 1.0, 0.0), 1.0 - p_ge[tied]]
    )
    probs = np.clip(probs, 0.0, 1.0)
    draws = rng.multinomial(permutations, probs / probs.sum(axis=1, keepdims=True))
    n_ge, n_le = counts.n_ge.copy(), counts.n_le.copy()
    n_ge[tied] = draws[:, 0] + draws[:, 1]
    n_le[tied] = draws[:, 2] + draws[:, 1]
    return _PermCounts(n_ge, n_le, counts.mean, counts.std)


def _exact_conditional(v: np.ndarray, w: sparse.csr_array) -> _ExactTails:
    """Exact conditional-randomisation tails of the lag ``w @ v`` (see ``_exact``)."""
    n = len(v)
    k = np.diff(w.indptr)
    lattice = to_lattice(v, int(k.max(initial=0)))
    pattern = sparse.csr_array((np.ones(w.nnz, dtype=np.int64), w.indices, w.indptr), w.shape)
    p_ge, p_le = window_sum_tails(lattice.u, k, pattern @ lattice.u)
    # moments of k draws without replacement from the other n - 1 values
    c = np.zeros(n)
    has = k > 0
    c[has] = w.data[w.indptr[:-1][has]]
    others_mean = (v.sum() - v) / (n - 1)
    others_var = np.maximum(((v * v).sum() - v * v) / (n - 1) - others_mean**2, 0.0)
    fpc = np.maximum(n - 1 - k, 0) / max(n - 2, 1)
    mean = c * k * others_mean
    std = c * np.sqrt(k * others_var * fpc)
    return _ExactTails(p_ge, p_le, mean, std, lattice.step, not lattice.exact)
