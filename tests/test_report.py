"""Tests of the printed briefing pack (hotspot.report): render, read back, look at pixels."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import hotspot as hs
from hotspot.present.report import briefing, briefings

pypdf = pytest.importorskip("pypdf")
pdfium = pytest.importorskip("pypdfium2")


@pytest.fixture(scope="module")
def memphis():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hs.datasets.load_sample("memphis_robberies")


@pytest.fixture(scope="module")
def memphis_pdf(memphis, tmp_path_factory):
    path = tmp_path_factory.mktemp("brief") / "memphis.pdf"
    briefing(memphis, path, area_name="Memphis", top=3, period=("2019-07-01", "2019-12-31"),
             officer_hours_per_week=20, source="Memphis PD (Crime Open Database)")
    return path


def _texts(path):
    reader = pypdf.PdfReader(str(path))
    return reader, [" ".join(p.extract_text().split()) for p in reader.pages]


def _ink(path, page):
    """Share of non-white pixels and grey-level std of a rendered page region (the map)."""
    doc = pdfium.PdfDocument(str(path))
    img = np.asarray(doc[page].render(scale=1).to_pil().convert("L"), dtype=float)
    h, w = img.shape
    region = img[int(0.1 * h): int(0.45 * h), int(0.06 * w): int(0.5 * w)]
    return float((region < 240).mean()), float(region.std())


def test_memphis_pages_and_text(memphis_pdf):
    reader, texts = _texts(memphis_pdf)
    assert len(texts) == 2 + 3 + 1
    assert "Hotspot briefing: Memphis" in texts[0]
    assert "Top places" in texts[0] and "01 Jul 2019 - 31 Dec 2019" in texts[0]
    # the previous half-year (Jan-Jun 2019) is in the data: a change is reported
    assert "in the previous period" in texts[0]
    assert "Overview map: Memphis" in texts[1]
    for k in (1, 2, 3):
        page = texts[1 + k]
        assert f"Hotspot {k}" in page
        assert "When: incidents by time and weekday" in page
        assert "Darkness" in page and "What to do here" in page
        assert "Patrol plan" in page
        assert f"Page {2 + k}" in page
    assert "Method notes and caveats" in texts[-1]
    assert "Rows read 2,245" in texts[-1]
    assert "No individual incident locations are printed" in texts[-1]
    assert "Police-recorded crime is not all crime" in texts[-1]
    assert reader.metadata.title == "Hotspot briefing: Memphis"
    assert reader.metadata.author == "hotspot"


def test_memphis_change_counts(memphis, memphis_pdf):
    _, texts = _texts(memphis_pdf)
    at = memphis["occurred_at"]
    start = pd.Timestamp("2019-07-01", tz=at.dt.tz)
    end = pd.Timestamp("2019-12-31 23:59:59", tz=at.dt.tz)  # a date as the end: whole day
    now = int(((at >= start) & (at <= end)).sum())
    prev = int(((at >= start - (end - start)) & (at < start)).sum())
    assert f"{now:,} vs {prev:,} in the previous period" in texts[0]


def test_map_pages_not_blank(memphis_pdf):
    doc = pdfium.PdfDocument(str(memphis_pdf))
    assert len(doc) == 6
    for page in (1, 2, 3):
        ink, std = _ink(memphis_pdf, page)
        assert ink > 0.05, (page, ink)
        assert std > 20, (page, std)
    # the method page has no map: its upper-left region is mostly white text
    ink_text, _ = _ink(memphis_pdf, 5)
    assert ink_text < 0.35


def test_overwrite_refused(memphis, memphis_pdf):
    before = memphis_pdf.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        briefing(memphis, memphis_pdf)
    assert memphis_pdf.read_bytes() == before


def test_no_previous_data_says_not_available(memphis, tmp_path):
    out = briefing(memphis, tmp_path / "b.pdf", top=1, interventions=False)
    _, texts = _texts(out)
    assert len(texts) == 4
    assert "not available (no data for the previous period)" in texts[0]
    assert "Patrol plan: not requested" in texts[2]
    assert "Recommended interventions: not requested" in texts[2]


def test_suppression_and_privacy(tmp_path):
    # two given hotspots: one with 10 incidents, one with 2 (< min_count=3)
    rng = np.random.default_rng(0)
    xy = np.vstack([rng.uniform(0, 100, (10, 2)), rng.uniform(500, 600, (2, 2)),
                    rng.uniform(0, 1000, (20, 2))])
    t = pd.date_range("2020-01-01 20:00", periods=len(xy), freq="37h", tz="America/Chicago")
    inc = gpd.GeoDataFrame({"occurred_at": t, "offence": "theft"},
                           geometry=gpd.points_from_xy(xy[:, 0] + 440000, xy[:, 1] + 4630000),
                           crs=32616)
    hot = gpd.GeoDataFrame(
        {"hotspot_id": [1, 2], "rank": [1, 2], "n_incidents": [10, 2],
         "share": [10 / 32, 2 / 32], "area_km2": [0.01, 0.01], "concentration": [31.0, 6.0]},
        geometry=[box(440000, 4630000, 440100, 4630100), box(440500, 4630500, 440600, 4630600)],
        crs=32616)
    out = briefing(inc, tmp_path / "s.pdf", hotspots=hot, interventions=False, min_count=3)
    _, texts = _texts(out)
    assert len(texts) == 2 + 1 + 1
    assert "1 smaller hotspot(s) under 3 incidents not shown" in texts[0]
    assert "Hotspot 2" not in " ".join(texts[:3])
    assert "Counts below 3 are suppressed" in texts[-1]


@pytest.mark.parametrize("bad", [{"paper": "A3"}, {"top": 0}, {"period": ("2020-01-02",)}])
def test_bad_arguments(memphis, tmp_path, bad):
    with pytest.raises(hs.InvalidInputError):
        briefing(memphis, tmp_path / "x.pdf", **bad)


def test_briefings_one_file_per_area_chicago(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample("chicago_assaults")
        districts = hs.datasets.load_sample("chicago_districts")
    two = districts[districts["district"].astype(str).isin(["7", "11"])]
    # 250 m cells: at the automatic 50 m no cell of either district passes exact
    # randomisation + FDR (sparse counts), so the packs would have no hotspot pages
    cells = hs.grid(two, 250.0, study_area=two)
    paths = briefings(inc, two, tmp_path, name_column="district", top=2, units=cells,
                      interventions=False)
    assert [p.name for p in paths] == [f"briefing_{d}.pdf" for d in two["district"].astype(str)]
    hotspot_pages = 0
    for p, d in zip(paths, two["district"].astype(str), strict=True):
        _, texts = _texts(p)
        # cover + map, up to `top` hotspot pages, notes
        n_hot = len(texts) - 3
        assert 0 <= n_hot <= 2
        hotspot_pages += n_hot
        assert f"Hotspot briefing: {d}" in texts[0]
        if n_hot:
            assert "Location mix" in texts[2] and "Incidents" in texts[2]
        if n_hot == 2:
            assert "Hotspot 2" in texts[3]
        ink, std = _ink(p, 1)
        assert ink > 0.05 and std > 20
    assert hotspot_pages >= 1
