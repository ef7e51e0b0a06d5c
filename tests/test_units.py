"""Tests for hotspot.units: grids, segments, counting and unit assignment."""

from __future__ import annotations

import logging
import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, MultiLineString, Point, Polygon, box

import hotspot as hs
from hotspot._core.grid import auto_cell_size, grid_spec_of
from hotspot.exceptions import CRSError, DataQualityWarning, HotspotWarning, InvalidInputError
from hotspot.units.build import (
    DEFAULT_SNAP_DISTANCE,
    HexSpec,
    grid,
    hex_cell_of,
    segments,
)
from hotspot.units.counting import assign_units, count

CRS = "EPSG:32616"


def pts(xs, ys, crs=CRS, **cols):
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(xs, ys), crs=crs)


def sjoin_positions(points: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> np.ndarray:
    """Reference: unit position per point by geopandas sjoin, lowest position on ties."""
    u = units.reset_index(drop=True)
    j = gpd.sjoin(points.reset_index(drop=True), u, predicate="intersects", how="left")
    ref = j.groupby(level=0)["index_right"].min()
    return ref.fillna(-1).astype(np.int64).to_numpy()


def positions(ids: np.ndarray, units: gpd.GeoDataFrame) -> np.ndarray:
    """unit_id array -> positions (-1 stays -1)."""
    idx = units.index.get_indexer(np.where(ids == -1, units.index[0], ids))
    return np.where(ids == -1, -1, idx)


# ----------------------------------------------------------------------------- grid()


def test_square_grid_anchored_on_multiples_of_cell_size():
    cells = grid(pts([130.0, 470.0], [260.0, 390.0]), 100)
    spec = grid_spec_of(cells)
    assert (spec.x0, spec.y0, spec.nx, spec.ny) == (100.0, 200.0, 4, 2)
    assert cells.index.name == "unit_id"
    assert cells.index.tolist() == (cells["row"] * spec.nx + cells["col"]).tolist()
    assert cells.total_bounds.tolist() == [100.0, 200.0, 500.0, 400.0]
    # another data set with the same cell size lines up exactly
    other = grid(pts([-250.0, 30.0], [-10.0, 80.0]), 100)
    assert grid_spec_of(other).x0 == -300.0 and grid_spec_of(other).y0 == -100.0
    assert np.all(np.mod(other.total_bounds, 100) == 0)


def test_negative_and_float_anchor_robust():
    # minx/cell rounds to an integer from below: the anchor must not exceed minx
    x = 0.3 - 1e-17
    cells = grid(pts([x, 1.0], [0.0, 1.0]), 0.1)
    assert grid_spec_of(cells).x0 <= x
    assert count(pts([x], [0.0]), cells)["n_incidents"].sum() == 1


def test_auto_cell_size_rule_reported(caplog):
    area = pts([0.0, 10_000.0], [0.0, 6_000.0])
    with caplog.at_level(logging.INFO, logger="hotspot"):
        cells = grid(area)
    choice = cells.attrs["hotspot"]["units"]["choices"]["cell_size"]
    assert choice["value"] == 100.0  # 6000 / 50 = 120 -> multiple of 100
    assert "50" in choice["reason"]
    assert "cell_size = 100.0" in caplog.text
    assert grid(pts([0.0, 20_000.0], [0.0, 17_000.0])).attrs["hotspot"]["units"]["choices"][
        "cell_size"]["value"] == 300.0  # 340 -> 300 (no incidents to count: no cap)
    # KDE grids keep their own rule: 340 -> 300 (bandwidth / 2 = 2500 is not smaller)
    assert auto_cell_size((0.0, 0.0, 20_000.0, 17_000.0), {}, bandwidth=5_000.0) == 300.0
    # the support floor still holds over the cap: sqrt(400 km² / 1,000) = 632 m -> 650 m
    assert auto_cell_size((0.0, 0.0, 20_000.0, 20_000.0), {}, n_points=1_000,
                          area_m2=4e8) == 650.0
    # many incidents on a small area: never below one street block (100 m) when counting
    assert auto_cell_size((0.0, 0.0, 4_000.0, 6_000.0), {}, n_points=12_000,
                          area_m2=16e6) == 100.0  # 4000 / 50 = 80 -> 50 m; floor 36.5 m
    assert auto_cell_size((0.0, 0.0, 4_000.0, 6_000.0), {}, bandwidth=160.0) == 50.0  # KDE
    # below 100 m: 1/2/2.5/5 x 10^k
    small = grid(pts([0.0, 2_000.0], [0.0, 2_000.0]))
    assert small.attrs["hotspot"]["units"]["choices"]["cell_size"]["value"] == 25.0  # 40 -> 25
    # points on one horizontal line: the longer side is used
    line = grid(pts([0.0, 5_000.0], [7.0, 7.0]))
    assert line.attrs["hotspot"]["units"]["choices"]["cell_size"]["value"] == 100.0
    assert len(line) == 51
    # at least 1 m
    tiny = grid(pts([0.0, 10.0], [0.0, 10.0]))
    assert tiny.attrs["hotspot"]["units"]["choices"]["cell_size"]["value"] == 1.0


def test_auto_cell_size_single_location_errors():
    with pytest.raises(InvalidInputError, match="single location"):
        grid(pts([5.0, 5.0], [5.0, 5.0]))
    # with an explicit cell size a single location is fine: one cell
    assert len(grid(pts([5.0], [5.0]), 100)) == 1


def test_bad_arguments():
    area = pts([0.0, 100.0], [0.0, 100.0])
    for bad in (0, -5, float("nan"), "x"):
        with pytest.raises(InvalidInputError, match="cell_size"):
            grid(area, bad)
    with pytest.raises(InvalidInputError, match="shape"):
        grid(area, 10, shape="triangle")


def test_many_cells_warning():
    area = pts([0.0, 320.0], [0.0, 320.0])
    with pytest.warns(HotspotWarning, match=r"103,041 cells of 1 m.*cell_size"):
        cells = grid(area, 1)
    assert len(cells) == 103_041
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grid(area, 2)  # 25,921 cells: no warning
    with pytest.raises(InvalidInputError, match=r"0.1 m cells .* GiB .*cell_size=\d+"):
        grid(pts([0.0, 1e6], [0.0, 1e6]), 0.1)


def test_crs_errors():
    with pytest.raises(CRSError, match="geographic"):
        grid(pts([-87.6, -87.5], [41.8, 41.9], crs="EPSG:4326"), 100)
    with pytest.raises(CRSError, match="no CRS"):
        grid(pts([0.0, 1.0], [0.0, 1.0], crs=None), 100)
    with pytest.raises(CRSError, match=r"not the metre"):
        grid(pts([0.0, 1000.0], [0.0, 1000.0], crs="EPSG:3435"), 100)
    study = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10)], crs="EPSG:32615")
    with pytest.raises(CRSError, match="same CRS"):
        grid(pts([0.0, 1.0], [0.0, 1.0]), 1, study_area=study)
    cells = grid(pts([0.0, 100.0], [0.0, 100.0]), 10)
    with pytest.raises(CRSError, match="same CRS"):
        count(pts([1.0], [1.0], crs="EPSG:32615"), cells)
    with pytest.raises(CRSError, match="geographic"):
        count(pts([1.0], [1.0], crs="EPSG:4326"), cells.set_crs("EPSG:4326",
                                                                allow_override=True))


