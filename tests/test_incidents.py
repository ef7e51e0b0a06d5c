"""Unit tests for hotspot.incidents on tiny hand-checkable data."""

from __future__ import annotations

import copy
import gzip
import logging
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from hotspot._core.crs import project, utm_crs
from hotspot.exceptions import CRSError, DataQualityWarning, InvalidInputError
from hotspot.ingest.incidents import DROP_REASONS, TIME_QUALITIES, read_incidents
from hotspot.ingest.report import IngestReport, ingest_report

LON = [-87.63, -87.62, -87.61]
LAT = [41.88, 41.89, 41.87]


def read(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return read_incidents(source, **kw)


def wall(s):
    """Local clock time (naive) of an occurred_at-like column."""
    return s.dt.tz_localize(None) if s.dt.tz is not None else s


def utm16(lon, lat):
    tr = Transformer.from_crs(4326, 32616, always_xy=True)
    return np.column_stack(tr.transform(np.asarray(lon, float), np.asarray(lat, float)))


def xy(gdf):
    return np.column_stack([gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()])


def accounted(df, gdf):
    rep = ingest_report(gdf)
    assert rep.rows_read == len(df) == rep.rows_kept + sum(rep.dropped.values())
    ids = sorted(gdf["row_id"].tolist() + rep.dropped_rows["row_id"].tolist())
    assert ids == list(range(len(df)))
    return rep


# --------------------------------------------------------------------------- basics
def test_lonlat_frame_to_utm_by_hand():
    df = pd.DataFrame({"longitude": LON, "latitude": LAT, "date": ["2019-01-01 10:00"] * 3})
    gdf = read(df)
    rep = accounted(df, gdf)
    assert gdf.crs.to_epsg() == 32616
    np.testing.assert_allclose(xy(gdf), utm16(LON, LAT), atol=1e-6)
    assert rep.detected == {"lon": "longitude", "lat": "latitude", "datetime": "date"}
    assert rep.crs_in == "EPSG:4326" and rep.crs_out == "EPSG:32616"
    assert list(gdf.columns[:3]) == ["row_id", "occurred_at", "time_quality"]
    assert list(gdf.columns[-1:]) == ["geometry"]
    assert {"longitude", "latitude", "date"} <= set(gdf.columns)
    assert isinstance(gdf.index, pd.RangeIndex)
    assert gdf["time_quality"].dtype == "category"
    assert list(gdf["time_quality"].cat.categories) == list(TIME_QUALITIES)


def test_input_not_mutated():
    df = pd.DataFrame({"lon": [-87.63, None], "lat": [41.88, 41.9], "offence": ["a", "b"]})
    before = df.copy()
    read(df)
    pd.testing.assert_frame_equal(df, before)


def test_report_fields_and_str():
    df = pd.DataFrame({"lon": [-87.63, None, -87.61], "lat": [41.88, 41.9, 41.87]})
    gdf = read(df)
    rep = ingest_report(gdf)
    assert isinstance(rep, IngestReport)
    assert rep.dropped == {r: (1 if r == "missing_coordinates" else 0) for r in DROP_REASONS}
    assert rep.dropped_rows["row_id"].tolist() == [1]
    assert rep.dropped_rows["reason"].tolist() == ["missing_coordinates"]
    assert {"lon", "lat", "row_id", "reason"} <= set(rep.dropped_rows.columns)
    assert rep.time_quality["missing"] == 2
    text = str(rep)
    for part in ("rows read:    3", "rows kept:    2", "missing_coordinates: 1",
                 "lon=lon, lat=lat", "EPSG:4326 -> EPSG:32616"):
        assert part in text
    assert gdf.attrs["hotspot"]["ingest"]["report"] is rep


def test_report_survives_copies_without_deep_copy():
    gdf = read(pd.DataFrame({"lon": LON, "lat": LAT}))
    rep = ingest_report(gdf)
    assert copy.deepcopy(rep) is rep
    sub = gdf[gdf["row_id"] > 0].copy()
    assert ingest_report(sub) is rep
    assert ingest_report(pd.concat([gdf, gdf])) is rep


def test_ingest_report_on_foreign_frame():
    with pytest.raises(InvalidInputError, match=r"not made by `hs\.read_incidents"):
        ingest_report(gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)]))


def test_data_quality_warning_is_emitted_once():
    df = pd.DataFrame({"lon": [-87.63, None], "lat": [41.88, 41.9]})
    with pytest.warns(DataQualityWarning, match="1 of 2 rows dropped") as rec:
        read_incidents(df)
    assert len([w for w in rec if issubclass(w.category, DataQualityWarning)]) == 1


def test_choices_are_logged(caplog):
    df = pd.DataFrame({"Longitude": LON, "Latitude": LAT, "Date": ["2019-01-01"] * 3})
    with caplog.at_level(logging.INFO, logger="hotspot"):
        gdf = read(df)
    text = caplog.text
    assert "coordinates = 'Longitude, Latitude'" in text
    assert "datetime = 'Date'" in text
    assert "crs_out = 'EPSG:32616'" in text
    choices = gdf.attrs["hotspot"]["ingest"]["choices"]
    assert choices["crs_out"]["value"] == "EPSG:32616"


# --------------------------------------------------------------------- coordinates
@pytest.mark.parametrize(
    ("a", "b", "roles"),
    [
        ("Longitude", "Latitude", ("lon", "lat")),
        ("LON", "LAT", ("lon", "lat")),
        ("lng", "lat", ("lon", "lat")),
        ("LONGITUDE_X", "LATITUDE_Y", ("lon", "lat")),
        ("Location Longitude", "Location Latitude", ("lon", "lat")),
        ("X", "Y", ("x", "y")),
        ("Point_X", "Point_Y", ("x", "y")),
    ],
)
def test_lonlat_column_conventions(a, b, roles):
    df = pd.DataFrame({"id": [1, 2, 3], a: LON, b: LAT})
    gdf = read(df)
    rep = ingest_report(gdf)
    assert rep.detected[roles[0]] == a and rep.detected[roles[1]] == b
    assert rep.crs_in == "EPSG:4326"  # x/y within lon/lat ranges read as degrees
    np.testing.assert_allclose(xy(gdf), utm16(LON, LAT), atol=1e-6)


