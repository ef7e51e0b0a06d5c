"""Draw docs/figures/null_calibration.png: Gi* on shuffled real counts, exact vs normal.

Memphis robberies 2019 on the 500 m grid clipped to the precincts (notebook 02). The
counts are shuffled over the cells 40 times (no spatial structure by construction) and
each shuffle is tested with the default exact conditional randomisation and with the
normal approximation, both with Benjamini-Hochberg at 5 %. Run from the repository
root: ``python docs/figures/null_calibration.py``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import hotspot as hs
from hotspot._core.weights import weights_for_units
from hotspot.scan.stats import fdr_bh, gi_star_arrays


def main() -> None:
    """Shuffle, test both ways, draw the figure and print the rates."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        robberies = hs.datasets.load_sample("memphis_robberies")
        precincts = hs.datasets.load_sample("memphis_precincts")
    counts = hs.count(robberies, hs.grid(robberies, 500, study_area=precincts))
    w, _ = weights_for_units(counts, "queen")
    y = counts["n_incidents"].to_numpy(float)
    rng = np.random.default_rng(0)
    flagged: dict[str, list[int]] = {"exact (default)": [], "normal approximation": []}
    for _ in range(40):
        res = gi_star_arrays(rng.permutation(y), w, permutations=None)
        flagged["exact (default)"].append(int((fdr_bh(res.p_exact) < 0.05).sum()))
        flagged["normal approximation"].append(int((fdr_bh(res.p_value) < 0.05).sum()))
    real = {
        "exact (default)": hs.gi_star(counts),
        "normal approximation": hs.gi_star(counts, permutations=0),
    }
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    share = [np.mean(np.array(v) > 0) for v in flagged.values()]
    axes[0].bar(list(flagged), share, color=["#1b7837", "#b2182b"], edgecolor="black")
    for i, v in enumerate(share):
        axes[0].text(i, v + 0.02, f"{v:.0%}", ha="center")
    axes[0].axhline(0.05, color="black", linestyle="--", linewidth=1)
    axes[0].text(1.45, 0.08, "5 % target", ha="right")
    axes[0].set_ylim(0, 1.05)
    axes[0].set_ylabel("share of 40 shuffles\nwith any cell flagged")
    axes[0].set_title("No hotspot exists: how often is one claimed?", fontsize=10)
    for i, (name, v) in enumerate(flagged.items()):
        axes[1].scatter(i + rng.uniform(-0.15, 0.15, len(v)), v, s=14, alpha=0.6, color="0.4")
        n_real = int((real[name]["hotspot_class"] != "not_significant").sum())
        axes[1].scatter(i, n_real, marker="*", s=250, color="black", zorder=3)
    axes[1].set_xticks([0, 1], list(flagged))
    axes[1].set_xlim(-0.6, 1.6)
    axes[1].set_ylabel("cells flagged (of 3,411)")
    axes[1].set_title("Shuffled counts (dots) and the real counts (stars)", fontsize=10)
    fig.suptitle("Gi* + FDR 5 % on Memphis robberies 2019, 500 m cells", fontsize=11)
    fig.tight_layout()
    out = Path(__file__).with_suffix(".png")
    fig.savefig(out, dpi=110)
    rates = {k: (float(np.mean(np.array(v) > 0)), float(np.mean(v))) for k, v in flagged.items()}
    print(out, rates)


if __name__ == "__main__":
    main()
