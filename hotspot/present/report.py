"""Printed briefing packs: a multi-page PDF per beat or district for patrol officers.

:func:`briefing` writes one PDF for one area (a beat, a district, or the whole
data); :func:`briefings` writes one per area of a polygon layer. Pages:

1. **Cover summary**: area, period, number of incidents, change against the
   previous period of the same length, and the ranked list of top places with
   when they are hot and their dark share.
2. **Overview map**: the area outline, the ranked hotspots with labels, a legend,
   a scale bar and a north arrow.
3. **One page per top hotspot**: a zoomed map, an hour x weekday table, offence
   and location mix, dark share with its confidence interval, the emerging-hotspot
   category, recommended interventions and a patrol plan (when those modules are
   installed).
4. **Method notes and caveats**: the ingest report, the suppression rule,
   privacy and bias caveats.

Privacy by default: no incident points are drawn unless ``show_incidents=True``,
and hotspots, map cells and table cells with fewer than ``min_count`` incidents are
suppressed. All text is real (searchable) PDF text.
"""

from __future__ import annotations

import re
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely

from hotspot._core.deprecation import (
    path_before_data,
    renamed_arguments,
    reordered_arguments,
)
from hotspot._core.meta import note_choice
from hotspot._core.time import circular_window_sums, local_period, series_tz
from hotspot._core.validation import (
    check_geodataframe,
    check_points,
    check_projected,
    check_same_crs,
)
from hotspot.exceptions import InvalidInputError
from hotspot.pipeline import scan

__all__ = ["briefing", "briefings"]

_PAPER = {"a4": (8.27, 11.69), "letter": (8.5, 11.0)}
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_BANDS = 8  # 3-hour bands in the printed hour x weekday table
_FONT = 9.0  # body text, points
_SMALL = 8.0  # smallest text on the page, points
_CAVEAT = (
    "Police-recorded incidents only: places and times reflect reporting and patrol "
    "patterns as well as crime. Privacy: no individual incidents are shown."
)


# --------------------------------------------------------------------- inputs


