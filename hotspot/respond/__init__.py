"""Response: which interventions, where, and how much.

Evidence catalogue, scoring, patrol plans, lighting audits, plans under budgets.
"""

from hotspot.respond import evidence
from hotspot.respond.baseline import expected_counts
from hotspot.respond.evidence import load_catalogue
from hotspot.respond.interventions import score_interventions
from hotspot.respond.menu import format_response_menu, response_menu
from hotspot.respond.patrol import (
    LightingAudit,
    format_patrol_plan,
    lighting_audit,
    patrol_plan,
    read_outages,
)
from hotspot.respond.planning import plan

__all__ = [
    "LightingAudit",
    "evidence",
    "expected_counts",
    "format_patrol_plan",
    "format_response_menu",
    "lighting_audit",
    "load_catalogue",
    "patrol_plan",
    "plan",
    "read_outages",
    "response_menu",
    "score_interventions",
]
