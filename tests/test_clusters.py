from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sklearn.cluster import DBSCAN, HDBSCAN, KMeans
from sklearn.metrics import adjusted_rand_score

from hotspot.exceptions import CRSError, InvalidInputError
from hotspot.scan.clusters import (
    cluster_hulls,
    cluster_points,
    default_min_cluster_size,
    nn_random_expectation,
    nnh,
    nnh_threshold,
    relabel_by_size,
)

CRS = "EPSG:32616"
CENTRES = np.array([[2000.0, 2000.0], [7000.0, 3000.0], [4000.0, 8000.0]])
SIZES = (150, 100, 60)


def _points(xy: np.ndarray, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)


@pytest.fixture
def blobs() -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Three gaussian blobs (sd 40 m) of 150/100/60 incidents on a 10 km uniform background."""
    rng = np.random.default_rng(7)
    parts = [rng.normal(c, 40.0, (n, 2)) for c, n in zip(CENTRES, SIZES, strict=True)]
    background = rng.uniform(0, 10_000, (300, 2))
    xy = np.vstack([*parts, background])
    truth = np.repeat([0, 1, 2, -1], [*SIZES, 300])
    return _points(xy, truth=truth), truth


def _blob_recovery(labels: np.ndarray, truth: np.ndarray, *, strict: bool = True) -> None:
    """Each blob sits (>= 90 %) in its own cluster; clusters are numbered by size.

    ``strict``: also the background is mostly noise and the blob of rank k is
    cluster k (threshold methods: DBSCAN, NNH). HDBSCAN attaches sparse background
    points to the nearest blob's cluster, so only the blob recovery is checked.
    """
    mains = []
    for blob in range(3):
        lab = labels[truth == blob]
        values, counts = np.unique(lab, return_counts=True)
        main = values[np.argmax(counts)]
        assert main >= 0, f"blob {blob} is mostly noise"
        assert counts.max() >= 0.9 * len(lab)
        mains.append(main)
        if strict:
            assert main == blob, f"blob {blob} mostly labelled {main}"
    assert len(set(mains)) == 3
    sizes = np.bincount(labels[labels >= 0])
    assert np.all(np.diff(sizes) <= 0)
    assert adjusted_rand_score(truth[truth >= 0], labels[truth >= 0]) > 0.9
    if strict:
        assert (labels[truth == -1] == -1).mean() > 0.8


# ------------------------------------------------------------------ cluster_points


def test_hdbscan_default_recovers_blobs(blobs, caplog):
    gdf, truth = blobs
    with caplog.at_level(logging.INFO, logger="hotspot"):
        out = cluster_points(gdf)
    _blob_recovery(out["cluster"].to_numpy(), truth, strict=False)
    meta = out.attrs["hotspot"]["cluster_points"]
    assert meta["params"]["clusterer"] == "HDBSCAN"
    assert meta["choices"]["min_cluster_size"]["value"] == default_min_cluster_size(len(gdf))
    assert meta["params"]["clusterer_params"]["cluster_selection_method"] == "leaf"
    assert "min_cluster_size" in caplog.text
    assert out["cluster"].dtype == np.int64
    assert "cluster" not in gdf.columns  # input untouched


def test_default_min_cluster_size_rule():
    assert default_min_cluster_size(100) == 20
    assert default_min_cluster_size(5001) == 26
    assert default_min_cluster_size(148_636) == 744


def test_dbscan_eps_is_metres():
    rng = np.random.default_rng(3)
    a = rng.normal([0, 0], 15.0, (40, 2))
    b = rng.normal([300, 0], 15.0, (40, 2))
    gdf = _points(np.vstack([a, b]))
    near = cluster_points(gdf, DBSCAN(eps=60, min_samples=5))["cluster"].to_numpy()
    far = cluster_points(gdf, DBSCAN(eps=400, min_samples=5))["cluster"].to_numpy()
    assert len(set(near[near >= 0])) == 2
    assert adjusted_rand_score(np.repeat([0, 1], 40), near) == 1.0
    assert set(far) == {0}


def test_dbscan_on_planted_blobs(blobs):
    gdf, truth = blobs
    out = cluster_points(gdf, DBSCAN(eps=60, min_samples=10))
    _blob_recovery(out["cluster"].to_numpy(), truth)
    assert out.attrs["hotspot"]["cluster_points"]["params"]["clusterer_params"]["eps"] == 60


def test_sample_weight_passed_to_dbscan():
    gdf = _points(np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0], [5000.0, 0.0]]), w=[5, 1, 1, 1])
    plain = cluster_points(gdf, DBSCAN(eps=20, min_samples=5))["cluster"].tolist()
    weighted = cluster_points(gdf, DBSCAN(eps=20, min_samples=5), weight="w")["cluster"].tolist()
    assert plain == [-1, -1, -1, -1]
    assert weighted == [0, 0, 0, -1]


def test_weight_with_clusterer_without_sample_weight(blobs):
    gdf, _ = blobs
    gdf = gdf.assign(w=1.0)
    with pytest.raises(InvalidInputError, match="sample_weight"):
        cluster_points(gdf, HDBSCAN(min_cluster_size=10, copy=False), weight="w")


def test_bad_weight_values():
    gdf = _points(np.zeros((3, 2)), w=[1.0, -1.0, np.nan])
    with pytest.raises(InvalidInputError, match="non-negative"):
        cluster_points(gdf, DBSCAN(eps=1, min_samples=2), weight="w")


class HalfPlane:
    """A duck-typed clusterer: west of x=0 is cluster 5, east is cluster 9."""

    def fit_predict(self, x):
        return np.where(x[:, 0] < 0, 5, 9)


class FitOnly:
    def fit(self, x):
        self.labels_ = np.where(x[:, 1] > 0, 0, -1)
        return self


def test_custom_clusterer_objects():
    xy = np.array([[-10.0, 1.0], [-20.0, 2.0], [-30.0, -3.0], [10.0, 4.0], [20.0, -5.0]])
    gdf = _points(xy)
    out = cluster_points(gdf, HalfPlane())
    assert out["cluster"].tolist() == [0, 0, 0, 1, 1]  # renumbered, largest first
    out = cluster_points(gdf, FitOnly())
    assert out["cluster"].tolist() == [0, 0, -1, 0, -1]


class NoLabels:
    def fit(self, x):
        return self


class WrongLength:
    def fit_predict(self, x):
        return np.zeros(len(x) + 1, dtype=int)


@pytest.mark.parametrize(
    ("clusterer", "match"),
    [
        (object(), "fit_predict"),
        ("dbscan", "fit_predict"),
        (DBSCAN, "instance"),
        (NoLabels(), "no labels"),
        (WrongLength(), "expected 3 integer labels"),
    ],
)
def test_bad_clusterer_raises_typeerror(clusterer, match):
    gdf = _points(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]))
    with pytest.raises(TypeError, match=match):
        cluster_points(gdf, clusterer)


def test_kmeans_random_state_and_no_mutation(blobs):
    gdf, _ = blobs
    km = KMeans(n_clusters=4, n_init=1)
    a = cluster_points(gdf, km, random_state=1)["cluster"].to_numpy()
    b = cluster_points(gdf, km, random_state=1)["cluster"].to_numpy()
    assert np.array_equal(a, b)
    assert km.random_state is None  # the user's object is not modified
    assert not hasattr(km, "labels_")
    counts = np.bincount(a)
    assert np.all(np.diff(counts) <= 0)  # 0 = largest


def test_cluster_points_crs_checks(blobs):
    gdf, _ = blobs
    with pytest.raises(CRSError, match="geographic"):
        cluster_points(gdf.to_crs(4326), DBSCAN())
    with pytest.raises(CRSError):
        cluster_points(gdf.set_crs(None, allow_override=True), DBSCAN())


def test_too_few_points_for_default_is_all_noise():
    gdf = _points(np.array([[0.0, 0.0], [1.0, 1.0]]))
    out = cluster_points(gdf)
    assert out["cluster"].tolist() == [-1, -1]
    assert out.attrs["hotspot"]["cluster_points"]["choices"]["all_noise"]["value"] is True


def test_relabel_by_size_ties_and_noise():
    labels = np.array([3, 3, 1, 1, -5, 7, 7, 7])
    # 3 and 1 tie in size: the smaller original label comes first
    assert relabel_by_size(labels).tolist() == [2, 2, 1, 1, -1, 0, 0, 0]
    assert relabel_by_size(np.array([-1, -1])).tolist() == [-1, -1]


# ----------------------------------------------------------------------- hulls


def test_convex_hull_counts_and_area():
    square = [[0, 0], [1000, 0], [1000, 1000], [0, 1000], [500, 500]]  # 1 km²
    one_place = [[5000, 5000], [5000, 5000]]
    line = [[9000, 0], [9100, 0]]
    noise = [[20000, 0]]
    xy = np.array(square + one_place + line + noise, dtype=float)
    gdf = _points(xy, cluster=[0, 0, 0, 0, 0, 1, 1, 2, 2, -1], harm=np.arange(10.0))
    hulls = cluster_hulls(gdf, weight="harm")
    assert hulls["cluster"].tolist() == [0, 1, 2]
    assert hulls["n_incidents"].tolist() == [5, 2, 2]
    assert hulls["weight"].tolist() == [10.0, 11.0, 15.0]
    assert hulls["area_km2"].iloc[0] == pytest.approx(1.0)
    # degenerate hulls are buffered by `buffer` metres
    assert hulls["area_km2"].iloc[1] == pytest.approx(np.pi * 10**2 / 1e6, rel=0.02)
    assert hulls["area_km2"].iloc[2] > 0
    assert hulls.crs == gdf.crs
    assert (hulls.geometry.geom_type == "Polygon").all()
    unbuffered = cluster_hulls(gdf, buffer=0)
    assert unbuffered["area_km2"].iloc[1] == 0.0


def test_concave_hull_is_tighter_on_an_l_shape():
    rng = np.random.default_rng(5)
    leg1 = np.column_stack([rng.uniform(0, 1000, 200), rng.uniform(0, 100, 200)])
    leg2 = np.column_stack([rng.uniform(0, 100, 200), rng.uniform(0, 1000, 200)])
    gdf = _points(np.vstack([leg1, leg2]), cluster=np.zeros(400, dtype=int))
    convex = cluster_hulls(gdf)["area_km2"].iloc[0]
    concave = cluster_hulls(gdf, hull="concave", ratio=0.1)["area_km2"].iloc[0]
    assert convex > 0.45  # ~ the triangle
    assert concave < 0.6 * convex
    with pytest.raises(InvalidInputError, match="convex"):
        cluster_hulls(gdf, hull="alpha")


def test_hulls_contain_their_points(blobs):
    gdf, _ = blobs
    out = cluster_points(gdf, DBSCAN(eps=60, min_samples=10))
    hulls = cluster_hulls(out)
    members = out[out["cluster"] >= 0]
    geoms = hulls.set_index("cluster").geometry
    inside = shapely.covers(geoms.loc[members["cluster"]].to_numpy(), members.geometry.to_numpy())
    assert inside.all()
    assert hulls["n_incidents"].sum() == len(members)


def test_hulls_with_no_clusters():
    gdf = _points(np.zeros((3, 2)), cluster=[-1, -1, -1])
    hulls = cluster_hulls(gdf)
    assert len(hulls) == 0
    assert list(hulls.columns) == ["cluster", "n_incidents", "area_km2", "geometry"]


# ------------------------------------------------------------------------- NNH


def test_nnh_threshold_formula():
    area, n = 4.0e7, 400
    mean, se = nn_random_expectation(area, n)
    assert mean == pytest.approx(0.5 * np.sqrt(area / n))
    assert se == pytest.approx(0.26136 * np.sqrt(area) / n)
    # alpha 0.05 = one-tailed t with n-1 df below the mean
    from scipy import stats

    expected = mean - stats.t.ppf(0.95, n - 1) * se
    assert nnh_threshold(area, n, 0.05) == pytest.approx(expected)
    assert nnh_threshold(area, n, 0.5) == pytest.approx(mean)
    assert nnh_threshold(area, n, 0.01) < nnh_threshold(area, n, 0.05)
    with pytest.raises(InvalidInputError):
        nnh_threshold(area, n, 0.0)


def test_nnh_matches_brute_force_single_linkage():
    rng = np.random.default_rng(11)
    xy = np.vstack([rng.uniform(0, 3000, (150, 2)), rng.normal(1500, 40, (30, 2))])
    gdf = _points(xy)
    out = nnh(gdf, min_points=5)
    thr = out.attrs["hotspot"]["nnh"]["levels"][0]["threshold_m"]
    # brute force: full distance matrix, transitive closure by repeated squaring
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    reach = (d < thr).astype(np.int64)
    for _ in range(9):
        reach = ((reach @ reach) > 0).astype(np.int64)
    labels = out["cluster"].to_numpy()
    sizes = reach.sum(axis=1)
    assert np.array_equal(labels >= 0, sizes >= 5)
    same = labels[:, None] == labels[None, :]
    clustered = labels >= 0
    block = np.ix_(clustered, clustered)
    assert np.array_equal(same[block], reach[block] > 0)


def test_nnh_planted_vs_random(blobs):
    gdf, truth = blobs
    out = nnh(gdf, min_points=10)
    labels = out["cluster"].to_numpy()
    for blob in range(3):
        lab = labels[truth == blob]
        assert (lab == blob).mean() > 0.9  # numbered by size like the blobs
    rng = np.random.default_rng(2)
    uniform = _points(rng.uniform(0, 10_000, (2000, 2)))
    rand = nnh(uniform, alpha=0.05, min_points=10)
    assert rand.attrs["hotspot"]["nnh"]["levels"][0]["n_clusters"] <= 1
    assert (rand["cluster"] >= 0).mean() < 0.02


def test_nnh_fixed_distance_and_duplicates():
    # 12 incidents at one address and 3 at another 50 m away
    xy = np.vstack([np.zeros((12, 2)), np.tile([50.0, 0.0], (3, 1)), [[5000.0, 5000.0]]])
    gdf = _points(xy)
    out = nnh(gdf, distance=60.0, min_points=10)
    assert out["cluster"].tolist() == [0] * 15 + [-1]
    out = nnh(gdf, distance=40.0, min_points=10)
    assert out["cluster"].tolist() == [0] * 12 + [-1] * 4
    meta = out.attrs["hotspot"]["nnh"]
    assert meta["levels"][0]["threshold_m"] == 40.0
    assert meta["choices"]["area_m2"]["value"] == pytest.approx(5000.0 * 5000.0)


def test_nnh_study_area_changes_threshold(blobs):
    gdf, _ = blobs
    big = nnh(gdf, study_area=4.0e8).attrs["hotspot"]["nnh"]
    small = nnh(gdf).attrs["hotspot"]["nnh"]
    assert big["area_m2"] == 4.0e8
    assert big["levels"][0]["threshold_m"] > small["levels"][0]["threshold_m"]
    poly = gpd.GeoSeries([shapely.box(0, 0, 20_000, 20_000)], crs=CRS)
    assert nnh(gdf, study_area=poly).attrs["hotspot"]["nnh"]["area_m2"] == pytest.approx(4.0e8)
    with pytest.raises(TypeError, match="study_area"):
        nnh(gdf, study_area="city")


def test_nnh_second_order():
    rng = np.random.default_rng(4)
    # 10 tight blobs of 15 incidents on a ring (618 m apart: more than the first-order
    # threshold of ~215 m, less than the second-order one of ~2.1 km), one far blob,
    # and a uniform background that sets the first-order threshold
    angles = np.linspace(0, 2 * np.pi, 10, endpoint=False)
    centres = np.column_stack([5000 + 1000 * np.cos(angles), 5000 + 1000 * np.sin(angles)])
    centres = np.vstack([centres, [[18_000.0, 18_000.0]]])
    parts = [rng.normal(c, 10.0, (15, 2)) for c in centres]
    background = rng.uniform(0, 20_000, (2000, 2))
    gdf = _points(np.vstack([*parts, background]))
    out = nnh(gdf, min_points=10, order=2)
    levels = out.attrs["hotspot"]["nnh"]["levels"]
    assert levels[0]["n_clusters"] == 11
    assert levels[1]["n_clusters"] == 1
    assert levels[1]["n_points"] == 11
    ring = out["cluster_order2"].to_numpy()[: 10 * 15]
    far = out["cluster_order2"].to_numpy()[10 * 15 : 11 * 15]
    assert (ring == 0).all() and (far == -1).all()


def test_nnh_bad_arguments(blobs):
    gdf, _ = blobs
    with pytest.raises(InvalidInputError, match="min_points"):
        nnh(gdf, min_points=1)
    with pytest.raises(InvalidInputError, match="distance"):
        nnh(gdf, distance=-5)
    with pytest.raises(InvalidInputError, match="order"):
        nnh(gdf, order=0)


# ------------------------------------------------------------------- real data


def _memphis(shared_data) -> gpd.GeoDataFrame:
    df = pd.read_csv(shared_data / "memphis" / "memphis_robberies_2019.csv.gz")
    pts = gpd.points_from_xy(df["longitude"], df["latitude"])
    return gpd.GeoDataFrame(df, geometry=pts, crs=4326).to_crs(32616)


@pytest.mark.shared_data
def test_real_memphis_clusters(shared_data):
    gdf = _memphis(shared_data)
    out = cluster_points(gdf)
    labels = out["cluster"].to_numpy()
    n_clusters = labels.max() + 1
    assert 5 <= n_clusters <= 200
    sizes = np.bincount(labels[labels >= 0])
    assert sizes.min() >= default_min_cluster_size(len(gdf))
    assert np.all(np.diff(sizes) <= 0)
    hulls = cluster_hulls(out)
    assert hulls["n_incidents"].sum() == (labels >= 0).sum()
    # robberies concentrate: the clustered share of incidents is several times the
    # share of the city's extent that the hulls cover
    xmin, ymin, xmax, ymax = gdf.total_bounds
    area_share = hulls.area.sum() / ((xmax - xmin) * (ymax - ymin))
    assert (labels >= 0).mean() / area_share > 3

    nn = nnh(gdf, min_points=10)
    level = nn.attrs["hotspot"]["nnh"]["levels"][0]
    assert 200 < level["threshold_m"] < 500  # ~ 0.5 sqrt(A/n) for a ~30 km city
    nn_sizes = np.bincount(nn["cluster"].to_numpy()[nn["cluster"].to_numpy() >= 0])
    assert nn_sizes.min() >= 10
