"""Tests of hotspot.density: kernels, FFT vs exact KDE, peers, the GeoDataFrame layer, real data."""

from __future__ import annotations

import logging
import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon, box

from hotspot._core.grid import GridSpec, grid_frame
from hotspot.exceptions import CRSError, HotspotWarning, InvalidInputError
from hotspot.scan.density import (
    GAUSSIAN_TRUNCATE,
    KERNEL_SD,
    KERNELS,
    kde,
    kde_grid,
    kde_points,
    kernel_profile,
    knn_bandwidths,
    linear_bin,
    rule_bandwidth,
    support_radius,
)
from hotspot.units.build import grid

CRS = "EPSG:32616"


def points_frame(xy: np.ndarray, crs: str = CRS, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)


def brute_force(xy_data, xy_eval, h, kernel, weights=None):
    d = np.hypot(*(xy_eval[:, None, :] - xy_data[None, :, :]).transpose(2, 0, 1))
    hh = np.broadcast_to(np.asarray(h, dtype=float), (len(xy_data),))
    w = np.ones(len(xy_data)) if weights is None else weights
    vals = kernel_profile(kernel)(d / hh) / hh**2
    if kernel == "gaussian":
        vals = np.where(d / hh <= 8.0, vals, 0.0)
    return (vals * w).sum(axis=1)


def grid_centres(spec: GridSpec) -> np.ndarray:
    xs, ys = spec.centres()
    xx, yy = np.meshgrid(xs, ys)
    return np.column_stack([xx.ravel(), yy.ravel()])


# ----------------------------------------------------------------------------- kernels


@pytest.mark.parametrize("kernel", KERNELS)
def test_kernels_integrate_to_one_and_have_stated_sd(kernel):
    # radial midpoint rule on a fine grid: ∫ f(u) 2πu du = 1 and ∫ u² f 2πu du / 2 = SD²
    reach = 12.0 if kernel == "gaussian" else 1.0
    du = reach / 400_000
    u = (np.arange(400_000) + 0.5) * du
    f = kernel_profile(kernel)(u)
    mass = np.sum(f * 2 * np.pi * u) * du
    var_axis = np.sum(u**2 * f * 2 * np.pi * u) * du / 2
    assert mass == pytest.approx(1.0, abs=1e-8)
    assert math.sqrt(var_axis) == pytest.approx(KERNEL_SD[kernel], rel=1e-6)


def test_kernel_formulas_by_hand():
    u = np.array([0.0, 0.5])
    assert kernel_profile("quartic")(u) == pytest.approx(3 / np.pi * np.array([1, 0.75**2]))
    assert kernel_profile("epanechnikov")(u) == pytest.approx(2 / np.pi * np.array([1, 0.75]))
    assert kernel_profile("triangular")(u) == pytest.approx(3 / np.pi * np.array([1, 0.5]))
    assert kernel_profile("uniform")(u) == pytest.approx([1 / np.pi] * 2)
    assert kernel_profile("gaussian")(u) == pytest.approx(np.exp([0, -0.125]) / (2 * np.pi))
    assert support_radius("gaussian") == GAUSSIAN_TRUNCATE
    with pytest.raises(InvalidInputError, match="Unknown kernel"):
        kernel_profile("biweight")


# ----------------------------------------------------------------------------- exact core


@pytest.mark.parametrize("kernel", KERNELS)
def test_kde_points_equals_brute_force(kernel, rng):
    data = rng.uniform(0, 1000, (300, 2))
    ev = rng.uniform(-100, 1100, (200, 2))
    w = rng.uniform(0.5, 2.0, 300)
    got = kde_points(data, ev, 150.0, kernel, w)
    np.testing.assert_allclose(got, brute_force(data, ev, 150.0, kernel, w), rtol=1e-12, atol=0)


def test_kde_points_adaptive_equals_brute_force(rng):
    data = rng.uniform(0, 1000, (300, 2))
    ev = rng.uniform(0, 1000, (150, 2))
    h = np.exp(rng.uniform(np.log(20), np.log(800), 300))  # spread over many classes
    got = kde_points(data, ev, h, "quartic")
    np.testing.assert_allclose(got, brute_force(data, ev, h, "quartic"), rtol=1e-12, atol=1e-300)


