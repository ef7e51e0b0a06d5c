"""Hotspot outlines on the cells that hold their incidents (what a printed map shows).

:func:`trim_to_counts` keeps, of each hotspot, the cells with at least the map's
minimum count: Gi* can mark a quiet cell beside busy ones, and an outline on a
pale cell sends an officer where nothing happened.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from hotspot._core.validation import check_geodataframe, check_same_crs
from hotspot.exceptions import InvalidInputError

__all__ = ["trim_to_counts"]


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
    >>> out = trim_to_counts(hot, cells)
    >>> out.geometry.iloc[0].area, int(out["n_trimmed_cells"].iloc[0])
    (2.0, 1)
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
