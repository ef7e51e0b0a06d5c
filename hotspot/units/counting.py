"""Counting incidents into analysis units, and the unit of each incident.

How incidents find their unit (see :func:`count`): square grids made by
:func:`hotspot.grid` by binning the coordinates with one ``np.bincount``; hex
grids by axial rounding; any other polygons and street segments with a shapely
``STRtree``. Point coordinates are read once per geometry array
(:func:`hotspot._core.coords.point_xy`), so counting the same incidents again
(another grid, a category split, a pipeline step) does not pay for it twice.
"""

from __future__ import annotations

import math
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._core.coords import point_xy
from hotspot._core.errors import warn_user
from hotspot._core.grid import GridSpec, grid_spec_of
from hotspot._core.meta import attach, logger, note_choice
from hotspot._core.validation import (
    check_columns,
    check_geodataframe,
    check_points,
    check_projected,
    check_same_crs,
    numeric_values,
)
from hotspot.exceptions import DataQualityWarning, InvalidInputError
from hotspot.units.build import DEFAULT_SNAP_DISTANCE, HexSpec, _hex_spec_of, hex_cell_of

__all__ = ["assign_units", "count"]

_MAX_OUTSIDE_STORED = 10_000


# ----------------------------------------------------------------------------- assignment


def assign_units(
    incidents: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    *,
    max_distance: float | None = None,
) -> np.ndarray:
    """Return the unit of each incident, as an array of ``unit_id`` values.

    The rules are those of :func:`count` (see there): grid cells by binning,
    polygons by intersection (lowest unit position wins on shared boundaries),
    lines by the nearest segment within ``max_distance``.

    Parameters
    ----------
    incidents
        Points, in the CRS of ``units`` (projected, metres).
    units
        Square/hex grid, polygons or lines, with a unique index.
    max_distance
        Metres; see :func:`count`.

    Returns
    -------
    numpy.ndarray
        One ``unit_id`` per incident, in incident order: int64 with ``-1`` for
        incidents outside every unit when the units' index is integer, otherwise an
        object array with ``None`` for those.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspot.units import assign_units, grid
    >>> cells = grid(gpd.GeoSeries(gpd.points_from_xy([0, 299], [0, 99]), crs=32616), 100)
    >>> pts = gpd.GeoDataFrame(
    ...     geometry=gpd.points_from_xy([50, 150, 900], [50, 50, 50]), crs=32616
    ... )
    >>> assign_units(pts, cells).tolist()
    [0, 1, -1]
    """
    pos, _ = _locate(incidents, units, max_distance, {})
    return _ids_from_positions(units.index, pos)


def _ids_from_positions(index: pd.Index, pos: np.ndarray) -> np.ndarray:
    outside = pos < 0
    safe = np.where(outside, 0, pos)
    if pd.api.types.is_integer_dtype(index.dtype):
        values = index.to_numpy(dtype=np.int64)
        ids = values[safe] if len(values) else np.zeros(len(pos), dtype=np.int64)
        ids[outside] = -1
        return ids
    values = index.to_numpy(dtype=object)
    ids = values[safe] if len(values) else np.empty(len(pos), dtype=object)
    ids[outside] = None
    return ids


