"""Hotspot forecasters (scikit-learn estimators).

Forecasters
-----------
Every forecaster follows the scikit-learn estimator contract: parameters are
stored unchanged by ``__init__`` (keyword-only), ``fit(incidents, y=None, *,
cutoff=None)`` learns from past incidents and returns ``self``, fitted
attributes end in ``_`` (``cutoff_``, ``n_incidents_``, ``crs_``, ...), and
``predict(units)`` returns a risk score per unit (higher = riskier):

* ``units`` a GeoDataFrame (or GeoSeries) → a :class:`pandas.Series` named
  ``"score"`` aligned with ``units.index``;
* ``units`` an ``(m, 2)`` array of x/y in metres → an ``(m,)`` array (the
  score at those locations), so array-based scikit-learn checks can run.

``fit`` takes a canonical incidents GeoDataFrame (points in a projected CRS in
metres, ``occurred_at`` tz-aware) or an ``(n, 2)`` / ``(n, 3)`` array of x, y
and (third column) time in days. ``cutoff`` is the time the forecast is made
("now"): incidents after it are ignored and ages are measured from it, as in
open_cp's ``predict(cutoff_time, predict_time)`` with both equal; by default it
is the latest incident time.

======================  ====================================================  =============
forecaster              score                                                 uses time
======================  ====================================================  =============
``NaiveCount``          incidents per unit                                    no
``RecentKDE``           KDE (quartic by default) of recent incidents,         only with
                        incidents per km²                                     ``window``
``SpaceTimeKDE``        KDE with each incident weighted by exp(−age/decay),   yes
                        incidents per km²
``ProspectiveHotspot``  sum of Bowers, Johnson & Pease (2004) weights         yes
                        1 / ((1 + d)(1 + t))
======================  ====================================================  =============

Speed: on a square-grid units frame (made by :func:`hotspot.units.build.grid` /
:func:`hotspot._core.grid.grid_frame`), every forecaster bins the incidents once
(time weights applied per incident, so no space-time cube is built) and does
one FFT convolution (:func:`hotspot.scan.density.kde_grid` for the KDEs; a
``scipy.signal.fftconvolve`` with the prospective stencil). The grid is padded
by the kernel's reach so incidents just outside the units still count.

Other units (polygons such as beats, or points): the KDEs are evaluated
exactly at each unit's representative point with
:func:`hotspot.scan.density.kde_points` (or, with ``cell_size`` set, on an internal
grid of that size and read at the point); :class:`NaiveCount` counts the
incidents inside each polygon; :class:`ProspectiveHotspot` is computed on its
own grid of ``cell_size`` and read at each unit's representative point. For
large polygons a point value may not represent the whole unit: prefer a grid.

:func:`hotspot.assess.backtesting.backtest` compares forecasters on rolling
origins.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import signal
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from hotspot._core.deprecation import renamed_arguments
from hotspot._core.errors import warn_user
from hotspot._core.grid import GridSpec, bin_points, grid_spec_of
from hotspot._core.time import series_tz, to_local
from hotspot._core.validation import (
    check_points,
    check_positive,
    check_projected,
    check_same_crs,
    point_coords,
)
from hotspot.exceptions import DataQualityWarning, InvalidInputError
from hotspot.scan import density

__all__ = [
    "NaiveCount",
    "ProspectiveHotspot",
    "RecentKDE",
    "SpaceTimeKDE",
]

_METRICS = ("chebyshev", "manhattan", "euclidean")


# ----------------------------------------------------------------------------- time helpers


def _days(value: Any) -> float:
    """Convert a duration ("7D", a pd.Timedelta, or a number of days) to days."""
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        days = float(value)
    else:
        try:
            days = pd.Timedelta(value) / pd.Timedelta(days=1)
        except (TypeError, ValueError) as exc:
            msg = f"expected a duration such as '7D' or a number of days, got {value!r}."
            raise InvalidInputError(msg) from exc
    if not (math.isfinite(days) and days > 0):
        msg = f"durations must be positive, got {value!r}."
        raise InvalidInputError(msg)
    return days


# ----------------------------------------------------------------------------- training data


@dataclass(frozen=True)
class _Training:
    xy: np.ndarray
    times: pd.Series | None  # datetimes, or float days for array input
    datetime: bool
    crs: Any


def _cutoff(cutoff: Any, times: pd.Series, datetime: bool) -> Any:
    """Forecast time: ``cutoff`` (in the incidents' time zone) or the latest time."""
    if cutoff is None:
        return times.max() if len(times) else None
    if not datetime:
        return float(cutoff)
    return to_local(cutoff, series_tz(times), "cutoff")


def _training(data: Any) -> _Training:
    if isinstance(data, gpd.GeoDataFrame | gpd.GeoSeries):
        check_projected(data, "incidents")
        frame = data if isinstance(data, gpd.GeoDataFrame) else gpd.GeoDataFrame(geometry=data)
        if len(frame):
            check_points(frame, "incidents")
        xy = point_coords(frame) if len(frame) else np.zeros((0, 2))
        times = None
        if isinstance(data, gpd.GeoDataFrame) and "occurred_at" in data.columns:
            times = data["occurred_at"].reset_index(drop=True)
            if not pd.api.types.is_datetime64_any_dtype(times):
                msg = (
                    "`occurred_at` must be a datetime column (tz-aware); read incidents "
                    "with `hs.read_incidents(...)` or convert with `pd.to_datetime(...)`."
                )
                raise InvalidInputError(msg)
        return _Training(xy, times, True, data.crs)
    arr = np.asarray(data, dtype=float)
    if arr.ndim != 2 or arr.shape[1] not in (2, 3):
        msg = (
            "`incidents` must be a point GeoDataFrame (projected, metres, with "
            f"`occurred_at`) or an (n, 2)/(n, 3) array of x, y[, days]; got shape {arr.shape}."
        )
        raise InvalidInputError(msg)
    if not np.all(np.isfinite(arr[:, :2])):
        msg = "incident coordinates must be finite (drop rows with missing x/y)."
        raise InvalidInputError(msg)
    days = pd.Series(arr[:, 2].copy()) if arr.shape[1] == 3 else None
    return _Training(arr[:, :2].copy(), days, False, None)


def _eval_points(units: Any) -> np.ndarray:
    if isinstance(units, gpd.GeoDataFrame | gpd.GeoSeries):
        geom = units.geometry if isinstance(units, gpd.GeoDataFrame) else units
        pts = geom.representative_point()  # a point's own location for point units
        return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    arr = np.asarray(units, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        msg = (
            "`units` must be a GeoDataFrame of units or an (m, 2) array of x/y in "
            f"metres; got shape {arr.shape}."
        )
        raise InvalidInputError(msg)
    return arr


# ----------------------------------------------------------------------------- grid helpers


def _padded(spec: GridSpec, pad: int) -> GridSpec:
    cs = spec.cell_size
    nx, ny = spec.nx + 2 * pad, spec.ny + 2 * pad
    return GridSpec(spec.x0 - pad * cs, spec.y0 - pad * cs, cs, nx, ny)


def _crop(raster: np.ndarray, pad: int) -> np.ndarray:
    if pad == 0:
        return raster
    return raster[pad:-pad, pad:-pad]


def _points_spec(pts: np.ndarray, cell_size: float, origin: tuple[float, float] = (0.0, 0.0)):
    """Grid of ``cell_size`` aligned on ``origin`` (multiples of cell_size) covering ``pts``."""
    x0 = origin[0] + math.floor((pts[:, 0].min() - origin[0]) / cell_size) * cell_size
    y0 = origin[1] + math.floor((pts[:, 1].min() - origin[1]) / cell_size) * cell_size
    nx = math.floor((pts[:, 0].max() - x0) / cell_size) + 1
    ny = math.floor((pts[:, 1].max() - y0) / cell_size) + 1
    return GridSpec(float(x0), float(y0), float(cell_size), int(nx), int(ny))


def _lookup(raster: np.ndarray, spec: GridSpec, pts: np.ndarray) -> np.ndarray:
    row, col, inside = spec.cell_of(pts[:, 0], pts[:, 1])
    return np.where(inside, raster[row, col], 0.0)


def _clean(raster: np.ndarray) -> np.ndarray:
    """Remove FFT round-off: relative 1e-10 noise, so exact ties stay ties."""
    peak = float(np.abs(raster).max()) if raster.size else 0.0
    if peak == 0.0:
        return np.zeros_like(raster)
    out = np.round(raster / peak, 10) * peak
    return np.where(out > 0, out, 0.0)


# ----------------------------------------------------------------------------- base class


class _Forecaster(BaseEstimator, ABC):
    """Shared fit/predict plumbing; subclasses implement ``_grid_scores``/``_point_scores``."""

    _needs_time = False

    def fit(self, incidents: Any, y: Any = None, *, cutoff: Any = None) -> _Forecaster:
        """Learn from past incidents.

        Parameters
        ----------
        incidents
            Point GeoDataFrame (projected CRS in metres; ``occurred_at`` for the
            forecasters that use time) or an ``(n, 2)`` / ``(n, 3)`` array of x,
            y[, time in days].
        y
            Ignored (scikit-learn convention).
        cutoff
            Time the forecast is made: incidents after it are ignored and ages
            are measured from it. Default: the latest incident time.

        Returns
        -------
        self
        """
        self._validate_params()
        data = _training(incidents)
        xy = data.xy
        use_time = self._needs_time or cutoff is not None or self._window_days() is not None
        cutoff_value: Any = None
        age = None
        if use_time:
            if data.times is None:
                msg = (
                    f"{type(self).__name__} needs incident times: give incidents an "
                    "`occurred_at` column (or a third array column, in days)."
                )
                raise InvalidInputError(msg)
            known = data.times.notna().to_numpy()
            if not known.all():
                warn_user(
                    f"{int((~known).sum())} incidents have no `occurred_at` (NaT) and are "
                    f"not used by {type(self).__name__}.",
                    DataQualityWarning,
                )
            times = data.times[known]
            xy = xy[known]
            cutoff_value = _cutoff(cutoff, times, data.datetime)
            if cutoff_value is not None:
                delta = cutoff_value - times
                age = (delta / pd.Timedelta(days=1) if data.datetime else delta).to_numpy(float)
                keep = age >= 0
                window = self._window_days()
                if window is not None:
                    keep &= age < window
                xy, age = xy[keep], age[keep]
            else:
                age = np.zeros(0)
        self.crs_ = data.crs
        self.n_incidents_ = len(xy)
        self.cutoff_ = cutoff_value
        self.xy_ = xy
        self.age_days_ = age
        return self

    # hooks ----------------------------------------------------------------
    def _validate_params(self) -> None:  # pragma: no cover - overridden
        pass

    def _window_days(self) -> float | None:
        return None

    def _weights(self) -> np.ndarray:
        return np.ones(len(self.xy_))

    # predict ----------------------------------------------------------------
    def predict(self, units: Any) -> pd.Series | np.ndarray:
        """Risk score per unit (higher = riskier).

        Parameters
        ----------
        units
            GeoDataFrame/GeoSeries of units in the CRS of the incidents (square
            grids made by :func:`hotspot._core.grid.grid_frame` use the FFT fast
            path), or an ``(m, 2)`` array of x/y in metres.

        Returns
        -------
        pandas.Series or numpy.ndarray
            A Series named ``"score"`` aligned with ``units.index`` for a
            GeoDataFrame/GeoSeries; an ``(m,)`` array for an array.
        """
        check_is_fitted(self, "xy_")
        if isinstance(units, gpd.GeoDataFrame | gpd.GeoSeries):
            check_projected(units, "units")
            if self.crs_ is not None:
                check_same_crs(_CRSHolder(self.crs_), units, "incidents", "units")
            spec = grid_spec_of(units) if isinstance(units, gpd.GeoDataFrame) else None
            if spec is not None:
                raster = self._grid_scores(spec)
                rows = units["row"].to_numpy(dtype=np.int64)
                cols = units["col"].to_numpy(dtype=np.int64)
                values = raster[rows, cols]
            else:
                values = self._unit_scores(units)
            return pd.Series(np.asarray(values, dtype=float), index=units.index, name="score")
        pts = _eval_points(units)
        if len(pts) == 0:
            return np.zeros(0)
        return np.asarray(self._point_scores(pts), dtype=float)

    def _unit_scores(self, units: Any) -> np.ndarray:
        return self._point_scores(_eval_points(units))

    @abstractmethod
    def _grid_scores(self, spec: GridSpec) -> np.ndarray:
        """Score every cell of ``spec`` (the grid fast path)."""

    @abstractmethod
    def _point_scores(self, pts: np.ndarray) -> np.ndarray:
        """Score arbitrary points (``(m, 2)`` metres)."""


@dataclass(frozen=True)
class _CRSHolder:
    crs: Any


# ----------------------------------------------------------------------------- NaiveCount


class NaiveCount(_Forecaster):
    """Incidents per unit in the training window: "last period's map".

    Parameters
    ----------
    cell_size
        Cell side in metres, used only when ``predict`` gets points or an array
        (the count of the square cell, aligned on multiples of ``cell_size``,
        that holds each point). Grid units use their own cells; polygon units
        count the incidents inside each polygon.

    Attributes
    ----------
    cutoff_ : pandas.Timestamp or float or None
        Forecast time (only set when ``cutoff`` was given to ``fit``).
    n_incidents_ : int
        Incidents used.
    xy_ : numpy.ndarray
        Their coordinates.

    Examples
    --------
    >>> from hotspot.assess.forecast import NaiveCount
    >>> xy = np.array([[10.0, 10.0], [20.0, 20.0], [160.0, 10.0]])
    >>> NaiveCount(cell_size=100.0).fit(xy).predict(np.array([[50.0, 50.0], [150.0, 50.0]]))
    array([2., 1.])
    """

    def __init__(self, *, cell_size: float = 150.0) -> None:
        self.cell_size = cell_size

    def _validate_params(self) -> None:
        check_positive(self.cell_size, "cell_size")

    def _grid_scores(self, spec: GridSpec) -> np.ndarray:
        counts, _ = bin_points(spec, self.xy_[:, 0], self.xy_[:, 1])
        return counts.astype(float)

    def _point_scores(self, pts: np.ndarray) -> np.ndarray:
        spec = _points_spec(pts, float(self.cell_size))
        return _lookup(self._grid_scores(spec), spec, pts)

    def _unit_scores(self, units: Any) -> np.ndarray:
        geom = units.geometry if isinstance(units, gpd.GeoDataFrame) else units
        if not geom.geom_type.isin(["Polygon", "MultiPolygon"]).all():
            return self._point_scores(_eval_points(units))
        pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*self.xy_.T), crs=units.crs)
        polys = gpd.GeoDataFrame(geometry=geom.reset_index(drop=True), crs=units.crs)
        joined = gpd.sjoin(pts, polys, predicate="intersects", how="inner")
        first = joined[~joined.index.duplicated(keep="first")]  # a point on a shared edge once
        return np.bincount(first["index_right"].to_numpy(), minlength=len(units)).astype(float)


