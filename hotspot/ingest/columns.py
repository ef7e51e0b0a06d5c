"""Column detection and coordinate parsing for incident exports."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pandas.api import types as ptypes

from hotspot._core.crs import _to_crs
from hotspot._core.meta import note_choice
from hotspot.exceptions import InputTypeError, InvalidInputError
from hotspot.ingest.readers import _Loaded
from hotspot.ingest.rules import decide
from hotspot.ingest.vocabularies import (
    listed_counts,
    offence_group,
    setting_group,
    unmapped_values,
    vocabulary_version,
)

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
        "long_dd", "longitude_dd", "map_longitude", "lange", "laenge", "langengrad",
        "laengengrad", "lengtegraad", "lengte", "longitudine"]
_LAT = ["latitude", "lat", "y_latitude", "latitude_y", "lat_y", "latitud", "geo_lat",
        "gps_latitude", "point_latitude", "location_latitude", "latitude_wgs84",
        "wgs84_latitude", "decimal_latitude", "intptlat", "lat_dd", "latitude_dd",
        "map_latitude", "breite", "breitengrad", "breedtegraad", "breedte", "latitudine"]
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
             "open_dt", "dt", "fecha_hechos", "fecha_hecho", "fecha_hora", "fecha_delito",
             "fecha_ocurrencia", "fecha", "datum", "date_faits", "date_des_faits", "month"]
_TIME = ["time", "time_occurred", "time_occ", "occ_time", "occurred_time",
         "occurrence_time", "incident_time", "offense_time", "offence_time", "crime_time",
         "event_time", "time_of_day", "hhmm", "hour_minute", "occurred_on_time",
         "dispatch_time", "hora", "hora_hechos", "hora_hecho", "hora_delito",
         "hora_ocurrencia", "heure", "heure_faits", "heure_des_faits", "uhrzeit", "tatzeit",
         "tijd", "tijdstip"]
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
            "crime_type_desc", "mci_category", "major_crime_indicator", "mci",
            "offence_subdivision", "offence_division", "anzsoc_subdivision", "anzsoc_division",
            "offence_group", "infraction", "nature_infraction", "type_infraction",
            "libelle_infraction", "qualification", "delito", "tipo_delito", "categoria_delito",
            "delikt", "deliktsart", "straftat", "tatbestand", "misdrijf", "reato",
            "nibrs_description", "ucr_description", "statute_description", "charge",
            "type", "description"]
_SETTING = ["premises_type", "premise_type", "premises", "premise", "premise_description",
            "premis_desc", "location_type", "loc_cat", "location_category",
            "location_description", "locn_type", "place_type", "setting", "scene_type",
            "type_lieu", "lieu"]


def setting_column(frame: pd.DataFrame) -> str | None:
    """Find the place-type (premise) column of an export by its name.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents, e.g. from :func:`hotspot.read_incidents` (original columns kept).

    Returns
    -------
    str or None
        The first column named like a place type (``PREMISES_TYPE``, ``Location Type``,
        ``loc_cat``, ``Premise Description`` ...; case, spaces and punctuation ignored)
        that holds text, or None.

    Examples
    --------
    >>> setting_column(pd.DataFrame({"PREMISES_TYPE": ["Outside"], "x": [1.0]}))
    'PREMISES_TYPE'
    """
    squashed = {_squash(c): c for c in reversed(list(frame.columns))}
    for name in _SETTING:
        col = squashed.get(_squash(name))
        if col is not None and not ptypes.is_numeric_dtype(frame[col]) and bool(
                frame[col].notna().any()):
            return str(col)
    return None


SETTING_AUTO_REASON = ("found by its name (a place-type column such as PREMISES_TYPE, "
                       "Location Type or loc_cat); pass setting= to choose another, "
                       "setting=False to use none")


def resolve_setting(frame: pd.DataFrame, setting: Any = None,
                    choices: dict[str, Any] | None = None) -> str | None:
    """Return the place-type column to use: the one given, else the one found by its name.

    The one rule for every door (``score_interventions``, ``response_menu``,
    ``lighting_audit``, ``briefing`` and the ``hotspot`` CLI): ``setting=None`` looks
    for a place-type column with :func:`setting_column`; the column found (or that none
    was) is an automatic choice, logged and recorded in ``choices["setting"]``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The incidents.
    setting : str, False or None
        A column name; None to find one by its name; False for none (place types
        unknown, even if a column exists).
    choices : dict, optional
        Where the automatic choice is recorded (see :func:`hotspot._core.meta.note_choice`).

    Returns
    -------
    str or None
        The column, or None when place types are unknown.

    Raises
    ------
    InvalidInputError
        ``setting`` names no column of ``frame``.

    Examples
    --------
    >>> inc = pd.DataFrame({"Premises Type": ["Outside", "House"], "x": [1.0, 2.0]})
    >>> resolve_setting(inc), resolve_setting(inc, False), resolve_setting(inc, "x")
    ('Premises Type', None, 'x')
    """
    if setting is False:
        return None
    if setting is not None:
        if isinstance(setting, str) and setting in frame.columns:
            return setting
        names = [str(c) for c in frame.columns]
        near = difflib.get_close_matches(str(setting), names, 2, 0.6)
        hint = f" Did you mean {', '.join(map(repr, near))}?" if near else ""
        msg = (f"setting={setting!r} is not a column of the incidents.{hint} Pass the "
               "place-type column's name, setting=None to find it by its name, or "
               "setting=False for none.")
        raise InvalidInputError(msg)
    found = setting_column(frame)
    if choices is None:
        choices = {}
    if found is not None:
        note_choice(choices, "setting", found, SETTING_AUTO_REASON)
    else:
        note_choice(choices, "setting", None,
                    "no column is named like a place type (PREMISES_TYPE, Location Type, "
                    "loc_cat ...): place types unknown; pass setting= to name one")
    return found


def _squash(name: Any) -> str:
    """Lower-case letters and digits of a column name, accents dropped ("Länge" -> "lange")."""
    plain = unicodedata.normalize("NFKD", str(name).casefold())
    return re.sub(r"[^a-z0-9]", "", plain)


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
            raise InputTypeError(msg)
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
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
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
    num = pd.to_numeric(txt, errors="coerce").notna()
    if not num.all():
        num |= txt.str.fullmatch(_GROUPED).fillna(False)
    return float(num.mean())


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


_EU_NUMBER = r"[-+]?\d{1,3}(?:\.\d{3})+(?:,\d+)?|[-+]?\d+,\d+"  # 1.176.000,5 / 41,88
_US_NUMBER = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 1,176,000.5
_GROUPED = f"{_EU_NUMBER}|{_US_NUMBER}"


def _separators(txt: pd.Series) -> tuple[str, str] | None:
    """Decimal and thousands separators of number text that plain parsing rejects.

    ``"1.176.000,5"`` or ``"41,88"`` -> (",", "."); ``"1,176,000.5"`` -> (".", ",").
    A value such as ``"356,123"`` fits both; it is read with a decimal comma unless a
    value of the column is unambiguous (several groups, or both separators).
    """
    sample = txt.dropna().head(_SAMPLE)
    if sample.empty:
        return None
    eu = sample.str.fullmatch(_EU_NUMBER).fillna(False)
    us = sample.str.fullmatch(_US_NUMBER).fillna(False)
    if (eu | us).mean() <= 0.5:
        return None
    if (us & ~eu).any() and not (eu & ~us).any():
        return ".", ","
    return ",", "."


def _coordinate_floats(s: pd.Series, decimal: str | None, thousands: str | None,
                       notes: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Like :func:`_to_float`, reading thousands/decimal separators (given or detected)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if decimal is None and thousands is None:
        v, missing, invalid = _to_float(s)
        texty = ptypes.is_object_dtype(s) or ptypes.is_string_dtype(s)
        seps = decide(f"separators:{s.name}", lambda: _separators(
            s.astype("string").str.strip()[invalid]) if invalid.any() and texty else None)
        if seps is None or not texty:
            return v, missing, invalid
        decimal, thousands = seps
        notes.append(f"{s.name}: numbers written with {decimal!r} as the decimal separator "
                     f"and {thousands!r} between thousands (detected); pass decimal=/"
                     "thousands= if not")
    txt = s.astype("string").str.strip()
    if thousands:
        txt = txt.str.replace(thousands, "", regex=False)
    if decimal and decimal != ".":
        txt = txt.str.replace(decimal, ".", regex=False)
    return _to_float(txt.astype(object).where(s.notna().to_numpy(), None))


def _to_float(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values, missing mask (empty) and invalid mask (non-numeric or non-finite)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
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


# Unambiguous number pattern (one way to match each string), so that matching is linear
# in the length of the text; values longer than _MAX_LOCATION are not parsed at all.
_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_WKT_RE = re.compile(rf"(?i)POINT\s*(?:Z|M|ZM)?\s*\(\s*({_NUM})\s+({_NUM})")
_PAIR_RE = re.compile(
    rf"^[\(\[\{{]?\s*({_NUM})(?:\s*[,;]\s*|\s+)({_NUM})\s*[\)\]\}}]?$")
_MAX_LOCATION = 200


def _lon_first(s: pd.Series) -> bool:
    """Tell whether number pairs are ``lon, lat`` (a first number beyond +-90).

    Otherwise they are Socrata's ``(lat, lon)``.
    """
    pair = s.astype("string").str.strip().str.extract(_PAIR_RE)
    pa = pd.to_numeric(pair[0], errors="coerce").to_numpy(float, na_value=np.nan)
    pb = pd.to_numeric(pair[1], errors="coerce").to_numpy(float, na_value=np.nan)
    ok = np.isfinite(pa) & np.isfinite(pb)
    return bool(ok.any() and np.any(np.abs(pa[ok]) > 90) and np.all(np.abs(pb[ok]) <= 90))


def _parse_location(s: pd.Series, lon_first: bool | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]:
    """Parse 'POINT (x y)' WKT or '(lat, lon)' text. Returns a, b, missing, invalid, order.

    ``lon_first``: the order of number pairs (None: decided from ``s``).
    """
    txt = s.astype("string").str.strip()
    isna = s.isna().to_numpy()
    empty = isna | (txt == "").fillna(True).to_numpy(dtype=bool)
    txt = txt.where(txt.str.len() <= _MAX_LOCATION, "")  # too long to be a location
    empty |= txt.str.fullmatch(r"(?i)POINT\s*EMPTY").fillna(False).to_numpy(dtype=bool)
    wkt = txt.str.extract(_WKT_RE)
    pair = txt.str.extract(_PAIR_RE)
    wa = pd.to_numeric(wkt[0], errors="coerce").to_numpy(float, na_value=np.nan)
    wb = pd.to_numeric(wkt[1], errors="coerce").to_numpy(float, na_value=np.nan)
    pa = pd.to_numeric(pair[0], errors="coerce").to_numpy(float, na_value=np.nan)
    pb = pd.to_numeric(pair[1], errors="coerce").to_numpy(float, na_value=np.nan)
    # "(lat, lon)" is the Socrata convention, unless the first number is not a latitude
    ok = np.isfinite(pa) & np.isfinite(pb)
    if lon_first is None:
        lon_first = _lon_first(s)
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
    # "35,149": one number written with a decimal comma, not a pair
    invalid |= sample.astype("string").str.strip().str.fullmatch(r"[-+]?\d+,\d+") \
        .fillna(False).to_numpy(dtype=bool)
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
        kind, a_col, b_col = decide("coordinates",
                                    lambda: _detect_coordinates(cols, args, notes))
        _check_present(frame, (a_col, b_col), "coordinate")
        if kind == "location":
            return _coords_from_location(frame, a_col, cols, detected, choices)
        note_choice(choices, "coordinates", f"{a_col}, {b_col}",
                    "detected from the column names")
    cols.used.update({a_col, b_col})
    ra, rb = ("lon", "lat") if kind == "lonlat" else ("x", "y")
    detected[ra], detected[rb] = str(a_col), str(b_col)
    a, ma, ia = _coordinate_floats(frame[a_col], args.get("decimal"), args.get("thousands"),
                                   notes)
    b, mb, ib = _coordinate_floats(frame[b_col], args.get("decimal"), args.get("thousands"),
                                   notes)
    missing = ma | mb
    invalid = ~missing & (ia | ib)
    return _Coords(a, b, missing, invalid, kind, (a_col, b_col))


def _check_present(frame: pd.DataFrame, names: Sequence[Any], what: str) -> None:
    """Refuse a decided column that this file does not have (read in pieces)."""
    gone = [c for c in names if c is not None and c not in frame.columns]
    if gone:
        msg = (f"no {what} column {gone[0]!r} (the column the dataset uses); pass the "
               "column names (lon=, lat=, x=, y=, datetime=...) that fit every file, or "
               "read this file on its own.")
        raise InvalidInputError(msg)


def _detect_coordinates(cols: _Columns, args: dict[str, Any], notes: list[str]
                        ) -> tuple[str, Any, Any]:
    """Find the coordinate columns by name and content: ``(kind, a, b)``.

    ``kind`` is ``"lonlat"``, ``"xy"`` or ``"location"`` (one text column, ``b`` None).
    """
    frame = cols.frame

    def numeric(c: Any) -> bool:
        if _squash(c) in {"longitude", "latitude", "lon", "lat", "lng"}:
            return True  # unambiguous names: bad values are reported row by row
        if args.get("decimal") or args.get("thousands"):
            v, m, _ = _coordinate_floats(frame[c].head(_SAMPLE), args.get("decimal"),
                                         args.get("thousands"), [])
            return bool(np.isfinite(v).sum() >= 0.5 * max(1, (~m).sum()))
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
    if kind is not None:
        return kind, a_col, b_col
    loc = cols.find(_LOCATION, lambda c: _location_share(frame[c]) >= 0.5)
    if loc is None:
        loc = next((c for c in frame.columns if c not in cols.used
                    and _location_share(frame[c]) >= 0.8), None)
    if loc is not None:
        return "location", loc, None
    shown = ", ".join(map(str, list(frame.columns)[:40]))
    msg = (
        "no coordinate columns found (looked for longitude/latitude, lon/lat, "
        "lng, x/y, X_COORDINATE, Point_X, easting/northing, a WKT or '(lat, lon)' "
        f"location column). Columns: {shown}. Pass `lon=` and `lat=` (degrees) "
        "or `x=`, `y=` and `crs=` (projected)."
    )
    raise InvalidInputError(msg)


def _coords_from_location(frame: pd.DataFrame, loc: Any, cols: _Columns,
                          detected: dict[str, str], choices: dict[str, Any]) -> _Coords:
    cols.used.add(loc)
    a, b, missing, invalid, order = _parse_location(
        frame[loc], decide(f"lon_first:{loc}", lambda: _lon_first(frame[loc])))
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
# Offence
# --------------------------------------------------------------------------------------
def _resolve_offence(cols: _Columns, offence: Any, detected: dict[str, str],
                     choices: dict[str, Any], notes: list[str]) -> Any:
    """Find the offence column (given or detected) and check its values.

    The values must be names (not lists); those the offence vocabulary does not know
    are noted with their counts.
    """
    frame = cols.frame
    if offence is not None:
        off_col = cols.user(offence, "offence")
    else:
        def texty(c: Any) -> bool:
            return not ptypes.is_float_dtype(frame[c])

        def find() -> Any:
            found = cols.find(_OFFENCE, texty)
            if found is None:
                found = next((c for c in frame.columns if c not in cols.used and texty(c)
                              and _tokens(c) & {"offense", "offence", "crime", "ofns"}
                              and _tokens(c) & {"type", "category", "desc", "description",
                                                "group", "name", "class"}), None)
            return found

        off_col = decide("offence_column", find)
        _check_present(frame, (off_col,), "offence")
        if off_col is not None:
            note_choice(choices, "offence", str(off_col), "detected from the column name")
    if off_col is None:
        return None
    detected["offence"] = str(off_col)
    try:
        groups = offence_group(frame[off_col])
    except InvalidInputError as exc:
        msg = f"the offence column {off_col!r}: {exc}"
        if offence is None:
            msg += " Or pass offence= to name another column."
        raise InvalidInputError(msg) from None
    lost = unmapped_values(groups)
    if lost:
        notes.append(f"{len(lost)} offence value(s) of {off_col!r} are not in the offence "
                     f"vocabulary {vocabulary_version()} (grouped as 'other' when scored; "
                     f"map them with groups={{...}}): {listed_counts(lost)}")
    return off_col


# --------------------------------------------------------------------------------------
# Place type
# --------------------------------------------------------------------------------------
def _report_setting(cols: _Columns, detected: dict[str, str], choices: dict[str, Any],
                    notes: list[str]) -> Any:
    """Name the place-type column in the ingest report, with values no vocabulary maps.

    The column is the one :func:`resolve_setting` finds later (scoring, lighting audits,
    the briefing); saying it at ingest lets the analyst check it once, up front.
    """
    frame = cols.frame
    col = decide("setting_column", lambda: setting_column(
        frame[[c for c in frame.columns if c not in cols.used]]))
    if col is None:
        return None
    detected["setting"] = str(col)
    note_choice(choices, "setting", str(col), SETTING_AUTO_REASON)
    try:
        lost = unmapped_values(setting_group(frame[col]))
    except InvalidInputError:  # values that are not names: said when it is used
        return col
    if lost:
        notes.append(f"{len(lost)} place-type value(s) of {col!r} are not in the place-type "
                     f"vocabulary {vocabulary_version()} (an unknown place type when "
                     f"scored; map them with setting_group(groups={{...}})): {listed_counts(lost)}")
    return col
