"""Kernels, the default bandwidth and rate smoothing of :func:`hotspot.scan.density.kde`.

Kernels
-------
Every kernel is a function of ``u = d / h`` (``d`` the distance in metres, ``h``
the bandwidth in metres) normalized to integrate to 1 over the plane:

============  ==========================================  =====================
kernel        K_h(d)                                      support
============  ==========================================  =====================
quartic       3 / (π h²) · (1 − u²)²                      h (the search radius)
epanechnikov  2 / (π h²) · (1 − u²)                       h
triangular    3 / (π h²) · (1 − u)                        h
uniform       1 / (π h²)                                  h
gaussian      1 / (2π h²) · exp(−u² / 2)                  truncated, see below
============  ==========================================  =====================

For the compact kernels ``h`` is the radius beyond which an incident has no
influence (ArcGIS's "search radius"); for the gaussian ``h`` is the standard
deviation of each axis (as in scikit-learn and KDEpy). The gaussian is truncated
at :data:`GAUSSIAN_TRUNCATE` ``= 4`` bandwidths on grids (the stencil is
renormalized, so no mass is lost; the untruncated tail beyond 4 h holds
exp(−8) ≈ 0.03 % of the mass) and at :data:`GAUSSIAN_TRUNCATE_EXACT` ``= 8``
bandwidths on the exact path (relative error below 1e-13).

Default bandwidth
-----------------
``bandwidth=None`` uses the spatial variant of Silverman's rule of thumb that
ArcGIS Kernel Density uses (since 10.2.1, "How Kernel Density works"), which
uses both axes and resists spatial outliers:

    h = 0.9 · min(SD, sqrt(1 / ln 2) · D_m) · n^(−0.2)

with ``SD`` the standard distance of the incidents (sqrt of the mean squared
distance to the mean centre), ``D_m`` the median distance to the mean centre and
``n`` the number of incidents. ArcGIS uses ``h`` as the radius of its quartic
kernel; for the other kernels the value is rescaled so that the kernel has the
same standard deviation as that quartic (:data:`KERNEL_SD`), e.g. the gaussian
gets ``h_quartic / sqrt(8)``. The rule is not scikit-learn's ``"scott"`` (which
assumes standardized data) and not sfhotspot's ``bandwidth_nrd_sf`` (which, by a
bug, uses only the x axis).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from hotspot._core.meta import note_choice
from hotspot.exceptions import InvalidInputError

__all__ = [
    "GAUSSIAN_TRUNCATE",
    "GAUSSIAN_TRUNCATE_EXACT",
    "KERNELS",
    "KERNEL_SD",
    "check_kernel",
    "kernel_profile",
    "kernel_sq_integral",
    "knn_bandwidths",
    "marshall_eb",
    "note_rule_bandwidth",
    "rule_bandwidth",
    "rule_from_spread",
    "support_radius",
]

KERNELS: tuple[str, ...] = ("quartic", "gaussian", "epanechnikov", "triangular", "uniform")
"""Names of the kernels :func:`kde` accepts."""

GAUSSIAN_TRUNCATE: float = 4.0
"""The gaussian stencil of :func:`kde_grid` reaches this many bandwidths."""

GAUSSIAN_TRUNCATE_EXACT: float = 8.0
"""The exact path (:func:`kde_points`) drops gaussian terms beyond this many bandwidths."""

KERNEL_SD: dict[str, float] = {
    "quartic": math.sqrt(1 / 8),
    "epanechnikov": math.sqrt(1 / 6),
    "triangular": math.sqrt(3 / 20),
    "uniform": math.sqrt(1 / 4),
    "gaussian": 1.0,
}
"""Standard deviation of one axis of each kernel, in units of ``h``."""

# ----------------------------------------------------------------------------- kernels


def _quartic(u: np.ndarray) -> np.ndarray:
    return np.where(u < 1.0, 3.0 / np.pi * (1.0 - u * u) ** 2, 0.0)


def _epanechnikov(u: np.ndarray) -> np.ndarray:
    return np.where(u < 1.0, 2.0 / np.pi * (1.0 - u * u), 0.0)


def _triangular(u: np.ndarray) -> np.ndarray:
    return np.where(u < 1.0, 3.0 / np.pi * (1.0 - u), 0.0)


def _uniform(u: np.ndarray) -> np.ndarray:
    return np.where(u < 1.0, 1.0 / np.pi, 0.0)


def _gaussian(u: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * u * u) / (2.0 * np.pi)


_PROFILES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "quartic": _quartic,
    "gaussian": _gaussian,
    "epanechnikov": _epanechnikov,
    "triangular": _triangular,
    "uniform": _uniform,
}


def check_kernel(kernel: str) -> str:
    """Return ``kernel`` if it is one of :data:`KERNELS`, else raise InvalidInputError."""
    if kernel not in _PROFILES:
        msg = f"Unknown kernel {kernel!r}; use one of {', '.join(map(repr, KERNELS))}."
        raise InvalidInputError(msg)
    return kernel


def kernel_profile(name: str) -> Callable[[np.ndarray], np.ndarray]:
    """Return the kernel ``f(u)`` with ``K_h(d) = f(d / h) / h²`` (per m²).

    ``f`` integrates to 1 over the plane; compact kernels are zero for ``u >= 1``
    and the gaussian is not truncated here.

    Parameters
    ----------
    name
        One of :data:`KERNELS`.

    Returns
    -------
    callable
        Vectorized function of ``u = d / h`` (dimensionless, ``u >= 0``).

    Examples
    --------
    >>> f = kernel_profile("quartic")
    >>> round(float(f(np.array(0.0))) * np.pi, 6)  # 3 / π at the centre
    3.0
    >>> float(f(np.array(1.0)))
    0.0
    """
    return _PROFILES[check_kernel(name)]


def support_radius(kernel: str, *, exact: bool = False) -> float:
    """Radius, in bandwidths, beyond which ``kernel`` is zero (or truncated).

    Parameters
    ----------
    kernel
        One of :data:`KERNELS`.
    exact
        For the gaussian: the truncation of the exact path
        (:data:`GAUSSIAN_TRUNCATE_EXACT`) instead of the grid stencil's
        (:data:`GAUSSIAN_TRUNCATE`).

    Examples
    --------
    >>> support_radius("quartic"), support_radius("gaussian")
    (1.0, 4.0)
    """
    if check_kernel(kernel) == "gaussian":
        return GAUSSIAN_TRUNCATE_EXACT if exact else GAUSSIAN_TRUNCATE
    return 1.0


# ----------------------------------------------------------------------------- bandwidth


def rule_bandwidth(
    xy: np.ndarray, kernel: str = "quartic", weights: np.ndarray | None = None
) -> float:
    """Default bandwidth in metres: the spatial Silverman rule of ArcGIS.

    ``h = 0.9 · min(SD, sqrt(1/ln 2) · D_m) · n^(−0.2)`` for the quartic kernel,
    where ``SD`` is the standard distance and ``D_m`` the median distance to the
    mean centre; other kernels get the bandwidth of the same standard deviation
    (``h · KERNEL_SD["quartic"] / KERNEL_SD[kernel]``). When more than half of the
    points sit on the mean centre (``D_m = 0``), ``SD`` alone is used.

    With ``weights`` every step is weighted as ArcGIS weights it by a population
    field ("How Kernel Density works"): the weighted mean centre, the weighted
    standard distance, the weighted median distance, and ``n`` the sum of the
    weights.

    Parameters
    ----------
    xy
        ``(n, 2)`` coordinates in metres.
    kernel
        One of :data:`KERNELS`.
    weights
        Optional non-negative weight per point (e.g. harm, or incidents per point).

    Returns
    -------
    float
        Bandwidth in metres (``h`` as defined for ``kernel``).

    Raises
    ------
    InvalidInputError
        With fewer than 2 distinct points (no spread to measure).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> xy = rng.normal(0, 1000, size=(10_000, 2))
    >>> round(rule_bandwidth(xy), -1)  # 0.9 · 1000·√2 · 10000^-0.2
    200.0
    >>> round(rule_bandwidth(xy[:1000], weights=np.full(1000, 10.0)), -1)  # n = 10,000
    200.0
    """
    xy = np.asarray(xy, dtype=float)
    kernel = check_kernel(kernel)
    w = np.ones(len(xy)) if weights is None else np.asarray(weights, dtype=float)
    keep = w > 0
    xy, w = xy[keep], w[keep]
    n = float(w.sum())
    dist = np.hypot(*(xy - np.average(xy, axis=0, weights=w)).T) if len(xy) else np.zeros(0)
    sd = float(np.sqrt(np.average(dist**2, weights=w))) if len(xy) else 0.0
    if len(xy) < 2 or sd == 0.0:
        msg = (
            f"Cannot choose a bandwidth automatically from {n} incident(s) with no "
            "spatial spread; pass `bandwidth=` in metres."
        )
        raise InvalidInputError(msg)
    return rule_from_spread(sd, _weighted_median(dist, w), n, kernel)


def rule_from_spread(sd: float, median_distance: float, n: float,
                     kernel: str = "quartic") -> float:
    """Return the spatial Silverman rule's bandwidth from its statistics.

    Parameters
    ----------
    sd
        Standard distance of the points, metres.
    median_distance
        (Weighted) median distance of the points to their mean centre, metres.
    n
        Number of points, or the sum of their weights.
    kernel
        One of :data:`KERNELS`.

    Returns
    -------
    float
        Bandwidth in metres (``h`` as defined for ``kernel``). Reductions over data
        that does not fit in memory (:func:`hotspot.scale.kde`) compute the three
        statistics partition by partition and call this.

    Examples
    --------
    >>> round(rule_from_spread(1000.0, 900.0, 10_000), 1)
    142.6
    """
    dm = median_distance * math.sqrt(1.0 / math.log(2.0))
    spread = min(sd, dm) if dm > 0 else sd
    h = 0.9 * spread * n ** (-0.2)
    return h * KERNEL_SD["quartic"] / KERNEL_SD[check_kernel(kernel)]


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Median of ``values`` with ``weights`` (equal weights: ``np.median``)."""
    if np.all(weights == weights[0]):
        return float(np.median(values))
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    half = cum[-1] / 2.0
    i = int(np.searchsorted(cum, half))
    if np.isclose(cum[i], half) and i + 1 < len(order):
        return float((values[order[i]] + values[order[i + 1]]) / 2.0)
    return float(values[order[i]])


