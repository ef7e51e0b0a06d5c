"""Tests for the evidence catalogue, intervention scoring, baselines and the budget plan."""

from __future__ import annotations

import itertools
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from hotspot.exceptions import InvalidInputError
from hotspot.respond.baseline import expected_counts, fit_prior
from hotspot.respond.evidence import (
    MECHANISMS,
    TECHNIQUES,
    catalogue_path,
    load_catalogue,
    load_cpi,
    load_harm_example,
    load_unit_costs,
)
from hotspot.respond.interventions import _annuity, _best_block, score_interventions
from hotspot.respond.planning import plan

CRS = 32616
TZ = "America/Chicago"


def _hot(n: int = 3) -> gpd.GeoDataFrame:
    geoms = [box(i * 1000, 0, i * 1000 + 150, 150) for i in range(n)]
    return gpd.GeoDataFrame(
        {"hotspot_id": np.arange(1, n + 1), "area_km2": 0.0225}, geometry=geoms, crs=CRS
    )


def _incidents(counts, *, dark=1.0, loc="street", hour=22, offence="aggravated assault"):
    """``counts[i]`` incidents in hotspot i over 2012 at ``hour``, plus a spread background."""
    xs, ys, ts = [], [], []
    for i, k in enumerate(counts):
        xs += [i * 1000 + 75.0] * k
        ys += [75.0] * k
        days = np.linspace(0, 364, k).astype(int) if k else []
        ts += [pd.Timestamp("2012-01-01") + pd.Timedelta(days=int(d), hours=hour) for d in days]
    # background: 2 incidents in each of 40 cells far away (the area's level), the first
    # and last anchoring the observed period to one year
    for j in range(40):
        xs += [20_000.0 + 400 * j] * 2
        ys += [20_000.0] * 2
        ts += [pd.Timestamp("2012-01-01 12:00"), pd.Timestamp("2012-12-31 12:00")]
    return gpd.GeoDataFrame(
        {
            "occurred_at": pd.DatetimeIndex(ts).tz_localize(TZ),
            "time_quality": "exact",
            "dark_weight": dark,
            "loc_cat": loc,
            "offence": offence,
        },
        geometry=gpd.points_from_xy(xs, ys),
        crs=CRS,
    )


# ----------------------------------------------------------------- catalogue


def test_every_entry_is_emmie_complete():
    cat = load_catalogue()
    assert cat.attrs["version"] and cat.attrs["displacement_band"] == (-0.25, 0.25)
    for iid, e in cat.iterrows():
        assert len(e["citations"]) >= 1 and all(len(c) > 20 for c in e["citations"]), iid
        assert all(any(ch.isdigit() for ch in c) for c in e["citations"]), iid  # a year
        assert e["mechanism"] in MECHANISMS
        if e["role"] == "measure":
            assert e["technique"] in TECHNIQUES[e["mechanism"]], iid
        assert e["triangle_side"] in ("offender", "target", "place") and e["checks"], iid
        assert e["pop_guide"] and e["moderators"] and e["implementation"], iid
        assert e["evidence_quality"] in ("verified", "secondary", "unverified", "none")
        if np.isfinite(e["effect_central"]):
            assert e["effect_outcome"] and e["effect_low_is"] and e["effect_high_is"], iid
            assert e["verification"].split(":")[0] in ("verified", "secondary", "unverified")
        if e["default"]:  # defaults only from verified or secondary figures, measures only
            assert e["evidence_quality"] in ("verified", "secondary"), iid
            assert e["role"] == "measure"


