"""Crime concentration: Lorenz curve, Gini, and the "law of crime concentration" figures.

:func:`concentration` summarizes how unevenly incidents are spread over analysis
units (cells, street segments, beats): the share of crime in the top 1/5/10 % of
units, the share of units holding 25 % and 50 % of crime (Weisburd 2015 found 50 %
of crime on 2.1-6.0 % of street segments and 25 % on 0.4-1.6 %), the Gini
coefficient and the generalized Gini of Bernasco & Steenbeek (2017) for sparse data
(fewer incidents than units), with a print-legible plot.

References
----------
Weisburd, D. (2015). The law of crime concentration and the criminology of place.
*Criminology* 53(2), 133-157.

Bernasco, W. & Steenbeek, W. (2017). More places than crimes: implications for
evaluating the law of crime concentration at place. *Journal of Quantitative
Criminology* 33(3), 451-467.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hotspot._core.deprecation import renamed_arguments
from hotspot._core.validation import numeric_column
from hotspot.exceptions import InvalidInputError

__all__ = ["ConcentrationResult", "concentration", "gini", "gini_generalized"]


def gini(values: np.ndarray | Sequence[float]) -> float:
    """Return the standard (sample) Gini coefficient of non-negative values.

    ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x))``, computed from the sorted
    values in O(n log n). 0 means every unit has the same count; with ``n`` units
    the largest possible value is ``1 - 1/n`` (all crime in one unit).

    Examples
    --------
    >>> from hotspot.scan.concentration import gini
    >>> round(gini([10, 8, 2, 0, 0, 0, 0, 0, 0, 0]), 2)
    0.78
    >>> gini([3, 3, 3])
    0.0
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    total = x.sum()
    if n == 0 or total <= 0:
        msg = "the Gini coefficient needs at least one unit with a positive count."
        raise InvalidInputError(msg)
    return float(_gini_numerator(x) / (n * total))


def _gini_numerator(x_sorted: np.ndarray) -> float:
    """``sum_i (2 i - n - 1) x_(i)`` for ascending ``x``: exact for integer counts."""
    n = len(x_sorted)
    return float(np.dot(2.0 * np.arange(1, n + 1) - n - 1, x_sorted))


