"""Shared fixtures.

Tests marked ``shared_data`` read the real police data in ``../shared/data`` (or the
folder named by ``HOTSPOT_SHARED_DATA``). A user's clone has no such folder: the tests
skip with a reason. CI sets ``HOTSPOT_REQUIRE_SHARED_DATA=1``, which turns the skip
into a failure so that the real-data tests always run there.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("HOTSPOT_SHARED_DATA", REPO.parent / "shared" / "data"))
REQUIRE_SHARED = os.environ.get("HOTSPOT_REQUIRE_SHARED_DATA", "") not in ("", "0")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of the real police data folder; skip (or fail in CI) when it is absent."""
    if not (SHARED_DATA / "README.md").exists():
        msg = (
            f"real police data not found at {SHARED_DATA}; set HOTSPOT_SHARED_DATA "
            "to the folder holding chicago/, memphis/ and west_yorkshire/"
        )
        if REQUIRE_SHARED:
            pytest.fail(msg + " (HOTSPOT_REQUIRE_SHARED_DATA is set)")
        pytest.skip(msg)
    return SHARED_DATA


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240101)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def saved_figures(monkeypatch):
    """The matplotlib figures of every PDF page saved during the test, in order."""
    from matplotlib.backends.backend_pdf import PdfPages

    figures = []
    save = PdfPages.savefig

    def keep(self, figure=None, **kw):
        figures.append(figure)
        return save(self, figure, **kw)

    monkeypatch.setattr(PdfPages, "savefig", keep)
    return figures