def test_catalogue_corrections_from_the_sources():
    cat = load_catalogue()
    light = cat.loc["street_lighting"]
    assert light["effect_central"] == 0.36
    assert "night-time outdoor index" in light["effect_outcome"]
    assert "all" not in light["offences"] and "different outcome" in light["effect_low_is"]
    area = cat.loc["street_lighting_area"]
    assert area["effect_central"] == 0.14 and area["effect_low"] == 0.0 and area["default"]
    patrol = cat.loc["hot_spots_patrol"]
    assert patrol["effect_central"] == 0.16 and patrol["effect_low"] != 0.081
    assert "Cohen's d" in patrol["effect_low_is"] and "backfired" in patrol["effect_low_is"]
    pop = cat.loc["problem_oriented_policing"]
    assert pop["role"] == "process" and not pop["default"] and pop["evidence_quality"] == "verified"
    assert "problem" in pop["effect_outcome"]
    assert cat.loc["alley_gating", "effect_central"] < 0.37 == cat.loc["alley_gating",
                                                                         "effect_high"]
    hard = cat.loc["target_hardening"]
    assert any("effectiveness of burglary security devices" in c and "sj.2014.30" in c
               for c in hard["citations"])
    assert "new-build" in hard["effect_high_is"] or "new builds" in hard["effect_high_is"]
    assert cat.loc["cpted_commercial_robbery", "effect_central"] < 0.30
    assert "uncontrolled" in cat.loc["cpted_commercial_robbery", "effect_outcome"]
    graffiti = cat.loc["graffiti_removal"]
    assert graffiti["technique"] == "deny benefits"
    assert graffiti["mechanism"] == "reduce the rewards"
    assert "street_lighting" in cat.loc["cctv_car_park", "includes"]
    for iid in ("cpted_residential_street", "cpted_park", "street_closure",
                "place_managers_licensed", "place_managers_shops", "focused_deterrence",
                "youth_diversion"):
        assert cat.loc[iid, "evidence_quality"] == "none", iid  # honest "no estimate"
    assert cat.loc["focused_deterrence", "controller"] == "handler"


def test_overrides_errors_and_tables(tmp_path):
    cat = load_catalogue(overrides={
        "street_lighting": {"effect": {"central": 0.2}, "cost.capital": 500.0},
        "graffiti_removal": {"effect": {"central": 0.1, "low": 0.0, "high": 0.2}},
    })
    assert cat.loc["street_lighting", "effect_central"] == 0.2
    assert cat.loc["street_lighting", "effect_low"] == 0.14  # untouched
    assert cat.loc["graffiti_removal", "effect_high"] == 0.2
    with pytest.raises(InvalidInputError, match=r"effect\.low <= effect\.central"):
        load_catalogue(overrides={"street_lighting": {"effect.central": 0.9}})
    with pytest.raises(InvalidInputError, match="Cornish & Clarke"):
        load_catalogue(overrides={"street_lighting": {"technique": "remove excuses"}})
    with pytest.raises(InvalidInputError, match="does not exist"):
        load_catalogue(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text(catalogue_path().read_text().replace('role = "process"', 'role = "rival"'))
    with pytest.raises(InvalidInputError, match="role 'rival'"):
        load_catalogue(bad)
    assert load_unit_costs("GBP").set_index("offence").loc["robbery", "cost"] == 11320
    h = load_harm_example().set_index("offence")["weight"]
    assert h["theft"] == 1.0
    usd = load_cpi("USD").set_index("year")["index"]
    assert usd[2024] / usd[2008] == pytest.approx(1.457, abs=0.002)  # evidence-base 10.1
    assert _annuity(0.0, 10) == pytest.approx(0.1)
    assert _annuity(0.035, 20) == pytest.approx(0.035 / (1 - 1.035 ** -20))


# ----------------------------------------------------------------- baseline


def test_empirical_bayes_shrinks_towards_the_area_level():
    rng = np.random.default_rng(3)
    # gamma-Poisson cells with known prior: mean 4, shape 2 -> own-count weight 4/6
    lam = rng.gamma(2.0, 2.0, 4000)
    cnt = rng.poisson(lam)
    cx, cy = np.arange(4000) % 80, np.arange(4000) // 80
    xs = np.repeat(cx * 100.0 + 50, cnt) + rng.uniform(-40, 40, cnt.sum())
    ys = np.repeat(cy * 100.0 + 50, cnt) + rng.uniform(-40, 40, cnt.sum())
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs, ys), crs=CRS)
    prior = fit_prior(pts, 0.01)
    assert prior.mean == pytest.approx(4.0 * 1.05, rel=0.1)  # zero cells left out
    hot = gpd.GeoDataFrame({"hotspot_id": [1, 2]},
                           geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=CRS)
    e = expected_counts(pts, hot, period_days=365, horizon_days=365, prior=prior)
    w = prior.weight
    expect = w * e["observed"] + (1 - w) * prior.mean
    np.testing.assert_allclose(e["expected"], expect, rtol=1e-9)
    assert ((e["expected_low"] <= e["expected"]) & (e["expected"] <= e["expected_high"])).all()
    high = e["observed"] > prior.mean
    assert (e.loc[high, "expected"] < e.loc[high, "naive"]).all()
    with pytest.raises(InvalidInputError, match="period_days"):
        expected_counts(pts, hot, period_days=0)


