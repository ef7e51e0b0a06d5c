"""Response: evidence-based intervention scoring and a plan under separate budgets.

:func:`score_interventions` gives, for every (hotspot, measure) pair, the incidents the
measure could act on, the incidents (and harm) it would be expected to prevent over a
horizon with an uncertainty interval, its money (up-front capital, yearly running cost,
officer hours a week, equivalent annual cost) and its benefit-cost ratio, with a
plain-language reason citing the evidence. :func:`plan` picks the best portfolio under a
capital budget, a yearly budget and an officer-hours budget with an exact integer program
(:func:`hotspot.respond.planning.plan`), combining measures at one place without double
counting.

The scoring runs four steps, each a small function:

1. **Eligibility** (:func:`_eligibility`): incidents inside the hotspot whose offence group,
   setting and time the catalogue entry covers; never an offence its evidence found no
   effect on (``no_effect_on``, e.g. violence for street lighting). What is unknown (no
   setting column, a missing offence or time) is not counted as eligible: it gives the
   upper end of a range ("none eligible" .. "all eligible"), stated in the reason, and
   measures are ranked on what is known. ``"dark"``: the incident's ``dark_weight``
   (:func:`hotspot.analyse.darkness.daylight`); ``"patrolled"``: the aoristic weight in the
   hotspot's busiest block of ``patrol_hours`` hours. Problem-oriented policing is the
   process that chooses measures, not one of them: it is not scored by default, and when
   asked for by name it counts only the hotspot's main offence group (the problem).
2. **Baseline** (:func:`hotspot.respond.baseline.expected_counts`): the hotspot's expected
   count over the horizon, shrunk towards the study area's level by empirical Bayes
   (regression to the mean), times the eligible share.
3. **Simulation** (:func:`_simulate`): future counts from the negative-binomial posterior
   predictive (overdispersion from the data), the effect from a PERT distribution on the
   entry's (low, central, high), and displacement (-) / diffusion (+) drawn uniformly
   from the catalogue's band (default -0.25 .. +0.25 around the entry's value). The point
   estimate is the mean of that distribution (computed exactly); the interval its
   central ``1 - alpha`` quantiles.
4. **Costing** (:func:`_costing`): capital = unit price x units; yearly cost = running cost
   (energy, maintenance, monitoring) + officer hours x hourly cost; equivalent annual cost
   (EAC) = capital x r / (1 - (1 + r) ** -life) + yearly cost, with the discount rate
   ``r`` (default 3.5 %, the HM Treasury Green Book social time preference rate); cost over
   the horizon = EAC x years (so replacement after the asset life is included). Every
   amount is inflated to ``price_year`` with the consumer price index of its own currency
   (:func:`hotspot.respond.evidence.load_cpi`) and converted to ``currency`` at one stated
   rate, so a benefit-cost ratio does not depend on the currency chosen.

Benefit = prevented incidents x unit cost of crime of their offences (one table per
country, chosen from where the incidents are, not from the currency); offences without a
unit cost are "not costed": counted in ``prevented_not_costed`` and named in the reason,
never turned into a missing benefit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from hotspot._core.deprecation import (
    areas_before_points,
    renamed_arguments,
    reordered_arguments,
)
from hotspot._core.meta import attach, note_choice
from hotspot._core.time import circular_window_sums, data_period_days
from hotspot._core.validation import check_columns, check_incidents_and_hotspots
from hotspot.analyse.darkness import daylight
from hotspot.analyse.temporal import aoristic_weights
from hotspot.exceptions import InvalidInputError
from hotspot.ingest.columns import resolve_setting
from hotspot.respond.baseline import expected_counts
from hotspot.respond.evidence import (
    OUTDOOR_SETTINGS,
    load_catalogue,
    load_cpi,
    load_harm_example,
    load_unit_costs,
    offence_group,
    setting_group,
)
from hotspot.scan.areas import hotspot_membership

__all__ = [
    "DEFAULT_CRIME_COST",
    "DISCOUNT_RATE",
    "PRICE_YEAR",
    "score_interventions",
]

#: default discount rate: HM Treasury Green Book social time preference rate (3.5 % real)
DISCOUNT_RATE = 0.035
#: default price year of every amount (the latest year of the shipped CPI tables)
PRICE_YEAR = 2024

#: country table -> (currency of the shipped unit costs, offence group -> offence used
#: when the exact offence name is not in the table)
DEFAULT_CRIME_COST: dict[str, tuple[str, dict[str, str]]] = {
    "US": ("USD", {
        "violence": "aggravated assault",
        "sexual": "rape",
        "robbery": "robbery",
        "burglary": "burglary",
        "vehicle": "motor vehicle theft",
        "property": "theft",
        "criminal_damage": "vandalism",
    }),
    "UK": ("GBP", {
        "violence": "violence with injury",
        "sexual": "other sexual offences",
        "robbery": "robbery",
        "vehicle": "theft from vehicle",
        "criminal_damage": "other criminal damage",
    }),
}

_SIM_CELLS = 4_000_000  # simulations x rows per Monte Carlo chunk
_PERT_SHAPE = 4.0


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
    if isinstance(obj, (Mapping, pd.Series)):
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


class _Money:
    """Converts (amount, currency, price year) to the output currency at one price year."""

    def __init__(self, currency: str, rates: Mapping[str, float], price_year: int | None):
        if currency not in rates:
            raise InvalidInputError(f"no exchange rate for {currency!r}; pass fx={{...}}")
        self.currency, self.rates, self.price_year = currency, dict(rates), price_year
        self._cpi: dict[str, pd.Series] = {}

    def _index(self, cur: str, year: float) -> float:
        if cur not in self._cpi:
            self._cpi[cur] = load_cpi(cur).set_index("year")["index"].astype(float)
        s = self._cpi[cur]
        if not s.index.min() <= year <= s.index.max():
            raise InvalidInputError(
                f"price year {year:g} is outside the shipped {cur} consumer price index "
                f"({s.index.min()}-{s.index.max()}); pass price_year= within it or None"
            )
        return float(np.interp(year, s.index.to_numpy(float), s.to_numpy()))

    def factor(self, cur: str, year: float | None) -> float:
        """Multiplier from ``cur`` at ``year`` prices to the output currency and year."""
        rate = self.rates.get(cur)
        if rate is None:
            raise InvalidInputError(f"no exchange rate from {cur!r}: pass fx={{{cur!r}: ...}}")
        infl = 1.0
        if self.price_year is not None and year is not None:
            infl = self._index(cur, float(self.price_year)) / self._index(cur, float(year))
        return infl * rate / self.rates[self.currency]


def _crime_costs(
    costs: Any, incidents: gpd.GeoDataFrame, money: _Money, choices: dict[str, Any]
) -> tuple[dict[str, float], str]:
    """Return unit costs of crime per offence and group, in the output currency and year."""
    if costs is not None and not isinstance(costs, str):
        return _table(costs, "cost", "costs"), "user table (taken as output currency/year)"
    country = costs
    if country is None:
        lon = incidents.geometry.to_crs(4326).x.median() if incidents.crs else np.nan
        country = "US" if np.isfinite(lon) and lon < -30 else "UK"
        note_choice(choices, "costs", country,
                    "unit costs of crime of the country the incidents are in (median "
                    "longitude west of 30 W: US, else UK), whatever the output currency")
    if country not in DEFAULT_CRIME_COST:
        raise InvalidInputError(
            f"costs={country!r}: use 'US' (McCollister et al. 2010), 'UK' (Heeks et al. "
            "2018), or a mapping offence -> cost in the output currency"
        )
    cur, groups = DEFAULT_CRIME_COST[country]
    table = load_unit_costs(cur)
    out = {}
    for off, cost, year in zip(table["offence"], table["cost"], table["year"], strict=True):
        out[str(off)] = float(cost) * money.factor(cur, float(year))
    for grp, off in groups.items():
        out[grp] = out[off]
    src = f"{country} table ({cur}, {int(table['year'].iloc[0])} prices)"
    return out, src


def _hours_label(start: int, n: int) -> str:
    return f"{start:02d}:00-{(start + n) % 24:02d}:00"


def _best_block(profile: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Start hour and weight of the best circular block of ``n`` hours per row."""
    sums = circular_window_sums(profile, int(min(max(n, 1), 24)))
    start = np.argmax(sums, axis=1)
    return start, sums[np.arange(len(profile)), start]


