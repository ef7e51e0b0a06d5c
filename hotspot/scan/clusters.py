"""Point clusters: any scikit-learn clusterer, CrimeStat's NNH, and cluster hulls.

Three functions turn incident points into clusters and clusters into polygons:

- :func:`cluster_points` runs any scikit-learn style clusterer (default
  :class:`sklearn.cluster.HDBSCAN`) on the projected coordinates in metres, so that
  ``DBSCAN(eps=150, min_samples=10)`` means "150 metres".
- :func:`nnh` is the nearest-neighbour hierarchical clustering of CrimeStat
  (Levine, CrimeStat IV manual, Part III ch. 7), which analysts trained on CrimeStat
  expect: points closer than a threshold distance derived from the random
  expectation of the nearest-neighbour distance are linked, and linked groups with
  at least ``min_points`` incidents are clusters.
- :func:`cluster_hulls` turns a ``cluster`` column into one convex or concave hull
  per cluster with its count and area.

Every function returns a new frame and records its parameters and automatic
choices in ``attrs["hotspot"]``. Noise is labelled ``-1``; clusters are numbered
by size, ``0`` being the largest.
"""

from __future__ import annotations

import copy
import inspect
import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse, stats
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from hotspot._core.deprecation import renamed_arguments
from hotspot._core.meta import attach, note_choice
from hotspot._core.validation import (
    check_columns,
    check_geodataframe,
    check_non_empty,
    check_points,
    check_projected,
    numeric_column,
    point_coords,
)
from hotspot.exceptions import InputTypeError, InvalidInputError

__all__ = [
    "cluster_hulls",
    "cluster_points",
    "default_min_cluster_size",
    "nn_random_expectation",
    "nnh",
    "nnh_threshold",
    "relabel_by_size",
]

#: CrimeStat's constant for the standard error of the mean random NN distance.
_NN_SE_CONSTANT = 0.26136


# --------------------------------------------------------------------------- helpers


