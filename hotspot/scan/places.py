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
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._core.meta import note_choice
from hotspot._core.validation import check_geodataframe, check_same_crs
from hotspot.exceptions import InvalidInputError
from hotspot.scan.areas import hotspot_membership
from hotspot.scan.outlines import trim_to_counts

__all__ = [
    "MapGrid",
    "address_column",
    "area_labels",
    "clean_place",
    "generic_place",
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


# ------------------------------------------------------------------ map grid


@dataclass(frozen=True)
class MapGrid:
    """A letters x numbers reference grid in map units (metres), with small squares.

    Columns are lettered A, B, ... from the west; rows numbered 1, 2, ... from
    the north, as in a street atlas. ``x0`` is the west edge, ``y1`` the north
    edge, ``size`` the side of a square. With ``sub > 1`` each square is cut into
    ``sub x sub`` small squares, lettered a, b, ... from the west and numbered
    1, 2, ... from the north *within their square*: the reference ``"C4 b2"`` is
    square C4 on the overview map, then small square b2 of it on a zoomed map,
    which prints both sets of labels.

    Examples
    --------
    >>> g = MapGrid(x0=0.0, y1=1000.0, size=250.0, n_cols=4, n_rows=4)
    >>> g.ref([10.0, 990.0], [990.0, 10.0]).tolist()
    ['A1', 'D4']
    >>> MapGrid(0.0, 1000.0, 250.0, 4, 4, sub=5).ref([60.0], [990.0]).tolist()
    ['A1 b1']
    """

    x0: float
    y1: float
    size: float
    n_cols: int
    n_rows: int
    sub: int = 1

    def col_label(self, i: int) -> str:
        """Return the letter(s) of column ``i`` (0-based): A..Z, then AA, AB..."""
        i = int(i)
        out = ""
        while True:
            out = chr(ord("A") + i % 26) + out
            i = i // 26 - 1
            if i < 0:
                return out

    def row_label(self, j: int) -> str:
        """Return the number of row ``j`` (0-based from the north)."""
        return str(int(j) + 1)

    def sub_col_label(self, i: int) -> str:
        """Return the small letter of small column ``i`` (0-based within its square)."""
        return chr(ord("a") + int(i))

    def sub_row_label(self, j: int) -> str:
        """Return the number of small row ``j`` (0-based from the north of its square)."""
        return str(int(j) + 1)

    @property
    def sub_size(self) -> float:
        """Side of a small square (m); ``size`` when the squares are not cut."""
        return self.size / self.sub

    def ref(self, x: Any, y: Any) -> np.ndarray:
        """Return the references (``"C4"``, or ``"C4 b2"`` with small squares) of points.

        ``x, y`` in metres; points outside the grid get the nearest edge square.
        """
        fx = (np.asarray(x, dtype=float) - self.x0) / self.sub_size
        fy = (self.y1 - np.asarray(y, dtype=float)) / self.sub_size
        # small-square indices over the whole grid; a point on a line goes east / south
        sx = np.clip(np.floor(fx + 1e-9), 0, self.n_cols * self.sub - 1).astype(int)
        sy = np.clip(np.floor(fy + 1e-9), 0, self.n_rows * self.sub - 1).astype(int)
        out = []
        for i, j in zip(sx, sy, strict=True):
            big = self.col_label(i // self.sub) + self.row_label(j // self.sub)
            if self.sub > 1:
                big += " " + self.sub_col_label(i % self.sub) + self.sub_row_label(j % self.sub)
            out.append(big)
        return np.array(out, dtype=object)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` of the whole grid."""
        return (
            self.x0,
            self.y1 - self.n_rows * self.size,
            self.x0 + self.n_cols * self.size,
            self.y1,
        )


_NICE = (1.0, 2.0, 2.5, 5.0, 10.0)
# ways to cut a square into small squares of a round size (a..z within a square)
_SUBDIVISIONS = (2, 4, 5, 10, 20, 25)


def _nice(value: float) -> float:
    """Round up to 1, 2, 2.5 or 5 x 10^k."""
    exp = math.floor(math.log10(value))
    for m in _NICE:
        if m * 10**exp >= value * (1 - 1e-9):
            return m * 10**exp
    return 10.0 ** (exp + 1)  # pragma: no cover


def _is_nice(value: float) -> bool:
    return math.isclose(_nice(value), value, rel_tol=1e-9)


def _subdivision(size: float, detail: float | None) -> int:
    """Fewest cuts of a ``size`` square giving round small squares no bigger than ``detail``."""
    if detail is None or not detail > 0 or size <= detail * 1.5:
        return 1
    ok = [k for k in _SUBDIVISIONS if _is_nice(size / k)]
    return next((k for k in ok if size / k <= detail * (1 + 1e-9)), ok[-1] if ok else 1)


def map_grid(bounds: Any, *, cells: int = 8, detail: float | None = None) -> MapGrid:
    """Return the reference grid of a map covering ``bounds``.

    Square cells of a round size (1, 2, 2.5 or 5 x 10^k m) so that about
    ``cells`` of them span the longer side; the grid starts on a multiple of the
    cell size, so maps of the same area give the same references. When places
    are much smaller than a square (a whole force on one page), ``detail`` cuts
    each square into small squares of a round size (2, 4, 5, 10, 20 or 25 per
    side) no bigger than ``detail`` metres where one is (else the finest of
    these): references become ``"C4 b2"``.

    Parameters
    ----------
    bounds
        ``(xmin, ymin, xmax, ymax)`` in metres (e.g. ``gdf.total_bounds``).
    cells
        Target number of columns or rows along the longer side (default 8).
    detail
        Largest small square wanted (m), e.g. a third of the width of a place's
        map (:func:`place_grid` chooses it); None: squares are not cut.

    Returns
    -------
    MapGrid

    Examples
    --------
    >>> g = map_grid((0, 0, 4000, 3000))
    >>> g.size, g.n_cols, g.n_rows, g.sub
    (500.0, 8, 6, 1)
    >>> g = map_grid((0, 0, 60000, 40000), detail=500)
    >>> g.size, g.sub, g.sub_size
    (10000.0, 20, 500.0)
    """
    x0, y0, x1, y1 = (float(v) for v in bounds)
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
        msg = "map_grid: `bounds` must be four finite numbers (xmin, ymin, xmax, ymax)."
        raise InvalidInputError(msg)
    span = max(x1 - x0, y1 - y0, 1.0)
    size = _nice(span / max(int(cells), 1))
    gx0 = math.floor(x0 / size) * size
    gy1 = math.ceil(y1 / size) * size
    # floating-point products can land a hair inside the bounds: step out by a cell
    if gx0 > x0:
        gx0 -= size
    if gy1 < y1:
        gy1 += size
    n_cols = max(1, math.ceil((x1 - gx0) / size - 1e-9))
    n_rows = max(1, math.ceil((gy1 - y0) / size - 1e-9))
    if gx0 + n_cols * size < x1:
        n_cols += 1
    if gy1 - n_rows * size > y0:
        n_rows += 1
    sub = _subdivision(size, detail)
    return MapGrid(x0=gx0, y1=gy1, size=size, n_cols=n_cols, n_rows=n_rows, sub=sub)


#: Smallest side of a place's own map (m): a street block or two around it.
MIN_PLACE_VIEW = 400.0


def place_view(geometries: Any) -> np.ndarray:
    """Return the square window (xmin, ymin, xmax, ymax) of each place's own map.

    Centred on the place, 1.3 times its longer side and at least
    :data:`MIN_PLACE_VIEW` metres, so that the streets around it show. One rule
    for the zoomed maps of the briefing and for the small squares of the grid.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> place_view([box(0, 0, 100, 100)]).tolist()
    [[-210.0, -210.0, 310.0, 310.0]]
    """
    b = shapely.bounds(np.asarray(geometries, dtype=object).ravel())
    b = np.atleast_2d(b)
    half = 0.65 * np.maximum(np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]), MIN_PLACE_VIEW)
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    return np.column_stack([cx - half, cy - half, cx + half, cy + half])


def place_grid(bounds: Any, places: Any = None, *, cells: int = 8) -> MapGrid:
    """Return the grid of a pack: overview squares, cut small enough for the place maps.

    The overview squares are :func:`map_grid`'s (about ``cells`` across
    ``bounds``); where they are too coarse for the places' own maps (a place map
    shows less than about three squares across, as at force scale), each square
    is cut into small squares of about 2.5 across the typical place map
    (:func:`place_view`, the median over ``places``).

    Parameters
    ----------
    bounds
        ``(xmin, ymin, xmax, ymax)`` of the overview map, metres.
    places
        The places' geometries (a GeoSeries, GeoDataFrame or array); None or
        empty: the squares are not cut.
    cells
        Target number of overview columns or rows (default 8).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> g = place_grid((0, 0, 60000, 40000), [box(0, 0, 600, 600)])
    >>> g.size, g.sub_size, g.ref([1000.0], [39000.0]).tolist()
    (10000.0, 500.0, ['A1 c3'])
    """
    detail = None
    if places is not None:
        geoms = places.geometry if isinstance(places, gpd.GeoDataFrame) else places
        geoms = np.asarray(geoms, dtype=object).ravel()
        if len(geoms):
            views = place_view(geoms)
            detail = float(np.median(views[:, 2] - views[:, 0])) / 2.5
    return map_grid(bounds, cells=cells, detail=detail)



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
