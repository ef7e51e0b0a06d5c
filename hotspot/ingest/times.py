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

Parsing one column's text lives in :mod:`hotspot.ingest.date_text`, the zone in
:mod:`hotspot.ingest.time_zones`; this module finds the columns and runs the steps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
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
    _check_present,
    _Columns,
    _numeric_share,
    _to_float,
    _tokens,
)
from hotspot.ingest.date_text import (
    _PARTS,
    _RES_DATE,
    _RES_DATETIME,
    _RES_MONTH,
    _as_dates,
    _as_months,
    _as_us,
    _date_share,
    _hours_only,
    _is_first_of_month,
    _is_one_clock_time,
    _nat,
    _parse_dates,
    _parse_parts,
    _time_form,
    _time_share,
    _wall,
    _When,
    _with_hour,
    _with_time,
)
from hotspot.ingest.rules import decide
from hotspot.ingest.time_zones import (
    _apply_zone,
    _choose_zone,
    _offset_check,
    _zone_notes,
    zone_from_points,
)

__all__ = ["EARLIEST_DATE", "STRAY_GAP", "zone_from_points"]


# --------------------------------------------------------------------------------------
# Finding the date, time and hour columns
# --------------------------------------------------------------------------------------
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
    dt_col, st_col, en_col = decide("date_columns",
                                    lambda: _detect_date_columns(cols, dates_ok))
    _check_present(frame, (dt_col, st_col, en_col), "date")
    return dt_col, st_col, en_col, auto


def _detect_date_columns(cols: _Columns, dates_ok: Any) -> tuple[Any, Any, Any]:
    """Find the datetime, or window start and end, columns by name and content."""
    frame = cols.frame
    dt_col = en_col = None
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
    return dt_col, st_col, en_col


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
    for name, applies, apply in (("one_clock_time", _is_one_clock_time, _as_dates),
                                 ("first_of_month", _is_first_of_month, _as_months)):
        if decide(f"{name}:{col}", partial(applies, w, col)):
            w, note = apply(w, col)
            if note:
                notes.append(note)
    main = role == "datetime"
    tcol = cols.user(args["time"], "time") if main and args.get("time") is not None else None
    hcol = cols.user(args["hour"], "hour") if main and args.get("hour") is not None else None
    has_values = bool(w.values.notna().any())
    if tcol is None and hcol is None and (auto or not main):
        tcol, hcol = decide(f"time_columns:{col}",
                            lambda: _companion_columns(cols, col, main, w, has_values))
        _check_present(frame, (tcol, hcol), "time")
    prefix = "" if main else f"{role}_"
    if tcol is not None and has_values:
        cols.used.add(tcol)
        found[prefix + "time"] = (tcol, f"time column next to {col}")
        form = decide(f"time_form:{tcol}", lambda: _time_form(frame[tcol]))
        w = _with_time(w, frame[tcol], form)
        if form == "hours":
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


def _companion_columns(cols: _Columns, col: Any, main: bool, w: _When, has_values: bool
                       ) -> tuple[Any, Any]:
    """Find the time column of a date column, else (dates only) its hour column."""
    frame = cols.frame
    tcol = _companion_time(cols, col)
    if tcol is None and main:
        tcol = cols.find(_TIME, lambda c: _time_share(frame[c]) >= 0.5)
    date_only = bool(np.all(w.res[~w.empty & ~w.failed] == _RES_DATE))
    hcol = _companion_hour(cols, col) if tcol is None and has_values and date_only else None
    return tcol, hcol


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
    part_cols = dict(decide("part_columns", lambda: {
        r: cols.find(c, lambda c: _numeric_share(frame[c]) >= 0.9)
        for r, c in _PARTS.items()}))
    _check_present(frame, list(part_cols.values()), "date part")
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
    hour0 = w.how[w.how.find(" ("):] if " (" in w.how else ""  # the hour-0 decision
    notes.append("date/time built from " + ", ".join(map(str, part_cols.values())) + hour0)
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
    for role, w in whens.items():
        if w.hour_zero is not None:
            placeholder, why = w.hour_zero
            note_choice(choices, "hour_zero" if role == "datetime" else f"{role}_hour_zero",
                        "placeholder" if placeholder else "the hour 00:00-00:59", why)
    return _Parsed(whens.get("datetime"), whens.get("start"), whens.get("end"), fails,
                   warnings, notes)


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


