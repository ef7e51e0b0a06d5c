"""Change between two periods (SARA: Analysis, and Assessment of a response).

:func:`hotspot_change` compares the counts of every unit in two periods with an
exact conditional test of two Poisson rates (:func:`poisson_rate_test`) and an FDR
correction, and classes each unit as a significant increase, a significant
decrease, no significant change or no incidents.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats

from hotspot._core.errors import warn_user
from hotspot._core.meta import attach
from hotspot._core.time import local_period, series_tz
from hotspot.analyse._incident_times import _check_incidents, _usable_times
from hotspot.analyse.emerging import _check_units, _local_naive, _naive, _unit_positions
from hotspot.exceptions import DataQualityWarning, InvalidInputError
from hotspot.scan.stats import adjust_pvalues

__all__ = ["hotspot_change", "poisson_rate_test"]


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
    >>> from hotspot.analyse.change import poisson_rate_test
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
# Change between two periods
# ---------------------------------------------------------------------------

_CHANGE_CLASSES = [
    "significant increase",
    "significant decrease",
    "no significant change",
    "no incidents",
]


def _period(value: Any, name: str, tz: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``(start, end)`` as naive local clock times, like :func:`_local_naive` times."""
    a, b = local_period(value, tz, name)
    return _naive(a), _naive(b)


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
            warn_user(msg, DataQualityWarning)


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
    >>> from hotspot._core.grid import GridSpec, grid_frame
    >>> from hotspot.analyse.change import hotspot_change
    >>> cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 2, 1), "EPSG:32616")
    >>> times = ["2012-01-02"] * 2 + ["2013-03-01"] * 28 + ["2013-12-31"] * 2 + ["2012-05-01"] * 5
    >>> pts = gpd.GeoDataFrame({"occurred_at": pd.to_datetime(times)},
    ...     geometry=gpd.points_from_xy([50] * 32 + [150] * 5, [50] * 37), crs=32616)
    >>> out = hotspot_change(pts, cells, before=("2012-01-01", "2013-01-01"),
    ...                      after=("2013-01-01", "2014-01-01"))
    >>> out["change_class"].tolist()
    ['significant increase', 'no significant change']
    """
    _check_incidents(incidents)
    _check_units(units, incidents)
    tz = series_tz(incidents["occurred_at"])
    b0, b1 = _period(before, "before", tz)
    a0, a1 = _period(after, "after", tz)
    if b0 < a1 and a0 < b1:
        msg = f"`before` {before} and `after` {after} overlap; give disjoint periods."
        raise InvalidInputError(msg)
    keep, excluded = _usable_times(incidents, step="hotspot_change", drop_month_only=False)
    local = _local_naive(incidents["occurred_at"]).to_numpy()
    _check_periods_covered(local[keep], {"before": (b0, b1), "after": (a0, a1)})
    in_b = keep & (local >= b0.to_datetime64()) & (local < b1.to_datetime64())
    in_a = keep & (local >= a0.to_datetime64()) & (local < a1.to_datetime64())
    pos = _unit_positions(incidents, units)
    outside = int(((in_b | in_a) & (pos < 0)).sum())
    k1 = np.bincount(pos[in_b & (pos >= 0)], minlength=len(units))
    k2 = np.bincount(pos[in_a & (pos >= 0)], minlength=len(units))
    d1 = (b1 - b0) / pd.Timedelta(days=1)
    d2 = (a1 - a0) / pd.Timedelta(days=1)
    out, cls = _change_per_unit(units, k1, k2, d1, d2, correction=correction, alpha=alpha)
    overall = _overall_change(int(k1.sum()), int(k2.sum()), d1, d2)
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


def _change_per_unit(
    units: gpd.GeoDataFrame,
    k1: np.ndarray,
    k2: np.ndarray,
    d1: float,
    d2: float,
    *,
    correction: str | None,
    alpha: float,
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Add counts, change, rate test and change class of every unit to a copy of ``units``."""
    n_units = len(units)
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
    return out, cls


def _overall_change(n1: int, n2: int, d1: float, d2: float) -> dict[str, float]:
    """Compare the two periods over all units together."""
    return {
        "n_before": n1,
        "n_after": n2,
        "change": n2 - n1,
        "pct_change": 100.0 * (n2 - n1) / n1 if n1 else float("nan"),
        "rate_ratio": (n2 / d2) / (n1 / d1) if n1 else float("nan"),
        "p_value": float(poisson_rate_test(np.array([n1]), np.array([n2]), d1, d2)[0]),
        "days_before": d1,
        "days_after": d2,
    }
