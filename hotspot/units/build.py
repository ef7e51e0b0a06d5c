"""Analysis units: square and hex grids, street segments, any polygons.

Counting incidents into units is in :mod:`hotspot.units.counting`.

Units are a GeoDataFrame with a stable index named ``unit_id``; results are
columns added to a copy. Three kinds of units are recognised:

* **square grids** made by :func:`grid` (``shape="square"``): index ``unit_id`` =
  ``row * nx + col``, integer ``row``/``col`` columns and the grid spec in
  ``attrs["hotspot"]["grid"]`` (see :mod:`hotspot._core.grid`). Counting bins the
  coordinates with one ``np.bincount`` (no spatial join);
* **hex grids** made by :func:`grid` (``shape="hex"``): ``row``/``col`` offset
  coordinates and the hex spec in ``attrs["hotspot"]["hexgrid"]``. Counting finds
  each point's hexagon by axial rounding (vectorized, no spatial join);
* **any polygons** (beats, districts, wards, census blocks, clipped grids that
  lost their spec) and **lines** (street segments from :func:`segments`): counting
  uses a shapely ``STRtree``.

Grid geometry
-------------
Square cells have side ``cell_size`` metres. The grid's lower-left corner is
``(floor(minx / cell_size) * cell_size, floor(miny / cell_size) * cell_size)``:
corners sit on multiples of the cell size, so grids of the same cell size made
from different data (two years of crime, two offence types) line up cell for
cell. A point on a cell edge belongs to the cell on its right / above (cells are
half-open, ``[x, x + cell_size)``).

Hex cells are **pointy-topped** (two vertices point north and south, rows run
east-west) and ``cell_size`` is chosen so that a hexagon has the **same area as a
square cell**, ``cell_size²``: side ``a = cell_size · sqrt(2 / (3·sqrt(3)))``
(≈ 0.6204 · cell_size), width across flats ``sqrt(3) · a``, row spacing ``1.5 · a``.
Square and hex grids of one ``cell_size`` are therefore directly comparable
(counts per cell, PAI). ``row``/``col`` are "odd-r" offset coordinates: odd rows
are shifted east by half a hexagon. The centre of hexagon ``(row, col)`` is
``(x0 + w · (col + (row mod 2) / 2), y0 + 1.5 · a · row)`` with ``w = sqrt(3)·a``;
the lattice is anchored on multiples of ``w`` and ``3·a`` so that hex grids of one
size also line up.

Automatic cell size
-------------------
``cell_size=None`` follows the one rule of the package,
:func:`hotspot._core.grid.auto_cell_size`: the shorter side of the bounding box of
the area (of the study area when one is given) divided by 50, rounded down to a
multiple of 100 m when that is at least 100 m (sfhotspot's ``set_cell_size()``),
otherwise to 1, 2, 2.5 or 5 × 10^k m, never below 1 m. The value and the reason
are logged on the ``hotspot`` logger and stored in
``attrs["hotspot"]["units"]["choices"]``.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._core.coords import point_xy
from hotspot._core.errors import warn_user
from hotspot._core.grid import GridSpec, auto_cell_size, check_grid_memory, grid_frame
from hotspot._core.meta import attach, get_meta, logger
from hotspot._core.validation import (
    check_geodataframe,
    check_non_empty,
    check_polygons,
    check_positive,
    check_projected,
    check_same_crs,
)
from hotspot.exceptions import DataQualityWarning, HotspotWarning, InvalidInputError

__all__ = [
    "DEFAULT_SNAP_DISTANCE",
    "MAX_CELLS_WARN",
    "HexSpec",
    "grid",
    "hex_cell_of",
    "segments",
]

MAX_CELLS_WARN: int = 100_000
"""A grid with more cells than this triggers a :class:`~hotspot.HotspotWarning`."""

DEFAULT_SNAP_DISTANCE: float = 50.0
"""Metres: how far an incident may be from a street segment and still be counted
on it, when ``max_distance`` is None and the units are lines."""

_MAX_OUTSIDE_STORED = 10_000
_HEX_SIDE_PER_CELL = math.sqrt(2.0 / (3.0 * math.sqrt(3.0)))
_SQRT3 = math.sqrt(3.0)


# ----------------------------------------------------------------------------- hex core


class HexSpec:
    """A pointy-topped hexagonal lattice (array core of hex grids).

    Parameters
    ----------
    x0, y0
        Centre of hexagon ``(row 0, col 0)``, in metres.
    cell_size
        Square-equivalent size in metres: each hexagon's area is ``cell_size²``.
    nx, ny
        Number of columns and rows of the lattice (``unit_id = row * nx + col``).

    Examples
    --------
    >>> spec = HexSpec(0.0, 0.0, 100.0, 4, 4)
    >>> round(spec.side, 3), round(spec.hex_area, 6)
    (62.04, 10000.0)
    """

    def __init__(self, x0: float, y0: float, cell_size: float, nx: int, ny: int) -> None:
        self.x0, self.y0 = float(x0), float(y0)
        self.cell_size = float(cell_size)
        self.nx, self.ny = int(nx), int(ny)

    def __repr__(self) -> str:
        return (
            f"HexSpec(x0={self.x0!r}, y0={self.y0!r}, cell_size={self.cell_size!r}, "
            f"nx={self.nx}, ny={self.ny})"
        )

    @property
    def side(self) -> float:
        """Side (= circumradius) of a hexagon, in metres."""
        return self.cell_size * _HEX_SIDE_PER_CELL

    @property
    def width(self) -> float:
        """Distance between opposite (vertical) edges, in metres."""
        return _SQRT3 * self.side

    @property
    def hex_area(self) -> float:
        """Area of one hexagon in m² (``cell_size²``)."""
        return 1.5 * _SQRT3 * self.side**2

    @property
    def n_cells(self) -> int:
        """Number of lattice positions, ``nx * ny``."""
        return self.nx * self.ny

    def centres(self, row: np.ndarray, col: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centre coordinates of hexagons ``(row, col)``."""
        row = np.asarray(row, dtype=np.int64)
        col = np.asarray(col, dtype=np.int64)
        x = self.x0 + self.width * (col + 0.5 * (row & 1))
        y = self.y0 + 1.5 * self.side * row
        return x, y

    def polygons(self, row: np.ndarray, col: np.ndarray) -> np.ndarray:
        """Hexagon polygons for ``(row, col)``, vectorized (vertices at 30° + k·60°).

        Vertices are computed on the lattice of half-widths and half-sides, so that
        neighbouring hexagons share their vertices exactly (no slivers or gaps).
        """
        row = np.asarray(row, dtype=np.int64)
        col = np.asarray(col, dtype=np.int64)
        ix = (2 * col + (row & 1))[:, None] + np.array([1, 0, -1, -1, 0, 1, 1])[None, :]
        iy = (3 * row)[:, None] + np.array([1, 2, 1, -1, -2, -1, 1])[None, :]
        ring = np.empty((len(row), 7, 2))
        ring[:, :, 0] = self.x0 + ix * (self.width / 2)
        ring[:, :, 1] = self.y0 + iy * (self.side / 2)
        return shapely.polygons(ring)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, as stored in ``attrs["hotspot"]["hexgrid"]``."""
        return {
            "x0": self.x0,
            "y0": self.y0,
            "cell_size": self.cell_size,
            "nx": self.nx,
            "ny": self.ny,
            "orientation": "pointy",
            "offset": "odd-r",
        }


def hex_cell_of(spec: HexSpec, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offset ``(row, col)`` of the hexagon holding each point (axial cube rounding).

    Points outside the lattice get rows/cols outside ``[0, ny)`` / ``[0, nx)``.

    Examples
    --------
    >>> spec = HexSpec(0.0, 0.0, 100.0, 3, 3)
    >>> cx, cy = spec.centres(np.array([1, 2]), np.array([1, 0]))
    >>> row, col = hex_cell_of(spec, cx + 1.0, cy - 1.0)
    >>> row.tolist(), col.tolist()
    ([1, 2], [1, 0])
    """
    a = spec.side
    px = np.asarray(x, dtype=float) - spec.x0
    py = np.asarray(y, dtype=float) - spec.y0
    qf = (px * (_SQRT3 / 3.0) - py / 3.0) / a
    rf = py * (2.0 / 3.0) / a
    sf = -qf - rf
    q, r, s = np.rint(qf), np.rint(rf), np.rint(sf)
    dq, dr, ds = np.abs(q - qf), np.abs(r - rf), np.abs(s - sf)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    q = np.where(fix_q, -r - s, q)
    r = np.where(fix_r, -q - s, r)
    with np.errstate(invalid="ignore"):
        row = r.astype(np.int64)
        col = q.astype(np.int64) + (row - (row & 1)) // 2
    return row, col


