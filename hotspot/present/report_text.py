"""Words of the briefing pack: how each finding is said to an officer.

:mod:`hotspot.present.report` decides what the pack holds; this module turns it
into plain sentences and table rows (counts under the minimum printed as "fewer
than n"); :mod:`hotspot.present.report_pages` lays them out.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspot._core.grid import grid_spec_of
from hotspot._core.time import circular_window_sums, data_period
from hotspot.ingest.report import ingest_report
from hotspot.present.advice import fit_condition, officer_name, officer_why
from hotspot.present.furniture import period_label
from hotspot.present.report_pages import LEFT
from hotspot.respond.evidence import load_catalogue
from hotspot.respond.menu import response_menu
from hotspot.scan.busy import BUSY_TOP, touching_note, touching_ranks
from hotspot.scan.places import ADDRESS_REACH

_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_CATALOGUE = load_catalogue()
#: Measures that act at certain hours (darkness, the busiest hours).
_TIMED = frozenset(_CATALOGUE.index[_CATALOGUE["times"] != "any"])


def _n(n: int | float, min_count: int) -> str:
    """Format a count for print: ``"fewer than 3"`` for 0 < n < min_count."""
    n = round(float(n))
    return f"fewer than {min_count}" if 0 < n < min_count else f"{n:,}"


def _peak(profile: pd.DataFrame, block: str | None = None, window: int = 4) -> str:
    """'Fri, Sat 20:00-24:00' from a 24 x 7 profile: the busiest hours and their days.

    The hours are the busiest ``window`` hours of the day (circular window sums), or
    ``block``, a patrol plan's block for the place ("18:00-02:00"), so that the
    busiest times printed and the visits planned are the same window. The days are
    the one or two weekdays with most incidents in those hours.
    """
    values = profile.to_numpy(dtype=float)
    if not np.isfinite(values).any() or values.sum() <= 0:
        return "-"
    if block is not None:
        h0 = int(block[:2])
        window = (int(block[6:8]) - h0) % 24 or 24
    else:
        h0 = int(np.argmax(circular_window_sums(values.sum(axis=1), window)))
    days = values[(np.arange(h0, h0 + window) % 24)].sum(axis=0)
    if days.sum() <= 0:
        days = values.sum(axis=0)
    order = np.argsort(-days, kind="stable")
    top_days = (
        [_DAYS[i] for i in sorted(order[:2])]
        if days[order[1]] >= 0.8 * days[order[0]]
        else [_DAYS[order[0]]]
    )
    h1 = (h0 + window) % 24
    return f"{', '.join(top_days)} {h0:02d}:00-{(h1 or 24):02d}:00"


def plan_block(plan: pd.DataFrame | None, hid: int) -> str | None:
    """Return the daily block a patrol plan gives a place ("18:00-02:00"), else None."""
    if plan is None:
        return None
    places = plan.attrs.get("hotspot", {}).get("patrol_plan", {}).get("places", [])
    rec = next((p for p in places if p.get("hotspot_id") == hid), {})
    return rec.get("block") if rec.get("status", "no incidents") != "no incidents" else None


_BLOCKS = {  # time table designs, finest first: (row edges in hours, weekday groups)
    "3-hour blocks x weekday": (list(range(0, 25, 3)), [[d] for d in range(7)]),
    "part of day x weekday": ([0, 6, 12, 18, 24], [[d] for d in range(7)]),
    "part of day, weekdays vs weekend": ([0, 6, 12, 18, 24], [[0, 1, 2, 3, 4], [5, 6]]),
}

_PART = {0: "Night 00-06", 6: "Morning 06-12", 12: "Afternoon 12-18", 18: "Evening 18-24"}


def _time_table(profile: pd.DataFrame | None, min_count: int) -> dict[str, Any] | None:
    """Pick the finest time table in which most non-empty cells reach ``min_count``."""
    if profile is None or float(np.nansum(profile.to_numpy())) <= 0:
        return None
    hours = profile.to_numpy(dtype=float)  # 24 x 7
    for title, (edges, groups) in _BLOCKS.items():
        rows = np.add.reduceat(hours, edges[:-1], axis=0)
        values = np.column_stack([rows[:, g].sum(axis=1) for g in groups])
        nonzero = values[values > 0]
        if np.median(nonzero) >= min_count or title.endswith("weekend"):
            break
    rounded = np.rint(values)
    text = [[_cell(v, min_count) for v in row] for row in rounded]
    shown = np.where(rounded >= min_count, rounded, np.nan)
    cols = _DAYS if len(groups) == 7 else ["Mon-Fri", "Sat-Sun"]
    labels = (
        [f"{a:02d}-{b:02d}h" for a, b in itertools.pairwise(edges)]
        if len(edges) == 9
        else [_PART[a] for a in edges[:-1]]
    )
    return {
        "title": title,
        "values": rounded,
        "shown": shown,
        "text": text,
        "rows": labels,
        "cols": cols,
    }


def _cell(v: float, min_count: int) -> str:
    if v == 0:
        return "-"
    return f"<{min_count}" if v < min_count else f"{v:,.0f}"


#: Emerging-hotspot categories (:data:`hotspot.analyse.emerging.EMERGING_CATEGORIES`)
#: in an officer's words; the category itself is named on the method page.
_TRENDS = {
    "new": "New: busy only in the latest month",
    "consecutive": "New: busy in each of the last few months, not before",
    "intensifying": "Up in recent months; busy in most months",
    "persistent": "Busy in most months, with no clear change",
    "diminishing": "Down in recent months; still busy in most months",
    "sporadic": "On and off: busy in some months, quiet in others",
    "oscillating": "On and off: busy in some months, unusually quiet in others",
    "historical": "Was busy in earlier months, not recently",
}


def trend_words(category: str) -> str:
    """Say an emerging-hotspot category as an officer would (no 'hot spot' jargon).

    Examples
    --------
    >>> trend_words("intensifying hot spot")
    'Up in recent months; busy in most months'
    >>> trend_words("no pattern detected")
    'No clear pattern from month to month'
    """
    kind, _, side = str(category).partition(" ")
    if side.startswith("cold") and kind in _TRENDS:
        return "Quieter than the places around it in most months"
    return _TRENDS.get(kind, "No clear pattern from month to month")


def _dark_text(dark: pd.DataFrame | None, hid: int, reason: str | None, min_count: int):
    if reason is not None:
        return reason, "-"
    if dark is None or hid not in dark.index or dark.loc[hid, "n_known"] <= 0:
        return "No incident here has a known time of day, so darkness cannot be shown.", "-"
    d = dark.loc[hid]
    share = f"{100 * d['dark_share']:.0f}%"
    if d["n_known"] < min_count:
        return f"Too few incidents with a known time (fewer than {min_count}) to tell.", "-"
    n_dark, n_known = int(d["n_dark"]), int(d["n_known"])
    if 0 < n_dark < min_count:  # a share would give the suppressed count away
        return (f"Fewer than {min_count} of the {n_known:,} incidents with a known time "
                "were in darkness.", "few")
    if 0 < n_known - n_dark < min_count:
        return (f"Nearly all of the {n_known:,} incidents with a known time were in "
                f"darkness (fewer than {min_count} in daylight).", "most")
    return (  # the likely range is the analyst's: on the method page
        f"{share} of incidents with a known time were in darkness "
        f"({_n(d['n_dark'], min_count)} of {int(d['n_known']):,}).",
        share,
    )


def _mix(values: pd.Series, min_count: int, top: int = 4) -> list[list[str]]:
    counts = values.astype("string").fillna("not recorded").value_counts()
    total = int(counts.sum())
    rows: list[list[str]] = []
    other = 0
    for i, (name, n) in enumerate(counts.items()):
        if i < top and n >= min_count:
            rows.append([str(name), f"{n:,}", f"{100 * n / total:.0f}%"])
        else:
            other += int(n)
    if other:
        share = f"{100 * other / total:.0f}%" if other >= min_count else ""
        rows.append(["all others", f"<{min_count}" if other < min_count else f"{other:,}", share])
    return rows


def _incidents(n: float) -> str:
    """'1 fewer incident', '3 fewer incidents' (whole incidents, as printed)."""
    k = round(float(n))
    return f"{k:,} fewer incident{'' if k == 1 else 's'}"


def _fmt_money(value: Any, currency: str) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{currency} {v:,.0f}".strip()


def _menus(
    hot: gpd.GeoDataFrame, inc: gpd.GeoDataFrame, scores: pd.DataFrame | None, setting: Any
) -> dict[int, list[str]]:
    """Plain 'Also consider' line per place (:func:`hotspot.respond.menu.response_menu`).

    Up to two measures without an estimate here (or the problem-solving process), by
    their everyday names, and the first on-site question of the place's menu; the
    triangle sides and evidence grades stay with the analyst.
    """
    if scores is None or len(hot) == 0:
        return {}

    menu = response_menu(inc, hot, scores=scores, setting=setting).sort_values("order")
    out: dict[int, list[str]] = {}
    for hid, sub in menu.groupby("hotspot_id", sort=False):
        other = sub[sub["status"] != "scored"]
        named = [_menu_name(str(r.intervention), str(r.name), float(r.share_known))
                 for r in other.itertuples()]
        names = "; ".join([n for n in named if n][:2])
        checks = [str(c).split("?")[0].strip() + "?" for c in sub["checks"].head(1) if c]
        text = (f"Also consider: {names}. " if names else "") + (
            f"Check on site: {checks[0]}" if checks else ""
        )
        out[int(hid)] = [text.strip()] if text.strip() else []
    return out


#: Place types a whole place (a few streets) can be: a measure for one of these may be
#: offered "if it fits" where the data do not record the type of place. A measure
#: studied only in car parks, shops, stations or parks is not: its effect says nothing
#: of the other incidents of a place whose type is not known.
_PLACE_WIDE = frozenset({"all", "outdoor", "street", "residence"})

#: Share of a place's incidents known to be of a measure's place type for it to be
#: named without a condition (:func:`hotspot.respond.menu.response_menu`'s ``min_share``).
_KNOWN_SHARE = 0.10


def _menu_name(iid: str, name: str, share_known: float) -> str:
    """Name a measure for 'Also consider', with its condition where the place type is unknown.

    A measure for car parks, shops, stations or parks is named only where the data say
    the place is one (``""`` otherwise); one for streets or homes, with the condition
    ("if these are residential streets") where the place type is not known.
    """
    label = officer_name(iid, name)
    if share_known >= _KNOWN_SHARE or iid not in _CATALOGUE.index:
        return label
    settings = set(_CATALOGUE.loc[iid, "settings"])
    if "all" in settings:
        return label
    if not settings & _PLACE_WIDE:
        return ""
    cond = fit_condition(iid, tuple(settings))
    return f"{label} ({cond})" if cond else label


def _alternatives(iid: str) -> set[str]:
    """Other forms of the same measure (catalogue ``alternatives``), the measure included."""
    if iid not in _CATALOGUE.index:
        return {iid}
    return {iid, *(_CATALOGUE.loc[iid].get("alternatives", ()) or ())}


def _one_of_each(ids: list[str], taken: set[str] | None = None) -> list[bool]:
    """Keep the first of each set of alternatives (``ids`` best first).

    ``taken``: measures already offered on the page; their alternatives are left out too.
    """
    seen = set().union(*(_alternatives(i) for i in taken or ()))
    keep = []
    for iid in ids:
        keep.append(iid not in seen)
        seen |= _alternatives(iid)
    return keep


def _fits_unknown(iid: str, offence_known: bool) -> bool:
    """Whether a measure may be offered "if it fits" at a place of unknown type."""
    if iid not in _CATALOGUE.index:
        return offence_known
    entry = _CATALOGUE.loc[iid]
    if not set(entry["settings"]) & _PLACE_WIDE:
        return False
    # a measure for particular offences needs the offence: unknown, it is not offered
    return offence_known or "all" in entry["offences"]


def _if_unknown_eligible(
    scores: pd.DataFrame,
    hid: int,
    listed: pd.DataFrame,
    top: int = 2,
    timed: frozenset[str] | None = None,
    offence_known: bool = True,
) -> list[tuple[str, str, float]]:
    """Measures not listed whose effect depends on a place type the data do not give.

    Returns ``(id, name, upper)``: incidents prevented a year if every incident of
    unknown place type were eligible (``prevented_if_unknown_eligible``, an upper
    bound), at least 1. Only measures studied at place types a whole place can be
    (streets, homes, outdoors: :data:`_PLACE_WIDE`) and, when the offence is not
    known, only those for all crime. ``timed``: measures that act at certain hours,
    left out when the data have no times of day (unknown hours are not a place type).
    """
    need = {"prevented_if_unknown_eligible", "eligible_unknown", "intervention"}
    if not need <= set(scores.columns):
        return []
    rows = scores[(scores["hotspot_id"] == hid) & (scores["eligible_unknown"] > 0)]
    if timed is not None:
        rows = rows[~rows["intervention"].isin(timed)]
    fits = [_fits_unknown(str(i), offence_known) for i in rows["intervention"]]
    rows = rows[np.asarray(fits, dtype=bool)]  # (an empty list would select columns)
    rows = rows[rows["prevented_if_unknown_eligible"] >= 1.0]
    rows = rows.sort_values("prevented_if_unknown_eligible", ascending=False)
    taken = {str(i) for i in listed.get("intervention", [])}
    keep = _one_of_each([str(i) for i in rows["intervention"]], taken)
    rows = rows[np.asarray(keep, dtype=bool)].head(top)
    return [
        (str(r["intervention"]), officer_name(str(r["intervention"]), str(r.get("name", ""))),
         float(r["prevented_if_unknown_eligible"]))
        for _, r in rows.iterrows()
    ]


def _condition_words(iid: str) -> str:
    """" (if these are homes)": the condition of a measure at a place of unknown type."""
    settings = tuple(_CATALOGUE.loc[iid, "settings"]) if iid in _CATALOGUE.index else ()
    cond = fit_condition(iid, settings)
    return f" ({cond})" if cond else ""


def _not_scored(scores: pd.DataFrame | None, offered: set[str] = frozenset()) -> list[str]:
    """Officer names of the measures with a published effect that act at certain hours.

    A measure another form of which is ``offered`` on the page is not named: the page
    never says a measure was not worked out and then gives it a figure.
    """
    ids = _TIMED if scores is None or "intervention" not in scores else (
        _TIMED & set(scores["intervention"].astype(str)))
    return [officer_name(i).lower() for i in _CATALOGUE.index
            if i in ids and np.isfinite(float(_CATALOGUE.loc[i, "effect_central"]))
            and not _alternatives(i) & set(offered)]


def _actions(
    hid: int,
    scores: pd.DataFrame | None,
    plan: pd.DataFrame | None,
    menu: list[str],
    *,
    hours_known: bool = True,
    unknown: str = "the type of place",
    offence_known: bool = True,
    year_note: str = "",
) -> list[dict]:
    """Items of 'What to do here': bold headings, reasons printed whole.

    ``unknown`` names what the data do not record at the place (the type of place,
    the offence) when measures that depend on it are offered "if it fits";
    ``offence_known`` False: measures for particular offences are not offered;
    ``year_note`` follows yearly figures from less than a year of data
    (" (from July 2018 only)"). A measure the page says was not worked out is
    never given a figure.
    """
    items: list[dict[str, Any]] = []
    maybe: list[tuple[str, str, float]] = []
    sub = pd.DataFrame()
    if scores is not None:
        sub = scores[scores["hotspot_id"] == hid] if "hotspot_id" in scores else scores.iloc[:0]
        if not hours_known and "intervention" in sub:
            sub = sub[~sub["intervention"].isin(_TIMED)]
        if "prevented" in sub:  # printed as whole incidents: under a half is "about 0"
            sub = sub[sub["prevented"] >= 0.5].sort_values("prevented", ascending=False)
        if "intervention" in sub:  # one form of each measure (e.g. of street lighting)
            sub = sub[np.asarray(_one_of_each([str(i) for i in sub["intervention"]]),
                                 dtype=bool)]
        maybe = _if_unknown_eligible(
            scores, hid, sub, timed=None if hours_known else _TIMED, offence_known=offence_known
        )
    if not hours_known:
        offered = {str(i) for i in sub.head(3).get("intervention", [])} | {
            iid for iid, _, _ in maybe}
        skipped = _not_scored(scores, offered)
        items.append(
            {
                "text": "Times here are known only to the day or month, so the time of day "
                "cannot guide patrols"
                + (f"; not worked out here: {' and '.join(skipped)}" if skipped else "")
                + ". Ask your analyst for data with times.",
            }
        )
    if scores is not None:
        if len(sub) == 0 and hours_known and not maybe:
            items.append(
                {
                    "text": "No listed intervention is expected to prevent a "
                    "whole incident a year here; see the other options below."
                }
            )
        for i, (_, r) in enumerate(sub.head(3).iterrows(), start=1):
            iid = str(r.get("intervention", ""))
            name = officer_name(iid, str(r.get("name", iid)))
            est = ""
            if "prevented" in r:
                est = f": about {_incidents(float(r['prevented']))} a year{year_note}"
            cur = str(r.get("currency", ""))
            if "capital" in r and pd.notna(r["capital"]):
                up_front = float(r["capital"]) >= 0.5
                est += (
                    (f", {_fmt_money(r['capital'], cur)} up front and " if up_front else ", ")
                    + f"{_fmt_money(r['annual_cost'], cur)} a year"
                    + _hours_costed(r)
                )
            elif "cost" in r and pd.notna(r["cost"]):
                est += f", cost about {_fmt_money(r['cost'], cur)}"
            items.append({"text": f"{i}. {name}{est}.", "bold": True, "intervention": iid})
            why = officer_why(iid, str(r.get("name", "")), r.get("effect"))
            items.append({"text": f"Why: {why[:-1]} (sources: method page).", "x": LEFT + 0.03})
    if maybe:
        place_unknown = unknown == "the type of place"
        fits = "; ".join(
            f"{name}{_condition_words(iid) if place_unknown else ''}, up to about "
            f"{_incidents(up)} a year" for iid, name, up in maybe)
        when = year_note.strip(" ()") + "; " if year_note else ""
        items.append({"text": f"The data do not record {unknown} here. If it fits: "
                      f"{fits} ({when}sources: method page). Check on site.", "x": LEFT + 0.03,
                      "if_fits": [iid for iid, _, _ in maybe]})
    if scores is not None and not offence_known:
        items.append({"text": "The data do not say which offence these incidents are, so "
                      "measures for particular offences are not offered here. Ask your "
                      "analyst to name the offence.", "x": LEFT + 0.03})
    items.extend({"text": line.strip(), "x": LEFT + 0.03} for line in menu)
    if plan is not None:
        sub = plan[plan["hotspot_id"] == hid] if "hotspot_id" in plan else plan.iloc[:0]
        if len(sub) == 0 and not hours_known:
            pass  # said above: no timetable without times
        elif len(sub) == 0:
            items.append({"text": _no_visit_reason(plan, hid)})
        else:
            mins = pd.to_numeric(sub["duration_min"], errors="coerce")
            low = bool(sub["low_yield"].any()) if "low_yield" in sub else False
            items.append(
                {
                    "text": f"Patrol: {len(sub)} visits a week of about {mins.median():.0f} "
                    f"minutes ({mins.sum() / 60:.1f} officer-hours)"
                    + (", from the hours left after busier places (low yield: few "
                       "incidents here at these times)." if low else "."),
                    "bold": True,
                }
            )
            days = sub.groupby(sub["day"].astype(str), sort=False)["start"].apply(list)
            when = "; ".join(f"{d} {', '.join(v)}" for d, v in days.items())
            items.append({"text": f"Visit at: {when}.", "x": LEFT + 0.03})
            items.append(
                {
                    "text": "Why: short visits at the busiest hours, spread over the week, "
                    "deter for longer than one long stay. Vary the exact minute so visits "
                    "are not predictable.",
                    "x": LEFT + 0.03,
                }
            )
    return items


def _hours_costed(r: pd.Series) -> str:
    """' for 7.0 officer-hours a week' after a cost made of officer hours, else ''."""
    hours = pd.to_numeric(r.get("officer_hours_per_week"), errors="coerce")
    if str(r.get("intervention", "")) != "hot_spots_patrol" or not hours > 0:
        return ""
    return f" for {hours:.1f} officer-hours a week"


def patrol_rate_line(scores: pd.DataFrame | None) -> str | None:
    """Return the method page's sentence on how patrol is costed: rate and source."""
    if scores is None or "intervention" not in scores:
        return None
    rows = scores[scores["intervention"].astype(str) == "hot_spots_patrol"]
    if not len(rows) or not {"annual_cost", "officer_hours_per_week"} <= set(rows):
        return None
    hours = rows["officer_hours_per_week"].to_numpy(float)
    rate = float(np.nanmedian(rows["annual_cost"].to_numpy(float)[hours > 0]
                              / (hours[hours > 0] * 52.0))) if (hours > 0).any() else np.nan
    if not np.isfinite(rate):
        return None
    cost = _CATALOGUE.loc["hot_spots_patrol", "cost"]
    cur = str(rows["currency"].iloc[0]) if "currency" in rows else ""
    year = rows["price_year"].iloc[0] if "price_year" in rows else None
    base = f"{cost['currency']} {float(cost['officer_hour_cost']):,.2f} an hour ({cost['year']})"
    conv = "" if cur == cost["currency"] and year == cost.get("year") else (
        f" = {cur} {rate:,.2f} an hour at {year} prices")
    return (
        f"Patrol costs: the officer-hours planned at each place (without a plan, the whole "
        f"{int(cost['patrol_hours_per_day'])}-hour block) x {base}, the Home Office on-cost "
        f"of an officer up to sergeant{conv}; ask your force for its own rate."
    )


