"""Hotspot outlines on the cells that hold their incidents (what a printed map shows).

:func:`trim_to_counts` keeps, of each hotspot, the cells with at least the map's
minimum count: Gi* can mark a quiet cell beside busy ones, and an outline on a
pale cell sends an officer where nothing happened. A place whose kept cells fall
into parts becomes one place per part, so every place is one contiguous patch.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from hotspot._core.validation import check_geodataframe, check_same_crs
from hotspot.exceptions import InvalidInputError

__all__ = ["queen_parts", "trim_to_counts"]


def _no_holes(geom: Any) -> Any:
    """Return ``geom`` without holes: a quiet cell enclosed by busy ones stays inside."""
    parts = shapely.get_parts(geom)
    return shapely.union_all(shapely.polygons(shapely.get_exterior_ring(parts)))


def trim_to_counts(
    hotspots: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    min_count: int = 3,
    *,
    column: str = "n_incidents",
) -> gpd.GeoDataFrame:
    """Return a copy of ``hotspots`` outlining only the cells that hold their incidents.

    Gi* scores a cell's neighbourhood, so at coarse cells a cell with no or few
    incidents beside busy ones can be part of a hotspot: on a printed map an
    outline then sits on a pale cell, and an officer is sent where nothing
    happened. Each hotspot keeps the cells (by centre) with at least
    ``min_count`` incidents, the cells a map shows with a count, and any quiet
    cell they enclose; a hotspot none of whose cells has that many keeps its
    outline. ``n_incidents``, ``share``, ``area_km2`` and ``concentration``
    follow the new outline (the counts of the cells left out are taken off);
    ``n_trimmed_cells`` says how many cells were left out (also in
    ``attrs["hotspot"]["trimmed"]``).

    A place an officer is sent to is one patch: a hotspot whose kept cells fall
    into parts that do not touch (not even at a corner: queen contiguity, as the
    scan merges cells) becomes one place per part, each with the figures of its
    own cells, and the list is ranked again (by harm or incidents, hot spots
    before busy places on ties; ``hotspot_id`` and ``rank`` renumbered). Names and
    grid references are those of the hotspot the part came from: name the places
    again (:func:`hotspot.place_names`) when a part was split off
    (``attrs["hotspot"]["trimmed"]["pieces"]`` > 0).

    Parameters
    ----------
    hotspots
        Hotspots (:func:`hotspot.hotspots`) made of the ``cells``.
    cells
        The counted cells (``column``), in the hotspots' CRS.
    min_count
        Fewest incidents of a cell kept in an outline (the map's suppression rule).
    column
        Count column of ``cells``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> cells = gpd.GeoDataFrame({"n_incidents": [9, 0, 4]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)], crs=32616)
    >>> hot = gpd.GeoDataFrame({"hotspot_id": [1], "area_km2": [3e-6]},
    ...     geometry=[box(0, 0, 3, 1)], crs=32616)
    >>> out = trim_to_counts(hot, cells)  # the quiet middle cell cuts it in two
    >>> out["hotspot_id"].tolist(), out.geometry.area.tolist()
    ([1, 2], [1.0, 1.0])
    >>> int(out["n_trimmed_cells"].sum())
    1
    """
    check_geodataframe(hotspots, "hotspots")
    check_same_crs(hotspots, cells, "hotspots", "cells")
    if column not in cells.columns:
        msg = f"`cells` has no column {column!r}; count the incidents first (hs.count)."
        raise InvalidInputError(msg)
    out = hotspots.copy()
    out["n_trimmed_cells"] = 0
    if len(out) == 0 or len(cells) == 0:
        return out
    centres = cells.geometry.representative_point().to_numpy()
    hot_idx, cell_idx = shapely.STRtree(centres).query(
        out.geometry.to_numpy(), predicate="contains"
    )
    counts = cells[column].to_numpy(dtype=float)
    low = counts[cell_idx] < min_count
    geoms = cells.geometry.to_numpy()
    total_cells = np.bincount(hot_idx, minlength=len(out)).astype(float)
    total_n = np.bincount(hot_idx, weights=counts[cell_idx], minlength=len(out))
    trimmed = np.zeros(len(out), dtype=int)
    pieces: dict[int, list[tuple[Any, float, float]]] = {}
    for i in np.unique(hot_idx[low]):  # only hotspots holding a quiet cell: a few
        mine = cell_idx[hot_idx == i]
        keep = mine[counts[mine] >= min_count]
        if len(keep):  # holes filled, within the hotspot: its own holes stay
            kept = _no_holes(shapely.coverage_union_all(geoms[keep]))
            kept = shapely.intersection(kept, out.geometry.iloc[i], grid_size=None)
            pieces[int(i)] = _connected_pieces(kept, mine, centres, counts)
            trimmed[i] = len(mine) - sum(p[1] for p in pieces[int(i)])
    # a place that falls into parts is several places (queen contiguity), busiest first
    rows, new_geom, piece_cells, piece_n = _with_pieces(
        out.geometry.to_numpy(), total_cells, total_n, pieces
    )
    lost = (total_n[rows] - piece_n, total_cells[rows] - piece_cells)
    return _recounted(out, rows, new_geom, lost, trimmed, min_count)
    centres = cells.geometry.representative_point().to_numpy()
    hot_idx, cell_idx = shapely.STRtree(centres).query(
        out.geometry.to_numpy(), predicate="contains"
    )
    low = cells[column].to_numpy(dtype=float)[cell_idx] < min_count
    geoms = cells.geometry.to_numpy()
    new_geom = out.geometry.to_numpy().copy()
    trimmed = np.zeros(len(out), dtype=int)
    lost = np.zeros(len(out))  # incidents of the cells left out
    counts = cells[column].to_numpy(dtype=float)
    for i in np.unique(hot_idx[low]):  # only hotspots holding a quiet cell: a few
        mine = hot_idx == i
        keep = cell_idx[mine & ~low]
        if len(keep):  # holes filled, within the hotspot: its own holes stay
            kept = _no_holes(shapely.coverage_union_all(geoms[keep]))
            new_geom[i] = shapely.intersection(kept, new_geom[i], grid_size=None)
            quiet = cell_idx[mine & low]
            inside = shapely.contains(new_geom[i], shapely.point_on_surface(geoms[quiet]))
            trimmed[i] = int((~inside).sum())
            lost[i] = counts[quiet[~inside]].sum()
    old_area = shapely.area(out.geometry.to_numpy())
    ratio = shapely.area(new_geom) / np.maximum(old_area, 1e-12)
    out = out.set_geometry(gpd.GeoSeries(new_geom, index=out.index, crs=out.crs))
    out["n_trimmed_cells"] = trimmed
    kept = np.ones(len(out))
    if "n_incidents" in out.columns:
        n = out["n_incidents"].to_numpy(dtype=float)
        kept = np.where(n > 0, (n - lost) / np.where(n > 0, n, 1), 1.0)
        out["n_incidents"] = (n - lost).astype(out["n_incidents"].dtype)
        if "share" in out.columns:
            out["share"] = out["share"] * kept
    if "area_km2" in out.columns:
        out["area_km2"] = out["area_km2"] * ratio
    if "concentration" in out.columns:
        out["concentration"] = out["concentration"] * kept / np.where(ratio > 0, ratio, np.nan)
    meta = dict(out.attrs.get("hotspot", {}))
    meta["trimmed"] = {
        "min_count": int(min_count),
        "cells": int(trimmed.sum()),
        "hotspots": int((trimmed > 0).sum()),
        "reason": "outlines keep the cells with at least min_count incidents (Gi* can mark "
        "a quiet cell beside busy ones)",
    }
    out.attrs["hotspot"] = meta
    return out


def queen_parts(geom: Any) -> list[Any]:
    """Return the parts of an outline that touch nowhere, not even at a corner (queen).

    Polygons that share an edge or only a corner are one part, as the scan merges
    hot cells: one place an officer walks, which a map labels once.

    Examples
    --------
    >>> from shapely.geometry import MultiPolygon, box
    >>> geom = MultiPolygon([box(0, 0, 1, 1), box(1, 1, 2, 2), box(5, 5, 6, 6)])
    >>> [p.area for p in queen_parts(geom)]
    [2.0, 1.0]
    """
    parts = shapely.get_parts(shapely.get_parts(geom))
    parts = parts[shapely.area(parts) > 0]
    if len(parts) < 2:
        return list(parts)
    left, right = shapely.STRtree(parts).query(parts, predicate="intersects")
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(len(parts), len(parts)))
    n_groups, group = connected_components(graph, directed=False)
    return [shapely.union_all(parts[group == g]) for g in range(n_groups)]


def _connected_pieces(
    geom: Any, mine: np.ndarray, centres: np.ndarray, counts: np.ndarray
) -> list[tuple[Any, int, float]]:
    """Queen-connected pieces of a trimmed outline, busiest first.

    Parts that share an edge or only a corner stay one piece (queen contiguity, as
    the scan merges hot cells). Each piece comes with its number of cells and
    incidents (of the hotspot's cells ``mine``, by centre).
    """
    out = []
    for piece in queen_parts(geom):  # a place falls into a few pieces at most
        inside = mine[shapely.contains(piece, centres[mine])]
        out.append((piece, len(inside), float(counts[inside].sum())))
    return sorted(out, key=lambda p: -p[2])


def _with_pieces(
    geoms: np.ndarray,
    n_cells: np.ndarray,
    n_incidents: np.ndarray,
    pieces: dict[int, list[tuple[Any, float, float]]],
) -> tuple[np.ndarray, list[Any], np.ndarray, np.ndarray]:
    """Rows, outlines, cells and incidents: a trimmed hotspot's pieces in its place."""
    by_row = [pieces.get(i, [(geoms[i], n_cells[i], n_incidents[i])]) for i in range(len(geoms))]
    rows = np.repeat(np.arange(len(geoms)), [len(p) for p in by_row])
    flat = [p for row in by_row for p in row]
    return (
        rows,
        [p[0] for p in flat],
        np.array([p[1] for p in flat], dtype=float),
        np.array([p[2] for p in flat], dtype=float),
    )


def _recounted(
    hotspots: gpd.GeoDataFrame,
    rows: np.ndarray,
    geoms: list[Any],
    lost: tuple[np.ndarray, np.ndarray],
    trimmed: np.ndarray,
    min_count: int,
) -> gpd.GeoDataFrame:
    """Rows ``rows`` of ``hotspots`` on the new outlines, their figures following them.

    ``lost`` holds, per row, the incidents and cells of the hotspot outside the
    row's outline: counts go down by them, area with the outline, share and
    concentration with both (harm in proportion to incidents).
    """
    old = hotspots.iloc[rows].reset_index(drop=True)
    old_area = shapely.area(old.geometry.to_numpy())
    out = old.set_geometry(gpd.GeoSeries(geoms, index=old.index, crs=hotspots.crs))
    out.attrs = dict(hotspots.attrs)
    first = np.r_[True, rows[1:] != rows[:-1]]  # the cells left out, counted once
    out["n_trimmed_cells"] = np.where(first, trimmed[rows], 0)
    ratio = shapely.area(out.geometry.to_numpy()) / np.maximum(old_area, 1e-12)
    kept = np.ones(len(out))
    if "n_incidents" in out.columns:
        n = old["n_incidents"].to_numpy(dtype=float)
        kept = np.where(n > 0, (n - lost[0]) / np.where(n > 0, n, 1), 1.0)
        out["n_incidents"] = (n - lost[0]).astype(old["n_incidents"].dtype)
    for col in ("share", "harm"):
        if col in out.columns:
            out[col] = old[col] * kept
    if "n_units" in out.columns:
        out["n_units"] = (old["n_units"] - lost[1]).astype(old["n_units"].dtype)
    for col in ("area_km2", "area_share"):
        if col in out.columns:
            out[col] = old[col] * ratio
    if "concentration" in out.columns:
        out["concentration"] = old["concentration"] * kept / np.where(ratio > 0, ratio, np.nan)
    n_split = int((~first).sum())
    if n_split:
        out = _reranked(out)
    meta = dict(out.attrs.get("hotspot", {}))
    meta["trimmed"] = {
        "min_count": int(min_count),
        "cells": int(trimmed.sum()),
        "hotspots": int((trimmed > 0).sum()),
        "split": len(np.unique(rows[~first])),
        "pieces": n_split,
        "reason": "outlines keep the cells with at least min_count incidents (Gi* can mark "
        "a quiet cell beside busy ones); a place that falls into parts (queen contiguity) "
        "becomes one place per part, ranked again",
    }
    out.attrs["hotspot"] = meta
    return out


def _reranked(places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Rank again by harm or incidents (hot spots before busy places on ties)."""
    key = "harm" if "harm" in places.columns else "n_incidents"
    value = places[key].to_numpy(dtype=float) if key in places.columns else 0
    busy = (places["kind"] == "busy place").to_numpy() if "kind" in places.columns else 0
    order = np.lexsort((
        np.arange(len(places)),  # no figure to rank by: the parts keep the list's order
        np.zeros(len(places)) + busy,
        np.zeros(len(places)) - value,
    ))
    out = places.iloc[order].reset_index(drop=True)
    rank = np.arange(1, len(out) + 1, dtype=np.int64)
    for col in ("hotspot_id", "rank"):
        if col in out.columns:
            out[col] = rank
    return out
