"""The documentation site covers the whole public API, and every public name has an example.

Building the site (``make docs``: Sphinx with warnings as errors, notebooks executed) is
CI's job; these fast checks catch the commonest ways to break it earlier.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import types
from pathlib import Path

import pytest

import hotspot

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _conf():
    spec = importlib.util.spec_from_file_location("hotspot_docs_conf", DOCS / "conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _public_objects():
    for name in hotspot.__all__:
        obj = getattr(hotspot, name)
        if isinstance(obj, types.ModuleType):
            for member in getattr(obj, "__all__", []):
                sub = getattr(obj, member)
                if inspect.isfunction(sub) or inspect.isclass(sub):
                    yield f"{name}.{member}", sub
        elif inspect.isfunction(obj) or inspect.isclass(obj):
            yield name, obj


def test_api_reference_lists_every_public_name():
    text = _conf().api_text()
    listed = set(re.findall(r"^   (\S+)$", text, flags=re.M))
    missing = sorted(name for name, _ in _public_objects() if name not in listed)
    assert not missing, f"not in the API reference: {missing}"


def _callables():
    """Public functions and classes; exceptions and warnings document a use, not a call."""
    return [(n, o) for n, o in _public_objects()
            if not (inspect.isclass(o) and issubclass(o, (Exception, Warning)))]


@pytest.mark.parametrize("name,obj", _callables(), ids=lambda v: str(v)[:40])
def test_public_name_has_docstring_with_example(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{name} has no docstring"
    if inspect.isclass(obj) and not hasattr(obj, "fit"):
        return  # a result container: the function that returns it carries the example
    assert re.search(r"^Examples\n-{8}", doc, flags=re.M), f"{name}'s docstring has no Examples"


def test_every_notebook_is_in_the_examples_page():
    index = (DOCS / "examples" / "index.md").read_text()
    notebooks = sorted((DOCS.parent / "notebooks").glob("[0-9]*.ipynb"))
    assert notebooks
    missing = [nb.stem for nb in notebooks if nb.stem not in index]
    assert not missing, f"add to docs/examples/index.md: {missing}"
