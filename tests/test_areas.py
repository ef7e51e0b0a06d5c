from __future__ import annotations

import logging
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sklearn.cluster import DBSCAN

from hotspot._core.grid import GridSpec, grid_frame
from hotspot.exceptions import CRSError, HotspotWarning, InvalidInputError
from hotspot.scan.areas import HOTSPOT_COLUMNS, hotspot_membership, hotspots

CRS = "EPSG:32616"
CLASSES = ["cold_99", "cold_95", "cold_90", "not_significant", "hot_90", "hot_95", "hot_99"]


def _cells(nx: int, ny: int, size: float = 100.0) -> gpd.GeoDataFrame:
    return grid_frame(GridSpec(0.0, 0.0, size, nx, ny), CRS)


def _with(cells: gpd.GeoDataFrame, counts, hot) -> gpd.GeoDataFrame:
    """Add n_incidents and a hand-made hotspot_class (as hs.gi_star would)."""
    out = cells.copy()
    out["n_incidents"] = np.asarray(counts, dtype=np.int64)
    cls = np.where(np.asarray(hot).astype(bool), "hot_99", "not_significant")
    out["hotspot_class"] = pd.Categorical(cls, categories=CLASSES, ordered=True)
    return out


@pytest.fixture
def board() -> gpd.GeoDataFrame:
    """6 x 4 grid of 100 m cells: a 2x2 hot block (40), a diagonal pair (9), a single (3)."""
    counts = np.zeros((4, 6), dtype=int)
    hot = np.zeros((4, 6), dtype=bool)
    counts[0:2, 0:2] = 10  # block: rows 0-1, cols 0-1
    hot[0:2, 0:2] = True
    counts[3, 3], counts[2, 4] = 5, 4  # diagonal neighbours
    hot[3, 3] = hot[2, 4] = True
    counts[3, 0] = 3  # single hot cell, not touching the block (row 2 between)
    hot[3, 0] = True
    counts[0, 4] = 8  # many incidents but not significant, touches nothing hot
    return _with(_cells(6, 4), counts.ravel(), hot.ravel())


# --------------------------------------------------------------------- gistar


def test_gistar_merge_rank_and_columns(board, caplog):
    with caplog.at_level(logging.INFO, logger="hotspot"):
        hot = hotspots(board)
    assert list(hot.columns) == [*HOTSPOT_COLUMNS, "geometry"]
    assert hot["hotspot_id"].tolist() == [1, 2, 3]
    assert (hot["hotspot_id"] == hot["rank"]).all()
    assert hot["n_incidents"].tolist() == [40, 9, 3]
    assert hot["n_units"].tolist() == [4, 2, 1]
    total = board["n_incidents"].sum()  # 60
    np.testing.assert_allclose(hot["share"], np.array([40, 9, 3]) / total)
    np.testing.assert_allclose(hot["area_km2"], [0.04, 0.02, 0.01])
    np.testing.assert_allclose(hot["area_share"], np.array([4, 2, 1]) / 24)
    np.testing.assert_allclose(hot["concentration"], hot["share"] / hot["area_share"])
    assert hot.crs == board.crs
    # geometries: the block is one 200 m square; areas match the cells merged
    assert hot.geometry.iloc[0].equals(shapely.box(0, 0, 200, 200))
    np.testing.assert_allclose(hot.area / 1e6, hot["area_km2"])
    meta = hot.attrs["hotspot"]["hotspots"]
    assert meta["params"]["method"] == "gistar"
    assert meta["params"]["classes"] == ["hot_99", "hot_95"]
    assert meta["total_incidents"] == total
    assert meta["total_area_km2"] == pytest.approx(0.24)
    assert "grid" in hot.attrs["hotspot"]  # upstream history kept
    assert "n_incidents" not in board.columns.difference(["n_incidents"])  # input kept


def test_rook_does_not_merge_diagonals(board):
    queen = hotspots(board)
    rook = hotspots(board, neighbors="rook")
    assert len(queen) == 3
    assert len(rook) == 4
    assert rook["n_incidents"].tolist() == [40, 5, 4, 3]


def test_classes_parameter(board):
    b = board.copy()
    b.loc[b["n_incidents"] == 8, "hotspot_class"] = "hot_90"
    assert len(hotspots(b)) == 3
    loose = hotspots(b, classes=("hot_99", "hot_95", "hot_90"))
    assert len(loose) == 4
    assert loose["n_incidents"].tolist() == [40, 9, 8, 3]
    with pytest.raises(InvalidInputError, match="unknown hotspot classes"):
        hotspots(b, classes=("very_hot",))


