"""Printed briefing packs: a multi-page PDF per beat or district for patrol officers.

:func:`briefing` writes one PDF for one area (a beat, a district, or the whole
data); :func:`briefings` writes one per area of a polygon layer. Pages:

1. **Cover**: offence, area and period in the title; incidents, change against the
   previous period of the same length, and the ranked top places by name and map
   grid reference, with when they are busiest and their dark share.
2. **Overview map**: counts per cell (suppressed under ``min_count``), context
   layers (named streets, boundaries, landmarks), the study area, an optional base
   map, the ranked places and a letters x numbers grid; legend, scale bar and
   north arrow outside the map so that nothing covers data.
3. **One page per top place**: a zoomed map with the same grid, a time table
   (hour block x weekday, coarser when the place has few incidents), offence and
   location mix, darkness, trend, and what to do there and why (interventions,
   patrol visits by day and time), continued on a second page rather than cut.
4. **Method notes and caveats**.

This module works out what the pack says; :mod:`hotspot.present.report_pages`
lays it out. Conditions that stop part of the analysis (times without a time
zone, dates without times) become one plain sentence for the officer; bad input
fails the call with a library error. Privacy by default: no incident points
unless ``show_incidents=True``, and every printed count under ``min_count`` is
shown as "fewer than n".
"""

from __future__ import annotations

import inspect
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspot._core.deprecation import (
    path_before_data,
    renamed_arguments,
    reordered_arguments,
)
from hotspot._core.meta import note_choice
from hotspot._core.time import data_period
from hotspot._core.validation import (
    check_geodataframe,
    check_points,
    check_projected,
    check_same_crs,
)
from hotspot.analyse.darkness import dark_share
from hotspot.analyse.emerging import emerging_hotspots
from hotspot.analyse.temporal import temporal_profile
from hotspot.exceptions import InvalidInputError
from hotspot.ingest.columns import resolve_setting
from hotspot.ingest.locations import exclude_stacked
from hotspot.pipeline import scan
from hotspot.present.advice import evidence_lines
from hotspot.present.context import (
    has_named_streets,
    name_places,
    read_addresses,
    read_layers,
    street_points,
    streets_for_pack,
)
from hotspot.present.furniture import period_label
from hotspot.present.report_pages import write_pages
from hotspot.present.report_scope import (
    _as_area,
    _in_window,
    _select,
    area_name_from_data,
    label_as_offence,
    select_offences,
)
from hotspot.present.report_text import (
    _BUSY_NOTE,
    _actions,
    _dark_text,
    _data_span,
    _hours_known,
    _is_busy,
    _kind_words,
    _kinds_count,
    _menus,
    _method_sections,
    _mix,
    _n,
    _not_shown,
    _offence_detail,
    _offence_known,
    _patrol_fact,
    _peak,
    _period_text,
    _time_table,
    _touching,
    _unknown_details,
    _year_note,
    name_source,
    patrol_rate_line,
    plan_block,
    trend_words,
)
from hotspot.present.report_text import (
    offence_label as _offence_label,
)
from hotspot.respond.evidence import load_catalogue
from hotspot.respond.interventions import score_interventions
from hotspot.respond.patrol import patrol_plan
from hotspot.respond.planning import costed_patrol
from hotspot.scan.areas import MAX_AREA_KM2, hotspot_membership
from hotspot.scan.outlines import trim_to_counts
from hotspot.scan.places import grid_extent, place_grid
from hotspot.units.counting import count

__all__ = ["briefing", "briefings"]

_PAPER = {"a4": (8.27, 11.69), "letter": (8.5, 11.0)}
_CAVEAT = (
    "Police-recorded incidents only: places and times reflect reporting and patrol "
    "patterns as well as crime."
)
_NAIVE = (
    "Times in this data have no time zone, so darkness was not worked out. Ask your "
    "analyst to rerun the pack with the local time zone."
)


# --------------------------------------------------------------------- inputs


