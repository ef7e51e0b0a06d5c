"""Tests for hotspot.spacetime: Knox, near-repeat chains, change, classes, EHSA."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hotspot._core.grid import GridSpec, grid_frame
from hotspot.analyse.change import hotspot_change, poisson_rate_test
from hotspot.analyse.emerging import (
    EMERGING_CATEGORIES,
    _space_time_weights,
    classify_emerging,
    classify_hotspots,
    emerging_hotspots,
    mann_kendall,
    space_time_cube,
)
from hotspot.analyse.near_repeat import knox, knox_arrays, near_repeat_chains
from hotspot.exceptions import CRSError, DataQualityWarning, InvalidInputError

CRS = "EPSG:32616"


def _incidents(x, y, times, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"occurred_at": pd.to_datetime(times, format="mixed"), **cols},
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


# ---------------------------------------------------------------------------
# Space-time cube and hotspot_change
# ---------------------------------------------------------------------------


def _cells(nx=2, ny=1, size=100.0):
    return grid_frame(GridSpec(0.0, 0.0, size, nx, ny), CRS)


def test_space_time_cube_counts_and_exclusions():
    cells = _cells()
    pts = _incidents(
        [50, 150, 150, 150, 5000],
        [50, 50, 50, 50, 50],
        ["2024-01-05", "2024-03-01", "2024-03-31 23:59", None, "2024-02-01"],
    )
    with pytest.warns(DataQualityWarning, match="outside every unit"):
        cube = space_time_cube(pts, cells, freq="M")
    assert cube.counts.tolist() == [[1, 0, 0], [0, 0, 2]]
    assert [str(p) for p in cube.periods] == ["2024-01", "2024-02", "2024-03"]
    frame = cube.to_frame()
    assert frame["n_incidents"].sum() == 3


def test_hotspot_change_hand_counts():
    cells = _cells(3, 1)
    # unit 0: 4 -> 20 (before is one year, after half a year: rate x10)
    # unit 1: 10 -> 5 over a year vs half a year: same daily rate
    # unit 2: none
    times = (
        ["2012-06-01"] * 4
        + ["2013-03-01"] * 20
        + ["2012-02-01"] * 10
        + ["2013-02-01"] * 5
        + ["2011-06-01"] * 3  # outside both periods
    )
    x = [50] * 24 + [150] * 15 + [50] * 3
    pts = _incidents(x, [50] * len(x), times)
    before, after = ("2012-01-01", "2013-01-01"), ("2013-01-01", "2013-07-02")
    out = hotspot_change(pts, cells, before=before, after=after)
    assert out["n_before"].tolist() == [4, 10, 0]
    assert out["n_after"].tolist() == [20, 5, 0]
    assert out["change"].tolist() == [16, -5, 0]
    assert out["pct_change"].iloc[0] == pytest.approx(400.0)
    assert np.isnan(out["pct_change"].iloc[2])
    d1, d2 = 366.0, 182.0
    assert out["rate_ratio"].iloc[0] == pytest.approx((20 / d2) / (4 / d1))
    q = d2 / (d1 + d2)
    for k, (a, b) in enumerate([(4, 20), (10, 5)]):
        lo = stats.binomtest(b, a + b, q, alternative="less").pvalue
        hi = stats.binomtest(b, a + b, q, alternative="greater").pvalue
        assert out["p_value"].iloc[k] == pytest.approx(min(1, 2 * min(lo, hi)))
    # BH over the 2 units with incidents
    p = out["p_value"].to_numpy()[:2]
    order = np.argsort(p)
    bh = np.minimum.accumulate((p[order] * 2 / np.array([1, 2]))[::-1])[::-1]
    np.testing.assert_allclose(out["p_adjusted"].to_numpy()[:2][order], np.minimum(bh, 1))
    assert out["change_class"].tolist() == [
        "significant increase",
        "no significant change",
        "no incidents",
    ]
    overall = out.attrs["hotspot"]["hotspot_change"]["overall"]
    assert (overall["n_before"], overall["n_after"]) == (14, 25)
    assert overall["days_before"] == d1 and overall["days_after"] == d2


def test_hotspot_change_rejects_overlapping_periods():
    pts = _incidents([50], [50], ["2012-06-01"])
    with pytest.raises(InvalidInputError, match="overlap"):
        hotspot_change(
            pts, _cells(), before=("2012-01-01", "2013-01-01"), after=("2012-06-01", "2013-06-01")
        )


# ---------------------------------------------------------------------------
# Emerging hot spot categories on hand-built cubes
# ---------------------------------------------------------------------------


def _series(pattern: str, z_sig=None):
    """z and p rows from a pattern: H = hot, C = cold, . = not significant."""
    z = np.array([{"H": 4.0, "C": -4.0, ".": 0.3}[c] for c in pattern])
    if z_sig is not None:
        z = np.asarray(z_sig, dtype=float)
    p = np.array([0.001 if c in "HC" else 0.6 for c in pattern])
    return z, p


HAND_CUBES = {
    "new hot spot": _series(".........H"),
    "consecutive hot spot": _series("......HHHH"),
    "intensifying hot spot": _series("HHHHHHHHHH", np.arange(3, 13)),
    "persistent hot spot": _series("HHHHHHHHHH", [5, 6] * 5),
    "diminishing hot spot": _series("HHHHHHHHHH", np.arange(12, 2, -1)),
    "sporadic hot spot": _series("H..H...H.H"),
    "oscillating hot spot": _series("C..H...H.H"),
    "historical hot spot": _series("HHHHHHHHH."),
    "new cold spot": _series(".........C"),
    "consecutive cold spot": _series(".......CCC"),
    "intensifying cold spot": _series("CCCCCCCCCC", -np.arange(3, 13)),
    "persistent cold spot": _series("CCCCCCCCCC", [-5, -6] * 5),
    "diminishing cold spot": _series("CCCCCCCCCC", -np.arange(12, 2, -1)),
    "sporadic cold spot": _series(".C.C.....C"),
    "oscillating cold spot": _series("HH...C...C"),
    "historical cold spot": _series("CCCCCCCCC."),
    "no pattern detected": _series("H........."),
}


def test_every_emerging_category_from_a_hand_built_cube():
    names = list(HAND_CUBES)
    z = np.vstack([HAND_CUBES[k][0] for k in names])
    p = np.vstack([HAND_CUBES[k][1] for k in names])
    out = classify_emerging(z, p, alpha=0.05)
    assert out["emerging_category"].tolist() == names
    assert set(names) == set(EMERGING_CATEGORIES)
    assert out["n_hot_steps"].tolist()[:3] == [1, 4, 10]


def test_emerging_edge_cases():
    cases = {
        # historical hot with a final cold step: the final-step class wins
        "oscillating cold spot": _series("HHHHHHHHHC"),
        # an earlier cold spot makes a final hot run oscillating, not consecutive
        "oscillating hot spot": _series("C.....HHHH"),
        # a single final hot step after earlier hot spots: sporadic, not new
        "sporadic hot spot": _series("H........H"),
        # 9 of 10 hot including the final one, no trend: persistent
        "persistent hot spot": _series(".HHHHHHHHH", [0.3] + [5, 6] * 4 + [5]),
        "no pattern detected": _series(".........."),
    }
    z = np.vstack([v[0] for v in cases.values()])
    p = np.vstack([v[1] for v in cases.values()])
    assert classify_emerging(z, p)["emerging_category"].tolist() == list(cases)


def test_classify_emerging_trend_uses_mann_kendall():
    z, p = _series("HHHHHHHHHH", np.arange(3, 13))
    out = classify_emerging(z[None], p[None])
    ref = mann_kendall(z)
    assert out["mk_z"].iloc[0] == pytest.approx(ref["z"].iloc[0])
    assert out["mk_s"].iloc[0] == 45
    # a weak trend is not significant at trend_alpha = 1e-6: persistent
    out = classify_emerging(z[None], p[None], trend_alpha=1e-6)
    assert out["emerging_category"].iloc[0] == "persistent hot spot"


def test_space_time_weights_structure():
    from hotspot._core.weights import grid_weights

    row, col = np.divmod(np.arange(4), 2)  # 2 x 2 grid, queen: everyone neighbours
    w = grid_weights(row, col, "queen")
    big = _space_time_weights(w, 3, 1).toarray()
    assert big.shape == (12, 12)
    assert np.all(np.diag(big) == 0)
    # bin (t=1, u=0) = 4: spatial neighbours at t=1 (5, 6, 7) + all 4 units at t=0
    assert np.flatnonzero(big[4]).tolist() == [0, 1, 2, 3, 5, 6, 7]
    # first step has no earlier neighbours; no neighbours in the future
    assert np.flatnonzero(big[0]).tolist() == [1, 2, 3]
    assert big[4, 8:].sum() == 0
    assert _space_time_weights(w, 3, 0).toarray()[4].tolist() == [0] * 5 + [1] * 3 + [0] * 4


def _planted(rng, months, blocks, nx=9, background=160, extra=90):
    """Incidents on a 9x9 grid of 100 m cells: uniform background + hot 3x3 blocks."""
    xs, ys, ts = [], [], []
    for m in range(months):
        month_start = pd.Timestamp("2023-01-01") + pd.DateOffset(months=m)
        n = background
        xs.append(rng.uniform(0, nx * 100, n))
        ys.append(rng.uniform(0, nx * 100, n))
        ts.append(month_start + pd.to_timedelta(rng.uniform(0, 27, n), unit="D"))
        for (r, c), active in blocks.items():
            if m in active:
                xs.append(rng.uniform((c - 1) * 100, (c + 2) * 100, extra))
                ys.append(rng.uniform((r - 1) * 100, (r + 2) * 100, extra))
                ts.append(month_start + pd.to_timedelta(rng.uniform(0, 27, extra), unit="D"))
    return _incidents(np.concatenate(xs), np.concatenate(ys), np.concatenate(ts))


def test_classify_hotspots_planted_patterns():
    rng = np.random.default_rng(5)
    blocks = {
        (2, 2): range(10),  # persistent
        (6, 6): [8, 9],  # emerging (recent = last 2 of 10)
        (2, 6): range(5),  # former
        (6, 2): [0, 3, 8],  # intermittent
    }
    pts = _planted(rng, 10, blocks)
    cells = _cells(9, 9)
    out = classify_hotspots(pts, cells)
    cat = out["hotspot_category"]
    assert cat.loc[2 * 9 + 2] == "persistent hot spot"
    assert cat.loc[6 * 9 + 6] == "emerging hot spot"
    assert cat.loc[2 * 9 + 6] == "former hot spot"
    assert cat.loc[6 * 9 + 2] == "intermittent hot spot"
    assert out.loc[2 * 9 + 2, "n_hot_steps"] == 10
    meta = out.attrs["hotspot"]["classify_hotspots"]
    assert meta["n_steps"] == 10 and meta["recent_steps"] == 2


def test_emerging_hotspots_planted_patterns_and_cube():
    rng = np.random.default_rng(6)
    blocks = {(2, 2): range(12), (6, 6): [11], (2, 6): range(10, 12)}
    pts = _planted(rng, 12, blocks, extra=120)
    cells = _cells(9, 9)
    out, cube = emerging_hotspots(pts, cells, return_cube=True, time_neighbors=0)
    cat = out["emerging_category"]
    assert cat.loc[2 * 9 + 2] in (
        "persistent hot spot",
        "intensifying hot spot",
        "diminishing hot spot",
    )
    assert cat.loc[6 * 9 + 6] == "new hot spot"
    assert cat.loc[2 * 9 + 6] == "consecutive hot spot"
    assert cube.counts.shape == (81, 12)
    assert cube.counts.sum() == len(pts)
    # the classification is classify_emerging on the cube's z and adjusted p
    again = classify_emerging(cube.z, cube.p_adjusted)
    assert again["emerging_category"].tolist() == cat.tolist()
    # time_neighbors=0 -> Gi* of the whole cube with block-diagonal spatial weights
    from hotspot._core.weights import weights_for_units
    from hotspot.scan.stats import gi_star_arrays

    w, _ = weights_for_units(cells, "queen")
    y = cube.counts.T.ravel().astype(float)
    from scipy import sparse

    ref = gi_star_arrays(y, sparse.csr_array(sparse.kron(sparse.identity(12), w)))
    np.testing.assert_allclose(cube.z, ref.z.reshape(12, 81).T)


# ---------------------------------------------------------------------------
# Real data
# ---------------------------------------------------------------------------


def _chicago(shared_data):
    df = pd.read_csv(shared_data / "chicago" / "chicago_aggravated_assaults_2010_2019.csv.gz")
    # naive local clock time (tz-aware would lose the ambiguous DST hour)
    df["occurred_at"] = pd.to_datetime(df["date"])
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.longitude, df.latitude), crs=4326)
    return gdf.to_crs(CRS)


@pytest.fixture(scope="module")
def chicago(shared_data):
    return _chicago(shared_data)


@pytest.mark.shared_data
def test_real_chicago_knox_near_repeat_and_pointpats(chicago):
    from pointpats.spacetime import Knox

    sub = chicago[(chicago["district"] == 11) & (chicago["occurred_at"].dt.year == 2012)]
    sub = sub[sub["occurred_at"].notna()]
    res = knox(
        sub,
        distance_bands=[100, 200, 400],
        time_bands=[7, 14, 30],
        permutations=199,
        random_state=0,
        same_location=True,
    )
    tab = res.table.set_index(["distance_band", "time_band"])
    same_week = tab.loc[("same location", "[0, 7]")]
    near_week = tab.loc[("(0, 100]", "[0, 7]")]
    assert same_week["knox_ratio"] > 1.5 and same_week["p_value"] <= 0.01
    assert near_week["knox_ratio"] > 1.2 and near_week["p_value"] <= 0.01
    # the pattern fades with distance: 200-400 m in the same week is near 1
    assert abs(tab.loc[("(200, 400]", "[0, 7]"), "knox_ratio"] - 1) < 0.1
    # single-band counts and permutations equal pointpats.Knox on the same data
    xy = np.column_stack([sub.geometry.x, sub.geometry.y])
    t = (sub["occurred_at"] - sub["occurred_at"].min()).dt.total_seconds().to_numpy() / 86400
    np.random.seed(1)  # noqa: NPY002
    ref = Knox(xy, t[:, None], delta=200, tau=7, permutations=19, keep=True)
    np.random.seed(1)  # noqa: NPY002
    perms = np.array([np.random.permutation(len(t)) for _ in range(19)])  # noqa: NPY002
    ours = knox_arrays(xy, t, distance_bands=[200], time_bands=[7], permutation_indices=perms)
    assert ours.table["observed"].iloc[0] == ref.nst
    np.testing.assert_array_equal(ours.simulations[:, 0, 0], ref.sim)
    assert ours.table["p_value"].iloc[0] == pytest.approx(ref.p_sim)


@pytest.mark.shared_data
def test_real_chicago_near_repeat_chains(chicago):
    sub = chicago[(chicago["district"] == 11) & (chicago["occurred_at"].dt.year == 2012)]
    out = near_repeat_chains(sub, distance=100, days=7)
    roles = out["nr_role"].value_counts()
    assert roles.sum() == out["nr_role"].notna().sum()
    assert roles["repeat"] > 0 and roles["near_repeat"] > 0 and roles["originator"] > 0
    # every repeat/near repeat points at an earlier (or tied) source in its chain
    linked = out[out["nr_source"].notna()]
    src = out.loc[linked["nr_source"].astype(int)]
    assert (src["occurred_at"].to_numpy() <= linked["occurred_at"].to_numpy()).all()
    assert (src["nr_chain"].to_numpy() == linked["nr_chain"].to_numpy()).all()
    assert (linked["nr_days_since_source"] <= 7).all()
    assert (linked["nr_distance_to_source"] <= 100).all()


@pytest.mark.shared_data
def test_real_chicago_change_2012_vs_2013(chicago):
    from hotspot.units.build import grid

    cells = grid(chicago, 2000)
    out = hotspot_change(
        chicago, cells, before=("2012-01-01", "2013-01-01"), after=("2013-01-01", "2014-01-01")
    )
    overall = out.attrs["hotspot"]["hotspot_change"]["overall"]
    # rows per year in the data README
    assert out.attrs["hotspot"]["hotspot_change"]["excluded"]["missing"] == 0
    assert overall["n_before"] == 15103
    assert overall["n_after"] == 12950
    assert overall["p_value"] < 1e-20
    assert out["n_before"].sum() == 15103 and out["n_after"].sum() == 12950
    classes = out["change_class"].value_counts()
    assert classes["significant decrease"] > classes.get("significant increase", 0)


@pytest.mark.shared_data
def test_real_memphis_emerging_hotspots_monthly(shared_data):
    from hotspot.units.build import grid

    df = pd.read_csv(shared_data / "memphis" / "memphis_robberies_2019.csv.gz")
    df["occurred_at"] = pd.to_datetime(df["date"]).dt.tz_localize(
        "America/Chicago", ambiguous="NaT", nonexistent="shift_forward"
    )
    pts = gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(df.longitude, df.latitude), crs=4326
    ).to_crs(CRS)
    cells = grid(pts, 1000)
    out, cube = emerging_hotspots(pts, cells, freq="M", return_cube=True)
    assert cube.counts.shape == (len(cells), 12)
    assert cube.counts.sum() == len(pts)
    assert set(out["emerging_category"].astype(str)) <= set(EMERGING_CATEGORIES)
    hot = out["emerging_category"].astype(str).str.contains("hot spot")
    assert hot.sum() > 0
    # hot-spot cells hold far more robberies than the average cell
    assert out.loc[hot, "n_incidents"].mean() > 3 * out["n_incidents"].mean()
    np.testing.assert_allclose(out["mk_z"].to_numpy(), mann_kendall(cube.z)["z"].to_numpy())
    sfh = classify_hotspots(pts, cells, freq="M")
    persistent = sfh["hotspot_category"] == "persistent hot spot"
    assert persistent.sum() > 0
    assert sfh.loc[persistent, "n_incidents"].mean() > 3 * sfh["n_incidents"].mean()


def test_hotspot_change_refuses_periods_beyond_the_data():
    import geopandas as gpd
    import pandas as pd

    from hotspot._core.grid import GridSpec, grid_frame
    from hotspot.exceptions import DataQualityWarning

    times = pd.date_range("2012-01-01", "2013-07-31", periods=200)
    pts = gpd.GeoDataFrame(
        {"occurred_at": times, "time_quality": "exact"},
        geometry=gpd.points_from_xy([50.0] * 200, [50.0] * 200),
        crs="EPSG:32616",
    )
    cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 2, 2), "EPSG:32616")
    # the data end on 2013-07-31: a Q3 2013 "after" period would be two-thirds empty
    with pytest.warns(DataQualityWarning, match="beyond the incidents' dates"):
        hotspot_change(
            pts, cells, before=("2012-07-01", "2012-10-01"), after=("2013-07-01", "2013-10-01")
        )
    out = hotspot_change(
        pts, cells, before=("2012-07-01", "2012-08-01"), after=("2013-07-01", "2013-08-01")
    )
    assert out["n_before"].sum() > 0 and out["n_after"].sum() > 0
