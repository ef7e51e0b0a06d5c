"""Read police incident data into the canonical Incidents GeoDataFrame.

:func:`read_incidents` reads a file (CSV, CSV.gz, GeoJSON, GeoPackage, Shapefile,
Parquet/GeoParquet), a folder or glob of police.uk monthly street-crime CSVs, a
DataFrame or a GeoDataFrame. It finds the coordinate, date/time and offence columns
(or uses the ones given), parses times with explicit vectorized formats, projects the
points to a CRS in metres, and accounts for every row: each row is either kept or
dropped with one reason from a fixed vocabulary (:data:`DROP_REASONS`). The
:class:`IngestReport` it stores in ``attrs["hotspot"]["ingest"]["report"]`` (see
:func:`ingest_report`) says what was read, detected, dropped and why, and warns about
data-quality problems (placeholder midnight times, rounded or snapped coordinates,
swapped lat/lon, far-away rows, mixed CRSs).

Output columns
--------------
``row_id``
    0-based position of the row in the source as read (for folders/globs: in the
    concatenation of the files, in sorted file-name order).
``source_file``
    File name the row came from (multi-file sources only).
``occurred_at``
    When the incident happened (datetime64, zone-aware). The zone: ``tz=`` when
    given; ``Europe/London`` for police.uk data; otherwise the IANA zone that holds
    most of the points, inferred offline from the coordinates (the report says so
    and warns when the points span several zones). Naive values are local clock
    time in that zone; values written with an offset, epoch numbers and tz-aware
    columns are instants, converted to it; date-only values keep their calendar
    date. A clock time skipped by daylight saving is read one hour on, a repeated
    one as its first pass; both are counted in the report. ``NaT`` when unknown.
``occurred_from``, ``occurred_to``
    Time window (only when a start/end is given or detected, or for month-only
    data). A date-only end means the end of that day and a month-only value the end
    of that month, so ``occurred_to`` is the first instant *after* the window.
``offence``
    Offence type (category), when detected or given.
``time_quality``
    Category, one of :data:`TIME_QUALITIES`: ``"exact"``; ``"midnight"`` (exactly
    00:00:00, possibly a placeholder for an unknown time); ``"date_only"``;
    ``"month_only"``; ``"window"`` (a start and a later end); ``"missing"``.
original columns
    Every column of the source, unchanged. An original column whose name is one of
    the output names above is renamed ``<name>_original`` (and still used, e.g. an
    original ``offence`` column feeds the canonical ``offence``).
``geometry``
    Points in a projected CRS in metres: the local UTM zone (of the median point)
    when the input is lon/lat, in a non-metric projected CRS (e.g. US State Plane
    feet) or in Web Mercator (EPSG:3857, whose "metres" are stretched by 1/cos(lat)),
    otherwise the input CRS.

Drop reasons
------------
Checked in this order; a row gets the first that applies:
``"missing_coordinates"`` (empty coordinate or geometry), ``"invalid_coordinates"``
(non-numeric, non-finite, lon/lat out of range, a non-point geometry, a point that
cannot be projected, or a degree-like point in an otherwise projected file),
``"zero_coordinates"`` ((0, 0) for lon/lat; 0 on either axis for projected
coordinates), ``"unparseable_time"`` (a non-empty date/time that no supported format
reads; an *empty* time keeps the row with ``time_quality == "missing"``),
``"implausible_date"`` (a date on or before 1900-01-01, a placeholder, or after tomorrow),
``"duplicate"`` (only with ``drop_duplicates=True``: an exact copy of an earlier row
in every original column), ``"outside_period"`` (only with ``period=``: the row's
time lies wholly outside it), ``"outside_study_area"``.

Dates more than a year before or after the data period (see
:func:`hotspot._core.time.data_period`) are kept and warned about with their count
and an example row.

A window whose end is before its start is **kept**: its end is set to ``NaT``, the
row keeps its start time and the report warns with the count and first ``row_id``.

Column detection
----------------
Names are compared after lower-casing and removing punctuation, against ordered
vocabularies (``Latitude``/``LAT``/``lat``, ``Longitude``/``LON``/``lng``/``Long``,
``X``/``X_COORDINATE``/``Point_X``/``x_coord``/``easting``..., ``location``/``Point``/
``the_geom``/``geocoded_location`` holding WKT or ``"(lat, lon)"``; occurrence dates
before report dates; window starts ``from``/``first``/``start``/``begin`` with their
``to``/``last``/``end`` partners; a time column named like its date column,
``Date Occurred`` -> ``Time Occurred``, ``CMPLNT_FR_DT`` -> ``CMPLNT_FR_TM``), and
each candidate's values are checked (numbers for coordinates, parseable dates).
Dates are parsed with explicit formats, vectorized: the formats whose shape fits a
sample are scored on up to 1,000 distinct values (chosen by hash, so the same whatever
the row order) and the best is applied to the whole column, the next ones to the rows
it missed. Day/month order is decided from every distinct value (a first number above
12 means day first, a second above 12 month first); when no value decides it the
report says so and ``dayfirst=`` decides (default month first). Two-digit years take
the latest century not after next year (``"03/10/97"`` is 1997). Whole numbers 0-23
in a time column, or an hour column (``hour``, ``occurrencehour``, ``OCC_HOUR``...),
are hours of the day. A date column whose rows all carry one clock time (local
midnight written in UTC) is read as dates, and dates all on the 1st of a month as
months. Numbers are epoch
seconds/ms/us/ns (UTC) by magnitude, or ``YYYYMMDD``; all-digit text of 10 or 13 digits
is read as epoch seconds/ms like numbers; time columns accept ``"21:30"``,
``"9:30 PM"``, ``2130``/``"0930"`` (HHMM) and day fractions; an HHMM value with hour
>= 24 or minute >= 60 (``"2575"``, ``"9999"``, and ``"2400"``, which is not read as end
of day) is dropped as ``"unparseable_time"``, never read as midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from hotspot._core.coords import remember
from hotspot._core.crs import (
    _crs_str,
    _to_crs,
    grid_candidates,
    is_metric,
    metric_crs_for,
    transform_xy,
)
from hotspot._core.errors import warn_user
from hotspot._core.meta import attach, note_choice
from hotspot._core.time import TIME_QUALITIES
from hotspot.exceptions import CRSError, DataQualityWarning, InputTypeError, InvalidInputError
from hotspot.ingest.columns import (
    _FAR_KM,
    _Columns,
    _Coords,
    _report_setting,
    _resolve_coordinates,
    _resolve_offence,
    _squash,
)
from hotspot.ingest.locations import location_codes, location_quality
from hotspot.ingest.readers import _dup_columns, _load, _Loaded
from hotspot.ingest.report import IngestReport
from hotspot.ingest.rules import decide
from hotspot.ingest.time_zones import _zone_cells, zone_at
from hotspot.ingest.times import _finish_times, _read_times, _Times

__all__ = [
    "DROP_REASONS",
    "TIME_QUALITIES",
    "read_incidents",
]

DROP_REASONS: tuple[str, ...] = (
    "missing_coordinates",
    "invalid_coordinates",
    "zero_coordinates",
    "unparseable_time",
    "implausible_date",
    "duplicate",
    "outside_period",
    "outside_study_area",
)
"""Fixed vocabulary of drop reasons, in the order they are checked."""

CANONICAL = (
    "row_id",
    "source_file",
    "occurred_at",
    "occurred_from",
    "occurred_to",
    "offence",
    "time_quality",
    "location_quality",
    "geometry",
)


_REASON_CODE = {r: i + 1 for i, r in enumerate(DROP_REASONS)}

# --------------------------------------------------------------------------------------
# Quality checks (warnings only)
# --------------------------------------------------------------------------------------
def _decimals(v: np.ndarray) -> int | None:
    """Largest number of decimals (0-3) to which every value is rounded, else None."""
    for k in range(4):
        f = 10.0**k
        if np.all(np.abs(v * f - np.round(v * f)) < 1e-6):
            return k
    return None


def _is_snapped(x: np.ndarray, y: np.ndarray) -> bool:
    """Snapped data: at least 20 points on fewer than half as many distinct locations."""
    n = len(x)
    return n >= 20 and location_codes(x, y)[1] / n < 0.5


def _quality_warnings(lon: np.ndarray | None, lat: np.ndarray | None, x: np.ndarray,
                      y: np.ndarray, row_id: np.ndarray, q: np.ndarray,
                      slots_per_day: int = 1440) -> list[str]:
    out: list[str] = []
    n = len(x)
    if n == 0:
        return out
    if lon is not None and lat is not None:
        dl, db = _decimals(lon), _decimals(lat)
        k = 9 if dl is None or db is None else max(dl, db)
        if k <= 3:
            metres = {0: "100 km", 1: "10 km", 2: "1 km", 3: "100 m"}[k]
            out.append(f"coordinates are rounded to {k} decimals of a degree (about "
                       f"{metres}); fine-grained hotspots (small cells, short bandwidths) "
                       "are not meaningful below that")
    if _is_snapped(x, y):
        uniq = location_codes(x, y)[1]
        out.append(f"points are snapped to few unique locations ({uniq:,} for {n:,} "
                   f"rows, {uniq / n:.0%}): likely anonymised 'on or near' map points "
                   "(police.uk) or block-level offsets (location_quality 'snapped'); use "
                   "cells or areas no smaller than the snapping")
    has_time = q != 5
    n_time = int(has_time.sum() - (q == 2).sum() - (q == 3).sum())
    n_mid = int((q == 1).sum())
    if n_time >= 20 and n_mid >= 5:
        share = n_mid / n_time
        clock = "a uniform clock" if slots_per_day == 1440 else "uniform whole hours"
        if share > 5.0 / slots_per_day:
            out.append(f"{n_mid:,} rows ({share:.1%}) are at exactly 00:00, "
                       f"{share * slots_per_day:.0f}x what {clock} would give: midnight is "
                       "often a placeholder for an unknown time (time_quality 'midnight'); "
                       "consider excluding them from time-of-day analyses")
    mx, my = float(np.median(x)), float(np.median(y))
    d = np.hypot(x - mx, y - my)
    thr = max(_FAR_KM * 1000.0, 5.0 * float(np.median(d)))
    far = d > thr
    if far.any():
        out.append(f"{int(far.sum()):,} rows are more than {thr / 1000:.0f} km from the "
                   f"median location (first row_id {int(row_id[np.argmax(far)])}); they are "
                   "kept: check them (wrong coordinates, or pass study_area= to drop them)")
    return out


def _lonlat_checks(a: np.ndarray, b: np.ndarray, ok: np.ndarray, row_id: np.ndarray,
                   invalid: np.ndarray, warnings: list[str], cols: tuple[Any, Any]
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Range checks, swapped lat/lon and mixed-CRS detection for lon/lat input."""
    a, b = a.copy(), b.copy()
    lon_ok = np.abs(a) <= 180
    lat_ok = np.abs(b) <= 90
    good0 = ok & lon_ok & lat_ok
    swapped = ok & ~lat_ok & (np.abs(b) <= 180) & (np.abs(a) <= 90)
    if swapped.any() and good0.sum() >= swapped.sum():
        # most rows are fine: swap back only rows that then lie near the others
        mlon, mlat = float(np.median(a[good0])), float(np.median(b[good0]))
        swapped &= np.hypot(b - mlon, a - mlat) < 2.0
    if swapped.any():
        k = int(swapped.sum())
        a[swapped], b[swapped] = b[swapped], a[swapped]
        warnings.append(
            f"swapped lat/lon: {k:,} rows had a latitude outside [-90, 90] in {cols[1]!r} "
            f"with a valid one in {cols[0]!r} (first row_id "
            f"{int(row_id[np.argmax(swapped)])}); they were swapped. If a whole column is "
            f"swapped, pass lon={cols[1]!r}, lat={cols[0]!r}"
        )
        lon_ok, lat_ok = np.abs(a) <= 180, np.abs(b) <= 90
    bad = ok & ~(lon_ok & lat_ok)
    projected_like = bad & ((np.abs(a) > 1000) | (np.abs(b) > 1000))
    if projected_like.any():
        warnings.append(
            f"mixed CRS: {int(projected_like.sum()):,} rows have projected-looking values "
            f"(e.g. {a[np.argmax(projected_like)]:.1f}, {b[np.argmax(projected_like)]:.1f}, "
            f"row_id {int(row_id[np.argmax(projected_like)])}) in lon/lat columns; dropped "
            "as invalid_coordinates. Read them separately with x=, y=, crs="
        )
    invalid = invalid | bad
    good = ok & ~bad
    if good.sum() >= 1:
        ga, gb = a[good], b[good]
        mlon, mlat = float(np.median(ga)), float(np.median(gb))
        d0 = np.hypot(ga - mlon, gb - mlat)
        d1 = np.hypot(gb - mlon, ga - mlat)
        sus = (d0 > 1.0) & (d1 < 0.25)
        if sus.any():
            first = int(row_id[np.flatnonzero(good)[np.argmax(sus)]])
            warnings.append(
                f"suspected swapped lat/lon: {int(sus.sum()):,} rows would lie near the "
                f"others if longitude and latitude were exchanged (first row_id {first}); "
                "kept as given: check them"
            )
        if np.all(np.abs(gb) > np.abs(ga)) and abs(mlat) > 66.5 and abs(mlon) < 66.5:
            warnings.append(
                f"suspected swapped lat/lon: every point lies in a polar region (median "
                f"latitude {mlat:.2f}); if {cols[0]!r} holds latitudes, pass "
                f"lon={cols[1]!r}, lat={cols[0]!r}"
            )
    return a, b, invalid