def _pert_draws(
    rng: np.random.Generator, low: float, mode: float, high: float, size: tuple[int, int]
) -> np.ndarray:
    width = high - low
    if width <= 0:
        return np.full(size, low)
    a = 1.0 + _PERT_SHAPE * (mode - low) / width
    b = 1.0 + _PERT_SHAPE * (high - mode) / width
    return low + width * rng.beta(a, b, size=size)


def _pert_mean(low: float, mode: float, high: float) -> float:
    return (low + _PERT_SHAPE * mode + high) / (_PERT_SHAPE + 2.0)


def _period_days(times: pd.Series, period: Any) -> float:
    """Days the counts cover: ``period`` when given, else :func:`data_period_days`."""
    if period is None:
        return data_period_days(times, fix="Pass period='365D' (the length of the data's period).")
    try:
        days = pd.Timedelta(period).total_seconds() / 86400.0
    except (TypeError, ValueError):
        days = float("nan")
    if not days > 0:
        msg = f"period must be a positive duration such as '365D', got {period!r}"
        raise InvalidInputError(msg)
    return float(days)


def _covered_times(incidents: pd.DataFrame) -> pd.Series:
    """Return the times that bound the data: window ends when present (month-only data)."""
    cols = [c for c in ("occurred_from", "occurred_to") if c in incidents]
    if len(cols) == 2:
        # plain Series: the frame's attrs (ingest reports) are not carried into concat
        return pd.concat([pd.Series(incidents[c].array) for c in cols], ignore_index=True)
    return incidents["occurred_at"]


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