def test_kde_points_gaussian_matches_sklearn(rng):
    from sklearn.neighbors import KernelDensity

    data = rng.normal(0, 500, (400, 2))
    ev = rng.normal(0, 700, (300, 2))
    h = 120.0
    log_dens = KernelDensity(kernel="gaussian", bandwidth=h).fit(data).score_samples(ev)
    ref = np.exp(log_dens) * len(data)  # sklearn integrates to 1; ours to n (per m²)
    got = kde_points(data, ev, h, "gaussian")
    # terms beyond 8 h (relative weight < 1e-13) are dropped: compare above that floor
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-12 * ref.max())


def test_kde_points_linear_kernel_matches_sklearn(rng):
    # sklearn's "linear" is the triangular kernel, normalized in 2-D
    from sklearn.neighbors import KernelDensity

    data = rng.normal(0, 300, (300, 2))
    ev = rng.normal(0, 300, (200, 2))
    ref = np.exp(KernelDensity(kernel="linear", bandwidth=250.0).fit(data).score_samples(ev))
    got = kde_points(data, ev, 250.0, "triangular")
    inside = ref > 0
    np.testing.assert_allclose(got[inside], ref[inside] * 300, rtol=1e-6)


def test_knn_bandwidths_brute_force(rng):
    xy = rng.uniform(0, 100, (200, 2))
    d = np.sort(np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1)), axis=1)
    np.testing.assert_allclose(knn_bandwidths(xy, 5), d[:, 5])
    dup = np.zeros((4, 2))
    assert knn_bandwidths(dup, 2, minimum=7.0).tolist() == [7.0] * 4


# ----------------------------------------------------------------------------- FFT core


def test_linear_bin_conserves_mass_and_centres(rng):
    spec = GridSpec(0.0, 0.0, 10.0, 30, 20)
    xy = rng.uniform(0, 300, (1000, 2))
    counts, out = linear_bin(spec, xy[:, 0], xy[:, 1])
    inside = xy[:, 1] < 200
    assert counts.sum() == pytest.approx(inside.sum(), rel=1e-12)
    assert out == (~inside).sum()
    # the centre of mass of each point is kept (linear binning is first-order exact)
    xs, ys = spec.centres()
    inner = inside & (xy[:, 0] > 5) & (xy[:, 0] < 295) & (xy[:, 1] > 5) & (xy[:, 1] < 195)
    c2, _ = linear_bin(spec, xy[inner, 0], xy[inner, 1])
    assert (c2.sum(axis=0) * xs).sum() / c2.sum() == pytest.approx(xy[inner, 0].mean())
    assert (c2.sum(axis=1) * ys).sum() / c2.sum() == pytest.approx(xy[inner, 1].mean())


@pytest.mark.parametrize("kernel", KERNELS)
def test_fft_equals_exact_for_points_on_cell_centres(kernel, rng):
    spec = GridSpec(0.0, 0.0, 25.0, 60, 50)
    cells = rng.integers(12, 38, (200, 2))
    xs, ys = spec.centres()
    xy = np.column_stack([xs[cells[:, 0]], ys[cells[:, 1]]])
    counts, _ = linear_bin(spec, xy[:, 0], xy[:, 1])
    assert np.count_nonzero(counts) == len(np.unique(cells, axis=0))  # no spreading
    fft = kde_grid(counts, 25.0, 70.0, kernel, normalize=False)
    exact = kde_points(xy, grid_centres(spec), 70.0, kernel).reshape(spec.shape)
    if kernel == "gaussian":  # the grid stencil is truncated at 4 h, the exact path at 8 h
        exact = brute_force(xy, grid_centres(spec), 70.0, kernel).reshape(spec.shape)
        np.testing.assert_allclose(fft, exact, rtol=0, atol=1e-3 * exact.max())
    else:
        np.testing.assert_allclose(fft, exact, rtol=1e-10, atol=1e-15 * exact.max())


@pytest.mark.parametrize(
    ("kernel", "power", "low", "high"),
    [("quartic", 2, 0.7, 1.0), ("gaussian", 2, 0.15, 0.25), ("epanechnikov", 1, 0.3, 0.46)],
)
def test_fft_binning_error_of_one_incident(kernel, power, low, high, rng):
    """The documented FFT error: max |fft - exact| ≈ c (cell / h)^power · K_h(0)."""
    spec = GridSpec(0.0, 0.0, 1.0, 48, 48)
    centres = grid_centres(spec)
    for h in (2.0, 4.0, 8.0):
        worst = 0.0
        for x, y in rng.uniform(23, 25, (40, 2)):
            counts, _ = linear_bin(spec, np.array([x]), np.array([y]))
            fft = kde_grid(counts, 1.0, h, kernel).ravel()
            exact = kde_points(np.array([[x, y]]), centres, h, kernel)
            worst = max(worst, float(np.abs(fft - exact).max()))
        peak = float(kernel_profile(kernel)(np.array(0.0))) / h**2
        assert low <= worst / peak / (1.0 / h) ** power <= high, (h, worst / peak)


