"""Forecast skill metrics for hotspot maps: hit rate, PAI, PEI, PEI* and RRI.

Every metric compares a **ranking** of units (``scores``, higher = riskier) with
the incidents that **later** happened in them (``observed``, counts per unit in
the test period), given the ``area`` of each unit (m²; equal areas when None).
The flagged area is either a share of the total area (``coverage``) or given
directly (``flagged``: a boolean mask, or inclusion weights in [0, 1]).

Definitions (n = test incidents in the flagged units, N = all test incidents,
a = flagged area, A = total area):

========== ================================================ ==========================
metric     formula                                          source
========== ================================================ ==========================
hit rate   n / N                                            Chainey, Tompson & Uhlig
                                                            (2008)
PAI        (n / N) / (a / A)                                Chainey, Tompson & Uhlig
                                                            (2008)
PEI        PAI / PAI_max = n / n_max, with n_max the most   Hunt (2016), as in
           incidents any selection of area a could hold     ptools ``pai()``
           (units taken by observed density, the "oracle")
PEI*       PAI / PAI*, PAI* = (n_max / N) / (a* / A), a*    White, Hunt & Green
           the smallest area holding n_max (the oracle's    (2023); see the caveat
           flagged area without its empty units); equals    below
           PEI · a* / a
RRI        (n / n_base) / (N / N_base), n_base and N_base   Levine (2008), "recapture
           the incidents of the baseline (training) period  rate index", as usually
           in the flagged units and in all units            stated
========== ================================================ ==========================

Caveats
-------
* **RRI definitions disagree.** The default (``definition="levine"``) is the
  recapture rate index as usually stated for Levine (2008): the change of the
  count inside the flagged units relative to the change of the total. R
  ``ptools::pai`` (Wheeler & Steenbeek 2021) instead reports ``RRI =
  predicted / observed`` in the flagged units, which needs scores that are
  expected counts: ``definition="predicted"`` computes that one. Levine's paper
  itself was not read (evidence-base.md §7.2, item 8 of §12).
* **PEI*** is implemented as "PEI with the oracle's area shrunk to what it
  needs": when fewer units had any test incident than the flagged area can
  hold, PEI's oracle pads its selection with empty units, which makes its PAI
  smaller and PEI larger; PEI* divides by the PAI of the oracle's non-empty
  units only, so PEI* <= PEI with equality whenever the oracle's whole area
  holds incidents. The exact wording of White, Hunt & Green (2023) was not read
  (not verified).

Ties
----
Units are flagged in decreasing order of score until the flagged area reaches
``coverage × A`` **exactly**: the block of units whose score ties at the
threshold (or the single unit that straddles it) is included **fractionally**,
each unit of the block with the same inclusion weight ``f`` in (0, 1]. A
weight ``f`` counts ``f × observed`` incidents and ``f × area`` m². This is the
expected value of flagging a random part of the tied block, so the result does
not depend on the order of the input (no hidden tie-break) and ``a / A`` equals
the requested coverage. The oracle of PEI uses the same rule on observed
density. :func:`flag_weights` returns the weights.

Zero-crime test periods (N = 0) make every metric undefined: the functions
return NaN and issue a :class:`~hotspot.exceptions.DataQualityWarning`; they
never raise.

References
----------
Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for
predicting spatial patterns of crime. *Security Journal* 21(1–2), 4–28.

Hunt, J. M. (2016). *Do crime hot spots move? Exploring the effects of the
modifiable areal unit problem and modifiable temporal unit problem on crime hot
spot stability.* PhD dissertation / NIJ.

Levine, N. (2008). The "hottest" part of a hotspot: comments on "The utility of
hotspot mapping for predicting spatial patterns of crime". *Security Journal*
21, 295–302.

White, V. M., Hunt, J. & Green, B. (2023). A discussion of current crime
forecasting indices and an improvement to the prediction efficiency index for
applications. *Security Journal*.

Wheeler, A. P. & Steenbeek, W. (2021). Mapping the risk terrain for crime using
machine learning. *Journal of Quantitative Criminology* 37(2), 445–480.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from hotspot._core.errors import warn_user
from hotspot.exceptions import DataQualityWarning, InvalidInputError

__all__ = [
    "coverage_curve",
    "flag_weights",
    "hit_rate",
    "pai",
    "pei",
    "pei_star",
    "rri",
    "skill",
]

RRIDefinition = Literal["levine", "predicted"]

#: Coverages of :func:`coverage_curve` when none are given: 1 %, 2 %, ..., 100 %.
DEFAULT_CURVE = np.round(np.arange(1, 101) / 100.0, 2)


# ----------------------------------------------------------------------------- inputs


def _align(**arrays: Any) -> tuple[dict[str, np.ndarray | None], pd.Index | None]:
    """Turn inputs into float arrays; pandas Series are aligned on the first Series' index."""
    index = None
    for value in arrays.values():
        if isinstance(value, pd.Series):
            index = value.index
            break
    out: dict[str, np.ndarray | None] = {}
    for name, value in arrays.items():
        if value is None:
            out[name] = None
            continue
        if isinstance(value, pd.Series) and index is not None and not value.index.equals(index):
            if not value.index.sort_values().equals(index.sort_values()):
                msg = (
                    f"`{name}` is a Series whose index does not match the other inputs' "
                    "index (the units' `unit_id`); pass values for the same units."
                )
                raise InvalidInputError(msg)
            value = value.reindex(index)
        arr = np.asarray(value, dtype=float).reshape(-1)
        out[name] = arr
    sizes = {name: len(v) for name, v in out.items() if v is not None}
    if len(set(sizes.values())) > 1:
        msg = f"inputs must have one value per unit; got lengths {sizes}."
        raise InvalidInputError(msg)
    return out, index


