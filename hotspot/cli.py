"""Command-line interface: ``hotspot analyze``, ``hotspot briefing`` and ``hotspot demo``.

Exit codes: 0 success, 2 bad arguments or input (the message says which and how to
fix it), 3 an output exists and ``--force`` was not given.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .exceptions import HotspotError

__all__ = ["analyze", "main"]

EXIT_BAD_INPUT = 2
EXIT_EXISTS = 3
#: Officer-hours per week for the demo and CLI patrol plan.
PATROL_HOURS_PER_WEEK = 20.0
#: Money budget (in the catalogue currency) for the CLI's plan under a budget.
PLAN_BUDGET = 250_000.0


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
    quiet
        No progress lines on stderr.

    Returns
    -------
    dict
        Paths of the files written, keyed by kind.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from hotspot.cli import analyze
    >>> robberies = hs.datasets.load_sample("memphis_robberies")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = analyze(robberies, pathlib.Path(d), name="memphis", quiet=True)
    ...     sorted(paths)[:3]
    ['dark_share', 'hotspots_csv', 'hotspots_gpkg']
    """
    from . import areas, density, stats, temporal, units
    from .incidents import ingest_report

    progress = _Progress(7, quiet=quiet)
    written: dict[str, Path] = {}
    try:
        report = ingest_report(incidents)
        written["ingest_report"] = _write_text(out / f"{name}_ingest_report.txt", str(report))
    except HotspotError:
        pass
    progress.step("ingest report")

    cells = units.count(incidents, units.grid(incidents, cell_size))
    cells = stats.gi_star(cells)
    progress.step("grid, counts and Gi* (FDR)")

    spots = areas.hotspots(cells, method="gistar", incidents=incidents, max_area_km2=max_area_km2)
    membership = areas.hotspot_membership(incidents, spots)
    progress.step(f"{len(spots)} ranked hotspots")

    surface = density.kde(incidents)
    progress.step("kernel density")

    dark = _dark_share(temporal, incidents, membership, tz)
    profile = temporal.temporal_profile(incidents, by=membership.rename("hotspot_id"))
    written["dark_share"] = _write_csv(dark, out / f"{name}_dark_share_by_hotspot.csv")
    written["profiles"] = _write_csv(profile, out / f"{name}_time_profiles_by_hotspot.csv")
    progress.step("darkness and time profiles")

    written.update(_write_responses(out, name, spots.head(top), incidents, setting, tz))
    progress.step("intervention scores, patrol plan and a plan under a budget")

    written.update(_write_layers(out, name, cells, spots, surface))
    written.update(_write_maps(out, name, cells, spots, surface, context))
    progress.step("maps and exports")
    return written


