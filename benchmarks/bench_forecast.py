"""Benchmark: prospective hotspot forecast, 1e5 incidents on a 300 x 300 grid of 50 m cells.

Compares ``hotspot.assess.forecast.ProspectiveHotspot`` (time weights per incident, one
binning, one FFT convolution) with two straightforward references run in the
same process:

* "per-event numpy": a Python loop over incidents, each adding its weighted
  15 x 15 space stencil to the grid (timed on all incidents, or on a
  subsample and extrapolated linearly with ``--quick``);
* "open_cp algorithm": a transcription of open_cp's
  ``ProspectiveHotSpot.predict`` (a Python double loop over cells, each summing
  the ClassicWeight over all incidents with numpy), timed on a subsample of
  cells and extrapolated linearly to all 90,000 cells.

open_cp itself (QuantCrimAtLeeds/PredictCode) is not on PyPI and could not be
installed here (no network), so its algorithm is transcribed, not imported.

Usage: ``python benchmarks/bench_forecast.py [--quick]``. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
from _timing import median_time

from hotspot._core.grid import GridSpec, grid_frame
from hotspot.assess.forecast import ProspectiveHotspot

NX = NY = 300
CELL = 50.0
SPACE_BW = 8
TIME_BW = 8
CRS = 32616


def synthetic(n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """N incidents in the last 8 weeks (all carry weight): half clustered, half uniform."""
    extent = NX * CELL
    n_hot = n // 2
    centres = rng.uniform(0, extent, (40, 2))
    hot = centres[rng.integers(0, 40, n_hot)] + rng.normal(0, 150, (n_hot, 2))
    flat = rng.uniform(0, extent, (n - n_hot, 2))
    xy = np.clip(np.vstack([hot, flat]), 0, extent - 1e-6)
    now = pd.Timestamp("2024-06-01", tz="UTC")
    when = now - pd.to_timedelta(rng.uniform(0, 7 * TIME_BW, n), unit="D")
    return gpd.GeoDataFrame(
        {"occurred_at": when}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS
    )


def per_event_reference(xy: np.ndarray, t_units: np.ndarray) -> np.ndarray:
    """Loop over incidents; add 1/((1+d)(1+t)) on the Chebyshev stencil around each."""
    r = SPACE_BW - 1
    off = np.arange(-r, r + 1)
    d = np.maximum(np.abs(off)[:, None], np.abs(off)[None, :])
    stencil = 1.0 / (1.0 + d)
    out = np.zeros((NY + 2 * r, NX + 2 * r))
    cols = np.floor(xy[:, 0] / CELL).astype(int)
    rows = np.floor(xy[:, 1] / CELL).astype(int)
    for row, col, t in zip(rows, cols, t_units, strict=True):
        if t < TIME_BW:
            out[row : row + 2 * r + 1, col : col + 2 * r + 1] += stencil / (1.0 + t)
    return out[r:-r, r:-r]


def open_cp_cells(xy, t_units, cells) -> np.ndarray:
    """open_cp ProspectiveHotSpot.predict inner loop, for the given (row, col) cells."""
    gx = np.floor(xy[:, 0] / CELL)
    gy = np.floor(xy[:, 1] / CELL)
    out = np.empty(len(cells))
    for i, (y, x) in enumerate(cells):
        dd = np.max(np.vstack((np.abs(gx - x), np.abs(gy - y))), axis=0)
        mask = (t_units < TIME_BW) & (dd < SPACE_BW)
        out[i] = np.sum(1 / ((1 + dd) * (1 + t_units)) * mask)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller reference workloads")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    n = 100_000
    incidents = synthetic(n, rng)
    units = grid_frame(GridSpec(0.0, 0.0, CELL, NX, NY), CRS)  # built once, not timed
    now = incidents["occurred_at"].max()
    est = ProspectiveHotspot(cell_size=CELL, space_bandwidth=SPACE_BW, time_bandwidth=TIME_BW)

    def ours():
        return est.fit(incidents, cutoff=now).predict(units)

    ours()  # warm-up (imports, FFT plans)
    t_ours, scores = median_time(ours, 5)
    grid = np.asarray(scores).reshape(NY, NX)

    xy = np.column_stack([incidents.geometry.x, incidents.geometry.y])
    age_days = ((now - incidents["occurred_at"]) / pd.Timedelta(days=1)).to_numpy()
    t_units = np.floor(age_days / 7.0 + 1e-9)

    n_ev = 10_000 if args.quick else n
    sub = rng.choice(n, n_ev, replace=False) if n_ev < n else np.arange(n)
    t_ev, ref_ev = median_time(
        lambda: per_event_reference(xy[sub], t_units[sub]), 1 if args.quick else 3
    )
    t_ev_full = t_ev * n / n_ev
    if n_ev == n:
        err_ev = float(np.max(np.abs(ref_ev - grid)))
    else:
        sub_est = ProspectiveHotspot(cell_size=CELL).fit(incidents.iloc[sub], cutoff=now)
        err_ev = float(np.max(np.abs(ref_ev - sub_est.predict(units).to_numpy().reshape(NY, NX))))

    n_cells = 40 if args.quick else 200
    pick = rng.choice(NX * NY, n_cells, replace=False)
    cells = np.column_stack(np.divmod(pick, NX))
    t_oc, ref_oc = median_time(lambda: open_cp_cells(xy, t_units, cells), 1 if args.quick else 3)
    t_oc_full = t_oc * (NX * NY) / n_cells
    err_oc = float(np.max(np.abs(ref_oc - grid.reshape(-1)[pick])))

    print(
        f"Prospective hotspot, {n:,} incidents (all within 8 weeks), {NX}x{NY} grid of "
        f"{CELL:.0f} m cells ({NX * NY:,} cells), space/time bandwidth {SPACE_BW} cells / "
        f"{TIME_BW} weeks. Median of repeats; machine: {_cpu()}.\n"
    )
    print(
        "| implementation | measured on | time for the full workload (s) | ratio vs hotspot "
        "| max abs diff vs hotspot |"
    )
    print("|---|---|---|---|---|")
    print(f"| hotspot `ProspectiveHotspot` (fit + predict, FFT) | full | {t_ours:.3f} | 1.0 | - |")
    print(
        f"| per-event numpy loop (stencil add) | {n_ev:,} incidents"
        f"{' (extrapolated)' if n_ev < n else ''} | {t_ev_full:.2f} | "
        f"{t_ev_full / t_ours:.0f}x | {err_ev:.1e} |"
    )
    print(
        f"| open_cp algorithm (cells loop, transcribed) | {n_cells} cells (extrapolated) | "
        f"{t_oc_full:.1f} | {t_oc_full / t_ours:.0f}x | {err_oc:.1e} |"
    )
    print(
        "\nopen_cp itself is not on PyPI and could not be installed here; its "
        "`ProspectiveHotSpot.predict` double loop is transcribed above."
    )
    return 0


def _cpu() -> str:
    import os

    return f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"


if __name__ == "__main__":
    raise SystemExit(main())
