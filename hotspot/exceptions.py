"""Exceptions and warnings raised by :mod:`hotspot`.

Every error subclasses a built-in so that ``except ValueError`` keeps working.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "DataQualityWarning",
    "HotspotError",
    "HotspotWarning",
    "InputTypeError",
    "InvalidInputError",
    "SourceNotFoundError",
]


class HotspotError(Exception):
    """Base class for every error raised by :mod:`hotspot`.

    ``cli``, when given, is the same message for the ``hotspot`` command line: it
    names the command's own flags (``--tz``) instead of Python arguments.
    """

    def __init__(self, *args: object, cli: str | None = None) -> None:
        super().__init__(*args)
        self.cli = cli


class InvalidInputError(HotspotError, ValueError):
    """Input has the right type but a wrong value, shape, column or content."""


class InputTypeError(HotspotError, TypeError):
    """An argument has the wrong type (e.g. a number where a column name is expected)."""


class SourceNotFoundError(HotspotError, FileNotFoundError):
    """A file, folder or glob pattern given to read does not exist or matches nothing."""


class CRSError(InvalidInputError):
    """A coordinate reference system is missing, geographic or mismatched."""


class HotspotWarning(UserWarning):
    """Base class for warnings issued by :mod:`hotspot`."""


class DataQualityWarning(HotspotWarning):
    """The data can be used but has a quality problem an analyst should know about."""