@dataclass(frozen=True)
class _Inputs:
    scores: np.ndarray | None
    observed: np.ndarray
    area: np.ndarray
    baseline: np.ndarray | None


def _inputs(
    scores: Any, observed: Any, area: Any, baseline: Any = None, flagged: Any = None
) -> tuple[_Inputs, np.ndarray | None]:
    arrays, _ = _align(
        scores=scores, observed=observed, area=area, baseline=baseline, flagged=flagged
    )
    obs = arrays["observed"]
    assert obs is not None
    if np.any(~np.isfinite(obs)) or np.any(obs < 0):
        msg = "`observed` must hold finite, non-negative counts per unit (test period)."
        raise InvalidInputError(msg)
    ar = arrays["area"]
    if ar is None:
        ar = np.ones_like(obs)
    elif np.any(~np.isfinite(ar)) or np.any(ar <= 0):
        msg = "`area` must be finite and > 0 for every unit (m²; e.g. `units.area`)."
        raise InvalidInputError(msg)
    sc = arrays["scores"]
    if sc is not None and np.any(np.isnan(sc)):
        msg = (
            "`scores` holds NaN; give every unit a score (e.g. `scores.fillna(0)`), "
            "so that the ranking is defined."
        )
        raise InvalidInputError(msg)
    base = arrays["baseline"]
    if base is not None and (np.any(~np.isfinite(base)) or np.any(base < 0)):
        msg = "`baseline` must hold finite, non-negative counts per unit (training period)."
        raise InvalidInputError(msg)
    return _Inputs(sc, obs, ar, base), arrays["flagged"]


def _check_coverage(coverage: Any) -> float:
    c = float(coverage)
    if not (0.0 < c <= 1.0):
        msg = f"`coverage` is a share of the total area in (0, 1], got {coverage!r}."
        raise InvalidInputError(msg)
    return c


# ----------------------------------------------------------------------------- flagging


