"""Place names and the map grid reference (hotspot.scan.places)."""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, box

import hotspot as hs
from hotspot.exceptions import InvalidInputError
from hotspot.scan.places import address_column, clean_place, map_grid, place_names

CRS = 32616


def _hot() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"hotspot_id": [1, 2], "rank": [1, 2]},
        geometry=[box(0, 0, 200, 200), box(1000, 1000, 1200, 1200)],
        crs=CRS,
    )


def _points(xs, ys, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(xs, ys), crs=CRS)


def test_clean_place_forms() -> None:
    assert clean_place("On or near HIGH STREET") == "High Street"
    assert clean_place("on or near Ash Mount") == "Ash Mount"
    assert clean_place("011XX W ROBSON ST") == "11XX W Robson St"
    assert clean_place(None) == ""
    assert clean_place(float("nan")) == ""
    assert clean_place("On or near") == ""


def test_address_column_ignores_categories() -> None:
    df = pd.DataFrame(
        {
            "loc_cat": ["street", "residence", "retail", "school", "park"] * 4,
            "location_type": ["Main St", "High St", "A Rd", "B Rd", "C Rd"] * 4,
            "Location": [f"On or near Street {i}" for i in range(20)],
        }
    )
    assert address_column(df) == "Location"
    assert address_column(df.drop(columns="Location")) is None


def test_place_names_from_addresses_respect_min_count() -> None:
    inc = _points(
        [10, 20, 30, 40, 50, 60, 1100, 1110],
        [10, 20, 30, 40, 50, 60, 1100, 1110],
        block=["011XX W ROBSON ST"] * 3
        + ["010XX ALBERNI ST"] * 2
        + ["1XX X ST"]
        + ["9XX A ST"] * 2,
    )
    out = place_names(_hot(), inc, address="block", min_count=2)
    assert out.loc[0, "place_name"] == "11XX W Robson St / 10XX Alberni St"
    assert out.loc[0, "place_source"] == "address"
    # one address held by 2 incidents: named at min_count=2, not at 3 (privacy)
    assert out.loc[1, "place_name"] == "9XX A St"
    strict = place_names(_hot(), inc, address="block", min_count=3)
    assert strict.loc[1, "place_source"] == "grid"
    assert strict.loc[1, "place_name"] == "Grid " + strict.loc[1, "grid_ref"]
    assert "place_name" not in _hot().columns  # input untouched


def test_place_names_from_streets_and_areas() -> None:
    streets = gpd.GeoDataFrame(
        {"name": ["Robson St", "Main St"]},
        geometry=[LineString([(0, 100), (300, 100)]), LineString([(1100, 900), (1100, 1300)])],
        crs=CRS,
    )
    inc = _points([50, 60, 70, 80], [90, 95, 110, 105])
    out = place_names(_hot(), inc, streets=streets)
    assert out.loc[0, "place_name"] == "Robson St"
    # two streets that cross at the place: the corner
    cross = pd.concat([streets, gpd.GeoDataFrame(
        {"name": ["Burrard St"]}, geometry=[LineString([(100, -50), (100, 300)])], crs=CRS)])
    inc2 = _points([50, 60, 70, 101, 99, 102], [95, 101, 99, 20, 30, 40])
    corner = place_names(_hot(), inc2, streets=cross, min_count=2)
    assert set(corner.loc[0, "place_name"].split(" & ")) == {"Robson St", "Burrard St"}
    apart = cross.assign(geometry=[LineString([(0, 100), (300, 100)]),
                                   LineString([(1100, 900), (1100, 1300)]),
                                   LineString([(250, 150), (250, 300)])])
    inc3 = _points([50, 60, 70, 195, 190, 195], [95, 101, 99, 180, 170, 190])
    assert " / " in place_names(_hot(), inc3, streets=apart, min_count=2).loc[0, "place_name"]
    assert out.loc[1, "place_name"] == "near Main St"  # no incidents: nearest its centre
    wards = gpd.GeoDataFrame(
        {"ward": ["Meadows", "Castle"]},
        geometry=[box(-50, -50, 500, 500), box(900, 900, 1500, 1500)],
        crs=CRS,
    )
    out = place_names(_hot(), None, areas=wards)
    assert out["place_name"].tolist() == ["Meadows ward", "Castle ward"]
    with pytest.raises(InvalidInputError, match="areas_name"):
        two_names = wards.rename(columns={"ward": "w"}).assign(other=["x", "y"])
        place_names(_hot(), None, areas=two_names)


