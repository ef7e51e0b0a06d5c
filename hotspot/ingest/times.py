"""Date and time parsing for incident exports: formats, epochs, parts, windows and zones.

The method, in the order :func:`read_incidents` runs it:

1. find the date/time columns and parse them (:func:`_read_times`): explicit formats,
   vectorized; day/month order decided from every distinct value; two-digit years on a
   sliding pivot; a date column whose rows all carry one clock time (local midnight
   written in UTC) is a date; time-of-day or hour-of-day (0-23) columns are combined
   with their date. Values are local clock time, or UTC instants where the data carried
   an offset.
2. choose the zone (:func:`_choose_zone`): ``tz=``, police.uk, else the zone that holds
   most of the points (:func:`zone_from_points`, offline).
3. apply it (:func:`_apply_zone`), counting clock times that daylight saving skips or
   repeats; combine the columns into ``occurred_at``/``occurred_from``/``occurred_to``
   and ``time_quality``.
4. find implausible dates (before 1900 or after tomorrow, dropped), stray dates (more
   than a year outside the 0.1 %-99.9 % quantiles, warned about) and rows outside
   ``period=`` (dropped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from hotspot._core.meta import note_choice
from hotspot._core.time import data_period, to_local
from hotspot.exceptions import InvalidInputError
from hotspot.ingest.columns import (
    _DATETIME,
    _END,
    _SAMPLE,
    _START,
    _TIME,
    _Columns,
    _numeric_share,
    _to_float,
    _tokens,
)

_RES_DATETIME, _RES_DATE, _RES_MONTH = 0, 1, 2

_PARTS = {
    "year": ["year", "yr", "occ_year", "occurrence_year", "incident_year", "offense_year"],
    "month": ["month", "mo", "occ_month", "occurrence_month", "incident_month", "month_num"],
    "day": ["day", "day_of_month", "occ_day", "occurrence_day", "incident_day", "dom"],
    "hour": ["hour", "hr", "occ_hour", "occurrence_hour", "incident_hour", "hour_of_day"],
    "minute": ["minute", "min", "occ_minute", "occurrence_minute", "incident_minute"],
}

# Explicit date formats, tried on a sample (first that parses most wins, the others fill
# in rows it misses). Resolution: 0 date+time, 1 date only, 2 month only, None by content.
_DATE_FORMATS: list[tuple[str, int | None]] = [
    ("%Y-%m-%d %H:%M:%S", 0), ("%Y-%m-%d %H:%M", 0), ("%Y-%m-%dT%H:%M:%S", 0),
    ("%Y-%m-%d", 1), ("%Y-%m", 2), ("ISO8601", None),
    ("%m/%d/%Y %I:%M:%S %p", 0), ("%m/%d/%Y %I:%M %p", 0), ("%m/%d/%Y %H:%M:%S", 0),
    ("%m/%d/%Y %H:%M", 0), ("%m/%d/%Y", 1), ("%d/%m/%Y %H:%M:%S", 0), ("%d/%m/%Y %H:%M", 0),
    ("%d/%m/%Y", 1), ("%m/%d/%y %H:%M", 0), ("%m/%d/%y %I:%M %p", 0), ("%m/%d/%y", 1),
    ("%d/%m/%y", 1), ("%d-%b-%y", 1), ("%d-%b-%Y", 1), ("%d-%b-%y %H:%M", 0),
    ("%d-%b-%Y %H:%M:%S", 0), ("%d %b %Y", 1), ("%d %B %Y", 1), ("%d %b %Y %H:%M", 0),
    ("%b %d %Y", 1), ("%b %d, %Y", 1), ("%B %d, %Y", 1), ("%b %d %Y %I:%M%p", 0),
    ("%Y/%m/%d %H:%M:%S", 0), ("%Y/%m/%d %H:%M:%S%z", 0), ("%Y/%m/%d %H:%M", 0),
    ("%Y/%m/%d", 1), ("%Y/%m/%d %I:%M:%S %p", 0), ("%Y/%m/%d %I:%M %p", 0),
    ("%Y-%m-%d %I:%M:%S %p", 0), ("%Y-%m-%d %I:%M %p", 0),
    ("%d.%m.%Y %H:%M:%S", 0), ("%d.%m.%Y %H:%M", 0), ("%d.%m.%Y", 1), ("%Y%m%d%H%M%S", 0),
    ("%Y%m%d", 1), ("%m/%Y", 2), ("%b-%y", 2), ("%b %Y", 2), ("%B %Y", 2), ("%Y/%m", 2),
    ("%m/%d/%Y %I:%M:%S.%f %p", 0), ("%Y-%m-%d %H:%M:%S.%f", 0),
]
_DIRECTIVE_RE = {
    "Y": r"\d{4}", "m": r"\d{1,2}", "d": r"\d{1,2}", "H": r"\d{1,2}", "I": r"\d{1,2}",
    "M": r"\d{1,2}", "S": r"\d{1,2}", "f": r"\d{1,9}", "p": r"[AaPp]\.?[Mm]\.?",
    "b": r"[A-Za-z]{3,4}\.?", "B": r"[A-Za-z]+", "y": r"\d{2}", "z": r"(?:Z|[+-]\d{2}(?::?\d{2})?)",
}
_ISO_RE = (r"\d{4}-\d{1,2}(?:-\d{1,2}(?:[T ]\d{1,2}(?::\d{2}(?::\d{2}(?:[.,]\d+)?)?)?)?)?"
           r"\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?")


def _format_regex(fmt: str) -> re.Pattern[str]:
    """Build a quick shape test for ``fmt`` (to skip formats that cannot match at all)."""
    if fmt == "ISO8601":
        return re.compile(_ISO_RE)
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            out.append(_DIRECTIVE_RE.get(fmt[i + 1], ".+"))
            i += 2
        else:
            out.append(r"\s+" if fmt[i] == " " else re.escape(fmt[i]))
            i += 1
    return re.compile("".join(out))


_TIME_FORMATS = ["%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%I:%M%p", "%H%M",
                 "%H:%M:%S.%f", "%I %p", "%I%p", "%H.%M"]
_TIME_RES = [_format_regex(f) for f in _TIME_FORMATS]
_DATE_RES = [_format_regex(f) for f, _ in _DATE_FORMATS]


def _plausible(sample: pd.Series, patterns: list[re.Pattern[str]]) -> list[int]:
    """Indexes of the formats whose shape matches one of up to 50 sample values."""
    vals = [str(v) for v in sample.iloc[:: max(1, len(sample) // 50)][:50]]
    return [i for i, pat in enumerate(patterns) if any(pat.fullmatch(v) for v in vals)]


# --------------------------------------------------------------------------------------
# --------------------------------------------------------------------------------------
# Times


# --------------------------------------------------------------------------------------
# Parsing one column
# --------------------------------------------------------------------------------------
@dataclass
class _When:
    """One parsed date/time column.

    ``values`` is naive ``datetime64[us]``: the local clock time written in the data, or,
    where ``aware`` is True, the UTC instant of a value that carried an offset (or an
    epoch number). The zone is applied once, at the end (:func:`_apply_zone`).
    """

    values: pd.Series
    aware: np.ndarray
    empty: np.ndarray
    failed: np.ndarray
    res: np.ndarray  # int8 resolution per row
    how: str
    order: str = ""  # how the day/month order was decided, when it mattered


def _nat(index: pd.Index) -> pd.Series:
    return pd.Series(pd.NaT, index=index, dtype="datetime64[us]")


def _as_us(s: pd.Series) -> pd.Series:
    tz = getattr(s.dtype, "tz", None)
    try:
        return s.astype(f"datetime64[us, {tz}]" if tz is not None else "datetime64[us]")
    except (TypeError, ValueError, OverflowError):  # pragma: no cover - defensive
        return s


def _utc_naive(s: pd.Series) -> tuple[pd.Series, bool]:
    """Naive ``datetime64[us]`` values: UTC instants for an aware Series (then True)."""
    if getattr(s.dtype, "tz", None) is not None:
        return _as_us(s.dt.tz_convert("UTC").dt.tz_localize(None)), True
    return _as_us(s), False


def _pandas_format(txt: pd.Series, fmt: str) -> pd.Series | None:
    for utc in (False, True):
        try:
            return pd.to_datetime(txt, format=fmt, errors="coerce", utc=utc)
        except (ValueError, TypeError, OverflowError):
            continue
    return None


def _try_format(txt: pd.Series, fmt: str, check_days: bool = True) -> pd.Series | None:
    """Parse ``txt`` with one explicit format, vectorized; unparseable values -> NaT.

    Plain strptime formats go through Arrow's C++ ``strptime`` (about 30x faster than
    pandas on unique strings); Arrow rolls impossible dates such as 30 February over
    into the next month, so rows that land on day 1-3 are re-read strictly by pandas.
    ISO 8601, ``%z`` and ``%f`` formats use pandas. A ``%Y`` format never reads a
    two-digit year ("03/10/97" is not the year 97: the ``%y`` formats read it).
    """
    if fmt == "ISO8601" or "%z" in fmt or "%f" in fmt:
        return _pandas_format(txt, fmt)
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(txt.to_numpy(dtype=object, na_value=None), type=pa.string())
        parsed = pc.strptime(arr, format=fmt, unit="s", error_is_null=True)
        out = pd.Series(parsed.to_numpy(zero_copy_only=False), index=txt.index)
        out = out.astype("datetime64[us]")
    except Exception:  # any Arrow problem: fall back to pandas
        return _pandas_format(txt, fmt)
    if check_days:
        sus = (out.dt.day <= 3).fillna(False).to_numpy(dtype=bool)
        if sus.any():
            strict = _pandas_format(txt[sus], fmt)
            if strict is None or getattr(strict.dtype, "tz", None) is not None:
                return _pandas_format(txt, fmt)
            out[sus] = _as_us(strict).to_numpy()
    if "%Y" in fmt:
        out = out.where(~(out.dt.year < 100).fillna(False))
    return out


def _pivot_two_digit_years(values: pd.Series, today: pd.Timestamp | None = None) -> pd.Series:
    """Put two-digit years in their century: the latest year not after next year.

    The rule (a sliding pivot) reads ``"03/10/97"`` as 1997 and ``"03/10/24"`` as 2024:
    a year ending in the two digits ``yy`` is ``20yy`` unless that is after next year,
    then ``19yy``.

    Examples
    --------
    >>> s = pd.Series(pd.to_datetime(["2097-03-10", "2024-03-10"]))
    >>> _pivot_two_digit_years(s, pd.Timestamp("2026-06-01")).dt.year.tolist()
    [1997, 2024]
    """
    today = pd.Timestamp.now() if today is None else today
    late = (values.dt.year > today.year + 1).fillna(False).to_numpy(dtype=bool)
    if late.any():
        values = values.copy()
        values[late] = values[late] - pd.DateOffset(years=100)
    return values


_OFFSET_TEXT = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"


def _iso_res(txt: pd.Series) -> np.ndarray:
    has_time = txt.str.contains(r"\d:\d", regex=True).fillna(False).to_numpy(dtype=bool)
    month = txt.str.fullmatch(r"\d{4}-\d{1,2}").fillna(False).to_numpy(dtype=bool)
    return np.where(month, _RES_MONTH, np.where(has_time, _RES_DATETIME, _RES_DATE)).astype(
        np.int8)


def _day_month_order(txt: pd.Series, dayfirst: bool | None) -> tuple[str | None, str]:
    """Day/month order of numeric dates, decided from every distinct value.

    Returns ``("dmy" | "mdy" | None, how)``: ``None`` when no value looks like
    ``nn/nn/yy(yy)``. A first number above 12 anywhere means day first, a second number
    above 12 means month first; when both occur the majority wins (the others do not
    parse); when neither does, the order cannot be told from the data and ``dayfirst``
    decides (default month first, the US order).
    """
    shape = r"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}(?:\D|$)"
    if not _spread_sample(txt, 200).str.contains(shape, regex=True).fillna(False).any():
        return None, ""
    uniq = pd.Series(pd.unique(txt.to_numpy(dtype=object)), dtype="string")
    parts = uniq.str.extract(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{2,4}(?:\D|$)")
    a = pd.to_numeric(parts[0], errors="coerce").to_numpy(float)
    b = pd.to_numeric(parts[1], errors="coerce").to_numpy(float)
    shaped = np.isfinite(a) & np.isfinite(b)
    if not shaped.any():
        return None, ""
    n_day_first = int(((a > 12) & (a <= 31) & (b <= 12)).sum())
    n_month_first = int(((b > 12) & (b <= 31) & (a <= 12)).sum())
    n = int(shaped.sum())
    if n_day_first and n_month_first:
        order = "dmy" if n_day_first >= n_month_first else "mdy"
        return order, (f"day/month order: {'day' if order == 'dmy' else 'month'} first, "
                       f"from {max(n_day_first, n_month_first):,} of {n:,} distinct dates "
                       f"({min(n_day_first, n_month_first):,} say the other order and do "
                       "not parse)")
    if n_day_first or n_month_first:
        order = "dmy" if n_day_first else "mdy"
        return order, (f"day/month order: {'day' if order == 'dmy' else 'month'} first, "
                       f"from the {max(n_day_first, n_month_first):,} of {n:,} distinct "
                       "dates with a number above 12")
    order = "dmy" if dayfirst else "mdy"
    given = "dayfirst=True" if dayfirst else ("dayfirst=False" if dayfirst is False else None)
    how = (f"as {given}" if given else
           "as month/day (US order); pass dayfirst=True if the data are day/month")
    return order, (f"day/month order cannot be decided from the data (every one of {n:,} "
                   f"distinct dates has both numbers at most 12): read {how}")


def _order_of(fmt: str) -> str | None:
    m = re.match(r"%([md])\W%([md])", fmt)
    if m is None:
        return None
    return "mdy" if m.group(1) == "m" else "dmy"


def _spread_sample(values: pd.Series, k: int) -> pd.Series:
    """Pick up to ``k`` distinct values, evenly spaced in sorted order.

    The same whatever the row order, and spread over the whole range of the values.
    """
    uniq = pd.unique(values.to_numpy(dtype=object))
    if len(uniq) > k:
        ordered = np.sort(uniq.astype(str))
        uniq = ordered[np.linspace(0, len(ordered) - 1, k).astype(np.int64)]
    return pd.Series(uniq, dtype="string")


def _parse_text_dates(txt: pd.Series, empty: np.ndarray, dayfirst: bool | None = None
                      ) -> _When:
    n = len(txt)
    nonempty = txt[~empty]
    order, order_how = _day_month_order(nonempty, dayfirst)
    sample = _spread_sample(nonempty, _SAMPLE)
    scores = []
    for i in _plausible(sample, _DATE_RES):
        fmt = _DATE_FORMATS[i][0]
        if order is not None and _order_of(fmt) not in (None, order):
            continue
        parsed = _try_format(sample, fmt)
        k = 0 if parsed is None else int(parsed.notna().sum())
        if k:
            scores.append((-k, i))
    scores.sort()
    values = _nat(txt.index)
    res = np.full(n, _RES_DATETIME, dtype=np.int8)
    todo = ~empty
    used = []
    for _, i in scores[:5]:
        if not todo.any():
            break
        fmt, r = _DATE_FORMATS[i]
        idx = np.flatnonzero(todo)
        sub = txt.iloc[idx]
        parsed = _try_format(sub, fmt)
        if parsed is None:
            continue
        parsed, _ = _utc_naive(parsed)
        if "%y" in fmt:
            parsed = _pivot_two_digit_years(parsed)
        got = parsed.notna().to_numpy()
        if not got.any():
            continue
        values.iloc[idx[got]] = parsed[got].to_numpy()
        res[idx[got]] = _iso_res(sub[got]) if r is None else r
        todo[idx[got]] = False
        used.append(fmt)
    aware = ~todo & ~empty & txt.str.contains(_OFFSET_TEXT, regex=True).fillna(False).to_numpy(
        dtype=bool)
    how = "text, format " + " then ".join(used or ["none"])
    order = order_how if any(_order_of(f) for f in used) else ""
    return _When(values, aware, empty, todo, res, how, order)


def _epoch_unit(v: np.ndarray) -> str | None:
    med = float(np.median(np.abs(v)))
    if 1e8 <= med < 1e11:
        return "s"
    if 1e11 <= med < 1e14:
        return "ms"
    if 1e14 <= med < 1e17:
        return "us"
    if med >= 1e17:
        return "ns"
    return None


def _parse_numbers(s: pd.Series) -> _When:
    """Numbers: ``YYYYMMDD`` integers or epoch seconds/ms/us/ns (UTC) by magnitude."""
    n = len(s)
    v = s.to_numpy(dtype=float, na_value=np.nan)
    empty = np.isnan(v)
    ok = ~empty & np.isfinite(v)
    none = np.zeros(n, bool)
    if not ok.any():
        return _When(_nat(s.index), none, empty, ~empty, np.zeros(n, np.int8), "numbers")
    vals = v[ok]
    if (np.all(vals == np.floor(vals)) and np.all(vals >= 1800_01_01)
            and np.all(vals <= 2200_12_31)):
        txt = pd.Series(np.where(ok, np.nan_to_num(v).astype(np.int64).astype(str), ""),
                        index=s.index, dtype="string")
        out = _parse_text_dates(txt, empty)
        out.how = "numbers as YYYYMMDD"
        return out
    unit = _epoch_unit(vals)
    if unit is None:
        return _When(_nat(s.index), none, empty, ~empty, np.zeros(n, np.int8),
                     "numbers (not epoch times)")
    # Beyond the datetime64[us] range (about +-290,000 years) is a failed row.
    scale = {"s": 1e6, "ms": 1e3, "us": 1.0, "ns": 1e-3}[unit]
    us = np.where(ok, v * scale, np.nan)
    fits = ok & (np.abs(us) < 9.2e18)
    arr = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    arr[fits] = np.round(us[fits]).astype(np.int64)
    values = pd.Series(arr.view("datetime64[us]"), index=s.index)
    return _When(values, fits, empty, ~empty & ~fits, np.zeros(n, np.int8),
                 f"epoch {unit} (UTC)")


def _parse_objects(s: pd.Series, isna: np.ndarray) -> _When:
    """Python date/datetime objects (naive, aware, or mixed zones: every row kept)."""
    n = len(s)
    kind = ptypes.infer_dtype(s[~isna], skipna=True)
    values, aware_all = _utc_naive(_as_us(pd.to_datetime(s, errors="coerce", utc=True)))
    aware = s.map(lambda v: getattr(v, "tzinfo", None) is not None).to_numpy(dtype=bool)
    failed = ~isna & values.isna().to_numpy()
    res = np.full(n, _RES_DATE if kind == "date" else _RES_DATETIME, dtype=np.int8)
    return _When(values, aware & aware_all & ~failed, isna, failed, res, "date objects")


def _parse_dates(s: pd.Series, dayfirst: bool | None = None) -> _When:
    """Parse one date(-time) column, vectorized; never per-row Python parsing."""
    n = len(s)
    if ptypes.is_datetime64_any_dtype(s):
        values, aware = _utc_naive(s)
        empty = values.isna().to_numpy()
        return _When(values, np.full(n, aware) & ~empty, empty, np.zeros(n, bool),
                     np.full(n, _RES_DATETIME, np.int8), "date-times (typed by the file reader)")
    if ptypes.is_bool_dtype(s):
        empty = s.isna().to_numpy()
        return _When(_nat(s.index), np.zeros(n, bool), empty, ~empty, np.zeros(n, np.int8),
                     "booleans")
    if ptypes.is_numeric_dtype(s):
        return _parse_numbers(s)
    isna = s.isna().to_numpy()
    kind = ptypes.infer_dtype(s.dropna().head(_SAMPLE), skipna=True)
    if kind in ("datetime", "date", "datetime64"):
        return _parse_objects(s, isna)
    txt = s.astype("string").str.strip()
    empty = isna | (txt == "").fillna(True).to_numpy(dtype=bool)
    if (~empty).any():
        # Epoch seconds/ms stored as text (JSON-derived frames): 10 or 13 digits, one
        # length for the whole column, are numbers; 8/14 digits stay YYYYMMDD[HHMMSS].
        lens = txt[~empty].str.len()
        if (bool(txt[~empty].str.fullmatch(r"\d+").all()) and lens.nunique() == 1
                and int(lens.iloc[0]) in (10, 13)):
            num = pd.to_numeric(txt.where(~empty), errors="coerce").astype(float)
            return _parse_numbers(num)
    return _parse_text_dates(txt, empty, dayfirst)


def _one_clock_time(w: _When, col: Any) -> tuple[_When, str | None]:
    """Read a date column whose rows all carry one clock time as dates, not times.

    Local midnight written in UTC (``2014-03-02 05:00:00+00``) or another offset, or
    any one constant time of day on every row, is ``date_only``: each value becomes the
    calendar date of the nearest midnight (so 05:00 is that day, 23:00 the next). Two
    times exactly one hour apart (local midnight through daylight saving, written in
    UTC) count as one. Needs every row at midnight (two rows or more), or at least 10
    rows on 3 or more days for another time.
    """
    ok = ~w.empty & ~w.failed & (w.res == _RES_DATETIME)
    if w.how.startswith("epoch") or int(ok.sum()) < 2 or ok.sum() < (~w.empty & ~w.failed).sum():
        return w, None
    v = w.values.to_numpy()[ok]
    day = v.astype("datetime64[D]")
    tod = np.unique((v - day).astype("timedelta64[m]").astype(np.int64))
    hour = 60
    one = tod.size == 1 or (tod.size == 2 and tod[1] - tod[0] == hour)
    if not one:
        return w, None
    naive_midnight = tod.size == 1 and tod[0] == 0 and not w.aware[ok].any()
    if not naive_midnight and (ok.sum() < 10 or np.unique(day).size < 3):
        return w, None
    nearest = (v + np.timedelta64(12, "h")).astype("datetime64[D]").astype("datetime64[us]")
    values = w.values.copy()
    values.iloc[np.flatnonzero(ok)] = nearest
    res = w.res.copy()
    res[ok] = _RES_DATE
    clock = " / ".join(f"{m // 60:02d}:{m % 60:02d}" for m in tod)
    written = " UTC" if w.aware[ok].all() else ""
    note = (f"date column {col!r} carries one clock time ({clock}{written}) on every row: "
            "read as dates (date_only), each the day of the nearest midnight")
    aware = w.aware & ~ok
    return _When(values, aware, w.empty, w.failed, res, w.how, w.order), note


def _first_of_month(w: _When, col: Any) -> tuple[_When, str | None]:
    """Read dates that all fall on the 1st of a month as months (``month_only``).

    Monthly exports (police.uk re-shared as ``2022-01-01``) write each month as its
    first day. The rule: every parsed value is a date on day 1, and the column is
    named like a month or holds 20 rows or more over 2 months or more.
    """
    ok = ~w.empty & ~w.failed
    if not ok.any() or not np.all(w.res[ok] == _RES_DATE):
        return w, None
    v = w.values.to_numpy()[ok]
    months = v.astype("datetime64[M]")
    if not np.all(v == months.astype(v.dtype)):
        return w, None
    named = bool(_tokens(col) & {"month", "mon", "mth", "yearmonth"})
    if not named and (ok.sum() < 20 or np.unique(months).size < 2):
        return w, None
    res = w.res.copy()
    res[ok] = _RES_MONTH
    note = (f"date column {col!r} holds only first days of months: read as months "
            "(month_only)")
    return _When(w.values, w.aware, w.empty, w.failed, res, w.how, w.order), note


def _date_share(s: pd.Series) -> float:
    """Share of a sample of non-empty values that parse as dates (for detection)."""
    sample = s.dropna().head(_SAMPLE)
    if sample.empty:
        return 0.0
    if ptypes.is_numeric_dtype(sample) and not ptypes.is_bool_dtype(sample):
        v = sample.to_numpy(float)
        v = v[np.isfinite(v)]
        if v.size == 0:
            return 0.0
        if np.all((v >= 1800_01_01) & (v <= 2200_12_31) & (v == np.floor(v))):
            return float(_parse_dates(pd.Series(v.astype(np.int64))).values.notna().mean())
        return 1.0 if _epoch_unit(v) is not None else 0.0
    w = _parse_dates(sample.reset_index(drop=True))
    ne = ~w.empty
    return float((~w.failed[ne]).mean()) if ne.any() else 0.0


def _hours_only(v: np.ndarray) -> bool:
    """Tell whether values are whole numbers 0-23 (an hour of day, not HHMM)."""
    return v.size > 0 and bool(np.all((v >= 0) & (v <= 23) & (v == np.floor(v))))


def _parse_time_of_day(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seconds since midnight, empty mask, failed mask for a time-of-day column.

    Whole numbers that are all 0-23 are hours of the day (``occurrencehour``), not
    HHMM; other numbers are HHMM (``2130``) or fractions of a day.
    """
    n = len(s)
    if ptypes.is_datetime64_any_dtype(s):
        wall = s.dt.tz_localize(None) if getattr(s.dtype, "tz", None) else s
        secs = ((wall - wall.dt.normalize()).dt.total_seconds()).to_numpy(float,
                                                                          na_value=np.nan)
        empty = np.isnan(secs)
        return secs, empty, np.zeros(n, bool)
    if ptypes.is_numeric_dtype(s) and not ptypes.is_bool_dtype(s):
        v = s.to_numpy(dtype=float, na_value=np.nan)
        empty = np.isnan(v)
        ok = ~empty & np.isfinite(v)
        secs = np.full(n, np.nan)
        if ok.any() and np.all((v[ok] >= 0) & (v[ok] < 1)):  # fraction of a day
            secs[ok] = np.round(v[ok] * 86400.0)
        elif _hours_only(v[ok]):
            secs[ok] = v[ok] * 3600.0
        else:  # HHMM integers (LAPD "TIME OCC": 2130, 5 = 00:05)
            hh, mm = np.floor_divide(v, 100), np.mod(v, 100)
            good = ok & (v == np.floor(v)) & (hh >= 0) & (hh < 24) & (mm < 60)
            secs[good] = hh[good] * 3600 + mm[good] * 60
        return secs, empty, ~empty & np.isnan(secs)
    isna = s.isna().to_numpy()
    txt = s.astype("string").str.strip()
    empty = isna | (txt == "").fillna(True).to_numpy(dtype=bool)
    digits = txt.str.fullmatch(r"\d{1,4}").fillna(False).to_numpy(dtype=bool)
    if (~empty).any() and np.all(digits[~empty]):
        num = pd.to_numeric(txt.where(~empty), errors="coerce").to_numpy(float)
        if _hours_only(num[~empty]):
            return num * 3600.0, empty, np.zeros(n, bool)
    txt = txt.where(~digits, txt.str.zfill(4))
    sample = pd.Series(txt[~empty].unique()[:_SAMPLE], dtype="string")
    scores = []
    for i in _plausible(sample, _TIME_RES):
        fmt = _TIME_FORMATS[i]
        parsed = _try_format(sample, fmt, check_days=False)
        k = 0 if parsed is None else int(parsed.notna().sum())
        if k:
            scores.append((-k, i))
    scores.sort()
    secs = np.full(n, np.nan)
    todo = ~empty
    for _, i in scores[:4]:
        idx = np.flatnonzero(todo)
        if idx.size == 0:
            break
        parsed = _try_format(txt.iloc[idx], _TIME_FORMATS[i], check_days=False)
        if parsed is None:
            continue
        if getattr(parsed.dtype, "tz", None) is not None:
            parsed = parsed.dt.tz_localize(None)
        got = parsed.notna().to_numpy()
        p = parsed[got]
        secs[idx[got]] = (p.dt.hour * 3600 + p.dt.minute * 60 + p.dt.second).to_numpy(float)
        todo[idx[got]] = False
    # Full timestamps in a time column. Bare HHMM digits never go through ISO8601,
    # which would read "2575" or "9999" as a year (i.e. midnight); an HHMM value with
    # hour >= 24 or minute >= 60 ("2400" included, as for numeric HHMM) is unparseable.
    if (todo & ~digits).any():
        idx = np.flatnonzero(todo & ~digits)
        parsed = _try_format(txt.iloc[idx], "ISO8601")
        if parsed is not None:
            if getattr(parsed.dtype, "tz", None) is not None:
                parsed = parsed.dt.tz_localize(None)
            got = parsed.notna().to_numpy()
            p = parsed[got]
            secs[idx[got]] = (p.dt.hour * 3600 + p.dt.minute * 60 + p.dt.second).to_numpy(
                float)
            todo[idx[got]] = False
    return secs, empty, todo


