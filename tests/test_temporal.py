"""Tests of hotspot.temporal: solar times, aoristic weights, profiles and darkness.

Published sunrise/sunset tables used for validation (tolerance +-2 min; the tables
round to the minute):

* USNO, "Rise and Set for the Sun for 2008", Location W121 55, N37 24 (Cupertino, CA),
  Zone 8h West of Greenwich (standard time all year), U.S. Naval Observatory,
  Astronomical Applications Dept. (form RS_OneYear), as reproduced in
  https://khuang.blogspot.com/2008/09/sunrise-sunset-time-for-one-year.html
  (days 1-3 of every month).
* Cleveland, OH, sunrise/sunset Nov 1-16 2018 (across the end of daylight-saving time)
  and Dec 21 2018 "according to the United States Naval Observatory":
  https://www.cleveland.com/datacentral/2018/12/getting-out-of-the-dark-cleveland-sunsets-begin-getting-later-on-saturday.html
  and June 2019 (U.S. Naval Observatory):
  https://www.cleveland.com/datacentral/2019/06/enjoy-the-latest-sunsets-of-the-year-in-cleveland-before-its-too-late.html
  Coordinates W81 40, N41 29: USNO's Cleveland entry as listed in the Cornell
  SunriseSunsetData ReadMe (derived from aa.usno.navy.mil RS_OneYear).
* Chicago 2008 chart by David Braverman (The Daily Parker, computed with wx-now.com),
  https://www.thedailyparker.com/?tag=Astronomy&page=24 (Chicago Loop coordinates).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from shapely.geometry import box

from hotspot.analyse.darkness import (
    LIGHT_CLASSES,
    SUNRISE_ELEVATION,
    dark_share,
    daylight,
    solar_elevation,
    sun_times,
)
from hotspot.analyse.temporal import (
    WEEKDAYS,
    aoristic,
    aoristic_weights,
    plot_temporal_profile,
    temporal_profile,
)
from hotspot.exceptions import CRSError, DataQualityWarning, InvalidInputError

CHI = "America/Chicago"
LOOP = (-87.6298, 41.8781)


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def ts(s: str, tz: str = CHI) -> pd.Timestamp:
    return pd.Timestamp(s, tz=tz)


def frame(at=None, start=None, end=None, quality=None, tz: str = CHI, **cols) -> pd.DataFrame:
    """Incidents table from lists of local time strings (None = NaT)."""
    n = len(next(x for x in (at, start, end, quality) if x is not None))

    def col(values):
        values = [None] * n if values is None else values
        return pd.Series(pd.to_datetime(values, format="ISO8601")).dt.tz_localize(tz)

    data = {"occurred_at": col(at), "occurred_from": col(start), "occurred_to": col(end)}
    if quality is not None:
        data["time_quality"] = quality
    data.update(cols)
    return pd.DataFrame(data)


def geoframe(df: pd.DataFrame, lon=LOOP[0], lat=LOOP[1]) -> gpd.GeoDataFrame:
    n = len(df)
    lon = np.broadcast_to(lon, n)
    lat = np.broadcast_to(lat, n)
    pts = gpd.points_from_xy(lon, lat, crs=4326)
    return gpd.GeoDataFrame(df, geometry=pts).to_crs(32616)


def minutes(t: pd.Timestamp) -> float:
    return t.hour * 60 + t.minute + t.second / 60


def hhmm(s: str) -> int:
    h, m = s.replace(":", "")[:-2], s.replace(":", "")[-2:]
    return int(h) * 60 + int(m)


def how(day: int, hour: int) -> int:
    """Hour-of-week column (Monday = day 0)."""
    return day * 24 + hour


# --------------------------------------------------------------------------------------
# solar position and sun times against published tables
# --------------------------------------------------------------------------------------

# USNO 2008 Cupertino, days 1-3: Jan..Dec as (rise, set) pairs, UTC-8 all year.
USNO_CUPERTINO_2008 = {
    1: "0722 1700 0711 1732 0638 1802 0552 1831 0512 1858 0448 1923 "
    "0451 1932 0512 1915 0539 1836 0604 1750 0633 1709 0704 1650",
    2: "0722 1701 0710 1733 0637 1803 0551 1832 0511 1859 0448 1924 "
    "0451 1932 0513 1914 0539 1834 0604 1749 0634 1708 0705 1650",
    3: "0722 1702 0710 1734 0635 1804 0549 1833 0510 1900 0448 1924 "
    "0452 1932 0514 1913 0540 1833 0605 1747 0635 1707 0706 1650",
}


def _check_table(table, lon, lat, tz, tol=2.0):
    dates = [d for d, _, _ in table]
    got = sun_times(dates, lon, lat, tz)
    errors = []
    for (d, rise, sset), (_, row) in zip(table, got.iterrows(), strict=True):
        for kind, ref in (("sunrise", rise), ("sunset", sset)):
            if ref is None:
                continue
            err = minutes(row[kind]) - hhmm(ref)
            errors.append((d, kind, err))
    worst = max(errors, key=lambda e: abs(e[2]))
    assert abs(worst[2]) <= tol, worst
    return np.array([e[2] for e in errors])


def test_sun_times_usno_cupertino_2008_all_months():
    table = []
    for day, row in USNO_CUPERTINO_2008.items():
        v = row.split()
        for m in range(12):
            table.append((f"2008-{m + 1:02d}-{day:02d}", v[2 * m], v[2 * m + 1]))
    lon, lat = -(121 + 55 / 60), 37 + 24 / 60
    err = _check_table(table, lon, lat, "Etc/GMT+8")  # UTC-8, the table's zone
    assert len(err) == 72
    # USNO rounds to the nearest minute: the NOAA equations land within a minute.
    assert np.abs(err).max() <= 1.0


def test_sun_times_usno_cleveland_winter_and_summer_with_dst():
    table = [
        ("2018-11-01", "7:58", "18:22"),
        ("2018-11-02", "8:00", "18:20"),
        ("2018-11-03", "8:01", "18:19"),
        ("2018-11-04", "7:02", "17:18"),  # daylight-saving time ended this morning
        ("2018-11-05", "7:03", "17:17"),
        ("2018-11-06", "7:04", "17:16"),
        ("2018-11-07", "7:06", "17:15"),
        ("2018-11-08", "7:07", "17:13"),
        ("2018-11-09", "7:08", "17:12"),
        ("2018-11-10", "7:09", "17:11"),
        ("2018-11-11", "7:10", "17:10"),
        ("2018-11-12", "7:12", "17:09"),
        ("2018-11-13", "7:13", "17:09"),
        ("2018-11-14", "7:14", "17:08"),
        ("2018-11-15", "7:15", "17:07"),
        ("2018-11-16", "7:17", "17:06"),
        ("2018-12-21", "7:50", "17:00"),
        ("2019-06-12", "5:52", None),
        ("2019-06-17", "5:52", None),
        ("2019-06-21", "5:53", "21:04"),
        ("2019-06-26", "5:54", "21:04"),
        ("2019-07-04", None, "21:04"),
        ("2019-07-15", None, "20:59"),
        ("2019-08-01", None, "20:44"),
        ("2019-12-01", None, "16:58"),
    ]
    lon, lat = -(81 + 40 / 60), 41 + 29 / 60
    err = _check_table(table, lon, lat, "America/New_York")
    assert np.abs(err).max() <= 2.0


def test_sun_times_chicago_published_chart_2008():
    table = [
        ("2008-01-04", "07:19", "16:33"),
        ("2008-02-05", "07:00", "17:11"),
        ("2008-03-08", "06:14", "17:50"),
        ("2008-03-09", "07:12", "18:51"),  # first day of daylight-saving time
        ("2008-06-14", "05:15", "20:28"),
        ("2008-06-20", "05:15", "20:30"),
        ("2008-06-27", "05:18", "20:31"),
        ("2008-09-22", "06:39", "18:48"),
        ("2008-10-21", "07:11", "18:00"),
    ]
    _check_table(table, *LOOP, CHI)


def test_elevation_at_sun_times_is_the_sunrise_elevation():
    st = sun_times(pd.date_range("2012-01-01", "2012-12-31", freq="17D"), *LOOP, CHI)
    for col in ("sunrise", "sunset"):
        e = solar_elevation(st[col], *LOOP)
        np.testing.assert_allclose(e, SUNRISE_ELEVATION, atol=0.01)
    noon = solar_elevation(st["solar_noon"], *LOOP)
    before = solar_elevation(st["solar_noon"] - pd.Timedelta("5min"), *LOOP)
    after = solar_elevation(st["solar_noon"] + pd.Timedelta("5min"), *LOOP)
    assert np.all(noon > before) and np.all(noon > after)


def test_noon_elevation_summer_and_winter_chicago():
    summer = sun_times("2012-06-20", *LOOP, CHI)["solar_noon"].iloc[0]
    winter = sun_times("2012-12-21", *LOOP, CHI)["solar_noon"].iloc[0]
    # 90 - latitude +- obliquity (23.44 degrees)
    assert solar_elevation(summer, *LOOP)[0] == pytest.approx(90 - 41.8781 + 23.44, abs=0.05)
    assert solar_elevation(winter, *LOOP)[0] == pytest.approx(90 - 41.8781 - 23.44, abs=0.05)
    assert 12 * 60 + 40 < minutes(summer) < 13 * 60  # CDT: noon near 12:52
    assert 11 * 60 + 40 < minutes(winter) < 12 * 60  # CST: noon near 11:51


def test_solar_elevation_vectorized_nat_and_refraction():
    times = pd.DatetimeIndex([ts("2012-06-21 12:52"), pd.NaT, ts("2012-06-21 23:00")])
    e = solar_elevation(times, np.array([-87.63, -87.63, -87.63]), 41.88)
    assert e.shape == (3,)
    assert np.isnan(e[1]) and e[0] > 70 and e[2] < -15
    # naive times are UTC
    naive = solar_elevation(pd.Timestamp("2012-06-21 17:52"), -87.63, 41.88)
    assert naive[0] == pytest.approx(e[0], abs=1e-9)
    # refraction: ~0.5 degree at the horizon, negligible high up
    t = sun_times("2012-06-21", *LOOP, CHI)["sunrise"].iloc[0]
    geo = solar_elevation(t, *LOOP)[0]
    app = solar_elevation(t, *LOOP, refraction=True)[0]
    assert 0.3 < app - geo < 0.6
    high = solar_elevation(ts("2012-06-21 12:52"), *LOOP, refraction=True)[0]
    assert high - e[0] == pytest.approx(0.0, abs=0.01)


def test_sun_times_polar_day_is_nat():
    st = sun_times(["2012-06-21", "2012-12-21"], 15.6, 78.2, "Arctic/Longyearbyen")
    assert st["sunrise"].isna().all() and st["sunset"].isna().all()


# --------------------------------------------------------------------------------------
# aoristic weights: hand-computed cases
# --------------------------------------------------------------------------------------


def test_aoristic_classic_window_across_midnight():
    # 2012-06-04 is a Monday; 22:30-01:30 touches 22, 23 (Mon) and 0, 1 (Tue)
    df = frame(start=["2012-06-04 22:30"], end=["2012-06-05 01:30"], quality=["window"])
    w = aoristic_weights(df)
    assert sp.issparse(w) and w.shape == (1, 168)
    dense = w.toarray()[0]
    expected = np.zeros(168)
    expected[[how(0, 22), how(0, 23), how(1, 0), how(1, 1)]] = 0.25
    np.testing.assert_allclose(dense, expected)


def test_aoristic_end_on_the_hour_does_not_touch_next_hour():
    df = frame(start=["2012-06-04 22:00"], end=["2012-06-05 01:00"], quality=["window"])
    dense = aoristic_weights(df).toarray()[0]
    expected = np.zeros(168)
    expected[[how(0, 22), how(0, 23), how(1, 0)]] = 1 / 3
    np.testing.assert_allclose(dense, expected)


def test_aoristic_zero_length_and_within_hour_windows():
    df = frame(
        start=["2012-06-04 14:00", "2012-06-04 14:05"],
        end=["2012-06-04 14:00", "2012-06-04 14:55"],
        quality=["window", "window"],
    )
    dense = aoristic_weights(df).toarray()
    assert dense[0, how(0, 14)] == 1.0 and dense[1, how(0, 14)] == 1.0
    assert dense.sum() == 2.0


def test_aoristic_unknown_times_give_zero_rows():
    df = frame(
        at=["2012-06-04 14:10", "2012-06-05 00:00", "2012-06-05 00:00", "2012-06-01", None],
        quality=["exact", "midnight", "date_only", "month_only", "missing"],
    )
    dense = aoristic_weights(df).toarray()
    np.testing.assert_array_equal(dense.sum(axis=1), [1, 0, 0, 0, 0])
    assert dense[0, how(0, 14)] == 1.0
    with_midnight = aoristic_weights(df, include_midnight=True).toarray()
    np.testing.assert_array_equal(with_midnight.sum(axis=1), [1, 1, 0, 0, 0])
    assert with_midnight[1, how(1, 0)] == 1.0


def test_aoristic_long_windows_uniform_or_unknown():
    df = frame(
        start=["2012-06-01 10:00", "2012-06-04 10:00"],
        end=["2012-06-20 10:00", "2012-06-04 11:30"],
        quality=["window", "window"],
    )
    dense = aoristic_weights(df).toarray()
    np.testing.assert_allclose(dense[0], np.full(168, 1 / 168))
    np.testing.assert_allclose(dense[1, [how(0, 10), how(0, 11)]], [0.5, 0.5])
    capped = aoristic_weights(df, max_window="7D").toarray()
    np.testing.assert_array_equal(capped.sum(axis=1), [0, 1])


def test_aoristic_dst_spring_forward():
    # 2012-03-11 (Sunday) 01:30 CST -> 03:30 CDT is 1 h of elapsed time touching the
    # local hours 1 and 3 (02:00-03:00 does not exist that night).
    df = frame(start=["2012-03-11 01:30"], end=["2012-03-11 03:30"], quality=["window"])
    dense = aoristic_weights(df).toarray()[0]
    expected = np.zeros(168)
    expected[[how(6, 1), how(6, 3)]] = 0.5
    np.testing.assert_allclose(dense, expected)


def test_aoristic_dst_fall_back():
    # 2012-11-04 (Sunday) 00:30 CDT -> 01:30 CST: 3 elapsed hours 00, 01 CDT, 01 CST
    start = pd.Series([ts("2012-11-04 00:30").tz_convert("UTC")]).dt.tz_convert(CHI)
    end = pd.Series([pd.Timestamp("2012-11-04 07:30", tz="UTC")]).dt.tz_convert(CHI)
    assert end[0].strftime("%H:%M %Z") == "01:30 CST"
    df = pd.DataFrame(
        {
            "occurred_at": pd.Series([pd.NaT]).dt.tz_localize(CHI),
            "occurred_from": start,
            "occurred_to": end,
            "time_quality": ["window"],
        }
    )
    dense = aoristic_weights(df).toarray()[0]
    expected = np.zeros(168)
    expected[how(6, 0)] = 1 / 3
    expected[how(6, 1)] = 2 / 3
    np.testing.assert_allclose(dense, expected)
    cal = aoristic(df, "h")
    assert len(cal) == 3
    np.testing.assert_allclose(cal["expected"], [1 / 3] * 3)
    assert cal["bin_start"].iloc[2] - cal["bin_start"].iloc[1] == pd.Timedelta("1h")


def _reference_weights(df: pd.DataFrame, tz: str) -> np.ndarray:
    """Slow loop implementation of the classic aoristic method, for comparison."""
    out = np.zeros((len(df), 168))
    for i, row in enumerate(df.itertuples()):
        if row.time_quality == "exact":
            local = row.occurred_at.tz_convert(tz)
            out[i, local.day_of_week * 24 + local.hour] = 1.0
            continue
        start, end = row.occurred_from, row.occurred_to
        h = start.tz_convert("UTC").floor("h")
        units = [h]
        h = h + pd.Timedelta("1h")
        while h < end:
            units.append(h)
            h = h + pd.Timedelta("1h")
        if len(units) > 168:
            out[i] = 1 / 168
            continue
        for u in units:
            local = u.tz_convert(tz)
            out[i, local.day_of_week * 24 + local.hour] += 1 / len(units)
    return out


def test_aoristic_matches_loop_reference_random_windows_across_dst():
    rng = np.random.default_rng(7)
    n = 300
    base = np.array(
        [ts("2012-03-10 18:00").value, ts("2012-11-03 18:00").value, ts("2012-07-01").value]
    )
    starts = base[rng.integers(0, 3, n)] + rng.integers(0, 36 * 3600, n) * 10**9
    starts[::5] = (starts[::5] // (3600 * 10**9)) * 3600 * 10**9  # some on the hour
    lengths = rng.choice([0, 600, 3599, 3600, 5400, 7200, 36000, 86400 * 3, 86400 * 9], n)
    ends = starts + lengths * 10**9
    exact = rng.random(n) < 0.2
    start_s = pd.Series(pd.to_datetime(starts, utc=True)).dt.tz_convert(CHI)
    end_s = pd.Series(pd.to_datetime(ends, utc=True)).dt.tz_convert(CHI)
    df = pd.DataFrame(
        {
            "occurred_at": start_s.where(exact),
            "occurred_from": start_s.where(~exact),
            "occurred_to": end_s.where(~exact),
            "time_quality": np.where(exact, "exact", "window"),
        }
    )
    got = aoristic_weights(df).toarray()
    np.testing.assert_allclose(got, _reference_weights(df, CHI), atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=1), 1.0)


def test_aoristic_reversed_window_warns_and_is_unknown():
    df = frame(start=["2012-06-04 12:00"], end=["2012-06-04 10:00"], quality=["window"])
    with pytest.warns(DataQualityWarning, match="occurred_to before occurred_from"):
        w = aoristic_weights(df)
    assert w.sum() == 0


def test_aoristic_naive_clock_times_and_inferred_quality():
    df = pd.DataFrame(
        {"occurred_at": pd.to_datetime(["2012-06-04 14:10", "2012-06-05 00:00", None])}
    )
    dense = aoristic_weights(df).toarray()
    np.testing.assert_array_equal(dense.sum(axis=1), [1, 0, 0])
    assert dense[0, how(0, 14)] == 1


def test_aoristic_calendar_table_hours_and_days():
    df = frame(
        at=[None, "2012-06-04 09:15", "2012-06-06 00:00", None],
        start=["2012-06-04 22:30", None, None, None],
        end=["2012-06-05 01:30", None, None, None],
        quality=["window", "exact", "date_only", "missing"],
    )
    hours = aoristic(df, "h")
    assert list(hours.columns) == ["bin_start", "expected"]
    assert hours["bin_start"].dt.strftime("%d %H").tolist() == [
        "04 09",
        "04 22",
        "04 23",
        "05 00",
        "05 01",
    ]
    np.testing.assert_allclose(hours["expected"], [1, 0.25, 0.25, 0.25, 0.25])
    meta = hours.attrs["hotspot"]["aoristic"]
    assert meta["n_used"] == 2 and meta["excluded"] == {"date_only": 1, "missing": 1}
    days = aoristic(df, "D")
    assert days["bin_start"].dt.strftime("%m-%d").tolist() == ["06-04", "06-05", "06-06"]
    np.testing.assert_allclose(days["expected"], [1.5, 0.5, 1.0])
    assert str(days["bin_start"].dt.tz) == CHI
    grouped = aoristic(df.assign(beat=["a", "b", "a", "b"]), "D", by="beat")
    assert list(grouped.columns) == ["beat", "bin_start", "expected"]
    assert grouped.groupby("beat")["expected"].sum().to_dict() == {"a": 2.0, "b": 1.0}
    with pytest.raises(InvalidInputError, match="freq"):
        aoristic(df, "W")


# --------------------------------------------------------------------------------------
# temporal profiles
# --------------------------------------------------------------------------------------


def test_profile_counts_hand_example():
    # Mon 2012-06-04 14:10 and 14:50, Sun 06-10 23:05, Tue 06-05 03:00, midnight, date_only
    df = frame(
        at=[
            "2012-06-04 14:10",
            "2012-06-04 14:50",
            "2012-06-10 23:05",
            "2012-06-05 03:00",
            "2012-06-11 00:00",
            "2012-06-12 00:00",
        ],
        quality=["exact", "exact", "exact", "exact", "midnight", "date_only"],
    )
    prof = temporal_profile(df)
    assert prof.shape == (24, 7)
    assert list(prof.columns) == list(WEEKDAYS) and prof.index.name == "hour"
    expected = np.zeros((24, 7))
    expected[14, 0] = 2
    expected[23, 6] = 1
    expected[3, 1] = 1
    np.testing.assert_array_equal(prof.to_numpy(), expected)
    meta = prof.attrs["hotspot"]["temporal_profile"]
    assert meta["n_used"] == 4 and meta["n_excluded"] == 2
    assert meta["excluded"] == {"midnight": 1, "date_only": 1}
    with_mid = temporal_profile(df, include_midnight=True)
    assert with_mid.loc[0, "Mon"] == 1 and with_mid.to_numpy().sum() == 5
    shares = temporal_profile(df, normalize=True)
    assert shares.to_numpy().sum() == pytest.approx(1.0)
    assert shares.loc[14, "Mon"] == pytest.approx(0.5)


def test_profile_uses_aoristic_weights_when_windows_exist():
    df = frame(
        at=["2012-06-04 14:10", None],
        start=[None, "2012-06-04 22:30"],
        end=[None, "2012-06-05 01:30"],
        quality=["exact", "window"],
    )
    prof = temporal_profile(df)
    assert prof.loc[14, "Mon"] == 1
    assert prof.loc[22, "Mon"] == prof.loc[23, "Mon"] == 0.25
    assert prof.loc[0, "Tue"] == prof.loc[1, "Tue"] == 0.25
    meta = prof.attrs["hotspot"]["temporal_profile"]
    assert meta["aoristic_used"] is True and meta["choices"]["aoristic"]["value"] is True
    plain = temporal_profile(df, aoristic=False)
    assert plain.to_numpy().sum() == 1
    assert plain.attrs["hotspot"]["temporal_profile"]["excluded"] == {"window (aoristic=False)": 1}


def test_profile_by_column_series_weight_and_polygons():
    df = frame(
        at=["2012-06-04 14:10", "2012-06-04 15:10", "2012-06-05 14:10", "2012-06-05 16:00"],
        quality=["exact"] * 4,
        hs_id=["b", "a", "b", None],
        harm=[1.0, 2.0, 3.0, 4.0],
    )
    prof = temporal_profile(df, by="hs_id")
    assert prof.index.names == ["hs_id", "hour"] and prof.shape == (48, 7)
    assert prof.loc[("a", 15), "Mon"] == 1
    assert prof.loc["b"].to_numpy().sum() == 2 and prof.loc[("b", 14), "Tue"] == 1
    assert prof.attrs["hotspot"]["temporal_profile"]["n_ungrouped"] == 1
    by_series = temporal_profile(df, by=df["hs_id"].rename("zone"), normalize=True)
    assert by_series.index.names == ["zone", "hour"]
    np.testing.assert_allclose(by_series.groupby(level=0).sum().sum(axis=1), [1.0, 1.0])
    weighted = temporal_profile(df, weight="harm")
    assert weighted.loc[14, "Tue"] == 3 and weighted.to_numpy().sum() == 10
    # hotspot polygons: two boxes around two of the points
    g = geoframe(df, lon=[-87.60, -87.70, -87.60, -87.80], lat=41.88)
    xy = np.column_stack([g.geometry.x, g.geometry.y])
    hotspots = gpd.GeoDataFrame(
        geometry=[box(*(xy[0] - 50), *(xy[0] + 50)), box(*(xy[1] - 50), *(xy[1] + 50))],
        index=pd.Index([10, 20], name="hotspot_id"),
        crs=g.crs,
    )
    by_poly = temporal_profile(g, by=hotspots)
    assert by_poly.index.names == ["hotspot_id", "hour"]
    assert by_poly.loc[10].to_numpy().sum() == 2 and by_poly.loc[20].to_numpy().sum() == 1
    assert by_poly.loc[(20, 15), "Mon"] == 1


def test_profile_equals_column_sums_of_weights():
    rng = np.random.default_rng(3)
    starts = pd.Timestamp("2012-01-01", tz=CHI) + pd.to_timedelta(
        rng.integers(0, 365 * 24 * 60, 200), unit="min"
    )
    ends = starts + pd.to_timedelta(rng.integers(0, 48 * 60, 200), unit="min")
    df = pd.DataFrame(
        {
            "occurred_at": pd.Series(pd.NaT, index=range(200)).dt.tz_localize(CHI),
            "occurred_from": starts,
            "occurred_to": ends,
            "time_quality": "window",
        }
    )
    prof = temporal_profile(df)
    sums = np.asarray(aoristic_weights(df).sum(axis=0)).ravel()
    np.testing.assert_allclose(prof.to_numpy(), sums.reshape(7, 24).T)
    assert prof.to_numpy().sum() == pytest.approx(200)


def test_profile_does_not_mutate_input_and_validates():
    df = frame(at=["2012-06-04 14:10"], quality=["exact"])
    before = df.copy()
    temporal_profile(df)
    pd.testing.assert_frame_equal(df, before)
    with pytest.raises(InvalidInputError, match="time_quality"):
        temporal_profile(df.assign(time_quality=["precise"]))
    with pytest.raises(InvalidInputError, match="to_datetime"):
        temporal_profile(pd.DataFrame({"occurred_at": ["2012-06-04"]}))
    with pytest.raises(InvalidInputError, match="aoristic"):
        temporal_profile(df, aoristic="yes")


def test_plot_temporal_profile_renders(tmp_path):
    rng = np.random.default_rng(1)
    t = pd.Timestamp("2012-01-02", tz=CHI) + pd.to_timedelta(
        rng.gamma(4, 6, 3000) * 60 + rng.integers(0, 52, 3000) * 7 * 1440, unit="min"
    )
    prof = temporal_profile(pd.DataFrame({"occurred_at": t}))
    ax = plot_temporal_profile(prof, title="Test profile")
    assert [x.get_text() for x in ax.get_xticklabels()] == list(WEEKDAYS)
    assert [y.get_text() for y in ax.get_yticklabels()][:2] == ["00", "01"]
    assert len(ax.texts) == 168
    ax.figure.savefig(tmp_path / "profile.png", dpi=100)
    grouped = temporal_profile(
        pd.DataFrame({"occurred_at": t, "g": rng.integers(0, 2, 3000)}), by="g", normalize=True
    )
    with pytest.raises(InvalidInputError, match="group="):
        plot_temporal_profile(grouped)
    ax2 = plot_temporal_profile(grouped, group=1)
    assert ax2.texts[0].get_text().replace(".", "").isdigit()


# --------------------------------------------------------------------------------------
# daylight and dark share
# --------------------------------------------------------------------------------------


def test_daylight_hand_examples_december_chicago():
    # 2012-12-20 at the Loop: sunset 16:21, civil dusk ~16:52, nautical dusk ~17:26
    df = frame(
        at=[
            "2012-12-20 13:00",
            "2012-12-20 16:40",
            "2012-12-20 17:10",
            "2012-12-20 21:00",
            "2012-12-21 00:00",
            "2012-12-21 00:00",
            None,
        ],
        quality=["exact", "exact", "exact", "exact", "midnight", "date_only", "missing"],
    )
    g = geoframe(df)
    out = daylight(g)
    assert out["light"].tolist() == [
        "day",
        "twilight",
        "dark",
        "dark",
        "unknown",
        "unknown",
        "unknown",
    ]
    assert list(out["light"].cat.categories) == list(LIGHT_CLASSES)
    assert out["sun_elevation"].iloc[4:].isna().all()
    np.testing.assert_array_equal(out["dark_weight"].to_numpy()[:4], [0, 0, 1, 1])
    assert out["dark_weight"].iloc[4:].isna().all()
    nautical = daylight(g, twilight="nautical")
    assert nautical["light"].tolist()[:4] == ["day", "twilight", "twilight", "dark"]
    midnight = daylight(g, include_midnight=True)
    assert midnight["light"].iloc[4] == "dark" and midnight["light"].iloc[5] == "unknown"
    assert "light" not in g.columns  # input untouched
    assert out.attrs["hotspot"]["daylight"]["counts"]["unknown"] == 3


def test_daylight_dst_aware_times():
    # Same clock time 18:10 on both sides of the 2012-03-11 change: twilight in CST
    # on 03-10 (sunset ~17:54, civil dusk ~18:21), day in CDT on 03-12 (sunset ~18:57)
    df = frame(at=["2012-03-10 18:10", "2012-03-12 18:10"], quality=["exact", "exact"])
    light = daylight(geoframe(df))["light"].tolist()
    assert light == ["twilight", "day"]


def test_daylight_windows_dark_weight():
    df = frame(
        start=[
            "2012-12-20 10:00",
            "2012-12-20 20:00",
            "2012-12-20 12:00",
            "2012-12-20 21:10",
            "2012-12-01 00:00",
        ],
        end=[
            "2012-12-20 22:00",
            "2012-12-21 00:00",
            "2012-12-20 14:00",
            "2012-12-20 21:50",
            "2012-12-20 00:00",
        ],
        quality=["window"] * 5,
    )
    out = daylight(geoframe(df))
    # 10:00-22:00 touches 12 hours; dark (below -6) at the midpoints 17:30 ... 21:30
    np.testing.assert_allclose(out["dark_weight"].to_numpy()[:4], [5 / 12, 1.0, 0.0, 1.0])
    assert out["light"].tolist()[:4] == ["unknown", "unknown", "unknown", "dark"]
    assert np.isnan(out["dark_weight"].iloc[4])  # longer than max_window (7 days)
    assert out["light"].iloc[4] == "unknown"


def test_daylight_naive_times_need_tz_and_crs():
    df = pd.DataFrame({"occurred_at": pd.to_datetime(["2012-12-20 21:00"])})
    g = geoframe(df)
    with pytest.raises(InvalidInputError, match="with tz= \\(the data's IANA zone"):
        daylight(g)
    assert daylight(g, tz=CHI)["light"].tolist() == ["dark"]
    with pytest.raises(CRSError, match="no CRS"):
        daylight(g.set_crs(None, allow_override=True), tz=CHI)
    with pytest.raises(TypeError):
        daylight(pd.DataFrame(df), tz=CHI)
    with pytest.raises(InvalidInputError, match="twilight"):
        daylight(g, tz=CHI, twilight="dusky")


def test_unknown_is_never_dark_random_qualities():
    rng = np.random.default_rng(11)
    n = 500
    t = pd.Timestamp("2012-01-01", tz=CHI) + pd.to_timedelta(
        rng.integers(0, 366 * 1440, n), unit="min"
    )
    q = rng.choice(["exact", "midnight", "date_only", "month_only", "missing"], n)
    df = pd.DataFrame({"occurred_at": pd.Series(t).where(q != "missing"), "time_quality": q})
    out = daylight(geoframe(df))
    known = q == "exact"
    assert (out["light"].to_numpy()[~known] == "unknown").all()
    assert (out["light"].to_numpy()[known] != "unknown").all()
    ds = dark_share(out)
    assert ds.loc["all", "n_unknown"] == (~known).sum()
    assert ds.loc["all", "n_dark"] == (out["light"] == "dark").sum()


def _wilson_newcombe(x: float, n: float, z: float = 1.959963984540054):
    """Wilson interval in Newcombe's (1998) closed form, method 3."""
    p = x / n
    root = z * np.sqrt(z * z + 4 * n * p * (1 - p))
    return (2 * n * p + z * z - root) / (2 * (n + z * z)), (2 * n * p + z * z + root) / (
        2 * (n + z * z)
    )