def _check_incidents(incidents: Any, name: str = "incidents") -> gpd.GeoDataFrame:
    gdf = check_geodataframe(incidents, name)
    check_non_empty(gdf, name)
    check_points(gdf, name)
    check_projected(gdf, name)
    return gdf


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber cluster labels by size, largest first; negative labels become ``-1``.

    Ties in size keep the order of the original labels.

    Parameters
    ----------
    labels
        Integer labels, one per point; negative values mean noise.

    Returns
    -------
    numpy.ndarray
        ``int64`` labels where ``0`` is the largest cluster.

    Examples
    --------
    >>> relabel_by_size(np.array([5, 5, -1, 2, 2, 2, 7])).tolist()
    [1, 1, -1, 0, 0, 0, 2]
    """
    labels = np.asarray(labels)
    out = np.full(labels.shape, -1, dtype=np.int64)
    valid = labels >= 0
    if not valid.any():
        return out
    uniq, inverse, counts = np.unique(labels[valid], return_inverse=True, return_counts=True)
    order = np.lexsort((np.arange(len(uniq)), -counts))  # size desc, then label
    new_of_old = np.empty(len(uniq), dtype=np.int64)
    new_of_old[order] = np.arange(len(uniq))
    out[valid] = new_of_old[inverse]
    return out


def default_min_cluster_size(n: int) -> int:
    """Default HDBSCAN ``min_cluster_size`` for ``n`` incidents: ``max(20, ceil(0.005 n))``.

    A cluster must hold at least 0.5 % of all incidents, and never fewer than 20.
    The proportional part keeps a city-wide data set (150,000 assaults -> 750) from
    producing thousands of micro-clusters no one can patrol; the floor keeps small
    samples from reporting clusters that chance alone produces in a sparse uniform
    background (with a floor of 10, HDBSCAN found 1-2 such spurious clusters among
    300 uniform points in the test suite; with 20, at most one and usually none).

    Examples
    --------
    >>> default_min_cluster_size(500), default_min_cluster_size(150_000)
    (20, 750)
    """
    return int(max(20, math.ceil(0.005 * n)))


def _default_clusterer(n: int, choices: dict[str, Any]) -> Any:
    from sklearn.cluster import HDBSCAN

    mcs = note_choice(
        choices,
        "min_cluster_size",
        default_min_cluster_size(n),
        f"HDBSCAN default: max(20, ceil(0.005 * n)) for n = {n} incidents",
    )
    ms = note_choice(
        choices,
        "min_samples",
        min(10, mcs),
        "HDBSCAN default: 10 neighbours for the core distance (CrimeStat's 10-point "
        "minimum; larger values smooth more but make the k-NN step slow on big data)",
    )
    method = note_choice(
        choices,
        "cluster_selection_method",
        "leaf",
        "HDBSCAN default: 'leaf' (the finest clusters of the hierarchy); 'eom' tends to "
        "return one cluster covering most of a dense city",
    )
    return HDBSCAN(
        min_cluster_size=mcs, min_samples=ms, cluster_selection_method=method, copy=False
    )


def _fit_method(clusterer: Any) -> Any:
    """Return the bound ``fit_predict`` or ``fit`` of ``clusterer``, or raise TypeError."""
    if isinstance(clusterer, type):
        msg = (
            f"`clusterer` must be an instance, not the class {clusterer.__name__}: "
            f"pass `{clusterer.__name__}(...)` with its parameters."
        )
        raise InputTypeError(msg)
    for name in ("fit_predict", "fit"):
        method = getattr(clusterer, name, None)
        if callable(method):
            return method
    msg = (
        "`clusterer` must be a scikit-learn style clusterer with `fit_predict(X)`, or "
        "`fit(X)` setting `labels_` (e.g. `sklearn.cluster.DBSCAN(eps=150, "
        f"min_samples=10)`); got {type(clusterer).__name__}."
    )
    raise InputTypeError(msg)


def _accepts(method: Any, param: str) -> bool:
    try:
        sig = inspect.signature(method)
    except (TypeError, ValueError):  # pragma: no cover - builtins without signature
        return False
    return param in sig.parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values()
    )


def _prepare_clusterer(clusterer: Any, random_state: Any) -> Any:
    """Copy the user's clusterer (never mutate it) and seed it when it is random."""
    try:
        from sklearn.base import clone

        est = clone(clusterer)
    except Exception:  # duck-typed object that sklearn cannot clone
        est = copy.deepcopy(clusterer)
    if random_state is not None and hasattr(est, "get_params") and hasattr(est, "set_params"):
        try:
            if "random_state" in est.get_params(deep=False):
                seed = random_state
                if isinstance(random_state, np.random.Generator):
                    seed = int(random_state.integers(2**31 - 1))
                est.set_params(random_state=seed)
        except Exception:  # pragma: no cover - exotic estimators
            pass
    return est


def _run_clusterer(est: Any, coords: np.ndarray, sample_weight: np.ndarray | None) -> np.ndarray:
    method = _fit_method(est)
    kwargs: dict[str, Any] = {}
    if sample_weight is not None:
        if not _accepts(method, "sample_weight"):
            msg = (
                f"{type(est).__name__}.{method.__name__}() does not take `sample_weight`, "
                "so `weight=` cannot be used with it. Use a clusterer that does, e.g. "
                "`sklearn.cluster.DBSCAN(eps=150, min_samples=10)`, or drop `weight=`."
            )
            raise InvalidInputError(msg)
        kwargs["sample_weight"] = sample_weight
    result = method(coords, **kwargs)
    if method.__name__ == "fit_predict" and result is not None:
        labels = result
    else:
        labels = getattr(est, "labels_", None)
    if labels is None:
        msg = (
            f"{type(est).__name__} returned no labels: `fit_predict(X)` must return one "
            "label per point, or `fit(X)` must set `labels_`."
        )
        raise InputTypeError(msg)
    labels = np.asarray(labels)
    if labels.shape != (len(coords),) or not np.issubdtype(labels.dtype, np.integer):
        msg = (
            f"{type(est).__name__} returned labels of shape {labels.shape} and dtype "
            f"{labels.dtype}; expected {len(coords)} integer labels (-1 = noise)."
        )
        raise InputTypeError(msg)
    return labels


def _estimator_params(est: Any) -> dict[str, Any]:
    if hasattr(est, "get_params"):
        try:
            return {k: v for k, v in est.get_params(deep=False).items() if _simple(v)}
        except Exception:  # pragma: no cover
            return {}
    return {}