def _patrol_fact(plan: pd.DataFrame | None) -> list[tuple[str, str]]:
    """Page 1's patrol line: the hours planned out of the hours given, and where."""
    if plan is None:
        return []
    meta = plan.attrs.get("hotspot", {}).get("patrol_plan", {})
    if meta.get("untimed"):
        return [("Patrol", f"No patrol times: the data give {meta['untimed']}, not the "
                 "time of day. Ask your analyst for data with times.")]
    used, budget = meta.get("hours_used", 0.0), meta.get("budget_hours", 0.0)
    n_places = int(plan["hotspot_id"].nunique()) if len(plan) else 0
    def hrs(x: float) -> str:
        return f"{x:.2f}".rstrip("0").rstrip(".")

    text = (f"{hrs(used)} of {hrs(budget)} officer-hours a week planned: {len(plan)} short "
            f"visits at {n_places} place{'s' if n_places != 1 else ''}, days and times on "
            "each place's page.")
    low = meta.get("hours_low_yield", 0.0)
    if low:
        text += f" {hrs(low)} of these hours are low-yield visits (few incidents there)."
    if meta.get("hours_unused", 0.0):
        text += (f" The other {hrs(meta['hours_unused'])} hours are free for other work: no "
                 "incident was recorded at these places in the hours still open.")
    return [("Patrol", text)]


