"""Offence and place-type vocabularies: map the names forces use to a few groups.

The vocabularies are versioned data files shipped with the package
(``hotspot/ingest/vocab/offences.csv`` and ``settings.csv``), one rule per line:
``term,match,group``. A value is normalised (accents removed, lower case, ``&`` read
as ``and``, every other non-alphanumeric character turned into one space), then

1. compared with the ``exact`` terms (the whole value), then
2. searched for the ``word`` terms (whole words anywhere in the value) and ``prefix``
   terms (a word that starts with the term), in file order; the first match wins.

User mappings (``groups={"Break and Enter": "burglary"}``) are applied first, by
normalised value. A value no rule matches is put in ``"other"`` **and reported**: its
count is logged on the ``hotspot`` logger and stored in the result's
``attrs["hotspot"]`` (see :func:`unmapped_values`), so nothing becomes "other"
silently. Missing values stay missing (``<NA>``).

Offence groups: ``violence``, ``sexual``, ``robbery``, ``burglary``, ``vehicle``,
``property``, ``criminal_damage``, ``drugs``, ``disorder``, ``other``. police.uk's
"Violence and sexual offences" is ``violence``; Canada's "Break and Enter" is
``burglary`` and "Auto Theft" ``vehicle``; traffic collisions are ``other``.

Place-type groups (settings): ``street``, ``open_space``, ``car_park``, ``vehicle``,
``transport``, ``residence``, ``commercial``, ``other``; outdoor settings are street,
open space, car park and vehicle. "Outside" is ``street``, a gas station
``commercial``, "RESIDENCE-GARAGE" ``residence``; schools, hospitals, churches and
government buildings are ``other``.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from hotspot._core.meta import attach, logger
from hotspot.exceptions import InvalidInputError

__all__ = [
    "OFFENCE_GROUPS",
    "OUTDOOR_SETTINGS",
    "SETTING_GROUPS",
    "listed_counts",
    "offence_group",
    "setting_group",
    "unmapped_values",
    "vocabulary_version",
]

OFFENCE_GROUPS: tuple[str, ...] = (
    "violence", "sexual", "robbery", "burglary", "vehicle", "property", "criminal_damage",
    "drugs", "disorder", "other",
)
"""The offence groups :func:`offence_group` maps to."""

SETTING_GROUPS: tuple[str, ...] = (
    "street", "open_space", "car_park", "vehicle", "transport", "residence", "commercial",
    "other",
)
"""The place-type groups (settings) :func:`setting_group` maps to."""

OUTDOOR_SETTINGS = frozenset({"street", "open_space", "car_park", "vehicle"})
"""Settings that are outdoors (lighting and patrol eligibility)."""

_MATCHES = ("exact", "word", "prefix")
_SHOWN = 10


@dataclass(frozen=True)
class _Vocabulary:
    name: str
    version: str
    exact: dict[str, str]
    rules: tuple[tuple[str, str], ...]  # (" term" or " term ", group), in order
    groups: tuple[str, ...]


def _normalise(value: Any) -> str:
    """Accents removed, case folded ('ß' -> 'ss'), '&' -> 'and', other punctuation -> a space."""
    text = unicodedata.normalize("NFKD", str(value).casefold())
    text = text.encode("ascii", "ignore").decode("ascii").lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@functools.lru_cache(maxsize=4)
def _load(name: str) -> _Vocabulary:
    groups = OFFENCE_GROUPS if name == "offences" else SETTING_GROUPS
    text = resources.files("hotspot.ingest").joinpath("vocab", f"{name}.csv").read_text(
        encoding="utf-8")
    version = re.search(r"version\s+([\w.]+)", text)
    exact: dict[str, str] = {}
    rules: list[tuple[str, str]] = []
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    for term, match, group in csv.reader(lines[1:]):
        if group not in groups or match not in _MATCHES:  # pragma: no cover - data check
            msg = f"vocabulary {name}.csv: bad rule {term!r},{match!r},{group!r}"
            raise InvalidInputError(msg)
        key = _normalise(term)
        if match == "exact":
            exact.setdefault(key, group)
        else:
            rules.append((" " + key + (" " if match == "word" else ""), group))
    return _Vocabulary(name, version.group(1) if version else "unknown", exact,
                       tuple(rules), groups)


def vocabulary_version() -> str:
    """Version of the vocabulary files shipped with the package.

    Examples
    --------
    >>> vocabulary_version()
    '2026.3'
    """
    return _load("offences").version


def _lookup(key: str, vocab: _Vocabulary, user: Mapping[str, str]) -> str | None:
    if key in user:
        return user[key]
    if key in vocab.exact:
        return vocab.exact[key]
    padded = " " + key + " "
    for term, group in vocab.rules:
        if term in padded:
            return group
    return None


def _user_groups(groups: Mapping[Any, Any] | None, vocab: _Vocabulary, arg: str
                 ) -> dict[str, str]:
    if groups is None:
        return {}
    if not isinstance(groups, Mapping):
        msg = (f"`groups` must be a dict from {arg} names to groups, e.g. "
               f"{{'Break and Enter': 'burglary'}}, got {type(groups).__name__}.")
        raise InvalidInputError(msg)
    bad = {k: v for k, v in groups.items() if v not in vocab.groups}
    if bad:
        k, v = next(iter(bad.items()))
        msg = (f"`groups` maps {k!r} to {v!r}, which is not one of the {arg} groups: "
               f"{', '.join(vocab.groups)}. Map it to one of these.")
        raise InvalidInputError(msg)
    return {_normalise(k): str(v) for k, v in groups.items()}


def _as_series(values: Any, arg: str) -> pd.Series:
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, (pd.Index, np.ndarray, list, tuple, pd.Categorical)) or (
            isinstance(values, Iterable) and not isinstance(values, (str, bytes, Mapping))):
        return pd.Series(list(values), dtype="object")
    msg = (f"`{arg}` must be a name (str) or a column/list of names, got "
           f"{type(values).__name__}.")
    raise InvalidInputError(msg)


def _factorize(vals: pd.Series, arg: str) -> tuple[np.ndarray, pd.Index]:
    try:
        return pd.factorize(vals, use_na_sentinel=True)
    except TypeError:
        bad = next(v for v in vals if isinstance(v, (list, dict, set, np.ndarray)))
        msg = (f"`{arg}` holds {type(bad).__name__} values (e.g. {bad!r}), not names: "
               "give one name per row (join or explode the lists first, e.g. "
               "`df.explode(column)`).")
        raise InvalidInputError(msg) from None


def _map(values: Any, name: str, groups: Mapping[Any, Any] | None, arg: str) -> Any:
    vocab = _load(name)
    user = _user_groups(groups, vocab, arg)
    scalar = isinstance(values, (str, bytes)) or values is None or (
        np.ndim(values) == 0 and not isinstance(values, Iterable))
    vals = pd.Series([values], dtype="object") if scalar else _as_series(values, arg)
    codes, distinct = _factorize(vals, arg)
    mapped = []
    for v in distinct:
        text = v.decode("utf-8", "replace") if isinstance(v, bytes) else v
        mapped.append(_lookup(_normalise(text), vocab, user))
    lost = np.array([m is None for m in mapped], dtype=bool)
    table = np.array([m if m is not None else "other" for m in mapped] + [pd.NA],
                     dtype=object)
    out = pd.Series(table[codes], index=vals.index, name=vals.name)
    counts = np.bincount(codes[codes >= 0], minlength=len(distinct))
    unmapped = {str(distinct[i]): int(counts[i]) for i in np.flatnonzero(lost)}
    unmapped = dict(sorted(unmapped.items(), key=lambda kv: -kv[1]))
    if unmapped:
        logger.warning("%s: %d value(s) not in the %s vocabulary %s, grouped as 'other': "
                       "%s. Map them with groups={...}", arg, len(unmapped), name,
                       vocab.version, listed_counts(unmapped))
    if scalar:
        return out.iloc[0]
    attach(out, f"{arg}_group", {"groups": dict(groups or {})},
           vocabulary=f"{name} {vocab.version}", unmapped=unmapped)
    return out


def offence_group(values: Any, groups: Mapping[Any, Any] | None = None) -> Any:
    """Map offence names to the offence groups (:data:`OFFENCE_GROUPS`).

    Parameters
    ----------
    values : str, list, array or pandas.Series
        Offence names as the force writes them (any case, punctuation or accents).
    groups : dict, optional
        Your own mappings, tried first, e.g. ``{"Break and Enter": "burglary"}``
        (names are compared after normalisation; the groups must be offence groups).

    Returns
    -------
    str or pandas.Series
        The group of a single name, or a Series of groups (same index as a Series
        input; ``<NA>`` for missing values). Values no rule maps are ``"other"`` and
        listed with their counts in ``attrs["hotspot"]["offence_group"]["unmapped"]``
        (see :func:`unmapped_values`) and on the ``hotspot`` logger.

    Raises
    ------
    InvalidInputError
        ``groups`` maps to an unknown group, or the values are lists/dicts, not names.

    Examples
    --------
    >>> offence_group("Break and Enter")
    'burglary'
    >>> offence_group(["Violence and sexual offences", "Auto Theft", "BATTERY"]).tolist()
    ['violence', 'vehicle', 'violence']
    >>> offence_group(["Vol à la tire"], groups={"vol a la tire": "property"}).tolist()
    ['property']
    """
    return _map(values, "offences", groups, "offence")


def setting_group(values: Any, groups: Mapping[Any, Any] | None = None) -> Any:
    """Map place/premise types to settings (:data:`SETTING_GROUPS`).

    Parameters
    ----------
    values : str, list, array or pandas.Series
        Location or premise types (Chicago ``loc_cat``, NIBRS location types,
        "Outside", "RESIDENCE-GARAGE", "GAS STATION", ...).
    groups : dict, optional
        Your own mappings, tried first, e.g. ``{"Lobby": "residence"}``.

    Returns
    -------
    str or pandas.Series
        As :func:`offence_group`; unmapped values are ``"other"`` and listed in
        ``attrs["hotspot"]["setting_group"]["unmapped"]``.

    Raises
    ------
    InvalidInputError
        ``groups`` maps to an unknown setting, or the values are not names.

    Examples
    --------
    >>> setting_group(["street", "Outside", "GAS STATION", "RESIDENCE-GARAGE"]).tolist()
    ['street', 'street', 'commercial', 'residence']
    >>> setting_group("PARKING LOT/GARAGE(NON.RESID.)")
    'car_park'
    """
    return _map(values, "settings", groups, "setting")


def listed_counts(counts: dict[str, int], shown: int = _SHOWN) -> str:
    """List the values with their counts, the first ``shown`` of them, for a message.

    Examples
    --------
    >>> listed_counts({"Theft": 1200, "Arson": 3}, shown=1)
    "'Theft' (1,200) and 1 more"
    """
    text = ", ".join(f"{k!r} ({v:,})" for k, v in list(counts.items())[:shown])
    return text + (f" and {len(counts) - shown} more" if len(counts) > shown else "")


def unmapped_values(result: pd.Series) -> dict[str, int]:
    """Values that no vocabulary rule mapped, with their counts, most frequent first.

    Parameters
    ----------
    result : pandas.Series
        The output of :func:`offence_group` or :func:`setting_group`.

    Returns
    -------
    dict
        ``{value: count}``; empty when every value was mapped.

    Examples
    --------
    >>> unmapped_values(offence_group(["Burglary", "Zzz", "Zzz"]))
    {'Zzz': 2}
    """
    meta = result.attrs.get("hotspot", {}) if hasattr(result, "attrs") else {}
    for step in ("offence_group", "setting_group"):
        if step in meta:
            return dict(meta[step].get("unmapped", {}))
    return {}
