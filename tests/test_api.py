"""The public API: one name per concept, one argument order, old names still accepted."""

from __future__ import annotations

import inspect
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import hotspot as hs
from hotspot._core.deprecation import (
    areas_before_points,
    path_before_data,
    renamed_arguments,
    reordered_arguments,
)
from hotspot._core.grid import GridSpec, grid_frame
from hotspot.analyse.emerging import _SFH_CATEGORIES, EMERGING_CATEGORIES
from hotspot.exceptions import InvalidInputError

CRS = 32616
TZ = "America/Chicago"


# ----------------------------------------------------------------- the shared helpers


def test_renamed_argument_warns_and_maps_the_value():
    @renamed_arguments(old="new", conf=("alpha", lambda c: round(1 - c, 12), "alpha = 1 - conf"))
    def f(*, new=1, alpha=0.05):
        return new, alpha

    with pytest.warns(FutureWarning, match="`old` is renamed `new`"):
        assert f(old=7) == (7, 0.05)
    with pytest.warns(FutureWarning, match=r"alpha = 1 - conf"):
        assert f(conf=0.9) == (1, 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert f(new=3, alpha=0.2) == (3, 0.2)  # new names: silent
    with pytest.raises(TypeError, match="pass only `new`"):
        f(old=1, new=2)
    assert f.__name__ == "f" and "alpha" in inspect.signature(f).parameters


def test_reordered_arguments_puts_old_calls_in_the_new_order():
    @reordered_arguments("folder", "incidents", "areas", old_order=path_before_data)
    def g(incidents, areas, folder, *, name=None):
        return incidents, areas, folder, name

    inc, areas = object(), object()
    with pytest.warns(FutureWarning, match=r"order \(incidents, areas, folder"):
        assert g("out", inc, areas, name="x") == (inc, areas, "out", "x")
    with pytest.warns(FutureWarning):
        assert g("out", inc, areas=areas) == (inc, areas, "out", None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert g(inc, areas, "out") == (inc, areas, "out", None)


def test_order_detectors():
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 1], [0, 1]), crs=CRS)
    polys = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=CRS)
    assert areas_before_points(polys, pts)
    assert not areas_before_points(pts, polys)
    assert not areas_before_points(polys.iloc[:0], pts)  # empty: no guess
    assert path_before_data("a.pdf", pts) and not path_before_data(pts, "a.pdf")


# ----------------------------------------------------------------- signatures


def _public_functions():
    for name in hs.__all__:
        obj = getattr(hs, name)
        if inspect.isfunction(obj):
            yield name, obj


def test_every_public_function_has_a_return_annotation():
    missing = [n for n, f in _public_functions()
               if inspect.signature(f).return_annotation is inspect.Signature.empty]
    assert missing == []
    for f in (hs.gi_star, hs.local_moran, hs.kde):
        assert inspect.signature(f).return_annotation == "gpd.GeoDataFrame"


def test_incidents_come_before_units_and_hotspots():
    # where incidents are a required input they come first; maps draw their first
    # argument and take incidents only as an optional overlay (explore, plot_hotspots)
    later = {"units", "hotspots", "areas", "path", "folder"}
    wrong = []
    for name, f in _public_functions():
        sig = inspect.signature(f)
        params = list(sig.parameters)
        if "incidents" not in params or sig.parameters["incidents"].default is not sig.empty:
            continue
        if params.index("incidents") > 0:
            before = set(params[: params.index("incidents")])
            if before & later:
                wrong.append(name)
    assert wrong == []


def test_one_name_per_concept():
    old = {"critical_p", "conf", "confidence", "interval", "patrol_hours"}
    shares = {"hotspots", "concentration"}  # took `top` as a share before
    for name, f in _public_functions():
        params = set(inspect.signature(f).parameters)
        assert not params & old, name
        assert name not in shares or "top" not in params, name
    # officer-hours per week are named so wherever they are an input
    for f in (hs.briefing, hs.patrol_plan):
        assert "officer_hours_per_week" in inspect.signature(f).parameters
    # a duration is not called `period` (a period is a (start, end) pair)
    assert "observed_duration" in inspect.signature(hs.score_interventions).parameters
    # `top` counts hotspots (briefing, maps); a share of area or of units says so
    assert "top_share" in inspect.signature(hs.hotspots).parameters
    assert "top_shares" in inspect.signature(hs.concentration).parameters