def _no_visit_reason(plan: pd.DataFrame, hid: int) -> str:
    """Why this week's patrol plan gives a place no visit, in the plan's own terms."""
    places = plan.attrs.get("hotspot", {}).get("patrol_plan", {}).get("places", [])
    rec = next((p for p in places if p.get("hotspot_id") == hid), {})
    if rec.get("status") == "no incidents":
        return "Patrol: no incident here has a known time of day, so no visit is planned."
    busier = sum(p.get("visits", 0) > 0 for p in places)
    return (
        f"Patrol: this week's officer hours all went to {busier} "
        f"place{'s' if busier != 1 else ''} where visits prevent more; if more hours are "
        f"found, visit here {rec.get('block', 'at the busiest times above')} every day."
    )


def offence_label(inc: gpd.GeoDataFrame, label: str | None = None) -> str:
    """Name what the pack is about, for titles and footers (the one home of that wording).

    ``label`` when given (``hs.briefing(offence_label=...)``, ``--offence-label``);
    else from the ``offence`` column: its one value ("Robbery"), two values joined
    ("Assault and robbery", most frequent first), "<n> offence types" beyond, and
    "Crime" when no offence is recorded.

    Examples
    --------
    >>> import geopandas as gpd
    >>> offence_label(gpd.GeoDataFrame({"offence": ["robbery", "assault", "robbery"]}))
    'Robbery and assault'
    >>> offence_label(gpd.GeoDataFrame({"offence": list("abc")}))
    '3 offence types'
    >>> offence_label(gpd.GeoDataFrame({"offence": ["x"]}), "Street robbery")
    'Street robbery'
    """
    if label is not None and str(label).strip():
        return " ".join(str(label).split())
    if "offence" not in inc.columns:
        return "Crime"
    cats = inc["offence"].astype("string").str.strip().replace("", pd.NA).dropna()
    cats = cats.value_counts()
    if len(cats) == 0:
        return "Crime"
    if len(cats) == 1:
        return _sentence_case(str(cats.index[0]))
    if len(cats) == 2:
        return f"{_sentence_case(str(cats.index[0]))} and {_lower(str(cats.index[1]))}"
    return f"{len(cats)} offence types"