def test_study_area_keeps_whole_cells_that_overlap():
    # triangle over a 4 x 4 grid of 10 m cells
    tri = Polygon([(0, 0), (40, 0), (0, 40)])
    study = gpd.GeoDataFrame(geometry=[tri], crs=CRS)
    cells = grid(pts([0.0, 39.0], [0.0, 39.0]), 10, study_area=study)
    spec = grid_spec_of(cells)
    assert (spec.nx, spec.ny) == (5, 5)  # bounds 0..40 inclusive -> 5 cells a side
    # cells whose interior meets the triangle: row + col <= 3 (the diagonal cells touch
    # the hypotenuse only at corners -> excluded)
    want = sorted(r * 5 + c for r in range(5) for c in range(5) if r + c <= 3)
    assert sorted(cells.index) == want
    assert np.allclose(cells.area, 100.0)  # whole cells, no slivers
    assert cells.attrs["hotspot"]["units"]["params"]["study_area"] is True
    # counting into the clipped grid: an incident in a removed cell is outside
    inc = pts([5.0, 35.0, 15.0], [5.0, 35.0, 5.0])
    with pytest.warns(DataQualityWarning, match="1 of 3"):
        out = count(inc, cells)
    assert out.loc[0, "n_incidents"] == 1 and out.loc[1, "n_incidents"] == 1
    assert out["n_incidents"].sum() == 2
    meta = out.attrs["hotspot"]["count"]
    assert meta["n_outside"] == 1 and meta["outside_index"] == [1]
    assert meta["path"].startswith("square grid")


def test_study_area_must_be_polygons_and_overlap():
    with pytest.raises(InvalidInputError, match="polygons"):
        grid(pts([0.0, 10.0], [0.0, 10.0]), 1, study_area=pts([0.0], [0.0]))
    # the grid covers the study area, not just the incidents
    study = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 50)], crs=CRS)
    cells = grid(pts([10.0, 20.0], [10.0, 20.0]), 10, study_area=study)
    assert len(cells) == 50


