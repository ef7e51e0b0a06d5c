"""Places an officer can find on paper: every grid reference printed in a pack is on a map.

The pack is drawn once; its figures are kept as they are saved to the PDF so that the
labels and grid lines of each map can be read back in map coordinates.
"""

from __future__ import annotations

import re
import warnings

import pytest

import hotspot as hs
from hotspot.present.report import briefing

pypdf = pytest.importorskip("pypdf")

_REF = re.compile(r"\b([A-Z]{1,2})(\d{1,3}) ([a-z])(\d{1,2})\b")  # "C4 b2"


def _drawn_pack(path, incidents, **kwargs):
    """Write a pack; return its path and the figures of its pages as they were saved."""
    from matplotlib.backends.backend_pdf import PdfPages

    figures = []
    save = PdfPages.savefig

    def keep(self, figure=None, **kw):
        figures.append(figure)
        return save(self, figure, **kw)

    mp = pytest.MonkeyPatch()
    mp.setattr(PdfPages, "savefig", keep)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            briefing(incidents, path, interventions=False, **kwargs)
    finally:
        mp.undo()
    return path, figures


@pytest.fixture(scope="module")
def memphis_pack(tmp_path_factory):
    """A small Memphis pack, with the figures of its pages."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample("memphis_robberies")
    path = tmp_path_factory.mktemp("pack") / "memphis.pdf"
    return _drawn_pack(path, inc, area_name="Memphis", top=3, cell_size=250)


def _map_axes(fig):
    return next(ax for ax in fig.axes if any(t.get_gid() == "grid_label" for t in ax.texts))


def _square_label(ax, point, line_gid, label_gid):
    """Column and row labels of the square (of the lines ``line_gid``) holding ``point``."""
    x0, x1 = sorted(ax.get_xlim())
    y0, y1 = sorted(ax.get_ylim())
    xs, ys = [x0, x1], [y0, y1]
    for line in ax.lines:
        if line.get_gid() == line_gid:  # axvline: constant x (data); axhline: constant y
            data_x, data_y = line.get_xdata(), line.get_ydata()
            if data_x[0] == data_x[1]:
                xs.append(float(data_x[0]))
            else:
                ys.append(float(data_y[0]))
    px, py = point
    lo_x = max(v for v in xs if v <= px)
    hi_x = min(v for v in xs if v > px)
    lo_y = max(v for v in ys if v <= py)
    hi_y = min(v for v in ys if v > py)
    col = row = None
    for t in ax.texts:
        if t.get_gid() != label_gid:
            continue
        tx, ty = t.get_position()
        if t.get_ha() == "center" and lo_x < tx < hi_x:
            col = t.get_text()
        if t.get_ha() == "right" and lo_y < ty < hi_y:
            row = t.get_text()
    return col, row


def _rank_point(ax, rank):
    for t in ax.texts:
        if t.get_gid() == "rank_label" and t.get_text() == str(rank):
            return t.xy if hasattr(t, "xy") else t.get_position()
    raise AssertionError(f"no rank label {rank}")


def _check_findable(path, figures, n):
    """Every grid reference of the cover table is on page 1 and on the place's page."""
    pages = pypdf.PdfReader(str(path)).pages
    text = pages[0].extract_text()
    table = text[text.index("Rank Place") : text.index("How to read")]
    rows = re.split(r"\n(?=\d+ )", table)[1:]  # one chunk per rank (a name may wrap)
    # the Grid column: the last reference of a row ("Grid E6 p10" may be the name too)
    refs = {int(r.split()[0]): _REF.findall(r)[-1] for r in rows}
    assert len(refs) == n, table
    overview = _map_axes(figures[0])
    for rank, (col, row, sub_col, sub_row) in refs.items():
        # page 1: the square (C4) holding the place's numbered marker; a place of a
        # crowded group is numbered in the inset, which draws in the same coordinates
        insets = [*overview.child_axes, *(a for a in figures[0].axes if a is not overview)]
        point = next((_rank_point(a, rank) for a in [overview, *insets]
                      if any(t.get_gid() == "rank_label" and t.get_text() == str(rank)
                             for t in a.texts)), None)
        assert point is not None, f"no rank label {rank} on page 1"
        assert _square_label(overview, point, "map_grid", "grid_label") == (col, row)
        # the place's own page: the same square and, inside it, the small square (b2)
        ax = _map_axes(figures[rank])
        point = _rank_point(ax, rank)
        assert _square_label(ax, point, "map_grid", "grid_label") == (col, row)
        assert _square_label(ax, point, "map_grid_fine", "grid_label_fine") == (sub_col, sub_row)
        title = pages[rank].extract_text()
        assert f" {col}{row} {sub_col}{sub_row}" in " ".join(title.split())
    return refs