def test_projected_columns_with_crs_feet_to_metres():
    # Illinois East (US survey feet): one point checked against pyproj by hand
    df = pd.DataFrame({"X_COORDINATE": [1176000.0, 1177000.0],
                       "Y_COORDINATE": [1900000.0, 1901000.0]})
    gdf = read(df, crs="EPSG:3435")
    rep = ingest_report(gdf)
    assert rep.detected == {"x": "X_COORDINATE", "y": "Y_COORDINATE"}
    assert rep.crs_in == "EPSG:3435" and rep.crs_out == "EPSG:32616"
    tr = Transformer.from_crs(3435, 32616, always_xy=True)
    ex, ey = tr.transform(1176000.0, 1900000.0)
    assert gdf.geometry.x.iloc[0] == pytest.approx(ex, abs=1e-6)
    assert gdf.geometry.y.iloc[0] == pytest.approx(ey, abs=1e-6)
    # 1000 US survey feet apart in x -> about 304.8 m apart
    d = gdf.geometry.iloc[0].distance(gdf.geometry.iloc[1])
    assert d == pytest.approx(np.hypot(1000, 1000) * 0.3048006, rel=2e-3)


def test_metric_crs_is_kept():
    df = pd.DataFrame({"easting": [430000.0, 431000.0], "northing": [433000.0, 434000.0]})
    gdf = read(df, crs="EPSG:27700")
    assert gdf.crs.to_epsg() == 27700
    np.testing.assert_allclose(xy(gdf), df.to_numpy())


def test_projected_without_crs_is_a_crs_error():
    df = pd.DataFrame({"x_coord": [1176000.0, 1177000.0], "y_coord": [1900000.0, 1.9e6]})
    with pytest.raises(CRSError, match=r"x_coord, y_coord.*pass the CRS|crs="):
        read(df)


def test_explicit_columns_override_detection():
    df = pd.DataFrame({"lat": [0.0, 0.0], "lon": [0.0, 0.0], "my_lat": LAT[:2],
                       "my_lon": LON[:2]})
    gdf = read(df, lon="my_lon", lat="my_lat")
    assert ingest_report(gdf).detected == {"lon": "my_lon", "lat": "my_lat"}
    assert len(gdf) == 2
    # case-insensitive fallback for a column named by the caller
    gdf2 = read(df, lon="MY_LON", lat="My_Lat")
    assert ingest_report(gdf2).detected["lon"] == "my_lon"


def test_prefers_lonlat_but_uses_xy_when_projected_crs_given():
    df = pd.DataFrame({"Latitude": LAT[:2], "Longitude": LON[:2],
                       "X Coordinate": [1176000.0, 1177000.0],
                       "Y Coordinate": [1900000.0, 1901000.0]})
    assert ingest_report(read(df)).detected["lon"] == "Longitude"
    rep = ingest_report(read(df, crs="EPSG:3435"))
    assert rep.detected["x"] == "X Coordinate"


@pytest.mark.parametrize(
    "values",
    [["(41.88, -87.63)", "(41.89, -87.62)", "(41.87, -87.61)"],
     ["POINT (-87.63 41.88)", "POINT(-87.62 41.89)", "point (-87.61 41.87)"],
     ["41.88,-87.63", "41.89, -87.62", "[41.87, -87.61]"]],
)
def test_location_text_columns(values):
    df = pd.DataFrame({"Location": values, "id": [1, 2, 3]})
    gdf = read(df)
    assert ingest_report(gdf).detected == {"location": "Location"}
    np.testing.assert_allclose(xy(gdf), utm16(LON, LAT), atol=1e-6)


def test_location_column_missing_and_invalid_rows():
    df = pd.DataFrame({"geocoded_location": ["(41.88, -87.63)", "", None, "somewhere",
                                             "POINT EMPTY"]})
    gdf = read(df)
    rep = accounted(df, gdf)
    assert rep.dropped["missing_coordinates"] == 3
    assert rep.dropped["invalid_coordinates"] == 1
    assert len(gdf) == 1


def test_polygons_are_refused():
    gdf = gpd.GeoDataFrame({"beat": ["a"]}, geometry=[box(-87.7, 41.8, -87.6, 41.9)],
                           crs=4326)
    with pytest.raises(InvalidInputError, match=r"not points.*use them as units"):
        read(gdf)


def test_geodataframe_input_and_missing_geometry():
    gdf_in = gpd.GeoDataFrame({"k": [1, 2, 3]},
                              geometry=[Point(-87.63, 41.88), None, Point(-87.61, 41.87)],
                              crs=4326)
    gdf = read(gdf_in)
    rep = accounted(gdf_in, gdf)
    assert rep.detected == {"geometry": "geometry"}
    assert rep.dropped["missing_coordinates"] == 1
    assert gdf["k"].tolist() == [1, 3]
    np.testing.assert_allclose(xy(gdf), utm16([-87.63, -87.61], [41.88, 41.87]), atol=1e-6)


# ---------------------------------------------------------------------- drop reasons
def test_every_drop_reason_and_priority():
    df = pd.DataFrame({
        "lon": [-87.63, None, "abc", 0.0, -87.62, -87.62, -87.62, -87.70, -87.61],
        "lat": [41.88, 41.9, 41.9, 0.0, 41.89, 41.89, 95.0, 41.80, 41.87],
        "date": ["2019-01-01", "2019-01-02", "2019-01-03", "", "garbage", "garbage",
                 "2019-01-04", "2019-01-05", ""],
    })
    area = gpd.GeoDataFrame(geometry=[box(-87.65, 41.85, -87.60, 41.95)], crs=4326)
    gdf = read(df, study_area=area, drop_duplicates=True)
    rep = accounted(df, gdf)
    reasons = dict(zip(rep.dropped_rows["row_id"], rep.dropped_rows["reason"].astype(str),
                       strict=True))
    assert reasons == {
        1: "missing_coordinates",
        2: "invalid_coordinates",
        3: "zero_coordinates",
        4: "unparseable_time",
        5: "unparseable_time",  # a duplicate of row 4, but the time reason comes first
        6: "invalid_coordinates",  # latitude 95 and no swap possible
        7: "outside_study_area",
    }
    assert gdf["row_id"].tolist() == [0, 8]
    # an empty time keeps the row as "missing"
    assert gdf["time_quality"].astype(str).tolist() == ["date_only", "missing"]


def test_duplicates_only_when_asked():
    df = pd.DataFrame({"lon": [-87.63, -87.63, -87.62], "lat": [41.88, 41.88, 41.89],
                       "k": [1, 1, 2]})
    assert len(read(df)) == 3
    gdf = read(df, drop_duplicates=True)
    rep = ingest_report(gdf)
    assert rep.dropped["duplicate"] == 1
    assert rep.dropped_rows["row_id"].tolist() == [1]
    assert gdf["row_id"].tolist() == [0, 2]


def test_zero_on_one_axis_projected_is_dropped():
    df = pd.DataFrame({"x": [430000.0, 0.0, 431000.0], "y": [433000.0, 433500.0, 0.0]})
    rep = ingest_report(read(df, crs="EPSG:27700"))
    assert rep.dropped["zero_coordinates"] == 2


def test_study_area_shapely_in_lonlat():
    df = pd.DataFrame({"lon": LON, "lat": LAT})
    gdf = read(df, study_area=box(-87.625, 41.85, -87.60, 41.95))
    assert gdf["row_id"].tolist() == [1, 2]
    assert ingest_report(gdf).dropped["outside_study_area"] == 1


