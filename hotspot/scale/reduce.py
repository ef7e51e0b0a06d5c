"""Reduce a Dask incidents frame to grids and tables where the data lives.

Every function here maps one in-memory function (or its array core) over the
partitions, sends back only small pieces (sparse cell tallies, 24 x 7 tables, cube
cells with incidents), sums them in a tree on the cluster, and finishes in memory
on the reduced result with the ordinary functions (FFT KDE, Gi*, hotspots,
concentration). The dataset's :class:`~hotspot.IngestReport` (counts summed over the
partitions) rides along with every reduction and is attached to its result, so
``hs.ingest_report(result)`` accounts for every row read.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._core.errors import warn_user
from hotspot._core.grid import grid_spec_of
from hotspot._core.meta import attach, get_meta
from hotspot._core.time import data_period, to_local
from hotspot._core.validation import check_projected
from hotspot.analyse._incident_times import _usable_times
from hotspot.analyse.emerging import SpaceTimeCube, _local_naive, _naive
from hotspot.analyse.emerging import emerging_from_cube as _emerging_one
from hotspot.analyse.emerging import space_time_cube as _cube_one
from hotspot.analyse.temporal import aoristic as _aoristic_one
from hotspot.analyse.temporal import temporal_profile as _profile_one
from hotspot.exceptions import DataQualityWarning, InvalidInputError
from hotspot.ingest.report import IngestReport
from hotspot.scale._dask import require_dask
from hotspot.scale.bandwidth import dataset_bandwidth, part_xy_weights
from hotspot.scale.read import _check_ddf, _plan_of, merge_reports, part_report
from hotspot.scan.areas import hotspots as _hotspots_one
from hotspot.scan.concentration import concentration as _concentration_one
from hotspot.scan.density import _PER_KM2, _work_grid, kde_grid, linear_bin
from hotspot.scan.kernels import check_kernel
from hotspot.scan.stats import gi_star as _gi_star_one
from hotspot.units import assign_units
from hotspot.units import grid as _grid_one
from hotspot.units.build import _hex_spec_of, hex_cell_of
from hotspot.units.counting import (
    _category_codes,
    _lattice_positions,
    _lookup_positions,
    category_columns,
)

__all__ = [
    "Pending",
    "aoristic",
    "compute",
    "concentration",
    "count",
    "emerging_hotspots",
    "grid",
    "hotspots",
    "kde",
    "space_time_cube",
    "temporal_profile",
]

_FAN_IN = 8  # pieces summed per task of the reduction tree


# ----------------------------------------------------------------------------- engine
def _piece(func: Callable[..., Any], frame: pd.DataFrame, *args: Any) -> tuple[Any, list]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        value = func(frame, *args) if len(frame) else None
    return value, [part_report(frame)]


def _merge(combine: Callable[[list[Any]], Any], items: list[tuple[Any, list]]) -> tuple[Any, list]:
    values = [v for v, _ in items if v is not None]
    reports = [r for _, reps in items for r in reps]
    return (combine(values) if values else None), reports


def _graph(ddf: Any, func: Callable[..., Any], combine: Callable[[list[Any]], Any],
           *args: Any) -> Any:
    """Delayed ``(value, reports)``: ``func`` on every partition, combined in a tree."""
    dask, _ = require_dask()
    _check_ddf(ddf)
    shared = [dask.delayed(a, traverse=False) if isinstance(a, pd.DataFrame) else a
              for a in args]
    level = [dask.delayed(_piece)(func, p, *shared) for p in ddf.to_delayed()]
    while len(level) > 1:
        level = [dask.delayed(_merge)(combine, level[i:i + _FAN_IN])
                 for i in range(0, len(level), _FAN_IN)]
    return level[0]


def _map_reduce(ddf: Any, func: Callable[..., Any], combine: Callable[[list[Any]], Any],
                *args: Any) -> tuple[Any, IngestReport]:
    """Apply ``func`` to every partition, combine the results and merge the reports."""
    dask, _ = require_dask()
    (value, reports), = dask.compute(_graph(ddf, func, combine, *args))
    return value, merge_reports(reports, _plan_of(ddf))


@dataclass
class Pending:
    """A reduction not computed yet (``compute=False``); see :func:`compute`."""

    root: Any  # dask.delayed of (value, partition reports)
    finish: Callable[[Any, IngestReport], Any]
    plan: Any

    def compute(self) -> Any:
        """Compute this reduction alone (the same as :func:`compute` with one argument)."""
        return compute(self)[0]


def compute(*pending: Pending) -> tuple[Any, ...]:
    """Compute several reductions in one pass over the data.

    Reductions of the same Dask frame made with ``compute=False`` share the tasks
    that read its partitions, so every file is read (and parsed) once for all of
    them instead of once each.

    Parameters
    ----------
    *pending : Pending
        From :func:`count` or :func:`kde` (or :func:`temporal_profile`,
        :func:`aoristic`) called with ``compute=False``.

    Returns
    -------
    tuple
        The results, in the order given, each as the eager call returns it.

    Examples
    --------
    >>> counted, surface = hs.scale.compute(  # doctest: +SKIP
    ...     hs.scale.count(ddf, cells, compute=False),
    ...     hs.scale.kde(ddf, cells, bandwidth=500, compute=False))
    """
    dask, _ = require_dask()
    for p in pending:
        if not isinstance(p, Pending):
            msg = (f"compute() takes reductions made with compute=False, got "
                   f"{type(p).__name__}.")
            raise InvalidInputError(msg)
    results = dask.compute(*[p.root for p in pending])
    return tuple(p.finish(value, merge_reports(reports, p.plan))
                 for p, (value, reports) in zip(pending, results, strict=True))


def _run(ddf: Any, func: Callable[..., Any], combine: Callable[[list[Any]], Any],
         args: tuple[Any, ...], finish: Callable[[Any, IngestReport], Any],
         lazy: bool) -> Any:
    pending = Pending(_graph(ddf, func, combine, *args), finish, _plan_of(ddf))
    return pending if lazy else pending.compute()


def _with_report(result: Any, report: IngestReport) -> Any:
    meta = dict(get_meta(result))
    meta["ingest"] = {"params": {}, "choices": {}, "report": report}
    result.attrs["hotspot"] = meta
    if report.failed_sources:
        warn_user(
            f"{len(report.failed_sources)} file(s) could not be read and are not counted "
            f"(first: {next(iter(report.failed_sources))}); see hs.ingest_report(result)",
            DataQualityWarning)
    return result


def _sparse_add(pieces: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Sum sparse ``(index, value)`` pieces (sorted unique indexes out)."""
    idx = np.concatenate([p[0] for p in pieces])
    val = np.concatenate([p[1] for p in pieces])
    uniq, inv = np.unique(idx, return_inverse=True)
    return uniq, np.bincount(inv, weights=val, minlength=len(uniq)).astype(val.dtype)


