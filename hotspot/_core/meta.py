"""Logging of automatic choices and run metadata stored in ``attrs["hotspot"]``.

Every function that chooses a value automatically (a cell size, a bandwidth, a
neighbour rule...) calls :func:`note_choice`, which logs the value and the reason
on the ``hotspot`` logger at INFO level and keeps it in a ``choices`` dict. The
function then calls :func:`attach` to store its parameters and choices in the
result's ``attrs["hotspot"]`` under the function's name.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

logger = logging.getLogger("hotspot")
logger.addHandler(logging.NullHandler())

__all__ = ["attach", "get_meta", "logger", "note_choice"]


def note_choice(choices: dict[str, Any], name: str, value: Any, reason: str) -> Any:
    """Record an automatic choice, log it on the ``hotspot`` logger and return it.

    Parameters
    ----------
    choices
        Dict that collects the choices of one call; updated in place.
    name
        Name of the parameter that was chosen, e.g. ``"cell_size"``.
    value
        The chosen value.
    reason
        One sentence saying which rule chose it, e.g.
        ``"shorter side of the bounding box / 50, rounded down to 10 m"``.

    Returns
    -------
    Any
        ``value``, so that the call can be used inline.

    Examples
    --------
    >>> choices = {}
    >>> note_choice(choices, "cell_size", 250.0, "fixed for the example")
    250.0
    >>> choices["cell_size"]["reason"]
    'fixed for the example'
    """
    choices[name] = {"value": value, "reason": reason}
    logger.info("%s = %r (%s)", name, value, reason)
    return value


def get_meta(obj: Any) -> dict[str, Any]:
    """Return the ``hotspot`` metadata dict stored in ``obj.attrs`` (empty if none).

    Examples
    --------
    >>> import pandas as pd
    >>> get_meta(pd.DataFrame())
    {}
    """
    attrs = getattr(obj, "attrs", None)
    if not attrs:
        return {}
    meta = attrs.get("hotspot", {})
    return meta if isinstance(meta, dict) else {}


def attach(
    result: Any,
    step: str,
    params: dict[str, Any] | None = None,
    choices: dict[str, Any] | None = None,
    **extra: Any,
) -> Any:
    """Store the parameters and automatic choices of ``step`` in ``result.attrs``.

    Metadata already present (for example from the input frame) is kept, so that a
    result carries the history of the steps that made it.

    Parameters
    ----------
    result
        A pandas or geopandas object; its ``attrs`` is updated in place.
    step
        Name of the function that made ``result``, e.g. ``"gi_star"``.
    params
        The parameters actually used.
    choices
        The automatic choices made (see :func:`note_choice`).
    **extra
        Further entries to store under ``step``.

    Returns
    -------
    Any
        ``result``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = attach(pd.DataFrame(), "count", {"weight": None})
    >>> df.attrs["hotspot"]["count"]["params"]
    {'weight': None}
    """
    meta = copy.copy(get_meta(result))
    entry: dict[str, Any] = {"params": dict(params or {}), "choices": dict(choices or {})}
    entry.update(extra)
    meta[step] = entry
    result.attrs["hotspot"] = meta
    return result
