"""Benchmark: beyond one machine's memory with hotspot.scale on dask.distributed.

Synthetic police records (longitude, latitude, a typed timestamp, an offence type;
0.5 % without coordinates) are written as a partitioned Parquet dataset of 1 million
rows per file over a 100 km x 100 km region. Both paths then do the same work:

* **scale**: ``hs.scale.read_incidents(folder)`` on a ``LocalCluster`` of worker
  processes (``--workers``, one thread each, ``--memory-limit`` each) -> count into
  the region's 100 m grid and FFT KDE in one pass (``hs.scale.compute``) -> Gi* ->
  hotspots in memory on the grid;
* **in memory** (sizes up to ``--max-in-memory``): ``hs.read_incidents`` of the same
  files -> ``hs.count`` -> ``hs.kde(method="fft")`` -> ``hs.gi_star`` -> ``hs.hotspots``,
  in a child process so that its peak memory is its own.

Printed per size: wall time, rows per second, peak resident memory of the client
and of each worker (sampled every 0.1 s), and the ratio of the in-memory path's
rows per second to the scale path's (below 1: the scale path is faster). The counts
of both paths are compared cell by cell.

Targets (issue 16): 5e7 incidents with no process above 4 GB; per-row throughput
within 2x of the in-memory path at 5e6.

Usage: ``python benchmarks/bench_scale.py [--sizes 5e6 5e7 ...] [--workers 2]
[--memory-limit 3.5GB] [--data DIR] [--keep]``. Default size: 5e6 only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROWS_PER_FILE = 1_000_000
LON0, LAT0 = -2.6, 52.0  # south-west corner (West Midlands, UTM zone 30)
SPAN_LON, SPAN_LAT = 1.47, 0.9  # about 100 km x 100 km
CELL = 100.0
BANDWIDTH = 400.0
TZ = "Europe/London"
OFFENCES = np.array(["burglary", "robbery", "vehicle crime", "violence", "criminal damage",
                     "theft from the person", "shoplifting", "drugs"])


def write_dataset(folder: Path, n: int, seed: int = 0) -> None:
    """Write ``n`` synthetic records as ``ceil(n / ROWS_PER_FILE)`` Parquet files."""
    folder.mkdir(parents=True, exist_ok=True)
    centres = np.random.default_rng(seed).uniform(0, 1, size=(400, 2))
    for i in range(math.ceil(n / ROWS_PER_FILE)):
        k = min(ROWS_PER_FILE, n - i * ROWS_PER_FILE)
        rng = np.random.default_rng(seed + 1 + i)
        u = rng.uniform(0, 1, size=(k, 2))
        hot = rng.random(k) < 0.5
        which = rng.integers(0, len(centres), size=int(hot.sum()))
        u[hot] = np.clip(centres[which] + rng.normal(0, 0.004, size=(int(hot.sum()), 2)), 0, 1)
        lon = LON0 + u[:, 0] * SPAN_LON
        lat = LAT0 + u[:, 1] * SPAN_LAT
        lon[rng.random(k) < 0.005] = np.nan
        t = (np.datetime64("2015-01-01T00:00") + rng.integers(0, 10 * 365 * 1440, size=k)
             .astype("timedelta64[m]"))
        frame = pd.DataFrame({"longitude": lon.round(6), "latitude": lat.round(6),
                              "occurred": t,
                              "offence_type": OFFENCES[rng.integers(0, len(OFFENCES), k)]})
        frame.to_parquet(folder / f"part-{i:05d}.parquet", row_group_size=250_000,
                         index=False)


def region_grid():
    """The 100 m grid over the region (the same for both paths)."""
    import geopandas as gpd
    import shapely

    import hotspot as hs

    box = gpd.GeoDataFrame(geometry=[shapely.box(LON0, LAT0, LON0 + SPAN_LON, LAT0 + SPAN_LAT)],
                           crs="EPSG:4326").to_crs("EPSG:32630")
    return hs.grid(box, CELL)


class PeakSampler:
    """Peak resident memory (bytes) of some processes, sampled in a thread."""

    def __init__(self, pids: dict[str, int], every: float = 0.1) -> None:
        import psutil

        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.peak = dict.fromkeys(pids, 0)
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, proc in self.procs.items():
                try:
                    self.peak[name] = max(self.peak[name], proc.memory_info().rss)
                except Exception:  # a process that ended
                    continue
            time.sleep(self.every)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def scale_path(folder: Path, workers: int, memory_limit: str) -> dict:
    import distributed

    import hotspot as hs

    cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                       processes=True, memory_limit=memory_limit,
                                       dashboard_address=None, silence_logs=50)
    client = distributed.Client(cluster)
    try:
        pids = {"client": os.getpid()}
        for i, (_, pid) in enumerate(sorted(client.run(os.getpid).items())):
            pids[f"worker {i + 1}"] = pid
        cells = region_grid()
        with PeakSampler(pids) as mem:
            t0 = time.perf_counter()
            ddf = hs.scale.read_incidents(folder, tz=TZ)
            counted, surface = hs.scale.compute(
                hs.scale.count(ddf, cells, compute=False),
                hs.scale.kde(ddf, cells, bandwidth=BANDWIDTH, compute=False))
            gi = hs.gi_star(counted)
            spots = hs.hotspots(gi)
            wall = time.perf_counter() - t0
        report = hs.ingest_report(counted)
        return {"wall": wall, "rows": report.rows_read, "peak": mem.peak,
                "n_hotspots": len(spots), "kde_max": float(surface["kde"].max()),
                "counts": counted["n_incidents"].to_numpy(), "npartitions": ddf.npartitions}
    finally:
        client.close()
        cluster.close()


def memory_child(folder: str, out: str) -> None:
    """The in-memory path (run in its own process); writes timings as JSON."""
    import hotspot as hs

    cells = region_grid()
    t0 = time.perf_counter()
    inc = hs.read_incidents(str(Path(folder) / "*.parquet"), tz=TZ)
    counted = hs.count(inc, cells)
    surface = hs.kde(inc, cells, bandwidth=BANDWIDTH, method="fft")
    spots = hs.hotspots(hs.gi_star(counted))
    wall = time.perf_counter() - t0
    np.save(out + ".npy", counted["n_incidents"].to_numpy())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    Path(out).write_text(json.dumps({"wall": wall, "rows": hs.ingest_report(inc).rows_read,
                                     "peak": peak, "n_hotspots": len(spots),
                                     "kde_max": float(surface["kde"].max())}))


def memory_path(folder: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "mem.json")
        subprocess.run([sys.executable, __file__, "--memory-child", str(folder), out],
                       check=True)
        res = json.loads(Path(out).read_text())
        res["counts"] = np.load(out + ".npy")
    return res


def gb(v: float) -> str:
    return f"{v / 1e9:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", type=float, default=[5e6])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="3.5GB")
    ap.add_argument("--max-in-memory", type=float, default=5e6,
                    help="largest size also run in memory (default 5e6)")
    ap.add_argument("--data", type=Path, default=None,
                    help="folder for the datasets (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the written datasets")
    ap.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    if args.memory_child:
        memory_child(*args.memory_child)
        return
    root = args.data or Path(tempfile.mkdtemp(prefix="hotspot-bench-scale-"))
    rows = []
    try:
        for size in args.sizes:
            n = int(size)
            folder = root / f"incidents_{n}"
            if not folder.exists():
                t0 = time.perf_counter()
                write_dataset(folder, n)
                print(f"wrote {n:,} records in {time.perf_counter() - t0:.0f} s "
                      f"({math.ceil(n / ROWS_PER_FILE)} Parquet files)", flush=True)
            sc = scale_path(folder, args.workers, args.memory_limit)
            workers = [v for k, v in sc["peak"].items() if k.startswith("worker")]
            row = {"rows": n, "path": f"scale ({args.workers} workers)", "wall": sc["wall"],
                   "client": sc["peak"]["client"], "workers": workers}
            rows.append(row)
            print(f"{n:,} rows, scale: {sc['wall']:.1f} s, {n / sc['wall']:,.0f} rows/s, "
                  f"client {gb(sc['peak']['client'])} GB, workers "
                  f"{', '.join(gb(w) for w in workers)} GB, {sc['npartitions']} partitions, "
                  f"{sc['n_hotspots']} hotspots", flush=True)
            if n <= args.max_in_memory:
                mem = memory_path(folder)
                rows.append({"rows": n, "path": "in memory", "wall": mem["wall"],
                             "client": mem["peak"], "workers": []})
                same = bool(np.array_equal(mem["counts"], sc["counts"]))
                ratio = (n / mem["wall"]) / (n / sc["wall"])
                row["ratio"] = ratio
                print(f"{n:,} rows, in memory: {mem['wall']:.1f} s, {n / mem['wall']:,.0f} "
                      f"rows/s, peak {gb(mem['peak'])} GB; counts equal: {same}; "
                      f"KDE max {sc['kde_max']:.6g} vs {mem['kde_max']:.6g}; ratio "
                      f"(in-memory rows/s / scale rows/s) {ratio:.2f}", flush=True)
    finally:
        if not args.keep and args.data is None:
            shutil.rmtree(root, ignore_errors=True)
    print("\n| incidents | path | wall (s) | rows/s | peak client (GB) | peak per worker (GB) "
          "| in-memory / scale rows/s |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        w = ", ".join(gb(v) for v in r["workers"]) or "-"
        ratio = f"{r['ratio']:.2f}" if "ratio" in r else "-"
        print(f"| {r['rows']:,} | {r['path']} | {r['wall']:.1f} | {r['rows'] / r['wall']:,.0f} "
              f"| {gb(r['client'])} | {w} | {ratio} |")


if __name__ == "__main__":
    main()
