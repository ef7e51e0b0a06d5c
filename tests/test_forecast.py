"""Tests of hotspot.forecast: estimator contract, reference implementations, backtest."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from hotspot._core.grid import GridSpec, grid_frame
from hotspot.assess.backtesting import BacktestResult, backtest
from hotspot.assess.forecast import (
    NaiveCount,
    ProspectiveHotspot,
    RecentKDE,
    SpaceTimeKDE,
)
from hotspot.exceptions import CRSError, DataQualityWarning, InvalidInputError
from hotspot.scan.density import kde_points

CRS = 32616
T0 = pd.Timestamp("2021-01-01", tz="America/Chicago")

ESTIMATORS = [
    NaiveCount(),
    RecentKDE(),
    SpaceTimeKDE(),
    ProspectiveHotspot(),
]


def make_incidents(rng, n=600, days=120, extent=2000.0, seed_hot=True):
    hot = rng.random(n) < 0.5 if seed_hot else np.zeros(n, bool)
    xy = np.where(
        hot[:, None], rng.normal(600.0, 60.0, (n, 2)), rng.uniform(0, extent, (n, 2))
    )
    when = T0 + pd.to_timedelta(rng.uniform(0, days, n), unit="D")
    return gpd.GeoDataFrame(
        {"occurred_at": when, "offence": "assault"},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=CRS,
    )


@pytest.fixture
def incidents(rng):
    return make_incidents(rng)


@pytest.fixture
def cells():
    return grid_frame(GridSpec(0.0, 0.0, 100.0, 20, 20), CRS)


# ----------------------------------------------------------------------------- sklearn contract


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_get_set_params_and_clone_round_trip(est):
    params = est.get_params()
    assert params  # every constructor argument is a parameter
    twin = clone(est)
    assert twin is not est
    assert twin.get_params() == params
    key = next(iter(params))
    est2 = clone(est).set_params(**{key: params[key]})
    assert est2.get_params() == params


@pytest.mark.parametrize("cls", [NaiveCount, RecentKDE, SpaceTimeKDE, ProspectiveHotspot])
def test_no_logic_in_init(cls):
    # invalid values are stored unchanged; they are rejected by fit, not __init__
    name = next(iter(cls().get_params()))
    est = cls(**{name: "not a number"})
    assert est.get_params()[name] == "not a number"
    with pytest.raises(InvalidInputError):
        est.fit(np.array([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]))


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_not_fitted_error_and_fitted_attributes_end_in_underscore(est, incidents, cells):
    est = clone(est)
    with pytest.raises(NotFittedError):
        est.predict(cells)
    before = set(vars(est))
    assert est.fit(incidents) is est
    new = set(vars(est)) - before
    assert new
    assert all(name.endswith("_") for name in new), new
    assert est.n_incidents_ == len(incidents)
    assert est.cutoff_ == incidents["occurred_at"].max() or isinstance(est, NaiveCount | RecentKDE)


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_predict_series_aligned_with_units_index(est, incidents, cells):
    est = clone(est).fit(incidents)
    shuffled = cells.sample(frac=1.0, random_state=1)
    s = est.predict(shuffled)
    assert isinstance(s, pd.Series)
    assert s.name == "score"
    assert s.index.equals(shuffled.index)
    full = est.predict(cells)
    pd.testing.assert_series_equal(s.sort_index(), full.sort_index())
    assert (full >= 0).all()
    # the hot cluster at (600, 600) is the top-scored area
    top = cells.loc[full.idxmax()]
    assert abs(top.geometry.centroid.x - 600) < 250 and abs(top.geometry.centroid.y - 600) < 250


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_array_input_and_refit_replaces_state(est, rng):
    xy = rng.uniform(0, 1000, (50, 2))
    xyt = np.column_stack([xy, rng.uniform(0, 60, 50)])
    est = clone(est).fit(xyt)
    out = est.predict(xy[:5])
    assert isinstance(out, np.ndarray) and out.shape == (5,)
    est.fit(xyt[:10])
    assert est.n_incidents_ == 10


def test_fit_does_not_mutate_input(incidents, cells):
    before = incidents.copy()
    ProspectiveHotspot(cell_size=100.0).fit(incidents).predict(cells)
    pd.testing.assert_frame_equal(incidents, before)


# ----------------------------------------------------------------------------- validation


def test_crs_errors(incidents, cells):
    with pytest.raises(CRSError, match="geographic"):
        NaiveCount().fit(incidents.to_crs(4326))
    est = NaiveCount().fit(incidents)
    with pytest.raises(CRSError, match="same CRS"):
        est.predict(cells.to_crs(32617))
    with pytest.raises(CRSError, match="Web Mercator"):
        est.predict(cells.to_crs(3857))


def test_time_needed(rng):
    xy = rng.uniform(0, 100, (10, 2))
    with pytest.raises(InvalidInputError, match="needs incident times"):
        ProspectiveHotspot().fit(xy)
    NaiveCount().fit(xy)  # no time needed


def test_missing_times_are_dropped_with_warning(incidents, cells):
    inc = incidents.copy()
    inc.loc[inc.index[:7], "occurred_at"] = pd.NaT
    with pytest.warns(DataQualityWarning, match="7 incidents"):
        est = SpaceTimeKDE().fit(inc)
    assert est.n_incidents_ == len(inc) - 7


def test_cutoff_and_window(incidents):
    cutoff = T0 + pd.Timedelta(days=60)
    est = RecentKDE(window="30D").fit(incidents, cutoff=cutoff)
    t = incidents["occurred_at"]
    expected = int(((t <= cutoff) & (t > cutoff - pd.Timedelta(days=30))).sum())
    assert est.n_incidents_ == expected
    assert est.cutoff_ == cutoff
    # a naive cutoff string is read in the incidents' time zone
    est2 = RecentKDE(window="30D").fit(incidents, cutoff="2021-03-02")
    assert est2.cutoff_ == cutoff


# ----------------------------------------------------------------------------- reference checks


def open_cp_prospective(xs, ys, times, region, grid, predict_time, time_unit, sb=8, tb=8):
    """Transcription of open_cp.prohotspot.ProspectiveHotSpot.predict (ClassicWeight,
    DistanceDiagonalsSame): a double loop over cells, each summing over events."""
    xmin, ymin, xmax, ymax = region
    keep = times <= predict_time  # events_before(cutoff_time): timestamps <= cutoff
    xs, ys, times = xs[keep], ys[keep], times[keep]
    deltas = np.floor((predict_time - times) / time_unit)
    gx = np.floor((xs - xmin) / grid)
    gy = np.floor((ys - ymin) / grid)
    width = int(np.rint((xmax - xmin) / grid))
    height = int(np.rint((ymax - ymin) / grid))
    out = np.empty((height, width))
    for x in range(width):
        for y in range(height):
            dd = np.maximum(np.abs(gx - x), np.abs(gy - y))
            mask = (deltas < tb) & (dd < sb)
            out[y][x] = np.sum(1 / ((1 + dd) * (1 + deltas)) * mask)
    return out


def test_prospective_matches_open_cp_double_loop(rng):
    n = 300
    # events also fall outside the region: open_cp counts them (negative cell indices)
    xs = rng.uniform(-300, 1300, n)
    ys = rng.uniform(-300, 1000, n)
    start = np.datetime64("2020-01-01T00:00", "ms")
    times = start + (rng.uniform(0, 90, n) * 86400e3).astype("timedelta64[ms]")
    order = np.argsort(times)
    xs, ys, times = xs[order], ys[order], times[order]
    predict_time = np.datetime64("2020-03-15T12:00", "ms")
    week = np.timedelta64(1, "W")
    ref = open_cp_prospective(xs, ys, times, (0, 0, 1000, 700), 50.0, predict_time, week)

    inc = gpd.GeoDataFrame(
        {"occurred_at": pd.to_datetime(times).tz_localize("UTC")},
        geometry=gpd.points_from_xy(xs, ys),
        crs=CRS,
    )
    cells = grid_frame(GridSpec(0.0, 0.0, 50.0, 20, 14), CRS)
    est = ProspectiveHotspot().fit(inc, cutoff=pd.Timestamp(predict_time).tz_localize("UTC"))
    ours = est.predict(cells).to_numpy().reshape(14, 20)
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-9)
    # the same scores through the general (array) path
    xy = np.column_stack([cells.geometry.centroid.x, cells.geometry.centroid.y])
    np.testing.assert_allclose(est.predict(xy), ref.reshape(-1), rtol=1e-9, atol=1e-9)


def test_prospective_stencil_distances():
    cheb = ProspectiveHotspot(space_bandwidth=3).stencil()
    assert cheb.shape == (5, 5)
    assert cheb[2, 2] == 1.0 and cheb[0, 0] == pytest.approx(1 / 3)
    man = ProspectiveHotspot(space_bandwidth=3, metric="manhattan").stencil()
    assert man[0, 0] == 0.0 and man[1, 1] == pytest.approx(1 / 3)
    euc = ProspectiveHotspot(space_bandwidth=3, metric="euclidean").stencil()
    assert euc[1, 1] == pytest.approx(1 / (1 + np.sqrt(2)))


def test_prospective_coarser_units_average_subcells(incidents):
    fine = grid_frame(GridSpec(0.0, 0.0, 50.0, 40, 40), CRS)
    coarse = grid_frame(GridSpec(0.0, 0.0, 100.0, 20, 20), CRS)
    est = ProspectiveHotspot(cell_size=50.0).fit(incidents)
    f = est.predict(fine).to_numpy().reshape(40, 40)
    c = est.predict(coarse).to_numpy().reshape(20, 20)
    np.testing.assert_allclose(c, f.reshape(20, 2, 20, 2).mean(axis=(1, 3)))


@pytest.mark.parametrize("cls", [RecentKDE, SpaceTimeKDE])
def test_kde_grid_path_matches_exact_kde(cls, incidents):
    cells = grid_frame(GridSpec(0.0, 0.0, 25.0, 60, 60), CRS)
    est = cls(bandwidth=200.0).fit(incidents)
    grid = est.predict(cells).to_numpy()
    xy = np.column_stack([cells.geometry.centroid.x, cells.geometry.centroid.y])
    exact = est.predict(xy)  # exact path: kde_points at cell centres
    # FFT of linearly binned counts vs the exact sum: close where the density matters
    peak = exact.max()
    assert np.max(np.abs(grid - exact)) < 0.03 * peak
    assert np.corrcoef(grid, exact)[0, 1] > 0.999


def test_space_time_kde_weights(incidents):
    est = SpaceTimeKDE(bandwidth=150.0, decay="20D").fit(incidents)
    xy = np.column_stack([incidents.geometry.x, incidents.geometry.y])
    age = (incidents["occurred_at"].max() - incidents["occurred_at"]) / pd.Timedelta(days=1)
    pts = np.array([[600.0, 600.0], [1500.0, 300.0]])
    expected = kde_points(xy, pts, 150.0, "quartic", weights=np.exp(-age.to_numpy() / 20.0))
    np.testing.assert_allclose(est.predict(pts), expected * 1e6)


def test_naive_count_grid_polygons_and_points_agree(incidents):
    cells = grid_frame(GridSpec(0.0, 0.0, 150.0, 14, 14), CRS)
    est = NaiveCount(cell_size=150.0).fit(incidents)
    grid = est.predict(cells)
    plain = gpd.GeoDataFrame(geometry=cells.geometry.copy(), crs=CRS)  # no grid spec
    poly = est.predict(plain)
    np.testing.assert_allclose(grid.to_numpy(), poly.to_numpy())
    # every incident inside the grid counted once
    x, y = incidents.geometry.x, incidents.geometry.y
    inside = int(((x >= 0) & (x < 2100) & (y >= 0) & (y < 2100)).sum())
    assert grid.sum() == inside
    xy = np.column_stack([cells.geometry.centroid.x, cells.geometry.centroid.y])
    np.testing.assert_allclose(est.predict(xy), grid.to_numpy())


def test_polygon_units_kde_uses_representative_points(incidents):
    beats = gpd.GeoDataFrame(
        {"beat": ["a", "b"]},
        geometry=[box(500, 500, 700, 700), box(1500, 1500, 1700, 1700)],
        crs=CRS,
    ).set_index("beat")
    s = RecentKDE().fit(incidents).predict(beats)
    assert list(s.index) == ["a", "b"]
    assert s["a"] > 5 * s["b"]


# ----------------------------------------------------------------------------- backtest


def test_backtest_table_reproducible_and_skilful(incidents, cells):
    fc = {"naive": NaiveCount(), "kde": RecentKDE(), "pro": ProspectiveHotspot(cell_size=100.0)}
    kwargs = {"train": "56D", "test": "14D", "step": "14D", "coverage": (0.02, 0.05)}
    a = backtest(incidents, fc, cells, random_state=42, **kwargs)
    b = backtest(incidents, fc, cells, random_state=42, **kwargs)
    assert isinstance(a, BacktestResult)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.stability, b.stability)
    assert list(a.table.columns) == [
        "origin", "method", "coverage", "hit_rate", "pai", "pei", "pei_star", "rri",
        "n_test", "n_train",
    ]
    n_origins = a.table["origin"].nunique()
    assert n_origins == 4  # origins at day 56, 70, 84, 98 (+14 <= 120)
    assert len(a.table) == n_origins * 4 * 2
    assert a.stability["jaccard"].between(0, 1).all()
    summ = a.summary("pai")
    for m in fc:
        assert summ.loc[(m, 0.05), "mean"] > 3 * summ.loc[("random", 0.05), "mean"]
    # the estimators passed in are not fitted (clones are)
    assert not hasattr(fc["naive"], "xy_")
    # n_test equals the incidents in each test window inside the grid
    first = a.table["origin"].min()
    t = incidents["occurred_at"]
    in_test = (t >= first) & (t < first + pd.Timedelta(days=14))
    assert a.table.loc[a.table["origin"] == first, "n_test"].iloc[0] == int(in_test.sum())
    ax = a.plot("pai")
    assert ax.get_xlabel().startswith("area flagged")
    assert len(ax.get_lines()) == 4


def test_backtest_zero_crime_window_gives_nan_not_crash(rng, cells):
    inc = make_incidents(rng, n=200, days=60)
    late = make_incidents(rng, n=50, days=20)
    late["occurred_at"] = late["occurred_at"] + pd.Timedelta(days=100)  # gap: days 60-100
    inc = pd.concat([inc, late], ignore_index=True)
    with pytest.warns(DataQualityWarning, match="no incident"):
        res = backtest(
            inc, {"naive": NaiveCount()}, cells, train="30D", test="14D", step="14D",
            random_state=0,
        )
    empty = res.table[res.table["n_test"] == 0]
    assert len(empty) > 0
    assert empty["pai"].isna().all()


def test_backtest_input_errors(incidents, cells):
    with pytest.raises(InvalidInputError, match="reserved"):
        backtest(incidents, {"random": NaiveCount()}, cells)
    with pytest.raises(InvalidInputError, match="no origin"):
        backtest(incidents, {"n": NaiveCount()}, cells, train="365D")
    with pytest.raises(InvalidInputError, match="occurred_at"):
        backtest(incidents.drop(columns="occurred_at"), {"n": NaiveCount()}, cells)


# ----------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def chicago(request):
    shared = request.getfixturevalue("shared_data")
    path = shared / "chicago" / "chicago_aggravated_assaults_2010_2019.csv.gz"
    df = pd.read_csv(path)
    df = df[df["district"].isin([6, 7, 8])]
    gdf = gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(df["longitude"], df["latitude"]), crs=4326
    ).to_crs(32616)
    gdf["occurred_at"] = pd.to_datetime(gdf["date"]).dt.tz_localize(
        "America/Chicago", ambiguous="NaT", nonexistent="NaT"
    )
    t = gdf["occurred_at"]
    return gdf[(t >= "2016-01-01") & (t < "2018-01-01")].reset_index(drop=True)


@pytest.mark.shared_data
def test_chicago_every_forecaster_beats_random(chicago):
    spec = GridSpec.from_bounds(tuple(chicago.total_bounds), 150.0)
    cells = grid_frame(spec, chicago.crs)
    fc = {
        "naive": NaiveCount(),
        "recent_kde": RecentKDE(bandwidth=300.0),
        "st_kde": SpaceTimeKDE(bandwidth=300.0, decay="60D"),
        "prospective": ProspectiveHotspot(cell_size=150.0, space_bandwidth=3),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)  # no empty test window expected
        res = backtest(
            chicago, fc, cells, train="365D", test="28D", step="56D",
            coverage=(0.01, 0.05, 0.1), random_state=0,
        )
    assert res.table["origin"].nunique() >= 6
    summ = res.summary("pai")
    rand = summ.loc[("random", 0.05), "mean"]
    assert 0.7 < rand < 1.3
    for m in fc:
        assert summ.loc[(m, 0.05), "mean"] > 2 * max(rand, 1.0), m
        # and at every single origin, not only on average
        per_origin = res.table.query("method == @m and coverage == 0.05")["pai"]
        assert (per_origin > 2.0).all(), m
    pei = res.summary("pei")
    assert (pei["mean"] <= 1.0 + 1e-9).all()
    stab = res.stability.groupby("method")["jaccard"].mean()
    assert stab["naive"] > 5 * stab["random"]
