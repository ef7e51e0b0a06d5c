"""Parsing date and time text: formats, epochs, two-digit years, times of day, parts.

One column at a time, vectorized (:func:`_parse_dates`): explicit formats tried on a
spread sample, day/month order decided from every distinct value
(:func:`_day_month_order`), two-digit years on a sliding pivot
(:func:`_pivot_two_digit_years`), epoch numbers by magnitude, a date column whose rows
all carry one clock time read as dates (:func:`_as_dates`), time-of-day or
hour-of-day columns combined with their date (:func:`_with_time`, :func:`_with_hour`;
hour 0 read as a placeholder or not by :func:`_hour_zero`) and year/month/day/hour/minute
columns (:func:`_parse_parts`). Values are local clock
time, or UTC instants where the data carried an offset; the zone is applied later
(:mod:`hotspot.ingest.time_zones`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from hotspot.ingest.columns import _SAMPLE, _to_float, _tokens
from hotspot.ingest.rules import decide

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


def _numeric_date_formats() -> list[tuple[str, int | None]]:
    """Day/month/year in either order, any of ``/ - .``, 2- or 4-digit years, +- a time.

    Exports from New Zealand, Australia or Europe write ``03/02/21 14:35``,
    ``15-01-2022 23:10`` or ``15.01.22``: every such combination is a format.
    """
    out = []
    for sep in "/-.":
        for dm in (f"%d{sep}%m", f"%m{sep}%d"):
            for year in ("%Y", "%y"):
                for clock, res in (("", 1), (" %H:%M", 0), (" %H:%M:%S", 0),
                                   (" %I:%M %p", 0), (" %I:%M:%S %p", 0)):
                    out.append((f"{dm}{sep}{year}{clock}", res))
    return out


_MONTH_NAME_FORMATS: list[tuple[str, int | None]] = [
    ("%d-%b-%Y %H:%M", 0), ("%d-%b-%y %H:%M:%S", 0), ("%d-%b-%Y %I:%M %p", 0),
    ("%d-%b-%Y %I:%M:%S %p", 0), ("%d %b %Y %H:%M:%S", 0), ("%d %B %Y %H:%M", 0),
    ("%d %B %Y %H:%M:%S", 0), ("%d/%b/%Y", 1), ("%d/%b/%Y %H:%M", 0), ("%B %d, %Y %I:%M %p", 0),
]
# Appended after the formats above, so that their order of preference is unchanged.
_DATE_FORMATS += [f for f in _numeric_date_formats() + _MONTH_NAME_FORMATS
                  if f[0] not in {g for g, _ in _DATE_FORMATS}]
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
    real_midnight: np.ndarray | None = None  # rows at 00:00 that are a real time (hour 0)
    hour_zero: tuple[bool, str] | None = None  # hour 0 of an hour column: placeholder? why
    one_clock: _OneClock | None = None  # a constant clock time read as dates, to verify


@dataclass
class _OneClock:
    """A column whose every time was one clock time, read as dates before the zone is known.

    Kept so that :func:`hotspot.ingest.times._verify_one_clock` can check, once the zone
    is known, that the time is local midnight written in UTC, and restore the times
    (``values``, ``aware``) when it is not.
    """

    minutes: tuple[int, ...]  # the clock time(s), minutes after 00:00 as written
    values: pd.Series
    aware: np.ndarray
    col: Any
    note: str


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


def _clock_minutes(w: _When) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows with a date and time, their days and their distinct clock times (minutes)."""
    ok = ~w.empty & ~w.failed & (w.res == _RES_DATETIME)
    v = w.values.to_numpy()[ok]
    day = v.astype("datetime64[D]")
    return ok, day, np.unique((v - day).astype("timedelta64[m]").astype(np.int64))


