"""Kernel density estimation (KDE) of incidents on grids or any units.

Two layers:

* array cores (public in this module, not re-exported by :mod:`hotspot`):
  :func:`kernel_profile`, :func:`support_radius`, :func:`rule_bandwidth`,
  :func:`linear_bin`, :func:`kde_grid` (FFT convolution of binned counts) and
  :func:`kde_points` (exact sum over incidents with a KD-tree);
* the GeoDataFrame function :func:`kde`, which validates, chooses the bandwidth
  and the cell size when they are not given, and returns density in
  **incidents per km²**.

Kernels and the default bandwidth are defined in :mod:`hotspot.scan.kernels`
(re-exported here): every kernel is normalized to integrate to 1 over the plane,
``h`` is the search radius of the compact kernels and the standard deviation of the
gaussian, and ``bandwidth=None`` is ArcGIS's spatial Silverman rule, weighted by
``weight=`` as ArcGIS weights it by its population field.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
from scipy import fft as sp_fft
from scipy.spatial import cKDTree

from hotspot._core.errors import warn_user
from hotspot._core.grid import (
    GridSpec,
    auto_cell_size,
    check_grid_memory,
    grid_frame,
    grid_spec_of,
)
from hotspot._core.meta import attach, note_choice
from hotspot._core.validation import (
    check_columns,
    check_geodataframe,
    check_non_empty,
    check_positive,
    check_projected,
    check_same_crs,
    numeric_column,
)
from hotspot.exceptions import HotspotWarning, InvalidInputError
from hotspot.scan._unit_points import unit_points, unit_samples
from hotspot.scan.kernels import (
    GAUSSIAN_TRUNCATE,
    GAUSSIAN_TRUNCATE_EXACT,
    KERNEL_SD,
    KERNELS,
    _round_sig,
    check_kernel,
    kernel_profile,
    kernel_sq_integral,
    knn_bandwidths,
    marshall_eb,
    note_rule_bandwidth,
    rule_bandwidth,
    support_radius,
)

__all__ = [
    "GAUSSIAN_TRUNCATE",
    "GAUSSIAN_TRUNCATE_EXACT",
    "KERNELS",
    "KERNEL_SD",
    "MAX_CELLS_WARN",
    "kde",
    "kde_grid",
    "kde_points",
    "kernel_profile",
    "knn_bandwidths",
    "linear_bin",
    "marshall_eb",
    "rule_bandwidth",
    "support_radius",
]

MAX_CELLS_WARN: int = 100_000
"""A grid built by :func:`kde` with more cells than this triggers a warning."""

_DEFAULT_K = 15
_EXACT_MAX_PAIRS = 2_000_000
_ADAPTIVE_CLASS_RATIO = 2 ** (1 / 16)
_PER_KM2 = 1e6


# ----------------------------------------------------------------------------- binning


def linear_bin(
    spec: GridSpec,
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Linear (cloud-in-cell) binning of points onto the cell centres of ``spec``.

    Each point's weight is shared between the four cell centres around it, in
    proportion to its proximity (bilinear weights), as KDEpy does. A point on a
    cell centre goes wholly to that cell. Points inside the grid but beyond the
    outermost centres give their share to the edge cell, so the binned mass
    equals the mass of the points inside the grid.

    Parameters
    ----------
    spec
        The grid.
    x, y
        Point coordinates in metres.
    weights
        Weight per point; 1 when None.

    Returns
    -------
    counts : numpy.ndarray
        ``(ny, nx)`` float array of binned mass.
    mass_outside : float
        Total weight of the points outside the grid (not binned).

    Examples
    --------
    >>> spec = GridSpec(0.0, 0.0, 10.0, 3, 1)
    >>> counts, out = linear_bin(spec, np.array([5.0, 10.0, 99.0]), np.array([5.0, 5.0, 5.0]))
    >>> counts.tolist(), out
    ([[1.5, 0.5, 0.0]], 1.0)
    """
    nx, ny = spec.nx, spec.ny
    fx = np.subtract(x, spec.x0, dtype=float)
    fx *= 1.0 / spec.cell_size
    fx -= 0.5  # position in cell-centre units
    fy = np.subtract(y, spec.y0, dtype=float)
    fy *= 1.0 / spec.cell_size
    fy -= 0.5
    w = None if weights is None else np.asarray(weights, dtype=float)
    mass_outside = 0.0
    all_inside = len(fx) == 0 or (
        fx.min() >= -0.5 and fx.max() < nx - 0.5 and fy.min() >= -0.5 and fy.max() < ny - 0.5
    )
    if not all_inside:
        inside = (fx >= -0.5) & (fx < nx - 0.5) & (fy >= -0.5) & (fy < ny - 0.5)
        mass_outside = float((~inside).sum() if w is None else w[~inside].sum())
        fx, fy = fx[inside], fy[inside]
        w = None if w is None else w[inside]
    # lower-left centre (ix, iy) in [-1, n-1] and fractional offsets; arrays reused in place
    ix = np.floor(fx)
    fx -= ix  # tx
    iy = np.floor(fy)
    fy -= iy  # ty
    width = nx + 2  # bin on a grid with a 1-cell border, folded back onto the edge cells
    iy += 1.0
    iy *= width
    iy += ix
    iy += 1.0
    flat = iy.astype(np.intp)
    if w is None:
        low = 1.0 - fy  # (1 - ty)
    else:
        fy *= w
        low = w - fy
    top_right = fx * fy
    low_right = fx * low
    low -= low_right  # (1 - tx)(1 - ty) w
    fy -= top_right  # (1 - tx) ty w
    size = (ny + 2) * width
    counts = np.bincount(flat, low, minlength=size)
    counts[1:] += np.bincount(flat, low_right, minlength=size)[:-1]
    counts[width:] += np.bincount(flat, fy, minlength=size)[:-width]
    counts[width + 1 :] += np.bincount(flat, top_right, minlength=size)[: -width - 1]
    grid = counts.reshape(ny + 2, width)
    grid[1] += grid[0]
    grid[-2] += grid[-1]
    grid[:, 1] += grid[:, 0]
    grid[:, -2] += grid[:, -1]
    return np.ascontiguousarray(grid[1:-1, 1:-1]), mass_outside


