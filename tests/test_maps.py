"""Tests of the static and interactive maps (artists, not pixels)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, box

from hotspot.exceptions import CRSError, InvalidInputError
from hotspot.present import maps

CLASSES = ["cold_99", "cold_95", "cold_90", "not_significant", "hot_90", "hot_95", "hot_99"]


def _cells(n_side: int = 6, size: float = 100.0) -> gpd.GeoDataFrame:
    geoms = [box(c * size, r * size, (c + 1) * size, (r + 1) * size)
             for r in range(n_side) for c in range(n_side)]
    counts = np.arange(n_side * n_side) % 7
    cls = pd.Categorical([CLASSES[i % 7] for i in range(n_side * n_side)], categories=CLASSES,
                         ordered=True)
    gdf = gpd.GeoDataFrame({"n_incidents": counts, "hotspot_class": cls,
                            "kde": counts * 1.5}, geometry=geoms, crs=32616)
    gdf.index.name = "unit_id"
    return gdf


def _hot() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"hotspot_id": [1, 2, 3], "rank": [1, 2, 3], "n_incidents": [30, 12, 5],
         "share": [0.3, 0.12, 0.05], "area_km2": [0.25, 0.1, 0.01]},
        geometry=[box(0, 0, 200, 200), box(300, 300, 500, 500), box(0, 400, 100, 500)],
        crs=32616)


def _legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _gid_texts(ax, gid: str) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


@pytest.mark.parametrize(("paper", "orientation", "size"), [
    ("A4", "portrait", (8.27, 11.69)), ("A4", "landscape", (11.69, 8.27)),
    ("letter", "portrait", (8.5, 11.0)), ("letter", "landscape", (11.0, 8.5))])
def test_new_map_figure_paper_sizes(paper, orientation, size):
    fig, ax = maps.new_map_figure(paper, orientation)
    assert tuple(fig.get_size_inches()) == pytest.approx(size)
    assert ax.get_aspect() == 1.0


def test_new_map_figure_rejects_unknown_paper():
    with pytest.raises(InvalidInputError, match="A4"):
        maps.new_map_figure("A3")


@pytest.mark.parametrize(("width", "expected"), [
    (10_000, "2 km"), (1_000, "200 m"), (37_000, "5 km"), (450, "100 m")])
def test_scale_bar_round_length(width, expected):
    _, ax = maps.new_map_figure()
    ax.set_xlim(0, width)
    ax.set_ylim(0, width)
    assert maps.add_scale_bar(ax).get_text() == expected


def test_scale_bar_in_feet():
    _, ax = maps.new_map_figure()
    ax.set_xlim(0, 32_808.4)  # 10 km in US survey feet
    ax.set_ylim(0, 30_000)
    assert maps.add_scale_bar(ax, crs="EPSG:3435").get_text() == "2 km"
    bars = [p for p in ax.patches if p.get_gid() == "scale_bar"]
    assert sum(p.get_width() for p in bars) == pytest.approx(2000 / 0.3048006, rel=1e-4)


def test_furniture_texts():
    _, ax = maps.new_map_figure()
    ax.set_xlim(0, 5000)
    ax.set_ylim(0, 5000)
    maps.add_map_furniture(ax, title="T", period="2019", source="S", caveat="C")
    assert ax.get_title(loc="left") == "T"
    assert _gid_texts(ax, "period") == ["Period: 2019"]
    assert _gid_texts(ax, "source") == ["Source: S"]
    assert _gid_texts(ax, "caveat") == ["C"]
    assert _gid_texts(ax, "north_arrow") == ["N"]
    assert _gid_texts(ax, "scale_bar") == ["1 km"]


def test_plot_units_classes_legend_and_hatching():
    ax = maps.plot_units(_cells(), title="Gi*")
    texts = _legend_texts(ax)
    assert texts[0].startswith("Hot spot, 99 % confidence")
    assert any(t.startswith("Cold spot, 99 % confidence") for t in texts)
    assert any(t.startswith("Not significant") for t in texts)
    hatches = {h.get_label().split(" (")[0]: h.get_hatch() for h in ax.get_legend().legend_handles}
    assert hatches["Cold spot, 99 % confidence"] and not hatches["Hot spot, 99 % confidence"]


def test_class_colours_distinct_in_greyscale_or_hatched():
    from matplotlib.colors import to_rgb

    def lum(c):
        r, g, b = to_rgb(c)
        return 0.299 * r + 0.587 * g + 0.114 * b

    hot = [lum(maps.HOTSPOT_CLASS_COLORS[c]) for c in ("hot_90", "hot_95", "hot_99")]
    assert hot == sorted(hot, reverse=True)  # darker with confidence
    for c in ("cold_90", "cold_95", "cold_99"):
        assert maps.HOTSPOT_CLASS_HATCHES[c]  # cold told apart from hot by hatching


def test_plot_units_min_count_suppression():
    cells = _cells()
    ax = maps.plot_units(cells, "n_incidents", min_count=3)
    texts = _legend_texts(ax)
    n_small = int(((cells["n_incidents"] > 0) & (cells["n_incidents"] < 3)).sum())
    n_zero = int((cells["n_incidents"] == 0).sum())
    assert texts[:2] == [f"0 incidents ({n_zero} cells)",  # white means 0, said so
                         f"fewer than 3 incidents, not shown ({n_small} cells)"]
    # drawn the same on the map as in the legend: white with dark dots
    legend_patch = ax.get_legend().get_patches()[1]
    assert legend_patch.get_hatch() == maps.SUPPRESSED_HATCH
    dotted = [c for c in ax.collections if c.get_hatch() == maps.SUPPRESSED_HATCH]
    assert dotted and all(
        tuple(c.get_facecolor()[0][:3]) == tuple(legend_patch.get_facecolor()[:3])
        for c in dotted
    )
    # the classes start at the minimum count shown: no class below 3
    assert texts[2].startswith("3")
    assert sum(int(t.rsplit("(", 1)[1].rstrip(")")) for t in texts[2:]) == int(
        (cells["n_incidents"] >= 3).sum())


def test_plot_kde_mean_multiples():
    cells = _cells()
    cells["kde"] = cells["n_incidents"].astype(float) ** 3  # mean 73.5, max 216
    ax = maps.plot_kde(cells)
    texts = _legend_texts(ax)
    assert ax.get_legend().get_title().get_text() == "Incidents per km²"
    assert texts[:2] == ["73.5 – 147 (1–2× mean)", "147 – 216 (≥ 2× mean)"]
    assert texts[-1] == "below the mean (unfilled)"
    with pytest.raises(InvalidInputError, match="scheme"):
        maps.plot_kde(cells, scheme="jenks")


def test_plot_hotspots_labels_context_and_privacy():
    hot = _hot()
    inc = gpd.GeoDataFrame(geometry=gpd.points_from_xy([50, 60, 400], [50, 60, 400]),
                           crs=32616)
    streets = gpd.GeoDataFrame(geometry=[LineString([(0, 250), (600, 250)])], crs=32616)
    ax = maps.plot_hotspots(hot, units=_cells(), context={"Street": streets}, incidents=inc,
                            period="2019", source="Test PD", caveat="Approximate locations.")
    assert sorted(_gid_texts(ax, "rank_label")) == ["1", "2", "3"]
    assert any(t.startswith("Hotspot area (3)") for t in _legend_texts(ax))
    assert "Street" in _legend_texts(ax)
    # privacy: incidents given but not drawn unless asked
    assert not any(c.get_gid() == "incidents" for c in ax.collections)
    assert not any(t.startswith("Incident") for t in _legend_texts(ax))
    ax2 = maps.plot_hotspots(hot, incidents=inc, show_incidents=True, top=2)
    assert sorted(_gid_texts(ax2, "rank_label")) == ["1", "2"]
    assert "Incident (3)" in _legend_texts(ax2)
    assert _legend_texts(ax2)[0] == "Hotspot area (top 2 of 3), numbered by rank"


def test_plot_hotspots_overlapping_labels_are_moved_or_hidden():
    geoms = [box(i * 5, 0, i * 5 + 5, 5) for i in range(30)]  # 30 tiny adjacent areas
    hot = gpd.GeoDataFrame({"rank": range(1, 31)}, geometry=geoms, crs=32616)
    _, ax = maps.new_map_figure()
    ax = maps.plot_hotspots(hot, ax=ax, extent="hotspots")
    fig = ax.figure
    fig.canvas.draw()
    from matplotlib.text import Text

    # text boxes only (an Annotation's own extent includes its leader line)
    boxes = [Text.get_window_extent(t) for t in ax.texts if t.get_gid() == "rank_label"]
    assert len(boxes) + ax._hotspot_hidden_labels == 30
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)
    # the best rank is always labelled
    assert "1" in _gid_texts(ax, "rank_label")


def test_basemap_callable_is_called_and_geographic_rejected():
    calls = []
    maps.plot_hotspots(_hot(), basemap=lambda ax: calls.append(ax))
    assert len(calls) == 1
    with pytest.raises(InvalidInputError, match="callable"):
        maps.plot_hotspots(_hot(), basemap=True)
    with pytest.raises(CRSError, match="to_crs"):
        maps.plot_units(_cells().to_crs(4326))


def test_save_map_300_dpi(tmp_path):
    from PIL import Image

    _, ax = maps.new_map_figure("letter")
    out = maps.save_map(ax, tmp_path / "m.png", dpi=72)
    assert Image.open(out).size == (612, 792)


def test_explore_layers_and_tooltips():
    pytest.importorskip("folium")
    cells = _cells()
    inc = gpd.GeoDataFrame(geometry=gpd.points_from_xy([50, 60], [50, 60]), crs=32616)
    m = maps.explore(cells, _hot(), inc, tiles=None, min_count=2, show_incidents=True)
    assert type(m).__name__ == "Map"  # folium's, or offlinefolium's when installed
    html = m.get_root().render()
    for name in ("Units: hotspot_class", "Hotspots", "Incidents"):
        assert name in html
    for field in ("n_incidents", "gi_z" if "gi_z" in cells else "kde", "hotspot_class",
                  "area_km2", "suppressed"):
        assert field in html
    assert maps.HOTSPOT_CLASS_COLORS["hot_99"] in html
    assert "tile.openstreetmap" not in html
    # not significant cells are left out by default
    n_ns = int((cells["hotspot_class"] == "not_significant").sum())
    gj = next(c for c in m._children.values() if type(c).__name__ == "GeoJson")
    assert len(gj.data["features"]) == len(cells) - n_ns
    props = [f["properties"] for f in gj.data["features"]]
    small = [p for p in props if p["n_incidents"] == "suppressed (< 2)"]
    assert small and all(p["hotspot_class"] == "suppressed (< 2)" for p in small)
    assert all(p["n_incidents"] == "suppressed (< 2)" or p["n_incidents"] == 0
               or p["n_incidents"] >= 2 for p in props)
    m2 = maps.explore(cells, column="n_incidents", tiles=None, drop_background=False)
    gj2 = next(c for c in m2._children.values() if type(c).__name__ == "GeoJson")
    assert len(gj2.data["features"]) == len(cells)


@pytest.mark.shared_data
def test_real_memphis_maps(shared_data, tmp_path):
    import hotspot as hs

    df = pd.read_csv(shared_data / "memphis" / "memphis_robberies_2019.csv.gz")
    inc = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.longitude, df.latitude),
                           crs=4326).to_crs(32616)
    prec = gpd.read_file(shared_data / "memphis" / "memphis_precincts.geojson").to_crs(32616)
    gi = hs.gi_star(hs.count(inc, hs.grid(inc, cell_size=250.0)))
    hot = hs.hotspots(gi)
    ax = maps.plot_hotspots(hot, units=gi, context={"Precinct": prec}, title="Robbery",
                            period="2019", source="MPD", incidents=inc)
    fig = ax.figure
    w, h = fig.get_size_inches()
    assert (w, h) == pytest.approx((11.69, 8.27))  # wide city -> A4 landscape
    labels = _gid_texts(ax, "rank_label")
    assert len(set(labels)) + ax._hotspot_hidden_labels == len(hot)  # a rank per piece
    assert "1" in labels
    assert _gid_texts(ax, "scale_bar")[0] in ("5 km", "10 km")
    texts = _legend_texts(ax)
    n99 = int((gi["hotspot_class"] == "hot_99").sum())
    assert f"Hot spot, 99 % confidence ({n99:,})" in texts
    assert "Precinct" in texts
    assert not any(c.get_gid() == "incidents" for c in ax.collections)
    out = maps.save_map(fig, tmp_path / "memphis.pdf")
    assert out.stat().st_size > 10_000


def test_plot_units_lisa_clusters_and_unknown_classes():
    cells = _cells()
    lisa = ["High-High", "Low-Low", "High-Low", "Low-High", "not_significant"]
    cells["lisa_cluster"] = pd.Categorical([lisa[i % 5] for i in range(len(cells))],
                                           categories=lisa)
    ax = maps.plot_units(cells, "lisa_cluster")
    texts = _legend_texts(ax)
    assert ax.get_legend().get_title().get_text() == "Local Moran clusters"
    assert texts[0] == "High-High cluster (8)"
    assert "Low-Low cluster (7)" in texts
    cells["bad"] = "x"
    with pytest.raises(InvalidInputError, match="neither hotspot classes"):
        maps.plot_units(cells, "bad")


def test_explore_incidents_only_when_asked_never_with_tooltips():
    inc = gpd.GeoDataFrame(
        {"occurred_at": pd.to_datetime(["2019-01-01 01:30", "2019-02-03 20:00"]).tz_localize(
            "America/Chicago"), "offence": pd.Categorical(["robbery", "robbery"])},
        geometry=gpd.points_from_xy([50, 60], [50, 60]), crs=32616)
    hot = _hot().assign(n_incidents=[30, 12, 2], place_name=["High St", "Low Rd", "Mill Ln"])
    html = maps.explore(hotspots=hot, incidents=inc, tiles=None).get_root().render()
    assert "Incidents" not in html  # not asked
    html = maps.explore(hotspots=hot, incidents=inc, tiles=None,
                        show_incidents=True).get_root().render()
    assert "Incidents" in html
    assert "occurred_at" not in html and "2019-02-03" not in html  # one incident = 1 < 3
    assert "High St" in html and "place_name" in html  # places by name in the tooltips
    assert "Mill Ln" not in html  # a hotspot under the minimum count has no tooltip


def test_legend_location_option():
    ax = maps.plot_hotspots(_hot(), legend_loc="lower right")
    assert ax.get_legend()._loc == 4  # matplotlib code of "lower right"


@pytest.mark.shared_data
def test_rank_labels_placed_at_the_final_layout_never_overlap(shared_data):
    """West Yorkshire capped at 1 km²: many small places side by side (a dense case)."""
    import io
    import warnings

    import matplotlib.pyplot as plt

    import hotspot as hs
    from hotspot.present.labels import label_boxes

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample("west_yorkshire")
    # force-wide 900 m cells (the extent rule before the street-scale cap): many 1 km²
    # pieces side by side, the densest case for labels
    hot = hs.hotspots(inc, cell_size=900, max_area_km2=1).sort_values("rank")
    assert len(hot) >= 12
    fig, ax = maps.new_map_figure()
    maps.plot_hotspots(hot, ax=ax, title=None, legend_loc="below", label_size=10)
    # the page's layout shrinks the map after it is drawn (legend and table must fit)
    x0, y0, w, h = ax.get_position().bounds
    ax.set_position((x0, y0 + 0.4 * h, w, 0.45 * h))
    fig.savefig(io.BytesIO(), format="pdf")  # placed by the PDF renderer, at this size
    fig.canvas.draw()
    boxes = label_boxes(ax)
    labels = [t for t in ax.texts if t.get_gid() == "rank_label"]
    assert len(boxes) == len(labels) and len(labels) + ax._hotspot_hidden_labels == len(hot)
    assert len(labels) >= 0.6 * len(hot) and "1" in [t.get_text() for t in labels]
    frame = ax.get_window_extent()
    for i, a in enumerate(boxes):
        assert frame.x0 <= a.x0 and a.x1 <= frame.x1 and frame.y0 <= a.y0 and a.y1 <= frame.y1
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a, b)
    # a label moved off its place points back to it with a leader line
    to_px = ax.transData.transform
    for t in labels:
        moved = np.hypot(*(to_px(t.xyann) - to_px(t.xy))) > 1.0
        assert t.arrow_patch.get_visible() == moved
    plt.close(fig)


def test_a_place_touching_itself_at_a_corner_has_one_label():
    """Cells meeting at a corner are one place (queen): one number, not one per polygon."""
    import matplotlib.pyplot as plt
    from shapely.geometry import MultiPolygon

    hot = _hot()
    hot.loc[0, "geometry"] = MultiPolygon([box(0, 0, 100, 100), box(100, 100, 200, 200)])
    hot.loc[1, "geometry"] = MultiPolygon([box(300, 300, 400, 400), box(500, 500, 600, 600)])
    ax = maps.plot_hotspots(hot, units=_cells())
    labels = _gid_texts(ax, "rank_label") + _gid_texts(ax, "rank_label_hidden")
    assert sorted(labels) == ["1", "2", "2", "3"]  # place 2 is two patches apart: each named
    plt.close(ax.figure)
