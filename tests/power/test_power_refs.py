"""Power analysis against lavaan 0.6.14: the true values exactly (deterministic) and a Monte Carlo run within
its Monte Carlo margins.  References: truth_refs/make_truth_ref.R and make_mc_ref.R (outputs committed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iur_survey.power import PopulationModel, power_analysis, true_values
from iur_survey.study import default_model

HERE = Path(__file__).resolve().parent / "truth_refs"


def _mediation():
    return (PopulationModel.from_lavaan((HERE / "pop.lav").read_text(encoding="utf-8")),
            (HERE / "model.lav").read_text(encoding="utf-8"))


def _merge(tv: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
    got = tv[tv["op"] != "~1"].merge(ref, on=["lhs", "op", "rhs"], suffixes=("", "_R"), how="outer",
                                      indicator=True)
    assert (got["_merge"] == "both").all(), got.loc[got["_merge"] != "both", ["lhs", "op", "rhs"]]
    return got


def test_true_values_equal_lavaan_on_the_exact_population_covariance():
    """power.truth.true_values = lavaan's sem(sample.cov = Sigma, sample.cov.rescale = FALSE): the mediation
    model (continuous), and the study's default model on the Likert codes' exact moments and on y*."""
    ref = pd.read_csv(HERE / "truth_ref.csv")
    pm, model = _mediation()
    cases = [("mediation", model, pm)]
    study = PopulationModel.from_population()
    cases += [("study_likert", default_model(), study), ("study_continuous", default_model(), study.continuous())]
    for case, mod, pop in cases:
        got = _merge(true_values(mod, pop), ref[ref["case"] == case].drop(columns="case"))
        for col in ("est", "std.lv", "std.all"):
            np.testing.assert_allclose(got[col], got[col + "_R"], atol=1e-6, err_msg=f"{case} {col}")
    # the Likert moments the reference was fitted to are the population's (make_truth_data.py)
    mom = pd.read_csv(HERE / "study_moments.csv")
    S = mom[mom["kind"] == "likert"]["value"].to_numpy().reshape(len(study.names), -1)
    np.testing.assert_allclose(study.moments()[0], S, rtol=0, atol=1e-12)


@pytest.mark.slow
def test_monte_carlo_power_bias_coverage_agree_with_lavaan_within_mc_error():
    """300 replications per n (100, 200, 400) of the mediation model here and in R (make_mc_ref.R, other random
    numbers): power, Wald 95% coverage and bias agree within 4 Monte Carlo standard errors of the difference
    (power / coverage: sqrt(2 p (1 - p) / 300), floored at p = .02; bias: SD * sqrt(2 / 300)); the true values
    are R's exactly."""
    ref = pd.read_csv(HERE / "mc_ref.csv")
    pm, model = _mediation()
    res = power_analysis(pm, model, n=[100, 200, 400], reps=300, seed=20261206, scheduler="serial", progress=False)
    got = res.table.merge(ref, on=["n", "parameter"], suffixes=("", "_R"))
    assert len(got) == len(ref) == 15
    assert (got["converged"] == 300).all() and (got["converged_R"] == 300).all()
    np.testing.assert_allclose(got["true"], got["true_R"], atol=1e-6)
    for col in ("power", "coverage"):
        p = np.clip((got[col] + got[col + "_R"]) / 2, 0.02, 0.98)
        z = (got[col] - got[col + "_R"]) / np.sqrt(2 * p * (1 - p) / 300)
        assert (z.abs() < 4).all(), got.loc[z.abs() >= 4, ["n", "parameter", col, col + "_R"]]
    z = (got["bias"] - got["bias_R"]) / (got["sd_est_R"] * np.sqrt(2 / 300))
    assert (z.abs() < 4).all(), got.loc[z.abs() >= 4, ["n", "parameter", "bias", "bias_R"]]
