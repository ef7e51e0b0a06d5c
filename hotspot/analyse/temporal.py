"""Time profiles, aoristic time and darkness at the time of each incident (SARA: Analysis).

Three questions about *when* crime happens:

* **When in the week?** :func:`temporal_profile` gives an hour-of-day x day-of-week
  table (overall, per hotspot or per any grouping) and :func:`plot_temporal_profile`
  draws it as a heat table fit for print.
* **What if the time is only known to lie in a window?** :func:`aoristic_weights`
  and :func:`aoristic` spread each incident's weight of 1 over the time units its
  window touches (Ratcliffe 2002).
* **Was it dark?** :func:`daylight` adds the sun's elevation and a light class
  (day / twilight / dark / unknown) at each incident's place and time;
  :func:`dark_share` summarises it per group with a Wilson interval. This is what
  decides whether lighting evidence applies to a hotspot.

Time conventions
----------------
Every table here is in **local clock time**: the time zone of ``occurred_at``
(tz-aware), or the ``tz=`` keyword, or, for naive times, the clock they were
written in. Hour-of-week bin ``j`` is ``weekday * 24 + hour`` with Monday 00:00 =
0 and Sunday 23:00 = 167.

``time_quality`` (set by :func:`hotspot.ingest.incidents.read_incidents`; inferred here
when absent) decides what is known:

=============  ==================================================================
``exact``      time of day known: used everywhere
``midnight``   exactly 00:00:00, often a placeholder for "unknown time": treated
               as unknown unless ``include_midnight=True``
``date_only``  date known, time of day not: unknown for hours and light; counted
               on its day by ``aoristic(freq="D")``
``month_only`` unknown (never spread over a month)
``window``     ``occurred_from`` / ``occurred_to`` known: aoristic
``missing``    unknown
=============  ==================================================================

Unknown times are never counted as "dark": they get the light class ``"unknown"``.

Aoristic method
---------------
The classic method of Ratcliffe (2002): a window touching ``k`` time units gives
``1 / k`` to each of them, whatever the fraction of the unit it covers. Units are
touched from the hour (or day) containing ``occurred_from`` up to the one
containing ``occurred_to``; an end exactly on a unit boundary does not touch the
next unit (22:30-01:30 touches 22, 23, 0 and 1: 0.25 each; 22:00-01:00 touches 22,
23 and 0: 1/3 each). Hours are counted in elapsed time across daylight-saving
changes (a window 01:30-03:30 on the spring-forward night is 1 h long and touches
the local hours 1 and 3). In hour-of-week tables, a window longer than 168 units
is spread uniformly, 1/168 per bin; ``max_window`` treats longer windows as unknown.

References
----------
Ratcliffe, J. H. (2002). Aoristic signatures and the spatio-temporal analysis of
high volume crime patterns. *Journal of Quantitative Criminology* 18(1), 23-43.

NOAA Global Monitoring Laboratory, *Solar Calculation Details* and the NOAA solar
calculator spreadsheet (equations after Meeus, *Astronomical Algorithms*, 1991).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import norm

from hotspot._core.deprecation import renamed_arguments
from hotspot._core.meta import attach, note_choice
from hotspot._core.time import TIME_QUALITIES
from hotspot._core.validation import (
    boolean_mask,
    check_columns,
    check_geodataframe,
    check_points,
    check_same_crs,
)
from hotspot.exceptions import CRSError, DataQualityWarning, InvalidInputError

__all__ = [
    "LIGHT_CLASSES",
    "SUNRISE_ELEVATION",
    "TIME_QUALITIES",
    "TWILIGHT_ELEVATIONS",
    "WEEKDAYS",
    "aoristic",
    "aoristic_weights",
    "dark_share",
    "daylight",
    "plot_temporal_profile",
    "solar_elevation",
    "sun_times",
    "temporal_profile",
]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LIGHT_CLASSES = ("day", "twilight", "dark", "unknown")
#: Geometric elevation of the sun's centre at sunrise/sunset (degrees): 34' of
#: refraction at the horizon plus 16' of solar semi-diameter (NOAA, USNO).
SUNRISE_ELEVATION = -0.833
#: Geometric elevation of the sun's centre that ends each twilight (degrees).
TWILIGHT_ELEVATIONS = {"civil": -6.0, "nautical": -12.0, "astronomical": -18.0}

_HOURS_PER_WEEK = 168
_MAX_EXPANDED = 50_000_000
_SECONDS = {"h": 3600.0, "D": 86400.0}


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


def _epoch_seconds(times: Any) -> np.ndarray:
    """Seconds since 1970-01-01 UTC (naive times are read as UTC); NaN for NaT."""
    idx = pd.DatetimeIndex(pd.to_datetime(times))
    if idx.tz is None:
        idx = idx.tz_localize("UTC")
    delta = idx.tz_convert("UTC") - pd.Timestamp(0, tz="UTC")
    return np.asarray(delta / pd.Timedelta(seconds=1), dtype=float)


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
    >>> from hotspot.analyse.temporal import solar_elevation
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
    >>> from hotspot.analyse.temporal import sun_times
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
# Times of incidents
# --------------------------------------------------------------------------------------


@dataclass
class _Times:
    """Local times and time quality of incidents, as numpy arrays."""

    quality: np.ndarray  # str per row
    at: pd.Series  # occurred_at in local time (tz-aware) or naive clock time
    start: pd.Series | None
    end: pd.Series | None
    tz: Any  # tzinfo of local time, or None for naive clock time


def _as_datetime(incidents: pd.DataFrame, col: str) -> pd.Series:
    s = incidents[col]
    if not pd.api.types.is_datetime64_any_dtype(s):
        if s.isna().all():
            return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        msg = (
            f"column `{col}` must hold datetimes, got dtype {s.dtype}. Parse it first, "
            f"e.g. `incidents['{col}'] = pd.to_datetime(incidents['{col}'])`, or read the "
            "data with `hs.read_incidents(...)`."
        )
        raise InvalidInputError(msg)
    return s


def _localize(s: pd.Series, tz: Any, col: str, *, need_tz: bool) -> pd.Series:
    if s.dt.tz is not None:
        return s.dt.tz_convert(tz) if tz is not None else s
    if tz is None:
        if need_tz:
            msg = (
                f"`{col}` holds naive times (no time zone), so the sun's position cannot "
                "be computed. Say which clock they are in, e.g. "
                '`daylight(incidents, tz="America/Chicago")`, or make the column '
                "tz-aware with `.dt.tz_localize(...)`."
            )
            raise InvalidInputError(msg)
        return s
    # Ambiguous clock times (the repeated hour when clocks fall back) are read as
    # daylight-saving time; nonexistent ones (spring forward) are shifted forward.
    ambiguous = np.ones(len(s), dtype=bool)
    return s.dt.tz_localize(tz, ambiguous=ambiguous, nonexistent="shift_forward")


def _infer_quality(at: pd.Series, start: pd.Series | None, end: pd.Series | None) -> np.ndarray:
    q = np.full(len(at), "exact", dtype=object)
    known = at.notna().to_numpy()
    with np.errstate(invalid="ignore"):
        at_midnight = ((at.dt.hour == 0) & (at.dt.minute == 0) & (at.dt.second == 0)).to_numpy(
            dtype=bool, na_value=False
        )
    q[known & at_midnight] = "midnight"
    if start is not None and end is not None:
        win = (start.notna() & end.notna()).to_numpy()
        q[~known & win] = "window"
        q[~known & ~win] = "missing"
    else:
        q[~known] = "missing"
    return q


def _times(incidents: pd.DataFrame, tz: Any, *, need_tz: bool, choices: dict[str, Any]) -> _Times:
    check_columns(incidents, ["occurred_at"], "incidents")
    at = _localize(_as_datetime(incidents, "occurred_at"), tz, "occurred_at", need_tz=need_tz)
    start = end = None
    if "occurred_from" in incidents.columns and "occurred_to" in incidents.columns:
        start = _localize(
            _as_datetime(incidents, "occurred_from"), tz, "occurred_from", need_tz=need_tz
        )
        end = _localize(_as_datetime(incidents, "occurred_to"), tz, "occurred_to", need_tz=need_tz)
    if "time_quality" in incidents.columns:
        quality = incidents["time_quality"].astype(object).to_numpy()
        bad = ~pd.Series(quality).isin(TIME_QUALITIES).to_numpy()
        if bad.any():
            first = incidents.index[np.flatnonzero(bad)[0]]
            msg = (
                f"`time_quality` has {int(bad.sum())} values outside {TIME_QUALITIES} "
                f"(first: index {first!r}, value {quality[bad][0]!r}). Fix the column, or "
                "drop it to let the quality be inferred from `occurred_at`."
            )
            raise InvalidInputError(msg)
    else:
        quality = _infer_quality(at, start, end)
        note_choice(
            choices,
            "time_quality",
            "inferred",
            "no `time_quality` column: NaT -> missing (or window when occurred_from/"
            "occurred_to are set), 00:00:00 -> midnight, other times -> exact",
        )
    local_tz = at.dt.tz
    return _Times(quality=quality, at=at, start=start, end=end, tz=local_tz)


def _offset_seconds(s: pd.Series) -> np.ndarray:
    """UTC offset (seconds) of each time; zeros for naive clock times."""
    if s.dt.tz is None:
        return np.zeros(len(s))
    wall = s.dt.tz_localize(None)
    utc = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return np.asarray((wall - utc) / pd.Timedelta(seconds=1), dtype=float)


def _to_timedelta_seconds(value: Any, name: str) -> float | None:
    if value is None:
        return None
    try:
        td = pd.Timedelta(value)
    except (TypeError, ValueError) as exc:
        msg = f"`{name}` must be a duration such as '12h' or pd.Timedelta(days=2), got {value!r}."
        raise InvalidInputError(msg) from exc
    return td / pd.Timedelta(seconds=1)


@dataclass
class _Units:
    """Per incident: first touched unit, number of units, and offset of the unit grid."""

    u0: np.ndarray  # int64 unit index in (shifted) epoch units
    k: np.ndarray  # int64 units touched; 0 = unknown
    off: np.ndarray  # seconds added to UTC epoch seconds to align units with local clock
    start: np.ndarray  # window start, epoch seconds (UTC or naive clock)
    end: np.ndarray  # window end
    excluded: dict[str, int]


def _units(
    t: _Times,
    unit: str,
    *,
    use_windows: bool,
    include_midnight: bool,
    max_window: float | None,
    point_qualities: Sequence[str] = ("exact",),
) -> _Units:
    """Time units touched by each incident (classic aoristic), vectorized.

    Hours are counted in elapsed time on the local hour grid at the start of the
    window; days on each end's own local calendar date.
    """
    n = len(t.quality)
    size = _SECONDS[unit]
    q = t.quality
    reason = q.astype(object).copy()  # why a row is unknown; "" when known
    points = np.isin(q, list(point_qualities))
    if include_midnight:
        points |= q == "midnight"
    at_s = _epoch_seconds(t.at)
    points &= ~np.isnan(at_s)
    start = np.where(points, at_s, np.nan)
    end = start.copy()
    off = np.where(points, _offset_seconds(t.at), 0.0)
    end_off = off.copy()
    windows = q == "window"
    if windows.any() and not use_windows:
        reason[windows] = "window (aoristic=False)"
    elif windows.any() and (t.start is None or t.end is None):
        reason[windows] = "window_without_ends"
    elif windows.any():
        ws, we = _epoch_seconds(t.start), _epoch_seconds(t.end)
        valid = windows & ~np.isnan(ws) & ~np.isnan(we)
        reason[windows & ~valid] = "window_without_ends"
        reversed_ = valid & (we < ws)
        if reversed_.any():
            first = int(np.flatnonzero(reversed_)[0])
            warnings.warn(
                f"{int(reversed_.sum())} incidents have occurred_to before occurred_from "
                f"(first: row {first}); they are treated as having an unknown time.",
                DataQualityWarning,
                stacklevel=3,
            )
            reason[reversed_] = "invalid_window"
        valid &= ~reversed_
        if max_window is not None:
            too_long = valid & ((we - ws) > max_window)
            reason[too_long] = "window_longer_than_max_window"
            valid &= ~too_long
        start = np.where(valid, ws, start)
        end = np.where(valid, we, end)
        off = np.where(valid, _offset_seconds(t.start), off)
        end_off = np.where(valid, off if unit == "h" else _offset_seconds(t.end), end_off)
        points |= valid
    u0 = np.zeros(n, dtype=np.int64)
    k = np.zeros(n, dtype=np.int64)
    u0[points] = np.floor((start[points] + off[points]) / size).astype(np.int64)
    u1 = np.ceil((end[points] + end_off[points]) / size).astype(np.int64)
    k[points] = np.maximum(u1 - u0[points], 1)
    counts = pd.Series(reason[~points]).value_counts()
    excluded = {str(key): int(val) for key, val in counts.items()}
    return _Units(u0=u0, k=k, off=off, start=start, end=end, excluded=excluded)


def _expand(u: _Units, rows_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and unit indices of every (incident, touched unit) pair for ``rows_mask``."""
    rows = np.flatnonzero(rows_mask & (u.k > 0))
    k = u.k[rows]
    total = int(k.sum())
    if total > _MAX_EXPANDED:
        msg = (
            f"the time windows touch {total:,} time units in all, too many to expand. "
            "Pass `max_window=` (e.g. '7D') to treat very long windows as unknown."
        )
        raise InvalidInputError(msg)
    rep = np.repeat(rows, k)
    j = np.arange(total) - np.repeat(np.cumsum(k) - k, k)
    return rep, u.u0[rep] + j


