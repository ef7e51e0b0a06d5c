"""Stacked placeholder points and snapped locations (hotspot.ingest.locations)."""

import warnings

import numpy as np
import pandas as pd
import pytest

import hotspot as hs
from hotspot.exceptions import InvalidInputError
from hotspot.ingest.locations import StackRule, exclude_stacked, stacked_locations


def read(src, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hs.read_incidents(src, **kw)


@pytest.fixture(scope="module")
def stacked_city():
    """400 scattered incidents + 80 on a 'location not known' point + a dense real block."""
    rng = np.random.default_rng(3)
    lon = -87.65 + rng.uniform(0, 0.04, 400)
    lat = 41.85 + rng.uniform(0, 0.03, 400)
    place = np.array(["On or near Some Street"] * 400, dtype=object)
    # a real busy block: 60 incidents spread over 30 nearby addresses (not a stack)
    blon = -87.63 + np.repeat(np.arange(30) * 0.0002, 2)
    blat = np.full(60, 41.87) + np.tile([0.0, 0.0001], 30)
    df = pd.DataFrame({
        "longitude": np.r_[lon, np.full(80, -87.6401), blon],
        "latitude": np.r_[lat, np.full(80, 41.8601), blat],
        "date": pd.date_range("2021-01-01", periods=540, freq="5h").astype(str),
        "location": np.r_[place, ["LOCATION NOT KNOWN"] * 80, ["Busy Street"] * 60],
    })
    return df, read(df, tz="America/Chicago")


def test_rule_flags_the_placeholder_not_a_busy_block(stacked_city):
    _, inc = stacked_city
    assert inc["location_quality"].value_counts().to_dict() == {
        "exact": 460, "stacked": 80, "snapped": 0}
    stacks = inc.attrs["hotspot"]["ingest"]["stacked_locations"]
    assert stacks["count"].tolist() == [80]
    assert stacks["address"].iloc[0] == "LOCATION NOT KNOWN"
    assert abs(stacks["lon"].iloc[0] + 87.6401) < 1e-4
    rep = hs.ingest_report(inc)
    line = next(w for w in rep.warnings if w.startswith("stacked locations"))
    assert "80 at (-87.64010, 41.86010) 'LOCATION NOT KNOWN'" in line
    assert rep.rows_kept == 540  # flagged, not dropped


def test_rule_thresholds():
    x = np.r_[np.arange(200.0) * 30, np.full(19, 500.0)]
    y = np.zeros(219)
    assert not stacked_locations(x, y)[0].any()  # 19 < min_count
    flag, _ = stacked_locations(x, y, StackRule(min_count=10, ratio=10))
    assert flag.sum() == 19
    flag, _ = stacked_locations(x, y, StackRule(min_count=10, ratio=50))
    assert flag.sum() == 0


def test_products_exclude_stacked_by_default_and_say_so(stacked_city):
    _, inc = stacked_city
    hot = hs.hotspots(inc, method="count", cell_size=200, top_share=0.05)
    choice = hot.attrs["hotspot"]["hotspots"]["choices"]["stacked"]
    assert choice["value"] == {"rows": 80, "action": "exclude"}
    assert hot["n_incidents"].sum() <= 460
    kept = hs.hotspots(inc, method="count", cell_size=200, top_share=0.05, stacked="keep")
    assert kept["n_incidents"].max() >= 80
    audit = hs.lighting_audit(inc, kept)
    assert "LOCATION NOT KNOWN" not in set(audit.incidents["location"])
    with pytest.raises(InvalidInputError, match="'exclude'"):
        exclude_stacked(inc, "drop")


def test_police_uk_points_are_snapped(tmp_path):
    rng = np.random.default_rng(0)
    pts = rng.integers(0, 15, 300)
    df = pd.DataFrame({"Crime ID": range(300), "Month": "2022-01", "Reported by": "Force",
                       "Falls within": "Force", "Longitude": -1.5 + pts * 0.0005,
                       "Latitude": 53.8 + (pts % 3) * 0.0004, "Location": "On or near X",
                       "Crime type": "Burglary"})
    inc = read(df)
    assert set(inc["location_quality"]) == {"snapped"}


@pytest.mark.slow
@pytest.mark.shared_data
def test_real_stacks_austin_and_west_yorkshire(shared_data):
    pytest.importorskip("openpyxl")
    austin = read(shared_data / "other_exports" /
                  "austin_fortworth_seattle_aggravated_assaults_2019.xlsx", sheet="Austin")
    stacks = austin.attrs["hotspot"]["ingest"]["stacked_locations"]
    assert stacks["count"].iloc[0] == 76
    assert (austin["location_quality"] == "stacked").sum() == stacks["count"].sum()
    wy = read(shared_data / "west_yorkshire" / "2018-07-west-yorkshire-street.csv.gz")
    q = wy["location_quality"].value_counts(normalize=True)
    assert q["snapped"] > 0.98 and q.get("exact", 0) == 0


def test_busy_real_buildings_are_kept_placeholders_are_not():
    """A school's point holds many incidents, all recorded at a school: a real building.
    A 'location not known' point holds incidents of every kind of place: a placeholder.
    A busy point recorded as 'street' says nothing about a building: still stacked."""
    rng = np.random.default_rng(5)
    lon = -87.65 + rng.uniform(0, 0.04, 400)
    lat = 41.85 + rng.uniform(0, 0.03, 400)
    kinds = np.array(["residence", "street", "retail", "other"])
    df = pd.DataFrame({
        "longitude": np.r_[lon, np.full(60, -87.6401), np.full(50, -87.6201),
                           np.full(40, -87.6301)],
        "latitude": np.r_[lat, np.full(60, 41.8601), np.full(50, 41.8701), np.full(40, 41.8651)],
        "date": pd.date_range("2021-01-01", periods=550, freq="5h").astype(str),
        "loc_cat": np.r_[rng.choice(kinds, 400), rng.choice(kinds, 60),
                         ["education"] * 47 + ["street"] * 3, ["street"] * 40],
        "location": np.r_[["Some St"] * 400, ["LOCATION NOT KNOWN"] * 60, ["1XX School Rd"] * 50,
                          ["2XX Main St"] * 40],
    })
    inc = read(df, tz="America/Chicago")
    stacked = inc["location_quality"] == "stacked"
    assert set(inc.loc[stacked, "location"]) == {"LOCATION NOT KNOWN", "2XX Main St"}
    assert not (stacked & (inc["location"] == "1XX School Rd")).any()
    line = next(w for w in hs.ingest_report(inc).warnings if "busy buildings kept" in w)
    assert "1 point(s) holding 50 incidents" in line and "education 1 (50 incidents)" in line
    # products leave out the placeholders and say where they were and what they held
    _, said = exclude_stacked(inc, "exclude")
    assert said.startswith("100 incidents on a stacked location")
    assert "2 points, 60 at (-87.64010, 41.86010) 'LOCATION NOT KNOWN' and 40 at" in said
    assert "their place types street" in said
    assert said.index("their place types") < said.index(";")  # kept whole on the page


@pytest.mark.shared_data
def test_chicago_schools_and_public_buildings_are_not_placeholders(shared_data):
    inc = read(shared_data / "chicago" / "chicago_aggravated_assaults_2010_2019.csv.gz")
    assert (inc["location_quality"] != "stacked").all()
    line = next(w for w in hs.ingest_report(inc).warnings if "busy buildings kept" in w)
    assert "education 22" in line and "government 7" in line
    # District 11, April 2012 - July 2013: the assaults at its schools and public
    # buildings stay in the products
    d11 = inc[(inc["district"] == 11) & inc["occurred_at"].between(
        pd.Timestamp("2012-04-01", tz="America/Chicago"),
        pd.Timestamp("2013-07-31 23:59", tz="America/Chicago"))]
    kept, said = exclude_stacked(d11, "exclude")
    assert len(kept) == len(d11) > 1400 and said is None
