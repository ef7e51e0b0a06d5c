"""Shared time choices: user dates in the incidents' zone, the data period, hour windows.

Each rule here has one home so that every stage reads a date, measures the period
of the data and finds a busy block of hours the same way:

* :func:`to_local` / :func:`local_period` turn a date or ``(start, end)`` pair given
  by a user into a timestamp comparable with the incidents' ``occurred_at``;
* :func:`data_period` / :func:`data_period_days` is the one measure of the period the
  data cover (robust to a few stray dates), used for rates (incidents per week, per
  year) and the default span of space-time cubes;
* :func:`circular_window_sums` sums ``width`` consecutive hours around the clock (or
  the week), the core of every "busiest block of hours" choice;
* :data:`TIME_QUALITIES` is the fixed vocabulary of the ``time_quality`` column.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from hotspot.exceptions import InvalidInputError

__all__ = [
    "TIME_QUALITIES",
    "check_time_range",
    "circular_window_sums",
    "data_period",
    "data_period_days",
    "local_period",
    "series_tz",
    "to_local",
]

TIME_QUALITIES: tuple[str, ...] = (
    "exact",
    "midnight",
    "date_only",
    "month_only",
    "window",
    "missing",
)
"""Fixed vocabulary of the ``time_quality`` column, from best to worst known."""


def series_tz(times: Any) -> Any:
    """Time zone of a datetime Series (None for naive or non-datetime values).

    Examples
    --------
    >>> import pandas as pd
    >>> series_tz(pd.Series(pd.to_datetime(["2024-01-01"]).tz_localize("UTC")))
    datetime.timezone.utc
    >>> series_tz(pd.Series(pd.to_datetime(["2024-01-01"]))) is None
    True
    """
    dt = getattr(times, "dt", None)
    return getattr(dt, "tz", None) if dt is not None else None


def to_local(value: Any, tz: Any, name: str) -> pd.Timestamp:
    """Turn a user's date or time into a timestamp in the incidents' time zone.

    The one rule used by every function that takes a date from the user (a
    before/after start, a forecast cutoff, a briefing period, an emerging-hotspot
    window):

    * a naive value is local clock time in ``tz`` (as police times are); a clock time
      skipped by a daylight-saving change moves forward to the first valid time and
      an ambiguous one is read as the first (summer-time) occurrence;
    * an aware value is converted to ``tz``;
    * with ``tz=None`` (naive incident times, already local clock time) a naive value
      is kept and an aware value keeps its own clock time, its zone dropped.

    Parameters
    ----------
    value
        Anything :class:`pandas.Timestamp` accepts: ``"2024-03-01"``, a
        ``datetime``, a Timestamp.
    tz
        Zone of the incidents' times (``incidents["occurred_at"].dt.tz``), or None.
    name
        Argument name used in the error message.

    Returns
    -------
    pandas.Timestamp
        Aware in ``tz`` when ``tz`` is given, naive otherwise.

    Raises
    ------
    InvalidInputError
        If ``value`` is not a date or time.

    Examples
    --------
    >>> to_local("2024-03-01", "America/Chicago", "start")
    Timestamp('2024-03-01 00:00:00-0600', tz='America/Chicago')
    >>> to_local(pd.Timestamp("2024-03-01 12:00", tz="UTC"), "America/Chicago", "start")
    Timestamp('2024-03-01 06:00:00-0600', tz='America/Chicago')
    >>> to_local(pd.Timestamp("2024-03-01 12:00", tz="UTC"), None, "start")
    Timestamp('2024-03-01 12:00:00')
    """
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        ts = pd.NaT
    if ts is pd.NaT or pd.isna(ts):
        msg = f"`{name}` must be a date or time such as '2024-03-01', got {value!r}."
        raise InvalidInputError(msg)
    if tz is None:
        return ts.tz_localize(None) if ts.tzinfo is not None else ts
    if ts.tzinfo is None:
        return ts.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    return ts.tz_convert(tz)


def local_period(
    value: Any, tz: Any, name: str, *, whole_end_day: bool = False
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Turn a user's ``(start, end)`` pair into timestamps in the incidents' zone.

    Each end goes through :func:`to_local`. With ``whole_end_day=True`` an end given
    as a date (midnight) means the whole of that day, so the period is read as
    closed: ``("2024-01-01", "2024-01-31")`` runs to 2024-01-31 23:59:59.

    Parameters
    ----------
    value
        A pair ``(start, end)`` of dates or times.
    tz
        Zone of the incidents' times, or None (see :func:`to_local`).
    name
        Argument name used in error messages.
    whole_end_day
        Extend an end at midnight to the last second of that day.

    Returns
    -------
    tuple of pandas.Timestamp
        ``(start, end)`` with ``end > start``.

    Raises
    ------
    InvalidInputError
        If ``value`` is not a pair of dates, or does not end after it starts.

    Examples
    --------
    >>> local_period(("2024-01-01", "2024-01-31"), None, "period", whole_end_day=True)
    (Timestamp('2024-01-01 00:00:00'), Timestamp('2024-01-31 23:59:59'))
    """
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != 2:
        msg = (
            f"`{name}` must be a (start, end) pair, e.g. ('2024-01-01', '2024-06-30'); "
            f"got {value!r}."
        )
        raise InvalidInputError(msg)
    start, end = (to_local(v, tz, name) for v in value)
    if whole_end_day and end == end.normalize():
        end = end + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
    if not end > start:
        msg = f"`{name}` must end after it starts; got {start} to {end}."
        raise InvalidInputError(msg)
    return start, end


