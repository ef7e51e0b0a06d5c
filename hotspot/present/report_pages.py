"""Page layout of the printed briefing pack: it draws, it does not decide.

:func:`hotspot.present.report.briefing` works out what the pack says (places,
times, darkness, responses, suppression) into a plain dict; the functions here lay
that out on A4 or Letter pages. Text is wrapped to the printable width, long blocks
continue on a new page rather than run over the footer, and every count printed
has already passed the suppression rule.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import matplotlib as mpl
import numpy as np
import shapely

from hotspot.present.basemap import add_basemap
from hotspot.present.furniture import add_map_grid
from hotspot.present.labels import drop_labels
from hotspot.present.maps import plot_hotspots
from hotspot.scan.mapgrid import frame_inside
from hotspot.scan.places import name_streets, place_view

__all__ = ["write_pages"]

_FONT = 9.0  # body text, points
_SMALL = 8.0  # smallest text on the page, points
LEFT, RIGHT = 0.06, 0.94  # printable width (figure fraction)
TOP, BOTTOM = 0.955, 0.075  # printable height; the footer sits below BOTTOM
_COVER_ROWS = 10  # places listed under the map on page 1


# --------------------------------------------------------------------- text flow


def _chars(width_frac: float, fig: Any, size: float, bold: bool = False) -> int:
    """Characters of ``size`` pt that fit in ``width_frac`` of the page width."""
    width_pt = width_frac * fig.get_figwidth() * 72.0
    return max(8, int(width_pt / ((0.6 if bold else 0.55) * size)))


def _line_h(fig: Any, size: float) -> float:
    return size * 1.32 / 72.0 / fig.get_figheight()


class _Writer:
    """Pages of one pack: numbering, footer, and text that flows onto new pages."""

    def __init__(self, pdf: Any, size: tuple[float, float], footer: str) -> None:
        self.pdf, self.size, self.footer = pdf, size, footer
        self.page = 0
        self.fig: Any = None
        self.y = TOP
        self.cont_title = ""

    def new_page(self, cont_title: str = "") -> Any:
        from matplotlib.figure import Figure

        self.close()
        self.fig = Figure(figsize=self.size)
        self.page += 1
        self.y = TOP
        self.cont_title = cont_title
        return self.fig

    def close(self) -> None:
        if self.fig is not None:
            self._footer()
            self.pdf.savefig(self.fig)
            self.fig = None

    def _footer(self) -> None:
        fig = self.fig
        text = "\n".join(textwrap.wrap(self.footer, _chars(0.78, fig, _SMALL)))
        fig.text(LEFT, 0.02, text, fontsize=_SMALL, color="#444444", va="bottom", gid="footer")
        fig.text(RIGHT, 0.02, f"Page {self.page}", fontsize=_SMALL, ha="right", va="bottom")

    def room(self, height: float) -> None:
        """Start a continuation page unless ``height`` (figure fraction) still fits."""
        if self.y - height < BOTTOM:
            self.new_page(self.cont_title)
            if self.cont_title:
                self.text(self.cont_title + " (continued)", size=12, bold=True)
                self.y -= 0.006

    def text(
        self,
        text: str,
        *,
        x: float = LEFT,
        size: float = _FONT,
        bold: bool = False,
        colour: str = "black",
        gap: float = 0.004,
        hang: str = "",
    ) -> None:
        """Write a wrapped paragraph at ``x``; ``hang`` is printed before its first line."""
        fig = self.fig
        width = RIGHT - x
        # ASCII spaces only: a no-break space keeps "C4 b2" on one line
        flat = re.sub(r"[ \t\n\r]+", " ", str(text)).strip()
        lines = textwrap.wrap(flat, _chars(width, fig, size, bold)) or [""]
        lh = _line_h(fig, size)
        for i, line in enumerate(lines):
            self.room(lh)  # may start a continuation page: draw on self.fig, not fig
            if hang and i == 0:
                self.fig.text(x - 0.018, self.y, hang, fontsize=size, va="top")
            self.fig.text(
                x,
                self.y,
                line,
                fontsize=size,
                va="top",
                color=colour,
                fontweight="bold" if bold else "normal",
            )
            self.y -= lh
        self.y -= gap

    def pairs(self, rows: list[tuple[str, str]], *, key_w: float = 0.13, size: float = _FONT):
        """Bold key, wrapped value: the fact lines of a page."""
        for key, value in rows:
            lines = textwrap.wrap(value, _chars(RIGHT - LEFT - key_w, self.fig, size)) or [""]
            lh = _line_h(self.fig, size)
            self.room(lh * len(lines))
            self.fig.text(LEFT, self.y, key, fontsize=size, fontweight="bold", va="top")
            for line in lines:
                self.fig.text(LEFT + key_w, self.y, line, fontsize=size, va="top")
                self.y -= lh
            self.y -= 0.004


# --------------------------------------------------------------------- tables


def _cells(fig: Any, row: list[str], widths: list[float], w: float, size: float) -> list:
    """Return the lines of each cell of a table row: long text wraps, never cut."""
    out = []
    for text, width in zip(row, widths, strict=True):
        chars = _chars(w * width - 0.006, fig, size)
        lines = textwrap.wrap(text, chars) or [""]
        first, _, second = text.partition(" / ")  # two names: one a line
        if len(lines) > 1 and second and len(first) + 2 <= chars and len(second) <= chars:
            lines = [first + " /", second]
        out.append(lines)
    return out


def _table_lines(fig: Any, rows: list[list[str]], widths: list[float], w: float, size: float):
    """Return the text lines a table's rows take (a wrapped row counts its lines)."""
    return sum(max(len(c) for c in _cells(fig, row, widths, w, size)) for row in rows)


