"""Array core for regular square grids: a grid spec, cell indexing and binning.

A grid has ``ny`` rows and ``nx`` columns of square cells of side ``cell_size``
metres; its lower-left corner is ``(x0, y0)``. Row 0 is the southernmost row and
column 0 the westernmost column. The flat cell index is ``row * nx + col``; a grid
GeoDataFrame made by :func:`hotspot.grid` uses it as ``unit_id`` and keeps
``row``/``col`` columns and ``attrs["hotspot"]["grid"]`` (see :meth:`GridSpec.to_dict`)
so that fast paths (binning, FFT kernels, grid neighbours) can work on arrays.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from hotspot._core.meta import note_choice
from hotspot.exceptions import InvalidInputError

__all__ = ["STREET_BLOCK_M", "STREET_SCALE_M", "GridSpec", "auto_cell_size", "bin_points",
           "check_grid_memory", "grid_frame", "grid_spec_of"]

MAX_CELLS: int = 50_000_000
"""No grid has more cells than this, whatever the memory."""

STREET_SCALE_M: float = 250.0
"""Largest automatic cell of a counting grid, in metres (the extent rule is capped here;
the support floor may still raise it). At force or city scale the extent / 50 rule gives
600-900 m cells: each place is then a 0.4-0.8 km² block and neighbouring places are
adjacent blocks of one centre, while police data support street-scale cells. KDE grids
keep their own rule (bandwidth / 2)."""

STREET_BLOCK_M: float = 100.0
"""Smallest automatic cell of a counting grid, in metres: about one street block. Finer
cells split one block into single addresses; a neighbourhood statistic (Gi*) tested
against every other cell and corrected for ~10,000 tests cannot then reach
significance, however concentrated the incidents (Chicago District 11, 2010-2019,
12,816 assaults: 50 m cells flag no cell, 100 m cells flag 93). A smaller
``cell_size`` can always be passed."""

BYTES_PER_CELL = {"grid": 400, "kde": 320, "raster": 16}
"""Approximate memory per cell: a grid GeoDataFrame (polygon + columns), a KDE (padded
FFT work arrays), a plain float raster."""


@dataclass(frozen=True)
class GridSpec:
    """A regular square grid.

    Parameters
    ----------
    x0, y0
        Lower-left corner of the grid, in metres.
    cell_size
        Side of a cell, in metres.
    nx, ny
        Number of columns and rows.

    Examples
    --------
    >>> spec = GridSpec.from_bounds((0, 0, 250, 90), 100)
    >>> spec.nx, spec.ny
    (3, 1)
    """

    x0: float
    y0: float
    cell_size: float
    nx: int
    ny: int

    @classmethod
    def from_bounds(
        cls, bounds: tuple[float, float, float, float], cell_size: float
    ) -> GridSpec:
        """Smallest grid of ``cell_size`` cells anchored at ``(minx, miny)`` covering ``bounds``.

        A point on the maximum edge falls in the last cell: at least one cell is made
        on each axis.

        Examples
        --------
        >>> GridSpec.from_bounds((0, 0, 200, 200), 100).nx
        3
        """
        minx, miny, maxx, maxy = map(float, bounds)
        nx = max(1, math.floor((maxx - minx) / cell_size) + 1)
        ny = max(1, math.floor((maxy - miny) / cell_size) + 1)
        return cls(minx, miny, float(cell_size), int(nx), int(ny))

    @property
    def shape(self) -> tuple[int, int]:
        """``(ny, nx)``, the shape of a raster over this grid."""
        return (self.ny, self.nx)

    @property
    def n_cells(self) -> int:
        """Number of cells, ``nx * ny``."""
        return self.nx * self.ny

    @property
    def cell_area(self) -> float:
        """Area of one cell in m²."""
        return self.cell_size**2

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(row, col, inside)`` for coordinate arrays ``x`` and ``y``.

        ``inside`` is False for points outside the grid (their row/col are clipped).

        Examples
        --------
        >>> spec = GridSpec(0.0, 0.0, 10.0, 2, 2)
        >>> row, col, inside = spec.cell_of(np.array([5.0, 15.0, 25.0]), np.array([5.0, 12.0, 0.0]))
        >>> row.tolist(), col.tolist(), inside.tolist()
        ([0, 1, 0], [0, 1, 1], [True, True, False])
        """
        fc = np.floor((np.asarray(x, dtype=float) - self.x0) / self.cell_size)
        fr = np.floor((np.asarray(y, dtype=float) - self.y0) / self.cell_size)
        inside = (fc >= 0) & (fc < self.nx) & (fr >= 0) & (fr < self.ny)
        col = np.clip(np.nan_to_num(fc, nan=-1), 0, self.nx - 1).astype(np.int64)
        row = np.clip(np.nan_to_num(fr, nan=-1), 0, self.ny - 1).astype(np.int64)
        return row, col, inside

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """X and y of cell centres as 1-D arrays of length ``nx`` and ``ny``.

        Examples
        --------
        >>> GridSpec(0.0, 0.0, 10.0, 2, 1).centres()[0].tolist()
        [5.0, 15.0]
        """
        xs = self.x0 + (np.arange(self.nx) + 0.5) * self.cell_size
        ys = self.y0 + (np.arange(self.ny) + 0.5) * self.cell_size
        return xs, ys

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, as stored in ``attrs["hotspot"]["grid"]``."""
        return asdict(self)


def bin_points(
    spec: GridSpec,
    x: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Count (or sum ``weights`` of) points per cell with one ``np.bincount``.

    Parameters
    ----------
    spec
        The grid.
    x, y
        Point coordinates in metres, in the grid's CRS.
    weights
        Optional weight per point; counts when None.

    Returns
    -------
    counts : numpy.ndarray
        Array of shape ``(ny, nx)`` (float when weighted, int64 otherwise).
    n_outside : int
        Number of points that fell outside the grid (not counted).

    Examples
    --------
    >>> spec = GridSpec(0.0, 0.0, 10.0, 2, 2)
    >>> x, y = np.array([1.0, 2.0, 15.0, 99.0]), np.array([1.0, 1.0, 15.0, 0.0])
    >>> counts, out = bin_points(spec, x, y)
    >>> counts.tolist(), out
    ([[2, 0], [0, 1]], 1)
    """
    row, col, inside = spec.cell_of(x, y)
    flat = row[inside] * spec.nx + col[inside]
    w = None if weights is None else np.asarray(weights, dtype=float)[inside]
    counts = np.bincount(flat, weights=w, minlength=spec.n_cells).reshape(spec.shape)
    return counts, int((~inside).sum())