def test_map_grid_references() -> None:
    g = map_grid((0, 0, 4000, 3000))
    assert (g.size, g.n_cols, g.n_rows) == (500.0, 8, 6)
    assert g.ref([1, 3999], [2999, 1]).tolist() == ["A1", "H6"]
    assert g.col_label(26) == "AA"
    with pytest.raises(InvalidInputError):
        map_grid((0, 0, np.nan, 1))


@settings(max_examples=60, deadline=None)
@given(
    x0=st.floats(-1e6, 1e6),
    y0=st.floats(-1e6, 1e6),
    w=st.floats(1, 1e5),
    h=st.floats(1, 1e5),
)
def test_map_grid_covers_bounds(x0: float, y0: float, w: float, h: float) -> None:
    g = map_grid((x0, y0, x0 + w, y0 + h))
    gx0, gy0, gx1, gy1 = g.bounds
    assert gx0 <= x0 and gy0 <= y0 + 1e-6 and gx1 >= x0 + w - 1e-6 and gy1 >= y0 + h
    assert max(g.n_cols, g.n_rows) <= 10  # about 8 across, +1 for alignment, +1 round-off


def test_map_grid_steps_out_when_round_off_lands_inside() -> None:
    # 999999.4 / 0.2 * 0.2 is a hair below 999999.4 in binary floating point
    y1 = 999999.4
    g = map_grid((999998.4, y1 - 1.0, 999999.4, y1))
    assert g.bounds[3] >= y1 and g.bounds[0] <= 999998.4


@pytest.mark.shared_data
def test_sample_cities_every_place_named(shared_data) -> None:
    wy = hs.datasets.load_sample("west_yorkshire")
    hot = place_names(hs.hotspots(wy, max_area_km2=2), wy)
    top = hot.sort_values("rank").head(10)
    assert (top["place_source"] == "address").all()
    assert not top["place_name"].str.contains("On or near").any()
    # force scale: squares cut small enough that the top places are told apart
    assert top["grid_ref"].str.fullmatch(r"[A-Z]+\d+ [a-z]\d+").all()
    assert len(top) >= 5 and top["grid_ref"].is_unique
    memphis = hs.datasets.load_sample("memphis_robberies")
    precincts = hs.datasets.load_sample("memphis_precincts")
    hot = place_names(hs.hotspots(memphis), memphis, areas=precincts)
    top = hot.sort_values("rank").head(5)["place_name"]
    assert top.str.contains(r" precinct(?: \(|$)").all()
    assert hot["place_name"].is_unique  # one precinct, two places: told apart by grid square
    assert hot.attrs["hotspot"]["places"]["choices"]["areas"]["value"] == "precinct"


def test_hundred_blocks_never_point_at_a_house() -> None:
    from hotspot.scan.places import hundred_block

    out = hundred_block(
        ["6306 N HERMITAGE AVE", "45 W MADISON ST", "011XX W ROBSON ST", "1200-1210 S STATE ST",
         "N CLARK ST & W DEVON AVE", "", None]
    ).tolist()
    assert out == [
        "63XX N Hermitage Ave", "0XX W Madison St", "11XX W Robson St", "12XX S State St",
        "N Clark St & W Devon Ave", "", "",
    ]
    # numbering from 1 up each street (UK): the street, never the house, flat or postcode
    uk = hundred_block(
        ["Flat 3, 12 High Street, Leeds LS1 4AB", "4-6 Briggate", "27a Ash Mount", "Kirkgate"]
    )
    assert uk.tolist() == ["High Street", "Briggate", "Ash Mount", "Kirkgate"]
    assert hundred_block(["12 High Street"], blocks=True).tolist() == ["0XX High Street"]


