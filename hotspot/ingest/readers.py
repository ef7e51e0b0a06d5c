"""Load sources (files, folders, globs, frames) into one frame before column detection."""

from __future__ import annotations

import bz2
import codecs
import difflib
import glob as _glob
import gzip
import importlib
import io
import lzma
import re
import tempfile
import warnings as _warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pyproj import CRS

from hotspot._core.crs import _crs_str
from hotspot.exceptions import InputTypeError, InvalidInputError, SourceNotFoundError

_VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb", ".gml", ".kml", ".zip",
                    ".gdb")
_PARQUET_SUFFIXES = (".parquet", ".geoparquet", ".pq")
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".tsv", ".tsv.gz", ".txt.gz", ".csv.bz2",
                 ".csv.zip", ".csv.xz", ".tab", ".tab.gz", ".tsv.bz2", ".txt.bz2",
                 ".tsv.xz", ".txt.xz", ".tab.bz2", ".tab.xz", ".csv.gzip")
_SUPPORTED = "CSV (.csv, .tsv, .tab, .txt, also .gz/.bz2/.xz/.zip compressed), Excel " \
    "(.xlsx, .xls), GeoJSON, GeoPackage, File Geodatabase, Shapefile, FlatGeobuf, " \
    "Parquet/GeoParquet, a folder or glob of CSVs, a pandas DataFrame or a GeoDataFrame"
_HEAD_BYTES = 1 << 16
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"PK\x03\x04", "zip"), (b"BZh", "bz2"),
          (b"\xfd7zXZ\x00", "xz"))
_OPEN_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile,
                ValueError)


@dataclass
class _Loaded:
    frame: pd.DataFrame  # original (non-geometry) columns, RangeIndex
    geometry: gpd.GeoSeries | None = None
    crs: CRS | None = None
    files: list[str] = field(default_factory=list)
    source_file: np.ndarray | None = None  # per row, multi-file only
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for s in sorted(_CSV_SUFFIXES + _VECTOR_SUFFIXES + _PARQUET_SUFFIXES + _EXCEL_SUFFIXES,
                    key=len, reverse=True):
        if name.endswith(s):
            return s
    return path.suffix.lower()


def _compression(path: Path) -> str | None:
    """Compression of a file from its first bytes (gzip, zip, bz2, xz), whatever its name."""
    try:
        with open(path, "rb") as fh:
            magic = fh.read(6)
    except OSError as exc:
        msg = f"could not open {path.name}: {exc.strerror or exc}. Check the path and its " \
              "permissions."
        raise InvalidInputError(msg) from None
    return next((kind for sig, kind in _MAGIC if magic.startswith(sig)), None)


def _open_binary(path: Path, compression: str | None) -> IO[bytes]:
    if compression == "gzip":
        return gzip.open(path, "rb")
    if compression == "bz2":
        return bz2.open(path, "rb")
    if compression == "xz":
        return lzma.open(path, "rb")
    if compression == "zip":
        zf = zipfile.ZipFile(path)
        names = [n for n in zf.namelist() if not n.endswith("/")
                 and not n.startswith("__MACOSX")]
        if len(names) != 1:
            msg = (f"{path.name} is a zip archive holding {len(names)} files "
                   f"({', '.join(names[:5])}): extract it and pass the file (or the folder) "
                   "to read.")
            raise InvalidInputError(msg)
        return zf.open(names[0])
    return open(path, "rb")


def _head(path: Path, compression: str | None) -> bytes:
    """Read the first 64 KiB of the (decompressed) file; a corrupt file is our error."""
    try:
        with _open_binary(path, compression) as fh:
            return fh.read(_HEAD_BYTES)
    except InvalidInputError:
        raise
    except _OPEN_ERRORS as exc:
        raise _corrupt(path, compression, exc) from None


def _corrupt(path: Path, compression: str | None, exc: BaseException) -> InvalidInputError:
    kind = f"{compression} " if compression else ""
    return InvalidInputError(
        f"{path.name} is not a readable {kind}file (corrupt or truncated: "
        f"{type(exc).__name__}: {exc}). Download or export it again, or decompress it "
        "with another tool to see what is wrong.")