# --------------------------------------------------------------------------------------
# Main entry point
# --------------------------------------------------------------------------------------
def _schema(frame: pd.DataFrame) -> str | None:
    names = {_squash(c) for c in frame.columns}
    if {"month", "crimetype", "fallswithin"} <= names or {"month", "crimetype",
                                                           "reportedby"} <= names:
        return "police.uk"
    return None


def _check_tz(tz: Any) -> str | None:
    if tz is None:
        return None
    if not isinstance(tz, str):
        tz = str(tz)
    try:
        pd.Timestamp("2020-01-01").tz_localize(tz)
    except Exception:
        msg = (f"`tz={tz!r}` is not a time zone name. Pass an IANA name such as "
               "'America/Chicago', 'Europe/London' or 'UTC'.")
        raise InvalidInputError(msg) from None
    return tz


def _study_area_geom(study_area: Any, crs_out: CRS, notes: list[str]) -> Any:
    if isinstance(study_area, (gpd.GeoDataFrame, gpd.GeoSeries)):
        geo = study_area.geometry if isinstance(study_area, gpd.GeoDataFrame) else study_area
        if geo.crs is None:
            msg = ("`study_area` has no CRS. Set it (e.g. `area.set_crs('EPSG:4326')`) so "
                   "that it can be matched to the incidents.")
            raise CRSError(msg)
        geo = geo.to_crs(crs_out)
        return shapely.union_all(geo.values[~geo.isna().to_numpy()])
    if isinstance(study_area, shapely.Geometry):
        b = study_area.bounds
        if all(abs(v) <= 180 for v in b) and abs(b[1]) <= 90 and abs(b[3]) <= 90:
            tr = Transformer.from_crs(4326, crs_out, always_xy=True)
            notes.append("study_area given as a shapely geometry in lon/lat (EPSG:4326)")
            return shapely.transform(study_area, lambda c: np.column_stack(
                tr.transform(c[:, 0], c[:, 1])))
        notes.append(f"study_area given as a shapely geometry in {_crs_str(crs_out)}")
        return study_area
    msg = ("`study_area` must be a GeoDataFrame/GeoSeries of polygons (with a CRS) or a "
           f"shapely polygon, got {type(study_area).__name__}.")
    raise InputTypeError(msg)


