"""Analysis units: square and hex grids, street segments, and counting incidents into them."""

from hotspot.units.build import grid, segments
from hotspot.units.counting import assign_units, count

__all__ = ["assign_units", "count", "grid", "segments"]
