"""Web base-map tiles, end to end, from a tile server on this machine (no internet)."""

from __future__ import annotations

import io
import logging
import re
import socket
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import geopandas as gpd
import numpy as np
import pypdf
import pytest
from shapely.geometry import box

import hotspot as hs
from hotspot.exceptions import InvalidInputError
from hotspot.present.basemap import OFFLINE_NOTE, WEB_DEFAULTS, add_basemap, tile_provider
from hotspot.present.maps import plot_units

pytest.importorskip("contextily")
xyzservices = pytest.importorskip("xyzservices")

TONES = ((198, 219, 239), (222, 235, 247))  # light blue checkerboard, one tone per tile
ATTRIBUTION = "(C) Test tile server"


def _png(tone: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), tone).save(buf, format="PNG")
    return buf.getvalue()


class _TileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Tiles)
        self.requests: list[str] = []
        self.tiles = [_png(t) for t in TONES]

    @property
    def provider(self):
        return xyzservices.TileProvider(
            name="Test.Tiles",
            url=f"http://127.0.0.1:{self.server_address[1]}/{{z}}/{{x}}/{{y}}.png",
            attribution=ATTRIBUTION,
            max_zoom=19,
        )


class _Tiles(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        match = re.fullmatch(r"/(\d+)/(\d+)/(\d+)\.png", self.path)
        if match is None:
            self.send_error(404)
            return
        _, x, y = (int(v) for v in match.groups())
        body = self.server.tiles[(x + y) % 2]
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture
def tile_server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # never send the test's requests to a proxy
    server = _TileServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png"  # nothing listens there now


def _cells() -> gpd.GeoDataFrame:
    """Hot cells on a diagonal of a 2 km square in Memphis (UTM 16N), the rest empty."""
    i = np.arange(10)
    geoms = [box(770000 + 200 * k, 3890000 + 200 * k, 770200 + 200 * k, 3890200 + 200 * k)
             for k in i]
    return gpd.GeoDataFrame({"hotspot_class": ["hot_99"] * 10, "n_incidents": 5 + i},
                            geometry=geoms, crs=32616)


def _tone_share(ax) -> float:
    """Share of the map's pixels that show a tile tone."""
    fig = ax.figure
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    x0, y0, x1, y1 = (int(v) for v in ax.get_window_extent().extents)
    h = img.shape[0]
    part = img[h - y1:h - y0, x0:x1]
    near = [np.abs(part - np.array(t)).max(axis=-1) <= 6 for t in TONES]
    return float(np.mean(near[0] | near[1]))


def test_web_tiles_fetched_drawn_under_the_cells_and_cached(tile_server, tmp_path):
    cells = _cells()
    cache = tmp_path / "tiles"
    ax = plot_units(cells, "hotspot_class")
    note = add_basemap(ax, tile_server.provider, crs=cells.crs, cache=cache)
    assert note == f"Base map: {ATTRIBUTION}."
    fetched = len(tile_server.requests)
    assert fetched > 0
    assert all(re.fullmatch(r"/\d+/\d+/\d+\.png", p) for p in tile_server.requests)
    images = [im for im in ax.images if im.get_gid() == "basemap"]
    assert len(images) == 1
    cells_z = min(c.get_zorder() for c in ax.collections)
    assert images[0].get_zorder() < cells_z  # under the cells
    assert _tone_share(ax) > 0.3  # the tiles show where there are no cells
    assert any(cache.rglob("*.pkl"))  # cached on disk
    # a second run, here a new map with the same cache, makes no request
    ax2 = plot_units(cells, "hotspot_class")
    assert add_basemap(ax2, tile_server.provider, crs=cells.crs, cache=cache) == note
    assert len(tile_server.requests) == fetched
    assert _tone_share(ax2) > 0.3
    # a map closer in than the server's tiles go: the deepest tiles, and no warning
    coarse = xyzservices.TileProvider({**tile_server.provider, "max_zoom": 10})
    ax4 = plot_units(cells.iloc[:2], "hotspot_class")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert add_basemap(ax4, coarse, crs=cells.crs, cache=cache) == note
    assert any(p.startswith("/10/") for p in tile_server.requests)
    # a tile URL template (a force's own tile server) works the same way
    template = tile_server.provider["url"]
    ax3 = plot_units(cells, "hotspot_class")
    assert add_basemap(ax3, template, crs=cells.crs, cache=cache) == (
        "Base map: tiles from " + template.split("/")[2] + "."
    )


def test_tile_server_down_leaves_a_plain_note(tmp_path, caplog, capsys):
    cells = _cells()
    ax = plot_units(cells, "hotspot_class")
    provider = xyzservices.TileProvider(name="Down", url=_closed_port_url(), attribution="x")
    with caplog.at_level(logging.WARNING, logger="hotspot"), warnings.catch_warnings():
        warnings.simplefilter("error")
        note = add_basemap(ax, provider, crs=cells.crs, cache=tmp_path / "tiles")
    assert note == OFFLINE_NOTE
    assert not [im for im in ax.images if im.get_gid() == "basemap"]
    assert "web base map Down not drawn" in caplog.text  # the analyst is told why
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err


def test_web_sources_that_cannot_work_are_named():
    ax = plot_units(_cells(), "hotspot_class")
    with pytest.raises(InvalidInputError, match=r"must hold \{x\}, \{y\} and \{z\}"):
        add_basemap(ax, "https://tiles.example.org/map.png")
    with pytest.raises(InvalidInputError, match="Unknown web base map"):
        add_basemap(ax, "NoSuch.Provider")
    with pytest.raises(InvalidInputError, match="needs an API key"):
        add_basemap(ax, "Thunderforest.OpenCycleMap")
    with pytest.raises(InvalidInputError, match="'url'"):
        add_basemap(ax, {"name": "x"})


def test_web_default_needs_no_key_and_is_reported(caplog):
    with caplog.at_level(logging.INFO, logger="hotspot"):
        provider = tile_provider("web")
    assert provider.name in WEB_DEFAULTS and not provider.requires_token()
    assert f"basemap = {provider.name!r}" in caplog.text
    first = xyzservices.providers.query_name(WEB_DEFAULTS[0])
    if first.requires_token():  # the xyzservices installed asks for a key: said why
        assert f"{WEB_DEFAULTS[0]} needs one" in caplog.text
    else:
        assert provider.name == WEB_DEFAULTS[0]


def _page_text(path) -> str:
    return " ".join(pypdf.PdfReader(str(path)).pages[0].extract_text().split())


@pytest.mark.slow
def test_briefing_prints_the_attribution_or_the_offline_note(tile_server, tmp_path, monkeypatch):
    from hotspot.datasets import sample_path
    from hotspot.present.cli import main

    # the command line, with a tile URL template (a force's own tile server)
    monkeypatch.setenv("HOTSPOT_TILE_CACHE", str(tmp_path / "tiles"))
    url = tile_server.provider["url"]
    code = main(["briefing", str(sample_path("memphis_robberies_2019.csv.gz")),
                 "--out", str(tmp_path / "web.pdf"), "--tz", "America/Chicago",
                 "--top", "1", "--basemap", url])
    assert code == 0 and tile_server.requests
    host = url.split("/")[2]
    assert f"Base map: tiles from {host}." in _page_text(tmp_path / "web.pdf")
    # the function, with the tile server down: a plain note on the page instead
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        memphis = hs.datasets.load_sample("memphis_robberies")
    down = xyzservices.TileProvider(name="Down", url=_closed_port_url(), attribution="x")
    out = hs.briefing(memphis, tmp_path / "down.pdf", basemap=down, top=1,
                      interventions=False, previous=False, tile_cache=tmp_path / "tiles")
    assert OFFLINE_NOTE in _page_text(out)


def test_command_line_checks_the_base_map_before_any_work(tmp_path, capsys, monkeypatch):
    import sys

    from hotspot.datasets import sample_path
    from hotspot.present.basemap import check_basemap
    from hotspot.present.cli import EXIT_BAD_INPUT, main

    args = ["briefing", str(sample_path("memphis_robberies_2019.csv.gz")),
            "--out", str(tmp_path / "pack.pdf"), "--tz", "America/Chicago", "--basemap"]
    assert main([*args, "NoSuch.Provider"]) == EXIT_BAD_INPUT
    assert "Unknown web base map 'NoSuch.Provider'" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "contextily", None)  # the extra not installed
    with pytest.raises(ImportError, match=r"hotspot-crime\[basemap\]"):
        check_basemap("web")
    assert main([*args, "CartoDB.Positron"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert 'pip install "hotspot-crime[basemap]"' in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())  # nothing written
