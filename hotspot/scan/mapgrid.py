"""The letters x numbers map grid of printed maps, and the window of a place's map.

A :class:`MapGrid` gives every place a reference (``"C4"``, or ``"C4 b2"`` with
small squares) that finds it on the overview and zoomed maps that draw the same
grid; :func:`place_view` is the window of a place's own map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from hotspot._core.coords import point_xy
from hotspot.exceptions import InvalidInputError

__all__ = [
    "MIN_PLACE_VIEW",
    "MapGrid",
    "frame_inside",
    "grid_extent",
    "map_grid",
    "place_grid",
    "place_view",
]


@dataclass(frozen=True)
class MapGrid:
    """A letters x numbers reference grid in map units (metres), with small squares.

    Columns are lettered A, B, ... from the west; rows numbered 1, 2, ... from
    the north, as in a street atlas. ``x0`` is the west edge, ``y1`` the north
    edge, ``size`` the side of a square. With ``sub > 1`` each square is cut into
    ``sub x sub`` small squares, lettered a, b, ... from the west and numbered
    1, 2, ... from the north *within their square*: the reference ``"C4 b2"`` is
    square C4 on the overview map, then small square b2 of it on a zoomed map,
    which prints both sets of labels.

    Examples
    --------
    >>> g = MapGrid(x0=0.0, y1=1000.0, size=250.0, n_cols=4, n_rows=4)
    >>> g.ref([10.0, 990.0], [990.0, 10.0]).tolist()
    ['A1', 'D4']
    >>> MapGrid(0.0, 1000.0, 250.0, 4, 4, sub=5).ref([60.0], [990.0]).tolist()
    ['A1 b1']
    """

    x0: float
    y1: float
    size: float
    n_cols: int
    n_rows: int
    sub: int = 1

    def col_label(self, i: int) -> str:
        """Return the letter(s) of column ``i`` (0-based): A..Z, then AA, AB..."""
        i = int(i)
        out = ""
        while True:
            out = chr(ord("A") + i % 26) + out
            i = i // 26 - 1
            if i < 0:
                return out

    def row_label(self, j: int) -> str:
        """Return the number of row ``j`` (0-based from the north)."""
        return str(int(j) + 1)

    def sub_col_label(self, i: int) -> str:
        """Return the small letter of small column ``i`` (0-based within its square)."""
        return chr(ord("a") + int(i))

    def sub_row_label(self, j: int) -> str:
        """Return the number of small row ``j`` (0-based from the north of its square)."""
        return str(int(j) + 1)

    @property
    def sub_size(self) -> float:
        """Side of a small square (m); ``size`` when the squares are not cut."""
        return self.size / self.sub

    def ref(self, x: Any, y: Any) -> np.ndarray:
        """Return the references (``"C4"``, or ``"C4 b2"`` with small squares) of points.

        ``x, y`` in metres; points outside the grid get the nearest edge square.
        """
        fx = (np.asarray(x, dtype=float) - self.x0) / self.sub_size
        fy = (self.y1 - np.asarray(y, dtype=float)) / self.sub_size
        # small-square indices over the whole grid; a point on a line goes east / south
        sx = np.clip(np.floor(fx + 1e-9), 0, self.n_cols * self.sub - 1).astype(int)
        sy = np.clip(np.floor(fy + 1e-9), 0, self.n_rows * self.sub - 1).astype(int)
        out = []
        for i, j in zip(sx, sy, strict=True):
            big = self.col_label(i // self.sub) + self.row_label(j // self.sub)
            if self.sub > 1:
                big += " " + self.sub_col_label(i % self.sub) + self.sub_row_label(j % self.sub)
            out.append(big)
        return np.array(out, dtype=object)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` of the whole grid."""
        return (
            self.x0,
            self.y1 - self.n_rows * self.size,
            self.x0 + self.n_cols * self.size,
            self.y1,
        )


_NICE = (1.0, 2.0, 2.5, 5.0, 10.0)
# ways to cut a square into small squares of a round size (a..z within a square)
_SUBDIVISIONS = (2, 4, 5, 10, 20, 25)


def _nice(value: float) -> float:
    """Round up to 1, 2, 2.5 or 5 x 10^k."""
    exp = math.floor(math.log10(value))
    for m in _NICE:
        if m * 10**exp >= value * (1 - 1e-9):
            return m * 10**exp
    return 10.0 ** (exp + 1)  # pragma: no cover