def _check_args(errors: Any, drop_duplicates: Any) -> None:
    if errors not in ("report", "raise"):
        msg = f"`errors` must be 'report' (drop and report bad rows) or 'raise', got {errors!r}."
        raise InvalidInputError(msg)
    if not isinstance(drop_duplicates, (bool, np.bool_)):
        msg = f"`drop_duplicates` must be True or False, got {drop_duplicates!r}."
        raise InputTypeError(msg)


def _fmt_value(v: Any) -> str:
    if isinstance(v, np.generic):
        v = v.item()
    r = repr(v)
    return r if len(r) <= 60 else r[:57] + "..."


def _raise_first(reason: np.ndarray, row_id: np.ndarray, frame: pd.DataFrame,
                 coords: _Coords, times: _Times, source_file: np.ndarray | None) -> None:
    i = int(np.flatnonzero(reason)[0])
    why = DROP_REASONS[reason[i] - 1]
    where = f"row {int(row_id[i])}"
    if source_file is not None:
        where += f" (file {source_file[i]})"
    if why in ("missing_coordinates", "invalid_coordinates", "zero_coordinates"):
        ca, cb = coords.cols
        if ca == "geometry" and ca not in frame.columns:
            val = "the geometry"
        elif ca == cb:
            val = f"column {ca!r} = {_fmt_value(frame[ca].iloc[i])}"
        else:
            val = (f"columns {ca!r} = {_fmt_value(frame[ca].iloc[i])}, {cb!r} = "
                   f"{_fmt_value(frame[cb].iloc[i])}")
        fix = {"missing_coordinates": "it has no coordinates",
               "invalid_coordinates": "its coordinates are not valid numbers in range",
               "zero_coordinates": "its coordinates are 0 (a common 'unknown' code)"}[why]
    elif why == "unparseable_time":
        code = int(times.failed_code[i])
        col = times.failed_names[code] if code >= 0 else None
        val = (f"column {col!r} = {_fmt_value(frame[col].iloc[i])}" if col is not None
               else "a date/time column")
        fix = "its date/time cannot be read by any supported format"
    elif why == "implausible_date":
        val = "its date"
        fix = "it is before 1900 or after tomorrow"
    else:  # pragma: no cover - only data errors raise
        val, fix = "the row", why
    msg = (f"{where}: {val}: {fix} ({why}). Fix the value, or pass errors='report' to drop "
           "such rows and list them in `hs.ingest_report(incidents).dropped_rows`.")
    raise InvalidInputError(msg)


