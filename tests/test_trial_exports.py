"""Exports with conventions the library had not been tried on, built in each test.

Each test is one finding from reading realistic exports of other forces and cities
(Excel workbooks, Toronto/NSW/French CSVs, layered GeoPackages, police.uk folders).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import hotspot as hs


def _read(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hs.read_incidents(source, **kw)


def _serial(ts: pd.Series) -> np.ndarray:
    """Excel serial days as a workbook stores them (6 decimals, not exact)."""
    return np.round(((ts - pd.Timestamp("1899-12-30")) / pd.Timedelta("1D")).to_numpy(), 6)


def _workbook(tmp_path, name: str, serial: np.ndarray, n: int):
    pytest.importorskip("openpyxl")
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"Ref": np.arange(n), name: serial,
                       "Lat": 53.48 + rng.normal(0, 0.01, n),
                       "Long": -2.24 + rng.normal(0, 0.01, n)})
    path = tmp_path / "export.xlsx"
    df.to_excel(path, index=False)
    return path


def test_excel_serial_dates_survive_a_placeholder_and_read_to_the_second(tmp_path):
    n = 60
    when = pd.Series(pd.Timestamp("2023-03-01 18:59") + pd.to_timedelta(np.arange(n), "h"))
    serial = _serial(when)
    serial[0] = 1.0  # Excel's 1900-01-01 placeholder
    path = _workbook(tmp_path, "Reported", serial, n)
    inc = _read(path, tz="Europe/London")
    rep = hs.ingest_report(inc)
    assert rep.detected["datetime"] == "Reported"
    assert rep.rows_read == rep.rows_kept + sum(rep.dropped.values())
    assert rep.dropped.get("implausible_date") == 1
    got = inc["occurred_at"].dt.tz_localize(None).reset_index(drop=True)
    want = when.iloc[1:].reset_index(drop=True)
    assert (got == want).all()  # 18:59:00, not 18:58:59.981


def test_excel_serial_dates_in_a_column_named_by_datetime(tmp_path):
    n = 40
    when = pd.Series(pd.Timestamp("2022-06-01 07:30") + pd.to_timedelta(np.arange(n) * 25, "h"))
    path = _workbook(tmp_path, "Logged", _serial(when), n)
    inc = _read(path, datetime="Logged", tz="Europe/London")
    assert inc["occurred_at"].dt.tz_localize(None).reset_index(drop=True).equals(
        when.astype(inc["occurred_at"].dt.tz_localize(None).dtype))


def test_excel_ids_are_not_read_as_serial_dates(tmp_path):
    n = 30
    when = pd.Series(pd.Timestamp("2022-06-01 07:30") + pd.to_timedelta(np.arange(n) * 25, "h"))
    pytest.importorskip("openpyxl")
    df = pd.DataFrame({"Report No": 40_000 + np.arange(n), "Date": _serial(when),
                       "Lat": 53.48 + np.arange(n) * 1e-3, "Long": -2.24 + np.arange(n) * 1e-3})
    path = tmp_path / "ids.xlsx"
    df.to_excel(path, index=False)
    inc = _read(path, tz="Europe/London")
    assert pd.api.types.is_integer_dtype(inc["Report No"])
    assert hs.ingest_report(inc).detected["datetime"] == "Date"


def _two_sheet_workbook(tmp_path):
    pytest.importorskip("openpyxl")
    rng = np.random.default_rng(1)
    n = 200
    when = pd.Series(pd.Timestamp("2023-01-01 00:10") + pd.to_timedelta(
        rng.integers(0, 365 * 1440, n), "min"))
    data = pd.DataFrame({"Reported": _serial(when), "Crime": "Burglary",
                         "Lat": 53.48 + rng.normal(0, 0.005, n),
                         "Long": -2.24 + rng.normal(0, 0.005, n)})
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"Notes": ["Exported 2024-01-05"]}).to_excel(w, sheet_name="About",
                                                                  index=False)
        data.to_excel(w, sheet_name="Incidents", index=False)
    return path


def test_several_sheets_error_suggests_the_data_sheet_and_the_cli_names_its_flag(
        tmp_path, capsys):
    from hotspot.exceptions import InvalidInputError
    from hotspot.present.cli import EXIT_BAD_INPUT, main

    path = _two_sheet_workbook(tmp_path)
    with pytest.raises(InvalidInputError, match="sheet='Incidents'"):
        _read(path)
    assert main(["briefing", str(path), "--out", str(tmp_path / "b.pdf")]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "--sheet" in err and "sheet=" not in err


@pytest.mark.slow
def test_cli_reads_the_sheet_and_layer_it_is_given(tmp_path):
    import geopandas as gpd

    from hotspot.present.cli import main

    path = _two_sheet_workbook(tmp_path)
    assert main(["briefing", str(path), "--sheet", "Incidents",
                 "--out", str(tmp_path / "x.pdf")]) == 0
    frame = _read(path, sheet="Incidents")
    gpkg = tmp_path / "two.gpkg"
    gpd.GeoDataFrame(frame[["offence"]], geometry=frame.geometry, crs=frame.crs).assign(
        when=frame["occurred_at"].dt.tz_localize(None)).to_file(gpkg, layer="crimes")
    frame.iloc[:3][["geometry"]].to_file(gpkg, layer="stations")
    assert main(["briefing", str(gpkg), "--layer", "crimes",
                 "--out", str(tmp_path / "g.pdf")]) == 0
    assert (tmp_path / "g.pdf").stat().st_size > 0


def test_anzsoc_divisions_and_licensed_premises_are_mapped():
    from hotspot.ingest.vocabularies import offence_group, setting_group, unmapped_values

    names = pd.Series(["Acts Intended to Cause Injury", "Theft and Related Offences",
                       "Sexual Assault and Related Offences",
                       "Robbery, Extortion and Related Offences",
                       "Abduction, Harassment and Other Related Offences Against a Person",
                       "Property Damage and Environmental Pollution",
                       "Unlawful Entry With Intent/Burglary, Break and Enter"])
    got = offence_group(names)
    assert got.tolist() == ["violence", "property", "sexual", "robbery", "violence",
                            "criminal_damage", "burglary"]
    assert unmapped_values(got) == {}
    assert setting_group("Licensed Premises") == "commercial"


def test_a_stray_date_does_not_make_the_briefing_compare_with_an_empty_previous_period():
    import geopandas as gpd

    from hotspot.present.report import _previous_change

    at = pd.Series(pd.date_range("2019-01-01", "2019-12-31 23:00", periods=500,
                                 tz="America/Toronto"))
    at.iloc[0] = pd.Timestamp("1900-01-01 21:00", tz="America/Toronto")  # kept stray row
    inc = gpd.GeoDataFrame({"occurred_at": at},
                           geometry=gpd.points_from_xy(np.zeros(500), np.zeros(500)))
    start, end = at.iloc[1], at.iloc[-1]
    change = _previous_change(inc, start, end, n_now=499, min_count=10)
    assert change["available"] is False
    assert "do not cover" in change["text"]


@pytest.mark.parametrize("name", ["MCI_CATEGORY", "Infraction", "Offence Division"])
def test_offence_columns_of_other_countries_are_found(tmp_path, name):
    n = 30
    df = pd.DataFrame({"OCC_DATE": pd.date_range("2019-01-01", periods=n, freq="25h")
                       .strftime("%Y-%m-%d %H:%M"),
                       name: ["Break and Enter", "Auto Theft", "Assault"] * (n // 3),
                       "LAT_WGS84": 43.65 + np.arange(n) * 1e-3,
                       "LONG_WGS84": -79.38 + np.arange(n) * 1e-3})
    path = tmp_path / "mci.csv"
    df.to_csv(path, index=False)
    inc = _read(path)
    assert hs.ingest_report(inc).detected.get("offence") == name
    assert inc["offence"].iloc[0] == "Break and Enter"


def _toronto(tmp_path, n=48):
    days = pd.date_range("2019-01-01", periods=n, freq="D", tz="America/Toronto")
    df = pd.DataFrame({
        "OCC_DATE": days.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "OCC_DAY": days.day, "OCC_HOUR": np.arange(n) % 24,
        "LAT_WGS84": 43.65 + np.arange(n) * 1e-3, "LONG_WGS84": -79.38 + np.arange(n) * 1e-3})
    path = tmp_path / "tor.csv"
    df.to_csv(path, index=False)
    return path


def test_an_hour_column_with_values_beyond_23_is_warned_about(tmp_path):
    inc = _read(_toronto(tmp_path), hour="OCC_DAY")
    rep = hs.ingest_report(inc)
    assert any("hour column 'OCC_DAY'" in w and "not whole hours" in w for w in rep.warnings)
    assert rep.time_quality["date_only"] > 0
    clean = hs.ingest_report(_read(_toronto(tmp_path)))
    assert not any("not whole hours" in w for w in clean.warnings)
    assert clean.time_quality["exact"] + clean.time_quality["midnight"] == 48


def test_dayfirst_contradicted_by_the_data_is_a_warning(tmp_path):
    n = 40
    df = pd.DataFrame({"Date": pd.date_range("2021-01-01", periods=n, freq="D")
                       .strftime("%d/%m/%Y"), "Time": "14:35",
                       "Latitude": -33.87 + np.arange(n) * 1e-3,
                       "Longitude": 151.21 + np.arange(n) * 1e-3})
    path = tmp_path / "nsw.csv"
    df.to_csv(path, index=False)
    inc = _read(path, dayfirst=False)
    rep = hs.ingest_report(inc)
    assert any("dayfirst=False was given" in w for w in rep.warnings)
    assert inc["occurred_at"].iloc[20].day == 21  # the data's order: 21/01/2021


def test_dark_share_on_an_export_without_times_says_there_are_none():
    from hotspot.exceptions import InvalidInputError

    n = 50
    df = pd.DataFrame({"Crime": "Burglary", "Latitude": 53.48 + np.arange(n) * 1e-3,
                       "Longitude": -2.24 + np.arange(n) * 1e-3})
    inc = _read(df)
    with pytest.raises(InvalidInputError, match="holds no times") as err:
        hs.dark_share(inc)
    assert "naive" not in str(err.value)


def test_a_french_export_is_read_and_an_unknown_national_grid_is_named(tmp_path):
    from hotspot.exceptions import CRSError

    n = 40
    df = pd.DataFrame({"Date des faits": pd.date_range("2022-01-13 23:10", periods=n,
                                                       freq="25h").strftime("%d/%m/%Y %H:%M"),
                       "Infraction": ["Dégradation de véhicule", "Vol à la tire"] * (n // 2),
                       "X": [f"{652000 + 37.5 * i:.1f}".replace(".", ",") for i in range(n)],
                       "Y": [f"{6862000 + 21.5 * i:.1f}".replace(".", ",") for i in range(n)]})
    path = tmp_path / "faits.csv"
    df.to_csv(path, sep=";", index=False, encoding="cp1252")
    # Lambert-93 around Paris is also Web Mercator in the Netherlands (and SWEREF99 TM in
    # Sweden...): the error names each grid the values fit and where it puts them
    with pytest.raises(CRSError, match=r"fit more than one common grid: EPSG:2154 \(France, "
                       r"Lambert-93\) puts them around 48\.86, 2\.3\d \(Europe/Paris\);.*"
                       r"EPSG:3857 .*crs='EPSG:2154'"):
        _read(path)
    inc = _read(path, crs="EPSG:2154")
    rep = hs.ingest_report(inc)
    assert rep.rows_kept == n and rep.time_zone == "Europe/Paris"
    assert inc["offence"].iloc[0] == "Dégradation de véhicule"
    assert inc["occurred_at"].iloc[0] == pd.Timestamp("2022-01-13 23:10", tz="Europe/Paris")


def test_a_police_uk_download_zip_is_read_like_its_folder(tmp_path):
    import zipfile

    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for month in ("2023-01", "2023-02"):
            street = pd.DataFrame({"Crime ID": ["a", "b", "c"], "Month": month,
                                   "Longitude": [-2.59, -2.58, None],
                                   "Latitude": [51.45, 51.46, None],
                                   "Location": "On or near Baker Street",
                                   "Crime type": ["Burglary", "Vehicle crime", "Burglary"]})
            zf.writestr(f"{month}/{month}-avon-and-somerset-street.csv",
                        street.to_csv(index=False))
            zf.writestr(f"{month}/{month}-avon-and-somerset-outcomes.csv",
                        "Crime ID,Month,Longitude,Latitude,Outcome type\n"
                        f"a,{month},-2.59,51.45,Suspect charged\n")
    inc = _read(path)
    rep = hs.ingest_report(inc)
    assert (rep.rows_read, rep.rows_kept, rep.dropped["missing_coordinates"]) == (6, 4, 2)
    assert any("download.zip: read 2 CSV file(s)" in n for n in rep.notes)
    assert set(inc["offence"]) == {"Burglary", "Vehicle crime"}
    assert rep.time_quality["month_only"] == 4


@pytest.mark.parametrize("fmt", ["%d/%m/%y %H:%M", "%m/%d/%y %H:%M:%S", "%d-%b-%Y %H:%M",
                                 "%d-%m-%Y %H:%M", "%d.%m.%y %H:%M", "%d-%m-%Y"])
def test_day_first_two_digit_year_dash_and_month_name_dates_are_read(fmt):
    n = 60
    when = pd.Series(pd.date_range("2021-01-01 00:05", periods=n, freq="149h"))
    df = pd.DataFrame({"Date": when.dt.strftime(fmt),
                       "Latitude": -36.85 + np.arange(n) * 1e-3,
                       "Longitude": 174.76 + np.arange(n) * 1e-3})
    inc = _read(df, tz="Pacific/Auckland")
    rep = hs.ingest_report(inc)
    assert rep.rows_kept == n
    want = when if "%H" in fmt else when.dt.normalize()
    got = inc["occurred_at"].dt.tz_localize(None).reset_index(drop=True)
    assert (got == want).all()


def test_the_place_type_column_of_an_export_is_found_by_its_name():
    from hotspot.ingest.columns import setting_column

    frame = pd.DataFrame({"x": [1.0], "PREMISES_TYPE": ["Outside"], "Location Type": ["Bar"]})
    assert setting_column(frame) == "PREMISES_TYPE"
    assert setting_column(pd.DataFrame({"Location Type": ["Street"]})) == "Location Type"
    assert setting_column(pd.DataFrame({"premise": [1, 2]})) is None  # codes, not names
    assert setting_column(pd.DataFrame({"offence": ["Theft"]})) is None


@pytest.mark.slow
def test_the_briefing_command_writes_the_ingest_report_its_warnings_point_to(tmp_path):
    from hotspot.present.cli import main

    path = _two_sheet_workbook(tmp_path)
    out = tmp_path / "pack.pdf"
    assert main(["briefing", str(path), "--sheet", "Incidents", "--out", str(out)]) == 0
    text = (tmp_path / "pack_ingest_report.txt").read_text()
    assert "rows read" in text and "sheet 'Incidents'" in text
    assert "pass tz=" not in text  # the command's own flags


def test_french_offences_and_place_types_are_mapped():
    from hotspot.ingest.vocabularies import offence_group, setting_group, unmapped_values

    got = offence_group(pd.Series(["Vol à la tire", "Cambriolage de résidence",
                                   "Dégradation de véhicule", "Vol de véhicule",
                                   "Coups et blessures volontaires", "Vols avec violence",
                                   "Violences sexuelles"]))
    assert got.tolist() == ["property", "burglary", "criminal_damage", "vehicle",
                            "violence", "robbery", "sexual"]
    assert unmapped_values(got) == {}
    places = setting_group(pd.Series(["Voie publique", "Commerce", "Domicile", "Parking"]))
    assert places.tolist() == ["street", "commercial", "residence", "car_park"]


def test_a_toronto_mci_style_export_keeps_its_hour_zero_incidents():
    """OCC_DATE is local midnight written in UTC (04:00Z in summer, 05:00Z in winter),
    the hour in OCC_HOUR with a plain night curve, the place type in PREMISES_TYPE."""
    rng = np.random.default_rng(3)
    curve = np.array([9, 7, 5, 4, 3, 3, 4, 6, 8, 9, 10, 11, 12, 12, 12, 13, 14, 15, 16, 16,
                      15, 14, 13, 11])
    hours = np.repeat(np.arange(24), curve * 3)
    n = len(hours)
    day = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D")
    utc = (pd.DatetimeIndex(day).tz_localize("America/Toronto").tz_convert("UTC")
           .strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    df = pd.DataFrame({"EVENT_UNIQUE_ID": [f"GO-{i}" for i in range(n)], "OCC_DATE": utc,
                       "OCC_HOUR": hours, "MCI_CATEGORY": "Break and Enter",
                       "PREMISES_TYPE": rng.choice(["House", "Apartment", "Outside"], n),
                       "LONG_WGS84": -79.40 + rng.normal(0, 0.02, n),
                       "LAT_WGS84": 43.70 + rng.normal(0, 0.02, n)})
    inc = _read(df)
    rep = hs.ingest_report(inc)
    assert rep.rows_kept == n and rep.time_zone == "America/Toronto"
    assert rep.detected["hour"] == "OCC_HOUR" and rep.detected["setting"] == "PREMISES_TYPE"
    assert (inc["time_quality"].astype(str) == "exact").all()  # hour 0 is an hour
    local = inc["occurred_at"]
    assert (local.dt.hour.to_numpy() == hours).all()
    assert (local.dt.strftime("%Y-%m-%d").to_numpy() == day.strftime("%Y-%m-%d")).all()
    assert (local.dt.hour == 0).sum() == 27


def test_a_german_export_with_decimal_commas_is_read_where_it_is(tmp_path):
    """Breite/Länge in cp1252 with decimal commas, Datum/Uhrzeit split, ';' separated.

    A single decimal-comma number ("35,14900") once passed for a '(lat, lon)' pair: the
    points landed on a Portuguese grid near 0,0 with a Lisbon time zone.
    """
    lat = [35.14900, 35.05900, 35.12345, 35.2]
    lon = [-89.94200, -89.86000, -89.90001, -89.95]
    frame = pd.DataFrame({
        "Datum": ["01.01.2019", "02.01.2019", "13.01.2019", "28.02.2019"],
        "Uhrzeit": ["01:30", "20:00", "21:58", "07:05"], "Delikt": "Raub",
        "Breite": [f"{v:.5f}".replace(".", ",") for v in lat],
        "Länge": [f"{v:.5f}".replace(".", ",") for v in lon],
    })
    path = tmp_path / "raub.csv"
    frame.to_csv(path, sep=";", index=False, encoding="cp1252")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.read_incidents(path)
    report = hs.ingest_report(inc)
    assert (report.detected["lon"], report.detected["lat"]) == ("Länge", "Breite")
    back = inc.to_crs(4326).geometry
    np.testing.assert_allclose(back.x, lon, atol=1e-6)
    np.testing.assert_allclose(back.y, lat, atol=1e-6)
    assert str(inc["occurred_at"].dt.tz) == "America/Chicago"
    assert inc["occurred_at"].dt.strftime("%d.%m.%Y %H:%M").tolist() == [
        f"{d} {t}" for d, t in zip(frame["Datum"], frame["Uhrzeit"], strict=True)]
    # unnamed decimal-comma columns are not taken for a location column: the error asks
    frame = frame.rename(columns={"Breite": "Wert1", "Länge": "Wert2"})
    with pytest.raises(hs.exceptions.InvalidInputError, match="no coordinate columns"):
        hs.read_incidents(frame)


def test_german_offences_and_place_types_are_grouped(tmp_path):
    """Delikt/Tatort columns and PKS-style terms (compounds, umlauts and 'ß')."""
    from hotspot.ingest.vocabularies import offence_group, setting_group

    terms = {"Raub": "robbery", "Straßenraub": "robbery", "Wohnungseinbruchdiebstahl":
             "burglary", "Kfz-Diebstahl": "vehicle", "Diebstahl von Kraftfahrzeugen":
             "vehicle", "Ladendiebstahl": "property", "Gefährliche Körperverletzung":
             "violence", "Sachbeschädigung": "criminal_damage", "Rauschgiftdelikte": "drugs",
             "Vergewaltigung": "sexual"}
    assert list(offence_group(pd.Series(list(terms)))) == list(terms.values())
    places = {"Straße": "street", "Öffentlicher Raum": "street", "Wohnung": "residence",
              "Parkplatz": "car_park", "Geschäft": "commercial"}
    assert list(setting_group(pd.Series(list(places)))) == list(places.values())
    n = len(terms)
    frame = pd.DataFrame({"Datum": ["01.03.2019"] * n, "Delikt": list(terms),
                          "Tatort": (list(places) * 2)[:n],
                          "Breite": np.linspace(52.50, 52.52, n),
                          "Länge": np.linspace(13.38, 13.40, n)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.read_incidents(frame)
    assert hs.ingest_report(inc).detected["offence"] == "Delikt"
    assert list(offence_group(inc["offence"].astype(str))) == list(terms.values())
    assert str(inc["occurred_at"].dt.tz) == "Europe/Berlin"
