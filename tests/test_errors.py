"""Bad arguments get the library's own errors, whose messages name the fix."""

import json
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import hotspot as hs
from hotspot._core.grid import check_grid_memory
from hotspot.exceptions import HotspotError, InputTypeError, InvalidInputError, SourceNotFoundError
from hotspot.ingest.columns import _parse_location


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"lon": -87.63 + rng.normal(0, 0.01, 200),
                       "lat": 41.88 + rng.normal(0, 0.01, 200),
                       "date": pd.date_range("2020-01-01", periods=200, freq="7h").astype(str),
                       "TYPE": rng.choice(["street", "home"], 200)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.read_incidents(df, tz="America/Chicago")
        cells = hs.count(inc, hs.grid(inc, cell_size=250))
    return inc, cells


def test_grid_and_kde_refuse_grids_that_do_not_fit_in_memory(small):
    inc, _ = small
    with pytest.raises(InvalidInputError, match=r"GiB.*pass cell_size=\d+"):
        hs.grid(inc, cell_size=0.01)
    with pytest.raises(InvalidInputError, match=r"GiB.*pass cell_size=\d+"):
        hs.kde(inc, cell_size=0.01)
    with pytest.raises(InvalidInputError, match="cell_size=") as err:
        check_grid_memory(100_000, 100_000, 1.0, "kde")
    fit = float(str(err.value).split("cell_size=")[1].split()[0])
    check_grid_memory(int(100_000 / fit), int(100_000 / fit), fit, "raster")


def test_location_parsing_is_linear_on_long_values():
    s = pd.Series(["1" * 20_000, " " * 20_000 + "1", "(" + "9" * 5_000 + ", 1)",
                   "POINT (" + "1" * 150 + " 2)", "(41.8, -87.6)"])
    # the old quadratic pattern took 21 s on the first value; no timing asserted here
    a, b, _, invalid, _ = _parse_location(s)
    assert invalid[:3].all() and not invalid[4]
    assert (a[4], b[4]) == (-87.6, 41.8)


def test_permutations_alpha_and_correction_are_checked(small):
    _, cells = small
    for bad in (-1, 1.5, "x", True, np.nan):
        with pytest.raises(InvalidInputError, match="permutations"):
            hs.gi_star(cells, permutations=bad)
    with pytest.raises(InvalidInputError, match="alpha"):
        hs.gi_star(cells, alpha="0.05")
    with pytest.raises(InvalidInputError, match="correction"):
        hs.gi_star(cells, correction=["fdr_bh"])


def test_read_export_refuses_foreign_files(tmp_path):
    p = tmp_path / "f.geojson"
    p.write_text(json.dumps({"type": "Feature", "geometry": None, "properties": {}}))
    with pytest.raises(InvalidInputError, match=r"not written by hs\.export.*read_incidents"):
        hs.read_export(p)
    c = tmp_path / "c.csv"
    c.write_text("a,b\n1,2\n")
    with pytest.raises(InvalidInputError, match=r"not written by hs\.export"):
        hs.read_export(c)
    with pytest.raises(SourceNotFoundError):
        hs.read_export(tmp_path / "missing.gpkg")
    with pytest.raises(FileNotFoundError):  # still a FileNotFoundError
        hs.read_export(tmp_path / "missing.gpkg")


def test_text_column_where_a_boolean_is_expected(small):
    inc, _ = small
    with pytest.raises(InvalidInputError, match=r"'TYPE' is not True/False.*isin"):
        hs.dark_share(inc, outdoor="TYPE")
    out = hs.dark_share(inc, outdoor=(inc["TYPE"] == "street").to_numpy())
    assert len(out) >= 1


def test_missing_sources_and_wrong_types_are_library_errors(tmp_path):
    with pytest.raises(SourceNotFoundError, match="no such file"):
        hs.read_incidents(tmp_path / "nope.csv")
    with pytest.raises(InputTypeError, match="source"):
        hs.read_incidents(42)
    assert issubclass(SourceNotFoundError, HotspotError)
    assert issubclass(InputTypeError, TypeError)


