"""hs.explore: a web map that opens on a network without internet, and keeps privacy."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import hotspot as hs
from hotspot.exceptions import InvalidInputError
from hotspot.present.interactive import explore
from hotspot.present.maps import HOTSPOT_CLASS_COLORS

pytest.importorskip("folium")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class _Fetches(HTMLParser):
    """Every URL the browser would fetch on its own: scripts, styles, images, frames."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "embed", "source", "audio", "video"):
            self.urls.append(a.get("src") or "")
        elif tag == "link":
            self.urls.append(a.get("href") or "")
        elif tag == "object":
            self.urls.append(a.get("data") or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:  # CSS pulls files too: @import and url(...)
            self.urls += re.findall(r"""url\(\s*['"]?([^'")\s]+)""", data)
            self.urls += re.findall(r"""@import\s+['"]([^'"]+)""", data)


def _web_fetches(html: str) -> list[str]:
    parser = _Fetches()
    parser.feed(html)
    return [u for u in parser.urls if re.match(r"\s*(https?:)?//", u)]


def _cells(x0: float = 500000, y0: float = 3880000, crs: int = 32616) -> gpd.GeoDataFrame:
    xs, ys = np.meshgrid(x0 + np.arange(6) * 100.0, y0 + np.arange(6) * 100.0)
    n = (np.arange(36) * 7) % 11
    hot95 = (n >= 6) | ((n > 0) & (n < 3))  # some hot cells with 1-2 incidents
    cls = np.where(n >= 8, "hot_99", np.where(hot95, "hot_95", "not_significant"))
    return gpd.GeoDataFrame(
        {"n_incidents": n, "hotspot_class": cls},
        geometry=[box(x, y, x + 100, y + 100) for x, y in zip(xs.ravel(), ys.ravel(), strict=True)],
        crs=crs,
    ).rename_axis("unit_id")


def _hot() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"rank": [1, 2], "n_incidents": [30, 2], "place_name": ["High St", "Mill Ln"]},
        geometry=[box(500000, 3880000, 500200, 3880200), box(500400, 3880400, 500500, 3880500)],
        crs=32616,
    )


def test_saved_map_fetches_nothing_but_tiles(tmp_path):
    pytest.importorskip("offlinefolium")
    inc = gpd.GeoDataFrame(
        {"offence": ["Robbery of a person"] * 2,
         "occurred_at": pd.to_datetime(["2019-02-03 20:00", "2019-02-04 21:00"])},
        geometry=gpd.points_from_xy([500050, 500060], [3880050, 3880060]), crs=32616)
    m = explore(_cells(), _hot(), inc)  # defaults: OpenStreetMap tiles, no incidents
    path = tmp_path / "map.html"
    m.save(str(path))
    html = path.read_text(encoding="utf-8")
    assert _web_fetches(html) == []
    assert "L.map(" in html and "L.geoJson" in html  # Leaflet and the layers are in the page
    # tiles are the one thing left on the internet, and the page says so on its face
    assert "tile.openstreetmap.org/{z}/{x}/{y}" in html
    assert "The base map comes from the internet" in html
    assert "loads the map library" not in html
    meta = m.attrs["hotspot"]["explore"]["choices"]["offline"]
    assert meta["value"] is True and "folium-offline is installed" in meta["reason"]
    # privacy holds: no incident layer unless asked, no statistics under the minimum count
    assert "Incidents" not in html and "2019-02-03" not in html
    assert "Robbery of a person" not in html
    assert "High St" in html and "Mill Ln" not in html
    counts = [int(v) for v in re.findall(r'"n_incidents": (\d+)', html)]
    assert counts and min(counts) >= 3  # cells with 1-2 incidents show no count...
    assert '"n_incidents": "suppressed (\\u003c 3)"' in html  # ...but say why
    # without tiles nothing needs the network, and nothing is said
    html = explore(hotspots=_hot(), tiles=None).get_root().render()
    assert _web_fetches(html) == [] and "hotspot-network-note" not in html


def test_online_map_says_so_and_the_choice_follows_what_is_installed(monkeypatch):
    hot = _hot()
    online = explore(hotspots=hot, tiles=None, offline=False)
    html = online.get_root().render()
    assert any("leaflet" in u for u in _web_fetches(html))
    assert "This map loads the map library from the internet" in html
    assert online.attrs["hotspot"]["explore"]["choices"]["offline"]["value"] is False
    # folium-offline not installed: today's page, with its note, and a reason that says why
    monkeypatch.setitem(sys.modules, "offlinefolium", None)
    m = explore(hotspots=hot)
    assert type(m).__module__.startswith("folium")
    assert "the map library and the base map" in m.get_root().render()
    reason = m.attrs["hotspot"]["explore"]["choices"]["offline"]["reason"]
    assert 'pip install "hotspot-crime[interactive]"' in reason
    with pytest.raises(ImportError, match=r"folium-offline.*hotspot-crime\[interactive\]"):
        explore(hotspots=hot, offline=True)