def test_dark_share_counts_groups_outdoor_and_wilson():
    df = frame(
        at=[
            "2012-12-20 13:00",
            "2012-12-20 21:00",
            "2012-12-20 22:00",
            "2012-12-21 00:00",
            "2012-12-20 16:40",
            "2012-12-20 23:00",
        ],
        quality=["exact", "exact", "exact", "midnight", "exact", "exact"],
        hs_id=[1, 1, 1, 1, 2, None],
        street=[True, True, True, True, False, True],
    )
    g = geoframe(df)
    ds = dark_share(g, by="hs_id")
    assert list(ds.index) == [1, 2] and ds.index.name == "hs_id"
    assert ds.loc[1, ["n", "n_known", "n_day", "n_twilight", "n_dark", "n_unknown"]].tolist() == [
        4,
        3,
        1,
        0,
        2,
        1,
    ]
    assert ds.loc[1, "dark_share"] == pytest.approx(2 / 3)
    low, high = _wilson_newcombe(2, 3)
    assert ds.loc[1, "dark_share_low"] == pytest.approx(low)
    assert ds.loc[1, "dark_share_high"] == pytest.approx(high)
    assert ds.loc[2, "dark_share"] == 0 and ds.loc[2, "dark_or_twilight_share"] == 1
    low2, high2 = _wilson_newcombe(1, 1)
    assert ds.loc[2, "dark_or_twilight_low"] == pytest.approx(low2)
    assert ds.loc[2, "dark_or_twilight_high"] == pytest.approx(high2)
    outdoor = dark_share(g, by="hs_id", outdoor="street")
    assert outdoor.loc[2, "n"] == 0 and np.isnan(outdoor.loc[2, "dark_share"])
    whole = dark_share(g)
    assert whole.index.tolist() == ["all"] and whole.loc["all", "n"] == 6
    # an existing `light` column is reused
    pre = daylight(g)
    assert dark_share(pre, by="hs_id").equals(ds)


