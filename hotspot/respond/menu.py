"""Response: a menu of candidate responses per hotspot, with the problem analysis triangle.

:func:`response_menu` lists, for each hotspot, the catalogue entries that fit its offence
mix, place types and times -- scored measures, measures with no effect estimate, and the
problem-solving process -- each with the side of the problem analysis triangle it works
on (offender, target or place) and that side's controller (handler, guardian or manager;
Eck 2003), the on-site checks an officer should make, and why it is on the list. A
problem-solving project (SARA) is recommended first where no scored measure is known to
apply. :func:`format_response_menu` turns one hotspot's menu into printable lines (used by
the briefing pack).
"""

from __future__ import annotations

from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._core.meta import attach
from hotspot._core.validation import check_columns, check_incidents_and_hotspots
from hotspot.exceptions import InvalidInputError
from hotspot.ingest.columns import resolve_setting
from hotspot.respond.interventions import (
    _Context,
    _dark_weights,
    _eligibility,
    _incident_attributes,
    _resolve_catalogue,
)
from hotspot.scan.areas import hotspot_membership

__all__ = ["format_response_menu", "response_menu"]

_TIMES = {"dark": "in darkness", "patrolled": "at the busiest hours", "any": "at any time"}
_COLUMNS = ["hotspot_id", "order", "intervention", "name", "status", "share_known",
            "share_possible", "triangle_side", "controller", "why", "checks",
            "evidence_quality", "prevented", "pop_guide"]


def response_menu(
    incidents: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    scores: pd.DataFrame | None = None,
    setting: str | Literal[False] | None = None,
    offence: str = "offence",
    catalogue: Any = None,
    min_share: float = 0.10,
    tz: Any = None,
) -> pd.DataFrame:
    """Candidate responses per hotspot: why each fits, its triangle side and what to check.

    An entry is on a hotspot's menu when at least ``min_share`` of the hotspot's incidents
    are, or might be (place type, offence or time unknown), of the offences, settings and
    times it acts on. The problem-solving process is always listed; it comes first where
    no scored measure is known to prevent anything there.

    Parameters
    ----------
    incidents
        Incidents (same CRS) with ``occurred_at``; ``dark_weight`` is computed when absent.
    hotspots
        Hotspot polygons with ``hotspot_id``.
    scores
        Optional frame from :func:`hotspot.respond.interventions.score_interventions`: its
        ``prevented`` column orders scored measures and is shown.
    setting, offence, catalogue, tz
        As in :func:`hotspot.respond.interventions.score_interventions`.
    min_share
        Share of a hotspot's incidents an entry must be able to act on (default 10 %).

    Returns
    -------
    pandas.DataFrame
        One row per (hotspot, candidate): ``hotspot_id``, ``order`` (1 = first),
        ``intervention``, ``name``, ``status`` (``"scored"``, ``"no estimate"`` or
        ``"process"``), ``share_known``, ``share_possible``, ``triangle_side``,
        ``controller``, ``why``, ``checks`` (joined), ``evidence_quality``,
        ``prevented`` (NaN when not scored), ``pop_guide``.

    Raises
    ------
    InvalidInputError
        Bad ``min_share``, missing columns, mismatched CRS.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> from hotspot.respond.menu import response_menu
    >>> hot = gpd.GeoDataFrame({"hotspot_id": [1]}, geometry=[box(0, 0, 100, 100)],
    ...                        crs=32616)
    >>> t = pd.date_range("2024-01-01 23:00", periods=10, freq="D", tz="UTC")
    >>> inc = gpd.GeoDataFrame({"occurred_at": t, "dark_weight": 1.0, "offence": "Burglary",
    ...                         "loc": "residence"},
    ...                        geometry=gpd.points_from_xy([50] * 10, [50] * 10), crs=32616)
    >>> m = response_menu(inc, hot, setting="loc")
    >>> "target_hardening" in set(m["intervention"])
    True
    """
    check_incidents_and_hotspots(incidents, hotspots, ["occurred_at"])
    if not 0 <= min_share <= 1:
        raise InvalidInputError(f"min_share must be between 0 and 1, got {min_share!r}")
    setting = resolve_setting(incidents, setting)
    cat = _resolve_catalogue(catalogue)
    member = hotspot_membership(incidents, hotspots)
    if not member.notna().any():
        raise InvalidInputError("no incident falls inside any hotspot: nothing to put on a menu")
    ctx = _Context(hotspots, incidents, member)
    _incident_attributes(ctx, offence=offence, setting=setting, harm=None, ctable={},
                         choices={})
    _dark_weights(ctx, tz, True, {})
    blocks = [_entry_rows(iid, cat.loc[iid], ctx, tz) for iid in cat.index]
    menu = pd.concat(blocks, ignore_index=True)
    menu = menu[(menu["share_possible"] >= min_share) | (menu["status"] == "process")]
    menu = _attach_scores(menu, scores)
    menu = _order(menu)
    params = {"min_share": min_share, "setting": setting,
              "catalogue_version": cat.attrs.get("version")}
    return attach(menu[_COLUMNS].reset_index(drop=True), "response_menu", params, {})


