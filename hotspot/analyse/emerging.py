"""Emergence: the space-time cube, hotspot classes and Emerging Hot Spot Analysis.

Change between two periods is in :mod:`hotspot.analyse.change`.

- :func:`classify_hotspots` - sfhotspot-style persistent / emerging / former /
  intermittent hot and cold spots (Chainey 2020; sfhotspot ``hotspot_classify``).
- :func:`emerging_hotspots` - ArcGIS-style Emerging Hot Spot Analysis: Gi* on
  the space-time cube, a Mann-Kendall trend per unit and the 17 categories
  (:func:`classify_emerging` is the array core, testable without Gi*).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse, stats

from hotspot._core.deprecation import renamed_arguments
from hotspot._core.errors import warn_user
from hotspot._core.meta import attach, note_choice
from hotspot._core.time import data_period, series_tz, to_local
from hotspot._core.validation import check_geodataframe, check_non_empty, check_same_crs
from hotspot._core.weights import weights_for_units
from hotspot.analyse._incident_times import _check_incidents, _usable_times
from hotspot.exceptions import DataQualityWarning, InvalidInputError
from hotspot.scan.stats import adjust_pvalues, gi_star_arrays
from hotspot.units.counting import assign_units

__all__ = [
    "EMERGING_CATEGORIES",
    "SpaceTimeCube",
    "classify_emerging",
    "classify_hotspots",
    "emerging_hotspots",
    "mann_kendall",
    "space_time_cube",
]


# ---------------------------------------------------------------------------
# Statistics core: Mann-Kendall
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
    >>> from hotspot.analyse.emerging import mann_kendall
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


# ---------------------------------------------------------------------------
# Units, periods and the space-time cube
# ---------------------------------------------------------------------------


def _check_units(units: Any, incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    check_geodataframe(units, "units")
    check_non_empty(units, "units")
    check_same_crs(incidents, units, "incidents", "units")
    if not units.index.is_unique:
        msg = "`units` must have a unique index (`unit_id`); use `units.reset_index()`."
        raise InvalidInputError(msg)
    return units


def _unit_positions(incidents: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> np.ndarray:
    """Position (row number) in ``units`` of each incident's unit, -1 when outside."""
    ids = assign_units(incidents, units)
    if ids.dtype == object:
        pos = units.index.get_indexer(pd.Index(ids, dtype=object))
    else:
        pos = np.where(ids >= 0, units.index.get_indexer(ids), -1) if ids.size else ids
    return np.asarray(pos, dtype=np.int64)


