"""Tests for hotspot.spacetime: Knox, near-repeat chains, change, classes, EHSA."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hotspot.exceptions import CRSError, DataQualityWarning, InvalidInputError
from hotspot.spacetime import (
    knox,
    knox_arrays,
    mann_kendall,
    near_repeat_chains,
    poisson_rate_test,
)

CRS = "EPSG:32616"


def _incidents(x, y, times, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"occurred_at": pd.to_datetime(times), **cols},
        geometry=gpd.points_from_xy(x, y),
        crs=CRS,
    )


def _brute_counts(xy, t, d_edges, t_edges, closed="right", same_location=False):
    """O(n^2) reference count of pairs per (distance band, time band)."""
    n = len(t)
    iu, ju = np.triu_indices(n, k=1)
    d = np.hypot(*(xy[iu] - xy[ju]).T)
    dt = np.abs(t[iu] - t[ju])
    side = "left" if closed == "right" else "right"
    db = np.searchsorted(np.asarray(d_edges, float), d, side=side)
    nd = len(d_edges)
    if same_location:
        db = np.where(d == 0, 0, db + 1)
        nd += 1
    tb = np.searchsorted(np.asarray(t_edges, float), dt, side=side)
    out = np.zeros((nd, len(t_edges)), dtype=int)
    ok = (db < nd) & (tb < len(t_edges))
    np.add.at(out, (db[ok], tb[ok]), 1)
    return out


# ---------------------------------------------------------------------------
# Knox
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
def test_knox_equals_pointpats_with_same_permutations(seed):
    from pointpats.spacetime import Knox

    rng = np.random.default_rng(seed)
    n = 250
    xy = rng.uniform(0, 1000, (n, 2))
    t = rng.uniform(0, 100, n)
    np.random.seed(seed + 10)  # noqa: NPY002 - pointpats uses the global RNG
    ref = Knox(xy, t[:, None], delta=120, tau=9, permutations=99, keep=True)
    np.random.seed(seed + 10)  # noqa: NPY002
    perms = np.array([np.random.permutation(n) for _ in range(99)])  # noqa: NPY002
    res = knox_arrays(xy, t, distance_bands=[120], time_bands=[9], permutation_indices=perms)
    row = res.table.iloc[0]
    assert row["observed"] == ref.nst
    np.testing.assert_array_equal(res.simulations[:, 0, 0], ref.sim)
    assert row["p_value"] == pytest.approx(ref.p_sim)


def test_knox_counts_equal_deprecated_pointpats_knox():
    from pointpats.spacetime import knox as pp_knox

    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 500, (200, 2))
    t = np.floor(rng.uniform(0, 60, 200))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ref = pp_knox(xy, t[:, None].copy(), delta=50, tau=3, permutations=0)
    res = knox_arrays(xy, t, distance_bands=[50], time_bands=[3], permutations=9, random_state=0)
    assert res.table["observed"].iloc[0] == ref["stat"]


@pytest.mark.parametrize("closed", ["right", "left"])
@pytest.mark.parametrize("same_location", [False, True])
def test_knox_all_bands_equal_brute_force(closed, same_location):
    rng = np.random.default_rng(11)
    n = 400
    # integer coordinates and days: many ties at band edges and repeats
    xy = rng.integers(0, 40, (n, 2)).astype(float) * 10
    t = rng.integers(0, 50, n).astype(float)
    d_edges, t_edges = [50, 100, 150], [7, 14, 21]
    res = knox_arrays(
        xy,
        t,
        distance_bands=d_edges,
        time_bands=t_edges,
        permutations=19,
        closed=closed,
        same_location=same_location,
        random_state=3,
    )
    expected = _brute_counts(xy, t, d_edges, t_edges, closed, same_location)
    np.testing.assert_array_equal(res.pivot("observed").to_numpy(), expected)
    # cumulative table = cumulative sums of the band table
    cum = expected.cumsum(0).cumsum(1)
    np.testing.assert_array_equal(res.pivot("observed", cumulative=True).to_numpy(), cum)
    # every permutation count is a brute-force count of permuted times
    rng2 = np.random.default_rng(3)
    perm = rng2.permutation(n)
    sim0 = _brute_counts(xy, t[perm], d_edges, t_edges, closed, same_location)
    np.testing.assert_array_equal(res.simulations[0], sim0)


def test_knox_table_columns_and_pvalues():
    rng = np.random.default_rng(2)
    xy = rng.uniform(0, 1000, (300, 2))
    t = rng.uniform(0, 100, 300)
    res = knox_arrays(
        xy, t, distance_bands=[100, 200], time_bands=[7, 14], permutations=49, random_state=1
    )
    cols = {"distance_band", "time_band", "observed", "expected", "knox_ratio", "p_value"}
    assert cols <= set(res.table.columns)
    sims = res.simulations
    obs = res.pivot("observed").to_numpy()
    p = (1 + (sims >= obs[None]).sum(0)) / 50
    np.testing.assert_allclose(res.pivot("p_value").to_numpy(), p)
    np.testing.assert_allclose(res.pivot("expected").to_numpy(), sims.mean(0))
    np.testing.assert_allclose(res.pivot("knox_ratio").to_numpy(), obs / sims.mean(0))
    assert list(res.table["distance_band"].cat.categories) == ["[0, 100]", "(100, 200]"]


def test_knox_threads_and_seed_are_reproducible():
    rng = np.random.default_rng(4)
    xy = rng.uniform(0, 1000, (300, 2))
    t = rng.uniform(0, 100, 300)
    kw = {"distance_bands": [100, 200], "time_bands": [7, 14], "permutations": 40}
    a = knox_arrays(xy, t, random_state=5, n_jobs=1, **kw)
    b = knox_arrays(xy, t, random_state=5, n_jobs=2, **kw)
    np.testing.assert_array_equal(a.simulations, b.simulations)


def test_knox_detects_planted_near_repeats():
    rng = np.random.default_rng(8)
    n = 400
    xy = rng.uniform(0, 5000, (n, 2))
    t = rng.uniform(0, 365, n)
    # each of 100 extra incidents repeats a random one within 50 m and 3 days
    src = rng.integers(0, n, 100)
    xy = np.vstack([xy, xy[src] + rng.uniform(-35, 35, (100, 2))])
    t = np.concatenate([t, t[src] + rng.uniform(0, 3, 100)])
    res = knox_arrays(
        xy, t, distance_bands=[50, 1000], time_bands=[3, 60], permutations=99, random_state=0
    )
    first = res.table.iloc[0]
    assert first["knox_ratio"] > 5 and first["p_value"] <= 0.01
    far = res.table.iloc[-1]
    assert far["p_value"] > 0.01


def test_knox_frame_layer_time_quality_and_units():
    days = [0, 2, 3, 40, 41, 100]
    times = pd.Timestamp("2024-01-01 12:00", tz="America/Chicago") + pd.to_timedelta(days, "D")
    pts = _incidents(
        [0, 30, 1000, 0, 40, 5000],
        [0, 0, 0, 0, 0, 0],
        times,
        time_quality=["exact", "exact", "exact", "missing", "month_only", "exact"],
    )
    with pytest.warns(DataQualityWarning, match="month_only"):
        res = knox(pts, distance_bands=[100], time_bands=[7], permutations=9, random_state=0)
    meta = res.table.attrs["hotspot"]["knox"]
    assert meta["excluded"] == {"missing": 1, "month_only": 1}
    assert meta["n_incidents"] == 4
    assert res.table["observed"].iloc[0] == 1  # rows 0 and 1: 30 m, 2 days
    assert res.table["time_to"].iloc[0] == 7.0
    assert res.table["time_band"].iloc[0] == "[0, 7]"


def test_knox_date_resolution_uses_calendar_days():
    # 23:00 and next day 01:00: 2 hours apart, but one calendar day apart
    pts = _incidents([0, 10], [0, 0], ["2024-01-01 23:00", "2024-01-02 01:00"])
    exact = knox(pts, distance_bands=[100], time_bands=[0.5], permutations=9, random_state=0)
    date = knox(
        pts,
        distance_bands=[100],
        time_bands=[0.5],
        permutations=9,
        random_state=0,
        time_resolution="date",
    )
    assert exact.table["observed"].iloc[0] == 1
    assert date.table["observed"].iloc[0] == 0


def test_knox_input_errors():
    pts = _incidents([0, 1], [0, 1], ["2024-01-01", "2024-01-02"])
    with pytest.raises(InvalidInputError, match="increasing"):
        knox(pts, distance_bands=[200, 100], time_bands=[7])
    with pytest.raises(CRSError):
        knox(pts.to_crs(4326), distance_bands=[100], time_bands=[7])
    with pytest.raises(InvalidInputError, match="occurred_at"):
        knox(pts.drop(columns="occurred_at"), distance_bands=[100], time_bands=[7])


# ---------------------------------------------------------------------------
# Near-repeat chains
# ---------------------------------------------------------------------------


def test_near_repeat_chains_hand_example_with_ties():
    pts = _incidents(
        [0, 0, 60, 60, 3000, 3000, 9000, 120],
        [0, 0, 0, 0, 0, 0, 0, 0],
        [
            "2024-01-05 10:00",  # 0: originator of chain 0
            "2024-01-07 09:00",  # 1: repeat of 0 (same location, 2 days)
            "2024-01-07 09:00",  # 2: near repeat; same time as 1 -> tie
            "2024-02-20 00:00",  # 3: too late for 0-2 -> isolated? see 7
            "2024-01-01 00:00",  # 4: same time as 5, same place
            "2024-01-01 00:00",  # 5: tie with 4 -> 4 (first row) is the originator
            "2024-01-01 00:00",  # 6: far away -> isolated
            "2024-02-22 00:00",  # 7: 60 m and 2 days after 3 -> 3 is an originator
        ],
    )
    pts.index = pd.Index([10, 11, 12, 13, 14, 15, 16, 17], name="incident")
    out = near_repeat_chains(pts, distance=100, days=7)
    assert out["nr_role"].tolist() == [
        "originator",
        "repeat",
        "near_repeat",
        "originator",
        "originator",
        "repeat",
        "isolated",
        "near_repeat",
    ]
    assert pd.isna(out.loc[10, "nr_source"]) and out.loc[11, "nr_source"] == 10
    # 2 is linked to 0 (60 m, 2 days) and to 1 (60 m, same time): most recent = 1
    assert out.loc[12, "nr_source"] == 11
    assert out.loc[15, "nr_source"] == 14
    assert out.loc[17, "nr_source"] == 13
    assert out["nr_tie"].tolist() == [False, True, True, False, True, True, False, False]
    # chains numbered by first incident: {4,5} first (Jan 1), then {0,1,2}, then {3,7}
    assert out["nr_chain"].tolist() == [1, 1, 1, 2, 0, 0, -1, 2]
    assert out.loc[11, "nr_days_since_source"] == pytest.approx((23 / 24) + 1)
    assert out.loc[12, "nr_distance_to_source"] == 60
    assert pts.columns.tolist() == ["occurred_at", "geometry"]  # input untouched


def test_near_repeat_chains_date_resolution_and_missing_times():
    pts = _incidents(
        [0, 50, 0],
        [0, 0, 0],
        ["2024-01-01 23:00", "2024-01-01 01:00", None],
    )
    out = near_repeat_chains(pts, distance=100, days=0, time_resolution="date")
    # same date: row order decides -> row 0 is the originator even though it is later
    assert out["nr_role"].tolist()[:2] == ["originator", "near_repeat"]
    assert pd.isna(out["nr_role"].iloc[2])
    assert out.attrs["hotspot"]["near_repeat_chains"]["excluded"]["missing"] == 1
    exact = near_repeat_chains(pts, distance=100, days=0.5)
    assert exact["nr_role"].tolist()[:2] == ["isolated", "isolated"]


# ---------------------------------------------------------------------------
# Mann-Kendall and the Poisson rate test
# ---------------------------------------------------------------------------


def test_mann_kendall_known_values():
    # S = 10, var = 5*4*15/18, z = 9/sqrt(var)
    res = mann_kendall(np.array([1.0, 2, 3, 4, 5])).iloc[0]
    assert res["S"] == 10
    assert res["var_S"] == pytest.approx(50 / 3)
    assert res["z"] == pytest.approx(9 / np.sqrt(50 / 3))
    assert res["p_value"] == pytest.approx(2 * stats.norm.sf(9 / np.sqrt(50 / 3)))
    # ties: x = [1, 1, 2, 3]: S = 5, var = (4*3*13 - 2*1*9)/18 = 138/18
    res = mann_kendall(np.array([1.0, 1, 2, 3])).iloc[0]
    assert res["S"] == 5
    assert res["var_S"] == pytest.approx(138 / 18)


def test_mann_kendall_matches_scipy_kendalltau():
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(size=12), np.round(rng.normal(size=12)), np.arange(12.0)])
    res = mann_kendall(x, continuity=False)
    for k in range(3):
        ref = stats.kendalltau(np.arange(12), x[k], method="asymptotic")
        assert res["p_value"].iloc[k] == pytest.approx(ref.pvalue, rel=1e-10)
    ref = stats.kendalltau(np.arange(12), x[0])
    assert res["tau"].iloc[0] == pytest.approx(ref.statistic)


def test_poisson_rate_test_equals_scipy_binomtest():
    k1 = np.array([10, 3, 0, 25, 7])
    k2 = np.array([30, 9, 4, 10, 7])
    p = poisson_rate_test(k1, k2, t1=365, t2=180)
    for a, b, pv in zip(k1, k2, p, strict=True):
        lo = stats.binomtest(b, a + b, 180 / 545, alternative="less").pvalue
        hi = stats.binomtest(b, a + b, 180 / 545, alternative="greater").pvalue
        assert pv == pytest.approx(min(1, 2 * min(lo, hi)))
    assert poisson_rate_test(np.array([0]), np.array([0]))[0] == 1.0
