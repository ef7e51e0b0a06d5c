"""How the advice of a briefing is said: plain words for the officer, evidence for the analyst.

The intervention catalogue (:mod:`hotspot.respond.evidence`) and
:func:`hotspot.score_interventions` give each measure a full reason with its effect
size, range, evidence grade and citations: that is the analyst's text, printed on the
pack's method page. A place page gets one sentence an officer can say to a
shopkeeper: what the measure is in everyday words and how much it cut crime where
it was studied, as a fraction in words ("about a third"). This module is the one
home of that wording; every catalogue entry has one (a test reads them all), and an
entry of a user's own catalogue gets a sentence built from its name.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from hotspot.respond.interventions import _short_cite

__all__ = ["evidence_lines", "fit_condition", "fraction_words", "officer_name", "officer_why"]

#: Catalogue id -> (what an officer calls the measure, why it is advised; ``{effect}``
#: is the central effect in words, e.g. "about a third").
PLAIN: dict[str, tuple[str, str]] = {
    "street_lighting": (
        "Brighter lighting at night",
        "Brighter lights cut night-time crime outdoors by {effect} in a trial on "
        "similar streets.",
    ),
    "street_lighting_area": (
        "Better street lighting",
        "Better street lighting cut crime, by day as well as at night, by {effect} in "
        "studies of similar streets.",
    ),
    "hot_spots_patrol": (
        "Short patrol visits at the busiest times",
        "Short, regular visits at the busiest times cut crime at busy places by "
        "{effect} in studies.",
    ),
    "problem_oriented_policing": (
        "A problem-solving project with partners",
        "Finding out why it happens here and fixing that cause cut the problem by "
        "{effect} in studies.",
    ),
    "cctv_car_park": (
        "CCTV with better lighting and fencing",
        "Cameras with better lights and fencing cut vehicle crime in car parks by "
        "{effect} in studies.",
    ),
    "cctv_residential": (
        "CCTV on residential streets",
        "Cameras on residential streets cut crime by {effect} in studies.",
    ),
    "cctv_public": (
        "CCTV in the centre or on transport",
        "Cameras in town centres and on transport changed crime by {effect} on "
        "average in studies.",
    ),
    "alley_gating": (
        "Gates on rear alleys",
        "Gating the alleys behind houses cut burglary by {effect} in studies.",
    ),
    "target_hardening": (
        "Better locks and lights on homes",
        "Better door and window locks and outside lights cut burglary by {effect} in "
        "studies.",
    ),
    "cpted_commercial_robbery": (
        "Safer shop layout against robbery",
        "Less cash in the till, a clear view of the counter and more staff cut shop "
        "robberies by {effect} in studies.",
    ),
    "neighbourhood_watch": (
        "Neighbourhood watch",
        "Residents who look out for each other's homes can deter burglars; there is no "
        "reliable figure for how much.",
    ),
    "graffiti_removal": (
        "Quick graffiti removal and repair",
        "Places that look cared for invite less damage; there is no reliable figure "
        "for how much.",
    ),
    "cpted_residential_street": (
        "Safer street design",
        "Clear views from windows and fewer escape routes make crime riskier; there "
        "is no reliable figure for how much.",
    ),
    "cpted_park": (
        "Safer park design",
        "Clear sight lines, lit paths and more activity make a park safer; there is "
        "no reliable figure for how much.",
    ),
    "street_closure": (
        "Closing the street to through traffic",
        "Closing a street stops drive-in crime such as drive-bys and kerb crawling; "
        "there is no reliable figure for how much.",
    ),
    "place_managers_licensed": (
        "Working with pubs and bars",
        "Door staff, licence conditions and managed closing times reduce late-night "
        "fights; there is no reliable figure for how much.",
    ),
    "place_managers_shops": (
        "Working with shop managers",
        "Staffing, layout and tagging in shops reduce theft; there is no reliable "
        "figure for how much.",
    ),
    "focused_deterrence": (
        "Meeting the groups involved, with partners",
        "Telling the few people behind group violence the consequences, and offering "
        "help, reduced violence elsewhere; there is no reliable figure for here.",
    ),
    "youth_diversion": (
        "Youth diversion and truancy work",
        "Keeping young people in school and out of trouble reduces crime by young "
        "people; there is no reliable figure for how much.",
    ),
}

#: Catalogue id -> the condition, in an officer's words, under which a measure fits a
#: place whose type the data do not record ("if these are homes with rear alleys").
CONDITIONS: dict[str, str] = {
    "street_lighting": "if the incidents are outdoors",
    "street_lighting_area": "if the incidents are in the street or outdoors",
    "cctv_residential": "if these are residential streets",
    "alley_gating": "if these are homes with rear alleys",
    "target_hardening": "if these are homes",
    "cctv_car_park": "if this is a car park",
    "cctv_public": "if this is a town centre or a station",
    "cpted_commercial_robbery": "if these are shops",
    "neighbourhood_watch": "if these are homes",
    "cpted_residential_street": "if these are residential streets",
    "cpted_park": "if this is a park",
    "street_closure": "if this is a street with through traffic",
    "place_managers_licensed": "if there are pubs or bars here",
    "place_managers_shops": "if there are shops here",
}

#: Setting -> condition words, for an entry of a user's own catalogue.
_SETTING_WORDS = {
    "street": "in the street", "outdoor": "outdoors", "open_space": "in a park or open space",
    "car_park": "in a car park", "vehicle": "in vehicles", "transport": "on transport",
    "residence": "at homes", "commercial": "at shops or businesses", "other": "elsewhere",
}


def fit_condition(intervention: str, settings: Any = ("all",)) -> str:
    """Say the condition under which a measure fits a place of unknown type, or ``""``.

    Parameters
    ----------
    intervention
        Catalogue id.
    settings
        The entry's settings, for an entry of a user's own catalogue.

    Returns
    -------
    str
        e.g. ``"if these are homes with rear alleys"``; ``""`` for a measure that fits
        any place.

    Examples
    --------
    >>> fit_condition("alley_gating")
    'if these are homes with rear alleys'
    >>> fit_condition("my_own", ("street", "residence"))
    'if the incidents are in the street or at homes'
    >>> fit_condition("hot_spots_patrol")
    ''
    """
    if intervention in CONDITIONS:
        return CONDITIONS[intervention]
    words = [_SETTING_WORDS.get(str(s), str(s)) for s in settings if str(s) != "all"]
    if not words or intervention in PLAIN:
        return ""
    return "if the incidents are " + " or ".join(dict.fromkeys(words))


_FRACTIONS = [
    (0.05, "a little"),
    (0.10, "about a tenth"),
    (1 / 7, "about a seventh"),
    (1 / 6, "about a sixth"),
    (0.20, "about a fifth"),
    (0.25, "about a quarter"),
    (1 / 3, "about a third"),
    (0.40, "about two fifths"),
    (0.50, "about half"),
    (2 / 3, "about two thirds"),
    (0.75, "about three quarters"),
]


def fraction_words(effect: float) -> str:
    """Say a proportional reduction as an officer would: ``0.36`` -> ``"about a third"``.

    Parameters
    ----------
    effect
        Proportional reduction (0.2 = 20 % fewer incidents); under 2 % or unknown is
        "little or nothing", above 80 % "most of it".

    Returns
    -------
    str

    Examples
    --------
    >>> fraction_words(0.36), fraction_words(0.21), fraction_words(0.0)
    ('about a third', 'about a fifth', 'little or nothing')
    """
    try:
        e = float(effect)
    except (TypeError, ValueError):
        return "little or nothing"
    if not np.isfinite(e) or e < 0.02:
        return "little or nothing"
    if e > 0.8:
        return "most of it"
    values = np.array([v for v, _ in _FRACTIONS])
    return _FRACTIONS[int(np.argmin(np.abs(values - e)))][1]


def _plain_catalogue_name(name: str) -> str:
    """Drop a catalogue name's bracketed detail: "Alley gating (rear ...)" -> "Alley gating"."""
    return re.sub(r"\s*\([^)]*\)", "", str(name)).strip() or str(name)


