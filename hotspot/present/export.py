"""Export units and hotspots to GeoPackage, GeoJSON and CSV, with their parameters.

Every result of ``hotspot`` carries the parameters and automatic choices that made
it in ``attrs["hotspot"]``. :func:`export` writes them beside the data so that a
map or a table can be traced back to its method:

- **GeoPackage** (``.gpkg``): the data in layer ``layer`` (default: the file stem) and
  the parameters as JSON in a non-spatial table ``hotspot_metadata`` with columns
  ``layer`` and ``metadata`` (one row per exported layer; re-exporting a layer
  replaces its row).
- **GeoJSON** (``.geojson``/``.json``): a top-level ``"hotspot"`` member holding the
  parameters (allowed by RFC 7946 section 6.1, ignored by GIS software).
- **CSV** (``.csv``): the geometry as WKT in a ``geometry`` column, the centroid as
  ``centroid_x``/``centroid_y`` (in the CRS units) for spreadsheets, and a sidecar
  ``<path>.json`` with the CRS and the parameters.

Categorical columns (``hotspot_class``...) are written as strings, date-times as
ISO 8601 strings with their UTC offset (the time zone name is kept in the metadata
and restored by :func:`read_export`), and the index (``unit_id``) as a column.
:func:`read_export` reads any of the three back.
"""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._core.meta import get_meta
from hotspot._core.validation import check_geodataframe
from hotspot.exceptions import InvalidInputError, SourceNotFoundError

__all__ = ["METADATA_TABLE", "export", "read_export"]

#: Name of the GeoPackage table holding the parameters.
METADATA_TABLE = "hotspot_metadata"

_DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".csv": "CSV"}