def test_errors_raise_names_row_column_value():
    df = pd.DataFrame({"lon": [-87.63, -87.62], "lat": [41.88, "north"]})
    with pytest.raises(InvalidInputError, match=r"row 1.*'lat' = 'north'.*invalid_coord"):
        read(df, errors="raise")
    df2 = pd.DataFrame({"lon": LON, "lat": LAT, "date": ["2019-01-01", "2019-01-02", "soon"]})
    with pytest.raises(InvalidInputError, match=r"row 2.*'date' = 'soon'.*unparseable_time"):
        read(df2, errors="raise")
    ok = read(pd.DataFrame({"lon": LON, "lat": LAT}), errors="raise")
    assert len(ok) == 3


# ---------------------------------------------------------------------------- times
def test_lapd_style_date_and_hhmm_time():
    df = pd.DataFrame({
        "Date Rptd": ["03/05/2020 12:00:00 AM"] * 4,
        "DATE OCC": ["03/01/2020 12:00:00 AM"] * 4,
        "TIME OCC": [2130, 5, 0, 1200],
        "Crm Cd Desc": ["BURGLARY", "THEFT", "THEFT", "ROBBERY"],
        "LAT": [34.05, 34.06, 34.04, 34.05],
        "LON": [-118.25, -118.24, -118.26, -118.25],
    })
    gdf = read(df, tz="America/Los_Angeles")
    rep = ingest_report(gdf)
    assert rep.detected["datetime"] == "DATE OCC"
    assert rep.detected["time"] == "TIME OCC"
    assert rep.detected["offence"] == "Crm Cd Desc"
    assert gdf.crs.to_epsg() == 32611
    got = gdf["occurred_at"].dt.strftime("%Y-%m-%d %H:%M %z").tolist()
    assert got == ["2020-03-01 21:30 -0800", "2020-03-01 00:05 -0800",
                   "2020-03-01 00:00 -0800", "2020-03-01 12:00 -0800"]
    assert gdf["time_quality"].astype(str).tolist() == ["exact", "exact", "midnight", "exact"]
    assert gdf["offence"].dtype == "category"


def test_date_and_time_text_columns():
    df = pd.DataFrame({"lat": LAT, "lon": LON, "Date Occurred": ["2019-07-04"] * 3,
                       "Time Occurred": ["21:30", "9:05 PM", ""]})
    gdf = read(df)
    assert wall(gdf["occurred_at"]).astype(str).tolist() == [
        "2019-07-04 21:30:00", "2019-07-04 21:05:00", "2019-07-04 00:00:00"]
    assert gdf["time_quality"].astype(str).tolist() == ["exact", "exact", "date_only"]


@pytest.mark.parametrize(
    ("values", "expected", "quality"),
    [
        (["2019-01-05 21:30:00"], "2019-01-05 21:30:00", "exact"),
        (["2019-01-05T21:30:00.000"], "2019-01-05 21:30:00", "exact"),
        (["01/05/2019 09:30:00 PM"], "2019-01-05 21:30:00", "exact"),
        (["01/05/2019 12:00:00 AM"], "2019-01-05 00:00:00", "midnight"),
        (["1-Apr-12"], "2012-04-01 00:00:00", "date_only"),
        (["31/12/2019"], "2019-12-31 00:00:00", "date_only"),
        (["2019-01-05"], "2019-01-05 00:00:00", "date_only"),
        (["20190105"], "2019-01-05 00:00:00", "date_only"),
        (["2018-07"], "2018-07-01 00:00:00", "month_only"),
    ],
)
def test_date_formats(values, expected, quality):
    df = pd.DataFrame({"lat": LAT[:1], "lon": LON[:1], "date": values})
    gdf = read(df)
    assert str(wall(gdf["occurred_at"]).iloc[0]) == expected
    assert str(gdf["time_quality"].iloc[0]) == quality


def test_mixed_formats_in_one_column():
    df = pd.DataFrame({"lat": LAT, "lon": LON,
                       "date": ["2019-01-05 10:00", "01/06/2019", "7-Jan-19"]})
    gdf = read(df)
    assert gdf["occurred_at"].dt.strftime("%Y-%m-%d").tolist() == [
        "2019-01-05", "2019-01-06", "2019-01-07"]
    assert gdf["time_quality"].astype(str).tolist() == ["exact", "date_only", "date_only"]


def test_epoch_seconds_and_milliseconds_are_utc():
    for col, vals in (("epoch", [1546300800, 1546304400]),
                      ("timestamp", [1546300800000, 1546304400000])):
        df = pd.DataFrame({"lat": LAT[:2], "lon": LON[:2], col: vals})
        gdf = read(df, datetime=col) if col == "epoch" else read(df)
        # epochs are UTC instants, shown in the zone of the points
        assert str(gdf["occurred_at"].dt.tz) == "America/Chicago"
        assert gdf["occurred_at"].iloc[1] == pd.Timestamp("2019-01-01 01:00", tz="UTC")
    gdf = read(pd.DataFrame({"lat": LAT[:2], "lon": LON[:2], "timestamp": [1546300800] * 2}),
               tz="America/Chicago")
    assert str(gdf["occurred_at"].iloc[0]) == "2018-12-31 18:00:00-06:00"


def test_year_month_day_hour_columns():
    df = pd.DataFrame({"lat": LAT, "lon": LON, "YEAR": [2019, 2019, 2019],
                       "MONTH": [1, 2, 3], "DAY": [3, 4, 5], "HOUR": [5, None, 0]})
    gdf = read(df)
    rep = ingest_report(gdf)
    assert {rep.detected[k] for k in ("year", "month", "day", "hour")} == {
        "YEAR", "MONTH", "DAY", "HOUR"}
    assert wall(gdf["occurred_at"]).astype(str).tolist() == [
        "2019-01-03 05:00:00", "2019-02-04 00:00:00", "2019-03-05 00:00:00"]
    # hour 0 of an hour column is the hour 00:00-00:59 (one row is not far above 23 and 1)
    assert gdf["time_quality"].astype(str).tolist() == ["exact", "date_only", "exact"]


def test_window_columns_and_end_before_start():
    df = pd.DataFrame({
        "lat": LAT, "lon": LON,
        "FROMDATE": ["2019-01-01 22:00", "2019-01-03", "2019-01-05 10:00"],
        "TODATE": ["2019-01-02 06:00", None, "2019-01-04 10:00"],
    })
    gdf = read(df)
    rep = ingest_report(gdf)
    assert rep.detected["start"] == "FROMDATE" and rep.detected["end"] == "TODATE"
    assert wall(gdf["occurred_from"]).astype(str).tolist() == [
        "2019-01-01 22:00:00", "2019-01-03 00:00:00", "2019-01-05 10:00:00"]
    assert str(wall(gdf["occurred_to"]).iloc[0]) == "2019-01-02 06:00:00"
    assert gdf["occurred_to"].iloc[1:].isna().all()  # missing end; end before start
    assert gdf["occurred_at"].equals(gdf["occurred_from"])
    assert gdf["time_quality"].astype(str).tolist() == ["window", "date_only", "exact"]
    assert len(gdf) == 3  # window_end_before_start is kept, not dropped
    assert any("window_end_before_start" in w and "row_id 2" in w for w in rep.warnings)