def _table(
    fig: Any,
    rect: tuple[float, float, float, float],
    header: list[str],
    rows: list[list[str]],
    widths: list[float],
    *,
    size: float = _FONT,
    title: str | None = None,
) -> float:
    """Plain text table in a rectangle (figure fraction); shrinks its font to fit.

    A cell too long for its column wraps onto more lines. Returns the figure y
    of the table's bottom.
    """
    x0, y_top, w, h_max = rect
    lh = _line_h(fig, size) * 1.15
    while (_table_lines(fig, rows, widths, w, size) + 1 + bool(title)) * lh > h_max and size > 6.5:
        size -= 0.5
        lh = _line_h(fig, size) * 1.15
    y = y_top
    if title:
        fig.text(x0, y, title, fontsize=size + 1.5, fontweight="bold", va="top")
        y -= lh * 1.15
    xs = x0 + w * np.concatenate([[0.0], np.cumsum(widths)[:-1]])
    for j, text in enumerate(header):
        fig.text(xs[j] + 0.003, y, text, fontsize=size, fontweight="bold", va="top")
    y -= lh
    fig.add_artist(
        mpl.lines.Line2D([x0, x0 + w * sum(widths)], [y + 0.15 * lh] * 2, color="black", lw=0.8)
    )
    for i, row in enumerate(rows):
        cells = _cells(fig, row, widths, w, size)
        height = max(len(c) for c in cells) * lh
        if i % 2 == 1:
            fig.add_artist(
                mpl.patches.Rectangle(
                    (x0, y - height + 0.15 * lh), w * sum(widths), height, color="#f0f0f0",
                    lw=0, zorder=-1,
                )
            )
        for j, lines in enumerate(cells):
            fig.text(xs[j] + 0.003, y, "\n".join(lines), fontsize=size, va="top",
                     linespacing=1.15 * 1.32 / 1.2)
        y -= height
    return y


def _time_table(ax: Any, table: dict[str, Any]) -> None:
    """Incidents by time block and weekday as shaded cells with their counts."""
    values = np.asarray(table["values"], dtype=float)
    shown = np.asarray(table["shown"], dtype=float)
    vmax = max(float(np.nanmax(shown)) if np.isfinite(shown).any() else 1.0, 1.0)
    ax.imshow(np.nan_to_num(shown), cmap="Greys", aspect="auto", vmin=0, vmax=vmax * 1.6)
    digits = max(len(t) for row in table["text"] for t in row)
    size = _SMALL if digits <= 3 else (7.0 if digits == 4 else 6.0)
    for r, row in enumerate(table["text"]):
        for c, text in enumerate(row):
            dark = np.isfinite(shown[r, c]) and shown[r, c] > 0.55 * vmax * 1.6
            ax.text(
                c,
                r,
                text,
                ha="center",
                va="center",
                fontsize=size,
                color="white" if dark else "black",
            )
    ax.set_xticks(range(values.shape[1]), table["cols"], fontsize=_SMALL)
    ax.set_yticks(range(values.shape[0]), table["rows"], fontsize=_SMALL)
    ax.tick_params(length=0)
    ax.xaxis.tick_top()