@settings(max_examples=80, deadline=None)
@given(
    numbers=st.lists(st.integers(1, 99999), min_size=1, max_size=8),
    street=st.sampled_from(["N HERMITAGE AVE", "High Street", "rue de la Paix", "W 63RD ST"]),
    suffix=st.sampled_from(["", "A", "-12"]),
)
def test_hundred_block_property(numbers, street, suffix) -> None:
    from hotspot.scan.places import hundred_block

    out = hundred_block([f"{n}{suffix} {street}" for n in numbers])
    us = sum(n >= 100 for n in numbers) >= 0.5 * len(numbers)
    for n, name in zip(numbers, out, strict=True):
        head = name.split(" ")[0]
        if us:  # the hundred block, never the number itself
            assert head == f"{n // 100}XX"
        else:
            assert not re.search(r"\d", head)
        assert name.lower().endswith(street.lower().split(" ")[-1])


def test_place_names_from_address_points() -> None:
    # another source's addresses (street-light reports) for incidents that carry none
    reports = _points(
        [20, 30, 40, 60, 180, 1050, 5000],
        [20, 30, 40, 60, 180, 1050, 5000],
        Location=["6306 N HERMITAGE AVE", "6310 N HERMITAGE AVE", "6330 N HERMITAGE AVE",
                  "1800 W DEVON AVE", "1801 W DEVON AVE", "900 A ST", "1 FAR AWAY RD"],
    )
    inc = _points([22, 31, 41, 61, 62, 2000], [22, 31, 41, 61, 62, 2000])
    out = place_names(_hot(), inc, addresses=reports, addresses_label="street-light reports")
    assert out.loc[0, "place_name"] == "near 63XX N Hermitage Ave"  # 3 incidents nearest it
    assert out.loc[0, "place_source"] == "address points"
    # no incidents on place 2: the blocks of the reports on it
    assert out.loc[1, "place_name"] == "near 9XX A St"
    meta = out.attrs["hotspot"]["places"]
    assert meta["labels"]["address points"] == "street-light reports"
    assert meta["choices"]["addresses"]["value"] == "Location"
    # an incident column with addresses comes first
    with_block = inc.assign(block=["9XX MAIN ST"] * 6)
    named = place_names(_hot(), with_block, address="block", addresses=reports)
    assert named.loc[0, "place_source"] == "address"
    with pytest.raises(InvalidInputError, match="addresses_column"):
        place_names(_hot(), inc, addresses=reports.rename(columns={"Location": "x"}).assign(y="z"))
    with pytest.raises(hs.exceptions.CRSError):
        place_names(_hot(), inc, addresses=reports.to_crs(4326))


def test_trim_to_counts_on_real_quiet_cells() -> None:
    from hotspot.pipeline import scan
    from hotspot.scan.places import trim_to_counts

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample("memphis_robberies")
    # 500 m cells: Gi* marks quiet cells beside busy ones in the top places
    cells, hot = scan(inc, cell_size=500.0, random_state=0)
    before = hot.copy()
    out = trim_to_counts(hot, cells, 3)
    pd.testing.assert_frame_equal(hot, before)  # input untouched
    centres = cells.geometry.representative_point()
    n_before = hs.hotspot_membership(inc, hot).value_counts()
    n_after = hs.hotspot_membership(inc, out).value_counts()
    assert out["n_trimmed_cells"].sum() > 0
    assert out.attrs["hotspot"]["trimmed"]["cells"] == out["n_trimmed_cells"].sum()
    # a place that falls into parts is one place per part: map each back to its hotspot
    parent = [int(hot.index[hot.contains(g.representative_point())][0]) for g in out.geometry]
    for pos, (_, new) in enumerate(out.iterrows()):
        old = hot.loc[parent[pos]]
        inside = cells[centres.within(new.geometry)]
        was = cells[centres.within(old.geometry)]
        assert n_after.get(new["hotspot_id"], 0) == new["n_incidents"]
        if (was["n_incidents"] >= 3).any():
            # no pale cell on an outline: a quiet cell inside is enclosed by busy ones
            quiet = inside[inside["n_incidents"] < 3]
            edge = new.geometry.boundary
            assert (quiet.geometry.intersection(edge).length < 1e-6).all()
            assert inside.index.isin(was.index).all()  # nothing added
            assert new["area_km2"] == pytest.approx(new.geometry.area / 1e6)
            assert _queen_pieces(cells, new.geometry) == 1
        else:  # no cell with a printable count: the outline stays
            assert new.geometry.equals(old.geometry)
    for i, old in hot.iterrows():  # the pieces hold what the hotspot held, less the cut
        was = cells[centres.within(old.geometry)]
        kept = cells[np.any([centres.within(g) for g, p in zip(out.geometry, parent,
                                                                 strict=True) if p == i],
                            axis=0)]
        lost = was.loc[~was.index.isin(kept.index), "n_incidents"].sum()
        pieces = out[[p == i for p in parent]]
        assert n_before.get(old["hotspot_id"], 0) - pieces["n_incidents"].sum() == lost