def _entry_rows(iid: str, e: pd.Series, ctx: _Context, tz: Any) -> pd.DataFrame:
    """Shares of each hotspot's incidents the entry acts on, and the plain-words why."""
    known, maybe, _ = _eligibility(e, ctx, None, tz)
    n = np.maximum(ctx.n_incidents, 1)
    share_k = ctx.per_hotspot(known) / n
    share_p = share_k + ctx.per_hotspot(maybe) / n
    status = ("process" if e.get("role") == "process"
              else "no estimate" if not np.isfinite(e["effect_central"]) else "scored")
    scope = ("the main problem" if status == "process" else
             "all offences" if "all" in e["offences"] else "/".join(e["offences"]))
    if status != "process" and e.get("no_effect_on"):
        scope += " except " + "/".join(e["no_effect_on"])
    where = "" if "all" in e["settings"] else " in " + "/".join(e["settings"]) + " places"
    why = [
        f"{k:.0%} of its incidents are {scope}{where} {_TIMES[e['times']]}"
        + (f" (up to {p:.0%} with place, offence or time unknown)" if p - k > 0.005 else "")
        for k, p in zip(share_k, share_p, strict=True)
    ]
    return pd.DataFrame({
        "hotspot_id": ctx.hid, "intervention": iid, "name": e["name"], "status": status,
        "share_known": share_k, "share_possible": share_p,
        "triangle_side": e.get("triangle_side", "place"),
        "controller": e.get("controller", "manager"), "why": why,
        "checks": " ".join(e.get("checks", ()) or ()),
        "evidence_quality": e["evidence_quality"], "pop_guide": e.get("pop_guide", ""),
    })


def _attach_scores(menu: pd.DataFrame, scores: pd.DataFrame | None) -> pd.DataFrame:
    if scores is None or "prevented" not in scores:
        return menu.assign(prevented=np.nan)
    prev = scores.set_index(["hotspot_id", "intervention"])["prevented"]
    key = pd.MultiIndex.from_frame(menu[["hotspot_id", "intervention"]])
    return menu.assign(prevented=prev.reindex(key).to_numpy())


def _order(menu: pd.DataFrame) -> pd.DataFrame:
    """Scored measures by prevented then known share; the process first where none works."""
    works = (menu["status"].eq("scored") & menu["prevented"].fillna(0).gt(0)).groupby(
        menu["hotspot_id"]).transform("any")
    tier = np.select(
        [menu["status"].eq("process") & ~works, menu["status"].eq("scored"),
         menu["status"].eq("no estimate")],
        [0, 1, 2], default=3)
    menu = menu.assign(_tier=tier, _p=-menu["prevented"].fillna(-1), _k=-menu["share_known"])
    menu = menu.sort_values(["hotspot_id", "_tier", "_p", "_k"], kind="stable")
    menu["order"] = menu.groupby("hotspot_id").cumcount() + 1
    why = np.where(menu["status"].eq("process") & (menu["_tier"] == 0),
                   "no scored measure is known to apply here: analyse the problem first; "
                   + menu["why"], menu["why"])
    return menu.assign(why=why).drop(columns=["_tier", "_p", "_k"])


def format_response_menu(
    menu: pd.DataFrame, hotspot_id: Any, *, top: int = 5, compact: bool = False
) -> list[str]:
    """Printable lines of one hotspot's menu: candidate, triangle side, why, what to check.

    Parameters
    ----------
    menu
        The frame from :func:`response_menu`.
    hotspot_id
        The hotspot to print.
    top
        Number of candidates to print.
    compact
        One line for a printed page: up to two candidates without an estimate (or the
        problem-solving process) with their triangle side, and the first on-site check
        of the first candidate.

    Returns
    -------
    list of str

    Examples
    --------
    >>> m = pd.DataFrame({"hotspot_id": [1], "order": [1], "name": ["Lighting"],
    ...                   "status": ["scored"], "triangle_side": ["place"],
    ...                   "controller": ["manager"], "why": ["60% dark"],
    ...                   "checks": ["Are the lights working?"], "evidence_quality": ["verified"]})
    >>> format_response_menu(m, 1)[0]
    '1. Lighting [place / manager; evidence verified]: 60% dark.'
    """
    check_columns(menu, ["hotspot_id", "order", "name", "status", "triangle_side",
                         "controller", "why", "checks", "evidence_quality"], "menu")
    sub = menu[menu["hotspot_id"] == hotspot_id].sort_values("order").head(int(top))
    if compact:
        return _compact(menu[menu["hotspot_id"] == hotspot_id].sort_values("order"))
    lines: list[str] = []
    for r in sub.itertuples(index=False):
        tag = ("no estimate" if r.status == "no estimate" else
               "the process" if r.status == "process" else f"evidence {r.evidence_quality}")
        lines.append(f"{int(r.order)}. {r.name} [{r.triangle_side} / {r.controller}; {tag}]: "
                     f"{r.why}.")
        if r.checks:
            lines.append(f"   Check on site: {r.checks}")
    return lines


def _compact(sub: pd.DataFrame) -> list[str]:
    other = sub[sub["status"] != "scored"].head(2)
    names = "; ".join(f"{str(r.name).split(' (')[0]} ({r.triangle_side}/{r.controller})"
                      for r in other.itertuples(index=False))
    checks = " ".join(str(c).split("?")[0].strip() + "?" for c in sub["checks"].head(1) if c)
    text = (f"Also consider: {names}. " if names else "") + (
        f"Check on site: {checks}" if checks else "")
    return ["   " + text.strip()] if text else []