def _sentence_case(text: str) -> str:
    """'ROBBERY' -> 'Robbery', 'personal robbery' -> 'Personal robbery', 'ASB' kept."""
    text = _lower(text)
    return text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    # all-capitals words longer than 3 letters are shouting, not acronyms (ASB, CCTV)
    return " ".join(
        w.lower()
        if (w.isupper() and len(w) > 3) or (w[:1].isupper() and not any(map(str.isupper, w[1:])))
        else w
        for w in text.split()
    )


def _offence_detail(inc: gpd.GeoDataFrame, label: str | None = None) -> str:
    """Say what the incidents are, for the facts line: one type, or how many types."""
    if "offence" not in inc.columns:
        return _lower(" ".join(str(label).split())) if label else "offence not recorded"
    cats = inc["offence"].astype("string").dropna().value_counts()
    if len(cats) <= 2:
        return offence_label(inc).lower()
    top = ", ".join(_lower(str(c)) for c in cats.index[:3])
    return f"{len(cats)} offence types; most: {top}"


def _period_text(start: Any, end: Any, inc: gpd.GeoDataFrame) -> str:
    """Print the briefing period: months for month-only data (police.uk), else days."""
    quality = inc["time_quality"].astype("string") if "time_quality" in inc else None
    months = quality is not None and len(quality) > 0 and bool((quality == "month_only").all())
    return period_label(start, end, months=months)


