"""read_incidents on every file of the real police data in ../shared/data.

Expected counts come from the data README (and were checked with plain pandas in
these tests where cheap).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from hotspot.exceptions import CRSError, DataQualityWarning, InvalidInputError
from hotspot.ingest.incidents import DROP_REASONS, read_incidents
from hotspot.ingest.report import ingest_report

pytestmark = pytest.mark.shared_data

CHI = "chicago/chicago_aggravated_assaults_2010_2019.csv.gz"
OUT = "chicago/streetlight_outages_2012_2013"
SPAT = "chicago/spatstat_chicago_network/crimes.csv"
MEM = "memphis/memphis_robberies_2019.csv.gz"
POP = "memphis/memphis_population_blocks_2020.csv.gz"
WY = "west_yorkshire"


def read(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return read_incidents(source, **kw)


def check_accounting(gdf, n_read):
    rep = ingest_report(gdf)
    assert rep.rows_read == n_read
    assert rep.rows_read == rep.rows_kept + sum(rep.dropped.values())
    assert len(gdf) == rep.rows_kept
    assert len(rep.dropped_rows) == sum(rep.dropped.values())
    ids = np.sort(np.concatenate([gdf["row_id"].to_numpy(),
                                  rep.dropped_rows["row_id"].to_numpy()]))
    np.testing.assert_array_equal(ids, np.arange(n_read))
    assert sum(rep.time_quality.values()) == rep.rows_kept
    assert gdf.crs.is_projected and gdf.crs.axis_info[0].unit_name == "metre"
    return rep


@pytest.fixture(scope="module")
def chicago(shared_data):
    return read(shared_data / CHI, tz="America/Chicago")


@pytest.fixture(scope="module")
def west_yorkshire(shared_data):
    return read(shared_data / WY)


def test_chicago_assaults(chicago, shared_data):
    rep = check_accounting(chicago, 148_636)
    assert rep.rows_kept == 148_636
    assert rep.detected == {"lon": "longitude", "lat": "latitude", "datetime": "date",
                            "setting": "loc_cat"}  # the place-type column, by its name
    assert rep.crs_in == "EPSG:4326" and rep.crs_out == "EPSG:32616"
    assert chicago.crs.to_epsg() == 32616
    assert rep.time_quality["midnight"] == 441
    assert rep.time_quality["exact"] == 148_636 - 441
    assert str(chicago["occurred_at"].dt.tz) == "America/Chicago"
    years = chicago["occurred_at"].dt.year.value_counts().sort_index()
    assert years.tolist() == [17_324, 15_920, 15_103, 12_950, 12_943, 13_284, 15_329,
                              15_022, 15_433, 15_328]
    assert (chicago["district"] == 31).sum() == 1  # the one O'Hare row is kept
    # 4 dp coordinates: no rounding warning; block-level locations: snapped warning
    assert not any("rounded" in w for w in rep.warnings)
    assert any("snapped" in w for w in rep.warnings)
    # 441 / 148,636 = 0.3 % at 00:00: below both thresholds, no midnight warning
    assert not any("00:00" in w for w in rep.warnings)
    # geometry equals pyproj on the raw columns
    raw = pd.read_csv(shared_data / CHI)
    tr = Transformer.from_crs(4326, 32616, always_xy=True)
    ex, ey = tr.transform(raw["longitude"].to_numpy(), raw["latitude"].to_numpy())
    np.testing.assert_allclose(chicago.geometry.x.to_numpy(), ex, atol=1e-6)
    np.testing.assert_allclose(chicago.geometry.y.to_numpy(), ey, atol=1e-6)
    first = chicago["occurred_at"].iloc[0]
    assert str(first) == "2010-01-01 00:05:00-06:00"


def test_chicago_assaults_study_area_matches_sjoin(shared_data):
    districts = gpd.read_file(shared_data / "chicago/chicago_police_districts.geojson")
    gdf = read(shared_data / CHI, study_area=districts)
    rep = check_accounting(gdf, 148_636)
    # reference: points outside every district polygon by geopandas
    raw = pd.read_csv(shared_data / CHI)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(raw["longitude"], raw["latitude"]),
                           crs=4326).to_crs(32616)
    joined = gpd.sjoin(pts, districts.to_crs(32616), predicate="intersects", how="inner")
    outside = len(pts) - joined.index.nunique()
    assert outside > 0
    assert rep.dropped["outside_study_area"] == outside
    assert set(rep.dropped_rows["reason"].astype(str)) == {"outside_study_area"}


def test_chicago_outages_state_plane_feet(shared_data):
    gdf = read(shared_data / OUT, x="x_coord", y="y_coord", crs="EPSG:3435")
    rep = check_accounting(gdf, 33_580)
    assert rep.rows_kept == 33_580
    assert rep.crs_in == "EPSG:3435" and rep.crs_out == "EPSG:32616"
    assert rep.detected["x"] == "x_coord" and rep.detected["start"] == "Created Date"
    assert rep.detected["end"] == "Completed Date"
    assert gdf["source_file"].value_counts().to_dict() == {
        "street_lights_all_out.csv.gz": 12_518,
        "street_lights_one_out.csv.gz": 10_796,
        "alley_lights_out.csv.gz": 10_266,
    }
    # a point by hand: first alley row 1157924.797, 1939298.014 ft
    tr = Transformer.from_crs(3435, 32616, always_xy=True)
    ex, ey = tr.transform(1157924.797, 1939298.014)
    assert gdf["row_id"].iloc[0] == 0
    assert gdf.geometry.x.iloc[0] == pytest.approx(ex, abs=1e-6)
    assert gdf.geometry.y.iloc[0] == pytest.approx(ey, abs=1e-6)
    assert 420_000 < ex < 470_000 and 4_600_000 < ey < 4_660_000  # metres, Chicago
    # day-first textual dates ("1-Apr-12"), windows with an exclusive end of day
    assert str(gdf["occurred_from"].iloc[0]) == "2012-04-01 00:00:00-05:00"
    assert str(gdf["occurred_to"].iloc[0]) == "2012-04-20 00:00:00-05:00"  # done 19-Apr-12
    assert (gdf["time_quality"] == "window").all()
    assert (rep.time_zone, rep.time_zone_source) == (
        "America/Chicago", "inferred from the coordinates; pass tz= to override")
    assert gdf["occurred_from"].min() == pd.Timestamp("2012-04-01", tz="America/Chicago")
    assert gdf["occurred_from"].max() == pd.Timestamp("2013-07-17", tz="America/Chicago")
    days = (gdf["occurred_to"] - gdf["occurred_from"]).dt.days
    by_file = days.groupby(gdf["source_file"]).median().to_dict()
    # README medians (3, 5, 8 days) + 1 for the exclusive end of the completion day
    assert by_file == {"street_lights_all_out.csv.gz": 4.0,
                       "street_lights_one_out.csv.gz": 6.0,
                       "alley_lights_out.csv.gz": 9.0}


def test_chicago_outages_single_file_detects_columns(shared_data):
    path = shared_data / OUT / "street_lights_all_out.csv.gz"
    with pytest.raises(CRSError, match=r"x_coord, y_coord.*crs="):
        read(path)
    gdf = read(path, crs="EPSG:3435", drop_duplicates=True)
    rep = check_accounting(gdf, 12_518)
    assert rep.detected["x"] == "x_coord"
    raw = pd.read_csv(path)
    assert rep.dropped["duplicate"] == int(raw.duplicated().sum())


def test_spatstat_local_feet(shared_data):
    path = shared_data / SPAT
    with pytest.raises(CRSError, match=r"x_ft, y_ft.*projected.*crs="):
        read(path)
    gdf = read(path, crs="EPSG:3435")
    rep = check_accounting(gdf, 116)
    assert rep.detected == {"x": "x_ft", "y": "y_ft", "offence": "offence_type"}
    assert rep.time_quality["missing"] == 116
    assert gdf["offence"].value_counts().to_dict() == {
        "theft": 38, "damage": 35, "assault": 21, "cartheft": 7, "trespass": 6,
        "burglary": 5, "robbery": 4}
    # distances are preserved up to the scale factor (feet -> metres)
    raw = pd.read_csv(path)
    d_ft = np.hypot(raw["x_ft"][1] - raw["x_ft"][0], raw["y_ft"][1] - raw["y_ft"][0])
    d_m = gdf.geometry.iloc[0].distance(gdf.geometry.iloc[1])
    assert d_m == pytest.approx(d_ft * 0.3048006, rel=2e-3)


def test_memphis_robberies(shared_data):
    gdf = read(shared_data / MEM)
    rep = check_accounting(gdf, 2_245)
    assert rep.rows_kept == 2_245
    assert rep.detected == {"lon": "longitude", "lat": "latitude", "datetime": "date",
                            "offence": "offense_type"}
    assert rep.crs_out == "EPSG:32616"
    assert rep.time_quality["midnight"] == 41
    assert any("rounded to 3 decimals" in w for w in rep.warnings)
    assert any("41 rows (1.8%) are at exactly 00:00" in w for w in rep.warnings)
    assert rep.time_zone == "America/Chicago"  # Memphis, from the coordinates
    assert "inferred from the coordinates" in rep.time_zone_source
    assert gdf["offence"].cat.categories.tolist() == ["personal robbery"]
    assert gdf["occurred_at"].min() == pd.Timestamp("2019-01-01 01:30", tz="America/Chicago")
    assert gdf["occurred_at"].max() == pd.Timestamp("2019-12-31 15:30", tz="America/Chicago")


def test_memphis_population_blocks(shared_data):
    gdf = read(shared_data / POP)
    rep = check_accounting(gdf, 10_393)
    assert rep.detected == {"lon": "longitude", "lat": "latitude"}
    assert int(gdf["population"].sum()) == 634_612
    assert rep.time_quality["missing"] == 10_393
    assert gdf["occurred_at"].isna().all()


@pytest.mark.parametrize("name", ["memphis/memphis_precincts.geojson",
                                  "chicago/chicago_police_districts.geojson"])
def test_polygon_layers_are_refused(shared_data, name):
    with pytest.raises(InvalidInputError, match=r"Polygon.*not points.*as units"):
        read(shared_data / name)


def test_west_yorkshire_folder(west_yorkshire):
    gdf = west_yorkshire
    rep = check_accounting(gdf, 87_348)
    assert rep.dropped == {r: (3_771 if r == "missing_coordinates" else 0)
                           for r in DROP_REASONS}
    assert rep.dropped_rows["source_file"].value_counts().to_dict() == {
        "2017-07-west-yorkshire-street.csv.gz": 1_541,
        "2016-07-west-yorkshire-street.csv.gz": 1_347,
        "2018-07-west-yorkshire-street.csv.gz": 883,
    }
    assert rep.dropped_rows[["Longitude", "Latitude"]].isna().all().all()
    assert rep.detected == {"lon": "Longitude", "lat": "Latitude", "datetime": "Month",
                            "offence": "Crime type"}
    assert rep.crs_out == "EPSG:32630"
    assert rep.time_quality == {"exact": 0, "midnight": 0, "date_only": 0,
                                "month_only": 83_577, "window": 0, "missing": 0}
    assert any("snapped to few unique locations" in w for w in rep.warnings)
    assert str(gdf["occurred_at"].dt.tz) == "Europe/London"
    by_month = gdf["occurred_at"].dt.strftime("%Y-%m").value_counts().sort_index()
    assert by_month.to_dict() == {"2016-07": 27_176 - 1_347, "2017-07": 28_537 - 1_541,
                                  "2018-07": 31_635 - 883}
    assert str(gdf["occurred_from"].iloc[0]) == "2016-07-01 00:00:00+01:00"
    assert str(gdf["occurred_to"].iloc[0]) == "2016-08-01 00:00:00+01:00"
    assert gdf["offence"].nunique() == 14
    # row_id is the position in the concatenation of the three files, in name order
    assert gdf["row_id"].is_monotonic_increasing
    ids = gdf.loc[gdf["source_file"].str.startswith("2017"), "row_id"]
    assert ids.min() >= 27_176 and ids.max() < 27_176 + 28_537


def test_west_yorkshire_glob_equals_folder(shared_data, west_yorkshire):
    gdf = read(str(shared_data / WY / "*-west-yorkshire-street.csv.gz"))
    assert ingest_report(gdf).rows_read == 87_348
    np.testing.assert_array_equal(gdf["row_id"].to_numpy(), west_yorkshire["row_id"].to_numpy())


def test_west_yorkshire_duplicates(shared_data):
    path = shared_data / WY / "2016-07-west-yorkshire-street.csv.gz"
    gdf = read(path, drop_duplicates=True)
    rep = check_accounting(gdf, 27_176)
    raw = pd.read_csv(path)
    dup = raw.duplicated() & raw["Longitude"].notna()
    assert rep.dropped["duplicate"] == int(dup.sum())
    assert rep.dropped["missing_coordinates"] == 1_347
