"""What a briefing pack covers: the area, the period, which offences, the area's name.

:func:`hotspot.present.report.briefing` can be limited to some offences
(``offences=``, ``--offences "Burglary,Robbery"``), can take the offence of data
without an offence column from its label (``offence_label="Burglary"``), and names
the area from the user (``area_name=``), else from the data (police.uk's "Falls
within": "West Yorkshire Police area"). Each choice is recorded with
:func:`hotspot._core.meta.note_choice` and said on the method page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from hotspot._core.meta import note_choice
from hotspot._core.time import data_period, local_period, series_tz
from hotspot._core.validation import check_geodataframe, check_same_crs
from hotspot.exceptions import InvalidInputError
from hotspot.ingest.vocabularies import OFFENCE_GROUPS, _normalise, offence_group
from hotspot.present.context import read_layers
from hotspot.present.furniture import period_label

__all__ = ["area_name_from_data", "label_as_offence", "select_offences", "select_period"]

#: Words that make an offence label name several offences ("All crime and ASB").
_SEVERAL = re.compile(r",|/|&|\+|;|\band\b|\ball\b|\btypes?\b|\bor\b", re.IGNORECASE)


def _names(offences: str | Sequence[str]) -> list[str]:
    items = offences.split(",") if isinstance(offences, str) else list(offences)
    names = [" ".join(str(o).split()) for o in items if str(o).strip()]
    if not names:
        msg = "`offences` is empty; give offence names or groups, e.g. 'Burglary,Robbery'."
        raise InvalidInputError(msg)
    return names


def select_offences(
    incidents: gpd.GeoDataFrame, offences: str | Sequence[str] | None, choices: dict[str, Any]
) -> tuple[gpd.GeoDataFrame, int]:
    """Keep the incidents of some offences; return them and how many were left out.

    Each name matches the offences written that way in the data (any case, accents or
    punctuation); a name that is not in the data matches its offence group
    (:func:`hotspot.ingest.vocabularies.offence_group`: "Burglary" keeps police.uk's
    "Burglary", "vehicle" every vehicle offence, "Car-jacking" the robberies).

    Parameters
    ----------
    incidents
        Canonical incidents with an ``offence`` column.
    offences
        Names or groups, a list or one comma-separated text; None keeps all.
    choices
        Automatic choices of the pack (the match is recorded there).

    Returns
    -------
    tuple
        ``(kept incidents, number left out)``.

    Raises
    ------
    InvalidInputError
        No ``offence`` column, or no incident of these offences.

    Examples
    --------
    >>> import geopandas as gpd
    >>> inc = gpd.GeoDataFrame({"offence": ["Burglary", "Robbery", "Shoplifting"]})
    >>> kept, out = select_offences(inc, "burglary, Robbery", {})
    >>> kept["offence"].tolist(), out
    (['Burglary', 'Robbery'], 1)
    """
    if offences is None:
        return incidents, 0
    names = _names(offences)
    if "offence" not in incidents.columns:
        msg = (
            "`offences` needs an offence column, and these incidents have none; read them "
            "with offence='<column>' (--offence COLUMN), or leave `offences` out."
        )
        raise InvalidInputError(msg)
    values = incidents["offence"].astype("string")
    keys = pd.Series(
        [_normalise(v) if pd.notna(v) else "" for v in values], index=incidents.index
    )
    present = set(keys)
    exact = {_normalise(n) for n in names} & present
    groups = {
        n.lower() if n.lower() in OFFENCE_GROUPS else offence_group(n)
        for n in names
        if _normalise(n) not in present
    } - {"other"}
    keep = keys.isin(exact)
    if groups:
        keep |= offence_group(values).isin(groups).fillna(False).to_numpy(dtype=bool)
    if not keep.any():
        top = ", ".join(values.value_counts().index[:12].astype(str))
        msg = (
            f"no incident of {', '.join(names)} in the data; offences recorded: {top}. "
            "Give names as written there or an offence group "
            f"({', '.join(OFFENCE_GROUPS)})."
        )
        raise InvalidInputError(msg)
    note_choice(
        choices,
        "offences",
        sorted(values[keep.to_numpy()].dropna().unique().astype(str)),
        f"offences asked for: {', '.join(names)} (as written in the data"
        + (f", or in the groups {', '.join(sorted(groups))})" if groups else ")"),
    )
    return incidents[keep.to_numpy()], int((~keep).sum())


def label_as_offence(
    incidents: gpd.GeoDataFrame, label: str | None, choices: dict[str, Any]
) -> tuple[gpd.GeoDataFrame, str]:
    """Take the offence of data without an offence column from the pack's label.

    A burglary export often has no offence column: every row is a burglary. When the
    label names one offence ("Burglary", "Car-jacking"; not "All crime and ASB") that
    maps to an offence group, every incident gets it as ``offence``, so the measures
    advised are those studied for that offence. Returns the incidents (a copy when
    changed) and a sentence for the method page ("" when nothing was done).

    Examples
    --------
    >>> import geopandas as gpd
    >>> inc, said = label_as_offence(gpd.GeoDataFrame({"x": [1, 2]}), "Burglary", {})
    >>> inc["offence"].tolist()
    ['Burglary', 'Burglary']
    >>> label_as_offence(gpd.GeoDataFrame({"x": [1]}), "All crime and ASB", {})[1]
    ''
    """
    if label is None or not str(label).strip() or "offence" in incidents.columns:
        return incidents, ""
    label = " ".join(str(label).split())
    if _SEVERAL.search(label) or offence_group(label) == "other":
        return incidents, ""
    note_choice(
        choices,
        "offence",
        label,
        "no offence column: every incident taken to be the offence of the label",
    )
    said = (
        f"Offence: the data have no offence column; every incident is taken to be "
        f"'{label}' (the pack's offence label), so the measures advised are those "
        "studied for that offence."
    )
    return incidents.assign(offence=label), said


def area_name_from_data(incidents: gpd.GeoDataFrame) -> str | None:
    """Name of the area the data say they cover: police.uk's force ("Falls within").

    Returns ``"<force> area"`` when at least 95 % of the rows with a value name one
    force (e.g. "West Yorkshire Police area"), else None.

    Examples
    --------
    >>> import geopandas as gpd
    >>> area_name_from_data(gpd.GeoDataFrame({"Falls within": ["West Yorkshire Police"] * 3}))
    'West Yorkshire Police area'
    """
    for col in incidents.columns:
        if _normalise(col) in ("falls within", "reported by"):
            values = incidents[col].astype("string").str.strip().replace("", pd.NA).dropna()
            if len(values) == 0:
                continue
            counts = values.value_counts()
            if counts.iloc[0] >= 0.95 * len(values):
                return f"{counts.index[0]} area"
    return None


def _as_area(area: Any, incidents: gpd.GeoDataFrame, name: str = "area") -> gpd.GeoDataFrame | None:
    if area is None:
        return None
    if isinstance(area, (str, Path)):
        area = read_layers({name: area}, incidents.crs)[name]
    if isinstance(area, gpd.GeoSeries):
        area = gpd.GeoDataFrame(geometry=area)
    check_geodataframe(area, name)
    check_same_crs(incidents, area, "incidents", name)
    if not bool(area.geom_type.isin(["Polygon", "MultiPolygon"]).all()):
        msg = f"`{name}` must hold polygons (e.g. one district); got other geometry types."
        raise InvalidInputError(msg)
    return area


def _period(incidents: gpd.GeoDataFrame, period: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    at = incidents["occurred_at"]
    if period is None:
        if at.notna().sum() == 0:
            msg = "`incidents` have no usable `occurred_at`; give `period=(start, end)`."
            raise InvalidInputError(msg)
        if at.notna().sum() == 1:
            return at.min(), at.max()
        return data_period(at)  # the one robust data period: stray dates do not stretch it
    return local_period(period, series_tz(at), "period", whole_end_day=True)


def _in_window(at: pd.Series, start: pd.Timestamp, end: pd.Timestamp, closed_end: bool) -> Any:
    if closed_end:
        return ((at >= start) & (at <= end)).fillna(False).to_numpy(dtype=bool)
    return ((at >= start) & (at < end)).fillna(False).to_numpy(dtype=bool)


def _select(
    incidents: gpd.GeoDataFrame,
    area_gdf: gpd.GeoDataFrame | None,
    study: gpd.GeoDataFrame | None,
    period: Any,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, Any, dict[str, Any]]:
    """Incidents in the area (and study area), those of the period, the mask, counts."""
    mask = None
    for layer in (area_gdf, study):
        if layer is not None:
            geom = shapely.union_all(layer.geometry.to_numpy())
            mask = geom if mask is None else shapely.intersection(mask, geom)
    all_inc = incidents
    if mask is not None:
        shapely.prepare(mask)
        all_inc = incidents[shapely.intersects(mask, incidents.geometry.to_numpy())]
    # the period asked for, else that of the data (not the area's first and last incident)
    start, end = _period(incidents, period)
    inc = all_inc[_in_window(all_inc["occurred_at"], start, end, closed_end=True)].copy()
    if len(inc) == 0:
        raise InvalidInputError(_empty_period(all_inc, start, end))
    counts = {"n_input": len(incidents), "n_area": len(all_inc), "start": start, "end": end}
    return all_inc, inc, mask, counts


def select_period(
    incidents: gpd.GeoDataFrame, period: Any
) -> tuple[gpd.GeoDataFrame, pd.Timestamp, pd.Timestamp]:
    """Incidents of ``period`` (the end day included, as in the briefing) and its bounds.

    Raises
    ------
    InvalidInputError
        No incident falls in the period; the message gives the data's own dates.

    Examples
    --------
    >>> import hotspot as hs
    >>> inc = hs.datasets.load_sample("memphis_robberies")
    >>> part, start, end = select_period(inc, ("2019-07-01", "2019-07-31"))
    >>> bool(part["occurred_at"].min() >= start), str(end)
    (True, '2019-07-31 23:59:59-05:00')
    """
    start, end = _period(incidents, period)
    keep = _in_window(incidents["occurred_at"], start, end, closed_end=True)
    if not keep.any():
        raise InvalidInputError(_empty_period(incidents, start, end))
    return incidents[keep], start, end


def _empty_period(incidents: gpd.GeoDataFrame, start: Any, end: Any) -> str:
    """Say that a period holds no incident, with the dates the data do cover."""
    msg = f"No incident in the area during {period_label(start, end)}; nothing to brief."
    at = incidents["occurred_at"].dropna() if "occurred_at" in incidents else pd.Series([])
    if len(at):
        first, last = at.min(), at.max()
        msg = (f"The period {period_label(start, end)} is outside the data's dates: the "
               f"incidents cover "
               f"{period_label(first, last)}. Choose a period within those dates "
               "(period=(start, end)).")
    return msg
