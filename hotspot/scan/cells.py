"""The cells of the default scan: grid (or KDE surface) -> counts -> Gi*.

:func:`scan_cells` is the one place where incidents become scored cells; it is used
by :func:`hotspot.pipeline.scan` (the CLI, briefings) and by
:func:`hotspot.hotspots` when it is given incidents, so every door gives the same
cells.
"""

from __future__ import annotations

import geopandas as gpd

from hotspot._core.validation import check_geodataframe, check_projected, check_same_crs
from hotspot.exceptions import InvalidInputError
from hotspot.scan.density import kde
from hotspot.scan.stats import gi_star
from hotspot.units.build import grid
from hotspot.units.counting import count

__all__ = ["CELL_METHODS", "scan_cells"]

CELL_METHODS = ("gistar", "kde", "count", "clusters")
"""Scan methods; all but ``"clusters"`` select hotspots from the cells."""


def scan_cells(
    incidents: gpd.GeoDataFrame,
    *,
    method: str = "gistar",
    cell_size: float | None = None,
    study_area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    units: gpd.GeoDataFrame | None = None,
    column: str = "n_incidents",
    weight: str | None = None,
    neighbors: str = "queen",
) -> gpd.GeoDataFrame:
    """Build and score the cells of the default scan.

    Steps: the units are ``units`` when given, else a square :func:`~hotspot.grid`
    over ``study_area`` (cells inside it only, so empty cells outside it do not bias
    Gi*) or over the incidents, with the automatic cell size
    (:func:`hotspot._core.grid.auto_cell_size`) unless ``cell_size`` is given. For
    ``method="kde"`` the grid is made by :func:`~hotspot.kde`, whose cell size also
    takes the bandwidth into account. Incidents are then counted
    (:func:`~hotspot.count`, ``weight`` summed too) and, for ``"gistar"``, Gi* with
    FDR is added (:func:`~hotspot.gi_star` on ``column``).

    Parameters
    ----------
    incidents
        Points in a projected CRS in metres.
    method
        ``"gistar"``, ``"kde"``, ``"count"`` or ``"clusters"`` (cells are counted, for
        maps; hotspots come from clusters of the incidents).
    cell_size
        Cell side in metres; automatic when None.
    study_area
        Polygons in the incidents' CRS: the grid covers them only.
    units
        Ready-made units (a grid, beats, segments); ``cell_size`` and
        ``study_area`` are then not used.
    column
        Column analysed by Gi* (default ``n_incidents``).
    weight
        Incident column of harm weights summed per cell (``weighted``).
    neighbors
        ``"queen"`` or ``"rook"`` contiguity for Gi*.

    Returns
    -------
    geopandas.GeoDataFrame
        The cells with ``n_incidents`` (and ``weighted``, ``kde``, Gi* columns as
        the method needs); ``attrs["hotspot"]`` holds every step's choices,
        ``["units"]["choices"]["cell_size"]`` among them.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.scan.cells import scan_cells
    >>> robberies = hs.datasets.load_sample("memphis_robberies")
    >>> cells = scan_cells(robberies)
    >>> {"n_incidents", "gi_z", "hotspot_class"} <= set(cells.columns)
    True
    """
    if method not in CELL_METHODS:
        msg = f"unknown method {method!r}; use one of {', '.join(map(repr, CELL_METHODS))}."
        raise InvalidInputError(msg)
    check_geodataframe(incidents, "incidents")
    check_projected(incidents, "incidents")
    if units is None:
        units = _default_units(incidents, method, cell_size, study_area)
    else:
        check_geodataframe(units, "units")
        check_same_crs(incidents, units, "incidents", "units")
        if method == "kde":
            units = kde(incidents, units)
    cells = count(incidents, units, weight=weight)
    if method == "gistar":
        cells = gi_star(cells, column, neighbors=neighbors)
    return cells


def _default_units(
    incidents: gpd.GeoDataFrame,
    method: str,
    cell_size: float | None,
    study_area: gpd.GeoDataFrame | gpd.GeoSeries | None,
) -> gpd.GeoDataFrame:
    if study_area is None:
        if method == "kde":
            return kde(incidents, cell_size=cell_size)
        return grid(incidents, cell_size)
    check_same_crs(incidents, study_area, "incidents", "study_area")
    cells = grid(study_area, cell_size, study_area=study_area, incidents=incidents)
    return kde(incidents, cells) if method == "kde" else cells
