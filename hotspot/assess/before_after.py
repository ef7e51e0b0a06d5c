"""Assessment: did the response work, and did crime move.

Statistics for a before/after comparison of a treated area with a control area and a
buffer (catchment) ring around the treated area:

* :func:`wdq` -- the Weighted Displacement Quotient of Bowers & Johnson (2003), with
  the gross, net and total net effect, exactly as given in Guerette's POP Tool Guide
  No. 10, Appendix B.
* :func:`wdd` -- the Weighted Displacement Difference test of Wheeler & Ratcliffe
  (2018), a Poisson difference-in-differences with its standard error, z and p-value.
* :func:`relative_effect_size` -- the Welsh & Farrington relative effect size (an odds
  ratio of before/after counts) with its log-normal confidence interval (Farrington,
  Gill, Waples & Argomaniz 2007).
* :func:`catchment` builds the buffer ring and :func:`before_after` counts incidents
  in the treated area, its ring, the control area and the control's ring in equal
  windows before and after the start date, runs the three statistics and plots the
  monthly series.

Notation (counts): ``R``/``T`` treated (response) area, ``D`` its buffer ring, ``C``
control area, ``Cd`` the control's buffer ring; ``b``/``0`` before, ``a``/``1`` after.

Counts are assumed Poisson. Crime counts are usually over-dispersed (Marchant, Baxter
& Barber 2006), so Poisson standard errors are too small: pass ``dispersion`` (the
variance-to-mean ratio, e.g. estimated from monthly counts) to inflate them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import stats

from hotspot._core.deprecation import renamed_arguments
from hotspot._core.errors import warn_user
from hotspot._core.meta import attach, note_choice
from hotspot._core.time import to_local
from hotspot._core.validation import (
    check_geodataframe,
    check_points,
    check_projected,
    check_same_crs,
    point_coords,
)
from hotspot.exceptions import DataQualityWarning, InvalidInputError

__all__ = [
    "BeforeAfter",
    "RESResult",
    "WDDResult",
    "WDQResult",
    "before_after",
    "catchment",
    "relative_effect_size",
    "wdd",
    "wdq",
]


# --------------------------------------------------------------------------- helpers


def _count(value: Any, name: str) -> float:
    """Return a non-negative finite count (float, so weighted counts work)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{name} must be a number (a count), got {value!r}") from None
    if not np.isfinite(v) or v < 0:
        raise InvalidInputError(f"{name} must be a finite count >= 0, got {value!r}")
    return v


def _pair(value: Any, name: str) -> tuple[float, float]:
    try:
        before, after = value
    except (TypeError, ValueError):
        raise InvalidInputError(
            f"{name} must be a pair (before, after) of counts, got {value!r}"
        ) from None
    return _count(before, f"{name}[0] (before)"), _count(after, f"{name}[1] (after)")


def _positive(value: float, name: str) -> float:
    v = float(value)
    if not np.isfinite(v) or v <= 0:
        raise InvalidInputError(f"{name} must be > 0, got {value!r}")
    return v


# ------------------------------------------------------------------------------- WDQ