def test_date_only_window_end_is_end_of_day():
    df = pd.DataFrame({"lat": LAT[:1], "lon": LON[:1], "first_occurrence_date": ["1-Apr-12"],
                       "last_occurrence_date": ["1-Apr-12"]})
    gdf = read(df)
    assert str(wall(gdf["occurred_to"]).iloc[0]) == "2012-04-02 00:00:00"
    assert str(gdf["time_quality"].iloc[0]) == "window"


def test_police_uk_month_only():
    df = pd.DataFrame({
        "Crime ID": ["a", None, "b"], "Month": ["2018-07"] * 3,
        "Reported by": ["West Yorkshire Police"] * 3, "Falls within": ["x"] * 3,
        "Longitude": [-1.55, None, -1.54], "Latitude": [53.80, None, 53.79],
        "Location": ["On or near A Road"] * 3, "Crime type": ["Burglary", "Drugs", "Drugs"],
    })
    gdf = read(df)
    rep = accounted(df, gdf)
    assert rep.detected == {"lon": "Longitude", "lat": "Latitude", "datetime": "Month",
                            "offence": "Crime type"}
    assert gdf.crs.to_epsg() == 32630
    assert (gdf["time_quality"] == "month_only").all()
    assert str(gdf["occurred_at"].iloc[0]) == "2018-07-01 00:00:00+01:00"
    assert str(gdf["occurred_from"].iloc[0]) == "2018-07-01 00:00:00+01:00"
    assert str(gdf["occurred_to"].iloc[0]) == "2018-08-01 00:00:00+01:00"
    assert rep.dropped["missing_coordinates"] == 1
    assert gdf["offence"].tolist() == ["Burglary", "Drugs"]


def test_tz_rules():
    base = {"lat": LAT[:2], "lon": LON[:2]}
    naive = read(pd.DataFrame({**base, "date": ["2019-07-01 12:00"] * 2}))
    assert str(naive["occurred_at"].iloc[0]) == "2019-07-01 12:00:00-05:00"
    rep = ingest_report(naive)
    assert (rep.time_zone, rep.time_zone_source) == (
        "America/Chicago", "inferred from the coordinates; pass tz= to override")
    assert "time zone America/Chicago inferred from the coordinates; pass tz= to override" \
        in rep.notes
    local = read(pd.DataFrame({**base, "date": ["2019-07-01 12:00"] * 2}),
                 tz="America/Chicago")
    assert str(local["occurred_at"].iloc[0]) == "2019-07-01 12:00:00-05:00"
    aware = read(pd.DataFrame({**base, "date": ["2019-07-01T17:00:00Z"] * 2}),
                 tz="America/Chicago")
    assert str(aware["occurred_at"].iloc[0]) == "2019-07-01 12:00:00-05:00"
    with pytest.raises(InvalidInputError, match="IANA"):
        read(pd.DataFrame(base), tz="Mars/Olympus")


def test_midnight_share_warning():
    n = 200
    dates = ["2019-01-01 13:17"] * n
    for i in range(10):  # 5 % at exactly midnight
        dates[i] = "2019-01-02 00:00"
    df = pd.DataFrame({"lat": np.linspace(41.8, 41.9, n), "lon": np.linspace(-87.7, -87.6, n),
                       "date": dates})
    gdf = read(df)
    rep = ingest_report(gdf)
    assert rep.time_quality["midnight"] == 10
    assert any("exactly 00:00" in w for w in rep.warnings)
    df.loc[:8, "date"] = "2019-01-02 00:01"  # 1 of 200 at midnight: no warning
    assert not any("00:00" in w for w in ingest_report(read(df)).warnings)


# ------------------------------------------------------------------ quality warnings
def test_rounded_and_snapped_warnings():
    rng = np.random.default_rng(1)
    lon = np.round(-87.7 + rng.random(100) * 0.1, 3)
    lat = np.round(41.8 + rng.random(100) * 0.1, 3)
    w = ingest_report(read(pd.DataFrame({"lon": lon, "lat": lat}))).warnings
    assert any("rounded to 3 decimals" in s and "100 m" in s for s in w)
    assert not any("snapped" in s for s in w)
    snapped = pd.DataFrame({"lon": np.repeat(lon[:10], 10) + 1e-5,
                            "lat": np.repeat(lat[:10], 10) + 1e-5})
    w2 = ingest_report(read(snapped)).warnings
    assert any("snapped to few unique locations (10 for 100" in s for s in w2)
    assert not any("rounded" in s for s in w2)


def test_far_rows_warning_keeps_rows():
    lon = [-87.63, -87.62, -87.61, -87.60, -89.0]  # last one ~115 km west
    lat = [41.88, 41.89, 41.87, 41.88, 41.88]
    gdf = read(pd.DataFrame({"lon": lon, "lat": lat}))
    assert len(gdf) == 5
    w = ingest_report(gdf).warnings
    assert any("1 rows are more than 50 km" in s and "row_id 4" in s for s in w)


def test_swapped_lat_lon():
    # row 1 has lat/lon exchanged and its "latitude" is impossible: swapped back
    df = pd.DataFrame({"lat": [34.05, -118.24, 34.04], "lon": [-118.25, 34.06, -118.26]})
    gdf = read(df)
    rep = ingest_report(gdf)
    assert len(gdf) == 3
    assert any(s.startswith("swapped lat/lon: 1 rows") and "row_id 1" in s
               for s in rep.warnings)
    tr = Transformer.from_crs(4326, 32611, always_xy=True)
    expected = np.column_stack(tr.transform([-118.25, -118.24, -118.26], [34.05, 34.06, 34.04]))
    np.testing.assert_allclose(xy(gdf), expected, atol=1e-6)
    # a whole column of impossible latitudes is swapped too
    gdf_all = read(pd.DataFrame({"lat": [-118.25, -118.24], "lon": [34.05, 34.06]}))
    assert gdf_all.crs.to_epsg() == 32611
    # both values possible (Europe): suspected only, kept as given
    df2 = pd.DataFrame({"lat": [53.80, 53.81, 53.79, -1.55], "lon": [-1.55, -1.54, -1.56, 53.8]})
    rep2 = ingest_report(read(df2))
    assert any(s.startswith("suspected swapped lat/lon: 1 rows") and "row_id 3" in s
               for s in rep2.warnings)
    # whole columns swapped into the polar region
    df3 = pd.DataFrame({"lat": [-87.63, -87.62, -87.61], "lon": [41.88, 41.89, 41.87]})
    rep3 = ingest_report(read(df3))
    assert any("polar region" in s for s in rep3.warnings)