# --------------------------------------------------------------------- maps


def _fill_axes(ax: Any, view: tuple[float, float, float, float]) -> tuple[float, ...]:
    """Widen ``view`` around its centre, at the same scale, to the Axes' shape."""
    x0, y0, x1, y1 = view
    pos = ax.get_position()
    fw, fh = ax.figure.get_size_inches()
    shape = (pos.height * fh) / (pos.width * fw)  # height over width of the map on paper
    cx, cy, hx, hy = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    if shape * hx > hy:
        hy = shape * hx
    else:
        hx = hy / shape
    return cx - hx, cy - hy, cx + hx, cy + hy


def _draw_map(ax: Any, ctx: dict[str, Any], focus: int | None = None) -> str:
    """Cells, context, study area, grid and ranked hotspots; returns the base-map note."""
    hot, cells, grid = ctx["hot"], ctx["cells"], ctx["grid"]
    units = cells if cells is not None and "n_incidents" in cells else None
    shown = hot
    x0, y0, x1, y1 = grid.bounds
    named: list[str] = []
    if focus is not None:
        row = hot.loc[hot["hotspot_id"] == focus].iloc[0]
        geom = row.geometry
        named = name_streets(row["place_name"]) if row.get("place_source") != "grid" else []
        x0, y0, x1, y1 = place_view([geom])[0]  # the window the grid's small squares suit
        x0, y0, x1, y1 = _fill_axes(ax, (x0, y0, x1, y1))
        # at the area's edge: the window slides inside, the place still in view
        area = ctx["study_area"]
        x0, y0, x1, y1 = frame_inside(
            (x0, y0, x1, y1), geom.bounds, None if area is None else area.union_all()
        )
        if units is not None:
            units = units.cx[x0:x1, y0:y1]
            units = units if len(units) else None
        box = shapely.box(x0, y0, x1, y1)
        shown = hot.assign(geometry=hot.geometry.intersection(box))
        shown = shown[~shown.geometry.is_empty]
    plot_hotspots(
        shown,
        units=units,
        column="n_incidents",
        context=ctx["context"],
        ax=ax,
        title=None,
        labels=True,
        incidents=ctx["inc"],
        show_incidents=ctx["show_incidents"],
        min_count=ctx["min_count"],
        extent="hotspots",
        label_size=10 if focus is None else 13,
        legend_loc="below" if focus is None else "none",
        view=(x0, y0, x1, y1),
        mask=ctx["study_area"],
        streets_first=named,
        street_points=ctx.get("street_points"),
    )
    add_map_grid(ax, grid, fine=focus is not None)
    return add_basemap(ax, ctx["basemap"], crs=hot.crs, cache=ctx["tile_cache"])


_INSET = 0.36  # side of an overview inset, as a share of the map's shorter side


def _crowded(ax: Any, hot: Any, size: float) -> np.ndarray:
    """Positions in ``hot`` of the largest group of places whose labels would crowd.

    Two places crowd when their label points are closer on paper than 2.5 label
    heights (``size`` in points); a group is linked by such pairs. Empty: none.
    """
    if len(hot) < 2:
        return np.zeros(0, dtype=int)
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial.distance import cdist

    pts = hot.geometry.representative_point()
    xy = ax.transData.transform(np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()]))
    height = 1.4 * size * ax.figure.dpi / 72.0
    close = cdist(xy, xy) < 2.5 * height
    np.fill_diagonal(close, False)
    _, group = connected_components(close, directed=False)
    sizes = np.bincount(group)
    big = int(np.argmax(sizes))
    return np.flatnonzero(group == big) if sizes[big] >= 2 else np.zeros(0, dtype=int)