def test_hex_grid_geometry_and_spec():
    area = pts([0.0, 1000.0], [0.0, 800.0])
    hexes = grid(area, 100, shape="hex")
    assert grid_spec_of(hexes) is None  # not a square grid
    spec = hexes.attrs["hotspot"]["hexgrid"]
    assert spec["orientation"] == "pointy" and spec["cell_size"] == 100.0
    assert np.allclose(hexes.area, 100.0**2)  # same area as a square cell
    assert hexes.geometry.is_valid.all()
    # hexagons tile: no overlaps, and they cover the bounding box
    union = shapely.union_all(hexes.geometry.to_numpy())
    assert union.area == pytest.approx(len(hexes) * 1e4, rel=1e-9)
    assert union.contains(box(0, 0, 1000, 800))
    # only hexagons overlapping the box are kept
    assert (hexes.intersection(box(0, 0, 1000, 800)).area > 1e-6).all()
    hs = HexSpec(**{k: spec[k] for k in ("x0", "y0", "cell_size", "nx", "ny")})
    cx, cy = hs.centres(hexes["row"].to_numpy(), hexes["col"].to_numpy())
    assert np.allclose(np.column_stack([cx, cy]), shapely.get_coordinates(hexes.centroid))
    assert hexes.index.tolist() == (hexes["row"] * spec["nx"] + hexes["col"]).tolist()
    # a pointy-topped hexagon is taller than wide
    minx, miny, maxx, maxy = hexes.geometry.iloc[0].bounds
    assert (maxy - miny) / (maxx - minx) == pytest.approx(2 / math.sqrt(3))


def test_hex_grids_of_same_size_line_up():
    a = grid(pts([0.0, 900.0], [0.0, 900.0]), 100, shape="hex")
    b = grid(pts([350.0, 2000.0], [420.0, 1500.0]), 100, shape="hex")
    ca = np.round(shapely.get_coordinates(a.centroid), 6)
    cb = np.round(shapely.get_coordinates(b.centroid), 6)
    shared = {tuple(p) for p in ca} & {tuple(p) for p in cb}
    assert len(shared) > 10
    # any centre of b near a's extent is a centre of a
    inside = (cb[:, 0] > 300) & (cb[:, 0] < 800) & (cb[:, 1] > 400) & (cb[:, 1] < 800)
    assert {tuple(p) for p in cb[inside]} <= {tuple(p) for p in ca}


def test_hex_cell_of_matches_nearest_centre(rng):
    spec = HexSpec(3.0, -7.0, 50.0, 40, 40)
    x = rng.uniform(100, 1500, 5000)  # well inside the lattice
    y = rng.uniform(100, 1500, 5000)
    row, col = hex_cell_of(spec, x, y)
    rr, cc = np.divmod(np.arange(spec.n_cells), spec.nx)
    cx, cy = spec.centres(rr, cc)
    d2 = (x[:, None] - cx[None, :]) ** 2 + (y[:, None] - cy[None, :]) ** 2
    nearest = d2.argmin(axis=1)
    assert np.array_equal(row * spec.nx + col, nearest)


def test_hex_count_agrees_with_sjoin(rng):
    xy = rng.uniform([1000, 2000], [4000, 4500], size=(20_000, 2))
    inc = pts(xy[:, 0], xy[:, 1])
    hexes = grid(inc, 97.0, shape="hex")
    ids = assign_units(inc, hexes)
    assert (ids >= 0).all()
    assert np.array_equal(positions(ids, hexes), sjoin_positions(inc, hexes))
    out = count(inc, hexes)
    assert out.attrs["hotspot"]["count"]["path"].startswith("hex grid")
    ref = np.bincount(sjoin_positions(inc, hexes), minlength=len(hexes))
    assert np.array_equal(out["n_incidents"].to_numpy(), ref)
    # a subset of the hexes (e.g. after a filter) still uses the fast path correctly
    sub = hexes.iloc[::3]
    ids = assign_units(inc, sub)
    assert np.array_equal(positions(ids, sub), sjoin_positions(inc, sub))


def test_hex_study_area_clip():
    circle = gpd.GeoDataFrame(geometry=[Point(500, 500).buffer(300)], crs=CRS)
    hexes = grid(pts([0.0, 1000.0], [0.0, 1000.0]), 60, shape="hex", study_area=circle)
    assert hexes.intersects(circle.geometry.iloc[0]).all()
    assert not hexes.touches(circle.geometry.iloc[0]).any()
    assert shapely.union_all(hexes.geometry.to_numpy()).contains(circle.geometry.iloc[0])