def _time_share(s: pd.Series) -> float:
    sample = s.dropna().head(_SAMPLE).reset_index(drop=True)
    if sample.empty:
        return 0.0
    _, empty, failed = _parse_time_of_day(sample)
    if not ptypes.is_numeric_dtype(sample) and not ptypes.is_datetime64_any_dtype(sample):
        # Time-shaped text that does not parse ("2575", "25:75") still marks a time
        # column, so those rows are dropped as unparseable_time rather than the whole
        # column being ignored.
        shaped = (sample.astype("string").str.strip()
                  .str.fullmatch(r"\d{1,4}|\d{1,2}:\d{2}(:\d{2})?")
                  .fillna(False).to_numpy(dtype=bool))
        failed = failed & ~shaped
    ne = ~empty
    return float((~failed[ne]).mean()) if ne.any() else 0.0


def _at_clock(when: _When, secs: np.ndarray, has: np.ndarray) -> pd.Series:
    """Return the calendar date of each row plus ``secs`` seconds of clock time."""
    day = when.values.dt.normalize()
    return _as_us(day + pd.to_timedelta(np.where(has, secs, 0.0), unit="s"))


def _with_time(when: _When, s: pd.Series) -> _When:
    """Combine a date column with a time-of-day (or hour-of-day) column.

    The result is local clock time (naive): the date's calendar day plus the time.
    """
    secs, _, t_failed = _parse_time_of_day(s)
    has = ~np.isnan(secs)
    res = when.res.copy()
    date_ok = ~when.empty & ~when.failed
    res[date_ok & has & (res == _RES_DATE)] = _RES_DATETIME
    res[date_ok & ~has & (res == _RES_DATETIME)] = _RES_DATE
    failed = when.failed | (date_ok & t_failed)
    return _When(_at_clock(when, secs, has), np.zeros(len(s), bool), when.empty, failed, res,
                 when.how + " + time column", when.order)


