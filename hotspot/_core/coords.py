"""Point coordinates read from geometries once, then reused.

Reading x/y out of a million shapely points (``shapely.get_x`` + ``get_y``) costs
more than binning them. A pipeline run (count, Gi*, hotspot membership, KDE...)
asks for the same incidents' coordinates several times, so :func:`point_xy` keeps
them per geometry array and hands the same read-only arrays back while that array
is unchanged.

The cache is keyed on the :class:`geopandas.array.GeometryArray` object and holds a
fingerprint of the geometry objects it holds (their addresses, weighted by
position): geopandas edits a GeometryArray in place (``gdf.loc[i, "geometry"] =
...``), and any such edit changes the fingerprint, so a stale entry is never
used. An entry is dropped when its array is garbage collected.
"""

from __future__ import annotations

import ctypes
import functools
import weakref
from typing import Any

import numpy as np
import shapely

__all__ = ["point_xy", "remember"]

_CACHE: dict[int, tuple[Any, int, np.ndarray, np.ndarray]] = {}
_MIN_CACHED = 10_000  # smaller arrays are read directly: caching would not pay


def point_xy(geometry: Any) -> tuple[np.ndarray, np.ndarray]:
    """Return the x and y of point geometries, from the cache when unchanged.

    Parameters
    ----------
    geometry
        A GeoSeries, a GeoDataFrame (its active geometry), a GeometryArray or a
        numpy array of shapely geometries.

    Returns
    -------
    x, y : numpy.ndarray
        Float arrays (read-only when cached). Non-point and empty geometries give
        NaN (shapely's rule); callers validate.

    Examples
    --------
    >>> import geopandas as gpd
    >>> pts = gpd.GeoSeries(gpd.points_from_xy([1.0, 2.0], [3.0, 4.0]))
    >>> [a.tolist() for a in point_xy(pts)]
    [[1.0, 2.0], [3.0, 4.0]]
    """
    array = getattr(geometry, "geometry", geometry)
    array = getattr(array, "array", array)  # GeoSeries -> GeometryArray
    data = getattr(array, "_data", None)
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != object
        or data.ndim != 1
        or len(data) < _MIN_CACHED
        or not data.flags.c_contiguous
    ):
        geoms = np.asarray(array)
        return shapely.get_x(geoms), shapely.get_y(geoms)
    key = id(array)
    stamp = _fingerprint(data)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is array and hit[1] == stamp:
        return hit[2], hit[3]
    x, y = shapely.get_x(data), shapely.get_y(data)
    x.flags.writeable = False
    y.flags.writeable = False
    _CACHE[key] = (weakref.ref(array, lambda _, key=key: _CACHE.pop(key, None)), stamp, x, y)
    return x, y


def remember(geometry: Any, x: np.ndarray, y: np.ndarray) -> None:
    """Cache the coordinates a point geometry array was just built from.

    A reader that makes points from coordinate arrays (``read_incidents``) hands the
    arrays over, so the first :func:`point_xy` of the new frame reads nothing.

    Parameters
    ----------
    geometry
        The GeoSeries / GeoDataFrame / GeometryArray built with ``shapely.points(x, y)``.
    x, y
        The coordinates it was built from, in the same order (metres).

    Examples
    --------
    >>> import geopandas as gpd
    >>> x, y = np.arange(20_000.0), np.zeros(20_000)
    >>> pts = gpd.GeoSeries(gpd.points_from_xy(x, y))
    >>> remember(pts, x, y)
    >>> point_xy(pts)[0] is not x  # a read-only copy is kept
    True
    >>> bool(np.array_equal(point_xy(pts)[0], x))
    True
    """
    array = getattr(geometry, "geometry", geometry)
    array = getattr(array, "array", array)
    data = getattr(array, "_data", None)
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != object
        or len(data) < _MIN_CACHED
        or len(data) != len(x)
        or not data.flags.c_contiguous
    ):
        return
    xs = np.array(x, dtype=float)
    ys = np.array(y, dtype=float)
    xs.flags.writeable = False
    ys.flags.writeable = False
    key = id(array)
    _CACHE[key] = (weakref.ref(array, lambda _, key=key: _CACHE.pop(key, None)),
                   _fingerprint(data), xs, ys)


def _fingerprint(data: np.ndarray) -> int:
    """Position-weighted sum of the object addresses held by ``data`` (wrapping)."""
    n = len(data)
    addresses = np.frombuffer((ctypes.c_size_t * n).from_address(data.ctypes.data), np.uintp)
    return int(np.dot(addresses, _weights(n))) ^ n


@functools.lru_cache(maxsize=4)
def _weights(n: int) -> np.ndarray:
    """Odd weights 1, 3, 5, ...: a swap or a replacement changes the weighted sum."""
    return np.arange(1, 2 * n, 2, dtype=np.uintp)