def _is_one_clock_time(w: _When, col: Any = None) -> bool:
    """Tell whether a date column carries one clock time on every row: then dates.

    00:00 on every row (as written, with or without an offset: dates, some with a
    spurious "Z"), or local midnight written in UTC (``2014-03-02 05:00:00+00``) or
    another offset, is ``date_only``: :func:`_as_dates` makes each value the calendar
    date of the nearest midnight (05:00 is that day, 23:00 the next). Two times exactly
    one hour apart (local midnight through daylight saving, written in UTC) count as
    one. Needs every row at naive midnight (two rows or more), or at least 10 rows on 3
    or more days otherwise. A time other than 00:00 is checked once the zone is known
    (:func:`hotspot.ingest.times._verify_one_clock`): it stays a date only where it is
    local midnight in that zone written in UTC; otherwise the times are kept and a
    warning names the time.
    """
    ok = ~w.empty & ~w.failed & (w.res == _RES_DATETIME)
    if w.how.startswith("epoch") or int(ok.sum()) < 2 or ok.sum() < (~w.empty & ~w.failed).sum():
        return False
    ok, day, tod = _clock_minutes(w)
    hour = 60
    one = tod.size == 1 or (tod.size == 2 and min(tod[1] - tod[0],
                                                  1440 - (tod[1] - tod[0])) == hour)
    if not one:
        return False
    naive_midnight = tod.size == 1 and tod[0] == 0 and not w.aware[ok].any()
    return naive_midnight or (ok.sum() >= 10 and np.unique(day).size >= 3)


def _as_dates(w: _When, col: Any) -> tuple[_When, str | None]:
    """Read the date-times of a one-clock-time column as the date of the nearest midnight."""
    ok, _, tod = _clock_minutes(w)
    if not ok.any():
        return w, None
    v = w.values.to_numpy()[ok]
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
    midnight = tod.size == 1 and tod[0] == 0  # 00:00 as written: the dates written
    check = None if midnight else _OneClock(tuple(int(m) for m in tod), w.values,
                                                  w.aware, col, note)
    return _When(values, aware, w.empty, w.failed, res, w.how, w.order,
                 one_clock=check), note


def _is_first_of_month(w: _When, col: Any) -> bool:
    """Tell whether dates that all fall on the 1st of a month are months (``month_only``).

    Monthly exports (police.uk re-shared as ``2022-01-01``) write each month as its
    first day. The rule: every parsed value is a date on day 1, and the column is
    named like a month or holds 20 rows or more over 2 months or more.
    """
    ok = ~w.empty & ~w.failed
    if not ok.any() or not np.all(w.res[ok] == _RES_DATE):
        return False
    v = w.values.to_numpy()[ok]
    months = v.astype("datetime64[M]")
    if not np.all(v == months.astype(v.dtype)):
        return False
    named = bool(_tokens(col) & {"month", "mon", "mth", "yearmonth"})
    return named or (ok.sum() >= 20 and np.unique(months).size >= 2)


def _as_months(w: _When, col: Any) -> tuple[_When, str | None]:
    """Read the dates (first days) of a column as months (``month_only``)."""
    ok = ~w.empty & ~w.failed & (w.res == _RES_DATE)
    v = w.values.to_numpy()
    ok &= v == v.astype("datetime64[M]").astype(v.dtype)  # NaT rows are not ok already
    if not ok.any():
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


HOUR0_PLACEHOLDER_RATIO = 2.0
"""Hour 0 of an hour-of-day column is a placeholder when it holds more than this many
times the mean count of its neighbours, hours 23 and 1 (and at least
:data:`HOUR0_PLACEHOLDER_MIN` rows)."""
HOUR0_PLACEHOLDER_MIN = 10


