"""Read incident datasets too large for memory as Dask (geo)DataFrames.

One partition is one CSV file (police.uk monthly files included), a block of about
``blocksize`` bytes of a large uncompressed CSV file (read with the file's header), or
a run of Parquet row groups. Each partition is read by the in-memory
:func:`hotspot.read_incidents`, so canonical columns, drop reasons and ``time_quality``
are the same by construction.

What the in-memory reader decides from the data is decided **once** for the dataset,
from a sample of the first rows of **every** partition (at most :data:`SAMPLE_ROWS`
each, :data:`SAMPLE_BUDGET` in all), read by the same reader: the output CRS
(``to_crs``), the day/month order of text dates (``dayfirst``), the time zone
(``tz``), and every decision of :mod:`hotspot.ingest.rules` (the coordinate, date,
time, hour and offence columns, number separators, the one-clock-time and
first-of-month rules, how a time column writes times, snapped points and stacked
placeholder coordinates). Every partition is then read with those decisions fixed,
so no partition decides on its own. Whatever the caller passes wins. The sample is
the partitions' first rows: a rule that only later rows would change (a time column
whose first rows are all whole hours 0-23, a stack that starts later in every file)
is decided from the sample; pass the argument (``time=``, ``decimal=``...) to fix it.

Still taken partition by partition, from its own rows: which of the fitting date
formats parses a text column (the values are the same), the epoch unit of numbers,
the repairs that compare a row with its partition's median point (swapped lat/lon,
degree-like points among projected ones), and the data-quality warnings (rounded or
snapped coordinates, share of midnight times, rows far from the median, stray
dates), which the dataset's report lists once with the number of files that gave
them. Stacked locations are added up over the partitions into one warning.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from hotspot._core.crs import _crs_str
from hotspot._core.meta import attach, get_meta, note_choice
from hotspot.exceptions import DataQualityWarning, InvalidInputError
from hotspot.ingest.incidents import DROP_REASONS, TIME_QUALITIES
from hotspot.ingest.incidents import read_incidents as _read_one
from hotspot.ingest.locations import add_stacks, stack_line
from hotspot.ingest.readers import (
    _CSV_SUFFIXES,
    _PARQUET_SUFFIXES,
    _compression,
    _expand_paths,
    _open_binary,
    _suffix,
    csv_dialect,
    read_csv_block,
)
from hotspot.ingest.report import IngestReport
from hotspot.ingest.rules import read_rules
from hotspot.scale._dask import is_dask_collection, require_dask

__all__ = ["SAMPLE_BUDGET", "SAMPLE_ROWS", "ingest_report", "read_incidents",
           "write_incidents"]

SAMPLE_ROWS = 2_000
"""Most rows taken from the start of each partition for the sample."""
SAMPLE_BUDGET = 200_000
"""Rows of the whole sample: each partition gives ``SAMPLE_BUDGET // npartitions``
rows (between 100 and :data:`SAMPLE_ROWS`)."""
_MARKER = "_hotspot_incidents.json"  # marks a folder written by write_incidents
_STACK_WARNING = "stacked locations:"  # the warning of hotspot.ingest.locations.stack_line


@dataclass(frozen=True)
class _Part:
    """One partition: a file, or a run of row groups of a Parquet file."""

    path: str
    kind: str  # "csv", "parquet" (raw records) or "canonical" (written by write_incidents)
    row_groups: tuple[int, ...] | None = None
    offset: int | None = None  # dataset row_id of the first row; None: counted per file
    name: str | None = None  # source_file value (multi-file datasets)
    block: tuple[int, int, int] | None = None  # CSV block: start, end, end of the header
    dialect: tuple[str, str] | None = None  # CSV block: the file's encoding and delimiter

    @property
    def label(self) -> str:
        """The file, and for a block of a CSV file its bytes."""
        if self.block is None:
            return self.path
        return f"{self.path} [bytes {self.block[0]:,}-{self.block[1]:,}]"


@dataclass
class _Plan:
    parts: list[_Part]
    kwargs: dict[str, Any]
    choices: dict[str, Any]
    sample: IngestReport | None
    params: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, Any] = field(default_factory=dict)  # decisions fixed for every part
    notes: list[str] = field(default_factory=list)  # about the files (e.g. not split)


_PLANS: dict[str, _Plan] = {}


# ----------------------------------------------------------------------------- planning
def _parquet_parts(files: list[Path], partition_rows: int) -> list[_Part]:
    import pyarrow.parquet as pq

    parts: list[_Part] = []
    offset = 0
    multi = len(files) > 1
    for f in files:
        try:
            pf = pq.ParquetFile(f)
            md = pf.metadata
            kind = "canonical" if (f.parent / _MARKER).exists() else "parquet"
        except Exception as exc:
            parts.append(_Part(str(f), "broken:" + _short_error(exc), None, None,
                               f.name if multi else None))
            continue
        sizes = [md.row_group(i).num_rows for i in range(md.num_row_groups)]
        run: list[int] = []
        rows = 0
        for i, k in enumerate(sizes):
            if run and rows + k > partition_rows:
                parts.append(_Part(str(f), kind, tuple(run), offset, f.name if multi else None))
                offset += rows
                run, rows = [], 0
            run.append(i)
            rows += k
        if run or not sizes:
            parts.append(_Part(str(f), kind, tuple(run), offset, f.name if multi else None))
            offset += rows
    return parts


def _block_bounds(path: Path, blocksize: int) -> tuple[list[int], int]:
    """Line starts near every ``blocksize`` bytes of a CSV file, and the header's end."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        header = fh.readline()
        bounds = [len(header)]
        for nominal in range(len(header) + blocksize, size, blocksize):
            fh.seek(nominal - 1)
            fh.readline()  # to the end of the line that holds byte nominal - 1
            at = fh.tell()
            if bounds[-1] < at < size:
                bounds.append(at)
    return [*bounds, size], len(header)