class _AsDict:
    """Mixin of the result dataclasses: their fields as a dict."""

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a dict."""
        return asdict(self)  # type: ignore[arg-type]  # every subclass is a dataclass


@dataclass(frozen=True)
class WDQResult(_AsDict):
    """Weighted Displacement Quotient and the effects that go with it.

    Attributes
    ----------
    success_measure
        ``Ra/Ca - Rb/Cb``; negative when the treated area improved relative to control.
    displacement_measure
        ``Da/Ca - Db/Cb``; positive = possible displacement, negative = possible
        diffusion of benefits.
    wdq
        ``displacement_measure / success_measure`` (NaN when the success measure is 0).
    gross_effect
        ``Rb - Ra`` (crimes).
    net_effect
        ``Rb/Cb - Ra/Ca``.
    total_net_effect
        ``[Rb*(Ca/Cb) - Ra] + [Db*(Ca/Cb) - Da]``: crimes prevented in the treated
        area and its buffer, net of the control trend (positive = prevented).
    interpretation
        One sentence from Guerette's interpretation table.
    """

    success_measure: float
    displacement_measure: float
    wdq: float
    gross_effect: float
    net_effect: float
    total_net_effect: float
    interpretation: str


def _wdq_text(success: float, q: float) -> str:
    if not success < 0:
        return "not meaningful: no relative reduction in the treated area (success measure >= 0)"
    if q > 1:
        return "diffusion of benefits greater than the direct effect"
    if q > 0:
        return "diffusion of benefits"
    if q == 0:
        return "no displacement or diffusion"
    if q >= -1:
        return "displacement, but a net benefit remains"
    return "displacement greater than the direct effect: the benefit is erased"


def wdq(
    treated_before: float,
    treated_after: float,
    buffer_before: float,
    buffer_after: float,
    control_before: float,
    control_after: float,
) -> WDQResult:
    """Weighted Displacement Quotient (Bowers & Johnson 2003) and total net effect.

    Formulas (Guerette 2009, POP Tool Guide No. 10, Appendix B)::

        success measure       SM  = Ra/Ca - Rb/Cb
        displacement measure  DM  = Da/Ca - Db/Cb
        WDQ                       = DM / SM
        gross effect          GE  = Rb - Ra
        net effect            NE  = Rb/Cb - Ra/Ca
        total net effect      TNE = [Rb*(Ca/Cb) - Ra] + [Db*(Ca/Cb) - Da]

    The WDQ is only meaningful when ``SM < 0`` (the response worked). WDQ > 1:
    diffusion exceeded the direct effect; > 0: diffusion; 0 to -1: displacement with a
    net benefit; < -1: displacement erased the benefit.

    Parameters
    ----------
    treated_before, treated_after
        Counts in the treated (response) area ``Rb``, ``Ra``.
    buffer_before, buffer_after
        Counts in its buffer (catchment) area ``Db``, ``Da``.
    control_before, control_after
        Counts in the control area ``Cb``, ``Ca`` (both must be > 0).

    Returns
    -------
    WDQResult

    Raises
    ------
    InvalidInputError
        A negative or non-numeric count, or a zero control count.

    Examples
    --------
    >>> from hotspot.assess.before_after import wdq
    >>> r = wdq(100, 60, 50, 45, 200, 190)
    >>> round(r.success_measure, 4), round(r.displacement_measure, 4), round(r.wdq, 4)
    (-0.1842, -0.0132, 0.0714)
    >>> r.total_net_effect, r.interpretation
    (37.5, 'diffusion of benefits')
    """
    rb = _count(treated_before, "treated_before")
    ra = _count(treated_after, "treated_after")
    db = _count(buffer_before, "buffer_before")
    da = _count(buffer_after, "buffer_after")
    cb = _count(control_before, "control_before")
    ca = _count(control_after, "control_after")
    if cb == 0 or ca == 0:
        raise InvalidInputError(
            "control_before and control_after must be > 0 for the WDQ (they are divisors); "
            "choose a larger control area or a longer period"
        )
    sm = ra / ca - rb / cb
    dm = da / ca - db / cb
    q = dm / sm if sm != 0 else float("nan")
    tne = (rb * (ca / cb) - ra) + (db * (ca / cb) - da)
    return WDQResult(
        success_measure=float(sm),
        displacement_measure=float(dm),
        wdq=float(q),
        gross_effect=float(rb - ra),
        net_effect=float(rb / cb - ra / ca),
        total_net_effect=float(tne),
        interpretation=_wdq_text(sm, q),
    )


# ------------------------------------------------------------------------------- WDD


@dataclass(frozen=True)
class WDDResult(_AsDict):
    """Weighted Displacement Difference test (Wheeler & Ratcliffe 2018).

    Attributes
    ----------
    est_local
        ``(T1 - T0) - (Ct1 - Ct0)``: change in the treated area net of its control.
    est_displace
        ``(D1 - D0) - (Cd1 - Cd0)``: the same for the displacement area.
    est_total
        ``est_local + est_displace`` (negative = crimes prevented).
    se
        ``sqrt(sum of all counts)`` (Poisson), times ``sqrt(dispersion)``.
    z, p_value
        ``est_total / se`` and its two-sided normal p-value.
    ci_low, ci_high
        ``est_total -/+ z_(1-alpha/2) * se``.
    alpha
        Significance level of the interval.
    """

    est_local: float
    est_displace: float
    est_total: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    alpha: float


def wdd(
    treated: tuple[float, float],
    control: tuple[float, float],
    disp_treated: tuple[float, float] = (0, 0),
    disp_control: tuple[float, float] = (0, 0),
    *,
    alpha: float = 0.05,
    time_weights: tuple[float, float] = (1.0, 1.0),
    dispersion: float = 1.0,
) -> WDDResult:
    """Weighted Displacement Difference test (Wheeler & Ratcliffe 2018, Crime Science 7:11).

    ::

        WDD = (T1 - T0) - (Ct1 - Ct0) + (D1 - D0) - (Cd1 - Cd0)
        Var = T0 + T1 + Ct0 + Ct1 + D0 + D1 + Cd0 + Cd1        (Poisson)

    Each pair is ``(before, after)``. Like R ``ptools::wdd``, the displacement areas
    default to ``(0, 0)`` (no displacement part).

    Parameters
    ----------
    treated, control
        ``(before, after)`` counts of the treated area and its control.
    disp_treated, disp_control
        ``(before, after)`` counts of the displacement (buffer) area and its control.
    alpha
        Level of the two-sided confidence interval (0.05 -> 95 %).
    time_weights
        Lengths of the before and after periods when they differ (any unit): counts
        become rates ``count / L`` with Poisson variance ``count / L**2`` (Wheeler
        2021: 2 years before, 1 after, counts 80/20 and 100/50 give -20, variance 115).
    dispersion
        Variance-to-mean ratio of the counts; the variance is multiplied by it
        (1 = Poisson).

    Returns
    -------
    WDDResult

    Examples
    --------
    The example in Wheeler & Ratcliffe (2018), also a test of R ``ptools``:

    >>> from hotspot.assess.before_after import wdd
    >>> r = wdd((207, 110), (308, 318), (178, 157), (150, 140))
    >>> r.est_total, r.se ** 2, round(r.z, 2), round(r.ci_low), round(r.ci_high)
    (-118.0, 1568.0, -2.98, -196, -40)
    """
    t0, t1 = _pair(treated, "treated")
    c0, c1 = _pair(control, "control")
    d0, d1 = _pair(disp_treated, "disp_treated")
    e0, e1 = _pair(disp_control, "disp_control")
    if not 0 < alpha < 1:
        raise InvalidInputError(f"alpha must be between 0 and 1, got {alpha!r}")
    l0, l1 = _pair(time_weights, "time_weights")
    l0, l1 = _positive(l0, "time_weights[0]"), _positive(l1, "time_weights[1]")
    disp = _positive(dispersion, "dispersion")
    local = (t1 / l1 - t0 / l0) - (c1 / l1 - c0 / l0)
    displace = (d1 / l1 - d0 / l0) - (e1 / l1 - e0 / l0)
    total = local + displace
    var = ((t0 + c0 + d0 + e0) / l0**2 + (t1 + c1 + d1 + e1) / l1**2) * disp
    se = float(np.sqrt(var))
    z = total / se if se > 0 else float("nan")
    p = float(2 * stats.norm.sf(abs(z))) if se > 0 else float("nan")
    q = float(stats.norm.ppf(1 - alpha / 2))
    return WDDResult(
        est_local=float(local),
        est_displace=float(displace),
        est_total=float(total),
        se=se,
        z=float(z),
        p_value=p,
        ci_low=float(total - q * se),
        ci_high=float(total + q * se),
        alpha=float(alpha),
    )


# ------------------------------------------------------------------------------- RES


@dataclass(frozen=True)
class RESResult(_AsDict):
    """Welsh & Farrington relative effect size (odds ratio) with its interval.

    Attributes
    ----------
    res
        ``(a*d)/(b*c)``; > 1 = relative improvement in the treated area.
    log_res, se_log
        ``ln(RES)`` and ``sqrt(1/a + 1/b + 1/c + 1/d)`` (times ``sqrt(dispersion)``).
    ci_low, ci_high
        ``exp(log_res -/+ z * se_log)``.
    z, p_value
        ``log_res / se_log`` and its two-sided normal p-value.
    percent_reduction
        ``100 * (1 - 1/RES)``: the relative reduction in the treated area.
    alpha
        The interval covers ``1 - alpha`` (0.05: 95 %).
    """

    res: float
    log_res: float
    se_log: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    percent_reduction: float
    alpha: float

    @property
    def conf(self) -> float:
        """Coverage ``1 - alpha`` of the interval (the old field; use ``alpha``)."""
        return 1.0 - self.alpha


@renamed_arguments(conf=("alpha", lambda c: round(1.0 - c, 12), "alpha = 1 - conf"))
def relative_effect_size(
    a: float,
    b: float,
    c: float,
    d: float,
    *,
    alpha: float = 0.05,
    dispersion: float = 1.0,
) -> RESResult:
    """Relative effect size of a before/after design with a control (Welsh & Farrington).

    ::

        RES = (a*d) / (b*c)
        Var(ln RES) = 1/a + 1/b + 1/c + 1/d          (Poisson counts)

    (Farrington, Gill, Waples & Argomaniz 2007, appendix.) RES > 1 means a relative
    improvement in the treated area; ``1 - 1/RES`` is the relative reduction.

    Parameters
    ----------
    a, b
        Treated (experimental) area counts before and after (both > 0).
    c, d
        Control area counts before and after (both > 0).
    alpha
        The interval covers ``1 - alpha`` (0.05: 95 %). The old ``conf``
        (= ``1 - alpha``) still works for one release.
    dispersion
        Variance inflation for over-dispersed counts (1 = Poisson).

    Returns
    -------
    RESResult

    Raises
    ------
    InvalidInputError
        A count that is zero or negative (the log odds ratio is undefined).

    Examples
    --------
    >>> from hotspot.assess.before_after import relative_effect_size
    >>> r = relative_effect_size(100, 60, 200, 190)
    >>> round(r.res, 4), round(r.se_log, 4), round(r.percent_reduction, 1)
    (1.5833, 0.1922, 36.8)
    """
    vals = []
    for name, v in zip(("a", "b", "c", "d"), (a, b, c, d), strict=True):
        x = _count(v, name)
        if x == 0:
            raise InvalidInputError(
                f"{name} is 0: the relative effect size needs every count > 0; "
                "use longer periods or larger areas"
            )
        vals.append(x)
    if not 0 < alpha < 1:
        raise InvalidInputError(f"alpha must be between 0 and 1, got {alpha!r}")
    a_, b_, c_, d_ = vals
    res = a_ * d_ / (b_ * c_)
    log_res = float(np.log(res))
    se = float(np.sqrt((1 / a_ + 1 / b_ + 1 / c_ + 1 / d_) * _positive(dispersion, "dispersion")))
    q = float(stats.norm.ppf(1 - alpha / 2))
    z = log_res / se
    return RESResult(
        res=float(res),
        log_res=log_res,
        se_log=se,
        ci_low=float(np.exp(log_res - q * se)),
        ci_high=float(np.exp(log_res + q * se)),
        z=float(z),
        p_value=float(2 * stats.norm.sf(abs(z))),
        percent_reduction=float(100 * (1 - 1 / res)),
        alpha=float(alpha),
    )


# -------------------------------------------------------------------------- catchment


def _as_geoseries(area: Any, name: str) -> gpd.GeoSeries:
    if isinstance(area, gpd.GeoDataFrame):
        return area.geometry
    if isinstance(area, gpd.GeoSeries):
        return area
    if isinstance(area, shapely.Geometry):
        raise InvalidInputError(
            f"{name} is a bare shapely geometry without a CRS; wrap it as "
            f"gpd.GeoSeries([geom], crs=...) in a projected CRS in metres"
        )
    raise InvalidInputError(f"{name} must be a GeoDataFrame or GeoSeries of polygons")


def _union(area: Any, name: str) -> tuple[Any, Any]:
    s = _as_geoseries(area, name)
    check_projected(s, name)
    if len(s) == 0 or s.is_empty.all():
        raise InvalidInputError(f"{name} is empty: give at least one polygon")
    kinds = set(s.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise InvalidInputError(f"{name} must hold polygons, found {sorted(kinds)}")
    return shapely.union_all(s.make_valid().to_numpy()), s.crs


def catchment(area: Any, *, buffer: float, exclude: Any = None) -> gpd.GeoDataFrame:
    """Buffer (catchment) ring around an area: the area grown by ``buffer`` minus itself.

    Parameters
    ----------
    area
        GeoDataFrame or GeoSeries of polygons in a projected CRS in metres; all rows
        are merged into one area.
    buffer
        Width of the ring in metres (> 0). The evidence base suggests about one street
        segment or 150-200 m for displacement checks.
    exclude
        Optional polygons (same CRS) removed from the ring too, e.g. the control area.

    Returns
    -------
    geopandas.GeoDataFrame
        One row, column ``buffer_m``, the ring as geometry, the CRS of ``area``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from hotspot.assess.before_after import catchment
    >>> ring = catchment(gpd.GeoSeries([box(0, 0, 100, 100)], crs=32616), buffer=10)
    >>> round(float(ring.area.iloc[0]))  # 120*120 - 100*100 less the 4 rounded corners
    4314
    """
    geom, crs = _union(area, "area")
    buf = float(buffer) if np.isscalar(buffer) else float("nan")
    if not np.isfinite(buf) or buf <= 0:
        raise InvalidInputError(f"buffer must be a distance in metres > 0, got {buffer!r}")
    ring = geom.buffer(buf).difference(geom)
    if exclude is not None:
        other, other_crs = _union(exclude, "exclude")
        check_same_crs(gpd.GeoSeries([], crs=crs), gpd.GeoSeries([], crs=other_crs),
                       "area", "exclude")
        ring = ring.difference(other)
    out = gpd.GeoDataFrame({"buffer_m": [buf]}, geometry=[ring], crs=crs)
    return attach(out, "catchment", {"buffer": buf, "exclude": exclude is not None})


# ----------------------------------------------------------------------- before/after

_AREAS = ("treated", "buffer", "control", "control_buffer")


@dataclass
class BeforeAfter:
    """Result of :func:`before_after`.

    Attributes
    ----------
    counts
        DataFrame indexed by area (``treated``, ``buffer``, ``control``,
        ``control_buffer``) with columns ``before`` and ``after``.
    wdq, wdd, res
        :class:`WDQResult`, :class:`WDDResult`, :class:`RESResult` (``res`` is None
        when a count is zero).
    monthly
        Incident counts per month (rows) and area (columns), over both windows.
    areas
        GeoDataFrame of the four areas (index = area name).
    start, before_start, after_end
        Window limits: before = [before_start, start), after = [start, after_end).
    """

    counts: pd.DataFrame
    wdq: WDQResult
    wdd: WDDResult
    res: RESResult | None
    monthly: pd.DataFrame
    areas: gpd.GeoDataFrame
    start: pd.Timestamp
    before_start: pd.Timestamp
    after_end: pd.Timestamp
    meta: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> pd.Series:
        """Return the headline statistics as a Series, all with one sign convention.

        Every effect is stated as **incidents prevented** or a **percent reduction**:
        positive means crime fell relative to the control, negative that it rose.
        ``prevented_tne`` is the WDQ total net effect (treated + buffer), and
        ``prevented_wdd`` the WDD estimate with its sign turned (WDD itself is negative
        when crime fell) and its interval; ``reduction_pct_res`` is the relative effect
        size as a percent reduction (``100 (1 - 1/RES)``). ``wdq`` keeps its own scale
        (> 0 diffusion of benefits, < 0 displacement). ``coverage_warnings`` counts the
        windows reaching beyond the data (see ``meta["warnings"]``).
        """
        res = self.res
        out = {
            "treated_before": self.counts.loc["treated", "before"],
            "treated_after": self.counts.loc["treated", "after"],
            "prevented_tne": self.wdq.total_net_effect,
            "prevented_wdd": -self.wdd.est_total,
            "prevented_wdd_low": -self.wdd.ci_high,
            "prevented_wdd_high": -self.wdd.ci_low,
            "wdd_p": self.wdd.p_value,
            "reduction_pct_res": np.nan if res is None else res.percent_reduction,
            "reduction_pct_res_low": np.nan if res is None else 100 * (1 - 1 / res.ci_low),
            "reduction_pct_res_high": np.nan if res is None else 100 * (1 - 1 / res.ci_high),
            "wdq": self.wdq.wdq,
            "coverage_warnings": len(self.meta.get("warnings", [])),
        }
        return pd.Series(out, name="before_after (positive = crime fell)")

    def plot(self, ax: Any = None) -> Any:
        """Plot monthly counts per area with the start date marked; return the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        styles = {
            "treated": ("#b2182b", "-", 2.2),
            "buffer": ("#ef8a62", "--", 1.6),
            "control": ("#2166ac", "-", 1.6),
            "control_buffer": ("#67a9cf", ":", 1.4),
        }
        x = self.monthly.index.to_timestamp() if isinstance(
            self.monthly.index, pd.PeriodIndex) else self.monthly.index
        for name in self.monthly.columns:
            color, ls, lw = styles.get(name, ("k", "-", 1.2))
            ax.plot(x, self.monthly[name].to_numpy(), color=color, ls=ls, lw=lw,
                    marker="o", ms=3, label=name.replace("_", " "))
        ax.axvline(self.start.tz_localize(None) if self.start.tzinfo else self.start,
                   color="k", lw=1.2, ls="-.", label="start")
        ax.set_ylabel("incidents per month")
        ax.set_title("Before/after: treated, buffer and control areas")
        ax.legend(frameon=False, fontsize=9, ncol=2)
        ax.grid(alpha=0.3)
        return ax


