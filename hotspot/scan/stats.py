"""Local spatial statistics for hotspot scanning: Getis-Ord Gi* and local Moran's I.

Two layers:

- array cores :func:`gi_star_arrays`, :func:`local_moran_arrays`, :func:`fdr_bh` and
  :func:`adjust_pvalues` (numpy/scipy only, no geometry);
- the GeoDataFrame functions :func:`gi_star` and :func:`local_moran`, which validate the
  units, build the neighbour matrix (:func:`hotspot._core.weights.weights_for_units`), add
  documented columns to a copy and record what was done in ``attrs["hotspot"]``.

Inference
---------
*Analytic* (Gi*, ``permutations=0``): the normal approximation of Getis & Ord (1992) /
Ord & Getis (1995), exactly as ``esda.G_Local(y, w, transform="B", star=True)`` and
ArcGIS "Hot Spot Analysis". esda's ``p_norm`` is one-sided (``norm.sf(|z|)``); our
``p_value`` follows ``alternative`` and is two-sided by default, i.e. ``2 * p_norm``.

*Conditional permutation* (Anselin 1995; as esda's ``crand``): for each unit ``i`` with
``k_i`` neighbours the focal value stays fixed and ``k_i`` values are drawn without
replacement from the other ``n - 1`` units, ``permutations`` times. As in esda, one
matrix of random draws is shared by all units (unit ``i`` uses the first ``k_i`` draws
that are not ``i`` itself), which makes the whole computation a few vectorized passes:
with rows of equal weights (binary or row-standardized) the ranks are found by sorting
the cumulative sums of the draws once per neighbour count. Pseudo p-values:

- ``"greater"``: ``(1 + #{sim >= obs}) / (R + 1)``;
- ``"less"``: ``(1 + #{sim <= obs}) / (R + 1)``;
- ``"two-sided"``: ``min(1, 2 * min(greater, less))``.

esda 2.9's ``G_Local``/``Moran_Local`` report the "directed" p-value
``(1 + min(#{sim >= obs}, #{sim < obs})) / (R + 1)``: without ties our two-sided
``p_sim`` is exactly twice it (capped at 1; tested with the same draws). Ties, common
with integer counts, count on both sides here, so ours is then slightly more
conservative. The smallest two-sided ``p_sim`` is ``2 / (R + 1)``: after a correction
over many units small hotspots cannot reach ``alpha`` unless ``R`` is large (a warning
says so), which is why analytic inference is the default for Gi*. The random draws
cost ``O(R * max_k)`` and the ranking ``O(n log R)``, so ``R = 9999`` is cheap.

Multiple testing: the correction (Benjamini–Hochberg FDR by default) is applied
**exactly once**, to ``p_sim`` when permutations were run and to the analytic
``p_value`` otherwise; the result is ``p_adjusted``.

Minimum data: inference is reported with a :class:`~hotspot.exceptions.HotspotWarning`
when there are fewer than ``MIN_UNITS = 30`` units or fewer than ``MIN_INCIDENTS = 30``
incidents in total (ArcGIS Optimized Hot Spot Analysis also asks for 30).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse, stats

from hotspot._core.meta import attach, note_choice
from hotspot._core.validation import (
    check_geodataframe,
    check_non_empty,
    numeric_column,
)
from hotspot._core.weights import n_islands, weights_for_units
from hotspot.exceptions import HotspotWarning, InvalidInputError

__all__ = [
    "HOTSPOT_CLASSES",
    "LISA_CLUSTERS",
    "MIN_INCIDENTS",
    "MIN_UNITS",
    "GiStarResult",
    "LocalMoranResult",
    "adjust_pvalues",
    "fdr_bh",
    "gi_star",
    "gi_star_arrays",
    "local_moran",
    "local_moran_arrays",
]

MIN_UNITS = 30
MIN_INCIDENTS = 30

HOTSPOT_CLASSES = (
    "cold_99",
    "cold_95",
    "cold_90",
    "not_significant",
    "hot_90",
    "hot_95",
    "hot_99",
)
LISA_CLUSTERS = ("High-High", "Low-Low", "High-Low", "Low-High", "not_significant")

Alternative = Literal["two-sided", "greater", "less"]
Correction = Literal["fdr_bh", "bonferroni", "holm"] | None
_ALTERNATIVES = ("two-sided", "greater", "less")
_CORRECTIONS = ("fdr_bh", "bonferroni", "holm", None)


# ------------------------------------------------------------------------------------
# multiple-testing corrections
# ------------------------------------------------------------------------------------


def fdr_bh(p: Any) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (false discovery rate).

    Equal to ``statsmodels.stats.multitest.multipletests(p, method="fdr_bh")[1]``:
    ``p_adj[(i)] = min_{j >= i} min(1, m * p[(j)] / j)`` over the ascending order.
    NaN entries stay NaN and are not counted in ``m``.

    Parameters
    ----------
    p
        Array of p-values in [0, 1].

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, same shape as ``p``.

    Examples
    --------
    >>> fdr_bh([0.01, 0.04, 0.03, 0.5]).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.5]
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    flat = p.ravel()
    ok = np.flatnonzero(np.isfinite(flat))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(flat[ok], kind="mergesort")]
    ranked = flat[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    res = out.ravel()
    res[order] = adjusted
    return res.reshape(p.shape)


def adjust_pvalues(p: Any, method: Correction = "fdr_bh") -> np.ndarray:
    """Adjust p-values for multiple comparisons.

    Parameters
    ----------
    p
        Array of p-values (NaN entries stay NaN and are not counted).
    method
        ``"fdr_bh"`` (Benjamini–Hochberg), ``"bonferroni"``, ``"holm"`` (Holm's
        step-down) or None (no correction: a copy of ``p``).

    Returns
    -------
    numpy.ndarray
        Adjusted p-values.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "bonferroni").round(2).tolist()
    [0.03, 0.12, 0.09]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    if method not in _CORRECTIONS:
        msg = f"correction must be one of {_CORRECTIONS}, got {method!r}."
        raise InvalidInputError(msg)
    p = np.asarray(p, dtype=float)
    if method is None:
        return p.copy()
    if method == "fdr_bh":
        return fdr_bh(p)
    ok = np.isfinite(p)
    m = int(ok.sum())
    out = np.full(p.shape, np.nan)
    if method == "bonferroni":
        out[ok] = np.minimum(1.0, p[ok] * m)
        return out
    idx = np.flatnonzero(ok.ravel())
    order = idx[np.argsort(p.ravel()[idx], kind="mergesort")]
    stepped = np.maximum.accumulate(p.ravel()[order] * (m - np.arange(m)))
    res = out.ravel()
    res[order] = np.minimum(1.0, stepped)
    return res.reshape(p.shape)


