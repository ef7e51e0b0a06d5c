"""Load sources (files, folders, globs, frames) into one frame before column detection."""

from __future__ import annotations

import difflib
import glob as _glob
import gzip
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pyproj import CRS

from hotspot._core.crs import _crs_str
from hotspot.exceptions import InvalidInputError

_VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb", ".gml", ".kml", ".zip")
_PARQUET_SUFFIXES = (".parquet", ".geoparquet", ".pq")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".tsv", ".tsv.gz", ".txt.gz", ".csv.bz2",
                 ".csv.zip", ".csv.xz")
_SUPPORTED = "CSV (.csv, .csv.gz, .tsv, .txt), GeoJSON, GeoPackage, Shapefile, FlatGeobuf, " \
    "Parquet/GeoParquet, a folder or glob of CSVs, a pandas DataFrame or a GeoDataFrame"


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
            if kw["engine"] == "pyarrow":
                df = _dates_as_text(df, path, sep)
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


def _dates_as_text(df: pd.DataFrame, path: Path, sep: str) -> pd.DataFrame:
    """Re-read the columns Arrow typed as dates or timestamps as text.

    Arrow reads ``2020-01-02`` and ``2020-01-02 10:30`` in one column both as
    timestamps, so a date-only value would look like a real midnight; the time parser
    needs the text to tell them apart (``date_only`` vs ``midnight``).
    """
    import datetime as _dt

    def dated(s: pd.Series) -> bool:
        if ptypes.is_datetime64_any_dtype(s):
            return True
        first = s.dropna().head(1).tolist() if s.dtype == object else []
        return bool(first) and isinstance(first[0], _dt.date)

    cols = [c for c in df.columns if dated(df[c])]
    if not cols:
        return df
    txt = pd.read_csv(path, sep=sep, engine="pyarrow", usecols=cols,
                      dtype=dict.fromkeys(cols, "string"))
    for c in cols:
        df[c] = txt[c].to_numpy(dtype=object, na_value=None)
    return df


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
