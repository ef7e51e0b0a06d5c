"""Near repeats: the Knox test and near-repeat chains.

:func:`knox` is the Knox test as the Near Repeat Calculator (NRC) presents it: observed
and expected pairs, Knox ratio and a Monte Carlo p-value per (distance band, time
band). Pairs are counted once with a KD-tree and only the time labels are permuted.
:func:`near_repeat_chains` labels each incident as an originator, a repeat, a near
repeat or isolated, with an explicit rule for ties.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from hotspot._core.meta import attach
from hotspot._core.validation import (
    point_coords,
)
from hotspot.analyse._incident_times import (
    _check_incidents,
    _day_factor,
    _times_as_number,
    _usable_times,
)
from hotspot.exceptions import InvalidInputError

__all__ = [
    "KnoxResult",
    "knox",
    "knox_arrays",
    "near_repeat_chains",
]




_NR_ROLES = ["originator", "repeat", "near_repeat", "isolated"]
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
        >>> from hotspot.analyse.near_repeat import knox_arrays
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
    >>> from hotspot.analyse.near_repeat import knox_arrays
    >>> xy = np.array([[0, 0], [50, 0], [0, 500], [500, 500]])
    >>> t = np.array([0, 3, 30, 90])
    >>> res = knox_arrays(xy, t, distance_bands=[100], time_bands=[7], permutations=9,
    ...                   random_state=0)
    >>> int(res.table["observed"].iloc[0])
    1
    """
    xy, t_raw = _check_knox_arrays(xy, t, closed)
    d_edges = _check_edges(distance_bands, "distance_bands")
    t_edges = _check_edges(time_bands, "time_bands")
    n = t_raw.size
    perms, permutations = _permutation_plan(permutation_indices, permutations, n)

    i, j, dband, nd = _close_pairs(xy, d_edges, closed, same_location)
    tc, integral = _compact_times(t_raw)
    thr = _thresholds(t_edges, closed, integral, tc.dtype)
    counter = _PairCounter(i, j, dband, nd)
    observed = counter.counts(tc[:, None], thr)[0]
    rng = np.random.default_rng(random_state)
    sims = _simulate(counter, tc, thr, perms, permutations, rng, n_jobs)

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


def _check_knox_arrays(xy: Any, t: Any, closed: str) -> tuple[np.ndarray, np.ndarray]:
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
    if t_raw.size < 2:
        msg = "The Knox test needs at least 2 incidents."
        raise InvalidInputError(msg)
    return xy, t_raw


def _permutation_plan(
    permutation_indices: np.ndarray | None, permutations: int, n: int
) -> tuple[np.ndarray | None, int]:
    """Given permutations (their count wins) or None, and the number to draw."""
    perms = None
    if permutation_indices is not None:
        perms = np.asarray(permutation_indices, dtype=np.int64)
        if perms.ndim != 2 or perms.shape[1] != n:
            msg = f"`permutation_indices` must have shape (permutations, {n})."
            raise InvalidInputError(msg)
        permutations = perms.shape[0]
    if permutations < 1:
        msg = "`permutations` must be at least 1 (999 is usual; the NRC's 20 is too few)."
        raise InvalidInputError(msg)
    return perms, int(permutations)


def _simulate(
    counter: _PairCounter,
    tc: np.ndarray,
    thr: np.ndarray,
    perms: np.ndarray | None,
    permutations: int,
    rng: np.random.Generator,
    n_jobs: int,
) -> np.ndarray:
    """Band counts ``(permutations, n_distance_bands, n_time_bands)`` with shuffled times.

    Batches of permuted times are drawn in order (so results do not depend on
    ``n_jobs``) and counted on ``n_jobs`` threads.
    """
    n = tc.size

    def batch_times(start: int) -> np.ndarray:
        stop = min(start + _BATCH, permutations)
        idx = (
            perms[start:stop]
            if perms is not None
            else [rng.permutation(n) for _ in range(stop - start)]
        )
        return np.stack([tc[ix] for ix in idx], axis=1)

    sims = np.empty((permutations, counter.nd, thr.shape[0]), dtype=np.int64)
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
    return sims

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
    >>> from hotspot.analyse.near_repeat import knox
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
    >>> from hotspot.analyse.near_repeat import near_repeat_chains
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
    day = _day_factor(time_resolution)
    rank = _time_rank(t)
    src, dst, dt, dist = _linked_pairs(xy, t, rank, float(distance), days * day)
    chosen = _nearest_source(src, dst, rank, dt, dist)
    links = _links(len(pos), src, dst, dt / day, dist, chosen)
    links["nr_chain"] = _chain_ids(src, dst, rank, len(pos))
    out = _spread(incidents, pos, links)
    role = links["nr_role"]
    return attach(
        out,
        "near_repeat_chains",
        {"distance": distance, "days": days, "time_resolution": time_resolution},
        excluded=excluded,
        roles={r: int((role == r).sum()) for r in _NR_ROLES},
        n_chains=int(links["nr_chain"].max() + 1) if len(pos) else 0,
    )


