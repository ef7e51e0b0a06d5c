"""Guard rails of the package layout (see ARCHITECTURE.md).

* imports only go down the stages: present -> pipeline | datasets -> respond |
  assess | scale -> analyse -> scan -> units -> ingest -> _core -> exceptions (every
  import, function-local ones included, parsed with ``ast``);
* no module over ~1,000 lines and no public function body over ~120 lines, except
  the entries of the allow-lists below, which are being split and must shrink;
* the package's own modules are imported at module top; a function-local import of
  one is allowed only for a real import cycle, listed below with the cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "hotspot"

#: Rank of each top-level part of the package: a module may import its own stage
#: and any stage of lower rank; two different stages of one rank are peers and do
#: not import each other.
RANKS: dict[str, int] = {
    "exceptions": 0,
    "_core": 1,
    "ingest": 2,
    "units": 3,
    "scan": 4,
    "analyse": 5,
    "respond": 6,
    "assess": 6,
    "scale": 6,
    "pipeline": 7,
    "datasets": 7,
    "present": 8,
    "__init__": 9,
}

MAX_MODULE_LINES = 1_000
MAX_FUNCTION_LINES = 120

#: Modules still over the limit, being split in their own issues. Remove an entry
#: when its module is split (test_allow_lists_are_current says when).
LONG_MODULES: dict[str, str] = {
}

#: Public functions whose body (docstring excluded) is still over the limit.
LONG_FUNCTIONS: dict[str, str] = {
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _stage(dotted: str) -> str | None:
    """Top-level part of a ``hotspot.*`` module name (None outside the package)."""
    parts = dotted.split(".")
    if parts[0] != "hotspot":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _stage_of_file(path: Path) -> str:
    first = path.relative_to(PACKAGE).parts[0]
    return first.removesuffix(".py")


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """Every ``hotspot`` module imported anywhere in the tree, with its line."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "hotspot":  # from hotspot import datasets
                found += [(node.lineno, f"hotspot.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def _upward_imports(path: Path) -> list[str]:
    own = _stage_of_file(path)
    bad = []
    for line, module in _imported(ast.parse(path.read_text(encoding="utf-8"))):
        target = _stage(module)
        if target is None or target == own:
            continue
        if target not in RANKS:
            bad.append(f"{_rel(path)}:{line} imports {module} (stage {target!r} has no rank)")
        elif RANKS[target] >= RANKS[own]:
            bad.append(f"{_rel(path)}:{line} imports {module}: {own} may not import {target}")
    return bad


def test_every_stage_has_a_rank():
    stages = {_stage_of_file(p) for p in _modules()}
    assert stages <= set(RANKS), f"add a rank for {sorted(stages - set(RANKS))}"


def test_imports_only_go_down():
    bad = [msg for path in _modules() for msg in _upward_imports(path)]
    assert not bad, "imports must only go down the stages:\n" + "\n".join(bad)


def test_an_upward_import_is_caught():
    fake = PACKAGE / "units" / "build.py"
    tree = ast.parse("def f():\n    from hotspot.present.report import briefing\n")
    assert [m for _, m in _imported(tree)] == ["hotspot.present.report"]
    assert _stage("hotspot.present.report") == "present"
    assert RANKS[_stage("hotspot.present.report")] > RANKS[_stage_of_file(fake)]


def _module_lines() -> dict[str, int]:
    return {_rel(p): len(p.read_text(encoding="utf-8").splitlines()) for p in _modules()}


def _public_function_lengths() -> dict[str, int]:
    out: dict[str, int] = {}
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, prefix in _functions(tree, ""):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]  # the docstring does not count
            if body and not node.name.startswith("_") and not prefix.startswith("_"):
                key = f"{_rel(path)}::{prefix}{node.name}"
                out[key] = node.end_lineno - body[0].lineno + 1
    return out


def _functions(node: ast.AST, prefix: str):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield child, prefix
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, f"{prefix}{child.name}.")


def test_no_module_over_the_limit():
    long = {m: n for m, n in _module_lines().items() if n > MAX_MODULE_LINES}
    unexpected = {m: n for m, n in long.items() if m not in LONG_MODULES}
    assert not unexpected, f"split these modules (> {MAX_MODULE_LINES} lines): {unexpected}"


def test_no_public_function_over_the_limit():
    long = {f: n for f, n in _public_function_lengths().items() if n > MAX_FUNCTION_LINES}
    unexpected = {f: n for f, n in long.items() if f not in LONG_FUNCTIONS}
    assert not unexpected, (
        f"break these functions into steps (body > {MAX_FUNCTION_LINES} lines): {unexpected}"
    )


@pytest.mark.parametrize("kind", ["modules", "functions"])
def test_allow_lists_are_current(kind):
    if kind == "modules":
        sizes, allowed, limit = _module_lines(), LONG_MODULES, MAX_MODULE_LINES
    else:
        sizes, allowed, limit = _public_function_lengths(), LONG_FUNCTIONS, MAX_FUNCTION_LINES
    stale = [name for name in allowed if sizes.get(name, 0) <= limit]
    assert not stale, f"now within the limit: remove {stale} from the allow-list in this file"


#: Function-local imports of the package's own modules, each needed by an import
#: cycle: "importing module -> imported module": the cycle.
LOCAL_IMPORTS: dict[str, str] = {
    "present/maps.py -> hotspot.present.interactive": "interactive imports maps",
    "ingest/readers.py -> hotspot.ingest.columns": "columns imports readers",
    "scan/areas.py -> hotspot.scan.places": "places imports areas (hotspot_membership)",
}


def _is_module(dotted: str) -> bool:
    rel = Path(*dotted.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").exists() or (PACKAGE / rel).is_dir()


def _local_imports() -> set[str]:
    """``"file -> module"`` for every import of a package module inside a function."""
    found = set()
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for imp in ast.walk(node):
                if not isinstance(imp, ast.ImportFrom) or not (imp.module or "").startswith(
                    "hotspot"
                ):
                    continue
                subs = [f"{imp.module}.{a.name}" for a in imp.names]
                for module in [m for m in subs if _is_module(m)] or [imp.module]:
                    found.add(f"{_rel(path)} -> {module}")
    return found


def test_own_modules_are_imported_at_module_top():
    unexpected = sorted(_local_imports() - set(LOCAL_IMPORTS))
    assert not unexpected, (
        "import these at module top (a function-local import of the package's own "
        f"modules needs a real import cycle, added to LOCAL_IMPORTS): {unexpected}"
    )
    stale = sorted(set(LOCAL_IMPORTS) - _local_imports())
    assert not stale, f"no longer local: remove {stale} from LOCAL_IMPORTS"
