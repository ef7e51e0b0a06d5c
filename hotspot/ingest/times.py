"""Date and time parsing for incident exports: formats, epochs, parts, windows and zones."""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from hotspot._core.meta import note_choice
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
# Preferred day/month order of ambiguous text dates (read_incidents(dayfirst=)): None =
# the table order above (US month-first before day-first); True/False move the formats
# of that order ahead, so that ties go to it and it is tried first.
DAYFIRST: ContextVar[bool | None] = ContextVar("hotspot_dayfirst", default=None)


def _against_order(fmt: str, dayfirst: bool | None) -> bool:
    """Return True when ``fmt`` reads day and month in the order *not* preferred."""
    if dayfirst is None:
        return False
    if dayfirst:
        return fmt.startswith("%m/%d")
    return fmt.startswith(("%d/%m", "%d.%m"))


def day_order(how: str) -> bool | None:
    """Day/month order of the formats named in a "read as" note, or None if unambiguous.

    Examples
    --------
    >>> day_order("text, format %d/%m/%Y %H:%M")
    True
    >>> day_order("text, format %Y-%m-%d") is None
    True
    """
    fmts = re.findall(r"%[dm][/.]%[dm]", how)
    if not fmts:
        return None
    return fmts[0].startswith("%d")


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
@dataclass
class _When:
    values: pd.Series  # datetime64 (naive or aware), NaT where empty or failed
    empty: np.ndarray
    failed: np.ndarray
    res: np.ndarray  # int8 resolution per row
    how: str


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
    ISO 8601, ``%z`` and ``%f`` formats use pandas.
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
    return out


def _as_us(s: pd.Series) -> pd.Series:
    tz = getattr(s.dtype, "tz", None)
    try:
        return s.astype(f"datetime64[us, {tz}]" if tz is not None else "datetime64[us]")
    except (TypeError, ValueError):  # pragma: no cover - defensive
        return s


def _merge_into(base: pd.Series, part: pd.Series, idx: np.ndarray) -> pd.Series:
    """Fill ``base`` at positions ``idx`` with ``part`` (aligned positionally)."""
    btz = getattr(base.dtype, "tz", None)
    ptz = getattr(part.dtype, "tz", None)
    if btz is None and ptz is not None:
        part = part.dt.tz_localize(None)
    elif btz is not None and ptz is None:
        part = _localize(part, btz)
    elif btz is not None and ptz is not None:
        part = part.dt.tz_convert(btz)
    out = _as_us(base).copy()
    out.iloc[idx] = _as_us(part).to_numpy() if btz is None else _as_us(part).array
    return out


def _iso_res(txt: pd.Series) -> np.ndarray:
    has_time = txt.str.contains(r"\d:\d", regex=True).fillna(False).to_numpy(dtype=bool)
    month = txt.str.fullmatch(r"\d{4}-\d{1,2}").fillna(False).to_numpy(dtype=bool)
    return np.where(month, _RES_MONTH, np.where(has_time, _RES_DATETIME, _RES_DATE)).astype(
        np.int8)