def _detect_encoding(head: bytes) -> str:
    """Text encoding from a byte-order mark, NUL bytes (UTF-16) or strict decoding.

    UTF-8 (with or without BOM) when the bytes decode as UTF-8, UTF-16 when they start
    with its BOM or every other byte is NUL, else Windows-1252 when that decodes them,
    else Latin-1 (which decodes anything).
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4 and sample[1::2].count(0) > 0.4 * (len(sample) // 2):
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > 0.4 * (len(sample) // 2):
        return "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _sniff_delimiter(text: str, suffix: str) -> str:
    """Pick the delimiter that splits the header and the next lines alike."""
    if suffix.startswith((".tsv", ".tab")):
        return "\t"
    lines = [ln for ln in text.splitlines()[:6] if ln.strip()]
    if not lines:
        return ","
    if len(lines) > 2:
        lines = lines[:-1]  # the last line of the head may be cut
    best, best_n = ",", 0
    for d in (",", ";", "\t", "|"):
        n = lines[0].count(d)
        consistent = all(ln.count(d) >= n for ln in lines[1:])
        if n > best_n and (consistent or best_n == 0):
            best, best_n = d, n
    return best


def csv_dialect(path: Path) -> tuple[str | None, str, str, list[str]]:
    r"""Return the compression, encoding and delimiter of a CSV file (its first 64 KiB).

    Returns ``(compression, encoding, sep, notes)``; the notes say what is not the
    default (another encoding, compression without its suffix, another delimiter).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = f.write_text("x;y\n1;2\n")
    >>> csv_dialect(f)[:3]
    (None, 'utf-8', ';')
    """
    suffix = _suffix(path)
    compression = _compression(path)
    head = _head(path, compression)
    encoding = _detect_encoding(head)
    sep = _sniff_delimiter(head.decode(encoding, errors="replace").lstrip("\ufeff"), suffix)
    notes = []
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(f"{path.name} read as {encoding} text (not valid UTF-8)")
    if compression and not suffix.endswith({"gzip": ".gz", "bz2": ".bz2", "xz": ".xz",
                                            "zip": ".zip"}[compression]):
        notes.append(f"{path.name} is {compression}-compressed (detected from its content)")
    if sep != ",":
        notes.append(f"{path.name}: {'tab' if sep == chr(9) else repr(sep)}-separated")
    return compression, encoding, sep, notes


def _read_csv(path: Path, suffix: str) -> _Loaded:
    compression, encoding, sep, notes = csv_dialect(path)
    df, encoding = _parse_csv(path, compression, sep, encoding)
    return _Loaded(df, files=[str(path)], notes=notes, encoding=encoding)


def read_csv_block(path: Path, start: int, end: int, header_end: int, encoding: str,
                   sep: str, nrows: int | None = None) -> pd.DataFrame:
    r"""Read the lines in bytes ``[start, end)`` of an uncompressed CSV file, with its header.

    The file's header line (bytes ``[0, header_end)``) is put in front of the block,
    which is parsed as :func:`hotspot.read_incidents` parses a whole file (pyarrow,
    then the C engine; dates kept as text), with the file's ``encoding`` and ``sep``
    (:func:`csv_dialect`). ``start`` and ``end`` must be line starts.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = f.write_text("x,y\n1,2\n3,4\n5,6\n")
    >>> read_csv_block(f, 8, 12, 4, "utf-8", ",").to_dict("list")
    {'x': [3], 'y': [4]}
    """
    try:
        with open(path, "rb") as fh:
            header = fh.read(header_end)
            fh.seek(start)
            body = fh.read(end - start)
    except OSError as exc:
        msg = f"could not read {path.name}: {exc}."
        raise InvalidInputError(msg) from None
    if nrows is not None:  # the first rows only: whole lines of the first part of the block
        cut = body[: max(1 << 16, 512 * nrows)]
        body = cut if len(cut) == len(body) else cut[: cut.rfind(b"\n") + 1]
    name = f"{path.name} (bytes {start:,}-{end:,})"
    df, _ = _parse_csv(header + body, None, sep, encoding, name)
    return df if nrows is None else df.head(nrows)


def _parse_csv(path: Path | bytes, compression: str | None, sep: str, encoding: str,
               name: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read with pyarrow when UTF-8 (fast), else with the C engine; never return bytes.

    ``path`` may be the bytes of a CSV text (``name`` then names it in messages).
    """
    name = name if name is not None else path.name if isinstance(path, Path) else "the text"
    attempts: list[tuple[str, str]] = []
    if encoding in ("utf-8", "utf-8-sig") and compression != "zip":
        attempts.append(("pyarrow", encoding))
    attempts.append(("c", encoding))
    if encoding in ("utf-8", "utf-8-sig"):
        attempts.append(("c", "cp1252"))
    if encoding != "latin-1":
        attempts.append(("c", "latin-1"))
    errors: list[str] = []
    for engine, enc in attempts:
        kw: dict[str, Any] = {"sep": sep, "encoding": enc, "engine": engine,
                              "compression": compression}
        if engine == "c":
            kw["low_memory"] = False
        try:
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore", pd.errors.ParserWarning)
                df = pd.read_csv(_csv_input(path), **kw)
                if engine == "pyarrow":
                    df = _dates_as_text(df, path, kw)
        except pd.errors.EmptyDataError:
            msg = f"{name} is empty (no header line): nothing to read."
            raise InvalidInputError(msg) from None
        except UnicodeError as exc:
            errors.append(f"{enc}: {exc}")
            continue
        except (*_OPEN_ERRORS, pd.errors.ParserError) as exc:
            if isinstance(path, Path) and (isinstance(exc, (
                    zlib.error, EOFError, lzma.LZMAError, zipfile.BadZipFile,
                    gzip.BadGzipFile)) or "compress" in str(exc).lower()):
                raise _corrupt(path, compression, exc) from None
            errors.append(f"{engine}: {type(exc).__name__}: {exc}")
            continue
        if _holds_bytes(df):
            errors.append(f"{engine}/{enc}: undecoded bytes")
            continue
        df.columns = [str(c).lstrip("\ufeff").strip() for c in df.columns]
        return _fix_arrow_objects(df), enc
    msg = (
        f"could not read {name} as a {sep!r}-separated text file: {errors[-1]}. "
        "Check that the file is a delimited text file with one header line."
    )
    raise InvalidInputError(msg)


