"""Base maps under printed maps: a local raster or tile folder, or optional web tiles.

``basemap=`` of the briefing and the CLI's ``--basemap`` take

- a **raster file** in the map's CRS: a PNG/JPEG/TIFF with a world file beside it
  (``.pgw``, ``.jgw``, ``.tfw``, ``.wld``...), or a GeoTIFF when ``rasterio`` is
  installed;
- a **folder** of such rasters (tiles): every one that overlaps the map is drawn;
- ``"web"`` (a light base map, see ``WEB_DEFAULTS``), an ``xyzservices``
  provider name (``"OpenStreetMap.Mapnik"``) or ``TileProvider``, or a tile URL
  template (``"https://tiles.example.police.uk/{z}/{x}/{y}.png"``, e.g. a force's
  own tile server): web tiles through ``contextily`` (optional extra
  ``hotspot-crime[basemap]``), cached on disk so that a second run downloads
  nothing. Without a connection (or with a tile server that does not answer
  within the timeout) the map is printed without them and a plain note says so.
  Nothing here runs unless asked: the default is no base map.

The attribution (or the note) is returned so that it is printed under the map.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from hotspot._core.meta import logger, note_choice
from hotspot.exceptions import InvalidInputError

__all__ = ["add_basemap", "check_basemap", "is_local_source", "tile_provider"]

_IMAGE = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif"}
WEB_DEFAULTS = ("CartoDB.Positron", "Esri.WorldGrayCanvas", "OpenStreetMap.Mapnik")
"""Light, quiet base maps for ``"web"``, first choice first: the first that needs no
API key in the installed xyzservices is used (CartoDB has asked for one since 2026)."""
TILE_TIMEOUT = (5.0, 30.0)
"""Seconds to wait for a tile server to answer, then for one tile (a network that
drops packets would otherwise hang the briefing)."""
OFFLINE_NOTE = "Base map not shown: the map tiles could not be downloaded (no internet?)."


def _world_file(path: Path) -> Path | None:
    ext = path.suffix.lower().lstrip(".")
    for cand in (ext[0] + ext[-1] + "w", ext + "w", "wld"):
        for name in (path.with_suffix("." + cand), path.with_suffix("." + cand.upper())):
            if name.exists():
                return name
    return None


def read_raster(path: str | Path) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    r"""Read a georeferenced raster: ``(image, (xmin, xmax, ymin, ymax))`` in its CRS.

    Parameters
    ----------
    path
        Image with a world file beside it, or a GeoTIFF (needs ``rasterio``).

    Returns
    -------
    (numpy.ndarray, tuple)
        The image (rows x columns [x bands]) and its extent for ``imshow``.

    Raises
    ------
    InvalidInputError
        No world file and no readable GeoTIFF, or a rotated world file.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np, matplotlib.pyplot as plt
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> plt.imsave(folder / "base.png", np.zeros((4, 8)))
    >>> _ = (folder / "base.pgw").write_text("10 0 0 -10 5 35")
    >>> read_raster(folder / "base.png")[1]
    (0.0, 80.0, 0.0, 40.0)
    """
    import matplotlib.image as mpimg

    path = Path(path)
    world = _world_file(path)
    if world is not None:
        try:
            a, d, b, e, c, f = (float(v) for v in world.read_text().split()[:6])
        except ValueError as exc:
            msg = f"World file {world} must hold six numbers, one per line."
            raise InvalidInputError(msg) from exc
        if b != 0 or d != 0:
            msg = f"World file {world} is rotated; give a north-up raster."
            raise InvalidInputError(msg)
        image = mpimg.imread(path)
        rows, cols = image.shape[:2]
        x0, y1 = c - a / 2, f - e / 2  # world files give the centre of the top-left pixel
        return image, (x0, x0 + a * cols, y1 + e * rows, y1)
    try:
        import rasterio
    except ImportError as exc:
        msg = (
            f"{path.name} has no world file beside it ({path.stem}.pgw, .tfw, .wld...); "
            "add one, or install rasterio to read GeoTIFFs (`pip install rasterio`)."
        )
        raise InvalidInputError(msg) from exc
    with rasterio.open(path) as src:  # pragma: no cover - rasterio is optional
        image = np.moveaxis(src.read(), 0, -1)
        left, bottom, right, top = src.bounds
    return (image[..., 0] if image.shape[-1] == 1 else image), (left, right, bottom, top)


def _local(ax: Any, source: Path) -> str:
    files = (
        sorted(p for p in source.iterdir() if p.suffix.lower() in _IMAGE)
        if source.is_dir()
        else [source]
    )
    if not files:
        msg = f"Base map folder {source} holds no PNG, JPEG or TIFF images."
        raise InvalidInputError(msg)
    x0, x1 = sorted(ax.get_xlim())
    y0, y1 = sorted(ax.get_ylim())
    drawn = 0
    for path in files:
        image, (ex0, ex1, ey0, ey1) = read_raster(path)
        if ex1 < x0 or ex0 > x1 or ey1 < y0 or ey0 > y1:
            continue
        ax.imshow(
            image,
            extent=(ex0, ex1, ey0, ey1),
            zorder=0.5,
            cmap="Greys_r" if image.ndim == 2 else None,
            interpolation="bilinear",
            gid="basemap",
        )
        drawn += 1
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if drawn == 0:
        return "The base map does not cover this area (check that it is in the map's CRS)."
    return f"Base map: {source.name}."


def tile_provider(source: Any) -> Any:
    """Make the ``xyzservices.TileProvider`` that a web base map comes from.

    Parameters
    ----------
    source
        ``"web"`` (the first of ``WEB_DEFAULTS`` that needs no API key), an
        xyzservices provider name (``"OpenStreetMap.Mapnik"``), a provider, or a
        tile URL template with ``{x}``, ``{y}`` and ``{z}`` (attributed to its host).

    Returns
    -------
    xyzservices.TileProvider

    Raises
    ------
    InvalidInputError
        An unknown name, a URL without the placeholders, a provider without a URL,
        or a provider that needs an API key that was not given.

    Examples
    --------
    >>> tile_provider("https://tiles.example.org/{z}/{x}/{y}.png")["attribution"]
    'tiles from tiles.example.org'
    """
    import xyzservices
    import xyzservices.providers as xyz

    if isinstance(source, dict):
        if "url" not in source:
            msg = "A tile provider must have a 'url' with {x}, {y} and {z} in it."
            raise InvalidInputError(msg)
        provider = xyzservices.TileProvider({"name": "tiles", "attribution": "", **source})
    elif "://" in source:
        if not all(key in source for key in ("{x}", "{y}", "{z}")):
            msg = f"Tile URL {source!r} must hold {{x}}, {{y}} and {{z}}: …/{{z}}/{{x}}/{{y}}.png"
            raise InvalidInputError(msg)
        host = source.split("://", 1)[1].split("/", 1)[0]
        provider = xyzservices.TileProvider(name=host, url=source, attribution=f"tiles from {host}")
    elif source == "web":
        return _default_provider(xyz)
    else:
        try:
            provider = xyz.query_name(source)
        except ValueError as exc:
            msg = f"Unknown web base map {source!r}; use 'web' or a name like {WEB_DEFAULTS[-1]!r}."
            raise InvalidInputError(msg) from exc
    if provider.requires_token():
        msg = (
            f"Web base map {provider.name} needs an API key: pass the provider with it, "
            f"e.g. xyzservices.providers.{provider.name}(apikey=...), or use 'web'."
        )
        raise InvalidInputError(msg)
    return provider


def _default_provider(xyz: Any) -> Any:
    skipped = []
    for name in WEB_DEFAULTS:
        provider = xyz.query_name(name)
        if not provider.requires_token():
            why = "the first light base map that needs no API key"
            if skipped:
                why += f" ({' and '.join(skipped)} {'needs' if len(skipped) == 1 else 'need'} one)"
            note_choice({}, "basemap", provider.name, why)
            return provider
        skipped.append(name)
    msg = f"Every default web base map ({', '.join(WEB_DEFAULTS)}) needs an API key; name one."
    raise InvalidInputError(msg)


def _web_modules() -> tuple[Any, Any]:
    """``contextily`` and ``requests``, or an ImportError that says what to install."""
    try:
        import contextily
        import requests
    except ImportError as exc:
        msg = (
            'Web base maps need contextily and xyzservices: `pip install "hotspot-crime[basemap]"`.'
        )
        raise ImportError(msg) from exc
    return contextily, requests


def _web(ax: Any, source: Any, crs: Any, cache: str | Path | None) -> str:
    contextily, requests = _web_modules()
    provider = tile_provider(source)
    folder = Path(cache or os.environ.get("HOTSPOT_TILE_CACHE", Path.home() / ".cache" / "hotspot"))
    folder.mkdir(parents=True, exist_ok=True)
    contextily.set_cache_dir(str(folder))
    try:
        # contextily's own warnings (a zoom beyond the provider's, clipped) go to the log
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            contextily.add_basemap(
                ax,
                crs=crs,
                source=provider,
                attribution=False,
                zorder=0.5,
                gid="basemap",
                timeout=TILE_TIMEOUT,
            )
    except (requests.RequestException, OSError) as exc:  # offline, server down or refusing
        logger.warning("web base map %s not drawn: %s", provider.name, exc)
        return OFFLINE_NOTE
    for w in caught:
        logger.info("web base map %s: %s", provider.name, w.message)
    logger.info("web base map %s drawn; tiles cached in %s", provider.name, folder)
    return "Base map: " + str(provider.get("attribution") or provider.name) + "."


def is_local_source(source: Any) -> bool:
    """Tell whether ``basemap=`` names a local raster file or folder rather than web tiles.

    A path, or text with a path separator, an image suffix or naming something that
    exists, is local; a URL, ``"web"`` and provider names (``"CartoDB.Positron"``)
    are not.

    Parameters
    ----------
    source
        A ``basemap=`` value.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_local_source("maps/base.png"), is_local_source("CartoDB.Positron")
    (True, False)
    >>> is_local_source("https://tiles.example.org/{z}/{x}/{y}.png")
    False
    """
    if isinstance(source, Path):
        return True
    if not isinstance(source, str) or "://" in source:
        return False
    return os.sep in source or "/" in source or Path(source).suffix.lower() in _IMAGE or (
        Path(source).exists()
    )


def check_basemap(source: Any) -> None:
    """Check a ``basemap=`` value before any work is done, without drawing or downloading.

    Parameters
    ----------
    source
        As for :func:`add_basemap`.

    Raises
    ------
    InvalidInputError
        A missing file or folder, an unknown provider, a provider that needs an API
        key, a tile URL without ``{x}``/``{y}``/``{z}``, or a value of another type.
    ImportError
        Web tiles asked for without contextily installed.

    Examples
    --------
    >>> check_basemap(None)
    >>> check_basemap("no/such/base.png")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hotspot.exceptions.InvalidInputError: Base map no/such/base.png does not exist; ...
    """
    if source is None or source is False:
        return
    if is_local_source(source):
        if not Path(source).exists():
            msg = f"Base map {source} does not exist; give a raster file or a folder of tiles."
            raise InvalidInputError(msg)
    elif isinstance(source, (str, dict)):
        _web_modules()
        tile_provider(source)
    else:
        msg = (
            "`basemap` must be a file, a folder, 'web', a provider name or a tile URL, "
            f"got {type(source)}."
        )
        raise InvalidInputError(msg)


def add_basemap(ax: Any, source: Any, *, crs: Any = None, cache: str | Path | None = None) -> str:
    """Draw a base map under the map and return the line to print under it.

    Parameters
    ----------
    ax
        The map Axes, its limits already set.
    source
        None (no base map), a raster file or folder (see module notes), ``"web"``,
        an xyzservices provider name or ``TileProvider``, or a tile URL template.
    crs
        The map's CRS (web tiles are re-projected to it).
    cache
        Folder for downloaded tiles (default ``$HOTSPOT_TILE_CACHE`` or
        ``~/.cache/hotspot``).

    Returns
    -------
    str
        Attribution, or a plain note when the base map could not be drawn; ``""``
        without a base map.

    Raises
    ------
    InvalidInputError
        A missing file or a raster without georeference.
    ImportError
        Web tiles asked for without contextily installed.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> add_basemap(plt.subplots()[1], None)
    ''
    """
    if source is None or source is False:
        return ""
    if is_local_source(source):
        check_basemap(source)
        return _local(ax, Path(source))
    if isinstance(source, (str, dict)):
        return _web(ax, source, crs, cache)
    check_basemap(source)  # raises: not a value a base map can come from
    return ""
