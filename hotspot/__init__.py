"""hotspot: crime hotspot analytics and situational-prevention planning.

The workflow follows SARA: Scanning (where does crime concentrate), Analysis (when
and why), Response (which interventions, where, how much) and Assessment (did it
work, did crime move).

Examples
--------
>>> import hotspot as hs
>>> hs.__version__  # doctest: +SKIP
'0.1.0.dev0'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from . import exceptions
from .exceptions import (
    CRSError,
    DataQualityWarning,
    HotspotError,
    HotspotWarning,
    InvalidInputError,
)

try:
    __version__ = version("hotspot-crime")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "CRSError",
    "DataQualityWarning",
    "HotspotError",
    "HotspotWarning",
    "InvalidInputError",
    "__version__",
    "exceptions",
]