def _is_nice(value: float) -> bool:
    return math.isclose(_nice(value), value, rel_tol=1e-9)


def _subdivision(size: float, detail: float | None) -> int:
    """Fewest cuts of a ``size`` square giving round small squares no bigger than ``detail``."""
    if detail is None or not detail > 0 or size <= detail * 1.5:
        return 1
    ok = [k for k in _SUBDIVISIONS if _is_nice(size / k)]
    return next((k for k in ok if size / k <= detail * (1 + 1e-9)), ok[-1] if ok else 1)


def map_grid(bounds: Any, *, cells: int = 8, detail: float | None = None) -> MapGrid:
    """Return the reference grid of a map covering ``bounds``.

    Square cells of a round size (1, 2, 2.5 or 5 x 10^k m) so that about
    ``cells`` of them span the longer side; the grid starts on a multiple of the
    cell size, so maps of the same area give the same references. When places
    are much smaller than a square (a whole force on one page), ``detail`` cuts
    each square into small squares of a round size (2, 4, 5, 10, 20 or 25 per
    side) no bigger than ``detail`` metres where one is (else the finest of
    these): references become ``"C4 b2"``.

    Parameters
    ----------
    bounds
        ``(xmin, ymin, xmax, ymax)`` in metres (e.g. ``gdf.total_bounds``).
    cells
        Target number of columns or rows along the longer side (default 8).
    detail
        Largest small square wanted (m), e.g. a third of the width of a place's
        map (:func:`place_grid` chooses it); None: squares are not cut.

    Returns
    -------
    MapGrid

    Examples
    --------
    >>> g = map_grid((0, 0, 4000, 3000))
    >>> g.size, g.n_cols, g.n_rows, g.sub
    (500.0, 8, 6, 1)
    >>> g = map_grid((0, 0, 60000, 40000), detail=500)
    >>> g.size, g.sub, g.sub_size
    (10000.0, 20, 500.0)
    """
    x0, y0, x1, y1 = (float(v) for v in bounds)
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        msg = "map_grid: `bounds` must be four finite numbers (xmin, ymin, xmax, ymax)."
        raise InvalidInputError(msg)
    span = max(x1 - x0, y1 - y0, 1.0)
    size = _nice(span / max(int(cells), 1))
    gx0 = math.floor(x0 / size) * size
    gy1 = math.ceil(y1 / size) * size
    # floating-point products can land a hair inside the bounds: step out by a cell
    if gx0 > x0:
        gx0 -= size
    if gy1 < y1:
        gy1 += size
    n_cols = max(1, math.ceil((x1 - gx0) / size - 1e-9))
    n_rows = max(1, math.ceil((gy1 - y0) / size - 1e-9))
    if gx0 + n_cols * size < x1:
        n_cols += 1
    if gy1 - n_rows * size > y0:
        n_rows += 1
    sub = _subdivision(size, detail)
    return MapGrid(x0=gx0, y1=gy1, size=size, n_cols=n_cols, n_rows=n_rows, sub=sub)


def grid_extent(points: gpd.GeoDataFrame) -> tuple[tuple[float, float, float, float], int]:
    """Return the extent a map grid covers for ``points``, and how many lie outside it.

    All points, except a few far from the rest: beyond the 0.1-99.9 % range of x
    or y by more than a tenth of that range (at least 500 m), such as police.uk
    rows placed far outside the force, which would stretch a whole-force map
    over empty country. With none so far out, the points' bounds.

    Examples
    --------
    >>> xs = list(range(0, 10000, 10)) + [90000]
    >>> pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xs, [0.0] * len(xs)), crs=32630)
    >>> grid_extent(pts)
    ((0.0, 0.0, 9990.0, 0.0), 1)
    """
    x, y = point_xy(points.geometry)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return tuple(float(v) for v in points.total_bounds), 0  # type: ignore[return-value]
    keep = ok.copy()
    for v in (x, y):
        lo, hi = np.quantile(v[ok], [0.001, 0.999])
        pad = max(0.1 * (hi - lo), 500.0)
        keep &= (v >= lo - pad) & (v <= hi + pad)
    bounds = (x[keep].min(), y[keep].min(), x[keep].max(), y[keep].max())
    return tuple(float(v) for v in bounds), int((ok & ~keep).sum())  # type: ignore[return-value]