def _select(cat: pd.DataFrame, interventions: Sequence[str] | None) -> list[str]:
    """Catalogue ids to score: the named ones, or the default measures."""
    if interventions is None:
        default = cat["default"].astype(bool) if "default" in cat else pd.Series(True, cat.index)
        if "role" in cat:
            default &= cat["role"].eq("measure")
        ids = list(cat.index[default])
    else:
        ids = list(interventions)
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
    return ids


# ----------------------------------------------------------------- context


class _Context:
    """Per-call data shared by the four steps (incidents inside hotspots, in order)."""

    def __init__(self, hotspots: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame,
                 member: pd.Series) -> None:
        inside = member.notna().to_numpy()
        self.inc = incidents.loc[inside]
        self.hid = hotspots["hotspot_id"].to_numpy(dtype=np.int64)
        self.n_hot = len(self.hid)
        self.pos = pd.Index(self.hid).get_indexer(member[inside].to_numpy(dtype=np.int64))
        n = len(self.inc)
        self.onehot = sp.csr_matrix((np.ones(n), (self.pos, np.arange(n))),
                                    shape=(self.n_hot, n))
        self.n_incidents = np.asarray(self.onehot.sum(axis=1)).ravel()
        self.area = (hotspots["area_km2"].to_numpy(dtype=float) if "area_km2" in hotspots
                     else hotspots.geometry.area.to_numpy() / 1e6)
        self.hourly: sp.csr_matrix | None = None

    def per_hotspot(self, w: np.ndarray) -> np.ndarray:
        return self.onehot @ w


def _incident_attributes(
    ctx: _Context, *, offence: str, setting: str | None, harm: Any, ctable: dict[str, float],
    choices: dict[str, Any],
) -> None:
    """Offence groups, settings, harm weights and unit costs of the incidents in hotspots."""
    inc = ctx.inc
    ctx.offence_known = offence in inc
    names = (inc[offence].astype("object") if ctx.offence_known
             else pd.Series([pd.NA] * len(inc), dtype="object"))
    ctx.names = names.reset_index(drop=True)
    ctx.groups = (offence_group(ctx.names) if ctx.offence_known
                  else pd.Series([pd.NA] * len(inc), dtype="object"))
    if not ctx.offence_known:
        note_choice(choices, "offence", None,
                    f"no {offence!r} column: offences unknown, counted as a range only")
    ctx.setting_known = setting is not None
    ctx.settings = (setting_group(inc[setting]) if ctx.setting_known
                    else pd.Series([pd.NA] * len(inc), dtype="object")).reset_index(drop=True)
    if harm is None:
        ctx.w_harm = np.ones(len(inc))
    else:
        table = _table(load_harm_example() if isinstance(harm, str) and harm == "example"
                       else harm, "weight", "harm")
        ctx.w_harm = _lookup(ctx.names, ctx.groups, table, 1.0)
    ctx.unit_cost = _lookup(ctx.names, ctx.groups, ctable, ctable.get("default", np.nan))


def _dark_weights(ctx: _Context, tz: Any, needed: bool, choices: dict[str, Any]) -> None:
    dark = ctx.inc.get("dark_weight")
    if dark is None and needed:
        dark = daylight(ctx.inc, tz=tz)["dark_weight"]
        note_choice(choices, "darkness", "daylight(twilight='civil')",
                    "incidents had no dark_weight: computed with "
                    "hotspot.analyse.darkness.daylight")
    d = np.asarray(dark, dtype=float) if dark is not None else np.full(len(ctx.inc), np.nan)
    ctx.dark_known = np.nan_to_num(d, nan=0.0)
    ctx.dark_unknown = np.isnan(d).astype(float)


# ----------------------------------------------------------------- step 1: eligibility