def test_mixed_crs_rows():
    # State Plane feet rows inside a lon/lat file (CodeForPhilly#1181-like)
    df = pd.DataFrame({"lon": [-87.63, 1176000.0, -87.61], "lat": [41.88, 1900000.0, 41.87]})
    gdf = read(df)
    rep = ingest_report(gdf)
    assert rep.dropped["invalid_coordinates"] == 1
    assert any(s.startswith("mixed CRS: 1 rows have projected-looking") for s in rep.warnings)
    # lon/lat rows inside a projected file
    df2 = pd.DataFrame({"x_coord": [1176000.0, -87.62, 1177000.0],
                        "y_coord": [1900000.0, 41.89, 1901000.0]})
    rep2 = ingest_report(read(df2, crs="EPSG:3435"))
    assert rep2.dropped["invalid_coordinates"] == 1
    assert rep2.dropped_rows["row_id"].tolist() == [1]
    assert any(s.startswith("mixed CRS: 1 rows have lon/lat-looking") for s in rep2.warnings)


# ------------------------------------------------------------------- column names
def test_collisions_are_renamed_and_used():
    df = pd.DataFrame({"lon": LON, "lat": LAT, "offence": ["a", "b", "a"],
                       "time_quality": ["x", "y", "z"], "row_id": [10, 11, 12]})
    gdf = read(df)
    assert gdf["offence"].tolist() == ["a", "b", "a"]
    assert gdf["offence"].dtype == "category"
    assert gdf["offence_original"].tolist() == ["a", "b", "a"]
    assert gdf["time_quality_original"].tolist() == ["x", "y", "z"]
    assert gdf["row_id_original"].tolist() == [10, 11, 12]
    assert gdf["row_id"].tolist() == [0, 1, 2]
    assert ingest_report(gdf).detected["offence"] == "offence"


def test_offence_override():
    df = pd.DataFrame({"lon": LON, "lat": LAT, "Primary Type": ["A", "B", "C"],
                       "Description": ["d1", "d2", "d3"]})
    assert read(df)["offence"].tolist() == ["A", "B", "C"]
    assert read(df, offence="Description")["offence"].tolist() == ["d1", "d2", "d3"]


# ------------------------------------------------------------------- bad input
def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no such file or folder.*nope\.csv"):
        read(tmp_path / "nope.csv")
    (tmp_path / "crimes.csv").write_text("lon,lat\n-87.6,41.8\n")
    with pytest.raises(FileNotFoundError, match=r"Did you mean .crimes\.csv."):
        read(tmp_path / "crime.csv")
    with pytest.raises(FileNotFoundError, match="no file matches"):
        read(str(tmp_path / "*.parquet"))


def test_unknown_column():
    df = pd.DataFrame({"lon": LON, "lat": LAT, "reported": ["2019-01-01"] * 3})
    with pytest.raises(InvalidInputError, match=r"`datetime='report'`: no such column.*"
                                                r"Did you mean 'reported'"):
        read(df, datetime="report")
    with pytest.raises(InvalidInputError, match="pass both `lon=` and `lat=`"):
        read(df, lon="lon")


def test_no_coordinate_columns():
    df = pd.DataFrame({"address": ["1 Main St"], "date": ["2019-01-01"]})
    with pytest.raises(InvalidInputError, match=r"no coordinate columns found.*address, date"
                                                r".*Pass `lon=` and `lat=`"):
        read(df)


def test_every_row_invalid():
    df = pd.DataFrame({"lon": [None, "x"], "lat": [41.8, 41.9]})
    with pytest.raises(InvalidInputError, match=r"every one of the 2 rows is invalid "
                                                r"\(missing_coordinates 1, invalid_coord"):
        read(df)
    df2 = pd.DataFrame({"lon": LON[:2], "lat": LAT[:2], "date": ["soon", "later"]})
    with pytest.raises(InvalidInputError, match=r"unparseable_time 2.*date/time column.*date"):
        read(df2, datetime="date")
    # detected by name only: not used, and the report says so
    rep = ingest_report(read(df2))
    assert any("'date' is named like a date" in w for w in rep.warnings)


def test_empty_source():
    with pytest.raises(InvalidInputError, match="no rows"):
        read(pd.DataFrame({"lon": [], "lat": []}))


def test_unsupported_format(tmp_path):
    p = tmp_path / "crimes.dbf"
    p.write_bytes(b"\x03\x00")
    with pytest.raises(InvalidInputError, match=r"unsupported file format '.dbf'.*CSV"):
        read(p)
    p = tmp_path / "crimes.xlsx"
    p.write_bytes(b"PK\x03\x04")
    with pytest.raises(InvalidInputError, match=r"crimes.xlsx is not a readable Excel file"):
        read(p)


def test_wrong_types():
    with pytest.raises(TypeError, match="`source` must be a path"):
        read(42)
    with pytest.raises(TypeError, match="`lon` must be a column name"):
        read(pd.DataFrame({"lon": LON, "lat": LAT}), lon=3, lat="lat")
    with pytest.raises(InvalidInputError, match="`errors` must be 'report'"):
        read(pd.DataFrame({"lon": LON, "lat": LAT}), errors="ignore")
    with pytest.raises(TypeError, match="study_area"):
        read(pd.DataFrame({"lon": LON, "lat": LAT}), study_area="Chicago")
    with pytest.raises(CRSError, match="not a CRS"):
        read(pd.DataFrame({"x": [1e6], "y": [2e6]}), crs="EPSG:999999")
    with pytest.raises(InvalidInputError, match="duplicate column names"):
        read(pd.DataFrame([[1.0, 2.0, 3.0]], columns=["lon", "lat", "lat"]))


# ------------------------------------------------------------------ file formats
def _frame():
    return pd.DataFrame({"id": [1, 2, 3], "offense": ["theft", "assault", "theft"],
                         "date": ["2019-01-01 10:00:00", "2019-01-02 00:00:00",
                                  "2019-01-03 23:59:00"]})


@pytest.mark.parametrize("ext", ["gpkg", "parquet", "shp", "geojson"])
def test_geo_file_round_trip(tmp_path, ext):
    src = gpd.GeoDataFrame(_frame(), geometry=gpd.points_from_xy(LON, LAT), crs=4326)
    path = tmp_path / f"incidents.{ext}"
    if ext == "parquet":
        src.to_parquet(path)
    else:
        src.to_file(path)
    gdf = read(path)
    rep = accounted(src, gdf)
    assert rep.detected["geometry"] == "geometry"
    assert rep.crs_in == "EPSG:4326" and rep.crs_out == "EPSG:32616"
    assert rep.sources == [str(path)]
    np.testing.assert_allclose(xy(gdf), utm16(LON, LAT), atol=1e-6)
    assert gdf["offence"].tolist() == ["theft", "assault", "theft"]
    assert gdf["time_quality"].astype(str).tolist() == ["exact", "midnight", "exact"]