def officer_name(intervention: str, name: str = "") -> str:
    """Name a measure as an officer would (a user's own entry: its name without brackets).

    Examples
    --------
    >>> officer_name("alley_gating")
    'Gates on rear alleys'
    >>> officer_name("my_own", "Shutters (roller, steel)")
    'Shutters'
    """
    if intervention in PLAIN:
        return PLAIN[intervention][0]
    return _plain_catalogue_name(name or intervention.replace("_", " ").capitalize())


def officer_why(intervention: str, name: str = "", effect: Any = None) -> str:
    """One plain sentence: why a measure is advised, no citations or confidence figures.

    Parameters
    ----------
    intervention
        Catalogue id (``score_interventions``' ``intervention`` column).
    name
        Catalogue name, for an entry of a user's own catalogue.
    effect
        Central proportional reduction (``effect``); None or NaN: no figure is said.

    Returns
    -------
    str

    Examples
    --------
    >>> officer_why("street_lighting", effect=0.36)
    'Brighter lights cut night-time crime outdoors by about a third in a trial on similar streets.'
    >>> officer_why("my_own", "Shutters (roller)", 0.2)
    'Shutters cut crime by about a fifth where it was studied.'
    """
    words = fraction_words(effect)
    if intervention in PLAIN:
        return PLAIN[intervention][1].format(effect=words)
    lead = officer_name(intervention, name)
    if words == "little or nothing":
        return f"{lead} has no reliable figure for how much it cuts crime."
    return f"{lead} cut crime by {words} where it was studied."