def _naive(ts: pd.Timestamp) -> pd.Timestamp:
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def _local_naive(series: pd.Series) -> pd.Series:
    s = pd.to_datetime(series)
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)  # local wall-clock time
    return s


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
    >>> from hotspot._core.grid import GridSpec, grid_frame
    >>> from hotspot.analyse.emerging import space_time_cube
    >>> cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 2, 1), "EPSG:32616")
    >>> pts = gpd.GeoDataFrame(
    ...     {"occurred_at": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-03-09"])},
    ...     geometry=gpd.points_from_xy([50, 150, 150], [50, 50, 50]), crs=32616)
    >>> space_time_cube(pts, cells, freq="M").counts.tolist()
    [[1, 0, 0], [0, 0, 2]]
    """
    cube, _ = _build_cube(incidents, units, freq=freq, start=start, end=end, step="space_time_cube")
    return cube


CUBE_MAX_CELLS = 50_000_000
"""Largest units x time steps a space-time cube may have (400 MB of int64 counts;
emerging-hotspot analysis makes a few float arrays of that size)."""


def _check_cube_size(n_units: int, n_steps: int, freq: str, first: Any, last: Any,
                     step: str) -> None:
    """Raise a clear error instead of allocating a cube beyond :data:`CUBE_MAX_CELLS`."""
    size = n_units * n_steps
    if size <= CUBE_MAX_CELLS:
        return
    gib = size * 8 / 2**30
    msg = (
        f"{step}: {n_units:,} units x {n_steps:,} time steps ({freq!r}, {first} to {last}) "
        f"would need {gib:,.1f} GiB, above the bound of {CUBE_MAX_CELLS:,} cells. Pass "
        "start=/end= (or read the incidents with read_incidents(..., period=(start, end))) "
        "to keep the period you study, a coarser freq=, or larger units."
    )
    raise InvalidInputError(msg)


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
    tz = series_tz(incidents["occurred_at"])
    first = pd.Period(_naive(to_local(start, tz, "start")), freq) if start is not None else None
    last = pd.Period(_naive(to_local(end, tz, "end")), freq) if end is not None else None
    valid = per[keep]
    if valid.empty:
        msg = f"{step}: no incident has a usable `occurred_at`."
        raise InvalidInputError(msg)
    if first is None or last is None:
        # the default span is the one robust data period (a few stray dates, e.g. a
        # record from 1966 in a 2021 export, are outside it and excluded)
        lo, hi = (_naive(t) for t in data_period(local[keep]))
        first = pd.Period(lo, freq) if first is None else first
        last = pd.Period(hi, freq) if last is None else last
    periods = pd.period_range(first, last, freq=freq)
    _check_cube_size(len(units), len(periods), freq, first, last, step)
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
        warn_user(
            f"{step}: {excluded['outside_units']} incidents fall outside every unit and "
            "are not counted.",
            DataQualityWarning,
        )
    n_units, n_steps = len(units), len(periods)
    flat = pos[inside] * n_steps + t_idx[inside]
    counts = np.bincount(flat, minlength=n_units * n_steps).reshape(n_units, n_steps)
    return SpaceTimeCube(counts, periods, units.index.copy()), excluded


# ---------------------------------------------------------------------------
# Gi* on the cube
# ---------------------------------------------------------------------------


def _spatial_weights(units: gpd.GeoDataFrame, neighbors: Any) -> tuple[sparse.csr_array, str]:
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
    "persistent hot spot",
    "emerging hot spot",
    "former hot spot",
    "intermittent hot spot",
    "persistent cold spot",
    "emerging cold spot",
    "former cold spot",
    "intermittent cold spot",
    "mixed hot/cold spot",
    "no pattern detected",
]  # spelled as emerging_hotspots' categories (ESRI / sfdep): "hot spot", "cold spot"


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


@renamed_arguments(critical_p="alpha")
def classify_hotspots(
    incidents: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    *,
    freq: str = "M",
    neighbors: Any = "queen",
    hotspot_prop: float = 0.1,
    persistent_prop: float = 0.8,
    recent_prop: float = 0.2,
    alpha: float = 0.05,
    correction: str | None = "fdr_bh",
    start: Any = None,
    end: Any = None,
) -> gpd.GeoDataFrame:
    """Classify persistent, emerging, former and intermittent hot and cold spots (sfhotspot).

    Gi* is computed for each time step separately (spatial neighbours only); a
    unit is a significant hot (cold) spot in a step when its adjusted p-value is
    below ``alpha`` and z > 0 (z < 0). With ``T`` steps, the last
    ``r = floor(recent_prop * T)`` (at least 1) are *recent*. Per unit, with the
    share of significant steps overall (``prop``), in the recent steps
    (``recent``) and in the older steps (``older``), the first rule that holds:

    1. persistent: ``prop >= persistent_prop``;
    2. emerging: ``older < hotspot_prop`` and ``recent >= recent_prop``;
    3. former: ``older >= hotspot_prop`` and ``recent < hotspot_prop``;
    4. intermittent: ``prop >= hotspot_prop``;
    5. otherwise no pattern detected.

    A unit with both a hot and a cold class is "mixed hot/cold spot". The
    categories are spelled as those of :func:`emerging_hotspots` ("hot spot",
    "cold spot", "no pattern detected"); sfhotspot writes "hotspot", "coldspot"
    and "no pattern".

    Parameters
    ----------
    incidents
        Canonical incidents (points in metres, ``occurred_at``).
    units
        Analysis units in the incidents' CRS (a grid from ``hs.grid`` is usual).
    freq
        Time step as a pandas period alias (``"M"``, ``"Q"``, ``"W"``...).
    neighbors
        Spatial neighbours (see :func:`hotspot._core.weights.weights_for_units`);
        queen contiguity by default, as sfhotspot's ``nb_dist = cell_size * sqrt(2)``.
    hotspot_prop, persistent_prop, recent_prop
        As ``sfhotspot::hotspot_classify_params()`` (after Chainey 2020).
    alpha
        Significance level of Gi* in each step (sfhotspot's ``critical_p``;
        the old name ``critical_p`` still works for one release).
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
    >>> from hotspot._core.grid import GridSpec, grid_frame
    >>> from hotspot.analyse.emerging import classify_hotspots
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
    'persistent hot spot'
    """
    _check_shares(
        hotspot_prop=hotspot_prop,
        persistent_prop=persistent_prop,
        recent_prop=recent_prop,
        alpha=alpha,
    )
    cube, excluded = _build_cube(
        incidents, units, freq=freq, start=start, end=end, step="classify_hotspots"
    )
    w, w_text = _spatial_weights(units, neighbors)
    choices: dict[str, Any] = {}
    note_choice(choices, "neighbors", w_text, f"from neighbors={neighbors!r}")
    steps = _steps_with_incidents(cube.counts)
    recent = _recent_steps(steps.size, recent_prop, choices)
    hot, cold = _significant_each_step(cube.counts[:, steps], w, correction, alpha)
    args = (recent, hotspot_prop, persistent_prop, recent_prop)
    cat_h, prop_h, rec_h, old_h = _sfh_side(hot, *args)
    cat_c, prop_c, rec_c, old_c = _sfh_side(cold, *args)
    out = units.copy()
    out["hotspot_category"] = pd.Categorical(_sfh_labels(cat_h, cat_c), categories=_SFH_CATEGORIES)
    out["n_incidents"] = cube.counts.sum(axis=1)
    out["n_hot_steps"] = hot.sum(axis=1)
    out["n_cold_steps"] = cold.sum(axis=1)
    for side, arrays in (("hot", (prop_h, rec_h, old_h)), ("cold", (prop_c, rec_c, old_c))):
        for stem, arr in zip(("prop", "recent", "older"), arrays, strict=True):
            out[f"{stem}_{side}"] = arr
    params = {
        "freq": freq,
        "neighbors": str(neighbors),
        "hotspot_prop": hotspot_prop,
        "persistent_prop": persistent_prop,
        "recent_prop": recent_prop,
        "alpha": alpha,
        "correction": correction,
    }
    return attach(
        out,
        "classify_hotspots",
        params,
        choices,
        n_steps=int(steps.size),
        recent_steps=int(recent),
        periods=[str(p) for p in cube.periods[steps]],
        excluded=excluded,
    )


def _check_shares(**shares: float) -> None:
    for name, val in shares.items():
        if not 0 < val < 1:
            msg = f"`{name}` must be greater than 0 and less than 1, got {val!r}."
            raise InvalidInputError(msg)


def _steps_with_incidents(counts: np.ndarray) -> np.ndarray:
    """Return the time steps with incidents; warn about those left out."""
    empty = counts.sum(axis=0) == 0
    if empty.any():
        warn_user(
            f"classify_hotspots: {int(empty.sum())} time steps have no incidents and are "
            "left out of the classification (Gi* is undefined there).",
            DataQualityWarning,
        )
    return np.flatnonzero(~empty)


def _recent_steps(n_steps: int, recent_prop: float, choices: dict[str, Any]) -> int:
    """``floor(recent_prop * T)`` recent steps, at least 1, leaving at least one older step."""
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
    return recent


def _significant_each_step(
    counts: np.ndarray, w: Any, correction: str | None, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Significant hot and cold units ``(n_units, T)``: Gi* per step, adjusted once per step."""
    hot = np.zeros(counts.shape, dtype=bool)
    cold = np.zeros(counts.shape, dtype=bool)
    for t in range(counts.shape[1]):
        res = gi_star_arrays(counts[:, t].astype(float), w)
        sig = np.nan_to_num(adjust_pvalues(res.p_value, correction), nan=1.0) < alpha
        hot[:, t] = sig & (res.z > 0)
        cold[:, t] = sig & (res.z < 0)
    return hot, cold


def _sfh_labels(cat_hot: np.ndarray, cat_cold: np.ndarray) -> np.ndarray:
    """Category names from the hot and the cold class of each unit ("" = none)."""
    hot, cold = cat_hot != "", cat_cold != ""
    return np.where(
        hot & cold,
        "mixed hot/cold spot",
        np.where(
            hot,
            np.char.add(cat_hot.astype(str), " hot spot"),
            np.where(cold, np.char.add(cat_cold.astype(str), " cold spot"), "no pattern detected"),
        ),
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
    >>> from hotspot.analyse.emerging import classify_emerging
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
        Spatial neighbours (see :func:`hotspot._core.weights.weights_for_units`).
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
    >>> from hotspot._core.grid import GridSpec, grid_frame
    >>> from hotspot.analyse.emerging import emerging_hotspots
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
    if int(time_neighbors) < 0:
        msg = "`time_neighbors` must be 0 or a positive integer."
        raise InvalidInputError(msg)
    cube, excluded = _build_cube(
        incidents, units, freq=freq, start=start, end=end, step="emerging_hotspots"
    )
    return emerging_from_cube(
        cube, units, excluded=excluded, freq=freq, neighbors=neighbors,
        time_neighbors=time_neighbors, alpha=alpha, trend_alpha=trend_alpha,
        correction=correction, permutations=permutations, random_state=random_state,
        return_cube=return_cube,
    )


def emerging_from_cube(
    cube: SpaceTimeCube,
    units: gpd.GeoDataFrame,
    *,
    excluded: dict[str, int] | None = None,
    freq: str = "M",
    neighbors: Any = "queen",
    time_neighbors: int = 1,
    alpha: float = 0.05,
    trend_alpha: float | None = None,
    correction: str | None = "fdr_bh",
    permutations: int = 0,
    random_state: int | np.random.Generator | None = None,
    return_cube: bool = False,
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, SpaceTimeCube]:
    """Emerging Hot Spot Analysis of a ready space-time cube (see :func:`emerging_hotspots`).

    The step after counting: :func:`emerging_hotspots` builds the cube from incidents
    and calls this; :func:`hotspot.scale.emerging_hotspots` builds it on Dask.

    Parameters
    ----------
    cube
        Counts per unit (rows, in the order of ``units``) and time step.
    units
        The cube's units.
    excluded
        Incidents left out of the cube, by reason (stored in the metadata).
    freq, neighbors, time_neighbors, alpha, trend_alpha, correction, permutations
        As for :func:`emerging_hotspots`.
    random_state, return_cube
        As for :func:`emerging_hotspots`.

    Returns
    -------
    geopandas.GeoDataFrame or tuple
        As :func:`emerging_hotspots`.

    Examples
    --------
    >>> from hotspot._core.grid import GridSpec, grid_frame
    >>> cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 3, 3), "EPSG:32616")
    >>> counts = np.random.default_rng(0).poisson(3, size=(9, 12))
    >>> cube = SpaceTimeCube(counts, pd.period_range("2024-01", periods=12, freq="M"),
    ...                      cells.index)
    >>> out = emerging_from_cube(cube, cells)
    >>> int(out["n_incidents"].sum()) == int(counts.sum())
    True
    """
    excluded = dict(excluded or {})
    _warn_few_steps(cube.counts.shape[1])
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


def _warn_few_steps(n_steps: int) -> None:
    if n_steps < 10:
        warn_user(
            f"emerging_hotspots: only {n_steps} time steps; the Mann-Kendall trend and "
            "the 90 % rules need about 10 or more (ArcGIS requires 10).",
            DataQualityWarning,
        )
