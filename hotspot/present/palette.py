"""Colours, hatches and class breaks of the printed and web maps: one home for both.

``HOTSPOT_CLASS_COLORS`` is ColorBrewer RdBu (7 classes, reversed: red = hot), which
is colour-blind safe; cold classes are also hatched so that they stay apart from hot
ones in greyscale. Counts and densities use ColorBrewer ``YlOrRd`` at points whose
grey levels step evenly from white (:func:`sequential_colours`), so the order and
every class survive a black-and-white print. :mod:`hotspot.present.maps` (print) and
:mod:`hotspot.present.interactive` (web) draw with these tables, so the maps match.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hotspot.exceptions import InvalidInputError

__all__ = [
    "HOTSPOT_CLASS_COLORS",
    "HOTSPOT_CLASS_HATCHES",
    "HOTSPOT_CLASS_LABELS",
    "LISA_CLUSTER_COLORS",
    "LISA_CLUSTER_HATCHES",
    "LISA_CLUSTER_LABELS",
    "SEQUENTIAL_CMAP",
    "sequential_colours",
]

#: Colour of each ``hotspot_class`` (ColorBrewer RdBu-7 reversed; colour-blind safe).
HOTSPOT_CLASS_COLORS: dict[str, str] = {
    "cold_99": "#2166ac",
    "cold_95": "#67a9cf",
    "cold_90": "#d1e5f0",
    "not_significant": "#f7f7f7",
    "hot_90": "#fddbc7",
    "hot_95": "#ef8a62",
    "hot_99": "#b2182b",
}
#: Hatching that separates cold from hot classes when printed in greyscale.
HOTSPOT_CLASS_HATCHES: dict[str, str | None] = {
    "cold_99": "////",
    "cold_95": "///",
    "cold_90": "//",
    "not_significant": None,
    "hot_90": None,
    "hot_95": None,
    "hot_99": None,
}
#: Legend wording of each class.
HOTSPOT_CLASS_LABELS: dict[str, str] = {
    "hot_99": "Hot spot, 99 % confidence",
    "hot_95": "Hot spot, 95 % confidence",
    "hot_90": "Hot spot, 90 % confidence",
    "not_significant": "Not significant",
    "cold_90": "Cold spot, 90 % confidence",
    "cold_95": "Cold spot, 95 % confidence",
    "cold_99": "Cold spot, 99 % confidence",
}
#: Colours of local Moran ``lisa_cluster`` values (esda's, colour-blind safe; low
#: clusters are hatched like cold spots).
LISA_CLUSTER_COLORS: dict[str, str] = {
    "High-High": "#d7191c",
    "High-Low": "#fdae61",
    "not_significant": "#f7f7f7",
    "Low-High": "#abd9e9",
    "Low-Low": "#2c7bb6",
}
LISA_CLUSTER_HATCHES: dict[str, str | None] = {
    "High-High": None,
    "High-Low": None,
    "not_significant": None,
    "Low-High": "//",
    "Low-Low": "////",
}
LISA_CLUSTER_LABELS: dict[str, str] = {
    "High-High": "High-High cluster",
    "High-Low": "High-Low outlier",
    "not_significant": "Not significant",
    "Low-High": "Low-High outlier",
    "Low-Low": "Low-Low cluster",
}
#: Sequential colour map for counts and densities (lightness monotone, prints in grey).
SEQUENTIAL_CMAP = "YlOrRd"
#: Grey level (0-255) of the darkest class; classes step evenly from white down to it.
_DARKEST_GREY = 43.0
HOTSPOT_FILL = HOTSPOT_CLASS_COLORS["hot_99"]
#: Width of hotspot outlines in points (drawn on a white halo 2.2 times as wide).
HOTSPOT_OUTLINE = 2.0
SUPPRESSED_COLOR = "#ffffff"
#: Suppressed cells are white with dark dots, on the map and in the legend alike, so
#: in greyscale they differ from every shaded class by texture, not by a grey level.
SUPPRESSED_EDGE = "#525252"
SUPPRESSED_HATCH = "...."


def _class_table(values: pd.Series, column: str) -> tuple[dict, dict, dict]:
    present = set(values.dropna())
    for colours, hatches, labels in (
        (HOTSPOT_CLASS_COLORS, HOTSPOT_CLASS_HATCHES, HOTSPOT_CLASS_LABELS),
        (LISA_CLUSTER_COLORS, LISA_CLUSTER_HATCHES, LISA_CLUSTER_LABELS),
    ):
        if present <= set(colours):
            return colours, hatches, labels
    raise InvalidInputError(
        f"column {column!r} has values {sorted(present)[:5]} that are neither hotspot classes "
        f"({list(HOTSPOT_CLASS_LABELS)}) nor LISA clusters ({list(LISA_CLUSTER_LABELS)}); "
        "pass a numeric column, hs.gi_star or hs.local_moran output."
    )


def _grey_level(rgb: np.ndarray) -> np.ndarray:
    """Grey level 0-255 of RGB colours in 0-1 (ITU-R 601 luma, as greyscale printing)."""
    return 255.0 * (rgb[..., :3] @ np.array([0.299, 0.587, 0.114]))


def sequential_colours(k: int) -> list[str]:
    """Colours of ``k`` count or density classes, evenly spaced in grey when printed.

    Taken from ColorBrewer ``YlOrRd`` (:data:`SEQUENTIAL_CMAP`, colour-blind safe)
    at the points whose grey levels step evenly from white (the unfilled, zero
    cells) to the darkest red, so that neighbouring classes, and the lowest class and
    white, differ by the same, widest possible step on a black-and-white print
    (about 42 of 255 grey levels for 5 classes).

    Parameters
    ----------
    k
        Number of classes (at least 1).

    Returns
    -------
    list of str
        Hex colours, lightest first.

    Examples
    --------
    >>> from hotspot.present.maps import sequential_colours
    >>> sequential_colours(3)
    ['#feac49', '#f43e26', '#820026']
    """
    import matplotlib as mpl

    t = np.linspace(0.0, 1.0, 1025)
    rgb = mpl.colormaps[SEQUENTIAL_CMAP](t)
    grey = _grey_level(rgb)  # decreasing along YlOrRd
    k = max(int(k), 1)
    targets = 255.0 - (255.0 - _DARKEST_GREY) * np.arange(1, k + 1) / k
    at = np.interp(-targets, -grey, t)
    return [mpl.colors.to_hex(c) for c in mpl.colormaps[SEQUENTIAL_CMAP](at)]


def _class_breaks(values: np.ndarray, k: int) -> np.ndarray:
    """Up to ``k`` quantile class upper bounds of the positive values, 2 significant digits."""
    pos = values[np.isfinite(values) & (values > 0)]
    if pos.size == 0:
        return np.array([])
    qs = np.quantile(pos, np.linspace(0, 1, k + 1)[1:])
    out = []
    for q in qs:
        digits = 1 - math.floor(math.log10(abs(q))) if q > 0 else 0
        r = round(float(q), max(digits, 0) if q >= 10 else digits)
        if not out or r > out[-1]:
            out.append(r)
    out[-1] = max(out[-1], float(pos.max()))
    return np.asarray(out, dtype=float)


def _fmt(v: float) -> str:
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.3g}"


def _mean_multiple_breaks(values: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    """Chainey's incremental multiples of the mean of the positive cells."""
    pos = values[np.isfinite(values) & (values > 0)]
    if pos.size == 0:
        return np.array([]), 0.0
    mean = float(pos.mean())
    b = [mean * i for i in range(2, k + 1) if mean * i < pos.max()] + [float(pos.max())]
    return np.asarray(b), mean