def flag_weights(scores: Any, area: Any = None, *, coverage: float) -> np.ndarray:
    """Inclusion weight in [0, 1] of each unit when flagging ``coverage`` of the area.

    Units are taken in decreasing order of ``scores``; the block of units tied
    at the threshold is included fractionally (one common weight) so that the
    flagged area is exactly ``coverage`` times the total area.

    Parameters
    ----------
    scores
        Score per unit (higher = flagged first).
    area
        Area per unit in m²; equal areas when None.
    coverage
        Share of the total area to flag, in (0, 1].

    Returns
    -------
    numpy.ndarray
        Weight per unit: 1 (flagged), 0 (not flagged) or a fraction (the tied
        block at the threshold).

    Examples
    --------
    >>> from hotspot.assess.metrics import flag_weights
    >>> flag_weights([5, 3, 3, 1], coverage=0.5).tolist()  # a tie at the threshold
    [1.0, 0.5, 0.5, 0.0]
    """
    arrays, _ = _align(scores=scores, area=area)
    sc = arrays["scores"]
    assert sc is not None
    ar = np.ones_like(sc) if arrays["area"] is None else arrays["area"]
    assert ar is not None
    return _weights(sc, ar, _check_coverage(coverage) * float(ar.sum()))


def _weights(scores: np.ndarray, area: np.ndarray, target: float) -> np.ndarray:
    """Fractional top-``target``-area selection by ``scores`` (ties share one weight)."""
    return _Ranking(scores, area).weights(target)


class _Ranking:
    """Units sorted once by decreasing score, grouped into blocks of tied scores."""

    def __init__(self, scores: np.ndarray, area: np.ndarray) -> None:
        self.n = len(scores)
        self.order = np.argsort(-scores, kind="stable")
        s_sorted = scores[self.order]
        starts = np.flatnonzero(np.r_[True, s_sorted[1:] != s_sorted[:-1]]) if self.n else []
        self.block_area = np.add.reduceat(area[self.order], starts) if self.n else np.zeros(0)
        self.cum = np.cumsum(self.block_area)
        self.lengths = np.diff(np.r_[starts, self.n]).astype(np.int64)

    def weights(self, target: float) -> np.ndarray:
        w = np.zeros(self.n)
        if self.n == 0 or target <= 0:
            return w
        before = self.cum - self.block_area
        frac = np.clip((target - before) / self.block_area, 0.0, 1.0)
        # snap round-off so that whole blocks are exactly 1 and later blocks exactly 0
        frac[(self.cum < target) | np.isclose(self.cum, target, rtol=1e-12, atol=0.0)] = 1.0
        frac[before >= target * (1 - 1e-12)] = 0.0
        w[self.order] = np.repeat(frac, self.lengths)
        return w


def _flagged_weights(
    inp: _Inputs, coverage: float | None, flagged: np.ndarray | None
) -> np.ndarray:
    if (coverage is None) == (flagged is None):
        msg = "give exactly one of `coverage` (share of the area) or `flagged` (mask/weights)."
        raise InvalidInputError(msg)
    if flagged is not None:
        w = np.asarray(flagged, dtype=float)
        if np.any(~np.isfinite(w)) or np.any((w < 0) | (w > 1)):
            msg = "`flagged` must be a boolean mask or weights in [0, 1], one per unit."
            raise InvalidInputError(msg)
        return w
    if inp.scores is None:
        msg = "`scores` is needed to flag units by `coverage`."
        raise InvalidInputError(msg)
    return _weights(inp.scores, inp.area, _check_coverage(coverage) * float(inp.area.sum()))


def _oracle_count(
    observed: np.ndarray, area: np.ndarray, target: float, oracle: _Ranking | None = None
) -> float:
    """Most incidents any (fractional) selection of ``target`` m² can hold."""
    oracle = oracle if oracle is not None else _Ranking(observed / area, area)
    return float(np.sum(oracle.weights(target) * observed))


def _oracle_area(observed: np.ndarray, area: np.ndarray, target: float) -> float:
    """Smallest area holding the oracle's count: its flagged area minus empty units."""
    return float(min(target, area[observed > 0].sum()))


# ----------------------------------------------------------------------------- core


@dataclass(frozen=True)
class _Skill:
    coverage: float
    n: float
    n_total: float
    area: float
    area_total: float
    n_max: float
    area_min: float
    rri: float

    @property
    def hit_rate(self) -> float:
        return self.n / self.n_total if self.n_total > 0 else np.nan

    @property
    def pai(self) -> float:
        if self.n_total <= 0 or self.area <= 0:
            return np.nan
        return self.hit_rate / (self.area / self.area_total)

    @property
    def pei(self) -> float:
        return self.n / self.n_max if self.n_max > 0 else np.nan

    @property
    def pei_star(self) -> float:
        if self.n_max <= 0 or self.area <= 0:
            return np.nan
        return self.pei * self.area_min / self.area


