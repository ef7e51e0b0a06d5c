"""Rank labels of hotspots on printed maps, placed when the page is drawn.

A label's size is fixed in points while the map's scale is only final once the
page is laid out (a briefing page shrinks its map until the legend and the table
fit). Labels placed before that drift together and overlap. Here the labels are
placed by an invisible artist drawn just before them, with the renderer of the
draw: every draw (screen, PNG, PDF) measures the real text boxes at the final
scale, keeps each label clear of the better-ranked ones and of the map frame, and
moves it with a leader line, or hides it, when its own place is taken.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
from matplotlib.artist import Artist
from matplotlib.text import Text

from hotspot.present.furniture import _halo, _overlap
from hotspot.scan.outlines import queen_parts

__all__ = ["drop_labels", "label_boxes", "rank_labels"]

_HALO = 3.0  # points of white halo around each label
_RINGS = (1.0, 1.7, 2.5, 3.4)  # distances tried when a spot is taken, in label sizes
_DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, 1), (1, -1), (-1, -1))


def label_boxes(ax: Any, renderer: Any = None) -> list[Any]:
    """Display boxes of the visible rank labels' text (leader lines left out).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from hotspot.present.maps import plot_hotspots
    >>> hot = gpd.GeoDataFrame({"rank": [1, 2]}, crs=32616,
    ...     geometry=[box(0, 0, 500, 500), box(2000, 2000, 2400, 2600)])
    >>> ax = plot_hotspots(hot, title=None)
    >>> ax.figure.canvas.draw()
    >>> len(label_boxes(ax))
    2
    """
    if renderer is None:
        canvas = ax.figure.canvas
        if not hasattr(canvas, "get_renderer"):  # a Figure made without pyplot
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            canvas = FigureCanvasAgg(ax.figure)
        renderer = canvas.get_renderer()
    return [
        Text.get_window_extent(t, renderer)  # an Annotation's own box holds its leader
        for t in ax.texts
        if t.get_gid() == "rank_label" and t.get_visible()
    ]


class _Placer(Artist):
    """Places its labels each time it is drawn (drawn just before them)."""

    def __init__(
        self,
        ax: Any,
        labels: list[Any],
        anchors: np.ndarray,
        bounds: np.ndarray,
        primary: np.ndarray | None = None,
    ):
        super().__init__()
        self.axes_ref = ax
        self.labels = labels
        self.anchors = anchors  # data coordinates of each label's point
        self.bounds = bounds  # data bounds of each piece labelled (x0, y0, x1, y1)
        # True: a place's largest piece (its label counts as hidden when it is left out)
        self.primary = np.ones(len(labels), dtype=bool) if primary is None else primary
        self.set_zorder(24.5)  # labels are at 25: placed before they are drawn

    def draw(self, renderer: Any) -> None:
        place(self.axes_ref, self, renderer)

    def get_window_extent(self, renderer: Any = None) -> Any:  # takes no room
        from matplotlib.transforms import Bbox

        return Bbox.null()


def place(ax: Any, placer: _Placer, renderer: Any) -> int:
    """Place the labels at the Axes' current scale; return how many are hidden."""
    frame = ax.get_window_extent(renderer)
    pad = _HALO * renderer.points_to_pixels(1.0)
    anchors = ax.transData.transform(placer.anchors)
    lo = ax.transData.transform(placer.bounds[:, :2])
    hi = ax.transData.transform(placer.bounds[:, 2:])
    shape = np.abs(hi - lo)
    to_data = ax.transData.inverted()
    placed: list[tuple[float, float, float, float]] = []
    hidden = pieces = 0
    for j, label in enumerate(placer.labels):
        label.set_visible(True)
        label.set_gid("rank_label")
        w, h = _text_size(label, renderer)
        w, h = w + pad, h + pad
        ax0, ay0 = anchors[j]
        small = shape[j, 0] < 1.5 * w and shape[j, 1] < 1.5 * h  # keep the place visible
        spot = None
        for ox, oy in _offsets(small):
            cx, cy = ax0 + ox * w * 1.1, ay0 + oy * h * 1.1
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            inside = (
                box[0] >= frame.x0 and box[2] <= frame.x1
                and box[1] >= frame.y0 and box[3] <= frame.y1
            )
            if inside and not any(_overlap(box, b) for b in placed):
                spot = (cx, cy, box, (ox, oy) != (0, 0))
                break
        if spot is None:
            if placer.primary[j]:
                hidden += 1
            else:
                pieces += 1
            label.set_visible(False)
            label.set_gid("rank_label_hidden")
            continue
        cx, cy, box, moved = spot
        placed.append(box)
        label.xyann = tuple(to_data.transform((cx, cy)))
        if label.arrow_patch is not None:
            label.arrow_patch.set_visible(moved)
    ax._hotspot_hidden_labels = hidden
    ax._hotspot_hidden_pieces = pieces
    return hidden