def test_every_table_reference_is_findable_on_the_maps(memphis_pack):
    _check_findable(*memphis_pack, 3)


@pytest.mark.slow
def test_force_scale_references_tell_places_apart(tmp_path):
    """A whole force on one page: 10 km squares, cut into small squares the places differ by."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample("west_yorkshire")
    path, figures = _drawn_pack(tmp_path / "wy.pdf", inc, area_name="West Yorkshire", top=4)
    refs = _check_findable(path, figures, 4)
    assert len({"".join(r) for r in refs.values()}) == 4  # four places, four references
    overview = _map_axes(figures[0])
    columns = [t for t in overview.texts if t.get_gid() == "grid_label" and t.get_ha() == "center"]
    assert 6 <= len(columns) <= 10  # a handful of round squares across the force
    cover = " ".join(pypdf.PdfReader(str(path)).pages[0].extract_text().split())
    assert "far from the rest lies off this map" in cover  # a point placed outside the force
    # police.uk "On or near" streets: the streets of each place's name are on its map
    _check_named_streets_on_maps(path, figures, 4)


def _place_pages(path, figures):
    """(title, map axes) of every place page: the first page of each place."""
    out = []
    for fig in figures[1:]:
        texts = [" ".join(t.get_text().split()) for t in fig.texts]
        # a long title wraps before "grid C4 b2" (kept on one line): read its two lines as one
        texts = [f"{a} {b}" if re.match(r"^\d+\. .+,$", a) else a
                 for a, b in zip(texts, [*texts[1:], ""], strict=True)]
        title = next((m for t in texts if (m := re.match(r"^(\d+)\. (.+), grid ", t))), None)
        if title and fig.axes:
            out.append((title.group(2), _map_axes(fig)))
    return out


def _check_named_streets_on_maps(path, figures, n_places):
    """Every street of a place's name is labelled (first, in bold) on the place's map."""
    from hotspot.scan.places import name_streets

    places = _place_pages(path, figures)
    assert len(places) == n_places
    for name, ax in places:
        labels = {t.get_text() for t in ax.texts if t.get_gid() == "place_street_label"}
        streets = [s for s in name_streets(name) if not re.search(r"Area$|Station$", s)]
        assert streets and set(streets) <= labels, (name, labels)
        x0, x1 = sorted(ax.get_xlim())
        y0, y1 = sorted(ax.get_ylim())
        for t in ax.texts:
            if t.get_gid() == "place_street_label":  # on the map, not cut off its edge
                x, y = t.get_position()
                assert x0 <= x <= x1 and y0 <= y <= y1


def test_chicago_places_named_from_street_light_reports(tmp_path):
    """Chicago incidents carry no address: the outage reports' blocks name the places."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample("chicago_assaults")
        districts = hs.datasets.load_sample("chicago_districts")
        outages = hs.datasets.load_sample("chicago_outages")
        path = briefing(
            inc,
            tmp_path / "d11.pdf",
            area=districts.loc[[11]],
            area_name="District 11",
            cell_size=150,
            top=3,
            interventions=False,
            addresses={"street-light reports": outages},
        )
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(str(path)).pages]
    titles = [re.search(r"^.*?(\d)\. (near .+?), grid ", p) for p in pages[1:-1]]
    assert len(titles) == 3 and all(titles), [p[:120] for p in pages]
    for t, page in zip(titles, pages[1:-1], strict=True):
        name = t.group(2)
        block = r"\d+XX(?:(?:–|, )\d+XX)? [NSEW] [A-Z]\w+ \w+"  # "7XX–8XX N Ridgeway Ave"
        assert re.fullmatch(rf"near {block}( / {block})?", name)
        assert name in pages[0]  # the same name in the cover table, whole
        assert "nearest addresses in street-light reports" in page  # how sure the name is
    assert "'near' names: the nearest addresses in street-light reports" in pages[0]
    assert "Streets: none on the maps" not in " ".join(pages)  # traced from the reports
    assert "…" not in pages[0]
    # Gi* marked quiet cells beside busy ones here: the outlines keep the busy cells only
    assert re.search(r"Outlines keep only the cells of a place with at least 3", pages[-1])


