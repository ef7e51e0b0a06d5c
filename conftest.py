"""Doctest namespace: every docstring example may use ``hs``, ``np``, ``pd`` and ``gpd``."""

import geopandas
import matplotlib
import numpy
import pandas
import pytest

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    import hotspot

    doctest_namespace.update(hs=hotspot, np=numpy, pd=pandas, gpd=geopandas)