def grid_spec_of(units: Any) -> GridSpec | None:
    """Return the :class:`GridSpec` of a square-grid units frame, or None.

    A frame qualifies when its ``attrs["hotspot"]["grid"]`` holds a spec and it
    has integer ``row`` and ``col`` columns.
    """
    attrs = getattr(units, "attrs", None) or {}
    meta = attrs.get("hotspot", {}) if isinstance(attrs, dict) else {}
    spec = meta.get("grid") if isinstance(meta, dict) else None
    if not spec or "row" not in units or "col" not in units:
        return None
    return GridSpec(**spec)


def grid_frame(spec: GridSpec, crs: Any, *, keep: np.ndarray | None = None) -> Any:
    """Square-cell GeoDataFrame of ``spec``, one row per cell (vectorized).

    Parameters
    ----------
    spec
        The grid.
    crs
        CRS of the cells (projected, metres).
    keep
        Optional boolean array of shape ``(ny, nx)``; only cells where it is True
        are returned (e.g. cells inside a study area).

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``unit_id`` (``row * nx + col``), integer columns ``row`` and ``col``,
        square polygons, and ``attrs["hotspot"]["grid"] = spec.to_dict()``.

    Examples
    --------
    >>> cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 3, 2), "EPSG:32616")
    >>> len(cells), cells.index.name, float(cells.area.iloc[0])
    (6, 'unit_id', 10000.0)
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    rows, cols = np.divmod(np.arange(spec.n_cells, dtype=np.int64), spec.nx)
    if keep is not None:
        mask = np.asarray(keep, dtype=bool).reshape(-1)
        rows, cols = rows[mask], cols[mask]
    x_left = spec.x0 + cols * spec.cell_size
    y_low = spec.y0 + rows * spec.cell_size
    geoms = shapely.box(x_left, y_low, x_left + spec.cell_size, y_low + spec.cell_size)
    index = pd.Index(rows * spec.nx + cols, name="unit_id")
    frame = gpd.GeoDataFrame({"row": rows, "col": cols}, geometry=geoms, crs=crs, index=index)
    frame.attrs["hotspot"] = {"grid": spec.to_dict()}
    return frame


def auto_cell_size(
    bounds: tuple[float, float, float, float] | np.ndarray,
    choices: dict[str, Any],
    *,
    bandwidth: float | None = None,
    what: str = "incidents",
    n_points: int | None = None,
    area_m2: float | None = None,
) -> float:
    """Choose the cell size: the one rule for grids, KDE, the scan, briefings and the CLI.

    ``raw = shorter side of the bounding box / 50`` (the longer side if the shorter
    one is 0), so that the study area is about 50 cells across its narrow side. When
    a KDE bandwidth is known, ``raw = min(raw, bandwidth / 2)`` so that the kernel
    spans at least two cells either way; otherwise, for a counting grid (the number
    of incidents and their area known), ``raw`` is at most :data:`STREET_SCALE_M`
    (250 m), so that a force- or city-wide scan still finds street-scale places (the
    support floor below can raise it again, and bounds the number of cells by the
    data). ``raw``
    is then rounded down to a multiple of 100 m when it is at least 100 m
    (sfhotspot's rule, sizes an officer can pace out), else to 1, 2, 2.5 or
    5 × 10^k m (at least 1 m); the 250 m cap is kept as it is.

    **Support floor** (counting grids, not KDE): when the number of incidents
    ``n_points`` and the area they can fall in ``area_m2`` are known, cells are at
    least ``sqrt(area_m2 / n_points)`` wide, so that a cell holds one incident on
    average; that floor is rounded *up* to a multiple of 50 m. Finer cells hold
    mostly zeros and ones: a hotspot statistic then cannot tell a cluster from
    chance once it is corrected for testing thousands of cells (a 1,500-incident
    police district on 50 m cells flags nothing), while a printed map gains nothing
    an officer can use. A city's extent rule is usually above the floor (Chicago's
    assault sample: 629 m by extent, 202 m by support); a district's is not.

    **Street-block minimum** (counting grids): an automatic cell is never smaller than
    :data:`STREET_BLOCK_M` (100 m) when incidents will be counted, however many there
    are: finer cells split a block into single addresses and Gi* on them flags nothing.

    The value and the reason are recorded with
    :func:`~hotspot._core.meta.note_choice` as ``"cell_size"``.

    Parameters
    ----------
    bounds
        ``(minx, miny, maxx, maxy)`` in metres: of the study area when there is one,
        else of the incidents.
    choices
        Dict of the caller's automatic choices; updated in place.
    bandwidth
        KDE bandwidth in metres, when the cells carry a density surface.
    what
        What the bounds are of, for the reason ("incidents", "study area").
    n_points
        Number of incidents to be counted (for the support floor); None: no floor.
    area_m2
        Area in m² the incidents can fall in (the study area, or the incidents'
        convex hull); None: no floor.

    Returns
    -------
    float
        Cell side in metres.

    Raises
    ------
    InvalidInputError
        If the bounds are a single location (or not finite) and no bandwidth is given.

    Examples
    --------
    >>> auto_cell_size((0, 0, 30_000, 20_000), {})  # 20 km / 50 = 400 m
    400.0
    >>> auto_cell_size((0, 0, 30_000, 20_000), {}, n_points=20_000, area_m2=6e8)  # capped
    250.0
    >>> auto_cell_size((0, 0, 30_000, 20_000), {}, bandwidth=500)  # 500 / 2 = 250 m
    200.0
    >>> auto_cell_size((0, 0, 2_000, 1_700), {})  # 34 m
    25.0
    >>> auto_cell_size((0, 0, 4_000, 6_000), {}, n_points=1_500, area_m2=16e6)  # 103 m
    150.0
    >>> auto_cell_size((0, 0, 4_000, 6_000), {}, n_points=12_000, area_m2=16e6)  # block
    100.0
    """
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    width, height = maxx - minx, maxy - miny
    short, side = min(width, height), "shorter side"
    if not short > 0:
        short, side = max(width, height), "longer side (the shorter one is 0)"
    by_extent = short / 50.0 if short > 0 and math.isfinite(short) else math.inf
    by_bandwidth = bandwidth / 2.0 if bandwidth is not None else math.inf
    # street scale where incidents will be counted and support it (the floor below bounds
    # the number of cells by the data); a bare grid of polygons keeps extent / 50
    supported = _support_floor(n_points, area_m2) > 0
    capped = (bandwidth is None and supported and math.isfinite(by_extent)
              and by_extent > STREET_SCALE_M)
    raw = min(by_extent, by_bandwidth, STREET_SCALE_M if capped else math.inf)
    if not math.isfinite(raw) or raw <= 0:
        msg = (
            f"Cannot choose a cell size automatically: the {what} is a single location. "
            "Pass `cell_size` (metres)."
        )
        raise InvalidInputError(msg)
    if capped and raw == STREET_SCALE_M:
        size, rounding = STREET_SCALE_M, "kept as it is"
    elif raw >= 100.0:
        size = math.floor(raw / 100.0) * 100.0
        rounding = "rounded down to a multiple of 100 m"
    else:
        size = max(_nice_floor(raw), 1.0)
        rounding = "rounded down to 1/2/2.5/5×10^k m (at least 1 m)"
    if by_extent <= by_bandwidth:
        owner = f"{what}'" if what.endswith("s") else f"{what}'s"
        why = f"{side} of the {owner} bounding box ({short:.6g} m) / 50 = {by_extent:.4g} m"
        if capped:
            why += (f", capped at street scale ({STREET_SCALE_M:g} m: a place on the list "
                    "is a few blocks, not a district)")
    else:
        why = f"bandwidth / 2 = {raw:.4g} m, so that the kernel spans >= 2 cells"
    floor = _support_floor(n_points, area_m2) if bandwidth is None else 0.0
    if supported and bandwidth is None and max(size, floor) < STREET_BLOCK_M:
        why = (f"{why}, {rounding} = {max(size, floor):g} m; raised to {STREET_BLOCK_M:g} m, "
               "one street block (finer cells split a block into single addresses and "
               "the hotspot statistic loses its power); pass cell_size= for finer cells")
        return float(note_choice(choices, "cell_size", STREET_BLOCK_M, why))
    if floor > size:
        area, n = float(area_m2 or 0.0), int(n_points or 0)
        why = (f"{why}, {rounding} = {size:g} m; raised to {floor:g} m so that a cell "
               f"holds one incident on average: sqrt(area {area / 1e6:.4g} km² / "
               f"{n:,} incidents) = {math.sqrt(area / n):.4g} m, rounded up to a multiple "
               "of 50 m")
        return float(note_choice(choices, "cell_size", floor, why))
    return float(note_choice(choices, "cell_size", float(size), f"{why}, {rounding}"))


def _support_floor(n_points: int | None, area_m2: float | None) -> float:
    """``sqrt(area / n)`` rounded up to a multiple of 50 m; 0 when either is unknown."""
    if not n_points or area_m2 is None or not math.isfinite(area_m2) or area_m2 <= 0:
        return 0.0
    return 50.0 * math.ceil(math.sqrt(area_m2 / n_points) / 50.0 - 1e-9)


def _nice_floor(value: float) -> float:
    """Largest of 1, 2, 2.5, 5 × 10^k not above ``value``."""
    base = 10.0 ** math.floor(math.log10(value))
    for m in (5.0, 2.5, 2.0, 1.0):
        if m * base <= value * (1 + 1e-12):
            return float(round(m * base, 10))
    return float(base)  # pragma: no cover


def _available_memory() -> int:
    """Bytes of memory available now (Linux MemAvailable, else sysconf, else 8 GiB)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 << 30


