"""Beyond one machine: read incident datasets on Dask and reduce them to grids.

Everything that touches incidents runs partition by partition where the data lives
(on a ``dask.distributed`` cluster or the local threaded scheduler), with the same
in-memory functions as the rest of the library; everything after the grid (FFT KDE,
Gi*, hotspots, concentration) runs in memory on the reduced grid. Needs the optional
extra: ``pip install 'hotspot-crime[dask]'``.

Examples
--------
>>> import hotspot as hs  # doctest: +SKIP
>>> from dask.distributed import Client  # doctest: +SKIP
>>> client = Client("tcp://scheduler:8786")  # doctest: +SKIP
>>> ddf = hs.scale.read_incidents("police_uk/*/*-street.csv")  # doctest: +SKIP
>>> cells = hs.scale.grid(ddf, 100)  # doctest: +SKIP
>>> counted = hs.scale.count(ddf, cells)  # doctest: +SKIP
>>> hs.ingest_report(counted).rows_read  # doctest: +SKIP
"""

from hotspot.scale import reduce
from hotspot.scale.read import ingest_report, read_incidents, write_incidents
from hotspot.scale.reduce import *  # noqa: F403 (the names of reduce.__all__)

__all__ = ["ingest_report", "read_incidents", "write_incidents", *reduce.__all__]
