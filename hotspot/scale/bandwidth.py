"""The automatic KDE bandwidth of a dataset too large for memory, by reductions.

:func:`hotspot.kde` chooses ``bandwidth=None`` by the spatial Silverman rule of
ArcGIS (:func:`hotspot.scan.kernels.rule_bandwidth`): the (weighted) mean centre,
the standard distance and the (weighted) median distance to the centre. Here each
statistic is a reduction over the partitions, so the bandwidth is the in-memory one:

1. the points' coordinates (and weights) are read once and held on the workers
   (16 bytes a point, 24 with weights);
2. sums give the mean centre and the extent; then a histogram of the distances to
   the centre (with the sum of squared distances: the standard distance);
3. the distances in the one or two histogram bins that hold the median are
   gathered and the median is taken exactly as :func:`rule_bandwidth` takes it.

The formula itself is :func:`hotspot.scan.kernels.rule_from_spread`; the rounding
and the wording of the choice are :func:`hotspot.scan.kernels.note_rule_bandwidth`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hotspot.exceptions import InvalidInputError
from hotspot.scale._dask import require_dask
from hotspot.scan.kernels import note_rule_bandwidth, rule_from_spread

__all__ = ["dataset_bandwidth", "part_xy_weights"]

_BINS = 1 << 16  # distance histogram bins: the median's bin holds few points


def part_xy_weights(frame: pd.DataFrame, weight: str | None) -> tuple[np.ndarray,
                                                                      np.ndarray | None]:
    """Coordinates ``(n, 2)`` (metres) and weights of one partition's incidents.

    Weights are the ``weight`` column as numbers, a missing value counting 0 (as the
    binned KDE counts it); None without a weight column.

    Examples
    --------
    >>> import geopandas as gpd
    >>> f = gpd.GeoDataFrame({"w": [1, None]}, geometry=gpd.points_from_xy([0, 1], [2, 3]))
    >>> xy, w = part_xy_weights(f, "w")
    >>> xy.tolist(), w.tolist()
    ([[0.0, 2.0], [1.0, 3.0]], [1.0, 0.0])
    """
    xy = frame.geometry.get_coordinates().to_numpy(dtype=float)
    if weight is None:
        return xy, None
    return xy, pd.to_numeric(frame[weight], errors="coerce").fillna(0.0).to_numpy(float)


def _points(frame: pd.DataFrame, weight: str | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Return the points the rule uses: positive weights only (as ``rule_bandwidth``)."""
    xy, w = part_xy_weights(frame, weight)
    if w is None:
        return xy, None
    keep = w > 0
    return xy[keep], w[keep]


def _sums(piece: tuple[np.ndarray, np.ndarray | None]) -> np.ndarray:
    xy, w = piece
    if not len(xy):
        return np.array([0, 0.0, 0.0, 0.0, np.inf, -np.inf, np.inf, np.inf, -np.inf, -np.inf])
    ww = np.ones(len(xy)) if w is None else w
    return np.array([len(xy), ww.sum(), (ww * xy[:, 0]).sum(), (ww * xy[:, 1]).sum(),
                     ww.min(), ww.max(), *xy.min(axis=0), *xy.max(axis=0)])


def _bin_of(d: np.ndarray, reach: float) -> np.ndarray:
    return np.minimum((d * (_BINS / reach)).astype(np.int64), _BINS - 1)


def _distances(piece: tuple[np.ndarray, np.ndarray | None], centre: np.ndarray) -> np.ndarray:
    xy = piece[0]
    return np.hypot(xy[:, 0] - centre[0], xy[:, 1] - centre[1])


def _histogram(piece: tuple[np.ndarray, np.ndarray | None], centre: np.ndarray,
               reach: float) -> tuple[np.ndarray, np.ndarray, float]:
    d = _distances(piece, centre)
    w = np.ones(len(d)) if piece[1] is None else piece[1]
    b = _bin_of(d, reach)
    return (np.bincount(b, minlength=_BINS), np.bincount(b, weights=w, minlength=_BINS),
            float((w * d**2).sum()))