def _method_sections(ctx: dict[str, Any], opts: dict[str, Any], counts: dict[str, Any]):
    m = ctx["min_count"]
    hot_all = ctx["hot_all"]
    data = _ingest_lines(opts["incidents"])
    data.append(
        f"In the area: {counts['n_area']:,} incidents; in the period: {ctx['n']:,}."
        + (
            f" {counts['n_input'] - counts['n_area']:,} incidents outside the area or "
            "study area were left out."
            if counts["n_input"] > counts["n_area"]
            else ""
        )
        + (
            f" {counts['n_other_offences']:,} incidents of other offences were left out."
            if counts.get("n_other_offences")
            else ""
        )
    )
    places = ctx["hot"].attrs.get("hotspot", {}).get("places", {})
    sources = sorted(set(ctx["hot"]["place_source"])) if len(ctx["hot"]) else []
    grid = ctx["grid"]
    method = [
        "Hotspots: "
        + (
            "given by the analyst."
            if opts["hotspots"] is not None
            else "Getis-Ord Gi* on a square grid, 99% and 95% hot cells after "
            "false-discovery-rate correction, neighbouring hot cells merged."
        ),
        f"Grid cell size: {_cell_size(ctx['cells'])}; hotspots found: {len(hot_all)}; "
        f"shown: {len(ctx['hot'])} (the top {opts['top']} with at least {m} incidents)."
        + _not_shown(ctx["hot"], m, opts["top"])
        + _trimmed_text(ctx["hot_all"], m),
        _names_method(ctx["hot"], sources, places, m)
        + f"Map grid: squares of {grid.size:,.0f} m, letters from the west, numbers "
        "from the north"
        + (
            f"; each cut into {grid.sub} x {grid.sub} small squares of "
            f"{grid.sub_size:,.0f} m on the place maps ('C4 b2')."
            if grid.sub > 1
            else "."
        ),
        "When busiest: the busiest 4-hour window"
        + (f" (with a patrol plan, the plan's {_plan_width(ctx)}-hour block, where the visits "
           "are)" if _plan_width(ctx) else "")
        + " and its one or two busiest weekdays.",
        "Darkness: sun more than 6 degrees below the horizon at the incident's time.",
        f"Change: incidents in the period vs the window of the same length just before "
        f"it ({ctx['change'].get('window', 'not covered by the data')}).",
    ]
    if opts["patrol_hours"] is None:
        method.append("No patrol plan in this pack: no officer hours per week were given.")
    if not opts["interventions"]:
        method.append("No intervention advice in this pack: it was switched off.")
    if ctx.get("patrol_rate"):
        method.append(ctx["patrol_rate"])
    privacy = [
        f"Counts below {m} are not printed: map cells with fewer are white and dotted, "
        f"and tables show 'fewer than {m}' or '<{m}'.",
        "Individual incident locations ARE printed on the maps: handle this pack as restricted."
        if ctx["show_incidents"]
        else "No individual incident locations are printed.",
    ]
    caveats = [
        "Police-recorded crime is not all crime: it reflects what people report and where "
        "police patrol. Places with more patrol can look hotter; under-reported offences and "
        "communities are under-counted.",
        "A hotspot is a place, not a group of people. Use this pack to plan problem-solving "
        "at places, not to target individuals or communities.",
        "Times at exactly midnight are often placeholders for unknown times and are left "
        "out of the time tables and darkness.",
        "Intervention estimates are averages from published evaluations; local effects "
        "vary. Check what you do (before and after, with a comparison area).",
    ]
    evidence = ctx.get("evidence") or []
    if evidence:
        evidence = [
            "Each place page gives one plain sentence per measure; here are the published "
            "effects (share of eligible incidents prevented), the range the sources "
            "support, the grade of the evidence and the sources, and the estimates for "
            "these places after regression to the mean, with their range.",
            *evidence,
        ]
    details = [
        f"Place {p['title'].split('.')[0]}: " + "; ".join(p["analyst"]) + "."
        for p in ctx.get("pages", [])
        if p.get("analyst")
    ]
    if details:
        details.insert(0, "Figures kept off the place pages: density against the area's "
                       "average, the range the darkness share is likely in (95%), and the "
                       "monthly trend's category (emerging hotspot analysis).")
    return [
        ("Data", data),
        ("How hotspots were found", method),
        *([("Places in detail", details)] if details else []),
        *([("Evidence behind the advice", evidence)] if evidence else []),
        ("Privacy", privacy),
        ("Caveats", caveats),
    ]


