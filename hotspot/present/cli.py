"""Command-line interface: ``hotspot analyze``, ``hotspot briefing`` and ``hotspot demo``.

Exit codes: 0 success, 2 bad arguments or input (the message says which and how to
fix it), 3 an output exists and ``--force`` was not given.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hotspot import datasets
from hotspot.analyse import darkness, temporal
from hotspot.exceptions import HotspotError
from hotspot.ingest.incidents import read_incidents
from hotspot.ingest.report import ingest_report
from hotspot.pipeline import scan
from hotspot.present import maps, report
from hotspot.present.export import export
from hotspot.respond import interventions, patrol
from hotspot.scan import areas, density

__all__ = ["analyze", "main"]

EXIT_BAD_INPUT = 2
EXIT_EXISTS = 3
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


def analyze(
    incidents: Any,
    out: Path,
    *,
    name: str,
    cell_size: float | None = None,
    max_area_km2: float | None = 1.0,
    top: int = 10,
    setting: str | None = None,
    tz: str | None = None,
    context: Any = None,
    briefing: bool = False,
    briefing_area: Any = None,
    area_name: str | None = None,
    quiet: bool = False,
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
        written["ingest_report"] = _write_text(out / f"{name}_ingest_report.txt", str(ingest))
    except HotspotError:
        pass
    progress.step("ingest report")

    cells, spots = scan(incidents, cell_size=cell_size, max_area_km2=max_area_km2)
    progress.step("grid, counts and Gi* (FDR)")
    membership = areas.hotspot_membership(incidents, spots)
    progress.step(f"{len(spots)} ranked hotspots")

    # the density surface on the hotspot cells themselves: one grid on every map
    surface = density.kde(incidents, cells[["row", "col", "geometry"]])
    progress.step("kernel density")

    dark = _dark_share(darkness, incidents, membership, tz)
    profile = temporal.temporal_profile(incidents, by=membership.rename("hotspot_id"))
    written["dark_share"] = _write_csv(dark, out / f"{name}_dark_share_by_hotspot.csv")
    written["profiles"] = _write_csv(profile, out / f"{name}_time_profiles_by_hotspot.csv")
    progress.step("darkness and time profiles")

    written.update(_write_responses(out, name, spots.head(top), incidents, setting, tz))
    progress.step("intervention scores, patrol plan and a plan under a budget")

    written.update(_write_layers(out, name, cells, spots, surface))
    written.update(_write_maps(out, name, cells, spots, surface, context, _period(incidents)))
    progress.step("maps and exports")

    if briefing_area is not None or briefing:
        written["briefing"] = report.briefing(
            incidents,
            out / f"{name}_briefing.pdf",
            area=briefing_area,
            area_name=area_name,
            # a whole-area briefing shows the hotspots mapped and exported above;
            # an area's briefing finds its own on a grid of that area
            hotspots=spots if briefing_area is None else None,
            units=cells if briefing_area is None else None,
            setting=setting,
            officer_hours_per_week=PATROL_HOURS_PER_WEEK,
            tz=tz,
            overwrite=True,
            cell_size=cell_size,
            max_area_km2=max_area_km2,
        )
        progress.step("printed briefing (PDF)")
    return written


def _write_responses(
    out: Path, name: str, spots: Any, incidents: Any, setting: str | None, tz: str | None
) -> dict[str, Path]:
    """Score interventions for the top hotspots, plan patrols and a budgeted portfolio."""
    scores = interventions.score_interventions(
        incidents, spots, setting=setting, tz=tz, random_state=0
    )
    weekly = patrol.patrol_plan(
        incidents, spots, officer_hours_per_week=PATROL_HOURS_PER_WEEK, random_state=0
    )
    portfolio = interventions.plan(
        scores, capital_budget=PLAN_BUDGET, annual_budget=PLAN_ANNUAL_BUDGET,
        officer_hours_per_week=PATROL_HOURS_PER_WEEK
    )
    plan_text = (
        f"Weekly patrol plan: {PATROL_HOURS_PER_WEEK} officer-hours, 15-minute visits "
        "(Koper curve), at least 2 h apart\n\n" + patrol.format_patrol_plan(weekly)
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


def _write_layers(out: Path, name: str, cells: Any, spots: Any, surface: Any) -> dict[str, Path]:
    """GeoPackage (three layers), GeoJSON and CSV of the hotspots, with their parameters."""
    gpkg = out / f"{name}_hotspots.gpkg"
    export(spots, gpkg, layer="hotspots", overwrite=True)
    export(cells, gpkg, layer="gi_star_cells", overwrite=True)
    export(surface, gpkg, layer="kde", overwrite=True)
    return {
        "hotspots_gpkg": gpkg,
        "hotspots_geojson": export(spots, out / f"{name}_hotspots.geojson", overwrite=True),
        "hotspots_csv": export(spots, out / f"{name}_hotspots.csv", overwrite=True),
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
    return f"{times.min():%d %b %Y} – {times.max():%d %b %Y}"


def _read(args: argparse.Namespace) -> Any:
    kwargs = {
        k: getattr(args, k) for k in ("x", "y", "lon", "lat", "crs", "datetime", "offence", "tz")
    }
    return read_incidents(args.input, **{k: v for k, v in kwargs.items() if v is not None})


def _cmd_analyze(args: argparse.Namespace) -> int:
    out = Path(args.out)
    _prepare_out(out, args.force)
    incidents = _read(args)
    name = Path(args.input).name.split(".")[0]
    paths = analyze(
        incidents,
        out,
        name=name,
        cell_size=args.cell_size,
        max_area_km2=args.max_area_km2,
        setting=args.setting,
        tz=args.tz,
    )
    _print_paths(out, paths)
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
        context = datasets.load_sample(context_name)
        area = None if district is None else context.loc[[district]]
        paths = analyze(
            incidents,
            out,
            name=name,
            cell_size=cell_size,
            setting=setting,
            context=context,
            briefing=True,
            briefing_area=area,
            area_name=None if district is None else f"District {district}",
        )
        print((out / f"{name}_ingest_report.txt").read_text(), file=sys.stderr)
        _print_paths(out, paths)
    return 0


def _cmd_briefing(args: argparse.Namespace) -> int:
    import geopandas as gpd

    path = Path(args.out)
    if path.exists() and not args.force:
        msg = f"{path} exists; pass --force to overwrite it"
        raise FileExistsError(msg)
    incidents = _read(args)
    area = None
    if args.areas is not None:
        polygons = gpd.read_file(args.areas).to_crs(incidents.crs)
        if args.area_column not in polygons:
            msg = (
                f"--area-column {args.area_column!r} is not a column of {args.areas}; "
                f"columns: {', '.join(map(str, polygons.columns))}"
            )
            raise ValueError(msg)
        chosen = polygons[polygons[args.area_column].astype(str) == str(args.area)]
        if chosen.empty:
            values = ", ".join(sorted(map(str, polygons[args.area_column].unique()))[:30])
            msg = f"no area {args.area!r} in column {args.area_column!r}; values: {values}"
            raise ValueError(msg)
        area = chosen
    written = report.briefing(
        incidents, path, area=area, area_name=args.area, tz=args.tz, overwrite=args.force,
        cell_size=args.cell_size, max_area_km2=args.max_area_km2,
    )
    print(f"Briefing written to {written.resolve()}")
    return 0


def _print_paths(out: Path, paths: dict[str, Path]) -> None:
    print(f"Outputs written to {out}:")
    for kind, path in paths.items():
        print(f"  {kind:<16} {path}")


def _scan_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the scan options, the same for every command that finds hotspots."""
    parser.add_argument("--cell-size", type=float, default=None, help="grid cell side (m)")
    parser.add_argument(
        "--max-area-km2", type=float, default=1.0, help="largest hotspot area (km², default 1)"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotspot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    analyze_p = sub.add_parser("analyze", help="ingest a file and write hotspots, maps, exports")
    analyze_p.add_argument("input", help="incident file (CSV, GeoPackage, ...) or police.uk folder")
    analyze_p.add_argument("--out", required=True, help="output folder")
    analyze_p.add_argument("--force", action="store_true", help="overwrite existing outputs")
    _scan_arguments(analyze_p)
    for col in ("x", "y", "lon", "lat", "crs", "datetime", "offence", "tz"):
        analyze_p.add_argument(f"--{col}", default=None, help=f"the {col} column / value")
    analyze_p.add_argument(
        "--setting", default=None, help="column with the place type (street, residence...)"
    )
    analyze_p.set_defaults(func=_cmd_analyze)
    brief_p = sub.add_parser("briefing", help="write the printed briefing pack (PDF)")
    brief_p.add_argument("input", help="incident file (CSV, GeoPackage, ...) or police.uk folder")
    brief_p.add_argument("--out", required=True, help="PDF file to write")
    brief_p.add_argument("--force", action="store_true", help="overwrite an existing PDF")
    brief_p.add_argument("--areas", default=None, help="polygon file (districts, beats)")
    brief_p.add_argument("--area-column", default="name", help="column naming the areas")
    brief_p.add_argument("--area", default=None, help="the area to brief on (its name)")
    _scan_arguments(brief_p)
    for col in ("x", "y", "lon", "lat", "crs", "datetime", "offence", "tz"):
        brief_p.add_argument(f"--{col}", default=None, help=f"the {col} column / value")
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
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            return func(args)
    except FileExistsError as err:
        print(f"hotspot: error: {err}", file=sys.stderr)
        return EXIT_EXISTS
    except (HotspotError, FileNotFoundError, ValueError, TypeError) as err:
        print(f"hotspot: error: {getattr(err, 'cli', None) or err}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
