"""Local spatial statistics for hotspot scanning: Getis-Ord Gi* and local Moran's I.

Two layers:

- array cores :func:`gi_star_arrays`, :func:`local_moran_arrays`, :func:`fdr_bh` and
  :func:`adjust_pvalues` (numpy/scipy only, no geometry);
- the GeoDataFrame functions :func:`gi_star` and :func:`local_moran`, which validate the
  units, build the neighbour matrix (:func:`hotspot._core.weights.weights_for_units`), add
  documented columns to a copy and record what was done in ``attrs["hotspot"]``
  (the steps they share are in :mod:`hotspot.scan._local_layer`, the permutation
  engine in :mod:`hotspot.scan._permutation`).

Inference
---------
*Exact conditional randomisation* (default, ``permutations=None``): the permutation test
of Anselin (1995) / esda's ``crand`` / ArcGIS, without the permutations. For unit ``i``
with ``k_i`` neighbours the focal value stays fixed and the neighbours are ``k_i`` values
drawn without replacement from the other ``n - 1`` units. With weights equal within
each row (binary, row-standardized: every built-in rule) Gi* and local Moran's I are
monotone in the plain sum of those draws, so the p-value is a tail probability of that
sum, computed exactly (:mod:`hotspot.scan._exact`: generating functions by FFT, integer
counts used as they are, other values rounded to 4,096 steps). It is the value
``R -> infinity`` permutations converge to: deterministic, no floor of ``2 / (R + 1)``
to block a correction over thousands of cells, and calibrated on skewed counts (tests
on shuffled real counts: ``tests/test_null_calibration.py``). ``z_sim`` standardises the
lag by the exact mean and standard deviation of the random lag. Unequal weights within
a row (a user matrix, kernel weights) fall back to 9,999 Monte Carlo permutations.

*Analytic* (Gi*, ``permutations=0``): the normal approximation of Getis & Ord (1992) /
Ord & Getis (1995), exactly as ``esda.G_Local(y, w, transform="B", star=True)`` and
ArcGIS "Hot Spot Analysis". esda's ``p_norm`` is one-sided (``norm.sf(|z|)``); our
``p_norm`` follows ``alternative`` and is two-sided by default, i.e. ``2 * p_norm``. On
skewed counts its tail is far too thin (shuffled counts get flagged).

*Monte Carlo conditional permutation* (``permutations=R``, as esda): one matrix of
random draws is shared by all units (unit ``i`` uses the first ``k_i`` draws that are
not ``i`` itself), which makes the whole computation a few vectorized passes: with rows
of equal weights the ranks are found by sorting the cumulative sums of the draws once
per neighbour count. Units tied by construction (same neighbour count, value and
neighbour sum, e.g. all-zero windows) would share one draw and pass or fail a
correction together, depending on the seed; they get independent counts instead
(multinomial with the exact probabilities). Pseudo p-values:

- ``"greater"``: ``(1 + #{sim >= obs}) / (R + 1)``;
- ``"less"``: ``(1 + #{sim <= obs}) / (R + 1)``;
- ``"two-sided"``: ``min(1, 2 * min(greater, less))`` (the exact method uses the same
  definitions with probabilities in place of frequencies).

esda 2.9's ``G_Local``/``Moran_Local`` report the "directed" p-value
``(1 + min(#{sim >= obs}, #{sim < obs})) / (R + 1)``: without ties our two-sided
``p_sim`` is exactly twice it (capped at 1; tested with the same draws). Ties, common
with integer counts, count on both sides here, so ours is then slightly more
conservative. The smallest two-sided ``p_sim`` is ``2 / (R + 1)``: after a correction
over many units small hotspots cannot reach ``alpha`` unless ``R`` is large (a warning
says so).

Multiple testing: the correction (Benjamini–Hochberg FDR by default) is applied
**exactly once**, to ``p_value`` (the p-value of the inference used); the result is
``p_adjusted``.

Minimum data: inference is reported with a :class:`~hotspot.exceptions.HotspotWarning`
when there are fewer than ``MIN_UNITS = 30`` units or fewer than ``MIN_INCIDENTS = 30``
incidents in total (ArcGIS Optimized Hot Spot Analysis also asks for 30).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse, stats

from hotspot._core.validation import check_count
from hotspot.exceptions import InvalidInputError
from hotspot.scan._local_layer import (
    _CORRECTIONS,
    MIN_INCIDENTS,
    MIN_UNITS,
    _expand,
    _record,
    _test,
)
from hotspot.scan._permutation import (
    _conditional_permutations,
    _exact_conditional,
    _exact_possible,
    _pseudo_p,
    _tail_p,
    _untie,
)

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

MIN_SHARE = 0.5
FALLBACK_PERMUTATIONS = 9999

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
# array-core helpers
# ------------------------------------------------------------------------------------


def _normal_p(z: np.ndarray, alternative: str) -> np.ndarray:
    if alternative == "greater":
        return stats.norm.sf(z)
    if alternative == "less":
        return stats.norm.cdf(z)
    return 2.0 * stats.norm.sf(np.abs(z))


def _check_core_inputs(y: Any, W: Any, alternative: str, permutations: int | None):  # noqa: N803
    y = np.asarray(y, dtype=float).ravel()
    n = len(y)
    if alternative not in _ALTERNATIVES:
        msg = f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}."
        raise InvalidInputError(msg)
    if permutations is not None:  # None: exact conditional randomisation
        check_count(permutations, "permutations")
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
        Monte Carlo permutation pseudo p-value for ``alternative`` (None unless
        permutations were run).
    z_sim
        ``(lag - mean) / std`` of the conditional randomisation distribution: exact
        moments with ``method="exact"``, the simulated ones with permutations (None
        with ``method="normal"``).
    p_exact
        Exact conditional-randomisation p-value for ``alternative`` (None unless
        ``method="exact"``).
    method
        ``"exact"``, ``"permutation"`` or ``"normal"``: which p-value is the inference.
    lattice_step
        Step of the value lattice of the exact method (1.0 for integer counts: nothing
        rounded; NaN for the other methods).
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
    p_exact: np.ndarray | None = None
    method: str = "normal"
    lattice_step: float = float("nan")

    @property
    def p_inference(self) -> np.ndarray:
        """The p-value of ``method`` (the one to correct for multiple testing)."""
        if self.method == "exact":
            return self.p_exact
        if self.method == "permutation":
            return self.p_sim
        return self.p_value


def gi_star_arrays(
    y: Any,
    W: Any,  # noqa: N803
    *,
    permutations: int | None = 0,
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
        0 (default here): analytic normal inference only. None: exact conditional
        randomisation (``p_exact``; see the module notes), or 9,999 Monte Carlo
        permutations when ``W`` has unequal weights within a row. ``R >= 1``: ``R``
        Monte Carlo conditional permutations (``p_sim``).
    alternative
        ``"two-sided"``, ``"greater"`` (hot spots only) or ``"less"`` (cold spots).
    random_state
        Seed or generator for Monte Carlo permutations.

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
    p_sim = z_sim = p_exact = None
    method, step = "normal", float("nan")
    if permutations is None and _exact_possible(w):
        method = "exact"
        tails = _exact_conditional(y, w)
        p_exact = _tail_p(tails.p_ge, tails.p_le, alternative)
        z_sim, step = _standardise(lag_nb, tails.mean, tails.std), tails.lattice_step
    elif permutations != 0:
        method = "permutation"
        permutations = FALLBACK_PERMUTATIONS if permutations is None else int(permutations)
        rng = np.random.default_rng(random_state)
        counts = _conditional_permutations(y, w, lag_nb, permutations, rng)
        counts = _untie(y, w, counts, permutations, rng)
        p_sim = _pseudo_p(counts.n_ge, counts.n_le, permutations, alternative)
        z_sim = _standardise(lag_nb, counts.mean, counts.std)
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
        permutations=int(permutations or 0),
        p_exact=p_exact,
        method=method,
        lattice_step=step,
    )


def _standardise(obs: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """``(obs - mean) / std`` with NaN where undefined."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (obs - mean) / std
    return np.where(np.isfinite(z), z, np.nan)


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
        Conditional randomisation p-value for ``alternative``: exact with
        ``method="exact"``, the Monte Carlo pseudo p-value with
        ``method="permutation"``; NaN for islands.
    z_sim
        ``(I - mean) / std`` of the conditional randomisation distribution (exact
        moments, or the simulated ones); NaN for islands.
    n_neighbors
        Number of neighbours.
    alternative, permutations
        The options used.
    method
        ``"exact"`` or ``"permutation"``.
    lattice_step
        Step of the value lattice of the exact method (1.0 for integer counts).
    """

    i: np.ndarray
    q: np.ndarray
    p_sim: np.ndarray
    z_sim: np.ndarray
    n_neighbors: np.ndarray
    alternative: str = "two-sided"
    permutations: int = 0
    method: str = "exact"
    lattice_step: float = float("nan")


def local_moran_arrays(
    y: Any,
    W: Any,  # noqa: N803
    *,
    permutations: int | None = None,
    alternative: Alternative = "two-sided",
    transform: Literal["r", "b"] = "r",
    random_state: int | np.random.Generator | None = None,
) -> LocalMoranResult:
    """Local Moran's I with conditional randomisation inference (array core).

    Equal to ``esda.Moran_Local(y, w, transformation=transform).Is`` (tested to
    1e-9); ``p_sim`` is the conditional randomisation p-value for ``alternative``:
    exact by default, or estimated from ``permutations`` Monte Carlo draws as esda
    does (see the module notes; esda's "directed" p-value is half our two-sided one).

    Parameters
    ----------
    y
        Values per unit, length ``n``.
    W
        ``(n, n)`` sparse neighbour weights without self-loops.
    permutations
        None (default): exact conditional randomisation, or 9,999 Monte Carlo
        permutations when the weights are unequal within a row. ``R >= 1``: ``R``
        Monte Carlo conditional permutations.
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
    >>> res = local_moran_arrays(y, grid_weights(row, col))
    >>> res.q[[52, 57]].tolist(), res.p_sim[[52, 57]].round(4).tolist()
    ([1, 3], [0.0051, 0.0001])
    >>> mc = local_moran_arrays(y, grid_weights(row, col), permutations=999, random_state=0)
    >>> mc.p_sim[[52, 57]].tolist()
    [0.008, 0.002]
    """
    y, w = _check_core_inputs(y, W, alternative, permutations)
    if permutations == 0:
        msg = (
            "local Moran has no analytic inference: use permutations=None (exact "
            "conditional randomisation) or permutations >= 1 (e.g. 999)."
        )
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
            permutations=int(permutations or 0),
            method="exact" if permutations is None else "permutation",
        )
    # I_sim = c * z_i * lag_sim: the order flips where z_i < 0; all ties where z_i == 0
    pos, neg = z > 0, z < 0
    step = float("nan")
    if permutations is None and _exact_possible(w):
        # the lag of z is an increasing affine function of the lag of y: use y so
        # that integer counts stay on their own lattice
        method = "exact"
        tails = _exact_conditional(y, w)
        ge = np.where(pos, tails.p_ge, np.where(neg, tails.p_le, 1.0))
        le = np.where(pos, tails.p_le, np.where(neg, tails.p_ge, 1.0))
        p_sim = _tail_p(ge, le, alternative)
        z_sim = np.sign(z) * _standardise(w @ y, tails.mean, tails.std)
        step = tails.lattice_step
    else:
        method = "permutation"
        permutations = FALLBACK_PERMUTATIONS if permutations is None else int(permutations)
        rng = np.random.default_rng(random_state)
        counts = _untie(y, w, _conditional_permutations(z, w, lag, permutations, rng),
                        permutations, rng)
        n_ge = np.where(pos, counts.n_ge, np.where(neg, counts.n_le, permutations))
        n_le = np.where(pos, counts.n_le, np.where(neg, counts.n_ge, permutations))
        p_sim = _pseudo_p(n_ge, n_le, permutations, alternative)
        z_sim = np.sign(z) * _standardise(lag, counts.mean, counts.std)
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
        permutations=int(permutations or 0),
        method=method,
        lattice_step=step,
    )



# ------------------------------------------------------------------------------------
# GeoDataFrame layer
# ------------------------------------------------------------------------------------


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
    permutations: int | None = None,
    alternative: Alternative = "two-sided",
    correction: Correction = "fdr_bh",
    alpha: float = 0.05,
    random_state: int | np.random.Generator | None = None,
    min_share: float = MIN_SHARE,
) -> gpd.GeoDataFrame:
    """Getis-Ord Gi* hot and cold spots of a count per unit.

    The z-score is the analytic Gi* z (equal to esda's and ArcGIS's); the p-value is,
    by default, the **exact conditional randomisation** p-value: the probability that
    the unit's neighbours, drawn at random from the other units' counts, sum to at
    least (or at most) what they do -- the limit of infinitely many permutations,
    computed without drawing any. It holds the false discovery rate on skewed counts
    where the normal approximation does not, and it does not depend on a seed.

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
        None (default): exact conditional randomisation (with unequal weights within a
        row, e.g. a user matrix, 9,999 Monte Carlo permutations instead; reported).
        0: the normal approximation (esda's ``p_norm``, ArcGIS's p-value), which
        flags cells on shuffled skewed counts. ``R >= 1``: ``R`` Monte Carlo
        conditional permutations as esda (pseudo p-value ``p_sim``).
    alternative
        ``"two-sided"`` (default), ``"greater"`` or ``"less"``.
    correction
        ``"fdr_bh"`` (default, Benjamini–Hochberg), ``"bonferroni"``, ``"holm"`` or
        None, applied once, to ``p_value``.
    alpha
        Level (at most 0.10) a unit's ``p_adjusted`` must be below to be classed hot or
        cold.
    random_state
        Seed or generator for Monte Carlo permutations (the default needs none).
    min_share
        Used when ``units`` has an ``inside_share`` column (cells of
        ``grid(study_area=...)`` partly outside the study area): the count of each
        cell is divided by its share (incidents per full cell of study area) and
        cells with a share below ``min_share`` (default 0.5) are left out of the
        test (NaN, ``not_significant``; their number is reported).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``units`` with columns ``gi_z`` (analytic z-score), ``p_norm``
        (its normal p-value for ``alternative``), ``p_value`` (the p-value of the
        inference used: exact, Monte Carlo or normal), ``p_sim`` (only with
        permutations), ``p_adjusted`` and ``hotspot_class``: an ordered categorical ``cold_99 <
        cold_95 < cold_90 < not_significant < hot_90 < hot_95 < hot_99``. A unit is
        hot (z > 0) or cold (z < 0) when ``p_adjusted < alpha``; its bin is the
        strongest of 99 % (``p_adjusted < 0.01``), 95 % (< 0.05) and 90 % (< 0.10)
        it reaches (ArcGIS ``Gi_Bin`` with FDR), so with the default ``alpha=0.05``
        no unit is ``hot_90``/``cold_90``. ``attrs["hotspot"]["gi_star"]`` records
        the neighbours, the inference method, the edge handling and the parameters.

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
    >>> out.loc[[34, 43, 44, 45, 54], "hotspot_class"].tolist()
    ['hot_99', 'hot_99', 'hot_99', 'hot_99', 'hot_99']
    >>> out.attrs["hotspot"]["gi_star"]["choices"]["inference"]["value"]
    'exact'

    The normal approximation (``permutations=0``) is more generous at the corners of
    the block, whose windows hold only four of the nine high counts:

    >>> int((gi_star(cells, permutations=0)["hotspot_class"] == "hot_99").sum())
    9
    """
    options = (permutations, alternative, correction, alpha, random_state, min_share)
    run = _test(units, column, gi_star_arrays, neighbors, *options, non_negative=True)
    res, tested, n_all = run.res, run.tested, run.n_all
    p_adj = adjust_pvalues(res.p_inference, correction)
    out = units.copy()
    out["gi_z"] = _expand(res.z, tested, n_all)
    out["p_norm"] = _expand(res.p_value, tested, n_all)
    out["p_value"] = _expand(res.p_inference, tested, n_all)
    if res.p_sim is not None:
        out["p_sim"] = _expand(res.p_sim, tested, n_all)
    out["p_adjusted"] = _expand(p_adj, tested, n_all)
    out["hotspot_class"] = _hotspot_class(
        out["gi_z"].to_numpy(), out["p_adjusted"].to_numpy(), alpha
    )
    return _record(out, run, run.description)


def local_moran(
    units: gpd.GeoDataFrame,
    column: str = "n_incidents",
    *,
    neighbors: Any = "queen",
    permutations: int | None = None,
    alternative: Alternative = "two-sided",
    correction: Correction = "fdr_bh",
    alpha: float = 0.05,
    random_state: int | np.random.Generator | None = None,
    min_share: float = MIN_SHARE,
) -> gpd.GeoDataFrame:
    """Local Moran's I (Anselin's LISA) clusters and outliers with FDR-corrected labels.

    Weights are row-standardized (esda's default ``transformation="r"``); inference is
    by conditional randomisation, exact by default (see :func:`gi_star`): p-values
    can be as small as the correction over a city grid needs, and they do not depend
    on a seed. Cells partly outside the study area are handled as in :func:`gi_star`.

    Parameters
    ----------
    units
        GeoDataFrame of analysis units.
    column
        Numeric column (default ``"n_incidents"``).
    neighbors
        Neighbour rule (see :func:`gi_star`); the unit itself is not a neighbour.
    permutations
        None (default): exact conditional randomisation (9,999 Monte Carlo
        permutations with unequal weights within a row). ``R >= 1``: ``R`` Monte
        Carlo conditional permutations as esda (999 is esda's default; its p-value
        floor ``2 / (R + 1)`` rarely survives a correction over thousands of cells).
    alternative
        ``"two-sided"`` (default), ``"greater"`` or ``"less"``.
    correction
        ``"fdr_bh"`` (default), ``"bonferroni"``, ``"holm"`` or None, applied once to
        ``p_value``.
    alpha
        Level (at most 0.10) ``p_adjusted`` must be below for a label.
    random_state
        Seed or generator for Monte Carlo permutations.
    min_share
        Smallest ``inside_share`` of a tested cell (see :func:`gi_star`).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``units`` with ``moran_i`` (esda's ``Is``), ``moran_q`` (1 HH, 2 LH,
        3 LL, 4 HL as esda), ``moran_z_sim`` (standardised by the conditional
        randomisation mean and standard deviation), ``p_value`` (conditional
        randomisation p-value), ``p_sim`` (only with permutations: the same
        Monte Carlo p-value), ``p_adjusted`` and
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
    >>> out = local_moran(cells)
    >>> out.loc[44, "lisa_cluster"]
    'High-High'
    >>> out["lisa_cluster"].value_counts()["High-High"]
    np.int64(5)
    """
    options = (permutations, alternative, correction, alpha, random_state, min_share)
    run = _test(units, column, local_moran_arrays, neighbors, *options, non_negative=False)
    res, tested, n_all = run.res, run.tested, run.n_all
    p_adj = adjust_pvalues(res.p_sim, correction)
    sig = np.isfinite(p_adj) & (p_adj < alpha)
    names = np.array(["", "High-High", "Low-High", "Low-Low", "High-Low"], dtype=object)
    labels = np.full(n_all, "not_significant", dtype=object)
    labels[tested if tested is not None else slice(None)] = np.where(
        sig, names[res.q], "not_significant"
    )
    out = units.copy()
    out["moran_i"] = _expand(res.i, tested, n_all)
    out["moran_q"] = _expand(res.q, tested, n_all) if tested is not None else res.q
    out["moran_z_sim"] = _expand(res.z_sim, tested, n_all)
    out["p_value"] = _expand(res.p_sim, tested, n_all)
    if res.method == "permutation":
        out["p_sim"] = out["p_value"].to_numpy()
    out["p_adjusted"] = _expand(p_adj, tested, n_all)
    out["lisa_cluster"] = pd.Categorical(labels, categories=list(LISA_CLUSTERS))
    return _record(out, run, run.description + ", row-standardized")