@pytest.mark.shared_data
def test_calibration_expected_vs_realised_next_year_chicago(shared_data):
    """Top Chicago hotspots of 2012: 2013 counts fall inside the 90 % interval for most."""
    from hotspot.scan.areas import hotspot_membership, hotspots

    df = pd.read_csv(shared_data / "chicago" / "chicago_aggravated_assaults_2010_2019.csv.gz",
                     usecols=["date", "longitude", "latitude"]).dropna()
    t = pd.to_datetime(df["date"])
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(df["longitude"], df["latitude"]),
                           crs=4326).to_crs(CRS)
    y12, y13 = pts[(t.dt.year == 2012).to_numpy()], pts[(t.dt.year == 2013).to_numpy()]
    hot = hotspots(y12, method="gistar", cell_size=150)
    e = expected_counts(y12, hot, period_days=366, horizon_days=365)
    real = hotspot_membership(y13, hot).value_counts().reindex(e.index, fill_value=0)
    top = e.assign(real=real).nlargest(30, "observed")
    inside = ((top["real"] >= top["expected_low"]) & (top["real"] <= top["expected_high"]))
    assert inside.mean() >= 0.6
    # the shrunk expectation is closer to what happened than past counts scaled forward
    assert abs(top["expected"].sum() - top["real"].sum()) < abs(
        top["naive"].sum() - top["real"].sum())


# ----------------------------------------------------------------- scoring


def test_no_eligible_means_nothing_prevented_and_no_rank():
    inc = _incidents([10, 0, 5], dark=0.0)
    s = score_interventions(inc, _hot(), interventions=["street_lighting", "target_hardening"],
                            setting="loc_cat", random_state=0, simulations=500)
    assert (s["eligible"] == 0).all()
    assert (s[["prevented", "prevented_low", "prevented_high", "harm_prevented",
               "benefit"]] == 0).all().all()
    assert s["rank_here"].isna().all()
    assert s["reason"].str.contains("nothing counted").all()
    assert plan(s).attrs["totals"]["problem_solving"] == [1, 2, 3]


def test_hand_computed_lighting_row_money_and_horizon():
    inc = _incidents([40, 0, 0], offence="robbery")
    s = score_interventions(inc, _hot(), interventions=["street_lighting"], setting="loc_cat",
                            horizon="730D", random_state=3, displacement=(0.0, 0.0))
    row = s.iloc[0]
    assert row["eligible"] == 40
    exp = expected_counts(inc, _hot(), period_days=365, horizon_days=730)
    assert row["expected_total"] == pytest.approx(exp["expected"].iloc[0])
    assert row["expected_total"] < 80  # regression to the mean: below 40 x 2 years
    pert = (0.14 + 4 * 0.36 + 0.36) / 6
    assert row["prevented"] == pytest.approx(row["baseline"] * pert)
    usd = load_cpi("USD").set_index("year")["index"]
    infl = usd[2024] / usd[2012]
    assert row["capital"] == pytest.approx(9 * 1070 * infl)  # 0.0225 km2 x 400 = 9 lights
    assert row["annual_cost"] == pytest.approx(9 * 80 * infl)
    eac = row["capital"] * _annuity(0.035, 20) + row["annual_cost"]
    assert row["eac"] == pytest.approx(eac)
    assert row["cost"] == pytest.approx(eac * 730 / 365.25)
    mc = load_unit_costs("USD").set_index("offence")["cost"]["robbery"] * usd[2024] / usd[2008]
    assert row["benefit"] == pytest.approx(row["prevented"] * mc)
    assert row["bcr"] == pytest.approx(row["benefit"] / row["cost"])
    assert "Chalfin et al. 2022" in row["reason"] and "up front" in row["reason"]
    assert row["prevented_low"] <= row["prevented"] <= row["prevented_high"]