def _hour_of_week(utc_seconds: np.ndarray, tz: Any) -> np.ndarray:
    """Local hour-of-week (Monday 00:00 = 0) of instants given in epoch seconds.

    The UTC offset is looked up in a table with one entry per half hour of the
    covered time span (one time-zone conversion per half hour, not per instant).
    """
    secs = np.asarray(utc_seconds, dtype=float)
    if secs.size == 0:
        return np.zeros(0, dtype=np.int64)
    if tz is None:
        local = secs
    else:
        key = np.floor(secs / 1800.0).astype(np.int64)
        kmin, kmax = int(key.min()), int(key.max())
        if kmax - kmin < 5_000_000:
            grid = pd.DatetimeIndex(
                pd.to_datetime(np.arange(kmin, kmax + 1) * 1800, unit="s", utc=True)
            ).tz_convert(tz)
            table = _offset_seconds(pd.Series(grid))
            local = secs + table[key - kmin]
        else:  # pragma: no cover - time spans of centuries
            local = secs + _offset_seconds(
                pd.Series(pd.to_datetime(secs, unit="s", utc=True)).dt.tz_convert(tz)
            )
    hours = np.floor(local / 3600.0).astype(np.int64)
    return np.mod(hours + 72, _HOURS_PER_WEEK)  # 1970-01-01 00:00 was a Thursday