def _gini_pair(values: np.ndarray) -> tuple[float, float]:
    """Return the standard and generalized Gini (the latter without cancellation)."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = len(x), float(x.sum())
    a = _gini_numerator(x)
    g = a / (n * total)
    if total >= n:
        return g, g
    # max(1, n/C) * (G - 1) + 1 with G = a / (n C)  ==  (a - n C + C^2) / C^2
    return g, (a - n * total + total * total) / (total * total)


def gini_generalized(values: np.ndarray | Sequence[float]) -> float:
    """Generalized Gini of Bernasco & Steenbeek (2017) for sparse crime data.

    When there are fewer incidents ``C`` than units ``N``, even the most even
    spread leaves ``N - C`` units empty, so the standard Gini cannot fall below
    ``1 - C/N``. The generalized Gini compares the data with this *maximal
    equality given the data* instead of perfect equality:
    ``G' = max(1, N / C) * (G - 1) + 1``. It equals the standard Gini when
    ``C >= N`` and is 0 when every incident is in a different unit. This is the
    biased (not small-sample corrected) version, as in the paper and in
    ``lorenzgini::gini(generalized=TRUE, unbiased=FALSE)``.

    Examples
    --------
    >>> from hotspot.scan.concentration import gini_generalized
    >>> round(gini_generalized([5, 2, 1, 0, 0, 0, 0, 0, 0, 0]), 2)  # 8 crimes, 10 units
    0.75
    >>> gini_generalized([1, 1, 1, 0, 0])  # most even spread possible
    0.0
    """
    gini(values)  # validates
    return float(_gini_pair(np.asarray(values, dtype=float))[1])


@dataclass
class ConcentrationResult:
    """How concentrated incidents are over units; made by :func:`concentration`.

    Attributes
    ----------
    lorenz
        DataFrame with ``share_units`` and ``share_crime`` (0-1): the cumulative
        share of crime held by the top ``share_units`` of units, ranked from most
        to least crime (the crime-concentration convention; the economists' Lorenz
        curve is the same curve rotated by 180 degrees). Starts at (0, 0), ends at
        (1, 1).
    gini
        Standard Gini coefficient.
    gini_modified
        Generalized Gini of Bernasco & Steenbeek (2017); differs from ``gini`` only
        when there are fewer incidents than units.
    top_shares
        ``{share of units: share of crime}``, e.g. ``{0.01: 0.12, ...}``.
    units_for_share
        ``{share of crime: share of units}``, e.g. ``{0.5: 0.042, ...}``: the
        smallest share of units holding that share of crime.
    n_units, n_incidents
        Number of units and total of the column (incidents, or harm).
    column
        The column summarized.
    """

    lorenz: pd.DataFrame
    gini: float
    gini_modified: float
    top_shares: dict[float, float]
    units_for_share: dict[float, float]
    n_units: int
    n_incidents: float
    column: str = "n_incidents"
    params: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame of the figures (concatenate several to compare).

        Columns: ``n_units``, ``n_incidents``, ``gini``, ``gini_modified``,
        ``share_top_<p>pct`` for each top share and ``units_for_<q>pct`` for each
        crime share.

        Examples
        --------
        >>> from hotspot.scan.concentration import concentration
        >>> res = concentration(pd.DataFrame({"n_incidents": [6, 2, 1, 1]}))
        >>> res.to_frame()[["gini", "units_for_50pct"]].round(3).to_dict("records")
        [{'gini': 0.4, 'units_for_50pct': 0.208}]
        """
        row: dict[str, Any] = {
            "n_units": self.n_units,
            "n_incidents": self.n_incidents,
            "gini": self.gini,
            "gini_modified": self.gini_modified,
        }
        for p, s in self.top_shares.items():
            row[f"share_top_{_pct_label(p)}pct"] = s
        for q, u in self.units_for_share.items():
            row[f"units_for_{_pct_label(q)}pct"] = u
        return pd.DataFrame([row])

    def __str__(self) -> str:
        tops = "; ".join(
            f"top {_pct_label(p)}% of units: {100 * s:.1f}% of crime"
            for p, s in self.top_shares.items()
        )
        holds = "; ".join(
            f"{_pct_label(q)}% of crime in {100 * u:.2f}% of units"
            for q, u in self.units_for_share.items()
        )
        return (
            f"Crime concentration of {self.column!r} over {self.n_units:,} units "
            f"({_fmt_total(self.n_incidents)} in total)\n"
            f"  Gini {self.gini:.3f} (generalized, Bernasco & Steenbeek 2017: "
            f"{self.gini_modified:.3f})\n"
            f"  {tops}\n"
            f"  {holds}"
        )

    def plot(self, ax: Any = None, *, annotate: bool = True, title: str | None = None) -> Any:
        """Draw the concentration (Lorenz) curve with the equality line.

        Print-legible and greyscale-safe: black curve, grey dotted equality line, grey
        dashed "most even spread possible" line when there are fewer incidents than
        units, fonts of at least 8 pt, and the 25 % / 50 % figures annotated.

        Parameters
        ----------
        ax
            Matplotlib Axes to draw on; a new figure (5 x 5 in) when None.
        annotate
            Mark the share of units holding 25 % and 50 % of crime.
        title
            Axes title; by default the Gini values.

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> from hotspot.scan.concentration import concentration
        >>> res = concentration(pd.DataFrame({"n_incidents": [9, 3, 1, 0, 0]}))
        >>> ax = res.plot()
        >>> ax.get_xlabel()
        'Share of units, most crime first (%)'
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 5))
        x = self.lorenz["share_units"].to_numpy() * 100
        y = self.lorenz["share_crime"].to_numpy() * 100
        ax.plot([0, 100], [0, 100], color="0.55", ls=":", lw=1.2, label="Equal spread")
        if self.n_incidents < self.n_units:
            xe = 100 * self.n_incidents / self.n_units
            ax.plot(
                [0, xe, 100],
                [0, 100, 100],
                color="0.35",
                ls="--",
                lw=1.0,
                label="Most even spread possible",
            )
        ax.plot(x, y, color="black", lw=1.8, label="Observed")
        if annotate:
            for q, u in self.units_for_share.items():
                ux, qy = 100 * u, 100 * q
                ax.plot([ux, ux], [0, qy], color="black", lw=0.7, ls=(0, (2, 2)))
                ax.plot([0, ux], [qy, qy], color="black", lw=0.7, ls=(0, (2, 2)))
                ax.plot([ux], [qy], marker="o", color="black", ms=4)
                ax.annotate(
                    f"{_pct_label(q)}% of crime in {ux:.1f}% of units",
                    xy=(ux, qy),
                    xytext=(8, -4),
                    textcoords="offset points",
                    fontsize=9,
                    va="top",
                )
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 101)
        ax.set_xlabel("Share of units, most crime first (%)", fontsize=10)
        ax.set_ylabel(f"Cumulative share of {_column_label(self.column)} (%)", fontsize=10)
        ax.tick_params(labelsize=9)
        if title is None:
            title = f"Gini {self.gini:.2f} (generalized {self.gini_modified:.2f})"
        ax.set_title(title, fontsize=11)
        ax.legend(loc="lower right", fontsize=9, frameon=False)
        ax.set_aspect("equal")
        return ax


def _pct_label(p: float) -> str:
    v = 100 * float(p)
    return f"{v:g}"


def _fmt_total(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}"


def _column_label(column: str) -> str:
    return "crime" if column == "n_incidents" else column


def _values_of(units: Any, column: str) -> np.ndarray:
    if isinstance(units, pd.Series):
        series = units
    elif isinstance(units, pd.DataFrame):
        if column not in units.columns:
            available = ", ".join(map(str, list(units.columns)[:30]))
            msg = (
                f"`units` has no column {column!r}. Count incidents first with "
                f"`hs.count(incidents, units)`, or pass `column=`. Available: {available}."
            )
            raise InvalidInputError(msg)
        series = units[column]
    else:
        series = pd.Series(np.asarray(units))
    frame = series.rename(column).to_frame()
    values = numeric_column(
        frame, column, "units", what="counts", fix="Fill missing counts with 0."
    )
    if len(values) == 0:
        msg = "`units` has no rows."
        raise InvalidInputError(msg)
    if values.sum() <= 0:
        msg = (
            f"column {column!r} is zero in every unit: there is no crime to be "
            "concentrated. Check the time window, the offence filter and that the "
            "incidents and units overlap (same CRS)."
        )
        raise InvalidInputError(msg)
    return values


@renamed_arguments(top="top_shares")
def concentration(
    units: pd.DataFrame | pd.Series,
    column: str = "n_incidents",
    *,
    top_shares: Sequence[float] = (0.01, 0.05, 0.10),
    shares: Sequence[float] = (0.25, 0.5),
) -> ConcentrationResult:
    """Measure how concentrated crime is over units.

    Units are ranked from most to least crime; the cumulative share of crime is
    read off this curve, interpolating linearly between units (so that "the top 1 %
    of 250 units" is 2.5 units). Units with zero crime count: including the empty
    cells of a grid raises concentration, so compare like with like (same units,
    same study area).

    Parameters
    ----------
    units
        Units with a count column (e.g. from ``hs.count``), or a Series of counts.
        Non-integer values (harm weights) work too.
    column
        The column to summarize; ignored for a Series.
    top_shares
        Shares of units (0-1) for which to report the share of crime (called ``top``
        before; that name, which elsewhere counts hotspots, still works for one
        release).
    shares
        Shares of crime (0-1) for which to report the share of units.

    Returns
    -------
    ConcentrationResult
        ``lorenz``, ``gini``, ``gini_modified`` (Bernasco & Steenbeek 2017),
        ``top_shares``, ``units_for_share``, ``n_units``, ``n_incidents``; with
        ``plot()``, ``to_frame()`` and a readable ``str()``.

    Raises
    ------
    InvalidInputError
        Missing column, negative or missing counts, or no crime at all.

    Examples
    --------
    >>> from hotspot.scan.concentration import concentration
    >>> units = pd.DataFrame({"n_incidents": [50, 30, 10, 5, 5] + [0] * 95})
    >>> res = concentration(units)
    >>> res.top_shares[0.01], round(res.units_for_share[0.5], 4)
    (0.5, 0.01)
    >>> round(res.gini, 3)
    0.973
    """
    values = _values_of(units, column)
    for name, seq in (("top_shares", top_shares), ("shares", shares)):
        if any(not 0.0 < float(p) <= 1.0 for p in seq):
            msg = f"`{name}` values must be shares between 0 and 1, got {list(seq)}."
            raise InvalidInputError(msg)
    n = len(values)
    desc = np.sort(values)[::-1]
    total = float(desc.sum())
    x = np.arange(n + 1, dtype=float) / n
    y = np.concatenate([[0.0], np.cumsum(desc) / total])
    y[-1] = 1.0
    k = int((desc > 0).sum())  # strictly increasing part of the curve
    crime_in_top = {float(p): float(np.interp(float(p), x, y)) for p in top_shares}
    units_for = {float(q): float(np.interp(float(q), y[: k + 1], x[: k + 1])) for q in shares}
    lorenz = pd.DataFrame({"share_units": x, "share_crime": y})
    g, gm = _gini_pair(values)
    return ConcentrationResult(
        lorenz=lorenz,
        gini=g,
        gini_modified=gm,
        top_shares=crime_in_top,
        units_for_share=units_for,
        n_units=n,
        n_incidents=total,
        column=column,
        params={"top_shares": list(map(float, top_shares)), "shares": list(map(float, shares))},
    )