# --------------------------------------------------------------------------------------
# real data
# --------------------------------------------------------------------------------------


def _chicago_2012(shared_data) -> gpd.GeoDataFrame:
    df = pd.read_csv(shared_data / "chicago" / "chicago_aggravated_assaults_2010_2019.csv.gz")
    df = df[df["date"].str.startswith("2012")].reset_index(drop=True)
    clock = pd.to_datetime(df["date"], format="%Y-%m-%d %H:%M")
    df["time_quality"] = np.where(
        (clock.dt.hour == 0) & (clock.dt.minute == 0), "midnight", "exact"
    )
    df["occurred_at"] = clock.dt.tz_localize(
        CHI, ambiguous=np.ones(len(df), dtype=bool), nonexistent="shift_forward"
    )
    pts = gpd.points_from_xy(df["longitude"], df["latitude"], crs=4326)
    return gpd.GeoDataFrame(df, geometry=pts).to_crs(32616)


@pytest.fixture(scope="module")
def chicago_light(shared_data):
    return daylight(_chicago_2012(shared_data))


@pytest.mark.shared_data
def test_chicago_street_assaults_dark_winter_evenings_not_summer(chicago_light):
    d = chicago_light
    assert len(d) == 15103
    local = d["occurred_at"].dt
    street = d["loc_cat"] == "street"
    evening = local.hour.between(18, 20)
    winter = dark_share(d[street & evening & local.month.isin([1, 2, 12])]).loc["all"]
    summer = dark_share(d[street & evening & local.month.isin([6, 7])]).loc["all"]
    assert winter["n_known"] > 200 and summer["n_known"] > 200
    assert winter["dark_share"] > 0.95
    assert summer["dark_share"] < 0.1
    assert winter["dark_share_low"] > summer["dark_share_high"] + 0.8
    # midnight placeholders are unknown, never dark
    midnight = d["time_quality"] == "midnight"
    assert midnight.sum() == 41
    assert (d.loc[midnight, "light"] == "unknown").all()
    assert (d.loc[~midnight, "light"] != "unknown").all()
    # middle of the day is always day, 01:00-03:59 always dark at 41.9 N
    assert (d.loc[local.hour.between(11, 13), "light"] == "day").all()
    assert (d.loc[local.hour.between(1, 3), "light"] == "dark").all()