def _point_xy(incidents: gpd.GeoDataFrame, geom: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Point coordinates, validating on the fly (non-points and empties give NaN)."""
    try:
        x, y = point_xy(geom)
    except shapely.errors.GEOSException:  # empty points
        check_points(incidents, "incidents")
        raise
    if not np.isfinite(x.sum() + y.sum()) and not (np.isfinite(x).all() and np.isfinite(y).all()):
        check_points(incidents, "incidents")  # raises with the first bad row
        msg = "`incidents` has points with NaN or infinite coordinates; drop them first."
        raise InvalidInputError(msg)
    return x, y


def _unit_kind(geoms: np.ndarray) -> str:
    if len(geoms) == 0:
        return "empty"
    types = set(np.unique(shapely.get_type_id(geoms)).tolist())
    if types <= {3, 6}:
        return "polygons"
    if types <= {1, 5}:
        return "lines"
    names = sorted(set(shapely.get_type_id(geoms).tolist()))
    msg = (
        "`units` must be all polygons (cells, beats, districts) or all lines (street "
        f"segments); found geometry type ids {names} (0 point, 1 line, 3 polygon, ...). "
        "Buffer point units first, e.g. `units.buffer(50)`."
    )
    raise InvalidInputError(msg)


def _check_units(incidents: Any, units: Any) -> tuple[gpd.GeoSeries, gpd.GeoSeries]:
    """Validate; return the two geometry columns (read once: each access costs)."""
    check_geodataframe(incidents, "incidents")
    check_geodataframe(units, "units")
    inc_geom, unit_geom = incidents.geometry, units.geometry
    check_projected(unit_geom, "units")
    check_same_crs(inc_geom, unit_geom, "incidents", "units")
    if not units.index.is_unique:
        dup = units.index[units.index.duplicated()][0]
        msg = (
            f"`units` must have a unique index (unit_id); {dup!r} is repeated. "
            "Use `units.reset_index(drop=True)`."
        )
        raise InvalidInputError(msg)
    return inc_geom, unit_geom


def _lookup_positions(flat_units: np.ndarray, n_cells: int) -> np.ndarray | None:
    """Array mapping lattice index -> unit position (-1 if absent); None if identity."""
    if len(flat_units) == n_cells and np.array_equal(flat_units, np.arange(n_cells)):
        return None
    lookup = np.full(n_cells, -1, dtype=np.int64)
    lookup[flat_units] = np.arange(len(flat_units))
    return lookup


def _row_col(units: gpd.GeoDataFrame, nx: int, ny: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Integer ``row``/``col`` arrays of a lattice frame, or None if unusable."""
    rows, cols = units["row"].to_numpy(), units["col"].to_numpy()
    if not (rows.dtype.kind in "iu" and cols.dtype.kind in "iu"):
        return None
    if rows.min() < 0 or cols.min() < 0 or rows.max() >= ny or cols.max() >= nx:
        return None
    return rows.astype(np.int64), cols.astype(np.int64)


def _square_positions(spec: GridSpec, rows: np.ndarray, cols: np.ndarray, geoms: np.ndarray,
                      x: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """Return unit positions by binning (None: the frame no longer matches its spec)."""
    probe = np.unique([0, len(rows) // 2, len(rows) - 1])
    got = shapely.bounds(geoms[probe])
    lx = spec.x0 + cols[probe] * spec.cell_size
    ly = spec.y0 + rows[probe] * spec.cell_size
    want = np.column_stack([lx, ly, lx + spec.cell_size, ly + spec.cell_size])
    if not np.allclose(got, want, rtol=0, atol=1e-6 * spec.cell_size):
        return None  # e.g. re-projected or edited cells: use the general path
    fx = x - spec.x0
    fx /= spec.cell_size
    np.floor(fx, out=fx)
    fy = y - spec.y0
    fy /= spec.cell_size
    np.floor(fy, out=fy)
    inside = (fx >= 0) & (fx < spec.nx) & (fy >= 0) & (fy < spec.ny)
    all_in = bool(inside.all())
    # flat index in float (exact below 2**53), then a single cast to int64
    fy *= spec.nx
    fy += fx
    if not all_in:
        fy[~inside] = 0
    flat = fy.astype(np.int64)
    lookup = _lookup_positions(rows * spec.nx + cols, spec.n_cells)
    pos = flat if lookup is None else lookup[flat]
    if not all_in:
        pos[~inside] = -1
    return pos


def _hex_positions(spec: HexSpec, rows: np.ndarray, cols: np.ndarray, geoms: np.ndarray,
                   x: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """Return unit positions by axial rounding (None: the frame no longer matches its spec)."""
    probe = np.unique([0, len(rows) // 2, len(rows) - 1])
    cx, cy = spec.centres(rows[probe], cols[probe])
    got = shapely.get_coordinates(shapely.centroid(geoms[probe]))
    if not np.allclose(got, np.column_stack([cx, cy]), rtol=0, atol=1e-6 * spec.cell_size):
        return None
    row, col = hex_cell_of(spec, x, y)
    inside = (row >= 0) & (row < spec.ny) & (col >= 0) & (col < spec.nx)
    flat = np.where(inside, row * spec.nx + col, 0)
    lookup = _lookup_positions(rows * spec.nx + cols, spec.n_cells)
    pos = flat if lookup is None else lookup[flat]
    pos[~inside] = -1
    return pos


def _first_match(n: int, pairs: np.ndarray) -> np.ndarray:
    """Lowest tree position matched by each input (-1 when none)."""
    pos = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    if pairs.shape[1]:
        np.minimum.at(pos, pairs[0], pairs[1].astype(np.int64))
    pos[pos == np.iinfo(np.int64).max] = -1
    return pos


def _lattice_positions(units: gpd.GeoDataFrame, geoms: np.ndarray, x: np.ndarray,
                       y: np.ndarray) -> tuple[np.ndarray | None, str]:
    """Fast paths for square and hex grids (None when ``units`` is not such a grid)."""
    spec = grid_spec_of(units)
    if spec is not None:
        rc = _row_col(units, spec.nx, spec.ny)
        pos = None if rc is None else _square_positions(spec, *rc, geoms, x, y)
        if pos is not None:
            return pos, "square grid (binning)"
    hspec = _hex_spec_of(units)
    if hspec is not None:
        rc = _row_col(units, hspec.nx, hspec.ny)
        pos = None if rc is None else _hex_positions(hspec, *rc, geoms, x, y)
        if pos is not None:
            return pos, "hex grid (axial rounding)"
    return None, ""


def _locate(
    incidents: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    max_distance: float | None,
    choices: dict[str, Any],
) -> tuple[np.ndarray, str]:
    """Position in ``units`` of each incident's unit (-1: outside) and the path used."""
    inc_geom, unit_geom = _check_units(incidents, units)
    if max_distance is not None:
        max_distance = float(max_distance)
        if not math.isfinite(max_distance) or max_distance < 0:
            msg = f"`max_distance` must be a non-negative number of metres, got {max_distance}."
            raise InvalidInputError(msg)
    x, y = _point_xy(incidents, inc_geom)
    n = len(x)
    geoms = np.asarray(unit_geom.array)
    if len(geoms) == 0:
        return np.full(n, -1, dtype=np.int64), "no units"
    pos, path = _lattice_positions(units, geoms, x, y)
    kind = "polygons" if pos is not None else _unit_kind(geoms)
    tree = None
    if pos is None and kind == "polygons":
        tree = shapely.STRtree(geoms)
        pts = shapely.points(x, y)
        pos = _first_match(n, tree.query(pts, predicate="intersects"))
        path = "polygons (STRtree intersects, lowest unit position wins)"
    if kind == "lines":
        if max_distance is None:
            max_distance = note_choice(
                choices, "max_distance", DEFAULT_SNAP_DISTANCE,
                "default snapping distance to street segments (about half a short urban "
                "block); farther incidents are reported as outside",
            )
        pos = np.full(n, -1, dtype=np.int64)
        path = "lines (nearest segment within max_distance, lowest unit position on ties)"
    assert pos is not None
    if max_distance is not None:
        miss = np.flatnonzero(pos < 0)
        if len(miss):
            tree = tree if tree is not None else shapely.STRtree(geoms)
            pairs = tree.query_nearest(shapely.points(x[miss], y[miss]),
                                       max_distance=max_distance, all_matches=True)
            pos[miss] = _first_match(len(miss), pairs)
            if kind == "polygons":
                path += f"; outside incidents snapped to the nearest unit within {max_distance:g} m"
    return pos, path


# ----------------------------------------------------------------------------- count()


def category_columns(cats: list[Any]) -> dict[str, Any]:
    """Name the count column of each category: ``n_<slug>``, made unique, in order.

    Examples
    --------
    >>> category_columns(["Robbery", "robbery!", "Weighted"])
    {'n_robbery': 'Robbery', 'n_robbery_2': 'robbery!', 'n_weighted': 'Weighted'}
    """
    taken = {"n_incidents", "weighted"}
    out: dict[str, Any] = {}
    for cat in cats:
        col = stem = "n_" + _slug(cat)
        i = 2
        while col in taken:
            col, i = f"{stem}_{i}", i + 1
        taken.add(col)
        out[col] = cat
    return out


def _slug(value: Any) -> str:
    slug = re.sub(r"[^0-9a-z]+", "_", str(value).lower()).strip("_")
    return slug or "blank"


def _category_codes(values: pd.Series, name: str) -> tuple[np.ndarray, list[Any]]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy().astype(np.int64), list(values.cat.categories)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), list(uniques)


def _weights(incidents: gpd.GeoDataFrame, weight: str) -> tuple[np.ndarray, int]:
    """Weights with missing ones as 0, and how many were missing (reported by count)."""
    w = numeric_values(incidents, weight, "incidents", what="weights")
    bad = ~np.isfinite(w)
    if bad.any():
        w = np.where(bad, 0.0, w)
    return w, int(bad.sum())


def count(
    incidents: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    *,
    by: str | None = None,
    weight: str | None = None,
    max_distance: float | None = None,
) -> gpd.GeoDataFrame:
    """Count incidents per unit (optionally per category, and weighted).

    How incidents find their unit:

    * square grids from :func:`grid`: by binning the coordinates (``np.bincount``),
      cells half-open (a point on an edge goes to the cell on its right / above);
      clipped or subset grids work, points in missing cells are outside;
    * hex grids from :func:`grid`: by axial rounding (the hexagon whose centre is
      nearest);
    * other polygons: the first unit (lowest position in ``units``) whose polygon
      intersects the point, so a point on a boundary shared by two beats is counted
      once, in the one listed first;
    * lines (street segments): the nearest segment within ``max_distance`` (ties:
      lowest position).

    Incidents outside every unit are **never dropped silently**: their number,
    share and (up to 10,000) index values are stored in
    ``attrs["hotspot"]["count"]``, logged, and a
    :class:`~hotspot.DataQualityWarning` is issued.

    Parameters
    ----------
    incidents
        Points in the CRS of ``units`` (projected, metres).
    units
        A grid from :func:`grid`, segments from :func:`segments`, or any polygons
        (beats, districts) with a unique index.
    by
        Optional category column (e.g. ``"offence"``): one more count column per
        category, named ``n_<slug>`` where slug is the category in lower case with
        every run of non-alphanumeric characters replaced by ``_`` (``"Criminal
        damage"`` → ``n_criminal_damage``); clashing slugs get ``_2``, ``_3``...
        For a categorical column every category gets a column (in category order),
        otherwise the sorted observed values. Incidents with a missing category
        count in ``n_incidents`` only.
    weight
        Optional numeric column (e.g. harm): adds ``weighted``, the sum of the
        weights per unit (float). Missing weights count as 0 (with a warning).
    max_distance
        Metres. Incidents that are in no unit are given to the nearest unit within
        this distance (e.g. points just outside a city boundary or a clipped grid).
        For line units it is the snapping distance; None there means 50 m
        (:data:`DEFAULT_SNAP_DISTANCE`, recorded as an automatic choice). None for
        polygon units: no snapping.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``units`` (index named ``unit_id`` when it had no name) with
        ``n_incidents`` (int64), the ``n_<slug>`` columns (int64) with ``by``, and
        ``weighted`` (float64) with ``weight``. ``attrs["hotspot"]["count"]`` holds
        ``params``, ``choices``, ``path``, ``n_incidents`` (input rows),
        ``n_counted``, ``n_outside``, ``share_outside``, ``outside_index`` (index
        values of the outside incidents, at most 10,000; ``outside_index_truncated``
        says whether more were left out; :func:`assign_units` gives them all),
        ``categories`` (column → category) and ``n_missing_category``.

    Raises
    ------
    CRSError
        If ``units`` is not in a projected CRS in metres or the CRSs differ.
    InvalidInputError
        If an incident is not a point, a column is missing or not numeric, or the
        units are neither all polygons nor all lines.

    Warns
    -----
    DataQualityWarning
        When incidents fall outside every unit, or weights / categories are missing.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspot.units import count, grid
    >>> pts = gpd.GeoDataFrame(
    ...     {"offence": ["theft", "Theft", "assault"], "harm": [1.0, 2.0, 10.0]},
    ...     geometry=gpd.points_from_xy([10, 20, 150], [10, 20, 50]),
    ...     crs="EPSG:32616",
    ... )
    >>> cells = grid(pts, 100)
    >>> out = count(pts, cells, by="offence", weight="harm")
    >>> out[["n_incidents", "n_assault", "n_theft", "n_theft_2", "weighted"]].values.tolist()
    [[2.0, 0.0, 1.0, 1.0, 3.0], [1.0, 1.0, 0.0, 0.0, 10.0]]
    """
    choices: dict[str, Any] = {}
    pos, path = _locate(incidents, units, max_distance, choices)
    n_units = len(units)
    outside = pos < 0
    n_out = int(outside.sum())
    inside_pos = pos[~outside] if n_out else pos

    result = units.copy(deep=False)
    if result.index.name is None:
        result.index.name = "unit_id"
    result["n_incidents"] = np.bincount(inside_pos, minlength=n_units).astype(np.int64)

    categories: dict[str, Any] = {}
    n_missing_cat = 0
    if by is not None:
        check_columns(incidents, [by], "incidents")
        codes, cats = _category_codes(incidents[by], by)
        codes_in = codes[~outside] if n_out else codes
        missing = codes_in < 0
        n_missing_cat = int(missing.sum())
        k = len(cats)
        if k:
            flat = inside_pos[~missing] * k + codes_in[~missing]
            table = np.bincount(flat, minlength=n_units * k).reshape(n_units, k)
            for j, (col, cat) in enumerate(category_columns(cats).items()):
                categories[col] = cat
                result[col] = table[:, j].astype(np.int64)
        if n_missing_cat:
            _warn(f"count(): {n_missing_cat} counted incidents have no `{by}` value; they "
                  "are in n_incidents but in no per-category column.")

    n_missing_w = 0
    if weight is not None:
        w, n_missing_w = _weights(incidents, weight)
        w_in = w[~outside] if n_out else w
        result["weighted"] = np.bincount(inside_pos, weights=w_in, minlength=n_units)
        if n_missing_w:
            _warn(f"count(): {n_missing_w} incidents have a missing or infinite `{weight}`; "
                  "they count as weight 0 in `weighted`.")

    n = len(pos)
    share = n_out / n if n else 0.0
    out_index = incidents.index[outside][:_MAX_OUTSIDE_STORED].tolist() if n_out else []
    if n_out:
        _warn(
            f"count(): {n_out:,} of {n:,} incidents ({share:.1%}) are outside every unit "
            "and were not counted; their index values are in "
            "attrs['hotspot']['count']['outside_index'] (all of them: "
            "`assign_units(...) == -1`)."
            + (" Pass `max_distance=` to snap nearby ones." if path.startswith("polygons")
               else "")
        )
    params = {"by": by, "weight": weight, "max_distance": max_distance}
    return attach(
        result, "count", params, choices,
        path=path, n_incidents=n, n_counted=n - n_out, n_outside=n_out,
        share_outside=share, outside_index=out_index,
        outside_index_truncated=n_out > _MAX_OUTSIDE_STORED,
        categories=categories, n_missing_category=n_missing_cat,
        n_missing_weight=n_missing_w,
    )


def _warn(msg: str) -> None:
    logger.warning(msg)
    warn_user(msg, DataQualityWarning)