def before_after(
    incidents: gpd.GeoDataFrame,
    treated: Any,
    control: Any,
    *,
    buffer: float,
    start: Any,
    end: Any = None,
    before: Any = None,
    time_col: str = "occurred_at",
    alpha: float = 0.05,
    dispersion: float = 1.0,
) -> BeforeAfter:
    """Before/after comparison of a treated area with a control, with displacement checks.

    Incidents are counted in four disjoint areas: the treated area, its buffer ring
    (``buffer`` metres wide, control removed), the control area and the control's own
    ring (used as the control of the buffer in the WDD, as in Wheeler & Ratcliffe
    2018). The after window is ``[start, end)``; the before window has the same
    length and ends at ``start`` unless ``before`` gives its start. Then
    :func:`wdq`, :func:`wdd` and :func:`relative_effect_size` are computed.

    Parameters
    ----------
    incidents
        Points in a projected CRS in metres with a datetime column ``time_col``;
        incidents with no time are left out.
    treated, control
        GeoDataFrame/GeoSeries of polygons in the CRS of ``incidents``.
    buffer
        Width of the buffer rings in metres.
    start
        Start of the intervention (date or timestamp; naive values are read in the
        time zone of ``time_col``).
    end
        End of the after window (exclusive). None: the end of the data, the day after
        the last incident time or the latest ``occurred_to`` (logged).
    before
        Start of the before window. None: ``start - (end - start)`` (equal windows);
        with month-only incident times and ``start``/``end`` on month starts, the
        same number of whole months. With unequal windows the WDD uses rates per
        window length. A window reaching beyond the data, or a limit inside a month
        when times are month-only, raises a :class:`~hotspot.DataQualityWarning`
        recorded in ``meta["warnings"]``.
    time_col
        Datetime column.
    alpha, dispersion
        Passed to :func:`wdd` and to :func:`relative_effect_size`.

    Returns
    -------
    BeforeAfter
        Counts, the three statistics, monthly series and a ``plot()`` method.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from hotspot.assess.before_after import before_after
    >>> rng = np.random.default_rng(0)
    >>> n = 400
    >>> pts = gpd.GeoDataFrame(
    ...     {"occurred_at": pd.Timestamp("2020-01-01", tz="UTC")
    ...      + pd.to_timedelta(rng.integers(0, 365, n), unit="D")},
    ...     geometry=gpd.points_from_xy(rng.uniform(0, 1000, n), rng.uniform(0, 400, n)),
    ...     crs=32616)
    >>> t = gpd.GeoSeries([box(100, 100, 300, 300)], crs=32616)
    >>> c = gpd.GeoSeries([box(600, 100, 800, 300)], crs=32616)
    >>> r = before_after(pts, t, c, buffer=50, start="2020-07-01", end="2021-01-01")
    >>> list(r.counts.columns), r.counts.index.tolist()
    (['before', 'after'], ['treated', 'buffer', 'control', 'control_buffer'])
    """
    check_geodataframe(incidents, "incidents")
    check_points(incidents, "incidents")
    check_projected(incidents, "incidents")
    if time_col not in incidents.columns:
        raise InvalidInputError(
            f"incidents has no column {time_col!r}; pass time_col= with the datetime column"
        )
    times = pd.to_datetime(incidents[time_col])
    choices: dict[str, Any] = {}
    areas = _design_areas(incidents, treated, control, buffer)
    span = _data_span(incidents, times)
    quality = incidents.get("time_quality")
    month_only = quality is not None and bool((quality == "month_only").any())
    b, s, e = _windows(times, span, start, end, before, choices, whole_months=month_only)
    coverage = _check_coverage(incidents, span, (b, s, e))
    code, period = _area_and_window(incidents, times, areas.geometry.tolist(), (b, s, e))
    keep = (code >= 0) & (period >= 0)
    table = np.zeros((4, 2))
    np.add.at(table, (code[keep], period[keep]), 1)
    counts = pd.DataFrame(table, index=pd.Index(list(_AREAS), name="area"),
                          columns=["before", "after"]).astype(np.int64)

    lb = (s - b) / pd.Timedelta(days=1)
    la = (e - s) / pd.Timedelta(days=1)
    (rb, ra), (db, da), (cb, ca), (eb, ea) = table
    if cb == 0 or ca == 0:
        raise InvalidInputError(
            f"the control area has {int(cb)} incidents before and {int(ca)} after; it needs "
            "incidents in both windows: choose a larger control area or longer windows"
            + ("; " + "; ".join(coverage) if coverage else "")
        )
    # WDQ and RES use ratios within a window, so unequal window lengths cancel out
    q = wdq(rb, ra, db, da, cb, ca)
    d = wdd((rb, ra), (cb, ca), (db, da), (eb, ea), alpha=alpha,
            time_weights=(lb / la, 1.0), dispersion=dispersion)
    res = None
    if min(rb, ra, cb, ca) > 0:
        res = relative_effect_size(rb, ra, cb, ca, alpha=alpha, dispersion=dispersion)
    monthly = _monthly_counts(times[keep], code[keep], b, e)
    params = {"buffer": float(buffer), "start": str(s), "end": str(e), "before": str(b),
              "alpha": alpha, "dispersion": dispersion}
    meta = {"params": params, "choices": choices, "warnings": coverage,
            "n_no_time": int(times.isna().sum()), "window_days": (lb, la)}
    return BeforeAfter(counts=counts, wdq=q, wdd=d, res=res, monthly=monthly, areas=areas,
                       start=s, before_start=b, after_end=e, meta=meta)