def note_rule_bandwidth(choices: dict[str, Any], h: float, kernel: str, weight: str | None,
                        n: float) -> float:
    """Round the rule's bandwidth and record it with the rule in ``choices``.

    The one wording of the automatic bandwidth, for :func:`hotspot.kde` and
    :func:`hotspot.scale.kde`.

    Parameters
    ----------
    choices
        The ``choices`` dict of the calling step (updated).
    h
        The rule's bandwidth in metres (:func:`~hotspot.scan.kernels.rule_bandwidth`).
    kernel, weight
        As for :func:`hotspot.kde`.
    n
        Number of incidents, or the sum of their weights.

    Returns
    -------
    float
        The bandwidth rounded to 4 significant digits (metres).

    Examples
    --------
    >>> c = {}
    >>> note_rule_bandwidth(c, 123.456789, "quartic", None, 500.0)
    123.5
    >>> c["bandwidth"]["reason"][:29]
    'ArcGIS spatial Silverman rule'
    """
    weighted = f"weighted by {weight!r}: " if weight else ""
    n_text = f"sum of weights {n:g}" if weight else f"{int(n)}"
    return note_choice(
        choices,
        "bandwidth",
        _round_sig(h),
        f"ArcGIS spatial Silverman rule 0.9·min(SD, √(1/ln2)·Dm)·n^-0.2 for a quartic "
        f"radius, {weighted}SD = standard distance, Dm = median distance to the mean "
        f"centre, n = {n_text}"
        + ("" if kernel == "quartic" else f"; rescaled to the same kernel SD for {kernel}"),
    )