def _hex_spec_of(units: Any) -> HexSpec | None:
    meta = get_meta(units)
    spec = meta.get("hexgrid")
    if not isinstance(spec, dict) or "row" not in units or "col" not in units:
        return None
    return HexSpec(spec["x0"], spec["y0"], spec["cell_size"], spec["nx"], spec["ny"])


# ----------------------------------------------------------------------------- grid()


def grid(
    area: Any,
    cell_size: float | None = None,
    *,
    shape: str = "square",
    study_area: Any = None,
    incidents: Any = None,
) -> gpd.GeoDataFrame:
    """Square or hexagonal grid of analysis units covering ``area``.

    Parameters
    ----------
    area
        Incidents (points) or polygons, a GeoDataFrame or GeoSeries in a projected
        CRS in metres; the grid covers its bounding box. Ignored for the extent
        when ``study_area`` is given (the grid then covers the study area).
    cell_size
        Side of a square cell in metres; for hexagons, the side of the square of
        equal area (each hexagon has area ``cell_size²``, see the module notes).
        None: the one rule of :func:`hotspot._core.grid.auto_cell_size`
        (sfhotspot's shorter side of the bounding box / 50, rounded down to a
        multiple of 100 m, or to 1/2/2.5/5 × 10^k m below 100 m; raised, when the
        incidents are known, so that a cell holds one incident on average); the
        value and the reason are stored in
        ``attrs["hotspot"]["units"]["choices"]["cell_size"]``.
    shape
        ``"square"`` (default) or ``"hex"`` (pointy-topped hexagons).
    study_area
        Optional polygons (same CRS): only cells whose interior intersects the
        study area are kept. Cells are kept **whole**, not cut into slivers at the
        boundary, and carry ``inside_share``, the share of their area inside the
        study area (1 inside, less at the edge): :func:`hotspot.gi_star` and
        :func:`hotspot.local_moran` divide edge counts by it and leave out cells
        less than half inside, so the edge gives no false cold spots. Incidents
        outside the study area end up outside every unit and are reported by
        :func:`count`.
    incidents
        The incidents that will be counted, for the automatic cell size's support
        floor (their number over the study area, or over their convex hull). None:
        ``area`` itself when it holds points; no floor for polygons.

    Returns
    -------
    geopandas.GeoDataFrame
        One polygon per cell, index ``unit_id``, integer columns ``row`` and
        ``col``. Square grids carry their spec in ``attrs["hotspot"]["grid"]``
        (``unit_id = row * nx + col``; fast paths use it); hex grids carry theirs
        in ``attrs["hotspot"]["hexgrid"]``. ``attrs["hotspot"]["units"]`` holds the
        parameters, the automatic choices and ``n_cells``. Hex grids keep only
        hexagons that overlap the bounding box (or the study area).

    Raises
    ------
    CRSError
        If ``area`` (or ``study_area``) is not in a projected CRS in metres, or the
        two CRSs differ.
    InvalidInputError
        For an unknown ``shape``, a non-positive ``cell_size``, a single-location
        ``area`` with ``cell_size=None``, a study area that is not polygons, or a
        grid of more than 50 million cells.

    Warns
    -----
    HotspotWarning
        When the grid has more than 100,000 cells (slow statistics, unreadable
        maps; often a stray point far from the rest).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspot.units.build import grid
    >>> pts = gpd.GeoDataFrame(
    ...     geometry=gpd.points_from_xy([120.0, 980.0], [40.0, 460.0]), crs="EPSG:32616"
    ... )
    >>> cells = grid(pts, 250)
    >>> len(cells), cells.total_bounds.tolist()
    (8, [0.0, 0.0, 1000.0, 500.0])
    >>> hexes = grid(pts, 250, shape="hex")
    >>> round(float(hexes.area.iloc[0]))
    62500
    >>> grid(pts).attrs["hotspot"]["units"]["choices"]["cell_size"]["value"]
    5.0
    """
    if shape not in ("square", "hex"):
        msg = f"Unknown shape {shape!r}; use 'square' or 'hex'."
        raise InvalidInputError(msg)
    area_frame = _as_frame(area, "area")
    check_non_empty(area_frame, "area")
    check_projected(area_frame, "area")
    study_union = None
    if study_area is not None:
        study = _as_frame(study_area, "study_area")
        check_non_empty(study, "study_area")
        check_projected(study, "study_area")
        check_same_crs(area_frame, study, "area", "study_area")
        check_polygons(study, "study_area")
        study_union = shapely.union_all(study.geometry.to_numpy())
        bounds = tuple(float(b) for b in study.total_bounds)
    else:
        bounds = tuple(float(b) for b in area_frame.total_bounds)
    if not np.all(np.isfinite(bounds)):
        msg = "`area` has no finite coordinates (all geometries empty?)."
        raise InvalidInputError(msg)

    choices: dict[str, Any] = {}
    if cell_size is None:
        n_points, area_m2 = _support(area_frame if incidents is None else incidents,
                                     study_union)
        cell_size = auto_cell_size(bounds, choices, what="study area" if study_area is not None
                                   else "area", n_points=n_points, area_m2=area_m2)
    else:
        cell_size = check_positive(cell_size, "cell_size", "metres")

    if shape == "square":
        frame = _square_grid(bounds, cell_size, area_frame.crs, study_union)
    else:
        frame = _hex_grid(bounds, cell_size, area_frame.crs, study_union)
    if study_union is not None:
        frame["inside_share"] = _inside_share(frame.geometry.to_numpy(), study_union)
    params = {"function": "grid", "cell_size": cell_size, "shape": shape,
              "study_area": study_area is not None}
    return attach(frame, "units", params, choices, n_cells=len(frame))


