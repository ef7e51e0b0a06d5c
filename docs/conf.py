"""Sphinx configuration for the hotspot documentation site.

Sphinx with autodoc/autosummary + numpydoc renders the API reference from the numpydoc
docstrings (the convention the whole library follows), MyST-NB executes the numbered
notebooks at build time so their maps and tables appear in the pages, and the PyData theme
is the one geopandas, pandas and PySAL's sites use. The build runs with warnings as errors
(``make docs``), so a notebook error, a broken cross-reference to the library or a
docstring that does not render fails it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import hotspot

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent

project = "hotspot"
author = "hotspot developers"
copyright = "hotspot developers, MIT licence"
release = hotspot.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
    "sphinx_copybutton",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "examples/out", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]

# API reference: one page per public name, generated from the docstrings.
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # the numpydoc Parameters section carries the types
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True

# Cross-references: every reference to the library itself must resolve (nitpicky);
# references to other libraries' objects are not checked because the build is offline
# (no intersphinx inventories can be fetched).
# Docstrings name objects by the module that defines them (hotspot.scan.stats.gi_star);
# the reference documents the public name (hotspot.gi_star): _resolve_hotspot links the
# one to the other, renders references to existing internal objects as plain text, and
# leaves a reference to anything that does not exist to fail the build.
nitpicky = True
nitpick_ignore_regex = [(r"py:.*", r"(?!hotspot\b)[A-Za-z_][\w.]*")]

# Notebooks: executed at build time; any error fails the build.
# Kernels inherit the environment: a non-interactive MPLBACKEND (CI sets Agg) would keep
# the notebooks' figures out of the pages, so the kernels get the inline backend.
os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
nb_execution_mode = "cache"
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath"]
myst_heading_anchors = 3

html_theme = "pydata_sphinx_theme"
html_title = "hotspot"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_static_path: list[str] = []


def _copy_notebooks(app: object, config: object) -> None:
    """Copy the numbered notebooks into the source tree so MyST-NB executes them."""
    target = DOCS / "examples"
    target.mkdir(exist_ok=True)
    for nb in sorted((REPO / "notebooks").glob("[0-9]*.ipynb")):
        dest = target / nb.name
        if not dest.exists() or dest.read_bytes() != nb.read_bytes():
            shutil.copyfile(nb, dest)


# The API reference lists every name in ``hotspot.__all__`` (and the public members of
# the public modules in it), grouped by the SARA stage of the package that defines it, so
# a new public function appears in the reference without anyone editing a list.
STAGES = [
    ("ingest", "Ingest: read police exports", "read_incidents and its report: every row kept "
     "or dropped with a reason."),
    ("_core", "Ingest: read police exports", ""),
    ("units", "Units: grids, segments and counts", "Analysis units and counting incidents "
     "into them."),
    ("pipeline", "Scanning: where does crime concentrate?", ""),
    ("scan", "Scanning: where does crime concentrate?", "Density, hotspot statistics, "
     "clusters, operational hotspots and concentration."),
    ("analyse", "Analysis: when and why?", "Time profiles, darkness, aoristic time, near "
     "repeats, change and emergence."),
    ("respond", "Response: what to do, where, how much?", "The evidence catalogue, "
     "intervention scores, patrol plans, lighting audits and plans under budgets."),
    ("assess", "Assessment: did it work, did crime move?", "Before/after with displacement, "
     "WDQ/WDD, forecasters and forecast skill."),
    ("present", "Presenting: maps, briefing packs and exports", "Print maps, the officers' "
     "briefing pack, interactive maps and exports."),
    ("scale", "Beyond one machine", "Incident data larger than memory, reduced to grids on "
     "Dask."),
    ("datasets", "Sample data", "Small real police data shipped with the library."),
    ("exceptions", "Errors and warnings", "Every failure is one of these, with a message "
     "that names the fix."),
]


def _public_names() -> list[tuple[str, str, object]]:
    """(documented name, defining module, object) for every public name."""
    import inspect
    import types

    out = []
    for name in hotspot.__all__:
        if name.startswith("__"):
            continue
        obj = getattr(hotspot, name)
        if isinstance(obj, types.ModuleType):
            for member in getattr(obj, "__all__", []):
                sub = getattr(obj, member)
                if callable(sub) or inspect.isclass(sub):
                    out.append((f"{name}.{member}", obj.__name__, sub))
            continue
        module = getattr(obj, "__module__", None) or ""
        if not module.startswith("hotspot"):
            module = "hotspot.present" if name.isupper() else "hotspot"
        out.append((name, module, obj))
    return out


def _stage_of(module: str) -> str:
    part = module.split(".")[1] if "." in module else "exceptions"
    for key, title, _ in STAGES:
        if part == key:
            return title
    return "Other"


def api_text() -> str:
    """Return the text of ``api.rst``: every public name, grouped by SARA stage."""
    groups: dict[str, list[str]] = {}
    for name, module, obj in _public_names():
        if isinstance(obj, dict | str | int | float | tuple):
            continue  # constants are described in the functions that use them
        groups.setdefault(_stage_of(module), []).append(name)
    lines = [
        "API reference",
        "=============",
        "",
        "Every public name of ``import hotspot as hs``, by SARA stage. Each page is the",
        "function's docstring: parameters with units, what is returned, the automatic",
        "choices it reports, and an example.",
        "",
        ".. currentmodule:: hotspot",
        "",
    ]
    seen = set()
    for _, title, _blurb in STAGES:
        if title in seen or title not in groups:
            continue
        seen.add(title)
        blurbs = [b for _, t, b in STAGES if t == title and b]
        lines += [title, "-" * len(title), ""] + ([blurbs[0], ""] if blurbs else [])
        lines += [".. autosummary::", "   :toctree: generated/", ""]
        lines += [f"   {n}" for n in sorted(groups[title], key=str.lower)] + [""]
    if "Other" in groups:
        lines += ["Other", "-----", "", ".. autosummary::", "   :toctree: generated/", ""]
        lines += [f"   {n}" for n in sorted(groups["Other"], key=str.lower)] + [""]
    return "\n".join(lines)


def _write_api(app: object, config: object) -> None:
    """Write ``api.rst`` from ``hotspot.__all__`` before Sphinx lists the sources."""
    text = api_text()
    path = DOCS / "api.rst"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def _lookup(target: str) -> object | None:
    """Return the object a dotted ``hotspot...`` path names, or None when there is none."""
    import importlib

    parts = target.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _resolve_hotspot(app, env, node, contnode):
    """Link ``hotspot.<module>.<name>`` to the documented public page of the same object."""
    from sphinx.util.nodes import make_refnode

    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("hotspot"):
        return None
    obj = _lookup(target)
    if obj is None:
        return None  # a broken reference: Sphinx warns, and the build fails
    domain = env.get_domain("py")
    names = [f"hotspot.{n}" for n in hotspot.__all__ if getattr(hotspot, n) is obj]
    names += [f"hotspot.{'.'.join(target.split('.')[-2:])}"]
    for name in names:
        entry = domain.objects.get(name)
        if entry is not None:
            return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id,
                                contnode, name)
    return contnode  # an internal object that exists: plain text, no link


def setup(app: object) -> None:
    """Copy the notebooks and write the API page before Sphinx reads the sources."""
    # config-inited runs before Sphinx lists the source files, so both are found.
    app.connect("config-inited", _copy_notebooks)  # type: ignore[attr-defined]
    app.connect("config-inited", _write_api)  # type: ignore[attr-defined]
    app.connect("missing-reference", _resolve_hotspot)  # type: ignore[attr-defined]