def _round_sig(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


def knn_bandwidths(xy: np.ndarray, k: int, *, minimum: float = 0.0) -> np.ndarray:
    """Adaptive bandwidths: each point's distance to its ``k``-th nearest neighbour.

    Parameters
    ----------
    xy
        ``(n, 2)`` coordinates in metres.
    k
        Neighbour rank (the point itself is not counted); clipped to ``n − 1``.
    minimum
        Floor in metres (several incidents at one address give a distance of 0).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` bandwidths in metres.

    Examples
    --------
    >>> knn_bandwidths(np.array([[0.0, 0], [3, 0], [0, 4], [10, 0]]), 1).tolist()
    [3.0, 3.0, 4.0, 7.0]
    """
    xy = np.asarray(xy, dtype=float)
    kk = int(min(k, len(xy) - 1))
    if kk < 1:
        msg = "Adaptive bandwidths need at least 2 incidents."
        raise InvalidInputError(msg)
    dist, _ = cKDTree(xy).query(xy, k=kk + 1, workers=-1)
    return np.maximum(dist[:, kk], minimum)


_SQ_INTEGRAL = {
    "quartic": 9 / (5 * math.pi),
    "epanechnikov": 4 / (3 * math.pi),
    "triangular": 3 / (2 * math.pi),
    "uniform": 1 / math.pi,
    "gaussian": 1 / (4 * math.pi),
}


def kernel_sq_integral(kernel: str, h: float) -> float:
    """``∫ K_h(x)² dx`` over the plane, per m²; ``1 / ∫K²`` is the kernel's effective area.

    Parameters
    ----------
    kernel
        One of :data:`KERNELS`.
    h
        Bandwidth in metres.

    Examples
    --------
    >>> round(1 / kernel_sq_integral("quartic", 1.0), 4)  # 5π/9: effective area in h²
    1.7453
    """
    return _SQ_INTEGRAL[check_kernel(kernel)] / h**2


def marshall_eb(events: np.ndarray, population: np.ndarray) -> np.ndarray:
    """Global empirical Bayes rates (Marshall 1991): noisy small-population rates shrunk.

    ``r_i = events_i / population_i`` is replaced by ``r̄ + C_i (r_i − r̄)`` with
    ``r̄ = Σ events / Σ population``, ``C_i = s² / (s² + r̄ / population_i)`` and the
    method-of-moments between-unit variance ``s² = max(0, Σ p_i (r_i − r̄)² / Σ p_i −
    r̄ / mean(p))``. Units where few people live get (nearly) the overall rate, so
    they cannot top a ranking by chance; well-populated units keep their own rate.

    Parameters
    ----------
    events
        Events (incidents) per unit, non-negative.
    population
        Population at risk per unit, positive.

    Returns
    -------
    numpy.ndarray
        Smoothed rates (events per person).

    Examples
    --------
    >>> events, people = np.array([2.0, 50, 40, 5]), np.array([1.0, 1000, 1000, 400])
    >>> marshall_eb(events, people).round(4)  # raw rates 2.0, 0.05, 0.04, 0.0125
    array([0.1195, 0.0498, 0.04  , 0.0141])
    """
    events = np.asarray(events, dtype=float)
    population = np.asarray(population, dtype=float)
    rate = events / population
    overall = events.sum() / population.sum()
    s2 = np.sum(population * (rate - overall) ** 2) / population.sum()
    s2 = max(s2 - overall / population.mean(), 0.0)
    shrink = s2 / (s2 + overall / population) if s2 > 0 else np.zeros(len(rate))
    return overall + shrink * (rate - overall)
