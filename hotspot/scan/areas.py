"""Operational hotspot areas: merge hot cells (or clusters) into ranked areas.

:func:`hotspots` turns a statistical or density result into the **Hotspots**
GeoDataFrame of the design: one row per operational area, ranked, with its count,
share of all crime, area and concentration ratio, and the method and parameters
that made it in ``attrs["hotspot"]``. Maps, briefings and intervention scoring
consume exactly this frame.

The methods are:

``"gistar"``
    Cells whose ``hotspot_class`` (from ``hs.gi_star``) is in ``classes``.
``"kde"``
    The densest cells (``kde`` column from ``hs.kde``) covering the share
    ``top_share`` of the total area.
``"count"``
    The cells with most incidents covering the share ``top_share`` of the total area.
``"clusters"``
    Point clusters (``cluster`` column from ``hs.cluster_points`` or ``hs.nnh``),
    one hull each.

Selected cells that touch (queen contiguity: a shared edge or corner; or rook:
a shared edge) are merged into one area. An area larger than ``max_area_km2`` is
split into compact pieces so that one officer can cover one.
:func:`hotspot_membership` gives the hotspot of every incident.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from hotspot._core.deprecation import renamed_arguments
from hotspot._core.errors import warn_user
from hotspot._core.grid import grid_spec_of
from hotspot._core.meta import attach, get_meta, note_choice
from hotspot._core.validation import (
    check_columns,
    check_geodataframe,
    check_non_empty,
    check_projected,
    check_same_crs,
    point_coords,
)
from hotspot.exceptions import HotspotWarning, InvalidInputError
from hotspot.ingest.locations import exclude_stacked
from hotspot.scan.cells import scan_cells
from hotspot.scan.clusters import _hull_geometries, cluster_points
from hotspot.units.counting import count

__all__ = ["HOTSPOT_COLUMNS", "MAX_AREA_KM2", "hotspot_membership", "hotspots"]

MAX_AREA_KM2: float = 1.0
"""Default cap on one hotspot's area in km², for every door (``hs.hotspots``, the scan,
briefings, the CLI): a place one officer can cover on foot, about a 1 km square. Larger
contiguous hot areas are cut into compact pieces; pass ``max_area_km2=None`` for no cap."""

#: Columns of every Hotspots frame, in order (``harm`` and ``harm_share`` come
#: before the place columns when ``weight=`` is given). ``place_name``, ``grid_ref``
#: and ``place_source`` name each place for officers (:mod:`hotspot.scan.places`).
HOTSPOT_COLUMNS = (
    "hotspot_id",
    "rank",
    "n_incidents",
    "share",
    "area_km2",
    "area_share",
    "concentration",
    "n_units",
    "place_name",
    "grid_ref",
    "place_source",
)
_PLACE_COLUMNS = ("place_name", "grid_ref", "place_source")

_METHODS = ("gistar", "kde", "count", "clusters")
_GI_CLASSES = ("cold_99", "cold_95", "cold_90", "not_significant", "hot_90", "hot_95", "hot_99")
_DEFAULT_TOP = 0.05
_MAX_SPLIT_ROUNDS = 25


# ------------------------------------------------------------------------ public


@renamed_arguments(top="top_share")
def hotspots(
    data: gpd.GeoDataFrame,
    *,
    method: str = "gistar",
    incidents: gpd.GeoDataFrame | None = None,
    column: str = "n_incidents",
    classes: Sequence[str] = ("hot_99", "hot_95"),
    top_share: float | None = None,
    max_area_km2: float | None = None,
    weight: str | None = None,
    neighbors: str = "queen",
    min_incidents: int = 1,
    cell_size: float | None = None,
    clusterer: Any = None,
    hull: str = "convex",
    random_state: int | np.random.Generator | None = None,
    stacked: str = "exclude",
) -> gpd.GeoDataFrame:
    """Ranked operational hotspot areas.

    Parameters
    ----------
    data
        Either **units** (polygons with a ``unit_id`` index, e.g. a grid) carrying
        the columns the method needs (``hotspot_class`` for ``"gistar"``, ``kde``
        for ``"kde"``, ``column`` for ``"count"``), or **incidents** (points in a
        projected CRS in metres). Given incidents, the cell-based methods run the
        default pipeline first: ``hs.grid`` (``cell_size``, automatic when None) ->
        ``hs.count`` -> ``hs.gi_star(column, neighbors=neighbors)`` for
        ``"gistar"``; ``hs.kde`` (``cell_size``) -> ``hs.count`` for ``"kde"``;
        ``hs.grid`` -> ``hs.count`` for ``"count"``. Their choices are logged and
        kept in attrs. ``"clusters"`` needs incidents.
    method
        ``"gistar"`` (default), ``"kde"``, ``"count"`` or ``"clusters"``.
    incidents
        With units as ``data``: the incidents, used to count them when the units
        have no ``n_incidents`` (e.g. a KDE surface) and as the denominator of
        ``share`` (so that incidents outside every unit still count in the total).
    column
        The unit column analysed: the input of Gi*, and the ranking value of
        ``"count"``. Default ``n_incidents``.
    classes
        ``"gistar"``: the ``hotspot_class`` values that make a cell hot. Default
        99 % and 95 % hot spots; add ``"hot_90"`` for a looser map.
    top_share
        ``"kde"`` and ``"count"``: share of the total area (0-1) to select,
        densest cells first. None: 0.05 (logged). Ties at the cut-off are broken
        by ``n_incidents`` then by unit order, so exactly ``top_share`` of the area
        (to the next whole cell) is selected. Cells with zero density or count are
        never selected. (Called ``top`` before; that name, which elsewhere counts
        hotspots, still works for one release.)
    max_area_km2
        Cap on the area of one hotspot, so that one officer can cover one; None
        (default here): no cap. The scan doors (:func:`hotspot.pipeline.scan`,
        briefings, the CLI) default to :data:`MAX_AREA_KM2`. A larger area is
        cut into ``ceil(area / max_area_km2)`` compact pieces of
        similar area by recursive coordinate bisection of its cell centroids
        (repeatedly cutting across the longer side at the right share of the
        area; for clusters, of its incidents); pieces that are not contiguous are
        separated, and pieces still over the cap (a cell too many) are cut again.
        Deterministic. A single cell larger than the cap cannot be split (warning).
    weight
        Harm column used to rank the areas instead of the count: an incident
        column when ``data`` (or ``incidents`` for counting) are incidents — it is
        summed per unit by ``hs.count`` —, or a unit column (e.g. ``weighted``
        from ``hs.count(..., weight=...)``). Adds ``harm`` and ``harm_share``.
    neighbors
        Contiguity used to merge selected cells: ``"queen"`` (default; shared
        edge or corner) or ``"rook"`` (shared edge). Also passed to Gi* when it is
        run here.
    min_incidents
        Areas with fewer incidents are dropped (default 1: a hot cell with no
        crime of its own, isolated, is not an operational hotspot).
    cell_size
        Cell side in metres when the grid is built here.
    clusterer
        ``"clusters"``: a scikit-learn clusterer for
        :func:`hotspot.cluster_points`. When None, an existing ``cluster`` column is used, or
        the default HDBSCAN.
    hull
        ``"clusters"``: ``"convex"`` or ``"concave"`` hulls.
    random_state
        Seed passed to the clusterer (``"clusters"``); the other steps are
        deterministic.
    stacked
        ``"exclude"`` (default) or ``"keep"``. Incidents whose ``location_quality``
        is ``"stacked"`` (placeholder points, see :mod:`hotspot.ingest.locations`)
        are left out of point-based scans unless ``"keep"``; how many is recorded in
        the choices.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per hotspot, best first, in the CRS of ``data``:

        - ``hotspot_id`` (int, 1..K, equal to ``rank``; a column, on a plain
          ``RangeIndex``) and ``rank``;
        - ``n_incidents``: incidents in the area (sum over its cells; for
          clusters, the cluster's members);
        - ``share``: ``n_incidents`` / all incidents of the data;
        - ``area_km2`` and ``area_share`` (of the total area of the units; for
          clusters, of the convex hull of all incidents);
        - ``concentration`` = ``share / area_share`` (the PAI of the area: how
          many times more crime than its size would suggest);
        - ``n_units``: number of cells merged (``<NA>`` for clusters);
        - with ``weight``: ``harm`` and ``harm_share``;
        - polygon ``geometry``.

        Ranking is by ``harm`` when ``weight`` is given, otherwise by
        ``n_incidents``; ties go to the smaller area. ``attrs["hotspot"]``
        holds the steps that made the units and ``["hotspots"]`` with the
        method, parameters, automatic choices, ``total_incidents`` and
        ``total_area_km2``.

    Raises
    ------
    InvalidInputError
        Unknown method, missing columns, bad ``top_share``/``max_area_km2``.
    CRSError
        Geographic or missing CRS.

    Examples
    --------
    >>> from hotspot._core.grid import GridSpec, grid_frame
    >>> from hotspot.scan.areas import hotspots
    >>> cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 4, 3), "EPSG:32616")
    >>> cells["n_incidents"] = [9, 8, 0, 0, 7, 0, 0, 0, 0, 0, 0, 5]
    >>> cls = np.where(cells["n_incidents"] >= 5, "hot_99", "not_significant")
    >>> cells["hotspot_class"] = cls
    >>> hot = hotspots(cells)
    >>> hot[["hotspot_id", "n_incidents", "n_units", "area_km2"]].values.tolist()
    [[1.0, 24.0, 3.0, 0.03], [2.0, 5.0, 1.0, 0.01]]
    >>> round(float(hot["concentration"].iloc[0]), 2)
    3.31
    """
    gdf = _check_hotspots_args(data, method, neighbors, max_area_km2, incidents)
    choices: dict[str, Any] = {}
    params: dict[str, Any] = {
        "method": method,
        "column": column,
        "classes": list(classes) if method == "gistar" else None,
        "top_share": top_share,
        "max_area_km2": max_area_km2,
        "weight": weight,
        "neighbors": neighbors,
        "min_incidents": min_incidents,
        "cell_size": cell_size,
        "hull": hull if method == "clusters" else None,
        "random_state": random_state if _simple(random_state) else repr(random_state),
    }
    is_points = bool(np.all(shapely.get_type_id(gdf.geometry.to_numpy()) == 0))
    params["stacked"] = stacked
    if is_points:
        gdf, _ = exclude_stacked(gdf, stacked, choices)
    if incidents is not None:
        incidents, _ = exclude_stacked(incidents, stacked, choices)

    if method == "clusters":
        if not is_points:
            msg = (
                "method='clusters' needs incidents (points) as `data`; got polygons. "
                "Pass the incidents, with or without a `cluster` column."
            )
            raise InvalidInputError(msg)
        out, upstream, totals = _cluster_areas(
            gdf, clusterer, hull, weight, max_area_km2, random_state, choices
        )
    else:
        units, inc, upstream = _prepare_units(
            gdf, is_points, incidents, method, column, weight, neighbors, cell_size, choices
        )
        out, totals = _unit_areas(
            units, inc, method, column, classes, top_share, max_area_km2, weight, neighbors,
            choices,
        )

    out = _finish(out, totals, weight, min_incidents, gdf.crs)
    out = _named(out, gdf if is_points else incidents, gdf.total_bounds)
    out.attrs["hotspot"] = upstream
    params["top_share"] = choices.get("top_share", {}).get("value", top_share)
    return attach(
        out,
        "hotspots",
        params,
        choices,
        total_incidents=totals["n"],
        total_harm=totals.get("harm"),
        total_area_km2=totals["area_km2"],
        n_hotspots=len(out),
    )


def _named(out: gpd.GeoDataFrame, points: Any, bounds: Any) -> gpd.GeoDataFrame:
    """Every hotspot gets a ``place_name`` and a map ``grid_ref`` (see hotspot.scan.places)."""
    # places uses hotspot_membership from this module: a real import cycle
    from hotspot.scan.places import grid_extent, place_grid, place_names

    if len(out) == 0:
        named = out.assign(**{c: pd.Series(dtype=object) for c in _PLACE_COLUMNS})
    else:
        if points is not None and len(points):  # the extent the briefing's map covers
            bounds = grid_extent(points)[0]
        named = place_names(out, points, grid=place_grid(bounds, out))
    geom = named.geometry.name
    order = [c for c in named.columns if c not in (*_PLACE_COLUMNS, geom)]
    named = named[[*order, *_PLACE_COLUMNS, geom]]
    named.attrs = out.attrs
    return named


def _check_hotspots_args(
    data: Any, method: str, neighbors: str, max_area_km2: float | None, incidents: Any
) -> gpd.GeoDataFrame:
    if method not in _METHODS:
        msg = f"unknown method {method!r}; use one of {', '.join(map(repr, _METHODS))}."
        raise InvalidInputError(msg)
    gdf = check_geodataframe(data, "data")
    check_non_empty(gdf, "data")
    check_projected(gdf, "data")
    if neighbors not in ("queen", "rook"):
        msg = f"`neighbors` must be 'queen' or 'rook' to merge cells, got {neighbors!r}."
        raise InvalidInputError(msg)
    if max_area_km2 is not None and not max_area_km2 > 0:
        msg = f"`max_area_km2` must be a positive number of km², got {max_area_km2}."
        raise InvalidInputError(msg)
    if incidents is not None:
        check_geodataframe(incidents, "incidents")
        check_same_crs(gdf, incidents, "data", "incidents")
    return gdf

def hotspot_membership(incidents: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> pd.Series:
    """Hotspot of every incident: ``hotspot_id`` or ``<NA>`` outside all hotspots.

    An incident on the boundary of two hotspots, or inside overlapping cluster
    hulls, goes to the better-ranked one (smaller ``hotspot_id``).

    Parameters
    ----------
    incidents
        Points, in the CRS of ``hotspots``.
    hotspots
        The frame made by :func:`hotspots`.

    Returns
    -------
    pandas.Series
        ``Int64`` Series named ``hotspot_id`` with the index of ``incidents``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from hotspot.scan.areas import hotspot_membership
    >>> hot = gpd.GeoDataFrame({"hotspot_id": [1, 2]},
    ...                        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=32616)
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5, 10, 15, 50], [5, 5, 5, 5]),
    ...                        crs=32616)
    >>> hotspot_membership(pts, hot).tolist()
    [1, 1, 2, <NA>]
    """
    check_geodataframe(incidents, "incidents")
    check_geodataframe(hotspots, "hotspots")
    check_columns(hotspots, ["hotspot_id"], "hotspots")
    check_same_crs(incidents, hotspots, "incidents", "hotspots")
    ids = hotspots["hotspot_id"].to_numpy(dtype=np.int64)
    result = np.full(len(incidents), np.iinfo(np.int64).max, dtype=np.int64)
    if len(hotspots) and len(incidents):
        tree = shapely.STRtree(hotspots.geometry.to_numpy())
        pt_idx, hs_idx = tree.query(incidents.geometry.to_numpy(), predicate="intersects")
        np.minimum.at(result, pt_idx, ids[hs_idx])
    out = pd.Series(result, index=incidents.index, name="hotspot_id").astype("Int64")
    out[result == np.iinfo(np.int64).max] = pd.NA
    return out


# ----------------------------------------------------------------- unit methods


def _prepare_units(
    gdf: gpd.GeoDataFrame,
    is_points: bool,
    incidents: gpd.GeoDataFrame | None,
    method: str,
    column: str,
    weight: str | None,
    neighbors: str,
    cell_size: float | None,
    choices: dict[str, Any],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None, dict[str, Any]]:
    """Return (units with the needed columns, incidents or None, upstream metadata)."""
    if is_points:
        inc = gdf
        units = scan_cells(
            inc, method=method, cell_size=cell_size, column=column, weight=weight,
            neighbors=neighbors,
        )
        note_choice(
            choices,
            "pipeline",
            _pipeline_name(method),
            "`data` are incidents: units built with the default pipeline",
        )
        return units, inc, dict(get_meta(units))

    inc = incidents
    units = gdf
    required = {"gistar": "hotspot_class", "kde": "kde", "count": column}[method]
    if required not in units.columns:
        hint = {
            "gistar": "run `hs.gi_star(units)` first, or pass the incidents as `data`",
            "kde": "run `hs.kde(incidents, units)` first, or pass the incidents as `data`",
            "count": "run `hs.count(incidents, units)` first, or pass `column=`",
        }[method]
        msg = f"method={method!r} needs a {required!r} column in the units: {hint}."
        raise InvalidInputError(msg)
    needs_count = "n_incidents" not in units.columns or (
        weight is not None and weight not in units.columns
    )
    if needs_count:
        if inc is None:
            missing = "n_incidents" if "n_incidents" not in units.columns else weight
            msg = (
                f"the units have no {missing!r} column: pass `incidents=` to count them, "
                "or count first with `hs.count(incidents, units)`."
            )
            raise InvalidInputError(msg)
        kept = units.drop(columns=[c for c in ("n_incidents", "weighted") if c in units])
        units = count(inc, kept, weight=weight)
        note_choice(choices, "counted", True, "units had no counts: incidents counted here")
    return units, inc, dict(get_meta(units))


def _pipeline_name(method: str) -> str:
    return {
        "gistar": "grid -> count -> gi_star",
        "kde": "kde -> count",
        "count": "grid -> count",
    }[method]


def _unit_areas(
    units: gpd.GeoDataFrame,
    inc: gpd.GeoDataFrame | None,
    method: str,
    column: str,
    classes: Sequence[str],
    top: float | None,
    max_area_km2: float | None,
    weight: str | None,
    neighbors: str,
    choices: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    counts_col = "n_incidents" if "n_incidents" in units.columns else column
    check_columns(units, [counts_col], "units")
    counts = _numeric(units, counts_col)
    harm_col = None
    if weight is not None:
        harm_col = weight if weight in units.columns else "weighted"
        check_columns(units, [harm_col], "units")
    harm = _numeric(units, harm_col) if harm_col else None
    cell_area = shapely.area(units.geometry.to_numpy())

    selected = _select(units, method, column, classes, top, counts, cell_area, choices)
    sel = np.flatnonzero(selected)
    spec = grid_spec_of(units)
    if spec is not None:
        flat = units["row"].to_numpy(np.int64) * spec.nx + units["col"].to_numpy(np.int64)
        edges = _grid_edges(flat[sel], spec.nx, spec.ny, neighbors)
    else:
        edges = _polygon_edges(units.geometry.to_numpy()[sel], neighbors)
    labels = _components(len(sel), edges)
    if max_area_km2 is not None and len(sel):
        cent = shapely.centroid(units.geometry.to_numpy()[sel])
        xy = np.column_stack([shapely.get_x(cent), shapely.get_y(cent)])
        labels = _split_large(labels, edges, xy, cell_area[sel], max_area_km2 * 1e6, choices)

    n_areas = int(labels.max() + 1) if len(labels) else 0
    agg = {
        "n_incidents": np.bincount(labels, weights=counts[sel], minlength=n_areas),
        "area_m2": np.bincount(labels, weights=cell_area[sel], minlength=n_areas),
        "n_units": np.bincount(labels, minlength=n_areas),
        "harm": None if harm is None else np.bincount(labels, weights=harm[sel], minlength=n_areas),
        "first": _first_position(labels, sel, n_areas),
        "geometry": _dissolve(units.geometry.to_numpy()[sel], labels, n_areas, spec is not None),
    }
    total_n = float(counts.sum())
    total_harm = None if harm is None else float(harm.sum())
    if inc is not None:
        total_n = float(len(inc))
        if weight is not None and weight in inc.columns:
            total_harm = float(pd.to_numeric(inc[weight], errors="coerce").fillna(0).sum())
    totals = {"n": total_n, "harm": total_harm, "area_km2": float(cell_area.sum()) / 1e6}
    return agg, totals


def _numeric(frame: pd.DataFrame, col: str) -> np.ndarray:
    values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any():
        first = frame.index[np.flatnonzero(np.isnan(values))[0]]
        msg = f"column {col!r} has missing values (first: unit {first!r}); fill them with 0."
        raise InvalidInputError(msg)
    return values


def _select(
    units: gpd.GeoDataFrame,
    method: str,
    column: str,
    classes: Sequence[str],
    top: float | None,
    counts: np.ndarray,
    cell_area: np.ndarray,
    choices: dict[str, Any],
) -> np.ndarray:
    """Boolean mask of the selected units."""
    if method == "gistar":
        hc = units["hotspot_class"].astype(str).to_numpy()
        unknown = set(classes) - set(_GI_CLASSES)
        if unknown:
            msg = (
                f"unknown hotspot classes {sorted(unknown)}; use e.g. "
                "('hot_99', 'hot_95') or add 'hot_90'."
            )
            raise InvalidInputError(msg)
        return np.isin(hc, list(classes))
    if top is None:
        top = note_choice(
            choices, "top_share", _DEFAULT_TOP, "default: the top 5 % of the area, densest first"
        )
    if not 0.0 < float(top) <= 1.0:
        msg = f"`top_share` must be a share of the area between 0 and 1, got {top}."
        raise InvalidInputError(msg)
    value = _numeric(units, "kde" if method == "kde" else column)
    # densest first; ties by count, then unit order
    order = np.lexsort((np.arange(len(value)), -counts, -value))
    cum = np.cumsum(cell_area[order])
    k = int(np.searchsorted(cum, float(top) * cum[-1] * (1 - 1e-12)) + 1)
    chosen = order[: min(k, len(order))]
    chosen = chosen[value[chosen] > 0]
    mask = np.zeros(len(value), dtype=bool)
    mask[chosen] = True
    return mask


def _grid_edges(flat: np.ndarray, nx: int, ny: int, neighbors: str) -> np.ndarray:
    """Pairs (i, j) of positions in ``flat`` whose cells touch, by sorted lookups."""
    if len(flat) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    order = np.argsort(flat)
    sorted_flat = flat[order]
    row, col = np.divmod(flat, nx)
    offsets = [(0, 1), (1, 0)] + ([(1, 1), (1, -1)] if neighbors == "queen" else [])
    pairs = []
    for dr, dc in offsets:
        r2, c2 = row + dr, col + dc
        ok = (r2 >= 0) & (r2 < ny) & (c2 >= 0) & (c2 < nx)
        target = r2 * nx + c2
        pos = np.searchsorted(sorted_flat, target)
        pos = np.minimum(pos, len(sorted_flat) - 1)
        hit = ok & (sorted_flat[pos] == target)
        pairs.append(np.column_stack([np.flatnonzero(hit), order[pos[hit]]]))
    return np.vstack(pairs)


def _polygon_edges(geoms: np.ndarray, neighbors: str) -> np.ndarray:
    """Pairs (i, j), i < j, of polygons that touch (queen) or share an edge (rook)."""
    if len(geoms) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if neighbors == "rook" and len(a):
        shared = shapely.length(shapely.intersection(geoms[a], geoms[b])) > 0
        a, b = a[shared], b[shared]
    return np.column_stack([a, b]).astype(np.int64)


def _components(n: int, edges: np.ndarray) -> np.ndarray:
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    graph = sparse.coo_array(
        (np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def _bisect(xy: np.ndarray, size: np.ndarray, k: int) -> np.ndarray:
    """Recursive coordinate bisection of points into ``k`` groups of similar total size.

    Each step cuts the group across its longer side, at the point where the left
    part holds ``floor(k/2) / k`` of the size; the parts are cut again until there
    are ``k``. Deterministic, and the pieces are compact (close to rectangles).
    """
    labels = np.zeros(len(xy), dtype=np.int64)
    stack = [(np.arange(len(xy)), int(k), 0)]
    next_label = 1
    while stack:
        idx, parts, label = stack.pop()
        if parts <= 1 or len(idx) <= 1:
            labels[idx] = label
            continue
        spread = np.ptp(xy[idx], axis=0)
        main = int(np.argmax(spread))
        order = idx[np.lexsort((xy[idx, 1 - main], xy[idx, main]))]
        left_parts = parts // 2
        cum = np.cumsum(size[order])
        target = cum[-1] * left_parts / parts
        cut = int(np.clip(np.argmin(np.abs(cum - target)) + 1, 1, len(order) - 1))
        stack.append((order[:cut], left_parts, label))
        stack.append((order[cut:], parts - left_parts, next_label))
        next_label += 1
    return labels


def _split_large(
    labels: np.ndarray,
    edges: np.ndarray,
    xy: np.ndarray,
    area: np.ndarray,
    max_area: float,
    choices: dict[str, Any],
) -> np.ndarray:
    """Split components larger than ``max_area`` (m²) into contiguous pieces under it."""
    n_split = 0
    unsplittable = 0
    for _ in range(_MAX_SPLIT_ROUNDS):
        sizes = np.bincount(labels, weights=area)
        members = np.bincount(labels)
        over = sizes > max_area * (1 + 1e-9)
        big = np.flatnonzero(over & (members > 1))
        unsplittable = int((over & (members == 1)).sum())
        if len(big) == 0:
            break
        pieces = labels.copy()
        next_label = int(labels.max()) + 1
        for comp in big:
            idx = np.flatnonzero(labels == comp)
            k = min(len(idx), max(2, math.ceil(sizes[comp] / max_area)))
            sub = _bisect(xy[idx], area[idx], k)
            pieces[idx] = np.where(sub == 0, comp, next_label + sub - 1)
            next_label += k - 1
            n_split += 1
        # pieces that are not contiguous become separate areas
        kept = edges[pieces[edges[:, 0]] == pieces[edges[:, 1]]] if len(edges) else edges
        labels = _components(len(labels), kept)
    note_choice(
        choices,
        "split",
        {"areas_split": n_split, "single_cells_over_cap": unsplittable},
        "areas over max_area_km2 cut by recursive coordinate bisection of their cell "
        "centroids into ceil(area / max_area_km2) contiguous pieces of similar area",
    )
    if unsplittable:
        warn_user(
            f"{unsplittable} hotspot(s) are a single unit larger than max_area_km2 and "
            "cannot be split; use smaller cells or a larger cap.",
            HotspotWarning,
        )
    return labels


def _first_position(labels: np.ndarray, sel: np.ndarray, n_areas: int) -> np.ndarray:
    first = np.full(n_areas, np.iinfo(np.int64).max, dtype=np.int64)
    if len(labels):
        np.minimum.at(first, labels, sel)
    return first


def _dissolve(geoms: np.ndarray, labels: np.ndarray, n_areas: int, coverage: bool) -> np.ndarray:
    """Union of the geometries of each label (coverage union for grid cells)."""
    out = np.empty(n_areas, dtype=object)
    if n_areas == 0:
        return out
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n_areas + 1))
    union = shapely.coverage_union_all if coverage else shapely.union_all
    for i in range(n_areas):
        part = geoms[order[bounds[i] : bounds[i + 1]]]
        out[i] = part[0] if len(part) == 1 else union(part)
    return out


# -------------------------------------------------------------------- clusters


def _cluster_areas(
    gdf: gpd.GeoDataFrame,
    clusterer: Any,
    hull: str,
    weight: str | None,
    max_area_km2: float | None,
    random_state: Any,
    choices: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    if clusterer is not None or "cluster" not in gdf.columns:
        gdf = cluster_points(gdf, clusterer, random_state=random_state)
        note_choice(
            choices,
            "clustered",
            type(clusterer).__name__ if clusterer is not None else "HDBSCAN (default)",
            "clusters computed here with hs.cluster_points",
        )
    if hull not in ("convex", "concave"):
        msg = f"`hull` must be 'convex' or 'concave', got {hull!r}."
        raise InvalidInputError(msg)
    labels = pd.to_numeric(gdf["cluster"], errors="coerce").fillna(-1).to_numpy(np.int64)
    coords = point_coords(gdf)
    harm = None
    if weight is not None:
        check_columns(gdf, [weight], "data")
        harm = pd.to_numeric(gdf[weight], errors="coerce").fillna(0).to_numpy(dtype=float)
    keep = labels >= 0
    lab = labels[keep]
    if max_area_km2 is not None and keep.any():
        lab = _split_point_clusters(coords[keep], lab, hull, max_area_km2 * 1e6, choices)
    geoms, uniq, counts, wsum = _hull_geometries(
        coords[keep], lab, hull=hull, weights=None if harm is None else harm[keep]
    )
    n_areas = len(uniq)
    first = np.full(n_areas, np.iinfo(np.int64).max, dtype=np.int64)
    if n_areas:
        pos = np.searchsorted(uniq, lab)
        np.minimum.at(first, pos, np.flatnonzero(keep))
    agg = {
        "n_incidents": counts.astype(float),
        "area_m2": shapely.area(geoms),
        "n_units": None,
        "harm": None if harm is None else wsum,
        "first": first,
        "geometry": geoms,
    }
    study = shapely.convex_hull(shapely.multipoints(coords)).area
    note_choice(
        choices,
        "total_area_km2",
        study / 1e6,
        "clusters: the total area is the convex hull of all incidents",
    )
    totals = {
        "n": float(len(gdf)),
        "harm": None if harm is None else float(harm.sum()),
        "area_km2": study / 1e6,
    }
    return agg, dict(get_meta(gdf)), totals


def _split_point_clusters(
    xy: np.ndarray,
    labels: np.ndarray,
    hull: str,
    max_area: float,
    choices: dict[str, Any],
) -> np.ndarray:
    labels = labels.copy()
    n_split = 0
    for _ in range(_MAX_SPLIT_ROUNDS):
        geoms, uniq, counts, _ = _hull_geometries(xy, labels, hull=hull)
        areas = shapely.area(geoms)
        big = np.flatnonzero((areas > max_area * (1 + 1e-9)) & (counts >= 3))
        if len(big) == 0:
            break
        next_label = int(labels.max()) + 1
        for b in big:
            idx = np.flatnonzero(labels == uniq[b])
            k = min(len(idx), max(2, math.ceil(areas[b] / max_area)))
            sub = _bisect(xy[idx], np.ones(len(idx)), k)
            labels[idx] = np.where(sub == 0, uniq[b], next_label + sub - 1)
            next_label += k - 1
            n_split += 1
    note_choice(
        choices,
        "split",
        {"areas_split": n_split},
        "cluster hulls over max_area_km2 cut by recursive coordinate bisection of "
        "their incidents into ceil(area / max_area_km2) pieces, repeated until under it",
    )
    return labels


# -------------------------------------------------------------------- assemble


def _finish(
    agg: dict[str, Any],
    totals: dict[str, Any],
    weight: str | None,
    min_incidents: int,
    crs: Any,
) -> gpd.GeoDataFrame:
    n = np.asarray(agg["n_incidents"], dtype=float)
    area_km2 = np.asarray(agg["area_m2"], dtype=float) / 1e6
    keep = n >= min_incidents
    harm = None if agg["harm"] is None else np.asarray(agg["harm"], dtype=float)[keep]
    n, area_km2 = n[keep], area_km2[keep]
    first = np.asarray(agg["first"])[keep]
    geoms = np.asarray(agg["geometry"], dtype=object)[keep]
    n_units = None if agg["n_units"] is None else np.asarray(agg["n_units"])[keep]
    key = harm if harm is not None else n
    order = np.lexsort((first, area_km2, -key))
    total_n = totals["n"] if totals["n"] > 0 else np.nan
    share = n[order] / total_n
    area_share = area_km2[order] / totals["area_km2"] if totals["area_km2"] > 0 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        conc = np.where(area_share > 0, share / area_share, np.nan)
    rank = np.arange(1, len(order) + 1, dtype=np.int64)
    data: dict[str, Any] = {
        "hotspot_id": rank,
        "rank": rank.copy(),
        "n_incidents": _as_int_if_whole(n[order]),
        "share": share,
        "area_km2": area_km2[order],
        "area_share": area_share,
        "concentration": conc,
        "n_units": (
            pd.array([pd.NA] * len(order), dtype="Int64")
            if n_units is None
            else n_units[order].astype(np.int64)
        ),
    }
    if weight is not None:
        total_h = totals.get("harm") or np.nan
        data["harm"] = harm[order]
        data["harm_share"] = harm[order] / total_h
    # hotspot_id is a column on a plain RangeIndex, never also the index: merges and
    # groupbys on "hotspot_id" are then unambiguous
    return gpd.GeoDataFrame(data, geometry=list(geoms[order]), crs=crs)


def _as_int_if_whole(values: np.ndarray) -> np.ndarray:
    if len(values) and np.all(np.isfinite(values)) and np.all(values == np.round(values)):
        return values.astype(np.int64)
    return values


def _simple(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))