def _compute(
    inp: _Inputs,
    w: np.ndarray,
    *,
    definition: RRIDefinition = "levine",
    warn: bool = True,
    oracle: _Ranking | None = None,
) -> _Skill:
    n_total = float(inp.observed.sum())
    if n_total <= 0 and warn:
        warn_user(
            "no incidents in the test period (observed sums to 0): hit rate, PAI, PEI, "
            "PEI* and RRI are undefined and returned as NaN.",
            DataQualityWarning,
        )
    area_total = float(inp.area.sum())
    a = float(np.sum(w * inp.area))
    n = float(np.sum(w * inp.observed))
    n_max = _oracle_count(inp.observed, inp.area, a, oracle) if n_total > 0 else 0.0
    a_min = _oracle_area(inp.observed, inp.area, a)
    return _Skill(
        coverage=a / area_total,
        n=n,
        n_total=n_total,
        area=a,
        area_total=area_total,
        n_max=n_max,
        area_min=a_min,
        rri=_rri(inp, w, n, n_total, definition),
    )


def _rri(inp: _Inputs, w: np.ndarray, n: float, n_total: float, definition: str) -> float:
    if definition == "levine":
        if inp.baseline is None:
            return np.nan
        n_base = float(np.sum(w * inp.baseline))
        n_base_total = float(inp.baseline.sum())
        if n_total <= 0 or n_base <= 0 or n_base_total <= 0:
            return np.nan
        return (n / n_base) / (n_total / n_base_total)
    if definition == "predicted":
        if inp.scores is None or n <= 0:
            return np.nan
        return float(np.sum(w * inp.scores)) / n
    msg = f"`definition` must be 'levine' or 'predicted', got {definition!r}."
    raise InvalidInputError(msg)


def _skill(
    scores: Any,
    observed: Any,
    area: Any,
    coverage: float | None,
    flagged: Any,
    baseline: Any = None,
    definition: RRIDefinition = "levine",
) -> _Skill:
    inp, fl = _inputs(scores, observed, area, baseline, flagged)
    w = _flagged_weights(inp, coverage, fl)
    return _compute(inp, w, definition=definition)


# ----------------------------------------------------------------------------- public


def hit_rate(
    scores: Any,
    observed: Any,
    area: Any = None,
    *,
    coverage: float | None = None,
    flagged: Any = None,
) -> float:
    """Share of the test incidents that fall in the flagged units, n / N.

    Chainey, Tompson & Uhlig (2008). See the module docstring for the tie rule.

    Parameters
    ----------
    scores
        Forecast score per unit (higher = riskier). May be None when ``flagged``
        is given.
    observed
        Test-period incident count per unit.
    area
        Area per unit in m²; equal areas when None.
    coverage
        Share of the total area to flag, in (0, 1].
    flagged
        Instead of ``coverage``: a boolean mask (or weights in [0, 1]) of the
        flagged units.

    Returns
    -------
    float
        Hit rate in [0, 1]; NaN (with a warning) when there is no test incident.

    Examples
    --------
    >>> from hotspot.assess.metrics import hit_rate
    >>> hit_rate([4, 3, 2, 1], [5, 0, 3, 2], coverage=0.25)
    0.5
    >>> hit_rate(None, [5, 0, 3, 2], flagged=[True, False, True, False])
    0.8
    """
    return _skill(scores, observed, area, coverage, flagged).hit_rate


def pai(
    scores: Any,
    observed: Any,
    area: Any = None,
    *,
    coverage: float | None = None,
    flagged: Any = None,
) -> float:
    """Predictive accuracy index, (n / N) / (a / A) (Chainey, Tompson & Uhlig 2008).

    PAI is 1 for a map no better than chance and at most ``A / a`` (all test
    incidents inside the flagged area).

    Parameters
    ----------
    scores, observed, area, coverage, flagged
        As in :func:`hit_rate`.

    Returns
    -------
    float
        PAI; NaN (with a warning) when there is no test incident.

    Examples
    --------
    >>> from hotspot.assess.metrics import pai
    >>> pai([4, 3, 2, 1], [5, 0, 3, 2], coverage=0.25)  # hit rate 0.5 on 25 % of the area
    2.0
    """
    return _skill(scores, observed, area, coverage, flagged).pai