# ----------------------------------------------------------------------------- FFT core


def _stencil(cell_size: float, bandwidth: float, kernel: str, normalize: bool) -> np.ndarray:
    """Kernel at cell-centre offsets, per m² (normalized: sums to 1 / cell area)."""
    m = max(0, math.ceil(support_radius(kernel) * bandwidth / cell_size - 1e-9))
    off = np.arange(-m, m + 1, dtype=float) * cell_size
    d = np.hypot(off[:, None], off[None, :])
    u = d / bandwidth
    if kernel == "gaussian":
        values = np.where(u <= GAUSSIAN_TRUNCATE, kernel_profile("gaussian")(u), 0.0)
    else:
        values = kernel_profile(kernel)(u)
    values = values / bandwidth**2
    if normalize:
        total = values.sum()
        if total > 0:
            values = values / (total * cell_size**2)
        else:  # kernel narrower than half a cell: all mass stays in the cell
            values[m, m] = 1.0 / cell_size**2
    return values


def _fft_shape(ny: int, nx: int, m: int) -> tuple[int, int]:
    return (
        sp_fft.next_fast_len(ny + 2 * m, real=True),
        sp_fft.next_fast_len(nx + 2 * m, real=True),
    )


def _convolve_sum(pairs: list[tuple[np.ndarray, np.ndarray]], shape: tuple[int, int]) -> np.ndarray:
    """Sum of 'same'-mode linear convolutions of ``(counts, stencil)`` pairs by rFFT."""
    ny, nx = shape
    m_max = max((s.shape[0] - 1) // 2 for _, s in pairs)
    fshape = _fft_shape(ny, nx, m_max)
    acc = None
    for counts, stencil in pairs:
        m = (stencil.shape[0] - 1) // 2
        if not np.any(counts):
            continue
        # place the stencil so that its centre sits at (m_max, m_max) in the full output
        spectrum = sp_fft.rfft2(counts, s=fshape, workers=-1)
        padded = np.zeros((2 * m_max + 1, 2 * m_max + 1))
        padded[m_max - m : m_max + m + 1, m_max - m : m_max + m + 1] = stencil
        spectrum *= sp_fft.rfft2(padded, s=fshape, workers=-1)
        acc = spectrum if acc is None else acc + spectrum
    if acc is None:
        return np.zeros(shape)
    full = sp_fft.irfft2(acc, s=fshape, workers=-1)
    out = full[m_max : m_max + ny, m_max : m_max + nx]
    # FFT round-off leaves ~1e-16 relative noise where the density is 0: clear it
    peak = float(np.abs(out).max()) if out.size else 0.0
    out = np.where(out > 64 * np.finfo(float).eps * peak, out, 0.0)
    return out


def kde_grid(
    counts: np.ndarray,
    cell_size: float,
    bandwidth: float,
    kernel: str = "quartic",
    *,
    normalize: bool = True,
) -> np.ndarray:
    """Density per m² on a grid: binned counts convolved with the kernel by FFT.

    The stencil is the kernel evaluated at the offsets between cell centres,
    reaching :func:`support_radius` bandwidths. With ``normalize=True`` (default)
    it is rescaled to sum to ``1 / cell_area``, so that ``density.sum() *
    cell_area`` equals the mass of ``counts`` that stays on the array (the
    discretised kernel loses and invents no mass, whatever ``h / cell_size``);
    at cell centres it then differs from the continuous kernel by that factor,
    which tends to 1 as ``bandwidth / cell_size`` grows (within 1 % for a
    quartic with ``h >= 3`` cells). With ``normalize=False`` the stencil is the
    continuous kernel at cell-centre offsets, so the result equals
    :func:`kde_points` at cell centres exactly for points binned on centres.

    Edges: the convolution is linear (zero outside the array); mass smoothed
    beyond the edge of the array is lost. Pad ``counts`` by
    ``ceil(support_radius(kernel) * bandwidth / cell_size)`` cells to keep it.

    Parameters
    ----------
    counts
        ``(ny, nx)`` binned counts or weights (row 0 = south, as in
        :class:`~hotspot._core.grid.GridSpec`).
    cell_size
        Cell side in metres.
    bandwidth
        ``h`` in metres (see the module docstring for each kernel).
    kernel
        One of :data:`KERNELS`.
    normalize
        Rescale the stencil to conserve mass (see above).

    Returns
    -------
    numpy.ndarray
        ``(ny, nx)`` density in counts per m².

    Examples
    --------
    >>> counts = np.zeros((21, 21))
    >>> counts[10, 10] = 1.0
    >>> dens = kde_grid(counts, cell_size=10.0, bandwidth=50.0)
    >>> round(float(dens.sum() * 100.0), 12)  # integrates to the one incident
    1.0
    """
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2:
        msg = f"`counts` must be a 2-D (ny, nx) array, got shape {counts.shape}."
        raise InvalidInputError(msg)
    check_positive(cell_size, "cell_size", "metres")
    check_positive(bandwidth, "bandwidth", "metres")
    stencil = _stencil(float(cell_size), float(bandwidth), check_kernel(kernel), normalize)
    return _convolve_sum([(counts, stencil)], counts.shape)


def _bandwidth_classes(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group bandwidths into geometric classes of ratio 2^(1/16); (class index, class h)."""
    lo = float(h.min())
    idx = np.floor(np.log(h / lo) / np.log(_ADAPTIVE_CLASS_RATIO) + 1e-12).astype(np.int64)
    centres = lo * _ADAPTIVE_CLASS_RATIO ** (np.arange(idx.max() + 1) + 0.5)
    return idx, centres


def _kde_grid_adaptive(
    spec: GridSpec,
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    h: np.ndarray,
    kernel: str,
) -> np.ndarray:
    """Adaptive KDE on a grid: points bucketed by bandwidth, one FFT stencil per class."""
    idx, centres = _bandwidth_classes(h)
    order = np.argsort(idx, kind="stable")
    bounds = np.searchsorted(idx[order], np.arange(len(centres) + 1))
    pairs = []
    for c, hc in enumerate(centres):
        sel = order[bounds[c] : bounds[c + 1]]
        if len(sel) == 0:
            continue
        counts, _ = linear_bin(spec, x[sel], y[sel], weights[sel])
        pairs.append((counts, _stencil(spec.cell_size, float(hc), kernel, True)))
    return _convolve_sum(pairs, spec.shape)


# ----------------------------------------------------------------------------- exact core


def kde_points(
    xy_data: np.ndarray,
    xy_eval: np.ndarray,
    bandwidth: float | np.ndarray,
    kernel: str = "quartic",
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Exact KDE: density per m² at ``xy_eval`` summed over every data point.

    Pairs closer than the kernel's support are found with KD-trees
    (``cKDTree.sparse_distance_matrix``), in chunks of evaluation points; the
    gaussian is truncated at :data:`GAUSSIAN_TRUNCATE_EXACT` bandwidths.

    Parameters
    ----------
    xy_data
        ``(n, 2)`` incident coordinates in metres.
    xy_eval
        ``(m, 2)`` coordinates where the density is wanted.
    bandwidth
        ``h`` in metres: a scalar, or an ``(n,)`` array of per-incident
        bandwidths (adaptive KDE, "sample-point" estimator).
    kernel
        One of :data:`KERNELS`.
    weights
        ``(n,)`` weight per incident; 1 when None.

    Returns
    -------
    numpy.ndarray
        ``(m,)`` density in (weighted) incidents per m².

    Examples
    --------
    >>> dens = kde_points(np.array([[0.0, 0.0]]), np.array([[0.0, 0.0], [50.0, 0.0]]), 100.0)
    >>> (dens * np.pi * 100.0**2 / 3).round(4).tolist()  # quartic: 3/(πh²)·(1−u²)²
    [1.0, 0.5625]
    """
    xy_data = np.asarray(xy_data, dtype=float).reshape(-1, 2)
    xy_eval = np.asarray(xy_eval, dtype=float).reshape(-1, 2)
    kernel = check_kernel(kernel)
    n = len(xy_data)
    h = np.broadcast_to(np.asarray(bandwidth, dtype=float), (n,))
    if n and (not np.all(np.isfinite(h)) or h.min() <= 0):
        msg = "`bandwidth` must be finite and > 0 (metres)."
        raise InvalidInputError(msg)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    out = np.zeros(len(xy_eval))
    if n == 0 or len(xy_eval) == 0:
        return out
    reach = support_radius(kernel, exact=True)
    profile = kernel_profile(kernel)
    tree_eval = cKDTree(xy_eval)
    # a handful of bandwidth classes so that a few wide kernels do not widen every query
    idx, _ = _bandwidth_classes(h) if np.ptp(h) > 0 else (np.zeros(n, np.int64), None)
    groups = np.unique(idx // 16)
    for g in groups:
        sel = np.flatnonzero(idx // 16 == g)
        hs, ws, pts = h[sel], w[sel], xy_data[sel]
        radius = reach * float(hs.max())
        tree_data = cKDTree(pts)
        n_near = tree_data.query_ball_point(xy_eval, radius, return_length=True, workers=-1)
        for lo, hi in _chunks(n_near, 5_000_000):
            sub = cKDTree(xy_eval[lo:hi]) if (lo, hi) != (0, len(xy_eval)) else tree_eval
            pairs = sub.sparse_distance_matrix(tree_data, radius, output_type="ndarray")
            if len(pairs) == 0:
                continue
            i, j, d = pairs["i"], pairs["j"], pairs["v"]
            hj = hs[j]
            u = d / hj
            keep = u < reach if kernel != "gaussian" else u <= reach
            val = np.where(keep, profile(u) * ws[j] / (hj * hj), 0.0)
            out[lo:hi] += np.bincount(i, val, minlength=hi - lo)
    return out


def _chunks(lengths: np.ndarray, budget: int) -> list[tuple[int, int]]:
    """Split ``range(len(lengths))`` into contiguous chunks of about ``budget`` pairs."""
    csum = np.cumsum(np.asarray(lengths, dtype=np.int64))
    total = int(csum[-1]) if len(csum) else 0
    if total <= budget:
        return [(0, len(lengths))]
    cuts = np.searchsorted(csum, np.arange(budget, total, budget), side="right")
    edges = np.unique(np.concatenate([[0], cuts, [len(lengths)]]))
    return list(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True))


# ----------------------------------------------------------------------------- GeoDataFrame layer


def kde(
    incidents: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame | None = None,
    *,
    cell_size: float | None = None,
    bandwidth: float | None = None,
    kernel: str = "quartic",
    weight: str | None = None,
    adaptive: bool = False,
    k: int | None = None,
    population: Any = None,
    population_column: str = "population",
    method: str = "auto",
) -> gpd.GeoDataFrame:
    """Kernel density of incidents, in incidents per km², on a grid or on any units.

    Parameters
    ----------
    incidents
        Points in a projected CRS in metres (see :func:`hotspot.read_incidents`).
    units
        Where to estimate the density. None: a new square grid over the incidents,
        padded by the kernel's reach so that no mass leaves it. A square grid made
        by :func:`hotspot.grid` (or :func:`hotspot._core.grid.grid_frame`): the density
        of each cell, by FFT, counting incidents outside the grid that are within
        reach. Any other units: the exact density averaged over each polygon
        (on a lattice of ``h / 4`` clipped to it, so a large or irregular precinct
        gets its mean, not its centroid's value; a polygon too small to hold a
        lattice point uses its centroid), at the point itself, or at the midpoint
        of a line. Units with an ``inside_share`` column (``hs.grid(...,
        study_area=...)``) get an edge correction: the density is divided by the
        share of the kernel that falls inside the study area (Diggle 1985; at
        least :data:`MIN_KERNEL_INSIDE`), so the surface does not fade towards the
        boundary; ``attrs`` records it.
    cell_size
        Cell side in metres of the grid made when ``units`` is None. None: the
        shorter side of the incidents' bounding box / 50 (sfhotspot's rule), or
        ``bandwidth / 2`` when smaller, rounded down to 1, 2, 2.5 or 5 × 10^k m.
    bandwidth
        ``h`` in metres: the search radius of the compact kernels, the standard
        deviation of the gaussian. None: the spatial Silverman rule of ArcGIS
        (see :func:`rule_bandwidth`). With ``adaptive=True`` it is the smallest
        bandwidth allowed (default: the cell size on grids, a tenth of the rule's
        bandwidth on other units).
    kernel
        ``"quartic"`` (default, as in ArcGIS and CrimeStat), ``"gaussian"``,
        ``"epanechnikov"``, ``"triangular"`` or ``"uniform"``.
    weight
        Name of a column of non-negative weights (e.g. harm); the density then
        integrates to the sum of the weights instead of the number of incidents,
        and the default bandwidth rule is weighted as ArcGIS weights it by its
        population field (weighted centre and distances, ``n`` = sum of weights).
    adaptive
        Adaptive ("sample-point") KDE: each incident's bandwidth is the distance to
        its ``k``-th nearest other incident (floored, see ``bandwidth``). On grids
        the incidents are grouped into bandwidth classes of ratio 2^(1/16) (each
        incident's bandwidth is off by at most ±2.2 %), one FFT per class.
    k
        Neighbour rank for ``adaptive``; None: 15 (open_cp's default).
    population
        Points (or polygons, e.g. census blocks) with a ``population_column``, in
        the incidents' CRS. Adds a dual-KDE risk surface: ``kde_population``
        (residents per km², same kernel and bandwidth), ``risk_raw = kde /
        kde_population`` and ``risk`` (incidents per resident), the raw ratio
        smoothed by global empirical Bayes (Marshall 1991; see
        :func:`~hotspot.scan.kernels.marshall_eb`)
        over the incidents and residents within the kernel's effective area
        ``1 / ∫K²`` (1.75 h² for the quartic): where few people live the rate is
        pulled to the overall rate, so near-empty cells do not top the ranking.
        Both are NaN where the smoothed population is below one resident's peak
        density ``K_h(0)`` (e.g. 3 / (π h²) for the quartic). Not available with
        ``adaptive=True``.
    population_column
        Name of the population column of ``population``.
    method
        ``"fft"`` (grids only): linear binning then FFT convolution; the cell
        values integrate to the number of incidents exactly (to round-off), and
        differ from the exact KDE at cell centres by the binning error: per
        incident at most about ``(cell / h)² · K_h(0)`` for the quartic and
        ``0.25 (cell / h)² · K_h(0)`` for the gaussian (measured, tested), but
        ``0.45 (cell / h) · K_h(0)`` for the epanechnikov and triangular kernels,
        whose kinks make binning first-order. The errors of many incidents add
        up where locations are snapped to the same points (block addresses),
        so budget 2–3 % of the peak at h = 4 cells. ``"exact"``: the kernel summed
        over every incident at each cell centre or unit point; no binning
        error, but on grids the values integrate to the number of incidents only
        to the accuracy of a Riemann sum (about 1e-4 relative for h >= 2 cells).
        ``"auto"`` (default): exact on units that are not a square grid and on
        grids for small inputs (bandwidth >= cell and at most 2 million
        incident-cell pairs), FFT otherwise.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``units`` (or the new grid, index ``unit_id`` with ``row`` and
        ``col``) with column ``kde`` (incidents, or weight, per km²) and, with
        ``population``, ``kde_population``, ``risk_raw`` and ``risk``. ``attrs["hotspot"]["kde"]``
        holds the parameters, the automatic choices and why, ``bandwidth``,
        ``kernel``, ``cell_size``, ``method`` and, on grids, ``mass_on_grid`` (share
        of the incidents' mass inside the returned cells).

    Raises
    ------
    CRSError
        If a frame is not in a projected CRS in metres, or the CRSs differ.
    InvalidInputError
        For an unknown kernel or method, a bad weight/population column, or a
        non-positive bandwidth or cell size.

    Warns
    -----
    HotspotWarning
        When the bandwidth is smaller than the cell size (the surface is then
        blocky and depends on where the grid falls), or when the grid built here
        has more than 100,000 cells.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspot.scan.density import kde
    >>> rng = np.random.default_rng(1)
    >>> xy = rng.normal(0, 300, size=(500, 2))
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*xy.T), crs="EPSG:32616")
    >>> surface = kde(pts, bandwidth=200.0, cell_size=50.0, method="fft")
    >>> meta = surface.attrs["hotspot"]["kde"]
    >>> meta["method"], meta["bandwidth"]
    ('fft', 200.0)
    >>> round(float(surface["kde"].sum() * 0.05**2), 6)  # km² per cell: integrates to n
    500.0
    """
    kernel, bandwidth, cell_size = _check_kde_args(
        incidents, units, kernel, method, adaptive, population, bandwidth, cell_size
    )
    choices: dict[str, Any] = {}
    xy = _point_xy(incidents, "incidents")
    w = _weights(incidents, weight, "incidents", "weight")
    h_fixed = bandwidth if bandwidth is not None else _rule_choice(xy, w, weight, kernel, choices)
    if adaptive:
        k = _auto_k(k, choices)
    result, spec, cell_size = _evaluation_units(
        incidents, units, xy, cell_size, h_fixed, kernel, adaptive, k, bandwidth, choices
    )
    if spec is None and method == "fft":
        msg = (
            "method='fft' needs square-grid units (from hs.grid or units=None); "
            "these units are not a grid: use method='auto' or 'exact'."
        )
        raise InvalidInputError(msg)
    h_points = (
        _adaptive_bandwidths(xy, k, bandwidth, spec, h_fixed, choices) if adaptive else h_fixed
    )
    if method == "auto":
        method = _auto_method(spec, len(xy), h_points, kernel, choices)
    _warn_blocky(spec, float(np.min(h_points)))
    target = _Target(result, spec, units is not None, method, h_points, kernel)
    values, mass_on_grid = target.density(xy, w)
    edge = _edge_correction(result, target) if units is not None else None
    result["kde"] = values if edge is None else values / edge["inside"]
    extra: dict[str, Any] = {
        "bandwidth": h_fixed if not adaptive else _adaptive_summary(h_points, k),
        "kernel": kernel,
        "cell_size": None if spec is None else float(spec.cell_size),
        "method": method,
        "n_incidents": len(xy),
        "total_weight": float(w.sum()),
        "density_units": ("weight" if weight else "incidents") + " per km²",
    }
    if edge is not None:
        extra["edge_correction"] = edge["note"]
    if spec is not None:
        extra["mass_on_grid"] = mass_on_grid
    else:
        extra["polygon_value"] = target.polygon_note
    if population is not None:
        extra.update(
            _risk_columns(result, incidents, population, population_column, target, edge)
        )
    params = {
        "cell_size": cell_size,
        "bandwidth": bandwidth,
        "kernel": kernel,
        "weight": weight,
        "adaptive": adaptive,
        "k": k,
        "population": None if population is None else f"{len(population)} features",
        "population_column": population_column if population is not None else None,
        "method": method,
        "units": "grid built by kde" if units is None else f"{len(units)} units",
    }
    return attach(result, "kde", params, choices, **extra)


def _check_kde_args(
    incidents: Any,
    units: Any,
    kernel: str,
    method: str,
    adaptive: bool,
    population: Any,
    bandwidth: float | None,
    cell_size: float | None,
) -> tuple[str, float | None, float | None]:
    """Validate the arguments of :func:`kde`; return the kernel, bandwidth and cell size."""
    check_geodataframe(incidents, "incidents")
    check_non_empty(incidents, "incidents")
    check_projected(incidents, "incidents")
    kernel = check_kernel(kernel)
    if method not in ("auto", "fft", "exact"):
        msg = f"Unknown method {method!r}; use 'auto', 'fft' or 'exact'."
        raise InvalidInputError(msg)
    if adaptive and population is not None:
        msg = (
            "`population=` needs a fixed bandwidth (both surfaces of a risk ratio must be "
            "smoothed alike); call kde(..., adaptive=False, population=...)."
        )
        raise InvalidInputError(msg)
    if bandwidth is not None:
        check_positive(bandwidth, "bandwidth", "metres")
        bandwidth = float(bandwidth)
    if cell_size is not None:
        check_positive(cell_size, "cell_size", "metres")
        if units is not None:
            msg = "`cell_size` is only used when `units` is None (a grid is built)."
            raise InvalidInputError(msg)
        cell_size = float(cell_size)
    return kernel, bandwidth, cell_size


def _rule_choice(
    xy: np.ndarray, w: np.ndarray, weight: str | None, kernel: str, choices: dict[str, Any]
) -> float:
    """Return the rule-of-thumb bandwidth (weighted by ``weight``), noted in ``choices``."""
    h = rule_bandwidth(xy, kernel, w if weight else None)
    return note_rule_bandwidth(choices, h, kernel, weight,
                               float(w.sum()) if weight else float(len(xy)))


def _evaluation_units(
    incidents: Any,
    units: Any,
    xy: np.ndarray,
    cell_size: float | None,
    h_fixed: float,
    kernel: str,
    adaptive: bool,
    k: int | None,
    bandwidth: float | None,
    choices: dict[str, Any],
) -> tuple[Any, GridSpec | None, float | None]:
    """Return the frame to fill (a copy of ``units`` or a padded grid), its spec, cell."""
    if units is None:
        if cell_size is None:
            bounds = (*xy.min(axis=0), *xy.max(axis=0))
            cell_size = auto_cell_size(bounds, choices, bandwidth=h_fixed)
        h_reach = h_fixed
        if adaptive:
            floor = bandwidth if bandwidth is not None else cell_size
            h_reach = float(knn_bandwidths(xy, k, minimum=floor).max())
        spec = _grid_over(xy, cell_size, support_radius(kernel) * h_reach + cell_size)
        return grid_frame(spec, incidents.crs), spec, cell_size
    check_geodataframe(units, "units")
    check_projected(units, "units")
    check_same_crs(incidents, units, "incidents", "units")
    spec = grid_spec_of(units)
    return units.copy(), spec, (spec.cell_size if spec is not None else cell_size)


def _adaptive_bandwidths(
    xy: np.ndarray,
    k: int,
    bandwidth: float | None,
    spec: GridSpec | None,
    h_fixed: float,
    choices: dict[str, Any],
) -> np.ndarray:
    """Each incident's k-NN bandwidth with the documented floor (recorded in ``choices``)."""
    if bandwidth is not None:
        floor = bandwidth
    elif spec is not None:
        floor = note_choice(
            choices, "min_bandwidth", float(spec.cell_size), "the cell size (adaptive floor)"
        )
    else:
        floor = note_choice(
            choices,
            "min_bandwidth",
            _round_sig(h_fixed / 10),
            "a tenth of the rule-of-thumb bandwidth (adaptive floor)",
        )
    return knn_bandwidths(xy, k, minimum=floor)


def _warn_blocky(spec: GridSpec | None, h_min: float) -> None:
    if spec is not None and h_min < spec.cell_size:
        warn_user(
            f"The bandwidth ({h_min:g} m) is smaller than the cell size "
            f"({spec.cell_size:g} m): the surface is blocky and depends on where the grid "
            "falls. Use a larger bandwidth or smaller cells.",
            HotspotWarning,
        )


class _Target:
    """Where :func:`kde` evaluates: grid cells (FFT or exact) or other units."""

    def __init__(
        self,
        result: Any,
        spec: GridSpec | None,
        given: bool,
        method: str,
        h: float | np.ndarray,
        kernel: str,
    ) -> None:
        self.spec, self.given, self.method, self.h, self.kernel = spec, given, method, h, kernel
        self.polygon_note = None
        if spec is not None:
            self.rows, self.cols = result["row"].to_numpy(), result["col"].to_numpy()
            return
        self.points, self.owner, self.polygon_note = unit_samples(result, float(np.max(h)))
        self.n_units = len(result)

    def density(self, pts: np.ndarray, wts: np.ndarray) -> tuple[np.ndarray, float]:
        """Density per km² at the units and the share of mass on them (grids)."""
        spec = self.spec
        if spec is None:
            at = kde_points(pts, self.points, self.h, self.kernel, wts)
            total = np.bincount(self.owner, weights=at, minlength=self.n_units)
            n = np.bincount(self.owner, minlength=self.n_units)
            return total / n * _PER_KM2, np.nan
        if self.method == "exact":
            xs, ys = spec.centres()
            ev = np.column_stack([xs[self.cols], ys[self.rows]])
            dens = kde_points(pts, ev, self.h, self.kernel, wts)
        else:
            grid = _fft_on_grid(spec, self.given, pts, wts, self.h, self.kernel)
            dens = grid[self.rows, self.cols]
        mass = float(dens.sum() * spec.cell_area / wts.sum()) if wts.sum() > 0 else np.nan
        return dens * _PER_KM2, mass


MIN_KERNEL_INSIDE = 0.25
"""Floor of the kernel share inside the study area used by the KDE edge correction."""


def _edge_correction(result: Any, target: _Target) -> dict[str, Any] | None:
    """Share of each unit's kernel inside the study area, from ``inside_share`` (Diggle 1985).

    Each unit stands for ``area * inside_share`` m² of study area at its centroid; the
    kernel mass on that area seen from a unit is the KDE of those areas. Dividing the
    density by it (floored at :data:`MIN_KERNEL_INSIDE`) undoes the loss of kernel mass
    beyond the boundary, so random points inside an irregular area give a flat surface up
    to the edge. None when the units have no ``inside_share`` column.
    """
    if "inside_share" not in result.columns:
        return None
    share = result["inside_share"].to_numpy(dtype=float, na_value=np.nan)
    if not (np.isfinite(share) & (share >= 0) & (share <= 1 + 1e-9)).all():
        msg = "column 'inside_share' must hold shares in [0, 1] (from hs.grid(study_area=...))."
        raise InvalidInputError(msg)
    mass = share * result.geometry.area.to_numpy()
    inside, _ = target.density(unit_points(result), mass)
    inside = np.clip(inside / _PER_KM2, MIN_KERNEL_INSIDE, 1.0)
    note = (
        "divided by the share of each unit's kernel inside the study area (from "
        f"inside_share; floor {MIN_KERNEL_INSIDE}): {int((inside < 0.99).sum())} units near "
        "the boundary corrected"
    )
    return {"inside": inside, "note": note}


def _risk_columns(
    result: Any,
    incidents: Any,
    population: Any,
    column: str,
    target: _Target,
    edge: dict[str, Any] | None,
) -> dict[str, Any]:
    """Add ``kde_population``, ``risk_raw`` and the smoothed ``risk`` to ``result``."""
    check_geodataframe(population, "population")
    check_projected(population, "population")
    check_same_crs(incidents, population, "incidents", "population")
    check_columns(population, [column], "population")
    pop_w = _weights(population, column, "population", "population_column")
    pop_values, _ = target.density(unit_points(population), pop_w)
    if edge is not None:  # corrected like the incidents, so the ratio is unchanged
        pop_values = pop_values / edge["inside"]
    h = float(target.h)
    floor = float(kernel_profile(target.kernel)(np.array(0.0)) / h**2 * _PER_KM2)
    crime = result["kde"].to_numpy()
    lived = pop_values >= floor
    # people and incidents "at risk" in the kernel's effective area 1 / ∫K²
    area_km2 = 1.0 / kernel_sq_integral(target.kernel, h) / _PER_KM2
    risk = np.full(len(crime), np.nan)
    risk[lived] = marshall_eb(crime[lived] * area_km2, pop_values[lived] * area_km2)
    result["kde_population"] = pop_values
    with np.errstate(divide="ignore", invalid="ignore"):
        result["risk_raw"] = np.where(lived, crime / pop_values, np.nan)
    result["risk"] = risk
    return {
        "risk_min_population_density": floor,
        "risk_smoothing": (
            "Marshall (1991) global empirical Bayes: each unit's rate is shrunk towards the "
            "overall rate in proportion to how few people live within the kernel's "
            f"effective area ({area_km2:.3g} km²)"
        ),
        "total_population": float(pop_w.sum()),
    }


def _auto_method(
    spec: GridSpec | None,
    n: int,
    h: float | np.ndarray,
    kernel: str,
    choices: dict[str, Any],
) -> str:
    """Exact on other units and on grids when cheap, FFT on grids otherwise."""
    if spec is None:
        reason = "units are not a square grid: exact kernel sum at one point per unit"
        return note_choice(choices, "method", "exact", reason)
    h_med = float(np.median(h))
    reach_cells = support_radius(kernel) * h_med / spec.cell_size
    pairs = n * math.pi * reach_cells**2
    if float(np.min(h)) >= spec.cell_size and pairs <= _EXACT_MAX_PAIRS:
        reason = (
            f"small input (about {pairs:,.0f} incident-cell pairs <= {_EXACT_MAX_PAIRS:,}): "
            "exact kernel sum at cell centres"
        )
        return note_choice(choices, "method", "exact", reason)
    reason = (
        "large input: linear binning and FFT convolution"
        if pairs > _EXACT_MAX_PAIRS
        else "bandwidth below the cell size: binned FFT keeps the mass of every incident"
    )
    return note_choice(choices, "method", "fft", reason)


def _work_grid(spec: GridSpec, extend: bool, h_max: float, kernel: str) -> tuple[GridSpec, int]:
    """Return the binning grid (``spec`` padded by the kernel's reach) and the pad in cells."""
    pad = math.ceil(support_radius(kernel) * h_max / spec.cell_size) + 1 if extend else 0
    work = GridSpec(
        spec.x0 - pad * spec.cell_size,
        spec.y0 - pad * spec.cell_size,
        spec.cell_size,
        spec.nx + 2 * pad,
        spec.ny + 2 * pad,
    )
    return work, pad


def _fft_on_grid(
    spec: GridSpec,
    extend: bool,
    xy: np.ndarray,
    w: np.ndarray,
    h: float | np.ndarray,
    kernel: str,
) -> np.ndarray:
    """FFT density per m² on ``spec``; bins on a grid extended by the kernel's reach."""
    h_max = float(np.max(h))
    work, pad = _work_grid(spec, extend, h_max, kernel)
    if np.ndim(h) == 0:
        counts, _ = linear_bin(work, xy[:, 0], xy[:, 1], w)
        dens = kde_grid(counts, work.cell_size, h_max, kernel)
    else:
        dens = _kde_grid_adaptive(work, xy[:, 0], xy[:, 1], w, np.asarray(h), kernel)
    return dens[pad : pad + spec.ny, pad : pad + spec.nx]


def _point_xy(gdf: Any, name: str) -> np.ndarray:
    """``(n, 2)`` coordinates of a frame of points; an error naming the first bad row."""
    import shapely

    geoms = np.asarray(gdf.geometry.array)
    try:
        xy = np.column_stack([shapely.get_x(geoms), shapely.get_y(geoms)])
        bad = np.zeros(len(xy), bool) if np.isfinite(xy.sum()) else ~np.isfinite(xy).all(axis=1)
    except (shapely.errors.GEOSException, TypeError):
        xy = None
        bad = (shapely.get_type_id(geoms) != 0) | shapely.is_empty(geoms)
    if xy is None or bad.any():
        pos = int(np.flatnonzero(bad)[0]) if bad.any() else 0
        msg = (
            f"`{name}` must hold one non-empty Point with finite coordinates per row; "
            f"{int(bad.sum())} rows do not (first: index {gdf.index[pos]!r}). Use "
            "`hs.read_incidents(...)`, which drops and reports such rows."
        )
        raise InvalidInputError(msg)
    return xy


def _weights(gdf: Any, column: str | None, name: str, arg: str) -> np.ndarray:
    """Return validated non-negative weights (ones when ``column`` is None)."""
    if column is None:
        return np.ones(len(gdf))
    return numeric_column(gdf, column, name, what=f"`{arg}` weights")


def _auto_k(k: int | None, choices: dict[str, Any]) -> int:
    if k is None:
        if "k" in choices:
            return int(choices["k"]["value"])
        return note_choice(choices, "k", _DEFAULT_K, "open_cp's default neighbour rank")
    if not isinstance(k, int | np.integer) or k < 1:
        msg = f"`k` must be a positive integer, got {k!r}."
        raise InvalidInputError(msg)
    return int(k)




def _grid_over(xy: np.ndarray, cell_size: float, pad: float) -> GridSpec:
    """Grid anchored on multiples of ``cell_size`` covering the points padded by ``pad``."""
    minx, miny = xy.min(axis=0) - pad
    maxx, maxy = xy.max(axis=0) + pad
    x0 = math.floor(minx / cell_size) * cell_size
    y0 = math.floor(miny / cell_size) * cell_size
    spec = GridSpec.from_bounds((x0, y0, maxx, maxy), cell_size)
    check_grid_memory(spec.nx, spec.ny, cell_size, "kde", "incidents")
    if spec.n_cells > MAX_CELLS_WARN:
        warn_user(
            f"The KDE grid has {spec.n_cells:,} cells ({spec.nx} × {spec.ny} of "
            f"{cell_size:g} m), more than {MAX_CELLS_WARN:,}; pass a larger `cell_size` "
            "for maps and statistics, or check for stray incidents far from the rest.",
            HotspotWarning,
        )
    return spec


def _adaptive_summary(h: float | np.ndarray, k: int | None) -> dict[str, Any]:
    arr = np.asarray(h, dtype=float)
    return {
        "k": k,
        "min": float(arr.min()),
        "median": float(np.median(arr)),
        "max": float(arr.max()),
    }
