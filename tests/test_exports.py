"""Every export a force produces: encodings, Excel, layers, folders, compression, separators."""

import bz2
import gzip
import lzma
import warnings
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspot as hs
from hotspot.exceptions import CRSError, InvalidInputError
from hotspot.ingest.incidents import read_incidents
from hotspot.ingest.report import ingest_report

LON = [-87.63, -87.62, -87.61, -87.60]
LAT = [41.88, 41.89, 41.87, 41.86]


def read(src, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_incidents(src, **kw)


def _csv_text(sep=",", offences=("Dégradation", "Vol", "Vol à la tire", "Vol")):
    rows = [sep.join(["longitude", "latitude", "date", "offence"])]
    rows += [sep.join([str(a), str(b), f"2020-03-0{i + 1} 21:30", o])
             for i, (a, b, o) in enumerate(zip(LON, LAT, offences, strict=True))]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-8-sig", "utf-8"])
def test_encodings_are_decoded_and_reported(tmp_path, encoding):
    p = tmp_path / "crimes.csv"
    p.write_bytes(_csv_text(offences=("Dégradation", "Vol", "Vol à la tire", "Œuvre"
                                      if encoding != "latin-1" else "Vol")).encode(encoding))
    gdf = read(p)
    assert len(gdf) == 4
    assert gdf["offence"].iloc[0] == "Dégradation"
    assert (gdf["offence"] == "Vol").sum() >= 1
    assert not any(isinstance(v, bytes) for v in gdf["offence"])
    assert {"longitude", "latitude", "date", "offence_original"} <= set(gdf.columns)
    enc = gdf.attrs["hotspot"]["ingest"]["choices"]["encoding"]["value"]
    if encoding in ("latin-1", "cp1252"):
        assert enc in ("cp1252", "latin-1")
        assert any("not valid UTF-8" in n for n in ingest_report(gdf).notes)
    elif encoding == "utf-16":
        assert enc.startswith("utf-16")
    else:
        assert enc.startswith("utf-8")


def test_non_ascii_in_coordinate_and_date_columns(tmp_path):
    text = "longitude;latitude;date\n-87,63;41,88;01/03/2020\n-87,62;41°89;02/03/2020\n" \
           "-87,61;41,87;03/03/2020 é\n"
    p = tmp_path / "crimes.csv"
    p.write_bytes(text.encode("cp1252"))
    gdf = read(p)
    rep = ingest_report(gdf)
    assert rep.rows_read == 3
    assert rep.rows_kept + rep.rows_dropped == 3
    assert rep.dropped["invalid_coordinates"] == 1


@pytest.mark.parametrize(("name", "opener"), [
    ("crimes.csv.gz", gzip.open), ("crimes.csv.bz2", bz2.open),
    ("crimes.csv.xz", lzma.open), ("crimes.csv", gzip.open),  # gzip named .csv
    ("crimes.txt", bz2.open)])
def test_compression_from_content_and_delimiter_sniffed(tmp_path, name, opener):
    p = tmp_path / name
    with opener(p, "wb") as fh:
        fh.write(_csv_text(sep=";").encode("utf-8"))
    gdf = read(p)
    assert len(gdf) == 4 and gdf["offence"].iloc[1] == "Vol"


def test_zip_of_one_csv_and_zip_named_csv(tmp_path):
    for name in ("crimes.zip", "crimes.csv.zip", "export.csv"):
        p = tmp_path / name
        with zipfile.ZipFile(p, "w") as zf:
            zf.writestr("inner.csv", _csv_text(sep="|"))
        assert len(read(p)) == 4
    p = tmp_path / "two.csv.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("a.csv", _csv_text())
        zf.writestr("b.csv", _csv_text())
    with pytest.raises(InvalidInputError, match="holding 2 files"):
        read(p)


def test_corrupt_gzip_names_the_file(tmp_path):
    good = gzip.compress(_csv_text().encode() * 200)
    p = tmp_path / "crimes.csv.gz"
    p.write_bytes(good[: len(good) // 2] + b"\x00garbage" * 10)
    with pytest.raises(InvalidInputError, match=r"crimes\.csv\.gz is not a readable gzip file"):
        read(p)
    p.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(InvalidInputError, match=r"crimes\.csv\.gz"):
        read(p)
    e = tmp_path / "empty.csv"
    e.write_bytes(b"")
    with pytest.raises(InvalidInputError, match="empty"):
        read(e)


def test_xlsx_sheets_and_serial_dates(tmp_path):
    pytest.importorskip("openpyxl")
    p = tmp_path / "crimes.xlsx"
    df = pd.DataFrame({"longitude": LON, "latitude": LAT,
                       "date": pd.to_datetime(["2020-03-01 21:30", "2020-03-02 08:00",
                                               "2020-03-03 12:00", "2020-03-04 23:15"])})
    serial = df.assign(date=(df["date"] - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1))
    with pd.ExcelWriter(p) as xw:
        df.to_excel(xw, sheet_name="Austin", index=False)
        serial.to_excel(xw, sheet_name="Serial", index=False)
    with pytest.raises(InvalidInputError, match=r"2 sheets \('Austin', 'Serial'\).*sheet="):
        read(p)
    a = read(p, sheet="Austin")
    b = read(p, sheet=1)
    assert a["occurred_at"].tolist() == b["occurred_at"].tolist()
    assert b["occurred_at"].iloc[0].strftime("%Y-%m-%d %H:%M") == "2020-03-01 21:30"
    assert any("serial" in n for n in ingest_report(b).notes)
    with pytest.raises(InvalidInputError, match="no such sheet"):
        read(p, sheet="Dallas")


def test_multi_layer_geopackage_needs_layer(tmp_path):
    p = tmp_path / "crimes.gpkg"
    pts = gpd.GeoDataFrame({"offence": ["a", "b", "c"]},
                           geometry=gpd.points_from_xy(LON[:3], LAT[:3]), crs=4326)
    pts.iloc[:2].to_file(p, layer="arrests")  # the first layer, and smaller
    pts.to_file(p, layer="incidents")
    with pytest.raises(InvalidInputError, match=r"2 layers: 'arrests' \(Point, 2 features\), "
                       r"'incidents' \(Point, 3 features\).*e\.g\. layer='incidents' \(the "
                       "point layer with the most features"):
        read(p)
    beats = gpd.GeoDataFrame({"beat": range(4)}, crs=4326,
                             geometry=gpd.points_from_xy(LON, LAT).buffer(0.01))
    q = tmp_path / "two.gpkg"
    beats.to_file(q, layer="beats")  # more features, but polygons
    pts.to_file(q, layer="crimes")
    with pytest.raises(InvalidInputError, match=r"layer='crimes' \(the only point layer\)"):
        read(q)
    gdf = read(p, layer="incidents")
    assert ingest_report(gdf).rows_read == 3
    assert any("layers" in n for n in ingest_report(gdf).notes)
    with pytest.raises(InvalidInputError, match="no such layer"):
        read(p, layer="nope")


def test_file_geodatabase_layers(tmp_path):
    import pyogrio

    if "w" not in pyogrio.list_drivers().get("OpenFileGDB", ""):
        pytest.skip("GDAL cannot write File Geodatabases here")
    p = tmp_path / "crimes.gdb"
    pts = gpd.GeoDataFrame({"offence": ["a", "b", "c"]},
                           geometry=gpd.points_from_xy(LON[:3], LAT[:3]), crs=4326)
    pts.to_file(p, layer="incidents", driver="OpenFileGDB")
    pts.iloc[:1].to_file(p, layer="calls", driver="OpenFileGDB")
    with pytest.raises(InvalidInputError, match=r"crimes\.gdb has 2 layers.*"
                       r"layer='incidents' \(the point layer with the most features\)"):
        read(p)
    assert ingest_report(read(p, layer="incidents")).rows_read == 3


def test_folder_with_mixed_column_case_and_order(tmp_path):
    (tmp_path / "a.csv").write_text("lat,lon,Date,Crime Type\n41.88,-87.63,2020-03-01,Robbery\n"
                                    "41.89,-87.62,2020-03-02,Burglary\n")
    (tmp_path / "b.csv").write_text("Longitude,Latitude,crime_type,DATE\n-87.61,41.87,Drugs,"
                                    "2020-03-03\n")
    (tmp_path / "c.csv").write_text("CRIME TYPE,date,LON,LAT\nRobbery,2020-03-04,-87.60,41.86\n")
    (tmp_path / "d.csv").write_text("foo,bar\n1,2\n")
    gdf = read(tmp_path)
    rep = ingest_report(gdf)
    assert rep.rows_read == 4 and rep.rows_kept == 4
    assert gdf["occurred_at"].notna().all()
    assert sorted(gdf["source_file"].unique()) == ["a.csv", "b.csv", "c.csv"]
    assert any("skipped d.csv" in w for w in rep.warnings)
    assert gdf["offence"].tolist() == ["Robbery", "Burglary", "Drugs", "Robbery"]


@pytest.mark.parametrize(("lon", "lat", "kw"), [
    (["-87,63", "-87,62", "-87,61", "-87,60"], ["41,88", "41,89", "41,87", "41,86"], {}),
])
def test_decimal_comma_lonlat(lon, lat, kw):
    gdf = read(pd.DataFrame({"lon": lon, "lat": lat}), **kw)
    assert len(gdf) == 4


def test_thousands_separators_in_projected_coordinates():
    x = ["1.176.000,5", "1.176.100", "1.176.200,25", "1.176.300"]
    y = ["1.900.000", "1.900.100,5", "1.900.200", "1.900.300"]
    gdf = read(pd.DataFrame({"x": x, "y": y}), crs="EPSG:3435")
    assert len(gdf) == 4
    assert any("decimal separator" in n for n in ingest_report(gdf).notes)
    us = read(pd.DataFrame({"x": ["1,176,000.5", "1,176,100", "1,176,200", "1,176,300"],
                            "y": ["1,900,000", "1,900,100", "1,900,200.5", "1,900,300"]}),
              crs="EPSG:3435")
    np.testing.assert_allclose(us.geometry.x, gdf.geometry.x, atol=1)
    given = read(pd.DataFrame({"x": ["1 176 000,5"] * 2, "y": ["1 900 000"] * 2}),
                 crs="EPSG:3435", decimal=",", thousands=" ")
    assert len(given) == 2


def test_categorical_coordinates():
    df = pd.DataFrame({"x": pd.Categorical(LON), "y": pd.Categorical([str(v) for v in LAT])})
    gdf = read(df)
    assert len(gdf) == 4
    np.testing.assert_allclose(
        shapely.get_x(gdf.to_crs(4326).geometry.values), LON, atol=1e-6)


def test_unhashable_offence_values():
    df = pd.DataFrame({"lon": LON, "lat": LAT, "offence": [["a"], ["b"], ["a"], ["c"]]})
    with pytest.raises(InvalidInputError, match="offence"):
        read(df)


@pytest.mark.slow
@pytest.mark.shared_data
def test_real_excel_workbook_needs_a_sheet(shared_data):
    pytest.importorskip("openpyxl")
    p = shared_data / "other_exports" / "austin_fortworth_seattle_aggravated_assaults_2019.xlsx"
    with pytest.raises(InvalidInputError, match="'Austin', 'Fort Worth', 'Seattle'"):
        read(p)
    gdf = read(p, sheet="Fort Worth")
    rep = ingest_report(gdf)
    assert rep.rows_read == 1577 and rep.rows_kept + rep.rows_dropped == 1577
    assert gdf["occurred_at"].notna().mean() > 0.99
    assert gdf.crs.to_epsg() == 32614


@pytest.mark.slow
@pytest.mark.shared_data
def test_real_spanish_geopackage_and_tab_separated(shared_data):
    cdmx = read(shared_data / "other_exports" / "cdmx_car_jacking.gpkg")
    rep = ingest_report(cdmx)
    assert rep.rows_read == 2811 and rep.detected["datetime"] == "fecha_hechos"
    assert rep.dropped["zero_coordinates"] == rep.rows_dropped
    lancs = read(shared_data / "other_exports" / "lancashire_asb_2022.tab.gz")
    rep = ingest_report(lancs)
    assert rep.rows_read == rep.rows_kept == 56434
    assert any("tab-separated" in n for n in rep.notes)


def _grid_export(epsg, lon, lat, n=60, seed=0):
    from pyproj import Transformer

    rng = np.random.default_rng(seed)
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(
        lon + rng.normal(0, 0.02, n), lat + rng.normal(0, 0.015, n))
    return pd.DataFrame({"Easting": np.round(x, 1), "Northing": np.round(y, 1),
                         "Date": pd.date_range("2022-03-01 08:00", periods=n, freq="7h")
                         .strftime("%Y-%m-%d %H:%M")})


@pytest.mark.parametrize("epsg,lon,lat,zone", [(27700, -0.12, 51.5, "Europe/London"),
                                               (25830, -3.7, 40.42, "Europe/Madrid")])
def test_national_grid_guessed_only_where_one_grid_fits(epsg, lon, lat, zone):
    df = _grid_export(epsg, lon, lat)
    with pytest.warns(hs.DataQualityWarning):
        gdf = hs.read_incidents(df)
    rep = ingest_report(gdf)
    assert rep.crs_in == f"EPSG:{epsg}" and rep.time_zone == zone
    assert any(f"read as EPSG:{epsg}" in w and "the only common grid" in w
               for w in rep.warnings)
    assert "guessed" in gdf.attrs["hotspot"]["ingest"]["choices"]["crs_in"]["reason"]
    back = gdf.to_crs(4326).geometry
    assert abs(back.x.median() - lon) < 0.01 and abs(back.y.median() - lat) < 0.01


def test_national_grid_not_guessed_where_several_fit():
    from hotspot.present.cli import cli_text

    # Leeds on the British National Grid is also Poland's CS92 near Wroclaw
    with pytest.raises(CRSError, match=r"EPSG:27700 \(British National Grid\) puts them "
                       r"around 53\.\d+, -1\.\d+ \(Europe/London\); EPSG:2180 \(Poland") as err:
        hs.read_incidents(_grid_export(27700, -1.55, 53.8))
    assert cli_text(str(err.value)).endswith("e.g. --crs 'EPSG:27700'.")  # the CLI's flag
    # US State Plane feet fit no national grid: the general advice
    chicago = pd.DataFrame({"X": [1176000.0, 1177000.0], "Y": [1900000.0, 1901000.0],
                            "Date": ["2020-01-01", "2020-01-02"]})
    with pytest.raises(CRSError, match=r"CRS is unknown.*EPSG:3435"):
        hs.read_incidents(chicago)


def test_place_type_column_named_in_the_ingest_report():
    df = pd.DataFrame({"lon": [-79.40, -79.41, -79.42], "lat": [43.70, 43.71, 43.72],
                       "occurrencedate": ["2020-01-01 10:00", "2020-01-02 11:00",
                                          "2020-01-03 12:00"],
                       "PREMISES_TYPE": ["Outside", "House", "Zeppelin hangar"]})
    gdf = read(df)
    rep = ingest_report(gdf)
    assert rep.detected["setting"] == "PREMISES_TYPE"
    assert gdf.attrs["hotspot"]["ingest"]["choices"]["setting"]["value"] == "PREMISES_TYPE"
    assert any("place-type value(s) of 'PREMISES_TYPE'" in n and "'Zeppelin hangar' (1)" in n
               for n in rep.notes)