def _free_spot(ax: Any, ctx: dict[str, Any], cluster: tuple) -> tuple | None:
    """Return where an inset covers no data: beside the legend, else a corner of the map.

    Beside the legend below the map when at least 0.9 in is free there (a square
    as tall as the legend, figure fraction, ``"figure"``); else a corner of the map
    (axes fraction, ``"axes"``) under which no cell with a printed count, no place
    and not the crowded group itself lies. None when neither is free.
    """
    fig = ax.figure
    leg = ax.get_legend()
    if leg is not None:
        box = leg.get_window_extent().transformed(fig.transFigure.inverted())
        fw, fh = fig.get_size_inches()
        side_in = min(box.height * fh, (RIGHT - box.x1 - 0.015) * fw)
        if side_in >= 0.9:
            return ("figure", (RIGHT - side_in / fw, box.y0, side_in / fw, side_in / fh))
    box = ax.get_window_extent()
    side = _INSET * min(box.width, box.height)
    w, h = side / box.width, side / box.height
    cells, hot = ctx["cells"], ctx["hot"]
    taken = [hot.geometry.bounds.to_numpy(), np.asarray([cluster])]
    if cells is not None and "n_incidents" in cells:
        counted = cells["n_incidents"].to_numpy(dtype=float) >= ctx["min_count"]
        taken.append(cells.geometry.bounds.to_numpy()[counted])
    to_data = ax.transAxes + ax.transData.inverted()
    for x0, y0 in ((1 - w - 0.01, 0.01), (0.01, 0.01), (1 - w - 0.01, 1 - h - 0.01),
                   (0.01, 1 - h - 0.01)):
        (a, b), (c, d) = to_data.transform([(x0, y0), (x0 + w, y0 + h)])
        if not any(
            bool(((t[:, 0] < c) & (t[:, 2] > a) & (t[:, 1] < d) & (t[:, 3] > b)).any())
            for t in taken
            if len(t)
        ):
            return ("axes", (x0, y0, w, h))
    return None


def _inset(ax: Any, ctx: dict[str, Any], size: float = 10.0) -> Any:
    """Zoom on a crowded group of places in an inset where the map has no data.

    The group's labels leave the overview (a framed box there shows where the inset
    is) and the inset, at a larger scale, shows and labels each place of the group
    over the context layers (the counts per cell stay on the overview). Returns the inset Axes,
    or None when no group crowds or no corner is free (the overview's labels then
    keep their leader lines).
    """
    hot = ctx["hot"]
    ax.figure.canvas.draw()
    group = _crowded(ax, hot, size)
    if len(group) == 0:
        return None
    sub = hot.iloc[group]
    x0, y0, x1, y1 = sub.total_bounds
    pad = max(x1 - x0, y1 - y0) * 0.25 + 100.0
    cluster = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    spot = _free_spot(ax, ctx, cluster)
    if spot is None:
        return None
    kind, rect = spot
    axins = ax.inset_axes(rect) if kind == "axes" else ax.figure.add_axes(rect)
    half = max(cluster[2] - cluster[0], cluster[3] - cluster[1]) / 2
    cx, cy = (cluster[0] + cluster[2]) / 2, (cluster[1] + cluster[3]) / 2
    view = (cx - half, cy - half, cx + half, cy + half)
    # the places filled, over the streets and boundaries: the counts are on the overview
    plot_hotspots(
        sub, context=ctx["context"], ax=axins, title=None, labels=True,
        min_count=ctx["min_count"], extent="hotspots", label_size=size, legend_loc="none",
        view=view, mask=ctx["study_area"],
    )
    _drop_furniture(axins)
    axins.set_xticks([])
    axins.set_yticks([])
    for spine in axins.spines.values():
        spine.set(visible=True, linewidth=1.2, edgecolor="black")
    axins.set_zorder(30)
    axins.add_patch(mpl.patches.Rectangle(  # the map under it hidden (drawn off-axis too)
        (0, 0), 1, 1, transform=axins.transAxes, facecolor="white", edgecolor="none",
        zorder=-10))
    # a frame on the overview where the inset is; no connector lines to cross the map
    ax.indicate_inset((view[0], view[1], view[2] - view[0], view[3] - view[1]),
                      edgecolor="black", linewidth=1.2, alpha=1.0)
    ranks = sorted(int(r) for r in sub["rank"])
    drop_labels(ax, ranks)  # the group's numbers are in the inset
    ax._hotspot_inset_ranks = ranks
    ax._hotspot_inset_where = "beside the map's key" if kind == "figure" else (
        "in the corner of the map")
    return axins


