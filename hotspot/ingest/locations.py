"""Location quality: stacked placeholder points and snapped (anonymised) locations.

Exports put incidents whose place is unknown or withheld on one point: a "location
not known" street, the police station, the city centre, a geocoder's fallback
centroid. Such a point can hold more crime than any real place around it and then
drives hotspots, lighting audits and briefings. :func:`stacked_locations` finds them
with one documented rule:

A distinct coordinate (points closer than 0.1 m are the same) is **stacked** when

1. it holds at least ``min_count`` incidents (default 20), and
2. it holds at least ``ratio`` times (default 20) the mean count of the *other*
   distinct coordinates within ``radius`` metres (default 250 m), that mean being
   taken as at least the mean count per distinct coordinate of the whole data, and
   at least 1 (so an isolated point far above a typical point counts as stacked).

A stack whose incidents are recorded at one **specific type of place** is a real
building, not a placeholder: when at least ``building_share`` (default 75 %) of its
incidents carry the same place type (from the place-type column found by its name,
:func:`hotspot.ingest.columns.setting_column`) and that type is not a generic one
(street, other, unknown...), the point is kept as an exact location and reported as a
building. Chicago geocodes assaults at a school or a police station to the building's
point: those are real places to act on. A city-hall geocode, a district centroid or a
"location not known" point collects incidents of every kind of place, or none.

Snapped data (police.uk "on or near" map points, block-level offsets) put many
incidents on each point too, but so do their neighbours: the ratio rule leaves them
alone, and their rows are ``location_quality == "snapped"``. Only a snap point far
above the points around it is stacked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from hotspot._core.meta import note_choice
from hotspot.exceptions import InvalidInputError
from hotspot.ingest.columns import setting_column
from hotspot.ingest.rules import decide
from hotspot.ingest.vocabularies import setting_group

__all__ = ["GENERIC_PLACE_TYPES", "LOCATION_QUALITIES", "StackRule", "add_stacks", "buildings",
           "location_codes", "stack_line", "stacked_locations"]

LOCATION_QUALITIES: tuple[str, ...] = ("exact", "stacked", "snapped")
"""Fixed vocabulary of the ``location_quality`` column."""


@dataclass(frozen=True)
class StackRule:
    """Parameters of the stacked-location rule (see the module notes).

    Examples
    --------
    >>> StackRule().radius
    250.0
    """

    min_count: int = 20
    ratio: float = 20.0
    radius: float = 250.0
    building_share: float = 0.75

    def describe(self) -> str:
        """One sentence stating the rule, for reports.

        Examples
        --------
        >>> StackRule().describe()[:40]
        'a coordinate with >= 20 incidents and >='
        """
        return (f"a coordinate with >= {self.min_count} incidents and >= {self.ratio:g}x "
                f"the mean of the other coordinates within {self.radius:g} m")


def location_codes(x: np.ndarray, y: np.ndarray, resolution: float = 0.1
                   ) -> tuple[np.ndarray, int]:
    """Code of each point's distinct location (points within ``resolution`` m are one).

    Linear time: the coordinates are rounded to integer multiples of ``resolution``
    and hashed as one 64-bit key.

    Examples
    --------
    >>> codes, n = location_codes(np.array([0.0, 0.01, 5.0]), np.array([1.0, 1.0, 1.0]))
    >>> codes.tolist(), n
    ([0, 0, 1], 2)
    """
    ix = np.round(np.asarray(x, dtype=float) / resolution)
    iy = np.round(np.asarray(y, dtype=float) / resolution)
    ix = (ix - np.nanmin(ix)).astype(np.int64) if len(ix) else ix.astype(np.int64)
    iy = (iy - np.nanmin(iy)).astype(np.int64) if len(iy) else iy.astype(np.int64)
    key = ix * (int(iy.max(initial=0)) + 1) + iy
    codes, uniques = pd.factorize(key)
    return codes.astype(np.int64), len(uniques)


def stacked_locations(x: np.ndarray, y: np.ndarray, rule: StackRule | None = None
                      ) -> tuple[np.ndarray, pd.DataFrame]:
    """Flag incidents on stacked coordinates (projected metres).

    Parameters
    ----------
    x, y : numpy.ndarray
        Projected coordinates in metres, one per incident.
    rule : StackRule, optional
        The thresholds (default ``StackRule()``).

    Returns
    -------
    stacked : numpy.ndarray of bool
        True for incidents on a stacked coordinate.
    stacks : pandas.DataFrame
        One row per stacked coordinate, largest first: ``x``, ``y``, ``count``,
        ``expected`` (mean count of the other coordinates within the radius),
        ``first_row`` (position of its first incident).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.r_[rng.uniform(0, 2000, 500), np.full(60, 1000.0)]
    >>> y = np.r_[rng.uniform(0, 2000, 500), np.full(60, 1000.0)]
    >>> flag, stacks = stacked_locations(x, y)
    >>> int(flag.sum()), stacks["count"].tolist()
    (60, [60])
    """
    rule = rule or StackRule()
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    empty = pd.DataFrame({"x": [], "y": [], "count": [], "expected": [], "first_row": []})
    if len(x) < rule.min_count:
        return np.zeros(len(x), dtype=bool), empty
    inverse, n_loc = location_codes(x, y)
    counts = np.bincount(inverse, minlength=n_loc)
    first = np.empty(n_loc, dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(x))[::-1]  # first row of each location
    uniq = np.column_stack([x[first], y[first]])
    cand = np.flatnonzero(counts >= rule.min_count)
    if cand.size == 0:
        return np.zeros(len(x), dtype=bool), empty
    # only the locations in the radius-sized cells around a candidate can be neighbours
    cell = np.floor((uniq - uniq.min(axis=0)) / rule.radius).astype(np.int64)
    width = int(cell[:, 1].max()) + 3
    key = (cell[:, 0] + 1) * width + (cell[:, 1] + 1)
    around = (key[cand][:, None] + (np.arange(-1, 2)[:, None] * width
                                    + np.arange(-1, 2)).ravel()[None, :]).ravel()
    local = np.flatnonzero(np.isin(key, around))
    tree = cKDTree(uniq[local])
    near = [local[i] for i in tree.query_ball_point(uniq[cand], rule.radius)]
    expected = np.array([(counts[n].sum() - counts[c]) / max(len(n) - 1, 1)
                         for c, n in zip(cand, near, strict=True)])
    floor = max(1.0, len(x) / len(uniq))
    is_stack = counts[cand] >= rule.ratio * np.maximum(expected, floor)
    hit = cand[is_stack]
    flag_loc = np.zeros(len(uniq), dtype=bool)
    flag_loc[hit] = True
    stacks = pd.DataFrame({"x": uniq[hit, 0], "y": uniq[hit, 1], "count": counts[hit],
                           "expected": np.round(expected[is_stack], 2),
                           "first_row": first[hit]})
    stacks = stacks.sort_values("count", ascending=False, kind="stable").reset_index(
        drop=True)
    return flag_loc[inverse], stacks


#: Place types that say nothing about which building a point is (normalised text).
GENERIC_PLACE_TYPES = frozenset({
    "", "other", "others", "unknown", "not known", "none", "na", "n/a", "unspecified",
    "not recorded", "other (specify)", "other/unknown", "miscellaneous", "misc",
})


def _stack_of(x: np.ndarray, y: np.ndarray, found: pd.DataFrame, resolution: float = 0.1
              ) -> np.ndarray:
    """Position in ``found`` of the stack each point lies on (-1: on none)."""
    if len(found) == 0 or len(x) == 0:
        return np.full(len(x), -1, dtype=np.int64)
    key = pd.MultiIndex.from_arrays([np.round(np.asarray(x, float) / resolution),
                                     np.round(np.asarray(y, float) / resolution)])
    stack_key = pd.MultiIndex.from_arrays([np.round(found["x"].to_numpy(float) / resolution),
                                           np.round(found["y"].to_numpy(float) / resolution)])
    return stack_key.get_indexer(key)


def buildings(x: np.ndarray, y: np.ndarray, frame: pd.DataFrame, found: pd.DataFrame,
              rule: StackRule | None = None) -> pd.DataFrame:
    """Which stacks are real buildings: most of their incidents at one specific place type.

    Parameters
    ----------
    x, y : numpy.ndarray
        Projected coordinates (metres) of the incidents, row-aligned with ``frame``.
    frame : pandas.DataFrame
        Their original columns; the place-type column is found by its name.
    found : pandas.DataFrame
        The stacks (``x``, ``y``) of :func:`stacked_locations`.
    rule : StackRule, optional
        ``building_share``: the share of a stack's incidents one specific type must hold.

    Returns
    -------
    pandas.DataFrame
        One row per stack of ``found`` (same order): ``building`` (bool), ``place_type``
        (its most common type) and ``type_share``.

    Examples
    --------
    >>> found = pd.DataFrame({"x": [0.0, 100.0], "y": [0.0, 0.0]})
    >>> frame = pd.DataFrame({"loc_cat": ["education"] * 20 + ["street", "retail"] * 10})
    >>> x = np.r_[np.zeros(20), np.full(20, 100.0)]
    >>> buildings(x, np.zeros(40), frame, found)["building"].tolist()
    [True, False]
    """
    rule = rule or StackRule()
    out = pd.DataFrame({"building": np.zeros(len(found), dtype=bool),
                        "place_type": pd.Series([None] * len(found), dtype=object),
                        "type_share": np.zeros(len(found))})
    col = setting_column(frame)
    if col is None or len(found) == 0:
        return out
    at = _stack_of(x, y, found)
    on = at >= 0
    types = frame[col].iloc[np.flatnonzero(on)].astype("string").str.strip().str.lower()
    pairs = pd.DataFrame({"stack": at[on], "type": types.fillna("").to_numpy()})
    counts = pairs.groupby(["stack", "type"]).size().sort_values(ascending=False,
                                                                 kind="stable")
    top = counts.groupby(level="stack").head(1).reset_index(name="n")
    total = pairs.groupby("stack").size()
    share = top["n"].to_numpy() / total.reindex(top["stack"]).to_numpy()
    generic = top["type"].isin(GENERIC_PLACE_TYPES).to_numpy() | (
        np.asarray(setting_group(top["type"].to_numpy()), dtype=object) == "street")
    idx = top["stack"].to_numpy()
    out.loc[idx, "place_type"] = top["type"].to_numpy()
    out.loc[idx, "type_share"] = share
    out.loc[idx, "building"] = (share >= rule.building_share) & ~generic
    return out


def _placeholders(x: np.ndarray, y: np.ndarray, frame: pd.DataFrame, rule: StackRule
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stacks that are placeholders, and the stacks kept as real buildings."""
    found = stacked_locations(x, y, rule)[1]
    kind = buildings(x, y, frame, found, rule)
    held = kind["building"].to_numpy()
    kept = found.loc[held, ["x", "y", "count"]].assign(
        place_type=kind.loc[held, "place_type"].to_numpy()).reset_index(drop=True)
    return found.loc[~held, ["x", "y", "expected"]].reset_index(drop=True), kept


