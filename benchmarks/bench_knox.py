"""Benchmark: Knox test (hotspot.analyse.near_repeat.knox_arrays) vs pointpats.

Workload: a clustered synthetic city (25 km x 25 km, 60 % of incidents in 200
Gaussian clusters, the rest uniform), times uniform over one year in whole days,
NRC-style bands (5 x 100 m, 5 x 7 days).

- ``ours_full``: 1e5 incidents, 5 x 5 bands, 999 permutations (the target: < 60 s
  on a 2-core machine). ``--quick`` uses 99 permutations.
- Peer: ``pointpats.Knox`` (the maintained class) and the deprecated
  ``pointpats.knox`` function handle one band only and loop in Python, so they run
  on a 1e4 subsample with few permutations; we run the same single-band
  configuration and report the ratio, plus the peer's time extrapolated to 999
  permutations.

Run: ``.venv/bin/python benchmarks/bench_knox.py [--quick]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np

from hotspot.analyse.near_repeat import knox_arrays


def city(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    nc = int(0.6 * n)
    centres = rng.uniform(0, 25_000, (200, 2))
    lab = rng.integers(0, 200, nc)
    xy = np.vstack(
        [centres[lab] + rng.normal(0, 400, (nc, 2)), rng.uniform(0, 25_000, (n - nc, 2))]
    )
    t = np.floor(rng.uniform(0, 365, n))
    return xy, t


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    quick = args.quick
    rows = []

    n_full = 100_000
    perms_full = 99 if quick else 999
    xy, t = city(n_full)
    bands = {"distance_bands": [100, 200, 300, 400, 500], "time_bands": [7, 14, 21, 28, 35]}
    for n_jobs in (1, 2):

        def run_ours(n_jobs: int = n_jobs) -> None:
            knox_arrays(xy, t, permutations=perms_full, random_state=0, n_jobs=n_jobs, **bands)

        sec = timed(run_ours, 1 if not quick else 3)
        rows.append((f"ours, n=1e5, 5x5 bands, {perms_full} perms, n_jobs={n_jobs}", sec, None))
    res = knox_arrays(xy, t, permutations=9, random_state=0, **bands)
    n_pairs = res.n_pairs

    # single band on a 1e4 subsample, compared with pointpats
    n_sub = 10_000
    xs, ts = city(n_sub, seed=1)
    peer_perms = 9 if quick else 19
    ours_sub = timed(
        lambda: knox_arrays(
            xs, ts, distance_bands=[200], time_bands=[14], permutations=peer_perms, random_state=0
        ),
        3,
    )
    rows.append((f"ours, n=1e4, 1 band, {peer_perms} perms", ours_sub, None))
    try:
        import pointpats.spacetime as pps
    except ImportError:  # pragma: no cover
        pps = None
    if pps is not None:

        def run_pp_fn():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                pps.knox(xs, ts[:, None].copy(), delta=200, tau=14, permutations=peer_perms)

        sec = timed(run_pp_fn, 3)
        rows.append(
            (
                f"pointpats.knox (deprecated fn), n=1e4, 1 band, {peer_perms} perms",
                sec,
                sec / ours_sub,
            )
        )

        def run_pp_class():
            pps.Knox(xs, ts[:, None], delta=200, tau=14, permutations=peer_perms)

        sec_cls = timed(run_pp_class, 1)
        rows.append(
            (
                f"pointpats.Knox (class), n=1e4, 1 band, {peer_perms} perms",
                sec_cls,
                sec_cls / ours_sub,
            )
        )
        ours_999 = timed(
            lambda: knox_arrays(
                xs, ts, distance_bands=[200], time_bands=[14], permutations=999, random_state=0
            ),
            1,
        )
        rows.append(("ours, n=1e4, 1 band, 999 perms", ours_999, None))
        extrap = sec_cls / (peer_perms) * 999
        rows.append(
            ("pointpats.Knox (class), n=1e4, 999 perms (extrapolated)", extrap, extrap / ours_999)
        )

    mode = "quick" if quick else "full"
    print(f"\nKnox benchmark ({mode}); close pairs within 500 m at n=1e5: {n_pairs:,}\n")
    print("| workload | seconds (median) | peer / ours |")
    print("|---|---:|---:|")
    for name, sec, ratio in rows:
        print(f"| {name} | {sec:.2f} | {'' if ratio is None else f'{ratio:.1f}x'} |")


if __name__ == "__main__":
    main()
