"""Tests of hotspot.patrol: patrol plans under budget and gap constraints, lighting audits."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from hotspot._core.time import data_period_days
from hotspot.exceptions import DataQualityWarning, InvalidInputError
from hotspot.respond.patrol import format_patrol_plan, lighting_audit, patrol_plan, read_outages

TZ = "America/Chicago"
X0, Y0 = 440000.0, 4640000.0  # central Chicago in UTM 16N


def _hotspots():
    geoms = [box(X0 + 1000 * k, Y0, X0 + 1000 * k + 200, Y0 + 200) for k in range(3)]
    return gpd.GeoDataFrame({"hotspot_id": [1, 2, 3], "rank": [1, 2, 3]}, geometry=geoms,
                            crs=32616)


def _incidents(rng, n=600):
    """Hotspot 1: busy on Friday 22h; hotspot 2: spread over the week; hotspot 3: none."""
    weeks = rng.integers(0, 10, n)
    base = pd.Timestamp("2024-01-01", tz=TZ)  # a Monday
    k = rng.integers(0, 2, n)
    hour_of_week = np.where(k == 0, 4 * 24 + 22, rng.integers(0, 168, n))
    t = base + pd.to_timedelta(weeks * 168 + hour_of_week, unit="h") + pd.to_timedelta(
        rng.integers(0, 60, n), unit="min")
    x = X0 + np.where(k == 0, 0, 1000) + rng.uniform(10, 190, n)
    y = Y0 + rng.uniform(10, 190, n)
    return gpd.GeoDataFrame({"occurred_at": t}, geometry=gpd.points_from_xy(x, y), crs=32616)


def _gaps_ok(plan, gap_h):
    for _, g in plan.groupby("hotspot_id"):
        s = np.sort(g["start_minute"].to_numpy())
        if len(s) > 1:
            d = np.diff(np.append(s, s[0] + 7 * 24 * 60))
            assert d.min() >= gap_h * 60 - 1e-9, d.min()


# --------------------------------------------------------------------------- patrol


@pytest.mark.parametrize(
    ("budget", "visit", "travel", "gap"),
    list(itertools.product([0, 0.2, 1.0, 3.3, 12.0, 60.0], [10, 15], [0, 7], [1, 2, 2.5])),
)
def test_plan_within_budget_and_gap(rng, budget, visit, travel, gap):
    plan = patrol_plan(_incidents(rng), _hotspots(), officer_hours_per_week=budget,
                       visit_minutes=visit, travel_minutes=travel, min_gap_hours=gap,
                       random_state=3)
    cost = (visit + travel) / 60
    assert len(plan) * cost <= budget + 1e-9
    assert plan.attrs["hotspot"]["patrol_plan"]["hours_used"] <= budget + 1e-9
    _gaps_ok(plan, gap)
    assert (plan["duration_min"] == visit).all()
    assert 3 not in set(plan["hotspot_id"])  # no incidents, never visited
    if len(plan):
        # visits start and end inside their hour block; sorted by time of week
        assert (plan["start_minute"] % 60 + visit <= 60).all()
        assert plan["start_minute"].is_monotonic_increasing
        assert plan["visit"].tolist() == list(range(1, len(plan) + 1))


def test_plan_uses_whole_budget_when_demand_allows(rng):
    plan = patrol_plan(_incidents(rng), _hotspots(), officer_hours_per_week=5,
                       random_state=0)
    assert len(plan) == 20  # 5 h / 15 min, plenty of hours with demand


def test_plan_reproducible_and_random(rng):
    inc = _incidents(rng)
    a = patrol_plan(inc, _hotspots(), officer_hours_per_week=6, random_state=11)
    b = patrol_plan(inc, _hotspots(), officer_hours_per_week=6, random_state=11)
    c = patrol_plan(inc, _hotspots(), officer_hours_per_week=6, random_state=12)
    pd.testing.assert_frame_equal(a, b)
    assert not a["start_minute"].equals(c["start_minute"])


def test_more_hours_more_visits(rng):
    inc = _incidents(rng)
    sizes = [len(patrol_plan(inc, _hotspots(), officer_hours_per_week=h, random_state=0))
             for h in (0, 0.25, 1, 2, 4, 8, 16)]
    assert sizes == sorted(sizes)
    assert sizes[0] == 0 and sizes[-1] > sizes[2]


def test_busiest_hour_chosen_first(rng):
    inc = _incidents(rng)
    plan = patrol_plan(inc, _hotspots(), officer_hours_per_week=0.25, min_gap_hours=1,
                       random_state=0)
    assert len(plan) == 1
    row = plan.iloc[0]
    assert row["hotspot_id"] == 1 and row["day"] == "Fri" and row["start"].startswith("22:")
    # expected incidents = Friday-22h incidents of hotspot 1 per week (10 weeks of data)
    t = pd.to_datetime(inc["occurred_at"])
    in_h1 = inc.geometry.x < X0 + 200
    n_fri22 = int((in_h1 & (t.dt.day_of_week == 4) & (t.dt.hour == 22)).sum())
    weeks = data_period_days(t) / 7  # the one measure of the data period
    assert row["expected_incidents"] == pytest.approx(n_fri22 / weeks)
    assert row["expected_prevented"] == pytest.approx(0.16 * n_fri22 / weeks)


def _slot_values(inc, width=8, g=2):
    """Independent visit values: {(place, hour of week): prevented a week} per block slot."""
    t = pd.to_datetime(inc["occurred_at"])
    weeks = data_period_days(t) / 7  # the one measure of the data period
    hot = np.where(inc.geometry.x < X0 + 200, 0, 1)
    counts = np.zeros((2, 168))
    np.add.at(counts, (hot, (t.dt.day_of_week * 24 + t.dt.hour).to_numpy()), 1)
    by_hour = counts.reshape(2, 7, 24).sum(axis=1)
    start = [int(np.argmax([by_hour[h, (s + np.arange(width)) % 24].sum() for s in range(24)]))
             for h in range(2)]
    pooled = np.zeros((2, 168))
    for h in range(2):  # block demand: hour-of-day profile x day-of-week share
        inb = ((np.arange(168) % 24 - start[h]) % 24) < width
        b = (counts[h] * inb).reshape(7, 24)
        pooled[h] = np.outer(b.sum(axis=1), b.sum(axis=0)).ravel() / b.sum()
    return start, {
        (h, (d * 24 + start[h] + k * g) % 168):
            0.16 * pooled[h, (d * 24 + start[h] + k * g + np.arange(g)) % 168].sum() / weeks
        for h in range(2) for d in range(7) for k in range(width // g)
    }


def test_greedy_property(rng):
    """Visits fall in each place's busiest 8-hour block of the day, one every 2 hours, and
    no unchosen visit there is worth more than the least valuable chosen one."""
    inc = _incidents(rng)
    plan = patrol_plan(inc, _hotspots(), officer_hours_per_week=4, random_state=0)
    start, slots = _slot_values(inc)
    chosen = {(int(h) - 1, int(m) // 60) for h, m in zip(plan["hotspot_id"],
                                                        plan["start_minute"], strict=True)}
    assert len(chosen) == len(plan) == 16 and chosen <= set(slots)
    got = np.array([slots[c] for c in chosen])
    assert np.allclose(np.sort(got), np.sort(plan["expected_prevented"].to_numpy()))
    assert max(v for k, v in slots.items() if k not in chosen) <= got.min() + 1e-12
    places = plan.attrs["hotspot"]["patrol_plan"]["places"]
    assert [p["block"][:2] for p in places[:2]] == [f"{s:02d}" for s in start]
    # the whole block's visits prevent effect x the incidents a year in the block
    for h in range(2):
        block = sum(v for (hh, _), v in slots.items() if hh == h)
        assert places[h]["prevented_per_year"] == pytest.approx(block * 52)
    assert places[2]["status"] == "no incidents"


def test_scores_and_weight(rng):
    inc = _incidents(rng)
    inc["harm"] = np.where(inc.geometry.x < X0 + 200, 0.0, 10.0)
    plan = patrol_plan(inc, _hotspots(), officer_hours_per_week=1, weight="harm",
                       random_state=0)
    assert set(plan["hotspot_id"]) == {2}
    plan2 = patrol_plan(inc, _hotspots(), officer_hours_per_week=1, random_state=0,
                        scores=pd.Series({1: 0.0, 2: 1.0, 3: 1.0}))
    assert set(plan2["hotspot_id"]) == {2}
    with pytest.raises(InvalidInputError, match="scores"):
        patrol_plan(inc, _hotspots(), officer_hours_per_week=1, scores=pd.Series({1: 1.0}))


def test_plan_errors_and_warnings(rng):
    inc = _incidents(rng)
    with pytest.raises(InvalidInputError, match="officer_hours_per_week"):
        patrol_plan(inc, _hotspots(), officer_hours_per_week=-1)
    with pytest.raises(InvalidInputError, match="min_gap_hours"):
        patrol_plan(inc, _hotspots(), officer_hours_per_week=1, min_gap_hours=-2)
    far = _hotspots()
    far = far.set_geometry(far.translate(50000, 0))
    with pytest.raises(InvalidInputError, match="no incident falls inside any hotspot"):
        patrol_plan(inc, far, officer_hours_per_week=1)
    with pytest.raises(InvalidInputError, match="empty"):
        patrol_plan(inc, _hotspots().iloc[:0], officer_hours_per_week=1)
    with pytest.warns(DataQualityWarning, match="Koper"):
        patrol_plan(inc, _hotspots(), officer_hours_per_week=1, visit_minutes=5)
    with pytest.raises(InvalidInputError, match="occurred_at"):
        patrol_plan(inc.drop(columns="occurred_at"), _hotspots(), officer_hours_per_week=1)


def test_format_patrol_plan(rng):
    plan = patrol_plan(_incidents(rng), _hotspots(), officer_hours_per_week=2, random_state=0)
    text = format_patrol_plan(plan)
    lines = text.splitlines()
    assert lines[0] == "Patrol plan: 8 visits, 2.00 officer-hours per week (budget 2)"
    assert "Fri" in lines
    assert sum("hotspot" in ln for ln in lines[1:]) == 8


# ------------------------------------------------------------------------- lighting


def test_lighting_audit_outage_exposure_and_cover():
    hot = _hotspots()
    times = pd.to_datetime([
        "2012-12-20 21:00",  # dark, during outage A (open 19th..20th + 1 day grace)
        "2012-12-22 21:00",  # dark, after outage A closed (grace over)
        "2012-12-20 13:00",  # day, during outage A
        "2012-12-20 21:30",  # dark, 80 m from the outage: not exposed
        "2012-12-20 22:00",  # dark, hotspot 2
    ]).tz_localize(TZ)
    x = [X0 + 100, X0 + 100, X0 + 102, X0 + 180, X0 + 1100]
    y = [Y0 + 100, Y0 + 100, Y0 + 100, Y0 + 180, Y0 + 100]
    inc = gpd.GeoDataFrame({"occurred_at": times}, geometry=gpd.points_from_xy(x, y),
                           crs=32616)
    outages = gpd.GeoDataFrame(
        {"outage_start": pd.to_datetime(["2012-12-19"]).tz_localize(TZ),
         "outage_end": pd.to_datetime(["2012-12-20"]).tz_localize(TZ)},
        geometry=gpd.points_from_xy([X0 + 110], [Y0 + 110]), crs=32616)
    a = lighting_audit(inc, hot, outages=outages, radius=50, cover_radius=30, n_lights=5)
    h = a.hotspots.set_index("hotspot_id")
    assert h.loc[1, "n_dark"] == 3 and h.loc[1, "n_known"] == 4
    assert h.loc[1, "dark_share"] == pytest.approx(0.75)
    assert a.incidents["near_outage"].tolist() == [True, False, True, False, False]
    assert h.loc[1, "n_near_outage"] == 2 and h.loc[1, "n_dark_near_outage"] == 1
    assert h.loc[1, "dark_share_outage"] == pytest.approx(0.5)
    # the two unexposed incidents of hotspot 1 are both dark: expected 2 * 1.0
    assert h.loc[1, "expected_dark_near_outage"] == pytest.approx(2.0)
    assert h.loc[3, "n_incidents_audit"] == 0 and np.isnan(h.loc[3, "dark_share"])
    # greedy cover: point at (100,100) covers two dark incidents, then the others one each
    assert a.suggestions["n_dark_covered"].tolist() == [2, 1, 1]
    assert a.suggestions["cumulative_covered"].iloc[-1] == 4
    assert h["n_dark_coverable"].sum() == 4
    assert (a.suggestions["source"] == "new").all()


def test_lighting_audit_with_existing_lights_and_errors():
    hot = _hotspots()
    times = pd.to_datetime(["2012-12-20 21:00"] * 4).tz_localize(TZ)
    x = [X0 + 20, X0 + 25, X0 + 30, X0 + 150]
    inc = gpd.GeoDataFrame({"occurred_at": times},
                           geometry=gpd.points_from_xy(x, [Y0 + 20] * 4), crs=32616)
    lights = gpd.GeoDataFrame(geometry=gpd.points_from_xy([X0 + 25, X0 + 160, X0 + 5000],
                                                          [Y0 + 20] * 3), crs=32616)
    a = lighting_audit(inc, hot, lights=lights, cover_radius=20, n_lights=3)
    s = a.suggestions
    assert s["n_dark_covered"].tolist() == [3, 1]
    assert s.geometry.x.tolist() == [X0 + 25, X0 + 160]
    assert (s["source"] == "existing_light").all()
    with pytest.raises(InvalidInputError, match="no incident falls inside"):
        lighting_audit(inc, hot.set_geometry(hot.translate(50000, 0)))
    with pytest.raises(InvalidInputError, match="radius"):
        lighting_audit(inc, hot, radius=-1)


@pytest.fixture(scope="module")
def chicago(shared_data):
    raw = pd.read_csv(shared_data / "chicago" / "chicago_aggravated_assaults_2010_2019.csv.gz")
    t = pd.to_datetime(raw["date"]).dt.tz_localize(TZ, ambiguous="NaT", nonexistent="NaT")
    pts = gpd.GeoDataFrame({"occurred_at": t}, crs=4326,
                           geometry=gpd.points_from_xy(raw["longitude"], raw["latitude"])
                           ).to_crs(32616)
    keep = (t >= pd.Timestamp("2012-04-01", tz=TZ)) & (t < pd.Timestamp("2013-08-01", tz=TZ))
    inc = pts[keep.to_numpy()].reset_index(drop=True)
    from hotspot.scan.areas import hotspots

    hot = hotspots(inc, method="count", top_share=0.005, cell_size=200)
    outages = read_outages(shared_data / "chicago" / "streetlight_outages_2012_2013")
    return inc, hot, outages


def test_low_yield_visits_come_last_and_are_marked(rng):
    inc = _incidents(rng)
    hot = _hotspots()
    base = patrol_plan(inc, hot, officer_hours_per_week=2, random_state=0)
    yearly = {p["hotspot_id"]: p["prevented_per_year"]
              for p in base.attrs["hotspot"]["patrol_plan"]["places"]}
    assert not base["low_yield"].any()
    # a floor between the two places: the weaker place's visits only after the stronger's
    floor = (yearly[1] + yearly[2]) / 2
    weak = min((1, 2), key=yearly.get)
    with pytest.warns(DataQualityWarning, match="left unused"):
        plan = patrol_plan(inc, hot, officer_hours_per_week=9, random_state=0,
                           min_prevented_per_year=floor)
    assert (plan["low_yield"] == (plan["hotspot_id"] == weak)).all()
    # every visit of the strong place's block with any demand comes before a low-yield one
    _, slots = _slot_values(inc)
    n_strong = sum(v > 0 for (h, _), v in slots.items() if h + 1 != weak)
    assert (plan["hotspot_id"] != weak).sum() == n_strong
    info = plan.attrs["hotspot"]["patrol_plan"]
    n_weak = sum(v > 0 for (h, _), v in slots.items() if h + 1 == weak)
    assert info["hours_used"] == pytest.approx(min(9, (n_strong + n_weak) * 0.25))
    assert info["hours_low_yield"] == pytest.approx(info["hours_used"] - n_strong * 0.25)
    assert info["hours_low_yield"] > 0
    status = {p["hotspot_id"]: p["status"] for p in info["places"]}
    assert status[weak] == "low yield" and status[3] == "no incidents"
    assert "*" in format_patrol_plan(plan)
    # nothing passes: the best visits are still planned, all marked, all hours used
    none = patrol_plan(inc, hot, officer_hours_per_week=3, random_state=0,
                       min_prevented_per_year=1e9)
    assert len(none) == 12 and none["low_yield"].all()
    assert none.attrs["hotspot"]["patrol_plan"]["hours_used"] == pytest.approx(3)
    pd.testing.assert_frame_equal(
        none.drop(columns=["low_yield", "rationale"]),
        patrol_plan(inc, hot, officer_hours_per_week=3, random_state=0).drop(
            columns=["low_yield", "rationale"]))
    # every block full: the rest of the hours are reported unused
    with pytest.warns(DataQualityWarning, match="left unused"):
        full = patrol_plan(inc, hot, officer_hours_per_week=40, random_state=0)
    assert len(full) == sum(v > 0 for v in slots.values())
    info = full.attrs["hotspot"]["patrol_plan"]
    assert info["hours_used"] + info["hours_unused"] == pytest.approx(40)


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n=st.integers(20, 300),
    budget=st.floats(0, 60),
    width=st.integers(1, 24),
    gap=st.sampled_from([1, 1.5, 2, 3, 5]),
    floor=st.sampled_from([0, 1, 5, 1e6]),
)
def test_patrol_plan_property(seed, n, budget, width, gap, floor):
    """Any data: never over budget, visits inside each place's block and >= gap apart,
    worthwhile places first, hours used whenever a block has room."""
    import warnings

    r = np.random.default_rng(seed)
    inc = _incidents(r, n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        plan = patrol_plan(inc, _hotspots(), officer_hours_per_week=budget, min_gap_hours=gap,
                           patrol_hours_per_day=width, min_prevented_per_year=floor,
                           random_state=seed)
    info = plan.attrs["hotspot"]["patrol_plan"]
    assert info["hours_used"] <= budget + 1e-9
    assert len(plan) * 0.25 == pytest.approx(info["hours_used"])
    _gaps_ok(plan, gap)
    places = {p["hotspot_id"]: p for p in info["places"]}
    for hid, sub in plan.groupby("hotspot_id"):
        s0 = int(places[hid]["block"][:2])
        hour_of_day = (sub["start_minute"].to_numpy() // 60) % 24
        assert (((hour_of_day - s0) % 24) < width).all()
        assert places[hid]["visits"] == len(sub)
    if plan["low_yield"].any():  # only after every worthwhile block is full
        for p in places.values():
            if p["worthwhile"]:
                assert p["visits"] == p["hours"] / 0.25
    if info["hours_unused"] > 0:
        assert info["hours_unused"] == pytest.approx(budget - info["hours_used"])
    assert sum(p["visits"] for p in places.values()) == len(plan)


@pytest.mark.shared_data
def test_read_outages_chicago(chicago):
    _, _, outages = chicago
    assert len(outages) == 33580  # 10,266 + 12,518 + 10,796 rows, none without coordinates
    assert outages.crs.to_epsg() == 32616
    assert (outages["outage_end"] >= outages["outage_start"]).all()
    assert outages["outage_start"].min() == pd.Timestamp("2012-04-01", tz=TZ)
    # every outage point lies in Chicago (UTM 16N easting/northing ranges)
    assert outages.geometry.x.between(420000, 460000).all()
    assert outages.geometry.y.between(4610000, 4660000).all()


@pytest.mark.shared_data
def test_lighting_audit_chicago_outages(chicago):
    inc, hot, outages = chicago
    a = lighting_audit(inc, hot, outages=outages, radius=50, n_lights=15)
    h = a.hotspots
    assert (h["n_incidents_audit"] == h["n_incidents"]).all()
    assert h["dark_share"].between(0, 1).all()
    # independent exposure count: geopandas join with 50 m outage buffers + pandas time filter
    ai = a.incidents.reset_index(names="i")
    buf = outages[["outage_start", "outage_end"]].set_geometry(outages.buffer(50))
    j = gpd.sjoin(ai[["i", "occurred_at", "geometry"]], buf, predicate="within")
    open_ = (j["occurred_at"] >= j["outage_start"]) & (
        j["occurred_at"] < j["outage_end"] + pd.Timedelta(days=1))
    exposed = set(j.loc[open_, "i"])
    assert set(ai.loc[ai["near_outage"], "i"]) == exposed
    assert h["n_near_outage"].sum() == len(exposed) > 10
    # expected dark counts near outages: known near-outage incidents x dark share of the rest
    near_known = a.incidents["near_outage"] & (a.incidents["light"] != "unknown")
    assert h["expected_dark_near_outage"].sum() <= near_known.sum()
    # greedy coverage: gains never increase; the first pick is the best single point
    gains = a.suggestions["n_dark_covered"].to_numpy()
    assert (np.diff(gains) <= 0).all() and len(gains) == 15
    dark = a.incidents[a.incidents["light"] == "dark"]
    xy = np.column_stack([dark.geometry.x, dark.geometry.y])
    best = max(int((np.hypot(*(xy - p).T) <= 30).sum()) for p in xy)
    assert gains[0] == best


@pytest.mark.shared_data
def test_patrol_plan_chicago(chicago):
    inc, hot, _ = chicago
    # single 200 m cells: no single hour slot pays for weekly visits, but each place's
    # busiest block does, so the 20 hours are used on the places that prevent the most
    plan = patrol_plan(inc, hot, officer_hours_per_week=20, random_state=7)
    info = plan.attrs["hotspot"]["patrol_plan"]
    assert len(plan) == 80 and info["hours_used"] == pytest.approx(20)
    assert info["hours_unused"] == 0
    _gaps_ok(plan, 2)
    assert plan["expected_incidents"].min() > 0
    assert plan["day"].nunique() == 7
    # places that get visits prevent more a year than those that get none
    places = pd.DataFrame(info["places"])
    visited = places[places["visits"] > 0]
    assert places.loc[places["visits"] == 0, "prevented_per_year"].max() <= \
        visited["prevented_per_year"].max()
    text = format_patrol_plan(plan)
    assert text.startswith("Patrol plan: 80 visits, 20.00 officer-hours per week")


def test_lighting_audit_counts_outdoor_dark_incidents_only():
    hot = gpd.GeoDataFrame({"hotspot_id": [1]}, geometry=[box(440000, 4640000, 440200,
                                                              4640200)], crs=32616)
    t = pd.to_datetime(["2012-12-20 21:00", "2012-12-20 22:00", "2012-12-21 22:30",
                        "2012-12-21 13:00"]).tz_localize(TZ)
    inc = gpd.GeoDataFrame({"occurred_at": t,
                            "loc_cat": ["street", "residence", "apartment", "street"]},
                           geometry=gpd.points_from_xy([440100] * 4, [4640100] * 4), crs=32616)
    audit = lighting_audit(inc, hot, n_lights=1, setting="loc_cat")
    row = audit.hotspots.iloc[0]
    assert row["n_outdoor"] == 2 and row["n_dark"] == 1 and row["n_known"] == 2
    assert row["n_dark_coverable"] == 1
    upper = lighting_audit(inc, hot, n_lights=1, setting=False).hotspots.iloc[0]
    assert upper["n_dark"] == 3  # place type unknown: counted, an upper bound
    assert "setting" in lighting_audit(inc, hot, setting=False).hotspots.attrs["hotspot"][
        "lighting_audit"]["choices"]
    found = lighting_audit(inc, hot, n_lights=1).hotspots  # loc_cat found by its name
    assert found["n_dark"].iloc[0] == 1
    assert found.attrs["hotspot"]["lighting_audit"]["choices"]["setting"]["value"] == "loc_cat"


@pytest.mark.shared_data
def test_lighting_audit_outdoor_only_on_the_chicago_sample(shared_data):
    import warnings

    import hotspot as hs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample("chicago_assaults")
    hot = hs.hotspots(inc).head(3)
    assert len(hot) > 0
    out = lighting_audit(inc, hot, n_lights=3, setting="loc_cat").hotspots
    upper = lighting_audit(inc, hot, n_lights=3, setting=False).hotspots
    found = lighting_audit(inc, hot, n_lights=3).hotspots  # loc_cat found by its name
    assert found["n_dark"].tolist() == out["n_dark"].tolist()
    assert (out["n_outdoor"] < out["n_incidents_audit"]).all()  # indoor assaults left out
    assert (out["n_dark"] <= upper["n_dark"]).all() and out["n_dark"].sum() < upper[
        "n_dark"].sum()


@pytest.mark.slow
@pytest.mark.shared_data
def test_district_11_pack_plans_the_hours_it_is_given(shared_data, tmp_path):
    """Chicago District 11 with 20 officer-hours a week: the plan uses the hours, each
    place ranked for patrol gets visit days and times or a reason that fits its rank."""
    import re
    import warnings

    from pypdf import PdfReader

    import hotspot as hs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.read_incidents(shared_data / "chicago" /
                                "chicago_aggravated_assaults_2010_2019.csv.gz")
        d11 = gpd.read_file(shared_data / "chicago" / "chicago_police_districts.geojson")
        d11 = d11[d11["district"].astype(str) == "11"].to_crs(inc.crs)
        pdf = hs.briefing(inc, tmp_path / "d11.pdf", area=d11, area_name="District 11",
                          period=("2012-04-01", "2013-07-31"), officer_hours_per_week=20,
                          setting="loc_cat")
    texts = [" ".join(p.extract_text().split()) for p in PdfReader(str(pdf)).pages]
    used = re.search(r"Patrol ([\d.]+) of 20 officer-hours a week planned: (\d+) short visits",
                     texts[0])
    assert used and 0 < float(used.group(1)) <= 20 and int(used.group(2)) >= 20
    for page in texts[1:-1]:
        if "Short patrol visits at the busiest times" not in page:
            continue
        assert re.search(r"Visit at: (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d", page) or (
            "officer hours all went to" in page)
    assert "Visit at: " in texts[1]  # the busiest place is visited
    assert "no single hour here is busy enough" not in " ".join(texts)
