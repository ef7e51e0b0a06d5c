"""hotspot: crime hotspot analytics and situational-prevention planning.

The workflow follows SARA: Scanning (where does crime concentrate), Analysis (when
and why), Response (which interventions, where, how much) and Assessment (did it
work, did crime move).

Examples
--------
>>> import hotspot as hs
>>> hs.__version__  # doctest: +SKIP
'0.1.0.dev0'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from . import datasets, evidence, exceptions, metrics
from .areas import hotspot_membership, hotspots
from .assess import (
    BeforeAfter,
    before_after,
    catchment,
    relative_effect_size,
    wdd,
    wdq,
)
from .clusters import cluster_hulls, cluster_points, nnh
from .concentration import ConcentrationResult, concentration
from .density import kde
from .evidence import load_catalogue
from .exceptions import (
    CRSError,
    DataQualityWarning,
    HotspotError,
    HotspotWarning,
    InvalidInputError,
)
from .export import export, read_export
from .forecast import (
    BacktestResult,
    NaiveCount,
    ProspectiveHotspot,
    RecentKDE,
    SpaceTimeKDE,
    backtest,
)
from .incidents import IngestReport, ingest_report, project, read_incidents
from .interventions import plan, score_interventions
from .maps import (
    HOTSPOT_CLASS_COLORS,
    explore,
    new_map_figure,
    plot_hotspots,
    plot_kde,
    plot_units,
    save_map,
)
from .metrics import coverage_curve, hit_rate, pai, pei, pei_star, rri
from .patrol import LightingAudit, format_patrol_plan, lighting_audit, patrol_plan, read_outages
from .report import briefing, briefings
from .spacetime import (
    KnoxResult,
    classify_hotspots,
    emerging_hotspots,
    hotspot_change,
    knox,
    near_repeat_chains,
)
from .stats import fdr_bh, gi_star, local_moran
from .temporal import (
    aoristic,
    aoristic_weights,
    dark_share,
    daylight,
    plot_temporal_profile,
    solar_elevation,
    sun_times,
    temporal_profile,
)
from .units import assign_units, count, grid, segments

try:
    __version__ = version("hotspot-crime")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "HOTSPOT_CLASS_COLORS",
    "BacktestResult",
    "BeforeAfter",
    "CRSError",
    "ConcentrationResult",
    "DataQualityWarning",
    "HotspotError",
    "HotspotWarning",
    "IngestReport",
    "InvalidInputError",
    "KnoxResult",
    "LightingAudit",
    "NaiveCount",
    "ProspectiveHotspot",
    "RecentKDE",
    "SpaceTimeKDE",
    "__version__",
    "aoristic",
    "aoristic_weights",
    "assign_units",
    "backtest",
    "before_after",
    "briefing",
    "briefings",
    "catchment",
    "classify_hotspots",
    "cluster_hulls",
    "cluster_points",
    "concentration",
    "count",
    "coverage_curve",
    "dark_share",
    "datasets",
    "daylight",
    "emerging_hotspots",
    "evidence",
    "exceptions",
    "explore",
    "export",
    "fdr_bh",
    "format_patrol_plan",
    "gi_star",
    "grid",
    "hit_rate",
    "hotspot_change",
    "hotspot_membership",
    "hotspots",
    "ingest_report",
    "kde",
    "knox",
    "lighting_audit",
    "load_catalogue",
    "local_moran",
    "metrics",
    "near_repeat_chains",
    "new_map_figure",
    "nnh",
    "pai",
    "patrol_plan",
    "pei",
    "pei_star",
    "plan",
    "plot_hotspots",
    "plot_kde",
    "plot_temporal_profile",
    "plot_units",
    "project",
    "read_export",
    "read_incidents",
    "read_outages",
    "relative_effect_size",
    "rri",
    "save_map",
    "score_interventions",
    "segments",
    "solar_elevation",
    "sun_times",
    "temporal_profile",
    "wdd",
    "wdq",
]
