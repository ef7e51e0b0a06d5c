"""Darkness at the time and place of each incident (SARA: Analysis).

* :func:`solar_elevation` and :func:`sun_times`: the sun's position with the NOAA
  equations (array core).
* :func:`daylight` adds the sun's elevation and a light class (day / twilight /
  dark / unknown) at each incident's place and time, and each time window's share
  in darkness; :func:`dark_share` summarises it per group with a Wilson interval.
  This is what decides whether lighting evidence applies to a hotspot.

Times are read as in :mod:`hotspot.analyse.temporal` (local clock, ``time_quality``).
Unknown times are never counted as "dark": they get the light class ``"unknown"``.

References
----------
NOAA Global Monitoring Laboratory, *Solar Calculation Details* and the NOAA solar
calculator spreadsheet (equations after Meeus, *Astronomical Algorithms*, 1991).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.stats import norm

from hotspot._core.deprecation import renamed_arguments
from hotspot._core.meta import attach, note_choice
from hotspot._core.validation import (
    boolean_mask,
    check_columns,
    check_geodataframe,
    check_points,
)
from hotspot.analyse.temporal import (
    _epoch_seconds,
    _expand,
    _group_codes,
    _groups,
    _times,
    _to_timedelta_seconds,
    _units,
)
from hotspot.exceptions import CRSError, InvalidInputError

__all__ = [
    "LIGHT_CLASSES",
    "SUNRISE_ELEVATION",
    "TWILIGHT_ELEVATIONS",
    "dark_share",
    "daylight",
    "solar_elevation",
    "sun_times",
]

LIGHT_CLASSES = ("day", "twilight", "dark", "unknown")
#: Geometric elevation of the sun's centre at sunrise/sunset (degrees): 34' of
#: refraction at the horizon plus 16' of solar semi-diameter (NOAA, USNO).
SUNRISE_ELEVATION = -0.833
#: Geometric elevation of the sun's centre that ends each twilight (degrees).
TWILIGHT_ELEVATIONS = {"civil": -6.0, "nautical": -12.0, "astronomical": -18.0}


# --------------------------------------------------------------------------------------
# Solar position (array core)
# --------------------------------------------------------------------------------------


def _solar_terms(jd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Declination (degrees) and equation of time (minutes) at Julian days ``jd``."""
    t = (jd - 2451545.0) / 36525.0  # Julian century
    l0 = np.mod(280.46646 + t * (36000.76983 + t * 0.0003032), 360.0)
    m = 357.52911 + t * (35999.05029 - 0.0001537 * t)
    e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    m_r = np.radians(m)
    centre = (
        np.sin(m_r) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + np.sin(2 * m_r) * (0.019993 - 0.000101 * t)
        + np.sin(3 * m_r) * 0.000289
    )
    true_long = l0 + centre
    omega = np.radians(125.04 - 1934.136 * t)
    app_long = true_long - 0.00569 - 0.00478 * np.sin(omega)
    seconds = 21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))
    mean_obliq = 23.0 + (26.0 + seconds / 60.0) / 60.0
    obliq = np.radians(mean_obliq + 0.00256 * np.cos(omega))
    decl = np.degrees(np.arcsin(np.sin(obliq) * np.sin(np.radians(app_long))))
    y = np.tan(obliq / 2.0) ** 2
    l0_r = np.radians(l0)
    eot = 4.0 * np.degrees(
        y * np.sin(2 * l0_r)
        - 2 * e * np.sin(m_r)
        + 4 * e * y * np.sin(m_r) * np.cos(2 * l0_r)
        - 0.5 * y * y * np.sin(4 * l0_r)
        - 1.25 * e * e * np.sin(2 * m_r)
    )
    return decl, eot