def check_grid_memory(nx: int, ny: int, cell_size: float, use: str = "grid",
                      what: str = "data") -> None:
    """Refuse a grid that would not fit in memory, naming the ``cell_size`` that would.

    The rule: ``nx * ny`` cells times :data:`BYTES_PER_CELL` ``[use]`` must stay below
    half of the memory available now, and below :data:`MAX_CELLS` cells.

    Parameters
    ----------
    nx, ny
        Columns and rows of the grid.
    cell_size
        Side of a cell, in metres.
    use
        ``"grid"``, ``"kde"`` or ``"raster"`` (see :data:`BYTES_PER_CELL`).
    what
        What the grid covers, for the message (e.g. ``"incidents"``).

    Raises
    ------
    InvalidInputError
        The grid is too large; the message gives the smallest ``cell_size`` that fits.

    Examples
    --------
    >>> check_grid_memory(100, 100, 50.0)
    >>> try:
    ...     check_grid_memory(60_000, 60_000, 0.1)
    ... except ValueError as e:
    ...     print(str(e)[:60])
    a grid of 0.1 m cells over 6,000 m × 6,000 m would have 3,60
    """
    n = int(nx) * int(ny)
    per_cell = BYTES_PER_CELL.get(use, BYTES_PER_CELL["grid"])
    budget = min(_available_memory() // 2, MAX_CELLS * per_cell)
    need = n * per_cell
    if need <= budget:
        return
    factor = math.sqrt(need / max(budget, 1))
    fit = _nice_ceil(cell_size * factor * 1.05)
    msg = (f"a grid of {cell_size:g} m cells over {nx * cell_size:,.0f} m × "
           f"{ny * cell_size:,.0f} m would have {n:,} cells and need about "
           f"{need / 2**30:,.1f} GiB of memory ({budget / 2**30:,.1f} GiB can be used): "
           f"pass cell_size={fit:g} or larger, or check the {what} for stray points far "
           "from the rest.")
    raise InvalidInputError(msg)


def _nice_ceil(value: float) -> float:
    """Smallest of 1, 2, 2.5, 5 × 10^k not below ``value``."""
    exp = math.floor(math.log10(value))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * 10.0**exp >= value * (1 - 1e-12):
            return float(round(m * 10.0**exp, 10))
    return float(10.0 ** (exp + 1))  # pragma: no cover