def test_plot_without_the_column_it_needs(small):
    _, cells = small
    with pytest.raises(HotspotError):
        hs.plot_hotspots(cells)
    hot = hs.hotspots(hs.gi_star(cells))
    with pytest.raises(InvalidInputError, match=r"no 'hotspot_class' column.*gi_star"):
        hs.plot_hotspots(hot, units=cells)
    units = gpd.GeoDataFrame(cells.drop(columns="n_incidents"))
    with pytest.raises(HotspotError, match="n_incidents"):
        hs.gi_star(units)


# ------------------------------------------------------- the wrapper: threads, messages
def _one_bad_row() -> pd.DataFrame:
    return pd.DataFrame({"lon": [-87.63, -87.62, None], "lat": [41.88, 41.87, 41.86],
                         "date": ["2020-01-01 10:00", "2020-01-02 11:00",
                                  "2020-01-03 12:00"]})


def test_library_warnings_name_the_callers_line():
    with pytest.warns(hs.DataQualityWarning, match="1 of 3 rows dropped") as rec:
        hs.read_incidents(_one_bad_row(), tz="America/Chicago")
    assert {w.filename for w in rec} == {__file__}  # not the wrapper, not the library


def test_wrapper_leaves_the_global_warning_state_alone(monkeypatch):
    import types

    from hotspot._core import errors

    def refuse(*args, **kwargs):
        raise AssertionError("catch_warnings swaps process-wide state")

    guarded = types.SimpleNamespace(**{k: getattr(warnings, k) for k in dir(warnings)
                                       if not k.startswith("__")})
    guarded.catch_warnings = refuse
    monkeypatch.setattr(errors, "warnings", guarded)
    filters, show = list(warnings.filters), warnings.showwarning
    from concurrent.futures import ThreadPoolExecutor

    def read(_):
        return len(hs.read_incidents(_one_bad_row(), tz="America/Chicago"))

    with pytest.warns(hs.DataQualityWarning), ThreadPoolExecutor(4) as pool:
        assert list(pool.map(read, range(8))) == [2] * 8
    assert warnings.filters == filters and warnings.showwarning is show


def test_wrapper_names_the_missing_column_and_chains_the_original():
    from hotspot._core.errors import library_errors

    @library_errors
    def share(incidents, column="n_incidents"):
        return incidents[column].sum()

    frame = pd.DataFrame({"n_incidents": [1, 2], "offence": ["a", "b"]})
    with pytest.raises(InvalidInputError, match=r"no column 'ofence' in `incidents` \(did "
                       r"you mean 'offence'\?\); its columns: n_incidents, offence") as err:
        share(frame, column="ofence")
    assert isinstance(err.value.__cause__, KeyError)
    with pytest.raises(InputTypeError) as err:
        share(frame, column=["a", ["b"]])
    assert isinstance(err.value.__cause__, TypeError)

    @library_errors
    def save(path):
        return open(path, "rb")

    with pytest.raises(InvalidInputError, match=r"the file '/no/such/dir/x.pdf' could not "
                       r"be used \(No such file") as err:
        save("/no/such/dir/x.pdf")
    assert isinstance(err.value.__cause__, FileNotFoundError)


def test_library_warnings_from_python_dash_c(tmp_path):
    """`python -c` has a built-in __main__ loader: warnings still show, at <string>."""
    import os
    import subprocess
    import sys

    code = ("import pandas as pd, hotspot as hs; hs.read_incidents(pd.DataFrame({'lon': "
            "[-87.63, None], 'lat': [41.88, 41.87], 'date': ['2020-01-01 10:00', "
            "'2020-01-02 11:00']}), tz='America/Chicago')")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "<string>:1: DataQualityWarning: read_incidents: 1 of 2 rows dropped" in out.stderr