def _dense(piece: tuple[np.ndarray, np.ndarray] | None, size: int, dtype: Any) -> np.ndarray:
    out = np.zeros(size, dtype=dtype)
    if piece is not None:
        out[piece[0]] = piece[1]
    return out


# ----------------------------------------------------------------------------- grid
def _bounds(frame: pd.DataFrame) -> np.ndarray:
    return np.asarray(frame.geometry.total_bounds, dtype=float)


def _bounds_union(pieces: list[np.ndarray]) -> np.ndarray:
    b = np.vstack(pieces)
    return np.array([b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()])


def grid(ddf: Any, cell_size: float | None = None, *, shape: str = "square",
         study_area: Any = None) -> gpd.GeoDataFrame:
    """:func:`hotspot.grid` over the bounds of a Dask incidents frame (one pass).

    The grid is the one ``hs.grid(incidents, cell_size)`` makes in memory: it
    depends only on the bounding box of the points.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        From :func:`hotspot.scale.read_incidents`.
    cell_size, shape, study_area
        As for :func:`hotspot.grid`.

    Returns
    -------
    geopandas.GeoDataFrame
        The grid (in memory), as from :func:`hotspot.grid`.

    Examples
    --------
    >>> cells = hs.scale.grid(ddf, 100)  # doctest: +SKIP
    """
    _check_ddf(ddf)
    if study_area is not None:
        return _grid_one(study_area, cell_size, shape=shape, study_area=study_area)
    b, _ = _map_reduce(ddf, _bounds, _bounds_union)
    if b is None or not np.all(np.isfinite(b)):
        msg = "the incidents have no points: nothing to grid."
        raise InvalidInputError(msg)
    corners = gpd.GeoDataFrame(geometry=gpd.points_from_xy(b[[0, 2]], b[[1, 3]]),
                               crs=ddf.crs)
    return _grid_one(corners, cell_size, shape=shape)


