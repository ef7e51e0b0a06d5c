"""Command-line interface: ``hotspot analyze``, ``hotspot briefing`` and ``hotspot demo``.

Every argument and input is checked before anything is written; outputs are
written to a temporary folder beside the target and moved into place at the end,
so a failed or interrupted run leaves nothing that blocks a rerun. Output files
keep the input's name (``my.data.2019.csv.gz`` -> ``my.data.2019_hotspots.csv``).

Exit codes: 0 success (also when no hotspot is found: that is a finding, said in
the outputs); 2 bad arguments, input or output path (one line saying which and
how to fix it); 3 an output exists and ``--force`` was not given; 130 interrupted
(Ctrl-C), nothing written.
"""

from __future__ import annotations

import argparse
import functools
import glob
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hotspot import datasets
from hotspot._core.deprecation import renamed_arguments
from hotspot._core.time import data_period
from hotspot.analyse import darkness, temporal
from hotspot.exceptions import HotspotError, InvalidInputError
from hotspot.ingest.columns import resolve_setting
from hotspot.ingest.incidents import read_incidents
from hotspot.ingest.report import ingest_report
from hotspot.pipeline import scan
from hotspot.present import maps, report
from hotspot.present.basemap import check_basemap, is_local_source
from hotspot.present.cli_areas import area_title, choose_area, name_columns
from hotspot.present.context import (
    is_table,
    name_places,
    read_addresses,
    read_layers,
    streets_for_pack,
    streets_from_addresses,
)
from hotspot.present.export import export
from hotspot.present.furniture import period_label
from hotspot.present.report_scope import select_offences, select_period
from hotspot.respond import interventions, patrol, planning
from hotspot.scan import areas, density
from hotspot.scan.areas import MAX_AREA_KM2
from hotspot.scan.places import grid_extent, place_grid

__all__ = ["analyze", "main"]

EXIT_BAD_INPUT = 2
EXIT_EXISTS = 3
EXIT_INTERRUPTED = 130
#: File name endings dropped from the input's name to name the outputs.
_DATA_SUFFIXES = {
    ".csv",
    ".tsv",
    ".tab",
    ".txt",
    ".gz",
    ".bz2",
    ".xz",
    ".zip",
    ".xlsx",
    ".xls",
    ".gpkg",
    ".geojson",
    ".json",
    ".parquet",
    ".shp",
    ".fgb",
}
#: Officer-hours per week for the demo and CLI patrol plan.
PATROL_HOURS_PER_WEEK = 20.0
#: Cells with fewer incidents are suppressed on printed and web maps (privacy).
MIN_COUNT = 3
#: Up-front (capital) budget, in USD, for the CLI's plan under budgets.
PLAN_BUDGET = 250_000.0
#: Yearly running budget (running costs and officer time), in USD, for the CLI's plan.
PLAN_ANNUAL_BUDGET = 50_000.0


class _Progress:
    """Numbered step lines on stderr with elapsed seconds (a progress bar for pipelines)."""

    def __init__(self, total: int, *, quiet: bool = False) -> None:
        self.total, self.done, self.quiet = total, 0, quiet
        self.start = time.perf_counter()

    def step(self, label: str) -> None:
        self.done += 1
        if not self.quiet:
            elapsed = time.perf_counter() - self.start
            bar = "#" * self.done + "." * (self.total - self.done)
            print(f"[{bar}] {self.done}/{self.total} {label} ({elapsed:.1f} s)", file=sys.stderr)


def _prepare_out(out: Path, force: bool) -> None:
    if out.exists() and any(out.iterdir()) and not force:
        msg = f"output folder {out} exists and is not empty; pass --force to overwrite it"
        raise FileExistsError(msg)
    out.mkdir(parents=True, exist_ok=True)


