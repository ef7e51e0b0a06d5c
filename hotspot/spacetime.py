"""Space-time analysis: near repeats (Knox), chains, change, hotspot classes, EHSA.

The SARA *Analysis* stage asks "when and why here". This module answers the
space-time part of that question:

- :func:`knox` - the Knox test for near-repeat patterns, as the Near Repeat
  Calculator (NRC) presents it: observed and expected pairs, Knox ratio and a
  Monte Carlo p-value per (distance band, time band), and the same table with
  cumulative bands. Pairs are counted once with a KD-tree and only the time
  labels are permuted, so 1e5 incidents and 999 permutations take seconds.
- :func:`near_repeat_chains` - labels each incident as an originator, a repeat
  (same location), a near repeat or isolated, with an explicit rule for ties.
- :func:`hotspot_change` - change in counts per unit between two periods with an
  exact conditional test of two Poisson rates and an FDR correction.
- :func:`classify_hotspots` - sfhotspot-style persistent / emerging / former /
  intermittent hot and cold spots (Chainey 2020; sfhotspot ``hotspot_classify``).
- :func:`emerging_hotspots` - ArcGIS-style Emerging Hot Spot Analysis: Gi* on
  the space-time cube, a Mann-Kendall trend per unit and the 17 categories
  (:func:`classify_emerging` is the array core, testable without Gi*).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse, stats
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ._meta import attach, note_choice
from ._validation import (
    check_columns,
    check_geodataframe,
    check_non_empty,
    check_points,
    check_projected,
    point_coords,
)
from .exceptions import DataQualityWarning, InvalidInputError

__all__ = [
    "EMERGING_CATEGORIES",
    "KnoxResult",
    "SpaceTimeCube",
    "classify_emerging",
    "classify_hotspots",
    "emerging_hotspots",
    "hotspot_change",
    "knox",
    "knox_arrays",
    "mann_kendall",
    "near_repeat_chains",
    "poisson_rate_test",
    "space_time_cube",
]

_SECONDS_PER_DAY = 86_400
_NR_ROLES = ["originator", "repeat", "near_repeat", "isolated"]


# ---------------------------------------------------------------------------
# Shared helpers: incident times
# ---------------------------------------------------------------------------


def _check_incidents(incidents: Any, name: str = "incidents") -> gpd.GeoDataFrame:
    check_geodataframe(incidents, name)
    check_non_empty(incidents, name)
    check_points(incidents, name)
    check_projected(incidents, name)
    check_columns(incidents, ["occurred_at"], name)
    return incidents


def _usable_times(
    incidents: gpd.GeoDataFrame, *, step: str, drop_month_only: bool
) -> tuple[np.ndarray, dict[str, int]]:
    """Boolean mask of rows with a usable ``occurred_at`` and the counts excluded.

    Rows with ``time_quality == "missing"`` or a NaT time are always excluded;
    ``"month_only"`` rows are excluded when ``drop_month_only`` (with a warning).
    """
    times = pd.to_datetime(incidents["occurred_at"])
    keep = times.notna().to_numpy().copy()
    excluded = {"missing": int((~keep).sum())}
    if "time_quality" in incidents.columns:
        quality = incidents["time_quality"].astype("string").fillna("missing").to_numpy()
        missing = (quality == "missing") & keep
        excluded["missing"] += int(missing.sum())
        keep &= quality != "missing"
        if drop_month_only:
            month = (quality == "month_only") & keep
            excluded["month_only"] = int(month.sum())
            keep &= ~month
            if month.any():
                warnings.warn(
                    f"{step}: {int(month.sum())} incidents with time_quality='month_only' "
                    "were excluded: their day is unknown, so their time differences "
                    "in days are meaningless.",
                    DataQualityWarning,
                    stacklevel=3,
                )
    return keep, excluded


def _times_as_number(series: pd.Series, resolution: str) -> np.ndarray:
    """Return times as int64 seconds since the epoch (``"exact"``) or local days (``"date"``)."""
    s = pd.to_datetime(series)
    tz = getattr(s.dt, "tz", None)
    if resolution == "exact":
        if tz is not None:
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        delta = s - pd.Timestamp(0)
        return (delta // pd.Timedelta(seconds=1)).to_numpy(dtype=np.int64)
    if resolution == "date":
        if tz is not None:
            s = s.dt.tz_localize(None)  # local wall-clock date
        delta = s.dt.floor("D") - pd.Timestamp(0)
        return (delta // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)
    msg = f"`time_resolution` must be 'exact' or 'date', got {resolution!r}."
    raise InvalidInputError(msg)


def _day_factor(resolution: str) -> int:
    return _SECONDS_PER_DAY if resolution == "exact" else 1


# ---------------------------------------------------------------------------
# Knox test
# ---------------------------------------------------------------------------


@dataclass
class KnoxResult:
    """Result of :func:`knox` / :func:`knox_arrays`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (distance band, time band): ``distance_band``, ``time_band``
        (interval labels), ``distance_from``, ``distance_to`` (metres),
        ``time_from``, ``time_to`` (days), ``observed`` (pairs), ``expected``
        (mean of the permutations), ``knox_ratio`` (observed / expected),
        ``knox_ratio_median`` (observed / median of the permutations),
        ``p_value`` ((1 + #permutations >= observed) / (permutations + 1)) and
        ``z`` ((observed - expected) / standard deviation of the permutations).
    cumulative : pandas.DataFrame
        The same columns for cumulative bands (distance 0 to the band's upper
        edge, time 0 to the band's upper edge).
    simulations : numpy.ndarray
        Pair counts of every permutation, shape ``(permutations, n_distance,
        n_time)`` (non-cumulative).
    n_incidents : int
        Incidents used.
    n_pairs : int
        Pairs closer than the largest distance band (counted once).
    params : dict
        The settings used.
    """

    table: pd.DataFrame
    cumulative: pd.DataFrame
    simulations: np.ndarray
    n_incidents: int
    n_pairs: int
    params: dict[str, Any] = field(default_factory=dict)

    def pivot(self, value: str = "knox_ratio", *, cumulative: bool = False) -> pd.DataFrame:
        """NRC-style matrix of ``value``: distance bands as rows, time bands as columns.

        Examples
        --------
        >>> from hotspot.spacetime import knox_arrays
        >>> rng = np.random.default_rng(0)
        >>> res = knox_arrays(rng.uniform(0, 1000, (200, 2)), rng.uniform(0, 60, 200),
        ...                   distance_bands=[100, 200], time_bands=[7, 14],
        ...                   permutations=19, random_state=1)
        >>> res.pivot("observed").shape
        (2, 2)
        """
        frame = self.cumulative if cumulative else self.table
        if value not in frame.columns:
            msg = f"`value` must be a column of the table, one of {list(frame.columns)}."
            raise InvalidInputError(msg)
        out = frame.pivot(index="distance_band", columns="time_band", values=value)
        out = out.loc[frame["distance_band"].unique(), frame["time_band"].unique()]
        out.index.name, out.columns.name = "distance_band", "time_band"
        return out


def _check_edges(edges: Sequence[float] | np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(edges, dtype=float).ravel()
    if arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        msg = (
            f"`{name}` must be a non-empty sequence of positive, finite band upper "
            f"edges, e.g. [100, 200, 300]; got {list(np.atleast_1d(edges))!r}."
        )
        raise InvalidInputError(msg)
    if np.any(np.diff(arr) <= 0):
        msg = f"`{name}` must be strictly increasing; got {arr.tolist()!r}."
        raise InvalidInputError(msg)
    return arr


def _fmt(x: float) -> str:
    return f"{x:g}"


def _band_labels(
    edges: np.ndarray, closed: str, same_location: bool = False
) -> tuple[list[str], np.ndarray, np.ndarray]:
    lows = np.concatenate([[0.0], edges[:-1]])
    labels = []
    for k, (lo, hi) in enumerate(zip(lows, edges, strict=True)):
        if closed == "right":
            left = "(" if (k > 0 or same_location) else "["
            labels.append(f"{left}{_fmt(lo)}, {_fmt(hi)}]")
        else:
            left = "(" if (k == 0 and same_location) else "["
            labels.append(f"{left}{_fmt(lo)}, {_fmt(hi)})")
    if same_location:
        labels = ["same location", *labels]
        lows = np.concatenate([[0.0], lows])
        edges = np.concatenate([[0.0], edges])
    return labels, lows, edges


def _cumulative_labels(edges: np.ndarray, closed: str, same_location: bool = False) -> list[str]:
    right = "]" if closed == "right" else ")"
    labels = [f"[0, {_fmt(hi)}{right}" for hi in edges]
    return ["same location", *labels] if same_location else labels


def _compact_times(t: np.ndarray) -> tuple[np.ndarray, bool]:
    """Shift times to start at 0 and store them in the smallest exact dtype."""
    t = np.asarray(t, dtype=float)
    t = t - t.min()
    if np.all(t == np.floor(t)):
        span = t.max()
        for dtype in (np.int16, np.int32, np.int64):
            if span < np.iinfo(dtype).max // 2:
                return t.astype(dtype), True
    return t, False


def _thresholds(edges: np.ndarray, closed: str, integral: bool, dtype: Any) -> np.ndarray:
    """Inclusive thresholds ``thr`` so that "in band 0..k" is ``dt <= thr[k]``."""
    if not integral:
        if closed == "right":
            return edges.astype(float)
        return np.nextafter(edges, -np.inf)  # dt < e  <=>  dt <= nextafter(e, -inf)
    thr = np.floor(edges) if closed == "right" else np.ceil(edges) - 1
    info = np.iinfo(dtype)
    return np.clip(thr, info.min, info.max).astype(dtype)


_BATCH = 16  # permutations counted together (a multiple of 8, see _column_counts)
_CHUNK = 255 * 1024  # pairs per chunk (a multiple of 255, see _column_counts)


def _column_counts(mask: np.ndarray) -> np.ndarray:
    """Count True values in each column of a C-contiguous ``(rows, 8k)`` bool array.

    SWAR: rows are read as uint64 words holding 8 booleans each; adding up to
    255 words cannot overflow a byte lane, so blocks of 255 rows are summed as
    uint64 and the byte lanes are added up at the end. About 10x faster than
    ``mask.sum(axis=0)`` for 16 columns.
    """
    rows, width = mask.shape
    full = rows - rows % 255
    out = mask[full:].sum(axis=0, dtype=np.int64)
    if full:
        words = mask[:full].view(np.uint64).reshape(255, -1)
        lanes = np.add.reduce(words, axis=0).view(np.uint8).reshape(-1, width)
        out += lanes.sum(axis=0, dtype=np.int64)
    return out


class _PairCounter:
    """Close pairs grouped by distance band; counts per (distance band, time band).

    Permutations are counted in batches of :data:`_BATCH`: the permuted times of a
    batch form an ``(n, batch)`` array whose rows are gathered as single opaque
    items (one fancy-indexing step serves the whole batch).
    """

    def __init__(self, i: np.ndarray, j: np.ndarray, dband: np.ndarray, nd: int):
        order = np.argsort(dband.astype(np.int16), kind="stable")
        self.i = i[order].astype(np.int32)
        self.j = j[order].astype(np.int32)
        self.bounds = np.searchsorted(dband[order], np.arange(nd + 1))
        self.nd = nd

    def counts(self, times: np.ndarray, thr: np.ndarray) -> np.ndarray:
        """Pair counts, shape ``(batch, n_distance, n_time)``, for ``(n, batch)`` times."""
        width = times.shape[1]
        pad = (-width) % 8
        if pad:
            times = np.hstack([times, np.repeat(times[:, :1], pad, axis=1)])
        times = np.ascontiguousarray(times)
        row = np.dtype((np.void, times.dtype.itemsize * times.shape[1]))
        rows = times.view(row).ravel()
        cum = np.zeros((self.nd, thr.size, times.shape[1]), dtype=np.int64)
        for b in range(self.nd):
            for s in range(self.bounds[b], self.bounds[b + 1], _CHUNK):
                e = min(s + _CHUNK, self.bounds[b + 1])
                ti = rows[self.i[s:e].astype(np.intp)].view(times.dtype).reshape(e - s, -1)
                dt = rows[self.j[s:e].astype(np.intp)].view(times.dtype).reshape(e - s, -1)
                np.subtract(ti, dt, out=dt)
                np.abs(dt, out=dt)
                for k, th in enumerate(thr):
                    cum[b, k] += _column_counts(dt <= th)
        band = np.diff(cum, axis=1, prepend=0)
        return np.moveaxis(band, 2, 0)[:width]


def knox_arrays(
    xy: np.ndarray,
    t: np.ndarray,
    *,
    distance_bands: Sequence[float],
    time_bands: Sequence[float],
    permutations: int = 999,
    closed: str = "right",
    same_location: bool = False,
    random_state: int | np.random.Generator | None = None,
    n_jobs: int = 1,
    permutation_indices: np.ndarray | None = None,
) -> KnoxResult:
    """Knox test on arrays: pair counts per space-time band with permutation inference.

    Parameters
    ----------
    xy
        ``(n, 2)`` coordinates (any unit; the distance bands use the same unit).
    t
        ``(n,)`` times as numbers (the time bands use the same unit).
    distance_bands, time_bands
        Strictly increasing upper edges of the bands, e.g. ``[100, 200, 300]``.
        The first band starts at 0.
    permutations
        Number of random permutations of the times (locations stay fixed).
    closed
        ``"right"`` (default): bands are ``[0, e1], (e1, e2], ...`` - a pair at
        exactly ``e1`` is in the first band, as in ``pointpats`` (``<=``).
        ``"left"``: ``[0, e1), [e1, e2), ...`` - the NearRepeat R package default
        (``cut(..., right = FALSE)``). Applies to both distance and time.
    same_location
        Add a first distance band for pairs at distance exactly 0 (the NRC's
        "same location"); the next band then excludes 0.
    random_state
        Seed or generator for the permutations.
    n_jobs
        Threads used for the permutations (results do not depend on it).
    permutation_indices
        Optional ``(permutations, n)`` integer array of index permutations to use
        instead of random ones: permutation ``p`` gives incident ``k`` the time
        ``t[permutation_indices[p, k]]``. For reproducing another implementation.

    Returns
    -------
    KnoxResult

    Notes
    -----
    Pairs closer than the largest distance band are found once with a KD-tree.
    Each permutation shuffles the times over the incidents and recounts those
    pairs per band (vectorized over pairs). Pairs farther apart are never close
    in space, whatever the permutation. ``expected`` is the mean count over the
    permutations and ``p_value = (1 + #{perm >= observed}) / (permutations + 1)``
    (one-sided, Johnson et al. 2007; NearRepeat).

    Examples
    --------
    >>> from hotspot.spacetime import knox_arrays
    >>> xy = np.array([[0, 0], [50, 0], [0, 500], [500, 500]])
    >>> t = np.array([0, 3, 30, 90])
    >>> res = knox_arrays(xy, t, distance_bands=[100], time_bands=[7], permutations=9,
    ...                   random_state=0)
    >>> int(res.table["observed"].iloc[0])
    1
    """
    xy = np.asarray(xy, dtype=float)
    t_raw = np.asarray(t, dtype=float).ravel()
    if xy.ndim != 2 or xy.shape[1] != 2 or xy.shape[0] != t_raw.size:
        msg = f"`xy` must have shape (n, 2) and `t` shape (n,); got {xy.shape} and {t_raw.shape}."
        raise InvalidInputError(msg)
    if not (np.all(np.isfinite(xy)) and np.all(np.isfinite(t_raw))):
        msg = "`xy` and `t` must be finite; drop rows with missing coordinates or times."
        raise InvalidInputError(msg)
    if closed not in ("right", "left"):
        msg = f"`closed` must be 'right' or 'left', got {closed!r}."
        raise InvalidInputError(msg)
    d_edges = _check_edges(distance_bands, "distance_bands")
    t_edges = _check_edges(time_bands, "time_bands")
    n = t_raw.size
    if n < 2:
        msg = "The Knox test needs at least 2 incidents."
        raise InvalidInputError(msg)

    i, j, dband, nd = _close_pairs(xy, d_edges, closed, same_location)
    tc, integral = _compact_times(t_raw)
    thr = _thresholds(t_edges, closed, integral, tc.dtype)
    counter = _PairCounter(i, j, dband, nd)
    observed = counter.counts(tc[:, None], thr)[0]

    if permutation_indices is not None:
        perms = np.asarray(permutation_indices, dtype=np.int64)
        if perms.ndim != 2 or perms.shape[1] != n:
            msg = f"`permutation_indices` must have shape (permutations, {n})."
            raise InvalidInputError(msg)
        permutations = perms.shape[0]
    else:
        perms = None
    if permutations < 1:
        msg = "`permutations` must be at least 1 (999 is usual; the NRC's 20 is too few)."
        raise InvalidInputError(msg)
    rng = np.random.default_rng(random_state)

    def batch_times(start: int) -> np.ndarray:
        stop = min(start + _BATCH, permutations)
        idx = (
            perms[start:stop]
            if perms is not None
            else [rng.permutation(n) for _ in range(stop - start)]
        )
        return np.stack([tc[ix] for ix in idx], axis=1)

    sims = np.empty((permutations, nd, t_edges.size), dtype=np.int64)
    starts = list(range(0, permutations, _BATCH))
    workers = max(1, int(n_jobs))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for g in range(0, len(starts), workers):
            group = starts[g : g + workers]
            batches = [batch_times(st) for st in group]  # drawn in order: reproducible
            for st, c in zip(
                group, pool.map(lambda tb: counter.counts(tb, thr), batches), strict=True
            ):
                sims[st : st + c.shape[0]] = c

    labels_d, lo_d, hi_d = _band_labels(d_edges, closed, same_location)
    labels_t, lo_t, hi_t = _band_labels(t_edges, closed)
    table = _knox_table(observed, sims, labels_d, lo_d, hi_d, labels_t, lo_t, hi_t)
    cum_obs = observed.cumsum(axis=0).cumsum(axis=1)
    cum_sims = sims.cumsum(axis=1).cumsum(axis=2)
    cum_d = _cumulative_labels(d_edges, closed, same_location)
    cum_t = _cumulative_labels(t_edges, closed)
    zeros_d, zeros_t = np.zeros(len(cum_d)), np.zeros(len(cum_t))
    cumulative = _knox_table(cum_obs, cum_sims, cum_d, zeros_d, hi_d, cum_t, zeros_t, hi_t)
    params = {
        "distance_bands": d_edges.tolist(),
        "time_bands": t_edges.tolist(),
        "permutations": int(permutations),
        "closed": closed,
        "same_location": bool(same_location),
    }
    return KnoxResult(table, cumulative, sims, int(n), int(i.size), params)


def _close_pairs(
    xy: np.ndarray, d_edges: np.ndarray, closed: str, same_location: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Pairs (i < j) within the largest distance band, with their band index."""
    tree = cKDTree(xy)
    r = float(d_edges[-1])
    pairs = tree.query_pairs(r * (1 + 1e-9), output_type="ndarray")
    i = pairs[:, 0].astype(np.int64)
    j = pairs[:, 1].astype(np.int64)
    d = np.hypot(xy[i, 0] - xy[j, 0], xy[i, 1] - xy[j, 1])
    side = "left" if closed == "right" else "right"
    band = np.searchsorted(d_edges, d, side=side)
    nd = d_edges.size
    if same_location:
        band = np.where(d == 0, 0, band + 1)
        nd += 1
    keep = band < nd
    return i[keep], j[keep], band[keep], nd


def _knox_table(
    observed: np.ndarray,
    sims: np.ndarray,
    labels_d: list[str],
    lo_d: np.ndarray,
    hi_d: np.ndarray,
    labels_t: list[str],
    lo_t: np.ndarray,
    hi_t: np.ndarray,
) -> pd.DataFrame:
    nd, nt = observed.shape
    expected = sims.mean(axis=0)
    median = np.median(sims, axis=0)
    sd = sims.std(axis=0, ddof=1) if sims.shape[0] > 1 else np.full((nd, nt), np.nan)
    exceed = (sims >= observed[None]).sum(axis=0)
    p = (1 + exceed) / (sims.shape[0] + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)
        ratio_med = np.where(median > 0, observed / median, np.nan)
        z = np.where(sd > 0, (observed - expected) / sd, np.nan)
    di, ti = np.divmod(np.arange(nd * nt), nt)
    return pd.DataFrame(
        {
            "distance_band": pd.Categorical(
                np.asarray(labels_d)[di], categories=labels_d, ordered=True
            ),
            "time_band": pd.Categorical(
                np.asarray(labels_t)[ti], categories=labels_t, ordered=True
            ),
            "distance_from": lo_d[di],
            "distance_to": hi_d[di],
            "time_from": lo_t[ti],
            "time_to": hi_t[ti],
            "observed": observed.ravel().astype(np.int64),
            "expected": expected.ravel(),
            "knox_ratio": ratio.ravel(),
            "knox_ratio_median": ratio_med.ravel(),
            "p_value": p.ravel(),
            "z": z.ravel(),
        }
    )


def knox(
    incidents: gpd.GeoDataFrame,
    *,
    distance_bands: Sequence[float],
    time_bands: Sequence[float],
    permutations: int = 999,
    random_state: int | np.random.Generator | None = None,
    closed: str = "right",
    same_location: bool = False,
    time_resolution: str = "exact",
    n_jobs: int = 1,
) -> KnoxResult:
    """Knox test for near repeats: the Near Repeat Calculator table, computed correctly.

    Parameters
    ----------
    incidents
        Canonical incidents: points in a projected CRS in metres with
        ``occurred_at``. Rows with an unknown time (NaT or ``time_quality ==
        "missing"``) are excluded and counted; ``"month_only"`` rows are excluded
        with a :class:`~hotspot.exceptions.DataQualityWarning`. Other rows use
        ``occurred_at`` as given.
    distance_bands
        Upper edges of the distance bands in metres, e.g. ``[100, 200, 300, 400]``.
    time_bands
        Upper edges of the time bands in days, e.g. ``[7, 14, 21, 28]``.
    permutations
        Monte Carlo permutations of the times (999 by default; the NRC's default
        of 20 cannot give p < 0.05).
    random_state
        Seed or generator.
    closed
        ``"right"`` (default, bands ``[0, e1], (e1, e2], ...``, as pointpats) or
        ``"left"`` (``[0, e1), [e1, e2), ...``, as the NearRepeat R package).
    same_location
        Add the NRC's "same location" band (distance exactly 0).
    time_resolution
        ``"exact"`` (default): time differences from the full timestamps, in
        fractional days. ``"date"``: differences between local calendar dates in
        whole days, as the NRC (which reads dates only).
    n_jobs
        Threads for the permutations.

    Returns
    -------
    KnoxResult
        ``.table`` (tidy: ``distance_band``, ``time_band``, ``observed``,
        ``expected``, ``knox_ratio``, ``p_value``, ...), ``.cumulative`` and
        ``.pivot(value)`` for the NRC-style matrix. Both tables carry
        ``attrs["hotspot"]["knox"]`` (parameters, incidents used and excluded).

    Notes
    -----
    Method: Knox (1964); near-repeat use after Townsley, Homel & Chaseling
    (2003) and Johnson et al. (2007). Differences from the NRC (Ratcliffe):
    the NRC's Monte Carlo results do not match a correct Knox test (shown in the
    ``NearRepeat`` R package's NRC vignette); this implementation matches
    ``pointpats.Knox`` counts and p-values exactly when given the same
    permutations. Bands beyond the largest edges ("more than X") are not
    reported.

    Examples
    --------
    >>> from hotspot.spacetime import knox
    >>> rng = np.random.default_rng(1)
    >>> pts = gpd.GeoDataFrame(
    ...     {"occurred_at": pd.Timestamp("2024-01-01", tz="UTC")
    ...      + pd.to_timedelta(rng.uniform(0, 90, 300), unit="D")},
    ...     geometry=gpd.points_from_xy(*rng.uniform(0, 2000, (2, 300))), crs=32616)
    >>> res = knox(pts, distance_bands=[100, 200], time_bands=[7, 14],
    ...            permutations=99, random_state=0)
    >>> res.table[["distance_band", "time_band", "observed"]].shape
    (4, 3)
    """
    _check_incidents(incidents)
    keep, excluded = _usable_times(incidents, step="knox", drop_month_only=True)
    sub = incidents.loc[keep]
    if len(sub) < 2:
        msg = "knox: fewer than 2 incidents have a usable `occurred_at`."
        raise InvalidInputError(msg)
    t = _times_as_number(sub["occurred_at"], time_resolution)
    factor = _day_factor(time_resolution)
    t_edges = _check_edges(time_bands, "time_bands")
    res = knox_arrays(
        point_coords(sub),
        t,
        distance_bands=distance_bands,
        time_bands=t_edges * factor,
        permutations=permutations,
        closed=closed,
        same_location=same_location,
        random_state=random_state,
        n_jobs=n_jobs,
    )
    # Report time bands in days, whatever the internal unit.
    for frame in (res.table, res.cumulative):
        frame["time_from"] = frame["time_from"] / factor
        frame["time_to"] = frame["time_to"] / factor
    labels_t, _, _ = _band_labels(t_edges, closed)
    res.table["time_band"] = res.table["time_band"].cat.rename_categories(labels_t)
    res.cumulative["time_band"] = res.cumulative["time_band"].cat.rename_categories(
        _cumulative_labels(t_edges, closed)
    )
    res.params.update(time_bands=t_edges.tolist(), time_resolution=time_resolution)
    for frame in (res.table, res.cumulative):
        attach(
            frame,
            "knox",
            res.params,
            n_incidents=res.n_incidents,
            n_pairs_within_max_distance=res.n_pairs,
            excluded=excluded,
        )
    return res


# ---------------------------------------------------------------------------
# Near-repeat chains
# ---------------------------------------------------------------------------


def near_repeat_chains(
    incidents: gpd.GeoDataFrame,
    *,
    distance: float,
    days: float,
    time_resolution: str = "exact",
) -> gpd.GeoDataFrame:
    """Label originators, repeats and near repeats, and link them into chains.

    Two incidents are *linked* when they are at most ``distance`` metres and at
    most ``days`` days apart. The earlier incident of a linked pair is its
    source. Each incident gets one role:

    - ``"repeat"``: linked to an earlier incident at the same location (distance 0);
    - ``"near_repeat"``: linked to an earlier incident, none at the same location;
    - ``"originator"``: not linked to any earlier incident, but to a later one;
    - ``"isolated"``: not linked to anything.

    Parameters
    ----------
    incidents
        Canonical incidents (points in metres, ``occurred_at``). Rows without a
        usable time (NaT, ``"missing"``, ``"month_only"``) get no role (``<NA>``).
    distance
        Link distance in metres (inclusive).
    days
        Link time window in days (inclusive).
    time_resolution
        ``"exact"`` (timestamps) or ``"date"`` (local calendar dates, as the NRC).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``incidents`` with ``nr_role`` (categorical), ``nr_chain`` (int,
        -1 for isolated incidents; chains numbered by their first incident),
        ``nr_source`` (index label of the triggering incident, ``<NA>`` if none),
        ``nr_days_since_source``, ``nr_distance_to_source`` (metres) and
        ``nr_tie`` (True when a link of this incident joins two incidents at the
        same time, so that its role was decided by the tie rule).

    Notes
    -----
    **Ties.** Incidents with the same time (the same timestamp, or the same date
    with ``time_resolution="date"``) are ordered by their row order: the first
    row is the earlier one. Thus one of two same-day linked incidents is always
    the originator (the Esri near-repeat tool labels both as near repeats and
    leaves the chain without an originator, crime-analysis-toolbox#56).
    **Source.** The source is the most recent linked earlier incident at the same
    location if there is one (a repeat), otherwise the most recent linked earlier
    incident; ties by the smaller distance, then the later row.
    **Chains** are the connected components of the link graph.

    Examples
    --------
    >>> from hotspot.spacetime import near_repeat_chains
    >>> pts = gpd.GeoDataFrame(
    ...     {"occurred_at": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-03",
    ...                                     "2024-03-01"])},
    ...     geometry=gpd.points_from_xy([0, 0, 80, 5000], [0, 0, 0, 0]), crs=32616)
    >>> near_repeat_chains(pts, distance=100, days=7)["nr_role"].tolist()
    ['originator', 'repeat', 'near_repeat', 'isolated']
    """
    _check_incidents(incidents)
    if not (distance >= 0 and days >= 0):
        msg = "`distance` and `days` must be non-negative numbers."
        raise InvalidInputError(msg)
    keep, excluded = _usable_times(incidents, step="near_repeat_chains", drop_month_only=True)
    pos = np.flatnonzero(keep)
    xy = point_coords(incidents)[pos]
    t = _times_as_number(incidents["occurred_at"].iloc[pos], time_resolution)
    window = days * _day_factor(time_resolution)
    n = pos.size
    # rank = position in time order, ties by row order (the explicit tie rule)
    order = np.lexsort((np.arange(n), t))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)

    pairs = cKDTree(xy).query_pairs(float(distance), output_type="ndarray") if n > 1 else None
    if pairs is None or pairs.size == 0:
        pairs = np.empty((0, 2), dtype=np.int64)
    a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    dt_ab = np.abs(t[a] - t[b])
    linked = dt_ab <= window
    a, b, dt_ab = a[linked], b[linked], dt_ab[linked]
    swap = rank[a] > rank[b]
    src = np.where(swap, b, a)
    dst = np.where(swap, a, b)
    dist = np.hypot(*(xy[src] - xy[dst]).T) if src.size else np.empty(0)
    same = dist == 0

    # source per destination: same location first, then most recent, nearer, later row
    sort = np.lexsort((-rank[src], dist, dt_ab, ~same, dst))
    first = np.ones(sort.size, dtype=bool)
    first[1:] = dst[sort][1:] != dst[sort][:-1]
    chosen = sort[first]

    role = np.full(n, "isolated", dtype=object)
    has_later = np.zeros(n, dtype=bool)
    has_later[src] = True
    role[has_later] = "originator"
    role[dst[chosen]] = np.where(same[chosen], "repeat", "near_repeat")
    source_pos = np.full(n, -1, dtype=np.int64)
    source_pos[dst[chosen]] = src[chosen]
    days_since = np.full(n, np.nan)
    days_since[dst[chosen]] = dt_ab[chosen] / _day_factor(time_resolution)
    dist_src = np.full(n, np.nan)
    dist_src[dst[chosen]] = dist[chosen]
    tie = np.zeros(n, dtype=bool)
    tie[src[dt_ab == 0]] = True
    tie[dst[dt_ab == 0]] = True
    chain = _chain_ids(src, dst, rank, n)

    out = incidents.copy()
    full_role = np.full(len(out), None, dtype=object)
    full_role[pos] = role
    out["nr_role"] = pd.Categorical(full_role, categories=_NR_ROLES)
    full_chain = np.full(len(out), -1, dtype=np.int64)
    full_chain[pos] = chain
    out["nr_chain"] = full_chain
    src_labels = np.full(len(out), None, dtype=object)
    has_src = source_pos >= 0
    src_labels[pos[has_src]] = np.asarray(incidents.index[pos[source_pos[has_src]]], dtype=object)
    out["nr_source"] = pd.array(
        src_labels, dtype="Int64" if pd.api.types.is_integer_dtype(incidents.index) else object
    )
    for name, values in (
        ("nr_days_since_source", days_since),
        ("nr_distance_to_source", dist_src),
    ):
        col = np.full(len(out), np.nan)
        col[pos] = values
        out[name] = col
    full_tie = np.zeros(len(out), dtype=bool)
    full_tie[pos] = tie
    out["nr_tie"] = full_tie
    counts = {r: int((role == r).sum()) for r in _NR_ROLES}
    return attach(
        out,
        "near_repeat_chains",
        {"distance": distance, "days": days, "time_resolution": time_resolution},
        excluded=excluded,
        roles=counts,
        n_chains=int(chain.max() + 1) if n else 0,
    )


def _chain_ids(src: np.ndarray, dst: np.ndarray, rank: np.ndarray, n: int) -> np.ndarray:
    """Label connected components of the link graph, numbered by first incident; -1 if alone."""
    if n == 0:
        return np.empty(0, dtype=np.int64)
    graph = sparse.coo_matrix((np.ones(src.size), (src, dst)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    linked = np.zeros(n, dtype=bool)
    linked[src] = True
    linked[dst] = True
    out = np.full(n, -1, dtype=np.int64)
    if not linked.any():
        return out
    lab = labels[linked]
    first_rank = np.full(labels.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(first_rank, lab, rank[linked])
    used = np.unique(lab)
    new_id = np.empty(labels.max() + 1, dtype=np.int64)
    new_id[used[np.argsort(first_rank[used])]] = np.arange(used.size)
    out[linked] = new_id[lab]
    return out


# ---------------------------------------------------------------------------
# Statistics cores: Mann-Kendall, Poisson rate test, FDR
# ---------------------------------------------------------------------------


def mann_kendall(x: np.ndarray, *, continuity: bool = True) -> pd.DataFrame:
    """Mann-Kendall trend test for each row of ``x`` (vectorized).

    Parameters
    ----------
    x
        ``(n_series, n_times)`` or ``(n_times,)`` array; NaN is not allowed.
    continuity
        Apply the continuity correction ``S - sign(S)`` in the z-score (Kendall
        1975; as ``Kendall::MannKendall`` and ``pymannkendall``). Without it, the
        p-value equals ``scipy.stats.kendalltau(range(n), x,
        method="asymptotic")`` for series with or without ties.

    Returns
    -------
    pandas.DataFrame
        ``S``, ``var_S`` (with the tie correction), ``tau`` (S / (n(n-1)/2)),
        ``z`` and ``p_value`` (two-sided, normal approximation).

    Examples
    --------
    >>> from hotspot.spacetime import mann_kendall
    >>> mann_kendall(np.array([1.0, 2, 3, 4, 5])).round(4).iloc[0].tolist()
    [10.0, 16.6667, 1.0, 2.2045, 0.0275]
    """
    arr = np.atleast_2d(np.asarray(x, dtype=float))
    if np.isnan(arr).any():
        msg = "mann_kendall: the series contain NaN; fill or drop them first."
        raise InvalidInputError(msg)
    m, n = arr.shape
    iu, ju = np.triu_indices(n, k=1)
    s = np.sign(arr[:, ju] - arr[:, iu]).sum(axis=1)
    var = np.full(m, n * (n - 1) * (2 * n + 5), dtype=float)
    # tie correction: sum over tie groups of t(t-1)(2t+5)
    srt = np.sort(arr, axis=1)
    new = np.ones((m, n), dtype=bool)
    new[:, 1:] = srt[:, 1:] != srt[:, :-1]
    group = np.cumsum(new, axis=1) - 1 + (np.arange(m) * n)[:, None]
    sizes = np.bincount(group.ravel(), minlength=m * n).reshape(m, n).astype(float)
    var -= (sizes * (sizes - 1) * (2 * sizes + 5)).sum(axis=1)
    var /= 18.0
    num = s - np.sign(s) if continuity else s
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var > 0, num / np.sqrt(var), 0.0)
    p = 2 * stats.norm.sf(np.abs(z))
    tau = s / (n * (n - 1) / 2) if n > 1 else np.zeros(m)
    return pd.DataFrame({"S": s, "var_S": var, "tau": tau, "z": z, "p_value": p})


def poisson_rate_test(
    k1: np.ndarray, k2: np.ndarray, t1: float = 1.0, t2: float = 1.0
) -> np.ndarray:
    """Exact conditional test that two Poisson counts have the same rate (two-sided).

    Given ``n = k1 + k2``, ``k2`` is Binomial(n, t2 / (t1 + t2)) under equal
    rates (Przyborowski & Wilenski 1940, the "C-test" of Krishnamoorthy &
    Thomson 2004). The two-sided p-value is twice the smaller tail, capped at 1.

    Parameters
    ----------
    k1, k2
        Counts in the first (before) and second (after) period.
    t1, t2
        Lengths of the periods (any unit), so unequal periods compare rates.

    Returns
    -------
    numpy.ndarray
        p-values (1.0 where ``k1 + k2 == 0``).

    Examples
    --------
    >>> from hotspot.spacetime import poisson_rate_test
    >>> poisson_rate_test(np.array([10, 5]), np.array([30, 5])).round(4).tolist()
    [0.0022, 1.0]
    """
    k1 = np.asarray(k1, dtype=float)
    k2 = np.asarray(k2, dtype=float)
    n = k1 + k2
    q = t2 / (t1 + t2)
    lower = stats.binom.cdf(k2, n, q)
    upper = stats.binom.sf(k2 - 1, n, q)
    p = np.minimum(1.0, 2 * np.minimum(lower, upper))
    return np.where(n > 0, p, 1.0)


# ---------------------------------------------------------------------------
# Units, periods and the space-time cube
# ---------------------------------------------------------------------------


def _check_units(units: Any, incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    from ._validation import check_same_crs

    check_geodataframe(units, "units")
    check_non_empty(units, "units")
    check_same_crs(incidents, units, "incidents", "units")
    if not units.index.is_unique:
        msg = "`units` must have a unique index (`unit_id`); use `units.reset_index()`."
        raise InvalidInputError(msg)
    return units


def _unit_positions(incidents: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> np.ndarray:
    """Position (row number) in ``units`` of each incident's unit, -1 when outside."""
    from .units import assign_units

    ids = assign_units(incidents, units)
    if ids.dtype == object:
        pos = units.index.get_indexer(pd.Index(ids, dtype=object))
    else:
        pos = np.where(ids >= 0, units.index.get_indexer(ids), -1) if ids.size else ids
    return np.asarray(pos, dtype=np.int64)


def _local_naive(series: pd.Series) -> pd.Series:
    s = pd.to_datetime(series)
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)  # local wall-clock time
    return s


def _as_local_timestamp(value: Any, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        msg = f"`{name}` must be a date/time such as '2013-01-01', got {value!r}."
        raise InvalidInputError(msg) from err
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts


@dataclass
class SpaceTimeCube:
    """Counts per unit and time step, plus Gi* results when computed.

    Attributes
    ----------
    counts : numpy.ndarray
        ``(n_units, n_steps)`` incident counts.
    periods : pandas.PeriodIndex
        The time steps (local time).
    unit_ids : pandas.Index
        The units, in row order of ``counts``.
    z, p_value, p_adjusted : numpy.ndarray or None
        Gi* z-scores and p-values per bin (same shape as ``counts``).
    """

    counts: np.ndarray
    periods: pd.PeriodIndex
    unit_ids: pd.Index
    z: np.ndarray | None = None
    p_value: np.ndarray | None = None
    p_adjusted: np.ndarray | None = None

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per (unit, time step).

        Examples
        --------
        >>> cube = SpaceTimeCube(np.array([[1, 0], [2, 3]]),
        ...                      pd.period_range("2024-01", periods=2, freq="M"),
        ...                      pd.Index([10, 11], name="unit_id"))
        >>> cube.to_frame()["n_incidents"].tolist()
        [1, 0, 2, 3]
        """
        index = pd.MultiIndex.from_product(
            [self.unit_ids, self.periods], names=[self.unit_ids.name or "unit_id", "period"]
        )
        data = {"n_incidents": self.counts.ravel()}
        for name in ("z", "p_value", "p_adjusted"):
            arr = getattr(self, name)
            if arr is not None:
                data["gi_z" if name == "z" else name] = arr.ravel()
        return pd.DataFrame(data, index=index)


def space_time_cube(
    incidents: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    *,
    freq: str = "M",
    start: Any = None,
    end: Any = None,
) -> SpaceTimeCube:
    """Count incidents per unit and time step (vectorized with one ``bincount``).

    Parameters
    ----------
    incidents
        Canonical incidents (points in metres, ``occurred_at``). Rows with an
        unknown time are excluded; ``"month_only"`` rows are kept (their month is
        known) unless ``freq`` is finer than a month, when they are excluded with
        a warning.
    units
        Analysis units (grid, polygons, segments) in the incidents' CRS.
    freq
        pandas period alias of the time step: ``"M"`` (months), ``"W"``,
        ``"Q"``, ``"D"``...  Steps use local wall-clock time.
    start, end
        Optional first and last time step (any date inside it); default: the
        steps of the first and last incident. Incidents outside are excluded.

    Returns
    -------
    SpaceTimeCube

    Examples
    --------
    >>> from hotspot._grid import GridSpec, grid_frame
    >>> from hotspot.spacetime import space_time_cube
    >>> cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 2, 1), "EPSG:32616")
    >>> pts = gpd.GeoDataFrame(
    ...     {"occurred_at": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-03-09"])},
    ...     geometry=gpd.points_from_xy([50, 150, 150], [50, 50, 50]), crs=32616)
    >>> space_time_cube(pts, cells, freq="M").counts.tolist()
    [[1, 0, 0], [0, 0, 2]]
    """
    cube, _ = _build_cube(incidents, units, freq=freq, start=start, end=end, step="space_time_cube")
    return cube


def _build_cube(
    incidents: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    *,
    freq: str,
    start: Any,
    end: Any,
    step: str,
) -> tuple[SpaceTimeCube, dict[str, int]]:
    _check_incidents(incidents)
    _check_units(units, incidents)
    fine = pd.Period("2024-01-01", freq=freq).end_time < pd.Timestamp("2024-01-31")
    keep, excluded = _usable_times(incidents, step=step, drop_month_only=fine)
    local = _local_naive(incidents["occurred_at"])
    per = local.dt.to_period(freq)
    first = pd.Period(_as_local_timestamp(start, "start"), freq) if start is not None else None
    last = pd.Period(_as_local_timestamp(end, "end"), freq) if end is not None else None
    valid = per[keep]
    if valid.empty:
        msg = f"{step}: no incident has a usable `occurred_at`."
        raise InvalidInputError(msg)
    first = valid.min() if first is None else first
    last = valid.max() if last is None else last
    periods = pd.period_range(first, last, freq=freq)
    t_idx = np.full(len(incidents), -1, dtype=np.int64)
    kept = per[keep].array
    ordinals = np.where(kept.isna(), 0, kept.asi8).astype(np.int64)
    t_idx[keep] = ordinals - first.ordinal
    in_time = keep & (t_idx >= 0) & (t_idx < len(periods))
    excluded["outside_time_range"] = int((keep & ~in_time).sum())
    pos = _unit_positions(incidents, units)
    inside = in_time & (pos >= 0)
    excluded["outside_units"] = int((in_time & (pos < 0)).sum())
    if excluded["outside_units"]:
        warnings.warn(
            f"{step}: {excluded['outside_units']} incidents fall outside every unit and "
            "are not counted.",
            DataQualityWarning,
            stacklevel=3,
        )
    n_units, n_steps = len(units), len(periods)
    flat = pos[inside] * n_steps + t_idx[inside]
    counts = np.bincount(flat, minlength=n_units * n_steps).reshape(n_units, n_steps)
    return SpaceTimeCube(counts, periods, units.index.copy()), excluded


# ---------------------------------------------------------------------------
# Change between two periods
# ---------------------------------------------------------------------------

_CHANGE_CLASSES = [
    "significant increase",
    "significant decrease",
    "no significant change",
    "no incidents",
]


def _period(value: Any, name: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        msg = f"`{name}` must be a (start, end) pair, e.g. ('2012-01-01', '2013-01-01')."
        raise InvalidInputError(msg)
    a, b = (_as_local_timestamp(v, name) for v in value)
    if not b > a:
        msg = f"`{name}`: the end {b} must be after the start {a}."
        raise InvalidInputError(msg)
    return a, b


def _check_periods_covered(times: np.ndarray, periods: dict[str, tuple[Any, Any]]) -> None:
    """Warn when a period reaches more than a day beyond the incidents' time range.

    Counting days with no data as days with no crime would report a spurious fall (or
    rise). Sparse data may simply have no incident near a period's edge, so this is a
    warning, not an error.
    """
    if times.size == 0:
        return
    first, last = pd.Timestamp(times.min()), pd.Timestamp(times.max())
    slack = pd.Timedelta(days=1)
    for name, (start, end) in periods.items():
        if start < first - slack or end > last + slack:
            msg = (
                f"the `{name}` period {start:%Y-%m-%d} – {end:%Y-%m-%d} reaches beyond the "
                f"incidents' dates ({first:%Y-%m-%d} – {last:%Y-%m-%d}); days without data "
                "would be counted as days without crime. Choose periods inside the data."
            )
            warnings.warn(msg, DataQualityWarning, stacklevel=3)


def hotspot_change(
    incidents: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    *,
    before: tuple[Any, Any],
    after: tuple[Any, Any],
    alpha: float = 0.05,
    correction: str | None = "fdr_bh",
) -> gpd.GeoDataFrame:
    """Change in counts per unit between two periods, with a test per unit.

    Parameters
    ----------
    incidents
        Canonical incidents (points in metres, ``occurred_at``); rows with an
        unknown time are excluded and counted in the metadata.
    units
        Analysis units in the incidents' CRS.
    before, after
        ``(start, end)`` of each period, half-open ``[start, end)`` in local
        wall-clock time, e.g. ``("2012-01-01", "2013-01-01")``. Periods may have
        different lengths: the test compares rates per day. They must not overlap.
    alpha
        Significance level applied to the adjusted p-values.
    correction
        Multiple-comparison correction over the units with at least one incident:
        ``"fdr_bh"`` (default, Benjamini-Hochberg), ``"holm"``, ``"bonferroni"``
        or None.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``units`` with ``n_before``, ``n_after``, ``change``
        (after - before), ``pct_change`` (NaN when ``n_before`` is 0),
        ``rate_ratio`` ((after / days_after) / (before / days_before)),
        ``expected_after`` (``n_before`` scaled to the after period), ``p_value``,
        ``p_adjusted`` and ``change_class`` (categorical: "significant increase",
        "significant decrease", "no significant change", "no incidents").
        ``attrs["hotspot"]["hotspot_change"]["overall"]`` holds the same numbers
        for the whole area.

    Notes
    -----
    The test is the exact conditional test of two Poisson rates (Przyborowski &
    Wilenski 1940): given the total ``n = before + after``, ``after`` is
    Binomial(n, d_after / (d_before + d_after)) when the daily rate did not
    change; the p-value is two-sided (twice the smaller tail). The E-test of
    Krishnamoorthy & Thomson (2004), used by ``ptools::e_test``, is slightly more
    powerful; the conditional test is exact and never anti-conservative.

    Examples
    --------
    >>> from hotspot._grid import GridSpec, grid_frame
    >>> from hotspot.spacetime import hotspot_change
    >>> cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 2, 1), "EPSG:32616")
    >>> times = ["2012-01-02"] * 2 + ["2013-03-01"] * 28 + ["2013-12-31"] * 2 + ["2012-05-01"] * 5
    >>> pts = gpd.GeoDataFrame({"occurred_at": pd.to_datetime(times)},
    ...     geometry=gpd.points_from_xy([50] * 32 + [150] * 5, [50] * 37), crs=32616)
    >>> out = hotspot_change(pts, cells, before=("2012-01-01", "2013-01-01"),
    ...                      after=("2013-01-01", "2014-01-01"))
    >>> out["change_class"].tolist()
    ['significant increase', 'no significant change']
    """
    from .stats import adjust_pvalues

    _check_incidents(incidents)
    _check_units(units, incidents)
    b0, b1 = _period(before, "before")
    a0, a1 = _period(after, "after")
    if b0 < a1 and a0 < b1:
        msg = f"`before` {before} and `after` {after} overlap; give disjoint periods."
        raise InvalidInputError(msg)
    keep, excluded = _usable_times(incidents, step="hotspot_change", drop_month_only=False)
    local = _local_naive(incidents["occurred_at"]).to_numpy()
    _check_periods_covered(local[keep], {"before": (b0, b1), "after": (a0, a1)})
    in_b = keep & (local >= b0.to_datetime64()) & (local < b1.to_datetime64())
    in_a = keep & (local >= a0.to_datetime64()) & (local < a1.to_datetime64())
    pos = _unit_positions(incidents, units)
    n_units = len(units)
    outside = int(((in_b | in_a) & (pos < 0)).sum())
    k1 = np.bincount(pos[in_b & (pos >= 0)], minlength=n_units)
    k2 = np.bincount(pos[in_a & (pos >= 0)], minlength=n_units)
    d1 = (b1 - b0) / pd.Timedelta(days=1)
    d2 = (a1 - a0) / pd.Timedelta(days=1)
    p = poisson_rate_test(k1, k2, d1, d2)
    any_inc = (k1 + k2) > 0
    p_adj = np.full(n_units, np.nan)
    p_adj[any_inc] = adjust_pvalues(p[any_inc], correction) if any_inc.any() else []
    out = units.copy()
    out["n_before"] = k1
    out["n_after"] = k2
    out["change"] = k2 - k1
    with np.errstate(divide="ignore", invalid="ignore"):
        out["pct_change"] = np.where(k1 > 0, 100.0 * (k2 - k1) / k1, np.nan)
        out["rate_ratio"] = np.where(k1 > 0, (k2 / d2) / (k1 / d1), np.nan)
    out["expected_after"] = k1 * d2 / d1
    out["p_value"] = np.where(any_inc, p, np.nan)
    out["p_adjusted"] = p_adj
    sig = any_inc & (p_adj < alpha)
    up = k2 / d2 > k1 / d1
    cls = np.where(
        ~any_inc,
        "no incidents",
        np.where(
            sig & up,
            "significant increase",
            np.where(sig, "significant decrease", "no significant change"),
        ),
    )
    out["change_class"] = pd.Categorical(cls, categories=_CHANGE_CLASSES)
    n1, n2 = int(k1.sum()), int(k2.sum())
    overall = {
        "n_before": n1,
        "n_after": n2,
        "change": n2 - n1,
        "pct_change": 100.0 * (n2 - n1) / n1 if n1 else float("nan"),
        "rate_ratio": (n2 / d2) / (n1 / d1) if n1 else float("nan"),
        "p_value": float(poisson_rate_test(np.array([n1]), np.array([n2]), d1, d2)[0]),
        "days_before": d1,
        "days_after": d2,
    }
    excluded["outside_units"] = outside
    return attach(
        out,
        "hotspot_change",
        {
            "before": (str(b0), str(b1)),
            "after": (str(a0), str(a1)),
            "alpha": alpha,
            "correction": correction,
            "test": "exact conditional Poisson rate test",
        },
        overall=overall,
        excluded=excluded,
        classes={c: int((cls == c).sum()) for c in _CHANGE_CLASSES},
    )


# ---------------------------------------------------------------------------
# Gi* on the cube
# ---------------------------------------------------------------------------


def _spatial_weights(units: gpd.GeoDataFrame, neighbors: Any) -> tuple[sparse.csr_array, str]:
    from ._weights import weights_for_units

    return weights_for_units(units, neighbors)


def _space_time_weights(w: sparse.csr_array, n_steps: int, time_neighbors: int) -> sparse.csr_array:
    """Build the space-time neighbour matrix over bins ``t * n_units + u``.

    Neighbours of a bin: its spatial neighbours at ``t`` and, for ``k = 1 ..
    time_neighbors``, the unit itself and its spatial neighbours at ``t - k``.
    """
    n = w.shape[0]
    w = sparse.csr_matrix(w)
    big = sparse.kron(sparse.identity(n_steps, format="csr"), w, format="csr")
    if time_neighbors > 0:
        w_self = (w + sparse.identity(n, format="csr")).tocsr()
        for k in range(1, time_neighbors + 1):
            if k >= n_steps:
                break
            lag = sparse.eye(n_steps, k=-k, format="csr")
            big = big + sparse.kron(lag, w_self, format="csr")
    big = big.tocsr()
    big.data[:] = 1.0
    return sparse.csr_array(big)


def _gi_cube(
    counts: np.ndarray,
    w: sparse.csr_array,
    *,
    time_neighbors: int,
    permutations: int,
    random_state: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z and p per bin over the whole cube (ArcGIS's default "entire cube")."""
    from .stats import gi_star_arrays

    n_units, n_steps = counts.shape
    big = _space_time_weights(w, n_steps, time_neighbors)
    y = counts.T.ravel().astype(float)  # bin index t * n_units + u
    res = gi_star_arrays(y, big, permutations=permutations, random_state=random_state)
    p = res.p_sim if (permutations and res.p_sim is not None) else res.p_value
    z = res.z.reshape(n_steps, n_units).T
    return z, np.asarray(p).reshape(n_steps, n_units).T


# ---------------------------------------------------------------------------
# sfhotspot-style classification
# ---------------------------------------------------------------------------

_SFH_CATEGORIES = [
    "persistent hotspot",
    "emerging hotspot",
    "former hotspot",
    "intermittent hotspot",
    "persistent coldspot",
    "emerging coldspot",
    "former coldspot",
    "intermittent coldspot",
    "mixed hot/coldspot",
    "no pattern",
]


def _sfh_side(
    sig: np.ndarray, recent: int, hotspot_prop: float, persistent_prop: float, recent_prop: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n_steps = sig.shape[1]
    prop = sig.sum(axis=1) / n_steps
    recent_share = sig[:, n_steps - recent :].sum(axis=1) / recent
    older = sig[:, : n_steps - recent].sum(axis=1) / (n_steps - recent)
    cat = np.select(
        [
            prop >= persistent_prop,
            (older < hotspot_prop) & (recent_share >= recent_prop),
            (older >= hotspot_prop) & (recent_share < hotspot_prop),
            prop >= hotspot_prop,
        ],
        ["persistent", "emerging", "former", "intermittent"],
        default="",
    )
    return cat, prop, recent_share, older


def classify_hotspots(
    incidents: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    *,
    freq: str = "M",
    neighbors: Any = "queen",
    hotspot_prop: float = 0.1,
    persistent_prop: float = 0.8,
    recent_prop: float = 0.2,
    critical_p: float = 0.05,
    correction: str | None = "fdr_bh",
    start: Any = None,
    end: Any = None,
) -> gpd.GeoDataFrame:
    """Classify persistent, emerging, former and intermittent hot and cold spots (sfhotspot).

    Gi* is computed for each time step separately (spatial neighbours only); a
    unit is a significant hot (cold) spot in a step when its adjusted p-value is
    below ``critical_p`` and z > 0 (z < 0). With ``T`` steps, the last
    ``r = floor(recent_prop * T)`` (at least 1) are *recent*. Per unit, with the
    share of significant steps overall (``prop``), in the recent steps
    (``recent``) and in the older steps (``older``), the first rule that holds:

    1. persistent: ``prop >= persistent_prop``;
    2. emerging: ``older < hotspot_prop`` and ``recent >= recent_prop``;
    3. former: ``older >= hotspot_prop`` and ``recent < hotspot_prop``;
    4. intermittent: ``prop >= hotspot_prop``;
    5. otherwise no pattern.

    A unit with both a hot and a cold class is "mixed hot/coldspot".

    Parameters
    ----------
    incidents
        Canonical incidents (points in metres, ``occurred_at``).
    units
        Analysis units in the incidents' CRS (a grid from ``hs.grid`` is usual).
    freq
        Time step as a pandas period alias (``"M"``, ``"Q"``, ``"W"``...).
    neighbors
        Spatial neighbours (see :func:`hotspot._weights.weights_for_units`);
        queen contiguity by default, as sfhotspot's ``nb_dist = cell_size * sqrt(2)``.
    hotspot_prop, persistent_prop, recent_prop, critical_p
        As ``sfhotspot::hotspot_classify_params()`` (after Chainey 2020).
    correction
        Multiple-comparison correction within each time step, applied **once**
        (``"fdr_bh"`` by default; ``"holm"`` is sfhotspot's default).
    start, end
        Optional first and last time step.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``units`` with ``hotspot_category`` (categorical),
        ``n_incidents``, ``n_hot_steps``, ``n_cold_steps``, ``prop_hot``,
        ``recent_hot``, ``older_hot``, ``prop_cold``, ``recent_cold``,
        ``older_cold``.

    Notes
    -----
    Differences from ``sfhotspot::hotspot_classify`` 1.0.0 (R/hotspot_classify.R):
    (a) p-values are adjusted once per step; sfhotspot adjusts them in
    ``gistar()`` and again across periods per cell (issue #94);
    (b) the recent share uses the last ``r`` steps; sfhotspot's
    ``ch[, (ncol(ch) - recent_periods):ncol(ch)]`` takes ``r + 1`` columns and
    divides by ``r``; (c) steps without any incident are dropped from ``T``
    (Gi* is undefined there); sfhotspot warns but keeps them in the denominator.

    Examples
    --------
    >>> from hotspot._grid import GridSpec, grid_frame
    >>> from hotspot.spacetime import classify_hotspots
    >>> cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 7, 7), "EPSG:32616")
    >>> rng = np.random.default_rng(0)
    >>> n = 2000
    >>> hot = rng.random(n) < 0.5
    >>> x = np.where(hot, rng.uniform(200, 500, n), rng.uniform(0, 700, n))
    >>> y = np.where(hot, rng.uniform(200, 500, n), rng.uniform(0, 700, n))
    >>> pts = gpd.GeoDataFrame(
    ...     {"occurred_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(
    ...         rng.uniform(0, 365, n), unit="D")},
    ...     geometry=gpd.points_from_xy(x, y), crs=32616)
    >>> out = classify_hotspots(pts, cells)
    >>> out.loc[3 * 7 + 3, "hotspot_category"]
    'persistent hotspot'
    """
    from .stats import adjust_pvalues, gi_star_arrays

    for name, val in (
        ("hotspot_prop", hotspot_prop),
        ("persistent_prop", persistent_prop),
        ("recent_prop", recent_prop),
        ("critical_p", critical_p),
    ):
        if not 0 < val < 1:
            msg = f"`{name}` must be greater than 0 and less than 1, got {val!r}."
            raise InvalidInputError(msg)
    cube, excluded = _build_cube(
        incidents, units, freq=freq, start=start, end=end, step="classify_hotspots"
    )
    w, w_text = _spatial_weights(units, neighbors)
    choices: dict[str, Any] = {}
    note_choice(choices, "neighbors", w_text, f"from neighbors={neighbors!r}")
    empty = cube.counts.sum(axis=0) == 0
    if empty.any():
        warnings.warn(
            f"classify_hotspots: {int(empty.sum())} time steps have no incidents and are "
            "left out of the classification (Gi* is undefined there).",
            DataQualityWarning,
            stacklevel=2,
        )
    steps = np.flatnonzero(~empty)
    n_steps = steps.size
    recent = math.floor(recent_prop * n_steps)
    if recent < 1 or n_steps - recent < 1:
        recent = 1
        note_choice(choices, "recent_steps", 1, "floor(recent_prop * T) < 1: last step only")
    if n_steps - recent < 1:
        msg = (
            f"classify_hotspots: {n_steps} usable time step(s); at least one recent and one "
            "older step are needed. Use a shorter `freq` or a longer time range."
        )
        raise InvalidInputError(msg)
    z = np.full(cube.counts.shape, np.nan)
    p_adj = np.full(cube.counts.shape, np.nan)
    for t in steps:
        res = gi_star_arrays(cube.counts[:, t].astype(float), w)
        z[:, t] = res.z
        p_adj[:, t] = adjust_pvalues(res.p_value, correction)
    zs, ps = z[:, steps], p_adj[:, steps]
    sig = np.nan_to_num(ps, nan=1.0) < critical_p
    hot = sig & (zs > 0)
    cold = sig & (zs < 0)
    args = (recent, hotspot_prop, persistent_prop, recent_prop)
    cat_h, prop_h, rec_h, old_h = _sfh_side(hot, *args)
    cat_c, prop_c, rec_c, old_c = _sfh_side(cold, *args)
    label = np.where(
        (cat_h != "") & (cat_c != ""),
        "mixed hot/coldspot",
        np.where(
            cat_h != "",
            np.char.add(cat_h.astype(str), " hotspot"),
            np.where(cat_c != "", np.char.add(cat_c.astype(str), " coldspot"), "no pattern"),
        ),
    )
    out = units.copy()
    out["hotspot_category"] = pd.Categorical(label, categories=_SFH_CATEGORIES)
    out["n_incidents"] = cube.counts.sum(axis=1)
    out["n_hot_steps"] = hot.sum(axis=1)
    out["n_cold_steps"] = cold.sum(axis=1)
    for name, arr in (
        ("prop_hot", prop_h),
        ("recent_hot", rec_h),
        ("older_hot", old_h),
        ("prop_cold", prop_c),
        ("recent_cold", rec_c),
        ("older_cold", old_c),
    ):
        out[name] = arr
    params = {
        "freq": freq,
        "neighbors": str(neighbors),
        "hotspot_prop": hotspot_prop,
        "persistent_prop": persistent_prop,
        "recent_prop": recent_prop,
        "critical_p": critical_p,
        "correction": correction,
    }
    return attach(
        out,
        "classify_hotspots",
        params,
        choices,
        n_steps=int(n_steps),
        recent_steps=int(recent),
        periods=[str(p) for p in cube.periods[steps]],
        excluded=excluded,
    )


# ---------------------------------------------------------------------------
# Emerging Hot Spot Analysis
# ---------------------------------------------------------------------------

EMERGING_CATEGORIES = [
    "new hot spot",
    "consecutive hot spot",
    "intensifying hot spot",
    "persistent hot spot",
    "diminishing hot spot",
    "sporadic hot spot",
    "oscillating hot spot",
    "historical hot spot",
    "new cold spot",
    "consecutive cold spot",
    "intensifying cold spot",
    "persistent cold spot",
    "diminishing cold spot",
    "sporadic cold spot",
    "oscillating cold spot",
    "historical cold spot",
    "no pattern detected",
]


def _final_run(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True values at the end of each row."""
    n_steps = flags.shape[1]
    rev = flags[:, ::-1]
    first_false = np.where((~rev).any(axis=1), np.argmax(~rev, axis=1), n_steps)
    return first_false


def _emerging_side(
    this: np.ndarray, other: np.ndarray, sig: np.ndarray, trend: np.ndarray, trend_sig: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Category codes 0..7 (new..historical) for one side (hot or cold); -1 if none.

    ``this``/``other``: significant bins of this sign / of the opposite sign;
    ``trend``: +1 when the Mann-Kendall trend goes towards this side, -1 away.
    """
    n_units, n_steps = this.shape
    final = this[:, -1]
    n_this = this.sum(axis=1)
    mostly = 10 * n_this >= 9 * n_steps  # >= 90 % of the steps
    run = _final_run(this)
    before_run = np.arange(n_steps)[None, :] < (n_steps - run)[:, None]
    sig_before_run = (sig & before_run).any(axis=1)
    ever_other = other.any(axis=1)
    code = np.full(n_units, -1)
    conditions = [
        final & (n_this == 1) & ~sig[:, :-1].any(axis=1),  # new
        final & (run >= 2) & ~sig_before_run & ~mostly,  # consecutive
        final & mostly & trend_sig & (trend > 0),  # intensifying
        final & mostly & ~trend_sig,  # persistent
        final & mostly & trend_sig & (trend < 0),  # diminishing
        final & ~mostly & ~ever_other,  # sporadic
        final & ~mostly & ever_other,  # oscillating
        ~final & mostly,  # historical
    ]
    for k in range(len(conditions) - 1, -1, -1):  # first rule wins
        code = np.where(conditions[k], k, code)
    return code, n_this


def classify_emerging(
    z: np.ndarray,
    p: np.ndarray,
    *,
    alpha: float = 0.05,
    trend_alpha: float | None = None,
) -> pd.DataFrame:
    """Emerging Hot Spot categories from Gi* z-scores and p-values per time step.

    Array core of :func:`emerging_hotspots` (testable without Gi*).

    Parameters
    ----------
    z
        ``(n_units, n_steps)`` Gi* z-scores, oldest step first.
    p
        ``(n_units, n_steps)`` p-values (already adjusted, e.g. FDR).
    alpha
        A bin is a significant hot (cold) spot when ``p < alpha`` and z > 0 (z < 0).
    trend_alpha
        Significance level of the Mann-Kendall trend (default: ``alpha``).

    Returns
    -------
    pandas.DataFrame
        ``emerging_category`` (categorical, :data:`EMERGING_CATEGORIES`),
        ``mk_z``, ``mk_p``, ``mk_tau``, ``mk_s`` (Mann-Kendall on the z-series),
        ``n_hot_steps``, ``n_cold_steps``.

    Notes
    -----
    Rules (ArcGIS Pro "How Emerging Hot Spot Analysis works"; "90 %" means at
    least 90 % of the steps; hot = significant with z > 0). For hot spots:

    - new: hot in the final step, never significant (hot or cold) before;
    - consecutive: a run of >= 2 hot steps at the end, nothing significant
      before the run, < 90 % hot;
    - intensifying / diminishing: >= 90 % hot including the final step, and a
      significant upward / downward Mann-Kendall trend of z;
    - persistent: >= 90 % hot including the final step, no significant trend;
    - sporadic: hot in the final step, < 90 % hot, never a cold spot;
    - oscillating: hot in the final step, < 90 % hot, a cold spot at some step;
    - historical: not hot in the final step, but >= 90 % hot.

    Cold spots mirror these rules (intensifying cold = significant downward
    trend). Rules are tried in this order; the first that holds wins. Differences
    from ``sfdep`` (R/emerging-hostpot-classifications.R): sfdep's intensifying
    hot spot counts significant bins of both signs for the 90 % share, its
    historical hot spot requires a negative final z, its sporadic class does not
    require a final hot step (ArcMap 10.x wording; ArcGIS Pro requires it), and
    it tests persistent before historical; we follow ArcGIS Pro in each case.
    "New" and "consecutive" require no earlier significant bin of either sign
    (as sfdep); a location with an earlier cold spot is "oscillating".

    Examples
    --------
    >>> from hotspot.spacetime import classify_emerging
    >>> z = np.array([[0.0] * 9 + [3.0], [3.0] * 10])
    >>> p = np.where(np.abs(z) > 2, 0.001, 0.5)
    >>> classify_emerging(z, p)["emerging_category"].tolist()
    ['new hot spot', 'persistent hot spot']
    """
    z = np.atleast_2d(np.asarray(z, dtype=float))
    p = np.atleast_2d(np.asarray(p, dtype=float))
    if z.shape != p.shape:
        msg = f"`z` and `p` must have the same shape; got {z.shape} and {p.shape}."
        raise InvalidInputError(msg)
    if z.shape[1] < 2:
        msg = "classify_emerging needs at least 2 time steps (10 or more is advised)."
        raise InvalidInputError(msg)
    trend_alpha = alpha if trend_alpha is None else trend_alpha
    z_clean = np.nan_to_num(z, nan=0.0)
    sig = np.nan_to_num(p, nan=1.0) < alpha
    hot = sig & (z_clean > 0)
    cold = sig & (z_clean < 0)
    mk = mann_kendall(z_clean)
    direction = np.sign(mk["S"].to_numpy())
    trend_sig = mk["p_value"].to_numpy() < trend_alpha
    hot_code, n_hot = _emerging_side(hot, cold, sig, direction, trend_sig)
    cold_code, n_cold = _emerging_side(cold, hot, sig, -direction, trend_sig)
    # a unit matches at most one side, except historical on one side with a final
    # significant bin on the other: the final-step class wins.
    code = np.where(hot_code >= 0, hot_code, np.where(cold_code >= 0, cold_code + 8, 16))
    clash = (hot_code == 7) & (cold_code >= 0) & (cold_code < 7)
    code = np.where(clash, cold_code + 8, code)
    return pd.DataFrame(
        {
            "emerging_category": pd.Categorical.from_codes(code, categories=EMERGING_CATEGORIES),
            "mk_z": mk["z"].to_numpy(),
            "mk_p": mk["p_value"].to_numpy(),
            "mk_tau": mk["tau"].to_numpy(),
            "mk_s": mk["S"].to_numpy(),
            "n_hot_steps": n_hot,
            "n_cold_steps": n_cold,
        }
    )


def emerging_hotspots(
    incidents: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    *,
    freq: str = "M",
    neighbors: Any = "queen",
    time_neighbors: int = 1,
    alpha: float = 0.05,
    trend_alpha: float | None = None,
    correction: str | None = "fdr_bh",
    permutations: int = 0,
    random_state: int | np.random.Generator | None = None,
    start: Any = None,
    end: Any = None,
    return_cube: bool = False,
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, SpaceTimeCube]:
    """Emerging Hot Spot Analysis: Gi* on the space-time cube, Mann-Kendall, 17 classes.

    Parameters
    ----------
    incidents
        Canonical incidents (points in metres, ``occurred_at``).
    units
        Analysis units in the incidents' CRS.
    freq
        Time step (pandas period alias; ``"M"`` months by default).
    neighbors
        Spatial neighbours (see :func:`hotspot._weights.weights_for_units`).
    time_neighbors
        Number of earlier time steps in the neighbourhood (ArcGIS "Neighborhood
        Time Step", default 1): a bin's neighbours are its spatial neighbours in
        the same step plus the unit itself and its spatial neighbours in each of
        the ``time_neighbors`` previous steps.
    alpha
        Significance level of a hot/cold bin (on the adjusted p-values).
    trend_alpha
        Significance level of the Mann-Kendall trend (default ``alpha``).
    correction
        Correction over all bins of the cube, applied once (``"fdr_bh"``, as
        ArcGIS's FDR; ``"holm"``, ``"bonferroni"`` or None).
    permutations
        0 (default): analytic Gi* p-values; otherwise conditional permutations.
    random_state
        Seed or generator for the permutations.
    start, end
        Optional first and last time step.
    return_cube
        Also return the :class:`SpaceTimeCube` (counts, Gi* z and p per bin).

    Returns
    -------
    geopandas.GeoDataFrame or (GeoDataFrame, SpaceTimeCube)
        A copy of ``units`` with ``emerging_category`` (categorical, 17 classes),
        ``mk_z``, ``mk_p``, ``mk_tau`` (trend of the Gi* z-series),
        ``n_hot_steps``, ``n_cold_steps``, ``final_gi_z``, ``final_p_adjusted`` and
        ``n_incidents``.

    Notes
    -----
    Gi* uses the mean and variance of the whole cube (ArcGIS's default global
    window, "entire cube"). The categories are those of :func:`classify_emerging`.
    Unlike ArcGIS, units without any incident are kept (they are usually "no
    pattern detected" or cold spots); drop them with ``out[out.n_incidents > 0]``.
    sfdep's ``emerging_hotspot_analysis`` differs: permutation p-values without
    FDR, threshold 0.01 and row-standardised weights.

    Examples
    --------
    >>> from hotspot._grid import GridSpec, grid_frame
    >>> from hotspot.spacetime import emerging_hotspots
    >>> cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 7, 7), "EPSG:32616")
    >>> rng = np.random.default_rng(0)
    >>> n = 3000
    >>> days = rng.uniform(0, 365, n)
    >>> hot = rng.random(n) < 0.4
    >>> x = np.where(hot, rng.uniform(200, 500, n), rng.uniform(0, 700, n))
    >>> y = np.where(hot, rng.uniform(200, 500, n), rng.uniform(0, 700, n))
    >>> pts = gpd.GeoDataFrame(
    ...     {"occurred_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")},
    ...     geometry=gpd.points_from_xy(x, y), crs=32616)
    >>> out = emerging_hotspots(pts, cells)
    >>> out.loc[3 * 7 + 3, "emerging_category"]
    'persistent hot spot'
    """
    from .stats import adjust_pvalues

    if int(time_neighbors) < 0:
        msg = "`time_neighbors` must be 0 or a positive integer."
        raise InvalidInputError(msg)
    cube, excluded = _build_cube(
        incidents, units, freq=freq, start=start, end=end, step="emerging_hotspots"
    )
    n_steps = cube.counts.shape[1]
    if n_steps < 10:
        warnings.warn(
            f"emerging_hotspots: only {n_steps} time steps; the Mann-Kendall trend and "
            "the 90 % rules need about 10 or more (ArcGIS requires 10).",
            DataQualityWarning,
            stacklevel=2,
        )
    w, w_text = _spatial_weights(units, neighbors)
    choices: dict[str, Any] = {}
    note_choice(choices, "neighbors", w_text, f"from neighbors={neighbors!r}")
    z, p = _gi_cube(
        cube.counts,
        w,
        time_neighbors=int(time_neighbors),
        permutations=permutations,
        random_state=random_state,
    )
    p_adj = adjust_pvalues(p.ravel(), correction).reshape(p.shape)
    cube.z, cube.p_value, cube.p_adjusted = z, p, p_adj
    classes = classify_emerging(z, p_adj, alpha=alpha, trend_alpha=trend_alpha)
    out = units.copy()
    for col in classes.columns:
        out[col] = classes[col].to_numpy() if col != "emerging_category" else classes[col].array
    out["final_gi_z"] = z[:, -1]
    out["final_p_adjusted"] = p_adj[:, -1]
    out["n_incidents"] = cube.counts.sum(axis=1)
    cats = out["emerging_category"].value_counts()
    attach(
        out,
        "emerging_hotspots",
        {
            "freq": freq,
            "neighbors": str(neighbors),
            "time_neighbors": int(time_neighbors),
            "alpha": alpha,
            "trend_alpha": alpha if trend_alpha is None else trend_alpha,
            "correction": correction,
            "permutations": permutations,
            "global_window": "entire cube",
        },
        choices,
        periods=[str(x) for x in cube.periods],
        excluded=excluded,
        categories={str(k): int(v) for k, v in cats.items() if v},
    )
    return (out, cube) if return_cube else out