#: Smallest side of a place's own map (m): a street block or two around it.
MIN_PLACE_VIEW = 400.0


def place_view(geometries: Any) -> np.ndarray:
    """Return the square window (xmin, ymin, xmax, ymax) of each place's own map.

    Centred on the place, 1.3 times its longer side and at least
    :data:`MIN_PLACE_VIEW` metres, so that the streets around it show. One rule
    for the zoomed maps of the briefing and for the small squares of the grid.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> place_view([box(0, 0, 100, 100)]).tolist()
    [[-210.0, -210.0, 310.0, 310.0]]
    """
    b = shapely.bounds(np.asarray(geometries, dtype=object).ravel())
    b = np.atleast_2d(b)
    half = 0.65 * np.maximum(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]), MIN_PLACE_VIEW)
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    return np.column_stack([cx - half, cy - half, cx + half, cy + half])


def frame_inside(view: Any, place: Any, area: Any, *, margin: float = 0.05) -> tuple:
    """Return ``view`` moved, at the same size, to show as much of ``area`` as it can.

    A place at the edge of the area briefed on would, centred, have a map half
    outside the area. The window slides (on a 9 x 9 set of steps) to where most
    of it lies inside ``area``, as long as the place stays in view with
    ``margin`` (a share of the window) around it; among equal windows, the one
    nearest the centred one.

    Parameters
    ----------
    view
        ``(xmin, ymin, xmax, ymax)`` of the place's map (m).
    place
        ``(xmin, ymin, xmax, ymax)`` of the place.
    area
        The study area (a shapely geometry); None: ``view`` as it is.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> frame_inside((0, -500, 1000, 500), (400, -50, 600, 50), box(-2000, 0, 2000, 3000))
    (0.0, -100.0, 1000.0, 900.0)
    """
    v = np.asarray(view, dtype=float)
    if area is None or shapely.is_empty(area):
        return tuple(float(x) for x in v)
    size = v[2:] - v[:2]
    pad = margin * size
    most = np.asarray(place[:2], dtype=float) - pad - v[:2]  # the place stays in view
    least = np.asarray(place[2:], dtype=float) + pad - v[2:]
    fits = least <= most  # else the place fills the window: it stays centred
    most = np.where(fits, np.maximum(most, 0.0), 0.0)
    least = np.where(fits, np.minimum(least, 0.0), 0.0)
    sx, sy = (np.unique(np.append(np.linspace(least[k], most[k], 9), 0.0)) for k in (0, 1))
    gx, gy = (g.ravel() for g in np.meshgrid(sx, sy))
    boxes = shapely.box(v[0] + gx, v[1] + gy, v[2] + gx, v[3] + gy)
    inside = shapely.area(shapely.intersection(boxes, area))
    best = inside >= inside.max() * (1 - 1e-6)
    k = np.flatnonzero(best)[np.argmin(np.hypot(gx, gy)[best])]
    return (float(v[0] + gx[k]), float(v[1] + gy[k]), float(v[2] + gx[k]), float(v[3] + gy[k]))


def place_grid(bounds: Any, places: Any = None, *, cells: int = 8) -> MapGrid:
    """Return the grid of a pack: overview squares, cut small enough for the place maps.

    The overview squares are :func:`map_grid`'s (about ``cells`` across
    ``bounds``); where they are too coarse for the places' own maps (a place map
    shows less than about three squares across, as at force scale), each square
    is cut into small squares of about 2.5 across the typical place map
    (:func:`place_view`, the median over ``places``).

    Parameters
    ----------
    bounds
        ``(xmin, ymin, xmax, ymax)`` of the overview map, metres.
    places
        The places' geometries (a GeoSeries, GeoDataFrame or array); None or
        empty: the squares are not cut.
    cells
        Target number of overview columns or rows (default 8).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = place_grid((0, 0, 60000, 40000), [box(0, 0, 600, 600)])
    >>> g.size, g.sub_size, g.ref([1000.0], [39000.0]).tolist()
    (10000.0, 500.0, ['A1 c3'])
    """
    detail = None
    if places is not None:
        geoms = places.geometry if isinstance(places, gpd.GeoDataFrame) else places
        geoms = np.asarray(geoms, dtype=object).ravel()
        if len(geoms):
            views = place_view(geoms)
            detail = float(np.median(views[:, 2] - views[:, 0])) / 2.5
    return map_grid(bounds, cells=cells, detail=detail)