def _previous_change(
    all_inc: gpd.GeoDataFrame,
    start: pd.Timestamp,
    end: pd.Timestamp,
    n_now: int,
    min_count: int,
) -> dict[str, Any]:
    """Count incidents in the window of the same length just before the period."""
    length = end - start
    prev_start, prev_end = start - length, start
    at = all_inc["occurred_at"]
    # The robust start of the data: a stray 1900-01-01 row does not "cover" last year.
    first = data_period(at)[0] if at.notna().sum() > 1 else at.min()
    slack = max(pd.Timedelta(days=1), 0.03 * length)  # data may start a few days late
    if length <= pd.Timedelta(0) or pd.isna(first) or first > prev_start + slack:
        return {"available": False, "text": "The data do not cover the previous period."}
    n_prev = int(_in_window(at, prev_start, prev_end, closed_end=False).sum())
    if n_prev < min_count or n_now < min_count:
        text = (
            f"{_n(n_now, min_count)} incidents vs {_n(n_prev, min_count)} in the "
            "previous period of the same length"
        )
    else:
        pct = 100.0 * (n_now - n_prev) / n_prev
        text = f"{pct:+.0f}% ({n_now:,} vs {n_prev:,} in the previous period of the same length)"
    return {
        "available": True,
        "n_prev": n_prev,
        "text": text,
        "window": period_label(prev_start, prev_end - pd.Timedelta(seconds=1)),
    }


