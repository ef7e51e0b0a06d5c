"""Print-quality static maps (matplotlib) and an interactive map (folium).

Static maps are made for **printed** briefings read by officers: A4 or US Letter at
300 dpi, with a title, the period, the data source, a caveat line, a legend, a scale
bar and a north arrow. They never need the network (no tile basemap unless the user
passes a ``basemap`` callable, e.g. ``lambda ax: contextily.add_basemap(ax, crs=...)``).

Colour choices
--------------
The colour, hatch and class tables live in :mod:`hotspot.present.palette` (shared
with :func:`explore`, so printed and web maps match): Gi* classes in ColorBrewer
RdBu with cold classes hatched; counts and KDE in ColorBrewer ``YlOrRd`` at evenly
spaced grey levels, so every class survives greyscale printing.

Privacy by default: individual incident points are drawn only with
``show_incidents=True``; ``min_count=n`` greys out cells with ``0 < count < n`` as
"suppressed (< n)".
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._core.grid import grid_spec_of
from hotspot._core.validation import check_columns, check_geodataframe
from hotspot.exceptions import CRSError, InvalidInputError
from hotspot.present.context import _draw_mask, street_labels
from hotspot.present.furniture import (
    _FONT,
    add_map_furniture,
    add_north_arrow,
    add_scale_bar,
)
from hotspot.present.labels import rank_labels
from hotspot.present.palette import (
    HOTSPOT_CLASS_COLORS,
    HOTSPOT_CLASS_HATCHES,
    HOTSPOT_CLASS_LABELS,
    HOTSPOT_FILL,
    HOTSPOT_OUTLINE,
    LISA_CLUSTER_COLORS,
    LISA_CLUSTER_HATCHES,
    LISA_CLUSTER_LABELS,
    SEQUENTIAL_CMAP,
    SUPPRESSED_COLOR,
    SUPPRESSED_EDGE,
    SUPPRESSED_HATCH,
    _class_breaks,
    _class_table,
    _fmt,
    _mean_multiple_breaks,
    sequential_colours,
)
from hotspot.scan.places import clean_place, layer_name_column

__all__ = [  # with the palette's tables, re-exported: maps.HOTSPOT_CLASS_COLORS ...
    "HOTSPOT_CLASS_COLORS",
    "HOTSPOT_CLASS_HATCHES",
    "HOTSPOT_CLASS_LABELS",
    "LISA_CLUSTER_COLORS",
    "LISA_CLUSTER_HATCHES",
    "LISA_CLUSTER_LABELS",
    "PAPER_SIZES",
    "SEQUENTIAL_CMAP",
    "add_map_furniture",
    "add_north_arrow",
    "add_scale_bar",
    "explore",
    "new_map_figure",
    "plot_hotspots",
    "plot_kde",
    "plot_units",
    "save_map",
    "sequential_colours",
]

#: Paper sizes in inches (portrait width, height).
PAPER_SIZES: dict[str, tuple[float, float]] = {"A4": (8.27, 11.69), "letter": (8.5, 11.0)}

_CONTEXT_COLOR = "#4d4d4d"


# --------------------------------------------------------------------------- figure


def new_map_figure(paper: str = "A4", orientation: str = "portrait") -> tuple[Any, Any]:
    """Make a blank map figure of a paper size, with an equal-aspect Axes and room for notes.

    Parameters
    ----------
    paper
        ``"A4"`` (8.27 x 11.69 in) or ``"letter"`` (8.5 x 11 in).
    orientation
        ``"portrait"`` or ``"landscape"``.

    Returns
    -------
    (matplotlib.figure.Figure, matplotlib.axes.Axes)

    Examples
    --------
    >>> from hotspot.present.maps import new_map_figure
    >>> fig, ax = new_map_figure("letter", "landscape")
    >>> fig.get_size_inches().tolist()
    [11.0, 8.5]
    """
    import matplotlib.pyplot as plt

    key = {"a4": "A4", "letter": "letter", "us letter": "letter"}.get(str(paper).lower())
    if key is None:
        raise InvalidInputError(f"paper={paper!r} is not supported; use 'A4' or 'letter'.")
    if orientation not in ("portrait", "landscape"):
        raise InvalidInputError(
            f"orientation={orientation!r} is not supported; use 'portrait' or 'landscape'."
        )
    w, h = PAPER_SIZES[key]
    if orientation == "landscape":
        w, h = h, w
    fig = plt.figure(figsize=(w, h))
    bottom = 0.9 / h  # room for source and caveat lines
    top = 0.75 / h  # room for title and period
    side = 0.4 / w
    ax = fig.add_axes((side, bottom, 1 - 2 * side, 1 - bottom - top))
    _style_axes(ax)
    return fig, ax


def _style_axes(ax: Any) -> None:
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
        spine.set_color("#333333")


def _get_ax(ax: Any, bounds: Any = None) -> Any:
    if ax is None:
        landscape = bounds is not None and (bounds[2] - bounds[0]) > (bounds[3] - bounds[1])
        _, ax = new_map_figure(orientation="landscape" if landscape else "portrait")
    else:
        _style_axes(ax)
    return ax


def save_map(fig_or_ax: Any, path: str | Path, *, dpi: int = 300, **kwargs: Any) -> Path:
    """Save a map figure (or the figure of an Axes) for printing.

    Parameters
    ----------
    fig_or_ax
        A matplotlib Figure or Axes.
    path
        Output file; the format follows the extension (``.png``, ``.pdf``, ``.svg``).
    dpi
        Resolution in dots per inch (300 for print).
    **kwargs
        Passed to :meth:`matplotlib.figure.Figure.savefig`.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from hotspot.present.maps import new_map_figure, save_map
    >>> fig, ax = new_map_figure()
    >>> out = save_map(ax, pathlib.Path(tempfile.mkdtemp()) / "map.png", dpi=50)
    >>> out.exists()
    True
    """
    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    if hasattr(fig, "get_figure") and fig.get_figure() is not None:
        fig = fig.get_figure()
    path = Path(path)
    fig.savefig(path, dpi=dpi, **kwargs)
    return path


# ------------------------------------------------------------------------- layers


def _as_layers(context: Any) -> list[tuple[str | None, gpd.GeoDataFrame | gpd.GeoSeries]]:
    if context is None:
        return []
    if isinstance(context, (gpd.GeoDataFrame, gpd.GeoSeries)):
        return [(None, context)]
    if isinstance(context, Mapping):
        return [(str(k), v) for k, v in context.items()]
    if isinstance(context, Sequence):
        return [(None, v) for v in context]
    raise InvalidInputError(
        "context must be a GeoDataFrame, a list of them, or a dict {legend label: frame}."
    )


def _draw_context(
    ax: Any,
    context: Any,
    crs: Any,
    handles: list[Any],
    view: Any = None,
    first: Sequence[str] = (),
    anchors: gpd.GeoDataFrame | None = None,
) -> None:
    """Outlines of polygons (districts, study area) and lines (streets, named), in grey.

    The streets ``first`` (a place's name) are drawn darker and labelled first; one
    with no line is named at its points in ``anchors``.
    """
    from matplotlib.lines import Line2D

    labelled = False  # street names written (the first street layer only)
    dashes = iter(["-", "--", ":", "-."] * 4)
    for label, layer in _as_layers(context):
        if layer is None or len(layer) == 0:
            continue
        if crs is not None and layer.crs is not None and not layer.crs.equals(crs):
            layer = layer.to_crs(crs)
        geom = layer.geometry if isinstance(layer, gpd.GeoDataFrame) else layer
        kinds = set(geom.geom_type.dropna())
        if kinds & {"Polygon", "MultiPolygon"}:
            dash = next(dashes)  # each polygon layer its own dash pattern (greyscale-safe)
            _print_resolution(geom, ax).boundary.plot(
                ax=ax, color=_CONTEXT_COLOR, linewidth=1.0, linestyle=dash, zorder=5
            )
            style = {"color": _CONTEXT_COLOR, "linewidth": 1.0, "linestyle": dash}
        elif kinds & {"LineString", "MultiLineString"}:
            geom.plot(ax=ax, color="#8c8c8c", linewidth=0.6, zorder=4)
            style = {"color": "#8c8c8c", "linewidth": 0.8}
            if isinstance(layer, gpd.GeoDataFrame) and view is not None:
                _draw_named(ax, layer, first)
                street_labels(ax, layer, view, first=first, anchors=None if labelled else anchors)
                labelled = True
        else:  # landmarks: small black squares, named when the layer has names
            geom.plot(ax=ax, color="black", marker="s", markersize=6, zorder=7)
            style = {"color": "black", "marker": "s", "linestyle": ""}
        if label:
            handles.append(Line2D([], [], label=label, **style))
    if not labelled and first and view is not None:  # no street lines: names at their points
        street_labels(ax, None, view, first=first, anchors=anchors)


def _draw_named(ax: Any, streets: gpd.GeoDataFrame, names: Sequence[str]) -> None:
    """Draw the streets a place is named after a little darker, to find them on paper."""
    column = layer_name_column(streets)
    if not names or column is None:
        return
    wanted = {clean_place(n) for n in names}
    mine = streets[streets[column].map(clean_place).isin(wanted)]
    if len(mine):
        mine.plot(ax=ax, color="#333333", linewidth=1.4, zorder=4.5, gid="place_street")


def _draw_incidents(ax: Any, incidents: Any, crs: Any, handles: list[Any]) -> None:
    from matplotlib.lines import Line2D

    inc = incidents.to_crs(crs) if crs is not None and not incidents.crs.equals(crs) else incidents
    inc.plot(ax=ax, color="black", markersize=2, linewidth=0, zorder=8, gid="incidents")
    handles.append(
        Line2D(
            [],
            [],
            marker="o",
            color="black",
            linestyle="",
            markersize=2,
            label=f"Incident ({len(inc):,})",
        )
    )


def _legend(ax: Any, handles: list[Any], title: str | None = None, loc: str = "upper left") -> Any:
    """Legend inside the map at ``loc``, under it (``"below"``: covers no data) or none."""
    if not handles or loc == "none":
        return None
    where: dict[str, Any] = {"loc": loc}
    if loc == "below":
        # under the scale bar and north arrow, which sit just below the map frame
        where = {"loc": "upper left", "bbox_to_anchor": (0.0, -0.085), "ncol": 2}
    leg = ax.legend(
        handles=handles,
        **where,
        fontsize=_FONT,
        title=title,
        title_fontsize=_FONT + 1,
        frameon=True,
        framealpha=0.92,
        edgecolor="#333333",
    )
    leg.set_zorder(30)
    leg.set_gid("legend")
    return leg


def _finish(
    ax: Any,
    *,
    title: str | None,
    period: str | tuple[Any, Any] | None,
    source: str | None,
    caveat: str | None,
    basemap: Callable[[Any], Any] | None,
    handles: list[Any],
    legend_title: str | None,
    extent: Any = None,
    legend_loc: str = "upper left",
    exact: bool = False,
) -> Any:
    if extent is not None:
        x0, y0, x1, y1 = extent
        dx, dy = (x1 - x0) * 0.03 or 100.0, (y1 - y0) * 0.03 or 100.0
        if exact:
            dx = dy = 0.0
        ax.set_xlim(x0 - dx, x1 + dx)
        ax.set_ylim(y0 - dy, y1 + dy)
    if basemap is not None:
        if not callable(basemap):
            raise InvalidInputError(
                "basemap must be a callable taking the Axes, e.g. "
                "`lambda ax: contextily.add_basemap(ax, crs=units.crs)`."
            )
        basemap(ax)
    ax.set_xlabel("")
    ax.set_ylabel("")
    _legend(ax, handles, legend_title, legend_loc)
    outside = legend_loc in ("below", "none")  # officer pages: nothing over the cells
    add_map_furniture(
        ax,
        title=title,
        period=period,
        source=source,
        caveat=caveat,
        scale_bar=not outside,
        north_arrow=not outside,
    )
    if outside:
        add_scale_bar(ax, location="lower left", y=-0.045, pad=0.0)
        add_north_arrow(ax, x=0.975, y=-0.012)
    return ax


def _patch(
    colour: str, label: str, hatch: str | None = None, edge: str = "#333333",
    linewidth: float = 0.6, linestyle: Any = "solid",
) -> Any:
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, edgecolor=edge, hatch=hatch, linewidth=linewidth, label=label,
                 linestyle=linestyle)


def _merged(units: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Merge the units' polygons into one shape (drawing and hatching it is fast)."""
    import shapely

    geoms = units.geometry.to_numpy()
    # unaltered cells of one square grid do not overlap and share exact edges: a valid
    # coverage, whose union is the same shape and several times faster
    union = shapely.coverage_union_all if _grid_cells(units) is not None else shapely.union_all
    return gpd.GeoSeries([union(geoms)], crs=units.crs)


def _print_resolution(geom: gpd.GeoSeries, ax: Any) -> gpd.GeoSeries:
    """Simplify outlines to about 1/3000 of the map width: invisible in print, fast to draw."""
    x0, x1 = ax.get_xlim()
    width = abs(x1 - x0) if abs(x1 - x0) > 1 else float(np.ptp(geom.total_bounds[[0, 2]]))
    return geom.simplify(width / 3000.0) if width > 0 else geom


def _draw_classes(ax: Any, units: gpd.GeoDataFrame, column: str, handles: list[Any]) -> None:
    values = units[column].astype("string")
    colours, hatches, labels = _class_table(values, column)
    for cls in labels:  # hot/high first, the legend order
        sel = units[(values == cls).to_numpy(dtype=bool, na_value=False)]
        if cls == "not_significant":  # left unfilled; in the legend between hot and cold
            if len(sel):
                handles.append(_patch("white", f"{labels[cls]} ({len(sel):,}, unfilled)"))
            continue
        if len(sel) == 0:
            continue
        hatch = hatches[cls]
        sel.plot(ax=ax, color=colours[cls], edgecolor=colours[cls], linewidth=0.2, zorder=3)
        if hatch:  # hatch lines in dark blue on top of the fill, on the merged cells
            _merged(sel).plot(
                ax=ax, facecolor="none", edgecolor="#08306b", linewidth=0.0, hatch=hatch, zorder=3
            )
        handles.append(_patch(colours[cls], f"{labels[cls]} ({len(sel):,})", hatch))


def _grid_cells(units: gpd.GeoDataFrame) -> tuple[Any, np.ndarray, np.ndarray] | None:
    """Spec, rows and cols when ``units`` are unaltered square cells of a grid, else None."""
    import shapely


    spec = grid_spec_of(units)
    if spec is None or len(units) == 0:
        return None
    rows = units["row"].to_numpy()
    cols = units["col"].to_numpy()
    if not (np.issubdtype(rows.dtype, np.integer) and np.issubdtype(cols.dtype, np.integer)):
        return None
    if rows.min() < 0 or cols.min() < 0 or rows.max() >= spec.ny or cols.max() >= spec.nx:
        return None
    geoms = units.geometry.to_numpy()
    cs = spec.cell_size
    x0, y0 = spec.x0 + cols * cs, spec.y0 + rows * cs
    expected = np.column_stack([x0, y0, x0 + cs, y0 + cs])
    tol = 1e-6 * cs
    if not np.allclose(shapely.bounds(geoms), expected, rtol=0, atol=tol):
        return None
    if not np.allclose(shapely.area(geoms), cs * cs, rtol=1e-6, atol=0):
        return None
    return spec, rows, cols


def _fill_cells(ax: Any, units: gpd.GeoDataFrame, colour: str) -> None:
    """Fill polygons in one colour; square grid cells as one raster (fast to draw and print).

    Drawing tens of thousands of cell polygons one patch each is slow (seconds per
    map, and per PDF page); unaltered cells of a square grid are drawn as an image
    with the same colour, extent and stacking order instead.
    """
    import matplotlib as mpl

    grid = _grid_cells(units)
    if grid is None:
        units.plot(ax=ax, color=colour, edgecolor=colour, linewidth=0.2, zorder=3)
        return
    spec, rows, cols = grid
    r0, r1, c0, c1 = rows.min(), rows.max(), cols.min(), cols.max()
    img = np.zeros((r1 - r0 + 1, c1 - c0 + 1, 4), dtype=np.uint8)
    img[rows - r0, cols - c0] = np.round(np.asarray(mpl.colors.to_rgba(colour)) * 255)
    cs = spec.cell_size
    extent = (
        spec.x0 + c0 * cs,
        spec.x0 + (c1 + 1) * cs,
        spec.y0 + r0 * cs,
        spec.y0 + (r1 + 1) * cs,
    )
    image = ax.imshow(
        img,
        origin="lower",
        extent=extent,
        interpolation="none",
        aspect=ax.get_aspect(),
        zorder=3,
    )
    image.sticky_edges.x[:] = []  # autoscale like the polygons would (with margins)
    image.sticky_edges.y[:] = []


def _draw_numeric(
    ax: Any,
    units: gpd.GeoDataFrame,
    column: str,
    handles: list[Any],
    k: int = 5,
    integer: bool = False,
    scheme: str = "quantiles",
) -> None:

    values = pd.to_numeric(units[column], errors="coerce").to_numpy(dtype=float)
    if scheme == "mean_multiples":
        breaks, floor = _mean_multiple_breaks(values, k)
    else:
        breaks, floor = _class_breaks(values, k), 0.0
    if breaks.size == 0:
        return
    colours = sequential_colours(len(breaks))
    cls = np.searchsorted(breaks, values, side="left")
    pos = values[np.isfinite(values) & (values > floor)]
    lower = float(pos.min()) if floor == 0 else floor
    n_zero = int((values == 0).sum())
    if n_zero and not floor:  # empty cells are drawn (unfilled): say what white means
        what = "incidents" if column == "n_incidents" else ""
        cells = f"{n_zero:,} cell{'s' if n_zero != 1 else ''}"
        zero = _patch("white", f"0 {what} ({cells})".replace("  ", " "))
        small = [j for j, h in enumerate(handles) if h.get_label().startswith("fewer than")]
        handles.insert(small[0] if small else len(handles), zero)  # 0 before 1-2 and 3+
    for i, upper in enumerate(breaks):
        sel_mask = (cls == i) & (values > 0) & (values >= floor)
        colour = colours[i]
        if sel_mask.any():
            _fill_cells(ax, units[sel_mask], colour)
        if integer:
            lo = math.floor(lower) + 1 if i else math.ceil(lower)
            label = f"{lo:,}" if lo == int(upper) else f"{lo:,}–{_fmt(upper)}"
        else:
            label = f"{_fmt(lower)} – {_fmt(upper)}"
            if floor:
                label += (
                    f" ({i + 1}–{i + 2}× mean)" if i < len(breaks) - 1 else (f" (≥ {i + 1}× mean)")
                )
        handles.append(_patch(colour, label if floor else f"{label} ({int(sel_mask.sum()):,})"))
        lower = upper


def _suppress(
    units: gpd.GeoDataFrame, min_count: int | None, count_column: str, ax: Any, handles: list[Any]
) -> gpd.GeoDataFrame:
    if min_count is None:
        return units
    check_columns(units, [count_column], "units")
    n = pd.to_numeric(units[count_column], errors="coerce").to_numpy(dtype=float)
    small = (n > 0) & (n < min_count)
    if small.any():  # one merged shape: hatching thousands of cells is slow to render
        _merged(units[small]).plot(
            ax=ax,
            facecolor=SUPPRESSED_COLOR,
            edgecolor=SUPPRESSED_EDGE,
            linewidth=0.0,
            hatch=SUPPRESSED_HATCH,
            zorder=3,
        )
    k = int(small.sum())
    handles.append(
        _patch(
            SUPPRESSED_COLOR,
            f"fewer than {min_count} incidents, not shown ({k:,} cell{'s' if k != 1 else ''})",
            SUPPRESSED_HATCH,
            edge=SUPPRESSED_EDGE,
        )
    )
    return units[~small]


def _check_units(units: Any, name: str) -> gpd.GeoDataFrame:
    gdf = check_geodataframe(units, name)
    if gdf.crs is not None and gdf.crs.is_geographic:
        raise CRSError(
            f"`{name}` is in a geographic CRS ({gdf.crs.name}); maps need a projected CRS "
            f"in metres or feet so that the scale bar is right. Use `{name}.to_crs(...)`."
        )
    return gdf


# ------------------------------------------------------------------------ public maps


def plot_units(
    units: gpd.GeoDataFrame,
    column: str = "hotspot_class",
    *,
    min_count: int | None = None,
    count_column: str = "n_incidents",
    context: Any = None,
    ax: Any = None,
    title: str | None = None,
    period: str | tuple[Any, Any] | None = None,
    source: str | None = None,
    caveat: str | None = None,
    legend_title: str | None = None,
    k: int = 5,
    basemap: Callable[[Any], Any] | None = None,
    legend_loc: str = "upper left",
) -> Any:
    """Map analysis units by Gi* class or by a numeric column (counts, rates).

    Parameters
    ----------
    units
        Units in a projected CRS (e.g. ``hs.gi_star`` output).
    column
        ``"hotspot_class"`` (Gi*) drawn with :data:`HOTSPOT_CLASS_COLORS`, or
        ``"lisa_cluster"`` (local Moran) drawn with :data:`LISA_CLUSTER_COLORS`, with
        hatching for cold / low classes; or a numeric column, drawn in ``k`` quantile classes of its
        positive values with the ``YlOrRd`` scheme (zero cells unfilled).
    min_count
        Privacy: cells with ``0 < count_column < min_count`` are drawn grey and
        labelled "suppressed (< min_count)" instead of their value or class.
    count_column
        The count used by ``min_count``. Default ``n_incidents``.
    context
        Context layers: a GeoDataFrame, a list of them, or a dict
        ``{legend label: frame}``; polygons are drawn as outlines (districts, beats,
        study area), lines as thin grey streets.
    ax
        Axes to draw on; None makes an A4 portrait figure (:func:`new_map_figure`).
    title, period, source, caveat
        Texts of the map furniture (see :func:`add_map_furniture`); ``period`` is a
        ``(start, end)`` pair of dates or the text to print.
    legend_title
        Legend heading; default from ``column``.
    k
        Number of classes of a numeric column.
    basemap
        Optional callable ``basemap(ax)`` drawing a background (e.g. contextily).
    legend_loc
        Legend position (matplotlib ``loc``), e.g. ``"lower right"`` when the data
        fill the upper left corner. The scale bar is lower left, the arrow upper right.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from hotspot.present.maps import plot_units
    >>> cells = gpd.GeoDataFrame({"n_incidents": [0, 1, 4, 9]},
    ...     geometry=[box(i * 100, 0, i * 100 + 100, 100) for i in range(4)], crs=32616)
    >>> ax = plot_units(cells, "n_incidents", min_count=3, title="Counts")
    >>> [t.get_text() for t in ax.get_legend().get_texts()][:2]
    ['0 incidents (1 cell)', 'fewer than 3 incidents, not shown (1 cell)']
    """
    gdf, ax, handles = _start_units_map(units, column, ax)
    shown = _suppress(gdf, min_count, count_column, ax, handles)
    if _is_class_column(gdf[column]):
        _draw_classes(ax, shown, column, handles)
        default_title = (
            "Local Moran clusters" if column == "lisa_cluster" else "Gi* hot and cold spots"
        )
    else:
        integer = pd.api.types.is_integer_dtype(gdf[column])
        _draw_numeric(ax, shown, column, handles, k=k, integer=integer)
        default_title = {"n_incidents": "Incidents per cell"}.get(column, column)
    texts = {"title": title, "period": period, "source": source, "caveat": caveat}
    return _finish_units_map(
        ax, gdf, context, handles, texts, basemap, legend_title or default_title, legend_loc
    )


def _start_units_map(
    units: gpd.GeoDataFrame, column: str, ax: Any
) -> tuple[gpd.GeoDataFrame, Any, list[Any]]:
    """Check the units and frame the Axes on them; return both and an empty legend list."""
    gdf = _check_units(units, "units")
    check_columns(gdf, [column], "units")
    ax = _get_ax(ax, gdf.total_bounds)
    ax._hotspot_crs = gdf.crs
    return gdf, ax, []


def _finish_units_map(
    ax: Any,
    gdf: gpd.GeoDataFrame,
    context: Any,
    handles: list[Any],
    texts: dict[str, Any],
    basemap: Callable[[Any], Any] | None,
    legend_title: str | None,
    legend_loc: str,
) -> Any:
    """Draw the context layers, then the furniture of a map framed on the units ``gdf``.

    ``texts`` holds the ``title``, ``period``, ``source`` and ``caveat`` of
    :func:`_finish`.
    """
    _draw_context(ax, context, gdf.crs, handles)
    return _finish(
        ax,
        **texts,
        basemap=basemap,
        handles=handles,
        legend_title=legend_title,
        extent=gdf.total_bounds,
        legend_loc=legend_loc,
    )


def _is_class_column(s: pd.Series) -> bool:
    return bool(
        isinstance(s.dtype, pd.CategoricalDtype)
        or s.dtype == object
        or pd.api.types.is_string_dtype(s.dtype)
    )


def plot_kde(
    units: gpd.GeoDataFrame,
    column: str = "kde",
    *,
    k: int = 5,
    scheme: str = "mean_multiples",
    context: Any = None,
    ax: Any = None,
    title: str | None = "Incident density",
    period: str | tuple[Any, Any] | None = None,
    source: str | None = None,
    caveat: str | None = None,
    basemap: Callable[[Any], Any] | None = None,
    legend_title: str = "Incidents per km²",
    legend_loc: str = "upper left",
) -> Any:
    """Map a kernel density surface (``hs.kde`` output) in ``k`` classes.

    ``scheme="mean_multiples"`` (default) uses Chainey's incremental multiples of the
    mean density of the positive cells (1-2x, 2-3x, ... >= kx the mean) and leaves
    cells below the mean unfilled, so that a map shows where density is high rather
    than spreading five equal-count classes over the whole city;
    ``scheme="quantiles"`` uses quantiles of the positive values. The ``YlOrRd``
    classes darken monotonically, so the order survives a greyscale print. Other
    parameters as :func:`plot_units`.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from hotspot.present.maps import plot_kde
    >>> cells = gpd.GeoDataFrame({"kde": [0.0, 0.5, 2.0, 8.0]},
    ...     geometry=[box(i * 100, 0, i * 100 + 100, 100) for i in range(4)], crs=32616)
    >>> ax = plot_kde(cells, k=3)
    >>> ax.get_legend().get_title().get_text()
    'Incidents per km²'
    """
    if scheme not in ("mean_multiples", "quantiles"):
        raise InvalidInputError(
            f"scheme={scheme!r} is not supported; use 'mean_multiples' or 'quantiles'."
        )
    gdf, ax, handles = _start_units_map(units, column, ax)
    _draw_numeric(ax, gdf, column, handles, k=k, scheme=scheme)
    if scheme == "mean_multiples":
        handles.append(_patch("white", "below the mean (unfilled)"))
    texts = {"title": title, "period": period, "source": source, "caveat": caveat}
    return _finish_units_map(ax, gdf, context, handles, texts, basemap, legend_title, legend_loc)


def plot_hotspots(
    hotspots: gpd.GeoDataFrame,
    *,
    units: gpd.GeoDataFrame | None = None,
    column: str = "hotspot_class",
    context: Any = None,
    ax: Any = None,
    title: str | None = "Crime hotspots",
    period: str | tuple[Any, Any] | None = None,
    source: str | None = None,
    caveat: str | None = None,
    labels: bool = True,
    top: int | None = None,
    basemap: Callable[[Any], Any] | None = None,
    incidents: gpd.GeoDataFrame | None = None,
    show_incidents: bool = False,
    min_count: int | None = None,
    extent: str = "auto",
    label_size: float = 9.0,
    legend_loc: str = "upper left",
    view: Any = None,
    mask: Any = None,
    streets_first: Sequence[str] = (),
    street_points: gpd.GeoDataFrame | None = None,
) -> Any:
    """Map ranked operational hotspots (``hs.hotspots`` output) with rank labels.

    Parameters
    ----------
    hotspots
        Hotspot areas with ``rank`` (or ``hotspot_id``), in a projected CRS.
    units
        Optional units drawn underneath by ``column`` (see :func:`plot_units`).
    column
        Column of ``units`` to draw.
    context
        Context layers (districts, streets, study area), see :func:`plot_units`.
    ax
        Axes to draw on; None makes an A4 portrait figure.
    title, period, source, caveat
        Texts of the map furniture; ``period`` is a ``(start, end)`` pair of dates
        or the text to print.
    labels
        Write each hotspot's rank at a point inside it, with a white halo; a hotspot
        smaller than its label gets the label beside it with a leader line, so that
        the area stays visible. Labels that would overlap a label of a better rank
        are moved to a free spot nearby with a leader line, or left out when none is
        free (``ax._hotspot_hidden_labels`` counts them). Labels are placed when the
        map is drawn, at its final size (:mod:`hotspot.present.labels`).
    top
        Draw only the ``top`` best-ranked hotspots.
    basemap
        Optional callable ``basemap(ax)`` (e.g. contextily); never used by default.
    incidents, show_incidents
        Incident points are drawn only with ``show_incidents=True`` (privacy).
    min_count
        Passed to :func:`plot_units` for ``units``.
    extent
        ``"auto"``: the units (or context, or hotspots) extent; ``"hotspots"``: zoom on
        the hotspots drawn.
    label_size
        Font size of the rank labels in points.
    legend_loc
        Legend position (matplotlib ``loc``); ``"below"`` puts the legend under the
        map and the scale bar and north arrow outside it, so that nothing covers
        data; ``"none"``: no legend.
    view
        ``(xmin, ymin, xmax, ymax)`` shown exactly (overrides ``extent``).
    mask
        Study area polygon(s): the map outside it is greyed out and its outline drawn.
    streets_first
        Street names drawn darker and labelled before all others, whether or not
        the label fits along the street (the streets a place is named after).
    street_points
        Points with a street ``name`` (:func:`hotspot.present.context.street_points`):
        a street of ``streets_first`` with no line in view is named where they are.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from hotspot.present.maps import plot_hotspots
    >>> hot = gpd.GeoDataFrame({"rank": [1, 2], "n_incidents": [30, 12]},
    ...     geometry=[box(0, 0, 500, 500), box(2000, 2000, 2400, 2600)], crs=32616)
    >>> ax = plot_hotspots(hot, title="Robbery hotspots")
    >>> sorted(t.get_text() for t in ax.texts if t.get_gid() == "rank_label")
    ['1', '2']
    """
    hot = _check_units(hotspots, "hotspots")
    rank_col = "rank" if "rank" in hot.columns else "hotspot_id"
    check_columns(hot, [rank_col], "hotspots")
    hot = hot.sort_values(rank_col, kind="stable")
    n_all = len(hot)
    if top is not None:
        hot = hot.iloc[: int(top)]
    bounds = view if view is not None else _extent(hot, units, context, extent)
    ax = _get_ax(ax, bounds)
    if view is not None:
        ax.set_xlim(view[0], view[2])
        ax.set_ylim(view[1], view[3])
    ax._hotspot_crs = hot.crs
    handles: list[Any] = []
    if units is not None:
        gdf = _check_units(units, "units")
        if column not in gdf.columns:
            msg = (f"`units` have no {column!r} column to draw: run hs.gi_star(units) first "
                   "(it adds 'hotspot_class'), or pass column= naming a column they have "
                   f"(e.g. column='n_incidents').")
            raise InvalidInputError(msg)
        if gdf.crs is not None and hot.crs is not None and not gdf.crs.equals(hot.crs):
            gdf = gdf.to_crs(hot.crs)
        shown = _suppress(gdf, min_count, "n_incidents", ax, handles)
        if _is_class_column(gdf[column]):
            _draw_classes(ax, shown, column, handles)
        else:
            _draw_numeric(
                ax, shown, column, handles, integer=pd.api.types.is_integer_dtype(gdf[column])
            )
    _draw_context(
        ax, context, hot.crs, handles, view=bounds, first=streets_first, anchors=street_points
    )
    if mask is not None and bounds is not None:
        _draw_mask(ax, mask, bounds, hot.crs, handles)
    if len(hot):
        _draw_outlines(ax, hot, "none" if units is not None else HOTSPOT_FILL, n_all, handles)
    if show_incidents and incidents is not None:
        _draw_incidents(ax, incidents, hot.crs, handles)
    texts = {"title": title, "period": period, "source": source, "caveat": caveat}
    _finish(
        ax,
        **texts,
        basemap=basemap,
        handles=handles,
        legend_title="Incidents per cell"
        if units is not None and column == "n_incidents"
        else None,
        extent=bounds,
        legend_loc=legend_loc,
        exact=view is not None,
    )
    if labels and len(hot):
        rank_labels(ax, hot, rank_col, label_size)
    return ax


def _draw_outlines(
    ax: Any, hot: gpd.GeoDataFrame, fill: str, n_all: int, handles: list[Any]
) -> None:
    """Hot spots in a solid, busy places (``kind``) in a dashed black outline on a halo."""
    busy = (hot["kind"] == "busy place").to_numpy() if "kind" in hot.columns else None
    kinds = [("hot spot", hot if busy is None else hot[~busy], "solid")]
    if busy is not None and busy.any():
        kinds.append(("busy place", hot[busy], (0, (2.5, 1.2))))
    legend = []
    for kind, part, style in kinds:
        if not len(part):
            continue
        # a thick black outline on a white halo: legible on the darkest class and in grey
        part.boundary.plot(ax=ax, color="white", linewidth=HOTSPOT_OUTLINE * 2.2, zorder=6)
        part.plot(ax=ax, facecolor=fill, edgecolor="black", linewidth=HOTSPOT_OUTLINE,
                  linestyle=style, zorder=6.1, gid="hotspot_outline")
        label = ("Hotspot area" if kind == "hot spot" and len(kinds) == 1 else
                 "Hot spot: a cluster of busy cells" if kind == "hot spot" else
                 "Busy place: many incidents, not a cluster")
        count = (f"top {len(hot):,} of {n_all:,}" if len(hot) < n_all and len(kinds) == 1
                 else f"{len(part):,}")
        legend.append(_patch(fill, f"{label} ({count}), numbered by rank", edge="black",
                             linewidth=HOTSPOT_OUTLINE, linestyle=style))
    handles[:0] = legend


def _extent(hot: gpd.GeoDataFrame, units: Any, context: Any, how: str) -> Any:
    if how == "hotspots" or (units is None and context is None):
        return hot.total_bounds if len(hot) else None
    if how != "auto":
        raise InvalidInputError(f"extent={how!r} is not supported; use 'auto' or 'hotspots'.")
    if units is not None:
        return units.to_crs(hot.crs).total_bounds if units.crs != hot.crs else units.total_bounds
    frames = [
        lay.to_crs(hot.crs) if lay.crs is not None and lay.crs != hot.crs else lay
        for _, lay in _as_layers(context)
        if lay is not None and len(lay)
    ]
    b = np.array([f.total_bounds for f in frames] + [hot.total_bounds])
    return (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())


def explore(*args: Any, **kwargs: Any) -> Any:
    """Interactive folium map; see :func:`hotspot.present.interactive.explore`.

    Examples
    --------
    >>> from hotspot.present.maps import explore
    >>> callable(explore)
    True
    """
    from hotspot.present.interactive import explore as _explore

    return _explore(*args, **kwargs)