def test_general_polygon_path_matches_grid_fast_path(board):
    plain = gpd.GeoDataFrame(
        board.drop(columns=["row", "col"]), geometry=board.geometry.to_numpy(), crs=CRS
    )
    plain.attrs = {}
    for nb in ("queen", "rook"):
        fast = hotspots(board, neighbors=nb).drop(columns="geometry")
        slow = hotspots(plain, neighbors=nb).drop(columns="geometry")
        pd.testing.assert_frame_equal(fast, slow)


def test_min_incidents_and_zero_count_hot_cells(board):
    b = board.copy()
    # an isolated hot cell with no crime of its own is dropped by default
    b.loc[b.index[(b["row"] == 0) & (b["col"] == 3)], "hotspot_class"] = "hot_95"
    assert len(hotspots(b)) == 3
    assert len(hotspots(b, min_incidents=0)) == 4
    assert hotspots(b, min_incidents=5)["n_incidents"].tolist() == [40, 9]


def test_no_hot_cells_gives_empty_frame():
    cells = _with(_cells(3, 3), np.ones(9), np.zeros(9))
    hot = hotspots(cells)
    assert len(hot) == 0
    assert list(hot.columns) == [*HOTSPOT_COLUMNS, "geometry"]


def test_harm_weight_changes_ranking(board):
    b = board.copy()
    b["harm"] = b["n_incidents"].astype(float)
    b.loc[b["n_incidents"] == 3, "harm"] = 500.0  # one serious incident site
    hot = hotspots(b, weight="harm")
    assert hot["n_incidents"].tolist() == [3, 40, 9]
    assert hot["harm"].tolist() == [500.0, 40.0, 9.0]
    np.testing.assert_allclose(hot["harm_share"], hot["harm"] / b["harm"].sum())
    assert hot["hotspot_id"].tolist() == [1, 2, 3]


def test_errors(board):
    with pytest.raises(InvalidInputError, match="unknown method"):
        hotspots(board, method="satscan")
    with pytest.raises(InvalidInputError, match="gi_star"):
        hotspots(board.drop(columns="hotspot_class"))
    with pytest.raises(InvalidInputError, match="incidents="):
        hotspots(board.drop(columns="n_incidents"))
    with pytest.raises(InvalidInputError, match="neighbors"):
        hotspots(board, neighbors="distance")
    with pytest.raises(InvalidInputError, match="max_area_km2"):
        hotspots(board, max_area_km2=0)
    with pytest.raises(CRSError):
        hotspots(board.to_crs(4326))
    with pytest.raises(TypeError, match="GeoDataFrame"):
        hotspots(pd.DataFrame(board))
    with pytest.raises(InvalidInputError, match="needs incidents"):
        hotspots(board, method="clusters")


# --------------------------------------------------------------- count / kde


def test_count_top_share_of_area():
    counts = np.array([0, 5, 1, 9, 0, 2, 2, 7, 0, 0] * 10)  # 100 cells of 1 ha
    cells = _cells(10, 10)
    cells["n_incidents"] = counts
    hot = hotspots(cells, method="count", top_share=0.1)
    assert hot["n_units"].sum() == 10  # exactly 10 % of the area
    assert hot["n_incidents"].sum() == 90  # the ten 9s
    assert hot.attrs["hotspot"]["hotspots"]["params"]["top_share"] == 0.1
    # default top is 5 %, logged as a choice
    default = hotspots(cells, method="count")
    assert default["n_units"].sum() == 5
    assert default.attrs["hotspot"]["hotspots"]["choices"]["top_share"]["value"] == 0.05
    # cells without crime are never selected, whatever top is
    everything = hotspots(cells, method="count", top_share=1.0)
    assert everything["n_units"].sum() == int((counts > 0).sum())
    with pytest.raises(InvalidInputError, match="top"):
        hotspots(cells, method="count", top_share=1.5)


def test_kde_units_counted_with_incidents():
    cells = _cells(5, 5)
    dens = np.zeros(25)
    dens[[6, 7, 12]] = [30.0, 20.0, 10.0]  # (1,1), (1,2), (2,2): contiguous
    dens[24] = 5.0
    cells["kde"] = dens
    # incidents: 3 in cell 6, 2 in cell 7, 1 in cell 24
    x = np.array([150, 160, 170, 250, 260, 450.0])
    y = np.array([150, 150, 150, 150, 160, 450.0])
    inc = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=CRS)
    hot = hotspots(cells, method="kde", incidents=inc, top_share=0.12)  # 3 cells of 25
    assert hot["n_units"].tolist() == [3]
    assert hot["n_incidents"].tolist() == [5]
    assert hot["share"].tolist() == [5 / 6]
    assert hot.attrs["hotspot"]["hotspots"]["choices"]["counted"]["value"] is True