def _hour_zero(hours: np.ndarray) -> tuple[bool, str]:
    """Decide from the data whether hour 0 of an hour column is a placeholder.

    In a full timestamp, 00:00 is where records systems put an unknown time, so it is
    labelled ``midnight`` and left out of time-of-day work. In an hour column 0 is
    usually just the hour 00:00-00:59: it is a placeholder only when its count is far
    above the neighbouring hours, more than :data:`HOUR0_PLACEHOLDER_RATIO` times the
    mean of hours 23 and 1 and at least :data:`HOUR0_PLACEHOLDER_MIN` rows (crime
    counts change little from one night hour to the next). Returns the decision and
    the sentence that reports it.

    Examples
    --------
    >>> _hour_zero(np.r_[np.zeros(12), np.full(10, 23), np.full(11, 1)])[0]
    False
    >>> _hour_zero(np.r_[np.zeros(60), np.full(10, 23), np.full(11, 1)])[0]
    True
    """
    counts = np.bincount(hours[(hours >= 0) & (hours <= 23)].astype(np.int64), minlength=24)
    c0, around = int(counts[0]), (counts[23] + counts[1]) / 2.0
    if c0 == 0:
        return False, ""
    placeholder = c0 >= HOUR0_PLACEHOLDER_MIN and c0 > HOUR0_PLACEHOLDER_RATIO * around
    ratio = f"{c0 / around:.1f} times" if around else "no rows at"
    if placeholder:
        return True, (f"hour 0 holds {c0:,} rows, {ratio} the mean of hours 23 and 1: "
                      "read as a possible placeholder (time_quality 'midnight', left out "
                      "of time-of-day work)")
    return False, (f"hour 0 ({c0:,} rows, {ratio} the mean of hours 23 and 1) read as "
                   "the hour 00:00-00:59, not a placeholder")


def _hours_only(v: np.ndarray) -> bool:
    """Tell whether values are whole numbers 0-23 (an hour of day, not HHMM)."""
    return v.size > 0 and bool(np.all((v >= 0) & (v <= 23) & (v == np.floor(v))))


def _time_form(s: pd.Series) -> str:
    """Tell how a time-of-day column writes its times.

    ``"fraction"`` (of a day: numbers all in [0, 1)), ``"hours"`` (whole numbers all
    0-23, or all-digit text of them), ``"hhmm"`` (other numbers) or ``"text"`` (text
    and date-times).
    """
    if ptypes.is_datetime64_any_dtype(s):
        return "text"
    if ptypes.is_numeric_dtype(s) and not ptypes.is_bool_dtype(s):
        v = s.to_numpy(dtype=float, na_value=np.nan)
        v = v[np.isfinite(v)]
        if v.size and np.all((v >= 0) & (v < 1)):
            return "fraction"
        return "hours" if _hours_only(v) else "hhmm"
    txt = s.astype("string").str.strip()
    empty = s.isna().to_numpy() | (txt == "").fillna(True).to_numpy(dtype=bool)
    digits = txt.str.fullmatch(r"\d{1,4}").fillna(False).to_numpy(dtype=bool)
    if (~empty).any() and np.all(digits[~empty]):
        num = pd.to_numeric(txt.where(~empty), errors="coerce").to_numpy(float)
        if _hours_only(num[~empty]):
            return "hours"
    return "text"


