"""The officer's list covers the busiest cells: hot spots plus busy places (hotspot.scan.busy)."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

import hotspot as hs
from hotspot._core.grid import GridSpec, grid_frame
from hotspot.pipeline import scan
from hotspot.scan.busy import BUSY_TOP, busy_cells, with_busy_places


def _cells(counts: list[list[int]]) -> gpd.GeoDataFrame:
    arr = np.asarray(counts)[::-1]  # rows as printed, north first
    cells = grid_frame(GridSpec(0.0, 0.0, 100.0, arr.shape[1], arr.shape[0]), 32616)
    cells["n_incidents"] = arr.ravel()
    return cells


def _hot(cells: gpd.GeoDataFrame, ids: list[int]) -> gpd.GeoDataFrame:
    cells = cells.assign(hotspot_class=np.where(cells.index.isin(ids), "hot_99", "not_significant"))
    return hs.hotspots(cells)


def test_busy_cells_outside_hot_spots_ties_and_minimum():
    cells = _cells([[19, 0, 0, 0],
                    [0, 0, 8, 8],
                    [9, 0, 8, 2]])
    hot = _hot(cells, [2, 3])  # bottom row: the 8 and the 2 (row 0 is the south row)
    busy = busy_cells(cells, hot, top=3)
    # top 3 counts are 19, 9, 8 -> every 8 counts (ties); the 8 inside the hot spot is covered
    assert sorted(cells.index[busy]) == [0, 6, 7, 8]
    assert not busy_cells(cells, hot, top=3, min_incidents=20).any()
    assert not busy_cells(cells.iloc[:0], hot).any()


def test_with_busy_places_merges_ranks_and_keeps_hot_spots():
    cells = _cells([[19, 0, 0, 0],
                    [0, 0, 8, 8],
                    [9, 0, 8, 2]])
    hot = _hot(cells, [2, 3])
    places = with_busy_places(cells, hot, top=3)
    assert places["kind"].tolist() == ["busy place", "busy place", "hot spot", "busy place"]
    assert places["n_incidents"].tolist() == [19, 16, 10, 9]  # the two touching 8s merged
    assert places["hotspot_id"].tolist() == [1, 2, 3, 4] == places["rank"].tolist()
    row = places[places["kind"] == "hot spot"].iloc[0]
    assert row["n_incidents"] == hot["n_incidents"].iloc[0]
    assert row.geometry.equals(hot.geometry.iloc[0])
    assert places["place_name"].notna().all() and places["grid_ref"].notna().all()
    meta = places.attrs["hotspot"]["places"]
    assert meta["n_busy_places"] == 3
    assert "busiest cells" in meta["choices"]["busy_places"]["reason"]
    assert with_busy_places(cells, hot, top=0)["kind"].tolist() == ["hot spot"]
    # nothing is mutated
    assert "kind" not in hot.columns and "_busy" not in cells.columns


def test_with_busy_places_no_hot_spots_and_weight():
    cells = _cells([[5, 0, 0], [0, 0, 0], [0, 0, 3]])
    cells["weighted"] = np.where(cells["n_incidents"] == 3, 50.0, cells["n_incidents"] / 5)
    hot = hs.hotspots(cells.assign(hotspot_class="not_significant"), weight="weighted")
    assert len(hot) == 0
    places = with_busy_places(cells, hot, weight="weighted")
    assert places["kind"].tolist() == ["busy place", "busy place"]
    assert places["harm"].tolist() == [50.0, 1.0]  # ranked by harm when weighted


@pytest.mark.shared_data
@pytest.mark.parametrize("precinct", ["Mt. Moriah", "Raines"])
def test_memphis_precincts_busiest_cells_are_listed(precinct, shared_data):
    inc = hs.read_incidents(shared_data / "memphis" / "memphis_robberies_2019.csv.gz")
    areas = gpd.read_file(shared_data / "memphis" / "memphis_precincts.geojson").to_crs(inc.crs)
    area = areas[areas["precinct"] == precinct]
    inc = inc[shapely.intersects(area.union_all(), inc.geometry.to_numpy())]
    cells, places = scan(inc, study_area=area)
    hot_only = hs.hotspots(cells, incidents=inc, max_area_km2=1.0)
    # the busiest cell is not a significant hot spot here (why the list needs busy places)
    busiest = cells["n_incidents"].idxmax()
    assert cells.loc[busiest, "hotspot_class"] == "not_significant"
    assert len(places) > len(hot_only)
    # every one of the BUSY_TOP busiest cells lies in one of the first BUSY_TOP places
    top_cells = cells.nlargest(BUSY_TOP, "n_incidents", keep="all")
    first = places.head(BUSY_TOP).union_all()
    assert top_cells.geometry.centroid.within(first).all()
    # hot spots stay hs.hotspots' own; busy places are labelled
    assert (places["kind"] == "hot spot").sum() == len(hot_only)
    assert set(places["kind"]) == {"hot spot", "busy place"}
    assert places["n_incidents"].is_monotonic_decreasing
    assert places.attrs["hotspot"]["places"]["n_busy_places"] >= 2


@pytest.mark.shared_data
@pytest.mark.slow
def test_mt_moriah_pack_lists_and_explains_busy_places(shared_data, tmp_path):
    """Page 1 lists the busiest cells, marks busy places and says why they are not hot spots."""
    import warnings

    import pypdf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.read_incidents(shared_data / "memphis" / "memphis_robberies_2019.csv.gz")
        areas = gpd.read_file(shared_data / "memphis" / "memphis_precincts.geojson")
        area = areas[areas["precinct"] == "Mt. Moriah"].to_crs(inc.crs)
        out = hs.briefing(inc, tmp_path / "mm.pdf", area=area, area_name="Mt. Moriah",
                          interventions=False, previous=False)
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(str(out)).pages]
    cover = pages[0]
    assert "(busy place)" in cover and "busy places (dashed outline)" in cover
    # the key's words are the rule: place 1 is three touching busy cells, not one dark cell
    assert f"The {BUSY_TOP} busiest cells of the area are always listed" in cover
    assert "busy cells that touch making one place" in cover
    assert "hot spot" in cover and "Busy place: many incidents, not a cluster (4)" in cover
    assert "1 hot spot, 4 busy places" in cover
    # ranked by incidents as printed (the hot spot's outline was trimmed to its busy cells)
    table = cover[cover.index("Rank Place"):]
    counts = [int(c) for c in re.findall(r"[A-Z]\d [a-z]\d+ (\d+) ", table)]
    assert len(counts) == 5 and counts == sorted(counts, reverse=True), counts
    # each place's page opens with what kind of place it is
    assert "E4 b6 Busy place, not a cluster: 34 incidents" in pages[1]
    assert sum("Busy place, not a cluster:" in p for p in pages[1:]) == 4
    assert any("beside it is a hot spot" in p for p in pages[1:])  # the 3 touches place 1


def test_web_map_marks_busy_places():
    pytest.importorskip("folium")
    cells = _cells([[19, 0, 0, 0],
                    [0, 0, 8, 8],
                    [9, 0, 8, 2]])
    places = with_busy_places(cells, _hot(cells, [2, 3]), top=3)
    html = hs.explore(hotspots=places, tiles=None).get_root().render()
    assert "busy place" in html and '"dashArray": "6 4"' in html


def test_printed_map_draws_busy_places_dashed_with_their_own_key():
    import matplotlib.pyplot as plt

    from hotspot.present import maps

    cells = _cells([[19, 0, 0, 0],
                    [0, 0, 8, 8],
                    [9, 0, 8, 2]])
    places = with_busy_places(cells, _hot(cells, [2, 3]), top=3)
    fig, ax = maps.new_map_figure()
    maps.plot_hotspots(places, units=cells, column="n_incidents", ax=ax, title=None)
    outlines = [c for c in ax.collections if c.get_gid() == "hotspot_outline"]
    dashed = [c for c in outlines if any(d[1] is not None for d in c.get_linestyle())]
    assert len(outlines) == 2 and len(dashed) == 1
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Hot spot: a cluster of busy cells (1), numbered by rank" in labels
    assert "Busy place: many incidents, not a cluster (3), numbered by rank" in labels
    plt.close(fig)


@pytest.mark.slow
def test_pack_without_hot_spots_lists_busy_places_and_says_so(tmp_path):
    import pandas as pd
    import pypdf

    rng = np.random.default_rng(4)
    n = 400
    xy = rng.uniform(0, 3_000, (n, 2))  # evenly spread: no cluster
    xy[:12] = [1_510.0, 1_520.0]  # one busy corner, but a single cell
    at = pd.Series(pd.date_range("2023-01-01", "2023-12-31", periods=n, tz="America/Chicago"))
    inc = gpd.GeoDataFrame({"occurred_at": at},
                           geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=32616)
    out = hs.briefing(inc, tmp_path / "flat.pdf", area_name="Test", interventions=False,
                      previous=False, cell_size=250)
    cover = " ".join(pypdf.PdfReader(str(out)).pages[0].extract_text().split())
    assert "busy place" in cover
    assert "No hot spot: no group of cells is busier than chance would give." in cover