def test_streets_traced_from_addresses_are_drawn_and_the_named_ones_labelled(tmp_path):
    """No streets layer given: the outage reports' streets are drawn, the place's first."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample("chicago_assaults")
        districts = hs.datasets.load_sample("chicago_districts")
        outages = hs.datasets.load_sample("chicago_outages")
    path, figures = _drawn_pack(
        tmp_path / "d11.pdf", inc, area=districts.loc[[11]], area_name="District 11",
        cell_size=150, top=3, addresses={"street-light reports": outages},
    )
    _check_named_streets_on_maps(path, figures, 3)
    overview = _map_axes(figures[0])
    assert sum(t.get_gid() == "street_label" for t in overview.texts) >= 5  # streets named
    reader = pypdf.PdfReader(str(path))
    assert "Streets" in reader.pages[0].extract_text()  # in the legend


def test_cli_briefing_names_places_from_an_addresses_file(tmp_path, capsys):
    from hotspot.datasets import sample_path
    from hotspot.present.cli import main

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        districts = hs.datasets.load_sample("chicago_districts")
        outages = hs.datasets.load_sample("chicago_outages")
    d11 = districts.loc[[11]]
    near = outages[outages.intersects(d11.buffer(300).union_all())]
    points = tmp_path / "street_light_reports.gpkg"
    near[["Location", "geometry"]].to_crs(4326).to_file(points)  # another CRS: reprojected
    pdf = tmp_path / "d11.pdf"
    code = main([
        "briefing", str(sample_path("chicago_aggravated_assaults_2012_2013.csv.gz")),
        "--out", str(pdf), "--tz", "America/Chicago", "--cell-size", "150", "--top", "2",
        "--areas", str(sample_path("chicago_police_districts.geojson")),
        "--area-column", "district", "--area", "11", "--addresses", str(points),
        "--addresses-label", "street-light reports",
    ])
    assert code == 0, capsys.readouterr().err
    cover = " ".join(pypdf.PdfReader(str(pdf)).pages[0].extract_text().split())
    assert re.search(r"1 near \d+XX [NSEW] ", cover), cover
    assert "nearest addresses in street-light reports" in cover
    missing = main(["briefing", "x.csv", "--out", str(tmp_path / "y.pdf"),
                    "--addresses", str(tmp_path / "none.gpkg")])
    assert missing != 0 and not (tmp_path / "y.pdf").exists()


def test_a_precinct_pack_never_names_its_places_after_the_precinct(tmp_path):
    """The docs' example: Raines precinct briefed with the precincts as context."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample("memphis_robberies")
        precincts = hs.datasets.load_sample("memphis_precincts")
    raines = precincts[precincts["precinct"] == "Raines"]
    _, figures = _drawn_pack(tmp_path / "raines.pdf", inc, area=raines, top=3,
                             area_name="Raines precinct", context={"Precincts": precincts})
    titles = [" ".join(t.get_text().split()) for f in figures[1:] for t in f.texts
              if re.match(r"^\d\. ", t.get_text())]
    assert len(titles) >= 2
    assert not any("Raines" in t for t in titles), titles
    cover = [" ".join(t.get_text().split()) for t in figures[0].texts]
    # the area is named in the title, the facts and the footer, never as a place
    assert cover.count("Raines precinct") == 1  # the 'Area' fact only
    assert not any(t.startswith("Raines precinct (") for t in cover), cover
