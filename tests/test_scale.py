"""hotspot.scale: Dask reads and reductions equal the in-memory path (on a LocalCluster).

One ``LocalCluster`` with two worker processes (one thread, bounded memory each) serves
the whole module, so every reduction here runs in other processes than the test.
"""

from __future__ import annotations

import gzip
import shutil
import warnings
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hotspot as hs
from hotspot import scale
from hotspot.analyse.emerging import space_time_cube
from hotspot.exceptions import InvalidInputError

distributed = pytest.importorskip("distributed")

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


@pytest.fixture(scope="module", autouse=True)
def client():
    """Two worker processes, one thread and 1 GB each, for the whole module."""
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       memory_limit="1GB", dashboard_address=None)
    cl = distributed.Client(cluster)
    yield cl
    cl.close()
    cluster.close()


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hs.DataQualityWarning)
        yield


def _synthetic(n: int = 6_000, seed: int = 3) -> pd.DataFrame:
    """Records in another export convention: x/y in lon/lat, US dates, windows, bad rows."""
    rng = np.random.default_rng(seed)
    lon = np.where(rng.random(n) < 0.3, rng.normal(-87.65, 0.004, n),
                   rng.uniform(-87.75, -87.55, n))
    lat = np.where(rng.random(n) < 0.3, rng.normal(41.85, 0.003, n),
                   rng.uniform(41.75, 41.95, n))
    start = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 700 * 24 * 60, n),
                                                          unit="min")
    end = start + pd.to_timedelta(rng.integers(0, 36 * 60, n), unit="min")
    df = pd.DataFrame({
        "Offense Type": rng.choice(["BURGLARY", "THEFT", "ROBBERY"], n),
        "FROMDATE": start.strftime("%m/%d/%Y %H:%M"),
        "TODATE": end.strftime("%m/%d/%Y %H:%M"),
        "X": lon.round(6), "Y": lat.round(6),
    })
    df.loc[rng.random(n) < 0.02, "X"] = np.nan  # missing coordinates
    df.loc[rng.random(n) < 0.01, "FROMDATE"] = "not a date"  # unparseable
    df.loc[rng.random(n) < 0.01, ["X", "Y"]] = 0.0  # zero coordinates
    return df


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """The same records as 4 CSV files, as a Parquet file of small row groups, and in memory."""
    root = tmp_path_factory.mktemp("scale")
    df = _synthetic()
    folder = root / "csv"
    folder.mkdir()
    for i, part in enumerate(np.array_split(np.arange(len(df)), 4)):
        df.iloc[part].to_csv(folder / f"export_{i}.csv", index=False)
    pq = root / "export.parquet"
    df.to_parquet(pq, row_group_size=1_000)
    mem = hs.read_incidents(folder, tz="America/Chicago")
    return {"csv": folder, "parquet": pq, "mem": mem, "frame": df}


def _check_same_rows(ddf, mem, *, by_file: bool = False) -> None:
    got = ddf.compute().reset_index(drop=True)  # each partition has its own RangeIndex
    assert got.crs == mem.crs
    assert list(got.columns) == list(mem.columns)
    assert len(got) == len(mem)
    assert np.array_equal(got.geometry.x.to_numpy(), mem.geometry.x.to_numpy())
    assert got["occurred_at"].equals(mem["occurred_at"])
    assert list(got["time_quality"].astype(str)) == list(mem["time_quality"].astype(str))
    if not by_file:
        assert np.array_equal(got["row_id"].to_numpy(), mem["row_id"].to_numpy())