def _time_rank(t: np.ndarray) -> np.ndarray:
    """Position of each incident in time order, ties by row order (the explicit tie rule)."""
    order = np.lexsort((np.arange(t.size), t))
    rank = np.empty(t.size, dtype=np.int64)
    rank[order] = np.arange(t.size)
    return rank


def _linked_pairs(
    xy: np.ndarray, t: np.ndarray, rank: np.ndarray, distance: float, window: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs within ``distance`` and ``window``: (earlier, later, time apart, distance)."""
    n = len(t)
    pairs = cKDTree(xy).query_pairs(distance, output_type="ndarray") if n > 1 else None
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
    return src, dst, dt_ab, dist


def _nearest_source(
    src: np.ndarray, dst: np.ndarray, rank: np.ndarray, dt: np.ndarray, dist: np.ndarray
) -> np.ndarray:
    """One link per later incident: same location first, then most recent, nearer, later row."""
    sort = np.lexsort((-rank[src], dist, dt, dist != 0, dst))
    first = np.ones(sort.size, dtype=bool)
    first[1:] = dst[sort][1:] != dst[sort][:-1]
    return sort[first]


def _links(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    days_apart: np.ndarray,
    dist: np.ndarray,
    chosen: np.ndarray,
) -> dict[str, np.ndarray]:
    """Role, source position, days and distance to the source and tie flag per incident."""
    same = dist == 0
    role = np.full(n, "isolated", dtype=object)
    role[src] = "originator"
    role[dst[chosen]] = np.where(same[chosen], "repeat", "near_repeat")
    source = np.full(n, -1, dtype=np.int64)
    source[dst[chosen]] = src[chosen]
    days_since = np.full(n, np.nan)
    days_since[dst[chosen]] = days_apart[chosen]
    dist_src = np.full(n, np.nan)
    dist_src[dst[chosen]] = dist[chosen]
    tie = np.zeros(n, dtype=bool)
    tie[src[days_apart == 0]] = True
    tie[dst[days_apart == 0]] = True
    return {
        "nr_role": role,
        "source": source,
        "nr_days_since_source": days_since,
        "nr_distance_to_source": dist_src,
        "nr_tie": tie,
    }


def _spread(
    incidents: gpd.GeoDataFrame, pos: np.ndarray, links: dict[str, np.ndarray]
) -> gpd.GeoDataFrame:
    """Copy ``incidents`` with the link columns (filled at ``pos``, empty elsewhere)."""
    out = incidents.copy()
    m = len(out)
    role = np.full(m, None, dtype=object)
    role[pos] = links["nr_role"]
    out["nr_role"] = pd.Categorical(role, categories=_NR_ROLES)
    chain = np.full(m, -1, dtype=np.int64)
    chain[pos] = links["nr_chain"]
    out["nr_chain"] = chain
    source = links["source"]
    labels = np.full(m, None, dtype=object)
    has = source >= 0
    labels[pos[has]] = np.asarray(incidents.index[pos[source[has]]], dtype=object)
    out["nr_source"] = pd.array(
        labels, dtype="Int64" if pd.api.types.is_integer_dtype(incidents.index) else object
    )
    for name in ("nr_days_since_source", "nr_distance_to_source"):
        col = np.full(m, np.nan)
        col[pos] = links[name]
        out[name] = col
    tie = np.zeros(m, dtype=bool)
    tie[pos] = links["nr_tie"]
    out["nr_tie"] = tie
    return out

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