@renamed_arguments(patrol_hours="officer_hours_per_week")
def analyze(
    incidents: Any,
    out: Path,
    *,
    name: str,
    cell_size: float | None = None,
    max_area_km2: float | None = MAX_AREA_KM2,
    top: int = 10,
    setting: str | None = None,
    tz: str | None = None,
    context: Any = None,
    briefing: bool = False,
    briefing_area: Any = None,
    area_name: str | None = None,
    quiet: bool = False,
    study_area: Any = None,
    officer_hours_per_week: float | None = None,
    source: str | None = None,
    basemap: Any = None,
    internal: bool = False,
    pages: int = 5,
    offence_label: str | None = None,
    period: tuple[Any, Any] | None = None,
    addresses: Any = None,
) -> dict[str, Path]:
    """Run the Scanning and Analysis pipeline on incidents and write its outputs.

    Steps: grid and counts, Gi* with FDR, ranked hotspots, KDE, darkness and time
    profiles per hotspot, maps and exports. Returns the paths written, by kind.

    Parameters
    ----------
    incidents
        Canonical incidents (from :func:`hotspot.read_incidents`).
    out
        Output folder (must exist).
    name
        Prefix of the output files, e.g. ``"memphis"``.
    cell_size
        Grid cell side in metres; automatic when None.
    max_area_km2
        Largest hotspot area in km², so that one officer can cover one (larger
        contiguous hot areas are split); None for no cap.
    top
        Number of top-ranked hotspots for which responses are scored and planned.
    setting
        Incident column with the place type (street, residence, ...) used to decide
        which incidents an intervention can affect; None when there is none.
    tz
        Time zone for darkness when ``occurred_at`` is naive.
    context
        Optional polygons (districts, beats) drawn on the maps.
    briefing
        Also write the printed briefing pack (PDF) for the whole data.
    briefing_area, area_name
        Write the briefing for this polygon (e.g. one district) instead, and its name.
    quiet
        No progress lines on stderr.
    study_area
        Polygons of the jurisdiction: no cells outside them; greyed out on the pages.
    officer_hours_per_week
        Officer-hours per week for the patrol plan (default
        :data:`PATROL_HOURS_PER_WEEK`); also printed in the briefing. (Called
        ``patrol_hours`` before; that name still works for one release.)
    source
        Data source printed in the briefing's footer.
    basemap
        Base map of the briefing (raster file, tile folder or ``"web"``).
    internal
        Exports keep cells and hotspots under :data:`MIN_COUNT` (not for sharing);
        by default they are suppressed, as on the maps, and the files say which.
    pages
        Places with a page of their own in the briefing.
    offence_label
        What the incidents are, in the briefing's titles (default from the
        ``offence`` column, see :func:`hotspot.briefing`).
    period
        ``(start, end)`` of the maps, exports and briefing (the end day included;
        default the data's). The incidents before it stay in ``incidents``: the
        briefing compares the period with the one before it.
    addresses
        Points with street addresses from another source (311 requests, street-light
        reports; a layer, file or ``{label: layer}``) naming places whose incidents
        carry no address (see :func:`hotspot.place_names`).

    Returns
    -------
    dict
        Paths of the files written, keyed by kind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from hotspot.present.cli import analyze
    >>> robberies = hs.datasets.load_sample("memphis_robberies")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = analyze(robberies, pathlib.Path(d), name="memphis", quiet=True)
    ...     sorted(paths)[:3]
    ['budget_plan', 'dark_share', 'hotspots_csv']
    """
    progress = _Progress(8 if (briefing or briefing_area is not None) else 7, quiet=quiet)
    written: dict[str, Path] = {}
    try:
        ingest = ingest_report(incidents)
        written["ingest_report"] = _write_text(out / f"{name}_ingest_report.txt",
                                               cli_text(str(ingest)))
    except HotspotError:
        pass
    progress.step("ingest report")
    everything = incidents  # the briefing's period and the one before it
    if period is not None:
        incidents = select_period(incidents, period)[0]

    cells, spots = scan(
        incidents, cell_size=cell_size, max_area_km2=max_area_km2, study_area=study_area
    )
    # places by name and grid square, in the exports, the web map and the pack alike

    # no streets layer: streets traced from the addresses, drawn and labelled on every map
    layers = streets_for_pack(read_layers(context, incidents.crs), incidents, addresses=addresses)
    spots = name_places(
        spots, incidents, layers, grid=place_grid(grid_extent(incidents)[0], spots),
        addresses=addresses,
    )
    progress.step("grid, counts and Gi* (FDR)")
    membership = areas.hotspot_membership(incidents, spots)
    n_busy = int((spots["kind"] == "busy place").sum()) if "kind" in spots.columns else 0
    progress.step(f"{len(spots)} ranked places ({len(spots) - n_busy} hot spots, "
                  f"{n_busy} busy places)")

    # the density surface on the hotspot cells themselves: one grid on every map
    surface = density.kde(incidents, cells[["row", "col", "geometry"]])
    progress.step("kernel density")

    dark = _dark_share(darkness, incidents, membership, tz)
    profile = temporal.temporal_profile(incidents, by=membership.rename("hotspot_id"))
    written["dark_share"] = _write_csv(dark, out / f"{name}_dark_share_by_hotspot.csv")
    written["profiles"] = _write_csv(profile, out / f"{name}_time_profiles_by_hotspot.csv")
    progress.step("darkness and time profiles")

    hours = (
        PATROL_HOURS_PER_WEEK if officer_hours_per_week is None else float(officer_hours_per_week)
    )
    if len(spots):
        written.update(_write_responses(out, name, spots.head(top), incidents, setting, tz, hours))
    else:  # a finding, not a failure: said in the outputs and on the pages
        written["no_hotspots"] = _write_text(
            out / f"{name}_no_hotspots.txt",
            "No hotspots found: no group of cells has significantly more incidents than "
            "the rest of the area (Gi*, FDR-corrected). Nothing to score or patrol.",
        )
    progress.step("intervention scores, patrol plan and a plan under a budget")

    written.update(_write_layers(out, name, cells, spots, surface, internal))
    written.update(_write_maps(out, name, cells, spots, surface, layers, _period(incidents)))
    progress.step("maps and exports")

    if briefing_area is not None or briefing:
        written["briefing"] = report.briefing(
            everything,
            out / f"{name}_briefing.pdf",
            area=briefing_area,
            area_name=area_name,
            # a whole-area briefing shows the hotspots mapped and exported above;
            # an area's briefing finds its own on a grid of that area
            hotspots=spots if briefing_area is None else None,
            units=cells if briefing_area is None else None,
            setting=setting,
            officer_hours_per_week=hours,
            tz=tz,
            overwrite=True,
            context=layers,
            study_area=study_area,
            basemap=basemap,
            source=source,
            top=pages,
            cell_size=cell_size,
            max_area_km2=max_area_km2,
            offence_label=offence_label,
            period=period,
            addresses=addresses,
        )
        progress.step("printed briefing (PDF)")
    return written