def _check_same_report(report, mem) -> None:
    ref = hs.ingest_report(mem)
    assert report.rows_read == ref.rows_read
    assert report.rows_kept == ref.rows_kept
    assert report.dropped == ref.dropped
    assert report.time_quality == ref.time_quality
    assert report.rows_read == report.rows_kept + report.rows_dropped
    assert report.crs_out == ref.crs_out


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_synthetic_multi_file_equals_in_memory(synthetic, kind):
    ddf = scale.read_incidents(synthetic[kind], tz="America/Chicago", partition_rows=2_000)
    mem = synthetic["mem"]
    assert ddf.npartitions >= 3
    if kind == "parquet":  # one file: row_id is the dataset position, no source_file
        mem = mem.drop(columns="source_file")
    _check_same_rows(ddf, mem, by_file=kind == "csv")
    report = scale.ingest_report(ddf)
    if kind == "parquet":
        _check_same_report(report, synthetic["mem"])
        cells = hs.grid(mem, 500)
        assert np.array_equal(scale.count(ddf, cells)["n_incidents"].to_numpy(),
                              hs.count(mem, cells)["n_incidents"].to_numpy())
        return
    ddf = ddf.persist()  # partitions (with their reports) stay on the workers
    _check_same_report(report, synthetic["mem"])
    dropped = report.dropped_rows.compute()
    assert len(dropped) == report.rows_dropped
    assert set(dropped["reason"]) == {"missing_coordinates", "zero_coordinates",
                                      "unparseable_time"}

    cells = scale.grid(ddf, 500)
    ref_cells = hs.grid(mem, 500)
    assert cells.equals(ref_cells)
    got = scale.count(ddf, cells, by="offence")
    ref = hs.count(mem, ref_cells, by="offence")
    assert list(got.columns) == list(ref.columns)
    for col in ref.columns.drop("geometry"):
        assert np.array_equal(got[col].to_numpy(), ref[col].to_numpy()), col
    _check_same_report(hs.ingest_report(got), synthetic["mem"])

    surface = scale.kde(ddf, cells, bandwidth=800)
    ref_kde = hs.kde(mem, ref_cells, bandwidth=800, method="fft")
    np.testing.assert_allclose(surface["kde"], ref_kde["kde"], rtol=1e-9, atol=1e-9)
    # several reductions in one pass over the data give the same results
    both = scale.compute(scale.count(ddf, cells, compute=False),
                         scale.kde(ddf, cells, bandwidth=800, compute=False))
    assert np.array_equal(both[0]["n_incidents"].to_numpy(), ref["n_incidents"].to_numpy())
    np.testing.assert_array_equal(both[1]["kde"], surface["kde"])
    _check_same_report(hs.ingest_report(both[1]), synthetic["mem"])
    # the automatic bandwidth is the in-memory rule's, noted the same way
    auto = scale.kde(ddf, cells)
    ref_auto = hs.kde(mem, ref_cells, method="fft")
    assert auto.attrs["hotspot"]["kde"]["choices"]["bandwidth"] == \
        ref_auto.attrs["hotspot"]["kde"]["choices"]["bandwidth"]
    np.testing.assert_allclose(auto["kde"], ref_auto["kde"], rtol=1e-9, atol=1e-9)

    prof = scale.temporal_profile(ddf, by="offence", normalize=True)
    ref_prof = hs.temporal_profile(mem, by="offence", normalize=True)
    pd.testing.assert_frame_equal(prof, ref_prof, check_exact=False, rtol=1e-12)
    assert (prof.attrs["hotspot"]["temporal_profile"]["excluded"]
            == ref_prof.attrs["hotspot"]["temporal_profile"]["excluded"])

    daily = scale.aoristic(ddf, "D")
    ref_daily = hs.aoristic(mem, "D")
    assert daily["bin_start"].equals(ref_daily["bin_start"])
    np.testing.assert_allclose(daily["expected"], ref_daily["expected"], rtol=1e-12)

    cube = scale.space_time_cube(ddf, cells, freq="M")
    ref_cube = space_time_cube(mem, ref_cells, freq="M")
    assert cube.periods.equals(ref_cube.periods)
    assert np.array_equal(cube.counts, ref_cube.counts)
    emerging = scale.emerging_hotspots(ddf, cells, freq="Q")
    ref_emerging = hs.emerging_hotspots(mem, ref_cells, freq="Q")
    pd.testing.assert_frame_equal(emerging.drop(columns="geometry"),
                                  ref_emerging.drop(columns="geometry"))

    spots = scale.hotspots(ddf, cell_size=500)
    ref_spots = hs.hotspots(mem, cell_size=500)
    assert len(spots) > 0
    pd.testing.assert_frame_equal(spots.drop(columns="geometry"),
                                  ref_spots.drop(columns="geometry"))
    assert spots.geometry.geom_equals(ref_spots.geometry).all()

    conc = scale.concentration(ddf, cells)
    ref_conc = hs.concentration(hs.count(mem, ref_cells))
    assert conc.gini == ref_conc.gini