DATA_PERIOD_TRIM = 0.01
"""Share of the known times at each end that the data period may leave out."""


def data_period(times: Any, *, fix: str = "") -> tuple[pd.Timestamp, pd.Timestamp]:
    """Start and end of the period the data cover, robust to a few stray dates.

    The rule: take the 1 % and 99 % quantiles of the known times (``lo``, ``hi``, the
    nearest known times outward, so with fewer than 100 times the first and last),
    widen them by twice what a steady rate leaves beyond them,
    ``2 * (hi - lo) * 0.01 / 0.98`` at each end, and take the first and last known
    times inside that span.

    For incidents spread evenly over a period this is that period, from its first to
    its last incident; up to 1 % of stray rows at either end (a record dated 1966 in a
    2021 export, a year typed wrong) do not stretch it, so rates are not diluted.

    Parameters
    ----------
    times
        Datetimes (e.g. ``incidents["occurred_at"]``); missing values are ignored.
    fix
        Sentence appended to the error message, naming the caller's way out.

    Returns
    -------
    tuple of pandas.Timestamp
        ``(start, end)``, in the zone of ``times``.

    Raises
    ------
    InvalidInputError
        If fewer than two times are known.

    Examples
    --------
    >>> t = pd.Series(pd.date_range("2021-01-01", "2021-12-31", periods=1000))
    >>> t[0] = pd.Timestamp("1966-06-09")  # one stray date
    >>> [x.strftime("%Y-%m-%d %H:%M") for x in data_period(t)]
    ['2021-01-01 08:44', '2021-12-31 00:00']
    """
    t = pd.to_datetime(pd.Series(times), errors="coerce").dropna()
    if len(t) < 2:
        msg = (
            f"cannot measure the period the data cover from {len(t)} known `occurred_at` "
            "time(s); read incidents with `hs.read_incidents(...)` so times are parsed."
        )
        raise InvalidInputError(f"{msg} {fix}".strip())
    tz = series_tz(t)
    wall = (t.dt.tz_convert("UTC").dt.tz_localize(None) if tz is not None else t)
    v = wall.to_numpy().astype("datetime64[us]").astype(np.int64)
    v = np.sort(v)
    # "lower"/"higher" quantiles: with under 100 times they are the first and last
    lo = float(np.quantile(v, DATA_PERIOD_TRIM, method="lower"))
    hi = float(np.quantile(v, 1.0 - DATA_PERIOD_TRIM, method="higher"))
    # twice what a steady rate leaves beyond the quantiles, so real first and last
    # days are never trimmed; strays farther out than that are
    pad = 2.0 * (hi - lo) * DATA_PERIOD_TRIM / (1.0 - 2.0 * DATA_PERIOD_TRIM)
    # the first and last known times inside the widened span
    first = v[min(int(np.searchsorted(v, lo - pad - 1.0, side="left")), len(v) - 1)]
    last = v[max(int(np.searchsorted(v, hi + pad + 1.0, side="right")) - 1, 0)]
    out = []
    for x in (first, last):
        ts = pd.Timestamp(np.datetime64(int(x), "us"))
        out.append(ts.tz_localize("UTC").tz_convert(tz) if tz is not None else ts)
    return out[0], out[1]