def test_trim_keeps_a_quiet_cell_enclosed_by_busy_ones() -> None:
    from hotspot.scan.places import trim_to_counts

    counts = [5, 5, 5, 5, 0, 5, 5, 5, 1]  # 3 x 3: quiet centre (enclosed), quiet corner
    cells = gpd.GeoDataFrame(
        {"n_incidents": counts},
        geometry=[box(i, j, i + 1, j + 1) for j in range(3) for i in range(3)],
        crs=CRS,
    )
    hot = gpd.GeoDataFrame(
        {"hotspot_id": [1], "n_incidents": [41], "share": [0.5], "area_km2": [9e-6],
         "concentration": [2.0]},
        geometry=[box(0, 0, 3, 3)],
        crs=CRS,
    )
    out = trim_to_counts(hot, cells)
    assert out.geometry.iloc[0].area == pytest.approx(8.0)  # the corner only is cut
    assert out.geometry.iloc[0].contains(box(1.2, 1.2, 1.8, 1.8))
    assert int(out["n_trimmed_cells"].iloc[0]) == 1
    assert out["area_km2"].iloc[0] == pytest.approx(8e-6)
    assert out["n_incidents"].iloc[0] == 40  # the corner's 1 incident is off
    assert out["share"].iloc[0] == pytest.approx(0.5 * 40 / 41)
    assert out["concentration"].iloc[0] == pytest.approx(2.0 * (40 / 41) * 9 / 8)
    untouched = trim_to_counts(hot, cells.assign(n_incidents=1))  # nothing printable: kept
    assert untouched.geometry.iloc[0].equals(hot.geometry.iloc[0])


@pytest.mark.shared_data
def test_areas_named_in_other_languages_name_places(shared_data) -> None:
    """Mexico City's boroughs ('nomgeo', accents) name its car-jacking hotspots."""
    from hotspot.present.context import name_places

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.read_incidents(shared_data / "other_exports" / "cdmx_car_jacking.gpkg")
    boroughs = gpd.read_file(shared_data / "other_exports" / "cdmx_alcaldias.gpkg")
    hot = hs.hotspots(inc).head(5)
    named = name_places(hot, inc, {"Alcaldías": boroughs.to_crs(inc.crs)})
    assert (named["place_source"] == "area").all()
    bare = named["place_name"].str.replace(r" \([A-Z]+\d+(?: [a-z]\d+)?\)$", "", regex=True)
    assert set(bare) <= set(boroughs["nomgeo"])
    assert named["place_name"].is_unique
    assert any(not name.isascii() for name in boroughs["nomgeo"])  # accents kept as given
    wards = gpd.read_file(shared_data / "other_exports" / "nottingham_wards.gpkg")
    from hotspot.scan.places import layer_name_column

    assert layer_name_column(wards) == "ward_name"


def test_two_blocks_of_one_street_read_as_a_range() -> None:
    inc = _points(
        [10, 20, 30, 40, 50, 60], [10, 20, 30, 40, 50, 60],
        block=["08XX N RIDGEWAY AVE"] * 3 + ["07XX N RIDGEWAY AVE"] * 3,
    )
    name = place_names(_hot(), inc, address="block").loc[0, "place_name"]
    assert name == "7XX–8XX N Ridgeway Ave"
    from hotspot.scan.places import name_streets

    assert name_streets("near " + name) == ["N Ridgeway Ave"]
    assert name_streets("Robson St & Burrard St") == ["Robson St", "Burrard St"]