@pytest.mark.slow
@pytest.mark.shared_data
def test_police_uk_folder_equals_in_memory(shared_data):
    folder = shared_data / "west_yorkshire"
    ddf = scale.read_incidents(folder).persist()
    mem = hs.read_incidents(folder)
    assert ddf.npartitions == 3
    cells = scale.grid(ddf, 1000)
    got = scale.count(ddf, cells, by="offence")
    ref = hs.count(mem, hs.grid(mem, 1000), by="offence")
    for col in ref.columns.drop("geometry"):
        assert np.array_equal(got[col].to_numpy(), ref[col].to_numpy()), col
    report = hs.ingest_report(got)
    _check_same_report(report, mem)
    assert report.dropped["missing_coordinates"] > 0
    cube = scale.space_time_cube(ddf, cells, freq="M")
    assert np.array_equal(cube.counts, space_time_cube(mem, cells, freq="M").counts)


def test_sample_file_equals_in_memory():
    src = SAMPLE / "chicago_aggravated_assaults_2012_2013.csv.gz"
    ddf = scale.read_incidents(src, tz="America/Chicago")
    mem = hs.read_incidents(src, tz="America/Chicago")
    _check_same_rows(ddf, mem)
    prof = scale.temporal_profile(ddf)
    pd.testing.assert_frame_equal(prof, hs.temporal_profile(mem))
    _check_same_report(hs.ingest_report(prof), mem)


def test_crs_and_day_order_are_decided_once(tmp_path):
    """Partitions that alone would pick another UTM zone or month/day order agree."""
    rng = np.random.default_rng(0)
    # west.csv: 20 points west of 0 deg (UTM 30), day <= 12 (month-first when alone);
    # east.csv: 200 points east of 0 deg (UTM 31) with days > 12 (day-first).
    west = pd.DataFrame({"lon": rng.uniform(-0.2, -0.01, 20), "lat": rng.uniform(51.4, 51.6, 20),
                         "date": [f"03/04/2020 {h:02d}:30" for h in rng.integers(1, 24, 20)]})
    east = pd.DataFrame({"lon": rng.uniform(0.01, 0.2, 200),
                         "lat": rng.uniform(51.4, 51.6, 200),
                         "date": [f"{d}/05/2020 {h:02d}:15" for d, h in
                                  zip(rng.integers(13, 29, 200), rng.integers(1, 24, 200),
                                      strict=True)]})
    west.to_csv(tmp_path / "a_west.csv", index=False)
    east.to_csv(tmp_path / "b_east.csv", index=False)
    alone = hs.read_incidents(tmp_path / "a_west.csv")
    assert alone.crs.to_epsg() == 32630
    assert alone["occurred_at"].iloc[0].month == 3  # alone: month first
    ddf = scale.read_incidents(tmp_path)
    mem = hs.read_incidents(tmp_path)
    got = ddf.compute().reset_index(drop=True)
    assert got.crs.to_epsg() == mem.crs.to_epsg() == 32631
    first = got[got["source_file"] == "a_west.csv"]["occurred_at"]
    assert (first.dt.month == 4).all() and (first.dt.day == 3).all()  # day first, as b_east
    assert got["occurred_at"].equals(mem["occurred_at"])
    np.testing.assert_array_equal(got.geometry.x, mem.geometry.x)
    notes = " ".join(scale.ingest_report(ddf).notes)
    assert "to_crs = EPSG:32631" in notes and "dayfirst = True" in notes