def _write_responses(
    out: Path,
    name: str,
    spots: Any,
    incidents: Any,
    setting: str | None,
    tz: str | None,
    hours: float = PATROL_HOURS_PER_WEEK,
) -> dict[str, Path]:
    """Score interventions for the top hotspots, plan patrols and a budgeted portfolio."""
    scores = interventions.score_interventions(
        incidents, spots, setting=setting, tz=tz, random_state=0
    )
    weekly = patrol.patrol_plan(incidents, spots, officer_hours_per_week=hours, random_state=0)
    portfolio = planning.plan(
        scores,
        capital_budget=PLAN_BUDGET,
        annual_budget=PLAN_ANNUAL_BUDGET,
        officer_hours_per_week=PATROL_HOURS_PER_WEEK,
    )
    plan_text = (
        f"Weekly patrol plan: {hours:g} officer-hours, 15-minute visits "
        "(Koper curve), one every 2 h in each place's busiest hours of the day; * marks "
        "low-yield visits\n\n" + patrol.format_patrol_plan(weekly)
    )
    return {
        "interventions": _write_csv(_plain(scores), out / f"{name}_intervention_scores.csv"),
        "patrol_plan": _write_text(out / f"{name}_patrol_plan.txt", plan_text),
        "budget_plan": _write_csv(_plain(portfolio), out / f"{name}_plan_under_budget.csv"),
    }


def _dark_share(darkness: Any, incidents: Any, membership: Any, tz: str | None) -> Any:
    return darkness.dark_share(incidents, by=membership.rename("hotspot_id"), tz=tz)


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _write_csv(frame: Any, path: Path) -> Path:
    frame.to_csv(path)
    return path


def _plain(frame: Any) -> Any:
    """Copy with categorical columns as strings (for CSV)."""
    out = frame.copy()
    for col in out.columns:
        if str(out[col].dtype) == "category":
            out[col] = out[col].astype(str)
    return out


def _write_layers(
    out: Path, name: str, cells: Any, spots: Any, surface: Any, internal: bool = False
) -> dict[str, Path]:
    """GeoPackage (three layers), GeoJSON and CSV of the hotspots, with their parameters.

    Shared by default: cells and hotspots under :data:`MIN_COUNT` are suppressed as
    on the maps; ``internal`` keeps them (the files say which).
    """
    gpkg = out / f"{name}_hotspots.gpkg"
    opts = {"overwrite": True, "internal": internal, "min_count": MIN_COUNT}
    export(spots, gpkg, layer="hotspots", **opts)
    export(cells, gpkg, layer="gi_star_cells", **opts)
    export(surface, gpkg, layer="kde", **opts)
    return {
        "hotspots_gpkg": gpkg,
        "hotspots_geojson": export(spots, out / f"{name}_hotspots.geojson", **opts),
        "hotspots_csv": export(spots, out / f"{name}_hotspots.csv", **opts),
    }


