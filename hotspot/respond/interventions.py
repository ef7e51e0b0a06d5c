"""Response: evidence-based intervention scoring and a budget-constrained plan.

:func:`score_interventions` gives, for every (hotspot, intervention) pair, the
incidents the intervention could act on, the incidents (and harm) it would be
expected to prevent over a horizon with an uncertainty interval, its cost and its
benefit-cost ratio, with a plain-language reason citing the evidence.
:func:`plan` picks the best portfolio under a money and an officer-hour budget
with an exact integer program (``scipy.optimize.milp``).

Method (a proposal built on the evidence review, section 10.4):

* **Eligible incidents** of a hotspot for an intervention: incidents inside it
  whose offence group and setting the catalogue entry covers, and, by ``times``:
  ``"dark"`` -- the incident's ``dark_weight`` from :func:`hotspot.analyse.darkness.daylight`
  (1 dark, 0 not, a share for time windows; unknown times count 0); ``"patrolled"``
  -- the aoristic weight (:func:`hotspot.analyse.temporal.aoristic_weights`) falling in the
  hotspot's busiest contiguous block of ``patrol_hours_per_day`` hours of the day
  (the block is found per hotspot, wrapping midnight); ``"any"`` -- all of them.
* **Baseline**: eligible incidents scaled from the observed period to the horizon.
* **Prevented** = baseline x central effect x (1 + displacement delta). Its interval
  comes from a Monte Carlo: the future count is Poisson(baseline) and the effect is
  drawn from a PERT distribution on (low, central, high) -- a Beta scaled to
  [low, high] with mode ``central`` and shape 4 -- treating the catalogue's
  low/high as the range of plausible effects. The interval is the central
  ``1 - alpha`` (default 90 %) of the simulated prevented counts, widened to
  include the point estimate when needed (baselines below about 0.05).
* **Cost** over the horizon: capital (unit price x units, units = max(min_units,
  ceil(units_per_km2 x area_km2))) spread linearly over its lifetime (no
  discounting), plus running costs and officer hours x hourly cost over the
  horizon, converted to ``currency`` with the catalogue's ``[fx]`` rates.
  Patrol: visits every ``visit_interval_hours`` during the block, each
  ``visit_minutes`` long (Koper curve: 10-16 minutes).
* **Benefit** = sum over prevented incidents of the unit cost of crime of their
  offence (shipped example tables, see :func:`hotspot.respond.evidence.load_unit_costs`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from hotspot._core.deprecation import (
    areas_before_points,
    renamed_arguments,
    reordered_arguments,
)
from hotspot._core.meta import attach, note_choice
from hotspot._core.time import circular_window_sums, data_period_days
from hotspot._core.validation import check_columns, check_geodataframe, check_same_crs
from hotspot.analyse.darkness import daylight
from hotspot.analyse.temporal import aoristic_weights
from hotspot.exceptions import InvalidInputError
from hotspot.respond.evidence import (
    OUTDOOR_SETTINGS,
    load_catalogue,
    load_harm_example,
    load_unit_costs,
    offence_group,
    setting_group,
)
from hotspot.scan.areas import hotspot_membership

__all__ = ["COMPLEMENTARY", "DEFAULT_CRIME_COST", "plan", "score_interventions"]

#: intervention pairs that may be combined in one hotspot by :func:`plan`
COMPLEMENTARY: tuple[tuple[str, str], ...] = (
    ("street_lighting", "hot_spots_patrol"),
    ("cctv_car_park", "street_lighting"),
    ("target_hardening", "alley_gating"),
)

#: offence group -> offence of the shipped unit-cost table used when the exact
#: offence name is not in the table
DEFAULT_CRIME_COST: dict[str, dict[str, str]] = {
    "USD": {
        "violence": "aggravated assault",
        "sexual": "rape",
        "robbery": "robbery",
        "burglary": "burglary",
        "vehicle": "motor vehicle theft",
        "property": "theft",
        "criminal_damage": "vandalism",
    },
    "GBP": {
        "violence": "violence with injury",
        "sexual": "other sexual offences",
        "robbery": "robbery",
        "vehicle": "theft from vehicle",
        "criminal_damage": "other criminal damage",
    },
}

_SIM_CELLS = 4_000_000  # simulations x rows per Monte Carlo chunk


# ----------------------------------------------------------------- helpers


def _short_cite(citation: str) -> str:
    m = re.search(r"\((\d{4})\)", citation)
    year = m.group(1) if m else ""
    head = citation[: m.start()] if m else citation
    surname = head.split(",")[0].strip()
    many = "&" in head or head.count(",") > 2
    return f"{surname}{' et al.' if many else ''} {year}".strip()


def _map_distinct(values: pd.Series, fn: Any) -> np.ndarray:
    """``fn`` applied once per distinct value (missing included), spread to every row."""
    codes, distinct = pd.factorize(values.astype("object"), use_na_sentinel=False)
    return np.array([fn(v) for v in distinct], dtype=float)[codes]


def _lookup(
    values: pd.Series, groups: pd.Series, table: Mapping[str, float], default: float
) -> np.ndarray:
    """Value per incident: exact offence name, then offence group, then ``default``."""
    low = {str(k).lower(): float(v) for k, v in table.items()}
    out = _map_distinct(values, lambda v: low.get(str(v).lower(), np.nan))
    fill = _map_distinct(groups, lambda v: low.get(str(v).lower(), np.nan))
    out = np.where(np.isnan(out), fill, out)
    return np.where(np.isnan(out), default, out)


def _table(obj: Any, value: str, what: str) -> dict[str, float]:
    if isinstance(obj, Mapping):
        return {str(k): float(v) for k, v in obj.items()}
    if isinstance(obj, pd.Series):
        return {str(k): float(v) for k, v in obj.items()}
    if isinstance(obj, pd.DataFrame):
        check_columns(obj, ["offence", value], what)
        out = {str(k): float(v) for k, v in zip(obj["offence"], obj[value], strict=True)}
        if "offence_group" in obj:
            for g, v in obj.groupby("offence_group")[value].max().items():
                out.setdefault(str(g), float(v))
        return out
    raise InvalidInputError(
        f"`{what}` must be a mapping offence -> value, a Series or a DataFrame with "
        f"columns 'offence' and '{value}', got {type(obj).__name__}"
    )


def _crime_costs(costs: Any, currency: str) -> dict[str, float]:
    if costs is not None:
        return _table(costs, "cost", "costs")
    if currency not in DEFAULT_CRIME_COST:
        raise InvalidInputError(
            f"no shipped unit costs of crime in {currency!r}: pass costs={{offence: cost}} "
            "or currency='USD' / 'GBP'"
        )
    table = load_unit_costs(currency)
    out = {str(k): float(v) for k, v in zip(table["offence"], table["cost"], strict=True)}
    for grp, off in DEFAULT_CRIME_COST[currency].items():
        out[grp] = out[off]
    return out


def _hours_label(start: int, n: int) -> str:
    return f"{start:02d}:00-{(start + n) % 24:02d}:00"


def _best_block(profile: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Start hour and weight of the best circular block of ``n`` hours per row."""
    sums = circular_window_sums(profile, int(min(max(n, 1), 24)))
    start = np.argmax(sums, axis=1)
    return start, sums[np.arange(len(profile)), start]


