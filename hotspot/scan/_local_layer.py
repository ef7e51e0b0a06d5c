"""Steps shared by the GeoDataFrame functions of :mod:`hotspot.scan.stats`.

:func:`~hotspot.scan.stats.gi_star` and :func:`~hotspot.scan.stats.local_moran` check
their options and units, build the neighbour matrix, handle cells partly outside the
study area, warn about too little data, and record what was done in
``attrs["hotspot"]`` in the same way: :func:`_test` and :func:`_record`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
from scipy import sparse

from hotspot._core.errors import warn_user
from hotspot._core.meta import attach, note_choice
from hotspot._core.validation import (
    check_count,
    check_geodataframe,
    check_non_empty,
    numeric_column,
)
from hotspot._core.weights import n_islands, weights_for_units
from hotspot.exceptions import HotspotWarning, InvalidInputError

MIN_UNITS = 30
MIN_INCIDENTS = 30
_CORRECTIONS = ("fdr_bh", "bonferroni", "holm", None)


@dataclass(frozen=True)
class _Run:
    """One run of a local statistic on the tested units, as :func:`_record` stores it."""

    step: str  # "gi_star" or "local_moran"
    res: Any  # the array core's result (GiStarResult or LocalMoranResult)
    w: sparse.csr_array  # neighbour weights among the tested units
    description: str  # of the neighbour rule
    tested: np.ndarray | None  # positions of the tested units (None: all)
    edge: dict[str, str] | None  # edge handling, for attrs (None: no inside_share)
    n_all: int  # number of units
    params: dict[str, Any]  # the run's parameters, for attrs


def _test(
    units: Any,
    column: str,
    core: Callable[..., Any],
    neighbors: Any,
    permutations: int | None,
    alternative: str,
    correction: Any,
    alpha: float,
    random_state: Any,
    min_share: float,
    *,
    non_negative: bool,
) -> _Run:
    """Check the options and units, build the weights, adjust edges, warn, run ``core``.

    ``core`` is the array core (``gi_star_arrays`` or ``local_moran_arrays``); its
    name without ``_arrays`` names the step in warnings and ``attrs``.
    """
    step = core.__name__.removesuffix("_arrays")
    _check_options(alpha, correction, permutations)
    y = _values(units, column, non_negative=non_negative)
    w, description = weights_for_units(units, neighbors)
    n_all = len(y)
    y, w, tested, edge = _edge_adjust(units, y, w, min_share)
    _warn_small(y, column, w, step)
    _warn_permutation_floor(len(y), permutations, alternative, correction, alpha, step)
    res = core(y, w, permutations=permutations, alternative=alternative, random_state=random_state)
    params = _run_params(
        column, neighbors, permutations, alternative, correction, alpha, random_state
    )
    return _Run(step, res, w, description, tested, edge, n_all, params)


def _record(out: gpd.GeoDataFrame, run: _Run, weights: str) -> gpd.GeoDataFrame:
    """Note the weights, inference and edge handling of ``run`` and attach them to ``out``."""
    res = run.res
    choices: dict[str, Any] = {}
    note_choice(choices, "weights", weights, f"from neighbors={run.params['neighbors']}")
    _note_inference(
        choices, res.method, res.permutations, res.lattice_step, run.params["correction"]
    )
    if run.edge:
        note_choice(choices, "edges", run.edge["value"], run.edge["reason"])
    return attach(out, run.step, run.params, choices, n_islands=n_islands(run.w))


def _values(units: Any, column: str, *, non_negative: bool) -> np.ndarray:
    check_geodataframe(units, "units")
    check_non_empty(units, "units")
    fix = (
        "Gi* needs non-negative values such as counts or rates; fill missing counts "
        "with `.fillna(0)` or drop those units."
    )
    return numeric_column(units, column, "units", non_negative=non_negative, fix=fix)


def _warn_small(y: np.ndarray, column: str, w: sparse.csr_array, step: str) -> None:
    n = len(y)
    if n < MIN_UNITS:
        warn_user(
            f"{step}: only {n} units; inference needs at least {MIN_UNITS} units to be meaningful.",
            HotspotWarning,
        )
    total = float(y.sum())
    if total < MIN_INCIDENTS:
        warn_user(
            f"{step}: column {column!r} sums to {total:g} (< {MIN_INCIDENTS}); too few "
            "incidents for reliable inference: treat the classes as descriptive.",
            HotspotWarning,
        )
    if np.ptp(y) == 0:
        warn_user(
            f"{step}: column {column!r} is constant; the statistic is undefined (NaN).",
            HotspotWarning,
        )
    islands = n_islands(w)
    if islands:
        warn_user(
            f"{step}: {islands} unit(s) have no neighbours (islands).",
            HotspotWarning,
        )


def _warn_permutation_floor(
    n: int, permutations: int, alternative: str, correction: Any, alpha: float, step: str
) -> None:
    """Warn when the permutation p-value floor makes a small hotspot undetectable."""
    if not permutations or correction is None:
        return
    p_min = (2.0 if alternative == "two-sided" else 1.0) / (permutations + 1)
    if p_min * n > alpha:
        suggest = int(np.ceil((2.0 if alternative == "two-sided" else 1.0) * n / alpha))
        if correction == "fdr_bh":
            need = int(np.floor(p_min * n / alpha)) + 1
            what = f"a hotspot needs at least {need} units at that floor to reach alpha={alpha}"
        else:
            what = f"no unit can reach alpha={alpha}"
        warn_user(
            f"{step}: with {permutations} permutations the smallest p_sim is {p_min:.2g}; "
            f"after {correction} over {n} units {what}. Use the default exact "
            f"randomisation (permutations=None) or about {suggest} permutations.",
            HotspotWarning,
        )


def _check_options(alpha: float, correction: Any, permutations: Any = 0) -> None:
    if permutations is not None:  # None: exact conditional randomisation
        check_count(permutations, "permutations")
    if not (correction is None or isinstance(correction, str)) or (
            correction not in _CORRECTIONS):
        msg = f"correction must be one of {_CORRECTIONS}, got {correction!r}."
        raise InvalidInputError(msg)
    if not isinstance(alpha, int | float | np.number) or isinstance(alpha, bool) or not (
            0 < alpha <= 0.1):
        msg = f"alpha must be in (0, 0.1] (e.g. 0.05), got {alpha!r}."
        raise InvalidInputError(msg)


_METHOD_TEXT = {
    "exact": "exact conditional randomisation (the limit of infinitely many permutations)",
    "permutation": "Monte Carlo conditional permutations",
    "normal": "normal approximation of the Gi* z-score",
}


def _note_inference(
    choices: dict[str, Any], method: str, permutations: int, step: float, correction: Any
) -> None:
    """Record which inference made ``p_value`` and how it was corrected."""
    if method == "exact":
        detail = (
            "counts used as they are"
            if step == 1.0
            else f"values rounded to a lattice step of {step:.4g}"
        )
    elif method == "permutation":
        detail = f"{permutations} permutations"
    else:
        detail = "asked for with permutations=0"
    note_choice(choices, "inference", method, f"{_METHOD_TEXT[method]}; {detail}")
    note_choice(
        choices,
        "corrected_p",
        "p_value",
        f"{correction or 'no'} correction applied once, to the {method} p-values",
    )


def _edge_adjust(
    units: Any, y: np.ndarray, w: sparse.csr_array, min_share: float
) -> tuple[np.ndarray, sparse.csr_array, np.ndarray | None, dict[str, str] | None]:
    """Turn counts into counts per full cell of study area; leave out cells below ``min_share``.

    Returns the values and weights of the tested units, the positions of the tested
    units (None when all are) and a description for ``attrs`` (None without an
    ``inside_share`` column).
    """
    if "inside_share" not in getattr(units, "columns", ()):
        return y, w, None, None
    if not 0 < min_share <= 1:
        msg = f"min_share must be in (0, 1] (e.g. 0.5), got {min_share!r}."
        raise InvalidInputError(msg)
    share = units["inside_share"].to_numpy(dtype=float, na_value=np.nan)
    if not (np.isfinite(share) & (share > 0) & (share <= 1 + 1e-9)).all():
        msg = (
            "column 'inside_share' must hold each cell's share of area inside the study "
            "area, in (0, 1]; rebuild the grid with `hs.grid(..., study_area=...)` or "
            "drop the column."
        )
        raise InvalidInputError(msg)
    keep = np.flatnonzero(share >= min_share)
    dropped = len(y) - len(keep)
    partial = int(((share < 1 - 1e-9) & (share >= min_share)).sum())
    reason = (
        f"{partial} edge cells partly outside the study area: counts divided by their "
        f"inside share; {dropped} cells with less than {min_share:.0%} inside left out"
    )
    value = f"inside_share >= {min_share:g}"
    y_share = y[keep] / share[keep]
    w_kept = sparse.csr_array(w[keep][:, keep])
    tested = keep if dropped else None
    return y_share, w_kept, tested, {"value": value, "reason": reason}


def _expand(values: np.ndarray, tested: np.ndarray | None, n: int) -> np.ndarray:
    """Values of the tested units placed back among all ``n`` units (NaN elsewhere)."""
    if tested is None:
        return values
    out = np.full(n, np.nan)
    out[tested] = values
    return out


def _run_params(
    column: str,
    neighbors: Any,
    permutations: int | None,
    alternative: str,
    correction: str | None,
    alpha: float,
    random_state: Any,
) -> dict[str, Any]:
    """Parameters of a local-statistic run, as stored in ``attrs`` (JSON-friendly)."""
    return {
        "column": column,
        "neighbors": _short(neighbors),
        "permutations": None if permutations is None else int(permutations),
        "alternative": alternative,
        "correction": correction,
        "alpha": alpha,
        "random_state": random_state
        if not isinstance(random_state, np.random.Generator)
        else "Generator",
    }


def _short(neighbors: Any) -> Any:
    """JSON-friendly description of a ``neighbors`` argument."""
    if isinstance(neighbors, (str, int, float, tuple, dict)) and not sparse.issparse(neighbors):
        return neighbors
    return type(neighbors).__name__
