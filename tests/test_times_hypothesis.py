"""Property-based test of time parsing: mixed date/time/hour/offset/epoch columns.

For frames built from known instants, in any row order, ``read_incidents`` must give
the same result, say what it knows in ``time_quality`` (``date_only`` rows carry no
clock time, ``exact`` rows do), give zone-aware times (the zone comes from the
coordinates) and account for every row.

The number of examples is ``HOTSPOT_TIME_EXAMPLES`` (default 60, about 30 s on CI);
run it with a few thousand locally after changing the parser.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotspot.exceptions import DataQualityWarning
from hotspot.ingest.incidents import read_incidents
from hotspot.ingest.report import ingest_report

ZONE = "America/Chicago"
EXAMPLES = int(os.environ.get("HOTSPOT_TIME_EXAMPLES", "60"))
DAY0 = pd.Timestamp("2015-01-01")
# clock times away from 01:00-02:59, where daylight saving skips or repeats an hour
MINUTES = st.one_of(st.integers(3 * 60, 24 * 60 - 1), st.integers(0, 59))


@st.composite
def frames(draw):
    """A frame of one layout, the true local clock times and which rows are date-only."""
    n = draw(st.integers(min_value=3, max_value=24))
    layout = draw(st.sampled_from(["iso", "us_slash", "uk_slash", "date_hour", "date_hhmm",
                                   "offset_mix", "epoch"]))
    days = draw(st.lists(st.integers(0, 3650), min_size=n, max_size=n))
    minutes = draw(st.lists(MINUTES, min_size=n, max_size=n))
    date_only = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    if layout in ("date_hour", "date_hhmm", "epoch", "offset_mix"):
        date_only[:] = False
    day = [DAY0 + pd.Timedelta(days=d) for d in days]
    if layout == "date_hour":
        minutes = [m // 60 * 60 for m in minutes]  # whole hours
    local = [d + pd.Timedelta(minutes=0 if o else m)
             for d, m, o in zip(day, minutes, date_only, strict=True)]
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    data = {"x": 440_000 + rng.uniform(-5000, 5000, n),
            "y": 4_640_000 + rng.uniform(-5000, 5000, n)}
    aware = np.zeros(n, bool)
    if layout == "iso":
        data["date"] = [f"{t:%Y-%m-%d}" if o else f"{t:%Y-%m-%d %H:%M}"
                        for t, o in zip(local, date_only, strict=True)]
    elif layout == "us_slash":
        data["date"] = [f"{t:%m/%d/%Y}" if o else f"{t:%m/%d/%Y %H:%M}"
                        for t, o in zip(local, date_only, strict=True)]
    elif layout == "uk_slash":
        data["date"] = [f"{t:%d/%m/%Y}" if o else f"{t:%d/%m/%Y %H:%M}"
                        for t, o in zip(local, date_only, strict=True)]
    elif layout == "date_hour":
        data["date"] = [f"{t:%Y-%m-%d}" for t in local]
        data["hour"] = [t.hour for t in local]
    elif layout == "date_hhmm":
        data["Date Occurred"] = [f"{t:%m/%d/%Y}" for t in local]
        data["Time Occurred"] = [t.hour * 100 + t.minute for t in local]
    elif layout == "offset_mix":
        aware = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        inst = [pd.Timestamp(t).tz_localize(ZONE) for t in local]
        data["date"] = [f"{i.tz_convert('UTC'):%Y-%m-%dT%H:%M:%SZ}" if a else f"{t:%Y-%m-%d %H:%M}"
                        for i, t, a in zip(inst, local, aware, strict=True)]
    else:  # epoch seconds of the local instants
        data["ts"] = [int(pd.Timestamp(t).tz_localize(ZONE).timestamp()) for t in local]
    return layout, pd.DataFrame(data), pd.Series(local), date_only


def read(df, layout):
    kw = {"datetime": "ts"} if layout == "epoch" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return read_incidents(df, crs="EPSG:32616", **kw)


def _ambiguous(layout, df):
    """Frames that the documented rules read differently from what they mean.

    Slash dates whose numbers are all <= 12 are read month first, so a uk_slash frame
    then means something else; an HHMM column whose values are all <= 23 (00:00 to
    00:23) is read as hours of the day.
    """
    if layout == "uk_slash":
        return bool((df["date"].str.slice(0, 2).astype(int) <= 12).all())
    if layout == "date_hhmm":
        return bool((df["Time Occurred"] <= 23).all())
    return False


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(frames(), st.randoms(use_true_random=False))
def test_time_quality_agrees_with_values_in_any_row_order(case, random):
    layout, df, local, date_only = case
    order = list(range(len(df)))
    random.shuffle(order)
    a = read(df, layout)
    b = read(df.iloc[order].reset_index(drop=True), layout)
    for gdf, frame in ((a, df), (b, df.iloc[order])):
        rep = ingest_report(gdf)
        assert rep.rows_read == len(frame) == rep.rows_kept + rep.rows_dropped
        assert rep.rows_kept == len(frame)  # every value is valid
        assert str(gdf["occurred_at"].dt.tz) == ZONE  # zone known: times aware
    # row order does not change the result
    back = np.argsort(order)
    for col in ("occurred_at", "time_quality"):
        pd.testing.assert_series_equal(
            a[col].reset_index(drop=True), b[col].iloc[back].reset_index(drop=True),
            check_names=False)
    if _ambiguous(layout, df):
        return
    wall = a["occurred_at"].dt.tz_localize(None)
    q = a["time_quality"].astype(str).to_numpy()
    clock = (wall - wall.dt.normalize()).dt.total_seconds().to_numpy()
    # date_only rows carry no clock time, exact rows do (hour 0 of an hour column is
    # the hour 00:00-00:59 unless far above hours 23 and 1)
    assert np.all(clock[q == "date_only"] == 0)
    assert layout == "date_hour" or np.all(clock[q == "exact"] != 0)
    assert set(q) <= {"exact", "midnight", "date_only"}
    # the values: every row at its true local time, date-only rows on their day
    assert (wall.to_numpy() == local.to_numpy().astype("datetime64[us]")).all()
    assert np.all(q[date_only] == "date_only")
    timed = ~date_only & (clock != 0)
    one_clock = np.unique(clock[~date_only]).size == 1
    if not one_clock:  # else the documented "one clock time = dates" rule applies
        assert np.all(q[timed] == "exact")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.integers(0, 12), min_size=24, max_size=24), st.integers(0, 60),
       st.randoms(use_true_random=False))
def test_hour_zero_is_a_placeholder_only_when_far_above_hours_23_and_1(counts, c0, random):
    """The documented rule, whatever the counts and the row order."""
    from hotspot.ingest.date_text import HOUR0_PLACEHOLDER_MIN, HOUR0_PLACEHOLDER_RATIO

    counts[0] = c0
    hours = np.repeat(np.arange(24), counts)
    if hours.size < 3:
        return
    random.shuffle(hours)
    rng = np.random.default_rng(len(hours))
    df = pd.DataFrame({"x": 440_000 + rng.uniform(-5000, 5000, hours.size),
                       "y": 4_640_000 + rng.uniform(-5000, 5000, hours.size),
                       "date": (DAY0 + pd.to_timedelta(rng.integers(0, 90, hours.size), "D")
                                ).strftime("%Y-%m-%d"),
                       "hour": hours})
    gdf = read(df, "date_hour")
    rep = ingest_report(gdf)
    assert rep.rows_read == rep.rows_kept == hours.size
    q = gdf["time_quality"].astype(str).to_numpy()
    placeholder = (c0 >= HOUR0_PLACEHOLDER_MIN
                   and c0 > HOUR0_PLACEHOLDER_RATIO * (counts[23] + counts[1]) / 2)
    assert np.all(q[hours == 0] == ("midnight" if placeholder else "exact"))
    assert np.all(q[hours != 0] == "exact")


CITIES = {"America/Chicago": (-87.65, 41.85), "Europe/London": (-0.12, 51.5),
          "Australia/Sydney": (151.2, -33.87), "Asia/Kolkata": (77.2, 28.6),
          "Pacific/Auckland": (174.76, -36.85)}


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(sorted(CITIES)), st.one_of(st.sampled_from([0, 300, 360, 780, 840, 660,
                                                                   600, 1110, 1380]),
                                                  st.integers(0, 1439)),
       st.booleans(), st.integers(0, 3000), st.integers(10, 30))
def test_one_clock_time_is_dates_only_when_it_is_local_midnight(zone, minute, utc, day0, n):
    """A constant clock time is dates only for 00:00 or local midnight written in UTC.

    Local midnight in UTC: the time plus one of the zone's UTC offsets over the data's
    dates is 00:00 (05:00 or 06:00 in Chicago, 18:30 the day before in Kolkata).
    """
    lon, lat = CITIES[zone]
    days = pd.Timestamp("2012-01-01") + pd.to_timedelta(day0 + 3 * np.arange(n), "D")
    stamps = days + pd.Timedelta(minutes=minute)
    text = [f"{t:%Y-%m-%dT%H:%M}" + ("Z" if utc else "") for t in stamps]
    rng = np.random.default_rng(n)
    df = pd.DataFrame({"lon": lon + rng.uniform(-0.02, 0.02, n),
                       "lat": lat + rng.uniform(-0.02, 0.02, n), "date": text})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        gdf = read_incidents(df)
    rep = ingest_report(gdf)
    assert rep.rows_read == rep.rows_kept == n and rep.time_zone == zone
    span = pd.date_range(days[0] - pd.Timedelta(days=1), days[-1] + pd.Timedelta(days=1))
    noon = span + pd.Timedelta(hours=12)
    utc_noon = noon.tz_localize(zone).tz_convert("UTC").tz_localize(None)
    offsets = {int(m) for m in ((noon - utc_noon).total_seconds() // 60)}
    match = [o for o in offsets if (minute + o) % 1440 == 0]
    q = gdf["time_quality"].astype(str)
    day = gdf["occurred_at"].dt.strftime("%Y-%m-%d").tolist()
    if minute == 0:  # 00:00 as written, "Z" or not: the dates written
        assert (q == "date_only").all() and day == list(days.strftime("%Y-%m-%d"))
    elif match:
        assert (q == "date_only").all()
        expected = (stamps + pd.Timedelta(minutes=match[0])).strftime("%Y-%m-%d")
        assert day == list(expected)
    else:
        assert not (q == "date_only").any()
        assert any("every record is at" in w for w in rep.warnings)
        if utc:  # the instants, shown on the zone's clock
            local = pd.DatetimeIndex(stamps).tz_localize("UTC").tz_convert(zone)
            assert (gdf["occurred_at"].to_numpy() == local.to_numpy()).all()
