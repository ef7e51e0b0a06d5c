"""The intervention evidence catalogue, unit costs of crime and an example harm table.

The catalogue (``catalogue.toml``, versioned) holds one entry per situational-
prevention intervention: its mechanism (Cornish & Clarke's 25 techniques), the
offences, settings and times it applies to, its effect as a proportional reduction
(central, low, high), a displacement/diffusion default, a cost model, an
evidence-quality tag and full citations. Figures were taken from the project's
evidence review; only entries whose effect is tagged ``verified`` or ``secondary``
and marked ``default = true`` are scored by default. Load your own file with
``load_catalogue(path)`` or change any value with ``overrides``.

Offence groups used for eligibility: ``violence``, ``sexual``, ``robbery``,
``burglary``, ``vehicle``, ``property``, ``criminal_damage``, ``drugs``,
``disorder``, ``other``. :func:`offence_group` maps offence names to them (it lives in
:mod:`hotspot.ingest.vocabularies`, with its versioned vocabulary files, and is
re-exported here).

Settings: ``street``, ``open_space``, ``car_park``, ``vehicle``, ``transport``,
``residence``, ``commercial``, ``other``; the catalogue may also say ``outdoor``
(street, open space, car park, vehicle) or ``all``. :func:`setting_group` maps
location and premise types to them (also from :mod:`hotspot.ingest.vocabularies`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hotspot.exceptions import InvalidInputError
from hotspot.ingest.vocabularies import (
    OFFENCE_GROUPS,
    OUTDOOR_SETTINGS,
    SETTING_GROUPS,
    offence_group,
    setting_group,
)

__all__ = [
    "MECHANISMS",
    "OUTDOOR_SETTINGS",
    "TECHNIQUES",
    "catalogue_path",
    "load_catalogue",
    "load_cpi",
    "load_harm_example",
    "load_unit_costs",
    "offence_group",
    "setting_group",
]

MECHANISMS = (
    "increase the effort",
    "increase the risks",
    "reduce the rewards",
    "reduce provocations",
    "remove excuses",
)
#: Cornish & Clarke's (2003) 25 techniques of situational crime prevention, by column
TECHNIQUES: dict[str, tuple[str, ...]] = {
    "increase the effort": ("target harden", "control access to facilities", "screen exits",
                            "deflect offenders", "control tools/weapons"),
    "increase the risks": ("extend guardianship", "assist natural surveillance",
                           "reduce anonymity", "utilize place managers",
                           "strengthen formal surveillance"),
    "reduce the rewards": ("conceal targets", "remove targets", "identify property",
                           "disrupt markets", "deny benefits"),
    "reduce provocations": ("reduce frustrations and stress", "avoid disputes",
                            "reduce emotional arousal", "neutralize peer pressure",
                            "discourage imitation"),
    "remove excuses": ("set rules", "post instructions", "alert conscience",
                       "assist compliance", "control drugs and alcohol"),
}
TIMES = ("dark", "patrolled", "any")
ROLES = ("measure", "process")
SIDES = ("offender", "target", "place")
CONTROLLERS = {"offender": "handler", "target": "guardian", "place": "manager"}
QUALITIES = ("verified", "secondary", "unverified", "none")
REQUIRED = (
    "id",
    "name",
    "mechanism",
    "offences",
    "settings",
    "times",
    "effect",
    "displacement",
    "cost",
    "evidence_quality",
    "citations",
)
SETTINGS = frozenset(SETTING_GROUPS)


def catalogue_path() -> Path:
    """Path of the catalogue shipped with the package.

    Examples
    --------
    >>> from hotspot.respond.evidence import catalogue_path
    >>> catalogue_path().name
    'catalogue.toml'
    """
    return Path(str(resources.files(__package__).joinpath("catalogue.toml")))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError as err:
            raise ImportError(
                "reading the TOML evidence catalogue on Python 3.10 needs tomli: "
                "pip install tomli"
            ) from err
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def _apply(entry: dict[str, Any], changes: Mapping[str, Any], iid: str) -> None:
    for key, value in changes.items():
        parts = str(key).split(".")
        target = entry
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise InvalidInputError(
                    f"override {key!r} for intervention {iid!r}: {part!r} is not a table"
                )
        if isinstance(value, Mapping) and isinstance(target.get(parts[-1]), dict):
            _apply(target[parts[-1]], value, iid)
        else:
            target[parts[-1]] = copy.deepcopy(value)


def _check_entry(e: dict[str, Any], where: str) -> None:
    iid = e.get("id", "<no id>")
    quality = e.get("evidence_quality")
    for field in REQUIRED:
        if field == "effect" and quality == "none":
            continue
        if field not in e:
            raise InvalidInputError(
                f"catalogue {where}: intervention {iid!r} lacks the required field {field!r}"
            )
    if quality not in QUALITIES:
        raise InvalidInputError(
            f"catalogue {where}: intervention {iid!r} has evidence_quality {quality!r}; "
            f"use one of {QUALITIES}"
        )
    if e["mechanism"] not in MECHANISMS:
        raise InvalidInputError(
            f"catalogue {where}: intervention {iid!r} has mechanism {e['mechanism']!r}; "
            f"use one of {MECHANISMS}"
        )
    tech = e.get("technique")
    if e.get("role", "measure") == "measure" and tech is not None \
            and tech not in TECHNIQUES[e["mechanism"]]:
        raise InvalidInputError(
            f"catalogue {where}: intervention {iid!r} has technique {tech!r}, not one of "
            f"Cornish & Clarke's techniques under {e['mechanism']!r}: "
            f"{TECHNIQUES[e['mechanism']]}"
        )
    if e.get("role", "measure") not in ROLES:
        raise InvalidInputError(
            f"catalogue {where}: intervention {iid!r} has role {e.get('role')!r}; use one of "
            f"{ROLES}"
        )
    tri = e.get("triangle", {"side": "place", "controller": "manager"})
    if tri.get("side") not in SIDES or tri.get("controller") not in CONTROLLERS.values():
        raise InvalidInputError(
            f"catalogue {where}: intervention {iid!r} needs triangle = {{side = one of "
            f"{SIDES}, controller = one of {tuple(CONTROLLERS.values())}}}"
        )
    if e["times"] not in TIMES:
        raise InvalidInputError(
            f"catalogue {where}: intervention {iid!r} has times {e['times']!r}; use one of {TIMES}"
        )
    if not e["citations"] or not all(isinstance(c, str) and c.strip() for c in e["citations"]):
        raise InvalidInputError(
            f"catalogue {where}: intervention {iid!r} needs at least one full citation"
        )
    eff = e.get("effect")
    if eff is not None:
        for k in ("central", "low", "high"):
            if k not in eff:
                raise InvalidInputError(
                    f"catalogue {where}: intervention {iid!r} lacks the required field "
                    f"'effect.{k}'"
                )
        lo, c, hi = float(eff["low"]), float(eff["central"]), float(eff["high"])
        if not (-1.0 <= lo <= c <= hi < 1.0):
            raise InvalidInputError(
                f"catalogue {where}: intervention {iid!r} needs -1 <= effect.low <= "
                f"effect.central <= effect.high < 1 (proportional reductions), got "
                f"{lo}, {c}, {hi}"
            )
    cost = e["cost"]
    if not isinstance(cost, Mapping) or "currency" not in cost:
        raise InvalidInputError(
            f"catalogue {where}: intervention {iid!r} lacks the required field 'cost.currency'"
        )
    if e["times"] == "patrolled":
        for k in ("visit_minutes", "visit_interval_hours", "patrol_hours_per_day",
                  "officer_hour_cost"):
            if k not in cost:
                raise InvalidInputError(
                    f"catalogue {where}: patrol intervention {iid!r} lacks the required "
                    f"field 'cost.{k}'"
                )
    null = set(e.get("no_effect_on", ())) - set(OFFENCE_GROUPS)
    if null:
        raise InvalidInputError(
            f"catalogue {where}: intervention {iid!r} has unknown offence groups "
            f"{sorted(null)} in no_effect_on; use {sorted(OFFENCE_GROUPS)}"
        )
    bad = set(e["settings"]) - SETTINGS - {"outdoor", "all"}
    if bad:
        raise InvalidInputError(
            f"catalogue {where}: intervention {iid!r} has unknown settings {sorted(bad)}; "
            f"use {sorted(SETTINGS | {'outdoor', 'all'})}"
        )


def load_catalogue(
    path: str | Path | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """Load and validate an intervention evidence catalogue.

    Parameters
    ----------
    path
        A TOML file with ``version``, optional ``[fx]`` exchange rates and
        ``[[intervention]]`` entries (see ``catalogue.toml`` in this package for
        every field). None: the shipped catalogue.
    overrides
        ``{intervention_id: {field: value}}``; dotted names reach nested fields,
        e.g. ``{"street_lighting": {"effect.central": 0.2, "cost.capital": 900}}``.
        An id that is not in the catalogue adds a new entry (which must then be
        complete). Values are validated like the file.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``id``: ``name``, ``mechanism``, ``technique``, ``offences``,
        ``settings`` (tuples), ``times``, ``effect_central``, ``effect_low``,
        ``effect_high`` (proportional reductions; NaN when there is no estimate),
        ``effect_basis``, ``no_effect_on`` (offence groups the evidence found no
        effect on: never eligible), ``alternatives`` (other forms of the same measure:
        a place is offered one), ``displacement``, ``evidence_quality``, ``default``,
        ``citations`` (tuple), ``notes`` and ``cost`` (dict). ``attrs["version"]``,
        ``attrs["fx"]`` and ``attrs["source"]`` describe the file.

    Raises
    ------
    InvalidInputError
        An entry without a required field (naming the entry and the field), with a
        bad value, or a duplicate id.

    Examples
    --------
    >>> from hotspot.respond.evidence import load_catalogue
    >>> cat = load_catalogue(overrides={"street_lighting": {"effect.central": 0.3}})
    >>> float(cat.loc["street_lighting", "effect_central"])
    0.3
    >>> cat.loc["street_lighting", "evidence_quality"]
    'verified'
    """
    src = Path(path) if path is not None else catalogue_path()
    if not src.exists():
        raise InvalidInputError(f"catalogue file {str(src)!r} does not exist")
    raw = _read_toml(src)
    where = src.name
    if "version" not in raw:
        raise InvalidInputError(f"catalogue {where} lacks the required top-level 'version'")
    entries = [copy.deepcopy(e) for e in raw.get("intervention", [])]
    if not entries:
        raise InvalidInputError(f"catalogue {where} has no [[intervention]] entries")
    by_id: dict[str, dict[str, Any]] = {}
    for e in entries:
        iid = e.get("id")
        if iid is None:
            raise InvalidInputError(
                f"catalogue {where}: an intervention ({e.get('name', '?')!r}) lacks 'id'"
            )
        if iid in by_id:
            raise InvalidInputError(f"catalogue {where}: duplicate intervention id {iid!r}")
        by_id[iid] = e
    for iid, changes in (overrides or {}).items():
        if not isinstance(changes, Mapping):
            raise InvalidInputError(f"overrides[{iid!r}] must be a mapping of field -> value")
        entry = by_id.setdefault(iid, {"id": iid})
        _apply(entry, changes, iid)
    rows = []
    for e in by_id.values():
        _check_entry(e, where)
        eff = e.get("effect") or {}
        rows.append(
            {
                "id": e["id"],
                "name": e["name"],
                "mechanism": e["mechanism"],
                "technique": e.get("technique", ""),
                "offences": tuple(e["offences"]),
                "settings": tuple(e["settings"]),
                "times": e["times"],
                "effect_central": float(eff.get("central", np.nan)),
                "effect_low": float(eff.get("low", np.nan)),
                "effect_high": float(eff.get("high", np.nan)),
                "effect_basis": e.get("effect_basis", eff.get("source", "")),
                "effect_outcome": eff.get("outcome", ""),
                "effect_low_is": eff.get("low_is", ""),
                "effect_high_is": eff.get("high_is", ""),
                "verification": eff.get("verification", "unverified"),
                "role": e.get("role", "measure"),
                "includes": tuple(e.get("includes", ())),
                "alternatives": tuple(e.get("alternatives", ())),
                "no_effect_on": tuple(e.get("no_effect_on", ())),
                "moderators": e.get("moderators", ""),
                "implementation": e.get("implementation", ""),
                "economic": e.get("economic", ""),
                "pop_guide": e.get("pop_guide", ""),
                "triangle_side": e.get("triangle", {}).get("side", "place"),
                "controller": e.get("triangle", {}).get("controller", "manager"),
                "checks": tuple(e.get("checks", ())),
                "displacement": float(e["displacement"]),
                "evidence_quality": e["evidence_quality"],
                "default": bool(e.get("default", False)),
                "citations": tuple(e["citations"]),
                "notes": e.get("notes", ""),
                "cost": dict(e["cost"]),
            }
        )
    cat = pd.DataFrame(rows).set_index("id")
    cat.attrs["version"] = str(raw["version"])
    cat.attrs["fx"] = {str(k): float(v) for k, v in raw.get("fx", {"USD": 1.0}).items()}
    cat.attrs["source"] = str(src)
    band = raw.get("displacement_band", [0.0, 0.0])
    cat.attrs["displacement_band"] = (float(band[0]), float(band[1]))
    cat.attrs["displacement_basis"] = str(raw.get("displacement_basis", ""))
    return cat


def _csv(name: str) -> pd.DataFrame:
    with resources.files(__package__).joinpath(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def _of_currency(table: pd.DataFrame, currency: str | None, what: str) -> pd.DataFrame:
    """Rows of one currency (all when None); an error naming the fix when there are none."""
    if currency is None:
        return table
    out = table[table["currency"] == currency].reset_index(drop=True)
    if out.empty:
        raise InvalidInputError(f"no shipped {what.split(';')[0]} in {currency!r};"
                                f"{what.split(';', 1)[1]}")
    return out


def load_unit_costs(currency: str | None = None) -> pd.DataFrame:
    """Return example unit costs of crime per offence (total cost per offence).

    USD rows: McCollister, French & Fang (2010), Table 5, 2008 dollars (robbery and
    aggravated assault include a risk-of-homicide premium, so they overstate when
    homicides are counted separately). GBP rows: Heeks, Reed, Tafsiri & Prince
    (2018), Home Office Research Report 99, 2015/16 prices. Both were transcribed
    from secondary copies (tag ``secondary``): check before official use.

    Parameters
    ----------
    currency
        ``"USD"`` or ``"GBP"`` to keep one table; None keeps both.

    Returns
    -------
    pandas.DataFrame
        ``offence``, ``offence_group``, ``cost``, ``currency``, ``year``,
        ``quality``, ``source``.

    Examples
    --------
    >>> from hotspot.respond.evidence import load_unit_costs
    >>> usd = load_unit_costs("USD")
    >>> int(usd.set_index("offence").loc["aggravated assault", "cost"])
    107020
    """
    return _of_currency(_csv("unit_costs.csv"), currency,
                        "unit costs; use 'USD' or 'GBP' or pass costs=")


def load_cpi(currency: str | None = None) -> pd.DataFrame:
    """Consumer price index per currency and year, used to put money in one price year.

    USD: US Bureau of Labor Statistics CPI-U, U.S. city average, all items, annual
    averages (1982-84 = 100). GBP: UK Office for National Statistics CPI (series D7BT),
    annual averages (2015 = 100). Values were transcribed (tag ``secondary`` in the
    ``source`` column); replace the file's rows with the official series for audited work.

    Parameters
    ----------
    currency
        Keep one currency; None keeps all.

    Returns
    -------
    pandas.DataFrame
        ``currency``, ``year``, ``index``, ``source``.

    Examples
    --------
    >>> from hotspot.respond.evidence import load_cpi
    >>> usd = load_cpi("USD").set_index("year")["index"]
    >>> round(float(usd[2024] / usd[2008]), 3)
    1.457
    """
    return _of_currency(_csv("cpi.csv"), currency,
                        "consumer price index; use 'USD' or 'GBP' or pass price_year=None "
                        "with costs already in one price year")


def load_harm_example() -> pd.DataFrame:
    """Return example harm weights: McCollister et al. (2010) costs relative to theft.

    A cost-of-crime harm index (larceny/theft = 1). It is an example only: for
    policing use load the official Cambridge Crime Harm Index or ONS Crime Severity
    Score tables, which are not shipped.

    Returns
    -------
    pandas.DataFrame
        ``offence``, ``offence_group``, ``weight``, ``source``.

    Examples
    --------
    >>> from hotspot.respond.evidence import load_harm_example
    >>> float(load_harm_example().set_index("offence").loc["aggravated assault", "weight"])
    30.3
    """
    return _csv("harm_example.csv")
