"""Power draws each item on its own scale: a 0-10 item of an ordinal fit stays 0..10 (not 1..11), in the data
power fits and in the true values it reports (intercepts of a mean structure); a simulator population.json's
instrument scale is kept.  No R: the figures are exact moments checked against large draws."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from iur_survey.power import PopulationModel, power_analysis
from iur_survey.power.population import likert_moments
from iur_survey.sem import sem


def _ordinal_fit_doc():
    rng = np.random.default_rng(5)
    eta = rng.normal(size=(500, 1))
    y = eta @ [[0.8, 0.7, 0.6]] + rng.normal(size=(500, 3)) * 0.6
    d = pd.DataFrame({"a": np.digitize(y[:, 0], [-1, 0, 1]) + 1,              # 1..4
                      "b": np.digitize(y[:, 1], [-1, 0, 1]) + 1,
                      "c": np.digitize(y[:, 2], np.linspace(-1.5, 1.5, 10))})   # 0..10
    return sem("F =~ a + b + c", d, ordered=True).to_dict(), d


def test_ordinal_results_record_item_codes_and_power_draws_them():
    doc, d = _ordinal_fit_doc()
    assert doc["levels"]["c"] == list(range(11)) and doc["levels"]["a"] == [1, 2, 3, 4]
    pm = PopulationModel.from_results(json.loads(json.dumps(doc)))
    from dataclasses import replace
    draw = replace(pm, likert=True).draw(4000, np.random.default_rng(1))
    assert draw["c"].min() == 0 and draw["c"].max() == 10          # not 1..11
    assert set(draw["a"].unique()) <= {1.0, 2.0, 3.0, 4.0}
    # the exact moments are those of the codes drawn (means within 4 Monte Carlo SEs)
    S, m = replace(pm, likert=True).moments()
    se = np.sqrt(np.diag(S) / len(draw))
    assert np.all(np.abs(draw.mean().to_numpy() - m) < 4 * se)
    assert abs(m[2] - d["c"].mean()) < 0.3                          # near the fitted data's own mean


def test_likert_moments_with_codes_match_a_large_draw():
    R = np.array([[1.0, 0.5], [0.5, 1.0]])
    th = [np.array([-1.0, 0.0, 1.0]), np.array([-0.5, 0.7])]
    lv = [np.array([0.0, 2.0, 3.0, 10.0]), np.array([1.0, 2.0, 3.0])]
    S, m = likert_moments(R, np.zeros(2), th, levels=lv)
    y = np.random.default_rng(3).multivariate_normal([0, 0], R, size=400_000)
    codes = np.column_stack([lv[i][(y[:, i, None] > th[i]).sum(axis=1)] for i in range(2)])
    np.testing.assert_allclose(codes.mean(axis=0), m, atol=0.03)
    np.testing.assert_allclose(np.cov(codes.T), S, atol=0.05)
    # without levels: codes 1..K, as before
    S1, m1 = likert_moments(R, np.zeros(2), th)
    S0, m0 = likert_moments(R, np.zeros(2), th, levels=[np.arange(1.0, 5.0), np.arange(1.0, 4.0)])
    np.testing.assert_allclose(S0, S1, atol=1e-12)
    np.testing.assert_allclose(m0, m1, atol=1e-12)


def test_intercept_true_values_are_on_the_items_own_scale():
    """An ML analysis of the codes with a mean structure (MCAR cells, FIML) reports the intercepts' true values:
    the 0-10 item's is its mean on 0..10 (it was one too high, on 1..11)."""
    doc, _ = _ordinal_fit_doc()
    pm = PopulationModel.from_results(doc)
    res = power_analysis(pm, "F =~ a + b + c", n=[200], reps=2, seed=1, likert=True, missing_rate=0.05,
                         parameters="all", scheduler="serial", progress=False)
    t = res.table.set_index("parameter")
    from dataclasses import replace
    _, m = replace(pm, likert=True).moments()
    assert t.loc["c~1", "true"] == pytest.approx(m[2], abs=1e-4)
    assert t.loc["c~1", "true"] < 5.5 and t.loc["a~1", "true"] < 3.0


def test_population_from_the_simulator_keeps_the_instrument_scale():
    pm = PopulationModel.from_population(scale_min=0)
    d = pm.draw(2000, np.random.default_rng(2))
    assert d.to_numpy().min() == 0 and d.to_numpy().max() == 4
    assert PopulationModel.from_population().draw(50, np.random.default_rng(2)).to_numpy().min() >= 1


def test_levels_must_fit_the_thresholds():
    with pytest.raises(ValueError, match="codes for"):
        PopulationModel(names=("a",), sigma=np.eye(1), mu=np.zeros(1), thresholds=(np.array([0.0, 1.0]),),
                        likert=True, levels=(np.array([0.0, 1.0]),))