# ----------------------------------------------------------------------------- count() on grids


def test_count_tiny_grid_edges_and_outside():
    cells = grid(pts([0.0, 299.0], [0.0, 199.0]), 100)  # 3 x 2 cells
    inc = pts(
        [0.0, 100.0, 99.999, 150.0, 300.0, -0.001, 250.0, 250.0],
        [0.0, 50.0, 50.0, 100.0, 50.0, 50.0, 199.0, 200.0],
    )
    # (0,0)->cell 0; x=100 on the edge -> cell 1 (right); 99.999 -> cell 0;
    # y=100 on the edge -> row 1 (above) -> cell 4; x=300 is past the grid -> outside;
    # x<0 outside; (250,199) -> cell 5; y=200 past the grid -> outside
    with pytest.warns(DataQualityWarning, match=r"3 of 8 incidents \(37\.5%\)"):
        out = count(inc, cells)
    assert out["n_incidents"].tolist() == [2, 1, 0, 0, 1, 1]
    assert out["n_incidents"].dtype == np.int64
    meta = out.attrs["hotspot"]["count"]
    assert meta["n_outside"] == 3 and meta["n_counted"] == 5
    assert meta["outside_index"] == [4, 5, 7]
    assert meta["share_outside"] == pytest.approx(3 / 8)
    assert assign_units(inc, cells).tolist() == [0, 1, 0, 4, -1, -1, 5, -1]
    # the grid spec survives counting (later fast paths)
    assert grid_spec_of(out) == grid_spec_of(cells)


def test_count_matches_sjoin_on_random_points(rng):
    xy = rng.uniform(0, 5000, size=(30_000, 2)) + 0.123
    inc = pts(xy[:, 0], xy[:, 1])
    cells = grid(pts([500.0, 4000.0], [500.0, 4500.0]), 100)  # many points outside
    with pytest.warns(DataQualityWarning):
        out = count(inc, cells)
    ref = sjoin_positions(inc, cells)
    assert np.array_equal(positions(assign_units(inc, cells), cells), ref)
    assert np.array_equal(out["n_incidents"].to_numpy(),
                          np.bincount(ref[ref >= 0], minlength=len(cells)))
    assert out.attrs["hotspot"]["count"]["n_outside"] == int((ref < 0).sum())
    # shuffled subset of cells: fast path through the lookup
    sub = cells.sample(frac=0.5, random_state=1)
    with pytest.warns(DataQualityWarning):
        out_sub = count(inc, sub)
    assert out_sub.attrs["hotspot"]["count"]["path"].startswith("square grid")
    assert np.array_equal(positions(assign_units(inc, sub), sub), sjoin_positions(inc, sub))
    assert out_sub.index.equals(sub.index)
    assert np.array_equal(out_sub["n_incidents"].to_numpy(),
                          out.loc[sub.index, "n_incidents"].to_numpy())


