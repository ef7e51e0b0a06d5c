from __future__ import annotations

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotspot._core.grid import GridSpec, bin_points
from hotspot.exceptions import InvalidInputError
from hotspot.scan.concentration import ConcentrationResult, concentration, gini, gini_generalized


def _gini_brute(x: np.ndarray) -> float:
    """Mean-absolute-difference definition, O(n^2)."""
    x = np.asarray(x, dtype=float)
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean()))


def test_gini_hand_computed():
    # lorenzgini / DescTools examples (biased Gini)
    assert gini([10, 8, 2] + [0] * 7) == pytest.approx(0.78)
    assert gini([5, 2, 1] + [0] * 7) == pytest.approx(0.80)
    assert gini([10] + [0] * 9) == pytest.approx(0.90)
    # |6-2|+|6-1|*2+|2-1|*2 = 16, doubled 32 / (2 * 16 * 2.5) = 0.4
    assert gini([6, 2, 1, 1]) == pytest.approx(0.4)
    assert gini([4, 4, 4, 4]) == 0.0


def test_generalized_gini_hand_computed():
    # Bernasco & Steenbeek: 8 crimes over 10 units
    assert gini_generalized([5, 2, 1] + [0] * 7) == pytest.approx(0.75)
    # as many crimes as units: unchanged
    assert gini_generalized([10, 8, 2] + [0] * 7) == pytest.approx(0.78)
    # maximal equality given the data -> 0
    assert gini_generalized([1, 1, 1, 0, 0, 0]) == 0.0
    # all 3 crimes in one of 6 units: G = 5/6, G' = (6/3) * (5/6 - 1) + 1 = 2/3
    assert gini([3, 0, 0, 0, 0, 0]) == pytest.approx(5 / 6)
    assert gini_generalized([3, 0, 0, 0, 0, 0]) == pytest.approx(2 / 3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=40))
def test_gini_matches_brute_force(values):
    x = np.array(values)
    if x.sum() == 0:
        with pytest.raises(InvalidInputError):
            gini(x)
        return
    assert gini(x) == pytest.approx(_gini_brute(x), abs=1e-12)
    g, n, c = _gini_brute(x), len(x), x.sum()
    assert gini_generalized(x) == pytest.approx(max(1, n / c) * (g - 1) + 1, abs=1e-12)
    assert gini_generalized(x) <= gini(x) + 1e-12


def test_concentration_figures_by_hand():
    counts = [40, 20, 10, 10, 5, 5, 5, 5] + [0] * 12  # 100 incidents, 20 units
    res = concentration(pd.DataFrame({"n_incidents": counts}))
    assert isinstance(res, ConcentrationResult)
    assert res.n_units == 20 and res.n_incidents == 100
    # top 5 % = 1 unit = 40 %; top 10 % = 2 units = 60 %; top 1 % = 0.2 units
    assert res.top_shares[0.05] == pytest.approx(0.40)
    assert res.top_shares[0.10] == pytest.approx(0.60)
    assert res.top_shares[0.01] == pytest.approx(0.08)
    # 25 % of crime within the first unit: 25/40 of one unit of 20
    assert res.units_for_share[0.25] == pytest.approx(25 / 40 / 20)
    # 50 %: 1 unit (40) + half of the second (10 of 20) = 1.5 units
    assert res.units_for_share[0.5] == pytest.approx(1.5 / 20)
    assert res.gini == pytest.approx(_gini_brute(np.array(counts)))
    lor = res.lorenz
    assert list(lor.columns) == ["share_units", "share_crime"]
    assert len(lor) == 21
    assert lor.iloc[0].tolist() == [0.0, 0.0] and lor.iloc[-1].tolist() == [1.0, 1.0]
    assert lor["share_crime"].is_monotonic_increasing
    # Gini = 2 * area between the concentration curve and the diagonal
    area = np.trapezoid(lor["share_crime"], lor["share_units"])
    assert 2 * (area - 0.5) == pytest.approx(res.gini)


def test_ties_do_not_change_figures():
    a = concentration(pd.Series([3, 3, 3, 1, 0]))
    b = concentration(pd.Series([0, 3, 1, 3, 3]))
    assert a.gini == b.gini
    assert a.top_shares == b.top_shares
    assert a.units_for_share == b.units_for_share


