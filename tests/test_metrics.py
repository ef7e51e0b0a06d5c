"""Tests of hotspot.metrics on hand-computed examples (ties, unequal areas, zero crime)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from hotspot.assess.metrics import (
    coverage_curve,
    flag_weights,
    hit_rate,
    pai,
    pei,
    pei_star,
    rri,
    skill,
)
from hotspot.exceptions import DataQualityWarning, InvalidInputError

SCORES = np.array([4.0, 3.0, 2.0, 1.0])
OBS = np.array([5.0, 0.0, 3.0, 2.0])


def test_hand_computed_equal_areas():
    # top 1 of 4 units: 5 of 10 incidents on 25 % of the area
    assert hit_rate(SCORES, OBS, coverage=0.25) == pytest.approx(0.5)
    assert pai(SCORES, OBS, coverage=0.25) == pytest.approx(2.0)
    assert pei(SCORES, OBS, coverage=0.25) == pytest.approx(1.0)  # the oracle also takes unit 0
    # top 2: units 0, 1 hold 5; the oracle takes units 0, 2 -> 8
    assert hit_rate(SCORES, OBS, coverage=0.5) == pytest.approx(0.5)
    assert pai(SCORES, OBS, coverage=0.5) == pytest.approx(1.0)
    assert pei(SCORES, OBS, coverage=0.5) == pytest.approx(5 / 8)
    # everything flagged: hit rate 1, PAI 1, PEI 1
    assert skill(SCORES, OBS, coverage=1.0)["hit_rate"] == pytest.approx(1.0)
    assert pai(SCORES, OBS, coverage=1.0) == pytest.approx(1.0)


def test_flagged_mask_equals_coverage_selection():
    mask = np.array([True, True, False, False])
    assert pai(None, OBS, flagged=mask) == pytest.approx(pai(SCORES, OBS, coverage=0.5))
    assert pei(None, OBS, flagged=mask) == pytest.approx(5 / 8)
    assert hit_rate(None, OBS, flagged=[True, False, True, False]) == pytest.approx(0.8)


def test_ties_are_fractional_and_order_free():
    scores = np.array([5.0, 3.0, 3.0, 3.0, 1.0])
    obs = np.array([1.0, 6.0, 0.0, 0.0, 3.0])
    # 40 % of 5 equal units = 2 units: unit 0 plus 1/3 of the 3-unit tie block
    w = flag_weights(scores, coverage=0.4)
    np.testing.assert_allclose(w, [1, 1 / 3, 1 / 3, 1 / 3, 0])
    expected_hits = (1 + 6 / 3) / 10
    assert hit_rate(scores, obs, coverage=0.4) == pytest.approx(expected_hits)
    assert pai(scores, obs, coverage=0.4) == pytest.approx(expected_hits / 0.4)
    # the result does not depend on where the tied units sit in the input
    perm = np.array([3, 1, 4, 0, 2])
    assert hit_rate(scores[perm], obs[perm], coverage=0.4) == pytest.approx(expected_hits)
    # oracle: 2 units by density -> units 1 and 4 -> 9 incidents
    assert pei(scores, obs, coverage=0.4) == pytest.approx(3 / 9)


def test_tie_weights_sum_to_requested_area_with_unequal_areas():
    scores = np.array([9.0, 5.0, 5.0, 1.0])
    area = np.array([10.0, 20.0, 40.0, 30.0])  # total 100
    obs = np.array([2.0, 4.0, 2.0, 2.0])
    w = flag_weights(scores, area, coverage=0.4)
    # 10 m² whole, then 30 m² of the 60 m² tie block -> f = 0.5 for both tied units
    np.testing.assert_allclose(w, [1, 0.5, 0.5, 0])
    assert float(np.sum(w * area)) == pytest.approx(40.0)
    n = 2 + 0.5 * (4 + 2)
    assert hit_rate(scores, obs, area, coverage=0.4) == pytest.approx(n / 10)
    assert pai(scores, obs, area, coverage=0.4) == pytest.approx((n / 10) / 0.4)
    # oracle by density: unit 0 (0.2/m²), unit 1 (0.2/m²) -> 30 m², then 10 m² of unit 3
    # (0.0667/m²) or unit 2 (0.05/m²): unit 3 -> 2 + 4 + 2 * 10/30
    n_max = 2 + 4 + 2 * 10 / 30
    assert pei(scores, obs, area, coverage=0.4) == pytest.approx(n / n_max)


def test_straddling_unit_is_fractional():
    # 3 equal units, 50 % coverage = 1.5 units -> unit 0 whole + half of unit 1
    w = flag_weights([3.0, 2.0, 1.0], coverage=0.5)
    np.testing.assert_allclose(w, [1.0, 0.5, 0.0])


def test_perfect_forecast_bounds():
    rng = np.random.default_rng(1)
    obs = rng.poisson(0.3, size=400).astype(float)
    for c in (0.01, 0.05, 0.2):
        assert pei(obs, obs, coverage=c) == pytest.approx(1.0)
        # PAI of the perfect map = PAI_max <= 1 / coverage
        assert pai(obs, obs, coverage=c) <= 1 / c + 1e-9
    # when all incidents fit in the flagged area, the perfect PAI is exactly 1 / coverage
    obs = np.zeros(100)
    obs[:3] = [4, 2, 1]
    assert pai(obs, obs, coverage=0.05) == pytest.approx(20.0)
    assert pei(obs, obs, coverage=0.05) == pytest.approx(1.0)
    # ... and PEI* counts only the 3 units the oracle needs out of 5
    assert pei_star(obs, obs, coverage=0.05) == pytest.approx(3 / 5)


def test_pei_star_equals_pei_when_oracle_area_is_full():
    assert pei_star(SCORES, OBS, coverage=0.5) == pytest.approx(pei(SCORES, OBS, coverage=0.5))
    scores = np.arange(8, 0, -1.0)
    obs = np.array([1.0, 0, 0, 0, 0, 0, 0, 0])
    assert pei(scores, obs, coverage=0.5) == pytest.approx(1.0)
    assert pei_star(scores, obs, coverage=0.5) == pytest.approx(0.25)


def test_random_ranking_pai_is_about_one():
    rng = np.random.default_rng(7)
    obs = rng.poisson(rng.gamma(0.5, 2.0, size=5000)).astype(float)
    pais = [pai(rng.random(5000), obs, coverage=0.1) for _ in range(50)]
    assert np.mean(pais) == pytest.approx(1.0, abs=0.05)


def test_rri_levine_and_predicted():
    base = np.array([10.0, 5.0, 3.0, 2.0])
    obs = np.array([6.0, 2.0, 1.0, 1.0])
    # flagged unit 0: 10 -> 6 while the total went 20 -> 10: (6/10) / (10/20) = 1.2
    assert rri([3, 2, 1, 0], obs, baseline=base, coverage=0.25) == pytest.approx(1.2)
    # same change inside as outside -> 1
    assert rri([3, 2, 1, 0], base / 2, baseline=base, coverage=0.5) == pytest.approx(1.0)
    # ptools' definition: predicted / observed in the flagged units
    pred = np.array([8.0, 4.0, 4.0, 2.0])
    val = rri(pred, obs, coverage=0.25, definition="predicted")
    assert val == pytest.approx(8 / 6)
    # without a baseline the Levine RRI is undefined
    assert np.isnan(rri([3, 2, 1, 0], obs, coverage=0.25))
    with pytest.raises(InvalidInputError, match="definition"):
        rri([3, 2, 1, 0], obs, coverage=0.25, definition="nope")


def test_ptools_reference_example():
    # ptools tests/testthat/test-pai.R: obs (6, 3, 0), pred (3, 2, 1), unit areas:
    # PAI at 1, 2, 3 units = 2, 1.5, 1 and PEI = 1, 1, 1
    obs = np.array([6.0, 3.0, 0.0])
    pred = np.array([3.0, 2.0, 1.0])
    curve = coverage_curve(pred, obs, coverages=[1 / 3, 2 / 3, 1.0])
    np.testing.assert_allclose(curve["pai"], [2.0, 1.5, 1.0])
    np.testing.assert_allclose(curve["pei"], [1.0, 1.0, 1.0])
    # ptools RRI = cumsum(pred) / cumsum(obs)
    np.testing.assert_allclose(
        [rri(pred, obs, coverage=c, definition="predicted") for c in (1 / 3, 2 / 3)],
        [3 / 6, 5 / 9],
    )


def test_ptools_tie_rule_differs_only_inside_a_tie_block():
    # ptools::pai example: obs (6,7,3,2,1,0), pred (8,4,4,2,1,0). ptools breaks the tie
    # (pred 4, 4) by ascending count (pessimistic): 2 units hold 6 + 3 = 9. The fractional
    # rule gives the expected value 6 + (7 + 3) / 2 = 11; whole blocks agree.
    obs = np.array([6.0, 7.0, 3.0, 2.0, 1.0, 0.0])
    pred = np.array([8.0, 4.0, 4.0, 2.0, 1.0, 0.0])
    n_total = obs.sum()
    assert hit_rate(pred, obs, coverage=2 / 6) == pytest.approx(11 / n_total)
    assert hit_rate(pred, obs, coverage=3 / 6) == pytest.approx(16 / n_total)  # = ptools


def test_zero_crime_test_period_gives_nan_and_warns():
    zeros = np.zeros(4)
    with pytest.warns(DataQualityWarning, match="no incidents"):
        assert np.isnan(hit_rate(SCORES, zeros, coverage=0.25))
    with pytest.warns(DataQualityWarning):
        assert np.isnan(pai(SCORES, zeros, coverage=0.25))
    with pytest.warns(DataQualityWarning):
        assert np.isnan(pei(SCORES, zeros, coverage=0.25))
    with pytest.warns(DataQualityWarning):
        assert np.isnan(pei_star(SCORES, zeros, coverage=0.25))
    with pytest.warns(DataQualityWarning):
        assert np.isnan(rri(SCORES, zeros, baseline=[1, 1, 1, 1], coverage=0.25))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        curve = coverage_curve(SCORES, zeros, coverages=[0.25, 0.5])
    assert len(rec) == 1  # one warning for the whole curve
    assert curve[["hit_rate", "pai", "pei", "pei_star"]].isna().all().all()


def test_all_tied_scores_equal_random_expectation():
    # a constant forecast flags a uniform share of every unit: hit rate = coverage
    obs = np.array([9.0, 0.0, 1.0, 0.0, 5.0])
    assert hit_rate(np.ones(5), obs, coverage=0.3) == pytest.approx(0.3)
    assert pai(np.ones(5), obs, coverage=0.3) == pytest.approx(1.0)


def test_series_inputs_are_aligned_on_index():
    idx = pd.Index([10, 11, 12, 13], name="unit_id")
    scores = pd.Series(SCORES, index=idx)
    obs = pd.Series(OBS, index=idx)[::-1]  # same units, other order
    assert pai(scores, obs, coverage=0.25) == pytest.approx(2.0)
    with pytest.raises(InvalidInputError, match="index"):
        pai(scores, pd.Series(OBS, index=[1, 2, 3, 4]), coverage=0.25)


def test_input_errors():
    with pytest.raises(InvalidInputError, match="exactly one"):
        pai(SCORES, OBS)
    with pytest.raises(InvalidInputError, match="exactly one"):
        pai(SCORES, OBS, coverage=0.1, flagged=[1, 0, 0, 0])
    with pytest.raises(InvalidInputError, match="coverage"):
        pai(SCORES, OBS, coverage=0.0)
    with pytest.raises(InvalidInputError, match="coverage"):
        pai(SCORES, OBS, coverage=1.5)
    with pytest.raises(InvalidInputError, match="one value per unit"):
        pai(SCORES, OBS[:3], coverage=0.5)
    with pytest.raises(InvalidInputError, match="area"):
        pai(SCORES, OBS, [1, 0, 1, 1], coverage=0.5)
    with pytest.raises(InvalidInputError, match="NaN"):
        pai([1, np.nan, 0, 0], OBS, coverage=0.5)
    with pytest.raises(InvalidInputError, match="observed"):
        pai(SCORES, [-1, 0, 0, 0], coverage=0.5)


def test_coverage_curve_shape_and_monotone_hit_rate():
    rng = np.random.default_rng(3)
    obs = rng.poisson(1.0, 300).astype(float)
    scores = obs + rng.normal(0, 1, 300)
    base = rng.poisson(1.0, 300).astype(float)
    curve = coverage_curve(scores, obs, baseline=base)
    assert list(curve.columns) == [
        "coverage", "hit_rate", "pai", "pei", "pei_star", "rri", "n_test", "n_flagged", "n_max",
    ]
    assert len(curve) == 100
    assert (np.diff(curve["hit_rate"]) >= -1e-12).all()
    assert curve["hit_rate"].iloc[-1] == pytest.approx(1.0)
    assert (curve["pei"] <= 1 + 1e-12).all()
    assert (curve["pei_star"] <= curve["pei"] + 1e-12).all()
    # the curve equals the single-coverage functions
    row = curve.iloc[9]
    assert row["pai"] == pytest.approx(pai(scores, obs, coverage=0.1))
    assert row["rri"] == pytest.approx(rri(scores, obs, baseline=base, coverage=0.1))
