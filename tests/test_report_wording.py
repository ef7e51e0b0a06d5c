"""Wording of the briefing pack on real data: advice that fits the offence and the
place, figures with their source and period, titles that name what and where, and no
statistics jargon on the officers' pages."""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import pandas as pd
import pytest
from pypdf import PdfReader

import hotspot as hs
from hotspot.exceptions import InvalidInputError
from hotspot.present.advice import fit_condition
from hotspot.present.report import briefing
from hotspot.present.report_scope import (
    area_name_from_data,
    label_as_offence,
    select_offences,
)
from hotspot.present.report_text import _actions, _menu_name, trend_words

#: Statistics words that belong on the analyst's method page only.
_ANALYST = re.compile(
    r"likely range|times the (area's )?average density|hot spot|Gi\*|z-score|p-value"
)


def _pages(path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(str(path)).pages]


def _officer_pages(pages: list[str]) -> list[str]:
    return [p for p in pages if "Method notes and caveats" not in p]


def _check_advice(pages: list[str]) -> None:
    """Advice that the page itself does not contradict, and every figure sourced."""
    for page in _officer_pages(pages):
        skipped = re.search(r"not worked out here: (.*?)\. Ask", page)
        for name in skipped.group(1).split(" and ") if skipped else []:
            assert not re.search(re.escape(name) + r"[:,] (up to )?about \d", page, re.I), name
        if "Type of place Category" in page:  # the table is printed: the type is known
            assert "do not record the type of place" not in page
        if skipped and "lighting" in skipped.group(1):  # never "not worked out", then given
            assert not re.search(r"lighting[^.;]*?[:,] (up to )?about \d", page), page
        # one form of each measure: the two kinds of street lighting are never both offered
        figures = re.findall(r"(Better street lighting|Brighter lighting at night)[^.;]*?"
                             r"[:,] (?:up to )?about \d", page)
        assert len(set(figures)) <= 1, figures
        if "do not record the type of place" in page:  # named only with its condition
            assert "Safer park design" not in page and "CCTV with better" not in page
            for name, cond in (("Gates on rear alleys", "homes with rear alleys"),
                               ("Better locks and lights on homes", "homes"),
                               ("CCTV on residential streets", "residential streets")):
                if name in page:
                    assert f"{name} (if these are {cond})" in page, name
    if any(re.search(r"about [\d,]+ fewer incident", p) for p in pages):
        assert any("Evidence behind the advice" in p for p in pages)


@pytest.fixture(scope="module")
def west_yorkshire():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hs.datasets.load_sample("west_yorkshire")


def test_police_uk_month_pack_says_what_it_can(west_yorkshire, tmp_path, saved_figures):
    """One July of police.uk data: no times, no place types, 14 offence types."""
    figures = saved_figures
    out = briefing(west_yorkshire, tmp_path / "wy.pdf", top=5, previous=False)
    pages = _pages(out)
    # five places in Leeds centre: numbered once each, the crowded ones in an inset
    numbered = [t.get_text() for ax in figures[0].axes for t in ax.texts
                if t.get_gid() == "rank_label" and t.get_visible()]
    assert sorted(set(numbered)) == ["1", "2", "3", "4", "5"]
    overview = figures[0].axes[0]
    assert len(overview._hotspot_inset_ranks) >= 2
    assert not set(overview._hotspot_inset_ranks) & {
        int(t.get_text()) for t in overview.texts if t.get_gid() == "rank_label"}
    assert "are close together: they are numbered in the enlarged box" in pages[0]
    _check_advice(pages)
    assert "14 offence types, West Yorkshire Police area, July 2018 Hotspot" in pages[0]
    for page in _officer_pages(pages)[1:]:
        assert not _ANALYST.search(page), _ANALYST.search(page)
        # measured in car parks, for vehicle crime: not offered at a street place
        assert "CCTV with better lighting and fencing" not in page
        if "fewer incident" in page:
            assert "(from July 2018 only" in page  # a year's figure from one month
    method = " ".join(p for p in pages if "Method notes" in p)
    assert "Places in detail" in method and "times the area's average density" in method