def evidence_lines(
    scores: pd.DataFrame | None,
    listed: list[tuple[int, int, list[str]]],
    catalogue: pd.DataFrame,
    if_fits: list[tuple[int, int, list[str]]] | None = None,
) -> list[str]:
    """Give the analyst's evidence for each measure advised on a place page (method page).

    Parameters
    ----------
    scores
        :func:`hotspot.score_interventions` output.
    listed
        ``(rank, hotspot_id, catalogue ids advised on its page)`` per place page.
    catalogue
        The catalogue the scores came from (``load_catalogue()``).
    if_fits
        ``(rank, hotspot_id, catalogue ids)`` offered "if it fits" on a place page,
        with the figure for every incident of unknown type being eligible
        (``prevented_if_unknown_eligible``, an upper bound).

    Returns
    -------
    list of str
        One line per measure: its catalogue name, effect, supported range, evidence
        grade and sources, then each place's estimate a year with its range.

    Examples
    --------
    >>> from hotspot.respond.evidence import load_catalogue
    >>> s = pd.DataFrame({"hotspot_id": [7], "intervention": ["alley_gating"],
    ...     "effect": [0.2], "effect_low": [0.0], "effect_high": [0.37],
    ...     "evidence_quality": ["secondary"], "prevented": [2.4],
    ...     "prevented_low": [0.0], "prevented_high": [5.1]})
    >>> evidence_lines(s, [(1, 7, ["alley_gating"])], load_catalogue())[0][:60]
    'Alley gating (rear alleys of terraced housing): 20% fewer do'
    """
    if_fits = if_fits or []
    if scores is None or not (listed or if_fits) or "intervention" not in scores:
        return []
    order = list(dict.fromkeys(i for _, _, ids in [*listed, *if_fits] for i in ids))
    lines = []
    for iid in order:
        rows = scores[scores["intervention"] == iid]
        if len(rows) == 0:
            continue
        first = rows.iloc[0]
        e = catalogue.loc[iid] if iid in catalogue.index else None
        name = str(e["name"]) if e is not None else str(first.get("name", iid))
        outcome = str(e["effect_outcome"]) if e is not None and e["effect_outcome"] else "crime"
        cites = "; ".join(_short_cite(c) for c in (e["citations"] if e is not None else [])[:2])
        here = []
        for rank, hid, ids in listed:
            r = rows[rows["hotspot_id"] == hid]
            if iid in ids and len(r) and "prevented" in r:
                r = r.iloc[0]
                here.append(
                    f"place {rank} about {float(r['prevented']):.1f} "
                    f"({float(r['prevented_low']):.1f}-{float(r['prevented_high']):.1f})"
                )
        line = (
            f"{name}: {float(first['effect']):.0%} fewer {outcome} "
            f"(supported range {float(first['effect_low']):.0%}-"
            f"{float(first['effect_high']):.0%}, evidence {first['evidence_quality']}"
            + (f"; {cites}" if cites else "")
            + ")."
        )
        if here:
            line += " Incidents prevented a year here: " + ", ".join(here) + "."
        upper = [
            f"place {rank} up to {float(r['prevented_if_unknown_eligible']):.1f}"
            for rank, hid, ids in if_fits
            if iid in ids and "prevented_if_unknown_eligible" in rows
            for _, r in rows[rows["hotspot_id"] == hid].head(1).iterrows()
        ]
        if upper:
            line += (" If every incident whose type of place (or time) is not recorded "
                     "fits, a year: " + ", ".join(upper) + ".")
        lines.append(line)
    return lines