def _as_area(area: Any, incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    if area is None:
        return None
    if isinstance(area, gpd.GeoSeries):
        area = gpd.GeoDataFrame(geometry=area)
    check_geodataframe(area, "area")
    check_same_crs(incidents, area, "incidents", "area")
    if not bool(area.geom_type.isin(["Polygon", "MultiPolygon"]).all()):
        msg = "`area` must hold polygons (e.g. one district); got other geometry types."
        raise InvalidInputError(msg)
    return area


def _period(incidents: gpd.GeoDataFrame, period: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    at = incidents["occurred_at"]
    if period is None:
        if at.notna().sum() == 0:
            msg = "`incidents` have no usable `occurred_at`; give `period=(start, end)`."
            raise InvalidInputError(msg)
        return at.min(), at.max()
    return local_period(period, series_tz(at), "period", whole_end_day=True)


def _in_window(at: pd.Series, start: pd.Timestamp, end: pd.Timestamp, closed_end: bool) -> Any:
    if closed_end:
        return ((at >= start) & (at <= end)).fillna(False).to_numpy(dtype=bool)
    return ((at >= start) & (at < end)).fillna(False).to_numpy(dtype=bool)


def _previous_change(
    all_inc: gpd.GeoDataFrame, start: pd.Timestamp, end: pd.Timestamp, n_now: int
) -> dict[str, Any]:
    """Count incidents in the window of the same length just before the period."""
    length = end - start
    prev_start, prev_end = start - length, start
    at = all_inc["occurred_at"]
    first = at.min()
    slack = max(pd.Timedelta(days=1), 0.03 * length)  # data may start a few days late
    if length <= pd.Timedelta(0) or pd.isna(first) or first > prev_start + slack:
        return {"available": False, "text": "not available (no data for the previous period)"}
    n_prev = int(_in_window(at, prev_start, prev_end, closed_end=False).sum())
    if n_prev == 0:
        text = f"{n_now:,} vs 0 in the previous period"
    else:
        pct = 100.0 * (n_now - n_prev) / n_prev
        text = f"{pct:+.0f}% ({n_now:,} vs {n_prev:,} in the previous period)"
    return {
        "available": True,
        "n_prev": n_prev,
        "text": text,
        "window": f"{prev_start:%d %b %Y} - {prev_end - pd.Timedelta(seconds=1):%d %b %Y}",
    }


def _default_hotspots(
    inc: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame | None,
    area: gpd.GeoDataFrame | None,
    choices: dict[str, Any],
    scan_args: dict[str, Any],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    # cells of the area only (study_area): empty cells outside it would bias Gi*
    cells, hot = scan(inc, units=units, study_area=area, **scan_args)
    note_choice(
        choices,
        "hotspots",
        "hotspot.pipeline.scan(method='gistar')",
        "no hotspots given: the default scan (grid -> count -> Gi* 99 % and 95 % hot "
        "cells, FDR-corrected, merged)",
    )
    return hot, cells


# --------------------------------------------------------------------- analysis


def _peak(profile: pd.DataFrame) -> str:
    """'Fri, Sat 20:00-24:00' from a 24 x 7 profile."""
    values = profile.to_numpy(dtype=float)
    if not np.isfinite(values).any() or values.sum() <= 0:
        return "no known times"
    days = values.sum(axis=0)
    order = np.argsort(-days, kind="stable")
    top_days = (
        [_DAYS[i] for i in sorted(order[:2])]
        if days[order[1]] >= 0.8 * days[order[0]]
        else [_DAYS[order[0]]]
    )
    window = 4
    h0 = int(np.argmax(circular_window_sums(values.sum(axis=1), window)))
    h1 = (h0 + window) % 24
    return f"{', '.join(top_days)} {h0:02d}:00-{(h1 or 24):02d}:00"


def _profiles(inc: gpd.GeoDataFrame, member: pd.Series, tz: Any) -> pd.DataFrame | None:
    from hotspot.analyse.temporal import temporal_profile

    try:
        return temporal_profile(inc, by=member, tz=tz)
    except Exception:
        return None


def _dark(inc: gpd.GeoDataFrame, member: pd.Series, tz: Any) -> pd.DataFrame | None:
    from hotspot.analyse.darkness import dark_share

    try:
        return dark_share(inc, by=member, tz=tz)
    except Exception:
        return None


def _emerging(
    inc: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame | None,
    hot: gpd.GeoDataFrame,
) -> dict[int, str]:
    """Emerging-hotspot category per hotspot: that of most of its incidents' cells."""
    from hotspot.analyse.emerging import emerging_hotspots

    if units is None or len(inc) == 0:
        return {}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # row/col kept: a square grid then takes the binning fast path, not an STRtree
            keep = [c for c in ("row", "col") if c in units.columns] + ["geometry"]
            ehsa = emerging_hotspots(inc, units[keep], freq="M")
    except Exception:
        return {}
    note = (
        " (fewer than 10 months of data: indicative only)"
        if any("time steps" in str(w.message) for w in caught)
        else ""
    )
    cents = gpd.GeoDataFrame(
        {
            "cat": ehsa["emerging_category"].astype(str).to_numpy(),
            "n": ehsa["n_incidents"].to_numpy(dtype=float),
        },
        geometry=ehsa.geometry.centroid.to_numpy(),
        crs=ehsa.crs,
    )
    tree = shapely.STRtree(cents.geometry.to_numpy())
    out: dict[int, str] = {}
    for hid, geom in zip(hot["hotspot_id"], hot.geometry, strict=True):
        idx = tree.query(geom, predicate="intersects")
        if len(idx) == 0:
            continue
        sub = cents.iloc[idx]
        out[int(hid)] = str(sub.groupby("cat")["n"].sum().idxmax()) + note
    return out


def _interventions(
    hot: gpd.GeoDataFrame, inc: gpd.GeoDataFrame, enabled: bool, setting: str | None,
    random_state: Any = 0,
) -> tuple[pd.DataFrame | None, str]:
    if not enabled:
        return None, "not requested"
    try:
        from hotspot.respond.interventions import score_interventions
    except ImportError:
        return None, "not available (intervention scoring is not installed)"
    try:
        return score_interventions(inc, hot, setting=setting, random_state=random_state), ""
    except Exception as exc:
        return None, f"not available ({type(exc).__name__}: {exc})"


def _patrol(
    hot: gpd.GeoDataFrame, inc: gpd.GeoDataFrame, hours: float | None, random_state: Any = 0
) -> tuple[pd.DataFrame | None, str]:
    if hours is None:
        return None, "not requested (give officer_hours_per_week)"
    try:
        from hotspot.respond.patrol import patrol_plan
    except ImportError:
        return None, "not available (patrol planning is not installed)"
    try:
        return patrol_plan(inc, hot, officer_hours_per_week=hours, random_state=random_state), ""
    except Exception as exc:
        return None, f"not available ({type(exc).__name__}: {exc})"


def _mix(values: pd.Series, min_count: int, top: int = 5) -> list[list[str]]:
    counts = values.astype("string").fillna("unknown").value_counts()
    total = int(counts.sum())
    rows: list[list[str]] = []
    other = 0
    for i, (name, n) in enumerate(counts.items()):
        if i < top and n >= min_count:
            rows.append([_clip(str(name), 24), f"{n:,}", f"{100 * n / total:.0f}%"])
        else:
            other += int(n)
    if other:
        rows.append(
            ["other / fewer than " + str(min_count), f"{other:,}", f"{100 * other / total:.0f}%"]
        )
    return rows


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------- drawing


def _draw_map(
    ax: Any,
    *,
    area: gpd.GeoDataFrame | None,
    hot: gpd.GeoDataFrame,
    cells: Any,
    inc: gpd.GeoDataFrame,
    show_incidents: bool,
    focus: Any = None,
    min_count: int = 3,
) -> None:
    """Draw the area outline, counts per cell (suppressed under min_count), ranked hotspots."""
    from hotspot.present.maps import plot_hotspots

    units = cells if cells is not None and "n_incidents" in cells else None
    shown = hot
    extent = "auto"
    if focus is not None:
        geom = hot.loc[hot["hotspot_id"] == focus].geometry.iloc[0]
        bx0, by0, bx1, by1 = geom.bounds
        half = max(bx1 - bx0, by1 - by0, 400.0) * 0.65
        cx, cy = (bx0 + bx1) / 2, (by0 + by1) / 2
        if units is not None:
            units = units.cx[cx - half : cx + half, cy - half : cy + half]
        if units is None or len(units) == 0:
            units, extent = None, "hotspots"
        box = shapely.box(cx - half, cy - half, cx + half, cy + half)
        shown = hot.assign(geometry=hot.geometry.intersection(box))
        shown = shown[~shown.geometry.is_empty]
    plot_hotspots(
        shown,
        units=units,
        column="n_incidents",
        context=area,
        ax=ax,
        title=None,
        labels=True,
        incidents=inc,
        show_incidents=show_incidents,
        min_count=min_count,
        extent=extent,
        label_size=10 if focus is None else 13,
    )
    if focus is not None and ax.get_legend() is not None:
        ax.get_legend().remove()


def _table(
    ax: Any,
    header: list[str],
    rows: list[list[str]],
    widths: list[float],
    *,
    fontsize: float = _FONT,
    title: str | None = None,
    row_h: float | None = None,
) -> None:
    """Plain text table in axes coordinates (real text, no rasterization)."""
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    top = 1.0
    if title:
        ax.text(0, top, title, fontsize=fontsize + 1.5, fontweight="bold", va="top")
        top -= 0.16 if row_h is None else row_h * 1.3
    n = len(rows) + 1
    h = row_h if row_h is not None else min(0.12, top / max(n, 1))
    xs = np.concatenate([[0.0], np.cumsum(widths)[:-1]])
    for j, text in enumerate(header):
        ax.text(xs[j] + 0.005, top - h / 2, text, fontsize=fontsize, fontweight="bold", va="center")
    ax.plot([0, sum(widths)], [top - h, top - h], color="black", lw=0.8)
    for i, row in enumerate(rows):
        y = top - (i + 1.5) * h
        if i % 2 == 1:
            ax.add_patch(
                mpl.patches.Rectangle((0, y - h / 2), sum(widths), h, color="#f0f0f0", lw=0)
            )
        for j, text in enumerate(row):
            ax.text(xs[j] + 0.005, y, text, fontsize=fontsize, va="center")


def _heat_table(ax: Any, profile: pd.DataFrame | None, min_count: int) -> None:
    if profile is None or float(profile.to_numpy().sum()) == 0:
        ax.set_axis_off()
        ax.text(0, 0.5, "Time profile not available (no known times).", fontsize=_FONT)
        return
    values = profile.to_numpy(dtype=float).reshape(_BANDS, 24 // _BANDS, 7).sum(axis=1)
    shown = np.where(values >= min_count, values, np.nan)
    ax.imshow(
        np.nan_to_num(shown),
        cmap="OrRd",
        aspect="auto",
        vmin=0,
        vmax=max(float(np.nanmax(values)), 1.0),
    )
    step = 24 // _BANDS
    for r in range(_BANDS):
        for c in range(7):
            v = values[r, c]
            text = f"{v:.0f}" if v >= min_count else ("-" if v == 0 else f"<{min_count}")
            dark = v >= min_count and v > 0.6 * np.nanmax(values)
            ax.text(
                c,
                r,
                text,
                ha="center",
                va="center",
                fontsize=_SMALL,
                color="white" if dark else "black",
            )
    ax.set_xticks(range(7), _DAYS, fontsize=_SMALL)
    ax.set_yticks(
        range(_BANDS),
        [f"{r * step:02d}-{(r + 1) * step:02d}h" for r in range(_BANDS)],
        fontsize=_SMALL,
    )
    ax.tick_params(length=0)
    ax.xaxis.tick_top()


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _footer(fig: Any, text: str, page: int) -> None:
    fig.text(0.06, 0.025, _wrap(text, 120), fontsize=_SMALL, color="#444444", va="bottom")
    fig.text(0.94, 0.025, f"Page {page}", fontsize=_SMALL, ha="right", va="bottom")


# --------------------------------------------------------------------- pages


def _new_page(size: tuple[float, float]) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=size)


def _cover(fig: Any, ctx: dict[str, Any]) -> None:
    fig.text(0.06, 0.95, ctx["title"], fontsize=18, fontweight="bold", va="top")
    fig.text(
        0.06, 0.915, "Hotspot briefing for patrol officers", fontsize=11, va="top", color="#444444"
    )
    lines = [
        ("Area", ctx["area_name"]),
        ("Period", ctx["period_text"]),
        ("Incidents", f"{ctx['n']:,}" + (f" ({ctx['offences']})" if ctx["offences"] else "")),
        ("Change", ctx["change"]["text"]),
        ("Hotspots", ctx["hotspot_summary"]),
    ]
    y = 0.87
    for key, value in lines:
        fig.text(0.06, y, key, fontsize=10.5, fontweight="bold", va="top")
        wrapped = _wrap(value, 78)
        fig.text(0.22, y, wrapped, fontsize=10.5, va="top")
        y -= 0.028 * (wrapped.count("\n") + 1)
    ax = fig.add_axes((0.06, 0.30, 0.88, y - 0.33))
    rows = []
    for r in ctx["top_rows"]:
        rows.append([str(r["rank"]), r["name"], r["n"], r["share"], r["when"], r["dark"]])
    if not rows:
        rows = [["-", "no hotspot with enough incidents", "", "", "", ""]]
    _table(
        ax,
        ["Rank", "Place", "Incidents", "Share", "When hot", "Dark"],
        rows,
        [0.08, 0.2, 0.13, 0.1, 0.34, 0.15],
        fontsize=10,
        title="Top places",
        row_h=0.075,
    )
    text = (
        "How to read this pack: page 2 maps the ranked places; each following page covers "
        "one place: when it is hot, what happens there, what to do and why. 'When hot' is "
        "the two busiest weekdays and the busiest 4-hour window. 'Dark' is the share of "
        "incidents with a known time that happened after civil dusk or before civil dawn. "
        "Places are ranked by number of incidents."
    )
    fig.text(0.06, 0.27, _wrap(text, 100), fontsize=_FONT, va="top")
    _footer(fig, ctx["footer"], 1)


def _overview(fig: Any, ctx: dict[str, Any]) -> None:
    fig.text(
        0.06, 0.95, f"Overview map: {ctx['area_name']}", fontsize=15, fontweight="bold", va="top"
    )
    fig.text(0.06, 0.92, f"Ranked hotspots, {ctx['period_text']}", fontsize=10, va="top")
    ax = fig.add_axes((0.06, 0.08, 0.88, 0.82))
    _draw_map(
        ax,
        area=ctx["area"],
        hot=ctx["hot"],
        cells=ctx["cells"],
        inc=ctx["inc"],
        show_incidents=ctx["show_incidents"],
        min_count=ctx["min_count"],
    )
    ax.set_anchor("N")
    fig.canvas.draw()
    bottom = ax.get_position().y0
    y = bottom - 0.02
    for r in ctx["top_rows"]:
        fig.text(
            0.06,
            y,
            f"Hotspot {r['rank']}: {r['n']} incidents ({r['share']}), busiest "
            f"{r['when']}, {r['dark']} in darkness",
            fontsize=_FONT + 0.5,
            va="top",
        )
        y -= 0.02
    _footer(fig, ctx["footer"], 2)


def _hotspot_page(fig: Any, ctx: dict[str, Any], row: pd.Series, page: int) -> None:
    hid = int(row["hotspot_id"])
    info = ctx["per_hotspot"][hid]
    fig.text(0.06, 0.955, info["name"], fontsize=15, fontweight="bold", va="top")
    head = (
        f"{int(row['n_incidents']):,} incidents ({100 * float(row['share']):.1f}% of the "
        f"area's) on {float(row['area_km2']):.2f} km²{info['concentration']}. "
        f"Busiest: {info['when']}."
    )
    fig.text(0.06, 0.925, _wrap(head, 110), fontsize=_FONT + 0.5, va="top")
    ax = fig.add_axes((0.06, 0.57, 0.44, 0.33))
    _draw_map(
        ax,
        area=ctx["area"],
        hot=ctx["hot"],
        cells=ctx["cells"],
        inc=ctx["inc"],
        show_incidents=ctx["show_incidents"],
        focus=hid,
        min_count=ctx["min_count"],
    )
    fig.text(
        0.56,
        0.905,
        "When: incidents by time and weekday",
        fontsize=_FONT + 1.5,
        fontweight="bold",
        va="top",
    )
    hax = fig.add_axes((0.63, 0.585, 0.31, 0.28))
    _heat_table(hax, info["profile"], ctx["min_count"])
    fig.text(
        0.06,
        0.565,
        f"Shading: incidents per grid cell as on page 2; grey cells have fewer "
        f"than {ctx['min_count']}.",
        fontsize=_SMALL,
        va="top",
        color="#444444",
    )
    y_top = 0.535
    for k, (title, rows) in enumerate(info["mixes"]):
        mix_ax = fig.add_axes((0.06 + 0.46 * k, y_top - 0.12, 0.42, 0.12))
        _table(
            mix_ax,
            ["Category", "Incidents", "Share"],
            rows or [["not recorded", "", ""]],
            [0.6, 0.22, 0.18],
            fontsize=_SMALL,
            title=title,
            row_h=0.13,
        )
    y = y_top - 0.135
    for key, value in (("Darkness", info["dark"]), ("Trend", info["emerging"])):
        fig.text(0.06, y, key, fontsize=_FONT, fontweight="bold", va="top")
        wrapped = _wrap(value, 100)
        fig.text(0.17, y, wrapped, fontsize=_FONT, va="top")
        y -= 0.0155 * (wrapped.count("\n") + 1) + 0.005
    y -= 0.006
    fig.text(0.06, y, "What to do here", fontsize=_FONT + 1.5, fontweight="bold", va="top")
    y -= 0.024
    for line in info["actions"]:
        indent = 0.09 if line.startswith("   ") else 0.06
        wrapped = _wrap(line.strip(), 100 if indent == 0.06 else 118)
        bold = not line.startswith("   ")
        fig.text(
            indent,
            y,
            wrapped,
            fontsize=_FONT if bold else _SMALL,
            va="top",
            fontweight="bold" if bold else "normal",
        )
        y -= (0.0155 if bold else 0.014) * (wrapped.count("\n") + 1) + 0.004
    _footer(fig, ctx["footer"], page)


def _method_page(fig: Any, ctx: dict[str, Any], page: int) -> None:
    fig.text(0.06, 0.955, "Method notes and caveats", fontsize=15, fontweight="bold", va="top")
    sections = [
        ("Data", ctx["ingest_lines"]),
        ("How hotspots were found", ctx["method_lines"]),
        (
            "Privacy and suppression",
            [
                f"Counts below {ctx['min_count']} are suppressed: such map cells are not shaded, "
                f"such hotspots are not listed, and such table cells show '<{ctx['min_count']}'.",
                "No individual incident locations are printed."
                if not ctx["show_incidents"]
                else "Individual incident locations ARE printed on the maps (show_incidents=True): "
                "handle this pack as restricted.",
            ],
        ),
        (
            "Caveats",
            [
                "Police-recorded crime is not all crime: it reflects what people report and where "
                "police patrol. Places with more patrol can look hotter; under-reported offences "
                "and communities are under-counted.",
                "A hotspot is a place, not a group of people. Do not use this pack to target "
                "individuals or communities; use it to plan problem-solving at places.",
                "Times at exactly midnight are often placeholders for unknown times and are left "
                "out of the time tables and dark shares.",
                "Intervention estimates are averages from published evaluations; local effects "
                "vary. Assess what you do (before/after with a comparison area).",
            ],
        ),
    ]
    y = 0.91
    for title, lines in sections:
        fig.text(0.06, y, title, fontsize=11, fontweight="bold", va="top")
        y -= 0.025
        for line in lines:
            wrapped = _wrap(line, 100)
            fig.text(0.08, y, wrapped, fontsize=_FONT, va="top")
            fig.text(0.065, y, "•", fontsize=_FONT, va="top")
            y -= 0.0165 * (wrapped.count("\n") + 1) + 0.005
        y -= 0.012
    _footer(fig, ctx["footer"], page)


# --------------------------------------------------------------------- public


def _fmt_money(value: Any, currency: str) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{currency} {v:,.0f}".strip()


def _short_reason(text: str, limit: int = 330) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def _actions(
    hid: int,
    scores: pd.DataFrame | None,
    score_note: str,
    plan: pd.DataFrame | None,
    plan_note: str,
) -> list[str]:
    """Lines of the 'What to do here' block; indented lines are the reasons."""
    lines: list[str] = []
    if scores is None:
        lines.append(f"Recommended interventions: {score_note}.")
    else:
        sub = scores[scores["hotspot_id"] == hid] if "hotspot_id" in scores else scores.iloc[:0]
        if "prevented" in sub:
            sub = sub[sub["prevented"] > 0].sort_values("prevented", ascending=False)
        if len(sub) == 0:
            lines.append(
                "Recommended interventions: none of the catalogue's interventions "
                "applies to the incidents of this place."
            )
        for i, (_, r) in enumerate(sub.head(3).iterrows(), start=1):
            name = _clip(str(r.get("name", r.get("intervention", "intervention"))), 60)
            est = ""
            if "prevented" in r:
                est = f": about {float(r['prevented']):.0f} fewer incidents a year"
                if "prevented_low" in r and "prevented_high" in r:
                    est += (
                        f" (range {float(r['prevented_low']):.0f}-{float(r['prevented_high']):.0f})"
                    )
            if "cost" in r and pd.notna(r["cost"]):
                est += f", cost about {_fmt_money(r['cost'], str(r.get('currency', '')))}"
            lines.append(f"{i}. {name}{est}.")
            if "reason" in r and pd.notna(r["reason"]):
                reason = str(r["reason"]).strip()
                full = str(r.get("name", ""))
                if full and reason.startswith(full):
                    reason = reason[len(full) :].lstrip(" :")
                lines.append("   Why: " + _short_reason(reason, 240))
    if plan is None:
        lines.append(f"Patrol plan: {plan_note}.")
    else:
        sub = plan[plan["hotspot_id"] == hid] if "hotspot_id" in plan else plan.iloc[:0]
        if len(sub) == 0:
            lines.append("Patrol plan: no patrol visit allocated to this place in the budget.")
        else:
            mins = pd.to_numeric(sub["duration_min"], errors="coerce")
            lines.append(
                f"Patrol plan: {len(sub)} visits a week of about {mins.median():.0f} "
                f"minutes ({mins.sum() / 60:.1f} officer-hours)."
            )
            per_day = sub.groupby(sub["day"].astype(str), sort=False).size()
            visits = ", ".join(f"{d} {n}" for d, n in per_day.items())
            lines.append(
                f"   Visits per day: {visits}. Why: short visits spread over the "
                "busiest hours deter for longer than one long stay (Koper curve)."
            )
    return lines


def _place_name(row: pd.Series) -> str:
    for col in ("name", "label", "place"):
        if col in row and isinstance(row[col], str) and row[col]:
            return row[col]
    return f"Hotspot {int(row['rank'])}"


@reordered_arguments("path", "incidents", old_order=path_before_data)
@renamed_arguments(patrol_hours="officer_hours_per_week")
def briefing(
    incidents: gpd.GeoDataFrame,
    path: str | Path,
    *,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    area_name: str | None = None,
    hotspots: gpd.GeoDataFrame | None = None,
    units: gpd.GeoDataFrame | None = None,
    top: int = 5,
    period: Sequence[Any] | None = None,
    previous: bool = True,
    paper: str = "A4",
    min_count: int = 3,
    show_incidents: bool = False,
    tz: Any = None,
    interventions: bool = True,
    setting: str | None = None,
    officer_hours_per_week: float | None = None,
    title: str | None = None,
    source: str | None = None,
    overwrite: bool = False,
    cell_size: float | None = None,
    max_area_km2: float | None = None,
    random_state: int | np.random.Generator | None = 0,
) -> Path:
    """Write a printed briefing pack (multi-page PDF) for one beat, district or city.

    Pages: 1 cover summary; 2 overview map; then one page per top hotspot; last,
    method notes and caveats (so ``2 + n_hotspot_pages + 1`` pages, where
    ``n_hotspot_pages = min(top, hotspots with at least min_count incidents)``).

    Parameters
    ----------
    incidents
        Canonical incidents (points in a projected CRS in metres, ``occurred_at``).
    path
        Output PDF file. An existing file is not replaced unless ``overwrite``.
    area
        Polygon(s) of the area (e.g. one district, a GeoDataFrame or GeoSeries in
        the incidents' CRS): incidents outside are left out and its outline is
        drawn. None: all incidents.
    area_name
        Name printed on every page (default "Selected area" / "All incidents").
    hotspots
        Ranked hotspots from :func:`hotspot.hotspots`, in the incidents' CRS. None:
        computed on the area's incidents of the period by the default scan,
        :func:`hotspot.pipeline.scan` (``hs.grid`` of the area with ``cell_size``,
        or ``units`` -> ``hs.count`` -> ``hs.gi_star`` (FDR) -> 99 % and 95 % hot
        cells merged, at most ``max_area_km2`` each), as ``hotspot analyze`` does.
    units
        Grid to count on (default ``hs.grid`` of the area, automatic cell size).
        Also used for the emerging-hotspot categories (monthly Emerging Hot Spot
        Analysis) and the shaded counts of the maps.
    top
        Number of hotspots with a page of their own (default 5).
    period
        ``(start, end)`` of the briefing period (inclusive); default the date range
        of the incidents (in the area).
    previous
        Compare the number of incidents with the window of the same length just
        before the period (printed as "not available" when the data do not cover it).
    paper
        ``"A4"`` (8.27 x 11.69 in) or ``"letter"`` (8.5 x 11 in), portrait.
    min_count
        Suppression threshold: hotspots, map cells and table cells with fewer
        incidents are not shown (default 3).
    show_incidents
        Draw individual incident points on the maps (default False: privacy).
    tz
        Time zone of the clock for hours and weekdays (default that of the times).
    interventions
        Score interventions with :func:`hotspot.respond.interventions.score_interventions`
        (when that module is installed) and print the top 3 per place.
    setting
        Incident column with the place type (e.g. ``"loc_cat"``: street, residence...),
        so that lighting counts outdoor incidents only; None: all incidents count and
        the pack says the figures are upper bounds.
    officer_hours_per_week
        Officer-hours per week for a patrol plan (:func:`hotspot.respond.patrol.patrol_plan`);
        None: no plan. (Called ``patrol_hours`` before; that name still works for
        one release.)
    title
        Title of the pack (default "Hotspot briefing: <area_name>").
    source
        Data source line printed in the footer (e.g. "Memphis PD open data").
    overwrite
        Replace an existing ``path``.
    cell_size
        Cell side in metres of the grid the hotspots are found on when
        ``hotspots`` is None; None for the automatic rule
        (:func:`hotspot._core.grid.auto_cell_size`).
    max_area_km2
        Largest hotspot area in km² when ``hotspots`` is None (larger hot areas are
        cut into pieces one officer can cover); None for no cap.
    random_state
        Seed for the random steps (the scan, intervention Monte Carlo, patrol
        minutes), so that a pack can be printed again identically.

    Returns
    -------
    pathlib.Path
        The PDF written.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    InvalidInputError
        Bad ``paper``, ``period``, ``top`` or ``min_count``; no incident in the area.
    CRSError
        Geographic or mismatched CRS.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from hotspot.present.report import briefing
    >>> inc = hs.datasets.load_sample("memphis_robberies")  # doctest: +SKIP
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "memphis.pdf"
    >>> briefing(inc, out, area_name="Memphis", top=3).name  # doctest: +SKIP
    'memphis.pdf'
    """
    from matplotlib.backends.backend_pdf import PdfPages

    path = Path(path)
    if path.exists() and not overwrite:
        msg = f"{path} exists; pass overwrite=True to replace it."
        raise FileExistsError(msg)
    size = _PAPER.get(str(paper).lower())
    if size is None:
        msg = f"`paper` must be 'A4' or 'letter', got {paper!r}."
        raise InvalidInputError(msg)
    if int(top) < 1 or int(min_count) < 1:
        msg = f"`top` and `min_count` must be at least 1, got top={top}, min_count={min_count}."
        raise InvalidInputError(msg)
    check_geodataframe(incidents, "incidents")
    check_projected(incidents, "incidents")
    check_points(incidents, "incidents")
    if "occurred_at" not in incidents.columns:
        msg = "`incidents` need an `occurred_at` column (see hs.read_incidents)."
        raise InvalidInputError(msg)
    choices: dict[str, Any] = {}
    area_gdf = _as_area(area, incidents)
    all_inc = incidents
    if area_gdf is not None:
        union = shapely.union_all(area_gdf.geometry.to_numpy())
        shapely.prepare(union)
        all_inc = incidents[shapely.intersects(union, incidents.geometry.to_numpy())]
    start, end = _period(all_inc, period)
    inc = all_inc[_in_window(all_inc["occurred_at"], start, end, closed_end=True)].copy()
    if len(inc) == 0:
        msg = f"No incident in the area during {start} - {end}; nothing to brief."
        raise InvalidInputError(msg)
    change = (
        _previous_change(all_inc, start, end, len(inc))
        if previous
        else {"available": False, "text": "not requested"}
    )

    cells = None
    if hotspots is None:
        scan_args = {"cell_size": cell_size, "max_area_km2": max_area_km2,
                     "random_state": random_state}
        hot_all, cells = _default_hotspots(inc, units, area_gdf, choices, scan_args)
    else:
        check_same_crs(incidents, hotspots, "incidents", "hotspots")
        hot_all = hotspots.copy()
        if units is not None:
            from hotspot.units.build import count

            cells = count(inc, units)
    hot_all = hot_all.sort_values("rank")
    from hotspot.scan.areas import hotspot_membership

    member_all = hotspot_membership(inc, hot_all)
    n_in = member_all.value_counts()
    hot_all = hot_all.assign(n_incidents=[int(n_in.get(h, 0)) for h in hot_all["hotspot_id"]])
    hot_all = hot_all.assign(share=hot_all["n_incidents"] / len(inc))
    suppressed = int((hot_all["n_incidents"] < min_count).sum())
    hot = hot_all[hot_all["n_incidents"] >= min_count].head(int(top)).copy()
    hot["rank"] = np.arange(1, len(hot) + 1)
    member = hotspot_membership(inc, hot)

    profiles = _profiles(inc, member, tz)
    dark = _dark(inc, member, tz)
    emerging = _emerging(inc, cells, hot) if cells is not None else {}
    scores, score_note = _interventions(hot, inc, interventions, setting, random_state)
    plan, plan_note = _patrol(hot, inc, officer_hours_per_week, random_state)

    name = area_name or ("Selected area" if area_gdf is not None else "All incidents")
    offences = ""
    if "offence" in inc.columns:
        cats = inc["offence"].astype("string").dropna().unique()
        offences = ", ".join(sorted(cats)[:3]) + (" ..." if len(cats) > 3 else "")
    per_hotspot: dict[int, dict[str, Any]] = {}
    top_rows = []
    for _, row in hot.iterrows():
        hid = int(row["hotspot_id"])
        prof = None
        if profiles is not None and hid in profiles.index.get_level_values(0):
            prof = profiles.loc[hid]
        when = _peak(prof) if prof is not None else "no known times"
        dark_text, dark_short = "not available (no known times)", "n/a"
        if dark is not None and hid in dark.index and dark.loc[hid, "n_known"] > 0:
            d = dark.loc[hid]
            dark_short = f"{100 * d['dark_share']:.0f}%"
            dark_text = (
                f"{100 * d['dark_share']:.0f}% of incidents with a known time were in darkness "
                f"(95% CI {100 * d['dark_share_low']:.0f}-{100 * d['dark_share_high']:.0f}%, "
                f"{int(d['n_dark'])} of {int(d['n_known'])})."
            )
        sub = inc[(member == hid).fillna(False).to_numpy(dtype=bool)]
        mixes = []
        if "offence" in sub.columns and sub["offence"].nunique() > 0:
            mixes.append(("Offence mix", _mix(sub["offence"], min_count)))
        for col in ("loc_cat", "location_type", "location", "premise"):
            if col in sub.columns:
                mixes.append(("Location mix", _mix(sub[col], min_count)))
                break
        if not mixes:
            mixes.append(("Offence mix", []))
        cat = emerging.get(hid)
        per_hotspot[hid] = {
            "name": f"Hotspot {int(row['rank'])}"
            + (
                f": {_place_name(row)}" if _place_name(row) != f"Hotspot {int(row['rank'])}" else ""
            ),
            "when": when,
            "profile": prof,
            "dark": dark_text,
            "emerging": (
                f"Emerging hot spot analysis (monthly): {cat}."
                if cat
                else "Emerging hot spot category not available (needs a grid and "
                "several months of data)."
            ),
            "mixes": mixes[:2],
            "concentration": (
                f", {float(row['concentration']):.0f} times the average density"
                if "concentration" in row and pd.notna(row["concentration"])
                else ""
            ),
            "actions": _actions(hid, scores, score_note, plan, plan_note),
        }
        top_rows.append(
            {
                "rank": int(row["rank"]),
                "name": _clip(_place_name(row), 14),
                "n": f"{int(row['n_incidents']):,}",
                "share": f"{100 * float(row['share']):.1f}%",
                "when": when,
                "dark": dark_short,
            }
        )

    total_hot = int(hot["n_incidents"].sum())
    summary = (
        f"{len(hot)} places hold {total_hot:,} incidents "
        f"({100 * total_hot / len(inc):.0f}% of the area's)"
    )
    if len(hot):
        summary += f" on {float(hot['area_km2'].sum()):.2f} km²"
    summary += "."
    if suppressed:
        summary += f" {suppressed} smaller hotspot(s) under {min_count} incidents not shown."

    period_text = f"{start:%d %b %Y} - {end:%d %b %Y}"
    ingest_lines = _ingest_lines(incidents, len(all_inc), len(inc))
    hot_attrs = hot_all.attrs.get("hotspot", {}).get("hotspots", {})
    method_lines = [
        "Hotspots: "
        + (
            "given by the analyst"
            if hotspots is not None
            else "Getis-Ord Gi* on a square grid (automatic cell size), 99% and 95% hot "
            "cells after false-discovery-rate correction, neighbouring hot cells "
            "merged (hs.hotspots, method 'gistar')."
        ),
        f"Cell size: {_cell_size(cells)}; hotspots found: {len(hot_all)}; "
        f"parameters: {_short(hot_attrs.get('params', {}))}",
        "When hot: hour-of-day x weekday counts of the place (aoristic when times are windows).",
        "Dark share: sun below -6 degrees (civil twilight) at each incident; Wilson 95% CI.",
        "Trend: Emerging Hot Spot Analysis (Gi* per month + Mann-Kendall) on the grid cells; "
        "the category of the cells holding most of the place's incidents.",
        f"Change: incidents in the period vs the {(end - start).total_seconds() / 86400:.0f}-day "
        "window just before it "
        f"({change.get('window', 'not available')}).",
    ]
    src = source or incidents.attrs.get("hotspot", {}).get("ingest", {}).get("source", "")
    footer = f"{name} | {period_text} | " + (f"Source: {src} | " if src else "") + _CAVEAT
    ctx = {
        "title": title or f"Hotspot briefing: {name}",
        "area_name": name,
        "period_text": period_text,
        "n": len(inc),
        "offences": offences,
        "change": change,
        "hotspot_summary": summary,
        "top_rows": top_rows,
        "footer": footer,
        "area": area_gdf,
        "hot": hot,
        "cells": cells,
        "inc": inc,
        "show_incidents": show_incidents,
        "min_count": int(min_count),
        "per_hotspot": per_hotspot,
        "ingest_lines": ingest_lines,
        "method_lines": method_lines,
    }
    metadata = {
        "Title": ctx["title"],
        "Author": "hotspot",
        "Subject": f"Hotspot briefing, {name}, {period_text}",
        "Keywords": "crime hotspots; briefing; SARA",
        "Creator": "hotspot.present.report.briefing",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        mpl.rc_context({"pdf.fonttype": 42, "font.size": _FONT}),
        PdfPages(path, metadata=metadata) as pdf,
    ):
        page = 0
        for draw in (_cover, _overview):
            fig = _new_page(size)
            draw(fig, ctx)
            pdf.savefig(fig)
            page += 1
        for _, row in hot.iterrows():
            page += 1
            fig = _new_page(size)
            _hotspot_page(fig, ctx, row, page)
            pdf.savefig(fig)
        fig = _new_page(size)
        _method_page(fig, ctx, page + 1)
        pdf.savefig(fig)
    return path


def _cell_size(cells: Any) -> str:
    if cells is None:
        return "n/a"
    from hotspot._core.grid import grid_spec_of

    spec = grid_spec_of(cells)
    return f"{spec.cell_size:g} m" if spec is not None else "polygon units"


def _short(params: dict[str, Any]) -> str:
    items = [f"{k}={v}" for k, v in params.items() if v is not None and k != "method"][:6]
    return ", ".join(items) or "defaults"


def _ingest_lines(incidents: gpd.GeoDataFrame, n_area: int, n_period: int) -> list[str]:
    lines: list[str] = []
    try:
        from hotspot.ingest.report import ingest_report

        rep = ingest_report(incidents)
    except Exception:
        rep = None
    if rep is None:
        lines.append("Ingest report not available (incidents not read with hs.read_incidents).")
    else:
        dropped = {k: v for k, v in dict(getattr(rep, "dropped", {}) or {}).items() if v}
        lines.append(
            f"Rows read {rep.rows_read:,}, kept {rep.rows_kept:,}, "
            f"dropped {sum(dropped.values()):,}"
            + (" (" + ", ".join(f"{k} {v:,}" for k, v in dropped.items()) + ")" if dropped else "")
            + "."
        )
        lines.extend(f"Warning: {w}" for w in list(getattr(rep, "warnings", []))[:4])
    lines.append(f"In the area: {n_area:,} incidents; in the period: {n_period:,}.")
    if "time_quality" in incidents.columns:
        tq = incidents["time_quality"].astype("string").value_counts()
        lines.append("Time quality: " + ", ".join(f"{k} {v:,}" for k, v in tq.items()) + ".")
    return lines


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "area"


@reordered_arguments("folder", "incidents", "areas", old_order=path_before_data)
def briefings(
    incidents: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    folder: str | Path,
    *,
    name_column: str,
    prefix: str = "briefing_",
    **kwargs: Any,
) -> list[Path]:
    """One briefing pack per area (e.g. per district), written to ``folder``.

    Parameters
    ----------
    incidents
        Canonical incidents, in the CRS of ``areas``.
    areas
        Polygons, one row per area.
    folder
        Output folder (created if needed). Files are ``<prefix><name>.pdf`` with the
        area name reduced to letters, digits and underscores.
    name_column
        Column of ``areas`` holding the names printed and used in file names.
    prefix
        File name prefix.
    **kwargs
        Passed to :func:`briefing` (``top``, ``period``, ``min_count``,
        ``overwrite``...). Areas without incidents are skipped (logged).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``areas``.

    Examples
    --------
    >>> from hotspot.present.report import briefings
    >>> inc = hs.datasets.load_sample("memphis_robberies")  # doctest: +SKIP
    >>> pcts = hs.datasets.load_sample("memphis_precincts")  # doctest: +SKIP
    >>> paths = briefings(inc, pcts, "packs", name_column="precinct")  # doctest: +SKIP
    """
    import logging

    check_geodataframe(areas, "areas")
    if name_column not in areas.columns:
        msg = f"`areas` has no column {name_column!r}; columns: {list(areas.columns)}."
        raise InvalidInputError(msg)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for i in range(len(areas)):
        one = areas.iloc[[i]]
        name = str(one[name_column].iloc[0])
        try:
            p = briefing(
                incidents, folder / f"{prefix}{_slug(name)}.pdf", area=one, area_name=name, **kwargs
            )
        except InvalidInputError as exc:
            if "No incident" not in str(exc):
                raise
            logging.getLogger("hotspot").info("briefings: skipped %s: %s", name, exc)
            continue
        out.append(p)
    return out