# ------------------------------------------------------------------------------------
# conditional permutation engine
# ------------------------------------------------------------------------------------


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


def _pseudo_p(n_ge: np.ndarray, n_le: np.ndarray, permutations: int, alternative: str):
    greater = (n_ge + 1.0) / (permutations + 1.0)
    less = (n_le + 1.0) / (permutations + 1.0)
    if alternative == "greater":
        return greater
    if alternative == "less":
        return less
    return np.minimum(1.0, 2.0 * np.minimum(greater, less))


def _normal_p(z: np.ndarray, alternative: str) -> np.ndarray:
    if alternative == "greater":
        return stats.norm.sf(z)
    if alternative == "less":
        return stats.norm.cdf(z)
    return 2.0 * stats.norm.sf(np.abs(z))


def _check_core_inputs(y: Any, W: Any, alternative: str, permutations: int):  # noqa: N803
    y = np.asarray(y, dtype=float).ravel()
    n = len(y)
    if alternative not in _ALTERNATIVES:
        msg = f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}."
        raise InvalidInputError(msg)
    if int(permutations) != permutations or permutations < 0:
        msg = f"permutations must be a non-negative integer, got {permutations!r}."
        raise InvalidInputError(msg)
    if not np.isfinite(y).all():
        bad = np.flatnonzero(~np.isfinite(y))
        msg = f"y has {len(bad)} missing or infinite values (first at position {bad[0]})."
        raise InvalidInputError(msg)
    w = sparse.csr_array(W, dtype=float)
    if w.shape != (n, n):
        msg = f"W has shape {w.shape}; it must be ({n}, {n}) to match y."
        raise InvalidInputError(msg)
    if np.any(w.diagonal() != 0):
        msg = (
            "W has non-zero diagonal entries; pass neighbours only (no self-loops): "
            "Gi* adds the focal unit itself with weight 1."
        )
        raise InvalidInputError(msg)
    w.sum_duplicates()
    w.eliminate_zeros()
    w.sort_indices()
    return y, w