def _gather(piece: tuple[np.ndarray, np.ndarray | None], centre: np.ndarray, reach: float,
            bins: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    d = _distances(piece, centre)
    hit = np.isin(_bin_of(d, reach), bins)
    w = np.ones(len(d)) if piece[1] is None else piece[1]
    return d[hit], w[hit]


def _median(dask: Any, pieces: list[Any], centre: np.ndarray, reach: float,
            counts: np.ndarray, wsum: np.ndarray, equal: bool) -> float:
    """Return the (weighted) median distance, as :func:`rule_bandwidth` takes it."""
    n = int(counts.sum())
    if equal:  # np.median: the middle value, or the mean of the two middle values
        ranks = [n // 2] if n % 2 else [n // 2 - 1, n // 2]
        before = np.concatenate([[0], np.cumsum(counts)])
        bins = tuple(sorted({int(np.searchsorted(before, r, side="right")) - 1 for r in ranks}))
        got = dask.compute(*[dask.delayed(_gather)(p, centre, reach, bins) for p in pieces])
        d = np.sort(np.concatenate([g[0] for g in got]))
        vals = [d[r - before[bins[0]]] for r in ranks]
        return float(np.mean(vals))
    cum = np.cumsum(wsum)
    half = cum[-1] / 2.0
    b = int(min(np.searchsorted(cum, half), _BINS - 1))
    nxt = np.flatnonzero(counts[b + 1:])
    bins = (b,) if not nxt.size else (b, b + 1 + int(nxt[0]))
    got = dask.compute(*[dask.delayed(_gather)(p, centre, reach, bins) for p in pieces])
    d = np.concatenate([g[0] for g in got])
    w = np.concatenate([g[1] for g in got])
    order = np.argsort(d, kind="stable")
    d, w = d[order], w[order]
    in_b = _bin_of(d, reach) == b
    c = (cum[b - 1] if b else 0.0) + np.cumsum(w[in_b])
    i = int(min(np.searchsorted(c, half), in_b.sum() - 1))
    if np.isclose(c[i], half) and i + 1 < len(d):
        return float((d[i] + d[i + 1]) / 2.0)
    return float(d[i])


def dataset_bandwidth(ddf: Any, kernel: str, weight: str | None,
                      choices: dict[str, Any]) -> float:
    """Return the automatic bandwidth of :func:`hotspot.kde` for a Dask incidents frame.

    Parameters
    ----------
    ddf : dask_geopandas.GeoDataFrame
        From :func:`hotspot.scale.read_incidents`.
    kernel, weight
        As for :func:`hotspot.kde`.
    choices
        The ``choices`` dict of the KDE step: the bandwidth and its rule are noted
        there in the words of :func:`hotspot.kde`.

    Returns
    -------
    float
        Metres, equal to ``hs.kde(incidents)``'s choice on the same incidents.

    Raises
    ------
    InvalidInputError
        With fewer than 2 points or no spatial spread (pass ``bandwidth=``).

    Examples
    --------
    >>> h = dataset_bandwidth(ddf, "quartic", None, {})  # doctest: +SKIP
    """
    dask, _ = require_dask()
    pieces = list(dask.persist(*[dask.delayed(_points)(p, weight)
                                 for p in ddf.to_delayed()]))
    tot = np.array(dask.compute(*[dask.delayed(_sums)(p) for p in pieces]))
    n, wsum = int(tot[:, 0].sum()), float(tot[:, 1].sum())
    centre = tot[:, 2:4].sum(axis=0) / wsum if wsum > 0 else np.zeros(2)
    lo, hi = tot[:, 6:8].min(axis=0), tot[:, 8:10].max(axis=0)
    reach = float(np.hypot(*np.maximum(np.abs(lo - centre), np.abs(hi - centre)))) * (
        1 + 1e-9) if n else 0.0
    hists = dask.compute(*[dask.delayed(_histogram)(p, centre, reach) for p in pieces]) \
        if reach > 0 else []
    sq = float(sum(h[2] for h in hists))
    sd = float(np.sqrt(sq / wsum)) if wsum > 0 else 0.0
    if n < 2 or sd == 0.0:
        msg = (f"Cannot choose a bandwidth automatically from {wsum:g} incident(s) with no "
               "spatial spread; pass `bandwidth=` in metres.")
        raise InvalidInputError(msg)
    counts = np.sum([h[0] for h in hists], axis=0)
    weights = np.sum([h[1] for h in hists], axis=0)
    equal = weight is None or float(tot[:, 4].min()) == float(tot[:, 5].max())
    dm = _median(dask, pieces, centre, reach, counts, weights, equal)
    h = rule_from_spread(sd, dm, wsum, kernel)
    return note_rule_bandwidth(choices, h, kernel, weight, wsum)