def name_source(hot: Any, source: str) -> str:
    """Return where the names of ``source`` come from, in words an officer can weigh."""
    labels = hot.attrs.get("hotspot", {}).get("places", {}).get("labels", {})
    return {
        "address": "the locations recorded with the incidents here (the most frequent)",
        "address points": "the nearest addresses in "
        + labels.get("address points", "other records")
        + " (the incidents carry no address)",
        "streets": "the streets nearest most incidents here"
        + (f" (map layer '{labels['streets']}')" if labels.get("streets") else ""),
        "area": "the named area that holds the place (no address or street is known)",
    }.get(source, "no address, street or area is known: the grid square")


def _names_method(hot: Any, sources: list[str], places: dict[str, Any], m: int) -> str:
    """Return the method line on place names: each source, its column, the rules."""
    if not sources:
        return ""
    choices = places.get("choices", {})
    column = {
        "address": choices.get("address", {}).get("value"),
        "address points": choices.get("addresses", {}).get("value"),
        "streets": choices.get("streets", {}).get("value"),
        "area": choices.get("areas", {}).get("value"),
    }
    parts = [
        name_source(hot, src) + (f", column '{column[src]}'" if column.get(src) else "")
        for src in sources
        if src != "grid"
    ]
    text = "Place names: " + "; ".join(parts) if parts else "Places are named by grid square"
    if set(sources) & {"address", "address points", "streets"}:
        text += (
            f". An address, block or street names a place only when at least {m} incidents "
            "point to it"
        )
    if "address points" in sources:
        text += (
            f"; address points give hundred blocks (never a house number), within "
            f"{ADDRESS_REACH:.0f} m of the incidents"
        )
    return text + ". "


