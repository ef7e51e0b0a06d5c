"""The time zone of incident times: given, police.uk, or inferred from the coordinates.

:func:`_choose_zone` picks the zone (``tz=``, police.uk, else the zone that holds most
of the points, :func:`zone_from_points`, offline); :func:`_apply_zone` applies it,
counting clock times that daylight saving skips or repeats; :func:`_zone_notes` and
:func:`_offset_check` report what was done and offsets that look like labels on local
clock times.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hotspot.ingest.date_text import _as_us, _wall, _When

# --------------------------------------------------------------------------------------
# Step 2: the time zone (given, police.uk, or from the coordinates)
# --------------------------------------------------------------------------------------
_ZONE_CELLS = 20_000


def _zone_cells(a: np.ndarray, b: np.ndarray, good: np.ndarray, crs_in: Any
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct lon/lat cells of the valid points, with counts.

    Cells of 0.01 degree (about 1 km; 1 km for projected input), ten times larger
    until there are at most :data:`_ZONE_CELLS` of them (national data).
    """
    from pyproj import CRS, Transformer

    x, y = a[good], b[good]
    crs = CRS.from_user_input(crs_in)
    step = 0.01 if crs.is_geographic else 1000.0
    while True:
        key = np.round(x / step) + 1j * np.round(y / step)
        cells, counts = np.unique(key, return_counts=True)
        if cells.size <= _ZONE_CELLS:
            break
        step *= 10.0
    cx, cy = cells.real * step, cells.imag * step
    if not crs.is_geographic:
        tr = Transformer.from_crs(crs, 4326, always_xy=True)
        with np.errstate(all="ignore"):
            cx, cy = tr.transform(cx, cy, errcheck=False)
    fine = np.isfinite(cx) & np.isfinite(cy)
    return np.asarray(cx)[fine], np.asarray(cy)[fine], counts[fine]


def zone_from_points(lon: np.ndarray, lat: np.ndarray, weight: np.ndarray | None = None
                     ) -> tuple[str | None, float, dict[str, float]]:
    """Return the IANA time zone that holds most of the points (offline).

    Uses `tzfpy <https://pypi.org/project/tzfpy/>`_: one 3 MB wheel with no
    dependencies, about 15 microseconds a lookup (after half a second to load),
    boundaries from timezone-boundary-builder (simplified, so a point within about
    1 km of a zone border may be given the neighbour: the zone of a whole data set,
    the majority of its points, is not affected). timezonefinder was the alternative:
    unsimplified boundaries, but it needs h3, cffi, flatbuffers and a separate data
    package (timezonefinder-data).

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Points in degrees (WGS 84).
    weight : numpy.ndarray, optional
        Rows each point stands for (default 1).

    Returns
    -------
    zone : str or None
        The zone of most points (None when there are no points).
    share : float
        Share (0-1) of the weight in that zone.
    others : dict[str, float]
        Share of the weight in each other zone.

    Examples
    --------
    >>> zone_from_points(np.array([-123.12, -123.10]), np.array([49.28, 49.26]))
    ('America/Vancouver', 1.0, {})
    """
    if len(lon) == 0:
        return None, 0.0, {}
    w = np.ones(len(lon)) if weight is None else np.asarray(weight, float)
    zones = np.array([zone_at(x, y) or "" for x, y in zip(lon, lat, strict=True)])
    names, inv = np.unique(zones, return_inverse=True)
    tot = np.bincount(inv, weights=w)
    tot[names == ""] = 0.0
    if tot.sum() <= 0:
        return None, 0.0, {}
    share = tot / tot.sum()
    best = int(np.argmax(share))
    others = {str(names[i]): float(share[i]) for i in np.argsort(-share)
              if i != best and share[i] > 0}
    return str(names[best]), float(share[best]), others


def zone_at(lon: float, lat: float) -> str | None:
    """Return the IANA time zone at one point (offline, tzfpy), None where there is none.

    Examples
    --------
    >>> zone_at(2.35, 48.86)
    'Europe/Paris'
    """
    try:
        import tzfpy
    except ImportError as exc:  # pragma: no cover - a core dependency
        msg = ("inferring the time zone needs the tzfpy package: pip install tzfpy "
               "(or pass tz=)")
        raise ImportError(msg) from exc
    return tzfpy.get_tz(float(lon), float(lat)) or None


def _choose_zone(tz: str | None, schema: str | None, cells: tuple[np.ndarray, ...] | None,
                 warnings: list[str]) -> tuple[str | None, str]:
    """Choose the zone of the times and say how it was found."""
    if tz is not None:
        return tz, "given (tz=)"
    if schema == "police.uk":
        return "Europe/London", "for police.uk data (England and Wales)"
    if cells is None or len(cells[0]) == 0:
        return None, "unknown: no valid coordinates to infer it from"
    zone, share, others = zone_from_points(*cells)
    if zone is None:
        return None, "unknown: the coordinates lie in no time zone"
    if share < 0.99:
        other = ", ".join(f"{z} {s:.1%}" for z, s in list(others.items())[:3])
        warnings.append(
            f"the points span several time zones ({zone} {share:.1%}, {other}): every "
            f"time was read in {zone}; read each zone's rows separately with tz= if "
            "that is wrong")
    return zone, "inferred from the coordinates; pass tz= to override"