def _on_stacks(x: np.ndarray, y: np.ndarray, found: pd.DataFrame, resolution: float = 0.1
               ) -> tuple[np.ndarray, pd.DataFrame]:
    """Flag the incidents on the stacked coordinates ``found``; count them there.

    ``found`` (``x``, ``y``, ``expected``) is what :func:`stacked_locations` found here,
    or in the whole dataset when it is read in pieces; a point is on a stack when it
    rounds to the same ``resolution`` as the stack's coordinate.
    Returns the flags and the stacks table of :func:`stacked_locations` for these
    incidents (stacks holding none of them left out).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    flag = np.zeros(len(x), dtype=bool)
    at = np.full(len(x), -1, dtype=np.int64)
    if len(found) and len(x):
        key = pd.MultiIndex.from_arrays([np.round(x / resolution), np.round(y / resolution)])
        stack_key = pd.MultiIndex.from_arrays([np.round(found["x"].to_numpy(float) / resolution),
                                               np.round(found["y"].to_numpy(float) / resolution)])
        at = stack_key.get_indexer(key)
        flag = at >= 0
    counts = np.bincount(at[flag], minlength=len(found))
    first = np.full(len(found), -1, dtype=np.int64)
    hit = np.flatnonzero(flag)
    first[at[hit][::-1]] = hit[::-1]
    held = counts > 0
    stacks = pd.DataFrame({"x": found["x"].to_numpy(float)[held],
                           "y": found["y"].to_numpy(float)[held], "count": counts[held],
                           "expected": found["expected"].to_numpy(float)[held],
                           "first_row": first[held]})
    stacks = stacks.sort_values("count", ascending=False, kind="stable").reset_index(
        drop=True)
    return flag, stacks


_ADDRESS_NAMES = ("location", "address", "block", "blockaddress", "street", "streetname",
                  "place", "locationdescription", "addr", "direccion", "calle", "lugar",
                  "colonia", "ubicacion", "adresse", "hundredblock")


def _address_column(frame: pd.DataFrame) -> str | None:
    """Find a text column holding the address or street name (None if none)."""
    import re

    by = {re.sub(r"[^a-z0-9]", "", str(c).lower()): c for c in frame.columns}
    for name in _ADDRESS_NAMES:
        col = by.get(name)
        if col is not None and not pd.api.types.is_numeric_dtype(frame[col]):
            return col
    return None


def location_quality(x: np.ndarray, y: np.ndarray, frame: pd.DataFrame, crs: object,
                     snapped: bool, rule: StackRule | None = None
                     ) -> tuple[pd.Categorical, pd.DataFrame, str | None]:
    """Rate each incident's location; list the stacks and a report line.

    Parameters
    ----------
    x, y : numpy.ndarray
        Projected coordinates (metres) of the kept incidents.
    frame : pandas.DataFrame
        Their original columns (row-aligned), for the address text of each stack.
    crs
        CRS of ``x``/``y`` (for the stacks' lon/lat).
    snapped : bool
        Whether the data are snapped to anonymised points (rows not stacked are then
        ``"snapped"``, otherwise ``"exact"``).
    rule : StackRule, optional
        Thresholds of the stacked rule.

    Returns
    -------
    quality : pandas.Categorical
        One of :data:`LOCATION_QUALITIES` per incident.
    stacks : pandas.DataFrame
        Stacked coordinates, largest first: ``count``, ``share``, ``lon``, ``lat``,
        ``x``, ``y``, ``expected``, ``address`` (text of the first incident there, or
        missing).
    line : str or None
        A report warning naming the top stacks, or None when there are none.

    Examples
    --------
    >>> x = np.r_[np.arange(100.0) * 40, np.full(30, 500.0)]
    >>> y = np.r_[np.zeros(100), np.full(30, 900.0)]
    >>> q, stacks, line = location_quality(x, y, pd.DataFrame(index=range(130)),
    ...                                    "EPSG:32616", snapped=False)
    >>> q.value_counts().to_dict()
    {'exact': 100, 'stacked': 30, 'snapped': 0}
    """
    from pyproj import Transformer

    rule = rule or StackRule()
    cache: list[tuple[pd.DataFrame, pd.DataFrame]] = []

    def both() -> tuple[pd.DataFrame, pd.DataFrame]:
        if not cache:
            cache.append(_placeholders(x, y, frame, rule))
        return cache[0]

    # two decisions (fixed once for data read in parts): placeholders, real buildings
    found = decide("stacks", lambda: both()[0])
    kept = decide("buildings", lambda: both()[1])
    flag, stacks = _on_stacks(x, y, found)
    codes = np.where(flag, 1, 2 if snapped else 0)
    quality = pd.Categorical.from_codes(codes, categories=list(LOCATION_QUALITIES))
    if stacks.empty:
        return (quality, stacks.assign(share=[], lon=[], lat=[], address=[]),
                _buildings_line(kept))
    tr = Transformer.from_crs(crs, 4326, always_xy=True)
    lon, lat = tr.transform(stacks["x"].to_numpy(), stacks["y"].to_numpy())
    col = _address_column(frame)
    address = (frame[col].iloc[stacks["first_row"].to_numpy()].astype("string")
               .str.replace(r"(?i)^\s*on or near\s*", "", regex=True).to_numpy()
               if col is not None else np.full(len(stacks), None, dtype=object))
    n = len(x)
    table = pd.DataFrame({"count": stacks["count"].astype(int),
                          "share": stacks["count"] / max(n, 1),
                          "lon": np.round(lon, 5), "lat": np.round(lat, 5),
                          "x": stacks["x"], "y": stacks["y"],
                          "expected": stacks["expected"], "address": address})
    line = stack_line(table, n, rule)
    more = _buildings_line(kept)
    return quality, table, f"{line}. {more}" if more else line


def _buildings_line(kept: pd.DataFrame) -> str | None:
    """Say which busy points were kept as real buildings, by place type."""
    if len(kept) == 0:
        return None
    types = kept.groupby("place_type")["count"].agg(["size", "sum"]).sort_values(
        "sum", ascending=False)
    what = ", ".join(f"{t} {int(r['size'])} ({int(r['sum']):,} incidents)"
                     for t, r in types.iterrows())
    return (f"busy buildings kept: {len(kept)} point(s) holding {int(kept['count'].sum()):,} "
            f"incidents would pass the stacked rule, but most incidents at each are recorded "
            f"at one specific type of place, so they are real buildings and stay in: {what}")


def stack_line(table: pd.DataFrame, n: int, rule: StackRule | None = None) -> str | None:
    """Return the report warning naming the top stacks of ``table``, or None if empty.

    Parameters
    ----------
    table : pandas.DataFrame
        Stacks as :func:`location_quality` returns them (``count``, ``lon``, ``lat``,
        ``address``), largest first.
    n : int
        Number of incidents they are among.
    rule : StackRule, optional
        The rule that found them (for its wording).

    Examples
    --------
    >>> t = pd.DataFrame({"count": [30], "lon": [-87.65], "lat": [41.85], "address": [None]})
    >>> stack_line(t, 300)[:46]
    'stacked locations: 30 rows (10.0%) lie on 1 co'
    """
    if table.empty:
        return None
    rule = rule or StackRule()
    k = int(table["count"].sum())
    shown = "; ".join(
        f"{r.count:,} at ({r.lon:.5f}, {r.lat:.5f})"
        + (f" {r.address!r}" if isinstance(r.address, str) else "")
        for r in table.head(5).itertuples())
    return (f"stacked locations: {k:,} rows ({k / max(n, 1):.1%}) lie on "
            f"{len(table)} coordinate(s) holding far more incidents than the places around "
            f"them ({rule.describe()}), likely placeholders for unknown or withheld "
            f"locations: {shown}. They are kept with location_quality 'stacked'; hotspots, "
            "lighting audits and briefings leave them out by default (stacked='keep' to "
            "include them)")


def add_stacks(tables: list[pd.DataFrame], n: int) -> pd.DataFrame:
    """Add up the stacks tables of the parts of a dataset (``n`` incidents in all).

    Counts of one coordinate are summed; its other columns are those of the first
    part that holds it; ``share`` is of ``n``; largest first.

    Examples
    --------
    >>> t = pd.DataFrame({"count": [10], "share": [0.1], "lon": [-87.65], "lat": [41.85],
    ...                   "x": [1.0], "y": [2.0], "expected": [0.5], "address": [None]})
    >>> add_stacks([t, t, t], 300)[["count", "share"]].to_dict("records")
    [{'count': 30, 'share': 0.1}]
    """
    tables = [t for t in tables if len(t)]
    if not tables:
        return pd.DataFrame()
    both = pd.concat(tables, ignore_index=True)
    firsts = both.drop_duplicates(["x", "y"]).set_index(["x", "y"])
    counts = both.groupby(["x", "y"], sort=False)["count"].sum()
    out = firsts.assign(count=counts.reindex(firsts.index).astype(int)).reset_index()
    out["share"] = out["count"] / max(n, 1)
    out = out[list(tables[0].columns)]
    return out.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


def _stack_points(stacked: pd.DataFrame, shown: int = 3) -> str:
    """': 2 points, 76 at (lon, lat) 'address' and ..., their place types ...' for a line."""
    geom = getattr(stacked, "geometry", None)
    crs = getattr(stacked, "crs", None)
    if geom is None or crs is None or len(stacked) == 0:
        return ""
    from pyproj import Transformer

    x, y = geom.x.to_numpy(), geom.y.to_numpy()
    codes, n_pts = location_codes(x, y)
    counts = np.bincount(codes, minlength=n_pts)
    order = np.argsort(-counts, kind="stable")[:shown]
    first = np.array([int(np.flatnonzero(codes == c)[0]) for c in order])  # a few points
    lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(x[first], y[first])
    col = _address_column(stacked)
    where = []
    for c, i, lo, la in zip(order, first, lon, lat, strict=True):
        addr = stacked[col].iloc[i] if col is not None else None
        where.append(f"{counts[c]:,} at ({lo:.5f}, {la:.5f})"
                     + (f" {str(addr)!r}" if isinstance(addr, str) and addr.strip() else ""))
    if n_pts > shown:
        where.append(f"{n_pts - shown} more")
    listed = where[0] if len(where) == 1 else ", ".join(where[:-1]) + " and " + where[-1]
    text = f": {n_pts} point{'s' if n_pts > 1 else ''}, {listed}"
    types = setting_column(stacked)
    if types is not None:  # one clause (no semicolons): printed pages keep it whole
        share = stacked[types].astype("string").fillna("not recorded").str.lower(
            ).value_counts(normalize=True).head(3)
        text += ", their place types " + ", ".join(f"{t} {v:.0%}" for t, v in share.items())
    return text


def exclude_stacked(incidents: pd.DataFrame, stacked: str, choices: dict | None = None
                    ) -> tuple[pd.DataFrame, str | None]:
    """Leave out (or keep, and say so) incidents whose ``location_quality`` is stacked.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Incidents, with or without a ``location_quality`` column (without it nothing
        is done).
    stacked : {"exclude", "keep"}
        What to do with stacked incidents.
    choices : dict, optional
        A ``choices`` dict of the calling step, updated with the decision.

    Returns
    -------
    incidents : pandas.DataFrame
        The input or the subset without stacked incidents (never modified in place).
    line : str or None
        A sentence for printed products; None when there are no stacked incidents.

    Examples
    --------
    >>> df = pd.DataFrame({"location_quality": ["exact", "stacked", "exact"]})
    >>> kept, line = exclude_stacked(df, "exclude")
    >>> len(kept), line[:34]
    (2, '1 incident on a stacked location (')
    """
    if stacked not in ("exclude", "keep"):
        msg = (f"`stacked` must be 'exclude' (leave out incidents on stacked placeholder "
               f"points) or 'keep', got {stacked!r}.")
        raise InvalidInputError(msg)
    if "location_quality" not in incidents.columns:
        return incidents, None
    mask = (incidents["location_quality"].astype("string") == "stacked").fillna(
        False).to_numpy(dtype=bool)
    k = int(mask.sum())
    if k == 0:
        return incidents, None
    what = f"{k:,} incident{'s' if k > 1 else ''} on a stacked location"
    if stacked == "exclude":
        line = (f"{what} (a placeholder point holding far more incidents than the places "
                f"around it) left out{_stack_points(incidents.loc[mask])}; stacked='keep' "
                "includes them.")
        out = incidents.loc[~mask]
    else:
        line = f"{what} included (stacked='keep'): it may be a placeholder, not a place."
        out = incidents
    if choices is not None:
        note_choice(choices, "stacked", {"rows": k, "action": stacked}, line)
    return out, line