def _plan_width(ctx: dict[str, Any]) -> int | None:
    """Hours of the patrol plan's daily block, None when the pack has no plan."""
    plan = ctx.get("plan")
    if plan is None:
        return None
    width = plan.attrs.get("hotspot", {}).get("patrol_plan", {}).get("params", {})
    return width.get("patrol_hours_per_day")


def _not_shown(hot: Any, m: int, top: int) -> str:
    """Return the sentence on the places found but not shown ('' when all are shown).

    Found = shown + smaller than the minimum count + quieter than the top ``top``,
    so the cover and the method page add up.

    Examples
    --------
    >>> import pandas as pd
    >>> hot = pd.DataFrame(); hot.attrs.update(n_small=2, n_beyond=1)
    >>> print(_not_shown(hot, 3, 5).strip())  # doctest: +NORMALIZE_WHITESPACE
    2 smaller places with fewer than 3 incidents and 1 quieter place beyond the top 5
    are not shown.
    """
    small, beyond = int(hot.attrs.get("n_small") or 0), int(hot.attrs.get("n_beyond") or 0)
    words = []
    if small:
        words.append(f"{small} smaller {'places' if small > 1 else 'place'} with fewer than "
                     f"{m} incidents")
    if beyond:
        words.append(f"{beyond} quieter {'places' if beyond > 1 else 'place'} beyond the "
                     f"top {top}")
    if not words:
        return ""
    return f" {' and '.join(words)} {'are' if small + beyond > 1 else 'is'} not shown."


def _trimmed_text(hot_all: Any, m: int) -> str:
    """Return the method line on outlines trimmed to the cells that hold the incidents."""
    cut = hot_all.attrs.get("hotspot", {}).get("trimmed", {}).get("cells", 0)
    if not cut:
        return ""
    return (
        f" Outlines keep only the cells of a place with at least {m} incidents: {cut} "
        f"quieter cell{'s' if cut > 1 else ''} that Gi* marked beside busy ones "
        f"{'are' if cut > 1 else 'is'} left out, and the places' counts and areas are "
        "those of the cells kept."
    )


def _cell_size(cells: Any) -> str:
    if cells is None:
        return "not used"

    spec = grid_spec_of(cells)
    return f"{spec.cell_size:g} m" if spec is not None else "analyst's units"


def _ingest_lines(incidents: gpd.GeoDataFrame) -> list[str]:
    if "ingest" not in incidents.attrs.get("hotspot", {}):
        return ["No reading report came with these incidents (how rows were checked is "
                "not known)."]
    rep = ingest_report(incidents)
    dropped = {k: v for k, v in dict(getattr(rep, "dropped", {}) or {}).items() if v}
    lines = [
        f"Rows read {rep.rows_read:,}, kept {rep.rows_kept:,}, left out "
        f"{sum(dropped.values()):,}"
        + (" (" + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in dropped.items())
           + ")" if dropped else "")
        + "."
    ]
    plain = [_plain_sentence(w) for w in list(getattr(rep, "warnings", []))]
    lines.extend(f"Data warning: {s}" for s in [s for s in plain if s][:3])
    if "time_quality" in incidents.columns:
        tq = incidents["time_quality"].astype("string").value_counts()
        lines.append("Time known: " + ", ".join(
            f"{_QUALITY_WORDS.get(str(k), str(k))} {v:,}" for k, v in tq.items()) + ".")
    return lines