def _block_rows(part: _Part) -> int:
    """Rows in a CSV block (its lines that are not blank, as the CSV readers count them)."""
    assert part.block is not None
    with open(part.path, "rb") as fh:
        fh.seek(part.block[0])
        data = fh.read(part.block[1] - part.block[0])
    return sum(1 for line in data.split(b"\n") if line not in (b"", b"\r"))


def _csv_parts(files: list[Path], blocksize: int | None, notes: list[str]) -> list[_Part]:
    """One partition per CSV file, or per block of a large uncompressed file."""
    multi = len(files) > 1
    parts: list[_Part] = []
    for f in files:
        name = f.name if multi else None
        size = f.stat().st_size
        if blocksize is None or size <= blocksize:
            parts.append(_Part(str(f), "csv", name=name))
            continue
        compression = _compression(f)
        if compression is not None:
            notes.append(f"{f.name} is {compression}-compressed ({size / 1e6:,.0f} MB): read "
                         "as one partition, since a compressed file cannot be split into "
                         "blocks; write it once to Parquet with hs.scale.write_incidents("
                         "hs.scale.read_incidents(...), folder) to read it in parallel")
            parts.append(_Part(str(f), "csv", name=name))
            continue
        try:
            bounds, header_end = _block_bounds(f, blocksize)
            _, encoding, sep, _ = csv_dialect(f)
        except Exception as exc:
            parts.append(_Part(str(f), "broken:" + _short_error(exc), name=name))
            continue
        parts += [_Part(str(f), "csv-block", name=name, block=(a, b, header_end),
                        dialect=(encoding, sep)) for a, b in pairwise(bounds)]
    return parts


def _count_block_rows(parts: list[_Part]) -> list[_Part]:
    """Give each CSV block the row_id of its first row (rows of the file's earlier blocks).

    The blocks' rows are counted on the cluster, one task per block; a block of blank
    lines only (a file's trailing empty lines) holds no row and is left out.
    """
    blocks = [i for i, p in enumerate(parts) if p.kind == "csv-block"]
    if not blocks:
        return parts
    dask, _ = require_dask()
    rows = dict(zip(blocks, dask.compute(*[dask.delayed(_block_rows)(parts[i])
                                           for i in blocks]), strict=True))
    out = []
    before: dict[str, int] = {}
    for i, part in enumerate(parts):
        if i not in rows:
            out.append(part)
        elif rows[i]:
            out.append(replace(part, offset=before.get(part.path, 0)))
            before[part.path] = before.get(part.path, 0) + int(rows[i])
    return out


