"""Ingest (SARA Scanning, first step): read police exports into canonical incidents."""

from hotspot._core.crs import project, utm_crs
from hotspot.ingest.incidents import DROP_REASONS, TIME_QUALITIES, read_incidents
from hotspot.ingest.report import IngestReport, ingest_report

__all__ = [
    "DROP_REASONS",
    "TIME_QUALITIES",
    "IngestReport",
    "ingest_report",
    "project",
    "read_incidents",
    "utm_crs",
]
