"""Presenting: print maps, briefing packs, interactive maps, exports and the command line."""

from hotspot.present.export import export, read_export
from hotspot.present.interactive import explore
from hotspot.present.maps import (
    HOTSPOT_CLASS_COLORS,
    new_map_figure,
    plot_hotspots,
    plot_kde,
    plot_units,
    save_map,
)
from hotspot.present.report import briefing, briefings

__all__ = [
    "HOTSPOT_CLASS_COLORS",
    "briefing",
    "briefings",
    "explore",
    "export",
    "new_map_figure",
    "plot_hotspots",
    "plot_kde",
    "plot_units",
    "read_export",
    "save_map",
]