# --------------------------------------------------------------------------------------
# Applying the zone
# --------------------------------------------------------------------------------------
def _apply_zone(w: _When, zone: str | None) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Clock times in ``zone``; counts DST gaps (read +1 h) and overlaps (first pass).

    Values that carried an offset (UTC instants) are converted to the zone; naive
    local clock times are localized to it. A clock time skipped when clocks spring
    forward (02:56) is read in the offset before the change (03:56 daylight time); a
    repeated one when they fall back is read as the first pass (daylight time). Both
    are returned as masks so that the report counts them. Without a zone, naive
    values stay naive unless some rows carried an offset (then all are UTC).
    """
    v = w.values
    n = len(v)
    ok = v.notna().to_numpy()
    none = np.zeros(n, bool)
    if zone is None:
        return (_as_us(v.dt.tz_localize("UTC")) if w.aware.any() else v), none, none
    first = np.ones(n, bool)
    hour = pd.Timedelta(hours=1)
    local = v.dt.tz_localize(zone, ambiguous=first, nonexistent=hour)
    naive = ok & ~w.aware
    gap = naive & v.dt.tz_localize(zone, ambiguous=first, nonexistent="NaT").isna().to_numpy()
    overlap = naive & v.dt.tz_localize(zone, ambiguous="NaT",
                                       nonexistent=hour).isna().to_numpy()
    if w.aware.any():
        conv = v[w.aware].dt.tz_localize("UTC").dt.tz_convert(zone)
        local = local.copy()
        local[w.aware] = conv
    return _as_us(local), gap, overlap


def _zone_notes(present: list[_When], zone: str | None, how: str, gaps: np.ndarray,
                overlaps: np.ndarray, row_id: np.ndarray, warnings: list[str],
                notes: list[str]) -> None:
    aware = np.zeros(len(row_id), bool)
    naive = np.zeros(len(row_id), bool)
    for w in present:
        ok = w.values.notna().to_numpy()
        aware |= ok & w.aware
        naive |= ok & ~w.aware
    if zone is not None:
        notes.append(f"time zone {zone} {how}")
    elif naive.any() and aware.any():
        warnings.append(
            f"mixed time zones: {int(aware.sum()):,} values carry a UTC offset and "
            f"{int(naive.sum()):,} do not (e.g. row_id {int(row_id[np.argmax(naive)])}); "
            "with no zone known the latter were read as UTC: pass tz= (the data's IANA "
            "zone)")
    elif naive.any():
        warnings.append(
            "times are naive local clock time and the time zone is unknown "
            f"({how}); pass tz= (the data's IANA zone, e.g. 'Europe/Madrid') for "
            "darkness or cross-city analyses")
    if zone is not None and aware.any() and naive.any():
        warnings.append(
            f"mixed time zones: {int(aware.sum()):,} values carry a UTC offset (converted "
            f"to {zone}) and {int(naive.sum()):,} do not (read as {zone} clock time; e.g. "
            f"row_id {int(row_id[np.argmax(naive)])})")
    for mask, what in ((gaps, "do not exist (the hour skipped when clocks spring forward); "
                        "read in the offset before the change, one hour later on the new "
                        "clock"),
                       (overlaps, "occur twice (the hour repeated when clocks fall back); "
                        "read as the first pass (daylight time)")):
        if mask.any():
            warnings.append(f"daylight saving: {int(mask.sum()):,} clock times {what} "
                            f"(e.g. row_id {int(row_id[np.argmax(mask)])})")


def _offset_check(w: _When, local: pd.Series, zone: str | None, col_role: str,
                  warnings: list[str]) -> None:
    """Flag offsets that look like local clock time labelled UTC.

    Placeholder midnights sit at local 00:00. When many values are at exactly 00:00 as
    written (UTC) but few at 00:00 on the local clock, the "+00" is most likely a
    label on local times (a known quirk of some portals).
    """
    if zone is None:
        return
    ok = w.aware & w.values.notna().to_numpy()
    if ok.sum() < 20:
        return
    utc = w.values.to_numpy()[ok]
    wall = _wall(local).astype("datetime64[us]")[ok]
    at_utc = int((utc == utc.astype("datetime64[D]")).sum())
    at_local = int((wall == wall.astype("datetime64[D]")).sum())
    if at_utc >= 5 and at_utc > 5 * max(at_local, 1) and at_utc / ok.sum() > 5 / 1440:
        warnings.append(
            f"the {col_role} values carry UTC offsets, but {at_utc:,} of them are at exactly "
            f"00:00 UTC and only {at_local:,} at 00:00 in {zone}: the offsets may be "
            "labels on local clock times. If so, remove them from the text and pass "
            f"tz='{zone}'")
