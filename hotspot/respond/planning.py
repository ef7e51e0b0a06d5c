"""Response: the best portfolio of scored measures under separate budgets.

:func:`plan` takes the rows of :func:`hotspot.respond.interventions.score_interventions`
and chooses, with an exact 0-1 integer program (``scipy.optimize.milp``, HiGHS), the
measures and places that prevent the most under a capital budget, a yearly budget and an
officer-hours budget, none of which is ever exceeded. Two complementary measures at one
place combine multiplicatively on the incidents they share, 1 - (1 - a)(1 - b); a measure
whose published effect already includes another is never added to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats
from scipy.optimize import Bounds, LinearConstraint, milp

from hotspot._core.meta import attach
from hotspot._core.validation import check_columns
from hotspot.exceptions import InvalidInputError

__all__ = ["COMPLEMENTARY", "costed_patrol", "plan"]

#: measures that may be combined at one hotspot by :func:`plan` (their effects combine
#: multiplicatively on shared incidents; a measure never combines with one it includes)
COMPLEMENTARY: tuple[tuple[str, str], ...] = (
    ("street_lighting", "hot_spots_patrol"),
    ("street_lighting_area", "hot_spots_patrol"),
    ("cctv_car_park", "hot_spots_patrol"),
    ("target_hardening", "alley_gating"),
    ("target_hardening", "hot_spots_patrol"),
    ("cctv_residential", "street_lighting"),
)


def _options(
    cand: pd.DataFrame, objective: str, complementary: Iterable[tuple[str, str]]
) -> pd.DataFrame:
    """Single measures and allowed pairs per hotspot, pairs without double counting.

    Two measures with effects a and b acting on shared incidents reduce them by
    1 - (1 - a)(1 - b): the pair's total is the sum less a x b x (the smaller baseline),
    the overlap counted once. A pair where one measure's published effect includes the
    other (``includes``) is never formed.
    """
    single = cand.assign(a=cand.index, b=-1)
    comp = {frozenset(p) for p in complementary}
    pairs = cand.reset_index().merge(cand.reset_index(), on="hotspot_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["index_a"] < pairs["index_b"]]
    if len(pairs):
        ok = [frozenset((x, y)) in comp and x not in str(iy).split(",")
              and y not in str(ix).split(",")
              for x, y, ix, iy in zip(pairs["intervention_a"], pairs["intervention_b"],
                                      pairs["includes_a"], pairs["includes_b"], strict=True)]
        pairs = pairs[np.asarray(ok, dtype=bool)]
    rows = [single[["hotspot_id", "a", "b", "capital", "annual_cost", "officer_hours_per_week",
                    objective]]]
    if len(pairs):
        ra, rb = cand.loc[pairs["index_a"]], cand.loc[pairs["index_b"]]
        over = _overlap(ra, rb, objective)
        rows.append(pd.DataFrame({
            "hotspot_id": pairs["hotspot_id"].to_numpy(), "a": pairs["index_a"].to_numpy(),
            "b": pairs["index_b"].to_numpy(),
            **{c: ra[c].to_numpy() + rb[c].to_numpy()
               for c in ("capital", "annual_cost", "officer_hours_per_week")},
            objective: ra[objective].to_numpy() + rb[objective].to_numpy() - over,
        }))
    return pd.concat(rows, ignore_index=True)


def _overlap(ra: pd.DataFrame, rb: pd.DataFrame, col: str) -> np.ndarray:
    """Amount of ``col`` counted twice when two measures act on shared incidents."""
    def eff(r: pd.DataFrame) -> np.ndarray:
        base = r["baseline"].to_numpy(dtype=float)
        return np.divide(r["prevented"].to_numpy(dtype=float), base, out=np.zeros(len(r)),
                         where=base > 0)

    ba, bb = ra["baseline"].to_numpy(float), rb["baseline"].to_numpy(float)
    small = np.where(ba <= bb, 0, 1)
    shared_prev = eff(ra) * eff(rb) * np.minimum(ba, bb)
    per = np.stack([
        np.divide(r[col].to_numpy(float), r["prevented"].to_numpy(float),
                  out=np.zeros(len(r)), where=r["prevented"].to_numpy(float) > 0)
        for r in (ra, rb)])
    return shared_prev * per[small, np.arange(len(ra))]


def _solve(opts: pd.DataFrame, objective: str, budgets: dict[str, float | None]) -> np.ndarray:
    """0-1 program over options: max objective, budgets, one option per hotspot."""
    n = len(opts)
    cons = [LinearConstraint(opts[col].to_numpy(float)[None, :], -np.inf, float(val))
            for col, val in budgets.items() if val is not None]
    codes = pd.factorize(opts["hotspot_id"])[0]
    one = sp.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(codes.max() + 1, n))
    cons.append(LinearConstraint(one, -np.inf, 1.0))
    obj = opts[objective].to_numpy(float)
    spend = opts["capital"].to_numpy(float) + opts["annual_cost"].to_numpy(float)
    # tiny spending penalty breaks ties towards cheaper portfolios
    c = -obj / max(float(np.abs(obj).max()), 1e-12) + 1e-7 * spend / max(spend.max(), 1e-12)
    res = milp(c, constraints=cons, integrality=np.ones(n), bounds=Bounds(0, 1))
    if res.x is None:
        raise InvalidInputError(f"the integer program failed: {res.message}")
    return np.round(res.x) > 0.5


def _total_interval(chosen: pd.DataFrame, col: str, interval: float) -> tuple[float, float]:
    """Interval of a total: full correlation within a measure, independent across measures.

    Each row's spread is its interval width / (2 z); the effect draw is shared by all
    hotspots given the same measure, so spreads add within a measure and add in
    quadrature across measures (a normal approximation, floored at 0).
    """
    if f"{col}_low" not in chosen or chosen.empty:
        v = float(chosen[col].sum()) if col in chosen else 0.0
        return v, v
    z = stats.norm.ppf(0.5 + interval / 2.0)
    sd = (chosen[f"{col}_high"] - chosen[f"{col}_low"]) / (2 * z)
    total = float(chosen[col].sum())
    spread = float(np.sqrt((sd.groupby(chosen["intervention"]).sum() ** 2).sum()))
    return max(0.0, total - z * spread), total + z * spread


def plan(
    scores: pd.DataFrame,
    *,
    capital_budget: float | None = None,
    annual_budget: float | None = None,
    officer_hours_per_week: float | None = None,
    objective: str = "harm_prevented",
    complementary: Iterable[tuple[str, str]] = COMPLEMENTARY,
) -> pd.DataFrame:
    """Best portfolio of measures under a capital, a yearly and an officer-hours budget.

    An exact 0-1 integer program (``scipy.optimize.milp``, HiGHS) over options: each
    scored row alone, and each pair of ``complementary`` measures at one hotspot whose
    effects combine as 1 - (1 - a)(1 - b) on shared incidents (never a pair where one
    measure's published effect includes the other). At most one option per hotspot. It
    maximises the sum of ``objective`` subject to sum(``capital``) <= ``capital_budget``,
    sum(``annual_cost``) <= ``annual_budget`` and sum(``officer_hours_per_week``) <=
    ``officer_hours_per_week``: no budget is ever exceeded. Rows with a non-positive or
    missing objective are never chosen.

    Parameters
    ----------
    scores
        The frame from :func:`score_interventions`.
    capital_budget
        Up-front money available, in the scores' currency; None: unlimited.
    annual_budget
        Yearly running money (running costs + officer time costed); None: unlimited.
    officer_hours_per_week
        Officer hours a week available; None: unlimited.
    objective
        Column to maximise: ``"harm_prevented"`` (default), ``"prevented"`` or
        ``"benefit"`` (valued crime only: what could not be valued is reported).
    complementary
        Pairs of intervention ids that may share a hotspot.

    Returns
    -------
    pandas.DataFrame
        The chosen rows of ``scores`` plus ``combined_with`` and ``overlap`` (the
        ``objective`` counted once for a pair, subtracted on the pair's second row).
        ``attrs["totals"]``: ``capital``, ``annual_cost``, ``officer_hours_per_week``,
        ``eac``, ``prevented`` / ``harm_prevented`` / ``benefit`` with ``_low`` and
        ``_high`` (full correlation within a measure, independence across measures),
        ``prevented_not_costed``, ``unvalued_options`` / ``unvalued_prevented`` (plans by
        benefit), ``problem_solving`` (hotspots where no scored measure is known to
        prevent anything: start a problem-solving project there, see
        :func:`hotspot.respond.menu.response_menu`), the budgets and ``note``. Money
        totals are commitments against the budgets: they carry no interval (costs are
        the catalogue's or the user's quotes).

    Raises
    ------
    InvalidInputError
        A negative budget, missing columns, or a failed solve.

    Examples
    --------
    >>> from hotspot.respond.planning import plan
    >>> s = pd.DataFrame({"hotspot_id": [1, 1, 2], "intervention": ["a", "b", "a"],
    ...                   "capital": [10.0, 4.0, 6.0], "annual_cost": [1.0, 1.0, 1.0],
    ...                   "officer_hours_per_week": [0.0, 0.0, 0.0],
    ...                   "harm_prevented": [5.0, 3.0, 4.0]})
    >>> plan(s, capital_budget=10)[["hotspot_id", "intervention"]].values.tolist()
    [[1, 'b'], [2, 'a']]
    """
    if not isinstance(scores, pd.DataFrame):
        raise InvalidInputError(f"`scores` must be a DataFrame, got {type(scores).__name__}")
    need = ["hotspot_id", "intervention", "capital", "annual_cost", "officer_hours_per_week",
            objective]
    check_columns(scores, need, "scores")
    budgets = {"capital": capital_budget, "annual_cost": annual_budget,
               "officer_hours_per_week": officer_hours_per_week}
    for name, val in zip(("capital_budget", "annual_budget", "officer_hours_per_week"),
                         budgets.values(), strict=True):
        if val is not None and (not np.isfinite(float(val)) or float(val) < 0):
            raise InvalidInputError(f"{name} must be a non-negative number, got {val!r}")
    money = scores[["capital", "annual_cost", "officer_hours_per_week"]].to_numpy(float)
    if np.any(money < 0):
        raise InvalidInputError("scores have negative capital, annual_cost or officer hours")
    obj = scores[objective].to_numpy(dtype=float)
    keep = np.isfinite(obj) & (obj > 0) & np.isfinite(money).all(axis=1)
    cand = scores.loc[keep].copy()
    for col in ("baseline", "prevented"):
        if col not in cand:
            cand[col] = 0.0
    if "includes" not in cand:
        cand["includes"] = ""
    out = scores.iloc[:0].assign(combined_with="", overlap=0.0)
    status = "nothing to choose"
    if len(cand):
        opts = _options(cand, objective, complementary)
        pick = opts.loc[_solve(opts, objective, budgets)]
        status = "optimal"
        rows = list(pick["a"]) + [b for b in pick["b"] if b >= 0]
        out = scores.loc[rows].assign(combined_with="", overlap=0.0)
        for a, b in zip(pick["a"], pick["b"], strict=True):  # one pass over chosen pairs
            if b >= 0:
                out.loc[a, "combined_with"] = scores.loc[b, "intervention"]
                out.loc[b, "combined_with"] = scores.loc[a, "intervention"]
                out.loc[b, "overlap"] = float(_overlap(cand.loc[[a]], cand.loc[[b]],
                                                       objective)[0])
    totals = _plan_totals(out, objective, budgets, scores)
    nothing = sorted(set(scores["hotspot_id"]) - set(scores.loc[keep, "hotspot_id"]))
    if nothing:  # POP is the process that finds a response where no measure is known to fit
        totals["problem_solving"] = [int(h) if isinstance(h, (int, np.integer)) else h
                                     for h in nothing]
    if objective == "benefit" and "prevented" in scores:
        _note_unvalued(totals, scores, keep)
    out.attrs["totals"] = totals
    params = {"capital_budget": capital_budget, "annual_budget": annual_budget,
              "officer_hours_per_week": officer_hours_per_week, "objective": objective,
              "complementary": [list(p) for p in complementary]}
    return attach(out, "plan", params, {}, status=status, totals=totals)


def _note_unvalued(totals: dict[str, Any], scores: pd.DataFrame, keep: np.ndarray) -> None:
    """Say how much prevented crime a plan by benefit could not value at all."""
    prev = scores["prevented"].to_numpy(float)
    lost = ~keep & (prev > 0)
    if lost.any():
        msg = (f"{int(lost.sum())} option(s) preventing about {prev[lost].sum():.0f} incidents "
               "could not be valued (offences without a unit cost) and were not chosen by "
               "benefit; plan by 'prevented' or 'harm_prevented' to include them")
        totals["unvalued_options"] = int(lost.sum())
        totals["unvalued_prevented"] = float(prev[lost].sum())
        totals["note"] = "; ".join(filter(None, [totals.get("note"), msg]))


def _plan_totals(out: pd.DataFrame, objective: str, budgets: dict[str, float | None],
                 scores: pd.DataFrame) -> dict[str, Any]:
    interval = 1.0 - float(scores.attrs.get("hotspot", {}).get("score_interventions", {})
                           .get("params", {}).get("alpha", 0.10))
    totals: dict[str, Any] = {
        "capital": float(out["capital"].sum()),
        "annual_cost": float(out["annual_cost"].sum()),
        "officer_hours_per_week": float(out["officer_hours_per_week"].sum()),
        "capital_budget": budgets["capital"], "annual_budget": budgets["annual_cost"],
        "officer_hours_budget": budgets["officer_hours_per_week"], "objective": objective,
    }
    if "eac" in out:
        totals["eac"] = float(out["eac"].sum())
    for col in ("prevented", "harm_prevented", "benefit"):
        if col in out:
            overlap = float(out["overlap"].sum()) if col == objective else 0.0
            val = float(np.nansum(out[col].to_numpy(float))) - overlap
            lo, hi = _total_interval(out, col, interval)
            totals[col], totals[f"{col}_low"], totals[f"{col}_high"] = val, lo - overlap, \
                hi - overlap
    if "prevented_not_costed" in out:
        nc = float(out["prevented_not_costed"].sum())
        totals["prevented_not_costed"] = nc
        if nc > 0:
            totals["note"] = (f"about {nc:.0f} of the prevented incidents could not be valued "
                              "(offences without a unit cost: see not_costed)")
    return totals


def costed_patrol(scores: pd.DataFrame, patrol: pd.DataFrame) -> pd.DataFrame:
    """Cost hot-spots patrol at each place on the officer-hours a patrol plan gives it.

    :func:`~hotspot.respond.interventions.score_interventions` costs hot-spots patrol
    as the evidence catalogue's whole daily block of visits at every place (8 hours a
    day, one 15-minute visit every 2 hours: 7 officer-hours a week). Where a weekly
    :func:`~hotspot.respond.patrol.patrol_plan` gives a place visits, this costs the
    hours planned there instead: visits x minutes x 52 weeks at the scores' own
    hourly rate (the catalogue's officer-hour cost in the scores' currency and price
    year), so a printed cost is always the hours printed times the rate. Places the
    plan does not visit keep the cost of the whole block.

    Parameters
    ----------
    scores
        Output of :func:`~hotspot.respond.interventions.score_interventions`.
    patrol
        Output of :func:`~hotspot.respond.patrol.patrol_plan` (``hotspot_id`` and
        ``duration_min`` per visit, minutes).

    Returns
    -------
    pandas.DataFrame
        A copy of ``scores``; on the ``hot_spots_patrol`` rows of planned places,
        ``officer_hours_per_week`` (hours), ``annual_cost``, ``eac`` and ``cost``
        (currency of the scores) follow the plan. A new column
        ``officer_hour_rate`` gives the rate used (currency per officer-hour) on every
        patrol row; ``attrs["hotspot"]["costed_patrol"]`` records it.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_chicago_sample()  # doctest: +SKIP
    >>> hot = hs.hotspots(inc)  # doctest: +SKIP
    >>> scores = hs.score_interventions(inc, hot, random_state=0)  # doctest: +SKIP
    >>> weekly = hs.patrol_plan(inc, hot, officer_hours_per_week=20)  # doctest: +SKIP
    >>> costed_patrol(scores, weekly)  # doctest: +SKIP
    """
    check_columns(scores, ["hotspot_id", "intervention", "officer_hours_per_week",
                           "annual_cost"], "scores")
    check_columns(patrol, ["hotspot_id", "duration_min"], "patrol")
    out = scores.copy()
    rows = out["intervention"].astype(str).eq("hot_spots_patrol").to_numpy()
    hours = out["officer_hours_per_week"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = out["annual_cost"].to_numpy(float) / (hours * 52.0)
    rate = np.where(rows & (hours > 0), rate, np.nan)
    planned = (pd.to_numeric(patrol["duration_min"], errors="coerce").fillna(0.0)
               .groupby(patrol["hotspot_id"]).sum() / 60.0)
    new = out["hotspot_id"].map(planned).to_numpy(float)
    take = rows & np.isfinite(new) & np.isfinite(rate)
    scale = np.where(take, new / np.where(hours > 0, hours, 1.0), 1.0)
    for col in ("officer_hours_per_week", "annual_cost", "eac", "cost"):
        if col in out:
            out[col] = out[col].to_numpy(float) * scale
    out["officer_hour_rate"] = rate
    known = rate[np.isfinite(rate)]
    hourly = float(known[0]) if len(known) else None
    return attach(out, "costed_patrol", {"places_planned": int(take.sum())}, {},
                  officer_hour_rate=hourly, currency=_first(out, "currency"))


def _first(frame: pd.DataFrame, col: str) -> Any:
    """Return the first value of a column, or None without the column or rows."""
    return frame[col].iloc[0] if col in frame and len(frame) else None
