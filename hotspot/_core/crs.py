"""Coordinate reference systems: metric checks, the local UTM zone and projection."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as _PyprojCRSError

from hotspot._core.meta import attach, note_choice
from hotspot._core.validation import metres_factor
from hotspot.exceptions import CRSError, InvalidInputError

__all__ = [
    "project",
    "utm_crs",
]



def utm_crs(lon: float, lat: float) -> CRS:
    """Return the WGS 84 / UTM zone CRS (EPSG:326zz north, 327zz south) for a location.

    Zones follow the standard 6° formula with the Norway (32V) and Svalbard (31X–37X)
    exceptions. UPS near the poles is not used.

    Parameters
    ----------
    lon, lat : float
        Location in degrees (WGS 84).

    Returns
    -------
    pyproj.CRS

    Examples
    --------
    >>> utm_crs(-87.63, 41.88).to_epsg()  # Chicago
    32616
    >>> utm_crs(-1.55, 53.8).to_epsg()  # Leeds
    32630
    >>> utm_crs(151.2, -33.9).to_epsg()  # Sydney
    32756
    """
    if not (np.isfinite(lon) and np.isfinite(lat)) or abs(lat) > 90:
        msg = f"cannot choose a UTM zone for lon={lon!r}, lat={lat!r}: not a valid location."
        raise CRSError(msg)
    lon = ((lon + 180.0) % 360.0) - 180.0
    zone = int((lon + 180.0) // 6.0) + 1
    zone = min(max(zone, 1), 60)
    if 56.0 <= lat < 64.0 and 3.0 <= lon < 12.0:
        zone = 32
    if 72.0 <= lat < 84.0:
        for lo, hi, z in ((0, 9, 31), (9, 21, 33), (21, 33, 35), (33, 42, 37)):
            if lo <= lon < hi:
                zone = z
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def _crs_str(crs: CRS | None) -> str | None:
    if crs is None:
        return None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def _is_metric(crs: CRS) -> bool:
    """Projected in metres, and not Web Mercator (whose 'metres' are ~1/cos(lat) too long)."""
    if not crs.is_projected or abs(metres_factor(crs) - 1.0) > 1e-12:
        return False
    op = getattr(crs, "coordinate_operation", None)
    method = (op.method_name if op is not None else "") or ""
    return "pseudo" not in method.lower() and crs.to_epsg() not in (3857, 900913, 3395)


def _to_crs(value: Any, arg: str) -> CRS:
    try:
        return CRS.from_user_input(value)
    except (_PyprojCRSError, TypeError, ValueError) as exc:
        msg = (
            f"`{arg}={value!r}` is not a CRS pyproj understands ({exc}). Pass an EPSG "
            "code such as 'EPSG:4326' (lon/lat) or 'EPSG:3435' (Illinois East, US feet)."
        )
        raise CRSError(msg) from None


def _median_lonlat(xs: np.ndarray, ys: np.ndarray, crs: CRS) -> tuple[float, float]:
    """Median location in lon/lat (from at most 100,000 evenly spaced points)."""
    step = max(1, len(xs) // 100_000)
    xs, ys = xs[::step], ys[::step]
    if crs.is_geographic:
        lon, lat = xs, ys
    else:
        tr = Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True)
        lon, lat = tr.transform(xs, ys)
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        msg = "no point could be converted to lon/lat to choose a UTM zone."
        raise CRSError(msg)
    return float(np.median(lon[ok])), float(np.median(lat[ok]))


def project(gdf: gpd.GeoDataFrame | gpd.GeoSeries, crs: Any = None) -> gpd.GeoDataFrame:
    """Re-project to a CRS in metres: the local UTM zone, or ``crs`` when given.

    With ``crs=None``: a frame already in a metric projected CRS is returned as a
    copy; a geographic (lon/lat) frame or one in a non-metric projected CRS (e.g. US
    State Plane feet, EPSG:3435) goes to the WGS 84 / UTM zone of the median point
    (bounding-box centre for non-point geometries). The choice is logged and stored
    in ``attrs["hotspot"]["project"]``.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame or geopandas.GeoSeries
        Data with a CRS. Not modified.
    crs : optional
        Target CRS (anything pyproj accepts). Must be projected in metres.

    Returns
    -------
    geopandas.GeoDataFrame or geopandas.GeoSeries
        A new object in the metric CRS.

    Raises
    ------
    CRSError
        If ``gdf`` has no CRS, or ``crs`` is not a projected CRS in metres.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspot._core.crs import project
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([-87.63], [41.88]), crs=4326)
    >>> project(pts).crs.to_epsg()
    32616
    >>> round(project(pts).geometry.x.iloc[0])
    447727
    """
    if not isinstance(gdf, (gpd.GeoDataFrame, gpd.GeoSeries)):
        msg = f"`gdf` must be a GeoDataFrame or GeoSeries, got {type(gdf).__name__}."
        raise TypeError(msg)
    if gdf.crs is None:
        msg = (
            "`gdf` has no CRS, so it cannot be re-projected. Set the CRS the coordinates "
            "are in first, e.g. `gdf.set_crs('EPSG:4326')` for lon/lat."
        )
        raise CRSError(msg)
    choices: dict[str, Any] = {}
    if crs is not None:
        target = _to_crs(crs, "crs")
        if not _is_metric(target):
            msg = (
                f"`crs={crs!r}` is not a projected CRS in metres (or is Web Mercator, whose "
                "distances are stretched); hotspot measures distances in metres. Pass a "
                "metric CRS, or crs=None for the local UTM zone."
            )
            raise CRSError(msg)
        reason = "given by the caller"
    elif _is_metric(gdf.crs):
        target = gdf.crs
        reason = "input is already in a projected CRS in metres"
    else:
        if len(gdf) == 0:
            msg = "`gdf` has no rows, so no UTM zone can be chosen; pass `crs=`."
            raise InvalidInputError(msg)
        geom = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
        valid = geom[~(geom.isna() | geom.is_empty)]
        if len(valid) and (valid.geom_type == "Point").all():
            xs, ys = valid.x.to_numpy(), valid.y.to_numpy()
        else:
            b = valid.total_bounds
            xs, ys = np.array([(b[0] + b[2]) / 2]), np.array([(b[1] + b[3]) / 2])
        lon, lat = _median_lonlat(xs, ys, gdf.crs)
        target = utm_crs(lon, lat)
        reason = f"UTM zone of the median location (lon {lon:.3f}, lat {lat:.3f})"
    note_choice(choices, "crs", _crs_str(target), reason)
    out = gdf.to_crs(target) if not target.equals(gdf.crs) else gdf.copy()
    return attach(out, "project", {"crs": None if crs is None else str(crs)}, choices)


# --------------------------------------------------------------------------------------
# Loading sources
# --------------------------------------------------------------------------------------