def test_category_spellings_agree():
    for cat in [*_SFH_CATEGORIES, *EMERGING_CATEGORIES]:
        assert "hotspot" not in cat and "coldspot" not in cat, cat
    assert "no pattern detected" in _SFH_CATEGORIES
    assert "no pattern detected" in EMERGING_CATEGORIES
    assert set(_SFH_CATEGORIES) & set(EMERGING_CATEGORIES) >= {"persistent hot spot"}


# ----------------------------------------------------------------- hotspots() index


def test_hotspots_have_hotspot_id_as_a_column_only():
    cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 4, 3), "EPSG:32616")
    cells["n_incidents"] = [9, 8, 0, 0, 7, 0, 0, 0, 0, 0, 0, 5]
    cells["hotspot_class"] = np.where(cells["n_incidents"] >= 5, "hot_99", "not_significant")
    hot = hs.hotspots(cells)
    assert isinstance(hot.index, pd.RangeIndex) and hot.index.name is None
    assert hot["hotspot_id"].tolist() == [1, 2]
    # the operations that raised pandas' "ambiguous" error now work
    assert hot.groupby("hotspot_id")["n_incidents"].sum().tolist() == [24, 5]
    scores = pd.DataFrame({"hotspot_id": [2, 1], "x": [0.5, 1.5]})
    assert hot.merge(scores, on="hotspot_id")["x"].tolist() == [1.5, 0.5]


# ----------------------------------------------------------------- old names still work


def _incidents(n: int = 400, seed: int = 0) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    hot = rng.random(n) < 0.6
    x = np.where(hot, rng.uniform(200, 400, n), rng.uniform(0, 1000, n))
    y = np.where(hot, rng.uniform(200, 400, n), rng.uniform(0, 1000, n))
    t = pd.Timestamp("2024-01-01", tz=TZ) + pd.to_timedelta(rng.uniform(0, 365, n), unit="D")
    return gpd.GeoDataFrame({"occurred_at": t, "time_quality": "exact"},
                            geometry=gpd.points_from_xy(x + 440_000, y + 4_640_000), crs=CRS)


def _hot() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"hotspot_id": [1, 2], "rank": [1, 2]},
        geometry=[box(440_200, 4_640_200, 440_400, 4_640_400),
                  box(440_600, 4_640_600, 440_800, 4_640_800)],
        crs=CRS,
    )


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))


def test_old_significance_names_warn_and_agree():
    inc = _incidents()
    with pytest.warns(FutureWarning, match="`confidence` is renamed `alpha`"):
        old = hs.nnh(inc, confidence=0.9, min_points=5)
    _same(old, hs.nnh(inc, alpha=0.1, min_points=5))
    with pytest.warns(FutureWarning, match="`conf` is renamed `alpha`"):
        old = hs.dark_share(inc, conf=0.9)
    _same(old, hs.dark_share(inc, alpha=0.1))
    with pytest.warns(FutureWarning, match="`conf` is renamed `alpha`"):
        old = hs.relative_effect_size(100, 60, 200, 190, conf=0.9)
    new = hs.relative_effect_size(100, 60, 200, 190, alpha=0.1)
    assert old == new and new.conf == pytest.approx(0.9)
    cells = grid_frame(GridSpec(440_000.0, 4_640_000.0, 200.0, 5, 5), "EPSG:32616")
    with pytest.warns(FutureWarning, match="`critical_p` is renamed `alpha`"):
        old = hs.classify_hotspots(inc, cells, freq="Q", critical_p=0.1)
    _same(old, hs.classify_hotspots(inc, cells, freq="Q", alpha=0.1))


def test_score_interventions_old_order_and_names_warn_and_agree():
    inc, hot = _incidents(), _hot()
    kw = {"interventions": ["hot_spots_patrol"], "simulations": 500, "random_state": 0}
    with pytest.warns(FutureWarning) as rec:
        old = hs.score_interventions(hot, inc, period="365D", interval=0.8, patrol_hours=6, **kw)
    text = " ".join(str(w.message) for w in rec)
    for name in ("observed_duration", "alpha", "patrol_hours_per_day", "(incidents, hotspots"):
        assert name in text
    new = hs.score_interventions(inc, hot, observed_duration="365D", alpha=0.2,
                                 patrol_hours_per_day=6, **kw)
    _same(old, new)