def _legend_on_page(ax: Any) -> None:
    """Move a legend under the map to the left when it would run past the right margin.

    The legend hangs from the map's left edge; under a narrow map a long key (busy
    places, streets) can be wider than the room to the page's right margin.
    """
    leg = ax.get_legend()
    if leg is None:
        return
    fig = ax.figure
    fig.canvas.draw()
    box = leg.get_window_extent().transformed(fig.transFigure.inverted())
    over = box.x1 - RIGHT
    if over <= 0:
        return
    pos = ax.get_position()
    shift = min(over, max(box.x0 - LEFT, 0.0))  # never past the left margin either
    anchor = leg.get_bbox_to_anchor().transformed(ax.transAxes.inverted())
    leg.set_bbox_to_anchor((anchor.x0 - shift / pos.width, anchor.y0), transform=ax.transAxes)


def _drop_furniture(ax: Any) -> None:
    """Remove the scale bar and north arrow :func:`plot_hotspots` adds under a map."""
    for artist in [*ax.texts, *ax.patches, *ax.artists, *ax.lines]:
        gid = str(artist.get_gid() or "")
        if gid.startswith(("scale", "north")) or (artist in ax.texts and not gid):
            artist.remove()  # (the scale bar's "0" has no gid)


# --------------------------------------------------------------------- pages


def _cover(w: _Writer, ctx: dict[str, Any]) -> None:
    """Page 1: title, key facts, the map of ranked places and the table of places."""
    fig = w.new_page()
    period = ctx.get("period_text", "")  # a wrapped title keeps the period on one line
    title = ctx["title"].replace(period, period.replace(" ", "\u00a0")) if period else ctx["title"]
    w.text(title, size=17, bold=True, gap=0.002)
    w.text(ctx["subtitle"], size=11, colour="#444444", gap=0.01)
    w.pairs(ctx["facts"], key_w=0.15, size=9.5)
    rows = [
        [str(r["rank"]), r["name"], r["grid"], r["n"], r["share"], r["when"], r["dark"]]
        for r in ctx["top_rows"][:_COVER_ROWS]
    ]
    lh = _line_h(fig, _FONT) * 1.15
    read = textwrap.wrap(ctx["how_to_read"], _chars(RIGHT - LEFT, fig, _SMALL))
    more = len(ctx["top_rows"]) > _COVER_ROWS
    widths = [0.06, 0.36, 0.09, 0.1, 0.08, 0.22, 0.09]
    below = (
        (_table_lines(fig, rows, widths, RIGHT - LEFT, _FONT) + 1) * lh
        + (len(read) + more + 1) * _line_h(fig, _SMALL)
        + (2 * _line_h(fig, _SMALL) if ctx["basemap"] is not None else 0.0)
        + (2 * _line_h(fig, _SMALL) if ctx.get("off_map") else 0.0)
        + 0.03
    )
    top = w.y - 0.03
    ax = fig.add_axes((LEFT + 0.02, BOTTOM + below + 0.1, RIGHT - LEFT - 0.02, 0.1))
    ax.set_position(
        (LEFT + 0.02, BOTTOM + below + 0.1, RIGHT - LEFT - 0.02, top - below - 0.1 - BOTTOM)
    )
    note = _draw_map(ax, ctx)
    ax.set_anchor("N")
    for _ in range(3):  # shrink the map until map, legend, table and notes all fit
        fig.canvas.draw()
        low = ax.get_position().y0
        leg = ax.get_legend()
        if leg is not None:
            low = min(low, leg.get_window_extent().transformed(fig.transFigure.inverted()).y0)
        deficit = BOTTOM + below - (low - 0.012)
        if deficit <= 0:
            break
        pos = ax.get_position(original=True)
        ax.set_position((pos.x0, pos.y0 + deficit, pos.width, pos.height - deficit))
    w.y = low - 0.012
    _legend_on_page(ax)
    inset = _inset(ax, ctx)
    if inset is not None:
        ranks = ax._hotspot_inset_ranks
        said = ", ".join(map(str, ranks[:-1])) + f" and {ranks[-1]}"
        note = (f"Places {said} are close together: they are numbered in the enlarged box "
                f"{ax._hotspot_inset_where}. " + (note or "")).strip()
    for line in (ctx.get("off_map"), note):
        if line:
            w.text(line, size=_SMALL, colour="#444444")
    if not rows:
        w.text(ctx["no_hotspots"], size=_FONT + 1, bold=True)
    else:
        w.y = _table(
            fig,
            (LEFT, w.y, RIGHT - LEFT, (_table_lines(fig, rows, widths, RIGHT - LEFT, _FONT) + 1.2)
             * lh),
            ["Rank", "Place", "Grid", "Incidents", "Share", "When busiest", "Dark"],
            rows,
            widths,
            size=_FONT,
        )
        w.y -= 0.006
    if more:
        w.text(f"Places {_COVER_ROWS + 1}-{len(ctx['top_rows'])} have their own pages.")
    w.text(ctx["how_to_read"], size=_SMALL)