def _csv_input(path: Path | bytes) -> Path | io.BytesIO:
    """Return a path as is, or a fresh reader over CSV bytes (read from the start)."""
    return io.BytesIO(path) if isinstance(path, bytes) else path


def _holds_bytes(df: pd.DataFrame) -> bool:
    """Say whether an object column holds ``bytes`` (pyarrow on non-UTF-8 text)."""
    for col in df.columns[[ptypes.is_object_dtype(t) for t in df.dtypes]]:
        first = df[col].dropna()
        if not first.empty and (isinstance(first.iloc[0], bytes) or any(
                isinstance(v, bytes) for v in first.iloc[:: max(1, len(first) // 50)])):
            return True
    return False


def _dates_as_text(df: pd.DataFrame, path: Path | bytes, kw: dict[str, Any]) -> pd.DataFrame:
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
    txt = pd.read_csv(_csv_input(path), usecols=cols, dtype=dict.fromkeys(cols, "string"),
                      **kw)
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


def _read_excel(path: Path, suffix: str, sheet: Any, dates: tuple[Any, ...] = ()
                ) -> _Loaded:
    engine = "xlrd" if suffix == ".xls" else "openpyxl"
    try:
        importlib.import_module(engine)
    except ImportError:
        msg = (f"reading {path.name} needs the optional package {engine!r}: "
               "pip install 'hotspot-crime[excel]' (or pip install " f"{engine}).")
        raise ImportError(msg) from None
    try:
        with pd.ExcelFile(path, engine=engine) as book:
            sheets = [str(s) for s in book.sheet_names]
            if sheet is None and len(sheets) > 1:
                msg = (f"{path.name} has {len(sheets)} sheets ({', '.join(map(repr, sheets))})"
                       f": pass sheet= to choose one, e.g. sheet={_largest_sheet(book)!r}.")
                raise InvalidInputError(msg)
            name = sheets[0] if sheet is None else sheet
            if isinstance(name, str) and name not in sheets:
                msg = (f"sheet={name!r}: no such sheet in {path.name}. Sheets: "
                       f"{', '.join(map(repr, sheets))}.")
                raise InvalidInputError(msg)
            if isinstance(name, (int, np.integer)) and not 0 <= name < len(sheets):
                msg = (f"sheet={name}: {path.name} has sheets 0 to {len(sheets) - 1} "
                       f"({', '.join(map(repr, sheets))}).")
                raise InvalidInputError(msg)
            df = pd.read_excel(book, sheet_name=name)
    except (InvalidInputError, ImportError):
        raise
    except Exception as exc:
        raise _corrupt(path, "Excel", exc) from None
    df.columns = [str(c).strip() for c in df.columns]
    label = sheets[name] if isinstance(name, (int, np.integer)) else name
    notes = [f"read sheet {label!r} of {path.name}"
             + (f" (sheets: {', '.join(map(repr, sheets))})" if len(sheets) > 1 else "")]
    df, serial = _excel_serial_dates(df, dates)
    if serial:
        notes.append(f"Excel serial day numbers read as dates in {', '.join(serial)}")
    return _Loaded(df, files=[str(path)], notes=notes)


_SERIAL_WORDS = ("date", "fecha", "datum", "time", "when", "occurred", "report", "created",
                 "dt")
_ID_WORDS = ("id", "no", "num", "number", "ref", "code", "nr")
_LAST_SERIAL = 2_958_466  # 9999-12-31 in the 1900 date system


def _largest_sheet(book: pd.ExcelFile) -> str:
    """Name the sheet with the most rows (a notes or cover sheet is seldom the data)."""
    names = [str(s) for s in book.sheet_names]
    try:
        rows = [book.book[n].max_row or 0 for n in names]
    except Exception:  # xlrd books, or a workbook without dimensions
        return names[0]
    return names[int(np.argmax(rows))]


def _serial_named(col: Any) -> bool:
    """Tell whether a column name says date or time (and not id or reference number)."""
    words = [w for w in re.split(r"[^a-z]+", str(col).lower()) if w]
    low = "_".join(words)
    return any(w in low for w in _SERIAL_WORDS) and not any(w in _ID_WORDS for w in words)


def _excel_serial_dates(df: pd.DataFrame, dates: tuple[Any, ...] = ()
                        ) -> tuple[pd.DataFrame, list[str]]:
    """Numeric cells in date columns are Excel serial days (1900 date system).

    A date column is one named like a date or time (not an id) or one given in
    ``dates`` (the ``datetime=``/``start=``/``end=`` of :func:`read_incidents`). Its
    numbers are serial days when their median is a date after 1927 (> 10,000) and every
    one lies in 0-2,958,465; they are read to the nearest second. Placeholders such as
    0 or 1 (1899-12-30/31) are read as dates too, so the implausible-date check drops
    them with their reason.
    """
    done = []
    for col in df.columns:
        s = df[col]
        if not ptypes.is_numeric_dtype(s) or ptypes.is_bool_dtype(s) or not (
                col in dates or _serial_named(col)):
            continue
        v = s.to_numpy(dtype=float, na_value=np.nan)
        ok = np.isfinite(v)
        if ok.any() and np.all((v[ok] >= 0) & (v[ok] < _LAST_SERIAL)) and np.median(
                v[ok]) > 10_000:
            df = df.copy() if not done else df
            # To the second: a serial stored with 5-6 decimals is only good to ~0.1 s,
            # and 18:59 must not print as 18:58:59.981.
            df[col] = pd.Timestamp("1899-12-30") + pd.to_timedelta(
                np.round(v * 86_400), unit="s")
            done.append(str(col))
    return df, done


def _several_layers(path: Path, listed: Any) -> str:
    """Say that a file has several layers and which one most likely holds the incidents.

    The suggestion is the layer of point geometries with the most features (incidents
    are points; a smaller point layer is more often arrests or calls, polygons are
    beats or areas); without a point layer, the layer with the most features.
    """
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    rows = []
    for name, geom_type in listed:
        try:
            n = int(pyogrio.read_info(path, layer=str(name))["features"])
        except (DataLayerError, DataSourceError, KeyError, TypeError, ValueError):
            n = -1  # a count is a hint only: unknown stays -1
        kind = str(geom_type) if geom_type else "no geometry"
        rows.append((str(name), kind, n))
    points = [r for r in rows if "point" in r[1].lower()]
    pool = points or rows
    best = max(pool, key=lambda r: r[2])  # the first of equal counts
    shown = ", ".join(f"{name!r} ({kind}, " + (f"{n:,} features)" if n >= 0 else
                                                 "features not counted)")
                      for name, kind, n in rows)
    why = ("the point layer with the most features" if points and len(points) > 1 else
           "the only point layer" if points else "no layer holds points; the one with the "
           "most features")
    return (f"{path.name} has {len(rows)} layers: {shown}; pass layer= to choose one, e.g. "
            f"layer={best[0]!r} ({why}).")


def _read_vector(path: Path, layer: Any) -> _Loaded:
    import pyogrio

    notes: list[str] = []
    try:
        listed = pyogrio.list_layers(path)
    except Exception as exc:
        msg = f"could not read {path.name} as a vector GIS file: {exc}."
        raise InvalidInputError(msg) from None
    layers = [str(r[0]) for r in listed]
    if layer is None and len(layers) > 1:
        raise InvalidInputError(_several_layers(path, listed))
    if isinstance(layer, str) and layer not in layers:
        msg = (f"layer={layer!r}: no such layer in {path.name}. Layers: "
               f"{', '.join(map(repr, layers))}.")
        raise InvalidInputError(msg)
    if layer is not None or len(layers) > 1:
        notes.append(f"read layer {layer!r} of {path.name} (layers: "
                     f"{', '.join(map(repr, layers))})")
    try:
        gdf = gpd.read_file(path, layer=layer) if layer is not None else gpd.read_file(path)
    except Exception as exc:
        msg = f"could not read {path.name} as a vector GIS file: {exc}."
        raise InvalidInputError(msg) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.isna().all():
        loaded = _Loaded(pd.DataFrame(gdf.drop(columns="geometry", errors="ignore")))
    else:
        loaded = _from_geodataframe(gdf)
    loaded.files = [str(path)]
    loaded.notes += notes
    return loaded


def _read_file(path: Path, sheet: Any = None, layer: Any = None,
               dates: tuple[Any, ...] = ()) -> _Loaded:
    suffix = _suffix(path)
    if path.is_file() and suffix in (".zip", ".json", ".geojson"):
        suffix = _zip_or_vector(path, suffix)
    if suffix in _CSV_SUFFIXES or (suffix not in _VECTOR_SUFFIXES + _PARQUET_SUFFIXES
                                   + _EXCEL_SUFFIXES and _compression(path) is not None):
        return _read_csv(path, suffix)
    if suffix in _EXCEL_SUFFIXES:
        return _read_excel(path, suffix, sheet, dates)
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
        return _read_vector(path, layer)
    msg = (
        f"unsupported file format {suffix or '(no extension)'!r} for {path.name}. "
        f"read_incidents reads {_SUPPORTED}. Convert the file (e.g. save it as CSV) or "
        "read it with pandas/geopandas and pass the frame."
    )
    raise InvalidInputError(msg)


def _zip_or_vector(path: Path, suffix: str) -> str:
    """Read a .zip holding one delimited text file as a compressed CSV, else as GIS."""
    if suffix != ".zip":
        return suffix
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError) as exc:
        raise _corrupt(path, "zip", exc) from None
    text = [n for n in names if n.lower().endswith((".csv", ".txt", ".tsv", ".tab"))]
    return ".csv.zip" if len(names) == 1 and text else suffix


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
            raise SourceNotFoundError(msg)
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
        raise SourceNotFoundError(msg)
    if path.is_file() or path.suffix.lower() == ".gdb":
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
        raise SourceNotFoundError(msg)
    return files, notes


def _load(source: Any, sheet: Any = None, layer: Any = None,
          dates: tuple[Any, ...] = ()) -> _Loaded:
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
        raise InputTypeError(msg)
    files, notes = _expand_paths(source)
    if len(files) == 1 and _is_csv_archive(files[0]):
        return _load_archive(files[0], notes, dates)
    parts = [_read_file(p, sheet, layer, dates) for p in files]
    if len(parts) == 1:
        parts[0].notes = notes + parts[0].notes
        return parts[0]
    return _concat(parts, files, notes)


def _is_csv_archive(path: Path) -> bool:
    """Tell whether a .zip holds several text files and no GIS layer (police.uk)."""
    if _suffix(path) != ".zip" or not path.is_file():
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n.lower() for n in zf.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError):
        return False
    gis = (".shp", ".gpkg", ".geojson", ".json", ".gdbtable", ".fgb", ".gml", ".kml")
    text = [n for n in names if n.endswith((".csv", ".txt", ".tsv", ".tab"))]
    return len(text) > 1 and not any(n.endswith(gis) for n in names)


def _load_archive(path: Path, notes: list[str], dates: tuple[Any, ...]) -> _Loaded:
    """Read a .zip of CSV files as the folder it unpacks to (police.uk files preferred)."""
    with tempfile.TemporaryDirectory(prefix="hotspot-") as tmp:
        try:
            with zipfile.ZipFile(path) as zf:
                zf.extractall(tmp)  # member names are sanitised: nothing lands outside tmp
        except (zipfile.BadZipFile, OSError, zlib.error, EOFError) as exc:
            raise _corrupt(path, "zip", exc) from None
        files, more = _expand_paths(tmp)
        parts = [_read_file(p, None, None, dates) for p in files]
        named = [Path(path.name) / p.relative_to(tmp) for p in files]
        for part, name in zip(parts, named, strict=True):
            part.files = [str(name)]
        notes = [*notes, f"{path.name}: read {len(files)} CSV file(s) from the archive",
                 *[n.replace(f"the folder {tmp!r}", path.name) for n in more]]
        if len(parts) == 1:
            parts[0].notes = notes + parts[0].notes
            return parts[0]
        return _concat(parts, named, notes)


def _role_names(columns: list[Any]) -> dict[str, Any]:
    """Column of each detection role (lon, lat, x, y, date, time...) found by its name."""
    from hotspot.ingest import columns as _c

    squashed = {_c._squash(c): c for c in reversed(columns)}
    roles = {"lon": _c._LON, "lat": _c._LAT, "x": _c._X, "y": _c._Y,
             "location": _c._LOCATION, "datetime": _c._DATETIME, "time": _c._TIME,
             "start": _c._START, "end": _c._END, "offence": _c._OFFENCE}
    found: dict[str, Any] = {}
    for role, names in roles.items():
        col = next((squashed[_c._squash(n)] for n in names if _c._squash(n) in squashed),
                   None)
        if col is not None and col not in found.values():
            found[role] = col
    return found


def _harmonise(parts: list[_Loaded], files: list[Path], notes: list[str],
               warnings: list[str]) -> tuple[list[_Loaded], list[Path]]:
    """Give every file the column names of the first files, matched by normalised name.

    Names are matched after lower-casing and removing punctuation (``Crime ID`` =
    ``crime_id``), then by role (``lat``/``Latitude``, ``lon``/``Longitude``, ``date``/
    ``Date Occurred``...). A file that shares no role and fewer than half its columns
    with the others is skipped and named in a warning; the other files are kept whole.
    """
    from hotspot.ingest.columns import _squash

    canon: dict[str, Any] = {}  # squashed name -> first spelling
    role_canon: dict[str, Any] = {}
    keep_parts, keep_files = [], []
    reference: set[str] = set()
    for part, f in zip(parts, files, strict=True):
        cols = list(part.frame.columns)
        roles = _role_names(cols)
        sq = {_squash(c) for c in cols}
        if reference and not (set(roles) & set(role_canon)) and (
                len(sq & reference) < 0.5 * len(sq)):
            warnings.append(f"skipped {Path(f).name}: its columns ({', '.join(map(str, cols[:8]))}"
                            f"{' ...' if len(cols) > 8 else ''}) match none of the other "
                            "files'; read it separately")
            continue
        rename: dict[Any, Any] = {}
        for role, col in roles.items():
            target = role_canon.setdefault(role, col)
            if target != col and target not in cols:
                rename[col] = target
        for c in cols:
            if c in rename:
                continue
            target = canon.setdefault(_squash(c), c)
            if target != c and target not in cols:
                rename[c] = target
        if rename:
            part.frame = part.frame.rename(columns=rename)
            notes.append(f"{Path(f).name}: columns matched to the other files' names ("
                         + ", ".join(f"{k!r} -> {v!r}" for k, v in rename.items()) + ")")
        for c in part.frame.columns:
            canon.setdefault(_squash(c), c)
        reference |= {_squash(c) for c in part.frame.columns}
        keep_parts.append(part)
        keep_files.append(f)
    return keep_parts, keep_files


def _concat(parts: list[_Loaded], files: list[Path], notes: list[str]) -> _Loaded:
    warnings: list[str] = []
    for p in parts:
        notes += p.notes
    parts, files = _harmonise(parts, files, notes, warnings)
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
    encodings = sorted({p.encoding for p in parts if p.encoding})
    return _Loaded(frame, geometry=geometry, crs=crs, files=[str(f) for f in files],
                   source_file=names, notes=notes, warnings=warnings,
                   encoding=", ".join(encodings) or None)


def _dup_columns(frame: pd.DataFrame) -> None:
    dups = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
    msg = (f"the data has duplicate column names: {', '.join(dups)}. Rename them so that "
           "every column name is unique.")
    raise InvalidInputError(msg)


# --------------------------------------------------------------------------------------
# Column detection
# --------------------------------------------------------------------------------------
