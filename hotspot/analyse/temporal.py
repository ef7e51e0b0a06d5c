"""Time profiles and aoristic time of incidents (SARA: Analysis).

Questions about *when* crime happens:

* **When in the week?** :func:`temporal_profile` gives an hour-of-day x day-of-week
  table (overall, per hotspot or per any grouping) and :func:`plot_temporal_profile`
  draws it as a heat table fit for print.
* **What if the time is only known to lie in a window?** :func:`aoristic_weights`
  and :func:`aoristic` spread each incident's weight of 1 over the time units its
  window touches (Ratcliffe 2002).
* **Was it dark?** is answered in :mod:`hotspot.analyse.darkness`, on the incident
  times read here.

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

"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from hotspot._core.errors import warn_user
from hotspot._core.meta import attach, note_choice
from hotspot._core.time import TIME_QUALITIES, check_time_range
from hotspot._core.validation import check_columns, check_geodataframe, check_same_crs
from hotspot.exceptions import DataQualityWarning, InvalidInputError

__all__ = [
    "TIME_QUALITIES",
    "WEEKDAYS",
    "aoristic",
    "aoristic_weights",
    "plot_temporal_profile",
    "temporal_profile",
]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_HOURS_PER_WEEK = 168
_MAX_EXPANDED = 50_000_000
_SECONDS = {"h": 3600.0, "D": 86400.0}


# --------------------------------------------------------------------------------------
# Times of incidents
# --------------------------------------------------------------------------------------


def _epoch_seconds(times: Any) -> np.ndarray:
    """Seconds since 1970-01-01 UTC (naive times are read as UTC); NaN for NaT."""
    idx = pd.DatetimeIndex(pd.to_datetime(times))
    if idx.tz is None:
        idx = idx.tz_localize("UTC")
    delta = idx.tz_convert("UTC") - pd.Timestamp(0, tz="UTC")
    return np.asarray(delta / pd.Timedelta(seconds=1), dtype=float)


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
    check_time_range(s, col)
    return s


def _localize(s: pd.Series, tz: Any, col: str, *, need_tz: bool) -> pd.Series:
    if s.dt.tz is not None:
        return s.dt.tz_convert(tz) if tz is not None else s
    if tz is None:
        if need_tz and not s.notna().any():
            what = (f"`{col}` holds no times (every value is missing), so nothing can be "
                    "placed in daylight or darkness.")
            msg = (f"{what} Read the incidents with their date/time column named, e.g. "
                   "read_incidents(..., datetime='Date', time='Time').")
            cli = f"{what} Name the date/time column with --datetime COLUMN (and --time)."
            raise InvalidInputError(msg, cli=cli)
        if need_tz:
            what = (f"`{col}` holds naive times (no time zone), so the sun's position "
                    "cannot be computed.")
            msg = (f"{what} Say which clock they are in with tz= (the data's IANA zone, "
                   "e.g. tz='Europe/Madrid'), or make the column tz-aware with "
                   "`.dt.tz_localize(...)`.")
            cli = (f"{what} Pass --tz ZONE, the data's IANA time zone (e.g. "
                   "--tz Europe/Madrid).")
            raise InvalidInputError(msg, cli=cli)
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
            warn_user(
                f"{int(reversed_.sum())} incidents have occurred_to before occurred_from "
                f"(first: row {first}); they are treated as having an unknown time.",
                DataQualityWarning,
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
    use_windows = _use_windows(incidents, aoristic, choices)
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
        codes, groups, level = np.zeros(n, dtype=np.int64), None, None
    else:
        labels, level = _groups(incidents, by)
        codes, groups = _group_codes(labels)
    table = _hour_by_weekday(mat, w, codes, 1 if groups is None else len(groups))
    if normalize:
        totals = table.sum(axis=(1, 2), keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            table = np.where(totals > 0, table / totals, np.nan)
    out = _profile_frame(table, groups, level)
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
        n_ungrouped=int((used & (codes < 0)).sum()),
        aoristic_used=use_windows,
        normalized=normalize,
    )


def _use_windows(incidents: pd.DataFrame, aoristic: bool | str, choices: dict[str, Any]) -> bool:
    """Whether to spread time windows aoristically (``"auto"``: when there are windows)."""
    if aoristic not in ("auto", True, False):
        msg = f"`aoristic` must be 'auto', True or False, got {aoristic!r}."
        raise InvalidInputError(msg)
    has_windows = (
        "occurred_from" in incidents.columns
        and "occurred_to" in incidents.columns
        and bool(incidents["occurred_from"].notna().any())
    )
    if aoristic != "auto":
        return bool(aoristic)
    note_choice(
        choices,
        "aoristic",
        has_windows,
        "time windows (occurred_from/occurred_to) present"
        if has_windows
        else "no time windows in the data: plain counts",
    )
    return has_windows


def _hour_by_weekday(
    mat: sp.csr_matrix, w: np.ndarray, codes: np.ndarray, n_groups: int
) -> np.ndarray:
    """Weighted hour-of-week sums per group, shape ``(n_groups, 24 hours, 7 weekdays)``."""
    in_group = codes >= 0
    g = sp.csr_matrix(
        (w[in_group], (codes[in_group], np.flatnonzero(in_group))), shape=(n_groups, len(w))
    )
    return np.asarray((g @ mat).todense()).reshape(n_groups, 7, 24).transpose(0, 2, 1)


def _profile_frame(table: np.ndarray, groups: pd.Index | None, level: Any) -> pd.DataFrame:
    """Hours as rows (per group when grouped), weekdays as columns."""
    cols = pd.Index(list(WEEKDAYS), name="weekday")
    if groups is None:
        return pd.DataFrame(table[0], index=pd.RangeIndex(24, name="hour"), columns=cols)
    index = pd.MultiIndex.from_product([groups, range(24)], names=[level, "hour"])
    return pd.DataFrame(table.reshape(len(groups) * 24, 7), index=index, columns=cols)

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