def _parse_time_of_day(s: pd.Series, form: str | None = None
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seconds since midnight, empty mask, failed mask for a time-of-day column.

    Whole numbers that are all 0-23 are hours of the day (``occurrencehour``), not
    HHMM; other numbers are HHMM (``2130``) or fractions of a day. ``form``: how the
    column writes its times (:func:`_time_form`; None: decided from ``s``).
    """
    form = _time_form(s) if form is None else form
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
        if form == "fraction":  # fraction of a day
            day = ok & (v >= 0) & (v < 1)
            secs[day] = np.round(v[day] * 86400.0)
        elif form == "hours":
            hour = ok & (v >= 0) & (v <= 23) & (v == np.floor(v))
            secs[hour] = v[hour] * 3600.0
        else:  # HHMM integers (LAPD "TIME OCC": 2130, 5 = 00:05)
            hh, mm = np.floor_divide(v, 100), np.mod(v, 100)
            good = ok & (v == np.floor(v)) & (hh >= 0) & (hh < 24) & (mm < 60)
            secs[good] = hh[good] * 3600 + mm[good] * 60
        return secs, empty, ~empty & np.isnan(secs)
    isna = s.isna().to_numpy()
    txt = s.astype("string").str.strip()
    empty = isna | (txt == "").fillna(True).to_numpy(dtype=bool)
    digits = txt.str.fullmatch(r"\d{1,4}").fillna(False).to_numpy(dtype=bool)
    if form == "hours":
        num = pd.to_numeric(txt.where(~empty & digits), errors="coerce").to_numpy(float)
        hour = (num >= 0) & (num <= 23) & (num == np.floor(num))
        return np.where(hour, num * 3600.0, np.nan), empty, ~empty & ~hour
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


def _with_time(when: _When, s: pd.Series, form: str | None = None) -> _When:
    """Combine a date column with a time-of-day (or hour-of-day) column.

    The result is local clock time (naive): the date's calendar day plus the time.
    ``form``: as for :func:`_parse_time_of_day`.
    """
    secs, _, t_failed = _parse_time_of_day(s, form)
    has = ~np.isnan(secs)
    res = when.res.copy()
    date_ok = ~when.empty & ~when.failed
    res[date_ok & has & (res == _RES_DATE)] = _RES_DATETIME
    res[date_ok & ~has & (res == _RES_DATETIME)] = _RES_DATE
    failed = when.failed | (date_ok & t_failed)
    used = date_ok & has
    real, how = None, ""
    if (form or _time_form(s)) == "hours":  # whole numbers 0-23: an hour column
        real, how = _real_hour_zero(secs / 3600.0, used, s.name)
    return _When(_at_clock(when, secs, has), np.zeros(len(s), bool), when.empty, failed, res,
                 when.how + " + time column" + how, when.order, real_midnight=real,
                 hour_zero=_hour_zero_choice(real, how))


def _with_hour(when: _When, s: pd.Series) -> _When:
    """Add an hour-of-day column (whole numbers 0-23) to a date-only column."""
    v, _, _ = _to_float(s)
    has = np.isfinite(v) & (v >= 0) & (v <= 23) & (v == np.floor(v))
    res = when.res.copy()
    used = has & ~when.empty & ~when.failed
    res[used] = _RES_DATETIME
    real, how = _real_hour_zero(v, used, s.name)
    return _When(_at_clock(when, v * 3600.0, has), when.aware & ~has, when.empty,
                 when.failed, res, when.how + " + hour column" + how, when.order,
                 real_midnight=real, hour_zero=_hour_zero_choice(real, how))


def _real_hour_zero(hours: np.ndarray, used: np.ndarray, col: Any
                    ) -> tuple[np.ndarray, str]:
    """Rows at hour 0 that are a real time (:func:`_hour_zero`), and the words for it.

    The decision is one of the reader's (:func:`hotspot.ingest.rules.decide`), so a
    dataset read in pieces decides it once.
    """
    placeholder, why = decide(f"hour_zero_placeholder:{col}",
                              lambda: _hour_zero(hours[used]))
    real = used & (hours == 0) & (not placeholder)
    return real, f" ({why})" if why else ""


def _hour_zero_choice(real: np.ndarray | None, how: str) -> tuple[bool, str] | None:
    """Return the hour-0 decision for a column's ``hour_zero`` (None: no hour 0)."""
    if real is None or not how:
        return None
    return "possible placeholder" in how, how.strip()[1:-1]


# --------------------------------------------------------------------------------------
# Year/month/day/hour/minute columns
# --------------------------------------------------------------------------------------
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
    how, real = "year/month/day/hour/minute columns", None
    if "hour" in parts:
        res[np.isnan(parts["hour"])] = _RES_DATE
        if "minute" not in parts:  # with minutes, 00:00 is read as in a timestamp
            used = ~np.isnan(parts["hour"]) & ~empty & ~failed
            real, why = _real_hour_zero(parts["hour"], used, part_cols["hour"])
            how += why
    return _When(values, np.zeros(n, bool), empty, failed, res, how, real_midnight=real,
                 hour_zero=_hour_zero_choice(real, how[how.find(" ("):] if " (" in how
                                             else ""))


def _wall(s: pd.Series) -> np.ndarray:
    """Local clock time as naive datetime64[us] values."""
    return (s.dt.tz_localize(None) if getattr(s.dtype, "tz", None) else s).to_numpy()
