"""Response: Koper-curve patrol plans and street-lighting audits for hotspots.

:func:`patrol_plan` turns ranked hotspots and their incidents into a weekly visit
schedule. Each hotspot's expected incidents per hour of the week come from the
aoristic hour-of-week weights of its incidents (:func:`hotspot.analyse.temporal.aoristic_weights`)
divided by the number of weeks the data cover. Patrol is planned the way it is scored
(:func:`hotspot.respond.interventions.score_interventions`, ``hot_spots_patrol``): each
place is patrolled in its **busiest block of** ``patrol_hours_per_day`` **hours of the
day** (the circular window rule of :func:`hotspot._core.time.circular_window_sums`, as
for the peak times), every day, with a short Koper-curve visit (10-15 minutes, at a
random minute) every ``min_gap_hours`` in that block. A visit starting in hour ``j``
is credited with::

    expected prevented = effect * score[h] * sum(demand[h, j : j + g] inside the block)

i.e. its residual deterrence lasts until the next visit is due (Koper 1995; Sacramento
and the Police Foundation: random stops at least every two hours); all the visits of a
place's block together prevent ``effect`` times the incidents in the block, the
figure the intervention scores give. ``effect`` defaults to 0.16, the generic hot-spot
patrol reduction (Braga & Weisburd 2022; see the evidence base). The officer-hours
budget (each visit costs ``visit_minutes + travel_minutes``) is allocated by expected
benefit, best visits first, first to places whose full block would prevent at least
``min_prevented_per_year`` incidents a year, then, marked ``low_yield``, to the others.

:func:`lighting_audit` reports, per hotspot, how many incidents happened in the dark
(:func:`hotspot.analyse.darkness.daylight`), how many happened near a street-light outage
while it was open, and proposes light positions (new or repaired) that would cover
the most dark incidents (greedy maximum coverage). :func:`read_outages` reads the
City of Chicago 311 street-light outage files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from hotspot._core.crs import project
from hotspot._core.deprecation import areas_before_points, reordered_arguments
from hotspot._core.errors import warn_user
from hotspot._core.meta import attach, note_choice
from hotspot._core.time import circular_window_sums, data_period_days
from hotspot._core.validation import (
    check_columns,
    check_geodataframe,
    check_points,
    check_projected,
    check_same_crs,
    point_coords,
)
from hotspot.analyse.darkness import daylight
from hotspot.analyse.temporal import aoristic_weights
from hotspot.exceptions import DataQualityWarning, InvalidInputError
from hotspot.ingest.columns import resolve_setting
from hotspot.ingest.incidents import read_incidents
from hotspot.ingest.locations import exclude_stacked
from hotspot.ingest.vocabularies import OUTDOOR_SETTINGS, setting_group
from hotspot.respond.evidence import load_catalogue
from hotspot.scan.areas import hotspot_membership

__all__ = [
    "LightingAudit",
    "format_patrol_plan",
    "lighting_audit",
    "patrol_plan",
    "read_outages",
]

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEK_MIN = 7 * 24 * 60


# ------------------------------------------------------------------------ patrol plan


def _number(value: Any, name: str, *, minimum: float = 0.0, strict: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(f"{name} must be a number, got {value!r}") from None
    bad = (v <= minimum) if strict else (v < minimum)
    if not np.isfinite(v) or bad:
        op = ">" if strict else ">="
        raise InvalidInputError(f"{name} must be {op} {minimum:g}, got {value!r}")
    return v


def _members(incidents: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame) -> np.ndarray:
    """Row position in ``hotspots`` of every incident (-1 outside all hotspots)."""
    ids = hotspots["hotspot_id"].to_numpy()
    mem = hotspot_membership(incidents, hotspots)
    pos = pd.Index(ids).get_indexer(mem.fillna(-(10**12)).to_numpy(dtype=np.int64))
    return pos


def _weeks_covered(incidents: gpd.GeoDataFrame, choices: dict[str, Any]) -> float:
    if "occurred_at" not in incidents:
        raise InvalidInputError(
            "incidents need an 'occurred_at' column with times to build a patrol plan "
            "(read them with hs.read_incidents)"
        )
    weeks = data_period_days(incidents["occurred_at"]) / 7.0
    note_choice(
        choices,
        "weeks",
        round(weeks, 3),
        "period the incidents cover (data_period: the 1-99 % quantile span widened to "
        "the whole period, robust to stray dates; whole days) in weeks: demand is per week",
    )
    return weeks


def _scores_for(scores: Any, ids: np.ndarray) -> np.ndarray:
    if scores is None:
        return np.ones(len(ids))
    s = scores
    if isinstance(s, pd.DataFrame):
        num = [c for c in ("score", "priority", "expected_prevented") if c in s.columns]
        if not num:
            raise InvalidInputError(
                "scores DataFrame needs a 'score' column (indexed by hotspot_id or with a "
                "'hotspot_id' column)"
            )
        s = s.set_index("hotspot_id")[num[0]] if "hotspot_id" in s.columns else s[num[0]]
    s = pd.Series(s)
    out = s.reindex(ids).to_numpy(dtype=float)
    if np.isnan(out).any() or (out < 0).any():
        missing = ids[np.isnan(out)].tolist()
        raise InvalidInputError(
            f"scores must give a value >= 0 for every hotspot_id; missing/invalid: {missing}"
        )
    return out


def _demand(
    incidents: gpd.GeoDataFrame, pos: np.ndarray, n_hot: int, weight: str | None
) -> np.ndarray:
    """Hotspot x 168 matrix of (weighted) incidents per hour of week."""
    inside = pos >= 0
    w = aoristic_weights(incidents.loc[inside])
    vals = np.ones(int(inside.sum()))
    if weight is not None:
        vals = pd.to_numeric(incidents.loc[inside, weight], errors="coerce").fillna(0).to_numpy()
    ind = sp.csr_matrix(
        (vals, (pos[inside], np.arange(int(inside.sum())))), shape=(n_hot, int(inside.sum()))
    )
    return np.asarray((ind @ w).todense())


def _minute_offsets(
    hours: np.ndarray, visit: float, gap_min: float, rng: np.random.Generator
) -> np.ndarray:
    """Random start minute in each hour of one place's visits, keeping them >= gap_min apart.

    ``hours`` are the sorted hours of the week of one place's visits, pairwise at least
    ``ceil(gap)`` hours apart (circularly). Visits that random minutes could bring too
    close (back to back, the gap apart) form a run and share one random minute, so a
    run is evenly spaced; every run has its own minute, so the minute changes from one
    stretch of visits to the next. Runs wrap past the end of the week.
    """
    hi = max(0.0, 60.0 - visit)
    n = len(hours)
    if n == 0:
        return np.empty(0)
    to_next = np.diff(np.append(hours, hours[0] + 168)) * 60.0  # minutes, circularly
    bound = (to_next - hi < gap_min - 1e-9) & (n > 1)  # visit i and i + 1 share a minute
    run = np.cumsum(np.r_[True, ~bound[:-1]]) - 1
    if bound[-1] and run[-1] != 0:  # the week's last run goes on into its first
        run[run == run[-1]] = 0
        run = np.unique(run, return_inverse=True)[1]
    return np.floor(rng.uniform(0.0, hi, int(run.max()) + 1)[run])


def _busiest_block(demand: np.ndarray, width: int) -> np.ndarray:
    """Start hour (0-23) of each place's busiest block of ``width`` hours of the day."""
    by_hour = demand.reshape(len(demand), 7, 24).sum(axis=1)
    return np.argmax(circular_window_sums(by_hour, width), axis=1)


