"""End-to-end benchmark: synthetic city incidents through the whole pipeline to the PDF.

Target (issue): 1e6 incidents from CSV to the briefing PDF in under 60 s with peak
memory under 3 GB on a 2-core machine. There is no peer library doing the whole
pipeline, so the reference is the 60 s target: the table reports our total / 60 s.

The stages are those of ``hotspot analyze`` (:func:`hotspot.present.cli.analyze`) plus the
briefing PDF: ingest (``read_incidents`` on a CSV written beforehand; writing it is
setup and not timed), grid + counts + Gi* + hotspots (``max_area_km2=1``), KDE,
darkness and time profiles per hotspot, intervention scores + patrol plan + plan
under a budget for the top 10 hotspots, maps + exports + interactive map, and the
briefing (``hs.briefing``, given the hotspots and grid already computed). The
pipeline runs in a fresh subprocess so that its peak resident memory (``ru_maxrss``)
is its own.

Run: ``.venv/bin/python benchmarks/bench_pipeline.py [--quick] [--n N]``
(default 1e6 incidents, 150 m cells; ``--quick``: 1e5 incidents).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TARGET_S = 60.0
TARGET_GB = 3.0
CENTRE_LON, CENTRE_LAT = -87.6298, 41.8781  # Chicago Loop
HALF_SIDE_M = 12_500.0  # ~25 km x 25 km
CELL_SIZE_M = 150.0
TOP = 10
LOC_CATS = ["STREET", "RESIDENCE", "APARTMENT", "PARKING LOT", "SIDEWALK", "RESTAURANT",
            "RETAIL STORE", "ALLEY", "PARK PROPERTY", "VEHICLE NON-COMMERCIAL", "OTHER"]
LOC_P = [0.30, 0.18, 0.12, 0.07, 0.08, 0.05, 0.06, 0.04, 0.03, 0.03, 0.04]
OFFENCES = ["BATTERY", "ASSAULT", "THEFT", "ROBBERY", "BURGLARY", "CRIMINAL DAMAGE"]


def synthetic_csv(path: Path, n: int, seed: int = 0) -> None:
    """Write ``n`` city-like incidents over 2023: 55 % background, 45 % in 300 clusters."""
    rng = np.random.default_rng(seed)
    n_clu = int(0.45 * n)
    n_bg = n - n_clu
    # background: denser towards the centre (a wide Gaussian clipped to the square)
    bg = np.clip(rng.normal(0.0, HALF_SIDE_M / 1.8, (n_bg, 2)), -HALF_SIDE_M, HALF_SIDE_M)
    centres = rng.uniform(-0.9 * HALF_SIDE_M, 0.9 * HALF_SIDE_M, (300, 2))
    sizes = rng.lognormal(0.0, 1.0, 300)  # cluster sizes: a few big, many small
    which = rng.choice(300, n_clu, p=sizes / sizes.sum())
    spread = rng.uniform(60.0, 350.0, 300)[which][:, None]
    clu = centres[which] + rng.normal(0.0, 1.0, (n_clu, 2)) * spread
    xy = np.vstack([bg, clu])
    xy = xy[rng.permutation(n)]
    lat = CENTRE_LAT + xy[:, 1] / 111_320.0
    lon = CENTRE_LON + xy[:, 0] / (111_320.0 * np.cos(np.radians(CENTRE_LAT)))
    # times over 2023, more in the evening and at night
    day = rng.integers(0, 365, n)
    hour_p = np.array([5, 4, 3, 2, 2, 2, 2, 3, 4, 4, 4, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 5.0])
    hour = rng.choice(24, n, p=hour_p / hour_p.sum())
    minute = rng.integers(0, 60, n)
    stamp = (
        pd.Timestamp("2023-01-01")
        + pd.to_timedelta(day, unit="D")
        + pd.to_timedelta(hour * 60 + minute, unit="min")
    )
    frame = pd.DataFrame(
        {
            "id": np.arange(n),
            "date": stamp.strftime("%Y-%m-%d %H:%M:%S"),
            "latitude": lat.round(6),
            "longitude": lon.round(6),
            "offence": np.array(OFFENCES)[rng.integers(0, len(OFFENCES), n)],
            "loc_cat": np.array(LOC_CATS)[rng.choice(len(LOC_CATS), n, p=LOC_P)],
        }
    )
    frame.to_csv(path, index=False)


def run_pipeline(csv: Path, out: Path, cell_size: float) -> dict[str, object]:
    """The pipeline of ``hotspot analyze`` plus the briefing, one timed stage at a time."""
    import resource
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    warnings.simplefilter("ignore")
    import hotspot as hs
    from hotspot import units
    from hotspot.analyse import darkness, temporal
    from hotspot.present import cli, report
    from hotspot.scan import areas, density, stats

    tz = "America/Chicago"
    times: dict[str, float] = {}

    def stage(label: str, t0: float) -> float:
        t1 = time.perf_counter()
        times[label] = t1 - t0
        print(f"  {label}: {t1 - t0:.1f} s", file=sys.stderr, flush=True)
        return t1

    t = t_start = time.perf_counter()
    incidents = hs.read_incidents(
        csv, lon="longitude", lat="latitude", datetime="date", offence="offence", tz=tz
    )
    t = stage("ingest (read_incidents)", t)
    cells = units.count(incidents, units.grid(incidents, cell_size))
    cells = stats.gi_star(cells)
    spots = areas.hotspots(cells, method="gistar", incidents=incidents, max_area_km2=1.0)
    membership = areas.hotspot_membership(incidents, spots)
    t = stage("grid + counts + Gi* + hotspots", t)
    surface = density.kde(incidents)
    t = stage("KDE", t)
    by = membership.rename("hotspot_id")
    dark = darkness.dark_share(incidents, by=by, tz=tz)
    profile = temporal.temporal_profile(incidents, by=by)
    dark.to_csv(out / "dark_share.csv")
    profile.to_csv(out / "profiles.csv")
    t = stage("darkness + time profiles", t)
    cli._write_responses(out, "bench", spots.head(TOP), incidents, "loc_cat", tz)
    t = stage("interventions + patrol + budget plan", t)
    cli._write_layers(out, "bench", cells, spots, surface)
    t = stage("exports (GPKG, GeoJSON, CSV)", t)
    cli._write_maps(out, "bench", cells, spots, surface, None, cli._period(incidents))
    t = stage("maps (2 PNG + interactive HTML)", t)
    report.briefing(
        incidents, out / "bench_briefing.pdf", hotspots=spots, units=cells, tz=tz, overwrite=True
    )
    t = stage("briefing PDF", t)
    total = t - t_start
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "n": len(incidents),
        "cells": len(cells),
        "hotspots": len(spots),
        "stages": times,
        "total": total,
        "peak_rss_gb": rss_kib / 1024**2,
        "outputs_mb": {f.name: f.stat().st_size / 1e6 for f in sorted(out.iterdir())},
    }


def _table(result: dict[str, object], n: int) -> str:
    stages: dict[str, float] = result["stages"]  # type: ignore[assignment]
    total = float(result["total"])  # type: ignore[arg-type]
    lines = [
        f"### {n:,} incidents ({result['cells']:,} cells of {CELL_SIZE_M:.0f} m, "
        f"{result['hotspots']} hotspots)",
        "",
        "| stage | seconds | share |",
        "|---|---:|---:|",
    ]
    for label, sec in stages.items():
        lines.append(f"| {label} | {sec:.1f} | {sec / total:.0%} |")
    peak = float(result["peak_rss_gb"])  # type: ignore[arg-type]
    lines += [
        f"| **total** | **{total:.1f}** | 100% |",
        "",
        f"Total / {TARGET_S:.0f} s target = **{total / TARGET_S:.2f}** "
        f"({'within' if total < TARGET_S else 'OVER'} target); peak RSS "
        f"{peak:.2f} GB (target {TARGET_GB:.0f} GB: "
        f"{'within' if peak < TARGET_GB else 'OVER'}).",
    ]
    sizes: dict[str, float] = result["outputs_mb"]  # type: ignore[assignment]
    lines += ["", "Outputs: " + ", ".join(f"{k} {v:.1f} MB" for k, v in sizes.items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1e5 incidents")
    parser.add_argument("--n", type=int, default=None, help="number of incidents")
    parser.add_argument("--child", nargs=2, metavar=("CSV", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        result = run_pipeline(Path(args.child[0]), Path(args.child[1]), CELL_SIZE_M)
        print(json.dumps(result))
        return 0
    n = args.n or (100_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "incidents.csv"
        t0 = time.perf_counter()
        synthetic_csv(csv, n)
        print(f"setup: wrote {n:,} incidents to CSV in {time.perf_counter() - t0:.1f} s "
              "(not timed)", file=sys.stderr)
        out = Path(tmp) / "out"
        out.mkdir()
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(csv), str(out)],
            stdout=subprocess.PIPE, text=True, check=True,
        )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(_table(result, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