def _support(points: Any, study_union: Any) -> tuple[int | None, float | None]:
    """Return the number of points and the area they can fall in (study area, else hull)."""
    frame = _as_frame(points, "incidents")
    geoms = frame.geometry.to_numpy()
    if len(geoms) == 0 or not bool(np.all(shapely.get_type_id(geoms) == 0)):
        return None, None  # polygons: no incidents to support the cells
    if study_union is not None:
        return len(geoms), float(shapely.area(study_union))
    x, y = point_xy(frame.geometry)
    ok = np.isfinite(x) & np.isfinite(y)
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack([x[ok], y[ok]])))
    return int(ok.sum()), float(shapely.area(hull))


def _as_frame(obj: Any, name: str) -> gpd.GeoDataFrame:
    if isinstance(obj, gpd.GeoSeries):
        return gpd.GeoDataFrame(geometry=obj)
    return check_geodataframe(obj, name)




def _anchor(v: float, step: float) -> float:
    """Largest multiple of ``step`` not above ``v`` (robust to round-off)."""
    a = math.floor(v / step) * step
    return a - step if a > v else a


def _warn_many_cells(n: int, cell_size: float) -> None:
    if n > MAX_CELLS_WARN:
        warn_user(
            f"The grid has {n:,} cells of {cell_size:g} m, more than {MAX_CELLS_WARN:,}: "
            "statistics will be slow and maps unreadable. Pass a larger `cell_size` "
            f"(e.g. cell_size={cell_size * math.ceil(math.sqrt(n / MAX_CELLS_WARN)):g}), "
            "clip with `study_area=`, or check for stray points far from the rest.",
            HotspotWarning,
        )