def test_no_place_is_named_after_the_area_that_holds_the_pack() -> None:
    # both places lie in one borough (the area briefed on) and in two finer wards
    hot = _hot()
    borough = gpd.GeoDataFrame({"borough": ["Iztapalapa"]}, geometry=[box(-100, -100, 2000, 2000)],
                               crs=CRS)
    wards = gpd.GeoDataFrame({"ward": ["Meadows"]}, geometry=[box(-50, -50, 500, 500)], crs=CRS)
    inc = _points([50, 60, 70, 1100, 1110, 1120], [50, 60, 70, 1100, 1110, 1120])
    out = place_names(hot, inc, areas=borough)
    assert out["place_source"].tolist() == ["grid", "grid"]
    assert out.attrs["hotspot"]["places"]["choices"]["areas_left_out"]["value"] == [
        "Iztapalapa borough"
    ]
    from hotspot.present.context import name_places

    both = name_places(hot, inc, {"Boroughs": borough, "Wards": wards})
    assert both["place_name"].tolist()[0] == "Meadows ward"  # the finer layer
    assert both.loc[1, "place_source"] == "grid"
    # two places in one ward: each keeps its own grid reference in its name
    one = name_places(hot, inc, {"Wards": wards.assign(geometry=[box(-50, -50, 1500, 1500)]),
                                 "Boroughs": borough.assign(geometry=[box(-90, -90, 10, 10)])})
    assert one["place_name"].is_unique


@pytest.mark.shared_data
def test_briefed_precinct_and_borough_name_no_place(shared_data) -> None:
    from hotspot.present.context import name_places

    memphis = hs.datasets.load_sample("memphis_robberies")
    precincts = hs.datasets.load_sample("memphis_precincts")
    raines = precincts[precincts["precinct"].astype(str).str.contains("Raines")]
    inc = memphis[memphis.within(raines.union_all())]
    hot = hs.hotspots(inc, cell_size=250)
    named = name_places(hot, inc, {"Precincts": precincts})
    assert not named["place_name"].str.contains("Raines").any()
    assert named["place_name"].is_unique
    cdmx = hs.read_incidents(shared_data / "other_exports" / "cdmx_car_jacking.gpkg")
    boroughs = gpd.read_file(shared_data / "other_exports" / "cdmx_alcaldias.gpkg").to_crs(cdmx.crs)
    iz = boroughs[boroughs["nomgeo"] == "Iztapalapa"]
    inc = cdmx[cdmx.within(iz.union_all())]
    named = name_places(hs.hotspots(inc), inc, {"Alcaldías": boroughs})
    assert len(named) >= 1
    assert not named["place_name"].str.contains("Iztapalapa").any()
    assert named["place_name"].is_unique


def test_place_map_slides_inside_an_irregular_area() -> None:
    from shapely.geometry import Polygon

    from hotspot.scan.mapgrid import frame_inside

    # an L-shaped area; the place sits in the corner where the L turns
    area = Polygon([(0, 0), (3000, 0), (3000, 1000), (1000, 1000), (1000, 3000), (0, 3000)])
    place = (700, 700, 900, 900)
    view = (300, 300, 1300, 1300)
    moved = frame_inside(view, place, area)
    inside = lambda v: box(*v).intersection(area).area / box(*v).area  # noqa: E731
    assert inside(moved) > inside(view)
    assert moved[0] <= place[0] and moved[2] >= place[2]  # the place stays in view
    assert moved[1] <= place[1] and moved[3] >= place[3]
    assert frame_inside(view, place, None) == view
    # a place bigger than its window is not moved
    assert frame_inside((0, 0, 100, 100), (-10, -10, 110, 110), area) == (0, 0, 100, 100)


