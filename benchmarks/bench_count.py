"""Benchmark: counting incidents into a 100 m square grid.

Compares, in one run and on the same synthetic incidents:

* ``hotspot.units.counting.count(incidents, cells)`` (binning fast path, from a GeoDataFrame);
* the plain geopandas way: ``gpd.sjoin(incidents, cells, predicate="within")`` then
  ``value_counts`` per cell (timed from the same ready GeoDataFrame; the time of
  ``gpd.points_from_xy`` to build that frame is shown separately);
* a bare ``np.bincount`` on the same coordinates already in numpy arrays (no
  geometry, no validation, no output frame), written two ways: the usual
  ``(y - y0) // cell`` floor division, and the faster ``np.floor((y - y0) / cell)``;
* the coordinate extraction alone (``shapely.get_x`` + ``shapely.get_y`` on the
  GeoSeries), which count() pays once per geometry array and the bare bincount
  does not.

count() is timed twice: **cold** (the coordinate cache of
:mod:`hotspot._core.coords` emptied before each run, so the x/y are read from the
shapely points) and **warm** (the same incidents counted again, as every step of a
pipeline run after the first does: the coordinates are read once per run).

Targets (issue 10): count >= 40x faster than sjoin at 1e6, and within 2x of the
bare ``//`` bincount at 1e6 (and 1e5).

Usage: ``python benchmarks/bench_count.py [--quick]`` (``--quick``: 1e5 and 1e6
incidents; the full run adds 5e6, where sjoin is extrapolated linearly from 1e6
unless ``--sjoin-full`` is given).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import median_time

from hotspot._core import coords
from hotspot.units.build import grid
from hotspot.units.counting import count

EXTENT = 20_000.0  # metres: a 20 km x 20 km city
CELL = 100.0
CRS = "EPSG:32616"
ORIGIN = (440_000.0, 4_630_000.0)


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Half uniform background, half in 200 gaussian hotspots, clipped to the city."""
    rng = np.random.default_rng(seed)
    n_bg = n // 2
    centres = rng.uniform(0, EXTENT, size=(200, 2))
    which = rng.integers(0, 200, size=n - n_bg)
    hot = centres[which] + rng.normal(0, 150, size=(n - n_bg, 2))
    xy = np.concatenate([rng.uniform(0, EXTENT, size=(n_bg, 2)), hot])
    xy = np.clip(xy, 0.5, EXTENT - 0.5)  # no point exactly on a cell edge
    return xy[:, 0] + ORIGIN[0], xy[:, 1] + ORIGIN[1]




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1e5 and 1e6 incidents only")
    parser.add_argument("--sjoin-full", action="store_true",
                        help="run sjoin at 5e6 instead of extrapolating it")
    args = parser.parse_args()
    sizes = [100_000, 1_000_000] if args.quick else [100_000, 1_000_000, 5_000_000]

    corner = gpd.GeoSeries(
        gpd.points_from_xy([ORIGIN[0], ORIGIN[0] + EXTENT - 1e-6],
                           [ORIGIN[1], ORIGIN[1] + EXTENT - 1e-6]), crs=CRS)
    cells = grid(corner, CELL)
    spec = cells.attrs["hotspot"]["grid"]
    x0, y0, nx, n_cells = spec["x0"], spec["y0"], spec["nx"], len(cells)
    print(f"grid: {n_cells:,} cells of {CELL:g} m over {EXTENT / 1000:g} km x "
          f"{EXTENT / 1000:g} km\n")

    rows = []
    sjoin_rate = None
    for n in sizes:
        x, y = synthetic(n)
        reps = 5 if n <= 1_000_000 else 3
        t_pfxy, pts = median_time(lambda x=x, y=y: gpd.GeoDataFrame(
            geometry=gpd.points_from_xy(x, y), crs=CRS), 1)

        def bare(x=x, y=y):
            idx = ((y - y0) // CELL).astype(np.int64) * nx + ((x - x0) // CELL).astype(np.int64)
            return np.bincount(idx, minlength=n_cells)

        def bare_floor(x=x, y=y):
            idx = (np.floor((y - y0) / CELL).astype(np.int64) * nx
                   + np.floor((x - x0) / CELL).astype(np.int64))
            return np.bincount(idx, minlength=n_cells)

        def extract(pts=pts):
            geoms = np.asarray(pts.geometry.array)
            return shapely.get_x(geoms), shapely.get_y(geoms)

        def ours(pts=pts):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return count(pts, cells)

        def ours_cold(pts=pts):
            coords._CACHE.clear()
            return ours(pts)

        def sjoin(pts=pts):
            joined = gpd.sjoin(pts, cells, predicate="within", how="inner")
            return joined["unit_id"].value_counts().reindex(cells.index, fill_value=0)

        t_bare, ref = median_time(bare, reps)
        t_floor, ref2 = median_time(bare_floor, reps)
        t_xy, _ = median_time(extract, reps)
        t_cold, res_cold = median_time(ours_cold, reps)
        t_ours, res = median_time(ours, reps)
        if not (np.array_equal(res["n_incidents"].to_numpy(), ref)
                and np.array_equal(res_cold["n_incidents"].to_numpy(), ref)
                and np.array_equal(ref2, ref)):
            print(f"MISMATCH between count() and bincount at n={n}")
            return 1
        note = ""
        if n <= 1_000_000 or args.sjoin_full:
            t_sjoin, sj = median_time(sjoin, 3 if n <= 100_000 else 1)
            if not np.array_equal(sj.to_numpy(), ref):
                print(f"MISMATCH between sjoin and bincount at n={n}")
                return 1
            sjoin_rate = t_sjoin / n
        else:
            t_sjoin = sjoin_rate * n
            note = " (extrapolated linearly from 1e6)"
        rows.append((n, t_pfxy, t_sjoin, t_cold, t_ours, t_bare, t_floor, t_xy, note))
        del pts, x, y

    print("| incidents | points_from_xy s | sjoin s | count() cold s | count() warm s "
          "| get_x+get_y s | bincount `//` s | bincount floor s | sjoin / count cold "
          "| sjoin / count warm | count cold / bincount `//` | count warm / bincount `//` |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, t_pfxy, t_sjoin, t_cold, t_ours, t_bare, t_floor, t_xy, note in rows:
        print(f"| {n:,} | {t_pfxy:.3f} | {t_sjoin:.3f}{note} | {t_cold:.4f} | {t_ours:.4f} "
              f"| {t_xy:.4f} | {t_bare:.4f} | {t_floor:.4f} | {t_sjoin / t_cold:.1f}x "
              f"| {t_sjoin / t_ours:.1f}x | {t_cold / t_bare:.2f}x | {t_ours / t_bare:.2f}x |")
    ingest_row = _first_count_after_ingest(cells, rows)
    if ingest_row is None:
        return 1
    print("\nMedian wall-clock seconds. sjoin times exclude points_from_xy (both methods "
          "start from the same GeoDataFrame). cold = coordinates read from the shapely "
          "points in the call; warm = read once per geometry array and reused (a pipeline "
          "run counts the same incidents several times). Targets: sjoin / count >= 40x and "
          "count / bincount `//` <= 2x at 1e6.")
    n, t_first, t_sjoin, t_bare = ingest_row
    print(f"\nIncidents from read_incidents ({n:,}; the reader hands over the coordinates it "
          f"built the points from): first count() {t_first:.4f} s; sjoin / count "
          f"{t_sjoin / t_first:.1f}x; count / bincount `//` {t_first / t_bare:.2f}x. This is "
          "the pipeline's path (read, then count): no coordinate is read from shapely points.")
    return 0


def _first_count_after_ingest(cells, rows):
    """Time the first count() of incidents straight from read_incidents (1e6 rows)."""
    import pandas as pd

    from hotspot.ingest.incidents import read_incidents

    row = next((r for r in rows if r[0] == 1_000_000), None)
    if row is None:
        return (0, float("nan"), float("nan"), float("nan"))
    n, _, t_sjoin, _, _, t_bare = row[:6]
    x, y = synthetic(n)
    frame = pd.DataFrame({"x": x, "y": y, "date": "2021-03-04 10:00"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        incidents = read_incidents(frame, x="x", y="y", crs=CRS, tz="UTC")
        t_first, res = median_time(lambda: count(incidents, cells), 1)
    idx = ((y - cells.attrs["hotspot"]["grid"]["y0"]) // CELL).astype(np.int64) * \
        cells.attrs["hotspot"]["grid"]["nx"] + \
        ((x - cells.attrs["hotspot"]["grid"]["x0"]) // CELL).astype(np.int64)
    if not np.array_equal(res["n_incidents"].to_numpy(), np.bincount(idx, minlength=len(cells))):
        print("MISMATCH between count() after read_incidents and bincount")
        return None
    return n, t_first, t_sjoin, t_bare


if __name__ == "__main__":
    raise SystemExit(main())