def read_incidents(
    source: Any,
    *,
    x: str | None = None,
    y: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    crs: Any = None,
    datetime: str | None = None,
    start: str | None = None,
    end: str | None = None,
    offence: str | None = None,
    tz: str | None = None,
    time: str | None = None,
    hour: str | None = None,
    dayfirst: bool | None = None,
    period: tuple[Any, Any] | None = None,
    study_area: Any = None,
    drop_duplicates: bool = False,
    errors: Literal["report", "raise"] = "report",
    sheet: str | int | None = None,
    layer: str | int | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    to_crs: Any = None,
) -> gpd.GeoDataFrame:
    """Read incidents into the canonical Incidents GeoDataFrame, accounting for every row.

    Columns are detected from their names when not given (case, spaces and
    punctuation ignored): ``longitude/latitude``, ``lon/lat``, ``lng``, ``LAT/LON``,
    ``x/y``, ``X_COORDINATE``, ``Point_X``, ``easting/northing``, a ``location`` column
    holding ``"(lat, lon)"`` or WKT ``"POINT (lon lat)"``; ``date``, ``datetime``,
    ``OCCURRED_ON_DATE``, ``Date Occurred`` + ``Time Occurred`` (``"2130"`` HHMM
    integers included), ``FROMDATE``/``TODATE``,
    ``first_occurrence_date``/``last_occurrence_date``, year/month/day/hour/minute
    columns, epoch numbers; police.uk ``Month`` and ``Crime type``. What was used is in
    ``ingest_report(result).detected`` and logged on the ``hotspot`` logger.

    Parameters
    ----------
    source : str, pathlib.Path, pandas.DataFrame or geopandas.GeoDataFrame
        A file (CSV, CSV.gz, TSV, GeoJSON, GeoPackage, Shapefile, FlatGeobuf,
        Parquet/GeoParquet), a folder or glob of CSV files (police.uk monthly
        ``*-street.csv`` files are picked out of a download folder), or a frame.
        Inputs are never modified. Datasets larger than memory (national,
        multi-year, partitioned Parquet): :func:`hotspot.scale.read_incidents` reads
        them on Dask, partition by partition, with this function.
    x, y : str, optional
        Projected coordinate columns (units of ``crs``).
    lon, lat : str, optional
        Longitude/latitude columns in degrees.
    crs : optional
        CRS of the input coordinates (e.g. ``"EPSG:3435"`` for Illinois East US
        feet). Default: the file's CRS, EPSG:4326 for lon/lat columns, or EPSG:4326
        when x/y values all lie within lon/lat ranges (noted); otherwise a
        :class:`~hotspot.exceptions.CRSError` asks for it. A projected ``crs`` with x/y
        values that (nearly) all lie within lon/lat ranges raises CRSError.
    datetime : str, optional
        Date or date-time column (a matching time column such as ``Time Occurred``
        is combined automatically).
    start, end : str, optional
        Start/end of a time window (``occurred_from``/``occurred_to``).
    offence : str, optional
        Offence-type column (becomes the categorical ``offence``).
    tz : str, optional
        IANA time zone of the times (default: inferred from the coordinates; see the
        module notes for the rule).
    time : str, optional
        Time-of-day column to combine with ``datetime`` (``"21:30"``, ``2130``, or
        whole hours 0-23).
    hour : str, optional
        Hour-of-day column (whole numbers 0-23) to combine with ``datetime`` or with
        year/month/day columns.
    dayfirst : bool, optional
        Day/month order when the data cannot decide it (every date at most 12/12):
        True reads ``03/04/2020`` as 3 April. Ignored when any date decides it.
    period : (start, end), optional
        Keep only incidents in this period (local dates or times; an end given as a
        date includes that day; either end may be None); the others are dropped as
        ``"outside_period"``.
    study_area : GeoDataFrame, GeoSeries or shapely geometry, optional
        Rows outside it are dropped as ``"outside_study_area"`` (boundary counts as
        inside). A bare shapely geometry is read as lon/lat if its bounds fit,
        else as the output CRS.
    drop_duplicates : bool, default False
        Drop rows identical to an earlier row in every original column.
    sheet : str or int, optional
        Sheet of an Excel workbook (name or 0-based position). Required when the
        workbook has several sheets: the error lists them.
    layer : str or int, optional
        Layer of a GeoPackage / File Geodatabase. Required when the file has several
        layers: the error lists them.
    decimal, thousands : str, optional
        Decimal and thousands separators of text coordinates (e.g. ``decimal=","``,
        ``thousands="."`` for ``"1.176.000,5"``). Default: detected per column
        (decimal commas, dotted or comma thousands groups), and noted.
    errors : {"report", "raise"}, default "report"
        ``"report"`` drops invalid rows and lists them in the report; ``"raise"``
        raises :class:`~hotspot.exceptions.InvalidInputError` at the first invalid
        row (missing, invalid or zero coordinates, unparseable time), naming its
        ``row_id``, column and value. Rows removed on request (``drop_duplicates``,
        ``study_area``) are dropped and reported in both modes.
    dayfirst : bool, optional
        Day/month order of text dates such as ``01/02/2020`` when the data cannot
        tell (every distinct date has both numbers at most 12): True day first,
        False or None month first (US). Dates that show the order decide it.
    to_crs : optional
        Projected CRS in metres for the output geometry. None (default): the input
        CRS when it is in metres, else the local UTM zone of the median point.
        :func:`hotspot.scale.read_incidents` uses it (with ``dayfirst``) to make
        every partition of a large dataset agree.

    Returns
    -------
    geopandas.GeoDataFrame
        Points in a projected CRS in metres with ``row_id``, (``source_file``),
        ``occurred_at``, (``occurred_from``, ``occurred_to``), (``offence``),
        ``time_quality`` and every original column; RangeIndex. The
        :class:`IngestReport` is in ``attrs["hotspot"]["ingest"]["report"]`` (use
        :func:`ingest_report`).

    Raises
    ------
    FileNotFoundError
        The path, folder or glob does not exist or matches nothing.
    TypeError
        ``source`` or another argument has the wrong type.
    InvalidInputError
        Unsupported format, unknown column, no coordinate columns, polygon
        geometries, no rows, every row invalid, or (``errors="raise"``) an invalid row.
    CRSError
        Projected coordinates without a known CRS, or a CRS pyproj does not know.

    Warns
    -----
    DataQualityWarning
        Once, when rows were dropped or the report has warnings (print the report).

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspot.ingest.incidents import read_incidents
    >>> from hotspot.ingest.report import ingest_report
    >>> df = pd.DataFrame({
    ...     "Longitude": [-87.63, -87.62, None, -87.61],
    ...     "Latitude": [41.88, 41.89, 41.90, 41.87],
    ...     "Date Occurred": ["03/01/2020", "03/02/2020", "03/02/2020", "03/03/2020"],
    ...     "Time Occurred": [2130, 5, 1200, None],
    ... })
    >>> import warnings; warnings.simplefilter("ignore")
    >>> gdf = read_incidents(df, tz="America/Chicago")
    >>> gdf.crs.to_epsg()
    32616
    >>> gdf["time_quality"].tolist()
    ['exact', 'exact', 'date_only']
    >>> str(gdf["occurred_at"].iloc[0])
    '2020-03-01 21:30:00-06:00'
    >>> rep = ingest_report(gdf)
    >>> rep.rows_read, rep.rows_kept, rep.dropped["missing_coordinates"]
    (4, 3, 1)
    >>> rep.detected["time"]
    'Time Occurred'
    """
    _check_args(errors, drop_duplicates)
    tz = _check_tz(tz)
    crs_to = _check_to_crs(to_crs)
    # 1. load: one frame (and geometry) from the file(s), folder or frame
    loaded = _load_checked(source, sheet, layer,
                           tuple(c for c in (datetime, start, end) if c is not None))
    frame, n = loaded.frame, len(loaded.frame)
    row_id = np.arange(n, dtype=np.int64)
    choices: dict[str, Any] = {}
    detected: dict[str, str] = {}
    notes = list(loaded.notes)
    warnings: list[str] = list(loaded.warnings)
    if loaded.encoding is not None:
        note_choice(choices, "encoding", loaded.encoding,
                    "byte-order mark, else strict UTF-8, else Windows-1252/Latin-1")
    schema = _schema(frame)
    if schema:
        notes.append(f"recognised the {schema} street-crime schema")
    # 2. detect the columns: coordinates, date/times, offence
    args = {"x": x, "y": y, "lon": lon, "lat": lat, "crs": crs, "datetime": datetime,
            "start": start, "end": end, "tz": tz, "time": time, "hour": hour,
            "dayfirst": dayfirst, "decimal": decimal, "thousands": thousands}
    cols = _Columns(frame)
    coords = _resolve_coordinates(loaded, cols, args, detected, choices, notes)
    parsed_times = _read_times(frame, cols, args, detected, choices)
    off_col = _resolve_offence(cols, offence, detected, choices, notes)
    _report_setting(cols, detected, choices, notes)
    # 3. coordinates: their CRS, checks, projection to metres
    placed = _locate(coords, loaded, crs, crs_to, detected, row_id, notes, warnings,
                     choices)
    # 4. times: the zone (given, or from the coordinates), implausible dates, period
    usable = placed.good & ~placed.unprojected
    cells = _zone_cells(placed.a, placed.b, usable, placed.crs_in) if usable.any() else None
    times = _finish_times(parsed_times, tz, schema, cells, row_id, period)
    warnings += times.warnings
    notes += times.notes
    # 5. checks: one drop reason per row, in priority order
    reason_code = _drop_reasons(frame, placed, times, drop_duplicates, study_area, notes)
    invalid_row = (reason_code > 0) & (reason_code <= _REASON_CODE["implausible_date"])
    if errors == "raise" and invalid_row.any():
        _raise_first(np.where(invalid_row, reason_code, 0), row_id, frame, coords, times,
                     loaded.source_file)
    keep = reason_code == 0
    counts = np.bincount(reason_code, minlength=len(DROP_REASONS) + 1)
    dropped = {r: int(counts[i + 1]) for i, r in enumerate(DROP_REASONS)}
    if not keep.any():
        _raise_nothing_left(dropped, frame, coords, times)
    # 6. the result and its report
    renamed = _rename_collisions(list(frame.columns))
    result, stacks = _output(frame, keep, renamed, row_id, placed, times, off_col, loaded,
                             schema, warnings)
    report = _report(frame, keep, renamed, row_id, reason_code, dropped, placed, times,
                     loaded, detected, notes, warnings)
    report.stacked_locations = stacks
    params = {"source": _describe(source), "x": x, "y": y, "lon": lon, "lat": lat,
              "crs": None if crs is None else str(crs), "datetime": datetime,
              "start": start, "end": end, "time": time, "hour": hour,
              "dayfirst": dayfirst, "period": None if period is None else [
                  str(p) for p in period], "offence": offence, "tz": tz,
              "study_area": None if study_area is None else type(study_area).__name__,
              "drop_duplicates": bool(drop_duplicates),
              "errors": errors, "sheet": sheet, "layer": layer, "decimal": decimal,
              "thousands": thousands, "to_crs": None if to_crs is None else str(to_crs)}
    result.attrs = {}
    attach(result, "ingest", params, choices, report=report, stacked_locations=stacks)
    if report.rows_dropped or report.warnings:
        warn_user(
            f"read_incidents: {report.rows_dropped:,} of {n:,} rows dropped, "
            f"{len(report.warnings)} data-quality warning(s); "
            "print(hs.ingest_report(incidents)) for details",
            DataQualityWarning,
        )
    return result