def _with_hour(when: _When, s: pd.Series) -> _When:
    """Add an hour-of-day column (whole numbers 0-23) to a date-only column."""
    v, _, _ = _to_float(s)
    has = np.isfinite(v) & (v >= 0) & (v <= 23) & (v == np.floor(v))
    res = when.res.copy()
    res[has & ~when.empty & ~when.failed] = _RES_DATETIME
    return _When(_at_clock(when, v * 3600.0, has), when.aware & ~has, when.empty,
                 when.failed, res, when.how + " + hour column", when.order)


def _companion_time(cols: _Columns, date_col: Any) -> Any:
    """Find the time column of a date column ("Date Occurred" -> "Time Occurred")."""
    toks = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(date_col)).lower()
    cands = []
    for a, b in (("datetime", "time"), ("date", "time"), ("_dt", "_tm"), ("dt_", "tm_")):
        if a in toks:
            cands.append(toks.replace(a, b))
    if toks.endswith("dt"):
        cands.append(toks[:-2] + "tm")
    return cols.find(cands, lambda c: _time_share(cols.frame[c]) >= 0.5) if cands else None

_START_TOKENS = {"from", "fr", "first", "start", "begin", "earliest"}
_END_TOKENS = {"to", "last", "end", "latest"}
_DATE_TOKENS = {"date", "datetime", "dt", "timestamp", "time"}
_OCCUR_TOKENS = {"occurred", "occurrence", "occ", "incident", "offense", "offence", "crime",
                 "event", "dispatch", "call"}