# ------------------------------------------------------------------------------------
# Gi*
# ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GiStarResult:
    """Result of :func:`gi_star_arrays` (arrays of length ``n``, unit order).

    Attributes
    ----------
    z
        Analytic Gi* z-score (equal to ``esda.G_Local(..., star=True).Zs``).
    p_value
        Normal p-value of ``z`` for ``alternative`` (two-sided by default).
    g
        Gi* statistic ``sum_j w*_ij y_j / sum_j y_j`` (self included), esda's ``Gs``.
    expected, variance
        Expectation and variance of ``g`` under the null (esda's ``EGs``, ``VGs``).
    lag
        ``sum_j w*_ij y_j``, the windowed sum including the unit itself.
    n_neighbors
        Number of neighbours (self excluded).
    p_sim
        Permutation pseudo p-value for ``alternative`` (None without permutations).
    z_sim
        ``(g - mean(sim)) / std(sim)`` from the permutations (None without).
    alternative, permutations
        The options used.
    """

    z: np.ndarray
    p_value: np.ndarray
    g: np.ndarray
    expected: np.ndarray
    variance: np.ndarray
    lag: np.ndarray
    n_neighbors: np.ndarray
    p_sim: np.ndarray | None = None
    z_sim: np.ndarray | None = None
    alternative: str = "two-sided"
    permutations: int = 0
    params: dict[str, Any] = field(default_factory=dict)