# --------------------------------------------------------------------------------------
# The steps of read_incidents
# --------------------------------------------------------------------------------------
def _check_to_crs(to_crs: Any) -> CRS | None:
    crs_to = _to_crs(to_crs, "to_crs") if to_crs is not None else None
    if crs_to is not None and not is_metric(crs_to):
        msg = (f"`to_crs={to_crs!r}` is not a projected CRS in metres; pass one such as "
               "'EPSG:27700' or a UTM zone ('EPSG:32630').")
        raise CRSError(msg)
    return crs_to


def _load_checked(source: Any, sheet: Any, layer: Any, dates: tuple[Any, ...] = ()
                  ) -> _Loaded:
    """Load the source; refuse duplicate column names and empty sources."""
    loaded = _load(source, sheet=sheet, layer=layer, dates=dates)
    if loaded.frame.columns.duplicated().any():
        _dup_columns(loaded.frame)
    if len(loaded.frame) == 0:
        msg = "the source has no rows: nothing to read."
        raise InvalidInputError(msg)
    return loaded


@dataclass
class _Placed:
    """Coordinates after the CRS checks, and their projection to metres."""

    a: np.ndarray  # lon or x, as read (swapped lat/lon fixed)
    b: np.ndarray
    px: np.ndarray  # projected x, metres (NaN where not usable)
    py: np.ndarray
    missing: np.ndarray
    invalid: np.ndarray  # includes points that could not be projected
    zero: np.ndarray
    good: np.ndarray  # usable before projection
    unprojected: np.ndarray
    kind: str  # "lonlat" | "xy"
    crs_in: CRS
    crs_out: CRS


