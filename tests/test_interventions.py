"""Tests for the evidence catalogue, intervention scoring and the budget plan."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from hotspot.exceptions import InvalidInputError
from hotspot.respond.evidence import (
    MECHANISMS,
    catalogue_path,
    load_catalogue,
    load_harm_example,
    load_unit_costs,
    offence_group,
    setting_group,
)
from hotspot.respond.interventions import _best_block, plan, score_interventions

CRS = 32616
TZ = "America/Chicago"


def _hot(n: int = 3) -> gpd.GeoDataFrame:
    geoms = [box(i * 1000, 0, i * 1000 + 150, 150) for i in range(n)]
    return gpd.GeoDataFrame(
        {"hotspot_id": np.arange(1, n + 1), "area_km2": 0.0225}, geometry=geoms, crs=CRS
    )


def _incidents(counts, *, dark=1.0, loc="street", hour=22, offence="aggravated assault"):
    """``counts[i]`` incidents in hotspot i, spread over 2012 at ``hour``."""
    xs, ts = [], []
    for i, k in enumerate(counts):
        xs += [i * 1000 + 75.0] * k
        days = np.linspace(0, 364, k).astype(int) if k else []
        ts += [pd.Timestamp("2012-01-01") + pd.Timedelta(days=int(d), hours=hour) for d in days]
    # anchor the observed period to exactly one year with two incidents far away
    xs += [50_000.0, 50_000.0]
    ts += [pd.Timestamp("2012-01-01 12:00"), pd.Timestamp("2012-12-31 12:00")]
    n = len(xs)
    return gpd.GeoDataFrame(
        {
            "occurred_at": pd.DatetimeIndex(ts).tz_localize(TZ),
            "time_quality": "exact",
            "dark_weight": dark,
            "loc_cat": loc,
            "offence": offence,
        },
        geometry=gpd.points_from_xy(xs, [75.0] * n),
        crs=CRS,
    )


# ----------------------------------------------------------------- catalogue


def test_every_entry_has_citation_mechanism_and_quality():
    cat = load_catalogue()
    assert cat.attrs["version"]
    for iid, e in cat.iterrows():
        assert len(e["citations"]) >= 1 and all(len(c) > 20 for c in e["citations"]), iid
        assert all(any(ch.isdigit() for ch in c) for c in e["citations"]), iid  # a year
        assert e["mechanism"] in MECHANISMS
        assert e["evidence_quality"] in ("verified", "secondary", "unverified", "none")
        if e["default"]:  # defaults only from verified or secondary figures
            assert e["evidence_quality"] in ("verified", "secondary"), iid
            assert e["effect_low"] <= e["effect_central"] <= e["effect_high"]
    required = {"street_lighting", "hot_spots_patrol", "cctv_car_park", "cctv_public",
                "problem_oriented_policing", "target_hardening", "alley_gating",
                "neighbourhood_watch", "graffiti_removal"}
    assert required <= set(cat.index)


def test_catalogue_figures_from_evidence_base():
    cat = load_catalogue()
    assert cat.loc["street_lighting", "effect_central"] == 0.36  # Chalfin et al. 2022
    assert cat.loc["street_lighting_area", "effect_central"] == 0.14  # Welsh et al. 2022
    assert cat.loc["hot_spots_patrol", "effect_central"] == 0.16  # Braga & Weisburd 2022
    assert cat.loc["cctv_car_park", "effect_central"] == 0.51
    assert cat.loc["alley_gating", "effect_central"] == 0.37
    assert cat.loc["target_hardening", "effect_central"] == 0.53
    assert cat.loc["neighbourhood_watch", "evidence_quality"] == "unverified"
    assert not cat.loc["neighbourhood_watch", "default"]
    assert cat.loc["hot_spots_patrol", "cost"]["visit_minutes"] == 15.0  # Koper curve


def test_overrides_and_new_entry():
    cat = load_catalogue(overrides={
        "street_lighting": {"effect": {"central": 0.2}, "cost.capital": 500.0},
        "graffiti_removal": {"effect": {"central": 0.1, "low": 0.0, "high": 0.2}},
    })
    assert cat.loc["street_lighting", "effect_central"] == 0.2
    assert cat.loc["street_lighting", "effect_low"] == 0.14  # untouched
    assert cat.loc["street_lighting", "cost"]["capital"] == 500.0
    assert cat.loc["graffiti_removal", "effect_high"] == 0.2


def test_catalogue_errors(tmp_path):
    text = catalogue_path().read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('mechanism = "increase the effort"\ntechnique = "control',
                                'technique = "control', 1))
    with pytest.raises(InvalidInputError, match=r"'alley_gating'.*'mechanism'"):
        load_catalogue(bad)
    with pytest.raises(InvalidInputError, match="'citations'"):
        load_catalogue(overrides={"new_thing": {"name": "x", "mechanism": "remove excuses",
                                                "offences": ["all"], "settings": ["all"],
                                                "times": "any", "displacement": 0.0,
                                                "effect": {"central": .1, "low": 0, "high": .2},
                                                "cost": {"currency": "USD"},
                                                "evidence_quality": "unverified"}})
    with pytest.raises(InvalidInputError, match=r"effect\.low <= effect\.central"):
        load_catalogue(overrides={"street_lighting": {"effect.central": 0.9}})
    with pytest.raises(InvalidInputError, match="does not exist"):
        load_catalogue(tmp_path / "missing.toml")


def test_mappings_and_tables():
    assert setting_group(["street", "RESIDENCE", "open space", "vehicle", "transportation",
                          "retail", "education", None]).tolist()[:7] == [
        "street", "residence", "open_space", "vehicle", "transport", "commercial", "other"]
    assert offence_group(["Robbery", "criminal damage", "murder"]).tolist() == [
        "robbery", "criminal_damage", "violence"]
    assert load_unit_costs("GBP").set_index("offence").loc["robbery", "cost"] == 11320
    h = load_harm_example().set_index("offence")["weight"]
    assert h["theft"] == 1.0 and h["aggravated assault"] == pytest.approx(107020 / 3532, 0.01)


# ----------------------------------------------------------------- scoring


def test_no_eligible_means_nothing_prevented():
    inc = _incidents([10, 0, 5], dark=0.0)
    s = score_interventions(inc, _hot(), interventions=["street_lighting", "target_hardening"],
                            setting="loc_cat", random_state=0)
    assert (s["eligible"] == 0).all()
    assert (s[["prevented", "prevented_low", "prevented_high", "harm_prevented",
               "benefit"]] == 0).all().all()
    assert s["reason"].str.contains("nothing to prevent").all()


def test_doubling_baseline_doubles_expectation_and_intervals_contain_central():
    one = score_interventions(_incidents([10, 3, 1]), _hot(), random_state=1,
                              setting="loc_cat")
    two = score_interventions(_incidents([20, 6, 2]), _hot(), random_state=1,
                              setting="loc_cat")
    np.testing.assert_allclose(two["baseline"], 2 * one["baseline"])
    np.testing.assert_allclose(two["prevented"], 2 * one["prevented"])
    np.testing.assert_allclose(two["benefit"], 2 * one["benefit"])
    for s in (one, two):
        assert (s["prevented_low"] <= s["prevented"]).all()
        assert (s["prevented"] <= s["prevented_high"]).all()
        assert (s["harm_prevented_low"] <= s["harm_prevented_high"]).all()


def test_hand_computed_lighting_row_and_horizon():
    inc = _incidents([40, 0, 0])
    s = score_interventions(inc, _hot(), interventions=["street_lighting"], setting="loc_cat",
                            horizon="730D", random_state=3)
    row = s.iloc[0]
    assert row["eligible"] == 40
    # period: 2012-01-01 12:00 .. 2012-12-31 22:00 -> 365 days (rounded up)
    assert row["baseline"] == pytest.approx(40 * 730 / 365)
    assert row["prevented"] == pytest.approx(80 * 0.36)
    # 4 lights minimum (0.0225 km2 x 400 = 9 lights), USD 1,070 each over 20 years
    assert row["capital"] == pytest.approx(9 * 1070)
    assert row["cost"] == pytest.approx(9 * 1070 * (730 / 365.25) / 20)
    assert row["benefit"] == pytest.approx(80 * 0.36 * 107020)
    assert row["bcr"] == pytest.approx(row["benefit"] / row["cost"])
    assert "Chalfin et al. 2022" in row["reason"] and "verified" in row["reason"]
    # Monte Carlo interval against an independent simulation of the same model
    rng = np.random.default_rng(0)
    u = rng.beta(1 + 4 * (0.36 - 0.14) / 0.22, 1.0, 200_000)
    ref = rng.poisson(80, 200_000) * (0.14 + 0.22 * u)
    lo, hi = np.quantile(ref, [0.05, 0.95])
    assert row["prevented_low"] == pytest.approx(lo, abs=1.0)
    assert row["prevented_high"] == pytest.approx(hi, abs=1.0)


def test_settings_offences_and_unknowns():
    hot = _hot(1)
    inc = pd.concat([_incidents([6], loc="street"), _incidents([4], loc="residence")])
    s = score_interventions(inc, hot, interventions=["street_lighting"], setting="loc_cat",
                            random_state=0)
    assert s["eligible"].iloc[0] == 6
    s2 = score_interventions(inc, hot, interventions=["street_lighting"], random_state=0)
    assert s2["eligible"].iloc[0] == 10
    assert "setting unknown" in s2["reason"].iloc[0]
    burg = _incidents([5], loc="residence", offence="Burglary")
    s3 = score_interventions(burg, hot, interventions=["target_hardening"], setting="loc_cat",
                             random_state=0)
    assert s3["eligible"].iloc[0] == 5
    assert s3["benefit"].iloc[0] == pytest.approx(s3["prevented"].iloc[0] * 6462)
    s4 = score_interventions(burg.drop(columns="offence"), hot,
                             interventions=["target_hardening"], setting="loc_cat",
                             random_state=0)
    assert "offence unknown" in s4["reason"].iloc[0] and np.isnan(s4["benefit"].iloc[0])
    s5 = score_interventions(burg, hot, interventions=["target_hardening"], setting="loc_cat",
                             harm={"burglary": 2.0}, costs={"burglary": 100.0}, random_state=0)
    assert s5["harm_prevented"].iloc[0] == pytest.approx(2 * s5["prevented"].iloc[0])
    assert s5["benefit"].iloc[0] == pytest.approx(100 * s5["prevented"].iloc[0])


def test_patrol_hours_block_and_koper_cost():
    inc = pd.concat([_incidents([8], hour=21), _incidents([2], hour=9)])
    s = score_interventions(inc, _hot(1), interventions=["hot_spots_patrol"],
                            setting="loc_cat", patrol_hours_per_day=4, currency="GBP",
                            random_state=0)
    row = s.iloc[0]
    assert row["eligible"] == 8 and row["hours"] in {f"{h:02d}:00-{(h + 4) % 24:02d}:00"
                                                    for h in (18, 19, 20, 21)}
    # 4 h block, a 15-minute visit every 2 h -> 0.5 officer hours a day
    assert row["officer_hours"] == pytest.approx(0.5 * 365)
    assert row["cost"] == pytest.approx(0.5 * 365 * 36.51)
    start, best = _best_block(np.array([[1.0] + [0] * 22 + [5.0]]), 2)
    assert start[0] == 23 and best[0] == 6.0  # wraps midnight


def test_bad_input_errors():
    hot, inc = _hot(), _incidents([3, 2, 1])
    with pytest.raises(InvalidInputError, match="unknown intervention"):
        score_interventions(inc, hot, interventions=["moon_lighting"])
    with pytest.raises(InvalidInputError, match="no effect estimate"):
        score_interventions(inc, hot, interventions=["graffiti_removal"])
    far = inc.copy()
    far["geometry"] = gpd.points_from_xy([9e5] * len(inc), [9e5] * len(inc))
    with pytest.raises(InvalidInputError, match="no incident falls inside any hotspot"):
        score_interventions(far, hot)
    with pytest.raises(InvalidInputError, match="setting column"):
        score_interventions(inc, hot, setting="nope")
    with pytest.raises(InvalidInputError, match="budget must be a non-negative"):
        plan(score_interventions(inc, hot, random_state=0), budget=-1)


# ----------------------------------------------------------------- plan


def _random_scores(seed: int, n_hot: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    kinds = ["street_lighting", "hot_spots_patrol", "cctv_public", "target_hardening"]
    rows = [(h, k) for h in range(n_hot) for k in kinds]
    return pd.DataFrame({
        "hotspot_id": [r[0] for r in rows],
        "intervention": [r[1] for r in rows],
        "cost": rng.uniform(1, 100, len(rows)),
        "officer_hours": rng.uniform(0, 50, len(rows)) * (rng.random(len(rows)) < 0.5),
        "harm_prevented": rng.exponential(10, len(rows)),
    })


def _feasible(df, chosen_idx, budget, hours, comp):
    sub = df.loc[chosen_idx]
    if sub["cost"].sum() > budget + 1e-6 or sub["officer_hours"].sum() > hours + 1e-6:
        return False
    for _, g in sub.groupby("hotspot_id"):
        for a, b in itertools.combinations(g["intervention"], 2):
            if frozenset((a, b)) not in comp:
                return False
    return True


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plan_respects_budgets_and_beats_random_plans(seed):
    df = _random_scores(seed)
    budget, hours = 150.0, 60.0
    p = plan(df, budget=budget, officer_hours=hours)
    comp = {frozenset(("street_lighting", "hot_spots_patrol"))}
    assert p["cost"].sum() <= budget + 1e-6
    assert p["officer_hours"].sum() <= hours + 1e-6
    assert _feasible(df, p.index, budget, hours, comp)
    assert p.attrs["totals"]["harm_prevented"] == pytest.approx(p["harm_prevented"].sum())
    rng = np.random.default_rng(seed)
    cost, hrs = df["cost"].to_numpy(), df["officer_hours"].to_numpy()
    hid, kind = df["hotspot_id"].to_numpy(), df["intervention"].to_numpy()
    harm = df["harm_prevented"].to_numpy()
    best_random = 0.0
    for _ in range(300):  # random feasible plans: shuffled greedy fill
        c = h = total = 0.0
        taken: dict[int, list[str]] = {}
        for i in rng.permutation(len(df)):
            ok = c + cost[i] <= budget and h + hrs[i] <= hours and all(
                frozenset((k, kind[i])) in comp for k in taken.get(hid[i], []))
            if ok:
                c, h, total = c + cost[i], h + hrs[i], total + harm[i]
                taken.setdefault(hid[i], []).append(kind[i])
        best_random = max(best_random, total)
    assert p["harm_prevented"].sum() >= best_random - 1e-9


def test_plan_exact_on_small_instance_and_edge_cases():
    df = _random_scores(5, n_hot=3)
    comp = {frozenset(("street_lighting", "hot_spots_patrol"))}
    budget, hours = 120.0, 40.0
    best = 0.0
    for r in range(len(df) + 1):
        if r > 6:
            break
        for combo in itertools.combinations(range(len(df)), r):
            if _feasible(df, list(combo), budget, hours, comp):
                best = max(best, df.loc[list(combo), "harm_prevented"].sum())
    p = plan(df, budget=budget, officer_hours=hours)
    assert p["harm_prevented"].sum() == pytest.approx(best)
    assert plan(df, budget=0).empty
    unlimited = plan(df, exclusive=False)
    assert len(unlimited) == len(df)
    with pytest.raises(InvalidInputError, match="officer_hours must be a non-negative"):
        plan(df, officer_hours=-5)
    with pytest.raises(InvalidInputError, match="nope"):
        plan(df, objective="nope")


# ----------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def chicago(request):
    shared = request.getfixturevalue("shared_data")
    from hotspot.analyse.darkness import daylight
    from hotspot.scan.areas import hotspots

    df = pd.read_csv(shared / "chicago" / "chicago_aggravated_assaults_2010_2019.csv.gz")
    df = df[(df["district"] == 11) & df["date"].str.startswith("2012")]
    t = pd.to_datetime(df["date"]).dt.tz_localize(TZ, nonexistent="NaT", ambiguous="NaT")
    tq = np.where(t.dt.strftime("%H:%M") == "00:00", "midnight", "exact")
    inc = gpd.GeoDataFrame(
        {"occurred_at": t.reset_index(drop=True), "time_quality": tq,
         "loc_cat": df["loc_cat"].to_numpy(), "offence": "aggravated assault"},
        geometry=gpd.points_from_xy(df["longitude"], df["latitude"]), crs=4326,
    ).to_crs(CRS)
    hot = hotspots(inc, method="gistar", cell_size=150)
    return hot, daylight(inc)


@pytest.mark.shared_data
def test_chicago_scores_invariants(chicago):
    from hotspot.scan.areas import hotspot_membership

    hot, inc = chicago
    s = score_interventions(inc, hot, setting="loc_cat", random_state=7, simulations=4000)
    assert len(s) == len(hot) * 7
    light = s[s["intervention"] == "street_lighting"].set_index("hotspot_id")
    member = hotspot_membership(inc, hot)
    outdoor = inc["loc_cat"].isin(["street", "open space", "vehicle"])
    dark = (inc["light"] == "dark") & outdoor & member.notna()
    expected = dark.groupby(member).sum()
    np.testing.assert_allclose(light["eligible"], expected.reindex(light.index, fill_value=0))
    assert (s["prevented_low"] <= s["prevented"]).all()
    assert (s["prevented"] <= s["prevented_high"]).all()
    # assaults: burglary / vehicle measures have nothing to act on
    none = s[s["intervention"].isin(["target_hardening", "alley_gating", "cctv_car_park"])]
    assert (none["prevented"] == 0).all()
    n_in = s.groupby("hotspot_id")["n_incidents"].first()
    assert n_in.sum() == member.notna().sum()
    p = plan(s, budget=100_000, officer_hours=1_000)
    assert p["cost"].sum() <= 100_000 and p["officer_hours"].sum() <= 1_000
    assert len(p) > 0 and p.groupby("hotspot_id").size().max() <= 2


def test_darkness_computed_when_absent_and_fx():
    t = pd.to_datetime(["2012-12-20 13:00", "2012-12-20 21:00", "2012-12-21 22:30",
                        "2012-06-20 12:00"])
    pts = gpd.points_from_xy([-87.63] * 4, [41.88] * 4, crs=4326)
    inc = gpd.GeoDataFrame({"occurred_at": t, "time_quality": "exact", "loc_cat": "street"},
                           geometry=pts).to_crs(CRS)
    x, y = inc.geometry.x.iloc[0], inc.geometry.y.iloc[0]
    hot = gpd.GeoDataFrame({"hotspot_id": [1]}, geometry=[box(x - 50, y - 50, x + 50, y + 50)],
                           crs=CRS)
    s = score_interventions(inc, hot, interventions=["street_lighting", "hot_spots_patrol"],
                            setting="loc_cat", tz=TZ, random_state=0)
    light = s.set_index("intervention").loc["street_lighting"]
    assert light["eligible"] == 2
    assert "period_days" in s.attrs["hotspot"]["score_interventions"]["choices"]
    patrol = s.set_index("intervention").loc["hot_spots_patrol"]
    usd = patrol["cost"]
    s2 = score_interventions(inc, hot, interventions=["hot_spots_patrol"], setting="loc_cat",
                             tz=TZ, fx={"GBP": 2.54}, random_state=0)
    assert s2["cost"].iloc[0] == pytest.approx(2 * usd)
    with pytest.raises(InvalidInputError, match="no shipped unit costs"):
        score_interventions(inc, hot, tz=TZ, currency="EUR", fx={"EUR": 1.1})
