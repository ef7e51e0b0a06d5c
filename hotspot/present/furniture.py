"""Map furniture for printed maps: scale bar, north arrow, title lines, halos.

Separate from :mod:`hotspot.present.maps` (what is drawn) so that every printed
map, the briefing pack's included, uses the same furniture.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from hotspot._core.validation import metres_factor
from hotspot.exceptions import InvalidInputError

__all__ = ["add_map_furniture", "add_map_grid", "add_north_arrow", "add_scale_bar"]

_FONT = 8.0  # pt; >= 7 pt on A4


# ------------------------------------------------------------------------ furniture


def _nice_length(target: float) -> float:
    """Largest 1, 2 or 5 x 10^k not above ``target`` (target > 0)."""
    exp = math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * 10**exp <= target:
            return float(m * 10**exp)
    return float(10**exp)  # pragma: no cover


def _format_length(metres: float) -> str:
    if metres >= 1000:
        km = metres / 1000
        return f"{km:g} km"
    return f"{metres:g} m"


def add_scale_bar(
    ax: Any,
    *,
    location: str = "lower left",
    crs: Any = None,
    fraction: float = 0.25,
    y: float = 0.035,
    pad: float = 0.04,
) -> Any:
    """Draw a two-segment black/white scale bar with a round length (m or km).

    Call it after the data are drawn (it reads the axis limits). The Axes must show a
    projected CRS; the unit of its coordinates is read from ``crs`` (or from the CRS
    the ``hotspot`` plot functions stored on the Axes), metres when unknown.

    Parameters
    ----------
    ax
        The map Axes.
    location
        ``"lower left"`` or ``"lower right"``.
    crs
        CRS of the Axes coordinates, to convert feet to metres.
    fraction
        Longest bar as a share of the map width; the length is rounded down to 1, 2 or
        5 x 10^k metres.
    y
        Height of the bar in axes fractions (negative: under the map).
    pad
        Gap between the bar and the map's side, as a share of the map width.

    Returns
    -------
    matplotlib.text.Text
        The label (``gid="scale_bar"``), e.g. ``"2 km"``.

    Examples
    --------
    >>> from hotspot.present.maps import new_map_figure, add_scale_bar
    >>> fig, ax = new_map_figure()
    >>> _ = ax.set_xlim(0, 10_000); _ = ax.set_ylim(0, 14_000)
    >>> add_scale_bar(ax).get_text()
    '2 km'
    """
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import blended_transform_factory

    crs = crs if crs is not None else getattr(ax, "_hotspot_crs", None)
    factor = metres_factor(crs) if crs is not None else 1.0
    x0, x1 = ax.get_xlim()
    width_m = abs(x1 - x0) * factor
    if not width_m > 0:
        raise InvalidInputError("the Axes has no width; draw the map before the scale bar.")
    length_m = _nice_length(width_m * fraction)
    length = length_m / factor
    pad = pad * (x1 - x0)
    if location == "lower left":
        start = x0 + pad
    elif location == "lower right":
        start = x1 - pad - length
    else:
        raise InvalidInputError(
            f"location={location!r} is not supported; use 'lower left' or 'lower right'."
        )
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    h = 0.008
    half = length / 2
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(
            Rectangle(
                (start + i * half, y),
                half,
                h,
                transform=trans,
                facecolor=colour,
                edgecolor="black",
                linewidth=0.6,
                zorder=20,
                gid="scale_bar",
                clip_on=False,  # also drawn when placed under the map frame
            )
        )
    style = {"transform": trans, "fontsize": _FONT, "zorder": 21, "va": "bottom"}
    halo = _halo()
    ax.text(start, y + h * 1.6, "0", ha="center", path_effects=halo, **style)
    return ax.text(
        start + length,
        y + h * 1.6,
        _format_length(length_m),
        ha="center",
        path_effects=halo,
        gid="scale_bar",
        **style,
    )


def add_north_arrow(ax: Any, *, x: float = 0.95, y: float = 0.93) -> Any:
    """Draw a north arrow in the upper right corner (axes fractions ``x``, ``y``).

    Grid north of the projected CRS is drawn; in a local UTM or state-plane CRS it is
    within a degree or two of true north over a city.

    Returns
    -------
    matplotlib.text.Annotation
        The arrow with its ``"N"`` label (``gid="north_arrow"``).

    Examples
    --------
    >>> from hotspot.present.maps import new_map_figure, add_north_arrow
    >>> fig, ax = new_map_figure()
    >>> add_north_arrow(ax).get_text()
    'N'
    """
    return ax.annotate(
        "N",
        xy=(x, y),
        xytext=(x, y - 0.06),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=_FONT + 2,
        fontweight="bold",
        arrowprops={
            "facecolor": "black",
            "edgecolor": "white",
            "width": 4,
            "headwidth": 11,
            "headlength": 10,
            "linewidth": 0.8,
        },
        path_effects=_halo(),
        zorder=21,
        gid="north_arrow",
    )


def period_label(start: Any, end: Any, *, months: bool = False) -> str:
    """Print a period in its one printed form: ``"1 Jan – 31 Dec 2019"``.

    The year is printed once when both ends share it, a one-day period is one date,
    and ``months=True`` (month-only data such as police.uk) prints months:
    ``"July 2016 – July 2018"``. Titles, footers, facts and map furniture all use it.

    Parameters
    ----------
    start, end
        First and last day of the period (dates, timestamps or date strings), both
        included.
    months
        Print months instead of days.

    Returns
    -------
    str

    Examples
    --------
    >>> period_label("2019-01-01", "2019-12-31")
    '1 Jan – 31 Dec 2019'
    >>> period_label("2019-07-01", "2020-06-30")
    '1 Jul 2019 – 30 Jun 2020'
    >>> period_label("2016-07-01", "2016-07-31", months=True)
    'July 2016'
    """
    try:
        a, b = pd.Timestamp(start), pd.Timestamp(end)
    except (TypeError, ValueError) as exc:
        msg = f"`period` must be a (start, end) pair of dates, got {(start, end)!r}."
        raise InvalidInputError(msg) from exc
    if pd.isna(a) or pd.isna(b):
        msg = f"`period` must be a (start, end) pair of dates, got {(start, end)!r}."
        raise InvalidInputError(msg)
    if months:
        first, last = f"{a:%B %Y}", f"{b:%B %Y}"
        if first == last:
            return first
        return f"{a:%B} – {last}" if a.year == b.year else f"{first} – {last}"
    if a.date() == b.date():
        return f"{a.day} {a:%b %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b} – {b.day} {b:%b %Y}"
    return f"{a.day} {a:%b %Y} – {b.day} {b:%b %Y}"


def period_text(period: str | tuple[Any, Any]) -> str:
    """Text of a period: a ``(start, end)`` pair of dates as printed, or text as given.

    Examples
    --------
    >>> period_text(("2019-01-01", "2019-12-31"))
    '1 Jan – 31 Dec 2019'
    >>> period_text("2019")
    '2019'
    """
    if isinstance(period, str):
        return period
    try:
        start, end = period
    except (TypeError, ValueError) as exc:
        msg = f"`period` must be a (start, end) pair of dates or a text, got {period!r}."
        raise InvalidInputError(msg) from exc
    return period_label(start, end)


def add_map_furniture(
    ax: Any,
    *,
    title: str | None = None,
    period: str | tuple[Any, Any] | None = None,
    source: str | None = None,
    caveat: str | None = None,
    scale_bar: bool = True,
    north_arrow: bool = True,
) -> Any:
    """Add title, period, source and caveat lines, a scale bar and a north arrow.

    The title and the period go above the map; source and caveat go below it, in the
    Axes coordinates so that they move with the Axes. Texts carry ``gid`` values
    ``"title"``, ``"period"``, ``"source"``, ``"caveat"``. ``period`` is a
    ``(start, end)`` pair of dates (printed "1 Jan – 31 Dec 2019") or the text
    to print.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from hotspot.present.maps import new_map_figure, add_map_furniture
    >>> fig, ax = new_map_figure()
    >>> _ = ax.set_xlim(0, 5000); _ = ax.set_ylim(0, 7000)
    >>> ax = add_map_furniture(ax, title="Robbery", period="2019", source="MPD")
    >>> ax.get_title(loc="left")
    'Robbery'
    """
    if title:
        ax.set_title(
            title,
            fontsize=14,
            fontweight="bold",
            loc="left",
            pad=26 if period is not None and len(period) else 8,
            gid="title",
        )
    if period is not None and len(period):  # offset in points: the same gap on any paper
        ax.annotate(
            f"Period: {period_text(period)}",
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, 5),
            textcoords="offset points",
            fontsize=_FONT + 2,
            ha="left",
            va="bottom",
            gid="period",
        )
    lines = [
        (f"Source: {source}", "source", "normal") if source else None,
        (caveat, "caveat", "italic") if caveat else None,
    ]
    y = -0.012
    for item in lines:
        if item is None:
            continue
        text, gid, style = item
        ax.text(
            0,
            y,
            text,
            transform=ax.transAxes,
            fontsize=_FONT,
            ha="left",
            va="top",
            style=style,
            wrap=True,
            gid=gid,
        )
        y -= 0.022
    if scale_bar:
        add_scale_bar(ax)
    if north_arrow:
        add_north_arrow(ax)
    return ax


def _halo(width: float = 2.5) -> list[Any]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=width, foreground="white")]


def add_map_grid(ax: Any, grid: Any, *, size: float = _FONT, fine: bool = False) -> int:
    """Draw a letters x numbers reference grid, labelled outside the map frame.

    Thin grey lines at the square edges of ``grid`` (a
    :class:`hotspot.scan.places.MapGrid`); column letters above the frame, row
    numbers left of it, for every column and row at least partly in view. The
    same ``grid`` drawn on an overview and on a zoomed map gives the same
    references, so ``"C4"`` in a table finds the place on either. With
    ``fine=True`` and a grid of small squares (``grid.sub > 1``) the small
    squares are drawn too, their letters and numbers next to the frame and the
    square's own (``C``, ``4``) outside them, so ``"C4 b2"`` reads off the map.

    Returns
    -------
    int
        The number of grid labels written (``gid="grid_label"`` for squares,
        ``"grid_label_fine"`` for small squares).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from hotspot.scan.places import map_grid
    >>> fig, ax = plt.subplots(); _ = ax.set_xlim(0, 4000); _ = ax.set_ylim(0, 3000)
    >>> add_map_grid(ax, map_grid((0, 0, 4000, 3000)))
    14
    >>> fig, ax = plt.subplots(); _ = ax.set_xlim(0, 1000); _ = ax.set_ylim(0, 1000)
    >>> add_map_grid(ax, map_grid((0, 0, 8000, 8000), detail=300), fine=True)
    10
    """
    view = (*sorted(ax.get_xlim()), *sorted(ax.get_ylim()))
    small = fine and grid.sub > 1
    lines = {"color": "#7f7f7f", "linewidth": 0.45, "linestyle": (0, (4, 3)), "zorder": 5.7}
    if small:  # the squares' edges stand out from the small squares'
        lines = {"color": "#404040", "linewidth": 0.9, "linestyle": (0, (6, 3)), "zorder": 5.7}
        thin = {"color": "#8c8c8c", "linewidth": 0.4, "linestyle": (0, (2, 3)), "zorder": 5.65}
        _grid_lines(ax, grid, grid.sub_size, view, thin, "map_grid_fine")
    _grid_lines(ax, grid, grid.size, view, lines, "map_grid")
    label = {"fontweight": "bold", "path_effects": _halo(2.0), "clip_on": False}
    n = 0
    # the squares' labels sit outside the small squares' (a line above, digits left)
    pad = (0.0, 0.0)
    if small:
        n += _grid_labels(ax, grid, view, grid.sub_size, pad, size - 1, "grid_label_fine", label)
        pad = (0.6 * (size - 1) * len(str(grid.sub)) + 6.0, 1.3 * (size - 1) + 2.0)
        # the square's letter and number boxed, so "4" beside "3" never reads "43"
        label = label | {"bbox": {"boxstyle": "round,pad=0.15", "fc": "#dddddd", "ec": "none"}}
    n += _grid_labels(ax, grid, view, grid.size, pad, size, "grid_label", label)
    return n


def _grid_lines(ax: Any, grid: Any, step: float, view: Any, style: dict, gid: str) -> None:
    x0, x1, y0, y1 = view
    gx0, gy0, gx1, gy1 = grid.bounds
    for k in range(round((gx1 - gx0) / step) + 1):
        gx = gx0 + k * step
        if x0 < gx < x1:
            ax.axvline(gx, **style, gid=gid)
    for k in range(round((gy1 - gy0) / step) + 1):
        gy = gy1 - k * step
        if y0 < gy < y1:
            ax.axhline(gy, **style, gid=gid)


def _grid_labels(
    ax: Any,
    grid: Any,
    view: Any,
    step: float,
    pad: tuple[float, float],
    size: float,
    gid: str,
    style: dict,
) -> int:
    """Label the columns (above) and rows (left) of squares of side ``step`` in view.

    ``pad`` (points, left and up) moves the labels further out, beyond another set.
    """
    from matplotlib.transforms import blended_transform_factory, offset_copy

    x0, x1, y0, y1 = view
    gx0, gy0, gx1, gy1 = grid.bounds
    fig = ax.figure
    top = offset_copy(
        blended_transform_factory(ax.transData, ax.transAxes), fig=fig, y=pad[1], units="points"
    )
    left = offset_copy(
        blended_transform_factory(ax.transAxes, ax.transData), fig=fig, x=-pad[0], units="points"
    )
    fine = step < grid.size
    # a square wider than the map is labelled wherever a fifth of the map shows it
    least_x, least_y = 0.2 * min(step, x1 - x0), 0.2 * min(step, y1 - y0)
    n = 0
    for i in range(round((gx1 - gx0) / step)):
        lo, hi = max(gx0 + i * step, x0), min(gx0 + (i + 1) * step, x1)
        if hi - lo > least_x:
            text = grid.sub_col_label(i % grid.sub) if fine else grid.col_label(i)
            ax.text((lo + hi) / 2, 1.004, text, transform=top, ha="center", va="bottom",
                    fontsize=size, gid=gid, **style)
            n += 1
    for j in range(round((gy1 - gy0) / step)):
        lo, hi = max(gy1 - (j + 1) * step, y0), min(gy1 - j * step, y1)
        if hi - lo > least_y:
            text = grid.sub_row_label(j % grid.sub) if fine else grid.row_label(j)
            ax.text(-0.006, (lo + hi) / 2, text, transform=left, ha="right", va="center",
                    fontsize=size, gid=gid, **style)
            n += 1
    return n


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