@pytest.mark.parametrize(
    ("kernel", "h_cells", "tol"),
    [
        # linear-binning error: at most about (cell / h)² of one incident's peak
        # (quartic; measured in test_fft_binning_error_of_one_incident)
        ("quartic", 4, 0.6 / 4**2),
        ("quartic", 8, 1e-2),
        ("epanechnikov", 8, 2e-2),
        ("triangular", 8, 2e-2),
        ("gaussian", 2, 3e-2),
        ("gaussian", 3, 1e-2),
    ],
)
def test_fft_agrees_with_exact_on_random_data(kernel, h_cells, tol, rng):
    spec = GridSpec(0.0, 0.0, 10.0, 120, 100)
    xy = rng.uniform(300, 700, (400, 2))
    h = 10.0 * h_cells
    counts, _ = linear_bin(spec, xy[:, 0], xy[:, 1])
    fft = kde_grid(counts, 10.0, h, kernel)
    exact = kde_points(xy, grid_centres(spec), h, kernel).reshape(spec.shape)
    err = np.abs(fft - exact).max() / exact.max()
    assert err < tol


@pytest.mark.parametrize("kernel", KERNELS)
def test_fft_conserves_mass_and_symmetry(kernel, rng):
    spec = GridSpec(0.0, 0.0, 10.0, 101, 81)
    half = rng.uniform(200, 500, (300, 2))  # 200 m from the edges: beyond the gaussian's 4 h
    half[:, 1] = rng.uniform(200, 610, 300)
    mirror = half.copy()
    mirror[:, 0] = 1010 - half[:, 0]  # mirror across the grid's vertical centre line
    xy = np.vstack([half, mirror])
    counts, _ = linear_bin(spec, xy[:, 0], xy[:, 1])
    dens = kde_grid(counts, 10.0, 45.0, kernel)
    assert dens.sum() * 100.0 == pytest.approx(len(xy), rel=1e-10)
    assert dens.min() >= 0
    np.testing.assert_allclose(dens, dens[:, ::-1], rtol=0, atol=1e-12 * dens.max())


def test_kde_grid_matches_kdepy(rng):
    from KDEpy import FFTKDE

    spec = GridSpec(0.0, 0.0, 10.0, 120, 100)
    xy = rng.normal([600, 500], [120, 90], (3000, 2))
    xs, ys = spec.centres()
    grid_points = np.column_stack([np.repeat(xs, len(ys)), np.tile(ys, len(xs))])
    counts, _ = linear_bin(spec, xy[:, 0], xy[:, 1])
    for kernel, peer, bw in [
        ("quartic", "biweight", 60 / math.sqrt(7)),
        ("gaussian", "gaussian", 25),
    ]:
        h = 60.0 if kernel == "quartic" else 25.0
        ours = kde_grid(counts, 10.0, h, kernel)
        theirs = FFTKDE(kernel=peer, bw=bw).fit(xy).evaluate(grid_points)
        theirs = theirs.reshape(len(xs), len(ys)).T * len(xy)
        assert np.abs(ours - theirs).max() / ours.max() < 1e-2


def test_adaptive_fft_agrees_with_exact_adaptive(rng):
    xy = np.vstack([rng.normal(500, 100, (300, 2)), rng.uniform(100, 900, (200, 2))])
    pts = points_frame(xy)
    units = grid_frame(GridSpec(0.0, 0.0, 10.0, 100, 100), CRS)
    # bandwidth= is the floor of the adaptive bandwidths (4 cells here)
    fft = kde(pts, units, adaptive=True, k=10, bandwidth=40.0, method="fft")
    exact = kde(pts, units, adaptive=True, k=10, bandwidth=40.0, method="exact")
    h = knn_bandwidths(xy, 10, minimum=40.0)
    meta = fft.attrs["hotspot"]["kde"]
    assert meta["bandwidth"]["median"] == pytest.approx(np.median(h))
    err = np.abs(fft["kde"] - exact["kde"]).max() / exact["kde"].max()
    assert h.min() == 40.0 and (h == 40.0).mean() < 0.5
    assert err < 0.06  # binning (h >= 4 cells) plus bandwidth classes (±2.2 %)
    # and the adaptive surface is not the fixed one
    fixed = kde(pts, units, bandwidth=float(np.median(h)), method="exact")
    assert np.abs(fixed["kde"] - exact["kde"]).max() / exact["kde"].max() > 0.1