_REPORT_TOKENS = {"report", "reported", "rptd", "rpt", "created", "updated", "modified",
                  "entry", "entered", "closed", "cleared", "arrest", "birth", "dob"}


def _token_date_column(cols: _Columns, role_tokens: set[str] | None, ok: Any) -> Any:
    """Find a date column from name tokens: occurrence dates first, report dates last."""
    cands = []
    for i, c in enumerate(cols.frame.columns):
        if c in cols.used:
            continue
        toks = _tokens(c)
        if not toks & _DATE_TOKENS or toks == {"time"}:
            continue
        if role_tokens is not None and not toks & role_tokens:
            continue
        rank = 0 if toks & _OCCUR_TOKENS else (2 if toks & _REPORT_TOKENS else 1)
        cands.append((rank, i, c))
    for _, _, c in sorted(cands, key=lambda t: (t[0], t[1])):
        if ok(c):
            return c
    return None




_HOUR_NAMES = _PARTS["hour"] + ["occurrencehour", "hour_occ", "hour_occurred", "occ_hr",
                                "hr_occ", "hour_of_occurrence", "incident_hr", "hh"]
_HOUR_TOKENS = {"hour", "hr", "hh", "hours"}


def _hour_column(s: pd.Series, varied: bool = False) -> bool:
    """Tell whether a column holds whole numbers 0-23 only (``varied``: not one value)."""
    v, _, inv = _to_float(s.head(4 * _SAMPLE))
    v = v[np.isfinite(v)]
    return not inv.any() and _hours_only(v) and (not varied or np.unique(v).size > 1)


