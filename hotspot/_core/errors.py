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
through unchanged. A missing column (``KeyError``) is named with the columns of the
frames given and the nearest spelling.

The wrapper touches no global state (it does not use :func:`warnings.catch_warnings`,
which swaps the process-wide filters and is not thread-safe), so ``hs.*`` may be called
from several threads. Because it adds a frame between the user's call and the function,
the library's warnings are issued with :func:`warn_user`, which names the user's line (the
caller of the outermost ``hotspot`` frame) whatever the depth of the call.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import os
import sys
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from hotspot.exceptions import HotspotError, InputTypeError, InvalidInputError

__all__ = ["library_errors", "warn_user", "wrap_public"]

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
    bound = _bound(func, args, kwargs)
    return ", ".join(f"{k}={_show(v)}" for k, v in (bound or kwargs).items())


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _in_package(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_PACKAGE_DIR)


def warn_user(message: str | Warning, category: type[Warning] = UserWarning) -> None:
    """Issue a warning at the user's line: the caller of the outermost ``hotspot`` frame.

    The same as ``warnings.warn(message, category, stacklevel=k)`` with ``k`` counted
    for the call at hand: wrappers (:func:`library_errors`, argument renames) and
    helpers between the user's call and this one are skipped, so filters by module
    and the line shown always point at the user's code. Thread-safe: the warning goes
    through the process's filters and the calling module's registry, as
    ``warnings.warn`` does; nothing global is changed.

    Parameters
    ----------
    message
        The text (or a Warning instance).
    category
        A Warning subclass (ignored when ``message`` is a Warning).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_user("check the data", UserWarning)
    >>> caught[0].filename.endswith("errors.py")
    False
    """
    frame = sys._getframe(1)
    caller = None
    while frame is not None:
        if _in_package(frame.f_code.co_filename):
            caller = frame.f_back
        frame = frame.f_back
    if caller is None:  # called from outside the package: its caller's line
        caller = sys._getframe(1)
    glob = caller.f_globals
    # no module_globals: linecache would ask the module's loader for its source, which
    # fails for `python -c` and other built-in __main__ modules
    warnings.warn_explicit(message, category, caller.f_code.co_filename, caller.f_lineno,
                           module=glob.get("__name__", "<string>"),
                           registry=glob.setdefault("__warningregistry__", {}))


def _missing_column(exc: KeyError, args: tuple, kwargs: dict) -> str:
    """Say which frame given lacks the key of a KeyError, with its columns."""
    key = exc.args[0] if exc.args else None
    frames = [(n, v) for n, v in _named(args, kwargs) if isinstance(v, pd.DataFrame)]
    for n, v in frames:
        try:
            missing = key not in v.columns
        except TypeError:  # an unhashable key
            missing = True
        if not missing:
            continue
        names = [str(c) for c in v.columns]
        near = difflib.get_close_matches(str(key), names, 2, 0.6)
        hint = f" (did you mean {', '.join(map(repr, near))}?)" if near else ""
        shown = ", ".join(names[:20]) + (" ..." if len(names) > 20 else "")
        return (f"no column {key!r} in `{n}`{hint}; its columns: {shown}. Name an existing "
                "column, or run the step that adds it first")
    return (f"a column or key {exc} is missing from the data given (run the step that "
            "makes it first, or name another column)")


def _named(args: tuple, kwargs: dict) -> list[tuple[str, Any]]:
    return [(f"argument {i + 1}", a) for i, a in enumerate(args)] + list(kwargs.items())


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
        try:
            return func(*args, **kwargs)
        except HotspotError:
            raise
        except _CONVERTED as exc:
            raise _converted(func, name, exc, args, kwargs) from exc

    wrapper.__wrapped__ = func  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def _converted(func: Callable[..., Any], name: str, exc: BaseException, args: tuple,
               kwargs: dict) -> HotspotError:
    """Return the library's error for a raw exception ``exc`` raised inside ``func``."""
    given = _arguments(func, args, kwargs)
    detail = f"{type(exc).__name__}: {exc}".strip()
    if isinstance(exc, TypeError):
        msg = (f"{name}(): an argument has a type it does not accept ({detail}). "
               f"Arguments given: {given}. Check each against help(hs.{name}) "
               "(column names are strings, numbers are numbers, options are one "
               "of the listed strings).")
        return InputTypeError(msg)
    if isinstance(exc, KeyError):
        bound = _bound(func, args, kwargs)
        what = _missing_column(exc, (), bound) if bound else _missing_column(exc, args,
                                                                              kwargs)
    elif isinstance(exc, OSError) and getattr(exc, "filename", None):
        what = (f"the file {exc.filename!r} could not be used ({exc.strerror or detail}); "
                "check the path and that it can be read and written")
    else:
        what = f"an argument has a value it cannot use ({detail})"
    msg = f"{name}(): {what}. Arguments given: {given}. Check each against help(hs.{name})."
    return InvalidInputError(msg)


def _bound(func: Callable[..., Any], args: tuple, kwargs: dict) -> dict[str, Any]:
    try:
        return dict(inspect.signature(func).bind_partial(*args, **kwargs).arguments)
    except (TypeError, ValueError):
        return {}


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
