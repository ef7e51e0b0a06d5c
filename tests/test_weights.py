"""Tests for hotspot._weights against libpysal and hand-made cases."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from scipy import sparse

from hotspot._core.grid import GridSpec, grid_frame
from hotspot._core.weights import (
    contiguity_weights,
    distance_band_weights,
    grid_weights,
    knn_weights,
    n_islands,
    weights_for_units,
)
from hotspot.exceptions import CRSError, InvalidInputError

libpysal = pytest.importorskip("libpysal")


def _diff(a, b) -> float:
    return float(abs(sparse.csr_array(a) - sparse.csr_array(b)).sum())


@pytest.mark.parametrize("rook", [False, True])
@pytest.mark.parametrize(("nrows", "ncols"), [(1, 5), (6, 9), (13, 4)])
def test_grid_weights_equal_lat2w(nrows, ncols, rook):
    row, col = np.divmod(np.arange(nrows * ncols), ncols)
    w = grid_weights(row, col, "rook" if rook else "queen")
    ref = libpysal.weights.lat2W(nrows, ncols, rook=rook)
    assert _diff(w, ref.sparse) == 0
    assert np.all(w.diagonal() == 0)
    assert isinstance(w, sparse.csr_array)


def test_grid_weights_clipped_grid_matches_geometry(rng):
    spec = GridSpec(0.0, 0.0, 50.0, 12, 9)
    keep = rng.random(spec.shape) < 0.6
    cells = grid_frame(spec, "EPSG:32616", keep=keep)
    # shuffle the row order: weights follow the frame's order, not the cell id
    cells = cells.sample(frac=1.0, random_state=3)
    for kind in ("queen", "rook"):
        w = grid_weights(cells["row"].to_numpy(), cells["col"].to_numpy(), kind)
        ref = contiguity_weights(cells.geometry, kind)
        assert _diff(w, ref) == 0
        lw = libpysal.weights.Queen if kind == "queen" else libpysal.weights.Rook
        ref2 = lw.from_dataframe(cells, use_index=False, silence_warnings=True)
        assert _diff(w, ref2.sparse) == 0


def test_grid_weights_sparse_lookup_path_equals_dense(rng):
    # cells spread over a huge bounding box force the sorted-key lookup
    row = np.array([0, 0, 1, 1, 10**7, 10**7 + 1, 10**7 + 1])
    col = np.array([0, 1, 0, 1, 5, 5, 6])
    w = grid_weights(row, col)
    expected = np.zeros((7, 7), int)
    for a, b in [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3), (4, 5), (4, 6), (5, 6)]:
        expected[a, b] = expected[b, a] = 1
    assert w.toarray().astype(int).tolist() == expected.tolist()


def test_grid_weights_rejects_duplicates():
    with pytest.raises(InvalidInputError, match="more than once"):
        grid_weights(np.array([0, 0, 1]), np.array([0, 0, 1]))
    with pytest.raises(InvalidInputError, match="more than once"):
        grid_weights(np.array([0, 0, 10**8]), np.array([0, 0, 1]))


def test_grid_weights_islands():
    w = grid_weights(np.array([0, 0, 5]), np.array([0, 1, 5]))
    assert n_islands(w) == 1
    assert w.toarray().sum(axis=1).tolist() == [1.0, 1.0, 0.0]


@pytest.mark.shared_data
def test_contiguity_equals_libpysal_on_real_polygons(shared_data):
    districts = gpd.read_file(shared_data / "chicago" / "chicago_police_districts.geojson")
    districts = districts.to_crs(32616)
    for kind, cls in (("queen", libpysal.weights.Queen), ("rook", libpysal.weights.Rook)):
        ref = cls.from_dataframe(districts, use_index=False, silence_warnings=True)
        w = contiguity_weights(districts, kind)
        assert _diff(w, ref.sparse) == 0
        assert w.sum() > 0


def test_contiguity_corner_touch_and_overlap():
    geoms = shapely.box([0, 1, 3, 3.5], [0, 1, 0, 0], [1, 2, 4, 4.5], [1, 2, 1, 1])
    # 0 and 1 touch at a corner (queen only); 2 and 3 overlap (both)
    queen = contiguity_weights(geoms, "queen").toarray()
    rook = contiguity_weights(geoms, "rook").toarray()
    assert queen[0, 1] == 1 and rook[0, 1] == 0
    assert queen[2, 3] == 1 and rook[2, 3] == 1
    assert queen[0, 2] == 0


def _hexagons(nx: int, ny: int, size: float = 100.0) -> gpd.GeoDataFrame:
    """Pointy-top hexagons in offset rows (row, col in offset coordinates)."""
    w = np.sqrt(3) * size
    rows, cols = np.divmod(np.arange(nx * ny), nx)
    cx = cols * w + (rows % 2) * w / 2
    cy = rows * 1.5 * size
    ang = np.deg2rad(30 + 60 * np.arange(6))
    polys = [
        shapely.Polygon(np.column_stack([x + size * np.cos(ang), y + size * np.sin(ang)]))
        for x, y in zip(cx, cy, strict=True)
    ]
    frame = gpd.GeoDataFrame({"row": rows, "col": cols}, geometry=polys, crs="EPSG:32616")
    frame.attrs["hotspot"] = {"hexgrid": {"size": size}, "grid": {}}
    return frame


def test_hexgrid_uses_geometric_contiguity():
    hexes = _hexagons(6, 5)
    w, text = weights_for_units(hexes, "queen")
    assert "polygon geometry" in text
    degree = w.sum(axis=1)
    interior = (hexes["row"].between(1, 3) & hexes["col"].between(1, 4)).to_numpy()
    assert np.all(degree[interior] == 6)
    assert _diff(w, weights_for_units(hexes, "rook")[0]) == 0


def test_distance_band_equals_libpysal(rng):
    xy = rng.random((400, 2)) * 2000
    w = distance_band_weights(xy, 150.0)
    ref = libpysal.weights.DistanceBand(xy, 150.0, silence_warnings=True)
    assert _diff(w, ref.sparse) == 0
    assert _diff(w, w.T) == 0
    with pytest.raises(InvalidInputError):
        distance_band_weights(xy, -1)


def test_knn_equals_libpysal_and_is_not_symmetric(rng):
    xy = rng.random((300, 2)) * 1000
    w = knn_weights(xy, 6)
    ref = libpysal.weights.KNN(xy, k=6)
    assert _diff(w, ref.sparse) == 0
    assert np.all(w.sum(axis=1) == 6)
    small = knn_weights(np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]]), 1).toarray()
    assert small[2, 1] == 1 and small[1, 2] == 0  # not symmetrized
    with pytest.raises(InvalidInputError):
        knn_weights(xy, 300)


def test_knn_with_duplicate_points_never_links_self():
    xy = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [5.0, 5.0]])
    w = knn_weights(xy, 2)
    assert np.all(w.diagonal() == 0)
    assert np.all(w.sum(axis=1) == 2)


@pytest.fixture
def cells() -> gpd.GeoDataFrame:
    return grid_frame(GridSpec(0.0, 0.0, 100.0, 7, 5), "EPSG:32616")


def test_weights_for_units_grid_fast_path(cells):
    w, text = weights_for_units(cells, "queen")
    assert text == "queen contiguity (square-grid fast path)"
    plain = gpd.GeoDataFrame(geometry=cells.geometry.to_numpy(), crs=cells.crs)
    w2, text2 = weights_for_units(plain, "queen")
    assert "polygon geometry" in text2
    assert _diff(w, w2) == 0
    assert _diff(weights_for_units(cells, "rook")[0], weights_for_units(plain, "rook")[0]) == 0


def test_weights_for_units_distance_and_knn(cells):
    w, text = weights_for_units(cells, 100)  # an int is a distance, never k
    assert "distance band of 100 m" in text
    assert _diff(w, weights_for_units(cells, "rook")[0]) == 0
    w_d, _ = weights_for_units(cells, {"distance": 150.0})
    assert _diff(w_d, weights_for_units(cells, "queen")[0]) == 0
    ref, text = weights_for_units(cells, "knn:4")
    assert "4 nearest" in text
    for spec in (("knn", 4), {"k": 4}, "KNN4", "knn=4"):
        assert _diff(weights_for_units(cells, spec)[0], ref) == 0
    xy = np.column_stack([cells.centroid.x, cells.centroid.y])
    assert _diff(ref, knn_weights(xy, 4)) == 0


def test_weights_for_units_point_units_use_points(rng):
    xy = rng.random((50, 2)) * 1000
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=32616)
    w, _ = weights_for_units(pts, 200.0)
    assert _diff(w, distance_band_weights(xy, 200.0)) == 0


def test_weights_for_units_geographic_crs_errors(cells):
    geo = cells.to_crs(4326)
    for nb in (500.0, "knn:4"):
        with pytest.raises(CRSError, match=r"to_crs|project"):
            weights_for_units(geo, nb)
    nocrs = cells.set_crs(None, allow_override=True)
    with pytest.raises(CRSError):
        weights_for_units(nocrs, 500.0)


def test_weights_for_units_user_matrix(cells):
    ref, _ = weights_for_units(cells, "queen")
    mat = sparse.csr_matrix(ref) + sparse.eye(len(cells))  # spmatrix with a diagonal
    w, text = weights_for_units(cells, mat)
    assert "diagonal was dropped" in text
    assert _diff(w, ref) == 0
    w2, text2 = weights_for_units(cells, 0.5 * ref.toarray() if False else 0.5 * ref)
    assert "non-binary" in text2 and np.allclose(w2.data, 0.5)
    with pytest.raises(InvalidInputError, match=r"\(35, 35\)"):
        weights_for_units(cells, sparse.eye(3, format="csr"))
    with pytest.raises(InvalidInputError, match="non-negative"):
        weights_for_units(cells, -ref)


def test_weights_for_units_libpysal_objects(cells):
    ref, _ = weights_for_units(cells, "queen")
    lw = libpysal.weights.Queen.from_dataframe(cells, ids=cells.index.tolist())
    w, text = weights_for_units(cells, lw)
    assert _diff(w, ref) == 0 and text.startswith("user weights (binary)")
    graph = libpysal.graph.Graph.build_contiguity(cells, rook=False)
    assert _diff(weights_for_units(cells, graph)[0], ref) == 0
    shuffled = libpysal.weights.Queen.from_dataframe(
        cells.iloc[::-1], ids=cells.index[::-1].tolist()
    )
    with pytest.raises(InvalidInputError, match="order"):
        weights_for_units(cells, shuffled)


@pytest.mark.parametrize("bad", ["bishop", True, None, ("k",), {"a": 1, "b": 2}])
def test_weights_for_units_rejects_unknown(cells, bad):
    with pytest.raises(InvalidInputError, match="not understood"):
        weights_for_units(cells, bad)


def test_weights_for_units_reports_islands():
    geoms = shapely.box([0, 1, 10], [0, 0, 10], [1, 2, 11], [1, 1, 11])
    units = gpd.GeoDataFrame(geometry=geoms, crs=32616)
    w, text = weights_for_units(units, "queen")
    assert n_islands(w) == 1 and "1 unit(s) without neighbours" in text


def test_contiguity_requires_polygons(rng):
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 1], [0, 1]), crs=32616)
    with pytest.raises(InvalidInputError, match="polygons"):
        weights_for_units(pts, "queen")