def _input_crs(coords: _Coords, loaded: _Loaded, crs: Any, detected: dict[str, str],
               ok: np.ndarray, notes: list[str], warnings: list[str]
               ) -> tuple[str, CRS | None, str]:
    """Kind of coordinates (lon/lat or projected), their CRS and why, or a CRSError."""
    a, b, kind = coords.a, coords.b, coords.kind
    crs_in: CRS | None = _to_crs(crs, "crs") if crs is not None else None
    if "geometry" in detected:
        if crs_in is None:
            crs_in = loaded.crs
        elif loaded.crs is not None and not crs_in.equals(loaded.crs):
            warnings.append(f"crs={crs!r} overrides the data's own CRS "
                            f"{_crs_str(loaded.crs)}")
        kind = "lonlat" if crs_in is not None and crs_in.is_geographic else "xy"
    if kind == "xy" and crs_in is not None and crs_in.is_geographic:
        kind = "lonlat"
    in_deg = ok & (np.abs(a) <= 180) & (np.abs(b) <= 90)
    if kind == "xy" and crs_in is None:
        if decide("xy_in_degrees", lambda: bool(ok.any() and in_deg.sum() > 0.5 * ok.sum())):
            notes.append("x/y values lie within lon/lat ranges: read as lon/lat degrees "
                         "(EPSG:4326); pass crs= if they are not")
            return "lonlat", None, "x/y values within lon/lat ranges (WGS 84)"
        fits = decide("xy_grids", lambda: grid_candidates(a[ok], b[ok], zone_at)
                      if ok.any() else [])
        cname = ", ".join(dict.fromkeys(map(str, coords.cols)))
        if len(fits) == 1 and fits[0][0] != 3857:
            epsg, name, lon, lat, zone = fits[0]
            warnings.append(
                f"the CRS of {cname} was not given: read as EPSG:{epsg} ({name}), the only "
                f"common grid that puts them on land where it is used (around {lat:.2f}, "
                f"{lon:.2f}, in {zone}); pass crs='EPSG:{epsg}' if that is right, or the "
                "CRS they are in")
            return "xy", CRS.from_epsg(epsg), ("guessed from the coordinates: the only "
                                               "common grid that fits them")
        raise CRSError(_unknown_crs_message(a, b, ok, cname, fits))
    reason = ("given by the caller" if crs is not None else
              "the data's own CRS" if "geometry" in detected and loaded.crs is not None
              else "lon/lat degrees (WGS 84)")
    return kind, crs_in, reason


def _unknown_crs_message(a: np.ndarray, b: np.ndarray, ok: np.ndarray, cname: str,
                         fits: list[tuple[int, str, float, float, str]]) -> str:
    """Say that projected x/y need crs=, naming the grids they fit and where each puts them."""
    hi = float(np.nanmax(np.abs(np.where(ok, np.maximum(np.abs(a), np.abs(b)), 0))))
    head = f"the coordinates in {cname} are projected (values up to {hi:,.0f}), but their CRS "
    if any(f[0] != 3857 for f in fits):  # Web Mercator alone fits nearly anything
        each = "; ".join(f"EPSG:{e} ({name}) puts them around {lat:.2f}, {lon:.2f} ({zone})"
                         for e, name, lon, lat, zone in fits)
        return (f"{head}is not given and the values fit more than one common grid: {each}. "
                f"Pass the one where your data are, e.g. crs='EPSG:{fits[0][0]}'.")
    return (f"{head}is unknown. Pass the CRS they are in: the EPSG code of your national "
            "grid or State Plane zone, e.g. crs='EPSG:27700' (British National Grid), "
            "'EPSG:2154' (France, Lambert-93), 'EPSG:25832' (ETRS89 / UTM 32N, Germany), "
            "'EPSG:3435' (Illinois East, US feet), or crs='EPSG:3857' for Web Mercator "
            "(ArcGIS/web-map exports, values in the millions of metres).")