def _write_maps(
    out: Path, name: str, cells: Any, spots: Any, surface: Any, context: Any, period: str
) -> dict[str, Path]:
    """Print-quality PNG maps (A4, 300 dpi) and the interactive HTML map."""
    import matplotlib.pyplot as plt

    source = "police-recorded incidents (see the ingest report)"
    minx, miny, maxx, maxy = cells.total_bounds
    orientation = "landscape" if (maxx - minx) > (maxy - miny) else "portrait"
    fig, ax = maps.new_map_figure("A4", orientation)
    maps.plot_hotspots(
        spots,
        units=cells,
        context=context,
        ax=ax,
        top=10,
        period=period,
        source=source,
        min_count=MIN_COUNT,
    )
    hotspot_map = maps.save_map(fig, out / f"{name}_hotspots_map.png", dpi=300)
    plt.close(fig)
    fig, ax = maps.new_map_figure("A4", orientation)
    maps.plot_kde(surface, context=context, ax=ax, period=period, source=source)
    kde_map = maps.save_map(fig, out / f"{name}_kde_map.png", dpi=300)
    plt.close(fig)
    web = maps.explore(cells, spots, min_count=MIN_COUNT, tiles=None)
    html = out / f"{name}_interactive_map.html"
    web.save(str(html))
    return {"hotspots_map": hotspot_map, "kde_map": kde_map, "interactive_map": html}


def _period(incidents: Any) -> str:
    times = incidents["occurred_at"].dropna() if "occurred_at" in incidents else []
    if len(times) == 0:
        return "period unknown"
    start, end = data_period(times) if len(times) > 1 else (times.min(), times.max())
    return period_label(start, end)


def _read(args: argparse.Namespace) -> Any:
    kwargs = {
        k: getattr(args, k)
        for k in ("x", "y", "lon", "lat", "crs", "datetime", "time", "hour", "offence", "tz",
                  "sheet", "layer")
    }
    if getattr(args, "dayfirst", False):
        kwargs["dayfirst"] = True
    # the whole file is read once: --period chooses the briefing's period (and the
    # maps'), so the previous period and the row accounting stay those of the data
    incidents = read_incidents(args.input, **{k: v for k, v in kwargs.items() if v is not None})
    if getattr(args, "period", None):
        select_period(incidents, tuple(args.period))  # outside the data: said now
    return incidents


def _setting(args: argparse.Namespace, incidents: Any) -> str | None:
    """Return the --setting column, else the place-type column found by its name."""
    try:
        found = resolve_setting(incidents, args.setting)
    except InvalidInputError as err:  # said with the command's flags, not Python's
        head = str(err).split(" Pass the place-type", 1)[0]
        err.cli = (head.replace(f"setting={args.setting!r}", f"--setting {args.setting!r}")
                   + " Pass --setting COLUMN with the place-type column's name, leave "
                   "--setting out to find it by its name, or --no-setting for none.")
        raise
    if args.setting is None and found is not None:
        print(f"hotspot: place types from column {found!r} (found by its name; pass "
              "--setting COLUMN to choose another)", file=sys.stderr)
    return found


#: Where the read's warnings send the user, in the command's words.
_REPORT_HINT = "the ingest report (*_ingest_report.txt) has the details"

_CLI_FLAGS = (("pass tz=", "pass --tz ZONE"), ("tz='", "--tz '"), ("crs='", "--crs '"),
              ("period=(start, end)", "--period START END"), ("dayfirst=True", "--dayfirst"),
              ("pass time=/hour=", "pass --time/--hour"),
              ("pass sheet= to choose one, e.g. sheet=", "pass --sheet NAME, e.g. --sheet "),
              ("pass layer= to choose one, e.g. layer=", "pass --layer NAME, e.g. --layer "),
              ("print(hs.ingest_report(incidents)) for details", _REPORT_HINT))