# ------------------------------------------------------------------ size cap


def test_max_area_splits_into_contiguous_pieces():
    rng = np.random.default_rng(0)
    cells = _with(_cells(20, 20), rng.integers(1, 10, 400), np.ones(400))
    whole = hotspots(cells)
    assert len(whole) == 1 and whole["area_km2"].iloc[0] == pytest.approx(4.0)
    capped = hotspots(cells, max_area_km2=0.5, random_state=1)
    assert len(capped) >= 8
    assert (capped["area_km2"] <= 0.5 + 1e-9).all()
    assert capped["n_incidents"].sum() == cells["n_incidents"].sum()
    assert capped["n_units"].sum() == 400
    assert (capped.geometry.geom_type == "Polygon").all()  # each piece contiguous
    assert capped["n_incidents"].is_monotonic_decreasing
    again = hotspots(cells, max_area_km2=0.5, random_state=1)
    pd.testing.assert_frame_equal(capped.drop(columns="geometry"), again.drop(columns="geometry"))
    split = capped.attrs["hotspot"]["hotspots"]["choices"]["split"]["value"]
    assert split["areas_split"] >= 1


def test_single_cell_over_cap_warns():
    cells = _with(_cells(3, 3, size=1000.0), [5] + [0] * 8, [1] + [0] * 8)
    with pytest.warns(HotspotWarning, match="cannot be split"):
        hot = hotspots(cells, max_area_km2=0.5)
    assert len(hot) == 1


# ---------------------------------------------------------------- clusters


def _blob_incidents(seed: int = 3) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.array([[3000.0, 3000.0], [7000.0, 6000.0], [2000.0, 8000.0]])
    sizes = np.array([900, 600, 300])
    parts = [rng.normal(c, 120.0, (n, 2)) for c, n in zip(centres, sizes, strict=True)]
    background = rng.uniform(0, 10_000, (3000, 2))
    xy = np.vstack([*parts, background])
    gdf = gpd.GeoDataFrame(
        {"harm": rng.uniform(0, 2, len(xy))},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=CRS,
    )
    return gdf, centres, sizes


def test_clusters_method_hulls_ranked():
    gdf, centres, sizes = _blob_incidents()
    hot = hotspots(gdf, method="clusters", clusterer=DBSCAN(eps=50, min_samples=15))
    assert len(hot) >= 3
    for rank, c in enumerate(centres):
        assert hot.geometry.iloc[rank].contains(shapely.Point(c))
    assert hot["n_units"].isna().all()
    assert hot["n_incidents"].iloc[0] <= sizes[0] + 50
    assert hot["share"].sum() <= 1
    assert (hot["concentration"].iloc[:3] > 5).all()
    # an existing cluster column is used as it is
    from hotspot.scan.clusters import cluster_points

    labelled = cluster_points(gdf, DBSCAN(eps=50, min_samples=15))
    again = hotspots(labelled, method="clusters")
    pd.testing.assert_frame_equal(hot.drop(columns="geometry"), again.drop(columns="geometry"))
    capped = hotspots(labelled, method="clusters", max_area_km2=0.05, random_state=0)
    assert len(capped) > len(hot)
    assert (capped["area_km2"] <= 0.05 + 1e-9).all()
    assert capped["n_incidents"].sum() == hot["n_incidents"].sum()


# --------------------------------------------------------------- membership


def test_membership_boundary_and_outside(board):
    hot = hotspots(board)
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([50, 200, 350, 450, 590], [50, 100, 350, 250, 390]),
        crs=CRS,
        index=[10, 11, 12, 13, 14],
    )
    mem = hotspot_membership(pts, hot)
    assert mem.index.tolist() == [10, 11, 12, 13, 14]
    assert mem.dtype == "Int64" and mem.name == "hotspot_id"
    # (200, 100) is on the block's edge; (350, 350) in cell (3, 3); (450, 250) in (2, 4)
    assert mem.tolist()[:4] == [1, 1, 2, 2]
    assert mem.isna().tolist() == [False, False, False, False, True]
    with pytest.raises(CRSError):
        hotspot_membership(pts.to_crs(4326), hot)


def test_membership_overlapping_hulls_goes_to_best_rank():
    hot = gpd.GeoDataFrame(
        {"hotspot_id": [2, 1]},
        geometry=[shapely.box(0, 0, 10, 10), shapely.box(5, 0, 15, 10)],
        crs=CRS,
    )
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([2, 7, 12], [5, 5, 5]), crs=CRS)
    assert hotspot_membership(pts, hot).tolist() == [2, 1, 1]