def _jsonable(obj: Any) -> Any:
    """Recursively turn metadata into JSON-safe values (numpy, pandas, sets, NaN)."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (pd.Timestamp, pd.Timedelta)):
        return str(obj)
    return repr(obj)


def _metadata(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    return {
        "crs": gdf.crs.to_string() if gdf.crs is not None else None,
        "n_rows": len(gdf),
        "datetime_columns": {
            str(c): (str(gdf[c].dt.tz) if gdf[c].dt.tz is not None else None)
            for c in gdf.columns
            if c != gdf.geometry.name and pd.api.types.is_datetime64_any_dtype(gdf[c])
        },
        "hotspot": _jsonable(get_meta(gdf)),
    }


def _plain_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    if out.index.name is not None or not isinstance(out.index, pd.RangeIndex):
        name = out.index.name or "index"
        out = out.reset_index(names=name) if name not in out.columns else out.reset_index(drop=True)
    for c in out.columns:
        if c == out.geometry.name:
            continue
        s = out[c]
        if pd.api.types.is_datetime64_any_dtype(s):  # ISO 8601 with the UTC offset
            out[c] = s.map(lambda v: None if pd.isna(v) else v.isoformat()).astype(object)
        elif isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(s.dtype):
            out[c] = s.astype(object).where(s.notna(), None).map(
                lambda v: v if v is None else str(v))
    out.attrs = {}
    return out


def export(data: gpd.GeoDataFrame, path: str | Path, *, layer: str | None = None,
           overwrite: bool = False, internal: bool = False, min_count: int = 3) -> Path:
    """Write units or hotspots to a GeoPackage, GeoJSON or CSV file with their parameters.

    Parameters
    ----------
    data
        A GeoDataFrame (units, hotspots, incidents...). Its ``attrs["hotspot"]``
        (parameters and automatic choices) is written alongside, see the module notes.
    path
        Output file; the format follows the extension: ``.gpkg``, ``.geojson`` (or
        ``.json``), ``.csv``.
    layer
        GeoPackage layer name (default: the file stem). A GeoPackage may hold several
        layers (e.g. ``"units"`` and ``"hotspots"``): writing a new layer into an
        existing file is allowed; replacing an existing layer needs ``overwrite``.
    overwrite
        Replace an existing file (or GeoPackage layer). Default False: raise
        FileExistsError.
    internal
        False (default): the file is for sharing, so the privacy rule of the printed
        maps applies: units with ``0 < n_incidents < min_count`` keep their geometry
        and ids but lose every other value (``suppressed`` is True), such hotspots
        are left out, and individual incident points are refused. True: everything
        is written, for use inside the analyst's office. The metadata says which (``"privacy"``).
    min_count
        Suppression threshold (default 3, as on the maps).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from hotspot.present.export import export, read_export
    >>> hot = gpd.GeoDataFrame({"rank": [1]}, geometry=[box(0, 0, 250, 250)], crs=32616)
    >>> hot.attrs["hotspot"] = {"hotspots": {"params": {"method": "gistar"}}}
    >>> out = export(hot, pathlib.Path(tempfile.mkdtemp()) / "hot.geojson")
    >>> back = read_export(out)
    >>> back.attrs["hotspot"]["hotspots"]["params"]["method"]
    'gistar'
    """
    gdf = check_geodataframe(data, "data")
    path = Path(path)
    driver = _DRIVERS.get(path.suffix.lower())
    if driver is None:
        raise InvalidInputError(
            f"cannot tell the format of {path.name!r}; use a .gpkg, .geojson or .csv extension."
        )
    if layer is not None and driver != "GPKG":
        raise InvalidInputError("layer= is only used by GeoPackage (.gpkg) files.")
    gdf = gdf if internal else _suppressed(gdf, int(min_count))
    meta = _metadata(gdf)
    meta["privacy"] = (
        "internal: nothing suppressed, not for sharing"
        if internal
        else f"shared: counts under {int(min_count)} suppressed"
    )
    plain = _plain_frame(gdf)
    if driver == "GPKG":
        return _write_gpkg(plain, path, layer or path.stem, meta, overwrite)
    _check_free(path, overwrite)
    if driver == "GeoJSON":
        return _write_geojson(plain, path, meta)
    return _write_csv(plain, path, meta, overwrite)


_KEEP = {"unit_id", "row", "col", "hotspot_id", "rank", "segment_id", "suppressed"}


def _suppressed(gdf: gpd.GeoDataFrame, min_count: int) -> gpd.GeoDataFrame:
    """Blank the values of rows under ``min_count`` incidents; refuse incident points."""
    if "n_incidents" not in gdf.columns:
        if len(gdf) and bool(gdf.geom_type.isin(["Point", "MultiPoint"]).all()):
            raise InvalidInputError(
                "these look like individual incidents (points without n_incidents): they "
                "are not exported for sharing. Export counts or hotspots instead, or pass "
                "internal=True for a file that stays inside the analyst's office."
            )
        return gdf
    n = pd.to_numeric(gdf["n_incidents"], errors="coerce").fillna(0).to_numpy()
    small = (n > 0) & (n < min_count)
    if "hotspot_id" in gdf.columns and small.any():  # hotspots: left out, as on the pages
        out = gdf[~small].copy()
        out.attrs = gdf.attrs
        return out
    out = gdf.copy()
    out["suppressed"] = small
    if small.any():
        for c in out.columns:
            if c in _KEEP or c == out.geometry.name:
                continue
            if pd.api.types.is_bool_dtype(out[c]) or pd.api.types.is_integer_dtype(out[c]):
                out[c] = out[c].astype("Float64" if out[c].dtype.kind in "iu" else object)
            out.loc[small, c] = None
    out.attrs = gdf.attrs
    return out


def _check_free(path: Path, overwrite: bool, what: str | None = None) -> None:
    if path.exists() and not overwrite:
        raise FileExistsError(
            f"{what or path} already exists; pass overwrite=True to replace it, "
            "or choose another path."
        )


def _gpkg_layers(path: Path) -> list[str]:
    if not path.exists():
        return []
    import pyogrio

    return [str(name) for name in pyogrio.list_layers(path)[:, 0]]


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path, layer: str, meta: dict[str, Any],
                overwrite: bool) -> Path:
    if layer == METADATA_TABLE:
        raise InvalidInputError(f"layer name {METADATA_TABLE!r} is reserved for the parameters.")
    if layer in _gpkg_layers(path):
        _check_free(path, overwrite, what=f"layer {layer!r} of {path}")
    gdf.to_file(path, layer=layer, driver="GPKG")
    meta = {**meta, "layer": layer}
    with sqlite3.connect(path) as con:
        con.execute(f"CREATE TABLE IF NOT EXISTS {METADATA_TABLE} "
                    "(layer TEXT PRIMARY KEY, metadata TEXT NOT NULL)")
        con.execute(f"INSERT OR REPLACE INTO {METADATA_TABLE} (layer, metadata) VALUES (?, ?)",
                    (layer, json.dumps(meta)))
        # register as a plain attribute table so GIS software lists it
        con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier) "
                    "VALUES (?, 'attributes', ?)", (METADATA_TABLE, METADATA_TABLE))
    return path


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path, meta: dict[str, Any]) -> Path:
    fc = json.loads(gdf.to_json(na="null", drop_id=True))
    fc["crs"] = _crs_member(gdf)
    fc["hotspot"] = meta
    path.write_text(json.dumps(fc), encoding="utf-8")
    return path


def _crs_member(gdf: gpd.GeoDataFrame) -> dict[str, Any] | None:
    if gdf.crs is None:
        return None
    epsg = gdf.crs.to_epsg()
    name = f"urn:ogc:def:crs:EPSG::{epsg}" if epsg else gdf.crs.to_string()
    return {"type": "name", "properties": {"name": name}}


def _write_csv(gdf: gpd.GeoDataFrame, path: Path, meta: dict[str, Any],
               overwrite: bool) -> Path:
    side = _sidecar(path)
    _check_free(side, overwrite)
    geom = gdf.geometry
    df = pd.DataFrame(gdf.drop(columns=geom.name))
    cent = geom.centroid
    df["centroid_x"] = cent.x.to_numpy()
    df["centroid_y"] = cent.y.to_numpy()
    df["geometry"] = geom.to_wkt().to_numpy()
    df.to_csv(path, index=False)
    side.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return path


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def read_export(path: str | Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a file written by :func:`export`, with its parameters back in ``attrs``.

    Parameters
    ----------
    path
        A ``.gpkg``, ``.geojson`` or ``.csv`` file made by :func:`export`.
    layer
        GeoPackage layer (default: the only data layer, or the file stem).

    Returns
    -------
    geopandas.GeoDataFrame
        ``attrs["hotspot"]`` holds the stored parameters. Categorical columns come
        back as strings; ``unit_id`` (when written) becomes the index again.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from hotspot.present.export import export, read_export
    >>> cells = gpd.GeoDataFrame({"n_incidents": [3]}, geometry=[box(0, 0, 1, 1)], crs=32616)
    >>> out = export(cells, pathlib.Path(tempfile.mkdtemp()) / "c.csv")
    >>> read_export(out)["n_incidents"].tolist()
    [3]
    """
    path = Path(path)
    driver = _DRIVERS.get(path.suffix.lower())
    if driver is None:
        raise InvalidInputError(f"cannot tell the format of {path.name!r}.")
    if not path.is_file():
        raise SourceNotFoundError(f"no such file: {str(path)!r}.")
    try:
        return _read_export(path, driver, layer)
    except (KeyError, IndexError, TypeError, AttributeError, ValueError, OSError,
            sqlite3.Error, json.JSONDecodeError) as exc:
        if isinstance(exc, InvalidInputError):
            raise
        msg = (f"{path.name} was not written by hs.export ({type(exc).__name__}: {exc}). "
               "Read incident exports with hs.read_incidents, other GIS files with "
               "geopandas.read_file.")
        raise InvalidInputError(msg) from None