# ----------------------------------------------------------------------------- bandwidth rule


def test_rule_bandwidth_normal_and_both_axes(rng):
    xy = rng.normal(0, 1000, (20_000, 2))
    expected = 0.9 * math.sqrt(2) * 1000 * 20_000 ** (-0.2)  # SD = √2 σ = √(1/ln2)·Dm
    assert rule_bandwidth(xy) == pytest.approx(expected, rel=0.02)
    assert rule_bandwidth(xy, "gaussian") == pytest.approx(rule_bandwidth(xy) / math.sqrt(8))
    # uses both axes: stretching y changes the bandwidth (sfhotspot's rule would not)
    stretched = xy * [1.0, 5.0]
    assert rule_bandwidth(stretched) > 2 * rule_bandwidth(xy)
    swapped = stretched[:, ::-1]
    assert rule_bandwidth(swapped) == pytest.approx(rule_bandwidth(stretched))


def test_rule_bandwidth_weighted_as_arcgis(rng):
    xy = rng.normal(0, 1000, (2000, 2))
    # integer weights are the same as repeating the points (ArcGIS's population field)
    w = rng.integers(1, 5, len(xy)).astype(float)
    repeated = np.repeat(xy, w.astype(int), axis=0)
    assert rule_bandwidth(xy, weights=w) == pytest.approx(rule_bandwidth(repeated), rel=1e-3)
    # weight on a tight cluster pulls the centre and shrinks the distances
    xy2 = np.vstack([xy, rng.normal(3000, 50, (200, 2))])
    w2 = np.r_[np.ones(2000), np.full(200, 50.0)]
    assert rule_bandwidth(xy2, weights=w2) < 0.5 * rule_bandwidth(xy2)
    pts = points_frame(xy2, harm=w2)
    meta = kde(pts, weight="harm", cell_size=100.0).attrs["hotspot"]["kde"]
    assert meta["bandwidth"] == pytest.approx(rule_bandwidth(xy2, weights=w2), rel=1e-3)
    assert "weighted by 'harm'" in meta["choices"]["bandwidth"]["reason"]


def test_rule_bandwidth_resists_outliers(rng):
    xy = rng.normal(0, 1000, (5000, 2))
    with_outliers = np.vstack([xy, rng.normal(0, 1000, (50, 2)) + np.array([80_000, 0])])
    sd_only = 0.9 * np.sqrt(np.mean(np.sum((with_outliers - with_outliers.mean(0)) ** 2, 1)))
    h = rule_bandwidth(with_outliers)
    assert h == pytest.approx(rule_bandwidth(xy), rel=0.2)
    assert h < 0.3 * sd_only * len(with_outliers) ** (-0.2)
    with pytest.raises(InvalidInputError, match="bandwidth="):
        rule_bandwidth(np.zeros((10, 2)))


# ----------------------------------------------------------------------------- kde()


@pytest.fixture
def incidents(rng) -> gpd.GeoDataFrame:
    xy = np.vstack([rng.normal([2000, 3000], 150, (300, 2)), rng.uniform(0, 5000, (200, 2))])
    return points_frame(xy, harm=rng.uniform(1, 3, 500))


def test_kde_default_grid_records_choices(incidents, caplog):
    before = incidents.copy()
    with caplog.at_level(logging.INFO, logger="hotspot"):
        out = kde(incidents)
    meta = out.attrs["hotspot"]["kde"]
    assert set(meta["choices"]) == {"bandwidth", "cell_size", "method"}
    h = meta["bandwidth"]
    assert h == pytest.approx(rule_bandwidth(incidents.get_coordinates().to_numpy()), rel=1e-3)
    assert meta["cell_size"] <= h / 2
    assert "bandwidth" in caplog.text and "cell_size" in caplog.text
    assert out.index.name == "unit_id" and {"row", "col", "kde"} <= set(out.columns)
    cell_km2 = meta["cell_size"] ** 2 / 1e6
    assert out["kde"].sum() * cell_km2 == pytest.approx(500, rel=1e-3)
    assert meta["mass_on_grid"] == pytest.approx(1.0, abs=1e-3)
    pd.testing.assert_frame_equal(incidents, before)


