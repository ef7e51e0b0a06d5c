"""Shared helpers for the space-time analyses: usable incident times as numbers."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._core.errors import warn_user
from hotspot._core.time import check_time_range
from hotspot._core.validation import (
    check_columns,
    check_geodataframe,
    check_non_empty,
    check_points,
    check_projected,
)
from hotspot.exceptions import DataQualityWarning, InvalidInputError

# ---------------------------------------------------------------------------
# Shared helpers: incident times
# ---------------------------------------------------------------------------


_SECONDS_PER_DAY = 86_400


def _check_incidents(incidents: Any, name: str = "incidents") -> gpd.GeoDataFrame:
    check_geodataframe(incidents, name)
    check_non_empty(incidents, name)
    check_points(incidents, name)
    check_projected(incidents, name)
    check_columns(incidents, ["occurred_at"], name)
    check_time_range(incidents["occurred_at"], "occurred_at")
    return incidents


def _usable_times(
    incidents: gpd.GeoDataFrame, *, step: str, drop_month_only: bool
) -> tuple[np.ndarray, dict[str, int]]:
    """Boolean mask of rows with a usable ``occurred_at`` and the counts excluded.

    Rows with ``time_quality == "missing"`` or a NaT time are always excluded;
    ``"month_only"`` rows are excluded when ``drop_month_only`` (with a warning).
    """
    times = pd.to_datetime(incidents["occurred_at"])
    keep = times.notna().to_numpy().copy()
    excluded = {"missing": int((~keep).sum())}
    if "time_quality" in incidents.columns:
        quality = incidents["time_quality"].astype("string").fillna("missing").to_numpy()
        missing = (quality == "missing") & keep
        excluded["missing"] += int(missing.sum())
        keep &= quality != "missing"
        if drop_month_only:
            month = (quality == "month_only") & keep
            excluded["month_only"] = int(month.sum())
            keep &= ~month
            if month.any():
                warn_user(
                    f"{step}: {int(month.sum())} incidents with time_quality='month_only' "
                    "were excluded: their day is unknown, so their time differences "
                    "in days are meaningless.",
                    DataQualityWarning,
                )
    return keep, excluded


def _times_as_number(series: pd.Series, resolution: str) -> np.ndarray:
    """Return times as int64 seconds since the epoch (``"exact"``) or local days (``"date"``)."""
    s = pd.to_datetime(series)
    tz = getattr(s.dt, "tz", None)
    if resolution == "exact":
        if tz is not None:
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        delta = s - pd.Timestamp(0)
        return (delta // pd.Timedelta(seconds=1)).to_numpy(dtype=np.int64)
    if resolution == "date":
        if tz is not None:
            s = s.dt.tz_localize(None)  # local wall-clock date
        delta = s.dt.floor("D") - pd.Timestamp(0)
        return (delta // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)
    msg = f"`time_resolution` must be 'exact' or 'date', got {resolution!r}."
    raise InvalidInputError(msg)


def _day_factor(resolution: str) -> int:
    return _SECONDS_PER_DAY if resolution == "exact" else 1


# ---------------------------------------------------------------------------
# Knox test
# ---------------------------------------------------------------------------