def data_period_days(times: Any, *, fix: str = "") -> float:
    """Length of time the data cover, in days: the one measure used for rates.

    The length of :func:`data_period` (robust to a few stray dates), rounded up to
    whole days and at least one day. Rates per week or per year (patrol demand,
    intervention baselines, expected incidents prevented) all divide by this measure.

    Parameters
    ----------
    times
        Datetimes (e.g. ``incidents["occurred_at"]``); missing values are ignored.
    fix
        Sentence appended to the error message, naming the caller's way out (e.g.
        "pass period='365D'").

    Returns
    -------
    float
        Whole days, >= 1.

    Raises
    ------
    InvalidInputError
        If fewer than two times are known.

    Examples
    --------
    >>> t = pd.Series(pd.to_datetime(["2024-01-01 08:00", "2024-01-08 07:00", None]))
    >>> data_period_days(t)
    7.0
    """
    start, end = data_period(times, fix=fix)
    days = (end - start) / pd.Timedelta(days=1)
    return float(max(math.ceil(round(days, 6)), 1))


def check_time_range(times: Any, name: str) -> None:
    """Refuse times the analyses cannot hold (outside 1677-09-22 to 2262-04-11).

    Time profiles, darkness and aoristic weights work in nanoseconds, whose range ends
    there; a stray date beyond it (a year typed 2519 or 1015, seconds read as
    milliseconds) would otherwise stop them with a raw pandas error.

    Raises
    ------
    InvalidInputError
        Naming the first such time and the fix (``period=`` in ``read_incidents``).

    Examples
    --------
    >>> check_time_range(pd.Series(pd.to_datetime(["2024-01-01"])), "occurred_at")
    """
    s = pd.Series(times)
    if not pd.api.types.is_datetime64_any_dtype(s):
        return
    tz = series_tz(s)
    wall = s.dt.tz_convert("UTC").dt.tz_localize(None) if tz is not None else s
    v = wall.to_numpy().astype("datetime64[us]")
    lo, hi = np.datetime64("1677-09-22", "us"), np.datetime64("2262-04-11", "us")
    bad = ~np.isnat(v) & ((v < lo) | (v >= hi))
    if bad.any():
        first = s.iloc[int(np.argmax(bad))]
        msg = (
            f"`{name}` holds {int(bad.sum()):,} time(s) outside 1677-2262 (e.g. {first}), "
            "which cannot be analysed: read the incidents with "
            "`hs.read_incidents(..., period=(start, end))` to keep the period you study "
            "(read_incidents also drops dates before 1900 or after tomorrow as "
            "implausible_date), or drop those rows."
        )
        raise InvalidInputError(msg)


def circular_window_sums(values: Any, width: int) -> np.ndarray:
    """Sum ``width`` consecutive bins around a circle, along the last axis.

    ``out[..., j] = values[..., j] + ... + values[..., (j + width - 1) % n]``: the
    demand in a block of ``width`` hours starting at hour ``j`` of a day (``n = 24``)
    or of a week (``n = 168``), wrapping past midnight (or past Sunday).

    Parameters
    ----------
    values
        Array whose last axis is the circle (hours of day or of week).
    width
        Block length in bins, 1 <= width <= n.

    Returns
    -------
    numpy.ndarray
        Same shape as ``values``, float.

    Examples
    --------
    >>> circular_window_sums(np.array([1.0, 0, 0, 5.0]), 2).tolist()
    [1.0, 0.0, 5.0, 6.0]
    """
    v = np.asarray(values, dtype=float)
    n = v.shape[-1]
    width = int(width)
    if not 1 <= width <= n:
        msg = f"a window of {width} bins does not fit a circle of {n} bins (use 1..{n})."
        raise InvalidInputError(msg)
    ext = np.concatenate([v, v[..., : width - 1]], axis=-1)
    csum = np.concatenate([np.zeros((*v.shape[:-1], 1)), np.cumsum(ext, axis=-1)], axis=-1)
    return csum[..., width : width + n] - csum[..., :n]