def _weights_matrix(u: _Units, tz: Any) -> sp.csr_matrix:
    n = len(u.k)
    long = u.k > _HOURS_PER_WEEK
    rep, units = _expand(u, ~long)
    unit_start = units * 3600.0 - u.off[rep]
    cols = _hour_of_week(unit_start, tz)
    vals = 1.0 / u.k[rep]
    long_rows = np.flatnonzero(long)
    if len(long_rows):
        rep = np.concatenate([rep, np.repeat(long_rows, _HOURS_PER_WEEK)])
        cols = np.concatenate([cols, np.tile(np.arange(_HOURS_PER_WEEK), len(long_rows))])
        vals = np.concatenate([vals, np.full(len(long_rows) * _HOURS_PER_WEEK, 1 / 168)])
    mat = sp.coo_matrix((vals, (rep, cols)), shape=(n, _HOURS_PER_WEEK)).tocsr()
    mat.sum_duplicates()
    return mat


def _check_freq(freq: str, allowed: Sequence[str]) -> str:
    norm_freq = {"h": "h", "H": "h", "1h": "h", "1H": "h", "D": "D", "d": "D", "1D": "D"}.get(
        freq, freq
    )
    if norm_freq not in allowed:
        msg = f"`freq` must be one of {tuple(allowed)}, got {freq!r}."
        raise InvalidInputError(msg)
    return norm_freq


