"""Times you can trust: hour columns, day/month order, zones, implausible and stray dates.

One test per pattern on hand-built frames (the real-data checks are at the end).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from hotspot._core.time import check_time_range, data_period, data_period_days
from hotspot.analyse.darkness import daylight
from hotspot.analyse.emerging import space_time_cube
from hotspot.exceptions import DataQualityWarning, InvalidInputError
from hotspot.ingest.date_text import _pivot_two_digit_years
from hotspot.ingest.incidents import DROP_REASONS, read_incidents
from hotspot.ingest.report import ingest_report
from hotspot.ingest.times import zone_from_points

CHI = "America/Chicago"


def read(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return read_incidents(source, **kw)


def points(n, lon=-87.65, lat=41.85, seed=0):
    rng = np.random.default_rng(seed)
    return {"lon": np.round(lon + rng.uniform(-0.05, 0.05, n), 5),
            "lat": np.round(lat + rng.uniform(-0.05, 0.05, n), 5)}


def accounted(df, gdf):
    rep = ingest_report(gdf)
    assert rep.rows_read == len(df) == rep.rows_kept + sum(rep.dropped.values())
    return rep


def wall(s):
    return s.dt.tz_localize(None).dt.strftime("%Y-%m-%d %H:%M").tolist()


# ------------------------------------------------------------------ 1. hour columns
def test_local_midnight_in_utc_plus_hour_column():
    """A national export: dates as local midnight written in UTC, hour in its own column."""
    n = 30
    days = pd.date_range("2014-01-06", periods=n, freq="D")
    df = pd.DataFrame({**points(n, -79.4, 43.7),  # Toronto: midnight EST = 05:00 UTC
                       "occurrencedate": [f"{d:%Y/%m/%d} 05:00:00+00" for d in days],
                       "occurrencehour": np.arange(n) % 24})
    gdf = read(df)
    rep = accounted(df, gdf)
    assert rep.detected["datetime"] == "occurrencedate"
    assert rep.detected["hour"] == "occurrencehour"
    assert rep.time_zone == "America/Toronto"
    expected = [f"{d:%Y-%m-%d} {h:02d}:00" for d, h in zip(days, np.arange(n) % 24, strict=True)]
    assert wall(gdf["occurred_at"]) == expected
    assert set(gdf["time_quality"].astype(str)) <= {"exact", "midnight"}
    assert any("carries one clock time (05:00 UTC) on every row" in s for s in rep.notes)


def test_date_column_with_one_clock_time_is_date_only_and_says_so():
    n = 12
    days = pd.date_range("2020-03-01", periods=n, freq="2D")
    df = pd.DataFrame({**points(n), "date": [f"{d:%Y-%m-%d}T06:00:00Z" for d in days]})
    gdf = read(df)
    rep = ingest_report(gdf)
    assert (gdf["time_quality"] == "date_only").all()
    # each value keeps its calendar date in the zone of the points
    assert gdf["occurred_at"].dt.strftime("%Y-%m-%d").tolist() == [f"{d:%Y-%m-%d}" for d in days]
    assert any("date column 'date' carries one clock time (06:00 UTC)" in s for s in rep.notes)
    # written in local time at midnight: date_only too (not 'midnight' placeholders)
    df2 = pd.DataFrame({**points(3), "date": ["2020-01-01 00:00", "2020-01-02 00:00",
                                              "2020-01-05 00:00"]})
    assert (read(df2)["time_quality"] == "date_only").all()


@pytest.mark.parametrize("name", ["hour", "OCC_HOUR", "HOUR_OCC", "hr", "occurrence_hour"])
def test_hour_columns_are_found_by_name(name):
    df = pd.DataFrame({**points(3), "date": ["2020-01-01", "2020-01-02", "2020-01-03"],
                       name: [5, 13, 23]})
    gdf = read(df)
    assert ingest_report(gdf).detected["hour"] == name
    assert wall(gdf["occurred_at"]) == ["2020-01-01 05:00", "2020-01-02 13:00",
                                        "2020-01-03 23:00"]
    assert (gdf["time_quality"] == "exact").all()


@pytest.mark.parametrize(("date", "time"), [("Fecha", "Hora"), ("fecha_hechos", "hora_hechos"),
                                          ("date_faits", "heure_faits"), ("Datum", "Uhrzeit")])
def test_time_columns_named_in_other_languages(date, time):
    df = pd.DataFrame({**points(3), date: ["2020-01-01", "2020-01-02", "2020-01-03"],
                       time: ["05:10", "13:45", "23:05"]})
    gdf = read(df)
    assert ingest_report(gdf).detected["time"] == time
    assert wall(gdf["occurred_at"]) == ["2020-01-01 05:10", "2020-01-02 13:45",
                                        "2020-01-03 23:05"]
    assert (gdf["time_quality"] == "exact").all()


def test_integer_time_column_of_hours_is_not_hhmm():
    df = pd.DataFrame({**points(3), "Date Occurred": ["2020-01-01", "2020-01-02", "2020-01-03"],
                       "Time Occurred": [5, 13, 23]})
    gdf = read(df)
    assert wall(gdf["occurred_at"]) == ["2020-01-01 05:00", "2020-01-02 13:00",
                                        "2020-01-03 23:00"]
    assert any("hours of the day, not HHMM" in s for s in ingest_report(gdf).notes)
    # HHMM stays HHMM as soon as one value is above 23
    df["Time Occurred"] = [5, 1330, 2359]
    assert wall(read(df)["occurred_at"]) == ["2020-01-01 00:05", "2020-01-02 13:30",
                                             "2020-01-03 23:59"]


def test_time_and_hour_arguments():
    df = pd.DataFrame({**points(2), "d": ["2020-01-01", "2020-01-02"], "h": [7, 19],
                       "clock": ["10:15", "22:40"]})
    by_hour = read(df, datetime="d", hour="h")
    assert wall(by_hour["occurred_at"]) == ["2020-01-01 07:00", "2020-01-02 19:00"]
    assert ingest_report(by_hour).detected["hour"] == "h"
    by_time = read(df, datetime="d", time="clock")
    assert wall(by_time["occurred_at"]) == ["2020-01-01 10:15", "2020-01-02 22:40"]
    assert ingest_report(by_time).detected["time"] == "clock"


def test_warning_when_most_times_share_one_clock_time():
    n = 40
    clock = ["04:00"] * 30 + [f"{h:02d}:17" for h in range(10)]
    df = pd.DataFrame({**points(n), "date": [f"2020-02-{i % 28 + 1:02d} {c}"
                                             for i, c in enumerate(clock)]})
    rep = ingest_report(read(df))
    assert any("are at 04:00: most times share one clock time" in w for w in rep.warnings)


# --------------------------------------------------------------- 2. day/month order
def test_day_month_order_from_every_value_in_any_row_order():
    """One month of UK dates: the first rows are ambiguous, the order shows later."""
    days = [f"{d:02d}/01/2020 {h:02d}:30" for d in range(1, 32) for h in (2, 14)]
    n = len(days)
    df = pd.DataFrame({**points(n, -1.55, 53.8), "date": days})
    newest_first = df.iloc[::-1].reset_index(drop=True)
    a, b = read(df), read(newest_first)
    assert ingest_report(a).dropped["unparseable_time"] == 0
    assert a["occurred_at"].dt.month.unique().tolist() == [1]
    assert sorted(wall(a["occurred_at"])) == sorted(wall(b["occurred_at"]))
    assert any("day first" in s for s in ingest_report(a).notes)


def test_undecidable_order_is_reported_and_dayfirst_honoured():
    df = pd.DataFrame({**points(3), "date": ["03/04/2020", "05/06/2020", "01/02/2020"]})
    us = read(df)
    assert wall(us["occurred_at"])[0] == "2020-03-04 00:00"
    assert any("cannot be decided from the data" in s and "dayfirst=True" in s
               for s in ingest_report(us).warnings)
    eu = read(df, dayfirst=True)
    assert wall(eu["occurred_at"])[0] == "2020-04-03 00:00"


# ------------------------------------------------------------------------ 3. zones
def test_zone_inferred_from_the_coordinates():
    df = pd.DataFrame({**points(3, -123.12, 49.26), "date": ["2020-07-01 22:00"] * 3})
    gdf = read(df)
    rep = ingest_report(gdf)
    assert str(gdf["occurred_at"].dt.tz) == "America/Vancouver"
    assert wall(gdf["occurred_at"])[0] == "2020-07-01 22:00"
    assert ("time zone America/Vancouver inferred from the coordinates; pass tz= to "
            "override") in rep.notes
    assert "time zone:    America/Vancouver" in str(rep)
    given = ingest_report(read(df, tz="America/Edmonton"))
    assert (given.time_zone, given.time_zone_source) == ("America/Edmonton", "given (tz=)")


def test_zone_from_points_majority_and_several_zones_warned():
    lon = np.array([-87.6] * 90 + [-84.4] * 10)  # Chicago + Atlanta
    lat = np.array([41.9] * 90 + [33.75] * 10)
    zone, share, others = zone_from_points(lon, lat)
    assert (zone, share) == (CHI, 0.9) and others == {"America/New_York": pytest.approx(0.1)}
    df = pd.DataFrame({"lon": lon, "lat": lat, "date": ["2020-01-01 10:00"] * 100})
    rep = ingest_report(read(df))
    assert any("span several time zones" in w and "America/New_York 10.0%" in w
               for w in rep.warnings)


def test_mixed_naive_and_offset_values_are_reported_not_silently_utc():
    df = pd.DataFrame({**points(2), "date": ["2020-01-01T10:00:00Z", "2020-01-01 10:00"]})
    gdf = read(df)
    assert wall(gdf["occurred_at"]) == ["2020-01-01 04:00", "2020-01-01 10:00"]
    assert any("1 values carry a UTC offset" in w and "1 do not" in w
               for w in ingest_report(gdf).warnings)


def test_object_column_of_utc_and_paris_times_keeps_every_row():
    import datetime as dt
    import zoneinfo

    paris = zoneinfo.ZoneInfo("Europe/Paris")
    vals = [dt.datetime(2020, 1, 1, 10, tzinfo=dt.timezone.utc),
            dt.datetime(2020, 1, 1, 10, tzinfo=paris), None]
    df = pd.DataFrame({**points(3, 2.35, 48.86), "date": pd.Series(vals, dtype=object)})
    gdf = read(df)
    rep = accounted(df, gdf)
    assert rep.rows_kept == 3 and rep.dropped["unparseable_time"] == 0
    assert wall(gdf["occurred_at"])[:2] == ["2020-01-01 11:00", "2020-01-01 10:00"]
    text = pd.DataFrame({**points(3, 2.35, 48.86),
                         "date": ["2020-01-01T10:00:00+00:00", "2020-01-01T10:00:00+01:00",
                                  "2020-07-01T10:00:00+02:00"]})
    got = read(text)
    assert wall(got["occurred_at"]) == ["2020-01-01 11:00", "2020-01-01 10:00",
                                        "2020-07-01 10:00"]


def test_date_only_values_keep_their_calendar_date_in_every_zone():
    df = pd.DataFrame({**points(2), "date": ["2020-01-01T10:00:00Z", "2020-01-02"]})
    for tz in (CHI, "Asia/Tokyo", "Pacific/Auckland", "America/Los_Angeles"):
        gdf = read(df, tz=tz)
        assert str(gdf["occurred_at"].iloc[1]) == str(pd.Timestamp("2020-01-02", tz=tz))
        assert gdf["time_quality"].astype(str).tolist()[1] == "date_only"


def test_dst_gap_and_overlap_are_counted_not_silently_moved():
    df = pd.DataFrame({**points(3), "date": ["2021-03-14 02:56", "2021-11-07 01:30",
                                             "2021-06-01 12:00"]})
    gdf = read(df)
    rep = ingest_report(gdf)
    assert wall(gdf["occurred_at"])[0] == "2021-03-14 03:56"  # one hour on, not 03:00
    assert any("daylight saving: 1 clock times do not exist" in w and "row_id 0" in w
               for w in rep.warnings)
    assert any("daylight saving: 1 clock times occur twice" in w and "row_id 1" in w
               for w in rep.warnings)


def test_cli_message_names_its_own_flag():
    t = pd.Series(pd.to_datetime(["2020-06-01 22:00"]))
    g = gpd.GeoDataFrame({"occurred_at": t}, geometry=gpd.points_from_xy([440000], [4640000]),
                         crs=32616)
    with pytest.raises(InvalidInputError) as err:
        daylight(g)
    assert "--tz ZONE" in err.value.cli and "daylight(" not in err.value.cli
    assert "America/Chicago" not in str(err.value)  # no zone named that was not detected


# ------------------------------------------------------ 4. impossible and stray dates
def test_two_digit_years_follow_the_sliding_pivot():
    df = pd.DataFrame({**points(3), "date": ["03/10/97", "03/10/24", "12/31/99"]})
    gdf = read(df)
    assert gdf["occurred_at"].dt.year.tolist() == [1997, 2024, 1999]
    s = pd.Series(pd.to_datetime(["2027-01-01", "2028-01-01"]))
    assert _pivot_two_digit_years(s, pd.Timestamp("2026-12-02")).dt.year.tolist() == [2027,
                                                                                       1928]


def test_implausible_dates_are_dropped_with_their_reason():
    assert DROP_REASONS.index("implausible_date") == DROP_REASONS.index("unparseable_time") + 1
    future = (pd.Timestamp.now() + pd.Timedelta(days=30)).strftime("%Y-%m-%d")
    df = pd.DataFrame({**points(4), "date": ["1015-01-15", "2019-05-01 10:00", future,
                                             "1899-12-31"]})
    gdf = read(df)
    rep = accounted(df, gdf)
    assert rep.dropped["implausible_date"] == 3
    assert rep.dropped_rows["row_id"].tolist() == [0, 2, 3]
    # epoch seconds and milliseconds mixed: the ms value read as seconds is far future
    ep = pd.DataFrame({**points(3), "ts": [1546300800, 1546304400, 1546308000000]})
    rep = ingest_report(read(ep, datetime="ts"))
    assert rep.dropped["implausible_date"] == 1
    with pytest.raises(InvalidInputError, match="before 1900 or after tomorrow"):
        read_incidents(df, errors="raise")


def test_stray_dates_are_warned_about_with_count_and_example():
    n = 400
    t = pd.date_range("2021-01-01", "2021-12-31", periods=n).strftime("%Y-%m-%d %H:%M")
    dates = list(t)
    dates[17] = "1966-06-09 12:00"
    df = pd.DataFrame({**points(n), "date": dates})
    gdf = read(df)
    rep = ingest_report(gdf)
    msg = [w for w in rep.warnings if w.startswith("stray dates")]
    assert len(msg) == 1 and "1 rows are more than a year before" in msg[0]
    assert "row_id 17 at 1966-06-09 12:00" in msg[0] and "period=" in msg[0]
    assert rep.rows_kept == n  # kept
    # the one measure of the data period is not stretched to 1966
    assert data_period_days(gdf["occurred_at"]) == pytest.approx(364, abs=2)
    start, _ = data_period(gdf["occurred_at"])
    assert start >= pd.Timestamp("2020-12-31", tz=CHI)
    # period= drops them, and rows outside the study period, as outside_period
    cut = read(df, period=("2021-01-01", "2021-06-30"))
    rep = accounted(df, cut)
    assert rep.dropped["outside_period"] == n - len(cut) > 0
    assert cut["occurred_at"].max() < pd.Timestamp("2021-07-01", tz=CHI)
    assert cut["occurred_at"].min() >= pd.Timestamp("2021-01-01", tz=CHI)


def test_period_keeps_date_only_rows_that_overlap_and_checks_its_argument():
    df = pd.DataFrame({**points(3), "date": ["2021-01-31", "2021-02-01", "2020-12-31 23:00"]})
    gdf = read(df, period=("2021-01-01", "2021-01-31"))
    assert wall(gdf["occurred_at"]) == ["2021-01-31 00:00"]
    with pytest.raises(InvalidInputError, match="period"):
        read_incidents(df, period="2021")


def test_month_column_used_for_the_date_is_not_called_unused():
    df = pd.DataFrame({**points(3), "YEAR": [2019] * 3, "MONTH": [1, 2, 3], "DAY": [3, 4, 5]})
    rep = ingest_report(read(df))
    assert not any("named like a date" in w for w in rep.warnings)
    assert rep.detected["month"] == "MONTH"


def test_date_only_rows_in_a_column_the_reader_types_as_datetime(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_text("lon,lat,date\n-87.6,41.8,2020-01-01\n-87.61,41.81,2020-01-02 10:30\n"
                 "-87.62,41.82,2020-01-03 00:00\n")
    gdf = read(p)
    assert gdf["time_quality"].astype(str).tolist() == ["date_only", "exact", "midnight"]


def test_analyses_refuse_out_of_range_times_naming_period():
    t = pd.Series(pd.to_datetime(["2020-01-01", "2500-01-01"]).as_unit("us"))
    with pytest.raises(InvalidInputError, match=r"period=\(start, end\)"):
        check_time_range(t, "occurred_at")


def test_space_time_cube_memory_bound_names_period():
    rng = np.random.default_rng(1)
    n = 200
    t = pd.Series(pd.to_datetime(rng.integers(0, 120 * 365, n), unit="D",
                                 origin="1905-01-01"))
    pts = gpd.GeoDataFrame({"occurred_at": t, "time_quality": "exact"},
                           geometry=gpd.points_from_xy(rng.uniform(0, 10_000, n),
                                                       rng.uniform(0, 10_000, n)), crs=32616)
    from hotspot._core.grid import GridSpec, grid_frame

    cells = grid_frame(GridSpec(0.0, 0.0, 50.0, 200, 200), "EPSG:32616")  # 40,000 cells
    with pytest.raises(InvalidInputError, match=r"period=\(start, end\)"):
        space_time_cube(pts, cells, freq="D")


def test_first_days_of_months_are_months():
    df = pd.DataFrame({**points(30), "month": [f"2022-{m % 12 + 1:02d}-01" for m in range(30)]})
    gdf = read(df)
    assert (gdf["time_quality"] == "month_only").all()
    assert any("only first days of months" in s for s in ingest_report(gdf).notes)
    assert (gdf["occurred_to"] - gdf["occurred_from"]).dt.days.min() >= 28


def test_offsets_that_label_local_clock_times_are_flagged():
    """Boston-style '+00' on local times: placeholder midnights sit at 00:00 'UTC'."""
    n = 60
    clock = ["00:00"] * 10 + [f"{h:02d}:{m:02d}" for h, m in zip(
        np.arange(50) % 20 + 4, np.arange(50) % 60, strict=True)]
    df = pd.DataFrame({**points(n, -71.06, 42.33),
                       "OCCURRED_ON_DATE": [f"2022-03-{i % 28 + 1:02d} {c}:00+00"
                                            for i, c in enumerate(clock)]})
    rep = ingest_report(read(df))
    assert rep.time_zone == "America/New_York"
    assert any("offsets may be labels on local clock times" in w
               and "tz='America/New_York'" in w for w in rep.warnings)


# ------------------------------------------------------------------- real data
OTHER = "other_exports/"


@pytest.mark.shared_data
@pytest.mark.parametrize(("path", "kw", "zone", "how", "column", "read_as"), [
    ("memphis/memphis_robberies_2019.csv.gz", {}, CHI, "inferred from the coordinates",
     "date", "text, format %Y-%m-%d %H:%M:%S"),
    (OTHER + "cdmx_car_jacking.gpkg", {}, "America/Mexico_City",
     "inferred from the coordinates", "fecha_hechos", "date-times (typed by the file reader)"),
    (OTHER + "austin_fortworth_seattle_aggravated_assaults_2019.xlsx", {"sheet": 2},
     "America/Los_Angeles", "inferred from the coordinates", "date", "date-times"),
    (OTHER + "nottingham_robbery.csv.gz", {}, "Europe/London",
     "inferred from the coordinates", "month", "text, format %Y-%m-%d"),
    ("west_yorkshire/2016-07-west-yorkshire-street.csv.gz", {}, "Europe/London",
     "for police.uk data", "Month", "text, format %Y-%m"),
    ("chicago/streetlight_outages_2012_2013/alley_lights_out.csv.gz", {"crs": "EPSG:3435"},
     CHI, "inferred from the coordinates", "Created Date", "text, format %d-%b-%y"),
])
def test_real_exports_report_zone_columns_and_how_read(shared_data, path, kw, zone, how,
                                                       column, read_as):
    gdf = read(shared_data / path, **kw)
    rep = ingest_report(gdf)
    assert rep.time_zone == zone and rep.time_zone_source.startswith(how)
    assert str(gdf["occurred_at"].dt.tz) == zone
    assert column in (rep.detected.get("datetime"), rep.detected.get("start"))
    assert any(f"column {column!r} read as {read_as}" in s for s in rep.notes)
    assert f"time zone:    {zone} ({how}" in str(rep)
    assert rep.dropped["implausible_date"] == 0
    assert not any(w.startswith("stray dates") for w in rep.warnings)


@pytest.mark.shared_data
def test_real_monthly_exports_are_months_and_cdmx_offsets_are_honest(shared_data):
    notts = read(shared_data / OTHER / "nottingham_burglary.csv.gz")
    assert (notts["time_quality"] == "month_only").all()
    cdmx = read(shared_data / OTHER / "cdmx_car_jacking.gpkg")
    rep = ingest_report(cdmx)
    # the UTC offsets are real: placeholder midnights sit at local 00:00 (20 rows)
    assert rep.time_quality["midnight"] == 20
    assert not any("labels on local clock times" in w for w in rep.warnings)
    hours = cdmx["occurred_at"].dt.hour.value_counts()
    assert hours.idxmax() in (15, 16, 17)  # afternoon peak on the local clock


@pytest.mark.shared_data
def test_real_export_with_stray_and_implausible_dates(shared_data):
    raw = pd.read_csv(shared_data / "memphis/memphis_robberies_2019.csv.gz")
    bad = raw.head(3).copy()
    bad["date"] = ["1966-06-09 10:00:00", "1015-01-15 10:00:00", "2019-13-01 10:00:00"]
    df = pd.concat([raw, bad], ignore_index=True)
    gdf = read(df)
    rep = accounted(df, gdf)
    n = len(raw)
    assert rep.dropped["implausible_date"] == 1 and rep.dropped["unparseable_time"] == 1
    assert rep.dropped_rows["row_id"].tolist() == [n + 1, n + 2]
    stray = [w for w in rep.warnings if w.startswith("stray dates")]
    assert len(stray) == 1 and f"row_id {n} at 1966-06-09 10:00" in stray[0]
    # the rates' one data period is still the year 2019
    assert data_period_days(gdf["occurred_at"]) in (364.0, 365.0)
    cut = read(df, period=("2019-01-01", "2019-12-31"))
    assert ingest_report(cut).dropped["outside_period"] == 1
    assert len(cut) == n


def test_hour_zero_from_an_hour_column_is_not_called_a_placeholder():
    n = 240
    df = pd.DataFrame({**points(n), "date": [f"2021-05-{i % 28 + 1:02d}" for i in range(n)],
                       "hour": np.arange(n) % 24})
    rep = ingest_report(read(df))
    assert not any("are at exactly 00:00" in w for w in rep.warnings)
    df["hour"] = np.where(np.arange(n) < 60, 0, np.arange(n) % 23 + 1)  # a quarter at 0
    rep = ingest_report(read(df))
    assert any("are at exactly 00:00" in w and "uniform whole hours" in w
               for w in rep.warnings)


def test_cli_flags_for_times_and_report_advice_in_flags(tmp_path):
    from hotspot.present.cli import _parser, _read, cli_text

    p = tmp_path / "uk.csv"
    p.write_text("lon,lat,d,h\n-1.55,53.80,03/04/2020,7\n-1.54,53.81,05/06/2020,9\n"
                 "-1.56,53.79,01/02/2019,8\n")
    args = _parser().parse_args(["analyze", str(p), "--out", str(tmp_path / "o"),
                                 "--datetime", "d", "--hour", "h", "--dayfirst",
                                 "--period", "2020-01-01", "2020-12-31"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        gdf = _read(args)
    # --period is the pack's period, not a filter of the read: the whole file is read
    assert wall(gdf["occurred_at"]) == ["2020-04-03 07:00", "2020-06-05 09:00",
                                        "2019-02-01 08:00"]
    rep = ingest_report(gdf)
    assert not rep.dropped.get("outside_period") and rep.time_zone == "Europe/London"
    text = cli_text(str(rep))
    assert "pass --tz ZONE to override" in text and "tz=" not in text


def test_patrol_weeks_and_cube_span_ignore_a_stray_date():
    from hotspot._core.grid import GridSpec, grid_frame
    from hotspot.respond.patrol import _weeks_covered

    n = 500
    rng = np.random.default_rng(3)
    t = pd.Series(pd.date_range("2021-01-01", "2021-12-31 23:00", periods=n, tz=CHI))
    t.iloc[0] = pd.Timestamp("1966-06-09 10:00", tz=CHI)
    pts = gpd.GeoDataFrame({"occurred_at": t, "time_quality": "exact"},
                           geometry=gpd.points_from_xy(rng.uniform(0, 1000, n),
                                                       rng.uniform(0, 1000, n)), crs=32616)
    assert _weeks_covered(pts, {}) == pytest.approx(52.1, abs=0.3)  # not 2,899 weeks
    cube = space_time_cube(pts, grid_frame(GridSpec(0.0, 0.0, 100.0, 10, 10), "EPSG:32616"))
    assert str(cube.periods[0]) == "2021-01" and len(cube.periods) == 12


def test_cli_prints_warnings_with_its_own_advice(capsys):
    import warnings as w

    from hotspot.present.cli import _show_warning

    _show_warning(DataQualityWarning("read_incidents: 1 of 3 rows dropped; "
                                     "print(hs.ingest_report(incidents)) for details"),
                  DataQualityWarning, "x.py", 1)
    err = capsys.readouterr().err
    assert "ingest_report.txt" in err and "hs.ingest_report" not in err
    assert w.showwarning is not _show_warning  # only inside the command


def test_placeholder_date_1900_01_01_is_implausible():
    frame = pd.DataFrame({
        "lat": [41.88, 41.89, 41.90], "lon": [-87.63, -87.64, -87.65],
        "date": ["1900-01-01 00:00", "2021-03-04 10:00", "2021-03-05 11:00"],
    })
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = read_incidents(frame, tz="America/Chicago")
    rep = ingest_report(inc)
    assert rep.dropped.get("implausible_date") == 1 and rep.rows_kept == 2


# ------------------------------------------- hour 0 of an hour column; one clock time
def _hourly(counts, seed=0):
    """Dates over 60 days with an hour column holding ``counts[h]`` rows at hour h."""
    hours = np.repeat(np.arange(24), counts)
    rng = np.random.default_rng(seed)
    rng.shuffle(hours)
    days = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 60, len(hours)), "D")
    return pd.DataFrame({**points(len(hours), seed=seed), "date": days.strftime("%Y-%m-%d"),
                         "OCC_HOUR": hours})


NIGHT = np.array([9, 7, 5, 4, 3, 3, 4, 6, 8, 9, 10, 11, 12, 12, 12, 13, 14, 15, 16, 16, 15,
                  14, 13, 11])  # a plain daily curve: hour 0 close to hours 23 and 1


def test_hour_zero_of_an_hour_column_is_a_real_hour_unless_far_above_its_neighbours():
    gdf = read(_hourly(NIGHT))
    rep = ingest_report(gdf)
    q = gdf["time_quality"].astype(str)
    assert (q == "exact").all() and "midnight" not in set(q)
    at0 = gdf["occurred_at"].dt.hour == 0
    assert at0.sum() == NIGHT[0]  # hour-0 incidents kept for darkness and time tables
    assert any("hour 0 (9 rows, 1.0 times the mean of hours 23 and 1) read as the hour "
               "00:00-00:59, not a placeholder" in s for s in rep.notes)
    choice = gdf.attrs["hotspot"]["ingest"]["choices"]["hour_zero"]
    assert choice["value"] == "the hour 00:00-00:59" and "9 rows" in choice["reason"]
    spike = NIGHT.copy()
    spike[0] = 60  # 6.7x its neighbours: what records systems write for an unknown time
    gdf = read(_hourly(spike))
    q = gdf["time_quality"].astype(str)
    assert (q[gdf["occurred_at"].dt.hour == 0] == "midnight").all()
    assert (q[gdf["occurred_at"].dt.hour != 0] == "exact").all()
    assert any("hour 0 holds 60 rows, 6.7 times the mean of hours 23 and 1: read as a "
               "possible placeholder" in s for s in ingest_report(gdf).notes)
    assert gdf.attrs["hotspot"]["ingest"]["choices"]["hour_zero"]["value"] == "placeholder"


def test_hour_zero_rule_in_time_columns_of_hours_and_in_date_parts():
    df = _hourly(NIGHT).rename(columns={"date": "Date Occurred", "OCC_HOUR": "Time Occurred"})
    assert (read(df)["time_quality"].astype(str) == "exact").all()
    d = pd.to_datetime(_hourly(NIGHT)["date"])
    parts = pd.DataFrame({**points(len(d)), "year": d.dt.year, "month": d.dt.month,
                          "day": d.dt.day, "hour": _hourly(NIGHT)["OCC_HOUR"]})
    gdf = read(parts)
    assert (gdf["time_quality"].astype(str) == "exact").all()
    assert any("hour (hour 0 (9 rows" in s and s.endswith("not a placeholder)")
               for s in ingest_report(gdf).notes)


def test_hour_zero_decision_does_not_depend_on_row_order():
    spike = NIGHT.copy()
    spike[0] = 25
    a = read(_hourly(spike, seed=1))
    b = read(_hourly(spike, seed=1).iloc[::-1])
    assert (a["time_quality"].value_counts() == b["time_quality"].value_counts()).all()


def test_a_naive_constant_time_other_than_midnight_keeps_its_times_with_a_warning():
    n = 15
    days = pd.date_range("2020-03-01", periods=n, freq="2D")
    df = pd.DataFrame({**points(n), "date": [f"{d:%Y-%m-%d} 07:30" for d in days]})
    with pytest.warns(DataQualityWarning):
        gdf = read_incidents(df)
    rep = ingest_report(gdf)
    assert (gdf["time_quality"] == "exact").all()
    assert wall(gdf["occurred_at"]) == [f"{d:%Y-%m-%d} 07:30" for d in days]
    found = [s for s in rep.warnings if "every record is at 07:30" in s]
    assert len(found) == 1 and "not local midnight in America/Chicago" in found[0]
    assert not any("share one clock time" in s for s in rep.warnings)  # said once
    assert not any("carries one clock time" in s for s in rep.notes)
    # the same constant written in UTC is not Chicago midnight either
    utc = df.assign(date=[f"{d:%Y-%m-%d}T07:30:00Z" for d in days])
    gdf = read(utc)
    assert (gdf["time_quality"] == "exact").all()
    assert any("every record is at 07:30 UTC" in s for s in ingest_report(gdf).warnings)


def test_local_midnight_written_in_utc_is_dates_in_every_zone():
    n = 20
    days = pd.date_range("2021-03-20", periods=n, freq="D")  # through DST in two zones
    # Chicago, after DST began on 14 March: 05:00 UTC (CDT), written without the Z
    chi = pd.DataFrame({**points(n), "date": [f"{d:%Y-%m-%d} 05:00" for d in days]})
    gdf = read(chi)
    assert (gdf["time_quality"] == "date_only").all()
    assert gdf["occurred_at"].dt.strftime("%Y-%m-%d").tolist() == [f"{d:%Y-%m-%d}"
                                                                   for d in days]
    # Sydney: local midnight is 13:00 UTC (AEDT, to 4 April 03:00) then 14:00 UTC (AEST),
    # the day before: each value is read as the next calendar day
    utc = [(d + pd.Timedelta(hours=13 if d <= pd.Timestamp("2021-04-04") else 14)
            - pd.Timedelta(days=1)) for d in days]
    syd = pd.DataFrame({**points(n, 151.2, -33.87), "date": [f"{t:%Y-%m-%dT%H:%M}Z"
                                                             for t in utc]})
    gdf = read(syd)
    rep = ingest_report(gdf)
    assert rep.time_zone == "Australia/Sydney"
    assert (gdf["time_quality"] == "date_only").all()
    assert gdf["occurred_at"].dt.strftime("%Y-%m-%d").tolist() == [f"{d:%Y-%m-%d}"
                                                                   for d in days]
    assert any("13:00 / 14:00 UTC) on every row, local midnight in Australia/Sydney" in s
               for s in rep.notes)
    # London: 00:00 UTC in winter, 23:00 UTC the day before in summer (a pair 23 h apart)
    lon_days = pd.date_range("2021-03-20", periods=n, freq="D")
    utc = [d - pd.Timedelta(hours=1) if d > pd.Timestamp("2021-03-28") else d
           for d in lon_days]
    ldn = pd.DataFrame({**points(n, -0.12, 51.5), "date": [f"{t:%Y-%m-%dT%H:%M}Z"
                                                           for t in utc]})
    gdf = read(ldn)
    assert (gdf["time_quality"] == "date_only").all()
    assert gdf["occurred_at"].dt.strftime("%Y-%m-%d").tolist() == [f"{d:%Y-%m-%d}"
                                                                   for d in lon_days]


def test_every_row_at_midnight_utc_keeps_the_dates_written():
    """All 00:00 'Z' in Chicago: dates with a spurious Z, not 18:00 the evening before."""
    n = 12
    days = pd.date_range("2020-03-01", periods=n, freq="2D")
    df = pd.DataFrame({**points(n), "date": [f"{d:%Y-%m-%d}T00:00:00Z" for d in days]})
    gdf = read(df)
    assert (gdf["time_quality"] == "date_only").all()
    assert gdf["occurred_at"].dt.strftime("%Y-%m-%d").tolist() == [f"{d:%Y-%m-%d}"
                                                                   for d in days]
    assert not any("every record is at" in w for w in ingest_report(gdf).warnings)