def _default_hotspots(
    inc: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame | None,
    mask: Any,
    choices: dict[str, Any],
    scan_args: dict[str, Any],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    # cells of the area and study area only: empty cells outside would bias Gi*
    area = None if mask is None else gpd.GeoDataFrame(geometry=[mask], crs=inc.crs)
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


def _time_limits(inc: gpd.GeoDataFrame, tz: Any) -> tuple[str | None, str | None]:
    """Plain sentences for why time tables / darkness cannot be printed (None: they can)."""
    at = inc["occurred_at"]
    quality = (
        inc["time_quality"].astype("string")
        if "time_quality" in inc.columns
        else pd.Series("exact", index=inc.index)
    )
    timed = at.notna() & quality.isin(["exact", "window"]).to_numpy()
    if not bool(timed.any()):
        kinds = set(quality.dropna().unique())
        grain = "months" if "month_only" in kinds else "days"
        text = (
            f"Times in this data are known only to the {grain[:-1]}, so the busiest "
            "hours and darkness cannot be shown."
        )
        return text, text
    if getattr(at.dt, "tz", None) is None and tz is None:
        return None, _NAIVE
    return None, None


def _emerging(
    inc: gpd.GeoDataFrame, units: gpd.GeoDataFrame | None, hot: gpd.GeoDataFrame
) -> tuple[dict[int, str], str, dict[int, str]]:
    """Trend per hotspot in plain words, the note for none, and the category (analyst's).

    The category is the emerging-hotspot category of most of the place's incidents'
    cells; a place with under one incident a month gets no trend.
    """
    cats: dict[int, str] = {}
    if units is None or len(inc) == 0 or len(hot) == 0:
        return {}, "", cats
    months = inc["occurred_at"].dt.tz_localize(None).dt.to_period("M").nunique()
    if months < 6:
        span = "1 month" if months == 1 else f"{months} months"
        return {}, f"The data cover only {span}: too short to tell a trend.", cats
    keep = [c for c in ("row", "col") if c in units.columns] + ["geometry"]
    ehsa = emerging_hotspots(inc, units[keep], freq="M")
    note = " (fewer than 10 months of data: indicative only)" if months < 10 else ""
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
    for hid, geom, n in zip(hot["hotspot_id"], hot.geometry, hot["n_incidents"], strict=True):
        if int(n) < months:  # under one incident a month: a category would be noise
            out[int(hid)] = (
                f"Too few incidents here ({_n(int(n), 1)} in {months} months) to tell a trend."
            )
            continue
        idx = tree.query(geom, predicate="intersects")
        if len(idx):
            cat = str(cents.iloc[idx].groupby("cat")["n"].sum().idxmax()).replace("_", " ")
            out[int(hid)] = trend_words(cat) + note + "."
            cats[int(hid)] = cat
    return out, "No monthly trend for this place.", cats


def _interventions(
    hot: gpd.GeoDataFrame,
    inc: gpd.GeoDataFrame,
    enabled: bool,
    setting: str | None,
    tz: Any,
    random_state: Any,
) -> pd.DataFrame | None:
    if not enabled or len(hot) == 0:
        return None

    kwargs: dict[str, Any] = {"setting": setting, "random_state": random_state}
    if tz is not None and "tz" in inspect.signature(score_interventions).parameters:
        kwargs["tz"] = tz
    return score_interventions(inc, hot, **kwargs)


def _patrol(
    hot: gpd.GeoDataFrame,
    inc: gpd.GeoDataFrame,
    hours: float | None,
    random_state: Any,
    tz: Any = None,
) -> pd.DataFrame | None:
    if hours is None or len(hot) == 0:
        return None

    kwargs: dict[str, Any] = {"officer_hours_per_week": hours, "random_state": random_state}
    if tz is not None and "tz" in inspect.signature(patrol_plan).parameters:
        kwargs["tz"] = tz  # the zone reaches every step that reads clock times
    return patrol_plan(inc, hot, **kwargs)


def _hotspot_info(
    row: pd.Series,
    ctx: dict[str, Any],
    sub: gpd.GeoDataFrame,
    analyses: dict[str, Any],
) -> dict[str, Any]:
    """Everything the page of one place says."""
    hid, m = int(row["hotspot_id"]), ctx["min_count"]
    prof = analyses["profiles"].get(hid)
    table = _time_table(prof, m) if analyses["time_reason"] is None else None
    when = (_peak(prof, plan_block(analyses["plan"], hid))
            if prof is not None and analyses["time_reason"] is None else "-")
    dark_text, dark_short = _dark_text(analyses["dark"], hid, analyses["dark_reason"], m)
    if analyses["dark_reason"] is not None and analyses["dark_reason"] == analyses["time_reason"]:
        dark_text = "Not known: the data have no time of day (see When)."  # said once, above
    mixes = []
    if "offence" in sub.columns and sub["offence"].nunique() > 1:
        mixes.append(("Offence mix", _mix(sub["offence"], m)))
    place_col = analyses["setting"]  # given, or found by its name (resolve_setting)
    if place_col is not None:
        mixes.append(("Type of place", _mix(sub[place_col], m)))
    analyst = []  # figures for the analyst, on the method page
    if "concentration" in row and pd.notna(row["concentration"]):
        analyst.append(f"{float(row['concentration']):.0f} times the area's average density")
    d = analyses["dark"]
    if d is not None and hid in d.index and dark_short.endswith("%"):
        analyst.append(
            f"in darkness {dark_short} (likely range {100 * d.loc[hid, 'dark_share_low']:.0f}"
            f"-{100 * d.loc[hid, 'dark_share_high']:.0f}%)"
        )
    if hid in analyses["emerging_cat"]:
        analyst.append(f"emerging-hotspot category '{analyses['emerging_cat'][hid]}'")
    busiest = f" Busiest: {when}." if when != "-" else ""
    ref = str(row["grid_ref"]).replace(" ", "\u00a0")  # "grid C4 b2" on one line
    bare = f" ({row['grid_ref']})"  # a repeated name's grid ref
    return {
        "hotspot_id": hid,
        "title": f"{int(row['rank'])}. {str(row['place_name']).removesuffix(bare)}, grid\u00a0{ref}"
        if row["place_source"] != "grid"
        else f"{int(row['rank'])}. Place in grid square\u00a0{ref}",
        "headline": f"{_kind_words(row)}{int(row['n_incidents']):,} incidents "
        f"({100 * float(row['share']):.1f}% "
        f"of all incidents in the area) on {float(row['area_km2']):.2f} km².{busiest} "
        f"Name: {name_source(ctx['hot'], str(row['place_source']))}."
        + (" " + ctx["touching"][hid] if ctx["touching"].get(hid) else ""),
        "table_title": "When: incidents by " + table["title"] if table else "When",
        "time_table": table,
        "time_note": analyses["time_reason"] or "No incident here has a known time of day.",
        "map_note": f"Shading: incidents per cell, as on page 1; white dotted cells had "
        f"fewer than {m}. "
        + (
            "Grid squares (grey boxes) as on page 1, cut into small squares a, b... "
            "and 1, 2... from the north-west corner of each."
            if ctx["grid"].sub > 1
            else "Grid squares as on page 1."
        )
        + (
            f" The outline holds only the place's cells with at least {m} incidents."
            if int(row.get("n_trimmed_cells", 0) or 0)
            else ""
        ),
        "mixes": mixes[:2],
        "facts": [
            (key, value)
            for key, value in (
                ("Darkness", dark_text),
                ("Trend", analyses["emerging"].get(hid, analyses["emerging_note"])),
            )
            if value
        ],
        "actions": _actions(
            hid, analyses["scores"], analyses["plan"], analyses["menus"].get(hid, []),
            hours_known=_hours_known(sub),
            unknown=_unknown_details(sub, analyses["setting"]),
            offence_known=_offence_known(sub),
            year_note=ctx["year_note"],
        ),
        "when": when,
        "dark_short": dark_short,
        "analyst": analyst,
    }


def _analyses(
    inc: gpd.GeoDataFrame,
    hot: gpd.GeoDataFrame,
    cells: Any,
    opts: dict[str, Any],
) -> dict[str, Any]:
    member = hotspot_membership(inc, hot)
    time_reason, dark_reason = _time_limits(inc, opts["tz"])
    profiles: dict[int, pd.DataFrame] = {}
    dark = None
    if time_reason is None and len(hot):
        table = temporal_profile(inc, by=member, tz=opts["tz"])
        for hid in table.index.get_level_values(0).unique():
            profiles[int(hid)] = table.loc[hid]
    if dark_reason is None and len(hot):
        dark = dark_share(inc, by=member, tz=opts["tz"])
    emerging, emerging_note, emerging_cat = _emerging(inc, cells, hot)
    scores = _interventions(
        hot, inc, opts["interventions"], opts["setting"], opts["tz"], opts["random_state"]
    )
    plan = _patrol(hot, inc, opts["patrol_hours"], opts["random_state"], opts["tz"])
    if scores is not None and plan is not None:
        scores = costed_patrol(scores, plan)  # patrol priced on the hours planned here
    return {
        "member": member,
        "profiles": profiles,
        "dark": dark,
        "time_reason": time_reason,
        "dark_reason": dark_reason,
        "emerging": emerging,
        "emerging_note": emerging_note,
        "emerging_cat": emerging_cat,
        "scores": scores,
        "menus": _menus(hot, inc, scores, opts["setting"]),
        "setting": opts["setting"],
        "plan": plan,
    }


def _check_args(path: Path, paper: str, top: int, min_count: int, overwrite: bool) -> tuple:
    if path.exists() and not overwrite:
        msg = f"{path} exists; pass overwrite=True to replace it."
        raise FileExistsError(msg)
    if path.exists() and path.is_dir():
        msg = f"{path} is a folder; give the PDF file to write, e.g. {path / 'briefing.pdf'}."
        raise InvalidInputError(msg)
    if path.parent.exists() and not path.parent.is_dir():
        msg = f"{path.parent} is a file, not a folder; choose another output path."
        raise InvalidInputError(msg)
    size = _PAPER.get(str(paper).lower())
    if size is None:
        msg = f"`paper` must be 'A4' or 'letter', got {paper!r}."
        raise InvalidInputError(msg)
    if int(top) < 1 or int(min_count) < 1:
        msg = f"`top` and `min_count` must be at least 1, got top={top}, min_count={min_count}."
        raise InvalidInputError(msg)
    return size


@reordered_arguments("path", "incidents", old_order=path_before_data)
@renamed_arguments(patrol_hours="officer_hours_per_week")
def briefing(
    incidents: gpd.GeoDataFrame,
    path: str | Path,
    *,
    area: gpd.GeoDataFrame | gpd.GeoSeries | str | Path | None = None,
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
    setting: str | Literal[False] | None = None,
    officer_hours_per_week: float | None = None,
    title: str | None = None,
    source: str | None = None,
    overwrite: bool = False,
    context: Any = None,
    study_area: gpd.GeoDataFrame | gpd.GeoSeries | str | Path | None = None,
    basemap: Any = None,
    address: str | None = None,
    addresses: Any = None,
    addresses_crs: Any = None,
    cell_size: float | None = None,
    max_area_km2: float | None = MAX_AREA_KM2,
    tile_cache: str | Path | None = None,
    random_state: int | np.random.Generator | None = 0,
    stacked: str = "exclude",
    offence_label: str | None = None,
    offences: str | Sequence[str] | None = None,
) -> Path:
    """Write a printed briefing pack (multi-page PDF) for one beat, district or city.

    Pages: cover, overview map, one page per top place (a place whose advice does
    not fit continues on the next page), method notes. Every place is named
    (address or block column, address points of another source, a streets
    layer, named areas; the pages say which) and has a map grid reference
    ("C4", or "C4 b2" where the squares are cut for the place maps) that finds
    it on the overview and zoomed maps.

    Parameters
    ----------
    incidents
        Canonical incidents (points in a projected CRS in metres, ``occurred_at``).
    path
        Output PDF file. Written to a temporary file beside it and moved into place at
        the end, so a failed run leaves nothing behind. Not replaced unless ``overwrite``.
    area
        Polygon(s) of the area (one district; GeoDataFrame, GeoSeries or file):
        incidents outside are left out and the grid covers the area only.
    area_name
        Name printed in titles (e.g. "District 11"). Default: "Selected area" with
        ``area``; else the police force the data fall within (police.uk's "Falls
        within": "West Yorkshire Police area"); else the title names no area.
    hotspots
        Ranked hotspots from :func:`hotspot.hotspots`; None: the default scan,
        :func:`hotspot.pipeline.scan` (Gi* on a grid of the area and study area,
        ``cell_size``; ``max_area_km2`` caps each place's size), as ``hotspot analyze``.
    units
        Grid to count on (default ``hs.grid`` of the area).
    top
        Number of places with a page of their own (default 5).
    period
        ``(start, end)`` of the briefing period (inclusive); default the data's range.
    previous
        Compare with the window of the same length just before the period.
    paper
        ``"A4"`` or ``"letter"``, portrait.
    min_count
        Suppression threshold (default 3): places, map cells and every printed count
        under it are not shown as numbers; addresses held by fewer incidents do not
        name places.
    show_incidents
        Draw incident points on the maps (default False: privacy).
    tz
        Time zone of the clock for hours, weekdays and darkness (default that of the
        times). Naive times without ``tz``: the pack says darkness was not worked out.
    interventions
        Score interventions (:func:`hotspot.score_interventions`) and print the top 3
        per place with their reasons in full.
    setting
        Incident column with the place type (street, residence...), for the measures
        and the "Type of place" table. None: the column named like a place type, if
        there is one (:func:`hotspot.ingest.columns.resolve_setting`); False: none.
    officer_hours_per_week
        Officer-hours per week for a patrol plan; each place lists its visit days and
        times. None: no plan. (Called ``patrol_hours`` before; that name still works
        for one release.)
    title
        Title (default "<offence label>, <area name>, <period>", e.g. "Robbery,
        Raines precinct, 1 Jan – 31 Dec 2019"; the period is the one asked for,
        else the data's).
    source
        Data source printed in the footer.
    overwrite
        Replace an existing ``path``.
    context
        Context layers drawn under the hotspots: a GeoDataFrame or file path, a list,
        or ``{label: layer}``. Named streets are labelled and name places; named
        polygons (wards, beats) name places that have no address (never the area
        briefed on). Without a streets layer, streets traced from ``addresses`` and
        the incidents' address column
        (:func:`hotspot.present.context.streets_for_pack`) are drawn and labelled.
    study_area
        Polygon(s) of the jurisdiction (e.g. a precinct on a river): no cell outside
        it, the map outside it greyed out, its outline drawn.
    basemap
        Local raster file or tile folder (with world files), ``"web"`` or an
        xyzservices provider name (needs ``hotspot-crime[basemap]``); default none.
    address
        Incident column with addresses or blocks (default: detected).
    addresses
        Points with street addresses from another source, for incidents that carry
        none (311 requests, street-light reports): a GeoDataFrame or file, or
        ``{label: layer}``. Places are named after the hundred blocks nearest most
        of their incidents ("near 63XX N Hermitage Ave") and the pages say so
        ("nearest addresses in <label>"). Not drawn. A table file (CSV...) is read
        like incidents, its coordinate columns found by their names.
    addresses_crs
        CRS of the x/y columns of an ``addresses`` table that does not say, e.g.
        ``"EPSG:3435"`` (Illinois State Plane feet: Chicago's street-light reports).
    cell_size
        Grid cell size in metres for the default hotspots (default automatic).
    max_area_km2
        Largest place, km² (bigger merged hotspots are split); default
        :data:`hotspot.scan.areas.MAX_AREA_KM2` (1 km²), as everywhere; None: no cap.
    tile_cache
        Folder for downloaded web tiles.
    random_state
        Seed for the random steps (the scan, intervention Monte Carlo, patrol
        minutes), so that a pack can be printed again identically.
    stacked
        ``"exclude"`` (default): incidents whose ``location_quality`` is ``"stacked"``
        (placeholder points, :mod:`hotspot.ingest.locations`) are left out of every
        page and the method notes say how many; ``"keep"`` includes them (also said).
    offence_label
        What the incidents are, in titles and footers (e.g. "Street robbery");
        default from the ``offence`` column: its one value, two values ("Assault
        and robbery") or "<n> offence types" (:func:`report_text.offence_label`).
        Data without an offence column and a label naming one offence ("Burglary")
        take that offence for the measures advised
        (:func:`report_scope.label_as_offence`; the method page says so).
    offences
        Brief on these offences only: names as written in the data or offence groups
        ("Burglary,Robbery", ``["vehicle"]``; :func:`report_scope.select_offences`).
        The method page says how many incidents of other offences were left out.

    Returns
    -------
    pathlib.Path
        The PDF written.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is False.
    InvalidInputError
        Bad ``paper``, ``period``, ``top``, ``min_count`` or output path; no incident
        in the area; unreadable context, study area or base map.
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
    path = Path(path)
    size = _check_args(path, paper, top, min_count, overwrite)
    check_geodataframe(incidents, "incidents")
    check_projected(incidents, "incidents")
    check_points(incidents, "incidents")
    if "occurred_at" not in incidents.columns:
        msg = "`incidents` need an `occurred_at` column (see hs.read_incidents)."
        raise InvalidInputError(msg)
    area_gdf = _as_area(area, incidents)
    study = _as_area(study_area, incidents, "study_area")
    layers = read_layers(context, incidents.crs)
    addresses = read_addresses(addresses, incidents.crs, addresses_crs)
    choices: dict[str, Any] = {}
    located, stacked_line = exclude_stacked(incidents, stacked)
    located, n_other = select_offences(located, offences, choices)
    all_inc, inc, mask, counts = _select(located, area_gdf, study, period)
    counts["n_other_offences"] = n_other
    inc, offence_said = label_as_offence(inc, offence_label, choices)
    # no streets layer: streets traced from the addresses, drawn and labelled on the maps
    layers = streets_for_pack(layers, located, address, addresses, choices)
    no_streets = basemap is None and not has_named_streets(layers)
    cells = None
    if hotspots is None:
        scan_args = {
            "cell_size": cell_size,
            "max_area_km2": max_area_km2,
            "random_state": random_state,
        }
        hot_all, cells = _default_hotspots(inc, units, mask, choices, scan_args)
    else:
        check_same_crs(incidents, hotspots, "incidents", "hotspots")
        hot_all = hotspots.copy()
        if units is not None:
            cells = count(inc, units)
    if cells is not None and "n_incidents" in cells.columns:
        # outlines on the cells that hold the incidents, not on a quiet cell Gi* marked
        hot_all = trim_to_counts(hot_all, cells, min_count)
    hot = _top_places(hot_all, inc, top, min_count)
    extent, off_map = _overview_extent(inc, mask, choices)
    grid = place_grid(extent, hot)
    note_choice(
        choices,
        "grid",
        f"{grid.size:g} m squares" + (f", cut {grid.sub} x {grid.sub}" if grid.sub > 1 else ""),
        "about 8 round squares across the overview; small squares about 2.5 across a place map",
    )
    hot = name_places(
        hot, inc, layers, grid=grid, address=address, addresses=addresses, min_count=min_count
    )
    opts = {
        "tz": tz,
        "interventions": interventions,
        "setting": resolve_setting(incidents, setting, choices),
        "patrol_hours": officer_hours_per_week,
        "random_state": random_state,
        "hotspots": hotspots,
        "top": top,
        "incidents": incidents,
        "offence_label": offence_label,
        "max_area_km2": max_area_km2,
    }
    analyses = _analyses(inc, hot, cells, opts)
    # the name given, else the force the data fall within (police.uk), else none
    name = area_name or ("Selected area" if area_gdf is not None else area_name_from_data(
        incidents)) or ""
    ctx = _pack(
        inc,
        all_inc,
        hot,
        hot_all,
        cells,
        grid,
        analyses,
        counts,
        opts,
        name=name,
        title=title,
        source=source,
        previous=previous,
        min_count=min_count,
    )
    ctx.update(
        size=size,
        context=layers,
        # where the streets of the places' names are, for those no street line shows
        street_points=street_points(located, hot["place_name"], address, addresses),
        # outside the briefed area (and study area) is greyed out on every map
        study_area=None if mask is None else gpd.GeoSeries([mask], crs=incidents.crs),
        basemap=basemap,
        tile_cache=tile_cache,
        show_incidents=show_incidents,
        off_map=f"{off_map:,} incident{'s' if off_map > 1 else ''} far from the rest "
        f"{'lie' if off_map > 1 else 'lies'} off this map; the counts include "
        f"{'them' if off_map > 1 else 'it'}."
        if off_map
        else "",
    )
    ctx["method_sections"] = _method_sections(ctx, opts, counts)
    if offence_said:
        ctx["method_sections"][0][1].append(offence_said)
    if no_streets:
        ctx["method_sections"][0][1].append(
            "Streets: none on the maps. The data carry no street names or addresses and no "
            "streets layer or base map was given; add one when making the pack so that "
            "officers can find the places."
        )
    if stacked_line:
        # the line names the argument for analysts; the page keeps the plain part
        plain = re.split(r";|\(stacked=", stacked_line)[0].rstrip(" .")
        ctx["method_sections"][0][1].insert(1, f"Stacked locations: {plain}.")
    metadata = {
        "Title": ctx["title"],
        "Author": "hotspot",
        "Subject": ctx["subtitle"],
        "Keywords": "crime hotspots; briefing; SARA",
        "Creator": "hotspot.present.report.briefing",
    }
    return _write_atomic(path, lambda tmp: write_pages(tmp, ctx, metadata))


def _overview_extent(
    inc: gpd.GeoDataFrame, mask: Any, choices: dict[str, Any]
) -> tuple[Any, int]:
    """Return the overview map's extent and how many incidents lie off it.

    The area's outline when given; else :func:`hotspot.scan.places.grid_extent` of
    the incidents (a few points far from the rest left off, still counted).
    """
    if mask is not None:
        return shapely.bounds(mask), 0
    extent, off = grid_extent(inc)  # as hs.hotspots and hotspot analyze: one grid
    if off == 0:
        return extent, 0
    note_choice(
        choices,
        "overview_extent",
        [float(v) for v in extent],
        f"{off} incident(s) far from the rest left off the overview map (still counted)",
    )
    return extent, off


def _top_places(
    hot_all: gpd.GeoDataFrame, inc: gpd.GeoDataFrame, top: int, min_count: int
) -> gpd.GeoDataFrame:
    hot_all = hot_all.sort_values("rank")
    n_in = hotspot_membership(inc, hot_all).value_counts()
    hot_all = hot_all.assign(
        n_incidents=[int(n_in.get(h, 0)) for h in hot_all["hotspot_id"]],
    )
    hot_all = hot_all.assign(share=hot_all["n_incidents"] / max(len(inc), 1))
    if "kind" in hot_all.columns:  # the scan's list is ranked by incidents: still so after
        # the outlines were trimmed to the cells that hold them (the top N stays the busiest)
        hot_all = hot_all.sort_values("n_incidents", ascending=False, kind="stable")
    hot = hot_all[hot_all["n_incidents"] >= min_count].head(int(top)).copy()
    hot["rank"] = np.arange(1, len(hot) + 1)
    hot.attrs["n_all"] = len(hot_all)
    hot.attrs["n_small"] = int((hot_all["n_incidents"] < min_count).sum())
    hot.attrs["n_beyond"] = len(hot_all) - len(hot) - hot.attrs["n_small"]  # past the top
    return hot


def _pack(inc, all_inc, hot, hot_all, cells, grid, analyses, counts, opts, **kw) -> dict:
    """Gather the words and numbers of the pack, page by page."""
    m, name = kw["min_count"], kw["name"]
    start, end = counts["start"], counts["end"]
    period_text = _period_text(start, end, inc)
    offence = _offence_label(inc, opts["offence_label"])
    change = (
        _previous_change(all_inc, start, end, len(inc), m)
        if kw["previous"]
        else {"available": False, "text": "Not compared (switched off)."}
    )
    ctx: dict[str, Any] = {
        "hot": hot,
        "hot_all": hot_all,
        "cells": cells,
        "grid": grid,
        "inc": inc,
        "min_count": m,
        "n": len(inc),
        "change": change,
        # places the scan made touch only when cut at the area cap or beside a cluster
        "touching": _touching(hot, opts["max_area_km2"]) if opts["hotspots"] is None else {},
        "year_note": _year_note(analyses["scores"], period_text),
        "patrol_rate": patrol_rate_line(analyses["scores"]),
        "plan": analyses["plan"],
    }
    pages, top_rows = [], []
    member = analyses["member"]
    for _, row in hot.iterrows():
        sub = inc[(member == row["hotspot_id"]).fillna(False).to_numpy(dtype=bool)]
        info = _hotspot_info(row, ctx, sub, analyses)
        pages.append(info)
        top_rows.append(
            {
                "rank": int(row["rank"]),
                "name": str(row["place_name"]) + (" (busy place)" if _is_busy(row) else ""),
                "grid": str(row["grid_ref"]),
                "n": f"{int(row['n_incidents']):,}",
                "share": f"{100 * float(row['share']):.1f}%",
                "when": info["when"],
                "dark": info["dark_short"],
            }
        )
    listed = [
        (int(row["rank"]), int(row["hotspot_id"]),
         [a["intervention"] for a in info["actions"] if a.get("intervention")])
        for (_, row), info in zip(hot.iterrows(), pages, strict=True)
    ]
    fits = [
        (int(row["rank"]), int(row["hotspot_id"]),
         [i for a in info["actions"] for i in a.get("if_fits", [])])
        for (_, row), info in zip(hot.iterrows(), pages, strict=True)
    ]
    ctx["evidence"] = evidence_lines(analyses["scores"], listed, load_catalogue(), fits)
    total_hot = int(hot["n_incidents"].sum())
    if len(hot):
        summary = (
            _kinds_count(hot)
            + f" {total_hot:,} incidents ({100 * total_hot / len(inc):.0f}% "
            f"of all incidents in the area) on {float(hot['area_km2'].sum()):.2f} km²."
        )
        if "kind" in hot_all.columns and (hot_all["kind"] == "busy place").all():
            summary += " No hot spot: no group of cells is busier than chance would give."
    else:
        summary = (
            "No hotspots found: no group of cells is busier than chance would give "
            "(see the map for where incidents happened)."
        )
    summary += _not_shown(hot, m, opts["top"])
    src = kw["source"] or opts["incidents"].attrs.get("hotspot", {}).get("ingest", {}).get(
        "source", ""
    )
    src = Path(str(src)).name if src else ""
    what = ", ".join(p for p in (offence, name, period_text) if p)
    footer = what + (f". Source: {src}" if src else "")
    footer += ". " + _CAVEAT
    ctx.update(
        # what, where, when: "Robbery, Raines precinct, 1 Jan – 31 Dec 2019"
        title=kw["title"] or what,
        subtitle="Hotspot briefing for patrol officers",
        period_text=period_text,
        facts=[
            ("Area", name or "Every incident in the data (no area named)"),
            ("Period", period_text + _data_span(inc, start, end, period_text)),
            ("Incidents", f"{len(inc):,} ({_offence_detail(inc, opts['offence_label'])})"),
            ("Change", change["text"]),
            ("Hotspots", summary),
            *_patrol_fact(analyses["plan"]),
        ],
        top_rows=top_rows,
        pages=pages,
        footer=footer,
        no_hotspots=summary,
        how_to_read="How to read this pack: "
        + (
            "find a place by its grid reference: 'C4 b2' is square C4 on the map above "
            "(column C, row 4), then small square b2 (column b, row 2) of it on the place's "
            "own map"
            if grid.sub > 1
            else "find a place on the map by its grid square ('C4': column C, row 4)"
        )
        + "; each following page covers one place: when it is busiest, what happens there, "
        "what to do and why. 'Dark': share of incidents with a known time that happened "
        "after dusk or before dawn."
        + (_BUSY_NOTE if "kind" in hot.columns and len(hot) else "")
        + "".join(
            f" {chr(39) + 'near' + chr(39) if src == 'address points' else 'Place'} names: "
            f"{name_source(hot, src)}."
            for src in sorted(set(hot["place_source"]) - {"grid"})
        ),
    )
    return ctx


def _write_atomic(path: Path, write: Any) -> Path:
    """Write through a temporary file in the same folder, then move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


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
