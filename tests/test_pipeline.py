"""One composition of the scan: hs.hotspots, `hotspot analyze` and hs.briefing agree."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import hotspot as hs
import hotspot.present.cli
import hotspot.present.report
from hotspot.pipeline import scan
from hotspot.present.cli import analyze


class _ScanCapturedError(Exception):
    """Raised once the scan of a door has been captured: the rest is not needed."""


def _capture(monkeypatch: pytest.MonkeyPatch, module: object, seen: list) -> None:
    def spy(*args, **kwargs):
        seen.append(scan(*args, **kwargs))
        raise _ScanCapturedError

    monkeypatch.setattr(module, "scan", spy)


def _cell_size(frame: gpd.GeoDataFrame) -> float:
    return frame.attrs["hotspot"]["units"]["choices"]["cell_size"]["value"]


def _same_hotspots(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    cols = ["hotspot_id", "rank", "n_incidents", "n_units", "area_km2"]
    pd.testing.assert_frame_equal(
        a[cols].reset_index(drop=True), b[cols].reset_index(drop=True), check_dtype=False
    )
    assert a.geometry.reset_index(drop=True).geom_equals(b.geometry.reset_index(drop=True)).all()


@pytest.mark.shared_data
@pytest.mark.parametrize("sample", ["memphis_robberies", "chicago_assaults"])
def test_every_door_gives_the_same_scan(sample, shared_data, monkeypatch, tmp_path):
    incidents = hs.datasets.load_sample(sample)
    incidents = incidents[incidents["occurred_at"].notna()]  # a briefing needs times
    direct = hs.hotspots(incidents, max_area_km2=1.0)
    cells, spots = scan(incidents, max_area_km2=1.0)
    # the scan's list adds busy places; its hot spots are hs.hotspots' own, in order
    hot = spots[spots["kind"] == "hot spot"].assign(hotspot_id=direct["hotspot_id"].to_numpy(),
                                                    rank=direct["rank"].to_numpy())
    _same_hotspots(direct, hot)
    assert _cell_size(direct) == _cell_size(cells)
    assert spots["area_km2"].max() <= 1.0 + 1e-9

    doors: list = []
    _capture(monkeypatch, hotspot.present.cli, doors)  # `hotspot analyze` -> analyze()
    with pytest.raises(_ScanCapturedError):
        analyze(incidents, tmp_path, name="x", quiet=True)  # CLI default: 1 km² cap
    _capture(monkeypatch, hotspot.present.report, doors)
    with pytest.raises(_ScanCapturedError):
        # the whole span of the data: by default a pack covers the robust data period,
        # which leaves out stray dates, so its incidents would not be the same ones
        span = (incidents["occurred_at"].min(), incidents["occurred_at"].max())
        hs.briefing(incidents, tmp_path / "b.pdf", max_area_km2=1.0, period=span)
    for door_cells, door_spots in doors:
        assert _cell_size(door_cells) == _cell_size(cells)
        assert door_cells.index.equals(cells.index)
        np.testing.assert_array_equal(door_cells["n_incidents"], cells["n_incidents"])
        np.testing.assert_allclose(door_cells["gi_z"], cells["gi_z"])
        _same_hotspots(door_spots, spots)


def test_scan_small_grid_and_study_area():
    rng = np.random.default_rng(1)
    xy = np.vstack([rng.normal(500, 30, (60, 2)), rng.uniform(0, 2000, (200, 2))])
    inc = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=32616)
    cells, spots = scan(inc, cell_size=100)
    assert cells.attrs["hotspot"]["units"]["params"]["cell_size"] == 100
    assert spots["n_incidents"].iloc[0] >= 40  # the planted cluster is ranked first
    area = gpd.GeoDataFrame(geometry=gpd.GeoSeries.from_xy([1000], [1000]).buffer(900), crs=32616)
    cells_a, _ = scan(inc, cell_size=100, study_area=area)
    assert cells_a.geometry.centroid.within(area.union_all().buffer(100)).all()
    assert len(cells_a) < len(cells)