def _show_warning(message: Any, category: Any, filename: str, lineno: int,
                  file: Any = None, line: Any = None, *, held: list[str] | None = None
                  ) -> None:
    """Print a warning as the command's own advice (flags, the report file).

    A warning that points to the ingest report file is held in ``held`` and printed
    when the run is over, so that it is not said when the run fails before writing it.
    """
    text = f"hotspot: {category.__name__}: {cli_text(str(message))}"
    if held is not None and _REPORT_HINT in text:
        held.append(text)
        return
    print(text, file=sys.stderr if file is None else file)


def cli_text(text: str) -> str:
    """Say a report's advice with the command's own flags instead of Python arguments.

    Examples
    --------
    >>> cli_text("inferred from the coordinates; pass tz= to override")
    'inferred from the coordinates; pass --tz ZONE to override'
    """
    for python, flag in _CLI_FLAGS:
        text = text.replace(python, flag)
    return text


def output_name(source: str | Path) -> str:
    """Name for the outputs of ``source``: its file name without data suffixes.

    Examples
    --------
    >>> output_name("data/my.data.2019.csv.gz")
    'my.data.2019'
    >>> output_name("exports/*.csv")
    'exports'
    >>> output_name("police_uk/2018-07")
    '2018-07'
    """
    text = str(source)
    if glob.has_magic(text):  # a glob: name it after the folder it reads
        folder = Path(text.split("*")[0].split("?")[0].split("[")[0])
        name = folder.name if text.endswith(folder.name) else folder.name or ""
        return name or Path(folder).resolve().name or "incidents"
    name = Path(text.rstrip("/\\")).name
    while Path(name).suffix.lower() in _DATA_SUFFIXES:
        name = name[: -len(Path(name).suffix)]
    return name or "incidents"


def _check_input(args: argparse.Namespace) -> None:
    """Check every path argument before reading or writing anything."""
    text = str(args.input)
    if glob.has_magic(text):
        if not glob.glob(text):
            msg = f"no file matches {text}; check the pattern"
            raise FileNotFoundError(msg)
    elif not Path(text).exists():
        msg = f"input {text} does not exist; check the path"
        raise FileNotFoundError(msg)
    for flag in ("study_area", "areas", "basemap", "addresses"):
        value = getattr(args, flag, None)
        if (
            value is not None
            and not (flag == "basemap" and not is_local_source(value))
            and not Path(value).exists()
        ):
            msg = f"--{flag.replace('_', '-')} {value} does not exist; check the path"
            raise FileNotFoundError(msg)
    try:  # web tiles: the provider known, contextily installed
        check_basemap(getattr(args, "basemap", None))
    except ImportError as err:
        raise InvalidInputError(f"--basemap {args.basemap}: {err}") from err
    for value in getattr(args, "context", None) or []:
        if not Path(value).exists():
            msg = f"--context {value} does not exist; check the path"
            raise FileNotFoundError(msg)
    if getattr(args, "area", None) is not None and getattr(args, "areas", None) is None:
        msg = "--area needs --areas (the polygon file the area is taken from)"
        raise ValueError(msg)
    if getattr(args, "addresses_crs", None) is not None and getattr(args, "addresses",
                                                                    None) is None:
        msg = "--addresses-crs needs --addresses (the table of address points it is the CRS of)"
        raise ValueError(msg)
    out = Path(args.out)
    for parent in [out, *out.parents]:
        if parent.exists() and not parent.is_dir() and parent != out:
            msg = f"--out {out}: {parent} is a file, not a folder; choose another output path"
            raise ValueError(msg)


def _area_name(args: argparse.Namespace) -> str | None:
    """--area-name, else the --area value (a number with its column's name: 'District 11')."""
    if getattr(args, "area_name", None):
        return str(args.area_name)
    if getattr(args, "area", None) is None:
        return None
    return area_title(args.area_column, args.area)


def _addresses(args: argparse.Namespace, crs: Any = None) -> dict[str, Any] | None:
    """--addresses FILE as ``{label: layer}``: a GIS point layer, or a table of points.

    A table (CSV, Excel...) is read like incidents: its coordinate columns are found
    by their names. The label (``--addresses-label``, else "address records") is printed
    where a place is named after these addresses.
    """
    path = getattr(args, "addresses", None)
    if path is None:
        return None
    label = getattr(args, "addresses_label", None) or "address records"
    if not is_table(path):
        return {label: path}
    given = getattr(args, "addresses_crs", None)  # the table's own CRS, not the incidents'
    try:
        return read_addresses({label: path}, crs, given)
    except InvalidInputError as err:  # said with the command's flags
        err.cli = cli_text(f"--{err}".replace("addresses_crs='", "--addresses-crs '"))
        raise


