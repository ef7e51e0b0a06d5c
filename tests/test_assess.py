"""Tests of hotspot.assess: WDQ, WDD, RES against published / hand-computed values."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.stats.contingency import odds_ratio
from shapely.geometry import box

from hotspot.assess.before_after import before_after, catchment, relative_effect_size, wdd, wdq
from hotspot.exceptions import CRSError, DataQualityWarning, InvalidInputError

# ------------------------------------------------------------------------------ WDQ


def test_wdq_hand_computed():
    # Rb=100, Ra=60, Db=50, Da=45, Cb=200, Ca=190
    r = wdq(100, 60, 50, 45, 200, 190)
    sm = 60 / 190 - 100 / 200
    dm = 45 / 190 - 50 / 200
    assert r.success_measure == pytest.approx(sm)
    assert r.displacement_measure == pytest.approx(dm)
    assert r.wdq == pytest.approx(dm / sm)
    assert r.gross_effect == 40
    assert r.net_effect == pytest.approx(100 / 200 - 60 / 190)
    # TNE = [100*0.95 - 60] + [50*0.95 - 45] = 35 + 2.5
    assert r.total_net_effect == pytest.approx(37.5)
    assert r.interpretation == "diffusion of benefits"


@pytest.mark.parametrize(
    ("da", "text"),
    [
        (50 * 0.95, "no displacement or diffusion"),  # buffer follows the control trend
        (55, "displacement, but a net benefit remains"),
        (100, "displacement greater than the direct effect: the benefit is erased"),
        (5, "diffusion of benefits greater than the direct effect"),
    ],
)
def test_wdq_interpretation_bands(da, text):
    r = wdq(100, 60, 50, da, 200, 190)
    assert r.interpretation == text


def test_wdq_not_meaningful_when_no_success():
    r = wdq(100, 120, 50, 45, 200, 190)
    assert r.success_measure > 0
    assert r.interpretation.startswith("not meaningful")


def test_wdq_errors():
    with pytest.raises(InvalidInputError, match="control_before"):
        wdq(10, 5, 3, 3, 0, 10)
    with pytest.raises(InvalidInputError, match="treated_after"):
        wdq(10, -5, 3, 3, 10, 10)


# ------------------------------------------------------------------------------ WDD


def test_wdd_paper_example():
    # Wheeler & Ratcliffe (2018) example; same numbers as R ptools' own test:
    # wdd(c(308,318), c(207,110), c(150,140), c(178,157), alpha=0.05)
    # -> est -118, SE sqrt(1568), Z -2.98, CI (-196, -40)
    r = wdd((207, 110), (308, 318), (178, 157), (150, 140), alpha=0.05)
    assert r.est_total == -118
    assert r.se == pytest.approx(np.sqrt(1568))
    assert round(r.z, 2) == -2.98
    assert round(r.ci_low) == -196
    assert round(r.ci_high) == -40
    assert r.est_local == (110 - 207) - (318 - 308)
    assert r.est_displace == (157 - 178) - (140 - 150)
    assert r.p_value == pytest.approx(0.00291, abs=5e-5)


def test_wdd_two_area_blog_example():
    # evidence-base 6.3: (20-80) - (50-100) = -10, Var = 250, SE = 15.8
    r = wdd((80, 20), (100, 50))
    assert r.est_total == -10
    assert r.se == pytest.approx(15.81, abs=0.01)


@pytest.mark.parametrize(
    ("args", "field", "value"),
    [  # R ptools unit tests (control, treated, disp_control, disp_treated) reordered
        (((20, 10), (20, 20)), "est_local", -10),
        (((20, 20), (20, 20), (20, 10), (20, 20)), "est_displace", -10),
        (((20, 10), (20, 20), (20, 10), (20, 20)), "est_total", -20),
    ],
)
def test_wdd_ptools_unit_cases(args, field, value):
    assert getattr(wdd(*args), field) == value


def test_wdd_time_weights_and_dispersion():
    # Wheeler (2021-01-09 blog, "The WDD test with different pre/post time periods"):
    # 2 years pre, 1 year post -> per-year estimate (20-40) - (50-50) = -20,
    # variance 20/1 + 80/4 + 50/1 + 100/4 = 115, SE ~ 10.7
    r = wdd((80, 20), (100, 50), time_weights=(2, 1))
    assert r.est_total == pytest.approx(-20)
    assert r.se**2 == pytest.approx(115)
    assert round(r.se, 1) == 10.7
    r2 = wdd((80, 20), (100, 50), dispersion=4)
    assert r2.se == pytest.approx(2 * wdd((80, 20), (100, 50)).se)
    with pytest.raises(InvalidInputError, match="treated"):
        wdd((1, 2, 3), (1, 2))
    with pytest.raises(InvalidInputError, match="alpha"):
        wdd((1, 2), (1, 2), alpha=2)


# ------------------------------------------------------------------------------ RES


@pytest.mark.parametrize("counts", [(100, 60, 200, 190), (12, 30, 45, 41), (7, 3, 90, 120)])
def test_res_matches_scipy_sample_odds_ratio(counts):
    a, b, c, d = counts
    r = relative_effect_size(a, b, c, d)
    # RES = (a d)/(b c) is the sample odds ratio of [[a, b], [c, d]]
    ref = odds_ratio(np.array([[a, b], [c, d]]), kind="sample")
    ci = ref.confidence_interval(confidence_level=0.95)
    assert r.res == pytest.approx(ref.statistic)
    assert r.ci_low == pytest.approx(ci.low, rel=1e-6)
    assert r.ci_high == pytest.approx(ci.high, rel=1e-6)
    assert r.se_log == pytest.approx(np.sqrt(1 / a + 1 / b + 1 / c + 1 / d))
    assert r.percent_reduction == pytest.approx(100 * (1 - b * c / (a * d)))


def test_res_hand_values_and_errors():
    r = relative_effect_size(100, 60, 200, 190)
    assert r.res == pytest.approx(100 * 190 / (60 * 200))
    assert r.se_log == pytest.approx(np.sqrt(0.01 + 1 / 60 + 0.005 + 1 / 190))
    assert r.p_value == pytest.approx(0.01664, abs=2e-4)
    with pytest.raises(InvalidInputError, match="b is 0"):
        relative_effect_size(10, 0, 5, 5)


# ------------------------------------------------------------------------ catchment


def test_catchment_ring_and_errors():
    sq = gpd.GeoSeries([box(0, 0, 100, 100)], crs=32616)
    ring = catchment(sq, buffer=20)
    g = ring.geometry.iloc[0]
    assert g.area == pytest.approx(4 * 100 * 20 + np.pi * 400, rel=0.01)
    assert g.intersection(sq.iloc[0]).area == pytest.approx(0)
    assert ring["buffer_m"].iloc[0] == 20
    other = gpd.GeoSeries([box(100, 0, 200, 100)], crs=32616)
    ring2 = catchment(sq, buffer=20, exclude=other).geometry.iloc[0]
    assert ring2.intersection(other.iloc[0]).area == pytest.approx(0)
    with pytest.raises(InvalidInputError, match="buffer"):
        catchment(sq, buffer=-5)
    with pytest.raises(CRSError):
        catchment(gpd.GeoSeries([box(0, 0, 1, 1)], crs=4326), buffer=10)


# --------------------------------------------------------------------- before_after


def _synthetic():
    """Hand-placed incidents: known counts in each area and window."""
    tz = "America/Chicago"
    rows = []
    # (x, y, n_before, n_after): treated centre, buffer, control centre, control ring
    spec = [(200, 200, 30, 10), (320, 200, 8, 5), (700, 200, 40, 36), (820, 200, 6, 6)]
    for x, y, nb, na in spec:
        rows += [(x, y, pd.Timestamp("2020-03-15", tz=tz))] * nb
        rows += [(x, y, pd.Timestamp("2020-09-15", tz=tz))] * na
    rows.append((200, 200, pd.Timestamp("2019-01-01", tz=tz)))  # outside both windows
    rows.append((5000, 5000, pd.Timestamp("2020-09-01", tz=tz)))  # outside every area
    x, y, t = zip(*rows, strict=True)
    gdf = gpd.GeoDataFrame({"occurred_at": pd.Series(t)},
                           geometry=gpd.points_from_xy(x, y), crs=32616)
    treated = gpd.GeoSeries([box(100, 100, 300, 300)], crs=32616)
    control = gpd.GeoSeries([box(600, 100, 800, 300)], crs=32616)
    return gdf, treated, control


def test_before_after_counts_and_statistics():
    gdf, treated, control = _synthetic()
    before = gdf.copy()
    with pytest.warns(DataQualityWarning, match="after window ends"):
        r = before_after(gdf, treated, control, buffer=50, start="2020-07-01",
                         end="2021-01-01")
    assert r.counts.loc["treated"].tolist() == [30, 10]
    assert r.counts.loc["buffer"].tolist() == [8, 5]
    assert r.counts.loc["control"].tolist() == [40, 36]
    assert r.counts.loc["control_buffer"].tolist() == [6, 6]
    assert r.wdq == wdq(30, 10, 8, 5, 40, 36)
    assert r.wdd.est_total == pytest.approx(wdd((30, 10), (40, 36), (8, 5), (6, 6)).est_total,
                                            rel=1e-3)  # windows 182 vs 184 days
    assert r.res.res == pytest.approx(30 * 36 / (10 * 40))
    assert r.monthly.to_numpy().sum() == 30 + 10 + 8 + 5 + 40 + 36 + 6 + 6
    assert r.monthly.loc[pd.Period("2020-03", "M"), "treated"] == 30
    assert len(r.monthly) == 13  # before starts 2019-12-30: months 2019-12 .. 2020-12
    assert r.summary()["treated_before"] == 30
    ax = r.plot()
    assert ax.get_legend() is not None
    pd.testing.assert_frame_equal(gdf, before)  # input untouched


def test_before_after_equal_windows_and_errors():
    gdf, treated, control = _synthetic()
    r = before_after(gdf, treated, control, buffer=50, start="2020-07-01", end="2021-01-01")
    assert r.start - r.before_start == r.after_end - r.start
    with pytest.raises(InvalidInputError, match="overlap"):
        before_after(gdf, treated, treated, buffer=50, start="2020-07-01")
    with pytest.raises(InvalidInputError, match="end"):
        before_after(gdf, treated, control, buffer=50, start="2020-07-01", end="2020-01-01")
    with pytest.raises(InvalidInputError, match="control area has"):
        before_after(gdf, treated, control, buffer=50, start="2022-07-01", end="2023-01-01")
    with pytest.raises(InvalidInputError, match="time_col"):
        before_after(gdf, treated, control, buffer=50, start="2020-07-01", time_col="when")


# -------------------------------------------------------------------------- real data


@pytest.mark.shared_data
def test_before_after_chicago_districts(shared_data):
    """Illustrative: district 11 'treated' from 2016-01-01, neighbour district 15 control."""
    raw = pd.read_csv(shared_data / "chicago" / "chicago_aggravated_assaults_2010_2019.csv.gz")
    t = pd.to_datetime(raw["date"]).dt.tz_localize("America/Chicago", ambiguous="NaT",
                                                   nonexistent="NaT")
    pts = gpd.GeoDataFrame({"occurred_at": t, "district": raw["district"]},
                           geometry=gpd.points_from_xy(raw["longitude"], raw["latitude"]),
                           crs=4326).to_crs(32616)
    d = gpd.read_file(shared_data / "chicago" / "chicago_police_districts.geojson").to_crs(32616)
    treated = d[d["district"] == 11]
    control = d[d["district"] == 15]
    r = before_after(pts, treated, control, buffer=400, start="2016-01-01", end="2017-01-01",
                     before="2015-01-01")  # calendar years: 365 vs 366 days
    # independent count with a geopandas spatial join
    win = pts[(pts["occurred_at"] >= pd.Timestamp("2015-01-01", tz="America/Chicago"))
              & (pts["occurred_at"] < pd.Timestamp("2016-01-01", tz="America/Chicago"))]
    joined = gpd.sjoin(win, treated[["geometry"]], predicate="intersects")
    assert r.counts.loc["treated", "before"] == joined.index.nunique()
    assert r.counts.loc["treated", "before"] > 500  # district 11 is among the busiest
    c = r.counts
    w = 365 / 366  # before-window length relative to the after window
    assert r.wdd.est_local == pytest.approx(
        (c.loc["treated", "after"] - c.loc["treated", "before"] / w)
        - (c.loc["control", "after"] - c.loc["control", "before"] / w))
    assert r.wdd.se == pytest.approx(
        np.sqrt(c["after"].sum() + c["before"].sum() / w**2))
    assert 0 <= r.wdd.p_value <= 1
    assert r.res.ci_low < r.res.res < r.res.ci_high
    assert r.monthly.shape == (24, 4)
    r.plot()


def test_before_after_warns_beyond_the_data_and_reports_one_sign():
    import warnings

    gdf, treated, control = _synthetic()
    late = gdf[gdf["occurred_at"] >= pd.Timestamp("2020-01-01", tz="America/Chicago")]
    anchor = gpd.GeoDataFrame({"occurred_at": [pd.Timestamp("2020-12-31", tz="America/Chicago")]},
                              geometry=gpd.points_from_xy([9000], [9000]), crs=32616)
    late = pd.concat([late, anchor], ignore_index=True)  # the data end on 2020-12-31
    with pytest.warns(DataQualityWarning, match="before window starts") as rec:
        r = before_after(late, treated, control, buffer=50, start="2020-07-01",
                         end="2021-01-01")
    assert any("data begin" in str(w.message) for w in rec)
    assert r.meta["warnings"] and r.summary()["coverage_warnings"] == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        ok = before_after(gdf, treated, control, buffer=50, start="2020-07-01",
                          end="2020-09-16", before="2020-01-01")
    s = ok.summary()
    assert s["coverage_warnings"] == 0
    # treated 30 -> 10 while the control barely moved: crime fell, every effect positive
    assert s["prevented_tne"] > 0 and s["prevented_wdd"] > 0 and s["reduction_pct_res"] > 0
    assert s["prevented_wdd"] == pytest.approx(-ok.wdd.est_total)
    assert s["prevented_wdd_low"] <= s["prevented_wdd"] <= s["prevented_wdd_high"]
    assert s["reduction_pct_res_low"] <= s["reduction_pct_res"] <= s["reduction_pct_res_high"]
    assert "positive = crime fell" in s.name


def test_before_after_month_only_times_use_whole_months():
    import warnings

    gdf, treated, control = _synthetic()
    month = gdf["occurred_at"].dt.tz_localize(None).dt.to_period("M")
    start = month.dt.to_timestamp().dt.tz_localize("America/Chicago")
    end = (month + 1).dt.to_timestamp().dt.tz_localize("America/Chicago")
    coarse = gdf.assign(occurred_at=start, occurred_from=start, occurred_to=end,
                        time_quality="month_only")  # data: 2019-01 .. 2020-09
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        r = before_after(coarse, treated, control, buffer=50, start="2020-07-01",
                         before="2020-01-01")
        d = before_after(coarse, treated, control, buffer=50, start="2020-06-01",
                         end="2020-10-01")
    # the September records (dated the 1st) cover September: the data end 2020-10-01
    assert r.after_end == pd.Timestamp("2020-10-01", tz="America/Chicago")
    assert r.counts.loc["treated"].tolist() == [30, 10]
    # four whole months back (equal days would start on 31 January, splitting a month)
    assert d.before_start == pd.Timestamp("2020-02-01", tz="America/Chicago")
    assert "whole month" in d.meta["choices"]["before"]["reason"]
    with pytest.warns(DataQualityWarning, match="month-only") as rec:
        before_after(coarse, treated, control, buffer=50, start="2020-04-01",
                     end="2020-09-16", before="2020-01-01")
    assert "2020-09-16" in str(rec[0].message)


def _fell_both(summary: pd.Series) -> None:
    """Every effect of a summary where crime fell is a positive number of incidents."""
    assert summary["prevented_tne"] > 0 and summary["prevented_wdd"] > 0
    assert summary["reduction_pct_res"] > 0
    assert summary["prevented_wdd_low"] <= summary["prevented_wdd"] <= summary["prevented_wdd_high"]


@pytest.mark.shared_data
def test_before_after_samples_warn_beyond_the_data_and_report_one_sign(shared_data):
    """Issue 13 item 9 on the Chicago, Memphis and West Yorkshire samples."""
    import warnings

    from shapely.geometry import box

    from hotspot import datasets

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # ingest notes of the samples
        assaults = datasets.load_sample("chicago_assaults")  # 2012-04-01 .. 2013-07-31
        districts = datasets.load_sample("chicago_districts")
        robberies = datasets.load_sample("memphis_robberies")  # 2019
        precincts = datasets.load_sample("memphis_precincts")
        yorks = datasets.load_sample("west_yorkshire")  # July 2018, month-only
    treated = districts[districts["district"] == 11]
    control = districts[districts["district"] == 1]
    tz = "America/Chicago"

    # (a) a before window reaching before 2012-04-01 warns and is recorded
    with pytest.warns(DataQualityWarning, match="before window starts") as rec:
        early = before_after(assaults, treated, control, buffer=400, start="2012-10-01",
                             end="2013-07-01", before="2012-01-01")
    assert not any("after window" in str(w.message) for w in rec)
    assert len(early.meta["warnings"]) == 1 and "data begin" in early.meta["warnings"][0]
    assert early.summary()["coverage_warnings"] == 1

    # (b) windows inside the data: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        r = before_after(assaults, treated, control, buffer=400, start="2013-01-01",
                         end="2013-07-01")
    assert r.meta["warnings"] == [] and r.before_start >= pd.Timestamp("2012-04-01", tz=tz)

    # (c) counts by hand from the incidents, then the effects from the published formulas
    t = assaults["occurred_at"]
    period = pd.Series(pd.NA, index=assaults.index, dtype="object")
    period[(t >= r.before_start) & (t < r.start)] = "before"
    period[(t >= r.start) & (t < r.after_end)] = "after"
    t_geom, c_geom = treated.union_all(), control.union_all()
    ring = t_geom.buffer(400).difference(t_geom).difference(c_geom)
    c_ring = c_geom.buffer(400).difference(c_geom).difference(t_geom.buffer(400))
    hand = {}
    for name, geom in (("treated", t_geom), ("buffer", ring), ("control", c_geom),
                       ("control_buffer", c_ring)):
        inside = assaults.intersects(geom)
        hand[name] = {w: int((inside & (period == w)).sum()) for w in ("before", "after")}
    hand = pd.DataFrame(hand).T
    assert r.counts.loc[list(hand.index), ["before", "after"]].equals(hand[["before", "after"]])
    (rb, ra), (db, da), (cb, ca), (eb, ea) = hand[["before", "after"]].to_numpy()
    assert rb > ra and db > da and ca > cb  # both treated areas fell, the control rose
    s = r.summary()
    assert s["prevented_tne"] == pytest.approx((rb * ca / cb - ra) + (db * ca / cb - da))
    assert s["prevented_wdd"] == pytest.approx((rb - ra) - (cb - ca) + (db - da) - (eb - ea))
    _fell_both(s)
    assert "positive = crime fell" in s.name

    # Memphis: the default windows (after = rest of 2019) reach back before 2019
    mid, north = precincts.iloc[[0]], precincts.iloc[[1]]
    with pytest.warns(DataQualityWarning, match="data begin"):
        m = before_after(robberies, mid, north, buffer=400, start="2019-07-01")
    assert m.after_end == pd.Timestamp("2020-01-01", tz=tz) and len(m.meta["warnings"]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        m = before_after(robberies, mid, north, buffer=400, start="2019-07-01",
                         before="2019-01-01")
    assert m.summary()["coverage_warnings"] == 0

    # West Yorkshire: month-only times dated the 1st cover their whole month, so the
    # end of the data is 2018-08-01 and only the before month (June) is missing
    x0, y0, x1, y1 = yorks.total_bounds
    xm = (x0 + x1) / 2
    left = gpd.GeoSeries([box(x0, y0, xm - 1000, y1)], crs=yorks.crs)
    right = gpd.GeoSeries([box(xm + 1000, y0, x1, y1)], crs=yorks.crs)
    with (pytest.warns(DataQualityWarning) as rec,
          pytest.raises(InvalidInputError, match=r"control area has 0.*data begin")):
        before_after(yorks, left, right, buffer=400, start="2018-07-01")
    msgs = [str(w.message) for w in rec if "before_after" in str(w.message)]
    assert len(msgs) == 1 and "before window starts 2018-06-01" in msgs[0]
    # a window limit inside the month moves all of July to one side: warned
    with (pytest.warns(DataQualityWarning, match="month-only"),
          pytest.raises(InvalidInputError, match="control area has")):
        before_after(yorks, left, right, buffer=400, start="2018-07-16", end="2018-08-01")
