"""Rolling-origin backtest of hotspot forecasters (SARA: Assessment).

:func:`backtest` fits every forecaster of :mod:`hotspot.assess.forecast` on a
rolling training window, scores it on the following test window with
:mod:`hotspot.assess.metrics`, and adds a seeded random ranking so the floor is
visible. :class:`BacktestResult` holds the table, the stability of the flagged
units between origins, a summary and a print-legible plot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from hotspot._core.errors import warn_user
from hotspot._core.grid import grid_spec_of
from hotspot._core.meta import attach
from hotspot._core.time import data_period
from hotspot._core.validation import check_projected, check_same_crs, point_coords
from hotspot.assess.metrics import _compute, _inputs, _Ranking
from hotspot.exceptions import DataQualityWarning, InputTypeError, InvalidInputError

__all__ = ["BacktestResult", "backtest"]

_METRICS = ("hit_rate", "pai", "pei", "pei_star", "rri")


@dataclass
class BacktestResult:
    """Result of :func:`backtest`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per origin × method × coverage: ``origin``, ``method``,
        ``coverage``, ``hit_rate``, ``pai``, ``pei``, ``pei_star``, ``rri``,
        ``n_test``, ``n_train``.
    stability : pandas.DataFrame
        One row per origin (from the second) × method × coverage: ``origin``,
        ``method``, ``coverage``, ``jaccard`` — weighted Jaccard overlap
        ``Σ min(w1, w2) / Σ max(w1, w2)`` of the flagged units (weights as in
        :func:`hotspot.assess.metrics.flag_weights`) with the previous origin.
    params : dict
        The backtest's parameters.
    """

    table: pd.DataFrame
    stability: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)

    def summary(self, metric: str = "pai") -> pd.DataFrame:
        """Mean, standard deviation, 10th and 90th percentiles of ``metric`` over origins.

        Parameters
        ----------
        metric
            A column of :attr:`table` (``hit_rate``, ``pai``, ``pei``,
            ``pei_star``, ``rri``).

        Returns
        -------
        pandas.DataFrame
            Indexed by ``method`` and ``coverage``; columns ``mean``, ``std``,
            ``q10``, ``q90``, ``n_origins``.
        """
        _check_metric(self.table, metric)
        g = self.table.groupby(["method", "coverage"], sort=False)[metric]
        return pd.DataFrame(
            {
                "mean": g.mean(),
                "std": g.std(),
                "q10": g.quantile(0.1),
                "q90": g.quantile(0.9),
                "n_origins": g.count(),
            }
        )

    def plot(self, metric: str = "pai", ax: Any = None) -> Any:
        """Mean of ``metric`` by coverage for each method, with its 10–90 % band.

        Print-legible: distinct line styles and markers (readable in greyscale),
        percent coverage on the x axis.

        Parameters
        ----------
        metric
            A column of :attr:`table`.
        ax
            Matplotlib axes; a new figure when None.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        summ = self.summary(metric).reset_index()
        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 4.2))
        styles = ["-", "--", "-.", ":"]
        markers = ["o", "s", "^", "D", "v", "P", "X"]
        for i, (method, part) in enumerate(summ.groupby("method", sort=False)):
            x = part["coverage"].to_numpy() * 100
            (line,) = ax.plot(
                x,
                part["mean"],
                linestyle=styles[i % len(styles)],
                marker=markers[i % len(markers)],
                linewidth=2,
                label=str(method),
                color="0.5" if method == "random" else None,
            )
            ax.fill_between(x, part["q10"], part["q90"], color=line.get_color(), alpha=0.15)
        label = {"hit_rate": "hit rate", "pai": "PAI", "pei": "PEI", "pei_star": "PEI*"}
        ax.set_xlabel("area flagged (% of study area)", fontsize=11)
        ax.set_ylabel(f"{label.get(metric, metric.upper())} (mean, 10–90 % band)", fontsize=11)
        n = int(self.table["origin"].nunique())
        ax.set_title(f"Forecast skill over {n} rolling origins", fontsize=12)
        ax.tick_params(labelsize=10)
        ax.grid(True, color="0.85", linewidth=0.8)
        ax.legend(frameon=False, fontsize=10)
        return ax


def _check_metric(table: pd.DataFrame, metric: str) -> None:
    if metric not in _METRICS:
        msg = f"`metric` must be one of {_METRICS}, got {metric!r}."
        raise InvalidInputError(msg)


def _unit_positions(xy: np.ndarray, units: gpd.GeoDataFrame) -> np.ndarray:
    """Position (0..len(units)-1) of the unit holding each incident, -1 if none."""
    spec = grid_spec_of(units)
    if spec is not None:
        row, col, inside = spec.cell_of(xy[:, 0], xy[:, 1])
        lut = np.full(spec.n_cells, -1, dtype=np.int64)
        flat_units = units["row"].to_numpy(np.int64) * spec.nx + units["col"].to_numpy(np.int64)
        lut[flat_units] = np.arange(len(units))
        pos = lut[row * spec.nx + col]
        return np.where(inside, pos, -1)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=units.crs)
    polys = gpd.GeoDataFrame(geometry=units.geometry.reset_index(drop=True), crs=units.crs)
    joined = gpd.sjoin(pts, polys, predicate="intersects", how="inner")
    joined = joined[~joined.index.duplicated(keep="first")]
    pos = np.full(len(xy), -1, dtype=np.int64)
    pos[joined.index.to_numpy()] = joined["index_right"].to_numpy()
    return pos