def test_patrol_plan_and_lighting_audit_old_order_warn_and_agree():
    inc, hot = _incidents(), _hot()
    with pytest.warns(FutureWarning, match=r"\(incidents, hotspots"):
        old = hs.patrol_plan(hot, inc, officer_hours_per_week=2, random_state=0)
    _same(old, hs.patrol_plan(inc, hot, officer_hours_per_week=2, random_state=0))
    with pytest.warns(FutureWarning, match=r"\(incidents, hotspots"):
        old = hs.lighting_audit(hot, inc, n_lights=2)
    _same(old.hotspots, hs.lighting_audit(inc, hot, n_lights=2).hotspots)


def test_briefing_old_order_and_patrol_hours_are_mapped(tmp_path):
    # the call fails fast on the paper size *after* the arguments are mapped: with the
    # old order unmapped it would fail on the path instead
    inc = _incidents()
    with pytest.warns(FutureWarning) as rec, pytest.raises(InvalidInputError, match="paper"):
        hs.briefing(tmp_path / "b.pdf", inc, patrol_hours=4, paper="B5")
    text = " ".join(str(w.message) for w in rec)
    assert "officer_hours_per_week" in text and "(incidents, path" in text
    areas = gpd.GeoDataFrame({"name": ["a"]}, geometry=[box(0, 0, 1, 1)], crs=CRS)
    with pytest.warns(FutureWarning, match=r"\(incidents, areas, folder"), \
            pytest.raises(InvalidInputError, match="no column 'district'"):
        hs.briefings(tmp_path, inc, areas, name_column="district")


def test_map_period_is_a_start_end_pair_or_text():
    import matplotlib.pyplot as plt

    from hotspot.present.furniture import add_map_furniture

    fig, ax = hs.new_map_figure()
    ax.set_xlim(0, 5000)
    ax.set_ylim(0, 7000)
    add_map_furniture(ax, title="Robbery", period=("2019-01-01", "2019-12-31"))
    texts = [t.get_text() for t in ax.texts]
    assert "Period: 1 Jan – 31 Dec 2019" in texts
    with pytest.raises(InvalidInputError, match="pair of dates"):
        add_map_furniture(ax, period=("2019-01-01", "not a date"))
    plt.close(fig)


def test_top_as_a_share_warns_and_agrees():
    cells = grid_frame(GridSpec(0.0, 0.0, 100.0, 4, 3), "EPSG:32616")
    cells["n_incidents"] = [9, 8, 0, 0, 7, 0, 0, 0, 0, 0, 0, 5]
    with pytest.warns(FutureWarning, match="`top` is renamed `top_share`"):
        old = hs.hotspots(cells, method="count", top=0.25)
    _same(old, hs.hotspots(cells, method="count", top_share=0.25))
    with pytest.warns(FutureWarning, match="`top` is renamed `top_shares`"):
        old = hs.concentration(cells, top=(0.1,))
    assert old.top_shares == hs.concentration(cells, top_shares=(0.1,)).top_shares


def test_prospective_metric_was_distance():
    from sklearn.base import clone

    with pytest.warns(FutureWarning, match="`distance` is renamed `metric`"):
        old = hs.ProspectiveHotspot(space_bandwidth=3, distance="manhattan")
    assert old.metric == "manhattan" and "distance" not in old.get_params()
    assert clone(old).get_params() == old.get_params()
    np.testing.assert_array_equal(
        old.stencil(), hs.ProspectiveHotspot(space_bandwidth=3, metric="manhattan").stencil()
    )


def test_cli_officer_hours_per_week_and_the_earlier_flag():
    from hotspot.present.cli import _parser

    for flag in ("--officer-hours-per-week", "--patrol-hours"):
        args = _parser().parse_args(["analyze", "in.csv", "--out", "o", flag, "3"])
        assert args.officer_hours_per_week == 3.0