# ----------------------------------------------------- end to end (real pipeline)


def _city(n: int, seed: int = 0) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.array([[6000.0, 6000.0], [14000.0, 4000.0], [10000.0, 15000.0]])
    n_blob = [n // 8, n // 12, n // 20]
    parts = [rng.normal(c, 250.0, (k, 2)) for c, k in zip(centres, n_blob, strict=True)]
    background = rng.uniform(0, 20_000, (n - sum(n_blob), 2))
    xy = np.vstack([*parts, background])
    gdf = gpd.GeoDataFrame(
        {"harm": rng.choice([1.0, 10.0], len(xy), p=[0.9, 0.1])},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=CRS,
    )
    return gdf, centres


@pytest.mark.parametrize("method", ["gistar", "kde", "count"])
def test_end_to_end_planted_blobs(method):
    gdf, centres = _city(20_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HotspotWarning)
        hot = hotspots(gdf, method=method, cell_size=200.0)
    assert len(hot) >= 3
    # the three blobs are the three best-ranked hotspots, in order of size
    for rank, c in enumerate(centres):
        assert hot.geometry.iloc[rank].contains(shapely.Point(c)), (method, rank)
    assert (np.diff(hot["rank"]) == 1).all() and hot["rank"].iloc[0] == 1
    assert hot["n_incidents"].is_monotonic_decreasing
    assert hot["share"].sum() <= 1 + 1e-12
    assert (hot["concentration"].iloc[:3] > 3).all()
    meta = hot.attrs["hotspot"]
    assert meta["hotspots"]["total_incidents"] == len(gdf)
    if method == "kde":
        assert meta["kde"]["cell_size"] == 200.0
    else:
        assert meta["units"]["params"]["cell_size"] == 200.0
    if method == "gistar":
        assert "gi_star" in meta
    # membership agrees with the counts (no incident sits exactly on a cell edge)
    mem = hotspot_membership(gdf, hot)
    counts = mem.value_counts().reindex(hot["hotspot_id"]).fillna(0).to_numpy()
    np.testing.assert_array_equal(counts, hot["n_incidents"].to_numpy())


def test_end_to_end_harm_weight_from_incidents():
    gdf, _ = _city(20_000)
    hot = hotspots(gdf, cell_size=200.0, weight="harm")
    assert hot["harm"].is_monotonic_decreasing
    assert hot.attrs["hotspot"]["hotspots"]["total_harm"] == pytest.approx(gdf["harm"].sum())
    assert hot["harm_share"].sum() <= 1 + 1e-12


def _memphis(shared_data) -> gpd.GeoDataFrame:
    df = pd.read_csv(shared_data / "memphis" / "memphis_robberies_2019.csv.gz")
    pts = gpd.points_from_xy(df["longitude"], df["latitude"])
    return gpd.GeoDataFrame(df, geometry=pts, crs=4326).to_crs(32616)


@pytest.mark.shared_data
def test_real_memphis_end_to_end(shared_data):
    inc = _memphis(shared_data)
    hot = hotspots(inc, cell_size=250.0)
    assert 3 <= len(hot) <= 200
    assert hot["hotspot_id"].tolist() == list(range(1, len(hot) + 1))
    assert hot["n_incidents"].is_monotonic_decreasing
    assert hot["share"].sum() <= 1
    # robberies concentrate: the Gi* hotspots hold far more crime than their area
    # (with exact randomisation inference on sparse 250 m counts: 4 % of robberies
    # in 0.19 % of the area; the normal approximation claimed over 20 %)
    assert hot["share"].sum() > 0.03
    assert hot["share"].sum() / hot["area_share"].sum() > 10
    mem = hotspot_membership(inc, hot)
    assert int(mem.notna().sum()) == int(hot["n_incidents"].sum())
    capped = hotspots(inc, cell_size=250.0, max_area_km2=1.0, random_state=0)
    assert (capped["area_km2"] <= 1.0 + 1e-9).all()
    assert capped["n_incidents"].sum() == hot["n_incidents"].sum()
    # the other methods run on the same data and find the same places
    top_kde = hotspots(inc, method="kde", cell_size=250.0)
    gistar_union = hot.union_all()
    assert top_kde.geometry.iloc[:3].intersects(gistar_union).all()
    clus = hotspots(inc, method="clusters", random_state=0)
    assert len(clus) >= 3 and clus["share"].sum() <= 1