def _plan_parts(source: Any, partition_rows: int, blocksize: int | None = None
                ) -> tuple[list[_Part], list[str]]:
    if not isinstance(source, (str, Path)):
        msg = (f"`source` must be a folder, a glob pattern or a file path, got "
               f"{type(source).__name__}; in-memory frames are read by hs.read_incidents.")
        raise TypeError(msg)
    text = str(source)
    path = Path(text).expanduser()
    notes: list[str] = []
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file()
                       and _suffix(p) in _PARQUET_SUFFIXES)
        if not files:
            files, notes = _expand_paths(path)
    else:
        files, notes = _expand_paths(text)
    pq_files = [p for p in files if _suffix(p) in _PARQUET_SUFFIXES]
    csv_files = [p for p in files if _suffix(p) in _CSV_SUFFIXES]
    if pq_files and csv_files:
        msg = (f"{text!r} mixes Parquet and CSV files; read one kind at a time (a glob such "
               "as 'data/*.parquet').")
        raise InvalidInputError(msg)
    if pq_files:
        return _parquet_parts(pq_files, partition_rows), notes
    if not csv_files:
        msg = (f"{text!r} holds no CSV or Parquet files; hotspot.scale reads a folder or glob "
               "of CSV files or a (partitioned) Parquet/GeoParquet dataset.")
        raise InvalidInputError(msg)
    return _count_block_rows(_csv_parts(csv_files, blocksize, notes)), notes


# ----------------------------------------------------------------------------- raw reads
def _short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _table_frame(table: Any) -> pd.DataFrame:
    """Convert an Arrow table to a pandas frame (a GeoDataFrame for GeoParquet)."""
    meta = table.schema.metadata or {}
    frame = table.to_pandas()
    geo = meta.get(b"geo")
    if geo is None:
        return frame
    info = json.loads(geo)
    col = info.get("primary_column", "geometry")
    crs_info = info.get("columns", {}).get(col, {}).get("crs", "OGC:CRS84")
    crs = None if crs_info is None else CRS.from_user_input(crs_info)
    geom = gpd.GeoSeries.from_wkb(frame.pop(col).to_numpy(), crs=crs)
    return gpd.GeoDataFrame(frame, geometry=geom.values, crs=crs)


