"""The places an officer's list holds: significant hot spots plus the busiest cells.

Gi* scores a cell together with its neighbours, and the FDR-corrected test that
keeps its stated error rate is strict, so the busiest single cell of an area is
not always inside a hot spot: a cell with 19 robberies among quiet cells is not a
*cluster*. On a printed map that cell is one of the darkest, and a list of places
that leaves it out loses the officer's trust. :func:`with_busy_places` is the one
rule the pack doors use (:func:`hotspot.pipeline.scan`, hence ``hs.briefing``,
``hotspot analyze``/``briefing`` and their exports):

- the ``BUSY_TOP`` busiest cells of the area (ties at the cut included, at least
  ``BUSY_MIN`` incidents each) are always on the list;
- those not inside a hot spot become **busy places** ("many incidents, not a
  cluster"), touching ones merged and cut to the area cap as hot spots are;
- hot spots and busy places are ranked together by incidents (by harm with a
  weight), so the first places of the list always cover the busiest cells, and the
  ``kind`` column tells them apart (``"hot spot"`` / ``"busy place"``).

The statistics are untouched: the cells' Gi* columns and the hot spots themselves are
exactly those of :func:`hotspot.hotspots`.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._core.meta import attach, note_choice
from hotspot.scan.areas import _named, hotspots

__all__ = [
    "BUSY_MIN",
    "BUSY_TOP",
    "PLACE_KINDS",
    "busy_cells",
    "touching_note",
    "touching_ranks",
    "with_busy_places",
]

BUSY_TOP: int = 5
"""How many of the busiest cells an officer's list always covers (ties included)."""

BUSY_MIN: int = 3
"""Fewest incidents of a busy cell: the printed maps' minimum count, so a busy place
is never a cell the map hides."""

PLACE_KINDS = ("hot spot", "busy place")
"""Values of the ``kind`` column of a places list."""

_PLACE_COLUMNS = ("place_name", "grid_ref", "place_source")


def busy_cells(
    cells: gpd.GeoDataFrame,
    hot: gpd.GeoDataFrame,
    *,
    top: int = BUSY_TOP,
    min_incidents: int = BUSY_MIN,
    column: str = "n_incidents",
) -> np.ndarray:
    """Boolean mask of the cells among the ``top`` busiest that lie in no hot spot.

    Parameters
    ----------
    cells
        Counted cells (``column``), in the hot spots' CRS.
    hot
        Hot spots made from these cells (a cell is inside one when its centre is).
    top
        Number of busiest cells to cover; every cell with as many incidents as the
        ``top``-th busiest counts too (ties are not cut arbitrarily).
    min_incidents
        Fewest incidents of a busy cell (in a quiet area the ``top`` busiest cells
        may hold one incident each: they are not places).
    column
        Count column of ``cells``.

    Returns
    -------
    numpy.ndarray
        One bool per cell, in the order of ``cells``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> cells = gpd.GeoDataFrame({"n_incidents": [19, 2, 8, 9]},
    ...     geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs=32616)
    >>> hot = gpd.GeoDataFrame(geometry=[box(2, 0, 3, 1)], crs=32616)
    >>> busy_cells(cells, hot, top=2).tolist()
    [True, False, False, True]
    """
    counts = pd.to_numeric(cells[column], errors="coerce").fillna(0).to_numpy(dtype=float)
    if len(counts) == 0 or int(top) < 1:
        return np.zeros(len(counts), dtype=bool)
    kth = np.sort(counts)[::-1][min(int(top), len(counts)) - 1]
    busy = counts >= max(kth, float(min_incidents))
    if len(hot) and busy.any():
        centres = shapely.centroid(cells.geometry.to_numpy()[busy])
        tree = shapely.STRtree(hot.geometry.to_numpy())
        inside = np.zeros(len(centres), dtype=bool)
        inside[tree.query(centres, predicate="intersects")[0]] = True
        busy[np.flatnonzero(busy)[inside]] = False
    return busy