def _parse_text_dates(txt: pd.Series, empty: np.ndarray) -> _When:
    n = len(txt)
    nonempty = txt[~empty]
    step = max(1, len(nonempty) // (4 * _SAMPLE))
    sample = pd.Series(nonempty.iloc[::step].unique()[:_SAMPLE], dtype="string")
    scores = []
    pref = DAYFIRST.get()
    order = sorted(_plausible(sample, _DATE_RES),
                   key=lambda i: _against_order(_DATE_FORMATS[i][0], pref))
    for rank, i in enumerate(order):
        fmt = _DATE_FORMATS[i][0]
        parsed = _try_format(sample, fmt)
        k = 0 if parsed is None else int(parsed.notna().sum())
        if k:
            scores.append((-k, rank, i))
        if k == len(sample):
            break
    scores.sort()
    values = pd.Series(pd.NaT, index=txt.index, dtype="datetime64[us]")
    res = np.full(n, _RES_DATETIME, dtype=np.int8)
    todo = ~empty
    used = []
    first = True
    for _, _, i in scores[:5]:
        if not todo.any():
            break
        fmt, r = _DATE_FORMATS[i]
        idx = np.flatnonzero(todo)
        sub = txt.iloc[idx]
        parsed = _try_format(sub, fmt)
        if parsed is None:
            continue
        got = parsed.notna().to_numpy()
        if not got.any():
            continue
        if first:
            values = _as_us(pd.Series(pd.NaT, index=txt.index, dtype=parsed.dtype))
            first = False
        values = _merge_into(values, parsed[got], idx[got])
        res[idx[got]] = _iso_res(sub[got]) if r is None else r
        todo[idx[got]] = False
        used.append(fmt)
    return _When(values, empty, todo, res, "text, format " + " then ".join(used or ["none"]))


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


def _parse_dates(s: pd.Series) -> _When:
    """Parse one date(-time) column, vectorized; never per-row Python parsing."""
    n = len(s)
    if ptypes.is_datetime64_any_dtype(s):
        values = _as_us(s)
        empty = values.isna().to_numpy()
        wall = values.dt.tz_localize(None) if getattr(values.dtype, "tz", None) else values
        v = wall.to_numpy()
        ok = ~empty
        all_midnight = ok.any() and bool(np.all(v[ok] == v[ok].astype("datetime64[D]")))
        res = np.full(n, _RES_DATE if all_midnight and ok.sum() > 1 else _RES_DATETIME,
                      dtype=np.int8)
        return _When(values, empty, np.zeros(n, bool), res, "date-times (typed by the file reader)")
    if ptypes.is_numeric_dtype(s) and not ptypes.is_bool_dtype(s):
        v = s.to_numpy(dtype=float, na_value=np.nan)
        empty = np.isnan(v)
        ok = ~empty & np.isfinite(v)
        if not ok.any():
            return _When(pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]"), empty,
                         ~empty, np.zeros(n, np.int8), "numbers")
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
            return _When(pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]"), empty,
                         ~empty, np.zeros(n, np.int8), "numbers (not epoch times)")
        with np.errstate(invalid="ignore"):
            values = pd.to_datetime(pd.Series(np.where(ok, v, np.nan), index=s.index),
                                    unit=unit, utc=True, errors="coerce")
        values = _as_us(values)
        failed = ~empty & values.isna().to_numpy()
        return _When(values, empty, failed, np.zeros(n, np.int8),
                     f"epoch {unit} (UTC)")
    if ptypes.is_bool_dtype(s):
        empty = s.isna().to_numpy()
        return _When(pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]"), empty,
                     ~empty, np.zeros(n, np.int8), "booleans")
    isna = s.isna().to_numpy()
    kind = ptypes.infer_dtype(s.dropna().head(_SAMPLE), skipna=True)
    if kind in ("datetime", "date", "datetime64"):
        try:
            values = _as_us(pd.to_datetime(s, errors="coerce", utc=False))
        except (ValueError, TypeError):
            values = _as_us(pd.to_datetime(s, errors="coerce", utc=True))
        failed = ~isna & values.isna().to_numpy()
        res = np.full(n, _RES_DATE if kind == "date" else _RES_DATETIME, dtype=np.int8)
        return _When(values, isna, failed, res, "date objects")
    txt = s.astype("string").str.strip()
    empty = isna | (txt == "").fillna(True).to_numpy(dtype=bool)
    if (~empty).any():
        # Epoch seconds/ms stored as text (JSON-derived frames): 10 or 13 digits, one
        # length for the whole column, are numbers; 8/14 digits stay YYYYMMDD[HHMMSS].
        lens = txt[~empty].str.len()
        if (bool(txt[~empty].str.fullmatch(r"\d+").all()) and lens.nunique() == 1
                and int(lens.iloc[0]) in (10, 13)):
            num = pd.to_numeric(txt.where(~empty), errors="coerce").astype(float)
            return _parse_dates(num)
    return _parse_text_dates(txt, empty)


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