def test_kde_fft_mass_exact_and_agrees_with_exact_method(incidents):
    fft = kde(incidents, bandwidth=400.0, cell_size=50.0, method="fft")
    exact = kde(incidents, bandwidth=400.0, cell_size=50.0, method="exact")
    assert fft["kde"].sum() * 0.05**2 == pytest.approx(500, rel=1e-9)
    assert exact.attrs["hotspot"]["kde"]["mass_on_grid"] == pytest.approx(1.0, abs=1e-4)
    assert np.abs(fft["kde"] - exact["kde"]).max() / exact["kde"].max() < 1e-2  # h = 8 cells


def test_kde_weight_doubles_density(incidents):
    incidents = incidents.assign(two=2.0)
    one = kde(incidents, bandwidth=300.0, cell_size=100.0)
    two = kde(incidents, bandwidth=300.0, cell_size=100.0, weight="two")
    np.testing.assert_allclose(two["kde"], 2 * one["kde"], rtol=1e-12)
    harm = kde(incidents, bandwidth=300.0, cell_size=100.0, weight="harm", method="fft")
    assert harm["kde"].sum() * 0.01 == pytest.approx(incidents["harm"].sum(), rel=1e-9)
    bad = incidents.assign(harm=-1.0)
    with pytest.raises(InvalidInputError, match="'harm'"):
        kde(bad, weight="harm")
    with pytest.raises(InvalidInputError, match="no column 'nope'"):
        kde(incidents, weight="nope")


def test_kde_on_given_grid_counts_incidents_outside(incidents):
    spec = GridSpec(1000.0, 2000.0, 50.0, 40, 40)
    full = grid_frame(spec, CRS)
    keep = np.zeros(spec.shape, bool)
    keep[5:30, 10:35] = True
    part = grid_frame(spec, CRS, keep=keep)
    a = kde(incidents, full, bandwidth=300.0, method="fft")
    b = kde(incidents, part, bandwidth=300.0, method="fft")
    np.testing.assert_allclose(b["kde"], a.loc[b.index, "kde"], rtol=1e-9, atol=1e-12)
    # the reference: exact KDE over ALL incidents at the cell centres of the partial grid
    xs, ys = spec.centres()
    ev = np.column_stack([xs[b["col"]], ys[b["row"]]])
    ref = kde_points(incidents.get_coordinates().to_numpy(), ev, 300.0) * 1e6
    assert np.abs(b["kde"] - ref).max() / ref.max() < 0.04  # h = 6 cells
    assert b.attrs["hotspot"]["kde"]["mass_on_grid"] < 1


def test_kde_on_polygon_units_is_the_mean_over_each_polygon(incidents):
    polys = gpd.GeoDataFrame(
        {"name": ["a", "b", "c"]},
        geometry=[
            box(1500, 2500, 2500, 3500),
            box(0, 0, 1000, 1000),
            Polygon([(3000, 0), (5000, 0), (5000, 900), (3100, 200)]),  # a thin wedge
        ],
        crs=CRS,
    ).rename_axis("unit_id")
    out = kde(incidents, polys, bandwidth=500.0)
    meta = out.attrs["hotspot"]["kde"]
    assert meta["method"] == "exact" and "mean density" in meta["polygon_value"]
    pts = incidents.get_coordinates().to_numpy()
    for pos, poly in enumerate(polys.geometry):
        # an independent, finer lattice (10 m) over the polygon
        x0, y0, x1, y1 = poly.bounds
        gx, gy = np.meshgrid(np.arange(x0 + 5, x1, 10.0), np.arange(y0 + 5, y1, 10.0))
        inside = shapely.contains_xy(poly, gx.ravel(), gy.ravel())
        ev = np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])
        ref = kde_points(pts, ev, 500.0).mean() * 1e6
        assert out["kde"].iloc[pos] == pytest.approx(ref, rel=0.02)
    assert list(out["name"]) == ["a", "b", "c"] and "kde" not in polys
    with pytest.raises(InvalidInputError, match="method='fft'"):
        kde(incidents, polys, bandwidth=500.0, method="fft")