def test_base_maps_as_on_paper_and_a_forces_own_tile_server():
    url = "https://gis.force.example/tiles/{z}/{x}/{y}.png"
    html = explore(hotspots=_hot(), tiles=url).get_root().render()
    assert url in html and "tiles from gis.force.example" in html
    assert 'id="hotspot-network-note"' in html  # the tiles need a network: said so
    html = explore(hotspots=_hot(), tiles="web").get_root().render()
    assert "{z}/{x}/{y}" in html or "{z}/{y}/{x}" in html
    with pytest.raises(InvalidInputError, match=r"Unknown web base map 'NoSuch\.Tiles'"):
        explore(hotspots=_hot(), tiles="NoSuch.Tiles")


def test_map_given_keeps_its_flavour_and_one_note():
    import folium

    m = folium.Map(tiles=None)
    explore(hotspots=_hot(), m=m)
    explore(units=_cells(), m=m)  # a second call adds layers, not a second note
    html = m.get_root().render()
    assert html.count('id="hotspot-network-note"') == 1
    assert "loads the map library" in html
    with pytest.raises(InvalidInputError, match="contradicts the map given"):
        explore(hotspots=_hot(), m=m, offline=True)


def test_other_crs_empty_hotspots_and_nothing_standing_out(tmp_path):
    pytest.importorskip("offlinefolium")
    # British National Grid, as a UK force exports it; no hotspot found
    cells = _cells(430000, 433000, crs=27700)  # Leeds
    none = _hot().iloc[:0].set_crs(27700, allow_override=True)
    m = explore(cells, none, tiles=None)
    lat, lon = m.location
    assert 53.7 < lat < 53.9 and -1.7 < lon < -1.4  # framed on the cells
    path = tmp_path / "bng.html"
    m.save(str(path))
    html = path.read_text(encoding="utf-8")
    assert _web_fetches(html) == [] and "Units: hotspot_class" in html
    # every cell in the background: no unit layer, still a page that opens offline
    flat = cells.assign(hotspot_class="not_significant")
    hot = gpd.GeoDataFrame({"rank": [1], "n_incidents": [9]},
                           geometry=[cells.geometry.iloc[0]], crs=27700)
    html = explore(flat, hot, tiles=None).get_root().render()
    assert "Units: hotspot_class" not in html and "Hotspots" in html
    assert _web_fetches(html) == []
    with pytest.raises(InvalidInputError, match="every layer given is empty"):
        explore(hotspots=none)


def _screenshot(html_path: Path, png: Path) -> None:
    """Headless Chromium with every request off this machine refused."""
    profile = tempfile.mkdtemp()
    try:
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
             "--host-resolver-rules=MAP * ~NOTFOUND", "--hide-scrollbars",
             f"--screenshot={png}", "--window-size=800,600", f"--user-data-dir={profile}",
             html_path.as_uri()],
            check=True, capture_output=True, timeout=60,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def _hot_pixels(png: Path) -> int:
    """Pixels of the 99 % hot spot red seen through the layer's 75 % opacity."""
    from matplotlib.colors import to_rgb
    from PIL import Image

    img = np.asarray(Image.open(png).convert("RGB"), dtype=float)
    red = np.array(to_rgb(HOTSPOT_CLASS_COLORS["hot_99"])) * 255
    # over Leaflet's plain grey (#ddd) background: 0.75 * colour + 0.25 * grey
    seen = 0.75 * red + 0.25 * 221
    return int((np.abs(img - seen).max(axis=-1) < 12).sum())


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed: cannot open the page")
def test_real_map_renders_in_a_browser_without_network(shared_data, tmp_path):
    pytest.importorskip("offlinefolium")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.read_incidents(shared_data / "memphis" / "memphis_robberies_2019.csv.gz",
                                tz="America/Chicago")
    cells, spots = hs.pipeline.scan(inc)
    assert (cells["hotspot_class"] == "hot_99").any()
    offline = explore(cells, spots)  # with tiles: the tiles fail, the cells show
    offline.save(str(tmp_path / "offline.html"))
    _screenshot(tmp_path / "offline.html", tmp_path / "offline.png")
    assert _hot_pixels(tmp_path / "offline.png") > 30
    # the same map loading Leaflet from the internet stays blank here: the network is off
    explore(cells, spots, offline=False).save(str(tmp_path / "online.html"))
    _screenshot(tmp_path / "online.html", tmp_path / "online.png")
    assert _hot_pixels(tmp_path / "online.png") == 0