def _parse_time_of_day(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seconds since midnight, empty mask, failed mask for a time-of-day column."""
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
        else:  # HHMM integers (LAPD "TIME OCC": 2130, 5 = 00:05)
            hh, mm = np.floor_divide(v, 100), np.mod(v, 100)
            good = ok & (v == np.floor(v)) & (hh >= 0) & (hh < 24) & (mm < 60)
            secs[good] = hh[good] * 3600 + mm[good] * 60
        return secs, empty, ~empty & np.isnan(secs)
    isna = s.isna().to_numpy()
    txt = s.astype("string").str.strip()
    empty = isna | (txt == "").fillna(True).to_numpy(dtype=bool)
    digits = txt.str.fullmatch(r"\d{1,4}").fillna(False).to_numpy(dtype=bool)
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


def _with_time(when: _When, s: pd.Series) -> _When:
    """Combine a date column with a time-of-day column."""
    secs, _, t_failed = _parse_time_of_day(s)
    values = when.values
    tz = getattr(values.dtype, "tz", None)
    wall = values.dt.tz_localize(None) if tz is not None else values
    has = ~np.isnan(secs)
    combined = wall.dt.normalize() + pd.to_timedelta(np.where(has, secs, 0.0), unit="s")
    if tz is not None:
        combined = _localize(combined, tz)
    res = when.res.copy()
    date_ok = ~when.empty & ~when.failed
    res[date_ok & has & (res == _RES_DATE)] = _RES_DATETIME
    res[date_ok & ~has & (res == _RES_DATETIME)] = _RES_DATE
    failed = when.failed | (date_ok & t_failed)
    return _When(_as_us(combined), when.empty, failed, res, when.how + " + time column")


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


def _companion_hour(cols: _Columns, date_col: Any) -> Any:
    """Find an hour-of-day column (0-23) for a date-only column."""
    toks = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(date_col)).lower()
    cands = [toks.replace("date", "hour")] if "date" in toks else []
    cands += _PARTS["hour"] + ["hour_"]

    def hours(c: Any) -> bool:
        v, _, inv = _to_float(cols.frame[c].head(_SAMPLE))
        v = v[np.isfinite(v)]
        return v.size > 0 and not inv.any() and bool(np.all((v >= 0) & (v <= 23)
                                                            & (v == np.floor(v))))

    return cols.find(cands, hours)


def _with_hour(when: _When, s: pd.Series) -> _When:
    """Add an hour-of-day column (0-23) to a date-only column."""
    v, _, _ = _to_float(s)
    has = np.isfinite(v) & (v >= 0) & (v <= 23)
    values = when.values
    tz = getattr(values.dtype, "tz", None)
    wall = values.dt.tz_localize(None) if tz is not None else values
    combined = wall + pd.to_timedelta(np.where(has, v, 0.0), unit="h")
    if tz is not None:
        combined = _localize(combined, tz)
    res = when.res.copy()
    res[has & ~when.empty & ~when.failed] = _RES_DATETIME
    return _When(_as_us(combined), when.empty, when.failed, res, when.how + " + hour column")


def _companion_end(cols: _Columns, start_col: Any) -> Any:
    toks = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(start_col)).lower()
    cands = []
    for a, b in (("from", "to"), ("_fr_", "_to_"), ("first", "last"), ("start", "end"),
                 ("begin", "end"), ("earliest", "latest"), ("created", "completed"),
                 ("created", "closed"), ("opened", "closed")):
        if a in toks:
            cands.append(toks.replace(a, b))
    return cols.find(cands) if cands else None


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
    return _When(values, empty, failed, res, "year/month/day/hour/minute columns")


def _localize(s: pd.Series, tz: Any) -> pd.Series:
    if tz is None:
        return s
    if getattr(s.dtype, "tz", None) is not None:
        return s.dt.tz_convert(tz)
    return s.dt.tz_localize(tz, ambiguous=np.zeros(len(s), bool), nonexistent="shift_forward")


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


def _resolve_times(frame: pd.DataFrame, cols: _Columns, args: dict[str, Any],
                   schema: str | None, detected: dict[str, str], choices: dict[str, Any],
                   row_id: np.ndarray) -> _Times:
    n = len(frame)
    warnings: list[str] = []
    notes: list[str] = []
    failed_code = np.full(n, -1, dtype=np.int16)
    failed_names: list[Any] = []

    def blame(mask: np.ndarray, col: Any) -> None:
        if mask.any():
            failed_names.append(col)
            failed_code[mask & (failed_code < 0)] = len(failed_names) - 1

    def dates_ok(c: Any) -> bool:
        return _date_share(frame[c]) >= 0.5

    dt_col = cols.user(args["datetime"], "datetime") if args["datetime"] is not None else None
    st_col = cols.user(args["start"], "start") if args["start"] is not None else None
    en_col = cols.user(args["end"], "end") if args["end"] is not None else None
    auto = dt_col is None and st_col is None and en_col is None
    if auto:
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
        if dt_col is None and st_col is None:
            named = cols.find(_START + _DATETIME)
            if named is not None:
                warnings.append(
                    f"column {named!r} is named like a date but its values are not dates "
                    f"in a supported format, so it was not used; pass datetime={named!r} to "
                    "force it (rows that do not parse are then dropped as unparseable_time)"
                )
    for role, c in (("datetime", dt_col), ("start", st_col), ("end", en_col)):
        if c is not None:
            cols.used.add(c)
            detected[role] = str(c)
            if auto:
                note_choice(choices, role, str(c), "detected from the column name")

    def parse(col: Any, role: str, time_role: str) -> _When:
        w = _parse_dates(frame[col])
        date_failed = w.failed.copy()
        tcol = _companion_time(cols, col)
        if tcol is None and role == "datetime" and auto:
            tcol = cols.find(_TIME, lambda c: _time_share(frame[c]) >= 0.5)
        if tcol is not None and w.values.notna().any():
            cols.used.add(tcol)
            detected[time_role] = str(tcol)
            if auto:
                note_choice(choices, time_role, str(tcol), "time column next to " + str(col))
            w = _with_time(w, frame[tcol])
        elif w.values.notna().any() and bool(np.all(w.res[~w.empty & ~w.failed] == _RES_DATE)):
            hcol = _companion_hour(cols, col) if auto or role != "datetime" else None
            if hcol is not None:
                cols.used.add(hcol)
                hrole = "hour" if role == "datetime" else f"{role}_hour"
                detected[hrole] = str(hcol)
                note_choice(choices, hrole, str(hcol), "hour column next to " + str(col))
                w = _with_hour(w, frame[hcol])
        blame(date_failed, col)
        blame(w.failed & ~date_failed, tcol)
        notes.append(f"{role} column {col!r} read as {w.how}")
        return w

    main = parse(dt_col, "datetime", "time") if dt_col is not None else None
    start = parse(st_col, "start", "start_time") if st_col is not None else None
    end = parse(en_col, "end", "end_time") if en_col is not None else None
    if main is None and start is None and end is None and auto:
        part_cols = {r: cols.find(c, lambda c: _numeric_share(frame[c]) >= 0.9)
                     for r, c in _PARTS.items()}
        part_cols = {r: c for r, c in part_cols.items() if c is not None}
        if "year" in part_cols and "month" in part_cols:
            for r, c in part_cols.items():
                cols.used.add(c)
                detected[r] = str(c)
                note_choice(choices, r, str(c), "date/time part detected from the column name")
            main = _parse_parts(frame, part_cols)
            blame(main.failed, part_cols["year"])
            notes.append("date/time built from " + ", ".join(map(str, part_cols.values())))
    present = [w for w in (main, start, end) if w is not None]
    failed = np.zeros(n, bool)
    for w in present:
        failed |= w.failed

    # time zone (see the module notes)
    tz = args["tz"]
    if tz is None and schema == "police.uk":
        tz = "Europe/London"
        notes.append("police.uk data: times localized to Europe/London")
    if tz is None:
        aware = [w.values.dtype.tz for w in present if getattr(w.values.dtype, "tz", None)]
        naive = [w for w in present if getattr(w.values.dtype, "tz", None) is None]
        if aware and naive:
            tz = str(aware[0])
        elif naive and any(w.values.notna().any() for w in naive):
            warnings.append(
                "times are naive local clock time (no time zone in the data or tz=); "
                "pass tz='America/Chicago' (the data's IANA zone) for darkness or "
                "cross-city analyses"
            )

    def loc(w: _When | None) -> pd.Series | None:
        return None if w is None else _as_us(_localize(w.values, tz))

    at_main, frm, end_raw = loc(main), loc(start), loc(end)
    to = None if end_raw is None else _as_us(_add_period(end_raw, end.res))  # type: ignore[union-attr]

    # occurred_at: the datetime column, else the start, else the end (row by row)
    at: pd.Series | None = None
    res_at = np.zeros(n, np.int8)
    for s_, w in ((at_main, main), (frm, start), (end_raw, end)):
        if s_ is None or w is None:
            continue
        if at is None:
            at, res_at = s_.copy(), w.res.copy()
            continue
        fill = at.isna().to_numpy() & s_.notna().to_numpy()
        if fill.any():
            at = at.where(~fill, s_)
            res_at[fill] = w.res[fill]
    if at is None:
        at = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
        if tz is not None:
            at = at.dt.tz_localize(tz)
        notes.append("no date/time column found: occurred_at is missing (pass datetime= "
                     "or start=/end=)")
    at_ok = at.notna().to_numpy()

    # month-only values carry their month as a window (for aoristic methods)
    month = at_ok & (res_at == _RES_MONTH)
    if month.any() and frm is None:
        frm = at.where(month)
        to = _as_us(_add_period(at, np.where(month, _RES_MONTH, _RES_DATETIME)).where(month))
        notes.append(f"{int(month.sum()):,} month-only times: occurred_from/occurred_to "
                     "span the month")
    if frm is not None and to is None:
        to = frm.where(np.zeros(n, bool))
    if to is not None and frm is None:
        frm = to.where(np.zeros(n, bool))

    window = np.zeros(n, bool)
    if frm is not None and to is not None:
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
                "time, occurred_to set to missing"
            )
            to = to.where(~before)
        window = both & ~before
        if window.any():
            window[window] = (to[window] > frm[window]).to_numpy(dtype=bool)

    wall = at.dt.tz_localize(None) if getattr(at.dtype, "tz", None) else at
    v = wall.to_numpy()
    midnight = at_ok & (v == v.astype("datetime64[D]"))
    q = np.zeros(n, np.int8)  # exact
    q[midnight] = 1
    q[at_ok & (res_at == _RES_DATE)] = 2
    q[window] = 4
    q[at_ok & (res_at == _RES_MONTH)] = 3
    q[~at_ok] = 5
    return _Times(_as_us(at), frm, to, q, failed, failed_code, failed_names, warnings, notes)

