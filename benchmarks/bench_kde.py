"""Benchmark: KDE of 1e6 points on a 600×600 grid of 50 m cells, quartic kernel, h = 200 m.

Compares, in one run on the same data:

* ours, array core: ``linear_bin`` + ``kde_grid`` (FFT) on the grid padded by the kernel;
* ours, full ``hotspot.scan.density.kde`` on a GeoDataFrame of incidents and a 600×600
  square-grid GeoDataFrame (coordinate extraction, checks, copy of the units);
* KDEpy ``FFTKDE(kernel="biweight", bw=200/√7)`` (the same quartic kernel: KDEpy's
  ``bw`` is the kernel's standard deviation) evaluated on the same 50 m cell centres;
* scikit-learn ``KernelDensity(kernel="epanechnikov", bandwidth=200, algorithm="kd_tree",
  rtol=1e-4)`` (scikit-learn has no quartic kernel; the Epanechnikov has the same
  support and a similar cost). Scoring all 360,000 cell centres is too slow, so it scores
  a random subsample of centres and the time is extrapolated linearly to the full grid
  (plus the tree-building ``fit`` once); the output says so.

Usage: ``python benchmarks/bench_kde.py [--quick]`` (``--quick``: fewer repeats and a
smaller scikit-learn subsample; the workload itself is the same).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
import warnings

import numpy as np
from _timing import median_time

N_POINTS = 1_000_000
NX = NY = 600
CELL = 50.0
H = 200.0


def make_points(rng: np.random.Generator) -> np.ndarray:
    """Clustered incidents (200 hotspots + 20 % background) inside the grid."""
    centres = rng.uniform(2_000, 28_000, (200, 2))
    spread = rng.uniform(200, 1_500, 200)
    n_bg = N_POINTS // 5
    k = rng.integers(0, 200, N_POINTS - n_bg)
    clustered = centres[k] + rng.normal(0, 1, (len(k), 2)) * spread[k, None]
    background = rng.uniform(0, NX * CELL, (n_bg, 2))
    xy = np.vstack([clustered, background])
    # KDEpy needs every point strictly inside its grid of cell centres
    return np.clip(xy, CELL, NX * CELL - CELL)




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller subsample")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    n_sub = 1_000 if args.quick else 4_000

    import geopandas as gpd
    from KDEpy import FFTKDE
    from sklearn.neighbors import KernelDensity

    from hotspot._core.grid import GridSpec, grid_frame
    from hotspot.scan.density import kde, kde_grid, linear_bin, support_radius

    rng = np.random.default_rng(12345)
    xy = make_points(rng)
    spec = GridSpec(0.0, 0.0, CELL, NX, NY)
    xs, ys = spec.centres()

    # --- ours, array core
    pad = math.ceil(support_radius("quartic") * H / CELL) + 1
    work = GridSpec(-pad * CELL, -pad * CELL, CELL, NX + 2 * pad, NY + 2 * pad)

    def ours_core() -> np.ndarray:
        counts, _ = linear_bin(work, xy[:, 0], xy[:, 1])
        return kde_grid(counts, CELL, H, "quartic")[pad:-pad, pad:-pad]

    ours_core()  # warm-up (imports, FFT plans)
    t_core, dens = median_time(ours_core, repeats)

    # --- ours, GeoDataFrame in and out
    incidents = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=32616)
    units = grid_frame(spec, "EPSG:32616")

    def ours_full():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the 360,000-cell grid is the workload
            return kde(incidents, units, bandwidth=H, method="fft")

    t_full, surface = median_time(ours_full, max(2, repeats // 2))
    full_dens = surface["kde"].to_numpy().reshape(NY, NX) / 1e6

    # --- KDEpy on the same cell centres (x-major grid, as KDEpy wants it)
    grid_points = np.column_stack([np.repeat(xs, NY), np.tile(ys, NX)])

    def kdepy() -> np.ndarray:
        return FFTKDE(kernel="biweight", bw=H / math.sqrt(7)).fit(xy).evaluate(grid_points)

    kdepy()
    t_kdepy, peer = median_time(kdepy, repeats)
    peer = np.asarray(peer).reshape(NX, NY).T * N_POINTS

    # --- scikit-learn, subsample of centres, extrapolated
    t0 = time.perf_counter()
    skl = KernelDensity(kernel="epanechnikov", bandwidth=H, algorithm="kd_tree", rtol=1e-4)
    skl.fit(xy)
    t_fit = time.perf_counter() - t0
    centres = np.column_stack([np.tile(xs, NY), np.repeat(ys, NX)])
    sub = centres[rng.choice(len(centres), n_sub, replace=False)]
    t0 = time.perf_counter()
    skl.score_samples(sub)
    t_score = time.perf_counter() - t0
    t_sklearn = t_fit + t_score * len(centres) / n_sub

    diff_peer = float(np.abs(dens - peer).max() / dens.max())
    diff_full = float(np.abs(dens - full_dens).max() / dens.max())

    print(f"# KDE benchmark: {N_POINTS:,} points, {NX}×{NY} grid of {CELL:g} m, h = {H:g} m")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, median of {repeats} runs (full kde(): "
        f"{max(2, repeats // 2)})"
    )
    print()
    print("| implementation | time (s) | ratio peer / ours-core |")
    print("|---|---:|---:|")
    print(f"| hotspot core (linear_bin + kde_grid, FFT) | {t_core:.3f} | 1.0 |")
    print(f"| hotspot kde() GeoDataFrame in/out | {t_full:.3f} | {t_full / t_core:.2f} |")
    print(f"| KDEpy FFTKDE biweight (same kernel) | {t_kdepy:.3f} | {t_kdepy / t_core:.2f} |")
    print(
        f"| scikit-learn KernelDensity kd_tree rtol=1e-4, epanechnikov "
        f"(EXTRAPOLATED from {n_sub:,} of {len(centres):,} centres, fit {t_fit:.2f} s) | "
        f"{t_sklearn:.1f} | {t_sklearn / t_core:.0f} |"
    )
    print()
    print(
        f"targets: sklearn/ours >= 200: {t_sklearn / t_core:.0f} "
        f"({'ok' if t_sklearn / t_core >= 200 else 'MISSED'}; full kde(): "
        f"{t_sklearn / t_full:.0f}); "
        f"ours/KDEpy <= 1.5: {t_core / t_kdepy:.2f} "
        f"({'ok' if t_core / t_kdepy <= 1.5 else 'MISSED'}); "
        f"ours < 0.5 s: {t_core:.3f} s ({'ok' if t_core < 0.5 else 'MISSED'}); "
        f"full kde() < 0.5 s: {t_full:.3f} s ({'ok' if t_full < 0.5 else 'MISSED'})"
    )
    print(f"agreement: max |ours − KDEpy| / max = {diff_peer:.2e}; core vs kde(): {diff_full:.1e}")


if __name__ == "__main__":
    main()