def _simple(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


# --------------------------------------------------------------------- cluster_points


def cluster_points(
    incidents: gpd.GeoDataFrame,
    clusterer: Any = None,
    *,
    weight: str | None = None,
    random_state: int | np.random.Generator | None = None,
) -> gpd.GeoDataFrame:
    """Cluster incident points with any scikit-learn style clusterer.

    The clusterer sees an ``(n, 2)`` array of projected x/y coordinates in
    **metres**, so distance parameters are metres: ``DBSCAN(eps=150,
    min_samples=10)`` links incidents within 150 m.

    Parameters
    ----------
    incidents
        Points in a projected CRS in metres.
    clusterer
        Any object with ``fit_predict(X)`` (or ``fit(X)`` setting ``labels_``),
        e.g. :class:`sklearn.cluster.DBSCAN`, :class:`~sklearn.cluster.HDBSCAN`,
        :class:`~sklearn.cluster.OPTICS` or :class:`~sklearn.cluster.KMeans`. It is
        copied, never modified. Default: ``HDBSCAN(min_cluster_size=max(20,
        ceil(0.005 * n)), min_samples=10,
        cluster_selection_method="leaf")`` (see :func:`default_min_cluster_size`);
        the values are logged and stored in attrs. ``"leaf"`` returns the finest,
        homogeneous-density clusters, which is what a hotspot map needs: with
        HDBSCAN's own ``"eom"`` the 15,328 Chicago aggravated assaults of 2019 came
        out as one cluster of 14,994 points.
    weight
        Optional column of non-negative incident weights (harm, counts), passed as
        ``sample_weight`` to clusterers that accept it (DBSCAN, KMeans). A clusterer
        without ``sample_weight`` raises :class:`~hotspot.InvalidInputError`.
    random_state
        Seed for clusterers that have a ``random_state`` parameter (e.g. KMeans);
        ignored by deterministic ones.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``incidents`` with an ``int64`` column ``cluster``: ``-1`` for
        noise, otherwise ``0, 1, 2, ...`` numbered by cluster size, ``0`` being the
        largest (ties keep the clusterer's order). ``attrs["hotspot"]["cluster_points"]``
        holds the clusterer's class and parameters, the number of clusters and of
        noise points.

    Raises
    ------
    TypeError
        If ``clusterer`` is not a clusterer (or is a class instead of an instance).

    Notes
    -----
    HDBSCAN gives a cluster every point attached to it when the cluster formed,
    including sparse points up to a kilometre or more from a tight group in a
    thin background, so its hulls can be wide. For tight operational outlines use
    ``DBSCAN`` with ``eps`` in metres or :func:`nnh`, whose links have a fixed
    length.

    Examples
    --------
    >>> from sklearn.cluster import DBSCAN
    >>> from hotspot.scan.clusters import cluster_points
    >>> x = np.r_[np.zeros(12), np.full(5, 1000.0)] + np.arange(17) % 3
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, np.zeros(17)), crs=32616)
    >>> out = cluster_points(pts, DBSCAN(eps=50, min_samples=5))
    >>> out["cluster"].value_counts().sort_index().to_dict()
    {0: 12, 1: 5}
    """
    gdf = _check_incidents(incidents)
    coords = point_coords(gdf)
    choices: dict[str, Any] = {}
    sample_weight = None
    if weight is not None:
        check_columns(gdf, [weight], "incidents")
        sample_weight = _weights_of(gdf, weight)
    if clusterer is None:
        est = _default_clusterer(len(gdf), choices)
        if len(gdf) < est.min_cluster_size:
            labels = np.full(len(gdf), -1, dtype=np.int64)
            note_choice(
                choices,
                "all_noise",
                True,
                f"only {len(gdf)} incidents, fewer than min_cluster_size "
                f"= {est.min_cluster_size}: every point is noise",
            )
        else:
            labels = _run_clusterer(est, coords, sample_weight)
    else:
        _fit_method(clusterer)  # TypeError early, before copying
        est = _prepare_clusterer(clusterer, random_state)
        labels = _run_clusterer(est, coords, sample_weight)
    labels = relabel_by_size(labels)
    out = gdf.copy()
    out["cluster"] = labels
    n_clusters = int(labels.max() + 1) if len(labels) else 0
    params = {
        "clusterer": type(est).__name__,
        "clusterer_params": _estimator_params(est),
        "weight": weight,
        "random_state": random_state if _simple(random_state) else repr(random_state),
    }
    return attach(
        out,
        "cluster_points",
        params,
        choices,
        n_clusters=n_clusters,
        n_noise=int((labels < 0).sum()),
    )


def _weights_of(gdf: pd.DataFrame, column: str) -> np.ndarray:
    return numeric_column(gdf, column, "incidents", what="weights")


# ------------------------------------------------------------------------------- NNH


def nn_random_expectation(area_m2: float, n: int) -> tuple[float, float]:
    """Mean nearest-neighbour distance under complete spatial randomness, and its SE.

    ``mean = 0.5 * sqrt(A / n)`` (Clark & Evans 1954) and
    ``se = 0.26136 * sqrt(A / n**2)``, the formulas CrimeStat uses; ``A`` in m².

    Examples
    --------
    >>> m, se = nn_random_expectation(1_000_000.0, 100)
    >>> round(m, 3), round(se, 4)
    (50.0, 2.6136)
    """
    if area_m2 <= 0 or n < 1:
        msg = f"area ({area_m2} m²) must be positive and n ({n}) at least 1."
        raise InvalidInputError(msg)
    return 0.5 * math.sqrt(area_m2 / n), _NN_SE_CONSTANT * math.sqrt(area_m2 / n**2)


def nnh_threshold(area_m2: float, n: int, alpha: float = 0.05) -> float:
    """CrimeStat NNH threshold distance in metres.

    The lower one-tailed confidence limit of the mean random nearest-neighbour
    distance: ``mean - t * se`` with ``t`` the ``1 - alpha`` quantile of Student's t
    with ``n - 1`` degrees of freedom (the normal quantile when ``n = 1``). A pair of
    incidents closer than this is closer than chance would make it, with a
    one-tailed probability ``alpha`` of being selected by chance.

    Examples
    --------
    >>> round(nnh_threshold(1_000_000.0, 100, 0.5), 3)  # t = 0: the mean itself
    50.0
    >>> round(nnh_threshold(1_000_000.0, 100, 0.05), 2)
    45.66
    """
    if not 0.0 < alpha < 1.0:
        msg = f"`alpha` must be between 0 and 1 (exclusive), got {alpha}."
        raise InvalidInputError(msg)
    mean, se = nn_random_expectation(area_m2, n)
    q = 1.0 - alpha
    t = stats.t.ppf(q, df=n - 1) if n > 1 else stats.norm.ppf(q)
    return float(max(mean - t * se, 0.0))


def _study_area_m2(study_area: Any, coords: np.ndarray, crs: Any, choices: dict) -> float:
    if study_area is None:
        w = float(np.ptp(coords[:, 0])) if len(coords) else 0.0
        h = float(np.ptp(coords[:, 1])) if len(coords) else 0.0
        area = w * h
        note_choice(
            choices,
            "area_m2",
            area,
            "area of the bounding rectangle of the incidents (CrimeStat's default); "
            "pass study_area= for the real area of the city",
        )
        if area <= 0:
            msg = (
                "the incidents' bounding rectangle has zero area (all on one line or "
                "point); pass `study_area=` (a polygon or an area in m²)."
            )
            raise InvalidInputError(msg)
        return area
    if isinstance(study_area, (int, float, np.integer, np.floating)):
        area = float(study_area)
    elif isinstance(study_area, (gpd.GeoDataFrame, gpd.GeoSeries)):
        check_projected(study_area, "study_area")
        if crs is not None and study_area.crs is not None and not study_area.crs.equals(crs):
            study_area = study_area.to_crs(crs)
        area = float(shapely.union_all(study_area.geometry.to_numpy()).area)
    elif isinstance(study_area, shapely.Geometry):
        area = float(study_area.area)
    else:
        msg = (
            "`study_area` must be a polygon GeoDataFrame/GeoSeries, a shapely polygon "
            f"(same CRS as the incidents) or an area in m²; got {type(study_area).__name__}."
        )
        raise InputTypeError(msg)
    if not area > 0:
        msg = f"`study_area` must have a positive area, got {area} m²."
        raise InvalidInputError(msg)
    return area


def _link_components(coords: np.ndarray, threshold: float) -> np.ndarray:
    """Component label per point of the graph linking pairs closer than ``threshold``."""
    n = len(coords)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    r = np.nextafter(threshold, 0.0) if threshold > 0 else 0.0
    pairs = cKDTree(coords).query_pairs(r=r, output_type="ndarray")
    graph = sparse.coo_array(
        (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def _nnh_level(
    coords: np.ndarray, mult: np.ndarray, threshold: float, min_points: int
) -> np.ndarray:
    """One NNH level on unique locations with multiplicities; -1 for small groups."""
    comp = _link_components(coords, threshold)
    sizes = np.bincount(comp, weights=mult)
    labels = np.where(sizes[comp] >= min_points, comp, -1)
    return labels


@renamed_arguments(confidence=("alpha", lambda c: round(1.0 - c, 12), "alpha = 1 - confidence"))
def nnh(
    incidents: gpd.GeoDataFrame,
    *,
    alpha: float = 0.05,
    distance: float | None = None,
    min_points: int = 10,
    order: int = 1,
    study_area: Any = None,
) -> gpd.GeoDataFrame:
    """Nearest-neighbour hierarchical clustering (NNH), as in CrimeStat.

    CrimeStat's NNH (Levine, CrimeStat IV manual, Part III ch. 7) groups incidents
    with two criteria:

    1. **Threshold distance.** Under complete spatial randomness the mean
       nearest-neighbour distance of ``n`` points in an area ``A`` is
       ``0.5 * sqrt(A / n)`` with standard error ``0.26136 * sqrt(A / n**2)``.
       The threshold is the lower one-tailed confidence limit
       ``mean - t * se`` (``t`` = the ``1 - alpha`` quantile of Student's t with
       ``n - 1`` df; ``alpha = 0.05`` is CrimeStat's "probability of selecting
       a pair by chance" of 5 %). Alternatively a fixed ``distance`` in metres.
    2. **Minimum number of points.** Pairs of incidents closer than the threshold
       are linked, links are chained (single linkage: two incidents are in the same
       group when a chain of close pairs joins them), and groups with at least
       ``min_points`` incidents are first-order clusters; the rest is noise.

    Higher orders repeat the procedure on the mean centres of the clusters of the
    order below (same area, ``n`` = number of clusters, the same ``alpha`` or
    ``distance`` and ``min_points`` counted in lower-order clusters), as CrimeStat
    does.

    Parameters
    ----------
    incidents
        Points in a projected CRS in metres.
    alpha
        One-tailed significance level of the threshold (0 < alpha < 1): the
        probability of selecting a pair by chance. 0.5 gives the mean random NN
        distance itself; smaller values a shorter, stricter threshold. (The old
        ``confidence`` = ``1 - alpha`` still works for one release.)
    distance
        Fixed threshold in metres; overrides ``alpha`` (CrimeStat's "fixed
        distance" option).
    min_points
        Minimum number of incidents in a first-order cluster (CrimeStat default 10),
        and of lower-order clusters in a higher-order one.
    order
        Number of levels to compute (1 = first-order clusters only).
    study_area
        Polygon(s) (GeoDataFrame/GeoSeries/shapely, same CRS) or an area in m². By
        default the bounding rectangle of the incidents, as in CrimeStat; a city
        boundary gives a more honest (larger) threshold when the rectangle is
        mostly empty.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``incidents`` with ``int64`` column ``cluster`` (first-order
        clusters, ``-1`` = noise, numbered by size, ``0`` the largest) and, for
        ``order > 1``, ``cluster_order2``, ``cluster_order3``, ... (the higher-order
        cluster of each incident's first-order cluster, ``-1`` if none).
        ``attrs["hotspot"]["nnh"]["levels"]`` lists, per order, ``threshold_m``,
        ``mean_random_nn_m``, ``se_m``, ``n_points`` and ``n_clusters``; ``area_m2``
        is the area used.

    Examples
    --------
    >>> from hotspot.scan.clusters import nnh
    >>> rng = np.random.default_rng(0)
    >>> xy = np.r_[rng.uniform(0, 5000, (200, 2)), rng.normal(2500, 20, (40, 2))]
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*xy.T), crs=32616)
    >>> out = nnh(pts, min_points=10)
    >>> int((out["cluster"] == 0).sum()) >= 40
    True
    >>> round(out.attrs["hotspot"]["nnh"]["levels"][0]["mean_random_nn_m"], 1)
    160.2
    """
    gdf = _check_incidents(incidents)
    _check_nnh_args(min_points, order, distance)
    choices: dict[str, Any] = {}
    coords = point_coords(gdf)
    area = _study_area_m2(study_area, coords, gdf.crs, choices)

    # level 1 on incidents: unique locations carrying their multiplicity
    uniq, inverse = np.unique(coords, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    pts, weights, member = uniq, np.bincount(inverse, minlength=len(uniq)).astype(float), inverse
    levels: list[dict[str, Any]] = []
    out = gdf.copy()
    for level in range(1, int(order) + 1):
        n_pts = int(weights.sum()) if level == 1 else len(pts)
        mean_nn, se = nn_random_expectation(area, max(n_pts, 1))
        thr = float(distance) if distance is not None else nnh_threshold(area, n_pts, alpha)
        per_incident = _nnh_labels(pts, weights, member, thr, int(min_points), len(gdf))
        out["cluster" if level == 1 else f"cluster_order{level}"] = per_incident
        n_cl = int(per_incident.max() + 1) if len(per_incident) else 0
        levels.append(
            {
                "order": level,
                "threshold_m": thr,
                "mean_random_nn_m": mean_nn,
                "se_m": se,
                "n_points": n_pts,
                "n_clusters": n_cl,
            }
        )
        # the next level clusters the mean centres of this level's clusters
        pts, weights, member = _mean_centres(coords, per_incident, n_cl)

    params = {
        "alpha": alpha,
        "distance": distance,
        "min_points": int(min_points),
        "order": int(order),
        "study_area": None if study_area is None else "given",
    }
    return attach(out, "nnh", params, choices, area_m2=area, levels=levels)


def _check_nnh_args(min_points: int, order: int, distance: float | None) -> None:
    if int(min_points) < 2:
        msg = f"`min_points` must be at least 2, got {min_points}."
        raise InvalidInputError(msg)
    if int(order) < 1:
        msg = f"`order` must be at least 1, got {order}."
        raise InvalidInputError(msg)
    if distance is not None and not distance > 0:
        msg = f"`distance` must be a positive number of metres, got {distance}."
        raise InvalidInputError(msg)


def _nnh_labels(
    pts: np.ndarray,
    weights: np.ndarray,
    member: np.ndarray,
    threshold: float,
    min_points: int,
    n_incidents: int,
) -> np.ndarray:
    """Cluster of each incident at one level (through ``member``), numbered by size."""
    lab = _nnh_level(pts, weights, threshold, min_points) if len(pts) else np.zeros(0, np.int64)
    if len(lab):
        per_incident = np.where(member >= 0, lab[np.maximum(member, 0)], -1)
    else:
        per_incident = np.full(n_incidents, -1, dtype=np.int64)
    return relabel_by_size(per_incident)


def _mean_centres(
    coords: np.ndarray, per_incident: np.ndarray, n_clusters: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean centre of each cluster (weight 1) and the incident -> cluster map."""
    if n_clusters == 0:
        return np.zeros((0, 2)), np.zeros(0), np.full(len(coords), -1, dtype=np.int64)
    keep = per_incident >= 0
    lab = per_incident[keep]
    cnt = np.bincount(lab, minlength=n_clusters)
    cx = np.bincount(lab, weights=coords[keep, 0], minlength=n_clusters) / cnt
    cy = np.bincount(lab, weights=coords[keep, 1], minlength=n_clusters) / cnt
    return np.column_stack([cx, cy]), np.ones(n_clusters), per_incident

# ---------------------------------------------------------------------------- hulls


def cluster_hulls(
    incidents: gpd.GeoDataFrame,
    *,
    column: str = "cluster",
    hull: str = "convex",
    ratio: float = 0.3,
    buffer: float = 10.0,
    weight: str | None = None,
) -> gpd.GeoDataFrame:
    """One polygon per cluster: its convex or concave hull, count and area.

    Parameters
    ----------
    incidents
        Points in a projected CRS in metres with an integer cluster column (as made
        by :func:`cluster_points` or :func:`nnh`); negative labels (noise) are left
        out.
    column
        Name of the cluster column.
    hull
        ``"convex"`` (CrimeStat's convex-hull output) or ``"concave"``
        (:func:`shapely.concave_hull`, tighter around L-shaped clusters).
    ratio
        Concave hull parameter between 0 (tightest) and 1 (the convex hull).
    buffer
        A cluster whose hull has no area (one location, or points on a line) is
        buffered by this many metres so that it has an area and can be drawn and
        patrolled; ``0`` keeps points/lines as they are.
    weight
        Optional incident weight column; its per-cluster sum is added as ``weight``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cluster, sorted by label: ``cluster``, ``n_incidents`` (int),
        ``area_km2`` (float), optional ``weight``, and the hull geometry, in the
        incidents' CRS.

    Examples
    --------
    >>> from hotspot.scan.clusters import cluster_hulls
    >>> pts = gpd.GeoDataFrame(
    ...     {"cluster": [0, 0, 0, 1, -1]},
    ...     geometry=gpd.points_from_xy([0, 1000, 0, 5000, 9000], [0, 0, 1000, 5000, 0]),
    ...     crs=32616,
    ... )
    >>> hulls = cluster_hulls(pts)
    >>> hulls[["cluster", "n_incidents", "area_km2"]].round(4).to_dict("list")
    {'cluster': [0, 1], 'n_incidents': [3, 1], 'area_km2': [0.5, 0.0003]}
    """
    gdf = _check_incidents(incidents)
    check_columns(gdf, [column], "incidents")
    if hull not in ("convex", "concave"):
        msg = f"`hull` must be 'convex' or 'concave', got {hull!r}."
        raise InvalidInputError(msg)
    if not 0.0 <= ratio <= 1.0:
        msg = f"`ratio` must be between 0 and 1, got {ratio}."
        raise InvalidInputError(msg)
    labels = pd.to_numeric(gdf[column], errors="coerce").to_numpy()
    if np.isnan(labels.astype(float)).any():
        msg = f"column {column!r} has missing or non-numeric labels; use -1 for noise."
        raise InvalidInputError(msg)
    labels = labels.astype(np.int64)
    coords = point_coords(gdf)
    keep = labels >= 0
    weights = _weights_of(gdf, weight) if weight is not None else None
    geoms, uniq, counts, wsum = _hull_geometries(
        coords[keep],
        labels[keep],
        hull=hull,
        ratio=ratio,
        buffer=buffer,
        weights=None if weights is None else weights[keep],
    )
    data: dict[str, Any] = {
        "cluster": uniq,
        "n_incidents": counts,
        "area_km2": shapely.area(geoms) / 1e6,
    }
    if weight is not None:
        data["weight"] = wsum
    out = gpd.GeoDataFrame(data, geometry=geoms, crs=gdf.crs)
    params = {"column": column, "hull": hull, "ratio": ratio, "buffer": buffer, "weight": weight}
    return attach(out, "cluster_hulls", params, {})


def _hull_geometries(
    coords: np.ndarray,
    labels: np.ndarray,
    *,
    hull: str = "convex",
    ratio: float = 0.3,
    buffer: float = 10.0,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vectorized hulls per label: (geometries, labels, counts, weight sums)."""
    if len(labels) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return np.array([], dtype=object), empty, empty, np.zeros(0)
    order = np.argsort(labels, kind="stable")
    uniq, codes, counts = np.unique(labels[order], return_inverse=True, return_counts=True)
    multi = shapely.multipoints(coords[order], indices=codes)
    if hull == "convex":
        geoms = shapely.convex_hull(multi)
    else:
        geoms = shapely.concave_hull(multi, ratio=ratio)
    flat = shapely.area(geoms) <= 0
    if buffer > 0 and flat.any():
        geoms[flat] = shapely.buffer(geoms[flat], buffer)
    wsum = (
        np.bincount(codes, weights=weights[order], minlength=len(uniq))
        if weights is not None
        else counts.astype(float)
    )
    return geoms, uniq.astype(np.int64), counts.astype(np.int64), wsum