_MAP_H = (0.2, 0.30, 0.66)  # a place map's height (page fraction): least, first try, most


def _hotspot_page(w: _Writer, ctx: dict[str, Any], info: dict[str, Any]) -> None:
    """One place's page, its map sized so that the page is full but the advice fits.

    The map starts at 0.30 of the page; it shrinks (down to 0.2) when the advice
    would not fit even at 7 pt, and grows taller (up to 0.66, showing more of the
    streets around) while room is left under the advice, so a small place with
    little to say does not leave half a page blank.
    """
    sizes = [(_FONT, 7.5), (8.5, 7.0), (8.0, 7.0)]
    least, map_h, most = _MAP_H
    fitted = None
    for _ in range(6):
        fig = _place_top(w, ctx, info, map_h)
        room = w.y - BOTTOM - (_line_h(fig, _FONT + 1.5) + 0.004 if info["actions"] else 0.0)
        need = _height(fig, info["actions"], *sizes[-1]) if info["actions"] else 0.0
        roomy = _height(fig, info["actions"], *sizes[0]) if info["actions"] else 0.0
        if need > room and fitted is not None:  # grew too far: back to the last fit
            w.fig, w.page = None, w.page - 1
            fig = _place_top(w, ctx, info, fitted)
            break
        if need > room and map_h > least:
            grow = max(least, map_h - (need - room) - 0.01) - map_h
        elif need <= room and room - roomy > 0.04 and map_h < most:
            fitted = map_h
            # the scale bar's band under the map grows with it (0.075 of its height)
            grow = min(most, map_h + (room - roomy - 0.02) / 1.075) - map_h
        else:
            break
        if abs(grow) < 0.005:
            break
        w.fig, w.page = None, w.page - 1  # drop this draft, draw again with another map
        map_h += grow
    w.cont_title = info["title"]
    if not info["actions"]:
        return
    w.text("What to do here", size=_FONT + 1.5, bold=True)
    # the largest sizes (down to 7 pt) at which the advice fits; else it continues overleaf
    fit = next((sz for sz in sizes if _height(fig, info["actions"], *sz) <= w.y - BOTTOM), None)
    head, body = fit or sizes[-1]
    for item in info["actions"]:
        bold = item.get("bold", False)
        w.text(item["text"], size=head if bold else body, bold=bold, x=item.get("x", LEFT))


def _place_top(w: _Writer, ctx: dict[str, Any], info: dict[str, Any], map_h: float) -> Any:
    """Title, zoomed map, time table, mixes and facts of a place's page.

    The map is on the left; the time table on the right, and under it the offence
    and place-type mixes as long as they end beside the map; the mixes that do not
    go under the map, side by side. Without a time table (no time of day in the
    data) the map takes the page's width, and the sentence that says so goes with
    the facts under it.
    """
    fig = w.new_page()
    w.text(info["title"], size=15, bold=True, gap=0.002)
    w.text(info["headline"], size=_FONT + 0.5, gap=0.008)
    top = w.y
    # room above the map for the grid's letters (two rows of them with small squares)
    labels_h = 0.03 if ctx["grid"].sub > 1 else 0.015
    wide = info["time_table"] is None
    width = RIGHT - LEFT - 0.04 if wide else 0.42
    ax = fig.add_axes((LEFT + 0.02, top - map_h - labels_h, width, map_h))
    note = _draw_map(ax, ctx, focus=info["hotspot_id"])
    if wide:  # nothing beside the map: the mixes and the 'When' sentence go under it
        y_right = top
    else:
        title = textwrap.wrap(info["table_title"], _chars(RIGHT - 0.55, fig, _FONT + 1.5, True))
        fig.text(0.55, top, "\n".join(title), fontsize=_FONT + 1.5, fontweight="bold", va="top")
        t_h = min(0.27, 0.035 * len(info["time_table"]["rows"]))
        hax = fig.add_axes((0.63, top - 0.045 - 0.012 * len(title) - t_h, 0.31, t_h))
        _time_table(hax, info["time_table"])
        y_right = hax.get_position().y0 - 0.02
    # under the map's scale bar and north arrow (placed in fractions of the map's height)
    below_map = top - map_h - labels_h - max(0.035, 0.075 * map_h + 0.012)
    beside, under = [], []
    for mix in info["mixes"]:
        fits = not wide and y_right - _table_height(fig, mix[1], _SMALL) >= below_map
        (beside if fits and not under else under).append(mix)
        if fits and not under:
            y_right = _mix_table(fig, (0.55, y_right, RIGHT - 0.55), mix) - 0.012
    w.y = min(below_map, y_right)
    w.text(info["map_note"] + (" " + note if note else ""), size=_SMALL, colour="#444444")
    low = w.y
    for k, mix in enumerate(under):
        low = min(low, _mix_table(fig, (LEFT + 0.46 * k, w.y, 0.42), mix))
    w.y = low - 0.008
    w.pairs(([("When", info["time_note"])] if wide else []) + info["facts"], key_w=0.11)
    w.y -= 0.006
    return fig