def pei(
    scores: Any,
    observed: Any,
    area: Any = None,
    *,
    coverage: float | None = None,
    flagged: Any = None,
) -> float:
    """Predictive efficiency index, PAI / PAI_max = n / n_max (Hunt 2016).

    ``n_max`` is the largest number of test incidents any selection of the same
    area could have held (units taken by observed density, ties fractional).
    PEI is 1 for a perfect forecast.

    Parameters
    ----------
    scores, observed, area, coverage, flagged
        As in :func:`hit_rate`.

    Returns
    -------
    float
        PEI in [0, 1]; NaN (with a warning) when there is no test incident.

    Examples
    --------
    >>> from hotspot.assess.metrics import pei
    >>> pei([4, 3, 2, 1], [5, 0, 3, 2], coverage=0.5)  # holds 5 of the best 8
    0.625
    """
    return _skill(scores, observed, area, coverage, flagged).pei


def pei_star(
    scores: Any,
    observed: Any,
    area: Any = None,
    *,
    coverage: float | None = None,
    flagged: Any = None,
) -> float:
    """PEI* (White, Hunt & Green 2023): PAI / PAI of the oracle's smallest area.

    ``PAI* = (n_max / N) / (a* / A)`` with ``a*`` the area of the oracle's
    selection without its empty units, so ``PEI* = PEI · a* / a``. It is below
    PEI when fewer units had incidents than the flagged area could hold (short
    test periods, rare crimes). See the module docstring: the formula was not
    verified against the paper.

    Parameters
    ----------
    scores, observed, area, coverage, flagged
        As in :func:`hit_rate`.

    Returns
    -------
    float
        PEI* in [0, 1]; NaN (with a warning) when there is no test incident.

    Examples
    --------
    >>> from hotspot.assess.metrics import pei, pei_star
    >>> obs = [1, 0, 0, 0, 0, 0, 0, 0]  # one incident, flag half of 8 equal units
    >>> pei([8, 7, 6, 5, 4, 3, 2, 1], obs, coverage=0.5)
    1.0
    >>> pei_star([8, 7, 6, 5, 4, 3, 2, 1], obs, coverage=0.5)  # oracle needs 1 unit, not 4
    0.25
    """
    return _skill(scores, observed, area, coverage, flagged).pei_star


def rri(
    scores: Any,
    observed: Any,
    area: Any = None,
    *,
    baseline: Any = None,
    coverage: float | None = None,
    flagged: Any = None,
    definition: RRIDefinition = "levine",
) -> float:
    """Recapture rate index of the flagged units.

    ``definition="levine"`` (default; Levine 2008 as usually stated):
    ``(n / n_base) / (N / N_base)``, the change of the count in the flagged
    units from the baseline (training) period to the test period, relative to
    the change of the total. 1 means the flagged units kept their share; above
    1, they "recaptured" more than their share. Needs ``baseline``.

    ``definition="predicted"`` (R ``ptools::pai``, Wheeler & Steenbeek 2021):
    sum of ``scores`` over the flagged units divided by the test incidents in
    them; meaningful only when scores are expected counts.

    Parameters
    ----------
    scores, observed, area, coverage, flagged
        As in :func:`hit_rate`.
    baseline
        Baseline (training) period count per unit, for ``"levine"``.
    definition
        ``"levine"`` or ``"predicted"``.

    Returns
    -------
    float
        RRI; NaN when undefined (no test incident, or no baseline incident in
        the flagged units for ``"levine"``, or none observed for ``"predicted"``).

    Examples
    --------
    >>> from hotspot.assess.metrics import rri
    >>> # flagged unit: 10 -> 6 incidents while the total fell 20 -> 10
    >>> rri([3, 2, 1, 0], [6, 2, 1, 1], baseline=[10, 5, 3, 2], coverage=0.25)
    1.2
    """
    return _skill(scores, observed, area, coverage, flagged, baseline, definition).rri


