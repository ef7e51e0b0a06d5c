"""Shared input checks. Every check raises an error whose message names the fix."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._core.coords import point_xy
from hotspot.exceptions import CRSError, InputTypeError, InvalidInputError

__all__ = [
    "check_columns",
    "check_geodataframe",
    "check_incidents_and_hotspots",
    "check_non_empty",
    "check_points",
    "check_polygons",
    "check_positive",
    "check_projected",
    "check_same_crs",
    "is_metric",
    "metres_factor",
    "numeric_column",
    "numeric_values",
    "point_coords",
]


def check_geodataframe(obj: Any, name: str) -> gpd.GeoDataFrame:
    """Raise ``TypeError`` unless ``obj`` is a GeoDataFrame; return it.

    Examples
    --------
    >>> import geopandas as gpd
    >>> check_geodataframe(gpd.GeoDataFrame(geometry=[]), "units").shape
    (0, 1)
    """
    if not isinstance(obj, gpd.GeoDataFrame):
        if type(obj).__module__.startswith(("dask", "dask_geopandas")):
            msg = (
                f"`{name}` is a Dask frame; use the hs.scale functions on it "
                "(hs.scale.count, hs.scale.kde, hs.scale.temporal_profile...), which "
                "reduce it to grids where the data live, or `.compute()` it if it fits "
                "in memory."
            )
            raise InputTypeError(msg)
        msg = (
            f"`{name}` must be a geopandas.GeoDataFrame, got {type(obj).__name__}. "
            "Read incidents with `hs.read_incidents(...)`, or build one with "
            "`geopandas.GeoDataFrame(df, geometry=..., crs=...)`."
        )
        raise InputTypeError(msg)
    return obj


def check_non_empty(gdf: pd.DataFrame, name: str) -> None:
    """Raise :class:`InvalidInputError` if ``gdf`` has no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> check_non_empty(pd.DataFrame({"a": [1]}), "incidents")
    """
    if len(gdf) == 0:
        msg = f"`{name}` has no rows. Did an earlier filter remove all of them?"
        raise InvalidInputError(msg)


def check_projected(gdf: gpd.GeoDataFrame | gpd.GeoSeries, name: str) -> None:
    """Raise :class:`CRSError` unless ``gdf`` has a projected CRS in metres.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> check_projected(gpd.GeoSeries([Point(0, 0)], crs=32616), "incidents")
    """
    crs = gdf.crs
    if crs is None:
        msg = (
            f"`{name}` has no CRS. Distances need a projected CRS in metres: set the "
            "CRS the coordinates are in (`gdf.set_crs(...)`), then re-project with "
            "`hs.project(gdf)` or `gdf.to_crs(...)`."
        )
        raise CRSError(msg)
    if not crs.is_projected:
        msg = (
            f"`{name}` has the geographic CRS {crs.to_string()!r} (degrees); cell "
            "sizes, bandwidths and distances are in metres. Re-project first with "
            f"`hs.project({name})` (local UTM zone) or `{name}.to_crs(<projected CRS>)`."
        )
        raise CRSError(msg)
    if metres_factor(crs) != 1.0:
        msg = (
            f"`{name}` has the projected CRS {crs.to_string()!r} whose unit is not "
            f"the metre ({crs.axis_info[0].unit_name}). Re-project to a metric CRS "
            f"with `hs.project({name})` or `{name}.to_crs(<metric CRS>)`."
        )
        raise CRSError(msg)
    if not is_metric(crs):
        msg = (
            f"`{name}` is in {crs.to_string()!r}, a Web Mercator CRS whose 'metres' are "
            "stretched by 1/cos(latitude) (about 1.3x at 40 degrees), so distances, cell "
            f"sizes and areas would be wrong. Re-project with `hs.project({name})` (local "
            f"UTM zone) or `{name}.to_crs(<metric CRS>)`."
        )
        raise CRSError(msg)


def is_metric(crs: Any) -> bool:
    """Return True for a projected CRS whose unit is the true metre.

    Web Mercator (EPSG:3857 and its aliases, and any "Pseudo-Mercator" projection)
    and World Mercator (EPSG:3395) are refused: their units are called metres but
    are ~1/cos(latitude) too long away from the equator.

    Examples
    --------
    >>> is_metric("EPSG:32616"), is_metric("EPSG:3857"), is_metric("EPSG:4326")
    (True, False, False)
    >>> is_metric("EPSG:3435")  # Illinois East, US survey feet
    False
    """
    from pyproj import CRS

    crs = CRS.from_user_input(crs)
    if not crs.is_projected or abs(metres_factor(crs) - 1.0) > 1e-12:
        return False
    op = getattr(crs, "coordinate_operation", None)
    method = (op.method_name if op is not None else "") or ""
    return "pseudo" not in method.lower() and crs.to_epsg() not in (3857, 900913, 3395)


def metres_factor(crs: Any) -> float:
    """Metres per unit of the first axis of a projected ``crs`` (1.0 for metres).

    Examples
    --------
    >>> round(metres_factor("EPSG:3435"), 6)  # Illinois East, US survey feet
    0.304801
    """
    from pyproj import CRS

    crs = CRS.from_user_input(crs)
    axis = crs.axis_info[0]
    factor = axis.unit_conversion_factor
    return float(factor) if factor else 1.0


def check_same_crs(a: Any, b: Any, name_a: str, name_b: str) -> None:
    """Raise :class:`CRSError` if ``a`` and ``b`` do not share one CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> s = gpd.GeoSeries([], crs=32616)
    >>> check_same_crs(s, s, "incidents", "units")
    """
    if a.crs is None or b.crs is None or not a.crs.equals(b.crs):
        msg = (
            f"`{name_a}` ({_crs_name(a.crs)}) and `{name_b}` ({_crs_name(b.crs)}) "
            f"must have the same CRS. Re-project one of them, e.g. "
            f"`{name_b} = {name_b}.to_crs({name_a}.crs)`."
        )
        raise CRSError(msg)


def _crs_name(crs: Any) -> str:
    return "no CRS" if crs is None else crs.to_string()


def check_columns(df: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Raise :class:`InvalidInputError` naming every column of ``columns`` missing.

    Examples
    --------
    >>> import pandas as pd
    >>> check_columns(pd.DataFrame({"a": [1]}), ["a"], "units")
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        available = ", ".join(map(str, list(df.columns)[:30]))
        msg = (
            f"`{name}` has no column {', '.join(map(repr, missing))}. "
            f"Available columns: {available}."
        )
        raise InvalidInputError(msg)


def check_incidents_and_hotspots(
    incidents: Any, hotspots: Any, incident_columns: Iterable[str] = ()
) -> None:
    """Check the (incidents, hotspots) pair a response takes.

    Both must be GeoDataFrames, ``hotspots`` must have ``hotspot_id``,
    ``incidents`` the columns ``incident_columns``, and the two one CRS.

    Parameters
    ----------
    incidents
        Incident points.
    hotspots
        Hotspot areas with a ``hotspot_id`` column.
    incident_columns
        Columns ``incidents`` must have (e.g. ``["occurred_at"]``).

    Raises
    ------
    InputTypeError, InvalidInputError, CRSError
        As :func:`check_geodataframe`, :func:`check_columns` and
        :func:`check_same_crs`, in that order.

    Examples
    --------
    >>> import geopandas as gpd
    >>> hot = gpd.GeoDataFrame({"hotspot_id": []}, geometry=[], crs=32616)
    >>> inc = gpd.GeoDataFrame({"occurred_at": []}, geometry=[], crs=32616)
    >>> check_incidents_and_hotspots(inc, hot, ["occurred_at"])
    """
    check_geodataframe(hotspots, "hotspots")
    check_geodataframe(incidents, "incidents")
    check_columns(hotspots, ["hotspot_id"], "hotspots")
    check_columns(incidents, incident_columns, "incidents")
    check_same_crs(incidents, hotspots, "incidents", "hotspots")


def check_points(gdf: gpd.GeoDataFrame, name: str) -> None:
    """Raise :class:`InvalidInputError` unless every geometry is a non-empty point.

    Examples
    --------
    >>> import geopandas as gpd
    >>> check_points(gpd.GeoDataFrame(geometry=gpd.points_from_xy([0], [0])), "x")
    """
    geom = gdf.geometry
    bad = geom.isna().to_numpy() | geom.is_empty.to_numpy()
    bad |= (geom.geom_type != "Point").to_numpy()
    if bad.any():
        first = gdf.index[np.flatnonzero(bad)[0]]
        msg = (
            f"`{name}` must hold one non-empty Point per row; {int(bad.sum())} rows "
            f"do not (first: index {first!r}). Use `hs.read_incidents(...)`, which "
            "drops and reports such rows."
        )
        raise InvalidInputError(msg)


def check_polygons(gdf: gpd.GeoDataFrame, name: str) -> None:
    """Raise :class:`InvalidInputError` unless every geometry is a polygon.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> check_polygons(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]), "units")
    """
    types = gdf.geometry.geom_type
    bad = ~types.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if bad.any():
        first = gdf.index[np.flatnonzero(bad)[0]]
        msg = (
            f"`{name}` must hold polygons; {int(bad.sum())} rows do not "
            f"(first: index {first!r}, a {types.iloc[np.flatnonzero(bad)[0]]})."
        )
        raise InvalidInputError(msg)


def point_coords(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    """Return an ``(n, 2)`` float array of point x/y coordinates.

    Examples
    --------
    >>> import geopandas as gpd
    >>> point_coords(gpd.GeoSeries(gpd.points_from_xy([1.0], [2.0]))).tolist()
    [[1.0, 2.0]]
    """
    x, y = point_xy(gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf)
    return np.column_stack([x, y])


def check_positive(value: Any, name: str, unit: str = "") -> float:
    """Return ``value`` as a float, or raise unless it is a finite number > 0.

    Parameters
    ----------
    value
        The user's value (a cell size, a bandwidth...). Booleans are refused.
    name
        Argument name used in the message.
    unit
        Unit named in the message, e.g. ``"metres"``.

    Raises
    ------
    InvalidInputError
        If ``value`` is not a finite positive number.

    Examples
    --------
    >>> check_positive(250, "cell_size", "metres")
    250.0
    """
    out = float("nan")
    if isinstance(value, int | float | np.number) and not isinstance(value, bool | np.bool_):
        out = float(value)
    if not (np.isfinite(out) and out > 0):
        of = f" of {unit}" if unit else ""
        msg = f"`{name}` must be a positive number{of}, got {value!r}."
        raise InvalidInputError(msg)
    return out


def boolean_mask(values: Any, name: str, n: int, column: str | None = None) -> np.ndarray:
    """Return one bool per row from a boolean column/array; refuse text and numbers.

    Missing values are False. 0/1 integers are accepted; text (e.g. a place-type
    column given where a True/False column is expected) is an error naming the fix.

    Examples
    --------
    >>> boolean_mask([True, None, False], "outdoor", 3).tolist()
    [True, False, False]
    """
    s = pd.Series(values) if not isinstance(values, pd.Series) else values
    what = f"column {column!r}" if column is not None else "the values"
    if len(s) != n:
        msg = f"`{name}` must have one True/False value per row ({n}), got {len(s)}."
        raise InvalidInputError(msg)
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.fillna(False).to_numpy(dtype=bool)
    nonmissing = s.dropna()
    if pd.api.types.is_numeric_dtype(s.dtype) and nonmissing.isin([0, 1]).all():
        return s.fillna(0).to_numpy(dtype=float) == 1
    if nonmissing.map(lambda v: isinstance(v, bool | np.bool_)).all():
        return s.map(lambda v: v is True or v is np.True_).to_numpy(dtype=bool)
    shown = ", ".join(map(repr, pd.unique(nonmissing.astype(str))[:4]))
    msg = (f"`{name}`: {what} is not True/False (values {shown}). Pass a boolean column, "
           f"e.g. `df[{column or 'column'!r}].isin([...])`, or "
           "`hotspot.ingest.vocabularies.setting_group(df[column]).isin(OUTDOOR_SETTINGS)` "
           "for place types.")
    raise InvalidInputError(msg)


def check_count(value: Any, name: str, minimum: int = 0) -> int:
    """Return ``value`` as an int, or raise unless it is a whole number >= ``minimum``.

    Examples
    --------
    >>> check_count(999, "permutations")
    999
    """
    ok = isinstance(value, int | np.integer | float | np.floating) and not isinstance(
        value, bool | np.bool_) and np.isfinite(value) and float(value).is_integer()
    if not ok or value < minimum:
        msg = (f"`{name}` must be a whole number >= {minimum}, got {value!r}"
               + (" (e.g. 999), or None for exact p-values." if name == "permutations"
                  else "."))
        raise InvalidInputError(msg)
    return int(value)


def numeric_column(
    frame: pd.DataFrame,
    column: str,
    name: str,
    *,
    non_negative: bool = True,
    what: str = "values",
    fix: str = "Fill or drop them first.",
) -> np.ndarray:
    """Return a numeric column as floats after checking every value is finite (and >= 0).

    The one check behind every "weights", "counts" or "values" column argument.

    Parameters
    ----------
    frame
        The DataFrame holding the column.
    column
        Column name; must exist.
    name
        Argument name of ``frame`` used in messages (``"incidents"``, ``"units"``).
    non_negative
        Also refuse negative values.
    what
        What the values are, for the message (``"weights"``, ``"counts"``).
    fix
        Sentence naming the way out, appended to the message.

    Returns
    -------
    numpy.ndarray
        Float array of the column's values.

    Raises
    ------
    InvalidInputError
        If the column is missing, not numeric, or holds a missing, infinite (or
        negative) value.

    Examples
    --------
    >>> import pandas as pd
    >>> numeric_column(pd.DataFrame({"w": [1, 2.5]}), "w", "incidents").tolist()
    [1.0, 2.5]
    """
    v = numeric_values(frame, column, name, what=what)
    bad = ~np.isfinite(v)
    if non_negative:
        bad |= v < 0
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        need = "finite, non-negative" if non_negative else "finite (not missing)"
        msg = (
            f"column {column!r} of `{name}` must hold {need} {what}; {int(bad.sum())} rows "
            f"do not (first: index {frame.index[pos]!r}, value {v[pos]!r}). {fix}"
        )
        raise InvalidInputError(msg)
    return v


def numeric_values(
    frame: pd.DataFrame, column: str, name: str, *, what: str = "values"
) -> np.ndarray:
    """Return a column as floats (missing values as NaN), refusing non-numeric dtypes.

    Examples
    --------
    >>> import pandas as pd
    >>> numeric_values(pd.DataFrame({"w": [1, None]}), "w", "incidents").tolist()
    [1.0, nan]
    """
    check_columns(frame, [column], name)
    col = frame[column]
    if not (pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype)):
        msg = (
            f"column {column!r} of `{name}` must be numeric {what} (it is {col.dtype}); "
            f"convert it with `pd.to_numeric({name}[{column!r}])`."
        )
        raise InvalidInputError(msg)
    return col.to_numpy(dtype=float, na_value=np.nan)
