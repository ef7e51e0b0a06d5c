"""Scanning: where crime concentrates.

KDE, Gi*, local Moran, clusters, operational hotspots, concentration.
"""

from hotspot.scan.areas import hotspot_membership, hotspots
from hotspot.scan.clusters import cluster_hulls, cluster_points, nnh
from hotspot.scan.concentration import ConcentrationResult, concentration
from hotspot.scan.density import kde
from hotspot.scan.places import MapGrid, map_grid, place_grid, place_names
from hotspot.scan.stats import fdr_bh, gi_star, local_moran

__all__ = [
    "ConcentrationResult",
    "MapGrid",
    "cluster_hulls",
    "cluster_points",
    "concentration",
    "fdr_bh",
    "gi_star",
    "hotspot_membership",
    "hotspots",
    "kde",
    "local_moran",
    "map_grid",
    "nnh",
    "place_grid",
    "place_names",
]