def _inside_share(cells: np.ndarray, geom: Any) -> np.ndarray:
    """Share of each cell's area inside ``geom`` (only boundary cells are intersected)."""
    share = np.ones(len(cells))
    edge = np.unique(shapely.STRtree(cells).query(shapely.boundary(geom), "intersects"))
    if len(edge):
        inside = shapely.area(shapely.intersection(cells[edge], geom))
        share[edge] = np.clip(inside / shapely.area(cells[edge]), 0.0, 1.0)
    return share


def _interior_hits(cells: np.ndarray, geom: Any) -> np.ndarray:
    """Boolean mask of ``cells`` whose interior intersects ``geom`` (polygonal)."""
    tree = shapely.STRtree(cells)
    mask = np.zeros(len(cells), dtype=bool)
    mask[tree.query(geom, predicate="intersects")] = True
    if shapely.get_dimensions(geom) == 2:
        # only cells crossing the boundary can merely touch the area: test those alone
        edge = np.unique(tree.query(shapely.boundary(geom), predicate="intersects"))
        edge = edge[mask[edge]]
        mask[edge[shapely.touches(cells[edge], geom)]] = False
    return mask


def _square_grid(bounds: tuple[float, ...], cell_size: float, crs: Any,
                 study: Any) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = bounds
    x0, y0 = _anchor(minx, cell_size), _anchor(miny, cell_size)
    spec = GridSpec.from_bounds((x0, y0, maxx, maxy), cell_size)
    check_grid_memory(spec.nx, spec.ny, cell_size, "grid", "area")
    keep = None
    if study is not None:
        full = grid_frame(spec, crs)
        shapely.prepare(study)
        keep = _interior_hits(full.geometry.to_numpy(), study)
        if not keep.any():
            msg = "No cell of the grid overlaps the study area."
            raise InvalidInputError(msg)
    n = spec.n_cells if keep is None else int(keep.sum())
    _warn_many_cells(n, cell_size)
    return grid_frame(spec, crs, keep=keep)