def test_horizon_beyond_asset_life_pays_for_replacement():
    inc = _incidents([30, 0, 0], offence="theft", loc="residence")
    row = score_interventions(inc, _hot(), interventions=["cctv_residential"],
                              setting="loc_cat", horizon="3653D", random_state=0,
                              simulations=200, discount_rate=0.0).iloc[0]
    years = 3653 / 365.25
    assert row["asset_life_years"] == 7
    # undiscounted: the capital of 10/7 schemes over ten years, plus ten years of running
    assert row["cost"] == pytest.approx(row["capital"] * years / 7 + row["annual_cost"] * years)
    assert row["cost"] > row["capital"] + row["annual_cost"] * years  # a replacement is due


def test_displacement_band_and_overdispersion_widen_the_interval():
    inc = _incidents([60, 0, 0])
    kw = {"interventions": ["street_lighting"], "setting": "loc_cat", "random_state": 1,
          "simulations": 4000}
    narrow = score_interventions(inc, _hot(), displacement=(0.0, 0.0), **kw).iloc[0]
    wide = score_interventions(inc, _hot(), **kw).iloc[0]
    assert wide["prevented"] == pytest.approx(narrow["prevented"])  # band centred on 0
    assert wide["prevented_high"] - wide["prevented_low"] > (
        narrow["prevented_high"] - narrow["prevented_low"])
    with pytest.raises(InvalidInputError, match="displacement"):
        score_interventions(inc, _hot(), displacement=(0.5, 0.1), **kw)


def test_an_offence_the_evidence_found_no_effect_on_is_never_eligible():
    """Street lighting cut property crime, not violence (Welsh et al. 2022): assaults in
    the street are not eligible, known or as a range; thefts there are."""
    hot = _hot(1)
    assaults = _incidents([12], offence="aggravated assault")
    s = score_interventions(assaults, hot, interventions=["street_lighting_area"],
                            setting=False, random_state=0, simulations=500).iloc[0]
    assert s["eligible"] == 0 and s["eligible_unknown"] == 0
    assert s["prevented"] == 0 and s["prevented_if_unknown_eligible"] == 0
    assert "not violence/sexual/robbery (no effect found)" in s["reason"]
    mixed = pd.concat([_incidents([12], offence="aggravated assault"),
                       _incidents([5], offence="theft")])
    s = score_interventions(mixed, hot, interventions=["street_lighting_area"],
                            setting="loc_cat", random_state=0, simulations=500).iloc[0]
    assert s["eligible"] == 5 and s["prevented"] > 0
    nulls = load_catalogue().loc["street_lighting_area", "no_effect_on"]
    assert "violence" in nulls and "property" not in nulls
    with pytest.raises(InvalidInputError, match="no_effect_on"):
        load_catalogue(overrides={"street_lighting_area": {"no_effect_on": ["assaults"]}})


def test_unknown_place_type_is_a_range_ranked_on_what_is_known():
    hot = _hot(1)
    inc = pd.concat([_incidents([6], loc="street"), _incidents([4], loc="residence")])
    known = score_interventions(inc, hot, interventions=["street_lighting"], setting="loc_cat",
                                random_state=0, simulations=500).iloc[0]
    assert known["eligible"] == 6 and known["eligible_unknown"] == 0
    s = score_interventions(inc, hot, interventions=["street_lighting", "hot_spots_patrol"],
                            setting=False, random_state=0, simulations=500
                            ).set_index("intervention")
    light = s.loc["street_lighting"]
    assert light["eligible"] == 0 and light["eligible_unknown"] == 10
    assert light["prevented"] == 0 and light["prevented_if_unknown_eligible"] > 0
    assert pd.isna(light["rank_here"]) and "might be eligible" in light["reason"]
    assert s.loc["hot_spots_patrol", "rank_here"] == 1  # ranked on what is known