def _first_known(series: list[tuple[pd.Series | None, _When | None]], n: int
                 ) -> tuple[pd.Series | None, np.ndarray, np.ndarray]:
    """occurred_at: the datetime column, else the start, else the end (row by row).

    Returns the times, their resolution codes and the rows whose 00:00 is a real
    clock time (hour 0 of an hour column, :func:`hotspot.ingest.date_text._hour_zero`).
    """
    at: pd.Series | None = None
    res_at = np.zeros(n, np.int8)
    real0 = np.zeros(n, bool)
    for s_, w in series:
        if s_ is None or w is None:
            continue
        real = w.real_midnight if w.real_midnight is not None else np.zeros(n, bool)
        if at is None:
            at, res_at, real0 = s_.copy(), w.res.copy(), real.copy()
            continue
        fill = at.isna().to_numpy() & s_.notna().to_numpy()
        if fill.any():
            at = at.where(~fill, s_)
            res_at[fill] = w.res[fill]
            real0[fill] = real[fill]
    return at, res_at, real0


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





def _quality(at: pd.Series, res_at: np.ndarray, window: np.ndarray,
             real0: np.ndarray | None = None) -> np.ndarray:
    """Return time_quality codes.

    exact 0, midnight 1, date_only 2, month_only 3, window 4, missing 5. A time at
    00:00 is ``midnight`` (a possible placeholder) unless ``real0`` says it is a real
    clock time (hour 0 of an hour column that is not far above hours 23 and 1).
    """
    at_ok = at.notna().to_numpy()
    v = _wall(at)
    midnight = at_ok & (v == v.astype("datetime64[D]"))
    if real0 is not None:
        midnight &= ~real0
    q = np.zeros(len(at), np.int8)
    q[midnight] = 1
    q[at_ok & (res_at == _RES_DATE)] = 2
    q[window] = 4
    q[at_ok & (res_at == _RES_MONTH)] = 3
    q[~at_ok] = 5
    return q


def _verify_one_clock(w: _When, zone: str | None, notes: list[str], warnings: list[str]
                      ) -> tuple[_When, bool]:
    """Keep a constant clock time as dates only where it is local midnight in ``zone``.

    :func:`hotspot.ingest.date_text._as_dates` read a column whose every time is one
    clock time (other than 00:00) as dates, before the zone was known. The
    rule: each value's clock time is midnight at one of the zone's UTC offsets over the
    data's dates, written in UTC (``05:00`` or ``06:00`` in America/Chicago, whose
    offsets are -5 h and -6 h; ``13:00``/``14:00`` in Australia/Sydney): local midnight
    written in UTC, so dates, each its local calendar date. Any other constant time
    (all ``07:30``) is kept as the time of day, with a warning that names it; so is
    every time when no zone is known. Returns the column and whether the times were
    kept.
    """
    oc = w.one_clock
    assert oc is not None
    rows = ~w.empty & ~w.failed & w.values.notna().to_numpy()  # implausible rows are NaT
    clock = " / ".join(f"{m // 60:02d}:{m % 60:02d}" for m in oc.minutes)
    if zone is not None and rows.any():
        raw = oc.values.to_numpy()[rows]
        offsets = _zone_offsets(raw, zone)
        tod = ((raw - raw.astype("datetime64[D]")).astype("timedelta64[m]")
               .astype(np.int64))
        match = (tod[:, None] + offsets[None, :]) % 1440 == 0
        if decide(f"one_clock_in_zone:{oc.col}", lambda: bool(match.any(axis=1).all())):
            off = offsets[np.argmax(match, axis=1)].astype("timedelta64[m]")
            day = (raw + off).astype("datetime64[D]")
            values = w.values.copy()
            values.iloc[np.flatnonzero(rows)] = day.astype("datetime64[us]")
            notes[notes.index(oc.note)] = (
                f"date column {oc.col!r} carries one clock time ({clock} UTC) on every row, "
                f"local midnight in {zone} written in UTC: read as dates (date_only), each "
                "its local calendar date")
            return _When(values, w.aware, w.empty, w.failed, w.res, w.how, w.order,
                         w.real_midnight), False
    notes.remove(oc.note)
    res = w.res.copy()
    res[rows] = _RES_DATETIME
    written = " UTC" if oc.aware[rows].all() else ""
    why = (f"not local midnight in {zone} written in UTC" if zone is not None else
           "and with no time zone known it cannot be checked as local midnight written "
           "in UTC")
    warnings.append(
        f"date column {oc.col!r}: every record is at {clock}{written}, {why}: kept as the "
        "time of day. One time on every record is often a placeholder or the time the "
        "record was entered: check it, or pass time=/hour= if another column holds the "
        "time of day")
    return _When(oc.values.where(w.values.notna()), oc.aware, w.empty, w.failed, res, w.how,
                 w.order, w.real_midnight), True