def gi_star_arrays(
    y: Any,
    W: Any,  # noqa: N803
    *,
    permutations: int = 0,
    alternative: Alternative = "two-sided",
    random_state: int | np.random.Generator | None = None,
) -> GiStarResult:
    """Getis-Ord Gi* for values ``y`` and a neighbour matrix ``W`` (array core).

    The focal unit is always included with weight 1 (Gi*, not Gi). With weights
    ``w*_ij`` (``W`` plus the unit diagonal), ``W_i = sum_j w*_ij``,
    ``S_i = sum_j w*_ij^2``, mean ``ybar`` and population standard deviation ``s``::

        z_i = (sum_j w*_ij y_j - ybar W_i) / (s * sqrt((n S_i - W_i^2) / (n - 1)))

    For binary ``W`` this equals ``esda.G_Local(y, w, transform="B", star=True).Zs``
    (to 1e-9; tested). Non-binary ``W`` uses the same general formula (Ord & Getis
    1995). ``z`` is NaN when ``y`` is constant or a unit neighbours all others.

    Parameters
    ----------
    y
        Values per unit (counts, or other non-negative values), length ``n``.
    W
        ``(n, n)`` sparse neighbour weights **without** self-loops (e.g. from
        :func:`hotspot._core.weights.weights_for_units`); row ``i`` = neighbours of ``i``.
    permutations
        Number of conditional permutations (0: analytic inference only).
    alternative
        ``"two-sided"``, ``"greater"`` (hot spots only) or ``"less"`` (cold spots).
    random_state
        Seed or generator for the permutations.

    Returns
    -------
    GiStarResult

    Examples
    --------
    >>> from hotspot._core.weights import grid_weights
    >>> row, col = np.divmod(np.arange(25), 5)
    >>> y = np.zeros(25); y[12] = 9; y[[7, 11, 13, 17]] = 3
    >>> res = gi_star_arrays(y, grid_weights(row, col))
    >>> round(float(res.z[12]), 3), bool(res.p_value[12] < 0.01)
    (2.752, True)
    """
    y, w = _check_core_inputs(y, W, alternative, permutations)
    n = len(y)
    k = np.diff(w.indptr)
    lag_nb = w @ y
    lag = lag_nb + y
    w_sum = np.asarray(w.sum(axis=1)).ravel() + 1.0
    w_sq = np.asarray(w.multiply(w).sum(axis=1)).ravel() + 1.0
    total = y.sum()
    ybar = total / n
    s = np.sqrt(max((y * y).mean() - ybar**2, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        var_term = (n * w_sq - w_sum**2) / (n - 1)
        z = (lag - ybar * w_sum) / (s * np.sqrt(var_term))
        g = lag / total
        expected = w_sum / n
        variance = var_term / n**2 * (s / ybar) ** 2 if ybar else np.full(n, np.nan)
    z = np.where(np.isfinite(z), z, np.nan)
    p_value = _normal_p(z, alternative)
    p_sim = z_sim = None
    if permutations:
        rng = np.random.default_rng(random_state)
        counts = _conditional_permutations(y, w, lag_nb, int(permutations), rng)
        p_sim = _pseudo_p(counts.n_ge, counts.n_le, int(permutations), alternative)
        with np.errstate(divide="ignore", invalid="ignore"):
            z_sim = (lag_nb - counts.mean) / counts.std
        z_sim = np.where(np.isfinite(z_sim), z_sim, np.nan)
    return GiStarResult(
        z=z,
        p_value=p_value,
        g=g,
        expected=expected,
        variance=variance,
        lag=lag,
        n_neighbors=k,
        p_sim=p_sim,
        z_sim=z_sim,
        alternative=alternative,
        permutations=int(permutations),
    )


# ------------------------------------------------------------------------------------
# local Moran
# ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalMoranResult:
    """Result of :func:`local_moran_arrays` (arrays of length ``n``, unit order).

    Attributes
    ----------
    i
        Local Moran's I (esda's ``Is``): ``(n - 1) z_i sum_j w_ij z_j / sum_j z_j^2``
        with ``z`` the values standardized by their population standard deviation.
    q
        Quadrant, esda's convention: 1 High-High, 2 Low-High, 3 Low-Low, 4 High-Low
        (a unit is "High" when ``z_i > 0``, its neighbours when the lag is ``> 0``).
    p_sim
        Permutation pseudo p-value for ``alternative``; NaN for islands.
    z_sim
        ``(I - mean(sim)) / std(sim)``; NaN for islands.
    n_neighbors
        Number of neighbours.
    alternative, permutations
        The options used.
    """

    i: np.ndarray
    q: np.ndarray
    p_sim: np.ndarray
    z_sim: np.ndarray
    n_neighbors: np.ndarray
    alternative: str = "two-sided"
    permutations: int = 999


def local_moran_arrays(
    y: Any,
    W: Any,  # noqa: N803
    *,
    permutations: int = 999,
    alternative: Alternative = "two-sided",
    transform: Literal["r", "b"] = "r",
    random_state: int | np.random.Generator | None = None,
) -> LocalMoranResult:
    """Local Moran's I with conditional permutation inference (array core).

    Equal to ``esda.Moran_Local(y, w, transformation=transform).Is`` (tested to
    1e-9); ``p_sim`` is the pseudo p-value for ``alternative`` (see the module
    notes; esda's "directed" p-value is half our two-sided one).

    Parameters
    ----------
    y
        Values per unit, length ``n``.
    W
        ``(n, n)`` sparse neighbour weights without self-loops.
    permutations
        Number of conditional permutations (>= 1).
    alternative
        ``"two-sided"``, ``"greater"`` (positive association) or ``"less"``.
    transform
        ``"r"`` row-standardize ``W`` (esda's default) or ``"b"`` use it as given.
    random_state
        Seed or generator.

    Returns
    -------
    LocalMoranResult

    Examples
    --------
    >>> from hotspot._core.weights import grid_weights
    >>> row, col = np.divmod(np.arange(100), 10)
    >>> y = np.where(col < 5, 10.0, 0.0) + np.random.default_rng(0).random(100)
    >>> res = local_moran_arrays(y, grid_weights(row, col), random_state=0)
    >>> res.q[[52, 57]].tolist(), res.p_sim[[52, 57]].tolist()
    ([1, 3], [0.008, 0.002])
    """
    y, w = _check_core_inputs(y, W, alternative, permutations)
    if permutations < 1:
        msg = "local Moran needs permutations >= 1 (999 is the usual choice)."
        raise InvalidInputError(msg)
    if transform not in ("r", "b"):
        msg = f"transform must be 'r' or 'b', got {transform!r}."
        raise InvalidInputError(msg)
    n = len(y)
    k = np.diff(w.indptr)
    if transform == "r":
        row_sum = np.asarray(w.sum(axis=1)).ravel()
        inv = np.divide(1.0, row_sum, out=np.zeros(n), where=row_sum > 0)
        w = sparse.csr_array(sparse.diags_array(inv) @ w)
        w.sort_indices()
    sd = y.std()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (y - y.mean()) / sd
    den = (z * z).sum()
    lag = w @ z
    with np.errstate(divide="ignore", invalid="ignore"):
        moran_i = (n - 1) * z * lag / den
    zp, lp = z > 0, lag > 0
    q = np.where(zp & lp, 1, np.where(~zp & lp, 2, np.where(~zp & ~lp, 3, 4)))
    if not np.isfinite(sd) or sd == 0:
        nan = np.full(n, np.nan)
        return LocalMoranResult(
            i=nan,
            q=q.astype(np.int64),
            p_sim=nan.copy(),
            z_sim=nan.copy(),
            n_neighbors=k,
            alternative=alternative,
            permutations=int(permutations),
        )
    rng = np.random.default_rng(random_state)
    counts = _conditional_permutations(z, w, lag, int(permutations), rng)
    # I_sim = c * z_i * lag_sim: the order flips where z_i < 0; all ties where z_i == 0
    pos, neg = z > 0, z < 0
    n_ge = np.where(pos, counts.n_ge, np.where(neg, counts.n_le, permutations))
    n_le = np.where(pos, counts.n_le, np.where(neg, counts.n_ge, permutations))
    p_sim = _pseudo_p(n_ge, n_le, int(permutations), alternative)
    with np.errstate(divide="ignore", invalid="ignore"):
        z_sim = np.sign(z) * (lag - counts.mean) / counts.std
    z_sim = np.where(np.isfinite(z_sim), z_sim, np.nan)
    islands = k == 0
    p_sim = np.where(islands, np.nan, p_sim)
    z_sim = np.where(islands, np.nan, z_sim)
    return LocalMoranResult(
        i=moran_i,
        q=q.astype(np.int64),
        p_sim=p_sim,
        z_sim=z_sim,
        n_neighbors=k,
        alternative=alternative,
        permutations=int(permutations),
    )


# ------------------------------------------------------------------------------------
# GeoDataFrame layer
# ------------------------------------------------------------------------------------


def _values(units: Any, column: str, *, non_negative: bool) -> np.ndarray:
    check_geodataframe(units, "units")
    check_non_empty(units, "units")
    fix = (
        "Gi* needs non-negative values such as counts or rates; fill missing counts "
        "with `.fillna(0)` or drop those units."
    )
    return numeric_column(units, column, "units", non_negative=non_negative, fix=fix)


def _warn_small(y: np.ndarray, column: str, w: sparse.csr_array, step: str) -> None:
    n = len(y)
    if n < MIN_UNITS:
        warnings.warn(
            f"{step}: only {n} units; inference needs at least {MIN_UNITS} units to be meaningful.",
            HotspotWarning,
            stacklevel=3,
        )
    total = float(y.sum())
    if total < MIN_INCIDENTS:
        warnings.warn(
            f"{step}: column {column!r} sums to {total:g} (< {MIN_INCIDENTS}); too few "
            "incidents for reliable inference: treat the classes as descriptive.",
            HotspotWarning,
            stacklevel=3,
        )
    if np.ptp(y) == 0:
        warnings.warn(
            f"{step}: column {column!r} is constant; the statistic is undefined (NaN).",
            HotspotWarning,
            stacklevel=3,
        )
    islands = n_islands(w)
    if islands:
        warnings.warn(
            f"{step}: {islands} unit(s) have no neighbours (islands).",
            HotspotWarning,
            stacklevel=3,
        )


def _warn_permutation_floor(
    n: int, permutations: int, alternative: str, correction: Any, alpha: float, step: str
) -> None:
    """Warn when the permutation p-value floor makes a small hotspot undetectable."""
    if not permutations or correction is None:
        return
    p_min = (2.0 if alternative == "two-sided" else 1.0) / (permutations + 1)
    if p_min * n > alpha:
        suggest = int(np.ceil((2.0 if alternative == "two-sided" else 1.0) * n / alpha))
        if correction == "fdr_bh":
            need = int(np.floor(p_min * n / alpha)) + 1
            what = f"a hotspot needs at least {need} units at that floor to reach alpha={alpha}"
        else:
            what = f"no unit can reach alpha={alpha}"
        warnings.warn(
            f"{step}: with {permutations} permutations the smallest p_sim is {p_min:.2g}; "
            f"after {correction} over {n} units {what}. Use about {suggest} permutations "
            "or analytic inference (permutations=0, Gi* only).",
            HotspotWarning,
            stacklevel=3,
        )


def _check_options(alpha: float, correction: Any) -> None:
    if correction not in _CORRECTIONS:
        msg = f"correction must be one of {_CORRECTIONS}, got {correction!r}."
        raise InvalidInputError(msg)
    if not 0 < alpha <= 0.1:
        msg = f"alpha must be in (0, 0.1] (e.g. 0.05), got {alpha!r}."
        raise InvalidInputError(msg)


def _hotspot_class(z: np.ndarray, p_adj: np.ndarray, alpha: float) -> pd.Categorical:
    """Bin by confidence level on ``p_adj``; only ``p_adj < alpha`` is hot/cold."""
    sig = np.isfinite(p_adj) & (p_adj < alpha) & np.isfinite(z) & (z != 0)
    level = np.where(p_adj < 0.01, 3, np.where(p_adj < 0.05, 2, 1))
    hot = np.array(["hot_90", "hot_95", "hot_99"], dtype=object)
    cold = np.array(["cold_90", "cold_95", "cold_99"], dtype=object)
    labels = np.where(z > 0, hot[level - 1], cold[level - 1])
    labels = np.where(sig, labels, "not_significant")
    return pd.Categorical(labels, categories=list(HOTSPOT_CLASSES), ordered=True)


def gi_star(
    units: gpd.GeoDataFrame,
    column: str = "n_incidents",
    *,
    neighbors: Any = "queen",
    permutations: int = 0,
    alternative: Alternative = "two-sided",
    correction: Correction = "fdr_bh",
    alpha: float = 0.05,
    random_state: int | np.random.Generator | None = None,
) -> gpd.GeoDataFrame:
    """Getis-Ord Gi* hot and cold spots of a count per unit.

    Parameters
    ----------
    units
        GeoDataFrame of analysis units (e.g. grid cells from :func:`hotspot.grid`).
    column
        Non-negative numeric column to test (default ``"n_incidents"``).
    neighbors
        Neighbour rule, see :func:`hotspot._core.weights.weights_for_units`: ``"queen"``
        (default), ``"rook"``, a distance in metres (number), ``"knn:8"`` /
        ``("knn", 8)`` / ``{"k": 8}``, a sparse ``(n, n)`` matrix or a libpysal W/Graph.
        The unit itself is always included (Gi*).
    permutations
        0 (default): analytic normal inference. Otherwise the number of conditional
        permutations for a pseudo p-value ``p_sim`` (e.g. 999).
    alternative
        ``"two-sided"`` (default), ``"greater"`` or ``"less"``.
    correction
        ``"fdr_bh"`` (default, Benjamini–Hochberg), ``"bonferroni"``, ``"holm"`` or
        None. Applied once: to ``p_sim`` with permutations, else to ``p_value``.
    alpha
        Level (at most 0.10) a unit's ``p_adjusted`` must be below to be classed hot or
        cold.
    random_state
        Seed or generator for the permutations.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``units`` with columns ``gi_z`` (analytic z-score), ``p_value``
        (normal p-value for ``alternative``), ``p_sim`` (only with permutations),
        ``p_adjusted`` and ``hotspot_class``: an ordered categorical ``cold_99 <
        cold_95 < cold_90 < not_significant < hot_90 < hot_95 < hot_99``. A unit is
        hot (z > 0) or cold (z < 0) when ``p_adjusted < alpha``; its bin is the
        strongest of 99 % (``p_adjusted < 0.01``), 95 % (< 0.05) and 90 % (< 0.10)
        it reaches (ArcGIS ``Gi_Bin`` with FDR), so with the default ``alpha=0.05``
        no unit is ``hot_90``/``cold_90``. ``attrs["hotspot"]["gi_star"]`` records
        the neighbours, which p-value was corrected and the parameters.

    Warns
    -----
    HotspotWarning
        Fewer than ``MIN_UNITS`` (30) units, a column total below ``MIN_INCIDENTS``
        (30), a constant column, units without neighbours (islands keep a Gi*
        value from their own count), or too few permutations for any small hotspot
        to survive the correction (the smallest two-sided ``p_sim`` is
        ``2 / (permutations + 1)``; after BH over ``n`` units a lone unit needs
        ``n * p_min < alpha``, so large grids need analytic inference).

    Examples
    --------
    >>> from hotspot._core.grid import GridSpec, grid_frame
    >>> from hotspot.scan.stats import gi_star
    >>> cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 10, 10), "EPSG:32616")
    >>> cells["n_incidents"] = np.random.default_rng(1).poisson(1, 100)
    >>> cells.loc[[33, 34, 35, 43, 44, 45, 53, 54, 55], "n_incidents"] = 12
    >>> out = gi_star(cells)
    >>> out.loc[[33, 44, 55], "hotspot_class"].tolist()
    ['hot_99', 'hot_99', 'hot_99']
    >>> int((out["hotspot_class"] == "hot_99").sum())
    9
    """
    _check_options(alpha, correction)
    y = _values(units, column, non_negative=True)
    w, description = weights_for_units(units, neighbors)
    _warn_small(y, column, w, "gi_star")
    _warn_permutation_floor(len(y), permutations, alternative, correction, alpha, "gi_star")
    res = gi_star_arrays(
        y, w, permutations=permutations, alternative=alternative, random_state=random_state
    )
    corrected = "p_sim" if permutations else "p_value"
    p_adj = adjust_pvalues(res.p_sim if permutations else res.p_value, correction)
    out = units.copy()
    out["gi_z"] = res.z
    out["p_value"] = res.p_value
    if permutations:
        out["p_sim"] = res.p_sim
    out["p_adjusted"] = p_adj
    out["hotspot_class"] = _hotspot_class(res.z, p_adj, alpha)
    choices: dict[str, Any] = {}
    note_choice(choices, "weights", description, f"from neighbors={_short(neighbors)}")
    note_choice(
        choices,
        "corrected_p",
        corrected,
        f"{correction or 'no'} correction applied once, to "
        + ("the permutation p-values" if permutations else "the analytic p-values"),
    )
    params = _run_params(
        column, neighbors, permutations, alternative, correction, alpha, random_state
    )
    return attach(out, "gi_star", params, choices, n_islands=n_islands(w))


def _run_params(
    column: str,
    neighbors: Any,
    permutations: int,
    alternative: str,
    correction: str | None,
    alpha: float,
    random_state: Any,
) -> dict[str, Any]:
    """Parameters of a local-statistic run, as stored in ``attrs`` (JSON-friendly)."""
    return {
        "column": column,
        "neighbors": _short(neighbors),
        "permutations": int(permutations),
        "alternative": alternative,
        "correction": correction,
        "alpha": alpha,
        "random_state": random_state
        if not isinstance(random_state, np.random.Generator)
        else "Generator",
    }


def local_moran(
    units: gpd.GeoDataFrame,
    column: str = "n_incidents",
    *,
    neighbors: Any = "queen",
    permutations: int = 999,
    alternative: Alternative = "two-sided",
    correction: Correction = "fdr_bh",
    alpha: float = 0.05,
    random_state: int | np.random.Generator | None = None,
) -> gpd.GeoDataFrame:
    """Local Moran's I (Anselin's LISA) clusters and outliers with FDR-corrected labels.

    Weights are row-standardized (esda's default ``transformation="r"``); inference is
    by conditional permutation.

    Parameters
    ----------
    units
        GeoDataFrame of analysis units.
    column
        Numeric column (default ``"n_incidents"``).
    neighbors
        Neighbour rule (see :func:`gi_star`); the unit itself is not a neighbour.
    permutations
        Number of conditional permutations (>= 1; default 999).
    alternative
        ``"two-sided"`` (default), ``"greater"`` or ``"less"``.
    correction
        ``"fdr_bh"`` (default), ``"bonferroni"``, ``"holm"`` or None, applied once to
        ``p_sim``.
    alpha
        Level (at most 0.10) ``p_adjusted`` must be below for a label.
    random_state
        Seed or generator.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``units`` with ``moran_i`` (esda's ``Is``), ``moran_q`` (1 HH, 2 LH,
        3 LL, 4 HL as esda), ``moran_z_sim``, ``p_sim``, ``p_adjusted`` and
        ``lisa_cluster``: a categorical of ``High-High``, ``Low-Low``, ``High-Low``,
        ``Low-High`` (units with ``p_adjusted < alpha``, by quadrant) and
        ``not_significant``. Islands have NaN ``p_sim`` (esda gives them a spurious
        ``1 / (R + 1)``) and are never labelled.

    Warns
    -----
    HotspotWarning
        Same conditions as :func:`gi_star`.

    Examples
    --------
    >>> from hotspot._core.grid import GridSpec, grid_frame
    >>> from hotspot.scan.stats import local_moran
    >>> cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 10, 10), "EPSG:32616")
    >>> cells["n_incidents"] = np.random.default_rng(1).poisson(1, 100)
    >>> cells.loc[[33, 34, 35, 43, 44, 45, 53, 54, 55], "n_incidents"] = 12
    >>> out = local_moran(cells, permutations=9999, random_state=0)
    >>> out.loc[44, "lisa_cluster"]
    'High-High'
    >>> out["lisa_cluster"].value_counts()["High-High"]
    np.int64(5)
    """
    _check_options(alpha, correction)
    y = _values(units, column, non_negative=False)
    w, description = weights_for_units(units, neighbors)
    _warn_small(y, column, w, "local_moran")
    _warn_permutation_floor(len(y), permutations, alternative, correction, alpha, "local_moran")
    res = local_moran_arrays(
        y, w, permutations=permutations, alternative=alternative, random_state=random_state
    )
    p_adj = adjust_pvalues(res.p_sim, correction)
    sig = np.isfinite(p_adj) & (p_adj < alpha)
    names = np.array(["", "High-High", "Low-High", "Low-Low", "High-Low"], dtype=object)
    labels = np.where(sig, names[res.q], "not_significant")
    out = units.copy()
    out["moran_i"] = res.i
    out["moran_q"] = res.q
    out["moran_z_sim"] = res.z_sim
    out["p_sim"] = res.p_sim
    out["p_adjusted"] = p_adj
    out["lisa_cluster"] = pd.Categorical(labels, categories=list(LISA_CLUSTERS))
    choices: dict[str, Any] = {}
    note_choice(
        choices,
        "weights",
        description + ", row-standardized",
        f"from neighbors={_short(neighbors)}",
    )
    params = _run_params(
        column, neighbors, permutations, alternative, correction, alpha, random_state
    )
    return attach(out, "local_moran", params, choices, n_islands=n_islands(w))


def _short(neighbors: Any) -> Any:
    """JSON-friendly description of a ``neighbors`` argument."""
    if isinstance(neighbors, (str, int, float, tuple, dict)) and not sparse.issparse(neighbors):
        return neighbors
    return type(neighbors).__name__