def _mix_table(fig: Any, where: tuple[float, float, float], mix: tuple[str, list]) -> float:
    """One 'Offence mix' / 'Type of place' table at ``(x, y_top, width)``; its bottom."""
    title, rows = mix
    x, y, width = where
    return _table(fig, (x, y, width, 0.14), ["Category", "Incidents", "Share"], rows,
                  [0.6, 0.22, 0.18], size=_SMALL, title=title)


def _table_height(fig: Any, rows: list, size: float) -> float:
    """Height of a titled table of ``rows`` at ``size`` pt (as :func:`_table` draws it)."""
    lh = _line_h(fig, size) * 1.15
    return lh * 1.15 + (len(rows) + 1) * lh


def _height(fig: Any, items: list[dict[str, Any]], head: float, body: float) -> float:
    """Height (figure fraction) the advice items take at these font sizes."""
    total = 0.0
    for item in items:
        bold = item.get("bold", False)
        size = head if bold else body
        width = RIGHT - item.get("x", LEFT)
        n = len(textwrap.wrap(" ".join(item["text"].split()), _chars(width, fig, size, bold)))
        total += max(n, 1) * _line_h(fig, size) + 0.004
    return total


def _method_height(fig: Any, sections: list, size: float) -> float:
    """Height (figure fraction) the method notes take with body text of ``size`` pt."""
    total = 0.0
    for _, lines in sections:
        total += _line_h(fig, size + 2) + 0.004 + 0.008
        for line in lines:
            n = len(textwrap.wrap(" ".join(str(line).split()), _chars(RIGHT - LEFT - 0.02, fig,
                                                                        size)))
            total += max(n, 1) * _line_h(fig, size) + 0.004
    return total


def _method_page(w: _Writer, ctx: dict[str, Any]) -> None:
    """Write the analyst's notes: on one page when smaller type (down to 7.5 pt) fits them.

    Notes longer than a page keep the body size and continue on a second page,
    which is then well filled, rather than leaving a page with one line.
    """
    fig = w.new_page("Method notes and caveats (for your analyst)")
    w.text("Method notes and caveats (for your analyst)", size=15, bold=True, gap=0.01)
    sections = ctx["method_sections"]
    room = w.y - BOTTOM
    size = next(
        (s for s in (_FONT, 8.5, 8.0, 7.5) if _method_height(fig, sections, s) <= room), _FONT
    )
    for title, lines in sections:
        w.room(0.05)
        w.text(title, size=size + 2, bold=True)
        for line in lines:
            w.text(line, x=LEFT + 0.02, hang="•", size=size)
        w.y -= 0.008


def write_pages(path: Any, ctx: dict[str, Any], metadata: dict[str, str]) -> int:
    """Write the pack's pages to ``path``; return the number of pages.

    Examples
    --------
    >>> from hotspot.present.report_pages import LEFT, RIGHT
    >>> LEFT < RIGHT
    True
    """
    from matplotlib.backends.backend_pdf import PdfPages

    with (
        mpl.rc_context({"pdf.fonttype": 42, "font.size": _FONT}),
        PdfPages(path, metadata=metadata) as pdf,
    ):
        w = _Writer(pdf, ctx["size"], ctx["footer"])
        _cover(w, ctx)
        for info in ctx["pages"]:
            _hotspot_page(w, ctx, info)
        _method_page(w, ctx)
        w.close()
        return w.page
