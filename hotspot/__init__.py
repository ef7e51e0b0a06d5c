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

import sys
from importlib.metadata import PackageNotFoundError, version

from hotspot import datasets, exceptions, scale
from hotspot.analyse import (
    KnoxResult,
    aoristic,
    aoristic_weights,
    classify_hotspots,
    dark_share,
    daylight,
    emerging_hotspots,
    hotspot_change,
    knox,
    near_repeat_chains,
    plot_temporal_profile,
    solar_elevation,
    sun_times,
    temporal_profile,
)
from hotspot.assess import (
    BacktestResult,
    BeforeAfter,
    NaiveCount,
    ProspectiveHotspot,
    RecentKDE,
    SpaceTimeKDE,
    backtest,
    before_after,
    catchment,
    coverage_curve,
    hit_rate,
    metrics,
    pai,
    pei,
    pei_star,
    relative_effect_size,
    rri,
    wdd,
    wdq,
)
from hotspot.exceptions import (
    CRSError,
    DataQualityWarning,
    HotspotError,
    HotspotWarning,
    InvalidInputError,
)
from hotspot.ingest import IngestReport, ingest_report, project, read_incidents
from hotspot.present import (
    HOTSPOT_CLASS_COLORS,
    briefing,
    briefings,
    explore,
    export,
    new_map_figure,
    plot_hotspots,
    plot_kde,
    plot_units,
    read_export,
    save_map,
)
from hotspot.respond import (
    LightingAudit,
    evidence,
    expected_counts,
    format_patrol_plan,
    format_response_menu,
    lighting_audit,
    load_catalogue,
    patrol_plan,
    plan,
    read_outages,
    response_menu,
    score_interventions,
)
from hotspot.scan import (
    ConcentrationResult,
    cluster_hulls,
    cluster_points,
    concentration,
    fdr_bh,
    gi_star,
    hotspot_membership,
    hotspots,
    kde,
    local_moran,
    map_grid,
    nnh,
    place_grid,
    place_names,
)
from hotspot.units import assign_units, count, grid, segments

# Public modules that shipped at the top level keep their import paths.
sys.modules.setdefault("hotspot.metrics", metrics)
sys.modules.setdefault("hotspot.evidence", evidence)

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
    "expected_counts",
    "explore",
    "export",
    "fdr_bh",
    "format_patrol_plan",
    "format_response_menu",
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
    "map_grid",
    "metrics",
    "near_repeat_chains",
    "new_map_figure",
    "nnh",
    "pai",
    "patrol_plan",
    "pei",
    "pei_star",
    "place_grid",
    "place_names",
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
    "response_menu",
    "rri",
    "save_map",
    "scale",
    "score_interventions",
    "segments",
    "solar_elevation",
    "sun_times",
    "temporal_profile",
    "wdd",
    "wdq",
]

# the last line of argument checking: no raw pandas/numpy/OS exception leaves hs.*
from hotspot._core.errors import wrap_public as _wrap_public  # noqa: E402

_wrap_public(globals(), __all__)
