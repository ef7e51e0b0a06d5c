import re

import pandas as pd
import pytest

from hotspot.datasets import sample_path
from hotspot.present.cli import EXIT_BAD_INPUT, EXIT_EXISTS, main


def test_analyze_happy_path(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "analyze",
            str(sample_path("memphis_robberies_2019.csv.gz")),
            "--out",
            str(out),
            "--cell-size",
            "250",
            "--tz",
            "America/Chicago",
            "--offence-label",
            "Street robbery",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    from pypdf import PdfReader

    pdf = PdfReader(str(out / "memphis_robberies_2019_briefing.pdf"))
    assert pdf.metadata.title.startswith("Street robbery, ")  # what, where, when
    assert f"Outputs written to {out}" in printed
    hotspots = pd.read_csv(out / "memphis_robberies_2019_hotspots.csv")
    assert len(hotspots) > 0
    assert hotspots["rank"].tolist() == list(range(1, len(hotspots) + 1))
    assert (hotspots["area_km2"] <= 1.0 + 1e-9).all()  # default cap, one officer per hotspot
    report = (out / "memphis_robberies_2019_ingest_report.txt").read_text()
    assert "rows read:    2,245" in report
    assert (out / "memphis_robberies_2019_hotspots_map.png").stat().st_size > 10_000
    web = (out / "memphis_robberies_2019_interactive_map.html").read_text(encoding="utf-8")
    assert "L.map(" in web and 'src="http' not in web  # opens without internet
    scores = pd.read_csv(out / "memphis_robberies_2019_intervention_scores.csv")
    assert {"hotspot_id", "intervention", "prevented", "reason"} <= set(scores.columns)
    assert (scores["prevented_low"] <= scores["prevented"] + 1e-9).all()
    patrol = (out / "memphis_robberies_2019_patrol_plan.txt").read_text()
    # visits only where they pay; otherwise the unused hours are stated with the reason
    assert "Koper" in patrol and ("hotspot 1" in patrol or "left unused" in patrol)
    budget_plan = pd.read_csv(out / "memphis_robberies_2019_plan_under_budget.csv")
    assert budget_plan["cost"].sum() <= 250_000


def test_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("analyst's file")
    src = str(sample_path("memphis_robberies_2019.csv.gz"))
    assert main(["analyze", src, "--out", str(out)]) == EXIT_EXISTS
    assert "--force" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "analyst's file"


def test_missing_input_file(tmp_path, capsys):
    code = main(["analyze", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")])
    assert code == EXIT_BAD_INPUT
    assert "nope.csv" in capsys.readouterr().err


def test_unknown_column_is_a_clear_error(tmp_path, capsys):
    src = str(sample_path("memphis_robberies_2019.csv.gz"))
    code = main(
        [
            "analyze",
            src,
            "--out",
            str(tmp_path / "o"),
            "--lon",
            "no_such_column",
            "--lat",
            "latitude",
        ]
    )
    assert code == EXIT_BAD_INPUT
    assert "no_such_column" in capsys.readouterr().err


def test_bad_arguments_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["analyze"])
    assert exc.value.code == 2
    assert "--out" in capsys.readouterr().err or "input" in capsys.readouterr().err


def test_briefing_command_for_one_area(tmp_path, capsys):
    src = str(sample_path("memphis_robberies_2019.csv.gz"))
    areas = str(sample_path("memphis_precincts.geojson"))
    pdf = tmp_path / "airways.pdf"
    args = [
        "briefing",
        src,
        "--out",
        str(pdf),
        "--areas",
        areas,
        "--area-column",
        "precinct",
        "--area",
        "Airways",
        "--tz",
        "America/Chicago",
        "--offence-label",
        "Street robbery",
        "--period",
        "2019-01-01",
        "2019-12-31",
    ]
    assert main(args) == 0
    assert pdf.read_bytes()[:4] == b"%PDF"
    assert "Briefing written" in capsys.readouterr().out
    from pypdf import PdfReader

    first = " ".join(PdfReader(str(pdf)).pages[0].extract_text().split())
    assert "Street robbery, Airways, 1 Jan – 31 Dec 2019" in first  # what, where, when
    assert main(args) == EXIT_EXISTS  # never overwrite without --force
    bad = [
        "briefing",
        src,
        "--out",
        str(tmp_path / "x.pdf"),
        "--areas",
        areas,
        "--area-column",
        "precinct",
        "--area",
        "Atlantis",
    ]
    assert main(bad) == EXIT_BAD_INPUT
    assert "Airways" in capsys.readouterr().err  # the error lists the valid names


def _evenly_spread(path):
    """Incidents on a regular lattice: no place stands out (no hotspots)."""
    import numpy as np

    gx, gy = np.meshgrid(np.arange(15), np.arange(15))
    pd.DataFrame(
        {
            "longitude": -89.95 + 0.004 * gx.ravel(),
            "latitude": 35.10 + 0.004 * gy.ravel(),
            "date": pd.date_range("2019-01-01 10:00", periods=gx.size, freq="29h").astype(str),
        }
    ).to_csv(path, index=False)
    return path


def test_no_hotspots_is_a_result_and_names_keep_the_stem(tmp_path, capsys):
    src = _evenly_spread(tmp_path / "my.data.2019.csv")
    out = tmp_path / "out"
    code = main(["analyze", str(src), "--out", str(out), "--tz", "America/Chicago"])
    assert code == 0, capsys.readouterr().err
    names = sorted(p.name for p in out.iterdir())
    assert "my.data.2019_no_hotspots.txt" in names
    assert "my.data.2019_briefing.pdf" in names
    assert all(n.startswith("my.data.2019_") for n in names)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_path_problems_one_line_nothing_written(tmp_path, capsys):
    src = str(sample_path("memphis_robberies_2019.csv.gz"))
    (tmp_path / "afile").write_text("x")
    cases = [
        (["analyze", src, "--out", str(tmp_path / "afile" / "o")], "is a file"),
        (["briefing", src, "--out", str(tmp_path)], "is a folder"),
        (["briefing", src, "--out", str(tmp_path / "b.pdf"), "--area", "Raines"], "--areas"),
        (["analyze", src, "--out", str(tmp_path / "o"), "--study-area", "nope.gpkg"], "nope"),
        (["analyze", str(tmp_path / "*.csv"), "--out", str(tmp_path / "o")], "matches"),
    ]
    for args, words in cases:
        assert main(args) == EXIT_BAD_INPUT, args
        err = capsys.readouterr().err
        assert words in err and err.count("\n") == 1 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_interrupt_leaves_nothing(tmp_path, capsys, monkeypatch):
    from hotspot.present import cli

    def stop(*args, **kwargs):
        (args[1] / "partial_hotspots.csv").write_text("half")
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "analyze", stop)
    src = str(sample_path("memphis_robberies_2019.csv.gz"))
    out = tmp_path / "o"
    assert main(["analyze", src, "--out", str(out)]) == cli.EXIT_INTERRUPTED
    assert "interrupted" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # a rerun is not blocked


def test_output_name_rules():
    from hotspot.present.cli import output_name

    assert output_name("my.data.2019.csv.gz") == "my.data.2019"
    assert output_name("/x/police_uk/") == "police_uk"
    assert output_name("/x/exports/*.csv") == "exports"
    assert output_name("book.xlsx") == "book"


def test_cli_period_gives_the_api_pack(tmp_path):
    """--period goes to the briefing's period: the whole file is read once, so the CLI
    and hs.briefing print the same counts, places and change from the period before."""
    import warnings

    import geopandas as gpd
    from pypdf import PdfReader

    import hotspot as hs

    src = sample_path("memphis_robberies_2019.csv.gz")
    areas = sample_path("memphis_precincts.geojson")
    period = ("2019-07-01", "2019-12-31")
    cli_pdf, api_pdf = tmp_path / "cli.pdf", tmp_path / "api.pdf"
    assert main(["briefing", str(src), "--out", str(cli_pdf), "--areas", str(areas),
                 "--area-column", "precinct", "--area", "Raines", "--period", *period,
                 "--officer-hours-per-week", "20"]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.read_incidents(src)
        raines = gpd.read_file(areas).query("precinct == 'Raines'").to_crs(inc.crs)
        hs.briefing(inc, api_pdf, area=raines, area_name="Raines", period=period,
                    officer_hours_per_week=20)

    def texts(path):
        return [" ".join(p.extract_text().split()) for p in PdfReader(str(path)).pages]

    cli, api = texts(cli_pdf), texts(api_pdf)
    assert cli == api
    # the 20 officer-hours reach the precinct's places: days and times on each page
    assert re.search(r"Patrol [\d.]+ of 20 officer-hours a week planned", cli[0])
    for page in (p for p in cli[1:] if "Method notes" not in p):  # the method page may page
        assert re.search(r"Visit at: (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d", page)
    assert "1 Jul – 31 Dec 2019" in cli[0]
    assert "previous period" in cli[0] and "do not cover the previous period" not in cli[0]
    assert "were dropped" not in " ".join(cli[1:])  # the user's own period is not dropped
    # found = shown + not shown (smaller, or past the top): the cover and method page agree
    method = " ".join(p for p in cli if "Method notes" in p)
    found, shown = map(int, re.search(r"hotspots found: (\d+); shown: (\d+)", method).groups())
    not_shown = re.search(r"(\d+) smaller places? .*?(?:and (\d+) quieter)?.*? not shown", cli[0])
    hidden = sum(int(g or 0) for g in not_shown.groups()) if not_shown else 0
    assert found == shown + hidden


def _memphis_addresses_csv(path, n=400):
    """A table of address points (no dates) with lon/lat columns, like a 311 export."""
    import warnings

    import hotspot as hs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.read_incidents(sample_path("memphis_robberies_2019.csv.gz")).head(n)
    ll = inc.geometry.to_crs(4326)
    pd.DataFrame({"Address": [f"{100 * (k % 40)} MAIN ST" for k in range(len(ll))],
                  "Longitude": ll.x, "Latitude": ll.y}).to_csv(path, index=False)
    return path


def test_cli_messages_name_the_fix(tmp_path, capsys):
    src = str(sample_path("memphis_robberies_2019.csv.gz"))
    areas = str(sample_path("memphis_precincts.geojson"))
    pdf = str(tmp_path / "b.pdf")
    # a period outside the data: said, with the data's dates (not a CRS problem)
    assert main(["briefing", src, "--out", pdf, "--period", "2015-01-01", "2015-12-31"]) == \
        EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "outside the data's dates" in err and "2019" in err and "CRS" not in err
    assert "--period START END" in err
    # the failed run wrote no ingest report, and the warnings do not point to one
    assert "(*_ingest_report.txt) has the details" not in err
    assert not list(tmp_path.iterdir())
    # a CSV where polygons are needed
    table = _memphis_addresses_csv(tmp_path / "addresses.csv")
    assert main(["briefing", src, "--out", pdf, "--areas", str(table), "--area", "x"]) == \
        EXIT_BAD_INPUT
    assert "polygon file" in capsys.readouterr().err
    # --area without --area-column: the column holding the name is found, any case
    code = main(["briefing", src, "--out", pdf, "--areas", areas, "--area", "raines",
                 "--addresses", str(table), "--addresses-label", "311 requests"])
    assert code == 0, capsys.readouterr().err
    captured = capsys.readouterr()
    assert "found in column 'precinct'" in captured.err
    from pypdf import PdfReader

    first = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert ", Raines, " in first  # the area's own spelling in the title
    assert "streetlights" not in first and "addresses.csv" not in first
    # an unknown name lists the names there; a wrong column lists the candidates
    assert main(["briefing", src, "--out", str(tmp_path / "c.pdf"), "--areas", areas,
                 "--area", "Atlantis"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "precinct: " in err and "Raines" in err
    assert main(["briefing", src, "--out", str(tmp_path / "c.pdf"), "--areas", areas,
                 "--area-column", "name", "--area", "Raines"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "'name' is not a column" in err and "precinct" in err


def test_addresses_default_label_is_neutral():
    import argparse

    from hotspot.present.cli import _addresses

    args = argparse.Namespace(addresses="some/streetlights.gpkg", addresses_label=None)
    assert list(_addresses(args)) == ["address records"]
    args.addresses_label = "street-light reports"
    assert list(_addresses(args)) == ["street-light reports"]


@pytest.mark.shared_data
def test_addresses_crs_reads_state_plane_street_lights(shared_data, tmp_path):
    """The shipped outage reports carry x/y in Illinois State Plane feet, no CRS."""
    import argparse

    from hotspot.exceptions import InvalidInputError
    from hotspot.present.cli import _addresses, _parser

    path = shared_data / "chicago" / "streetlight_outages_2012_2013"
    path = path / "street_lights_all_out.csv.gz"
    args = argparse.Namespace(addresses=str(path), addresses_label=None, addresses_crs=None)
    with pytest.raises(InvalidInputError, match="addresses_crs='EPSG:") as err:
        _addresses(args, "EPSG:32616")
    said = err.value.cli  # what the command prints
    assert said.startswith("--addresses ") and "--addresses-crs 'EPSG:" in said
    assert "'EPSG:3435' (Illinois East" in said
    assert "--crs" not in said.replace("--addresses-crs", "")
    args.addresses_crs = "EPSG:3435"
    points = _addresses(args, "EPSG:32616")["address records"]
    assert points.crs.equals("EPSG:32616") and len(points) > 12_000
    x0, y0, x1, y1 = points.total_bounds  # Chicago in UTM 16N metres
    assert 420_000 < x0 < x1 < 460_000 and 4_600_000 < y0 < y1 < 4_660_000
    from hotspot.present.context import read_addresses  # the API's reader: hs.briefing

    with pytest.raises(InvalidInputError, match="addresses_crs='EPSG:"):
        read_addresses({"street-light reports": path}, "EPSG:32616")
    read = read_addresses(path, "EPSG:32616", addresses_crs="EPSG:3435")
    assert read.crs.equals("EPSG:32616") and len(read) == len(points)
    parsed = _parser().parse_args(["briefing", "in.csv", "--out", "b.pdf", "--addresses", str(path),
                                        "--addresses-crs", "EPSG:3435"])
    assert parsed.addresses_crs == "EPSG:3435"
    src = str(sample_path("memphis_robberies_2019.csv.gz"))
    assert main(["briefing", src, "--out", str(tmp_path / "b.pdf"), "--addresses-crs", "3435"]) == (
        EXIT_BAD_INPUT)


def test_table_as_api_layer_says_how_to_read_it(tmp_path):
    from hotspot.exceptions import InvalidInputError
    from hotspot.present.context import read_layers

    table = tmp_path / "lights.csv"
    table.write_text("x,y\n1,2\n")
    with pytest.raises(InvalidInputError, match=r"hs.read_incidents\(path, crs="):
        read_layers({"street-light reports": table}, "EPSG:32616")


def test_setting_error_speaks_the_command(tmp_path, capsys):
    src = str(sample_path("memphis_robberies_2019.csv.gz"))
    code = main(["briefing", src, "--out", str(tmp_path / "b.pdf"), "--setting", "premises"])
    assert code == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "--setting 'premises' is not a column" in err and "--no-setting" in err
    assert "setting=" not in err
    from hotspot.present.cli import _parser

    parsed = _parser().parse_args(["briefing", src, "--out", "b.pdf", "--no-setting"])
    assert parsed.setting is False


@pytest.mark.shared_data
def test_misspelled_area_suggests_the_closest_names_first(shared_data):
    import argparse

    import geopandas as gpd

    from hotspot.present.cli_areas import choose_area

    wards = gpd.read_file(shared_data / "other_exports" / "nottingham_wards.gpkg")
    args = argparse.Namespace(area="St Anns", area_column=None, areas="wards.gpkg")
    with pytest.raises(ValueError, match=r"did you mean \"St. Ann's\"") as err:
        choose_area(wards, args)
    text = str(err.value)
    assert text.index("St. Ann's") < text.index("the names there")


def test_study_area_mask_on_a_close_up_plots_nothing_empty():
    """A place map inside the study area has no outside to grey out: no warning."""
    import warnings

    import geopandas as gpd
    import matplotlib.pyplot as plt
    from shapely.geometry import box

    from hotspot.present.context import _draw_mask

    area = gpd.GeoSeries([box(0, 0, 10_000, 10_000)], crs=32616)
    fig, ax = plt.subplots()
    handles = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _draw_mask(ax, area, (4_900, 4_900, 5_100, 5_100), area.crs, handles)
    plt.close(fig)
    assert [h.get_label() for h in handles] == ["Study area boundary"]


@pytest.mark.shared_data
def test_stacked_flags_carry_to_the_offences_briefed_on(shared_data):
    """Adelaide Street (47 incidents force-wide, a placeholder) is flagged on all rows
    read; after ``--offences violence`` its 11 violent incidents stay flagged and left out."""
    import warnings

    import hotspot as hs
    from hotspot.ingest.locations import exclude_stacked
    from hotspot.present.report_scope import select_offences

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        incidents = hs.read_incidents(
            shared_data / "west_yorkshire" / "2018-07-west-yorkshire-street.csv.gz")
    adelaide = incidents["Location"].eq("On or near Adelaide Street")
    on_point = adelaide & incidents["location_quality"].eq("stacked")
    assert on_point.sum() == 47
    violence, _ = select_offences(incidents, "violence", {})
    flagged = violence["location_quality"].eq("stacked")
    assert flagged.sum() == 11 and violence.loc[flagged, "Location"].eq(
        "On or near Adelaide Street").all()
    kept, line = exclude_stacked(violence, "exclude")
    assert len(kept) == len(violence) - 11 and line.startswith("11 incidents")
