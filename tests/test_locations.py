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
