"""The one composition of the default scan: incidents -> cells -> ranked hotspots.

:func:`scan` is what ``hotspot analyze``, :func:`hotspot.briefing` and
:func:`hotspot.hotspots` (given incidents) run, so the same incidents and
arguments give the same cell size, cells and hotspots whichever door a user comes
in by.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np

from hotspot.ingest.locations import exclude_stacked
from hotspot.scan.areas import MAX_AREA_KM2, hotspots
from hotspot.scan.busy import BUSY_TOP, with_busy_places
from hotspot.scan.cells import scan_cells

__all__ = ["scan"]


def scan(
    incidents: gpd.GeoDataFrame,
    *,
    method: str = "gistar",
    cell_size: float | None = None,
    max_area_km2: float | None = MAX_AREA_KM2,
    study_area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    units: gpd.GeoDataFrame | None = None,
    weight: str | None = None,
    neighbors: str = "queen",
    stacked: str = "exclude",
    busy_top: int = BUSY_TOP,
    random_state: int | np.random.Generator | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Run the default scan: grid -> count -> Gi* (FDR) -> ranked places for officers.

    The cells come from :func:`hotspot.scan.cells.scan_cells` (automatic cell size
    by the one rule of :func:`hotspot._core.grid.auto_cell_size` unless
    ``cell_size`` is given); the hotspots from :func:`hotspot.hotspots` on those
    cells (contiguous 99 %/95 % Gi* hot cells merged, cut to at most
    ``max_area_km2`` each, ranked by incidents).

    Parameters
    ----------
    incidents
        Points in a projected CRS in metres (e.g. from :func:`hotspot.read_incidents`).
    method
        ``"gistar"`` (default), ``"kde"`` (densest 5 % of the area), ``"count"``
        (cells with most incidents) or ``"clusters"`` (HDBSCAN hulls; the cells are
        then only counted, for maps).
    cell_size
        Cell side in metres; None for the automatic rule.
    max_area_km2
        Largest hotspot area in km² (larger hot areas are cut into compact pieces
        an officer can cover); default :data:`hotspot.scan.areas.MAX_AREA_KM2`
        (1 km²), the same for every door; None for no cap.
    study_area
        Polygons (a district, the city) in the incidents' CRS: the grid covers them
        only.
    units
        Ready-made units to use instead of a grid (e.g. beats, street segments).
    weight
        Incident column of harm weights; hotspots are then ranked by harm.
    neighbors
        ``"queen"`` or ``"rook"``: contiguity for Gi* and for merging cells.
    stacked
        ``"exclude"`` (default): incidents whose ``location_quality`` is
        ``"stacked"`` (placeholder points, see :mod:`hotspot.ingest.locations`) are
        left out before the cells are counted, as :func:`hotspot.hotspots` does;
        ``"keep"`` counts them.
    busy_top
        How many of the busiest cells the list always covers (default
        :data:`hotspot.scan.busy.BUSY_TOP`, ties included); 0: hot spots only.
        Not used by ``"clusters"``.
    random_state
        Seed for the random steps (the clusterer of ``"clusters"``); the grid
        methods are deterministic.

    Returns
    -------
    cells : geopandas.GeoDataFrame
        The scored cells (``n_incidents``, Gi* columns...).
    hotspots : geopandas.GeoDataFrame
        One row per place, best first (the columns of :func:`hotspot.hotspots` plus
        ``kind``: ``"hot spot"`` or ``"busy place"``); its ``attrs["hotspot"]``
        carries the cells' steps and choices, and ``["places"]`` the busy-place rule.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.pipeline import scan
    >>> robberies = hs.datasets.load_sample("memphis_robberies")
    >>> cells, spots = scan(robberies, max_area_km2=1.0)
    >>> bool((spots["area_km2"] <= 1.0 + 1e-9).all())
    True
    >>> spots.attrs["hotspot"]["units"]["choices"]["cell_size"]["value"] > 0
    True
    """
    incidents, _ = exclude_stacked(incidents, stacked)
    cells = scan_cells(
        incidents,
        method=method,
        cell_size=cell_size,
        study_area=study_area,
        units=units,
        weight=weight,
        neighbors=neighbors,
    )
    data: Any = incidents if method == "clusters" else cells
    spots = hotspots(
        data,
        method=method,
        incidents=None if method == "clusters" else incidents,
        max_area_km2=max_area_km2,
        weight=weight,
        neighbors=neighbors,
        stacked=stacked,
        random_state=random_state,
    )
    if method != "clusters":
        spots = with_busy_places(
            cells, spots, incidents, top=busy_top, max_area_km2=max_area_km2, weight=weight,
            neighbors=neighbors,
        )
    return cells, spots