# ----------------------------------------------------------------------------- KDEs


class _KDEMixin(_Forecaster):
    bandwidth: float
    kernel: str
    cell_size: float | None

    def _validate_params(self) -> None:
        check_positive(self.bandwidth, "bandwidth")
        density.check_kernel(self.kernel)
        if self.cell_size is not None:
            check_positive(self.cell_size, "cell_size")

    def _pad(self, cell_size: float) -> int:
        return math.ceil(density.support_radius(self.kernel) * self.bandwidth / cell_size) + 1

    def _grid_scores(self, spec: GridSpec) -> np.ndarray:
        pad = self._pad(spec.cell_size)
        big = _padded(spec, pad)
        counts, _ = density.linear_bin(big, self.xy_[:, 0], self.xy_[:, 1], self._weights())
        dens = density.kde_grid(counts, big.cell_size, float(self.bandwidth), self.kernel)
        return _clean(_crop(dens, pad)) * 1e6  # per km²

    def _point_scores(self, pts: np.ndarray) -> np.ndarray:
        if self.cell_size is not None:
            spec = _points_spec(pts, float(self.cell_size))
            return _lookup(self._grid_scores(spec), spec, pts)
        dens = density.kde_points(
            self.xy_, pts, float(self.bandwidth), self.kernel, weights=self._weights()
        )
        return dens * 1e6