def _projected_checks(a: np.ndarray, b: np.ndarray, ok: np.ndarray, invalid: np.ndarray,
                      crs: Any, crs_in: CRS, row_id: np.ndarray, warnings: list[str]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Degree-like values in projected coordinates: an error, or dropped when few."""
    if not crs_in.is_projected:
        msg = f"`crs` {_crs_str(crs_in)} is neither geographic nor projected."
        raise CRSError(msg)
    in_deg = ok & (np.abs(a) <= 180) & (np.abs(b) <= 90)
    nonzero = ok & (a != 0) & (b != 0)
    if nonzero.any() and (in_deg & nonzero).sum() >= 0.95 * nonzero.sum():
        msg = (f"`crs={crs if crs is not None else _crs_str(crs_in)!r}` is projected, "
               "but x/y look like degrees (all within lon/lat ranges); "
               "pass lon=/lat= or crs='EPSG:4326'.")
        raise CRSError(msg)
    big = ok & ((np.abs(a) > 1000) | (np.abs(b) > 1000))
    degree_like = ok & in_deg & ~((a == 0) | (b == 0))
    if big.sum() > 0.5 * ok.sum() and degree_like.any():
        k = int(degree_like.sum())
        warnings.append(
            f"mixed CRS: {k:,} rows have lon/lat-looking values (e.g. "
            f"{a[np.argmax(degree_like)]:.4f}, {b[np.argmax(degree_like)]:.4f}, row_id "
            f"{int(row_id[np.argmax(degree_like)])}) in a file of projected "
            f"coordinates ({_crs_str(crs_in)}); dropped as invalid_coordinates"
        )
        invalid = invalid | degree_like
    zero = ok & ~invalid & ((a == 0) | (b == 0))
    return invalid, zero


def _locate(coords: _Coords, loaded: _Loaded, crs: Any, crs_to: CRS | None,
            detected: dict[str, str], row_id: np.ndarray, notes: list[str],
            warnings: list[str], choices: dict[str, Any]) -> _Placed:
    """Check the coordinates for their CRS and project the usable ones to metres."""
    a, b = coords.a, coords.b
    missing, invalid = coords.missing.copy(), coords.invalid.copy()
    ok = ~missing & ~invalid
    kind, crs_in, crs_reason = _input_crs(coords, loaded, crs, detected, ok, notes, warnings)
    if kind == "lonlat":
        if crs_in is None:
            crs_in = CRS.from_epsg(4326)
        elif not crs_in.is_geographic:
            msg = (f"`crs={crs!r}` is projected, but the coordinates were given as lon/lat "
                   "degrees. Pass x=/y= for projected columns, or a geographic crs.")
            raise CRSError(msg)
        a, b, invalid = _lonlat_checks(a, b, ok, row_id, invalid, warnings, coords.cols)
        zero = ok & ~invalid & (a == 0) & (b == 0)
    else:
        assert crs_in is not None
        invalid, zero = _projected_checks(a, b, ok, invalid, crs, crs_in, row_id, warnings)
    note_choice(choices, "crs_in", _crs_str(crs_in), crs_reason)
    good = ok & ~invalid & ~zero
    if crs_to is not None:
        crs_out, reason = crs_to, "given by the caller (to_crs=)"
    elif good.any():
        crs_out, reason = metric_crs_for(a[good], b[good], crs_in)
    else:
        crs_out, reason = crs_in, "no valid point"
    n = len(a)
    px, py = np.full(n, np.nan), np.full(n, np.nan)
    if good.any():
        px[good], py[good] = transform_xy(a[good], b[good], crs_in, crs_out)
    note_choice(choices, "crs_out", _crs_str(crs_out), reason)
    unproj = good & ~(np.isfinite(px) & np.isfinite(py))
    return _Placed(a, b, px, py, missing, invalid | unproj, zero, good, unproj, kind,
                   crs_in, crs_out)


def _drop_reasons(frame: pd.DataFrame, placed: _Placed, times: _Times,
                  drop_duplicates: bool, study_area: Any, notes: list[str]) -> np.ndarray:
    """Code of the first drop reason of each row (0: kept), in :data:`DROP_REASONS` order."""
    n = len(frame)
    reason_code = np.zeros(n, np.int8)

    def mark(mask: np.ndarray, why: str) -> None:
        reason_code[(reason_code == 0) & mask] = _REASON_CODE[why]

    mark(placed.missing, "missing_coordinates")
    mark(placed.invalid, "invalid_coordinates")
    mark(placed.zero, "zero_coordinates")
    mark(times.failed, "unparseable_time")
    mark(times.implausible, "implausible_date")
    if drop_duplicates:
        try:
            dup = frame.duplicated(keep="first").to_numpy()
        except TypeError:
            dup = frame.astype(str).duplicated(keep="first").to_numpy()
        mark(dup, "duplicate")
    mark(times.outside_period, "outside_period")
    if study_area is not None:
        geom = _study_area_geom(study_area, placed.crs_out, notes)
        cand = reason_code == 0
        inside = np.zeros(n, bool)
        if cand.any():
            shapely.prepare(geom)
            inside[cand] = shapely.intersects_xy(geom, placed.px[cand], placed.py[cand])
        mark(cand & ~inside, "outside_study_area")
    return reason_code


def _raise_nothing_left(dropped: dict[str, int], frame: pd.DataFrame, coords: _Coords,
                        times: _Times) -> None:
    """Every row was dropped: an error naming the main reason and its fix."""
    parts = ", ".join(f"{k} {v:,}" for k, v in dropped.items() if v)
    main_reason = max(dropped, key=lambda k: dropped[k])
    if main_reason == "unparseable_time":
        tcols = ", ".join(map(str, dict.fromkeys(times.failed_names)))
        fix = (f"Check the date/time column(s) ({tcols}), or pass datetime=/start=/end= "
               "explicitly")
    elif main_reason == "outside_study_area":
        fix = "Check that study_area covers the data and has the right CRS"
    elif main_reason == "duplicate":  # pragma: no cover - the first copy is kept
        fix = "Check the data"
    else:
        fix = (f"Check the coordinate columns "
               f"({', '.join(map(str, dict.fromkeys(coords.cols)))}) and their CRS, or "
               "pass lon=/lat= or x=/y=/crs= explicitly")
    msg = (
        f"every one of the {len(frame):,} rows is invalid ({parts}); nothing is left. "
        f"First row: {_row_text(frame, 0)}. {fix}."
    )
    raise InvalidInputError(msg)


def _output(frame: pd.DataFrame, keep: np.ndarray, renamed: list[Any], row_id: np.ndarray,
            placed: _Placed, times: _Times, off_col: Any, loaded: _Loaded,
            schema: str | None, warnings: list[str]
            ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Build the kept rows: canonical columns, every original column, points in metres."""
    kidx = np.flatnonzero(keep)
    q_kept = times.quality[kidx]
    kx, ky = placed.px[kidx], placed.py[kidx]
    is_ll = placed.kind == "lonlat"
    warnings += _quality_warnings(placed.a[kidx] if is_ll else None,
                                  placed.b[kidx] if is_ll else None,
                                  kx, ky, row_id[kidx], q_kept, times.slots_per_day)
    canon: dict[str, Any] = {"row_id": row_id[kidx]}
    if loaded.source_file is not None:
        canon["source_file"] = loaded.source_file[kidx]
    canon["occurred_at"] = times.occurred_at.iloc[kidx].array
    if times.occurred_from is not None and times.occurred_to is not None:
        canon["occurred_from"] = times.occurred_from.iloc[kidx].array
        canon["occurred_to"] = times.occurred_to.iloc[kidx].array
    if off_col is not None:
        canon["offence"] = pd.Categorical(frame[off_col].iloc[kidx].to_numpy())
    canon["time_quality"] = pd.Categorical.from_codes(q_kept, categories=list(TIME_QUALITIES))
    canon["location_quality"], stacks, stack_line = location_quality(
        kx, ky, frame.iloc[kidx], placed.crs_out,
        snapped=decide("snapped", lambda: schema == "police.uk" or _is_snapped(kx, ky)))
    if stack_line:
        warnings.append(stack_line)
    head = pd.DataFrame(canon)
    body = frame.copy(deep=False) if keep.all() else frame.iloc[kidx].reset_index(drop=True)
    body.columns = renamed
    out = pd.concat([head, body], axis=1)
    result = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(shapely.points(kx, ky)).values,
                              crs=placed.crs_out)
    remember(result.geometry, kx, ky)  # counting the new frame reads no coordinates
    return result, stacks


