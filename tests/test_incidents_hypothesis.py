"""Property-based tests: malformed frames are either fully accounted for or rejected.

``read_incidents`` must never let a raw pandas/numpy/pyproj exception escape for a
DataFrame input: it returns a result where every row is kept or dropped with a reason,
or raises one of the library's documented errors (:class:`hotspot.exceptions.HotspotError`
subclasses: InvalidInputError, CRSError).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotspot.exceptions import HotspotError
from hotspot.ingest.incidents import DROP_REASONS, TIME_QUALITIES, read_incidents
from hotspot.ingest.report import ingest_report

COORD = st.one_of(
    st.floats(min_value=-200, max_value=200),
    st.sampled_from([0.0, None, "", " ", "abc", "41.88", "-87.6", "1e400", "NaN", True,
                     float("nan"), float("inf"), -float("inf")]),
    st.integers(min_value=-10**7, max_value=10**7),
    st.floats(min_value=1e5, max_value=5e6),
)
WHEN = st.one_of(
    st.none(),
    st.sampled_from([
        "", "2019-01-01", "2019-01-01 00:00:00", "2019-13-45", "01/05/2019 09:30:00 PM",
        "1-Apr-12", "2018-07", "not a date", "2019-01-01T01:00:00Z",
        "2019-01-01T01:00:00+05:00", "31/12/2019", "99999", "0", "2019-02-30",
    ]),
    st.integers(min_value=-10**12, max_value=10**13),
    st.text(max_size=8),
)
TIME = st.one_of(st.none(), st.integers(min_value=-5, max_value=3000),
                 st.sampled_from(["21:30", "9:05 PM", "", "25:00", "x", "2130"]))
OFFENCE = st.one_of(st.none(), st.sampled_from(["theft", "assault", ""]), st.integers(0, 3))


@st.composite
def frames(draw):
    n = draw(st.integers(min_value=0, max_value=25))
    names = draw(st.sampled_from([
        ("longitude", "latitude"), ("lon", "lat"), ("LON", "LAT"), ("x", "y"),
        ("X_COORDINATE", "Y_COORDINATE"), ("Point_X", "Point_Y"), ("lng", "lat"),
    ]))
    data = {
        names[0]: draw(st.lists(COORD, min_size=n, max_size=n)),
        names[1]: draw(st.lists(COORD, min_size=n, max_size=n)),
    }
    if draw(st.booleans()):
        data[draw(st.sampled_from(["date", "Date Occurred", "OCCURRED_ON_DATE", "Month"]))] = (
            draw(st.lists(WHEN, min_size=n, max_size=n)))
    if draw(st.booleans()):
        data["Time Occurred"] = draw(st.lists(TIME, min_size=n, max_size=n))
    if draw(st.booleans()):
        data["FROMDATE"] = draw(st.lists(WHEN, min_size=n, max_size=n))
        data["TODATE"] = draw(st.lists(WHEN, min_size=n, max_size=n))
    if draw(st.booleans()):
        data["offense"] = draw(st.lists(OFFENCE, min_size=n, max_size=n))
    if draw(st.booleans()):
        data["occurred_at"] = draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    return pd.DataFrame(data)


def _check_accounting(df: pd.DataFrame, gdf) -> None:
    rep = ingest_report(gdf)
    n = len(df)
    assert rep.rows_read == n
    assert rep.rows_read == rep.rows_kept + sum(rep.dropped.values())
    assert len(gdf) == rep.rows_kept
    assert set(rep.dropped) == set(DROP_REASONS)
    assert len(rep.dropped_rows) == sum(rep.dropped.values())
    ids = np.concatenate([gdf["row_id"].to_numpy(), rep.dropped_rows["row_id"].to_numpy()])
    assert sorted(ids.tolist()) == list(range(n))
    assert set(gdf["time_quality"].astype(str)) <= set(TIME_QUALITIES)
    assert sum(rep.time_quality.values()) == rep.rows_kept
    assert gdf.crs is not None and gdf.crs.is_projected
    assert np.isfinite(gdf.geometry.x.to_numpy()).all()
    # canonical columns present, original columns kept
    for c in ("row_id", "occurred_at", "time_quality", "geometry"):
        assert c in gdf.columns
    for c in df.columns:
        assert c in gdf.columns or f"{c}_original" in gdf.columns


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(df=frames(), errors=st.sampled_from(["report", "raise"]), dup=st.booleans())
def test_malformed_frames_are_accounted_or_rejected(df, errors, dup):
    original = df.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            gdf = read_incidents(df, errors=errors, drop_duplicates=dup)
        except HotspotError as exc:
            assert str(exc)  # a message, never empty
            return
    pd.testing.assert_frame_equal(df, original)  # input untouched
    _check_accounting(df, gdf)
    if errors == "raise":
        assert sum(ingest_report(gdf).dropped.values()) == 0


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    lon=st.lists(st.floats(-87.9, -87.5), min_size=1, max_size=30),
    data=st.data(),
)
def test_valid_lonlat_rows_are_all_kept(lon, data):
    lat = data.draw(st.lists(st.floats(41.6, 42.0), min_size=len(lon), max_size=len(lon)))
    df = pd.DataFrame({"longitude": lon, "latitude": lat})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = read_incidents(df)
    assert len(gdf) == len(df)
    assert gdf.crs.to_epsg() == 32616
    assert gdf["row_id"].tolist() == list(range(len(df)))


@pytest.mark.parametrize("n", [1, 2])
def test_tiny_frames(n):
    df = pd.DataFrame({"lat": [41.88] * n, "lon": [-87.63] * n})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = read_incidents(df)
    _check_accounting(df, gdf)


# ---------------------------------------------------------------- encodings and vocabularies
# words of Latin-1 letters (all encodable in cp1252 too), never a pandas NA token
WORD = st.text(alphabet=st.sampled_from(list("abcdeéèàçñöüßøÅÉÑxyzABC")), min_size=1,
               max_size=10).map(lambda w: "o" + w)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(words=st.lists(WORD, min_size=1, max_size=12),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]),
       sep=st.sampled_from([",", ";", "\t"]), gz=st.booleans())
def test_text_of_any_encoding_is_decoded_exactly(tmp_path_factory, words, encoding, sep, gz):
    import gzip

    n = len(words)
    df = pd.DataFrame({"longitude": np.linspace(-87.7, -87.6, n),
                       "latitude": np.linspace(41.8, 41.9, n), "offence": words})
    text = df.to_csv(index=False, sep=sep)
    raw = text.encode(encoding)
    path = tmp_path_factory.mktemp("enc") / "export.csv"
    path.write_bytes(gzip.compress(raw) if gz else raw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = read_incidents(path)
    assert gdf["offence"].astype(str).tolist() == words
    assert ingest_report(gdf).rows_read == n


VOCAB_TERMS = st.sampled_from([
    ("Break and Enter", "burglary"), ("Auto Theft", "vehicle"), ("Outside", "street"),
    ("Violence and sexual offences", "violence"), ("GAS STATION", "commercial"),
    ("Criminal damage and arson", "criminal_damage"), ("RESIDENCE-GARAGE", "residence"),
    ("Motor Vehicle Theft", "vehicle"), ("PARKING LOT", "car_park"),
])


@settings(max_examples=80, deadline=None, derandomize=True)
@given(term=VOCAB_TERMS, case=st.sampled_from([str.lower, str.upper, str.title, str]),
       sep=st.sampled_from([" ", "_", "-", "/", " - ", "  "]))
def test_vocabulary_ignores_case_and_separators(term, case, sep):
    from hotspot.ingest.vocabularies import offence_group, setting_group

    name, group = term
    value = case(name).replace(" ", sep)
    mapped = {offence_group(value), setting_group(value)}
    assert group in mapped


@settings(max_examples=80, deadline=None, derandomize=True)
@given(values=st.lists(st.one_of(st.none(), st.text(max_size=12),
                                 st.sampled_from(["Burglary", "BURGLARY", "Outside"])),
                       max_size=30))
def test_vocabulary_maps_or_reports_every_value(values):
    from hotspot.ingest.vocabularies import OFFENCE_GROUPS, offence_group, unmapped_values

    out = offence_group(values)
    assert len(out) == len(values)
    assert set(out.dropna()) <= set(OFFENCE_GROUPS)
    lost = unmapped_values(out)
    # every "other" not produced by a rule is reported, with its count
    assert sum(lost.values()) <= int((out == "other").sum())
    present = pd.Series(values, dtype=object).dropna().astype(str)
    for value, k in lost.items():
        assert int((present == value).sum()) == k
