"""Fuzz the public functions' arguments: every failure is a library error with a message.

Each example calls one public function with valid data and one keyword argument
replaced by an awkward value (None, negative or non-finite numbers, text, empty
text, a column name, lists, dicts, objects, ``pd.NA``). The call may succeed; if it
fails, the exception must be a :class:`hotspot.exceptions.HotspotError` with a
message — never a raw exception from pandas, numpy, pyproj, shapely or the OS.
"""

from __future__ import annotations

import functools
import inspect
import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hotspot as hs
from hotspot.exceptions import HotspotError
from hotspot.ingest.vocabularies import offence_group, setting_group

NASTY = [None, -1, 0, -0.5, float("nan"), float("inf"), "x", "", "offence", True, [],
         [1, 2], {"a": 1}, (1,), object(), np.int64(-3), pd.NA, b"bytes"]
SKIP = {"n_jobs", "kwargs", "clusterer"}


@functools.cache
def _data():
    rng = np.random.default_rng(1)
    n = 120
    df = pd.DataFrame({
        "longitude": -90.0 + rng.normal(0, 0.01, n), "latitude": 35.1 + rng.normal(0, 0.01, n),
        "date": pd.date_range("2021-01-01", periods=n, freq="29h").astype(str),
        "offence": rng.choice(["Robbery", "Burglary", "Theft"], n),
        "premise": rng.choice(["street", "residence"], n)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.read_incidents(df, tz="America/Chicago")
        units = hs.grid(inc, cell_size=300)
        cells = hs.count(inc, units)
        gi = hs.gi_star(cells)
        hot = hs.hotspots(gi)
    return df, inc, units, cells, gi, hot


def _cases():
    df, inc, units, cells, gi, hot = _data()
    return {
        "read_incidents": (hs.read_incidents, (df,), {}),
        "grid": (hs.grid, (inc,), {}),
        "kde": (hs.kde, (inc,), {"cell_size": 200}),
        "count": (hs.count, (inc, units), {}),
        "gi_star": (hs.gi_star, (cells,), {}),
        "local_moran": (hs.local_moran, (cells,), {"permutations": 49}),
        "hotspots": (hs.hotspots, (gi,), {}),
        "concentration": (hs.concentration, (cells,), {}),
        "dark_share": (hs.dark_share, (inc,), {}),
        "temporal_profile": (hs.temporal_profile, (inc,), {}),
        "aoristic": (hs.aoristic, (inc,), {}),
        "daylight": (hs.daylight, (inc,), {}),
        "hotspot_membership": (hs.hotspot_membership, (inc, hot), {}),
        "patrol_plan": (hs.patrol_plan, (inc, hot), {"officer_hours_per_week": 10}),
        "lighting_audit": (hs.lighting_audit, (inc, hot), {}),
        "near_repeat_chains": (hs.near_repeat_chains, (inc,), {"distance": 200, "days": 7}),
        "nnh": (hs.nnh, (inc,), {}),
        "expected_counts": (hs.expected_counts, (inc, hot), {"period_days": 100}),
        "knox": (hs.knox, (inc,), {"distance_bands": [100, 200], "time_bands": [7, 14],
                                   "permutations": 9}),
        "offence_group": (offence_group, (["Burglary", "x"],), {}),
        "setting_group": (setting_group, (["street"],), {}),
    }


def _calls():
    out = []
    for name, (f, args, _base) in _cases().items():
        params = list(inspect.signature(f).parameters)[len(args):]
        out += [(name, p) for p in params if p not in SKIP]
    return sorted(out)


@settings(max_examples=250, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(call=st.sampled_from(_calls()), value=st.sampled_from(NASTY))
def test_awkward_arguments_give_library_errors(call, value):
    name, param = call
    f, args, base = _cases()[name]
    kwargs = {**base, param: value}
    if name == "knox" and param == "permutations" and isinstance(value, int) and value > 99:
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f(*args, **kwargs)
    except HotspotError as exc:
        assert str(exc).strip(), f"{name}({param}={value!r}) raised an empty message"
    except Exception as exc:  # the assertion this test is about
        raise AssertionError(
            f"{name}({param}={value!r}) raised {type(exc).__module__}."
            f"{type(exc).__name__}: {exc}") from exc


@settings(max_examples=40, deadline=None, derandomize=True)
@given(source=st.sampled_from([42, None, 3.5, b"a.csv", ["a.csv"], "", "nope.csv",
                               "*.nomatch", pd.Series([1.0])]))
def test_awkward_sources_give_library_errors(source):
    try:
        hs.read_incidents(source)
    except HotspotError as exc:
        assert str(exc).strip()


def test_public_functions_keep_their_signatures_and_docs():
    assert inspect.signature(hs.kde) == inspect.signature(hs.kde.__wrapped__)
    assert hs.kde.__doc__ == hs.kde.__wrapped__.__doc__
    assert hs.kde.__name__ == "kde"