def _companion_hour(cols: _Columns, date_col: Any) -> Any:
    """Find an hour-of-day column (0-23) for a date-only column, by name then by token."""
    toks = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(date_col)).lower()
    cands = [toks.replace("date", "hour")] if "date" in toks else []

    found = cols.find(cands + _HOUR_NAMES, lambda c: _hour_column(cols.frame[c]))
    if found is not None:
        return found
    return cols.find_tokens(_HOUR_TOKENS, lambda c: _hour_column(cols.frame[c], varied=True))


def _companion_end(cols: _Columns, start_col: Any) -> Any:
    toks = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(start_col)).lower()
    cands = []
    for a, b in (("from", "to"), ("_fr_", "_to_"), ("first", "last"), ("start", "end"),
                 ("begin", "end"), ("earliest", "latest"), ("created", "completed"),
                 ("created", "closed"), ("opened", "closed")):
        if a in toks:
            cands.append(toks.replace(a, b))
    return cols.find(cands) if cands else None


def _parse_parts(frame: pd.DataFrame, part_cols: dict[str, Any]) -> _When:
    n = len(frame)
    parts = {}
    empty = np.zeros(n, bool)
    failed = np.zeros(n, bool)
    for role in ("year", "month", "day", "hour", "minute"):
        col = part_cols.get(role)
        if col is None:
            continue
        v, m, inv = _to_float(frame[col])
        if role in ("year", "month"):
            empty |= m
        failed |= inv
        parts[role] = v
    d = pd.DataFrame({
        "year": parts["year"], "month": parts["month"],
        "day": parts.get("day", np.ones(n)),
        "hour": np.nan_to_num(parts.get("hour", np.zeros(n))),
        "minute": np.nan_to_num(parts.get("minute", np.zeros(n))),
    })
    try:
        values = _as_us(pd.to_datetime(d, errors="coerce"))
    except (ValueError, TypeError, OverflowError):
        values = pd.Series(pd.NaT, index=d.index, dtype="datetime64[us]")
    values.index = frame.index
    failed |= ~empty & values.isna().to_numpy()
    res = np.full(n, _RES_DATETIME if "hour" in parts else (
        _RES_DATE if "day" in parts else _RES_MONTH), dtype=np.int8)
    if "hour" in parts:
        res[np.isnan(parts["hour"])] = _RES_DATE
    return _When(values, np.zeros(n, bool), empty, failed, res,
                 "year/month/day/hour/minute columns")


# --------------------------------------------------------------------------------------
# Step 1: find and parse the date/time columns (local clock or UTC; no zone yet)
# --------------------------------------------------------------------------------------
@dataclass
class _Failures:
    """Which column made each failed row fail (for errors and the report)."""

    code: np.ndarray  # int16 index into names, -1 when not failed
    names: list[Any]

    def blame(self, mask: np.ndarray, col: Any) -> None:
        if col is not None and mask.any():
            self.names.append(col)
            self.code[mask & (self.code < 0)] = len(self.names) - 1


@dataclass
class _Parsed:
    main: _When | None
    start: _When | None
    end: _When | None
    fails: _Failures
    warnings: list[str]
    notes: list[str]


def _find_date_columns(frame: pd.DataFrame, cols: _Columns, args: dict[str, Any]
                       ) -> tuple[Any, Any, Any, bool]:
    """Find the datetime, window start and end columns: given, else by name and content."""
    def dates_ok(c: Any) -> bool:
        return _date_share(frame[c]) >= 0.5

    dt_col = cols.user(args["datetime"], "datetime") if args["datetime"] is not None else None
    st_col = cols.user(args["start"], "start") if args["start"] is not None else None
    en_col = cols.user(args["end"], "end") if args["end"] is not None else None
    auto = dt_col is None and st_col is None and en_col is None
    if not auto:
        return dt_col, st_col, en_col, auto
    st_col = cols.find(_START, dates_ok)
    if st_col is None:
        st_col = _token_date_column(cols, _START_TOKENS, dates_ok)
    if st_col is not None:
        cols.used.add(st_col)
        en_col = _companion_end(cols, st_col)
        if en_col is None or not dates_ok(en_col):
            en_col = cols.find(_END, dates_ok)
        if en_col is None:
            en_col = _token_date_column(cols, _END_TOKENS, dates_ok)
    else:
        dt_col = cols.find(_DATETIME, dates_ok)
        if dt_col is None:
            dt_col = _token_date_column(cols, None, dates_ok)
        if dt_col is None:
            dt_col = _typed_date_column(frame, cols)
    return dt_col, st_col, en_col, auto


def _typed_date_column(frame: pd.DataFrame, cols: _Columns) -> Any:
    """Return the one column the file reader typed as date-times, whatever its name.

    Excel, GeoPackage and Parquet readers type date columns themselves; None when there
    are none or several.
    """
    typed = [c for c in frame.columns if c not in cols.used
             and ptypes.is_datetime64_any_dtype(frame[c]) and frame[c].notna().any()]
    return typed[0] if len(typed) == 1 else None


def _parse_role(frame: pd.DataFrame, cols: _Columns, col: Any, role: str,
                args: dict[str, Any], auto: bool, found: dict[str, Any],
                fails: _Failures, notes: list[str], warnings: list[str]) -> _When:
    """Parse one date column and combine it with its time or hour-of-day column."""
    w = _parse_dates(frame[col], args.get("dayfirst"))
    date_failed = w.failed.copy()
    for rule in (_one_clock_time, _first_of_month):
        w, note = rule(w, col)
        if note:
            notes.append(note)
    main = role == "datetime"
    tcol = cols.user(args["time"], "time") if main and args.get("time") is not None else None
    hcol = cols.user(args["hour"], "hour") if main and args.get("hour") is not None else None
    if tcol is None and hcol is None and (auto or not main):
        tcol = _companion_time(cols, col)
        if tcol is None and main:
            tcol = cols.find(_TIME, lambda c: _time_share(frame[c]) >= 0.5)
    has_values = bool(w.values.notna().any())
    date_only = bool(np.all(w.res[~w.empty & ~w.failed] == _RES_DATE))
    if tcol is None and hcol is None and has_values and date_only and (auto or not main):
        hcol = _companion_hour(cols, col)
    prefix = "" if main else f"{role}_"
    if tcol is not None and has_values:
        cols.used.add(tcol)
        found[prefix + "time"] = (tcol, f"time column next to {col}")
        tv = _to_float(frame[tcol])[0]
        hours = _hours_only(tv[np.isfinite(tv)])
        w = _with_time(w, frame[tcol])
        if hours:
            w.how += " (whole numbers 0-23: hours of the day, not HHMM)"
    elif hcol is not None and has_values:
        cols.used.add(hcol)
        found[prefix + "hour"] = (hcol, f"hour-of-day column next to {col}")
        w = _with_hour(w, frame[hcol])
        _hour_values_warning(frame[hcol], hcol, w, warnings)
    fails.blame(date_failed, col)
    fails.blame(w.failed & ~date_failed, tcol)
    notes.append(f"{role} column {col!r} read as {w.how}")
    if w.order:  # a guessed order is a warning, a decided one a note
        guessed = "cannot be decided" in w.order and args.get("dayfirst") is None
        given = args.get("dayfirst")
        overruled = (given is not None and "cannot be decided" not in w.order
                     and ("day first" in w.order) != bool(given))
        if overruled:
            warnings.append(f"{role} column {col!r}: dayfirst={given} was given, but the "
                            f"data decide the order: {w.order}")
        else:
            (warnings if guessed else notes).append(f"{role} column {col!r}: {w.order}")
    return w


def _hour_values_warning(s: pd.Series, col: Any, w: _When, warnings: list[str]) -> None:
    """Warn about hour-column values that are not whole hours 0-23 (read as dates only)."""
    v, empty, invalid = _to_float(s)
    hour = np.isfinite(v) & (v >= 0) & (v <= 23) & (v == np.floor(v))
    bad = (invalid | (~empty & ~hour)) & w.values.notna().to_numpy()
    if bad.any():
        example = s.to_numpy(dtype=object)[np.flatnonzero(bad)[0]]
        warnings.append(
            f"hour column {col!r}: {int(bad.sum()):,} value(s) are not whole hours 0-23 "
            f"(e.g. {example!r}); those rows keep their date only (date_only). Check that "
            f"{col!r} holds the hour of the day, or pass the right column as hour=")