@pytest.mark.shared_data
def test_chicago_light_agrees_with_sun_times(chicago_light):
    d = chicago_light[chicago_light["light"] != "unknown"]
    dates = d["occurred_at"].dt.tz_localize(None).dt.normalize()
    st = sun_times(pd.DatetimeIndex(dates.unique()), *LOOP, CHI)

    def utc(s: pd.Series) -> np.ndarray:
        return s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()

    rise = utc(st["sunrise"].reindex(pd.DatetimeIndex(dates)))
    sset = utc(st["sunset"].reindex(pd.DatetimeIndex(dates)))
    t = utc(d["occurred_at"])
    # away from the edges (sunrise/sunset vary ~1 min across the city)
    margin = np.timedelta64(3, "m")
    sure_day = (t > rise + margin) & (t < sset - margin)
    sure_not = (t < rise - margin) | (t > sset + margin)
    assert (d["light"].to_numpy()[sure_day] == "day").all()
    assert (d["light"].to_numpy()[sure_not] != "day").all()
    assert sure_day.sum() + sure_not.sum() > 0.99 * len(d)


@pytest.mark.shared_data
def test_chicago_profile_and_dark_share_by_district(chicago_light):
    d = chicago_light
    prof = temporal_profile(d)
    meta = prof.attrs["hotspot"]["temporal_profile"]
    assert meta["n_used"] == 15103 - 41 and meta["excluded"] == {"midnight": 41}
    assert prof.to_numpy().sum() == 15103 - 41
    by_hour = prof.sum(axis=1)
    assert by_hour.loc[5:7].mean() < 0.5 * by_hour.loc[20:23].mean()  # early-morning trough
    by_district = temporal_profile(d, by="district")
    assert by_district.to_numpy().sum() == 15103 - 41
    ds = dark_share(d, by="district")
    assert ds["n"].sum() == 15103 and ds["n_unknown"].sum() == 41
    assert (
        (ds["dark_share_low"] <= ds["dark_share"]) & (ds["dark_share"] <= ds["dark_share_high"])
        | ds["n_known"].eq(0)
    ).all()
    big = ds[ds["n_known"] > 300]
    assert big["dark_share"].between(0.3, 0.7).all()