def _write_responses(
    out: Path, name: str, spots: Any, incidents: Any, setting: str | None, tz: str | None
) -> dict[str, Path]:
    """Score interventions for the top hotspots, plan patrols and a budgeted portfolio."""
    from . import interventions, patrol

    scores = interventions.score_interventions(
        spots, incidents, setting=setting, tz=tz, random_state=0
    )
    weekly = patrol.patrol_plan(
        spots, incidents, officer_hours_per_week=PATROL_HOURS_PER_WEEK, random_state=0
    )
    portfolio = interventions.plan(
        scores, budget=PLAN_BUDGET, officer_hours=PATROL_HOURS_PER_WEEK * 52
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


def _dark_share(temporal: Any, incidents: Any, membership: Any, tz: str | None) -> Any:
    return temporal.dark_share(incidents, by=membership.rename("hotspot_id"), tz=tz)


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _write_csv(frame: Any, path: Path) -> Path:
    frame.to_csv(path)
    return path


def _plain(frame: Any) -> Any:
    """Copy with categorical columns as strings (for GeoPackage / CSV)."""
    out = frame.copy()
    for col in out.columns:
        if str(out[col].dtype) == "category":
            out[col] = out[col].astype(str)
    return out


def _write_layers(out: Path, name: str, cells: Any, spots: Any, surface: Any) -> dict[str, Path]:
    from ._meta import get_meta

    gpkg = out / f"{name}_hotspots.gpkg"
    _plain(spots).to_file(gpkg, layer="hotspots", driver="GPKG")
    _plain(cells).to_file(gpkg, layer="gi_star_cells", driver="GPKG")
    _plain(surface).to_file(gpkg, layer="kde", driver="GPKG")
    csv = _write_csv(_plain(spots.drop(columns="geometry")), out / f"{name}_hotspots.csv")
    params = {"hotspots": get_meta(spots), "gi_star_cells": get_meta(cells)}
    meta = out / f"{name}_parameters.json"
    meta.write_text(json.dumps(params, indent=2, default=str), encoding="utf-8")
    return {"hotspots_gpkg": gpkg, "hotspots_csv": csv, "parameters": meta}


def _write_maps(
    out: Path, name: str, cells: Any, spots: Any, surface: Any, context: Any
) -> dict[str, Path]:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11.69, 8.27), layout="constrained")
    surface.plot(
        column="kde",
        ax=axes[0],
        cmap="cividis_r",
        legend=True,
        legend_kwds={"label": "incidents per km²", "shrink": 0.6},
    )
    axes[0].set_title("Kernel density")
    cells.plot(ax=axes[1], color="0.93", linewidth=0)
    spots.boundary.plot(ax=axes[1], color="black", linewidth=0.8)
    for _, row in spots.head(10).iterrows():
        p = row.geometry.representative_point()
        axes[1].annotate(
            str(row["rank"]), (p.x, p.y), ha="center", va="center", fontsize=9, fontweight="bold"
        )
    axes[1].set_title("Ranked Gi* hotspots (FDR 5 %)")
    for ax in axes:
        if context is not None:
            context.boundary.plot(ax=ax, color="0.4", linewidth=0.6)
        ax.set_axis_off()
    path = out / f"{name}_overview.png"
    fig.savefig(path, dpi=200)
    plt.close(fig)
    return {"overview_map": path}


def _read(args: argparse.Namespace) -> Any:
    from .incidents import read_incidents

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
        tz=args.tz,
    )
    _print_paths(out, paths)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from . import datasets

    out = Path(args.out).resolve()
    _prepare_out(out, args.force)
    # cell sizes: Memphis coordinates are rounded to ~100 m, Chicago's to ~10 m
    runs = [
        ("memphis", "memphis_robberies", "memphis_precincts", 250.0, None),
        ("chicago", "chicago_assaults", "chicago_districts", 150.0, "loc_cat"),
    ]
    for name, sample, context, cell_size, setting in runs:
        print(f"\n== {datasets.SAMPLES[sample]}", file=sys.stderr)
        incidents = datasets.load_sample(sample)
        paths = analyze(
            incidents,
            out,
            name=name,
            cell_size=cell_size,
            setting=setting,
            context=datasets.load_sample(context),
        )
        print((out / f"{name}_ingest_report.txt").read_text(), file=sys.stderr)
        _print_paths(out, paths)
    return 0


def _print_paths(out: Path, paths: dict[str, Path]) -> None:
    print(f"Outputs written to {out}:")
    for kind, path in paths.items():
        print(f"  {kind:<16} {path}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotspot", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    analyze_p = sub.add_parser("analyze", help="ingest a file and write hotspots, maps, exports")
    analyze_p.add_argument("input", help="incident file (CSV, GeoPackage, ...) or police.uk folder")
    analyze_p.add_argument("--out", required=True, help="output folder")
    analyze_p.add_argument("--force", action="store_true", help="overwrite existing outputs")
    analyze_p.add_argument("--cell-size", type=float, default=None, help="grid cell side (m)")
    analyze_p.add_argument(
        "--max-area-km2", type=float, default=1.0, help="largest hotspot area (km², default 1)"
    )
    for col in ("x", "y", "lon", "lat", "crs", "datetime", "offence", "tz"):
        analyze_p.add_argument(f"--{col}", default=None, help=f"the {col} column / value")
    analyze_p.set_defaults(func=_cmd_analyze)
    demo_p = sub.add_parser("demo", help="run the pipeline on the shipped sample data")
    demo_p.add_argument("--out", default="out", help="output folder (default ./out)")
    demo_p.add_argument("--force", action="store_true", help="overwrite existing outputs")
    demo_p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hotspot`` command; returns the exit code.

    Examples
    --------
    >>> from hotspot.cli import main
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
        print(f"hotspot: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
