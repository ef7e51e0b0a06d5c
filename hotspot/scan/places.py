"""Names an officer recognises for hotspots, and a letters x numbers map grid.

Every printed place needs a name that can be found on the street and on paper.
:func:`place_names` gives each hotspot

- ``place_name``: from, in order, an address / block / location column of the
  incidents (auto-detected: ``block``, ``hundred_block``, ``address``, police.uk
  ``Location`` "On or near ..."; the one or two most frequent values, e.g.
  ``"11XX Robson St / 10XX Alberni St"``), the nearest named streets of a
  ``streets`` layer, or the named area (neighbourhood, beat, ward) that holds it;
- ``grid_ref``: always, the cell of a :class:`MapGrid` (``"C4"``: column letter
  from the west, row number from the north) so that a table entry finds the place
  on a printed map that draws the same grid.

Privacy: an address or street is used in a name only when at least ``min_count``
of the place's incidents carry it, so a name never points at one incident.
"""

from __future__ import annotations

import math
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._core.meta import note_choice
from hotspot._core.validation import check_geodataframe, check_same_crs
from hotspot.exceptions import InvalidInputError
from hotspot.scan.areas import hotspot_membership
from hotspot.scan.mapgrid import (
    MapGrid,
    grid_extent,
    map_grid,
    place_grid,
    place_view,
)
from hotspot.scan.outlines import trim_to_counts

__all__ = [
    "MapGrid",
    "address_column",
    "area_labels",
    "clean_place",
    "generic_place",
    "grid_extent",
    "hundred_block",
    "map_grid",
    "name_streets",
    "place_grid",
    "place_names",
    "place_view",
    "trim_to_counts",
]

_ADDRESS_HINTS = ("block", "address", "addr", "street", "location", "place", "road")
_NOT_ADDRESS = {
    "type",
    "cat",
    "category",
    "class",
    "desc",
    "description",
    "code",
    "quality",
    "lsoa",
    "id",
}
_STREET_WORDS = (
    "st|street|rd|road|ave|av|avenue|blvd|boulevard|dr|drive|ln|lane|way|pl|place|ct|court|"
    "cres|crescent|close|ter|terrace|hwy|highway|pkwy|parkway|sq|square|gardens|gdns|grove|"
    "row|walk|hill|park|mews|circle|cir|trail|pike|broadway|green|view|rise|vale|mount"
)
_STREETLIKE = re.compile(
    rf"(?:\b\d+[0-9X]*\b.*[A-Za-z]{{2,}})|(?:\b[A-Za-z][A-Za-z'.-]+\s+(?:{_STREET_WORDS})\.?$)"
    r"|(?:^on or near\b)|(?:\b(?:and|&|/)\b)",
    re.IGNORECASE,
)
_ON_OR_NEAR = re.compile(r"^\s*on\s+or\s+near\b\s*", re.IGNORECASE)
# police.uk and similar exports name some points by a kind of place, not a street
_GENERIC = re.compile(
    r"(?:/|\b(?:area|station|building|supermarket|nightclub|hospital|prison|subway|space|"
    r"centre|center|hall|airfield|school|premises)$)",
    re.IGNORECASE,
)
_AREA_KINDS = {
    "alcaldia",
    "municipio",
    "colonia",
    "barrio",
    "commune",
    "quartier",
    "precinct",
    "ward",
    "district",
    "beat",
    "neighbourhood",
    "neighborhood",
    "sector",
    "division",
    "borough",
    "community",
    "zone",
    "parish",
}
_BLANK = {"", "unknown", "n/a", "na", "none", "null", "-", "no location"}
_NAME_COLUMNS = (
    "name",
    "street",
    "st_name",
    "full_name",
    "fullname",
    "road_name",
    "label",
    # other languages of police and city exports
    "nombre",
    "nomgeo",
    "nom",
    "nome",
    "naam",
    "calle",
    "rue",
    "strasse",
)


# ------------------------------------------------------------------ addresses