class RecentKDE(_KDEMixin):
    """Retrospective kernel density of recent incidents (quartic by default).

    The classic analyst hotspot map used as a forecast (Chainey, Tompson & Uhlig
    2008); open_cp's ``RetroHotSpot`` with ``Quartic(bandwidth=200)``.

    Parameters
    ----------
    bandwidth
        Kernel bandwidth in metres (search radius for the compact kernels).
    kernel
        One of :data:`hotspot.scan.density.KERNELS`.
    cell_size
        None: grid units use their own cells, other units are evaluated exactly
        at their representative points. A number: other units are read from an
        internal grid of this size (faster for many units).
    window
        Only incidents in the last ``window`` before the cutoff (e.g. ``"90D"``);
        all training incidents when None.

    Attributes
    ----------
    cutoff_ : pandas.Timestamp or float or None
        Forecast time (set when time is used).
    n_incidents_ : int
        Incidents used.
    xy_ : numpy.ndarray
        Their coordinates.

    Examples
    --------
    >>> from hotspot.assess.forecast import RecentKDE
    >>> xy = np.array([[0.0, 0.0], [10.0, 0.0], [500.0, 0.0]])
    >>> RecentKDE(bandwidth=100.0).fit(xy).predict(np.array([[5.0, 0.0], [500.0, 0.0]])).round(1)
    array([190. ,  95.5])
    """

    def __init__(
        self,
        *,
        bandwidth: float = 200.0,
        kernel: str = "quartic",
        cell_size: float | None = None,
        window: str | float | None = None,
    ) -> None:
        self.bandwidth = bandwidth
        self.kernel = kernel
        self.cell_size = cell_size
        self.window = window

    def _window_days(self) -> float | None:
        return None if self.window is None else _days(self.window)


