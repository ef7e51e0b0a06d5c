import numpy as np
import pytest

import hotspot as hs
from hotspot.datasets import SAMPLES, load_sample, sample_path


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_sample_loads_projected(name):
    gdf = load_sample(name)
    assert len(gdf) > 0
    assert gdf.crs.is_projected
    assert gdf.crs.axis_info[0].unit_name == "metre"
    assert gdf.geometry.notna().all()


def test_sample_incidents_carry_an_accounted_ingest_report():
    robberies = load_sample("memphis_robberies")
    report = hs.ingest_report(robberies)
    assert report.rows_read == 2245 == report.rows_kept + sum(report.dropped.values())
    assert (robberies["time_quality"] == "midnight").sum() == 41

    wy = load_sample("west_yorkshire")
    report = hs.ingest_report(wy)
    assert report.rows_read == 31635
    assert {k: v for k, v in report.dropped.items() if v} == {"missing_coordinates": 883}
    assert (wy["time_quality"] == "month_only").all()


def test_chicago_subset_covers_the_outage_window():
    assaults = load_sample("chicago_assaults")
    assert len(assaults) == 19631  # as documented for 2012-04-01 .. 2013-07-31
    t = assaults["occurred_at"]
    assert str(t.dt.tz) == "America/Chicago"
    assert t.min() >= pd_ts("2012-04-01") and t.max() < pd_ts("2013-08-01")
    outages = load_sample("chicago_outages")
    assert len(outages) == 12518 + 10796 + 10266
    assert (outages["occurred_to"] >= outages["occurred_from"]).all()
    # outages (State Plane feet) and assaults (lon/lat) end up in one metric CRS
    districts = load_sample("chicago_districts")
    assert outages.crs.equals(assaults.crs) and districts.crs.equals(assaults.crs)
    inside = outages.geometry.within(districts.union_all()).mean()
    assert inside > 0.95


def test_memphis_layers_line_up():
    robberies = load_sample("memphis_robberies")
    precincts = load_sample("memphis_precincts")
    population = load_sample("memphis_population")
    assert population["population"].sum() == 634612
    share_inside = robberies.geometry.within(precincts.union_all()).mean()
    assert share_inside > 0.9
    assert np.isfinite(population.geometry.x).all()


def test_unknown_sample_names_the_choices():
    with pytest.raises(hs.InvalidInputError, match="memphis_robberies"):
        load_sample("nowhere")


def test_sample_files_have_provenance():
    readme = (sample_path() / "README.md").read_text()
    for path in sample_path().iterdir():
        if path.name != "README.md":
            assert path.name in readme, f"{path.name} has no provenance in README.md"


def pd_ts(s):
    import pandas as pd

    return pd.Timestamp(s, tz="America/Chicago")