def test_geo_file_projected_round_trip(tmp_path):
    pts = gpd.points_from_xy([1176000.0, 1177000.0], [1900000.0, 1901000.0])
    src = gpd.GeoDataFrame({"k": [1, 2]}, geometry=pts, crs=3435)
    path = tmp_path / "sp.gpkg"
    src.to_file(path)
    gdf = read(path)
    assert ingest_report(gdf).crs_in == "EPSG:3435"
    assert gdf.crs.to_epsg() == 32616
    np.testing.assert_allclose(xy(gdf), xy(src.to_crs(32616)), atol=1e-6)


def test_plain_parquet_and_csv_variants(tmp_path):
    df = _frame().assign(lat=LAT, lon=LON)
    df.to_parquet(tmp_path / "a.parquet")
    assert len(read(tmp_path / "a.parquet")) == 3
    with gzip.open(tmp_path / "b.csv.gz", "wt") as fh:
        df.to_csv(fh, index=False)
    assert len(read(tmp_path / "b.csv.gz")) == 3
    df.to_csv(tmp_path / "c.csv", sep=";", index=False)
    gdf = read(tmp_path / "c.csv")
    np.testing.assert_allclose(xy(gdf), utm16(LON, LAT), atol=1e-6)
    df.to_csv(tmp_path / "d.tsv", sep="\t", index=False)
    assert len(read(tmp_path / "d.tsv")) == 3
    # a BOM and a value that forces the fallback parser
    text = "\ufefflat,lon,date\n41.88,-87.63,2019-01-01\n41.89,-87.62,2019-01-02\n"
    (tmp_path / "e.csv").write_text(text, encoding="utf-8")
    assert ingest_report(read(tmp_path / "e.csv")).detected["lat"] == "lat"


def test_folder_and_glob_of_monthly_files(tmp_path):
    header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Crime type\n"
    (tmp_path / "2018-07").mkdir()
    (tmp_path / "2018-08").mkdir()
    (tmp_path / "2018-07" / "2018-07-force-street.csv").write_text(
        header + "a,2018-07,F,F,-1.55,53.80,Drugs\nb,2018-07,F,F,,,Drugs\n")
    (tmp_path / "2018-08" / "2018-08-force-street.csv").write_text(
        header + "c,2018-08,F,F,-1.54,53.79,Burglary\n")
    (tmp_path / "2018-08" / "2018-08-force-outcomes.csv").write_text("Crime ID,Month\nc,x\n")
    gdf = read(tmp_path)
    rep = accounted(pd.DataFrame(index=range(3)), gdf)
    assert [s.rsplit("/", 1)[-1] for s in rep.sources] == [
        "2018-07-force-street.csv", "2018-08-force-street.csv"]
    assert gdf["source_file"].tolist() == ["2018-07-force-street.csv",
                                          "2018-08-force-street.csv"]
    assert gdf["row_id"].tolist() == [0, 2]
    assert rep.dropped_rows["source_file"].tolist() == ["2018-07-force-street.csv"]
    assert gdf["occurred_at"].dt.month.tolist() == [7, 8]
    g2 = read(str(tmp_path / "*" / "*-street.csv"))
    assert g2["row_id"].tolist() == [0, 2]


# ------------------------------------------------------------------------- project
def test_utm_crs_zones():
    assert utm_crs(-87.63, 41.88).to_epsg() == 32616
    assert utm_crs(-90.05, 35.15).to_epsg() == 32615
    assert utm_crs(-89.95, 35.15).to_epsg() == 32616
    assert utm_crs(5.3, 60.4).to_epsg() == 32631  # Bergen: standard zone (pyproj)
    assert utm_crs(-58.4, -34.6).to_epsg() == 32721  # Buenos Aires
    with pytest.raises(CRSError):
        utm_crs(np.nan, 10)


def test_project():
    pts = gpd.GeoDataFrame({"a": [1, 2]}, geometry=gpd.points_from_xy(LON[:2], LAT[:2]),
                           crs=4326)
    out = project(pts)
    assert out.crs.to_epsg() == 32616 and pts.crs.to_epsg() == 4326
    np.testing.assert_allclose(xy(out), utm16(LON[:2], LAT[:2]), atol=1e-6)
    assert out.attrs["hotspot"]["project"]["choices"]["crs"]["value"] == "EPSG:32616"
    feet = pts.to_crs(3435)
    assert project(feet).crs.to_epsg() == 32616
    assert project(out).crs.to_epsg() == 32616
    assert project(pts, crs="EPSG:26916").crs.to_epsg() == 26916
    with pytest.raises(CRSError, match="not a projected CRS in metres"):
        project(pts, crs="EPSG:3435")
    with pytest.raises(CRSError, match="no CRS"):
        project(pts.set_crs(None, allow_override=True))
    poly = gpd.GeoSeries([box(-1.6, 53.7, -1.5, 53.8)], crs=4326)
    assert project(poly).crs.to_epsg() == 32630