def skill(
    scores: Any,
    observed: Any,
    area: Any = None,
    *,
    coverage: float | None = None,
    flagged: Any = None,
    baseline: Any = None,
    definition: RRIDefinition = "levine",
) -> dict[str, float]:
    """Every metric for one flagged selection, as a dict (one ranking pass).

    Parameters
    ----------
    scores, observed, area, coverage, flagged
        As in :func:`hit_rate`.
    baseline, definition
        As in :func:`rri`.

    Returns
    -------
    dict
        Keys ``coverage`` (flagged area share), ``hit_rate``, ``pai``, ``pei``,
        ``pei_star``, ``rri``, ``n_test`` (N), ``n_flagged`` (n, fractional at
        ties) and ``n_max``.

    Examples
    --------
    >>> from hotspot.assess.metrics import skill
    >>> s = skill([4, 3, 2, 1], [5, 0, 3, 2], coverage=0.25)
    >>> s["hit_rate"], s["pai"], s["pei"]
    (0.5, 2.0, 1.0)
    """
    s = _skill(scores, observed, area, coverage, flagged, baseline, definition)
    return _as_dict(s)


def _as_dict(s: _Skill) -> dict[str, float]:
    return {
        "coverage": s.coverage,
        "hit_rate": s.hit_rate,
        "pai": s.pai,
        "pei": s.pei,
        "pei_star": s.pei_star,
        "rri": s.rri,
        "n_test": s.n_total,
        "n_flagged": s.n,
        "n_max": s.n_max,
    }


def coverage_curve(
    scores: Any,
    observed: Any,
    area: Any = None,
    *,
    coverages: Sequence[float] | np.ndarray | None = None,
    baseline: Any = None,
    definition: RRIDefinition = "levine",
) -> pd.DataFrame:
    """Hit rate, PAI, PEI, PEI* and RRI at each of several area coverages.

    Parameters
    ----------
    scores, observed, area
        As in :func:`hit_rate`.
    coverages
        Shares of the total area in (0, 1]; 1 %, 2 %, ..., 100 % when None.
    baseline, definition
        As in :func:`rri` (RRI is NaN without a baseline for ``"levine"``).

    Returns
    -------
    pandas.DataFrame
        One row per coverage with columns ``coverage``, ``hit_rate``, ``pai``,
        ``pei``, ``pei_star``, ``rri``, ``n_test``, ``n_flagged``, ``n_max``.
        With no test incident every metric is NaN and one warning is issued.

    Examples
    --------
    >>> from hotspot.assess.metrics import coverage_curve
    >>> curve = coverage_curve([4, 3, 2, 1], [5, 0, 3, 2], coverages=[0.25, 0.5, 1.0])
    >>> curve[["coverage", "hit_rate", "pai"]].to_numpy().tolist()
    [[0.25, 0.5, 2.0], [0.5, 0.5, 1.0], [1.0, 1.0, 1.0]]
    """
    inp, _ = _inputs(scores, observed, area, baseline)
    if inp.scores is None:
        msg = "`scores` is needed for a coverage curve."
        raise InvalidInputError(msg)
    covs = DEFAULT_CURVE if coverages is None else np.asarray(coverages, dtype=float)
    total_area = float(inp.area.sum())
    if inp.observed.sum() <= 0:
        warn_user(
            "no incidents in the test period (observed sums to 0): every metric of the "
            "coverage curve is NaN.",
            DataQualityWarning,
        )
    ranking = _Ranking(inp.scores, inp.area)
    oracle = _Ranking(inp.observed / inp.area, inp.area)
    rows = []
    for c in covs:
        w = ranking.weights(_check_coverage(c) * total_area)
        rows.append(_as_dict(_compute(inp, w, definition=definition, warn=False, oracle=oracle)))
    out = pd.DataFrame(rows, columns=list(_as_dict(_Skill(0, 0, 0, 1, 1, 0, 0, 0))))
    out["coverage"] = covs
    return out