def with_busy_places(
    cells: gpd.GeoDataFrame,
    hot: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame | None = None,
    *,
    top: int = BUSY_TOP,
    min_incidents: int = BUSY_MIN,
    max_area_km2: float | None = None,
    weight: str | None = None,
    neighbors: str = "queen",
) -> gpd.GeoDataFrame:
    """Hot spots plus the busy places outside them, ranked together, with ``kind``.

    Parameters
    ----------
    cells
        The scan's counted cells (``n_incidents``; ``weighted`` with a weight).
    hot
        The hot spots of these cells (:func:`hotspot.hotspots`).
    incidents
        The incidents counted (the denominator of ``share`` and the source of
        place names); None: the cells' total.
    top
        See :func:`busy_cells` (default :data:`BUSY_TOP`); 0 lists hot spots only.
    min_incidents
        See :func:`busy_cells` (default :data:`BUSY_MIN`).
    max_area_km2
        Largest place in km² (busy cells that touch are merged, then cut as hot
        spots are).
    weight
        Harm column: places are then ranked by harm, as hot spots are.
    neighbors
        ``"queen"`` or ``"rook"``: which busy cells touch.

    Returns
    -------
    geopandas.GeoDataFrame
        The Hotspots columns (``hotspot_id`` = ``rank`` renumbered over the whole
        list, names and grid references on one grid) plus ``kind``; the hot spots'
        rows keep their counts and areas. ``attrs["hotspot"]["places"]`` records
        the rule and how many of each kind were listed.

    Examples
    --------
    >>> import hotspot as hs
    >>> from hotspot.pipeline import scan
    >>> robberies = hs.datasets.load_sample("memphis_robberies")
    >>> cells, places = scan(robberies)
    >>> sorted(set(places["kind"])) <= ["busy place", "hot spot"]
    True
    """
    choices: dict[str, Any] = {}
    busy = busy_cells(cells, hot, top=top, min_incidents=min_incidents)
    hot = hot.assign(kind=PLACE_KINDS[0])
    parts = [hot]
    if busy.any():
        counts = cells["n_incidents"].to_numpy(dtype=float)
        marked = cells.assign(_busy=np.where(busy, counts, 0.0))
        extra = hotspots(
            marked, method="count", column="_busy", top_share=1.0, incidents=incidents,
            max_area_km2=max_area_km2, weight=weight, neighbors=neighbors, stacked="keep",
        )
        parts.append(extra.assign(kind=PLACE_KINDS[1]))
    places = _ranked(parts, weight, hot.crs)
    if busy.any():  # names and grid references of the whole list on one grid
        places = _named(places.drop(columns=list(_PLACE_COLUMNS)), incidents, cells.total_bounds)
    order = [c for c in places.columns if c not in ("kind", places.geometry.name)]
    places = places[[*order, "kind", places.geometry.name]]
    places.attrs = dict(hot.attrs)
    n_busy = int((places["kind"] == PLACE_KINDS[1]).sum())
    note_choice(
        choices,
        "busy_places",
        n_busy,
        f"the {top} busiest cells (ties included, at least {min_incidents} incidents) are "
        f"always listed: {int(busy.sum())} of them lie in no hot spot and make {n_busy} "
        "busy place(s) (many incidents, not a significant cluster), ranked with the hot "
        "spots by " + ("harm" if weight else "incidents"),
    )
    params = {"top": top, "min_incidents": min_incidents, "max_area_km2": max_area_km2,
              "weight": weight, "neighbors": neighbors}
    return attach(places, "places", params, choices, n_hot_spots=len(hot),
                  n_busy_places=n_busy, busy_cells=[int(i) for i in np.flatnonzero(busy)])


def _ranked(parts: list[gpd.GeoDataFrame], weight: str | None, crs: Any) -> gpd.GeoDataFrame:
    """One list, best first: by harm or incidents, hot spots before busy places on ties."""
    frames = [p for p in parts if len(p)] or parts[:1]
    both = pd.concat(frames, ignore_index=True)
    key = "harm" if weight is not None and "harm" in both.columns else "n_incidents"
    order = np.lexsort((
        np.arange(len(both)),  # each kind keeps its own order (area, then position)
        (both["kind"] == PLACE_KINDS[1]).to_numpy(),
        -pd.to_numeric(both[key]).to_numpy(dtype=float),
    ))
    out = gpd.GeoDataFrame(both.iloc[order].reset_index(drop=True), geometry="geometry", crs=crs)
    rank = np.arange(1, len(out) + 1, dtype=np.int64)
    out["hotspot_id"], out["rank"] = rank, rank.copy()
    return out


def touching_ranks(places: gpd.GeoDataFrame) -> list[list[int]]:
    """For each place, the ranks of the other listed places it touches (edge or corner).

    Contiguous hot cells are merged into one place, so two places touch only when a
    hot area larger than the area cap was cut into pieces one officer can cover, or
    when a busy place lies beside a hot spot it is not part of.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> places = gpd.GeoDataFrame({"rank": [1, 2, 3]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(5, 5, 6, 6)], crs=32616)
    >>> touching_ranks(places)
    [[2], [1], []]
    """
    geoms = places.geometry.to_numpy()
    ranks = places["rank"].to_numpy()
    out: list[list[int]] = [[] for _ in range(len(geoms))]
    if len(geoms) < 2:
        return out
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i != j:
            out[int(i)].append(int(ranks[j]))
    return [sorted(r) for r in out]


def touching_note(
    kind: str, kinds: dict[int, str], ranks: list[int], max_area_km2: float | None
) -> str:
    """One plain sentence on why a place touches other listed places ('' when it does not).

    Examples
    --------
    >>> touching_note("hot spot", {2: "hot spot"}, [2], None)
    'It touches place 2: one hot area cut into pieces one officer can cover.'
    >>> touching_note("busy place", {3: "hot spot"}, [3], 1.0)
    'Place 3 beside it is a hot spot; this place is busy on its own, not part of it.'
    """
    if not ranks:
        return ""
    same = [r for r in ranks if kinds.get(r) == kind]
    other = [r for r in ranks if kinds.get(r) != kind]
    parts = []
    if same:
        cap = f"larger than {max_area_km2:g}\u00a0km², " if max_area_km2 else ""
        noun = "hot" if kind == PLACE_KINDS[0] else "busy"
        parts.append(f"It touches {_places(same)}: one {noun} area {cap}cut into pieces one "
                     "officer can cover.")
    if other:
        one = len(other) == 1
        what = (("a busy place" if one else "busy places") + ", not part of this cluster"
                if kind == PLACE_KINDS[0]
                else ("a hot spot" if one else "hot spots")
                + "; this place is busy on its own, not part of " + ("it" if one else "them"))
        parts.append(f"{_places(other).capitalize()} beside it {'is' if one else 'are'} "
                     f"{what}.")
    return " ".join(parts)


def _places(ranks: list[int]) -> str:
    if len(ranks) == 1:
        return f"place {ranks[0]}"
    return "places " + ", ".join(map(str, ranks[:-1])) + f" and {ranks[-1]}"
