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
    When the incident happened (datetime64). Time-zone rule: tz-aware input is kept
    (converted to ``tz`` when given); naive input is localized to ``tz`` when given
    (ambiguous DST times are read as standard time, non-existent ones shifted
    forward); police.uk data defaults to ``Europe/London``; epoch numbers are UTC.
    Otherwise naive times stay **naive local clock time** and the report says so:
    pass ``tz="America/Chicago"`` (for example) before darkness analyses. ``NaT``
    when unknown.
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
``"duplicate"`` (only with ``drop_duplicates=True``: an exact copy of an earlier row
in every original column), ``"outside_study_area"``.

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
sample are scored on up to 1,000 distinct values and the best is applied to the whole
column, the next ones to the rows it missed. Month/day order follows the first format
that reads every sampled value (US ``%m/%d`` before ``%d/%m``). Numbers are epoch
seconds/ms/us/ns (UTC) by magnitude, or ``YYYYMMDD``; all-digit text of 10 or 13 digits
is read as epoch seconds/ms like numbers; time columns accept ``"21:30"``,
``"9:30 PM"``, ``2130``/``"0930"`` (HHMM) and day fractions; an HHMM value with hour
>= 24 or minute >= 60 (``"2575"``, ``"9999"``, and ``"2400"``, which is not read as end
of day) is dropped as ``"unparseable_time"``, never read as midnight.
"""

from __future__ import annotations

import difflib
import glob as _glob
import gzip
import re
import warnings as _warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pandas.api import types as ptypes
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as _PyprojCRSError

from ._meta import attach, get_meta, note_choice
from ._validation import metres_factor
from .exceptions import CRSError, DataQualityWarning, InvalidInputError

__all__ = [
    "DROP_REASONS",
    "TIME_QUALITIES",
    "IngestReport",
    "ingest_report",
    "project",
    "read_incidents",
    "utm_crs",
]

DROP_REASONS: tuple[str, ...] = (
    "missing_coordinates",
    "invalid_coordinates",
    "zero_coordinates",
    "unparseable_time",
    "duplicate",
    "outside_study_area",
)
"""Fixed vocabulary of drop reasons, in the order they are checked."""

TIME_QUALITIES: tuple[str, ...] = (
    "exact",
    "midnight",
    "date_only",
    "month_only",
    "window",
    "missing",
)
"""Fixed vocabulary of the ``time_quality`` column."""

CANONICAL = (
    "row_id",
    "source_file",
    "occurred_at",
    "occurred_from",
    "occurred_to",
    "offence",
    "time_quality",
    "geometry",
)

_VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb", ".gml", ".kml", ".zip")
_PARQUET_SUFFIXES = (".parquet", ".geoparquet", ".pq")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".tsv", ".tsv.gz", ".txt.gz", ".csv.bz2",
                 ".csv.zip", ".csv.xz")
_SUPPORTED = "CSV (.csv, .csv.gz, .tsv, .txt), GeoJSON, GeoPackage, Shapefile, FlatGeobuf, " \
    "Parquet/GeoParquet, a folder or glob of CSVs, a pandas DataFrame or a GeoDataFrame"

_REASON_CODE = {r: i + 1 for i, r in enumerate(DROP_REASONS)}
_RES_DATETIME, _RES_DATE, _RES_MONTH = 0, 1, 2
_FAR_KM = 50.0
_SAMPLE = 1000

# --------------------------------------------------------------------------------------
# Column-name vocabularies (compared after lower-casing and removing every
# non-alphanumeric character, so "Date Occurred", "DATE_OCCURRED" and "dateOccurred"
# are the same name). Order is priority.
# --------------------------------------------------------------------------------------
_LON = ["longitude", "lon", "lng", "long", "x_longitude", "longitude_x", "lon_x",
        "longitud", "geo_lon", "gps_longitude", "point_longitude", "location_longitude",
        "longitude_wgs84", "wgs84_longitude", "decimal_longitude", "intptlon", "lon_dd",
        "long_dd", "longitude_dd", "map_longitude"]
_LAT = ["latitude", "lat", "y_latitude", "latitude_y", "lat_y", "latitud", "geo_lat",
        "gps_latitude", "point_latitude", "location_latitude", "latitude_wgs84",
        "wgs84_latitude", "decimal_latitude", "intptlat", "lat_dd", "latitude_dd",
        "map_latitude"]
_X = ["x", "x_coord", "x_coordinate", "xcoord", "point_x", "x_ft", "x_m", "easting",
      "x_coord_cd", "coord_x", "x_coordinates", "xcoordinate", "x_pos", "map_x", "gis_x",
      "x_state_plane", "state_plane_x", "x_value", "xcoor", "x_cord", "east", "xblock",
      "x_block", "pointx", "shape_x"]
_Y = ["y", "y_coord", "y_coordinate", "ycoord", "point_y", "y_ft", "y_m", "northing",
      "y_coord_cd", "coord_y", "y_coordinates", "ycoordinate", "y_pos", "map_y", "gis_y",
      "y_state_plane", "state_plane_y", "y_value", "ycoor", "y_cord", "north", "yblock",
      "y_block", "pointy", "shape_y"]
_LOCATION = ["location", "geocoded_location", "geolocation", "geo_location", "the_geom",
             "geom", "geometry", "wkt", "shape", "point", "location_1", "mapped_location",
             "lat_lon", "latlon", "lat_long", "latlong", "latitude_longitude", "coordinates",
             "coords", "geo_point", "geopoint", "geo_point_2d", "location_point", "gps",
             "position", "new_georeferenced_column", "incident_location"]
_DATETIME = ["occurred_at", "occurred_on_date", "occurred_on", "occurred_datetime",
             "occurred_date_time", "occurrence_datetime", "occurrence_date_time",
             "occurrence_date", "occurred_date", "date_occurred", "date_occ", "occ_date",
             "occ_datetime", "occ_dt", "date_of_occurrence", "datetime", "date_time",
             "incident_datetime", "incident_date_time", "incident_date", "offense_datetime",
             "offense_date", "offence_date", "offence_datetime", "crime_datetime",
             "crime_date", "event_datetime", "event_date", "timestamp", "time_stamp",
             "dispatch_date_time", "dispatch_date", "call_datetime", "date",
             "reported_datetime", "report_datetime", "reported_date", "report_date",
             "date_reported", "date_rptd", "rpt_date", "requested_datetime", "created_at",
             "open_dt", "dt", "month"]
_TIME = ["time", "time_occurred", "time_occ", "occ_time", "occurred_time",
         "occurrence_time", "incident_time", "offense_time", "offence_time", "crime_time",
         "event_time", "time_of_day", "hhmm", "hour_minute", "occurred_on_time",
         "dispatch_time"]
_START = ["occurred_from", "from_date", "fromdate", "date_from", "from_datetime",
          "from_date_time", "first_occurrence_date", "first_occurrence_datetime",
          "first_occurrence", "occ_from_date", "occurred_from_date", "cmplnt_fr_dt",
          "start_date", "start_datetime", "start_date_time", "startdate", "date_start",
          "begin_date", "earliest_date", "earliest_occurrence", "created_date",
          "creation_date", "opened_date"]
_END = ["occurred_to", "to_date", "todate", "date_to", "to_datetime", "to_date_time",
        "last_occurrence_date", "last_occurrence_datetime", "last_occurrence",
        "occ_to_date", "occurred_to_date", "cmplnt_to_dt", "end_date", "end_datetime",
        "end_date_time", "enddate", "date_end", "latest_date", "latest_occurrence",
        "completed_date", "completion_date", "closed_date", "close_date", "closed_dt"]
_OFFENCE = ["offence", "offense", "crime_type", "offense_type", "offence_type",
            "primary_type", "offense_category", "offence_category", "crime_category",
            "category", "offense_description", "offence_description", "crm_cd_desc",
            "ofns_desc", "offense_code_group", "text_general_code", "ucr_category",
            "nibrs_offense", "offense_name", "crime_description", "crime", "incident_type",
            "offense_group", "incident_category", "offense_type_id", "offense_category_id",
            "crime_type_desc",
            "nibrs_description", "ucr_description", "statute_description", "charge",
            "type", "description"]
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
# Report
# --------------------------------------------------------------------------------------
@dataclass(eq=False)
class IngestReport:
    """What :func:`read_incidents` read, detected, kept, dropped and warned about.

    Attributes
    ----------
    rows_read : int
        Rows in the source (all files together).
    rows_kept : int
        Rows in the returned frame. Always
        ``rows_read == rows_kept + sum(dropped.values())``.
    dropped : dict[str, int]
        Reason -> number of rows dropped, for every reason of :data:`DROP_REASONS`
        (zero included).
    dropped_rows : pandas.DataFrame
        The dropped rows: their original columns, ``row_id`` (position in the source),
        ``source_file`` for multi-file sources, and ``reason``.
    warnings : list[str]
        Data-quality warnings (rows are kept): placeholder midnight times, rounded or
        snapped coordinates, suspected swapped lat/lon, rows far from the rest, mixed
        CRSs, naive times, windows ending before they start.
    detected : dict[str, str]
        Role -> column name used, e.g. ``{"lon": "longitude", "lat": "latitude",
        "datetime": "date"}``. Roles: lon, lat, x, y, location, geometry, datetime,
        time, start, start_time, end, end_time, year, month, day, hour, minute, offence.
    crs_in, crs_out : str or None
        CRS of the input coordinates and of the output geometry (``"EPSG:32616"``...).
    time_quality : dict[str, int]
        Count of kept rows per value of :data:`TIME_QUALITIES`.
    sources : list[str]
        Files read (empty for DataFrame input).
    notes : list[str]
        Informational notes (automatic choices, schema recognised...).
    """

    rows_read: int
    rows_kept: int
    dropped: dict[str, int]
    dropped_rows: pd.DataFrame
    warnings: list[str]
    detected: dict[str, str]
    crs_in: str | None
    crs_out: str | None
    time_quality: dict[str, int]
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __deepcopy__(self, memo: dict[int, Any]) -> IngestReport:
        # pandas deep-copies ``attrs`` on many operations; the report is shared, not copied.
        return self

    def __copy__(self) -> IngestReport:
        return self

    @property
    def rows_dropped(self) -> int:
        """Total number of dropped rows."""
        return int(sum(self.dropped.values()))

    def __str__(self) -> str:
        def n(v: int) -> str:
            return f"{v:,}"

        lines = ["Incident ingest report"]
        if self.sources:
            shown = ", ".join(Path(s).name for s in self.sources[:4])
            more = f" (+{len(self.sources) - 4} more)" if len(self.sources) > 4 else ""
            lines.append(f"  source:       {shown}{more}")
        lines.append(f"  rows read:    {n(self.rows_read)}")
        lines.append(f"  rows kept:    {n(self.rows_kept)}")
        lines.append(f"  rows dropped: {n(self.rows_dropped)}")
        for reason, count in self.dropped.items():
            if count:
                lines.append(f"    {reason}: {n(count)}")
        if self.detected:
            det = ", ".join(f"{k}={v}" for k, v in self.detected.items())
            lines.append(f"  columns:      {det}")
        lines.append(f"  CRS:          {self.crs_in} -> {self.crs_out}")
        tq = ", ".join(f"{k} {n(v)}" for k, v in self.time_quality.items() if v)
        lines.append(f"  time quality: {tq or 'none'}")
        if self.warnings:
            lines.append(f"  warnings ({len(self.warnings)}):")
            lines.extend(f"    - {w}" for w in self.warnings)
        if self.notes:
            lines.append("  notes:")
            lines.extend(f"    - {s}" for s in self.notes)
        if self.rows_dropped:
            lines.append("  dropped rows: hs.ingest_report(incidents).dropped_rows")
        return "\n".join(lines)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython
        p.text(str(self))


def ingest_report(incidents: pd.DataFrame) -> IngestReport:
    """Return the :class:`IngestReport` that :func:`read_incidents` attached.

    Parameters
    ----------
    incidents : geopandas.GeoDataFrame
        A frame returned by :func:`read_incidents` (or derived from one: pandas
        carries ``attrs`` through most operations).

    Returns
    -------
    IngestReport

    Raises
    ------
    InvalidInputError
        If the frame was not made by :func:`read_incidents`.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspot.incidents import read_incidents, ingest_report
    >>> import warnings; warnings.simplefilter("ignore")
    >>> df = pd.DataFrame({"lon": [-87.63, -87.62, None], "lat": [41.88, 41.89, 41.9]})
    >>> report = ingest_report(read_incidents(df))
    >>> report.rows_read, report.rows_kept, report.dropped["missing_coordinates"]
    (3, 2, 1)
    >>> report.dropped_rows[["row_id", "reason"]].values.tolist()
    [[2, 'missing_coordinates']]
    """
    entry = get_meta(incidents).get("ingest")
    report = entry.get("report") if isinstance(entry, dict) else None
    if not isinstance(report, IngestReport):
        msg = (
            "this frame was not made by `hs.read_incidents(...)` (its "
            "attrs['hotspot']['ingest'] holds no IngestReport). Read the data with "
            "`hs.read_incidents(...)` to get an ingest report."
        )
        raise InvalidInputError(msg)
    return report


# --------------------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------------------
def utm_crs(lon: float, lat: float) -> CRS:
    """Return the WGS 84 / UTM zone CRS (EPSG:326zz north, 327zz south) for a location.

    Zones follow the standard 6° formula with the Norway (32V) and Svalbard (31X–37X)
    exceptions. UPS near the poles is not used.

    Parameters
    ----------
    lon, lat : float
        Location in degrees (WGS 84).

    Returns
    -------
    pyproj.CRS

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
    lon = ((lon + 180.0) % 360.0) - 180.0
    zone = int((lon + 180.0) // 6.0) + 1
    zone = min(max(zone, 1), 60)
    if 56.0 <= lat < 64.0 and 3.0 <= lon < 12.0:
        zone = 32
    if 72.0 <= lat < 84.0:
        for lo, hi, z in ((0, 9, 31), (9, 21, 33), (21, 33, 35), (33, 42, 37)):
            if lo <= lon < hi:
                zone = z
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def _crs_str(crs: CRS | None) -> str | None:
    if crs is None:
        return None
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def _is_metric(crs: CRS) -> bool:
    """Projected in metres, and not Web Mercator (whose 'metres' are ~1/cos(lat) too long)."""
    if not crs.is_projected or abs(metres_factor(crs) - 1.0) > 1e-12:
        return False
    op = getattr(crs, "coordinate_operation", None)
    method = (op.method_name if op is not None else "") or ""
    return "pseudo" not in method.lower() and crs.to_epsg() not in (3857, 900913, 3395)


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
    >>> from hotspot.incidents import project
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([-87.63], [41.88]), crs=4326)
    >>> project(pts).crs.to_epsg()
    32616
    >>> round(project(pts).geometry.x.iloc[0])
    447727
    """
    if not isinstance(gdf, (gpd.GeoDataFrame, gpd.GeoSeries)):
        msg = f"`gdf` must be a GeoDataFrame or GeoSeries, got {type(gdf).__name__}."
        raise TypeError(msg)
    if gdf.crs is None:
        msg = (
            "`gdf` has no CRS, so it cannot be re-projected. Set the CRS the coordinates "
            "are in first, e.g. `gdf.set_crs('EPSG:4326')` for lon/lat."
        )
        raise CRSError(msg)
    choices: dict[str, Any] = {}
    if crs is not None:
        target = _to_crs(crs, "crs")
        if not _is_metric(target):
            msg = (
                f"`crs={crs!r}` is not a projected CRS in metres (or is Web Mercator, whose "
                "distances are stretched); hotspot measures distances in metres. Pass a "
                "metric CRS, or crs=None for the local UTM zone."
            )
            raise CRSError(msg)
        reason = "given by the caller"
    elif _is_metric(gdf.crs):
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
        lon, lat = _median_lonlat(xs, ys, gdf.crs)
        target = utm_crs(lon, lat)
        reason = f"UTM zone of the median location (lon {lon:.3f}, lat {lat:.3f})"
    note_choice(choices, "crs", _crs_str(target), reason)
    out = gdf.to_crs(target) if not target.equals(gdf.crs) else gdf.copy()
    return attach(out, "project", {"crs": None if crs is None else str(crs)}, choices)


# --------------------------------------------------------------------------------------
# Loading sources
# --------------------------------------------------------------------------------------
@dataclass
class _Loaded:
    frame: pd.DataFrame  # original (non-geometry) columns, RangeIndex
    geometry: gpd.GeoSeries | None = None
    crs: CRS | None = None
    files: list[str] = field(default_factory=list)
    source_file: np.ndarray | None = None  # per row, multi-file only
    notes: list[str] = field(default_factory=list)


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for s in sorted(_CSV_SUFFIXES + _VECTOR_SUFFIXES + _PARQUET_SUFFIXES, key=len,
                    reverse=True):
        if name.endswith(s):
            return s
    return path.suffix.lower()


def _sniff_delimiter(path: Path, suffix: str) -> str:
    if suffix.startswith(".tsv"):
        return "\t"
    opener = gzip.open if suffix.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            head = fh.readline()
    except (OSError, EOFError):
        return ","
    counts = {d: head.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_csv(path: Path, suffix: str) -> pd.DataFrame:
    sep = _sniff_delimiter(path, suffix) if suffix in (".csv", ".csv.gz", ".txt", ".txt.gz",
                                                       ".tsv", ".tsv.gz") else ","
    errors: list[str] = []
    attempts: list[dict[str, Any]] = []
    if suffix in (".csv", ".csv.gz", ".txt", ".txt.gz", ".tsv", ".tsv.gz"):
        attempts.append({"engine": "pyarrow"})
    attempts += [{"engine": "c", "low_memory": False},
                 {"engine": "c", "low_memory": False, "encoding": "latin-1"}]
    for kw in attempts:
        try:
            df = pd.read_csv(path, sep=sep, **kw)
        except Exception as exc:
            errors.append(f"{kw['engine']}: {exc}")
            continue
        df.columns = [str(c).lstrip("\ufeff").strip() for c in df.columns]
        return _fix_arrow_objects(df)
    msg = (
        f"could not read {path.name} as a {sep!r}-separated CSV file: {errors[-1]}. "
        "Check that the file is a delimited text file with one header line."
    )
    raise InvalidInputError(msg)


def _fix_arrow_objects(df: pd.DataFrame) -> pd.DataFrame:
    """Turn object columns of datetime.date into datetime64 and datetime.time into text.

    The pyarrow CSV reader infers date32/time32 columns, which pandas holds as Python
    objects; everything else is left as read.
    """
    import datetime as _dt

    for col in df.columns:
        s = df[col]
        if s.dtype != object:
            continue
        first = s.dropna()
        if first.empty:
            continue
        v = first.iloc[0]
        if isinstance(v, _dt.date) and not isinstance(v, _dt.datetime):
            df[col] = pd.to_datetime(s, errors="coerce")
        elif isinstance(v, _dt.time):
            df[col] = s.map(lambda t: t.isoformat() if isinstance(t, _dt.time) else t)
    return df


def _read_file(path: Path) -> _Loaded:
    suffix = _suffix(path)
    if suffix in _CSV_SUFFIXES:
        return _Loaded(_read_csv(path, suffix), files=[str(path)])
    if suffix in _PARQUET_SUFFIXES:
        try:
            gdf = gpd.read_parquet(path)
        except (ValueError, KeyError, TypeError):
            try:
                return _Loaded(pd.read_parquet(path), files=[str(path)])
            except Exception as exc:
                msg = f"could not read {path.name} as Parquet: {exc}."
                raise InvalidInputError(msg) from None
        except Exception as exc:
            msg = f"could not read {path.name} as (Geo)Parquet: {exc}."
            raise InvalidInputError(msg) from None
        loaded = _from_geodataframe(gdf)
        loaded.files = [str(path)]
        return loaded
    if suffix in _VECTOR_SUFFIXES:
        try:
            gdf = gpd.read_file(path)
        except Exception as exc:
            msg = f"could not read {path.name} as a vector GIS file: {exc}."
            raise InvalidInputError(msg) from None
        if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.isna().all():
            loaded = _Loaded(pd.DataFrame(gdf.drop(columns="geometry", errors="ignore")))
        else:
            loaded = _from_geodataframe(gdf)
        loaded.files = [str(path)]
        return loaded
    msg = (
        f"unsupported file format {suffix or '(no extension)'!r} for {path.name}. "
        f"read_incidents reads {_SUPPORTED}. Convert the file (e.g. save it as CSV) or "
        "read it with pandas/geopandas and pass the frame."
    )
    raise InvalidInputError(msg)


def _from_geodataframe(gdf: gpd.GeoDataFrame) -> _Loaded:
    geom = gdf.geometry
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    return _Loaded(frame.reset_index(drop=True), geometry=geom.reset_index(drop=True),
                   crs=gdf.crs)


def _expand_paths(source: str | Path) -> tuple[list[Path], list[str]]:
    """Files of a path, folder or glob; police.uk ``*-street.csv`` files preferred."""
    notes: list[str] = []
    text = str(source)
    if any(ch in text for ch in "*?[") and not Path(text).exists():
        files = sorted(Path(p) for p in _glob.glob(text, recursive=True) if Path(p).is_file())
        if not files:
            msg = (f"no file matches the pattern {text!r}. Check the folder and the "
                   "pattern, e.g. 'data/*/*-street.csv'.")
            raise FileNotFoundError(msg)
        return files, notes
    path = Path(text).expanduser()
    if not path.exists():
        parent = path.parent
        hint = ""
        if parent.is_dir():
            near = difflib.get_close_matches(path.name, [p.name for p in parent.iterdir()], 3)
            if near:
                hint = f" Did you mean {', '.join(map(repr, near))}?"
        msg = f"no such file or folder: {str(path)!r}.{hint}"
        raise FileNotFoundError(msg)
    if path.is_file():
        return [path], notes
    files = sorted(p for p in path.iterdir() if p.is_file() and _suffix(p) in _CSV_SUFFIXES)
    if not files:
        files = sorted(p for p in path.rglob("*") if p.is_file() and _suffix(p) in
                       _CSV_SUFFIXES)
    street = [p for p in files if "-street." in p.name.lower()]
    if street and len(street) < len(files):
        notes.append(f"read the {len(street)} police.uk '*-street.csv' files of the folder "
                     f"and skipped {len(files) - len(street)} other CSV files")
        files = street
    if not files:
        msg = (f"the folder {str(path)!r} holds no CSV files. Pass a file, or a folder of "
               "police.uk monthly '*-street.csv' files.")
        raise FileNotFoundError(msg)
    return files, notes


def _load(source: Any) -> _Loaded:
    if isinstance(source, gpd.GeoDataFrame):
        if source.columns.duplicated().any():
            _dup_columns(source)
        if source._geometry_column_name not in source.columns:
            return _Loaded(pd.DataFrame(source).reset_index(drop=True))
        return _from_geodataframe(source)
    if isinstance(source, pd.DataFrame):
        frame = source
        if frame.index.names != [None] and not isinstance(frame.index, pd.RangeIndex):
            frame = frame.reset_index()
        return _Loaded(pd.DataFrame(frame).reset_index(drop=True))
    if not isinstance(source, (str, Path)):
        msg = (f"`source` must be a path, folder, glob pattern, pandas DataFrame or "
               f"GeoDataFrame, got {type(source).__name__}. read_incidents reads {_SUPPORTED}.")
        raise TypeError(msg)
    files, notes = _expand_paths(source)
    parts = [_read_file(p) for p in files]
    if len(parts) == 1:
        parts[0].notes += notes
        return parts[0]
    return _concat(parts, files, notes)


def _concat(parts: list[_Loaded], files: list[Path], notes: list[str]) -> _Loaded:
    crs = next((p.crs for p in parts if p.crs is not None), None)
    geoms = []
    has_geom = any(p.geometry is not None for p in parts)
    for p in parts:
        if has_geom:
            g = p.geometry if p.geometry is not None else gpd.GeoSeries([None] * len(p.frame))
            if p.crs is not None and crs is not None and not p.crs.equals(crs):
                g = g.to_crs(crs)
                notes.append(f"{Path(p.files[0]).name} re-projected to {_crs_str(crs)}")
            geoms.append(g.set_crs(crs, allow_override=True) if crs else g)
    frame = pd.concat([p.frame for p in parts], ignore_index=True, sort=False)
    names = np.concatenate([np.full(len(p.frame), Path(f).name, dtype=object)
                            for p, f in zip(parts, files, strict=True)])
    geometry = (gpd.GeoSeries(pd.concat(geoms, ignore_index=True), crs=crs)
                if has_geom else None)
    return _Loaded(frame, geometry=geometry, crs=crs, files=[str(f) for f in files],
                   source_file=names, notes=notes)


def _dup_columns(frame: pd.DataFrame) -> None:
    dups = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    msg = (f"the data has duplicate column names: {', '.join(dups)}. Rename them so that "
           "every column name is unique.")
    raise InvalidInputError(msg)


# --------------------------------------------------------------------------------------
# Column detection
# --------------------------------------------------------------------------------------
def _squash(name: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _tokens(name: Any) -> set[str]:
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", str(name)).lower()
    return {t for t in re.split(r"[^a-z0-9]+", s) if t}


class _Columns:
    """Name lookup over a frame's columns (case, spaces and punctuation ignored)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.by_squash: dict[str, Any] = {}
        for c in frame.columns:
            self.by_squash.setdefault(_squash(c), c)
        self.used: set[Any] = set()

    def find(self, candidates: Sequence[str], ok: Any = None) -> Any:
        for cand in candidates:
            col = self.by_squash.get(_squash(cand))
            if col is not None and col not in self.used and (ok is None or ok(col)):
                return col
        return None

    def find_tokens(self, tokens: set[str], ok: Any = None, substr: str | None = None) -> Any:
        for c in self.frame.columns:
            if c in self.used:
                continue
            if (_tokens(c) & tokens or (substr and substr in _squash(c))) and (
                ok is None or ok(c)
            ):
                return c
        return None

    def user(self, value: Any, arg: str) -> Any:
        """Resolve a column named by the caller (exact, then case-insensitive)."""
        if not isinstance(value, str):
            if value in self.frame.columns:
                return value
            msg = f"`{arg}` must be a column name (str), got {type(value).__name__}."
            raise TypeError(msg)
        if value in self.frame.columns:
            return value
        col = self.by_squash.get(_squash(value))
        if col is not None:
            return col
        names = [str(c) for c in self.frame.columns]
        lower = {n.lower(): n for n in names}
        near = [lower[m] for m in difflib.get_close_matches(value.lower(), list(lower), 3, 0.5)]
        hint = f" Did you mean {', '.join(map(repr, near))}?" if near else ""
        shown = ", ".join(names[:40]) + (" ..." if len(names) > 40 else "")
        msg = f"`{arg}={value!r}`: no such column.{hint} Available columns: {shown}."
        raise InvalidInputError(msg)