def _polygon_file(flag: str, path: Any) -> None:
    """Refuse a table where a polygon file is needed, saying what to give instead."""
    if is_table(path):
        msg = (f"--{flag} {path} is a table; {flag.replace('-', ' ')} need a polygon file "
               "(GeoPackage, GeoJSON or shapefile with the boundaries), not points or rows")
        raise ValueError(msg)


def _layers(args: argparse.Namespace, crs: Any) -> tuple[Any, Any, Any]:
    """Context layers, study area and the chosen area, read and checked."""
    for flag in ("study-area", "areas"):
        value = getattr(args, flag.replace("-", "_"), None)
        if value is not None:
            _polygon_file(flag, value)
    context = read_layers(list(args.context or []), crs) or None
    study = None
    if args.study_area is not None:
        study = read_layers({"Study area": args.study_area}, crs)["Study area"]
    area = None
    if getattr(args, "areas", None) is not None:
        polygons = read_layers({"areas": args.areas}, crs)["areas"]
        if args.area_column is not None and args.area_column not in polygons:
            names = name_columns(polygons)
            msg = (
                f"--area-column {args.area_column!r} is not a column of {args.areas}; "
                f"columns that could name the areas: {', '.join(map(str, names)) or 'none'}"
            )
            raise ValueError(msg)
        if args.area is None:
            msg = "--areas needs --area (the name of the area to brief on)"
            raise ValueError(msg)
        area = choose_area(polygons, args)
    return context, study, area


