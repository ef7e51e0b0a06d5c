"""Tests of the exports (GeoPackage, GeoJSON, CSV) and their parameter metadata."""

from __future__ import annotations

import json
import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from hotspot.exceptions import InvalidInputError
from hotspot.present.export import METADATA_TABLE, export, read_export

CLASSES = ["cold_99", "cold_95", "cold_90", "not_significant", "hot_90", "hot_95", "hot_99"]


def _units() -> gpd.GeoDataFrame:
    geoms = [box(c * 250, r * 250, (c + 1) * 250, (r + 1) * 250)
             for r in range(3) for c in range(4)]
    n = np.arange(12)
    gdf = gpd.GeoDataFrame(
        {"row": n // 4, "col": n % 4, "n_incidents": n, "gi_z": n * 0.5 - 2.0,
         "p_adjusted": np.linspace(0.001, 0.9, 12),
         "hotspot_class": pd.Categorical([CLASSES[i % 7] for i in n], categories=CLASSES,
                                         ordered=True)},
        geometry=geoms, crs=32616, index=pd.RangeIndex(12, name="unit_id"))
    gdf.loc[5, "gi_z"] = np.nan
    gdf.attrs["hotspot"] = {
        "grid": {"x0": 0.0, "y0": 0.0, "cell_size": 250.0, "nx": 4, "ny": 3},
        "gi_star": {"params": {"alpha": np.float64(0.05), "neighbors": "queen",
                               "classes": ("hot_99", "hot_95")},
                    "choices": {"cell_size": {"value": np.int64(250), "reason": "given"}}},
    }
    return gdf


