"""Analysis units: square and hex grids, street segments, and counting incidents into them."""

from hotspot.units.build import assign_units, count, grid, segments

__all__ = ["assign_units", "count", "grid", "segments"]
