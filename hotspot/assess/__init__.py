"""Assessment: did it work, did crime move? Before/after, WDQ/WDD, forecasters, forecast skill."""

from hotspot.assess import metrics
from hotspot.assess.backtesting import BacktestResult, backtest
from hotspot.assess.before_after import (
    BeforeAfter,
    before_after,
    catchment,
    relative_effect_size,
    wdd,
    wdq,
)
from hotspot.assess.forecast import NaiveCount, ProspectiveHotspot, RecentKDE, SpaceTimeKDE
from hotspot.assess.metrics import coverage_curve, hit_rate, pai, pei, pei_star, rri

__all__ = [
    "BacktestResult",
    "BeforeAfter",
    "NaiveCount",
    "ProspectiveHotspot",
    "RecentKDE",
    "SpaceTimeKDE",
    "backtest",
    "before_after",
    "catchment",
    "coverage_curve",
    "hit_rate",
    "metrics",
    "pai",
    "pei",
    "pei_star",
    "relative_effect_size",
    "rri",
    "wdd",
    "wdq",
]