def _pert_draws(
    rng: np.random.Generator, low: np.ndarray, mode: np.ndarray, high: np.ndarray, size: int
) -> np.ndarray:
    width = high - low
    safe = np.where(width > 0, width, 1.0)
    a = 1.0 + 4.0 * (mode - low) / safe
    b = 1.0 + 4.0 * (high - mode) / safe
    u = rng.beta(a, b, size=(size, len(low)))
    return low + np.where(width > 0, width, 0.0) * u


def _period_days(times: pd.Series, duration: Any) -> float:
    """Days the counts cover: ``duration`` when given, else :func:`data_period_days`."""
    if duration is None:
        return data_period_days(
            times, fix="Pass observed_duration='365D' (the length of the data's period)."
        )
    try:
        days = pd.Timedelta(duration).total_seconds() / 86400.0
    except (TypeError, ValueError):
        days = float("nan")
    if not days > 0:
        msg = f"observed_duration must be a positive duration such as '365D', got {duration!r}"
        raise InvalidInputError(msg)
    return float(days)


def _resolve_catalogue(catalogue: Any) -> pd.DataFrame:
    if catalogue is None:
        return load_catalogue()
    if isinstance(catalogue, pd.DataFrame):
        check_columns(
            catalogue,
            ["times", "effect_central", "effect_low", "effect_high", "offences", "settings",
             "displacement", "cost", "evidence_quality", "citations"],
            "catalogue",
        )
        return catalogue
    return load_catalogue(catalogue)