def _read_export(path: Path, driver: str, layer: str | None) -> gpd.GeoDataFrame:
    if driver == "GPKG":
        layers = [name for name in _gpkg_layers(path) if name != METADATA_TABLE]
        if layer is None:
            layer = layers[0] if len(layers) == 1 else path.stem
        gdf = gpd.read_file(path, layer=layer)
        with sqlite3.connect(path) as con:
            row = con.execute(f"SELECT metadata FROM {METADATA_TABLE} WHERE layer = ?",
                              (layer,)).fetchone()
        meta = json.loads(row[0]) if row else {}
    elif driver == "GeoJSON":
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
            kind = raw.get("type") if isinstance(raw, dict) else type(raw).__name__
            msg = f"not a GeoJSON FeatureCollection (type {kind!r})"
            raise ValueError(msg)
        meta = raw.get("hotspot", {})
        gdf = gpd.GeoDataFrame.from_features(raw["features"], crs=meta.get("crs"))
        cols = list(raw["features"][0]["properties"]) if raw["features"] else []
        gdf = gdf[[*cols, "geometry"]] if cols else gdf
    else:
        side = _sidecar(path)
        meta = json.loads(side.read_text(encoding="utf-8")) if side.exists() else {}
        df = pd.read_csv(path)
        geom = gpd.GeoSeries.from_wkt(df.pop("geometry"))
        df = df.drop(columns=[c for c in ("centroid_x", "centroid_y") if c in df.columns])
        gdf = gpd.GeoDataFrame(df, geometry=geom.to_numpy(), crs=meta.get("crs"))
    for col, tz in meta.get("datetime_columns", {}).items():
        if col in gdf.columns:
            when = pd.to_datetime(gdf[col], utc=tz is not None, format="ISO8601")
            gdf[col] = when.dt.tz_convert(tz) if tz is not None else when
    if "unit_id" in gdf.columns:
        gdf = gdf.set_index("unit_id")
    gdf.attrs["hotspot"] = dict(meta.get("hotspot", {}))
    if "privacy" in meta:  # shared (suppressed) or internal: said in the file
        gdf.attrs["hotspot"]["privacy"] = meta["privacy"]
    return gdf
