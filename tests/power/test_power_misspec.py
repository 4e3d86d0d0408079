"""True values of a MISSPECIFIED WLSMV analysis: what WLSMV estimates in the limit (the DWLS fit to the
population's thresholds and polychoric correlations with the population's weights), against lavaan 0.6.14's
WLSMV fit of one sample of 400000 (misspec_refs/make_misspec_ref.R, output committed; its estimates are the
limits to about 0.002, their SEs stored).  They were the unweighted (ULS) fit, lavaan's ULS limit: Y=~y2 .814
where WLSMV converges to .844.  The population's DWLS weights: population_gamma_diagonal against a large sample's
gamma."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.power import PopulationModel, power_analysis
from iur_survey.power.truth import true_values
from iur_survey.sem.ordinal import ordinal_sample_stats, population_gamma_diagonal

HERE = Path(__file__).resolve().parent / "misspec_refs"


def _truth():
    pm = PopulationModel.from_lavaan((HERE / "pop.lav").read_text())
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        tv = true_values((HERE / "model.lav").read_text(), pm, estimator="WLSMV")
    return pm, tv, said


def test_misspecified_wlsmv_truth_is_lavaans_wlsmv_limit():
    _, tv, said = _truth()
    assert any("misspecified" in str(w.message) for w in said)
    assert tv.attrs["misfit"] > 1e-3 and "population's weights" in tv.attrs["truth"]
    ref = pd.read_csv(HERE / "misspec_ref.csv")
    for est, close in (("WLSMV", True), ("ULS", False)):
        r = ref[ref["estimator"] == est]
        got = tv.set_index(["lhs", "op", "rhs"]).loc[list(zip(r["lhs"], r["op"], r["rhs"])), "est"].to_numpy(float)
        z = np.abs(got - r["est"].to_numpy(float)) / r["se"].to_numpy(float)
        if close:       # every parameter within 3 SEs of the huge sample's estimate
            assert np.all(z < 3), dict(zip(r["rhs"], z.round(2)))
        else:           # and clearly not lavaan's ULS limit (the old truth): the Y loadings 10+ SEs away
            assert np.max(z) > 8


def test_population_weights_are_the_limit_of_a_samples():
    R = np.array([[1, .5, .3], [.5, 1, .4], [.3, .4, 1]])
    th = [np.array([-1., 0., 1.]), np.array([-.5, .7]), np.array([0.2])]
    g = population_gamma_diagonal(th, R)
    y = np.random.default_rng(1).multivariate_normal(np.zeros(3), R, size=100_000)
    d = pd.DataFrame({f"v{i}": np.searchsorted(th[i], y[:, i]) for i in range(3)})
    np.testing.assert_allclose(np.diag(ordinal_sample_stats(d).gamma), g, rtol=0.04)


def test_correct_model_truth_unchanged_and_not_flagged():
    pm = PopulationModel.from_lavaan((HERE / "pop.lav").read_text())
    tv = true_values("X =~ x1 + x2 + x3 + x4 + y1\nY =~ y1 + y2 + y3 + y4\nY ~ X\nx3 ~~ y3", pm, estimator="WLSMV")
    assert tv.attrs["misfit"] < 1e-10
    b = float(tv.loc[(tv["lhs"] == "Y") & (tv["op"] == "~"), "std.all"].iloc[0])
    assert b == pytest.approx(0.4 * 1 / np.sqrt(0.84 + 0.16), abs=1e-5)


def test_power_summary_says_what_the_truth_is():
    pm, _, _ = _truth()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = power_analysis(pm, (HERE / "model.lav").read_text(), n=[300], reps=2, seed=1, estimator="WLSMV",
                             scheduler="serial", progress=False)
    assert res.settings["misspecified"] is True
    assert "pseudo-true" in res.summary() and "population's weights" in res.summary()
    assert res.to_dict()["settings"]["misspecified"] is True