def _parts_when(frame: pd.DataFrame, cols: _Columns, args: dict[str, Any],
                found: dict[str, Any], fails: _Failures, notes: list[str]) -> _When | None:
    """Build the time from year/month(/day/hour/minute) columns, when there are some."""
    part_cols = {r: cols.find(c, lambda c: _numeric_share(frame[c]) >= 0.9)
                 for r, c in _PARTS.items()}
    if args.get("hour") is not None:
        part_cols["hour"] = cols.user(args["hour"], "hour")
    part_cols = {r: c for r, c in part_cols.items() if c is not None}
    if "year" not in part_cols or "month" not in part_cols:
        return None
    for r, c in part_cols.items():
        cols.used.add(c)
        found[r] = (c, "date/time part detected from the column name")
    w = _parse_parts(frame, part_cols)
    fails.blame(w.failed, part_cols["year"])
    notes.append("date/time built from " + ", ".join(map(str, part_cols.values())))
    return w


def _read_times(frame: pd.DataFrame, cols: _Columns, args: dict[str, Any],
                detected: dict[str, str], choices: dict[str, Any]) -> _Parsed:
    """Step 1: find the date/time columns and parse them (no zone applied yet)."""
    n = len(frame)
    fails = _Failures(np.full(n, -1, dtype=np.int16), [])
    warnings: list[str] = []
    notes: list[str] = []
    dt_col, st_col, en_col, auto = _find_date_columns(frame, cols, args)
    found: dict[str, Any] = {}
    for role, c in (("datetime", dt_col), ("start", st_col), ("end", en_col)):
        if c is not None:
            cols.used.add(c)
            found[role] = (c, "detected from the column name")
    whens = {role: _parse_role(frame, cols, c, role, args, auto, found, fails, notes,
                               warnings)
             for role, c in (("datetime", dt_col), ("start", st_col), ("end", en_col))
             if c is not None}
    if not whens and auto:
        parts = _parts_when(frame, cols, args, found, fails, notes)
        if parts is not None:
            whens["datetime"] = parts
        else:
            named = cols.find(_START + _DATETIME)
            if named is not None:
                warnings.append(
                    f"column {named!r} is named like a date but its values are not dates "
                    f"in a supported format, so it was not used; pass datetime={named!r} "
                    "to force it (rows that do not parse are then dropped as "
                    "unparseable_time)")
    for role, (c, why) in found.items():
        detected[role] = str(c)
        if auto or role not in ("datetime", "start", "end"):
            note_choice(choices, role, str(c), why)
    return _Parsed(whens.get("datetime"), whens.get("start"), whens.get("end"), fails,
                   warnings, notes)


# --------------------------------------------------------------------------------------
# Step 2: the time zone (given, police.uk, or from the coordinates)
# --------------------------------------------------------------------------------------
_ZONE_CELLS = 20_000