def _known_mask(values: pd.Series, allowed: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """(in an allowed class, value unknown) per incident."""
    unknown = values.isna().to_numpy()
    ok = values.isin(sorted(allowed)).to_numpy() & ~unknown
    return ok, unknown


def _eligibility(
    e: pd.Series, ctx: _Context, patrol_hours: int | None, tz: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weight per incident that is eligible (known) and that might be (unknown), hours."""
    n = len(ctx.inc)
    known = np.ones(n)
    maybe = np.ones(n)  # eligible if every unknown turned out favourable
    if e.get("role", "measure") == "process":
        main = _main_problem(ctx)
        ok = ctx.groups.to_numpy(dtype=object) == main[ctx.pos]
        known, maybe = known * ok, maybe * (ok | ctx.groups.isna().to_numpy())
    elif "all" not in e["offences"]:
        ok, unk = _known_mask(ctx.groups, set(e["offences"]))
        known, maybe = known * ok, maybe * (ok | unk)
    null = set(e.get("no_effect_on", ()) or ())
    if null:  # the evidence found no effect on these offences: never eligible
        shown = ctx.groups.isin(sorted(null)).to_numpy()
        known, maybe = known * ~shown, maybe * ~shown
    if "all" not in e["settings"]:
        allowed = set(e["settings"])
        if "outdoor" in allowed:
            allowed |= OUTDOOR_SETTINGS
        ok, unk = _known_mask(ctx.settings, allowed)
        known, maybe = known * ok, maybe * (ok | unk)
    hours = np.full(ctx.n_hot, "", dtype=object)
    if e["times"] == "dark":
        known = known * ctx.dark_known
        maybe = maybe * (ctx.dark_known + ctx.dark_unknown)
    elif e["times"] == "patrolled":
        share, hours, no_time = _patrol_block(ctx, known + 0.0, e, patrol_hours, tz)
        known, maybe = known * share, maybe * (share + no_time)
    return known, np.maximum(maybe - known, 0.0), hours


def _main_problem(ctx: _Context) -> np.ndarray:
    """Most frequent known offence group per hotspot (the problem a project analyses)."""
    frame = pd.DataFrame({"h": ctx.pos, "g": ctx.groups.to_numpy(dtype=object)}).dropna()
    out = np.full(ctx.n_hot, None, dtype=object)
    if len(frame):
        top = frame.groupby(["h", "g"]).size().reset_index(name="n")
        top = top.sort_values(["h", "n"], ascending=[True, False]).drop_duplicates("h")
        out[top["h"].to_numpy()] = top["g"].to_numpy()
    return out


def _patrol_block(
    ctx: _Context, w: np.ndarray, e: pd.Series, patrol_hours: int | None, tz: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share of each incident's time in its hotspot's busiest block, labels, time unknown."""
    if ctx.hourly is None:
        ctx.hourly = sp.csr_matrix(aoristic_weights(ctx.inc, tz=tz))
    n_block = int(patrol_hours or e["cost"]["patrol_hours_per_day"])
    if not 1 <= n_block <= 24:
        raise InvalidInputError(f"patrol_hours_per_day must be 1-24, got {n_block}")
    prof = (ctx.onehot @ sp.diags(w) @ ctx.hourly).toarray().reshape(ctx.n_hot, 7, 24)
    start, _ = _best_block(prof.sum(axis=1), n_block)
    inblock = ((np.arange(24)[None, :] - start[:, None]) % 24) < n_block
    hourly_day = ctx.hourly.toarray().reshape(len(ctx.inc), 7, 24).sum(axis=1)
    share = (hourly_day * inblock[ctx.pos]).sum(axis=1)
    no_time = (hourly_day.sum(axis=1) <= 0).astype(float)
    return share, np.array([_hours_label(s, n_block) for s in start], dtype=object), no_time


# ----------------------------------------------------------------- step 3: simulation


def _simulate(
    rng: np.random.Generator, mean_rate: np.ndarray, shape: np.ndarray, scale: float,
    share: np.ndarray, effect: tuple[float, float, float], delta: tuple[float, float],
    simulations: int, interval: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and interval of prevented incidents per hotspot.

    Future eligible count: Poisson(share x scale x rate), the rate drawn from the
    hotspot's posterior gamma (mean ``mean_rate`` per observed period, shape ``shape``;
    infinite shape: no overdispersion, the rate is fixed), i.e. the negative-binomial
    predictive; effect: PERT(low, central, high); net displacement/diffusion: uniform on
    ``delta``. The mean is exact: E[count] x E[effect] x (1 + E[delta]).
    """
    lo_e, c_e, hi_e = effect
    n = len(shape)
    finite = np.isfinite(shape)
    safe = np.where(finite, shape, 1.0)
    mean = share * scale * mean_rate * _pert_mean(lo_e, c_e, hi_e) * (1 + sum(delta) / 2)
    q = (1.0 - interval) / 2.0
    p_lo, p_hi = np.zeros(n), np.zeros(n)
    step = max(1, _SIM_CELLS // int(simulations))
    for a in range(0, n, step):  # chunks of hotspots, vectorised over simulations
        b = min(n, a + step)
        size = (int(simulations), b - a)
        lam = rng.gamma(safe[a:b], 1.0, size=size) / safe[a:b]
        lam = np.where(finite[a:b], lam, 1.0) * mean_rate[a:b]
        counts = rng.poisson(lam * (share[a:b] * scale))
        sims = counts * _pert_draws(rng, lo_e, c_e, hi_e, size) * (
            1.0 + rng.uniform(delta[0], delta[1], size=size))
        p_lo[a:b], p_hi[a:b] = np.quantile(sims, [q, 1 - q], axis=0)
    return mean, np.minimum(p_lo, mean), np.maximum(p_hi, mean)


# ----------------------------------------------------------------- step 4: costing


def _annuity(rate: float, life: float) -> float:
    """Capital recovery factor: yearly payment per unit of capital over ``life`` years."""
    if life <= 0:
        return 1.0
    if rate == 0:
        return 1.0 / life
    return rate / (1.0 - (1.0 + rate) ** -life)


def _costing(
    e: pd.Series, area: np.ndarray, money: _Money, years: float, discount_rate: float,
    n_block: int,
) -> dict[str, np.ndarray]:
    """Capital, yearly cost, officer hours a week, equivalent annual cost and horizon cost."""
    cost = dict(e["cost"])
    n = len(area)
    conv = money.factor(cost["currency"], cost.get("year"))
    if "units_per_km2" in cost:
        units = np.maximum(float(cost.get("min_units", 1)),
                           np.ceil(float(cost["units_per_km2"]) * area))
    else:
        units = np.ones(n)
    capital = float(cost.get("capital", 0.0)) * units * conv
    running = (float(cost.get("running_per_unit_year", 0.0)) * units
               + float(cost.get("running_per_year", 0.0))) * conv
    if e["times"] == "patrolled":
        visits_day = n_block / float(cost["visit_interval_hours"])
        weekly = visits_day * float(cost["visit_minutes"]) / 60.0 * 7.0
    else:
        weekly = float(cost.get("officer_hours_per_year", 0.0)) / 52.0
    hours_week = np.full(n, weekly)
    officer = hours_week * 52.0 * float(cost.get("officer_hour_cost", 0.0)) * conv
    life = float(cost.get("lifetime_years", 0.0) or 0.0)
    if life <= 0 and np.any(capital > 0):
        life = max(years, 1.0)  # no stated life: written off over the horizon
    annual = running + officer
    eac = capital * _annuity(discount_rate, life) + annual
    return {"units": units, "capital": capital, "annual_cost": annual,
            "officer_hours_per_week": hours_week, "asset_life_years": np.full(n, life),
            "eac": eac, "cost": eac * years}


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
    setting: str | Literal[False] | None = None,
    offence: str = "offence",
    currency: str = "USD",
    fx: Mapping[str, float] | None = None,
    price_year: int | None = PRICE_YEAR,
    discount_rate: float = DISCOUNT_RATE,
    displacement: tuple[float, float] | None = None,
    patrol_hours_per_day: int | None = None,
    tz: Any = None,
    alpha: float = 0.10,
    simulations: int = 10000,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Score evidence-based measures for every hotspot.

    Parameters
    ----------
    incidents
        All canonical incidents of the study area (same CRS) with ``occurred_at``: those
        in hotspots are scored, all of them give the area's level for the baseline.
        ``dark_weight`` is used when present, otherwise
        :func:`hotspot.analyse.darkness.daylight` adds it.
    hotspots
        Hotspot areas with ``hotspot_id`` (as made by :func:`hotspot.scan.areas.hotspots`);
        ``area_km2`` is used for quantities (computed from the geometry if absent).
    interventions
        Catalogue ids to score. None: the entries marked ``default = true`` whose role is
        ``"measure"`` (problem-oriented policing is the process, see the module notes).
    catalogue
        A frame from :func:`hotspot.respond.evidence.load_catalogue`, a TOML path, or None.
    horizon
        Period the prediction covers (pandas Timedelta string). Default one year.
    observed_duration
        Length of the observed period of ``incidents`` (a duration such as ``"365D"``);
        None: first to last known time (window ends when present), whole days. (Called
        ``period`` before; that name still works for one release.)
    harm
        Harm weight per offence (or group): a mapping, a Series, a frame with
        ``offence`` and ``weight``, or ``"example"`` for the shipped table. None: 1 each.
    costs
        Unit cost of crime: ``"US"`` (McCollister et al. 2010) or ``"UK"`` (Heeks et
        al. 2018) shipped tables, inflated to ``price_year`` and converted to
        ``currency``; or a mapping / frame offence -> cost already in ``currency`` at
        ``price_year``. None: the table of the country the incidents are in (reported).
        Offences without a cost are "not costed" (``prevented_not_costed``).
    setting
        Column of place types (e.g. Chicago's ``loc_cat``, ``PREMISES_TYPE``), mapped
        with :func:`hotspot.respond.evidence.setting_group`. None: the column named like
        a place type, if there is one (:func:`hotspot.ingest.columns.resolve_setting`;
        the choice is reported in ``attrs``). False, or no such column: place types
        unknown -- measures for particular settings get a range, nothing counted as
        known eligible.
    offence
        Column of offence names, mapped with :func:`hotspot.respond.evidence.offence_group`.
    currency
        Currency of every amount in the output.
    fx
        Units of USD per unit of each currency, updating the catalogue's ``[fx]`` rates
        (one rate per currency, used for every conversion).
    price_year
        Price year of every amount (each is inflated with its own currency's CPI);
        None: no inflation.
    discount_rate
        Real discount rate of the equivalent annual cost (default 0.035, HM Treasury
        Green Book).
    displacement
        (low, high) net diffusion (+) / displacement (-) share added to each entry's own
        value; None: the catalogue's band (-0.25, 0.25; Guerette & Bowers 2009).
    patrol_hours_per_day
        Length of the patrolled block of the day, in hours (1-24); None: the entry's
        value. (Called ``patrol_hours`` before; still accepted for one release.)
    tz
        Time zone of naive ``occurred_at`` values.
    alpha
        The uncertainty intervals cover ``1 - alpha`` (default 0.10: 90 %). The old
        ``interval`` (= ``1 - alpha``) still works for one release.
    simulations
        Monte Carlo draws per row.
    random_state
        Seed or generator.

    Returns
    -------
    pandas.DataFrame
        One row per (hotspot, intervention): ``hotspot_id``, ``intervention``, ``name``,
        ``n_incidents``, ``eligible`` (known eligible, weighted, observed period),
        ``eligible_unknown`` (might be eligible: setting, offence or time unknown),
        ``eligible_share``, ``hours``, ``expected_total`` (empirical-Bayes expected
        incidents in the hotspot over the horizon), ``baseline`` (expected eligible),
        ``effect``, ``effect_low``, ``effect_high``, ``prevented`` (mean),
        ``prevented_low``, ``prevented_high``, ``prevented_if_unknown_eligible``,
        ``harm_prevented`` (+ ``_low``/``_high``), ``prevented_not_costed``,
        ``not_costed`` (offences without a unit cost, with counts), ``capital``,
        ``annual_cost``, ``officer_hours_per_week``, ``asset_life_years``, ``eac``,
        ``cost`` (over the horizon), ``currency``, ``price_year``,
        ``cost_per_prevented``, ``benefit`` (+ ``_low``/``_high``), ``bcr``,
        ``includes``, ``evidence_quality``, ``rank_here`` (rank at the hotspot on
        ``harm_prevented``), ``reason``.

    Raises
    ------
    InvalidInputError
        Unknown intervention, an entry without an effect estimate, no incident inside any
        hotspot, bad parameters.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from hotspot.respond.interventions import score_interventions
    >>> hot = gpd.GeoDataFrame({"hotspot_id": [1]}, geometry=[box(0, 0, 150, 150)],
    ...                        crs=32616)
    >>> t = pd.date_range("2012-01-01 22:00", periods=40, freq="9D", tz="America/Chicago")
    >>> inc = gpd.GeoDataFrame({"occurred_at": t, "dark_weight": 1.0, "loc": "street",
    ...                         "offence": "robbery"},
    ...                        geometry=gpd.points_from_xy([75.0] * 40, [75.0] * 40),
    ...                        crs=32616)
    >>> s = score_interventions(inc, hot, interventions=["street_lighting"], setting="loc",
    ...                         random_state=0)
    >>> s[["eligible", "effect"]].iloc[0].tolist()
    [40.0, 0.36]
    >>> bool(s["prevented_low"].iloc[0] <= s["prevented"].iloc[0] <= s["prevented_high"].iloc[0])
    True
    """
    check_incidents_and_hotspots(incidents, hotspots, ["occurred_at"])
    if len(hotspots) == 0:
        raise InvalidInputError("`hotspots` has no rows: nothing to score")
    if hotspots["hotspot_id"].duplicated().any():
        raise InvalidInputError("`hotspots` has duplicate hotspot_id values")
    if not 0 < alpha < 1:
        raise InvalidInputError(f"alpha must be in (0, 1), got {alpha}")
    interval = 1.0 - alpha
    if int(simulations) < 100:
        raise InvalidInputError(f"simulations must be at least 100, got {simulations}")
    if not (np.isfinite(discount_rate) and 0 <= discount_rate < 1):
        raise InvalidInputError(f"discount_rate must be in [0, 1), got {discount_rate!r}")
    choices: dict[str, Any] = {}
    setting = resolve_setting(incidents, setting, choices)
    cat = _resolve_catalogue(catalogue)
    ids = _select(cat, interventions)
    money = _Money(currency, {**cat.attrs.get("fx", {"USD": 1.0}), **dict(fx or {})},
                   price_year)
    horizon_days = pd.Timedelta(horizon).total_seconds() / 86400.0
    if horizon_days <= 0:
        raise InvalidInputError(f"horizon must be positive, got {horizon!r}")
    band = _band(displacement, cat)
    member = hotspot_membership(incidents, hotspots)
    if not member.notna().any():
        raise InvalidInputError(
            "no incident falls inside any hotspot: check that `incidents` are the ones the "
            "hotspots were made from and share their CRS"
        )
    period_days = _period_days(_covered_times(incidents), observed_duration)
    if observed_duration is None:
        note_choice(choices, "period_days", period_days,
                    "first to last known time (occurred_from/occurred_to windows when "
                    "present, else occurred_at), rounded up to whole days")
    ctx = _Context(hotspots, incidents, member)
    ctable, cost_source = _crime_costs(costs, incidents, money, choices)
    _incident_attributes(ctx, offence=offence, setting=setting, harm=harm, ctable=ctable,
                         choices=choices)
    _dark_weights(ctx, tz, any(cat.loc[i, "times"] == "dark" for i in ids), choices)
    base = expected_counts(incidents, hotspots, period_days=period_days,
                           horizon_days=horizon_days, alpha=alpha)
    eb = base.attrs["hotspot"]["expected_counts"]["params"]
    note_choice(choices, "baseline", "empirical Bayes",
                f"regression to the mean: each hotspot's own count weighs "
                f"{eb['weight_of_own_count']:.2f}, the area's level the rest")
    rng = np.random.default_rng(random_state)
    blocks = [
        _score_one(cat.loc[iid], iid, ctx, base, money, rng, horizon_days / 365.25,
                   discount_rate, band, patrol_hours_per_day, tz, int(simulations), interval)
        for iid in ids
    ]
    out = pd.concat(blocks, ignore_index=True)
    out["currency"] = currency
    out["price_year"] = price_year
    if "rank" in hotspots:
        ranks = dict(zip(ctx.hid, hotspots["rank"], strict=True))
        out.insert(1, "rank", out["hotspot_id"].map(ranks))
    out = out.sort_values(["hotspot_id", "intervention"], kind="stable", ignore_index=True)
    out["rank_here"] = _rank_here(out)
    out["reason"] = _reasons(out, cat, f"{horizon_days:g} days")
    params = {
        "interventions": ids, "horizon": str(horizon), "period_days": period_days,
        "setting": setting, "offence": offence if ctx.offence_known else None,
        "currency": currency, "fx": money.rates, "price_year": price_year,
        "discount_rate": discount_rate, "displacement_band": band,
        "crime_costs": cost_source, "alpha": alpha, "simulations": int(simulations),
        "catalogue_version": cat.attrs.get("version"), "baseline": eb,
        "effect_distribution": "PERT(low, central, high; shape 4) x NB predictive count "
                               "x (1 + uniform displacement band)",
    }
    return attach(out, "score_interventions", params, choices)


def _rank_here(out: pd.DataFrame) -> pd.Series:
    """Rank of each measure at its hotspot on known harm prevented; <NA> if nothing."""
    ranked = out["harm_prevented"].where(out["harm_prevented"] > 0)
    r = ranked.groupby(out["hotspot_id"]).rank(ascending=False, method="first")
    return r.astype("Int64")


def _band(displacement: tuple[float, float] | None, cat: pd.DataFrame) -> tuple[float, float]:
    band = displacement if displacement is not None else cat.attrs.get("displacement_band",
                                                                       (0.0, 0.0))
    try:
        lo, hi = (float(band[0]), float(band[1]))
    except (TypeError, ValueError, IndexError):
        raise InvalidInputError(
            f"displacement must be a (low, high) pair such as (-0.25, 0.25), got {band!r}"
        ) from None
    if not (-1 < lo <= hi < 1):
        raise InvalidInputError(f"displacement must satisfy -1 < low <= high < 1, got {band!r}")
    return lo, hi


def _score_one(
    e: pd.Series, iid: str, ctx: _Context, base: pd.DataFrame, money: _Money,
    rng: np.random.Generator, years: float, discount_rate: float, band: tuple[float, float],
    patrol_hours: int | None, tz: Any, simulations: int, interval: float,
) -> pd.DataFrame:
    """Run the four steps for one catalogue entry, all hotspots at once."""
    known, maybe, hours = _eligibility(e, ctx, patrol_hours, tz)
    eligible = ctx.per_hotspot(known)
    unknown = ctx.per_hotspot(maybe)
    n = ctx.n_incidents
    share = np.divide(eligible, n, out=np.zeros(ctx.n_hot), where=n > 0)
    share_all = np.divide(eligible + unknown, n, out=np.zeros(ctx.n_hot), where=n > 0)
    b = base.reindex(ctx.hid)
    expected = b["expected"].to_numpy()
    effect = (float(e["effect_low"]), float(e["effect_central"]), float(e["effect_high"]))
    d0 = float(e["displacement"])
    delta = (d0 + band[0], d0 + band[1])
    scale = float(base.attrs["hotspot"]["expected_counts"]["params"]["horizon_days"]
                  / base.attrs["hotspot"]["expected_counts"]["params"]["period_days"])
    mean, lo, hi = _simulate(rng, expected / scale, b["shape"].to_numpy(), scale, share,
                             effect, delta, simulations, interval)
    if_all = expected * share_all * _pert_mean(*effect) * (1 + sum(delta) / 2)
    w_cost = np.nan_to_num(ctx.unit_cost, nan=0.0)
    costed = ctx.per_hotspot(known * np.isfinite(ctx.unit_cost))
    value = ctx.per_hotspot(known * w_cost)
    harm = ctx.per_hotspot(known * ctx.w_harm)
    per_h = np.divide(harm, eligible, out=np.zeros(ctx.n_hot), where=eligible > 0)
    per_c = np.divide(value, eligible, out=np.zeros(ctx.n_hot), where=eligible > 0)
    not_costed = np.divide(eligible - costed, eligible, out=np.zeros(ctx.n_hot),
                           where=eligible > 0)
    n_block = int(patrol_hours or e["cost"].get("patrol_hours_per_day", 0) or 0)
    money_cols = _costing(e, ctx.area, money, years, discount_rate, n_block)
    benefit = mean * per_c
    with np.errstate(divide="ignore", invalid="ignore"):
        cpp = np.where(mean > 0, money_cols["cost"] / mean, np.inf)
        bcr = np.where(money_cols["cost"] > 0, benefit / money_cols["cost"], np.nan)
    frame = pd.DataFrame({
        "hotspot_id": ctx.hid, "intervention": iid, "name": e["name"],
        "n_incidents": n, "eligible": eligible, "eligible_unknown": unknown,
        "eligible_share": share, "hours": hours, "expected_total": expected,
        "baseline": expected * share, "effect": effect[1], "effect_low": effect[0],
        "effect_high": effect[2], "prevented": mean, "prevented_low": lo,
        "prevented_high": hi, "prevented_if_unknown_eligible": if_all,
        "harm_prevented": mean * per_h, "harm_prevented_low": lo * per_h,
        "harm_prevented_high": hi * per_h, "prevented_not_costed": mean * not_costed,
        "not_costed": _not_costed_text(ctx, known),
        **money_cols, "cost_per_prevented": cpp, "benefit": benefit,
        "benefit_low": lo * per_c, "benefit_high": hi * per_c, "bcr": bcr,
        "includes": ",".join(e.get("includes", ()) or ()),
        "evidence_quality": e["evidence_quality"],
    })
    return frame


def _not_costed_text(ctx: _Context, known: np.ndarray) -> np.ndarray:
    """Per hotspot: 'offence (n), ...' of eligible incidents without a unit cost."""
    out = np.full(ctx.n_hot, "", dtype=object)
    miss = (known > 0) & ~np.isfinite(ctx.unit_cost)
    if not miss.any():
        return out
    names = ctx.names.astype("string").fillna("unknown offence").to_numpy(dtype=object)
    frame = pd.DataFrame({"h": ctx.pos[miss], "o": names[miss], "w": known[miss]})
    agg = frame.groupby(["h", "o"])["w"].sum().reset_index()
    agg = agg.sort_values(["h", "w"], ascending=[True, False])
    for h, g in agg.groupby("h"):  # one string per hotspot
        out[int(h)] = ", ".join(f"{o} ({w:.0f})" for o, w in zip(g["o"], g["w"], strict=True))
    return out


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:.1f}"


def _rank_text(rank: Any, n: int) -> str:
    if pd.isna(rank):
        return "not ranked here"
    if int(rank) == 1:
        return f"ranked first of {n} here: most harm prevented among the measures known to apply"
    return f"ranked {int(rank)} of {n} here"


def _reasons(frame: pd.DataFrame, cat: pd.DataFrame, horizon: str) -> list[str]:
    """Plain-language reason per row: what is eligible, the evidence, the money, the rank."""
    n_here = frame.groupby("hotspot_id")["intervention"].transform("size").to_numpy()
    out = []
    for row, n_rank in zip(frame.itertuples(index=False), n_here, strict=True):
        e = cat.loc[row.intervention]
        cites = "; ".join(_short_cite(c) for c in e["citations"][:2])
        what = {"dark": "in darkness", "patrolled": f"in the patrolled hours {row.hours}",
                "any": "at any time"}[e["times"]]
        scope = [] if "all" in e["offences"] else ["/".join(e["offences"])]
        if e.get("no_effect_on"):
            scope.append("not " + "/".join(e["no_effect_on"]) + " (no effect found)")
        if "all" not in e["settings"]:
            scope.append("/".join(e["settings"]) + " settings")
        cond = "; ".join([*scope, what])
        unk = ""
        if row.eligible_unknown > 0:
            unk = (f" {row.eligible_unknown:.0f} more might be eligible (place type, offence "
                   f"or time not recorded): up to {_fmt(row.prevented_if_unknown_eligible)} "
                   "fewer if all were;")
        if row.eligible <= 0:
            out.append(f"{e['name']}: none of its {int(row.n_incidents)} incidents is known "
                       f"to be eligible ({cond}); nothing counted.{unk}")
            continue
        cur = row.currency
        money = (f"{cur} {_fmt(row.capital)} up front, {cur} {_fmt(row.annual_cost)} a year"
                 + (f", {row.officer_hours_per_week:.1f} officer-hours a week"
                    if row.officer_hours_per_week > 0 else ""))
        txt = (
            f"{e['name']}: {row.eligible:.0f} of its {int(row.n_incidents)} incidents are "
            f"eligible ({cond});{unk} it cut {e.get('effect_outcome') or 'crime'} by "
            f"{row.effect:.0%} (supported range {row.effect_low:.0%}-{row.effect_high:.0%}, "
            f"evidence {row.evidence_quality}) in {cites} -> about {_fmt(row.prevented)} "
            f"({_fmt(row.prevented_low)}-{_fmt(row.prevented_high)}) fewer over {horizon} "
            f"after regression to the mean; {money}; {_rank_text(row.rank_here, n_rank)}"
        )
        if row.not_costed:
            txt += f"; not costed: {row.not_costed}"
        out.append(txt + ".")
    return out