def test_offence_filter_keeps_the_asked_offences(west_yorkshire):
    kept, left_out = select_offences(west_yorkshire, "burglary, Robbery", {})
    assert set(kept["offence"]) == {"Burglary", "Robbery"}
    assert len(kept) + left_out == len(west_yorkshire)
    # a name not written in the data matches its offence group
    vehicle, _ = select_offences(west_yorkshire, ["vehicle"], {})
    assert set(vehicle["offence"]) == {"Vehicle crime"}
    with pytest.raises(InvalidInputError, match=r"offences recorded: .*Burglary"):
        select_offences(west_yorkshire, "Quux", {})
    with pytest.raises(InvalidInputError, match="offence column"):
        select_offences(west_yorkshire.drop(columns="offence"), "Burglary", {})


def test_area_named_from_the_force_the_data_fall_within(west_yorkshire):
    assert area_name_from_data(west_yorkshire) == "West Yorkshire Police area"
    assert area_name_from_data(west_yorkshire.drop(columns=["Falls within", "Reported by"],
                                                   errors="ignore")) is None


def test_cli_names_a_numbered_area_with_its_column():
    from hotspot.present.cli import area_title

    assert area_title("district", "11") == "District 11"
    assert area_title("police_beat", "1134") == "Police beat 1134"
    assert area_title("nomgeo", "Iztapalapa") == "Iztapalapa"


def test_offence_label_names_the_offence_of_data_without_one():
    inc = gpd.GeoDataFrame({"x": [1, 2]})
    choices: dict = {}
    named, said = label_as_offence(inc, "Car-jacking", choices)
    assert named["offence"].tolist() == ["Car-jacking"] * 2 and "offence" not in inc
    assert "no offence column" in said and choices["offence"]["value"] == "Car-jacking"
    for several in ("All crime and ASB", "Burglary, robbery", "3 offence types"):
        assert label_as_offence(inc, several, {})[1] == ""


def test_measures_fit_the_offence_and_the_place_type():
    """Car-jacking is not burglary; a car-park measure is not offered for a street."""
    ids = ["target_hardening", "cctv_car_park", "street_lighting_area", "alley_gating"]
    scores = pd.DataFrame({
        "hotspot_id": 1, "intervention": ids, "name": ids, "prevented": 0.0,
        "prevented_low": 0.0, "prevented_high": 0.0, "effect": 0.2, "effect_low": 0.1,
        "effect_high": 0.3, "eligible_unknown": 40.0,
        "prevented_if_unknown_eligible": [9.0, 20.0, 6.0, 5.0],
    })
    text = " ".join(i["text"] for i in _actions(1, scores, None, [], offence_known=False))
    assert "Better locks and lights on homes" not in text  # a burglary measure
    assert "Gates on rear alleys" not in text
    assert "CCTV with better lighting and fencing" not in text  # car parks only
    assert ("Better street lighting (if the incidents are in the street or outdoors), up to "
            "about 6 fewer incidents a year") in text
    assert "do not say which offence" in text
    items = _actions(1, scores, None, [], offence_known=True, year_note=" (from July 2018 only)")
    fits = [i for i in items if i.get("if_fits")]
    assert fits[0]["if_fits"] == ["target_hardening", "street_lighting_area"]
    assert "(from July 2018 only; sources: method page)" in fits[0]["text"]


def _score_rows(ids, prevented, upper, unknown=40.0):
    return pd.DataFrame({
        "hotspot_id": 1, "intervention": ids, "name": ids, "prevented": prevented,
        "prevented_low": 0.0, "prevented_high": 0.0, "effect": 0.2, "effect_low": 0.1,
        "effect_high": 0.3, "eligible_unknown": unknown, "prevented_if_unknown_eligible": upper,
    })