@pytest.mark.shared_data
def test_place_maps_at_the_edge_of_st_anns_show_the_ward(shared_data) -> None:
    from hotspot.scan.mapgrid import frame_inside, place_view

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.read_incidents(shared_data / "other_exports" / "nottingham_burglary.csv.gz")
    wards = gpd.read_file(shared_data / "other_exports" / "nottingham_wards.gpkg").to_crs(inc.crs)
    ward = wards[wards["ward_name"].str.contains("Ann")].union_all()
    inside_ward = inc[inc.within(ward)]
    hot = hs.hotspots(inside_ward, cell_size=150)
    assert len(hot)
    gains = []
    for geom in hot.geometry:
        view = place_view([geom])[0]
        moved = frame_inside(view, geom.bounds, ward)
        share = [box(*v).intersection(ward).area / box(*v).area for v in (view, moved)]
        assert share[1] >= share[0] - 1e-9
        assert box(*moved).contains(geom.envelope.buffer(-1e-6))
        gains.append(share[1] - share[0])
    assert max(gains) > 0.1  # a place on the ward's edge: its map shows much more ward


@settings(max_examples=80, deadline=None)
@given(
    a=st.integers(0, 120),
    b=st.integers(0, 120),
    street=st.from_regex(r"[NSEW] [A-Z][a-z]{2,9} (Ave|St|Rd|Blvd)", fullmatch=True),
)
def test_block_names_give_back_their_street(a: int, b: int, street: str) -> None:
    from hotspot.scan.places import _block_range, name_streets

    name = _block_range([f"{a}XX {street}", f"{b}XX {street}"]) if a != b else f"{a}XX {street}"
    assert name_streets(name) == [street]
    assert name_streets("near " + name + " (C4 b2)") == [street]
    assert name.startswith(f"{min(a, b)}XX")


@settings(max_examples=40, deadline=None)
@given(
    gap=st.floats(2000, 50000),
    n=st.integers(3, 12),
    angle=st.floats(0, 3.1),
)
def test_one_name_on_streets_far_apart_gives_two_lines(gap: float, n: int, angle: float) -> None:
    """A 'High Street' in each of two towns: two short lines, never one across the fields."""
    from hotspot.present.context import streets_from_addresses

    t = np.linspace(0, 300, n)
    xs = np.concatenate([t * np.cos(angle), gap + t * np.cos(angle)])
    ys = np.concatenate([t * np.sin(angle), t * np.sin(angle)])
    pts = _points(xs, ys, Location=["On or near High Street"] * (2 * n))
    lines = streets_from_addresses(pts, "Location", min_points=3)
    assert lines["name"].tolist() == ["High Street", "High Street"]
    assert (lines.length <= 300 + 1e-6).all()
    assert "Location" in pts.columns and len(pts) == 2 * n  # input untouched


def test_no_addresses_no_streets_and_empty_packs() -> None:
    from hotspot.present.context import street_points, streets_for_pack

    inc = _points([0, 10], [0, 10], loc_cat=["street", "residence"])
    assert streets_for_pack({}, inc) == {}
    assert len(street_points(inc, ["High Street"])) == 0
    empty = _hot().iloc[:0]
    wards = gpd.GeoDataFrame({"ward": ["Meadows"]}, geometry=[box(-50, -50, 500, 500)], crs=CRS)
    out = place_names(empty, inc, areas=wards)
    assert len(out) == 0 and "place_name" in out.columns


