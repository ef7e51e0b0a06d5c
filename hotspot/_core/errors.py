"""The last line of argument checking: no raw exception leaves the public API.

Every public function checks its arguments and raises the library's own errors
(:mod:`hotspot.exceptions`) with a message that names the fix. A value of a type
no check foresaw (a list where a column name is expected, ``pd.NA`` as an option,
``None`` as a number) can still make pandas, numpy, pyproj, shapely or the OS raise
deep inside. :func:`library_errors` wraps each function of ``hotspot.__all__`` so
that such an exception becomes an :class:`~hotspot.exceptions.InputTypeError`
(from a ``TypeError``) or :class:`~hotspot.exceptions.InvalidInputError` (from
``ValueError``, ``KeyError``, ``IndexError``, ``ZeroDivisionError``, ``OSError``...)
whose message names the function and the arguments given, with the original
exception chained (``__cause__``) for debugging. The library's own errors pass
through unchanged.
"""

from __future__ import annotations

import functools
import inspect
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from hotspot.exceptions import HotspotError, InputTypeError, InvalidInputError

__all__ = ["library_errors", "wrap_public"]

F = TypeVar("F", bound=Callable[..., Any])

_CONVERTED: tuple[type[BaseException], ...] = (
    TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, AttributeError,
    OverflowError, OSError, AssertionError, LookupError, ArithmeticError,
)


def _show(value: Any) -> str:
    if isinstance(value, pd.DataFrame):
        cols = ", ".join(map(str, list(value.columns)[:8]))
        return f"<{type(value).__name__} of {len(value):,} rows; columns {cols}>"
    if isinstance(value, pd.Series | np.ndarray):
        return f"<{type(value).__name__} of {len(value):,}>"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _arguments(func: Callable[..., Any], args: tuple, kwargs: dict) -> str:
    try:
        bound = inspect.signature(func).bind_partial(*args, **kwargs)
    except TypeError:
        return ", ".join(f"{k}={_show(v)}" for k, v in kwargs.items())
    return ", ".join(f"{k}={_show(v)}" for k, v in bound.arguments.items())


def _reissue(caught: list[warnings.WarningMessage], caller: Any) -> None:
    """Warn again what the call warned; warnings aimed at the wrapper go to its caller."""
    for w in caught:
        if w.filename == __file__:
            filename, lineno = caller.f_code.co_filename, caller.f_lineno
            module = caller.f_globals.get("__name__", "<unknown>")
            registry = caller.f_globals.setdefault("__warningregistry__", {})
            warnings.warn_explicit(w.message, w.category, filename, lineno, module=module,
                                   registry=registry)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno,
                                   registry={})


def library_errors(func: F) -> F:
    """Turn raw exceptions escaping ``func`` into the library's own errors.

    Parameters
    ----------
    func
        A public function.

    Returns
    -------
    callable
        ``func`` wrapped (``functools.wraps``: same name, docstring, signature).

    Examples
    --------
    >>> @library_errors
    ... def half(x):
    ...     return x / 2
    >>> try:
    ...     half("a")
    ... except TypeError as e:
    ...     print(type(e).__name__, str(e).split(" (")[0])
    InputTypeError half(): an argument has a type it does not accept
    """
    name = getattr(func, "__name__", "function")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        caught: list[warnings.WarningMessage] = []
        try:
            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    return func(*args, **kwargs)
            finally:
                _reissue(caught, sys._getframe(1))
        except HotspotError:
            raise
        except _CONVERTED as exc:
            given = _arguments(func, args, kwargs)
            detail = f"{type(exc).__name__}: {exc}".strip()
            if isinstance(exc, TypeError):
                msg = (f"{name}(): an argument has a type it does not accept ({detail}). "
                       f"Arguments given: {given}. Check each against help(hs.{name}) "
                       "(column names are strings, numbers are numbers, options are one "
                       "of the listed strings).")
                raise InputTypeError(msg) from exc
            what = (f"a column or key {exc} is missing from the data given (run the step "
                    "that makes it first, or name another column)" if isinstance(exc, KeyError)
                    else f"an argument has a value it cannot use ({detail})")
            msg = (f"{name}(): {what}. Arguments given: {given}. Check each against "
                   f"help(hs.{name}).")
            raise InvalidInputError(msg) from exc

    wrapper.__wrapped__ = func  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def wrap_public(namespace: dict[str, Any], names: list[str]) -> None:
    """Wrap every plain function of ``names`` in ``namespace`` with :func:`library_errors`.

    Parameters
    ----------
    namespace
        A module's ``globals()``.
    names
        Its public names (``__all__``); classes, modules and data are left alone.

    Examples
    --------
    >>> ns = {"f": lambda: 1, "x": 3}
    >>> wrap_public(ns, ["f", "x"])
    >>> ns["f"].__wrapped__() , ns["x"]
    (1, 3)
    """
    for n in names:
        obj = namespace.get(n)
        if inspect.isfunction(obj) and not hasattr(obj, "_library_errors"):
            wrapped = library_errors(obj)
            wrapped._library_errors = True  # type: ignore[attr-defined]
            namespace[n] = wrapped