def _report(frame: pd.DataFrame, keep: np.ndarray, renamed: list[Any], row_id: np.ndarray,
            reason_code: np.ndarray, dropped: dict[str, int], placed: _Placed,
            times: _Times, loaded: _Loaded, detected: dict[str, str], notes: list[str],
            warnings: list[str]) -> IngestReport:
    """Build the IngestReport: counts, dropped rows with their reasons, detections."""
    n = len(frame)
    didx = np.flatnonzero(~keep)
    dropped_rows = frame.iloc[didx].reset_index(drop=True)
    dropped_rows.columns = renamed
    dropped_rows.insert(0, "row_id", row_id[didx])
    if loaded.source_file is not None:
        dropped_rows.insert(1, "source_file", loaded.source_file[didx])
    dropped_rows["reason"] = pd.Categorical.from_codes(
        reason_code[didx] - 1, categories=list(DROP_REASONS))
    if sum(dropped.values()) > 0.1 * n:
        warnings.append(f"{sum(dropped.values()):,} of {n:,} rows "
                        f"({sum(dropped.values()) / n:.0%}) were dropped")
    orig_cols = list(frame.columns)
    if renamed != [str(c) if not isinstance(c, str) else c for c in orig_cols]:
        pairs = [f"{o!r} -> {r!r}" for o, r in zip(orig_cols, renamed, strict=True) if o != r]
        if pairs:
            notes.append("original columns renamed to avoid output names: " + ", ".join(pairs))
    tq = np.bincount(times.quality[keep], minlength=len(TIME_QUALITIES))
    report = IngestReport(
        rows_read=n,
        rows_kept=int(keep.sum()),
        dropped=dropped,
        dropped_rows=dropped_rows,
        warnings=warnings,
        detected=detected,
        crs_in=_crs_str(placed.crs_in),
        crs_out=_crs_str(placed.crs_out),
        time_quality={k: int(v) for k, v in zip(TIME_QUALITIES, tq, strict=True)},
        sources=list(loaded.files),
        notes=notes,
        time_zone=times.zone,
        time_zone_source=times.zone_how,
    )
    assert report.rows_read == report.rows_kept + report.rows_dropped
    return report


def _row_text(frame: pd.DataFrame, i: int) -> str:
    row = frame.iloc[i]
    items = [f"{k}={_fmt_value(v)}" for k, v in list(row.items())[:6]]
    return "row_id 0 (" + ", ".join(items) + ")"


def _rename_collisions(cols: list[Any]) -> list[Any]:
    taken = set(cols) | set(CANONICAL) | {"reason"}
    out = []
    for c in cols:
        if c in CANONICAL or c == "reason":
            new = f"{c}_original"
            k = 2
            while new in taken:
                new = f"{c}_original{k}"
                k += 1
            taken.add(new)
            out.append(new)
        else:
            out.append(c)
    return out


def _describe(source: Any) -> str:
    if isinstance(source, (str, Path)):
        return str(source)
    return f"{type(source).__name__} ({len(source):,} rows)"