def test_one_form_of_each_measure_and_nothing_both_skipped_and_given():
    """Chicago listed both kinds of street lighting with the same figures; West Yorkshire
    said lighting was not worked out, then offered it 'if it fits'."""
    both = _score_rows(["street_lighting", "street_lighting_area", "hot_spots_patrol"],
                       [4.2, 3.9, 5.0], [4.2, 3.9, 5.0], unknown=0.0)
    heads = [i["text"] for i in _actions(1, both, None, []) if i.get("bold")]
    assert len(heads) == 2 and "Short patrol visits" in heads[0]
    assert "Brighter lighting at night: about 4" in heads[1]  # the larger figure
    # no times: the night measure is not worked out; the all-hours one is offered instead
    offered = _score_rows(["street_lighting", "street_lighting_area"], [0.0, 0.0], [9.0, 6.0])
    text = " ".join(i["text"] for i in _actions(1, offered, None, [], hours_known=False))
    assert "not worked out" not in text and "Better street lighting (if" in text
    # nothing offered: the page says what it could not work out
    alone = _score_rows(["street_lighting"], [0.0], [9.0])
    text = " ".join(i["text"] for i in _actions(1, alone, None, [], hours_known=False))
    assert "not worked out here: brighter lighting at night" in text
    assert "Brighter lighting at night (" not in text


def test_measures_for_a_place_type_name_their_condition_when_it_is_unknown():
    """Nottingham King Street (shops) got 'Gates on rear alleys' unconditionally."""
    rows = _score_rows(["alley_gating", "target_hardening", "cctv_residential"], 0.0,
                       [40.0, 52.0, 10.0])
    fits = next(i for i in _actions(1, rows, None, []) if i.get("if_fits"))
    assert fits["if_fits"] == ["target_hardening", "alley_gating"]
    assert ("Better locks and lights on homes (if these are homes), up to about 52"
            in fits["text"])
    assert "Gates on rear alleys (if these are homes with rear alleys)" in fits["text"]
    # the place type is recorded (only some times are not): no condition is added
    known = next(i for i in _actions(1, rows, None, [], unknown="the time of day of some "
                                 "incidents") if i.get("if_fits"))
    assert "(if these" not in known["text"]
    # 'Also consider': a park measure only where the data say it is a park
    assert _menu_name("cpted_park", "CPTED of a park", 0.0) == ""
    assert _menu_name("cpted_park", "CPTED of a park", 0.6) == "Safer park design"
    assert _menu_name("cpted_residential_street", "x", 0.0) == (
        "Safer street design (if these are residential streets)")
    assert _menu_name("focused_deterrence", "x", 0.0) == (
        "Meeting the groups involved, with partners")
    assert fit_condition("my_own", ("car_park",)) == "if the incidents are in a car park"


def test_violence_is_never_offered_street_lighting(west_yorkshire):
    """Bradford/West Yorkshire violence: the lighting review found no effect on violence,
    so general street lighting prevents nothing there, known or 'if it fits'."""
    kept, _ = select_offences(west_yorkshire, ["violence"], {})
    hot = hs.hotspots(kept).head(3)
    s = hs.score_interventions(kept, hot, interventions=["street_lighting_area"],
                               random_state=0, simulations=200)
    assert (s["eligible"] == 0).all() and (s["eligible_unknown"] == 0).all()
    assert (s["prevented_if_unknown_eligible"] == 0).all()
    text = " ".join(i["text"] for h in s["hotspot_id"]
                    for i in _actions(int(h), s, None, [], hours_known=False))
    assert "Better street lighting" not in text


def test_trend_in_plain_words():
    assert trend_words("intensifying hot spot") == "Up in recent months; busy in most months"
    assert trend_words("sporadic hot spot").startswith("On and off")
    assert "hot spot" not in trend_words("persistent cold spot")