def test_kde_population_risk_surface(rng):
    crimes = points_frame(rng.normal([1000, 1000], 200, (400, 2)))
    residents = points_frame(
        rng.uniform(600, 1400, (300, 2)), population=rng.integers(0, 50, 300).astype(float)
    )
    out = kde(crimes, bandwidth=300.0, cell_size=50.0, population=residents, method="fft")
    meta = out.attrs["hotspot"]["kde"]
    assert out["kde_population"].sum() * 0.0025 == pytest.approx(
        residents["population"].sum(), rel=1e-9
    )
    ok = out["kde_population"] >= meta["risk_min_population_density"]
    raw = (out["kde"] / out["kde_population"])[ok]
    np.testing.assert_allclose(out.loc[ok, "risk_raw"], raw)
    assert out.loc[~ok, "risk"].isna().all() and out.loc[~ok, "risk_raw"].isna().all()
    # empirical Bayes: every rate moves towards the overall rate, never past it
    overall = out.loc[ok, "kde"].sum() / out.loc[ok, "kde_population"].sum()
    smooth = out.loc[ok, "risk"]
    assert ((smooth - overall).abs() <= (raw - overall).abs() + 1e-12).all()
    assert ((smooth - overall) * (raw - overall) >= -1e-18).all()
    assert "Marshall" in meta["risk_smoothing"]
    assert meta["risk_min_population_density"] == pytest.approx(3 / (np.pi * 300.0**2) * 1e6)
    with pytest.raises(InvalidInputError, match="fixed bandwidth"):
        kde(crimes, population=residents, adaptive=True)
    with pytest.raises(InvalidInputError, match="no column 'pop'"):
        kde(crimes, population=residents, population_column="pop")


def test_kde_warnings(incidents):
    with pytest.warns(HotspotWarning, match="smaller than the cell size"):
        kde(incidents, bandwidth=40.0, cell_size=50.0)
    with pytest.warns(HotspotWarning, match="more than 100,000"):
        kde(incidents, bandwidth=100.0, cell_size=10.0, method="fft")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kde(incidents, bandwidth=300.0, cell_size=100.0)


def test_kde_input_errors(incidents):
    lonlat = incidents.set_crs(4326, allow_override=True)
    with pytest.raises(CRSError, match="geographic"):
        kde(lonlat)
    other = grid_frame(GridSpec(0.0, 0.0, 100.0, 5, 5), "EPSG:32615")
    with pytest.raises(CRSError, match="same CRS"):
        kde(incidents, other)
    with pytest.raises(InvalidInputError, match="Unknown kernel"):
        kde(incidents, kernel="cosine")
    with pytest.raises(InvalidInputError, match="bandwidth"):
        kde(incidents, bandwidth=-5.0)
    with pytest.raises(InvalidInputError, match="cell_size"):
        kde(incidents, grid_frame(GridSpec(0.0, 0.0, 100.0, 5, 5), CRS), cell_size=50.0)
    with pytest.raises(InvalidInputError, match="Point"):
        kde(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=CRS))
    with pytest.raises(TypeError, match="GeoDataFrame"):
        kde(pd.DataFrame({"x": [1]}))


# ----------------------------------------------------------------------------- real data


def _read_points(path, crs):
    df = pd.read_csv(path)
    geom = gpd.points_from_xy(df["longitude"], df["latitude"])
    return gpd.GeoDataFrame(df, geometry=geom, crs=4326).to_crs(crs)