class SpaceTimeKDE(_KDEMixin):
    """Kernel density with exponential time decay: weight exp(−age / decay).

    Recent incidents count most; an incident ``decay`` old counts 1/e. As
    open_cp's space-time KDE with an ``ExponentialTimeKernel``.

    Parameters
    ----------
    bandwidth
        Kernel bandwidth in metres.
    kernel
        One of :data:`hotspot.scan.density.KERNELS`.
    decay
        Time scale of the exponential decay (e.g. ``"30D"`` or days).
    cell_size
        As in :class:`RecentKDE`.

    Attributes
    ----------
    cutoff_ : pandas.Timestamp or float
        Forecast time; ages are measured from it.
    age_days_ : numpy.ndarray
        Age of each incident used, in days.
    n_incidents_ : int
        Incidents used.

    Examples
    --------
    >>> from hotspot.assess.forecast import SpaceTimeKDE
    >>> X = np.array([[0.0, 0.0, 0.0], [1000.0, 0.0, 30.0]])  # x, y, day
    >>> est = SpaceTimeKDE(bandwidth=100.0, decay=30).fit(X)
    >>> s = est.predict(np.array([[0.0, 0.0], [1000.0, 0.0]]))
    >>> round(float(s[0] / s[1]), 4)  # the older incident counts exp(-1)
    0.3679
    """

    _needs_time = True

    def __init__(
        self,
        *,
        bandwidth: float = 200.0,
        kernel: str = "quartic",
        decay: str | float = "30D",
        cell_size: float | None = None,
    ) -> None:
        self.bandwidth = bandwidth
        self.kernel = kernel
        self.decay = decay
        self.cell_size = cell_size

    def _validate_params(self) -> None:
        super()._validate_params()
        _days(self.decay)

    def _weights(self) -> np.ndarray:
        return np.exp(-self.age_days_ / _days(self.decay))


