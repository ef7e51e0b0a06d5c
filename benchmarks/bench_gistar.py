"""Gi* and local Moran speed: hotspot.stats against esda, in the same run.

Workloads (queen contiguity on a square grid of Poisson counts with planted hot spots):

1. analytic Gi* on 300 x 300 = 90,000 cells. hotspot: building the weights from the grid
   frame (``weights_for_units``) + ``gi_star_arrays``. esda: ``G_Local(y, w,
   transform="B", star=True, permutations=0)`` with the libpysal ``lat2W`` weights built
   beforehand (not timed; its build time is printed separately).
2. Gi* with 999 conditional permutations (same grid; 100 x 100 with ``--quick``).
   hotspot: ``gi_star_arrays(..., permutations=999)`` (weights prebuilt); esda:
   ``G_Local(..., permutations=999)`` with its default ``n_jobs=-1``.
3. local Moran with 999 permutations on 100 x 100 cells: ``local_moran_arrays`` vs
   ``esda.Moran_Local(..., permutations=999)`` (its default ``n_jobs=1``).
4. the calibrated default, exact conditional randomisation (``permutations=None``), on
   the grid of workload 2 against esda's 999 permutations there, and on 90,000 cells
   (target: within 1 s and at least 100x faster than esda's 999 permutations).
5. the null false-positive rate: skewed counts (negative binomial, skew about 8)
   shuffled over 300 x 300 cells, 20 replicates; the share of replicates in which
   BH at 0.05 flags any cell, for the exact default and the normal approximation.

Times are medians over repeats (esda's permutation runs: one repeat, they are slow).
Usage: ``python benchmarks/bench_gistar.py [--quick]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _timing import median_time

from hotspot._core.grid import GridSpec, grid_frame
from hotspot._core.weights import weights_for_units
from hotspot.scan.stats import fdr_bh, gi_star_arrays, local_moran_arrays


def _counts(side: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lam = np.full((side, side), 2.0)
    for r, c in rng.integers(5, side - 5, size=(max(2, side // 30), 2)):
        lam[r - 2 : r + 3, c - 2 : c + 3] += 6.0
    return rng.poisson(lam).ravel().astype(float)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller permutation runs")
    args = parser.parse_args()

    import esda
    import libpysal

    numba = importlib.util.find_spec("numba") is not None
    warnings.simplefilter("ignore")
    rows: list[tuple[str, int, float, float, str]] = []
    rep = 3

    # 1. analytic Gi* on 90,000 cells
    side = 300
    cells = grid_frame(GridSpec(0.0, 0.0, 100.0, side, side), "EPSG:32616")
    y = _counts(side)
    t0 = time.perf_counter()
    lw = libpysal.weights.lat2W(side, side, rook=False)
    t_lat2w = time.perf_counter() - t0

    def ours_analytic():
        w, _ = weights_for_units(cells, "queen")
        return gi_star_arrays(y, w)

    t_ours, res = median_time(ours_analytic, 5)
    t_esda, ref = median_time(
        lambda: esda.G_Local(y, lw, transform="B", star=True, permutations=0),
        1 if args.quick else rep,
    )
    diff = float(np.nanmax(np.abs(res.z - ref.Zs)))
    rows.append(
        (
            "Gi* analytic (incl. our weights)",
            side * side,
            t_ours,
            t_esda,
            f"max abs z diff {diff:.1e}",
        )
    )

    from hotspot.scan.stats import gi_star

    cells["n_incidents"] = y
    t_layer, out = median_time(lambda: gi_star(cells), 3)
    diff = float(np.nanmax(np.abs(out["gi_z"].to_numpy() - ref.Zs)))
    rows.append(
        (
            "gi_star() GeoDataFrame layer (copy, weights, FDR, classes)",
            side * side,
            t_layer,
            t_esda,
            f"max abs z diff {diff:.1e}",
        )
    )

    # 2. Gi* with 999 permutations
    side_p = 100 if args.quick else 300
    y_p = _counts(side_p, seed=1)
    cells_p = grid_frame(GridSpec(0.0, 0.0, 100.0, side_p, side_p), "EPSG:32616")
    w_p, _ = weights_for_units(cells_p, "queen")
    lw_p = libpysal.weights.lat2W(side_p, side_p, rook=False)
    t_ours_p, res_p = median_time(
        lambda: gi_star_arrays(y_p, w_p, permutations=999, random_state=0), rep
    )
    t_esda_p, ref_p = median_time(
        lambda: esda.G_Local(y_p, lw_p, transform="B", star=True, permutations=999, seed=0),
        1,
    )
    corr = np.corrcoef(res_p.z_sim, ref_p.z_sim)[0, 1]
    rows.append(("Gi* 999 permutations", side_p**2, t_ours_p, t_esda_p, f"corr(z_sim) {corr:.4f}"))

    # 3. local Moran with 999 permutations
    side_m = 100
    y_m = _counts(side_m, seed=2)
    cells_m = grid_frame(GridSpec(0.0, 0.0, 100.0, side_m, side_m), "EPSG:32616")
    w_m, _ = weights_for_units(cells_m, "queen")
    lw_m = libpysal.weights.lat2W(side_m, side_m, rook=False)
    t_ours_m, res_m = median_time(
        lambda: local_moran_arrays(y_m, w_m, permutations=999, random_state=0), rep
    )
    t_esda_m, ref_m = median_time(
        lambda: esda.Moran_Local(y_m, lw_m, transformation="r", permutations=999, seed=0),
        1,
    )
    diff_m = float(np.nanmax(np.abs(res_m.i - ref_m.Is)))
    rows.append(
        (
            "local Moran 999 permutations",
            side_m**2,
            t_ours_m,
            t_esda_m,
            f"max abs I diff {diff_m:.1e}",
        )
    )

    # 4. the calibrated default: exact conditional randomisation
    t_exact_p, ex_p = median_time(lambda: gi_star_arrays(y_p, w_p, permutations=None), rep)
    agree = float(np.corrcoef(ex_p.z_sim, ref_p.z_sim)[0, 1])
    rows.append(
        (
            "Gi* exact randomisation (default) vs esda 999 perms",
            side_p**2,
            t_exact_p,
            t_esda_p,
            f"corr(z_sim) {agree:.4f}",
        )
    )
    w90, _ = weights_for_units(cells, "queen")
    t_exact, _ = median_time(lambda: gi_star_arrays(y, w90, permutations=None), rep)
    t_exact_layer, _ = median_time(lambda: gi_star(cells), rep)

    # 5. null false-positive rate on shuffled skewed counts
    rng = np.random.default_rng(5)
    skewed = rng.negative_binomial(0.15, 0.05, side * side).astype(float)
    any_exact, any_normal = [], []
    for _ in range(20):
        res = gi_star_arrays(rng.permutation(skewed), w90, permutations=None)
        any_exact.append(bool((fdr_bh(res.p_exact) < 0.05).any()))
        any_normal.append(bool((fdr_bh(res.p_value) < 0.05).any()))

    path = (
        "installed: esda used its numba crand"
        if numba
        else "NOT installed: esda ran its pure-Python crand loop"
    )
    print(f"esda {esda.__version__}, libpysal {libpysal.__version__}; numba {path}")
    print(f"libpysal lat2W({side}, {side}) build (not timed in the esda column): {t_lat2w:.2f} s")
    print()
    print("| workload | cells | hotspot (s) | esda (s) | speed-up | check |")
    print("|---|---:|---:|---:|---:|---|")
    for name, n, ours, theirs, check in rows:
        print(f"| {name} | {n:,} | {ours:.3f} | {theirs:.3f} | {theirs / ours:.0f}x | {check} |")
    print()
    print(
        f"exact default on {side * side:,} cells: {t_exact:.3f} s for gi_star_arrays, "
        f"{t_exact_layer:.3f} s for gi_star() with weights, copy and FDR (target: 1 s)"
    )
    skew = float(((skewed - skewed.mean()) ** 3).mean() / skewed.std() ** 3)
    print(
        f"null false-positive rate (skew {skew:.1f} counts shuffled over {side * side:,} "
        f"cells, 20 replicates, BH 0.05, any cell flagged): exact default "
        f"{np.mean(any_exact):.2f}, normal approximation {np.mean(any_normal):.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
