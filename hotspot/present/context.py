"""Context layers of printed maps: named streets, boundaries, landmarks, study-area mask.

Layers are GeoDataFrames or file paths (anything :func:`geopandas.read_file`
reads); :func:`read_layers` brings them to the map's CRS and tells lines (streets),
polygons (boundaries, named areas) and points (landmarks) apart.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from hotspot._core.meta import note_choice
from hotspot.exceptions import HotspotError, InvalidInputError
from hotspot.ingest.incidents import read_incidents
from hotspot.present.furniture import _halo, _overlap
from hotspot.scan.places import (
    address_column,
    area_labels,
    clean_place,
    generic_place,
    hundred_block,
    layer_name_column,
    name_streets,
    place_names,
)

__all__ = [
    "name_places",
    "read_addresses",
    "read_layers",
    "street_labels",
    "street_points",
    "streets_for_pack",
    "streets_from_addresses",
]


#: Endings of table files (read as rows with coordinate columns, not as GIS layers).
_TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".xlsx", ".xls", ".parquet")


def is_table(path: Any) -> bool:
    """Return True for a table file (CSV, Excel...), compressed or not.

    Examples
    --------
    >>> is_table("street_lights_all_out.csv.gz"), is_table("wards.gpkg")
    (True, False)
    """
    name = Path(str(path)).name.lower()
    for ending in (".gz", ".bz2", ".xz", ".zip"):
        name = name.removesuffix(ending)
    return name.endswith(_TABLE_SUFFIXES)


def read_addresses(addresses: Any, crs: Any, addresses_crs: Any = None) -> Any:
    """Return ``addresses`` with its table files read as points in ``crs``.

    A table (CSV, Excel...) of address points is read like incidents, its coordinate
    columns found by their names; ``addresses_crs`` is the CRS of its x/y columns
    when the file does not say (Chicago's street-light reports: ``"EPSG:3435"``,
    Illinois State Plane feet). GIS files and GeoDataFrames are returned as given.

    Parameters
    ----------
    addresses
        None, a layer (GeoDataFrame or file) or ``{label: layer}``.
    crs
        The incidents' CRS.
    addresses_crs
        CRS of the tables' x/y columns (default: found from the file or refused).

    Raises
    ------
    InvalidInputError
        A table whose coordinates cannot be read; the message names ``addresses_crs=``.

    Examples
    --------
    >>> pts = gpd.GeoDataFrame({"Location": ["1 Main St"]}, geometry=gpd.points_from_xy([0], [0]),
    ...                        crs=32616)
    >>> read_addresses({"311 requests": pts}, 32616)["311 requests"] is pts
    True
    """
    if isinstance(addresses, Mapping):
        return {k: read_addresses(v, crs, addresses_crs) for k, v in addresses.items()}
    if not isinstance(addresses, (str, Path)) or not is_table(addresses):
        return addresses
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the address points' dates are not used
            return read_incidents(addresses, crs=addresses_crs, to_crs=crs)
    except HotspotError as err:
        text = str(err).replace("crs='", "addresses_crs='")
        raise InvalidInputError(f"addresses {addresses}: {text}") from err


def _read_one(layer: Any, crs: Any, label: str) -> gpd.GeoDataFrame:
    if isinstance(layer, (str, Path)):
        path = Path(layer)
        if not path.exists():
            msg = f"Context layer file {path} does not exist; check the path."
            raise InvalidInputError(msg)
        if is_table(path):
            msg = (f"Layer {label!r} ({path}) is a table, not a GIS layer: read it with "
                   "hs.read_incidents(path, crs=...) (crs= the CRS of its x/y columns, e.g. "
                   "'EPSG:3435') and pass the GeoDataFrame.")
            raise InvalidInputError(msg)
        try:
            layer = gpd.read_file(path)
        except Exception as exc:  # the GIS reader's own error: name the file instead
            msg = (
                f"Cannot read the context layer {path} ({type(exc).__name__}); give a "
                "GeoPackage, GeoJSON or shapefile with a coordinate reference system."
            )
            raise InvalidInputError(msg) from exc
    if isinstance(layer, gpd.GeoSeries):
        layer = gpd.GeoDataFrame(geometry=layer)
    if not isinstance(layer, gpd.GeoDataFrame):
        msg = f"Context layer {label!r} must be a GeoDataFrame or a file path, got {type(layer)}."
        raise InvalidInputError(msg)
    if layer.crs is None:
        msg = (
            f"Context layer {label!r} has no coordinate reference system; set it with "
            "`layer.set_crs(...)` (or save the file with one)."
        )
        raise InvalidInputError(msg)
    return layer.to_crs(crs) if crs is not None and not layer.crs.equals(crs) else layer


def read_layers(context: Any, crs: Any) -> dict[str, gpd.GeoDataFrame]:
    """Context layers as ``{label: GeoDataFrame in crs}``.

    Parameters
    ----------
    context
        None, one layer, a list of layers or ``{label: layer}``; a layer is a
        GeoDataFrame, a GeoSeries or a file path.
    crs
        The map's CRS.

    Returns
    -------
    dict
        Labels are the dict keys, or ``"Streets"``, ``"Boundaries"``,
        ``"Landmarks"`` by geometry type (numbered when repeated).

    Raises
    ------
    InvalidInputError
        A missing or unreadable file, or a layer without a CRS.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> s = gpd.GeoDataFrame({"name": ["High St"]}, geometry=[LineString([(0, 0), (9, 0)])],
    ...                      crs=32630)
    >>> list(read_layers(s, 32630))
    ['Streets']
    """
    if context is None:
        return {}
    if isinstance(context, Mapping):
        items = [(str(k), v) for k, v in context.items()]
    elif isinstance(context, (gpd.GeoDataFrame, gpd.GeoSeries, str, Path)):
        items = [(None, context)]
    elif isinstance(context, Sequence):
        items = [(None, v) for v in context]
    else:
        msg = "`context` must be a layer, a list of layers or a dict {label: layer}."
        raise InvalidInputError(msg)
    out: dict[str, gpd.GeoDataFrame] = {}
    for label, layer in items:
        frame = _read_one(layer, crs, label or "context")
        if label is None:
            kinds = set(frame.geom_type.dropna())
            label = (
                "Streets"
                if kinds & {"LineString", "MultiLineString"}
                else "Boundaries"
                if kinds & {"Polygon", "MultiPolygon"}
                else "Landmarks"
            )
            base, k = label, 2
            while label in out:
                label, k = f"{base} {k}", k + 1
        out[label] = frame
    return out


def street_labels(
    ax: Any,
    streets: gpd.GeoDataFrame,
    view: Any,
    *,
    size: float = 6.5,
    most: int = 25,
    first: Sequence[str] = (),
    anchors: gpd.GeoDataFrame | None = None,
) -> int:
    """Write street names along the longest named streets in view, never overlapping.

    Names are grouped (all pieces of one street together); the streets ``first``
    (those a place is named after, :func:`hotspot.scan.places.name_streets`) are
    labelled before all others and always, in bold, even where the name is longer
    than the piece in view; then the longest streets, at the middle of their
    longest piece, rotated along it, with a white halo. Any other label that would
    overlap one already placed, or not fit along its street, is left out. A street
    of ``first`` with no line in view is written, level, where its points in
    ``anchors`` (``name`` and point geometry, :func:`street_points`) are. Returns
    the number of labels written.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from shapely.geometry import LineString
    >>> s = gpd.GeoDataFrame({"name": ["High St"]},
    ...                      geometry=[LineString([(0, 50), (1000, 50)])], crs=32630)
    >>> fig, ax = plt.subplots(); _ = ax.set_xlim(0, 1000); _ = ax.set_ylim(0, 100)
    >>> street_labels(ax, s, (0, 0, 1000, 100))
    1
    """
    name = layer_name_column(streets) if streets is not None else None
    box = shapely.box(*view)
    lines = gpd.GeoDataFrame({"_name": [], "_len": []}, geometry=[], crs=None)
    if name is not None and len(streets):
        lines = streets[[name, streets.geometry.name]].explode(index_parts=False)
        lines = lines[lines.geometry.intersects(box)]
        clipped = lines.geometry.intersection(box)
        lines = lines.assign(
            geometry=clipped, _len=clipped.length, _name=lines[name].map(clean_place)
        )
        lines = lines[(lines["_name"] != "") & (lines.geom_type == "LineString")]
    total = lines.groupby("_name")["_len"].sum().sort_values(ascending=False)
    asked = list(dict.fromkeys(clean_place(f) for f in first))
    wanted = [f for f in asked if f in total.index]
    order = wanted + [s for s in total.index[: most * 3] if s not in wanted]
    fig = ax.figure
    ax.apply_aspect()
    scale = fig.dpi / 72.0
    placed: list[tuple[float, float, float, float]] = []
    # a street of the place's name with no line in view: named where its addresses are
    n = _anchor_labels(ax, anchors, [f for f in asked if f not in wanted], box, size, placed)
    for street in order:
        must = street in wanted
        piece = lines[lines["_name"] == street].sort_values("_len").iloc[-1]
        geom = piece.geometry
        mid = geom.interpolate(0.5, normalized=True)
        a = geom.interpolate(max(0.0, 0.5 - 0.05), normalized=True)
        b = geom.interpolate(min(1.0, 0.5 + 0.05), normalized=True)
        (px, py), (qx, qy) = ax.transData.transform([(a.x, a.y), (b.x, b.y)])
        angle = float(np.degrees(np.arctan2(qy - py, qx - px)))
        angle = angle - 180 if angle > 90 else angle + 180 if angle < -90 else angle
        length_px = geom.length * abs(ax.transData.get_matrix()[0, 0])
        text_px = 0.55 * size * scale * len(street)
        if text_px > 0.9 * length_px and not must:
            continue
        cx, cy = ax.transData.transform((mid.x, mid.y))
        half = 0.5 * text_px + 2
        box_px = (cx - half, cy - half, cx + half, cy + half)  # rotation-proof square
        if any(_overlap(box_px, b) for b in placed) and not must:
            continue
        placed.append(box_px)
        ax.text(
            mid.x,
            mid.y,
            street,
            rotation=angle,
            rotation_mode="anchor",
            ha="center",
            va="center",
            fontsize=size + 0.5 if must else size,
            color="black" if must else "#333333",
            style="italic",
            fontweight="bold" if must else "normal",
            path_effects=_halo(2.0),
            zorder=9.5 if must else 9,
            gid="place_street_label" if must else "street_label",
            clip_on=True,
        )
        n += 1
        if n >= most + len(wanted):
            break
    return n


def _anchor_labels(
    ax: Any, anchors: Any, names: list[str], box: Any, size: float, placed: list
) -> int:
    """Write each street of ``names`` level at the middle of its points in view."""
    if anchors is None or len(anchors) == 0 or not names:
        return 0
    near = anchors[anchors["name"].isin(names) & anchors.geometry.within(box)]
    n = 0
    for street, pts in near.groupby("name", sort=False):
        x, y = float(np.median(pts.geometry.x)), float(np.median(pts.geometry.y))
        ax.text(x, y, street, ha="center", va="center", fontsize=size + 0.5,
                color="black", style="italic", fontweight="bold",
                path_effects=_halo(2.0), zorder=9.5, gid="place_street_label", clip_on=True)
        cx, cy = ax.transData.transform((x, y))
        half = 0.5 * 0.55 * size * ax.figure.dpi / 72.0 * len(street) + 2
        placed.append((cx - half, cy - half, cx + half, cy + half))
        n += 1
    return n


def street_points(
    incidents: gpd.GeoDataFrame,
    names: Sequence[str],
    address: str | None = None,
    addresses: Any = None,
) -> gpd.GeoDataFrame:
    """Return the points of the incidents and address points on the streets of ``names``.

    ``names`` are place names ("near 7XX–8XX N Ridgeway Ave", "Boar Lane /
    Briggate") or streets. Where a place is named after a street that no street
    line shows (police.uk streets with one snap point), these points say where to
    write the name. ``name`` is the street (block numbers dropped), one row per
    distinct point.

    Examples
    --------
    >>> pts = gpd.GeoDataFrame({"Location": ["On or near Boar Lane", "On or near Briggate"]},
    ...                        geometry=gpd.points_from_xy([0, 50], [0, 0]), crs=27700)
    >>> street_points(pts, ["Boar Lane"], address="Location")["name"].tolist()
    ['Boar Lane']
    """
    texts, geoms = _address_texts(incidents, address, addresses)
    if not texts or len(names) == 0:
        return gpd.GeoDataFrame({"name": []}, geometry=[], crs=incidents.crs)
    street = hundred_block(np.concatenate(texts), blocks=False)
    street = street.str.replace(r"^\d+X+\s+", "", regex=True)
    keep = street.isin({clean_place(s) for n in names for s in name_streets(n)}).to_numpy()
    out = gpd.GeoDataFrame(
        {"name": street[keep].to_numpy(dtype=object)},
        geometry=np.concatenate(geoms)[keep],
        crs=incidents.crs,
    )
    xy = pd.DataFrame({"n": out["name"], "x": out.geometry.x, "y": out.geometry.y})
    return out[~xy.duplicated().to_numpy()].reset_index(drop=True)


def _address_texts(incidents: gpd.GeoDataFrame, address: str | None, addresses: Any) -> tuple:
    """Return the address texts and points of ``addresses`` and of the incidents."""
    texts, geoms = [], []
    if addresses is not None:
        given = addresses if isinstance(addresses, Mapping) else {"addresses": addresses}
        for frame in read_layers(dict(given), incidents.crs).values():
            column = address_column(frame)
            if column is not None:
                texts.append(frame[column].to_numpy(dtype=object))
                geoms.append(frame.geometry.to_numpy())
    column = address if address is not None else address_column(incidents)
    if column is not None and column in incidents.columns:
        texts.append(incidents[column].to_numpy(dtype=object))
        geoms.append(incidents.geometry.to_numpy())
    return texts, geoms


def _draw_mask(ax: Any, study_area: Any, view: Any, crs: Any, handles: list[Any]) -> None:
    """Grey out the map outside the study area and outline it."""
    from matplotlib.lines import Line2D

    geoms = study_area.geometry if isinstance(study_area, gpd.GeoDataFrame) else study_area
    if geoms.crs is not None and crs is not None and not geoms.crs.equals(crs):
        geoms = geoms.to_crs(crs)
    area = shapely.union_all(geoms.to_numpy())
    outside = shapely.box(*view).buffer(max(view[2] - view[0], view[3] - view[1])).difference(area)
    if not outside.is_empty:  # a close-up inside the area has no outside to grey out
        gpd.GeoSeries([outside], crs=crs).plot(
            ax=ax, facecolor="#f2f2f2", edgecolor="none", zorder=5.5, gid="study_area_mask"
        )
    gpd.GeoSeries([area], crs=crs).boundary.plot(
        ax=ax, color="black", linewidth=1.1, zorder=5.6, gid="study_area"
    )
    handles.append(Line2D([], [], color="black", linewidth=1.1, label="Study area boundary"))


def name_places(
    hot: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    layers: dict[str, gpd.GeoDataFrame] | None,
    *,
    grid: Any = None,
    address: str | None = None,
    addresses: Any = None,
    min_count: int = 3,
) -> gpd.GeoDataFrame:
    """Name hotspots with :func:`hotspot.scan.places.place_names`, using context layers.

    The first named line layer of ``layers`` serves as the streets, the named
    polygon layers as the named areas (wards, beats, precincts): a place takes the
    name of the finest area holding it that does not hold most of the pack (never
    the area briefed on). The labels (the keys of ``layers``) say on the page where
    the names come from.

    Parameters
    ----------
    addresses
        Points with street addresses (311 requests, street-light reports...) that
        name places whose incidents carry no address: a GeoDataFrame or file, or
        ``{label: layer}`` with the label printed as the names' source
        (e.g. ``{"street-light reports": outages}``).

    Examples
    --------
    >>> from shapely.geometry import box
    >>> hot = gpd.GeoDataFrame({"hotspot_id": [1, 2]},
    ...                        geometry=[box(0, 0, 10, 10), box(40, 0, 50, 10)], crs=32630)
    >>> wards = gpd.GeoDataFrame({"ward": ["Meadows", "Castle"]},
    ...                          geometry=[box(-5, -5, 20, 20), box(30, -5, 60, 20)], crs=32630)
    >>> name_places(hot, None, {"Wards": wards})["place_name"].tolist()
    ['Meadows ward', 'Castle ward']
    """
    streets = None
    labels: dict[str, str] = {}
    polygons: list[tuple[gpd.GeoDataFrame, str]] = []
    for label, layer in (layers or {}).items():
        kinds = set(layer.geom_type.dropna())
        column = layer_name_column(layer)
        if streets is None and column and kinds & {"LineString", "MultiLineString"}:
            streets, labels["streets"] = layer, label
        if column and kinds & {"Polygon", "MultiPolygon"}:
            labels.setdefault("area", label)
            polygons.append((layer, column))
    areas = polygons[0][0] if len(polygons) == 1 else None
    if len(polygons) > 1:  # every named polygon layer: the finest area not holding the pack
        areas = pd.concat(
            [
                gpd.GeoDataFrame({"name": area_labels(layer, column)},
                                 geometry=layer.geometry.to_numpy(), crs=layer.crs)
                for layer, column in polygons
            ],
            ignore_index=True,
        )
    points, points_label = None, None
    if addresses is not None:
        given = addresses if isinstance(addresses, Mapping) else {"nearby addresses": addresses}
        if len(given) != 1:
            msg = "`addresses` must be one point layer, or {label: layer} with one entry."
            raise InvalidInputError(msg)
        (points_label, points), = read_layers(dict(given), hot.crs).items()
    out = place_names(
        hot,
        incidents,
        address=address,
        addresses=points,
        addresses_label=points_label,
        streets=streets,
        areas=areas,
        grid=grid,
        min_count=min_count,
    )
    out.attrs["hotspot"]["places"]["labels"].update(labels)
    return out


#: Farthest apart (m) two points of one street name may lie and still be one street.
STREET_GAP = 800.0


def streets_from_addresses(
    points: gpd.GeoDataFrame,
    address: str,
    *,
    min_points: int = 5,
    max_offset: float = 60.0,
) -> gpd.GeoDataFrame:
    """Approximate named street lines from geocoded address points (e.g. 311 requests).

    Where no street layer is at hand, points that carry a street address (street-light
    outage reports, parking tickets, 311 requests, police.uk "On or near" locations)
    trace their streets: the house or block number is dropped ("4900 N MASON AVE" ->
    "N Mason Ave") and the points of each name are fitted by one straight line (their
    principal axis, from the first to the last point along it). A name whose points
    stray more than ``max_offset`` metres (root mean square) from its line, or leave
    a long stretch of it without a point (a "High Street" in each town, a bend), is
    split where its points lie more than :data:`STREET_GAP` m apart, and each piece
    fitted alike. Pieces still that far from their line (curved streets) are left
    out, as are those with fewer than ``min_points`` points or one point only, and
    kinds of place ("Shopping Area", "Supermarket"). Good on grid street plans; a
    context layer for labels and place names, not a road network.

    Parameters
    ----------
    points
        Points in a projected CRS in metres.
    address
        Column with the street addresses.
    min_points
        Fewest points that make a street (default 5).
    max_offset
        Largest root-mean-square distance (m) of a street's points from its line.

    Returns
    -------
    geopandas.GeoDataFrame
        ``name``, ``n_points`` and a LineString per street, in the points' CRS.

    Examples
    --------
    >>> pts = gpd.GeoDataFrame(
    ...     {"Location": ["100 W MAIN ST", "300 W MAIN ST", "500 W MAIN ST", "9 X"]},
    ...     geometry=gpd.points_from_xy([0, 200, 400, 5], [0, 1, 0, 5]), crs=32616)
    >>> streets_from_addresses(pts, "Location", min_points=3)["name"].tolist()
    ['W Main St']
    """
    if address not in points.columns:
        msg = f"`points` has no column {address!r}; columns: {list(points.columns)}."
        raise InvalidInputError(msg)
    # the street of each address: house numbers, flats and postcodes dropped
    street = hundred_block(points[address].to_numpy(), blocks=False)
    street = street.str.replace(r"^\d+X+\s+", "", regex=True)  # blocks: "11XX W Robson St"
    street.index = points.index
    ok = (street != "").to_numpy() & ~points.geometry.is_empty.to_numpy()
    ok &= ~generic_place(street.to_numpy())
    frame = pd.DataFrame(
        {
            "name": street[ok].to_numpy(),
            "x": points.geometry.x[ok].to_numpy(),
            "y": points.geometry.y[ok].to_numpy(),
        }
    )
    whole = _fit_lines(frame, frame["name"], min_points, max_offset)
    # a name that is no one straight street (one in each town, or a bend): its pieces
    rest = frame[~frame["name"].isin(whole.loc[whole["ok"], "name"])]
    pieces = _fit_lines(rest, rest["name"] + "\x00" + _street_groups(rest).astype(str),
                        min_points, max_offset)
    fits = pd.concat([whole[whole["ok"]], pieces[pieces["ok"]]]).sort_values(
        ["name", "n"], ascending=[True, False], kind="stable"
    )
    lines = shapely.linestrings(
        np.stack([fits[["x0", "y0"]].to_numpy(float), fits[["x1", "y1"]].to_numpy(float)], axis=1)
    ) if len(fits) else []
    return gpd.GeoDataFrame(
        {"name": fits["name"].to_numpy(dtype=object), "n_points": fits["n"].to_numpy()},
        geometry=gpd.GeoSeries(lines, crs=points.crs),
        crs=points.crs,
    )


def _fit_lines(
    frame: pd.DataFrame, key: pd.Series, min_points: int, max_offset: float
) -> pd.DataFrame:
    """Fit one straight line to the points of each ``key`` (their principal axis).

    Returns per key its ``name``, ``n`` points, ends ``x0, y0, x1, y1`` and ``ok``:
    at least ``min_points`` points, within ``max_offset`` metres of the line (root
    mean square), spread along it (no stretch without a point longer than
    :data:`STREET_GAP` and half the line).
    """
    cols = ["name", "n", "x0", "y0", "x1", "y1", "ok"]
    if len(frame) == 0:
        return pd.DataFrame(columns=cols).astype({"ok": bool, "n": int})
    key = pd.Series(key.to_numpy(), index=frame.index)
    g = frame.groupby(key, sort=True)
    n = g.size()
    mx, my = g["x"].transform("mean"), g["y"].transform("mean")
    dx, dy = frame["x"] - mx, frame["y"] - my
    c = pd.DataFrame({"xx": dx * dx, "yy": dy * dy, "xy": dx * dy}).groupby(key, sort=True).mean()
    angle = 0.5 * np.arctan2(2 * c["xy"], c["xx"] - c["yy"])  # principal axis per key
    cos, sin = np.cos(angle), np.sin(angle)
    t = dx * key.map(cos) + dy * key.map(sin)
    r = -dx * key.map(sin) + dy * key.map(cos)
    along = pd.DataFrame({"k": key, "t": t, "r2": r * r})
    stats = along.groupby("k", sort=True)
    t0, t1 = stats["t"].min(), stats["t"].max()
    rms = np.sqrt(stats["r2"].mean())
    # the widest stretch without a point: two streets of one name far apart, not one
    along = along.sort_values(["k", "t"], kind="stable")
    step = along["t"].diff().where(along["k"].eq(along["k"].shift()), 0.0)
    gap = step.groupby(along["k"], sort=True).max()
    cx, cy = g["x"].mean(), g["y"].mean()
    return pd.DataFrame(
        {
            "name": g["name"].first(),
            "n": n,
            "x0": cx + t0 * cos,
            "y0": cy + t0 * sin,
            "x1": cx + t1 * cos,
            "y1": cy + t1 * sin,
            "ok": (n >= min_points)
            & (rms <= max_offset)
            & (t1 - t0 > 1.0)
            & (gap <= np.maximum(STREET_GAP, 0.5 * (t1 - t0))),
        }
    )[cols]


def _street_groups(frame: pd.DataFrame) -> np.ndarray:
    """Return the group of each point: one name's points chained within STREET_GAP m."""
    if len(frame) == 0:
        return np.zeros(0, dtype=int)
    code = pd.factorize(frame["name"])[0].astype(float)
    # distinct points only (police.uk stacks many rows on one point); names far apart
    xyz = np.column_stack([frame["x"], frame["y"], code * 100 * STREET_GAP])
    uniq, back = np.unique(xyz, axis=0, return_inverse=True)
    pairs = cKDTree(uniq).query_pairs(STREET_GAP, output_type="ndarray")
    graph = coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(uniq), len(uniq))
    )
    _, labels = connected_components(graph, directed=False)
    return labels[np.ravel(back)]