# ----------------------------------------------------------------------------- prospective


class ProspectiveHotspot(_Forecaster):
    """Prospective hotspotting (Bowers, Johnson & Pease 2004), open_cp's classic grid method.

    Each past incident adds ``1 / ((1 + d)(1 + t))`` to every cell within
    ``d < space_bandwidth`` cells of its own cell and ``t < time_bandwidth``
    time units old, where ``d`` is the distance between the two cells in cells
    and ``t = floor(age / time_unit)``. Defaults are open_cp's
    ``ProspectiveHotSpot(grid_size=50, time_unit=1 week)`` with
    ``ClassicWeight`` (8 cells = 400 m, 8 weeks) and ``DistanceDiagonalsSame``
    (Chebyshev distance: diagonal neighbours are 1 apart). Computed by binning
    the time-weighted incidents and one FFT convolution with the space stencil
    (the weight is a product of a space and a time term), not a loop over
    cells × events; it equals open_cp's double loop up to round-off.

    Parameters
    ----------
    cell_size
        Cell side in metres (open_cp ``grid_size``).
    space_bandwidth
        Cells at distance ``>=`` this get no weight (open_cp: 400 / 50 = 8).
    time_bandwidth
        Incidents ``>=`` this many time units old get no weight (open_cp: 8).
    time_unit
        Length of a time unit (open_cp: one week, ``"7D"``).
    metric
        How the distance between cells is measured: ``"chebyshev"`` (open_cp
        ``DistanceDiagonalsSame``, default), ``"manhattan"``
        (``DistanceDiagonalsDifferent``) or ``"euclidean"`` (between cell centres,
        in cells). (Called ``distance`` before, a name that elsewhere is a length in
        metres; it still works for one release.)

    Attributes
    ----------
    cutoff_ : pandas.Timestamp or float
        Forecast time ("predict time"); ages are measured from it.
    age_days_ : numpy.ndarray
        Age of each incident used, in days.
    n_incidents_ : int
        Incidents used.

    Notes
    -----
    Grid units whose cell size is ``cell_size`` are scored cell by cell; if
    their cell size is an integer multiple of ``cell_size`` the prospective
    grid is computed on sub-cells aligned with the units and averaged; other
    units are read at their representative point.

    Examples
    --------
    >>> from hotspot.assess.forecast import ProspectiveHotspot
    >>> X = np.array([[25.0, 25.0, 0.0]])  # one incident at day 0, in cell (0, 0)
    >>> est = ProspectiveHotspot(cell_size=50.0).fit(X, cutoff=8.0)  # 8 days later: t = 1
    >>> est.predict(np.array([[25.0, 25.0], [75.0, 75.0], [425.0, 25.0]])).tolist()
    [0.5, 0.25, 0.0]
    """

    _needs_time = True

    @renamed_arguments(distance="metric")
    def __init__(
        self,
        *,
        cell_size: float = 50.0,
        space_bandwidth: int = 8,
        time_bandwidth: int = 8,
        time_unit: str | float = "7D",
        metric: str = "chebyshev",
    ) -> None:
        self.cell_size = cell_size
        self.space_bandwidth = space_bandwidth
        self.time_bandwidth = time_bandwidth
        self.time_unit = time_unit
        self.metric = metric

    def _validate_params(self) -> None:
        check_positive(self.cell_size, "cell_size")
        check_positive(self.space_bandwidth, "space_bandwidth")
        check_positive(self.time_bandwidth, "time_bandwidth")
        _days(self.time_unit)
        if self.metric not in _METRICS:
            msg = f"`metric` must be one of {_METRICS}, got {self.metric!r}."
            raise InvalidInputError(msg)

    def _weights(self) -> np.ndarray:
        t = np.floor(self.age_days_ / _days(self.time_unit) + 1e-9)
        return np.where(t < self.time_bandwidth, 1.0 / (1.0 + t), 0.0)

    def _reach(self) -> int:
        """Largest cell offset with a non-zero weight."""
        return max(0, math.ceil(self.space_bandwidth) - 1)

    def stencil(self) -> np.ndarray:
        """Space weights ``1 / (1 + d)`` on cell offsets, ``(2r + 1, 2r + 1)``.

        Returns
        -------
        numpy.ndarray
            The stencil; ``r = ceil(space_bandwidth) - 1``.

        Examples
        --------
        >>> from hotspot.assess.forecast import ProspectiveHotspot
        >>> ProspectiveHotspot(space_bandwidth=2).stencil().tolist()
        [[0.5, 0.5, 0.5], [0.5, 1.0, 0.5], [0.5, 0.5, 0.5]]
        """
        r = self._reach()
        off = np.arange(-r, r + 1, dtype=float)
        dy, dx = np.abs(off)[:, None], np.abs(off)[None, :]
        if self.metric == "chebyshev":
            d = np.maximum(dy, dx)
        elif self.metric == "manhattan":
            d = dy + dx
        else:
            d = np.hypot(dy, dx)
        return np.where(d < self.space_bandwidth, 1.0 / (1.0 + d), 0.0)

    def _raster(self, spec: GridSpec) -> np.ndarray:
        r = self._reach()
        big = _padded(spec, r)
        w = self._weights()
        keep = w > 0
        counts, _ = bin_points(big, self.xy_[keep, 0], self.xy_[keep, 1], w[keep])
        if not counts.any():
            return np.zeros(spec.shape)
        out = signal.fftconvolve(counts, self.stencil(), mode="same")
        return _clean(_crop(out, r))

    def _grid_scores(self, spec: GridSpec) -> np.ndarray:
        cs = float(self.cell_size)
        if math.isclose(spec.cell_size, cs):
            return self._raster(spec)
        k = spec.cell_size / cs
        if math.isclose(k, round(k)) and round(k) >= 1:
            k = round(k)
            fine = GridSpec(spec.x0, spec.y0, cs, spec.nx * k, spec.ny * k)
            return self._raster(fine).reshape(spec.ny, k, spec.nx, k).mean(axis=(1, 3))
        xs, ys = spec.centres()
        pts = np.column_stack([np.tile(xs, spec.ny), np.repeat(ys, spec.nx)])
        return self._point_scores(pts, origin=(spec.x0, spec.y0)).reshape(spec.shape)

    def _point_scores(self, pts: np.ndarray, origin: tuple[float, float] = (0.0, 0.0)):
        spec = _points_spec(pts, float(self.cell_size), origin)
        return _lookup(self._raster(spec), spec, pts)
