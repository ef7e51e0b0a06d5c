"""Renamed and reordered arguments: old spellings keep working for one release.

A public argument that is renamed keeps its old name for one release: the call
works, and a :class:`FutureWarning` names the new spelling. Functions declare this
with :func:`renamed_arguments`; a function whose positional order changed declares
it with :func:`reordered_arguments`. Both wrap the function once, so the body only
ever sees the new names and the new order.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from typing import Any, TypeVar

from hotspot._core.errors import warn_user

__all__ = [
    "areas_before_points",
    "path_before_data",
    "renamed_arguments",
    "reordered_arguments",
]

F = TypeVar("F", bound=Callable[..., Any])

Rename = str | tuple[str, Callable[[Any], Any], str]


def _warn(message: str) -> None:
    warn_user(message, FutureWarning)


def renamed_arguments(**renames: Rename) -> Callable[[F], F]:
    """Accept old keyword names for one release, with a :class:`FutureWarning`.

    Parameters
    ----------
    **renames
        ``old="new"`` for a plain rename, or ``old=("new", convert, "how")`` when
        the value changes meaning too: ``convert(old_value)`` gives the new value
        and ``how`` says so in the warning (e.g. ``"alpha = 1 - confidence"``).

    Returns
    -------
    Callable
        A decorator. Passing both the old and the new name raises ``TypeError``.

    Examples
    --------
    >>> import warnings
    >>> @renamed_arguments(critical_p="alpha")
    ... def test(*, alpha=0.05):
    ...     return alpha
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     test(critical_p=0.01), w[0].category.__name__
    (0.01, 'FutureWarning')
    """
    table: dict[str, tuple[str, Callable[[Any], Any] | None, str]] = {}
    for old, spec in renames.items():
        if isinstance(spec, str):
            table[old] = (spec, None, "")
        else:
            new, convert, how = spec
            table[old] = (new, convert, how)

    def decorate(func: F) -> F:
        params = inspect.signature(func).parameters
        for old, (new, _, _) in table.items():
            if new not in params:  # pragma: no cover - a programming error
                raise TypeError(f"{func.__name__} has no argument {new!r} to rename {old!r} to")

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old in table.keys() & kwargs.keys():
                new, convert, how = table[old]
                if new in kwargs:
                    raise TypeError(
                        f"{func.__name__}() got both `{old}` and its new name `{new}`; "
                        f"pass only `{new}`."
                    )
                value = kwargs.pop(old)
                kwargs[new] = convert(value) if convert is not None else value
                note = f" ({how})" if how else ""
                _warn(
                    f"`{old}` is renamed `{new}`{note} in {func.__name__}(); "
                    f"the old name stops working in the next release. Pass "
                    f"`{new}={kwargs[new]!r}` instead."
                )
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def reordered_arguments(
    *old: str, old_order: Callable[[Any, Any], bool]
) -> Callable[[F], F]:
    """Accept the old positional order of the leading arguments for one release.

    Parameters
    ----------
    *old
        Names of the leading parameters in their **old** positional order; the
        function's signature gives the new order.
    old_order
        ``old_order(args[0], args[1])`` is True when a call passed the arguments in
        the old order (e.g. polygons where points are expected); the wrapper then
        puts them in the new order and issues a :class:`FutureWarning`.

    Returns
    -------
    Callable
        A decorator.

    Examples
    --------
    >>> import warnings
    >>> @reordered_arguments("path", "incidents", old_order=path_before_data)
    ... def save(incidents, path):
    ...     return incidents, path
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     save("out.pdf", [1, 2])
    ([1, 2], 'out.pdf')
    """

    def decorate(func: F) -> F:
        names = list(inspect.signature(func).parameters)[: len(old)]
        if sorted(names) != sorted(old):  # pragma: no cover - a programming error
            raise TypeError(f"{func.__name__}: {old} are not its leading parameters {names}")

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if len(args) >= 2 and old_order(args[0], args[1]):
                given = dict(zip(old, args, strict=False))
                rest = args[len(old):]
                lead = []
                for name in names:
                    if name not in given:
                        break
                    lead.append(given.pop(name))
                kwargs.update(given)
                args = (*lead, *rest)
                _warn(
                    f"{func.__name__}() now takes its arguments in the order "
                    f"({', '.join(names)}, ...); the old order ({', '.join(old)}, ...) "
                    "stops working in the next release."
                )
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _all_points(obj: Any) -> bool:
    geoms = getattr(obj, "geometry", None)
    if geoms is None or not hasattr(geoms, "geom_type") or len(geoms) == 0:
        return False
    return bool(geoms.geom_type.isin(["Point", "MultiPoint"]).all())


def _all_areas(obj: Any) -> bool:
    geoms = getattr(obj, "geometry", None)
    if geoms is None or not hasattr(geoms, "geom_type") or len(geoms) == 0:
        return False
    return bool(geoms.geom_type.isin(["Polygon", "MultiPolygon"]).all())


def areas_before_points(a: Any, b: Any) -> bool:
    """Tell whether ``a`` holds only polygons and ``b`` only points (the old order).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> areas_before_points(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)]),
    ...                     gpd.GeoDataFrame(geometry=[Point(0, 0)]))
    True
    """
    return _all_areas(a) and _all_points(b)


def path_before_data(a: Any, b: Any) -> bool:
    """Tell whether ``a`` is a path (str or os.PathLike) and ``b`` is not (the old order).

    Examples
    --------
    >>> path_before_data("briefing.pdf", object())
    True
    """
    return isinstance(a, str | os.PathLike) and not isinstance(b, str | os.PathLike)
