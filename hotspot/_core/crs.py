"""Coordinate reference systems: metric checks, the local UTM zone and projection."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as _PyprojCRSError

from hotspot._core.meta import attach, note_choice
from hotspot._core.validation import is_metric
from hotspot.exceptions import CRSError, InputTypeError, InvalidInputError

__all__ = [
    "NATIONAL_GRIDS",
    "grid_candidates",
    "metric_crs_for",
    "project",
    "transform_xy",
    "utm_crs",
    "utm_epsg",
]


def utm_crs(lon: float, lat: float) -> CRS:
    """Return the WGS 84 / UTM zone CRS (EPSG:326zz north, 327zz south) for a location.

    The zone is a formula, not a database query: zone ``ceil((lon + 180) / 6)`` (1-60;
    a longitude on a zone border goes to the western zone, -180 to zone 1 and
    180 to zone 60), north
    (EPSG:326zz) from the equator up, south (EPSG:327zz) below it. This is the zone
    :meth:`geopandas.GeoSeries.estimate_utm_crs` picks for the point (tested on a grid
    of locations, zone borders and the equator included) at a fraction of its cost
    (it queries the pyproj database, about 50 ms a call). Zones are the standard 6°
    zones: the Norway (32V) and Svalbard exceptions are not applied, as in pyproj's
    database.

    Parameters
    ----------
    lon, lat : float
        Location in degrees (WGS 84).

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    CRSError
        If the location is not a valid lon/lat.

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
    return _utm_zone_crs(utm_epsg(float(lon), float(lat)))


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 / UTM zone of a location in degrees (see :func:`utm_crs`).

    Examples
    --------
    >>> utm_epsg(-84.0, 10.0), utm_epsg(-83.9, -10.0)  # a border goes west
    (32616, 32717)
    """
    if not -180.0 <= lon <= 180.0:
        lon = ((lon + 180.0) % 360.0) - 180.0
    zone = min(max(int(np.ceil((lon + 180.0) / 6.0)), 1), 60)
    return (32600 if lat >= 0 else 32700) + zone


@functools.cache
def _utm_zone_crs(epsg: int) -> CRS:
    return CRS.from_epsg(epsg)


# --------------------------------------------------------------------------------------
# Which CRS unlabelled x/y values are in
# --------------------------------------------------------------------------------------
NATIONAL_GRIDS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (27700, "British National Grid", ("Europe/London",)),
    (2154, "France, Lambert-93", ("Europe/Paris",)),
    (2157, "Ireland, Irish Transverse Mercator", ("Europe/Dublin", "Europe/London")),
    (29903, "Ireland, Irish Grid", ("Europe/Dublin", "Europe/London")),
    (28992, "Netherlands, RD New", ("Europe/Amsterdam",)),
    (31370, "Belgium, Lambert 72", ("Europe/Brussels",)),
    (2056, "Switzerland, LV95", ("Europe/Zurich", "Europe/Vaduz")),
    (3006, "Sweden, SWEREF99 TM", ("Europe/Stockholm",)),
    (3067, "Finland, ETRS-TM35FIN", ("Europe/Helsinki",)),
    (2180, "Poland, CS92", ("Europe/Warsaw",)),
    (3763, "Portugal, PT-TM06", ("Europe/Lisbon",)),
    (25830, "Spain, ETRS89 / UTM 30N", ("Europe/Madrid",)),
    (25832, "ETRS89 / UTM 32N (Germany, Denmark, Norway)",
     ("Europe/Berlin", "Europe/Copenhagen", "Europe/Oslo")),
    (25833, "ETRS89 / UTM 33N (eastern Germany, Norway)", ("Europe/Berlin", "Europe/Oslo")),
    (2193, "New Zealand, NZTM2000", ("Pacific/Auckland",)),
    (7855, "Australia, MGA zone 55 (GDA2020)", ("Australia/Melbourne", "Australia/Sydney",
                                               "Australia/Hobart")),
    (7856, "Australia, MGA zone 56 (GDA2020)", ("Australia/Sydney", "Australia/Brisbane")),
    (3857, "Web Mercator (web-map exports)", ()),
)
"""Projected CRSs that unlabelled x/y values are checked against: (EPSG, name, the time
zones of the country that uses it). Web Mercator (no zones: it covers the world) is
never guessed; it is a candidate so that values it could also mean are not guessed."""

_GRID_SHARE = 0.95  # share of the points that must lie in a grid's area of use
_LOCAL_GRID = 10_000.0  # values all within this of 0, 0: a local grid, never guessed


@functools.cache
def _grid(epsg: int) -> tuple[Transformer, tuple[float, float, float, float]]:
    crs = CRS.from_epsg(epsg)
    area = crs.area_of_use
    bounds = (area.west, area.south, area.east, area.north) if area else (-180, -90, 180, 90)
    return Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True), bounds


def grid_candidates(xs: np.ndarray, ys: np.ndarray,
                    zone_at: Callable[[float, float], str | None]
                    ) -> list[tuple[int, str, float, float, str]]:
    """Return the grids of :data:`NATIONAL_GRIDS` that projected x/y values could be in.

    A grid fits when at least 95 % of the points (up to 2,000 evenly spaced) fall in
    its area of use (the EPSG database's) and the median point lies on land in a time
    zone of the country that uses it (``zone_at``, e.g. Europe/Paris for Lambert-93;
    any land for Web Mercator). The values alone cannot say more: Lambert-93 around
    Paris is also Web Mercator in the Netherlands, so the caller guesses only when one
    grid fits and names every candidate otherwise. Values all within 10,000 of 0, 0 are
    a local grid (a map sheet's own coordinates, e.g. spatstat's Chicago network in
    feet), which would otherwise fit the grids whose origin lies on land (Portugal's):
    they fit none.

    Parameters
    ----------
    xs, ys : numpy.ndarray
        Valid projected coordinates.
    zone_at : callable
        ``zone_at(lon, lat)``: the IANA time zone at a point, None at sea.

    Returns
    -------
    list of (epsg, name, lon, lat, zone)
        Each fitting grid with where it puts the median point.

    Examples
    --------
    >>> zones = {(-2, 54): "Europe/London"}  # a stand-in for a time-zone lookup
    >>> fits = grid_candidates(np.array([430_000.0]), np.array([433_000.0]),
    ...                        lambda lon, lat: zones.get((round(lon), round(lat))))
    >>> [(e, round(lon, 2), round(lat, 2)) for e, _, lon, lat, _ in fits]
    [(27700, -1.55, 53.79)]
    """
    if not len(xs) or np.nanmax(np.maximum(np.abs(xs), np.abs(ys))) < _LOCAL_GRID:
        return []  # a local grid (distances from a corner of the map), not a national one
    step = max(1, len(xs) // 2000)
    sx, sy = np.asarray(xs, float)[::step], np.asarray(ys, float)[::step]
    mx, my = float(np.median(xs)), float(np.median(ys))
    found = []
    for epsg, name, zones in NATIONAL_GRIDS:
        tr, (w, s, e, n) = _grid(epsg)
        with np.errstate(all="ignore"):
            lon, lat = tr.transform(sx, sy, errcheck=False)
            mlon, mlat = tr.transform(mx, my, errcheck=False)
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        inside = np.isfinite(lon) & (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)
        if inside.mean() < _GRID_SHARE or not (np.isfinite(mlon) and np.isfinite(mlat)):
            continue
        zone = zone_at(float(mlon), float(mlat))
        on_land = zone is not None and not zone.startswith("Etc/")
        if on_land and (not zones or zone in zones):
            found.append((epsg, name, float(mlon), float(mlat), str(zone)))
    return found


def _crs_str(crs: CRS | None) -> str | None:
    if crs is None:
        return None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def metric_crs_for(xs: np.ndarray, ys: np.ndarray, crs_in: CRS) -> tuple[CRS, str]:
    """Return the CRS that :func:`project` moves ``crs_in`` coordinates to, and why.

    ``crs_in`` itself when it is already metric (:func:`is_metric`); otherwise the
    UTM zone (:func:`utm_crs`) of the median location of the points ``xs, ys``.

    Examples
    --------
    >>> crs, why = metric_crs_for(np.array([-87.6]), np.array([41.9]), CRS.from_epsg(4326))
    >>> crs.to_epsg(), why
    (32616, 'UTM zone of the median location (lon -87.600, lat 41.900)')
    """
    if is_metric(crs_in):
        return crs_in, "input is already in a projected CRS in metres"
    lon, lat = _median_lonlat(np.asarray(xs, float), np.asarray(ys, float), crs_in)
    return utm_crs(lon, lat), f"UTM zone of the median location (lon {lon:.3f}, lat {lat:.3f})"


def transform_xy(
    xs: np.ndarray, ys: np.ndarray, crs_in: CRS, crs_out: CRS
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates ``xs, ys`` from ``crs_in`` to ``crs_out`` (NaN where they fail).

    Examples
    --------
    >>> x, y = transform_xy(np.array([-87.63]), np.array([41.88]), CRS.from_epsg(4326),
    ...                     CRS.from_epsg(32616))
    >>> round(float(x[0]))
    447727
    """
    if crs_out.equals(crs_in):
        return np.asarray(xs, float).copy(), np.asarray(ys, float).copy()
    tr = Transformer.from_crs(crs_in, crs_out, always_xy=True)
    with np.errstate(all="ignore"):
        tx, ty = tr.transform(xs, ys, errcheck=False)
    return np.asarray(tx, float), np.asarray(ty, float)


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
        raise InputTypeError(msg)
    if gdf.crs is None:
        msg = (
            "`gdf` has no CRS, so it cannot be re-projected. Set the CRS the coordinates "
            "are in first, e.g. `gdf.set_crs('EPSG:4326')` for lon/lat."
        )
        raise CRSError(msg)
    choices: dict[str, Any] = {}
    if crs is not None:
        target = _to_crs(crs, "crs")
        if not is_metric(target):
            msg = (
                f"`crs={crs!r}` is not a projected CRS in metres (or is Web Mercator, whose "
                "distances are stretched); hotspot measures distances in metres. Pass a "
                "metric CRS, or crs=None for the local UTM zone."
            )
            raise CRSError(msg)
        reason = "given by the caller"
    elif is_metric(gdf.crs):
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
        target, reason = metric_crs_for(xs, ys, gdf.crs)
    note_choice(choices, "crs", _crs_str(target), reason)
    out = gdf.to_crs(target) if not target.equals(gdf.crs) else gdf.copy()
    return attach(out, "project", {"crs": None if crs is None else str(crs)}, choices)