@pytest.mark.slow
def test_large_csv_is_split_into_blocks(synthetic, tmp_path):
    """One CSV file in blocks of a few kB: the in-memory rows, row_ids and report."""
    big = tmp_path / "export.csv"
    text = synthetic["frame"].iloc[:2_000].to_csv(index=False, lineterminator="\r\n")
    big.write_text(text.replace("\r\n", "\r\n\r\n", 1))  # a blank line after the header
    ddf = scale.read_incidents(big, tz="America/Chicago", blocksize=50_000)
    assert ddf.npartitions == -(-big.stat().st_size // 50_000)
    mem = hs.read_incidents(big, tz="America/Chicago")
    _check_same_rows(ddf, mem)  # row_id: the position in the file, across blocks
    report = scale.ingest_report(ddf)
    _check_same_report(report, mem)
    dropped = report.dropped_rows.compute()
    assert sorted(dropped["row_id"]) == sorted(hs.ingest_report(mem).dropped_rows["row_id"])
    # a compressed file cannot be split: one partition, and the report says what to do
    packed = tmp_path / "export.csv.gz"
    with gzip.open(packed, "wt") as fh:
        fh.write(text)
    ddf = scale.read_incidents(packed, tz="America/Chicago", blocksize=1_000)
    assert ddf.npartitions == 1
    assert any("cannot be split" in n and "write_incidents" in n
               for n in scale.ingest_report(ddf).notes)
    with pytest.raises(InvalidInputError, match="blocksize"):
        scale.read_incidents(big, blocksize="lots")


def _rules_datasets(root: Path) -> tuple[Path, Path]:
    """Two folders of 3 CSV files where one file alone would decide a rule differently.

    ``stamps``: a_*.csv has every time at 00:00 and only dates that fit both day/month
    orders (alone: date_only, month first); b_*.csv shows day first and varied times;
    each file holds 10 incidents on one placeholder point (30 in all: a stack, while
    10 alone are not). ``clock``: a_*.csv has times 0-23 only (alone: hours), the
    others HHMM (so 5 is 00:05 everywhere).
    """
    rng = np.random.default_rng(7)
    stamps, clock = root / "stamps", root / "clock"
    stamps.mkdir()
    clock.mkdir()
    for i, name in enumerate(["a", "b", "c"]):
        n = 60
        lon = np.r_[rng.uniform(-87.66, -87.64, n), np.full(10, -87.65)]
        lat = np.r_[rng.uniform(41.84, 41.86, n), np.full(10, 41.85)]
        day = rng.integers(1, 13, n + 10) if i == 0 else rng.integers(1, 29, n + 10)
        at = [f"{d:02d}/{m:02d}/2021 {h:02d}:{mi:02d}" for d, m, h, mi in zip(
            day, rng.integers(1, 13, n + 10),
            np.zeros(n + 10, int) if i == 0 else rng.integers(0, 24, n + 10),
            np.zeros(n + 10, int) if i == 0 else rng.integers(0, 60, n + 10), strict=True)]
        pd.DataFrame({"Longitude": lon.round(6), "Latitude": lat.round(6), "Date Occurred": at,
                      "Offence": rng.choice(["THEFT", "ROBBERY"], n + 10)}).to_csv(
            stamps / f"{name}_{i}.csv", index=False)
        hhmm = rng.integers(0, 24, n) if i == 0 else (rng.integers(0, 24, n) * 100
                                                      + rng.integers(0, 60, n))
        pd.DataFrame({"Longitude": rng.uniform(-87.66, -87.64, n).round(6),
                      "Latitude": rng.uniform(41.84, 41.86, n).round(6),
                      "Date": [f"2021-03-{d:02d}" for d in rng.integers(1, 29, n)],
                      "Time": hhmm}).to_csv(clock / f"{name}_{i}.csv", index=False)
    return stamps, clock


@pytest.mark.slow
def test_rules_are_decided_once_for_the_whole_dataset(tmp_path):
    """A rule one file alone would decide otherwise gives the in-memory result and report."""
    stamps, clock = _rules_datasets(tmp_path)
    alone = hs.read_incidents(stamps / "a_0.csv")
    assert set(alone["time_quality"].astype(str)) == {"date_only"}
    assert set(alone["location_quality"].astype(str)) == {"exact"}
    alone_clock = hs.read_incidents(clock / "a_0.csv")
    assert (alone_clock["occurred_at"].dt.minute == 0).all()  # alone: hours of the day
    for folder in (stamps, clock):
        ddf = scale.read_incidents(folder)  # the zone inferred once, as in memory
        mem = hs.read_incidents(folder)
        _check_same_rows(ddf, mem, by_file=True)
        got = ddf.compute().reset_index(drop=True)
        assert got["location_quality"].astype(str).tolist() == \
            mem["location_quality"].astype(str).tolist()
        report = scale.ingest_report(ddf)
        _check_same_report(report, mem)
        ref = hs.ingest_report(mem)
        assert report.detected == ref.detected
        assert report.time_zone_source == ref.time_zone_source
        # the stacks of the partitions add up to the dataset's, in the same words
        assert [w for w in report.warnings if w.startswith("stacked")] == \
            [w for w in ref.warnings if w.startswith("stacked")]
        assert "rules" in report.notes[0] or any("rules" in n for n in report.notes)
    assert (mem["occurred_at"].dt.minute != 0).any()  # clock: HHMM in every file
    stacked = got["location_quality"].astype(str) == "stacked"
    assert stacked.sum() == 0  # (clock has no stack)
    got = scale.read_incidents(stamps, tz="America/Chicago").compute()
    assert (got["location_quality"].astype(str) == "stacked").sum() == 30
    assert scale.ingest_report(got_ddf := scale.read_incidents(stamps)).stacked_locations[
        "count"].tolist() == [30]
    assert got_ddf.npartitions == 3
    assert (got["time_quality"].astype(str) == "midnight").sum() == 70


def test_bad_partitions_are_reported_and_lose_no_other_rows(synthetic, tmp_path):
    folder = tmp_path / "mixed"
    shutil.copytree(synthetic["csv"], folder)
    (folder / "export_5.csv.gz").write_bytes(b"\x1f\x8b\x08\x00 corrupt gzip data")
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_csv(folder / "export_6.csv", index=False)
    ddf = scale.read_incidents(folder, tz="America/Chicago")
    cells = scale.grid(ddf, 500)
    with pytest.warns(hs.DataQualityWarning, match="could not be read"):
        got = scale.count(ddf, cells)
    report = hs.ingest_report(got)
    assert {Path(p).name for p in report.failed_sources} == {"export_5.csv.gz", "export_6.csv"}
    assert "coordinate" in report.failed_sources[str(folder / "export_6.csv")]
    _check_same_report(report, synthetic["mem"])
    ref = hs.count(synthetic["mem"], hs.grid(synthetic["mem"], 500))
    assert np.array_equal(got["n_incidents"].to_numpy(), ref["n_incidents"].to_numpy())
    assert "export_5.csv.gz could not be read" in str(report)
    with pytest.raises(InvalidInputError, match=r"export_\d\.csv"):
        scale.read_incidents(folder, tz="America/Chicago", errors="raise").compute()


def test_write_incidents_round_trip(synthetic, tmp_path):
    ddf = scale.read_incidents(synthetic["csv"], tz="America/Chicago")
    out = scale.write_incidents(ddf, tmp_path / "canon")
    again = scale.read_incidents(out)
    assert again.npartitions == ddf.npartitions
    got = again.compute().reset_index(drop=True)
    mem = synthetic["mem"]
    assert got.crs == mem.crs
    assert got["occurred_to"].equals(mem["occurred_to"])
    assert list(got["time_quality"].astype(str)) == list(mem["time_quality"].astype(str))
    cells = hs.grid(mem, 500)
    assert np.array_equal(scale.count(again, cells)["n_incidents"].to_numpy(),
                          hs.count(mem, cells)["n_incidents"].to_numpy())
    with pytest.raises(InvalidInputError, match="overwrite=True"):
        scale.write_incidents(mem, out)
    scale.write_incidents(mem, out, overwrite=True, partition_rows=2_500)
    assert len(list(out.glob("part-*.parquet"))) == 3


def test_arguments_errors(synthetic, tmp_path):
    with pytest.raises(InvalidInputError, match="Dask GeoDataFrame"):
        scale.count(synthetic["mem"], hs.grid(synthetic["mem"], 500))
    ddf = scale.read_incidents(synthetic["csv"], tz="America/Chicago")
    with pytest.raises(TypeError, match=r"hs\.scale"):
        hs.count(ddf, hs.grid(synthetic["mem"], 500))
    with pytest.raises(InvalidInputError, match="bandwidth"):
        scale.kde(ddf, hs.grid(synthetic["mem"], 500), bandwidth=-1)
    with pytest.raises(InvalidInputError, match="partition_rows"):
        scale.read_incidents(synthetic["csv"], partition_rows=0)
    (tmp_path / "a.csv").write_text("x\n1\n")
    (tmp_path / "b.parquet").write_bytes(b"")
    with pytest.raises(InvalidInputError, match="mixes Parquet and CSV"):
        scale.read_incidents(str(tmp_path / "*"))
    with gzip.open(tmp_path / "only_bad.csv.gz", "wb") as fh:
        fh.write(b"a,b\n1,2\n")
    with pytest.raises(InvalidInputError, match="could be read"):
        scale.read_incidents(tmp_path / "only_bad.csv.gz")


def test_missing_extra_names_what_to_install(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name.startswith("dask"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError, match=r"hotspot-crime\[dask\]"):
        scale.read_incidents("anything.csv")


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 300), k=st.integers(1, 6), seed=st.integers(0, 2**16),
       by=st.booleans())