def _hex_grid(bounds: tuple[float, ...], cell_size: float, crs: Any,
              study: Any) -> gpd.GeoDataFrame:
    minx, miny, maxx, maxy = bounds
    probe = HexSpec(0.0, 0.0, cell_size, 1, 1)
    w, dy = probe.width, 1.5 * probe.side
    x0 = _anchor(minx, w) - w
    y0 = _anchor(miny, 2 * dy) - 2 * dy  # keep row parity: anchor on multiples of 2 rows
    nx = math.ceil((maxx - x0) / w) + 2
    ny = math.ceil((maxy - y0) / dy) + 2
    spec = HexSpec(x0, y0, cell_size, nx, ny)
    check_grid_memory(spec.nx, spec.ny, cell_size, "grid", "area")
    rows, cols = np.divmod(np.arange(spec.n_cells, dtype=np.int64), nx)
    cells = spec.polygons(rows, cols)
    if study is None:
        extent = shapely.envelope(shapely.multipoints([[minx, miny], [maxx, maxy]]))
        keep = _interior_hits(cells, extent)
    else:
        shapely.prepare(study)
        keep = _interior_hits(cells, study)
        if not keep.any():
            msg = "No hexagon of the grid overlaps the study area."
            raise InvalidInputError(msg)
    _warn_many_cells(int(keep.sum()), cell_size)
    rows, cols = rows[keep], cols[keep]
    index = pd.Index(rows * nx + cols, name="unit_id")
    frame = gpd.GeoDataFrame({"row": rows, "col": cols}, geometry=cells[keep], crs=crs,
                             index=index)
    frame.attrs["hotspot"] = {"hexgrid": spec.to_dict()}
    return frame