def test_bcr_is_the_same_whichever_currency():
    inc = _incidents([30, 12, 5], offence="robbery")
    kw = {"setting": "loc_cat", "random_state": 0, "simulations": 500, "costs": "US",
          "interventions": ["street_lighting", "hot_spots_patrol", "alley_gating"]}
    usd = score_interventions(inc, _hot(), currency="USD", **kw)
    gbp = score_interventions(inc, _hot(), currency="GBP", **kw)
    np.testing.assert_allclose(usd["bcr"], gbp["bcr"], rtol=1e-9)
    cap = usd["capital"] > 0
    np.testing.assert_allclose(usd.loc[cap, "capital"] / gbp.loc[cap, "capital"], 1.28)
    assert (gbp["currency"] == "GBP").all()
    # the country table follows the incidents, not the currency
    auto = score_interventions(inc, _hot(), currency="GBP",
                               **{k: v for k, v in kw.items() if k != "costs"})
    assert "costs" in auto.attrs["hotspot"]["score_interventions"]["choices"]
    np.testing.assert_allclose(auto["bcr"], usd["bcr"], rtol=1e-9)


def test_offences_without_a_unit_cost_are_listed_not_dropped():
    inc = pd.concat([_incidents([8], offence="Anti-social behaviour"),
                     _incidents([4], offence="Robbery")])
    s = score_interventions(inc, _hot(1), interventions=["hot_spots_patrol"], costs="UK",
                            currency="GBP", random_state=0, simulations=500)
    row = s.iloc[0]
    assert np.isfinite(row["benefit"]) and row["benefit"] > 0
    assert row["prevented_not_costed"] == pytest.approx(row["prevented"] * 8 / 12)
    assert "Anti-social behaviour (8)" in row["not_costed"] and "not costed" in row["reason"]
    p = plan(s, objective="benefit")
    assert len(p) == 1 and "could not be valued" in p.attrs["totals"]["note"]
    asb = score_interventions(_incidents([9], offence="Anti-social behaviour"), _hot(1),
                              interventions=["hot_spots_patrol"], costs="UK",
                              random_state=0, simulations=300)
    nothing = plan(asb, objective="benefit")
    assert nothing.empty and nothing.attrs["totals"]["unvalued_options"] == 1
    assert "could not be valued" in nothing.attrs["totals"]["note"]


def test_patrol_block_koper_hours_and_problem_solving_counts_the_problem():
    inc = pd.concat([_incidents([8], hour=21), _incidents([2], hour=9)])
    s = score_interventions(inc, _hot(1), interventions=["hot_spots_patrol"],
                            setting="loc_cat", patrol_hours_per_day=4, currency="GBP",
                            random_state=0, simulations=500)
    row = s.iloc[0]
    assert row["eligible"] == 8 and row["hours"] in {f"{h:02d}:00-{(h + 4) % 24:02d}:00"
                                                    for h in (18, 19, 20, 21)}
    # 4 h block, a 15-minute visit every 2 h -> 0.5 officer hours a day
    assert row["officer_hours_per_week"] == pytest.approx(3.5)
    gbp = load_cpi("GBP").set_index("year")["index"]
    assert row["annual_cost"] == pytest.approx(3.5 * 52 * 36.51 * gbp[2024] / gbp[2014])
    assert row["capital"] == 0
    start, best = _best_block(np.array([[1.0] + [0] * 22 + [5.0]]), 2)
    assert start[0] == 23 and best[0] == 6.0  # wraps midnight
    mix = pd.concat([_incidents([7], offence="Burglary"), _incidents([3], offence="Robbery")])
    pop = score_interventions(mix, _hot(1), interventions=["problem_oriented_policing"],
                              random_state=0, simulations=500).iloc[0]
    assert pop["eligible"] == 7  # the main problem only, not every incident