# ----------------------------------------------------------------- scoring


@reordered_arguments("hotspots", "incidents", old_order=areas_before_points)
@renamed_arguments(
    period="observed_duration",
    patrol_hours="patrol_hours_per_day",
    interval=("alpha", lambda c: round(1.0 - c, 12), "alpha = 1 - interval"),
)
def score_interventions(
    incidents: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    interventions: Sequence[str] | None = None,
    catalogue: Any = None,
    horizon: Any = "365D",
    observed_duration: Any = None,
    harm: Any = None,
    costs: Any = None,
    setting: str | None = None,
    offence: str = "offence",
    currency: str = "USD",
    fx: Mapping[str, float] | None = None,
    patrol_hours_per_day: int | None = None,
    tz: Any = None,
    alpha: float = 0.10,
    simulations: int = 10000,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Score evidence-based interventions for every hotspot.

    Parameters
    ----------
    incidents
        Canonical incidents (same CRS) with ``occurred_at``. ``dark_weight`` is
        used when present, otherwise :func:`hotspot.analyse.darkness.daylight` adds it.
    hotspots
        Hotspot areas with ``hotspot_id`` (as made by :func:`hotspot.scan.areas.hotspots`);
        ``area_km2`` is used for quantities (computed from the geometry if absent).
    interventions
        Catalogue ids to score. None: the entries marked ``default = true``
        (effects tagged verified or secondary).
    catalogue
        A frame from :func:`hotspot.respond.evidence.load_catalogue`, a TOML path, or None
        for the shipped catalogue.
    horizon
        Period the prediction covers (pandas Timedelta string). Default one year.
    observed_duration
        Length of the observed period of ``incidents`` (a duration such as
        ``"365D"``); None: last minus first known ``occurred_at``, rounded up to
        whole days. (Called ``period`` before; that name still works for one
        release.)
    harm
        Harm weight per offence (or offence group): a mapping, a Series, a frame
        with ``offence`` and ``weight``, or ``"example"`` for the shipped table
        (:func:`hotspot.respond.evidence.load_harm_example`). None: every incident weighs 1.
        Offences missing from the table weigh 1.
    costs
        Unit cost of crime per offence (or group), in ``currency``; a mapping or a
        frame with ``offence`` and ``cost``. None: the shipped table of
        ``currency`` (USD: McCollister et al. 2010, 2008 dollars; GBP: Heeks et
        al. 2018, 2015/16 pounds) with the group mapping in ``DEFAULT_CRIME_COST``.
        Unknown offences get no benefit (NaN), unless the table has ``"default"``.
    setting
        Column of location categories (e.g. Chicago's ``loc_cat``), mapped with
        :func:`hotspot.respond.evidence.setting_group`; outdoor = street, open space, car
        park, vehicle. None: settings unknown -- every incident is taken to be in
        every setting, an upper bound said in the reason.
    offence
        Column of offence names, mapped with :func:`hotspot.respond.evidence.offence_group`.
        Absent: offences unknown, every incident is eligible (upper bound).
    currency
        Currency of costs and benefits; catalogue costs are converted with the
        catalogue's approximate ``[fx]`` rates updated by ``fx``.
    fx
        Units of ``currency`` per unit of each other currency, e.g.
        ``{"GBP": 1.27}`` when ``currency="USD"``.
    patrol_hours_per_day
        Length of the patrolled block of the day, in hours (1-24); None: each
        patrol entry's ``cost.patrol_hours_per_day``. (Called ``patrol_hours``
        before; that name still works for one release.)
    tz
        Time zone of naive ``occurred_at`` values, passed to
        :func:`hotspot.analyse.darkness.daylight` and
        :func:`hotspot.analyse.temporal.aoristic_weights`.
    alpha
        The uncertainty interval covers ``1 - alpha`` of the simulated prevented
        counts (default 0.10: a 90 % interval). The old ``interval`` (= ``1 - alpha``)
        still works for one release.
    simulations
        Monte Carlo draws per row.
    random_state
        Seed or generator.

    Returns
    -------
    pandas.DataFrame
        One row per (hotspot, intervention): ``hotspot_id``, ``intervention``,
        ``name``, ``n_incidents`` (in the hotspot), ``eligible`` (weighted count
        over the observed period), ``eligible_share``, ``hours`` (patrolled block,
        local clock), ``baseline`` (expected eligible incidents over the horizon),
        ``effect``, ``effect_low``, ``effect_high``, ``prevented``,
        ``prevented_low``, ``prevented_high``, ``harm_prevented``,
        ``harm_prevented_low``, ``harm_prevented_high``, ``capital`` (up-front),
        ``officer_hours`` (over the horizon), ``cost`` (over the horizon),
        ``currency``, ``cost_per_prevented``, ``benefit``, ``bcr``,
        ``evidence_quality``, ``reason``.

    Raises
    ------
    InvalidInputError
        Unknown intervention, an entry without an effect estimate, no incident
        inside any hotspot, bad parameters.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from hotspot.respond.interventions import score_interventions
    >>> hot = gpd.GeoDataFrame({"hotspot_id": [1]}, geometry=[box(0, 0, 150, 150)],
    ...                        crs=32616)
    >>> t = pd.date_range("2012-01-01 22:00", periods=40, freq="9D", tz="America/Chicago")
    >>> inc = gpd.GeoDataFrame({"occurred_at": t, "dark_weight": 1.0},
    ...                        geometry=gpd.points_from_xy([75.0] * 40, [75.0] * 40),
    ...                        crs=32616)
    >>> s = score_interventions(inc, hot, interventions=["street_lighting"], random_state=0)
    >>> s[["eligible", "effect"]].iloc[0].tolist()
    [40.0, 0.36]
    >>> bool(s["prevented_low"].iloc[0] <= s["prevented"].iloc[0] <= s["prevented_high"].iloc[0])
    True
    """
    check_geodataframe(hotspots, "hotspots")
    check_geodataframe(incidents, "incidents")
    check_columns(hotspots, ["hotspot_id"], "hotspots")
    check_columns(incidents, ["occurred_at"], "incidents")
    check_same_crs(incidents, hotspots, "incidents", "hotspots")
    if len(hotspots) == 0:
        raise InvalidInputError("`hotspots` has no rows: nothing to score")
    if hotspots["hotspot_id"].duplicated().any():
        raise InvalidInputError("`hotspots` has duplicate hotspot_id values")
    if not 0 < alpha < 1:
        raise InvalidInputError(f"alpha must be in (0, 1), got {alpha}")
    if int(simulations) < 100:
        raise InvalidInputError(f"simulations must be at least 100, got {simulations}")
    if setting is not None and setting not in incidents:
        raise InvalidInputError(
            f"setting column {setting!r} is not in incidents; pass an existing column "
            "(e.g. 'loc_cat') or setting=None for unknown settings"
        )
    cat = _resolve_catalogue(catalogue)
    default = cat["default"].astype(bool) if "default" in cat else pd.Series(True, cat.index)
    ids = list(cat.index[default]) if interventions is None else list(interventions)
    unknown = [i for i in ids if i not in cat.index]
    if unknown:
        raise InvalidInputError(
            f"unknown intervention(s) {unknown}; the catalogue has {sorted(cat.index)}"
        )
    if not ids:
        raise InvalidInputError("no interventions to score: pass interventions=[...]")
    noeff = [i for i in ids if np.isnan(cat.loc[i, "effect_central"])]
    if noeff:
        raise InvalidInputError(
            f"intervention(s) {noeff} have no effect estimate in the catalogue; supply one "
            "with load_catalogue(overrides={id: {'effect': {'central': ..., 'low': ..., "
            "'high': ...}}})"
        )
    rates = {**cat.attrs.get("fx", {"USD": 1.0}), **dict(fx or {})}
    if currency not in rates:
        raise InvalidInputError(f"no exchange rate for {currency!r}; pass fx=")
    horizon_days = pd.Timedelta(horizon).total_seconds() / 86400.0
    if horizon_days <= 0:
        raise InvalidInputError(f"horizon must be positive, got {horizon!r}")

    choices: dict[str, Any] = {}
    member = hotspot_membership(incidents, hotspots)
    inside = member.notna().to_numpy()
    if not inside.any():
        raise InvalidInputError(
            "no incident falls inside any hotspot: check that `incidents` are the ones the "
            "hotspots were made from and share their CRS"
        )
    period_days = _period_days(incidents["occurred_at"], observed_duration)
    if observed_duration is None:
        note_choice(choices, "period_days", period_days,
                    "last minus first known occurred_at, rounded up to whole days")
    scale = horizon_days / period_days

    inc = incidents.loc[inside]
    hid = hotspots["hotspot_id"].to_numpy(dtype=np.int64)
    pos = pd.Index(hid).get_indexer(member[inside].to_numpy(dtype=np.int64))
    n_hot = len(hid)
    onehot = sp.csr_matrix(
        (np.ones(len(inc)), (pos, np.arange(len(inc)))), shape=(n_hot, len(inc))
    )
    n_incidents = np.asarray(onehot.sum(axis=1)).ravel()

    # offences, settings, harm and unit costs per incident
    offence_known = offence in inc
    names = inc[offence].astype("object") if offence_known else pd.Series([pd.NA] * len(inc))
    names = names.reset_index(drop=True)
    groups = offence_group(names) if offence_known else pd.Series([pd.NA] * len(inc))
    if not offence_known:
        note_choice(choices, "offence", None,
                    f"no {offence!r} column: offences unknown, all incidents eligible")
    setting_known = setting is not None
    settings = (setting_group(inc[setting]) if setting_known
                else pd.Series([pd.NA] * len(inc))).reset_index(drop=True)
    if harm is None:
        w_harm = np.ones(len(inc))
    else:
        table = _table(load_harm_example() if isinstance(harm, str) and harm == "example"
                       else harm, "weight", "harm")
        w_harm = _lookup(names, groups, table, 1.0)
    ctable = _crime_costs(costs, currency)
    unit_cost = _lookup(names, groups, ctable, ctable.get("default", np.nan))

    dark = inc.get("dark_weight")
    if dark is None and any(cat.loc[i, "times"] == "dark" for i in ids):
        dark = daylight(inc, tz=tz)["dark_weight"]
        note_choice(choices, "darkness", "daylight(twilight='civil')",
                    "incidents had no dark_weight: computed with hotspot.analyse.darkness.daylight")
    dark_w = (np.nan_to_num(np.asarray(dark, dtype=float), nan=0.0) if dark is not None
              else np.zeros(len(inc)))
    unknown_time = (np.asarray(dark, dtype=float) != np.asarray(dark, dtype=float)
                    if dark is not None else np.zeros(len(inc), bool))
    hourly = None

    area = (hotspots["area_km2"].to_numpy(dtype=float) if "area_km2" in hotspots
            else hotspots.geometry.area.to_numpy() / 1e6)
    rng = np.random.default_rng(random_state)
    q = alpha / 2.0
    blocks = []
    for iid in ids:
        e = cat.loc[iid]
        ok = np.ones(len(inc), bool)
        if "all" not in e["offences"] and offence_known:
            ok &= groups.isin(list(e["offences"])).to_numpy()
        if "all" not in e["settings"] and setting_known:
            allowed = set(e["settings"])
            if "outdoor" in allowed:
                allowed |= OUTDOOR_SETTINGS
            ok &= settings.isin(sorted(allowed)).to_numpy()
        w = ok.astype(float)
        hours_lab = np.full(n_hot, "", dtype=object)
        cost = dict(e["cost"])
        n_block = 0
        if e["times"] == "dark":
            w = w * dark_w
        elif e["times"] == "patrolled":
            if hourly is None:
                wk = aoristic_weights(inc, tz=tz)
                hourly = sp.csr_matrix(wk)
            n_block = int(patrol_hours_per_day or cost["patrol_hours_per_day"])
            if not 1 <= n_block <= 24:
                raise InvalidInputError(f"patrol_hours_per_day must be 1-24, got {n_block}")
            prof168 = (onehot @ sp.diags(w) @ hourly).toarray()
            prof = prof168.reshape(n_hot, 7, 24).sum(axis=1)
            start, _ = _best_block(prof, n_block)
            hours_lab = np.array([_hours_label(s, n_block) for s in start], dtype=object)
            inblock = ((np.arange(24)[None, :] - start[:, None]) % 24) < n_block
            hourly_day = hourly.toarray().reshape(len(inc), 7, 24).sum(axis=1)
            hour_of = hourly_day * inblock[pos]
            w = w * hour_of.sum(axis=1)
        eligible = onehot @ w
        harm_el = onehot @ (w * w_harm)
        cost_el = onehot @ (w * unit_cost)
        baseline = eligible * scale
        c, lo, hi = (float(e["effect_central"]), float(e["effect_low"]),
                     float(e["effect_high"]))
        delta = 1.0 + float(e["displacement"])
        prevented = baseline * c * delta
        # Monte Carlo, vectorized over simulations x hotspots (chunked by rows)
        p_lo = np.empty(n_hot)
        p_hi = np.empty(n_hot)
        step = max(1, _SIM_CELLS // int(simulations))
        for a in range(0, n_hot, step):
            b = min(n_hot, a + step)
            m = b - a
            r = _pert_draws(rng, np.full(m, lo), np.full(m, c), np.full(m, hi),
                            int(simulations))
            sims = rng.poisson(baseline[a:b], size=(int(simulations), m)) * r * delta
            p_lo[a:b], p_hi[a:b] = np.quantile(sims, [q, 1 - q], axis=0)
        p_lo = np.minimum(p_lo, prevented)
        p_hi = np.maximum(p_hi, prevented)
        ratio_h = np.divide(harm_el, eligible, out=np.zeros(n_hot), where=eligible > 0)
        ratio_c = np.divide(cost_el, eligible, out=np.full(n_hot, np.nan), where=eligible > 0)
        benefit = np.where(eligible > 0, prevented * ratio_c, 0.0)
        # costs
        rate = rates.get(cost["currency"])
        if rate is None:
            raise InvalidInputError(
                f"no exchange rate from {cost['currency']!r} (intervention {iid!r}); pass fx="
            )
        conv = rate / rates[currency]
        years = horizon_days / 365.25
        if "units_per_km2" in cost:
            units = np.maximum(float(cost.get("min_units", 1)),
                               np.ceil(float(cost["units_per_km2"]) * area))
        else:
            units = np.ones(n_hot)
        capital = float(cost.get("capital", 0.0)) * units * conv
        life = float(cost.get("lifetime_years", 0.0) or 0.0)
        cap_h = capital * (min(1.0, years / life) if life > 0 else 1.0)
        if e["times"] == "patrolled":
            visits_day = n_block / float(cost["visit_interval_hours"])
            o_hours = np.full(n_hot, visits_day * float(cost["visit_minutes"]) / 60.0
                              * horizon_days)
        else:
            o_hours = np.full(n_hot, float(cost.get("officer_hours_per_year", 0.0)) * years)
        o_cost = o_hours * float(cost.get("officer_hour_cost", 0.0)) * conv
        total = cap_h + float(cost.get("running_per_year", 0.0)) * years * conv + o_cost
        with np.errstate(divide="ignore", invalid="ignore"):
            cpp = np.where(prevented > 0, total / prevented, np.inf)
            bcr = np.where(total > 0, benefit / total, np.nan)
        frame = pd.DataFrame(
            {
                "hotspot_id": hid,
                "intervention": iid,
                "name": e["name"],
                "n_incidents": n_incidents,
                "eligible": eligible,
                "eligible_share": np.divide(eligible, n_incidents, out=np.zeros(n_hot),
                                            where=n_incidents > 0),
                "hours": hours_lab,
                "baseline": baseline,
                "effect": c,
                "effect_low": lo,
                "effect_high": hi,
                "prevented": prevented,
                "prevented_low": p_lo,
                "prevented_high": p_hi,
                "harm_prevented": prevented * ratio_h,
                "harm_prevented_low": p_lo * ratio_h,
                "harm_prevented_high": p_hi * ratio_h,
                "capital": capital,
                "officer_hours": o_hours,
                "cost": total,
                "currency": currency,
                "cost_per_prevented": cpp,
                "benefit": benefit,
                "bcr": bcr,
                "evidence_quality": e["evidence_quality"],
            }
        )
        frame["reason"] = _reasons(frame, e, f"{horizon_days:g} days", setting_known,
                                   offence_known, onehot @ unknown_time.astype(float))
        blocks.append(frame)
    out = pd.concat(blocks, ignore_index=True)
    if "rank" in hotspots:
        ranks = dict(zip(hid, hotspots["rank"], strict=True))
        out.insert(1, "rank", out["hotspot_id"].map(ranks))
    out = out.sort_values(["hotspot_id", "intervention"], kind="stable", ignore_index=True)
    params = {
        "interventions": ids,
        "horizon": str(horizon),
        "period_days": period_days,
        "setting": setting,
        "offence": offence if offence_known else None,
        "currency": currency,
        "fx": rates,
        "alpha": alpha,
        "simulations": int(simulations),
        "catalogue_version": cat.attrs.get("version"),
        "effect_distribution": "PERT(low, central, high) x Poisson(baseline)",
    }
    return attach(out, "score_interventions", params, choices)


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:.1f}"


def _reasons(
    frame: pd.DataFrame, e: pd.Series, horizon: Any, setting_known: bool,
    offence_known: bool, n_unknown: np.ndarray,
) -> list[str]:
    cites = "; ".join(_short_cite(c) for c in e["citations"][:2])
    what = {"dark": "in darkness", "patrolled": "in the patrolled hours",
            "any": "at any time"}[e["times"]]
    parts = []
    if "all" not in e["offences"]:
        parts.append("/".join(e["offences"]) if offence_known
                     else "offence unknown: all counted, an upper bound")
    if "all" not in e["settings"]:
        parts.append(("/".join(e["settings"]) + " settings") if setting_known
                     else "setting unknown: all counted, an upper bound")
    tag = e["evidence_quality"]
    out = []
    cur = frame["currency"].iloc[0]
    for row, n_unk in zip(frame.itertuples(index=False), n_unknown, strict=True):
        cond = "; ".join([*parts, what + (f" {row.hours}" if row.hours else "")])
        if row.eligible <= 0:
            out.append(f"{e['name']}: none of its {int(row.n_incidents)} incidents were "
                       f"eligible ({cond}); nothing to prevent.")
            continue
        txt = (
            f"{e['name']}: {row.eligible_share:.0%} of its {int(row.n_incidents)} incidents "
            f"were eligible ({cond}); it reduced crime by {row.effect:.0%} (range "
            f"{row.effect_low:.0%}-{row.effect_high:.0%}, evidence {tag}) in {cites} -> "
            f"about {_fmt(row.prevented)} ({_fmt(row.prevented_low)}-"
            f"{_fmt(row.prevented_high)}) fewer over {horizon} at {cur} "
            f"{_fmt(row.cost_per_prevented)} each"
        )
        if e["times"] == "dark" and n_unk > 0:
            txt += f"; {int(n_unk)} incident(s) with unknown time not counted as dark"
        out.append(txt + ".")
    return out


# ----------------------------------------------------------------- planning


def _conflicts(
    hotspot: np.ndarray, kind: np.ndarray, complementary: Iterable[tuple[str, str]]
) -> np.ndarray:
    comp = {frozenset(p) for p in complementary}
    rows = []
    for h in np.unique(hotspot):
        idx = np.flatnonzero(hotspot == h)
        for i_a, a in enumerate(idx):
            for b in idx[i_a + 1 :]:
                if kind[a] == kind[b] or frozenset((kind[a], kind[b])) not in comp:
                    rows.append((a, b))
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def plan(
    scores: pd.DataFrame,
    *,
    budget: float | None = None,
    officer_hours: float | None = None,
    objective: str = "harm_prevented",
    exclusive: bool = True,
    complementary: Iterable[tuple[str, str]] = COMPLEMENTARY,
) -> pd.DataFrame:
    """Best portfolio of interventions under money and officer-hour budgets.

    An exact 0-1 integer program solved with ``scipy.optimize.milp`` (HiGHS):
    maximize the sum of ``objective`` over chosen rows subject to
    sum(``cost``) <= ``budget``, sum(``officer_hours``) <= ``officer_hours`` and, when
    ``exclusive``, at most one intervention per hotspot except pairs listed in
    ``complementary`` (their effects are then simply added, an approximation that
    overstates a pair whose eligible incidents overlap: the combined reduction of
    two measures of effects a and b on the same incidents is at most 1-(1-a)(1-b)).
    Rows with a non-positive or missing objective are never chosen.

    Parameters
    ----------
    scores
        The frame from :func:`score_interventions` (columns ``hotspot_id``,
        ``intervention``, ``cost``, ``officer_hours`` and ``objective``).
    budget
        Money over the horizon, in the scores' currency; None: unlimited.
    officer_hours
        Officer hours over the horizon; None: unlimited.
    objective
        Column to maximize: ``"harm_prevented"`` (default), ``"prevented"`` or
        ``"benefit"``.
    exclusive
        One intervention kind per hotspot (except complementary pairs).
    complementary
        Pairs of intervention ids that may share a hotspot.

    Returns
    -------
    pandas.DataFrame
        The chosen rows of ``scores``. ``attrs["totals"]`` holds ``cost``,
        ``officer_hours``, ``prevented``, ``harm_prevented``, ``benefit`` and the
        budgets; ``attrs["hotspot"]["plan"]`` the parameters and solver status.

    Raises
    ------
    InvalidInputError
        A negative budget, missing columns, or an infeasible/failed solve.

    Examples
    --------
    >>> from hotspot.respond.interventions import plan
    >>> s = pd.DataFrame({"hotspot_id": [1, 1, 2], "intervention": ["a", "b", "a"],
    ...                   "cost": [10.0, 4.0, 6.0], "officer_hours": [0.0, 0.0, 0.0],
    ...                   "harm_prevented": [5.0, 3.0, 4.0]})
    >>> plan(s, budget=10)[["hotspot_id", "intervention"]].values.tolist()
    [[1, 'b'], [2, 'a']]
    """
    if not isinstance(scores, pd.DataFrame):
        raise InvalidInputError(f"`scores` must be a DataFrame, got {type(scores).__name__}")
    check_columns(scores, ["hotspot_id", "intervention", "cost", "officer_hours", objective],
                  "scores")
    for name, val in (("budget", budget), ("officer_hours", officer_hours)):
        if val is not None and (not np.isfinite(float(val)) or float(val) < 0):
            raise InvalidInputError(f"{name} must be a non-negative number, got {val!r}")
    obj = scores[objective].to_numpy(dtype=float)
    cost = scores["cost"].to_numpy(dtype=float)
    hours = scores["officer_hours"].to_numpy(dtype=float)
    if np.any(cost < 0) or np.any(hours < 0):
        raise InvalidInputError("scores have negative cost or officer_hours")
    cand = np.flatnonzero(np.isfinite(obj) & (obj > 0) & np.isfinite(cost) & np.isfinite(hours))
    chosen = np.array([], dtype=np.int64)
    status = "nothing to choose"
    if len(cand):
        n = len(cand)
        cons = []
        if budget is not None:
            cons.append(LinearConstraint(cost[cand][None, :], -np.inf, float(budget)))
        if officer_hours is not None:
            cons.append(LinearConstraint(hours[cand][None, :], -np.inf, float(officer_hours)))
        if exclusive:
            pairs = _conflicts(scores["hotspot_id"].to_numpy()[cand],
                               scores["intervention"].astype(str).to_numpy()[cand],
                               complementary)
            if len(pairs):
                k = len(pairs)
                a = sp.csr_matrix((np.ones(2 * k), (np.repeat(np.arange(k), 2), pairs.ravel())),
                                  shape=(k, n))
                cons.append(LinearConstraint(a, -np.inf, 1.0))
        # tiny cost penalty breaks ties towards cheaper portfolios
        scale = max(float(np.abs(obj[cand]).max()), 1e-12)
        c = -obj[cand] / scale + 1e-7 * cost[cand] / max(float(cost[cand].max()), 1e-12)
        res = milp(c, constraints=cons, integrality=np.ones(n), bounds=Bounds(0, 1))
        if res.x is None:
            raise InvalidInputError(f"the integer program failed: {res.message}")
        status = str(res.message)
        chosen = cand[np.round(res.x) > 0.5]
    out = scores.iloc[chosen].copy()
    totals = {
        "cost": float(cost[chosen].sum()),
        "officer_hours": float(hours[chosen].sum()),
        "budget": budget,
        "officer_hours_budget": officer_hours,
        "objective": objective,
    }
    for col in ("prevented", "harm_prevented", "benefit"):
        if col in scores:
            totals[col] = float(np.nansum(scores[col].to_numpy(dtype=float)[chosen]))
    out.attrs["totals"] = totals
    params = {"budget": budget, "officer_hours": officer_hours, "objective": objective,
              "exclusive": exclusive, "complementary": [list(p) for p in complementary]}
    return attach(out, "plan", params, {}, status=status, totals=totals)