# ----------------------------------------------------------------------------- segments()


def segments(lines: Any, *, max_length: float | None = None) -> gpd.GeoDataFrame:
    """Street-segment units from a line layer.

    Multi-lines are exploded into their parts; empty and zero-length lines are
    dropped **and reported** (``attrs["hotspot"]["units"]``, plus a
    :class:`~hotspot.DataQualityWarning`); lines longer than ``max_length`` are
    split into the fewest equal pieces no longer than it. Z coordinates are dropped.

    Parameters
    ----------
    lines
        LineString / MultiLineString GeoDataFrame or GeoSeries in a projected CRS
        in metres (e.g. street centrelines between junctions).
    max_length
        Longest segment in metres; None: lines are not split.

    Returns
    -------
    geopandas.GeoDataFrame
        One line per segment, index ``unit_id`` (0, 1, ...), every original
        attribute column, ``source_index`` (the index label of the line it came
        from) and ``length_m`` (float, metres). ``attrs["hotspot"]["units"]``
        records ``n_input``, ``n_segments``, ``n_split`` (lines that were split) and
        the source indices of dropped lines under ``dropped_empty`` and
        ``dropped_zero_length`` (plus ``n_zero_length_parts_dropped``: zero-length
        parts of multi-lines whose other parts were kept).

    Raises
    ------
    CRSError
        If ``lines`` is not in a projected CRS in metres.
    InvalidInputError
        If a geometry is not a (multi)line, or ``max_length`` is not positive.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> from hotspot.units.build import segments
    >>> streets = gpd.GeoDataFrame(
    ...     {"name": ["High St", "Mill Ln"]},
    ...     geometry=[LineString([(0, 0), (250, 0)]), LineString([(0, 0), (0, 80)])],
    ...     crs="EPSG:32616",
    ... )
    >>> segs = segments(streets, max_length=100)
    >>> segs[["name", "source_index", "length_m"]].round(2).values.tolist()
    [['High St', 0, 83.33], ['High St', 0, 83.33], ['High St', 0, 83.33], ['Mill Ln', 1, 80.0]]
    """
    frame = _as_frame(lines, "lines")
    check_projected(frame, "lines")
    if max_length is not None:
        max_length = check_positive(max_length, "max_length", "metres")
    geom_name = frame.geometry.name
    types = frame.geometry.geom_type
    nonline = ~(types.isin(["LineString", "MultiLineString"]) | frame.geometry.is_empty
                | frame.geometry.isna())
    if nonline.any():
        first = frame.index[np.flatnonzero(nonline.to_numpy())[0]]
        msg = (
            f"`lines` must hold LineStrings or MultiLineStrings; {int(nonline.sum())} rows "
            f"do not (first: index {first!r}, a {types.get(first, '?')}). "
            "Polygons are units as they are: pass them to `count` directly."
        )
        raise InvalidInputError(msg)

    work = frame.copy()
    work["source_index"] = work.index.to_numpy()
    empty = work.geometry.isna().to_numpy() | work.geometry.is_empty.to_numpy()
    dropped_empty = work.index[empty].tolist()
    work = work.loc[~empty]
    work = work.explode(index_parts=False, ignore_index=True)
    geoms = shapely.force_2d(work.geometry.to_numpy())
    lengths = shapely.length(geoms)
    zero = ~(lengths > 0)
    # a line of several parts is dropped only when every part has zero length
    src = work["source_index"].to_numpy()
    zero_sources = set(pd.unique(src[zero])) - set(pd.unique(src[~zero]))
    dropped_zero = [s for s in pd.unique(src[zero]) if s in zero_sources]
    n_zero_parts = int(zero.sum()) - int(np.isin(src[zero], dropped_zero).sum())
    work, geoms, lengths = work.loc[~zero], geoms[~zero], lengths[~zero]

    n_pieces = np.ones(len(geoms), dtype=np.int64)
    if max_length is not None:
        n_pieces = np.maximum(1, np.ceil(lengths / max_length * (1 - 1e-12))).astype(np.int64)
    pieces = _split_equal(geoms, n_pieces)
    out = work.drop(columns=geom_name).iloc[np.repeat(np.arange(len(work)), n_pieces)]
    out = gpd.GeoDataFrame(out.reset_index(drop=True), geometry=pieces, crs=frame.crs)
    out = out.rename_geometry(geom_name) if geom_name != "geometry" else out
    out["length_m"] = shapely.length(pieces)
    out.index = pd.RangeIndex(len(out), name="unit_id")
    out.attrs = {}

    n_dropped = len(dropped_empty) + len(dropped_zero) + n_zero_parts
    if n_dropped:
        msg = (
            f"segments(): dropped {len(dropped_empty)} empty and {len(dropped_zero)} "
            f"zero-length lines of {len(frame)}, and {n_zero_parts} zero-length parts of "
            "multi-lines (source indices in attrs['hotspot']['units'])."
        )
        logger.warning(msg)
        warn_user(msg, DataQualityWarning)
    params = {"function": "segments", "max_length": max_length}
    return attach(
        out, "units", params, {},
        n_input=len(frame), n_segments=len(out), n_split=int((n_pieces > 1).sum()),
        dropped_empty=dropped_empty, dropped_zero_length=dropped_zero,
        n_zero_length_parts_dropped=n_zero_parts,
    )