def test_reprojected_grid_falls_back_to_general_path(rng):
    cells = grid(pts([0.0, 1000.0], [0.0, 1000.0]), 100).set_crs(CRS)
    moved = cells.copy()
    moved["geometry"] = moved.translate(37.0, 11.0)  # attrs kept, geometry changed
    xy = rng.uniform(0, 1000, size=(2000, 2))
    inc = pts(xy[:, 0], xy[:, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        out = count(inc, moved)
    assert out.attrs["hotspot"]["count"]["path"].startswith("polygons")
    ref = sjoin_positions(inc, moved)
    assert np.array_equal(out["n_incidents"].to_numpy(),
                          np.bincount(ref[ref >= 0], minlength=len(moved)))


def test_count_by_categories_and_weight():
    cells = grid(pts([0.0, 199.0], [0.0, 99.0]), 100)  # 2 cells
    inc = pts(
        [10, 20, 30, 150, 160, 170, 500],
        [10, 10, 10, 50, 50, 50, 50],
        offence=["Theft", "theft", "Criminal damage", "Theft", None, "Burglary / other", "x"],
        harm=[1.0, 2.0, 4.0, 8.0, np.nan, 32.0, 64.0],
    )
    with pytest.warns(DataQualityWarning) as record:
        out = count(inc, cells, by="offence", weight="harm")
    messages = " ".join(str(w.message) for w in record)
    assert "no `offence` value" in messages and "missing" in messages and "outside" in messages
    cols = ["n_incidents", "n_burglary_other", "n_criminal_damage", "n_theft", "n_theft_2",
            "n_x", "weighted"]
    assert [c for c in out.columns if c.startswith("n_") or c == "weighted"] == cols
    assert out["n_incidents"].tolist() == [3, 3]
    assert out["n_theft"].tolist() == [1, 1]  # "Theft"
    assert out["n_theft_2"].tolist() == [1, 0]  # "theft"
    assert out["n_criminal_damage"].tolist() == [1, 0]
    assert out["n_burglary_other"].tolist() == [0, 1]
    assert out["n_x"].tolist() == [0, 0]  # its only incident is outside
    assert out["weighted"].tolist() == [7.0, 40.0]  # NaN harm counts 0; outside not added
    assert out["weighted"].dtype == np.float64
    meta = out.attrs["hotspot"]["count"]
    assert meta["categories"]["n_theft_2"] == "theft"
    assert meta["n_missing_category"] == 1 and meta["n_missing_weight"] == 1
    for c in cols[1:-1]:
        assert out[c].dtype == np.int64


def test_count_categorical_keeps_unobserved_categories():
    cells = grid(pts([0.0, 99.0], [0.0, 99.0]), 100)
    off = pd.Categorical(["b", "a"], categories=["c", "b", "a"])
    out = count(pts([1, 2], [1, 2], offence=off), cells, by="offence")
    assert [c for c in out.columns if c.startswith("n_")] == ["n_incidents", "n_c", "n_b",
                                                               "n_a"]
    assert out[["n_c", "n_b", "n_a"]].iloc[0].tolist() == [0, 1, 1]
    # a category named "incidents" cannot overwrite n_incidents
    out = count(pts([1, 2], [1, 2], offence=["incidents", "y"]), cells, by="offence")
    assert out["n_incidents"].tolist() == [2] and out["n_incidents_2"].tolist() == [1]


def test_count_bad_columns():
    cells = grid(pts([0.0, 99.0], [0.0, 99.0]), 100)
    inc = pts([1], [1], harm=["high"])
    with pytest.raises(InvalidInputError, match="offence"):
        count(inc, cells, by="offence")
    with pytest.raises(InvalidInputError, match="numeric"):
        count(inc, cells, weight="harm")
    with pytest.raises(InvalidInputError, match="Point"):
        count(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=CRS), cells)
    with pytest.raises(InvalidInputError, match="Point"):
        count(gpd.GeoDataFrame(geometry=[Point()], crs=CRS), cells)
    with pytest.raises(InvalidInputError, match="unique index"):
        count(inc, pd.concat([cells, cells]))
    with pytest.raises(InvalidInputError, match="polygons"):
        count(inc, pts([0.0], [0.0]))
    with pytest.raises(TypeError, match="GeoDataFrame"):
        count(inc.drop(columns="geometry").assign(x=1), cells)
    with pytest.raises(InvalidInputError, match="max_distance"):
        count(inc, cells, max_distance=-1)


def test_count_does_not_mutate_inputs(rng):
    xy = rng.uniform(0, 500, size=(300, 2))
    inc = pts(xy[:, 0], xy[:, 1], offence=rng.choice(["a", "b"], 300), w=rng.random(300))
    cells = grid(pts([100.0, 400.0], [100.0, 400.0]), 50)
    inc0, cells0 = inc.copy(), cells.copy()
    attrs_inc, attrs_cells = repr(inc.attrs), repr(cells.attrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        out = count(inc, cells, by="offence", weight="w")
        assign_units(inc, cells)
    pd.testing.assert_frame_equal(inc, inc0)
    pd.testing.assert_frame_equal(cells, cells0)
    assert repr(inc.attrs) == attrs_inc and repr(cells.attrs) == attrs_cells
    assert "n_incidents" not in cells.columns and out is not cells
    out.loc[out.index[0], "row"] = 999
    assert cells["row"].iloc[0] != 999
    # segments() and grid() leave their inputs alone too
    lines = gpd.GeoDataFrame({"a": [1]}, geometry=[LineString([(0, 0), (300, 0)])], crs=CRS)
    lines0 = lines.copy()
    segments(lines, max_length=100)
    pd.testing.assert_frame_equal(lines, lines0)


def test_count_empty_incidents_and_no_warning_when_all_inside():
    cells = grid(pts([0.0, 99.0], [0.0, 99.0]), 50)
    out = count(pts([], []), cells)
    assert out["n_incidents"].tolist() == [0, 0, 0, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        count(pts([1.0, 60.0], [1.0, 60.0]), cells)


# ----------------------------------------------------------------------------- polygons


def test_polygon_units_shared_boundary_counted_once():
    units = gpd.GeoDataFrame(
        {"beat": ["B2", "B1"]}, geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=CRS,
        index=pd.Index(["b2", "b1"], name="beat_id"),
    )
    inc = pts([10.0, 5.0, 15.0, 10.0, 30.0], [5.0, 5.0, 5.0, 0.0, 5.0])
    with pytest.warns(DataQualityWarning, match="max_distance"):
        out = count(inc, units)
    # points on the shared edge go to the unit listed first ("b2")
    assert out["n_incidents"].tolist() == [3, 1]
    assert out.index.name == "beat_id"
    ids = assign_units(inc, units)
    assert ids.tolist() == ["b2", "b2", "b1", "b2", None]
    assert out.attrs["hotspot"]["count"]["path"].startswith("polygons")
    # max_distance snaps the outside point to the nearest polygon
    out = count(inc, units, max_distance=15)
    assert out["n_incidents"].tolist() == [3, 2]
    with pytest.warns(DataQualityWarning):
        count(inc, units, max_distance=5)


def test_polygon_index_without_name_gets_unit_id():
    units = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10)], crs=CRS)
    out = count(pts([1.0], [1.0]), units)
    assert out.index.name == "unit_id" and units.index.name is None