@pytest.mark.shared_data
def test_chicago_2012_assaults(shared_data):
    data = _read_points(
        shared_data / "chicago" / "chicago_aggravated_assaults_2010_2019.csv.gz", CRS
    )
    data = data[data["date"].str.startswith("2012")]
    assert len(data) == 15_103
    with pytest.warns(HotspotWarning, match="more than 100,000"):
        fft = kde(data, bandwidth=400.0, cell_size=100.0, method="fft")
    assert fft["kde"].sum() * 0.01 == pytest.approx(len(data), rel=1e-9)
    # the exact KDE at the densest cells agrees with the FFT surface
    top = fft.nlargest(50, "kde")
    centres = top.centroid.get_coordinates().to_numpy()
    exact = kde_points(data.get_coordinates().to_numpy(), centres, 400.0) * 1e6
    # h = 4 cells; locations are rounded to blocks, so binning errors add up instead of
    # cancelling: about (cell / h)² / 2 ≈ 3 % of the peak here
    assert np.abs(top["kde"].to_numpy() - exact).max() / exact.max() < 0.035
    # the densest cell lies in the West or South Side districts with most assaults
    districts = gpd.read_file(shared_data / "chicago" / "chicago_police_districts.geojson")
    peak = gpd.GeoDataFrame(geometry=top.centroid.iloc[:1], crs=CRS)
    hit = gpd.sjoin(peak, districts.to_crs(CRS))["district"].astype(int).tolist()
    assert hit and hit[0] in {3, 4, 5, 6, 7, 8, 9, 10, 11, 15}
    default = kde(data)  # the documented automatic choices on real data
    meta = default.attrs["hotspot"]["kde"]
    assert 500 < meta["bandwidth"] < 3000
    # one cell size rule (auto_cell_size): a KDE surface keeps extent / 50 (under
    # bandwidth / 2); a counting grid is capped at street scale (250 m)
    size = meta["choices"]["cell_size"]["value"]
    assert size == 600.0
    assert grid(data).attrs["hotspot"]["units"]["choices"]["cell_size"]["value"] == 250.0


@pytest.mark.shared_data
def test_memphis_population_risk(shared_data):
    crs = "EPSG:32615"
    robberies = _read_points(shared_data / "memphis" / "memphis_robberies_2019.csv.gz", crs)
    blocks = _read_points(shared_data / "memphis" / "memphis_population_blocks_2020.csv.gz", crs)
    out = kde(robberies, bandwidth=1000.0, cell_size=250.0, population=blocks, method="fft")
    cell_km2 = 0.25**2
    assert out["kde"].sum() * cell_km2 == pytest.approx(2245, rel=1e-9)
    # blocks far from every robbery fall off the grid: most of the 634,612 residents remain
    share = out["kde_population"].sum() * cell_km2 / blocks["population"].sum()
    assert 0.9 < share <= 1.0 + 1e-9
    risk = out["risk"].dropna()
    overall = 2245 / 634_612
    assert overall / 3 < risk.median() < overall * 3
    # where many people live the risk is moderate; the highest risks come from few residents
    crowded = out["kde_population"] > out["kde_population"].quantile(0.9)
    assert out.loc[crowded, "risk"].max() < 20 * overall
    # near-empty cells no longer top the ranking: the raw ratio reaches 1.7 robberies
    # per resident where about 2 people live in the kernel's effective area (1.75 km²);
    # empirical Bayes shrinks those to the overall rate, and the top 20 smoothed cells
    # each have at least 20 residents in that area
    assert out["risk_raw"].max() > 1.0 and out["risk"].max() < 0.1
    assert out["risk_raw"].idxmax() not in out["risk"].nlargest(20).index
    top = out.loc[out["risk"].nlargest(20).index, "kde_population"]
    assert (top * 1.745 >= 20).all()


@pytest.mark.shared_data
@pytest.mark.parametrize("shape", ["square", "hex"])
def test_kde_edge_correction_on_a_clipped_grid(shared_data, shape):
    """Uniform points in Chicago district 11: the corrected surface is flat to the edge."""
    districts = gpd.read_file(shared_data / "chicago" / "chicago_police_districts.geojson")
    area = districts[districts["district"].astype(str) == "11"].to_crs(CRS)
    poly = shapely.union_all(area.geometry.to_numpy())
    rng = np.random.default_rng(3)
    xy = rng.uniform(poly.bounds[:2], poly.bounds[2:], (60_000, 2))
    xy = xy[shapely.contains_xy(poly, xy[:, 0], xy[:, 1])]
    cells = grid(area, 150.0, shape=shape, study_area=area)
    pts = points_frame(xy)
    out = kde(pts, cells, bandwidth=600.0)
    raw = kde(pts, cells.drop(columns="inside_share"), bandwidth=600.0)
    truth = len(xy) / (poly.area / 1e6)  # points per km²
    edge = cells["inside_share"].between(0.5, 0.99).to_numpy()
    inner = cells.centroid.distance(poly.boundary).to_numpy() > 900
    assert raw["kde"][edge].mean() < 0.8 * truth  # mass lost beyond the boundary
    assert out["kde"][edge].mean() == pytest.approx(truth, rel=0.08)
    assert out["kde"][inner].mean() == pytest.approx(truth, rel=0.05)
    assert "inside the study area" in out.attrs["hotspot"]["kde"]["edge_correction"]