def _parquet_rows(part: _Part, n_rows: int | None = None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(part.path)
    groups = list(part.row_groups or ())
    if n_rows is not None:
        batches = pf.iter_batches(batch_size=n_rows, row_groups=groups[:1])
        import pyarrow as pa

        first = next(batches, None)
        table = (pa.Table.from_batches([first]) if first is not None
                 else pf.schema_arrow.empty_table())
        table = table.replace_schema_metadata(pf.schema_arrow.metadata)
    else:
        table = pf.read_row_groups(groups)
    return _table_frame(table)


def _head(part: _Part, n_rows: int) -> pd.DataFrame | None:
    """First rows of a partition as read from the source (for the sample)."""
    try:
        if part.kind == "csv":  # the in-memory reader's compression/encoding/delimiter rules
            path = Path(part.path)
            compression, encoding, sep, _ = csv_dialect(path)
            with _open_binary(path, compression) as fh:
                return pd.read_csv(fh, sep=sep, encoding=encoding, encoding_errors="replace",
                                   nrows=n_rows, low_memory=False)
        if part.kind == "parquet":
            return _parquet_rows(part, n_rows)
        if part.kind == "csv-block":
            assert part.block is not None and part.dialect is not None
            return read_csv_block(Path(part.path), *part.block, *part.dialect, nrows=n_rows)
    except Exception:
        return None  # an unreadable partition is reported when it is read
    return None


# ----------------------------------------------------------------------------- partitions
def _light(report: IngestReport) -> IngestReport:
    """Return the report without its dropped rows (small enough to send between processes)."""
    return replace(report, dropped_rows=report.dropped_rows.iloc[:0])


def _failed(part: _Part, why: str, meta: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    report = IngestReport(rows_read=0, rows_kept=0, dropped=dict.fromkeys(DROP_REASONS, 0),
                          dropped_rows=pd.DataFrame(), warnings=[], detected={},
                          crs_in=None, crs_out=None,
                          time_quality=dict.fromkeys(TIME_QUALITIES, 0),
                          sources=[part.path], failed_sources={part.label: why})
    out = meta.iloc[:0].copy() if meta is not None else gpd.GeoDataFrame(geometry=[])
    out.attrs = {}
    return attach(out, "ingest", {}, {}, report=report)


def _canonical(part: _Part, head: int | None = None) -> gpd.GeoDataFrame:
    out = _parquet_rows(part, head)
    tq = out["time_quality"].astype(str).value_counts() if "time_quality" in out else {}
    report = IngestReport(
        rows_read=len(out), rows_kept=len(out), dropped=dict.fromkeys(DROP_REASONS, 0),
        dropped_rows=pd.DataFrame(), warnings=[], detected={}, crs_in=_crs_str(out.crs),
        crs_out=_crs_str(out.crs),
        time_quality={q: int(tq.get(q, 0)) for q in TIME_QUALITIES}, sources=[part.path],
        notes=["re-read from an incidents dataset written by hotspot.scale.write_incidents "
               "(rows were accounted for when it was written)"])
    out.attrs = {}
    return attach(out, "ingest", {}, {}, report=report)


def _conform(gdf: gpd.GeoDataFrame, meta: gpd.GeoDataFrame, notes: list[str]) -> gpd.GeoDataFrame:
    """Columns of ``meta`` (missing ones filled with NA, extra ones dropped); dtypes kept."""
    cols = list(meta.columns)
    if list(gdf.columns) == cols:
        return gdf
    extra = [c for c in gdf.columns if c not in cols]
    missing = [c for c in cols if c not in gdf.columns]
    if extra:
        notes.append(f"columns not in the dataset's first file were left out: "
                     f"{', '.join(map(str, extra))}")
    if missing:
        notes.append(f"columns missing from this file were filled with NA: "
                     f"{', '.join(map(str, missing))}")
    attrs = gdf.attrs
    out = gdf.drop(columns=extra)
    for c in missing:
        out[c] = pd.NA
    out = out[cols]
    out.attrs = attrs
    return out


def _read_part(part: _Part, kwargs: dict[str, Any], meta: gpd.GeoDataFrame | None = None,
               errors: str = "report", head: int | None = None,
               rules: dict[str, Any] | None = None) -> gpd.GeoDataFrame:
    """Read one partition (or its first ``head`` rows) with the in-memory reader.

    ``rules``: the dataset's decisions (:mod:`hotspot.ingest.rules`), applied as
    they are. A partition that cannot be read becomes an empty frame whose report
    names the file and the reason (``errors="raise"``: an InvalidInputError naming
    the file).
    """
    try:
        if part.kind.startswith("broken:"):
            raise InvalidInputError(part.kind[len("broken:"):])
        with warnings.catch_warnings(), read_rules(rules):
            warnings.simplefilter("ignore", DataQualityWarning)
            if part.kind == "canonical":
                gdf = _canonical(part, head)
            elif head is not None:
                rows = _head(part, head)
                if rows is None:
                    raise InvalidInputError("the file cannot be read as a table")
                gdf = _read_one(rows, **kwargs)
            elif part.kind == "csv-block":
                assert part.block is not None and part.dialect is not None
                gdf = _read_one(read_csv_block(Path(part.path), *part.block, *part.dialect),
                                **kwargs)
            else:
                src = part.path if part.kind == "csv" else _parquet_rows(part)
                gdf = _read_one(src, **kwargs)
    except Exception as exc:
        why = _short_error(exc)
        if errors == "raise":
            msg = f"{Path(part.label).name}: {why}"
            raise InvalidInputError(msg) from exc
        return _failed(part, why, meta)
    report: IngestReport = gdf.attrs["hotspot"]["ingest"]["report"]
    dropped = report.dropped_rows.copy()
    if part.offset:
        gdf["row_id"] += part.offset
        if len(dropped):
            dropped["row_id"] += part.offset
    if part.name is not None and "source_file" not in gdf.columns:
        gdf.insert(1, "source_file", part.name)
        dropped.insert(1, "source_file", part.name)
    notes = list(report.notes)
    if meta is not None:
        gdf = _conform(gdf, meta, notes)
    new = replace(report, dropped_rows=dropped, sources=[part.path],
                  notes=[f"{Path(part.path).name}: {n}" for n in notes[len(report.notes):]]
                  + list(report.notes))
    entry = gdf.attrs["hotspot"]["ingest"]
    # only plain metadata and the report travel with a partition (frames in attrs break
    # pandas' attrs comparison when Dask converts columns)
    gdf.attrs = {"hotspot": {"ingest": {"params": entry.get("params", {}),
                                        "choices": entry.get("choices", {}), "report": new}}}
    return gdf


def part_report(frame: pd.DataFrame) -> IngestReport | None:
    """Return the (light) ingest report a partition carries, or None."""
    entry = get_meta(frame).get("ingest")
    rep = entry.get("report") if isinstance(entry, dict) else None
    return _light(rep) if isinstance(rep, IngestReport) else None


def _dropped_of(frame: pd.DataFrame) -> pd.DataFrame:
    entry = get_meta(frame).get("ingest")
    rep = entry.get("report") if isinstance(entry, dict) else None
    return rep.dropped_rows if isinstance(rep, IngestReport) else pd.DataFrame()


# ----------------------------------------------------------------------------- merging
def merge_reports(reports: list[IngestReport | None], plan: _Plan | None) -> IngestReport:
    """One report for the dataset: counts summed over the partitions.

    Warnings that recur in several partitions are listed once, with how many
    partitions gave them.
    """
    reps = [r for r in reports if r is not None]
    ok = [r for r in reps if not r.failed_sources]
    dropped = {k: sum(r.dropped[k] for r in reps) for k in DROP_REASONS}
    tq = {k: sum(r.time_quality.get(k, 0) for r in reps) for k in TIME_QUALITIES}
    seen: dict[str, int] = {}
    for r in ok:
        for w in r.warnings:
            if not w.startswith(_STACK_WARNING):  # added up over the partitions below
                seen[w] = seen.get(w, 0) + 1
    warns = [w if k == 1 or len(ok) == 1 else f"{w} [in {k} of {len(ok)} files]"
             for w, k in seen.items()]
    failed = {k: v for r in reps for k, v in r.failed_sources.items()}
    for path, why in failed.items():
        warns.insert(0, f"{Path(path).name} could not be read ({why}); its rows are not "
                        "counted, every other file's rows are")
    sample = plan.sample if plan is not None else None
    detected = dict(sample.detected) if sample is not None else (
        dict(ok[0].detected) if ok else {})
    differ = [Path(r.sources[0]).name for r in ok if r.detected and r.detected != detected]
    if differ:
        warns.append(f"columns were detected differently in {len(differ)} file(s) (first: "
                     f"{differ[0]}); pass the column names (lon=, lat=, datetime=...) to fix "
                     "them for every file")
    notes: list[str] = list(plan.notes) if plan is not None else []
    if plan is not None:
        notes += [f"decided once for the dataset: {k} = {v['value']} ({v['reason']})"
                  for k, v in plan.choices.items()]
    for r in ok:
        for n in r.notes:
            if n not in notes:
                notes.append(n)
    rows_read = sum(r.rows_read for r in reps)
    rows_kept = sum(r.rows_kept for r in reps)
    stacks = add_stacks([r.stacked_locations for r in ok], rows_kept)
    if len(stacks):
        warns.append(stack_line(stacks, rows_kept))
    if rows_read and sum(dropped.values()) > 0.1 * rows_read:
        warns.append(f"{sum(dropped.values()):,} of {rows_read:,} rows "
                     f"({sum(dropped.values()) / rows_read:.0%}) were dropped")
    first = ok[0] if ok else None
    report = IngestReport(
        rows_read=rows_read, rows_kept=rows_kept, dropped=dropped,
        dropped_rows=pd.DataFrame(), warnings=warns, detected=detected,
        crs_in=first.crs_in if first else None, crs_out=first.crs_out if first else None,
        time_quality=tq, sources=list(dict.fromkeys(s for r in reps for s in r.sources)),
        notes=notes,
        time_zone=first.time_zone if first else None,
        time_zone_source=(sample.time_zone_source  # how the dataset's zone was found
                          if sample is not None and plan is not None and "tz" in plan.choices
                          else first.time_zone_source if first else ""),
        failed_sources=failed, stacked_locations=stacks,
    )
    assert report.rows_read == report.rows_kept + report.rows_dropped
    return report


# ----------------------------------------------------------------------------- public API
def _sample_rows(n_parts: int) -> int:
    return int(min(SAMPLE_ROWS, max(100, SAMPLE_BUDGET // max(n_parts, 1))))


def _sample_choices(parts: list[_Part], kwargs: dict[str, Any]
                    ) -> tuple[dict[str, Any], dict[str, Any], IngestReport | None,
                               dict[str, Any]]:
    """Read the first rows of every partition as one sample; decide the rules from it.

    Returns the arguments for every partition (``to_crs``, ``dayfirst``, ``tz``
    fixed), the choices to report, the sample's report and the fixed decisions of
    :mod:`hotspot.ingest.rules`.
    """
    dask, _ = require_dask()
    choices: dict[str, Any] = {}
    pinned = dict(kwargs)
    raw = [p for p in parts if p.kind in ("csv", "parquet")]
    if not raw:
        return pinned, choices, None, {}
    k = _sample_rows(len(raw))
    got_heads = dask.compute(*[dask.delayed(_head)(p, k) for p in raw])
    heads = [h for h in got_heads if h is not None and len(h)]
    if not heads:
        return pinned, choices, None, {}
    geo = [h for h in heads if isinstance(h, gpd.GeoDataFrame)]
    if geo and len(geo) == len(heads):
        crs = geo[0].crs
        heads = [h.to_crs(crs) if h.crs is not None and crs is not None else h for h in geo]
        sample = pd.concat(heads, ignore_index=True)
    else:
        sample = pd.concat([pd.DataFrame(h) for h in heads], ignore_index=True)
    try:
        with warnings.catch_warnings(), read_rules() as rules:
            warnings.simplefilter("ignore")
            got = _read_one(sample, **{**kwargs, "errors": "report"})
    except InvalidInputError:
        return pinned, choices, None, {}
    rep: IngestReport = got.attrs["hotspot"]["ingest"]["report"]
    n = len(sample)
    where = f"the first rows of each of the {len(heads)} files/partitions ({n:,} rows)"
    if kwargs.get("to_crs") is None:
        pinned["to_crs"] = note_choice(choices, "to_crs", rep.crs_out,
                                       f"output CRS of {where}")
    if kwargs.get("dayfirst") is None:
        order = next((_day_first(s) for s in rep.notes if _day_first(s) is not None), None)
        if order is not None:
            pinned["dayfirst"] = note_choice(
                choices, "dayfirst", order, f"day/month order of the dates in {where}")
    tz = getattr(got["occurred_at"].dtype, "tz", None)
    if kwargs.get("tz") is None and tz is not None:
        pinned["tz"] = note_choice(choices, "tz", str(tz), f"time zone of {where}")
    shown = {key: _shown(v) for key, v in rules.made.items()}
    note_choice(choices, "rules", shown, f"decided once from {where}, then applied to every "
                "partition")
    return pinned, choices, rep, rules.made


def _shown(value: Any) -> Any:
    """Return a decision as plain text for the report (stacks as their coordinates)."""
    if isinstance(value, pd.DataFrame):
        return [f"({x:.1f}, {y:.1f})" for x, y in zip(value["x"], value["y"], strict=True)]
    if isinstance(value, dict):
        return {str(k): None if v is None else str(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [None if v is None else str(v) for v in value]
    return value if isinstance(value, (bool, type(None))) else str(value)


def _day_first(note: str) -> bool | None:
    """Return the day/month order a note of the in-memory reader reports, or None."""
    if "day/month order: day first" in note:
        return True
    if "day/month order: month first" in note:
        return False
    return None


def read_incidents(
    source: str | Path,
    *,
    partition_rows: int = 1_000_000,
    blocksize: int | str | None = "64MB",
    **kwargs: Any,
) -> Any:
    """Read a dataset too large for memory into a Dask GeoDataFrame of canonical incidents.

    Each partition is one CSV file (a folder or glob of CSVs, police.uk monthly
    ``*-street.csv`` download folders included) or up to ``partition_rows`` rows of
    Parquet row groups (a Parquet/GeoParquet file, a folder of them such as a
    Hive-partitioned dataset, or a dataset written by :func:`write_incidents`).
    Every partition is read by :func:`hotspot.read_incidents` with the same
    arguments, so its columns, drop reasons and ``time_quality`` are what the
    in-memory reader gives. What that reader decides from the data (the output CRS,
    the day/month order of text dates, the time zone, the columns, number separators,
    time forms, snapped and stacked locations: see the module notes) is decided once,
    from the first rows of every partition read as one sample (logged in the
    report's notes and ``choices``), and applied to every partition, unless given.

    ``row_id`` is the row's position in the dataset for Parquet (files in sorted
    order), and its position within its file for CSV files (with ``source_file``).
    A file that cannot be read (corrupt, not a table, no coordinate columns...) is
    reported in :func:`ingest_report` with its name and reason and contributes no
    rows; the other files are unaffected (pass ``errors="raise"`` to stop instead).

    Parameters
    ----------
    source : str or pathlib.Path
        Folder, glob pattern or file.
    partition_rows : int, default 1,000,000
        Largest number of Parquet rows per partition (whole row groups; a row group
        larger than this is one partition).
    blocksize : int, str or None, default "64MB"
        Bytes per partition of a CSV file larger than this (as ``dask.dataframe.
        read_csv``): the file is split at line starts, each block read with the
        file's header, encoding and delimiter, and its ``row_id`` is still the row's
        position in the file (the blocks' lines are counted first, on the cluster).
        A line break inside a quoted field must not fall on a block boundary: pass
        None (one partition per file) for such files. A compressed CSV file cannot
        be split: it is one partition, and the report says so (write it once to
        Parquet with :func:`write_incidents` to read it in parallel).
    **kwargs
        Arguments of :func:`hotspot.read_incidents` (``lon=``, ``lat=``, ``x=``,
        ``y=``, ``crs=``, ``datetime=``, ``tz=``, ``study_area=``, ``dayfirst=``,
        ``to_crs=``, ``errors=``...).

    Returns
    -------
    dask_geopandas.GeoDataFrame
        One partition per file or row-group run, the columns of the in-memory
        reader. Reduce it with :func:`hotspot.scale.count`, :func:`~hotspot.scale.kde`
        and the other functions of :mod:`hotspot.scale`; their results carry the
        dataset's :class:`~hotspot.IngestReport`.

    Raises
    ------
    ImportError
        Without the ``dask`` extra.
    FileNotFoundError, InvalidInputError
        Nothing to read, or a mix of CSV and Parquet files.

    Examples
    --------
    >>> import hotspot as hs
    >>> ddf = hs.scale.read_incidents("data/police_uk/*/*-street.csv")  # doctest: +SKIP
    >>> ddf.npartitions  # doctest: +SKIP
    36
    """
    _, dd = require_dask()
    if not isinstance(partition_rows, (int, np.integer)) or partition_rows < 1:
        msg = f"`partition_rows` must be a positive integer, got {partition_rows!r}."
        raise InvalidInputError(msg)
    errors = kwargs.get("errors", "report")
    parts, notes = _plan_parts(source, int(partition_rows), _block_bytes(blocksize))
    pinned, choices, sample, rules = _sample_choices(parts, kwargs)
    plan = _Plan(parts, pinned, choices, sample, rules=rules, notes=notes,
                 params={"source": str(source), "partition_rows": int(partition_rows),
                        "blocksize": blocksize,
                         **{k: (v if isinstance(v, (str, int, float, bool, type(None)))
                                else str(v)) for k, v in kwargs.items()}})
    meta = None
    for part in parts:  # the first rows of the first readable partition give the columns
        first = _read_part(part, pinned, None, errors, head=SAMPLE_ROWS, rules=rules)
        if part_report(first) is not None and not part_report(first).failed_sources:
            meta = first.iloc[:0]
            break
    if meta is None:
        msg = (f"no file of {str(source)!r} could be read as incidents; read one with "
               "hs.read_incidents(path) to see why.")
        raise InvalidInputError(msg)
    if pinned.get("to_crs") is None:  # no sample could be read: the first file decides
        pinned["to_crs"] = note_choice(choices, "to_crs", _crs_str(meta.crs),
                                       "output CRS of the first readable file")
    meta = meta.copy()
    meta.attrs = {}
    ddf = dd.from_map(_read_part, parts, args=[pinned, meta, errors, None, rules], meta=meta,
                      enforce_metadata=False, label="read-incidents")
    _PLANS[ddf._name] = plan
    if notes:
        plan.choices.setdefault("files", {"value": len(parts), "reason": "; ".join(notes)})
    return ddf


def _block_bytes(blocksize: Any) -> int | None:
    """``blocksize`` in bytes (None: no blocks), or an error naming the fix."""
    from dask.utils import parse_bytes

    if blocksize is None:
        return None
    try:
        value = parse_bytes(blocksize) if isinstance(blocksize, str) else blocksize
    except (ValueError, TypeError):
        value = None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        msg = (f"`blocksize` must be a positive number of bytes (e.g. 64_000_000 or "
               f"'64MB'), or None for one partition per CSV file, got {blocksize!r}.")
        raise InvalidInputError(msg)
    return int(value)


def _plan_of(ddf: Any) -> _Plan | None:
    return _PLANS.get(getattr(ddf, "_name", None))


def _check_ddf(ddf: Any, name: str = "incidents") -> None:
    if not is_dask_collection(ddf):
        msg = (f"`{name}` must be a Dask GeoDataFrame from hotspot.scale.read_incidents, got "
               f"{type(ddf).__name__}; in-memory frames go to the hs.* functions.")
        raise InvalidInputError(msg)


def ingest_report(ddf: Any) -> IngestReport:
    """Return the dataset's :class:`~hotspot.IngestReport`, counts summed over partitions.

    Reads every partition once (on the cluster); only per-partition summaries come
    back. ``dropped_rows`` is a lazy Dask DataFrame: ``.compute()`` it (or
    ``.head()``) to see the rows. The reductions of :mod:`hotspot.scale` attach the
    same report to their results without an extra pass.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        A frame from :func:`read_incidents` (or derived from one partition-wise).

    Returns
    -------
    IngestReport

    Examples
    --------
    >>> rep = hs.scale.ingest_report(ddf)  # doctest: +SKIP
    >>> rep.rows_read == rep.rows_kept + rep.rows_dropped  # doctest: +SKIP
    True
    """
    dask, dd = require_dask()
    _check_ddf(ddf)
    parts = ddf.to_delayed()
    reports = dask.compute(*[dask.delayed(part_report)(p) for p in parts])
    report = merge_reports(list(reports), _plan_of(ddf))
    report.dropped_rows = dd.from_delayed([dask.delayed(_dropped_of)(p) for p in parts],
                                          verify_meta=False)
    return report


def write_incidents(incidents: Any, path: str | Path, *, partition_rows: int = 1_000_000,
                    overwrite: bool = False) -> Path:
    """Write canonical incidents once to a partitioned GeoParquet dataset for fast re-reading.

    Re-reading the folder with :func:`read_incidents` skips column detection and time
    parsing: the partitions are already canonical (their CRS, columns and
    ``time_quality`` are kept as written).

    Parameters
    ----------
    incidents : geopandas.GeoDataFrame or dask_geopandas.GeoDataFrame
        From :func:`hotspot.read_incidents` or :func:`read_incidents`.
    path : str or pathlib.Path
        Folder to create; one ``part-NNNNN.parquet`` file per partition.
    partition_rows : int, default 1,000,000
        Rows per file for an in-memory frame (a Dask frame keeps its partitions).
    overwrite : bool, default False
        Replace the files of an existing dataset folder.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    InvalidInputError
        If the folder exists and is not empty (without ``overwrite``).

    Examples
    --------
    >>> hs.scale.write_incidents(incidents, "wy.parquet")  # doctest: +SKIP
    PosixPath('wy.parquet')
    """
    out = Path(path)
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            msg = f"{str(out)!r} exists and is not empty; pass overwrite=True or a new folder."
            raise InvalidInputError(msg)
        for f in [*out.glob("part-*.parquet"), out / _MARKER]:
            f.unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / _MARKER).write_text(json.dumps({"format": "hotspot-incidents", "version": 1}))
    if is_dask_collection(incidents):
        dask, _ = require_dask()
        tasks = [dask.delayed(_write_part)(p, out / f"part-{i:05d}.parquet")
                 for i, p in enumerate(incidents.to_delayed())]
        dask.compute(*tasks)
        return out
    if not isinstance(incidents, gpd.GeoDataFrame):
        msg = f"`incidents` must be a GeoDataFrame, got {type(incidents).__name__}."
        raise InvalidInputError(msg)
    for i, start in enumerate(range(0, max(len(incidents), 1), int(partition_rows))):
        _write_part(incidents.iloc[start:start + int(partition_rows)],
                    out / f"part-{i:05d}.parquet")
    return out


def _write_part(frame: gpd.GeoDataFrame, file: Path) -> None:
    frame = frame.copy(deep=False)
    frame.attrs = {}
    frame.to_parquet(file, index=False, row_group_size=250_000)