def test_partition_tallies_sum_to_the_in_memory_count(n, k, seed, by):
    """Any split into partitions gives exactly the in-memory counts (per category too)."""
    import geopandas as gpd

    from hotspot.scale.read import merge_reports
    from hotspot.scale.reduce import _count_result, _lattice_of, _tally, _tally_sum

    rng = np.random.default_rng(seed)
    pts = gpd.GeoDataFrame(
        {"offence": rng.choice(["a", "b", "c d", None], n)},
        geometry=gpd.points_from_xy(rng.uniform(-50, 1050, n), rng.uniform(-50, 550, n)),
        crs="EPSG:32630")
    cells = hs.grid(gpd.GeoSeries(gpd.points_from_xy([0, 999], [0, 499]), crs=32630), 100)
    lattice = _lattice_of(cells)
    cuts = np.sort(rng.integers(0, n + 1, k - 1))
    col = "offence" if by else None
    bounds = zip([0, *cuts], [*cuts, n], strict=True)
    pieces = [_tally(pts.iloc[a:b], lattice, col, None, None) for a, b in bounds if b > a]
    got = _count_result(_tally_sum(pieces), merge_reports([], None), units=cells, by=col,
                        weight=None, max_distance=None, n_partitions=k, path="")
    ref = hs.count(pts, cells, by=col)
    for c in ref.columns.drop("geometry"):
        assert np.array_equal(got[c].to_numpy(), ref[c].to_numpy()), c
    assert got.attrs["hotspot"]["count"]["n_outside"] == ref.attrs["hotspot"]["count"]["n_outside"]


