"""Context layers of printed maps: named streets, boundaries, landmarks, study-area mask.

Layers are GeoDataFrames or file paths (anything :func:`geopandas.read_file`
reads); :func:`read_layers` brings them to the map's CRS and tells lines (streets),
polygons (boundaries, named areas) and points (landmarks) apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot.exceptions import InvalidInputError
from hotspot.present.furniture import _halo, _overlap
from hotspot.scan.places import clean_place, hundred_block, layer_name_column, place_names

__all__ = ["name_places", "read_layers", "street_labels", "streets_from_addresses"]


def _read_one(layer: Any, crs: Any, label: str) -> gpd.GeoDataFrame:
    if isinstance(layer, (str, Path)):
        path = Path(layer)
        if not path.exists():
            msg = f"Context layer file {path} does not exist; check the path."
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
    ax: Any, streets: gpd.GeoDataFrame, view: Any, *, size: float = 6.5, most: int = 25
) -> int:
    """Write street names along the longest named streets in view, never overlapping.

    Names are grouped (all pieces of one street together); the longest streets are
    labelled first, at the middle of their longest piece, rotated along it, with a
    white halo. A label that would overlap one already placed, or not fit along its
    street, is left out. Returns the number of labels written.

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
    name = layer_name_column(streets)
    if name is None or len(streets) == 0:
        return 0
    box = shapely.box(*view)
    lines = streets[[name, streets.geometry.name]].explode(index_parts=False)
    lines = lines[lines.geometry.intersects(box)]
    if len(lines) == 0:
        return 0
    clipped = lines.geometry.intersection(box)
    lines = lines.assign(geometry=clipped, _len=clipped.length, _name=lines[name].map(clean_place))
    lines = lines[(lines["_name"] != "") & (lines.geom_type == "LineString")]
    total = lines.groupby("_name")["_len"].sum().sort_values(ascending=False)
    fig = ax.figure
    ax.apply_aspect()
    scale = fig.dpi / 72.0
    placed: list[tuple[float, float, float, float]] = []
    n = 0
    for street in total.index[: most * 3]:
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
        if text_px > 0.9 * length_px:
            continue
        cx, cy = ax.transData.transform((mid.x, mid.y))
        half = 0.5 * text_px + 2
        box_px = (cx - half, cy - half, cx + half, cy + half)  # rotation-proof square
        if any(_overlap(box_px, b) for b in placed):
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
            fontsize=size,
            color="#333333",
            style="italic",
            path_effects=_halo(2.0),
            zorder=9,
            gid="street_label",
            clip_on=True,
        )
        n += 1
        if n >= most:
            break
    return n


def _draw_mask(ax: Any, study_area: Any, view: Any, crs: Any, handles: list[Any]) -> None:
    """Grey out the map outside the study area and outline it."""
    from matplotlib.lines import Line2D

    geoms = study_area.geometry if isinstance(study_area, gpd.GeoDataFrame) else study_area
    if geoms.crs is not None and crs is not None and not geoms.crs.equals(crs):
        geoms = geoms.to_crs(crs)
    area = shapely.union_all(geoms.to_numpy())
    outside = shapely.box(*view).buffer(max(view[2] - view[0], view[3] - view[1])).difference(area)
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

    The first named line layer of ``layers`` serves as the streets, the first
    named polygon layer as the named areas (wards, beats, precincts); their labels
    (the keys of ``layers``) say on the page where the names come from.

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
    >>> hot = gpd.GeoDataFrame({"hotspot_id": [1]}, geometry=[box(0, 0, 10, 10)], crs=32630)
    >>> wards = gpd.GeoDataFrame({"ward": ["Meadows"]}, geometry=[box(-5, -5, 20, 20)],
    ...                          crs=32630)
    >>> name_places(hot, None, {"Wards": wards})["place_name"].tolist()
    ['Meadows ward']
    """
    streets = areas = None
    labels: dict[str, str] = {}
    for label, layer in (layers or {}).items():
        kinds = set(layer.geom_type.dropna())
        named = layer_name_column(layer) is not None
        if streets is None and named and kinds & {"LineString", "MultiLineString"}:
            streets, labels["streets"] = layer, label
        if areas is None and named and kinds & {"Polygon", "MultiPolygon"}:
            areas, labels["area"] = layer, label
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


def streets_from_addresses(
    points: gpd.GeoDataFrame,
    address: str,
    *,
    min_points: int = 5,
    max_offset: float = 60.0,
) -> gpd.GeoDataFrame:
    """Approximate named street lines from geocoded address points (e.g. 311 requests).

    Where no street layer is at hand, points that carry a street address (street-light
    outage reports, parking tickets, 311 requests) trace their streets: the house or
    block number is dropped ("4900 N MASON AVE" -> "N Mason Ave"), and each street's
    points are fitted by one straight line (their principal axis, from the first to
    the last point along it). Streets whose points stray more than ``max_offset``
    metres (root mean square) from that line (curved or with a name used twice) are
    left out, as are streets with fewer than ``min_points`` points. Good on grid
    street plans; a context layer for labels and place names, not a road network.

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
    street.index = points.index
    ok = (street != "") & ~points.geometry.is_empty.to_numpy()
    frame = pd.DataFrame(
        {
            "name": street[ok].to_numpy(),
            "x": points.geometry.x[ok].to_numpy(),
            "y": points.geometry.y[ok].to_numpy(),
        }
    )
    g = frame.groupby("name", sort=True)
    n = g.size()
    mx, my = g["x"].transform("mean"), g["y"].transform("mean")
    dx, dy = frame["x"] - mx, frame["y"] - my
    cov = pd.DataFrame({"xx": dx * dx, "yy": dy * dy, "xy": dx * dy, "name": frame["name"]})
    c = cov.groupby("name", sort=True).mean()
    angle = 0.5 * np.arctan2(2 * c["xy"], c["xx"] - c["yy"])  # principal axis per street
    cos, sin = np.cos(angle), np.sin(angle)
    t = dx * frame["name"].map(cos) + dy * frame["name"].map(sin)
    r = -dx * frame["name"].map(sin) + dy * frame["name"].map(cos)
    stats = pd.DataFrame({"t": t, "r2": r * r, "name": frame["name"]}).groupby("name")
    t0, t1 = stats["t"].min(), stats["t"].max()
    rms = np.sqrt(stats["r2"].mean())
    cx, cy = g["x"].mean(), g["y"].mean()
    keep = (n >= min_points) & (rms <= max_offset) & (t1 - t0 > 0)
    starts = np.column_stack([cx + t0 * cos, cy + t0 * sin])[keep.to_numpy()]
    ends = np.column_stack([cx + t1 * cos, cy + t1 * sin])[keep.to_numpy()]
    lines = shapely.linestrings(np.stack([starts, ends], axis=1))
    return gpd.GeoDataFrame(
        {"name": n.index[keep.to_numpy()], "n_points": n[keep].to_numpy()},
        geometry=lines,
        crs=points.crs,
    )