@pytest.mark.shared_data
def test_memphis_dark_share_plausible(shared_data):
    m = pd.read_csv(shared_data / "memphis" / "memphis_robberies_2019.csv.gz")
    clock = pd.to_datetime(m["date"], format="%Y-%m-%d %H:%M:%S")
    m["occurred_at"] = clock  # naive Memphis clock time (see data README caveat)
    m["time_quality"] = np.where(
        (clock.dt.hour == 0) & (clock.dt.minute == 0) & (clock.dt.second == 0),
        "midnight",
        "exact",
    )
    g = gpd.GeoDataFrame(
        m, geometry=gpd.points_from_xy(m["longitude"], m["latitude"], crs=4326)
    ).to_crs(32616)
    with pytest.raises(InvalidInputError, match="tz="):
        dark_share(g)
    ds = dark_share(g, tz=CHI).loc["all"]
    assert ds["n"] == 2245 and ds["n_unknown"] == 41
    assert 0.35 < ds["dark_share"] < 0.75
    # hour of day is only +-1 h reliable: the conclusion must survive a 1 h shift
    for shift in ("-1h", "1h"):
        shifted = g.assign(occurred_at=clock + pd.Timedelta(shift))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = dark_share(shifted, tz=CHI).loc["all", "dark_share"]
        assert 0.3 < s < 0.8