@pytest.mark.parametrize(("n", "weighted"), [(401, False), (400, False), (400, True)])
def test_automatic_bandwidth_equals_in_memory(n, weighted):
    """The rule's statistics by reductions give the in-memory bandwidth (ties included)."""
    import dask_geopandas
    import geopandas as gpd

    from hotspot.scale.bandwidth import dataset_bandwidth
    from hotspot.scan.density import _rule_choice

    rng = np.random.default_rng(n)
    xy = rng.normal(0, 700, size=(n, 2)).round(-1)  # many tied distances
    w = rng.integers(0, 4, n).astype(float) if weighted else np.ones(n)
    gdf = gpd.GeoDataFrame({"harm": w}, geometry=gpd.points_from_xy(*xy.T),
                           crs="EPSG:32616")
    weight = "harm" if weighted else None
    for kernel in ("quartic", "gaussian"):
        got, ref = {}, {}
        h = dataset_bandwidth(dask_geopandas.from_geopandas(gdf, npartitions=3), kernel,
                              weight, got)
        assert h == _rule_choice(xy, w, weight, kernel, ref)
        assert got == ref


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(-10**6, 10**6), st.text(
    alphabet="abcé ,;", max_size=12)), min_size=1, max_size=60),
       blocksize=st.integers(1, 400), crlf=st.booleans(), blank=st.integers(0, 60))
def test_csv_blocks_hold_every_row_once_in_order(tmp_path_factory, rows, blocksize, crlf,
                                                 blank):
    """Blocks cut at line starts: their rows, in order, are the file's rows."""
    from hotspot.ingest.readers import read_csv_block
    from hotspot.scale.read import _block_bounds, _block_rows, _Part

    frame = pd.DataFrame(rows, columns=["n", "text"])
    end = "\r\n" if crlf else "\n"
    lines = frame.to_csv(index=False, lineterminator=end).split(end)
    lines.insert(min(blank, len(lines) - 1) + 1, "")  # a blank line somewhere
    path = tmp_path_factory.mktemp("blocks") / "f.csv"
    path.write_bytes(end.join(lines).encode("utf-8"))
    whole = pd.read_csv(path, keep_default_na=False)
    bounds, header_end = _block_bounds(path, blocksize)
    pieces, offset = [], 0
    for a, b in pairwise(bounds):
        n = _block_rows(_Part(str(path), "csv-block", block=(a, b, header_end)))
        got = read_csv_block(path, a, b, header_end, "utf-8", ",") if n else whole.iloc[:0]
        assert len(got) == n
        pieces.append(got.assign(row_id=np.arange(offset, offset + n)))
        offset += n
    got = pd.concat(pieces, ignore_index=True)
    assert got["row_id"].tolist() == list(range(len(whole)))
    assert got["n"].astype(int).tolist() == whole["n"].astype(int).tolist()
