"""Interactive web map (folium) of units, hotspots and, when asked, incidents.

A map meant to leave the analyst's machine must open on a police network without
internet. With the optional extra ``hotspot-crime[interactive]`` installed, the map
is built with ``offlinefolium`` (the ``folium-offline`` package: folium with the
Leaflet library, its plugins and their styles written into the HTML file), so the
saved page needs no network; only the web base-map tiles do, and the page says so
on its face. With folium alone the page loads Leaflet from the internet and says
that instead.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._core.meta import attach, logger, note_choice
from hotspot._core.validation import check_columns, check_geodataframe
from hotspot.exceptions import InvalidInputError
from hotspot.present.basemap import tile_provider
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
    offline: bool | None = None,
    **map_kwds: Any,
) -> Any:
    """Interactive folium map with layers for units, hotspots and (when asked) incidents.

    Privacy by default, as on paper: incident points only with
    ``show_incidents=True`` and then without a tooltip (a tooltip on one incident is
    a count of one); units and hotspots under ``min_count`` incidents show no
    statistics.

    Offline by default where it can be: with ``folium-offline`` installed (it comes
    with ``hotspot-crime[interactive]``) the map library is written into the HTML,
    so the saved page (``m.save("map.html")``) opens on a network without internet.
    Only the base-map tiles come from the internet; without it the cells show on a
    plain background, and a note on the page says so. With folium alone the page
    loads the map library from the internet and says that plainly on its face, so
    that a blank page on a police network is not a mystery. The choice is logged on
    the ``hotspot`` logger and kept in ``m.attrs["hotspot"]["explore"]``.

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
        Base map: ``"OpenStreetMap"``, ``"web"`` (the light base map of the printed
        maps), an xyzservices provider or its name, or a tile URL template such as a
        force's own tile server (``https://…/{z}/{x}/{y}.png``), or None for none.
        Tiles are URLs in the HTML: nothing is downloaded until the map is opened in
        a browser, and without a connection the cells show on a plain background.
    min_count
        Privacy (default 3): units with ``0 < n_incidents < min_count`` lose their
        statistics and are shown as "suppressed (< min_count)"; such hotspots get no
        tooltip. None: no suppression (analyst's own use).
    show_incidents
        Draw the incident points (no tooltips). Default False.
    offline
        None (default): the map library is written into the page when
        ``folium-offline`` is installed, loaded from the internet otherwise. True:
        always written in (an ImportError says what to install). False: loaded from
        the internet (a smaller file, about 1.4 MB less). With ``m`` the map given
        decides; an ``offline`` that contradicts it is an error.
    **map_kwds
        Passed to :class:`folium.Map` when ``m`` is None.

    Returns
    -------
    folium.Map or offlinefolium.Map
        Save it with ``m.save(path)``; in Jupyter it shows itself.

    Raises
    ------
    InvalidInputError
        No layer given, every layer empty, or ``offline`` contradicting ``m``.
    ImportError
        folium (or, with ``offline=True``, folium-offline) is not installed.

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
    frames = [f for f in (units, hotspots, incidents) if f is not None]
    if not frames:
        raise InvalidInputError("explore needs at least one of units, hotspots or incidents.")
    choices: dict[str, Any] = {}
    folium, offline = _leaflet_module(m, offline, choices)
    if m is None:
        # frame the hotspots when there are any: the grid spans the whole study area
        view = [hotspots] if hotspots is not None and len(hotspots) else frames
        bounds = np.array([f.to_crs(4326).total_bounds for f in view if len(f)])
        if len(bounds) == 0:
            raise InvalidInputError("explore: every layer given is empty; nothing to map.")
        lon = (bounds[:, 0].min() + bounds[:, 2].max()) / 2
        lat = (bounds[:, 1].min() + bounds[:, 3].max()) / 2
        m = folium.Map(location=(lat, lon), tiles=_tiles(tiles), **map_kwds)
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
                "kind",
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
            # busy places (many incidents, not a cluster) dashed, as on the printed maps
            style_function=lambda f: {
                "color": "black", "weight": 2, "fillOpacity": 0.0,
                "dashArray": "6 4" if f["properties"].get("kind") == "busy place" else None,
            },
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
    _network_note(folium, m, offline)
    folium.LayerControl(collapsed=False).add_to(m)
    if not isinstance(getattr(m, "attrs", None), dict):
        m.attrs = {}
    params = {"column": column, "min_count": min_count, "show_incidents": show_incidents}
    return attach(m, "explore", params, choices)


_INSTALL = '`pip install "hotspot-crime[interactive]"`'


def _leaflet_module(m: Any, offline: bool | None, choices: dict[str, Any]) -> tuple[Any, bool]:
    """Pick the folium flavour to build with; say whether it writes the map library in.

    ``offlinefolium`` (package ``folium-offline``) is folium with every JS/CSS asset
    inlined. A map given as ``m`` keeps the flavour it was made with, because
    folium's layer control only lists layers of its own classes.
    """
    online = "the page loads the map library from the internet"
    inline = "the map library is written into the page"
    if m is not None:
        given = type(m).__module__.split(".")[0] == "offlinefolium"
        if offline is not None and bool(offline) != given:
            msg = (
                f"explore(offline={offline}) contradicts the map given as `m`, on which "
                f"{inline if given else online}; leave out `offline` or `m`."
            )
            raise InvalidInputError(msg)
        reason = f"as the map given as `m`: {inline if given else online}"
    elif offline is None:
        given = importlib.util.find_spec("offlinefolium") is not None
        reason = (
            f"folium-offline is installed: {inline}"
            if given
            else f"folium-offline is not installed ({_INSTALL}): {online}"
        )
    else:
        given = bool(offline)
        reason = f"asked: {inline if given else online}"
    module = _import("offlinefolium" if given else "folium")
    return module, note_choice(choices, "offline", given, reason)


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        package = "folium-offline" if name == "offlinefolium" else "folium"
        msg = (
            f"hs.explore needs {package}"
            + (" to write the map library into the page" if name == "offlinefolium" else "")
            + f"; install it with {_INSTALL} (or `pip install {package}`)."
        )
        raise ImportError(msg) from exc


def _tiles(tiles: Any) -> Any:
    """Resolve web tiles as printed maps do (names, URLs, "web"); folium's own names pass."""
    if isinstance(tiles, dict) or (
        isinstance(tiles, str) and ("://" in tiles or "." in tiles or tiles == "web")
    ):
        return tile_provider(tiles)
    return tiles


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


def _has_tiles(m: Any) -> bool:
    return any(type(c).__name__ in ("TileLayer", "WmsTileLayer") for c in m._children.values())


def _network_note(folium: Any, m: Any, offline: bool) -> None:
    """Say on the page (plain HTML, shown even when scripts fail) what needs internet.

    Nothing is said when nothing does (map library in the page, no base map).
    """
    tiles = _has_tiles(m)
    if offline and not tiles:
        m.get_root().html._children.pop("hotspot_network_note", None)
        return
    if offline:
        note = (
            "The base map comes from the internet; without it the cells show on a "
            "plain background. Everything else on this map works without internet."
        )
    else:
        what = "the map library and the base map" if tiles else "the map library"
        note = (
            f"This map loads {what} from the internet when opened. On a network without "
            "internet it stays blank: use the printed briefing pack or the GeoPackage instead."
        )
    logger.info("explore: %s", note)
    m.get_root().html.add_child(
        folium.Element(
            '<div id="hotspot-network-note" style="position:fixed;bottom:4px;left:4px;'
            "z-index:9999;max-width:55%;background:white;padding:3px 6px;font:12px sans-serif;"
            f'border:1px solid #777">{note}</div>'
        ),
        name="hotspot_network_note",
    )