def test_series_geodataframe_and_custom_column():
    gdf = gpd.GeoDataFrame(
        {"harm": [10.5, 0.0, 2.5]}, geometry=gpd.points_from_xy([0, 1, 2], [0, 0, 0])
    )
    res = concentration(gdf, "harm", top_shares=(0.5,), shares=(0.8,))
    assert res.n_incidents == 13.0
    assert res.top_shares == {0.5: pytest.approx((10.5 + 0.5 * 2.5) / 13)}
    assert set(res.units_for_share) == {0.8}
    assert "harm" in str(res)


def test_errors_are_clear():
    with pytest.raises(InvalidInputError, match="zero in every unit"):
        concentration(pd.DataFrame({"n_incidents": [0, 0, 0]}))
    with pytest.raises(InvalidInputError, match="no column 'n_incidents'"):
        concentration(pd.DataFrame({"count": [1, 2]}))
    with pytest.raises(InvalidInputError, match="non-negative"):
        concentration(pd.DataFrame({"n_incidents": [1, -2]}))
    with pytest.raises(InvalidInputError, match="non-negative"):
        concentration(pd.DataFrame({"n_incidents": [1, np.nan]}))
    with pytest.raises(InvalidInputError, match="between 0 and 1"):
        concentration(pd.Series([1, 2]), top_shares=(5,))
    with pytest.raises(InvalidInputError, match="no rows"):
        concentration(pd.DataFrame({"n_incidents": []}))


def test_str_and_to_frame():
    res = concentration(pd.Series([50, 30, 10, 5, 5] + [0] * 95))
    text = str(res)
    assert "Gini 0.973" in text
    assert "50% of crime in 1.00% of units" in text
    assert "top 1% of units: 50.0% of crime" in text
    frame = res.to_frame()
    assert frame.shape == (1, 9)
    assert frame.loc[0, "share_top_10pct"] == pytest.approx(1.0)
    assert frame.loc[0, "units_for_25pct"] == pytest.approx(0.005)


def test_plot_is_print_legible():
    matplotlib.use("Agg")
    res = concentration(pd.Series([5, 2, 1] + [0] * 20))  # fewer incidents than units
    ax = res.plot()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Equal spread", "Most even spread possible", "Observed"]
    texts = list(ax.texts)
    assert any("50% of crime" in t.get_text() for t in texts)
    sizes = [t.get_fontsize() for t in texts] + [ax.xaxis.label.get_fontsize()]
    sizes += [t.get_fontsize() for t in ax.get_xticklabels()]
    assert min(sizes) >= 8
    # greyscale-safe: every line is black or grey
    for line in ax.get_lines():
        r, g, b, _ = matplotlib.colors.to_rgba(line.get_color())
        assert r == g == b
    import matplotlib.pyplot as plt

    _fig, given_ax = plt.subplots()
    assert res.plot(ax=given_ax, annotate=False, title="x") is given_ax
    assert given_ax.get_title() == "x"


@pytest.mark.shared_data
def test_law_of_crime_concentration_chicago(shared_data):
    df = pd.read_csv(shared_data / "chicago" / "chicago_aggravated_assaults_2010_2019.csv.gz")
    pts = gpd.GeoSeries(gpd.points_from_xy(df["longitude"], df["latitude"]), crs=4326)
    pts = pts.to_crs(32616)
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    spec = GridSpec.from_bounds((x.min(), y.min(), x.max(), y.max()), 150.0)
    counts, outside = bin_points(spec, x, y)
    assert outside == 0
    all_cells = concentration(pd.Series(counts.ravel()))
    assert all_cells.n_incidents == len(df)
    # ten years of aggravated assaults over 150 m cells of the city's bounding box:
    # half of them in a few percent of the cells (measured: 3.5 %)
    assert 0.01 < all_cells.units_for_share[0.5] < 0.08
    assert 0.002 < all_cells.units_for_share[0.25] < 0.03
    assert 0.8 < all_cells.gini < 0.97
    # one year is sparser than the cells: the generalized Gini corrects downwards
    year = df["date"].str.startswith("2019").to_numpy()
    c2019, _ = bin_points(spec, x[year], y[year])
    sparse = concentration(pd.Series(c2019.ravel()))
    assert sparse.n_incidents < sparse.n_units
    assert sparse.gini_modified < sparse.gini
    assert sparse.gini_modified == pytest.approx(gini_generalized(c2019.ravel()))