def test_default_scoring_leaves_out_the_process_and_bad_input():
    hot, inc = _hot(), _incidents([3, 2, 1])
    s = score_interventions(inc, hot, random_state=0, simulations=200)
    assert "problem_oriented_policing" not in set(s["intervention"])
    with pytest.raises(InvalidInputError, match="unknown intervention"):
        score_interventions(inc, hot, interventions=["moon_lighting"])
    with pytest.raises(InvalidInputError, match="no effect estimate"):
        score_interventions(inc, hot, interventions=["graffiti_removal"])
    far = inc.copy()
    far["geometry"] = gpd.points_from_xy([9e5] * len(inc), [9e5] * len(inc))
    with pytest.raises(InvalidInputError, match="no incident falls inside any hotspot"):
        score_interventions(far, hot)
    with pytest.raises(InvalidInputError, match=r"setting='loc_kat' is not a column.*"
                       r"Did you mean 'loc_cat'\?.*setting=False for none"):
        score_interventions(inc, hot, setting="loc_kat")
    with pytest.raises(InvalidInputError, match="price year"):
        score_interventions(inc, hot, price_year=1990)
    with pytest.raises(InvalidInputError, match="capital_budget must be a non-negative"):
        plan(s, capital_budget=-1)


# ----------------------------------------------------------------- plan