def _design_areas(
    incidents: gpd.GeoDataFrame, treated: Any, control: Any, buffer: float
) -> gpd.GeoDataFrame:
    """Treated area, its catchment, control area and the control's buffer (disjoint)."""
    t_geom, t_crs = _union(treated, "treated")
    c_geom, c_crs = _union(control, "control")
    for other, name in ((t_crs, "treated"), (c_crs, "control")):
        check_same_crs(incidents, gpd.GeoSeries([], crs=other), "incidents", name)
    if t_geom.intersects(c_geom) and t_geom.intersection(c_geom).area > 0:
        raise InvalidInputError(
            "treated and control areas overlap; choose a control area that does not "
            "touch the treated area (Guerette: no contamination)"
        )
    buf = catchment(gpd.GeoSeries([t_geom], crs=t_crs), buffer=buffer,
                    exclude=gpd.GeoSeries([c_geom], crs=c_crs)).geometry.iloc[0]
    cbuf = c_geom.buffer(float(buffer)).difference(c_geom).difference(
        shapely.union_all([t_geom, buf]))
    geoms = [t_geom, buf, c_geom, cbuf]
    return gpd.GeoDataFrame({"area": list(_AREAS)}, geometry=geoms, crs=t_crs).set_index("area")


def _data_span(
    incidents: gpd.GeoDataFrame, times: pd.Series
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First day and end (exclusive) of the days the data cover.

    The end is the day after the last known time, or the latest ``occurred_to`` when
    the incidents carry time windows: a month-only record dated 1 July covers July.
    """
    first, last = times.min(), times.max()
    if pd.isna(last):
        raise InvalidInputError(f"incidents have no valid {times.name}")
    end = last.floor("D") + pd.Timedelta(days=1)
    to = incidents.get("occurred_to")
    if to is not None and pd.api.types.is_datetime64_any_dtype(to) and to.notna().any():
        to_end = to.max().ceil("D")
        end = max(end, to_end.tz_convert(end.tz) if to_end.tzinfo and end.tzinfo else to_end)
    return first.floor("D"), end


def _check_coverage(
    incidents: gpd.GeoDataFrame, span: tuple[pd.Timestamp, pd.Timestamp], bounds: tuple
) -> list[str]:
    """Warn when a window reaches beyond the data or splits a month of month-only times.

    The data cover the days of ``span``; a window reaching beyond them counts days with
    no data as days without crime, which biases the change. Month-only incidents are
    dated the 1st of their month, so a window limit inside a month moves the whole
    month to one side of it.
    """
    (first, end), (b, s, e) = span, bounds
    out = []
    if b < first:
        out.append(f"the before window starts {b} but the data begin {first}: the days "
                   "without data count as days without crime; pass before= on or after "
                   "the first day")
    if e > end:
        out.append(f"the after window ends {e} but the data end {end}: the days without "
                   "data count as days without crime; pass end= no later than the end "
                   "of the data")
    quality = incidents.get("time_quality")
    n_month = 0 if quality is None else int((quality == "month_only").sum())
    split = [t for t in (b, s, e) if not _month_start(t)]
    if n_month and split:
        out.append(f"{n_month:,} incidents have month-only times (dated the 1st) but the "
                   f"window limit(s) {', '.join(map(str, split))} fall inside a month; "
                   "use whole months for before=, start= and end=")
    for msg in out:
        warn_user(f"before_after: {msg}", DataQualityWarning)
    return out


def _month_start(t: pd.Timestamp) -> bool:
    """Tell whether ``t`` is local midnight on the first day of a month."""
    return bool(t.day == 1 and t == t.normalize())


def _windows(
    times: pd.Series,
    span: tuple[pd.Timestamp, pd.Timestamp],
    start: Any,
    end: Any,
    before: Any,
    choices: dict[str, Any],
    whole_months: bool = False,
) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """Start of the before window, the intervention start and the end of the after window."""
    tz = times.dt.tz
    s = to_local(start, tz, "start")
    if end is None:
        e = note_choice(choices, "end", span[1], "end of the data (day after the last "
                        "incident time, or the latest occurred_to)")
    else:
        e = to_local(end, tz, "end")
    if e <= s:
        raise InvalidInputError(f"end ({e}) must be after start ({s})")
    if before is None and whole_months and _month_start(s) and _month_start(e):
        n = (e.year - s.year) * 12 + e.month - s.month
        b = note_choice(choices, "before", s - pd.DateOffset(months=n),
                        f"before window of the same {n} whole month(s) as the after window "
                        "(month-only incident times)")
    elif before is None:
        b = note_choice(choices, "before", s - (e - s), "before window as long as the after window")
    else:
        b = to_local(before, tz, "before")
        if b >= s:
            raise InvalidInputError(f"before ({b}) must be earlier than start ({s})")
    return b, s, e


def _area_and_window(
    incidents: gpd.GeoDataFrame, times: pd.Series, geoms: list[Any], bounds: tuple
) -> tuple[np.ndarray, np.ndarray]:
    """Area (index into ``geoms``) and window (0 before, 1 after) of each incident, -1 none."""
    b, s, e = bounds
    period = np.full(len(incidents), -1)
    ok = times.notna().to_numpy()
    period[ok & (times >= b).to_numpy() & (times < s).to_numpy()] = 0
    period[ok & (times >= s).to_numpy() & (times < e).to_numpy()] = 1
    xy = point_coords(incidents)
    # the first area containing the point (the areas are disjoint)
    code = np.full(len(incidents), -1)
    for k, g in enumerate(geoms):
        if g.is_empty:
            continue
        shapely.prepare(g)
        inside = shapely.intersects_xy(g, xy[:, 0], xy[:, 1]) & (code < 0)
        code[inside] = k
    return code, period


def _monthly_counts(
    times: pd.Series, code: np.ndarray, b: pd.Timestamp, e: pd.Timestamp
) -> pd.DataFrame:
    """Incidents per local calendar month (rows, every month of the windows) and area."""
    tz = times.dt.tz
    tsel = pd.Series(times.to_numpy())
    if tz is not None:
        tsel = tsel.dt.tz_localize(None) if tsel.dt.tz is None else tsel.dt.tz_convert(
            tz).dt.tz_localize(None)
    months = tsel.dt.to_period("M")
    monthly = pd.crosstab(months, pd.Categorical(np.array(_AREAS)[code],
                                                 categories=list(_AREAS)), dropna=False)
    full = pd.period_range((b.tz_localize(None) if b.tzinfo else b).to_period("M"),
                           ((e - pd.Timedelta(1)).tz_localize(None) if e.tzinfo
                            else e - pd.Timedelta(1)).to_period("M"), freq="M")
    monthly = monthly.reindex(index=full, columns=list(_AREAS), fill_value=0)
    monthly.index.name = "month"
    monthly.columns = pd.Index(list(_AREAS), name="area")
    return monthly
