"""Response: expected crime at hotspots next period, allowing for regression to the mean.

Places picked because they had the most crime last period will, on average, have less
next period even if nothing is done: part of their high count was chance. Scaling past
counts forward therefore inflates what any response "prevents". :func:`expected_counts`
shrinks each hotspot's count towards the level of the study area with an empirical-Bayes
gamma-Poisson model (the negative binomial of crime counts at places):

* the study area is cut into square cells of side ``sqrt(median hotspot area)``; the
  counts of the cells that had at least one incident (the places where crime happens)
  give the mean ``m`` and variance ``v`` per cell, and a gamma prior of the cell rate
  with shape ``a = m**2 / (v - m)`` (method of moments; ``v <= m``: no overdispersion,
  shrinkage is total);
* a hotspot of ``k = area / cell area`` cells has prior shape ``k a`` and mean ``k m``
  (cells taken as independent); with ``y`` incidents observed its posterior rate over
  the observed period is Gamma(``k a + y``, rate ``a / m + 1``), whose mean
  ``(k a + y) m / (a + m)`` weighs the hotspot's own count by ``w = m / (a + m)``;
* the next-period count over ``horizon`` is the posterior predictive: a negative
  binomial with that gamma mixing, scaled by ``horizon / period``. Its quantiles give the
  interval.

The model expects the study area's level to stay as it was; a city-wide trend is not
forecast (see :mod:`hotspot.assess.forecast` for forecasters with trends).

References: Morris, C.N. (1983), Parametric empirical Bayes inference, JASA 78:47-55;
Hauer, E. (1997), Observational before-after studies in road safety (the empirical-Bayes
correction for regression to the mean at sites selected for high counts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats

from hotspot._core.meta import attach, note_choice
from hotspot._core.validation import check_incidents_and_hotspots, point_coords
from hotspot.exceptions import InvalidInputError
from hotspot.scan.areas import hotspot_membership

__all__ = ["EBPrior", "expected_counts", "fit_prior"]


@dataclass(frozen=True)
class EBPrior:
    """Gamma prior of incidents per cell over the observed period.

    Attributes
    ----------
    mean
        Mean incidents per occupied cell.
    shape
        Gamma shape (``inf``: no overdispersion).
    cell_area_km2
        Area of a cell, km2.
    n_cells
        Occupied cells the prior was fitted on.
    """

    mean: float
    shape: float
    cell_area_km2: float
    n_cells: int

    @property
    def weight(self) -> float:
        """Weight of a hotspot's own count in its expected count (0 = the area level)."""
        return self.mean / (self.mean + self.shape) if np.isfinite(self.shape) else 0.0


def fit_prior(incidents: gpd.GeoDataFrame, cell_area_km2: float) -> EBPrior:
    """Fit the gamma prior of incidents per cell (method of moments on occupied cells).

    Parameters
    ----------
    incidents
        Points in a projected CRS in metres.
    cell_area_km2
        Area of the square cells, km2.

    Returns
    -------
    EBPrior

    Examples
    --------
    >>> from hotspot.respond.baseline import fit_prior
    >>> rng = np.random.default_rng(0)
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(rng.uniform(0, 5000, 3000),
    ...                        rng.uniform(0, 5000, 3000)), crs=32616)
    >>> p = fit_prior(pts, 0.25)
    >>> round(p.mean), p.weight < 0.5
    (30, True)
    """
    if not np.isfinite(cell_area_km2) or cell_area_km2 <= 0:
        raise InvalidInputError(f"cell_area_km2 must be positive, got {cell_area_km2!r}")
    xy = point_coords(incidents)
    xy = xy[np.isfinite(xy).all(axis=1)]
    if len(xy) == 0:
        raise InvalidInputError("no incident with coordinates: cannot fit the area's level")
    side = math.sqrt(cell_area_km2) * 1000.0
    ij = np.floor((xy - xy.min(axis=0)) / side).astype(np.int64)
    key = ij[:, 0] * (int(ij[:, 1].max()) + 1) + ij[:, 1]
    counts = np.unique(key, return_counts=True)[1].astype(float)
    m = float(counts.mean())
    v = float(counts.var(ddof=1)) if len(counts) > 1 else m
    shape = m * m / (v - m) if v > m else np.inf
    return EBPrior(m, float(shape), float(cell_area_km2), len(counts))