def _split_equal(lines: np.ndarray, n_pieces: np.ndarray) -> np.ndarray:
    """Split each line into ``n_pieces`` pieces of equal length (vectorized)."""
    result = np.empty(int(n_pieces.sum()), dtype=object)
    first_piece = np.concatenate([[0], np.cumsum(n_pieces)[:-1]])
    whole = n_pieces == 1
    result[first_piece[whole]] = lines[whole]
    split = np.flatnonzero(~whole)
    if len(split) == 0:
        return result
    sub, n = lines[split], n_pieces[split]
    step = shapely.length(sub) / n
    base = first_piece[split]
    # vertices with their distance along their line
    coords, li = shapely.get_coordinates(sub, return_index=True)
    seg = np.hypot(*np.diff(coords, axis=0).T)
    seg = np.concatenate([[0.0], seg])
    starts = np.r_[True, li[1:] != li[:-1]]
    seg[starts] = 0.0
    cum = np.cumsum(seg)
    cum -= cum[np.flatnonzero(starts)][li]
    t = cum / step[li]
    k = np.clip(np.floor(t), 0, n[li] - 1).astype(np.int64)
    j = np.rint(t)
    on_cut = (np.abs(t - j) < 1e-9) & (j >= 1) & (j <= n[li] - 1)
    keep = ~on_cut
    v_xy, v_gid, v_d = coords[keep], base[li[keep]] + k[keep], cum[keep]
    # cut points, each the end of piece j-1 and the start of piece j
    cut_line = np.repeat(np.arange(len(sub)), n - 1)
    cut_j = np.arange(len(cut_line)) - np.repeat(np.cumsum(n - 1) - (n - 1), n - 1) + 1
    cut_d = cut_j * step[cut_line]
    cut_pts = shapely.line_interpolate_point(sub[cut_line], cut_d)
    cut_xy = shapely.get_coordinates(cut_pts)
    cut_gid = base[cut_line] + cut_j
    all_xy = np.concatenate([v_xy, cut_xy, cut_xy])
    all_gid = np.concatenate([v_gid, cut_gid - 1, cut_gid])
    all_d = np.concatenate([v_d, cut_d, cut_d])
    order = np.lexsort((all_d, all_gid))
    gids, local = np.unique(all_gid[order], return_inverse=True)
    result[gids] = shapely.linestrings(all_xy[order], indices=local)
    return result