# ------------------------------------------------- other cities' export conventions
CITY_EXPORTS = {
    "chicago_portal": (
        {"ID": [1, 2], "Date": ["01/05/2019 09:30:00 PM", "01/06/2019 12:00:00 AM"],
         "Primary Type": ["THEFT", "BATTERY"], "Description": ["$500 AND UNDER", "SIMPLE"],
         "X Coordinate": [1176000.0, 1177000.0], "Y Coordinate": [1900000.0, 1901000.0],
         "Year": [2019, 2019], "Latitude": [41.88, 41.89], "Longitude": [-87.63, -87.62],
         "Location": ["(41.88, -87.63)", "(41.89, -87.62)"]},
        {"lon": "Longitude", "lat": "Latitude", "datetime": "Date", "offence": "Primary Type"},
        ["2019-01-05 21:30", "2019-01-06 00:00"], ["exact", "midnight"], 32616),
    "denver": (
        {"offense_type_id": ["theft-other", "assault-simple"],
         "first_occurrence_date": ["1/2/2019 3:14:00 PM", "1/3/2019 11:00:00 AM"],
         "last_occurrence_date": ["1/2/2019 5:00:00 PM", ""],
         "reported_date": ["1/4/2019 8:00:00 AM"] * 2, "geo_x": [3140000.0, 3141000.0],
         "geo_y": [1690000.0, 1691000.0], "geo_lon": [-104.99, -104.98],
         "geo_lat": [39.74, 39.75]},
        {"lon": "geo_lon", "lat": "geo_lat", "start": "first_occurrence_date",
         "end": "last_occurrence_date", "offence": "offense_type_id"},
        ["2019-01-02 15:14", "2019-01-03 11:00"], ["window", "exact"], 32613),
    "seattle": (
        {"Offense Start DateTime": ["2020-02-05 10:10:00", "2020-02-06 00:00:00"],
         "Offense End DateTime": [None, "2020-02-06 03:00:00"],
         "Report DateTime": ["2020-02-07"] * 2, "Offense": ["Theft", "Assault"],
         "Longitude": [-122.33, -122.32], "Latitude": [47.6, 47.61]},
        {"lon": "Longitude", "lat": "Latitude", "start": "Offense Start DateTime",
         "end": "Offense End DateTime", "offence": "Offense"},
        ["2020-02-05 10:10", "2020-02-06 00:00"], ["exact", "window"], 32610),
    "san_francisco": (
        {"Incident Datetime": ["2018/01/01 12:00:00 AM", "2018/01/02 09:30:00 PM"],
         "Incident Category": ["Larceny Theft", "Assault"],
         "Point": ["POINT (-122.41 37.77)", "POINT (-122.42 37.78)"]},
        {"location": "Point", "datetime": "Incident Datetime", "offence": "Incident Category"},
        ["2018-01-01 00:00", "2018-01-02 21:30"], ["midnight", "exact"], 32610),
    "houston_date_hour": (
        {"Occurrence Date": ["2019-06-01", "2019-06-02"], "Occurrence Hour": [13, 0],
         "Offense Type": ["Theft", "Robbery"], "MapLongitude": [-95.36, -95.37],
         "MapLatitude": [29.76, 29.77]},
        {"lon": "MapLongitude", "lat": "MapLatitude", "datetime": "Occurrence Date",
         "hour": "Occurrence Hour", "offence": "Offense Type"},
        ["2019-06-01 13:00", "2019-06-02 00:00"], ["exact", "exact"], 32615),
    "boston": (
        {"OFFENSE_DESCRIPTION": ["LARCENY", "ASSAULT"],
         "OCCURRED_ON_DATE": ["2022-01-01 00:00:00+00", "2022-01-02 13:45:00+00"],
         "YEAR": [2022, 2022], "MONTH": [1, 1], "HOUR": [0, 13], "Lat": [42.33, 42.34],
         "Long": [-71.06, -71.07]},
        {"lon": "Long", "lat": "Lat", "datetime": "OCCURRED_ON_DATE",
         "offence": "OFFENSE_DESCRIPTION"},
        # offsets are honoured: UTC instants shown on the Boston clock
        ["2021-12-31 19:00", "2022-01-02 08:45"], ["exact", "exact"], 32619),
    "philadelphia": (
        {"dispatch_date_time": ["2019-01-01 00:03:00", "2019-01-01 10:40:00"],
         "dispatch_time": ["00:03:00", "10:40:00"], "hour_": [0, 10],
         "text_general_code": ["Thefts", "Other Assaults"], "point_x": [-75.16, -75.17],
         "point_y": [39.95, 39.96], "lat": [39.95, 39.96], "lng": [-75.16, -75.17]},
        {"lon": "lng", "lat": "lat", "datetime": "dispatch_date_time", "time": "dispatch_time",
         "offence": "text_general_code"},
        ["2019-01-01 00:03", "2019-01-01 10:40"], ["exact", "exact"], 32618),
    "nypd": (
        {"CMPLNT_FR_DT": ["12/31/2019", "01/01/2020"], "CMPLNT_FR_TM": ["23:45:00", "00:10:00"],
         "CMPLNT_TO_DT": ["01/01/2020", None], "CMPLNT_TO_TM": ["00:30:00", None],
         "RPT_DT": ["01/02/2020"] * 2, "OFNS_DESC": ["PETIT LARCENY", "FELONY ASSAULT"],
         "X_COORD_CD": [987000, 988000], "Y_COORD_CD": [201000, 202000],
         "Latitude": [40.75, 40.76], "Longitude": [-73.99, -73.98]},
        {"lon": "Longitude", "lat": "Latitude", "start": "CMPLNT_FR_DT",
         "start_time": "CMPLNT_FR_TM", "end": "CMPLNT_TO_DT", "end_time": "CMPLNT_TO_TM",
         "offence": "OFNS_DESC"},
        ["2019-12-31 23:45", "2020-01-01 00:10"], ["window", "exact"], 32618),
    "epoch_ms_lat_lng": (
        {"lat": [41.88, 41.89], "lng": [-87.63, -87.62],
         "timestamp": [1546300800000, 1546304400000]},
        {"lon": "lng", "lat": "lat", "datetime": "timestamp"},
        ["2018-12-31 18:00", "2018-12-31 19:00"], ["exact", "exact"], 32616),
    "yyyymmdd_hhmm": (
        {"LAT": [41.8, 41.9], "LON": [-87.6, -87.7], "DATE": [20190105, 20190106],
         "TIME": [930, 2359]},
        {"lon": "LON", "lat": "LAT", "datetime": "DATE", "time": "TIME"},
        ["2019-01-05 09:30", "2019-01-06 23:59"], ["exact", "exact"], 32616),
}


@pytest.mark.parametrize("city", sorted(CITY_EXPORTS))
def test_other_city_export_conventions(city):
    data, detected, times, quality, epsg = CITY_EXPORTS[city]
    df = pd.DataFrame(data)
    gdf = read(df)
    rep = accounted(df, gdf)
    assert rep.rows_kept == 2
    assert rep.detected == detected
    assert gdf["occurred_at"].dt.strftime("%Y-%m-%d %H:%M").tolist() == times
    assert gdf["time_quality"].astype(str).tolist() == quality
    assert gdf.crs.to_epsg() == epsg


def test_arcgis_web_mercator_export_goes_to_utm():
    df = pd.DataFrame({"X": [-9754000.0, -9755000.0], "Y": [5142000.0, 5143000.0],
                       "ReportedDate": ["2019/01/05 21:30:00+00", "2019/01/06 01:00:00+00"]})
    with pytest.raises(CRSError, match="EPSG:3857"):
        read(df)
    gdf = read(df, crs="EPSG:3857")
    assert gdf.crs.to_epsg() == 32616  # Web Mercator metres are stretched: re-projected
    assert str(gdf["occurred_at"].iloc[0]) == "2019-01-05 15:30:00-06:00"
    tr = Transformer.from_crs(3857, 32616, always_xy=True)
    ex, ey = tr.transform(-9754000.0, 5142000.0)
    assert gdf.geometry.x.iloc[0] == pytest.approx(ex, abs=1e-6)
    assert gdf.geometry.y.iloc[0] == pytest.approx(ey, abs=1e-6)


