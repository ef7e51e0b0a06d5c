"""Tests for hotspot.stats: Gi* and local Moran against esda, FDR, inference, real data."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from hotspot._core.grid import GridSpec, bin_points, grid_frame
from hotspot._core.weights import grid_weights, weights_for_units
from hotspot.exceptions import CRSError, HotspotWarning, InvalidInputError
from hotspot.scan._permutation import (
    _conditional_permutations,
    _counts_general,
    _sample_ids,
)
from hotspot.scan.stats import (
    HOTSPOT_CLASSES,
    LISA_CLUSTERS,
    adjust_pvalues,
    fdr_bh,
    gi_star,
    gi_star_arrays,
    local_moran,
    local_moran_arrays,
)

esda = pytest.importorskip("esda")
# expected HotspotWarnings are checked with pytest.warns; silence them elsewhere
pytestmark = pytest.mark.filterwarnings("ignore::hotspot.exceptions.HotspotWarning")
libpysal = pytest.importorskip("libpysal")

TOL = 1e-9


def _esda_g(y, w, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(y, w, transform="B", star=True, **kw)


def _esda_moran(y, w, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.Moran_Local(y, w, transformation="r", n_jobs=1, **kw)


def _cells_with_counts(spec: GridSpec, crs, xy: np.ndarray, keep=None) -> gpd.GeoDataFrame:
    counts, _ = bin_points(spec, xy[:, 0], xy[:, 1])
    cells = grid_frame(spec, crs, keep=keep)
    cells["n_incidents"] = counts.ravel()[cells.index.to_numpy()]
    return cells


# ------------------------------------------------------------------------------------
# multiple-testing corrections
# ------------------------------------------------------------------------------------


def test_fdr_bh_hand_computed():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5, np.nan])
    # sorted 0.005, 0.01, 0.03, 0.04, 0.5 with m = 5:
    # raw 0.025, 0.025, 0.05, 0.05, 0.5 -> running minimum from the top: the same
    expected = np.array([0.025, 0.05, 0.05, 0.025, 0.5, np.nan])
    np.testing.assert_allclose(fdr_bh(p), expected, equal_nan=True)
    # a step-up case: 0.04 * 4 / 3 > 0.045 * 4 / 4, so the 3rd takes the 4th's value
    np.testing.assert_allclose(fdr_bh([0.001, 0.02, 0.04, 0.045]), [0.004, 0.04, 0.045, 0.045])
    assert fdr_bh([0.9, 0.95]).max() <= 1.0


def test_fdr_bh_equals_definition(rng):
    p = rng.random(200) ** 3
    order = np.argsort(p)
    m = len(p)
    ref = np.empty(m)
    for pos, i in enumerate(order):  # brute force: min over j >= i of m p_(j) / j
        ref[i] = min(1.0, min(p[order[j]] * m / (j + 1) for j in range(pos, m)))
    np.testing.assert_allclose(fdr_bh(p), ref, rtol=1e-12)


def test_other_corrections():
    p = np.array([0.01, 0.04, 0.03, np.nan])
    np.testing.assert_allclose(adjust_pvalues(p, "bonferroni"), [0.03, 0.12, 0.09, np.nan])
    # Holm: sorted 0.01*3, 0.03*2, 0.04*1 -> cummax 0.03, 0.06, 0.06
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), [0.03, 0.06, 0.06, np.nan])
    np.testing.assert_allclose(adjust_pvalues(p, None), p)
    with pytest.raises(InvalidInputError):
        adjust_pvalues(p, "sidak")


# ------------------------------------------------------------------------------------
# Gi*: equality with esda
# ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rook", [False, True])
def test_gi_star_equals_esda_on_lattice(rng, rook):
    nrows, ncols = 14, 17
    y = rng.poisson(3, nrows * ncols).astype(float)
    y[40:45] += 10
    row, col = np.divmod(np.arange(nrows * ncols), ncols)
    res = gi_star_arrays(y, grid_weights(row, col, "rook" if rook else "queen"))
    ref = _esda_g(y, libpysal.weights.lat2W(nrows, ncols, rook=rook), permutations=0)
    np.testing.assert_allclose(res.z, ref.Zs, rtol=0, atol=TOL)
    np.testing.assert_allclose(res.g, ref.Gs, rtol=1e-12)
    np.testing.assert_allclose(res.expected, ref.EGs, rtol=1e-12)
    np.testing.assert_allclose(res.variance, ref.VGs, rtol=1e-9)
    # esda's p_norm is one-sided (norm.sf(|z|)): our two-sided p is twice it
    np.testing.assert_allclose(res.p_value, 2 * ref.p_norm, rtol=1e-12)
    greater = gi_star_arrays(y, grid_weights(row, col), alternative="greater")
    hot = greater.z > 0
    np.testing.assert_allclose(
        greater.p_value[hot],
        _esda_g(y, libpysal.weights.lat2W(nrows, ncols, rook=False), permutations=0).p_norm[hot],
        rtol=1e-12,
    )
    less = gi_star_arrays(y, grid_weights(row, col), alternative="less")
    np.testing.assert_allclose(less.p_value + greater.p_value, 1.0)


def test_gi_star_equals_esda_with_queen_from_geometries(rng):
    spec = GridSpec(0.0, 0.0, 100.0, 9, 8)
    keep = rng.random(spec.shape) < 0.8
    cells = grid_frame(spec, "EPSG:32616", keep=keep)
    cells["n_incidents"] = rng.poisson(2, len(cells))
    out = gi_star(cells)
    lw = libpysal.weights.Queen.from_dataframe(cells, use_index=False, silence_warnings=True)
    ref = _esda_g(cells["n_incidents"].to_numpy(float), lw, permutations=0)
    # islands (if any) differ by construction in libpysal; compare units with neighbours
    np.testing.assert_allclose(out["gi_z"].to_numpy(), ref.Zs, rtol=0, atol=TOL)


def test_gi_star_distance_band_and_knn_equal_esda(rng):
    xy = rng.random((150, 2)) * 3000
    y = rng.poisson(4, 150).astype(float)
    pts = gpd.GeoDataFrame(
        {"n_incidents": y}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=32616
    )
    band = gi_star(pts, neighbors=600.0)
    ref = _esda_g(
        y, libpysal.weights.DistanceBand(xy, 600.0, silence_warnings=True), permutations=0
    )
    np.testing.assert_allclose(band["gi_z"], ref.Zs, atol=TOL)
    knn = gi_star(pts, neighbors="knn:6")
    ref = _esda_g(y, libpysal.weights.KNN(xy, k=6), permutations=0)
    np.testing.assert_allclose(knn["gi_z"], ref.Zs, atol=TOL)


def test_gi_star_user_matrix_and_libpysal_input(rng):
    cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 8, 6), "EPSG:32616")
    cells["n_incidents"] = rng.poisson(3, len(cells))
    base = gi_star(cells)
    w, _ = weights_for_units(cells, "queen")
    via_matrix = gi_star(cells, neighbors=sparse.csr_matrix(w))
    lw = libpysal.weights.lat2W(6, 8, rook=False)
    via_w = gi_star(cells, neighbors=lw)
    for other in (via_matrix, via_w):
        pd.testing.assert_series_equal(other["gi_z"], base["gi_z"])
        assert other["hotspot_class"].equals(base["hotspot_class"])


def test_gi_star_general_weights_formula(rng):
    # non-binary weights: z from the Ord & Getis general formula, written out by hand
    n = 30
    y = rng.poisson(5, n).astype(float)
    dense = rng.random((n, n)) * (rng.random((n, n)) < 0.2)
    np.fill_diagonal(dense, 0)
    res = gi_star_arrays(y, sparse.csr_array(dense))
    ws = dense + np.eye(n)
    ybar, s = y.mean(), y.std()
    wi, si = ws.sum(1), (ws**2).sum(1)
    z = (ws @ y - ybar * wi) / (s * np.sqrt((n * si - wi**2) / (n - 1)))
    np.testing.assert_allclose(res.z, z, rtol=1e-12)


def test_gi_star_arrays_rejects_self_loops_and_bad_shapes():
    w = sparse.eye(5, format="csr")
    with pytest.raises(InvalidInputError, match="diagonal"):
        gi_star_arrays(np.ones(5), w)
    with pytest.raises(InvalidInputError, match="shape"):
        gi_star_arrays(np.ones(4), sparse.csr_array((5, 5)))
    with pytest.raises(InvalidInputError, match="alternative"):
        gi_star_arrays(np.ones(5), sparse.csr_array((5, 5)), alternative="both")
    with pytest.raises(InvalidInputError, match="missing"):
        gi_star_arrays(np.array([1.0, np.nan, 1, 1, 1]), sparse.csr_array((5, 5)))


# ------------------------------------------------------------------------------------
# conditional permutations
# ------------------------------------------------------------------------------------


def _random_weights(rng, n, p=0.15, *, binary=True):
    dense = (rng.random((n, n)) < p).astype(float)
    np.fill_diagonal(dense, 0)
    dense[3] = 0  # an island
    if not binary:
        dense *= rng.random((n, n)) + 0.5
    return sparse.csr_array(dense)


def _brute_force(v, w, ids):
    """Loop reference: unit i uses the first k_i entries of ids[r] that are not i."""
    n = len(v)
    sims = np.zeros((n, ids.shape[0]))
    for i in range(n):
        lo, hi = w.indptr[i], w.indptr[i + 1]
        weights = w.data[lo:hi]
        for r in range(ids.shape[0]):
            seq = [j for j in ids[r] if j != i][: hi - lo]
            sims[i, r] = float(np.dot(weights, v[seq])) if hi > lo else 0.0
    return sims


@pytest.mark.parametrize("binary", [True, False])
def test_permutation_engine_equals_brute_force(rng, binary):
    n, n_perm = 40, 60
    w = _random_weights(rng, n, binary=binary)
    v = rng.poisson(2, n).astype(float)  # integer values: many exact ties
    obs = w @ v
    ids = _sample_ids(np.random.default_rng(5), n, int(np.diff(w.indptr).max()) + 1, n_perm)
    got = _conditional_permutations(v, w, obs, n_perm, rng, ids=ids)
    sims = _brute_force(v, w, ids)
    np.testing.assert_array_equal(got.n_ge, (sims >= obs[:, None] - 1e-9).sum(1))
    np.testing.assert_array_equal(got.n_le, (sims <= obs[:, None] + 1e-9).sum(1))
    np.testing.assert_allclose(got.mean, sims.mean(1), atol=1e-9)
    np.testing.assert_allclose(got.std, sims.std(1), atol=1e-9)


def test_general_path_equals_row_constant_path(rng):
    n, n_perm = 60, 200
    w = _random_weights(rng, n)
    v = rng.gamma(2, size=n)
    obs = w @ v
    k = np.diff(w.indptr)
    ids = _sample_ids(np.random.default_rng(1), n, int(k.max()) + 1, n_perm)
    fast = _conditional_permutations(v, w, obs, n_perm, rng, ids=ids)
    vals = v[ids]
    r_e, c_e = np.nonzero(np.arange(ids.shape[1])[None, :] < k[ids])
    tol = np.full(n, 1e-9)
    slow = _counts_general(v, w, obs, tol, k, ids, vals, r_e, c_e, ids[r_e, c_e])
    np.testing.assert_array_equal(fast.n_ge, slow.n_ge)
    np.testing.assert_array_equal(fast.n_le, slow.n_le)
    np.testing.assert_allclose(fast.mean, slow.mean, atol=1e-9)


def test_sample_ids_are_uniform_samples_without_replacement():
    for n, m in ((12, 5), (10_000, 9)):  # full-permutation and Floyd branches
        ids = _sample_ids(np.random.default_rng(0), n, m, 4000)
        assert ids.shape == (4000, m)
        assert all(len(set(row)) == m for row in ids[:200])
        # every value equally likely in every position
        freq = np.bincount(ids[:, -1], minlength=n) / 4000
        if n == 12:
            assert np.abs(freq - 1 / n).max() < 0.03


def test_two_sided_p_sim_is_twice_esda_directed(rng):
    """Same draws, continuous values (no ties): ours = min(1, 2 * esda 'directed')."""
    from esda.significance import calculate_significance

    n, n_perm = 50, 199
    w = _random_weights(rng, n)
    w.data[:] = 1.0
    w = sparse.csr_array(w)
    v = rng.gamma(2, size=n)
    obs = w @ v
    k = np.diff(w.indptr)
    ids = _sample_ids(np.random.default_rng(2), n, int(k.max()) + 1, n_perm)
    counts = _conditional_permutations(v, w, obs, n_perm, rng, ids=ids)
    sims = _brute_force(v, w, ids)
    has = k > 0
    directed = calculate_significance(obs[has], sims[has], alternative="directed")
    from hotspot.scan._permutation import _pseudo_p

    ours = _pseudo_p(counts.n_ge, counts.n_le, n_perm, "two-sided")[has]
    np.testing.assert_allclose(ours, np.minimum(1.0, 2 * directed))
    greater = calculate_significance(obs[has], sims[has], alternative="greater")
    np.testing.assert_allclose(_pseudo_p(counts.n_ge, counts.n_le, n_perm, "greater")[has], greater)


def test_gi_star_permutations_agree_with_esda_in_distribution(rng):
    nrows, ncols = 20, 25
    y = rng.gamma(2.0, size=nrows * ncols)
    y[[110, 111, 135, 136]] += 6
    row, col = np.divmod(np.arange(nrows * ncols), ncols)
    res = gi_star_arrays(y, grid_weights(row, col), permutations=999, random_state=4)
    ref = _esda_g(
        y, libpysal.weights.lat2W(nrows, ncols, rook=False), permutations=999, seed=4, n_jobs=1
    )
    assert np.corrcoef(res.p_sim, np.minimum(1, 2 * ref.p_sim))[0, 1] > 0.99
    assert np.corrcoef(res.z_sim, ref.z_sim)[0, 1] > 0.995
    assert np.abs(res.p_sim - np.minimum(1, 2 * ref.p_sim)).mean() < 0.03


def test_permutations_reproducible(rng):
    cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 10, 9), "EPSG:32616")
    cells["n_incidents"] = rng.poisson(2, len(cells))
    a = gi_star(cells, permutations=99, random_state=7)
    b = gi_star(cells, permutations=99, random_state=7)
    c = gi_star(cells, permutations=99, random_state=8)
    np.testing.assert_array_equal(a["p_sim"], b["p_sim"])
    assert not np.array_equal(a["p_sim"], c["p_sim"])
    g1 = local_moran(cells, permutations=99, random_state=np.random.default_rng(3))
    g2 = local_moran(cells, permutations=99, random_state=np.random.default_rng(3))
    np.testing.assert_array_equal(g1["p_sim"], g2["p_sim"])


# ------------------------------------------------------------------------------------
# local Moran
# ------------------------------------------------------------------------------------


def test_local_moran_equals_esda(rng):
    nrows, ncols = 15, 18
    y = rng.poisson(3, nrows * ncols).astype(float)
    y[:40] += 6
    row, col = np.divmod(np.arange(nrows * ncols), ncols)
    res = local_moran_arrays(y, grid_weights(row, col), permutations=999, random_state=1)
    ref = _esda_moran(y, libpysal.weights.lat2W(nrows, ncols, rook=False), permutations=999, seed=1)
    np.testing.assert_allclose(res.i, ref.Is, rtol=0, atol=TOL)
    np.testing.assert_array_equal(res.q, ref.q)
    assert np.corrcoef(res.z_sim, ref.z_sim)[0, 1] > 0.99
    # integer counts give ties: esda's directed p counts ties on one side only,
    # ours on both (conservative); still close in distribution
    assert np.corrcoef(res.p_sim, np.minimum(1, 2 * ref.p_sim))[0, 1] > 0.95


def test_local_moran_labels_match_esda_on_strong_pattern(rng):
    nrows, ncols = 20, 20
    row, col = np.divmod(np.arange(nrows * ncols), ncols)
    y = rng.gamma(2.0, size=nrows * ncols)
    high = (row >= 3) & (row < 9) & (col >= 3) & (col < 9)
    low = (row >= 12) & (row < 18) & (col >= 12) & (col < 18)
    y[high] += 25
    y[low] = 0.01 * rng.random(low.sum())
    cells = grid_frame(GridSpec(0.0, 0.0, 100.0, ncols, nrows), "EPSG:32616")
    cells["v"] = y
    out = local_moran(cells, "v", correction=None, random_state=0)
    ref = _esda_moran(y, libpysal.weights.lat2W(nrows, ncols, rook=False), permutations=999, seed=0)
    # esda labels on its directed (one-tailed) p at half our level
    esda_labels = np.asarray(ref.get_cluster_labels(0.025))
    ours = out["lisa_cluster"].astype(str).replace("not_significant", "Insignificant")
    assert (ours.to_numpy() == esda_labels).mean() > 0.97
    core_high = high & (row > 3) & (row < 8) & (col > 3) & (col < 8)
    assert (out.loc[core_high, "lisa_cluster"] == "High-High").all()
    assert (np.asarray(esda_labels)[core_high] == "High-High").all()
    fdr = local_moran(cells, "v", random_state=0)
    assert (fdr.loc[core_high, "lisa_cluster"] == "High-High").all()


def test_local_moran_islands_are_nan_and_unlabelled():
    geoms = gpd.GeoSeries.from_xy(
        np.r_[np.arange(40) % 8 * 100.0, 5000.0], np.r_[np.arange(40) // 8 * 100.0, 5000.0]
    ).buffer(50, cap_style=3)
    units = gpd.GeoDataFrame(
        {"n_incidents": np.r_[np.arange(40) % 5, 9]}, geometry=geoms, crs=32616
    )
    with pytest.warns(HotspotWarning, match="no neighbours"):
        out = local_moran(units, permutations=99, random_state=0)
    assert np.isnan(out["p_sim"].iloc[-1]) and np.isnan(out["p_adjusted"].iloc[-1])
    assert out["lisa_cluster"].iloc[-1] == "not_significant"
    assert out["moran_i"].iloc[-1] == 0
    with pytest.warns(HotspotWarning, match="no neighbours"):
        g = gi_star(units)
    assert np.isfinite(g["gi_z"].iloc[-1])  # self included: islands keep a value


def test_local_moran_columns_and_categories(rng):
    cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 8, 8), "EPSG:32616")
    cells["n_incidents"] = rng.poisson(3, 64)
    out = local_moran(cells, permutations=99, random_state=1)
    for name in ("moran_i", "moran_q", "moran_z_sim", "p_sim", "p_adjusted", "lisa_cluster"):
        assert name in out
    assert list(out["lisa_cluster"].cat.categories) == list(LISA_CLUSTERS)
    np.testing.assert_allclose(out["p_adjusted"], fdr_bh(out["p_sim"]))
    assert "local_moran" in out.attrs["hotspot"]
    with pytest.raises(InvalidInputError, match="permutations"):
        local_moran(cells, permutations=0)


# ------------------------------------------------------------------------------------
# GeoDataFrame layer: classes, correction once, warnings, errors
# ------------------------------------------------------------------------------------


@pytest.fixture
def planted() -> gpd.GeoDataFrame:
    """Uniform background incidents plus a planted cluster around (1250, 1250)."""
    rng = np.random.default_rng(11)
    background = rng.random((1500, 2)) * 3000
    cluster = rng.normal(1250, 60, size=(150, 2))
    xy = np.vstack([background, cluster])
    spec = GridSpec(0.0, 0.0, 100.0, 30, 30)
    return _cells_with_counts(spec, "EPSG:32616", xy)


def test_planted_hotspot_found(planted):
    out = gi_star(planted)
    centre = planted.index[(planted["row"] == 12) & (planted["col"] == 12)][0]
    around = planted.index[planted["row"].between(11, 13) & planted["col"].between(11, 13)]
    assert out.loc[around, "hotspot_class"].isin(["hot_95", "hot_99"]).all()
    assert out.loc[centre, "hotspot_class"] == "hot_99"
    assert out.loc[centre, "gi_z"] == out["gi_z"].max()
    far = (planted["row"] - 12).abs().clip(lower=(planted["col"] - 12).abs()) >= 5
    assert (out.loc[far, "hotspot_class"] != "not_significant").sum() == 0
    normal = gi_star(planted, permutations=0)
    assert (normal.loc[around, "hotspot_class"] == "hot_99").all()
    assert (normal.loc[far, "hotspot_class"].astype(str).str.startswith("hot")).sum() <= 2
    # 900 cells: p_sim >= 2 / 10000, so after BH the planted cells reach the 95 % bin
    perm = gi_star(planted, permutations=9999, random_state=0)
    assert perm.loc[around, "hotspot_class"].isin(["hot_95", "hot_99"]).all()
    assert perm.loc[far, "hotspot_class"].astype(str).str.startswith("hot").sum() == 0
    with pytest.warns(HotspotWarning, match="smallest p_sim"):
        few = gi_star(planted, permutations=199, random_state=0)
    assert (few["p_sim"].loc[around] == 0.01).all() and (few["p_adjusted"] > 0.05).all()


def test_output_columns_and_correction_applied_once(planted):
    before = planted.copy()
    out = gi_star(planted)
    pd.testing.assert_frame_equal(planted, before)  # input not mutated
    assert "p_sim" not in out
    np.testing.assert_allclose(out["p_adjusted"], fdr_bh(out["p_value"]))
    assert out.attrs["hotspot"]["gi_star"]["choices"]["inference"]["value"] == "exact"
    assert (out["p_norm"] != out["p_value"]).any()
    assert out["hotspot_class"].cat.ordered
    assert list(out["hotspot_class"].cat.categories) == list(HOTSPOT_CLASSES)
    meta = out.attrs["hotspot"]["gi_star"]
    assert meta["choices"]["corrected_p"]["value"] == "p_value"
    assert "fast path" in meta["choices"]["weights"]["value"]
    perm = gi_star(planted, permutations=99, random_state=1)
    np.testing.assert_allclose(perm["p_adjusted"], fdr_bh(perm["p_sim"]))
    np.testing.assert_array_equal(perm["p_sim"], perm["p_value"])
    assert perm.attrs["hotspot"]["gi_star"]["choices"]["inference"]["value"] == "permutation"
    raw = gi_star(planted, correction=None)
    np.testing.assert_allclose(raw["p_adjusted"], raw["p_value"])
    assert "grid" in out.attrs["hotspot"]  # earlier metadata kept


def test_hotspot_class_bins_and_alpha():
    cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 10, 10), "EPSG:32616")
    cells["n_incidents"] = 0
    z_values = {}
    out = gi_star(cells.assign(n_incidents=np.random.default_rng(3).poisson(2, 100)))
    # classes follow p_adjusted and the sign of z exactly
    p, z = out["p_adjusted"].to_numpy(), out["gi_z"].to_numpy()
    cls = out["hotspot_class"].astype(str).to_numpy()
    assert np.all((cls == "hot_99") == ((p < 0.01) & (z > 0)))
    assert np.all((cls == "not_significant") == (p >= 0.05))
    assert not np.isin(cls, ["hot_90", "cold_90"]).any()
    del z_values
    from hotspot.scan.stats import _hotspot_class

    z = np.array([2.0, 2.0, 2.0, -2.0, -2.0, 2.0, np.nan])
    p = np.array([0.005, 0.03, 0.07, 0.005, 0.07, 0.2, np.nan])
    assert list(_hotspot_class(z, p, 0.10)) == [
        "hot_99",
        "hot_95",
        "hot_90",
        "cold_99",
        "cold_90",
        "not_significant",
        "not_significant",
    ]
    assert list(_hotspot_class(z, p, 0.05))[2] == "not_significant"
    with pytest.raises(InvalidInputError, match="alpha"):
        gi_star(out, alpha=0.2)


def test_uniform_points_flag_at_most_nominal_rate():
    """Under the null (uniform points), FDR-corrected Gi* flags <= alpha of cells.

    200 seeds x a 20 x 20 grid of 100 m cells with 2,000 uniform points (mean 5 per
    cell), analytic Gi*, queen, BH at alpha = 0.05. With all nulls true BH controls the
    family-wise rate, so (a) the share of seeds with any flagged cell must be <= 0.05
    plus Monte Carlo slack (+3 standard errors), and (b) the share of flagged cells
    over all runs must be <= 0.05. Without correction the per-cell rate must be near
    the nominal 0.05 (the normal approximation is calibrated).
    """
    spec = GridSpec(0.0, 0.0, 100.0, 20, 20)
    cells = grid_frame(spec, "EPSG:32616")
    w, _ = weights_for_units(cells, "queen")
    any_flag, flagged, raw = [], [], []
    for seed in range(200):
        xy = np.random.default_rng(seed).random((2000, 2)) * 2000
        counts, _ = bin_points(spec, xy[:, 0], xy[:, 1])
        res = gi_star_arrays(counts.ravel().astype(float), w)
        sig = fdr_bh(res.p_value) < 0.05
        any_flag.append(sig.any())
        flagged.append(sig.mean())
        raw.append((res.p_value < 0.05).mean())
    assert np.mean(any_flag) <= 0.05 + 3 * np.sqrt(0.05 * 0.95 / 200)
    assert np.mean(flagged) <= 0.05
    assert 0.03 <= np.mean(raw) <= 0.07


def test_warnings_for_too_little_data():
    cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 5, 5), "EPSG:32616")
    cells["n_incidents"] = 0
    cells.loc[12, "n_incidents"] = 4
    with pytest.warns(HotspotWarning) as record:
        gi_star(cells)
    text = " ".join(str(r.message) for r in record)
    assert "only 25 units" in text and "sums to 4" in text
    with pytest.warns(HotspotWarning, match="constant"):
        out = gi_star(cells.assign(n_incidents=0))
    assert out["gi_z"].isna().all()
    assert (out["hotspot_class"] == "not_significant").all()


def test_input_errors(planted):
    with pytest.raises(InvalidInputError, match="no column 'crimes'"):
        gi_star(planted, "crimes")
    with pytest.raises(InvalidInputError, match="negative"):
        gi_star(planted.assign(n_incidents=planted["n_incidents"] - 3))
    bad = planted.assign(n_incidents=planted["n_incidents"].astype(float))
    bad.iloc[5, bad.columns.get_loc("n_incidents")] = np.nan
    with pytest.raises(InvalidInputError, match="missing"):
        gi_star(bad)
    with pytest.raises(InvalidInputError, match="correction"):
        gi_star(planted, correction="BH")
    with pytest.raises(TypeError, match="GeoDataFrame"):
        gi_star(pd.DataFrame(planted.drop(columns="geometry")))


def test_distance_neighbours_need_projected_crs(planted):
    geo = planted.to_crs(4326)
    with pytest.raises(CRSError, match=r"to_crs|project"):
        gi_star(geo, neighbors=250.0)
    with pytest.raises(CRSError):
        local_moran(geo, neighbors="knn:8", permutations=9)


# ------------------------------------------------------------------------------------
# real data
# ------------------------------------------------------------------------------------


def _project(df: pd.DataFrame, epsg: int) -> np.ndarray:
    pts = gpd.GeoSeries.from_xy(df["longitude"], df["latitude"], crs=4326).to_crs(epsg)
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


@pytest.mark.shared_data
def test_memphis_robberies_500m_grid_equal_esda(shared_data):
    df = pd.read_csv(shared_data / "memphis" / "memphis_robberies_2019.csv.gz")
    xy = _project(df, 32615)
    spec = GridSpec.from_bounds((*xy.min(0), *xy.max(0)), 500.0)
    cells = _cells_with_counts(spec, "EPSG:32615", xy)
    assert cells["n_incidents"].sum() == len(df) == 2245
    out = gi_star(cells)
    y = cells["n_incidents"].to_numpy(float)
    ref = _esda_g(y, libpysal.weights.lat2W(spec.ny, spec.nx, rook=False), permutations=0)
    np.testing.assert_allclose(out["gi_z"].to_numpy(), ref.Zs, rtol=0, atol=TOL)
    np.testing.assert_allclose(out["p_norm"].to_numpy(), 2 * ref.p_norm, rtol=1e-9)
    # exact randomisation: 21 hot cells (99,999 permutations agree: 21); normal: 350
    hot = out["hotspot_class"].isin(["hot_95", "hot_99"])
    assert hot.sum() > 10 and (out["hotspot_class"] == "hot_99").any()
    assert cells.loc[hot, "n_incidents"].mean() > 5 * cells["n_incidents"].mean()
    lm = local_moran_arrays(
        y, grid_weights(cells["row"], cells["col"]), permutations=99, random_state=0
    )
    ref_m = _esda_moran(y, libpysal.weights.lat2W(spec.ny, spec.nx, rook=False), permutations=0)
    np.testing.assert_allclose(lm.i, ref_m.Is, rtol=0, atol=TOL)
    np.testing.assert_array_equal(lm.q, ref_m.q)


@pytest.mark.shared_data
def test_chicago_assaults_one_district_clipped_grid_equal_esda(shared_data):
    df = pd.read_csv(shared_data / "chicago" / "chicago_aggravated_assaults_2010_2019.csv.gz")
    df = df[(df["district"] == 11) & df["date"].str.startswith("2019")]
    districts = gpd.read_file(shared_data / "chicago" / "chicago_police_districts.geojson")
    area = districts[districts["district"] == 11].to_crs(32616)
    xy = _project(df, 32616)
    spec = GridSpec.from_bounds(area.total_bounds, 250.0)
    full = grid_frame(spec, "EPSG:32616")
    keep = full.intersects(area.union_all()).to_numpy().reshape(spec.shape)
    cells = _cells_with_counts(spec, "EPSG:32616", xy, keep=keep)
    assert len(cells) < spec.n_cells  # a clipped grid with missing cells
    out = gi_star(cells)
    lw = libpysal.weights.Queen.from_dataframe(cells, use_index=False, silence_warnings=True)
    y = cells["n_incidents"].to_numpy(float)
    ref = _esda_g(y, lw, permutations=0)
    np.testing.assert_allclose(out["gi_z"].to_numpy(), ref.Zs, rtol=0, atol=TOL)
    ref_m = _esda_moran(
        y,
        libpysal.weights.Queen.from_dataframe(cells, use_index=False, silence_warnings=True),
        permutations=0,
    )
    lm = local_moran(cells, permutations=99, random_state=0)
    np.testing.assert_allclose(lm["moran_i"].to_numpy(), ref_m.Is, rtol=0, atol=TOL)
    assert (out["hotspot_class"] == "hot_99").any()


# ------------------------------------------------------------------------------------
# exact conditional randomisation
# ------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [7, 12])
def test_exact_tails_equal_full_enumeration(rng, n):
    from itertools import combinations

    from hotspot.scan._exact import window_sum_tails

    u = rng.poisson(1.5, n)
    u[0] = 9  # one outlier, as real counts have
    k = rng.integers(1, n - 1, n)  # up to n - 2 neighbours
    s = rng.integers(0, 14, n)
    ge, le = window_sum_tails(u, k, s)
    for i in range(n):
        sums = np.array([sum(c) for c in combinations(np.delete(u, i), k[i])])
        assert ge[i] == pytest.approx((sums >= s[i]).mean(), abs=1e-12)
        assert le[i] == pytest.approx((sums <= s[i]).mean(), abs=1e-12)


def test_exact_p_values_are_the_limit_of_permutations(rng):
    row, col = np.divmod(np.arange(30 * 30), 30)
    w = grid_weights(row, col)
    y = rng.negative_binomial(0.3, 0.1, 900).astype(float)  # skewed integer counts
    exact = gi_star_arrays(y, w, permutations=None)
    mc = gi_star_arrays(y, w, permutations=20_000, random_state=0)
    assert exact.method == "exact" and exact.lattice_step == 1.0
    # two-sided p = 2 q with q a one-sided tail: its Monte Carlo standard error
    se = 2 * np.sqrt(exact.p_exact / 2 * (1 - exact.p_exact / 2) / 20_000)
    assert (np.abs(mc.p_sim - exact.p_exact) <= 5 * se + 2e-4).mean() > 0.99
    np.testing.assert_allclose(exact.z_sim, mc.z_sim, rtol=0.03, atol=0.05)
    # non-integer values: rounded to a fine lattice, still the permutation limit
    yc = y + rng.random(900)
    ex_c = local_moran_arrays(yc, w)
    mc_c = local_moran_arrays(yc, w, permutations=20_000, random_state=1)
    assert ex_c.lattice_step < (yc.max() - yc.min()) / 4000
    se = 2 * np.sqrt(ex_c.p_sim / 2 * (1 - ex_c.p_sim / 2) / 20_000)
    assert (np.abs(mc_c.p_sim - ex_c.p_sim) <= 5 * se + 2e-4).mean() > 0.99