def _refraction(elev: np.ndarray) -> np.ndarray:
    """NOAA's approximate atmospheric refraction (degrees) at geometric elevation ``elev``."""
    el = np.asarray(elev, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        tan_e = np.tan(np.radians(el))
        high = 58.1 / tan_e - 0.07 / tan_e**3 + 0.000086 / tan_e**5
        low = 1735.0 + el * (-518.2 + el * (103.4 + el * (-12.79 + el * 0.711)))
        below = -20.774 / tan_e
    arcsec = np.where(el > 85.0, 0.0, np.where(el > 5.0, high, np.where(el > -0.575, low, below)))
    return arcsec / 3600.0


def solar_elevation(times_utc: Any, lon: Any, lat: Any, *, refraction: bool = False) -> np.ndarray:
    """Elevation of the sun's centre above the horizon (degrees), NOAA equations.

    Vectorized over times and places (numpy broadcasting). Implements the NOAA solar
    calculator: Julian century, geometric mean longitude and anomaly, equation of
    centre, apparent longitude, corrected obliquity, declination, equation of time,
    true solar time, hour angle and zenith. Accuracy is about 0.01 degree for years
    1800-2100.

    Parameters
    ----------
    times_utc
        Datetimes: tz-aware (any zone; converted to UTC) or naive UTC. A scalar, an
        array-like, a Series or a DatetimeIndex. NaT gives NaN.
    lon, lat
        Longitude (east positive) and latitude (north positive) in degrees, WGS84;
        scalars or arrays broadcastable with ``times_utc``.
    refraction
        ``False`` (default): geometric elevation, the quantity the thresholds
        :data:`SUNRISE_ELEVATION` (-0.833) and :data:`TWILIGHT_ELEVATIONS` refer to.
        ``True``: apparent elevation, corrected for atmospheric refraction as in the
        NOAA spreadsheet.

    Returns
    -------
    numpy.ndarray
        Elevation in degrees (float64), NaN where the time is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspot.analyse.darkness import solar_elevation
    >>> noon = pd.Timestamp("2012-06-21 12:52", tz="America/Chicago")  # solar noon
    >>> round(float(solar_elevation(noon, -87.63, 41.88)[0]), 2)
    71.55
    """
    secs = _epoch_seconds(np.atleast_1d(times_utc) if np.ndim(times_utc) == 0 else times_utc)
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    jd = secs / 86400.0 + 2440587.5
    decl, eot = _solar_terms(jd)
    minutes_utc = np.mod(secs, 86400.0) / 60.0
    true_solar = np.mod(minutes_utc + eot + 4.0 * lon, 1440.0)
    hour_angle = np.radians(true_solar / 4.0 - 180.0)
    lat_r, decl_r = np.radians(lat), np.radians(decl)
    cos_zen = np.sin(lat_r) * np.sin(decl_r) + np.cos(lat_r) * np.cos(decl_r) * np.cos(hour_angle)
    elev = 90.0 - np.degrees(np.arccos(np.clip(cos_zen, -1.0, 1.0)))
    if refraction:
        elev = elev + _refraction(elev)
    return np.asarray(elev, dtype=float)


def sun_times(
    dates: Any, lon: float, lat: float, tz: str, *, elevation: float = SUNRISE_ELEVATION
) -> pd.DataFrame:
    """Sunrise, solar noon and sunset on local calendar dates (NOAA equations).

    Sunrise and sunset are the instants the sun's centre crosses the geometric
    elevation ``elevation`` (default -0.833 degree: the upper limb on a level,
    refracting horizon, as published by USNO and NOAA). Each is found with the
    NOAA hour-angle formula and refined twice with the sun's declination and
    equation of time at the estimate itself. Pass ``elevation=-6`` for civil dawn
    and dusk.

    Parameters
    ----------
    dates
        A date or date-like scalar, or an array-like of them (local calendar dates).
    lon, lat
        Place in degrees (WGS84, east and north positive).
    tz
        IANA time zone of the returned times, e.g. ``"America/Chicago"``
        (fixed-offset zones such as ``"Etc/GMT+8"`` work too).
    elevation
        Geometric elevation of the sun's centre defining the event, degrees.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``date`` (the local dates); columns ``sunrise``, ``solar_noon``,
        ``sunset`` (tz-aware in ``tz``; NaT when the sun does not cross
        ``elevation`` that day, e.g. polar day or night).

    Examples
    --------
    >>> from hotspot.analyse.darkness import sun_times
    >>> st = sun_times("2012-06-21", -87.63, 41.88, "America/Chicago")
    >>> day = st.loc["2012-06-21"]
    >>> day["sunrise"].strftime("%H:%M"), day["sunset"].strftime("%H:%M")
    ('05:15', '20:29')
    """
    days = pd.DatetimeIndex(pd.to_datetime(np.atleast_1d(dates))).normalize()
    if days.tz is not None:
        days = days.tz_localize(None)
    midnight_utc = _epoch_seconds(days)  # UTC midnight of each calendar date
    cos_target = np.cos(np.radians(90.0 - elevation))
    lat_r = np.radians(lat)

    def event(sign: float) -> tuple[np.ndarray, np.ndarray]:
        est = midnight_utc + (720.0 - 4.0 * lon) * 60.0
        ok = np.ones(len(days), dtype=bool)
        noon = est
        for _ in range(3):
            decl, eot = _solar_terms(est / 86400.0 + 2440587.5)
            decl_r = np.radians(decl)
            cos_ha = (cos_target - np.sin(lat_r) * np.sin(decl_r)) / (
                np.cos(lat_r) * np.cos(decl_r)
            )
            ok = np.abs(cos_ha) <= 1.0
            ha = np.degrees(np.arccos(np.clip(cos_ha, -1.0, 1.0)))
            noon = midnight_utc + (720.0 - 4.0 * lon - eot) * 60.0
            est = noon + sign * 4.0 * ha * 60.0
        return np.where(ok, est, np.nan), noon

    rise, _ = event(-1.0)
    sset, noon = event(+1.0)

    def to_local(secs: np.ndarray) -> pd.DatetimeIndex:
        out = pd.to_datetime(secs, unit="s", utc=True)
        return pd.DatetimeIndex(out).tz_convert(tz).round("s")

    return pd.DataFrame(
        {"sunrise": to_local(rise), "solar_noon": to_local(noon), "sunset": to_local(sset)},
        index=pd.Index(days, name="date"),
    )


# --------------------------------------------------------------------------------------
# Darkness
# --------------------------------------------------------------------------------------


def _twilight_limit(twilight: Any) -> float:
    if isinstance(twilight, str):
        if twilight not in TWILIGHT_ELEVATIONS:
            msg = (
                f"`twilight` must be one of {tuple(TWILIGHT_ELEVATIONS)} or an elevation "
                f"in degrees below -0.833, got {twilight!r}."
            )
            raise InvalidInputError(msg)
        return TWILIGHT_ELEVATIONS[twilight]
    limit = float(twilight)
    if not limit < SUNRISE_ELEVATION:
        msg = f"`twilight` as an elevation must be below {SUNRISE_ELEVATION} degrees, got {limit}."
        raise InvalidInputError(msg)
    return limit


def _lonlat(incidents: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    check_geodataframe(incidents, "incidents")
    check_points(incidents, "incidents")
    if incidents.crs is None:
        msg = (
            "`incidents` has no CRS, so their longitude and latitude (needed for the "
            "sun's position) are unknown. Set it with `incidents.set_crs(...)`."
        )
        raise CRSError(msg)
    geoms = incidents.geometry.to_numpy()
    x = shapely.get_x(geoms).astype(float)
    y = shapely.get_y(geoms).astype(float)
    if incidents.crs.equals("EPSG:4326"):
        return x, y
    # on the coordinate arrays: as GeoSeries.to_crs (always_xy) without building points
    transformer = Transformer.from_crs(incidents.crs, "EPSG:4326", always_xy=True)
    lon, lat = transformer.transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _classify(elev: np.ndarray, limit: float) -> np.ndarray:
    cls = np.full(len(elev), 3, dtype=np.int8)  # unknown
    cls[elev > SUNRISE_ELEVATION] = 0
    cls[(elev <= SUNRISE_ELEVATION) & (elev > limit)] = 1
    cls[elev <= limit] = 2
    return cls


def daylight(
    incidents: gpd.GeoDataFrame,
    *,
    twilight: str | float = "civil",
    tz: Any = None,
    include_midnight: bool = False,
    max_window: Any = "7D",
) -> gpd.GeoDataFrame:
    """Add the sun's elevation and the light class at each incident's place and time.

    The sun's geometric elevation is computed with the NOAA equations
    (:func:`solar_elevation`) at the incident's longitude/latitude (its point
    re-projected to WGS84) and time. Classes: ``"day"`` above -0.833 degree (between
    sunrise and sunset), ``"twilight"`` from there down to the twilight limit
    (civil -6, nautical -12, astronomical -18 degrees), ``"dark"`` below it, and
    ``"unknown"`` when the time of day is unknown (``time_quality`` other than
    ``exact``; ``midnight`` unless ``include_midnight=True``). Unknown is never dark.

    Incidents with a time **window**: when the window is at most 1 h long, the
    light class and elevation are those of its midpoint; longer windows are
    ``"unknown"``. Every window (up to ``max_window``) gets ``dark_weight``, the
    share of its aoristic weight in darkness: each hour it touches (weight ``1/k``,
    as in :func:`aoristic_weights`) is dark or not at the midpoint of the part of
    that hour inside the window.

    Parameters
    ----------
    incidents
        Point incidents with a CRS, ``occurred_at`` and optionally ``time_quality``,
        ``occurred_from`` / ``occurred_to``.
    twilight
        ``"civil"`` (default), ``"nautical"``, ``"astronomical"`` or an elevation in
        degrees: where twilight ends and dark begins.
    tz
        Time zone of naive times (required then, e.g. ``tz="America/Chicago"``);
        ignored for the sun when times are tz-aware.
    include_midnight
        Treat times at exactly 00:00:00 as exact.
    max_window
        Windows longer than this (default 7 days) get ``dark_weight`` NaN.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``incidents`` with ``sun_elevation`` (geometric elevation of the
        sun's centre, degrees; NaN when unknown), ``light`` (categorical: day,
        twilight, dark, unknown) and ``dark_weight`` (1.0 dark / 0.0 not dark for
        known times, share in darkness for windows, NaN when unknown).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from hotspot.analyse.darkness import daylight
    >>> t = pd.to_datetime(["2012-12-20 13:00", "2012-12-20 16:45", "2012-12-20 21:00",
    ...                     "2012-12-21 00:00"]).tz_localize("America/Chicago")
    >>> pts = gpd.points_from_xy([-87.63] * 4, [41.88] * 4, crs=4326)
    >>> inc = gpd.GeoDataFrame({"occurred_at": t}, geometry=pts).to_crs(32616)
    >>> daylight(inc)["light"].tolist()
    ['day', 'twilight', 'dark', 'unknown']
    """
    choices: dict[str, Any] = {}
    limit = _twilight_limit(twilight)
    lon, lat = _lonlat(incidents)
    t = _times(incidents, tz, need_tz=True, choices=choices)
    q = t.quality
    n = len(q)
    exact = q == "exact"
    if include_midnight:
        exact |= q == "midnight"
    at_s = _epoch_seconds(t.at)
    exact &= ~np.isnan(at_s)
    elev = np.full(n, np.nan)
    elev[exact] = solar_elevation(
        pd.to_datetime(at_s[exact], unit="s", utc=True), lon[exact], lat[exact]
    )
    dark_weight = np.full(n, np.nan)
    windows = q == "window"
    if windows.any() and t.start is not None and t.end is not None:
        ws, we = _epoch_seconds(t.start), _epoch_seconds(t.end)
        short = windows & ~np.isnan(ws) & ~np.isnan(we) & (we >= ws) & (we - ws <= 3600.0)
        mid = (ws[short] + we[short]) / 2.0
        elev[short] = solar_elevation(
            pd.to_datetime(mid, unit="s", utc=True), lon[short], lat[short]
        )
        u = _units(
            t,
            "h",
            use_windows=True,
            include_midnight=False,
            max_window=_to_timedelta_seconds(max_window, "max_window"),
            point_qualities=(),
        )
        rep, units = _expand(u, windows)
        unit_start = units * 3600.0 - u.off[rep]
        lo = np.maximum(unit_start, u.start[rep])
        hi = np.minimum(unit_start + 3600.0, u.end[rep])
        sample = (lo + hi) / 2.0
        e = solar_elevation(pd.to_datetime(sample, unit="s", utc=True), lon[rep], lat[rep])
        dw = np.bincount(rep, weights=(e <= limit) / u.k[rep], minlength=n)
        has = np.zeros(n, dtype=bool)
        has[rep] = True
        dark_weight[has] = dw[has]
    cls = _classify(elev, limit)
    known_point = ~np.isnan(elev) & ~windows
    dark_weight[known_point] = (cls[known_point] == 2).astype(float)
    out = incidents.copy()
    out["sun_elevation"] = elev
    out["light"] = pd.Categorical.from_codes(cls, categories=list(LIGHT_CLASSES))
    out["dark_weight"] = dark_weight
    params = {
        "twilight": twilight,
        "twilight_elevation": limit,
        "tz": None if tz is None else str(tz),
        "include_midnight": include_midnight,
        "max_window": None if max_window is None else str(max_window),
    }
    counts = {c: int((cls == i).sum()) for i, c in enumerate(LIGHT_CLASSES)}
    return attach(out, "daylight", params, choices, counts=counts)


def _wilson(x: np.ndarray, n: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    z = norm.ppf(1.0 - alpha / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


@renamed_arguments(conf=("alpha", lambda c: round(1.0 - c, 12), "alpha = 1 - conf"))
def dark_share(
    incidents: gpd.GeoDataFrame,
    *,
    by: Any = None,
    twilight: str | float = "civil",
    outdoor: Any = None,
    tz: Any = None,
    include_midnight: bool = False,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Share of incidents in darkness per group, with a Wilson confidence interval.

    The share is taken over incidents with a **known** light class (day, twilight
    or dark); unknown times are counted in ``n_unknown`` and never as dark. This is
    what decides whether lighting evidence applies to a hotspot.

    Parameters
    ----------
    incidents
        Point incidents (see :func:`daylight`). If they already have a ``light``
        column (from :func:`daylight`) it is used as is.
    by
        ``None`` (one row, index ``"all"``), a column name, a Series/array of labels
        or a GeoDataFrame of hotspot polygons (see :func:`temporal_profile`).
    twilight
        Where dark begins, as in :func:`daylight`.
    outdoor
        Optional filter to outdoor incidents: a boolean column name, or a boolean
        Series/array (e.g. ``incidents["loc_cat"] == "street"``).
    tz, include_midnight
        As in :func:`daylight`.
    alpha
        The Wilson score intervals cover ``1 - alpha`` (0.05: 95 % intervals). The
        old ``conf`` (= ``1 - alpha``) still works for one release.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n``, ``n_known``, ``n_day``, ``n_twilight``,
        ``n_dark``, ``n_unknown``, ``dark_share`` (= n_dark / n_known),
        ``dark_share_low``, ``dark_share_high``, ``dark_or_twilight_share``,
        ``dark_or_twilight_low``, ``dark_or_twilight_high`` (NaN when n_known = 0).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from hotspot.analyse.darkness import dark_share
    >>> t = pd.to_datetime(["2012-12-20 13:00", "2012-12-20 21:00", "2012-12-20 22:00",
    ...                     "2012-12-21 00:00"]).tz_localize("America/Chicago")
    >>> pts = gpd.points_from_xy([-87.63] * 4, [41.88] * 4, crs=4326)
    >>> inc = gpd.GeoDataFrame({"occurred_at": t}, geometry=pts).to_crs(32616)
    >>> ds = dark_share(inc)
    >>> ds.loc["all", ["n", "n_known", "n_dark"]].tolist()
    [4, 3, 2]
    >>> round(float(ds.loc["all", "dark_share"]), 3)
    0.667
    """
    choices: dict[str, Any] = {}
    if "light" in incidents.columns:
        light = pd.Categorical(incidents["light"], categories=list(LIGHT_CLASSES))
        note_choice(choices, "light", "existing column", "`light` already present")
    else:
        light = daylight(incidents, twilight=twilight, tz=tz, include_midnight=include_midnight)[
            "light"
        ].array
    cls = np.asarray(light.codes, dtype=np.int64)
    cls[cls < 0] = 3
    n = len(incidents)
    keep = np.ones(n, dtype=bool)
    if outdoor is not None:
        column = outdoor if isinstance(outdoor, str) else None
        if column is not None:
            check_columns(incidents, [column], "incidents")
            outdoor = incidents[column]
        keep = boolean_mask(outdoor, "outdoor", n, column)
    if by is None:
        codes = np.zeros(n, dtype=np.int64)
        index = pd.Index(["all"], name="group")
    else:
        labels, level = _groups(incidents, by)
        codes, groups = _group_codes(labels)
        index = groups.rename(level)
    sel = keep & (codes >= 0)
    g = len(index)
    counts = np.zeros((g, 4))
    np.add.at(counts, (codes[sel], cls[sel]), 1)
    out = pd.DataFrame(index=index)
    out["n"] = counts.sum(axis=1).astype(np.int64)
    out["n_known"] = counts[:, :3].sum(axis=1).astype(np.int64)
    out["n_day"] = counts[:, 0].astype(np.int64)
    out["n_twilight"] = counts[:, 1].astype(np.int64)
    out["n_dark"] = counts[:, 2].astype(np.int64)
    out["n_unknown"] = counts[:, 3].astype(np.int64)
    known = out["n_known"].to_numpy(float)
    known[known == 0] = np.nan
    for name, x in (
        ("dark_share", counts[:, 2]),
        ("dark_or_twilight_share", counts[:, 1] + counts[:, 2]),
    ):
        low, high = _wilson(x, known, alpha)
        stem = "dark" if name == "dark_share" else "dark_or_twilight"
        out[name] = x / known
        out[f"{stem}_{'share_low' if stem == 'dark' else 'low'}"] = low
        out[f"{stem}_{'share_high' if stem == 'dark' else 'high'}"] = high
    params = {
        "by": None if by is None else index.name,
        "twilight": twilight,
        "outdoor": outdoor is not None,
        "alpha": alpha,
        "include_midnight": include_midnight,
    }
    return attach(out, "dark_share", params, choices)