def _numeric_share(s: pd.Series) -> float:
    """Share of the non-empty values of a sample that are numbers."""
    if ptypes.is_bool_dtype(s):
        return 0.0
    if ptypes.is_numeric_dtype(s):
        return 1.0
    if not (ptypes.is_object_dtype(s) or ptypes.is_string_dtype(s)):
        return 0.0
    sample = s.dropna().head(_SAMPLE)
    if sample.empty:
        return 0.0
    txt = sample.astype("string").str.strip()
    txt = txt[txt != ""]
    if txt.empty:
        return 0.0
    return float(pd.to_numeric(txt, errors="coerce").notna().mean())


# --------------------------------------------------------------------------------------
# Coordinates
# --------------------------------------------------------------------------------------
@dataclass
class _Coords:
    a: np.ndarray  # lon or x
    b: np.ndarray  # lat or y
    missing: np.ndarray
    invalid: np.ndarray
    kind: str  # "lonlat" | "xy"
    cols: tuple[Any, Any]  # column names for messages ("geometry" for geometries)


def _to_float(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values, missing mask (empty) and invalid mask (non-numeric or non-finite)."""
    if ptypes.is_numeric_dtype(s) and not ptypes.is_bool_dtype(s):
        v = s.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(v)
        return v, missing, ~missing & ~np.isfinite(v)
    isna = s.isna().to_numpy()
    if ptypes.is_bool_dtype(s):
        return np.full(len(s), np.nan), isna, ~isna
    txt = s.astype("string").str.strip()
    empty = isna | (txt == "").fillna(True).to_numpy(dtype=bool)
    v = pd.to_numeric(txt, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~empty & np.isnan(v)
    if bad.any() and txt[bad].str.fullmatch(r"[-+]?\d+,\d+").fillna(False).mean() > 0.5:
        # decimal commas ("41,88"): European exports
        alt = pd.to_numeric(txt[bad].str.replace(",", ".", regex=False), errors="coerce")
        v[bad] = alt.to_numpy(dtype=float, na_value=np.nan)
    return v, empty, ~empty & ~np.isfinite(v)


_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_WKT_RE = re.compile(rf"(?i)POINT\s*(?:Z|M|ZM)?\s*\(\s*({_NUM})\s+({_NUM})")
_PAIR_RE = re.compile(rf"^[\(\[\{{]?\s*({_NUM})\s*[,;\s]\s*({_NUM})\s*[\)\]\}}]?$")


def _parse_location(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                           str]:
    """Parse 'POINT (x y)' WKT or '(lat, lon)' text. Returns a, b, missing, invalid, order."""
    txt = s.astype("string").str.strip()
    isna = s.isna().to_numpy()
    empty = isna | (txt == "").fillna(True).to_numpy(dtype=bool)
    empty |= txt.str.fullmatch(r"(?i)POINT\s*EMPTY").fillna(False).to_numpy(dtype=bool)
    wkt = txt.str.extract(_WKT_RE)
    pair = txt.str.extract(_PAIR_RE)
    wa = pd.to_numeric(wkt[0], errors="coerce").to_numpy(float, na_value=np.nan)
    wb = pd.to_numeric(wkt[1], errors="coerce").to_numpy(float, na_value=np.nan)
    pa = pd.to_numeric(pair[0], errors="coerce").to_numpy(float, na_value=np.nan)
    pb = pd.to_numeric(pair[1], errors="coerce").to_numpy(float, na_value=np.nan)
    # "(lat, lon)" is the Socrata convention, unless the first number is not a latitude
    ok = np.isfinite(pa) & np.isfinite(pb)
    lon_first = ok.any() and bool(np.any(np.abs(pa[ok]) > 90) and np.all(np.abs(pb[ok]) <= 90))
    if not lon_first:
        pa, pb = pb, pa
    use_wkt = np.isfinite(wa) & np.isfinite(wb)
    a = np.where(use_wkt, wa, pa)
    b = np.where(use_wkt, wb, pb)
    invalid = ~empty & ~(np.isfinite(a) & np.isfinite(b))
    order = "WKT POINT (x y)" if use_wkt.sum() >= ok.sum() else (
        "'lon, lat' pairs" if lon_first else "'(lat, lon)' pairs")
    return a, b, empty, invalid, order


def _location_share(s: pd.Series) -> float:
    if not (ptypes.is_object_dtype(s) or ptypes.is_string_dtype(s)):
        return 0.0
    sample = s.dropna().head(200)
    if sample.empty:
        return 0.0
    _, _, empty, invalid, _ = _parse_location(sample)
    n = int((~empty).sum())
    return float((~invalid & ~empty).sum() / n) if n else 0.0


def _resolve_coordinates(loaded: _Loaded, cols: _Columns, args: dict[str, Any],
                         detected: dict[str, str], choices: dict[str, Any],
                         notes: list[str]) -> _Coords:
    frame = cols.frame
    lon, lat, x, y = args["lon"], args["lat"], args["x"], args["y"]
    if (lon is None) != (lat is None):
        msg = "pass both `lon=` and `lat=` (the longitude and latitude columns), or neither."
        raise InvalidInputError(msg)
    if (x is None) != (y is None):
        msg = "pass both `x=` and `y=` (the easting and northing columns), or neither."
        raise InvalidInputError(msg)
    if lon is not None and x is not None:
        msg = "pass either `lon=`/`lat=` (degrees) or `x=`/`y=` (projected), not both."
        raise InvalidInputError(msg)
    kind = None
    if lon is not None:
        a_col, b_col, kind = cols.user(lon, "lon"), cols.user(lat, "lat"), "lonlat"
    elif x is not None:
        a_col, b_col, kind = cols.user(x, "x"), cols.user(y, "y"), "xy"
    elif loaded.geometry is not None:
        return _coords_from_geometry(loaded, detected, choices, notes)
    else:
        def numeric(c: Any) -> bool:
            if _squash(c) in {"longitude", "latitude", "lon", "lat", "lng"}:
                return True  # unambiguous names: bad values are reported row by row
            return _numeric_share(frame[c]) >= 0.5 or bool(frame[c].isna().all())

        a_col = cols.find(_LON, numeric)
        b_col = cols.find(_LAT, numeric) if a_col is not None else None
        if a_col is None or b_col is None:
            a_col = cols.find_tokens({"lon", "lng", "long"}, numeric, "longitude")
            b_col = cols.find_tokens({"lat"}, numeric, "latitude") if a_col is not None \
                else None
        kind = "lonlat" if a_col is not None and b_col is not None else None
        crs_arg = args["crs"]
        xa = cols.find(_X, numeric)
        xb = cols.find(_Y, numeric) if xa is not None else None
        if kind and xa is not None and xb is not None:
            given = _to_crs(crs_arg, "crs") if crs_arg is not None else None
            if given is not None and given.is_projected:
                a_col, b_col, kind = xa, xb, "xy"
                notes.append(f"used {xa}/{xb} (projected, crs given) rather than "
                             "the lon/lat columns")
            else:
                notes.append(f"projected columns {xa}/{xb} are also present; pass "
                             f"x={xa!r}, y={xb!r}, crs=... to use them instead")
        if kind is None and xa is not None and xb is not None:
            a_col, b_col, kind = xa, xb, "xy"
        if kind is None:
            loc = cols.find(_LOCATION, lambda c: _location_share(frame[c]) >= 0.5)
            if loc is None:
                loc = next((c for c in frame.columns if c not in cols.used
                            and _location_share(frame[c]) >= 0.8), None)
            if loc is not None:
                return _coords_from_location(frame, loc, cols, detected, choices)
            shown = ", ".join(map(str, list(frame.columns)[:40]))
            msg = (
                "no coordinate columns found (looked for longitude/latitude, lon/lat, "
                "lng, x/y, X_COORDINATE, Point_X, easting/northing, a WKT or '(lat, lon)' "
                f"location column). Columns: {shown}. Pass `lon=` and `lat=` (degrees) "
                "or `x=`, `y=` and `crs=` (projected)."
            )
            raise InvalidInputError(msg)
        note_choice(choices, "coordinates", f"{a_col}, {b_col}",
                    "detected from the column names")
    cols.used.update({a_col, b_col})
    ra, rb = ("lon", "lat") if kind == "lonlat" else ("x", "y")
    detected[ra], detected[rb] = str(a_col), str(b_col)
    a, ma, ia = _to_float(frame[a_col])
    b, mb, ib = _to_float(frame[b_col])
    missing = ma | mb
    invalid = ~missing & (ia | ib)
    return _Coords(a, b, missing, invalid, kind, (a_col, b_col))


def _coords_from_location(frame: pd.DataFrame, loc: Any, cols: _Columns,
                          detected: dict[str, str], choices: dict[str, Any]) -> _Coords:
    cols.used.add(loc)
    a, b, missing, invalid, order = _parse_location(frame[loc])
    detected["location"] = str(loc)
    note_choice(choices, "coordinates", str(loc), f"parsed as {order}")
    return _Coords(a, b, missing, invalid, "xy", (loc, loc))


def _coords_from_geometry(loaded: _Loaded, detected: dict[str, str],
                          choices: dict[str, Any], notes: list[str]) -> _Coords:
    geom = loaded.geometry
    assert geom is not None
    arr = np.asarray(geom.values, dtype=object)
    missing = np.asarray(shapely.is_missing(arr) | shapely.is_empty(arr), dtype=bool)
    types = shapely.get_type_id(arr)
    single = (types == 4) & ~missing & (shapely.get_num_geometries(arr) == 1)
    if single.any():  # one-part MultiPoints (some ArcGIS exports) are points
        arr = arr.copy()
        arr[single] = shapely.get_geometry(arr[single], 0)
        types = shapely.get_type_id(arr)
        notes.append(f"{int(single.sum()):,} one-part MultiPoint geometries read as points")
    is_point = types == 0
    nonpoint = ~missing & ~is_point
    if nonpoint.any() and not (is_point & ~missing).any():
        kinds = sorted(set(geom[nonpoint].geom_type.unique()))
        msg = (
            f"the geometries are {', '.join(kinds)}, not points: read_incidents needs one "
            "point per incident. Polygons such as beats, precincts or districts are "
            "analysis units: use them as units (e.g. to count incidents per polygon), "
            "or convert them explicitly with `gdf.representative_point()` if each "
            "polygon really is one incident."
        )
        raise InvalidInputError(msg)
    if nonpoint.any():
        notes.append(f"{int(nonpoint.sum())} non-point geometries dropped as "
                     "invalid_coordinates")
    a = np.full(len(arr), np.nan)
    b = np.full(len(arr), np.nan)
    pts = is_point & ~missing
    a[pts] = shapely.get_x(arr[pts])
    b[pts] = shapely.get_y(arr[pts])
    invalid = nonpoint | (pts & ~(np.isfinite(a) & np.isfinite(b)))
    detected["geometry"] = str(geom.name or "geometry")
    note_choice(choices, "coordinates", detected["geometry"], "the input's point geometries")
    crs = loaded.crs
    kind = "lonlat" if crs is not None and crs.is_geographic else "xy"
    return _Coords(a, b, missing, invalid, kind, ("geometry", "geometry"))


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
    for i in _plausible(sample, _DATE_RES):
        fmt = _DATE_FORMATS[i][0]
        parsed = _try_format(sample, fmt)
        k = 0 if parsed is None else int(parsed.notna().sum())
        if k:
            scores.append((-k, i))
        if k == len(sample):
            break
    scores.sort()
    values = pd.Series(pd.NaT, index=txt.index, dtype="datetime64[us]")
    res = np.full(n, _RES_DATETIME, dtype=np.int8)
    todo = ~empty
    used = []
    first = True
    for _, i in scores[:5]:
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


def _quality_warnings(lon: np.ndarray | None, lat: np.ndarray | None, x: np.ndarray,
                      y: np.ndarray, row_id: np.ndarray, q: np.ndarray) -> list[str]:
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
    if n >= 20:
        uniq = len(pd.unique(x + 1j * y))
        if uniq / n < 0.5:
            out.append(f"points are snapped to few unique locations ({uniq:,} for {n:,} "
                       f"rows, {uniq / n:.0%}): likely anonymised 'on or near' map points "
                       "(police.uk) or block-level offsets; use cells or areas no smaller "
                       "than the snapping")
    has_time = q != 5
    n_time = int(has_time.sum() - (q == 2).sum() - (q == 3).sum())
    n_mid = int((q == 1).sum())
    if n_time >= 20 and n_mid >= 5:
        share = n_mid / n_time
        if share > 0.01 or share > 5.0 / 1440.0:
            out.append(f"{n_mid:,} rows ({share:.1%}) are at exactly 00:00, "
                       f"{share * 1440:.0f}x what a uniform clock would give: midnight is "
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
    raise TypeError(msg)


def _check_args(errors: Any, drop_duplicates: Any) -> None:
    if errors not in ("report", "raise"):
        msg = f"`errors` must be 'report' (drop and report bad rows) or 'raise', got {errors!r}."
        raise InvalidInputError(msg)
    if not isinstance(drop_duplicates, (bool, np.bool_)):
        msg = f"`drop_duplicates` must be True or False, got {drop_duplicates!r}."
        raise TypeError(msg)


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
    study_area: Any = None,
    drop_duplicates: bool = False,
    errors: Literal["report", "raise"] = "report",
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
        Inputs are never modified.
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
        IANA time zone of naive clock times (see the module notes for the rule).
    study_area : GeoDataFrame, GeoSeries or shapely geometry, optional
        Rows outside it are dropped as ``"outside_study_area"`` (boundary counts as
        inside). A bare shapely geometry is read as lon/lat if its bounds fit,
        else as the output CRS.
    drop_duplicates : bool, default False
        Drop rows identical to an earlier row in every original column.
    errors : {"report", "raise"}, default "report"
        ``"report"`` drops invalid rows and lists them in the report; ``"raise"``
        raises :class:`~hotspot.exceptions.InvalidInputError` at the first invalid
        row (missing, invalid or zero coordinates, unparseable time), naming its
        ``row_id``, column and value. Rows removed on request (``drop_duplicates``,
        ``study_area``) are dropped and reported in both modes.

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
    >>> from hotspot.incidents import read_incidents, ingest_report
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
    loaded = _load(source)
    frame = loaded.frame
    if frame.columns.duplicated().any():
        _dup_columns(frame)
    n = len(frame)
    if n == 0:
        msg = "the source has no rows: nothing to read."
        raise InvalidInputError(msg)
    row_id = np.arange(n, dtype=np.int64)
    choices: dict[str, Any] = {}
    detected: dict[str, str] = {}
    notes = list(loaded.notes)
    warnings: list[str] = []
    schema = _schema(frame)
    if schema:
        notes.append(f"recognised the {schema} street-crime schema")
    args = {"x": x, "y": y, "lon": lon, "lat": lat, "crs": crs, "datetime": datetime,
            "start": start, "end": end, "tz": tz}
    cols = _Columns(frame)

    coords = _resolve_coordinates(loaded, cols, args, detected, choices, notes)
    times = _resolve_times(frame, cols, args, schema, detected, choices, row_id)
    warnings += times.warnings
    notes += times.notes

    off_col = None
    if offence is not None:
        off_col = cols.user(offence, "offence")
    else:
        def texty(c: Any) -> bool:
            return not ptypes.is_float_dtype(frame[c])

        off_col = cols.find(_OFFENCE, texty)
        if off_col is None:
            off_col = next((c for c in frame.columns if c not in cols.used and texty(c)
                            and _tokens(c) & {"offense", "offence", "crime", "ofns"}
                            and _tokens(c) & {"type", "category", "desc", "description",
                                              "group", "name", "class"}), None)
        if off_col is not None:
            note_choice(choices, "offence", str(off_col), "detected from the column name")
    if off_col is not None:
        detected["offence"] = str(off_col)

    # ---- coordinates: kind and CRS
    a, b = coords.a, coords.b
    missing, invalid = coords.missing.copy(), coords.invalid.copy()
    ok = ~missing & ~invalid
    kind = coords.kind
    crs_in: CRS | None = _to_crs(crs, "crs") if crs is not None else None
    from_geometry = "geometry" in detected
    if from_geometry:
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
        if ok.any() and in_deg.sum() > 0.5 * ok.sum():
            kind = "lonlat"
            notes.append("x/y values lie within lon/lat ranges: read as lon/lat degrees "
                         "(EPSG:4326); pass crs= if they are not")
        else:
            cname = ", ".join(dict.fromkeys(map(str, coords.cols)))
            hi = float(np.nanmax(np.abs(np.where(ok, np.maximum(np.abs(a), np.abs(b)), 0))))
            msg = (
                f"the coordinates in {cname} are projected (values up to {hi:,.0f}), "
                "but their CRS is unknown. Pass the CRS they are in, e.g. "
                "crs='EPSG:3435' (Illinois East, US feet), the EPSG code of your local "
                "State Plane / national grid, or crs='EPSG:3857' for Web Mercator "
                "(ArcGIS/web-map exports, values in the millions of metres)."
            )
            raise CRSError(msg)
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
        if not crs_in.is_projected:
            msg = f"`crs` {_crs_str(crs_in)} is neither geographic nor projected."
            raise CRSError(msg)
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
            invalid |= degree_like
        zero = ok & ~invalid & ((a == 0) | (b == 0))
    note_choice(choices, "crs_in", _crs_str(crs_in),
                "given by the caller" if crs is not None else
                ("the data's own CRS" if from_geometry and loaded.crs is not None
                 else "lon/lat degrees (WGS 84)"))

    good = ok & ~invalid & ~zero
    if _is_metric(crs_in):
        crs_out = crs_in
        reason = "input CRS is already projected in metres"
        px, py = a, b
    else:
        if good.any():
            lon_m, lat_m = _median_lonlat(a[good], b[good], crs_in)
            crs_out = utm_crs(lon_m, lat_m)
            reason = (f"local UTM zone of the median location (lon {lon_m:.3f}, "
                      f"lat {lat_m:.3f})")
        else:
            crs_out, reason = crs_in, "no valid point"
        px = np.full(n, np.nan)
        py = np.full(n, np.nan)
        if good.any() and not crs_out.equals(crs_in):
            tr = Transformer.from_crs(crs_in, crs_out, always_xy=True)
            with np.errstate(all="ignore"):
                tx, ty = tr.transform(a[good], b[good], errcheck=False)
            px[good], py[good] = tx, ty
    note_choice(choices, "crs_out", _crs_str(crs_out), reason)
    unproj = good & ~(np.isfinite(px) & np.isfinite(py))
    invalid |= unproj

    # ---- reasons, in priority order
    reason_code = np.zeros(n, np.int8)

    def mark(mask: np.ndarray, why: str) -> None:
        reason_code[(reason_code == 0) & mask] = _REASON_CODE[why]

    mark(missing, "missing_coordinates")
    mark(invalid, "invalid_coordinates")
    mark(zero, "zero_coordinates")
    mark(times.failed, "unparseable_time")
    orig_cols = list(frame.columns)
    if drop_duplicates:
        try:
            dup = frame.duplicated(keep="first").to_numpy()
        except TypeError:
            dup = frame.astype(str).duplicated(keep="first").to_numpy()
        mark(dup, "duplicate")
    area_note = None
    if study_area is not None:
        geom = _study_area_geom(study_area, crs_out, notes)
        cand = reason_code == 0
        inside = np.zeros(n, bool)
        if cand.any():
            shapely.prepare(geom)
            inside[cand] = shapely.intersects_xy(geom, px[cand], py[cand])
        mark(cand & ~inside, "outside_study_area")
        area_note = f"{type(study_area).__name__}"
    invalid_row = (reason_code > 0) & (reason_code <= _REASON_CODE["unparseable_time"])
    if errors == "raise" and invalid_row.any():
        _raise_first(np.where(invalid_row, reason_code, 0), row_id, frame, coords, times,
                     loaded.source_file)

    keep = reason_code == 0
    counts = np.bincount(reason_code, minlength=len(DROP_REASONS) + 1)
    dropped = {r: int(counts[i + 1]) for i, r in enumerate(DROP_REASONS)}
    if not keep.any():
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
            f"every one of the {n:,} rows is invalid ({parts}); nothing is left. "
            f"First row: {_row_text(frame, 0)}. {fix}."
        )
        raise InvalidInputError(msg)

    # ---- output frame
    renamed = _rename_collisions(orig_cols)
    kidx = np.flatnonzero(keep)
    q_kept = times.quality[kidx]
    kx, ky = px[kidx], py[kidx]
    is_ll = kind == "lonlat"
    warnings += _quality_warnings(a[kidx] if is_ll else None, b[kidx] if is_ll else None,
                                  kx, ky, row_id[kidx], q_kept)
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
    head = pd.DataFrame(canon)
    body = frame.copy(deep=False) if keep.all() else frame.iloc[kidx].reset_index(drop=True)
    body.columns = renamed
    out = pd.concat([head, body], axis=1)
    result = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(shapely.points(kx, ky)).values,
                              crs=crs_out)

    # ---- dropped rows
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
    if renamed != [str(c) if not isinstance(c, str) else c for c in orig_cols]:
        pairs = [f"{o!r} -> {r!r}" for o, r in zip(orig_cols, renamed, strict=True) if o != r]
        if pairs:
            notes.append("original columns renamed to avoid output names: " + ", ".join(pairs))

    tq = np.bincount(q_kept, minlength=len(TIME_QUALITIES))
    report = IngestReport(
        rows_read=n,
        rows_kept=int(keep.sum()),
        dropped=dropped,
        dropped_rows=dropped_rows,
        warnings=warnings,
        detected=detected,
        crs_in=_crs_str(crs_in),
        crs_out=_crs_str(crs_out),
        time_quality={k: int(v) for k, v in zip(TIME_QUALITIES, tq, strict=True)},
        sources=list(loaded.files),
        notes=notes,
    )
    assert report.rows_read == report.rows_kept + report.rows_dropped
    params = {"source": _describe(source), "x": x, "y": y, "lon": lon, "lat": lat,
              "crs": None if crs is None else str(crs), "datetime": datetime,
              "start": start, "end": end, "offence": offence, "tz": tz,
              "study_area": area_note, "drop_duplicates": bool(drop_duplicates),
              "errors": errors}
    result.attrs = {}
    attach(result, "ingest", params, choices, report=report)
    if report.rows_dropped or report.warnings:
        _warnings.warn(
            f"read_incidents: {report.rows_dropped:,} of {n:,} rows dropped, "
            f"{len(report.warnings)} data-quality warning(s); "
            "print(hs.ingest_report(incidents)) for details",
            DataQualityWarning,
            stacklevel=2,
        )
    return result


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