def clean_place(value: Any) -> str:
    """Return a location text as printed: no "On or near", leading zeros or all caps.

    Examples
    --------
    >>> clean_place("On or near HIGH STREET")
    'High Street'
    >>> clean_place("011XX W ROBSON ST")
    '11XX W Robson St'
    >>> clean_place("  Shopping Area ")
    'Shopping Area'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = " ".join(str(value).split())
    text = _ON_OR_NEAR.sub("", text)
    words = text.split(" ")
    if words and re.fullmatch(r"0+\d+[0-9X]*", words[0], re.IGNORECASE):
        words[0] = words[0].lstrip("0")
    if text.upper() == text and any(c.isalpha() for c in text):
        words = [w if any(c.isdigit() for c in w) or len(w) == 1 else w.capitalize() for w in words]
    return " ".join(words).strip()


def address_column(incidents: pd.DataFrame) -> str | None:
    """Return the incidents' column holding addresses, blocks or street names, if any.

    A text column whose name suggests a place (block, address, street, location,
    place, road) and not a category (type, category, description, code), whose
    values look like streets ("11XX Robson St", "On or near Ash Mount", "High
    Street") in at least a third of a sample, with at least 5 distinct values.

    Examples
    --------
    >>> df = pd.DataFrame({"block": ["011XX W ROBSON ST", "010XX ALBERNI ST", "1XX E 5TH AV",
    ...                              "On or near High Street", "9XX MAIN ST"] * 2,
    ...                    "loc_cat": ["street"] * 10})
    >>> address_column(df)
    'block'
    """
    best, best_score = None, 0.0
    for col in incidents.columns:
        tokens = [t for t in re.split(r"[^a-z]+", str(col).lower()) if t]
        if not any(t.startswith(_ADDRESS_HINTS) for t in tokens) or _NOT_ADDRESS & set(tokens):
            continue
        values = incidents[col]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        sample = values.dropna().astype(str)
        sample = sample.sample(min(len(sample), 2000), random_state=0) if len(sample) else sample
        if len(sample) == 0 or sample.nunique() < 5:
            continue
        score = float(sample.str.contains(_STREETLIKE).mean())
        if score >= 1 / 3 and score > best_score:
            best, best_score = str(col), score
    return best


def generic_place(values: Any) -> np.ndarray:
    """Return True where a location text names a kind of place, not a street.

    police.uk and similar exports name some points "Shopping Area", "Supermarket",
    "Parking Area": useful in a place's name when no street is, never a street.

    Examples
    --------
    >>> generic_place(["Shopping Area", "High Street", "Petrol Station"]).tolist()
    [True, False, True]
    """
    text = pd.Series(values, dtype=object).astype("string").fillna("")
    return text.str.contains(_GENERIC).to_numpy(dtype=bool)


def _top_names(names: pd.Series, groups: pd.Series, min_count: int) -> dict[int, str]:
    """Per group, the one or two most frequent names held by >= min_count rows."""
    frame = pd.DataFrame({"g": groups.to_numpy(), "name": names.to_numpy()})
    frame = frame[frame["g"].notna() & frame["name"].astype(bool)]
    if len(frame) == 0:
        return {}
    counts = frame.groupby(["g", "name"], sort=False).size().rename("n").reset_index()
    counts = counts[counts["n"] >= min_count]
    # streets first; a kind of place ("Shopping Area") only when no street qualifies
    counts["generic"] = counts["name"].astype(str).str.contains(_GENERIC)
    counts = counts.sort_values(
        ["g", "generic", "n", "name"], ascending=[True, True, False, True], kind="stable"
    )
    out: dict[int, str] = {}
    for g, sub in counts.groupby("g", sort=False):
        first = sub.iloc[0]
        parts = [str(first["name"])]
        second = sub.iloc[1] if len(sub) > 1 else None
        if (
            second is not None
            and second["n"] >= 0.5 * first["n"]
            and (first["generic"] or not second["generic"])
        ):
            parts.append(str(second["name"]))
        out[int(g)] = _block_range(parts)
    return out


_BLOCK = re.compile(r"^(\d+)XX (.+)$")


def _block_range(parts: list[str]) -> str:
    """Join one or two names; two blocks of one street read as a range.

    Examples
    --------
    >>> _block_range(["8XX N Ridgeway Ave", "7XX N Ridgeway Ave"])
    '7XX–8XX N Ridgeway Ave'
    >>> _block_range(["7XX N Ridgeway Ave", "10XX N Ridgeway Ave"])
    '7XX, 10XX N Ridgeway Ave'
    >>> _block_range(["11XX W Robson St", "10XX Alberni St"])
    '11XX W Robson St / 10XX Alberni St'
    """
    found = [_BLOCK.match(p) for p in parts]
    if len(parts) == 2 and all(found) and found[0][2] == found[1][2]:
        lo, hi = sorted(int(m[1]) for m in found)
        joint = "–" if hi - lo == 1 else ", "
        return f"{lo}XX{joint}{hi}XX {found[0][2]}"
    return " / ".join(parts)


def name_streets(place_name: str) -> list[str]:
    """Return the streets a place's name is made of, as a streets layer names them.

    "near 7XX–8XX N Ridgeway Ave" -> ``["N Ridgeway Ave"]``; "Robson St & Burrard
    St" -> both; a name without a street (a grid square, an area) gives streets
    that no layer holds, which is harmless where the result is matched to a layer.

    Examples
    --------
    >>> name_streets("near 7XX–8XX N Ridgeway Ave")
    ['N Ridgeway Ave']
    >>> name_streets("Clare Street / Trinity Square (C4)")
    ['Clare Street', 'Trinity Square']
    """
    text = re.sub(r"^near\s+", "", str(place_name))
    text = re.sub(r"\s*\([^)]*\)$", "", text)  # the grid reference of a repeated name
    out: list[str] = []
    for part in re.split(r"\s+(?:/|&)\s+", text):
        street = re.sub(r"^\d+XX(?:(?:–|, )\d+XX)?\s+", "", part.strip())
        if street and street not in out:
            out.append(street)
    return out


def layer_name_column(layer: gpd.GeoDataFrame) -> str | None:
    """Return the column of a layer that holds names (``name``, ``st_name``...), or None.

    By column name (also ``nombre``, ``nomgeo``, ``nom``, ``calle``, ``rue``...), else
    the one area-kind column (``ward``, ``precinct``, ``alcaldia``...), else the one
    text column whose values mostly differ (codes are numbers).

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> layer_name_column(gpd.GeoDataFrame({"ST_NAME": ["A"]}, geometry=[Point(0, 0)]))
    'ST_NAME'
    >>> layer_name_column(gpd.GeoDataFrame({"ward": ["A"]}, geometry=[Point(0, 0)]))
    'ward'
    >>> layer_name_column(gpd.GeoDataFrame({"municip": [9], "nomgeo": ["Cuauhtémoc"]},
    ...                                    geometry=[Point(0, 0)]))
    'nomgeo'
    """
    lowered = {str(c).lower(): str(c) for c in layer.columns if c != layer.geometry.name}
    for hint in _NAME_COLUMNS:
        for low, col in lowered.items():
            if low == hint or low.endswith("_" + hint) or low.startswith(hint + "_"):
                return col
    kinds = [col for low, col in lowered.items() if low in _AREA_KINDS]
    if len(kinds) == 1:
        return kinds[0]
    # one text column holding many different values: the names (codes are numbers)
    text = [
        c
        for c in lowered.values()
        if (layer[c].dtype == object or pd.api.types.is_string_dtype(layer[c]))
        and layer[c].nunique() > 0.5 * len(layer)
    ]
    return text[0] if len(text) == 1 else None


def _name_column(layer: gpd.GeoDataFrame, given: str | None, what: str) -> str:
    if given is not None:
        if given not in layer.columns:
            msg = f"`{what}` has no column {given!r}; columns: {list(layer.columns)}."
            raise InvalidInputError(msg)
        return given
    found = layer_name_column(layer)
    if found is not None:
        return found
    lowered = {str(c).lower(): str(c) for c in layer.columns if c != layer.geometry.name}
    kinds = [c for c in lowered.values() if c.lower() in _AREA_KINDS]
    if len(lowered) == 1 or len(kinds) == 1:
        return kinds[0] if kinds else next(iter(lowered.values()))
    text = [
        c
        for c in lowered.values()
        if layer[c].dtype == object or pd.api.types.is_string_dtype(layer[c])
    ]
    if len(text) == 1:
        return text[0]
    msg = (
        f"Cannot tell which column of `{what}` holds the names (columns: "
        f"{list(lowered.values())}); pass {what}_name='<column>'."
    )
    raise InvalidInputError(msg)


# "12", "12A", "12-14", "1200-1210": a house number, or a range of them
_HOUSE = r"\d{1,6}[A-Za-z]?(?:\s*-\s*\d{1,6}[A-Za-z]?)?"
# the "<number> <street>" part of an address ("Flat 3, 12 High Street, Leeds LS1 4AB")
_NUMBERED = re.compile(rf"(?:^|,)\s*({_HOUSE})\s+([^\d,][^,]*)")


def hundred_block(values: Any, *, blocks: bool | None = None) -> pd.Series:
    """Return street addresses as printed names that never point at one house.

    US-style numbering (house numbers in the hundreds and thousands along a
    street) gives the hundred block, ``"6306 N HERMITAGE AVE"`` ->
    ``"63XX N Hermitage Ave"``; numbering from 1 up each street (UK, most of
    Europe) gives the street, ``"Flat 3, 12 High Street, Leeds"`` ->
    ``"High Street"``. Texts without a house number (blocks, intersections,
    street names) are only cleaned (:func:`clean_place`); of a comma-separated
    address, the "<number> <street>" part is kept (flats, towns and postcodes
    are dropped).

    Parameters
    ----------
    values
        Address texts.
    blocks
        True: hundred blocks; False: street names only; None (default): hundred
        blocks when at least half the house numbers are 100 or more.

    Examples
    --------
    >>> hundred_block(["6306 N HERMITAGE AVE", "45 W MADISON ST", "011XX W ROBSON ST",
    ...                "N CLARK ST & W DEVON AVE", None]).tolist()
    ['63XX N Hermitage Ave', '0XX W Madison St', '11XX W Robson St', 'N Clark St & W Devon Ave', '']
    >>> hundred_block(["Flat 3, 12 High Street, Leeds LS1 4AB", "4-6 Briggate"]).tolist()
    ['High Street', 'Briggate']
    """
    text = pd.Series(values, dtype=object).astype("string").fillna("")
    parts = text.str.extract(_NUMBERED)
    first = pd.to_numeric(parts[0].str.extract(r"^(\d+)")[0], errors="coerce")
    numbered = first.notna()
    if blocks is None:
        blocks = bool(numbered.any()) and bool((first[numbered] >= 100).mean() >= 0.5)
    named = parts[1].str.strip()
    if blocks:
        named = (first // 100).astype("Int64").astype("string") + "XX " + named
    out = text.where(~numbered, named).fillna("")
    return out.map(clean_place).astype(object)


def _address_points(
    points: gpd.GeoDataFrame, column: str | None, choices: dict[str, Any], label: str | None
) -> gpd.GeoDataFrame:
    """Return the address points as ``name`` (hundred block) points, blank names dropped."""
    col = column if column is not None else address_column(points)
    if col is None or col not in points.columns:
        msg = (
            "Cannot tell which column of `addresses` holds street addresses (columns: "
            f"{[c for c in points.columns if c != points.geometry.name]}); pass "
            "addresses_column='<column>'."
        )
        raise InvalidInputError(msg)
    note_choice(
        choices,
        "addresses",
        col,
        f"address points ({label or 'addresses'}) name places whose incidents carry no address",
    )
    names = hundred_block(points[col].to_numpy())
    names = names.where(~names.str.lower().isin(_BLANK), "")
    keep = (names != "").to_numpy() & ~points.geometry.is_empty.to_numpy()
    return gpd.GeoDataFrame(
        {"name": names[keep].to_numpy()},
        geometry=points.geometry[keep].to_numpy(),
        crs=points.crs,
    )


def _incidents_of(incidents: Any, member: pd.Series | None, left: list[int]) -> Any:
    """Return the incidents of the places ``left`` as points with their place ``g``."""
    if incidents is None or member is None:
        return []
    keep = member.isin(left).fillna(False).to_numpy(dtype=bool)
    return gpd.GeoDataFrame(
        {"g": member[keep].to_numpy()},
        geometry=incidents.geometry[keep].to_numpy(),
        crs=incidents.crs,
    )


#: Farthest an address point may be from an incident to name its place (m): a block.
ADDRESS_REACH = 150.0


def _nearest_blocks(
    hot: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame | None,
    member: pd.Series | None,
    points: gpd.GeoDataFrame,
    left: list[int],
    min_count: int,
) -> dict[int, str]:
    """Hundred blocks of the address points nearest most incidents of each place.

    A block names a place when it is the nearest address (within
    :data:`ADDRESS_REACH`) of at least ``min_count`` of its incidents; a place
    without such a block takes the most frequent blocks of the address points on it.
    """
    out: dict[int, str] = {}
    if len(points) == 0:
        return out
    pts = _incidents_of(incidents, member, left)
    if len(pts):
        near = gpd.sjoin_nearest(pts, points, how="inner", max_distance=ADDRESS_REACH)
        near = near[~near.index.duplicated()]
        out.update(_top_names(near["name"], near["g"], min_count))
    rest = hot[hot["hotspot_id"].astype(int).isin([h for h in left if h not in out])]
    if len(rest):
        area = gpd.GeoDataFrame(
            {"g": rest["hotspot_id"].astype(int).to_numpy()},
            geometry=rest.geometry.buffer(ADDRESS_REACH / 3).to_numpy(),
            crs=rest.crs,
        )
        on = gpd.sjoin(points, area, how="inner", predicate="within")
        out.update(_top_names(on["name"], on["g"], 1))
    return {g: "near " + text for g, text in out.items()}


def place_names(
    hotspots: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame | None = None,
    *,
    address: str | None = None,
    addresses: gpd.GeoDataFrame | None = None,
    addresses_column: str | None = None,
    addresses_label: str | None = None,
    streets: gpd.GeoDataFrame | None = None,
    streets_name: str | None = None,
    areas: gpd.GeoDataFrame | None = None,
    areas_name: str | None = None,
    grid: MapGrid | None = None,
    min_count: int = 3,
) -> gpd.GeoDataFrame:
    """Add ``place_name``, ``place_source`` and ``grid_ref`` to a copy of ``hotspots``.

    Parameters
    ----------
    hotspots
        Ranked hotspots (:func:`hotspot.hotspots`), with ``hotspot_id``.
    incidents
        The incidents, in the hotspots' CRS; their address column names the places.
    address
        Incident column with addresses / blocks / street names; None: detected by
        :func:`address_column` (no such column: the next source is used).
    addresses
        Points with street addresses from another source (311 requests, street-light
        reports, business licences), for places whose incidents carry no address:
        ``"near 63XX N Hermitage Ave"``, the hundred blocks (:func:`hundred_block`)
        of the address points nearest most of the place's incidents (within
        :data:`ADDRESS_REACH` m; at least ``min_count`` incidents), else the most
        frequent blocks of the address points on the place.
    addresses_column
        Column of ``addresses`` with the addresses; None: detected.
    addresses_label
        What the address points are, printed beside names taken from them
        (e.g. ``"street-light reports"``); kept in ``attrs["hotspot"]["places"]``.
    streets
        Street lines with a name column (``streets_name``, detected when None): a
        place is named after the street(s) nearest most of its incidents (or, with
        no incidents, the street nearest its centre); two streets that cross within
        :data:`CORNER_REACH` m of the place are its corner, ``"Robson St & Burrard St"``.
    areas
        Named polygons (neighbourhoods, beats, wards; name column ``areas_name``,
        detected when None): the smallest area holding the place's centre, as the
        last source of a name. An area holding more than :data:`MAX_AREA_SHARE` of
        the incidents (the area briefed on, or one holding most of it) names no
        place: the next finer area does, else the grid reference.
    grid
        The map grid printed on the maps; None: :func:`map_grid` of the hotspots'
        bounds.
    min_count
        An address or street names a place only when at least this many of its
        incidents carry it (privacy; default 3).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with ``place_name`` (never empty: ``"Grid C4"`` when nothing else
        names it; a name two places would share gets each one's grid reference,
        ``"High Street (C4)"``), ``place_source`` (``"address"``, ``"address points"``,
        ``"streets"``, ``"area"``, ``"grid"``) and ``grid_ref``. The sources used
        are in ``attrs["hotspot"]["places"]``.

    Raises
    ------
    InvalidInputError
        A named column does not exist, or a layer's name column cannot be told.
    CRSError
        A layer in another CRS.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> hot = gpd.GeoDataFrame({"hotspot_id": [1]}, geometry=[box(0, 0, 100, 100)],
    ...                        crs=32616)
    >>> inc = gpd.GeoDataFrame({"block": ["011XX W ROBSON ST"] * 4 + ["9XX MAIN ST"]},
    ...                        geometry=gpd.points_from_xy([10, 20, 30, 40, 50], [50] * 5),
    ...                        crs=32616)
    >>> place_names(hot, inc, address="block")[["place_name", "grid_ref"]].iloc[0].tolist()
    ['11XX W Robson St', 'C3']
    """
    check_geodataframe(hotspots, "hotspots")
    out = hotspots.copy()
    choices: dict[str, Any] = {}
    ids = out["hotspot_id"].astype(int).to_numpy()
    centres = out.geometry.representative_point()
    names: dict[int, str] = {}
    source: dict[int, str] = {}
    member = None
    if incidents is not None and len(out):
        check_same_crs(hotspots, incidents, "hotspots", "incidents")
        member = hotspot_membership(incidents, out)
        col = address if address is not None else address_column(incidents)
        if address is not None and address not in incidents.columns:
            msg = f"`incidents` has no column {address!r} (address=)."
            raise InvalidInputError(msg)
        if col is not None:
            note_choice(choices, "address", col, "incident column with addresses or streets")
            clean = incidents[col].map(clean_place)
            clean = clean.where(~clean.str.lower().isin(_BLANK), "")
            for hid, text in _top_names(clean, member, min_count).items():
                names[hid], source[hid] = text, "address"
    if addresses is not None and len(out):
        check_same_crs(hotspots, addresses, "hotspots", "addresses")
        points = _address_points(addresses, addresses_column, choices, addresses_label)
        left = [h for h in ids if h not in names]
        for hid, text in _nearest_blocks(out, incidents, member, points, left, min_count).items():
            names[hid], source[hid] = text, "address points"
    if streets is not None and len(out):
        check_same_crs(hotspots, streets, "hotspots", "streets")
        sname = _name_column(streets, streets_name, "streets")
        note_choice(choices, "streets", sname, "streets layer name column")
        left = [h for h in ids if h not in names]
        if left:
            by_street = _nearest_streets(out, incidents, member, streets, sname, left, min_count)
            for hid, text in by_street.items():
                names[hid], source[hid] = text, "streets"
    if areas is not None and len(out):
        check_same_crs(hotspots, areas, "hotspots", "areas")
        aname = _name_column(areas, areas_name, "areas")
        note_choice(choices, "areas", aname, "named areas layer name column")
        left = [h for h in ids if h not in names]
        found, too_big = _area_names(areas, aname, out, centres, incidents, left)
        if too_big:
            note_choice(
                choices,
                "areas_left_out",
                too_big,
                "areas holding most of the pack name no place (the area briefed on is "
                "no place in it)",
            )
        for hid, text in found.items():
            names[hid], source[hid] = text, "area"
    if grid is None:
        grid = place_grid(out.total_bounds if len(out) else (0, 0, 1, 1), out)
        note_choice(
            choices,
            "grid",
            f"{grid.size:g} m squares" + (f", cut {grid.sub} x {grid.sub}" if grid.sub > 1 else ""),
            "about 8 round squares across the hotspots; small squares about 2.5 across a "
            "place map (hotspot.scan.places.place_grid)",
        )
    refs = grid.ref(centres.x.to_numpy(), centres.y.to_numpy()) if len(out) else []
    out["grid_ref"] = pd.Series(refs, index=out.index, dtype=object)
    out["place_name"] = _distinct(
        [names.get(int(h), f"Grid {r}") for h, r in zip(ids, out["grid_ref"], strict=True)],
        list(out["grid_ref"]),
    )
    out["place_source"] = [source.get(int(h), "grid") for h in ids]
    meta = dict(out.attrs.get("hotspot", {}))
    meta["places"] = {
        "choices": choices,
        "grid": grid.__dict__ | {},
        "labels": {"address points": addresses_label or "nearby addresses"},
    }
    out.attrs["hotspot"] = meta
    return out


#: Largest share of the pack's incidents (or places) an area may hold to name a place.
MAX_AREA_SHARE = 0.5


def _area_names(
    areas: gpd.GeoDataFrame,
    column: str,
    hot: gpd.GeoDataFrame,
    centres: gpd.GeoSeries,
    incidents: gpd.GeoDataFrame | None,
    left: list[int],
) -> tuple[dict[int, str], list[str]]:
    """Names of the finest areas holding each place's centre, and the areas left out.

    An area holding more than :data:`MAX_AREA_SHARE` of the incidents (of the
    places, without incidents) is the area the pack covers, or most of it: it
    tells no place apart, so the next finer area holding the centre names the
    place, else none does.
    """
    geoms = areas.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    if incidents is not None and len(incidents):
        pts = incidents.geometry.to_numpy()
    else:
        pts = centres.to_numpy()
    _, held = tree.query(pts, predicate="within")
    share = np.bincount(held, minlength=len(geoms)) / max(len(pts), 1)
    big = share > MAX_AREA_SHARE
    texts = area_labels(areas, column)
    ids = hot["hotspot_id"].astype(int).to_numpy()
    pt_idx, area_idx = tree.query(centres.to_numpy(), predicate="within")
    pairs = pd.DataFrame({"p": pt_idx, "a": area_idx, "size": shapely.area(geoms[area_idx])})
    ok = ~big[pairs["a"].to_numpy()] & np.array([bool(texts[a]) for a in pairs["a"]], dtype=bool)
    first = pairs[ok].sort_values(["p", "size"], kind="stable").groupby("p")["a"].first()
    found = {int(ids[p]): texts[a] for p, a in first.items() if int(ids[p]) in left}
    return found, sorted({texts[a] for a in np.flatnonzero(big) if texts[a]})


def area_labels(areas: gpd.GeoDataFrame, column: str) -> list[str]:
    """Return the printed names of named areas: "Raines precinct", "Ward 12", "Castle".

    Examples
    --------
    >>> from shapely.geometry import Point
    >>> area_labels(gpd.GeoDataFrame({"ward": ["12", "CASTLE"]},
    ...                              geometry=[Point(0, 0)] * 2), "ward")
    ['Ward 12', 'Castle ward']
    """
    kind = str(column).lower()
    texts = [clean_place(v) for v in areas[column].to_numpy()]
    if kind in _AREA_KINDS:
        texts = [
            (f"{kind.capitalize()} {t}" if t.isdigit() else f"{t} {kind}") if t else ""
            for t in texts
        ]
    return texts


def _distinct(names: list[str], refs: list[str]) -> list[str]:
    """Give each repeated name its grid reference, so that no two places share a name.

    Examples
    --------
    >>> _distinct(["High St", "High St", "Low St"], ["C4", "D2", "A1"])
    ['High St (C4)', 'High St (D2)', 'Low St']
    """
    counts = pd.Series(names).value_counts()
    out = [f"{n} ({r})" if counts[n] > 1 and not n.startswith("Grid ") else n
           for n, r in zip(names, refs, strict=True)]
    seen: dict[str, int] = {}
    for i, n in enumerate(out):  # two places in one small square: numbered
        seen[n] = seen.get(n, 0) + 1
        if seen[n] > 1:
            out[i] = f"{n} ({seen[n]})"
    return out


def _nearest_streets(
    hot: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame | None,
    member: pd.Series | None,
    streets: gpd.GeoDataFrame,
    name: str,
    left: list[int],
    min_count: int,
) -> dict[int, str]:
    """Street names nearest most incidents of each place (or its centre)."""
    named = streets[[name, streets.geometry.name]].copy()
    named[name] = named[name].map(clean_place)
    named = named[named[name].astype(bool)]
    if len(named) == 0:
        return {}
    out: dict[int, str] = {}
    pts = _incidents_of(incidents, member, left)
    if len(pts):
        near = gpd.sjoin_nearest(pts, named, how="left")
        near = near[~near.index.duplicated()]
        out.update(_top_names(near[name].fillna(""), near["g"], min_count))
        out = _corners(out, hot, named, name)
    rest = hot[hot["hotspot_id"].astype(int).isin([h for h in left if h not in out])]
    if len(rest):
        pts = gpd.GeoDataFrame(
            {"g": rest["hotspot_id"].astype(int).to_numpy()},
            geometry=rest.geometry.representative_point().to_numpy(),
            crs=rest.crs,
        )
        near = gpd.sjoin_nearest(pts, named, how="left")
        near = near[~near.index.duplicated()]
        for g, value in zip(near["g"], near[name], strict=True):
            if isinstance(value, str) and value:
                out[int(g)] = "near " + value
    return out


#: Farthest a crossing of two streets may be from a place to name it (m).
CORNER_REACH = 100.0


def _corners(
    names: dict[int, str], hot: gpd.GeoDataFrame, streets: gpd.GeoDataFrame, column: str
) -> dict[int, str]:
    """Write "A / B" as the corner "A & B" where the two streets cross at the place."""
    geom = dict(zip(hot["hotspot_id"].astype(int), hot.geometry, strict=True))
    out = dict(names)
    for hid, text in names.items():
        a, _, b = text.partition(" / ")
        if not b:
            continue
        line_a, line_b = (
            shapely.union_all(streets.geometry[streets[column] == s].to_numpy()) for s in (a, b)
        )
        crossing = shapely.intersection(line_a, line_b)
        if not crossing.is_empty and crossing.distance(geom[hid]) <= CORNER_REACH:
            out[hid] = f"{a} & {b}"
    return out
