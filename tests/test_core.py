"""Shared choices in hotspot._core: time helpers, validation helpers, CRS checks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hotspot._core.time import (
    circular_window_sums,
    data_period_days,
    local_period,
    to_local,
)
from hotspot._core.validation import check_positive, check_projected, is_metric, numeric_column
from hotspot.exceptions import CRSError, InvalidInputError


def test_to_local_rules():
    chicago = "America/Chicago"
    assert to_local("2024-03-01", chicago, "x") == pd.Timestamp("2024-03-01", tz=chicago)
    utc_noon = pd.Timestamp("2024-03-01 12:00", tz="UTC")
    assert to_local(utc_noon, chicago, "x") == utc_noon  # same instant, converted
    assert str(to_local(utc_noon, chicago, "x").tz) == chicago
    assert to_local(utc_noon, None, "x") == pd.Timestamp("2024-03-01 12:00")
    assert to_local("2024-03-01", None, "x").tzinfo is None
    # a clock time skipped by the spring-forward change moves forward, no raw pytz error
    assert to_local("2024-03-10 02:30", chicago, "x").hour == 3
    for bad in ("not a date", None, object()):
        with pytest.raises(InvalidInputError, match="`start` must be a date"):
            to_local(bad, chicago, "start")


def test_local_period():
    a, b = local_period(("2024-01-01", "2024-01-31"), "UTC", "period", whole_end_day=True)
    assert b == pd.Timestamp("2024-01-31 23:59:59", tz="UTC")
    assert a == pd.Timestamp("2024-01-01", tz="UTC")
    assert local_period(("2024-01-01", "2024-01-01"), None, "p", whole_end_day=True)[1].hour == 23
    with pytest.raises(InvalidInputError, match="end after it starts"):
        local_period(("2024-02-01", "2024-01-01"), None, "period")
    with pytest.raises(InvalidInputError, match=r"\(start, end\) pair"):
        local_period("2024-01-01", None, "period")


def test_data_period_days():
    t = pd.Series(pd.to_datetime(["2024-01-01 08:00", None, "2024-01-03 07:00"]))
    assert data_period_days(t) == 2.0
    assert data_period_days(t.dt.tz_localize("UTC")) == 2.0
    same = pd.Series(pd.to_datetime(["2024-01-01 08:00", "2024-01-01 09:00"]))
    assert data_period_days(same) == 1.0
    with pytest.raises(InvalidInputError, match="pass period"):
        data_period_days(t.iloc[:1], fix="pass period")


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.integers(1, 30), elements=st.floats(0, 100)),
    st.integers(1, 30),
)
def test_circular_window_sums_match_a_loop(values, width):
    n = len(values)
    width = min(width, n)
    got = circular_window_sums(values, width)
    want = [sum(values[(j + k) % n] for k in range(width)) for j in range(n)]
    np.testing.assert_allclose(got, want, atol=1e-9)


def test_circular_window_sums_rows_and_bad_width():
    m = np.arange(48.0).reshape(2, 24)
    np.testing.assert_allclose(circular_window_sums(m, 24), m.sum(axis=1)[:, None] * np.ones(24))
    with pytest.raises(InvalidInputError, match="does not fit"):
        circular_window_sums(m, 25)


def test_check_positive():
    assert check_positive(np.int64(5), "cell_size") == 5.0
    for bad in (0, -1.0, np.nan, np.inf, True, "100", None):
        with pytest.raises(InvalidInputError, match="positive number of metres"):
            check_positive(bad, "cell_size", "metres")


def test_numeric_column():
    df = pd.DataFrame({"w": [1.0, -2.0, np.nan], "s": ["a", "b", "c"]})
    with pytest.raises(InvalidInputError, match=r"finite, non-negative weights; 2 rows .*index 1"):
        numeric_column(df, "w", "incidents", what="weights")
    with pytest.raises(InvalidInputError, match="must be numeric"):
        numeric_column(df, "s", "incidents")
    with pytest.raises(InvalidInputError, match="no column 'x'"):
        numeric_column(df, "x", "incidents")
    assert numeric_column(df.iloc[:2], "w", "units", non_negative=False).tolist() == [1.0, -2.0]


@pytest.mark.parametrize(
    ("crs", "metric"),
    [("EPSG:32616", True), ("EPSG:27700", True), ("EPSG:3857", False), ("EPSG:3395", False),
     ("EPSG:4326", False), ("EPSG:3435", False)],
)
def test_is_metric_and_check_projected(crs, metric):
    assert is_metric(crs) is metric
    pts = gpd.GeoSeries(gpd.points_from_xy([0.0], [0.0]), crs=crs)
    if metric:
        check_projected(pts, "incidents")
    else:
        with pytest.raises(CRSError, match=r"hs\.project"):
            check_projected(pts, "incidents")


def test_point_xy_cache_follows_edits():
    from shapely.geometry import Point

    from hotspot._core.coords import point_xy

    n = 20_000
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(np.arange(n, dtype=float), np.zeros(n)))
    x1, _ = point_xy(pts)
    x2, _ = point_xy(pts.geometry)
    assert x1 is x2  # read once, reused
    assert not x1.flags.writeable
    pts.loc[5, "geometry"] = Point(-1.0, 7.0)  # geopandas edits the array in place
    x3, y3 = point_xy(pts)
    assert x3[5] == -1.0 and y3[5] == 7.0
    swapped = pts.copy()
    swapped.iloc[[0, 1], 0] = swapped.geometry.iloc[[1, 0]].to_numpy()
    assert point_xy(swapped)[0][:2].tolist() == [1.0, 0.0]
    small = gpd.GeoSeries(gpd.points_from_xy([1.0], [2.0]))
    assert point_xy(small)[1].tolist() == [2.0]


def test_read_incidents_hands_its_coordinates_to_the_cache():
    import warnings

    import pandas as pd

    import hotspot as hs
    from hotspot._core import coords

    rng = np.random.default_rng(0)
    n = 20_000
    frame = pd.DataFrame({"x": 500_000 + rng.random(n) * 5_000,
                          "y": 4_600_000 + rng.random(n) * 5_000, "date": "2021-03-04 10:00"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.read_incidents(frame, x="x", y="y", crs="EPSG:32616", tz="UTC")
    key = id(inc.geometry.array)
    assert key in coords._CACHE  # the first point_xy reads nothing from shapely
    x, y = coords.point_xy(inc.geometry)
    np.testing.assert_array_equal(x, inc.geometry.x.to_numpy())
    np.testing.assert_array_equal(y, inc.geometry.y.to_numpy())


# ----------------------------------------------------------------- the UTM zone formula
def _geopandas_utm(lon: float, lat: float) -> int:
    pt = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326)
    return int(pt.estimate_utm_crs().to_epsg())


def _utm_samples(n_random: int, seed: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    borders = [(-180.0 + 6 * k, lat) for k, lat in zip(range(0, 61, 5), [10, -10] * 7,
                                                         strict=False)]
    edges = [(-84.0, 0.0), (0.0, 0.0), (3.0, -0.0), (-180.0, -5.0), (179.99, -5.0),
             (174.0, 1.0), (-174.0, 1.0), (6.0, 60.0), (5.3, 60.4), (-0.000001, 51.5),
             (12.0 + 1e-9, 45.0), (12.0 - 1e-9, -45.0), (-87.63, 41.88), (151.2, -33.9),
             (-58.4, -34.6), (2.35, 48.86), (174.8, -41.3), (-0.1, 83.9), (0.1, -79.9)]
    random = list(zip(rng.uniform(-180, 180, n_random).round(4),
                      rng.uniform(-79.9, 83.9, n_random).round(4), strict=True))
    return borders + edges + random


def test_utm_zone_formula_matches_geopandas():
    from hotspot._core.crs import utm_crs, utm_epsg

    for lon, lat in _utm_samples(25, seed=1):  # ~50 ms a geopandas call
        assert utm_epsg(lon, lat) == _geopandas_utm(lon, lat), (lon, lat)
    assert utm_crs(-87.63, 41.88).equals(gpd.GeoSeries(
        gpd.points_from_xy([-87.63], [41.88]), crs=4326).estimate_utm_crs())