def expected_counts(
    incidents: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    period_days: float,
    horizon_days: float = 365.0,
    alpha: float = 0.10,
    prior: EBPrior | None = None,
) -> pd.DataFrame:
    """Forecast incidents per hotspot over the next ``horizon_days``, shrunk to the area level.

    Parameters
    ----------
    incidents
        All incidents of the observed period (the whole study area, not only those in
        hotspots: they give the area's level).
    hotspots
        Hotspot polygons with ``hotspot_id`` (same projected CRS as ``incidents``).
    period_days
        Length of the observed period, days.
    horizon_days
        Length of the period to forecast, days.
    alpha
        The predictive interval covers ``1 - alpha`` (default 0.10: 90 %).
    prior
        A prior from :func:`fit_prior`; None fits one on ``incidents`` with cells of the
        median hotspot area.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``hotspot_id``: ``observed`` (incidents in the period), ``naive``
        (observed scaled to the horizon), ``expected`` (posterior mean over the
        horizon), ``expected_low``, ``expected_high`` (predictive interval),
        ``shrinkage`` (share of the naive count removed), ``shape``, ``rate``
        (posterior gamma of the rate over the observed period).
        ``attrs["hotspot"]["expected_counts"]`` holds the prior and its reasons.

    Raises
    ------
    InvalidInputError
        Non-positive periods, an ``alpha`` outside (0, 1), no incidents.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from hotspot.respond.baseline import expected_counts
    >>> rng = np.random.default_rng(1)
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(rng.uniform(0, 5000, 4000),
    ...                        rng.uniform(0, 5000, 4000)), crs=32616)
    >>> hot = gpd.GeoDataFrame({"hotspot_id": [1]}, geometry=[box(0, 0, 500, 500)],
    ...                        crs=32616)
    >>> e = expected_counts(pts, hot, period_days=365)
    >>> bool(e["expected_low"].iloc[0] <= e["expected"].iloc[0] <= e["expected_high"].iloc[0])
    True
    """
    check_incidents_and_hotspots(incidents, hotspots)
    for name, val in (("period_days", period_days), ("horizon_days", horizon_days)):
        if not np.isfinite(val) or val <= 0:
            raise InvalidInputError(f"{name} must be a positive number of days, got {val!r}")
    if not 0 < alpha < 1:
        raise InvalidInputError(f"alpha must be in (0, 1), got {alpha}")
    choices: dict[str, Any] = {}
    area = hotspots.geometry.area.to_numpy() / 1e6
    if prior is None:
        cell = float(np.median(area[area > 0])) if (area > 0).any() else 0.0225
        prior = fit_prior(incidents, cell)
        note_choice(choices, "prior_cell_area_km2", round(cell, 5),
                    "cells of the median hotspot area; prior fitted on cells with incidents")
    member = hotspot_membership(incidents, hotspots)
    ids = hotspots["hotspot_id"].to_numpy()
    y = member.value_counts().reindex(ids, fill_value=0).to_numpy(dtype=float)
    k = np.maximum(area / prior.cell_area_km2, 1e-9)
    scale = horizon_days / period_days
    if np.isfinite(prior.shape):
        shape = k * prior.shape + y
        rate = np.full(len(ids), prior.shape / prior.mean + 1.0)
    else:  # no overdispersion: every place has the area's rate
        shape = np.full(len(ids), np.inf)
        rate = np.full(len(ids), np.inf)
    with np.errstate(invalid="ignore"):
        mean_rate = np.where(np.isfinite(shape), shape / rate, k * prior.mean)
    expected = mean_rate * scale
    q = alpha / 2.0
    if np.isfinite(prior.shape):
        # predictive count over the horizon: NB(shape, p) with p = rate / (rate + scale)
        p = rate / (rate + scale)
        lo = stats.nbinom.ppf(q, shape, p)
        hi = stats.nbinom.ppf(1 - q, shape, p)
    else:
        lo = stats.poisson.ppf(q, expected)
        hi = stats.poisson.ppf(1 - q, expected)
    naive = y * scale
    out = pd.DataFrame(
        {
            "observed": y,
            "naive": naive,
            "expected": expected,
            "expected_low": lo,
            "expected_high": hi,
            "shrinkage": np.divide(naive - expected, naive, out=np.zeros(len(ids)),
                                   where=naive > 0),
            "shape": shape,
            "rate": rate,
        },
        index=pd.Index(ids, name="hotspot_id"),
    )
    params = {"period_days": float(period_days), "horizon_days": float(horizon_days),
              "alpha": alpha, "prior_mean_per_cell": prior.mean,
              "prior_shape_per_cell": prior.shape, "cell_area_km2": prior.cell_area_km2,
              "occupied_cells": prior.n_cells, "weight_of_own_count": prior.weight,
              "model": "empirical-Bayes gamma-Poisson (negative binomial) per cell"}
    return attach(out, "expected_counts", params, choices)