# ----------------------------------------------------------------------------- count
@dataclass(frozen=True)
class _Lattice:
    """What a worker needs to bin points on a square or hex grid (not its polygons)."""

    spec: Any
    hexagonal: bool
    lookup: np.ndarray | None  # lattice index -> unit position (-1: absent); None: identity


def _lattice_of(units: gpd.GeoDataFrame) -> _Lattice | None:
    """Return the grid's spec and cell lookup when ``count`` bins on it, else None."""
    empty = np.empty(0)
    pos, path = _lattice_positions(units, np.asarray(units.geometry.array), empty, empty)
    if pos is None:
        return None
    hexagonal = path.startswith("hex")
    spec = _hex_spec_of(units) if hexagonal else grid_spec_of(units)
    rows = units["row"].to_numpy().astype(np.int64)
    cols = units["col"].to_numpy().astype(np.int64)
    return _Lattice(spec, hexagonal, _lookup_positions(rows * spec.nx + cols,
                                                       spec.nx * spec.ny))


def _positions(frame: gpd.GeoDataFrame, units: Any, max_distance: float | None) -> np.ndarray:
    """Position in ``units`` of each incident's unit (-1: outside), as ``count`` finds it."""
    if isinstance(units, _Lattice):
        xy = frame.geometry.get_coordinates().to_numpy()
        spec = units.spec
        if units.hexagonal:
            row, col = hex_cell_of(spec, xy[:, 0], xy[:, 1])
            inside = (row >= 0) & (row < spec.ny) & (col >= 0) & (col < spec.nx)
        else:
            row, col, inside = spec.cell_of(xy[:, 0], xy[:, 1])
        flat = np.where(inside, row * spec.nx + col, 0).astype(np.int64)
        pos = flat if units.lookup is None else units.lookup[flat]
        return np.where(inside, pos, -1)
    ids = assign_units(frame, units, max_distance=max_distance)
    return units.index.get_indexer(pd.Index(ids))  # -1 for outside (-1 / None ids)