def _hour_week_weights(
    incidents: gpd.GeoDataFrame | pd.DataFrame,
    *,
    use_windows: bool,
    include_midnight: bool,
    max_window: Any,
    tz: Any,
    choices: dict[str, Any],
) -> tuple[sp.csr_matrix, dict[str, int]]:
    t = _times(incidents, tz, need_tz=False, choices=choices)
    u = _units(
        t,
        "h",
        use_windows=use_windows,
        include_midnight=include_midnight,
        max_window=_to_timedelta_seconds(max_window, "max_window"),
    )
    return _weights_matrix(u, t.tz), u.excluded


def aoristic_weights(
    incidents: pd.DataFrame,
    freq: str = "h",
    *,
    max_window: Any = None,
    include_midnight: bool = False,
    tz: Any = None,
) -> sp.csr_matrix:
    """Per-incident aoristic weights over the 168 hours of the week.

    Row ``i`` spreads incident ``i``'s weight of 1 over the local hour-of-week bins
    its time touches (classic method, Ratcliffe 2002; see the module notes): an
    exact time puts 1 in its hour; a window touching ``k`` hours puts ``1/k`` in each
    (bins hit twice, e.g. the repeated hour when clocks fall back, add up); a window
    longer than 168 hours puts 1/168 in every bin. Rows of incidents whose time of
    day is unknown are all zero.

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at`` and, optionally, ``occurred_from`` /
        ``occurred_to`` and ``time_quality`` (inferred when absent).
    freq
        ``"h"``: hour-of-week bins (the only bins offered here; calendar bins are
        in :func:`aoristic`).
    max_window
        Windows longer than this duration (e.g. ``"7D"``) are treated as unknown.
    include_midnight
        Count times at exactly 00:00:00 as exact (default: unknown).
    tz
        Time zone whose clock defines the hours; default the zone of the times.

    Returns
    -------
    scipy.sparse.csr_matrix
        Shape ``(len(incidents), 168)``, float64. Column ``j = weekday * 24 + hour``
        (Monday 00:00 = 0). Rows sum to 1 for incidents with a known time or window
        and to 0 otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspot.analyse.temporal import aoristic_weights
    >>> tz = "America/Chicago"
    >>> df = pd.DataFrame({
    ...     "occurred_at": pd.to_datetime(["2012-06-04 14:10", None]).tz_localize(tz),
    ...     "occurred_from": pd.to_datetime([None, "2012-06-04 22:30"]).tz_localize(tz),
    ...     "occurred_to": pd.to_datetime([None, "2012-06-05 01:30"]).tz_localize(tz),
    ...     "time_quality": ["exact", "window"]})
    >>> w = aoristic_weights(df)  # 2012-06-04 is a Monday
    >>> w[0, 14], w[1, 22], w[1, 23], w[1, 24], w[1, 25]
    (np.float64(1.0), np.float64(0.25), np.float64(0.25), np.float64(0.25), np.float64(0.25))
    """
    _check_freq(freq, ("h",))
    mat, _ = _hour_week_weights(
        incidents,
        use_windows=True,
        include_midnight=include_midnight,
        max_window=max_window,
        tz=tz,
        choices={},
    )
    return mat


