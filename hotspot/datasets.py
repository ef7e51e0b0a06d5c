"""Small real police data sets shipped with :mod:`hotspot` (see ``data/sample/README.md``).

``load_sample(name)`` returns each data set ready to use: incidents through
:func:`hotspot.read_incidents` (projected to metres, with an ingest report), polygons
and context layers projected to the same local UTM zone as that city's incidents.

=============================  =====================================================
name                           contents
=============================  =====================================================
``memphis_robberies``          2,245 personal robberies, Memphis TN, 2019
``memphis_precincts``          9 Memphis Police Department precinct polygons
``memphis_population``         10,393 census-block centroids with 2020 population
``chicago_assaults``           19,631 aggravated assaults, Chicago, 2012-04 – 2013-07
``chicago_districts``          23 Chicago police districts (multi-part ones dissolved)
``chicago_outages``            33,580 street/alley-light outage reports, 2012-04 – 2013-07
``west_yorkshire``             31,635 police.uk street-level crimes, West Yorkshire, 2018-07
=============================  =====================================================
"""

from __future__ import annotations

import functools
import os
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from hotspot.exceptions import DataQualityWarning, InvalidInputError, SourceNotFoundError
from hotspot.ingest.incidents import read_incidents
from hotspot.respond.patrol import read_outages

__all__ = ["SAMPLES", "load_sample", "sample_path"]

SAMPLES: dict[str, str] = {
    "memphis_robberies": "2,245 personal robberies, Memphis TN, 2019 (Crime Open Database)",
    "memphis_precincts": "9 Memphis Police Department precinct polygons",
    "memphis_population": "10,393 census-block centroids with 2020 population (US Census)",
    "chicago_assaults": "19,631 aggravated assaults, Chicago, 2012-04-01 – 2013-07-31",
    "chicago_districts": "Chicago police district polygons (City of Chicago, as of 2018)",
    "chicago_outages": "33,580 street- and alley-light outage 311 reports, Chicago 2012–2013",
    "west_yorkshire": "31,635 police.uk street-level crimes, West Yorkshire, July 2018",
}


def sample_path(filename: str = "") -> Path:
    """Return the folder holding the sample files (or one file in it).

    The folder is ``data/sample`` in a source checkout, ``hotspot/_sample_data``
    in an installed wheel, or the folder named by ``HOTSPOT_SAMPLE_DATA``.

    Examples
    --------
    >>> from hotspot.datasets import sample_path
    >>> sample_path("memphis_robberies_2019.csv.gz").name
    'memphis_robberies_2019.csv.gz'
    """
    here = Path(__file__).resolve().parent
    candidates = [here / "_sample_data", here.parent / "data" / "sample"]
    if os.environ.get("HOTSPOT_SAMPLE_DATA"):
        candidates.insert(0, Path(os.environ["HOTSPOT_SAMPLE_DATA"]))
    for folder in candidates:
        if (folder / "memphis_robberies_2019.csv.gz").exists():
            return folder / filename if filename else folder
    msg = (
        "the sample data folder was not found (looked in "
        + ", ".join(map(str, candidates))
        + "). Reinstall hotspot-crime or set HOTSPOT_SAMPLE_DATA to data/sample."
    )
    raise SourceNotFoundError(msg)


def load_sample(name: str) -> gpd.GeoDataFrame:
    """Load a shipped sample data set, projected to metres and ready to use.

    Parameters
    ----------
    name
        One of the keys of :data:`SAMPLES` (see the module docstring).

    Returns
    -------
    geopandas.GeoDataFrame
        Incidents (from :func:`hotspot.read_incidents`, with their ingest report),
        or polygons / points in the same CRS as the city's incidents: the local UTM
        zone that :func:`hotspot.read_incidents` chose for them (EPSG:32616 for
        Memphis and Chicago, EPSG:32630 for West Yorkshire).

    Raises
    ------
    hotspot.InvalidInputError
        If ``name`` is not a known sample.

    Examples
    --------
    >>> robberies = hs.datasets.load_sample("memphis_robberies")
    >>> len(robberies), robberies.crs.to_epsg()
    (2245, 32616)
    """
    loaders = {
        "memphis_robberies": _memphis_robberies,
        "memphis_precincts": _memphis_precincts,
        "memphis_population": _memphis_population,
        "chicago_assaults": _chicago_assaults,
        "chicago_districts": _chicago_districts,
        "chicago_outages": _chicago_outages,
        "west_yorkshire": _west_yorkshire,
    }
    if name not in loaders:
        msg = f"unknown sample {name!r}; choose one of: {', '.join(SAMPLES)}."
        raise InvalidInputError(msg)
    return loaders[name]()


def _incidents(filename: str, **kwargs: object) -> gpd.GeoDataFrame:
    # the CRS is the one ingest chose (local UTM zone), never re-projected here
    return read_incidents(sample_path(filename), **kwargs)


@functools.cache
def _city_crs(city: str) -> Any:
    """CRS of the city's incidents sample, shared by the city's other layers."""
    main = {"memphis": _memphis_robberies, "chicago": _chicago_assaults}[city]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return main().crs


def _memphis_robberies() -> gpd.GeoDataFrame:
    return _incidents("memphis_robberies_2019.csv.gz", datetime="date", tz="America/Chicago")


def _memphis_population() -> gpd.GeoDataFrame:
    df = pd.read_csv(sample_path("memphis_population_blocks_2020.csv.gz"), dtype={"geoid": str})
    points = gpd.points_from_xy(df["longitude"], df["latitude"], crs="EPSG:4326")
    gdf = gpd.GeoDataFrame(df, geometry=points)
    return gdf.to_crs(_city_crs("memphis"))


def _memphis_precincts() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(sample_path("memphis_precincts.geojson"))
    return gdf.to_crs(_city_crs("memphis"))


def _chicago_assaults() -> gpd.GeoDataFrame:
    assaults = _incidents(
        "chicago_aggravated_assaults_2012_2013.csv.gz",
        datetime="date",
        tz="America/Chicago",
    )
    # every row of the source is a NIBRS 13A aggravated assault (data/sample/README.md)
    assaults["offence"] = pd.Categorical(["aggravated assault"] * len(assaults))
    return assaults


def _chicago_districts() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(sample_path("chicago_police_districts.geojson"))
    gdf = gdf.dissolve(by="district", as_index=False)
    return gdf.to_crs(_city_crs("chicago")).set_index("district", drop=False)


def _chicago_outages() -> gpd.GeoDataFrame:
    files = ["street_lights_all_out", "street_lights_one_out", "alley_lights_out"]
    return read_outages([sample_path(f"{f}.csv.gz") for f in files], crs=_city_crs("chicago"))


def _west_yorkshire() -> gpd.GeoDataFrame:
    return _incidents("2018-07-west-yorkshire-street.csv.gz")
