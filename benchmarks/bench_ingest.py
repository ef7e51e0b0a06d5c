"""Benchmark: hs.read_incidents vs plain pandas + geopandas on a synthetic incident CSV.

The baseline is what an analyst writes by hand (no checks, no time parsing, no report):

    df = pd.read_csv(path)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.longitude, df.latitude),
                           crs=4326).to_crs(32616)

``read_incidents`` additionally detects columns, parses the date column, accounts for
every row (drop reasons), chooses the UTM zone and runs the data-quality checks. The
target is a ratio of at most 2 at 1e6 rows.

Two date-column workloads: ISO timestamps (which the Arrow CSV reader parses while
reading) and Socrata-style text (``"01/05/2019 09:30:00 PM"``, parsed by
read_incidents only). A second baseline uses ``engine="pyarrow"`` for the same steps.

A small file (1,000 rows) shows the fixed cost of a call: the UTM zone used to come from
geopandas' ``estimate_utm_crs``, a pyproj database query of about 50 ms (0.27 s on a busy
machine); it is now a formula (``hotspot._core.crs.utm_epsg``).

Usage: ``python benchmarks/bench_ingest.py [--quick | --small]`` (``--quick``: 1e3, 1e5
and 1e6 rows; ``--small``: 1e3 rows only; otherwise also 5e6 rows). Prints a markdown
table and exits 0.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hotspot.ingest.incidents import read_incidents
from hotspot.ingest.report import ingest_report

OFFENCES = np.array(["theft", "battery", "assault", "burglary", "robbery",
                     "criminal damage", "narcotics", "motor vehicle theft"])


def make_csv(path: Path, n: int, seed: int = 0, text_dates: bool = False) -> None:
    """Write a Chicago-like incident CSV with ``n`` rows (0.1 % rows without coordinates).

    ``text_dates``: Socrata-style ``"01/05/2019 09:30:00 PM"`` text instead of ISO
    timestamps (which the Arrow CSV reader already parses while reading).
    """
    rng = np.random.default_rng(seed)
    lon = np.round(rng.uniform(-87.85, -87.55, n), 6)
    lat = np.round(rng.uniform(41.65, 42.02, n), 6)
    missing = rng.random(n) < 0.001
    lon[missing] = np.nan
    lat[missing] = np.nan
    start = np.datetime64("2015-01-01T00:00:00", "s").astype(np.int64)
    secs = start + rng.integers(0, 5 * 365 * 86400, n)
    dates = pa.array(secs.astype("datetime64[s]"))
    if text_dates:
        import pyarrow.compute as pc

        dates = pc.strftime(dates, format="%m/%d/%Y %I:%M:%S %p")
    table = pa.table({
        "id": pa.array(np.arange(n, dtype=np.int64) + 10_000_000),
        "date": dates,
        "primary_type": pa.array(OFFENCES[rng.integers(0, len(OFFENCES), n)]),
        "district": pa.array(rng.integers(1, 26, n)),
        "longitude": pa.array(lon),
        "latitude": pa.array(lat),
    })
    pacsv.write_csv(table, path)


def baseline(path: Path) -> gpd.GeoDataFrame:
    df = pd.read_csv(path)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["longitude"], df["latitude"]),
                           crs=4326)
    return gdf.to_crs(32616)


def baseline_arrow(path: Path) -> gpd.GeoDataFrame:
    df = pd.read_csv(path, engine="pyarrow")
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["longitude"], df["latitude"]),
                           crs=4326)
    return gdf.to_crs(32616)


def ours(path: Path) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_incidents(path)


def timed(fn, path: Path, repeats: int) -> tuple[float, object]:
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn(path)
        times.append(time.perf_counter() - t0)
        if out is not None and _ < repeats - 1:
            del out
    return statistics.median(times), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1e3, 1e5 and 1e6 rows only")
    parser.add_argument("--small", action="store_true", help="1e3 rows only")
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args(argv)
    runs = [("ISO timestamps", False, 1_000)]
    if not args.small:
        runs += [("ISO timestamps", False, 100_000), ("ISO timestamps", False, 1_000_000)]
        if not args.quick:
            runs.append(("ISO timestamps", False, 5_000_000))
        runs.append(("Socrata text dates", True, 1_000_000))
    rows = []
    warm = False
    with tempfile.TemporaryDirectory(prefix="hotspot_bench_ingest_") as tmp:
        for label, text_dates, n in runs:
            path = Path(tmp) / f"incidents_{n}_{int(text_dates)}.csv"
            make_csv(path, n, text_dates=text_dates)
            repeats = args.repeats or (15 if n <= 1_000 else 3 if n <= 100_000 else 2)
            if not warm:
                ours(path)  # warm-up (imports, pyproj database)
                warm = True
            t_base, base = timed(baseline, path, repeats)
            n_base = len(base)
            del base
            t_arrow, base = timed(baseline_arrow, path, repeats)
            del base
            t_ours, gdf = timed(ours, path, repeats)
            rep = ingest_report(gdf)
            assert rep.rows_read == n == rep.rows_kept + sum(rep.dropped.values())
            assert rep.detected["datetime"] == "date"
            rows.append((label, n, t_base, t_arrow, t_ours, n_base, rep.rows_kept,
                         rep.dropped["missing_coordinates"]))
            del gdf
            path.unlink()
    print("## Ingest: `hs.read_incidents` vs `pd.read_csv` + `points_from_xy` + `to_crs`\n")
    print("| date column | rows | pandas+geopandas (s) | same, pyarrow CSV engine (s) "
          "| read_incidents (s) | ratio | ratio vs pyarrow-engine baseline "
          "| rows kept (baseline / ours) | dropped: missing_coordinates |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, n, tb, ta, to, nb, nk, nd in rows:
        print(f"| {label} | {n:,} | {tb:.3f} | {ta:.3f} | {to:.3f} | {to / tb:.2f} "
              f"| {to / ta:.2f} | {nb:,} / {nk:,} | {nd:,} |")
    print("\nMedian of the repeats. Baseline keeps rows without coordinates as empty points "
          "and parses no dates; read_incidents drops and reports them, parses `date`, "
          "detects columns and runs the data-quality checks. Target: ratio <= 2 at 1e6 rows.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