# --------------------------------------------------------------------------------------
# Grouping
# --------------------------------------------------------------------------------------


def _groups(incidents: pd.DataFrame, by: Any) -> tuple[pd.Series, str]:
    """Group label per incident (NaN = in no group) and the group level name."""
    if isinstance(by, gpd.GeoDataFrame):
        check_geodataframe(incidents, "incidents")
        check_same_crs(incidents, by, "incidents", "by")
        pts = gpd.GeoDataFrame(geometry=incidents.geometry.to_numpy(), crs=incidents.crs)
        polys = gpd.GeoDataFrame(geometry=by.geometry.to_numpy(), crs=by.crs)
        joined = gpd.sjoin(pts, polys, how="left", predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")].sort_index()
        pos = joined["index_right"].to_numpy(dtype=float)
        labels = pd.Series(np.nan, index=incidents.index, dtype=object)
        inside = ~np.isnan(pos)
        labels.iloc[np.flatnonzero(inside)] = by.index.to_numpy()[pos[inside].astype(int)]
        return labels, by.index.name or "hotspot"
    if isinstance(by, str):
        check_columns(incidents, [by], "incidents")
        return incidents[by], by
    if isinstance(by, pd.Series):
        if len(by) != len(incidents) or not by.index.equals(incidents.index):
            by = by.reindex(incidents.index)
        return by, by.name if isinstance(by.name, str) else "group"
    arr = np.asarray(by)
    if arr.ndim == 1 and len(arr) == len(incidents):
        return pd.Series(arr, index=incidents.index), "group"
    msg = (
        "`by` must be a column name, a Series aligned with the incidents, an array of "
        "one label per incident, or a GeoDataFrame of hotspot polygons."
    )
    raise InvalidInputError(msg)


def _group_codes(labels: pd.Series) -> tuple[np.ndarray, pd.Index]:
    codes, uniques = pd.factorize(labels, sort=True, use_na_sentinel=True)
    return codes, pd.Index(uniques)


# --------------------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------------------


def temporal_profile(
    incidents: pd.DataFrame,
    *,
    by: Any = None,
    normalize: bool = False,
    aoristic: bool | str = "auto",
    include_midnight: bool = False,
    weight: str | None = None,
    max_window: Any = None,
    tz: Any = None,
) -> pd.DataFrame:
    """Hour-of-day x day-of-week table of incidents (counts or aoristic expected counts).

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at`` (and optionally ``occurred_from`` /
        ``occurred_to``, ``time_quality``).
    by
        ``None`` (one table), a column name, a Series or array of group labels (e.g.
        hotspot membership; NaN = no group), or a GeoDataFrame of hotspot polygons
        (incidents are assigned to the polygon that contains them; its index is the
        label).
    normalize
        Return shares summing to 1 per group instead of counts.
    aoristic
        ``"auto"`` (default): spread incidents with a time window over the hours it
        touches (Ratcliffe 2002) when the data have windows; ``True``: same;
        ``False``: incidents with a window are left out.
    include_midnight
        Count times at exactly 00:00:00 in hour 0 (default: left out as a probable
        "unknown time" placeholder).
    weight
        Optional column of incident weights (e.g. harm); default every incident 1.
    max_window
        Windows longer than this duration (e.g. ``"7D"``) are left out.
    tz
        Time zone whose clock defines hours and weekdays; default that of the times.

    Returns
    -------
    pandas.DataFrame
        24 rows (index ``hour`` 0-23) x 7 columns ``Mon`` ... ``Sun`` (columns name
        ``weekday``). With ``by``, the rows are a MultiIndex (group, ``hour``): 24
        rows per group (tidy; select one group with ``profile.loc[label]``).
        ``attrs["hotspot"]["temporal_profile"]`` holds ``n_incidents``, ``n_used``,
        ``n_excluded``, ``excluded`` (counts by reason: ``time_quality`` value or
        window problem), ``n_ungrouped`` and whether aoristic weights were used.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspot.analyse.temporal import temporal_profile
    >>> t = pd.to_datetime(["2012-06-04 14:10", "2012-06-04 14:50", "2012-06-10 23:05",
    ...                     "2012-06-11 00:00"]).tz_localize("America/Chicago")
    >>> prof = temporal_profile(pd.DataFrame({"occurred_at": t}))
    >>> int(prof.loc[14, "Mon"]), int(prof.loc[23, "Sun"]), int(prof.to_numpy().sum())
    (2, 1, 3)
    >>> prof.attrs["hotspot"]["temporal_profile"]["excluded"]
    {'midnight': 1}
    """
    choices: dict[str, Any] = {}
    if aoristic not in ("auto", True, False):
        msg = f"`aoristic` must be 'auto', True or False, got {aoristic!r}."
        raise InvalidInputError(msg)
    has_windows = (
        "occurred_from" in incidents.columns
        and "occurred_to" in incidents.columns
        and bool(incidents["occurred_from"].notna().any())
    )
    use_windows = bool(aoristic) if aoristic != "auto" else has_windows
    if aoristic == "auto":
        note_choice(
            choices,
            "aoristic",
            use_windows,
            "time windows (occurred_from/occurred_to) present"
            if has_windows
            else "no time windows in the data: plain counts",
        )
    mat, excluded = _hour_week_weights(
        incidents,
        use_windows=use_windows,
        include_midnight=include_midnight,
        max_window=max_window,
        tz=tz,
        choices=choices,
    )
    n = len(incidents)
    w = np.ones(n)
    if weight is not None:
        check_columns(incidents, [weight], "incidents")
        w = pd.to_numeric(incidents[weight], errors="coerce").fillna(0.0).to_numpy(float)
    used = np.asarray(mat.sum(axis=1)).ravel() > 0
    if by is None:
        codes = np.zeros(n, dtype=np.int64)
        groups: pd.Index | None = None
        level = None
    else:
        labels, level = _groups(incidents, by)
        codes, groups = _group_codes(labels)
    in_group = codes >= 0
    n_groups = 1 if groups is None else len(groups)
    g = sp.csr_matrix(
        (w[in_group], (codes[in_group], np.flatnonzero(in_group))), shape=(n_groups, n)
    )
    table = np.asarray((g @ mat).todense()).reshape(n_groups, 7, 24).transpose(0, 2, 1)
    if normalize:
        totals = table.sum(axis=(1, 2), keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            table = np.where(totals > 0, table / totals, np.nan)
    cols = pd.Index(list(WEEKDAYS), name="weekday")
    if groups is None:
        out = pd.DataFrame(table[0], index=pd.RangeIndex(24, name="hour"), columns=cols)
    else:
        index = pd.MultiIndex.from_product([groups, range(24)], names=[level, "hour"])
        out = pd.DataFrame(table.reshape(n_groups * 24, 7), index=index, columns=cols)
    params = {
        "by": None if by is None else level,
        "normalize": normalize,
        "aoristic": aoristic,
        "include_midnight": include_midnight,
        "weight": weight,
        "max_window": None if max_window is None else str(max_window),
        "tz": None if tz is None else str(tz),
    }
    return attach(
        out,
        "temporal_profile",
        params,
        choices,
        n_incidents=n,
        n_used=int(used.sum()),
        n_excluded=int((~used).sum()),
        excluded=excluded,
        n_ungrouped=int((used & ~in_group).sum()),
        aoristic_used=use_windows,
        normalized=normalize,
    )


def aoristic(
    incidents: pd.DataFrame,
    freq: str = "h",
    *,
    by: Any = None,
    max_window: Any = None,
    include_midnight: bool = False,
    tz: Any = None,
) -> pd.DataFrame:
    """Aoristic expected counts per calendar hour or day (tidy table).

    Each incident's weight of 1 is spread over the calendar units its time touches
    (classic method, Ratcliffe 2002: ``1/k`` per unit for a window touching ``k``
    units; see the module notes). This is the calendar time series; for the
    hour-of-week profile use :func:`aoristic_weights` or :func:`temporal_profile`.

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at`` and optionally ``occurred_from`` /
        ``occurred_to`` and ``time_quality``.
    freq
        ``"h"``: local clock hours (counted in elapsed time across DST changes);
        ``"D"``: local calendar days. With ``"D"``, ``date_only`` and ``midnight``
        times count on their date; with ``"h"`` they are unknown (``midnight``
        counts in hour 0 with ``include_midnight=True``). ``month_only`` and
        ``missing`` are always left out.
    by
        Optional grouping, as in :func:`temporal_profile`.
    max_window
        Windows longer than this duration are left out.
    include_midnight
        With ``freq="h"``, count 00:00:00 times as exact.
    tz
        Time zone of the clock; default that of the times.

    Returns
    -------
    pandas.DataFrame
        Columns ``bin_start`` (local time, tz-aware when the times are) and
        ``expected`` (float, sum of weights), preceded by the group column when
        ``by`` is given; one row per (group,) bin with a positive weight, sorted.
        ``attrs["hotspot"]["aoristic"]`` has ``n_used`` and ``excluded`` counts.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspot.analyse.temporal import aoristic
    >>> tz = "America/Chicago"
    >>> df = pd.DataFrame({
    ...     "occurred_at": pd.Series(pd.NaT, index=[0], dtype="datetime64[ns, America/Chicago]"),
    ...     "occurred_from": [pd.Timestamp("2012-06-04 22:30", tz=tz)],
    ...     "occurred_to": [pd.Timestamp("2012-06-05 01:30", tz=tz)],
    ...     "time_quality": ["window"]})
    >>> aoristic(df)["expected"].tolist()
    [0.25, 0.25, 0.25, 0.25]
    >>> aoristic(df, "D")["expected"].tolist()
    [0.5, 0.5]
    """
    unit = _check_freq(freq, ("h", "D"))
    choices: dict[str, Any] = {}
    t = _times(incidents, tz, need_tz=False, choices=choices)
    points = ("exact",) if unit == "h" else ("exact", "midnight", "date_only")
    u = _units(
        t,
        unit,
        use_windows=True,
        include_midnight=include_midnight or unit == "D",
        max_window=_to_timedelta_seconds(max_window, "max_window"),
        point_qualities=points,
    )
    rep, units = _expand(u, np.ones(len(u.k), dtype=bool))
    vals = 1.0 / u.k[rep]
    size = _SECONDS[unit]
    if unit == "h":
        secs = units * size - u.off[rep]
        starts = pd.DatetimeIndex(pd.to_datetime(secs, unit="s", utc=True))
        starts = starts.tz_convert(t.tz) if t.tz is not None else starts.tz_localize(None)
    else:
        starts = pd.DatetimeIndex(pd.to_datetime(units * size, unit="s"))
        if t.tz is not None:
            starts = starts.tz_localize(t.tz, ambiguous=True, nonexistent="shift_forward")
    frame = pd.DataFrame({"bin_start": starts, "expected": vals})
    keys = ["bin_start"]
    level = None
    if by is not None:
        labels, level = _groups(incidents, by)
        frame.insert(0, level, labels.to_numpy()[rep])
        frame = frame[frame[level].notna()]
        keys = [level, "bin_start"]
    out = frame.groupby(keys, sort=True, as_index=False)["expected"].sum()
    params = {
        "freq": unit,
        "by": level,
        "max_window": None if max_window is None else str(max_window),
        "include_midnight": include_midnight,
    }
    return attach(
        out,
        "aoristic",
        params,
        choices,
        n_incidents=len(incidents),
        n_used=int((u.k > 0).sum()),
        excluded=u.excluded,
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
    import shapely

    geoms = incidents.geometry.to_numpy()
    x = shapely.get_x(geoms).astype(float)
    y = shapely.get_y(geoms).astype(float)
    if incidents.crs.equals("EPSG:4326"):
        return x, y
    # on the coordinate arrays: as GeoSeries.to_crs (always_xy) without building points
    from pyproj import Transformer

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
    >>> from hotspot.analyse.temporal import daylight
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
    >>> from hotspot.analyse.temporal import dark_share
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


# --------------------------------------------------------------------------------------
# Plot
# --------------------------------------------------------------------------------------


def plot_temporal_profile(
    profile: pd.DataFrame,
    *,
    ax: Any = None,
    title: str | None = None,
    group: Any = None,
    cmap: str = "cividis_r",
    annotate: bool = True,
) -> Any:
    """Draw an hour x weekday profile as an annotated heat table fit for print.

    The default colour map, reversed *cividis*, is colour-blind safe and its
    lightness rises monotonically, so the table reads the same printed in grey
    (darker = more incidents). Each cell shows its value; text switches between
    black and white with the cell's lightness.

    Parameters
    ----------
    profile
        Output of :func:`temporal_profile` (24 x 7). For a grouped profile pass
        ``group=`` (one label) or a slice ``profile.loc[label]``.
    ax
        Matplotlib Axes to draw on; a new 5.5 x 8 inch figure by default.
    title
        Title; default "Incidents by hour and weekday".
    group
        Label of the group to draw from a grouped profile.
    cmap
        Matplotlib colour map name.
    annotate
        Write the value in each cell (integers for counts, one decimal for
        aoristic expected counts, percentages for shares).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspot.analyse.temporal import plot_temporal_profile, temporal_profile
    >>> t = pd.date_range("2012-06-04", periods=500, freq="37min", tz="America/Chicago")
    >>> ax = plot_temporal_profile(temporal_profile(pd.DataFrame({"occurred_at": t})))
    >>> ax.get_xticklabels()[0].get_text()
    'Mon'
    """
    import matplotlib.pyplot as plt

    meta = profile.attrs.get("hotspot", {}).get("temporal_profile", {})
    if isinstance(profile.index, pd.MultiIndex):
        if group is None:
            labels = list(profile.index.get_level_values(0).unique()[:5])
            msg = (
                "`profile` holds several groups; choose one with `group=<label>` "
                f"(first labels: {labels}) or pass `profile.loc[<label>]`."
            )
            raise InvalidInputError(msg)
        profile = profile.loc[group]
    if profile.shape != (24, 7):
        msg = f"`profile` must be 24 hours x 7 weekdays, got shape {profile.shape}."
        raise InvalidInputError(msg)
    values = profile.to_numpy(dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 8.0), layout="constrained")
    vmax = np.nanmax(values) if np.isfinite(values).any() and np.nanmax(values) > 0 else 1.0
    image = ax.imshow(
        values, cmap=cmap, vmin=0.0, vmax=vmax, aspect="auto", interpolation="nearest"
    )
    ax.set_xticks(range(7), list(profile.columns.astype(str)))
    ax.set_yticks(range(24), [f"{h:02d}" for h in range(24)])
    ax.tick_params(length=0, labelsize=8)
    ax.xaxis.tick_top()
    ax.set_ylabel("hour of day (local time)")
    ax.set_xticks(np.arange(-0.5, 7, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, 24, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=0.8)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    normalized = bool(meta.get("normalized", False))
    if annotate:
        finite = values[np.isfinite(values)]
        integer = finite.size > 0 and np.allclose(finite, np.round(finite))
        colormap = plt.get_cmap(cmap)
        for (r, c), v in np.ndenumerate(values):
            if not np.isfinite(v):
                continue
            if normalized:
                text = f"{100 * v:.1f}"
            elif integer:
                text = f"{round(v)}"
            else:
                text = f"{v:.1f}"
            rgba = colormap(v / vmax)
            lum = 0.2126 * rgba[0] + 0.7152 * rgba[1] + 0.0722 * rgba[2]
            ax.text(
                c,
                r,
                text,
                ha="center",
                va="center",
                fontsize=7,
                color="white" if lum < 0.5 else "black",
            )
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.6, pad=0.02)
    bar.set_label("% of incidents" if normalized else "incidents")
    if normalized:
        from matplotlib.ticker import PercentFormatter

        bar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=1, symbol=""))
    if title is None:
        title = "Incidents by hour and weekday"
    n_exc = meta.get("n_excluded")
    ax.set_title(title, fontsize=10, pad=18)
    if n_exc:
        ax.set_xlabel(f"{n_exc} incidents with unknown time of day not shown", fontsize=7)
    return ax