def _in_block(start: np.ndarray, width: int) -> np.ndarray:
    """Places x 168 mask: the hour of the week falls in the place's daily block."""
    return ((np.arange(168)[None, :] % 24 - start[:, None]) % 24) < width


def _visit_slots(
    demand: np.ndarray, start: np.ndarray, width: int, g: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate visits: place, starting hour of the week, incidents a week credited.

    Every day, one visit every ``g`` hours from the start of the place's block, as many
    as fit in the block (and in a day, so that visits on consecutive days stay ``g``
    hours apart); each is credited with the block's demand until the next one is due.
    The demand in the block is pooled as its profile by hour of the day times its share
    by day of the week (day and hour independent inside the block), so that a quiet
    Tuesday evening in a year of data does not read as a sure zero; the whole block's
    total is unchanged.
    """
    n_slot = max(1, min(math.ceil(width / g), 24 // g))
    block = (demand * _in_block(start, width)).reshape(len(demand), 7, 24)
    total = block.sum(axis=(1, 2))[:, None, None]
    pooled = np.divide(block.sum(axis=2)[:, :, None] * block.sum(axis=1)[:, None, :], total,
                       out=np.zeros_like(block), where=total > 0)
    credited = circular_window_sums(pooled.reshape(len(demand), 168), g)
    offsets = (np.arange(7)[:, None] * 24 + np.arange(n_slot)[None, :] * g).ravel()
    hours = (start[:, None] + offsets[None, :]) % 168
    place = np.repeat(np.arange(len(demand)), len(offsets))
    return place, hours.ravel(), credited[place, hours.ravel()]


def _allocate(
    value: np.ndarray, worth: np.ndarray, n_max: int, rng: np.random.Generator
) -> np.ndarray:
    """Positions of the chosen visits: worthwhile places first, then best value first."""
    order = np.lexsort((rng.random(len(value)), -value, ~worth))  # ties broken at random
    return order[value[order] > 0][:n_max]


def _block_hours(choices: dict[str, Any], hours: int | None) -> int:
    """Length of the daily patrolled block: the argument or the catalogue's dosage."""
    if hours is None:
        entry = load_catalogue().loc["hot_spots_patrol", "cost"]
        hours = int(entry["patrol_hours_per_day"])
        note_choice(choices, "patrol_hours_per_day", hours,
                    "the evidence catalogue's patrolled block for hot-spots patrol (the "
                    "same block the intervention scores credit)")
    width = int(_number(hours, "patrol_hours_per_day", strict=True))
    if width != hours or width > 24:
        raise InvalidInputError(
            f"patrol_hours_per_day must be a whole number of hours 1-24, got {hours!r}"
        )
    return width


@reordered_arguments("hotspots", "incidents", old_order=areas_before_points)
def patrol_plan(
    incidents: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    officer_hours_per_week: float,
    visit_minutes: float = 15,
    min_gap_hours: float = 2,
    patrol_hours_per_day: int | None = None,
    travel_minutes: float = 0,
    effect: float = 0.16,
    weight: str | None = None,
    scores: Any = None,
    min_prevented_per_year: float = 1.0,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Weekly Koper-curve patrol schedule for hotspots within an officer-hours budget.

    Each place is patrolled in its busiest block of ``patrol_hours_per_day`` hours of
    the day (as in the intervention scores), every day, with one short visit every
    ``min_gap_hours``. The officer hours are given to the visits that prevent the most,
    first at places whose whole block of visits would prevent at least
    ``min_prevented_per_year`` incidents a year (``effect x score x incidents a year in
    the block``), then, with ``low_yield=True``, at the others: the hours are used
    whenever any place has incidents with known times. Hours left when every block is
    full are reported with a :class:`~hotspot.exceptions.DataQualityWarning`.

    Parameters
    ----------
    incidents
        Incidents (points, same CRS) with ``occurred_at`` (and optionally windows):
        their hour-of-week profile inside each hotspot is the demand.
    hotspots
        Hotspot polygons with ``hotspot_id`` (from :func:`hotspot.scan.areas.hotspots`).
    officer_hours_per_week
        Budget in officer-hours per week (>= 0). Each visit costs
        ``(visit_minutes + travel_minutes) / 60`` hours; the plan never exceeds it.
    visit_minutes
        Length of each visit in minutes (default 15; Koper: 10-15, below 10 minutes
        there is no residual deterrence and a warning is given).
    min_gap_hours
        Time between two visits to the same place, in hours (default 2: "random stops
        at least every two hours"; at most 24). Visits are at least this far apart, and
        each is credited with the incidents until the next one (whole hours, rounded up).
    patrol_hours_per_day
        Length of each place's daily patrolled block, in whole hours (1-24). None: the
        evidence catalogue's value for hot-spots patrol (8), reported.
    travel_minutes
        Extra minutes per visit for travel, charged to the budget.
    effect
        Relative reduction of crime while a hotspot is covered (default 0.16, generic
        hot-spot patrol, Braga & Weisburd 2022).
    weight
        Optional incident column with harm weights (e.g. a crime-harm index).
    scores
        Optional priority per hotspot (Series indexed by ``hotspot_id``, or a
        DataFrame with ``hotspot_id`` and ``score``, e.g. from intervention scoring);
        multiplies the value of its visits.
    min_prevented_per_year
        Incidents a year a place's whole block of visits must be expected to prevent for
        its visits to come first and not be marked ``low_yield`` (default 1).
    random_state
        Seed or Generator for the minute offsets and ties.

    Returns
    -------
    pandas.DataFrame
        One row per visit, sorted by time of week: ``visit`` (1..n), ``hotspot_id``,
        ``day`` (Mon..Sun, ordered categorical), ``start`` and ``end`` ("HH:MM"),
        ``start_minute`` (minutes since Monday 00:00), ``duration_min``,
        ``expected_incidents`` (incidents per week credited to the visit),
        ``expected_prevented`` (``effect`` times that, times the score, per week),
        ``low_yield`` (the place's block prevents fewer than ``min_prevented_per_year``)
        and ``rationale``. ``attrs["hotspot"]["patrol_plan"]`` holds the parameters,
        choices, ``hours_used``, ``hours_unused``, ``hours_low_yield``, ``budget_hours``
        and ``places`` (one record per hotspot: its block, the incidents a year its
        whole block would prevent, its visits and hours, and ``status``: ``"visits"``,
        ``"low yield"``, ``"no hours left"`` or ``"no incidents"``).

    Raises
    ------
    InvalidInputError
        Negative budget or durations, no hotspots, or no incident inside any hotspot.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from hotspot.respond.patrol import patrol_plan
    >>> hot = gpd.GeoDataFrame({"hotspot_id": [1]}, geometry=[box(0, 0, 100, 100)],
    ...                        crs=32616)
    >>> t = pd.to_datetime(["2024-01-05 22:10", "2024-01-12 22:40", "2024-01-19 23:05",
    ...                     "2024-01-20 14:00"]).tz_localize("UTC")
    >>> inc = gpd.GeoDataFrame({"occurred_at": t},
    ...                        geometry=gpd.points_from_xy([50] * 4, [50] * 4), crs=32616)
    >>> plan = patrol_plan(inc, hot, officer_hours_per_week=0.25, random_state=0)
    >>> plan[["hotspot_id", "day", "start", "low_yield"]].values.tolist()
    [[1, 'Fri', '22:30', False]]
    >>> plan.attrs["hotspot"]["patrol_plan"]["places"][0]["block"]
    '16:00-24:00'
    """
    check_geodataframe(hotspots, "hotspots")
    check_geodataframe(incidents, "incidents")
    check_columns(hotspots, ["hotspot_id"], "hotspots")
    check_points(incidents, "incidents")
    check_same_crs(incidents, hotspots, "incidents", "hotspots")
    budget = _number(officer_hours_per_week, "officer_hours_per_week")
    visit = _number(visit_minutes, "visit_minutes", strict=True)
    if visit > 60:
        raise InvalidInputError(f"visit_minutes must be at most 60, got {visit_minutes!r}")
    gap = _number(min_gap_hours, "min_gap_hours")
    if gap > 24:
        raise InvalidInputError(f"min_gap_hours must be at most 24, got {min_gap_hours!r}")
    travel = _number(travel_minutes, "travel_minutes")
    eff = _number(effect, "effect")
    floor = _number(min_prevented_per_year, "min_prevented_per_year")
    if weight is not None:
        check_columns(incidents, [weight], "incidents")
    if visit < 10:
        warn_user(
            f"visit_minutes={visit:g}: Koper (1995) found stops under about 10 minutes give "
            "no significant residual deterrence; 10-15 minutes is the evidence-based dose",
            DataQualityWarning,
        )
    if len(hotspots) == 0:
        raise InvalidInputError("hotspots is empty: make hotspots first (hs.hotspots)")
    choices: dict[str, Any] = {}
    width = _block_hours(choices, patrol_hours_per_day)
    ids = hotspots["hotspot_id"].to_numpy()
    demand = _weekly_demand(incidents, hotspots, ids, weight, choices)
    g = max(1, math.ceil(gap))
    start = _busiest_block(demand, width)
    score = _scores_for(scores, ids)
    place, hour, credited = _visit_slots(demand, start, width, g)
    value = eff * score[place] * credited
    yearly = eff * score * 52.0 * (demand * _in_block(start, width)).sum(axis=1)
    worth = yearly >= floor
    cost_h = (visit + travel) / 60.0
    rng = np.random.default_rng(random_state)
    pick = _allocate(value, worth[place], math.floor(budget / cost_h + 1e-9), rng)
    out = _schedule(place[pick], hour[pick], ids, demand, credited[pick], value[pick],
                    ~worth[place[pick]], visit, gap, g, rng)
    used = len(out) * cost_h
    low = float(out["low_yield"].sum()) * cost_h
    unused = budget - used if budget - used >= cost_h - 1e-9 else 0.0
    places = _place_summary(ids, start, width, yearly, worth, out, cost_h, floor)
    untimed = _untimed(incidents) if demand.sum() <= 0 else None
    _report_hours(choices, budget, unused, low, floor, untimed)
    params = {
        "officer_hours_per_week": budget,
        "visit_minutes": visit,
        "min_gap_hours": gap,
        "patrol_hours_per_day": width,
        "travel_minutes": travel,
        "effect": eff,
        "min_prevented_per_year": floor,
        "weight": weight,
        "scores": scores is not None,
    }
    return attach(
        out, "patrol_plan", params, choices, hours_used=used, budget_hours=budget,
        hours_unused=unused, hours_low_yield=low, places=places, untimed=untimed,
    )


def _weekly_demand(
    incidents: gpd.GeoDataFrame, hotspots: gpd.GeoDataFrame, ids: np.ndarray,
    weight: str | None, choices: dict[str, Any],
) -> np.ndarray:
    """Hotspot x 168 matrix of expected incidents per week in each hour of the week."""
    pos = _members(incidents, hotspots)
    per_hot = np.bincount(pos[pos >= 0], minlength=len(ids))
    if per_hot.sum() == 0:
        raise InvalidInputError(
            "no incident falls inside any hotspot: check that hotspots and incidents cover "
            "the same place and CRS"
        )
    if (per_hot == 0).any():
        note_choice(choices, "hotspots_without_incidents", ids[per_hot == 0].tolist(),
                    "no incidents inside: no demand, never visited")
    return _demand(incidents, pos, len(ids), weight) / _weeks_covered(incidents, choices)




def _untimed(incidents: gpd.GeoDataFrame) -> str:
    """Say what the data give instead of times: only the month, only the date, no times."""
    quality = (incidents["time_quality"].astype("string") if "time_quality" in incidents
               else pd.Series(dtype="string"))
    if quality.eq("month_only").any():
        return "only the month"
    if quality.isin(["date_only", "midnight"]).any():
        return "only the date"
    return "no times"


def _report_hours(
    choices: dict[str, Any], budget: float, unused: float, low: float, floor: float,
    untimed: str | None = None,
) -> None:
    """Say how the hours went: to low-yield visits, or unused because every block is full.

    ``untimed`` (what the data give instead of times) is set when no incident at the
    places has a time of day: then no visit can be timed at all.
    """
    if untimed is not None:
        why = f"no patrol times: the data give {untimed}, not the time of day"
        note_choice(choices, "hours_unused", round(unused, 2), why)
        warn_user(f"patrol_plan: {why}; no visit is planned (read incidents with times "
                  "of day to plan patrols).", DataQualityWarning)
        return
    if low > 1e-9:
        note_choice(choices, "hours_low_yield", round(low, 2),
                    f"no more visits at places whose block of visits prevents at least "
                    f"{floor:g} incident(s) a year: these hours went to the best of the rest")
    if unused > 1e-9:
        why = ("every visit in each place's busiest block with incidents recorded in its "
               "hours is planned")
        note_choice(choices, "hours_unused", round(unused, 2),
                    f"{why}: these hours are free for other work")
        warn_user(
            f"patrol_plan: {unused:.2f} of {budget:g} officer-hours a week left unused; "
            f"{why} (give more places or a longer patrol_hours_per_day).",
            DataQualityWarning,
        )


def _place_summary(
    ids: np.ndarray, start: np.ndarray, width: int, yearly: np.ndarray, worth: np.ndarray,
    plan: pd.DataFrame, cost_h: float, floor: float,
) -> list[dict[str, Any]]:
    """One record per place: its block, what its whole block prevents, its visits."""
    visits = plan["hotspot_id"].value_counts().reindex(ids, fill_value=0).to_numpy()
    out = []
    for k, hid in enumerate(ids):  # one record per hotspot (tens), not per incident
        if yearly[k] <= 0:
            status = "no incidents"
        elif visits[k] == 0:
            status = "no hours left"
        else:
            status = "visits" if worth[k] else "low yield"
        out.append({
            "hotspot_id": hid.item() if hasattr(hid, "item") else hid,
            "block": f"{int(start[k]):02d}:00-{(int(start[k]) + width) % 24 or 24:02d}:00",
            "prevented_per_year": float(yearly[k]),
            "worthwhile": bool(worth[k]),
            "visits": int(visits[k]),
            "hours": float(visits[k] * cost_h),
            "min_prevented_per_year": floor,
            "status": status,
        })
    return out


def _schedule(
    place: np.ndarray, hour: np.ndarray, ids: np.ndarray, demand: np.ndarray,
    credited: np.ndarray, value: np.ndarray, low: np.ndarray, visit: float, gap: float,
    g: int, rng: np.random.Generator,
) -> pd.DataFrame:
    """Visit table from the chosen (place, hour-of-week) visits, sorted by time."""
    cols = ["visit", "hotspot_id", "day", "start", "end", "start_minute", "duration_min",
            "expected_incidents", "expected_prevented", "low_yield", "rationale"]
    if len(place) == 0:
        out = pd.DataFrame({c: [] for c in cols})
        out["day"] = pd.Categorical(out["day"], categories=list(DAYS), ordered=True)
        out["low_yield"] = out["low_yield"].astype(bool)
        return out
    order = np.lexsort((hour, place))
    place, hour, credited, value, low = (a[order] for a in (place, hour, credited, value, low))
    off = np.empty(len(place))
    for h in np.unique(place):  # loop over places with visits (tens)
        at = np.flatnonzero(place == h)
        off[at] = _minute_offsets(hour[at], visit, gap * 60.0, rng)
    start_min = hour * 60 + off
    end_min = start_min + visit
    share = credited / np.maximum(demand.sum(axis=1)[place], 1e-300)
    rationale = [
        f"{e:.2f} incidents/week in {DAYS[j // 24]} {j % 24:02d}:00+{g}h "
        f"({100 * s:.0f}% of this hotspot's week); {visit:g}-min Koper visit"
        + ("; low yield" if lo else "")
        for e, s, j, lo in zip(credited, share, hour, low, strict=True)
    ]
    out = pd.DataFrame({
        "hotspot_id": ids[place],
        "day": [DAYS[int(m // 1440)] for m in start_min],
        "start": [f"{int(m % 1440) // 60:02d}:{int(m % 60):02d}" for m in start_min],
        "end": [f"{int(m % 1440) // 60:02d}:{int(m % 60):02d}" for m in end_min % WEEK_MIN],
        "start_minute": start_min.astype(np.int64),
        "duration_min": visit if visit % 1 else int(visit),
        "expected_incidents": credited,
        "expected_prevented": value,
        "low_yield": low.astype(bool),
        "rationale": rationale,
    }).sort_values(["start_minute", "hotspot_id"], kind="stable").reset_index(drop=True)
    out.insert(0, "visit", np.arange(1, len(out) + 1))
    out["day"] = pd.Categorical(out["day"], categories=list(DAYS), ordered=True)
    return out


def format_patrol_plan(plan: pd.DataFrame) -> str:
    """Return a printable weekly patrol table (one block per day).

    Examples
    --------
    >>> from hotspot.respond.patrol import format_patrol_plan
    >>> plan = pd.DataFrame({"visit": [1], "hotspot_id": [3], "day": ["Fri"],
    ...                      "start": ["22:07"], "end": ["22:22"], "duration_min": [15],
    ...                      "expected_incidents": [0.5], "expected_prevented": [0.08]})
    >>> print(format_patrol_plan(plan))  # doctest: +NORMALIZE_WHITESPACE
    Patrol plan: 1 visits, 0.25 officer-hours per week
    Fri
       22:07-22:22  hotspot 3     15 min   0.50 inc/wk
    """
    check_columns(plan, ["hotspot_id", "day", "start", "end", "duration_min"], "plan")
    meta = plan.attrs.get("hotspot", {}).get("patrol_plan", {})
    hours = meta.get("hours_used", float(pd.to_numeric(plan["duration_min"]).sum()) / 60)
    head = f"Patrol plan: {len(plan)} visits, {hours:.2f} officer-hours per week"
    if "budget_hours" in meta:
        head += f" (budget {meta['budget_hours']:g})"
    lines = [head]
    for key, what in (("hours_low_yield", "went to low-yield visits (*)"),
                      ("hours_unused", "left unused")):
        note = meta.get("choices", {}).get(key)
        if note:
            lines.append(f"{note['value']:g} officer-hours a week {what}: {note['reason']}.")
    for day in DAYS:
        part = plan[plan["day"].astype(str) == day]
        if part.empty:
            continue
        lines.append(day)
        for r in part.itertuples(index=False):
            inc = getattr(r, "expected_incidents", np.nan)
            mark = " *" if bool(getattr(r, "low_yield", False)) else ""
            lines.append(
                f"   {r.start}-{r.end}  hotspot {r.hotspot_id!s:<4}"
                f"{r.duration_min:>4} min  {inc:5.2f} inc/wk{mark}"
            )
    return "\n".join(lines)


# ---------------------------------------------------------------------- lighting audit


def read_outages(source: Any, *, crs: Any = None, tz: str = "America/Chicago") -> gpd.GeoDataFrame:
    """Read City of Chicago 311 street-light outage reports (one file, a list, or a folder).

    The files have ``x_coord``/``y_coord`` in Illinois East State Plane US feet
    (EPSG:3435) and ``Created Date``/``Completed Date`` like ``1-Apr-12``. Rows without
    coordinates or dates are dropped (the count is in ``attrs``).

    Parameters
    ----------
    source
        Path of a CSV(.gz) file, a folder of them, a list of paths, or a DataFrame
        with the same columns.
    crs
        Output CRS (projected, metres). Default: the local UTM zone that
        :func:`hotspot.read_incidents` chooses (EPSG:32616 for Chicago).
    tz
        Time zone of the dates.

    Returns
    -------
    geopandas.GeoDataFrame
        Points with ``outage_start`` (created date, 00:00), ``outage_end`` (completed
        date, 00:00), ``outage_type`` and every original column.

    Examples
    --------
    >>> from hotspot.respond.patrol import read_outages
    >>> raw = pd.DataFrame({"Type": ["Street Lights - All/Out"],
    ...                     "Created Date": ["1-Apr-12"], "Completed Date": ["4-Apr-12"],
    ...                     "x_coord": [1135518.643], "y_coord": [1932256.649]})
    >>> out = read_outages(raw)
    >>> str(out["outage_start"].iloc[0]), str(out["outage_end"].iloc[0])
    ('2012-04-01 00:00:00-05:00', '2012-04-04 00:00:00-05:00')
    >>> out.crs.to_epsg()
    32616
    """
    if isinstance(source, (list, tuple)):
        frames = [pd.read_csv(p) for p in source]
        if not frames:
            raise InvalidInputError(f"no outage files found at {source!r}")
        source = pd.concat(frames, ignore_index=True)
    elif not isinstance(source, pd.DataFrame) and Path(source).is_dir():
        paths = sorted(Path(source).glob("*.csv*"))
        if not paths:
            raise InvalidInputError(f"no outage files found at {source!r}")
        source = pd.concat([pd.read_csv(p) for p in paths], ignore_index=True)
    if isinstance(source, pd.DataFrame):
        check_columns(source, ["x_coord", "y_coord", "Created Date", "Completed Date"], "outages")
    # one ingest path for every incident-like file: rows dropped are in its ingest report
    gdf = read_incidents(
        source,
        x="x_coord",
        y="y_coord",
        crs="EPSG:3435",
        start="Created Date",
        end="Completed Date",
        tz=tz,
    )
    if crs is not None:
        gdf = project(gdf, crs)
    gdf["outage_start"] = gdf["occurred_from"]
    # read_incidents makes a day-resolution end exclusive (the next midnight); the audit
    # works with the completion date itself plus `grace_days`
    gdf["outage_end"] = gdf["occurred_to"] - pd.Timedelta(days=1)
    if "Type" in gdf.columns:
        gdf["outage_type"] = gdf["Type"].astype("category")
    return gdf


@dataclass
class LightingAudit:
    """Result of :func:`lighting_audit`.

    Attributes
    ----------
    hotspots
        Copy of the hotspots with the audit columns (see :func:`lighting_audit`).
    suggestions
        GeoDataFrame of proposed light points, best first: ``order``,
        ``hotspot_id``, ``n_dark_covered`` (new dark incidents covered by this
        point), ``cumulative_covered``, ``share_dark_covered`` and ``source``
        (``"existing_light"`` = repair/upgrade, ``"new"``).
    incidents
        Copy of the incidents in hotspots with ``hotspot_id``, ``light``,
        ``near_outage``.
    """

    hotspots: gpd.GeoDataFrame
    suggestions: gpd.GeoDataFrame
    incidents: gpd.GeoDataFrame


def _near_open_outage(
    xy: np.ndarray,
    t_ns: np.ndarray,
    oxy: np.ndarray,
    o_start: np.ndarray,
    o_end: np.ndarray,
    radius: float,
) -> np.ndarray:
    """Flag incidents with an outage within ``radius`` open at their time (start <= t < end)."""
    tree = cKDTree(oxy)
    lists = tree.query_ball_point(xy, r=radius)
    lens = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    if lens.sum() == 0:
        return np.zeros(len(xy), dtype=bool)
    inc = np.repeat(np.arange(len(xy)), lens)
    out_idx = np.concatenate([np.asarray(x, dtype=np.int64) for x in lists if len(x)])
    t = t_ns[inc]
    hit = (t >= o_start[out_idx]) & (t < o_end[out_idx])
    return np.bincount(inc[hit], minlength=len(xy)) > 0


def _ns(s: pd.Series) -> np.ndarray:
    """Return datetimes as int64 nanoseconds (UTC for tz-aware values)."""
    if s.dt.tz is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return s.to_numpy().astype("datetime64[ns]").astype(np.int64)


def _greedy_cover(
    cand_xy: np.ndarray, target_xy: np.ndarray, radius: float, k: int
) -> tuple[list[int], list[int]]:
    """Greedy maximum coverage: up to k candidates covering the most targets."""
    if len(cand_xy) == 0 or len(target_xy) == 0 or k == 0:
        return [], []
    a = cKDTree(cand_xy).sparse_distance_matrix(
        cKDTree(target_xy), radius, output_type="coo_matrix"
    )
    cover = sp.csr_matrix((np.ones(a.nnz), (a.row, a.col)), shape=(len(cand_xy), len(target_xy)))
    cover.data[:] = 1.0
    # points at distance 0 are not stored by sparse_distance_matrix: add them
    same = cKDTree(cand_xy).query_ball_point(target_xy, r=0.0)
    zr = [c for lst in same for c in lst]
    zc = np.repeat(np.arange(len(target_xy)), [len(x) for x in same])
    cover = (cover + sp.csr_matrix((np.ones(len(zr)), (zr, zc)), shape=cover.shape)).sign()
    cover = cover.tocsc().tocsr()
    uncovered = np.ones(len(target_xy))
    picks: list[int] = []
    gains: list[int] = []
    for _ in range(k):  # k greedy steps, each a sparse mat-vec
        gain = cover @ uncovered
        best = int(np.argmax(gain))
        if gain[best] <= 0:
            break
        picks.append(best)
        gains.append(int(np.rint(gain[best])))
        uncovered[cover.getrow(best).indices] = 0.0
    return picks, gains


@reordered_arguments("hotspots", "incidents", old_order=areas_before_points)
def lighting_audit(
    incidents: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    lights: gpd.GeoDataFrame | None = None,
    outages: gpd.GeoDataFrame | None = None,
    radius: float = 50.0,
    cover_radius: float = 30.0,
    n_lights: int = 10,
    outage_start: str = "outage_start",
    outage_end: str = "outage_end",
    grace_days: float = 1.0,
    twilight: str | float = "civil",
    setting: str | Literal[False] | None = None,
    stacked: str = "exclude",
) -> LightingAudit:
    """Per-hotspot lighting audit: darkness, outage exposure and where lights would help.

    Street lights act outdoors, so only **outdoor** incidents (street, open space, car
    park, vehicle; from the ``setting`` column) are counted as dark, near an outage or
    coverable; ``n_outdoor`` says how many there were. Without a ``setting`` column every
    incident is counted (an upper bound, recorded in ``attrs``). For the incidents inside
    each hotspot:

    * ``n_known`` outdoor incidents with a known light class, ``n_dark`` of them in darkness
      (sun below the ``twilight`` limit, :func:`hotspot.analyse.darkness.daylight`) and
      ``dark_share = n_dark / n_known``;
    * ``n_near_outage``: incidents within ``radius`` metres of a reported outage while
      it was open (``outage_start <= t < outage_end + grace_days``; the Chicago reports
      have day resolution, so the completion day counts), ``n_dark_near_outage`` of
      them dark, and ``dark_share_outage``; ``expected_dark_near_outage`` is what the
      dark count near open outages would be if those incidents were dark as often as
      the hotspot's other incidents (``n_known`` near outages times the dark share of
      the rest); a count above it hints that the outages matter;
    * ``n_dark_coverable`` / ``share_dark_coverable``: dark incidents covered by the
      proposed lights.

    Proposed lights: greedy maximum coverage (each step takes the candidate covering
    the most still-uncovered dark incidents within ``cover_radius``) over candidates
    that are the existing ``lights`` inside the hotspots (repair/upgrade) when given,
    else the dark incidents' own locations (new lights).

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at`` (tz-aware), same projected CRS.
    hotspots
        Hotspot polygons with ``hotspot_id``.
    lights
        Optional existing light points (same CRS): candidates for repair/upgrade.
    outages
        Optional outage points with ``outage_start``/``outage_end`` (see
        :func:`read_outages`), same CRS.
    radius
        Metres from an outage within which an incident counts as exposed (default 50
        m: about the spacing of Chicago street lights, so the nearest lights).
    cover_radius
        Metres a (new or repaired) light is taken to cover (default 30 m).
    n_lights
        Number of light positions to propose.
    outage_start, outage_end
        Outage interval columns.
    grace_days
        Days added to the outage end (default 1).
    twilight
        Darkness limit, as in :func:`hotspot.analyse.darkness.daylight`.
    setting
        Column of place types (e.g. Chicago's ``loc_cat``), mapped with
        :func:`hotspot.ingest.vocabularies.setting_group`. None: the column named like a
        place type, if there is one (:func:`hotspot.ingest.columns.resolve_setting`,
        reported); False, or no such column: place types unknown.
    stacked
        ``"exclude"`` (default) leaves out incidents whose ``location_quality`` is
        ``"stacked"`` (placeholder points, :mod:`hotspot.ingest.locations`), so that
        they do not propose lights; ``"keep"`` includes them. Recorded in the choices.

    Returns
    -------
    LightingAudit

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from hotspot.respond.patrol import lighting_audit
    >>> hot = gpd.GeoDataFrame({"hotspot_id": [1]}, geometry=[box(440000, 4640000,
    ...                        440200, 4640200)], crs=32616)
    >>> t = pd.to_datetime(["2012-12-20 13:00", "2012-12-20 21:00", "2012-12-21 22:00"]
    ...                    ).tz_localize("America/Chicago")
    >>> inc = gpd.GeoDataFrame({"occurred_at": t}, geometry=gpd.points_from_xy(
    ...     [440100, 440100, 440105], [4640100] * 3), crs=32616)
    >>> audit = lighting_audit(inc, hot, n_lights=1)
    >>> audit.hotspots[["n_dark", "dark_share", "n_dark_coverable"]].values.tolist()
    [[2.0, 0.6666666666666666, 2.0]]
    """
    check_geodataframe(hotspots, "hotspots")
    check_geodataframe(incidents, "incidents")
    check_columns(hotspots, ["hotspot_id"], "hotspots")
    check_points(incidents, "incidents")
    check_projected(incidents, "incidents")
    check_same_crs(incidents, hotspots, "incidents", "hotspots")
    r = _number(radius, "radius", strict=True)
    cr = _number(cover_radius, "cover_radius", strict=True)
    if int(n_lights) != n_lights or n_lights < 0:
        raise InvalidInputError(f"n_lights must be a whole number >= 0, got {n_lights!r}")
    if len(hotspots) == 0:
        raise InvalidInputError("hotspots is empty: make hotspots first (hs.hotspots)")
    choices: dict[str, Any] = {}
    setting = resolve_setting(incidents, setting, choices)
    incidents, _ = exclude_stacked(incidents, stacked, choices)
    ids = hotspots["hotspot_id"].to_numpy()
    pos = _members(incidents, hotspots)
    inside = pos >= 0
    if not inside.any():
        raise InvalidInputError(
            "no incident falls inside any hotspot: check that hotspots and incidents cover "
            "the same place and CRS"
        )
    inc = daylight(incidents.loc[inside], twilight=twilight)
    inc["hotspot_id"] = ids[pos[inside]]
    inc["outdoor"] = _outdoor(inc, setting, choices)
    hp = pos[inside]
    light = inc["light"].astype(str).to_numpy()
    outdoor = inc["outdoor"].to_numpy(dtype=bool)
    dark = (light == "dark") & outdoor
    known = (light != "unknown") & outdoor
    xy = point_coords(inc)
    near = np.zeros(len(inc), dtype=bool)
    if outages is not None:
        near = _exposure(inc, xy, outages, incidents, outage_start, outage_end, grace_days, r)
        note_choice(choices, "radius", r, "metres from an outage counted as exposure")
    inc["near_outage"] = near
    sugg, coverable = _propose_lights(xy[dark], hp[dark], lights, hotspots, incidents, ids,
                                      cr, int(n_lights))
    out = _audit_columns(hotspots.copy(), hp, len(ids), outdoor, known, dark, near, coverable)
    params = {
        "radius": r,
        "cover_radius": cr,
        "n_lights": int(n_lights),
        "grace_days": float(grace_days),
        "twilight": twilight,
        "setting": setting,
        "outages": outages is not None,
        "lights": lights is not None,
        "stacked": stacked,
    }
    attach(out, "lighting_audit", params, choices)
    attach(sugg, "lighting_audit", params, choices)
    return LightingAudit(hotspots=out, suggestions=sugg, incidents=inc)


def _outdoor(inc: gpd.GeoDataFrame, setting: str | None, choices: dict[str, Any]) -> np.ndarray:
    """Incidents that happened outdoors (street, open space, car park, vehicle)."""
    if setting is None:
        note_choice(choices, "setting", None,
                    "no place-type column: every incident counted as outdoor (an upper "
                    "bound: street lights do not act indoors); pass setting= to name it")
        return np.ones(len(inc), dtype=bool)
    return setting_group(inc[setting]).isin(sorted(OUTDOOR_SETTINGS)).to_numpy(dtype=bool)


def _exposure(
    inc: gpd.GeoDataFrame, xy: np.ndarray, outages: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame, outage_start: str, outage_end: str, grace_days: float,
    radius: float,
) -> np.ndarray:
    """Incidents within ``radius`` of an outage open at their time."""
    check_geodataframe(outages, "outages")
    check_points(outages, "outages")
    check_same_crs(incidents, outages, "incidents", "outages")
    check_columns(outages, [outage_start, outage_end], "outages")
    o_s = pd.to_datetime(outages[outage_start])
    o_e = pd.to_datetime(outages[outage_end]) + pd.Timedelta(days=float(grace_days))
    t = pd.to_datetime(inc["occurred_at"])
    if (t.dt.tz is None) != (o_s.dt.tz is None):
        raise InvalidInputError(
            "incidents' occurred_at and the outage dates must both be time-zone aware "
            "(or both naive); read outages with read_outages(..., tz=...)"
        )
    ok = (o_s.notna() & o_e.notna()).to_numpy()
    if not ok.any():
        return np.zeros(len(inc), dtype=bool)
    near = _near_open_outage(xy, _ns(t), point_coords(outages)[ok], _ns(o_s[ok]),
                             _ns(o_e[ok]), radius)
    return near & ~t.isna().to_numpy()


def _propose_lights(
    dark_xy: np.ndarray, dark_h: np.ndarray, lights: gpd.GeoDataFrame | None,
    hotspots: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, ids: np.ndarray, cr: float,
    n_lights: int,
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Greedy maximum coverage of the outdoor dark incidents; coverable count per hotspot."""
    if lights is not None:
        check_geodataframe(lights, "lights")
        check_points(lights, "lights")
        check_same_crs(incidents, lights, "incidents", "lights")
        lpos = _members(lights, hotspots)
        cand_xy = point_coords(lights)[lpos >= 0]
        cand_h = lpos[lpos >= 0]
        source = "existing_light"
    else:
        cand_xy, cand_h, source = dark_xy, dark_h, "new"
    picks, gains = _greedy_cover(cand_xy, dark_xy, cr, n_lights)
    picks_a = np.asarray(picks, dtype=np.int64)
    total_dark = max(len(dark_xy), 1)
    sugg = gpd.GeoDataFrame(
        {
            "order": np.arange(1, len(picks) + 1),
            "hotspot_id": ids[cand_h[picks_a]] if len(picks) else np.array([], dtype=ids.dtype),
            "n_dark_covered": np.asarray(gains, dtype=np.int64),
            "cumulative_covered": np.cumsum(gains).astype(np.int64),
            "share_dark_covered": np.cumsum(gains) / total_dark,
            "source": source,
        },
        geometry=gpd.points_from_xy(
            cand_xy[picks_a, 0] if len(picks) else [], cand_xy[picks_a, 1] if len(picks) else []
        ),
        crs=incidents.crs,
    )
    coverable = np.zeros(len(ids))
    if len(picks):
        covered = cKDTree(cand_xy[picks_a]).query(dark_xy, distance_upper_bound=cr)[0] <= cr
        coverable = np.bincount(dark_h[covered], minlength=len(ids)).astype(float)
    return sugg, coverable


def _audit_columns(
    out: gpd.GeoDataFrame, hp: np.ndarray, n_h: int, outdoor: np.ndarray, known: np.ndarray,
    dark: np.ndarray, near: np.ndarray, coverable: np.ndarray,
) -> gpd.GeoDataFrame:
    """Per-hotspot audit counts and shares."""
    def per(w: np.ndarray) -> np.ndarray:
        return np.bincount(hp, weights=w, minlength=n_h).astype(float)

    n_known, n_dark = per(known), per(dark)
    n_known_near, n_dark_near = per(near & known), per(near & dark)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["n_incidents_audit"] = per(np.ones(len(hp)))
        out["n_outdoor"] = per(outdoor)
        out["n_known"] = n_known
        out["n_dark"] = n_dark
        out["dark_share"] = np.where(n_known > 0, n_dark / n_known, np.nan)
        out["n_near_outage"] = per(near & outdoor)
        out["n_dark_near_outage"] = n_dark_near
        out["dark_share_outage"] = np.where(n_known_near > 0, n_dark_near / n_known_near,
                                            np.nan)
        rest_known = n_known - n_known_near
        rest_share = np.where(rest_known > 0, (n_dark - n_dark_near) / rest_known, np.nan)
        out["expected_dark_near_outage"] = np.where(
            n_known_near > 0, n_known_near * rest_share, 0.0
        )
        out["n_dark_coverable"] = coverable
        out["share_dark_coverable"] = np.where(n_dark > 0, coverable / n_dark, np.nan)
    return out