@pytest.mark.shared_data
def test_burglary_export_without_offence_column(shared_data, tmp_path):
    """Nottingham burglaries (police.uk, cleaned): the label names the offence."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.read_incidents(shared_data / "other_exports" / "nottingham_burglary.csv.gz")
    out = briefing(inc, tmp_path / "n.pdf", top=2, offence_label="Burglary", previous=False)
    pages = _pages(out)
    _check_advice(pages)
    assert "Burglary, January – December 2022 Hotspot" in pages[0]
    assert "Incidents 1,795 (burglary)" in pages[0]
    assert "offence not recorded" not in pages[0]
    for page in _officer_pages(pages)[1:]:
        assert "CCTV with better lighting and fencing" not in page
        assert not _ANALYST.search(page)
    assert "(the pack's offence label)" in pages[-1] + pages[-2]


def test_titles_give_the_data_period_and_few_incidents_no_trend(tmp_path):
    inc = hs.datasets.load_sample("memphis_robberies")
    pcts = hs.datasets.load_sample("memphis_precincts")
    area = pcts[pcts["precinct"] == "Raines"]
    out = briefing(inc, tmp_path / "r.pdf", area=area, area_name="Raines", top=2,
                   interventions=False)
    pages = _pages(out)
    assert "Personal robbery, Raines, 1 Jan – 31 Dec 2019 Hotspot" in pages[0]  # not 3 Jan
    for page in _officer_pages(pages)[1:]:
        assert not _ANALYST.search(page), _ANALYST.search(page)
        trend = re.search(r"Trend (.*?)\.", page)
        n = int(re.search(r"^\S+ .*? ([\d,]+) incidents \(", page).group(1).replace(",", ""))
        if n < 12:
            assert trend.group(1).startswith("Too few incidents here")
    assert sum("Method notes" in p for p in pages) == 1  # the notes fit one page


def test_place_type_recorded_is_never_said_unknown(tmp_path):
    """Chicago District 11 with its place types (loc_cat): the table and the advice agree."""
    inc = hs.datasets.load_sample("chicago_assaults")
    districts = hs.datasets.load_sample("chicago_districts")
    outages = hs.datasets.load_sample("chicago_outages")  # addresses: names and streets
    out = briefing(inc, tmp_path / "c.pdf", area=districts.loc[[11]], top=5, setting="loc_cat",
                   offence_label="Aggravated assault", previous=False,
                   addresses={"street-light reports": outages})
    pages = _pages(out)
    _check_advice(pages)
    place_pages = _officer_pages(pages)[1:]
    assert any("Type of place Category" in p for p in place_pages)
    # page 1: every character inside the printable width (the long key moved left)
    import pypdfium2 as pdfium

    from hotspot.present.report_pages import LEFT, RIGHT

    page = pdfium.PdfDocument(str(out))[0]
    width = page.get_width()
    text = page.get_textpage()
    boxes = [text.get_charbox(i) for i in range(text.count_chars())]
    assert min(b[0] for b in boxes) >= LEFT * width - 2
    assert max(b[2] for b in boxes) <= RIGHT * width + 2
    for page in place_pages:
        assert "do not record the type of place" not in page
        # an assault pack: no burglary measure is offered
        assert "Gates on rear alleys" not in page and "Better locks" not in page


@pytest.mark.shared_data
def test_cli_offences_and_area_name(shared_data, tmp_path):
    from hotspot.present.cli import main

    src = shared_data / "west_yorkshire" / "2018-07-west-yorkshire-street.csv.gz"
    out = tmp_path / "b.pdf"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["briefing", str(src), "--offences", "Burglary,Robbery", "--top", "1",
                     "--area-name", "West Yorkshire", "--out", str(out)])
    assert code == 0
    pages = _pages(out)
    assert "Burglary and robbery, West Yorkshire, July 2018 Hotspot" in pages[0]
    method = " ".join(p for p in pages if "Method notes" in p)
    assert re.search(r"[\d,]+ incidents of other offences were left out", method)
    assert main(["briefing", str(src), "--offences", "Quux", "--out",
                 str(tmp_path / "x.pdf")]) == 2