def _origins(t_min: pd.Timestamp, t_max: pd.Timestamp, train, test, step, start, end):
    first = pd.Timestamp(start) if start is not None else (t_min + train).ceil("D")
    last = pd.Timestamp(end) if end is not None else t_max
    if first.tzinfo is None and t_min.tzinfo is not None:
        first = first.tz_localize(t_min.tzinfo)
    if last.tzinfo is None and t_min.tzinfo is not None:
        last = last.tz_localize(t_min.tzinfo)
    origins = []
    origin = first
    while origin + test <= last + pd.Timedelta(microseconds=1):
        origins.append(origin)
        origin = origin + step
    return origins


def backtest(
    incidents: gpd.GeoDataFrame,
    forecasters: Mapping[str, BaseEstimator],
    units: gpd.GeoDataFrame,
    *,
    train: str | pd.Timedelta = "365D",
    test: str | pd.Timedelta = "28D",
    step: str | pd.Timedelta = "28D",
    coverage: Sequence[float] = (0.01, 0.02, 0.05, 0.1),
    start: Any = None,
    end: Any = None,
    random_state: int | np.random.Generator | None = None,
) -> BacktestResult:
    """Rolling-origin evaluation of forecasters on the same units.

    For each origin ``o`` (from ``start``, every ``step``, while ``o + test``
    is within the data), every forecaster (a clone) is fitted on the incidents
    in ``[o − train, o)`` with ``cutoff=o`` and predicts ``units``; the
    incidents in ``[o, o + test)`` are counted per unit and scored with
    :mod:`hotspot.assess.metrics` at each coverage. A ``"random"`` method (a seeded
    uniform random ranking per origin) gives the floor (PAI ≈ 1). RRI is the
    Levine definition with the training-window counts as baseline.

    Parameters
    ----------
    incidents
        Canonical incidents (points, projected CRS in metres, ``occurred_at``);
        incidents without a time are not used.
    forecasters
        ``{name: estimator}``; estimators are cloned, never modified.
    units
        Polygon units (a square grid uses the fast paths); areas from
        ``units.area``.
    train, test, step
        Training window, test window and step between origins (``"365D"``...).
    coverage
        Area shares at which the metrics are computed.
    start, end
        First origin (default: first incident + ``train``, rounded up to a
        day) and end of the data to use (default: last incident).
    random_state
        Seed of the random baseline.

    Returns
    -------
    BacktestResult
        ``.table`` (origin, method, coverage, hit_rate, pai, pei, pei_star,
        rri, n_test, n_train), ``.stability`` and ``.plot(metric)``. Origins
        whose test window has no incident have NaN metrics (one warning).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspot._core.grid import GridSpec, grid_frame
    >>> from hotspot.assess.backtesting import backtest
    >>> from hotspot.assess.forecast import NaiveCount
    >>> rng = np.random.default_rng(0)
    >>> n = 400
    >>> xy = np.where(rng.random((n, 1)) < 0.5, rng.normal(250, 30, (n, 2)),
    ...               rng.uniform(0, 1000, (n, 2)))
    >>> when = pd.Timestamp("2020-01-01", tz="UTC") + pd.to_timedelta(rng.uniform(0, 200, n), "D")
    >>> inc = gpd.GeoDataFrame({"occurred_at": when},
    ...                        geometry=gpd.points_from_xy(*xy.T), crs=32616)
    >>> cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 10, 10), 32616)
    >>> res = backtest(inc, {"naive": NaiveCount()}, cells, train="90D", test="28D",
    ...                step="28D", coverage=(0.05,), random_state=0)
    >>> sorted(res.table["method"].unique())
    ['naive', 'random']
    >>> bool(res.summary("pai").loc[("naive", 0.05), "mean"] > 3)
    True
    """
    _check_inputs(incidents, forecasters, units)
    train_td, test_td, step_td = (pd.Timedelta(v) for v in (train, test, step))
    covs = [float(c) for c in coverage]
    inc = _timed_incidents(incidents)
    t = inc["occurred_at"]
    pos = _unit_positions(point_coords(inc), units)
    area = units.area.to_numpy(dtype=float)
    rng = np.random.default_rng(random_state)
    # the one data period: a few stray dates do not add years of empty origins
    first, last = data_period(t) if t.notna().sum() > 1 else (t.min(), t.max())
    origins = _origins(first, last, train_td, test_td, step_td, start, end)
    if not origins:
        msg = (
            f"no origin fits: the data span {t.min()} – {t.max()} is shorter than "
            f"train + test ({train_td} + {test_td}); shorten the windows or give `start`."
        )
        raise InvalidInputError(msg)

    rows: list[dict[str, Any]] = []
    stab: list[dict[str, Any]] = []
    flagged: dict[tuple[str, float], np.ndarray] = {}
    n_empty = 0
    for origin in origins:
        in_train = ((t >= origin - train_td) & (t < origin)).to_numpy()
        in_test = ((t >= origin) & (t < origin + test_td)).to_numpy()
        observed = _bincount(pos[in_test], len(units))
        baseline = _bincount(pos[in_train], len(units))
        n_empty += int(observed.sum() == 0)
        scores = _forecast(forecasters, inc.loc[in_train], origin, units, rng)
        for method, score in scores.items():
            for c, w, row in _score_method(score, observed, baseline, area, covs):
                rows.append({"origin": origin, "method": method, **row})
                if (method, c) in flagged:
                    jac = _weighted_jaccard(flagged[(method, c)], w)
                    stab.append({"origin": origin, "method": method, "coverage": c, "jaccard": jac})
                flagged[(method, c)] = w
    if n_empty:
        warn_user(
            f"{n_empty} of {len(origins)} test windows have no incident: their metrics are NaN.",
            DataQualityWarning,
        )
    table = pd.DataFrame(rows)
    stability = pd.DataFrame(stab, columns=["origin", "method", "coverage", "jaccard"])
    params = {
        "train": str(train_td),
        "test": str(test_td),
        "step": str(step_td),
        "coverage": covs,
        "start": str(origins[0]),
        "n_origins": len(origins),
        "random_state": random_state if isinstance(random_state, int | None) else "Generator",
        "forecasters": {name: repr(est) for name, est in forecasters.items()},
    }
    attach(table, "backtest", params)
    return BacktestResult(table=table, stability=stability, params=params)