_QUALITY_WORDS = {"exact": "to the minute", "midnight": "at exactly midnight",
                  "date_only": "date only", "month_only": "month only",
                  "window": "as a window", "missing": "not at all"}
_CODE = re.compile(r"`|\w+=|\b\w+_\w+\b|\bhs\.|\(\)|\[|\]")


def _plain_sentence(warning: str) -> str:
    """First sentence of an ingest warning, or "" when it is written for an analyst.

    Examples
    --------
    >>> _plain_sentence("41 rows (1.8%) are at exactly 00:00. Pass include_midnight=True.")
    '41 rows (1.8%) are at exactly 00:00.'
    >>> _plain_sentence("stacked='keep' keeps them")
    ''
    """
    first = re.split(r"(?<=[.;])\s", str(warning).strip(), maxsplit=1)[0].rstrip(";")
    if not first.endswith("."):
        first += "."
    return "" if _CODE.search(first) else first


def _unknown_details(sub: gpd.GeoDataFrame, setting: Any) -> str:
    """Name what the data do not record at a place that "if it fits" measures depend on.

    Measures for particular offences are not offered where the offence is unknown
    (:func:`report_text._actions`), so what is left unknown is the type of place or,
    where that is recorded, the time of some incidents.
    """
    if not setting or setting not in sub.columns or sub[setting].isna().mean() > 0.5:
        return "the type of place"
    return "the time of day of some incidents"


def _offence_known(sub: gpd.GeoDataFrame) -> bool:
    """Return True when most incidents of a place have an offence."""
    return "offence" in sub.columns and bool(sub["offence"].notna().mean() > 0.5)


def _hours_known(sub: gpd.GeoDataFrame) -> bool:
    """Return True when an incident at the place has a known clock time (not date only)."""
    if "time_quality" not in sub.columns:
        return True
    return bool(sub["time_quality"].astype("string").isin(["exact", "window"]).any())


def _year_note(scores: pd.DataFrame | None, period_text: str) -> str:
    """Return what follows a yearly figure: "", or " (from July 2018 only)".

    Incidents prevented a year are the data's rate times a year; from less than
    eleven months of data the page says which months they come from.
    """
    days = (
        scores.attrs.get("hotspot", {}).get("score_interventions", {}).get("params", {})
        .get("period_days")
        if scores is not None
        else None
    )
    if days is None or float(days) >= 335:
        return ""
    return f" (from {period_text} only)"


def _data_span(inc: gpd.GeoDataFrame, start: Any, end: Any, asked: str) -> str:
    """" (incidents recorded 3 Jan – 29 Dec 2019)" when the data cover less of the period."""
    at = inc["occurred_at"].dropna()
    if len(at) < 2:
        return ""
    first, last = data_period(at)
    slack = max(pd.Timedelta(days=7), 0.03 * (end - start))  # quiet first days are not a gap
    if first - start < slack and end - last < slack:
        return ""
    span = _period_text(first, last, inc)
    return "" if span == asked else f" (incidents recorded {span})"


# ------------------------------------------------- hot spots and busy places

_BUSY_NOTE = (
    " Hot spots (solid outline) are groups of cells with more incidents than chance "
    f"would give. The {BUSY_TOP} busiest cells of the area are always listed: those in no "
    "hot spot are busy places (dashed outline), busy cells that touch making one place; "
    "a busy place has many incidents but is not such a group."
)


def _touching(hot: gpd.GeoDataFrame, max_area_km2: float | None) -> dict[int, str]:
    """Why a listed place touches others (cut from one larger area, or beside a cluster)."""
    if len(hot) < 2:
        return {}
    kinds = (hot["kind"] if "kind" in hot.columns else pd.Series("hot spot", index=hot.index))
    by_rank = dict(zip(hot["rank"].astype(int), kinds.astype(str), strict=True))
    return {
        int(hid): touching_note(str(kind), by_rank, ranks, max_area_km2)
        for hid, kind, ranks in zip(hot["hotspot_id"], kinds, touching_ranks(hot), strict=True)
    }


def _is_busy(row: pd.Series) -> bool:
    return str(row.get("kind", "")) == "busy place"


def _kind_words(row: pd.Series) -> str:
    """Return the opening of a place page's headline: which kind of place it is."""
    if "kind" not in row:
        return ""
    if _is_busy(row):
        return "Busy place, not a cluster: "
    return "Hot spot: "


def _kinds_count(hot: gpd.GeoDataFrame) -> str:
    """Return the subject of page 1's places line: "5 places (2 hot spots, 3 busy places) hold".

    Examples
    --------
    >>> _kinds_count(pd.DataFrame({"kind": ["busy place"]}))
    '1 busy place holds'
    """
    n = len(hot)
    n_busy = int((hot["kind"] == "busy place").sum()) if "kind" in hot.columns else 0
    if n_busy == n:
        return f"{n} busy places hold" if n > 1 else "1 busy place holds"
    if not n_busy:
        return f"{n} places hold" if n > 1 else "1 place holds"
    n_hot = n - n_busy
    return (f"{n} places ({n_hot} hot spot{'s' if n_hot > 1 else ''}, "
            f"{n_busy} busy place{'s' if n_busy > 1 else ''}) hold")
