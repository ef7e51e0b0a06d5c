"""Interactive web map (folium) of units, hotspots and, when asked, incidents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._core.validation import check_columns, check_geodataframe
from hotspot.exceptions import InvalidInputError
from hotspot.present.maps import (
    SUPPRESSED_COLOR,
    _class_breaks,
    _class_table,
    _is_class_column,
    sequential_colours,
)

__all__ = ["explore"]


def _class_style(values: pd.Series, column: str) -> list[str]:
    colours = _class_table(values.astype("string"), column)[0]
    return [colours.get(str(v), "#cccccc") for v in values]


def explore(
    units: gpd.GeoDataFrame | None = None,
    hotspots: gpd.GeoDataFrame | None = None,
    incidents: gpd.GeoDataFrame | None = None,
    *,
    column: str = "hotspot_class",
    m: Any = None,
    tooltip: Sequence[str] | None = None,
    drop_background: bool = True,
    tiles: str | None = "OpenStreetMap",
    min_count: int | None = 3,
    show_incidents: bool = False,
    **map_kwds: Any,
) -> Any:
    """Interactive folium map with layers for units, hotspots and (when asked) incidents.

    Privacy by default, as on paper: incident points only with
    ``show_incidents=True`` and then without a tooltip (a tooltip on one incident is
    a count of one); units and hotspots under ``min_count`` incidents show no
    statistics. The page loads the Leaflet map library (and the tiles) from the
    internet when opened, and says so plainly on its face, so that a blank page on
    a network without internet is not a mystery.

    Parameters
    ----------
    units
        Units coloured by ``column`` (:data:`HOTSPOT_CLASS_COLORS` for
        ``hotspot_class``, ``YlOrRd`` for numbers). Layer name ``"Units: <column>"``.
    hotspots
        Hotspot areas, outlined in black, layer ``"Hotspots"``.
    incidents
        Incident points, layer ``"Incidents"``: drawn only with ``show_incidents``.
    column
        Unit column to colour by.
    m
        An existing :class:`folium.Map` to add the layers to.
    tooltip
        Unit columns shown on hover; default: those of ``unit_id``, ``n_incidents``,
        ``kde``, ``gi_z``, ``p_value``, ``p_adjusted``, ``hotspot_class``,
        ``lisa_cluster`` present (hotspots: ``rank``, ``n_incidents``, ``share``,
        ``area_km2``, ``concentration``).
    drop_background
        Leave out units that are ``not_significant`` or zero in ``column`` (keeps the
        HTML small; a city grid has tens of thousands of cells).
    tiles
        Tile layer name passed to folium, or None for no tiles. Tiles are URLs in the
        HTML: nothing is downloaded until the map is opened in a browser.
    min_count
        Privacy (default 3): units with ``0 < n_incidents < min_count`` lose their
        statistics and are shown as "suppressed (< min_count)"; such hotspots get no
        tooltip. None: no suppression (analyst's own use).
    show_incidents
        Draw the incident points (no tooltips). Default False.
    **map_kwds
        Passed to :class:`folium.Map` when ``m`` is None.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from hotspot.present.maps import explore
    >>> hot = gpd.GeoDataFrame({"rank": [1], "n_incidents": [30]},
    ...     geometry=[box(500000, 3880000, 500500, 3880500)], crs=32616)
    >>> m = explore(hotspots=hot, tiles=None)
    >>> "Hotspots" in m.get_root().render()
    True
    """
    try:
        import folium
    except ImportError as exc:  # pragma: no cover - folium is installed in dev
        raise ImportError(
            'hs.explore needs folium; install it with `pip install "hotspot-crime[interactive]"`'
            " (or `pip install folium`)."
        ) from exc
    frames = [f for f in (units, hotspots, incidents) if f is not None]
    if not frames:
        raise InvalidInputError("explore needs at least one of units, hotspots or incidents.")
    if m is None:
        bounds = np.array([f.to_crs(4326).total_bounds for f in frames if len(f)])
        if len(bounds) == 0:
            raise InvalidInputError("explore: every layer given is empty; nothing to map.")
        lon = (bounds[:, 0].min() + bounds[:, 2].max()) / 2
        lat = (bounds[:, 1].min() + bounds[:, 3].max()) / 2
        m = folium.Map(location=(lat, lon), tiles=tiles, **map_kwds)
        m.fit_bounds(
            [[bounds[:, 1].min(), bounds[:, 0].min()], [bounds[:, 3].max(), bounds[:, 2].max()]]
        )
    if units is not None:
        _explore_units(
            folium,
            m,
            check_geodataframe(units, "units"),
            column,
            tooltip,
            drop_background,
            min_count,
        )
    if hotspots is not None and len(hotspots):
        hot = check_geodataframe(hotspots, "hotspots").to_crs(4326)
        fields = [
            c
            for c in (
                "rank",
                "place_name",
                "grid_ref",
                "n_incidents",
                "share",
                "area_km2",
                "concentration",
            )
            if c in hot.columns
        ]
        if min_count is not None and "n_incidents" in hot.columns:
            small = pd.to_numeric(hot["n_incidents"], errors="coerce").fillna(0) < min_count
            hot = hot.assign(**{c: hot[c].astype(object).where(~small, "") for c in fields})
        folium.GeoJson(
            _plain(hot[[*fields, "geometry"]]).__geo_interface__,
            name="Hotspots",
            style_function=lambda _: {"color": "black", "weight": 2, "fillOpacity": 0.0},
            tooltip=folium.GeoJsonTooltip(fields=fields) if fields else None,
        ).add_to(m)
    if incidents is not None and show_incidents:
        inc = check_geodataframe(incidents, "incidents").to_crs(4326)
        folium.GeoJson(
            _plain(inc[[inc.geometry.name]]).__geo_interface__,
            name="Incidents",
            marker=folium.CircleMarker(
                radius=2, weight=0, fill=True, fill_color="black", fill_opacity=0.7
            ),
        ).add_to(m)
    _online_note(folium, m, tiles)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _plain(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Copy with categorical/datetime columns as strings and floats rounded (JSON-safe)."""
    out = gdf.copy()
    for c in out.columns:
        if c == out.geometry.name:
            continue
        s = out[c]
        if isinstance(s.dtype, pd.CategoricalDtype) or pd.api.types.is_datetime64_any_dtype(s):
            out[c] = s.astype("string").astype(object).where(s.notna(), None)
        elif pd.api.types.is_float_dtype(s):
            out[c] = s.round(4)
    return out


def _explore_units(
    folium: Any,
    m: Any,
    units: gpd.GeoDataFrame,
    column: str,
    tooltip: Sequence[str] | None,
    drop_background: bool,
    min_count: int | None,
) -> None:
    check_columns(units, [column], "units")
    gdf = units.reset_index() if units.index.name else units.copy()
    values = gdf[column]
    is_class = _is_class_column(values)
    if drop_background:
        if is_class:
            keep = values.astype("string") != "not_significant"
        else:
            keep = pd.to_numeric(values, errors="coerce").fillna(0) != 0
        gdf = gdf[keep.to_numpy(dtype=bool, na_value=True)]
    fields = (
        list(tooltip)
        if tooltip is not None
        else [
            c
            for c in (
                "unit_id",
                "n_incidents",
                "kde",
                "gi_z",
                "p_value",
                "p_adjusted",
                "hotspot_class",
                "lisa_cluster",
            )
            if c in gdf.columns
        ]
    )
    if column not in fields:
        fields.append(column)
    if len(gdf) == 0:  # nothing stands out: no layer rather than an empty one
        return
    gdf = _plain(gdf[[*fields, gdf.geometry.name]]).to_crs(4326)
    if is_class:
        gdf["_fill"] = _class_style(gdf[column], column)
    else:
        v = pd.to_numeric(gdf[column], errors="coerce").to_numpy(dtype=float)
        breaks = _class_breaks(v, 5)
        colours = sequential_colours(max(len(breaks), 1))  # as on the printed maps
        idx = np.searchsorted(breaks, v, side="left") if breaks.size else np.zeros(len(v))
        gdf["_fill"] = [colours[min(int(i), len(colours) - 1)] for i in idx]
    if min_count is not None and "n_incidents" in gdf.columns:
        n = pd.to_numeric(gdf["n_incidents"], errors="coerce").fillna(0).to_numpy()
        small = (n > 0) & (n < min_count)
        for c in fields:
            gdf[c] = gdf[c].astype(object)
            gdf.loc[small, c] = f"suppressed (< {min_count})"
        gdf.loc[small, "_fill"] = SUPPRESSED_COLOR
    folium.GeoJson(
        gdf.__geo_interface__,
        name=f"Units: {column}",
        style_function=lambda f: {
            "fillColor": f["properties"]["_fill"],
            "color": "#555555",
            "weight": 0.3,
            "fillOpacity": 0.75,
        },
        tooltip=folium.GeoJsonTooltip(fields=fields),
    ).add_to(m)


def _online_note(folium: Any, m: Any, tiles: str | None) -> None:
    """Say on the page (plain HTML, shown even when scripts fail) what needs internet."""
    what = "the map library and the base map" if tiles else "the map library"
    note = (
        f"This map loads {what} from the internet when opened. On a network without "
        "internet it stays blank: use the printed briefing pack or the GeoPackage instead."
    )
    m.get_root().html.add_child(
        folium.Element(
            '<div id="hotspot-online-note" style="position:fixed;bottom:4px;left:4px;'
            "z-index:9999;background:white;padding:3px 6px;font:12px sans-serif;"
            f'border:1px solid #777">{note}</div>'
        )
    )
