"""Decisions that :func:`hotspot.read_incidents` takes from the data, recorded or fixed.

The reader decides some things from the values it reads: which columns hold the
coordinates, dates, times, hours and offence; the decimal and thousands separators of
text coordinates; whether x/y are degrees; whether a date column carrying one clock
time on every row is dates, whether first days of months are months; whether a time
column holds hours, HHMM or fractions of a day; the order of ``"(lat, lon)"`` pairs;
whether points are snapped and which coordinates are stacked placeholders.

In memory each is decided from all the rows read. A dataset read in pieces
(:func:`hotspot.scale.read_incidents`, one partition at a time) must decide each
once, for the whole dataset: it reads a sample spread over every partition inside
:func:`read_rules` (which records each decision), then reads every partition inside
``read_rules(fixed=...)`` with those decisions, so no partition decides on its own.

A decision point in the reader is one call of :func:`decide` with a key naming the
rule (and the column it applies to) and a function computing it from the data.

Examples
--------
>>> with read_rules() as rules:
...     decide("separators:x", lambda: (",", "."))
(',', '.')
>>> rules.made
{'separators:x': (',', '.')}
>>> with read_rules(fixed={"separators:x": None}):
...     decide("separators:x", lambda: (",", ".")) is None
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["ReadRules", "decide", "read_rules"]

T = TypeVar("T")


@dataclass
class ReadRules:
    """Decisions taken from the data (``made``) and decisions imposed (``fixed``).

    Examples
    --------
    >>> r = ReadRules(fixed={"snapped": True})
    >>> r.decide("snapped", lambda: False), r.made
    (True, {'snapped': True})
    """

    fixed: dict[str, Any] = field(default_factory=dict)
    made: dict[str, Any] = field(default_factory=dict)

    def decide(self, key: str, compute: Callable[[], T]) -> T:
        """Return the fixed decision for ``key``, else compute it; record it in ``made``.

        Examples
        --------
        >>> ReadRules().decide("lon_first:location", lambda: False)
        False
        """
        value = self.fixed[key] if key in self.fixed else compute()
        self.made[key] = value
        return value


_ACTIVE: ContextVar[ReadRules | None] = ContextVar("hotspot_read_rules", default=None)


def decide(key: str, compute: Callable[[], T]) -> T:
    """Take one decision of the reader: fixed by :func:`read_rules`, else from the data.

    Parameters
    ----------
    key : str
        Names the rule and what it applies to, e.g. ``"one_clock_time:Date"``.
    compute : callable
        Computes the decision from the rows being read (called only when the
        decision is not fixed).

    Returns
    -------
    The decision.

    Examples
    --------
    >>> decide("snapped", lambda: False)  # outside read_rules: from the data
    False
    """
    rules = _ACTIVE.get()
    return compute() if rules is None else rules.decide(key, compute)


@contextmanager
def read_rules(fixed: dict[str, Any] | None = None) -> Iterator[ReadRules]:
    """Record the reader's decisions, or impose ``fixed`` ones, within the block.

    Parameters
    ----------
    fixed : dict, optional
        Decisions (``ReadRules.made`` of an earlier read) to apply instead of deciding
        from the data; a decision not in it is taken from the data and recorded.

    Yields
    ------
    ReadRules
        Its ``made`` holds every decision taken in the block.

    Examples
    --------
    >>> with read_rules({"snapped": False}) as r:
    ...     decide("snapped", lambda: True)
    False
    """
    rules = ReadRules(dict(fixed or {}))
    token = _ACTIVE.set(rules)
    try:
        yield rules
    finally:
        _ACTIVE.reset(token)