def _zone_offsets(values: np.ndarray, zone: str) -> np.ndarray:
    """UTC offsets of ``zone`` (whole minutes) on the dates of ``values`` (and a day around)."""
    days = np.unique(values.astype("datetime64[D]"))
    days = np.unique(np.concatenate([days - 1, days, days + 1])).astype("datetime64[us]")
    noon = pd.DatetimeIndex(days + np.timedelta64(12, "h"))
    local = noon.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    ok = ~local.isna()
    diff = (local[ok].tz_localize(None) - local[ok].tz_convert("UTC").tz_localize(None))
    return np.unique((diff.total_seconds() // 60).astype(np.int64))


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
EARLIEST_DATE = pd.Timestamp("1900-01-02")
"""Dates before this are dropped as ``implausible_date`` (as are dates after tomorrow):
1900-01-01 itself is the placeholder date records systems and spreadsheets (Excel's day
1) write for an unknown date, never a real incident date in police data."""

STRAY_GAP = pd.Timedelta(days=365)
"""A date more than this before (or after) the data period is stray (warned about)."""


def _failed(present: list[_When], n: int) -> np.ndarray:
    failed = np.zeros(n, bool)
    for w in present:
        failed |= w.failed
    return failed


def _implausible(series: list[pd.Series | None], n: int) -> np.ndarray:
    """Rows dated on or before 1900-01-01 or after today + 1 day (local clock)."""
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
    one_clock_warned = False
    for role in ("main", "start", "end"):
        w = getattr(parsed, role)
        if w is not None and w.one_clock is not None:
            w, kept_times = _verify_one_clock(w, zone, notes, warnings)
            setattr(parsed, role, w)
            one_clock_warned |= kept_times
    whens = (parsed.main, parsed.start, parsed.end)
    present = [w for w in whens if w is not None]
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
    at, res_at, real0 = _first_known([(at_main, parsed.main), (frm, parsed.start),
                                      (end_raw, end)], n)
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
        notes.append(f"month-only times ({int(month.sum()):,} of the rows read): "
                     "occurred_from/occurred_to span the month")
    if frm is not None and to is None:
        to = frm.where(np.zeros(n, bool))
    if to is not None and frm is None:
        frm = to.where(np.zeros(n, bool))
    frm, to, window = _windows(frm, to, end, row_id, warnings)
    q = _quality(at, res_at, window, real0)
    failed = _failed(present, n)
    if implausible.any():
        first = int(np.argmax(implausible))
        notes.append(f"implausible_date: {int(implausible.sum()):,} rows dated on or before "
                     "1900-01-01 (a placeholder date) or after tomorrow were dropped (e.g. "
                     "row_id "
                     f"{int(row_id[first])})")
    _stray_warning(at, ~failed & ~implausible, row_id, warnings)
    outside = np.zeros(n, bool)
    if period is not None:
        outside = _outside_period(period, zone, at, to, q)
    if not one_clock_warned:
        _one_clock_warning(at, np.where(failed | implausible, 5, q), warnings)
    timed = np.isin(q, (0, 1))
    v = _wall(at)[timed]
    hourly = timed.any() and bool(np.all(v == v.astype("datetime64[h]")))
    return _Times(_as_us(at), frm, to, q, failed, parsed.fails.code, parsed.fails.names,
                  warnings, notes, implausible, outside, zone, how, 24 if hourly else 1440)