def _staged(target: Path) -> Path:
    """Make a temporary folder beside ``target`` (same file system: moves are renames)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))


def _cmd_analyze(args: argparse.Namespace) -> int:
    _check_input(args)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        msg = f"--out {out} is a file; give a folder for the outputs"
        raise ValueError(msg)
    if (
        out.exists()
        and any(p for p in out.iterdir() if not p.name.startswith("."))
        and not args.force
    ):
        msg = f"output folder {out} exists and is not empty; pass --force to overwrite it"
        raise FileExistsError(msg)
    incidents = _read(args)
    if args.offences is not None:  # every output is about these offences
        incidents, left_out = select_offences(incidents, args.offences, {})
        print(f"hotspot: {len(incidents):,} incidents of {args.offences}; {left_out:,} of "
              "other offences left out", file=sys.stderr)
    context, study, area = _layers(args, incidents.crs)
    stage = _staged(out)
    try:
        paths = analyze(
            incidents,
            stage,
            name=output_name(args.input),
            cell_size=args.cell_size,
            max_area_km2=args.max_area_km2,
            top=args.top or 10,
            pages=args.top or 5,
            setting=_setting(args, incidents),
            tz=args.tz,
            context=context,
            study_area=study,
            briefing=True,
            briefing_area=area,
            area_name=_area_name(args),
            officer_hours_per_week=args.officer_hours_per_week,
            source=args.source,
            basemap=args.basemap,
            internal=args.internal,
            offence_label=args.offence_label,
            period=tuple(args.period) if args.period else None,
            addresses=_addresses(args, incidents.crs),
        )
        out.mkdir(parents=True, exist_ok=True)
        moved = {}
        for kind, path in paths.items():
            moved[kind] = out / Path(path).name
            os.replace(path, moved[kind])
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    _print_paths(out, moved)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    out = Path(args.out).resolve()
    _prepare_out(out, args.force)
    # cell sizes: Memphis coordinates are rounded to ~100 m, Chicago's to ~10 m;
    # the Chicago briefing is for one police district (11, Harrison), as officers get it
    runs = [
        ("memphis", "memphis_robberies", "memphis_precincts", 250.0, None, None),
        ("chicago", "chicago_assaults", "chicago_districts", 150.0, "loc_cat", 11),
    ]
    for name, sample, context_name, cell_size, setting, district in runs:
        print(f"\n== {datasets.SAMPLES[sample]}", file=sys.stderr)
        incidents = datasets.load_sample(sample)
        polygons = datasets.load_sample(context_name)
        area = None if district is None else polygons.loc[[district]]
        context = {"Precincts" if name == "memphis" else "Districts": polygons}
        addresses = None
        if name == "chicago":  # the outage reports' addresses: street lines and place names
            outages = datasets.load_sample("chicago_outages")
            context = {"Streets": streets_from_addresses(outages, "Location"), **context}
            addresses = {"street-light reports": outages}
        paths = analyze(
            incidents,
            out,
            name=name,
            cell_size=cell_size,
            setting=setting,
            context=context,
            source=datasets.SAMPLES[sample],
            briefing=True,
            briefing_area=area,
            area_name="Memphis" if district is None else f"District {district}",
            addresses=addresses,
        )
        print((out / f"{name}_ingest_report.txt").read_text(), file=sys.stderr)
        _print_paths(out, paths)
    return 0


def _cmd_briefing(args: argparse.Namespace) -> int:
    _check_input(args)
    path = Path(args.out)
    if path.is_dir():
        msg = f"--out {path} is a folder; give the PDF file to write, e.g. {path / 'briefing.pdf'}"
        raise ValueError(msg)
    if path.exists() and not args.force:
        msg = f"{path} exists; pass --force to overwrite it"
        raise FileExistsError(msg)
    incidents = _read(args)
    context, study, area = _layers(args, incidents.crs)
    written = report.briefing(
        incidents,
        path,
        area=area,
        area_name=_area_name(args),
        tz=args.tz,
        overwrite=args.force,
        context=context,
        study_area=study,
        basemap=args.basemap,
        cell_size=args.cell_size,
        max_area_km2=args.max_area_km2,
        top=args.top or 5,
        officer_hours_per_week=args.officer_hours_per_week,
        setting=_setting(args, incidents),
        source=args.source,
        period=tuple(args.period) if args.period else None,
        offence_label=args.offence_label,
        offences=args.offences,
        addresses=_addresses(args, incidents.crs),
    )
    print(f"Briefing written to {written.resolve()}")
    # the ingest report the read's warnings point to, next to the PDF
    report_path = written.with_name(f"{written.stem}_ingest_report.txt")
    if args.force or not report_path.exists():
        try:
            _write_text(report_path, cli_text(str(ingest_report(incidents))))
            print(f"Ingest report written to {report_path.resolve()}")
        except HotspotError:  # incidents not from read_incidents: no report to write
            pass
    return 0


def _print_paths(out: Path, paths: dict[str, Path]) -> None:
    print(f"Outputs written to {out}:")
    for kind, path in paths.items():
        print(f"  {kind:<16} {path}")


def _add_pack_options(p: argparse.ArgumentParser, *, max_area: float | None) -> None:
    """Options shared by ``analyze`` and ``briefing`` (the same pack either way)."""
    p.add_argument("input", help="incident file (CSV, GeoPackage, ...), folder or glob")
    p.add_argument("--force", action="store_true", help="overwrite existing outputs")
    for col in ("x", "y", "lon", "lat", "crs", "datetime", "offence"):
        p.add_argument(f"--{col}", default=None, help=f"the {col} column / value")
    p.add_argument("--time", default=None, help="time-of-day column to add to --datetime")
    p.add_argument("--hour", default=None, help="hour-of-day column (0-23)")
    p.add_argument("--dayfirst", action="store_true",
                   help="read dates like 03/04/2020 as 3 April when the data cannot tell")
    p.add_argument("--period", nargs=2, metavar=("START", "END"), default=None,
                   help="the period to brief on (dates, END included); the whole file is read, "
                   "so the pack compares it with the period before")
    p.add_argument("--tz", default=None,
                   help="IANA time zone of the times (default: from the coordinates)")
    p.add_argument("--sheet", default=None,
                   help="the sheet to read from an Excel workbook of several sheets")
    p.add_argument("--layer", default=None,
                   help="the layer to read from a GeoPackage / geodatabase of several")
    p.add_argument("--cell-size", type=float, default=None, help="grid cell side (m)")
    p.add_argument(
        "--max-area",
        "--max-area-km2",
        dest="max_area_km2",
        type=float,
        default=max_area,
        help=f"largest hotspot area in km² (default {max_area or 'no cap'})",
    )
    p.add_argument(
        "--top", type=int, default=None, help="places with a page of their own (default 5)"
    )
    p.add_argument(
        "--officer-hours-per-week",
        "--patrol-hours",  # the earlier spelling, kept for one release
        dest="officer_hours_per_week",
        type=float,
        default=None,
        help="officer-hours per week for patrols",
    )
    p.add_argument("--setting", default=None, help="column with the place type (street...)")
    p.add_argument("--no-setting", dest="setting", action="store_const", const=False,
                   help="place types unknown: use no place-type column, even if one is found")
    p.add_argument("--source", default=None, help="data source printed in the footer")
    p.add_argument(
        "--offence-label",
        default=None,
        help="what the incidents are, in the briefing's titles (e.g. 'Street robbery'; "
        "default from the offence column)",
    )
    p.add_argument("--study-area", default=None, help="polygon file: no cells outside it")
    p.add_argument(
        "--context", action="append", default=None, help="streets/boundaries file (repeatable)"
    )
    p.add_argument(
        "--basemap",
        default=None,
        help="raster file or tile folder; or web tiles (need contextily): 'web', a provider "
        "name such as OpenStreetMap.Mapnik, or a tile URL such as https://host/{z}/{x}/{y}.png",
    )
    p.add_argument(
        "--addresses",
        default=None,
        help="points file with street addresses from another source (311 requests, "
        "street-light reports) that names places whose incidents carry no address",
    )
    p.add_argument(
        "--addresses-crs",
        default=None,
        help="CRS of the --addresses table's x/y columns when the file does not say, e.g. "
        "'EPSG:3435' (Illinois East, US feet); --crs is the incidents' own",
    )
    p.add_argument(
        "--addresses-label",
        default=None,
        help="what the --addresses points are, in the printed place names (default "
        "'address records'; e.g. 'street-light reports')",
    )
    p.add_argument("--areas", default=None, help="polygon file (districts, beats)")
    p.add_argument("--area-column", default=None,
                   help="column naming the areas (default: the column that holds --area)")
    p.add_argument("--area", default=None, help="the area to brief on (its name)")
    p.add_argument(
        "--area-name",
        default=None,
        help="name of the area in titles (default: the --area value, a number with its "
        "column's name as in 'District 11'; police.uk data: the force)",
    )
    p.add_argument(
        "--offences",
        default=None,
        help="brief on these offences only, comma-separated: names as in the data or "
        "offence groups (e.g. 'Burglary,Robbery' or 'vehicle')",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotspot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    analyze_p = sub.add_parser(
        "analyze", help="ingest a file and write hotspots, maps, exports and the briefing"
    )
    analyze_p.add_argument("--out", required=True, help="output folder")
    analyze_p.add_argument(
        "--internal",
        action="store_true",
        help="exports keep counts under the minimum (not for sharing)",
    )
    _add_pack_options(analyze_p, max_area=MAX_AREA_KM2)
    analyze_p.set_defaults(func=_cmd_analyze)
    brief_p = sub.add_parser("briefing", help="write the printed briefing pack (PDF)")
    brief_p.add_argument("--out", required=True, help="PDF file to write")
    _add_pack_options(brief_p, max_area=MAX_AREA_KM2)
    brief_p.set_defaults(func=_cmd_briefing)
    demo_p = sub.add_parser("demo", help="run the pipeline on the shipped sample data")
    demo_p.add_argument("--out", default="out", help="output folder (default ./out)")
    demo_p.add_argument("--force", action="store_true", help="overwrite existing outputs")
    demo_p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hotspot`` command; returns the exit code.

    Examples
    --------
    >>> from hotspot.present.cli import main
    >>> main(["analyze", "no-such-file.csv", "--out", "x"])  # doctest: +SKIP
    2
    """
    args = _parser().parse_args(argv)
    held: list[str] = []  # warnings that point to the ingest report: said once it exists
    code = _run(args.func, args, held)
    _say_held(held, written=code == 0)
    return code


def _say_held(held: list[str], *, written: bool) -> None:
    """Print the warnings that refer to the ingest report, as the run turned out."""
    for text in held:
        if not written:
            text = text.replace(_REPORT_HINT, "no ingest report was written, as the run "
                                "stopped; rerun after fixing the error for the details")
        print(text, file=sys.stderr)


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace,
         held: list[str]) -> int:
    """Run a command; an error becomes one line and a documented exit code."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = functools.partial(_show_warning, held=held)
            return func(args)
    except KeyboardInterrupt:
        print("hotspot: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except FileExistsError as err:
        print(f"hotspot: error: {err}", file=sys.stderr)
        return EXIT_EXISTS
    except (HotspotError, FileNotFoundError, ValueError, TypeError) as err:
        print(f"hotspot: error: {getattr(err, 'cli', None) or cli_text(str(err))}",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:  # permissions, a full disk, a path through a file
        where = f" ({err.filename})" if getattr(err, "filename", None) else ""
        print(f"hotspot: error: {err.strerror or err}{where}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