def test_decimal_comma_coordinates():
    df = pd.DataFrame({"lat": ["52,52", "52,53"], "lon": ["13,40", "13,41"]})
    gdf = read(df)
    tr = Transformer.from_crs(4326, 32633, always_xy=True)
    ex, ey = tr.transform([13.40, 13.41], [52.52, 52.53])
    np.testing.assert_allclose(xy(gdf), np.column_stack([ex, ey]), atol=1e-6)


def test_single_part_multipoints_are_points():
    from shapely.geometry import MultiPoint

    src = gpd.GeoDataFrame({"k": [1, 2]}, geometry=[MultiPoint([(-87.63, 41.88)]),
                                                    Point(-87.62, 41.89)], crs=4326)
    gdf = read(src)
    np.testing.assert_allclose(xy(gdf), utm16(LON[:2], LAT[:2]), atol=1e-6)


def test_errors_raise_still_applies_requested_filters():
    df = pd.DataFrame({"lon": [-87.63, -87.63, -87.50], "lat": [41.88, 41.88, 41.88]})
    gdf = read(df, errors="raise", drop_duplicates=True,
               study_area=box(-87.7, 41.8, -87.6, 41.95))
    rep = ingest_report(gdf)
    assert rep.dropped["duplicate"] == 1 and rep.dropped["outside_study_area"] == 1


def test_geodataframe_crs_rules():
    pts = gpd.points_from_xy([1176000.0, 1177000.0], [1900000.0, 1901000.0])
    no_crs = gpd.GeoDataFrame({"k": [1, 2]}, geometry=pts)
    with pytest.raises(CRSError, match="CRS is unknown"):
        read(no_crs)
    assert read(no_crs, crs="EPSG:3435").crs.to_epsg() == 32616
    lonlat_no_crs = gpd.GeoDataFrame({"k": [1, 2]},
                                     geometry=gpd.points_from_xy(LON[:2], LAT[:2]))
    assert ingest_report(read(lonlat_no_crs)).crs_in == "EPSG:4326"
    wrong = gpd.GeoDataFrame({"k": [1, 2]}, geometry=pts, crs=3435)
    rep = ingest_report(read(wrong, crs="EPSG:3435"))
    assert not any("overrides" in w for w in rep.warnings)
    rep2 = ingest_report(read(wrong.set_crs(26971, allow_override=True), crs="EPSG:3435"))
    assert any("overrides the data's own CRS EPSG:26971" in w for w in rep2.warnings)


def test_impossible_calendar_dates_are_unparseable():
    # Arrow's fast strptime rolls 30 Feb over to 2 Mar; the strict re-check must catch it
    df = pd.DataFrame({"lat": LAT + LAT[:2], "lon": LON + LON[:2],
                       "date": ["02/28/2019 10:00:00 PM", "02/30/2019 10:00:00 PM",
                                "04/31/2019 01:00:00 AM", "03/01/2019 01:00:00 AM",
                                "03/02/2019 01:00:00 AM"]})
    gdf = read(df)
    rep = ingest_report(gdf)
    assert rep.dropped["unparseable_time"] == 2
    assert rep.dropped_rows["row_id"].tolist() == [1, 2]
    assert str(wall(gdf["occurred_at"]).iloc[0]) == "2019-02-28 22:00:00"


def test_invalid_hhmm_text_time_is_unparseable_not_midnight(tmp_path):
    p = tmp_path / "bt.csv"
    p.write_text("lat,lon,date,time\n41.88,-87.63,2019-01-05,21:30\n"
                 "41.881,-87.631,2019-01-05,2575\n41.882,-87.632,2019-01-05,9999\n"
                 "41.883,-87.633,2019-01-05,2400\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        gdf = read_incidents(p)
    rep = ingest_report(gdf)
    assert gdf["occurred_at"].tolist() == [pd.Timestamp("2019-01-05 21:30", tz="America/Chicago")]
    assert gdf["time_quality"].astype(str).tolist() == ["exact"]
    assert rep.dropped_rows["row_id"].tolist() == [1, 2, 3]
    assert set(rep.dropped_rows["reason"].astype(str)) == {"unparseable_time"}


def test_epoch_ms_and_s_as_text_read_like_numbers():
    ms = [1546300800000, 1546304400000, 1546308000000]
    base = {"lat": [*LAT, 41.86], "lon": [*LON, -87.60]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        num = read_incidents(pd.DataFrame({**base, "date": [float(v) for v in ms] + [np.nan]}),
                             datetime="date")
        txt = read_incidents(pd.DataFrame({**base, "date": [str(v) for v in ms] + [""]}),
                             datetime="date")
        sec = read_incidents(pd.DataFrame({**base, "date": [str(v // 1000) for v in ms]
                                           + [""]}), datetime="date")
    assert len(txt) == 4
    assert txt["occurred_at"].iloc[1] == pd.Timestamp("2019-01-01 01:00", tz="UTC")
    pd.testing.assert_series_equal(txt["occurred_at"], num["occurred_at"])
    pd.testing.assert_series_equal(sec["occurred_at"], num["occurred_at"])
    assert txt["time_quality"].astype(str).tolist() == num["time_quality"].astype(str).tolist()
    assert pd.isna(txt["occurred_at"].iloc[3])
    assert "epoch ms (UTC)" in " ".join(ingest_report(txt).notes)


def test_projected_crs_with_degree_xy_raises():
    df = pd.DataFrame({"x": LON, "y": LAT, "date": ["2019-01-05"] * 3})
    with pytest.raises(CRSError, match=r"x/y look like degrees.*pass lon=/lat= or crs='EPSG:4326'"):
        read_incidents(df, crs="EPSG:3435")
    with pytest.raises(CRSError, match="is projected"):  # the mirror case
        read_incidents(df.rename(columns={"x": "lon", "y": "lat"}), crs="EPSG:3435")


def test_date_only_window_end_day_before_start_is_reported():
    df = pd.DataFrame({"lat": LAT, "lon": LON,
                       "FROM_DATE": ["2019-01-09", "2019-01-08", "2019-01-08 21:00"],
                       "TO_DATE": ["2019-01-08", "2019-01-08", "2019-01-08"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        gdf = read_incidents(df, start="FROM_DATE", end="TO_DATE")
    rep = ingest_report(gdf)
    assert len(gdf) == 3
    assert pd.isna(gdf["occurred_to"].iloc[0])
    day = pd.Timestamp("2019-01-09", tz="America/Chicago")
    assert gdf["occurred_at"].iloc[0] == day
    assert gdf["occurred_to"].iloc[1] == day  # same day: a window
    assert gdf["occurred_to"].iloc[2] == day  # end of that day
    msgs = [w for w in rep.warnings if w.startswith("window_end_before_start")]
    assert len(msgs) == 1 and "1 rows" in msgs[0] and "row_id 0" in msgs[0]