def _check_inputs(
    incidents: gpd.GeoDataFrame, forecasters: Mapping[str, BaseEstimator], units: Any
) -> None:
    if not isinstance(units, gpd.GeoDataFrame):
        msg = "`units` must be a GeoDataFrame of polygons (e.g. `hs.grid(...)`)."
        raise InputTypeError(msg)
    check_projected(incidents, "incidents")
    check_projected(units, "units")
    check_same_crs(incidents, units, "incidents", "units")
    if "occurred_at" not in incidents.columns:
        msg = "`incidents` has no `occurred_at` column; a backtest needs incident times."
        raise InvalidInputError(msg)
    if not forecasters:
        msg = "`forecasters` is empty; pass e.g. {'naive': NaiveCount()}."
        raise InvalidInputError(msg)
    if "random" in forecasters:
        msg = "the name 'random' is reserved for the random baseline; rename that forecaster."
        raise InvalidInputError(msg)


def _timed_incidents(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep the incidents with a known ``occurred_at``; warn about the others."""
    known = incidents["occurred_at"].notna().to_numpy()
    if not known.all():
        warn_user(
            f"{int((~known).sum())} incidents have no `occurred_at` and are not used.",
            DataQualityWarning,
        )
    return incidents.loc[known]


def _forecast(
    forecasters: Mapping[str, BaseEstimator],
    train: gpd.GeoDataFrame,
    origin: pd.Timestamp,
    units: gpd.GeoDataFrame,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Score per unit of every forecaster (a clone fitted at ``origin``) and of chance."""
    scores = {
        name: np.asarray(clone(est).fit(train, cutoff=origin).predict(units), dtype=float)
        for name, est in forecasters.items()
    }
    scores["random"] = rng.random(len(units))
    return scores


def _score_method(
    scores: np.ndarray,
    observed: np.ndarray,
    baseline: np.ndarray,
    area: np.ndarray,
    coverages: Sequence[float],
) -> list[tuple[float, np.ndarray, dict[str, Any]]]:
    """Metrics of one ranking at each coverage: ``(coverage, flag weights, row)``."""
    inp, _ = _inputs(scores, observed, area, baseline)
    ranking = _Ranking(inp.scores, inp.area)
    oracle = _Ranking(inp.observed / inp.area, inp.area)
    out = []
    for c in coverages:
        w = ranking.weights(c * float(area.sum()))
        s = _compute(inp, w, warn=False, oracle=oracle)
        row = {
            "coverage": c,
            "hit_rate": s.hit_rate,
            "pai": s.pai,
            "pei": s.pei,
            "pei_star": s.pei_star,
            "rri": s.rri,
            "n_test": int(observed.sum()),
            "n_train": int(baseline.sum()),
        }
        out.append((c, w, row))
    return out


def _weighted_jaccard(previous: np.ndarray, current: np.ndarray) -> float:
    """``Σ min(w1, w2) / Σ max(w1, w2)`` of two flag-weight vectors (NaN if both empty)."""
    union = float(np.maximum(previous, current).sum())
    return float(np.minimum(previous, current).sum()) / union if union > 0 else np.nan


def _bincount(pos: np.ndarray, n: int) -> np.ndarray:
    pos = pos[pos >= 0]
    return np.bincount(pos, minlength=n).astype(float)