def _incidents_from_csv(path, crs_to, usecols):
    df = pd.read_csv(path, usecols=usecols)
    return gpd.GeoDataFrame(
        df, geometry=gpd.points_from_xy(df["longitude"], df["latitude"]), crs="EPSG:4326"
    ).to_crs(crs_to)


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("incidents_file", "polygons_file", "epsg", "usecols"),
    [
        ("chicago/chicago_aggravated_assaults_2010_2019.csv.gz",
         "chicago/chicago_police_districts.geojson", 32616,
         ["longitude", "latitude", "district"]),
        ("memphis/memphis_robberies_2019.csv.gz", "memphis/memphis_precincts.geojson", 32615,
         ["longitude", "latitude", "uid"]),
    ],
)
def test_real_polygon_units_match_sjoin(shared_data, incidents_file, polygons_file, epsg,
                                        usecols):
    inc = _incidents_from_csv(shared_data / incidents_file, epsg, usecols)
    polys = gpd.read_file(shared_data / polygons_file).to_crs(epsg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        out = count(inc, polys)
    ref = sjoin_positions(inc, polys)
    expected = np.bincount(ref[ref >= 0], minlength=len(polys))
    assert np.array_equal(out["n_incidents"].to_numpy(), expected)
    meta = out.attrs["hotspot"]["count"]
    assert meta["n_outside"] == int((ref < 0).sum())
    assert meta["n_counted"] + meta["n_outside"] == len(inc)
    assert out["n_incidents"].sum() > 0.9 * len(inc)
    # a square grid over the same incidents: fast path equals sjoin too
    cells = grid(inc, 1000)
    sub = inc.iloc[:20_000]
    assert np.array_equal(positions(assign_units(sub, cells), cells),
                          sjoin_positions(sub, cells))


@pytest.mark.shared_data
def test_chicago_district_counts_match_recorded_district(shared_data):
    inc = _incidents_from_csv(
        shared_data / "chicago/chicago_aggravated_assaults_2010_2019.csv.gz", 32616,
        ["longitude", "latitude", "district"],
    )
    polys = gpd.read_file(shared_data / "chicago/chicago_police_districts.geojson")
    polys = polys.to_crs(32616).dissolve("district")  # district 31 comes in 3 rows
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        ids = assign_units(inc, polys, max_distance=100)
    # the recorded district came from a join to beat polygons: nearly all agree
    assert (ids == inc["district"].to_numpy()).mean() > 0.97


@pytest.mark.shared_data
@pytest.mark.slow
def test_ten_years_of_a_district_scan_on_street_blocks(shared_data):
    """12,816 assaults in District 11: the support floor alone gave 50 m cells, single
    addresses, on which Gi* flagged no cell; street blocks (100 m) find the hot spots."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        inc = hs.read_incidents(
            shared_data / "chicago/chicago_aggravated_assaults_2010_2019.csv.gz")
        district = inc[inc["district"] == 11]
        spots = hs.hotspots(district)
    choice = spots.attrs["hotspot"]["units"]["choices"]["cell_size"]
    assert choice["value"] == 100.0 and "street block" in choice["reason"]
    assert len(spots) >= 5


# ----------------------------------------------------------------------------- segments


def test_segments_explode_drop_and_report():
    lines = gpd.GeoDataFrame(
        {"name": ["A", "B", "C", "D", "E"]},
        geometry=[
            LineString([(0, 0), (100, 0)]),
            MultiLineString([[(0, 10), (50, 10)], [(60, 10), (60, 40)]]),
            LineString(),
            LineString([(5, 5), (5, 5)]),
            MultiLineString([[(0, 50), (0, 50)], [(1, 50), (21, 50)]]),
        ],
        crs=CRS,
        index=[10, 11, 12, 13, 14],
    )
    with pytest.warns(DataQualityWarning, match="1 empty and 1 zero-length"):
        segs = segments(lines)
    assert segs.index.name == "unit_id" and segs.index.tolist() == [0, 1, 2, 3]
    assert segs["name"].tolist() == ["A", "B", "B", "E"]
    assert segs["source_index"].tolist() == [10, 11, 11, 14]
    assert segs["length_m"].tolist() == [100.0, 50.0, 30.0, 20.0]
    meta = segs.attrs["hotspot"]["units"]
    assert meta["dropped_empty"] == [12] and meta["dropped_zero_length"] == [13]
    assert meta["n_input"] == 5 and meta["n_segments"] == 4
    assert meta["n_zero_length_parts_dropped"] == 1  # first part of E
    assert (segs.geom_type == "LineString").all()


def test_segments_split_equal_pieces(rng):
    # random polylines with many vertices, some exactly at cut points
    coords = np.cumsum(rng.normal(0, 30, size=(40, 12, 2)), axis=1)
    geoms = list(shapely.linestrings(coords))
    geoms.append(LineString([(0, 0), (50, 0), (100, 0), (100, 50)]))  # vertices at cuts
    lines = gpd.GeoDataFrame({"k": np.arange(len(geoms))}, geometry=geoms, crs=CRS)
    segs = segments(lines, max_length=50)
    total = lines.length.to_numpy()
    n = np.ceil(total / 50).astype(int)
    assert np.array_equal(segs.groupby("source_index").size().to_numpy(), n)
    assert (segs["length_m"] <= 50 + 1e-9).all()
    per = segs.groupby("source_index")["length_m"]
    assert np.allclose(per.sum().to_numpy(), total)
    assert np.allclose(per.max() - per.min(), 0, atol=1e-8)  # equal pieces
    for i, geom in enumerate(geoms):
        parts = segs.geometry[segs["source_index"] == i].to_numpy()
        # consecutive pieces join end to start, and follow the line
        assert shapely.equals_exact(shapely.get_point(parts[:-1], -1),
                                    shapely.get_point(parts[1:], 0), tolerance=1e-9).all()
        assert shapely.get_point(parts[0], 0).equals(shapely.get_point(geom, 0))
        assert shapely.hausdorff_distance(shapely.union_all(parts), geom) < 1e-6
    last = segs[segs["source_index"] == len(geoms) - 1]
    assert [len(g.coords) for g in last.geometry] == [2, 2, 2]
    assert segs.attrs["hotspot"]["units"]["n_split"] == int((n > 1).sum())
    with pytest.raises(InvalidInputError, match="max_length"):
        segments(lines, max_length=0)


def test_segments_rejects_polygons_and_geographic():
    with pytest.raises(InvalidInputError, match="LineString"):
        segments(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=CRS))
    with pytest.raises(CRSError):
        segments(gpd.GeoSeries([LineString([(0, 0), (1, 1)])], crs="EPSG:4326"))


def test_line_units_default_snapping_distance():
    segs = segments(gpd.GeoSeries([LineString([(0, 0), (100, 0)]),
                                   LineString([(0, 100), (100, 100)])], crs=CRS))
    inc = pts([50.0, 50.0, 50.0, 50.0], [10.0, 60.0, 49.0, -51.0])
    with pytest.warns(DataQualityWarning, match="1 of 4"):
        out = count(inc, segs)
    assert out["n_incidents"].tolist() == [2, 1]
    meta = out.attrs["hotspot"]["count"]
    assert meta["choices"]["max_distance"]["value"] == DEFAULT_SNAP_DISTANCE == 50.0
    assert meta["outside_index"] == [3]
    out = count(inc, segs, max_distance=60)
    assert out["n_incidents"].tolist() == [3, 1]
    assert "max_distance" not in out.attrs["hotspot"]["count"]["choices"]


def _chicago_network(shared_data):
    folder = shared_data / "chicago/spatstat_chicago_network"
    seg = pd.read_csv(folder / "segments.csv")
    crimes = pd.read_csv(folder / "crimes.csv")
    offset = np.array([440_000.0, 4_630_000.0])  # local feet -> metres, placed in UTM 16N
    ends = np.stack([seg[["x0_ft", "y0_ft"]].to_numpy(), seg[["x1_ft", "y1_ft"]].to_numpy()],
                    axis=1) * 0.3048 + offset
    lines = gpd.GeoDataFrame(seg[["segment_id"]], geometry=shapely.linestrings(ends), crs=CRS)
    xy = crimes[["x_ft", "y_ft"]].to_numpy() * 0.3048 + offset
    inc = gpd.GeoDataFrame(crimes, geometry=gpd.points_from_xy(*xy.T), crs=CRS)
    return lines, inc


@pytest.mark.shared_data
def test_chicago_crimes_snap_to_recorded_segment(shared_data):
    lines, inc = _chicago_network(shared_data)
    segs = segments(lines)
    assert len(segs) == len(lines)
    ids = assign_units(inc, segs, max_distance=5.0)
    assert (ids >= 0).all()
    got = segs.geometry.loc[ids].to_numpy()
    recorded = segs.set_index("segment_id").geometry.loc[inc["segment_id"]].to_numpy()
    d_got = shapely.distance(inc.geometry.to_numpy(), got)
    d_rec = shapely.distance(inc.geometry.to_numpy(), recorded)
    # ties at shared segment ends are allowed: the snapped segment is as near as the recorded
    assert np.allclose(d_got, d_rec, atol=1e-6)
    assert d_rec.max() < 0.01
    out = count(inc, segs, by="offence_type", max_distance=5.0)
    assert out["n_incidents"].sum() == 116
    assert out["n_theft"].sum() == 38 and out["n_cartheft"].sum() == 7
    by_seg = out.groupby("segment_id")["n_incidents"].sum()
    expected = inc["segment_id"].value_counts()
    assert (by_seg.loc[expected.index] == expected).mean() > 0.9
    # split segments: counts are conserved
    short = segments(lines, max_length=20)
    assert count(inc, short, max_distance=5.0)["n_incidents"].sum() == 116


@pytest.mark.shared_data
@pytest.mark.parametrize("shape", ["square", "hex"])
def test_memphis_clipped_grid_matches_sjoin(shared_data, shape):
    inc = _incidents_from_csv(shared_data / "memphis/memphis_robberies_2019.csv.gz", 32615,
                              ["longitude", "latitude", "uid"])
    precincts = gpd.read_file(shared_data / "memphis/memphis_precincts.geojson").to_crs(32615)
    cells = grid(inc, 500, shape=shape, study_area=precincts)
    city = shapely.union_all(precincts.geometry.to_numpy())
    assert cells.intersects(city).all()
    assert shapely.union_all(cells.geometry.to_numpy()).buffer(1e-6).covers(city)
    assert np.allclose(cells.area, 500.0**2)
    ref = sjoin_positions(inc, cells)
    assert np.array_equal(positions(assign_units(inc, cells), cells), ref)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        out = count(inc, cells)
    meta = out.attrs["hotspot"]["count"]
    assert meta["n_counted"] + meta["n_outside"] == len(inc) == 2245
    assert meta["n_outside"] == int((ref < 0).sum())
    assert np.array_equal(out["n_incidents"].to_numpy(),
                          np.bincount(ref[ref >= 0], minlength=len(cells)))


def test_auto_cell_size_support_floor_holds_one_incident_per_cell():
    from hotspot._core.grid import auto_cell_size

    choices: dict = {}
    # a 4 x 6 km district with 1,500 incidents: 80 m by extent, 103 m by support -> 150 m
    size = auto_cell_size((0, 0, 4_000, 6_000), choices, n_points=1_500, area_m2=16e6)
    assert size == 150.0
    assert "one incident on average" in choices["cell_size"]["reason"]
    # a city whose extent rule is coarser than the floor gets street-scale cells
    assert auto_cell_size((0, 0, 30_000, 20_000), {}, n_points=20_000, area_m2=6e8) == 250.0
    # KDE (bandwidth given) has no support floor
    assert auto_cell_size((0, 0, 4_000, 6_000), {}, bandwidth=100, n_points=1_500,
                          area_m2=16e6) == 50.0


@pytest.mark.shared_data
def test_district_scan_finds_places_on_the_automatic_cells(shared_data):
    """The busiest Chicago district's briefing scan flags places, not 'no hotspots'."""
    import hotspot as hs
    from hotspot.pipeline import scan

    incidents = hs.datasets.load_sample("chicago_assaults")
    districts = hs.datasets.load_sample("chicago_districts")
    area = districts[districts["district"].astype(str).str.strip().str.lstrip("0") == "11"]
    inside = incidents[incidents.within(area.union_all())]
    cells, spots = scan(inside, study_area=area)
    assert cells.attrs["hotspot"]["units"]["choices"]["cell_size"]["value"] >= 100
    assert len(spots) >= 1
