"""Analysis: when and why crime happens there.

Time profiles, darkness, aoristic time, near repeats, change and emergence.
"""

from hotspot.analyse.change import hotspot_change
from hotspot.analyse.darkness import dark_share, daylight, solar_elevation, sun_times
from hotspot.analyse.emerging import classify_hotspots, emerging_hotspots
from hotspot.analyse.near_repeat import KnoxResult, knox, near_repeat_chains
from hotspot.analyse.temporal import (
    aoristic,
    aoristic_weights,
    plot_temporal_profile,
    temporal_profile,
)

__all__ = [
    "KnoxResult",
    "aoristic",
    "aoristic_weights",
    "classify_hotspots",
    "dark_share",
    "daylight",
    "emerging_hotspots",
    "hotspot_change",
    "knox",
    "near_repeat_chains",
    "plot_temporal_profile",
    "solar_elevation",
    "sun_times",
    "temporal_profile",
]
