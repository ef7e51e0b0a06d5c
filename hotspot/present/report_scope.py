"""What a briefing pack covers: which offences, and the name of the area.

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
from typing import Any

import geopandas as gpd
import pandas as pd

from hotspot._core.meta import note_choice
from hotspot.exceptions import InvalidInputError
from hotspot.ingest.vocabularies import OFFENCE_GROUPS, _normalise, offence_group

__all__ = ["area_name_from_data", "label_as_offence", "select_offences"]

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