def _random_scores(seed: int, n_hot: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    kinds = ["street_lighting", "hot_spots_patrol", "cctv_residential", "target_hardening"]
    rows = [(h, k) for h in range(n_hot) for k in kinds]
    n = len(rows)
    base = rng.uniform(1, 30, n)
    eff = rng.uniform(0.05, 0.4, n)
    return pd.DataFrame({
        "hotspot_id": [r[0] for r in rows],
        "intervention": [r[1] for r in rows],
        "capital": rng.uniform(0, 100, n) * (rng.random(n) < 0.6),
        "annual_cost": rng.uniform(0, 20, n),
        "officer_hours_per_week": rng.uniform(0, 5, n) * (rng.random(n) < 0.5),
        "baseline": base, "prevented": base * eff, "harm_prevented": base * eff * 2,
        "includes": "",
    })


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plan_never_exceeds_any_budget_and_is_exact(seed):
    df = _random_scores(seed, n_hot=4)
    budgets = {"capital_budget": 120.0, "annual_budget": 30.0, "officer_hours_per_week": 6.0}
    comp = [("street_lighting", "hot_spots_patrol")]
    p = plan(df, complementary=comp, **budgets)
    assert p["capital"].sum() <= 120 + 1e-9 and p["annual_cost"].sum() <= 30 + 1e-9
    assert p["officer_hours_per_week"].sum() <= 6 + 1e-9
    assert p.groupby("hotspot_id").size().max() <= 2
    # brute force over options (one per hotspot: a single row, the allowed pair, nothing)
    best = 0.0
    per_h = []
    for _, g in df.groupby("hotspot_id"):
        opts = [(0.0, 0.0, 0.0, 0.0)]
        for _, r in g.iterrows():
            opts.append((r["capital"], r["annual_cost"], r["officer_hours_per_week"],
                         r["harm_prevented"]))
        a = g.set_index("intervention")
        la, pa = a.loc["street_lighting"], a.loc["hot_spots_patrol"]
        ea, eb = la["prevented"] / la["baseline"], pa["prevented"] / pa["baseline"]
        over = ea * eb * min(la["baseline"], pa["baseline"]) * 2  # harm = 2 x prevented
        opts.append((la["capital"] + pa["capital"], la["annual_cost"] + pa["annual_cost"],
                     la["officer_hours_per_week"] + pa["officer_hours_per_week"],
                     la["harm_prevented"] + pa["harm_prevented"] - over))
        per_h.append(opts)
    for combo in itertools.product(*per_h):
        c, y, o, v = (sum(x[i] for x in combo) for i in range(4))
        if c <= 120 + 1e-9 and y <= 30 + 1e-9 and o <= 6 + 1e-9:
            best = max(best, v)
    assert p.attrs["totals"]["harm_prevented"] == pytest.approx(best)


def test_combined_measures_multiply_and_nested_ones_never_pair():
    df = pd.DataFrame({
        "hotspot_id": [1, 1, 1], "intervention": ["street_lighting", "hot_spots_patrol",
                                                  "cctv_car_park"],
        "capital": [10.0, 0.0, 20.0], "annual_cost": [1.0, 5.0, 2.0],
        "officer_hours_per_week": [0.0, 3.5, 0.0], "baseline": [50.0, 100.0, 50.0],
        "prevented": [18.0, 16.0, 25.0], "harm_prevented": [18.0, 16.0, 25.0],
        "harm_prevented_low": [10.0, 8.0, 12.0], "harm_prevented_high": [25.0, 30.0, 30.0],
        "includes": ["", "", "street_lighting"],
    })
    p = plan(df, complementary=[("street_lighting", "hot_spots_patrol"),
                                ("cctv_car_park", "street_lighting")])
    assert set(p["intervention"]) == {"street_lighting", "hot_spots_patrol"}
    overlap = 0.36 * 0.16 * 50  # 1 - (1 - a)(1 - b) on the 50 shared incidents
    assert p.attrs["totals"]["harm_prevented"] == pytest.approx(34 - overlap)
    t = p.attrs["totals"]
    assert t["harm_prevented_low"] <= t["harm_prevented"] <= t["harm_prevented_high"]
    only = plan(df, complementary=[("cctv_car_park", "street_lighting")])
    assert len(only) == 1  # the car-park figure already includes lighting


# ----------------------------------------------------------------- real data


def _sample(name):
    import hotspot as hs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample(name)
    return hs.hotspots(inc), inc


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.parametrize("name,setting", [("chicago_assaults", "loc_cat"),
                                          ("memphis_robberies", None),
                                          ("west_yorkshire", None)])
def test_samples_top_measures_and_budgets(name, setting):
    hot, inc = _sample(name)
    s = score_interventions(inc, hot, setting=setting, random_state=7, simulations=1000)
    assert (s["prevented_low"] <= s["prevented"]).all()
    assert (s["prevented"] <= s["prevented_high"]).all()
    assert np.isfinite(s["benefit"]).all()  # never NaN: uncosted crime is listed instead
    top = s[s["rank_here"] == 1]
    if top["intervention"].nunique() == 1 and len(top) == len(hot):
        # one measure everywhere only when the data leave no other measure known to apply
        others = s[s["intervention"] != top["intervention"].iloc[0]]
        assert (others["prevented"] == 0).all()
        assert top["reason"].str.contains("known to apply").all()
        assert others.loc[others["eligible_unknown"] > 0, "reason"].str.contains(
            "might be eligible").all()
    if name == "chicago_assaults":
        assert top["intervention"].nunique() >= 2
    # the same benefit-cost ratio whichever currency
    gbp = score_interventions(inc, hot, setting=setting, random_state=7, simulations=200,
                              currency="GBP")
    both = s["bcr"].notna() & gbp["bcr"].notna()
    np.testing.assert_allclose(s.loc[both, "bcr"], gbp.loc[both, "bcr"], rtol=1e-9)
    # a menu for every hotspot, each candidate with its triangle side and checks
    from hotspot.respond.menu import response_menu

    menu = response_menu(inc, hot, scores=s, setting=setting)
    assert set(menu["hotspot_id"]) == set(hot["hotspot_id"])
    assert menu["triangle_side"].isin(["offender", "target", "place"]).all()
    assert (menu["checks"].str.len() > 0).all()
    p = plan(s, capital_budget=50_000, annual_budget=20_000, officer_hours_per_week=10)
    assert p["capital"].sum() <= 50_000 and p["annual_cost"].sum() <= 20_000
    assert p["officer_hours_per_week"].sum() <= 10


# ----------------------------------------------------------------- response menu


def test_response_menu_triangle_checks_and_process_first_where_nothing_fits():
    from hotspot.respond.menu import format_response_menu, response_menu

    burg = _incidents([10, 0, 0], offence="Burglary", loc="residence")
    m = response_menu(burg, _hot(), setting="loc_cat")
    one = m[m["hotspot_id"] == 1].set_index("intervention")
    assert {"target_hardening", "alley_gating", "problem_oriented_policing"} <= set(one.index)
    assert one.loc["target_hardening", "triangle_side"] == "target"
    assert one.loc["target_hardening", "controller"] == "guardian"
    assert "burgl" in one.loc["target_hardening", "checks"].lower()
    assert "street_lighting" not in one.index  # indoors: lighting does not fit
    # no scores given: nothing is known to prevent anything, the process comes first
    assert one.loc["problem_oriented_policing", "order"] == 1
    assert "analyse the problem first" in one.loc["problem_oriented_policing", "why"]
    s = score_interventions(burg, _hot(), setting="loc_cat", random_state=0, simulations=300)
    m2 = response_menu(burg, _hot(), scores=s, setting="loc_cat")
    first = m2[(m2["hotspot_id"] == 1) & (m2["order"] == 1)].iloc[0]
    assert first["status"] == "scored" and first["prevented"] > 0
    lines = format_response_menu(m2, 1, top=2)
    assert lines[0].startswith("1. ") and "Check on site" in lines[1]
    assert format_response_menu(m2, 1, compact=True)[0].startswith("   ")
    with pytest.raises(InvalidInputError, match="min_share"):
        response_menu(burg, _hot(), min_share=2)


def test_plan_never_exceeds_a_budget_property():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    kinds = ["street_lighting", "hot_spots_patrol", "target_hardening", "alley_gating"]
    row = st.tuples(st.integers(0, 5), st.sampled_from(kinds),
                    st.floats(0, 1e5), st.floats(0, 1e4), st.floats(0, 20),
                    st.floats(0.1, 50), st.floats(0.0, 0.6))

    @settings(max_examples=60, deadline=None)
    @given(st.lists(row, min_size=1, max_size=16), st.floats(0, 2e5), st.floats(0, 2e4),
           st.floats(0, 30))
    def check(rows, cap, yearly, hours):
        df = pd.DataFrame(rows, columns=["hotspot_id", "intervention", "capital", "annual_cost",
                                         "officer_hours_per_week", "baseline", "eff"])
        df = df.drop_duplicates(["hotspot_id", "intervention"]).reset_index(drop=True)
        df["prevented"] = df["baseline"] * df["eff"]
        df["harm_prevented"] = df["prevented"]
        p = plan(df, capital_budget=cap, annual_budget=yearly, officer_hours_per_week=hours)
        assert p["capital"].sum() <= cap + 1e-6
        assert p["annual_cost"].sum() <= yearly + 1e-6
        assert p["officer_hours_per_week"].sum() <= hours + 1e-6
        t = p.attrs["totals"]
        assert t["harm_prevented"] <= df["harm_prevented"].sum() + 1e-9
        assert t["harm_prevented"] >= -1e-9

    check()


def test_place_type_column_found_by_its_name_at_every_door():
    """setting=None finds the place-type column (one rule: resolve_setting), reported."""
    from hotspot.ingest.columns import resolve_setting
    from hotspot.respond.menu import response_menu
    from hotspot.respond.patrol import lighting_audit

    hot = _hot()
    inc = _incidents([30, 0, 0], offence="robbery").rename(columns={"loc_cat": "Premises Type"})
    kw = {"interventions": ["street_lighting"], "random_state": 0, "simulations": 300}
    auto = score_interventions(inc, hot, **kw)
    given = score_interventions(inc, hot, setting="Premises Type", **kw)
    none = score_interventions(inc, hot, setting=False, **kw)
    assert auto["eligible"].tolist() == given["eligible"].tolist() == [30.0, 0.0, 0.0]
    assert none["eligible"].sum() == 0 and none["eligible_unknown"].sum() == 30
    choice = auto.attrs["hotspot"]["score_interventions"]["choices"]["setting"]
    assert choice["value"] == "Premises Type" and "found by its name" in choice["reason"]
    menu = response_menu(inc, hot)
    assert menu.loc[menu["intervention"] == "street_lighting", "share_known"].max() == 1.0
    assert lighting_audit(inc, hot, n_lights=0).hotspots["n_outdoor"].sum() == 30
    indoor = inc.assign(**{"Premises Type": "residence"})
    assert lighting_audit(indoor, hot, n_lights=0).hotspots["n_outdoor"].sum() == 0
    assert lighting_audit(indoor, hot, n_lights=0, setting=False).hotspots[
        "n_outdoor"].sum() == 30
    choices: dict = {}
    assert resolve_setting(inc.drop(columns="Premises Type"), None, choices) is None
    assert "place types unknown" in choices["setting"]["reason"]
