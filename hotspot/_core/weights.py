"""Sparse spatial weights (neighbour matrices) for analysis units.

Every builder returns a :class:`scipy.sparse.csr_array` of shape ``(n, n)`` whose row
``i`` holds the neighbours of unit ``i`` (positions, not labels). The builders here
return **binary** weights **without self-loops**; statistics that include the focal
unit (Gi*) add it themselves.

- :func:`grid_weights`: square grid cells given by integer ``row``/``col`` (the fast
  path; works on clipped grids with missing cells);
- :func:`contiguity_weights`: any polygons, via a shapely STRtree;
- :func:`distance_band_weights`: all points within a distance (metres);
- :func:`knn_weights`: the ``k`` nearest points (not symmetric);
- :func:`weights_for_units`: picks one of the above for a units GeoDataFrame from the
  ``neighbors`` argument of :func:`hotspot.scan.stats.gi_star` and friends.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from hotspot._core.grid import grid_spec_of
from hotspot._core.validation import check_polygons, check_projected
from hotspot.exceptions import InvalidInputError

__all__ = [
    "contiguity_weights",
    "distance_band_weights",
    "grid_weights",
    "knn_weights",
    "n_islands",
    "weights_for_units",
]

_QUEEN_OFFSETS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))
_ROOK_OFFSETS = ((-1, 0), (0, -1), (0, 1), (1, 0))


def _check_kind(kind: str) -> str:
    if kind not in ("queen", "rook"):
        msg = f"kind must be 'queen' or 'rook', got {kind!r}."
        raise InvalidInputError(msg)
    return kind


def _from_pairs(i: np.ndarray, j: np.ndarray, n: int, *, symmetric: bool) -> sparse.csr_array:
    """Binary csr_array with ones at (i, j) (and (j, i) when ``symmetric``)."""
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    if symmetric:
        i, j = np.concatenate([i, j]), np.concatenate([j, i])
    keep = i != j
    i, j = i[keep], j[keep]
    w = sparse.coo_array((np.ones(len(i)), (i, j)), shape=(n, n)).tocsr()
    w.sum_duplicates()
    w.data[:] = 1.0
    w.sort_indices()
    return w


def n_islands(W: sparse.sparray | sparse.spmatrix) -> int:  # noqa: N803
    """Count the units without any neighbour (empty rows of ``W``).

    Examples
    --------
    >>> n_islands(grid_weights(np.array([0, 5]), np.array([0, 5])))
    2
    """
    w = sparse.csr_array(W)
    return int((np.diff(w.indptr) == 0).sum())


def grid_weights(row: np.ndarray, col: np.ndarray, kind: str = "queen") -> sparse.csr_array:
    """Binary contiguity weights of square grid cells given by integer row/column.

    Cells are neighbours when their rows and columns differ by at most one (queen: 8
    neighbours) or when exactly one of them differs by one (rook: 4 neighbours).
    Missing cells (clipped grids) simply have fewer neighbours. No self-loops.

    Parameters
    ----------
    row, col
        Integer arrays of length ``n``: the row and column of each unit. Pairs must be
        unique.
    kind
        ``"queen"`` or ``"rook"``.

    Returns
    -------
    scipy.sparse.csr_array
        Shape ``(n, n)``, ones where two units are neighbours, rows in input order.

    Examples
    --------
    >>> w = grid_weights(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    >>> w.toarray().astype(int).tolist()
    [[0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 0]]
    >>> grid_weights(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), "rook").sum(axis=1)
    array([2., 2., 2., 2.])
    """
    offsets = _QUEEN_OFFSETS if _check_kind(kind) == "queen" else _ROOK_OFFSETS
    row = np.asarray(row, dtype=np.int64).ravel()
    col = np.asarray(col, dtype=np.int64).ravel()
    if row.shape != col.shape:
        msg = f"row and col must have the same length, got {len(row)} and {len(col)}."
        raise InvalidInputError(msg)
    n = len(row)
    if n == 0:
        return sparse.csr_array((0, 0))
    r0, c0 = row.min(), col.min()
    # padded lookup box (1 cell of margin on every side) from (row, col) to position
    nr, nc = int(row.max() - r0) + 3, int(col.max() - c0) + 3
    rr, cc = row - r0 + 1, col - c0 + 1
    keys = rr * nc + cc
    dense = nr * nc <= max(16 * n, 1_000_000)
    if dense:
        lookup = np.full(nr * nc, -1, dtype=np.int64)
        lookup[keys] = np.arange(n)
        if (lookup >= 0).sum() != n:
            _raise_duplicate_cells(keys)
    else:
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        if (np.diff(sorted_keys) == 0).any():
            _raise_duplicate_cells(keys)
    src, dst = [], []
    for dr, dc in offsets:
        nk = keys + dr * nc + dc
        if dense:
            pos = lookup[nk]
        else:
            at = np.minimum(np.searchsorted(sorted_keys, nk), n - 1)
            pos = np.where(sorted_keys[at] == nk, order[at], -1)
        ok = pos >= 0
        src.append(np.flatnonzero(ok))
        dst.append(pos[ok])
    i, j = np.concatenate(src), np.concatenate(dst)
    w = sparse.csr_array((np.ones(len(i)), (i, j)), shape=(n, n))
    w.sort_indices()
    return w


def _raise_duplicate_cells(keys: np.ndarray) -> None:
    _, counts = np.unique(keys, return_counts=True)
    msg = (
        f"{int((counts > 1).sum())} (row, col) pairs occur more than once; grid cells "
        "must be unique. Drop duplicated cells (e.g. `units.drop_duplicates(['row', 'col'])`)."
    )
    raise InvalidInputError(msg)


def contiguity_weights(
    geoms: Any, kind: str = "queen", *, tolerance: float | None = None
) -> sparse.csr_array:
    """Binary contiguity weights of polygons (queen or rook), via a shapely STRtree.

    Queen: two polygons are neighbours when they share at least one point (they
    touch or overlap). Rook: when they share a boundary piece of positive length (or
    overlap). This is geometric contiguity: unlike libpysal's vertex matching, a
    corner lying on another polygon's edge (a T-junction) counts. Coordinates are
    first snapped to a grid of ``tolerance`` so that vertices computed separately
    for two neighbours (e.g. hexagon corners) still coincide. No self-loops.

    Parameters
    ----------
    geoms
        GeoSeries, GeoDataFrame or array of shapely polygons.
    kind
        ``"queen"`` or ``"rook"``.
    tolerance
        Snapping grid in CRS units; None: ``1e-7`` times the larger side of the
        total bounds (5 mm for a 50 km city); 0: no snapping.

    Returns
    -------
    scipy.sparse.csr_array
        Shape ``(n, n)``, binary and symmetric.

    Examples
    --------
    >>> import shapely
    >>> cells = shapely.box([0, 1, 1], [0, 0, 1], [1, 2, 2], [1, 1, 2])
    >>> contiguity_weights(cells, "queen").toarray().astype(int).tolist()
    [[0, 1, 1], [1, 0, 1], [1, 1, 0]]
    >>> contiguity_weights(cells, "rook").toarray().astype(int).tolist()
    [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    """
    import shapely

    _check_kind(kind)
    geom = getattr(geoms, "geometry", geoms)
    arr = np.asarray(getattr(geom, "values", geom), dtype=object)
    n = len(arr)
    if n == 0:
        return sparse.csr_array((0, 0))
    if tolerance is None:
        minx, miny, maxx, maxy = shapely.total_bounds(arr)
        tolerance = 1e-7 * max(maxx - minx, maxy - miny)
    if tolerance and np.isfinite(tolerance):
        arr = shapely.set_precision(arr, float(tolerance))
    tree = shapely.STRtree(arr)
    i, j = tree.query(arr, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    if kind == "rook" and len(i):
        inter = shapely.intersection(arr[i], arr[j])
        shared = (shapely.length(inter) > 0) | (shapely.area(inter) > 0)
        i, j = i[shared], j[shared]
    return _from_pairs(i, j, n, symmetric=True)


def distance_band_weights(xy: np.ndarray, distance: float) -> sparse.csr_array:
    """Binary weights linking every pair of points at most ``distance`` apart.

    Parameters
    ----------
    xy
        ``(n, 2)`` coordinates in metres (projected).
    distance
        Band width in metres (pairs with distance <= ``distance`` are neighbours).

    Returns
    -------
    scipy.sparse.csr_array
        Shape ``(n, n)``, binary, symmetric, no self-loops.

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [100.0, 0.0], [250.0, 0.0]])
    >>> distance_band_weights(xy, 150).toarray().astype(int).tolist()
    [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    """
    xy = np.asarray(xy, dtype=float)
    distance = float(distance)
    if not np.isfinite(distance) or distance <= 0:
        msg = f"distance must be a positive number of metres, got {distance!r}."
        raise InvalidInputError(msg)
    pairs = cKDTree(xy).query_pairs(distance, output_type="ndarray")
    return _from_pairs(pairs[:, 0], pairs[:, 1], len(xy), symmetric=True)


def knn_weights(xy: np.ndarray, k: int) -> sparse.csr_array:
    """Binary weights linking each point to its ``k`` nearest other points.

    The result is **not symmetrized**: ``j`` may be among the ``k`` nearest of ``i``
    without ``i`` being among the ``k`` nearest of ``j``. Every row has exactly ``k``
    ones. Ties in distance are broken by the KD-tree's order.

    Parameters
    ----------
    xy
        ``(n, 2)`` coordinates in metres (projected).
    k
        Number of neighbours, ``1 <= k < n``.

    Returns
    -------
    scipy.sparse.csr_array
        Shape ``(n, n)``, binary, no self-loops.

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    >>> knn_weights(xy, 1).toarray().astype(int).tolist()
    [[0, 1, 0], [1, 0, 0], [0, 1, 0]]
    """
    xy = np.asarray(xy, dtype=float)
    n = len(xy)
    k = int(k)
    if not 1 <= k < n:
        msg = f"k must be between 1 and n - 1 = {n - 1}, got {k}."
        raise InvalidInputError(msg)
    _, idx = cKDTree(xy).query(xy, k=k + 1)
    idx = np.asarray(idx, dtype=np.int64).reshape(n, k + 1)
    drop = idx == np.arange(n)[:, None]
    # with duplicate points the unit itself may not be returned: drop the farthest
    no_self = ~drop.any(axis=1)
    drop[no_self, k] = True
    drop &= np.cumsum(drop, axis=1) == 1  # drop one entry per row only
    cols = idx[~drop].reshape(n, k)
    rows = np.repeat(np.arange(n), k)
    return _from_pairs(rows, cols.ravel(), n, symmetric=False)


# ------------------------------------------------------------------------------------
# dispatch for units GeoDataFrames
# ------------------------------------------------------------------------------------

_KNN_RE = re.compile(r"^knn\s*[:=]?\s*(\d+)$")


def _parse_neighbors(neighbors: Any) -> tuple[str, Any]:
    """Normalise ``neighbors`` into ``(kind, value)``."""
    if isinstance(neighbors, str):
        key = neighbors.strip().lower()
        if key in ("queen", "rook"):
            return key, None
        m = _KNN_RE.match(key)
        if m:
            return "knn", int(m.group(1))
    elif isinstance(neighbors, bool):
        pass
    elif isinstance(neighbors, (int, float, np.integer, np.floating)):
        return "distance", float(neighbors)
    elif (
        isinstance(neighbors, tuple)
        and len(neighbors) == 2
        and neighbors[0]
        in (
            "knn",
            "k",
            "distance",
        )
    ):
        kind = "knn" if neighbors[0] in ("knn", "k") else "distance"
        return kind, neighbors[1]
    elif isinstance(neighbors, dict) and len(neighbors) == 1:
        ((key, value),) = neighbors.items()
        if key in ("k", "knn"):
            return "knn", value
        if key == "distance":
            return "distance", value
    elif sparse.issparse(neighbors):
        return "matrix", neighbors
    elif hasattr(neighbors, "sparse"):
        return "libpysal", neighbors
    msg = (
        f"neighbors={neighbors!r} is not understood. Use 'queen', 'rook', a distance in "
        "metres (e.g. 500.0), k nearest as 'knn:8' / ('knn', 8) / {'k': 8}, a scipy "
        "sparse (n, n) matrix, or a libpysal W/Graph."
    )
    raise InvalidInputError(msg)


def _unit_xy(units: Any) -> np.ndarray:
    geom = units.geometry
    if (geom.geom_type == "Point").all():
        return np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()])
    c = geom.centroid
    return np.column_stack([c.x.to_numpy(), c.y.to_numpy()])


def _validate_matrix(mat: Any, n: int, name: str) -> tuple[sparse.csr_array, bool]:
    """Check a user matrix; return it as csr float without diagonal + whether it had one."""
    w = sparse.csr_array(mat, dtype=float)
    if w.shape != (n, n):
        msg = f"{name} has shape {w.shape}, but units has {n} rows: it must be ({n}, {n})."
        raise InvalidInputError(msg)
    w.sum_duplicates()
    if not np.isfinite(w.data).all() or (w.data < 0).any():
        msg = f"{name} must hold finite, non-negative weights."
        raise InvalidInputError(msg)
    had_diag = bool(np.any(w.diagonal() != 0))
    if had_diag:
        w = w.tolil()
        w.setdiag(0)
        w = sparse.csr_array(w)
    w.eliminate_zeros()
    w.sort_indices()
    return w, had_diag


def weights_for_units(units: Any, neighbors: Any = "queen") -> tuple[sparse.csr_array, str]:
    """Neighbour matrix of a units GeoDataFrame, chosen by ``neighbors``.

    Parameters
    ----------
    units
        GeoDataFrame of analysis units (rows in the order of the returned matrix).
    neighbors
        - ``"queen"`` / ``"rook"``: contiguity. Square grids made by
          :func:`hotspot._core.grid.grid_frame` (``attrs["hotspot"]["grid"]`` plus
          ``row``/``col``) use the fast integer path; anything else, including hex
          grids (``attrs["hotspot"]["hexgrid"]``), uses geometric contiguity.
        - a number (int or float): distance band in **metres** between unit centroids
          (point units: the points); needs a projected CRS.
        - ``"knn:8"``, ``("knn", 8)`` or ``{"k": 8}``: the 8 nearest units by centroid
          (not symmetrized); needs a projected CRS. A bare integer is a distance,
          never k.
        - a scipy sparse matrix/array of shape ``(n, n)`` in the row order of
          ``units``: used as given (weights may be non-binary); its diagonal is
          dropped (Gi* adds the focal unit itself).
        - a libpysal ``W`` or ``Graph`` (anything with ``.sparse``), aligned with the
          units (its ids are checked against ``units.index`` when available).

    Returns
    -------
    W : scipy.sparse.csr_array
        Shape ``(n, n)``, non-negative, no self-loops.
    description : str
        One line saying which neighbours were used (and the number of islands).

    Examples
    --------
    >>> from hotspot._core.grid import GridSpec, grid_frame
    >>> cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 3, 3), "EPSG:32616")
    >>> W, text = weights_for_units(cells, "queen")
    >>> int(W.sum()), text
    (40, 'queen contiguity (square-grid fast path)')
    >>> weights_for_units(cells, 100.0)[0].sum(axis=1).tolist()
    [2.0, 3.0, 2.0, 3.0, 4.0, 3.0, 2.0, 3.0, 2.0]
    """
    kind, value = _parse_neighbors(neighbors)
    n = len(units)
    if kind in ("queen", "rook"):
        meta = (getattr(units, "attrs", None) or {}).get("hotspot", {})
        is_hex = isinstance(meta, dict) and "hexgrid" in meta
        if not is_hex and grid_spec_of(units) is not None:
            w = grid_weights(units["row"].to_numpy(), units["col"].to_numpy(), kind)
            text = f"{kind} contiguity (square-grid fast path)"
        else:
            check_polygons(units, "units")
            w = contiguity_weights(units.geometry, kind)
            text = f"{kind} contiguity (polygon geometry)"
    elif kind == "distance":
        check_projected(units, "units")
        w = distance_band_weights(_unit_xy(units), float(value))
        text = f"distance band of {float(value):g} m between centroids"
    elif kind == "knn":
        check_projected(units, "units")
        k = int(value)
        w = knn_weights(_unit_xy(units), k)
        text = f"{k} nearest units by centroid (not symmetrized)"
    else:
        if kind == "libpysal":
            ids = getattr(value, "id_order", None)
            if ids is None:
                ids = getattr(value, "unique_ids", None)
            if ids is not None and list(ids) != list(units.index):
                msg = (
                    "the libpysal weights' ids are not in the order of `units.index`; "
                    "build them from the same frame (e.g. `Queen.from_dataframe(units, "
                    "ids=units.index.tolist())`) or pass a sparse matrix in row order."
                )
                raise InvalidInputError(msg)
            mat = value.sparse
        else:
            mat = value
        w, had_diag = _validate_matrix(mat, n, "neighbors matrix")
        binary = bool(np.all(w.data == 1.0))
        text = "user weights" + (" (binary)" if binary else " (non-binary)")
        if had_diag:
            text += "; their diagonal was dropped (the focal unit is handled by the statistic)"
    islands = n_islands(w)
    if islands:
        text += f"; {islands} unit(s) without neighbours"
    return w, text