def _zone_cells(a: np.ndarray, b: np.ndarray, good: np.ndarray, crs_in: Any
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct lon/lat cells of the valid points, with counts.

    Cells of 0.01 degree (about 1 km; 1 km for projected input), ten times larger
    until there are at most :data:`_ZONE_CELLS` of them (national data).
    """
    from pyproj import CRS, Transformer

    x, y = a[good], b[good]
    crs = CRS.from_user_input(crs_in)
    step = 0.01 if crs.is_geographic else 1000.0
    while True:
        key = np.round(x / step) + 1j * np.round(y / step)
        cells, counts = np.unique(key, return_counts=True)
        if cells.size <= _ZONE_CELLS:
            break
        step *= 10.0
    cx, cy = cells.real * step, cells.imag * step
    if not crs.is_geographic:
        tr = Transformer.from_crs(crs, 4326, always_xy=True)
        with np.errstate(all="ignore"):
            cx, cy = tr.transform(cx, cy, errcheck=False)
    fine = np.isfinite(cx) & np.isfinite(cy)
    return np.asarray(cx)[fine], np.asarray(cy)[fine], counts[fine]


def zone_from_points(lon: np.ndarray, lat: np.ndarray, weight: np.ndarray | None = None
                     ) -> tuple[str | None, float, dict[str, float]]:
    """Return the IANA time zone that holds most of the points (offline).

    Uses `tzfpy <https://pypi.org/project/tzfpy/>`_: one 3 MB wheel with no
    dependencies, about 15 microseconds a lookup (after half a second to load),
    boundaries from timezone-boundary-builder (simplified, so a point within about
    1 km of a zone border may be given the neighbour: the zone of a whole data set,
    the majority of its points, is not affected). timezonefinder was the alternative:
    unsimplified boundaries, but it needs h3, cffi, flatbuffers and a separate data
    package (timezonefinder-data).

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Points in degrees (WGS 84).
    weight : numpy.ndarray, optional
        Rows each point stands for (default 1).

    Returns
    -------
    zone : str or None
        The zone of most points (None when there are no points).
    share : float
        Share (0-1) of the weight in that zone.
    others : dict[str, float]
        Share of the weight in each other zone.

    Examples
    --------
    >>> zone_from_points(np.array([-123.12, -123.10]), np.array([49.28, 49.26]))
    ('America/Vancouver', 1.0, {})
    """
    try:
        import tzfpy
    except ImportError as exc:  # pragma: no cover - a core dependency
        msg = ("inferring the time zone needs the tzfpy package: pip install tzfpy "
               "(or pass tz=)")
        raise ImportError(msg) from exc
    if len(lon) == 0:
        return None, 0.0, {}
    w = np.ones(len(lon)) if weight is None else np.asarray(weight, float)
    zones = np.array([tzfpy.get_tz(float(x), float(y)) or "" for x, y in zip(lon, lat,
                                                                            strict=True)])
    names, inv = np.unique(zones, return_inverse=True)
    tot = np.bincount(inv, weights=w)
    tot[names == ""] = 0.0
    if tot.sum() <= 0:
        return None, 0.0, {}
    share = tot / tot.sum()
    best = int(np.argmax(share))
    others = {str(names[i]): float(share[i]) for i in np.argsort(-share)
              if i != best and share[i] > 0}
    return str(names[best]), float(share[best]), others


def _choose_zone(tz: str | None, schema: str | None, cells: tuple[np.ndarray, ...] | None,
                 warnings: list[str]) -> tuple[str | None, str]:
    """Choose the zone of the times and say how it was found."""
    if tz is not None:
        return tz, "given (tz=)"
    if schema == "police.uk":
        return "Europe/London", "for police.uk data (England and Wales)"
    if cells is None or len(cells[0]) == 0:
        return None, "unknown: no valid coordinates to infer it from"
    zone, share, others = zone_from_points(*cells)
    if zone is None:
        return None, "unknown: the coordinates lie in no time zone"
    if share < 0.99:
        other = ", ".join(f"{z} {s:.1%}" for z, s in list(others.items())[:3])
        warnings.append(
            f"the points span several time zones ({zone} {share:.1%}, {other}): every "
            f"time was read in {zone}; read each zone's rows separately with tz= if "
            "that is wrong")
    return zone, "inferred from the coordinates; pass tz= to override"


# --------------------------------------------------------------------------------------
# Step 3: apply the zone, combine the columns, windows and quality
# --------------------------------------------------------------------------------------
@dataclass
class _Times:
    occurred_at: pd.Series
    occurred_from: pd.Series | None
    occurred_to: pd.Series | None
    quality: np.ndarray  # int8 codes into TIME_QUALITIES
    failed: np.ndarray
    failed_code: np.ndarray  # int16 index into failed_names, -1 when not failed
    failed_names: list[Any]
    warnings: list[str]
    notes: list[str]
    implausible: np.ndarray
    outside_period: np.ndarray
    zone: str | None = None
    zone_how: str = ""
    slots_per_day: int = 1440  # 24 when every clock time is a whole hour (hour columns)


def _apply_zone(w: _When, zone: str | None) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Clock times in ``zone``; counts DST gaps (read +1 h) and overlaps (first pass).

    Values that carried an offset (UTC instants) are converted to the zone; naive
    local clock times are localized to it. A clock time skipped when clocks spring
    forward (02:56) is read in the offset before the change (03:56 daylight time); a
    repeated one when they fall back is read as the first pass (daylight time). Both
    are returned as masks so that the report counts them. Without a zone, naive
    values stay naive unless some rows carried an offset (then all are UTC).
    """
    v = w.values
    n = len(v)
    ok = v.notna().to_numpy()
    none = np.zeros(n, bool)
    if zone is None:
        return (_as_us(v.dt.tz_localize("UTC")) if w.aware.any() else v), none, none
    first = np.ones(n, bool)
    hour = pd.Timedelta(hours=1)
    local = v.dt.tz_localize(zone, ambiguous=first, nonexistent=hour)
    naive = ok & ~w.aware
    gap = naive & v.dt.tz_localize(zone, ambiguous=first, nonexistent="NaT").isna().to_numpy()
    overlap = naive & v.dt.tz_localize(zone, ambiguous="NaT",
                                       nonexistent=hour).isna().to_numpy()
    if w.aware.any():
        conv = v[w.aware].dt.tz_localize("UTC").dt.tz_convert(zone)
        local = local.copy()
        local[w.aware] = conv
    return _as_us(local), gap, overlap


def _zone_notes(present: list[_When], zone: str | None, how: str, gaps: np.ndarray,
                overlaps: np.ndarray, row_id: np.ndarray, warnings: list[str],
                notes: list[str]) -> None:
    aware = np.zeros(len(row_id), bool)
    naive = np.zeros(len(row_id), bool)
    for w in present:
        ok = w.values.notna().to_numpy()
        aware |= ok & w.aware
        naive |= ok & ~w.aware
    if zone is not None:
        notes.append(f"time zone {zone} {how}")
    elif naive.any() and aware.any():
        warnings.append(
            f"mixed time zones: {int(aware.sum()):,} values carry a UTC offset and "
            f"{int(naive.sum()):,} do not (e.g. row_id {int(row_id[np.argmax(naive)])}); "
            "with no zone known the latter were read as UTC: pass tz= (the data's IANA "
            "zone)")
    elif naive.any():
        warnings.append(
            "times are naive local clock time and the time zone is unknown "
            f"({how}); pass tz= (the data's IANA zone, e.g. 'Europe/Madrid') for "
            "darkness or cross-city analyses")
    if zone is not None and aware.any() and naive.any():
        warnings.append(
            f"mixed time zones: {int(aware.sum()):,} values carry a UTC offset (converted "
            f"to {zone}) and {int(naive.sum()):,} do not (read as {zone} clock time; e.g. "
            f"row_id {int(row_id[np.argmax(naive)])})")
    for mask, what in ((gaps, "do not exist (the hour skipped when clocks spring forward); "
                        "read in the offset before the change, one hour later on the new "
                        "clock"),
                       (overlaps, "occur twice (the hour repeated when clocks fall back); "
                        "read as the first pass (daylight time)")):
        if mask.any():
            warnings.append(f"daylight saving: {int(mask.sum()):,} clock times {what} "
                            f"(e.g. row_id {int(row_id[np.argmax(mask)])})")


def _offset_check(w: _When, local: pd.Series, zone: str | None, col_role: str,
                  warnings: list[str]) -> None:
    """Flag offsets that look like local clock time labelled UTC.

    Placeholder midnights sit at local 00:00. When many values are at exactly 00:00 as
    written (UTC) but few at 00:00 on the local clock, the "+00" is most likely a
    label on local times (a known quirk of some portals).
    """
    if zone is None:
        return
    ok = w.aware & w.values.notna().to_numpy()
    if ok.sum() < 20:
        return
    utc = w.values.to_numpy()[ok]
    wall = _wall(local).astype("datetime64[us]")[ok]
    at_utc = int((utc == utc.astype("datetime64[D]")).sum())
    at_local = int((wall == wall.astype("datetime64[D]")).sum())
    if at_utc >= 5 and at_utc > 5 * max(at_local, 1) and at_utc / ok.sum() > 5 / 1440:
        warnings.append(
            f"the {col_role} values carry UTC offsets, but {at_utc:,} of them are at exactly "
            f"00:00 UTC and only {at_local:,} at 00:00 in {zone}: the offsets may be "
            "labels on local clock times. If so, remove them from the text and pass "
            f"tz='{zone}'")


def _add_period(s: pd.Series, res: np.ndarray) -> pd.Series:
    """Exclusive end of a date-only (+1 day) or month-only (+1 month) value."""
    out = s.copy()
    day = res == _RES_DATE
    if day.any():
        out[day] = s[day] + pd.Timedelta(days=1)
    month = res == _RES_MONTH
    if month.any():
        out[month] = s[month] + pd.DateOffset(months=1)
    return out


def _first_known(series: list[tuple[pd.Series | None, np.ndarray]], n: int
                 ) -> tuple[pd.Series | None, np.ndarray]:
    """occurred_at: the datetime column, else the start, else the end (row by row)."""
    at: pd.Series | None = None
    res_at = np.zeros(n, np.int8)
    for s_, res in series:
        if s_ is None:
            continue
        if at is None:
            at, res_at = s_.copy(), res.copy()
            continue
        fill = at.isna().to_numpy() & s_.notna().to_numpy()
        if fill.any():
            at = at.where(~fill, s_)
            res_at[fill] = res[fill]
    return at, res_at


def _windows(frm: pd.Series | None, to: pd.Series | None, end: _When | None,
             row_id: np.ndarray, warnings: list[str]
             ) -> tuple[pd.Series | None, pd.Series | None, np.ndarray]:
    """Check start/end windows; returns (from, to, rows with a real window)."""
    n = len(row_id)
    window = np.zeros(n, bool)
    if frm is None or to is None:
        return frm, to, window
    both = frm.notna().to_numpy() & to.notna().to_numpy()
    before = np.zeros(n, bool)
    if both.any():
        # `to` is already the exclusive end of a date-/month-only end (+1 day/month),
        # so such an end lies before its start when that exclusive end is at or before
        # the start (FROM 2019-01-09, TO 2019-01-08 -> to == from); a date-time end
        # only when strictly before.
        coarse = (end.res != _RES_DATETIME) if end is not None else np.zeros(n, bool)
        t_, f_ = to[both], frm[both]
        before[both] = ((t_ < f_).to_numpy(dtype=bool)
                        | (coarse[both] & (t_ <= f_).to_numpy(dtype=bool)))
    if before.any():
        k = int(before.sum())
        warnings.append(
            f"window_end_before_start: {k:,} rows have an end before their start "
            f"(first row_id {int(row_id[np.argmax(before)])}); kept with their start "
            "time, occurred_to set to missing")
        to = to.where(~before)
    window = both & ~before
    if window.any():
        window[window] = (to[window] > frm[window]).to_numpy(dtype=bool)
    return frm, to, window


def _wall(s: pd.Series) -> np.ndarray:
    """Local clock time as naive datetime64[us] values."""
    return (s.dt.tz_localize(None) if getattr(s.dtype, "tz", None) else s).to_numpy()


def _quality(at: pd.Series, res_at: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Return time_quality codes.

    exact 0, midnight 1, date_only 2, month_only 3, window 4, missing 5.
    """
    at_ok = at.notna().to_numpy()
    v = _wall(at)
    midnight = at_ok & (v == v.astype("datetime64[D]"))
    q = np.zeros(len(at), np.int8)
    q[midnight] = 1
    q[at_ok & (res_at == _RES_DATE)] = 2
    q[window] = 4
    q[at_ok & (res_at == _RES_MONTH)] = 3
    q[~at_ok] = 5
    return q


def _one_clock_warning(at: pd.Series, q: np.ndarray, warnings: list[str]) -> None:
    """Warn when most clock times (other than midnight) are one time of day."""
    timed = (q == 0)
    if timed.sum() < 20:
        return
    v = _wall(at)[timed]
    minute = ((v - v.astype("datetime64[D]")).astype("timedelta64[m]").astype(np.int64))
    vals, counts = np.unique(minute, return_counts=True)
    top = int(np.argmax(counts))
    share = counts[top] / timed.sum()
    if share > 0.5:
        m = int(vals[top])
        warnings.append(
            f"{int(counts[top]):,} of {int(timed.sum()):,} timed rows ({share:.0%}) are at "
            f"{m // 60:02d}:{m % 60:02d}: most times share one clock time, likely a "
            "placeholder or a date written as a time; pass time=/hour= if another column "
            "holds the time of day")


# --------------------------------------------------------------------------------------
# Step 4: implausible and stray dates, the requested period
# --------------------------------------------------------------------------------------
EARLIEST_DATE = pd.Timestamp("1900-01-01")
"""Dates before this are dropped as ``implausible_date`` (as are dates after tomorrow)."""

STRAY_GAP = pd.Timedelta(days=365)
"""A date more than this before (or after) the data period is stray (warned about)."""


def _failed(present: list[_When], n: int) -> np.ndarray:
    failed = np.zeros(n, bool)
    for w in present:
        failed |= w.failed
    return failed


def _implausible(series: list[pd.Series | None], n: int) -> np.ndarray:
    """Rows with a date before 1900-01-01 or after today + 1 day (local clock)."""
    lo = EARLIEST_DATE.to_datetime64()
    hi = (pd.Timestamp.now().normalize() + pd.Timedelta(days=2)).to_datetime64()
    bad = np.zeros(n, bool)
    for s in series:
        if s is None:
            continue
        v = _wall(s)
        ok = ~np.isnat(v)
        bad |= ok & ((v < lo) | (v >= hi))
    return bad


def _stray_warning(at: pd.Series, keep: np.ndarray, row_id: np.ndarray,
                   warnings: list[str]) -> None:
    """Warn about dates far outside the bulk of the data.

    The rule: more than :data:`STRAY_GAP` (a year) before the start or after the end of
    the data period (:func:`hotspot._core.time.data_period`, the 1-99 % quantile span
    of the dates widened to the whole period). They are kept; ``period=`` drops them.
    """
    ok = keep & at.notna().to_numpy()
    if ok.sum() < 20:
        return
    lo, hi = data_period(at[ok])
    v = _wall(at)
    for mask, side, edge in ((ok & (at < lo - STRAY_GAP).to_numpy(dtype=bool), "before", lo),
                             (ok & (at > hi + STRAY_GAP).to_numpy(dtype=bool), "after", hi)):
        if not mask.any():
            continue
        first = int(np.argmax(mask))
        ex = pd.Timestamp(v[first]).strftime("%Y-%m-%d %H:%M")
        warnings.append(
            f"stray dates: {int(mask.sum()):,} rows are more than a year {side} the bulk of "
            f"the data (which {'starts' if side == 'before' else 'ends'} {edge:%Y-%m-%d}; "
            f"e.g. row_id {int(row_id[first])} at {ex}); kept: check them, or pass "
            "period=(start, end) to drop rows outside the period you study")


def _period_bounds(period: Any, zone: str | None) -> tuple[Any, Any]:
    """Turn ``period=(start, end)`` into timestamps in the incidents' zone.

    Each end goes through :func:`hotspot._core.time.to_local`; a date-only end
    includes that whole day; either may be None (open).
    """
    if isinstance(period, (str, bytes)) or not isinstance(period, (tuple, list)) or len(
            period) != 2:
        msg = ("`period` must be a (start, end) pair of dates, e.g. "
               f"period=('2019-01-01', '2019-12-31'); got {period!r}.")
        raise InvalidInputError(msg)
    lo = None if period[0] is None else to_local(period[0], zone, "period")
    hi = None if period[1] is None else to_local(period[1], zone, "period")
    if hi is not None and hi == hi.normalize():
        hi = hi + pd.Timedelta(days=1)
    if lo is not None and hi is not None and hi <= lo:
        msg = f"`period={tuple(period)!r}` ends before it starts: pass (start, end)."
        raise InvalidInputError(msg)
    return lo, hi


def _outside_period(period: Any, zone: str | None, at: pd.Series, to: pd.Series | None,
                    q: np.ndarray) -> np.ndarray:
    """Rows whose time lies wholly before ``start`` or at/after ``end``.

    A row's time is the instant ``occurred_at``, or for date-only, month-only and window
    rows the span from ``occurred_at`` (or ``occurred_from``) to its exclusive end.
    Rows with no time are kept.
    """
    start, end = _period_bounds(period, zone)
    n = len(at)
    ok = at.notna().to_numpy()
    hi = at.copy()
    if to is not None:
        spans = ok & np.isin(q, (2, 3, 4)) & to.notna().to_numpy()
        hi = hi.where(~spans, to)
    day = ok & (q == 2) & ~(hi > at).to_numpy(dtype=bool)
    if day.any():
        hi = hi.where(~day, at + pd.Timedelta(days=1))
    point = ~(hi > at).to_numpy(dtype=bool)
    out = np.zeros(n, bool)
    if start is not None:
        out |= ok & np.where(point, (at < start).to_numpy(dtype=bool),
                             (hi <= start).to_numpy(dtype=bool))
    if end is not None:
        out |= ok & (at >= end).to_numpy(dtype=bool)
    return out


# --------------------------------------------------------------------------------------
# All steps
# --------------------------------------------------------------------------------------
def _finish_times(parsed: _Parsed, tz: str | None, schema: str | None,
                  cells: tuple[np.ndarray, ...] | None, row_id: np.ndarray,
                  period: Any = None) -> _Times:
    """Run steps 2-4: zone, occurred_at/from/to, quality, implausible and stray dates."""
    n = len(row_id)
    warnings, notes = list(parsed.warnings), list(parsed.notes)
    whens = (parsed.main, parsed.start, parsed.end)
    present = [w for w in whens if w is not None]
    implausible = _implausible([w.values for w in present], n) & ~_failed(present, n)
    for w in present:  # out of every zone's range: keep them out of the conversion
        w.values = w.values.where(~implausible)
    zone, how = None, ""
    if any(w.values.notna().any() for w in present):
        zone, how = _choose_zone(tz, schema, cells, warnings)
    gaps, overlaps = np.zeros(n, bool), np.zeros(n, bool)
    local: list[pd.Series | None] = []
    for w, role in zip(whens, ("datetime", "start", "end"), strict=True):
        if w is None:
            local.append(None)
            continue
        s, g, o = _apply_zone(w, zone)
        _offset_check(w, s, zone, role, warnings)
        local.append(s)
        gaps |= g
        overlaps |= o
    _zone_notes(present, zone, how, gaps, overlaps, row_id, warnings, notes)
    at_main, frm, end_raw = local
    end = parsed.end
    to = None if end_raw is None or end is None else _as_us(_add_period(end_raw, end.res))
    at, res_at = _first_known([(at_main, None if parsed.main is None else parsed.main.res),
                               (frm, None if parsed.start is None else parsed.start.res),
                               (end_raw, None if end is None else end.res)], n)
    if at is None:
        at = _nat(pd.RangeIndex(n))
        if zone is not None:
            at = at.dt.tz_localize(zone)
        notes.append("no date/time column found: occurred_at is missing (pass datetime= "
                     "or start=/end=)")
    at_ok = at.notna().to_numpy()
    month = at_ok & (res_at == _RES_MONTH)
    if month.any() and frm is None:
        # month-only values carry their month as a window (for aoristic methods)
        frm = at.where(month)
        to = _as_us(_add_period(at, np.where(month, _RES_MONTH, _RES_DATETIME)).where(month))
        notes.append(f"{int(month.sum()):,} month-only times: occurred_from/occurred_to "
                     "span the month")
    if frm is not None and to is None:
        to = frm.where(np.zeros(n, bool))
    if to is not None and frm is None:
        frm = to.where(np.zeros(n, bool))
    frm, to, window = _windows(frm, to, end, row_id, warnings)
    q = _quality(at, res_at, window)
    failed = _failed(present, n)
    if implausible.any():
        first = int(np.argmax(implausible))
        notes.append(f"implausible_date: {int(implausible.sum()):,} rows dated before "
                     f"{EARLIEST_DATE:%Y-%m-%d} or after tomorrow were dropped (e.g. row_id "
                     f"{int(row_id[first])})")
    _stray_warning(at, ~failed & ~implausible, row_id, warnings)
    outside = np.zeros(n, bool)
    if period is not None:
        outside = _outside_period(period, zone, at, to, q)
    _one_clock_warning(at, np.where(failed | implausible, 5, q), warnings)
    timed = np.isin(q, (0, 1))
    v = _wall(at)[timed]
    hourly = timed.any() and bool(np.all(v == v.astype("datetime64[h]")))
    return _Times(_as_us(at), frm, to, q, failed, parsed.fails.code, parsed.fails.names,
                  warnings, notes, implausible, outside, zone, how, 24 if hourly else 1440)