def _check_roundtrip(back: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> None:
    assert back.index.name == "unit_id"
    assert back.index.tolist() == units.index.tolist()
    assert back["n_incidents"].tolist() == units["n_incidents"].tolist()
    assert back["hotspot_class"].tolist() == units["hotspot_class"].astype(str).tolist()
    np.testing.assert_allclose(back["gi_z"].to_numpy(dtype=float), units["gi_z"].to_numpy(),
                               equal_nan=True)
    assert back.crs.equals(units.crs)
    assert back.geometry.geom_equals(units.geometry.reset_index(drop=True).set_axis(
        back.index)).all()
    meta = back.attrs["hotspot"]
    assert meta["gi_star"]["params"] == {"alpha": 0.05, "neighbors": "queen",
                                         "classes": ["hot_99", "hot_95"]}
    assert meta["gi_star"]["choices"]["cell_size"]["value"] == 250
    assert meta["grid"]["cell_size"] == 250.0


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv"])
def test_roundtrip_with_parameters(tmp_path, suffix):
    units = _units()
    before = units.copy()
    out = export(units, tmp_path / f"units{suffix}", internal=True)
    assert out.exists()
    _check_roundtrip(read_export(out), units)
    # input untouched
    pd.testing.assert_frame_equal(pd.DataFrame(units), pd.DataFrame(before))
    assert isinstance(units["hotspot_class"].dtype, pd.CategoricalDtype)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv"])
def test_refuses_to_overwrite(tmp_path, suffix):
    path = tmp_path / f"u{suffix}"
    export(_units(), path, internal=True)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        export(_units(), path, internal=True)
    smaller = _units().iloc[:3]
    export(smaller, path, overwrite=True, internal=True)
    assert len(read_export(path)) == 3


def test_geojson_top_level_member(tmp_path):
    out = export(_units(), tmp_path / "u.geojson", internal=True)
    raw = json.loads(out.read_text())
    assert raw["type"] == "FeatureCollection"
    assert raw["hotspot"]["crs"] == "EPSG:32616"
    assert raw["hotspot"]["hotspot"]["gi_star"]["params"]["neighbors"] == "queen"
    assert raw["features"][0]["properties"]["hotspot_class"] == "cold_99"
    assert raw["features"][5]["properties"]["gi_z"] is None
    # standard readers still read it
    assert len(gpd.read_file(out)) == 12


def test_csv_wkt_centroids_and_sidecar(tmp_path):
    out = export(_units(), tmp_path / "u.csv", internal=True)
    df = pd.read_csv(out)
    assert list(df.columns[:2]) == ["unit_id", "row"]
    assert df.loc[0, "geometry"].startswith("POLYGON")
    assert (df.loc[0, "centroid_x"], df.loc[0, "centroid_y"]) == (125.0, 125.0)
    side = json.loads((tmp_path / "u.csv.json").read_text())
    assert side["n_rows"] == 12 and side["crs"] == "EPSG:32616"


def test_gpkg_two_layers_and_metadata_table(tmp_path):
    path = tmp_path / "hotspots.gpkg"
    units = _units()
    hot = gpd.GeoDataFrame({"hotspot_id": [1], "rank": [1], "n_incidents": [40]},
                           geometry=[box(0, 0, 500, 500)], crs=32616)
    hot.attrs["hotspot"] = {"hotspots": {"params": {"method": "gistar"}}}
    export(units, path, layer="units", internal=True)
    export(hot, path, layer="hotspots", internal=True)
    with pytest.raises(FileExistsError, match="layer 'units'"):
        export(units, path, layer="units", internal=True)
    with sqlite3.connect(path) as con:
        rows = dict(con.execute(f"SELECT layer, metadata FROM {METADATA_TABLE}").fetchall())
    assert set(rows) == {"units", "hotspots"}
    assert json.loads(rows["hotspots"])["hotspot"]["hotspots"]["params"]["method"] == "gistar"
    back = read_export(path, layer="hotspots")
    assert back["n_incidents"].tolist() == [40]
    assert back.attrs["hotspot"]["hotspots"]["params"]["method"] == "gistar"
    _check_roundtrip(read_export(path, layer="units"), units)
    # replacing one layer keeps the other
    export(units.iloc[:2], path, layer="units", overwrite=True, internal=True)
    assert len(read_export(path, layer="units")) == 2
    assert len(read_export(path, layer="hotspots")) == 1


def test_bad_extension_and_layer(tmp_path):
    with pytest.raises(InvalidInputError, match=r"\.gpkg"):
        export(_units(), tmp_path / "u.shp", internal=True)
    with pytest.raises(InvalidInputError, match="GeoPackage"):
        export(_units(), tmp_path / "u.csv", layer="x", internal=True)


@pytest.mark.shared_data
def test_real_memphis_hotspots_export(shared_data, tmp_path):
    import hotspot as hs

    df = pd.read_csv(shared_data / "memphis" / "memphis_robberies_2019.csv.gz")
    inc = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.longitude, df.latitude),
                           crs=4326).to_crs(32616)
    gi = hs.gi_star(hs.count(inc, hs.grid(inc, cell_size=250.0)))
    hot = hs.hotspots(gi)
    for suffix in (".gpkg", ".geojson", ".csv"):
        back = read_export(export(hot, tmp_path / f"hot{suffix}", internal=True))
        assert back["rank"].tolist() == hot["rank"].tolist()
        np.testing.assert_allclose(back["share"], hot["share"])
        np.testing.assert_allclose(back.area / 1e6, hot["area_km2"], rtol=1e-9)
        assert back.attrs["hotspot"]["hotspots"]["params"]["method"] == "gistar"
        assert back.attrs["hotspot"]["grid"]["cell_size"] == 250.0
    back = read_export(export(gi, tmp_path / "units.gpkg", internal=True))
    assert len(back) == len(gi)
    assert (back["hotspot_class"].to_numpy() == gi["hotspot_class"].astype(str).to_numpy()).all()


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv"])
def test_incidents_datetimes_keep_time_zone(tmp_path, suffix):
    when = pd.to_datetime(["2019-01-01 01:30", "2019-07-04 22:15", None]).tz_localize(
        "America/Chicago")
    inc = gpd.GeoDataFrame(
        {"occurred_at": when, "offence": pd.Categorical(["robbery", "assault", None]),
         "time_quality": pd.array(["exact", "exact", "missing"], dtype="string")},
        geometry=gpd.points_from_xy([50, 60, 70], [50, 60, 70]), crs=32616)
    back = read_export(export(inc, tmp_path / f"i{suffix}", internal=True))
    assert str(back["occurred_at"].dt.tz) == "America/Chicago"
    assert back["occurred_at"].iloc[:2].tolist() == when[:2].tolist()  # winter and summer
    assert back["occurred_at"].isna().tolist() == [False, False, True]
    assert back["offence"].iloc[:2].tolist() == ["robbery", "assault"]
    assert pd.isna(back["offence"].iloc[2])


def test_shared_exports_suppress_small_counts(tmp_path):
    """Files for sharing follow the maps' rule: no value of a cell under 3 incidents."""
    units = _units()
    small = (units["n_incidents"] > 0) & (units["n_incidents"] < 3)
    for suffix in (".gpkg", ".geojson", ".csv"):
        back = read_export(export(units, tmp_path / f"shared{suffix}"))
        assert back["suppressed"].tolist() == small.tolist()
        assert back.loc[small.to_numpy(), "n_incidents"].isna().all()
        assert back.loc[small.to_numpy(), "gi_z"].isna().all()
        kept = ~small.to_numpy()
        assert back.loc[kept, "n_incidents"].tolist() == units.loc[kept, "n_incidents"].tolist()
        assert back.attrs["hotspot"]["privacy"].startswith("shared: counts under 3")
    inside = read_export(export(units, tmp_path / "inside.gpkg", internal=True))
    assert inside.attrs["hotspot"]["privacy"].startswith("internal")
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 1], [0, 1]), crs=32616)
    with pytest.raises(InvalidInputError, match="internal=True"):
        export(points, tmp_path / "incidents.gpkg")