def _offsets(small: bool) -> list[tuple[float, float]]:
    rings = [(r * dx, r * dy) for r in _RINGS for dx, dy in _DIRECTIONS]
    return rings if small else [(0.0, 0.0), *rings]


def _text_size(label: Any, renderer: Any) -> tuple[float, float]:
    """Width and height in pixels of a label's text (independent of where it is)."""
    probe = Text(0, 0, label.get_text(), fontproperties=label.get_fontproperties())
    probe.set_figure(label.get_figure())
    box = probe.get_window_extent(renderer)
    return float(box.width), float(box.height)


def rank_labels(ax: Any, hot: gpd.GeoDataFrame, rank_col: str, size: float) -> list[Any]:
    """Write each hotspot's rank on the map; placed (again) whenever the map is drawn.

    Labels sit at a point inside their hotspot, with a white halo; a hotspot
    smaller than its label gets the label beside it with a leader line, so the
    place stays visible; a label whose spot is taken by a better rank moves to the
    nearest free spot with a leader line, or is hidden when none is free (counted in
    ``ax._hotspot_hidden_labels``; its text gets ``gid="rank_label_hidden"``). A
    place in several pieces (touching nowhere, not even at a corner) has its
    rank on every piece, so no outline on the map
    is without a number (its largest piece first; a further piece's label left out
    for want of room is counted in ``ax._hotspot_hidden_pieces``).

    Returns
    -------
    list of matplotlib.text.Annotation
        One label per piece of each hotspot, best rank first (``gid="rank_label"``).
    """
    # one label per patch: polygons touching at a corner are one place (queen_parts)
    parts = [queen_parts(g) if g is not None else [] for g in hot.geometry]
    pieces = gpd.GeoDataFrame(
        {rank_col: np.repeat(hot[rank_col].to_numpy(), [len(p) for p in parts])},
        geometry=[p for row in parts for p in row], crs=hot.crs,
    )
    pieces = pieces[~pieces.geometry.is_empty]
    # best rank first; within a place its largest piece first (the one that counts)
    order = np.lexsort((-pieces.geometry.area.to_numpy(), pieces[rank_col].to_numpy()))
    pieces = pieces.iloc[order]
    ranks = pieces[rank_col].to_numpy()
    primary = np.r_[True, ranks[1:] != ranks[:-1]] if len(ranks) else np.zeros(0, bool)
    pts = pieces.geometry.representative_point()
    anchors = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    labels = []
    for (x, y), rank in zip(anchors, ranks, strict=True):
        text = str(int(rank)) if float(rank).is_integer() else str(rank)
        labels.append(
            ax.annotate(
                text,
                xy=(x, y),
                xytext=(x, y),
                fontsize=size,
                fontweight="bold",
                ha="center",
                va="center",
                zorder=25,
                gid="rank_label",
                path_effects=_halo(_HALO),
                arrowprops={"arrowstyle": "-", "color": "black", "linewidth": 0.7,
                            "shrinkA": 0, "shrinkB": 0},
                annotation_clip=False,
            )
        )
    placer = _Placer(ax, labels, anchors, pieces.geometry.bounds.to_numpy(), primary)
    ax.add_artist(placer)
    canvas = ax.figure.canvas
    if hasattr(canvas, "get_renderer"):  # a first placement, for code that reads it
        place(ax, placer, canvas.get_renderer())
    else:  # pragma: no cover - placed at the first draw
        ax._hotspot_hidden_labels = ax._hotspot_hidden_pieces = 0
    return labels


def drop_labels(ax: Any, ranks: list[int]) -> int:
    """Take the labels of these ranks off a map (e.g. shown in an inset instead).

    Returns the number of labels removed; the others are placed as before.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from hotspot.present.maps import plot_hotspots
    >>> hot = gpd.GeoDataFrame({"rank": [1, 2]}, crs=32616,
    ...     geometry=[box(0, 0, 500, 500), box(2000, 2000, 2400, 2600)])
    >>> ax = plot_hotspots(hot, title=None)
    >>> drop_labels(ax, [2]), [t.get_text() for t in ax.texts if t.get_gid() == "rank_label"]
    (1, ['1'])
    """
    wanted = {str(int(r)) for r in ranks}
    removed = 0
    for placer in [a for a in ax.artists if isinstance(a, _Placer)]:
        keep = np.array([t.get_text() not in wanted for t in placer.labels], dtype=bool)
        for t in [t for t, k in zip(placer.labels, keep, strict=True) if not k]:
            t.remove()
            removed += 1
        placer.labels = [t for t, k in zip(placer.labels, keep, strict=True) if k]
        placer.anchors, placer.bounds = placer.anchors[keep], placer.bounds[keep]
        placer.primary = placer.primary[keep]
    return removed