def has_named_streets(layers: dict[str, gpd.GeoDataFrame]) -> bool:
    """Whether any of ``layers`` is a line layer with a street-name column.

    Examples
    --------
    >>> from shapely.geometry import LineString
    >>> road = gpd.GeoDataFrame({"name": ["High St"]}, geometry=[LineString([(0, 0), (1, 0)])])
    >>> has_named_streets({"Roads": road}), has_named_streets({})
    (True, False)
    """
    for layer in layers.values():
        kinds = set(layer.geom_type.dropna())
        if kinds & {"LineString", "MultiLineString"} and layer_name_column(layer) is not None:
            return True
    return False


def streets_for_pack(
    layers: dict[str, gpd.GeoDataFrame],
    incidents: gpd.GeoDataFrame,
    address: str | None = None,
    addresses: Any = None,
    choices: dict[str, Any] | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Return ``layers`` with streets traced from addresses when no streets layer is given.

    Officers find a place on paper by its streets. With no named line layer among
    ``layers``, streets are traced (:func:`streets_from_addresses`) from the
    ``addresses`` points and from the incidents' own address or block column
    (given as ``address`` or found by :func:`hotspot.scan.places.address_column`,
    e.g. police.uk "On or near" locations), and added as ``"Streets"``.

    Examples
    --------
    >>> pts = gpd.GeoDataFrame({"block": ["1XX W MAIN ST", "3XX W MAIN ST", "5XX W MAIN ST",
    ...                                   "1XX N OAK AVE", "3XX N OAK AVE"] * 2},
    ...     geometry=gpd.points_from_xy([0, 200, 400, 50, 50] * 2, [0, 1, 0, 100, 300] * 2),
    ...     crs=32616)
    >>> out = streets_for_pack({}, pts)
    >>> sorted(out["Streets"]["name"])
    ['N Oak Ave', 'W Main St']
    """
    if has_named_streets(layers):
        return layers
    texts, geoms = _address_texts(incidents, address, addresses)
    if not texts:
        return layers
    points = gpd.GeoDataFrame(
        {"_address": np.concatenate(texts)}, geometry=np.concatenate(geoms), crs=incidents.crs
    )
    streets = streets_from_addresses(points, "_address", min_points=3)
    if len(streets) == 0:
        return layers
    if choices is not None:
        note_choice(choices, "streets", f"{len(streets)} streets traced from addresses",
                    "no streets layer given: street lines fitted to the address points "
                    "(hotspot.present.context.streets_from_addresses)")
    return {"Streets": streets, **layers}
