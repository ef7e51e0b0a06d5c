"""The ingest report: what was read, detected, dropped and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hotspot._core.meta import get_meta
from hotspot.exceptions import InvalidInputError

__all__ = [
    "IngestReport",
    "ingest_report",
]



# Report
# --------------------------------------------------------------------------------------
@dataclass(eq=False)
class IngestReport:
    """What :func:`read_incidents` read, detected, kept, dropped and warned about.

    Attributes
    ----------
    rows_read : int
        Rows in the source (all files together).
    rows_kept : int
        Rows in the returned frame. Always
        ``rows_read == rows_kept + sum(dropped.values())``.
    dropped : dict[str, int]
        Reason -> number of rows dropped, for every reason of :data:`DROP_REASONS`
        (zero included).
    dropped_rows : pandas.DataFrame
        The dropped rows: their original columns, ``row_id`` (position in the source),
        ``source_file`` for multi-file sources, and ``reason``.
    warnings : list[str]
        Data-quality warnings (rows are kept): placeholder midnight times, rounded or
        snapped coordinates, suspected swapped lat/lon, rows far from the rest, mixed
        CRSs, naive times, windows ending before they start.
    detected : dict[str, str]
        Role -> column name used, e.g. ``{"lon": "longitude", "lat": "latitude",
        "datetime": "date"}``. Roles: lon, lat, x, y, location, geometry, datetime,
        time, start, start_time, end, end_time, year, month, day, hour, minute, offence.
    crs_in, crs_out : str or None
        CRS of the input coordinates and of the output geometry (``"EPSG:32616"``...).
    time_quality : dict[str, int]
        Count of kept rows per value of :data:`TIME_QUALITIES`.
    sources : list[str]
        Files read (empty for DataFrame input).
    notes : list[str]
        Informational notes (automatic choices, schema recognised, how each date/time
        column was read and in which day/month order...).
    time_zone : str or None
        IANA zone of ``occurred_at`` (None when unknown or there are no times).
    time_zone_source : str
        How the zone was found: given (``tz=``), police.uk, or inferred from the
        coordinates.
    failed_sources : dict[str, str]
        Files (partitions of a dataset read by :func:`hotspot.scale.read_incidents`)
        that could not be read at all -> why. Their rows are in none of the counts;
        every other file's rows are.
    stacked_locations : pandas.DataFrame
        The stacked placeholder coordinates and their counts (as in
        ``attrs["hotspot"]["ingest"]["stacked_locations"]``; empty when none), so that
        reports of the partitions of a dataset add up to the dataset's.
    """

    rows_read: int
    rows_kept: int
    dropped: dict[str, int]
    dropped_rows: pd.DataFrame
    warnings: list[str]
    detected: dict[str, str]
    crs_in: str | None
    crs_out: str | None
    time_quality: dict[str, int]
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    time_zone: str | None = None
    time_zone_source: str = ""
    failed_sources: dict[str, str] = field(default_factory=dict)
    stacked_locations: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __deepcopy__(self, memo: dict[int, Any]) -> IngestReport:
        # pandas deep-copies ``attrs`` on many operations; the report is shared, not copied.
        return self

    def __copy__(self) -> IngestReport:
        return self

    @property
    def rows_dropped(self) -> int:
        """Total number of dropped rows."""
        return int(sum(self.dropped.values()))

    def __str__(self) -> str:
        def n(v: int) -> str:
            return f"{v:,}"

        lines = ["Incident ingest report"]
        if self.sources:
            shown = ", ".join(Path(s).name for s in self.sources[:4])
            more = f" (+{len(self.sources) - 4} more)" if len(self.sources) > 4 else ""
            lines.append(f"  source:       {shown}{more}")
        lines.append(f"  rows read:    {n(self.rows_read)}")
        lines.append(f"  rows kept:    {n(self.rows_kept)}")
        lines.append(f"  rows dropped: {n(self.rows_dropped)}")
        for reason, count in self.dropped.items():
            if count:
                lines.append(f"    {reason}: {n(count)}")
        if self.detected:
            det = ", ".join(f"{k}={v}" for k, v in self.detected.items())
            lines.append(f"  columns:      {det}")
        lines.append(f"  CRS:          {self.crs_in} -> {self.crs_out}")
        tq = ", ".join(f"{k} {n(v)}" for k, v in self.time_quality.items() if v)
        lines.append(f"  time quality: {tq or 'none'}")
        if self.time_zone is not None or self.time_zone_source:
            lines.append(f"  time zone:    {self.time_zone or 'unknown'} "
                         f"({self.time_zone_source})")
        if self.failed_sources:
            lines.append(f"  unreadable files ({len(self.failed_sources)}, rows not counted):")
            lines.extend(f"    - {Path(k).name}: {v}" for k, v in self.failed_sources.items())
        if self.warnings:
            lines.append(f"  warnings ({len(self.warnings)}):")
            lines.extend(f"    - {w}" for w in self.warnings)
        if self.notes:
            lines.append("  notes:")
            lines.extend(f"    - {s}" for s in self.notes)
        if self.rows_dropped:
            lines.append("  dropped rows: hs.ingest_report(incidents).dropped_rows")
        return "\n".join(lines)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython
        p.text(str(self))


def ingest_report(incidents: pd.DataFrame) -> IngestReport:
    """Return the :class:`IngestReport` that :func:`read_incidents` attached.

    Parameters
    ----------
    incidents : geopandas.GeoDataFrame
        A frame returned by :func:`read_incidents` (or derived from one: pandas
        carries ``attrs`` through most operations).

    Returns
    -------
    IngestReport

    Raises
    ------
    InvalidInputError
        If the frame was not made by :func:`read_incidents`.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspot.ingest.incidents import read_incidents
    >>> from hotspot.ingest.report import ingest_report
    >>> import warnings; warnings.simplefilter("ignore")
    >>> df = pd.DataFrame({"lon": [-87.63, -87.62, None], "lat": [41.88, 41.89, 41.9]})
    >>> report = ingest_report(read_incidents(df))
    >>> report.rows_read, report.rows_kept, report.dropped["missing_coordinates"]
    (3, 2, 1)
    >>> report.dropped_rows[["row_id", "reason"]].values.tolist()
    [[2, 'missing_coordinates']]
    """
    entry = get_meta(incidents).get("ingest")
    report = entry.get("report") if isinstance(entry, dict) else None
    if not isinstance(report, IngestReport):
        msg = (
            "this frame was not made by `hs.read_incidents(...)` (its "
            "attrs['hotspot']['ingest'] holds no IngestReport). Read the data with "
            "`hs.read_incidents(...)` to get an ingest report."
        )
        raise InvalidInputError(msg)
    return report


# --------------------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------------------
