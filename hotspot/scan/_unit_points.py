"""Where a KDE is evaluated on units that are not a square grid: points per unit."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from hotspot.exceptions import InvalidInputError


def unit_points(gdf: Any) -> np.ndarray:
    """One point per feature: points as they are, polygon centroids, line midpoints."""
    import shapely

    geoms = np.asarray(gdf.geometry.array)
    types = shapely.get_type_id(geoms)
    out = np.full((len(geoms), 2), np.nan)
    is_point = types == 0
    is_line = np.isin(types, (1, 2, 5))
    is_poly = np.isin(types, (3, 6))
    if is_point.any():
        out[is_point] = shapely.get_coordinates(geoms[is_point])
    if is_line.any():
        mid = shapely.line_interpolate_point(geoms[is_line], 0.5, normalized=True)
        out[is_line] = shapely.get_coordinates(mid)
    if is_poly.any():
        polys = geoms[is_poly]
        cent = shapely.centroid(polys)
        outside = ~shapely.contains(polys, cent)
        cent[outside] = shapely.point_on_surface(polys[outside])
        out[is_poly] = shapely.get_coordinates(cent)
    bad = ~np.isfinite(out).all(axis=1)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        msg = (
            f"Cannot place a point in feature {gdf.index[pos]!r} (empty or unsupported "
            "geometry); drop empty geometries first."
        )
        raise InvalidInputError(msg)
    return out


def unit_samples(
    units: Any, h: float, max_points: int = 200_000
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Return evaluation points of non-grid units and the unit each belongs to.

    Points and lines: one point per unit (see :func:`unit_points`). Polygons: a
    regular lattice (spacing ``h / 4``, coarser if more than ``max_points`` would be
    needed) clipped to each polygon, so that the unit's value is the **mean density
    over the polygon**; a polygon holding no lattice point uses its centroid.
    """
    import shapely

    base = unit_points(units)
    n = len(base)
    geoms = np.asarray(units.geometry.array)
    polys = np.flatnonzero(np.isin(shapely.get_type_id(geoms), (3, 6)))
    if not len(polys):
        return base, np.arange(n), None
    minx, miny, maxx, maxy = shapely.total_bounds(geoms[polys])
    spacing = max(h / 4.0, math.sqrt((maxx - minx) * (maxy - miny) / max_points))
    xs = np.arange(minx + spacing / 2, maxx, spacing)
    ys = np.arange(miny + spacing / 2, maxy, spacing)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    lattice = shapely.points(gx, gy)
    pt, poly = shapely.STRtree(geoms[polys]).query(lattice, predicate="within")
    covered = np.zeros(n, dtype=bool)
    covered[polys[poly]] = True
    alone = np.flatnonzero(~covered)  # points, lines and polygons without a lattice point
    points = np.vstack([np.column_stack([gx[pt], gy[pt]]), base[alone]])
    owner = np.concatenate([polys[poly], alone])
    note = (
        f"mean density over each polygon (lattice of {spacing:.4g} m; polygons without a "
        "lattice point use their centroid)"
    )
    return points, owner, note