def _tally(frame: gpd.GeoDataFrame, units: Any, by: str | None,
           weight: str | None, max_distance: float | None) -> dict[str, Any]:
    pos = _positions(frame, units, max_distance)
    inside = pos >= 0
    p = pos[inside].astype(np.int64)
    full = np.bincount(p)
    uniq = np.flatnonzero(full)
    out: dict[str, Any] = {"n": (uniq, full[uniq].astype(np.int64)), "n_rows": len(pos),
                           "outside": frame.index[~inside][:10_000].tolist(),
                           "n_outside": int((~inside).sum())}
    if weight is not None:
        w = pd.to_numeric(frame[weight], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(w)
        w = np.where(bad, 0.0, w)[inside]
        out["w"] = (uniq, np.bincount(p, weights=w, minlength=len(full))[uniq])
        out["n_missing_weight"] = int(bad.sum())
    if by is not None:
        codes, cats = _category_codes(frame[by], by)
        codes = codes[inside]
        ok = codes >= 0
        out["n_missing_category"] = int((~ok).sum())
        cat_arr = np.asarray(cats, dtype=object)
        keys = pd.DataFrame({"pos": p[ok], "cat": cat_arr[codes[ok]]})
        g = keys.groupby(["pos", "cat"], sort=False).size()
        out["by"] = g
        out["cats"] = list(frame[by].cat.categories) if isinstance(
            frame[by].dtype, pd.CategoricalDtype) else sorted(set(cats))
    return out


def _tally_sum(pieces: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "n": _sparse_add([p["n"] for p in pieces]),
        "n_rows": sum(p["n_rows"] for p in pieces),
        "n_outside": sum(p["n_outside"] for p in pieces),
        "outside": [i for p in pieces for i in p["outside"]][:10_000],
    }
    if "w" in pieces[0]:
        out["w"] = _sparse_add([p["w"] for p in pieces])
        out["n_missing_weight"] = sum(p["n_missing_weight"] for p in pieces)
    if "by" in pieces[0]:
        out["by"] = pd.concat([p["by"] for p in pieces]).groupby(level=[0, 1]).sum()
        out["n_missing_category"] = sum(p["n_missing_category"] for p in pieces)
        cats: list[Any] = []
        for p in pieces:
            cats += [c for c in p["cats"] if c not in cats]
        out["cats"] = cats
    return out


def count(ddf: Any, units: gpd.GeoDataFrame, *, by: str | None = None,
          weight: str | None = None, max_distance: float | None = None,
          compute: bool = True) -> Any:
    """:func:`hotspot.count` for a Dask incidents frame: counts equal the in-memory ones.

    Each partition finds its incidents' units with :func:`hotspot.assign_units`
    (binning on square grids) and sends back the cells it touched and their counts;
    the counts are summed exactly (integers).

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        From :func:`hotspot.scale.read_incidents`.
    units : geopandas.GeoDataFrame
        In memory: a grid (see :func:`grid`), segments or polygons.
    by, weight, max_distance
        As for :func:`hotspot.count` (``by`` categories: sorted observed values, or
        the category order of a categorical column).
    compute : bool, default True
        False: return a :class:`Pending` reduction, to compute together with others
        in one pass over the data (see :func:`compute`).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``units`` with ``n_incidents`` (and ``n_<slug>``, ``weighted``);
        ``attrs["hotspot"]["count"]`` as in memory and ``attrs["hotspot"]["ingest"]``
        with the dataset's ingest report.

    Examples
    --------
    >>> counted = hs.scale.count(ddf, hs.scale.grid(ddf, 100))  # doctest: +SKIP
    """
    _check_ddf(ddf)
    check_projected(units, "units")
    if units.crs is not None and ddf.crs is not None and not units.crs.equals(ddf.crs):
        msg = (f"`units` are in {units.crs.to_string()} but the incidents in "
               f"{ddf.crs.to_string()}; make the grid with hs.scale.grid(ddf, ...) or "
               "reproject the units with `units.to_crs(...)`.")
        raise InvalidInputError(msg)
    if not units.index.is_unique:
        msg = "`units` must have a unique index (unit_id); reset it with `units.reset_index()`."
        raise InvalidInputError(msg)
    lattice = _lattice_of(units) if max_distance is None else None
    path = ("hotspot.scale: " + ("binning on the grid's spec per partition" if lattice
                                 else "hs.assign_units per partition"))
    finish = partial(_count_result, units=units, by=by, weight=weight,
                     max_distance=max_distance, n_partitions=ddf.npartitions, path=path)
    return _run(ddf, _tally, _tally_sum, (lattice or units, by, weight, max_distance),
                finish, not compute)


def _count_result(t: Any, report: IngestReport, *, units: gpd.GeoDataFrame, by: str | None,
                  weight: str | None, max_distance: float | None, n_partitions: int,
                  path: str) -> Any:
    n_units = len(units)
    result = units.copy(deep=False)
    if result.index.name is None:
        result.index.name = "unit_id"
    result["n_incidents"] = _dense(t["n"] if t else None, n_units, np.int64)
    categories: dict[str, Any] = {}
    if by is not None and t is not None:
        table = t["by"]
        try:
            cats = sorted(t["cats"])
        except TypeError:
            cats = list(t["cats"])
        for col, cat in category_columns(cats).items():
            categories[col] = cat
            values = np.zeros(n_units, dtype=np.int64)
            if cat in table.index.get_level_values(1):
                sub = table.xs(cat, level=1)
                values[sub.index.to_numpy(dtype=np.int64)] = sub.to_numpy()
            result[col] = values
    if weight is not None:
        result["weighted"] = _dense(t["w"] if t else None, n_units, float)
    n = t["n_rows"] if t else 0
    n_out = t["n_outside"] if t else 0
    params = {"by": by, "weight": weight, "max_distance": max_distance}
    attach(result, "count", params, {}, path=path,
           n_incidents=n, n_counted=n - n_out, n_outside=n_out,
           share_outside=n_out / n if n else 0.0, outside_index=t["outside"] if t else [],
           outside_index_truncated=n_out > 10_000, categories=categories,
           n_missing_category=t.get("n_missing_category", 0) if t else 0,
           n_missing_weight=t.get("n_missing_weight", 0) if t else 0,
           n_partitions=n_partitions)
    if n_out:
        warn_user(f"count(): {n_out:,} of {n:,} incidents are outside every unit and "
                      "were not counted.", DataQualityWarning)
    return _with_report(result, report)


# ----------------------------------------------------------------------------- kde
def _bin_linear(frame: gpd.GeoDataFrame, work: Any, weight: str | None) -> tuple:
    xy, w = part_xy_weights(frame, weight)
    counts, _ = linear_bin(work, xy[:, 0], xy[:, 1], w)
    flat = counts.ravel()
    nz = np.flatnonzero(flat)
    return nz, flat[nz], float(len(xy) if w is None else w.sum())


def _bin_sum(pieces: list[tuple]) -> tuple:
    idx, val = _sparse_add([(p[0], p[1]) for p in pieces])
    return idx, val, float(sum(p[2] for p in pieces))


def kde(ddf: Any, units: gpd.GeoDataFrame, *, bandwidth: float | None = None,
        kernel: str = "quartic", weight: str | None = None, compute: bool = True) -> Any:
    """FFT kernel density on a square grid: binned per partition, one FFT in memory.

    Each partition bins its incidents linearly (as ``hs.kde(..., method="fft")``) on
    the grid padded by the kernel's reach; the binned mass is summed and convolved
    once. Equal to ``hs.kde(incidents, units, bandwidth=..., method="fft")`` up to
    floating-point rounding of the sums.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        From :func:`hotspot.scale.read_incidents`.
    units : geopandas.GeoDataFrame
        A square grid from :func:`grid` or :func:`hotspot.grid`.
    bandwidth : float, optional
        Metres. None: the automatic rule of :func:`hotspot.kde` (the spatial
        Silverman rule), its statistics computed by reductions over the partitions
        (``hotspot/scale/bandwidth.py``): the same value, noted in ``attrs`` the
        same way. That costs a first read of the coordinates, held on the workers
        (16 bytes a point) for three small passes, even with ``compute=False``.
    kernel, weight
        As for :func:`hotspot.kde`.
    compute : bool, default True
        False: return a :class:`Pending` reduction, to compute together with others
        in one pass over the data (see :func:`compute`).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``units`` with ``kde`` (incidents per km²).

    Examples
    --------
    >>> surface = hs.scale.kde(ddf, cells, bandwidth=300)  # doctest: +SKIP
    """
    _check_ddf(ddf)
    spec = grid_spec_of(units)
    if spec is None:
        msg = ("hotspot.scale.kde needs a square grid (from hs.scale.grid or hs.grid); for "
               "other units, compute the density on a grid and join it.")
        raise InvalidInputError(msg)
    kernel = check_kernel(kernel)
    choices: dict[str, Any] = {}
    given = bandwidth
    if bandwidth is None:
        bandwidth = dataset_bandwidth(ddf, kernel, weight, choices)
    elif isinstance(bandwidth, bool) or not (isinstance(bandwidth, (int, float))
                                             and bandwidth > 0 and math.isfinite(bandwidth)):
        msg = (f"`bandwidth` must be a positive number of metres, or None for the "
               f"automatic rule, got {bandwidth!r}.")
        raise InvalidInputError(msg)
    work, pad = _work_grid(spec, True, float(bandwidth), kernel)
    finish = partial(_kde_result, units=units, spec=spec, work=work, pad=pad,
                     bandwidth=float(bandwidth), kernel=kernel, weight=weight,
                     n_partitions=ddf.npartitions, given=given, choices=choices)
    return _run(ddf, _bin_linear, _bin_sum, (work, weight), finish, not compute)


def _kde_result(got: Any, report: IngestReport, *, units: gpd.GeoDataFrame, spec: Any,
                work: Any, pad: int, bandwidth: float, kernel: str, weight: str | None,
                n_partitions: int, given: float | None = None,
                choices: dict[str, Any] | None = None) -> Any:
    counts = _dense(got[:2] if got else None, work.n_cells, float).reshape(work.shape)
    dens = kde_grid(counts, work.cell_size, float(bandwidth), kernel)
    dens = dens[pad:pad + spec.ny, pad:pad + spec.nx]
    result = units.copy()
    rows, cols = result["row"].to_numpy(), result["col"].to_numpy()
    values = dens[rows, cols]
    result["kde"] = values * _PER_KM2
    total = got[2] if got else 0.0
    attach(result, "kde", {"bandwidth": given, "kernel": kernel, "weight": weight,
                           "method": "fft"}, dict(choices or {}),
           bandwidth=float(bandwidth), kernel=kernel, cell_size=float(spec.cell_size),
           method="fft", total_weight=total,
           mass_on_grid=float(values.sum() * spec.cell_area / total) if total else np.nan,
           density_units=("weight" if weight else "incidents") + " per km²",
           n_partitions=n_partitions)
    return _with_report(result, report)


# ----------------------------------------------------------------------------- time
def _sum_meta(pieces: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in pieces:
        for k, v in m.items():
            if isinstance(v, bool) or k in ("params", "choices"):
                out.setdefault(k, v)
            elif isinstance(v, (int, np.integer)):
                out[k] = out.get(k, 0) + int(v)
            elif isinstance(v, dict):
                acc = out.setdefault(k, {})
                for kk, vv in v.items():
                    acc[kk] = acc.get(kk, 0) + int(vv)
            else:
                out.setdefault(k, v)
    return out


def _profile_piece(frame: pd.DataFrame, kwargs: dict[str, Any]) -> tuple[pd.DataFrame, dict]:
    out = _profile_one(frame, **kwargs)
    return pd.DataFrame(out), get_meta(out)["temporal_profile"]


def _table_sum(pieces: list[tuple[pd.DataFrame, dict]]) -> tuple[pd.DataFrame, dict]:
    tables = [p[0] for p in pieces]
    total = tables[0]
    for t in tables[1:]:
        total = total.add(t, fill_value=0.0)
    return total, _sum_meta([p[1] for p in pieces])


def temporal_profile(ddf: Any, *, by: str | None = None, normalize: bool = False,
                     aoristic: bool | str = "auto", include_midnight: bool = False,
                     weight: str | None = None, max_window: Any = None,
                     tz: Any = None, compute: bool = True) -> Any:
    """:func:`hotspot.temporal_profile` for a Dask incidents frame.

    Each partition makes its hour x weekday table (counts or aoristic expected
    counts); the tables are summed and normalised at the end. ``aoristic="auto"``
    uses windows when the frame has ``occurred_from``/``occurred_to`` columns.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        From :func:`hotspot.scale.read_incidents`.
    by : str, optional
        A column of group labels (groups are sorted, as in memory).
    normalize, aoristic, include_midnight, weight, max_window, tz
        As for :func:`hotspot.temporal_profile`.
    compute : bool, default True
        False: return a :class:`Pending` reduction, to compute together with others
        in one pass over the data (see :func:`compute`).

    Returns
    -------
    pandas.DataFrame
        As :func:`hotspot.temporal_profile`.

    Examples
    --------
    >>> prof = hs.scale.temporal_profile(ddf)  # doctest: +SKIP
    """
    _check_ddf(ddf)
    if aoristic == "auto":
        aoristic = "occurred_from" in ddf.columns and "occurred_to" in ddf.columns
    kwargs = {"by": by, "normalize": False, "aoristic": aoristic,
              "include_midnight": include_midnight, "weight": weight,
              "max_window": max_window, "tz": tz}
    finish = partial(_profile_result, by=by, normalize=normalize,
                     n_partitions=ddf.npartitions)
    return _run(ddf, _profile_piece, _table_sum, (kwargs,), finish, not compute)


def _profile_result(got: Any, report: IngestReport, *, by: str | None, normalize: bool,
                    n_partitions: int) -> Any:
    if got is None:
        msg = "the incidents have no rows: no time profile."
        raise InvalidInputError(msg)
    table, meta = got
    if by is not None:
        table = table.sort_index()
    if normalize:
        if by is None:
            total = table.to_numpy().sum()
            table = table / total if total > 0 else table * np.nan
        else:
            totals = table.sum(axis=1).groupby(level=0).sum()
            per_row = totals.reindex(table.index.get_level_values(0)).to_numpy()
            with np.errstate(invalid="ignore", divide="ignore"):
                table = table.div(np.where(per_row > 0, per_row, np.nan), axis=0)
    meta = dict(meta)
    meta["params"] = {**meta.get("params", {}), "normalize": normalize}
    meta["normalized"] = normalize
    meta["n_partitions"] = n_partitions
    table.attrs = {"hotspot": {"temporal_profile": meta}}
    return _with_report(table, report)


def _aoristic_piece(frame: pd.DataFrame, kwargs: dict[str, Any]) -> tuple[pd.DataFrame, dict]:
    out = _aoristic_one(frame, **kwargs)
    keys = [c for c in out.columns if c != "expected"]
    return pd.DataFrame(out).set_index(keys), get_meta(out)["aoristic"]


def aoristic(ddf: Any, freq: str = "h", *, by: str | None = None, max_window: Any = None,
             include_midnight: bool = False, tz: Any = None, compute: bool = True) -> Any:
    """:func:`hotspot.aoristic` (calendar expected counts) for a Dask incidents frame.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        From :func:`hotspot.scale.read_incidents`.
    freq, by, max_window, include_midnight, tz
        As for :func:`hotspot.aoristic` (``by``: a column name).
    compute : bool, default True
        False: return a :class:`Pending` reduction, to compute together with others
        in one pass over the data (see :func:`compute`).

    Returns
    -------
    pandas.DataFrame
        As :func:`hotspot.aoristic`: one row per (group,) bin with a positive
        weight, sorted.

    Examples
    --------
    >>> series = hs.scale.aoristic(ddf, "D")  # doctest: +SKIP
    """
    _check_ddf(ddf)
    kwargs = {"freq": freq, "by": by, "max_window": max_window,
              "include_midnight": include_midnight, "tz": tz}
    finish = partial(_aoristic_result, n_partitions=ddf.npartitions)
    return _run(ddf, _aoristic_piece, _table_sum, (kwargs,), finish, not compute)


def _aoristic_result(got: Any, report: IngestReport, *, n_partitions: int) -> Any:
    if got is None:
        msg = "the incidents have no rows: no aoristic series."
        raise InvalidInputError(msg)
    table, meta = got
    out = table.sort_index().reset_index()
    out = out[out["expected"] > 0].reset_index(drop=True)
    meta = dict(meta)
    meta["n_partitions"] = n_partitions
    out.attrs = {"hotspot": {"aoristic": meta}}
    return _with_report(out, report)


def _cube_times(frame: gpd.GeoDataFrame, freq: str) -> np.ndarray:
    """Local wall-clock times (int64 µs) of the rows a cube of ``freq`` steps uses."""
    fine = pd.Period("2024-01-01", freq=freq).end_time < pd.Timestamp("2024-01-31")
    keep, _ = _usable_times(frame, step="space_time_cube", drop_month_only=fine)
    local = _local_naive(frame["occurred_at"])[keep]
    return local.to_numpy().astype("datetime64[us]").astype(np.int64)


def _concat_arrays(pieces: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(pieces)


def _cube_piece(frame: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
                kwargs: dict[str, Any]) -> tuple | None:
    try:
        cube = _cube_one(frame, units, **kwargs)
    except InvalidInputError as exc:
        if "no incident has a usable" in str(exc):
            return None
        raise
    c = cube.counts
    u, t = np.nonzero(c)
    return u.astype(np.int64), t.astype(np.int64), c[u, t].astype(np.int64)


def _cube_sum(pieces: list[tuple | None]) -> tuple | None:
    pieces = [p for p in pieces if p is not None]
    if not pieces:
        return None
    keys = pd.DataFrame({"u": np.concatenate([p[0] for p in pieces]),
                         "t": np.concatenate([p[1] for p in pieces]),
                         "n": np.concatenate([p[2] for p in pieces])})
    g = keys.groupby(["u", "t"], sort=True)["n"].sum()
    return (g.index.get_level_values(0).to_numpy(), g.index.get_level_values(1).to_numpy(),
            g.to_numpy())


def space_time_cube(ddf: Any, units: gpd.GeoDataFrame, *, freq: str = "M", start: Any = None,
                    end: Any = None) -> SpaceTimeCube:
    """:func:`hotspot.analyse.emerging.space_time_cube` for a Dask incidents frame.

    Each partition counts its incidents per unit and time step over the same steps;
    the non-zero cells are summed exactly. Without ``start``/``end`` the steps span
    the dataset's robust data period (:func:`hotspot._core.time.data_period`, as in
    memory): one extra pass brings the usable times (8 bytes per incident) to the
    client to measure it; pass ``start=`` and ``end=`` to skip it.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        From :func:`hotspot.scale.read_incidents`.
    units : geopandas.GeoDataFrame
        Analysis units in the incidents' CRS.
    freq, start, end
        As in memory.

    Returns
    -------
    SpaceTimeCube

    Examples
    --------
    >>> cube = hs.scale.space_time_cube(ddf, cells, freq="M")  # doctest: +SKIP
    """
    _check_ddf(ddf)
    if start is None or end is None:
        times, _ = _map_reduce(ddf, _cube_times, _concat_arrays, freq)
        if times is None or len(times) == 0:
            msg = "space_time_cube: no incident has a usable `occurred_at`."
            raise InvalidInputError(msg)
        lo, hi = data_period(pd.Series(times.astype("datetime64[us]")))
        start = lo if start is None else start
        end = hi if end is None else end
        del times
    got, report = _map_reduce(ddf, _cube_piece, _cube_sum, units,
                              {"freq": freq, "start": start, "end": end})
    tz = getattr(ddf["occurred_at"].dtype, "tz", None)
    first = pd.Period(_naive(to_local(start, tz, "start")), freq)
    last = pd.Period(_naive(to_local(end, tz, "end")), freq)
    periods = pd.period_range(first, last, freq=freq)
    counts = np.zeros((len(units), len(periods)), dtype=np.int64)
    if got is not None:
        counts[got[0], got[1]] = got[2]
    cube = SpaceTimeCube(counts, periods, units.index.copy())
    cube.ingest_report = report  # type: ignore[attr-defined]
    return cube


def emerging_hotspots(ddf: Any, units: gpd.GeoDataFrame, *, freq: str = "M",
                      start: Any = None, end: Any = None, **kwargs: Any) -> Any:
    """Emerging Hot Spot Analysis of a Dask incidents frame: the cube at scale, the rest in memory.

    Builds the space-time cube with :func:`space_time_cube` (equal to the in-memory
    cube) and classifies it with :func:`hotspot.analyse.emerging.emerging_from_cube`,
    the step :func:`hotspot.emerging_hotspots` runs after its own cube.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        From :func:`hotspot.scale.read_incidents`.
    units : geopandas.GeoDataFrame
        Analysis units in the incidents' CRS.
    freq, start, end
        As for :func:`hotspot.emerging_hotspots`.
    **kwargs
        Further arguments of :func:`hotspot.emerging_hotspots` (``neighbors``,
        ``alpha``, ``permutations``, ``random_state``, ``return_cube``...).

    Returns
    -------
    geopandas.GeoDataFrame or tuple
        As :func:`hotspot.emerging_hotspots`.

    Examples
    --------
    >>> out = hs.scale.emerging_hotspots(ddf, cells, freq="M")  # doctest: +SKIP
    """
    _check_ddf(ddf)
    cube = space_time_cube(ddf, units, freq=freq, start=start, end=end)
    out = _emerging_one(cube, units, freq=freq, **kwargs)
    frame = out[0] if isinstance(out, tuple) else out
    _with_report(frame, cube.ingest_report)  # type: ignore[attr-defined]
    return out


# ----------------------------------------------------------------------------- in memory
def concentration(ddf: Any, units: gpd.GeoDataFrame, **kwargs: Any) -> Any:
    """Crime concentration of a Dask incidents frame over ``units``.

    Counts with :func:`count`, then :func:`hotspot.concentration` in memory.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        From :func:`hotspot.scale.read_incidents`.
    units : geopandas.GeoDataFrame
        Grid, segments or polygons.
    **kwargs
        Arguments of :func:`hotspot.concentration`.

    Returns
    -------
    ConcentrationResult

    Examples
    --------
    >>> hs.scale.concentration(ddf, segments)  # doctest: +SKIP
    """
    _check_ddf(ddf)
    return _concentration_one(count(ddf, units), **kwargs)


def hotspots(ddf: Any, units: gpd.GeoDataFrame | None = None, *, cell_size: float | None = None,
             column: str = "n_incidents", neighbors: str = "queen",
             **kwargs: Any) -> gpd.GeoDataFrame:
    """Gi* operational hotspots of a Dask incidents frame: count at scale, the rest in memory.

    The pipeline of ``hs.hotspots(incidents)``: :func:`grid` (``cell_size``) ->
    :func:`count` -> :func:`hotspot.gi_star` -> :func:`hotspot.hotspots`.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        From :func:`hotspot.scale.read_incidents`.
    units : geopandas.GeoDataFrame, optional
        Units to count in; default a grid of ``cell_size`` over the incidents.
    cell_size : float, optional
        Metres; None: the automatic rule of :func:`hotspot.grid`.
    column, neighbors
        As for :func:`hotspot.gi_star`.
    **kwargs
        Further arguments of :func:`hotspot.hotspots` (``classes``,
        ``max_area_km2``...).

    Returns
    -------
    geopandas.GeoDataFrame
        Ranked hotspots, as :func:`hotspot.hotspots`.

    Examples
    --------
    >>> spots = hs.scale.hotspots(ddf, cell_size=100)  # doctest: +SKIP
    """
    _check_ddf(ddf)
    cells = units if units is not None else grid(ddf, cell_size)
    counted = count(ddf, cells)
    gi = _gi_star_one(counted, column, neighbors=neighbors)
    out = _hotspots_one(gi, method="gistar", column=column, neighbors=neighbors, **kwargs)
    return _with_report(out, hs_report(counted))


def hs_report(frame: Any) -> IngestReport:
    """Return the dataset's ingest report attached to a reduction's result."""
    return get_meta(frame)["ingest"]["report"]
