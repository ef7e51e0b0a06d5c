"""Lazy import of the optional Dask stack, with an error that says what to install."""

from __future__ import annotations

from typing import Any

_HINT = (
    "hotspot.scale needs Dask: install the extra with `pip install 'hotspot-crime[dask]'` "
    "(dask[dataframe], distributed and dask-geopandas)."
)


def require_dask() -> tuple[Any, Any]:
    """Return ``(dask, dask.dataframe)``, or raise ImportError naming the extra.

    Examples
    --------
    >>> dask, dd = require_dask()  # doctest: +SKIP
    """
    try:
        import dask
        import dask.dataframe as dd
        import dask_geopandas  # noqa: F401  (registers GeoDataFrame partitions)
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise ImportError(f"{_HINT} ({exc})") from exc
    return dask, dd


def is_dask_collection(obj: Any) -> bool:
    """Return True for a Dask (Geo)DataFrame, without importing Dask."""
    mod = type(obj).__module__
    return mod.startswith(("dask.", "dask_expr", "dask_geopandas")) and hasattr(obj, "npartitions")