def _queen_pieces(cells: gpd.GeoDataFrame, geom) -> int:
    """Number of queen-connected groups of the cells whose centre lies in ``geom``."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    inside = cells[cells.geometry.representative_point().within(geom)]
    b = inside.geometry.bounds
    size = float((b["maxx"] - b["minx"]).min())
    col = np.round(b["minx"].to_numpy() / size).astype(int)
    row = np.round(b["miny"].to_numpy() / size).astype(int)
    near = (np.abs(col[:, None] - col[None, :]) <= 1) & (np.abs(row[:, None] - row[None, :]) <= 1)
    return connected_components(coo_matrix(near), directed=False)[0] if len(inside) else 0


def _grid_cells(counts: np.ndarray) -> gpd.GeoDataFrame:
    ny, nx = counts.shape
    return gpd.GeoDataFrame(
        {"n_incidents": counts.ravel()},
        geometry=[box(i, j, i + 1, j + 1) for j in range(ny) for i in range(nx)],
        crs=CRS,
    )


def test_trim_splits_a_place_that_falls_into_parts() -> None:
    """Quiet cells between two busy groups: two places, re-ranked, counts kept."""
    from hotspot.scan.places import trim_to_counts

    counts = np.array([[9, 0, 4, 4], [9, 1, 0, 5]])  # cut by a quiet column
    cells = _grid_cells(counts)
    hot = gpd.GeoDataFrame(
        {"hotspot_id": [1, 2], "rank": [1, 2], "n_incidents": [32, 20],
         "share": [0.5, 0.3], "area_km2": [8e-6, 1e-6], "concentration": [1.0, 2.0],
         "n_units": [8, 1], "kind": ["hot spot", "busy place"]},
        geometry=[box(0, 0, 4, 2), box(10, 10, 11, 11)],
        crs=CRS,
    )
    out = trim_to_counts(hot, cells)
    assert out["hotspot_id"].tolist() == [1, 2, 3] == out["rank"].tolist()
    assert out["n_incidents"].tolist() == [20, 18, 13]  # re-ranked by incidents
    assert out["kind"].tolist() == ["busy place", "hot spot", "hot spot"]
    assert out["n_units"].tolist() == [1, 2, 3]
    assert out.geometry.iloc[1].equals(box(0, 0, 1, 2))
    assert out["area_km2"].tolist() == pytest.approx([1e-6, 2e-6, 3e-6])
    assert out["share"].iloc[[1, 2]].tolist() == pytest.approx([0.5 * 18 / 32, 0.5 * 13 / 32])
    assert out["n_trimmed_cells"].sum() == 3 == out.attrs["hotspot"]["trimmed"]["cells"]
    assert out.attrs["hotspot"]["trimmed"]["pieces"] == 1
    assert [_queen_pieces(cells, g) for g in out.geometry] == [0, 1, 1]  # busy: off-grid
    # cells touching at a corner only stay one place (queen contiguity)
    diag = _grid_cells(np.array([[5, 0], [0, 5]]))
    one = trim_to_counts(hot.iloc[:1].assign(n_incidents=10), diag)
    assert len(one) == 1 and one["n_incidents"].iloc[0] == 10


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=20, max_size=20))
def test_trimmed_places_are_each_one_connected_patch(values) -> None:
    from hotspot.scan.places import trim_to_counts

    cells = _grid_cells(np.array(values).reshape(4, 5))
    total = int(np.sum(values))
    hot = gpd.GeoDataFrame({"hotspot_id": [1], "rank": [1], "n_incidents": [total],
                            "share": [1.0]}, geometry=[box(0, 0, 5, 4)], crs=CRS)
    out = trim_to_counts(hot, cells)
    assert all(_queen_pieces(cells, g) == 1 for g in out.geometry)
    inside = [cells[cells.geometry.representative_point().within(g)] for g in out.geometry]
    assert [int(c["n_incidents"].sum()) for c in inside] == out["n_incidents"].tolist()
    assert out["n_incidents"].is_monotonic_decreasing
    lost = total - int(out["n_incidents"].sum())
    assert out["share"].sum() == pytest.approx((total - lost) / total if total else 1.0)


@pytest.mark.shared_data
def test_nottingham_places_are_each_one_connected_patch(shared_data) -> None:
    """Nottingham burglary: places 2 and 3 fell into parts after trimming (review)."""
    from hotspot.pipeline import scan
    from hotspot.scan.places import trim_to_counts

    inc = hs.read_incidents(shared_data / "other_exports" / "nottingham_burglary.csv.gz")
    cells, hot = scan(inc, max_area_km2=1.0)
    out = trim_to_counts(hot, cells, 3)
    assert out.attrs["hotspot"]["trimmed"]["pieces"] > 0  # the review's case is here
    assert all(_queen_pieces(cells, g) == 1 for g in out.geometry)
    assert out["hotspot_id"].tolist() == list(range(1, len(out) + 1))
    n_in = hs.hotspot_membership(inc, out).value_counts()
    assert [int(n_in.get(h, 0)) for h in out["hotspot_id"]] == out["n_incidents"].tolist()
    lost = out.attrs["hotspot"]["trimmed"]["cells"]
    assert int(out["n_units"].sum()) == int(hot["n_units"].sum()) - lost
