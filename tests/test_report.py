"""Tests of the printed briefing pack: render, read the text and its positions back, look
at the pixels (also in greyscale), as an officer would read the pages."""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, box

import hotspot as hs
from hotspot.present.report import _NAIVE, briefing, briefings

pypdf = pytest.importorskip("pypdf")
pdfium = pytest.importorskip("pypdfium2")

# words that must never reach an officer's page
_DEVELOPER = re.compile(
    r"Error|Traceback|Exception|not requested|not available \(|hs\.\w|patrol_hours|"
    r"None|nan\b|NaT|…|\bn/a\b|\w\(s\)",
)


# analysts' words an officer should not have to decode on a place page
_JARGON = re.compile(
    r"offender|handler|guardian|CPTED|Koper|SARA|pulling levers|et al\.|\d+ studies|"
    r"evidence (verified|secondary|unverified)|supported range|regression to the mean",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def memphis():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hs.datasets.load_sample("memphis_robberies")


@pytest.fixture(scope="module")
def precincts():
    return hs.datasets.load_sample("memphis_precincts")


@pytest.fixture(scope="module")
def memphis_pdf(memphis, precincts, tmp_path_factory):
    path = tmp_path_factory.mktemp("brief") / "memphis.pdf"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        briefing(
            memphis,
            path,
            area_name="Memphis",
            top=3,
            period=("2019-07-01", "2019-12-31"),
            officer_hours_per_week=20,
            context={"Precincts": precincts},
            source="Memphis PD (Crime Open Database)",
        )
    return path


def _texts(path):
    reader = pypdf.PdfReader(str(path))
    return reader, [" ".join(p.extract_text().split()) for p in reader.pages]


def _positions(page):
    """(x0, x1 estimate, y) of every text run, as page fractions."""
    w, h = float(page.mediabox.width), float(page.mediabox.height)
    out = []

    def visit(text, cm, tm, _font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = abs(tm[0] * cm[0]) or 1.0
            width = 0.5 * len(text.rstrip()) * size * scale
            out.append((x / w, (x + width) / w, y / h, text))

    page.extract_text(visitor_text=visit)
    return out


def _grey(path, page, scale=0.6):
    doc = pdfium.PdfDocument(str(path))
    return np.asarray(doc[page].render(scale=scale).to_pil().convert("L"), dtype=float)


def test_memphis_pages_name_every_place(memphis_pdf, precincts):
    reader, texts = _texts(memphis_pdf)
    assert len(texts) == 1 + 3 + 1
    assert "Personal robbery, Memphis, 1 Jul – 31 Dec 2019" in texts[0]  # what, where, when
    names = set(precincts["precinct"])
    for k, page in enumerate(texts[1:4], start=1):
        title = re.search(rf"{k}\. (\w[\w. ]*?) precinct, grid ([A-Z]+\d+)", page)
        assert title, page[:80]
        assert title.group(1) in names
        assert f"{title.group(1)} precinct" in texts[0]  # the same name in the table
        assert "Darkness" in page and "What to do here" in page
        # the 20 officer-hours reach the places: visit days and times on every page
        assert re.search(r"Visit at: (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d", page)
        assert f"Page {1 + k}" in page
    hours = re.search(r"Patrol ([\d.]+) of 20 officer-hours a week planned: (\d+) short visits",
                      texts[0])
    assert hours and float(hours.group(1)) > 10
    assert abs(int(hours.group(2)) / 4 - float(hours.group(1))) < 0.01  # 15-minute visits
    assert "Method notes and caveats" in texts[-1]
    assert "Rows read 2,245" in texts[-1]
    # no street names in this export and no streets layer: the analyst is told to add one
    assert "Streets: none on the maps" in " ".join(texts)
    assert "No individual incident locations are printed" in texts[-1]
    assert reader.metadata.title == "Personal robbery, Memphis, 1 Jul – 31 Dec 2019"


def test_no_developer_text_on_officer_pages(memphis_pdf):
    _, texts = _texts(memphis_pdf)
    for page in texts[:-1]:
        assert not _DEVELOPER.search(page), _DEVELOPER.search(page)
        assert not _JARGON.search(page), _JARGON.search(page)
    assert "Evidence behind the advice" in texts[-1]  # the figures and sources go here
    assert re.search(r"\d+% fewer .*supported range .*evidence \w+; \w+", texts[-1])


def test_every_catalogue_measure_has_one_plain_sentence():
    from hotspot.present.advice import PLAIN, officer_name, officer_why
    from hotspot.respond.evidence import load_catalogue

    cat = load_catalogue()
    assert set(cat.index) <= set(PLAIN)  # a new catalogue entry needs its officer words
    for iid, e in cat.iterrows():
        for effect in (e["effect_central"], 0.0, 0.5, float("nan")):
            why = officer_why(iid, e["name"], effect)
            assert why.endswith(".") and why.count(". ") == 0, why  # one sentence
            assert not re.search(r"\d|%|\(|et al|;.*;", why), why  # no figures or citations
            assert not _JARGON.search(why), why
            assert len(why.split()) <= 30, why
        assert not _JARGON.search(officer_name(iid, e["name"]))
    assert officer_why("street_lighting", effect=0.36).endswith(
        "by about a third in a trial on similar streets.")


def test_every_text_inside_the_printable_area(memphis_pdf):
    reader, _ = _texts(memphis_pdf)
    footer = " ".join(reader.pages[0].extract_text().split())
    for i, page in enumerate(reader.pages):
        for x0, x1, y, text in _positions(page):
            assert x0 >= 0.03 and x1 <= 0.975, (i, text, x0, x1)
            assert 0.015 <= y <= 0.97, (i, text, y)
            if y < 0.05:  # the footer band holds the footer and the page number only
                assert text.strip() in footer or re.fullmatch(r"Page \d+", text.strip()), text
            else:
                assert y > 0.055, (i, text, y)


def _clip_span(obj, height):
    """Vertical extent (page fraction) of an object's clip path; None when unclipped."""
    import ctypes

    import pypdfium2.raw as raw

    clip = raw.FPDFPageObj_GetClipPath(obj.raw)
    ys = []
    for i in range(raw.FPDFClipPath_CountPaths(clip) if clip else 0):
        for j in range(raw.FPDFClipPath_CountPathSegments(clip, i)):
            x, y = ctypes.c_float(), ctypes.c_float()
            raw.FPDFPathSegment_GetPoint(raw.FPDFClipPath_GetPathSegment(clip, i, j), x, y)
            ys.append(y.value / height)
    return (min(ys), max(ys)) if ys else None


def _empty_shares(path, bottom=0.075, top=0.955, gap=0.006):
    """Share of each page's printable height with no text, image or map on it, from the PDF.

    Every text and image object's vertical extent, and that of every path drawn
    inside a map (dotted and empty cells are paths), is merged: an image's or a
    path's cut to its clip path (a map's cells stop at the map frame), widened by
    ``gap`` (so that the spacing between the lines of a paragraph counts as used); what is left of
    the height between the footer and the top margin is empty.
    """
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(str(path))
    shares = []
    for page in doc:
        height = page.get_size()[1]
        spans = []
        for obj in page.get_objects(max_depth=3):
            kinds = (raw.FPDF_PAGEOBJ_TEXT, raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_PATH)
            if obj.type not in kinds:
                continue
            _, b, _, t = obj.get_bounds()
            lo, hi = b / height, t / height
            clip = _clip_span(obj, height) if obj.type != raw.FPDF_PAGEOBJ_TEXT else None
            if obj.type == raw.FPDF_PAGEOBJ_PATH and clip is None:
                continue  # only drawn map content (cells, dotted cells, streets) counts
            if clip is not None:
                lo, hi = max(lo, clip[0]), min(hi, clip[1])
            spans.append((max(lo - gap, bottom), min(hi + gap, top)))
        used, end = 0.0, bottom
        for lo, hi in sorted(spans):
            if hi > max(lo, end):
                used += hi - max(lo, end)
                end = hi
        shares.append(1 - used / (top - bottom))
    return shares


def test_no_page_more_than_half_empty_but_the_last(memphis_pdf, memphis, precincts, tmp_path):
    shares = _empty_shares(memphis_pdf)
    assert max(shares[:-1]) <= 0.5, shares
    # a small place with little to say (no advice): its map grows to fill the page
    raines = precincts[precincts["precinct"] == "Raines"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = briefing(memphis, tmp_path / "raines.pdf", area=raines, area_name="Raines",
                       interventions=False, previous=False)
    shares = _empty_shares(out)
    assert len(shares) >= 3 and max(shares[1:-1]) <= 0.3, shares  # place pages well filled
    assert max(shares[:-1]) <= 0.5, shares


def test_maps_not_blank_and_classes_distinct_in_grey(memphis_pdf):
    import pypdfium2.raw as raw

    for page in (0, 1):
        img = _grey(memphis_pdf, page)
        h, w = img.shape
        region = img[int(0.25 * h) : int(0.55 * h), int(0.08 * w) : int(0.5 * w)]
        assert (region < 240).mean() > 0.05 and region.std() > 20
    # the cells of each class are one image in the PDF: read their colours as printed in
    # grey; classes, and the lowest class and white (0 incidents), are far apart
    levels = []
    for obj in pdfium.PdfDocument(str(memphis_pdf))[0].get_objects(max_depth=3):
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            px = obj.get_bitmap(render=False).to_numpy().reshape(-1, 3)[:, ::-1]  # BGR
            px = px[px.any(axis=1)].astype(float)  # transparent cells read as black
            if len(px):
                levels.append(float(np.median(px @ [0.299, 0.587, 0.114])))
    assert len(levels) >= 4, levels
    steps = np.diff(sorted([*levels, 255.0]))
    # evenly spaced from white to the darkest red (grey 43): the widest equal steps
    assert steps.min() >= 0.9 * (255 - 43) / len(levels), sorted(levels)


def test_greyscale_legend_matches_map(memphis):
    """Classes differ in grey level; suppressed cells are dotted on map and legend alike."""
    import matplotlib.pyplot as plt
    from PIL import Image

    hot = hs.hotspots(memphis)
    cells = hs.count(memphis, hs.grid(memphis, cell_size=500))
    fig, ax = plt.subplots(figsize=(6, 7), dpi=80)
    hs.plot_hotspots(
        hot, units=cells, column="n_incidents", ax=ax, min_count=3, legend_loc="below", title=None
    )
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    grey = np.asarray(Image.fromarray(rgb).convert("L"), dtype=float)
    leg = ax.get_legend()
    assert not leg.get_window_extent().overlaps(ax.get_window_extent())  # covers no data
    renderer = fig.canvas.get_renderer()
    labels = [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "rank_label"]
    assert labels and not any(
        a.overlaps(b) for i, a in enumerate(labels) for b in labels[i + 1 :]
    )  # rank labels never overlap
    height = grey.shape[0]
    levels, textures = {}, {}
    for patch, text in zip(leg.get_patches(), leg.get_texts(), strict=True):
        bb = patch.get_window_extent()
        x0, x1 = int(bb.x0) + 2, int(bb.x1) - 2
        y0, y1 = height - int(bb.y1) + 2, height - int(bb.y0) - 2
        block = grey[y0:y1, x0:x1]
        levels[text.get_text()] = float(np.median(block))
        textures[text.get_text()] = float(block.std())
    classes = [v for k, v in levels.items() if re.match(r"^\d", k) and not k.startswith("0 ")]
    assert len(classes) >= 4
    # classes step evenly from white (0 incidents) to dark red: about 42 grey levels
    # apart for 5 classes (hs.maps.sequential_colours), white to the lowest class too
    white = levels[next(k for k in levels if k.startswith("0 "))]
    steps = np.abs(np.diff(sorted([*classes, white])))
    assert steps.min() >= 36 and steps.max() - steps.min() <= 12, levels
    suppressed = next(k for k in levels if k.startswith("fewer than"))
    assert textures[suppressed] > 20  # dotted, not a flat grey
    assert min(abs(levels[suppressed] - c) for c in classes) >= 25 or textures[suppressed] > 40
    # a suppressed cell on the map is dotted too
    n = cells["n_incidents"].to_numpy()
    one = cells[(n == 1)].geometry.iloc[0]
    cx, cy = ax.transData.transform((one.centroid.x, one.centroid.y))
    half = max(
        2,
        int(
            0.4
            * abs(
                ax.transData.transform((one.bounds[2], 0))[0]
                - ax.transData.transform((one.bounds[0], 0))[0]
            )
        ),
    )
    cell = grey[height - int(cy) - half : height - int(cy) + half, int(cx) - half : int(cx) + half]
    assert cell.std() > 10 or cell.min() < 150


def test_suppression_on_every_count(tmp_path):
    # two given hotspots: one with 10 incidents (2 of another offence), one with 2
    rng = np.random.default_rng(0)
    xy = np.vstack(
        [rng.uniform(0, 100, (10, 2)), rng.uniform(500, 600, (2, 2)), rng.uniform(0, 1000, (20, 2))]
    )
    t = pd.date_range("2020-01-01 20:00", periods=len(xy), freq="37h", tz="America/Chicago")
    offence = ["theft"] * 8 + ["robbery"] * 2 + ["theft"] * 22
    inc = gpd.GeoDataFrame(
        {"occurred_at": t, "offence": offence},
        geometry=gpd.points_from_xy(xy[:, 0] + 440000, xy[:, 1] + 4630000),
        crs=32616,
    )
    hot = gpd.GeoDataFrame(
        {
            "hotspot_id": [1, 2],
            "rank": [1, 2],
            "n_incidents": [10, 2],
            "share": [10 / 32, 2 / 32],
            "area_km2": [0.01, 0.01],
            "concentration": [31.0, 6.0],
        },
        geometry=[box(440000, 4630000, 440100, 4630100), box(440500, 4630500, 440600, 4630600)],
        crs=32616,
    )
    out = briefing(inc, tmp_path / "s.pdf", hotspots=hot, interventions=False, min_count=3)
    _, texts = _texts(out)
    assert len(texts) == 1 + 1 + 1
    assert "1 smaller place with fewer than 3 incidents is not shown" in texts[0]
    assert "all others <3" in texts[1], texts[1]  # 2 robberies: not printed as "2"
    assert not re.search(r"\b[12] of \d", texts[1])  # dark counts suppressed too
    assert "Counts below 3 are not printed" in texts[-1]
    # found = shown + smaller + past the top, on the cover and the method page alike
    wide = hot.iloc[:1].set_geometry([box(440000, 4630200, 440400, 4631000)], crs=32616)
    three = pd.concat([hot, wide], ignore_index=True)  # the 20 spread incidents: some here
    three["hotspot_id"] = three["rank"] = [1, 2, 3]
    top1 = briefing(inc, tmp_path / "t.pdf", hotspots=three, interventions=False, top=1)
    _, texts = _texts(top1)
    said = ("1 smaller place with fewer than 3 incidents and 1 quieter place beyond the top 1 "
            "are not shown.")
    assert said in texts[0]
    assert "hotspots found: 3; shown: 1 (the top 1 with at least 3 incidents). " + said in (
        texts[-1])


def test_naive_times_plain_sentence_and_atomic_write(memphis, tmp_path):
    naive = memphis.assign(occurred_at=memphis["occurred_at"].dt.tz_localize(None))
    out = briefing(naive, tmp_path / "n.pdf", top=1, interventions=False, previous=False)
    _, texts = _texts(out)
    assert " ".join(_NAIVE.split()) in texts[1]
    assert [p.name for p in tmp_path.iterdir()] == ["n.pdf"]  # no partial files left
    with pytest.raises(FileExistsError, match="overwrite=True"):
        briefing(memphis, out)


def test_no_hotspots_is_a_result(tmp_path):
    gx, gy = np.meshgrid(np.arange(20) * 150.0, np.arange(20) * 150.0)
    xy = np.column_stack([gx.ravel(), gy.ravel()])  # evenly spread: no place stands out
    t = pd.date_range("2020-01-01", periods=len(xy), freq="7h", tz="America/Chicago")
    inc = gpd.GeoDataFrame(
        {"occurred_at": t, "offence": "theft"},
        geometry=gpd.points_from_xy(xy[:, 0] + 440000, xy[:, 1] + 4630000),
        crs=32616,
    )
    out = briefing(inc, tmp_path / "even.pdf", interventions=False)
    _, texts = _texts(out)
    assert len(texts) == 2
    assert "No hotspots found" in texts[0]


def test_streets_layer_and_local_raster_basemap(memphis, tmp_path):
    import matplotlib.pyplot as plt

    hot = hs.hotspots(memphis)
    x0, y0, x1, y1 = hot.total_bounds
    cx, cy = hot.geometry.iloc[0].representative_point().coords[0]
    streets = gpd.GeoDataFrame(
        {"name": ["UNION AVE", "MAIN ST"]},
        geometry=[
            LineString([(x0 - 2000, cy), (x1 + 2000, cy)]),
            LineString([(cx, y0 - 2000), (cx, y1 + 2000)]),
        ],
        crs=memphis.crs,
    )
    # a small raster in the map's CRS with a world file (how a local base map comes)
    img = np.linspace(0.75, 1.0, 40 * 60).reshape(40, 60)
    plt.imsave(tmp_path / "base.png", img, cmap="Greys_r")
    px = (x1 - x0 + 20000) / 60
    (tmp_path / "base.pgw").write_text(
        f"{px}\n0\n0\n{-px}\n{x0 - 10000 + px / 2}\n{y1 + 10000 - px / 2}\n"
    )
    out = briefing(
        memphis,
        tmp_path / "streets.pdf",
        hotspots=hot,
        top=2,
        interventions=False,
        context=streets,
        basemap=tmp_path / "base.png",
        previous=False,
    )
    _, texts = _texts(out)
    assert "Base map: base.png." in texts[0]
    assert "Union Ave" in texts[0] and "Main St" in texts[0]  # labelled streets
    assert re.search(r"1\. (Union Ave|Main St)", texts[1])  # named from the streets
    with pytest.raises(hs.InvalidInputError, match="does not exist"):
        briefing(memphis, tmp_path / "x.pdf", basemap=tmp_path / "missing.png")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(
    "bad",
    [{"paper": "A3"}, {"top": 0}, {"period": ("2020-01-02",)}, {"context": "/no/such.gpkg"}],
)
def test_bad_arguments(memphis, tmp_path, bad):
    with pytest.raises(hs.InvalidInputError):
        briefing(memphis, tmp_path / "x.pdf", **bad)
    assert list(tmp_path.iterdir()) == []


def test_output_path_problems(memphis, tmp_path):
    (tmp_path / "folder.pdf").mkdir()
    with pytest.raises(hs.InvalidInputError, match="is a folder"):
        briefing(memphis, tmp_path / "folder.pdf", overwrite=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(hs.InvalidInputError, match="is a file"):
        briefing(memphis, tmp_path / "file" / "b.pdf")


@pytest.mark.slow
def test_briefings_one_file_per_area_chicago(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample("chicago_assaults")
        districts = hs.datasets.load_sample("chicago_districts")
    two = districts[districts["district"].astype(str).isin(["7", "11"])]
    # 250 m cells: at the automatic 50 m no cell of either district passes exact
    # randomisation + FDR (sparse counts), so the packs would have no hotspot pages
    cells = hs.grid(two, 250.0, study_area=two)
    paths = briefings(
        inc, two, tmp_path, name_column="district", top=2, units=cells, interventions=False
    )
    assert [p.name for p in paths] == [f"briefing_{d}.pdf" for d in two["district"].astype(str)]
    hotspot_pages = 0
    for p, d in zip(paths, two["district"].astype(str), strict=True):
        _, texts = _texts(p)
        n_hot = len(texts) - 2  # cover with the map, up to `top` place pages, notes
        assert 0 <= n_hot <= 2
        hotspot_pages += n_hot
        assert f"Aggravated assault, {d}, " in texts[0]
        if n_hot:
            assert "Type of place" in texts[1]
    assert hotspot_pages >= 1


@pytest.mark.slow
@pytest.mark.shared_data
def test_west_yorkshire_names_from_police_uk_locations(shared_data, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample("west_yorkshire")
    top = hs.hotspots(inc, max_area_km2=2).sort_values("rank").geometry.iloc[0]
    leeds = gpd.GeoDataFrame(geometry=[top.centroid.buffer(2500)], crs=inc.crs)
    out = briefing(
        inc,
        tmp_path / "leeds.pdf",
        area=leeds,
        area_name="Leeds city centre",
        top=3,
        interventions=False,
    )
    _, texts = _texts(out)
    assert "known only to the month" in texts[1]
    places = texts[1:-1]  # the place pages, between the cover and the method notes
    assert places
    for page in [texts[0], *places]:
        assert "On or near" not in page
    for page in places:
        assert not _DEVELOPER.search(page) and not _JARGON.search(page), page
        assert re.search(r"\d\. [A-Z][a-z]+", page)
        assert "Place in grid square" not in page


def test_dark_share_never_gives_a_suppressed_count_away():
    import pandas as pd

    from hotspot.present.report_text import _dark_text

    def row(n_dark, n_known):
        share = n_dark / n_known
        return pd.DataFrame(
            {"n_dark": [n_dark], "n_known": [n_known], "dark_share": [share],
             "dark_share_low": [share / 2], "dark_share_high": [min(1, share * 1.5)]},
            index=[1],
        )

    text, short = _dark_text(row(2, 7), 1, None, 3)
    assert "%" not in text and "%" not in short and "Fewer than 3" in text
    text, short = _dark_text(row(6, 7), 1, None, 3)  # 1 in daylight
    assert "%" not in text and "%" not in short
    text, short = _dark_text(row(4, 8), 1, None, 3)
    assert short == "50%"


def test_stacked_location_line_on_the_page_names_no_argument(tmp_path):
    import pandas as pd
    from pypdf import PdfReader

    rng = np.random.default_rng(3)
    n = 400
    lon = -89.95 + rng.normal(0, 0.01, n)
    lat = 35.10 + rng.normal(0, 0.01, n)
    lon[:60], lat[:60] = -89.95, 35.10  # one placeholder point holding 60 incidents
    when = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 300 * 24, n), "h")
    frame = pd.DataFrame({"lon": lon, "lat": lat, "date": when.strftime("%Y-%m-%d %H:%M")})
    inc = hs.read_incidents(frame, tz="America/Chicago")
    assert (inc["location_quality"] == "stacked").sum() == 60
    out = hs.briefing(inc, tmp_path / "b.pdf", cell_size=250)
    text = " ".join(page.extract_text() for page in PdfReader(str(out)).pages)
    assert "Stacked locations:" in text and "stacked=" not in text


def test_measures_of_unknown_place_type_are_offered_as_conditional():
    import pandas as pd

    from hotspot.present.report_text import _actions

    scores = pd.DataFrame({
        "hotspot_id": [1, 1], "intervention": ["hot_spots_patrol", "street_lighting"],
        "name": ["Hot-spots patrol", "Street lighting"], "prevented": [3.2, 0.0],
        "prevented_low": [1.0, 0.0], "prevented_high": [6.0, 0.0],
        "prevented_if_unknown_eligible": [3.3, 5.8], "eligible_unknown": [1.0, 32.0],
        "effect": [0.16, 0.36], "effect_low": [0.08, 0.14], "effect_high": [0.39, 0.5],
        "reason": ["patrol reason", "lighting reason"],
    })
    texts = [item["text"] for item in _actions(1, scores, None, [])]
    assert texts[0].startswith("1. Short patrol visits at the busiest times")
    cond = [t for t in texts if t.startswith("The data do not record the type of place")]
    assert len(cond) == 1
    assert ("Brighter lighting at night (if the incidents are outdoors), up to about 6 fewer "
            "incidents a year") in cond[0]
    assert "range" not in cond[0]  # ranges are for the analyst's method page
    assert not any(t.startswith("No listed intervention") for t in texts)


@pytest.mark.parametrize(
    ("offences", "label", "expected"),
    [
        (["ROBBERY"] * 3, None, "Robbery"),
        (["assault", "robbery", "assault"], None, "Assault and robbery"),
        (["Burglary", "Vehicle Crime", "ASB"], None, "3 offence types"),
        (["Anti-social behaviour", "ASB"], None, "Anti-social behaviour and ASB"),
        (["Vehicle Crime", "ROBBERY", "Vehicle Crime"], None, "Vehicle crime and robbery"),
        (["theft"], "  Theft from  vehicles ", "Theft from vehicles"),
        ([None, ""], None, "Crime"),
    ],
)
def test_offence_label_one_home(offences, label, expected):
    from hotspot.present.report_text import offence_label

    inc = gpd.GeoDataFrame({"offence": pd.Series(offences, dtype="string")})
    assert offence_label(inc, label) == expected


def test_title_says_what_where_and_the_period_asked_for(memphis, tmp_path):
    from hotspot.present.furniture import period_label

    assert period_label("2019-03-01", "2019-03-01") == "1 Mar 2019"
    assert period_label("2018-07-01", "2019-07-31", months=True) == "July 2018 – July 2019"
    one_month = memphis[memphis["occurred_at"].dt.month == 3]
    out = briefing(one_month, tmp_path / "t.pdf", top=1, interventions=False, previous=False,
                   area_name="Memphis", offence_label="Street robbery",
                   period=("2019-02-15", "2019-04-15"))
    _, texts = _texts(out)
    assert "Street robbery, Memphis, 15 Feb – 15 Apr 2019" in texts[0]
    assert "incidents recorded 1 Mar – 31 Mar 2019" in texts[0]
    assert "Street robbery, Memphis, 15 Feb – 15 Apr 2019" in texts[1]  # footer of every page


def test_advice_lines_of_every_catalogue_measure_are_plain():
    """Headline and 'Why' of each measure the catalogue can recommend, as printed."""
    from hotspot.present.report_text import _actions
    from hotspot.respond.evidence import load_catalogue

    cat = load_catalogue()
    n = len(cat)
    scores = pd.DataFrame({
        "hotspot_id": 1, "intervention": cat.index, "name": cat["name"].to_numpy(),
        "prevented": np.linspace(9.0, 1.0, n), "prevented_low": 0.0, "prevented_high": 12.0,
        "effect": cat["effect_central"].fillna(0.1).to_numpy(), "effect_low": 0.0,
        "effect_high": 0.5, "capital": 1000.0, "annual_cost": 50.0, "currency": "USD",
        "reason": "analyst text (53 studies, evidence verified; Braga et al. 2019)",
    })
    for start in range(0, n, 3):  # three measures a place, as printed
        items = _actions(1, scores.iloc[start:start + 3], None, [])
        for item in items:
            assert not _JARGON.search(item["text"]), item["text"]
            assert not re.search(r"\d+%|range \d|\(\d+ studies", item["text"]), item["text"]
        whys = [i["text"] for i in items if i["text"].startswith("Why:")]
        chunk = list(scores["intervention"].iloc[start:start + 3])
        # a measure is listed once: an alternative of one ranked above it is left out
        listed = [m for k, m in enumerate(chunk)
                  if not set(cat.loc[m, "alternatives"]) & set(chunk[:k])]
        assert len(whys) == len(listed)
        assert all(w.endswith("(sources: method page).") for w in whys)


@pytest.mark.slow
@pytest.mark.shared_data
def test_rank_labels_of_a_dense_pack_never_overlap(shared_data, tmp_path, saved_figures):
    """West Yorkshire capped at 1 km²: read the labels of each page as it was saved."""
    from hotspot.present.labels import label_boxes

    figures = saved_figures
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample("west_yorkshire")
        briefing(inc, tmp_path / "wy.pdf", top=10, interventions=False, previous=False)
    maps_drawn = 0
    for fig in figures:
        for ax in fig.axes:
            labels = [t for t in ax.texts if t.get_gid() == "rank_label"]
            if not labels:
                continue
            maps_drawn += 1
            boxes = label_boxes(ax)  # where the PDF's draw placed them
            assert len(boxes) == len(labels)
            assert ax._hotspot_hidden_labels == 0  # every place in the table is on the map
            for i, a in enumerate(boxes):
                for b in boxes[i + 1:]:
                    assert not a.overlaps(b), (fig.number, a, b)
    assert maps_drawn >= 1 + 5  # the overview and the places' own maps


def test_if_it_fits_says_which_detail_is_missing():
    from hotspot.present.report_text import _offence_known, _unknown_details

    inc = gpd.GeoDataFrame({"loc": ["street", "home"], "offence": ["theft", "theft"]})
    assert _unknown_details(inc, "loc") == "the time of day of some incidents"
    assert _unknown_details(inc, None) == "the type of place"
    assert _offence_known(inc) and not _offence_known(inc[["loc"]])


def test_table_cells_wrap_long_names_whole():
    """A long place name in a narrow column wraps onto as many lines as it needs, uncut."""
    import matplotlib.pyplot as plt

    from hotspot.present.report_pages import _cells

    fig = plt.figure(figsize=(8.27, 11.69))
    name = ("near 43XX W Wilcox St / 43XX W Washington Blvd & N Kostner Ave "
            "(busy place) grid B4 a2")
    lines = _cells(fig, [name, "34"], [0.2, 0.05], 0.9, 9.0)[0]
    plt.close(fig)
    assert len(lines) > 2
    assert " ".join(lines).replace(" /", "/").split() == name.replace(" /", "/").split()
