"""Choosing the area of a briefing by its name (``--areas FILE --area NAME``).

The name is matched without regard to case or spacing in the column that names the
areas; a misspelled name gets the closest names first.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Sequence
from typing import Any

from hotspot.ingest.columns import _squash  # column names compared without case or punctuation


def area_title(column: str, value: str) -> str:
    """Name an area chosen by ``--area`` for titles: a bare number gets its column's name.

    Examples
    --------
    >>> area_title("district", "11"), area_title("precinct", "Raines")
    ('District 11', 'Raines')
    """
    value = " ".join(str(value).split())
    if re.fullmatch(r"[\d.\-/ ]+", value):  # "11" alone says nothing on paper
        return f"{str(column).replace('_', ' ').strip().capitalize()} {value}"
    return value


#: Column names that usually name areas, best first (case and punctuation ignored).
_AREA_NAMES = ("name", "areaname", "area", "district", "precinct", "beat", "ward",
               "neighbourhood", "neighborhood", "sector", "zone", "division", "label")


def name_columns(polygons: Any) -> list[str]:
    """Text (or whole-number) columns that could name the areas, name-like ones first."""
    cols = [c for c in polygons.columns if c != polygons.geometry.name
            and (polygons[c].dtype == object or str(polygons[c].dtype).startswith(
                ("string", "str", "int", "category")))]
    rank = {n: i for i, n in enumerate(_AREA_NAMES)}
    return sorted(cols, key=lambda c: rank.get(_squash(c), len(rank)))


def closest_names(wanted: str, polygons: Any, cols: Sequence[str], n: int = 3) -> list[str]:
    """Area names most like ``wanted``, closest first (case and punctuation ignored).

    Examples
    --------
    >>> import pandas as pd
    >>> wards = pd.DataFrame({"ward": ["Arboretum", "St. Ann's", "Sherwood", "Basford"]})
    >>> closest_names("St Anns", wards, ["ward"])
    ["St. Ann's"]
    """
    names = {str(v): _squash(v) for c in cols for v in polygons[c].dropna().unique()}
    by_key: dict[str, list[str]] = {}
    for name, key in names.items():
        by_key.setdefault(key, []).append(name)
    keys = difflib.get_close_matches(_squash(wanted), list(by_key), n, 0.6)
    return [name for key in keys for name in by_key[key]][:n]


def choose_area(polygons: Any, args: argparse.Namespace) -> Any:
    """Return the polygons of --area, matched without regard to case.

    The name is looked for in --area-column, else in the columns that could name areas
    (the one found is said). Sets ``args.area_column`` and the name's own spelling.
    """
    wanted = " ".join(str(args.area).split()).casefold()
    cols = [args.area_column] if args.area_column else name_columns(polygons)
    for col in cols:
        text = polygons[col].astype("string").str.split().str.join(" ")
        hit = (text.str.casefold() == wanted).fillna(False).to_numpy(dtype=bool)
        if not hit.any():
            continue
        spellings = sorted(set(text[hit]))
        if len(spellings) > 1:
            msg = (f"--area {args.area!r} matches {len(spellings)} areas in column {col!r} "
                   f"({', '.join(spellings)}); give the name exactly as written")
            raise ValueError(msg)
        if not args.area_column:
            print(f"hotspot: area {spellings[0]!r} found in column {col!r} of {args.areas} "
                  "(pass --area-column to choose another)", file=sys.stderr)
        args.area_column, args.area = col, spellings[0]
        return polygons[hit]
    listing = "; ".join(
        f"{c}: {', '.join(sorted(map(str, polygons[c].dropna().unique()))[:12])}"
        + (" ..." if polygons[c].nunique() > 12 else "") for c in cols[:4])
    where = f"column {args.area_column!r}" if args.area_column else "any column"
    near = closest_names(args.area, polygons, cols)
    hint = f"did you mean {' or '.join(map(repr, near))}? " if near else ""
    msg = f"no area {args.area!r} in {where} of {args.areas}; {hint}the names there: {listing}"
    raise ValueError(msg)
